#!/usr/bin/env python3
"""Write a realistic, deterministic IPFIX file of N flow records (RFC 7011).

Usage: benches/mkflows.py N OUT [--seed S] [--max-message BYTES]

The file looks like what a flow exporter on a campus edge sends: two observation domains
(1 and 2) sharing one clock, messages of at most 1400 octets (what fits an Ethernet MTU after
IP/UDP headers, the size real exporters use; --max-message changes it, up to 65535), each
message holding one data set per template used in it, in the order the records came. Sequence
numbers count the data records sent before the message in its domain; export times never go
back. Templates are sent in a domain's first message and again every 1024 messages (as UDP
exporters do), unchanged.

Templates (same in both domains):
  256  IPv4 5-tuple + tcpControlBits, ingress/egressInterface, octet/packetDeltaCount in
       reduced size [4], flowStart/EndMilliseconds                       (about 80% of records)
  257  IPv6 5-tuple + the same counters at full size [8]                  (about 10%)
  258  IPv4 5-tuple, sourceMacAddress, vlanId and applicationName (varlen string), reduced
       counters, flowStart/EndMilliseconds                               (about 10%)

There is no options template: every record is a flow record, so `ipfixkit cat --stats` counts
exactly N. Only the Python standard library is used; the same N and seed give the same bytes.
"""

import argparse
import random
import struct
import sys

BASE_EXPORT_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z
TEMPLATE_REFRESH = 1024  # messages per domain between template re-sends

# (IE id, length); 65535 = variable length.
TEMPLATES = {
    256: [
        (8, 4),  # sourceIPv4Address
        (12, 4),  # destinationIPv4Address
        (7, 2),  # sourceTransportPort
        (11, 2),  # destinationTransportPort
        (4, 1),  # protocolIdentifier
        (6, 1),  # tcpControlBits (reduced from 2)
        (10, 4),  # ingressInterface
        (14, 4),  # egressInterface
        (1, 4),  # octetDeltaCount (reduced from 8)
        (2, 4),  # packetDeltaCount (reduced from 8)
        (152, 8),  # flowStartMilliseconds
        (153, 8),  # flowEndMilliseconds
    ],
    257: [
        (27, 16),  # sourceIPv6Address
        (28, 16),  # destinationIPv6Address
        (7, 2),
        (11, 2),
        (4, 1),
        (6, 1),
        (10, 4),
        (14, 4),
        (1, 8),  # octetDeltaCount
        (2, 8),  # packetDeltaCount
        (152, 8),
        (153, 8),
    ],
    258: [
        (8, 4),
        (12, 4),
        (7, 2),
        (11, 2),
        (4, 1),
        (6, 1),
        (56, 6),  # sourceMacAddress
        (58, 2),  # vlanId
        (10, 4),
        (14, 4),
        (1, 4),
        (2, 4),
        (152, 8),
        (153, 8),
        (96, 65535),  # applicationName
    ],
}

REC256 = struct.Struct(">4s4sHHBBIIIIQQ")
REC257 = struct.Struct(">16s16sHHBBIIQQQQ")
REC258 = struct.Struct(">4s4sHHBB6sHIIIIQQ")

SERVICES = [  # (port, protocol, weight, application name)
    (443, 6, 40, "https"),
    (80, 6, 12, "http"),
    (53, 17, 15, "dns"),
    (443, 17, 8, "quic"),
    (22, 6, 3, "ssh"),
    (123, 17, 3, "ntp"),
    (993, 6, 2, "imaps"),
    (25, 6, 2, "smtp"),
    (3389, 6, 1, "ms-wbt-server"),
    (8080, 6, 2, "http-alt"),
    (5222, 6, 1, "xmpp-client"),
    (0, 1, 2, "icmp"),
]
APPS_EXTRA = [
    "Microsoft Teams",
    "netflix",
    "zoom",
    "YouTube",
    "Office 365",
    "github",
    "WhatsApp",
    "apple-icloud",
    "Spotify",
    "slack",
]
TCP_FLAGS = [0x1B, 0x1B, 0x1B, 0x1F, 0x18, 0x10, 0x02, 0x12, 0x14, 0x19, 0x11]


def ipfix_header(length, export_time, seq, domain):
    return struct.pack(">HHIII", 10, length, export_time, seq & 0xFFFFFFFF, domain)


def template_set():
    body = b""
    for tid, fields in TEMPLATES.items():
        body += struct.pack(">HH", tid, len(fields))
        for ie, ln in fields:
            body += struct.pack(">HH", ie, ln)
    return struct.pack(">HH", 2, 4 + len(body)) + body


