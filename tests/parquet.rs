//! `convert --to parquet`, read back by DuckDB and pyarrow (PyPI's, in `target/venv`, which
//! `.ci/run` makes, or `$IPFIXKIT_DUCKDB_PYTHON`): for every sample of testdata/samples, the
//! peers' files of testdata/interop, the JSON and CSV fixtures of testdata/convert, the
//! article example and generated all-types and structured files, the row count, every
//! column's type and every value equal to what `cat -f json` prints
//! (tests/interop/parquet_compare.py); Spark (PySpark with a Java runtime) reads signed
//! files and a partitioned lake (tests/interop/parquet_spark.py). Without those the interop
//! tests print a SKIP line, except with `CI=true`, where they fail. The rest needs no peer.

#[path = "common/peers.rs"]
mod peers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A Python that imports `module`.
fn python(module: &str) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("IPFIXKIT_DUCKDB_PYTHON").map(PathBuf::from),
        Some(root().join("target/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| {
        p.is_file()
            && peers::run(
                Command::new(p).args(["-c", &format!("import {module}")]),
                peers::QUICK,
            )
            .status
            .success()
    })
}

fn ipfixkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipfixkit"))
        .args(args)
        .output()
        .unwrap()
}

/// The inputs compared: every IPFIX and NetFlow sample (testdata/samples, and the files the
/// peers wrote in testdata/interop), the JSON and CSV fixtures of testdata/convert, and
/// generated files of every type.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for (sub, keep) in [
        ("samples", &[".ipfix", ".nf5", ".nf9"][..]),
        ("interop", &[".ipfix"][..]),
        ("convert", &[".json", ".csv"][..]),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("testdata").join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| keep.iter().any(|k| p.to_string_lossy().ends_with(k)))
            .collect();
        files.sort();
        v.extend(files);
    }
    v.push(root().join("testdata/article-example.ipfix"));
    for (profile, n) in [("all-types", "300"), ("structured", "100")] {
        let out = dir.join(format!("{profile}.ipfix"));
        let o = out.to_str().unwrap();
        let r = ipfixkit(&["gen", "--profile", profile, "-n", n, "--seed", "7", "-o", o]);
        assert!(r.status.success(), "{r:?}");
        v.push(out);
    }
    v
}

/// The `--ie-spec` flags an input is read with: the fixtures of testdata/convert name IEs of
/// `enterprise.iespec`, and `X.iespec` beside a file `X` describes its enterprise IEs.
fn ie_spec(input: &Path) -> Vec<String> {
    let beside = PathBuf::from(format!("{}.iespec", input.display()));
    let spec = match input.parent() == Some(&root().join("testdata/convert")) {
        true => root().join("testdata/convert/enterprise.iespec"),
        false => beside,
    };
    match spec.is_file() {
        true => vec!["--ie-spec".into(), spec.to_string_lossy().into_owned()],
        false => Vec::new(),
    }
}

/// Runs ipfixkit with `args` and then `more`.
fn ipfixkit_with(args: &[&str], more: &[String]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(more.iter().map(String::as_str));
    ipfixkit(&all)
}

/// What `cat` reads for `input`: the input itself, or for a JSON/CSV one (which `convert`
/// reads and `cat` does not) the IPFIX `convert --to ipfix` makes of it.
fn for_cat(input: &Path, dir: &Path) -> String {
    let name = input.to_string_lossy();
    if !(name.ends_with(".json") || name.ends_with(".csv")) {
        return name.into_owned();
    }
    let out = dir.join(format!(
        "{}.ipfix",
        input.file_name().unwrap().to_string_lossy()
    ));
    let o = out.to_str().unwrap();
    let r = ipfixkit_with(
        &["convert", "-q", "--to", "ipfix", &name, "-o", o],
        &ie_spec(input),
    );
    assert!(r.status.success(), "{name}: {r:?}");
    o.to_string()
}

