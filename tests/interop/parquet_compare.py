"""Compares ipfixkit's Parquet with what `cat -f json` prints for the same input.

usage: parquet_compare.py duckdb|pyarrow FILE.parquet RECORDS.json TEMPLATES.json|flow UNIT

RECORDS.json is `cat -f json` (one object per record), TEMPLATES.json `convert --to json`
(its `@fields` lines give each IE's type, hence the column type expected; RFC 5610 type
records in RECORDS.json give those of the IEs they name), UNIT the
`--timestamp-unit` (ms, us, ns). With `flow` instead of TEMPLATES.json, the Parquet is
`--schema flow` and RECORDS.json `cat --schema flow -f json`: the column types expected are
the flow schema's (README, "convert --to parquet"), `--map` columns named `map_<IE type>`
have that IE type. Checks the row count, every column's type, and every value
of every row: a key absent from the JSON record must be null. Prints `ok ROWS COLUMNS` or
the first differences, and exits 1 on any.
"""

import json
import re
import struct
import sys

INT = {
    "unsigned8": ("UTINYINT", "uint8"),
    "unsigned16": ("USMALLINT", "uint16"),
    "unsigned32": ("UINTEGER", "uint32"),
    "unsigned64": ("UBIGINT", "uint64"),
    "signed8": ("TINYINT", "int8"),
    "signed16": ("SMALLINT", "int16"),
    "signed32": ("INTEGER", "int32"),
    "signed64": ("BIGINT", "int64"),
    "float32": ("FLOAT", "float"),
    "float64": ("DOUBLE", "double"),
    "boolean": ("BOOLEAN", "bool"),
    "string": ("VARCHAR", "string"),
    "octetArray": ("BLOB", "binary"),
}
TIMES = ("dateTimeSeconds", "dateTimeMilliseconds", "dateTimeMicroseconds", "dateTimeNanoseconds")
PER_NS = {"ms": 1_000_000, "us": 1_000, "ns": 1}
META = {
    "@export_time": "dateTimeSeconds",
    "@domain": "unsigned32",
    "@template": "unsigned16",
    "@scope": "unsigned16",
}


def expected_type(ie_type, unit):
    """(duckdb type, pyarrow type) of a column of IE type `ie_type`."""
    if ie_type in TIMES:
        return ("TIMESTAMP WITH TIME ZONE", f"timestamp[{unit}, tz=UTC]")
    return INT.get(ie_type, ("VARCHAR", "string"))


# `--schema flow`: the columns written as text and as times; mpls_label is a list of
# unsigned32; every other schema field unsigned64.
FLOW_TEXT = {"type", "sampler_address", "src_addr", "dst_addr", "next_hop", "bgp_next_hop",
             "src_mac", "dst_mac", "src_net", "dst_net"}
FLOW_TIMES = {"time_received_ns", "time_flow_start_ns", "time_flow_end_ns"}


def flow_type(column):
    """The IE type a `--schema flow` column is written as (its Parquet type by expected_type)."""
    if column in FLOW_TEXT:
        return "string"
    if column in FLOW_TIMES:
        return "dateTimeNanoseconds"
    if column == "mpls_label":
        return "mpls"
    if column.startswith("map_"):
        return column[len("map_"):]
    if column.endswith("_int"):
        # --render src_mac=int (a MAC's 48-bit value) and src_net=int (the prefix length),
        # renamed to show it.
        return "unsigned8" if column.endswith("net_int") else "unsigned64"
    return "unsigned64"


def field_types(templates_path):
    """Each output key's IE type, from the `@fields` lines; None where templates disagree."""
    types = {}
    for line in open(templates_path, encoding="utf-8"):
        o = json.loads(line)
        if "@fields" not in o:
            continue
        seen = {}
        for spec in o["@fields"]:
            m = re.match(r"^(.*)\((?:\d+/)?\d+\)<(\w+)>\[(?:\d+|v)\]$", spec)
            if not m:
                raise SystemExit(f"cannot read field spec {spec!r}")
            name, t = m.group(1), m.group(2)
            seen[name] = seen.get(name, 0) + 1
            key = name if seen[name] == 1 else f"{name}#{seen[name]}"
            if key in types and types[key] != t:
                types[key] = None
            else:
                types[key] = t
    return types


# RFC 5610 / IANA informationElementDataType codes.
TYPE_CODES = ["octetArray", "unsigned8", "unsigned16", "unsigned32", "unsigned64", "signed8",
              "signed16", "signed32", "signed64", "float32", "float64", "boolean", "macAddress",
              "string", "dateTimeSeconds", "dateTimeMilliseconds", "dateTimeMicroseconds",
              "dateTimeNanoseconds", "ipv4Address", "ipv6Address", "basicList",
              "subTemplateList", "subTemplateMultiList"]


