#!/bin/sh
# tests/mpi/run.sh BIN MPIBIN -- streamed fits over 2 and 3 MPI ranks (make
# mpi) against the in-memory fit of BIN.
# - Estimates: every number of the CSV output (estimate, std.error,
#   statistic, p.value, interval) equal to 1e-10 relative, and the rows used
#   (nobs in the JSON) equal: .dta, .sav (each rank parses its own block of
#   rows), .csv (each rank reads its own byte range), a CSV with a newline
#   inside quotes (every rank reads the whole file: checked through the
#   DYADFIT_STREAM_TIMING line), NaN outcomes only in the second half, more
#   ranks than chunks (a rank with nothing to read).
# - Errors in one rank's block only (bad outcome, infinite covariate, in the
#   last part of the file): every rank stops, within a time limit (no hang),
#   with the exit code and the first line of the message of the in-memory
#   fit (same row and line numbers). The .dta variant needs Rscript with
#   haven to write the file, and is skipped without it.
# - --vce bootstrap in memory on 2 and 3 ranks: the replications are shared,
#   the output is the one-process output to the digit.
# - cox --stream on 2 to 4 ranks (the pipelined sweep): estimates as in
#   memory (strata by number and by text, counting process and
#   right-censored, weights, offsets, Breslow, robust and cluster SEs, the
#   Leeds data sorted by peace years); the order broken where two blocks
#   meet reported as one process reports it; a file that every rank would
#   read whole refused.
set -u
BIN=${1:-build/dyadfit}
MPIBIN=${2:-build-mpi/dyadfit}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
pass=0; fail=0; skip=0
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
LIMIT=300   # seconds: a fit here takes about 1; a hang is a failure
F="mid_onset ~ defense + neutrality + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2)"

# same_csv A B: the two broom tables agree to 1e-10 relative
same_csv() {
    awk -F, 'NR == FNR { for (j = 1; j <= NF; j++) a[FNR, j] = $j; n = FNR; next }
        { if ($1 != a[FNR, 1]) bad = 1
          for (j = 2; j <= NF; j++) {
              x = $j + 0; y = a[FNR, j] + 0; d = x - y; if (d < 0) d = -d
              s = y < 0 ? -y : y
              if (FNR > 1 && d > 1e-10 * s + 1e-300) { bad = 1; print "  " $1 " column " j ": " $j " vs " a[FNR, j] }
          } }
        END { exit (bad || FNR != n || n < 2) }' "$1" "$2"
}

nobs() { sed -n 's/.*"nobs": *\([0-9.e+]*\).*/\1/p' "$1" | head -1; }

# compare NAME NP FILE EST [fit options]: MPI fit on NP ranks = in-memory fit
compare() {
    name=$1; np=$2; file=$3; est=$4; shift 4
    "$BIN" fit "$est" "$F" "$file" "$@" --format csv > "$T/mem.csv" 2> "$T/err" &&
    "$BIN" fit "$est" "$F" "$file" "$@" --format json > "$T/mem.json" 2>> "$T/err" &&
    DYADFIT_STREAM_TIMING=1 timeout $LIMIT $MPIRUN -np "$np" "$MPIBIN" fit "$est" "$F" "$file" \
        "$@" --stream --chunk-rows "${CHUNK:-5000}" --format csv --save "$T/mpi.json" \
        > "$T/mpi.csv" 2> "$T/timing"
    if [ $? -ne 0 ]; then
        fail=$((fail+1)); echo "FAIL $name: a fit failed"; cat "$T/err" "$T/timing"; return
    fi
    if ! same_csv "$T/mem.csv" "$T/mpi.csv"; then
        fail=$((fail+1)); echo "FAIL $name: MPI and in-memory fits differ"; return
    fi
    if [ "$(nobs "$T/mem.json")" != "$(nobs "$T/mpi.json")" ] || [ -z "$(nobs "$T/mem.json")" ]; then
        fail=$((fail+1)); echo "FAIL $name: rows used $(nobs "$T/mpi.json") vs $(nobs "$T/mem.json")"; return
    fi
    # each rank's share: whole=0 (its own block) unless WHOLE=1 is expected
    want=${WHOLE:-0}
    got=$(grep -c "dyadfit-stream-timing .*whole=$want " "$T/timing")
    if [ "$got" -ne "$np" ]; then
        fail=$((fail+1)); echo "FAIL $name: expected whole=$want on $np ranks:"; cat "$T/timing"; return
    fi
    # the ranks' rows add up to the rows used
    sum=$(sed -n 's/.* rows=\([0-9]*\) .*/\1/p' "$T/timing" | awk '{ s += $1 } END { print s }')
    if [ "$sum" != "$(nobs "$T/mem.json")" ]; then
        fail=$((fail+1)); echo "FAIL $name: ranks' rows add up to $sum"; return
    fi
    pass=$((pass+1))
}

