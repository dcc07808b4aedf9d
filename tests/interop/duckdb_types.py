#!/usr/bin/env python3
"""What DuckDB makes of flow-schema CSV and JSON files.

Usage: duckdb_types.py DIR

For every NAME.csv in DIR (and its NAME.json), prints one JSON line:
{"file": NAME, "types": {column: DuckDB type by read_csv_auto}, "csv_rows": N,
 "json_rows": M, "nonempty": [columns with at least one value]}.
"""

import glob
import json
import os
import sys

import duckdb


def main():
    for csv in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
        name = os.path.basename(csv)[:-4]
        js = csv[:-4] + ".json"
        con = duckdb.connect()
        rel = con.sql(f"SELECT * FROM read_csv_auto('{csv}', header=true)")
        types = {c: str(t) for c, t in zip(rel.columns, rel.types)}
        one = lambda q: con.execute(q).fetchone()[0]
        csv_rows = one(f"SELECT count(*) FROM read_csv_auto('{csv}', header=true)")
        nonempty = [
            c
            for c in rel.columns
            if one(f'SELECT count("{c}") FROM read_csv_auto(\'{csv}\', header=true)') > 0
        ]
        json_rows = one(f"SELECT count(*) FROM read_json_auto('{js}', format='newline_delimited')")
        print(json.dumps({"file": name, "types": types, "csv_rows": csv_rows, "json_rows": json_rows, "nonempty": nonempty}))


if __name__ == "__main__":
    main()
