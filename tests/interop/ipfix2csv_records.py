#!/usr/bin/python3
"""Run python-ipfix's ipfix2csv on an IPFIX file and print its rows as JSON.

Usage: ipfix2csv_records.py FILE [--spec IESPEC] [--timeout SECONDS] COLUMN...

ipfix2csv prints only the named columns, and only for records whose template
has *every* one of them (it silently skips the others). This helper first
drops the columns python-ipfix cannot name at all (its registry stops at IE
433, plus RFC 5103 reverse IEs and IESPEC), runs

    ipfix2csv -f FILE [--spec IESPEC] COLUMN...

and prints one JSON object:

  {"columns": [{"key": "sourceIPv4Address", "kind": "ip"}, ...],
   "unknown": ["someNewerIE"],
   "rows": [["192.0.2.1", ...], ...]}

`kind` says how the test compares a value with ipfixkit's (see
ipfixdump_records.py): int, float (full precision here: python prints the
shortest repr of the double it decoded; a float32 on the wire is widened
to a double first), ip, text. Only representation is normalised:

  * times `2023-11-14 22:13:22.170` -> `2023-11-14T22:13:22.170Z`
  * macAddress: python-ipfix prints the Python bytes literal
    (`b'\\x02\\x00^\\x10\\x00\\x01'`) -> `02:00:5e:10:00:01`
  * octetArray: printed as `b'0a0b'` (hexlify's bytes) -> `0a0b`

Needs the `ipfix` module of Debian's python3-ipfix: run it with the system
interpreter (/usr/bin/python3).
"""

import argparse
import ast
import csv
import io
import json
import re
import subprocess
import sys

import ipfix.ie

KINDS = {
    "octetArray": "octets", "string": "text", "boolean": "text",
    "macAddress": "mac",
    "ipv4Address": "ip", "ipv6Address": "ip",
    "float32": "float", "float64": "float",
    "dateTimeSeconds": "time", "dateTimeMilliseconds": "time",
    "dateTimeMicroseconds": "time", "dateTimeNanoseconds": "time",
}


def kind_of(ie):
    name = ie.type.name
    if name.startswith("unsigned") or name.startswith("signed"):
        return "int"
    return KINDS.get(name, "text")


def bytes_literal(text):
    """`b'...'` as python-ipfix prints bytes -> the bytes."""
    value = ast.literal_eval(text)
    if not isinstance(value, bytes):
        raise ValueError("not a bytes literal: %r" % text)
    return value


def normalise(kind, text):
    """python-ipfix's string for a value of this kind -> ipfixkit's form."""
    if kind == "time":
        if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$", text):
            raise ValueError("not a python-ipfix time: %r" % text)
        return text.replace(" ", "T", 1) + "Z"
    if kind == "mac":
        return ":".join("%02x" % b for b in bytes_literal(text))
    if kind == "octets":
        return bytes_literal(text).decode("ascii").lower()
    return text


def compare_kind(kind):
    """Once normalised, times, MACs and octetArrays compare as plain text."""
    return "text" if kind in ("time", "mac", "octets") else kind


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("columns", nargs="+")
    ap.add_argument("--spec", help="iespec file of extra IEs")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--ipfix2csv", default="ipfix2csv")
    args = ap.parse_args()

    # The same information model ipfix2csv builds for itself.
    ipfix.ie.use_iana_default()
    ipfix.ie.use_5103_default()
    if args.spec:
        ipfix.ie.use_specfile(args.spec)
    columns, unknown = [], []
    for name in args.columns:
        try:
            ie = ipfix.ie.for_spec(name)
        except ValueError:
            unknown.append(name)
            continue
        if ie.name != name:
            unknown.append(name)  # e.g. a spec-less "(id)" form
            continue
        columns.append({"key": name, "kind": kind_of(ie)})

    rows = []
    if columns:
        cmd = [args.ipfix2csv, "-f", args.file]
        if args.spec:
            cmd += ["--spec", args.spec]
        cmd += [c["key"] for c in columns]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            sys.exit("ipfix2csv_records: %s timed out after %ss" % (" ".join(cmd), args.timeout))
        if proc.returncode != 0:
            sys.exit("ipfix2csv_records: %s exited %d: %s"
                     % (" ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")))
        reader = csv.reader(io.StringIO(proc.stdout.decode("utf-8"), newline=""))
        header = next(reader)
        if header != [c["key"] for c in columns]:
            sys.exit("ipfix2csv_records: unexpected header %r" % header)
        for row in reader:
            if len(row) != len(columns):
                sys.exit("ipfix2csv_records: row of %d cells, expected %d: %r"
                         % (len(row), len(columns), row))
            try:
                rows.append([normalise(c["kind"], cell) for c, cell in zip(columns, row)])
            except ValueError as e:
                sys.exit("ipfix2csv_records: %s" % e)
        for col in columns:
            col["kind"] = compare_kind(col["kind"])

    json.dump({"columns": columns, "unknown": unknown, "rows": rows},
              sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
