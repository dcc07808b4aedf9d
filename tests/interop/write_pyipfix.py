#!/usr/bin/python3
"""Write a deterministic IPFIX file with python-ipfix's writer API.

Usage: write_pyipfix.py OUT

Writes OUT (an RFC 5655 IPFIX file) and OUT.iespec (the enterprise IE
definitions, one `name(pen/id)<type>[len]` line each, readable both by
`ipfix2csv --spec` and `ipfixkit --ie-spec`).

The file is made by python-ipfix itself (ipfix.ie / ipfix.template /
ipfix.message.MessageBuffer), so it is a "file written by a peer" for the
interop tests. It exercises:

  * reduced-size encoding: octetDeltaCount[4], packetDeltaCount[2] and [4]
  * variable-length strings, empty, 1-byte length form, and >= 255 bytes
    (3-byte length form, RFC 7011 section 7), non-ASCII UTF-8, commas, quotes
  * enterprise IEs: a made-up set under PEN 32473 (RFC 5612's documentation
    PEN) named by the spec file, a CERT (PEN 6871) IE, and one PEN 32473 IE
    that is deliberately *not* in the spec file (so it stays unknown)
  * ipv4Address, ipv6Address (incl. IPv4-mapped and RFC 5952 edge cases),
    macAddress, float64, signed32, boolean, unsigned64 maximum
  * dateTimeSeconds and dateTimeMilliseconds. Not dateTimeMicroseconds or
    dateTimeNanoseconds: python-ipfix 0.9.7 writes their NTP seconds counted
    from 1970 instead of 1900 (RFC 7011 section 6.1.9), and ipfixDump 2.4.1
    prints their fraction as zeros, so no peer could vouch for them.
  * float64 and signed32 in reduced size (float32, 2 bytes)
  * 13 records; two observation domains in separate messages, the same template ID (256)
    with a different layout in each domain, an options template, and a
    message that reuses a template sent in an earlier message

Everything is fixed (export times included), so the same python-ipfix
version writes the same bytes every time. Millisecond times are chosen so that
python-ipfix's float arithmetic on them is exact.

Needs the `ipfix` module from Debian's python3-ipfix, which lives in the
system interpreter: run it with /usr/bin/python3, not a pyenv/venv python.
"""

import sys
from datetime import datetime
from ipaddress import ip_address

import ipfix.ie
import ipfix.message
import ipfix.template

# Enterprise IEs. Those in SPEC_LINES go to OUT.iespec; UNKNOWN_SPEC is only
# known to this script, so readers see it as an unnamed (PEN 32473, id 99) IE.
SPEC_LINES = [
    "myCounter(32473/1)<unsigned32>[4]",
    "myLabel(32473/2)<string>[65535]",
    "myRatio(32473/3)<float64>[8]",
    "myDelta(32473/4)<signed32>[4]",
    "myFlag(32473/5)<boolean>[1]",
    # A CERT IE (same name and type as in CERT's registry): ipfixkit names it
    # from its built-in PEN 6871 table as well.
    "silkAppLabel(6871/33)<unsigned16>[2]",
]
UNKNOWN_SPEC = "mySecret(32473/99)<octetArray>[3]"


def t(*args):
    """A naive UTC datetime (python-ipfix treats naive datetimes as UTC)."""
    return datetime(*args)


def template(tid, specs, scope=0):
    """Build a template from IE specs; `scope` > 0 makes it an options template."""
    tmpl = ipfix.template.from_ielist(tid, ipfix.ie.spec_list(specs))
    tmpl.scopecount = scope
    return tmpl


def begin(msg, odid, export_time):
    """Start a new message for `odid` with a fixed export time."""
    # MessageBuffer.begin_export() picks the sequence number *before* it
    # switches to the new domain, so the first message after a domain change
    # would carry the old domain's counter. Calling it twice gives every
    # message the sequence number of its own domain (RFC 7011 section 3.1).
    msg.begin_export(odid)
    msg.begin_export(odid)
    msg.set_export_time(export_time)


def export(msg, tid, records):
    msg.export_ensure_set(tid)
    for rec in records:
        msg.export_namedict(rec)


# --- the records -----------------------------------------------------------

