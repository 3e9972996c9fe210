## vcov = "bootstrap": the library's row and cluster bootstrap through
## dyad_logit(). Bootstrap standard errors approach the HC0 (rows) and CR0
## (clusters) sandwich as the replications grow (docs/bootstrap.md); with R
## replications an SE's Monte Carlo relative error is about 1/sqrt(2R), 4%
## for R = 300, so 15% is about 3.5 of those (seen on these data over seeds
## 1-8, logit, probit and cloglog: at most 10%).

## a well-behaved logit with 200 clusters of 10 rows and a cluster effect
sim_data <- function()
{
    set.seed(42)
    G <- 200L; m <- 10L; n <- G * m
    g <- rep(seq_len(G), each = m)
    u <- stats::rnorm(G)[g]
    x1 <- stats::rnorm(n) + 0.5 * u
    x2 <- stats::rbinom(G, 1, 0.4)[g]    # constant within a cluster
    y <- stats::rbinom(n, 1, stats::plogis(-0.3 + 0.8 * x1 - 0.6 * x2 + 0.7 * u))
    data.frame(y, x1, x2, g)
}
sim <- sim_data()
se <- function(fit) sqrt(diag(vcov(fit)))

test_that("the same seed gives the same variance, another seed another", {
    b1 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(reps = 50, seed = 7))
    b2 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(reps = 50, seed = 7))
    b3 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(reps = 50, seed = 8))
    expect_identical(vcov(b1), vcov(b2))
    expect_false(any(se(b1) == se(b3)))
    ## the point estimates are the full sample's, whatever the variance
    expect_identical(coef(b1), coef(dyad_logit(y ~ x1 + x2, sim)))
    expect_identical(coef(b1), coef(b3))
    ## and with the thread count
    b4 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(reps = 50, seed = 7), threads = 1)
    expect_identical(vcov(b4), vcov(b1))
    ## the same for the cluster bootstrap
    c1 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(cluster = ~g, reps = 50, seed = 7))
    c2 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(cluster = ~g, reps = 50, seed = 7))
    expect_identical(vcov(c1), vcov(c2))
    expect_false(any(se(c1) == se(b1)))
})

test_that("the defaults are 200 replications and seed 12345", {
    b <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap")
    expect_identical(b$vce$type, "bootstrap")
    expect_identical(b$vce$reps, 200L)
    expect_identical(b$vce$seed, 12345)
    expect_true(is.na(b$vce$ssc))
    expect_length(b$vce$cluster, 0L)
    expect_true(any(grepl("200 replications (seed 12345)", b$notes, fixed = TRUE)))
    expect_true(any(grepl("2000 rows with replacement", b$notes, fixed = TRUE)))
    b2 <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                     bootstrap = list(reps = 200, seed = 12345))
    expect_identical(vcov(b2), vcov(b))
    expect_identical(tidy.dyadfit(b)$std.error, unname(se(b)))
})

test_that("the row bootstrap is close to the HC0 sandwich", {
    b <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                    bootstrap = list(reps = 300, seed = 1))
    h <- dyad_logit(y ~ x1 + x2, sim, vcov = "HC0")
    expect_true(all(abs(se(b) / se(h) - 1) < 0.15))
    ## and not the same number
    expect_false(isTRUE(all.equal(se(b), se(h), tolerance = 1e-6)))
    if (requireNamespace("sandwich", quietly = TRUE)) {
        g <- ref_glm(h, sim)
        expect_true(all(abs(se(b) / sqrt(diag(sandwich::vcovHC(g, type = "HC0"))) - 1)
                        < 0.15))
    }
})

