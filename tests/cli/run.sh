#!/bin/sh
# run.sh BIN -- command-line tests: the built binary on files in tests/data,
# checking exit codes, messages on stderr and what is (not) written.
# Reference numbers are checked by tests/cli/test_reference.c.
set -u
BIN=${1:-build/dyadfit}
D=tests/data/cli
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

# check NAME WANT_EXIT STDERR_SUBSTRING command... (substring "" = any)
check() {
    name=$1; want=$2; msg=$3; shift 3
    "$@" > "$T/out" 2> "$T/err"; got=$?
    if [ "$got" -ne "$want" ]; then
        fail=$((fail+1)); echo "FAIL $name: exit $got, want $want"; cat "$T/err"; return
    fi
    if [ -n "$msg" ] && ! grep -qF -- "$msg" "$T/err"; then
        fail=$((fail+1)); echo "FAIL $name: stderr lacks '$msg':"; cat "$T/err"; return
    fi
    if [ "$want" -ne 0 ] && [ "$want" -ne 4 ] && [ -s "$T/out" ]; then
        fail=$((fail+1)); echo "FAIL $name: failed run wrote to stdout"; return
    fi
    pass=$((pass+1))
}
# expect NAME STRING: the last run's stdout holds STRING
expect() {
    if grep -qF -- "$2" "$T/out"; then pass=$((pass+1)); else
        fail=$((fail+1)); echo "FAIL $1: stdout lacks '$2'"; head -30 "$T/out"; fi
}

LEEDS=data/leeds_dyads.dta
F="mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow"

# --- it works
check version 0 "" "$BIN" --version
expect version "dyadfit 0.1.0"
check help 0 "" "$BIN" --help
expect help "commands:"
check fit-help 0 "" "$BIN" fit --help
expect fit-help "--vce oim|robust|cluster"
check describe 0 "" "$BIN" describe $LEEDS
expect describe "mid_onset"
expect describe "147072 rows"
check describe-csv 0 "" "$BIN" describe $D/basic.csv --format csv
expect describe-csv "variable,type,n,missing,mean,sd,min,max,levels,label"
check fit-text 0 "" "$BIN" fit logit "$F" $LEEDS --vce cluster dyad
expect fit-text "Logistic regression"
expect fit-text "Clusters (dyad)  =        3,380"
expect fit-text "small-sample factor stata c = 1.0003"
expect fit-text "16652 rows dropped for missing values (rows missing in: jointdem 16652)"
expect fit-text "sha256 $(sha256sum $LEEDS | cut -c1-64)"
check fit-json 0 "" "$BIN" fit logit "$F" $LEEDS --vce cluster dyad year --format json
expect fit-json '"coefficients": ['
expect fit-json '"vcov": ['
expect fit-json '"nclusters": [3380, 65]'
expect fit-json '"converged": true'
# a repeated --vce: the last wins (the first cluster name leaked; fuzz_cli)
check fit-vce-repeated 0 "" "$BIN" fit logit "$F" $LEEDS --vce cluster year --vce cluster dyad
expect fit-vce-repeated "Clusters (dyad)  =        3,380"
check fit-markdown 0 "" "$BIN" fit probit "$F" $LEEDS --format markdown
expect fit-markdown '| `log(cap_ratio)` |'
check fit-latex 0 "" "$BIN" fit cloglog "$F" $LEEDS --format latex
expect fit-latex '\begin{tabular}'
check fit-csv 0 "" "$BIN" fit logit "y ~ x + d" $D/basic.csv --format csv
expect fit-csv "term,estimate,std.error,statistic,p.value,conf.low,conf.high"

