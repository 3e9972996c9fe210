#!/bin/sh
# tests/fuzz/run.sh [SECONDS] [TARGET...] -- build and run the fuzz targets.
#
# Builds the library sources (the Makefile's LIB_SRC) and every target with
# clang -fsanitize=fuzzer,address,undefined into tests/fuzz/build/, then runs
# each target (all of them when none is named: fuzz_dta fuzz_sav
# fuzz_por fuzz_sas7bdat fuzz_xpt fuzz_csv fuzz_formula fuzz_cli; fuzz_zsav exists but
# fuzz_sav already reads .zsav seeds: ReadStat tells them apart by content) for SECONDS
# (default 60; 0 builds only), one after the other. Run from the repository
# root or anywhere: the script changes to the root itself.
#
# The seed corpora in tests/fuzz/corpus/<target>/ are copied into
# tests/fuzz/build/corpus/<target>/, where new inputs accumulate, so the
# repository is never written. Every crash, leak, timeout (-timeout, default
# 10 s per input) or out-of-memory input is saved as
# tests/fuzz/build/artifacts/<target>/{crash,leak,timeout,oom}-<sha1> and
# listed at the end; the script exits 1 when there is any.
#
# Environment: FUZZ_READSTAT=cran (ReadStat built from source and
# instrumented, see below), FUZZ_CC (default clang), FUZZ_TIMEOUT (per input, s), FUZZ_RSS_MB
# (default 2048), FUZZ_JOBS (parallel compiles, default 2), FUZZ_ARGS (extra
# libFuzzer flags; "-fork=1 -ignore_crashes=1 -ignore_timeouts=1
# -ignore_ooms=1" keeps going after a finding, as for long runs). Reproduce a finding with
#   tests/fuzz/build/fuzz_dta tests/fuzz/build/artifacts/fuzz_dta/crash-...
# and minimise it with -minimize_crash=1 -runs=10000.
set -u
cd "$(dirname "$0")/../.." || exit 2

SECONDS_PER=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-"fuzz_dta fuzz_sav fuzz_por fuzz_sas7bdat fuzz_xpt fuzz_csv fuzz_formula fuzz_cli"}
CC=${FUZZ_CC:-clang}   # not $CC: make exports CC=cc or gcc, which lack libFuzzer
OUT=$(pwd)/tests/fuzz/build   # absolute: fuzz_cli changes directory
JOBS=${FUZZ_JOBS:-2}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "run.sh: $CC not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-O1 -g -fno-omit-frame-pointer -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra \
-Iinclude -Isrc $(pkg-config --cflags openblas 2>/dev/null) $SAN"
# Sources and libraries as the Makefile has them (it is the reference; new
# layers bring new libraries), with a fallback when make cannot tell.
MAKEDB=$(env -u MAKEFLAGS -u MAKELEVEL make -pn -f Makefile 2>/dev/null)
LIBS=$(echo "$MAKEDB" | sed -n 's/^LDLIBS := //p' | head -1)
[ -n "$LIBS" ] || LIBS="-lreadstat $(gsl-config --libs-without-cblas 2>/dev/null || echo -lgsl) \
$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas) -lcrypto -lm"
LIBS="$LIBS -lpthread"

