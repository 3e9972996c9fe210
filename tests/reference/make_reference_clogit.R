#!/usr/bin/env Rscript
# make_reference_clogit.R -- reference values for conditional logit (clogit)
# and logit with absorbed fixed effects (felogit), run through the command
# line (tests/reference/cases_clogit.tsv) and the C API
# (tests/api/test_clogit_api.c).
#
#   Rscript tests/reference/make_reference_clogit.R     (from the repository root)
#
# Writes
#   tests/data/models/clogit_one.csv     150 groups x 6 rows, one event each
#   tests/data/models/clogit_multi.csv   groups of 4-14 rows with 0..n events
#                                        (some all 0 / all 1, some with more
#                                        events than non-events)
#   tests/reference/values/<id>.csv      broom columns, "%.17g", per case
#   tests/reference/values/clogit_stats.csv   id, n, groups, loglik, loglik0
#
# clogit: survival::clogit(method = "exact") (coxph's exact partial
#   likelihood, tight convergence) for coefficients, oim SEs and logliks.
#   survival gives no robust variance for the exact method, so for robust /
#   cluster the group scores are computed here from the inclusion
#   probabilities P(i in S) = r_i B_{-i}(d-1) / B(d) (B_{-i} by polynomial
#   division), a different route from the C code's derivative recursion,
#   checked against brute-force subset enumeration (combn) on small groups
#   and, for one event per group, against coxph(method = "efron",
#   cluster = g) (dfbeta; exact = Efron = Breslow then). V = c I^-1 (sum_G
#   S_G S_G') I^-1 with I^-1 = vcov(clogit), c = 1 (hc0: survival's form)
#   or G/(G-1) (stata: Stata's clogit vce(cluster) / vce(robust), which
#   clusters on the group).
# felogit: fixest::feglm(family = binomial) with glm.tol = 1e-12,
#   fixef.tol = 1e-11 (the smallest it takes; the defaults, 1e-8 and 1e-6, stop well before 8
#   digits). oim: vcov = "iid", ssc(K.adj = FALSE); cluster stata:
#   ssc(K.adj = FALSE, G.adj = TRUE) (G/(G-1)); hc0: ssc(K.adj = FALSE,
#   G.adj = FALSE). fixest stops at glm.tol on the deviance and evaluates
#   the variance at the previous iteration's weights, ~1e-8 off; its IRLS is
#   continued here (weighted within regressions on fixest::demean) to
#   rounding level, and the variance (Schur-complement information, scores
#   (y - mu) x~) evaluated there; the difference from vcov(m) is printed.
#   fixest drops groups without outcome variation as the C
#   code does (checked: same nobs).
suppressPackageStartupMessages({
    library(haven)
    library(survival)
    library(fixest)
})
outdir <- "tests/reference/values"

# ---------------------------------------------------------------- data
set.seed(20261125)
one <- local({
    G <- 150; m <- 6
    g <- rep(seq_len(G), each = m)
    x1 <- round(rnorm(G * m), 6)
    x2 <- rbinom(G * m, 1, 0.4)
    z <- round(rep(rnorm(G), each = m), 6)          # constant within groups
    eta <- 0.8 * x1 - 0.6 * x2
    y <- integer(G * m)
    for (q in seq_len(G)) {
        i <- which(g == q)
        y[i[sample.int(m, 1, prob = exp(eta[i]))]] <- 1L
    }
    data.frame(grp = g, y = y, x1 = x1, x2 = x2, z = z,
               region = (g - 1) %/% 10 + 1, slot = rep(seq_len(m), G),
               cross = rep(1:7, length.out = G * m))
})
write.csv(one, "tests/data/models/clogit_one.csv", row.names = FALSE, quote = FALSE)

multi <- local({
    G <- 120
    sz <- sample(4:14, G, replace = TRUE)
    g <- rep(seq_len(G), sz)
    N <- length(g)
    x1 <- round(rnorm(N), 6)
    x2 <- round(runif(N, -1, 1) + 0.3 * rep(rnorm(G), sz), 6)
    a <- rep(rnorm(G, 0, 1.5), sz)
    y <- rbinom(N, 1, plogis(a + 0.7 * x1 - 0.9 * x2))
    slot <- unlist(lapply(sz, seq_len))
    data.frame(grp = g, y = y, x1 = x1, x2 = x2, slot = slot,
               region = (g - 1) %/% 8 + 1)
})
write.csv(multi, "tests/data/models/clogit_multi.csv", row.names = FALSE, quote = FALSE)

