#!/bin/sh
# demo.sh BIN -- the Leeds (2003)-style model of dispute onset on the bundled
# directed dyad-years: alliance commitments, contiguity, capabilities, joint
# democracy, major power and a cubic in peace years, clustered by dyad.
set -eu
BIN=${1:-build/dyadfit}
DATA=data/leeds_dyads.dta
echo "\$ dyadfit describe $DATA (first lines)"
"$BIN" describe "$DATA" | head -n 16
echo
echo "\$ dyadfit fit logit \"mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)\" $DATA --vce cluster dyad"
"$BIN" fit logit "mid_onset ~ defense + neutrality + entente + contig + log(cap_ratio) + jointdem + majpow + peaceyrs + I(peaceyrs^2) + I(peaceyrs^3)" \
    "$DATA" --vce cluster dyad
