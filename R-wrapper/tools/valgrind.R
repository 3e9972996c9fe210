## valgrind.R -- one pass through every entry point of the installed package,
## good input and bad, for `make r-valgrind` (scripts/r-package.sh
## valgrind), which runs it under `R -d valgrind`. Every estimator once
## (small data: valgrind is ~50x slower), reading .dta and a missing file,
## btscs, alliances, post-estimation (predictions, margins, Cox baseline
## hazard, residuals, survival curves), the methods that render reports, errors from each
## layer (file, formula, variables, data, estimation) and interrupted fits
## (the package's test hook), so the library's error paths run under
## valgrind through the R glue. Prints one line per step; stops on an
## unexpected result. Not part of the testthat suite (tests/ would run it
## in R CMD check).
suppressPackageStartupMessages(library(dyadfit))
options(warn = 1)

step <- function(name, expr) {
    t0 <- proc.time()[[3]]
    force(expr)
    cat(sprintf("ok   %-40s %6.1f s\n", name, proc.time()[[3]] - t0))
}
## an R error whose message matches `pattern` (the library's message
## reached R and nothing crashed)
fails <- function(name, expr, pattern) {
    msg <- tryCatch({ force(expr); NULL }, error = function(e) conditionMessage(e))
    if (is.null(msg)) stop(name, ": expected an error, got none")
    if (!grepl(pattern, msg)) stop(name, ": error '", msg, "' does not match '", pattern, "'")
    cat(sprintf("ok   %-40s (error: %s)\n", name, substr(msg, 1, 60)))
}

d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
d <- d[d$year >= 1990, ]                      # ~1,500 rows
d$start <- d$year - 1
d$t <- d$peaceyrs + 1
f <- mid_onset ~ defense + contig + log(cap_ratio) + peaceyrs

step("dyad_logit, cluster", {
    m <- dyad_logit(f, d, vcov = ~dyad)
    capture.output(print(summary(m)), confint(m), predict(m, type = "response"))
    dyad_report(m, "latex")
})
step("dyad_logit, cluster bootstrap", {
    m <- dyad_logit(f, d, vcov = "bootstrap",
                    bootstrap = list(cluster = ~dyad, reps = 5, seed = 1))
    capture.output(print(summary(m)))
})
step("dyad_cox, bootstrap refused",
     tryCatch(dyad_cox(Surv(start, year, mid_onset) ~ defense, d, vcov = "bootstrap"),
              error = function(e) conditionMessage(e)))
step("dyad_logit probit, two-way, threads 2",
     dyad_logit(f, d, link = "probit", vcov = ~dyad + year, threads = 2))
step("relogit, tau range", relogit(f, d, tau = 0.01, tau_upper = 0.02))
step("firth, profile CIs", capture.output(print(confint(firth(f, d)))))
step("dyad_cox, strata, zph",
     dyad_cox(Surv(start, year, mid_onset) ~ defense + contig + strata(region),
              d, vcov = ~dyad, zph = TRUE))
step("dyad_clogit", dyad_clogit(mid_onset ~ defense + peaceyrs, d, group = ~dyad))
step("dyad_felogit", dyad_felogit(mid_onset ~ defense + peaceyrs, d, absorb = ~dyad))
step("dyad_survreg", dyad_survreg(Surv(t, mid_onset) ~ defense + contig, d))
step("post-estimation: predictions, margins", {
    m <- dyad_logit(f, d, vcov = ~dyad)
    dyad_predictions(m, at = list(defense = c(0, 1), contig = 1))
    dyad_predictions(m, at = list(contig = c(0, 1)), others = "observed",
                     method = "simulation", draws = 50)
    dyad_margins(m, dydx = c("defense", "cap_ratio"))
    dyad_margins(m, fd = list(defense = c(0, 1)))
})
step("cox: basehaz, residuals, survival", {
    m <- dyad_cox(Surv(start, year, mid_onset) ~ defense + contig, d, vcov = ~dyad)
    dyad_basehaz(m)
    for (ty in c("martingale", "deviance", "score", "schoenfeld", "dfbeta"))
        residuals(m, type = ty)
    predict(m, newdata = d[1:3, ], type = "survival", times = c(1995, 2000))
})
step("btscs", btscs(d, "mid_onset", "year", "dyad", name = "py", splines = 3))
step("alliances", {
    cap <- data.frame(ccode = c(10, 20, 30), year = 1, cinc = c(0.5, 0.25, 0.25))
    al <- data.frame(ccode1 = 10, ccode2 = 20, year = 1, defense = 1,
                     offense = 0, neutrality = 0, nonagg = 0, consul = 0)
    dy <- data.frame(ccode1 = c(10, 10, 30), ccode2 = c(20, 30, 20), year = 1)
    alliances(dy, al, cap)
})

fails("missing file", read_dyads("/nonexistent/x.dta"), "x.dta")
fails("bad formula (library parser)",
      dyad_cox(Surv(start, year, mid_onset) ~ defense + foo(contig), d), "foo")
fails("unknown variable", dyad_cox(Surv(start, year, mid_onset) ~ nosuch, d), "nosuch")
fails("event not 0/1 (library)",
      dyad_cox(Surv(start, year, peaceyrs) ~ defense, d), "row")
fails("outcome not 0/1", dyad_logit(peaceyrs ~ contig, d), "0 or 1")
fails("separation", dyad_logit(mid_onset ~ neutrality + contig,
                               read_dyads(system.file("extdata", "leeds_sample.dta",
                                                      package = "dyadfit"))),
      "separat|predicts")
fails("clogit without variation", {
    d2 <- d; d2$mid_onset <- 0
    dyad_clogit(mid_onset ~ defense, d2, group = ~dyad)
}, ".")
fails("margins: unknown variable", dyad_margins(dyad_logit(f, d), dydx = "nosuch"), "nosuch")
fails("bad threads", dyad_logit(f, d, threads = 0), "threads")
for (k in c(0L, 3L)) {
    dyadfit:::.test_interrupt_after(k)
    for (fit in list(function() dyad_logit(f, d), function() firth(f, d),
                     function() dyad_cox(Surv(start, year, mid_onset) ~ defense, d),
                     function() dyad_survreg(Surv(t, mid_onset) ~ defense, d))) {
        r <- tryCatch(fit(), interrupt = function(e) e)
        if (!inherits(r, "dyadfit_interrupt")) stop("fit not interrupted")
    }
    cat(sprintf("ok   %-40s\n", paste("interrupted fits after", k, "polls")))
}
dyadfit:::.test_interrupt_after(NULL)
invisible(gc())
cat("valgrind.R: done\n")
