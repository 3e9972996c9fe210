## dyad_predictions() and dyad_margins(): the library's post-estimation on
## a fit made in R. Two references: the command line (dyadfit predict /
## margins on the same model saved with --save: the same C code reached
## through a saved fit and a data file, to 1e-10) and hand computation
## from glm's coefficients in R (formulas below, to 1e-6).

cli_save <- function(est, formula, ...)
{
    cli <- cli_path()
    json <- tempfile(fileext = ".json")
    out <- system2(cli, c("fit", est, shQuote(formula), shQuote(sample_path()), ...,
                          "--save", json, "--format", "csv"), stdout = TRUE, stderr = TRUE)
    status <- attr(out, "status")
    if (!is.null(status) && status != 0) stop(paste(out, collapse = "\n"))
    json
}

cli_post <- function(cmd, json, ...)
{
    out <- system2(cli_path(), c(cmd, json, ..., "--format", "csv"),
                   stdout = TRUE, stderr = TRUE)
    status <- attr(out, "status")
    if (!is.null(status) && status != 0) stop(paste(out, collapse = "\n"))
    utils::read.csv(text = out, stringsAsFactors = FALSE)
}

compare_post <- function(got, ref, digits = 10)
{
    expect_equal(names(got), names(ref))
    expect_equal(got$term, ref$term)
    expect_equal(got$contrast, ref$contrast)
    for (col in c("estimate", "std.error", "conf.low", "conf.high", "statistic"))
        expect_lre(got[[col]], ref[[col]], digits)
}

fs_post <- "mid_onset ~ defense + entente + contig + log(cap_ratio) + majpow + peaceyrs + I(peaceyrs^2)"

test_that("dyad_predictions/dyad_margins equal dyadfit predict/margins (logit, probit, cloglog)", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    for (link in c("logit", "probit", "cloglog")) {
        fit <- dyad_logit(as.formula(fs_post), d, link = link, vcov = ~dyad)
        json <- cli_save(link, fs_post, "--vce", "cluster", "dyad")
        on.exit(unlink(json), add = TRUE)
        compare_post(dyad_predictions(fit, at = list(defense = c(0, 1), contig = 1)),
                     cli_post("predict", json, "--at", shQuote("defense=0 contig=1"),
                              "--at", shQuote("defense=1 contig=1")))
        compare_post(dyad_predictions(fit, at = list(contig = c(0, 1)), others = "observed"),
                     cli_post("predict", json, "--at", "contig=0", "--at", "contig=1",
                              "--others", "observed"))
        compare_post(dyad_predictions(fit, at = list(defense = 1), others = "median"),
                     cli_post("predict", json, "--at", "defense=1", "--others", "median"))
        ## AME: a discrete change (defense) and derivatives through log() and I()
        compare_post(dyad_margins(fit, dydx = c("defense", "cap_ratio", "peaceyrs")),
                     cli_post("margins", json, "--dydx", "defense,cap_ratio,peaceyrs"))
        compare_post(dyad_margins(fit, dydx = c("defense", "peaceyrs"), type = "mem",
                                  at = list(contig = 1)),
                     cli_post("margins", json, "--dydx", "defense,peaceyrs", "--at",
                              "contig=1", "--others", "mean"))
        compare_post(dyad_margins(fit, fd = list(defense = c(0, 1)), at = list(contig = 1),
                                  type = "mem"),
                     cli_post("margins", json, "--fd", "--at", shQuote("defense=1 contig=1"),
                              "--at", shQuote("defense=0 contig=1")))
    }
})

test_that("simulation intervals equal the command line's (same seed, same draws)", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fit <- dyad_logit(as.formula(fs_post), d, vcov = ~dyad)
    json <- cli_save("logit", fs_post, "--vce", "cluster", "dyad")
    on.exit(unlink(json))
    got <- dyad_predictions(fit, at = list(defense = c(0, 1)), method = "simulation",
                            draws = 300, seed = 7, level = 0.9)
    compare_post(got, cli_post("predict", json, "--at", "defense=0", "--at", "defense=1",
                               "--method", "simulation", "--draws", "300", "--seed", "7",
                               "--level", "90"))
    ## the library's own generator: R's seed does not matter, ours does
    set.seed(99)
    expect_identical(got, dyad_predictions(fit, at = list(defense = c(0, 1)),
                                           method = "simulation", draws = 300, seed = 7,
                                           level = 0.9))
    other <- dyad_predictions(fit, at = list(defense = c(0, 1)), method = "simulation",
                              draws = 300, seed = 8, level = 0.9)
    expect_false(isTRUE(all.equal(got$std.error, other$std.error)))
    compare_post(dyad_margins(fit, dydx = "peaceyrs", method = "simulation", draws = 200),
                 cli_post("margins", json, "--dydx", "peaceyrs", "--method", "simulation",
                          "--draws", "200"))
})

