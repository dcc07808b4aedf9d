#!/usr/bin/env bash
# Record, with tshark on lo, the UDP export packets softflowd sends while it
# meters a pcap: a capture of a real exporter for `pcap2ipfix --extract`.
#
# Usage: softflowd_export_capture.sh PCAP OUT.pcap VERSION
#
#   softflowd_export_capture.sh testdata/interop/test.pcap ipfix.pcap 10
#   softflowd_export_capture.sh testdata/interop/test.pcap nf9.pcap 9
#   softflowd_export_capture.sh testdata/interop/test.pcap nf5.pcap 5
#
# One capture per version (one softflowd run, one collector port). What it
# does, in order:
#  1. starts softflowd_capture.sh (softflowd -r PCAP -v VERSION exporting to a
#     private collector on a kernel-chosen loopback port; with -A milli for
#     IPFIX, as that script does by default) with SOFTFLOWD_PORT_FILE and
#     SOFTFLOWD_GO_FILE: it says the collector's port, then waits for the go;
#  2. starts a probe target (a second udp_catch.py, its own port) and
#     `tshark -i lo -F pcap -w` with the capture filter `udp port COLLECTOR or
#     udp port PROBE`, so no other loopback traffic gets in;
#  3. sends probe datagrams to the probe port every 0.2 s until the capture
#     file holds one (dumpcap starts capturing, and writes, with a lag), then
#     gives softflowd the go;
#  4. waits for softflowd_capture.sh to finish (softflowd exits at the end of
#     the pcap, the collector has drained), then until the capture's packet
#     count has not changed for 1 s, and stops tshark with SIGINT;
#  5. keeps only the datagrams to the collector's port (`tshark -Y`), and
#     checks the capture is complete: the UDP payloads captured, in order,
#     are byte for byte what the collector received (the datagrams it wrote
#     back to back), so none is missing, doubled or cut.
#
# The collector's port is kernel-chosen: a test reads it back from the
# capture (`tshark -T fields -e udp.dstport`). softflowd sends from 127.0.0.1.
#
# Needs tshark (dumpcap must be allowed to capture on lo), capinfos, python3,
# softflowd. Bounded by SOFTFLOWD_EXPORT_CAPTURE_TIMEOUT seconds (default
# 80); every background process is stopped on exit. Exit status: 0 with the
# capture in OUT, 1 on any failure, 2 on usage errors.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 PCAP OUT.pcap VERSION" >&2
    exit 2
fi
pcap=$1
out=$2
version=$3
case $version in
    10 | 9 | 5) ;;
    *) echo "softflowd_export_capture: VERSION must be 10, 9 or 5" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
limit=${SOFTFLOWD_EXPORT_CAPTURE_TIMEOUT:-80}
start=$SECONDS

python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3 || true)
for tool in tshark capinfos "$python"; do
    command -v "$tool" >/dev/null || { echo "softflowd_export_capture: $tool not installed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/softflowd_export_capture.XXXXXX")
sfd_pid=
probe_pid=
tshark_pid=

wait_exit() {
    local pid=$1 wait=$2 i
    for (( i = 0; i < wait * 10; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null
}

# Stop what this script started (TERM, then KILL), remove the work directory.
# (softflowd_capture.sh stops its own softflowd and collector on TERM.)
cleanup() {
    local pid
    for pid in $tshark_pid $sfd_pid $probe_pid; do
        kill -TERM "$pid" 2>/dev/null || continue
        wait_exit "$pid" 12 || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "softflowd_export_capture: $*" >&2
    for log in sfd.err tshark.err probe.err; do
        if [[ -s $work/$log ]]; then
            echo "--- $log" >&2
            cat "$work/$log" >&2
        fi
    done
    exit 1
}

time_left() { (( SECONDS - start < limit )); }

packets() {
    local n
    n=$(capinfos -M -c "$work/all.pcap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
    echo "${n:-0}"
}

# 1. softflowd's collector, waiting for the go.
SOFTFLOWD_VERSION=$version SOFTFLOWD_PORT_FILE=$work/port SOFTFLOWD_GO_FILE=$work/go \
    TMPDIR=$work bash "$here/softflowd_capture.sh" "$pcap" "$work/received" \
    >"$work/sfd.out" 2>"$work/sfd.err" &
sfd_pid=$!
"$python" "$here/udp_catch.py" "$work/probe.port" "$work/probes" $(( limit + 30 )) \
    2>"$work/probe.err" &
probe_pid=$!
while [[ ! -s $work/port || ! -s $work/probe.port ]]; do
    kill -0 "$sfd_pid" 2>/dev/null || fail "softflowd_capture.sh ended before its collector listened"
    kill -0 "$probe_pid" 2>/dev/null || fail "the probe target died before listening"
    time_left || fail "the collectors did not start listening"
    sleep 0.1
done
port=$(<"$work/port")
probe_port=$(<"$work/probe.port")

# 2. The capture.
tshark -i lo -B 16 -F pcap -w "$work/all.pcap" -f "udp port $port or udp port $probe_port" -q \
    >"$work/tshark.out" 2>"$work/tshark.err" &
tshark_pid=$!

# 3. Probes until the capture is running, then the go.
until (( $(packets) > 0 )); do
    kill -0 "$tshark_pid" 2>/dev/null || fail "tshark died (can dumpcap capture on lo here?)"
    time_left || fail "no probe datagram reached the capture"
    "$python" -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("127.0.0.1", int(sys.argv[1])))' \
        "$probe_port" || fail "cannot send a probe"
    sleep 0.2
done
touch "$work/go"

# 4. softflowd's run, then the capture until it settles.
status=0
wait "$sfd_pid" || status=$?
sfd_pid=
(( status == 0 )) || fail "softflowd_capture.sh failed (status $status)"
last=-1
still=0
while (( still < 5 )); do
    time_left || fail "the capture did not settle"
    n=$(packets)
    if (( n == last )); then
        still=$(( still + 1 ))
    else
        still=0
        last=$n
    fi
    sleep 0.2
done
kill -INT "$tshark_pid" 2>/dev/null || true
wait_exit "$tshark_pid" 5 || fail "tshark did not stop on SIGINT"
status=0
wait "$tshark_pid" || status=$?
tshark_pid=
(( status == 0 )) || fail "tshark exited with status $status"

# 5. The export datagrams only, and nothing lost.
tshark -r "$work/all.pcap" -Y "udp.dstport == $port" -F pcap -w "$work/export.pcap" 2>>"$work/tshark.err" \
    || fail "tshark could not filter the capture"
tshark -r "$work/export.pcap" -T fields -e udp.payload 2>>"$work/tshark.err" >"$work/payloads" \
    || fail "tshark could not read the capture back"
captured=$(grep -c . "$work/payloads" || true)
(( captured > 0 )) || fail "the capture has no datagram to port $port"
got=$(tr -d ':\n' <"$work/payloads")
want=$(od -An -v -tx1 "$work/received" | tr -d ' \n')
[[ $got == "$want" ]] || fail "the $captured datagrams captured are not what the collector received ($(( ${#got} / 2 )) vs $(( ${#want} / 2 )) octets)"

mv "$work/export.pcap" "$out"
echo "softflowd_export_capture: v$version to 127.0.0.1:$port: $captured datagrams, $(( ${#got} / 2 )) octets, the same as the collector received"
