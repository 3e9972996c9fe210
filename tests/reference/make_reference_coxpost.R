#!/usr/bin/env Rscript
# make_reference_coxpost.R -- reference values for post-estimation from
# saved Cox fits (dyadfit predict / margins --fd / predict --survival) on
# the bundled Leeds data, from survival::coxph, predict.coxph and survfit.
#
#   Rscript tests/reference/make_reference_coxpost.R     (from the repository root)
#
# Models (peace spells, counting process Surv(peaceyrs, peaceyrs + 1, mid_onset)):
#   a: defense + contig + log(cap_ratio), Efron ties, model-based variance
#   b: defense * contig + log(cap_ratio) + strata(region), Breslow, model-based
#   c: defense + contig + log(cap_ratio) + jointdem, Efron,
#      cluster = dyad (coxph's robust variance: dyadfit --vce cluster dyad --ssc hc0)
#   d: Surv(peaceyrs + 1, mid_onset) ~ defense + factor(conttype) + log(cap_ratio),
#      Efron, rows with year >= 1950 (dyadfit --if); profiles "defense=1" and
#      "defense=0", conttype at its most frequent value
# Profiles (a-c): "defense=1 contig=1" and "defense=0 contig=1", other variables
# at their means over the fitted rows (log(cap_ratio) of the mean cap_ratio,
# as dyadfit sets the raw variable and rebuilds the model matrix).
#
# Files in tests/reference/values (columns term, estimate, std.error,
# statistic, p.value, conf.low, conf.high, contrast; %.17g):
#   coxpost_<m>_risk.csv  exp(x'b) against covariates = 0:
#       predict(fit, newdata, type = "lp", reference = "zero", se.fit = TRUE);
#       estimate exp(lp), std.error exp(lp) se(lp) (the delta method),
#       interval exp(lp +- z se(lp)). (predict(type = "risk")'s se.fit is
#       se(lp) * sqrt(risk), not the delta method, so it is not used; its
#       estimate is checked equal to exp(lp) below.)
#   coxpost_<m>_hr.csv    exp((xA - xB)'b), delta method, log-scale interval,
#       from the model matrices of the two profiles and vcov(fit).
#   coxpost_<m>_surv.csv  summary(survfit(fit, newdata = profile,
#       conf.type = "log-log"), times = ...): surv, std.err (survival scale),
#       lower, upper; one row per profile, stratum and time. std.err includes
#       the baseline hazard's variance (Tsiatis) with vcov(fit): for c that is
#       the robust variance (survfit 3.5 uses fit$var either way).
suppressPackageStartupMessages({
    library(haven)
    library(survival)
})
out <- "tests/reference/values"
d <- as.data.frame(zap_labels(zap_formats(read_dta("data/leeds_dyads.dta"))))
z <- qnorm(0.975)
f17 <- function(x) ifelse(is.finite(x), sprintf("%.17g", x), "NA")

write_ref <- function(file, term, est, se, lo, hi, contrast, stat = NA, p = NA) {
    df <- data.frame(term = term, estimate = f17(est), std.error = f17(se),
                     statistic = f17(stat), p.value = f17(p), conf.low = f17(lo),
                     conf.high = f17(hi), contrast = contrast)
    write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE)
}

profiles_ab <- list("defense=1 contig=1" = list(defense = 1, contig = 1),
                 "defense=0 contig=1" = list(defense = 0, contig = 1))

mode_of <- function(x) { t <- table(x); as.numeric(names(t)[which.max(t)]) }

