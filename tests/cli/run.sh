#!/bin/sh
# run.sh BIN -- command-line tests: runs the built binary on files in
# tests/data and checks output, messages and exit codes.
set -u
BIN=${1:-build/dyadfit}
pass=0; fail=0
check() { # name expected-exit command...
    name=$1; want=$2; shift 2
    "$@" > /tmp/dyadfit-cli.out 2> /tmp/dyadfit-cli.err; got=$?
    if [ "$got" -eq "$want" ]; then pass=$((pass+1)); else
        fail=$((fail+1)); echo "FAIL $name: exit $got, want $want"; cat /tmp/dyadfit-cli.err; fi
}
check version 0 "$BIN" --version
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
