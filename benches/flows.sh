#!/usr/bin/env bash
# The cached bench input: prints the path of benches/mkflows.py's file of N records
# (target/bench-data/flows-N-CKSUM.ipfix, CKSUM the checksum of mkflows.py, so a changed
# generator makes a new file), generating it first when it is not there.
#
#   benches/flows.sh N
#
# The one place the bench scripts (run.sh, filter.sh, identical.sh, instructions.sh,
# netflow.py) get their input from.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=$1
DATA=$ROOT/target/bench-data
mkdir -p "$DATA"
sum=$(cksum <"$ROOT/benches/mkflows.py" | cut -d' ' -f1)
f=$DATA/flows-$n-$sum.ipfix
if [[ ! -s $f ]]; then
    echo "generating $n records into $f" >&2
    python3 "$ROOT/benches/mkflows.py" "$n" "$f.tmp"
    mv "$f.tmp" "$f"
fi
echo "$f"
