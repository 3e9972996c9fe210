#' Cox proportional hazards model
#'
#' Fits a Cox model by the `libdyadfit` C library, which parses the
#' formula itself: `Surv(time, event)` or `Surv(start, stop, event)` on the
#' left (counting-process data such as dyad-years: `(start, stop]`), and on
#' the right the terms the library supports (variables, `factor()`, `log()`,
#' `exp()`, `sqrt()`, `abs()`, `I()`, `poly()`, interactions) plus
#' `strata()` terms. Character and factor variables enter as factors with
#' R's level order (the first level is the reference), logical ones as
#' factors with levels `FALSE`, `TRUE`.
#'
#' Rows with a missing value in any variable the model uses are dropped and
#' counted (`n_dropped`). Efron ties with `vcov = "oim"` reproduce
#' `survival::coxph`; `vcov = ~id` with `ssc = "hc0"` reproduces
#' `coxph(..., cluster = id)`, and the default `ssc = "stata"` multiplies by
#' G/(G-1) as Stata's `stcox, vce(cluster id)` does.
#'
#' @param formula `Surv(...) ~ terms`, for example
#'   `Surv(start, stop, event) ~ x + strata(region)`.
#' @param data a data frame holding every variable of the formula (and of
#'   `vcov`, `weights`).
#' @param ties `"efron"` (as `coxph`) or `"breslow"` (as Stata's `stcox`).
#' @param vcov `"oim"`, `"robust"`, `"HC0"`, `"HC1"` or a cluster formula
#'   such as `~dyad` (one or two variables of `data`).
#' @param ssc small-sample factor for robust and cluster variances, as in
#'   [dyad_logit()].
#' @param weights `NULL` or the name of a numeric column of `data` (a string
#'   or a bare name): case weights, as `coxph`'s.
#' @param weight_type `"probability"` (default; needed for a robust or
#'   cluster variance) or `"frequency"`.
#' @param subset optional logical expression evaluated in `data` selecting
#'   rows.
#' @param level confidence level for intervals.
#' @param control a list: `maxiter` (100), `tol` (1e-10).
#' @param zph `TRUE` (or a transform: `"km"`, the default of `TRUE`,
#'   `"identity"` or `"rank"`) to test proportional hazards as
#'   `survival::cox.zph()` does: the test is in the notes (printed by
#'   `summary()`) and, as a matrix with columns `chisq`, `df`, `p` and a row
#'   `GLOBAL` (`cox.zph()$table`), in the element `zph`.
#' @param threads `NULL` (default: the option `dyadfit.threads`, else
#'   `OMP_NUM_THREADS`, else the number of cores) or the number of threads
#'   the library may use, as in [dyad_logit()]; see [dyadfit_threads()].
#' @return An object of class `c("dyadfit_cox", "dyadfit")`: `coefficients`,
#'   `vcov`, `loglik` and `loglik0` (partial log-likelihoods at the estimate
#'   and at zero), `nobs`, `n_used`, `n_dropped`, `converged`, `iterations`,
#'   `vce`, `notes`, `ties`, `xlevels`, `call`, `formula`, `threads` and
#'   `reports`. The
#'   methods of [dyadfit-methods] apply; `predict()` gives the linear
#'   predictor `x b` (`type = "lp"`, not centred: `coxph` subtracts the
#'   sample means) or the relative risk `exp(x b)` (`type = "risk"`).
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d$start <- d$year - 1
#' fit <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig +
#'                   log(cap_ratio) + strata(region), data = d, vcov = ~dyad)
#' summary(fit)
#' fit2 <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, data = d,
#'                  zph = "km")
#' fit2$zph
#' @export
dyad_cox <- function(formula, data, ties = c("efron", "breslow"), vcov = "oim",
                     ssc = c("stata", "hc0", "hc1"), weights = NULL,
                     weight_type = c("probability", "frequency"), subset,
                     level = 0.95, control = list(), zph = FALSE,
                     threads = NULL)
{
    cl <- match.call()
    ties <- match.arg(ties)
    check_surv_formula(formula, "a Cox model",
                       "Surv(start, stop, event) ~ x + strata(s)")
    zph_code <- parse_zph(zph)
    out <- fit_table_model(cl, formula, data, 5L, vcov, match.arg(ssc),
                           substitute(weights), match.arg(weight_type),
                           if (missing(subset)) NULL else substitute(subset),
                           parent.frame(), level, control,
                           ties = match(ties, c("efron", "breslow")) - 1L,
                           zph = zph_code, threads = threads)
    out$ties <- ties
    if (zph_code > 0L) out$zph <- parse_zph_notes(out$notes)
    if (!out$converged)
        warning("convergence not achieved after ", out$iterations,
                " iterations: the estimates are not maximum partial likelihood ",
                "estimates", call. = FALSE)
    class(out) <- c("dyadfit_cox", "dyadfit")
    out
}

