#!/bin/sh
# bench/stream.sh [OUTFILE] -- streaming (--stream) and MPI fits, issue 11.
#
#   sh bench/stream.sh                           scale 10 (22M rows), ~30 min
#   BENCH_STREAM_SCALE=0.1 BENCH_REPS=1 sh bench/stream.sh /tmp/s.md   quick
#
# (a) at scale S: `dyadfit fit logit F_BIN dyads_sS.dta --vce cluster dyad`
#     in memory and with --stream: wall time and peak RSS of the whole
#     process (/usr/bin/time -v), max relative difference of coefficients
#     and SEs between the two;
# (b) scaling: the streamed fit under mpirun -np 1 and -np 2 (the MPI build)
#     at scale 1 and scale S: wall time of mpirun, and the split that each
#     rank prints under DYADFIT_STREAM_TIMING=1 (one-time cache build, the
#     Newton passes, the final pass, rank 0's checksum of the file);
# (c) a cost model for p = 1 .. 128 ranks on a cluster (stated assumptions)
#     against what was measured at p = 1, 2 here;
# (d) Cox: the spell file dyads_cox_sS.csv sorted by stop (bench/sort_by_stop.sh
#     -> dyads_cox_sS_bystop.csv), `dyadfit fit cox F_COX FILE --vce cluster dyad
#     --ssc hc0` (bench/run.sh's Cox model) in memory and with --stream on the
#     sorted file: wall, peak RSS, the DYADFIT_STREAM_TIMING split, max relative
#     difference; plus one in-memory fit of the original (unsorted) file, and a
#     check that --stream refuses the unsorted file (exit code 2).
# Writes the markdown section "## Streaming and MPI (issue 11)" to OUTFILE
# (default bench/data/work-stream/stream.md); raw runs in bench/data/work-stream/.
#
# Environment:
#   BENCH_STREAM_SCALE  S, default 10 (0.1 .. 10; data generated if missing)
#   BENCH_STREAM_SCALING scales for (b), default "1 S" ("S" when S < 1)
#   BENCH_REPS          runs of every task, default 3 (median and min reported)
#   BENCH_TIMEOUT       seconds before a run is abandoned, default 1800
#   BENCH_STREAM_ONLY   "cox": only (d); "logit": only (a)-(c); default both
#   DYADFIT             the binary, default build/dyadfit
#   DYADFIT_MPI_BIN     the MPI binary, default build-mpi/dyadfit (make mpi)
#   MODEL_MEM_BW, MODEL_NET_BW (GB/s), MODEL_LAT_US (us): cost-model
#                       assumptions, default 10, 10, 5
set -u
cd "$(dirname "$0")/.." || exit 5

S=${BENCH_STREAM_SCALE:-10}
REPS=${BENCH_REPS:-3}
TMO=${BENCH_TIMEOUT:-1800}
DYADFIT=${DYADFIT:-build/dyadfit}
MPIBIN=${DYADFIT_MPI_BIN:-build-mpi/dyadfit}
D=bench/data
W=$D/work-stream
OUT=${1:-$W/stream.md}
MEMBW=${MODEL_MEM_BW:-10}
NETBW=${MODEL_NET_BW:-10}
LAT=${MODEL_LAT_US:-5}
if [ -n "${BENCH_STREAM_SCALING:-}" ]; then SCALING=$BENCH_STREAM_SCALING
elif awk -v s="$S" 'BEGIN { exit !(s < 1) }'; then SCALING=$S
elif [ "$S" = 1 ]; then SCALING=1
else SCALING="1 $S"; fi

ONLY=${BENCH_STREAM_ONLY:-}
case "$ONLY" in ""|cox|logit) ;; *) echo "bench/stream: BENCH_STREAM_ONLY must be cox or logit" >&2; exit 5 ;; esac
[ "$ONLY" = cox ] && SCALING=""
F_COX="Surv(start, stop, event) ~ defense + neutrality + entente + contig + jointdem + majpow + log(distance) + coldwar"
F_BIN="dispute ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + log(distance) + log(trade) + igos + coldwar + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"