test_that("the cluster bootstrap is close to the CR0 cluster sandwich", {
    b <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap",
                    bootstrap = list(cluster = ~g, reps = 300, seed = 1))
    c0 <- dyad_logit(y ~ x1 + x2, sim, vcov = ~g, ssc = "hc0")
    expect_true(all(abs(se(b) / se(c0) - 1) < 0.15))
    ## the clusters matter here (x2 is constant within a cluster): CR0 is
    ## 18% above HC0, and the cluster bootstrap follows CR0
    h <- dyad_logit(y ~ x1 + x2, sim, vcov = "HC0")
    expect_true(se(c0)[["x2"]] / se(h)[["x2"]] > 1.1)
    expect_true(se(b)[["x2"]] / se(h)[["x2"]] > 1.05)
    expect_identical(b$vce$cluster, "g")
    expect_equal(unname(b$vce$nclusters), 200)
    expect_true(any(grepl("200 clusters of g", b$notes, fixed = TRUE)))
    if (requireNamespace("sandwich", quietly = TRUE)) {
        g <- ref_glm(c0, sim)
        ref <- sandwich::vcovCL(g, cluster = sim$g, type = "HC0", cadjust = FALSE)
        expect_true(all(abs(se(b) / sqrt(diag(ref)) - 1) < 0.15))
    }
})

test_that("probit and cloglog bootstrap; missing cluster values drop rows", {
    for (link in c("probit", "cloglog")) {
        b <- dyad_logit(y ~ x1 + x2, sim, link = link, vcov = "bootstrap",
                        bootstrap = list(cluster = ~g, reps = 300, seed = 3))
        c0 <- dyad_logit(y ~ x1 + x2, sim, link = link, vcov = ~g, ssc = "hc0")
        expect_identical(coef(b), coef(c0))
        expect_true(all(abs(se(b) / se(c0) - 1) < 0.15))
    }
    s2 <- sim
    s2$g[1:10] <- NA                      # the whole first cluster
    b <- dyad_logit(y ~ x1 + x2, s2, vcov = "bootstrap",
                    bootstrap = list(cluster = ~g, reps = 20))
    expect_equal(b$n_used, 1990)
    expect_equal(unname(b$vce$nclusters), 199)
})

test_that("failed replications are counted in the notes", {
    ## x is 1 in cluster 1 only: a resample without cluster 1 (about 35% of
    ## them) cannot estimate its coefficient
    r <- data.frame(g = rep(1:10, each = 10), x = rep(c(1, 0), c(10, 90)),
                    y = as.integer(seq_len(100) %% 3 == 0))
    b <- dyad_logit(y ~ x, r, vcov = "bootstrap",
                    bootstrap = list(cluster = ~g, reps = 100))
    expect_true(any(grepl("^[0-9]+ of 100 bootstrap replications failed", b$notes)))
    expect_true(all(is.finite(se(b)) & se(b) > 0))
})

test_that("bootstrap arguments are checked with clear errors", {
    f <- y ~ x1 + x2
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(reps = 1)),
                 "reps must be a whole number from 2")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(reps = 2.5)),
                 "reps must be a whole number")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(reps = 2e6)),
                 "reps must be a whole number")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(seed = -1)),
                 "seed must be a whole number from 0 to 2\\^32 - 1")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(seed = 1.5)),
                 "seed must be a whole number")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(seed = 2^32)),
                 "seed must be a whole number")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(seed = NA)),
                 "seed must be a whole number")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(rep = 10)),
                 "unknown element 'rep'")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(10)),
                 "named list")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = 10),
                 "named list")
    sim$h <- sim$g %% 7
    expect_error(dyad_logit(f, sim, vcov = "bootstrap",
                            bootstrap = list(cluster = ~g + h)),
                 "resamples the clusters of one variable")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap", bootstrap = list(cluster = "g")),
                 "one-sided formula")
    expect_error(dyad_logit(f, sim, vcov = "HC0", bootstrap = list(reps = 10)),
                 "only with vcov = \"bootstrap\"")
    expect_error(dyad_logit(f, sim, vcov = ~g, bootstrap = list(cluster = ~g)),
                 "only with vcov = \"bootstrap\"")
    expect_error(dyad_logit(f, sim, vcov = "bootstrap",
                            bootstrap = list(cluster = ~nosuch)),
                 "nosuch")
})

