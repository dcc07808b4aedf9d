#!/usr/bin/env bash
# Speed benchmark of `ipfixkit cat` and `convert` against their peers on the same file, in the
# same run (`benches/filter.sh` does `filter --count` against nfdump).
#
#   benches/run.sh [N]        N flow records (default 1000000)
#
# Builds the release binary, generates the input once with benches/mkflows.py (cached under
# target/bench-data/, keyed by N and the generator's checksum), then times every command with
# its output to /dev/null: best of 3 wall-clock runs (hyperfine when installed, else
# /usr/bin/time), after one warm-up run so the file is in the page cache. Prints a markdown
# table with times, input throughput and the ratio of each peer to `ipfixkit cat -f csv`.
# Nothing here is part of `cargo test`; timing is never a test.
#
# First the headline (benches/headline.py): `cat -f csv -j1` and `ipfixDump -d` in interleaved
# pairs, HEADLINE_RUNS of them (default 10), so both see the same phases of a drifting machine.
#
# Environment: RUNS (default 3), PY_LIMIT (seconds; default 300: when ipfix2csv would take
# longer on N records, it is run on a 100k-record file and its time scaled, and the table says
# so), SKIP_PY=1 to leave python-ipfix out.
set -euo pipefail

N=${1:-1000000}
RUNS=${RUNS:-3}
HEADLINE_RUNS=${HEADLINE_RUNS:-10}
PY_LIMIT=${PY_LIMIT:-300}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/target/bench-data
BIN=$ROOT/target/release/ipfixkit
mkdir -p "$DATA"

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"

gen() { # N -> path of the cached file
    "$ROOT/benches/flows.sh" "$1"
}

FILE=$(gen "$N")
SIZE=$(stat -c %s "$FILE")
# The columns of the main template (256), for ipfix2csv and an equal-work ipfixkit run.
MAIN="sourceIPv4Address destinationIPv4Address sourceTransportPort destinationTransportPort"
MAIN="$MAIN protocolIdentifier tcpControlBits ingressInterface egressInterface"
MAIN="$MAIN octetDeltaCount packetDeltaCount flowStartMilliseconds flowEndMilliseconds"
MAIN_CSV=$(echo "$MAIN" | tr ' ' ',')

# Four copies for the parallel run (hard links: the same bytes, four inputs).
for k in 1 2 3 4; do
    ln -f "$FILE" "$DATA/copy$k.ipfix"
done
COPIES="$DATA/copy1.ipfix $DATA/copy2.ipfix $DATA/copy3.ipfix $DATA/copy4.ipfix"

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS" "$RESULTS".json' EXIT

# time_cmd LABEL RECORDS BYTES SCALE CMD... : appends "label records bytes scale wall cpu".
# SCALE multiplies the measured times (1 unless a subset stood in for the whole file).
time_cmd() {
    local label=$1 recs=$2 bytes=$3 scale=$4
    shift 4
    local wall cpu
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 1 --runs "$RUNS" --output null \
            --export-json "$RESULTS.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        read -r wall cpu < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(min(r["times"]), r["user"] + r["system"])' "$RESULTS.json")
    else
        "$@" >/dev/null 2>&1 || true
        wall=999999
        cpu=0
        for _ in $(seq "$RUNS"); do
            /usr/bin/time -o "$RESULTS.t" -f "%e %U %S" "$@" >/dev/null 2>/dev/null || true
            read -r w u s <"$RESULTS.t"
            if awk "BEGIN{exit !($w < $wall)}"; then wall=$w; cpu=$(awk "BEGIN{print $u+$s}"); fi
        done
        rm -f "$RESULTS.t"
    fi
    wall=$(awk "BEGIN{print $wall * $scale}")
    cpu=$(awk "BEGIN{print $cpu * $scale}")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$recs" "$bytes" "$scale" "$wall" "$cpu" >>"$RESULTS"
    printf '  %-44s %8.3f s\n' "$label" "$wall" >&2
}

# The headline of issue 2 first: ipfixkit CSV against ipfixDump, runs interleaved.
if command -v ipfixDump >/dev/null; then
    echo "interleaved: ipfixkit cat -f csv -j1 vs ipfixDump -d, $HEADLINE_RUNS pairs" >&2
    HEADLINE=$(python3 "$ROOT/benches/headline.py" "$BIN" "$FILE" "$HEADLINE_RUNS")
fi

echo "timing on $FILE ($N records, $SIZE octets), best of $RUNS" >&2
time_cmd "ipfixkit cat -f csv -j1" "$N" "$SIZE" 1 "$BIN" cat -f csv -j1 "$FILE"
time_cmd "ipfixkit cat -f csv -j1 -F <main template>" "$N" "$SIZE" 1 \
    "$BIN" cat -f csv -j1 -F "$MAIN_CSV" "$FILE"
