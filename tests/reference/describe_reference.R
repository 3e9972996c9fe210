# describe_reference.R -- reference summaries for `dyadfit describe`
# (src/report/describe.c), computed with base R on the data read by haven.
#
#   Rscript tests/reference/describe_reference.R      (from the repository root)
#
# Writes, for data/leeds_dyads.dta, one row per variable:
#   tests/reference/values/describe_leeds.csv      every row
#   tests/reference/values/describe_leeds_if.csv   subset(d, year >= 1990 & contig == 1)
# columns variable, n (sum(!is.na(x))), missing (sum(is.na(x))), mean
# (mean(x, na.rm = TRUE)), sd (sd(x, na.rm = TRUE): n - 1 denominator), min,
# max, distinct (length(unique(x[!is.na(x)]))), n_value_labels (haven's
# labels attribute), written with %.17g. R's mean() sums in long double and
# corrects in a second pass; the C side uses Welford's update, so the test
# asserts LRE >= 12 for mean and sd and exact equality for the counts,
# min and max.
suppressPackageStartupMessages(library(haven))

d <- read_dta("data/leeds_dyads.dta")

summ <- function(d) {
  rows <- lapply(names(d), function(v) {
    x <- as.numeric(zap_labels(d[[v]]))
    ok <- x[!is.na(x)]
    labs <- attr(d[[v]], "labels")
    data.frame(variable = v, n = length(ok), missing = sum(is.na(x)),
               mean = sprintf("%.17g", mean(ok)), sd = sprintf("%.17g", sd(ok)),
               min = sprintf("%.17g", min(ok)), max = sprintf("%.17g", max(ok)),
               distinct = length(unique(ok)),
               n_value_labels = if (is.null(labs)) 0L else length(labs),
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

write.csv(summ(d), "tests/reference/values/describe_leeds.csv",
          row.names = FALSE, quote = FALSE)
sub <- subset(d, year >= 1990 & contig == 1)
write.csv(summ(sub), "tests/reference/values/describe_leeds_if.csv",
          row.names = FALSE, quote = FALSE)
cat(sprintf("describe_leeds: %d variables; subset rows %d\n", ncol(d), nrow(sub)))
