#!/usr/bin/python3
"""python-ipfix writing N flow4-shaped records (gen's flow4 template, the same 14 fields):
the peer side of benches/gen.sh. Values are varied cheaply (no traffic model: this times the
writer, which is the part python-ipfix does).

Usage: /usr/bin/python3 benches/pyipfix_gen.py N OUT
"""

import sys
from datetime import datetime, timedelta
from ipaddress import ip_address

import ipfix.ie
import ipfix.message
import ipfix.template

FLOW4 = [
    "sourceIPv4Address", "destinationIPv4Address", "sourceTransportPort",
    "destinationTransportPort", "protocolIdentifier", "tcpControlBits[2]",
    "ipClassOfService", "icmpTypeCodeIPv4", "ingressInterface", "egressInterface",
    "packetDeltaCount", "octetDeltaCount", "flowStartMilliseconds", "flowEndMilliseconds",
]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    ipfix.ie.use_iana_default()
    tmpl = ipfix.template.from_ielist(256, ipfix.ie.spec_list(FLOW4))
    msg = ipfix.message.MessageBuffer()
    src, dst = ip_address("192.0.2.1"), ip_address("198.51.100.1")
    t0 = datetime(2024, 1, 1)
    with open(out, "wb") as f:
        msg.begin_export(1)
        msg.add_template(tmpl)
        msg.export_ensure_set(256)
        for i in range(n):
            start = t0 + timedelta(milliseconds=i * 10)
            rec = (src, dst, 49152 + i % 16000, 443, 6, 0x1b, 0, 0, 1, 2,
                   1 + i % 7, 40 + i % 1460, start, start + timedelta(milliseconds=5))
            if msg.export_needs_flush():
                msg.write_message(f)
                msg.begin_export(1)
                msg.export_ensure_set(256)
            msg.export_tuple(rec)
        msg.write_message(f)


if __name__ == "__main__":
    main()
