## Robust and cluster-robust variances against sandwich.

skip_if_not_installed("sandwich")
d <- leeds_sample()
dd <- d[!is.na(d$jointdem), ]

test_that("one-way cluster on dyad matches sandwich::vcovCL for each ssc", {
    G <- length(unique(dd$dyad))
    fit <- dyad_logit(f_sample, d, vcov = ~dyad)
    g <- ref_glm(fit, dd)
    expect_lre(vcov(fit), sandwich::vcovCL(g, cluster = dd$dyad, type = "HC0"), 8)
    expect_lre(fit$vce$factor, G / (G - 1), 14)
    expect_equal(unname(fit$vce$nclusters), G)
    h0 <- dyad_logit(f_sample, d, vcov = ~dyad, ssc = "hc0")
    expect_lre(vcov(h0), sandwich::vcovCL(g, cluster = dd$dyad, type = "HC0",
                                          cadjust = FALSE), 8)
    h1 <- dyad_logit(f_sample, d, vcov = ~dyad, ssc = "hc1")
    expect_lre(vcov(h1), sandwich::vcovCL(g, cluster = dd$dyad, type = "HC1"), 8)
})

test_that("probit cluster variance with expected information matches sandwich", {
    fit <- dyad_logit(f_sample, d, link = "probit", vcov = ~dyad, ssc = "hc1",
                      information = "expected")
    g <- ref_glm(fit, dd)
    expect_lre(vcov(fit), sandwich::vcovCL(g, cluster = dd$dyad, type = "HC1"), 8)
})

test_that("HC0, HC1 and robust (stata) match sandwich::vcovHC", {
    n <- nrow(dd)
    h0 <- dyad_logit(f_sample, d, vcov = "HC0")
    g <- ref_glm(h0, dd)
    expect_lre(vcov(h0), sandwich::vcovHC(g, type = "HC0"), 8)
    h1 <- dyad_logit(f_sample, d, vcov = "HC1")
    expect_lre(vcov(h1), sandwich::vcovHC(g, type = "HC1"), 8)
    rb <- dyad_logit(f_sample, d, vcov = "robust")
    expect_lre(vcov(rb), sandwich::vcovHC(g, type = "HC0") * n / (n - 1), 8)
    expect_identical(dyad_logit(f_sample, d, vcov = "hc1")$vcov, h1$vcov)
})

test_that("two-way clustering on dyad and year matches sandwich's multiway", {
    fit <- dyad_logit(f_sample, d, vcov = ~dyad + year, ssc = "hc0")
    g <- ref_glm(fit, dd)
    ref <- sandwich::vcovCL(g, cluster = dd[, c("dyad", "year")], type = "HC0",
                            cadjust = FALSE, multi0 = FALSE)
    expect_lre(vcov(fit), ref, 8)
    expect_equal(names(fit$vce$nclusters), c("dyad", "year"))
    expect_equal(unname(fit$vce$nclusters),
                 c(length(unique(dd$dyad)), length(unique(dd$year))))
})

test_that("rows missing only in the cluster variable are dropped once and counted", {
    d2 <- d
    d2$cl <- d2$dyad
    d2$cl[1:30] <- NA              # some of these rows also miss jointdem
    fit <- dyad_logit(f_sample, d2, vcov = ~cl)
    keep <- !is.na(d2$cl) & !is.na(d2$jointdem)
    expect_equal(fit$n_used, sum(keep))
    expect_equal(fit$n_dropped, nrow(d2) - sum(keep))
    g <- ref_glm(fit, d2[keep, ])
    expect_lre(vcov(fit), sandwich::vcovCL(g, cluster = d2$cl[keep], type = "HC0"), 8)
    ## with na.fail the missing cluster is an error instead
    expect_error(dyad_logit(f_sample, d2[!is.na(d2$jointdem), ], vcov = ~cl,
                            na.action = na.fail), "missing values")
})

test_that("string and factor cluster variables give the same variance", {
    d2 <- d
    d2$dyad_chr <- paste0("d", d2$dyad)
    d2$dyad_fac <- factor(d2$dyad)
    a <- dyad_logit(f_sample, d2, vcov = ~dyad)
    b <- dyad_logit(f_sample, d2, vcov = ~dyad_chr)
    cc <- dyad_logit(f_sample, d2, vcov = ~dyad_fac)
    expect_identical(unname(a$vcov), unname(b$vcov))
    expect_identical(unname(a$vcov), unname(cc$vcov))
})
