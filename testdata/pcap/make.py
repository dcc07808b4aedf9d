#!/usr/bin/env python3
"""Writes the crafted captures of testdata/pcap/ for tests/pcap2ipfix.rs.

    target/venv/bin/python testdata/pcap/make.py [DIR]   (default: this file's directory)

Packets are built with scapy (checksums and lengths right); the files are written here with
struct, so every byte is ours: byte order, timestamp resolution, snaplen, captured and wire
lengths, pcapng blocks. Deterministic: fixed times, payloads, addresses, IP IDs; nothing is
random and nothing is looked up (every MAC and IP address is given, so scapy never asks the
routing table). The gzip file has mtime 0 and no name; the test compares it decompressed.
testdata/README.md says what each file exercises; tests/pcap2ipfix.rs has each one's flow
table.
"""

import gzip
import os
import struct
import sys

from scapy.contrib.mpls import MPLS
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6EchoRequest,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting,
)
from scapy.layers.l2 import ARP, CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Ether
from scapy.layers.sctp import SCTP, SCTPChunkData

# 2023-11-14T22:13:20Z: every capture's times are milliseconds after this.
T0 = 1_700_000_000
MAC_A = "02:00:00:00:00:01"
MAC_B = "02:00:00:00:00:02"
V4_A, V4_B = "10.0.0.1", "10.0.0.2"
V6_A, V6_B = "2001:db8::1", "2001:db8::2"


def pay(n):
    """n octets of payload."""
    return bytes(i % 251 for i in range(n))


def eth(l3, ether_type=None):
    e = Ether(src=MAC_A, dst=MAC_B)
    if ether_type is not None:
        e.type = ether_type
    return e / l3


def ip4(src=V4_A, dst=V4_B, **kw):
    kw.setdefault("id", 1)
    return IP(src=src, dst=dst, **kw)


def ip6(src=V6_A, dst=V6_B, **kw):
    return IPv6(src=src, dst=dst, **kw)


def tcp(sport, dport, flags, n=0, src=V4_A, dst=V4_B):
    return ip4(src, dst) / TCP(sport=sport, dport=dport, flags=flags, seq=1000, ack=0) / pay(n)


def udp(sport, dport, n, src=V4_A, dst=V4_B):
    return ip4(src, dst) / UDP(sport=sport, dport=dport) / pay(n)