# ---------------------------------------------------------------- helpers
read_data <- function(path) {
    ext <- tolower(sub(".*\\.", "", path))
    d <- switch(ext, dta = read_dta(path),
                csv = read.csv(path, stringsAsFactors = FALSE),
                stop("unknown data file type: ", path))
    as.data.frame(zap_labels(zap_formats(d)))
}

parse_opts <- function(s) {
    tok <- strsplit(trimws(s), "[[:space:]]+")[[1]]
    o <- list(vce = "oim", ssc = "stata", cluster = character(0), group = NULL,
              absorb = NULL, filter = NULL)
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
        } else if (t == "--group") { o$group <- tok[i + 1]; i <- i + 2
        } else if (t == "--absorb") {
            o$absorb <- strsplit(tok[i + 1], ",")[[1]]; i <- i + 2
        } else stop("unknown option ", t)
    }
    o
}

broom <- function(b, se) {
    z <- b / se; q <- qnorm(0.975)
    data.frame(term = names(b), estimate = unname(b), std.error = unname(se),
               statistic = unname(z), p.value = unname(2 * pnorm(-abs(z))),
               conf.low = unname(b - q * se), conf.high = unname(b + q * se),
               stringsAsFactors = FALSE)
}

write_ref <- function(tab, path) {
    num <- function(x) sprintf("%.17g", x)
    writeLines(c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
                 paste(tab$term, num(tab$estimate), num(tab$std.error),
                       num(tab$statistic), num(tab$p.value),
                       num(tab$conf.low), num(tab$conf.high), sep = ",")),
               path)
}

# Score of group's exact conditional log likelihood from inclusion
# probabilities: sum_{events} x - sum_i P(i in S) x_i, with
# P(i in S) = r_i B_{-i}(d-1) / B(d); B_{-i} from prefix and suffix products
# of (1 + r_l t) (all terms positive: no cancellation).
group_score <- function(X, y, b) {
    n <- nrow(X); d <- sum(y)
    if (d == 0 || d == n) return(rep(0, ncol(X)))
    if (d > n - d) { X <- -X; y <- 1 - y; d <- n - d }
    eta <- drop(X %*% b); r <- exp(eta - max(eta))
    P <- matrix(0, n + 1, d + 1); P[1, 1] <- 1      # P[i, ]: rows < i
    for (i in seq_len(n)) {
        P[i + 1, ] <- P[i, ]
        P[i + 1, 2:(d + 1)] <- P[i + 1, 2:(d + 1)] + r[i] * P[i, 1:d]
    }
    Q <- matrix(0, n + 1, d + 1); Q[n + 1, 1] <- 1  # Q[i, ]: rows >= i
    for (i in n:1) {
        Q[i, ] <- Q[i + 1, ]
        Q[i, 2:(d + 1)] <- Q[i, 2:(d + 1)] + r[i] * Q[i + 1, 1:d]
    }
    Bd <- P[n + 1, d + 1]
    p <- sapply(seq_len(n), function(i)
        r[i] * sum(P[i, 1:d] * rev(Q[i + 1, 1:d])) / Bd)
    colSums(X[y == 1, , drop = FALSE]) - colSums(p * X)
}

# brute force over all subsets (small groups only)
group_score_enum <- function(X, y, b) {
    n <- nrow(X); d <- sum(y)
    if (d == 0 || d == n) return(rep(0, ncol(X)))
    S <- combn(n, d)
    tot <- apply(S, 2, function(s) colSums(X[s, , drop = FALSE]))
    tot <- matrix(tot, nrow = ncol(X))
    e <- drop(crossprod(tot, b)); w <- exp(e - max(e)); w <- w / sum(w)
    colSums(X[y == 1, , drop = FALSE]) - drop(tot %*% w)
}

