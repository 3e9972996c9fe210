## Bad input from R: each an R error with a clear message, never a crash,
## and the package keeps working afterwards.

d <- leeds_sample()

test_that("argument types are checked", {
    expect_error(dyad_logit("mid_onset ~ contig", d), "two-sided formula")
    expect_error(dyad_logit(~contig, d), "two-sided formula")
    expect_error(dyad_logit(mid_onset ~ contig, 1:3), "data frame")
    expect_error(dyad_logit(mid_onset ~ contig, d, level = 95), "between 0 and 1")
    expect_error(dyad_logit(mid_onset ~ contig, d, drop_separated = "yes"), "TRUE or FALSE")
    expect_error(dyad_logit(mid_onset ~ contig, d, control = list(maxit = 5)),
                 "unknown control setting.*maxit")
    expect_error(dyad_logit(mid_onset ~ contig, d, control = list(tol = -1)), "tol")
    expect_error(dyad_logit(mid_onset ~ contig, d, control = 3), "must be a list")
    expect_error(dyad_logit(mid_onset ~ contig, d, control = list(5)), "must be named")
    expect_error(dyad_logit(mid_onset ~ contig, d, link = "cauchit"), "should be one of")
    expect_error(dyad_logit(mid_onset ~ contig, d, ssc = "hc3"), "should be one of")
    expect_error(dyad_logit(mid_onset ~ nosuchvar, d), "nosuchvar")
    expect_error(dyad_logit(mid_onset ~ contig, d, weights = letters[1:5001]),
                 "weights")
})

test_that("the outcome must be 0/1", {
    d2 <- d
    d2$f <- factor(ifelse(d2$mid_onset == 1, "yes", "no"))
    expect_error(dyad_logit(f ~ contig, d2), "outcome 'f' is a factor")
    expect_error(dyad_logit(peaceyrs ~ contig, d), "must be 0 or 1; it is")
    d2$ch <- as.character(d2$mid_onset)
    expect_error(dyad_logit(ch ~ contig, d2), "0/1 numeric or logical")
    d2$all0 <- 0
    expect_error(dyad_logit(all0 ~ contig, d2))
})

test_that("vcov strings and formulas are checked", {
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = "sandwich"),
                 "unknown vcov \"sandwich\"")
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = "cluster"), "vcov = ~dyad")
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = 3), "must be")
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = ~dyad + year + region),
                 "3 cluster variables")
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = y ~ dyad), "one-sided")
    expect_error(dyad_logit(mid_onset ~ contig, d, vcov = ~nosuchcluster),
                 "nosuchcluster")
})

test_that("library errors come back as R errors with the library's message", {
    ## separation: the library's message, in R's terms
    expect_error(dyad_logit(mid_onset ~ neutrality + contig, d),
                 "separation: neutrality.*drop_separated = TRUE")
    ## negative weights
    d2 <- d
    d2$w <- -1
    expect_error(dyad_logit(mid_onset ~ contig, d2, weights = w), "weight")
    ## nothing left
    expect_error(dyad_logit(mid_onset ~ contig, d, subset = year > 3000), "no rows left")
    ## the package is alive afterwards
    fit <- dyad_logit(mid_onset ~ contig, d)
    expect_true(fit$converged)
})

test_that("missing and infinite values that get past na.action are errors", {
    d2 <- d[!is.na(d$jointdem), ]
    d2$cl <- d2$dyad
    d2$cl[7] <- NA
    expect_error(dyad_logit(mid_onset ~ contig, d2, vcov = ~cl, na.action = na.pass),
                 "cluster variable 'cl' has 1 missing values")
    d2$x <- d2$cap_ratio
    d2$x[10] <- 0                        # log(0) = -Inf is not NA
    expect_error(dyad_logit(mid_onset ~ log(x), d2), "log\\(x\\).*row 10")
    ## the library's row is the design's; the message adds the data's row name
    d3 <- d2[-(1:5), ]
    expect_error(dyad_logit(mid_onset ~ log(x), d3),
                 sprintf("at row 5 .*data row '%s'", rownames(d3)[5]))
    d2$x[10] <- NA
    expect_error(dyad_logit(mid_onset ~ x, d2, na.action = na.pass), "row")
    d2$y <- d2$mid_onset
    d2$y[3] <- NA
    expect_error(dyad_logit(y ~ contig, d2, na.action = na.pass), "row")
    expect_true(dyad_logit(mid_onset ~ contig, d2)$converged)
})

test_that("drop_separated = TRUE drops the term and its rows as Stata does", {
    fit <- dyad_logit(mid_onset ~ neutrality + contig + log(cap_ratio), d,
                      drop_separated = TRUE)
    expect_true(is.na(coef(fit)["neutrality"]))
    nsep <- sum(d$neutrality != 0)
    expect_equal(fit$n_used, nrow(d) - nsep)
    expect_true(any(grepl("separation", fit$notes)))
    g <- tight_glm(mid_onset ~ contig + log(cap_ratio), d[d$neutrality == 0, ])
    expect_lre(coef(fit, complete = FALSE), coef(g), 9)
})

test_that("non-convergence is a warning and a flag, not an error", {
    expect_warning(fit <- dyad_logit(f_sample, d, control = list(maxiter = 2)),
                   "convergence not achieved")
    expect_false(fit$converged)
    expect_output(print(summary(fit)), "NOT CONVERGED")
})

test_that("read_dyads rejects bad paths and arguments", {
    expect_error(read_dyads(file.path(tempdir(), "nope.dta")), "nope.dta")
    expect_error(read_dyads(1), "single file name")
    expect_error(read_dyads(c("a", "b")), "single file name")
    expect_error(read_dyads(sample_path(), variables = 1), "character vector")
    expect_error(read_dyads(sample_path(), variables = "nosuchvar"), "nosuchvar")
    bad <- tempfile(fileext = ".dta")
    writeBin(as.raw(1:100), bad)
    expect_error(read_dyads(bad))
    unlink(bad)
    expect_s3_class(read_dyads(sample_path()), "data.frame")
})
