## S3 methods for "dyadfit" objects.

#' Methods for dyadfit models
#'
#' Standard accessors for a model fitted by [dyad_logit()].
#'
#' @param object,x a `dyadfit` object.
#' @param complete for `coef` and `vcov`: keep `NA` entries for columns the
#'   library dropped (collinear or separated), as `glm` does.
#' @param parm coefficients for `confint`: names or positions (default all).
#' @param level confidence level (default: the level the model was fitted with).
#' @param newdata a data frame for `predict`; omitted: the rows used in the fit.
#' @param type `"link"` (linear predictor) or `"response"` (probability).
#' @param se.fit also return standard errors (delta method).
#' @param digits significant digits to print.
#' @param ... unused.
#' @return `coef`: named vector; `vcov`: matrix; `confint`: matrix of Wald
#'   intervals; `nobs`: number of observations (sum of frequency weights);
#'   `logLik`: a `logLik` object with `df` and `nobs`; `predict`: a vector, or
#'   with `se.fit = TRUE` a list with `fit` and `se.fit`; `summary`: an object
#'   printed as a coefficient table.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig + log(cap_ratio), data = d,
#'                   vcov = ~dyad)
#' coef(fit)
#' sqrt(diag(vcov(fit)))
#' confint(fit, level = 0.9)
#' AIC(fit); BIC(fit); nobs(fit)
#' nd <- data.frame(defense = c(0, 1), contig = 1, cap_ratio = 2)
#' predict(fit, newdata = nd, type = "response", se.fit = TRUE)
#' @name dyadfit-methods
NULL

#' @rdname dyadfit-methods
#' @export
coef.dyadfit <- function(object, complete = TRUE, ...)
{
    cf <- object$coefficients
    if (complete) cf else cf[!is.na(cf)]
}

#' @rdname dyadfit-methods
#' @export
vcov.dyadfit <- function(object, complete = TRUE, ...)
{
    V <- object$vcov
    if (complete) return(V)
    ok <- !is.na(object$coefficients)
    V[ok, ok, drop = FALSE]
}

#' @rdname dyadfit-methods
#' @export
nobs.dyadfit <- function(object, ...) object$nobs

#' @rdname dyadfit-methods
#' @export
logLik.dyadfit <- function(object, ...)
{
    structure(object$loglik, df = sum(!is.na(object$coefficients)),
              nobs = object$nobs, class = "logLik")
}

#' @rdname dyadfit-methods
#' @export
confint.dyadfit <- function(object, parm, level = object$level, ...)
{
    cf <- object$coefficients
    se <- sqrt(diag(object$vcov))
    pnames <- names(cf)
    if (missing(parm)) parm <- pnames
    else if (is.numeric(parm)) parm <- pnames[parm]
    a <- (1 - level) / 2
    z <- stats::qnorm(1 - a)
    ci <- cbind(cf[parm] - z * se[parm], cf[parm] + z * se[parm])
    dimnames(ci) <- list(parm, sprintf("%s %%", format_pct(c(a, 1 - a))))
    ci
}

format_pct <- function(p) format(100 * p, trim = TRUE, scientific = FALSE, digits = 3)

#' @rdname dyadfit-methods
#' @export
formula.dyadfit <- function(x, ...) stats::formula(x$terms)

#' @rdname dyadfit-methods
#' @export
model.matrix.dyadfit <- function(object, ...)
{
    stats::model.matrix(object$terms, object$model, contrasts.arg = object$contrasts)
}

#' @rdname dyadfit-methods
#' @export
fitted.dyadfit <- function(object, ...)
{
    stats::napredict(object$na.action, object$fitted.values)
}

#' @rdname dyadfit-methods
#' @export
predict.dyadfit <- function(object, newdata = NULL, type = c("link", "response"),
                            se.fit = FALSE, ...)
{
    type <- match.arg(type)
    cf <- object$coefficients
    ok <- !is.na(cf)
    if (is.null(newdata)) {
        X <- stats::model.matrix(object)
        off <- stats::model.offset(object$model)
    } else {
        if (!is.data.frame(newdata) && !is.list(newdata))
            stop("'newdata' must be a data frame", call. = FALSE)
        tt <- stats::delete.response(object$terms)
        m <- stats::model.frame(tt, newdata, na.action = stats::na.pass,
                                xlev = object$xlevels)
        if (!is.null(cls <- attr(tt, "dataClasses"))) stats::.checkMFClasses(cls, m)
        X <- stats::model.matrix(tt, m, contrasts.arg = object$contrasts)
        off <- stats::model.offset(m)
        if (!is.null(object$call$offset)) {
            o2 <- eval(object$call$offset, newdata, environment(object$terms))
            off <- if (is.null(off)) o2 else off + o2
        }
    }
    Xo <- X[, ok, drop = FALSE]
    eta <- drop(Xo %*% cf[ok])
    if (!is.null(off)) eta <- eta + off
    names(eta) <- rownames(X)
    fam <- stats::binomial(link = object$link)
    fit <- if (type == "link") eta else fam$linkinv(eta)
    if (is.null(newdata)) fit <- stats::napredict(object$na.action, fit)
    if (!se.fit) return(fit)
    V <- object$vcov[ok, ok, drop = FALSE]
    se <- sqrt(rowSums((Xo %*% V) * Xo))
    if (type == "response") se <- se * abs(fam$mu.eta(eta))
    names(se) <- rownames(X)
    if (is.null(newdata)) se <- stats::napredict(object$na.action, se)
    list(fit = fit, se.fit = se)
}

