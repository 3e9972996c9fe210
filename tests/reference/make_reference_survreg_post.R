#!/usr/bin/env Rscript
# make_reference_survreg_post.R -- reference values for predictions from
# saved Weibull and exponential fits (dyadfit predict, predict --survival)
# on the peace spells in tests/data/models/spells.csv, from
# survival::survreg, predict.survreg and psurvreg; the delta method done
# here with R's symbolic derivatives (deriv()), not with dyadfit's formulas.
#
#   Rscript tests/reference/make_reference_survreg_post.R   (from the repository root)
#
# Models (Surv(duration, event); variance vcov(survreg), dyadfit --vce oim,
# except wc):
#   wa  weibull, defense + contig + log(cap_ratio), AFT metric (survreg's)
#   wp  the same in the PH metric (streg's): g = -b / scale, ln p = -log(scale),
#       variance A V A' with A the Jacobian of that map
#   ea  exponential, AFT;  ep  exponential, PH (g = -b)
#   ws  weibull, defense + log(cap_ratio) + strata(contig), AFT (a scale per
#       stratum, survreg's strata())
#   wc  as wa with survreg(cluster = dyad) (dyadfit --vce cluster dyad --ssc hc0)
# Profiles: "defense=1 contig=0 cap_ratio=5" (every variable set) and
# "defense=0" (contig and cap_ratio at their means over the fitted rows;
# log(cap_ratio) of the mean, as dyadfit sets the raw variable); for ws
# "defense=1 cap_ratio=5" and "defense=0", each in both strata.
#
# Files in tests/reference/values (term, estimate, std.error, statistic,
# p.value, conf.low, conf.high, contrast; %.17g):
#   survpost_<m>_pred.csv  per profile "xb": predict(type = "lp", se.fit)
#       (AFT) or z'g with sqrt(z' V z) (PH), z and p; then per stratum
#       "median": predict(type = "quantile", p = 0.5, se.fit = TRUE) (AFT;
#       the PH value is checked equal), interval exp(log m +- z se / m)
#   survpost_<m>_surv.csv  S(t) = 1 - psurvreg(t, lp, scale, dist) at t = 1,
#       5, 20; std.error by the delta method on S itself (deriv of S's
#       expression in the parameters of the metric, with that metric's
#       variance); interval exp(-exp(u +- z se(u))) with u = log(-log S),
#       se(u) from deriv of u's expression.
suppressPackageStartupMessages(library(survival))
out <- "tests/reference/values"
d <- read.csv("tests/data/models/spells.csv")
z975 <- qnorm(0.975)
f17 <- function(x) ifelse(is.finite(x), sprintf("%.17g", x), "NA")
times <- c(1, 5, 20)
ctl <- survreg.control(rel.tolerance = 1e-13, maxiter = 100)

write_ref <- function(file, rows) {
    df <- data.frame(term = rows$term, estimate = f17(rows$est), std.error = f17(rows$se),
                     statistic = f17(rows$stat), p.value = f17(rows$p),
                     conf.low = f17(rows$lo), conf.high = f17(rows$hi), contrast = rows$contrast)
    write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE)
}

# delta-method standard error of expression text e in the named parameters
# th (values) with variance V: deriv() gives the gradient symbolically
delta <- function(e, th, V, extra = list()) {
    g <- deriv(parse(text = e)[[1]], names(th))
    v <- eval(g, c(as.list(th), extra))
    J <- attr(v, "gradient")[1, ]
    list(value = as.numeric(v), se = sqrt(as.numeric(t(J) %*% V %*% J)))
}