/// Converts every input with `extra` flags and compares it through `lib` (duckdb or pyarrow).
fn compare(lib: &str, unit: &str, extra: &[&str]) {
    let Some(py) = python(lib) else {
        return peers::missing(&format!("{lib} (python with the {lib} package)"));
    };
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for input in inputs(dir.path()) {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let i = input.to_str().unwrap();
        let pq = dir.path().join(format!("{name}.parquet"));
        let mut args = vec!["convert", "-q", "--to", "parquet", i, "-o"];
        args.push(pq.to_str().unwrap());
        args.extend_from_slice(extra);
        let spec = ie_spec(&input);
        let r = ipfixkit_with(&args, &spec);
        // Damaged samples exit 1 and still publish their readable records.
        assert!(r.status.code().is_some_and(|c| c <= 1), "{name}: {r:?}");
        let c = for_cat(&input, dir.path());
        let records = dir.path().join(format!("{name}.records.json"));
        let json = ipfixkit_with(&["cat", "-q", "-f", "json", &c], &spec).stdout;
        std::fs::write(&records, json).unwrap();
        let templates = dir.path().join(format!("{name}.templates.json"));
        let t = ipfixkit_with(&["convert", "-q", "--to", "json", &c], &spec).stdout;
        std::fs::write(&templates, t).unwrap();
        let text = peers::run_ok(
            Command::new(&py)
                .arg(peers::script("parquet_compare.py"))
                .args([lib, pq.to_str().unwrap()])
                .args([&records, &templates])
                .arg(unit),
            Duration::from_secs(120),
        );
        assert!(text.starts_with("ok "), "{name}: {text}");
        compared += 1;
    }
    assert!(compared >= 28, "only {compared} inputs");
}

#[test]
fn duckdb_reads_every_sample_as_cat_json_prints_it() {
    compare("duckdb", "us", &[]);
}

#[test]
fn pyarrow_reads_every_sample_as_cat_json_prints_it() {
    compare("pyarrow", "us", &[]);
}

#[test]
fn timestamp_units_and_compressions() {
    compare(
        "pyarrow",
        "ns",
        &["--timestamp-unit", "ns", "--compression", "snappy"],
    );
    compare(
        "duckdb",
        "ms",
        &["--timestamp-unit", "ms", "--compression", "none"],
    );
}

#[test]
fn small_row_groups_give_the_same_values() {
    compare("pyarrow", "us", &["--row-group-size", "7"]);
}

/// `--signed`: unsigned columns as signed ones, unsigned64 as INT64 or DECIMAL(20,0).
#[test]
fn signed_types() {
    let Some(py) = python("duckdb") else {
        return peers::missing("duckdb (python with the duckdb package)");
    };
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("testdata/article-example.ipfix");
    for (flag, want) in [
        ("--signed", "BIGINT"),
        ("--signed=int64", "BIGINT"),
        ("--signed=decimal", "DECIMAL(20,0)"),
    ] {
        let pq = dir.path().join("s.parquet");
        let p = pq.to_str().unwrap();
        let r = ipfixkit(&[
            "convert",
            "--to",
            "parquet",
            input.to_str().unwrap(),
            "-o",
            p,
            flag,
        ]);
        assert!(r.status.success(), "{r:?}");
        let q = format!(
            "import duckdb; print(duckdb.sql(\"SELECT typeof(\\\"@domain\\\"), \
             typeof(\\\"@template\\\"), typeof(packetDeltaCount), sum(packetDeltaCount)::BIGINT \
             FROM '{p}' GROUP BY ALL\").fetchall())"
        );
        let text = peers::run_ok(Command::new(&py).args(["-c", &q]), peers::QUICK);
        let expect = format!("[('BIGINT', 'INTEGER', '{want}', 277)]");
        assert_eq!(text.trim(), expect, "{flag}");
    }
}

