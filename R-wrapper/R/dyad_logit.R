#' Logit, probit and complementary log-log models with clustered variances
#'
#' Fits a binary-outcome model by maximum likelihood with the `libdyadfit` C
#' library, the engine behind the `dyadfit` command line tool, so the numbers
#' are the ones the command line gives for the same model. The design comes
#' from [stats::model.frame()] and [stats::model.matrix()], so factors,
#' interactions, `I()`, `log()`, `poly()` and `offset()` behave as in
#' [stats::glm()].
#'
#' @param formula a model formula, `outcome ~ terms`; the outcome must be 0/1
#'   (numeric or logical).
#' @param data a data frame (for example from [read_dyads()]).
#' @param link `"logit"`, `"probit"` or `"cloglog"`.
#' @param vcov the variance estimator: `"oim"` (inverse information, the
#'   default), `"robust"` (sandwich with small-sample factor `ssc`), `"HC0"` or
#'   `"HC1"` (robust with that factor), or a one-sided formula naming one or two
#'   cluster variables in `data`, such as `~dyad` or `~dyad + year` (two-way
#'   clustering, Cameron, Gelbach and Miller 2011), or `"bootstrap"`: the
#'   covariance of the estimates refitted on resamples of the rows (or, with
#'   `bootstrap = list(cluster = ~dyad)`, of whole clusters); see `bootstrap`.
#' @param ssc small-sample factor for robust and cluster variances: `"stata"`
#'   (G/(G-1), as Stata's `vce(cluster)`; N/(N-1) robust), `"hc0"` (none) or
#'   `"hc1"` (G/(G-1) (N-1)/(N-K), the default of [sandwich::vcovCL()]).
#' @param information which information matrix is the bread: `"observed"`
#'   (negative Hessian, as Stata) or `"expected"` (as `glm` and `sandwich`);
#'   identical for the logit link.
#' @param weights optional weights, evaluated in `data` like `glm`'s.
#' @param weight_type `"frequency"` (each row stands for `w` rows, Stata's
#'   fweight) or `"probability"` (sampling weights, Stata's pweight).
#' @param offset optional offset added to the linear predictor, evaluated in
#'   `data`; `offset()` terms in the formula work too.
#' @param subset optional expression selecting rows, as in `glm`.
#' @param na.action what to do with rows holding a missing value in any model,
#'   weight, offset or cluster variable; the default drops them (once, for
#'   all variables) and counts them.
#' @param drop_separated `FALSE` (default): quasi- or complete separation is an
#'   error naming the terms. `TRUE`: drop those terms and the rows they predict
#'   perfectly, as Stata's `logit` does.
#' @param level confidence level for intervals ([confint()], [summary()]).
#' @param control a list: `maxiter` (100), `tol` (1e-10, relative change in
#'   log-likelihood) and `fix_psd` (`FALSE`; clip negative eigenvalues of a
#'   two-way cluster variance).
#' @param contrasts optional list of contrasts for factors, as in `glm`.
#' @param threads `NULL` (default: the option `dyadfit.threads`, else
#'   `OMP_NUM_THREADS`, else the number of cores) or the number of threads
#'   the library may use; the estimates do not depend on it. See
#'   [dyadfit_threads()], which also tells how to interrupt a long fit.
#' @param spells `NULL`, or peace years made before the fit (the command
#'   line's `fit --spells`): a list with `event`, `unit` and `time` (column
#'   names) and optionally `ongoing` (a column name), `drop_ongoing`
#'   (`FALSE`; `TRUE` leaves the ongoing-dispute years out of the fit),
#'   `gap` (`"btscs"`, `"continue"` or `"restart"`), `splines` (0) and
#'   `name` (`"peaceyrs"`), passed to [btscs()]. The counts are made on
#'   every row of `data` before `subset` and missing values choose the rows
#'   (so a subset of years does not restart them), as new columns
#'   (`peaceyrs`, `spell`, the splines, `_drop`) that replace columns of
#'   those names; the formula may use them. The same as `btscs()` then the
#'   fit.
#' @param bootstrap `NULL` or, with `vcov = "bootstrap"` only, a list with any
#'   of `cluster` (a one-sided formula naming one variable in `data`, such as
#'   `~dyad`: whole clusters are resampled, as Stata's
#'   `vce(bootstrap, cluster(dyad))`; default: rows are resampled), `reps`
#'   (replications, 2 to 1000000, default 200) and `seed` (a whole number
#'   from 0 to 2^32 - 1, default 12345). The point estimates are those of the
#'   full sample; the variance is the covariance of the replicate estimates
#'   (divisor R - 1, no small-sample factor), so its standard errors approach
#'   the HC0 (rows) or CR0 (clusters) sandwich as `reps` grows. The same seed
#'   gives the same variance, whatever the thread count. Replications that
#'   fail (not converged, separated, or a degenerate resample) are left out
#'   and counted in the notes, which also state the replications and the
#'   seed. Available for the logit, probit and cloglog links only.
#'
#' @return An object of class `c("dyadfit", "dyad_logit")`: a list with
#'   `coefficients` (`NA` for a column dropped as collinear or separated),
#'   `vcov`, `loglik`, `loglik0` (intercept-only), `nobs`, `n_used`,
#'   `n_dropped`, `converged`, `iterations`, `vce` (type, small-sample factor,
#'   cluster counts; `reps` and `seed` for the bootstrap), `notes`, `call`,
#'   `formula`, `terms`, `model`, `xlevels`,
#'   `contrasts`, `na.action`, `link`, `level`, `linear.predictors`,
#'   `fitted.values`, `threads` (the thread count used) and `reports` (the
#'   library's text, csv, json, markdown and latex renderings, see
#'   [dyad_report()]). Methods: `print`, `summary`,
#'   `coef`, `vcov`, `confint`, `nobs`, `logLik` (so `AIC` and `BIC` work),
#'   `predict`, `fitted`, `model.matrix`, `formula`, `update`, and `tidy` and
#'   `glance` for the generics/broom packages.
#'
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' fit <- dyad_logit(mid_onset ~ defense + contig + log(cap_ratio) + majpow +
#'                     peaceyrs + I(peaceyrs^2) + I(peaceyrs^3),
#'                   data = d, vcov = ~dyad)
#' summary(fit)
#' confint(fit)
#' head(predict(fit, type = "response"))
#' # peace years and their cube made in the same call
#' dyad_logit(mid_onset ~ defense + contig + peaceyrs + I(peaceyrs^2) +
#'              I(peaceyrs^3), data = d,
#'            spells = list(event = "mid_onset", unit = "dyad", time = "year"))
#' # probit with heteroskedasticity-robust standard errors
#' dyad_logit(mid_onset ~ defense + contig, data = d, link = "probit", vcov = "HC1")
#' # bootstrap standard errors, resampling whole dyads
#' dyad_logit(mid_onset ~ defense + contig, data = d, vcov = "bootstrap",
#'            bootstrap = list(cluster = ~dyad, reps = 50, seed = 1))
#' @export
dyad_logit <- function(formula, data, link = c("logit", "probit", "cloglog"),
                       vcov = "oim", ssc = c("stata", "hc0", "hc1"),
                       information = c("observed", "expected"),
                       weights = NULL,
                       weight_type = c("frequency", "probability"),
                       offset = NULL, subset, na.action = stats::na.omit,
                       drop_separated = FALSE, level = 0.95,
                       control = list(), contrasts = NULL, threads = NULL,
                       spells = NULL, bootstrap = NULL)
{
    cl <- match.call()
    link <- match.arg(link)
    ssc <- match.arg(ssc)
    information <- match.arg(information)
    weight_type <- match.arg(weight_type)
    out <- fit_binary(cl, parent.frame(), formula, missing(data),
                      if (!missing(data)) data,
                      estimator = match(link, c("logit", "probit", "cloglog")) - 1L,
                      link = link, vcov = vcov, ssc = ssc,
                      information = information, weight_type = weight_type,
                      drop_separated = drop_separated, level = level,
                      control = control, contrasts = contrasts,
                      caller = "dyad_logit", threads = threads, spells = spells,
                      bootstrap = bootstrap)
    class(out) <- c("dyadfit", "dyad_logit")
    out
}

