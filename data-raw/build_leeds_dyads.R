#!/usr/bin/env Rscript
# build_leeds_dyads.R -- rebuilds data/leeds_dyads.{dta,sav,csv}, the real
# directed dyad-year data set shipped with dyadfit, from data bundled inside
# the CRAN package peacesciencer (no download_extdata(): nothing is fetched).
#
#   Rscript data-raw/build_leeds_dyads.R        (run from the repository root)
#
# Needs: peacesciencer (>= 1.2.0, which needs dplyr >= 1.1.0), its dependency
# isard (state system and democracy data), data.table, haven.
# The output is deterministic for a given set of package versions; the versions
# used are written to data/leeds_dyads_versions.txt and quoted in data/README.md.
#
# Sample: politically relevant (contiguous, any COW contiguity type up to 400
# miles of water, or at least one side a COW major power) directed dyad-years,
# 1946-2010 (post-1945 to keep the .dta near 10 MB; 2010 is the end of the GML
# MID data), with dyad-years in which a dispute was only continuing (ongoing
# from an earlier year, no new onset) dropped. Peace years are counted over
# the full 1816-2010 history, so they are not left-censored at 1946.

suppressPackageStartupMessages({
    library(peacesciencer)
    library(dplyr)
    library(data.table)
    library(haven)
})

out_dir <- "data"
if (!dir.exists(out_dir)) stop("run from the repository root (data/ not found)")

years <- 1816:2010   # GML MID v2.2.1 coverage: used for peace years
keep_years <- 1946:2010   # the shipped sample

# 1. Every directed dyad-year of the COW state system (isard::cw_system),
#    with GML MID onsets/ongoing disputes. Peace years must be counted over
#    the full dyad history, before the politically-relevant filter removes
#    years, so they are computed here.
dd <- create_dyadyears(system = "cow", mry = FALSE, directed = TRUE,
                       subset_years = years)
dd <- suppressMessages(add_gml_mids(dd, keep = NULL))
dd <- as.data.table(dd)[, .(ccode1, ccode2, year, gmlmidonset, gmlmidongoing,
                            init1, sidea1, orig1)]
# add_gml_mids() with directed data yields one row per directed dyad-year.
stopifnot(!anyDuplicated(dd[, .(ccode1, ccode2, year)]))
stopifnot(!anyNA(dd$gmlmidonset), !anyNA(dd$gmlmidongoing))

# Peace years (Beck, Katz and Tucker 1998 counter): in year t, the number of
# years since the last MID onset in the dyad strictly before t; if the dyad
# has had no onset since it entered the data (first year both states are
# system members, 1816 at the earliest), years since that first year.
# So the onset year itself carries the running count and the count restarts
# at 0 in the year after an onset. This equals peacesciencer's
# add_spells(conflict_event_type = "onset") / stevemisc::ps_spells() on a
# dyad without gaps; across gaps in system membership (states that left and
# re-entered) calendar years are counted.
setorder(dd, ccode1, ccode2, year)
dd[, start := min(year), by = .(ccode1, ccode2)]
dd[, last_on := ifelse(gmlmidonset == 1, year, NA_real_)]
# last onset strictly before t: shift the running last-onset year down one row
dd[, last_before := shift(nafill(last_on, type = "locf"), 1L),
   by = .(ccode1, ccode2)]
dd[, peaceyrs := ifelse(is.na(last_before), year - start, year - last_before - 1)]
dd[, c("start", "last_on", "last_before") := NULL]

# 2. Politically relevant dyads: contiguity (COW direct contiguity v3.2,
#    conttype 1-5: land, <=12, <=24, <=150, <=400 miles of water) or a COW
#    major power on either side.
pr <- create_dyadyears(system = "cow", mry = FALSE, directed = TRUE,
                       subset_years = keep_years)
pr <- add_contiguity(pr)          # conttype 0..5
pr <- add_cow_majors(pr)          # cowmaj1, cowmaj2
pr <- suppressMessages(add_atop_alliance(pr))   # ATOP 5.1, directed merge
pr <- add_nmc(pr)                 # NMC v6: cinc1, cinc2, ...
pr <- add_democracy(pr)           # isard::cw_democracy: polity21/2, v2x...
pr <- as.data.table(pr)
pr <- pr[conttype >= 1 | cowmaj1 == 1 | cowmaj2 == 1]

d <- merge(pr, dd, by = c("ccode1", "ccode2", "year"), all.x = TRUE)
stopifnot(nrow(d) == nrow(pr), !anyNA(d$gmlmidonset))

# 3. Onset coding: drop dyad-years in which a dispute is only continuing from
#    an earlier year (ongoing, no new onset), the usual practice for onset
#    models (Bennett and Stam 2000).
n_before_drop <- nrow(d)
d <- d[!(gmlmidongoing == 1 & gmlmidonset == 0)]
n_dropped <- n_before_drop - nrow(d)

