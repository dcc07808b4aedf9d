#!/usr/bin/python3
"""A tiny UDP collector: write every datagram it receives, back to back, to a file.

Usage: udp_catch.py PORTFILE OUT [MAX_SECONDS]

Binds 127.0.0.1 on a port the kernel picks (so parallel runs never clash),
writes that port number to PORTFILE once it listens, and appends each
received datagram to OUT. IPFIX over UDP carries exactly one message per
datagram (RFC 7011 section 10.3.3), so OUT is an RFC 5655 IPFIX file.

It stops on SIGTERM or SIGINT: it first drains the datagrams already queued
on the socket (on loopback a datagram is queued as soon as `sendto` returns,
so everything an exporter sent before it exited is there), then exits 0.
If nobody stops it within MAX_SECONDS (default 60) it exits 2, so a
forgotten collector never outlives its test.

Adapted from the peer survey's artifacts/collect.py (raw output only).
"""

import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: udp_catch.py PORTFILE OUT [MAX_SECONDS]")
    portfile, out = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) == 4 else 60.0)

    stop = False

    def request_stop(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)

    # Announce the port only once the socket is bound; rename makes the
    # announcement atomic for the shell script polling for the file.
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(tmp, portfile)

    count = 0
    with open(out, "wb") as f:
        while not stop:
            if time.monotonic() > deadline:
                print("udp_catch: not stopped within the time limit", file=sys.stderr)
                sys.exit(2)
            try:
                data = sock.recv(65535)
            except (socket.timeout, InterruptedError):
                continue
            f.write(data)
            count += 1
        # Drain what is already queued, without waiting for more.
        sock.setblocking(False)
        while True:
            try:
                data = sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                break
            f.write(data)
            count += 1
    print("udp_catch: %d datagrams" % count, file=sys.stderr)


if __name__ == "__main__":
    main()
