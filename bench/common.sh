# bench/common.sh -- shell functions shared by bench/run.sh and bench/stream.sh
# (sourced from the repository root).

# cmpest A.csv B.csv: max relative differences of coefficients / SEs of two
# CSVs "term,estimate,std.error,..." compared row by row
cmpest() {
    [ -s "$1" ] && [ -s "$2" ] || { echo "-"; return; }
    awk -F, 'NR == FNR {if (FNR > 1) {b[FNR] = $2; s[FNR] = $3}; n = FNR; next}
        FNR > 1 {m++; db = $2 - b[FNR]; ds = $3 - s[FNR]; if (db < 0) db = -db; if (ds < 0) ds = -ds
                 ab = b[FNR] < 0 ? -b[FNR] : b[FNR]; as = s[FNR] < 0 ? -s[FNR] : s[FNR]
                 rb = ab > 0 ? db / ab : db; rs = as > 0 ? ds / as : ds
                 if (rb > mb) mb = rb; if (rs > ms) ms = rs}
        END {if (m != n - 1) print "terms differ"; else printf "%.1e / %.1e\n", mb, ms}' "$1" "$2"
}
