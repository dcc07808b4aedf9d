//! `convert --to parquet`, read back by DuckDB and pyarrow (PyPI's, in `target/venv`, which
//! `.ci/run` makes, or `$IPFIXKIT_DUCKDB_PYTHON`): for every sample of testdata/samples, the
//! article example and generated all-types and structured files, the row count, every
//! column's type and every value equal to what `cat -f json` prints
//! (tests/interop/parquet_compare.py). Without that Python the interop tests print a SKIP
//! line, except with `CI=true`, where they fail. The rest needs no peer.

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

/// The inputs compared: every IPFIX and NetFlow sample, and generated files of every type.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            !n.ends_with(".md") && !n.ends_with(".pcap")
        })
        .collect();
    v.sort();
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
        let r = ipfixkit(&args);
        // Damaged samples exit 1 and still publish their readable records.
        assert!(r.status.code().is_some_and(|c| c <= 1), "{name}: {r:?}");
        let records = dir.path().join(format!("{name}.records.json"));
        std::fs::write(&records, ipfixkit(&["cat", "-q", "-f", "json", i]).stdout).unwrap();
        let templates = dir.path().join(format!("{name}.templates.json"));
        let t = ipfixkit(&["convert", "-q", "--to", "json", i]).stdout;
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
    assert!(compared >= 19, "only {compared} inputs");
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
