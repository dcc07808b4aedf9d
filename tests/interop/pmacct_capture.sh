#!/usr/bin/env bash
# Meter a pcap with pmacct (pmacctd and its nfprobe plugin) and capture its IPFIX export as
# an IPFIX file (or, with PMACCT_VERSION=9 or 5, its NetFlow v9 or v5 export as a file of
# concatenated export packets).
#
# Usage: pmacct_capture.sh PCAP OUT
#
#   pmacct_capture.sh testdata/interop/test.pcap pmacct.ipfix
#   PMACCT_VERSION=9 pmacct_capture.sh testdata/interop/test.pcap pmacct.nf9
#
# pmacctd cannot write IPFIX files: nfprobe exports over UDP. This script starts a private
# collector (udp_catch.py, on a kernel-chosen loopback port), writes a pmacctd configuration
# into a temporary directory (pcap_savefile: a copy of PCAP there; plugins: nfprobe to the
# collector; the 5-tuple, ToS and VLAN as the aggregation key; 10 s timeouts), runs
# `pmacctd -f CONFIG` in the foreground until it has read the pcap, expired every flow and
# exported it (it exits by itself, in about 4 s), and writes the datagrams, back to back, to
# OUT. Waiting is bounded by PMACCT_CAPTURE_TIMEOUT seconds (default 45).
#
# pmacctd stamps message headers with its wall clock (export time); the flow times are the
# capture's, as absolute flowStart/EndMilliseconds.
#
# Exit status: 0 with a non-empty file in OUT, 1 on any failure (with pmacctd's and the
# collector's stderr on our stderr), 2 on usage errors.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 PCAP OUT" >&2
    exit 2
fi
pcap=$1
out=$2

here=$(cd "$(dirname "$0")" && pwd)
limit=${PMACCT_CAPTURE_TIMEOUT:-45}
version=${PMACCT_VERSION:-10}
case $version in
    10 | 9 | 5) ;;
    *) echo "pmacct_capture: PMACCT_VERSION must be 5, 9 or 10" >&2; exit 2 ;;
esac

pmacctd=$(command -v pmacctd 2>/dev/null || { [[ -x /usr/sbin/pmacctd ]] && echo /usr/sbin/pmacctd; } || true)
if [[ -z $pmacctd ]]; then
    echo "pmacct_capture: pmacctd not installed" >&2
    exit 1
fi
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)
[[ -r $pcap ]] || { echo "pmacct_capture: cannot read $pcap" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pmacct_capture.XXXXXX")
catcher_pid=
pmacctd_pid=

stop() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for (( i = 0; i < 20; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    [[ -n $pmacctd_pid ]] && stop "$pmacctd_pid"
    [[ -n $catcher_pid ]] && stop "$catcher_pid"
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "pmacct_capture: $*" >&2
    for log in pmacctd.err catcher.err; do
        if [[ -s $work/$log ]]; then
            echo "--- $log" >&2
            cat "$work/$log" >&2
        fi
    done
    exit 1
}

# 1. The collector, and the port it got.
"$python" "$here/udp_catch.py" "$work/port" "$work/capture" $(( limit + 30 )) \
    2>"$work/catcher.err" &
catcher_pid=$!
start=$SECONDS
while [[ ! -s $work/port ]]; do
    kill -0 "$catcher_pid" 2>/dev/null || fail "collector died before listening"
    (( SECONDS - start < limit )) || fail "collector did not start listening"
    sleep 0.1
done
port=$(<"$work/port")

# 2. pmacctd on a copy of the pcap, with its configuration, in the work directory.
cp "$pcap" "$work/in.pcap"
cat >"$work/pmacctd.conf" <<EOF
daemonize: false
pcap_savefile: $work/in.pcap
plugins: nfprobe
nfprobe_receiver: 127.0.0.1:$port
nfprobe_version: $version
aggregate: src_host, dst_host, src_port, dst_port, proto, tos, vlan
nfprobe_timeouts: tcp=10:udp=10:general=10
EOF
(cd "$work" && exec "$pmacctd" -f "$work/pmacctd.conf" >"$work/pmacctd.out" 2>"$work/pmacctd.err") &
pmacctd_pid=$!
while kill -0 "$pmacctd_pid" 2>/dev/null && (( SECONDS - start < limit )); do
    sleep 0.2
done
if kill -0 "$pmacctd_pid" 2>/dev/null; then
    fail "pmacctd did not finish $pcap within ${limit}s"
fi
status=0
wait "$pmacctd_pid" || status=$?
pmacctd_pid=
# pmacctd 1.7.7 races at the end of a pcap: now and then its nfprobe plugin finishes first
# ("Shutting down on user request", after exporting), and the core then exits 1 with
# "no more plugins active". The plugin has exported by then (tests/merge.rs counts the
# records: at least 42 over the three inputs); any other
# failure fails.
if (( status == 1 )) && grep -q "no more plugins active" "$work/pmacctd.err"; then
    status=0
fi
(( status == 0 )) || fail "pmacctd exited with status $status"

# 3. Stop the collector; it drains what pmacctd sent before exiting.
kill -TERM "$catcher_pid" 2>/dev/null || true
status=0
wait "$catcher_pid" || status=$?
catcher_pid=
(( status == 0 )) || fail "collector exited with status $status"

# 4. Sanity: a non-empty file that starts like a message of that version.
[[ -s $work/capture ]] || fail "pmacctd exported nothing"
first=$(od -An -tx1 -N2 "$work/capture" | tr -d ' \n')
want=$(printf '%04x' "$version")
[[ $first == "$want" ]] || fail "capture does not start with a version $version header (got $first)"
mv "$work/capture" "$out"
