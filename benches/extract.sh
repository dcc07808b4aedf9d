#!/usr/bin/env bash
# pcap2ipfix --extract against tshark decoding the same capture, interleaved rounds.
#
# Usage: benches/extract.sh [ROUNDS] [RECORDS]   (defaults 3 and 2700000)
#
# The capture: `gen --netflow 9 --pcap -n RECORDS` (NetFlow v9 export packets of 1400
# octets as UDP; 2.7M records are about 100k packets). Each round: `ipfixkit pcap2ipfix
# --extract CAP -o OUT` and `tshark -r CAP -d udp.port==2055,cflow -T fields` of six flow
# fields; wall time, CPU time and peak RSS of each; medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
records=${2:-2700000}
bin=target/release/ipfixkit
[[ -x $bin ]] || cargo build --release -q
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-extract.XXXXXX")
trap 'rm -rf "$work"' EXIT
cap=$work/cap.pcap
$bin gen --netflow 9 --pcap -n "$records" -o "$cap"
packets=$($bin pcap2ipfix --extract --stats "$cap" -o "$work/x.ipfix" 2>&1 |
    sed -n 's/.* \([0-9]*\) NetFlow v9 and.*/\1/p')
echo "capture: $(stat -c %s "$cap") octets, $packets export packets, $records records"
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        exit 1
    }
    awk -v n="$name" '{ printf "%s %.3f %.3f %d\n", n, $1, $2 + $3, $4 }' "$work/t" >>"$work/times"
}
for ((r = 1; r <= rounds; r++)); do
    measure ipfixkit $bin pcap2ipfix --extract "$cap" -o "$work/out.ipfix"
    measure tshark tshark -r "$cap" -d udp.port==2055,cflow -T fields -e cflow.srcaddr \
        -e cflow.dstaddr -e cflow.srcport -e cflow.dstport -e cflow.octets -e cflow.packets
done
for n in ipfixkit tshark; do
    awk -v n="$n" '$1 == n { print $2, $3, $4 }' "$work/times" | sort -n |
        awk -v n="$n" -v p="$packets" '{ w[NR] = $1; c[NR] = $2; m[NR] = $3 }
            END { i = int((NR + 1) / 2); printf "%-9s wall %7.3f s  CPU %7.3f s  %8.0f packets/s  %7.1f MB\n",
                  n, w[i], c[i], p / w[i], m[i] / 1024 }'
done
