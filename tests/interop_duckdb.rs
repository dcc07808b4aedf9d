//! Interop: the `--schema flow` CSV and JSON of every sample with flow records are read by
//! DuckDB (`read_csv_auto`, `read_json_auto`; PyPI's duckdb in `target/venv`, which `.ci/run`
//! makes, or `$IPFIXKIT_DUCKDB_PYTHON`) as the types the schema promises: integer fields as
//! BIGINT or UBIGINT, times as BIGINT nanoseconds, addresses, MACs, prefixes and the rest as
//! VARCHAR; the JSON has as many rows as the CSV. A column no record of a file fills has no
//! values to type: DuckDB calls it VARCHAR, which is not checked.
//!
//! Without that Python the test prints `SKIP interop: duckdb not installed`, except with
//! `CI=true`, where it fails.

#[path = "common/peers.rs"]
mod peers;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Fields written as text in CSV; every other field of the schema is an integer.
const TEXT: [&str; 11] = [
    "type",
    "sampler_address",
    "src_addr",
    "dst_addr",
    "src_mac",
    "dst_mac",
    "next_hop",
    "src_net",
    "dst_net",
    "bgp_next_hop",
    "mpls_label",
];

fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("IPFIXKIT_DUCKDB_PYTHON").map(PathBuf::from),
        Some(root.join("target/venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|p| {
        p.is_file()
            && peers::run(Command::new(p).args(["-c", "import duckdb"]), peers::QUICK)
                .status
                .success()
    })
}

#[test]
fn duckdb_reads_flow_schema_csv_and_json_as_promised() {
    let Some(py) = python() else {
        return peers::missing("duckdb (python with the duckdb package)");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut with_flows = 0;
    for e in std::fs::read_dir(root.join("testdata/samples")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".md") || name.ends_with(".pcap") {
            continue;
        }
        let mut outs = Vec::new();
        for form in ["csv", "json"] {
            let out = Command::new(env!("CARGO_BIN_EXE_ipfixkit"))
                .args(["cat", "--schema", "flow", "-f", form])
                .arg(&path)
                .output()
                .unwrap();
            assert!(out.status.code().is_some_and(|c| c <= 1), "{name}: {out:?}");
            outs.push(out.stdout);
        }
        // A file of templates and options records only has no flows.
        if outs[0].iter().filter(|&&b| b == b'\n').count() < 2 {
            continue;
        }
        with_flows += 1;
        std::fs::write(dir.path().join(format!("{name}.csv")), &outs[0]).unwrap();
        std::fs::write(dir.path().join(format!("{name}.json")), &outs[1]).unwrap();
    }
    assert!(with_flows >= 10, "only {with_flows} samples with flows");
    let text = peers::run_ok(
        Command::new(py)
            .arg(peers::script("duckdb_types.py"))
            .arg(dir.path()),
        Duration::from_secs(120),
    );
    let mut seen = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap();
        assert_eq!(v["csv_rows"], v["json_rows"], "{file}: CSV and JSON rows");
        assert!(v["csv_rows"].as_u64().unwrap() > 0, "{file}");
        for c in v["nonempty"].as_array().unwrap() {
            let c = c.as_str().unwrap();
            let t = v["types"][c].as_str().unwrap();
            let want: &[&str] = if TEXT.contains(&c) {
                &["VARCHAR"]
            } else {
                &["BIGINT", "UBIGINT"]
            };
            assert!(
                want.contains(&t),
                "{file}: {c} is {t}, the schema promises {want:?}"
            );
        }
        seen += 1;
    }
    assert_eq!(seen, with_flows);
}
