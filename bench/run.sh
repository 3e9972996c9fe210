#!/bin/sh
# bench/run.sh -- dyadfit against its peers on synthetic dyad-year data.
#
#   sh bench/run.sh                     (make bench)
#   BENCH_SCALE=0.1 BENCH_REPS=1 sh bench/run.sh     quick run
#
# Environment:
#   BENCH_SCALE   data size: 1 = ~2.2M dyad-years (0.1 .. 10), default 1
#   BENCH_REPS    runs of every task, default 3 (median and min are reported)
#   BENCH_PEER_REPS runs of every R task, default BENCH_REPS
#   BENCH_TIMEOUT seconds before a single run is abandoned, default 900
#   BENCH_PEERS   0 to time dyadfit only (no R), default 1
#   BENCH_PROFILE 1 to add a perf profile of the dyadfit logit run, default 1
#   BENCH_REPORT_ONLY 1 to keep the runs already made (e.g. after a failed report)
#   BENCH_STREAM  0 to leave out bench/stream.sh (streaming at scale 10 and
#                 MPI scaling, issue 11: ~20 more minutes), default 1
#   BENCH_STREAM_REPS runs of every streaming task, default BENCH_REPS
#   DYADFIT       the binary, default build/dyadfit
#
# Every task is a separate process timed from outside (wall clock, peak
# resident memory from /usr/bin/time -v), so reading the file is included
# unless the row says otherwise.  R also reports the time of the fit + variance
# alone (rows marked "fit+vce only").  Estimates of every peer are compared
# with dyadfit's: max relative difference of coefficients and of SEs.
# Output: bench/RESULTS.md (and raw runs under bench/data/work-s<SCALE>/).
set -u
cd "$(dirname "$0")/.." || exit 5

SCALE=${BENCH_SCALE:-1}
REPS=${BENCH_REPS:-3}
TMO=${BENCH_TIMEOUT:-900}
PEERS=${BENCH_PEERS:-1}
PROFILE=${BENCH_PROFILE:-1}
DYADFIT=${DYADFIT:-build/dyadfit}
D=bench/data
W=$D/work-s$SCALE
OUT=bench/RESULTS.md
DTA=$D/dyads_s$SCALE.dta
CSV=$D/dyads_s$SCALE.csv
CDTA=$D/dyads_cox_s$SCALE.dta

F_BIN="dispute ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + log(distance) + log(trade) + igos + coldwar + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"
F_COX="Surv(start, stop, event) ~ defense + neutrality + entente + contig + jointdem + majpow + log(distance) + coldwar"

die() { echo "bench: $*" >&2; exit 5; }
[ -x "$DYADFIT" ] || die "$DYADFIT not built (make first, or set DYADFIT)"
if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time" >&2
    apt-get install -y time >/dev/null 2>&1 || die "/usr/bin/time missing and apt-get install time failed"
fi
# the data generator needs data.table; the peers need haven, sandwich,
# survival, brglm2 (Debian packages) and fixest (CRAN, below)
bench_pkgs="r-base-core r-cran-data.table"
[ "$PEERS" = 1 ] && bench_pkgs="$bench_pkgs r-cran-haven r-cran-sandwich r-cran-survival r-cran-brglm2"
missing=""
for p in $bench_pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "bench: installing$missing" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends $missing; } >/dev/null 2>&1 || die "could not install$missing"
fi
if [ "$PEERS" = 1 ]; then
    command -v Rscript >/dev/null || die "Rscript not found (BENCH_PEERS=0 to time dyadfit alone)"
    if ! Rscript -e 'quit(status = !requireNamespace("fixest", quietly = TRUE))' >/dev/null 2>&1; then
        echo "bench: installing fixest from CRAN" >&2
        Rscript -e 'install.packages("fixest", repos = "https://cloud.r-project.org", Ncpus = 2)' >/dev/null 2>&1 ||
            echo "bench: fixest could not be installed; its rows will say so" >&2
    fi
