#!/usr/bin/env Rscript
# bench/peers.R -- the R side of the benchmark (called by bench/run.sh).
#
#   Rscript bench/peers.R MODE FILE OUT
#
# MODE: read | glm-logit | glm-probit | glm-cloglog | glm-logit-csv |
#       fixest-logit | fixest-probit | fixest-cloglog | coxph | brglm2
# Prints one line "TIMING read=S fit=S" (seconds inside R; fit includes the
# variance) and writes OUT as CSV term,estimate,std.error in the same term
# order as dyadfit, so the harness can compare the estimates.
#
# Variance conventions are chosen to equal dyadfit's defaults:
#   glm + sandwich::vcovCL(type = "HC0", cadjust = TRUE) = G/(G-1) x HC0 cluster
#     (= dyadfit --ssc stata = Stata's vce(cluster));
#   fixest ssc(K.adj = FALSE, G.adj = TRUE)                = the same;
#   coxph(cluster = dyad): no small-sample factor        (= dyadfit --ssc hc0);
#   brglm2: model-based (OIM-type) SEs of the Firth fit  (= dyadfit firth --vce oim).
args <- commandArgs(TRUE)
mode <- args[1]; file <- args[2]; out <- if (length(args) >= 3) args[3] else NULL

F_BIN <- dispute ~ defense + neutrality + entente + contig + log(cap_ratio) +
  jointdem + majpow + log(distance) + log(trade) + igos + coldwar +
  peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)
F_COX <- survival::Surv(start, stop, event) ~ defense + neutrality + entente +
  contig + jointdem + majpow + log(distance) + coldwar

el <- function(t0) unname((proc.time() - t0)[["elapsed"]])
t0 <- proc.time()
d <- if (grepl("\\.csv$", file)) data.table::fread(file, data.table = FALSE) else haven::read_dta(file)
t_read <- el(t0)
if (mode != "read") d <- as.data.frame(d)   # haven's tibble -> plain data frame (part of reading)
t_read <- el(t0)

write_est <- function(b, se) {
  if (!is.null(out))
    write.csv(data.frame(term = names(b), estimate = unname(b), std.error = unname(se)),
              out, row.names = FALSE, quote = FALSE)
}

t1 <- proc.time()
if (mode == "read") {
  invisible(nrow(d))
} else if (grepl("^glm-", mode)) {
  link <- sub("-csv$", "", sub("^glm-", "", mode))
  suppressPackageStartupMessages(library(sandwich))
  m <- glm(F_BIN, family = binomial(link = link), data = d,
           control = glm.control(epsilon = 1e-10, maxit = 100))
  V <- vcovCL(m, cluster = ~dyad, type = "HC0", cadjust = TRUE)
  write_est(coef(m), sqrt(diag(V)))
} else if (grepl("^fixest-", mode)) {
  link <- sub("^fixest-", "", mode)
  suppressPackageStartupMessages(library(fixest))
  m <- feglm(F_BIN, family = binomial(link = link), data = d, cluster = ~dyad,
             ssc = ssc(K.adj = FALSE, G.adj = TRUE), glm.tol = 1e-10,
             notes = FALSE, nthreads = 1)
  write_est(coef(m), se(m))
} else if (mode == "coxph") {
  m <- survival::coxph(F_COX, data = d, cluster = dyad, ties = "efron")
  write_est(coef(m), sqrt(diag(vcov(m))))
} else if (mode == "brglm2") {
  m <- glm(F_BIN, family = binomial("logit"), data = d,
           method = brglm2::brglm_fit, type = "AS_mean", epsilon = 1e-10, maxit = 100)
  write_est(coef(m), sqrt(diag(summary(m)$cov.scaled)))
} else stop("unknown mode ", mode)
t_fit <- el(t1)
cat(sprintf("TIMING read=%.4f fit=%.4f\n", t_read, t_fit))
