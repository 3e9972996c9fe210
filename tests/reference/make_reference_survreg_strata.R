#!/usr/bin/env Rscript
# make_reference_survreg_strata.R -- reference values for the Weibull model
# with strata() (issue #4): survival::survreg's model, one scale per
# stratum and shared coefficients, parameters "Log(scale[LABEL])".
#
#   Rscript tests/reference/make_reference_survreg_strata.R   (from the repository root)
#
# Writes
#   tests/data/models/lung_strata.csv         survival::lung (all 228 rows)
#        with status01 and four made-up strata columns: sexlab (string
#        "m"/"f"), site (string "a"/"b": inst <= 10 / > 10 or missing),
#        site2 (number 1/2, the same split) and big (number 1e5 / 2.5e-05
#        by sex: R writes these levels as "1e+05" and "2.5e-05")
#   tests/reference/cases_survreg_strata.tsv  cases for tests/cli/test_reference.c
#   tests/reference/values/survreg_strata_<id>.csv   broom columns, "%.17g"
#   tests/reference/values/survreg_strata_loglik.tsv id, loglik (model),
#        loglik0 (intercept and strata scales only), scale per stratum
#   tests/reference/values/survreg_strata_VERSIONS
#
# Variances: oim = vcov(survreg); robust --ssc hc0 = survreg(robust = TRUE);
# cluster --ssc hc0 = survreg(... + cluster(V)); cluster --ssc stata = that
# times G/(G-1) (Stata's vce(cluster) factor). Each sandwich is recomputed
# here as B (sum_g s_g s_g') B from residuals(type = "dfbeta") and must
# agree to 1e-10.
#
# Left-truncated rows (Surv(entry, exit, event), and dyad-years as
# Surv(peaceyrs, peaceyrs + 1, mid_onset)): survreg cannot fit them; the
# reference is a hand-written likelihood maximised with numDeriv's
# derivatives (trunc_fit below; checked against survreg on untruncated data
# first). That takes most of the script's ~4 minutes (130,420 dyad-years).
#
# min_lre is 10 for the survreg cases (the C code agrees to 12.7 digits or
# more: estimates, standard errors, log-likelihoods, scales) and 7 for the
# hand-written ones (numerical derivatives: 7.9 measured; the
# log-likelihood agrees to 14 digits). The loglik table has loglik0 "NA"
# for those.
#
# Not fitted here, because survreg cannot or should not (the C code refuses
# them, tests/fit/test_survreg_strata.c checks the messages): the
# exponential model with strata (survreg stops: "The scale argument is not
# valid with multiple strata"), the PH metric with strata, a stratum with
# one row (lung's ph.ecog = 3: survreg reports a local maximum; the
# likelihood is unbounded) or without events (survreg stops at an
# arbitrary scale).
suppressPackageStartupMessages({
    library(survival)
    library(haven)
})
outdir <- "tests/reference/values"
num <- function(x) sprintf("%.17g", x)

lung2 <- survival::lung
lung2$status01 <- lung2$status - 1L
lung2$sexlab <- ifelse(lung2$sex == 1, "m", "f")
lung2$site <- ifelse(!is.na(lung2$inst) & lung2$inst <= 10, "a", "b")
lung2$site2 <- ifelse(lung2$site == "a", 1, 2)
lung2$big <- ifelse(lung2$sex == 1, 1e5, 2.5e-5)
LS <- "tests/data/models/lung_strata.csv"
write.csv(lung2, LS, row.names = FALSE, quote = FALSE, na = "")

SP <- "tests/data/models/spells.csv"   # written by make_reference_survreg.R
LD <- "data/leeds_dyads.dta"
spells <- read.csv(SP)
leeds <- as.data.frame(zap_labels(zap_formats(read_dta(LD))))
data_of <- list()
data_of[[LS]] <- lung2
data_of[[SP]] <- spells
data_of[[LD]] <- leeds

FL <- "Surv(time, status) ~ age + ph.ecog"
FS <- "Surv(duration, event) ~ defense + log(cap_ratio) + jointdem + majpow"
FD <- "Surv(peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem"
AFT <- "--metric aft"
cases <- data.frame(stringsAsFactors = FALSE, rbind(
    c("survreg_strata_lung_sex_oim", "weibull", paste(FL, "+ strata(sex)"), LS, paste(AFT, "--vce oim"), 10, "numeric strata"),
    c("survreg_strata_lung_sex_robust_hc0", "weibull", paste(FL, "+ strata(sex)"), LS, paste(AFT, "--vce robust --ssc hc0"), 10, "survreg(robust = TRUE)"),
    c("survreg_strata_lung_sex_cluster_stata", "weibull", paste(FL, "+ strata(sex)"), LS, paste(AFT, "--vce cluster inst --ssc stata"), 10, "cluster(inst) * G/(G-1)"),
    c("survreg_strata_lung_sexlab_site_oim", "weibull", paste(FL, "+ strata(sexlab, site)"), LS, paste(AFT, "--vce oim"), 10, "two string variables: labels f, a"),
    c("survreg_strata_lung_two_terms_oim", "weibull", paste(FL, "+ strata(sexlab) + strata(site2)"), LS, paste(AFT, "--vce oim"), 10, "two strata() terms: labels f, site2=1"),
    c("survreg_strata_lung_big_oim", "weibull", "Surv(time, status) ~ age + strata(big)", LS, paste(AFT, "--vce oim"), 10, "labels 2.5e-05, 1e+05 (R order by value)"),
    c("survreg_strata_spells_contig_oim", "weibull", paste(FS, "+ strata(contig)"), SP, paste(AFT, "--vce oim"), 10, "peace spells"),
    c("survreg_strata_spells_contig_cluster_hc0", "weibull", paste(FS, "+ strata(contig)"), SP, paste(AFT, "--vce cluster dyad --ssc hc0"), 10, "survreg(cluster = dyad)"),
    c("survreg_strata_leeds_region_oim", "weibull", paste(FD, "+ strata(region)"), LD, paste(AFT, "--vce oim"), 10, "bundled dyad-years, six regions"),
    c("survreg_strata_leeds_region_cluster_stata", "weibull", paste(FD, "+ strata(region)"), LD, paste(AFT, "--vce cluster dyad --ssc stata"), 10, "dyad-clustered, G/(G-1)")))
