//! `ipfixkit cat` end to end: the real binary on fixtures and on files from other exporters,
//! whole outputs (stdout and stderr) compared with `testdata/expected/`.

mod common;
use common::{Workdir, expect_file, testdata};

fn sample(name: &str) -> String {
    testdata("samples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn article() -> String {
    testdata("article-example.ipfix")
        .to_string_lossy()
        .into_owned()
}

/// Paths in stderr differ between machines: show them relative to testdata/.
fn rel(s: &str) -> String {
    s.replace(
        &format!("{}/", testdata("").display()).replace("//", "/"),
        "",
    )
    .replace(&testdata("").to_string_lossy().into_owned(), "")
}

#[test]
fn article_example_decodes() {
    let w = Workdir::new("article");
    let data = std::fs::read(article()).unwrap();
    assert_eq!(data.len(), 64);
    let r = w.run(&["cat", "-f", "json", &article()]).ok();
    let lines: Vec<serde_json::Value> = r
        .out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (l, (src, pkts)) in lines
        .iter()
        .zip([("192.168.0.201", 235), ("192.168.0.202", 42)])
    {
        assert_eq!(l["@domain"], 12345678);
        assert_eq!(l["@template"], 256);
        assert_eq!(l["sourceIPv4Address"], src);
        assert_eq!(l["destinationIPv4Address"], "192.168.0.1");
        assert_eq!(l["packetDeltaCount"], pkts);
    }
    assert!(r.stderr.is_empty());
    for f in ["text", "json", "csv", "detail"] {
        let r = w.run(&["cat", "-f", f, &article()]).ok();
        expect_file(&format!("article.{f}"), &r.out());
    }
    let r = w.run(&["cat", "--templates", &article()]).ok();
    expect_file("article.templates", &r.out());
    let r = w.run(&["cat", "--stats", &article()]).ok();
    expect_file("article.stats", &rel(&r.out()));
    let r = w.run(&["cat", "--stats", "-f", "json", &article()]).ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(v["records"], 2);
    assert_eq!(v["errors"], 0);
}

/// Every sample: JSON output, stderr and exit status are as recorded.
#[test]
fn samples_decode_as_recorded() {
    let w = Workdir::new("samples");
    let mut names: Vec<String> = std::fs::read_dir(testdata("samples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    names.sort();
    assert!(names.len() >= 17, "samples missing: {names:?}");
    for n in &names {
        let r = w.run(&["cat", "-f", "json", &sample(n)]);
        let summary = format!(
            "exit {}\n--- stderr\n{}--- stdout\n{}",
            r.code,
            rel(&r.stderr),
            r.out()
        );
        expect_file(&format!("samples/{n}.json"), &summary);
        // Every line is a JSON object.
        for l in r.out().lines() {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{n}: {e}: {l}"));
            assert!(v.is_object());
        }
    }
}

#[test]
fn well_known_sample_facts() {
    let w = Workdir::new("facts");
    // 200 KB ipfixcol2 file: 68 messages, every record decoded, no problem.
    let r = w
        .run(&[
            "cat",
            "--stats",
            "-f",
            "json",
            &sample("ipfixcol2-example_flows.ipfix"),
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(v["messages"], 68);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["records"], 3979);
    // Two domains define template 256 differently: IPv4 in one, IPv6 in the other.
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            &sample("ipfixcol-04-odid256-512.ipfix"),
        ])
        .ok();
    let recs: Vec<serde_json::Value> = r
        .out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let v4 = recs
        .iter()
        .any(|r| r["@template"] == 256 && r.get("sourceIPv4Address").is_some());
    let v6 = recs
        .iter()
        .any(|r| r["@template"] == 256 && r.get("sourceIPv6Address").is_some());
    assert!(v4 && v6, "template 256 must decode per domain");
    let doms: std::collections::BTreeSet<i64> = recs
        .iter()
        .map(|r| r["@domain"].as_i64().unwrap())
        .collect();
    assert_eq!(doms.into_iter().collect::<Vec<_>>(), vec![256, 512]);
    // YAF: reverse IEs (RFC 5103 and CERT id|0x4000) named, STML decoded.
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            &sample("logstash-yaf-biflow-concat.ipfix"),
        ])
        .ok();
    let first: serde_json::Value = serde_json::from_str(r.out().lines().next().unwrap()).unwrap();
    assert_eq!(first["reverseOctetTotalCount"], 92);
    assert_eq!(first["reverseInitialTCPFlags"], 18);
    assert_eq!(first["subTemplateMultiList"]["lists"][0]["template"], 49156);
    assert_eq!(
        first["subTemplateMultiList"]["lists"][0]["records"][0]["sourceMacAddress"],
        "00:0c:29:8d:af:c3"
    );
    // NetScaler: enterprise varlen IEs.
    let r = w.run(&[
        "cat",
        "--stats",
        "-f",
        "json",
        &sample("logstash-netscaler-varlen-concat.ipfix"),
    ]);
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(v["records"], 3);
    // The constructed file: varlen string and padding.
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            &sample("constructed-minimal-tpl-data-withdraw.ipfix"),
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(v["interfaceName"], "eth0");
    assert_eq!(v["octetDeltaCount"], 1500);
}