def rfc5610_types(recs):
    """The types the file's RFC 5610 type records give their IEs, by name: `@fields` shows
    a template as it was defined, before those records named its enterprise IEs, while
    `cat -f json` and the Parquet columns use the names and types they give."""
    types = {}
    for r in recs:
        name, code = r.get("informationElementName"), r.get("informationElementDataType")
        if isinstance(name, str) and isinstance(code, int) and code < len(TYPE_CODES):
            types[name] = TYPE_CODES[code]
    return types


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def rfc3339_ns(s):
    m = re.match(r"^([+-]?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", s)
    if not m:
        raise ValueError(f"not a time: {s!r}")
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se
    return secs * 1_000_000_000 + int(frac)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def same(expect, got, arrow, unit):
    """Whether the JSON value `expect` is the Parquet value `got` of Arrow type `arrow`."""
    if expect is None:
        return got is None
    if arrow.startswith("timestamp"):
        ns = expect if isinstance(expect, int) else rfc3339_ns(expect)
        v = ns // PER_NS[unit]
        if not -(2**63) <= v < 2**63:
            return got is None
        return got == v
    if arrow.startswith("list<"):
        if isinstance(expect, list):
            # The flow schema's mpls_label: the labels.
            vals = expect
        elif not isinstance(expect, dict) or "values" not in expect:
            return False
        else:
            vals = expect["values"]
        inner = arrow[len("list<element: "):-1]
        return got is not None and len(vals) == len(got) and all(
            same(e, g, inner, unit) for e, g in zip(vals, got))
    if arrow in ("float", "double"):
        if isinstance(expect, str):
            expect = float(expect)
        if got is None:
            return False
        if expect != expect:
            return got != got
        return (f32(expect) if arrow == "float" else expect) == got
    if arrow == "binary":
        return got is not None and got.hex() == expect
    if arrow == "string":
        if isinstance(expect, str):
            return got == expect
        if isinstance(expect, dict) and set(expect) == {"@hex"}:
            return got == json.dumps(expect, separators=(",", ":"))
        # Structured data and mixed columns: their JSON text.
        try:
            return got is not None and json.loads(got) == expect
        except ValueError:
            return False
    if arrow.startswith("decimal"):
        return got is not None and int(got) == expect
    return got == expect


def read_duckdb(path):
    import duckdb
    con = duckdb.connect()
    desc = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    cols, types, exprs = [], [], []
    for name, t, *_ in desc:
        q = '"' + name.replace('"', '""') + '"'
        cols.append(name)
        types.append(t)
        if t == "TIMESTAMP WITH TIME ZONE":
            exprs.append(f"epoch_ns({q})")
        elif t == "TIMESTAMP WITH TIME ZONE[]":
            exprs.append(f"list_transform({q}, x -> epoch_ns(x))")
        else:
            exprs.append(q)
    rows = con.execute(f"SELECT {', '.join(exprs)} FROM read_parquet(?)", [path]).fetchall()
    return cols, types, rows


def read_pyarrow(path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    t = pq.read_table(path)
    cols = t.column_names
    types = [str(f.type) for f in t.schema]
    data = []
    for f in t.schema:
        c = t.column(f.name)
        if pa.types.is_timestamp(f.type):
            c = c.cast(pa.int64())
        elif pa.types.is_list(f.type) and pa.types.is_timestamp(f.type.value_type):
            c = c.cast(pa.list_(pa.int64()))
        data.append(c.to_pylist())
    rows = list(zip(*data)) if data else []
    return cols, types, rows


def main():
    lib, path, records, templates, unit = sys.argv[1:6]
    cols, types, rows = (read_duckdb if lib == "duckdb" else read_pyarrow)(path)
    recs = [json.loads(line) for line in open(records, encoding="utf-8")]
    flow = templates == "flow"
    ies = {} if flow else {**rfc5610_types(recs), **field_types(templates)}
    problems = []
    if len(rows) != len(recs):
        problems.append(f"{len(rows)} rows, {len(recs)} JSON records")
    arrow = []
    for c, t in zip(cols, types):
        ie = flow_type(c) if flow else META.get(c) or ies.get(c)
        if ie == "mpls":
            want = ("UINTEGER[]", "list<element: uint32>")
        elif ie == "basicList":
            # The element IE's type is not in @fields: the values check it.
            want = None
        else:
            want = expected_type(ie, unit) if ie else ("VARCHAR", "string")
        if lib == "pyarrow":
            arrow.append(t)
        else:
            arrow.append(duck_to_arrow(t, unit))
        if want is not None:
            w = want[0] if lib == "duckdb" else want[1]
            if t != w:
                problems.append(f"column {c}: type {t}, expected {w} (IE type {ie})")
        elif not (t.endswith("[]") or t.startswith("list<") or t in ("VARCHAR", "string")):
            problems.append(f"column {c}: basicList as {t}")
    for i, (row, rec) in enumerate(zip(rows, recs)):
        for c, a, got in zip(cols, arrow, row):
            if lib == "duckdb" and (a.startswith("timestamp") or a.startswith("list<element: timestamp")):
                # epoch_ns: back to the unit.
                per = PER_NS[unit]
                got = None if got is None else (
                    [None if x is None else x // per for x in got] if isinstance(got, list) else got // per)
            if not same(rec.get(c), got, a, unit):
                problems.append(f"row {i} column {c}: parquet {got!r}, json {rec.get(c)!r}")
        extra = set(rec) - set(cols)
        if extra:
            problems.append(f"row {i}: JSON keys without a column: {sorted(extra)}")
        if len(problems) > 20:
            break
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(f"ok {len(rows)} {len(cols)}")


def duck_to_arrow(t, unit):
    if t.endswith("[]"):
        return f"list<element: {duck_to_arrow(t[:-2], unit)}>"
    if t == "TIMESTAMP WITH TIME ZONE":
        return f"timestamp[{unit}, tz=UTC]"
    if t.startswith("DECIMAL"):
        return "decimal"
    for d, p in INT.values():
        if d == t:
            return p
    return "string"


main()