test_that("other estimators refuse the bootstrap with an R error", {
    expect_error(relogit(y ~ x1 + x2, sim, vcov = "bootstrap"),
                 "available for dyad_logit\\(\\) .* only, not for relogit")
    expect_error(firth(y ~ x1 + x2, sim, vcov = "bootstrap"),
                 "only, not for firth")
    d <- leeds_sample()
    d$start <- d$year - 1
    skip_if_not_installed("survival")
    Surv <- survival::Surv
    expect_error(dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, d,
                          vcov = "bootstrap"),
                 "available for dyad_logit\\(\\)")
    expect_error(dyad_clogit(mid_onset ~ defense + contig, d, group = ~dyad,
                             vcov = "bootstrap"),
                 "available for dyad_logit\\(\\)")
})

test_that("the library's own refusal reaches R as an R error", {
    ## past the R checks: a relogit with vce bootstrap straight to the C entry
    X <- cbind("(Intercept)" = 1, x1 = sim$x1)
    opts <- fit_options(3L, list(type = 3L, ssc = 0L, reps = 20L, seed = 1),
                        "observed", 0L, FALSE,
                        list(maxiter = 100L, tol = 1e-10, fix_psd = FALSE), 0.95)
    expect_error(.Call(dyadfit_r_fit, X, as.double(sim$y), NULL, NULL, list(),
                       character(), colnames(X), c("y ~ x1", "y"),
                       opts$iopt, opts$dopt),
                 "bootstrap.*logit, probit and cloglog")
    ## two cluster variables
    opts <- fit_options(0L, list(type = 3L, ssc = 0L, reps = 20L, seed = 1),
                        "observed", 0L, FALSE,
                        list(maxiter = 100L, tol = 1e-10, fix_psd = FALSE), 0.95)
    expect_error(.Call(dyadfit_r_fit, X, as.double(sim$y), NULL, NULL,
                       list(sim$g - 1L, sim$g %% 7L), c("g", "h"), colnames(X),
                       c("y ~ x1", "y"), opts$iopt, opts$dopt),
                 "two cluster variables")
    ## a seed the C side cannot take
    bad <- opts
    bad$dopt[5L] <- -1
    expect_error(.Call(dyadfit_r_fit, X, as.double(sim$y), NULL, NULL, list(),
                       character(), colnames(X), c("y ~ x1", "y"),
                       bad$iopt, bad$dopt), "seed")
})

test_that("R and the CLI give the same cluster bootstrap", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fs <- "mid_onset ~ defense + contig + log(cap_ratio) + majpow + peaceyrs"
    fit <- dyad_logit(as.formula(fs), d, vcov = "bootstrap",
                      bootstrap = list(cluster = ~dyad, reps = 100, seed = 99))
    out <- system2(cli_path(), c("fit", "logit", shQuote(fs), shQuote(sample_path()),
                                 "--vce", "bootstrap", "dyad", "--reps", "100",
                                 "--seed", "99", "--format", "csv"),
                   stdout = TRUE, stderr = TRUE)
    expect_null(attr(out, "status"))
    ref <- utils::read.csv(text = out, stringsAsFactors = FALSE)
    td <- tidy.dyadfit(fit)
    expect_equal(td$term, ref$term)
    expect_lre(td$estimate, ref$estimate, 12)
    expect_lre(td$std.error, ref$std.error, 10)
})

test_that("print and summary name the bootstrap, not a cluster sandwich", {
    b <- dyad_logit(y ~ x1 + x2, sim, link = "probit", vcov = "bootstrap",
                    bootstrap = list(cluster = ~g, reps = 20, seed = 3))
    expect_output(print(b), "bootstrap, clusters of g resampled \\(200 clusters\\), 20 replications, seed 3")
    expect_output(print(summary(b)), "bootstrap, clusters of g resampled")
    expect_false(any(grepl("small-sample factor|information", capture.output(print(b))[
        grepl("bootstrap,", capture.output(print(b)))])))
    r <- dyad_logit(y ~ x1 + x2, sim, vcov = "bootstrap", bootstrap = list(reps = 20))
    expect_output(print(r), "bootstrap, rows resampled, 20 replications, seed 12345")
})
