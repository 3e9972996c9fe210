## Threads (argument `threads`, option dyadfit.threads, OMP_NUM_THREADS) and
## interrupting a fit. A real Ctrl-C cannot be sent from a test: the hook
## .test_interrupt_after(k) makes the package's poll report an interrupt
## after k solver iterations, which runs the same path (the library stops
## and frees, the .Call returns, R signals the condition).

## 70,000 rows: above the library's 65,536-row threshold for running a
## logit's passes on two threads
big <- local({
    n <- 70000L
    x1 <- sin(seq_len(n) * 0.7)
    x2 <- cos(seq_len(n) * 1.9) + (seq_len(n) %% 7) / 10
    u <- (seq_len(n) * 0.6180339887) %% 1
    data.frame(y = as.numeric(u < plogis(-1 + 0.8 * x1 - 0.5 * x2)),
               x1 = x1, x2 = x2, g = (seq_len(n) - 1L) %/% 10L)
})

test_that("threads are chosen by argument, option, OMP_NUM_THREADS", {
    old <- options(dyadfit.threads = NULL)
    oenv <- Sys.getenv("OMP_NUM_THREADS", NA)
    on.exit({
        options(old)
        if (is.na(oenv)) Sys.unsetenv("OMP_NUM_THREADS")
        else Sys.setenv(OMP_NUM_THREADS = oenv)
        dyadfit_threads()
    })
    Sys.setenv(OMP_NUM_THREADS = "3")
    expect_identical(dyadfit_threads(), 3L)
    Sys.setenv(OMP_NUM_THREADS = "2,1")
    expect_identical(dyadfit_threads(), 2L)
    Sys.unsetenv("OMP_NUM_THREADS")
    expect_true(dyadfit_threads() >= 1L)
    expect_identical(dyadfit_threads(5), 5L)
    options(dyadfit.threads = 4)
    expect_identical(dyadfit_threads(), 4L)
    expect_identical(dyadfit_threads(1), 1L)      # the argument wins

    d <- big[1:2000, ]
    expect_identical(dyad_logit(y ~ x1, d)$threads, 4L)
    expect_identical(dyad_logit(y ~ x1, d, threads = 2)$threads, 2L)
    expect_identical(relogit(y ~ x1, d, threads = 3)$threads, 3L)
    expect_identical(firth(y ~ x1, d[1:200, ], threads = 1)$threads, 1L)
    d$t <- 1 + (seq_len(nrow(d)) %% 13)
    expect_identical(dyad_cox(Surv(t, y) ~ x1, d, threads = 2)$threads, 2L)
    expect_identical(dyad_survreg(Surv(t, y) ~ x1, d, threads = 1)$threads, 1L)
    expect_identical(dyad_clogit(y ~ x1, d, group = ~g, threads = 2)$threads, 2L)
    expect_identical(dyad_felogit(y ~ x1, d, absorb = ~g)$threads, 4L)
})

test_that("bad thread counts are errors naming the argument or option", {
    d <- big[1:500, ]
    expect_error(dyad_logit(y ~ x1, d, threads = 0), "'threads' must be a whole number")
    expect_error(dyad_logit(y ~ x1, d, threads = 1.5), "'threads'")
    expect_error(dyad_logit(y ~ x1, d, threads = "2"), "'threads'")
    expect_error(dyad_logit(y ~ x1, d, threads = NA), "'threads'")
    expect_error(dyad_cox(Surv(x2, y) ~ x1, d, threads = 2000), "1 to 1024")
    expect_error(relogit(y ~ x1, d, threads = -1), "'threads'")
    expect_error(dyadfit_threads(c(1, 2)), "'threads'")
    old <- options(dyadfit.threads = "many")
    on.exit(options(old))
    expect_error(dyad_logit(y ~ x1, d), "option 'dyadfit.threads'")
})

test_that("estimates are identical with 1 and 2 threads", {
    f1 <- dyad_logit(y ~ x1 + x2, big, vcov = ~g, threads = 1)
    f2 <- dyad_logit(y ~ x1 + x2, big, vcov = ~g, threads = 2)
    expect_identical(f1$threads, 1L)
    expect_identical(f2$threads, 2L)
    expect_identical(coef(f1), coef(f2))
    expect_identical(vcov(f1), vcov(f2))
    expect_identical(f1$loglik, f2$loglik)
    p1 <- dyad_logit(y ~ x1 + x2, big, link = "probit", threads = 1)
    p2 <- dyad_logit(y ~ x1 + x2, big, link = "probit", threads = 2)
    expect_identical(coef(p1), coef(p2))
    expect_identical(vcov(p1), vcov(p2))
})

test_that("an interrupted fit signals an interrupt and frees everything", {
    on.exit(.test_interrupt_after(NULL))
    d <- big[1:3000, ]
    d$t <- 1 + (seq_len(nrow(d)) %% 13)
    fits <- list(
        logit = function() dyad_logit(y ~ x1 + x2, d),
        relogit = function() relogit(y ~ x1 + x2, d, tau = 0.1),
        firth = function() firth(y ~ x1 + x2, d[1:300, ]),
        cox = function() dyad_cox(Surv(t, y) ~ x1 + x2, d),
        clogit = function() dyad_clogit(y ~ x1 + x2, d, group = ~g),
        survreg = function() dyad_survreg(Surv(t, y) ~ x1 + x2, d))
    for (nm in names(fits)) {
        for (k in c(0L, 2L)) {
            .test_interrupt_after(k)
            cond <- tryCatch(fits[[nm]](), interrupt = function(e) e)
            expect_s3_class(cond, "dyadfit_interrupt")
            expect_s3_class(cond, "interrupt")
            expect_identical(conditionMessage(cond), "dyadfit: interrupted")
        }
        ## not an error: tryCatch(error = ) does not catch it
        .test_interrupt_after(0L)
        expect_error(tryCatch(fits[[nm]](), error = function(e) "caught",
                              interrupt = function(e) stop("went through")),
                     "went through")
        .test_interrupt_after(NULL)
        expect_s3_class(fits[[nm]](), "dyadfit")   # and the next fit works
    }
    gc()
})

## A real SIGINT sent to this R process while fits run in a loop: it must
## arrive as the package's interrupt (the library stopped at a poll). A
## signal landing in R code between two fits gives R's own interrupt
## instead; that is retried (R code is a small share of the loop's time).
test_that("a real SIGINT stops a running fit", {
    ## in the repository's runs only (scripts/r-package.sh sets DYADFIT_ROOT)
    skip_if(repo_root() == "", "outside the repository")
    skip_on_os("windows")
    skip_if(Sys.which("kill") == "" || Sys.which("sleep") == "", "no kill/sleep")
    n <- 70000L   # the C fit must dominate the loop's time
    X <- sapply(1:8, function(j) sin(seq_len(n) * (0.3 + j / 7)))
    colnames(X) <- paste0("x", 1:8)
    d <- data.frame(y = big$y[seq_len(n)], X)
    f <- reformulate(colnames(X), "y")
    got <- NULL
    for (attempt in 1:6) {
        system(sprintf("(sleep 1; kill -INT %d) >/dev/null 2>&1 &", Sys.getpid()))
        t0 <- proc.time()[[3]]
        got <- tryCatch({
            while (proc.time()[[3]] - t0 < 30) firth(f, d)
            "not interrupted"
        }, interrupt = function(e) e)
        if (inherits(got, "dyadfit_interrupt") || identical(got, "not interrupted"))
            break
    }
    expect_s3_class(got, "dyadfit_interrupt")
    expect_s3_class(firth(f, d[1:500, ]), "dyadfit")   # and R goes on
})
