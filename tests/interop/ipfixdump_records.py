#!/usr/bin/python3
"""Run libfixbuf's ipfixDump on an IPFIX file and print its records as JSON lines.

Usage: ipfixdump_records.py FILE [--spec IESPEC] [--timeout SECONDS]

Runs `ipfixDump --yaf --hexdump=65535 -i FILE` (plus `-e XML` made from
IESPEC, so ipfixDump names the same enterprise IEs that `ipfixkit --ie-spec`
does) and turns its text into one JSON object per data record, in file order:

  {"export_time": "2023-11-14T22:13:30Z", "domain": 1, "template": 256,
   "scope": 0,
   "fields": [{"key": "sourceIPv4Address", "ie": "0/8", "type": "ipv4",
               "len": 4, "kind": "ip", "value": "192.0.2.1"}, ...]}

`key` is the name ipfixDump gives the IE, or `en<PEN>:id<ID>` for an IE it
does not know, with `#2`, `#3` appended when a key repeats within a record:
the same keys `ipfixkit cat -f json` uses. `len` is the field's length in
the template (65535 = variable). `kind` tells the comparing test how to
compare `value` with ipfixkit's value:

  int       decimal integer, compare exactly
  float8g   ipfixDump prints floats with 8 significant digits (%.8g): compare
            after rounding ipfixkit's value the same way
  ip        an address in ipfixDump's own spelling (it writes IPv6 as
            `2001:0db8::0001`, not RFC 5952): compare as parsed addresses
  text      compare exactly (times, MACs, strings, booleans, octetArray hex)
  cstring   a string ipfixDump cut at its first NUL (it prints strings as C
            strings): ipfixkit's value must start with `value`, followed by
            NULs only, and be `len` bytes long
  octets    an octetArray ipfixDump printed only the length of: `value` is
            that length in bytes
  unsupported  structured data (RFC 6313) and anything else this parser does
            not understand; the raw text is in `value`

Only representation is normalised here, never a value:
  * times `2023-11-14 22:13:22.170` -> `2023-11-14T22:13:22.170Z` (ipfixDump
    prints UTC without saying so)
  * booleans: ipfixDump prints the wire value, 1 -> true, 2 -> false
  * strings: the `(len: N) ` prefix is removed (and N checked)
  * octetArrays: `(len: N) 0xABCD` -> `abcd`
  * unknown IEs of 1-8 bytes: ipfixDump prints them as a *little-endian*
    integer (00 00 00 07 -> 117440512); turned back into the hex of the
    `len` bytes on the wire
  * a PEN printed as a negative number (signed 32-bit) is made unsigned

Exit status 0 on success; 1 if ipfixDump fails, times out or prints
something this parser cannot follow (the message says where).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from xml.sax.saxutils import escape

SPEC_RE = re.compile(r"^([^\s\[<(]+)\((\d+)/(\d+)\)<(\w+)>(?:\[(\d+)\])?\s*$")

# ipfixDump's short type names (from its template listing) -> comparison kind.
INT_TYPES = {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"}
FLOAT_TYPES = {"float32", "float64"}
TIME_TYPES = {"sec", "millisec", "microsec", "nanosec"}

MSG_RE = re.compile(r"^export time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+observation domain id: (\d+)")
TMPL_HDR_RE = re.compile(r"^\ttid:\s+(\d+) \(0x[0-9a-f]+\)\s+field count:\s+(\d+)\s+scope:\s+(\d+)")
TMPL_FIELD_RE = re.compile(r"^\tent:\s+(-?\d+)\s+id:\s+(\d+)\s+type: (\S+)\s+len:\s+(\d+)( \(S\))?\s+(\S+)\s*$")
DATA_HDR_RE = re.compile(r"^\tcount: (\d+)\s+tid:\s+(\d+) \(0x[0-9a-f]+\)")
FIELD_RE = re.compile(r"^\t\((-?\d+)(?:/(\d+))?\)( \(S\))?\s+(\S+) :(?: (.*))?$")
LEN_PREFIX_RE = re.compile(r"^\(len: (\d+)\) ?(.*)$", re.S)


class ParseError(Exception):
    pass


def spec_to_xml(spec_path):
    """The `name(pen/id)<type>[len]` lines of an iespec file as a libfixbuf
    element file (IANA registry XML plus cert:enterpriseId)."""
    records = []
    with open(spec_path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = SPEC_RE.match(line)
            if not m:
                raise ParseError("%s:%d: not a name(pen/id)<type>[len] spec: %r"
                                 % (spec_path, lineno, line))
            name, pen, num, typ, _ = m.groups()
            records.append(
                "    <record><name>%s</name><dataType>%s</dataType>"
                "<cert:enterpriseId>%s</cert:enterpriseId><elementId>%s</elementId></record>"
                % (escape(name), escape(typ), pen, num))
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            '<registry id="iespec" xmlns="http://www.iana.org/assignments" '
            'xmlns:cert="http://www.cert.org/ipfix">\n'
            '  <registry id="iespec-elements">\n%s\n  </registry>\n</registry>\n'
            % "\n".join(records))


def rfc3339(text):
    """`2023-11-14 22:13:22.170` (UTC) -> `2023-11-14T22:13:22.170Z`."""
    if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$", text):
        raise ParseError("not an ipfixDump time: %r" % text)
    return text.replace(" ", "T", 1) + "Z"


def convert(field, tmpl_field, raw):
    """Fill in kind/value of `field` from ipfixDump's printed value `raw`."""
    typ, length = tmpl_field["type"], tmpl_field["len"]
    alien = field["name"] == "_alienInformationElement"
    if typ in ("stml", "stl", "basicList") or typ.endswith("List"):
        return "unsupported", raw
    if typ in INT_TYPES:
        if not re.match(r"^-?\d+$", raw):
            raise ParseError("integer expected, got %r" % raw)
        return "int", raw
    if typ in FLOAT_TYPES:
        return "float8g", raw
    if typ in ("ipv4", "ipv6"):
        return "ip", raw
    if typ == "mac":
        return "text", raw
    if typ == "bool":
        return "text", {"1": "true", "2": "false"}.get(raw, "invalid boolean " + raw)
    if typ in TIME_TYPES:
        return "text", rfc3339(raw)
    if typ == "string":
        m = LEN_PREFIX_RE.match(raw)
        if not m:
            raise ParseError("string without (len: N): %r" % raw)
        n, text = int(m.group(1)), m.group(2)
        field["len"] = n  # the actual length, for variable-length fields
        got = len(text.encode("utf-8"))
        if got == n:
            return "text", text
        if got < n:
            return "cstring", text
        raise ParseError("string longer than its length %d: %r" % (n, text))
    if typ == "octet":
        m = LEN_PREFIX_RE.match(raw)
        if m and m.group(2).startswith("0x"):
            hexdigits = m.group(2)[2:].lower()
            if len(hexdigits) != 2 * int(m.group(1)):
                raise ParseError("hex of the wrong length: %r" % raw)
            return "text", hexdigits
        if m and m.group(2) == "":
            return ("text", "") if m.group(1) == "0" else ("octets", m.group(1))
        m = re.match(r"^len: (\d+)$", raw)
        if m:
            return "octets", m.group(1)
        if alien and 1 <= length <= 8 and re.match(r"^\d+$", raw):
            return "text", int(raw).to_bytes(length, "little").hex()
        raise ParseError("octetArray in an unknown form: %r" % raw)
    return "unsupported", raw