names(cases) <- c("id", "estimator", "formula", "data", "options", "min_lre", "comment")
# left-truncated (counting-process) rows with strata: survreg cannot fit
# them; a hand-written likelihood instead (trunc_fit below), 7 digits
FT <- "Surv(entry, exit, event) ~ defense + log(cap_ratio) + jointdem + majpow + strata(contig)"
FC <- "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + strata(region)"
tcases <- data.frame(stringsAsFactors = FALSE, rbind(
    c("survreg_strata_spells_truncated_oim", "weibull", FT, SP, paste(AFT, "--vce oim"), 7, "left-truncated spells: hand-written likelihood, numDeriv"),
    c("survreg_strata_leeds_counting_oim", "weibull", FC, LD, paste(AFT, "--vce oim"), 7, "dyad-years as (peaceyrs, peaceyrs + 1]: hand-written likelihood")))
names(tcases) <- names(cases)

# The AFT Weibull likelihood with a scale per stratum and entry times a:
#   sum d_i (-log s_k + z_i - log t_i) - exp(z_i) + exp(za_i),
#   z = (log t - x'b) / s_k, za = (log a - x'b) / s_k (0 term when a = 0),
# maximised by optim, then Newton steps with numDeriv's numerical gradient
# and Hessian (no analytic derivative shared with the C code); standard
# errors from the numerical Hessian. Checked first against survreg without
# truncation (case lung_sex).
trunc_fit <- function(f, d, start = NULL) {
    f <- as.formula(f)
    mf <- model.frame(f, d)
    y <- model.response(mf)
    st <- untangle.specials(terms(f, "strata"), "strata")
    g <- as.integer(as.factor(interaction(lapply(st$vars, function(v) mf[[v]]), drop = TRUE, lex.order = TRUE)))
    ff <- update(f, paste(". ~ . -", paste(st$vars, collapse = " - ")))
    X <- model.matrix(ff, mf)
    if (ncol(y) == 2) { a <- rep(0, nrow(y)); t <- y[, 1]; ev <- y[, 2] }
    else { a <- y[, 1]; t <- y[, 2]; ev <- y[, 3] }
    lt <- log(t); la <- ifelse(a > 0, log(a), NA)
    ng <- max(g); k <- ncol(X)
    ll <- function(par) {
        eta <- drop(X %*% par[1:k]); ls <- par[k + g]; s <- exp(ls)
        z <- (lt - eta) / s
        ea <- ifelse(a > 0, exp((la - eta) / s), 0)
        sum(ev * (-ls + z - lt) - exp(z) + ea)
    }
    p0 <- if (is.null(start)) c(log(sum(t - a) / sum(ev)), rep(0, k - 1 + ng)) else start
    o <- optim(p0, ll, method = "BFGS", control = list(fnscale = -1, maxit = 5000, reltol = 1e-15))
    par <- o$par
    for (it in 1:8) par <- par - solve(numDeriv::hessian(ll, par), numDeriv::grad(ll, par))
    Hs <- numDeriv::hessian(ll, par)
    nm <- c(colnames(X), paste0("Log(scale[", seq_len(ng), "])"))
    names(par) <- nm
    V <- solve(-Hs); dimnames(V) <- list(nm, nm)
    list(b = par, V = V, loglik = ll(par), grad = numDeriv::grad(ll, par))
}

opt <- function(tok, key, k = 1) tok[which(tok == key) + k]

tab_of <- function(b, V) {
    se <- sqrt(diag(V)); z <- b / se; q <- qnorm(0.975)
    data.frame(term = names(b), estimate = b, std.error = se, statistic = z,
               p.value = 2 * pnorm(-abs(z)), conf.low = b - q * se,
               conf.high = b + q * se, stringsAsFactors = FALSE, row.names = NULL)
}