run_model <- function(tag, formula, ties, vars, strata = NULL, cluster = NULL, times,
                      factors = character(0), subset = NULL, profiles = profiles_ab) {
    dd <- if (is.null(subset)) d else d[with(d, eval(subset)) %in% TRUE, ]
    used <- dd[complete.cases(dd[, c("peaceyrs", "mid_onset", vars, strata, cluster)]), ]
    ctl <- coxph.control(eps = 1e-13, toler.chol = 1e-15, iter.max = 100)
    used$.cl <- if (is.null(cluster)) seq_len(nrow(used)) else used[[cluster]]
    fit <- if (is.null(cluster)) coxph(formula, data = used, ties = ties, control = ctl,
                                             model = TRUE, x = TRUE)
           else coxph(formula, data = used, ties = ties, cluster = .cl, control = ctl,
                 model = TRUE, x = TRUE)
    b <- coef(fit)
    V <- vcov(fit)
    base <- as.data.frame(lapply(vars, function(v)
        if (v %in% factors) mode_of(used[[v]]) else mean(used[[v]])))
    names(base) <- vars
    nd <- do.call(rbind, lapply(profiles, function(p) { x <- base; x[names(p)] <- p; x }))
    ndp <- if (is.null(strata)) nd else cbind(nd, setNames(list(used[[strata]][1]), strata))
    lp <- predict(fit, newdata = ndp, type = "lp", reference = "zero", se.fit = TRUE)
    rk <- predict(fit, newdata = ndp, type = "risk", reference = "zero")
    stopifnot(isTRUE(all.equal(unname(rk), unname(exp(lp$fit)), tolerance = 1e-13)))
    r <- exp(lp$fit)
    write_ref(sprintf("coxpost_%s_risk.csv", tag), names(profiles), r, r * lp$se.fit,
              exp(lp$fit - z * lp$se.fit), exp(lp$fit + z * lp$se.fit), "exp(xb)",
              lp$fit / lp$se.fit, 2 * pnorm(-abs(lp$fit / lp$se.fit)))
    # hazard ratio A / B from the model-matrix rows
    labs <- attr(delete.response(terms(fit)), "term.labels")
    rhs <- reformulate(labs[!startsWith(labs, "strata(")])
    xlev <- fit$xlevels[!startsWith(as.character(names(fit$xlevels)), "strata(")]
    X <- model.matrix(rhs, model.frame(rhs, nd, xlev = xlev))[, names(b), drop = FALSE]
    dx <- X[1, ] - X[2, ]
    llr <- sum(dx * b)
    sl <- sqrt(drop(t(dx) %*% V %*% dx))
    write_ref(sprintf("coxpost_%s_hr.csv", tag),
              paste(names(profiles)[1], "/", names(profiles)[2]), exp(llr), exp(llr) * sl,
              exp(llr - z * sl), exp(llr + z * sl), "HR", llr / sl, 2 * pnorm(-abs(llr / sl)))
    # survival curves
    rows <- list()
    for (p in seq_along(profiles)) {
        sf <- survfit(fit, newdata = nd[p, , drop = FALSE], conf.type = "log-log")
        s <- summary(sf, times = times)
        st <- if (is.null(s$strata)) rep("", length(s$time)) else paste0(" | ", s$strata)
        rows[[p]] <- data.frame(term = paste0(names(profiles)[p], st), time = s$time,
                                surv = s$surv, se = s$std.err, lo = s$lower, hi = s$upper)
    }
    rows <- do.call(rbind, rows)
    write_ref(sprintf("coxpost_%s_surv.csv", tag), rows$term, rows$surv, rows$se, rows$lo,
              rows$hi, sprintf("S(t=%s)", format(rows$time, trim = TRUE)))
    cat(tag, ": n =", fit$n, " events =", fit$nevent, "\n")
}

run_model("a", Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio),
          "efron", c("defense", "contig", "cap_ratio"), times = c(1, 5, 10, 30))
run_model("b", Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense * contig + log(cap_ratio) +
              strata(region),
          "breslow", c("defense", "contig", "cap_ratio"), strata = "region",
          times = c(1, 5, 10))
run_model("c", Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) +
              jointdem,
          "efron", c("defense", "contig", "cap_ratio", "jointdem"), cluster = "dyad",
          times = c(2, 20))

# d: right-censored Surv(stop, event) (every row at risk from -Inf), a
# factor at its most frequent level, rows restricted as by --if
run_model("d", Surv(peaceyrs + 1, mid_onset) ~ defense + factor(conttype) + log(cap_ratio),
          "efron", c("defense", "conttype", "cap_ratio"), factors = "conttype",
          subset = quote(year >= 1950), times = c(3, 12),
          profiles = list("defense=1" = list(defense = 1), "defense=0" = list(defense = 0)))

writeLines(c(R.version.string, paste("survival", packageVersion("survival")),
             paste("haven", packageVersion("haven"))),
           file.path(out, "coxpost_VERSIONS"))
