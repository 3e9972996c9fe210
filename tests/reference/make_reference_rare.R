#!/usr/bin/env Rscript
# make_reference_rare.R -- reference values for the relogit and Firth cases
# run through the command line (tests/reference/cases_rare.tsv) and the C API
# (tests/api/test_rare_api.c).
#
#   Rscript tests/reference/make_reference_rare.R      (from the repository root)
#
# Writes
#   tests/data/models/separated.csv          small completely separated data
#   tests/reference/values/<id>.csv          broom columns, "%.17g", per case
#   tests/reference/values/rare_relogit_stats.csv, firth_stats.csv
#                                            id, n, loglik, loglik0 per case
#
# relogit: King & Zeng (2001) from the paper's formulas with glm() and matrix
#   algebra (as tests/reference/unit_rare.R, written independently of the C
#   code): b^ from glm (case weights w1 = tau/ybar, w0 = (1-tau)/(1-ybar)
#   under the weighting correction), bias = (X'WX)^-1 X'W xi with
#   xi = 0.5 Q_ii ((1 + w1) pi - w1) (w1 = 1 without weighting), prior
#   correction b0 -= log(((1-tau)/tau) (ybar/(1-ybar))), b~ = b^ - bias,
#   V(b~) = (n/(n+k))^2 V(b^). V(b^) for `--vce oim` is (X'WX)^-1; for
#   `--vce cluster V --ssc stata` sandwich::vcovCL(glm, type = "HC0",
#   cadjust = TRUE) (cross-checked against the textbook G/(G-1) B M B), for
#   `--vce robust --ssc hc0` vcovHC(type = "HC0"). Under the weighting
#   correction the glm has the case weights, so bread and scores are the
#   weighted ones. loglik: the (weighted) sample log likelihood at b^ before
#   the prior shift; loglik0 that of the intercept-only (weighted) fit.
# Firth: logistf with tight convergence. Standard errors are
#   sqrt(diag((X'WX)^-1)) at the logistf estimate (Firth's variance, the
#   core's default; logistf >= 1.24 reports the augmented-data variance),
#   cross-checked with brglm2 (AS_mean) coefficients and vcov. Without
#   `--ci wald`, conf.low/conf.high are logistf's profile penalised-
#   likelihood limits and p.value its penalised LR p-values; with it, Wald.
#   loglik/loglik0 are logistf's penalised loglik["full"] / ["null"].
suppressPackageStartupMessages({
    library(haven)
    library(sandwich)
    library(logistf)
    library(brglm2)
})

outdir <- "tests/reference/values"

# ---------------------------------------------------------------- data
# Completely separated on x1 (y = 1 exactly when x1 > 0); x2 noise. ML does
# not exist; Firth's estimate does.
sep <- local({
    n <- 30
    x1 <- round(seq(-2.1, 2.2, length.out = n) + 0.03 * sin(1:n), 6)
    x2 <- round(cos(2.7 * (1:n)) + 0.1 * (1:n %% 3), 6)
    data.frame(y = as.integer(x1 > 0), x1 = x1, x2 = x2)
})
write.csv(sep, "tests/data/models/separated.csv", row.names = FALSE,
          quote = FALSE)

cases <- read.delim("tests/reference/cases_rare.tsv", quote = "",
                    comment.char = "", stringsAsFactors = FALSE,
                    colClasses = "character")

read_data <- function(path) {
    ext <- tolower(sub(".*\\.", "", path))
    d <- switch(ext, dta = read_dta(path),
                csv = read.csv(path, stringsAsFactors = FALSE),
                stop("unknown data file type: ", path))
    as.data.frame(zap_labels(zap_formats(d)))
}

parse_opts <- function(s) {
    tok <- strsplit(trimws(s), "[[:space:]]+")[[1]]
    o <- list(vce = "oim", ssc = "stata", cluster = character(0), tau = NULL,
              correction = "prior", ci = "profile")
    i <- 1
    while (i <= length(tok)) {
        t <- tok[i]
        if (t == "--vce") {
            o$vce <- tok[i + 1]; i <- i + 2
            if (o$vce == "cluster")
                while (i <= length(tok) && !startsWith(tok[i], "--")) {
                    o$cluster <- c(o$cluster, tok[i]); i <- i + 1
                }
        } else if (t == "--ssc") { o$ssc <- tok[i + 1]; i <- i + 2
        } else if (t == "--tau") { o$tau <- as.numeric(tok[i + 1]); i <- i + 2
        } else if (t == "--correction") { o$correction <- tok[i + 1]; i <- i + 2
        } else if (t == "--ci") { o$ci <- tok[i + 1]; i <- i + 2
        } else stop("unknown option ", t)
    }
    o
}

