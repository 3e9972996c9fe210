## Predictions and marginal effects at profiles: the library's
## post-estimation (src/post/effects.c, the code behind `dyadfit predict`
## and `dyadfit margins`) run on a fit made in R. The model's raw variables
## for the fitted rows go to C as a table (no file is written); C rebuilds
## the design from the formula and streams over the rows (r_post.c).

#' Predicted probabilities at profiles
#'
#' The probability of the outcome (for a Cox fit: the relative hazard
#' `exp(x'b)` against covariates = 0) at each combination of the values in
#' `at`, with a delta-method or simulation interval. Computed by the
#' `libdyadfit` C library, so the numbers are those of the command line's
#' `dyadfit predict` for the same model and data.
#'
#' @param fit a fit from [dyad_logit()] (logit, probit, cloglog), [relogit()],
#'   [firth()] or [dyad_cox()].
#' @param at a named list of values: every combination is one profile, e.g.
#'   `list(defense = c(0, 1), contig = 1)` gives two profiles. Names are
#'   variables of the model (not terms: `cap_ratio`, not `log(cap_ratio)`);
#'   values of a factor or character variable are its labels.
#' @param others how the variables not in `at` are set: `"mean"` (their mean
#'   over the fitted rows, weighted with the model's weights; factors at
#'   their most frequent level), `"median"`, or `"observed"` (every fitted
#'   row as observed, predictions averaged).
#' @param level confidence level (default: the fit's).
#' @param method `"delta"` (delta-method standard error, symmetric interval
#'   on the probability scale, as Stata's `margins`) or `"simulation"`
#'   (`draws` draws of the coefficients from their estimated normal
#'   distribution, King, Tomz and Wittenberg 2000: standard deviation and
#'   percentile interval).
#' @param draws,seed number of draws and the seed of the library's own
#'   random number generator (Mersenne twister), so results do not depend
#'   on R's `set.seed()`.
#' @param data the data the model was fitted on; by default the fit's `data`
#'   argument is evaluated again in the environment of the call.
#' @return A data frame of class `dyadfit_margins` with the columns of the
#'   command line's `--format csv`: `term` (the profile, e.g.
#'   `"defense=1 contig=1"`), `estimate`, `std.error`, `statistic`,
#'   `p.value`, `conf.low`, `conf.high`, `contrast` (`"P(Y=1)"`, `"1 - 0"`,
#'   `"dY/dX"`, `"difference"`, `"risk ratio"`, `"exp(xb)"`, `"HR"`); attributes `what` and
#'   `note` (how the interval was made) are shown by its print method.
#' @details The model's columns are rebuilt by the library from the formula
#'   text, so the formula may use what the library's parser knows:
#'   variables, `factor()`, `log()`, `exp()`, `sqrt()`, `I()`,
#'   `poly(x, k, raw = TRUE)` and interactions. No file is written: the
#'   model's variables for the fitted rows are handed to the library in memory.
#'   Memory beyond the model's variables is about twice the model matrix,
#'   whatever the number of profiles or draws.
#' @seealso [dyad_margins()]
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs,
#'                   data = d, vcov = ~dyad)
#' dyad_predictions(fit, at = list(defense = c(0, 1), contig = 1))
#' dyad_predictions(fit, at = list(defense = 1), others = "observed",
#'                  method = "simulation", draws = 500)
#' @export
dyad_predictions <- function(fit, at, others = c("mean", "median", "observed"),
                             level = fit$level, method = c("delta", "simulation"),
                             draws = 1000, seed = 1, data = NULL)
{
    others <- match.arg(others)
    method <- match.arg(method)
    if (missing(at) || !length(at))
        stop("'at' must name at least one variable, e.g. at = list(defense = c(0, 1))",
             call. = FALSE)
    post_run(fit, 0L, profiles = at_profiles(at, "at"), vars = character(),
             others = others, method = method, draws = draws, seed = seed,
             level = level, data = data)
}

