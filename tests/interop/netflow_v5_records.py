#!/usr/bin/env python3
"""Decode a file of concatenated NetFlow v5 export packets with python's `netflow` package
(PyPI) and print one JSON object per flow record, keyed by the IPFIX names ipfixkit gives
the same fields (tests/interop_netflow.rs compares them with `ipfixkit cat -f json`).

Usage: netflow_v5_records.py FILE

Packets are split by their header count (24 + 48 x count octets). Values are printed as the
package decodes them: addresses as dotted quads (the package gives integers), everything
else as integers.
"""

import ipaddress
import json
import sys

from netflow.v5 import V5ExportPacket

KEYS = {
    "IPV4_SRC_ADDR": "sourceIPv4Address",
    "IPV4_DST_ADDR": "destinationIPv4Address",
    "NEXT_HOP": "ipNextHopIPv4Address",
    "INPUT": "ingressInterface",
    "OUTPUT": "egressInterface",
    "IN_PACKETS": "packetDeltaCount",
    "IN_OCTETS": "octetDeltaCount",
    "FIRST_SWITCHED": "flowStartSysUpTime",
    "LAST_SWITCHED": "flowEndSysUpTime",
    "SRC_PORT": "sourceTransportPort",
    "DST_PORT": "destinationTransportPort",
    "TCP_FLAGS": "tcpControlBits",
    "PROTO": "protocolIdentifier",
    "TOS": "ipClassOfService",
    "SRC_AS": "bgpSourceAsNumber",
    "DST_AS": "bgpDestinationAsNumber",
    "SRC_MASK": "sourceIPv4PrefixLength",
    "DST_MASK": "destinationIPv4PrefixLength",
}
ADDRESSES = {"IPV4_SRC_ADDR", "IPV4_DST_ADDR", "NEXT_HOP"}


def main():
    data = open(sys.argv[1], "rb").read()
    at = 0
    while at + 24 <= len(data):
        count = int.from_bytes(data[at + 2 : at + 4], "big")
        end = at + 24 + 48 * count
        packet = V5ExportPacket(data[at:end])
        for flow in packet.flows:
            out = {}
            for k, v in flow.data.items():
                if k in KEYS:
                    out[KEYS[k]] = str(ipaddress.IPv4Address(v)) if k in ADDRESSES else v
            print(json.dumps(out, sort_keys=True))
        at = end


if __name__ == "__main__":
    main()
