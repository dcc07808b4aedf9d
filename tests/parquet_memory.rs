//! `convert --to parquet` holds about one row group, whatever the input size: the peak
//! resident memory (`/usr/bin/time -f %M`, GNU time, apt package `time`) of converting a
//! small and a large generated file with `--row-group-size 5000`, against converting the
//! large file as one row group (the control, which must grow with the input: a test that
//! can fail). Both schemas.
//!
//! The inputs come through stdin: a regular file is memory-mapped, and its pages would count
//! in the resident set of every run. (The raw schema's first pass spools stdin to a
//! temporary file, whose pages are not resident memory either.)
//!
//! Without GNU time the test prints a SKIP line, and fails under `CI=true`.

#[path = "common/peers.rs"]
mod peers;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TIME: &str = "/usr/bin/time";

fn generate(dir: &Path, n: u32) -> PathBuf {
    let out = dir.join(format!("gen-{n}.ipfix"));
    let r = Command::new(peers::IPFIXKIT)
        .args(["gen", "--seed", "3", "-n", &n.to_string(), "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    out
}

/// Peak resident KiB of `convert --to parquet` of `input` (on stdin) with `flags`. (The
/// values written are tests/parquet.rs's concern; here only that a file of some size came.)
fn peak_kib(input: &Path, out: &Path, flags: &[&str], records: u32) -> u64 {
    let r = Command::new(TIME)
        .args(["-f", "peak %M"])
        .arg(peers::IPFIXKIT)
        .args(["convert", "-q", "--to", "parquet", "-j1"])
        .args(flags)
        .arg("-o")
        .arg(out)
        .arg("-")
        .stdin(Stdio::from(std::fs::File::open(input).unwrap()))
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let err = String::from_utf8_lossy(&r.stderr);
    let kib = err
        .lines()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {err}"));
    let len = std::fs::metadata(out).unwrap().len();
    assert!(
        len > u64::from(records),
        "{len} bytes for {records} records"
    );
    kib
}

#[test]
fn peak_memory_is_about_one_row_group() {
    if !Path::new(TIME).is_file() {
        return peers::missing("GNU time (/usr/bin/time)");
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (small_n, large_n) = (20_000, 400_000);
    let small = generate(d, small_n);
    let large = generate(d, large_n);
    let out = d.join("out.parquet");
    for schema in ["raw", "flow"] {
        let group = ["--schema", schema, "--row-group-size", "5000"];
        let whole = ["--schema", schema, "--row-group-size", "1000000"];
        let base = peak_kib(&small, &out, &group, small_n);
        let grouped = peak_kib(&large, &out, &group, large_n);
        let control = peak_kib(&large, &out, &whole, large_n);
        eprintln!(
            "{schema}: {small_n} records {base} KiB, {large_n} records {grouped} KiB \
             in row groups of 5000, {control} KiB as one row group"
        );
        // The control holds the whole input: it must have grown well past the small run, or
        // this test measures nothing.
        assert!(
            control > base + 20_000,
            "{schema}: one row group of {large_n} records peaked at {control} KiB, \
             the small input at {base} KiB"
        );
        // Twenty times the records in row groups of 5000: the growth is the footer's
        // metadata of 80 row groups, a small part of what one row group of them all takes.
        let growth = grouped.saturating_sub(base);
        assert!(
            growth * 4 < control - base,
            "{schema}: {large_n} records in row groups of 5000 peaked at {grouped} KiB, \
             {growth} KiB over {small_n} records (one row group: {control} KiB)"
        );
    }
}
