#!/usr/bin/env bash
# Speed benchmark of `ipfixkit filter --count` against `nfdump -o null` on the same flows.
#
#   benches/filter.sh [N]     N flow records (default 2000000)
#
# nfdump cannot read IPFIX files, so the same flows are fed to `nfcapd` over loopback
# (127.0.0.1, one datagram per message, paced so none is dropped) and nfdump then reads the
# nfcapd file it wrote; the script checks that nfcapd received every flow and that both tools
# count the same matches. Each tool is timed on its own input format, best of RUNS (default 5)
# after a warm-up (hyperfine when installed, else /usr/bin/time at 10 ms resolution); ipfixkit on
# one thread (-j1), nfdump as it runs by default. Input throughput is our IPFIX bytes per second. Not a test.
set -euo pipefail

N=${1:-2000000}
RUNS=${RUNS:-5}
PORT=${PORT:-29996}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/target/bench-data
BIN=$ROOT/target/release/ipfixkit
mkdir -p "$DATA"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"

FILE=$("$ROOT/benches/flows.sh" "$N")
sum=$(cksum <"$ROOT/benches/mkflows.py" | cut -d' ' -f1) # names nfcapd's copy of it
SIZE=$(stat -c %s "$FILE")

NFDIR=$DATA/nfcapd-$N-$sum
if ! ls "$NFDIR"/nfcapd.* >/dev/null 2>&1; then
    rm -rf "$NFDIR"
    mkdir -p "$NFDIR"
    nfcapd -w "$NFDIR" -p "$PORT" -b 127.0.0.1 -B 16000000 -t 86400 >"$NFDIR.log" 2>&1 &
    NFPID=$!
    sleep 1
    python3 - "$FILE" "$PORT" <<'PY'
import socket, struct, sys, time
data = open(sys.argv[1], 'rb').read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
off = n = 0
while off < len(data):
    ver, ln = struct.unpack('!HH', data[off:off + 4])
    s.sendto(data[off:off + ln], ('127.0.0.1', int(sys.argv[2])))
    off += ln
    n += 1
    if n % 200 == 0:
        time.sleep(0.002)
print('sent', n, 'messages', file=sys.stderr)
PY
    sleep 2
    kill -TERM "$NFPID"
    wait "$NFPID" || true
fi
NFFILE=$(ls "$NFDIR"/nfcapd.* | head -1)
GOT=$(nfdump -r "$NFFILE" -I | awk '/^Flows:/ {print $2}')
if [ "$GOT" != "$N" ]; then
    echo "nfcapd received $GOT of $N flows; rerun (or raise the pacing)" >&2
    rm -rf "$NFDIR"
    exit 1
fi

best() { # CMD... -> best wall seconds of RUNS, after a warm-up (hyperfine when installed)
    if command -v hyperfine >/dev/null; then
        hyperfine --warmup 1 --runs "$RUNS" --export-json "$DATA/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        python3 -c "import json; print(json.load(open('$DATA/h.json'))['results'][0]['min'])"
        return
    fi
    "$@" >/dev/null 2>&1
    local b=999999 t
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f %e -o "$DATA/time.out" "$@" >/dev/null 2>/dev/null
        t=$(tail -1 "$DATA/time.out")
        b=$(python3 -c "print(min($b, $t))")
    done
    echo "$b"
}

echo "| expression | matches | ipfixkit filter --count -j1 | nfdump -o null | ratio | ipfixkit input |"
echo "|---|---:|---:|---:|---:|---:|"
while IFS='|' read -r ours theirs; do
    a=$("$BIN" filter --count -j1 "$ours" "$FILE")
    b=$(nfdump -r "$NFFILE" -o null "$theirs" 2>/dev/null | awk -F'passed: ' '/passed:/ {split($2, x, ","); print x[1]}')
    if [ "$a" != "$b" ]; then
        echo "counts differ for '$ours': ipfixkit $a, nfdump $b" >&2
        exit 1
    fi
    ta=$(best "$BIN" filter --count -j1 "$ours" "$FILE")
    tb=$(best nfdump -r "$NFFILE" -o null "$theirs")
    python3 -c "
ta, tb, size = $ta, $tb, $SIZE
print(f'| \`$ours\` | $a | {ta:.3f} s | {tb:.3f} s | {tb/ta:.1f}x | {size/ta/1e9:.2f} GB/s |')"
done <<'EXPRS'
proto tcp|proto tcp
proto udp and dst port 53|proto udp and dst port 53
src net 10.0.0.0/8 and octetDeltaCount > 100000|src net 10.0.0.0/8 and bytes > 100000
ip 10.1.2.3 or port in [22, 443, 8080]|ip 10.1.2.3 or port in [22 443 8080]
EXPRS
echo
echo "input: $N records, $SIZE octets of IPFIX; nfcapd file $(stat -c %s "$NFFILE") octets; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