fi
mkdir -p "$W"
if [ ! -f "$DTA" ] || [ ! -f "$CSV" ] || [ ! -f "$CDTA" ]; then
    echo "bench: generating data at scale $SCALE" >&2
    Rscript bench/gen_dyads.R "$SCALE" "$D" >&2 || die "data generation failed"
fi

# memory bandwidth (single thread streaming read of 1 GiB)
cc -O2 -march=native -o "$W/membw" bench/membw.c 2>/dev/null || cc -O2 -o "$W/membw" bench/membw.c || die "cannot compile bench/membw.c"
BW=$("$W/membw" 1024 2>/dev/null)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
# in-process split of dyadfit's time (read / fit), linked against the library
LIBDIR=$(dirname "$DYADFIT")
PHASES=""
if cc -O2 -std=c11 -Iinclude -o "$W/phases" bench/phases.c "$LIBDIR/libdyadfit.a" -lreadstat -lcjson -lglpk \
        $(gsl-config --libs-without-cblas 2>/dev/null || echo -lgsl) \
        $(pkg-config --libs openblas 2>/dev/null || echo -lopenblas) -lcrypto -lm -lpthread 2>"$W/phases.cc.err"; then
    PHASES="$W/phases"
else
    echo "bench: bench/phases.c did not link ($W/phases.cc.err); no in-process split" >&2
fi

# run NAME CMD...: REPS timed runs; W/NAME.tsv gets "wall_s rss_kb rc" lines,
# W/NAME.out / .err the output of the last run, W/NAME.timing R's own timings.
run() {
    name=$1; shift
    # BENCH_REPORT_ONLY=1: keep the runs already in W (rewrite the report)
    if [ "${BENCH_REPORT_ONLY:-0}" = 1 ] && [ -s "$W/$name.tsv" ]; then return; fi
    : > "$W/$name.tsv"; : > "$W/$name.timing"
    i=0
    while [ $i -lt "$REPS" ]; do
        i=$((i + 1))
        t0=$(date +%s.%N)
        timeout "$TMO" /usr/bin/time -v -o "$W/$name.time" "$@" > "$W/$name.out" 2> "$W/$name.err"
        rc=$?
        t1=$(date +%s.%N)
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/$name.time" 2>/dev/null)
        echo "$t0 $t1 ${rss:-0} $rc" | awk '{printf "%.4f %s %s\n", $2 - $1, $3, $4}' >> "$W/$name.tsv"
        grep '^TIMING' "$W/$name.out" >> "$W/$name.timing" 2>/dev/null
        [ $i -gt 1 ] || : > "$W/$name.passes"
        grep '^PASSTIMING' "$W/$name.err" >> "$W/$name.passes" 2>/dev/null
        echo "bench: $name run $i: $(tail -1 "$W/$name.tsv")" >&2
        [ $rc -eq 0 ] || break     # a failure or timeout is not repeated
    done
}