#[test]
fn output_is_parquet_and_failed_input_leaves_none() {
    let dir = tempfile::tempdir().unwrap();
    let good = root().join("testdata/article-example.ipfix");
    let bad = dir.path().join("bad.ipfix");
    std::fs::write(&bad, b"this is not IPFIX at all, not even close\n").unwrap();
    let out = dir.path().join("out");
    let r = ipfixkit(&[
        "convert",
        "-q",
        "--to",
        "parquet",
        "-d",
        out.to_str().unwrap(),
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{r:?}");
    let written = std::fs::read(out.join("article-example.parquet")).unwrap();
    assert!(written.starts_with(b"PAR1") && written.ends_with(b"PAR1"));
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        left,
        ["article-example.parquet"],
        "no output, and no temp file, for bad"
    );
    // -o: all inputs into one file, in input order.
    let one = dir.path().join("one.parquet");
    let g = good.to_str().unwrap();
    let r = ipfixkit(&[
        "convert",
        "--to",
        "parquet",
        g,
        g,
        "-o",
        one.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{r:?}");
    let b = std::fs::read(&one).unwrap();
    assert!(b.starts_with(b"PAR1") && b.ends_with(b"PAR1"));
}

/// The inputs of the flow schema's comparison: those of the raw one, v9 and v5 exports,
/// biflows, IPv6, and a template of MACs, prefixes and MPLS labels.
fn flow_inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v = inputs(dir);
    let gens: [(&str, &[&str]); 5] = [
        ("biflow", &["--profile", "biflow"]),
        ("flow6", &["--profile", "flow6"]),
        ("v9", &["--netflow", "9"]),
        ("v5", &["--netflow", "5"]),
        (
            "layer2",
            &[
                "--template",
                "sourceIPv4Address,destinationIPv4Address,octetDeltaCount,packetDeltaCount,\
                 sourceMacAddress,destinationMacAddress,sourceIPv4PrefixLength,\
                 mplsTopLabelStackSection,mplsLabelStackSection2,flowStartMilliseconds",
            ],
        ),
    ];
    for (name, flags) in gens {
        let out = dir.join(format!("{name}.bin"));
        let mut args = vec![
            "gen",
            "-n",
            "200",
            "--seed",
            "11",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        let r = ipfixkit(&args);
        assert!(r.status.success(), "{name}: {r:?}");
        v.push(out);
    }
    v
}

/// `--schema flow` to Parquet with `extra` flags (and the same view flags to `cat`),
/// compared through `lib` with what `cat --schema flow -f json` prints.
fn compare_flow(lib: &str, unit: &str, view: &[&str], extra: &[&str]) {
    let Some(py) = python(lib) else {
        return peers::missing(&format!("{lib} (python with the {lib} package)"));
    };
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for input in flow_inputs(dir.path()) {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let i = input.to_str().unwrap();
        let pq = dir.path().join(format!("{name}.parquet"));
        let mut args = vec!["convert", "-q", "--schema", "flow", "--to", "parquet", i];
        args.extend_from_slice(&["-o", pq.to_str().unwrap()]);
        args.extend_from_slice(view);
        args.extend_from_slice(extra);
        let spec = ie_spec(&input);
        let r = ipfixkit_with(&args, &spec);
        assert!(r.status.code().is_some_and(|c| c <= 1), "{name}: {r:?}");
        let c = for_cat(&input, dir.path());
        let mut cat = vec!["cat", "-q", "--schema", "flow", "-f", "json", &c];
        cat.extend_from_slice(view);
        let records = dir.path().join(format!("{name}.flow.json"));
        std::fs::write(&records, ipfixkit_with(&cat, &spec).stdout).unwrap();
        let text = peers::run_ok(
            Command::new(&py)
                .arg(peers::script("parquet_compare.py"))
                .args([lib, pq.to_str().unwrap()])
                .arg(&records)
                .args(["flow", unit]),
            Duration::from_secs(120),
        );
        assert!(text.starts_with("ok "), "{name}: {text}");
        compared += 1;
    }
    assert!(compared >= 24, "only {compared} inputs");
}

#[test]
fn duckdb_reads_the_flow_schema_as_cat_json_prints_it() {
    compare_flow("duckdb", "us", &[], &[]);
}

#[test]
fn pyarrow_reads_the_flow_schema_as_cat_json_prints_it() {
    compare_flow("pyarrow", "ns", &[], &["--timestamp-unit", "ns"]);
}

/// The flow view's flags: `--time iso` (the Parquet times are the same), `--no-split-biflow` (reverse counters), `--render ...=int` (typed
/// as numbers), `--map` (the IE's type), `-F` and `--rename`.
#[test]
fn flow_schema_view_flags() {
    compare_flow(
        "pyarrow",
        "us",
        &[
            // A --map time prints in its IE's unit as a number; RFC 3339 compares.
            "--time",
            "iso",
            "--no-split-biflow",
            "--render",
            "src_mac=int",
            "--render",
            "src_net=int",
            "--rename",
            "src_mac=src_mac_int",
            "--rename",
            "src_net=src_net_int",
            "--map",
            "map_dateTimeMilliseconds=flowStartMilliseconds",
            "--map",
            "map_unsigned8=protocolIdentifier",
            "--map",
            "map_octetArray=mplsTopLabelStackSection",
            "--map",
            "map_basicList=basicList",
        ],
        &["--row-group-size", "50"],
    );
    compare_flow(
        "duckdb",
        "ms",
        &[
            "-F",
            "src_addr,dst_addr,bytes,time_flow_start_ns,mpls_label",
        ],
        &["--timestamp-unit", "ms"],
    );
}

/// Runs parquet_partitions.py on `dir` against `one`: `ok ROWS PARTITION...`.
fn check_partitions(py: &Path, dir: &Path, one: &Path, start: &str, by: &str) -> String {
    let text = peers::run_ok(
        Command::new(py)
            .arg(peers::script("parquet_partitions.py"))
            .args([dir, one])
            .args([start, by]),
        Duration::from_secs(120),
    );
    assert!(text.starts_with("ok "), "{text}");
    text.trim().to_string()
}

/// Writes `gen` output with `flags` to `dir/name`.
fn generate(dir: &Path, name: &str, flags: &[&str]) -> String {
    let out = dir.join(name).to_string_lossy().into_owned();
    let mut args = vec!["gen", "--seed", "5", "-o", &out];
    args.extend_from_slice(flags);
    let r = ipfixkit(&args);
    assert!(r.status.success(), "{r:?}");
    out
}

/// Every file name under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// `--partition hour`: an IPFIX and a NetFlow v9 input spanning hours, in the raw and the
/// flow schema, read back by DuckDB with hive_partitioning: the rows of the one-file output,
/// each in its flow start's partition, the partition values those of the inputs' hours, one
/// schema for every file (the raw schema's columns are those of both inputs).
#[test]
fn hour_partitions_read_back_with_hive_partitioning() {
    let Some(py) = python("duckdb") else {
        return peers::missing("duckdb (python with the duckdb package)");
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = generate(
        d,
        "a.ipfix",
        &[
            "-n",
            "20000",
            "--start",
            "2024-05-01T10:30:00Z",
            "--duration",
            "3h",
        ],
    );
    let b = generate(
        d,
        "b.nf9",
        &[
            "-n",
            "5000",
            "--netflow",
            "9",
            "--start",
            "2024-05-01T12:10:00Z",
            "--duration",
            "2h",
        ],
    );
    for schema in ["raw", "flow"] {
        let parts = d.join(format!("parts-{schema}"));
        let one = d.join(format!("one-{schema}.parquet"));
        let base = [
            "convert",
            "--to",
            "parquet",
            "--schema",
            schema,
            "--row-group-size",
            "3000",
        ];
        let mut args = base.to_vec();
        args.extend_from_slice(&["--partition", "hour", "-j2", "-d", parts.to_str().unwrap()]);
        args.extend_from_slice(&[&a, &b]);
        let r = ipfixkit(&args);
        assert!(r.status.success(), "{r:?}");
        let mut args = base.to_vec();
        args.extend_from_slice(&[&a, &b, "-o", one.to_str().unwrap()]);
        assert!(ipfixkit(&args).status.success());
        let start = match schema {
            "raw" => "flowStartMilliseconds",
            _ => "time_flow_start_ns",
        };
        let text = check_partitions(&py, &parts, &one, start, "hour");
        let hours = "2024-05-01/10 2024-05-01/11 2024-05-01/12 2024-05-01/13 2024-05-01/14";
        match schema {
            // The options records (gen's and the v9 export's) have no flow start.
            "raw" => assert_eq!(text, format!("ok 25003 {hours} NULL/NULL")),
            _ => assert_eq!(text, format!("ok 25000 {hours}")),
        }
        let files = tree(&parts);
        // -j1 writes the same bytes as -j2.
        let serial = d.join(format!("serial-{schema}"));
        let mut args = base.to_vec();
        args.extend_from_slice(&["--partition", "hour", "-j1", "-d", serial.to_str().unwrap()]);
        args.extend_from_slice(&[&a, &b]);
        assert!(ipfixkit(&args).status.success());
        assert_eq!(tree(&serial), files);
        for f in &files {
            let same =
                std::fs::read(parts.join(f)).unwrap() == std::fs::read(serial.join(f)).unwrap();
            assert!(same, "{f} differs between -j1 and -j2");
        }
        assert!(files.contains(&"date=2024-05-01/hour=10/part-00000.parquet".to_string()));
        assert!(files.contains(&"date=2024-05-01/hour=14/part-00001.parquet".to_string()));
        assert!(
            !files.iter().any(|f| f.contains("hour=10/part-00001")),
            "{files:?}"
        );
        assert!(!files.iter().any(|f| f.contains(".tmp")), "{files:?}");
    }
}

/// `--partition day`, and more partitions than files open at once (32): two days of hours
/// twice in one input (two generated files concatenated), so partitions are finished and
/// reopened (`part-00000-1.parquet`), and nothing is lost.
#[test]
fn day_partitions_and_reopened_partitions() {
    let Some(py) = python("duckdb") else {
        return peers::missing("duckdb (python with the duckdb package)");
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let flags = [
        "-n",
        "4000",
        "--start",
        "2024-02-28T00:00:00Z",
        "--duration",
        "48h",
    ];
    let x = generate(d, "x.ipfix", &flags);
    let both = d.join("both.ipfix");
    let mut bytes = std::fs::read(&x).unwrap();
    bytes.extend(std::fs::read(&x).unwrap());
    std::fs::write(&both, bytes).unwrap();
    let input = both.to_str().unwrap();
    let one = d.join("one.parquet");
    let base = ["convert", "--to", "parquet", "--schema", "flow", input];
    let mut args = base.to_vec();
    args.extend_from_slice(&["-o", one.to_str().unwrap()]);
    assert!(ipfixkit(&args).status.success());
    for by in ["hour", "day"] {
        let parts = d.join(by);
        let mut args = base.to_vec();
        args.extend_from_slice(&["--partition", by, "-d", parts.to_str().unwrap()]);
        let r = ipfixkit(&args);
        assert!(r.status.success(), "{r:?}");
        let text = check_partitions(&py, &parts, &one, "time_flow_start_ns", by);
        let files = tree(&parts);
        if by == "day" {
            assert_eq!(text, "ok 8000 2024-02-28 2024-02-29");
            assert_eq!(
                files,
                [
                    "date=2024-02-28/part-00000.parquet",
                    "date=2024-02-29/part-00000.parquet"
                ]
            );
        } else {
            assert!(
                text.starts_with("ok 8000 2024-02-28/0 2024-02-28/1 "),
                "{text}"
            );
            assert!(text.ends_with(" 2024-02-29/23"), "{text}");
            assert_eq!(text.split(' ').count(), 2 + 48, "{text}");
            // 48 partitions, 32 open at once: the second pass over the hours reopens the
            // earliest ones.
            assert!(files.contains(&"date=2024-02-28/hour=0/part-00000-1.parquet".to_string()));
            assert!(files.len() > 48 && files.len() <= 96, "{files:?}");
        }
    }
}

/// An input whose output fails (`--signed=int64` and an unsigned64 beyond INT64) leaves no
/// partition file, the other input's are published; -o, --to csv and a failing input are
/// refused or reported in one line.
#[test]
fn failed_partitioned_input_leaves_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = generate(d, "good.ipfix", &["-n", "500"]);
    let big = generate(d, "big.ipfix", &["-n", "50", "--profile", "all-types"]);
    let parts = d.join("parts");
    let p = parts.to_str().unwrap();
    let r = ipfixkit(&[
        "convert",
        "-q",
        "--to",
        "parquet",
        "--signed=int64",
        "--partition",
        "day",
        "-d",
        p,
        &good,
        &big,
    ]);
    assert_eq!(r.status.code(), Some(1), "{r:?}");
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("--signed=decimal"), "{err}");
    let files = tree(&parts);
    assert!(!files.is_empty());
    assert!(
        files.iter().all(|f| f.ends_with("/part-00000.parquet")),
        "{files:?}"
    );
    for (args, want) in [
        (
            vec!["--partition", "hour", "-o", "x.parquet"],
            "give -d DIR",
        ),
        (
            vec!["--to", "csv", "--partition", "hour", "-d", p],
            "applies to --to parquet",
        ),
    ] {
        let mut a = vec!["convert", &good];
        if !args.contains(&"--to") {
            a.extend_from_slice(&["--to", "parquet"]);
        }
        a.extend_from_slice(&args);
        let r = ipfixkit(&a);
        assert_eq!(r.status.code(), Some(2), "{r:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(want) && err.lines().count() == 1, "{err}");
    }
}

/// The README's "Beyond one machine" example: its convert command on the bundled sample, its
/// DuckDB query (through DuckDB's Python package, in CSV form as `duckdb -csv` prints it),
/// and the output the README shows.
#[test]
fn readme_beyond_one_machine_runs_as_shown() {
    let Some(py) = python("duckdb") else {
        return peers::missing("duckdb (python with the duckdb package)");
    };
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Beyond one machine\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a section Beyond one machine");
    let lines: Vec<&str> = section.lines().collect();
    let convert = lines
        .iter()
        .find(|l| l.starts_with("$ ipfixkit convert") && l.contains("testdata/"))
        .expect("a convert command on testdata");
    let at = lines
        .iter()
        .position(|l| l.starts_with("$ duckdb -csv -c "))
        .expect("a duckdb -csv command");
    let shown: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("```"))
        .copied()
        .collect();
    let sql = lines[at]
        .strip_prefix("$ duckdb -csv -c \"")
        .and_then(|s| s.strip_suffix('"'))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<String> = convert
        .split_whitespace()
        .skip(2)
        .map(|a| match a.strip_prefix("testdata/") {
            Some(rest) => root()
                .join("testdata")
                .join(rest)
                .to_string_lossy()
                .into_owned(),
            None => a.to_string(),
        })
        .collect();
    let r = Command::new(env!("CARGO_BIN_EXE_ipfixkit"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(r.status.success(), "{convert}: {r:?}");
    let script = "import duckdb, sys\n\
        con = duckdb.connect()\n\
        cur = con.execute(sys.argv[1])\n\
        print(','.join(d[0] for d in cur.description))\n\
        for row in cur.fetchall():\n    print(','.join(str(x) for x in row))\n";
    let text = peers::run_ok(
        Command::new(&py)
            .args(["-c", script, sql])
            .current_dir(dir.path()),
        peers::QUICK,
    );
    assert_eq!(text.lines().collect::<Vec<_>>(), shown);
    assert!(shown.len() > 1, "{shown:?}");
}

/// One file from one input, with more rows than a batch (65536) so batches are in flight
/// while the next is built: `-j2` (columns encoded in parallel, on a thread of their own)
/// writes the bytes `-j1` does, in both schemas, in one row group or many.
#[test]
fn one_file_is_the_same_with_any_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = generate(d, "big.ipfix", &["-n", "150000"]);
    for schema in ["raw", "flow"] {
        for group in ["1000000", "40000"] {
            let written: Vec<Vec<u8>> = ["-j1", "-j2"]
                .iter()
                .map(|jobs| {
                    let out = d.join(format!("{schema}-{group}{jobs}.parquet"));
                    let r = ipfixkit(&[
                        "convert",
                        "--to",
                        "parquet",
                        "--schema",
                        schema,
                        "--row-group-size",
                        group,
                        jobs,
                        &input,
                        "-o",
                        out.to_str().unwrap(),
                    ]);
                    assert!(r.status.success(), "{r:?}");
                    std::fs::read(out).unwrap()
                })
                .collect();
            assert!(written[0].starts_with(b"PAR1") && written[0].ends_with(b"PAR1"));
            assert!(
                written[0] == written[1],
                "{schema}, row groups of {group}: -j1 and -j2 differ"
            );
        }
    }
    // And every row is there (150000 flows; the raw schema has gen's two options records too).
    let Some(py) = python("pyarrow") else {
        return peers::missing("pyarrow (python with the pyarrow package)");
    };
    for (schema, rows) in [("raw", "150002 4"), ("flow", "150000 4")] {
        let f = d.join(format!("{schema}-40000-j2.parquet"));
        let text = peers::run_ok(
            Command::new(&py)
                .arg("-c")
                .arg(
                    "import pyarrow.parquet as pq, sys\n\
                 m = pq.ParquetFile(sys.argv[1]).metadata\n\
                 print(m.num_rows, m.num_row_groups)",
                )
                .arg(&f),
            peers::QUICK,
        );
        assert_eq!(text.trim(), rows, "{schema}");
    }
}

/// A damaged input (cut in the middle of a message) is reported with its byte offset and
/// exit status 1, and its readable records are all written, as CSV writes them: to `-o`, to
/// `-d` and to partitions (an input that cannot be read at all leaves no file:
/// output_is_parquet_and_failed_input_leaves_none).
#[test]
fn damaged_input_keeps_its_readable_records() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let whole = std::fs::read(generate(d, "whole.ipfix", &["-n", "5000"])).unwrap();
    let cut = d.join("cut.ipfix");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let c = cut.to_str().unwrap();
    let csv = ipfixkit(&["convert", "-q", "--to", "csv", c]);
    assert_eq!(csv.status.code(), Some(1));
    let rows = String::from_utf8_lossy(&csv.stdout).lines().count() - 1;
    assert!(rows > 1000 && rows < 5000, "{rows}");
    let (one, out, parts) = (d.join("one.parquet"), d.join("dir"), d.join("parts"));
    let outs = [
        vec!["-o", one.to_str().unwrap()],
        vec!["-d", out.to_str().unwrap()],
        vec!["--partition", "hour", "-d", parts.to_str().unwrap()],
    ];
    for flags in &outs {
        let mut args = vec!["convert", "--to", "parquet", c];
        args.extend_from_slice(flags);
        let r = ipfixkit(&args);
        assert_eq!(r.status.code(), Some(1), "{flags:?}: {r:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            err.lines().count() == 1 && err.contains("cut.ipfix: byte "),
            "{err}"
        );
    }
    let in_parts: Vec<PathBuf> = tree(&parts).iter().map(|f| parts.join(f)).collect();
    assert!(!in_parts.is_empty());
    let sets = [vec![one], vec![out.join("cut.parquet")], in_parts];
    for f in sets.iter().flatten() {
        let b = std::fs::read(f).unwrap();
        assert!(b.starts_with(b"PAR1") && b.ends_with(b"PAR1"), "{f:?}");
    }
    let Some(py) = python("pyarrow") else {
        return peers::missing("pyarrow (python with the pyarrow package)");
    };
    for set in &sets {
        let text = peers::run_ok(
            Command::new(&py)
                .arg("-c")
                .arg(
                    "import pyarrow.parquet as pq, sys\n\
                     print(sum(pq.ParquetFile(f).metadata.num_rows for f in sys.argv[1:]))",
                )
                .args(set),
            peers::QUICK,
        );
        assert_eq!(text.trim(), rows.to_string(), "{set:?}");
    }
}

/// Spark (PySpark, with a Java runtime) reads what the README tells Spark users to write:
/// `--signed` files of every type, every value as pyarrow reads it, and a flow-schema lake
/// partitioned by hour, with its partitions discovered and the README's query answered as
/// DuckDB answers it (tests/interop/parquet_spark.py).
#[test]
fn spark_reads_signed_files_and_the_partitioned_lake() {
    let Some(py) = python("pyspark") else {
        return peers::missing("pyspark (python with the pyspark package)");
    };
    if peers::find_tool("java").is_none() {
        return peers::missing("java (a Java runtime for Spark)");
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = root().join("testdata/samples/ipfixcol2-example_flows.ipfix");
    let sample = sample.to_str().unwrap();
    let v9 = generate(
        d,
        "b.nf9",
        &[
            "-n",
            "3000",
            "--netflow",
            "9",
            "--start",
            "2024-05-01T12:10:00Z",
            "--duration",
            "2h",
        ],
    );
    let lake = d.join("lake");
    let one = d.join("one.parquet");
    let flow = [
        "convert", "-q", "--to", "parquet", "--schema", "flow", "--signed",
    ];
    let mut args = flow.to_vec();
    args.extend_from_slice(&[
        "--partition",
        "hour",
        "-d",
        lake.to_str().unwrap(),
        sample,
        &v9,
    ]);
    assert!(ipfixkit(&args).status.success());
    let mut args = flow.to_vec();
    args.extend_from_slice(&[sample, &v9, "-o", one.to_str().unwrap()]);
    assert!(ipfixkit(&args).status.success());
    let mut files = Vec::new();
    for (profile, signed) in [
        ("all-types", "--signed=decimal"),
        ("structured", "--signed"),
    ] {
        let input = generate(
            d,
            &format!("{profile}.ipfix"),
            &["--profile", profile, "-n", "200"],
        );
        let out = d
            .join(format!("{profile}.parquet"))
            .to_string_lossy()
            .into_owned();
        let r = ipfixkit(&["convert", "--to", "parquet", signed, &input, "-o", &out]);
        assert!(r.status.success(), "{r:?}");
        files.push(out);
    }
    let text = peers::run_ok(
        Command::new(&py)
            .arg(peers::script("parquet_spark.py"))
            .args([&lake, &one])
            .args(&files),
        Duration::from_secs(300),
    );
    assert!(
        text.trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .starts_with("ok "),
        "{text}"
    );
}

/// `-d` with several inputs larger than a batch, converted in parallel, each file encoded on
/// a thread of its own while the input workers wait to hand over their next batch: it ends
/// (under a time limit: a deadlock fails the test) with the bytes `-j1` writes.
#[test]
fn batch_of_large_inputs_in_parallel_is_the_same_as_serial() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = generate(d, "a.ipfix", &["-n", "140000"]);
    let b = generate(d, "b.ipfix", &["-n", "140000", "--profile", "flow6"]);
    let c = generate(d, "c.ipfix", &["-n", "70000", "--profile", "biflow"]);
    let mut written = Vec::new();
    for jobs in ["-j1", "-j2", "-j3"] {
        let out = d.join(format!("out{jobs}"));
        let o = peers::run(
            Command::new(peers::IPFIXKIT)
                .args([
                    "convert",
                    "-q",
                    "--to",
                    "parquet",
                    "--row-group-size",
                    "30000",
                ])
                .args([jobs, "-d"])
                .arg(&out)
                .args([&a, &b, &c]),
            Duration::from_secs(300),
        );
        assert!(o.status.success(), "{jobs}: {}", o.stderr);
        let files: Vec<Vec<u8>> = ["a", "b", "c"]
            .iter()
            .map(|n| std::fs::read(out.join(format!("{n}.parquet"))).unwrap())
            .collect();
        written.push(files);
    }
    assert!(written[0] == written[1], "-j1 and -j2 differ");
    assert!(written[0] == written[2], "-j1 and -j3 differ");
}