## The shared core of dyad_logit(), relogit() and firth(): the model frame
## and matrix from R, the fit by dyadfit_fit_matrix, the result object.
## `cl` is the user's call (its formula, data, subset, weights, offset and
## na.action are evaluated in `env`, as glm does); `iextra`/`dextra` are
## the estimator's own model fields (see fit_options()).
fit_binary <- function(cl, env, formula, data_missing, data, estimator, link,
                       vcov, ssc, information, weight_type, drop_separated,
                       level, control, contrasts, caller,
                       relogit = list(), firth = list(), threads = NULL,
                       spells = NULL, bootstrap = NULL)
{
    if (missing(formula) || !inherits(formula, "formula") || length(formula) != 3L)
        stop("'formula' must be a two-sided formula such as mid_onset ~ defense + contig",
             call. = FALSE)
    if (!data_missing && !is.data.frame(data) && !is.list(data) && !is.environment(data))
        stop("'data' must be a data frame, not ", class(data)[1L], call. = FALSE)
    if (!is.logical(drop_separated) || length(drop_separated) != 1L || is.na(drop_separated))
        stop("'drop_separated' must be TRUE or FALSE", call. = FALSE)
    check_level(level)
    ctrl <- check_control(control)
    vce <- parse_vcov(vcov, ssc, bootstrap,
                      bootstrap_ok = caller == "dyad_logit" && estimator %in% 0:2,
                      caller = caller)
    nthreads <- threads_code(threads)      # checked before the work starts
    if (!is.null(spells)) {
        ## peace years on every row, then the fit on the new columns
        if (data_missing || !is.data.frame(data))
            stop("'spells' needs 'data', a data frame", call. = FALSE)
        sp <- check_spells(spells)
        data <- btscs(data, sp$event, sp$time, sp$unit, ongoing = sp$ongoing,
                      gap = sp$gap, splines = sp$splines, name = sp$name,
                      drop_ongoing = sp$drop_ongoing, replace = TRUE)
        n_ongoing <- 0L
        if (sp$drop_ongoing) {
            ongoing <- !is.na(data[["_drop"]]) & data[["_drop"]] == 1
            n_ongoing <- sum(ongoing)
            data <- data[!ongoing, , drop = FALSE]
        }
        cl_data <- data
    }

    ## the model frame, with the cluster variables as extra columns so that
    ## missing values are dropped once, over every variable the model uses
    mf <- cl
    m <- match(c("formula", "data", "subset", "weights", "offset", "na.action"),
               names(mf), 0L)
    mf <- mf[c(1L, m)]
    mf$drop.unused.levels <- TRUE
    if (is.null(mf$na.action)) mf$na.action <- quote(stats::na.omit)
    for (i in seq_along(vce$cluster))
        mf[[paste0("cluster", i)]] <- vce$cluster[[i]]
    mf[[1L]] <- quote(stats::model.frame)
    mf_env <- env
    if (!is.null(spells)) {
        ## the data with the spell columns, by name (an error message then
        ## quotes the call, not the data)
        mf_env <- new.env(parent = env)
        assign(".dyadfit_spells_data", cl_data, envir = mf_env)
        mf$data <- as.name(".dyadfit_spells_data")
    }
    mf <- eval(mf, mf_env)
    mt <- attr(mf, "terms")
    if (nrow(mf) == 0L)
        stop("no rows left (after 'subset' and removing rows with missing values)",
             call. = FALSE)

    y <- check_outcome(stats::model.response(mf), deparse1(formula[[2L]]), caller)
    X <- stats::model.matrix(mt, mf, contrasts)
    if (ncol(X) == 0L)
        stop("the model has no terms (not even an intercept)", call. = FALSE)
    storage.mode(X) <- "double"
    w <- stats::model.weights(mf)
    if (!is.null(w)) {
        if (!is.numeric(w)) stop("'weights' must be numeric", call. = FALSE)
        w <- as.double(w)
    }
    off <- stats::model.offset(mf)
    if (!is.null(off)) {
        if (!is.numeric(off)) stop("'offset' must be numeric", call. = FALSE)
        off <- as.double(off)
    }
    clusters <- lapply(seq_along(vce$cluster), function(i) {
        v <- mf[[paste0("(cluster", i, ")")]]
        if (is.null(v) || NCOL(v) != 1L)
            stop("cluster variable '", vce$cluster_names[i],
                 "' must be a single column", call. = FALSE)
        if (anyNA(v))                     # only reachable with na.pass
            stop("cluster variable '", vce$cluster_names[i], "' has ",
                 sum(is.na(v)), " missing values", call. = FALSE)
        match(v, unique(v)) - 1L          # dense codes 0..G-1
    })

    opts <- fit_options(estimator, vce, information,
                        if (is.null(w)) 0L else match(weight_type, c("frequency", "probability")),
                        drop_separated, ctrl, level, relogit, firth)
    nthreads <- .Call(dyadfit_r_threads, nthreads)
    res <- tryCatch(
        .Call(dyadfit_r_fit, X, as.double(y), w, off, clusters,
              as.character(vce$cluster_names), colnames(X),
              c(deparse1(formula), deparse1(formula[[2L]])),
              opts$iopt, opts$dopt),
        error = function(e) {
            stop_if_interrupted(conditionMessage(e))
            ## the library speaks the command line's language; translate
            msg <- translate_cli(conditionMessage(e))
            ## the library counts rows of the design; name the data's row
            r <- regmatches(msg, regexec("at row ([0-9]+)", msg))[[1L]]
            if (length(r) == 2L) {
                i <- as.numeric(r[2L])
                if (i >= 1 && i <= nrow(mf) && rownames(mf)[i] != r[2L])
                    msg <- paste0(msg, " (row ", i, " of the rows used: data row '",
                                  rownames(mf)[i], "')")
            }
            stop(msg, call. = FALSE)
        })

    ## coefficients of every model.matrix column; NA where the library dropped
    ## a column (collinear or separated), as glm does
    cf <- stats::setNames(rep(NA_real_, ncol(X)), colnames(X))
    if (!all(names(res$coefficients) %in% names(cf)))
        stop("dyadfit internal: the library returned unknown terms", call. = FALSE)
    out <- result_object(res, cf, vce, information, w, weight_type, level, cl,
                         estimator, link)
    ok <- !is.na(out$coefficients)
    eta <- drop(X[, ok, drop = FALSE] %*% out$coefficients[ok])
    if (!is.null(off)) eta <- eta + off
    naa <- attr(mf, "na.action")
    out$n_dropped <- length(naa) + out$n_dropped
    out$linear.predictors <- eta
    out$fitted.values <- stats::binomial(link = link)$linkinv(eta)
    out$formula <- formula
    out$terms <- mt
    out$model <- mf
    out$xlevels <- stats::.getXlevels(mt, mf)
    out$contrasts <- attr(X, "contrasts")
    out$na.action <- naa
    out$env <- env
    out$threads <- nthreads
    if (!is.null(spells)) {
        sp$n_ongoing_dropped <- n_ongoing
        out$spells <- sp
    }
    if (!out$converged)
        warning("convergence not achieved after ", out$iterations,
                " iterations: the estimates are not ",
                if (estimator == 4L) "penalised " else "",
                "maximum-likelihood estimates", call. = FALSE)
    out
}