#' Average marginal effects, effects at means, first differences
#'
#' Marginal effects of variables on the probability of the outcome, or the
#' first difference and risk ratio between two profiles, with delta-method
#' or simulation intervals, computed by the `libdyadfit` C library (the
#' numbers of the command line's `dyadfit margins`).
#'
#' @inheritParams dyad_predictions
#' @param dydx variable names: the effect of each. A variable whose fitted
#'   values are all 0 or 1 gets the discrete change `P(x = 1) - P(x = 0)`
#'   (contrast `"1 - 0"`), any other numeric variable the derivative `dP/dx`
#'   (contrast `"dY/dX"`, a central difference of the rebuilt model matrix,
#'   so `log(x)`, `I(x^2)` and interactions are followed). Not for Cox fits.
#' @param at `dydx`: a named list of single values fixing variables (one
#'   profile); `fd`: values set in both profiles.
#' @param type `"ame"`: average over the fitted rows as observed (average
#'   marginal effect, Stata's `margins, dydx()`); `"mem"`: at the means of
#'   the other variables (marginal effect at means, `atmeans`); `"median"`:
#'   at their medians.
#' @param fd instead of `dydx`: a named list of pairs `c(from, to)`, e.g.
#'   `list(defense = c(0, 1))`: the first difference `P(to) - P(from)` and
#'   the risk ratio `P(to) / P(from)`; for a Cox fit the hazard ratio.
#' @return A data frame of class `dyadfit_margins` as [dyad_predictions()]
#'   returns, one row per variable (`dydx`) or the difference and ratio
#'   (`fd`).
#' @section marginaleffects:
#' With the marginaleffects package installed, its functions
#' (`avg_slopes()`, `slopes()`, `predictions()`, `avg_comparisons()`, ...)
#' work on [dyad_logit()], [relogit()] and [firth()] fits: dyadfit
#' registers its `get_coef`, `set_coef`, `get_vcov` and `get_predict`
#' methods when marginaleffects is loaded and adds `"dyadfit"` to
#' `options(marginaleffects_model_classes)`. The fit's own variance
#' (clustered if it was fitted so) is used; `vcov` may also be `FALSE` or a
#' matrix. marginaleffects computes slopes by its own finite differences,
#' and keeps whole counterfactual data sets in memory; `dyad_margins()`
#' streams over the rows.
#' @seealso [dyad_predictions()]
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs,
#'                   data = d, vcov = ~dyad)
#' dyad_margins(fit, dydx = c("defense", "cap_ratio"))
#' dyad_margins(fit, dydx = "defense", type = "mem")
#' dyad_margins(fit, fd = list(defense = c(0, 1)), at = list(contig = 1))
#' @export
dyad_margins <- function(fit, dydx = NULL, at = NULL, type = c("ame", "mem", "median"),
                         fd = NULL, method = c("delta", "simulation"), draws = 1000,
                         seed = 1, level = fit$level, data = NULL)
{
    type <- match.arg(type)
    method <- match.arg(method)
    others <- c(ame = "observed", mem = "mean", median = "median")[[type]]
    if (is.null(dydx) == is.null(fd))
        stop("give either 'dydx' (variable names) or 'fd' (e.g. list(defense = c(0, 1)))",
             call. = FALSE)
    if (!is.null(at) && (!is.list(at) || is.null(names(at)) || any(names(at) == "")))
        stop("'at' must be a named list, e.g. list(contig = 1)", call. = FALSE)
    if (!is.null(dydx)) {
        if (!is.character(dydx) || !length(dydx) || anyNA(dydx))
            stop("'dydx' must be variable names, e.g. c(\"defense\", \"cap_ratio\")",
                 call. = FALSE)
        if (length(at) && any(lengths(at) != 1L))
            stop("with 'dydx', 'at' gives one value per variable (one profile)",
                 call. = FALSE)
        return(post_run(fit, 1L, profiles = if (length(at)) at_profiles(at, "at"),
                        vars = dydx, others = others, method = method, draws = draws,
                        seed = seed, level = level, data = data))
    }
    if (!is.list(fd) || !length(fd) || is.null(names(fd)) || any(names(fd) == "") ||
        any(lengths(fd) != 2L))
        stop("'fd' must be a named list of pairs c(from, to), e.g. list(defense = c(0, 1))",
             call. = FALSE)
    if (length(at) && any(lengths(at) != 1L))
        stop("with 'fd', 'at' gives one value per variable (set in both profiles)",
             call. = FALSE)
    both <- intersect(names(fd), names(at))
    if (length(both))
        stop("'", both[1L], "' is in both 'fd' and 'at'", call. = FALSE)
    to <- c(lapply(fd, `[`, 2L), at)
    from <- c(lapply(fd, `[`, 1L), at)
    post_run(fit, 2L, profiles = c(at_profiles(to, "fd"), at_profiles(from, "fd")),
             vars = character(), others = others, method = method, draws = draws,
             seed = seed, level = level, data = data)
}

