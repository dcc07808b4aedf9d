#!/usr/bin/env bash
# Record real loopback traffic into a pcap: HTTP fetches with curl, a UDP
# echo loop over IPv4 and IPv6, and ICMP/ICMPv6 echoes.
#
# Usage: loopback_capture.sh OUT.pcap
#
# What it does, in order:
#  1. starts a local HTTP server (`python3 -m http.server`, bound to
#     127.0.0.1 on a kernel-chosen port) over a directory of files of 0, 1000,
#     100000 and 1000000 octets, and a UDP echo server (loopback_udp.py, on
#     127.0.0.1 and ::1 with one kernel-chosen port);
#  2. starts `tshark -i lo -F pcap -w OUT` with the capture filter
#     `tcp port HTTP or udp port ECHO or icmp or icmp6 echo request/reply`, so
#     other loopback traffic on the machine stays out;
#  3. waits until the capture sees packets: a probe datagram to the echo
#     server, repeated every 0.2 s until the file holds a packet. tshark's
#     "Capturing on 'Loopback: lo'" comes before dumpcap really captures,
#     and dumpcap writes the file with a lag, so the first probes may be
#     missing from it; those in it are UDP flows like the others;
#  4. the traffic: 5 curl fetches (each its own TCP connection: the four
#     files and one 404), 24 echoed datagrams over IPv4 and 16 over IPv6
#     (payloads of 0 to 8000 octets), `ping -c 3` of 127.0.0.1 and of ::1;
#  5. waits until the packet count of OUT has not changed for 1 s, stops tshark with SIGINT and waits for it to
#     finish the file;
#  6. checks nothing was lost: exactly the UDP and ICMP packets sent, and a
#     FIN each way for each of the 5 TCP connections.
#
# dumpcap gets a 64 MiB buffer (-B 64): with the default 2 MiB the kernel
# dropped packets of the 1000000-octet fetch here (64 KiB segments on lo).
#
# Linux loopback frames are Ethernet with zero MAC addresses (link type 1),
# which is what softflowd, nfpcapd and ipfixkit read. The packet counts of the
# TCP connections vary from run to run (ACKs, segment sizes); the UDP and ICMP
# ones do not.
#
# Needs tshark (dumpcap must be allowed to capture: root, or its
# capabilities), python3, curl, ping and capinfos. Bounded by
# LOOPBACK_CAPTURE_TIMEOUT seconds (default 30); every background process is
# stopped on exit. Exit status: 0 with the capture in OUT, 1 on any failure
# (with what the helpers printed), 2 on usage errors.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUT.pcap" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
limit=${LOOPBACK_CAPTURE_TIMEOUT:-30}
start=$SECONDS

python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3 || true)
for tool in tshark capinfos curl ping "$python"; do
    command -v "$tool" >/dev/null || { echo "loopback_capture: $tool not installed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/loopback_capture.XXXXXX")
http_pid=
udp_pid=
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
cleanup() {
    local pid
    for pid in $tshark_pid $udp_pid $http_pid; do
        kill -TERM "$pid" 2>/dev/null || continue
        wait_exit "$pid" 3 || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "loopback_capture: $*" >&2
    for log in tshark.err http.err udp.err curl.err ping.err send.err; do
        if [[ -s $work/$log ]]; then
            echo "--- $log" >&2
            cat "$work/$log" >&2
        fi
    done
    exit 1
}

time_left() { (( SECONDS - start < limit )); }

# Packets in the capture so far (0 while it has none, or no file yet).
packets() {
    local n
    n=$(capinfos -M -c "$work/capture.pcap" 2>/dev/null | sed -n 's/^Number of packets: *//p')
    echo "${n:-0}"
}

# 1. The servers, and their ports.
mkdir "$work/www"
for size in 0 1000 100000 1000000; do
    "$python" -c "import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range($size)))" \
        >"$work/www/f$size"
done
"$python" -u -m http.server 0 --bind 127.0.0.1 --directory "$work/www" \
    >"$work/http.out" 2>"$work/http.err" &
http_pid=$!
"$python" "$here/loopback_udp.py" serve "$work/udp.port" $(( limit + 30 )) 2>"$work/udp.err" &
udp_pid=$!
http_port=
while [[ -z $http_port ]]; do
    kill -0 "$http_pid" 2>/dev/null || fail "the HTTP server died before listening"
    time_left || fail "the HTTP server did not start listening"
    # "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    http_port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$work/http.out")
    [[ -n $http_port ]] || sleep 0.1