die() { echo "bench/stream: $*" >&2; exit 5; }
[ -x "$DYADFIT" ] || die "$DYADFIT not built (make first, or set DYADFIT)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
HAVE_MPI=1
if [ "$ONLY" = cox ]; then
    HAVE_MPI=0
elif [ ! -x "$MPIBIN" ] || ! command -v mpirun > /dev/null 2>&1; then
    HAVE_MPI=0
    echo "bench/stream: no $MPIBIN (make mpi) or no mpirun: no MPI runs" >&2
fi
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
mkdir -p "$W" "$(dirname "$OUT")"
for s in $S $SCALING; do
    if [ ! -f "$D/dyads_s$s.dta" ] || [ ! -f "$D/dyads_cox_s$s.csv" ]; then
        echo "bench/stream: generating data at scale $s (scale 10 takes ~15 min)" >&2
        Rscript bench/gen_dyads.R "$s" "$D" >&2 || die "data generation failed (scale $s)"
    fi
done

# run NAME CMD...: REPS timed runs; W/NAME.tsv gets "wall_s rss_kb rc",
# W/NAME.timing the DYADFIT_STREAM_TIMING lines (all runs), W/NAME.out the
# last output
run() {
    name=$1; shift
    : > "$W/$name.tsv"; : > "$W/$name.timing"
    i=0
    while [ $i -lt "$REPS" ]; do
        i=$((i + 1))
        t0=$(date +%s.%N)
        DYADFIT_STREAM_TIMING=1 timeout "$TMO" /usr/bin/time -v -o "$W/$name.time" "$@" \
            > "$W/$name.out" 2> "$W/$name.err"
        rc=$?
        t1=$(date +%s.%N)
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/$name.time" 2>/dev/null)
        echo "$t0 $t1 ${rss:-0} $rc" | awk '{printf "%.4f %s %s\n", $2 - $1, $3, $4}' >> "$W/$name.tsv"
        grep '^dyadfit-stream-timing' "$W/$name.err" | sed "s/^/run=$i /" >> "$W/$name.timing"
        echo "bench/stream: $name run $i: $(tail -1 "$W/$name.tsv") (load $(cut -d' ' -f1 /proc/loadavg))" >&2
        [ $rc -eq 0 ] || break
    done
}
# "median (min)" of a list of numbers on stdin
medmin() {
    sort -g | awk '{v[NR] = $1} END { if (NR == 0) { print "-"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3g (%.3g)\n", m, v[1] }'
}
ok() { [ -s "$W/$1.tsv" ] && awk 'END { exit !($3 == 0) }' "$W/$1.tsv"; }
wall() { if ok "$1"; then awk '$3 == 0 { print $1 }' "$W/$1.tsv" | medmin; else echo "fails (exit $(tail -1 "$W/$1.tsv" | awk '{print $3}'))"; fi; }
rss() { awk '$3 == 0 { if ($2 > m) m = $2 } END { if (m) printf "%.0f", m / 1024; else print "-" }' "$W/$1.tsv"; }
# FIELD of the slowest rank, per run: "median (min)"
field() {
    [ -s "$W/$1.timing" ] || { echo "-"; return; }
    sed -n "s/^run=\([0-9]*\) .* $2=\([0-9.]*\).*/\1 \2/p" "$W/$1.timing" |
        awk '{ if (!($1 in m) || $2 > m[$1]) m[$1] = $2 } END { for (r in m) print m[r] }' | medmin
}
# the largest per-rank peak RSS in MB (from the timing line)
rankrss() {
    sed -n 's/.* maxrss_kb=\([0-9]*\).*/\1/p' "$W/$1.timing" 2>/dev/null |
        awk '{ if ($1 > m) m = $1 } END { if (m) printf "%.0f", m / 1024; else print "-" }'
}
tfield() {   # one value of FIELD from rank 0 of the last run
    sed -n "s/.*rank=0 .* $2=\([0-9.]*\).*/\1/p" "$W/$1.timing" 2>/dev/null | tail -1
}
. bench/common.sh    # cmpest