#[test]
fn malformed_files_report_offsets_and_keep_good_records() {
    let w = Workdir::new("malformed");
    // Missing template 258: held to the end, then one error (records lost); the other sets
    // decoded, exit 1.
    let r = w
        .run(&["cat", &sample("ipfixcol-missing-template-258.ipfix")])
        .code(1);
    assert!(
        r.stderr
            .contains("byte 1008 (message 1, set 258): 1 data set(s) (60 octets) of template 258 in domain 0 never got their template; left out"),
        "{}",
        r.stderr
    );
    assert_eq!(r.out().lines().count(), 4);
    // Zeros after a header: one error, exit 1, no loop.
    let r = w
        .run(&["cat", &sample("ipfixcol-header-and-zeros.ipfix")])
        .code(1);
    assert_eq!(r.stderr.lines().count(), 1);
    assert!(
        r.stderr
            .contains("byte 16 (message 1, set 0): bad set length 0"),
        "{}",
        r.stderr
    );
    // 1000-field template: rejected, the rest of the message still read.
    let r = w
        .run(&["cat", &sample("ipfixcol-bad-template-field-count.ipfix")])
        .code(1);
    assert!(
        r.stderr
            .contains("byte 20 (message 1, set 2): template 256 declares 1000 fields"),
        "{}",
        r.stderr
    );
    // Truncated last message.
    let r = w
        .run(&["cat", &sample("ipfixcol-bad-length-in-set.ipfix")])
        .code(1);
    assert!(
        r.stderr
            .contains("truncated message: header says 1384 octets, only 1316 remain"),
        "{}",
        r.stderr
    );
    // --strict stops at the first problem.
    let r = w
        .run(&[
            "cat",
            "--strict",
            &sample("ipfixcol-missing-template-258.ipfix"),
        ])
        .code(1);
    assert_eq!(r.stderr.lines().count(), 1);
    // --quiet hides warnings but not errors.
    let r = w
        .run(&["cat", &sample("ipfixcol-withdrawal-message-256.ipfix")])
        .ok_warned();
    assert!(
        r.stderr.contains("warning: withdrawal of template 256"),
        "{}",
        r.stderr
    );
    w.run(&[
        "cat",
        "-q",
        &sample("ipfixcol-withdrawal-message-256.ipfix"),
    ])
    .ok();
    let r = w
        .run(&["cat", "-q", &sample("ipfixcol-missing-template-258.ipfix")])
        .code(1);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn records_before_damage_are_written() {
    let w = Workdir::new("damage");
    let good = std::fs::read(article()).unwrap();
    // good message, 37 bytes of garbage, good message, then a truncated copy.
    let mut f = good.clone();
    f.extend_from_slice(&[0xEE; 37]);
    f.extend_from_slice(&good);
    // The cut copy keeps its template set and the first of its two records (64 - 12 = 52).
    f.extend_from_slice(&good[..52]);
    let p = w.write("damaged.ipfix", &f);
    let r = w.run(&["cat", p.to_str().unwrap()]).code(1);
    assert_eq!(
        r.out().lines().count(),
        5,
        "2 + 2 records + the complete record of the cut message: {}",
        r.out()
    );
    let errs: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(errs.len(), 2, "{}", r.stderr);
    assert!(errs[0].ends_with("byte 64: not an IPFIX message header (version 61166, expected 10); skipped 37 octets to the next message at byte 101"), "{}", errs[0]);
    assert!(
        errs[1].ends_with(
            "byte 165 (message 3): truncated message: header says 64 octets, only 52 remain"
        ),
        "{}",
        errs[1]
    );
    // Same through stdin (streaming path).
    let r = w.run_stdin(&["cat"], &f).code(1);
    assert_eq!(r.out().lines().count(), 5);
    assert!(
        r.stderr.contains("ipfixkit: <stdin>: byte 64:"),
        "{}",
        r.stderr
    );
}

#[test]
fn other_file_types_are_named() {
    let w = Workdir::new("types");
    for (f, what) in [
        ("pmacct-100-ipfix-cisco.pcap", "a pcap packet capture"),
        ("README.md", "text"),
    ] {
        let r = w.run(&["cat", &sample(f)]).code(1);
        assert!(
            r.stderr
                .contains(&format!("byte 0: not an IPFIX file: it looks like {what}")),
            "{f}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1);
    }
    let r = w.run(&["cat", "no-such-file.ipfix"]).code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: no-such-file.ipfix: "),
        "{}",
        r.stderr
    );
    let r = w.run(&["cat", "."]).code(1);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
    // An empty file is an empty stream of messages.
    let p = w.write("empty.ipfix", b"");
    w.run(&["cat", p.to_str().unwrap()]).ok();
}

#[test]
fn compressed_inputs_match_plain() {
    use std::io::Write;
    let w = Workdir::new("compressed");
    let plain = std::fs::read(sample("ipfixcol2-example_flows.ipfix")).unwrap();
    let want = w
        .run(&["cat", "-f", "csv", &sample("ipfixcol2-example_flows.ipfix")])
        .ok()
        .stdout;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(&plain).unwrap();
    let mut xz = xz2::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(&plain).unwrap();
    let zs = zstd::encode_all(&plain[..], 3).unwrap();
    for (name, data) in [
        ("f.gz", gz.finish().unwrap()),
        ("f.bz2", bz.finish().unwrap()),
        ("f.xz", xz.finish().unwrap()),
        ("f.zst", zs),
    ] {
        let p = w.write(name, &data);
        let r = w.run(&["cat", "-f", "csv", p.to_str().unwrap()]).ok();
        assert!(r.stdout == want, "{name} differs");
        let r = w.run_stdin(&["cat", "-f", "csv", "-"], &data).ok();
        assert!(r.stdout == want, "{name} via stdin differs");
    }
    // A corrupt compressed stream is an error naming the offset, not a hang or panic.
    let mut bad = std::fs::read(w.path("f.gz")).unwrap();
    let n = bad.len();
    bad.truncate(n / 2);
    let p = w.write("bad.gz", &bad);
    let r = w.run(&["cat", p.to_str().unwrap()]).code(1);
    assert!(
        r.stderr.contains("read failed") || r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
}

#[test]
fn parallel_output_is_identical_and_ordered() {
    let w = Workdir::new("parallel");
    let files: Vec<String> = [
        "ipfixcol2-example_flows.ipfix",
        "ipfixcol-03-odid0-a.ipfix",
        "ipfixcol-03-odid0-b.ipfix",
        "ipfixcol-missing-template-258.ipfix",
        "logstash-yaf-biflow-concat.ipfix",
        "ipfixcol2-example_flows.ipfix",
    ]
    .iter()
    .map(|f| sample(f))
    .collect();
    for fmt in ["json", "csv", "text", "detail"] {
        let mut a = vec!["cat", "-f", fmt, "-j1"];
        a.extend(files.iter().map(|s| s.as_str()));
        let one = w.run(&a);
        let mut b = vec!["cat", "-f", fmt, "-j2"];
        b.extend(files.iter().map(|s| s.as_str()));
        let two = w.run(&b);
        let mut c = vec!["cat", "-f", fmt, "-j4"];
        c.extend(files.iter().map(|s| s.as_str()));
        let four = w.run(&c);
        // These inputs decode with one error: a data set whose template is missing.
        assert_eq!(one.code, 1, "{fmt}: {}", one.stderr);
        assert!(
            one.stdout.len() > 100_000,
            "{fmt}: {} octets",
            one.stdout.len()
        );
        assert!(
            one.stdout == two.stdout && two.stdout == four.stdout,
            "{fmt}: -j1/-j2/-j4 differ"
        );
        assert_eq!(one.stderr, two.stderr);
        assert_eq!(one.stderr, four.stderr);
        assert_eq!((two.code, four.code), (1, 1));
    }
    // Output is the concatenation of the single-file outputs, in order.
    let mut concat = Vec::new();
    for f in &files {
        concat.extend(w.run(&["cat", "-f", "json", f]).stdout);
    }
    let mut a = vec!["cat", "-f", "json", "-j2"];
    a.extend(files.iter().map(|s| s.as_str()));
    assert!(w.run(&a).stdout == concat);
}

#[test]
fn limit_fields_and_csv_union() {
    let w = Workdir::new("fields");
    let r = w
        .run(&[
            "cat",
            "-n",
            "3",
            &sample("ipfixcol2-example_flows.ipfix"),
            &article(),
        ])
        .ok();
    assert_eq!(r.out().lines().count(), 3);
    let r = w
        .run(&[
            "cat",
            "-n",
            "3980",
            &sample("ipfixcol2-example_flows.ipfix"),
            &article(),
        ])
        .ok();
    assert_eq!(r.out().lines().count(), 3980, "-n spans files in order");
    assert!(r.out().lines().last().unwrap().starts_with("12345678/256 "));
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "@domain,sourceIPv4Address,en0:id2,8",
            &article(),
        ])
        .ok();
    assert_eq!(
        r.out(),
        "@domain,sourceIPv4Address,en0:id2,8\n12345678,192.168.0.201,235,192.168.0.201\n12345678,192.168.0.202,42,192.168.0.202\n"
    );
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "--no-header",
            "-F",
            "packetDeltaCount",
            &article(),
        ])
        .ok();
    assert_eq!(r.out(), "235\n42\n");
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            "-F",
            "packetDeltaCount,@template",
            "--time",
            "epoch",
            &article(),
        ])
        .ok();
    assert_eq!(
        r.out(),
        "{\"packetDeltaCount\":235,\"@template\":256}\n{\"packetDeltaCount\":42,\"@template\":256}\n"
    );
    // Union of columns over templates with different fields, empty cells where absent.
    let r = w
        .run(&["cat", "-f", "csv", &sample("ipfixcol-04-odid256-512.ipfix")])
        .ok();
    expect_file("odid256-512.csv", &r.out());
    let header = r.out().lines().next().unwrap().to_string();
    assert!(header.contains("sourceIPv4Address") && header.contains("sourceIPv6Address"));
    let ncol = header.split(',').count();
    // Same through stdin (spooled for the first pass).
    let data = std::fs::read(sample("ipfixcol-04-odid256-512.ipfix")).unwrap();
    let r2 = w.run_stdin(&["cat", "-f", "csv"], &data).ok();
    assert_eq!(r.stdout, r2.stdout);
    assert!(ncol > 10);
    // Bad flags are usage errors (exit 2).
    w.run(&["cat", "-F", "@nope", &article()]).code(2);
    w.run(&["cat", "-f", "xml", &article()]).code(2);
    w.run(&["cat", "--ie-spec", "missing.spec", &article()])
        .code(2);
}

