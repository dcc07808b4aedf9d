//! `ipfixkit convert` end to end: round trips, batch mode, determinism, errors.

mod common;
use common::{Workdir, expect_file, testdata};

fn sample(name: &str) -> String {
    testdata("samples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Files that decode without any problem (exit 0, nothing on stderr): the lossless round trip
/// must hold for each. Which samples those are is decided by decoding them, and the damaged
/// ones are left out; at least the article example and most samples qualify.
fn clean_inputs() -> Vec<String> {
    let w = Workdir::new("clean-inputs");
    let mut v: Vec<String> = std::fs::read_dir(testdata("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipfix"))
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| {
            let r = w.run(&["cat", "-f", "json", p]);
            r.code == 0 && r.stderr.is_empty() && !r.stdout.is_empty()
        })
        .collect();
    v.push(
        testdata("article-example.ipfix")
            .to_string_lossy()
            .into_owned(),
    );
    v.sort();
    assert!(v.len() >= 6, "only {} clean inputs: {v:?}", v.len());
    v
}

/// The records of a file as `cat -f json` prints them; the decode must succeed and print some.
fn records_json(w: &Workdir, file: &str) -> String {
    let r = w.run(&["cat", "-f", "json", "-q", file]);
    assert!(
        r.code == 0 && !r.stdout.is_empty(),
        "cat -f json {file}: exit {}: {}",
        r.code,
        r.stderr
    );
    r.out()
}

#[test]
fn ipfix_json_ipfix_keeps_every_record() {
    let w = Workdir::new("conv-json");
    for f in clean_inputs() {
        let json = w.run(&["convert", "--to", "json", &f]).stdout;
        let j = w.write("x.jsonl", &json);
        let back = w.path("back.ipfix");
        let r = w.run(&[
            "convert",
            "--to",
            "ipfix",
            j.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{f}: {}", r.stderr);
        // Same records, domains, templates, export times, values.
        assert_eq!(
            records_json(&w, &f),
            records_json(&w, back.to_str().unwrap()),
            "{f}"
        );
        // Same template layouts (field order, lengths), template by template.
        let t1 = w.run(&["convert", "--to", "json", "-q", &f]).out();
        let t2 = w
            .run(&["convert", "--to", "json", back.to_str().unwrap()])
            .out();
        let defs = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| l.contains("\"@fields\""))
                .map(|l| l.split("\"@template\"").nth(1).unwrap().to_string())
                .collect()
        };
        let (d1, d2) = (defs(&t1), defs(&t2));
        for d in &d2 {
            assert!(d1.contains(d), "{f}: template {d} not in the original");
        }
        // The rewritten file is clean: no problems at all.
        let r = w
            .run(&["cat", "--stats", "-f", "json", back.to_str().unwrap()])
            .ok();
        let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
        assert_eq!(
            (v["errors"].as_u64(), v["warnings"].as_u64()),
            (Some(0), Some(0)),
            "{f}"
        );
        assert!(
            v["domains"]
                .as_object()
                .unwrap()
                .values()
                .all(|d| d["sequence_gaps"] == 0),
            "{f}: sequence gaps"
        );
    }
}

#[test]
fn csv_ipfix_csv_gives_the_same_csv() {
    let w = Workdir::new("conv-csv");
    for f in clean_inputs() {
        let csv = w.run(&["convert", "--to", "csv", "-q", &f]).stdout;
        let c = w.write("x.csv", &csv);
        let back = w.path("back.ipfix");
        let r = w.run(&[
            "convert",
            "--to",
            "ipfix",
            c.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{f}: {}", r.stderr);
        let again = w
            .run(&["convert", "--to", "csv", back.to_str().unwrap()])
            .ok()
            .stdout;
        assert!(csv == again, "{f}: CSV -> IPFIX -> CSV differs");
        // JSON <-> CSV directly.
        let json = w
            .run(&["convert", "--to", "json", c.to_str().unwrap()])
            .ok()
            .stdout;
        let j = w.write("x.jsonl", &json);
        let again = w
            .run(&["convert", "--to", "csv", j.to_str().unwrap()])
            .ok()
            .stdout;
        assert!(csv == again, "{f}: CSV -> JSON -> CSV differs");
    }
}

#[test]
fn text_inputs_derive_templates() {
    let w = Workdir::new("conv-derive");
    let csv = "\
@export_time,@domain,sourceIPv4Address,destinationIPv4Address,octetDeltaCount[4],protocolIdentifier,applicationName,flowStartMilliseconds
2024-05-01T00:00:00Z,7,10.0.0.1,10.0.0.2,1000,6,http,2024-05-01T00:00:00.123Z
2024-05-01T00:00:01Z,7,10.0.0.3,10.0.0.4,70000,17,\"dns, \"\"q\"\"\",2024-05-01T00:00:00.500Z
2024-05-01T00:00:01Z,8,10.0.0.5,,12,1,,
";
    let p = w.write("in.csv", csv.as_bytes());
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        p.to_str().unwrap(),
        "-o",
        "out.ipfix",
    ])
    .ok();
    let t = w.run(&["cat", "--templates", "out.ipfix"]).ok().out();
    expect_file("convert-derived.templates", &t);
    assert!(
        t.contains("octetDeltaCount(1)<unsigned64>[4]"),
        "reduced length from name[4]: {t}"
    );
    let j = w.run(&["cat", "-f", "json", "out.ipfix"]).ok().out();
    expect_file("convert-derived.json", &j);
    let lines: Vec<serde_json::Value> = j
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["applicationName"], "dns, \"q\"");
    assert_eq!(lines[2]["@domain"], 8);
    assert!(
        lines[2].get("destinationIPv4Address").is_none(),
        "empty cell = absent field"
    );
    // Start times only: the flow time span runs from the first start to the last one.
    let st = w
        .run(&["cat", "--stats", "-f", "json", "out.ipfix"])
        .ok()
        .out();
    let st: serde_json::Value = serde_json::from_str(st.trim()).unwrap();
    assert_eq!(
        st["flow_time"],
        serde_json::json!(["2024-05-01T00:00:00.123Z", "2024-05-01T00:00:00.500Z"])
    );
    assert_eq!(lines[0]["@template"], lines[1]["@template"]);
    // JSON lines without @fields, with @scope, hex for invalid UTF-8, lists.
    let json = r#"{"@export_time":1714521600,"@domain":1,"@template":300,"@scope":1,"observationDomainId":1,"exportedFlowRecordTotalCount":42}
{"@export_time":"2024-05-01T00:00:00Z","@domain":1,"interfaceName":{"@hex":"ff00"},"sourceIPv6Address":"2001:db8::1","tcpControlBits[1]":18}
{"@domain":1,"basicList":{"semantic":"allOf","element":"sourceIPv4Address","values":["192.0.2.1","192.0.2.2"]}}
{"@domain":1,"subTemplateList":{"semantic":"exactlyOneOf","template":400,"records":[{"sourceTransportPort":80,"destinationTransportPort":443}]}}
"#;
    let p = w.write("in.jsonl", json.as_bytes());
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        p.to_str().unwrap(),
        "-o",
        "j.ipfix",
    ])
    .ok();
    let j = w.run(&["cat", "-f", "json", "j.ipfix"]).ok().out();
    expect_file("convert-json-input.json", &j);
    let v: Vec<serde_json::Value> = j
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v[0]["@scope"], 1);
    assert_eq!(v[0]["@template"], 300);
    assert_eq!(v[1]["interfaceName"]["@hex"], "ff00");
    assert_eq!(v[1]["@export_time"], "2024-05-01T00:00:00Z");
    assert_eq!(
        v[2]["@export_time"], "2024-05-01T00:00:00Z",
        "export time inherited"
    );
    assert_eq!(v[2]["basicList"]["values"][1], "192.0.2.2");
    assert_eq!(
        v[3]["subTemplateList"]["records"][0]["destinationTransportPort"],
        443
    );
}

