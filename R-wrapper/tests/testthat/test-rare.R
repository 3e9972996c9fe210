## relogit against King & Zeng's formulas computed here from glm, and
## firth against logistf (profile intervals, penalised LR p-values).

d <- leeds_sample()
f_re <- mid_onset ~ defense + contig + log(cap_ratio) + jointdem + majpow + peaceyrs

## King & Zeng (2001): bias = (X'WX)^-1 X'W xi, xi_i = 0.5 Q_ii (2 p_i - 1)
## (eq. 12 with w1 = 1), Q = X (X'WX)^-1 X'; V(b~) = (n/(n+k))^2 V(b^)
kz_reference <- function(formula, data, tau = NULL)
{
    g <- tight_glm(formula, data)
    X <- model.matrix(g)
    p <- fitted(g)
    w <- p * (1 - p)
    XtWXi <- solve(crossprod(X * sqrt(w)))
    Qii <- rowSums((X %*% XtWXi) * X)
    xi <- 0.5 * Qii * (2 * p - 1)
    bias <- drop(XtWXi %*% crossprod(X, w * xi))
    b <- coef(g) - bias
    n <- nrow(X); k <- ncol(X)
    if (!is.null(tau)) {
        ybar <- mean(g$y)
        b[1] <- b[1] - log(((1 - tau) / tau) * (ybar / (1 - ybar)))
    }
    list(g = g, coef = b, vcov = (n / (n + k))^2 * vcov(g), X = X)
}

test_that("relogit matches King & Zeng's bias correction (no tau)", {
    fit <- relogit(f_re, d)
    expect_s3_class(fit, c("dyadfit_relogit", "dyadfit"))
    ref <- kz_reference(f_re, d)
    expect_lre(coef(fit), ref$coef, 8)
    expect_lre(vcov(fit), ref$vcov, 8)
    ## without the bias correction: the ML fit, variance unscaled
    fit0 <- relogit(f_re, d, bias_correction = FALSE)
    expect_lre(coef(fit0), coef(ref$g), 9)
    expect_lre(vcov(fit0), vcov(ref$g), 8)
    expect_match(fit$notes, "bias", all = FALSE)
    expect_output(print(summary(fit)), "Rare-events logistic regression")
})

test_that("relogit prior correction and the approximate Bayes probability", {
    fit <- relogit(f_re, d, tau = 0.004)
    ref <- kz_reference(f_re, d, tau = 0.004)
    expect_lre(coef(fit), ref$coef, 8)
    p <- drop(plogis(ref$X %*% ref$coef))
    expect_lre(unname(predict(fit, type = "response")), unname(p), 8)
    q <- rowSums((ref$X %*% ref$vcov) * ref$X)
    pb <- p + (0.5 - p) * p * (1 - p) * q
    expect_lre(unname(predict(fit, type = "response", bayes = TRUE)), unname(pb), 7)
    ## new data
    nd <- data.frame(defense = c(0, 1), contig = 1, cap_ratio = 2, jointdem = 0,
                     majpow = 0, peaceyrs = 3)
    expect_length(predict(fit, nd, type = "response", bayes = TRUE), 2)
    expect_error(predict(fit, type = "link", bayes = TRUE), "type = \"response\"")
    ## tau range: reported at tau, a note with both ends
    fr <- relogit(f_re, d, tau = 0.004, tau_upper = 0.01)
    expect_lre(coef(fr), coef(fit), 12)
    expect_match(fr$notes, "tau range", all = FALSE)
})

test_that("relogit clustered variance is (n/(n+k))^2 times the ML one", {
    skip_if_not_installed("sandwich")
    fit <- relogit(f_re, d, vcov = ~dyad, ssc = "hc0")
    ref <- kz_reference(f_re, d)
    n <- nrow(ref$X); k <- ncol(ref$X)
    used <- as.integer(rownames(ref$X))
    vc <- sandwich::vcovCL(ref$g, cluster = d$dyad[used], type = "HC0", cadjust = FALSE)
    expect_lre(vcov(fit), (n / (n + k))^2 * vc, 7)
    ## weighting correction runs, with the weighted note
    fw <- relogit(f_re, d, tau = 0.004, correction = "weighting", vcov = "robust")
    expect_match(fw$notes, "weighting correction", all = FALSE)
})

logistf_ref <- function(formula, data, ...)
    logistf::logistf(formula, data = data,
                     control = logistf::logistf.control(maxit = 200, xconv = 1e-12,
                                                        gconv = 1e-12, maxstep = 5),
                     plcontrol = logistf::logistpl.control(maxit = 500, xconv = 1e-12),
                     ...)

