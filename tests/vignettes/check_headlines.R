## check_headlines.R -- the vignettes' headline numbers, recomputed with the
## command line (no rendering) and compared with tests/vignettes/headlines.tsv.
##
##   Rscript tests/vignettes/check_headlines.R BUILD/dyadfit            check
##   Rscript tests/vignettes/check_headlines.R BUILD/dyadfit --update   rewrite values
##
## Run from the repository root. This is a REGRESSION GUARD: the stored
## values came from this package's own CLI (dyadfit 0.1.0, `--update`), not
## from independent software; the independent checks against R (glm,
## sandwich, survival, logistf) live in tests/reference and the R package's
## testthat suite. A change of an estimator that moves a vignette's headline
## number beyond LRE 8 (8 agreeing significant digits) fails here.
##
## headlines.tsv columns: vignette, name, command (a dyadfit command line,
## tokenised like a shell with double quotes; @DTA@ is data/leeds_dyads.dta,
## @CC@ the King-Zeng case-control sample of vignettes/_casecontrol.R, @TMP@ a
## scratch directory; "--format csv" is appended), term (row of the CSV
## output), column, value (%.17g), min_lre.
## Needs only base R (the case-control sample is drawn with base R).
args <- commandArgs(TRUE)
cli_bin <- if (length(args) >= 1) args[1] else "build/dyadfit"
update <- "--update" %in% args
tsv <- "tests/vignettes/headlines.tsv"
if (!file.exists(cli_bin) || !file.exists(tsv)) {
  cat(if (!file.exists(tsv)) "check_headlines: run from the repository root\n"
      else paste0("check_headlines: no CLI at ", cli_bin, "\n"))
  cat("vignettes: 0 passed, 1 failed\n")
  quit(status = 1)
}
source("vignettes/_casecontrol.R")

t0 <- proc.time()[["elapsed"]]
tmp <- tempfile("headlines"); dir.create(tmp)
on.exit(unlink(tmp, recursive = TRUE), add = TRUE)
cc <- file.path(tmp, "casecontrol.csv")
invisible(make_case_control(".", cc))

h <- utils::read.delim(tsv, colClasses = "character", quote = "", comment.char = "")
lre <- function(x, ref) {
  e <- if (ref == 0) abs(x) else abs(x - ref) / abs(ref)
  if (e == 0) 15 else min(15, -log10(e))
}
cache <- list()
run <- function(cmd) {
  if (!is.null(cache[[cmd]])) return(cache[[cmd]])
  a <- scan(text = cmd, what = "", quiet = TRUE)
  a <- gsub("@DTA@", "data/leeds_dyads.dta", a, fixed = TRUE)
  a <- gsub("@CC@", cc, a, fixed = TRUE)
  a <- gsub("@TMP@", tmp, a, fixed = TRUE)
  stopifnot(a[1] == "dyadfit")
  out <- suppressWarnings(system2(cli_bin, c(shQuote(a[-1]), "--format", "csv"),
                                  stdout = TRUE, stderr = FALSE))
  st <- attr(out, "status")
  res <- if (!is.null(st) && st != 0) sprintf("exit status %d", st)
         else utils::read.csv(text = paste(out, collapse = "\n"), check.names = FALSE)
  cache[[cmd]] <<- res
  res
}
pass <- 0L; fail <- 0L
for (i in seq_len(nrow(h))) {
  r <- h[i, ]
  res <- run(r$command)
  got <- NA_real_
  if (is.data.frame(res) && r$column %in% names(res))
    got <- res[[r$column]][res$term == r$term][1]
  if (update) {
    if (is.na(got)) stop("update: no value for ", r$vignette, " ", r$name, ": ",
                         if (is.character(res)) res else "term/column not found")
    h$value[i] <- sprintf("%.17g", got)
    next
  }
  want <- as.numeric(r$value); need <- as.numeric(r$min_lre)
  if (is.na(got)) {
    fail <- fail + 1L
    cat(sprintf("FAIL %-14s %-32s %s\n", r$vignette, r$name,
                if (is.character(res)) res else "term/column not in the output"))
  } else {
    l <- lre(got, want)
    ok <- l >= need
    if (ok) pass <- pass + 1L else fail <- fail + 1L
    cat(sprintf("%s %-14s %-32s got %.10g want %.10g LRE %.1f (>= %g)\n",
                if (ok) "ok  " else "FAIL", r$vignette, r$name, got, want, l, need))
  }
}
if (update) {
  utils::write.table(h, tsv, sep = "\t", quote = FALSE, row.names = FALSE)
  cat("check_headlines: wrote", nrow(h), "values to", tsv, "\n")
  quit(status = 0)
}
## the comparison itself must be able to fail: a value off by 1e-7
## (relative) has LRE 7 and must be rejected at LRE 8
if (nrow(h) && lre(as.numeric(h$value[1]) * (1 + 1e-7), as.numeric(h$value[1])) >= 8) {
  fail <- fail + 1L; cat("FAIL self-test: a 1e-7 relative change passed LRE 8\n")
}
cat(sprintf("(%.1f s)\n", proc.time()[["elapsed"]] - t0))
cat(sprintf("vignettes: %d passed, %d failed\n", pass, fail))
quit(status = if (fail == 0L && pass > 0L) 0L else 1L)
