#' Alliance measures for (directed) dyad-years
#'
#' Adds to every row (A = `ccode1`, B = `ccode2`, year) of `dyads` the
#' alliance measures of the `libdyadfit` C library (the command line's
#' `dyadfit alliances`): direct ties by type, defense allies and their
#' capabilities, the capability balance of the two coalitions, alliance
#' portfolio similarity (Signorino and Ritter's S, unweighted and
#' CINC-weighted, over the system and over the regional reference set),
#' Kendall's tau-b of the two portfolios and counts of shared allies.
#'
#' The system of a year is the set of states with a row in `capabilities`
#' that year (or, with `states`, the members of the COW state system in that
#' year). Alliance rows naming a state outside the system are ignored; dyads
#' with a state outside the system get missing values. Missing `cinc`
#' values propagate (the weighted S-scores of that year are missing); they
#' are never taken as zero. The exact definitions are in the package's
#' source, `docs/alliance_measures.md`.
#'
#' @param dyads a data frame of dyad-years (directed or not).
#' @param alliances a data frame of dyad-year alliances in ATOP form:
#'   `ccode1`, `ccode2`, `year` and 0/1 columns `defense`, `offense`,
#'   `neutrality`, `nonagg`, `consul` (those present are used).
#' @param capabilities a data frame of state-years: `ccode`, `year`, `cinc`
#'   and optionally `region` (for the regional S-scores).
#' @param states optional data frame of state-system membership spells:
#'   `ccode`, `styear`, `endyear` (as COW's states file).
#' @param measures groups of measures to add, any of `"ties"` (`ally_*`,
#'   `ally_value`), `"allycap"` (`n_def_allies1`, `cap_def_allies1`,
#'   `n_def_allies2`, `cap_def_allies2`, `cap_balance_allies`), `"sscore"`
#'   (`s_unweighted`, `s_weighted` and, with a region column,
#'   `s_unweighted_region`, `s_weighted_region`), `"taub"` (`tau_b`),
#'   `"shared"` (`n_shared_def_allies`, `n_shared_allies`).
#' @param ccode1,ccode2,year names of the state A, state B and year columns
#'   of `dyads`.
#' @param directed `FALSE` (default): a tie listed in either direction
#'   counts for both states; `TRUE`: keep ATOP's directed obligations (A's
#'   portfolio is A's rows).
#' @param region name of the region column of `capabilities`; `NULL`:
#'   `"region"` when present; `""`: no regional S-scores.
#' @param replace overwrite columns of `dyads` with the new columns' names.
#' @return `dyads` with the new columns appended (rows in their order). The
#'   attribute `"alliances_info"` holds the counts the library reports
#'   (alliance rows outside the system, duplicates merged, asymmetric ties,
#'   missing capabilities, dyads outside the system).
#' @references Signorino, C. S. and Ritter, J. M. (1999). Tau-b or not
#'   tau-b: measuring the similarity of foreign policy positions.
#'   *International Studies Quarterly* 43, 115-144.
#'
#'   Bueno de Mesquita, B. (1975). Measuring systemic polarity. *Journal of
#'   Conflict Resolution* 19, 187-216.
#' @examples
#' ## three states; 10 and 20 hold a defense pact
#' cap <- data.frame(ccode = c(10, 20, 30), year = 1, cinc = c(0.5, 0.25, 0.25))
#' al <- data.frame(ccode1 = 10, ccode2 = 20, year = 1, defense = 1,
#'                  offense = 0, neutrality = 0, nonagg = 0, consul = 0)
#' dy <- data.frame(ccode1 = c(10, 10, 30), ccode2 = c(20, 30, 20), year = 1)
#' alliances(dy, al, cap)[, c("ccode1", "ccode2", "ally_defense",
#'                             "s_unweighted", "s_weighted", "tau_b")]
#' @export
alliances <- function(dyads, alliances, capabilities, states = NULL,
                      measures = c("ties", "allycap", "sscore", "taub", "shared"),
                      ccode1 = "ccode1", ccode2 = "ccode2", year = "year",
                      directed = FALSE, region = NULL, replace = FALSE)
{
    for (a in c("dyads", "alliances", "capabilities"))
        if (!is.data.frame(get(a)))
            stop("'", a, "' must be a data frame", call. = FALSE)
    if (!is.null(states) && !is.data.frame(states))
        stop("'states' must be a data frame or NULL", call. = FALSE)
    one_name <- function(x, what) {
        if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
            stop("'", what, "' must be a column name (a string)", call. = FALSE)
        x
    }
    ccode1 <- one_name(ccode1, "ccode1")
    ccode2 <- one_name(ccode2, "ccode2")
    year <- one_name(year, "year")
    groups <- c("ties", "allycap", "sscore", "taub", "shared")
    if (!is.character(measures) || !length(measures) || anyNA(measures))
        stop("'measures' must be a character vector of: ",
             paste(groups, collapse = ", "), call. = FALSE)
    bad <- setdiff(measures, groups)
    if (length(bad))
        stop("unknown measure group '", bad[1L], "' (one of ",
             paste(groups, collapse = ", "), ")", call. = FALSE)
    if (!is.null(region) && (!is.character(region) || length(region) != 1L ||
                             is.na(region)))
        stop("'region' must be a column name, \"\" or NULL", call. = FALSE)
    for (a in c("directed", "replace")) {
        v <- get(a)
        if (!is.logical(v) || length(v) != 1L || is.na(v))
            stop("'", a, "' must be TRUE or FALSE", call. = FALSE)
    }
    ## numeric columns (the library reports unknown names, bad codes ...)
    take <- function(df, what, vars) {
        vars <- intersect(vars, names(df))
        cols <- lapply(stats::setNames(vars, vars), function(v) {
            x <- df[[v]]
            if (is.factor(x) || is.logical(x)) x <- as.numeric(x)
            if (!is.numeric(x) || !is.null(dim(x)))
                stop("variable '", v, "' of '", what, "' must be numeric",
                     call. = FALSE)
            as.double(x)
        })
        if (!length(cols))
            stop("'", what, "' has none of the columns ",
                 paste(vars, collapse = ", "), call. = FALSE)
        cols
    }
    need <- c(ccode1, ccode2, year)
    miss <- setdiff(need, names(dyads))
    if (length(miss))
        stop("variable '", miss[1L], "' not found in 'dyads'", call. = FALSE)
    ## the dyad table gets only the key columns (and, for replace = FALSE,
    ## the names the new columns would clash with)
    newnames <- c("ally_defense", "ally_offense", "ally_neutrality",
                  "ally_nonagg", "ally_consul", "ally_value", "n_def_allies1",
                  "cap_def_allies1", "n_def_allies2", "cap_def_allies2",
                  "cap_balance_allies", "s_unweighted", "s_weighted",
                  "s_unweighted_region", "s_weighted_region", "tau_b",
                  "n_shared_def_allies", "n_shared_allies")
    dcols <- take(dyads, "dyads", unique(need))
    if (!replace)
        for (v in setdiff(intersect(newnames, names(dyads)), need))
            dcols[[v]] <- rep(NA_real_, nrow(dyads))
    alvars <- c("ccode1", "ccode2", "year", "defense", "offense", "neutrality",
                "nonagg", "consul")
    capvars <- c("ccode", "year", "cinc", if (is.null(region)) "region"
                 else if (nzchar(region)) region)
    res <- .Call(dyadfit_r_alliances, dcols,
                 take(alliances, "alliances", alvars),
                 take(capabilities, "capabilities", capvars),
                 if (!is.null(states)) take(states, "states",
                                            c("ccode", "styear", "endyear")),
                 c(ccode1, ccode2, year, paste(measures, collapse = ","),
                   if (is.null(region)) NA_character_ else region),
                 as.integer(c(directed, replace)))
    info <- attr(res, "info")
    for (v in names(res)) dyads[[v]] <- res[[v]]
    attr(dyads, "alliances_info") <- info
    dyads
}