## spells = list(event, unit, time, ...) with btscs()'s defaults filled in
check_spells <- function(spells)
{
    known <- c("event", "unit", "time", "ongoing", "drop_ongoing", "gap", "splines",
               "name")
    if (!is.list(spells) || is.null(names(spells)) || any(names(spells) == ""))
        stop("'spells' must be a named list: list(event = , unit = , time = )",
             call. = FALSE)
    unk <- setdiff(names(spells), known)
    if (length(unk))
        stop("'spells': unknown element '", unk[1L], "' (known: ",
             paste(known, collapse = ", "), ")", call. = FALSE)
    for (a in c("event", "unit", "time"))
        if (is.null(spells[[a]]))
            stop("'spells' needs '", a, "' (a column name), as in list(event = ",
                 "\"mid_onset\", unit = \"dyad\", time = \"year\")", call. = FALSE)
    sp <- list(event = spells$event, unit = spells$unit, time = spells$time,
               ongoing = spells$ongoing, drop_ongoing = spells$drop_ongoing %||% FALSE,
               gap = spells$gap %||% "btscs", splines = spells$splines %||% 0,
               name = spells$name %||% "peaceyrs")
    if (!is.logical(sp$drop_ongoing) || length(sp$drop_ongoing) != 1L ||
        is.na(sp$drop_ongoing))
        stop("'spells': drop_ongoing must be TRUE or FALSE", call. = FALSE)
    if (sp$drop_ongoing && is.null(sp$ongoing))
        stop("'spells': drop_ongoing = TRUE needs 'ongoing' (the ongoing-dispute column)",
             call. = FALSE)
    if (!is.character(sp$gap) || length(sp$gap) != 1L ||
        !(sp$gap %in% c("btscs", "continue", "restart")))
        stop("'spells': gap must be \"btscs\", \"continue\" or \"restart\"",
             call. = FALSE)
    sp
}