time_cmd "ipfixkit cat -f json -j1" "$N" "$SIZE" 1 "$BIN" cat -f json -j1 "$FILE"
time_cmd "ipfixkit cat -f text -j1" "$N" "$SIZE" 1 "$BIN" cat -f text -j1 "$FILE"
time_cmd "ipfixkit cat --stats" "$N" "$SIZE" 1 "$BIN" cat --stats "$FILE"
time_cmd "ipfixkit convert --to csv -j1" "$N" "$SIZE" 1 "$BIN" convert --to csv -j1 "$FILE"
time_cmd "ipfixkit convert --to json -j1" "$N" "$SIZE" 1 "$BIN" convert --to json -j1 "$FILE"
time_cmd "ipfixDump -d -i FILE" "$N" "$SIZE" 1 ipfixDump -d -i "$FILE"
if [ "${SKIP_PY:-0}" != 1 ] && command -v ipfix2csv >/dev/null; then
    # python-ipfix is slow: estimate from a 100k-record file first.
    SUB=100000
    if [ "$N" -gt "$SUB" ]; then
        SUBFILE=$(gen "$SUB")
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        ipfix2csv -f "$SUBFILE" $MAIN >/dev/null
        est=$(awk "BEGIN{print ($(date +%s.%N) - $start) * $N / $SUB}")
    else
        est=0
    fi
    if awk "BEGIN{exit !($est > $PY_LIMIT)}"; then
        # shellcheck disable=SC2086
        time_cmd "ipfix2csv -f FILE <main template> (100k, scaled)" "$N" "$SIZE" \
            "$(awk "BEGIN{print $N / $SUB}")" ipfix2csv -f "$SUBFILE" $MAIN
    else
        # shellcheck disable=SC2086
        time_cmd "ipfix2csv -f FILE <main template>" "$N" "$SIZE" 1 ipfix2csv -f "$FILE" $MAIN
    fi
fi
time_cmd "ipfixkit cat -f csv -j1, 4 files" "$((4 * N))" "$((4 * SIZE))" 1 \
    "$BIN" cat -f csv -j1 $COPIES
time_cmd "ipfixkit cat -f csv -j2, 4 files" "$((4 * N))" "$((4 * SIZE))" 1 \
    "$BIN" cat -f csv -j2 $COPIES
# With -F there is no first pass (the column union), so this isolates the parallel part.
time_cmd "ipfixkit cat -f csv -F <main> -j1, 4 files" "$((4 * N))" "$((4 * SIZE))" 1 \
    "$BIN" cat -f csv -F "$MAIN_CSV" -j1 $COPIES
time_cmd "ipfixkit cat -f csv -F <main> -j2, 4 files" "$((4 * N))" "$((4 * SIZE))" 1 \
    "$BIN" cat -f csv -F "$MAIN_CSV" -j2 $COPIES

if [ -n "${HEADLINE:-}" ]; then
    echo "$HEADLINE"
    echo
fi
python3 - "$RESULTS" <<'EOF'
import sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
rows = [(l, int(n), int(b), float(s), float(w), float(c)) for l, n, b, s, w, c in rows]
base = next(w for l, _, _, _, w, _ in rows if l == "ipfixkit cat -f csv -j1")
print("| command | records | best wall (s) | mean CPU user+sys (s) | input MB/s | Mrecords/s | time / ipfixkit csv |")
print("|---|---:|---:|---:|---:|---:|---:|")
for l, n, b, s, w, c in rows:
    print(f"| `{l}` | {n:,} | {w:.3f} | {c:.3f} | {b / w / 1e6:,.0f} | {n / w / 1e6:.2f} | {w / base:.2f} |")
print()
byl = {r[0]: r[4] for r in rows}
dump = byl.get("ipfixDump -d -i FILE")
if dump:
    print(f"ipfixkit csv -j1 is {dump / base:.1f}x faster than `ipfixDump -d` (wall, same file, same run).")
    for l in ("ipfixkit cat -f json -j1", "ipfixkit cat -f text -j1"):
        print(f"`{l}` is {dump / byl[l]:.1f}x faster than `ipfixDump -d`.")
for l, w in byl.items():
    if l.startswith("ipfix2csv"):
        eq = byl["ipfixkit cat -f csv -j1 -F <main template>"]
        print(f"ipfixkit csv -F <main template> is {w / eq:.1f}x faster than `{l}`.")
j1 = byl.get("ipfixkit cat -f csv -j1, 4 files")
j2 = byl.get("ipfixkit cat -f csv -j2, 4 files")
if j1 and j2:
    print(f"4 files: -j2 is {j1 / j2:.2f}x the speed of -j1.")
f1 = byl.get("ipfixkit cat -f csv -F <main> -j1, 4 files")
f2 = byl.get("ipfixkit cat -f csv -F <main> -j2, 4 files")
if f1 and f2:
    print(f"4 files with -F (no first pass): -j2 is {f1 / f2:.2f}x the speed of -j1.")
EOF
