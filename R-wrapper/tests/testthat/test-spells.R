## spells = list(...) on the binary fits: peace years made by the library's
## btscs before the fit, the same as btscs() then the fit, and the same as
## the command line's `fit --spells` (library path fit_spells.c).

d <- leeds_sample()
## an ongoing-dispute flag: the onset year and, for every third dyad, the
## year after it
d <- d[order(d$dyad, d$year), ]
prev <- c(0, head(d$mid_onset, -1))
prev[c(TRUE, diff(d$dyad) != 0)] <- 0
d$ongoing <- as.numeric(d$mid_onset == 1 | (prev == 1 & d$dyad %% 3 == 0))
f_py <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs + I(peaceyrs^2) +
    I(peaceyrs^3)
sp <- list(event = "mid_onset", unit = "dyad", time = "year")

same_fit <- function(a, b, digits = 12)
{
    expect_equal(names(coef(a)), names(coef(b)))
    expect_lre(coef(a), coef(b), digits)
    expect_lre(vcov(a), vcov(b), digits)
    expect_lre(a$loglik, b$loglik, digits)
    expect_equal(a$n_used, b$n_used)
}

test_that("dyad_logit(spells = ) is btscs() then dyad_logit()", {
    d2 <- d
    d2$peaceyrs <- -1                      # replaced for the fit, as the CLI does
    fit <- dyad_logit(f_py, d2, vcov = ~dyad, spells = sp)
    ref <- dyad_logit(f_py, btscs(d, "mid_onset", "year", "dyad", replace = TRUE),
                      vcov = ~dyad)
    same_fit(fit, ref)
    expect_equal(fit$spells$event, "mid_onset")
    ## probit, gap rule, splines
    fs <- mid_onset ~ defense + contig + `_spline1` + `_spline2` + `_spline3`
    fit <- dyad_logit(fs, d, link = "probit",
                      spells = c(sp, list(gap = "restart", splines = 3)))
    ref <- dyad_logit(fs, btscs(d, "mid_onset", "year", "dyad", gap = "restart",
                                splines = 3, replace = TRUE), link = "probit")
    same_fit(fit, ref)
    ## a subset of years does not restart the counts
    fit <- dyad_logit(f_py, d, subset = year >= 1960, spells = sp)
    b <- btscs(d, "mid_onset", "year", "dyad", replace = TRUE)
    ref <- dyad_logit(f_py, b[b$year >= 1960, ])
    same_fit(fit, ref)
})

test_that("ongoing years: counted as dispute years, and left out with drop_ongoing", {
    spo <- c(sp, list(ongoing = "ongoing"))
    fit <- dyad_logit(f_py, d, spells = spo)
    ref <- dyad_logit(f_py, btscs(d, "mid_onset", "year", "dyad", ongoing = "ongoing",
                                  replace = TRUE))
    same_fit(fit, ref)
    fit <- dyad_logit(f_py, d, spells = c(spo, list(drop_ongoing = TRUE)))
    b <- btscs(d, "mid_onset", "year", "dyad", ongoing = "ongoing", drop_ongoing = TRUE,
               replace = TRUE)
    ref <- dyad_logit(f_py, b[b[["_drop"]] != 1, ])
    same_fit(fit, ref)
    n_ong <- sum(d$ongoing == 1 & d$mid_onset == 0)
    expect_true(n_ong > 0)
    expect_equal(fit$spells$n_ongoing_dropped, sum(b[["_drop"]] == 1))
    ## left out even when the formula does not use the peace years
    f0 <- mid_onset ~ defense + contig
    fit0 <- dyad_logit(f0, d, spells = c(spo, list(drop_ongoing = TRUE)))
    expect_equal(fit0$n_used, sum(b[["_drop"]] != 1))
})

test_that("relogit and firth take spells too", {
    fit <- relogit(f_py, d, vcov = ~dyad, spells = sp)
    ref <- relogit(f_py, btscs(d, "mid_onset", "year", "dyad", replace = TRUE),
                   vcov = ~dyad)
    same_fit(fit, ref)
    ff <- mid_onset ~ defense + contig + peaceyrs
    fit <- firth(ff, d, ci = "wald", spells = sp)
    ref <- firth(ff, btscs(d, "mid_onset", "year", "dyad", replace = TRUE), ci = "wald")
    same_fit(fit, ref)
})

test_that("spells agree with the command line's fit --spells", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    csv <- tempfile(fileext = ".csv")
    on.exit(unlink(csv))
    utils::write.csv(d[, c("dyad", "year", "mid_onset", "ongoing", "defense", "contig",
                           "cap_ratio")], csv, row.names = FALSE)
    dc <- utils::read.csv(csv)
    fs <- "mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
    cli_spells <- function(...) {
        out <- system2(cli_path(), c("fit", "logit", shQuote(fs), shQuote(csv),
                                     "--spells", "mid_onset", "--unit", "dyad",
                                     "--time", "year", ..., "--vce", "cluster", "dyad",
                                     "--format", "csv"), stdout = TRUE, stderr = TRUE)
        expect_null(attr(out, "status"))
        utils::read.csv(text = out, stringsAsFactors = FALSE)
    }
    for (extra in list(character(), c("--ongoing", "ongoing", "--drop-ongoing"),
                       c("--gap", "continue"))) {
        spx <- sp
        if ("--ongoing" %in% extra) spx <- c(sp, list(ongoing = "ongoing", drop_ongoing = TRUE))
        if ("--gap" %in% extra) spx <- c(sp, list(gap = "continue"))
        fit <- dyad_logit(as.formula(fs), dc, vcov = ~dyad, spells = spx)
        ref <- cli_spells(extra)
        td <- tidy.dyadfit(fit)
        expect_equal(td$term, ref$term)
        expect_lre(td$estimate, ref$estimate, 12)
        expect_lre(td$std.error, ref$std.error, 12)
    }
})

test_that("bad spells are clear errors", {
    expect_error(dyad_logit(f_py, d, spells = list(event = "mid_onset", unit = "dyad")),
                 "needs 'time'")
    expect_error(dyad_logit(f_py, d, spells = "mid_onset"), "named list")
    expect_error(dyad_logit(f_py, d, spells = c(sp, list(when = 1))), "unknown element 'when'")
    expect_error(dyad_logit(f_py, d, spells = c(sp, list(drop_ongoing = TRUE))),
                 "needs 'ongoing'")
    expect_error(dyad_logit(f_py, d, spells = c(sp, list(gap = "skip"))), "gap must be")
    expect_error(dyad_logit(f_py, d, spells = list(event = "nosuch", unit = "dyad",
                                                   time = "year")), "'nosuch' not found")
    d2 <- d
    d2$mid_onset[3] <- 2
    expect_error(dyad_logit(f_py, d2, spells = sp), "0/1|0 or 1")
    expect_error(relogit(f_py, d, spells = list(event = "mid_onset")), "needs 'unit'")
    ## an unknown variable: a short message (the call, not the data)
    e <- tryCatch(dyad_logit(mid_onset ~ nosuch, d, spells = sp), error = identity)
    expect_match(conditionMessage(e), "nosuch")
    expect_lt(nchar(paste(conditionMessage(e), deparse1(conditionCall(e)))), 500)
    expect_true(dyad_logit(f_py, d, spells = sp)$converged)
})