## named list of values -> one "x=1 z=0" text per combination (the first
## variable varies fastest, as expand.grid); values stay R objects until
## post_run() knows how the library codes each variable.
at_profiles <- function(at, what)
{
    if (!is.list(at) || is.null(names(at)) || any(names(at) == "") || anyDuplicated(names(at)))
        stop("'", what, "' must be a list with distinct names, e.g. list(defense = c(0, 1))",
             call. = FALSE)
    for (v in names(at)) {
        x <- at[[v]]
        if (is.factor(x)) x <- as.character(x)
        if (!length(x) || anyNA(x) || !(is.numeric(x) || is.character(x) || is.logical(x)))
            stop("'", what, "': the values of '", v, "' must be numbers or labels, not missing",
                 call. = FALSE)
        if (is.numeric(x) && !all(is.finite(x)))
            stop("'", what, "': the values of '", v, "' must be finite", call. = FALSE)
        at[[v]] <- x
    }
    g <- expand.grid(at, KEEP.OUT.ATTRS = FALSE, stringsAsFactors = FALSE)
    lapply(seq_len(nrow(g)), function(i) as.list(g[i, , drop = FALSE]))
}

post_fit_kind <- function(fit)
{
    if (!inherits(fit, "dyadfit"))
        stop("'fit' must be a dyadfit model (dyad_logit, relogit, firth, dyad_cox)",
             call. = FALSE)
    est <- fit$estimator
    if (!est %in% c("logit", "probit", "cloglog", "relogit", "firth", "cox"))
        stop("predictions and marginal effects are not available for a '", est,
             "' model (dyad_logit, relogit, firth, dyad_cox)", call. = FALSE)
    if (est == "cox") "cox" else "binary"
}

## The data a binary fit was made on (its 'data' argument evaluated again,
## or `data`) and the indices of the fitted rows in it.
fit_rows <- function(fit, data = NULL)
{
    d <- data
    if (is.null(d)) {
        if (is.null(fit$call$data))
            stop("the fit was made without 'data': pass the data frame as 'data'",
                 call. = FALSE)
        d <- tryCatch(eval(fit$call$data, fit$env), error = function(e)
            stop("cannot find the fit's data (", conditionMessage(e),
                 "): pass it as 'data'", call. = FALSE))
    }
    if (!is.data.frame(d)) stop("'data' must be a data frame", call. = FALSE)
    mf <- fit$model
    rows <- if (nrow(mf) == nrow(d) && .row_names_info(d) < 0 &&
                .row_names_info(mf) < 0) seq_len(nrow(d))
            else if (.row_names_info(d) < 0) suppressWarnings(as.integer(rownames(mf)))
            else match(rownames(mf), rownames(d))
    if (anyNA(rows) || any(rows < 1L | rows > nrow(d)))
        stop("the fitted rows are not rows of 'data' (a different data frame?): ",
             "pass the data the model was fitted on as 'data'", call. = FALSE)
    list(data = d, rows = rows)
}

