#!/usr/bin/env Rscript
# make_reference_accuracy.R -- high-precision reference answers for the
# numerical accuracy suite (tests/accuracy/test_accuracy.c, docs/accuracy.md).
#
#   Rscript tests/reference/make_reference_accuracy.R    (from the repo root)
#
# Needs Rmpfr (Debian r-cran-rmpfr). Writes tests/accuracy/ref_accuracy.h:
# the data of each problem (every value an exact double, printed "%.17g"),
# and for logit, probit and cloglog the maximum likelihood coefficients and
# the OIM standard errors sqrt(diag(I^-1)), I the observed information
# (negative Hessian of the log likelihood) at the MLE; for the one-observation
# cluster problem also the logit cluster-robust SE with Stata's small-sample
# factor G/(G-1): V = G/(G-1) I^-1 (sum_g s_g s_g') I^-1.
#
# Method (independent of the C code and of R's glm): the data, read as exact
# doubles, are converted to 256-bit MPFR numbers; Newton's method on the
# (weighted) log likelihood is run in that precision from glm()'s double
# estimate until the step is below 1e-60 relative, with the score and the
# observed Hessian written out from the link's density and its derivative.
# The reference is then rounded to 20 significant digits, far beyond the
# 15.95 digits a double can hold, so the LRE of a C result measures only the
# C code's error.
#
# The table also gives the 2-norm condition number of the information at the
# MLE, raw and after scaling it to unit diagonal (D^-1/2 I D^-1/2); the
# scaled one bounds what a column-scaled double-precision solver can reach:
# LRE about 16 - log10(cond).
suppressPackageStartupMessages(library(Rmpfr))
PREC <- 256
set.seed(20261125)

out <- "tests/accuracy/ref_accuracy.h"

## ---------------------------------------------------------------- problems
problems <- list()
add <- function(name, desc, df, formula, weights = NULL, wtype = 0L,
                cluster = NULL)
    problems[[length(problems) + 1]] <<- list(name = name, desc = desc, df = df,
        formula = formula, weights = weights, wtype = wtype, cluster = cluster)
rl <- function(eta) rbinom(length(eta), 1, plogis(eta))

# 1. badly scaled columns: 1e-8 and 1e9 next to an O(1) column
n <- 80
a <- rnorm(n) * 1e-8; b <- rnorm(n) * 1e9; c <- rnorm(n)
add("scaled", "columns of scale 1e-8, 1e9 and 1", data.frame(
    y = rl(0.3 + 0.8e8 * a - 0.7e-9 * b + 0.5 * c), a = a, b = b, c = c),
    "y ~ a + b + c")

# 2. near separation: y = (x > 0) except two rows next to the boundary, so
# the slope is huge (hundreds) but finite
n <- 60
x <- sort(round(runif(n, -1, 1), 3)); x <- x[abs(x) > 0.02]
x <- c(x, -0.004, 0.005); n <- length(x)
y <- as.numeric(x > 0); y[n - 1] <- 1; y[n] <- 0
add("nearsep", "y = (x > 0) but for two rows at |x| < 0.005",
    data.frame(y = y, x = x), "y ~ x")

# 3. nearly collinear: corr(x1, x2) = 1 - 1e-8
n <- 100
x1 <- rnorm(n); e <- rnorm(n); e <- e - mean(e) - sum((e - mean(e)) * (x1 - mean(x1))) / sum((x1 - mean(x1))^2) * (x1 - mean(x1))
x2 <- x1 + sqrt(2e-8) * sd(x1) / sd(e) * e
add("collinear", sprintf("corr(x1, x2) = 1 - %.1e", 1 - cor(x1, x2)),
    data.frame(y = rl(0.2 + x1 - 0.5 * x2), x1 = x1, x2 = x2), "y ~ x1 + x2")

# 4. one-observation clusters: 40 singletons and 10 clusters of 4
n <- 80
cl <- c(1:40, rep(41:50, each = 4))
x <- rnorm(n); d <- rbinom(n, 1, 0.5)
add("oneobs", "40 one-row clusters, 10 of four rows (cluster SE)",
    data.frame(y = rl(-0.3 + 0.7 * x + 0.5 * d), x = x, d = d, cl = cl),
    "y ~ x + d", cluster = "cl")