def parse(lines):
    """ipfixDump's full text output -> list of record dicts."""
    templates = {}  # (domain, tid) -> list of template fields
    records = []
    domain = export_time = None
    state = None  # None, "template", "data"
    current = None  # template being read, or record being read
    tmpl_key = None
    pending = None  # (field, tmpl_field, raw) of the last data field
    expected = 0

    def finish_field():
        nonlocal pending
        if pending is not None:
            field, tmpl_field, raw = pending
            field["kind"], field["value"] = convert(field, tmpl_field, raw)
            pending = None

    def finish_record():
        nonlocal current, state
        finish_field()
        if state == "data":
            if len(current["fields"]) != expected:
                raise ParseError("record has %d fields, its header says %d"
                                 % (len(current["fields"]), expected))
            seen = {}
            for f in current["fields"]:
                seen[f["key"]] = seen.get(f["key"], 0) + 1
                if seen[f["key"]] > 1:
                    f["key"] += "#%d" % seen[f["key"]]
                del f["name"]
            records.append(current)
        state, current = None, None

    for lineno, line in enumerate(lines, 1):
        try:
            if line.startswith("--- Message Header ---") or line.startswith("***"):
                finish_record()
                continue
            m = MSG_RE.match(line)
            if m:
                export_time, domain = rfc3339(m.group(1)), int(m.group(2))
                continue
            if line.startswith("--- template record") or line.startswith("--- options template record"):
                finish_record()
                state, current = "template", []
                continue
            if line.startswith("--- data record"):
                finish_record()
                state, current = "data", None
                continue
            if state == "template":
                m = TMPL_HDR_RE.match(line)
                if m:
                    tmpl_key = (domain, int(m.group(1)))
                    templates[tmpl_key] = current
                    continue
                m = TMPL_FIELD_RE.match(line)
                if m:
                    pen = int(m.group(1)) % (1 << 32)
                    current.append({"pen": pen, "id": int(m.group(2)), "type": m.group(3),
                                    "len": int(m.group(4)), "name": m.group(6)})
                continue
            if state == "data":
                m = DATA_HDR_RE.match(line)
                if m and current is None:
                    expected = int(m.group(1))
                    tid = int(m.group(2))
                    tmpl = templates.get((domain, tid))
                    if tmpl is None:
                        raise ParseError("data record for template %d of domain %s, "
                                         "which ipfixDump did not list" % (tid, domain))
                    current = {"export_time": export_time, "domain": domain, "template": tid,
                               "scope": 0, "fields": [], "_tmpl": tmpl}
                    continue
                m = FIELD_RE.match(line)
                if m and current is not None:
                    finish_field()
                    if m.group(2) is None:
                        pen, num = 0, int(m.group(1))
                    else:
                        pen, num = int(m.group(1)) % (1 << 32), int(m.group(2))
                    i = len(current["fields"])
                    tmpl = current["_tmpl"]
                    if i >= len(tmpl) or (tmpl[i]["pen"], tmpl[i]["id"]) != (pen, num):
                        raise ParseError("field %d (%d/%d) does not match the template" % (i, pen, num))
                    name = m.group(4)
                    key = name if name != "_alienInformationElement" else "en%d:id%d" % (pen, num)
                    field = {"key": key, "name": name, "ie": "%d/%d" % (pen, num),
                             "type": tmpl[i]["type"], "len": tmpl[i]["len"]}
                    if m.group(3):
                        current["scope"] += 1
                    current["fields"].append(field)
                    pending = (field, tmpl[i], m.group(5) or "")
                    continue
                if line.startswith("\t\t") and pending is not None:
                    # nested structured data: keep the text, flag it
                    f, t, raw = pending
                    pending = (f, dict(t, type="stml"), raw + "\n" + line.strip())
                    continue
                if pending is not None and pending[1]["type"] == "string":
                    # a string with a newline in it continues on this line
                    f, t, raw = pending
                    pending = (f, t, raw + "\n" + line)
                    continue
                if line.strip() in ("header:", "fields:", ""):
                    continue
                raise ParseError("unexpected line %r" % line)
        except ParseError as e:
            raise ParseError("ipfixDump output line %d: %s" % (lineno, e)) from None
    finish_record()
    for r in records:
        del r["_tmpl"]
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--spec", help="iespec file of extra IEs")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--ipfixdump", default="ipfixDump")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [args.ipfixdump, "--yaf", "--hexdump=65535", "-i", args.file]
        if args.spec:
            xml = os.path.join(tmp, "elements.xml")
            with open(xml, "w") as f:
                f.write(spec_to_xml(args.spec))
            cmd[1:1] = ["-e", xml]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            sys.exit("ipfixdump_records: %s timed out after %ss" % (" ".join(cmd), args.timeout))
    if proc.returncode != 0:
        sys.exit("ipfixdump_records: %s exited %d: %s"
                 % (" ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")))
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    text = proc.stdout.decode("utf-8", errors="replace")
    try:
        records = parse(text.split("\n"))
    except ParseError as e:
        sys.exit("ipfixdump_records: %s" % e)
    out = sys.stdout
    for r in records:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
