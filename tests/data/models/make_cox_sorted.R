#!/usr/bin/env Rscript
# make_cox_sorted.R -- fixtures for the streamed Cox fit (--stream with
# `fit cox`, tests/stream/test_stream_cox.c and tests/cli/run.sh), and
# survival::coxph reference values on them.
#
#   Rscript tests/data/models/make_cox_sorted.R     (from the repository root)
#
# A streamed Cox fit needs the rows sorted by stop time, ascending, within
# each stratum. Files written (fixed seed, so they are the same on every run):
#
# tests/data/models/cox_sorted.csv (and cox_sorted.dta, the same data through
#   haven, so that the ReadStat chunk path is tested): 20,000 counting-process
#   rows (start, stop] of 4,000 subjects `id` (1 to 8 rows each, contiguous,
#   non-overlapping intervals; times are integers 0..30, so event times tie
#   heavily and Efron differs from Breslow), sorted by stop ascending over
#   the whole file (ties in random order), so sorted within every stratum
#   too, with the strata interleaved. Columns:
#     start, stop, event   event (0/1) at the interval's stop; recurrent
#     x1                   N(0, 1), time-varying; missing (empty) in 25 rows
#     yr                   around 2000 (a year with a fraction): badly scaled
#     x3                   around 1e-3: scaled the other way
#     d                    binary, per subject
#     w                    case (probability) weights in [0.5, 2]
#     off                  an offset in [-0.5, 0.5]
#     g                    stratum 1..4 (per subject)
#     id                   the subject, the cluster
#   The same file serves the right-censored model Surv(stop, event) ~ ...
#
# tests/data/models/cox_sorted_by_stratum.csv: 3,000 rows of other subjects
#   (same columns plus a string column `s`), sorted by (g, stop): strata are
#   contiguous blocks, so the file is sorted within each stratum (strata(g)
#   fits stream) but not overall: without strata(g) the order breaks at the
#   first row of the second block, data row BREAK_BY_STRATUM below (1-based,
#   header not counted), printed by this script.
#
# tests/data/models/cox_unsorted.csv: cox_sorted.csv with one row moved: the
#   row with stop = 1 that comes first in cox_sorted.csv is moved down to be
#   data row 12345 (1-based, header not counted), between rows with stop
#   later than 1: the order breaks there, in every stratum sense (the moved
#   row's stratum has earlier rows with larger stops). BREAK_UNSORTED = 12345.
#
# tests/data/models/cox_sorted_ref.csv: survival::coxph on cox_sorted.csv at
#   eps = 1e-12, columns case,term,estimate,std_error ("%.17g"):
#     cp_efron_cluster_w      Surv(start, stop, event) ~ x1 + yr + x3 + d,
#                             ties = "efron", weights = w, cluster = id
#                             (dyadfit: --weights w prob, --vce cluster id
#                             --ssc hc0)
#     cp_breslow_strata_off   Surv(start, stop, event) ~ x1 + yr + x3 + d +
#                             strata(g) + offset(off), ties = "breslow"
#                             (dyadfit: --offset off, --vce oim)
#     rc_efron_robust         Surv(stop, event) ~ x1 + yr + d,
#                             ties = "efron", robust = TRUE (one row per
#                             subject: dyadfit --vce robust --ssc hc0)
# and prints the R and survival versions it used.
suppressPackageStartupMessages(library(survival))

BREAK_UNSORTED <- 12345L
dir <- "tests/data/models"

make_subjects <- function(nsub, first_id, seed) {
    set.seed(seed)
    rows <- vector("list", nsub)
    for (s in seq_len(nsub)) {
        g <- sample(1:4, 1)
        d <- rbinom(1, 1, 0.4)
        k <- sample(1:8, 1)                     # intervals of this subject
        ends <- sort(sample(1:30, k))           # distinct integer stops
        starts <- c(sample(0:(ends[1] - 1), 1), ends[-k])
        x1 <- round(rnorm(k), 4)
        yr <- round(1990 + 20 * runif(k) + (0:(k - 1)) * 0.25, 2)
        x3 <- round(1e-3 * (1 + rnorm(k)), 7)
        eta <- 0.5 * x1 + 0.04 * (yr - 2000) + 150 * x3 - 0.6 * d + 0.2 * (g - 2)
        len <- ends - starts
        p <- 1 - exp(-0.08 * len * exp(eta))
        rows[[s]] <- data.frame(start = as.integer(starts), stop = as.integer(ends),
                                event = rbinom(k, 1, p), x1 = x1, yr = yr, x3 = x3,
                                d = d, w = round(runif(k, 0.5, 2), 2),
                                off = round(runif(k, -0.5, 0.5), 3), g = g,
                                id = first_id + s - 1L)
    }
    do.call(rbind, rows)
}