test_that("relogit, firth and factor() terms equal the command line", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fr <- "mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs"
    fit <- relogit(as.formula(fr), d, tau = 0.004)
    json <- cli_save("relogit", fr, "--tau", "0.004")
    on.exit(unlink(json), add = TRUE)
    compare_post(dyad_margins(fit, dydx = c("defense", "cap_ratio")),
                 cli_post("margins", json, "--dydx", "defense,cap_ratio"))
    fit <- firth(as.formula(fr), d)
    json2 <- cli_save("firth", fr)
    on.exit(unlink(json2), add = TRUE)
    compare_post(dyad_predictions(fit, at = list(defense = c(0, 1))),
                 cli_post("predict", json2, "--at", "defense=0", "--at", "defense=1"))
    ff <- "mid_onset ~ factor(region) + contig + log(cap_ratio)"
    fit <- dyad_logit(as.formula(ff), d, vcov = ~dyad)
    json3 <- cli_save("logit", ff, "--vce", "cluster", "dyad")
    on.exit(unlink(json3), add = TRUE)
    compare_post(dyad_predictions(fit, at = list(region = c(1, 2, 4))),
                 cli_post("predict", json3, "--at", "region=1", "--at", "region=2",
                          "--at", "region=4"))
    compare_post(dyad_margins(fit, dydx = c("contig", "cap_ratio")),
                 cli_post("margins", json3, "--dydx", "contig,cap_ratio"))
})

test_that("Cox: relative hazards and the hazard ratio equal the command line and exp(x'b)", {
    skip_if(cli_path() == "", "dyadfit CLI not built")
    d <- leeds_sample()
    fc <- "Surv(peaceyrs, mid_onset) ~ defense + contig + log(cap_ratio)"
    fit <- dyad_cox(as.formula(fc), d, vcov = ~dyad)
    json <- cli_save("cox", fc, "--vce", "cluster", "dyad")
    on.exit(unlink(json))
    p <- dyad_predictions(fit, at = list(defense = c(0, 1), contig = 1, cap_ratio = 10))
    compare_post(p, cli_post("predict", json, "--at", shQuote("defense=0 contig=1 cap_ratio=10"),
                             "--at", shQuote("defense=1 contig=1 cap_ratio=10")))
    b <- coef(fit)
    expect_lre(p$estimate, exp(c(0, b[["defense"]]) + b[["contig"]] + log(10) * b[["log(cap_ratio)"]]), 12)
    h <- dyad_margins(fit, fd = list(defense = c(0, 1)), type = "mem")
    compare_post(h, cli_post("margins", json, "--fd", "--at", "defense=1", "--at", "defense=0"))
    expect_equal(h$contrast, "HR")
    expect_lre(h$estimate, exp(b[["defense"]]), 12)
    expect_lre(h$std.error, exp(b[["defense"]]) * sqrt(vcov(fit)["defense", "defense"]), 12)
    expect_error(dyad_margins(fit, dydx = "defense"), "not available for a Cox fit")
    expect_error(dyad_predictions(fit, at = list(mid_onset = 1)), "Surv\\(\\) response")
})

test_that("AME, MEM and predictions equal hand computation from glm (1e-6)", {
    skip_if_not_installed("stats")
    d <- leeds_sample()
    f <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs
    fit <- dyad_logit(f, d)
    b <- coef(fit)
    V <- vcov(fit)
    g <- glm(f, family = binomial, data = d)
    expect_lre(b, coef(g), 6)
    X <- model.matrix(g)
    Xset <- function(defense) { X[, "defense"] <- defense; X }
    ## AME of defense: mean(F(x1 b) - F(x0 b)), gradient mean(f1 x1 - f0 x0)
    X1 <- Xset(1); X0 <- Xset(0)
    e1 <- drop(X1 %*% b); e0 <- drop(X0 %*% b)
    ame <- mean(plogis(e1) - plogis(e0))
    J <- colMeans(dlogis(e1) * X1 - dlogis(e0) * X0)
    se <- sqrt(drop(t(J) %*% V %*% J))
    ## AME of cap_ratio through log(): dP/dx = f(eta) b_log / x; its gradient
    ## f'(eta) x_i b_log / x + f(eta) e_log / x, with f' = f (1 - 2F)
    eta <- drop(X %*% b)
    cr <- d$cap_ratio[as.integer(rownames(X))]
    fe <- dlogis(eta)
    ame2 <- mean(fe * b[["log(cap_ratio)"]] / cr)
    J2 <- colMeans(fe * (1 - 2 * plogis(eta)) * b[["log(cap_ratio)"]] / cr * X)
    J2[["log(cap_ratio)"]] <- J2[["log(cap_ratio)"]] + mean(fe / cr)
    se2 <- sqrt(drop(t(J2) %*% V %*% J2))
    m <- dyad_margins(fit, dydx = c("defense", "cap_ratio"))
    expect_equal(m$contrast, c("1 - 0", "dY/dX"))
    expect_lre(m$estimate, c(ame, ame2), 6)
    expect_lre(m$std.error, c(se, se2), 6)
    expect_lre(m$p.value, 2 * pnorm(-abs(c(ame / se, ame2 / se2))), 6)
    z <- qnorm(0.975)
    expect_lre(m$conf.low, c(ame, ame2) - z * c(se, se2), 6)
    ## prediction at means (factors none here): F(xbar b), se f(xbar b) |xbar V xbar|
    xbar <- c(1, 1, mean(d$contig), log(mean(d$cap_ratio)), mean(d$peaceyrs))
    p <- dyad_predictions(fit, at = list(defense = 1))
    expect_lre(p$estimate, plogis(sum(xbar * b)), 10)
    expect_lre(p$std.error, dlogis(sum(xbar * b)) * sqrt(drop(xbar %*% V %*% xbar)), 10)
    ## first difference and risk ratio averaged over the rows
    fd <- dyad_margins(fit, fd = list(defense = c(0, 1)))
    expect_equal(fd$contrast, c("difference", "risk ratio"))
    expect_lre(fd$estimate, c(ame, mean(plogis(e1)) / mean(plogis(e0))), 10)
    expect_lre(fd$std.error[1], se, 10)
})

