# make_extdata.R -- builds inst/extdata/leeds_sample.dta, the small sample of
# the repository's data/leeds_dyads.dta shipped inside the R package for
# examples and tests (the full file, 147,072 rows, is too big for a package).
#
# Run from the repository root:  Rscript R-wrapper/data-raw/make_extdata.R
# Needs haven (to keep Stata value and variable labels).
#
# Sample: whole directed dyads drawn at random (seed 20261125) until at least
# 5,000 dyad-years are in, so that clustering on dyad stays meaningful; the
# variables of the Leeds-style demo model plus ids, region and conttype.
library(haven)
full <- read_dta("data/leeds_dyads.dta")
keep <- c("ccode1", "ccode2", "year", "dyad", "mid_onset", "defense",
          "neutrality", "entente", "contig", "conttype", "cap_ratio",
          "jointdem", "majpow", "peaceyrs", "region")
set.seed(20261125)
dyads <- sample(unique(full$dyad))
sizes <- cumsum(table(full$dyad)[as.character(dyads)])
chosen <- dyads[seq_len(which(sizes >= 5000)[1])]
s <- full[full$dyad %in% chosen, keep]
s <- s[order(s$dyad, s$year), ]
write_dta(s, "R-wrapper/inst/extdata/leeds_sample.dta", version = 15)
cat(sprintf("%d rows, %d dyads, %d onsets\n", nrow(s), length(chosen),
            sum(s$mid_onset)))
