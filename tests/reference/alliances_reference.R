#!/usr/bin/env Rscript
# alliances_reference.R -- an independent R implementation of the alliance
# measures of src/prepare/alliances.c, written from the published formulas
# (docs/alliance_measures.md), and the reference values the C tests use.
#
#   Rscript tests/reference/alliances_reference.R      (from the repo root)
#
# Needs the files written by data-raw/extract_alliance_tables.R
# (data/atop_dyadyear.csv, data/cow_nmc.csv) and data/leeds_dyads.csv.
# Writes tests/data/alliances/ref_leeds.csv: every directed dyad of
# data/leeds_dyads.csv in 1950, 1980 and 2000 with all measures (%.17g).
# Also checks the hand-computed toy values of tests/prepare/test_alliances.c.
#
# The implementation works on whole matrices, the opposite of the C code's
# one pass per dyad:
#   - one 0/1 N x N matrix per alliance type, symmetrised with pmax(M, t(M))
#   - the valued-tie matrix V = max over types of value * M, diag = v_max
#   - S (Signorino & Ritter 1999, eq. for L1 distance):
#         d = sum_k w_k |V[A,k] - V[B,k]| / v_max,  d_max = sum_k w_k,
#         S = 1 - 2 d / d_max
#   - tau-b from its definition over all pairs (i < j) of states:
#         num = sum sign(x_i - x_j) sign(y_i - y_j),
#         tau_b = num / sqrt((n0 - n1)(n0 - n2)), n0 - n1 = #pairs with
#         x_i != x_j, n0 - n2 = #pairs with y_i != y_j
#     (checked against cor(method = "kendall") on every 50th dyad)

vals <- c(defense = 3, offense = 3, neutrality = 2, nonagg = 2, consul = 1)

measures_year <- function(t, dy, al, cap, vals, self_tie = TRUE, region = TRUE) {
    st <- cap[cap$year == t, ]
    st <- st[order(st$ccode), ]
    N <- nrow(st)
    w <- st$cinc
    types <- names(vals)[names(vals) %in% names(al)]
    a <- al[al$year == t, ]
    i <- match(a$ccode1, st$ccode)
    j <- match(a$ccode2, st$ccode)
    keep <- !is.na(i) & !is.na(j)
    M <- list()
    for (ty in types) {
        m <- matrix(0, N, N)
        sel <- keep & a[[ty]] == 1
        m[cbind(i[sel], j[sel])] <- 1
        M[[ty]] <- pmax(m, t(m))
    }
    V <- matrix(0, N, N)
    for (ty in types) V <- pmax(V, vals[[ty]] * M[[ty]])
    vmax <- max(vals)
    diag(V) <- if (self_tie) vmax else 0
    D <- M[["defense"]]

    S <- function(x, y, ref) {
        d <- sum(abs(x[ref] - y[ref])) / vmax
        1 - 2 * d / sum(ref)
    }
    Sw <- function(x, y, ref) {
        dmax <- sum(w[ref])
        if (is.na(dmax) || dmax <= 0) return(NA_real_)
        d <- sum(w[ref] * abs(x[ref] - y[ref])) / vmax
        1 - 2 * d / dmax
    }
    taub <- function(x, y) {
        sx <- sign(outer(x, x, "-"))
        sy <- sign(outer(y, y, "-"))
        up <- upper.tri(sx)
        num <- sum((sx * sy)[up])
        den <- sum(sx[up] != 0) * sum(sy[up] != 0)
        if (den == 0) return(NA_real_)
        num / sqrt(den)
    }

    rows <- which(dy$year == t)
    out <- vector("list", length(rows))
    for (r in seq_along(rows)) {
        A <- match(dy$ccode1[rows[r]], st$ccode)
        B <- match(dy$ccode2[rows[r]], st$ccode)
        res <- list(ccode1 = dy$ccode1[rows[r]], ccode2 = dy$ccode2[rows[r]], year = t)
        if (is.na(A) || is.na(B)) {   # outside the system: every measure NA
            nm <- c(paste0("ally_", types), "ally_value", "n_def_allies1",
                    "cap_def_allies1", "n_def_allies2", "cap_def_allies2",
                    "cap_balance_allies", "s_unweighted", "s_weighted",
                    if (region) c("s_unweighted_region", "s_weighted_region"),
                    "tau_b", "n_shared_def_allies", "n_shared_allies")
            for (v in nm) res[[v]] <- NA_real_
            out[[r]] <- as.data.frame(res)
            next
        }
        for (ty in types) res[[paste0("ally_", ty)]] <- M[[ty]][A, B]
        res$ally_value <- V[A, B]
        oth <- setdiff(seq_len(N), c(A, B))
        a1 <- oth[D[A, oth] == 1]
        a2 <- oth[D[B, oth] == 1]
        res$n_def_allies1 <- length(a1)
        res$cap_def_allies1 <- sum(w[a1])
        res$n_def_allies2 <- length(a2)
        res$cap_def_allies2 <- sum(w[a2])
        side1 <- w[A] + res$cap_def_allies1
        side2 <- w[B] + res$cap_def_allies2
        res$cap_balance_allies <- if (is.na(side1 + side2) || side1 + side2 <= 0)
            NA_real_ else side2 / (side1 + side2)
        x <- V[A, ]; y <- V[B, ]
        all <- rep(TRUE, N)
        res$s_unweighted <- S(x, y, all)
        res$s_weighted <- Sw(x, y, all)
        if (region) {
            ra <- st$region[A]; rb <- st$region[B]
            ref <- st$region %in% c(ra, rb)
            res$s_unweighted_region <- S(x, y, ref)
            res$s_weighted_region <- Sw(x, y, ref)
        }
        res$tau_b <- taub(x, y)
        if (r %% 50 == 1 && !is.na(res$tau_b))
            stopifnot(abs(res$tau_b - cor(x, y, method = "kendall")) < 1e-12)
        res$n_shared_def_allies <- length(intersect(a1, a2))
        res$n_shared_allies <- sum(x[oth] > 0 & y[oth] > 0)
        out[[r]] <- as.data.frame(res)
    }
    do.call(rbind, out)
}

