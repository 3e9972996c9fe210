#!/bin/sh
# make_cli_data.sh -- writes the small CSV files the command-line tests use
# for bad input (run from this folder; deterministic).
set -eu
# 0/1 outcome y, x continuous, d dummy, cl cluster id with some missing
awk 'BEGIN { print "y,x,d,cl,w";
  for (i = 1; i <= 60; i++) {
    x = (i * 37 % 61) / 10; y = ((i * 13) % 7 < 3) ? 1 : 0;
    cl = (i % 9 == 0) ? "" : int(i / 6);
    printf "%d,%.1f,%d,%s,%d\n", y, x, i % 2, cl, 1 + i % 3 } }' > basic.csv
# outcome with a 2 in it
awk 'NR == 1 { print; next } NR == 8 { sub(/^[01]/, "2") } { print }' basic.csv > nonbinary.csv
# constant outcome
awk -F, 'NR == 1 { print; next } { $1 = 0; print }' OFS=, basic.csv > constant.csv
# x missing everywhere
awk -F, 'NR == 1 { print; next } { $2 = ""; print }' OFS=, basic.csv > allmissing.csv
# d = 1 only where y = 0: predicts failure perfectly
awk -F, 'NR == 1 { print; next } { $3 = ($1 == 0 && NR % 2 == 0) ? 1 : 0; print }' OFS=, basic.csv > separated.csv
# x2 = 2 x: perfectly collinear
awk -F, 'NR == 1 { print $0 ",x2"; next } { print $0 "," 2 * $2 }' basic.csv > collinear.csv