estimator_names <- c("logit", "probit", "cloglog", "relogit", "firth", "cox",
                     "clogit", "felogit", "weibull", "exponential")

## iopt/dopt for the .Call entries; the layout is set_model()'s in r_fit.c:
## iopt estimator, vce, ssc, information, weight type, drop_separated,
##      maxiter, fix_psd, correction, no_bias_correction, wald_ci, ties,
##      zph (0 none, 1 km, 2 identity, 3 rank), aft, reps (bootstrap; 0: 200)
## dopt tolerance, level, tau, tau_upper, seed (bootstrap; a whole number
##      from 0 to 2^32 - 1)
## (reps and seed come from vce, parse_vcov()'s list, so every entry point
## passes them)
fit_options <- function(estimator, vce, information, weight_code, drop_separated,
                        ctrl, level, relogit = list(), firth = list(), ties = 0L,
                        zph = 0L, aft = 0L)
{
    list(iopt = as.integer(c(estimator, vce$type, vce$ssc,
                             match(information, c("observed", "expected")) - 1L,
                             weight_code, as.integer(drop_separated),
                             ctrl$maxiter, as.integer(ctrl$fix_psd),
                             relogit$correction %||% 0L,
                             as.integer(!(relogit$bias_correction %||% TRUE)),
                             as.integer(firth$wald %||% FALSE), ties,
                             zph, aft, vce$reps %||% 0L)),
         dopt = as.double(c(ctrl$tol, level, relogit$tau %||% 0,
                            relogit$tau_upper %||% 0, vce$seed %||% 12345)))
}

