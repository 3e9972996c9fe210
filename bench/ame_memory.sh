#!/bin/sh
# bench/ame_memory.sh -- memory and time of an average marginal effect on the
# benchmark data (issue #7): dyadfit next to marginaleffects.
#
#   sh bench/ame_memory.sh            (after make and bench/gen_dyads.R data)
#
# Environment:
#   DYADFIT        the binary, default build/dyadfit
#   DYADFIT_RLIB   library holding the dyadfit R package (optional: the R
#                  package row is skipped when it is not installed there or
#                  in R's default libraries), default build/rlib
#   BENCH_SCALE    data size as bench/run.sh (1 = ~2.2M dyad-years), default 1
#   BENCH_TIMEOUT  seconds before a run is abandoned, default 1800
#
# Each task is one process under /usr/bin/time -v (wall clock and peak
# resident memory, reading the file included):
#   fit     dyadfit fit logit --save  (the fit the margins run reads)
#   cli     dyadfit margins FIT.json --dydx defense  (re-reads the data)
#   me      R: haven::read_dta, glm, marginaleffects::avg_slopes(variables =
#           "defense")  (glm's default variance, as dyadfit's fit here)
#   rpkg    R: haven::read_dta, dyadfit::dyad_logit, dyad_margins(dydx = "defense")
#   me0, rpkg0  the same two R runs without the AME (read and fit only), so
#           that the AME's own share of the peak memory can be seen
# The model is bench/run.sh's F_BIN with the default (OIM) variance, so all
# three give the same AME and standard error. Writes bench/AME_MEMORY.md;
# raw output under bench/data/work-s<SCALE>/ame-*.
set -u
cd "$(dirname "$0")/.." || exit 5

SCALE=${BENCH_SCALE:-1}
TMO=${BENCH_TIMEOUT:-1800}
DYADFIT=${DYADFIT:-build/dyadfit}
RLIB=${DYADFIT_RLIB:-build/rlib}
D=bench/data
W=$D/work-s$SCALE
DTA=$D/dyads_s$SCALE.dta
OUT=bench/AME_MEMORY.md
F_BIN="dispute ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + log(distance) + log(trade) + igos + coldwar + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)"

[ -x "$DYADFIT" ] || { echo "ame_memory: $DYADFIT not built (make)" >&2; exit 1; }
[ -f "$DTA" ] || { echo "ame_memory: $DTA missing (Rscript bench/gen_dyads.R, see bench/run.sh)" >&2; exit 1; }
mkdir -p "$W"

# run NAME CMD...: one timed run; W/ame-NAME.{out,err,time}; prints "wall_s rss_mb rc"
run() {
    name=$1; shift
    t0=$(date +%s.%N)
    timeout "$TMO" /usr/bin/time -v -o "$W/ame-$name.time" "$@" \
        > "$W/ame-$name.out" 2> "$W/ame-$name.err"
    rc=$?
    t1=$(date +%s.%N)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/ame-$name.time" 2>/dev/null)
    echo "$t0 $t1 ${rss:-0} $rc" | awk '{printf "%.1f %.0f %s\n", $2 - $1, $3 / 1024, $4}' \
        > "$W/ame-$name.tsv"
    echo "ame_memory: $name: $(cat "$W/ame-$name.tsv") (wall s, max RSS MB, exit)" >&2
}

# R script shared by the two R tasks: MODE me|rpkg; prints TIMING and the
# AME as "AME estimate std.error".
RS="$W/ame-peer.R"
cat > "$RS" <<'EOF'
args <- commandArgs(TRUE)
mode <- args[1]; file <- args[2]
fit_only <- grepl("0$", mode); mode <- sub("0$", "", mode)
## marginaleffects 1.0.0 calls base R's `%||%` (R >= 4.4) without importing it
if (!exists("%||%", baseenv()))
    attach(list(`%||%` = function(a, b) if (is.null(a)) b else a), name = "shim")
f <- dispute ~ defense + neutrality + entente + contig + log(cap_ratio) +
  jointdem + majpow + log(distance) + log(trade) + igos + coldwar +
  peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)
el <- function(t0) unname((proc.time() - t0)[["elapsed"]])
t0 <- proc.time()
d <- as.data.frame(haven::read_dta(file))
t_read <- el(t0); t1 <- proc.time()
if (mode == "me") {
  m <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-10, maxit = 100))
  t_fit <- el(t1); t2 <- proc.time()
  if (fit_only) { est <- se <- NA } else {
    a <- marginaleffects::avg_slopes(m, variables = "defense")
    est <- a$estimate; se <- a$std.error
  }
} else {
  suppressPackageStartupMessages(library(dyadfit))
  m <- dyad_logit(f, data = d)
  t_fit <- el(t1); t2 <- proc.time()
  if (fit_only) { est <- se <- NA } else {
    a <- dyad_margins(m, dydx = "defense")
    est <- a$estimate; se <- a$std.error
  }
}
t_ame <- el(t2)
cat(sprintf("TIMING read=%.2f fit=%.2f ame=%.2f\n", t_read, t_fit, t_ame))
cat(sprintf("AME %.12g %.12g\n", est, se))
EOF

