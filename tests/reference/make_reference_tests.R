#!/usr/bin/env Rscript
# make_reference_tests.R -- reference values for dyadfit test / lrtest /
# fitstat on the bundled Leeds data.
#
#   Rscript tests/reference/make_reference_tests.R     (from the repository root)
#
# Model 1: the Leeds demo logit (dyadfit --vce oim; for the canonical logit
#   link glm's expected information equals the observed one, so vcov(glm)
#   is Stata's oim variance). Model 0: the same without the peace-year terms.
# Everything by hand from glm(): the Wald statistic
#   (R b - r)' (R V R')^-1 (R b - r) (no car), LR = 2 (ll1 - ll0) (no
#   lmtest), AIC/BIC with k = number of coefficients, McFadden, Cox-Snell
#   and Nagelkerke R2 from their formulas, ROC AUC by the Mann-Whitney rank
#   formula (mid-ranks for ties), Brier score, and the classification table
#   (predicted 1 when p >= cut-off). Written to
#   tests/reference/values/tests_values.csv as name,value (%.17g).
suppressPackageStartupMessages(library(haven))
out <- "tests/reference/values"
d <- as.data.frame(zap_labels(zap_formats(read_dta("data/leeds_dyads.dta"))))
ctl <- glm.control(epsilon = 1e-15, maxit = 100)
f1 <- mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) +
    jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)
f0 <- mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) +
    jointdem + majpow
m1 <- glm(f1, family = binomial("logit"), data = d, control = ctl)
m0 <- glm(f0, family = binomial("logit"), data = d, control = ctl)
stopifnot(nobs(m0) == nobs(m1))
b <- coef(m1)
V <- vcov(m1)
vals <- list()
put <- function(name, v) vals[[name]] <<- v

wald <- function(R, r) {
    d <- R %*% b - r
    W <- drop(t(d) %*% solve(R %*% V %*% t(R), d))
    c(W, nrow(R), pchisq(W, nrow(R), lower.tail = FALSE))
}
row_of <- function(...) {
    x <- setNames(numeric(length(b)), names(b))
    a <- list(...)
    for (n in names(a)) x[n] <- a[[n]]
    x
}
# wald1: defense = neutrality, contig = 0
R <- rbind(row_of(defense = 1, neutrality = -1), row_of(contig = 1))
w <- wald(R, c(0, 0))
put("wald1_chi2", w[1]); put("wald1_df", w[2]); put("wald1_p", w[3])
# wald2: wald1 plus log(cap_ratio) + 2*I(peaceyrs^2) = 0.1
R2 <- rbind(R, row_of("log(cap_ratio)" = 1, "I(peaceyrs^2)" = 2))
w <- wald(R2, c(0, 0, 0.1))
put("wald2_chi2", w[1]); put("wald2_df", w[2]); put("wald2_p", w[3])
# wald3: the three peace-year terms jointly zero (compare with the LR test)
R3 <- rbind(row_of(peaceyrs = 1), row_of("I(peaceyrs^2)" = 1), row_of("I(peaceyrs^3)" = 1))
w <- wald(R3, c(0, 0, 0))
put("wald3_chi2", w[1]); put("wald3_df", w[2]); put("wald3_p", w[3])
# wald4: one restriction, 2*defense - entente/2 + 1 = majpow - 0.5
R4 <- rbind(row_of(defense = 2, entente = -0.5, majpow = -1))
w <- wald(R4, -1.5)
put("wald4_chi2", w[1]); put("wald4_df", w[2]); put("wald4_p", w[3])

ll1 <- as.numeric(logLik(m1)); ll0 <- as.numeric(logLik(m0))
lr <- 2 * (ll1 - ll0); df <- length(coef(m1)) - length(coef(m0))
put("lr_stat", lr); put("lr_df", df); put("lr_p", pchisq(lr, df, lower.tail = FALSE))
put("lr_loglik0", ll0); put("lr_loglik1", ll1)

n <- nobs(m1); k <- length(b)
mnull <- glm(mid_onset ~ 1, family = binomial, data = model.frame(m1), control = ctl)
llnull <- as.numeric(logLik(mnull))
put("N", n); put("parameters", k); put("loglik", ll1); put("loglik0", llnull)
put("AIC", -2 * ll1 + 2 * k); put("BIC", -2 * ll1 + k * log(n))
put("r2_mcfadden", 1 - ll1 / llnull); put("r2_mcfadden_adj", 1 - (ll1 - k) / llnull)
cs <- 1 - exp(2 * (llnull - ll1) / n)
put("r2_coxsnell", cs); put("r2_nagelkerke", cs / (1 - exp(2 * llnull / n)))
p <- fitted(m1); y <- m1$y
n1 <- sum(y == 1); n0 <- sum(y == 0)
put("auc", (sum(rank(p)[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0))
put("brier", mean((y - p)^2))
for (cut in c(0.5, 0.05)) {
    pr <- p >= cut
    tag <- sprintf("cut%g_", cut)
    tp <- sum(pr & y == 1); fp <- sum(pr & y == 0); tn <- sum(!pr & y == 0); fn <- sum(!pr & y == 1)
    put(paste0(tag, "true_pos"), tp); put(paste0(tag, "false_pos"), fp)
    put(paste0(tag, "true_neg"), tn); put(paste0(tag, "false_neg"), fn)
    put(paste0(tag, "sensitivity"), tp / (tp + fn)); put(paste0(tag, "specificity"), tn / (tn + fp))
    put(paste0(tag, "correct"), (tp + tn) / n)
    # closest fitted probability to the cut-off (the table is unstable if tiny)
    put(paste0(tag, "margin"), min(abs(p - cut)))
}
df <- data.frame(name = names(vals), value = sprintf("%.17g", unlist(vals)))
write.csv(df, file.path(out, "tests_values.csv"), row.names = FALSE, quote = TRUE)
writeLines(c(R.version.string, paste("haven", packageVersion("haven"))),
           file.path(out, "tests_VERSIONS"))
