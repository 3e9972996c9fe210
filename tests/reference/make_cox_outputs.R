#!/usr/bin/env Rscript
# make_cox_outputs.R -- reference values for the Cox model's outputs after the
# fit (dyadfit_cox_outputs; `dyadfit fit cox ... --basehaz / --residuals`):
# survival::basehaz(fit, centered = FALSE) with survfit's n.risk and n.event,
# and residuals(fit, type) for martingale, deviance, score, schoenfeld, dfbeta.
#
#   Rscript tests/reference/make_cox_outputs.R     (from the repository root)
#
# Writes tests/data/models/cox_outputs.csv (60 rows, generated here with a
# fixed seed: integer times so that events tie, a string stratum g, a numeric
# stratum h, case weights w, one row with a missing x1 that every fit drops)
# and tests/reference/values/coxout_<case>_<output>.tsv, tab-separated,
# "%.17g", with a header:
#   basehaz:    [strata] time n_risk n_event cumhaz survival
#   residuals:  row [strata time] <one column per coefficient, or the type>
# `row` is the 1-based row of the data file (as dyadfit writes it). R orders
# Schoenfeld residuals by stratum, time, (events first) and data row; the rows
# are recovered from residuals.coxph's own order(strata, stop, -status).
# coxph runs with eps = 1e-13 so that its estimates are settled well beyond
# the 1e-8 relative precision the C test asserts.
suppressPackageStartupMessages(library(survival))

data_path <- "tests/data/models/cox_outputs.csv"
outdir <- "tests/reference/values"
dir.create(outdir, showWarnings = FALSE)

set.seed(20261204)
n <- 60
d <- data.frame(start = sample(0:3, n, TRUE))
d$stop <- d$start + sample(1:5, n, TRUE)
d$event <- rbinom(n, 1, 0.6)
d$x1 <- round(rnorm(n), 2)
d$x2 <- rbinom(n, 1, 0.4)
d$w <- round(runif(n, 0.5, 2), 2)
d$g <- sample(c("west", "east", "north"), n, TRUE)
d$h <- sample(c(2, 1), n, TRUE)
d$x1[7] <- NA
dw <- d
dw$x1 <- ifelse(is.na(dw$x1), "", format(dw$x1, trim = TRUE))
write.table(dw, data_path, sep = ",", row.names = FALSE, quote = FALSE)
d <- read.csv(data_path)
d$row <- seq_len(nrow(d))

ctl <- coxph.control(eps = 1e-13, iter.max = 100, toler.chol = 1e-15)
cases <- list(
    # id, formula, ties, weights
    list(id = "cp_efron_w", f = Surv(start, stop, event) ~ x1 + x2 + strata(g), ties = "efron", w = TRUE),
    list(id = "cp_breslow_w", f = Surv(start, stop, event) ~ x1 + x2 + strata(g), ties = "breslow", w = TRUE),
    list(id = "rc_efron", f = Surv(stop, event) ~ x1 + x2, ties = "efron", w = FALSE),
    list(id = "rc_breslow_h", f = Surv(stop, event) ~ x1 + strata(h), ties = "breslow", w = FALSE)
)

fmt <- function(x) if (is.numeric(x)) sprintf("%.17g", x) else as.character(x)
write_tsv <- function(df, path) {
    out <- as.data.frame(lapply(df, fmt), stringsAsFactors = FALSE)
    names(out) <- names(df)
    write.table(out, path, sep = "\t", quote = FALSE, row.names = FALSE)
}

for (cs in cases) {
    dd <- d[complete.cases(d[, c("start", "stop", "event", "x1", "x2")]), ]
    # x = TRUE keeps fit$strata (the strata factor of the rows used)
    fit <- if (cs$w) coxph(cs$f, dd, ties = cs$ties, weights = w, control = ctl, x = TRUE)
           else coxph(cs$f, dd, ties = cs$ties, control = ctl, x = TRUE)
    stratified <- !is.null(fit$strata)
    p <- function(what) file.path(outdir, sprintf("coxout_%s_%s.tsv", cs$id, what))

    # baseline hazard at x = 0 with survfit's (weighted) counts
    bh <- basehaz(fit, centered = FALSE)
    sf <- survfit(fit, se.fit = FALSE)
    stopifnot(isTRUE(all.equal(sf$time, bh$time)))
    out <- data.frame(time = bh$time, n_risk = sf$n.risk, n_event = sf$n.event,
                      cumhaz = bh$hazard, survival = exp(-bh$hazard))
    if (stratified) out <- cbind(strata = as.character(bh$strata), out)
    write_tsv(out, p("basehaz"))

    cn <- names(coef(fit))
    for (type in c("martingale", "deviance", "score", "dfbeta")) {
        r <- residuals(fit, type = type)
        r <- if (is.matrix(r)) as.data.frame(r) else setNames(data.frame(r), type)
        if (type %in% c("score", "dfbeta")) names(r) <- cn
        write_tsv(cbind(row = dd$row, r), p(type))
    }

    # Schoenfeld: rows in residuals.coxph's order(strata, stop, -status)
    y <- fit$y
    ny <- ncol(y)
    st <- if (stratified) as.numeric(fit$strata) else rep(0, nrow(dd))
    ord <- order(st, y[, ny - 1], -y[, ny])
    dead <- y[ord, ny] == 1
    sr <- residuals(fit, type = "schoenfeld")
    sr <- as.data.frame(if (is.matrix(sr)) sr else matrix(sr, ncol = 1))
    names(sr) <- cn
    stopifnot(nrow(sr) == sum(dead))
    out <- data.frame(row = dd$row[ord][dead])
    if (stratified) out$strata <- as.character(fit$strata[ord][dead])
    out$time <- y[ord, ny - 1][dead]
    # check the recovered rows: x - residual is the same risk-set mean for
    # every event of a stratum and time
    xm <- as.matrix(model.matrix(fit))[ord, , drop = FALSE][dead, , drop = FALSE] - as.matrix(sr)
    key <- paste(if (stratified) out$strata else "", out$time)
    for (kk in unique(key)) stopifnot(all(abs(sweep(xm[key == kk, , drop = FALSE], 2,
                                                     xm[key == kk, , drop = FALSE][1, ])) < 1e-12))
    write_tsv(cbind(out, sr), p("schoenfeld"))
    cat(sprintf("%-14s n = %d, events = %d, coef = %s\n", cs$id, fit$n, fit$nevent,
                paste(sprintf("%.6f", coef(fit)), collapse = " ")))
}
writeLines(c(R.version.string, paste("survival", packageVersion("survival"))),
           file.path(outdir, "coxout_VERSIONS"))