#[test]
fn ie_spec_names_enterprise_fields() {
    let w = Workdir::new("iespec");
    let r = w
        .run(&["cat", "-f", "json", &sample("ipfixcol-03-odid0-a.ipfix")])
        .ok();
    assert!(r.out().contains("\"en16982:id"), "{}", r.out());
    let first_unknown = r
        .out()
        .split("\"en16982:id")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let spec = w.write(
        "x.iespec",
        format!("# test\nmyField(16982/{first_unknown})<octetArray>[v]\n").as_bytes(),
    );
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            "--ie-spec",
            spec.to_str().unwrap(),
            &sample("ipfixcol-03-odid0-a.ipfix"),
        ])
        .ok();
    assert!(r.out().contains("\"myField\":"));
    assert!(!r.out().contains(&format!("\"en16982:id{first_unknown}\"")));
    let bad = w.write("bad.iespec", b"broken(1/2)<nonsense>\n");
    let r = w
        .run(&["cat", "--ie-spec", bad.to_str().unwrap(), &article()])
        .code(2);
    assert!(r.stderr.contains("bad.iespec: line 1:"), "{}", r.stderr);
}

#[test]
fn output_file_and_failures() {
    let w = Workdir::new("outfile");
    w.run(&["cat", "-f", "csv", "-o", "out.csv", &article()])
        .ok();
    let s = std::fs::read_to_string(w.path("out.csv")).unwrap();
    assert_eq!(s.lines().count(), 3);
    // No temporary file left behind.
    let left: Vec<_> = std::fs::read_dir(&w.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    // A full disk is an error, never a silent success.
    if std::path::Path::new("/dev/full").exists() {
        let r = w
            .command(&["cat", &sample("ipfixcol2-example_flows.ipfix")])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(1));
        let e = String::from_utf8_lossy(&r.stderr);
        assert!(
            e.contains("ipfixkit: output <stdout>:") && e.to_lowercase().contains("no space"),
            "{e}"
        );
    }
    // Output into a directory that does not exist.
    let r = w.run(&["cat", "-o", "nodir/x.txt", &article()]).code(1);
    assert!(r.stderr.starts_with("ipfixkit: "), "{}", r.stderr);
}

