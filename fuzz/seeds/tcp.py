#!/usr/bin/env python3
"""Seeds for the `extract` and `tcp` fuzz targets.

    tcp.py IPFIX_FILE CAPTURE_OUT TCP_CORPUS_DIR

CAPTURE_OUT: a pcap (microseconds, Ethernet) of IPFIX over TCP: the messages of IPFIX_FILE
cut into 300-octet segments (so messages straddle them) behind a SYN, one segment sent
twice, two swapped, one overlapping its neighbours, the sequence crossing 2^32, a FIN on
the last; then a second connection with a segment missing (a gap to resync after) that
ends with a RST. The segments' checksums are left 0 (nothing checks them).

TCP_CORPUS_DIR: inputs in the `tcp` target's format (see fuzz/fuzz_targets/tcp.rs): the same
two streams' segments (IPFIX_FILE's first 2 KiB), and a few hand-made ones (out of order, a
hold too small, FIN first, RST with data, a SYN of another connection, four keys in a table
of two).
"""
import hashlib
import os
import struct
import sys

FIN, SYN, RST, ACK = 1, 2, 4, 16


def tcp_frame(src, dst, sport, dport, seq, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, 1, 5 << 4, flags, 64240, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    eth = bytes([2, 0, 0, 0, 0, 6, 2, 0, 0, 0, 0, 5]) + b"\x08\x00"
    return eth + ip + tcp + payload


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1_700_000_000, i, len(f), len(f)) + f
    return out


def segments(stream, isn, size):
    """(seq, flags, payload) of `stream` from `isn`: SYN, pieces, FIN on the last."""
    segs = [(isn, SYN, b"")]
    pieces = [stream[i : i + size] for i in range(0, len(stream), size)]
    for i, p in enumerate(pieces):
        seq = (isn + 1 + size * i) & 0xFFFFFFFF
        segs.append((seq, ACK | (FIN if i + 1 == len(pieces) else 0), p))
    return segs


def shuffled(segs, size):
    """One retransmitted, one overlapping its neighbours, two swapped."""
    s = list(segs)
    if len(s) > 4:
        s.insert(4, s[3])
    if len(s) > 8:
        seq, _, p = s[6]
        nxt = s[7][2]
        s.insert(7, ((seq + size // 2) & 0xFFFFFFFF, ACK, p[size // 2 :] + nxt[: size // 2]))
    if len(s) > 11:
        s[10], s[11] = s[11], s[10]
    return s


def tcp_input(max_held, max_streams, segs):
    """The `tcp` target's format: [max_held / 4, max_streams, segments of key, seq, ...]."""
    out = bytes([max_held, max_streams])
    for k, seq, flags, p in segs:
        out += bytes([k & 3]) + struct.pack(">I", seq & 0xFFFFFFFF) + bytes([flags, len(p)]) + p
    return out


def main():
    ipfix, capture, corpus = sys.argv[1:4]
    stream = open(ipfix, "rb").read()
    exporter, collector = [192, 0, 2, 5], [198, 51, 100, 6]
    frames = []
    one = shuffled(segments(stream, 4_294_967_000, 300), 300)
    for seq, flags, p in one:
        frames.append(tcp_frame(exporter, collector, 40000, 4739, seq, flags, p))
    two = segments(stream[:3000], 77, 250)
    del two[5]
    two[-1] = (two[-1][0], RST | ACK, b"")
    for seq, flags, p in two:
        frames.append(tcp_frame(exporter, collector, 40001, 4739, seq, flags, p))
    with open(capture, "wb") as f:
        f.write(pcap(frames))

    os.makedirs(corpus, exist_ok=True)
    head = stream[:2048]
    seeds = [
        tcp_input(255, 2, [(0, s, f, p) for s, f, p in shuffled(segments(head, 4_294_967_000, 200), 200)]),
        tcp_input(40, 1, [(1, s, f, p) for s, f, p in segments(head[:1500], 77, 250)[2:]]),
        tcp_input(100, 3, [(0, 0, SYN, b""), (0, 7, 0, b"ghi"), (0, 4, 0, b"def"), (0, 1, 0, b"abc"), (0, 10, FIN, b"")]),
        tcp_input(33, 3, [(0, 0, SYN, b""), (0, 3, 0, b"c"), (0, 5, 0, b"e"), (0, 7, 0, b"g"), (0, 8, FIN, b"h")]),
        tcp_input(100, 3, [(0, 0, SYN, b""), (0, 6, 0, b"ff"), (0, 4, FIN, b"d"), (0, 1, 0, b"abc"), (0, 1, 0, b"abcd")]),
        tcp_input(100, 3, [(0, 0, SYN, b""), (0, 1, 0, b"ab"), (0, 5, 0, b"ef"), (0, 9, RST, b"reset"), (0, 500, SYN, b""), (0, 501, 0, b"new")]),
        tcp_input(100, 3, [(0, 0, SYN, b""), (0, 1, 0, b"ab"), (0, 0, SYN, b""), (0, 900, SYN, b""), (0, 901, 0, b"cd")]),
        tcp_input(100, 2, [(k, 0, SYN, b"") for k in range(4)] + [(k, 1 + i, 0, bytes([65 + k])) for i in range(3) for k in range(4)]),
        tcp_input(100, 3, [(0, 0xFFFFFFFC, SYN, b""), (0, 0xFFFFFFFD + 4, 0, b"efgh"), (0, 0xFFFFFFFD, 0, b"abcd"), (0, 0xFFFFFFFD + 2, 0, b"cdef"), (0, 0xFFFFFFFD + 8, FIN, b"ij")]),
        tcp_input(100, 3, [(2, 5, ACK, b""), (2, 5, FIN, b""), (3, 5, RST, b"x"), (2, 500, 0, b"mid"), (2, 503, FIN, b"dle")]),
    ]
    for s in seeds:
        with open(os.path.join(corpus, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


if __name__ == "__main__":
    main()
