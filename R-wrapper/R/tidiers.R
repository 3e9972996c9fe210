## broom-style tidiers. They are registered as methods of generics::tidy and
## generics::glance when that package is loaded (broom re-exports those
## generics), so dyadfit does not depend on either.

#' Tidy and glance at a dyadfit model
#'
#' Methods for the `tidy()` and `glance()` generics of the generics and broom
#' packages; they are registered when either package is loaded.
#'
#' @param x a `dyadfit` object.
#' @param conf.int add `conf.low` and `conf.high` (Wald intervals; profile
#'   penalised-likelihood intervals for a [firth()] fit).
#' @param conf.level their level (default: the model's).
#' @param ... unused.
#' @return `tidy`: a data frame with one row per estimated coefficient and the
#'   columns `term`, `estimate`, `std.error`, `statistic`, `p.value` (and
#'   `conf.low`, `conf.high`): the columns of the command line's
#'   `--format csv` (for [firth()], p-values of penalised likelihood-ratio
#'   tests). `glance`: a one-row data frame with `nobs`, `n.used`,
#'   `n.dropped`, `logLik`, `null.logLik`, `AIC`, `BIC`, `pseudo.r.squared`,
#'   `converged`, `iterations`, `vcov.type` and `nclusters`.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig, data = d, vcov = ~dyad)
#' tidy.dyadfit(fit, conf.int = TRUE)
#' glance.dyadfit(fit)
#' @export
tidy.dyadfit <- function(x, conf.int = FALSE, conf.level = x$level, ...)
{
    ci <- coef_inference(x, conf.level)
    out <- data.frame(term = names(ci$estimate), estimate = unname(ci$estimate),
                      std.error = unname(ci$se), statistic = unname(ci$z),
                      p.value = unname(ci$p), stringsAsFactors = FALSE)
    if (conf.int) {
        if (!is.null(x$inference) && !isTRUE(all.equal(conf.level, x$level))) {
            p <- stats::confint(x, level = conf.level)[out$term, , drop = FALSE]
            ci$low <- p[, 1L]
            ci$high <- p[, 2L]
        }
        out$conf.low <- unname(ci$low)
        out$conf.high <- unname(ci$high)
    }
    out
}

#' @rdname tidy.dyadfit
#' @export
glance.dyadfit <- function(x, ...)
{
    ll <- stats::logLik(x)
    data.frame(nobs = x$nobs, n.used = x$n_used, n.dropped = x$n_dropped,
               logLik = as.numeric(ll), null.logLik = x$loglik0,
               AIC = stats::AIC(ll), BIC = stats::BIC(ll),
               pseudo.r.squared = x$pseudo_r2, converged = x$converged,
               iterations = x$iterations, vcov.type = x$vce$type,
               nclusters = if (length(x$vce$nclusters)) x$vce$nclusters[[1L]] else NA_real_,
               stringsAsFactors = FALSE)
}
