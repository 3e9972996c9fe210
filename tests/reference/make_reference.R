#!/usr/bin/env Rscript
# make_reference.R -- reference values for the command-line tests.
#
#   Rscript tests/reference/make_reference.R        (from the repository root)
#
# Reads tests/reference/cases.tsv (tab-separated: id, estimator, formula, data,
# options, min_lre, comment), fits each case with R's glm() and sandwich, and
# writes tests/reference/values/<id>.csv with the broom columns
# term,estimate,std.error,statistic,p.value,conf.low,conf.high ("%.17g").
# `options` holds the dyadfit CLI options of the case; this script gives each
# one its R meaning (see tests/reference/README.md):
#   --vce oim [--information observed|expected]
#   --vce robust --ssc hc0|hc1|stata [--information ...]
#   --vce cluster V1 [V2] --ssc stata|hc1|hc0 [--information ...]
#   --weights VAR --weight-type prob|freq
#   --offset VAR
#   --if "EXPR"   (rows kept as by R's subset())
# The data files are read with haven (.dta/.sav) or read.csv (.csv); value
# labels are dropped, so factor() of a labelled code uses the numeric codes.
suppressPackageStartupMessages({
    library(haven)
    library(sandwich)
})
# the shared helpers (broom_table, write_ref, write_versions), from this
# script's own folder; tests/reference when source()d from the repository root
local({
    f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
    dir <- if (length(f) == 1) dirname(gsub("~+~", " ", f, fixed = TRUE))
           else "tests/reference"
    source(file.path(dir, "ref_helpers.R"))
})

cases <- read.delim("tests/reference/cases.tsv", quote = "", comment.char = "",
                    stringsAsFactors = FALSE, colClasses = "character")
outdir <- "tests/reference/values"
dir.create(outdir, showWarnings = FALSE)

read_data <- function(path) {
    ext <- tolower(sub(".*\\.", "", path))
    d <- switch(ext,
        dta = read_dta(path),
        sav = read_sav(path),
        csv = read.csv(path, na.strings = "", stringsAsFactors = FALSE),
        stop("unknown data file type: ", path))
    d <- as.data.frame(zap_labels(zap_formats(d)))
    for (v in names(d)) if (is.character(d[[v]])) d[[v]][d[[v]] == ""] <- NA
    d
}
cache <- new.env()
get_data <- function(path) {
    if (is.null(cache[[path]])) assign(path, read_data(path), envir = cache)
    cache[[path]]
}

parse_opts <- function(s) {
    # --if "EXPR" (double-quoted, may hold spaces) is taken out first
    filter <- NULL
    m <- regmatches(s, regexec('--if "([^"]*)"', s))[[1]]
    if (length(m) == 2) {
        filter <- m[2]
        s <- sub('--if "[^"]*"', "", s)
    }
    tok <- strsplit(trimws(s), "[[:space:]]+")[[1]]
    tok <- tok[nzchar(tok)]
    o <- list(vce = "oim", ssc = "stata", information = "observed",
              cluster = character(0), weights = NULL, weight_type = NULL,
              offset = NULL, filter = filter)
    i <- 1
    while (i <= length(tok)) {
        t <- tok[i]
        if (t == "--vce") {
            o$vce <- tok[i + 1]; i <- i + 2
            if (o$vce == "cluster") {
                while (i <= length(tok) && !startsWith(tok[i], "--")) {
                    o$cluster <- c(o$cluster, tok[i]); i <- i + 1
                }
            }
        } else if (t == "--ssc") { o$ssc <- tok[i + 1]; i <- i + 2
        } else if (t == "--information") { o$information <- tok[i + 1]; i <- i + 2
        } else if (t == "--weights") { o$weights <- tok[i + 1]; i <- i + 2
        } else if (t == "--weight-type") { o$weight_type <- tok[i + 1]; i <- i + 2
        } else if (t == "--offset") { o$offset <- tok[i + 1]; i <- i + 2
        } else stop("unknown option ", t)
    }
    stopifnot(o$vce %in% c("oim", "robust", "cluster"),
              o$ssc %in% c("stata", "hc0", "hc1"),
              o$information %in% c("observed", "expected"))
    if (!is.null(o$weights)) stopifnot(o$weight_type %in% c("prob", "freq"))
    o
}