ODID_A = 1
ODID_B = 3000000000  # above 2^31: must not come out negative anywhere

FLOW4 = [
    "sourceIPv4Address", "destinationIPv4Address",
    "sourceTransportPort", "destinationTransportPort", "protocolIdentifier",
    "octetDeltaCount[4]", "packetDeltaCount[2]",
    "flowStartMilliseconds", "flowEndMilliseconds",
    "interfaceName",  # varlen; not first (python-ipfix issue #24)
    "myCounter", "silkAppLabel", "mySecret",
]


def flow4(src, dst, sport, dport, proto, octets, packets, start, end,
          ifname, counter, applabel, secret):
    return {
        "sourceIPv4Address": ip_address(src),
        "destinationIPv4Address": ip_address(dst),
        "sourceTransportPort": sport, "destinationTransportPort": dport,
        "protocolIdentifier": proto,
        "octetDeltaCount": octets, "packetDeltaCount": packets,
        "flowStartMilliseconds": start, "flowEndMilliseconds": end,
        "interfaceName": ifname, "myCounter": counter,
        "silkAppLabel": applabel, "mySecret": secret,
    }


FLOW4_FIRST = [
    flow4("192.0.2.1", "198.51.100.7", 40000, 80, 6, 1500, 3,
          t(2023, 11, 14, 22, 13, 20, 170000), t(2023, 11, 14, 22, 13, 21, 5000),
          "eth0", 7, 80, b"\x00\x01\x02"),
    # reduced-size maxima, 3-byte varlen (300 bytes)
    flow4("10.0.0.1", "10.255.255.255", 5353, 53, 17, 4294967295, 65535,
          t(2023, 11, 14, 22, 13, 20, 999000), t(2023, 11, 14, 22, 13, 21),
          "x" * 300, 4294967295, 53, b"\xff\xfe\xfd"),
    # zeros, empty string
    flow4("0.0.0.0", "255.255.255.255", 0, 0, 1, 0, 0,
          t(1970, 1, 1), t(1970, 1, 1, 0, 0, 0, 1000),
          "", 0, 0, b"\x00\x00\x00"),
    # non-ASCII, comma, quotes, backslash: CSV/JSON escaping
    flow4("172.16.0.1", "172.16.0.2", 1024, 443, 6, 65536, 256,
          t(2023, 11, 14, 22, 13, 22), t(2023, 11, 14, 22, 13, 22, 1000),
          'ifñame, "quoted" \\ tab\there', 1, 443, b"\x0a\x0b\x0c"),
    # exactly 255 bytes: the smallest value needing the 3-byte length form
    flow4("192.0.2.255", "192.0.2.0", 65535, 65535, 17, 255, 1,
          t(2023, 11, 14, 22, 13, 23, 500000), t(2023, 11, 14, 22, 13, 24, 250000),
          "a" * 254 + "z", 255, 65535, b"\x80\x00\x7f"),
]

FLOW4_LATER = [
    flow4("203.0.113.9", "203.0.113.10", 12345, 22, 6, 123456789, 4321,
          t(2023, 11, 14, 22, 14, 0, 1000), t(2023, 11, 14, 22, 15, 0, 998000),
          "ge-0/0/1.100", 100, 22, b"\x12\x34\x56"),
    flow4("198.51.100.200", "192.0.2.77", 53, 5353, 17, 76, 1,
          t(2023, 11, 14, 22, 14, 1), t(2023, 11, 14, 22, 14, 1),
          "lo", 4242, 53, b"\xab\xcd\xef"),
]

FLOW6 = [
    "sourceIPv6Address", "destinationIPv6Address",
    "octetDeltaCount", "packetDeltaCount[4]",
    "flowStartSeconds", "flowEndSeconds",
    "sourceMacAddress", "applicationName",
    "myLabel", "myRatio", "myDelta", "myFlag",
]


def flow6(src, dst, octets, packets, start, end, mac, app, label, ratio,
          delta, flag):
    return {
        "sourceIPv6Address": ip_address(src),
        "destinationIPv6Address": ip_address(dst),
        "octetDeltaCount": octets, "packetDeltaCount": packets,
        "flowStartSeconds": start, "flowEndSeconds": end,
        "sourceMacAddress": bytes.fromhex(mac.replace(":", "")),
        "applicationName": app, "myLabel": label, "myRatio": ratio,
        "myDelta": delta, "myFlag": flag,
    }


