#!/usr/bin/env Rscript
# make_reference_survreg.R -- reference values for the Weibull and
# exponential models (survival::survreg), the proportional-hazards test
# (survival::cox.zph) and ns() duration splines in formulas (glm +
# splines::ns, the Beck-Katz-Tucker logit).
#
#   Rscript tests/reference/make_reference_survreg.R   (from the repository root)
#
# Writes
#   tests/data/models/spells.csv      one row per peace spell of the Leeds
#                                     dyads (see below)
#   tests/reference/cases_survreg.tsv cases for tests/cli/test_reference.c
#   tests/reference/values/survreg_<id>.csv   broom columns, "%.17g"
#   tests/reference/values/zph_<id>.csv       cox.zph tables (term,chisq,df,p)
#   tests/reference/values/ns_formula.csv     model.matrix of ns() terms
#   tests/reference/values/survreg_VERSIONS
#
# Metrics. --metric aft is survreg's own: coefficients and "Log(scale)".
# --metric ph is Stata streg's: g = -b / scale and "/ln_p" = -log(scale),
# computed here from the survreg fit by that transformation, the variance
# by the delta method J V J' (J the Jacobian of (b, log scale) -> (g, ln p)).
# Variances: oim = vcov(survreg); robust --ssc hc0 = survreg(robust = TRUE)
# (the sum of the dfbeta outer products, no small-sample factor).
#
# Left truncation (Surv(start, stop, event) with start > 0): survreg cannot
# fit it. The reference is an independent hand-written log-likelihood
#   sum d_i log h(t_i) - H(t_i) + H(a_i),  h(t) = p t^(p-1) exp(x'g)
# maximised by optim and then Newton steps with numDeriv's numerical
# gradient and Hessian (no analytic derivatives shared with the C code);
# standard errors from the numerical Hessian, so those cases assert 7 digits.
#
# Spells data: data/leeds_dyads.csv sorted by dyad and year; a spell runs
# from a dyad's first observed year, or the year after an onset, to the next
# onset year (event = 1) or the dyad's last observed year (event = 0);
# duration = years in the spell (so >= 1); covariates are those of the
# spell's first year; entry = peaceyrs in that year (years of peace already
# accumulated when observation starts: the left-truncation time). Gaps in a
# dyad's years are ignored (the spell continues).
suppressPackageStartupMessages({
    library(survival)
    library(haven)
    library(splines)
})
outdir <- "tests/reference/values"
num <- function(x) sprintf("%.17g", x)

leeds <- as.data.frame(zap_labels(zap_formats(read_dta("data/leeds_dyads.dta"))))
lung2 <- survival::lung
lung2$status01 <- lung2$status - 1L

## ---------------------------------------------------------------- spells
lc <- read.csv("data/leeds_dyads.csv")
lc <- lc[order(lc$dyad, lc$year), ]
prev_onset <- c(0, head(lc$mid_onset, -1))
newdyad <- c(TRUE, lc$dyad[-1] != lc$dyad[-nrow(lc)])
newspell <- newdyad | prev_onset == 1
lc$spell <- cumsum(newspell)
first <- lc[newspell, ]
dur <- as.vector(table(lc$spell))
ev <- tapply(lc$mid_onset, lc$spell, function(v) v[length(v)])
spells <- data.frame(dyad = first$dyad, year0 = first$year, duration = dur,
                     event = as.vector(ev), entry = first$peaceyrs,
                     defense = first$defense, contig = first$contig,
                     cap_ratio = first$cap_ratio, jointdem = first$jointdem,
                     majpow = first$majpow)
spells$exit <- spells$entry + spells$duration
write.csv(spells, "tests/data/models/spells.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("spells: %d spells, %d events, %d left-truncated\n", nrow(spells),
            sum(spells$event), sum(spells$entry > 0)))