run_model <- function(tag, dist, rhs, profiles, metric, strata = NULL, cluster = FALSE) {
    vars <- c("duration", "event", "defense", "cap_ratio", "contig", if (cluster) "dyad")
    used <- d[complete.cases(d[, vars]), ]
    fo <- as.formula(paste("Surv(duration, event) ~", rhs))
    fit <- if (cluster) survreg(fo, used, dist = dist, control = ctl, cluster = dyad)
           else survreg(fo, used, dist = dist, control = ctl)
    b <- coef(fit)
    V <- vcov(fit)
    kx <- length(b)
    nsc <- ncol(V) - kx                      # scale parameters
    lsig <- if (nsc) log(fit$scale) else 0   # per stratum
    # the parameters of the metric and their variance
    if (metric == "aft") {
        th <- c(b, if (nsc) lsig)
        Vm <- V
    } else {
        stopifnot(nsc <= 1)
        sg <- exp(lsig)
        th <- c(-b / sg, if (nsc) -lsig)
        A <- matrix(0, kx + nsc, kx + nsc)
        A[cbind(1:kx, 1:kx)] <- -1 / sg
        if (nsc) {
            A[1:kx, kx + 1] <- b / sg
            A[kx + 1, kx + 1] <- -1
        }
        Vm <- A %*% V %*% t(A)
    }
    pn <- c(paste0("c", seq_len(kx)), if (nsc) paste0("s", seq_len(nsc)))
    names(th) <- pn
    dimnames(Vm) <- list(pn, pn)
    pred <- list(); surv <- list()
    add <- function(l, term, contrast, est, se, lo, hi, stat = NA, p = NA)
        c(l, list(data.frame(term = term, contrast = contrast, est = est, se = se, lo = lo,
                             hi = hi, stat = stat, p = p)))
    for (pname in names(profiles)) {
        nd <- used[1, ]
        for (v in c("defense", "contig", "cap_ratio")) nd[[v]] <- mean(used[[v]])
        for (v in names(profiles[[pname]])) nd[[v]] <- profiles[[pname]][[v]]
        # the covariates' model matrix (strata() is no column)
        tt <- terms(as.formula(paste("~", sub("\\+ strata\\(contig\\)", "", rhs))))
        zr <- model.matrix(tt, model.frame(tt, nd))[1, ]
        zr <- zr[names(b)]
        xb_e <- paste(sprintf("c%d * %.17g", seq_len(kx), zr), collapse = " + ")
        xb <- delta(xb_e, th, Vm)
        if (metric == "aft") {
            lp <- predict(fit, nd, type = "lp", se.fit = TRUE)
            stopifnot(abs(lp$fit - xb$value) < 1e-10, abs(lp$se.fit - xb$se) < 1e-10 * xb$se)
        }
        pred <- add(pred, pname, "xb", xb$value, xb$se, xb$value - z975 * xb$se,
                    xb$value + z975 * xb$se, xb$value / xb$se, 2 * pnorm(-abs(xb$value / xb$se)))
        slev <- if (nsc > 1) names(fit$scale) else ""
        for (s in seq_along(slev)) {
            term <- if (nsc > 1) paste0(pname, " | ", slev[s]) else pname
            sp <- if (nsc) sprintf("exp(s%d)", s) else "1"
            ndq <- nd
            if (nsc > 1) ndq$contig <- as.numeric(sub("contig=", "", slev[s]))
            q <- predict(fit, ndq, type = "quantile", p = 0.5, se.fit = TRUE)
            # the median from its expression in the metric's parameters
            me <- if (metric == "aft") sprintf("exp(%s + %s * log(log(2)))", xb_e, sp)
                  else sprintf("(log(2) / exp(%s))^(1 / %s)", xb_e, sp)
            md <- delta(me, th, Vm)
            stopifnot(abs(md$value / q$fit - 1) < 1e-10, abs(md$se / q$se.fit - 1) < 1e-8)
            pred <- add(pred, term, "median", q$fit, q$se.fit, q$fit * exp(-z975 * q$se.fit / q$fit),
                        q$fit * exp(z975 * q$se.fit / q$fit))
            for (t in times) {
                sc <- if (nsc) fit$scale[s] else 1
                S0 <- 1 - psurvreg(t, sum(zr * b), sc, dist)   # AFT location either way
                ue <- if (metric == "aft") sprintf("(log(t) - (%s)) / %s", xb_e, sp)
                      else sprintf("%s + %s * log(t)", xb_e, sp)
                Sd <- delta(sprintf("exp(-exp(%s))", ue), th, Vm, list(t = t))
                ud <- delta(ue, th, Vm, list(t = t))
                stopifnot(abs(Sd$value / S0 - 1) < 1e-12)
                surv <- add(surv, term, sprintf("S(t=%g)", t), S0, Sd$se,
                            exp(-exp(ud$value + z975 * ud$se)), exp(-exp(ud$value - z975 * ud$se)))
            }
        }
    }
    write_ref(sprintf("survpost_%s_pred.csv", tag), do.call(rbind, pred))
    write_ref(sprintf("survpost_%s_surv.csv", tag), do.call(rbind, surv))
}

P2 <- list("defense=1 contig=0 cap_ratio=5" = list(defense = 1, contig = 0, cap_ratio = 5),
           "defense=0" = list(defense = 0))
PS <- list("defense=1 cap_ratio=5" = list(defense = 1, cap_ratio = 5), "defense=0" = list(defense = 0))
RHS <- "defense + contig + log(cap_ratio)"
run_model("wa", "weibull", RHS, P2, "aft")
run_model("wp", "weibull", RHS, P2, "ph")
run_model("ea", "exponential", RHS, P2, "aft")
run_model("ep", "exponential", RHS, P2, "ph")
run_model("ws", "weibull", "defense + log(cap_ratio) + strata(contig)", PS, "aft")
run_model("wc", "weibull", RHS, P2, "aft", cluster = TRUE)
writeLines(c(R.version.string, paste("survival", packageVersion("survival"))),
           file.path(out, "survpost_VERSIONS"))