## The library's result list -> the common fields of a dyadfit object;
## cf: NA-filled coefficients named by every design column.
result_object <- function(res, cf, vce, information, w, weight_type, level, cl,
                          estimator, link)
{
    cf[names(res$coefficients)] <- res$coefficients
    V <- matrix(NA_real_, length(cf), length(cf), dimnames = list(names(cf), names(cf)))
    V[rownames(res$vcov), colnames(res$vcov)] <- res$vcov
    st <- res$stats
    notes <- strsplit(res$notes, "\n", fixed = TRUE)[[1L]]
    out <- list(
        coefficients = cf, vcov = V,
        loglik = unname(st["loglik"]), loglik0 = unname(st["loglik0"]),
        nobs = unname(st["nobs"]), n_used = unname(st["nrows_used"]),
        n_dropped = unname(st["nrows_dropped"]),
        converged = st["converged"] == 1, iterations = unname(st["iterations"]),
        max_gradient = unname(st["max_gradient"]),
        pseudo_r2 = unname(st["pseudo_r2"]),
        vce = list(type = vce$label, ssc = if (vce$type %in% c(0L, 3L)) NA_character_ else
                       c("stata", "hc0", "hc1")[vce$ssc + 1L],
                   information = information,
                   cluster = vce$cluster_names,
                   nclusters = if (length(vce$cluster)) stats::setNames(
                       unname(st[c("ncluster1", "ncluster2")[seq_along(vce$cluster)]]),
                       vce$cluster_names) else NULL,
                   factor = unname(st["ssc_factor"])),
        notes = notes, estimator = estimator_names[estimator + 1L],
        link = link, level = level,
        weight_type = if (is.null(w)) NA_character_ else weight_type,
        inference = res$inference, inference_method = res$method,
        subtitle = res$subtitle,
        call = cl, reports = res$reports, version = res$version)
    if (vce$type == 3L)                  # the bootstrap's replications and seed
        out$vce[c("reps", "seed")] <- list(vce$reps, vce$seed)
    out
}

