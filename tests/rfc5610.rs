//! RFC 5610 type records through `convert`: IPFIX -> JSON -> IPFIX must be lossless for a
//! file whose enterprise IEs are named by type records, although the JSON keys them by the
//! learned names (issue 10: `convert --to ipfix` of that JSON used to fail with "not a known
//! IE name").
//!
//! The input is real libfixbuf output: `tests/interop/fixbuf_5610.c` (built and run by
//! `fixbuf_5610.sh`) writes two enterprise IEs of PEN 32473 with type records, and its first
//! records come before them, so the learned names apply to a template defined earlier (the
//! decoder re-resolves it; the JSON's `@fields` line for it still has `en<PEN>:id<ID>` keys).
//! The committed copy, `testdata/interop/fixbuf-5610.ipfix`, is always checked; a fresh one
//! is made and checked when gcc, pkg-config and libfixbuf-dev are installed, and then
//! ipfixDump (libfixbuf-tools) must read our re-encoding with `--rfc5610` without a warning,
//! naming the IEs and giving their values. A missing tool prints `SKIP ...`, or fails under
//! `CI=true` (`tests/common/peers.rs`).
//!
//! Hand-written JSON checks the rules the reader shares with the decoder: names are learned
//! per domain, never over a built-in or `--ie-spec` name, only when valid; `@fields` specs
//! teach names too; CSV learns nothing, so a learned name in its header is a bad header on
//! line 1 that points to `--ie-spec`.

#[path = "common/peers.rs"]
mod peers;

use std::path::{Path, PathBuf};
use std::process::Command;

use peers::*;
use serde_json::Value;

/// ipfixkit with `args`: exit 0, nothing on stderr. Returns stdout.
fn ok(args: &[&str]) -> String {
    let mut cmd = Command::new(IPFIXKIT);
    cmd.args(args);
    let shown = format!("{cmd:?}");
    let out = run(&mut cmd, QUICK);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{shown}: exit {}, stderr:\n{}",
        out.status,
        out.stderr
    );
    out.stdout
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `cat --templates`, without the byte offsets (message packing differs after a round trip).
fn templates(file: &Path) -> String {
    ok(&["cat", "--templates", s(file)])
        .lines()
        .map(|l| l.split(" at byte ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The checks on one fixbuf file; returns the re-encoded IPFIX.
fn check_round_trip(file: &Path, dir: &Path) -> PathBuf {
    // The decoder learns the names: the first two records come before the type records.
    let text = ok(&["cat", s(file)]);
    let records: Vec<&str> = text.lines().filter(|l| l.starts_with("7/1000 ")).collect();
    assert_eq!(records.len(), 4, "{text}");
    assert!(
        records[0].contains(" en32473:id1001=00000000000003e8 "),
        "{text}"
    );
    assert!(records[2].contains(" fixbufTestOctets=3002 "), "{text}");
    assert!(
        records[2].ends_with(" fixbufTestLabel=\"dns lookup\""),
        "{text}"
    );
    assert!(
        records[3].contains(" fixbufTestOctets=18446744073709551615 "),
        "{text}"
    );

    let json = dir.join("fixbuf.json");
    let back = dir.join("fixbuf.json.ipfix");
    let again = dir.join("fixbuf.json.again");
    ok(&["convert", "--to", "json", s(file), "-o", s(&json)]);
    let lines = std::fs::read_to_string(&json).expect("read JSON");
    let objects: Vec<serde_json::Map<String, Value>> = lines
        .lines()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(o)) => o,
            other => panic!("not a JSON object: {l}: {other:?}"),
        })
        .collect();
    let keyed = |k: &str| objects.iter().filter(|o| o.contains_key(k)).count();
    assert_eq!(keyed("fixbufTestOctets"), 2, "{lines}");
    assert_eq!(keyed("fixbufTestLabel"), 2, "{lines}");
    assert_eq!(keyed("en32473:id1001"), 2, "{lines}");
    let taught: Vec<&str> = objects
        .iter()
        .filter_map(|o| o.get("informationElementName")?.as_str())
        .collect();
    assert!(
        taught.contains(&"fixbufTestOctets") && taught.contains(&"fixbufTestLabel"),
        "the type records are in the JSON: {taught:?}"
    );

    ok(&["convert", "--to", "ipfix", s(&json), "-o", s(&back)]);
    assert_eq!(
        ok(&["cat", "-f", "json", s(&back)]),
        ok(&["cat", "-f", "json", s(file)]),
        "records (type records, domains and export times included) after IPFIX -> JSON -> IPFIX"
    );
    assert_eq!(templates(&back), templates(file));
    ok(&["convert", "--to", "json", s(&back), "-o", s(&again)]);
    assert_eq!(
        std::fs::read_to_string(&again).expect("read"),
        lines,
        "JSON of the round trip"
    );
    back
}

