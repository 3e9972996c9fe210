## dyad_cox against survival::coxph; btscs against a direct R version of
## Tucker's rules.

d <- leeds_sample()
d$start <- d$year - 1
tight_cox <- function(formula, data, ...)
    survival::coxph(formula, data = data,
                    control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100),
                    ...)

test_that("dyad_cox matches coxph (Efron and Breslow, strata, oim)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    strata <- survival::strata
    f <- Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio) + strata(region)
    for (ties in c("efron", "breslow")) {
        fit <- dyad_cox(f, d, ties = ties)
        expect_s3_class(fit, c("dyadfit_cox", "dyadfit"))
        ref <- tight_cox(f, d, ties = ties)
        expect_lre(coef(fit), coef(ref), 9)
        expect_lre(vcov(fit), vcov(ref), 8)
        expect_lre(fit$loglik, ref$loglik[2], 10)
        expect_lre(fit$loglik0, ref$loglik[1], 10)
    }
    ## right-censored form, no strata
    f2 <- Surv(peaceyrs + 1, mid_onset) ~ defense + contig
    expect_lre(coef(dyad_cox(f2, d)), coef(tight_cox(f2, d)), 9)
})

test_that("dyad_cox clustered variance is coxph's robust one (ssc = hc0)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    f <- Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem
    fit <- dyad_cox(f, d, vcov = ~dyad, ssc = "hc0")
    ref <- survival::coxph(f, data = d, cluster = dyad,
                           control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13, iter.max = 100))
    expect_lre(coef(fit), coef(ref), 9)
    expect_lre(vcov(fit), vcov(ref), 8)
    expect_equal(fit$n_used, sum(!is.na(d$jointdem)))
    expect_equal(fit$n_dropped, sum(is.na(d$jointdem)))
    ## the stata preset: G/(G-1) times that
    fs <- dyad_cox(f, d, vcov = ~dyad)
    G <- fs$vce$nclusters[["dyad"]]
    expect_lre(vcov(fs), vcov(ref) * G / (G - 1), 8)
    ## subset
    fss <- dyad_cox(f, d, subset = year >= 1960)
    ref_s <- tight_cox(f, d[d$year >= 1960, ])
    expect_lre(coef(fss), coef(ref_s), 9)
})

test_that("factor levels keep R's order (and so its reference level)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    d2 <- d
    ## levels deliberately not in C-locale order: "b" before "A"
    d2$grp <- factor(c("b", "A", "c")[d2$region %% 3 + 1], levels = c("c", "b", "A"))
    d2$ch <- ifelse(d2$contig == 1, "yes", "no")
    d2$lg <- d2$majpow == 1
    f <- Surv(start, year, mid_onset) ~ grp + ch + lg + log(cap_ratio)
    fit <- dyad_cox(f, d2)
    ref <- tight_cox(f, d2)
    expect_equal(names(coef(fit)), names(coef(ref)))
    expect_lre(coef(fit), coef(ref), 9)
    ## the library's report carries R's names too
    expect_match(dyad_report(fit, "csv"), "grpA")
    ## interaction with a renamed factor
    fi <- dyad_cox(Surv(start, year, mid_onset) ~ grp:log(cap_ratio) + contig, d2)
    ri <- tight_cox(Surv(start, year, mid_onset) ~ grp:log(cap_ratio) + contig, d2)
    expect_equal(sort(names(coef(fi))), sort(names(coef(ri))))
    expect_lre(coef(fi)[names(coef(ri))], coef(ri), 8)
    ## predictions: linear predictor up to coxph's centring
    p <- predict(fit, type = "lp")
    pr <- predict(ref, type = "lp")
    expect_lre(p - mean(p), pr - mean(pr), 8)
    nd <- d2[1:3, ]
    expect_lre(predict(fit, nd, type = "risk") / exp(p[1:3]), rep(1, 3), 12)
})

test_that("dyad_cox rejects bad input; the session goes on", {
    expect_error(dyad_cox(mid_onset ~ contig, d), "Surv\\(")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, 1:3), "data frame")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ nosuch, d), "'nosuch' not found")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d, ties = "exact"),
                 "should be one of")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d, vcov = ~factor(dyad)),
                 "column name")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d, subset = 1),
                 "logical")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d, subset = year > 3000),
                 "no rows left")
    d2 <- d
    d2$start[5] <- d2$year[5]
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d2),
                 "stop time .* not after the start time .*row 5")
    d2 <- d
    d2$mid_onset[7] <- 3
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d2), "event must be 0/1")
    d2 <- d
    d2$x <- as.complex(1)
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ x, d2), "complex")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ contig, d, weights = 3),
                 "name of a column")
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ bogus(contig), d), "bogus")
    expect_true(dyad_cox(Surv(start, year, mid_onset) ~ contig, d)$converged)
})

