//! Hostile JSON-lines and CSV input for `convert --to ipfix` (issue 9, classes 1, 6, 7, 8, 9):
//! every input is generated here. The rules checked: a bad line or row is one line on stderr
//! naming file, line, column and what; the records of the good lines around it are written;
//! the exit status is 1; `--strict` stops at the bad line and keeps the records before it.
//! Nothing panics, and nothing is silently changed (repeated keys and columns).

mod common;
use common::Workdir;

/// Records of an IPFIX file as JSON lines (the IE fields and `@domain`/`@template` only).
fn records(w: &Workdir, file: &str) -> Vec<serde_json::Value> {
    w.run(&["cat", "-q", "-f", "json", file])
        .ok()
        .out()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().shift_remove("@export_time");
            v
        })
        .collect()
}

/// Converts `input` (written as `name`) to IPFIX with `extra` flags; the run and the records
/// of the output (none if it was not written).
fn convert(
    w: &Workdir,
    name: &str,
    input: &[u8],
    extra: &[&str],
) -> (common::Run, Option<Vec<serde_json::Value>>) {
    let inp = w.write(name, input);
    let out = w.path(&format!("{name}.ipfix"));
    let _ = std::fs::remove_file(&out);
    let mut args = vec![
        "convert",
        "--to",
        "ipfix",
        inp.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    let recs = out.exists().then(|| records(w, out.to_str().unwrap()));
    (r, recs)
}

/// The one bad line of each case, between two good ones: what stderr must say of it.
struct Case {
    name: &'static str,
    csv: bool,
    /// The header (CSV) and the good line before and after the bad one.
    header: &'static str,
    good: &'static str,
    bad: Vec<u8>,
    /// The whole error line after `ipfixkit: FILE: `.
    error: String,
}

fn cases() -> Vec<Case> {
    let deep = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
    vec![
        Case {
            name: "deep.jsonl",
            csv: false,
            header: "",
            good: r#"{"packetDeltaCount":1}"#,
            bad: deep.into_bytes(),
            // serde_json stops inside the 128th level (5 octets each).
            error:
                "line 2, column 636: nested too deeply (at most 127 levels of arrays and objects)"
                    .into(),
        },
        Case {
            name: "utf8.csv",
            csv: true,
            header: "sourceIPv4Address,applicationName",
            good: "10.0.0.1,ok",
            bad: b"10.0.0.2,b\xffc".to_vec(),
            error: "line 3, column 2 (applicationName): not UTF-8 (octet 2 of the cell)".into(),
        },
        Case {
            name: "big.jsonl",
            csv: false,
            header: "",
            good: r#"{"packetDeltaCount":1}"#,
            bad: br#"{"packetDeltaCount":1000000000000000000000000000000}"#.to_vec(),
            error: "line 2, column 2 (packetDeltaCount): 1e+30 does not fit unsigned64 (out of \
                    range, or not a whole number)"
                .into(),
        },
        Case {
            name: "big.csv",
            csv: true,
            header: "packetDeltaCount",
            good: "1",
            bad: b"1000000000000000000000000000000".to_vec(),
            error: "line 3, column 1 (packetDeltaCount): 1000000000000000000000000000000 is out \
                    of range for unsigned64"
                .into(),
        },
        Case {
            name: "minus.jsonl",
            csv: false,
            header: "",
            good: r#"{"packetDeltaCount":1}"#,
            bad: br#"{"packetDeltaCount":-1}"#.to_vec(),
            error: "line 2, column 2 (packetDeltaCount): -1 is out of range for unsigned64".into(),
        },
        Case {
            name: "zone.csv",
            csv: true,
            header: "sourceIPv6Address",
            good: "fe80::1",
            bad: b"fe80::1%eth0".to_vec(),
            error: "line 3, column 1 (sourceIPv6Address): \"fe80::1%eth0\" is not an IPv6 \
                    address: IPFIX addresses have no zone ID"
                .into(),
        },
        Case {
            name: "domain.jsonl",
            csv: false,
            header: "",
            good: r#"{"@domain":4294967295,"packetDeltaCount":1}"#,
            bad: br#"{"packetDeltaCount":1,"@domain":4294967296}"#.to_vec(),
            error: "line 2, column 23 (@domain): 4294967296 is not a 32-bit domain ID".into(),
        },
        Case {
            name: "template.csv",
            csv: true,
            header: "@template,packetDeltaCount",
            good: "65535,1",
            bad: b"70000,1".to_vec(),
            error: "line 3, column 1 (@template): \"70000\" is not a template ID (256..65535)"
                .into(),
        },
        Case {
            name: "ragged.csv",
            csv: true,
            header: "sourceIPv4Address,packetDeltaCount",
            good: "10.0.0.1,1",
            bad: b"10.0.0.2,1,9".to_vec(),
            error: "line 3, column 3: ragged row: 3 cells where the header has 2".into(),
        },
        Case {
            name: "ragged-short.csv",
            csv: true,
            header: "sourceIPv4Address,packetDeltaCount",
            good: "10.0.0.1,1",
            bad: b"10.0.0.2".to_vec(),
            error: "line 3, column 2: ragged row: 1 cells where the header has 2".into(),
        },
        Case {
            name: "notjson.jsonl",
            csv: false,
            header: "",
            good: r#"{"packetDeltaCount":1}"#,
            bad: b"{\"packetDeltaCount\":1,}".to_vec(),
            error: "line 2, column 23: not JSON: trailing comma".into(),
        },
    ]
}

fn input_of(c: &Case) -> (Vec<u8>, u64) {
    let mut v = Vec::new();
    let mut first = 1;
    if c.csv {
        v.extend_from_slice(c.header.as_bytes());
        v.push(b'\n');
        first = 2;
    }
    v.extend_from_slice(c.good.as_bytes());
    v.push(b'\n');
    v.extend_from_slice(&c.bad);
    v.push(b'\n');
    v.extend_from_slice(c.good.as_bytes());
    v.push(b'\n');
    (v, first + 1)
}

/// Each bad line is reported once with its line and column; the good lines on both sides
/// are written; exit 1.
#[test]
fn a_bad_line_is_reported_and_the_good_ones_kept() {
    let w = Workdir::new("hostile-text-lenient");
    for c in cases() {
        let (input, bad_line) = input_of(&c);
        let (r, recs) = convert(&w, c.name, &input, &[]);
        assert_eq!(r.code, 1, "{}: {}", c.name, r.stderr);
        let path = w.path(c.name);
        assert_eq!(
            r.stderr,
            format!("ipfixkit: {}: {}\n", path.display(), c.error),
            "{}",
            c.name
        );
        assert!(
            c.error.starts_with(&format!("line {bad_line},")),
            "{}",
            c.name
        );
        let recs = recs.unwrap_or_else(|| panic!("{}: no output", c.name));
        assert_eq!(recs.len(), 2, "{}: {recs:?}", c.name);
        assert_eq!(recs[0], recs[1], "{}", c.name);
    }
}

/// `--strict` stops at the bad line: the record before it is written, the one after is not.
#[test]
fn strict_stops_at_the_bad_line_and_keeps_what_came_before() {
    let w = Workdir::new("hostile-text-strict");
    for c in cases() {
        let (input, _) = input_of(&c);
        let (r, recs) = convert(&w, c.name, &input, &["--strict"]);
        assert_eq!(r.code, 1, "{}: {}", c.name, r.stderr);
        assert_eq!(
            r.stderr,
            format!("ipfixkit: {}: {}\n", w.path(c.name).display(), c.error),
            "{}",
            c.name
        );
        assert_eq!(recs.map(|r| r.len()), Some(1), "{}", c.name);
    }
}

/// 200,000 good CSV rows and then one bad value: all 200,000 are written, one error line.
#[test]
fn two_hundred_thousand_good_rows_survive_one_bad_one() {
    let w = Workdir::new("hostile-text-200k");
    let mut csv = String::from("sourceIPv4Address,packetDeltaCount\n");
    for i in 0..200_000u32 {
        csv.push_str(&format!(
            "10.{}.{}.{},{i}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    csv.push_str("10.0.0.1,-1\n");
    let inp = w.write("rows.csv", csv.as_bytes());
    let out = w.path("rows.ipfix");
    let r = w
        .run(&[
            "convert",
            "--to",
            "ipfix",
            inp.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .code(1);
    assert_eq!(
        r.stderr,
        format!(
            "ipfixkit: {}: line 200002, column 2 (packetDeltaCount): -1 is out of range for \
             unsigned64\n",
            inp.display()
        )
    );
    let stats = w
        .run(&["cat", "--stats", "-f", "json", out.to_str().unwrap()])
        .ok()
        .out();
    let v: serde_json::Value = serde_json::from_str(stats.trim()).unwrap();
    assert_eq!(v["records"].as_u64(), Some(200_000), "{stats}");
    assert_eq!(v["errors"].as_u64(), Some(0), "{stats}");
}

/// Many bad lines: the first 100 are reported one by one, the rest in one count; every good
/// line is still written.
#[test]
fn many_bad_lines_are_counted_not_all_printed() {
    let w = Workdir::new("hostile-text-many");
    let mut s = String::new();
    for i in 0..1000 {
        s.push_str(if i % 2 == 0 {
            "{\"packetDeltaCount\":1}\n"
        } else {
            "{\"packetDeltaCount\":\"x\"}\n"
        });
    }
    let (r, recs) = convert(&w, "many.jsonl", s.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 101, "{}", r.stderr);
    assert!(
        lines[0].ends_with("line 2, column 2 (packetDeltaCount): \"x\" is not an unsigned integer")
    );
    assert!(
        lines[100].ends_with("400 more bad lines not shown (500 in all)"),
        "{}",
        lines[100]
    );
    assert_eq!(recs.map(|r| r.len()), Some(500));
}

/// Nothing usable (a CSV header that is not one, or only bad lines): no output file, exit 1,
/// the error on line 1.
#[test]
fn input_with_nothing_good_writes_no_output() {
    let w = Workdir::new("hostile-text-none");
    for (name, input, error) in [
        (
            "notjson.txt",
            &b"not json\n"[..],
            "line 1, column 1 (not json): CSV header: \"not json\" is not a known IE name \
             (use --ie-spec, or en<PEN>:id<ID>)",
        ),
        (
            "header.csv",
            b"packetDeltaCount,@bogus\n1,2\n",
            "line 1, column 2 (@bogus): CSV header: unknown metadata column",
        ),
        (
            "header2.csv",
            b"@domain,packetDeltaCount,@domain\n1,2,1\n",
            "line 1, column 3 (@domain): CSV header: repeated metadata column",
        ),
        (
            "header3.csv",
            b"packetDeltaCount#2,packetDeltaCount#2\n1,2\n",
            "line 1, column 2 (packetDeltaCount#2): CSV header: repeated column",
        ),
        (
            "header4.csv",
            b"packetDeltaCount,\xff\n1,2\n",
            "line 1, column 2: CSV header: the column name is not UTF-8",
        ),
        (
            "bad.jsonl",
            b"{\"packetDeltaCount\":-5}\n",
            "line 1, column 2 (packetDeltaCount): -5 is out of range for unsigned64",
        ),
    ] {
        let (r, recs) = convert(&w, name, input, &[]);
        assert_eq!(r.code, 1, "{name}");
        let out = w.path(&format!("{name}.ipfix"));
        assert_eq!(
            r.stderr,
            format!(
                "ipfixkit: {}: {error}\nipfixkit: {} not written because an input failed\n",
                w.path(name).display(),
                out.display()
            ),
            "{name}"
        );
        assert!(recs.is_none(), "{name}: an output was left");
    }
}

/// serde_json's depth limit, said as such: 127 levels parse (then fail as a value), 128 do not.
#[test]
fn json_depth_limit_is_named() {
    let w = Workdir::new("hostile-text-depth");
    let nest = |k: usize| {
        format!(
            "{{\"packetDeltaCount\":{}1{}}}\n",
            "[".repeat(k - 1),
            "]".repeat(k - 1)
        )
    };
    let (r, _) = convert(&w, "d127.jsonl", nest(127).as_bytes(), &[]);
    assert!(
        r.stderr
            .contains("line 1, column 2 (packetDeltaCount): [[[["),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("nested too deeply"), "{}", r.stderr);
    let (r, _) = convert(&w, "d128.jsonl", nest(128).as_bytes(), &[]);
    assert!(
        r.stderr.contains(
            "line 1, column 147: nested too deeply (at most 127 levels of arrays and objects)"
        ),
        "{}",
        r.stderr
    );
    // 100,000 levels: an error, not a stack overflow; a line starting with `[` is JSON only
    // when said so.
    let deep = format!("{}\n", "[".repeat(100_000));
    let (r, _) = convert(&w, "d100k.jsonl", deep.as_bytes(), &["--from", "json"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nested too deeply"), "{}", r.stderr);
    // Sniffed as CSV, its 100,000-octet "column name" is not quoted whole in the error.
    let (r, _) = convert(&w, "d100k.csv", deep.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.len() < 1200, "{}", r.stderr.len());
    assert!(
        r.stderr.contains("... (100000 octets)"),
        "{}",
        &r.stderr[..200]
    );
}

/// A basicList of basicLists ... of `levels` levels, its innermost holding one counter.
fn nested_basic_list(levels: usize) -> String {
    let mut inner = r#"{"semantic":"allOf","element":"packetDeltaCount","values":[1]}"#.to_string();
    for _ in 1..levels {
        inner = format!(r#"{{"semantic":"allOf","element":"basicList","values":[{inner}]}}"#);
    }
    format!("{{\"basicList\":{inner}}}\n")
}

/// Structured data written back out is bounded at the depth the decoder renders (16 levels
/// of lists): 16 round-trip, 17 are an error naming the limit.
#[test]
fn structured_data_depth_is_bounded() {
    let w = Workdir::new("hostile-text-lists");
    let (r, recs) = convert(&w, "l16.jsonl", nested_basic_list(16).as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = recs.unwrap();
    let text = recs[0].to_string();
    assert_eq!(
        text.matches("\"element\":\"basicList\"").count(),
        15,
        "{text}"
    );
    assert!(
        text.contains(r#""element":"packetDeltaCount","values":[1]"#),
        "{text}"
    );
    assert!(!text.contains("@error"), "{text}");
    let (r, recs) = convert(&w, "l17.jsonl", nested_basic_list(17).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "line 1, column 2 (basicList): structured data nested too deeply (limit 16 levels of lists)"
        ),
        "{}",
        r.stderr
    );
    assert!(recs.is_none());
    // Through a subTemplateList (records in lists in records ...): also bounded.
    let mut inner = r#"{"packetDeltaCount":1}"#.to_string();
    for k in 0..40 {
        inner = format!(
            r#"{{"subTemplateList":{{"semantic":"allOf","template":{},"records":[{inner}]}}}}"#,
            300 + k
        );
    }
    let (r, _) = convert(&w, "stl.jsonl", format!("{inner}\n").as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nested too deeply"), "{}", r.stderr);
}

/// A repeated key in one JSON object is an error naming line and key (at any depth); the
/// line is left out, the others kept.
#[test]
fn repeated_json_keys_are_refused() {
    let w = Workdir::new("hostile-text-dupkeys");
    let input = concat!(
        "{\"packetDeltaCount\":1}\n",
        "{\"packetDeltaCount\":1,\"octetDeltaCount\":5,\"packetDeltaCount\":2}\n",
        "{\"subTemplateList\":{\"semantic\":\"allOf\",\"template\":300,\"records\":[{\"octetDeltaCount\":1,\"octetDeltaCount\":2}]}}\n",
        "{\"packetDeltaCount\":3}\n",
    );
    let (r, recs) = convert(&w, "dup.jsonl", input.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    let p = w.path("dup.jsonl");
    assert_eq!(
        r.stderr,
        format!(
            "ipfixkit: {0}: line 2, column 60: repeated key \"packetDeltaCount\" in one object\n\
             ipfixkit: {0}: line 3, column 103: repeated key \"octetDeltaCount\" in one object\n",
            p.display()
        )
    );
    let recs = recs.unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["packetDeltaCount"], 3);
}

/// Repeated CSV columns keep every value, as `name`, `name#2`, ... in order.
#[test]
fn repeated_csv_columns_keep_every_value() {
    let w = Workdir::new("hostile-text-dupcols");
    let input = b"packetDeltaCount,packetDeltaCount,octetDeltaCount,packetDeltaCount\n1,2,3,4\n";
    let (r, recs) = convert(&w, "dup.csv", input, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs = recs.unwrap();
    assert_eq!(
        recs[0].to_string(),
        r#"{"@domain":0,"@template":256,"packetDeltaCount":1,"packetDeltaCount#2":2,"octetDeltaCount":3,"packetDeltaCount#3":4}"#
    );
    // An explicit name#2 column and a repeated name: the repeat takes the next free number.
    let input = b"packetDeltaCount#2,packetDeltaCount,packetDeltaCount\n1,2,3\n";
    let (r, recs) = convert(&w, "dup2.csv", input, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The IPFIX record has three packetDeltaCount fields in column order; `#n` is their
    // position, as the printers number them, so the values come out 1, 2, 3.
    let rec = &recs.unwrap()[0];
    assert_eq!(
        rec.to_string(),
        r#"{"@domain":0,"@template":256,"packetDeltaCount":1,"packetDeltaCount#2":2,"packetDeltaCount#3":3}"#
    );
}

/// A UTF-8 byte-order mark at the start of JSON lines, CSV, an `--ie-spec` file, and JSON
/// read from stdin: skipped, the input reads as without it.
#[test]
fn a_byte_order_mark_is_skipped() {
    let w = Workdir::new("hostile-text-bom");
    let want = r#"{"@domain":0,"@template":256,"packetDeltaCount":5}"#;
    for (name, body) in [
        ("bom.jsonl", &b"{\"packetDeltaCount\":5}\n"[..]),
        ("bom.csv", b"packetDeltaCount\n5\n"),
        ("bom-crlf.csv", b"packetDeltaCount\r\n5\r\n"),
        ("bom-ws.jsonl", b"\n  {\"packetDeltaCount\":5}\r\n"),
    ] {
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend_from_slice(body);
        let (r, recs) = convert(&w, name, &input, &[]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(recs.unwrap()[0].to_string(), want, "{name}");
        // --from names the format: the same.
        let from = if name.ends_with("csv") { "csv" } else { "json" };
        let (r, recs) = convert(&w, name, &input, &["--from", from]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(recs.unwrap()[0].to_string(), want, "{name} --from");
    }
    // From stdin.
    let out = w.path("stdin.ipfix");
    w.run_stdin(
        &["convert", "--to", "ipfix", "-", "-o", out.to_str().unwrap()],
        b"\xEF\xBB\xBF{\"packetDeltaCount\":5}\n",
    )
    .ok();
    assert_eq!(records(&w, out.to_str().unwrap())[0].to_string(), want);
    // An --ie-spec file with a mark.
    let spec = w.write(
        "my.iespec",
        b"\xEF\xBB\xBFmyCounter(32473/1)<unsigned64>[8]\n",
    );
    let (r, recs) = convert(
        &w,
        "mine.jsonl",
        b"{\"myCounter\":7}\n",
        &["--ie-spec", spec.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = w
        .run(&[
            "cat",
            "-f",
            "json",
            "--ie-spec",
            spec.to_str().unwrap(),
            w.path("mine.jsonl.ipfix").to_str().unwrap(),
        ])
        .ok()
        .out();
    assert!(got.contains("\"myCounter\":7"), "{got} {recs:?}");
}