translate_cli <- function(msg)
{
    msg <- gsub("--drop-separated", "drop_separated = TRUE", msg, fixed = TRUE)
    msg <- gsub("--tau-upper", "tau_upper", msg, fixed = TRUE)
    msg <- gsub("--tau", "tau", msg, fixed = TRUE)
    msg <- gsub("--vce robust or cluster", "vcov = \"robust\" or a cluster formula",
                msg, fixed = TRUE)
    gsub("--vce oim", "vcov = \"oim\"", msg, fixed = TRUE)
}

check_level <- function(level)
{
    if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1)
        stop("'level' must be a number between 0 and 1, such as 0.95", call. = FALSE)
}

## vcov argument -> list(type (0 oim, 1 robust, 2 cluster, 3 bootstrap), ssc
## code, label, cluster expressions and names, and for the bootstrap reps and
## seed); `bootstrap`: dyad_logit()'s list(cluster, reps, seed), accepted only
## with vcov = "bootstrap", which only bootstrap_ok callers accept
parse_vcov <- function(vcov, ssc, bootstrap = NULL, bootstrap_ok = FALSE,
                       caller = NULL)
{
    sscs <- c("stata", "hc0", "hc1")
    res <- list(type = 0L, ssc = match(ssc, sscs) - 1L, label = "oim",
                cluster = list(), cluster_names = character())
    is_boot <- is.character(vcov) && length(vcov) == 1L && !is.na(vcov) &&
        tolower(vcov) == "bootstrap"
    if (is_boot) {
        if (!bootstrap_ok)
            stop("vcov = \"bootstrap\" is available for dyad_logit() (links logit, ",
                 "probit and cloglog) only",
                 if (!is.null(caller)) paste0(", not for ", caller, "()"),
                 call. = FALSE)
        return(parse_bootstrap(res, bootstrap))
    }
    if (!is.null(bootstrap))
        stop("'bootstrap' is used only with vcov = \"bootstrap\"", call. = FALSE)
    if (inherits(vcov, "formula")) {
        if (length(vcov) != 2L)
            stop("a cluster formula is one-sided, such as ~dyad or ~dyad + year",
                 call. = FALSE)
        vars <- as.list(attr(stats::terms(vcov), "variables"))[-1L]
        if (length(vars) < 1L || length(vars) > 2L)
            stop("'vcov' names ", length(vars), " cluster variables; one or two ",
                 "are supported (~dyad or ~dyad + year)", call. = FALSE)
        res$type <- 2L
        res$label <- if (length(vars) == 1L) "cluster" else "cluster (two-way)"
        res$cluster <- vars
        res$cluster_names <- vapply(vars, deparse1, "")
        return(res)
    }
    if (!is.character(vcov) || length(vcov) != 1L || is.na(vcov))
        stop("'vcov' must be \"oim\", \"robust\", \"HC0\", \"HC1\", ",
             if (bootstrap_ok) "\"bootstrap\" ", "or a cluster ",
             "formula such as ~dyad", call. = FALSE)
    v <- tolower(vcov)
    if (v == "oim") return(res)
    if (v %in% c("robust", "hc0", "hc1")) {
        res$type <- 1L
        res$label <- "robust"
        if (v != "robust") res$ssc <- match(v, sscs) - 1L
        return(res)
    }
    if (v == "cluster")
        stop("give the cluster variables as a formula: vcov = ~dyad", call. = FALSE)
    stop("unknown vcov \"", vcov, "\": use \"oim\", \"robust\", \"HC0\", \"HC1\", ",
         if (bootstrap_ok) "\"bootstrap\" ", "or a cluster formula such as ~dyad",
         call. = FALSE)
}

