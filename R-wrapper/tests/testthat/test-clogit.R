## dyad_clogit against survival::clogit(method = "exact"), dyad_felogit
## against fixest::feglm, dyad_survreg against survival::survreg, the Cox
## proportional-hazards test against survival::cox.zph.

d <- leeds_sample()
d$start <- d$year - 1
d$t <- d$peaceyrs + 1
f_fe <- mid_onset ~ defense + log(cap_ratio) + peaceyrs

test_that("dyad_clogit matches survival::clogit (exact)", {
    skip_if_not_installed("survival")
    fit <- dyad_clogit(f_fe, d, group = ~dyad)
    expect_s3_class(fit, c("dyadfit_clogit", "dyadfit"))
    ## survival::clogit(method = "exact") is this coxph call (clogit needs
    ## survival attached)
    Surv <- survival::Surv
    strata <- survival::strata
    ref <- survival::coxph(Surv(rep(1, nrow(d)), mid_onset) ~ defense + log(cap_ratio) +
                               peaceyrs + strata(dyad), data = d, method = "exact")
    expect_equal(names(coef(fit)), names(coef(ref)))
    expect_lre(coef(fit), coef(ref), 8)
    expect_lre(vcov(fit), vcov(ref), 7)
    expect_lre(fit$loglik, ref$loglik[2], 9)
    expect_lre(fit$loglik0, ref$loglik[1], 9)
    ## groups without variation are dropped and counted
    gy <- tapply(d$mid_onset, d$dyad, function(v) length(unique(v)))
    expect_equal(fit$n_used, sum(d$dyad %in% names(gy)[gy == 2]))
    expect_equal(fit$n_dropped, nrow(d) - fit$n_used)
    expect_true(any(grepl("no variation in the outcome", fit$notes)))
    ## group as a name, subset, the robust variance (group-score sandwich)
    fit2 <- dyad_clogit(f_fe, d, group = "dyad", subset = year >= 1900)
    d2 <- d[d$year >= 1900, ]
    ref2 <- survival::coxph(Surv(rep(1, nrow(d2)), mid_onset) ~ defense + log(cap_ratio) +
                                peaceyrs + strata(dyad), data = d2, method = "exact")
    expect_lre(coef(fit2), coef(ref2), 8)
    fr <- dyad_clogit(f_fe, d, group = ~dyad, vcov = "robust", ssc = "hc0")
    expect_lre(coef(fr), coef(fit), 12)
    expect_false(isTRUE(all.equal(vcov(fr), vcov(fit))))
    expect_output(print(summary(fit)), "Conditional log-likelihood")
    expect_match(dyad_report(fit), "defense")
})

test_that("dyad_clogit drops terms constant within groups", {
    skip_if_not_installed("survival")
    dd <- d
    dd$gconst <- as.numeric(factor(dd$dyad)) %% 3
    fit <- dyad_clogit(mid_onset ~ defense + gconst, dd, group = ~dyad)
    expect_true(is.na(coef(fit)["gconst"]))
    expect_false(is.na(coef(fit)["defense"]))
})

test_that("dyad_felogit matches fixest::feglm (two-way and one-way)", {
    skip_if_not_installed("fixest")
    fit <- dyad_felogit(f_fe, d, absorb = ~dyad + year)
    expect_s3_class(fit, c("dyadfit_felogit", "dyadfit"))
    ref <- fixest::feglm(mid_onset ~ defense + log(cap_ratio) + peaceyrs | dyad + year,
                         data = d, family = stats::binomial, vcov = "iid",
                         glm.tol = 1e-12, fixef.tol = 1e-10, notes = FALSE)
    expect_lre(coef(fit), coef(ref), 7)
    expect_lre(vcov(fit), vcov(ref, ssc = fixest::ssc(adj = FALSE)), 6)
    expect_lre(fit$loglik, as.numeric(stats::logLik(ref)), 9)
    expect_equal(fit$n_used, stats::nobs(ref))
    ## clustered, no small-sample factor
    fc <- dyad_felogit(f_fe, d, absorb = ~dyad + year, vcov = ~dyad, ssc = "hc0")
    vref <- vcov(ref, cluster = ~dyad, ssc = fixest::ssc(adj = FALSE, cluster.adj = FALSE))
    expect_lre(vcov(fc), vref, 6)
    ## one-way (dyad effects only)
    f1 <- dyad_felogit(f_fe, d, absorb = "dyad")
    r1 <- fixest::feglm(mid_onset ~ defense + log(cap_ratio) + peaceyrs | dyad,
                        data = d, family = stats::binomial, glm.tol = 1e-12,
                        fixef.tol = 1e-10, notes = FALSE)
    expect_lre(coef(f1), coef(r1), 7)
    expect_equal(f1$absorb, "dyad")
})