## Tucker's btscs in plain R: per unit in time order, the count restarts at
## 0 in the first year and in the year after an event, and grows by one a
## year otherwise (gaps do not break the spell)
btscs_r <- function(event, time, unit)
{
    out <- numeric(length(event))
    for (u in unique(unit)) {
        i <- which(unit == u)
        i <- i[order(time[i])]
        py <- 0
        for (j in seq_along(i)) {
            if (j > 1) py <- if (event[i[j - 1]] == 1) 0 else py + 1
            out[i[j]] <- py
        }
    }
    out
}

test_that("btscs counts peace years as Tucker's btscs", {
    b <- btscs(d, "mid_onset", "year", "dyad", name = "py")
    expect_equal(nrow(b), nrow(d))
    expect_equal(b$py, btscs_r(d$mid_onset, d$year, d$dyad))
    expect_true(all(c("py", "spell") %in% names(b)))
    expect_true(all(mapply(identical, as.list(b)[names(d)], as.list(d))))
    ## unit as character, rows shuffled: same values per row
    set.seed(1)
    s <- d[sample(nrow(d)), ]
    s$dyad <- paste0("d", s$dyad)
    bs <- btscs(s, "mid_onset", "year", "dyad", name = "py")
    expect_equal(bs$py, b$py[match(rownames(s), rownames(b))])
})

test_that("btscs splines are splines::ns of the peace years", {
    b <- btscs(d, "mid_onset", "year", "dyad", name = "py", splines = 3)
    ns <- splines::ns(b$py, df = 3)
    expect_lre(as.matrix(b[, paste0("_spline", 1:3)]), unclass(ns)[, 1:3], 10)
})

test_that("btscs rejects bad input", {
    expect_error(btscs(1:3, "mid_onset", "year", "dyad"), "data frame")
    expect_error(btscs(d, "nosuch", "year", "dyad"), "'nosuch' not found")
    expect_error(btscs(d, "mid_onset", "year", "dyad", name = "year"), "overwrite")
    expect_error(btscs(d, "mid_onset", "year", "dyad", name = "contig"), "already has")
    expect_error(btscs(d, "mid_onset", "year", "dyad", splines = -1), "whole number")
    expect_error(btscs(d, "mid_onset", "year", "dyad", gap = "x"), "should be one of")
    expect_error(btscs(d, 3, "year", "dyad", name = "py"), "column name")
    d2 <- d
    d2$year[2] <- d2$year[1]
    expect_error(btscs(d2, "mid_onset", "year", "dyad", name = "py"), "duplicate|twice|row")
    d2 <- d
    d2$mid_onset[4] <- 2
    expect_error(btscs(d2, "mid_onset", "year", "dyad", name = "py"), "0/1|0 or 1")
    expect_s3_class(btscs(d, "mid_onset", "year", "dyad", name = "py"), "data.frame")
})

## Residuals and curves are compared on the scale of each column:
## max |x - ref| / max |ref| (a residual near 0 has no relative digits).
expect_scaled <- function(x, ref, tol)
{
    x <- as.matrix(x); ref <- as.matrix(ref)
    expect_equal(dim(x), dim(ref))
    s <- rep(pmax(apply(abs(ref), 2, max), 1e-300), each = nrow(ref))
    err <- max(abs(x - ref) / s)
    expect(err <= tol, sprintf("scaled error %.3g > %g", err, tol))
}

