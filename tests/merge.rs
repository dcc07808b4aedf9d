//! `ipfixkit merge`: colliding templates renumbered with every record kept (checked against
//! `ipfixDump` reading the output), flow-start order, sequence numbers, the external sort of
//! an input larger than `--memory` (order, completeness and peak RSS), `--by none|export`,
//! `--presorted`, `--domain per-input`, `--metadata`, damaged and compressed inputs, export-relative
//! times, pmacct and softflowd exports.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::{Workdir, bin, testdata};
use ipfixkit::ipfix::encode::{message, set, template_record};
use std::process::Command;

/// Every data record of `file` as sorted JSON objects without the message metadata (export
/// time, sequence, template ID, domain): what a record is, whatever the file around it.
fn records(w: &Workdir, file: &str) -> Vec<String> {
    let r = w.run(&["cat", "-f", "json", file]).ok_warned();
    let mut v: Vec<String> = r
        .out()
        .lines()
        .filter_map(|l| {
            let mut o: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(l).unwrap();
            o.remove("@template")?;
            for k in ["@export_time", "@sequence", "@domain", "@version"] {
                o.remove(k);
            }
            Some(serde_json::to_string(&o).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// The records of every one of `files` ([`records`]), sorted together.
fn all_records<S: AsRef<str>>(w: &Workdir, files: &[S]) -> Vec<String> {
    let mut v: Vec<String> = files.iter().flat_map(|f| records(w, f.as_ref())).collect();
    v.sort();
    v
}

/// The flow starts (ns) of `file`'s records in file order (empty where a record has none).
fn starts(w: &Workdir, file: &str) -> Vec<Option<i64>> {
    let r = w
        .run(&[
            "cat",
            "--schema",
            "flow",
            "-f",
            "csv",
            "-F",
            "time_flow_start_ns",
            file,
        ])
        .ok_warned();
    r.out().lines().skip(1).map(|l| l.parse().ok()).collect()
}

fn non_decreasing(v: &[Option<i64>]) -> bool {
    let k: Vec<i64> = v.iter().flatten().copied().collect();
    k.windows(2).all(|w| w[0] <= w[1])
}

/// ipfixDump reads `file` with no warning or error; its record count.
fn ipfixdump_clean(file: &str) -> Option<usize> {
    let Some(tool) = peers::find_tool("ipfixDump") else {
        peers::missing("ipfixDump");
        return None;
    };
    let o = Command::new(tool).args(["--in", file]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "ipfixDump failed: {err}");
    assert!(err.trim().is_empty(), "ipfixDump warned: {err}");
    for l in out.lines() {
        let low = l.to_lowercase();
        assert!(
            !low.contains("warn") && !low.contains("error") && !low.contains("lost"),
            "ipfixDump: {l}"
        );
    }
    Some(
        out.lines()
            .filter(|l| l.starts_with("--- data record"))
            .count(),
    )
}

#[test]
fn colliding_templates_merge_with_every_record_once_in_start_order() {
    let w = Workdir::new("merge-ipfixcol");
    let a = testdata("samples/ipfixcol-03-odid0-a.ipfix");
    let b = testdata("samples/ipfixcol-03-odid0-b.ipfix");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = w.path("ab.ipfix");
    let o = out.to_str().unwrap();
    let r = w.run(&["merge", a, b, "-o", o, "-v"]).ok_warned();
    // The second file's templates 258-262 have other layouts than the first's: renumbered.
    assert!(
        r.stderr
            .contains("ipfixcol-03-odid0-b.ipfix: domain 0 template 258 -> domain 0 template"),
        "{}",
        r.stderr
    );
    let mut both = records(&w, a);
    both.extend(records(&w, b));
    both.sort();
    let merged = records(&w, o);
    assert_eq!(merged.len(), 262);
    assert_eq!(merged, both, "the multisets of records differ");
    assert!(non_decreasing(&starts(&w, o)));
    // Sequence numbers: each message's is the count of data records before it.
    let st = w.run(&["cat", "--stats", o]).ok();
    assert!(!st.out().contains("sequence"), "{}", st.out());
    if let Some(n) = ipfixdump_clean(o) {
        assert!(n >= 262, "ipfixDump saw {n} records");
    }
    // --progress draws a bar by input bytes, both passes counted, and leaves the output as it was.
    let pr = w.path("progress.ipfix");
    let r = w
        .run(&["merge", "--progress", a, b, "-o", pr.to_str().unwrap()])
        .ok_warned();
    assert!(r.stderr.contains("iB/"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&pr).unwrap());
    // Deterministic: the same bytes again, and with one thread.
    let again = w.path("again.ipfix");
    w.run(&["merge", "-j1", a, b, "-o", again.to_str().unwrap()])
        .ok();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

/// A file of `n` records (flowStartMilliseconds, octetDeltaCount, sourceIPv4Address) with
/// starts in a pseudo-random order, in messages of 500 records.
fn unordered(n: u32, domain: u32) -> Vec<u8> {
    let t = template_record(256, 0, &[(0u32, 152u16, 8u16), (0, 1, 8), (0, 8, 4)]).unwrap();
    let mut file = message(1_700_000_000, 0, domain, &[set(2, &t).unwrap()]).unwrap();
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut seq = 0;
    for chunk in 0..n.div_ceil(500) {
        let mut body = Vec::new();
        for i in 0..500.min(n - chunk * 500) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let start = 1_699_990_000_000u64 + x % 10_000_000;
            body.extend_from_slice(&start.to_be_bytes());
            body.extend_from_slice(&((chunk * 500 + i) as u64).to_be_bytes());
            body.extend_from_slice(&[10, 0, (i >> 8) as u8, i as u8]);
        }
        let m = message(
            1_700_000_000 + chunk,
            seq,
            domain,
            &[set(256, &body).unwrap()],
        )
        .unwrap();
        seq += 500;
        file.extend_from_slice(&m);
    }
    file
}

/// Runs `args` and polls the child's anonymous resident memory (RssAnon, kB: the heap, not
/// the mapped input files, whose pages the kernel can drop) every 2 ms until it exits; the
/// largest value seen.
fn peak_rss(args: &[&str]) -> (std::process::ExitStatus, u64) {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            return (st, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn an_unordered_input_larger_than_memory_is_sorted_through_runs() {
    let w = Workdir::new("merge-sort");
    // 300k records of 20 octets: 6 MB of records (plus 40 octets each in the sort buffer).
    let f = w.write("unordered.ipfix", &unordered(300_000, 1));
    let g = w.write("small.ipfix", &unordered(1000, 1));
    let out = w.path("sorted.ipfix");
    let tmp = w.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let (st, peak_kb) = peak_rss(&[
        "merge",
        "--memory",
        "4M",
        "--temp-dir",
        tmp.to_str().unwrap(),
        f.to_str().unwrap(),
        g.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(st.success());
    let o = out.to_str().unwrap();
    let s = starts(&w, o);
    assert_eq!(s.len(), 301_000);
    assert!(non_decreasing(&s), "not in start order");
    let mut want = records(&w, f.to_str().unwrap());
    want.extend(records(&w, g.to_str().unwrap()));
    want.sort();
    assert_eq!(records(&w, o), want);
    // The runs are gone, and the heap stayed near --memory (4 MiB of records and their sort
    // entries, with the vectors' growth, plus the reader's and writer's buffers): below the
    // 18 MB the records take when sorted whole in memory.
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "runs left behind"
    );
    println!("merge --memory 4M of a 6 MB unordered input: peak RssAnon {peak_kb} kB");
    assert!(
        peak_kb > 0 && peak_kb < 12 * 1024,
        "peak RssAnon {peak_kb} kB"
    );
    if let Some(n) = ipfixdump_clean(o) {
        assert_eq!(n, 301_000);
    }
}

#[test]
fn by_none_export_presorted_domains_and_metadata() {
    let w = Workdir::new("merge-modes");
    let a = w.write("a.ipfix", &unordered(1200, 1));
    let b = w.write("b.ipfix", &unordered(700, 1));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    // --by none: a's records, then b's, each in file order.
    let none = w.path("none.ipfix");
    w.run(&["merge", "--by", "none", a, b, "-o", none.to_str().unwrap()])
        .ok();
    let mut want = starts(&w, a);
    want.extend(starts(&w, b));
    assert_eq!(starts(&w, none.to_str().unwrap()), want);
    // --by export: export times never go back.
    let ex = w.path("export.ipfix");
    w.run(&["merge", "--by", "export", a, b, "-o", ex.to_str().unwrap()])
        .ok();
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "@export_time",
            "--time",
            "epoch",
            ex.to_str().unwrap(),
        ])
        .ok();
    let times: Vec<u64> = r
        .out()
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(times.len(), 1900);
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // --presorted on an unordered input: an error naming the file and the record.
    let r = w.run(&[
        "merge",
        "--presorted",
        a,
        "-o",
        w.path("x.ipfix").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("a.ipfix: byte ") && r.stderr.contains("--presorted"),
        "{}",
        r.stderr
    );
    assert!(
        !w.path("x.ipfix").exists(),
        "a failed merge left its output"
    );
    // --domain per-input: each input in its own domain, said with -v.
    let pd = w.path("pd.ipfix");
    let r = w
        .run(&[
            "merge",
            "--domain",
            "per-input",
            "-v",
            a,
            b,
            "-o",
            pd.to_str().unwrap(),
        ])
        .ok_warned();
    assert!(
        r.stderr.contains("a.ipfix: domain 1 -> domain 1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("b.ipfix: domain 1 -> domain 2"),
        "{}",
        r.stderr
    );
    let r = w
        .run(&["cat", "-f", "csv", "-F", "@domain", pd.to_str().unwrap()])
        .ok();
    let twos = r.out().lines().filter(|l| *l == "2").count();
    assert_eq!(twos, 700);
    // --metadata: one File Time Window and Export Session Details for the output, and a
    // merge of merged files drops the old ones (never copied stale).
    let m1 = w.path("m1.ipfix");
    w.run(&["merge", "--metadata", a, "-o", m1.to_str().unwrap()])
        .ok();
    let m2 = w.path("m2.ipfix");
    w.run(&[
        "merge",
        "--metadata",
        m1.to_str().unwrap(),
        b,
        "-o",
        m2.to_str().unwrap(),
    ])
    .ok();
    let r = w
        .run(&[
            "cat",
            "-f",
            "json",
            "--time",
            "epoch",
            "--options-only",
            m2.to_str().unwrap(),
        ])
        .ok();
    let text = r.out();
    let windows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("minFlowStartMilliseconds"))
        .collect();
    assert_eq!(windows.len(), 1, "{}", r.out());
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "flowStartMilliseconds",
            "--time",
            "epoch",
            m2.to_str().unwrap(),
        ])
        .ok();
    let min = r
        .out()
        .lines()
        .skip(1)
        .filter_map(|l| l.parse::<u64>().ok())
        .min()
        .unwrap();
    // The window's start is the earliest flow start of the output, not the first file's.
    assert!(
        windows[0].contains(&format!("\"minFlowStartMilliseconds\":{min},")),
        "{} (min {min})",
        windows[0]
    );
    if let Some(n) = ipfixdump_clean(m2.to_str().unwrap()) {
        assert!(n >= 1900);
    }
}

#[test]
fn a_damaged_input_is_reported_and_its_readable_records_merged() {
    let w = Workdir::new("merge-damaged");
    let a = unordered(1000, 1);
    // Cut in the middle of the last message.
    let cut = w.write("cut.ipfix", &a[..a.len() - 100]);
    let b = w.write("b.ipfix", &unordered(10, 2));
    let out = w.path("out.ipfix");
    let r = w.run(&[
        "merge",
        cut.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cut.ipfix: byte "), "{}", r.stderr);
    let n = starts(&w, out.to_str().unwrap()).len();
    assert!((510..1010).contains(&n), "{n} records");
    // A missing input and a bad flag: one line each, status 1 and 2.
    let r = w.run(&["merge", "nope.ipfix", "-o", w.path("o2").to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nope.ipfix"), "{}", r.stderr);
    let r = w.run(&["merge", "--by", "size", b.to_str().unwrap()]);
    assert_eq!(r.code, 2);
}

/// Files other exporters wrote (python-ipfix, softflowd uniflow/biflow/uptime, libfixbuf with
/// RFC 5610 type records, pmacct's nfprobe, YAF with subTemplateMultiLists, ipfixcol2's
/// example) merge with every
/// record kept, in flow start order, and ipfixDump reads the result without a warning (before
/// template IDs named one layout in the whole output, ipfixDump looped on this file: it keeps
/// its templates by ID alone).
#[test]
fn files_of_other_exporters_merge_and_ipfixdump_reads_them() {
    let w = Workdir::new("merge-peers");
    // Two of the inputs have warnings of their own (the YAF sample's, ipfixcol2's): -q.
    let (inputs, o) = merge_testdata(
        &w,
        "peers.ipfix",
        &[
            "interop/pyipfix.ipfix",
            "interop/softflowd-bi.ipfix",
            "interop/softflowd-uni.ipfix",
            "interop/softflowd-uptime.ipfix",
            "interop/fixbuf-5610.ipfix",
            "interop/pmacct.ipfix",
            "samples/logstash-yaf-biflow-concat.ipfix",
            "samples/ipfixcol2-example_flows.ipfix",
        ],
    );
    let o = o.as_str();
    // The records of each input as it decodes alone; the libfixbuf file's first records come
    // before its type records, so alone they decode as unknown IEs, and merged (type records
    // first) with the names learned: that input is compared merged alone.
    let mut want = Vec::new();
    for f in &inputs {
        if f.ends_with("fixbuf-5610.ipfix") {
            let alone = w.path("fixbuf-alone.ipfix");
            w.run(&["merge", f, "-o", alone.to_str().unwrap()]).ok();
            let r = records(&w, alone.to_str().unwrap());
            assert_eq!(r.len(), records(&w, f).len());
            assert_eq!(
                r.iter()
                    .filter(|r| r.contains("\"fixbufTestLabel\":"))
                    .count(),
                4
            );
            want.extend(r);
        } else {
            want.extend(records(&w, f));
        }
    }
    want.sort();
    assert_eq!(records(&w, o), want);
    assert!(non_decreasing(&starts(&w, o)));
    // ipfixDump sees every record the file has (JSON output shows RFC 5610 type records as
    // what they teach, not as records: count with --stats).
    let st = w.run(&["cat", "--stats", "-f", "json", o]).ok();
    let stats: serde_json::Value = serde_json::from_str(st.out().lines().last().unwrap()).unwrap();
    let total = stats["records"]
        .as_u64()
        .unwrap_or_else(|| panic!("{stats}")) as usize;
    assert!(total >= want.len());
    if let Some(n) = ipfixdump_clean(o) {
        assert_eq!(n, total);
    }
}

/// NetFlow v5 and v9 inputs (the logstash samples) are translated and merged with IPFIX ones:
/// every record kept, ipfixDump reads them all.
#[test]
fn netflow_inputs_merge_with_ipfix_ones() {
    let w = Workdir::new("merge-netflow");
    let (inputs, o) = merge_testdata(
        &w,
        "nf.ipfix",
        &[
            "samples/logstash-netflow5-12pkts.nf5",
            "samples/logstash-netflow9-juniper-srx-tplopt.nf9",
            "samples/logstash-netflow9-0length-fields.nf9",
            "samples/ipfixcol-03-odid0-a.ipfix",
        ],
    );
    let o = o.as_str();
    let want = all_records(&w, &inputs);
    assert_eq!(records(&w, o), want);
    assert_eq!(want.len(), 30 + 2 + 11 + 151);
    assert!(non_decreasing(&starts(&w, o)));
    if let Some(n) = ipfixdump_clean(o) {
        assert_eq!(n, want.len());
    }
}

/// Merges the testdata files `paths` (`merge -q`) into `name` in `w`; the inputs' paths and
/// the output's.
fn merge_testdata(w: &Workdir, name: &str, paths: &[&str]) -> (Vec<String>, String) {
    let inputs: Vec<String> = (paths.iter())
        .map(|p| testdata(p).to_str().unwrap().to_string())
        .collect();
    let out = w.path(name).to_str().unwrap().to_string();
    let mut args = vec!["merge", "-q"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["-o", &out]);
    w.run(&args).ok();
    (inputs, out)
}

/// A record with times counted back from its message's export time (flowStart/EndDelta-
/// Microseconds) that the merge writes in a later message (export times never go back) keeps
/// its absolute times: the deltas grow by the difference.
#[test]
fn export_relative_times_survive_a_later_export_time() {
    let w = Workdir::new("merge-delta");
    let a = w.write(
        "a.json",
        br#"{"@export_time":200,"@domain":1,"sourceIPv4Address":"10.0.0.1","flowStartMilliseconds":50000}
"#,
    );
    let b = w.write(
        "b.json",
        br#"{"@export_time":150,"@domain":1,"sourceIPv4Address":"10.0.0.2","flowStartDeltaMicroseconds":10000000,"flowEndDeltaMicroseconds":5000000}
"#,
    );
    let mut inputs = Vec::new();
    for (json, name) in [(&a, "a.ipfix"), (&b, "b.ipfix")] {
        let out = w.path(name);
        let (j, o) = (json.to_str().unwrap(), out.to_str().unwrap());
        w.run(&["convert", "--to", "ipfix", j, "-o", o]).ok_warned();
        inputs.push(out);
    }
    let (ia, ib) = (inputs[0].to_str().unwrap(), inputs[1].to_str().unwrap());
    let times = |file: &str| {
        let r = w.run(&[
            "cat",
            "--schema",
            "flow",
            "-f",
            "csv",
            "-F",
            "src_addr,time_received_ns,time_flow_start_ns,time_flow_end_ns",
            file,
        ]);
        let mut v: Vec<String> = r
            .ok_warned()
            .out()
            .lines()
            .skip(1)
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    let out = w.path("out.ipfix");
    let o = out.to_str().unwrap();
    w.run(&["merge", ia, ib, "-o", o]).ok_warned();
    let got = times(o);
    assert_eq!(
        got,
        [
            "10.0.0.1,200000000000,50000000000,",
            // Exported at 200 s now (after a's record), still 140 s to 145 s.
            "10.0.0.2,200000000000,140000000000,145000000000",
        ]
    );
    // The record itself says so: the deltas grew by 50 s.
    let r = w.run(&["cat", "-f", "json", "-F", "flowStartDeltaMicroseconds", o]);
    let text = r.ok_warned().out().to_string();
    assert!(text.contains("60000000"), "{text}");
}

/// pmacct now: `pmacctd` (nfprobe, IPFIX and NetFlow v9) meters the test capture, and its
/// exports merge with softflowd's file (same domain and template IDs, other layouts): every
/// record kept once, in flow start order, and ipfixDump reads it without a warning.
#[test]
fn pmacct_exports_merge_with_softflowd_ones() {
    if peers::find_tool("pmacctd").is_none() {
        peers::missing("pmacctd");
        return;
    }
    let w = Workdir::new("merge-pmacct");
    let pcap = testdata("interop/test.pcap");
    let mut inputs = Vec::new();
    for (version, name) in [("10", "pm.ipfix"), ("9", "pm.nf9")] {
        let out = w.path(name);
        let r = Command::new(peers::script("pmacct_capture.sh"))
            .args([pcap.as_os_str(), out.as_os_str()])
            .env("PMACCT_VERSION", version)
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        inputs.push(out.to_str().unwrap().to_string());
    }
    inputs.push(
        testdata("interop/softflowd-uni.ipfix")
            .to_str()
            .unwrap()
            .to_string(),
    );
    let out = w.path("out.ipfix");
    let o = out.to_str().unwrap();
    let mut args = vec!["merge", "-v"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["-o", o]);
    let r = w.run(&args).ok_warned();
    // softflowd's templates 1024.. collide with pmacct's in domain 0.
    assert!(
        r.stderr.contains("template 1024 -> domain 0 template"),
        "{}",
        r.stderr
    );
    let want = all_records(&w, &inputs);
    assert!(want.len() >= 13 + 14 + 15, "{} records", want.len());
    assert_eq!(records(&w, o), want);
    assert!(non_decreasing(&starts(&w, o)));
    if let Some(n) = ipfixdump_clean(o) {
        // Options records included (softflowd's and pmacct's NetFlow v9 one).
        assert_eq!(n, want.len());
    }
}

/// Compressed inputs (gzip, zstd) merge like the plain file: every record of each.
#[test]
fn compressed_inputs_merge() {
    use std::io::Write as _;
    let w = Workdir::new("merge-compressed");
    let plain = std::fs::read(testdata("samples/ipfixcol-03-odid0-a.ipfix")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gz = w.write("a.ipfix.gz", &gz.finish().unwrap());
    let zst = w.write("a.ipfix.zst", &zstd::encode_all(&plain[..], 3).unwrap());
    let b = testdata("samples/ipfixcol-03-odid0-b.ipfix");
    let out = w.path("out.ipfix");
    let o = out.to_str().unwrap();
    let args = [
        gz.to_str().unwrap(),
        zst.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    w.run(&["merge", args[0], args[1], args[2], "-o", o]).ok();
    let a = records(
        &w,
        testdata("samples/ipfixcol-03-odid0-a.ipfix")
            .to_str()
            .unwrap(),
    );
    let mut want = [a.clone(), a, records(&w, args[2])].concat();
    want.sort();
    assert_eq!(want.len(), 151 + 151 + 111);
    assert_eq!(records(&w, o), want);
    assert!(non_decreasing(&starts(&w, o)));
}