# ReadStat itself instrumented (FUZZ_READSTAT=cran): Debian's libreadstat is
# not built for coverage, so libFuzzer cannot steer inside it. ReadStat's
# sources come bundled in CRAN's haven; they are fetched once into
# $OUT-readstat/readstat-src, compiled with the fuzzer's flags and linked in
# place of -lreadstat (our code then sees that version's readstat.h). Its
# own build tree and corpora: $OUT-readstat. A finding there is checked
# against Debian's library by replaying it with the default build.
if [ "${FUZZ_READSTAT:-system}" = cran ]; then
    OUT=$OUT-readstat
    RSRC=$OUT/readstat-src
    if [ ! -f "$RSRC/readstat.h" ]; then
        mkdir -p "$OUT" || exit 2
        Rscript -e 'a <- commandArgs(TRUE); p <- download.packages("haven", destdir = a[1],
            repos = "https://cloud.r-project.org", type = "source"); cat(p[1, 2])' "$OUT" \
            > "$OUT/haven.path" 2>"$OUT/haven.err" &&
            tar xzf "$(cat "$OUT/haven.path")" -C "$OUT" haven/src/readstat &&
            rm -rf "$RSRC" && mv "$OUT/haven/src/readstat" "$RSRC" ||
            { echo "run.sh: cannot fetch ReadStat's sources (haven from CRAN; $OUT/haven.err)" >&2; exit 2; }
    fi
    # ReadStat's benign undefined behaviour (qsort(NULL, 0) in the .sav
    # reader, NULL + 0 in the .por reader: findings/README) would stop every
    # run at its first few inputs; not checked inside ReadStat
    RSFLAGS="-O1 -g -w -I$RSRC -DHAVE_ZLIB $SAN -fno-sanitize=nonnull-attribute,pointer-overflow"
    mkdir -p "$OUT/rsobj" || exit 2
    [ "$(cat "$OUT/rsobj/flags" 2>/dev/null)" = "$RSFLAGS" ] ||
        { rm -f "$OUT"/rsobj/*.o && echo "$RSFLAGS" >"$OUT/rsobj/flags"; } || exit 2
    RSOBJS=""
    for c in $(find "$RSRC" -name '*.c' | sort); do
        o="$OUT/rsobj/$(echo "${c#$RSRC/}" | tr / _ | sed 's/\.c$/.o/')"
        [ -f "$o" ] || $CC $RSFLAGS -fsanitize=fuzzer-no-link \
            -c "$c" -o "$o" || { echo "run.sh: cannot compile $c" >&2; exit 2; }
        RSOBJS="$RSOBJS $o"
    done
    CFLAGS="-I$RSRC $CFLAGS"
    LIBS="$RSOBJS $(echo "$LIBS" | sed 's/-lreadstat//') -lz"
    echo "run.sh: ReadStat $(sed -n 's/^New in \([0-9.]*\):.*/\1/p' "$RSRC/NEWS" | head -1) from CRAN's haven, instrumented"
fi

# ------------------------------------------------------------------ build
mkdir -p "$OUT/obj" || exit 2
export CC CFLAGS OUT
SRCS=$(echo "$MAKEDB" | sed -n 's/^LIB_SRC := //p' | head -1 | tr ' ' '\n' | grep .)
[ -n "$SRCS" ] || SRCS=$(ls src/*/*.c | grep -v '^src/cli/')
echo "$SRCS" | xargs -P "$JOBS" -I{} sh -c '
    o="$OUT/obj/$(echo "{}" | tr / _ | sed "s/\.c$/.o/")"
    $CC $CFLAGS -fsanitize=fuzzer-no-link -c "{}" -o "$o" || { echo "FAILED: {}" >&2; exit 255; }
' || { echo "run.sh: the library does not compile" >&2; exit 2; }
OBJS=$(echo "$SRCS" | tr / _ | sed "s|^|$OUT/obj/|; s/\.c$/.o/")

build_target() { # name source [defines]
    $CC $CFLAGS -fsanitize=fuzzer $3 -o "$OUT/$1" "tests/fuzz/$2" $OBJS $LIBS ||
        { echo "run.sh: cannot build $1" >&2; exit 2; }
}
# the CLI (fuzz_cli): its sources with main renamed, linked with the library
CLI_OBJS=""
build_cli() {
    for c in src/cli/*.c; do
        o="$OUT/obj/$(echo "$c" | tr / _ | sed "s/\.c$/.o/")"
        $CC $CFLAGS -fsanitize=fuzzer-no-link -Dmain=dyadfit_cli_main -c "$c" -o "$o" ||
            { echo "run.sh: cannot compile $c" >&2; exit 2; }
        CLI_OBJS="$CLI_OBJS $o"
    done
}
for t in $TARGETS; do
    case $t in
    fuzz_formula) build_target "$t" fuzz_formula.c "" ;;
    fuzz_cli) build_cli; OBJS_SAVE=$OBJS; OBJS="$CLI_OBJS $OBJS"
              build_target "$t" fuzz_cli.c ""; OBJS=$OBJS_SAVE ;;
    fuzz_*) build_target "$t" fuzz_reader.c "-DFUZZ_EXT=\"${t#fuzz_}\"" ;;
    *) echo "run.sh: unknown target $t" >&2; exit 2 ;;
    esac
done
echo "run.sh: built $TARGETS in $OUT"
[ "$SECONDS_PER" -gt 0 ] 2>/dev/null || exit 0

# -------------------------------------------------------------------- run
found=0
for t in $TARGETS; do
    seed=tests/fuzz/corpus/$t
    [ "$t" = fuzz_zsav ] && [ ! -d "$seed" ] && seed=tests/fuzz/corpus/fuzz_sav
    work=$OUT/corpus/$t
    art=$OUT/artifacts/$t
    mkdir -p "$work" "$art"
    [ -d "$seed" ] && cp -n "$seed"/* "$work"/ 2>/dev/null
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=$(pwd)/tests/fuzz/$t.dict"
    quiet=""
    [ "$t" = fuzz_cli ] && quiet="-close_fd_mask=2"   # the CLI's own messages
    echo "run.sh: $t for ${SECONDS_PER}s (log: $OUT/$t.log)"
    "$OUT/$t" $quiet -max_total_time="$SECONDS_PER" -timeout="${FUZZ_TIMEOUT:-10}" \
        -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -print_final_stats=1 \
        -artifact_prefix="$art/" $dict ${FUZZ_ARGS:-} "$work" >"$OUT/$t.log" 2>&1
    rc=$?
    # exact count from -print_final_stats; in -fork mode the last "#N:" line
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$OUT/$t.log" | tail -1 | tr -d '#')
    echo "run.sh: $t exit $rc, ${execs:-?} executions, corpus $(ls "$work" | wc -l) inputs"
    n=$(ls "$art" | wc -l)
    if [ "$n" -gt 0 ]; then
        found=1
        ls "$art" | sed "s|^|    $art/|"
    fi
done
if [ $found -ne 0 ]; then
    echo "run.sh: FINDINGS above (reproduce: $OUT/<target> <file>)"
    exit 1
fi
echo "run.sh: no findings"
exit 0