# --out: written whole, never onto an input
check out-file 0 "" "$BIN" fit logit "y ~ x + d" $D/basic.csv --format csv --out "$T/fit.csv"
if head -1 "$T/fit.csv" | grep -q '^term,estimate'; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL out-file: content"; fi
cp $D/basic.csv "$T/input.csv"; before=$(sha256sum < "$T/input.csv")
check out-is-input 1 "it is the input file" "$BIN" fit logit "y ~ x" "$T/input.csv" --out "$T/input.csv"
if [ "$(sha256sum < "$T/input.csv")" = "$before" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL out-is-input: input changed"; fi
check save-onto-input 1 "refusing to write --save" "$BIN" fit logit "y ~ x" "$T/input.csv" --save "$T/input.csv"
if [ "$(sha256sum < "$T/input.csv")" = "$before" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL save-onto-input: input changed"; fi
check save 0 "" "$BIN" fit logit "y ~ x" $D/basic.csv --save "$T/m1.json"
if grep -q '"coefficients": \[' "$T/m1.json"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL save: no JSON"; fi
ln -s "$T/input.csv" "$T/link.csv"
check out-is-input-link 1 "it is the input file" "$BIN" fit logit "y ~ x" "$T/input.csv" --out "$T/link.csv"
check out-failed-fit 3 "not found" "$BIN" fit logit "y ~ nope" $D/basic.csv --out "$T/none.csv"
if [ ! -e "$T/none.csv" ] && [ -z "$(ls "$T" | grep tmp)" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL out-failed-fit: left a file"; fi

# --- usage errors (exit 1)
check no-args 1 "usage" "$BIN"
check bad-command 1 "unknown command 'fitt'" "$BIN" fitt
check bad-estimator 1 "unknown estimator 'logistic'" "$BIN" fit logistic "y ~ x" $D/basic.csv
check bad-vce 1 "--vce: unknown type 'clustered'" "$BIN" fit logit "y ~ x" $D/basic.csv --vce clustered cl
check bad-ssc 1 "--ssc: unknown preset" "$BIN" fit logit "y ~ x" $D/basic.csv --vce robust --ssc hc3
check bad-format 1 "--format: unknown format 'xml'" "$BIN" fit logit "y ~ x" $D/basic.csv --format xml
check bad-option 1 "unknown option '--robust'" "$BIN" fit logit "y ~ x" $D/basic.csv --robust
check missing-value 1 "--vce needs a value" "$BIN" fit logit "y ~ x" $D/basic.csv --vce
check bad-level 1 "--level" "$BIN" fit logit "y ~ x" $D/basic.csv --level 120
check too-few-args 1 "usage" "$BIN" fit logit "y ~ x"

# --- input data errors (exit 2)
check missing-file 2 "cannot open 'tests/data/cli/nope.dta': No such file or directory" "$BIN" fit logit "y ~ x" $D/nope.dta
check empty-file 2 "is empty" "$BIN" fit logit "y ~ x" tests/data/table/empty.dta
check truncated-dta 2 "truncated.dta" "$BIN" fit logit "y ~ x" tests/data/table/truncated.dta
check corrupt-dta 2 "as Stata data" "$BIN" fit logit "y ~ x" tests/data/table/corrupt.dta
check truncated-sav 2 "truncated.sav" "$BIN" fit logit "y ~ x" tests/data/table/truncated.sav
check corrupt-sav 2 "as SPSS data" "$BIN" fit logit "y ~ x" tests/data/table/corrupt.sav
check csv-as-dta 2 "csvfile.dta" "$BIN" fit logit "y ~ x" tests/data/table/csvfile.dta
check ragged-csv 2 "line" "$BIN" fit logit "y ~ x" tests/data/table/ragged.csv
check unknown-extension 2 "data.txt" "$BIN" fit logit "y ~ x" tests/data/table/data.txt
check all-missing 2 "(x: 60)" "$BIN" fit logit "y ~ x + d" $D/allmissing.csv
check constant-outcome 2 "outcome 'y' is always 0" "$BIN" fit logit "y ~ x" $D/constant.csv
check log-domain 2 "outside the domain" "$BIN" fit logit "y ~ log(d)" $D/basic.csv

# --- specification errors (exit 3)
check unknown-variable 3 "variable 'defence' not found in the data; did you mean 'defense'?" "$BIN" fit logit "mid_onset ~ defence" $LEEDS
check malformed-formula 3 "expected a term after '+'" "$BIN" fit logit "y ~ x +" $D/basic.csv
check no-tilde 3 "formula" "$BIN" fit logit "y x" $D/basic.csv
check nonbinary-outcome 3 "outcome 'y' must be 0/1; found 2 (row 7)" "$BIN" fit logit "y ~ x" $D/nonbinary.csv
check unknown-cluster 3 "variable 'dayd' not found" "$BIN" fit logit "$F" $LEEDS --vce cluster dayd

check if-syntax 3 "expected an operand after '&' at position 14" "$BIN" fit logit "$F" $LEEDS --if "year >= 1946 &"
check if-unknown 3 "did you mean 'year'" "$BIN" fit logit "$F" $LEEDS --if "yaer > 1950"
check if-none-left 2 "the filter excludes all 147072 rows" "$BIN" fit logit "$F" $LEEDS --if "year > 3000"
check if-fit 0 "" "$BIN" fit logit "$F" $LEEDS --if 'region == "Europe"'
expect if-fit "rows excluded by the filter: region == \"Europe\""
expect if-fit "Rows excluded    ="

# --- estimation (exit 4)
check separated 4 "d != 0 predicts failure perfectly" "$BIN" fit logit "y ~ x + d" $D/separated.csv
check separated-out 4 "predicts failure perfectly" "$BIN" fit logit "y ~ x + d" $D/separated.csv --out "$T/sep.txt"
if [ ! -e "$T/sep.txt" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL separated-out: left a file"; fi
check nonconv-out 4 "convergence not achieved" "$BIN" fit logit "$F" $LEEDS --maxiter 1 --out "$T/nc.txt"
if grep -q "WARNING: convergence not achieved" "$T/nc.txt"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL nonconv-out: table not kept"; fi
# --stream has no per-column check; the probe after the fit finds it
# (before it, the fit "converged" with d = -24.6, SE 43,700 and exit 0)
check separated-stream 4 "" "$BIN" fit logit "y ~ x + d" $D/separated.csv --stream
expect separated-stream "observations are predicted perfectly"
check separated-drop 0 "" "$BIN" fit logit "y ~ x + d" $D/separated.csv --drop-separated
expect separated-drop "dropped those terms"
check no-convergence 4 "convergence not achieved" "$BIN" fit logit "$F" $LEEDS --maxiter 1
expect no-convergence "WARNING: convergence not achieved"

check lincomb-separated 4 "convergence not achieved" "$BIN" fit logit "y ~ x1 + x2" tests/data/models/sep_lincomb_complete.csv
expect lincomb-separated "separation by a combination of terms: infinite estimates for (Intercept) -Inf, x1 +Inf, x2 +Inf"
check separation-cmd 0 "" "$BIN" separation logit "y ~ x1 + x2" tests/data/models/sep_lincomb_complete.csv
expect separation-cmd "complete separation. 3 of 3 coefficients have an infinite"

# Firth edge cases found by fuzzing: an intercept-only model fits (its profile
# has no free coefficient); a non-finite penalised likelihood says so
check firth-intercept-only 0 "" "$BIN" fit firth "y ~ 1" $D/basic.csv --format csv
expect firth-intercept-only "(Intercept),-0.398639143037"
check firth-nonfinite 4 "Firth: penalised log likelihood is not finite" "$BIN" fit firth "y ~ I(1*1e308+ - 1 +-x)" $D/basic.csv

# --- reported, not fatal
check collinear 0 "" "$BIN" fit logit "y ~ x + x2" $D/collinear.csv
expect collinear "x2 dropped because of collinearity"
check cluster-missing 0 "" "$BIN" fit logit "y ~ x" $D/basic.csv --vce cluster cl
expect cluster-missing "rows missing in: cl 6"
check pweights-robust 0 "" "$BIN" fit logit "y ~ x" $D/basic.csv --weights w --weight-type prob --vce robust
expect pweights-robust "robust"
check pweights-oim-note 0 "" "$BIN" fit logit "y ~ x" $D/basic.csv --weights w --weight-type prob
expect pweights-oim-note "probability weights with the model-based (oim) variance"

# --- Cox outputs after the fit: --basehaz, --residuals (numbers against R in
# tests/api/test_cox_outputs.c; here options, headers, rows, atomic writes)
CO=tests/data/models/cox_outputs.csv
CF="Surv(start, stop, event) ~ x1 + x2 + strata(g)"
check cox-outputs 0 "" "$BIN" fit cox "$CF" $CO --weights w --basehaz "$T/bh.csv" --residuals "$T/res.csv"
if [ "$(head -1 "$T/bh.csv")" = "strata,time,n_risk,n_event,cumhaz,survival" ] &&
   [ "$(head -1 "$T/res.csv")" = "row,martingale" ] &&
   [ "$(wc -l < "$T/res.csv")" -eq 60 ] && ! grep -q '^7,' "$T/res.csv" &&
   grep -q '^east,2,9.16000000000000[0-9]*,3.740000000000000[0-9]*,0.552644576020' "$T/bh.csv"
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL cox-outputs: files"; head -3 "$T/bh.csv" "$T/res.csv"; fi
check cox-schoenfeld 0 "" "$BIN" fit cox "Surv(stop, event) ~ x1 + x2" $CO --residuals "$T/sch.csv" --residual-type schoenfeld --ties breslow
if [ "$(head -1 "$T/sch.csv")" = "row,time,x1,x2" ] && [ "$(wc -l < "$T/sch.csv")" -eq 37 ]
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL cox-schoenfeld: file"; head -3 "$T/sch.csv"; fi
check cox-dfbeta-cluster 0 "" "$BIN" fit cox "Surv(stop, event) ~ x1 + x2" $CO --vce cluster g --residuals "$T/dfb.dta" --residual-type dfbeta
check cox-outputs-spells 0 "" "$BIN" fit cox "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + strata(spellnum)" $LEEDS --spells mid_onset --unit dyad --time year --basehaz "$T/sp.csv"
if [ "$(sed -n 2p "$T/sp.csv" | cut -d, -f1-2)" = "spellnum=1,1" ]
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL cox-outputs-spells: file"; head -3 "$T/sp.csv"; fi
check cox-outputs-logit 1 "--basehaz, --residuals and --residual-type are for the cox estimator, not logit" "$BIN" fit logit "event ~ x1" $CO --basehaz "$T/no.csv"
check cox-residual-type-alone 1 "--residual-type score needs --residuals FILE" "$BIN" fit cox "$CF" $CO --residual-type score
check cox-residual-type-bad 1 "--residual-type: 'dfbetas' is not martingale" "$BIN" fit cox "$CF" $CO --residuals "$T/no.csv" --residual-type dfbetas
check cox-basehaz-ext 1 "--basehaz '$T/bh.txt': name a .csv, .dta or .sav file" "$BIN" fit cox "$CF" $CO --basehaz "$T/bh.txt"
check cox-basehaz-input 1 "refusing to write --basehaz '$CO': it is the input file" "$BIN" fit cox "$CF" $CO --basehaz $CO
check cox-outputs-same 1 "the same file is named by another output option" "$BIN" fit cox "$CF" $CO --basehaz "$T/same.csv" --residuals "$T/same.csv"
check cox-outputs-fail 3 "not found" "$BIN" fit cox "Surv(stop, event) ~ nosuch" $CO --basehaz "$T/fail.csv" --residuals "$T/fail2.csv"
if [ ! -e "$T/fail.csv" ] && [ ! -e "$T/fail2.csv" ] && [ -z "$(ls "$T" | grep tmp)" ]
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL cox-outputs-fail: left a file"; ls "$T"; fi

# --- --vce bootstrap (docs/bootstrap.md; numbers in tests/vce/test_bootstrap.c)
W=tests/data/models/weights.csv
check boot-rows 0 "" "$BIN" fit logit "y ~ x1 + x2" $W --vce bootstrap --reps 30 --seed 7
expect boot-rows "Std. err.: bootstrap, rows resampled"
expect boot-rows "bootstrap: 30 replications (seed 7), each drawing 1000 rows with replacement"
check boot-cluster 0 "" "$BIN" fit probit "y ~ x1 + x2" $W --vce bootstrap cl --reps 30 --format json
expect boot-cluster '"vce": {"type": "bootstrap"'
expect boot-cluster '"nclusters": [120]'
expect boot-cluster 'each drawing 120 clusters of cl with replacement'
cp "$T/out" "$T/boot1.json"
check boot-same-seed 0 "" "$BIN" fit probit "y ~ x1 + x2" $W --reps 30 --vce bootstrap cl --format json
if cmp -s "$T/out" "$T/boot1.json"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL boot-same-seed: outputs differ"; fi
check boot-reps-1 1 "--reps: '1' is not a count of bootstrap replications from 2" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --reps 1
check boot-reps-text 1 "--reps: 'many' is not a count" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --reps many
check boot-seed-neg 1 "--seed: '-3' is not a whole number" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --seed -3
check boot-seed-text 1 "--seed: '12x' is not a whole number" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --seed 12x
check boot-reps-alone 1 "--reps and --seed belong to --vce bootstrap" "$BIN" fit logit "y ~ x1" $W --reps 50
check boot-cox 1 "is available for logit, probit and cloglog, not for cox" "$BIN" fit cox "Surv(stop, event) ~ x1 + x2" $CO --vce bootstrap
check boot-two-clusters 1 "two (cl and fw) are not supported" "$BIN" fit logit "y ~ x1" $W --vce bootstrap cl fw
check boot-two-clusters-comma 1 "two (cl and fw) are not supported" "$BIN" fit logit "y ~ x1" $W --vce bootstrap cl,fw
check boot-stream 1 "--stream does not support --vce bootstrap" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --stream
# a saved cluster-bootstrap fit whose cluster variable is missing on some
# rows: post-estimation rebuilds the design without those rows, as the fit did
awk 'BEGIN {srand(3); print "y,x,g"; for (i = 0; i < 300; i++) {x = rand() * 4 - 2;
    y = rand() < 1 / (1 + exp(-(0.5 * x - 0.3))); printf "%d,%.6f,%s\n", y, x,
    (i % 37 == 0) ? "" : int(i / 6)}}' > "$T/bootmiss.csv"
check boot-cluster-save 0 "" "$BIN" fit logit "y ~ x" "$T/bootmiss.csv" --vce bootstrap g --reps 30 --save "$T/bootmiss.json"
expect boot-cluster-save "Rows dropped     =            9"
check boot-cluster-margins 0 "" "$BIN" margins "$T/bootmiss.json" --dydx x --format csv
expect boot-cluster-margins "x,"
check boot-fw-fraction 1 "weight 'pw' is 4.8747 at data row 1, not a whole number" "$BIN" fit logit "y ~ x1" $W --vce bootstrap --weights pw
check boot-help 0 "" "$BIN" fit --help
expect boot-help "--vce bootstrap [VAR]"

# --- saved Weibull fits: table, test and predict read them; margins is refused
check weibull-save 0 "" "$BIN" fit weibull "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ defense + contig" $LEEDS --metric aft --save "$T/wb.json"
check weibull-table 0 "" "$BIN" table "$T/wb.json" --format csv
expect weibull-table "defense,"
check weibull-test 0 "" "$BIN" test "$T/wb.json" "defense = 0"
check weibull-predict 0 "" "$BIN" predict "$T/wb.json" --at "defense=1" --format csv
expect weibull-predict ',median'
check weibull-predict-surv 0 "" "$BIN" predict "$T/wb.json" --at "defense=1" --survival --times 5 --format csv
expect weibull-predict-surv ',S(t=5)'
check weibull-margins 3 "margins is not available for a weibull fit" "$BIN" margins "$T/wb.json" --dydx defense

check weibull-intercept-only 3 "no covariates: a survival model with only an intercept" "$BIN" fit weibull "Surv(peaceyrs, peaceyrs + 1, mid_onset) ~ 1" $LEEDS
if grep -q "(null)" "$T/err"; then fail=$((fail+1)); echo "FAIL weibull-intercept-only: (null) in the message"; else pass=$((pass+1)); fi

# --- Ctrl-C stops a fit at its next iteration: exit 6, nothing written (a
# Firth fit with profile intervals on the Leeds data takes several seconds)
"$BIN" fit firth "$F" $LEEDS --out "$T/int.txt" > "$T/out" 2> "$T/err" &
ipid=$!
sleep 0.5
kill -INT $ipid 2>/dev/null
wait $ipid; irc=$?
if [ $irc -eq 6 ] && grep -q "interrupted by the user" "$T/err" && [ ! -e "$T/int.txt" ] &&
   [ -z "$(ls "$T" | grep tmp)" ]
then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL sigint: exit $irc"; cat "$T/err"; fi

# cox --stream: a streamed Cox fit prints the in-memory table (the text
# table rounds to 7 digits; the data line names the same file), the file
# must be sorted by stop time (tests/data/models/make_cox_sorted.R: order
# breaks at data row 12345 of cox_unsorted.csv), the PH test is refused
CS=tests/data/models/cox_sorted.csv
CSF="Surv(start, stop, event) ~ x1 + yr + x3 + d"
check cox-stream-mem 0 "" "$BIN" fit cox "$CSF" $CS --vce cluster id
cp "$T/out" "$T/cox_mem.txt"
check cox-stream 0 "" "$BIN" fit cox "$CSF" $CS --vce cluster id --stream --chunk-rows 777
expect cox-stream "Efron ties"
if [ -s "$T/out" ] && cmp -s "$T/out" "$T/cox_mem.txt"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL cox-stream: output differs from the in-memory fit"; diff "$T/cox_mem.txt" "$T/out" | head -20; fi
check cox-stream-breslow-mem 0 "" "$BIN" fit cox "$CSF + strata(g)" tests/data/models/cox_sorted.dta --ties breslow --weights w --weight-type prob --offset off --vce cluster id --ssc hc0 --format csv
cut -d, -f1-3 "$T/out" | sed 's/\([0-9]\.[0-9]\{7\}\)[0-9]*/\1/g' > "$T/cox_mem.csv"
check cox-stream-breslow 0 "" "$BIN" fit cox "$CSF + strata(g)" tests/data/models/cox_sorted.dta --ties breslow --weights w --weight-type prob --offset off --vce cluster id --ssc hc0 --format csv --stream --chunk-rows 1000
expect cox-stream-breslow "term,estimate,std.error"
cut -d, -f1-3 "$T/out" | sed 's/\([0-9]\.[0-9]\{7\}\)[0-9]*/\1/g' > "$T/cox_stream.csv"
if [ "$(wc -l < "$T/cox_stream.csv")" -ge 5 ] && cmp -s "$T/cox_stream.csv" "$T/cox_mem.csv"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL cox-stream-breslow: csv differs from the in-memory fit"; diff "$T/cox_mem.csv" "$T/cox_stream.csv" | head -20; fi
check cox-stream-rc 0 "" "$BIN" fit cox "Surv(stop, event) ~ x1 + yr + d" $CS --vce robust --ties breslow --stream
expect cox-stream-rc "Breslow ties"
check cox-stream-unsorted 2 "sorted" "$BIN" fit cox "$CSF" tests/data/models/cox_unsorted.csv --stream
check cox-stream-unsorted-row 2 "12345" "$BIN" fit cox "$CSF" tests/data/models/cox_unsorted.csv --stream --chunk-rows 100
check cox-stream-by-stratum 0 "" "$BIN" fit cox "$CSF + strata(g)" tests/data/models/cox_sorted_by_stratum.csv --stream
check cox-stream-by-stratum-nostrata 2 "650" "$BIN" fit cox "$CSF" tests/data/models/cox_sorted_by_stratum.csv --stream
check cox-stream-zph 1 "--stream" "$BIN" fit cox "$CSF" $CS --zph km --stream
check cox-stream-basehaz 1 "--stream" "$BIN" fit cox "$CSF" $CS --basehaz "$T/bh_stream.csv" --stream
if [ ! -e "$T/bh_stream.csv" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL cox-stream-basehaz: wrote the file"; fi

# a file in subject order (sorted by id, then stop) with strata(id): sorted
# within each stratum, and one stratum open at a time (the sweep's k^2
# sums for one or two strata, not 4,449)
(head -1 tests/data/models/cox_sorted.csv; tail -n +2 tests/data/models/cox_sorted.csv |
    sort -t, -s -k11,11n -k2,2g) > "$T/cox_byid.csv"
check cox-stream-byid-mem 0 "" "$BIN" fit cox "Surv(stop, event) ~ x1 + x3 + strata(id)" "$T/cox_byid.csv" --vce cluster g
cp "$T/out" "$T/cox_byid_mem.txt"
check cox-stream-byid 0 "" "$BIN" fit cox "Surv(stop, event) ~ x1 + x3 + strata(id)" "$T/cox_byid.csv" --vce cluster g --stream --chunk-rows 333
if cmp -s "$T/cox_byid_mem.txt" "$T/out"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL cox-stream-byid: output differs from the in-memory fit"; diff "$T/cox_byid_mem.txt" "$T/out" | head; fi
# events coded 1/2: a chunk cannot tell the coding, so --stream wants 0/1
awk -F, 'BEGIN { OFS = "," } NR > 1 { $3 = $3 + 1 } { print }' tests/data/models/cox_sorted.csv > "$T/cox12.csv"
check cox-stream-event12 2 "recode 1/2 events" "$BIN" fit cox "$CSF" "$T/cox12.csv" --stream

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
