#!/bin/sh
# run-all.sh BUILD -- runs every CUnit suite built under BUILD/tests and the
# CLI tests, then prints one closing line "N passed, N failed" (suites).
set -u
build=${1:-build}
# suites that run the command line use this binary
DYADFIT_BIN="$build/dyadfit"; export DYADFIT_BIN
pass=0; fail=0; failed=""
for t in $(find "$build/tests" -type f -perm -u+x -name 'test_*' | sort); do
    if "$t" > "$t.log" 2>&1; then
        pass=$((pass + 1)); echo "ok   $t"
    else
        fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t"; cat "$t.log"
    fi
done
if sh tests/cli/run.sh "$build/dyadfit"; then
    pass=$((pass + 1)); echo "ok   tests/cli/run.sh"
else
    fail=$((fail + 1)); failed="$failed tests/cli/run.sh"; echo "FAIL tests/cli/run.sh"
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
