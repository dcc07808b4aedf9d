#!/usr/bin/env bash
# `gen` (flow4, one thread, to stdout redirected to /dev/null) next to python-ipfix writing the
# same number of flow4-shaped records (benches/pyipfix_gen.py), in the same run: ipfixkit's
# runs interleaved with python's (python takes about 90 s for 10M, so it runs PY_RUNS times,
# default 1). Prints each run's wall time, the medians, records per second and the ratio.
#
#   benches/gen.sh [N] [RUNS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000000}
runs=${2:-5}
py_runs=${PY_RUNS:-1}
bin=$ROOT/target/release/ipfixkit
(cd "$ROOT" && cargo build --release --quiet)
tmp=$(mktemp -d "$ROOT/target/bench-gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t() {
    local s e
    s=$(date +%s%N)
    "$@"
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
ours=""
py=""
for ((i = 0; i < runs; i++)); do
    ours+="$(t sh -c "'$bin' gen -j1 -n $n > /dev/null") "
    if ((i < py_runs)); then
        py+="$(t /usr/bin/python3 "$ROOT/benches/pyipfix_gen.py" "$n" "$tmp/py.ipfix") "
    fi
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(echo "$ours" | median)
mp=$(echo "$py" | median)
echo "ipfixkit gen -j1: ${ours}-> median $mo ms, $(awk "BEGIN {printf \"%.2f\", $n / $mo / 1000}") M records/s"
echo "python-ipfix:     ${py}-> median $mp ms, $(awk "BEGIN {printf \"%.3f\", $n / $mp / 1000}") M records/s"
echo "ratio: $(awk "BEGIN {printf \"%.0f\", $mp / $mo}")x"
