#!/usr/bin/env Rscript
# make_reference_cox.R -- reference values for the Cox cases of the
# command-line tests (survival::coxph).
#
#   Rscript tests/reference/make_reference_cox.R     (from the repository root)
#
# Writes tests/data/models/lung.csv (survival::lung with status01 = status - 1;
# missing values as empty cells), tests/reference/cases_cox.tsv (the same
# columns as cases.tsv: id, estimator, formula, data, options, min_lre,
# comment) and tests/reference/values/cox_<id>.csv with the broom columns
# term,estimate,std.error,statistic,p.value,conf.low,conf.high ("%.17g").
# Options and their coxph meaning:
#   --ties efron|breslow            ties = "efron" | "breslow"
#   --vce oim                       vcov(fit) with robust = FALSE (inverse information)
#   --vce robust --ssc hc0          coxph(robust = TRUE): sum of the per-row score
#                                   residual products, no small-sample factor
#   --vce cluster V --ssc hc0       coxph(cluster = V): the same summed by cluster
# coxph is run with eps = 1e-13 and up to 100 iterations so that its
# estimates are settled beyond the precision asserted (min_lre 9; 8 for the
# cluster/robust variances, whose meat sums 130k products).
# The leeds data are read with haven (value labels dropped).
suppressPackageStartupMessages({
    library(survival)
    library(haven)
})

outdir <- "tests/reference/values"
dir.create(outdir, showWarnings = FALSE)

lung2 <- survival::lung
lung2$status01 <- lung2$status - 1L
lung_path <- "tests/data/models/lung.csv"
lw <- lung2
for (v in names(lw)) lw[[v]] <- ifelse(is.na(lw[[v]]), "", format(lw[[v]], digits = 17, trim = TRUE))
write.table(lw, lung_path, sep = ",", row.names = FALSE, col.names = TRUE, quote = FALSE)

leeds <- as.data.frame(zap_labels(zap_formats(read_dta("data/leeds_dyads.dta"))))
data_of <- list("data/leeds_dyads.dta" = leeds, "tests/data/models/lung.csv" = lung2)

F1 <- "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + majpow"
F2 <- paste(F1, "+ strata(region)")
FL <- "Surv(time, status01) ~ age + sex + ph.ecog"
FL2 <- "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)"
LD <- "data/leeds_dyads.dta"
LU <- "tests/data/models/lung.csv"
cases <- data.frame(stringsAsFactors = FALSE, rbind(
    c("cox_leeds_efron_oim",            F1, LD, "--ties efron --vce oim", 9, "peace spells, Efron"),
    c("cox_leeds_breslow_oim",          F1, LD, "--ties breslow --vce oim", 9, "peace spells, Breslow (stcox default)"),
    c("cox_leeds_efron_cluster_hc0",    F1, LD, "--ties efron --vce cluster dyad --ssc hc0", 8, "coxph(cluster = dyad)"),
    c("cox_leeds_breslow_cluster_hc0",  F1, LD, "--ties breslow --vce cluster dyad --ssc hc0", 8, "coxph(cluster = dyad, ties = breslow)"),
    c("cox_leeds_strata_efron_oim",     F2, LD, "--ties efron --vce oim", 9, "strata(region)"),
    c("cox_leeds_strata_breslow_cluster_hc0", F2, LD, "--ties breslow --vce cluster dyad --ssc hc0", 8, "strata(region), cluster"),
    c("cox_lung_efron_oim",             FL, LU, "--ties efron --vce oim", 9, "survival::lung"),
    c("cox_lung_breslow_oim",           FL, LU, "--ties breslow --vce oim", 9, "survival::lung, Breslow"),
    c("cox_lung_efron_robust_hc0",      FL, LU, "--ties efron --vce robust --ssc hc0", 8, "coxph(robust = TRUE)"),
    c("cox_lung_factor_strata_efron_oim", FL2, LU, "--ties efron --vce oim", 9, "status coded 1/2, factor(), strata(sex)")))
names(cases) <- c("id", "formula", "data", "options", "min_lre", "comment")

fit_case <- function(cs) {
    tok <- strsplit(cs$options, " +")[[1]]
    ties <- tok[which(tok == "--ties") + 1]
    vce <- tok[which(tok == "--vce") + 1]
    d <- data_of[[cs$data]]
    args <- list(formula = as.formula(cs$formula), data = d, ties = ties,
                 control = coxph.control(eps = 1e-13, toler.chol = 1e-15, iter.max = 100))
    if (vce == "robust") args$robust <- TRUE
    if (vce == "cluster") {
        cv <- tok[which(tok == "--vce") + 2]
        args$cluster <- d[[cv]]
        # listwise deletion happens on the model frame: pass the cluster
        # through the data so that rows align
        args$formula <- as.formula(paste(cs$formula, "+ cluster(", cv, ")"))
        args$cluster <- NULL
    }
    tm <- system.time(m <- do.call(coxph, args))
    if (any(is.na(coef(m)))) stop(cs$id, ": aliased coefficients")
    b <- coef(m); se <- sqrt(diag(vcov(m)))
    z <- b / se; q <- qnorm(0.975)
    list(tab = data.frame(term = names(b), estimate = b, std.error = se, statistic = z,
                          p.value = 2 * pnorm(-abs(z)), conf.low = b - q * se,
                          conf.high = b + q * se, stringsAsFactors = FALSE, row.names = NULL),
         time = tm[["elapsed"]], m = m)
}

write_ref <- function(tab, path) {
    num <- function(x) sprintf("%.17g", x)
    lines <- c("term,estimate,std.error,statistic,p.value,conf.low,conf.high",
               paste(tab$term, num(tab$estimate), num(tab$std.error),
                     num(tab$statistic), num(tab$p.value), num(tab$conf.low),
                     num(tab$conf.high), sep = ","))
    stopifnot(!grepl(",", tab$term))
    writeLines(lines, path)
}

for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    r <- fit_case(cs)
    write_ref(r$tab, file.path(outdir, paste0(cs$id, ".csv")))
    cat(sprintf("%-40s %2d terms  %5.2f s  events %d  loglik %.10g %.10g\n", cs$id,
                nrow(r$tab), r$time, r$m$nevent, r$m$loglik[1], r$m$loglik[2]))
}
man <- data.frame(id = cases$id, estimator = "cox", formula = cases$formula,
                  data = cases$data, options = cases$options, min_lre = cases$min_lre,
                  comment = cases$comment)
write.table(man, "tests/reference/cases_cox.tsv", sep = "\t", quote = FALSE,
            row.names = FALSE)
writeLines(c(sprintf("R %s", paste(R.version$major, R.version$minor, sep = ".")),
             sprintf("survival %s", as.character(packageVersion("survival"))),
             sprintf("haven %s", as.character(packageVersion("haven")))),
           file.path(outdir, "cox_VERSIONS"))