broom <- function(b, se, p = NULL, lo = NULL, hi = NULL) {
    z <- b / se; q <- qnorm(0.975)
    if (is.null(p)) p <- 2 * pnorm(-abs(z))
    if (is.null(lo)) { lo <- b - q * se; hi <- b + q * se }
    data.frame(term = names(b), estimate = unname(b), std.error = unname(se),
               statistic = unname(z), p.value = unname(p),
               conf.low = unname(lo), conf.high = unname(hi),
               stringsAsFactors = FALSE)
}

write_ref <- function(tab, path) {
    num <- function(x) {
        s <- sprintf("%.17g", x)
        s[is.infinite(x) & x > 0] <- "Inf"; s[is.infinite(x) & x < 0] <- "-Inf"
        s
    }
    stopifnot(!grepl(",", tab$term))
    writeLines(c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
                 paste(tab$term, num(tab$estimate), num(tab$std.error),
                       num(tab$statistic), num(tab$p.value),
                       num(tab$conf.low), num(tab$conf.high), sep = ",")),
               path)
}

# --------------------------------------------------------------- relogit
relogit_case <- function(cs, d) {
    o <- parse_opts(cs$options)
    f <- as.formula(cs$formula)
    mf <- model.frame(f, d)                 # listwise deletion
    rows <- as.integer(rownames(mf))
    X <- model.matrix(f, mf); y <- model.response(mf)
    n <- nrow(X); k <- ncol(X); ybar <- mean(y)
    weighting <- !is.null(o$tau) && o$correction == "weighting"
    w1 <- 1; w0 <- 1
    if (!is.null(o$tau)) { w1 <- o$tau / ybar; w0 <- (1 - o$tau) / (1 - ybar) }
    wi <- if (weighting) ifelse(y == 1, w1, w0) else rep(1, n)
    dd <- d[rows, , drop = FALSE]; dd$.wi <- wi
    m <- suppressWarnings(glm(f, family = binomial, data = dd, weights = .wi,
                              control = glm.control(epsilon = 1e-15,
                                                    maxit = 200)))
    stopifnot(m$converged)
    # glm stops on the deviance (the last step of order 1e-8 in b) and its
    # vcov/working weights lag one iteration: polish with full Newton steps
    # (logit: Hessian = -X'WX) and evaluate every piece at the polished b^
    b <- coef(m)
    for (it in 1:50) {
        pi <- drop(plogis(X %*% b))
        step <- drop(solve(crossprod(X, (pi * (1 - pi) * wi) * X),
                           crossprod(X, wi * (y - pi))))
        b <- b + step
        if (max(abs(step) / pmax(abs(b), 1e-300)) < 1e-15) break
    }
    pi <- drop(plogis(X %*% b))
    W <- pi * (1 - pi) * wi
    XWXi <- solve(crossprod(X, W * X))
    S <- X * (wi * (y - pi))
    # sandwich on a glm restarted at b^ as a cross-check (its bread lags)
    m <- suppressWarnings(glm(f, family = binomial, data = dd, weights = .wi,
                              start = b, control = glm.control(epsilon = 1e-15,
                                                               maxit = 200)))
    chk <- function(V, Vs, what) {
        e <- max(abs(V - Vs) / sqrt(diag(V) %o% diag(V)))
        cat(sprintf("  %s: textbook vs sandwich %.2g\n", what, e))
        stopifnot(e < 1e-6)
    }
    Vml <- switch(o$vce,
        oim = XWXi,
        robust = {
            stopifnot(o$ssc == "hc0")
            V <- XWXi %*% crossprod(S) %*% XWXi
            chk(V, vcovHC(m, type = "HC0"), "HC0")
            V
        },
        cluster = {
            stopifnot(o$ssc == "stata", length(o$cluster) == 1)
            cl <- dd[[o$cluster]]
            G <- length(unique(cl))
            V <- G / (G - 1) * XWXi %*% crossprod(rowsum(S, cl)) %*% XWXi
            chk(V, vcovCL(m, cluster = cl, type = "HC0", cadjust = TRUE),
                "vcovCL")
            V
        })
    wb <- if (weighting) w1 else 1
    Q <- rowSums((X %*% XWXi) * X)
    xi <- 0.5 * Q * ((1 + wb) * pi - wb)
    bias <- drop(XWXi %*% crossprod(X, W * xi))
    shift <- if (!is.null(o$tau) && !weighting)
        log(((1 - o$tau) / o$tau) * (ybar / (1 - ybar))) else 0
    bt <- b; bt[1] <- bt[1] - shift
    bt <- bt - bias
    V <- (n / (n + k))^2 * Vml
    ll <- sum(wi * (y * log(pi) + (1 - y) * log(1 - pi)))
    p0 <- sum(wi * y) / sum(wi)
    ll0 <- sum(wi * (y * log(p0) + (1 - y) * log(1 - p0)))
    list(tab = broom(bt, sqrt(diag(V))), n = n, loglik = ll, loglik0 = ll0)
}