check_surv_formula <- function(formula, what, example)
{
    if (missing(formula) || !inherits(formula, "formula") || length(formula) != 3L)
        stop("'formula' must be a two-sided formula such as ", example, call. = FALSE)
    lhs <- formula[[2L]]
    if (!is.call(lhs) || !identical(lhs[[1L]], as.name("Surv")))
        stop("the outcome of ", what, " is Surv(time, event)",
             if (grepl("start", example)) " or Surv(start, stop, event)", ", not ",
             deparse1(lhs), call. = FALSE)
}

## zph = FALSE/TRUE or a cox.zph transform name -> the library's code
parse_zph <- function(zph)
{
    if (is.logical(zph) && length(zph) == 1L && !is.na(zph))
        return(if (zph) 1L else 0L)
    tr <- c("km", "identity", "rank")
    if (is.character(zph) && length(zph) == 1L && zph %in% tr)
        return(match(zph, tr))
    stop("'zph' must be TRUE, FALSE or a transform: \"km\", \"identity\" ",
         "or \"rank\"", call. = FALSE)
}

## The proportional-hazards test table from the library's notes (the lines
## after "Proportional-hazards test ..."): a matrix chisq, df, p as
## survival::cox.zph()$table, with the transform as an attribute.
parse_zph_notes <- function(notes)
{
    h <- grep("^Proportional-hazards test", notes)
    if (length(h) != 1L) return(NULL)
    tr <- sub('.*transform = "([a-z]+)".*', "\\1", notes[h])
    lines <- notes[seq.int(h + 2L, length.out = length(notes) - h - 1L)]
    lines <- lines[grepl("^  ", lines)]
    ## term names may hold spaces: the last three fields are the numbers
    m <- regmatches(lines, regexec("^  (.*\\S)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*$", lines))
    m <- do.call(rbind, m)
    tab <- cbind(chisq = as.numeric(m[, 3L]), df = as.numeric(m[, 4L]),
                 p = as.numeric(m[, 5L]))
    rownames(tab) <- m[, 2L]
    attr(tab, "transform") <- tr
    tab
}

## Fits a model the library builds from a table (Cox, clogit, felogit,
## survreg): the columns the formula, vcov, weights, group and absorb use go
## to dyadfit_fit with the formula text; the library parses the formula.
## `extra`: named list of group/absorb variable names (character).
fit_table_model <- function(cl, formula, data, estimator, vcov, ssc, wname,
                            weight_type, subset, env, level, control,
                            ties = 0L, zph = 0L, aft = 0L,
                            group = NA_character_,
                            absorb = c(NA_character_, NA_character_),
                            threads = NULL)
{
    if (missing(data) || !is.data.frame(data))
        stop("'data' must be a data frame", call. = FALSE)
    check_level(level)
    ctrl <- check_control(control)
    vce <- parse_vcov(vcov, ssc)
    nthreads <- threads_code(threads)
    for (v in vce$cluster)
        if (!is.name(v))
            stop("a cluster variable of this model must be a column name, not ",
                 deparse1(v), call. = FALSE)
    if (!is.null(wname)) {
        if (is.name(wname)) wname <- as.character(wname)
        if (!is.character(wname) || length(wname) != 1L || is.na(wname))
            stop("'weights' must be the name of a column of 'data'", call. = FALSE)
    }

    rows <- rep(TRUE, nrow(data))
    if (!is.null(subset)) {
        r <- eval(subset, data, env)
        if (!is.logical(r) || length(r) != nrow(data))
            stop("'subset' must be a logical expression with one value per row",
                 call. = FALSE)
        rows <- !is.na(r) & r
    }
    if (!any(rows)) stop("no rows left after 'subset'", call. = FALSE)

    ids <- c(vce$cluster_names, stats::na.omit(c(group, absorb)))
    vars <- unique(c(all.vars(formula), ids, wname))
    missing_vars <- setdiff(vars, names(data))
    if (length(missing_vars))
        stop("variable '", missing_vars[1L], "' not found in 'data'", call. = FALSE)
    conv <- lapply(stats::setNames(vars, vars), function(v)
        table_column(data[[v]][rows], v, v %in% ids))
    cols <- lapply(conv, `[[`, "values")
    rename <- unlist(lapply(conv, `[[`, "rename"), use.names = FALSE)
    if (is.null(rename)) rename <- character()
    xlevels <- Filter(Negate(is.null), lapply(conv, `[[`, "levels"))

    opts <- fit_options(estimator, vce, "observed",
                        if (is.null(wname)) 0L else match(weight_type, c("frequency", "probability")),
                        FALSE, ctrl, level, ties = ties, zph = zph, aft = aft)
    labels <- c(deparse1(formula), wname %||% NA_character_, group, absorb)
    nthreads <- .Call(dyadfit_r_threads, nthreads)
    res <- tryCatch(
        .Call(dyadfit_r_fit_table, cols, labels,
              as.character(vce$cluster_names), as.character(rename),
              opts$iopt, opts$dopt),
        error = function(e) {
            stop_if_interrupted(conditionMessage(e))
            msg <- translate_cli(conditionMessage(e))
            r <- regmatches(msg, regexec("at row ([0-9]+)", msg))[[1L]]
            if (length(r) == 2L) {
                i <- as.numeric(r[2L])
                rn <- rownames(data)[rows]
                if (i >= 1 && i <= length(rn) && rn[i] != r[2L])
                    msg <- paste0(msg, " (row ", i, " of the rows used: data row '",
                                  rn[i], "')")
            }
            stop(msg, call. = FALSE)
        })
    cf <- res$coefficients
    out <- result_object(res, cf, vce, "observed", if (!is.null(wname)) TRUE,
                         weight_type, level, cl, estimator, NA_character_)
    out$n_dropped <- out$n_dropped + sum(!rows)
    out$formula <- formula
    out$xlevels <- xlevels
    out$data <- data[rows, setdiff(vars, c(ids, wname)), drop = FALSE]
    out$threads <- nthreads
    out
}

