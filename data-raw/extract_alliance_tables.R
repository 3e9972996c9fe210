#!/usr/bin/env Rscript
# extract_alliance_tables.R -- writes the compact alliance, capability and
# state-system tables that the alliance measures (src/prepare/alliances.c,
# docs/alliance_measures.md) and their tests use, from data bundled inside
# the CRAN package peacesciencer (nothing is downloaded).
#
#   Rscript data-raw/extract_alliance_tables.R     (from the repository root)
#
# Writes
#   data/atop_dyadyear.csv   ATOP 5.1 directed dyad-years (peacesciencer
#                            atop_alliance): ccode1,ccode2,year,defense,
#                            offense,neutrality,nonagg,consul (0/1)
#   data/cow_nmc.csv         COW NMC v6 (peacesciencer cow_nmc): ccode,year,
#                            cinc (%.17g), region (COW region by code range,
#                            as data/leeds_dyads.csv)
#   data/cow_states.csv      COW state system 2016 (peacesciencer cow_states):
#                            ccode,stateabb,styear,stmonth,stday,endyear,
#                            endmonth,endday (one row per spell of membership)
#   data/alliance_tables_versions.txt
# All years are kept (the three files together are ~6 MB).

suppressPackageStartupMessages({
    library(peacesciencer)
})

out_dir <- "data"
if (!dir.exists(out_dir)) stop("run from the repository root (data/ not found)")

write_csv <- function(df, path) {
    # %.17g for doubles so that the C reader gets the exact binary values;
    # integers without a decimal point.
    cols <- lapply(df, function(x) {
        if (is.character(x)) return(x)
        if (all(is.na(x) | x == round(x))) return(ifelse(is.na(x), "", sprintf("%.0f", x)))
        ifelse(is.na(x), "", sprintf("%.17g", x))
    })
    lines <- do.call(paste, c(cols, sep = ","))
    writeLines(c(paste(names(df), collapse = ","), lines), path, useBytes = TRUE)
}

# --- ATOP dyad-years -------------------------------------------------------
a <- as.data.frame(atop_alliance)
a <- data.frame(ccode1 = a$ccode1, ccode2 = a$ccode2, year = a$year,
                defense = a$atop_defense, offense = a$atop_offense,
                neutrality = a$atop_neutral, nonagg = a$atop_nonagg,
                consul = a$atop_consul)
a <- a[order(a$year, a$ccode1, a$ccode2), ]
stopifnot(!anyNA(a), all(as.matrix(a[, 4:8]) %in% c(0, 1)))
k <- paste(a$ccode1, a$ccode2, a$year)
stopifnot(!anyDuplicated(k))
rev_k <- paste(a$ccode2, a$ccode1, a$year)
n_asym <- sum(!(k %in% rev_k))     # rows without a reverse row
# rows whose obligations differ from those of the reverse row (ATOP codes
# directed obligations; the alliance measures symmetrise by default)
rv <- match(rev_k, k)
n_dir <- sum(rowSums(as.matrix(a[, 4:8]) != as.matrix(a[rv, 4:8])) > 0, na.rm = TRUE)
write_csv(a, file.path(out_dir, "atop_dyadyear.csv"))

# --- NMC capabilities ------------------------------------------------------
region_of <- function(cc) {
    ifelse(cc <= 165, 1, ifelse(cc <= 395, 2, ifelse(cc <= 626, 3,
    ifelse(cc <= 698, 4, ifelse(cc <= 899, 5, 6)))))
}
n <- as.data.frame(cow_nmc)
n <- data.frame(ccode = n$ccode, year = n$year, cinc = n$cinc,
                region = region_of(n$ccode))
n <- n[order(n$year, n$ccode), ]
stopifnot(!anyDuplicated(paste(n$ccode, n$year)))
write_csv(n, file.path(out_dir, "cow_nmc.csv"))

# --- State system ----------------------------------------------------------
s <- as.data.frame(cow_states)
s <- s[, c("ccode", "stateabb", "styear", "stmonth", "stday", "endyear",
           "endmonth", "endday")]
s <- s[order(s$ccode, s$styear), ]
write_csv(s, file.path(out_dir, "cow_states.csv"))

# Consistency of NMC state-years with the state system (reported, not fixed).
sy <- do.call(rbind, lapply(seq_len(nrow(s)), function(i)
    data.frame(ccode = s$ccode[i], year = s$styear[i]:s$endyear[i])))
sy <- unique(sy[sy$year <= max(n$year), ])
in_sys <- paste(sy$ccode, sy$year)
in_nmc <- paste(n$ccode, n$year)
n_sys_not_nmc <- sum(!(in_sys %in% in_nmc))
n_nmc_not_sys <- sum(!(in_nmc %in% in_sys))
# ATOP rows whose states are not both in the NMC that year
a_in <- paste(a$ccode1, a$year) %in% in_nmc & paste(a$ccode2, a$year) %in% in_nmc
n_atop_outside <- sum(!a_in)

v <- c(sprintf("R %s", getRversion()),
       sprintf("peacesciencer %s", packageVersion("peacesciencer")),
       sprintf("ATOP %s", ps_data_version$version[ps_data_version$data == "ATOP"]),
       "NMC v6 (peacesciencer cow_nmc)",
       "COW State System 2016 (peacesciencer cow_states)",
       sprintf("atop_dyadyear rows %d years %d-%d no_reverse_row %d types_differ_from_reverse %d outside_nmc %d",
               nrow(a), min(a$year), max(a$year), n_asym, n_dir, n_atop_outside),
       sprintf("cow_nmc rows %d years %d-%d missing_cinc %d zero_cinc %d",
               nrow(n), min(n$year), max(n$year), sum(is.na(n$cinc)),
               sum(n$cinc == 0, na.rm = TRUE)),
       sprintf("cow_states rows %d", nrow(s)),
       sprintf("state_years_in_system_not_in_nmc %d nmc_not_in_system %d",
               n_sys_not_nmc, n_nmc_not_sys))
writeLines(v, file.path(out_dir, "alliance_tables_versions.txt"))
cat(v, sep = "\n")
