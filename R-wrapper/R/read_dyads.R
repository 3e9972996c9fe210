#' Read a data file with the dyadfit library
#'
#' Reads a Stata (.dta), SPSS (.sav, .zsav, .por), SAS (.sas7bdat, .xpt) or CSV
#' file through the same reader the `dyadfit` command line uses (ReadStat for
#' the binary formats), so R and the command line see the same numbers.
#'
#' @param path the file; the format comes from its extension.
#' @param variables optional character vector: read only these variables.
#' @param labels how value labels are returned: `"attribute"` (default) keeps
#'   numeric columns and stores the labels as a named numeric vector in the
#'   column's `"labels"` attribute, as haven does; `"factor"` turns every
#'   labelled column into a factor (values without a label become levels
#'   named by the value).
#' @return A data frame: numeric variables as double (every kind of missing
#'   value, including Stata's `.a`-`.z` and SPSS user-missing values, as
#'   `NA`), string variables as character (empty strings as `NA`). Variable
#'   labels are in each column's `"label"` attribute; the file's path, SHA-256
#'   and format are in the data frame's `"source"` attribute.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' str(d[, 1:5])
#' attr(d$region, "labels")
#' table(read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"),
#'                  variables = "region", labels = "factor")$region)
#' @export
read_dyads <- function(path, variables = NULL, labels = c("attribute", "factor"))
{
    labels <- match.arg(labels)
    if (!is.character(path) || length(path) != 1L || is.na(path))
        stop("'path' must be a single file name", call. = FALSE)
    if (!is.null(variables) && (!is.character(variables) || anyNA(variables)))
        stop("'variables' must be NULL or a character vector of names", call. = FALSE)
    cols <- .Call(dyadfit_r_read, path.expand(path), variables)
    nrow <- attr(cols, "dyadfit_nrow")
    src <- attr(cols, "dyadfit_source")
    attributes(cols) <- list(names = names(cols))
    if (labels == "factor")
        cols[] <- lapply(cols, labelled_to_factor)
    structure(cols, class = "data.frame",
              row.names = .set_row_names(as.integer(nrow)),
              source = list(path = src[1L], sha256 = src[2L], format = src[3L]))
}

labelled_to_factor <- function(x)
{
    lab <- attr(x, "labels")
    if (is.null(lab) || !is.numeric(x)) return(x)
    values <- sort(unique(c(unname(lab), x[!is.na(x)])))
    names <- as.character(values)
    hit <- match(values, lab)
    names[!is.na(hit)] <- names(lab)[hit[!is.na(hit)]]
    f <- factor(match(x, values), levels = seq_along(values), labels = make.unique(names))
    attr(f, "label") <- attr(x, "label")
    f
}
