#!/bin/sh
# bench/sort_by_stop.sh IN.csv OUT.csv [COLUMN] -- copy a CSV with its body
# sorted by COLUMN (default "stop") ascending, header kept, for
# `dyadfit fit cox ... --stream` (which needs the rows in stop-time order
# within strata; a sort on stop alone is also sorted within any strata).
# Stable (`sort -s`): rows with equal stop keep their order. Numeric by
# `sort -g`, in the C locale. The column is found by name in the header
# (plain comma-separated header, no quoted commas: what gen_dyads.R writes).
# Writes OUT.csv.tmp, then renames it, so a broken run leaves no OUT.csv.
set -u
[ $# -ge 2 ] || { echo "usage: sh bench/sort_by_stop.sh IN.csv OUT.csv [COLUMN]" >&2; exit 2; }
in=$1; out=$2; name=${3:-stop}
[ -s "$in" ] || { echo "bench/sort_by_stop: $in missing or empty" >&2; exit 2; }
col=$(head -1 "$in" | tr -d '\r"' | awk -F, -v n="$name" '{ for (i = 1; i <= NF; i++) if ($i == n) { print i; exit } }')
[ -n "$col" ] || { echo "bench/sort_by_stop: no column \"$name\" in the header of $in" >&2; exit 2; }
{
    head -1 "$in"
    tail -n +2 "$in" | LC_ALL=C sort -t, -s -k"$col,$col"g -S 25% ${TMPDIR:+-T "$TMPDIR"}
} > "$out.tmp" || { rm -f "$out.tmp"; echo "bench/sort_by_stop: sort failed" >&2; exit 5; }
# sanity: same row count, and the column is non-decreasing
a=$(wc -l < "$in"); b=$(wc -l < "$out.tmp")
[ "$a" = "$b" ] || { rm -f "$out.tmp"; echo "bench/sort_by_stop: $a lines in, $b out" >&2; exit 5; }
awk -F, -v c="$col" 'NR > 2 && $c + 0 < p { print "bench/sort_by_stop: not sorted at line " NR > "/dev/stderr"; exit 1 }
    NR > 1 { p = $c + 0 }' "$out.tmp" || { rm -f "$out.tmp"; exit 5; }
mv "$out.tmp" "$out"
