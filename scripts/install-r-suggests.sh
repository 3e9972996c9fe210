#!/bin/sh
# install-r-suggests.sh -- installs from CRAN the R packages the R package's
# tests compare against and Debian does not ship: logistf (Firth), fixest
# (felogit), marginaleffects and modelsummary (the hooks). Only those
# missing; their dependencies come from Debian where it has them.
# It never fails the build: without CRAN (no network) it says what is
# missing, and the tests that need a package skip, naming it.
# Set DYADFIT_NO_INSTALL=1 to only report.
set -u
PKGS="logistf fixest marginaleffects modelsummary"
missing=$(Rscript -e 'p <- commandArgs(TRUE); cat(p[!vapply(p, requireNamespace, NA, quietly = TRUE)])' $PKGS 2>/dev/null)
[ -z "$missing" ] && exit 0
if [ "${DYADFIT_NO_INSTALL:-0}" = 1 ]; then
    echo "install-r-suggests: missing R packages: $missing (their tests will skip)" >&2
    exit 0
fi
echo "install-r-suggests: installing from CRAN: $missing" >&2
# Their dependencies that Debian ships come built from Debian (compiling
# lme4, RcppEigen, glmnet and nloptr from CRAN sources alone takes longer
# than the whole test suite); CRAN then adds only what is missing or older
# than required.
DEB="r-cran-rcpp r-cran-rcppeigen r-cran-lme4 r-cran-nloptr r-cran-minqa
r-cran-glmnet r-cran-mice r-cran-ordinal r-cran-ucminf r-cran-pan r-cran-jomo
r-cran-mitml r-cran-foreach r-cran-iterators r-cran-shape r-cran-rdpack
r-cran-rbibutils r-cran-checkmate r-cran-data.table r-cran-formula
r-cran-insight r-cran-datawizard r-cran-bayestestr r-cran-parameters
r-cran-performance"
need=""
for p in $DEB; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -n "$need" ]; then
    { $SUDO apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need; } \
        >/dev/null 2>&1 || echo "install-r-suggests: apt-get could not install some of:$need" >&2
fi
LOG=${TMPDIR:-/tmp}/dyadfit-r-suggests.log
Rscript -e 'p <- commandArgs(TRUE)
    lib <- .libPaths()[1]
    if (file.access(lib, 2) != 0) { lib <- Sys.getenv("R_LIBS_USER"); dir.create(lib, FALSE, TRUE) }
    install.packages(p, lib = lib, repos = "https://cloud.r-project.org", Ncpus = 2, quiet = TRUE)' \
    $missing > "$LOG" 2>&1
still=$(Rscript -e 'p <- commandArgs(TRUE); cat(p[!vapply(p, requireNamespace, NA, quietly = TRUE)])' $missing 2>/dev/null)
if [ -n "$still" ]; then
    echo "install-r-suggests: could not install: $still (see $LOG); their tests will skip" >&2
else
    echo "install-r-suggests: installed $missing" >&2
fi
exit 0
