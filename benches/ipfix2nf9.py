#!/usr/bin/env python3
"""Rewrite an IPFIX file of IANA-only templates as NetFlow v9 export packets (RFC 3954), the
same records in the same order, for comparing ipfixkit's NetFlow path with its IPFIX path.

Usage: benches/ipfix2nf9.py IN.ipfix OUT.nf9

Each IPFIX message becomes one v9 packet: Set 2 becomes FlowSet 0 (a v9 template record has
the IPFIX form when no field is an enterprise field), data sets keep their ID and bytes. The
header's Source ID is the observation domain, its count the template and data records of the
packet, its unix seconds the export time, and its sysUptime runs with the export time from a
boot one hour before the first one (so the exporter's boot time, which ipfixkit reports per
domain, never moves). Variable-length fields (length 65535) are kept: ipfixkit reads them in
v9 too. Only the Python standard library is used.
"""

import struct
import sys


def record_lengths(body, fields):
    """The number of records in a data set body of the template with `fields`."""
    n, pos = 0, 0
    fixed = all(ln != 65535 for ln in fields)
    size = sum(fields)
    while pos < len(body):
        if fixed:
            if pos + size > len(body) or size == 0:
                break
            pos += size
        else:
            for ln in fields:
                if ln == 65535:
                    ln = body[pos]
                    pos += 1
                    if ln == 255:
                        ln = struct.unpack(">H", body[pos : pos + 2])[0]
                        pos += 2
                pos += ln
            if pos > len(body):
                break
        n += 1
    return n


def main():
    data = open(sys.argv[1], "rb").read()
    out = open(sys.argv[2], "wb")
    templates = {}  # (domain, id) -> field lengths
    sequence = {}  # domain -> packets sent
    boot = None
    pos = 0
    while pos + 16 <= len(data):
        version, length, export, _seq, domain = struct.unpack(">HHIII", data[pos : pos + 16])
        if version != 10 or length < 16:
            sys.exit(f"ipfix2nf9: not an IPFIX message at {pos}")
        if boot is None:
            boot = export - 3600
        msg = data[pos : pos + length]
        pos += length
        flowsets, count, at = [], 0, 16
        while at + 4 <= len(msg):
            sid, slen = struct.unpack(">HH", msg[at : at + 4])
            body = msg[at + 4 : at + slen]
            at += slen
            if sid == 2:
                t = 0
                while t + 4 <= len(body):
                    tid, nf = struct.unpack(">HH", body[t : t + 4])
                    specs = [struct.unpack(">HH", body[t + 4 + 4 * i : t + 8 + 4 * i]) for i in range(nf)]
                    if any(ie & 0x8000 for ie, _ in specs):
                        sys.exit("ipfix2nf9: enterprise fields have no v9 form here")
                    templates[(domain, tid)] = [ln for _, ln in specs]
                    t += 4 + 4 * nf
                    count += 1
                flowsets.append(struct.pack(">HH", 0, 4 + len(body)) + body)
            elif sid >= 256:
                count += record_lengths(body, templates[(domain, sid)])
                flowsets.append(struct.pack(">HH", sid, 4 + len(body)) + body)
            else:
                sys.exit(f"ipfix2nf9: set {sid} has no v9 form here")
        n = sequence.get(domain, 0)
        sequence[domain] = n + 1
        uptime = (export - boot) * 1000
        out.write(struct.pack(">HHIIII", 9, count, uptime, export, n, domain))
        for f in flowsets:
            out.write(f)
    out.close()


if __name__ == "__main__":
    main()