clogit_case <- function(cs, d) {
    o <- parse_opts(cs$options)
    f <- as.formula(cs$formula)
    vars <- unique(c(all.vars(f), o$group, o$cluster))
    dd <- d[complete.cases(d[, vars, drop = FALSE]), , drop = FALSE]
    dd$.g <- dd[[o$group]]
    fs <- update(f, . ~ . + strata(.g))
    t0 <- proc.time()[["elapsed"]]
    m <- clogit(fs, data = dd, method = "exact",
                control = coxph.control(eps = 1e-14, toler.chol = 1e-15,
                                        iter.max = 100))
    el <- proc.time()[["elapsed"]] - t0
    b <- coef(m)
    b <- b[!is.na(b)]
    V <- vcov(m)
    mf <- model.frame(f, dd)
    X <- model.matrix(f, mf)[, names(b), drop = FALSE]
    y <- model.response(mf)
    ev <- tapply(y, dd$.g, sum); nn <- tapply(y, dd$.g, length)
    G <- sum(ev > 0 & ev < nn)
    if (o$vce != "oim") {
        grp <- split(seq_len(nrow(X)), dd$.g)
        Sg <- t(sapply(grp, function(i) group_score(X[i, , drop = FALSE], y[i], b)))
        if (ncol(X) == 1) Sg <- t(Sg)
        small <- which(sapply(grp, length) <= 14)
        if (length(small)) {
            Se <- t(sapply(grp[small], function(i)
                group_score_enum(X[i, , drop = FALSE], y[i], b)))
            if (ncol(X) == 1) Se <- t(Se)
            e <- max(abs(Se - Sg[small, , drop = FALSE]))
            cat(sprintf("  %s: inclusion-probability vs enumeration scores %.2g\n", cs$id, e))
            stopifnot(e < 1e-10)
        }
        rel <- max(abs(colSums(Sg)) / sqrt(colSums(Sg^2)))
        cat(sprintf("  %s: max |sum of group scores| / norm %.2g\n", cs$id, rel))
        stopifnot(rel < 1e-8)
        keep <- rowSums(Sg != 0) > 0          # groups with variation
        Sg <- Sg[keep, , drop = FALSE]
        if (o$vce == "cluster") {
            cl <- tapply(dd[[o$cluster]], dd$.g, function(v) {
                stopifnot(length(unique(v)) == 1); v[1] })[keep]
            M <- crossprod(rowsum(Sg, cl)); Gc <- length(unique(cl))
        } else {
            M <- crossprod(Sg); Gc <- nrow(Sg)
        }
        cfac <- if (o$ssc == "stata") Gc / (Gc - 1) else { stopifnot(o$ssc == "hc0"); 1 }
        V <- cfac * V %*% M %*% V
        if (all(ev %in% c(0, 1))) {
            dd$.cl <- if (o$vce == "robust") dd$.g else dd[[o$cluster]]
            dd$.y <- y
            me <- coxph(update(fs, Surv(rep(1, nrow(dd)), .y) ~ .), data = dd,
                        ties = "efron", cluster = .cl)
            e <- max(abs(vcov(me) * cfac - V) / sqrt(diag(V) %o% diag(V)))
            cat(sprintf("  %s: coxph(efron, cluster) vs inclusion scores %.2g\n", cs$id, e))
            stopifnot(e < 1e-7)
        }
    }
    list(tab = broom(b, sqrt(diag(V))), n = sum(nn[ev > 0 & ev < nn]), G = G,
         loglik = m$loglik[2], loglik0 = m$loglik[1], secs = el)
}