ll <- character()
for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    tok <- strsplit(cs$options, " +")[[1]]
    d <- data_of[[cs$data]]
    vce <- opt(tok, "--vce")
    # the cluster variable joins listwise deletion (lung's inst has one NA)
    if (vce == "cluster") d <- d[!is.na(d[[opt(tok, "--vce", 2)]]), ]
    f <- as.formula(cs$formula)
    ctl <- survreg.control(rel.tolerance = 1e-13, maxiter = 100)
    m0 <- survreg(f, d, dist = "weibull", control = ctl)
    b <- c(coef(m0), log(m0$scale))
    names(b) <- rownames(vcov(m0))
    V <- vcov(m0)
    if (vce != "oim") {
        cl <- if (vce == "robust") seq_len(nrow(d)) else d[[opt(tok, "--vce", 2)]]
        cl <- cl[match(rownames(model.frame(m0)), rownames(d))]
        args <- list(formula = f, data = d, dist = "weibull", control = ctl)
        if (vce == "robust") args$robust <- TRUE
        else args$formula <- update(f, paste(". ~ . + cluster(", opt(tok, "--vce", 2), ")"))
        m <- do.call(survreg, args)
        stopifnot(max(abs(c(coef(m), log(m$scale)) - b)) < 1e-12)
        V <- vcov(m)
        # the same sandwich by hand: dfbeta = score %*% vcov(model-based)
        D <- rowsum(residuals(m0, type = "dfbeta"), cl)
        Vh <- crossprod(D)
        stopifnot(max(abs(Vh - V)) < 1e-10 * max(abs(V)))
        if (opt(tok, "--ssc") == "stata") {
            G <- length(unique(cl))
            V <- V * G / (G - 1)
        }
    }
    dimnames(V) <- list(names(b), names(b))
    tab <- tab_of(b, V)
    stopifnot(!grepl('"', tab$term))
    qt <- ifelse(grepl(",", tab$term), paste0('"', tab$term, '"'), tab$term)
    writeLines(c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
                 paste(qt, num(tab$estimate), num(tab$std.error), num(tab$statistic),
                       num(tab$p.value), num(tab$conf.low), num(tab$conf.high), sep = ",")),
               file.path(outdir, paste0(cs$id, ".csv")))
    ll <- c(ll, paste(cs$id, num(m0$loglik[2]), num(m0$loglik[1]),
                      paste(num(m0$scale), collapse = " "), sep = "\t"))
    cat(sprintf("%-45s n %d strata %d loglik %.12g (%d iterations)\n", cs$id,
                m0$df.residual + m0$df, length(m0$scale), m0$loglik[2], m0$iter))
}
# the hand-written likelihood reproduces survreg where both apply
chk <- trunc_fit(paste(FL, "+ strata(sex)"), lung2)
m0 <- survreg(as.formula(paste(FL, "+ strata(sex)")), lung2,
              control = survreg.control(rel.tolerance = 1e-13))
stopifnot(abs(chk$loglik - m0$loglik[2]) < 1e-9,
          max(abs(chk$b - c(coef(m0), log(m0$scale)))) < 1e-7,
          max(abs(sqrt(diag(chk$V)) / sqrt(diag(vcov(m0))) - 1)) < 1e-6)
for (i in seq_len(nrow(tcases))) {
    cs <- tcases[i, ]
    r <- trunc_fit(cs$formula, data_of[[cs$data]])
    # the labels of R's strata levels (one strata() term of numbers here)
    v <- sub(".*strata\\(([a-z_.]+)\\).*", "\\1", cs$formula)
    mf <- model.frame(as.formula(cs$formula), data_of[[cs$data]])
    lev <- sort(unique(mf[[paste0("strata(", v, ")")]]))
    ng <- length(lev)
    k <- length(r$b) - ng
    names(r$b)[k + seq_len(ng)] <- paste0("Log(scale[", lev, "])")
    tab <- tab_of(r$b, r$V)
    writeLines(c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
                 paste(tab$term, num(tab$estimate), num(tab$std.error), num(tab$statistic),
                       num(tab$p.value), num(tab$conf.low), num(tab$conf.high), sep = ",")),
               file.path(outdir, paste0(cs$id, ".csv")))
    ll <- c(ll, paste(cs$id, num(r$loglik), "NA", paste(num(exp(r$b[k + seq_len(ng)])), collapse = " "),
                      sep = "\t"))
    cat(sprintf("%-45s loglik %.12g max|grad| %.2g\n", cs$id, r$loglik, max(abs(r$grad))))
}
cases <- rbind(cases, tcases)
write.table(cases, "tests/reference/cases_survreg_strata.tsv", sep = "\t", quote = FALSE,
            row.names = FALSE)
writeLines(c("id\tloglik\tloglik0\tscales", ll), file.path(outdir, "survreg_strata_loglik.tsv"))
writeLines(c(sprintf("R %s", paste(R.version$major, R.version$minor, sep = ".")),
             sprintf("survival %s", as.character(packageVersion("survival"))),
             sprintf("numDeriv %s", as.character(packageVersion("numDeriv"))),
             sprintf("haven %s", as.character(packageVersion("haven")))),
           file.path(outdir, "survreg_strata_VERSIONS"))