# Score of observation i with respect to eta (times prior weight), and the
# observed-information weight: for l_i = y log mu + (1-y) log(1-mu),
#   dl/deta   = (y - mu) g,            g = mu' / (mu (1 - mu))
#   -d2l/deta2 = mu' g - (y - mu) g',  g' = mu''/(mu(1-mu)) - mu'^2 (1-2mu)/(mu(1-mu))^2
# For logit g = 1 and the observed weight is mu(1-mu) = the expected one.
# 1 - mu is computed directly (pnorm(-eta), exp(-exp(eta))) to keep precision.
link_parts <- function(est, eta) {
    if (est == "logit") {
        mu <- plogis(eta); q <- plogis(-eta)
        d1 <- mu * q; d2 <- d1 * (q - mu)
    } else if (est == "probit") {
        mu <- pnorm(eta); q <- pnorm(-eta)
        d1 <- dnorm(eta); d2 <- -eta * d1
    } else if (est == "cloglog") {
        e <- exp(eta); q <- exp(-e); mu <- -expm1(-e)
        d1 <- e * q; d2 <- d1 * (1 - e)
    } else stop("estimator ", est)
    v <- mu * q
    g <- d1 / v
    gp <- d2 / v - d1 * d1 * (q - mu) / (v * v)
    list(mu = mu, d1 = d1, g = g, gp = gp, v = v)
}

# Manual variance pieces, used for observed-information cases and as a
# cross-check of sandwich on the expected-information ones.
hessian_inv <- function(m, est, information) {
    X <- model.matrix(m); w <- m$prior.weights; y <- m$y
    lp <- link_parts(est, m$linear.predictors)
    wi <- if (information == "expected") w * lp$d1 * lp$g
          else w * (lp$d1 * lp$g - (y - lp$mu) * lp$gp)
    scaled_inv(X, wi)
}
# (X' diag(wi) X)^-1 with the columns scaled to unit max first, so columns of
# order 1e-7 and 1e8 do not make the solve singular in floating point.
# (Observed-information weights can be negative for single observations.)
scaled_inv <- function(X, wi) {
    s <- apply(abs(X), 2, max)
    Xs <- sweep(X, 2, s, "/")
    Hi <- solve(crossprod(Xs, Xs * wi))
    sweep(sweep(Hi, 1, s, "/"), 2, s, "/")
}
scores <- function(m, est) {
    X <- model.matrix(m); lp <- link_parts(est, m$linear.predictors)
    X * (m$prior.weights * (m$y - lp$mu) * lp$g)
}
cluster_meat <- function(S, cl) {
    crossprod(rowsum(S, cl, reorder = FALSE))
}

newton_polish <- function(m, est) {
    X <- model.matrix(m); y <- m$y; w <- m$prior.weights
    off <- if (is.null(m$offset)) 0 else m$offset
    beta <- coef(m)
    for (it in 1:50) {
        lp <- link_parts(est, drop(X %*% beta) + off)
        grad <- crossprod(X, w * (y - lp$mu) * lp$g)
        wi <- w * (lp$d1 * lp$g - (y - lp$mu) * lp$gp)
        step <- drop(scaled_inv(X, wi) %*% grad)
        beta <- beta + step
        if (max(abs(step) / pmax(abs(beta), 1e-300)) < 1e-15) break
    }
    beta
}