#[test]
fn broken_pipe_ends_quietly() {
    let w = Workdir::new("pipe");
    let p = common::big_input(&w);
    let p = p.to_str().unwrap();
    for j in ["-j1", "-j2"] {
        common::assert_quiet_on_closed_pipe(&w, &["cat", "-f", "json", j, p, p]);
    }
}

/// JSON lines of flows that reach every fast path of the CSV writer: one-octet, two-, four-
/// and eight-octet counters (reduced-size ones too), alone and in neighbouring pairs, IPv4 and IPv6 addresses with zero runs
/// everywhere RFC 5952 compresses them, millisecond times that move back and forth across
/// minutes, days and years, a string, and templates that leave long runs of columns empty.
fn fast_path_flows() -> String {
    let v6 = [
        "::",
        "::1",
        "1::",
        "2001:db8::1",
        "2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3",
        "fe80::1:0:0:0",
        "::ffff:192.0.2.1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "0:abc:0:0:d:0:0:0",
    ];
    let counters = [
        0u64,
        9,
        10,
        99_999_999,
        100_000_000,
        4_294_967_295,
        u64::MAX,
    ];
    let mut out = String::new();
    let t256 = r#"{"@export_time":"2024-05-01T00:00:10Z","@domain":7,"@template":256,"@fields":["sourceIPv4Address(8)<ipv4Address>[4]","destinationIPv4Address(12)<ipv4Address>[4]","protocolIdentifier(4)<unsigned8>[1]","tcpControlBits(6)<unsigned16>[1]","sourceTransportPort(7)<unsigned16>[2]","destinationTransportPort(11)<unsigned16>[2]","ingressInterface(10)<unsigned32>[4]","egressInterface(14)<unsigned32>[4]","octetDeltaCount(1)<unsigned64>[8]","packetDeltaCount(2)<unsigned64>[8]","postOctetDeltaCount(23)<unsigned64>[4]","flowStartMilliseconds(152)<dateTimeMilliseconds>[8]","flowEndMilliseconds(153)<dateTimeMilliseconds>[8]","applicationName(96)<string>[v]"]}"#;
    let t257 = r#"{"@export_time":"2024-05-01T00:00:10Z","@domain":8,"@template":257,"@fields":["sourceIPv6Address(27)<ipv6Address>[16]","destinationIPv6Address(28)<ipv6Address>[16]","flowEndMilliseconds(153)<dateTimeMilliseconds>[8]"]}"#;
    out.push_str(t256);
    out.push('\n');
    out.push_str(t257);
    out.push('\n');
    let base: i64 = 1_714_521_570_000; // 2024-04-30T23:59:30Z
    for k in 0..300i64 {
        // Steps of 7.3 s with a jump back every 11th record; one record at the end of 9999,
        // others past it (expanded years, which the minute cache must not hold), at 0 and 1.
        let start = match k {
            150 => 253_402_300_799_999,
            151 => 253_402_300_800_000,
            152 => 0,
            153 => 1,
            154 => i64::MAX - 200_000,
            _ => base + (k * 7_300) % 95_000 - if k % 11 == 0 { 3_600_000 } else { 0 },
        };
        let end = start + (k * 1_777) % 200_000;
        let c = counters[k as usize % counters.len()];
        out.push_str(&format!(
            r#"{{"@export_time":"2024-05-01T00:{:02}:10Z","@domain":7,"@template":256,"sourceIPv4Address":"{}.{}.0.{}","destinationIPv4Address":"10.{}.{}.255","protocolIdentifier":{},"tcpControlBits":{},"sourceTransportPort":{},"destinationTransportPort":{},"ingressInterface":{},"egressInterface":{},"octetDeltaCount":{},"packetDeltaCount":{},"postOctetDeltaCount":{},"flowStartMilliseconds":{},"flowEndMilliseconds":{},"applicationName":{}}}"#,
            k / 60,
            k % 256,
            (k * 7) % 256,
            (k * 13) % 256,
            (k * 3) % 256,
            (k * 101) % 256,
            k % 256,
            (k * 37) % 256,
            (k * 997) % 65_536,
            (k * 7_919) % 65_536,
            c % 4_294_967_296,
            (c / 3) % 4_294_967_296,
            c,
            c / 7,
            c % 4_294_967_296,
            start,
            end,
            serde_json::to_string(["http", "a,b", "say \"hi\"", ""][k as usize % 4]).unwrap(),
        ));
        out.push('\n');
        if k % 3 == 0 {
            out.push_str(&format!(
                r#"{{"@export_time":"2024-05-01T00:{:02}:10Z","@domain":8,"@template":257,"sourceIPv6Address":"{}","destinationIPv6Address":"{}","flowEndMilliseconds":{}}}"#,
                k / 60,
                v6[k as usize % v6.len()],
                v6[(k as usize / 3) % v6.len()],
                end,
            ));
            out.push('\n');
        }
    }
    out
}