test_that("dyad_survreg matches survival::survreg (Weibull, exponential)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    f <- Surv(t, mid_onset) ~ defense + contig + log(cap_ratio)
    ctl <- survival::survreg.control(rel.tolerance = 1e-12, maxiter = 100)
    fit <- dyad_survreg(f, d)
    expect_s3_class(fit, c("dyadfit_survreg", "dyadfit"))
    ref <- survival::survreg(f, data = d, control = ctl)
    expect_equal(names(coef(fit)), c(names(coef(ref)), "Log(scale)"))
    expect_lre(coef(fit), c(coef(ref), log(ref$scale)), 8)
    expect_lre(vcov(fit), vcov(ref), 7)
    expect_lre(fit$loglik, ref$loglik[2], 10)
    fe <- dyad_survreg(f, d, dist = "exponential")
    re <- survival::survreg(f, data = d, dist = "exponential", control = ctl)
    expect_lre(coef(fe), coef(re), 8)
    expect_lre(vcov(fe), vcov(re), 7)
    expect_lre(fe$loglik, re$loglik[2], 10)
    ## PH metric: b_ph = -b_aft / scale, ln_p = -log(scale)
    fp <- dyad_survreg(f, d, metric = "ph")
    expect_equal(names(coef(fp))[5], "/ln_p")
    expect_lre(coef(fp)[1:4], -coef(ref) / ref$scale, 7)
    expect_lre(coef(fp)[5], -log(ref$scale), 7)
    expect_equal(fp$metric, "ph")
    ## clustered variance: survreg's robust one with ssc = "hc0"
    fc <- dyad_survreg(f, d, vcov = ~dyad, ssc = "hc0")
    rc <- survival::survreg(f, data = d, cluster = dyad, control = ctl)
    expect_lre(vcov(fc), vcov(rc), 6)
})

test_that("dyad_cox zph matches survival::cox.zph", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    f <- Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio)
    ref <- survival::coxph(f, data = d,
                           control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13,
                                                             iter.max = 100))
    for (tr in c("km", "identity", "rank")) {
        fit <- dyad_cox(f, d, zph = tr)
        zr <- survival::cox.zph(ref, transform = tr)$table
        expect_equal(rownames(fit$zph), rownames(zr))
        expect_equal(attr(fit$zph, "transform"), tr)
        expect_lre(fit$zph[, "chisq"], zr[, "chisq"], 7)
        expect_identical(unname(fit$zph[, "df"]), unname(as.numeric(zr[, "df"])))
        expect_lre(fit$zph[, "p"], zr[, "p"], 5)
    }
    expect_equal(dyad_cox(f, d, zph = TRUE)$zph, dyad_cox(f, d, zph = "km")$zph)
    expect_null(dyad_cox(f, d)$zph)
    expect_output(print(summary(dyad_cox(f, d, zph = TRUE))), "GLOBAL")
})

test_that("bad input to clogit, felogit, survreg and zph", {
    expect_error(dyad_clogit(f_fe, d), "'group' is required")
    expect_error(dyad_clogit(f_fe, d, group = ~dyad + year), "at most 1 is supported")
    expect_error(dyad_clogit(f_fe, d, group = ~nosuch), "variable 'nosuch' not found")
    expect_error(dyad_clogit(f_fe, d, group = ~log(dyad)), "not expressions")
    expect_error(dyad_clogit(f_fe, d, group = 3), "one-sided formula")
    expect_error(dyad_clogit(~defense, d, group = ~dyad), "two-sided")
    expect_error(dyad_clogit(f_fe, as.list(d), group = ~dyad), "must be a data frame")
    expect_error(dyad_felogit(f_fe, d, absorb = ~dyad + year + region),
                 "at most 2 are supported")
    expect_error(dyad_felogit(f_fe, d, absorb = y ~ dyad), "one-sided")
    expect_error(dyad_felogit(f_fe, d, vcov = "nonsense"), "unknown vcov")
    dd <- d
    dd$mid_onset <- 0
    expect_error(dyad_clogit(f_fe, dd, group = ~dyad), "always 0")
    expect_error(dyad_survreg(mid_onset ~ defense, d), "Surv\\(time, event\\)")
    expect_error(dyad_survreg(Surv(t, mid_onset) ~ defense, d, dist = "lognormal"),
                 "should be one of")
    expect_error(dyad_survreg(Surv(t, mid_onset) ~ defense, d, metric = "x"),
                 "should be one of")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ defense, d, zph = "log"),
                 "'zph' must be")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ defense, d, zph = NA),
                 "'zph' must be")
    expect_error(predict(dyad_clogit(f_fe, d, group = ~dyad)), "not available")
    ## the package still fits afterwards
    expect_s3_class(dyad_clogit(f_fe, d, group = ~dyad), "dyadfit")
})
