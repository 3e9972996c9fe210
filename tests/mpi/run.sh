#!/bin/sh
# tests/mpi/run.sh BIN MPIBIN -- a streamed fit over 2 MPI ranks (make mpi)
# against the in-memory fit of BIN: every number of the CSV output (estimate,
# std.error, statistic, p.value, interval) equal to 1e-10 relative, for a
# logit with dyad-clustered SEs and a probit with robust SEs.
set -u
BIN=${1:-build/dyadfit}
MPIBIN=${2:-build-mpi/dyadfit}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
MPIRUN="mpirun --allow-run-as-root --oversubscribe -np 2"
F="mid_onset ~ defense + neutrality + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2)"
compare() {  # name, then the fit arguments after the formula
    name=$1; shift
    est=$1; shift
    "$BIN" fit "$est" "$F" data/leeds_dyads.dta "$@" --format csv > "$T/mem.csv" 2> "$T/err" &&
    $MPIRUN "$MPIBIN" fit "$est" "$F" data/leeds_dyads.dta "$@" --stream --chunk-rows 5000 \
        --format csv > "$T/mpi.csv" 2>> "$T/err"
    if [ $? -ne 0 ]; then
        fail=$((fail+1)); echo "FAIL $name: a fit failed"; cat "$T/err"; return
    fi
    if awk -F, 'NR == FNR { for (j = 1; j <= NF; j++) a[FNR, j] = $j; n = FNR; next }
        { if ($1 != a[FNR, 1]) bad = 1
          for (j = 2; j <= NF; j++) {
              x = $j + 0; y = a[FNR, j] + 0; d = x - y; if (d < 0) d = -d
              s = y < 0 ? -y : y
              if (FNR > 1 && d > 1e-10 * s + 1e-300) { bad = 1; print "  " $1 " column " j ": " $j " vs " a[FNR, j] }
          } }
        END { exit (bad || FNR != n || n < 2) }' "$T/mem.csv" "$T/mpi.csv"
    then pass=$((pass+1))
    else fail=$((fail+1)); echo "FAIL $name: MPI and in-memory fits differ"; fi
}
compare logit-cluster logit --vce cluster dyad
compare probit-robust probit --vce robust
echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
