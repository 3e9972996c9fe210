# make_reference_separation.R -- data sets and R references for the
# linear-programming separation check (`dyadfit separation`, src/fit/separation_lp.c).
#
#   Rscript tests/reference/make_reference_separation.R     (from the repo root)
#
# Writes (deterministic):
#   tests/data/models/sep_lincomb_complete.csv  complete separation by x1 + x2
#                                               (no single column separates)
#   tests/data/models/sep_lincomb_quasi.csv     quasi-complete separation by
#                                               x1 - x2 (ties on x1 == x2 with
#                                               both outcomes): intercept and x3
#                                               stay finite
#   tests/data/models/sep_factor.csv            region 3 has no events: only
#                                               factor(region)3 is -Inf
#   tests/reference/separation.tsv              the cases (manifest)
#   tests/reference/values/sep_<id>.csv         term,estimate (Inf, -Inf, 0),
#                                               detectseparation's
#                                               coefficients per term
#   tests/reference/values/sep_VERSIONS
#
# Reference: glm(..., method = detectseparation::detect_separation,
# control = list(separation_type = TRUE)) with its defaults (ROI + lpsolve,
# tolerance 1e-4): `outcome` (separated), `complete` (complete separation),
# and `coefficients` (Inf / -Inf / 0 per term).
suppressPackageStartupMessages({
  library(detectseparation)
  library(haven)
})

out_data <- "tests/data/models"
out_vals <- "tests/reference/values"

wcsv <- function(d, path) write.csv(d, path, row.names = FALSE, quote = FALSE)

## complete separation by a linear combination of two continuous variables
set.seed(20071)
n <- 60
x1 <- round(rnorm(n), 3)
x2 <- round(rnorm(n), 3)
y <- as.integer(x1 + x2 > 0.25)
# make sure neither column separates on its own
stopifnot(max(x1[y == 0]) > min(x1[y == 1]), max(x2[y == 0]) > min(x2[y == 1]))
d_lc <- data.frame(y = y, x1 = x1, x2 = x2)
wcsv(d_lc, file.path(out_data, "sep_lincomb_complete.csv"))

## quasi-complete separation by x1 - x2: 12 ties on x1 == x2 with both outcomes
set.seed(20072)
n <- 80
x1 <- round(rnorm(n), 2)
x2 <- round(rnorm(n), 2)
x3 <- round(rnorm(n), 2)
tie <- seq_len(12)
x2[tie] <- x1[tie]
y <- as.integer(x1 - x2 > 0)
y[tie] <- rep(0:1, length.out = 12)
stopifnot(max(x1[y == 0]) > min(x1[y == 1]), max(x2[y == 0]) > min(x2[y == 1]))
d_lq <- data.frame(y = y, x1 = x1, x2 = x2, x3 = x3)
wcsv(d_lq, file.path(out_data, "sep_lincomb_quasi.csv"))

## a factor level without events
set.seed(20073)
n <- 120
region <- rep(1:4, length.out = n)
z <- round(rnorm(n), 3)
y <- rbinom(n, 1, plogis(-0.3 + 0.8 * z))
y[region == 3] <- 0L
d_f <- data.frame(y = y, z = z, region = region)
wcsv(d_f, file.path(out_data, "sep_factor.csv"))

leeds_formula <- paste("mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio)",
                       "+ jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)")

cases <- data.frame(stringsAsFactors = FALSE, rbind(
  c("basic", "y ~ x + d", "tests/data/cli/basic.csv", "", "not separated"),
  c("dummy_quasi", "y ~ x + d", "tests/data/cli/separated.csv", "",
    "d = 1 only where y = 0: quasi-complete, d -Inf"),
  c("single_complete", "y ~ x1 + x2", "tests/data/models/separated.csv", "",
    "one continuous column separates completely"),
  c("lincomb_complete", "y ~ x1 + x2", "tests/data/models/sep_lincomb_complete.csv", "",
    "complete separation by x1 + x2; no single column separates"),
  c("lincomb_quasi", "y ~ x1 + x2 + x3", "tests/data/models/sep_lincomb_quasi.csv", "",
    "quasi-complete by x1 - x2: x1 +Inf, x2 -Inf, intercept and x3 finite"),
  c("factor_level", "y ~ z + factor(region)", "tests/data/models/sep_factor.csv", "",
    "region 3 has no events: factor(region)3 -Inf"),
  c("factor_level_if", "y ~ z + factor(region)", "tests/data/models/sep_factor.csv",
    "--if \"region != 3\"", "without region 3: not separated")
  # The Leeds demo model (leeds_formula on data/leeds_dyads.dta) is left out:
  # lpsolve ran over 15 minutes on its 130k rows without finishing. Its
  # "not separated" is checked in tests/fit/test_separation_lp.c (R's glm
  # converges to finite estimates there).
))
names(cases) <- c("id", "formula", "data", "options", "comment")

read_any <- function(path) {
  if (grepl("\\.dta$", path)) as.data.frame(zap_labels(read_dta(path))) else read.csv(path)
}

writeLines(c(R.version.string,
             paste("detectseparation", packageVersion("detectseparation")),
             paste("ROI", packageVersion("ROI")),
             paste("ROI.plugin.lpsolve", packageVersion("ROI.plugin.lpsolve")),
             paste("lpSolveAPI", packageVersion("lpSolveAPI")),
             paste("haven", packageVersion("haven"))),
           file.path(out_vals, "sep_VERSIONS"))

# the manifest: options are passed to the CLI verbatim; rewritten after each
# case (the cases done so far)
write_manifest <- function(upto)
  write.table(cases[seq_len(upto), c("id", "formula", "data", "options", "separated",
                                     "complete", "comment")],
              "tests/reference/separation.tsv", sep = "\t", quote = FALSE,
              row.names = FALSE)

cases$separated <- NA
cases$complete <- NA
for (r in seq_len(nrow(cases))) {
  cs <- cases[r, ]
  dat <- read_any(cs$data)
  if (cs$id == "factor_level_if") dat <- subset(dat, region != 3)
  t0 <- proc.time()[["elapsed"]]
  fit <- glm(as.formula(cs$formula), family = binomial(), data = dat,
             method = "detect_separation", control = list(separation_type = TRUE))
  el <- proc.time()[["elapsed"]] - t0
  co <- coef(fit)
  est <- ifelse(is.infinite(co), ifelse(co > 0, "Inf", "-Inf"), "0")
  writeLines(c("term,estimate", paste0(names(co), ",", est)),
             file.path(out_vals, paste0("sep_", cs$id, ".csv")))
  cases$separated[r] <- as.integer(isTRUE(fit$outcome))
  cases$complete[r] <- as.integer(isTRUE(fit$complete))
  cat(sprintf("%-18s separated %d complete %d (%.2f s): %s\n", cs$id,
              cases$separated[r], cases$complete[r], el,
              paste(names(co)[is.infinite(co)], est[is.infinite(co)], collapse = ", ")))
  write_manifest(r)
}


