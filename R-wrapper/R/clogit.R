## Conditional logit, logit with absorbed fixed effects, parametric survival:
## all through the library's table path (fit_table_model() in cox.R).

#' Conditional (fixed-effects) logit
#'
#' Fits the conditional logit model of a 0/1 outcome given the number of
#' ones in each group (Chamberlain 1980; Stata's `clogit`, `xtlogit, fe`,
#' `survival::clogit(method = "exact")`), by the `libdyadfit` C library.
#' The group effects (for example one per dyad) cancel out of the
#' likelihood, so they are neither estimated nor biased by few years per
#' dyad (the incidental-parameters problem).
#'
#' The library parses the formula (as in [dyad_cox()]: variables,
#' `factor()`, `log()`, `exp()`, `sqrt()`, `abs()`, `I()`, `poly()`,
#' interactions). There is no intercept. Groups whose outcome does not vary
#' add nothing and are dropped (counted in `n_dropped` and in the notes), as
#' are terms constant within every group (reported as `NA`). Rows with a
#' missing value in a model variable are dropped.
#'
#' @param formula `y ~ terms`, `y` a 0/1 variable of `data`.
#' @param data a data frame.
#' @param group the matched groups: a one-sided formula (`~dyad`) or a
#'   column name (`"dyad"`).
#' @param vcov `"oim"` (default, as `survival::clogit`), `"robust"` (a
#'   sandwich over the group scores, as Stata's `clogit, vce(robust)`) or a
#'   cluster formula whose clusters nest the groups.
#' @param ssc small-sample factor for robust and cluster variances, as in
#'   [dyad_logit()].
#' @param subset optional logical expression evaluated in `data` selecting
#'   rows.
#' @param level confidence level for intervals.
#' @param control a list: `maxiter` (100), `tol` (1e-10).
#' @param threads `NULL` (the option `dyadfit.threads`, else the default)
#'   or the number of threads, as in [dyad_logit()]; see
#'   [dyadfit_threads()].
#' @return An object of class `c("dyadfit_clogit", "dyadfit")` with the
#'   elements of [dyad_cox()]'s result (`loglik` is the conditional
#'   log-likelihood); the methods of [dyadfit-methods] apply, except
#'   `predict()`, `fitted()` and `model.matrix()`.
#' @seealso [dyad_felogit()] for the unconditional model with dyad and year
#'   effects.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_clogit(mid_onset ~ defense + log(cap_ratio) + peaceyrs,
#'                    data = d, group = ~dyad)
#' summary(fit)
#' @export
dyad_clogit <- function(formula, data, group, vcov = "oim",
                        ssc = c("stata", "hc0", "hc1"), subset, level = 0.95,
                        control = list(), threads = NULL)
{
    cl <- match.call()
    check_binary_formula(formula)
    if (missing(group)) stop("'group' is required, e.g. group = ~dyad", call. = FALSE)
    g <- id_names(group, "group", 1L)
    out <- fit_table_model(cl, formula, data, 6L, vcov, match.arg(ssc), NULL,
                           "probability",
                           if (missing(subset)) NULL else substitute(subset),
                           parent.frame(), level, control, group = g,
                           threads = threads)
    out$group <- g
    finish_table_fit(out, "dyadfit_clogit",
                     "the estimates are not maximum conditional likelihood estimates")
}

#' Logit with absorbed fixed effects
#'
#' Fits a logit model with one or two sets of fixed effects (for example
#' dyad and year) that are estimated but not reported, as
#' `fixest::feglm(family = binomial)` and Stata's `logit` with the dummies
#' (`reghdfe`-style absorption). With one set of effects this is the
#' unconditional fixed-effects logit, whose slopes are biased when groups
#' are short (prefer [dyad_clogit()] there); with dyad and year effects it is
#' the two-way model.
#'
#' Groups whose outcome does not vary are dropped, repeatedly, until every
#' remaining dyad and year has both outcomes (their effects would be
#' infinite), as `fixest` does; terms not identified given the effects are
#' dropped (`NA`). The formula is parsed by the library as in
#' [dyad_clogit()]; there is no intercept.
#'
#' @inheritParams dyad_clogit
#' @param absorb the fixed effects: a one-sided formula with one or two
#'   variables (`~dyad`, `~dyad + year`) or their names.
#' @param vcov `"oim"`, `"robust"`, `"HC0"`, `"HC1"` or a cluster formula
#'   (`~dyad`, `~dyad + year`).
#' @return An object of class `c("dyadfit_felogit", "dyadfit")`, as from
#'   [dyad_clogit()]; `loglik` is the log-likelihood with the effects at
#'   their estimates.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_felogit(mid_onset ~ defense + log(cap_ratio) + peaceyrs,
#'                     data = d, absorb = ~dyad + year, vcov = ~dyad)
#' summary(fit)
#' @export
dyad_felogit <- function(formula, data, absorb = ~dyad + year, vcov = "oim",
                         ssc = c("stata", "hc0", "hc1"), subset, level = 0.95,
                         control = list(), threads = NULL)
{
    cl <- match.call()
    check_binary_formula(formula)
    a <- id_names(absorb, "absorb", 2L)
    out <- fit_table_model(cl, formula, data, 7L, vcov, match.arg(ssc), NULL,
                           "probability",
                           if (missing(subset)) NULL else substitute(subset),
                           parent.frame(), level, control,
                           absorb = c(a, NA_character_)[1:2],
                           threads = threads)
    out$absorb <- a
    finish_table_fit(out, "dyadfit_felogit",
                     "the estimates are not maximum likelihood estimates")
}

