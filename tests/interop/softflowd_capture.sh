#!/usr/bin/env bash
# Meter a pcap with softflowd and capture its IPFIX export as an IPFIX file
# (or, with SOFTFLOWD_VERSION=9 or 5, its NetFlow v9 or v5 export as a file of
# concatenated export packets).
#
# Usage: softflowd_capture.sh PCAP OUT [SOFTFLOWD_ARG...]
#
#   softflowd_capture.sh testdata/interop/test.pcap uni.ipfix
#   softflowd_capture.sh testdata/interop/test.pcap bi.ipfix -b      # RFC 5103 biflows
#   SOFTFLOWD_VERSION=9 softflowd_capture.sh testdata/interop/test.pcap uni.nf9
#
# (SOFTFLOWD_PORT_FILE and SOFTFLOWD_GO_FILE let softflowd_export_capture.sh
# start tshark on the collector's port before softflowd sends: see step 1.)
#
# softflowd cannot write files: it exports over UDP. This script starts a
# private collector (udp_catch.py, on a kernel-chosen loopback port), runs
# `softflowd -d -6 -r PCAP -v VERSION -A milli -n 127.0.0.1:PORT [ARGS]` with its
# own control socket and pid file in a temporary directory (so parallel runs
# never clash), and writes the datagrams it exports, back to back, to OUT.
#
# softflowd 1.1.0 quirk: in -r mode it only reads the pcap when its poll()
# loop wakes up, which on its own takes 15-60 s. Any control-socket request
# wakes it, so we poke it with `softflowctl statistics` until it reaches the
# end of the pcap, where it expires every flow, exports them and exits by
# itself ("Shutting down after pcap EOF"); that takes about a second. If it
# has not exited in time we ask it to shut down, then kill it, and fail.
# Waiting for softflowd is bounded by SOFTFLOWD_CAPTURE_TIMEOUT seconds
# (default 45); shutting it down adds at most about 10 s more.
#
# Exit status: 0 with a non-empty IPFIX file in OUT, 1 on any failure (with
# softflowd's and the collector's stderr on our stderr), 2 on usage errors.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 PCAP OUT [SOFTFLOWD_ARG...]" >&2
    exit 2
fi
pcap=$1
out=$2
shift 2

here=$(cd "$(dirname "$0")" && pwd)
limit=${SOFTFLOWD_CAPTURE_TIMEOUT:-45}
start=$SECONDS

# Debian puts softflowd in /usr/sbin, which a non-root PATH may lack.
find_tool() {
    command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } || true
}
softflowd=$(find_tool softflowd)
softflowctl=$(find_tool softflowctl)
if [[ -z $softflowd || -z $softflowctl ]]; then
    echo "softflowd_capture: softflowd/softflowctl not installed" >&2
    exit 1
fi
# The collector needs nothing beyond the standard library; prefer the system
# interpreter (the one Debian's python3-* packages are installed for).
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3)

