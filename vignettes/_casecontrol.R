## A case-control sample of the bundled data, as King and Zeng (2001)
## recommend for rare events: every dispute onset and a 10% random sample of
## the dyad-years without one. The lines of data/leeds_dyads.csv are copied
## byte for byte (no re-formatting of the doubles), so the command line reads
## exactly the values of the full file. Used by kingzeng2001.Rmd and by
## tests/vignettes/check_headlines.R (same seed, same file).
make_case_control <- function(root, out, fraction = 0.1, seed = 2001L) {
  csv <- file.path(root, "data", "leeds_dyads.csv")
  lines <- readLines(csv)
  y <- as.integer(vapply(strsplit(lines[-1], ",", fixed = TRUE), `[`, "", 5L))
  stopifnot(strsplit(lines[1], ",")[[1]][5] == "mid_onset", !anyNA(y))
  old <- RNGkind("Mersenne-Twister", "Inversion", "Rejection")
  on.exit(do.call(RNGkind, as.list(old)))
  set.seed(seed)
  keep <- y == 1L | stats::runif(length(y)) < fraction
  writeLines(c(lines[1], lines[-1][keep]), out)
  invisible(c(rows = sum(keep), ones = sum(y[keep])))
}