fit_case <- function(cs) {
    o <- parse_opts(cs$options)
    d <- get_data(cs$data)
    # --if: R's subset() semantics (rows where the condition is NA go)
    if (!is.null(o$filter)) {
        d <- d[which(eval(parse(text = o$filter), d)), , drop = FALSE]
        rownames(d) <- NULL   # model.frame row names index d by position below
    }
    est <- cs$estimator
    fam <- binomial(link = est)
    f <- as.formula(cs$formula)
    expanded <- FALSE
    if (!is.null(o$weights) && o$weight_type == "freq") {
        # Stata fweight semantics: each row stands for w identical rows.
        w <- d[[o$weights]]
        stopifnot(all(w == round(w)), all(w >= 0))
        d <- d[rep(seq_len(nrow(d)), w), , drop = FALSE]
        expanded <- TRUE
    }
    args <- list(formula = f, family = fam, data = d,
                 control = glm.control(epsilon = 1e-14, maxit = 100))
    if (!is.null(o$weights) && o$weight_type == "prob")
        args$weights <- d[[o$weights]]
    if (!is.null(o$offset)) args$offset <- d[[o$offset]]
    m <- suppressWarnings(do.call(glm, args))   # non-integer #successes warning for pweights
    if (!m$converged) stop(cs$id, ": glm did not converge")
    if (any(is.na(coef(m)))) stop(cs$id, ": aliased coefficients")
    # glm's IRLS is Fisher scoring: for probit/cloglog it converges linearly
    # and stops on the deviance, with the estimates still ~1e-7 from the
    # optimum. Polish with full Newton steps (observed Hessian, quadratic
    # convergence), then let glm restart there so the object is consistent.
    beta <- newton_polish(m, est)
    args$start <- beta
    m <- suppressWarnings(do.call(glm, args))
    drift <- max(abs(coef(m) - beta) / pmax(abs(beta), 1e-300))
    if (drift > 1e-12) stop(cs$id, ": estimates not settled, drift ", drift)

    n <- nobs(m); k <- length(coef(m))
    if (!is.null(o$weights) && o$weight_type == "prob") n <- sum(m$prior.weights > 0)
    mf_rows <- as.integer(rownames(model.frame(m)))   # rows used (listwise)
    if (o$vce == "oim") {
        V <- if (o$information == "expected") vcov(m)
             else hessian_inv(m, est, "observed")
        if (o$information == "expected" || est == "logit")
            stopifnot(max(abs(hessian_inv(m, est, "expected") - vcov(m)) /
                          max(abs(vcov(m)))) < 1e-12)
    } else if (o$vce == "robust") {
        if (o$information == "expected" || est == "logit") {
            V <- switch(o$ssc,
                hc0 = vcovHC(m, type = "HC0"),
                hc1 = vcovHC(m, type = "HC1"),
                stata = vcovHC(m, type = "HC0") * n / (n - 1))
        } else {
            B <- hessian_inv(m, est, "observed"); S <- scores(m, est)
            V <- B %*% crossprod(S) %*% B *
                switch(o$ssc, hc0 = 1, hc1 = n / (n - k), stata = n / (n - 1))
        }
    } else {
        cl <- d[mf_rows, o$cluster, drop = FALSE]
        stopifnot(!anyNA(cl))
        cf <- as.formula(paste("~", paste(o$cluster, collapse = " + ")))
        # vcovCL looks the cluster variables up in the model's data (expand.model.frame)
        Vs <- switch(o$ssc,
            stata = vcovCL(m, cluster = cl, type = "HC0", cadjust = TRUE),
            hc1 = vcovCL(m, cluster = cl, type = "HC1", cadjust = TRUE),
            hc0 = vcovCL(m, cluster = cl, type = "HC0", cadjust = FALSE))
        if (o$information == "expected" || est == "logit") {
            V <- Vs
        } else {
            stopifnot(length(o$cluster) == 1)
            B <- hessian_inv(m, est, "observed"); S <- scores(m, est)
            G <- length(unique(cl[[1]]))
            c_ <- switch(o$ssc, hc0 = 1, stata = G / (G - 1),
                         hc1 = G / (G - 1) * (n - 1) / (n - k))
            V <- c_ * B %*% cluster_meat(S, cl[[1]]) %*% B
        }
        if (length(o$cluster) == 1) {
            # cross-check sandwich against the textbook formula
            B <- hessian_inv(m, est, "expected"); S <- scores(m, est)
            G <- length(unique(cl[[1]]))
            c_ <- switch(o$ssc, hc0 = 1, stata = G / (G - 1),
                         hc1 = G / (G - 1) * (n - 1) / (n - k))
            Vm <- c_ * B %*% cluster_meat(S, cl[[1]]) %*% B
            stopifnot(max(abs(Vm - Vs)) / max(abs(Vs)) < 1e-12)
        }
    }
    broom_table(coef(m), V)
}

only <- commandArgs(trailingOnly = TRUE)
for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    if (length(only) && !(cs$id %in% only)) next
    tab <- fit_case(cs)
    write_ref(tab, file.path(outdir, paste0(cs$id, ".csv")))
    cat(sprintf("%-34s %2d terms\n", cs$id, nrow(tab)))
}
write_versions(c("sandwich", "haven"), file.path(outdir, "VERSIONS"))
