#!/bin/sh
# r-package.sh -- builds, installs or checks the R package `dyadfit`.
#
#   sh scripts/r-package.sh build   [BUILD]   -> BUILD/dyadfit_<version>.tar.gz
#   sh scripts/r-package.sh install [BUILD]   build, then R CMD INSTALL it
#   sh scripts/r-package.sh check   [BUILD]   build, then R CMD check --as-cran
#   sh scripts/r-package.sh test    [BUILD]   install into BUILD/rlib, run testthat
#   sh scripts/r-package.sh valgrind [BUILD]  install into BUILD/rlib, run
#       R-wrapper/tools/valgrind.R under valgrind; log BUILD/r-valgrind.log,
#       summary BUILD/r-valgrind.txt; exit 1 on any valgrind error or leak
#       from the package (R's own allocations are not counted).
#       R_VALGRIND_SCRIPT=testthat runs the whole testthat suite instead
#       (much slower)
#
# R-wrapper/ in git holds only the R package's own files; the library sources
# (include/dyadfit.h and src/<layer>/, not src/cli) are copied into a staging
# copy, BUILD/rpkg/dyadfit/src/lib/, so the tarball is self-contained and the
# R package compiles exactly the code the CLI runs.
#
# DYADFIT_LIB_ROOT=DIR copies the library sources from DIR/include and
# DIR/src instead of the working tree (e.g. a `git archive HEAD` export, to
# build the package while library files are being edited).
set -eu

cmd=${1:-build}
BUILD=${2:-${BUILD:-build}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
R=${R:-R}
LIB_ROOT=${DYADFIT_LIB_ROOT:-$ROOT}
LAYERS="util table design prepare fit vce post report api"

cd "$ROOT"
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
VERSION=$(sed -n 's/^Version: *//p' R-wrapper/DESCRIPTION)
TARBALL="$BUILD/dyadfit_$VERSION.tar.gz"

stage() {
    STAGE="$BUILD/rpkg/dyadfit"
    rm -rf "$BUILD/rpkg"
    mkdir -p "$STAGE"
    cp -R R-wrapper/. "$STAGE/"
    rm -f "$STAGE/src/Makevars" "$STAGE"/src/*.o "$STAGE"/src/*.so
    mkdir -p "$STAGE/src/lib/include" "$STAGE/src/lib/src"
    cp "$LIB_ROOT/include/dyadfit.h" "$STAGE/src/lib/include/"
    for l in $LAYERS; do
        [ -d "$LIB_ROOT/src/$l" ] || continue
        mkdir -p "$STAGE/src/lib/src/$l"
        for f in "$LIB_ROOT"/src/$l/*.c "$LIB_ROOT"/src/$l/*.h; do
            [ -f "$f" ] && cp "$f" "$STAGE/src/lib/src/$l/"
        done
    done
    # provenance of the copied sources, for bug reports
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ "$LIB_ROOT" = "$ROOT" ]; then
        dirty=$(git -C "$ROOT" status --porcelain -- include src 2>/dev/null | head -1)
    else
        dirty=""; rev="$rev (sources from $LIB_ROOT)"
    fi
    echo "libdyadfit sources copied from git $rev${dirty:+ (with uncommitted changes)}" \
        > "$STAGE/src/lib/SOURCE"
}

build() {
    stage
    (cd "$BUILD/rpkg" && "$R" CMD build dyadfit)
    mv "$BUILD/rpkg/dyadfit_$VERSION.tar.gz" "$TARBALL"
    echo "built $TARBALL"
}

# The package's script under valgrind. Errors: every valgrind error
# (invalid reads/writes, uninitialised values, bad frees) anywhere in the
# process; leaks: "definitely lost" blocks whose stack passes through
# dyadfit.so (R frees little at exit, which is not ours to fix).
valgrind_run() {
    command -v valgrind >/dev/null 2>&1 || {
        echo "r-valgrind: valgrind is not installed (sh scripts/install-deps.sh)" >&2
        exit 1; }
    build
    mkdir -p "$BUILD/rlib"
    "$R" CMD INSTALL --library="$BUILD/rlib" "$TARBALL"
    log="$BUILD/r-valgrind.log"
    sum="$BUILD/r-valgrind.txt"
    script="$ROOT/R-wrapper/tools/valgrind.R"; dir="$ROOT"
    if [ "${R_VALGRIND_SCRIPT:-}" = testthat ]; then
        script="$ROOT/R-wrapper/tests/testthat.R"; dir="$ROOT/R-wrapper/tests"
    fi
    start=$(date +%s)
    set +e
    (cd "$dir" && DYADFIT_ROOT="$ROOT" DYADFIT_CLI="$BUILD/dyadfit" \
        DYADFIT_UNDER_VALGRIND=1 \
        R_LIBS="$BUILD/rlib${R_LIBS:+:$R_LIBS}" OPENBLAS_NUM_THREADS=1 \
        "$R" -d "valgrind --leak-check=full --show-leak-kinds=definite \
            --num-callers=30 --log-file=$log" \
        --vanilla --slave -f "$script") > "$BUILD/r-valgrind.out" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
    # definitely-lost records with a dyadfit frame in their stack
    ours=$(awk '/definitely lost in loss record/ {inrec = 1; hit = 0; next}
                inrec && /dyadfit\.so|dyadfit_/ {hit = 1}
                inrec && /^==[0-9]+== *$/ {if (hit) n++; inrec = 0}
                END {print n + 0}' "$log")
    {
        echo "r-valgrind: $script under valgrind, ${secs} s"
        echo "script exit status: $rc"
        grep -E "definitely lost:|indirectly lost:|possibly lost:|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== *//'
        echo "definitely-lost records from dyadfit: $ours"
        echo "script output: $BUILD/r-valgrind.out; valgrind log: $log"
    } > "$sum"
    cat "$sum"
    if [ "$rc" -ne 0 ] || [ "${errors:-1}" -ne 0 ] || [ "$ours" -ne 0 ]; then
        echo "r-valgrind: FAILED" >&2
        exit 1
    fi
    echo "r-valgrind: passed"
}