FLOW6_RECORDS = [
    flow6("2001:db8::1", "2001:db8::2", 18446744073709551615, 4294967295,
          t(2023, 11, 14, 22, 13, 20), t(2023, 11, 14, 22, 13, 59),
          "02:00:5e:10:00:01", "https", "label", 3.141592653589793, -1, True),
    # IPv4-mapped (RFC 5952 section 5), the longest zero run is compressed
    flow6("::ffff:192.0.2.1", "2001:db8:0:0:1:0:0:1", 1, 1,
          t(2000, 1, 1), t(2038, 1, 19, 3, 14, 8),
          "ff:ff:ff:ff:ff:ff", "dns", "é" * 200, -2.5e-300, -2147483648, False),
    # a single zero group is not compressed; varlen of 1000 bytes
    flow6("2001:db8:0:1:1:1:1:1", "::", 0, 0,
          t(1970, 1, 1), t(2106, 2, 7, 6, 28, 15),
          "00:00:00:00:00:00", "", "y" * 1000, 1e16, 2147483647, True),
]

OPTIONS = ["meteringProcessId", "exportedMessageTotalCount",
           "exportedFlowRecordTotalCount"]

MISC = ["flowDurationMilliseconds", "ipClassOfService", "tcpControlBits[1]",
        "exporterIPv4Address", "myRatio[4]", "myDelta[2]", "myCounter"]

MISC_RECORDS = [
    # float64 reduced to float32 (RFC 7011 section 6.2): 0.1 is not exact in
    # either width; signed32 reduced to 2 bytes at both ends of its range
    {"flowDurationMilliseconds": 60997, "ipClassOfService": 0xb8,
     "tcpControlBits": 0x1b, "exporterIPv4Address": ip_address("192.0.2.254"),
     "myRatio": 0.1, "myDelta": -32768, "myCounter": 9},
    {"flowDurationMilliseconds": 0, "ipClassOfService": 0,
     "tcpControlBits": 0x02, "exporterIPv4Address": ip_address("127.0.0.1"),
     "myRatio": -1.5, "myDelta": 32767, "myCounter": 10},
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: write_pyipfix.py OUT")
    out = sys.argv[1]

    ipfix.ie.use_iana_default()
    ipfix.ie.use_5103_default()
    for line in SPEC_LINES + [UNKNOWN_SPEC]:
        ipfix.ie.for_spec(line)

    msg = ipfix.message.MessageBuffer()
    with open(out, "wb") as f:
        # message 1, domain A: template 256 (IPv4 flows) and five records
        begin(msg, ODID_A, t(2023, 11, 14, 22, 13, 30))
        msg.add_template(template(256, FLOW4))
        export(msg, 256, FLOW4_FIRST)
        msg.write_message(f)

        # message 2, domain A again: data for the template of message 1 (not
        # re-sent), and a new template 258 with more reduced-size fields
        begin(msg, ODID_A, t(2023, 11, 14, 22, 14, 0))
        export(msg, 256, FLOW4_LATER)
        msg.add_template(template(258, MISC))
        export(msg, 258, MISC_RECORDS)
        msg.write_message(f)

        # message 3, domain B: template 256 again, with another layout, and an
        # options template 257 with one record. Domain A is not revisited after
        # this: ipfixDump 2.4.1 silently drops the records of a domain whose
        # template ID was meanwhile redefined in another domain (see
        # testdata/README.md), and this file is meant to compare values.
        begin(msg, ODID_B, t(2023, 11, 14, 22, 15, 1))
        msg.add_template(template(256, FLOW6))
        msg.add_template(template(257, OPTIONS, scope=1))
        export(msg, 256, FLOW6_RECORDS)
        export(msg, 257, [{"meteringProcessId": 7,
                           "exportedMessageTotalCount": 2,
                           "exportedFlowRecordTotalCount": 8}])
        msg.write_message(f)

    with open(out + ".iespec", "w") as f:
        f.write("".join(line + "\n" for line in SPEC_LINES))


if __name__ == "__main__":
    main()
