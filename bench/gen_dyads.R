#!/usr/bin/env Rscript
# bench/gen_dyads.R -- synthetic directed dyad-year data for the benchmark.
#
#   Rscript bench/gen_dyads.R [SCALE] [OUTDIR]
#
# SCALE (0.1 .. 10, default 1) multiplies the number of rows: the number of
# states grows with sqrt(SCALE), so rows (~ states^2 x years) grow with SCALE.
# At SCALE 1: ~250 states entering and leaving over 1816-2014, ~56,000
# directed dyads, ~2.2M dyad-years, dispute onset ~0.5%.
#
# Writes OUTDIR/dyads_s<SCALE>.{dta,csv} (dyad-year rows) and
# OUTDIR/dyads_cox_s<SCALE>.{dta,csv} (start-stop spells for Cox: consecutive
# years of a directed dyad collapsed while the Cox covariates do not change;
# time scale = years since the dyad's last dispute onset, or since it began).
#
# Deterministic: a fixed seed; same SCALE -> same bytes.  Nothing here is real
# data; it only has the shape of COW/ATOP dyad-years (state system growth with
# decolonisation waves, persistent alliances, contiguity, strong dyad
# heterogeneity, duration dependence), which is what timing depends on.

suppressPackageStartupMessages({ library(haven); library(data.table) })
args <- commandArgs(TRUE)
scale <- if (length(args) >= 1) as.numeric(args[1]) else 1
outdir <- if (length(args) >= 2) args[2] else "bench/data"
if (!is.finite(scale) || scale < 0.1 || scale > 10)
  stop("SCALE must be a number from 0.1 to 10")
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
tag <- format(scale, scientific = FALSE)
set.seed(18162014)

years <- 1816:2014; nyr <- length(years)
ns <- round(250 * sqrt(scale))

## --- states: entry and exit --------------------------------------------------
# System growth like COW: ~10% present in 1816, slow growth to 1945, then the
# decolonisation wave (1946-1975) and the post-Soviet wave (1990-1994).
era <- sample(1:6, ns, replace = TRUE,
              prob = c(0.09, 0.16, 0.13, 0.38, 0.09, 0.15))
lo <- c(1816, 1817, 1900, 1946, 1976, 1990)[era]
hi <- c(1816, 1899, 1945, 1975, 1989, 1994)[era]
entry <- lo + floor(runif(ns) * (hi - lo + 1))
# ~22% of states leave (absorbed, unified, dissolved), mostly before 1946.
leaves <- runif(ns) < ifelse(entry < 1946, 0.42, 0.06)
exit <- ifelse(leaves, pmin(2014, entry + 5 + floor(rexp(ns, 1 / 60))), 2014)
exit[exit < entry] <- entry[exit < entry]

## --- state attributes ---------------------------------------------------------
region <- sample(1:6, ns, replace = TRUE, prob = c(.12, .13, .30, .18, .17, .10))
cx <- c(10, 25, 50, 70, 85, 95)[region]; cy <- c(60, 30, 60, 45, 55, 20)[region]
px <- cx + rnorm(ns, 0, 6); py <- cy + rnorm(ns, 0, 6)
# 'size' drives capabilities, trade and major-power status
size <- rnorm(ns)
majst <- rank(-size) <= max(3, round(0.032 * ns))

t_idx <- matrix(rep(seq_len(nyr), each = ns), ns)
# log capability: state level + random walk over years
lcap <- size * 1.3 + t(apply(matrix(rnorm(ns * nyr, 0, 0.06), ns), 1, cumsum))
# latent democracy: AR(1) around a state mean that drifts upward over time
dm <- rnorm(ns, -0.3, 1)
lat <- matrix(0, ns, nyr); lat[, 1] <- dm + rnorm(ns, 0, 0.5)
for (t in 2:nyr)
  lat[, t] <- 0.9 * lat[, t - 1] + 0.1 * (dm + 1.5 * (t / nyr)) + rnorm(ns, 0, 0.25)
dem <- (lat > 0.35) * 1
# polity coverage gaps: some state-years missing (-> jointdem NA)
dem[matrix(runif(ns * nyr) < 0.04, ns)] <- NA
# IGO memberships: grow after 1900, faster after 1945
igo_st <- round(outer(0.3 + 0.4 * pnorm(size), pmax(0, years - 1880) / 134 * 60) +
                matrix(rnorm(ns * nyr, 0, 2), ns))
igo_st[igo_st < 0] <- 0

## --- directed dyads -------------------------------------------------------------
g <- CJ(i = seq_len(ns), j = seq_len(ns))[i != j]
g[, `:=`(s = pmax(entry[i], entry[j]), e = pmin(exit[i], exit[j]))]
g <- g[s <= e]
g[, pid := .I]
nd <- nrow(g)
# undirected pair attributes, stored in symmetric ns x ns matrices
sym <- function(m) { m[lower.tri(m)] <- t(m)[lower.tri(m)]; m }
dist <- sqrt(outer(px, px, "-")^2 + outer(py, py, "-")^2) * 120 + 50  # km-ish
contigm <- (dist < 700) * 1
re <- sym(matrix(rnorm(ns * ns, 0, 0.8), ns))      # dyad heterogeneity
tre <- sym(matrix(rnorm(ns * ns, 0, 1), ns))       # trade dyad effect
# alliance spells (undirected): at most one spell per type; probability falls
# with distance; spells persist (geometric length, mean 20/8/12 years)
spell <- function(p_base, mean_len) {
  has <- sym(matrix(runif(ns * ns), ns)) < plogis(p_base - 0.0004 * dist + 0.8 * (region %o% rep(1, ns) == rep(1, ns) %o% region))
  u1 <- sym(matrix(runif(ns * ns), ns)); len <- sym(matrix(1 + rgeom(ns * ns, 1 / mean_len), ns))
  list(has = has, u = u1, len = len)
}
sp_def <- spell(0.3, 20); sp_neu <- spell(-2.6, 8); sp_ent <- spell(-0.9, 12)