def at(ms, data, ns_extra=0):
    """A frame `ms` milliseconds (plus `ns_extra` ns) after T0: (seconds, ns, bytes)."""
    return (T0 + ms // 1000, (ms % 1000) * 1_000_000 + ns_extra, bytes(data))


def pcap(frames, linktype=1, big=False, nanos=False, snaplen=65535):
    """A classic pcap; frames are (seconds, ns, bytes[, wire length])."""
    o = ">" if big else "<"
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = struct.pack(o + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for f in frames:
        sec, ns, data = f[:3]
        wire = f[3] if len(f) > 3 else len(data)
        frac = ns if nanos else ns // 1000
        out += struct.pack(o + "IIII", sec, frac, len(data), wire) + data
    return out


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def ng_block(o, ty, body):
    n = 12 + len(body)
    return struct.pack(o + "II", ty, n) + body + struct.pack(o + "I", n)


def ng_option(o, code, value):
    return struct.pack(o + "HH", code, len(value)) + pad4(value)


def ng_section(big, interfaces, packets):
    """A pcapng section: interfaces are (linktype, if_tsresol or None); packets are
    (interface, seconds, ns, bytes)."""
    o = ">" if big else "<"
    out = ng_block(o, 0x0A0D0D0A, struct.pack(o + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    res = {}
    for i, (linktype, tsresol) in enumerate(interfaces):
        opts = b""
        if tsresol is not None:
            opts = ng_option(o, 9, bytes([tsresol])) + ng_option(o, 0, b"")
        out += ng_block(o, 1, struct.pack(o + "HHI", linktype, 0, 0) + opts)
        res[i] = 10 ** (tsresol if tsresol is not None else 6)
    for iface, sec, ns, data in packets:
        ts = sec * res[iface] + ns * res[iface] // 1_000_000_000
        body = struct.pack(o + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data))
        out += ng_block(o, 6, body + pad4(data))
    return out


def layers():
    """Ethernet, little-endian µs: one frame of each layer, and two ARP frames."""
    v6 = ip6()
    return pcap([
        at(0, eth(tcp(40000, 80, "S"))),
        at(10, eth(tcp(80, 40000, "SA", src=V4_B, dst=V4_A))),
        at(20, eth(udp(5000, 9999, 20))),
        at(30, eth(ip4() / ICMP(type=8, code=0, id=7, seq=1) / pay(32))),
        at(40, Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=MAC_A, psrc=V4_A, pdst=V4_B)),
        at(50, Ether(src=MAC_A, dst=MAC_B) / Dot1Q(vlan=100) / udp(6000, 7000, 10, "10.1.0.1", "10.1.0.2")),
        at(60, Ether(src=MAC_A, dst=MAC_B) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / udp(6001, 7001, 10, "10.2.0.1", "10.2.0.2")),
        at(70, eth(MPLS(label=1000, s=0, ttl=64) / MPLS(label=2000, s=1, ttl=64) / udp(6002, 7002, 10, "10.3.0.1", "10.3.0.2"), 0x8847)),
        at(80, eth(ip4("10.4.0.1", "10.4.0.2", options=[IPOption_Router_Alert()]) / UDP(sport=6003, dport=7003) / pay(10))),
        at(90, eth(v6 / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting() / IPv6ExtHdrDestOpt() / UDP(sport=6004, dport=7004) / pay(10))),
        at(100, eth(ip6() / TCP(sport=40001, dport=443, flags="S", seq=1000))),
        at(110, eth(ip4("10.5.0.1", "10.5.0.2") / SCTP(sport=3868, dport=3869) / SCTPChunkData(data=b"abcd"))),
        at(120, eth(ip6() / ICMPv6EchoRequest(id=7, seq=1, data=pay(16)))),
        at(130, Ether(src=MAC_B, dst=MAC_A) / ARP(op=2, hwsrc=MAC_B, psrc=V4_B, hwdst=MAC_A, pdst=V4_A)),
    ])


def tcp_end():
    """Ethernet, little-endian µs: TCP connections ended by FIN both ways, by RST, not at
    all, by a FIN of one side only, and a new connection on the first one's closed keys (SYN,
    SYN-ACK)."""
    c, s = (V4_A, V4_B), (V4_B, V4_A)
    return pcap([
        at(0, eth(tcp(40000, 80, "S", 0, *c))),
        at(10, eth(tcp(80, 40000, "SA", 0, *s))),
        at(20, eth(tcp(40000, 80, "A", 0, *c))),
        at(30, eth(tcp(40000, 80, "PA", 100, *c))),
        at(40, eth(tcp(80, 40000, "A", 0, *s))),
        at(50, eth(tcp(40000, 80, "FA", 0, *c))),
        at(60, eth(tcp(80, 40000, "FA", 0, *s))),
        at(70, eth(tcp(40000, 80, "A", 0, *c))),
        at(100, eth(tcp(40001, 81, "S", 0, *c))),
        at(110, eth(tcp(81, 40001, "RA", 0, *s))),
        at(120, eth(tcp(40002, 82, "S", 0, *c))),
        at(130, eth(tcp(82, 40002, "SA", 0, *s))),
        at(140, eth(tcp(40003, 83, "FA", 0, *c))),
        at(200, eth(tcp(40000, 80, "S", 0, *c))),
        at(210, eth(tcp(80, 40000, "SA", 0, *s))),
    ])


def timeouts():
    """Ethernet, little-endian µs, for --idle-timeout 5 --active-timeout 20: a UDP flow
    with a 6 s gap, one with a gap of exactly 5 s, one sending every 4 s for 28 s."""
    frames = [
        (0, 1001), (100, 1002), (200, 1003), (1000, 1001), (4200, 1003), (5100, 1002),
        (7000, 1001), (8200, 1003), (12200, 1003), (16200, 1003), (20200, 1003),
        (24200, 1003), (28200, 1003),
    ]
    return pcap([at(ms, eth(udp(port, port + 1000, 10))) for ms, port in frames])


def fragments():
    """Ethernet, little-endian µs: an IPv4 UDP datagram in three fragments then an
    unfragmented datagram of the same flow, a later IPv4 fragment whose first is missing,
    an IPv6 UDP datagram in two fragments."""
    whole = bytes(ip4(id=0x1234) / UDP(sport=3000, dport=4000) / pay(1000))
    udp4 = whole[20:]  # 1008 octets: the UDP header and the payload
    frames = []
    for i, (lo, hi) in enumerate([(0, 400), (400, 800), (800, 1008)]):
        frag = IP(src=V4_A, dst=V4_B, id=0x1234, proto=17, frag=lo // 8,
                  flags="MF" if hi < 1008 else 0) / udp4[lo:hi]
        frames.append(at(i, eth(frag)))
    frames.append(at(3, eth(udp(3000, 4000, 10))))
    orphan = IP(src=V4_A, dst=V4_B, id=0x9999, proto=17, frag=100) / pay(16)
    frames.append(at(5, eth(orphan)))
    udp6 = bytes(ip6() / UDP(sport=3001, dport=4001) / pay(1000))[40:]
    for i, (lo, hi) in enumerate([(0, 504), (504, 1008)]):
        frag = ip6(nh=44) / IPv6ExtHdrFragment(nh=17, offset=lo // 8, m=int(hi < 1008), id=0xABCD) / udp6[lo:hi]
        frames.append(at(10 + i, eth(frag)))
    return pcap(frames)


def snaplen():
    """Ethernet, little-endian µs, snaplen 64: every frame cut to 64 captured octets."""
    frames = [
        at(0, eth(tcp(40000, 80, "PA", 1400))),
        at(10, eth(tcp(40000, 80, "PA", 1400))),
        at(20, eth(ip6() / UDP(sport=5000, dport=5001) / pay(1000))),
    ]
    return pcap([(s, ns, d[:64], len(d)) for s, ns, d in frames], snaplen=64)


def sll():
    """Linux cooked (SLL, 113), little-endian µs: IPv4 from an Ethernet device, IPv4 from
    the loopback device (ARPHRD_LOOPBACK 772), IPv6, ARP."""
    mac = bytes.fromhex("020000000001") + b"\0\0"
    e = dict(pkttype=0, lladdrtype=1, lladdrlen=6, src=mac)
    return pcap([
        at(2, CookedLinux(proto=0x0800, **e) / udp(1111, 2222, 10)),
        at(12, CookedLinux(pkttype=0, lladdrtype=772, lladdrlen=6, src=b"\0" * 8, proto=0x0800)
           / udp(3333, 4444, 10, "127.0.0.1", "127.0.0.1")),
        at(22, CookedLinux(proto=0x86DD, **e) / ip6() / UDP(sport=5555, dport=6666) / pay(10)),
        at(32, CookedLinux(proto=0x0806, **e) / ARP(op=1, hwsrc=MAC_A, psrc=V4_A, pdst=V4_B)),
    ], linktype=113)


def sll2_be_ns():
    """Linux cooked v2 (SLL2, 276), big-endian, nanosecond times that are not whole µs."""
    mac = bytes.fromhex("020000000001") + b"\0\0"
    e = dict(ifindex=2, lladdrtype=1, pkttype=0, lladdrlen=6, src=mac)
    return pcap([
        at(0, CookedLinuxV2(proto=0x0800, **e) / tcp(40000, 80, "S"), 123),
        at(1, CookedLinuxV2(proto=0x0800, **e) / tcp(40000, 80, "A"), 456),
        at(5, CookedLinuxV2(proto=0x86DD, **e) / ip6() / ICMPv6EchoRequest(id=1, seq=1, data=pay(8)), 789),
    ], linktype=276, big=True, nanos=True)


def raw_ns():
    """LINKTYPE_RAW (101), little-endian nanoseconds: IPv4 and IPv6 packets."""
    return pcap([
        at(0, udp(1000, 2000, 10), 1),
        at(3, ip6() / UDP(sport=1000, dport=2000) / pay(10), 2),
        at(4, udp(1000, 2000, 20), 3),
    ], linktype=101, nanos=True)


def null_be():
    """BSD null/loopback (LINKTYPE_NULL 0), big-endian µs: the address family in either
    byte order (AF_INET 2 little-endian, AF_INET6 30 big-endian as Darwin writes it)."""
    return pcap([
        at(0, struct.pack("<I", 2) + bytes(udp(1000, 2000, 10, "127.0.0.1", "127.0.0.2"))),
        at(1, struct.pack(">I", 30) + bytes(ip6("::1", "::1") / UDP(sport=1000, dport=2000) / pay(10))),
    ], linktype=0, big=True)


def two_sections():
    """pcapng: a little-endian section with an Ethernet interface (µs, the default) and a raw
    IP one (if_tsresol 9: ns), then a big-endian section with one Ethernet interface."""
    s1 = ng_section(False, [(1, None), (101, 9)], [
        (0, *at(0, eth(udp(1000, 2000, 10)))),
        (1, *at(10, udp(1001, 2001, 10), 5)),
        (0, *at(20, eth(udp(1000, 2000, 10)))),
    ])
    s2 = ng_section(True, [(1, None)], [
        (0, *at(30, eth(ip4() / ICMP(type=8, code=0, id=1, seq=1) / pay(8)))),
    ])
    return s1 + s2


def truncated():
    """Two whole records, then one that announces 60 captured octets and has 20."""
    good = pcap([at(0, eth(udp(1000, 2000, 10))), at(1, eth(udp(1000, 2000, 10)))])
    rec = struct.pack("<IIII", T0, 2000, 60, 60)
    return good + rec + bytes(20)


def huge_caplen():
    """One record header announcing 2^31 - 1 captured octets."""
    head = pcap([])
    return head + struct.pack("<IIII", T0, 0, 0x7FFFFFFF, 0x7FFFFFFF) + bytes(16)


FILES = {
    "layers.pcap": layers,
    "tcp-end.pcap": tcp_end,
    "timeouts.pcap": timeouts,
    "fragments.pcap": fragments,
    "snaplen.pcap": snaplen,
    "sll.pcap": sll,
    "sll2-be-ns.pcap": sll2_be_ns,
    "raw-ns.pcap": raw_ns,
    "null-be.pcap": null_be,
    "two-sections.pcapng": two_sections,
    "truncated.pcap": truncated,
    "huge-caplen.pcap": huge_caplen,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for name, make in FILES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(make())
    with open(os.path.join(out, "tcp-end.pcap.gz"), "wb") as f:
        f.write(gzip.compress(tcp_end(), mtime=0))


if __name__ == "__main__":
    main()