/// The inputs of the fast-path tests: [`fast_path_flows`] encoded to IPFIX in `w`, then
/// samples from other exporters (lists, varlen, enterprise IEs, several domains).
fn fast_path_inputs(w: &Workdir) -> Vec<String> {
    let jsonl = w.write("fast.jsonl", fast_path_flows().as_bytes());
    let fast = w.path("fast.ipfix");
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        "-o",
        fast.to_str().unwrap(),
        jsonl.to_str().unwrap(),
    ])
    .ok();
    let mut inputs = vec![fast.to_string_lossy().into_owned()];
    for s in [
        "ipfixcol2-example_flows.ipfix",
        "logstash-yaf-biflow-concat.ipfix",
        "logstash-netscaler-varlen-concat.ipfix",
        "ipfixcol-04-odid256-512.ipfix",
        "ipfixcol-03-odid0-a.ipfix",
    ] {
        inputs.push(sample(s));
    }
    inputs
}

/// Every field key of an input, comma-separated: its CSV header after the metadata columns.
fn field_list(w: &Workdir, input: &str) -> String {
    let header = w
        .run(&["cat", "-q", "-f", "csv", input])
        .ok_but_lost_sets()
        .out();
    let keys: Vec<&str> = header
        .lines()
        .next()
        .unwrap()
        .split(',')
        .filter(|k| !k.starts_with('@'))
        .collect();
    keys.join(",")
}

