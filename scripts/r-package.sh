#!/bin/sh
# r-package.sh -- builds, installs or checks the R package `dyadfit`.
#
#   sh scripts/r-package.sh build   [BUILD]   -> BUILD/dyadfit_<version>.tar.gz
#   sh scripts/r-package.sh install [BUILD]   build, then R CMD INSTALL it
#   sh scripts/r-package.sh check   [BUILD]   build, then R CMD check --as-cran
#   sh scripts/r-package.sh test    [BUILD]   install into BUILD/rlib, run testthat
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

case "$cmd" in
build)
    build ;;
install)
    build
    "$R" CMD INSTALL "$TARBALL" ;;
check)
    # Suggested packages may be missing (the tests skip what they need);
    # the system clock check needs the internet, which builders may lack.
    # DYADFIT_ROOT/DYADFIT_CLI let the tests compare with the command line
    # and the full data set (skipped when absent, as on CRAN).
    build
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
*)
    echo "usage: sh scripts/r-package.sh build|install|check|test [BUILD]" >&2
    exit 1 ;;
esac
