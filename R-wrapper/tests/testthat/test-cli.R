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
