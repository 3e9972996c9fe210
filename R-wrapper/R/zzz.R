#' @useDynLib dyadfit, .registration = TRUE
#' @importFrom stats coef vcov confint nobs logLik predict fitted formula model.matrix
NULL

## Registers the tidiers for generics::tidy/glance now if generics is loaded,
## and otherwise whenever it gets loaded later (as vctrs' s3_register does).
register_tidiers <- function()
{
    reg <- function(...) {
        ns <- asNamespace("generics")
        registerS3method("tidy", "dyadfit", tidy.dyadfit, envir = ns)
        registerS3method("glance", "dyadfit", glance.dyadfit, envir = ns)
    }
    setHook(packageEvent("generics", "onLoad"), reg)
    if (isNamespaceLoaded("generics")) reg()
}

.onLoad <- function(libname, pkgname)
{
    register_tidiers()
    invisible()
}

#' Version of the libdyadfit C library inside the package
#' @return A string such as `"0.1.0"`.
#' @examples
#' dyadfit_version()
#' @export
dyadfit_version <- function() .Call(dyadfit_r_version)