# ---- (d), first part: the spell file sorted by stop (not timed)
CCSV=$D/dyads_cox_s$S.csv
CSRT=$D/dyads_cox_s${S}_bystop.csv
if [ "$ONLY" != logit ]; then
    if [ ! -s "$CSRT" ] || [ "$CCSV" -nt "$CSRT" ]; then
        echo "bench/stream: sorting $CCSV by stop -> $CSRT" >&2
        sh bench/sort_by_stop.sh "$CCSV" "$CSRT" stop || die "sorting $CCSV failed"
    fi
fi

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
UPT0=$(uptime)
DTA=$D/dyads_s$S.dta
if [ "$ONLY" != cox ]; then
# ---- (a) in memory vs --stream at scale S
run mem_s$S "$DYADFIT" fit logit "$F_BIN" "$DTA" --vce cluster dyad --format csv
cp "$W/mem_s$S.out" "$W/mem_s$S.csv" 2>/dev/null
run stream_s$S "$DYADFIT" fit logit "$F_BIN" "$DTA" --vce cluster dyad --stream --format csv
cp "$W/stream_s$S.out" "$W/stream_s$S.csv" 2>/dev/null
# ---- (b) mpirun -np 1, 2 at each scaling scale
if [ "$HAVE_MPI" = 1 ]; then
    for s in $SCALING; do
        for p in 1 2; do
            run mpi${p}_s$s $MPIRUN -np $p "$MPIBIN" fit logit "$F_BIN" "$D/dyads_s$s.dta" \
                --vce cluster dyad --stream --format csv
            cp "$W/mpi${p}_s$s.out" "$W/mpi${p}_s$s.csv" 2>/dev/null
        done
    done
fi
fi    # ONLY != cox
# ---- (d) Cox, in memory and --stream on the stop-sorted file
if [ "$ONLY" != logit ]; then
    LOADC0=$(cut -d' ' -f1-3 /proc/loadavg)
    run cox_mem_s$S "$DYADFIT" fit cox "$F_COX" "$CSRT" --vce cluster dyad --ssc hc0 --format csv
    cp "$W/cox_mem_s$S.out" "$W/cox_mem_s$S.csv" 2>/dev/null
    run cox_stream_s$S "$DYADFIT" fit cox "$F_COX" "$CSRT" --vce cluster dyad --ssc hc0 --format csv --stream
    cp "$W/cox_stream_s$S.out" "$W/cox_stream_s$S.csv" 2>/dev/null
    # the pipelined sweep under mpirun, 1 and 2 ranks (the MPI build)
    COX_MPI=0
    if [ -x "$MPIBIN" ] && command -v mpirun > /dev/null 2>&1; then
        COX_MPI=1
        for p in 1 2; do
            run cox_mpi${p}_s$S $MPIRUN -np $p "$MPIBIN" fit cox "$F_COX" "$CSRT" --vce cluster dyad \
                --ssc hc0 --format csv --stream
            cp "$W/cox_mpi${p}_s$S.out" "$W/cox_mpi${p}_s$S.csv" 2>/dev/null
        done
    fi
    LOADC1=$(cut -d' ' -f1-3 /proc/loadavg)
    # untimed checks, one run each: the original order in memory (same
    # estimates?), and --stream on it (must be refused, exit code 2)
    reps_save=$REPS; REPS=1
    run cox_mem_orig_s$S "$DYADFIT" fit cox "$F_COX" "$CCSV" --vce cluster dyad --ssc hc0 --format csv
    cp "$W/cox_mem_orig_s$S.out" "$W/cox_mem_orig_s$S.csv" 2>/dev/null
    run cox_stream_unsorted_s$S "$DYADFIT" fit cox "$F_COX" "$CCSV" --vce cluster dyad --ssc hc0 --format csv --stream
    REPS=$reps_save
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
UPT1=$(uptime)

