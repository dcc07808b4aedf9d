#!/usr/bin/env bash
# `merge` of four 1M-record files (benches/flows.sh N), one thread, runs interleaved, next to
# `cat a b c d > out` (the copy limit): ordered inputs (the bench file merged once by flow
# start, given four times: the streaming k-way merge) and unordered ones (the bench file as
# generated, four times: sorted in --memory 256M with runs spilled). Like cat, merge writes
# to stdout redirected to a file; "ordered -o" writes the same with `-o` (a temporary file,
# fsync'd and renamed over the last run's output: the safe-output cost). Prints each run's
# wall time, the medians and records per second.
#
#   benches/merge.sh [N] [RUNS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
runs=${2:-5}
bin=$ROOT/target/release/ipfixkit
f=$("$ROOT/benches/flows.sh" "$n")
tmp=$(mktemp -d "$ROOT/target/bench-merge.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sorted=$tmp/sorted.ipfix
"$bin" merge -j1 "$f" -o "$sorted"
declare -A times
t() {
    local s e
    s=$(date +%s%N)
    "$@"
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
for ((i = 0; i < runs; i++)); do
    times[cat]+="$(t sh -c "cat '$sorted' '$sorted' '$sorted' '$sorted' > '$tmp/out'") "
    times[ordered]+="$(t sh -c "'$bin' merge -j1 '$sorted' '$sorted' '$sorted' '$sorted' > '$tmp/out'") "
    times[ordered_o]+="$(t "$bin" merge -j1 "$sorted" "$sorted" "$sorted" "$sorted" -o "$tmp/out") "
    times[unordered]+="$(t sh -c "'$bin' merge -j1 --temp-dir '$tmp' '$f' '$f' '$f' '$f' > '$tmp/out'") "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for k in cat ordered ordered_o unordered; do
    m=$(echo "${times[$k]}" | median)
    echo "$k: ${times[$k]}-> median $m ms, $(awk "BEGIN {printf \"%.2f\", 4 * $n / $m / 1000}") M records/s"
done
