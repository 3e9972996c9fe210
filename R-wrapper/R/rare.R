#' Rare-events logit (King and Zeng 2001)
#'
#' Logistic regression for rare events by the `libdyadfit` C library: the
#' small-sample bias correction of King and Zeng (2001, eq. 12) and, when the
#' population fraction of ones `tau` is known (case-control or choice-based
#' samples), the prior or the weighting correction. The design comes from
#' [stats::model.frame()] and [stats::model.matrix()] as in [dyad_logit()].
#'
#' The reported coefficients are the bias-corrected ones, `b~ = b^ - bias`,
#' with variance `(n/(n+k))^2 V(b^)` (King and Zeng eq. 14) where `V(b^)`
#' is the variance chosen by `vcov` (so clustered variances work). Under the
#' prior correction the intercept is shifted by
#' `-log(((1 - tau)/tau) (ybar/(1 - ybar)))`. Under the weighting correction
#' the log likelihoods are weighted; King and Zeng recommend a robust variance
#' with it.
#'
#' @inheritParams dyad_logit
#' @param tau the fraction of ones in the population, or `NULL` (not known:
#'   bias correction only).
#' @param tau_upper with `tau`: the upper end of a range `(tau, tau_upper)`;
#'   the fit is reported at `tau` and a note gives the mean predicted
#'   probability at both ends.
#' @param correction `"prior"` (intercept correction) or `"weighting"` (case
#'   weights `tau/ybar` and `(1 - tau)/(1 - ybar)`); both need `tau`.
#' @param bias_correction `TRUE` (default): correct the coefficients for
#'   small-sample bias.
#' @param ... further arguments of [dyad_logit()]: `subset`, `na.action`,
#'   `offset`, `information`, `drop_separated`, `level`, `control`,
#'   `contrasts`, `threads`, `spells` (not `link` or `weights`).
#' @return An object of class `c("dyadfit_relogit", "dyadfit")` with the
#'   components of a [dyad_logit()] fit plus `estimator = "relogit"` and
#'   `subtitle` (the correction used). `predict(fit, type = "response",
#'   bayes = TRUE)` gives King and Zeng's approximate Bayesian probability
#'   `p + (0.5 - p) p (1 - p) x V x'` (their eq. 21).
#' @references King, G. and Zeng, L. (2001). Logistic regression in rare
#'   events data. *Political Analysis* 9, 137-163.
#' @seealso [dyadfit-methods], [firth()].
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- relogit(mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs,
#'                data = d, vcov = ~dyad)
#' summary(fit)
#' # known population fraction of onsets, prior correction
#' fit2 <- relogit(mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs,
#'                 data = d, tau = 0.004)
#' head(predict(fit2, type = "response", bayes = TRUE))
#' @export
relogit <- function(formula, data, tau = NULL, tau_upper = NULL,
                    correction = c("prior", "weighting"),
                    bias_correction = TRUE, vcov = "oim",
                    ssc = c("stata", "hc0", "hc1"), ...)
{
    cl <- match.call()
    correction <- match.arg(correction)
    ssc <- match.arg(ssc)
    if (missing(formula)) stop("'formula' must be a two-sided formula", call. = FALSE)
    dots <- check_dots(match.call(expand.dots = FALSE)$..., parent.frame(),
                       "relogit", c("link", "weights", "weight_type"))
    if (!is.null(tau) && (!is.numeric(tau) || length(tau) != 1L || is.na(tau) ||
                          tau <= 0 || tau >= 1))
        stop("'tau' (the population fraction of ones) must be a number in (0, 1), ",
             "or NULL", call. = FALSE)
    if (!is.null(tau_upper)) {
        if (is.null(tau))
            stop("'tau_upper' needs 'tau', the lower end of the range", call. = FALSE)
        if (!is.numeric(tau_upper) || length(tau_upper) != 1L || is.na(tau_upper) ||
            tau_upper <= tau || tau_upper >= 1)
            stop("'tau_upper' must lie above 'tau' and below 1", call. = FALSE)
    }
    if (correction == "weighting" && is.null(tau))
        stop("the weighting correction needs 'tau' (the population fraction of ones)",
             call. = FALSE)
    if (!is.logical(bias_correction) || length(bias_correction) != 1L ||
        is.na(bias_correction))
        stop("'bias_correction' must be TRUE or FALSE", call. = FALSE)
    out <- fit_binary(cl, parent.frame(), formula, missing(data),
                      if (!missing(data)) data,
                      estimator = 3L, link = "logit", vcov = vcov, ssc = ssc,
                      information = dots$information, weight_type = "frequency",
                      drop_separated = dots$drop_separated, level = dots$level,
                      control = dots$control, contrasts = dots$contrasts,
                      caller = "relogit", threads = dots$threads,
                      spells = dots$spells,
                      relogit = list(tau = tau %||% 0, tau_upper = tau_upper %||% 0,
                                     correction = match(correction, c("prior", "weighting")) - 1L,
                                     bias_correction = bias_correction))
    out$tau <- tau
    out$tau_upper <- tau_upper
    out$correction <- if (is.null(tau)) NA_character_ else correction
    out$bias_correction <- bias_correction
    class(out) <- c("dyadfit_relogit", "dyadfit")
    out
}

#' Firth's penalised-likelihood logit
#'
#' Logistic regression with Firth's (1993) bias-reducing penalty
#' `0.5 log|I(b)|`, fitted by the `libdyadfit` C library; estimates exist
#' under separation. Intervals and p-values are by default profile penalised
#' likelihood intervals and penalised likelihood-ratio tests, as
#' `logistf::logistf` gives; `ci = "wald"` (or a robust or clustered
#' `vcov`) gives Wald intervals and tests from the variance.
#'
#' @inheritParams dyad_logit
#' @param ci `"profile"` (default) or `"wald"`.
#' @param weights optional frequency weights (as `logistf`'s), evaluated in
#'   `data`.
#' @param ... further arguments of [dyad_logit()]: `subset`, `na.action`,
#'   `offset`, `information`, `level`, `control`, `contrasts`, `threads`,
#'   `spells` (not `link` or `drop_separated`).
#' @return An object of class `c("dyadfit_firth", "dyadfit")`: the components
#'   of a [dyad_logit()] fit (`loglik` and `loglik0` are penalised) plus
#'   `inference` (profile `p.value`, `conf.low`, `conf.high`, or `NULL` for
#'   Wald). `confint()` returns the profile intervals (refitting for another
#'   `level`); `summary()` and `tidy()` show the penalised LR p-values.
#' @references Firth, D. (1993). Bias reduction of maximum likelihood
#'   estimates. *Biometrika* 80, 27-38. Heinze, G. and Schemper, M. (2002).
#'   A solution to the problem of separation in logistic regression.
#'   *Statistics in Medicine* 21, 2409-2419.
#' @seealso [dyadfit-methods], [relogit()].
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' # neutrality separates (never 1 with an onset): Firth's estimate exists
#' fit <- firth(mid_onset ~ neutrality + contig + log(cap_ratio), data = d)
#' summary(fit)
#' confint(fit)
#' @export
firth <- function(formula, data, ci = c("profile", "wald"), vcov = "oim",
                  ssc = c("stata", "hc0", "hc1"), weights = NULL, ...)
{
    cl <- match.call()
    ci <- match.arg(ci)
    ssc <- match.arg(ssc)
    if (missing(formula)) stop("'formula' must be a two-sided formula", call. = FALSE)
    dots <- check_dots(match.call(expand.dots = FALSE)$..., parent.frame(),
                       "firth", c("link", "drop_separated", "weight_type"))
    out <- fit_binary(cl, parent.frame(), formula, missing(data),
                      if (!missing(data)) data,
                      estimator = 4L, link = "logit", vcov = vcov, ssc = ssc,
                      information = dots$information, weight_type = "frequency",
                      drop_separated = FALSE, level = dots$level,
                      control = dots$control, contrasts = dots$contrasts,
                      caller = "firth", firth = list(wald = ci == "wald"),
                      threads = dots$threads, spells = dots$spells)
    out$ci <- if (is.null(out$inference)) "wald" else "profile"
    class(out) <- c("dyadfit_firth", "dyadfit")
    out
}

## `...` of relogit()/firth() (unevaluated): the dyad_logit() options they
## pass on, evaluated in env, with dyad_logit()'s defaults; `forbidden` are
## those the estimator fixes. subset, na.action and offset stay in the call,
## where model.frame() evaluates them in the data.
check_dots <- function(dots, env, caller, forbidden)
{
    if (length(dots) && (is.null(names(dots)) || any(names(dots) == "")))
        stop(caller, "(): extra arguments must be named", call. = FALSE)
    bad <- intersect(names(dots), forbidden)
    if (length(bad))
        stop(caller, "() does not take '", bad[1L], "'", call. = FALSE)
    known <- c("subset", "na.action", "offset", "information", "drop_separated",
               "level", "control", "contrasts", "threads", "spells")
    unk <- setdiff(names(dots), known)
    if (length(unk))
        stop(caller, "(): unknown argument '", unk[1L], "'", call. = FALSE)
    ## subset, na.action and offset are read from the call by model.frame
    dots <- lapply(dots[setdiff(names(dots), c("subset", "na.action", "offset"))],
                   eval, envir = env)
    defaults <- list(information = "observed", drop_separated = FALSE,
                     level = 0.95, control = list(), contrasts = NULL,
                     threads = NULL, spells = NULL)
    defaults[names(dots)] <- dots
    defaults$information <- match.arg(defaults$information, c("observed", "expected"))
    defaults
}