done
while [[ ! -s $work/udp.port ]]; do
    kill -0 "$udp_pid" 2>/dev/null || fail "the UDP echo server died before listening"
    time_left || fail "the UDP echo server did not start listening"
    sleep 0.1
done
read -r udp_port udp_families <"$work/udp.port"

# 2. The capture. ICMPv6 is narrowed to echo request (128) and reply (129),
#    with no extension header before it (ping's never has one).
filter="tcp port $http_port or udp port $udp_port or icmp"
filter+=" or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))"
tshark -i lo -B 64 -F pcap -w "$work/capture.pcap" -f "$filter" -q \
    >"$work/tshark.out" 2>"$work/tshark.err" &
tshark_pid=$!

# 3. Wait until packets reach the file.
probes=0
until (( $(packets) > 0 )); do
    kill -0 "$tshark_pid" 2>/dev/null || fail "tshark died (can dumpcap capture on lo here?)"
    time_left || fail "no probe datagram reached the capture"
    "$python" "$here/loopback_udp.py" send "$udp_port" 1 2>>"$work/send.err" \
        || fail "the probe datagram was not echoed"
    probes=$(( probes + 1 ))
    sleep 0.2
done

# 4. The traffic.
for name in f0 f1000 f100000 f1000000 missing; do
    curl -sS -o /dev/null --max-time 5 "http://127.0.0.1:$http_port/$name" 2>>"$work/curl.err" \
        || fail "curl of /$name failed"
done
"$python" "$here/loopback_udp.py" send "$udp_port" 24 4 2>>"$work/send.err" \
    || fail "the IPv4 UDP loop failed"
if (( udp_families == 2 )); then
    "$python" "$here/loopback_udp.py" send "$udp_port" 16 6 2>>"$work/send.err" \
        || fail "the IPv6 UDP loop failed"
fi
ping -n -q -c 3 -i 0.2 -W 2 127.0.0.1 >/dev/null 2>>"$work/ping.err" || fail "ping 127.0.0.1 failed"
if (( udp_families == 2 )); then
    ping -n -q -c 3 -i 0.2 -W 2 ::1 >/dev/null 2>>"$work/ping.err" || fail "ping ::1 failed"
fi

# 5. Until the count has stood still for 1 s, then stop tshark.
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
final=$(packets)
(( final >= last )) || fail "the capture lost packets when tshark stopped ($last, then $final)"

# 6. Nothing lost: the UDP and ICMP packets are known in advance, and every
#    TCP connection must be there to its end (a FIN each way). A capture
#    buffer that overflowed (dumpcap -B) would cut the largest fetch short.
count() {
    tshark -r "$work/capture.pcap" -Y "$1" 2>/dev/null | wc -l
}
v6=$(( udp_families == 2 ? 1 : 0 ))
# The loop's datagrams that carry data are known exactly (sizes cycle through
# 8 values, one of them empty: 21 of the 24 over IPv4, 14 of the 16 over IPv6,
# each with its echo). Probes are empty too; those sent before the capture
# had really started are not in it, and the capture may have started between
# a probe and its echo: of the empty ones, the loop's and 1 or more probes'.
want=$(( 2 * (21 + 14 * v6) ))
got=$(count "udp.port == $udp_port and udp.length > 8")
(( got == want )) || fail "the capture has $got UDP packets with data, not $want"
empty=$(( 2 * (3 + 2 * v6) ))
got=$(count "udp.port == $udp_port and udp.length == 8")
(( got > empty && got <= empty + 2 * probes )) \
    || fail "the capture has $got empty UDP packets: not $empty and 1 to $(( 2 * probes )) probes"
want_icmp=$(( 6 + 6 * v6 ))
got=$(count "icmp or icmpv6")
(( got == want_icmp )) || fail "the capture has $got ICMP packets, not $want_icmp"
# (A FIN sent again counts once: the kernel may retransmit one under load.)
fins=$(tshark -r "$work/capture.pcap" -Y "tcp.flags.fin == 1" -T fields \
    -e tcp.stream -e tcp.srcport -e tcp.dstport 2>/dev/null | sort -u)
got=$(grep -c . <<<"$fins" || true)
(( got == 10 )) || fail "the capture has FINs of $got connection directions, not 10 (5 connections):
stream, ports of each FIN:
$fins"

mv "$work/capture.pcap" "$out"