## One column of `data` for the library's table: numbers as double; factors,
## characters and logicals as strings of their labels when the library's
## level order (C-locale byte order) is R's, else as zero-padded level codes
## whose term names are renamed back to the labels.
table_column <- function(x, name, cluster)
{
    if (inherits(x, "Date") || inherits(x, "POSIXt")) x <- as.numeric(x)
    if (cluster && (is.factor(x) || is.logical(x))) x <- as.character(x)
    if (is.character(x) && cluster) return(list(values = x))
    if (is.logical(x)) x <- factor(x, levels = c(FALSE, TRUE))
    if (is.character(x)) x <- factor(x)
    if (is.factor(x)) {
        lev <- levels(x)
        if (identical(lev, sort(lev, method = "radix")))
            return(list(values = as.character(x), levels = lev))
        code <- formatC(seq_along(lev), width = nchar(length(lev)), flag = "0")
        pre <- c(name, paste0("factor(", name, ")"))
        rename <- as.vector(rbind(c(outer(pre, code, paste0)),
                                  c(outer(pre, lev, paste0))))
        return(list(values = code[as.integer(x)], levels = lev, rename = rename))
    }
    if (!is.numeric(x) || !is.null(dim(x)))
        stop("variable '", name, "' is ", class(x)[1L],
             "; a Cox model takes numeric, logical, character and factor columns",
             call. = FALSE)
    x <- as.double(x)
    list(values = x)
}

#' @rdname dyadfit-methods
#' @export
predict.dyadfit_cox <- function(object, newdata = NULL, type = c("lp", "risk"),
                                se.fit = FALSE, ...)
{
    type <- match.arg(type)
    nd <- if (is.null(newdata)) object$data else newdata
    if (!is.data.frame(nd)) stop("'newdata' must be a data frame", call. = FALSE)
    tl <- attr(stats::terms(object$formula), "term.labels")
    tl <- tl[!grepl("^strata\\(", tl)]
    cf <- object$coefficients
    if (!length(tl)) {
        eta <- rep(0, nrow(nd))
        se <- rep(0, nrow(nd))
    } else {
        for (v in names(object$xlevels))
            if (!is.null(nd[[v]]))
                nd[[v]] <- factor(as.character(nd[[v]]), levels = object$xlevels[[v]])
        tt <- stats::terms(stats::reformulate(tl))
        mf <- stats::model.frame(tt, nd, na.action = stats::na.pass)
        X <- stats::model.matrix(tt, mf)
        miss <- setdiff(names(cf), colnames(X))
        if (length(miss))
            stop("cannot rebuild the column '", miss[1L], "' from 'newdata'", call. = FALSE)
        X <- X[, names(cf), drop = FALSE]
        eta <- drop(X %*% cf)
        se <- sqrt(rowSums((X %*% object$vcov) * X))
    }
    fit <- if (type == "lp") eta else exp(eta)
    if (!se.fit) return(fit)
    list(fit = fit, se.fit = if (type == "lp") se else se * fit)
}
