## Shared helpers for the dyadfit tests.

## log relative error: the number of correct significant digits of x against
## the reference (absolute error where the reference is 0); 15 when equal
## Variance matrices are compared on the correlation scale,
## |x_ij - ref_ij| / sqrt(ref_ii ref_jj), so that a near-zero covariance does
## not count as a lost digit.
lre <- function(x, ref)
{
    scale <- NULL
    if (is.matrix(ref) && nrow(ref) == ncol(ref) && all(diag(ref) > 0))
        scale <- as.numeric(sqrt(outer(diag(ref), diag(ref))))
    x <- as.numeric(x); ref <- as.numeric(ref)
    stopifnot(length(x) == length(ref))
    err <- if (!is.null(scale)) abs(x - ref) / scale
           else ifelse(ref == 0, abs(x - ref), abs(x - ref) / abs(ref))
    min(pmin(15, -log10(pmax(err, 1e-300))))
}

expect_lre <- function(x, ref, digits)
{
    got <- lre(x, ref)
    expect(got >= digits, sprintf("LRE %.2f < %g", got, digits))
    invisible(got)
}

sample_path <- function() system.file("extdata", "leeds_sample.dta", package = "dyadfit")

leeds_sample <- function() read_dyads(sample_path())

## the Leeds-style model without neutrality (never 1 with an onset in the
## sample: separation)
f_sample <- mid_onset ~ defense + entente + contig + log(cap_ratio) + jointdem +
    majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)

## repository root (set by scripts/r-package.sh test), or ""
repo_root <- function() Sys.getenv("DYADFIT_ROOT", "")

cli_path <- function()
{
    p <- Sys.getenv("DYADFIT_CLI", "")
    if (!nzchar(p) && nzchar(repo_root())) p <- file.path(repo_root(), "build", "dyadfit")
    if (nzchar(p) && file.exists(p)) p else ""
}

## A tight glm fit for references. Variance references are computed by glm
## started at dyadfit's estimate (`at`): glm's vcov comes from the working
## weights of its last-but-one iteration and it clamps fitted probabilities
## near 0 and 1, so from its own start it stops 1e-8 to 1e-6 short on these
## data. Started at dyadfit's estimate its IRLS must not move if that is the
## maximum: ref_glm() checks this (10 digits) before returning.
tight_glm <- function(formula, data, link = "logit", ...)
    suppressWarnings(glm(formula, family = binomial(link = link), data = data,
                         control = glm.control(epsilon = 1e-14, maxit = 100), ...))

ref_glm <- function(fit, data, ...)
{
    g <- tight_glm(stats::formula(fit), data, link = fit$link,
                   start = coef(fit, complete = FALSE), ...)
    expect_lre(coef(g), coef(fit, complete = FALSE), 10)
    g
}
