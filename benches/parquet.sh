#!/usr/bin/env bash
# `convert --to parquet` against `convert --to csv` of the same bench file (benches/flows.sh
# N, default 1M records), runs interleaved: Parquet with -j1 and with the default jobs (the
# machine's cores: columns encoded in parallel, on a thread of their own while the next
# batch is built), CSV (one input: one thread whatever -j). Prints each run's wall time, the
# medians and ratios, and the output sizes. Then DuckDB's time for the top-10 query
# (`SELECT <src>, sum(<bytes>) ... GROUP BY 1 ORDER BY 2 DESC LIMIT 10`) on the Parquet and
# on the CSV, interleaved, a new connection per run (DuckDB's Python package, from
# target/venv, which .ci/run makes, or $DUCKDB_PYTHON).
#
#   benches/parquet.sh [N] [RUNS]          SCHEMA=flow benches/parquet.sh  (default raw)
#
# Outputs go to target/bench-data/parquet-bench/ (regular files, replaced each run).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
runs=${2:-7}
schema=${SCHEMA:-raw}
bin=$ROOT/target/release/ipfixkit
py=${DUCKDB_PYTHON:-$ROOT/target/venv/bin/python}
(cd "$ROOT" && cargo build --release -q)
f=$("$ROOT/benches/flows.sh" "$n")
out=$ROOT/target/bench-data/parquet-bench
mkdir -p "$out"
case $schema in
raw) src=sourceIPv4Address bytes=octetDeltaCount ;;
flow) src=src_addr bytes=bytes ;;
*) echo "SCHEMA is raw or flow" >&2 && exit 2 ;;
esac
declare -A times
t() {
    local s e
    s=$(date +%s%N)
    "$@"
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
conv=("$bin" convert -q --schema "$schema")
for ((i = 0; i < runs; i++)); do
    times[csv]+="$(t "${conv[@]}" -j1 --to csv "$f" -o "$out/flows.csv") "
    times[pq1]+="$(t "${conv[@]}" -j1 --to parquet "$f" -o "$out/flows.parquet") "
    times[pq]+="$(t "${conv[@]}" --to parquet "$f" -o "$out/flows.parquet") "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
c=$(echo "${times[csv]}" | median)
p1=$(echo "${times[pq1]}" | median)
p=$(echo "${times[pq]}" | median)
cs=$(stat -c %s "$out/flows.csv")
ps=$(stat -c %s "$out/flows.parquet")
echo "input: $f ($(stat -c %s "$f") bytes), --schema $schema, $(nproc) cores"
echo "csv -j1:         ${times[csv]}-> median $c ms"
echo "parquet -j1:     ${times[pq1]}-> median $p1 ms ($(ratio "$p1" "$c")x csv)"
echo "parquet -j$(nproc):     ${times[pq]}-> median $p ms ($(ratio "$p" "$c")x csv)"
echo "sizes: csv $cs bytes, parquet $ps bytes ($(ratio "$ps" "$cs")x)"
if ! "$py" -c 'import duckdb' 2>/dev/null; then
    echo "SKIP duckdb query: no python with duckdb at $py (set DUCKDB_PYTHON)"
    exit 0
fi
"$py" - "$out/flows.parquet" "$out/flows.csv" "$src" "$bytes" "$runs" <<'EOF'
import statistics, sys, time
import duckdb
pq, csv, src, col, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
q = "SELECT {s}, sum({b}) FROM {t} GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
tables = {"parquet": f"read_parquet('{pq}')", "csv": f"read_csv('{csv}')"}
times = {k: [] for k in tables}
answers = {}
for _ in range(runs):
    for k, t in tables.items():
        con = duckdb.connect()
        s = time.perf_counter()
        answers[k] = con.execute(q.format(s=src, b=col, t=t)).fetchall()
        times[k].append(time.perf_counter() - s)
        con.close()
# Same top 10 from both (sums of integers; the CSV's addresses are text, as are ours).
same = [(str(a), int(b)) for a, b in answers["parquet"]] == [
    (str(a), int(b)) for a, b in answers["csv"]
]
m = {k: statistics.median(v) for k, v in times.items()}
for k, v in times.items():
    print(f"duckdb top-10 on {k:7}: " + " ".join(f"{x:.3f}" for x in v) + f" -> median {m[k]:.3f} s")
print(f"csv/parquet: {m['csv'] / m['parquet']:.1f}x; same answer: {same}")
print("top:", answers["parquet"][:3])
EOF
