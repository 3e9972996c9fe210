#!/bin/sh
# big_cells.sh [BIN] -- opt-in limits test (issue #9 part 5), NOT part of
# make check: a logit on a CSV file with more than 2^31 cells.
#
#   sh tests/limits/big_cells.sh build/dyadfit      (from the repository root)
#
# The file is COPIES copies (default 23000) of a 1000-row, 94-column base
# file (y, x1, x2, x3 and 90 filler columns of one-digit integers): 23
# million rows, 2,162,000,000 cells (2^31 = 2,147,483,648), 4.3 GB on disk,
# made in $TMPDIR (default /tmp) and deleted at the end. The model reads 4
# of the 94 columns (fit reads only the model's variables), so memory stays
# near 23M x 4 doubles for the table plus the design.
#
# Checked: with every row repeated COPIES times the log-likelihood equals
# COPIES times the base file's, the coefficients equal the base file's and
# the OIM and HC0 robust standard errors are the base file's divided by
# sqrt(COPIES) (both sides are sums of COPIES identical terms), to a
# relative 1e-7 (summing 23M rows in a different order costs ~1e-10 or so;
# 1e-7 leaves room without hiding an overflow, which gives nonsense).
# The base fit itself is checked against R's glm when Rscript is there.
# Prints the wall time and peak RSS of the big fit (GNU time).
#
# Needs: ~4.5 GB free in $TMPDIR, ~3 GB of RAM, a few minutes.
set -eu
BIN=${1:-build/dyadfit}
COPIES=${COPIES:-23000}
NFILL=90
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dyadfit-bigcells.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
base=$TMP/base.csv big=$TMP/big.csv
F="y ~ x1 + x2 + x3"

need=$((COPIES * 1000 * (NFILL + 4) * 2 / 1048576 + 100))
avail=$(df -Pm "$TMP" | awk 'NR == 2 {print $4}')
if [ "$avail" -lt "$need" ]; then
    echo "big_cells: need ${need} MB in $TMP, have ${avail} MB" >&2; exit 2
fi

# the base file: a deterministic LCG, one-digit values (2 bytes a cell)
awk -v nf=$NFILL 'BEGIN {
    s = 12345; m = 2147483648
    printf "y,x1,x2,x3"; for (j = 1; j <= nf; j++) printf ",f%d", j; printf "\n"
    for (i = 0; i < 1000; i++) {
        s = (1103515245 * s + 12345) % m; x1 = int(s / m * 7)
        s = (1103515245 * s + 12345) % m; x2 = int(s / m * 2)
        s = (1103515245 * s + 12345) % m; x3 = int(s / m * 10)
        s = (1103515245 * s + 12345) % m; u = s / m
        eta = -1 + 0.3 * x1 - 0.8 * x2 + 0.1 * x3
        y = (u < 1 / (1 + exp(-eta))) ? 1 : 0
        printf "%d,%d,%d,%d", y, x1, x2, x3
        for (j = 1; j <= nf; j++) { s = (1103515245 * s + 12345) % m; printf ",%d", int(s / m * 10) }
        printf "\n"
    }
}' > "$base"

# the big file: the header, then COPIES copies of the rows (100 at a time)
tail -n +2 "$base" > "$TMP/rows"
for i in $(seq 100); do cat "$TMP/rows"; done > "$TMP/rows100"
head -1 "$base" > "$big"
t0=$(date +%s)
i=0
while [ $((i + 100)) -le "$COPIES" ]; do cat "$TMP/rows100"; i=$((i + 100)); done >> "$big"
while [ "$i" -lt "$COPIES" ]; do cat "$TMP/rows"; i=$((i + 1)); done >> "$big"
rm -f "$TMP/rows" "$TMP/rows100"
rows=$((COPIES * 1000)); cells=$((rows * (NFILL + 4)))
echo "big_cells: $big: $rows rows x $((NFILL + 4)) columns = $cells cells" \
     "($(du -m "$big" | cut -f1) MB, written in $(( $(date +%s) - t0 )) s)"
