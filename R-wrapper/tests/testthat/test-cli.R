## The same model through R and through the command line gives the same
## numbers (the CLI path is dyadfit_read + dyadfit_fit, the R path
## model.matrix + dyadfit_fit_matrix). Skipped when the CLI is not built.

cli_fit <- function(est, formula, file, ...)
{
    cli <- cli_path()
    out <- system2(cli, c("fit", est, shQuote(formula), shQuote(file), ...,
                          "--format", "csv"), stdout = TRUE, stderr = TRUE)
    status <- attr(out, "status")
    if (!is.null(status) && status != 0) stop(paste(out, collapse = "\n"))
    utils::read.csv(text = out, stringsAsFactors = FALSE)
}

compare <- function(fit, ref, digits = 12)
{
    td <- tidy.dyadfit(fit, conf.int = TRUE)
    expect_equal(td$term, ref$term)
    expect_lre(td$estimate, ref$estimate, digits)
    expect_lre(td$std.error, ref$std.error, digits)
    ## a bound near 0 loses relative digits to cancellation (est - z se)
    expect_lre(td$conf.low, ref$conf.low, digits - 1)
}

test_that("R and the CLI agree on the sample (logit, probit, cloglog)", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fs <- "mid_onset ~ defense + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
    for (link in c("logit", "probit", "cloglog")) {
        compare(dyad_logit(as.formula(fs), d, link = link, vcov = ~dyad),
                cli_fit(link, fs, sample_path(), "--vce", "cluster", "dyad"))
        compare(dyad_logit(as.formula(fs), d, link = link, vcov = "robust", ssc = "hc1"),
                cli_fit(link, fs, sample_path(), "--vce", "robust", "--ssc", "hc1"))
    }
    compare(dyad_logit(as.formula(fs), d, vcov = ~dyad + year),
            cli_fit("logit", fs, sample_path(), "--vce", "cluster", "dyad", "year"))
    compare(dyad_logit(as.formula(fs), d, link = "probit", information = "expected"),
            cli_fit("probit", fs, sample_path(), "--information", "expected"))
    ff <- "mid_onset ~ factor(region) + contig + log(cap_ratio)"
    compare(dyad_logit(as.formula(ff), d, vcov = ~dyad),
            cli_fit("logit", ff, sample_path(), "--vce", "cluster", "dyad"))
})

test_that("R and the CLI agree on the full Leeds data (clustered on dyad)", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    skip_if(repo_root() == "", "DYADFIT_ROOT not set")
    path <- file.path(repo_root(), "data", "leeds_dyads.dta")
    skip_if_not(file.exists(path))
    d <- read_dyads(path)
    fs <- "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
    fit <- dyad_logit(as.formula(fs), d, vcov = ~dyad)
    expect_equal(fit$n_used, 130420)
    compare(fit, cli_fit("logit", fs, path, "--vce", "cluster", "dyad"))
    skip_if_not_installed("sandwich")
    expect_lre(coef(fit), coef(tight_glm(as.formula(fs), d)), 8)
    g <- ref_glm(fit, d)
    used <- as.integer(rownames(stats::model.frame(g)))
    expect_lre(vcov(fit), sandwich::vcovCL(g, cluster = d$dyad[used], type = "HC0"), 8)
})

test_that("R and the CLI agree on relogit and firth", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fs <- "mid_onset ~ defense + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs"
    compare(relogit(as.formula(fs), d, vcov = ~dyad),
            cli_fit("relogit", fs, sample_path(), "--vce", "cluster", "dyad"))
    compare(relogit(as.formula(fs), d, tau = 0.004),
            cli_fit("relogit", fs, sample_path(), "--tau", "0.004"))
    compare(relogit(as.formula(fs), d, tau = 0.004, correction = "weighting",
                    bias_correction = FALSE, vcov = "robust"),
            cli_fit("relogit", fs, sample_path(), "--tau", "0.004", "--correction",
                    "weighting", "--no-bias-correction", "--vce", "robust"))
    ff <- "mid_onset ~ neutrality + contig + log(cap_ratio) + peaceyrs"
    fit <- firth(as.formula(ff), d)
    ref <- cli_fit("firth", ff, sample_path())
    compare(fit, ref)
    ## the profile intervals and penalised LR p-values are the library's
    td <- tidy.dyadfit(fit, conf.int = TRUE)
    expect_lre(td$p.value, ref$p.value, 12)
    expect_lre(td$conf.high, ref$conf.high, 12)
    compare(firth(as.formula(ff), d, ci = "wald", vcov = ~dyad),
            cli_fit("firth", ff, sample_path(), "--ci", "wald", "--vce", "cluster", "dyad"))
})

test_that("R and the CLI agree on Cox models and btscs", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    d$start <- d$year - 1
    d$region_s <- c("b", "A", "c")[d$region %% 3 + 1]
    csv <- tempfile(fileext = ".csv")
    on.exit(unlink(csv))
    utils::write.csv(d, csv, row.names = FALSE, na = "")
    fc <- "Surv(start, year, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + strata(region)"
    compare(dyad_cox(as.formula(fc), d, vcov = ~dyad),
            cli_fit("cox", fc, csv, "--vce", "cluster", "dyad"))
    compare(dyad_cox(as.formula(fc), d, ties = "breslow"),
            cli_fit("cox", fc, csv, "--ties", "breslow"))
    ## a character variable: R's locale order and the library's C order agree
    ## here ("A" < "b" < "c"), so term names and values match
    fr <- "Surv(start, year, mid_onset) ~ region_s + contig"
    compare(dyad_cox(as.formula(fr), d), cli_fit("cox", fr, csv))
    ## btscs: the same columns as dyadfit btscs
    out <- system2(cli_path(), c("btscs", shQuote(sample_path()), "--event", "mid_onset",
                                 "--time", "year", "--unit", "dyad", "--name", "py",
                                 "--splines", "3", "--out", "-"),
                   stdout = TRUE, stderr = TRUE)
    ref <- utils::read.csv(text = out, check.names = FALSE)
    b <- btscs(d, "mid_onset", "year", "dyad", name = "py", splines = 3)
    expect_equal(b$py, ref$py)
    expect_equal(b$spell, ref$spell)
    expect_lre(b[["_spline2"]], ref[["_spline2"]], 15)
})
