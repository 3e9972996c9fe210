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
    if (estimator %in% c(8L, 9L))
        rename <- c(rename, scale_rename(formula, cols, conv))

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
            ## a stratum named by level codes: by its labels
            sr <- sub("^Log\\(scale\\[(.*)\\]\\)$", "\\1", scale_rename(formula, cols, conv))
            for (i in seq(1L, length.out = length(sr) %/% 2L, by = 2L))
                msg <- sub(paste0("stratum ", sr[i], " has"),
                           paste0("stratum ", sr[i + 1L], " has"), msg, fixed = TRUE)
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
    if (estimator == 5L)
        ## what dyad_basehaz(), residuals() and predict(type = "survival")
        ## need to rebuild the fit in the library: the table's columns (as
        ## passed), the labels and options, and the data's row names
        out$lib_call <- list(cols = cols, labels = labels,
                             clnames = as.character(vce$cluster_names),
                             iopt = opts$iopt, dopt = opts$dopt,
                             ## automatic row names: their numbers
                             rownames = if (.row_names_info(data) < 0L) which(rows)
                                        else rownames(data)[rows],
                             coded = names(Filter(function(z) !is.null(z$rename), conv)))
    out
}

## Weibull strata: the library names the scales "Log(scale[LABEL])" with
## survival's strata labels of the table's values, so a factor passed as
## level codes gives "Log(scale[2])"; the pairs (from, to, ...) that rename
## them to survreg's labels ("Log(scale[b])", "Log(scale[grp=b, majpow=1])"),
## one per combination of strata values in the data.
scale_rename <- function(formula, cols, conv)
{
    tl <- attr(stats::terms(formula), "term.labels")
    st <- tl[grepl("^strata\\(", tl)]
    vars <- lapply(st, function(t) all.vars(str2lang(t)))
    coded <- names(Filter(function(z) !is.null(z$rename), conv))
    if (!length(st) || !length(intersect(unlist(vars), coded))) return(character())
    allv <- unique(unlist(vars))
    combos <- unique(as.data.frame(cols[allv], stringsAsFactors = FALSE))
    combos <- combos[stats::complete.cases(combos), , drop = FALSE]
    lab <- function(relabel) {
        parts <- lapply(vars, function(vs) {
            all_str <- all(vapply(vs, function(v) is.character(cols[[v]]), NA))
            one <- lapply(vs, function(v) {
                x <- combos[[v]]
                if (relabel && v %in% coded) x <- conv[[v]]$levels[as.integer(x)]
                if (!is.character(x)) x <- as.character(x)
                if (all_str) x else paste0(v, "=", x)
            })
            do.call(paste, c(one, sep = ", "))
        })
        paste0("Log(scale[", do.call(paste, c(parts, sep = ", ")), "])")
    }
    as.vector(rbind(lab(FALSE), lab(TRUE)))
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

#' Predictions from a Cox model
#'
#' The linear predictor, the relative risk or the survival probability
#' S(t | x) of new rows. Survival is computed by the `libdyadfit` C library
#' (the code behind the command line's `dyadfit predict --survival`), as
#' `summary(survfit(coxph_fit, newdata), times = times)`: the baseline
#' cumulative hazard of the row's stratum (Efron or Breslow, as the fit's
#' ties) times `exp(x b)`, with `survfit`'s standard errors (the variance
#' of the baseline hazard and of `b`, Tsiatis 1981; `b`'s variance as the
#' fit's, so robust if the fit's is) and intervals on the log(-log S) scale
#' (`conf.type = "log-log"`). The model is refitted from the data it was
#' fitted on.
#'
#' @param object a model from [dyad_cox()].
#' @param newdata a data frame with the model's covariates (and strata
#'   variables). For `"lp"` and `"risk"` `NULL` means the fitted rows;
#'   `"survival"` needs it.
#' @param type `"lp"` (`x b`, not centred: `coxph` subtracts the sample
#'   means), `"risk"` (`exp(x b)`) or `"survival"`.
#' @param se.fit also return standard errors (and, for `"survival"`, the
#'   interval bounds).
#' @param times `"survival"`: times (>= 0, increasing) at which S is wanted.
#' @param level `"survival"`: confidence level of the intervals (default:
#'   the fit's).
#' @param ... not used.
#' @return `"lp"`, `"risk"`: a vector, or with `se.fit` a list `fit`,
#'   `se.fit`. `"survival"`: a matrix (rows of `newdata` x `times`), or with
#'   `se.fit` a list of such matrices `fit`, `se.fit` (`survfit`'s
#'   `std.err`), `lower`, `upper`.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d$start <- d$year - 1
#' fit <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, data = d)
#' nd <- data.frame(defense = c(0, 1), contig = 1)
#' predict(fit, nd, type = "risk")
#' predict(fit, nd, type = "survival", times = c(1960, 1980), se.fit = TRUE)
#' @export
predict.dyadfit_cox <- function(object, newdata = NULL,
                                type = c("lp", "risk", "survival"),
                                se.fit = FALSE, times = NULL, level = object$level, ...)
{
    type <- match.arg(type)
    if (type == "survival")
        return(cox_survival(object, newdata, times, se.fit, level))
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

## Variables inside strata() terms, and the other right-hand-side ones.
cox_variables <- function(formula)
{
    tl <- attr(stats::terms(formula), "term.labels")
    st <- grepl("^strata\\(", tl)
    sv <- unique(unlist(lapply(tl[st], function(t) all.vars(str2lang(t)))))
    cv <- unique(unlist(lapply(tl[!st], function(t) all.vars(str2lang(t)))))
    list(strata = sv, covariates = cv)
}

## newdata's column v as the fit's table holds it (table_column's rules):
## labels or level codes for factors, doubles otherwise.
profile_column <- function(object, nd, v)
{
    x <- nd[[v]]
    if (is.null(x)) stop("variable '", v, "' not found in 'newdata'", call. = FALSE)
    lev <- object$xlevels[[v]]
    if (is.null(lev)) {
        if (is.factor(x) || is.character(x) || !(is.numeric(x) || is.logical(x)))
            stop("variable '", v, "' is numeric in the fit but ", class(x)[1L],
                 " in 'newdata'", call. = FALSE)
        return(as.double(x))
    }
    x <- as.character(x)
    bad <- !is.na(x) & !(x %in% lev)
    if (any(bad))
        stop("variable '", v, "' has the value '", x[bad][1L], "' in 'newdata' ",
             "(row ", which(bad)[1L], "), not a level of the fit: ",
             paste(lev, collapse = ", "), call. = FALSE)
    if (v %in% object$lib_call$coded)
        x <- formatC(match(x, lev), width = nchar(length(lev)), flag = "0")
    x
}

## predict(type = "survival"): S(t | x) of each row of newdata in its
## stratum, by the library's survfit code (dyadfit_r_cox_survival).
cox_survival <- function(object, newdata, times, se.fit, level)
{
    lc <- object$lib_call
    if (is.null(lc))
        stop("this Cox fit holds no data to rebuild it from: fit it again", call. = FALSE)
    if (!is.data.frame(newdata) || nrow(newdata) < 1L)
        stop("type = \"survival\" needs 'newdata', a data frame with at least one row",
             call. = FALSE)
    if (!is.numeric(times) || !length(times) || anyNA(times) || any(times < 0) ||
        any(!is.finite(times)) || is.unsorted(times, strictly = TRUE))
        stop("'times' must be numbers >= 0 in increasing order", call. = FALSE)
    check_level(level)
    vars <- cox_variables(object$formula)
    ## a model without covariates: the profile names a Surv() variable (kept
    ## as observed for every row by the library)
    pv <- if (length(vars$covariates)) vars$covariates else all.vars(object$formula[[2L]])[1L]
    pcols <- lapply(stats::setNames(pv, pv), function(v)
        if (v %in% vars$covariates) profile_column(object, newdata, v)
        else rep(0, nrow(newdata)))
    for (v in pv) {
        na <- is.na(pcols[[v]])
        if (any(na))
            stop("variable '", v, "' is missing in row ", which(na)[1L], " of 'newdata'",
                 call. = FALSE)
    }
    ## each row's stratum label as the library writes it (cox_post.c)
    lab <- rep("", nrow(newdata))
    if (length(vars$strata)) {
        sc <- lapply(vars$strata, function(v) {
            x <- newdata[[v]]
            if (is.null(x)) stop("strata variable '", v, "' not found in 'newdata'",
                                 call. = FALSE)
            str <- is.character(lc$cols[[v]])
            x <- if (str) profile_column(object, newdata, v) else as.double(x)
            list(x = x, str = str)
        })
        all_str <- all(vapply(sc, `[[`, NA, "str"))
        parts <- Map(function(s, v) {
            val <- if (s$str) s$x else sprintf("%.15g", s$x)
            if (all_str) val else paste0(v, "=", val)
        }, sc, vars$strata)
        lab <- do.call(paste, c(parts, sep = ", "))
    }
    dopt <- lc$dopt
    dopt[2L] <- level
    r <- tryCatch(.Call(dyadfit_r_cox_survival, lc$cols, lc$labels, lc$clnames, lc$iopt,
                        dopt, as.double(object$coefficients), as.double(object$vcov),
                        pcols, as.double(times)),
                  error = function(e) stop(translate_cli(conditionMessage(e)), call. = FALSE))
    np <- nrow(newdata)
    nt <- length(times)
    ns <- length(r$estimate) / (np * nt)
    slab <- r$stratum[seq(1L, by = nt, length.out = ns)]
    s <- match(lab, slab)
    if (anyNA(s))
        stop("row ", which(is.na(s))[1L], " of 'newdata' is in stratum '",
             lab[is.na(s)][1L], "', which the fit does not have", call. = FALSE)
    idx <- outer((seq_len(np) - 1L) * ns * nt + (s - 1L) * nt, seq_len(nt), `+`)
    dn <- list(rownames(newdata), as.character(times))
    mk <- function(x) matrix(x[idx], np, nt, dimnames = dn)
    if (!se.fit) return(mk(r$estimate))
    list(fit = mk(r$estimate), se.fit = mk(r$std.error), lower = mk(r$conf.low),
         upper = mk(r$conf.high))
}

## The library's Cox outputs for a fit: what = c(basehaz 0/1, residual
## type code), by refitting from the columns the fit kept.
cox_outputs <- function(fit, basehaz = 0L, residuals = 0L)
{
    lc <- fit$lib_call
    if (is.null(lc))
        stop("this Cox fit holds no data to rebuild it from (made by an older ",
             "version of dyadfit?): fit it again", call. = FALSE)
    tryCatch(.Call(dyadfit_r_cox_outputs, lc$cols, lc$labels, lc$clnames, lc$iopt,
                   lc$dopt, as.integer(c(basehaz, residuals))),
             error = function(e) {
                 stop_if_interrupted(conditionMessage(e))
                 stop(translate_cli(conditionMessage(e)), call. = FALSE)
             })
}

## survival's strata labels from the library's: factors passed as level
## codes get their labels back ("01" -> "east", "region=01" -> "region=east")
strata_factor <- function(x, fit)
{
    lev <- unique(x)
    sv <- cox_variables(fit$formula)$strata
    coded <- intersect(sv, fit$lib_call$coded)
    if (length(coded)) {
        relabel <- function(l) {
            parts <- strsplit(l, ", ", fixed = TRUE)[[1L]]
            if (length(parts) != length(sv)) return(l)
            for (i in seq_along(parts)) {
                v <- sv[i]
                if (!(v %in% coded)) next
                named <- startsWith(parts[i], paste0(v, "="))
                code <- if (named) substring(parts[i], nchar(v) + 2L) else parts[i]
                lab <- fit$xlevels[[v]][as.integer(code)]
                if (length(lab) == 1L && !is.na(lab))
                    parts[i] <- if (named) paste0(v, "=", lab) else lab
            }
            paste(parts, collapse = ", ")
        }
        lev <- vapply(lev, relabel, "", USE.NAMES = FALSE)
    }
    factor(lev[match(x, unique(x))], levels = lev)
}

#' Baseline cumulative hazard of a Cox model
#'
#' The cumulative hazard at covariates zero (not centred), as
#' `survival::basehaz(fit, centered = FALSE)`: one row per distinct stop
#' time (event or censored) of each stratum, computed by the `libdyadfit` C
#' library (the command line's `dyadfit fit cox --basehaz`). Efron fits give
#' the Efron-adjusted hazard (`survfit`'s default), Breslow fits the Breslow
#' estimator. The model is refitted from the data it was fitted on.
#'
#' @param fit a model from [dyad_cox()].
#' @param centered only `FALSE` (covariates at zero) is available.
#' @return A data frame with columns `hazard`, `time` and, with `strata()`
#'   terms, `strata` (a factor with `survival`'s labels: `"east"` when every
#'   strata variable is a factor or string, else `"region=2"`), plus
#'   `n.risk` and `n.event` (sums of the case weights).
#' @seealso [residuals.dyadfit_cox()], [predict.dyadfit_cox()].
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d$start <- d$year - 1
#' fit <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, data = d)
#' bh <- dyad_basehaz(fit)
#' head(bh)
#' @export
dyad_basehaz <- function(fit, centered = FALSE)
{
    if (!inherits(fit, "dyadfit_cox")) stop("'fit' must be a model from dyad_cox()",
                                            call. = FALSE)
    if (!identical(centered, FALSE))
        stop("only centered = FALSE is available (the hazard at covariates 0)",
             call. = FALSE)
    b <- cox_outputs(fit, basehaz = 1L)$basehaz
    out <- data.frame(hazard = b$cumhaz, time = b$time)
    if (!is.null(b$strata)) out$strata <- strata_factor(b$strata, fit)
    out$n.risk <- b$n_risk
    out$n.event <- b$n_event
    out
}

#' Residuals of a Cox model
#'
#' The residuals `residuals.coxph()` of the `survival` package gives,
#' computed by the `libdyadfit` C library from the fit (the model is
#' refitted from the data it was fitted on): martingale, deviance, score,
#' Schoenfeld and dfbeta. Score and dfbeta residuals are per row (not
#' summed by cluster); dfbeta uses the model-based variance even when the
#' fit's is robust or clustered, as `survival` does.
#'
#' @param object a model from [dyad_cox()].
#' @param type `"martingale"`, `"deviance"`, `"score"`, `"schoenfeld"` or
#'   `"dfbeta"`.
#' @param ... not used.
#' @return As `residuals.coxph()`: for martingale and deviance a vector
#'   named by the row names of the rows used; for score and dfbeta a matrix
#'   (rows used x coefficients; a vector with one coefficient); for
#'   Schoenfeld one row per event, ordered by stratum and time, named by
#'   the event time.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d$start <- d$year - 1
#' fit <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, data = d)
#' summary(residuals(fit))
#' head(residuals(fit, "dfbeta"))
#' @export
residuals.dyadfit_cox <- function(object, type = c("martingale", "deviance", "score",
                                                   "schoenfeld", "dfbeta"), ...)
{
    type <- match.arg(type)
    code <- match(type, c("martingale", "deviance", "score", "schoenfeld", "dfbeta"))
    r <- cox_outputs(object, residuals = code)$residuals
    rn <- as.character(object$lib_call$rownames[r$row])
    cn <- names(object$coefficients)
    if (type %in% c("martingale", "deviance"))
        return(stats::setNames(r[[type]], rn))
    m <- do.call(cbind, r[setdiff(names(r), c("row", "strata", "time"))])
    if (ncol(m) != length(cn))
        stop("dyadfit internal: ", ncol(m), " residual columns for ", length(cn),
             " coefficients", call. = FALSE)
    rn <- if (type == "schoenfeld") as.character(r$time) else rn
    if (ncol(m) == 1L) return(stats::setNames(m[, 1L], rn))
    ## as survival: dfbeta's columns are unnamed
    dimnames(m) <- list(rn, if (type != "dfbeta") cn)
    m
}