# ---- the report
{
echo "## Streaming and MPI (issue 11)"
echo
echo "Measured by \`sh bench/stream.sh\`${ONLY:+ (BENCH_STREAM_ONLY=$ONLY)} on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores,"
echo "$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) RAM; load average $LOAD0 before, $LOAD1 after: other jobs"
echo "share the cores, wall times are noisy, peak RSS is not). $REPS run(s) of each task, median (min)"
echo "seconds. \`uptime\` before the timed runs: \`$(echo $UPT0)\`; after: \`$(echo $UPT1)\`."
} > "$OUT.tmp"
if [ "$ONLY" != cox ]; then
N=$(sed -n 's/.* rows=\([0-9]*\) .*/\1/p' "$W/stream_s$S.timing" | head -1)
K=$(tfield stream_s$S k)
G=$(tfield stream_s$S G)
SIZE=$(stat -c %s "$DTA")
{
echo "Model (a)-(c): \`fit logit \"F_BIN\" dyads_s<scale>.dta --vce cluster dyad\` (bench/run.sh's binary"
echo "model, $K coefficients), default chunk of 65,536 rows. MPI binary: \`$MPIBIN\`."
echo
echo "### (a) In memory and \`--stream\`, scale $S ($N rows used, $(awk -v b="$SIZE" 'BEGIN {printf "%.2f GB", b / 1e9}') .dta, $G dyads)"
echo
echo "| run | wall s | peak RSS MB | cache build s | Newton s (passes) | final pass s | checksum s |"
echo "|---|---|---|---|---|---|---|"
echo "| in memory | $(wall mem_s$S) | $(rss mem_s$S) | | | | |"
echo "| \`--stream\` | $(wall stream_s$S) | $(rss stream_s$S) | $(field stream_s$S cache_s) | $(field stream_s$S newton_s) ($(tfield stream_s$S passes)) | $(field stream_s$S final_s) | $(field stream_s$S sha_s) |"
echo
echo "Max relative difference, \`--stream\` against in memory (coefficients / SEs): $(cmpest "$W/mem_s$S.csv" "$W/stream_s$S.csv")."
echo
if [ "$HAVE_MPI" = 1 ]; then
echo "### (b) Scaling: \`mpirun -np p\`, streamed"
echo
echo "Each rank reads only its block of the .dta (about n/p rows, whole chunks; ReadStat seeks to it),"
echo "caches it in TMPDIR and runs its share of every Newton pass; sums meet by MPI_Reduce + MPI_Bcast."
echo "Wall = the whole mpirun (MPI start-up included); the split is the slowest rank's (DYADFIT_STREAM_TIMING);"
echo "RSS = the largest rank's peak."
echo
echo "| scale | p | rows per rank | wall s | cache build s | Newton s (passes) | final pass s | checksum (rank 0) s | peak RSS per rank MB | diff vs p = 1 (coef / SE) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for s in $SCALING; do
    for p in 1 2; do
        n=mpi${p}_s$s
        rows=$(sed -n 's/^run=1 dyadfit-stream-timing rank=\([0-9]*\) .* rows=\([0-9]*\) .*/\1 \2/p' "$W/$n.timing" | sort -n |
               awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 }')
        d=$([ $p -gt 1 ] && cmpest "$W/mpi1_s$s.csv" "$W/$n.csv" || echo "")
        echo "| $s | $p | $rows | $(wall $n) | $(field $n cache_s) | $(field $n newton_s) ($(tfield $n passes)) | $(field $n final_s) | $(field $n sha_s) | $(rankrss $n) | $d |"
    done
done
echo
for s in $SCALING; do
    echo "Speed-up at scale $s, p = 2 over p = 1 (median wall): $(awk -v a="$(wall mpi1_s$s | cut -d' ' -f1)" -v b="$(wall mpi2_s$s | cut -d' ' -f1)" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }')."
done
echo "On one 2-core machine the two ranks share the cores (and the other jobs on it) and one memory bus: this"
echo "measures the partitioning and its overhead, not a cluster's speed-up; (c) extrapolates."
echo
fi
} >> "$OUT.tmp"