## --- dyad-years -------------------------------------------------------------------
len <- g$e - g$s + 1L
r <- g[rep(seq_len(nd), len)]
r[, year := s + sequence(len) - 1L]
ij <- cbind(r$i, r$j); it <- cbind(r$i, r$year - 1815L); jt <- cbind(r$j, r$year - 1815L)
in_spell <- function(sp) {
  ov <- r$e - r$s + 1L
  st <- r$s + floor(sp$u[ij] * ov)
  (sp$has[ij] & r$year >= st & r$year < st + sp$len[ij]) * 1L
}
n <- nrow(r)
r[, `:=`(
  ccode1 = i, ccode2 = j, dyad = i * 10000L + j,
  defense = in_spell(sp_def), neutrality = in_spell(sp_neu), entente = in_spell(sp_ent),
  contig = as.integer(contigm[ij]),
  distance = round(dist[ij], 1),
  cap1 = exp(lcap[it]), cap2 = exp(lcap[jt]),
  jointdem = as.integer(dem[it] * dem[jt]),
  majpow = as.integer(majst[i] | majst[j]),
  igos = as.integer(round(pmin(igo_st[it], igo_st[jt]) * 0.7)),
  coldwar = as.integer(year >= 1947 & year <= 1989),
  region = region[i]
)]
r[, cap_ratio := pmax(cap1, cap2) / pmin(cap1, cap2)]
r[, trade := round(exp(-2 + 0.8 * (log(cap1) + log(cap2)) - 1.1 * log(distance / 1000) +
                       0.03 * (year - 1816) + tre[ij] + rnorm(n, 0, 0.5)), 3) + 0.001]
r[, c("cap1", "cap2") := NULL]

## --- dispute onset: year by year, with duration dependence ------------------------
# logit in the covariates + dyad effect + cubic in peace years; intercept set
# so onset is ~0.5% of dyad-years.
xb <- with(r, -4.0 + 0.15 * defense - 0.3 * neutrality + 0.25 * entente + 1.9 * contig -
                0.22 * log(cap_ratio) - 0.5 * ifelse(is.na(jointdem), 0, jointdem) +
                1.1 * majpow - 0.45 * log(distance / 1000) - 0.06 * log(trade) -
                0.004 * igos + 0.25 * coldwar) + re[ij]
peace <- integer(nd)                 # current peace-years counter per directed dyad
pyrs <- integer(n); onset <- integer(n)
rows_by_year <- split(seq_len(n), r$year)
for (yy in names(rows_by_year)) {
  k <- rows_by_year[[yy]]; p <- r$pid[k]; q <- peace[p]
  eta <- xb[k] - 0.09 * q + 0.0009 * q^2 - 2.5e-6 * q^3
  o <- as.integer(runif(length(k)) < plogis(eta))
  pyrs[k] <- q; onset[k] <- o
  peace[p] <- ifelse(o == 1L, 0L, q + 1L)
}
r[, `:=`(peaceyrs = pyrs, dispute = onset)]
setcolorder(r, c("ccode1", "ccode2", "year", "dyad", "dispute", "defense",
                 "neutrality", "entente", "contig", "cap_ratio", "jointdem",
                 "majpow", "distance", "trade", "igos", "coldwar", "peaceyrs", "region"))
r[, c("i", "j", "s", "e", "pid") := NULL]

## --- start-stop spells for Cox ------------------------------------------------------
# rows are sorted by dyad then year; a new spell starts at a new dyad, after an
# onset, or when a Cox covariate (or its missingness) changes.
cv <- c("defense", "neutrality", "entente", "jointdem", "coldwar")
ch <- c(TRUE, r$dyad[-1] != r$dyad[-n] | r$dispute[-n] == 1L)
for (v in cv) {
  x <- r[[v]]; x[is.na(x)] <- -1L
  ch <- ch | c(TRUE, x[-1] != x[-n])
}
first <- which(ch); last <- c(first[-1] - 1L, n)
cox <- r[first, c("ccode1", "ccode2", "dyad", "defense", "neutrality", "entente",
                  "contig", "jointdem", "majpow", "distance", "coldwar", "region")]
cox[, `:=`(year0 = r$year[first], start = r$peaceyrs[first],
           stop = r$peaceyrs[last] + 1L, event = r$dispute[last])]

wr <- function(d, stem) {
  fwrite(d, file.path(outdir, paste0(stem, ".csv")))
  write_dta(as.data.frame(d), file.path(outdir, paste0(stem, ".dta")))
}
wr(r, paste0("dyads_s", tag))
wr(cox, paste0("dyads_cox_s", tag))
cat(sprintf("scale %s: %d states, %d directed dyads, %d dyad-years, onset %.3f%%, %d Cox spells (%d events)\n",
            tag, ns, nd, n, 100 * mean(r$dispute), nrow(cox), sum(cox$event)))