#[test]
fn committed_fixbuf_file_round_trips_through_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    check_round_trip(
        &root().join("testdata/interop/fixbuf-5610.ipfix"),
        dir.path(),
    );
}

/// The tools that build and read a fresh fixbuf file, or `None` after SKIP lines.
fn fixbuf_tools() -> Option<PathBuf> {
    let mut ok = true;
    for tool in ["gcc", "pkg-config"] {
        if find_tool(tool).is_none() {
            missing(tool);
            ok = false;
        }
    }
    let dev = find_tool("pkg-config").is_some_and(|p| {
        run(Command::new(p).args(["--exists", "libfixbuf"]), QUICK)
            .status
            .success()
    });
    if !dev {
        missing("libfixbuf-dev (pkg-config finds no libfixbuf)");
        ok = false;
    }
    let dump = find_tool("ipfixDump");
    if dump.is_none() {
        missing("ipfixDump");
    }
    dump.filter(|_| ok)
}

#[test]
fn fresh_fixbuf_file_round_trips_and_ipfixdump_reads_it() {
    let Some(ipfixdump) = fixbuf_tools() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fixbuf-5610.ipfix");
    let mut cmd = Command::new("bash");
    cmd.arg(script("fixbuf_5610.sh"))
        .arg(&file)
        .env("TMPDIR", dir.path());
    run_ok(&mut cmd, QUICK);
    let back = check_round_trip(&file, dir.path());

    let mut cmd = Command::new(&ipfixdump);
    cmd.arg("--rfc5610").arg("--in").arg(&back);
    let out = run(&mut cmd, QUICK);
    assert!(
        out.status.success(),
        "ipfixDump: {}\n{}",
        out.status,
        out.stderr
    );
    let noisy: Vec<&str> = out
        .stderr
        .lines()
        .chain(out.stdout.lines())
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("warning") || l.contains("critical") || l.contains("error")
        })
        .collect();
    assert!(noisy.is_empty(), "ipfixDump warns: {noisy:?}");
    // Named, with their values, in the records after the type records (ipfixDump resolves a
    // template when it reads it, so our output must re-send it after them, as fixbuf did).
    let fields: Vec<String> = out
        .stdout
        .lines()
        .filter(|l| l.contains("(32473/"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for want in [
        "(32473/1001) fixbufTestOctets : 3002",
        "(32473/1002) fixbufTestLabel : (len: 10) dns lookup",
        "(32473/1001) fixbufTestOctets : 18446744073709551615",
        "(32473/1002) fixbufTestLabel : (len: 6) backup",
    ] {
        assert!(
            fields.iter().any(|f| f == want),
            "{want:?} not in {fields:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The reader's rules, on hand-written JSON
// ---------------------------------------------------------------------------------------

/// A type-information template line and one type record for 32473/`id` in `domain`.
fn type_record(domain: u32, id: u16, dtype: u8, name: &str) -> String {
    format!(
        concat!(
            r#"{{"@domain":{d},"@template":400,"@scope":2,"@fields":["privateEnterpriseNumber(346)<unsigned32>[4]","informationElementId(303)<unsigned16>[2]","informationElementDataType(339)<unsigned8>[1]","informationElementName(341)<string>[v]"]}}"#,
            "\n",
            r#"{{"@domain":{d},"@template":400,"@scope":2,"privateEnterpriseNumber":32473,"informationElementId":{id},"informationElementDataType":{t},"informationElementName":"{n}"}}"#,
            "\n"
        ),
        d = domain,
        id = id,
        t = dtype,
        n = name
    )
}

/// `convert --to ipfix` of `input` (written to a file) with `extra` (`--ie-spec`, also given
/// to `cat`); (exit code, stderr with the paths as IN and OUT, the output's `cat -f json`
/// when it was written: its stdout only, the decoder's own warnings are not the point).
fn to_ipfix(input: &str, ext: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join(format!("in.{ext}"));
    let out = dir.path().join("out.ipfix");
    std::fs::write(&src, input).expect("write input");
    let mut cmd = Command::new(IPFIXKIT);
    cmd.args(["convert", "--to", "ipfix"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .args(extra);
    let r = run(&mut cmd, QUICK);
    let stderr = r.stderr.replace(s(&out), "OUT").replace(s(&src), "IN");
    let json = if out.is_file() {
        let mut cmd = Command::new(IPFIXKIT);
        cmd.args(["cat", "-f", "json"]).args(extra).arg(&out);
        run(&mut cmd, QUICK).stdout
    } else {
        String::new()
    };
    (r.status.code().unwrap_or(-1), stderr, json)
}

#[test]
fn type_records_teach_names_per_domain() {
    let mut input = type_record(1, 5, 4, "myCounter");
    input.push_str(r#"{"@domain":1,"sourceIPv4Address":"192.0.2.1","myCounter":7}"#);
    input.push('\n');
    let (code, stderr, json) = to_ipfix(&input, "jsonl", &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(json.contains(r#""myCounter":7}"#), "{json}");

    // Domain 2 never learned the name.
    input.push_str(r#"{"@domain":2,"myCounter":8}"#);
    input.push('\n');
    let (code, stderr, json) = to_ipfix(&input, "jsonl", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "ipfixkit: IN: line 4, column 14 (myCounter): \"myCounter\" is not a known IE name (use --ie-spec, or en<PEN>:id<ID>)\n"
    );
    assert!(
        json.contains(r#""myCounter":7}"#),
        "the good lines are kept: {json}"
    );
}

#[test]
fn type_records_never_override_and_refused_names_keep_the_type() {
    // A type record for an --ie-spec IE teaches nothing: the spec's name stays.
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("mine.iespec");
    std::fs::write(&spec, "mine(32473/5)<unsigned16>[2]\n").expect("write spec");
    let mut input = type_record(0, 5, 4, "theirs");
    input.push_str("{\"theirs\":1}\n");
    let (code, stderr, _) = to_ipfix(&input, "jsonl", &["--ie-spec", s(&spec)]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("\"theirs\" is not a known IE name"),
        "{stderr}"
    );
    let mut input = type_record(0, 5, 4, "theirs");
    input.push_str("{\"mine\":1}\n");
    let (code, stderr, json) = to_ipfix(&input, "jsonl", &["--ie-spec", s(&spec)]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(json.contains(r#""mine":1}"#), "{json}");

    // Invalid names and names of other IEs are refused, as the decoder refuses them; the
    // IE keeps the type under en<PEN>:id<ID>.
    for bad in ["my counter", "1st", "octetDeltaCount"] {
        let mut input = type_record(0, 5, 4, bad);
        input.push_str("{\"en32473:id5\":42}\n");
        let (code, stderr, json) = to_ipfix(&input, "jsonl", &[]);
        // The warning is the decoder's, reading the encoded input (once, as for IPFIX).
        assert_eq!(code, 0, "{bad}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{bad}: {stderr}");
        assert!(
            stderr.contains("warning: type record names IE 32473/5"),
            "{bad}: {stderr}"
        );
        assert!(json.contains(r#""en32473:id5":42}"#), "{bad}: {json}");
        let mut input = type_record(0, 5, 4, bad);
        input.push_str(&format!("{{\"{bad}\":42}}\n"));
        let (code, _, json) = to_ipfix(&input, "jsonl", &[]);
        if bad == "octetDeltaCount" {
            // IANA's IE 1, not 32473/5.
            assert_eq!(code, 0);
            assert!(json.contains(r#""octetDeltaCount":42}"#), "{json}");
        } else {
            assert_eq!(code, 1, "{bad} must not be learned");
        }
    }
}

#[test]
fn fields_specs_teach_names() {
    let input = concat!(
        r#"{"@template":300,"@fields":["sourceIPv4Address(8)<ipv4Address>[4]","myCounter(12345/1)<unsigned64>[4]"]}"#,
        "\n",
        r#"{"@template":300,"sourceIPv4Address":"192.0.2.1","myCounter":7}"#,
        "\n",
        r#"{"myCounter":9}"#,
        "\n",
    );
    let (code, stderr, json) = to_ipfix(input, "jsonl", &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // Without a type record in the output, the decoder has no name for it; a template
    // derived from the name takes the spec's length.
    assert!(json.contains(r#""en12345:id1":"00000007"}"#), "{json}");
    assert!(
        json.contains(r#"{"en12345:id1":"00000009"}"#)
            || json.contains(r#","en12345:id1":"00000009"}"#),
        "{json}"
    );

    let input = concat!(
        r#"{"@template":300,"@fields":["myCounter(12345/1)<unsigned64>[8]"]}"#,
        "\n",
        r#"{"basicList":{"semantic":"allOf","element":"myCounter","values":[1,2]}}"#,
        "\n",
    );
    let (code, stderr, json) = to_ipfix(input, "jsonl", &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(json.contains(r#""element":"en12345:id1""#), "{json}");
}

#[test]
fn csv_learns_no_names_and_its_header_fails_on_line_1() {
    let csv = "@export_time,informationElementId,fixbufTestOctets\n2024-01-01T00:00:00Z,1,2\n";
    let (code, stderr, _) = to_ipfix(csv, "csv", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "ipfixkit: IN: line 1, column 3 (fixbufTestOctets): CSV header: \"fixbufTestOctets\" is not a known IE name (use --ie-spec, or en<PEN>:id<ID>)\nipfixkit: OUT not written because an input failed\n"
    );
}

#[test]
fn a_lesson_re_keys_earlier_templates_and_a_conflict_forgets() {
    // Template 300 is defined before the type record, with the IE twice: after the lesson its
    // records are keyed `myCounter`, `myCounter#2`, as the decoder keys them.
    let mut input = String::from(concat!(
        r#"{"@template":300,"@fields":["en32473:id5(32473/5)<octetArray>[8]","en32473:id5(32473/5)<octetArray>[4]"]}"#,
        "\n",
        r#"{"@template":300,"en32473:id5":"0000000000000001","en32473:id5#2":"00000002"}"#,
        "\n",
    ));
    input.push_str(&type_record(0, 5, 4, "myCounter"));
    input.push_str(concat!(
        r#"{"@template":300,"myCounter":3,"myCounter#2":4}"#,
        "\n"
    ));
    let (code, stderr, json) = to_ipfix(&input, "jsonl", &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(json.contains(r#""myCounter":3,"myCounter#2":4}"#), "{json}");
    assert!(
        json.contains(r#""en32473:id5":"0000000000000001","en32473:id5#2":"00000002"}"#),
        "{json}"
    );

    // A type record that disagrees (another type) makes the decoder forget the IE: the
    // reader forgets it too, and the old keys are back.
    input.push_str(
        &type_record(0, 5, 13, "myCounter")
            .lines()
            .nth(1)
            .map(|l| format!("{l}\n"))
            .unwrap_or_default(),
    );
    let good = format!(
        "{input}{}\n",
        r#"{"@template":300,"en32473:id5":"0000000000000005","en32473:id5#2":"00000006"}"#
    );
    let (code, stderr, json) = to_ipfix(&good, "jsonl", &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(
        json.contains(r#""en32473:id5":"0000000000000005""#),
        "{json}"
    );
    let bad = format!(
        "{input}{}\n",
        r#"{"@template":300,"myCounter":7,"myCounter#2":8}"#
    );
    let (code, stderr, _) = to_ipfix(&bad, "jsonl", &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("\"myCounter\" is not a known IE name"),
        "{stderr}"
    );
}

/// `-F` with a name only the file defines (by its type records): a usage error without
/// `--allow-unknown-fields`, the learned column with it (issue 8).
#[test]
fn fields_named_by_type_records_need_allow_unknown_fields() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/interop/fixbuf-5610.ipfix");
    let out = run(
        Command::new(IPFIXKIT).args(["cat", "-f", "csv", "-F", "fixbufTestOctets", s(&file)]),
        QUICK,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.contains("--allow-unknown-fields"),
        "{}",
        out.stderr
    );
    let csv = ok(&[
        "cat",
        "-f",
        "csv",
        "-F",
        "fixbufTestOctets",
        "--allow-unknown-fields",
        s(&file),
    ]);
    // The records after the type records carry the learned name (those before them are
    // keyed en32473:id1001 and have none of the named fields).
    assert_eq!(csv, "fixbufTestOctets\n3002\n18446744073709551615\n");
    // The number form always works, and takes every record.
    let csv = ok(&["cat", "-f", "csv", "-F", "en32473:id1001", s(&file)]);
    assert!(csv.starts_with("en32473:id1001\n"), "{csv}");
}