case "$cmd" in
build)
    build ;;
install)
    build
    "$R" CMD INSTALL "$TARBALL" ;;
check)
    # Suggested packages may be missing (the tests skip what they need);
    # the system clock check needs the internet, which builders may lack.
    # --as-cran's orphaned-package check reads CRAN's package database
    # (web/packages/packages.rds) whenever a suggested package is not
    # installed; offline, or behind a mirror without that file, R CMD check
    # then stops at "checking package dependencies". Unless R_CRAN_WEB is
    # set, it reads an empty local database instead (nothing is orphaned).
    # DYADFIT_ROOT/DYADFIT_CLI let the tests compare with the command line
    # and the full data set (skipped when absent, as on CRAN).
    build
    if [ -z "${R_CRAN_WEB:-}" ]; then
        mkdir -p "$BUILD/cran-web/web/packages"
        "$R" --vanilla -s -e "saveRDS(data.frame(Package = character(), Maintainer = character()), '$BUILD/cran-web/web/packages/packages.rds')"
        R_CRAN_WEB="file://$BUILD/cran-web"
        export R_CRAN_WEB
    fi
    (cd "$BUILD" && \
        _R_CHECK_FORCE_SUGGESTS_=${_R_CHECK_FORCE_SUGGESTS_:-false} \
        _R_CHECK_SYSTEM_CLOCK_=${_R_CHECK_SYSTEM_CLOCK_:-FALSE} \
        DYADFIT_ROOT="$ROOT" DYADFIT_CLI="$BUILD/dyadfit" \
        "$R" CMD check --as-cran --no-manual "$TARBALL") ;;
test)
    build
    mkdir -p "$BUILD/rlib"
    "$R" CMD INSTALL --library="$BUILD/rlib" "$TARBALL"
    (cd R-wrapper/tests && DYADFIT_ROOT="$ROOT" DYADFIT_CLI="$BUILD/dyadfit" \
        R_LIBS="$BUILD/rlib${R_LIBS:+:$R_LIBS}" "${RSCRIPT:-Rscript}" testthat.R) ;;
valgrind)
    valgrind_run ;;
*)
    echo "usage: sh scripts/r-package.sh build|install|check|test|valgrind [BUILD]" >&2
    exit 1 ;;
esac