# ----------------------------------------------------------------- Firth
tight <- logistf.control(maxit = 1000, xconv = 1e-12, gconv = 1e-12,
                         lconv = 1e-13)
tightpl <- logistpl.control(maxit = 1000, xconv = 1e-12, lconv = 1e-13)

# Profile penalised likelihood written out here (logistf's profile
# iteration stops at its maxit on separated data, with limits visibly short
# of the crossing). For b_j fixed at t the other coefficients maximise
# l*(b) = l(b) + 0.5 log|I(b)| (penalty from the full information, as
# logistf) by the modified-score step I_ff^-1 U*_f with step halving;
# limits solve 2(l*max - l*_j(t)) = qchisq(0.95, 1) by uniroot.
lstar <- function(X, y, b) {
    eta <- drop(X %*% b); p <- plogis(eta)
    sum(y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE)) +
        0.5 * determinant(crossprod(X, (p * (1 - p)) * X))$modulus[1]
}
firth_free <- function(X, y, b, j = 0) {
    free <- setdiff(seq_len(ncol(X)), j)
    ls <- lstar(X, y, b)
    for (it in 1:2000) {
        p <- plogis(drop(X %*% b)); I <- crossprod(X, (p * (1 - p)) * X)
        h <- rowSums((X %*% solve(I)) * X) * p * (1 - p)
        U <- crossprod(X, y - p + h * (0.5 - p))
        delta <- numeric(ncol(X))
        delta[free] <- solve(I[free, free, drop = FALSE], U[free])
        if (max(abs(delta)) > 5) delta <- delta * 5 / max(abs(delta))
        ok <- FALSE
        for (hv in 0:40) {
            bn <- b + delta / 2^hv; ln <- lstar(X, y, bn)
            if (ln >= ls) { ok <- TRUE; break }
        }
        if (!ok) break
        moved <- max(abs(bn - b) / (1 + abs(b)))
        b <- bn; ls <- ln
        if (moved < 1e-15) break
    }
    list(b = b, ls = ls)
}
profile_ref <- function(X, y, bhat, se, level = 0.95) {
    lmax <- firth_free(X, y, bhat)$ls
    crit <- qchisq(level, 1)
    dev <- function(j, t) {
        b <- bhat; b[j] <- t
        2 * (lmax - firth_free(X, y, b, j)$ls)
    }
    k <- ncol(X); lo <- hi <- pv <- numeric(k)
    for (j in seq_len(k)) {
        pv[j] <- pchisq(max(dev(j, 0), 0), 1, lower.tail = FALSE)
        for (side in c(-1, 1)) {
            far <- bhat[j] + side * 2 * se[j]
            while (dev(j, far) < crit) far <- bhat[j] + 2 * (far - bhat[j])
            r <- uniroot(function(t) dev(j, t) - crit,
                         sort(c(bhat[j], far)), tol = 1e-14 * (1 + abs(far)),
                         maxiter = 1000)$root
            if (side < 0) lo[j] <- r else hi[j] <- r
        }
    }
    list(lo = lo, hi = hi, p = pv)
}

