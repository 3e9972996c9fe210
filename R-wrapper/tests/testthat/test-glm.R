## dyad_logit against glm (point estimates, information-matrix variance,
## log-likelihood, predictions) on the bundled sample.

d <- leeds_sample()

test_that("logit matches glm: coefficients, OIM variance, loglik", {
    fit <- dyad_logit(f_sample, d)
    g <- ref_glm(fit, d)
    expect_s3_class(fit, c("dyadfit", "dyad_logit"))
    expect_identical(names(coef(fit)), names(coef(g)))
    expect_lre(coef(fit), coef(tight_glm(f_sample, d)), 9)   # glm's own start
    expect_lre(vcov(fit), vcov(g), 10)
    expect_lre(logLik(fit), logLik(g), 11)
    expect_equal(attr(logLik(fit), "df"), attr(logLik(g), "df"))
    expect_equal(nobs(fit), nobs(g))
    expect_lre(AIC(fit), AIC(g), 11)
    expect_lre(BIC(fit), BIC(g), 11)
    expect_true(fit$converged)
    expect_equal(fit$n_used, 4550)
    expect_equal(fit$n_dropped, 451)          # jointdem missing
    expect_lre(confint(fit), confint.default(g), 8)
})

test_that("probit and cloglog match glm with expected information", {
    for (link in c("probit", "cloglog")) {
        fit <- dyad_logit(f_sample, d, link = link, information = "expected")
        ## glm stops about 1e-8 short here (its probit clamps fitted values
        ## near 0 and 1): agreement to 6 digits from glm's own start ...
        g <- suppressWarnings(tight_glm(f_sample, d, link = link))
        expect_lre(coef(fit), coef(g), 6)
        expect_lre(logLik(fit), logLik(g), 11)
        ## ... and glm's IRLS started at dyadfit's estimate stays there, so
        ## that is the maximum; variances then agree to 10 digits
        g2 <- suppressWarnings(tight_glm(f_sample, d, link = link, start = coef(fit)))
        expect_lre(coef(fit), coef(g2), 10)
        expect_lre(vcov(fit), vcov(g2), 10)
        expect_equal(fit$link, link)
    }
})

test_that("observed information differs from expected for probit only", {
    o <- dyad_logit(f_sample, d, link = "probit")
    e <- dyad_logit(f_sample, d, link = "probit", information = "expected")
    expect_lre(coef(o), coef(e), 12)
    expect_true(max(abs(vcov(o) - vcov(e))) > 1e-8)
    lo <- dyad_logit(f_sample, d)
    le <- dyad_logit(f_sample, d, information = "expected")
    expect_lre(vcov(lo), vcov(le), 12)
})

test_that("factors, interactions and offsets name and fit as in glm", {
    d2 <- d
    d2$reg <- factor(d2$region)
    d2$off <- 0.01 * d2$year - 19.7
    f <- mid_onset ~ reg + contig * defense + log(cap_ratio) + offset(off)
    fit <- dyad_logit(f, d2)
    g <- tight_glm(f, d2)
    expect_identical(names(coef(fit)), names(coef(g)))
    expect_lre(coef(fit), coef(g), 9)
    ## offset as an argument
    fit2 <- dyad_logit(mid_onset ~ contig + log(cap_ratio), d2, offset = off)
    g2 <- glm(mid_onset ~ contig + log(cap_ratio), binomial, d2, offset = off,
              control = glm.control(epsilon = 1e-14))
    expect_lre(coef(fit2), coef(g2), 9)
})

test_that("a collinear column gets NA as in glm", {
    d2 <- d
    d2$contig2 <- 2 * d2$contig
    fit <- dyad_logit(mid_onset ~ contig + contig2 + log(cap_ratio), d2)
    ## default control: glm's QR tolerance is min(1e-7, epsilon / 1000)
    g <- glm(mid_onset ~ contig + contig2 + log(cap_ratio), binomial, d2)
    expect_true(is.na(coef(fit)["contig2"]))
    expect_identical(is.na(coef(fit)), is.na(coef(g)))
    expect_lre(coef(fit, complete = FALSE), coef(g)[!is.na(coef(g))], 7)
    expect_true(any(grepl("contig2", fit$notes)))
    expect_equal(dim(vcov(fit, complete = FALSE)), c(3L, 3L))
    s <- summary(fit)
    expect_equal(nrow(s$coefficients), 3L)
    expect_output(print(s), "not defined")
    expect_lre(predict(fit), predict(g), 7)
})

