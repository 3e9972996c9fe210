#!/bin/sh
# install-deps.sh -- installs the Debian packages dyadfit needs to build and
# test, only those missing. Used by `make demo`, `make check` and CI.
# Set DYADFIT_NO_INSTALL=1 to only report what is missing.
set -eu

# C build and tests; then R and what the R package's check needs (testthat
# and the suggested packages, knitr/rmarkdown/pandoc for the vignette,
# qpdf and checkbashisms (devscripts) that R CMD check --as-cran calls;
# valgrind for make r-valgrind).
PKGS="build-essential pkg-config libgsl-dev libopenblas-dev libreadstat-dev
libcunit1-dev libssl-dev zlib1g-dev libcjson-dev libglpk-dev
r-base-core r-base-dev r-cran-sandwich r-cran-haven r-cran-testthat
r-cran-generics r-cran-broom r-cran-knitr r-cran-rmarkdown pandoc qpdf
devscripts
valgrind"
# Open MPI for make mpi / check-mpi (mpirun -np 2 against the in-memory fit)
PKGS="$PKGS openmpi-bin libopenmpi-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "${DYADFIT_NO_INSTALL:-0}" = 1 ]; then
    echo "install-deps: missing Debian packages:$missing" >&2
    exit 1
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