/// Every CSV cell equals the value the JSON writer gives for the same record and column (an
/// empty cell where the record has no such field): the CSV writer's fast paths against the
/// general one, on the samples and on flows made for those paths, in both time styles and
/// with `-F` lists whose metadata prefix is long and whose columns repeat.
#[test]
fn csv_cells_agree_with_json() {
    let w = Workdir::new("csv-json");
    let inputs = fast_path_inputs(&w);
    let long_prefix = "@export_time,@sequence,@export_time,@domain,@template,@export_time,\
                       sourceIPv4Address,octetDeltaCount,flowEndMilliseconds,@domain,\
                       flowEndMilliseconds,sourceIPv6Address";
    let mut checked = 0usize;
    for input in &inputs {
        for time in ["iso", "epoch"] {
            for fields in [None, Some(long_prefix)] {
                let mut args = vec!["cat", "-q", "--time", time, input.as_str()];
                if let Some(f) = fields {
                    args.extend(["-F", f]);
                }
                let csv_run = w
                    .run(&[&args[..], &["-f", "csv"]].concat())
                    .ok_but_lost_sets();
                let json_run = w
                    .run(&[&args[..], &["-f", "json"]].concat())
                    .ok_but_lost_sets();
                checked += compare_csv_json(&csv_run.stdout, &json_run.out(), &args);
            }
        }
    }
    // 400 generated records (300 + 100) and the samples' records, four ways each.
    assert!(checked > 4 * 400 * 5, "only {checked} cells compared");
}

/// Compares cell by cell; returns the number of cells compared.
fn compare_csv_json(csv: &[u8], json: &str, args: &[&str]) -> usize {
    let mut rd = csv::ReaderBuilder::new().from_reader(csv);
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let objs: Vec<serde_json::Map<String, serde_json::Value>> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), objs.len(), "{args:?}: record counts differ");
    let mut n = 0;
    for (i, (row, obj)) in rows.iter().zip(&objs).enumerate() {
        assert_eq!(row.len(), header.len(), "{args:?} row {i}");
        for (col, cell) in header.iter().zip(row.iter()) {
            // A repeated column (`-F a,a`) has the same value as its first occurrence; JSON
            // has one key for it.
            let want = match obj.get(col) {
                None => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(x)) => x.to_string(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                // Lists and non-UTF-8 strings have forms of their own in each format.
                Some(_) => continue,
            };
            assert_eq!(cell, want, "{args:?} row {i} column {col}");
            n += 1;
        }
    }
    n
}

/// The JSON writer's fast path for whole records agrees with its general path (`-F` naming
/// every field, where each value goes through the general value writer), record by record.
#[test]
fn json_fast_path_agrees_with_general_path() {
    let w = Workdir::new("json-paths");
    let inputs = fast_path_inputs(&w);
    let mut compared = 0;
    for input in &inputs {
        let list = format!("@export_time,@domain,@template,{}", field_list(&w, input));
        for time in ["iso", "epoch"] {
            let fast = w
                .run(&["cat", "-q", "-f", "json", "--time", time, input])
                .ok_but_lost_sets()
                .out();
            let general = w
                .run(&[
                    "cat", "-q", "-f", "json", "--time", time, "-F", &list, input,
                ])
                .ok_but_lost_sets()
                .out();
            let parse = |s: &str| -> Vec<serde_json::Value> {
                s.lines()
                    .map(|l| {
                        let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                        v.as_object_mut().unwrap().remove("@scope");
                        v
                    })
                    .collect()
            };
            let (a, b) = (parse(&fast), parse(&general));
            assert_eq!(a.len(), b.len(), "{input} {time}");
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                assert_eq!(x, y, "{input} --time {time}: record {i}");
            }
            compared += a.len();
        }
    }
    assert!(compared > 2 * 400, "only {compared} records compared");
}