## The model's raw variables for the fitted rows, as library columns, with
## the rename pairs of factors passed as codes and the weight/offset columns.
post_table <- function(fit, data)
{
    kind <- post_fit_kind(fit)
    f <- fit$formula
    if (kind == "cox") {
        d <- if (is.null(data)) fit$data else data
        if (!is.null(fit$call$weights))
            stop("predictions for a weighted Cox fit are not available from R yet ",
                 "(use the command line: dyadfit predict)", call. = FALSE)
        vars <- all.vars(f)
        rows <- seq_len(nrow(d))
        if (!is.null(data) && !is.null(fit$call$subset))
            stop("for a Cox fit with 'subset', leave 'data' NULL (the fit keeps its rows)",
                 call. = FALSE)
        wcol <- ocol <- NULL
    } else {
        if (!is.null(attr(fit$terms, "offset")))
            stop("a formula with offset() terms cannot be rebuilt by the library: give ",
                 "the offset as the 'offset' argument", call. = FALSE)
        fr <- fit_rows(fit, data)
        d <- fr$data
        rows <- fr$rows
        mf <- fit$model
        vars <- all.vars(f)
        wcol <- stats::model.weights(mf)
        ocol <- stats::model.offset(mf)
        ## the outcome as fitted: a cheap check that 'data' is the fit's data
        yv <- all.vars(f[[2L]])
        if (length(yv) == 1L && identical(f[[2L]], as.name(yv)) && !is.null(d[[yv]])) {
            y <- d[[yv]][rows]
            if (is.logical(y)) y <- as.numeric(y)
            if (!isTRUE(all(y == stats::model.response(mf))))
                stop("the outcome '", yv, "' in 'data' differs from the fitted one: pass ",
                     "the data the model was fitted on", call. = FALSE)
        }
    }
    miss <- setdiff(vars, names(d))
    if (length(miss))
        stop("variable '", miss[1L], "' not found in the data", call. = FALSE)
    conv <- lapply(stats::setNames(vars, vars), function(v) {
        x <- d[[v]]
        if (!(is.numeric(x) || is.factor(x) || is.character(x) || is.logical(x) ||
              inherits(x, "Date")) || !is.null(dim(x)))
            stop("variable '", v, "' is ", class(x)[1L], "; predictions take numeric, ",
                 "logical, character and factor columns", call. = FALSE)
        if (kind == "cox") {                      # Surv() may hold logical events
            if (is.logical(x) && v %in% all.vars(f[[2L]])) x <- as.numeric(x)
        }
        table_column(x[rows], v, FALSE)
    })
    cols <- lapply(conv, `[[`, "values")
    if (!is.null(wcol)) cols[[".dyadfit_weights"]] <- as.double(wcol)
    if (!is.null(ocol)) cols[[".dyadfit_offset"]] <- as.double(ocol)
    list(cols = cols, conv = conv, kind = kind,
         weights = if (!is.null(wcol)) ".dyadfit_weights" else NA_character_,
         offset = if (!is.null(ocol)) ".dyadfit_offset" else NA_character_)
}

## R's term names in the library's spelling: factor levels passed as codes
## (table_column's rename pairs, library -> R) turned back into the codes.
library_terms <- function(terms, conv)
{
    rn <- unlist(lapply(conv, `[[`, "rename"), use.names = FALSE)
    if (!length(rn)) return(terms)
    from <- rn[c(TRUE, FALSE)]
    to <- rn[c(FALSE, TRUE)]
    vapply(strsplit(terms, ":", fixed = TRUE), function(p) {
        i <- match(p, to)
        p[!is.na(i)] <- from[i[!is.na(i)]]
        paste(p, collapse = ":")
    }, "")
}

## One profile (list of values) -> "x=1 z=0" in the library's coding.
profile_text <- function(p, conv)
{
    parts <- vapply(names(p), function(v) {
        x <- p[[v]]
        cv <- conv[[v]]
        if (!is.null(cv) && !is.null(cv$levels)) {
            x <- as.character(x)
            if (!x %in% cv$levels)
                stop("'", x, "' is not a level of '", v, "' (levels: ",
                     paste(utils::head(cv$levels, 10L), collapse = ", "), ")", call. = FALSE)
            if (!is.null(cv$rename))
                x <- formatC(match(x, cv$levels), width = nchar(length(cv$levels)), flag = "0")
        } else if (is.character(x)) {
            stop("'", v, "' is numeric in the data; give a number, not \"", x, "\"",
                 call. = FALSE)
        } else {
            x <- sprintf("%.17g", as.double(x))
        }
        if (grepl("[ ,=\t]", x))
            stop("the value '", x, "' of '", v, "' contains a space, comma or '=': ",
                 "not supported in a profile", call. = FALSE)
        paste0(v, "=", x)
    }, "")
    paste(parts, collapse = " ")
}