# fails NAME NP FILE: the MPI fit stops (no hang) with the in-memory fit's
# exit code and first message line
fails() {
    name=$1; np=$2; file=$3
    "$BIN" fit logit "$F" "$file" --vce cluster dyad > /dev/null 2> "$T/mem.err"
    mrc=$?
    timeout $LIMIT $MPIRUN -np "$np" "$MPIBIN" fit logit "$F" "$file" --vce cluster dyad \
        --stream --chunk-rows 5000 > /dev/null 2> "$T/mpi.err"
    rc=$?
    if [ $rc -eq 124 ]; then fail=$((fail+1)); echo "FAIL $name: hung (killed after ${LIMIT}s)"; return; fi
    if [ $mrc -eq 0 ] || [ $rc -ne $mrc ]; then
        fail=$((fail+1)); echo "FAIL $name: exit code $rc, in memory $mrc"; cat "$T/mpi.err"; return
    fi
    # rank 0 alone prints: exactly one dyadfit line, the in-memory one
    if [ "$(grep -c '^dyadfit:' "$T/mpi.err")" -ne 1 ] ||
       [ "$(grep '^dyadfit:' "$T/mpi.err")" != "$(head -1 "$T/mem.err")" ]; then
        fail=$((fail+1)); echo "FAIL $name: message"; echo "  mpi: $(grep '^dyadfit:' "$T/mpi.err")"
        echo "  mem: $(head -1 "$T/mem.err")"; return
    fi
    pass=$((pass+1))
}

compare logit-cluster-dta-2 2 data/leeds_dyads.dta logit --vce cluster dyad
compare probit-robust-dta-2 2 data/leeds_dyads.dta probit --vce robust
compare logit-cluster-sav-3 3 data/leeds_dyads.sav logit --vce cluster dyad
compare cloglog-oim-csv-3 3 data/leeds_dyads.csv cloglog
compare logit-cluster-csv-2 2 data/leeds_dyads.csv logit --vce cluster dyad
# 2 chunks of 100,000 rows, 3 ranks: the last has nothing to read
CHUNK=100000 compare logit-cluster-dta-emptyrank 3 data/leeds_dyads.dta logit --vce cluster dyad

# the last column: text in quotes, with a newline inside the quotes in one
# row of the second half: lines are not records, every rank reads it all
awk -F, -v OFS=, '{ n = NR == 1 ? "note" : (NR == 90000 ? "\"two\nlines\"" : "\"x\""); print $0, n }' \
    data/leeds_dyads.csv > "$T/quoted.csv"
WHOLE=1 compare logit-cluster-csv-quoted-2 2 "$T/quoted.csv" logit --vce cluster dyad
# CRLF line ends and blank lines; NaN outcomes (missing) in the second half only
awk -F, -v OFS=, '{ if (NR >= 120001 && NR < 120011) $5 = "NaN"; printf "%s\r\n", $0
                    if (NR % 20000 == 7) printf "\r\n" }' data/leeds_dyads.csv > "$T/nan.csv"
compare logit-cluster-csv-nan-crlf-3 3 "$T/nan.csv" logit --vce cluster dyad

# errors in the second half only: rank 0's block is clean
awk -F, -v OFS=, 'NR == 130001 { $5 = 2 } { print }' data/leeds_dyads.csv > "$T/bad_y.csv"
fails bad-outcome-csv-2 2 "$T/bad_y.csv"
fails bad-outcome-csv-3 3 "$T/bad_y.csv"
awk -F, -v OFS=, 'NR == 120001 { $14 = "Inf" } { printf "%s\r\n", $0; if (NR == 5) printf "\r\n" }' \
    data/leeds_dyads.csv > "$T/inf.csv"