felogit_case <- function(cs, d) {
    o <- parse_opts(cs$options)
    f <- as.formula(cs$formula)
    vars <- unique(c(all.vars(f), o$absorb, o$cluster))
    dd <- d[complete.cases(d[, vars, drop = FALSE]), , drop = FALSE]
    ff <- as.formula(paste(deparse(f, width.cutoff = 500), "|",
                           paste(o$absorb, collapse = " + ")))
    kadj <- FALSE
    gadj <- o$ssc == "stata"
    stopifnot(o$ssc %in% c("stata", "hc0"))
    vc <- switch(o$vce, oim = "iid",
                 cluster = as.formula(paste("~", o$cluster[1])),
                 robust = "hetero")
    t0 <- proc.time()[["elapsed"]]
    m <- feglm(ff, data = dd, family = binomial, glm.tol = 1e-12,
               fixef.tol = 1e-11, glm.iter = 200, fixef.iter = 100000,
               vcov = vc, ssc = ssc(K.adj = kadj, G.adj = gadj))
    el <- proc.time()[["elapsed"]] - t0
    stopifnot(m$convStatus)
    # fixest stops at glm.tol on the deviance and evaluates its variance at
    # the previous iteration's weights (~1e-8 off). Continue its IRLS here to
    # rounding level, each step a weighted within regression on
    # fixest::demean (tol 1e-13), and evaluate the variance at the end.
    obs <- obs(m)
    X <- model.matrix(m, type = "rhs")
    y <- dd[[all.vars(f)[1]]][obs]
    fe <- dd[obs, o$absorb, drop = FALSE]
    eta <- m$linear.predictors
    dm <- function(M, W) demean(M, fe, weights = W, tol = 1e-13, iter = 1e6,
                                notes = FALSE)
    for (it in 1:100) {
        mu <- plogis(eta); W <- mu * (1 - mu); z <- eta + (y - mu) / W
        D <- dm(cbind(z, X), W)
        zt <- D[, 1]; Xt <- D[, -1, drop = FALSE]
        b <- drop(solve(crossprod(Xt, W * Xt), crossprod(Xt, W * zt)))
        en <- drop(z - (zt - Xt %*% b))
        moved <- max(abs(en - eta))
        eta <- en
        if (moved < 1e-12) break
    }
    mu <- plogis(eta); W <- mu * (1 - mu)
    Xt <- dm(X, W)
    Ii <- solve(crossprod(Xt, W * Xt))
    S <- (y - mu) * Xt
    V <- switch(o$vce, oim = Ii,
        cluster = {
            cl <- dd[[o$cluster[1]]][obs]; G <- length(unique(cl))
            (if (gadj) G / (G - 1) else 1) * Ii %*% crossprod(rowsum(S, cl)) %*% Ii
        })
    # fixest names I(x^2) "I(I(x^2))": back to R's model.matrix names
    names(b) <- sub("^I\\((I\\(.*\\))\\)$", "\\1", names(coef(m)))
    cat(sprintf("  %s: fixest vs polished: coef %.2g, se %.2g (relative)\n", cs$id,
                max(abs(coef(m) - b) / abs(b)),
                max(abs(sqrt(diag(vcov(m))) / sqrt(diag(V)) - 1))))
    ll <- sum(y * plogis(eta, log.p = TRUE) + (1 - y) * plogis(-eta, log.p = TRUE))
    # fixed-effects-only model on the same rows (loglik is second-order in
    # the convergence error, so fixest's value is exact enough)
    d0 <- dd[obs, , drop = FALSE]
    m0 <- feglm(as.formula(paste(all.vars(f)[1], "~ 1 |", paste(o$absorb, collapse = " + "))),
                data = d0, family = binomial, glm.tol = 1e-12, fixef.tol = 1e-11,
                glm.iter = 200, fixef.iter = 100000, notes = FALSE)
    stopifnot(nobs(m0) == nobs(m))
    list(tab = broom(b, sqrt(diag(V))), n = nobs(m), loglik0 = as.numeric(logLik(m0)),
         G = paste(m$fixef_sizes, collapse = "/"), loglik = ll, secs = el)
}

cases <- read.delim("tests/reference/cases_clogit.tsv", quote = "",
                    comment.char = "", stringsAsFactors = FALSE,
                    colClasses = "character")
stats <- NULL
cache <- list()
for (r in seq_len(nrow(cases))) {
    cs <- cases[r, ]
    if (is.null(cache[[cs$data]])) cache[[cs$data]] <- read_data(cs$data)
    d <- cache[[cs$data]]
    res <- switch(cs$estimator, clogit = clogit_case(cs, d),
                  felogit = felogit_case(cs, d))
    write_ref(res$tab, file.path(outdir, paste0(cs$id, ".csv")))
    cat(sprintf("%s: n = %d, groups %s, loglik %.10g, %.2f s\n", cs$id,
                as.integer(res$n), res$G, res$loglik, res$secs))
    stats <- rbind(stats, data.frame(id = cs$id, n = res$n, groups = res$G,
                                     loglik = sprintf("%.17g", res$loglik),
                                     loglik0 = sprintf("%.17g", res$loglik0),
                                     seconds = sprintf("%.2f", res$secs)))
}
write.csv(stats, file.path(outdir, "clogit_stats.csv"), row.names = FALSE, quote = FALSE)
writeLines(c(R.version.string,
             paste("survival", packageVersion("survival")),
             paste("fixest", packageVersion("fixest"))),
           file.path(outdir, "clogit_VERSIONS"))