[[ -r $pcap ]] || { echo "softflowd_capture: cannot read $pcap" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/softflowd_capture.XXXXXX")
catcher_pid=
softflowd_pid=

# Wait until PID exits or WAIT seconds pass; true if it exited.
wait_exit() {
    local pid=$1 wait=$2 i
    for (( i = 0; i < wait * 10; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null
}

# Stop whatever is still running (only the processes this script started:
# TERM, then KILL if that did not do), then remove the temporary directory.
cleanup() {
    local pid
    for pid in $softflowd_pid $catcher_pid; do
        kill -TERM "$pid" 2>/dev/null || continue
        wait_exit "$pid" 2 || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "softflowd_capture: $*" >&2
    for log in softflowd.err catcher.err; do
        if [[ -s $work/$log ]]; then
            echo "--- $log" >&2
            cat "$work/$log" >&2
        fi
    done
    exit 1
}

time_left() { (( SECONDS - start < limit )); }

# 1. The collector, and the port it got.
# Its own time limit is a backstop, should this script be killed.
"$python" "$here/udp_catch.py" "$work/port" "$work/capture.ipfix" $(( limit + 30 )) \
    2>"$work/catcher.err" &
catcher_pid=$!
while [[ ! -s $work/port ]]; do
    kill -0 "$catcher_pid" 2>/dev/null || fail "collector died before listening"
    time_left || fail "collector did not start listening"
    sleep 0.1
done
port=$(<"$work/port")

# SOFTFLOWD_PORT_FILE / SOFTFLOWD_GO_FILE: a handshake for a caller that records
# the export (softflowd_export_capture.sh): the collector's port is written to
# SOFTFLOWD_PORT_FILE, and softflowd starts only once SOFTFLOWD_GO_FILE exists.
if [[ -n ${SOFTFLOWD_PORT_FILE:-} ]]; then
    echo "$port" >"$SOFTFLOWD_PORT_FILE.tmp" && mv "$SOFTFLOWD_PORT_FILE.tmp" "$SOFTFLOWD_PORT_FILE"
fi
if [[ -n ${SOFTFLOWD_GO_FILE:-} ]]; then
    until [[ -e $SOFTFLOWD_GO_FILE ]]; do
        time_left || fail "$SOFTFLOWD_GO_FILE did not appear"
        sleep 0.1
    done
fi

# 2. softflowd, in the foreground (-d) so we own its pid; -6 tracks IPv6
#    flows, -A milli exports absolute flowStart/EndMilliseconds instead of
#    times relative to softflowd's own (wall-clock) start.
#    softflowd exports the pcap's path, cut or NUL-padded to 16 bytes, as
#    interfaceName: run it on a copy named like the input, from the work
#    directory, so that value does not depend on where the input lives.
name=$(basename "$pcap")
cp "$pcap" "$work/$name"
# SOFTFLOWD_TIME=uptime leaves -A out: softflowd's default, flowStart/EndSysUpTime
# relative to the systemInitTimeMilliseconds of its options record. NetFlow v9
# and v5 always carry uptimes (FIRST/LAST_SWITCHED) against the packet header.
version=${SOFTFLOWD_VERSION:-10}
case $version in
    10) time_args=(-A milli); [[ ${SOFTFLOWD_TIME:-milli} == uptime ]] && time_args=() ;;
    9 | 5) time_args=() ;;
    *) echo "softflowd_capture: SOFTFLOWD_VERSION must be 5, 9 or 10" >&2; exit 2 ;;
esac
# SOFTFLOWD_FAKETIME=TIME runs softflowd under faketime, its clock starting at
# TIME ("2023-11-14 22:20:08"): softflowd counts uptimes from its own start by
# the wall clock and puts the wall clock in NetFlow headers, so only a clock
# set near the capture's time makes v5/v9 uptimes absolute capture times.
fake=()
if [[ -n ${SOFTFLOWD_FAKETIME:-} ]]; then
    command -v faketime >/dev/null || { echo "softflowd_capture: faketime not installed" >&2; exit 1; }
    fake=(faketime -f "$SOFTFLOWD_FAKETIME")
fi
(cd "$work" && exec ${fake[@]+"${fake[@]}"} "$softflowd" -d -6 -r "$name" -v "$version" ${time_args[@]+"${time_args[@]}"} -n "127.0.0.1:$port" \
    -c "$work/ctl" -p "$work/pid" "$@" \
    >"$work/softflowd.out" 2>"$work/softflowd.err") &
softflowd_pid=$!

# 3. Wake it until it has read the whole pcap and exited on its own.
#    softflowctl waits for an answer, which a stuck softflowd never gives:
#    every call gets its own time limit.
ctl() { timeout 2 "$softflowctl" -c "$work/ctl" "$1" >/dev/null 2>&1 || true; }
while kill -0 "$softflowd_pid" 2>/dev/null && time_left; do
    ctl statistics
    sleep 0.2
done

if kill -0 "$softflowd_pid" 2>/dev/null; then
    # Out of time: ask for a graceful shutdown (which still exports), then
    # kill it. Either way this run has failed: the capture may be partial.
    ctl shutdown
    wait_exit "$softflowd_pid" 5 || kill -TERM "$softflowd_pid" 2>/dev/null || true
    wait_exit "$softflowd_pid" 2 || kill -KILL "$softflowd_pid" 2>/dev/null || true
    fail "softflowd did not finish $pcap within ${limit}s"
fi
status=0
wait "$softflowd_pid" || status=$?
softflowd_pid=
(( status == 0 )) || fail "softflowd exited with status $status"

# 4. Stop the collector; it drains what softflowd sent before exiting.
kill -TERM "$catcher_pid" 2>/dev/null || true
status=0
wait "$catcher_pid" || status=$?
catcher_pid=
(( status == 0 )) || fail "collector exited with status $status"

# 5. Sanity: a non-empty file that starts like a message of that version.
[[ -s $work/capture.ipfix ]] || fail "softflowd exported nothing"
first=$(od -An -tx1 -N2 "$work/capture.ipfix" | tr -d ' \n')
want=$(printf '%04x' "$version")
[[ $first == "$want" ]] || fail "capture does not start with a version $version header (got $first)"

mv "$work/capture.ipfix" "$out"