# ------------------------------------------------------------------ toy check
# The toy system of test_alliances.c: year 1 {10, 20, 30}, 40 enters in
# year 2, 30's cinc missing in year 3; asymmetric rows from 40 in year 2.
toy_cap <- data.frame(
    ccode = c(10, 20, 30, 10, 20, 30, 40, 10, 20, 30),
    year = c(1, 1, 1, 2, 2, 2, 2, 3, 3, 3),
    cinc = c(0.5, 0.25, 0.25, 0.375, 0.25, 0.25, 0.125, 0.5, 0.25, NA),
    region = c(1, 1, 1, 1, 1, 2, 2, 1, 1, 1))
z <- function(n) rep(0, n)
toy_al <- data.frame(
    ccode1 = c(10, 20, 10, 20, 10, 40, 40, 40, 10, 10, 30, 10),
    ccode2 = c(20, 10, 20, 10, 20, 10, 20, 30, 50, 30, 10, 20),
    year = c(1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4),
    defense = c(1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
    offense = z(12), neutrality = z(12),
    nonagg = c(1, 1, z(10)),
    consul = c(0, 0, 1, 1, 1, z(7)))
toy_dy <- data.frame(ccode1 = c(10, 20, 10, 30, 10, 40, 30, 10, 10, 20),
                     ccode2 = c(20, 10, 30, 20, 20, 30, 10, 50, 20, 30),
                     year = c(1, 1, 1, 1, 2, 2, 2, 2, 3, 3))
toy <- do.call(rbind, lapply(1:3, function(t)
    measures_year(t, toy_dy, toy_al, toy_cap, vals)))
toy <- toy[order(toy$year), ]
hand <- list(   # the values written in test_alliances.c, by hand
    s_unweighted = c(1, 1, -1, -1, 1/3, 0, -1/6, NA, -1, -1),
    s_weighted = c(1, 1, -1, -1, 1/6, -0.25, -5/12, NA, NA, NA),
    s_unweighted_region = c(1, 1, -1, -1, -1/3, 1, -1/6, NA, -1, -1),
    s_weighted_region = c(1, 1, -1, -1, -1/3, 1, -5/12, NA, NA, NA),
    tau_b = c(1, 1, -1, -1, 0.4, NA, -1 / sqrt(20), NA, -1, -1),
    n_def_allies1 = c(0, 0, 1, 0, 1, 2, 1, NA, 1, 0),
    cap_def_allies1 = c(0, 0, 0.25, 0, 0.125, 0.625, 0.125, NA, NA, 0),
    n_def_allies2 = c(0, 0, 0, 1, 1, 0, 1, NA, 0, 1),
    cap_def_allies2 = c(0, 0, 0, 0.5, 0.125, 0, 0.125, NA, 0, 0.5),
    cap_balance_allies = c(1/3, 2/3, 0.25, 0.75, 3/7, 0.25, 4/7, NA, NA, NA),
    n_shared_def_allies = c(0, 0, 0, 0, 1, 0, 1, NA, 0, 0),
    n_shared_allies = c(0, 0, 0, 0, 1, 0, 1, NA, 0, 0),
    ally_value = c(3, 3, 0, 0, 1, 3, 0, NA, 0, 0))
key_toy <- paste(toy$ccode1, toy$ccode2, toy$year)
key_dy <- paste(toy_dy$ccode1, toy_dy$ccode2, toy_dy$year)
toy <- toy[match(key_dy, key_toy), ]
for (v in names(hand)) {
    got <- toy[[v]]; want <- hand[[v]]
    ok <- (is.na(got) & is.na(want)) | (!is.na(got) & !is.na(want) & abs(got - want) < 1e-15)
    if (!all(ok)) stop(sprintf("toy %s: R gives %s, hand %s", v,
                               paste(got, collapse = " "), paste(want, collapse = " ")))
}
cat("toy system: R implementation agrees with the hand values\n")

# ------------------------------------------------------------------ real data
al <- read.csv("data/atop_dyadyear.csv")
cap <- read.csv("data/cow_nmc.csv")
dy <- read.csv("data/leeds_dyads.csv")[, c("ccode1", "ccode2", "year")]
years <- c(1950, 1980, 2000)
ref <- do.call(rbind, lapply(years, function(t) measures_year(t, dy, al, cap, vals)))
# cross-check the direct ties with those shipped in leeds_dyads.csv (ATOP
# there comes through peacesciencer's add_atop_alliance)
ld <- read.csv("data/leeds_dyads.csv")
ld <- ld[ld$year %in% years, ]
m <- match(paste(ref$ccode1, ref$ccode2, ref$year), paste(ld$ccode1, ld$ccode2, ld$year))
cat("direct defense ties differing from leeds_dyads.csv:",
    sum(ref$ally_defense != ld$defense[m], na.rm = TRUE), "\n")

fmt <- function(x) ifelse(is.na(x), "", ifelse(x == round(x), sprintf("%.0f", x),
                                               sprintf("%.17g", x)))
lines <- do.call(paste, c(lapply(ref, fmt), sep = ","))
path <- "tests/data/alliances/ref_leeds.csv"
writeLines(c(paste(names(ref), collapse = ","), lines), path)
cat(sprintf("wrote %s: %d dyad-years (%s), R %s\n", path, nrow(ref),
            paste(years, collapse = ", "), getRversion()))