# writes numbers as R prints them at 15 significant digits (the values have
# few digits), NA as an empty cell, no quotes
write_fixture <- function(df, path) {
    out <- df
    for (v in names(out)) {
        x <- out[[v]]
        out[[v]] <- if (is.numeric(x)) ifelse(is.na(x), "", format(x, digits = 15, trim = TRUE,
                                                                    scientific = FALSE))
                    else ifelse(is.na(x), "", as.character(x))
    }
    write.table(out, path, sep = ",", row.names = FALSE, col.names = TRUE, quote = FALSE)
}

# ---- cox_sorted: sorted by stop over the whole file, ties in random order
d <- make_subjects(4000, 1L, 20261205)
while (nrow(d) < 20000) d <- rbind(d, make_subjects(50, max(d$id) + 1L, nrow(d)))
d <- d[seq_len(20000), ]
set.seed(7)
d <- d[sample(nrow(d)), ]                       # ties in random order
d <- d[order(d$stop, method = "radix"), ]       # stable
d$x1[sort(sample(nrow(d), 25))] <- NA
rownames(d) <- NULL
stopifnot(!is.unsorted(d$stop))
write_fixture(d, file.path(dir, "cox_sorted.csv"))

if (requireNamespace("haven", quietly = TRUE)) {
    dd <- d
    for (v in c("start", "stop", "event", "d", "g", "id")) dd[[v]] <- as.integer(dd[[v]])
    haven::write_dta(dd, file.path(dir, "cox_sorted.dta"), version = 14)
} else {
    stop("haven is needed for cox_sorted.dta")
}

# ---- cox_sorted_by_stratum: sorted by (g, stop), strata contiguous
b <- make_subjects(700, 100001L, 4242)
b <- b[seq_len(min(3000, nrow(b))), ]
b$s <- c("east", "west", "north")[(b$id %% 3) + 1]
set.seed(9)
b <- b[sample(nrow(b)), ]
b <- b[order(b$g, b$stop, method = "radix"), ]
rownames(b) <- NULL
stopifnot(all(tapply(b$stop, b$g, function(t) !is.unsorted(t))), is.unsorted(b$stop))
BREAK_BY_STRATUM <- which(diff(b$stop) < 0)[1] + 1L
write_fixture(b, file.path(dir, "cox_sorted_by_stratum.csv"))

# ---- cox_unsorted: one early row moved down to data row BREAK_UNSORTED
u <- d
first1 <- which(u$stop == 1)[1]
moved <- u[first1, ]
u <- u[-first1, ]
u <- rbind(u[seq_len(BREAK_UNSORTED - 1), ], moved, u[BREAK_UNSORTED:nrow(u), ])
rownames(u) <- NULL
stopifnot(u$stop[BREAK_UNSORTED] == 1, u$stop[BREAK_UNSORTED - 1] > 1,
          which(diff(u$stop) < 0)[1] + 1L == BREAK_UNSORTED,
          any(u$stop[seq_len(BREAK_UNSORTED - 1)][u$g[seq_len(BREAK_UNSORTED - 1)] ==
              u$g[BREAK_UNSORTED]] > 1))
write_fixture(u, file.path(dir, "cox_unsorted.csv"))

# ---- coxph references on cox_sorted.csv as read back from the file
r <- read.csv(file.path(dir, "cox_sorted.csv"))
ctl <- coxph.control(eps = 1e-12, iter.max = 100, toler.chol = 1e-15)
fits <- list(
    cp_efron_cluster_w = coxph(Surv(start, stop, event) ~ x1 + yr + x3 + d, r,
                               ties = "efron", weights = w, cluster = id, control = ctl),
    cp_breslow_strata_off = coxph(Surv(start, stop, event) ~ x1 + yr + x3 + d + strata(g) +
                                  offset(off), r, ties = "breslow", control = ctl),
    rc_efron_robust = coxph(Surv(stop, event) ~ x1 + yr + d, r, ties = "efron",
                            robust = TRUE, control = ctl))
ref <- do.call(rbind, lapply(names(fits), function(id) {
    f <- fits[[id]]
    stopifnot(f$iter < 100)
    data.frame(case = id, term = names(coef(f)), estimate = sprintf("%.17g", coef(f)),
               std_error = sprintf("%.17g", sqrt(diag(vcov(f)))))
}))
write.table(ref, file.path(dir, "cox_sorted_ref.csv"), sep = ",", row.names = FALSE,
            quote = FALSE)

cat(sprintf("%s, survival %s, haven %s\n", R.version.string, packageVersion("survival"),
            packageVersion("haven")))
cat(sprintf("cox_sorted: %d rows, %d events, %d distinct stops, %d subjects\n", nrow(d),
            sum(d$event), length(unique(d$stop)), length(unique(d$id))))
cat(sprintf("cox_sorted_by_stratum: %d rows; unsorted overall from data row %d\n", nrow(b),
            BREAK_BY_STRATUM))
cat(sprintf("cox_unsorted: order breaks at data row %d\n", BREAK_UNSORTED))
for (v in c("cox_sorted.csv", "cox_sorted.dta", "cox_sorted_by_stratum.csv",
            "cox_unsorted.csv", "cox_sorted_ref.csv"))
    cat(sprintf("  %-28s %9d bytes\n", v, file.size(file.path(dir, v))))