vce_line <- function(x)
{
    v <- x$vce
    s <- switch(v$type,
                oim = sprintf("inverse of the %s information", v$information),
                robust = sprintf("robust (sandwich), small-sample factor %s = %.6g",
                                 v$ssc, v$factor),
                bootstrap = paste0("bootstrap, ", if (length(v$nclusters))
                    sprintf("clusters of %s resampled (%g clusters)",
                            names(v$nclusters)[1L], v$nclusters[[1L]])
                    else "rows resampled",
                    sprintf(", %d replications, seed %.0f", as.integer(v$reps), v$seed)),
                sprintf("clustered on %s, small-sample factor %s = %.6g",
                        paste(sprintf("%s (%g clusters)", names(v$nclusters), v$nclusters),
                              collapse = " and "), v$ssc, v$factor))
    if (!v$type %in% c("oim", "bootstrap") &&
        (identical(x$estimator, "probit") || identical(x$estimator, "cloglog")))
        s <- paste0(s, ", ", v$information, " information")
    s
}

model_title <- function(x)
{
    est <- x$estimator %||% x$link
    t <- switch(est, logit = "Logistic regression", probit = "Probit regression",
                cloglog = "Complementary log-log regression",
                relogit = "Rare-events logistic regression",
                firth = "Penalised-likelihood (Firth) logistic regression",
                cox = "Cox proportional hazards regression",
                clogit = "Conditional (fixed-effects) logistic regression",
                felogit = "Logistic regression with absorbed fixed effects",
                weibull = "Weibull survival regression",
                exponential = "Exponential survival regression", est)
    if (!is.null(x$subtitle) && !is.na(x$subtitle) && est != "firth")
        t <- paste0(t, " (", x$subtitle, ")")
    t
}

## p-values and intervals: the library's (Firth profile) or Wald ones
coef_inference <- function(object, level = object$level)
{
    cf <- object$coefficients
    ok <- !is.na(cf)
    se <- sqrt(diag(object$vcov))[ok]
    z <- cf[ok] / se
    q <- stats::qnorm(1 - (1 - level) / 2)
    out <- list(estimate = cf[ok], se = se, z = z, p = 2 * stats::pnorm(-abs(z)),
                low = cf[ok] - q * se, high = cf[ok] + q * se)
    inf <- object$inference
    if (!is.null(inf)) {
        nm <- names(cf)[ok]
        out$p <- inf$p.value[nm]
        if (isTRUE(all.equal(level, object$level))) {
            out$low <- inf$conf.low[nm]
            out$high <- inf$conf.high[nm]
        }
    }
    out
}

#' @rdname dyadfit-methods
#' @export
print.dyadfit <- function(x, digits = max(3L, getOption("digits") - 3L), ...)
{
    cat(model_title(x), " (dyadfit)\n\nCall:\n", sep = "")
    print(x$call)
    cat("\nCoefficients:\n")
    print.default(format(x$coefficients, digits = digits), print.gap = 2L,
                  quote = FALSE)
    cat(sprintf("\nN = %s, log-likelihood = %s\nVariance: %s\n",
                format(x$nobs), format(x$loglik, digits = digits + 3L), vce_line(x)))
    invisible(x)
}

#' @rdname dyadfit-methods
#' @export
summary.dyadfit <- function(object, ...)
{
    ok <- !is.na(object$coefficients)
    ci <- coef_inference(object)
    tab <- cbind(Estimate = ci$estimate, `Std. Error` = ci$se, `z value` = ci$z,
                 `Pr(>|z|)` = ci$p)
    structure(list(call = object$call, link = object$link,
                   title = model_title(object), coefficients = tab,
                   ll_label = switch(object$estimator %||% "logit",
                                     firth = "Penalised log-likelihood",
                                     cox = "Partial log-likelihood",
                                     clogit = "Conditional log-likelihood",
                                     "Log-likelihood"),
                   inference_method = if (is.null(object$inference)) NULL else
                       object$inference_method,
                   aliased = !ok, nobs = object$nobs, n_used = object$n_used,
                   n_dropped = object$n_dropped, loglik = object$loglik,
                   loglik0 = object$loglik0, pseudo_r2 = object$pseudo_r2,
                   iterations = object$iterations, converged = object$converged,
                   vce = object$vce, vce_line = vce_line(object),
                   notes = object$notes),
              class = "summary.dyadfit")
}