## vcov = "bootstrap": bootstrap = list(cluster = ~v, reps = , seed = ), all
## optional, checked here so that the library sees only valid values
parse_bootstrap <- function(res, bootstrap)
{
    known <- c("cluster", "reps", "seed")
    if (is.null(bootstrap)) bootstrap <- list()
    if (!is.list(bootstrap) || (length(bootstrap) &&
        (is.null(names(bootstrap)) || any(names(bootstrap) == ""))))
        stop("'bootstrap' must be a named list such as ",
             "list(cluster = ~dyad, reps = 200, seed = 12345)", call. = FALSE)
    unk <- setdiff(names(bootstrap), known)
    if (length(unk))
        stop("'bootstrap': unknown element '", unk[1L], "' (known: ",
             paste(known, collapse = ", "), ")", call. = FALSE)
    if (anyDuplicated(names(bootstrap)))
        stop("'bootstrap': '", names(bootstrap)[anyDuplicated(names(bootstrap))],
             "' is given twice", call. = FALSE)
    reps <- bootstrap$reps %||% 200
    if (!is.numeric(reps) || length(reps) != 1L || is.na(reps) || reps < 2 ||
        reps > 1e6 || reps != round(reps))
        stop("'bootstrap': reps must be a whole number from 2 to 1000000",
             call. = FALSE)
    seed <- bootstrap$seed %||% 12345
    if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed < 0 ||
        seed >= 2^32 || seed != round(seed))
        stop("'bootstrap': seed must be a whole number from 0 to 2^32 - 1",
             call. = FALSE)
    res$type <- 3L
    res$label <- "bootstrap"
    res$reps <- as.integer(reps)
    res$seed <- as.double(seed)
    cf <- bootstrap$cluster
    if (!is.null(cf)) {
        if (!inherits(cf, "formula") || length(cf) != 2L)
            stop("'bootstrap': cluster must be a one-sided formula naming one ",
                 "variable, such as ~dyad", call. = FALSE)
        vars <- as.list(attr(stats::terms(cf), "variables"))[-1L]
        if (length(vars) != 1L)
            stop("'bootstrap': cluster names ", length(vars), " variables; the ",
                 "bootstrap resamples the clusters of one variable (for two-way ",
                 "clustering use vcov = ~dyad + year)", call. = FALSE)
        res$cluster <- vars
        res$cluster_names <- vapply(vars, deparse1, "")
    }
    res
}

check_control <- function(control)
{
    if (!is.list(control)) stop("'control' must be a list", call. = FALSE)
    if (length(control) && (is.null(names(control)) || any(names(control) == "")))
        stop("'control' settings must be named, e.g. list(maxiter = 50)", call. = FALSE)
    known <- c("maxiter", "tol", "fix_psd")
    bad <- setdiff(names(control), known)
    if (length(bad))
        stop("unknown control setting(s): ", paste(bad, collapse = ", "),
             " (known: maxiter, tol, fix_psd)", call. = FALSE)
    ctrl <- list(maxiter = 100L, tol = 1e-10, fix_psd = FALSE)
    ctrl[names(control)] <- control
    if (!is.numeric(ctrl$maxiter) || length(ctrl$maxiter) != 1L || is.na(ctrl$maxiter) ||
        ctrl$maxiter < 1 || ctrl$maxiter > 1e5)
        stop("control$maxiter must be a count from 1 to 100000", call. = FALSE)
    if (!is.numeric(ctrl$tol) || length(ctrl$tol) != 1L || is.na(ctrl$tol) ||
        ctrl$tol <= 0 || ctrl$tol >= 1)
        stop("control$tol must be a number in (0, 1)", call. = FALSE)
    if (!is.logical(ctrl$fix_psd) || length(ctrl$fix_psd) != 1L || is.na(ctrl$fix_psd))
        stop("control$fix_psd must be TRUE or FALSE", call. = FALSE)
    ctrl$maxiter <- as.integer(ctrl$maxiter)
    ctrl
}

check_outcome <- function(y, name, caller = "dyad_logit")
{
    if (is.null(y)) stop("the formula has no outcome", call. = FALSE)
    if (is.factor(y))
        stop("the outcome '", name, "' is a factor; ", caller, " needs a 0/1 ",
             "numeric or logical outcome, e.g. as.integer(", name, " == \"",
             levels(y)[nlevels(y)], "\")", call. = FALSE)
    if (is.logical(y)) y <- as.numeric(y)
    if (!is.numeric(y) || NCOL(y) != 1L)
        stop("the outcome '", name, "' must be a 0/1 numeric or logical vector, not ",
             class(y)[1L], call. = FALSE)
    bad <- which(y != 0 & y != 1)
    if (length(bad))
        stop("the outcome '", name, "' must be 0 or 1; it is ", format(y[bad[1L]]),
             " in row ", names(y)[bad[1L]] %||% bad[1L], " (", length(bad),
             " such rows)", call. = FALSE)
    y
}

`%||%` <- function(a, b) if (is.null(a)) b else a