## --------------------------------------------------------------- survreg
SP <- "tests/data/models/spells.csv"
LU <- "tests/data/models/lung.csv"
LD <- "data/leeds_dyads.dta"
data_of <- list()
data_of[[SP]] <- spells
data_of[[LU]] <- lung2
data_of[[LD]] <- leeds
FS <- "Surv(duration, event) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
FT <- "Surv(entry, exit, event) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
FL <- "Surv(time, status) ~ age + sex + ph.ecog"
cases <- data.frame(stringsAsFactors = FALSE, rbind(
    c("survreg_spells_weibull_aft_oim", "weibull", FS, SP, "--metric aft --vce oim", 9, "survreg, peace spells"),
    c("survreg_spells_weibull_ph_oim", "weibull", FS, SP, "--metric ph --vce oim", 9, "streg metric from survreg (delta method)"),
    c("survreg_spells_weibull_aft_cluster_hc0", "weibull", FS, SP, "--metric aft --vce cluster dyad --ssc hc0", 8, "survreg(cluster = dyad)"),
    c("survreg_spells_exponential_aft_oim", "exponential", FS, SP, "--metric aft --vce oim", 9, "survreg(dist = exponential)"),
    c("survreg_spells_exponential_ph_oim", "exponential", FS, SP, "--metric ph --vce oim", 9, "streg exponential metric"),
    c("survreg_lung_weibull_aft_oim", "weibull", FL, LU, "--metric aft --vce oim", 9, "survival::lung"),
    c("survreg_lung_weibull_aft_robust_hc0", "weibull", FL, LU, "--metric aft --vce robust --ssc hc0", 8, "survreg(robust = TRUE)"),
    c("survreg_lung_weibull_ph_robust_hc0", "weibull", FL, LU, "--metric ph --vce robust --ssc hc0", 8, "robust, PH metric (delta method)"),
    c("survreg_lung_exponential_aft_oim", "exponential", FL, LU, "--metric aft --vce oim", 9, "survival::lung exponential"),
    c("survreg_lung_exponential_aft_robust_hc0", "exponential", FL, LU, "--metric aft --vce robust --ssc hc0", 8, "exponential, robust"),
    c("survreg_spells_weibull_ph_truncated_oim", "weibull", FT, SP, "--metric ph --vce oim", 7, "left-truncated: hand-written likelihood, numDeriv"),
    c("survreg_spells_exponential_ph_truncated_oim", "exponential", FT, SP, "--metric ph --vce oim", 7, "left-truncated exponential: hand-written likelihood"),
    c("survreg_leeds_bkt_logit_ns3", "logit", "mid_onset ~ defense + contig + log(cap_ratio) + jointdem + majpow + ns(peaceyrs, df = 3)", LD, "--vce oim", 9, "BKT logit, glm + splines::ns(df = 3)"),
    c("survreg_leeds_bkt_logit_nsknots", "logit", "mid_onset ~ defense + contig + log(cap_ratio) + jointdem + majpow + ns(peaceyrs, knots = c(1, 4, 7))", LD, "--vce cluster dyad --ssc stata", 8, "BKT logit, ns(knots = c(1, 4, 7)), cluster (G/(G-1))")))
names(cases) <- c("id", "estimator", "formula", "data", "options", "min_lre", "comment")

opt <- function(tok, key, k = 1) tok[which(tok == key) + k]

tab_of <- function(b, V) {
    se <- sqrt(diag(V)); z <- b / se; q <- qnorm(0.975)
    data.frame(term = names(b), estimate = b, std.error = se, statistic = z,
               p.value = 2 * pnorm(-abs(z)), conf.low = b - q * se,
               conf.high = b + q * se, stringsAsFactors = FALSE, row.names = NULL)
}

# (b, log scale) -> (g = -b / scale, ln p = -log scale) with the delta method
to_ph <- function(b, V, weibull) {
    k <- length(b) - weibull
    if (!weibull) return(list(b = -b, V = V))
    s <- exp(b[k + 1]); bb <- b[1:k]
    J <- matrix(0, k + 1, k + 1)
    J[1:k, 1:k] <- diag(-1 / s, k)
    J[1:k, k + 1] <- bb / s
    J[k + 1, k + 1] <- -1
    g <- c(-bb / s, -b[k + 1])
    names(g) <- c(names(bb), "/ln_p")
    list(b = g, V = J %*% V %*% t(J))
}

