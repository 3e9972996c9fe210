## dyad_survreg with strata(): each stratum's scale is named as survreg
## names it, also when a factor's levels are not in C-locale order (the
## library then gets level codes and the glue renames the terms back).

d <- leeds_sample()
d$t <- d$peaceyrs + 1
d$grp <- factor(c("b", "A", "c")[d$region %% 3 + 1], levels = c("c", "b", "A"))
d$ch <- c("x", "y")[d$contig + 1]
ctl <- survival::survreg.control(rel.tolerance = 1e-12, maxiter = 100)

test_that("strata scales carry survreg's labels (factor, string, numeric, two variables)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    strata <- survival::strata
    fs <- list(Surv(t, mid_onset) ~ defense + log(cap_ratio) + strata(grp),
               Surv(t, mid_onset) ~ defense + log(cap_ratio) + strata(ch),
               Surv(t, mid_onset) ~ defense + log(cap_ratio) + strata(region),
               Surv(t, mid_onset) ~ defense + log(cap_ratio) + strata(grp, region))
    for (f in fs) {
        fit <- dyad_survreg(f, d)
        ref <- survival::survreg(f, data = d, control = ctl)
        sc <- paste0("Log(scale[", names(ref$scale), "])")
        expect_equal(names(coef(fit)), c(names(coef(ref)), sc))
        expect_equal(colnames(vcov(fit)), colnames(vcov(ref)))
        expect_lre(coef(fit), c(coef(ref), log(ref$scale)), 7)
        expect_lre(vcov(fit), vcov(ref), 6)
        ## the library's reports carry the same names
        csv <- utils::read.csv(text = dyad_report(fit, "csv"), stringsAsFactors = FALSE)
        expect_equal(csv$term, names(coef(fit)))
    }
    ## an error naming a stratum names it by the labels, not the codes
    expect_error(dyad_survreg(Surv(t, mid_onset) ~ defense + strata(grp, ch), d),
                 "stratum A, y has no events")
    ## "c" < "b" < "A" in R's order: the first level's scale comes first
    fit <- dyad_survreg(fs[[1]], d)
    expect_equal(names(coef(fit))[4:6], c("Log(scale[c])", "Log(scale[b])", "Log(scale[A])"))
    ## a subset leaving out a level: only the strata fitted are named
    fs1 <- dyad_survreg(fs[[1]], d, subset = grp != "b")
    rs1 <- survival::survreg(fs[[1]], data = d[d$grp != "b", ], control = ctl)
    expect_equal(names(coef(fs1)), c(names(coef(rs1)),
                                     paste0("Log(scale[", names(rs1$scale), "])")))
})