test_that("firth matches logistf: estimates, variance, profile CIs, LR p-values", {
    skip_if_not_installed("logistf")
    f <- mid_onset ~ neutrality + contig + log(cap_ratio) + peaceyrs
    fit <- firth(f, d)
    expect_s3_class(fit, c("dyadfit_firth", "dyadfit"))
    ref <- logistf_ref(f, d)
    expect_lre(coef(fit), coef(ref), 8)
    ## Firth's variance (X'WX)^-1 at logistf's estimate; logistf 1.26's own
    ## $var differs from it by up to 5% on this sample (not at the estimate)
    X <- model.matrix(f, d)
    p <- plogis(drop(X %*% coef(ref)))
    expect_lre(vcov(fit), solve(crossprod(X * sqrt(p * (1 - p)))), 8)
    ci <- confint(fit)
    expect_lre(ci[, 1], ref$ci.lower, 5)
    expect_lre(ci[, 2], ref$ci.upper, 5)
    expect_lre(tidy.dyadfit(fit)$p.value, unname(ref$prob), 4)
    expect_lre(fit$loglik, ref$loglik[["full"]], 9)
    expect_lre(fit$loglik0, ref$loglik[["null"]], 7)
    ## another level: refitted profile intervals
    ref90 <- logistf_ref(f, d, alpha = 0.1)
    ci90 <- confint(fit, level = 0.9)
    expect_lre(ci90[, 1], ref90$ci.lower, 5)
    expect_equal(colnames(ci90), c("5 %", "95 %"))
    expect_lre(tidy.dyadfit(fit, conf.int = TRUE, conf.level = 0.9)$conf.high,
               ref90$ci.upper, 5)
    expect_output(print(summary(fit)), "penalised likelihood ratio tests")
})

test_that("firth with Wald intervals and a clustered variance", {
    f <- mid_onset ~ neutrality + contig + log(cap_ratio)
    fw <- firth(f, d, ci = "wald")
    expect_null(fw$inference)
    se <- sqrt(diag(vcov(fw)))
    expect_lre(confint(fw)[, 1], coef(fw) - qnorm(0.975) * se, 12)
    fc <- firth(f, d, vcov = ~dyad)
    expect_lre(coef(fc), coef(fw), 12)
    expect_null(fc$inference)
    expect_equal(fc$vce$nclusters[["dyad"]], length(unique(d$dyad)))
})

test_that("relogit and firth reject bad input; the session goes on", {
    expect_error(relogit(f_re, d, tau = 2), "tau")
    expect_error(relogit(f_re, d, tau = "a"), "tau")
    expect_error(relogit(f_re, d, tau_upper = 0.1), "needs 'tau'")
    expect_error(relogit(f_re, d, tau = 0.01, tau_upper = 0.005), "above 'tau'")
    expect_error(relogit(f_re, d, correction = "weighting"), "needs 'tau'")
    expect_error(relogit(f_re, d, correction = "x"), "should be one of")
    expect_error(relogit(f_re, d, bias_correction = NA), "TRUE or FALSE")
    expect_error(relogit(f_re, d, link = "probit"), "does not take 'link'")
    expect_error(relogit(f_re, d, weights = year), "does not take 'weights'")
    expect_error(relogit(f_re, d, foo = 1), "unknown argument 'foo'")
    expect_error(relogit(f_re, d, vcov = "bogus"), "unknown vcov")
    expect_error(relogit(mid_onset ~ neutrality + contig, d), "separation")
    expect_error(relogit(peaceyrs ~ contig, d), "must be 0 or 1")
    expect_error(relogit(~contig, d), "two-sided")
    expect_error(firth(f_re, d, ci = "boot"), "should be one of")
    expect_error(firth(f_re, d, drop_separated = TRUE), "does not take")
    expect_error(firth(f_re, d, level = 2), "between 0 and 1")
    d2 <- d
    d2$w <- 1
    expect_error(firth(mid_onset ~ contig, d2, weights = w, weight_type = "probability"),
                 "does not take")
    d2$w[3] <- -1
    expect_error(firth(mid_onset ~ contig, d2, weights = w), "weight")
    ## subset and na.action reach model.frame
    fs <- relogit(f_re, d, subset = year >= 1960)
    expect_equal(fs$n_used, sum(d$year >= 1960 & !is.na(d$jointdem)))
    expect_true(firth(mid_onset ~ contig, d)$converged)
})