test_that("weights, offsets, subset, missing rows and R factors", {
    d <- leeds_sample()
    d$w <- 1 + (seq_len(nrow(d)) %% 3)
    d$off <- 0.1 * (seq_len(nrow(d)) %% 5)
    d$peaceyrs[c(3, 50)] <- NA
    d$reg <- factor(c("Americas", "Europe", "Africa", "Middle East", "Asia", "Oceania")[d$region],
                    levels = c("Europe", "Americas", "Africa", "Middle East", "Asia", "Oceania"))
    f <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs + reg
    fit <- dyad_logit(f, d, weights = w, offset = off, subset = year > 1950)
    b <- coef(fit)
    used <- as.integer(rownames(fit$model))
    X <- model.matrix(fit)
    w <- d$w[used]
    e1 <- drop(X %*% b) + d$off[used]
    X[, "defense"] <- 0
    e0 <- drop(X %*% b) + d$off[used]
    X[, "defense"] <- 1
    e1 <- drop(X %*% b) + d$off[used]
    ## the weighted average of the discrete change
    m <- dyad_margins(fit, dydx = "defense")
    expect_lre(m$estimate, sum(w * (plogis(e1) - plogis(e0))) / sum(w), 10)
    ## a factor level as a label; its reference level is R's (Europe), not
    ## the first in byte order
    p <- dyad_predictions(fit, at = list(reg = c("Europe", "Asia")), others = "observed")
    expect_equal(p$term, c("reg=Europe", "reg=Asia"))
    Xr <- model.matrix(fit)
    Xr[, grep("^reg", colnames(Xr))] <- 0
    pe <- sum(w * plogis(drop(Xr %*% b) + d$off[used])) / sum(w)
    expect_lre(p$estimate[1], pe, 10)
    fd <- dyad_margins(fit, fd = list(reg = c("Europe", "Asia")))
    expect_equal(fd$term[1], "reg=Asia - reg=Europe")
    expect_error(dyad_margins(fit, dydx = "reg"), "string variable|fd")
    expect_error(dyad_predictions(fit, at = list(reg = "Atlantis")), "not a level of 'reg'")
})

test_that("bad requests fail with a clear message", {
    d <- leeds_sample()
    fit <- dyad_logit(mid_onset ~ defense + contig + log(cap_ratio), d)
    expect_error(dyad_predictions(fit, at = list(year = 1)), "'year' is not a variable of the model")
    expect_error(dyad_predictions(fit), "'at' must name")
    expect_error(dyad_predictions(fit, at = list(defense = "x")), "give a number")
    expect_error(dyad_predictions(fit, at = list(defense = NA)), "not missing")
    expect_error(dyad_predictions(fit, at = list(cap_ratio = 0)), "outside the domain of log")
    expect_error(dyad_margins(fit), "either 'dydx'")
    expect_error(dyad_margins(fit, dydx = "defense", fd = list(defense = 0:1)), "either")
    expect_error(dyad_margins(fit, fd = list(defense = 1)), "pairs")
    expect_error(dyad_margins(fit, dydx = "nope"), "not a variable of the model")
    expect_error(dyad_margins(fit, dydx = "defense", at = list(defense = 1)), "also set")
    expect_error(dyad_margins(fit, dydx = "defense", draws = 1, method = "simulation"), "draws")
    expect_error(dyad_margins(fit, dydx = "defense", level = 2), "level")
    expect_error(dyad_margins(fit, dydx = "defense", data = d[1:10, ]), "not rows of 'data'|differs")
    d2 <- d; d2$mid_onset <- 1 - d2$mid_onset
    expect_error(dyad_margins(fit, dydx = "defense", data = d2), "differs from the fitted")
    fit2 <- dyad_logit(mid_onset ~ defense + splines::ns(peaceyrs, 3), d)
    expect_error(dyad_margins(fit2, dydx = "defense"), "cannot rebuild")
    expect_error(dyad_margins(lm(mid_onset ~ defense, d), dydx = "defense"), "dyadfit model")
})