# st NAME [field]: "median (min)" of the wall time, or of an R TIMING field
# (read or fit); "FAIL rc" if the last run failed.
st() {
    if [ $# -ge 2 ]; then
        sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$W/$1.timing"
    else
        awk '$3 == 0 {print $1}' "$W/$1.tsv"
    fi | sort -g | awk '{v[NR] = $1} END {
        if (NR == 0) { print "-"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3g (%.3g)\n", m, v[1] }'
}
failed() { awk 'END {exit !($3 != 0)}' "$W/$1.tsv"; }
rc_of() { tail -1 "$W/$1.tsv" | awk '{print $3}'; }
med() { echo "$1" | awk '{print $1}'; }
mb() { awk '$3 == 0 {if ($2 > m) m = $2} END {if (m) printf "%.0f", m / 1024; else print "-"}' "$W/$1.tsv"; }
ratio() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else print "-"}'; }
. bench/common.sh    # cmpest

ROWS=""
# row TASK DYADFIT_RUN PEER_RUN PEER_LABEL [PEER_FIELD] [DYADFIT_CSV PEER_CSV]
row() {
    task=$1; dn=${2%%:*}; df=""; pn=$3; plabel=$4; pf=${5:-}
    case $2 in *:*) df=${2#*:} ;; esac      # NAME:FIELD = an in-process timing
    if [ -n "$dn" ] && failed "$dn"; then ds="fails (exit $(rc_of "$dn"))"
    elif [ -n "$df" ]; then ds=$(st "$dn" "$df")
    else ds=$([ -n "$dn" ] && st "$dn" || echo "-"); fi
    if [ -z "$pn" ]; then ps="-"; elif failed "$pn"; then ps="fails (exit $(rc_of "$pn"))"
    elif [ -n "$pf" ]; then ps=$(st "$pn" "$pf"); else ps=$(st "$pn"); fi
    r=$([ -n "$dn" ] && [ -n "$pn" ] && ratio "$ps" "$ds" || echo "-")
    dm=$([ -n "$dn" ] && [ -z "$df" ] && mb "$dn" || echo "-"); pm=$([ -n "$pn" ] && { [ -z "$pf" ] || [ "$pf" = read ]; } && mb "$pn" || echo "-")
    diff=$([ $# -ge 7 ] && cmpest "$6" "$7" || echo "-")
    ROWS="$ROWS| $task | $ds | $plabel: $ps | $r | $dm | $pm | $diff |
"
}

# ---- dyadfit -----------------------------------------------------------------------
run df_read "$DYADFIT" describe "$DTA"
[ -n "$PHASES" ] && run df_phases "$PHASES" "$DTA" "$F_BIN" dyad
run df_read_csv "$DYADFIT" describe "$CSV"
for L in logit probit cloglog; do
    # probit/cloglog: expected information, as glm/vcovCL and fixest use (for
    # the canonical logit link observed = expected)
    INFO=""; [ $L = logit ] || INFO="--information expected"
    run "df_$L" "$DYADFIT" fit $L "$F_BIN" "$DTA" --vce cluster dyad $INFO --format csv
    cp "$W/df_$L.out" "$W/df_$L.est"
done
run df_logit_csv "$DYADFIT" fit logit "$F_BIN" "$CSV" --vce cluster dyad --format csv
cp "$W/df_logit_csv.out" "$W/df_logit_csv.est"
REPS_SAVE=$REPS; REPS=1
run df_logit_json "$DYADFIT" fit logit "$F_BIN" "$DTA" --vce cluster dyad --format json
REPS=$REPS_SAVE
ITER=$(sed -n 's/.*"iterations": *\([0-9]*\).*/\1/p' "$W/df_logit_json.out")
NOBS=$(sed -n 's/.*"nobs": *\([0-9]*\).*/\1/p' "$W/df_logit_json.out")
K=$(($(wc -l < "$W/df_logit.est") - 1))
run df_cox "$DYADFIT" fit cox "$F_COX" "$CDTA" --vce cluster dyad --ssc hc0 --format csv
cp "$W/df_cox.out" "$W/df_cox.est"
run df_relogit "$DYADFIT" fit relogit "$F_BIN" "$DTA" --vce cluster dyad --tau 0.005 --format csv
run df_firth "$DYADFIT" fit firth "$F_BIN" "$DTA" --ci wald --format csv
cp "$W/df_firth.out" "$W/df_firth.est"

# ---- peers ---------------------------------------------------------------------------
if [ "$PEERS" = 1 ]; then
    REPS=${BENCH_PEER_REPS:-$REPS}
    run r_read Rscript bench/peers.R read "$DTA"
    for L in logit probit cloglog; do
        run "r_glm_$L" Rscript bench/peers.R "glm-$L" "$DTA" "$W/r_glm_$L.est"
        run "r_fixest_$L" Rscript bench/peers.R "fixest-$L" "$DTA" "$W/r_fixest_$L.est"
    done
    run r_glm_logit_csv Rscript bench/peers.R glm-logit-csv "$CSV" "$W/r_glm_logit_csv.est"
    run r_coxph Rscript bench/peers.R coxph "$CDTA" "$W/r_coxph.est"
    run r_brglm2 Rscript bench/peers.R brglm2 "$DTA" "$W/r_brglm2.est"
fi

# ---- the floor of a Newton pass --------------------------------------------------
# dyadfit time per iteration ~ (fit time - read time) / iterations (includes the
# design build, the variance and the output, so it is an upper bound).
# dyadfit per iteration: the whole fit from the table (bench/phases.c, min of
# the runs) / iterations.  An upper bound: it includes design building, the
# separation and collinearity checks, the variance and extra passes.
PASS="-"; FITMIN="-"; READMIN="-"; OIMMIN="-"
if [ -n "$PHASES" ] && [ -s "$W/df_phases.timing" ]; then
    FITMIN=$(sed -n 's/.*fit_cluster=\([0-9.]*\).*/\1/p' "$W/df_phases.timing" | sort -g | head -1)
    READMIN=$(sed -n 's/.*read=\([0-9.]*\).*/\1/p' "$W/df_phases.timing" | sort -g | head -1)
    OIMMIN=$(sed -n 's/.*fit_oim=\([0-9.]*\).*/\1/p' "$W/df_phases.timing" | sort -g | head -1)
    PASS=$(awk -v f="$FITMIN" -v it="$ITER" 'BEGIN {if (it > 0) printf "%.1f", 1000 * f / it; else print "-"}')
fi
# the fused pass alone, timed inside the library (DYADFIT_PASS_TIMING, set
# by bench/phases.c): min and mean over every pass of every run, in ms
PASSMIN="-"; PASSMEAN="-"; PASSN=0
if [ -s "$W/df_phases.passes" ]; then
    PASSMIN=$(sed -n 's/.* min=\([0-9.]*\).*/\1/p' "$W/df_phases.passes" | sort -g | head -1 | awk '{printf "%.1f", 1000 * $1}')
    PASSMEAN=$(awk '{for (f = 1; f <= NF; f++) {split($f, kv, "="); v[kv[1]] = kv[2]} s += v["passes"] * v["mean"]; m += v["passes"]}
        END {if (m) printf "%.1f", 1000 * s / m; else print "-"}' "$W/df_phases.passes")
    PASSN=$(awk '{split($2, kv, "="); m += kv[2]} END {print m + 0}' "$W/df_phases.passes")
fi
FLOOR=$(awk -v n="$NOBS" -v k="$K" -v bw="$BW" 'BEGIN {if (bw > 0) printf "%.1f", 1000 * n * k * 8 / (bw * 1e9); else print "-"}')

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
# ---- RESULTS.md ------------------------------------------------------------------------
if [ "$PEERS" = 1 ]; then
    [ -n "$PHASES" ] && row "read .dta (in-process clocks)" df_phases:read r_read "haven::read_dta" read
    row "read .dta (dyadfit describe process vs R clock)" df_read r_read "haven::read_dta (peak MB: whole R process)" read
    row "logit + dyad-cluster SE (.dta, read incl.)" df_logit r_glm_logit "glm+vcovCL whole script" "" "$W/df_logit.est" "$W/r_glm_logit.est"
    row "logit + dyad-cluster SE" df_logit r_glm_logit "glm+vcovCL fit+vce only" fit
    row "logit + dyad-cluster SE (.dta, read incl.)" df_logit r_fixest_logit "fixest::feglm whole script" "" "$W/df_logit.est" "$W/r_fixest_logit.est"
    row "logit + dyad-cluster SE" df_logit r_fixest_logit "fixest::feglm fit+vce only" fit
    row "logit + dyad-cluster SE (CSV, read incl.)" df_logit_csv r_glm_logit_csv "fread+glm+vcovCL whole script" "" "$W/df_logit_csv.est" "$W/r_glm_logit_csv.est"
    for L in probit cloglog; do
        row "$L + dyad-cluster SE (.dta, read incl.)" "df_$L" "r_glm_$L" "glm+vcovCL whole script" "" "$W/df_$L.est" "$W/r_glm_$L.est"
        row "$L + dyad-cluster SE" "df_$L" "r_glm_$L" "glm+vcovCL fit+vce only" fit
        row "$L + dyad-cluster SE (.dta, read incl.)" "df_$L" "r_fixest_$L" "fixest::feglm whole script" "" "$W/df_$L.est" "$W/r_fixest_$L.est"
    done
    row "Cox (Efron) + dyad-cluster SE (start-stop .dta)" df_cox r_coxph "survival::coxph whole script" "" "$W/df_cox.est" "$W/r_coxph.est"
    row "Cox (Efron) + dyad-cluster SE" df_cox r_coxph "survival::coxph fit+vce only" fit
    row "Firth logit, Wald SE" df_firth r_brglm2 "brglm2 whole script" "" "$W/df_firth.est" "$W/r_brglm2.est"
    row "Firth logit, Wald SE" df_firth r_brglm2 "brglm2 fit only" fit
    if python3 -c 'import statsmodels' 2>/dev/null; then
        SM="statsmodels is importable but not yet benchmarked"
    else
        SM="statsmodels: not importable by python3 here, not benchmarked"
    fi
else
    row "read .dta" df_read "" "-"
    for L in logit probit cloglog; do row "$L + dyad-cluster SE (.dta, read incl.)" "df_$L" "" "-"; done
    row "logit + dyad-cluster SE (CSV, read incl.)" df_logit_csv "" "-"
    row "Cox (Efron) + dyad-cluster SE" df_cox "" "-"
    row "Firth logit, Wald SE" df_firth "" "-"
    SM="peers not run (BENCH_PEERS=0)"
fi
row "read CSV" df_read_csv "" "-"
row "relogit (prior correction tau 0.005) + dyad-cluster SE" df_relogit "" "no R peer (Zelig is off CRAN)"

rv() { Rscript -e "cat(as.character(packageVersion('$1')))" 2>/dev/null || echo "not installed"; }
NROW=$(sed -n 's/.*: \([0-9]*\) rows.*/\1/p' "$W/df_read.out" | head -1)
{
    echo "# dyadfit benchmark"
    echo
    echo "Generated by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'). Do not edit by hand."
    echo
    echo "## Setup"
    echo
    echo "- Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
    echo "- Load average (1, 5, 15 min) at the start: $LOAD0; at the end of the runs: $LOAD1 (on $(nproc) cores: above $(nproc) means other processes competed for the CPU and every time is inflated)"
    echo "- Memory bandwidth (single-thread streaming read of 1 GiB, bench/membw.c): $BW GB/s"
    echo "- dyadfit $("$DYADFIT" --version 2>&1 | head -1); OpenBLAS $(dpkg-query -W -f '${Version}' 'libopenblas0-pthread' 2>/dev/null || echo '?'); ReadStat $(dpkg-query -W -f '${Version}' 'libreadstat1' 2>/dev/null || echo '?'); $(cc --version | head -1)"
    if [ "$PEERS" = 1 ]; then
        echo "- $(R --version | head -1); haven $(rv haven), data.table $(rv data.table), sandwich $(rv sandwich), fixest $(rv fixest), survival $(rv survival), brglm2 $(rv brglm2)"
    fi
    echo "- Data: bench/gen_dyads.R scale $SCALE: $NROW directed dyad-years ($DTA, $(du -m "$DTA" | cut -f1) MB; CSV $(du -m "$CSV" | cut -f1) MB), Cox start-stop file $(($(wc -l < "$D/dyads_cox_s$SCALE.csv") - 1)) spells"
    echo "- Binary model: \`$F_BIN\` ($K coefficients, $NOBS rows used after listwise deletion), SEs clustered on \`dyad\`"
    echo "- Cox model: \`$F_COX\`, Efron ties, SEs clustered on \`dyad\` without small-sample factor (as coxph)"
    echo "- $REPS_SAVE runs per dyadfit task, $REPS per R task; times in seconds as median (min); peak MB = max resident set size of the process"
    echo
    echo "## Results"
    echo
    echo "| task | dyadfit median (min) | peer median (min) | ratio peer/dyadfit | peak MB dyadfit | peak MB peer | max rel diff coef / SE |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s' "$ROWS"
    echo
    echo "Rows \"whole script\" time the R process from start to end (R start-up, library loading, reading, fitting, variance); rows \"fit+vce only\" are R's own clock around the model call and the variance, compared with the whole dyadfit process (so they favour R). $SM."
    echo
    echo "Variance conventions are matched (bench/peers.R): vcovCL(type = \"HC0\", cadjust = TRUE) and fixest ssc(K.adj = FALSE, G.adj = TRUE) both equal dyadfit's default G/(G-1) cluster factor; coxph's cluster variance has no factor (dyadfit --ssc hc0); brglm2 (type = \"AS_mean\", the Firth fit) reports model-based SEs (dyadfit firth --vce oim). Relative differences are |peer - dyadfit| / |dyadfit| per coefficient, maximum over coefficients."
    echo
    echo "## Newton pass against the memory floor (logit)"
    echo
    echo "- iterations: $ITER; rows used: $NOBS; columns: $K"
    echo "- X is $NOBS x $K doubles = $(awk -v n="$NOBS" -v k="$K" 'BEGIN {printf "%.0f", n * k * 8 / 1e6}') MB; at $BW GB/s one read of X takes $FLOOR ms (the floor for one fused pass)"
    echo "- dyadfit in-process (bench/phases.c, min over runs): read $READMIN s; fit from the table $FITMIN s with dyad-cluster SEs ($OIMMIN s with OIM SEs)"
    echo "- dyadfit: fit / iterations = $PASS ms per iteration (upper bound: includes design building, the separation and collinearity checks, the variance, and the extra objective evaluations of the line search)"
    echo "- the fused pass alone (eta, log-likelihood, gradient and X'WX over both threads' halves; wall time inside the library, DYADFIT_PASS_TIMING, $PASSN passes over the runs): min $PASSMIN ms, mean $PASSMEAN ms; $(awk -v p="$PASSMIN" -v f="$FLOOR" 'BEGIN {if (p + 0 > 0 && f + 0 > 0) printf "%.1fx the floor", p / f; else print "no ratio"}')"
} > "$OUT"
if [ "$PROFILE" = 1 ] && command -v perf >/dev/null 2>&1; then
    if perf record -q -g -o "$W/perf.data" "$DYADFIT" fit logit "$F_BIN" "$DTA" --vce cluster dyad --format csv >/dev/null 2>"$W/perf.err"; then
        {
            echo
            echo "## Where dyadfit's logit time goes (perf, self time, top 15)"
            echo
            echo '```'
            perf report -q -i "$W/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
                grep -v '^$' | grep '%' | grep -v '^ *|' | grep -v '\-\-' | head -15
            echo '```'
        } >> "$OUT"
    fi
fi
# ---- streaming and MPI (issue 11): bench/stream.sh's section --------------
if [ "${BENCH_STREAM:-1}" = 1 ]; then
    if BENCH_REPS=${BENCH_STREAM_REPS:-$REPS_SAVE} DYADFIT=$DYADFIT sh bench/stream.sh "$W/stream.md"; then
        { echo; cat "$W/stream.md"; } >> "$OUT"
    else
        printf '\n## Streaming and MPI (issue 11)\n\nbench/stream.sh failed (exit %s); see bench/data/work-stream/.\n' "$?" >> "$OUT"
    fi
fi
echo "bench: wrote $OUT" >&2