# 5. weights from 1e-3 to 1e4 (probability weights)
n <- 80
x <- rnorm(n); w <- signif(10^runif(n, -3, 4), 6)
add("weights", "probability weights from 1e-3 to 1e4",
    data.frame(y = rl(0.4 - 0.9 * x), x = x, w = w), "y ~ x",
    weights = "w", wtype = 2L)

# 6. rare outcome: one event in 1000 rows (at an interior x, so the MLE
# exists)
n <- 1000
x <- rnorm(n); y <- numeric(n); y[order(x)[700]] <- 1
add("rare", "1 event in 1000 rows", data.frame(y = y, x = x), "y ~ x")

# 7. large counts: frequency weights summing to 1e9
n <- 40
x <- rnorm(n); f <- rep(25e6, n); f[1:20] <- f[1:20] + 1e6 * (1:20); f[21:40] <- f[21:40] - 1e6 * (1:20)
stopifnot(sum(f) == 1e9)
add("counts", "frequency weights summing to 1e9 (40 rows)",
    data.frame(y = rl(-0.5 + 0.6 * x), x = x, f = f), "y ~ x",
    weights = "f", wtype = 1L)

## ------------------------------------------------------------- links (MPFR)
# mu = F(eta), f = F'(eta), fp = F''(eta); 1 - mu computed directly
link <- function(type, eta) {
    switch(type,
    logit = {
        mu <- 1 / (1 + exp(-eta)); omu <- 1 / (1 + exp(eta))
        f <- mu * omu
        list(mu = mu, omu = omu, f = f, fp = f * (omu - mu))
    },
    probit = {
        mu <- pnorm(eta); omu <- pnorm(-eta)
        f <- exp(-eta^2 / 2) / sqrt(2 * Const("pi", PREC))
        list(mu = mu, omu = omu, f = f, fp = -eta * f)
    },
    cloglog = {
        ee <- exp(eta); omu <- exp(-ee); mu <- -expm1(-ee)
        f <- exp(eta - ee)
        list(mu = mu, omu = omu, f = f, fp = f * (1 - ee))
    })
}

# score per row (d l_i / d eta) and d2 l_i / d eta2
deriv_eta <- function(L, y, type, eta) {
    if (type == "cloglog") {
        # written without 1 - mu in a denominator: for eta near 75 (nearsep)
        # 1 - mu = exp(-exp(75)) is below even MPFR's exponent range, and the
        # general form would be 0/0. With ee = exp(eta), r = (1 - mu) / mu:
        # l = y log mu - (1 - y) ee, dl = y ee r - (1 - y) ee,
        # d2l = y (ee r - ee^2 (1 - mu) / mu^2) - (1 - y) ee
        ee <- exp(eta); r <- L$omu / L$mu
        return(list(g = y * ee * r - (1 - y) * ee,
                    gp = y * (ee * r - ee^2 * L$omu / L$mu^2) - (1 - y) * ee))
    }
    v <- L$mu * L$omu
    s <- y - L$mu
    g <- L$f * s / v
    gp <- L$fp * s / v - L$f^2 / v - L$f * s * L$f * (L$omu - L$mu) / v^2
    list(g = g, gp = gp)
}

# Gaussian elimination with partial pivoting on MPFR matrices: solve A x = b
gsolve <- function(A, B) {
    A <- as(A, "mpfrMatrix"); B <- as(B, "mpfrMatrix")
    k <- nrow(A); M <- cbind(A, B)
    for (j in 1:k) {
        p <- which.max(as.numeric(abs(M[j:k, j]))) + j - 1
        if (p != j) { tmp <- M[j, ]; M[j, ] <- M[p, ]; M[p, ] <- tmp }
        for (i in 1:k) if (i != j) {
            fac <- M[i, j] / M[j, j]
            M[i, ] <- M[i, ] - fac * M[j, ]
        }
    }
    for (j in 1:k) M[j, ] <- M[j, ] / M[j, j]
    M[, (k + 1):ncol(M), drop = FALSE]
}

