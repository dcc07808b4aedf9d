#!/usr/bin/env bash
# `cat -f csv --schema flow` against `cat -f csv -F` of as many columns, on the bench file
# (benches/flows.sh N, default 1M records, 12 IEs), one thread, runs interleaved; prints each
# run's wall time and the medians and ratio. The flow view writes its 12 schema fields of
# those IEs (-F src_addr,...) and, separately, all its 38 fields.
#
#   benches/schema.sh [N] [RUNS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
runs=${2:-7}
bin=$ROOT/target/release/ipfixkit
f=$("$ROOT/benches/flows.sh" "$n")
raw=sourceIPv4Address,destinationIPv4Address,sourceTransportPort,destinationTransportPort,protocolIdentifier,tcpControlBits,ingressInterface,egressInterface,octetDeltaCount,packetDeltaCount,flowStartMilliseconds,flowEndMilliseconds
flow=src_addr,dst_addr,src_port,dst_port,proto,tcp_flags,in_if,out_if,bytes,packets,time_flow_start_ns,time_flow_end_ns
declare -A times
t() {
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
for ((i = 0; i < runs; i++)); do
    times[raw]+="$(t "$bin" cat -j1 -f csv -F "$raw" "$f") "
    times[flow]+="$(t "$bin" cat -j1 -f csv --schema flow -F "$flow" "$f") "
    times[all]+="$(t "$bin" cat -j1 -f csv --schema flow "$f") "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
r=$(echo "${times[raw]}" | median)
fl=$(echo "${times[flow]}" | median)
a=$(echo "${times[all]}" | median)
echo "raw -F 12 columns:         ${times[raw]}-> median $r ms"
echo "--schema flow -F 12:       ${times[flow]}-> median $fl ms ($(awk "BEGIN {printf \"%.2f\", $fl / $r}")x)"
echo "--schema flow (38 fields): ${times[all]}-> median $a ms ($(awk "BEGIN {printf \"%.2f\", $a / $r}")x)"