test_that("frequency and probability weights", {
    set.seed(1)
    d2 <- d[!is.na(d$jointdem), ]
    d2$w <- sample(1:3, nrow(d2), replace = TRUE)
    f <- mid_onset ~ contig + log(cap_ratio) + peaceyrs
    fw <- dyad_logit(f, d2, weights = w)
    g <- glm(f, binomial, d2, weights = w, start = coef(fw),
             control = glm.control(epsilon = 1e-14))
    expect_lre(coef(fw), coef(g), 10)
    expect_lre(vcov(fw), vcov(g), 8)
    expect_equal(nobs(fw), sum(d2$w))
    ## expanding the rows gives the same fit
    big <- d2[rep(seq_len(nrow(d2)), d2$w), ]
    fb <- dyad_logit(f, big)
    expect_lre(coef(fw), coef(fb), 9)
    expect_lre(vcov(fw), vcov(fb), 8)
    ## probability weights: glm's point estimates, robust variance
    pw <- dyad_logit(f, d2, weights = w, weight_type = "probability", vcov = "HC0")
    gq <- suppressWarnings(glm(f, quasibinomial, d2, weights = w, start = coef(pw),
                               control = glm.control(epsilon = 1e-14)))
    expect_lre(coef(pw), coef(gq), 10)
    if (requireNamespace("sandwich", quietly = TRUE))
        expect_lre(vcov(pw), sandwich::vcovHC(gq, type = "HC0"), 8)
    expect_equal(nobs(pw), nrow(d2))
})

test_that("predict matches predict.glm, with new data and standard errors", {
    d2 <- d
    d2$reg <- factor(d2$region)
    f <- mid_onset ~ reg + contig + log(cap_ratio) + peaceyrs
    fit <- dyad_logit(f, d2, link = "probit", information = "expected")
    g <- suppressWarnings(tight_glm(f, d2, link = "probit", start = coef(fit)))
    expect_lre(predict(fit), predict(g), 9)
    expect_lre(predict(fit, type = "response"), predict(g, type = "response"), 9)
    expect_lre(fitted(fit), fitted(g), 9)
    nd <- data.frame(reg = factor(c(1, 3, 5), levels = levels(d2$reg)),
                     contig = c(1, 0, 1), cap_ratio = c(1.5, 10, 3),
                     peaceyrs = c(0, 5, 40))
    for (type in c("link", "response")) {
        p <- predict(fit, nd, type = type, se.fit = TRUE)
        q <- predict(g, nd, type = type, se.fit = TRUE)
        expect_lre(p$fit, q$fit, 9)
        expect_lre(p$se.fit, q$se.fit, 8)
    }
    ## an unseen factor level is an error, as in glm
    nd$reg <- factor(c(1, 3, 9))
    expect_error(predict(fit, nd), "reg")
})

test_that("na.exclude pads predictions; update() refits", {
    fit <- dyad_logit(f_sample, d, na.action = na.exclude)
    expect_length(predict(fit), nrow(d))
    expect_equal(sum(is.na(predict(fit))), 451)
    fit2 <- update(fit, . ~ . - entente)
    expect_false("entente" %in% names(coef(fit2)))
    fit3 <- update(fit, link = "cloglog")
    expect_equal(fit3$link, "cloglog")
    expect_equal(formula(fit2), ignore_attr = TRUE, mid_onset ~ defense + contig + log(cap_ratio) +
                     jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3))
    expect_equal(dim(model.matrix(fit)), c(4550L, 10L))
})

test_that("subset and logical outcomes work as in glm", {
    fit <- dyad_logit(mid_onset ~ contig + peaceyrs, d, subset = year >= 1980)
    g <- glm(mid_onset ~ contig + peaceyrs, binomial, d, subset = year >= 1980,
             control = glm.control(epsilon = 1e-14))
    expect_lre(coef(fit), coef(g), 9)
    d2 <- d
    d2$onset <- d2$mid_onset == 1
    fit2 <- dyad_logit(onset ~ contig + peaceyrs, d2)
    expect_lre(coef(fit2), coef(tight_glm(onset ~ contig + peaceyrs, d2)), 9)
})