## The library's profile text back in R's labels (coded factor levels).
profile_labels <- function(term, conv)
{
    for (v in names(conv)) {
        cv <- conv[[v]]
        if (is.null(cv$rename)) next
        code <- formatC(seq_along(cv$levels), width = nchar(length(cv$levels)), flag = "0")
        for (i in seq_along(code))
            term <- gsub(paste0("(^|[ /-])", v, "=", code[i], "($| )"),
                         paste0("\\1", v, "=", cv$levels[i], "\\2"), term)
    }
    term
}

## The library speaks the command line's language; say it in R's.
translate_post <- function(msg)
{
    msg <- gsub("--fd --at \"([^\"=]*)=A\" --at \"[^\"]*\"", "fd = list(\\1 = c(A, B))", msg)
    msg <- gsub("--fd --at A --at B", "fd = list(x = c(A, B))", msg, fixed = TRUE)
    msg <- gsub("--at \"", "at: \"", msg, fixed = TRUE)
    msg <- gsub("--dydx", "dydx", msg, fixed = TRUE)
    msg <- gsub("--others", "type", msg, fixed = TRUE)
    gsub("--fd", "fd", msg, fixed = TRUE)
}

post_run <- function(fit, what, profiles, vars, others, method, draws, seed, level, data)
{
    post_fit_kind(fit)
    check_level(level)
    if (!is.numeric(draws) || length(draws) != 1L || is.na(draws) || draws < 2 ||
        draws > 1e7 || draws != round(draws))
        stop("'draws' must be a count from 2 to 10000000", call. = FALSE)
    if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed < 0 ||
        seed >= 2^32 || seed != round(seed))
        stop("'seed' must be a whole number from 0 to 2^32 - 1", call. = FALSE)
    tab <- post_table(fit, data)
    cf <- fit$coefficients
    ok <- !is.na(cf)
    if (tab$kind == "cox") {
        labels <- c(deparse1(fit$formula), "cox", NA_character_, NA_character_,
                    fit$vce$type)
    } else {
        labels <- c(deparse1(fit$formula), fit$estimator, tab$weights, tab$offset,
                    fit$vce$type)
    }
    texts <- vapply(profiles, profile_text, "", conv = tab$conv)
    V <- fit$vcov[ok, ok, drop = FALSE]
    res <- tryCatch(
        .Call(dyadfit_r_post, tab$cols, labels, as.double(cf[ok]),
              matrix(as.double(V), nrow(V)), library_terms(names(cf)[ok], tab$conv),
              what, as.character(texts), as.character(vars),
              as.integer(c(match(others, c("mean", "median", "observed")) - 1L,
                           match(method, c("delta", "simulation")) - 1L)),
              as.double(c(draws, seed, level, fit$n_used))),
        error = function(e) stop(translate_post(conditionMessage(e)), call. = FALSE))
    ## the columns and their order of the command line's --format csv
    out <- data.frame(term = profile_labels(res$term, tab$conv),
                      estimate = res$estimate, std.error = res$std.error,
                      statistic = res$statistic, p.value = res$p.value,
                      conf.low = res$conf.low, conf.high = res$conf.high,
                      contrast = res$contrast, stringsAsFactors = FALSE)
    attr(out, "what") <- res$what
    attr(out, "note") <- res$note
    class(out) <- c("dyadfit_margins", "data.frame")
    out
}

#' @rdname dyad_predictions
#' @param x a `dyadfit_margins` result.
#' @param digits significant digits shown.
#' @param ... passed to [print.data.frame()].
#' @export
print.dyadfit_margins <- function(x, digits = 4L, ...)
{
    what <- attr(x, "what")
    if (!is.null(what) && nzchar(what)) cat(what, "\n\n", sep = "")
    y <- x
    class(y) <- "data.frame"
    attr(y, "what") <- attr(y, "note") <- NULL
    print(y, digits = digits, row.names = FALSE, ...)
    note <- attr(x, "note")
    if (!is.null(note) && nzchar(note))
        cat("\n", paste(strwrap(note), collapse = "\n"), "\n", sep = "")
    invisible(x)
}