# ---- (c) the cost model, from the p = 1 run at scale S
if [ "$HAVE_MPI" = 1 ] && ok mpi1_s$S && ok mpi2_s$S; then
    t_cache=$(field mpi1_s$S cache_s | cut -d' ' -f1)
    t_newt=$(field mpi1_s$S newton_s | cut -d' ' -f1)
    t_fin=$(field mpi1_s$S final_s | cut -d' ' -f1)
    t_sha=$(field mpi1_s$S sha_s | cut -d' ' -f1)
    t_tot=$(wall mpi1_s$S | cut -d' ' -f1)
    t_tot2=$(wall mpi2_s$S | cut -d' ' -f1)
    t_newt2=$(field mpi2_s$S newton_s | cut -d' ' -f1)
    t_cache2=$(field mpi2_s$S cache_s | cut -d' ' -f1)
    passes=$(tfield mpi1_s$S passes)
    awk -v N="$N" -v K="$K" -v G="$G" -v P="$passes" -v tc="$t_cache" -v tn="$t_newt" \
        -v tf="$t_fin" -v ts="$t_sha" -v tt="$t_tot" -v tt2="$t_tot2" -v tn2="$t_newt2" \
        -v tc2="$t_cache2" -v bw="$MEMBW" -v nb="$NETBW" -v lat="$LAT" -v size="$SIZE" -v S="$S" '
    function lg(p) { return p > 1 ? int(log(p) / log(2) + 0.999999) : 0 }
    BEGIN {
        B = (K + 2) * 8                     # cache bytes per row: X (K), y, cluster id
        m = (K * K + K + 2) * 8             # doubles reduced per pass (full K x K)
        mtri = (K * (K + 1) / 2 + K + 2) * 8
        mg = G * K * 8                      # cluster score sums, final pass
        cpass = tn / P / N                  # s per row per pass, measured at p = 1
        crow_b = tc / N                     # s per row, cache build, measured
        other = tt - tc - tn - tf - ts; if (other < 0) other = 0
        printf "### (c) Cost model\n\n"
        printf "Per Newton pass each rank reads its cache block once: rows/p x (k + 2) x 8 bytes (X, y and the\n"
        printf "cluster id; + 8 each for weights and offset) = %.0f B/row here (k = %d), %.2f GB per pass at p = 1\n", B, K, N * B / 1e9
        printf "for the %d rows of scale %s. The pass then reduces 2 + k + k^2 doubles (the code sends the full k x k\n", N, S
        printf "X'"'"'WX; its triangle would be k(k+1)/2 + k + 2 = %d doubles, %d B): %d B by MPI_Reduce + MPI_Bcast,\n", mtri / 8, mtri, m
        printf "2 ceil(log2 p) latency-bound steps. The final pass also reduces the G x k cluster score sums:\n"
        printf "G = %d dyads x k x 8 = %.1f MB, bandwidth-bound (2 ceil(log2 p) x G k 8 / network bandwidth with\n", G, mg / 1e6
        printf "the tree Reduce + Bcast used; a reduce-scatter would cost about 2 G k 8 / bandwidth). Before the\n"
        printf "passes: the one-time read and cache build (parse-bound, split p ways), an Allgatherv of the\n"
        printf "cluster ids (each rank sends its G_r ids, at most G) and the QR of p stacked k x k factors; after\n"
        printf "them, rank 0 alone reads the whole file for the SHA-256 the output reports (serial).\n\n"
        printf "Measured here at p = 1 (scale %s, mpirun -np 1): cache build %.3g s (%.3g us/row), %d Newton passes\n", S, tc, crow_b * 1e6, P
        printf "%.3g s (%.3g ns per row per pass; reading the cache alone at %s GB/s would take %.3g ns/row, so a pass is\n", tn, cpass * 1e9, bw, B / (bw * 1e9) * 1e9
        printf "%s), final pass %.3g s, checksum %.3g s, start-up and output %.3g s.\n\n", (cpass > 1.5 * B / (bw * 1e9) ? "compute-bound, not bandwidth-bound" : "bandwidth-bound"), tf, ts, other
        printf "Assumptions for a cluster: one rank per node; per-node compute as this machine'"'"'s single core (the\n"
        printf "per-row costs above); %s GB/s memory bandwidth per node (a pass costs max(compute, bytes / bandwidth));\n", bw
        printf "network latency %s us and bandwidth %s GB/s; each node reads its block of the file at the rate of\n", lat, nb
        printf "the build measured here (a parallel file system that keeps up); the checksum and start-up as here.\n\n"
        printf "T(p) = build N c_b / p + P [max(N c_p / p, N B / (p bw)) + 2 ceil(log2 p) (lat + %d B / net)]\n", m
        printf "       + final [t_final(p = 1) / p + 2 ceil(log2 p) (lat + G k 8 / net)] + checksum + start-up\n\n"
        printf "| p | build s | Newton passes s | of which reductions s | final pass s | checksum + start-up s | predicted total s | predicted speed-up | measured here s |\n"
        printf "|---|---|---|---|---|---|---|---|---|\n"
        n = split("1 2 8 32 128", ps, " ")
        for (i = 1; i <= n; i++) {
            p = ps[i]
            tb = N * crow_b / p
            comp = N * cpass / p; mem = N * B / p / (bw * 1e9)
            red = 2 * lg(p) * (lat * 1e-6 + m / (nb * 1e9))
            tp = P * ((comp > mem ? comp : mem) + red)
            tfin = tf / p + 2 * lg(p) * (lat * 1e-6 + mg / (nb * 1e9))
            fixed = ts + other
            tot = tb + tp + tfin + fixed
            meas = p == 1 ? sprintf("%.3g", tt) : p == 2 ? sprintf("%.3g (one node, 2 shared cores)", tt2) : ""
            if (p == 1) tot1 = tot
            printf "| %d | %.3g | %.3g | %.2g | %.3g | %.3g | %.3g | %.1f | %s |\n", p, tb, tp, P * red, tfin, fixed, tot, tot1 / tot, meas
            last_red = P * red; last_fin = tfin; last_fixed = fixed; last_tot = tot
        }
        printf "\nThe model at p = 1 reproduces the measured run by construction (its per-row costs come from it); at\n"
        printf "p = 2 here the measured build was %.3g s and the passes %.3g s against %.3g and %.3g predicted for two\n", tc2, tn2, N * crow_b / 2, P * (N * cpass / 2)
        printf "nodes. At p = 128 the model gives %.3g s of reductions over all passes, %.3g s for the final pass\n", last_red, last_fin
        printf "(its G x k sums: %.3g s of it), and %.3g s (%.0f%% of the total) for the parts that do not shrink with p:\n", 2 * lg(128) * (lat * 1e-6 + mg / (nb * 1e9)), last_fixed, 100 * last_fixed / last_tot
        printf "rank 0'"'"'s checksum of the whole file, MPI start-up and the output (Amdahl: the speed-up cannot\n"
        printf "pass T(1) / (checksum + start-up) = %.1f whatever p).\n", tot1 / last_fixed
    }' >> "$OUT.tmp"
else
    echo "### (c) Cost model" >> "$OUT.tmp"
    echo >> "$OUT.tmp"
    echo "Not computed: needs the mpirun -np 1 and -np 2 runs at scale $S (an MPI build and mpirun)." >> "$OUT.tmp"
fi
fi    # ONLY != cox

# ---- (d) the Cox report
if [ "$ONLY" != logit ]; then
CN=$(sed -n 's/.* rows=\([0-9]*\) .*/\1/p' "$W/cox_stream_s$S.timing" | head -1)
CK=$(tfield cox_stream_s$S k)
CG=$(tfield cox_stream_s$S G)
CROWS=$(($(wc -l < "$CSRT") - 1))
CEV=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "event") c = i; next } $c == 1 { n++ } END { print n + 0 }' "$CSRT")
URC=$(tail -1 "$W/cox_stream_unsorted_s$S.tsv" 2>/dev/null | awk '{print $3}')
{
echo
echo "### Cox, streamed (time-sorted file)"
echo
echo "Model: bench/run.sh's \`fit cox \"F_COX\" FILE --vce cluster dyad --ssc hc0\` (Efron ties, start-stop"
echo "spells, $CK coefficients, $CG dyad clusters), FILE = \`$CSRT\`: gen_dyads.R's spell file"
echo "\`$CCSV\` ($CROWS spells, $CEV events, $(awk -v b="$(stat -c %s "$CSRT")" 'BEGIN {printf "%.1f MB", b / 1e6}')) with its body sorted by \`stop\`"
echo "(\`sh bench/sort_by_stop.sh\`: stable \`sort -t, -s -k<stop>g\`, header kept; not timed). ${CN:-?} rows used"
echo "(the others have a missing \`jointdem\`). Default chunk of 65,536 rows. Load average (1, 5, 15 min)"
echo "$LOADC0 before the timed Cox runs, $LOADC1 after."
echo
echo "| run | wall s | peak RSS MB | cache build s | Newton s (passes) | final pass s | total in process s |"
echo "|---|---|---|---|---|---|---|"
echo "| in memory | $(wall cox_mem_s$S) | $(rss cox_mem_s$S) | | | | |"
echo "| \`--stream\` | $(wall cox_stream_s$S) | $(rss cox_stream_s$S) | $(field cox_stream_s$S cache_s) | $(field cox_stream_s$S newton_s) ($(tfield cox_stream_s$S passes)) | $(field cox_stream_s$S final_s) | $(field cox_stream_s$S total_s) |"
if [ "$COX_MPI" = 1 ]; then
    for p in 1 2; do
        echo "| \`mpirun -np $p\` \`--stream\` (RSS: largest rank) | $(wall cox_mpi${p}_s$S) | $(rankrss cox_mpi${p}_s$S) | $(field cox_mpi${p}_s$S cache_s) | $(field cox_mpi${p}_s$S newton_s) ($(tfield cox_mpi${p}_s$S passes)) | $(field cox_mpi${p}_s$S final_s) | $(field cox_mpi${p}_s$S total_s) |"
    done
fi
echo
[ "$COX_MPI" = 1 ] && echo "MPI: the Newton passes are a pipeline from the last rank's block to the first (sequential); reading and caching are shared. \`-np 2\` against in memory: $(cmpest "$W/cox_mem_s$S.csv" "$W/cox_mpi2_s$S.csv")." && echo
echo "Max relative difference, \`--stream\` against in memory on the sorted file (coefficients / SEs):"
echo "$(cmpest "$W/cox_mem_s$S.csv" "$W/cox_stream_s$S.csv"). In memory, sorted file against the original order (one run):"
echo "$(cmpest "$W/cox_mem_orig_s$S.csv" "$W/cox_mem_s$S.csv"). \`--stream\` on the original (unsorted) file: exit code ${URC:-?}"
echo "(expected 2), \`$(grep -m1 'dyadfit' "$W/cox_stream_unsorted_s$S.err" 2>/dev/null)\`."
echo "The DYADFIT_STREAM_TIMING line (last run):"
echo
echo "    $(grep -m1 '^dyadfit-stream-timing' "$W/cox_stream_s$S.err" 2>/dev/null)"
} >> "$OUT.tmp"
fi
mv "$OUT.tmp" "$OUT"
echo "bench/stream: wrote $OUT" >&2