firth_case <- function(cs, d) {
    o <- parse_opts(cs$options)
    stopifnot(o$vce == "oim")
    f <- as.formula(cs$formula)
    mf <- model.frame(f, d)
    dd <- d[as.integer(rownames(mf)), , drop = FALSE]
    profile <- o$ci != "wald"
    ff <- logistf(f, data = dd, control = tight, plcontrol = tightpl,
                  pl = profile)
    X <- model.matrix(f, mf)
    b <- coef(ff)
    pi <- drop(plogis(X %*% b))
    V <- solve(crossprod(X, (pi * (1 - pi)) * X))
    se <- sqrt(diag(V))
    # brglm2's mean bias reduction is Firth's estimator for logit
    g <- suppressWarnings(glm(f, data = dd, family = binomial,
                              method = "brglmFit", type = "AS_mean",
                              epsilon = 1e-14, maxit = 1000))
    cat(sprintf("  %s: logistf vs brglm2 max rel. diff coef %.2g se %.2g\n",
                cs$id, max(abs(coef(g) - b) / pmax(abs(b), 1e-300)),
                max(abs(sqrt(diag(vcov(g))) - se) / se)))
    stopifnot(max(abs(coef(g) - b) / pmax(abs(b), 1e-300)) < 1e-6)
    tab <- if (profile) {
        stopifnot(all(ff$method.ci == "Profile Likelihood"))
        y <- model.response(mf)
        pr <- profile_ref(X, y, b, se)
        names(pr$lo) <- names(pr$hi) <- names(pr$p) <- names(b)
        # logistf's limits where its profile iteration converged
        conv <- ff$pl.iter[, 1:2] < tightpl$maxit
        e <- c(abs(pr$lo - ff$ci.lower)[conv[, 1]] / (1 + abs(pr$lo[conv[, 1]])),
               abs(pr$hi - ff$ci.upper)[conv[, 2]] / (1 + abs(pr$hi[conv[, 2]])))
        cat(sprintf("  %s: profile limits vs logistf (%d converged) %.2g; p %.2g\n",
                    cs$id, sum(conv), max(c(e, 0)),
                    max(abs(pr$p - ff$prob) / pmax(ff$prob, 1e-300))))
        stopifnot(max(c(e, 0)) < 1e-7)
        broom(b, se, p = pr$p, lo = pr$lo, hi = pr$hi)
    } else broom(b, se)
    list(tab = tab, n = nrow(X), loglik = unname(ff$loglik["full"]),
         loglik0 = unname(ff$loglik["null"]))
}

cache <- new.env()
stats <- list(relogit = NULL, firth = NULL)
for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    if (is.null(cache[[cs$data]])) assign(cs$data, read_data(cs$data), envir = cache)
    d <- cache[[cs$data]]
    t0 <- proc.time()[["elapsed"]]
    r <- switch(cs$estimator, relogit = relogit_case(cs, d),
                firth = firth_case(cs, d), stop("estimator ", cs$estimator))
    write_ref(r$tab, file.path(outdir, paste0(cs$id, ".csv")))
    row <- data.frame(id = cs$id, n = r$n, loglik = sprintf("%.17g", r$loglik),
                      loglik0 = sprintf("%.17g", r$loglik0))
    stats[[cs$estimator]] <- rbind(stats[[cs$estimator]], row)
    cat(sprintf("%-36s %2d terms  %.1f s\n", cs$id, nrow(r$tab),
                proc.time()[["elapsed"]] - t0))
}
write.csv(stats$relogit, file.path(outdir, "rare_relogit_stats.csv"),
          row.names = FALSE, quote = FALSE)
write.csv(stats$firth, file.path(outdir, "firth_stats.csv"),
          row.names = FALSE, quote = FALSE)
cat(sprintf("R %s.%s, sandwich %s, logistf %s, brglm2 %s\n", R.version$major,
            R.version$minor, packageVersion("sandwich"),
            packageVersion("logistf"), packageVersion("brglm2")))
