## modelsummary tables of dyadfit fits, through the registered tidy() and
## glance() methods (R/tidiers.R).

ms_fits <- function()
{
    d <- leeds_sample()
    list(logit = dyad_logit(mid_onset ~ defense + contig, data = d, vcov = ~dyad),
         relogit = relogit(mid_onset ~ defense + contig + log(cap_ratio), data = d),
         firth = firth(mid_onset ~ defense + contig + peaceyrs, data = d))
}

test_that("modelsummary shows the coefficients, standard errors and N of three fits", {
    skip_if_not_installed("modelsummary")
    fits <- ms_fits()
    tab <- modelsummary::modelsummary(fits, output = "data.frame", fmt = 4)
    expect_equal(names(tab)[-(1:3)], names(fits))
    for (m in names(fits)) {
        td <- tidy.dyadfit(fits[[m]])
        for (i in seq_len(nrow(td))) {
            r <- tab[tab$part == "estimates" & tab$term == td$term[i], , drop = FALSE]
            expect_equal(r[[m]][r$statistic == "estimate"], sprintf("%.4f", td$estimate[i]))
            expect_equal(r[[m]][r$statistic == "std.error"],
                         sprintf("(%.4f)", td$std.error[i]))
        }
    }
    n <- tab[tab$part == "gof" & tab$term == "Num.Obs.", names(fits)]
    expect_equal(unname(unlist(n)), rep("5001", 3))
    cl <- tab[tab$part == "gof" & tab$term == "Num.Clust.", "logit"]
    expect_equal(cl, "118")
})

test_that("modelsummary writes a markdown table", {
    skip_if_not_installed("modelsummary")
    fits <- ms_fits()
    ## modelsummary 2.x renders markdown with the tinytable package, which
    ## fails to load with knitr < 1.43 (no knitr::record_print): not ours
    md <- tryCatch(modelsummary::modelsummary(fits, output = "markdown"),
                   error = function(e) e)
    skip_if(inherits(md, "error") && grepl("tinytable", conditionMessage(md)),
            "modelsummary's markdown renderer (tinytable) cannot be loaded here")
    md <- paste(utils::capture.output(print(md)), collapse = "\n")
    expect_match(md, "defense", fixed = TRUE)
    expect_match(md, "log(cap_ratio)", fixed = TRUE)
    expect_match(md, "Num.Obs.", fixed = TRUE)
    expect_match(md, "5001", fixed = TRUE)
    expect_match(md, sprintf("%.3f", coef(fits$logit)[["defense"]]), fixed = TRUE)
})