fit_mpfr <- function(p, type) {
    df <- p$df
    X <- model.matrix(as.formula(p$formula), df)
    y <- df$y
    w <- if (is.null(p$weights)) rep(1, nrow(df)) else df[[p$weights]]
    g0 <- suppressWarnings(glm(as.formula(p$formula), data = df,
        family = binomial(link = type), weights = w,
        control = glm.control(epsilon = 1e-14, maxit = 200)))
    k <- ncol(X)
    Xm <- mpfr(X, PREC); dim(Xm) <- dim(X); Xm <- as(Xm, "mpfrMatrix")
    ym <- mpfr(y, PREC); wm <- mpfr(w, PREC)
    # glm's estimate is only a start. glm can go astray and still report
    # convergence: cloglog with the weights of "weights" runs off to 1e15, and
    # all three links do with the fweights of "counts" (1e14); then start
    # from the unweighted logit estimate, and step halving does the rest
    b0 <- coef(g0)
    if (!g0$converged || any(abs(b0) > 1e6))
        b0 <- coef(glm(as.formula(p$formula), data = df, family = binomial))
    beta <- mpfr(b0, PREC)
    loglik <- function(beta) {
        eta <- as.vector(Xm %*% beta); L <- link(type, eta)
        lo <- if (type == "cloglog") -exp(eta) else log(L$omu)
        sum(wm * (ym * log(L$mu) + (1 - ym) * lo))
    }
    ll <- loglik(beta)
    for (it in 1:200) {
        eta <- as.vector(Xm %*% beta)
        D <- deriv_eta(link(type, eta), ym, type, eta)
        score <- t(Xm) %*% (wm * D$g)
        H <- t(Xm) %*% (Xm * (wm * D$gp))   # Hessian (negative definite)
        step <- as.vector(gsolve(-H, score))
        # step halving keeps far starts from overshooting; near the MLE the
        # full Newton step is always taken (quadratic convergence)
        for (h in 1:60) {
            ll1 <- loglik(beta + step)
            if (is.finite(asNumeric(ll1)) && ll1 >= ll - abs(ll) * 1e-70) break
            step <- step / 2
        }
        ll <- ll1
        beta <- beta + step
        rel <- max(as.numeric(abs(step) / pmax(abs(beta), 1e-300)))
        if (rel < 1e-60) break
    }
    stopifnot(rel < 1e-60)
    eta <- as.vector(Xm %*% beta)
    D <- deriv_eta(link(type, eta), ym, type, eta)
    info <- -(t(Xm) %*% (Xm * (wm * D$gp)))
    V <- gsolve(info, diag(k))
    se <- sqrt(diag(V))
    res <- list(terms = colnames(X), coef = beta, se = se,
                iter = it, glm = coef(g0))
    Id <- asNumeric(info)
    sc <- 1 / sqrt(diag(Id))
    res$cond <- kappa(Id, exact = TRUE)
    res$cond_scaled <- kappa(Id * outer(sc, sc), exact = TRUE)
    if (!is.null(p$cluster)) {
        # scores per cluster at the MLE
        S <- Xm * (wm * D$g)
        cl <- df[[p$cluster]]; G <- length(unique(cl))
        Sg <- mpfr(matrix(0, G, k), PREC); Sg <- as(Sg, "mpfrMatrix")
        u <- sort(unique(cl))
        for (gi in seq_along(u)) {
            rows <- which(cl == u[gi])
            for (j in 1:k) Sg[gi, j] <- sum(S[rows, j])
        }
        Mm <- t(Sg) %*% Sg
        Vc <- V %*% Mm %*% V * (mpfr(G, PREC) / (G - 1))
        res$cl_se <- sqrt(diag(Vc))
    }
    res
}

fmt20 <- function(x) formatMpfr(x, digits = 20)   # 20 significant digits
d17 <- function(x) sprintf("%.17g", x)

