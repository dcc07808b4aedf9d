#!/usr/bin/python3
"""UDP traffic for loopback_capture.sh: an echo server and a client that talks to it.

Usage: loopback_udp.py serve PORTFILE [MAX_SECONDS]
       loopback_udp.py send PORT COUNT [FAMILY]

`serve` binds port 0 (the kernel picks) on 127.0.0.1 and on ::1 with the
same port number when it can, writes the port to PORTFILE once both listen,
and sends every datagram back to its sender. It stops on SIGTERM or SIGINT,
or after MAX_SECONDS (default 60) so a forgotten server never outlives its
test.

`send` sends COUNT datagrams from one socket (so one 5-tuple each way) to
127.0.0.1:PORT (FAMILY 4, the default) or [::1]:PORT (FAMILY 6), waiting for
each echo before the next (at most 2 s; a lost echo is an error: loopback
does not lose datagrams). Payload sizes cycle through 0, 1, 100, 512, 1400,
1472, 3000 and 8000 octets, so some datagrams fill an Ethernet MTU and some
would not fit one (loopback's MTU is 65536: none is fragmented there).
The sizes depend only on COUNT, so the traffic is the same on every run.
"""

import os
import select
import signal
import socket
import sys
import time

SIZES = [0, 1, 100, 512, 1400, 1472, 3000, 8000]


def serve(portfile, max_seconds):
    deadline = time.monotonic() + max_seconds
    stop = False

    def request_stop(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    v4.bind(("127.0.0.1", 0))
    port = v4.getsockname()[1]
    socks = [v4]
    try:
        v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        v6.bind(("::1", port))
        socks.append(v6)
    except OSError as e:  # no IPv6 on this loopback, or the port taken there
        print(f"loopback_udp: no IPv6 echo on port {port}: {e}", file=sys.stderr)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port} {len(socks)}\n")
    os.rename(tmp, portfile)
    while not stop and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select(socks, [], [], 0.2)
        except InterruptedError:
            continue
        for s in ready:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
    return 0 if stop else 2


def send(port, count, family):
    if family == "6":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        dst = ("::1", port)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dst = ("127.0.0.1", port)
    s.settimeout(2.0)
    for i in range(count):
        size = SIZES[i % len(SIZES)]
        payload = bytes((i + j) & 0xFF for j in range(size))
        s.sendto(payload, dst)
        try:
            echo, _ = s.recvfrom(65535)
        except socket.timeout:
            sys.exit(f"loopback_udp: no echo of datagram {i} ({size} octets) from {dst}")
        if echo != payload:
            sys.exit(f"loopback_udp: datagram {i} came back changed")
    return 0


def main():
    args = sys.argv[1:]
    if len(args) in (2, 3) and args[0] == "serve":
        return serve(args[1], float(args[2]) if len(args) == 3 else 60.0)
    if len(args) in (3, 4) and args[0] == "send":
        return send(int(args[1]), int(args[2]), args[3] if len(args) == 4 else "4")
    sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    sys.exit(main())