#' @rdname dyadfit-methods
#' @export
print.summary.dyadfit <- function(x, digits = max(3L, getOption("digits") - 3L), ...)
{
    cat(x$title, " (dyadfit)\n\nCall:\n", sep = "")
    print(x$call)
    cat("\nCoefficients:")
    if (any(x$aliased))
        cat(sprintf(" (%d not defined: dropped as collinear or separated)",
                    sum(x$aliased)))
    cat("\n")
    stats::printCoefmat(x$coefficients, digits = digits, signif.legend = TRUE,
                        na.print = "NA")
    if (!is.null(x$inference_method))
        cat(sprintf("p-values: %s\n", x$inference_method))
    cat(sprintf("\nVariance: %s\n", x$vce_line))
    cat(sprintf("N used: %s rows (%s dropped)%s\n", format(x$n_used),
                format(x$n_dropped),
                if (x$nobs != x$n_used) sprintf(", N = %s (sum of weights)",
                                                format(x$nobs)) else ""))
    cat(sprintf("%s: %s (null %s), pseudo R-squared %s\n", x$ll_label,
                format(x$loglik, digits = digits + 3L),
                format(x$loglik0, digits = digits + 3L),
                format(x$pseudo_r2, digits = digits)))
    cat(sprintf("%s after %g iterations\n",
                if (x$converged) "Converged" else "NOT CONVERGED", x$iterations))
    if (length(x$notes)) cat(paste0("Note: ", x$notes, "\n"), sep = "")
    invisible(x)
}

#' The library's own rendering of a fitted model
#'
#' The table the `dyadfit` command line prints for the same model, in one of
#' its output formats (made by the C library's `dyadfit_report`).
#'
#' @param object a `dyadfit` object.
#' @param format `"text"`, `"csv"` (broom's columns, full precision),
#'   `"json"`, `"markdown"` or `"latex"`.
#' @return A character string (print it with `cat()`).
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig, data = d, vcov = ~dyad)
#' cat(dyad_report(fit))
#' cat(dyad_report(fit, "markdown"))
#' @export
dyad_report <- function(object, format = c("text", "csv", "json", "markdown", "latex"))
{
    if (!inherits(object, "dyadfit")) stop("'object' must be a dyadfit model", call. = FALSE)
    format <- match.arg(format)
    unname(object$reports[format])
}

#' @rdname dyadfit-methods
#' @export
confint.dyadfit_firth <- function(object, parm, level = object$level, ...)
{
    if (is.null(object$inference)) return(NextMethod())
    if (!isTRUE(all.equal(level, object$level))) {
        ## profile intervals belong to a level: refit at that one, in the
        ## environment of the original call
        call <- object$call
        call$level <- level
        object <- eval(call, object$env %||% parent.frame())
    }
    cf <- object$coefficients
    pnames <- names(cf)
    if (missing(parm)) parm <- pnames
    else if (is.numeric(parm)) parm <- pnames[parm]
    a <- (1 - level) / 2
    ci <- cbind(object$inference$conf.low[parm], object$inference$conf.high[parm])
    dimnames(ci) <- list(parm, sprintf("%s %%", format_pct(c(a, 1 - a))))
    ci
}

#' @rdname dyadfit-methods
#' @param bayes relogit, `type = "response"`: King and Zeng's approximate
#'   Bayesian probability `p + (0.5 - p) p (1 - p) x V x'` (eq. 21) instead
#'   of the plug-in `p`.
#' @export
predict.dyadfit_relogit <- function(object, newdata = NULL,
                                    type = c("link", "response"), se.fit = FALSE,
                                    bayes = FALSE, ...)
{
    type <- match.arg(type)
    if (!is.logical(bayes) || length(bayes) != 1L || is.na(bayes))
        stop("'bayes' must be TRUE or FALSE", call. = FALSE)
    if (!bayes) return(NextMethod())
    if (type != "response")
        stop("bayes = TRUE is a probability: use type = \"response\"", call. = FALSE)
    if (se.fit)
        stop("se.fit is not available with bayes = TRUE", call. = FALSE)
    p <- predict.dyadfit(object, newdata, type = "response", se.fit = TRUE)
    ## x V x' from the delta-method standard error of the linear predictor
    lp <- predict.dyadfit(object, newdata, type = "link", se.fit = TRUE)
    pr <- p$fit
    pr + (0.5 - pr) * pr * (1 - pr) * lp$se.fit^2
}
