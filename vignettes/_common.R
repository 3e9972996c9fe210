## Shared set-up for the replication vignettes (sourced by each .Rmd).
## scripts/vignettes.sh sets DYADFIT_ROOT (the repository) and DYADFIT_CLI
## (the dyadfit binary) and puts the R package on R_LIBS.
library(dyadfit)
vig_t0 <- proc.time()[["elapsed"]]
root <- normalizePath(Sys.getenv("DYADFIT_ROOT", ".."))
cli_bin <- Sys.getenv("DYADFIT_CLI", file.path(root, "build", "dyadfit"))
if (!file.exists(cli_bin)) stop("dyadfit CLI not found: ", cli_bin, " (set DYADFIT_CLI)")
dta <- file.path(root, "data", "leeds_dyads.dta")
tmpdir <- tempfile("vig"); dir.create(tmpdir)

## Run the CLI; stop with its message if it fails.
cli <- function(...) {
  args <- c(...)
  out <- suppressWarnings(system2(cli_bin, shQuote(args), stdout = TRUE, stderr = TRUE))
  st <- attr(out, "status")
  if (!is.null(st) && st != 0) stop("dyadfit ", paste(args, collapse = " "), ":\n",
                                    paste(out, collapse = "\n"))
  out
}
## Fit with the CLI; returns the JSON result as a list (coefficients a data frame).
cli_fit <- function(estimator, formula, ..., data = dta, save = NULL) {
  args <- c("fit", estimator, formula, data, ..., "--format", "json")
  if (!is.null(save)) args <- c(args, "--save", save)
  jsonlite::fromJSON(paste(cli(args), collapse = "\n"))
}
## margins/predict with CSV output into a data frame
cli_csv <- function(...) utils::read.csv(text = paste(cli(..., "--format", "csv"), collapse = "\n"))
## the command line as a reader would type it
show_cmd <- function(...) {
  a <- c(...)
  q <- ifelse(grepl("[ ~()^|&*+]", a), paste0("\"", a, "\""), a)
  cat("$ dyadfit", sub(paste0("^", root, "/"), "", q), "\n")
}
cf <- function(j, term, what = "estimate") j$coefficients[j$coefficients$term == term, what]
## log relative error between two numbers (digits of agreement)
lre <- function(x, ref) {
  e <- ifelse(ref == 0, abs(x - ref), abs(x - ref) / abs(ref))
  pmin(15, ifelse(e == 0, 15, -log10(e)))
}
vig_footer <- function() {
  cat(sprintf("Rendered in %.1f s (%s).\n\n", proc.time()[["elapsed"]] - vig_t0, format(Sys.time(), "%Y-%m-%d")))
  cat("Software: ", paste(cli("--version"), collapse = "; "), "; R package dyadfit ",
      as.character(utils::packageVersion("dyadfit")), "; ", R.version.string,
      "; rmarkdown ", as.character(utils::packageVersion("rmarkdown")),
      "; survival ", as.character(utils::packageVersion("survival")), ".\n", sep = "")
}
knitr::opts_chunk$set(comment = "", fig.width = 7, fig.height = 4.2, dev = "png", dpi = 96)