/// Splits a `-f text` line into its `key=value` pairs (a value starting with `"` is a JSON
/// string literal and may hold spaces); a leading `DOMAIN/TEMPLATE` token becomes `@domain`
/// and `@template`.
fn text_pairs(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(' ');
        let key_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        if rest[key_end..].starts_with('=') {
            let key = rest[..key_end].to_string();
            rest = &rest[key_end + 1..];
            let value = if rest.starts_with('"') {
                let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
                let v = de.next().unwrap().unwrap();
                rest = &rest[de.byte_offset()..];
                v
            } else {
                let end = rest.find(' ').unwrap_or(rest.len());
                let v = rest[..end].to_string();
                rest = &rest[end..];
                v
            };
            out.push((key, value));
        } else {
            let (d, t) = rest[..key_end].split_once('/').unwrap();
            out.push(("@domain".into(), d.into()));
            out.push(("@template".into(), t.into()));
            rest = &rest[key_end..];
        }
    }
    out
}

/// The text writer's fast path for whole records agrees with its general path (`-F` naming
/// every field), line by line.
#[test]
fn text_fast_path_agrees_with_general_path() {
    let w = Workdir::new("text-paths");
    let inputs = fast_path_inputs(&w);
    let mut compared = 0;
    for input in &inputs {
        let list = format!("@domain,@template,{}", field_list(&w, input));
        for time in ["iso", "epoch"] {
            let fast = w
                .run(&["cat", "-q", "--time", time, input])
                .ok_but_lost_sets()
                .out();
            let general = w
                .run(&["cat", "-q", "--time", time, "-F", &list, input])
                .ok_but_lost_sets()
                .out();
            let (a, b): (Vec<&str>, Vec<&str>) =
                (fast.lines().collect(), general.lines().collect());
            assert_eq!(a.len(), b.len(), "{input} {time}");
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                // -F lists columns in its own order; compare as sets of pairs.
                let (mut px, mut py) = (text_pairs(x), text_pairs(y));
                px.sort();
                py.sort();
                assert_eq!(px, py, "{input} --time {time}: line {i}:\n{x}\n{y}");
            }
            compared += a.len();
        }
    }
    assert!(compared > 2 * 400, "only {compared} lines compared");
}

/// NetFlow v5/v9 input is read with no flag, also mixed with IPFIX in one stream; `@version`
/// says which protocol each record came in, and `--stats` counts per protocol.
#[test]
fn netflow_input_is_read_and_says_its_version() {
    let w = Workdir::new("netflow");
    let v5 = std::fs::read(sample("logstash-netflow5-12pkts.nf5")).unwrap();
    let ipfix = std::fs::read(testdata("article-example.ipfix")).unwrap();
    let mixed = [v5.as_slice(), ipfix.as_slice()].concat();
    let r = w
        .run_stdin(
            &[
                "cat",
                "-f",
                "csv",
                "-F",
                "@version,@domain,packetDeltaCount",
            ],
            &mixed,
        )
        .ok();
    let out = r.out();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "@version,@domain,packetDeltaCount");
    assert_eq!(rows.len(), 1 + 30 + 2, "{rows:?}");
    assert!(
        rows[1..31].iter().all(|l| l.starts_with("5,0,")),
        "{rows:?}"
    );
    assert!(
        rows[31..].iter().all(|l| l.starts_with("10,12345678,")),
        "{rows:?}"
    );
    let r = w.run_stdin(&["cat", "--stats", "-f", "json"], &mixed).ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(v["versions"]["5"]["records"], 30);
    assert_eq!(v["versions"]["5"]["messages"], 12);
    assert_eq!(v["versions"]["10"]["records"], 2);
    // IPFIX alone: no versions key, the summary as before.
    let r = w.run(&["cat", "--stats", "-f", "json", &article()]).ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert!(v.get("versions").is_none());
    // gzip-compressed v9 on stdin, through filter.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        &std::fs::read(sample("logstash-netflow9-0length-fields.nf9")).unwrap(),
    )
    .unwrap();
    let r = w
        .run_stdin(
            &["filter", "-q", "-c", "packets > 0"],
            &gz.finish().unwrap(),
        )
        .ok();
    assert_eq!(r.out().trim(), "2");
}

/// A set (IPFIX) or FlowSet (v9): ID, length, body.
fn set_bytes(id: u16, body: &[u8]) -> Vec<u8> {
    let mut b = id.to_be_bytes().to_vec();
    b.extend_from_slice(&(4 + body.len() as u16).to_be_bytes());
    b.extend_from_slice(body);
    b
}