fails infinite-covariate-csv-crlf-2 2 "$T/inf.csv"
# the same when every rank reads the whole file (newline inside quotes)
awk -F, -v OFS=, 'NR == 130001 { $5 = 2 } { print }' "$T/quoted.csv" > "$T/quoted_bad.csv"
fails bad-outcome-csv-quoted-2 2 "$T/quoted_bad.csv"
if command -v Rscript > /dev/null 2>&1 &&
   Rscript -e 'd <- haven::read_dta("data/leeds_dyads.dta"); d$mid_onset[140000] <- 2; haven::write_dta(d, commandArgs(TRUE)[1])' \
       "$T/bad_y.dta" > /dev/null 2>&1; then
    fails bad-outcome-dta-2 2 "$T/bad_y.dta"
    fails bad-outcome-dta-3 3 "$T/bad_y.dta"
else
    skip=$((skip+1)); echo "skipped: bad-outcome-dta (no Rscript with haven)"
fi
# --- --vce bootstrap in memory (no --stream): every rank reads the whole
# file, rank r runs replications r, r + NP, ...; the standard errors equal
# the one-process run's (compared at 1e-10 relative; they are the same bits)
# boot NAME NP FILE EST FORMULA [fit options]
boot() {
    name=$1; np=$2; file=$3; est=$4; form=$5; shift 5
    "$BIN" fit "$est" "$form" "$file" "$@" --format csv > "$T/bmem.csv" 2> "$T/err" &&
    timeout $LIMIT $MPIRUN -np "$np" "$MPIBIN" fit "$est" "$form" "$file" "$@" \
        --format csv --save "$T/bmpi.json" > "$T/bmpi.csv" 2>> "$T/err"
    if [ $? -ne 0 ]; then
        fail=$((fail+1)); echo "FAIL $name: a fit failed"; cat "$T/err"; return
    fi
    if ! same_csv "$T/bmem.csv" "$T/bmpi.csv"; then
        fail=$((fail+1)); echo "FAIL $name: MPI and one-process bootstrap differ"; return
    fi
    if ! cmp -s "$T/bmem.csv" "$T/bmpi.csv"; then
        fail=$((fail+1)); echo "FAIL $name: equal to 1e-10 but not the same digits"; return
    fi
    # the MPI build's own single process agrees too (no mpirun)
    "$MPIBIN" fit "$est" "$form" "$file" "$@" --format csv > "$T/bone.csv" 2>> "$T/err"
    if ! cmp -s "$T/bmem.csv" "$T/bone.csv"; then
        fail=$((fail+1)); echo "FAIL $name: the MPI binary alone differs"; return
    fi
    if ! grep -q '"type": "bootstrap"' "$T/bmpi.json"; then
        fail=$((fail+1)); echo "FAIL $name: saved fit is not a bootstrap fit"; return
    fi
    pass=$((pass+1))
}
BF="mid_onset ~ defense + neutrality + contig + log(cap_ratio) + jointdem + majpow"
boot boot-logit-cluster-2 2 data/leeds_dyads.dta logit "$BF" --if "year >= 1980" \
    --vce bootstrap dyad --reps 24 --seed 3
boot boot-probit-rows-3 3 tests/data/models/weights.csv probit "y ~ x1 + x2" \
    --vce bootstrap --reps 101
boot boot-cloglog-fw-2 2 tests/data/models/weights.csv cloglog "y ~ x1 + x2" \
    --weights fw --vce bootstrap cl --reps 40 --seed 9
# more ranks than replications: ranks without one still take part
boot boot-logit-fewreps-3 3 tests/data/models/weights.csv logit "y ~ x1 + x2" \
    --vce bootstrap --reps 2
# an error on every rank before the bootstrap (unknown variable): no hang,
# one message, the one-process exit code
"$BIN" fit logit "y ~ nosuch" tests/data/models/weights.csv --vce bootstrap > /dev/null 2> "$T/mem.err"
mrc=$?
timeout $LIMIT $MPIRUN -np 2 "$MPIBIN" fit logit "y ~ nosuch" tests/data/models/weights.csv \
    --vce bootstrap > "$T/out" 2> "$T/mpi.err"
