"""Checks a `convert --to parquet --partition` directory against the same inputs in one file.

usage: parquet_partitions.py DIR ONE.parquet START_COLUMN hour|day

Reads DIR with DuckDB's `read_parquet('DIR/**/*.parquet', hive_partitioning = true)` and
checks that: it has the rows of ONE.parquet (`-o`, same flags), exactly (EXCEPT ALL both
ways, the partition columns left out); every row whose START_COLUMN is not null is in the
partition of that start (UTC date, and hour); the partition columns are typed DATE and
BIGINT; every file has the same schema (pyarrow).
Prints `ok ROWS PARTITION...` (each `date/hour`, sorted; `NULL` for the default partition)
or the first problems, and exits 1 on any.
"""

import glob
import sys

import duckdb
import pyarrow.parquet as pq


def main():
    d, one, start, by = sys.argv[1:5]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    hive = f"read_parquet('{d}/**/*.parquet', hive_partitioning = true)"
    parts = "date, hour" if by == "hour" else "date"
    problems = []
    n_hive = con.execute(f"SELECT count(*) FROM {hive}").fetchone()[0]
    n_one = con.execute("SELECT count(*) FROM read_parquet(?)", [one]).fetchone()[0]
    if n_hive != n_one:
        problems.append(f"{n_hive} rows partitioned, {n_one} in one file")
    for a, b in ((f"(SELECT * EXCLUDE ({parts}) FROM {hive})", f"read_parquet('{one}')"),
                 (f"read_parquet('{one}')", f"(SELECT * EXCLUDE ({parts}) FROM {hive})")):
        extra = con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchone()[0]
        if extra:
            problems.append(f"{extra} rows of {a} are not in {b}")
    q = f'"{start}"'
    wrong_date = f"date IS DISTINCT FROM CAST({q} AS DATE)"
    wrong = wrong_date if by == "day" else f"({wrong_date} OR hour IS DISTINCT FROM hour({q}))"
    bad = con.execute(f"SELECT count(*) FROM {hive} WHERE {q} IS NOT NULL AND {wrong}").fetchone()[0]
    if bad:
        sample = con.execute(f"SELECT {parts}, {q} FROM {hive} WHERE {q} IS NOT NULL AND {wrong} LIMIT 3").fetchall()
        problems.append(f"{bad} rows in the wrong partition, e.g. {sample}")
    types = con.execute(f"SELECT DISTINCT typeof(date){', typeof(hour)' if by == 'hour' else ''} FROM {hive}").fetchall()
    if types != [("DATE", "BIGINT") if by == "hour" else ("DATE",)]:
        problems.append(f"partition columns typed {types}, not DATE (and BIGINT)")
    files = sorted(glob.glob(f"{d}/**/*.parquet", recursive=True))
    schemas = {str(pq.read_schema(f).remove_metadata()) for f in files}
    if len(schemas) != 1:
        problems.append(f"{len(schemas)} schemas among {len(files)} files")
    got = con.execute(f"SELECT DISTINCT {parts} FROM {hive} ORDER BY ALL NULLS LAST").fetchall()
    if problems:
        print("\n".join(problems))
        sys.exit(1)

    def show(p):
        return "/".join("NULL" if x is None else str(x) for x in p)

    print("ok", n_hive, " ".join(show(p) for p in got))


main()
