#!/usr/bin/env python3
"""Writes the hand-made capture seeds of the `pcap` fuzz target into fuzz/seeds/:

- capture-be-us-sll.pcap: classic pcap, big-endian, microseconds, LINKTYPE_LINUX_SLL (113);
- capture-le-ns-raw.pcap: little-endian, nanoseconds, LINKTYPE_RAW (101), IPv4 fragments
  (first, later, a later one whose first is missing) and an IPv6 fragment pair;
- capture-null-sll2.pcapng: one section, two interfaces (LINKTYPE_NULL with if_tsresol 10^-9
  and if_tsoffset, LINKTYPE_LINUX_SLL2), enhanced packet blocks of both, a simple packet
  block and a block of a type that is skipped;
- capture-two-sections.pcapng: a big-endian section (Ethernet: QinQ, MPLS, TCP open, FIN
  from both sides, RST) followed by a little-endian one (LINKTYPE_LOOP, if_tsresol 2^-10).

The frames are a few dozen octets each: TCP (SYN, FIN, RST), UDP, ICMP, ICMPv6. Run it from
anywhere after changing it: `python3 fuzz/seeds/pcap.py`.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, src=b"\xc0\x00\x02\x01", dst=b"\xc6\x33\x64\x01", ident=1, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ipv6(nh, payload, src=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01", dst=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"):
    return struct.pack("!IHBB16s16s", 0x60012345, len(payload), nh, 64, src, dst) + payload


def tcp(sport, dport, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 64240, 0, 0) + data


def udp(sport, dport, data=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def icmp(t, c):
    return struct.pack("!BBHI", t, c, 0, 0)


def eth(ethertype, payload, tags=()):
    b = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01"
    for tpid, vid in tags:
        b += struct.pack("!HH", tpid, vid)
    return b + struct.pack("!H", ethertype) + payload


def sll(proto, payload):
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", proto) + payload


def sll2(proto, payload):
    return struct.pack("!HHIHBB8s", proto, 0, 2, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0") + payload


def pcap(path, big, nanos, linktype, frames):
    e = ">" if big else "<"
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    b = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)
    for sec, frac, data in frames:
        b += struct.pack(e + "IIII", sec, frac, len(data), len(data) + 10) + data
    write(path, b)


def block(e, ty, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", ty, n) + body + struct.pack(e + "I", n)


def opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb(e):
    return block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(e, linktype, opts=b""):
    if opts:
        opts += struct.pack(e + "HH", 0, 0)
    return block(e, 1, struct.pack(e + "HHI", linktype, 0, 0) + opts)


def epb(e, iface, ts, data):
    body = struct.pack(e + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data
    return block(e, 6, body)


def spb(e, data):
    return block(e, 3, struct.pack(e + "I", len(data)) + data)


def write(name, b):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(b)


T0 = 1_704_067_200

pcap("capture-be-us-sll.pcap", True, False, 113, [
    (T0, 1, sll(0x0800, ipv4(6, tcp(40000, 80, 0x02)))),
    (T0, 900, sll(0x0800, ipv4(6, tcp(80, 40000, 0x12), src=b"\xc6\x33\x64\x01", dst=b"\xc0\x00\x02\x01"))),
    (T0 + 1, 5, sll(0x86DD, ipv6(17, udp(5353, 53, b"q")))),
    (T0 + 2, 999_999, sll(0x0806, b"\0\x01\x08\0\x06\x04\0\x01")),
])

pcap("capture-le-ns-raw.pcap", False, True, 101, [
    (T0, 1, ipv4(17, udp(1000, 2000, b"abcdefgh"), ident=7, frag=0x2000)),
    (T0, 2, ipv4(17, b"ijklmnop", ident=7, frag=1)),
    (T0, 3, ipv4(17, b"zz", ident=9, frag=3)),
    (T0, 4, ipv6(44, struct.pack("!BBHI", 17, 0, 1, 0x1234) + udp(7, 9, b"x"))),
    (T0, 5, ipv6(44, struct.pack("!BBHI", 17, 0, 1 << 3, 0x1234) + b"yyyy")),
    (T0 + 61, 0, ipv4(1, icmp(8, 0))),
])

le = "<"
null4 = struct.pack("<I", 2)
b = shb(le)
b += idb(le, 0, opt(le, 9, b"\x09") + opt(le, 14, struct.pack("<q", 3600)))
b += idb(le, 276)
b += epb(le, 0, 1_000_000_000 * T0 + 5, null4 + ipv4(6, tcp(1, 2, 0x02)))
b += epb(le, 1, 1_000_000_000 * T0 + 6, sll2(0x0800, ipv4(17, udp(3, 4))))
b += spb(le, null4 + ipv4(6, tcp(1, 2, 0x04)) + b"\0")
b += block(le, 5, struct.pack("<IIII", 0, 0, 0, 0))
b += epb(le, 0, 1_000_000_000 * T0 + 9, struct.pack(">I", 24) + ipv6(58, icmp(128, 0)))
write("capture-null-sll2.pcapng", b)

be = ">"
qinq = ((0x88A8, 100), (0x8100, 200))
mpls = struct.pack("!I", (16 << 12) | (1 << 8) | 64)
b = shb(be) + idb(be, 1)
ts = 1_000_000 * T0
for i, (eth_type, pl, tags) in enumerate([
    (0x0800, ipv4(6, tcp(5000, 22, 0x02)), qinq),
    (0x0800, ipv4(6, tcp(22, 5000, 0x12), src=b"\xc6\x33\x64\x01", dst=b"\xc0\x00\x02\x01"), qinq),
    (0x0800, ipv4(6, tcp(5000, 22, 0x11)), qinq),
    (0x0800, ipv4(6, tcp(22, 5000, 0x11), src=b"\xc6\x33\x64\x01", dst=b"\xc0\x00\x02\x01"), qinq),
    (0x8847, mpls + ipv4(17, udp(9, 9)), ()),
    (0x0800, ipv4(6, tcp(5001, 22, 0x04)), ()),
]):
    b += epb(be, 0, ts + i * 1000, eth(eth_type, pl, tags))
b += shb(le) + idb(le, 108, opt(le, 9, b"\x8a"))
b += epb(le, 0, T0 << 10, struct.pack(">I", 2) + ipv4(17, udp(53, 53)))
write("capture-two-sections.pcapng", b)