rc=$?
if [ $rc -ne 124 ] && [ $mrc -ne 0 ] && [ $rc -eq $mrc ] && [ ! -s "$T/out" ] &&
   [ "$(grep -c '^dyadfit:' "$T/mpi.err")" -eq 1 ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL boot-error-2: exit $rc (one process $mrc)"; cat "$T/mpi.err"; fi

# cox --stream on 2 to 4 ranks: the sweep runs as a pipeline from the last
# rank's block to the first (tied groups and risk sets carried across);
# estimates as in memory
FKEEP=$F
F="Surv(start, stop, event) ~ x1 + yr + x3 + d + strata(g)"
CHUNK=1000 compare cox-strata-cluster-csv-2 2 tests/data/models/cox_sorted.csv cox --vce cluster id
CHUNK=700 compare cox-strata-robust-dta-3 3 tests/data/models/cox_sorted.dta cox --vce robust
F="Surv(stop, event) ~ x1 + yr + x3 + d"
CHUNK=999 compare cox-breslow-weights-csv-4 4 tests/data/models/cox_sorted.csv cox --ties breslow \
    --weights w --weight-type prob --offset off --vce cluster id --ssc hc0
F="Surv(start, stop, event) ~ x1 + yr + d + strata(s, g)"
CHUNK=100 compare cox-string-strata-3 3 tests/data/models/cox_sorted_by_stratum.csv cox --vce oim
(head -1 data/leeds_dyads.csv; tail -n +2 data/leeds_dyads.csv | sort -s -t, -k17,17n) > "$T/leeds_by_py.csv"
F="Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig + log(cap_ratio) + jointdem + strata(region)"
compare cox-leeds-cluster-2 2 "$T/leeds_by_py.csv" cox --vce cluster dyad
# subject order with strata(id): strata open across the blocks' boundaries
# travel in the pipeline's slots
(head -1 tests/data/models/cox_sorted.csv; tail -n +2 tests/data/models/cox_sorted.csv |
    sort -t, -s -k11,11n -k2,2g) > "$T/cox_byid.csv"
F="Surv(stop, event) ~ x1 + x3 + strata(id)"
CHUNK=500 compare cox-strata-id-3 3 "$T/cox_byid.csv" cox --vce cluster g
F=$FKEEP
# the order broken exactly where rank 0's block meets rank 1's (a stop = 1
# row moved to data row 10001): the one-process message, on 2 ranks
awk -F, 'NR == 1 { print; next } $2 == 1 && !m { m = $0; next } { print; if (++n == 10000) print m }' \
    tests/data/models/cox_sorted.csv > "$T/cross.csv"
"$BIN" fit cox "Surv(start, stop, event) ~ x1 + yr + d" "$T/cross.csv" --stream \
    --chunk-rows 1000 > /dev/null 2> "$T/one.err"
timeout $LIMIT $MPIRUN -np 2 "$MPIBIN" fit cox "Surv(start, stop, event) ~ x1 + yr + d" \
    "$T/cross.csv" --stream --chunk-rows 1000 > "$T/out" 2> "$T/mpi.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "row 10001 has stop 1 after" "$T/one.err" &&
   [ "$(grep '^dyadfit:' "$T/mpi.err")" = "$(cat "$T/one.err")" ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL cox-unsorted-boundary-2: exit $rc"; cat "$T/one.err" "$T/mpi.err"; fi
# a CSV whose records do not follow its lines (a newline inside quotes):
# every rank would read the whole file, which the pipeline cannot use
{ head -1 tests/data/models/cox_sorted.csv | sed 's/$/,note/'
  sed -n 2p tests/data/models/cox_sorted.csv | sed 's/$/,"two\nlines"/'
  tail -n +3 tests/data/models/cox_sorted.csv | sed 's/$/,x/'; } > "$T/quoted.csv"
timeout $LIMIT $MPIRUN -np 2 "$MPIBIN" fit cox "Surv(start, stop, event) ~ x1 + yr + d" \
    "$T/quoted.csv" --stream > "$T/out" 2> "$T/mpi.err"
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$T/out" ] && [ "$(grep -c '^dyadfit:' "$T/mpi.err")" -eq 1 ] &&
   grep -q "its own block" "$T/mpi.err"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL cox-whole-file-2: exit $rc"; cat "$T/mpi.err"; fi

echo "mpi: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
