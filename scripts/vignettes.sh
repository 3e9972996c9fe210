#!/bin/sh
# vignettes.sh [BUILD] -- renders vignettes/*.Rmd to BUILD/vignettes/*.html.
#
# Needs BUILD/dyadfit (make BUILD=...) and the R package: it is installed
# into BUILD/rlib from the working tree when missing there, or always with
# VIGNETTES_REINSTALL=1 (the vignettes check that R and the CLI agree, so a
# stale package shows up as a failed chunk). rmarkdown, knitr, jsonlite and
# survival must be installed, and pandoc.
#   VIGNETTES="leeds2003 bkt1998" renders only those.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
CLI="$BUILD/dyadfit"
if [ ! -x "$CLI" ]; then
    echo "vignettes: $CLI not found; run make BUILD=$BUILD first" >&2
    exit 1
fi
RLIB="$BUILD/rlib"
mkdir -p "$RLIB"
if [ "${VIGNETTES_REINSTALL:-0}" = 1 ] || [ ! -d "$RLIB/dyadfit" ]; then
    sh scripts/r-package.sh build "$BUILD"
    R CMD INSTALL --library="$RLIB" "$BUILD"/dyadfit_*.tar.gz
fi
OUT="$BUILD/vignettes"
mkdir -p "$OUT"
list=${VIGNETTES:-"leeds2003 bkt1998 kingzeng2001 fixed_effects"}
start=$(date +%s)
for v in $list; do
    t0=$(date +%s)
    # knit in a scratch copy so the source tree gets no intermediate files
    work="$OUT/work-$v"
    rm -rf "$work"; mkdir -p "$work"
    cp vignettes/_common.R vignettes/_casecontrol.R "vignettes/$v.Rmd" "$work/"
    (cd "$work" && DYADFIT_ROOT="$ROOT" DYADFIT_CLI="$CLI" \
        R_LIBS="$RLIB${R_LIBS:+:$R_LIBS}" \
        Rscript -e "rmarkdown::render('$v.Rmd', output_dir = '$OUT', quiet = TRUE)")
    rm -rf "$work"
    echo "vignettes: $OUT/$v.html ($(( $(date +%s) - t0 )) s)"
done
echo "vignettes: done in $(( $(date +%s) - start )) s"
