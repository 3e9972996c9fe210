## marginaleffects support for the binary-outcome fits (dyad_logit, relogit,
## firth): the four methods its "extensions" vignette asks of a new model
## class (get_coef, set_coef, get_vcov, get_predict), and "dyadfit" added to
## options(marginaleffects_model_classes), which marginaleffects checks
## before it accepts a model. The methods are registered lazily by NAMESPACE
## (S3method(marginaleffects::get_coef, dyadfit), R >= 3.6) when
## marginaleffects is loaded, so dyadfit does not depend on it.

me_binary <- c("logit", "probit", "cloglog", "relogit", "firth")

me_check <- function(model)
{
    if (!identical(model$estimator %in% me_binary, TRUE))
        stop("marginaleffects works on dyadfit's binary-outcome fits (dyad_logit, relogit, ",
             "firth); for a '", model$estimator, "' fit use dyad_predictions() and ",
             "dyad_margins()", call. = FALSE)
}

get_coef.dyadfit <- function(model, ...)
{
    cf <- model$coefficients
    cf[!is.na(cf)]
}

set_coef.dyadfit <- function(model, coefs, ...)
{
    cf <- model$coefficients
    if (is.null(names(coefs))) {
        cf[!is.na(cf)] <- coefs
    } else {
        cf[names(coefs)] <- coefs
    }
    model$coefficients <- cf
    model
}

## vcov = NULL or TRUE: the fit's own variance (clustered if it was fitted so);
## a matrix: that matrix; FALSE: none. Other vcov types (strings, formulas)
## would need the sandwich package's methods, which do not know dyadfit:
## refit with dyad_logit(vcov = ...) instead.
get_vcov.dyadfit <- function(model, vcov = NULL, ...)
{
    if (isFALSE(vcov)) return(NULL)
    ok <- !is.na(model$coefficients)
    if (is.null(vcov) || isTRUE(vcov)) return(model$vcov[ok, ok, drop = FALSE])
    if (is.matrix(vcov)) {
        nm <- names(model$coefficients)[ok]
        if (!is.null(rownames(vcov)) && all(nm %in% rownames(vcov)))
            return(vcov[nm, nm, drop = FALSE])
        if (nrow(vcov) == length(nm) && ncol(vcov) == length(nm)) {
            dimnames(vcov) <- list(nm, nm)
            return(vcov)
        }
        stop("the 'vcov' matrix must be ", length(nm), " x ", length(nm),
             " (the estimated coefficients)", call. = FALSE)
    }
    stop("for a dyadfit model, 'vcov' is TRUE, FALSE or a matrix; for another variance ",
         "refit with dyad_logit(vcov = \"robust\") or vcov = ~dyad", call. = FALSE)
}

get_predict.dyadfit <- function(model, newdata = NULL, type = "response", ...)
{
    me_check(model)
    if (is.null(type)) type <- "response"
    if (!type %in% c("response", "link"))
        stop("type must be \"response\" or \"link\" for a dyadfit model", call. = FALSE)
    p <- predict.dyadfit(model, newdata = newdata, type = type)
    out <- data.frame(estimate = as.numeric(p))
    if (!is.null(newdata) && "rowid" %in% names(newdata)) out$rowid <- newdata$rowid
    else out$rowid <- seq_len(nrow(out))
    out[, c("rowid", "estimate")]
}

## Called by marginaleffects before its class check (sanity_model_supported_class):
## the first time it sees a dyadfit model, "dyadfit" joins its list of
## model classes. The fitted rows of the model's variables are attached as
## marginaleffects_modeldata (marginaleffects' own slot for the training
## data), so that it does not have to guess them from the environment.
sanitize_model_specific.dyadfit <- function(model, ...)
{
    me_check(model)
    if (is.null(attr(model, "marginaleffects_modeldata"))) {
        fr <- tryCatch(fit_rows(model), error = function(e) NULL)
        vars <- intersect(unique(c(all.vars(model$formula), all.vars(model$call$offset),
                                   all.vars(model$call$weights))), names(fr$data))
        if (!is.null(fr))
            attr(model, "marginaleffects_modeldata") <- fr$data[fr$rows, vars, drop = FALSE]
    }
    cls <- getOption("marginaleffects_model_classes")
    if (!"dyadfit" %in% cls) options(marginaleffects_model_classes = c(cls, "dyadfit"))
    model
}