## ------------------------------------------------------------------ output
con <- file(out, "w")
w <- function(...) cat(..., file = con, sep = "")
w("/* ref_accuracy.h -- written by tests/reference/make_reference_accuracy.R\n",
  " * (Rmpfr, ", PREC, "-bit Newton iterations); do not edit. Coefficients and\n",
  " * OIM standard errors to 20 significant digits. */\n",
  "#ifndef REF_ACCURACY_H\n#define REF_ACCURACY_H\n#include <stddef.h>\n\n",
  "#define ACC_MAXCOL 5\n#define ACC_MAXK 4\n\n",
  "typedef struct {\n",
  "    const char *name, *desc, *formula;\n",
  "    size_t n;\n",
  "    int ncol;                         /* data columns, y first */\n",
  "    const char *colname[ACC_MAXCOL];\n",
  "    const double *col[ACC_MAXCOL];\n",
  "    const char *weights;              /* NULL or a column name */\n",
  "    int weight_type;                  /* 0 none, 1 frequency, 2 probability */\n",
  "    const char *cluster;              /* NULL or a column name */\n",
  "    int k;\n",
  "    const char *term[ACC_MAXK];\n",
  "    /* [logit, probit, cloglog][term] */\n",
  "    double coef[3][ACC_MAXK], se[3][ACC_MAXK];\n",
  "    double cond[3], cond_scaled[3];   /* 2-norm, of I and of D^-1/2 I D^-1/2 */\n",
  "    double cl_se[ACC_MAXK];           /* logit, cluster, Stata G/(G-1) */\n",
  "} acc_problem;\n\n")
links <- c("logit", "probit", "cloglog")
fits <- list()
for (p in problems) {
    df <- p$df
    for (v in names(df)) {
        w("static const double acc_", p$name, "_", v, "[", nrow(df), "] = {\n")
        vals <- d17(df[[v]])
        for (i in seq(1, length(vals), by = 4))
            w("    ", paste(vals[i:min(i + 3, length(vals))], collapse = ", "), ",\n")
        w("};\n")
    }
    fits[[p$name]] <- lapply(links, function(l) fit_mpfr(p, l))
    names(fits[[p$name]]) <- links
    for (l in links) {
        f <- fits[[p$name]][[l]]
        dd <- max(abs(asNumeric(f$coef) - f$glm) / abs(asNumeric(f$coef)))
        message(sprintf("%-9s %-7s iter %d  glm rel.diff %.2e  cond %.3g scaled %.3g",
                        p$name, l, f$iter, dd, f$cond, f$cond_scaled))
    }
}
w("\nstatic const acc_problem acc_problems[] = {\n")
arr <- function(x) paste0("{", paste(x, collapse = ", "), "}")
for (p in problems) {
    df <- p$df; fl <- fits[[p$name]]
    q <- function(s) if (is.null(s)) "NULL" else paste0("\"", s, "\"")
    w("  {\"", p$name, "\", \"", p$desc, "\", \"", p$formula, "\",\n",
      "   ", nrow(df), ", ", ncol(df), ", ", arr(paste0("\"", names(df), "\"")), ",\n",
      "   ", arr(paste0("acc_", p$name, "_", names(df))), ",\n",
      "   ", q(p$weights), ", ", p$wtype, ", ", q(p$cluster), ", ",
      length(fl$logit$terms), ", ", arr(paste0("\"", fl$logit$terms, "\"")), ",\n",
      "   {", paste(sapply(links, function(l) arr(fmt20(fl[[l]]$coef))), collapse = ",\n    "), "},\n",
      "   {", paste(sapply(links, function(l) arr(fmt20(fl[[l]]$se))), collapse = ",\n    "), "},\n",
      "   ", arr(sprintf("%.4g", sapply(links, function(l) fl[[l]]$cond))), ", ",
      arr(sprintf("%.4g", sapply(links, function(l) fl[[l]]$cond_scaled))), ",\n",
      "   ", if (is.null(fl$logit$cl_se)) "{0}" else arr(fmt20(fl$logit$cl_se)), "},\n")
}
w("};\n#define ACC_NPROBLEMS (sizeof acc_problems / sizeof acc_problems[0])\n\n#endif\n")
close(con)
message("wrote ", out)