# hand-written left-truncated PH likelihood (see the header)
trunc_fit <- function(f, d, weibull) {
    mf <- model.frame(as.formula(f), d)
    y <- model.response(mf); X <- model.matrix(as.formula(f), mf)
    a <- y[, 1]; t <- y[, 2]; ev <- y[, 3]
    H <- function(tt, eta, p) ifelse(tt > 0, exp(eta) * tt^p, 0)
    ll <- function(par) {
        g <- par[1:ncol(X)]; p <- if (weibull) exp(par[ncol(X) + 1]) else 1
        eta <- drop(X %*% g)
        sum(ev * (log(p) + (p - 1) * log(t) + eta) - H(t, eta, p) + H(a, eta, p))
    }
    st <- c(log(sum(ev) / sum(t - a)), rep(0, ncol(X) - 1 + weibull))
    o <- optim(st, ll, method = "BFGS", control = list(fnscale = -1, maxit = 1000, reltol = 1e-14))
    par <- o$par
    for (it in 1:8) {
        g <- numDeriv::grad(ll, par); Hs <- numDeriv::hessian(ll, par)
        par <- par - solve(Hs, g)
    }
    Hs <- numDeriv::hessian(ll, par)
    nm <- c(colnames(X), if (weibull) "/ln_p")
    names(par) <- nm
    V <- solve(-Hs); dimnames(V) <- list(nm, nm)
    list(b = par, V = V, loglik = ll(par), grad = numDeriv::grad(ll, par))
}

for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    tok <- strsplit(cs$options, " +")[[1]]
    d <- data_of[[cs$data]]
    vce <- opt(tok, "--vce")
    info <- ""
    if (cs$estimator == "logit") {
        m <- glm(as.formula(cs$formula), binomial, d, control = glm.control(epsilon = 1e-14, maxit = 100))
        # glm's vcov uses the IRLS weights of the iteration before the last
        # (1e-7 off here): restart at the estimates so they are settled
        b0 <- coef(m)
        m <- glm(as.formula(cs$formula), binomial, d, start = b0,
                 control = glm.control(epsilon = 1e-14, maxit = 100))
        stopifnot(max(abs(coef(m) - b0) / abs(b0)) < 1e-12)
        b <- coef(m); V <- vcov(m)
        if (vce == "cluster") {
            cl <- d[[opt(tok, "--vce", 2)]][as.integer(rownames(model.frame(m)))]
            V <- sandwich::vcovCL(m, cluster = cl, type = "HC0", cadjust = TRUE)
        }
        info <- sprintf("loglik %.12g", logLik(m))
    } else if (grepl("truncated", cs$id)) {
        r <- trunc_fit(cs$formula, d, cs$estimator == "weibull")
        b <- r$b; V <- r$V
        info <- sprintf("loglik %.12g max|grad| %.2g", r$loglik, max(abs(r$grad)))
    } else {
        weib <- cs$estimator == "weibull"
        args <- list(formula = as.formula(cs$formula), data = d, dist = cs$estimator,
                     control = survreg.control(rel.tolerance = 1e-13, maxiter = 100))
        if (vce == "robust") args$robust <- TRUE
        if (vce == "cluster")
            args$formula <- as.formula(paste(cs$formula, "+ cluster(", opt(tok, "--vce", 2), ")"))
        m <- do.call(survreg, args)
        b <- coef(m); V <- vcov(m)
        if (weib) b <- c(b, "Log(scale)" = log(m$scale))
        dimnames(V) <- list(names(b), names(b))
        if (opt(tok, "--metric") == "ph") { r <- to_ph(b, V, weib); b <- r$b; V <- r$V }
        info <- sprintf("loglik %.12g scale %.10g", m$loglik[2], m$scale)
    }
    tab <- tab_of(b, V)
    stopifnot(!grepl('"', tab$term))
    qt <- ifelse(grepl(",", tab$term), paste0('"', tab$term, '"'), tab$term)
    writeLines(c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
                 paste(qt, num(tab$estimate), num(tab$std.error), num(tab$statistic),
                       num(tab$p.value), num(tab$conf.low), num(tab$conf.high), sep = ",")),
               file.path(outdir, paste0(cs$id, ".csv")))
    cat(sprintf("%-45s %s\n", cs$id, info))
    if (cs$id == "survreg_spells_weibull_aft_oim") print(tab[, 1:3], digits = 10)
}
write.table(cases, "tests/reference/cases_survreg.tsv", sep = "\t", quote = FALSE, row.names = FALSE)

