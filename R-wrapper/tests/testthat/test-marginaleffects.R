## marginaleffects on dyadfit fits (methods in R/marginaleffects.R): the same
## numbers as marginaleffects on glm with the same coefficients and variance,
## and as dyad_margins().

## marginaleffects 1.0.0 calls `%||%` without importing it: base R has it
## only from 4.4. On an older R it looks further up the search path, so a
## shim attached for the test lets it run (glm fails the same way without).
me_shim <- function()
{
    if (exists("%||%", baseenv()) || "dyadfit_test_shim" %in% search()) return(FALSE)
    attach(list(`%||%` = function(a, b) if (is.null(a)) b else a),
           name = "dyadfit_test_shim", warn.conflicts = FALSE)
    TRUE
}
me_unshim <- function(did) if (did) detach("dyadfit_test_shim", character.only = TRUE)

test_that("avg_slopes on a dyad_logit fit equals avg_slopes on glm and dyad_margins", {
    skip_if_not_installed("marginaleffects")
    shim <- me_shim()
    on.exit(me_unshim(shim), add = TRUE)
    d <- leeds_sample()
    f <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs + I(peaceyrs^2)
    fit <- dyad_logit(f, d, vcov = ~dyad)
    g <- tight_glm(f, d)
    expect_lre(coef(g), coef(fit), 8)
    ## glm with dyadfit's exact coefficients, so only the code paths differ
    g$coefficients <- coef(fit)
    a <- marginaleffects::avg_slopes(fit, variables = "defense")
    ## (glm's data is local to the test: marginaleffects warns that it takes
    ## it from the model frame, which holds every variable here)
    b <- suppressWarnings(marginaleffects::avg_slopes(g, variables = "defense", vcov = vcov(fit)))
    expect_lre(a$estimate, b$estimate, 10)
    expect_lre(a$std.error, b$std.error, 6)
    m <- dyad_margins(fit, dydx = "defense")
    expect_lre(a$estimate, m$estimate, 10)
    expect_lre(a$std.error, m$std.error, 6)
    ## a continuous variable: marginaleffects' finite difference, ours central
    a <- marginaleffects::avg_slopes(fit, variables = "peaceyrs")
    b <- suppressWarnings(marginaleffects::avg_slopes(g, variables = "peaceyrs", vcov = vcov(fit)))
    expect_lre(a$estimate, b$estimate, 8)
    expect_lre(a$std.error, b$std.error, 6)
    m <- dyad_margins(fit, dydx = "peaceyrs")
    expect_lre(a$estimate, m$estimate, 4)
    expect_lre(a$std.error, m$std.error, 4)
})

test_that("predictions, a vcov matrix and the other binary estimators", {
    skip_if_not_installed("marginaleffects")
    shim <- me_shim()
    on.exit(me_unshim(shim), add = TRUE)
    d <- leeds_sample()
    f <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs
    fit <- dyad_logit(f, d, link = "probit", vcov = "robust")
    p <- marginaleffects::predictions(fit, newdata = marginaleffects::datagrid(
        defense = c(0, 1), contig = 1, cap_ratio = 10, peaceyrs = 5))
    eta <- c(1, 0, 1, log(10), 5) %*% coef(fit)
    expect_lre(p$estimate[1], pnorm(eta), 10)
    ## vcov = a matrix is used as given
    V <- vcov(fit) * 4
    a1 <- marginaleffects::avg_slopes(fit, variables = "defense")
    a2 <- marginaleffects::avg_slopes(fit, variables = "defense", vcov = V)
    expect_lre(a2$std.error, 2 * a1$std.error, 6)
    expect_error(marginaleffects::avg_slopes(fit, variables = "defense", vcov = "HC3"),
                 "TRUE, FALSE or a matrix")
    r <- relogit(f, d)
    expect_lre(marginaleffects::avg_slopes(r, variables = "defense")$estimate,
               dyad_margins(r, dydx = "defense")$estimate, 10)
    fr <- firth(f, d)
    expect_lre(marginaleffects::avg_comparisons(fr, variables = "defense")$estimate,
               dyad_margins(fr, dydx = "defense")$estimate, 10)
})
