#!/usr/bin/env Rscript
# make_reference_bootstrap.R -- the sandwich standard errors the bootstrap
# variance (--vce bootstrap, src/vce/bootstrap.c) must come close to.
#
#   Rscript tests/reference/make_reference_bootstrap.R   (from the repository root)
#
# writes tests/reference/values/bootstrap_<id>.csv (broom columns, "%.17g")
# and values/bootstrap_VERSIONS, read by tests/vce/test_bootstrap.c, which
# asserts that 2000 bootstrap replications give standard errors within 5%
# of these (and estimates equal to glm's).
#
# Which sandwich: the pairs (cluster) bootstrap resamples the empirical
# distribution of the rows (clusters), so its variance estimates the plug-in
# sandwich A^-1 (sum_g S_g S_g') A^-1 with no small-sample factor: CR0 /
# HC0 (vcovCL(type = "HC0", cadjust = FALSE), vcovHC(type = "HC0")). Stata's
# G/(G-1) would only move them by 1/(2G) = 0.4% here.
#
# Data: tests/data/models/weights.csv (1000 rows, 120 clusters cl, sampling
# weights pw, whole-number frequency weights fw summing to 2967).
#   logit_cluster      logit y ~ x1 + x2, clusters of cl:  CR0
#   probit_rows        probit y ~ x1 + x2, rows:           HC0
#   logit_pw_cluster   logit, weights = pw, clusters of cl: CR0 of the
#                      weighted fit (the bootstrap weights are count * pw)
#   cloglog_fw_rows    cloglog, frequency weights fw, rows: HC0 of the fit on
#                      the rows expanded fw times (the bootstrap resamples
#                      the 2967 observations the weights stand for)
suppressPackageStartupMessages(library(sandwich))
# the shared helpers (broom_table, write_ref, write_versions), from this
# script's own folder; tests/reference when source()d from the repository root
local({
    f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
    dir <- if (length(f) == 1) dirname(gsub("~+~", " ", f, fixed = TRUE))
           else "tests/reference"
    source(file.path(dir, "ref_helpers.R"))
})

outdir <- "tests/reference/values"
d <- read.csv("tests/data/models/weights.csv")
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

# values/bootstrap_<id>.csv: the broom table of fit m with variance V
write_case <- function(m, V, id) {
    t <- broom_table(coef(m), V)
    write_ref(t, file.path(outdir, paste0("bootstrap_", id, ".csv")))
    cat(sprintf("bootstrap_%-18s %s\n", id,
                paste(sprintf("%.6g", t$std.error), collapse = " ")))
}

# CR0 by hand, to check sandwich's (the meat of summed cluster scores)
cr0 <- function(m, cl) {
    S <- estfun(m)
    Sg <- rowsum(S, cl)
    B <- bread(m) / nobs(m)
    B %*% crossprod(Sg) %*% B
}

m1 <- glm(y ~ x1 + x2, binomial("logit"), d, control = ctl)
V1 <- vcovCL(m1, cluster = ~cl, type = "HC0", cadjust = FALSE)
stopifnot(max(abs(V1 - cr0(m1, d$cl))) < 1e-12 * max(abs(V1)))
write_case(m1, V1, "logit_cluster")

m2 <- glm(y ~ x1 + x2, binomial("probit"), d, control = ctl)
write_case(m2, vcovHC(m2, type = "HC0"), "probit_rows")

# non-integer prior weights: glm warns ("non-integer #successes"), rightly
# for a binomial count, not for sampling weights
m3 <- suppressWarnings(glm(y ~ x1 + x2, binomial("logit"), d, weights = pw,
                           control = ctl))
V3 <- vcovCL(m3, cluster = ~cl, type = "HC0", cadjust = FALSE)
stopifnot(max(abs(V3 - cr0(m3, d$cl))) < 1e-12 * max(abs(V3)))
write_case(m3, V3, "logit_pw_cluster")

e <- d[rep(seq_len(nrow(d)), d$fw), ]
m4 <- glm(y ~ x1 + x2, binomial("cloglog"), e, control = ctl)
write_case(m4, vcovHC(m4, type = "HC0"), "cloglog_fw_rows")

write_versions("sandwich", file.path(outdir, "bootstrap_VERSIONS"))