[ "$cells" -gt 2147483648 ] || echo "big_cells: note: $cells cells is not above 2^31 (COPIES=$COPIES)"

fit() {  # fit FILE VCE OUT
    "$BIN" fit logit "$F" "$1" --vce $2 --ssc hc0 --format json > "$3"
}
fit "$base" oim "$TMP/b_oim.json"
fit "$base" robust "$TMP/b_rob.json"
/usr/bin/time -v "$BIN" fit logit "$F" "$big" --vce oim --format json > "$TMP/g_oim.json" 2> "$TMP/time_oim"
/usr/bin/time -v "$BIN" fit logit "$F" "$big" --vce robust --ssc hc0 --format json > "$TMP/g_rob.json" 2> "$TMP/time_rob"
for v in oim rob; do
    echo "big_cells: fit ($v): wall $(awk -F': ' '/Elapsed/ {print $2}' "$TMP/time_$v")," \
         "peak RSS $(awk '/Maximum resident/ {printf "%.0f MB", $NF / 1024}' "$TMP/time_$v")"
done

# term estimate std.error per line, from the JSON's coefficient rows
rows_of() {
    grep '"term":' "$1" | sed 's/.*"term": "\([^"]*\)", "estimate": \([^,]*\), "std.error": \([^,]*\),.*/\1 \2 \3/'
}
ll_of() { sed -n 's/^  "loglik": \([^,]*\),/\1/p' "$1"; }
fail=0
for v in oim rob; do
    rows_of "$TMP/b_$v.json" > "$TMP/b_$v.txt"
    rows_of "$TMP/g_$v.json" > "$TMP/g_$v.txt"
    paste -d' ' "$TMP/b_$v.txt" "$TMP/g_$v.txt" | awk -v k="$COPIES" -v v=$v '
        function rel(a, b) { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; return b ? d / b : d }
        { e = rel($5, $2); s = rel($6 * sqrt(k), $3)
          printf "big_cells: %-4s %-12s coef %.17g vs %.17g (rel %.1e); se*sqrt(k) %.17g vs %.17g (rel %.1e)\n",
                 v, $1, $5, $2, e, $6 * sqrt(k), $3, s
          if ($1 != $4 || e > 1e-7 || s > 1e-7) bad = 1 }
        END { exit bad }' || fail=1
done
llb=$(ll_of "$TMP/b_oim.json"); llg=$(ll_of "$TMP/g_oim.json")
awk -v a="$llg" -v b="$llb" -v k="$COPIES" 'BEGIN {
    r = (a - k * b) / (k * b); if (r < 0) r = -r
    printf "big_cells: loglik %.17g vs %d x %.17g (rel %.1e)\n", a, k, b, r; exit r > 1e-7 }' || fail=1
if grep -q '"nobs": '"$rows" "$TMP/g_oim.json"; then :; else
    echo "big_cells: FAIL: nobs is not $rows"; fail=1; fi

# the base fit against R's glm, when R is there
if command -v Rscript > /dev/null 2>&1; then
    Rscript -e 'd <- read.csv(commandArgs(TRUE)[1]); m <- glm(y ~ x1 + x2 + x3, binomial, d,
        control = glm.control(epsilon = 1e-14, maxit = 100)); s <- sqrt(diag(vcov(m)))
        for (j in seq_along(coef(m))) cat(names(coef(m))[j], sprintf("%.17g", coef(m)[j]),
        sprintf("%.17g", s[j]), "\n")' "$base" > "$TMP/r.txt"
    paste -d' ' "$TMP/b_oim.txt" "$TMP/r.txt" | awk '
        function rel(a, b) { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; return b ? d / b : d }
        { if ($1 != $4 || rel($2, $5) > 1e-8 || rel($3, $6) > 1e-8) { bad = 1
              print "big_cells: base fit differs from glm: " $0 } }
        END { if (!bad) print "big_cells: base fit = glm to 1e-8"; exit bad }' || fail=1
fi
if [ "$fail" -ne 0 ]; then echo "big_cells: FAILED"; exit 1; fi
echo "big_cells: passed"
