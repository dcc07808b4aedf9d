#!/usr/bin/env bash
# Instruction counts (callgrind, whole process) of the hot decode paths, for judging small
# changes on a noisy machine:
#
#   benches/instructions.sh BIN [N]
#
# BIN: an ipfixkit release build; N (default 100000): records of the benches/mkflows.py file
# (made and cached in target/bench-data/ as identical.sh does). Prints one line per command:
# `cat -f csv -j1`, `cat -f json -j1`, `cat -f text -j1`, in millions of instructions.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$1
N=${2:-100000}
BENCH=$("$ROOT/benches/flows.sh" "$N")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for f in csv json text; do
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" "$BIN" cat -f "$f" -j1 "$BENCH" \
        >"$OUT/stdout" 2>"$OUT/log"
    ir=$(grep -o 'Collected : [0-9]*' "$OUT/log" | grep -o '[0-9]*$')
    awk -v f="$f" -v ir="$ir" 'BEGIN { printf "cat -f %-4s -j1  %8.2f M\n", f, ir / 1e6 }'
done