test_that("dyad_basehaz is survival::basehaz(centered = FALSE)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    strata <- survival::strata
    d2 <- d
    d2$grp <- factor(c("b", "A", "c")[d2$region %% 3 + 1], levels = c("c", "b", "A"))
    fs <- list(Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio),
               Surv(start, year, mid_onset) ~ defense + contig + strata(region),
               Surv(start, year, mid_onset) ~ defense + log(cap_ratio) + strata(grp),
               Surv(start, year, mid_onset) ~ contig + strata(grp, majpow),
               Surv(peaceyrs + 1, mid_onset) ~ defense + contig)
    for (f in fs) for (ties in c("efron", "breslow")) {
        fit <- dyad_cox(f, d2, ties = ties)
        ref <- tight_cox(f, d2, ties = ties, model = TRUE)
        b <- dyad_basehaz(fit)
        rb <- survival::basehaz(ref, centered = FALSE)
        expect_equal(nrow(b), nrow(rb))
        expect_equal(b$time, rb$time)
        expect_lre(b$hazard, rb$hazard, 8)
        expect_identical(b$strata, rb$strata)
        sf <- survival::survfit(ref, se.fit = FALSE)
        expect_equal(b$n.risk, sf$n.risk)
        expect_equal(b$n.event, sf$n.event)
    }
    ## case weights
    d2$w <- 0.5 + (d2$dyad %% 3)
    f <- Surv(start, year, mid_onset) ~ defense + contig + strata(region)
    fit <- dyad_cox(f, d2, weights = w)
    ref <- survival::coxph(f, d2, weights = w, model = TRUE,
                           control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13))
    expect_lre(dyad_basehaz(fit)$hazard, survival::basehaz(ref, centered = FALSE)$hazard, 8)
    expect_error(dyad_basehaz(fit, centered = TRUE), "centered = FALSE")
    expect_error(dyad_basehaz(dyad_logit(mid_onset ~ contig, d)), "dyad_cox")
})

test_that("residuals() of a Cox fit are residuals.coxph", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    strata <- survival::strata
    d2 <- d
    d2$grp <- factor(c("b", "A", "c")[d2$region %% 3 + 1], levels = c("c", "b", "A"))
    d2$w <- 0.5 + (d2$dyad %% 3)
    types <- c("martingale", "deviance", "score", "schoenfeld", "dfbeta")
    cases <- list(
        list(f = Surv(start, year, mid_onset) ~ defense + grp + log(cap_ratio) + jointdem +
                 strata(majpow), w = NULL),
        list(f = Surv(start, year, mid_onset) ~ defense + contig, w = "w"),
        list(f = Surv(peaceyrs + 1, mid_onset) ~ log(cap_ratio), w = NULL))
    for (cs in cases) for (ties in c("efron", "breslow")) {
        fit <- if (is.null(cs$w)) dyad_cox(cs$f, d2, ties = ties)
               else dyad_cox(cs$f, d2, ties = ties, weights = "w")
        ref <- if (is.null(cs$w)) tight_cox(cs$f, d2, ties = ties, model = TRUE)
               else survival::coxph(cs$f, d2, ties = ties, weights = w, model = TRUE,
                                    control = survival::coxph.control(eps = 1e-12,
                                                                      toler.chol = 1e-13))
        for (ty in types) {
            r <- residuals(fit, ty)
            rr <- residuals(ref, type = ty)
            attr(rr, "strata") <- NULL
            expect_identical(names(r), names(rr))
            expect_identical(dimnames(r), dimnames(rr))
            expect_scaled(r, rr, 1e-8)
        }
    }
    ## rows dropped for a missing value are absent, named as R names them
    fit <- dyad_cox(cases[[1]]$f, d2)
    expect_equal(length(residuals(fit)), sum(!is.na(d2$jointdem)))
    ## a robust fit: dfbeta with the model-based variance, as survival
    fr <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, d2, vcov = ~dyad)
    rr <- survival::coxph(Surv(start, year, mid_onset) ~ defense + contig, d2, cluster = dyad,
                          model = TRUE, control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13))
    expect_scaled(residuals(fr, "dfbeta"), residuals(rr, "dfbeta"), 1e-8)
    expect_error(residuals(fr, "pearson"), "should be one of")
})