JSON="$W/ame-logit.json"
run fit "$DYADFIT" fit logit "$F_BIN" "$DTA" --save "$JSON" --format csv
run cli "$DYADFIT" margins "$JSON" --dydx defense --format csv
run me Rscript --vanilla "$RS" me "$DTA"
run me0 Rscript --vanilla "$RS" me0 "$DTA"
if R_LIBS="$RLIB${R_LIBS:+:$R_LIBS}" Rscript --vanilla -e 'quit(status = !requireNamespace("dyadfit", quietly = TRUE))' 2>/dev/null; then
    run rpkg env R_LIBS="$RLIB${R_LIBS:+:$R_LIBS}" Rscript --vanilla "$RS" rpkg "$DTA"
    run rpkg0 env R_LIBS="$RLIB${R_LIBS:+:$R_LIBS}" Rscript --vanilla "$RS" rpkg0 "$DTA"
    have_rpkg=1
else
    echo "ame_memory: the dyadfit R package is not installed in $RLIB: skipping rpkg" >&2
    have_rpkg=0
fi

# ------------------------------------------------------------------ report
field() { awk -v i="$2" '{print $i}' "$W/ame-$1.tsv"; }
cli_ame() { awk -F, 'NR == 2 {print $2, $3}' "$W/ame-cli.out"; }
r_ame() { sed -n 's/^AME //p' "$W/ame-$1.out"; }
r_timing() { sed -n 's/^TIMING //p' "$W/ame-$1.out"; }
nobs=$(sed -n 's/.*"nobs": *\([0-9]*\).*/\1/p' "$JSON" | head -1)
row() {   # name, label, ame "est se", inner timings
    st=$(field "$1" 3)
    if [ "$st" != 0 ]; then
        echo "| $2 | failed (exit $st, see $W/ame-$1.err) | | | |"
        return
    fi
    echo "$3" | awk -v l="$2" -v w="$(field "$1" 1)" -v m="$(field "$1" 2)" -v t="$4" \
        '{if ($1 == "-" || $1 == "NA") printf "| %s | %s | %s | - | - | %s |\n", l, w, m, t
          else printf "| %s | %s | %s | %.10g | %.6g | %s |\n", l, w, m, $1, $2, t}'
}
# the AME's share: peak RSS of the run with it minus the run without (MB)
extra() { awk -v a="$(field "$1" 2)" -v b="$(field "$2" 2)" 'BEGIN {printf "%.0f", a - b}'; }
{
    echo "# Memory of an average marginal effect (issue #7)"
    echo
    echo "Written by \`sh bench/ame_memory.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores,"
    echo "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -m))."
    echo "Data: \`$DTA\` ($(du -m "$DTA" | cut -f1) MB Stata file); model: \`$F_BIN\`"
    echo "(logit, default OIM variance, ${nobs:-?} rows used). AME of \`defense\` (0/1:"
    echo "the discrete change P(defense=1) - P(defense=0) averaged over the rows)."
    echo "Each task is one process timed from outside (\`/usr/bin/time -v\`): wall"
    echo "clock and peak resident memory, reading the data file included."
    echo
    echo "| task | wall s | max RSS MB | AME | std.error | inside R (s) |"
    echo "|---|---|---|---|---|---|"
    row fit "dyadfit fit logit --save (the fit)" "- -" ""
    row cli "dyadfit margins FIT.json --dydx defense" "$(cli_ame)" ""
    row me0 "R: read_dta + glm (no AME)" "- -" "$(r_timing me0)"
    row me "R: read_dta + glm + marginaleffects::avg_slopes" "$(r_ame me)" "$(r_timing me)"
    if [ "$have_rpkg" = 1 ]; then
        row rpkg0 "R: read_dta + dyadfit::dyad_logit (no AME)" "- -" "$(r_timing rpkg0)"
        row rpkg "R: read_dta + dyadfit::dyad_logit + dyad_margins" "$(r_ame rpkg)" "$(r_timing rpkg)"
    fi
    echo
    echo "Peak memory the AME adds (run with it minus run without): marginaleffects"
    echo "$(extra me me0) MB on top of glm;"
    [ "$have_rpkg" = 1 ] && echo "dyad_margins $(extra rpkg rpkg0) MB on top of dyad_logit;"
    echo "\`dyadfit margins\` $(field cli 2) MB in all, the fit itself $(field fit 2) MB."
    echo
    echo "\`dyadfit margins\` re-reads the model's variables from the file, rebuilds"
    echo "the design and streams the counterfactual rows through the model in blocks"
    echo "of 32768 (src/post/effects.c): its memory is the fit's data and design, not"
    echo "a multiple of it. marginaleffects builds whole counterfactual data frames"
    echo "and predicts them once per coefficient for the numerical Jacobian."
    echo "Versions: $("$DYADFIT" --version 2>/dev/null | head -1); $(Rscript --vanilla -e 'cat(R.version.string, "; marginaleffects", format(packageVersion("marginaleffects")))' 2>/dev/null)."
} > "$OUT"
echo "ame_memory: wrote $OUT" >&2