#' Weibull and exponential survival models
#'
#' Fits a parametric proportional-hazards / accelerated-failure-time model
#' by the `libdyadfit` C library. `metric = "aft"` gives
#' `survival::survreg()`'s parameterisation (coefficients of log time and
#' `Log(scale)`); `metric = "ph"` gives Stata `streg`'s (log hazard ratios
#' and `/ln_p`, the log of the shape `p = 1/scale`). With
#' `Surv(start, stop, event)` the rows are delayed-entry (left-truncated)
#' spells, as Stata's `stset` with `enter()`.
#'
#' @param formula `Surv(time, event) ~ terms` (or
#'   `Surv(start, stop, event) ~ terms`), parsed by the library as in
#'   [dyad_cox()]. A Weibull `strata(s)` term gives each stratum its own
#'   scale, as `survreg` (needs `metric = "aft"`; the exponential model
#'   refuses it).
#' @param data a data frame.
#' @param dist `"weibull"` or `"exponential"` (scale fixed at 1).
#' @param metric `"aft"` (as `survreg`) or `"ph"` (as Stata's `streg`).
#' @param vcov,ssc,weights,weight_type,subset,level,control,threads as in
#'   [dyad_cox()].
#' @return An object of class `c("dyadfit_survreg", "dyadfit")`, as from
#'   [dyad_cox()], plus `dist` and `metric`; `coefficients` include the
#'   ancillary parameter (`Log(scale)` or `/ln_p`) for the Weibull model.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d$t <- d$peaceyrs + 1
#' fit <- dyad_survreg(Surv(t, mid_onset) ~ defense + contig, data = d)
#' summary(fit)
#' coef(dyad_survreg(Surv(t, mid_onset) ~ defense + contig, data = d,
#'                   metric = "ph"))
#' @export
dyad_survreg <- function(formula, data, dist = c("weibull", "exponential"),
                         metric = c("aft", "ph"), vcov = "oim",
                         ssc = c("stata", "hc0", "hc1"), weights = NULL,
                         weight_type = c("probability", "frequency"), subset,
                         level = 0.95, control = list(), threads = NULL)
{
    cl <- match.call()
    dist <- match.arg(dist)
    metric <- match.arg(metric)
    check_surv_formula(formula, "a parametric survival model",
                       "Surv(time, event) ~ x")
    out <- fit_table_model(cl, formula, data,
                           if (dist == "weibull") 8L else 9L, vcov,
                           match.arg(ssc), substitute(weights),
                           match.arg(weight_type),
                           if (missing(subset)) NULL else substitute(subset),
                           parent.frame(), level, control,
                           aft = as.integer(metric == "aft"), threads = threads)
    out$dist <- dist
    out$metric <- metric
    finish_table_fit(out, "dyadfit_survreg",
                     "the estimates are not maximum likelihood estimates")
}

check_binary_formula <- function(formula)
{
    if (missing(formula) || !inherits(formula, "formula") || length(formula) != 3L)
        stop("'formula' must be a two-sided formula such as y ~ x1 + x2",
             call. = FALSE)
}

## group/absorb: ~a + b or c("a", "b") -> at most `max` column names
id_names <- function(x, what, max)
{
    if (inherits(x, "formula")) {
        if (length(x) != 2L)
            stop("'", what, "' is a one-sided formula such as ~dyad", call. = FALSE)
        vars <- as.list(attr(stats::terms(x), "variables"))[-1L]
        if (!all(vapply(vars, is.name, NA)))
            stop("'", what, "' must name columns of 'data', not expressions",
                 call. = FALSE)
        x <- vapply(vars, as.character, "")
    }
    if (!is.character(x) || anyNA(x) || !length(x) || any(x == ""))
        stop("'", what, "' must be a one-sided formula such as ~dyad or column names",
             call. = FALSE)
    if (length(x) > max)
        stop("'", what, "' names ", length(x), " variables; at most ", max,
             if (max == 1L) " is" else " are", " supported", call. = FALSE)
    unique(x)
}

finish_table_fit <- function(out, class, what)
{
    if (!out$converged)
        warning("convergence not achieved after ", out$iterations,
                " iterations: ", what, call. = FALSE)
    class(out) <- c(class, "dyadfit")
    out
}

#' @rdname dyadfit-methods
#' @export
predict.dyadfit_clogit <- function(object, ...)
    stop("predict() is not available for ", object$estimator, " models: ",
         "the group effects are not estimated", call. = FALSE)

#' @rdname dyadfit-methods
#' @export
predict.dyadfit_felogit <- function(object, ...) predict.dyadfit_clogit(object, ...)

#' @rdname dyadfit-methods
#' @export
predict.dyadfit_survreg <- function(object, ...)
    stop("predict() is not available for survival models yet", call. = FALSE)