class Flows:
    """Draws flow records; all randomness comes from one seeded generator."""

    def __init__(self, seed):
        r = self.r = random.Random(seed)
        self.inside = [
            bytes([10, 1, r.randrange(0, 32), r.randrange(1, 255)]) for _ in range(4000)
        ]
        self.outside = [
            bytes([r.choice([23, 31, 52, 104, 142, 151, 172, 185, 203, 216]), r.randrange(256),
                   r.randrange(256), r.randrange(1, 255)])
            for _ in range(60000)
        ]
        self.inside6 = [
            b"\x20\x01\x0d\xb8\x00\x01\x00" + bytes([r.randrange(16)]) + r.randbytes(8)
            for _ in range(1000)
        ]
        self.outside6 = [
            bytes([0x26, r.choice([0x00, 0x04, 0x06, 0x0A])]) + r.randbytes(14)
            for _ in range(20000)
        ]
        self.macs = [b"\x02" + r.randbytes(5) for _ in range(500)]
        self.service_weights = [s[2] for s in SERVICES]

    def common(self, export_ms):
        r = self.r
        port, proto, _, app = r.choices(SERVICES, self.service_weights)[0]
        client = r.randrange(32768, 61000) if proto != 1 else 0
        outbound = r.random() < 0.6
        if proto == 1:
            sport, dport = 0, r.choice([0x0800, 0x0000, 0x0303, 0x0B00])  # type*256+code
            flags = 0
        elif outbound:
            sport, dport = client, port
            flags = r.choice(TCP_FLAGS) if proto == 6 else 0
        else:
            sport, dport = port, client
            flags = r.choice(TCP_FLAGS) if proto == 6 else 0
        # Heavy-tailed sizes: most flows small, a few large.
        packets = max(1, int(r.paretovariate(1.2)))
        if packets > 4_000_000:
            packets = 4_000_000
        octets = packets * r.randrange(40, 1500)
        end = export_ms - r.randrange(0, 30_000)
        dur = 0 if packets == 1 else min(int(r.expovariate(1 / 8000)), 1_800_000)
        start = end - dur
        ingress, egress = (1, 2) if outbound else (2, 1)
        return outbound, sport, dport, proto, flags, ingress, egress, octets, packets, start, end, app

    def record(self, tid, export_ms):
        r = self.r
        out, sp, dp, proto, fl, ing, egr, octs, pkts, start, end, app = self.common(export_ms)
        if tid == 257:
            a, b = r.choice(self.inside6), r.choice(self.outside6)
            src, dst = (a, b) if out else (b, a)
            return REC257.pack(src, dst, sp, dp, proto, fl, ing, egr, octs, pkts, start, end)
        a, b = r.choice(self.inside), r.choice(self.outside)
        src, dst = (a, b) if out else (b, a)
        octs = min(octs, 0xFFFFFFFF)
        if tid == 256:
            return REC256.pack(src, dst, sp, dp, proto, fl, ing, egr, octs, pkts, start, end)
        if r.random() < 0.3:
            app = r.choice(APPS_EXTRA)
        name = app.encode()
        mac = r.choice(self.macs)
        vlan = r.choice([10, 20, 30, 100])
        fixed = REC258.pack(src, dst, sp, dp, proto, fl, mac, vlan, ing, egr, octs, pkts,
                            start, end)
        return fixed + bytes([len(name)]) + name


def generate(n, out, seed=1, max_message=1400):
    flows = Flows(seed)
    r = random.Random(seed + 1)  # message-level choices, independent of the flow stream
    tset = template_set()
    assert 16 + len(tset) + 4 + 200 <= max_message <= 65535
    doms = {1: {"seq": 0, "msgs": 0}, 2: {"seq": 0, "msgs": 0}}
    export_time = BASE_EXPORT_TIME
    written = 0
    pending = None  # a record drawn that did not fit the previous message: (tid, bytes)
    while written < n:
        domain = 1 if r.random() < 0.6 else 2
        d = doms[domain]
        if r.random() < 0.03:
            export_time += 1
        export_ms = export_time * 1000
        head = tset if d["msgs"] % TEMPLATE_REFRESH == 0 else b""
        size = 16 + len(head)
        sets = {}  # tid -> list of record bytes, in first-use order
        count = 0
        while written + count < n:
            if pending is None:
                x = r.random()
                tid = 256 if x < 0.8 else (257 if x < 0.9 else 258)
                pending = (tid, flows.record(tid, export_ms))
            tid, rec = pending
            need = len(rec) + (0 if tid in sets else 4)
            if size + need > max_message:
                break
            sets.setdefault(tid, []).append(rec)
            size += need
            count += 1
            pending = None
        body = [head]
        for tid, recs in sets.items():
            data = b"".join(recs)
            body.append(struct.pack(">HH", tid, 4 + len(data)))
            body.append(data)
        payload = b"".join(body)
        out.write(ipfix_header(16 + len(payload), export_time, d["seq"], domain))
        out.write(payload)
        d["seq"] += count
        d["msgs"] += 1
        written += count
    return written


def main(argv):
    p = argparse.ArgumentParser(description="Write a realistic IPFIX file of N flow records.")
    p.add_argument("n", type=int, help="number of flow records")
    p.add_argument("out", help="output file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-message", type=int, default=1400, help="octets per message, <= 65535")
    a = p.parse_args(argv[1:])
    with open(a.out, "wb") as f:
        generate(a.n, f, a.seed, a.max_message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