/// Template 256 (sourceIPv4Address, destinationTransportPort): the same octets in IPFIX
/// and v9. A record of it for 192.0.2.`i`, port 80.
const TEMPLATE_256: [u8; 12] = [1, 0, 0, 2, 0, 8, 0, 4, 0, 11, 0, 2];
fn record_256(i: u8) -> Vec<u8> {
    vec![192, 0, 2, i, 0, 80]
}

/// Data ahead of its template is held and decoded when the template comes, in IPFIX and in
/// NetFlow v9; `--stats` counts the sets recovered and those that never were.
#[test]
fn data_ahead_of_its_template_is_recovered_and_counted() {
    let w = Workdir::new("early-data");
    let ipfix_msg = |export: u32, sets: &[Vec<u8>]| {
        let body = sets.concat();
        let mut b = vec![0, 10];
        b.extend_from_slice(&(16 + body.len() as u16).to_be_bytes());
        b.extend_from_slice(&export.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        b.extend_from_slice(&body);
        b
    };
    let file = [
        ipfix_msg(1_700_000_000, &[set_bytes(256, &record_256(1))]),
        ipfix_msg(1_700_000_060, &[set_bytes(257, &record_256(9))]),
        ipfix_msg(
            1_700_000_120,
            &[set_bytes(2, &TEMPLATE_256), set_bytes(256, &record_256(2))],
        ),
    ]
    .concat();
    let path = w.write("early.ipfix", &file);
    let path = path.to_str().unwrap();
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "@export_time,sourceIPv4Address",
            path,
        ])
        .code(1);
    // The held record keeps its own message's export time and comes after the template.
    assert_eq!(
        r.out(),
        "@export_time,sourceIPv4Address\n2023-11-14T22:13:20Z,192.0.2.1\n2023-11-14T22:15:20Z,192.0.2.2\n"
    );
    assert!(
        r.stderr.contains(
            "byte 42 (message 2, set 257): 1 data set(s) (10 octets) of template 257 in domain 1 never got their template; left out"
        ),
        "{}",
        r.stderr
    );
    let r = w.run(&["cat", "--stats", "-f", "json", path]).code(1);
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(
        v["sets_recovered"],
        serde_json::json!([{"domain":1,"template":256,"sets":1,"records":1}])
    );
    assert_eq!(
        v["sets_without_template"],
        serde_json::json!([{"domain":1,"template":257,"sets":1}])
    );
    let r = w.run(&["cat", "--stats", path]).code(1);
    assert!(
        r.out().contains(
            "data sets ahead of their template, decoded when it came\n  domain 1 template 256: 1 sets, 1 records\n"
        ),
        "{}",
        r.out()
    );
    assert!(
        r.out()
            .contains("data sets without template (left out)\n  domain 1 template 257: 1 sets\n"),
        "{}",
        r.out()
    );
    // A clean IPFIX file of it: the template first, every record decodable.
    let out = w.path("early-out.ipfix");
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        path,
        "-o",
        out.to_str().unwrap(),
    ])
    .code(1);
    let r = w
        .run(&["cat", "-F", "sourceIPv4Address", out.to_str().unwrap()])
        .ok();
    assert_eq!(r.out().lines().count(), 2, "{}", r.out());

    // NetFlow v9: a data FlowSet, then the packet with its template (source ID 7).
    let v9 = |uptime: u32, secs: u32, seq: u32, flowsets: &[Vec<u8>]| {
        let mut b = vec![0, 9, 0, flowsets.len() as u8];
        for x in [uptime, secs, seq, 7] {
            b.extend_from_slice(&x.to_be_bytes());
        }
        b.extend_from_slice(&flowsets.concat());
        b
    };
    let padded = |i: u8| [record_256(i), vec![0, 0]].concat();
    let nf = [
        v9(1000, 1_700_000_000, 1, &[set_bytes(256, &padded(1))]),
        v9(
            2000,
            1_700_000_001,
            2,
            &[set_bytes(0, &TEMPLATE_256), set_bytes(256, &padded(2))],
        ),
    ]
    .concat();
    let r = w.run_stdin(&["cat", "--stats", "-f", "json"], &nf).ok();
    let v: serde_json::Value = serde_json::from_str(r.out().trim()).unwrap();
    assert_eq!(
        v["sets_recovered"],
        serde_json::json!([{"domain":7,"template":256,"sets":1,"records":1}]),
        "{v}"
    );
    // and one systemInitTimeMilliseconds record (the boot time did not move)
    assert_eq!(v["versions"]["9"]["records"], 2 + 1, "{v}");
    let r = w
        .run_stdin(&["cat", "-f", "csv", "-F", "sourceIPv4Address"], &nf)
        .ok();
    assert_eq!(
        r.out(),
        "sourceIPv4Address\n192.0.2.1\n192.0.2.2\n",
        "{}",
        r.out()
    );
}