## --------------------------------------------------------------- cox.zph
F1 <- "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
F2 <- paste(F1, "+ strata(region)")
FL2 <- "Surv(time, status) ~ age + sex + ph.ecog"
zcases <- list(
    list("leeds_efron", F1, leeds, "efron"),
    list("leeds_breslow", F1, leeds, "breslow"),
    list("leeds_strata_efron", F2, leeds, "efron"),
    list("lung_efron", FL2, lung2, "efron"),
    list("lung_breslow", FL2, lung2, "breslow"))
for (zc in zcases) {
    m <- coxph(as.formula(zc[[2]]), zc[[3]], ties = zc[[4]],
               control = coxph.control(eps = 1e-13, toler.chol = 1e-15, iter.max = 100))
    for (tr in c("km", "identity", "rank")) {
        z <- cox.zph(m, transform = tr, terms = FALSE)$table
        id <- paste0("zph_", zc[[1]], "_", tr)
        writeLines(c("term,chisq,df,p", paste(rownames(z), num(z[, 1]), num(z[, 2]), num(z[, 3]), sep = ",")),
                   file.path(outdir, paste0(id, ".csv")))
        if (id == "zph_leeds_efron_km") { cat(id, "\n"); print(z, digits = 10) }
    }
}

## ------------------------------------------------------- ns() in formulas
# Each term with + meal.cal (47 missing): model.frame evaluates ns() on all
# 228 rows, so the knots (df =) and boundary are those of all rows, while
# the matrix has the 181 complete rows. Columns: the ns() columns of
#   ~ ns(age, df = 4) + meal.cal   (knots 56 63 69 on all rows; 57 64 70 on the 181)
#   ~ ns(age, knots = c(50, 60, 70)) + meal.cal
#   ~ ns(age, df = 2, Boundary.knots = c(40, 80)) + meal.cal
#   ~ ns(log(time), df = 1) + meal.cal
mmf <- function(f) { x <- model.matrix(as.formula(f), lung2); x[, grepl("^ns", colnames(x)), drop = FALSE] }
mm <- cbind(mmf("~ ns(age, df = 4) + meal.cal"),
            mmf("~ ns(age, knots = c(50, 60, 70)) + meal.cal"),
            mmf("~ ns(age, df = 2, Boundary.knots = c(40, 80)) + meal.cal"),
            mmf("~ ns(log(time), df = 1) + meal.cal"))
stopifnot(nrow(mm) == sum(!is.na(lung2$meal.cal)))
out <- cbind(row = which(!is.na(lung2$meal.cal)), as.data.frame(mm, check.names = FALSE))
write.table(format(out, digits = 17), file.path(outdir, "ns_formula.csv"), sep = ",",
            quote = FALSE, row.names = FALSE)

writeLines(c(sprintf("R %s", paste(R.version$major, R.version$minor, sep = ".")),
             sprintf("survival %s", as.character(packageVersion("survival"))),
             sprintf("numDeriv %s", as.character(packageVersion("numDeriv"))),
             sprintf("sandwich %s", as.character(packageVersion("sandwich"))),
             sprintf("haven %s", as.character(packageVersion("haven")))),
           file.path(outdir, "survreg_VERSIONS"))
