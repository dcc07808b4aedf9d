"""Spark reads ipfixkit's Parquet: every value as pyarrow reads it, and a partitioned lake.

usage: parquet_spark.py LAKE ONE.parquet FILE.parquet...

FILE (and ONE) are `convert --to parquet --signed...` outputs: for each, Spark's rows equal
pyarrow's, every column of every row (times compared as microseconds since 1970, the session
in UTC), and no column has an unsigned logical type (what `--signed` is for: engines that
read them badly; Spark 3.2+ itself reads them, as UINT_64 -> DECIMAL(20,0)). LAKE is `--schema flow --signed --partition hour -d LAKE` of the inputs ONE
holds in one file: Spark discovers `date` (DATE) and `hour` (INT) as partition columns, each
row's partition is its flow start's UTC day and hour, the lake without them is ONE's rows
(EXCEPT ALL both ways), and the README's top-10 query gives DuckDB's answer on ONE.
Prints `ok ROWS_IN_LAKE FILES` or the first differences, and exits 1.
"""

from collections import Counter
import datetime
import decimal
import os
import sys

os.environ["TZ"] = "UTC"
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql import types as T  # noqa: E402

EPOCH = datetime.datetime(1970, 1, 1)


def micros(t):
    """A timestamp as microseconds since 1970 (naive ones are UTC: the session's zone)."""
    if t.tzinfo is not None:
        t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    d = t - EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def norm(v):
    """One value in a form both readers give alike."""
    if isinstance(v, datetime.datetime):
        return ("t", micros(v))
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ("b", bytes(v))
    if isinstance(v, list):
        return ("l", tuple(norm(x) for x in v))
    if isinstance(v, decimal.Decimal):
        return ("n", int(v))
    if isinstance(v, float) and v != v:
        return ("nan",)
    if isinstance(v, bool):
        return ("?", v)
    if isinstance(v, int):
        return ("n", v)
    return v


def pyarrow_rows(path):
    import pyarrow.parquet as pq
    t = pq.read_table(path)
    return t.column_names, [tuple(norm(v) for v in r.values()) for r in t.to_pylist()]


def unsigned_columns(path):
    """The columns written with an unsigned logical type (none under --signed)."""
    import pyarrow.parquet as pq
    schema = pq.ParquetFile(path).schema
    return [schema.column(i).path for i in range(len(schema))
            if "isSigned=false" in str(schema.column(i).logical_type)]


def main():
    lake, one, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    spark = (SparkSession.builder.master("local[1]")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    bad = []

    for path in [one] + files:
        df = spark.read.parquet(path)
        cols, want = pyarrow_rows(path)
        if df.columns != cols:
            bad.append(f"{path}: Spark columns {df.columns} != pyarrow {cols}")
            continue
        unsigned = unsigned_columns(path)
        if unsigned:
            bad.append(f"{path}: unsigned columns under --signed: {unsigned}")
        got = [tuple(norm(v) for v in r) for r in df.collect()]
        only_spark = list((Counter(got) - Counter(want)).elements())
        only_arrow = list((Counter(want) - Counter(got)).elements())
        if only_spark or only_arrow:
            bad.append(f"{path}: {len(got)} Spark rows, {len(want)} pyarrow rows; "
                       f"only Spark has {only_spark[:2]}, only pyarrow {only_arrow[:2]}")

    df = spark.read.parquet(lake)
    types = {f.name: f.dataType for f in df.schema.fields}
    expect = {"date": T.DateType(), "hour": T.IntegerType(), "time_flow_start_ns": T.TimestampType(),
              "bytes": T.LongType(), "src_addr": T.StringType(),
              "mpls_label": T.ArrayType(T.LongType(), True)}
    for name, t in expect.items():
        if types.get(name) != t:
            bad.append(f"lake: {name} is {types.get(name)}, expected {t}")
    start = F.col("time_flow_start_ns")
    wrong = df.where(start.isNotNull() & ((F.to_date(start) != F.col("date"))
                                          | (F.hour(start) != F.col("hour")))).count()
    if wrong:
        bad.append(f"lake: {wrong} rows in a partition other than their flow start's")
    flows = df.drop("date", "hour")
    single = spark.read.parquet(one)
    extra, missing = flows.exceptAll(single).count(), single.exceptAll(flows).count()
    if extra or missing:
        bad.append(f"lake vs one file: {extra} rows only in the lake, {missing} only in the file")

    import duckdb
    q = "SELECT src_addr, sum(bytes) AS b FROM {} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
    spark_top = [(r[0], int(r[1])) for r in spark.sql(q.format(f"parquet.`{lake}`")).collect()]
    duck_top = [(a, int(b)) for a, b in
                duckdb.connect().execute(q.format(f"read_parquet('{one}')")).fetchall()]
    if spark_top != duck_top:
        bad.append(f"top 10: Spark {spark_top} != DuckDB {duck_top}")

    rows = df.count()
    spark.stop()
    if bad:
        print("\n".join(bad[:20]))
        sys.exit(1)
    print(f"ok {rows} {len(files) + 1}")


main()