test_that("predict(type = \"survival\") is summary(survfit(coxph, newdata), times)", {
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    strata <- survival::strata
    d2 <- d
    d2$grp <- factor(c("b", "A", "c")[d2$region %% 3 + 1], levels = c("c", "b", "A"))
    times <- c(1950, 1965.5, 1990)
    nd <- d2[c(3, 200, 1000, 4000), ]
    fs <- list(Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio),
               Surv(start, year, mid_onset) ~ defense + grp + log(cap_ratio) + strata(majpow),
               Surv(start, year, mid_onset) ~ defense + log(cap_ratio) + strata(grp))
    for (f in fs) for (ties in c("efron", "breslow")) {
        fit <- dyad_cox(f, d2, ties = ties)
        ref <- tight_cox(f, d2, ties = ties, model = TRUE)
        p <- predict(fit, nd, type = "survival", times = times, se.fit = TRUE)
        expect_equal(dim(p$fit), c(nrow(nd), length(times)))
        for (i in seq_len(nrow(nd))) {
            s <- summary(survival::survfit(ref, newdata = nd[i, ], conf.type = "log-log"),
                         times = times)
            expect_lre(p$fit[i, ], s$surv, 8)
            expect_lre(p$se.fit[i, ], s$std.err, 8)
            ok <- s$surv < 1
            expect_lre(p$lower[i, ok], s$lower[ok], 8)
            expect_lre(p$upper[i, ok], s$upper[ok], 8)
        }
        ## without se.fit: the matrix of S alone
        expect_equal(predict(fit, nd, type = "survival", times = times), p$fit)
    }
    ## a clustered fit: b's variance is the robust one, as survfit uses it
    f <- Surv(start, year, mid_onset) ~ defense + contig
    fit <- dyad_cox(f, d2, vcov = ~dyad, ssc = "hc0")
    ref <- survival::coxph(f, d2, cluster = dyad, model = TRUE,
                           control = survival::coxph.control(eps = 1e-12, toler.chol = 1e-13))
    nd1 <- data.frame(defense = 1, contig = 0)
    p <- predict(fit, nd1, type = "survival", times = c(1970, 1980), se.fit = TRUE)
    s <- summary(survival::survfit(ref, newdata = nd1), times = c(1970, 1980))
    expect_lre(p$fit, s$surv, 8)
    expect_lre(p$se.fit, s$std.err, 8)
    ## bad input
    expect_error(predict(fit, type = "survival", times = 1970), "newdata")
    expect_error(predict(fit, nd1, type = "survival", times = c(1980, 1970)), "increasing")
    expect_error(predict(fit, nd1, type = "survival"), "times")
    expect_error(predict(fit, data.frame(defense = 1), type = "survival", times = 1970),
                 "'contig' not found")
    expect_error(predict(fit, data.frame(defense = NA, contig = 1), type = "survival",
                         times = 1970), "missing in row 1")
    fg <- dyad_cox(Surv(start, year, mid_onset) ~ defense + strata(grp), d2)
    expect_error(predict(fg, data.frame(defense = 1, grp = "zz"), type = "survival",
                         times = 1970), "'zz'")
})

test_that("predict(type = \"survival\") agrees with dyadfit predict --survival", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    skip_if_not_installed("survival")
    tmp <- tempfile(fileext = ".json")
    on.exit(unlink(tmp))
    fs <- "Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio) + strata(region)"
    ## the CLI needs start in the file: a CSV copy of the sample
    csv <- tempfile(fileext = ".csv")
    on.exit(unlink(csv), add = TRUE)
    utils::write.csv(as.data.frame(d)[, c("dyad", "year", "start", "mid_onset", "defense",
                                          "contig", "cap_ratio", "region")],
                     csv, row.names = FALSE)
    dc <- utils::read.csv(csv)
    out <- system2(cli_path(), c("fit", "cox", shQuote(fs), shQuote(csv), "--save", tmp),
                   stdout = TRUE, stderr = TRUE)
    expect_null(attr(out, "status"))
    at <- "defense=1 contig=0 cap_ratio=2.5"
    cli <- system2(cli_path(), c("predict", tmp, "--survival", "--times", "1960,1975,1990",
                                 "--at", shQuote(at), "--format", "csv"),
                   stdout = TRUE, stderr = TRUE)
    expect_null(attr(cli, "status"))
    cli <- utils::read.csv(text = cli, stringsAsFactors = FALSE)
    fit <- dyad_cox(as.formula(fs), dc)
    nd <- data.frame(defense = 1, contig = 0, cap_ratio = 2.5, region = sort(unique(dc$region)))
    p <- predict(fit, nd, type = "survival", times = c(1960, 1975, 1990), se.fit = TRUE)
    ## the CLI: one row per stratum (R's order) and time
    expect_equal(nrow(cli), length(p$fit))
    expect_lre(cli$estimate, as.vector(t(p$fit)), 13)
    expect_lre(cli$std.error, as.vector(t(p$se.fit)), 13)
})
