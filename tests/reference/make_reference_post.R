#!/usr/bin/env Rscript
# make_reference_post.R -- reference values for post-estimation (dyadfit
# predict / margins) on the bundled Leeds data.
#
#   Rscript tests/reference/make_reference_post.R     (from the repository root)
#
# Model 1: the Leeds demo logit, cluster on dyad (Stata's G/(G-1) factor:
#   sandwich::vcovCL(type = "HC0", cadjust = TRUE)).
# Model 2: a probit with an interaction, a factor, a log and a filter
#   (--if "year >= 1960"), robust variance (Stata: N/(N-1)).
# Everything is computed by hand from glm() with the delta method and
# analytic derivatives (the Jacobian of an average is the average of the
# per-row Jacobians): predictions at profiles (other variables at their
# means over the fitted rows, factor() at its most frequent value; or every
# row as observed and averaged), average marginal effects (0/1 variables:
# P(x=1) - P(x=0); others: dP/dx), marginal effects at means, and the first
# difference / risk ratio between two profiles. Files in
# tests/reference/values/post_*.csv (broom columns, %.17g).
# When marginaleffects is installed its values are written too
# (post_me_*.csv) as an independent check of the conventions.
suppressPackageStartupMessages({
    library(haven)
    library(sandwich)
})
out <- "tests/reference/values"
d <- as.data.frame(zap_labels(zap_formats(read_dta("data/leeds_dyads.dta"))))

write_ref <- function(file, term, est, se, level = 0.95) {
    z <- qnorm(0.5 + level / 2)
    df <- data.frame(term = term, estimate = sprintf("%.17g", est),
                     std.error = sprintf("%.17g", se),
                     statistic = sprintf("%.17g", est / se),
                     p.value = sprintf("%.17g", 2 * pnorm(-abs(est / se))),
                     conf.low = sprintf("%.17g", est - z * se),
                     conf.high = sprintf("%.17g", est + z * se))
    write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE)
}

links <- list(
    logit = list(F = plogis, f = dlogis, fp = function(e) dlogis(e) * (1 - 2 * plogis(e))),
    probit = list(F = pnorm, f = dnorm, fp = function(e) -e * dnorm(e)))

# average of F(X b) over rows and its gradient (rows of X)
avgP <- function(X, b, L) {
    eta <- drop(X %*% b)
    list(p = mean(L$F(eta)), J = colMeans(L$f(eta) * X))
}
se_of <- function(J, V) sqrt(drop(t(J) %*% V %*% J))
mode_of <- function(x) { t <- table(x); as.numeric(names(t)[which.max(t)]) }