# 4. Variables.
region_of <- function(cc) {
    # COW regional convention by state-code range.
    as.integer(cut(cc, c(0, 199, 399, 626, 699, 899, 999),
                   labels = FALSE, right = TRUE))
}
stronger <- pmax(d$cinc1, d$cinc2)
weaker <- pmin(d$cinc1, d$cinc2)
out <- data.table(
    ccode1 = as.integer(d$ccode1),
    ccode2 = as.integer(d$ccode2),
    year = as.integer(d$year),
    dyad = as.integer(d$ccode1 * 1000 + d$ccode2),
    mid_onset = as.integer(d$gmlmidonset),
    mid_ongoing = as.integer(d$gmlmidongoing),
    # ATOP 5.1 obligation types; the COW alliance merge is disabled in
    # peacesciencer 1.2.0, so defense/neutrality/entente are the ATOP types
    # (entente = ATOP consultation pact, its closest analogue).
    defense = as.integer(d$atop_defense),
    offense = as.integer(d$atop_offense),
    neutrality = as.integer(d$atop_neutral),
    nonagg = as.integer(d$atop_nonagg),
    entente = as.integer(d$atop_consul),
    conttype = as.integer(d$conttype),
    contig = as.integer(d$conttype == 1),
    cap_ratio = stronger / weaker,
    jointdem = as.integer(d$polity21 >= 6 & d$polity22 >= 6),
    majpow = as.integer(d$cowmaj1 == 1 | d$cowmaj2 == 1),
    peaceyrs = as.integer(d$peaceyrs),
    region = region_of(d$ccode1)
)
setorder(out, ccode1, ccode2, year)
stopifnot(all(out$cap_ratio > 0 | is.na(out$cap_ratio)),
          all(is.finite(out$cap_ratio) | is.na(out$cap_ratio)))

# 5. Labels.
yn <- c(No = 0L, Yes = 1L)
labs <- list(
    ccode1 = "COW state code, side 1 (potential initiator)",
    ccode2 = "COW state code, side 2",
    year = "Year",
    dyad = "Directed dyad id: ccode1*1000 + ccode2",
    mid_onset = "GML MID onset in the dyad this year (v2.2.1)",
    mid_ongoing = "GML MID active in the dyad this year (v2.2.1)",
    defense = "ATOP 5.1 defense obligation between the two states",
    offense = "ATOP 5.1 offense obligation between the two states",
    neutrality = "ATOP 5.1 neutrality obligation between the two states",
    nonagg = "ATOP 5.1 non-aggression pact between the two states",
    entente = "ATOP 5.1 consultation obligation (entente analogue)",
    conttype = "COW direct contiguity type (0 none, 1 land ... 5 400mi water)",
    contig = "Direct land contiguity (conttype == 1)",
    cap_ratio = "CINC of the stronger over CINC of the weaker side",
    jointdem = "Both sides polity2 >= 6",
    majpow = "At least one side a COW major power",
    peaceyrs = "Years since the last MID onset in the dyad",
    region = "COW region of ccode1 (by state-code range)"
)
binary <- c("mid_onset", "mid_ongoing", "defense", "offense", "neutrality",
            "nonagg", "entente", "contig", "jointdem", "majpow")
lab <- as.data.frame(out)
for (v in names(lab)) {
    x <- lab[[v]]
    if (v %in% binary) x <- labelled(x, labels = yn)
    if (v == "region")
        x <- labelled(x, labels = c(Americas = 1L, Europe = 2L, Africa = 3L,
                                    `Middle East` = 4L, Asia = 5L, Oceania = 6L))
    if (v == "conttype")
        x <- labelled(x, labels = c(`Not contiguous` = 0L, Land = 1L,
                                    `Water <= 12mi` = 2L, `Water <= 24mi` = 3L,
                                    `Water <= 150mi` = 4L, `Water <= 400mi` = 5L))
    attr(x, "label") <- labs[[v]]
    lab[[v]] <- x
}
attr(lab, "label") <- "dyadfit demo: politically relevant directed dyad-years 1946-2010"

write_dta(lab, file.path(out_dir, "leeds_dyads.dta"), version = 14,
          label = attr(lab, "label"))
write_sav(lab, file.path(out_dir, "leeds_dyads.sav"))
# CSV: NA as empty, doubles with 17 significant digits ("%.17g"), so that a
# correctly rounding strtod() reads back exactly the doubles stored in the
# .dta and .sav copies (fwrite's default output can be one ulp off).
txt <- as.data.frame(out)
for (v in names(txt)) {
    x <- txt[[v]]
    s <- if (is.double(x)) sprintf("%.17g", x) else as.character(x)
    s[is.na(x)] <- ""
    txt[[v]] <- s
}
fwrite(txt, file.path(out_dir, "leeds_dyads.csv"), quote = FALSE)

# Check that the three copies agree exactly.
a <- as.data.frame(zap_labels(read_dta(file.path(out_dir, "leeds_dyads.dta"))))
b <- as.data.frame(zap_labels(read_sav(file.path(out_dir, "leeds_dyads.sav"))))
cc <- read.csv(file.path(out_dir, "leeds_dyads.csv"), na.strings = "")
for (v in names(out)) {
    x <- as.numeric(out[[v]])
    stopifnot(identical(x, as.numeric(a[[v]])), identical(x, as.numeric(b[[v]])),
              identical(x, as.numeric(cc[[v]])))
}

pk <- c("peacesciencer", "isard", "dplyr", "data.table", "haven")
vers <- c(R = paste(R.version$major, R.version$minor, sep = "."),
          sapply(pk, function(p) as.character(packageVersion(p))))
writeLines(c(sprintf("%s %s", names(vers), vers),
             sprintf("rows %d", nrow(out)), sprintf("columns %d", ncol(out)),
             sprintf("years %d-%d", min(out$year), max(out$year)),
             sprintf("dropped_ongoing %d", n_dropped),
             sprintf("onsets %d", sum(out$mid_onset))),
           file.path(out_dir, "leeds_dyads_versions.txt"))
cat(readLines(file.path(out_dir, "leeds_dyads_versions.txt")), sep = "\n")
