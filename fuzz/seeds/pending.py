#!/usr/bin/env python3
"""Writes the fuzz seeds for data that comes ahead of its template (held, then recovered,
skipped after a withdrawal, or never defined): pending-*.ipfix and pending-v9.nf9, beside this
script. Deterministic; re-run after changing it and commit the outputs."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 0x6553F100


def ipfix(sets, domain=1, seq=0, t=T0):
    body = b"".join(sets)
    return struct.pack(">HHIII", 10, 16 + len(body), t, seq, domain) + body


def set_(sid, body):
    return struct.pack(">HH", sid, 4 + len(body)) + body


def tmpl(tid, fields, scope=None):
    """A template record (scope=None) or an options template record; fields are
    (ie, length) or (ie, length, pen)."""
    out = struct.pack(">HH", tid, len(fields))
    if scope is not None:
        out += struct.pack(">H", scope)
    for f in fields:
        if len(f) == 3:
            out += struct.pack(">HHI", f[0] | 0x8000, f[1], f[2])
        else:
            out += struct.pack(">HH", *f)
    return out


def varlen(b):
    return bytes([len(b)]) + b


# Template 256: sourceIPv4Address, destinationTransportPort, octetDeltaCount (8 octets).
T256 = tmpl(256, [(8, 4), (11, 2), (1, 8)])


def rec256(i):
    return struct.pack(">4sHQ", bytes([192, 0, 2, i]), 80 + i, 1000 * i)


def data_first():
    """Data of 256 in message 1, its template in message 2 (recovered there), then data that
    meets the live template."""
    m1 = ipfix([set_(256, rec256(1) + rec256(2))], seq=0)
    m2 = ipfix([set_(2, T256), set_(256, rec256(3))], seq=2, t=T0 + 1)
    return m1 + m2


def same_message():
    """In one message: data of 256 and of options template 257, then both templates; an empty
    data set of 258 held and never defined."""
    t257 = tmpl(257, [(149, 4), (41, 8), (42, 8)], scope=1)
    r257 = struct.pack(">IQQ", 7, 5, 9)
    sets = [
        set_(256, rec256(4)),
        set_(257, r257),
        set_(258, b""),
        set_(2, T256),
        set_(3, t257),
        set_(256, rec256(5)),
    ]
    return ipfix(sets)


def withdrawn_domains():
    """Template 256 in domain 1, data, withdrawal, data (skipped, not held), 256 defined again
    with a variable-length field and data; data of 256 in domain 2 held while domain 1 defines
    256 and recovered when domain 2 does; data of 259 never defined."""
    t256v = tmpl(256, [(8, 4), (96, 0xFFFF)])
    m = [
        ipfix([set_(2, T256), set_(256, rec256(6))], seq=0),
        ipfix([set_(256, rec256(7))], domain=2, seq=0),
        ipfix([set_(2, struct.pack(">HH", 256, 0)), set_(256, rec256(8))], seq=1),
        ipfix([set_(2, t256v), set_(256, bytes([10, 0, 0, 1]) + varlen(b"http"))], seq=1),
        ipfix([set_(259, rec256(9)), set_(2, struct.pack(">HH", 2, 0)), set_(256, rec256(10))], seq=2),
        ipfix([set_(2, T256)], domain=2, seq=1),
    ]
    return b"".join(m)


def type_records():
    """RFC 5610: data of an enterprise template and of the type records that name its IEs come
    first; the enterprise template, then the options template with type information, follow."""
    pen = 99
    topt = tmpl(400, [(346, 4), (303, 2), (339, 1), (341, 0xFFFF)], scope=2)
    tdefs = b"".join(
        struct.pack(">IHB", pen, ie, ty) + varlen(name)
        for ie, ty, name in [(1, 4, b"fooCount"), (2, 3, b"barPort"), (3, 13, b"bazName")]
    )
    tent = tmpl(500, [(1, 8, pen), (2, 2, pen), (3, 0xFFFF, pen)])
    rent = struct.pack(">QH", 42, 8080) + varlen(b"hi")
    m1 = ipfix([set_(500, rent), set_(400, tdefs)], seq=0)
    m2 = ipfix([set_(2, tent)], seq=2, t=T0 + 1)
    m3 = ipfix([set_(3, topt), set_(500, rent)], seq=3, t=T0 + 2)
    return m1 + m2 + m3


def v9(flowsets, seq, source=1):
    body = b"".join(flowsets)
    return struct.pack(">HHIIII", 9, len(flowsets), 1000, T0, seq, source) + body


def v9_set(fid, body):
    pad = (-len(body)) % 4
    return struct.pack(">HH", fid, 4 + len(body) + pad) + body + b"\0" * pad


def v9_packets():
    """NetFlow v9: a packet of only a data FlowSet ahead of its template (no message comes of
    it), then a packet with the template and more data, then data for a template never sent."""
    t = struct.pack(">HH", 256, 3) + struct.pack(">HHHHHH", 8, 4, 11, 2, 1, 4)
    r = lambda i: struct.pack(">4sHI", bytes([198, 51, 100, i]), 53, 100 * i)
    return (
        v9([v9_set(256, r(1) + r(2))], seq=0)
        + v9([v9_set(0, t), v9_set(256, r(3))], seq=1)
        + v9([v9_set(300, r(4))], seq=2)
    )


for name, data in [
    ("pending-data-first.ipfix", data_first()),
    ("pending-same-message.ipfix", same_message()),
    ("pending-withdrawn-domains.ipfix", withdrawn_domains()),
    ("pending-type-records.ipfix", type_records()),
    ("pending-v9.nf9", v9_packets()),
]:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