/// A bad value is one line naming file, line, column (and key); the good records of the
/// input are still written and the exit status is 1; an input with no good record (or a bad
/// CSV header, on line 1) leaves no output file.
#[test]
fn bad_values_name_file_line_and_column() {
    let w = Workdir::new("conv-errors");
    // (file, content, what stderr says, records written: None when no output is left)
    let cases: &[(&str, &str, &str, Option<usize>)] = &[
        (
            "a.csv",
            "sourceIPv4Address,octetDeltaCount\n10.0.0.1,5\n10.0.0.300,6\n",
            "a.csv: line 3, column 1 (sourceIPv4Address): \"10.0.0.300\" is not an IPv4 address",
            Some(1),
        ),
        (
            "b.csv",
            "sourceIPv4Address,octetDeltaCount[1]\n10.0.0.1,256\n",
            "b.csv: line 2, column 2 (octetDeltaCount[1]): 256 does not fit in 1 octets",
            None,
        ),
        (
            "c.csv",
            "noSuchElement\n1\n",
            "c.csv: line 1, column 1 (noSuchElement): CSV header: \"noSuchElement\" is not a known IE name",
            None,
        ),
        (
            "d.jsonl",
            "{\"sourceIPv4Address\":\"10.0.0.1\"}\n{\"octetDeltaCount\":-1}\n",
            "d.jsonl: line 2, column 2 (octetDeltaCount): -1 is out of range for unsigned64",
            Some(1),
        ),
        (
            "e.jsonl",
            "{\"sourceIPv4Address\":\"10.0.0.1\"\n",
            "e.jsonl: line 1, column 31: not JSON",
            None,
        ),
        (
            "f.csv",
            "@export_time,protocolIdentifier\nyesterday,6\n",
            "f.csv: line 2, column 1 (@export_time): \"yesterday\" is not an RFC 3339 time",
            None,
        ),
        (
            "g.jsonl",
            "{\"flowStartMilliseconds\":\"2024-05-01T00:00:00.1234Z\"}\n",
            "is more precise than dateTimeMilliseconds",
            None,
        ),
        (
            "h.txt",
            "not json\n",
            "h.txt: line 1, column 1 (not json): CSV header: \"not json\" is not a known IE name",
            None,
        ),
    ];
    for (name, content, want, written) in cases {
        let p = w.write(name, content.as_bytes());
        let out = w.path("out.ipfix");
        let _ = std::fs::remove_file(&out);
        let r = w
            .run(&[
                "convert",
                "--to",
                "ipfix",
                p.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .code(1);
        assert!(r.stderr.contains(want), "{name}: {}", r.stderr);
        let lines = r.stderr.lines().count();
        match written {
            Some(n) => {
                assert_eq!(lines, 1, "{name}: one line for the error: {}", r.stderr);
                let recs = w.run(&["cat", "-q", out.to_str().unwrap()]).ok().out();
                assert_eq!(recs.lines().count(), *n, "{name}: {recs}");
            }
            None => {
                assert_eq!(
                    lines, 2,
                    "{name}: one line for the error, one for the output: {}",
                    r.stderr
                );
                assert!(
                    !out.exists(),
                    "{name}: a conversion with nothing good must not leave an output file"
                );
            }
        }
    }
    // Echoed on stdin, not JSON: an error on line 1, exit 1, no file.
    let out = w.path("x.ipfix");
    let r = w
        .run_stdin(
            &["convert", "--to", "ipfix", "-o", out.to_str().unwrap()],
            b"not json\n",
        )
        .code(1);
    assert!(
        r.stderr
            .starts_with("ipfixkit: <stdin>: line 1, column 1 (not json): CSV header:"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    // -d: the good records of a partly bad input are written, the run exits 1.
    let dir = w.path("outdir");
    let a = w.path("a.csv");
    w.run(&[
        "convert",
        "--to",
        "json",
        "-d",
        dir.to_str().unwrap(),
        a.to_str().unwrap(),
    ])
    .code(1);
    let json = std::fs::read_to_string(dir.join("a.json")).unwrap();
    assert!(json.contains("\"octetDeltaCount\":5"), "{json}");
    // Usage errors.
    let p = w.write("ok.csv", b"protocolIdentifier\n6\n");
    w.run(&["convert", p.to_str().unwrap()]).code(2);
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        "--message-size",
        "10",
        p.to_str().unwrap(),
        "-o",
        "x",
    ])
    .code(2);
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        "-F",
        "x",
        p.to_str().unwrap(),
        "-o",
        "x",
    ])
    .code(2);
    w.run(&[
        "convert",
        "--to",
        "json",
        "--export-time",
        "soon",
        p.to_str().unwrap(),
    ])
    .code(2);
    // Binary to a terminal is refused only on a terminal; a pipe is fine.
    let r = w
        .run(&["convert", "--to", "ipfix", p.to_str().unwrap()])
        .ok();
    assert_eq!(&r.stdout[..2], &[0, 10]);
    // A pcap is named as such.
    let r = w
        .run(&[
            "convert",
            "--to",
            "json",
            &sample("pmacct-100-ipfix-cisco.pcap"),
        ])
        .code(1);
    assert!(r.stderr.contains("it looks like a pcap"), "{}", r.stderr);
}

