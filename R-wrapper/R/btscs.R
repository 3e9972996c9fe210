#' Peace years (years since the last event) for binary time-series
#' cross-section data
#'
#' Adds to `data`, per row, the number of years since the unit's last event
#' (Beck, Katz and Tucker 1998), the spell id and optionally natural cubic
#' spline columns of the peace years, computed by the `libdyadfit` C
#' library with the rules of Tucker's `btscs` (the command line's
#' `dyadfit btscs`): the count is 0 in a unit's first observed year and in
#' the year after an event; the event year carries the count on.
#'
#' @param data a data frame.
#' @param event name of the 0/1 event (onset) column.
#' @param time name of the integer time (year) column.
#' @param unit name of the unit (dyad) column, numeric or character.
#' @param ongoing optional name of a 0/1 column marking years of a
#'   continuing dispute: those without an onset count as dispute years and
#'   get `drop_name = 1`.
#' @param gap how a gap in a unit's years is treated: `"btscs"` (as btscs:
#'   the gap does not break the spell), `"continue"` (calendar years since
#'   the last event) or `"restart"` (every gap starts a new spell at 0).
#' @param splines 0 (none) or k: add k columns of the natural cubic spline
#'   basis `splines::ns(peaceyrs, df = k)` (knots at the quantiles of the
#'   peace years of the rows kept).
#' @param name name of the peace-years column.
#' @param spell_name name of the spell-id column.
#' @param spline_prefix spline columns are named `<prefix>1`..`<prefix>k`.
#' @param drop_name name of the ongoing-year flag column (with `ongoing`).
#' @param drop_ongoing with `ongoing`: give ongoing years missing values in
#'   the new columns, so a fit leaves them out.
#' @param replace overwrite columns of `data` with the new columns' names.
#' @return `data` with the new columns appended (rows in their order).
#'   Rows with a missing event (or ongoing) value get missing values.
#' @references Beck, N., Katz, J. N. and Tucker, R. (1998). Taking time
#'   seriously: time-series-cross-section analysis with a binary dependent
#'   variable. *American Journal of Political Science* 42, 1260-1288.
#' @examples
#' d <- read_dyads(system.file("extdata", "leeds_sample.dta", package = "dyadfit"))
#' d2 <- btscs(d, "mid_onset", "year", "dyad", name = "py", splines = 3)
#' head(d2[, c("dyad", "year", "mid_onset", "py", "spell", "_spline1")])
#' @export
btscs <- function(data, event, time, unit, ongoing = NULL,
                  gap = c("btscs", "continue", "restart"), splines = 0,
                  name = "peaceyrs", spell_name = "spell",
                  spline_prefix = "_spline", drop_name = "_drop",
                  drop_ongoing = FALSE, replace = FALSE)
{
    gap <- match.arg(gap)
    if (!is.data.frame(data)) stop("'data' must be a data frame", call. = FALSE)
    one_name <- function(x, what) {
        if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
            stop("'", what, "' must be a column name (a string)", call. = FALSE)
        x
    }
    event <- one_name(event, "event")
    time <- one_name(time, "time")
    unit <- one_name(unit, "unit")
    if (!is.null(ongoing)) ongoing <- one_name(ongoing, "ongoing")
    name <- one_name(name, "name")
    spell_name <- one_name(spell_name, "spell_name")
    spline_prefix <- one_name(spline_prefix, "spline_prefix")
    drop_name <- one_name(drop_name, "drop_name")
    if (!is.numeric(splines) || length(splines) != 1L || is.na(splines) ||
        splines < 0 || splines != round(splines) || splines > 100)
        stop("'splines' must be a whole number from 0 to 100", call. = FALSE)
    for (a in c("drop_ongoing", "replace")) {
        v <- get(a)
        if (!is.logical(v) || length(v) != 1L || is.na(v))
            stop("'", a, "' must be TRUE or FALSE", call. = FALSE)
    }
    vars <- unique(c(event, time, unit, ongoing))
    miss <- setdiff(vars, names(data))
    if (length(miss))
        stop("variable '", miss[1L], "' not found in 'data'", call. = FALSE)
    new <- c(name, spell_name,
             if (splines > 0) paste0(spline_prefix, seq_len(splines)),
             if (!is.null(ongoing)) drop_name)
    if (anyDuplicated(new))
        stop("the new column names must differ: ", paste(new, collapse = ", "),
             call. = FALSE)
    if (length(intersect(new, vars)))
        stop("a new column would overwrite the input column '",
             intersect(new, vars)[1L], "'", call. = FALSE)
    clash <- intersect(new, names(data))
    if (length(clash) && !replace)
        stop("'data' already has a column '", clash[1L],
             "' (use replace = TRUE or another name)", call. = FALSE)
    cols <- lapply(stats::setNames(vars, vars), function(v) {
        x <- data[[v]]
        if (is.factor(x) || is.logical(x)) x <- if (v == unit) as.character(x) else as.numeric(x)
        if (is.character(x)) return(x)
        if (!is.numeric(x) || !is.null(dim(x)))
            stop("variable '", v, "' must be numeric (or, the unit, character)",
                 call. = FALSE)
        as.double(x)
    })
    res <- .Call(dyadfit_r_btscs, cols,
                 c(event, time, unit, ongoing %||% NA_character_, name, spell_name,
                   spline_prefix, drop_name),
                 as.integer(c(match(gap, c("btscs", "continue", "restart")) - 1L,
                              splines, drop_ongoing)))
    for (v in names(res)) data[[v]] <- res[[v]]
    data
}
