//! Interop: `ipfixkit cat -f json` must agree, record by record and field by field, with
//! the peers' decoders — libfixbuf's `ipfixDump` and python-ipfix's `ipfix2csv` — on files
//! written by other peers: python-ipfix's writer (`tests/interop/write_pyipfix.py`) and
//! softflowd metering `testdata/interop/test.pcap` (`tests/interop/softflowd_capture.sh`),
//! uniflow and RFC 5103 biflow.
//!
//! Each file is made fresh with the installed peers, and the committed copies under
//! `testdata/interop/` are checked too. The peers' text is turned into JSON by
//! `tests/interop/ipfixdump_records.py` and `ipfix2csv_records.py`, which normalise
//! representation only (time format, ipfixDump's little-endian unknown integers, Python
//! bytes literals...); values are never adjusted. What "agree" means per kind of value is in
//! [`compare`].
//!
//! A missing peer prints `SKIP interop: <tool> not installed` and the test returns, except
//! with `CI=true`, where it fails: CI installs every peer (`.ci/run`). Every child process
//! runs under a time limit. The harness (running children, the peers' views, [`compare`])
//! is in `tests/common/peers.rs`, shared with `tests/interop_convert.rs`.

#[path = "common/peers.rs"]
mod peers;

use std::process::Command;

use peers::*;
use serde_json::Value;
// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[test]
fn python_ipfix_file_agrees_with_peers() {
    let Some(peers) = peers(&[]) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("pyipfix.ipfix");
    run_ok(
        Command::new(&peers.python)
            .arg(script("write_pyipfix.py"))
            .arg(&file),
        QUICK,
    );
    let spec = dir.path().join("pyipfix.ipfix.iespec");
    assert_agree(check_file(&peers, &file, Some(&spec)));
}

fn softflowd_agrees_with_peers(name: &str, args: &[&str]) {
    let Some(peers) = peers(&["softflowd", "softflowctl"]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(name);
    let mut cmd = Command::new("bash");
    cmd.arg(script("softflowd_capture.sh"))
        .arg(root().join("testdata/interop/test.pcap"));
    cmd.arg(&file).args(args).env("TMPDIR", dir.path());
    run_ok(&mut cmd, SOFTFLOWD);
    assert_agree(check_file(&peers, &file, None));
}

#[test]
fn softflowd_uniflow_file_agrees_with_peers() {
    softflowd_agrees_with_peers("softflowd-uni.ipfix", &[]);
}

#[test]
fn softflowd_biflow_file_agrees_with_peers() {
    softflowd_agrees_with_peers("softflowd-bi.ipfix", &["-b"]);
}

/// The committed copies of the peer files, made with the peer versions listed in
/// testdata/README.md.
#[test]
fn committed_peer_files_agree_with_peers() {
    let Some(peers) = peers(&[]) else { return };
    let dir = root().join("testdata/interop");
    let mut problems = check_file(
        &peers,
        &dir.join("pyipfix.ipfix"),
        Some(&dir.join("pyipfix.ipfix.iespec")),
    );
    problems.extend(check_file(&peers, &dir.join("softflowd-uni.ipfix"), None));
    problems.extend(check_file(&peers, &dir.join("softflowd-bi.ipfix"), None));
    problems.extend(check_file(
        &peers,
        &dir.join("softflowd-uptime.ipfix"),
        None,
    ));
    assert_agree(problems);
}

// ---------------------------------------------------------------------------------------
// The harness itself: comparisons that must fail do fail (no peers needed)
// ---------------------------------------------------------------------------------------

fn peer(kind: &str, value: &str, len: u64) -> PeerField {
    PeerField {
        key: "x".into(),
        kind: kind.into(),
        value: value.into(),
        len,
        typ: String::new(),
    }
}

#[test]
fn comparisons_accept_equal_values_in_other_spellings() {
    let ok = |ours: Value, p: PeerField| assert_eq!(compare(&ours, &p), Ok(()), "{ours} vs {p:?}");
    ok(
        Value::from(18446744073709551615u64),
        peer("int", "18446744073709551615", 8),
    );
    ok(Value::from(-32768), peer("int", "-32768", 2));
    ok(
        Value::from(std::f64::consts::PI),
        peer("float8g", "3.1415927", 8),
    );
    ok(Value::from(1e16), peer("float8g", "1e+16", 8));
    ok(Value::from(0.1), peer("float", "0.10000000149011612", 4));
    ok(Value::from(0.10000000149011612), peer("float8g", "0.1", 4));
    ok(
        Value::from("2001:db8::1"),
        peer("ip", "2001:0db8::0001", 16),
    );
    ok(
        Value::from("::ffff:192.0.2.1"),
        peer("ip", "::ffff:c000:201", 16),
    );
    ok(Value::from(true), peer("text", "true", 1));
    ok(
        Value::from("test.pcap\0\0\0"),
        peer("cstring", "test.pcap", 12),
    );
    ok(Value::from("0a0b"), peer("octets", "2", 2));
}

#[test]
fn comparisons_reject_different_values() {
    let bad = |ours: Value, p: PeerField| {
        assert!(compare(&ours, &p).is_err(), "{ours} vs {p:?} accepted")
    };
    bad(Value::from(1501), peer("int", "1500", 4));
    bad(Value::from("1500"), peer("int", "1500", 4));
    bad(Value::from(1500.0), peer("int", "1500", 4));
    bad(Value::from(1.2345), peer("float8g", "1.2345678", 8));
    bad(Value::from(0.1), peer("float", "0.10000000149011612", 8));
    bad(
        Value::from("2001:db8::2"),
        peer("ip", "2001:0db8::0001", 16),
    );
    bad(
        Value::from("2001:db8:0:0::1"),
        peer("ip", "2001:db8::1", 16),
    );
    bad(Value::from(false), peer("text", "true", 1));
    bad(
        Value::from("2023-11-14T22:13:20.170Z"),
        peer("text", "2023-11-14T22:13:20.171Z", 8),
    );
    bad(
        Value::from("test.pcapX\0\0"),
        peer("cstring", "test.pcap", 12),
    );
    bad(
        Value::from("test.pcap\0\0"),
        peer("cstring", "test.pcap", 12),
    );
    bad(Value::from("0a0b0c"), peer("octets", "2", 2));
    bad(Value::from("x"), peer("unsupported", "x", 1));
}

#[test]
fn key_order_is_read_from_the_line() {
    let line = r#"{"@domain":1,"b":"\"a\":","a":2}"#;
    let object = match serde_json::from_str(line) {
        Ok(Value::Object(o)) => o,
        _ => unreachable!(),
    };
    let rec = Ours {
        line: line.to_string(),
        object,
    };
    assert_eq!(ie_keys(&rec), ["b", "a"]);
}