#[test]
fn message_size_and_metadata() {
    let w = Workdir::new("conv-size");
    let f = sample("ipfixcol2-example_flows.ipfix");
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        "--message-size",
        "512",
        "--metadata",
        &f,
        "-o",
        "small.ipfix",
    ])
    .ok();
    let data = std::fs::read(w.path("small.ipfix")).unwrap();
    let mut pos = 0;
    let mut n = 0;
    while pos < data.len() {
        let len = u16::from_be_bytes([data[pos + 2], data[pos + 3]]) as usize;
        assert!((16..=512).contains(&len), "message of {len} octets");
        pos += len;
        n += 1;
    }
    assert!(n > 100, "{n} messages");
    let r = w.run(&["cat", "-f", "json", "small.ipfix"]).ok();
    let lines: Vec<serde_json::Value> = r
        .out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3979 + 2);
    let details = &lines[3979];
    assert_eq!(details["sessionScope"], 0);
    assert_eq!(details["minExportSeconds"], "2015-08-03T12:12:01Z");
    assert_eq!(details["exportProtocolVersion"], 10);
    let window = &lines[3980];
    assert!(
        window.get("minFlowStartMilliseconds").is_some()
            && window.get("maxFlowEndMilliseconds").is_some(),
        "{window}"
    );
    assert_eq!(
        records_json(&w, &f),
        r.out()
            .lines()
            .take(3979)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn batch_dir_parallel_and_deterministic() {
    let w = Workdir::new("conv-batch");
    let ins: Vec<String> = [
        "ipfixcol2-example_flows.ipfix",
        "ipfixcol-03-odid0-a.ipfix",
        "logstash-yaf-biflow-concat.ipfix",
        "ipfixcol-03-odid0-b.ipfix",
    ]
    .iter()
    .map(|f| sample(f))
    .collect();
    let bad = w.write("broken.csv", b"sourceIPv4Address\nnot-an-address\n");
    for fmt in ["csv", "json", "ipfix"] {
        for (j, d) in [("-j1", "out1"), ("-j3", "out3")] {
            let mut a = vec!["convert", "--to", fmt, j, "-d", d];
            a.extend(ins.iter().map(String::as_str));
            a.push(bad.to_str().unwrap());
            let r = w.run(&a).code(1);
            assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
            assert!(
                r.stderr.contains("broken.csv: line 2, column 1"),
                "{}",
                r.stderr
            );
        }
        let mut names: Vec<_> = std::fs::read_dir(w.path("out1"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names.len(),
            4,
            "no output for the bad input, no temp files: {names:?}"
        );
        for n in &names {
            assert!(n.ends_with(&format!(".{fmt}")));
            let a = std::fs::read(w.path("out1").join(n)).unwrap();
            let b = std::fs::read(w.path("out3").join(n)).unwrap();
            assert!(a == b, "{n}: -j1 and -j3 differ");
        }
        std::fs::remove_dir_all(w.path("out1")).unwrap();
        std::fs::remove_dir_all(w.path("out3")).unwrap();
    }
    // -o with several inputs: all in input order, the same for -j1 and -j4.
    for fmt in ["json", "csv", "ipfix"] {
        let mut outs = Vec::new();
        for j in ["-j1", "-j4"] {
            let mut a = vec!["convert", "--to", fmt, j, "-o", "all.out"];
            a.extend(ins.iter().map(String::as_str));
            w.run(&a).ok();
            outs.push(std::fs::read(w.path("all.out")).unwrap());
        }
        assert!(outs[0] == outs[1], "{fmt}: -j1 and -j4 differ");
    }
    let combined = records_json(&w, w.path("all.out").to_str().unwrap());
    let mut want = String::new();
    for f in &ins {
        want.push_str(&records_json(&w, f));
    }
    assert_eq!(combined.lines().count(), want.lines().count());
    // Output files with the same stem would collide: refused up front.
    let r = w
        .run(&["convert", "--to", "csv", "-d", "x", &ins[0], &ins[0]])
        .code(2);
    assert!(r.stderr.contains("would both be written"), "{}", r.stderr);
}

#[test]
fn stdin_and_compressed_inputs() {
    use std::io::Write;
    let w = Workdir::new("conv-stdin");
    let f = sample("logstash-yaf-biflow-concat.ipfix");
    let want = w.run(&["convert", "--to", "json", &f]).ok().stdout;
    let data = std::fs::read(&f).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&data).unwrap();
    let gz = gz.finish().unwrap();
    assert!(w.run_stdin(&["convert", "--to", "json"], &gz).ok().stdout == want);
    // JSON lines on stdin, compressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&want).unwrap();
    let back = w
        .run_stdin(&["convert", "--to", "json", "-"], &gz.finish().unwrap())
        .ok()
        .stdout;
    assert!(back == want);
    // CSV output from stdin needs two passes: spooled.
    let csv = w.run(&["convert", "--to", "csv", &f]).ok().stdout;
    assert!(w.run_stdin(&["convert", "--to", "csv"], &data).ok().stdout == csv);
}