run_model <- function(tag, formula, data, link, V_fun, profiles, binvar, contvar,
                      dderiv, factors = character(0)) {
    L <- links[[link]]
    fit <- glm(formula, family = binomial(link), data = data,
               control = glm.control(epsilon = 1e-14, maxit = 100))
    b <- coef(fit)
    tt <- delete.response(terms(fit))
    mf <- model.frame(fit)
    used <- data[rownames(mf), ]
    V <- V_fun(fit, used)
    mm <- function(nd) model.matrix(tt, nd, xlev = fit$xlevels)
    vars <- all.vars(tt)
    # profile rows: other variables at their means (factors at the mode)
    atmeans <- used[1, ]
    for (v in vars) atmeans[[v]] <- if (v %in% factors) mode_of(used[[v]]) else mean(used[[v]])
    setp <- function(nd, p) { for (v in names(p)) nd[[v]] <- p[[v]]; nd }
    pm <- lapply(profiles, function(p) avgP(mm(setp(atmeans, p)), b, L))
    po <- lapply(profiles, function(p) avgP(mm(setp(used, p)), b, L))
    pnames <- sapply(profiles, function(p) paste(names(p), p, sep = "=", collapse = " "))
    write_ref(sprintf("post_%s_predict_mean.csv", tag), pnames,
              sapply(pm, `[[`, "p"), sapply(pm, function(r) se_of(r$J, V)))
    write_ref(sprintf("post_%s_predict_observed.csv", tag), pnames,
              sapply(po, `[[`, "p"), sapply(po, function(r) se_of(r$J, V)))
    # effects over a set of rows `base` (all used rows: AME; atmeans: MEM)
    effects <- function(base) {
        one <- function(v, val) { base[[v]] <- val; mm(base) }
        e <- list()
        for (v in binvar) {
            a1 <- avgP(one(v, 1), b, L); a0 <- avgP(one(v, 0), b, L)
            e[[v]] <- c(a1$p - a0$p, se_of(a1$J - a0$J, V))
        }
        for (v in contvar) {
            X <- mm(base); eta <- drop(X %*% b)
            D <- dderiv[[v]](base, colnames(X))         # dX/dv, rows x k
            g <- drop(D %*% b)                          # d eta / dv
            est <- mean(L$f(eta) * g)
            J <- colMeans(L$fp(eta) * g * X + L$f(eta) * D)
            e[[v]] <- c(est, se_of(J, V))
        }
        e
    }
    ame <- effects(used)
    write_ref(sprintf("post_%s_ame.csv", tag), names(ame), sapply(ame, `[`, 1), sapply(ame, `[`, 2))
    mem <- effects(atmeans)
    write_ref(sprintf("post_%s_mem.csv", tag), names(mem), sapply(mem, `[`, 1), sapply(mem, `[`, 2))
    # first difference and risk ratio between the two profiles, at means
    a <- pm[[1]]; c0 <- pm[[2]]
    rr_J <- (a$J * c0$p - a$p * c0$J) / c0$p^2
    write_ref(sprintf("post_%s_fd.csv", tag),
              c(paste(pnames[1], "-", pnames[2]), paste(pnames[1], "/", pnames[2])),
              c(a$p - c0$p, a$p / c0$p), c(se_of(a$J - c0$J, V), se_of(rr_J, V)))
    # marginaleffects 1.0.0 needs R >= 4.4 (base %||%): skipped where it fails
    if (requireNamespace("marginaleffects", quietly = TRUE)) try({
        me <- marginaleffects::avg_slopes(fit, variables = c(binvar, contvar), vcov = V)
        write_ref(sprintf("post_%s_me_ame.csv", tag), me$term, me$estimate, me$std.error)
        pr <- do.call(rbind, lapply(profiles, function(p) {
            nd <- setp(atmeans, p)
            marginaleffects::predictions(fit, newdata = nd, vcov = V)
        }))
        write_ref(sprintf("post_%s_me_predict_mean.csv", tag), pnames, pr$estimate, pr$std.error)
    })
    invisible(fit)
}

# ---------------------------------------------------------------- model 1
f1 <- mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) +
    jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)
V1 <- function(fit, used) vcovCL(fit, cluster = used$dyad, type = "HC0", cadjust = TRUE)
dpy <- function(base, cn) {
    D <- matrix(0, nrow(base), length(cn), dimnames = list(NULL, cn))
    v <- base$peaceyrs
    D[, "peaceyrs"] <- 1; D[, "I(peaceyrs^2)"] <- 2 * v; D[, "I(peaceyrs^3)"] <- 3 * v^2
    D
}
dcap <- function(base, cn) {
    D <- matrix(0, nrow(base), length(cn), dimnames = list(NULL, cn))
    D[, "log(cap_ratio)"] <- 1 / base$cap_ratio
    D
}
run_model("m1", f1, d, "logit", V1,
          list(c(defense = 1, contig = 1), c(defense = 0, contig = 1)),
          binvar = "defense", contvar = c("peaceyrs", "cap_ratio"),
          dderiv = list(peaceyrs = dpy, cap_ratio = dcap))

# ---------------------------------------------------------------- model 2
d2 <- subset(d, year >= 1960)
f2 <- mid_onset ~ defense * contig + factor(region) + log(cap_ratio) + peaceyrs
V2 <- function(fit, used) { n <- nobs(fit); vcovHC(fit, type = "HC0") * n / (n - 1) }
dpy2 <- function(base, cn) {
    D <- matrix(0, nrow(base), length(cn), dimnames = list(NULL, cn))
    D[, "peaceyrs"] <- 1
    D
}
run_model("m2", f2, d2, "probit", V2,
          list(c(defense = 1, region = 2), c(defense = 0, region = 2)),
          binvar = c("defense", "contig"), contvar = c("peaceyrs", "cap_ratio"),
          dderiv = list(peaceyrs = dpy2, cap_ratio = dcap), factors = "region")

writeLines(c(R.version.string,
             paste("sandwich", packageVersion("sandwich")),
             if (requireNamespace("marginaleffects", quietly = TRUE))
                 paste("marginaleffects", packageVersion("marginaleffects"))),
           file.path(out, "post_VERSIONS"))
