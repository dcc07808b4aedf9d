#!/usr/bin/env bash
# pcap2ipfix against softflowd -r and nfpcapd -r on one capture, in interleaved rounds.
#
# Usage: benches/pcap2ipfix.sh [ROUNDS] [CONNECTIONS]   (defaults 5 and 110000)
#
# The capture is `gen --packets -n CONNECTIONS` (110k connections: about 1.04M packets,
# 530 MB; VLAN/QinQ, fragments, TCP/UDP/ICMP). Each round runs, one after the other:
#   ipfixkit pcap2ipfix -j1 CAP -o OUT          (the file mapped)
#   ipfixkit pcap2ipfix -j1 - -o OUT < CAP      (streamed: RSS without the mapped file)
#   nfpcapd -r CAP -w DIR
#   softflowd -d -r CAP -n 127.0.0.1:9 -v 10    (exports IPFIX to the discard port)
# and records CPU time (user + sys, from /usr/bin/time) and peak RSS of each. CPU time, not
# wall time: softflowd in -r mode sleeps in poll() between reads (15-60 s unless poked; see
# tests/interop/softflowd_capture.sh; here it is poked with softflowctl every 50 ms), which
# is not work. Medians over the rounds; ratios
# against the faster peer.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
conns=${2:-110000}
bin=target/release/ipfixkit
[[ -x $bin ]] || cargo build --release -q
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-pcap2ipfix.XXXXXX")
trap 'rm -rf "$work"' EXIT
cap=$work/cap.pcap
$bin gen --packets -n "$conns" -o "$cap"
packets=$($bin pcap2ipfix --stats "$cap" -o "$work/flows.ipfix" 2>&1 | sed -n 's/^ipfixkit: [^:]*: \([0-9]*\) packets.*/\1/p')
echo "capture: $(stat -c %s "$cap") octets, $packets packets"
softflowd=$(command -v softflowd || echo /usr/sbin/softflowd)
softflowctl=$(command -v softflowctl || echo /usr/sbin/softflowctl)

# One measured run: NAME CMD...; appends "NAME cpu_seconds max_rss_kb" to $work/times.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%U %S %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
        echo "$name failed:" >&2
        cat "$work/err" >&2
        exit 1
    }
    awk -v n="$name" '{ printf "%s %.3f %d\n", n, $1 + $2, $3 }' "$work/t" >>"$work/times"
}

for ((r = 1; r <= rounds; r++)); do
    measure ipfixkit-file $bin pcap2ipfix -j1 "$cap" -o "$work/out.ipfix"
    measure ipfixkit-stdin sh -c "$bin pcap2ipfix -j1 - -o $work/out2.ipfix < $cap"
    rm -rf "$work/nf" && mkdir "$work/nf"
    measure nfpcapd nfpcapd -r "$cap" -w "$work/nf"
    rm -f "$work/sf.ctl" "$work/sf.pid"
    # softflowd reads on when its control socket is poked: poke it until it exits.
    measure softflowd "$softflowd" -d -r "$cap" -n 127.0.0.1:9 -v 10 \
        -c "$work/sf.ctl" -p "$work/sf.pid" &
    sf=$!
    while kill -0 "$sf" 2>/dev/null; do
        "$softflowctl" -c "$work/sf.ctl" statistics >/dev/null 2>&1 || true
        sleep 0.05
    done
    wait "$sf"
done

echo "median of $rounds rounds (CPU seconds = user + sys; peak RSS):"
for n in ipfixkit-file ipfixkit-stdin nfpcapd softflowd; do
    awk -v n="$n" '$1 == n { print $2, $3 }' "$work/times" | sort -n |
        awk -v n="$n" -v p="$packets" '{ c[NR] = $1; m[NR] = $2 }
            END { i = int((NR + 1) / 2); printf "%-15s %7.3f s  %6.2f M packets/s  %7.1f MB\n",
                  n, c[i], p / c[i] / 1e6, m[i] / 1024 }'
done | tee "$work/summary"
best_peer=$(awk '$1 == "nfpcapd" || $1 == "softflowd" { print $2 }' "$work/summary" | sort -n | head -1)
ours=$(awk '$1 == "ipfixkit-file" { print $2 }' "$work/summary")
awk -v a="$best_peer" -v b="$ours" 'BEGIN { printf "ipfixkit -j1 vs the faster peer: %.1fx\n", a / b }'
