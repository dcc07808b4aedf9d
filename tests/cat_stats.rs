//! `ipfixkit cat --templates`, `--stats` and the options-record flags, end to end: the JSON
//! and CSV forms of templates and summaries, formats they refuse, the flow time span from
//! uptime-relative times, and `--no-options` / `--options-only`.

mod common;
use common::{Workdir, expect_file, testdata};

fn path(p: &str) -> String {
    testdata(p).to_string_lossy().into_owned()
}

/// Input paths in output differ between machines: show them relative to testdata/.
fn rel(s: &str) -> String {
    let root = format!("{}/", testdata("").display()).replace("//", "/");
    s.replace(&root, "")
}

const ARTICLE: &str = "article-example.ipfix";
const YAF: &str = "samples/logstash-yaf-biflow-concat.ipfix";
const WITHDRAW: &str = "samples/constructed-minimal-tpl-data-withdraw.ipfix";

/// Runs `args` with -j1 and -j2: the outputs must be byte-identical; returns it.
fn run_both(w: &Workdir, args: &[&str]) -> String {
    let mut a1 = args.to_vec();
    a1.extend(["-j", "1"]);
    let mut a2 = args.to_vec();
    a2.extend(["-j", "2"]);
    let one = w.run(&a1).ok();
    let two = w.run(&a2).ok();
    assert_eq!(one.out(), two.out(), "{args:?}: -j1 and -j2 differ");
    assert!(one.stderr.is_empty(), "{args:?}: {}", one.stderr);
    rel(&one.out())
}

#[test]
fn templates_as_json_and_csv() {
    let w = Workdir::new("tpl-forms");
    for (file, name) in [(ARTICLE, "article"), (YAF, "yaf"), (WITHDRAW, "withdraw")] {
        let json = run_both(&w, &["cat", "--templates", "-f", "json", &path(file)]);
        expect_file(&format!("templates/{name}.templates.json"), &json);
        let csv = run_both(&w, &["cat", "--templates", "-f", "csv", &path(file)]);
        expect_file(&format!("templates/{name}.templates.csv"), &csv);

        // The forms agree with the text form: same definitions, same fields.
        let text = w.run(&["cat", "--templates", &path(file)]).ok().out();
        let defs: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v.get("template").is_some())
            .collect();
        let heads = text.lines().filter(|l| l.starts_with("domain ")).count();
        let withdrawals = text.lines().filter(|l| l.contains(" withdraw ")).count();
        assert_eq!(defs.len() + withdrawals, heads, "{file}");
        assert_eq!(json.lines().count(), heads, "{file}");
        let fields: usize = defs
            .iter()
            .map(|d| d["fields"].as_array().unwrap().len())
            .sum();
        let spec_lines = text.lines().filter(|l| l.starts_with("  ")).count();
        assert_eq!(fields, spec_lines, "{file}");
        assert_eq!(
            csv.lines().count(),
            fields + 1,
            "{file}: header + a row per field"
        );
        for d in &defs {
            assert_eq!(d["@file"], file);
        }
    }
    // YAF: options templates (scope count) and enterprise IEs (CERT, PEN 6871) appear.
    let json = run_both(&w, &["cat", "--templates", "-f", "json", &path(YAF)]);
    let defs: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(defs.iter().any(|d| d["scope"].as_u64() > Some(0)));
    assert!(defs.iter().any(|d| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["pen"] == 6871 && f["name"] == "silkAppLabel" && f["id"] == 33)
    }));
    // Variable length is 65535, as on the wire.
    assert!(json.contains(
        r#"{"name":"subTemplateMultiList","pen":0,"id":293,"length":65535,"type":"subTemplateMultiList"}"#
    ));
    // A withdrawal is an object of its own in JSON and has no row in CSV.
    let json = run_both(&w, &["cat", "--templates", "-f", "json", &path(WITHDRAW)]);
    assert!(json.lines().any(|l| l.contains(r#""withdraw":"#)), "{json}");
}

#[test]
fn several_files_one_csv_header() {
    let w = Workdir::new("tpl-several");
    let a = path(ARTICLE);
    let csv = run_both(&w, &["cat", "--templates", "-f", "csv", &a, &a]);
    assert_eq!(csv.lines().filter(|l| l.starts_with("@file,")).count(), 1);
    assert_eq!(csv.lines().count(), 1 + 2 * 3);
    let csv = run_both(&w, &["cat", "--templates", "-f", "csv", "--no-header", &a]);
    assert_eq!(csv.lines().count(), 3);
    let csv = run_both(&w, &["cat", "--stats", "-f", "csv", &a, &path(YAF), &a]);
    assert_eq!(csv.lines().count(), 4);
    let csv = run_both(&w, &["cat", "--stats", "-f", "csv", "--no-header", &a]);
    assert_eq!(csv.lines().count(), 1);
}

#[test]
fn stats_as_csv_agrees_with_json() {
    let w = Workdir::new("stats-csv");
    let csv = run_both(&w, &["cat", "--stats", "-f", "csv", &path(ARTICLE)]);
    expect_file("templates/article.stats.csv", &csv);
    let files = [
        path(ARTICLE),
        path(YAF),
        path("samples/ipfixcol2-example_flows.ipfix"),
    ];
    let mut args = vec!["cat", "--stats", "-f", "csv"];
    args.extend(files.iter().map(String::as_str));
    let csv = run_both(&w, &args);
    args[3] = "json";
    let json = run_both(&w, &args);
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    for (row, obj) in rows.zip(json.lines()) {
        let v: serde_json::Value = serde_json::from_str(obj).unwrap();
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), header.len());
        let cell = |k: &str| cells[header.iter().position(|h| *h == k).unwrap()];
        assert_eq!(cell("@file"), v["@file"].as_str().unwrap());
        for k in [
            "messages",
            "octets",
            "records",
            "options_records",
            "templates_defined",
            "template_replacements",
            "withdrawals",
            "learned_ies",
            "errors",
            "warnings",
        ] {
            assert_eq!(cell(k), v[k].to_string(), "{k}");
        }
        assert_eq!(
            cell("domains"),
            v["domains"].as_object().unwrap().len().to_string()
        );
        assert_eq!(
            cell("export_time_first"),
            v["export_time"][0].as_str().unwrap()
        );
        assert_eq!(
            cell("export_time_last"),
            v["export_time"][1].as_str().unwrap()
        );
        assert_eq!(
            cell("flow_time_first"),
            v["flow_time"][0].as_str().unwrap_or("")
        );
        assert_eq!(
            cell("flow_time_last"),
            v["flow_time"][1].as_str().unwrap_or("")
        );
    }
}

#[test]
fn formats_they_cannot_print_are_usage_errors() {
    let w = Workdir::new("tpl-refuse");
    let a = path(ARTICLE);
    for (args, msg) in [
        (
            vec!["cat", "--templates", "-f", "detail", &a],
            "ipfixkit: --templates prints text, json or csv, not -f detail\n",
        ),
        (
            vec!["cat", "--stats", "-f", "detail", &a],
            "ipfixkit: --stats prints text, json or csv, not -f detail\n",
        ),
        (
            vec!["cat", "--stats", "--templates", "-f", "json", &a],
            "ipfixkit: --templates --stats together print text only, not -f json\n",
        ),
        (
            vec!["cat", "--stats", "--templates", "-f", "csv", &a],
            "ipfixkit: --templates --stats together print text only, not -f csv\n",
        ),
    ] {
        let r = w.run(&args).code(2);
        assert_eq!(r.stderr, msg, "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}");
    }
    // The text forms stay as they were.
    let r = w.run(&["cat", "--templates", &a]).ok();
    expect_file("article.templates", &r.out());
    let r = w.run(&["cat", "--stats", "--templates", &a]).ok();
    let stats = std::fs::read_to_string(testdata("expected/article.stats")).unwrap();
    let templates = std::fs::read_to_string(testdata("expected/article.templates")).unwrap();
    assert_eq!(rel(&r.out()), format!("{stats}templates\n{templates}"));
}

/// `--stats -f json` of one input: its flow_time pair, if any.
fn flow_time(w: &Workdir, file: &str) -> Option<(String, String)> {
    let out = run_both(w, &["cat", "--stats", "-f", "json", file]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let t = v.get("flow_time")?;
    Some((t[0].as_str()?.to_string(), t[1].as_str()?.to_string()))
}

fn pair(a: &str, b: &str) -> Option<(String, String)> {
    Some((a.to_string(), b.to_string()))
}

/// JSON lines to an IPFIX file in the work directory.
fn ipfix_from_json(w: &Workdir, name: &str, lines: &str) -> String {
    let src = w.write(&format!("{name}.jsonl"), lines.as_bytes());
    let out = w.path(name);
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .ok();
    out.to_string_lossy().into_owned()
}

#[test]
fn flow_time_from_softflowd_uptimes() {
    let w = Workdir::new("uptime-softflowd");
    // softflowd's default time format: flowStartSysUpTime/flowEndSysUpTime (ms) relative to
    // systemInitTimeMilliseconds of its options record (2026-12-01T22:29:20.640Z, export
    // time 2026-12-01T22:29:20Z = 1796164160000 ms). ipfixDump shows the raw values:
    // earliest start 2620087167, latest end 2620494167 (every record: see below). In -r
    // mode softflowd counts uptime from its own start and the pcap is from 2023, so the
    // counter wrapped: init + uptime is 30 days after the export. The time nearest the export
    // is init + uptime - 2^32: 1796164160640 + 2620087167 - 4294967296 = 1794489280511 ms =
    // 2026-11-12T13:14:40.511Z, and the end 407 s later (the pcap's 6 min 47 s, as the
    // absolute-time files show).
    let f = path("interop/softflowd-uptime.ipfix");
    let recs: Vec<serde_json::Value> = w
        .run(&["cat", "-f", "json", &f])
        .ok()
        .out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let min_start = recs
        .iter()
        .filter_map(|r| r["flowStartSysUpTime"].as_u64())
        .min();
    let max_end = recs
        .iter()
        .filter_map(|r| r["flowEndSysUpTime"].as_u64())
        .max();
    assert_eq!((min_start, max_end), (Some(2620087167), Some(2620494167)));
    assert_eq!(
        recs[0]["systemInitTimeMilliseconds"],
        "2026-12-01T22:29:20.640Z"
    );
    assert_eq!(
        flow_time(&w, &f),
        pair("2026-11-12T13:14:40.511Z", "2026-11-12T13:21:27.511Z")
    );
    let text = w.run(&["cat", "--stats", &f]).ok().out();
    assert!(
        text.contains("\nflow time         2026-11-12T13:14:40.511Z .. 2026-11-12T13:21:27.511Z\n"),
        "{text}"
    );
    // Record output keeps the raw values.
    assert!(
        recs.iter()
            .all(|r| r.get("flowStartMilliseconds").is_none())
    );
    // The same capture with absolute times (-A milli) is unchanged.
    for f in ["interop/softflowd-uni.ipfix", "interop/softflowd-bi.ipfix"] {
        assert_eq!(
            flow_time(&w, &path(f)),
            pair("2023-11-14T22:13:20Z", "2023-11-14T22:20:07Z"),
            "{f}"
        );
    }
}

#[test]
fn flow_time_from_uptimes_order_and_wrap() {
    let w = Workdir::new("uptime-wrap");
    // systemInit comes after the data (message 2), and is 0.5 s after that data's export
    // time, while its uptimes are just below 2^32: the flows ended 2.5 and 0.5 s before the
    // export (4294964296 + 500 - 2^32 = -2500), not 49.7 days after it. The record after
    // the options record has a small uptime (after the wrap): 10 s export, 1000 + 500 ms
    // after init = 00:00:01.500, ends at 00:00:08.500. Domain 2 has no systemInit: its
    // uptimes are not resolved with domain 1's.
    let f = ipfix_from_json(
        &w,
        "wrap.ipfix",
        r#"{"@export_time":"2024-05-01T00:00:00Z","@domain":1,"flowStartSysUpTime":4294964296,"flowEndSysUpTime":4294966296,"octetDeltaCount":100}
{"@export_time":"2024-05-01T00:00:01Z","@domain":1,"@scope":1,"meteringProcessId":7,"systemInitTimeMilliseconds":"2024-05-01T00:00:00.500Z"}
{"@export_time":"2024-05-01T00:00:10Z","@domain":1,"flowStartSysUpTime":1000,"flowEndSysUpTime":8000,"octetDeltaCount":200}
{"@export_time":"2024-05-01T00:00:10Z","@domain":2,"flowStartSysUpTime":5,"flowEndSysUpTime":6,"octetDeltaCount":300}
"#,
    );
    assert_eq!(
        flow_time(&w, &f),
        pair("2024-04-30T23:59:57.500Z", "2024-05-01T00:00:08.500Z")
    );

    // systemInit in the flow record itself, after its uptimes, from a device up 60 days:
    // the counter wrapped once, so init + uptime is 2^32 ms short. The start uptime is
    // (60 d - 5 s) mod 2^32 = 889027704, the end (60 d - 2 s) mod 2^32 = 889030704.
    let f = ipfix_from_json(
        &w,
        "long-up.ipfix",
        r#"{"@export_time":"2024-05-01T00:00:00Z","@domain":3,"flowStartSysUpTime":889027704,"flowEndSysUpTime":889030704,"systemInitTimeMilliseconds":"2024-03-02T00:00:00.000Z"}
"#,
    );
    assert_eq!(
        flow_time(&w, &f),
        pair("2024-04-30T23:59:55Z", "2024-04-30T23:59:58Z")
    );

    // Uptimes and no systemInit anywhere: no flow time (as before).
    let f = ipfix_from_json(
        &w,
        "no-init.ipfix",
        r#"{"@export_time":"2024-05-01T00:00:00Z","@domain":1,"flowStartSysUpTime":1000,"flowEndSysUpTime":2000}
"#,
    );
    assert_eq!(flow_time(&w, &f), None);
    let text = w.run(&["cat", "--stats", &f]).ok().out();
    assert!(!text.contains("flow time"), "{text}");
}

/// The recorded JSON of a sample (testdata/expected/samples/NAME.json): its record lines.
fn golden_json_lines(sample: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(testdata(&format!("expected/samples/{sample}.json"))).unwrap();
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn keys_of(lines: &[String]) -> std::collections::BTreeSet<String> {
    lines
        .iter()
        .flat_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object().unwrap().keys().cloned().collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn no_options_and_options_only() {
    let w = Workdir::new("options-flags");
    let yaf = path(YAF);
    // Independently: the recorded JSON of the YAF sample, split on @scope (only options
    // records carry it). YAF mixes one options record (its process statistics) between
    // two flow records.
    let all = golden_json_lines("logstash-yaf-biflow-concat.ipfix");
    let (opt, data): (Vec<String>, Vec<String>) = all
        .iter()
        .cloned()
        .partition(|l| l.contains(r#""@scope":"#));
    assert_eq!((data.len(), opt.len()), (2, 1));

    let json = run_both(&w, &["cat", "-f", "json", "--no-options", &yaf]);
    assert_eq!(json, data.concat());
    let json = run_both(&w, &["cat", "-f", "json", "--options-only", &yaf]);
    assert_eq!(json, opt.concat());

    for (flag, want) in [("--no-options", &data), ("--options-only", &opt)] {
        let text = run_both(&w, &["cat", flag, &yaf]);
        assert_eq!(text.lines().count(), want.len(), "text {flag}");
        // CSV: the columns come only from the templates whose records are printed.
        let csv = run_both(&w, &["cat", "-f", "csv", flag, &yaf]);
        assert_eq!(csv.lines().count(), want.len() + 1, "csv {flag}");
        let header: std::collections::BTreeSet<String> = csv
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        assert_eq!(header, keys_of(want), "csv header {flag}");
        // convert --to csv takes the same flags and gives the same table.
        let conv = run_both(&w, &["convert", "--to", "csv", flag, &yaf]);
        assert_eq!(conv, csv, "convert {flag}");
        // convert --to json keeps every template line (lossless templates), fewer records.
        let conv = run_both(&w, &["convert", "--to", "json", flag, &yaf]);
        let full = run_both(&w, &["convert", "--to", "json", &yaf]);
        let tpl = |s: &str| -> Vec<String> {
            s.lines()
                .filter(|l| l.contains(r#""@fields":"#))
                .map(String::from)
                .collect()
        };
        assert_eq!(tpl(&conv), tpl(&full));
        let recs: Vec<String> = conv
            .lines()
            .filter(|l| !l.contains(r#""@fields":"#))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(&recs, want, "convert json {flag}");
    }
    assert!(!run_both(&w, &["cat", "-f", "csv", "--no-options", &yaf]).contains("@scope"));

    // detail: the options record is left out, every template is still shown.
    let full = run_both(&w, &["cat", "-f", "detail", &yaf]);
    let part = run_both(&w, &["cat", "-f", "detail", "--no-options", &yaf]);
    let count = |s: &str, pat: &str| s.lines().filter(|l| l.contains(pat)).count();
    assert_eq!(count(&full, "options record "), 1);
    assert_eq!(count(&part, "options record "), 0);
    for pat in ["template 53248 (", "options template", "template "] {
        assert_eq!(
            count(&part, pat),
            count(&full, pat) - usize::from(pat == "template ")
        );
    }
    let only = run_both(&w, &["cat", "-f", "detail", "--options-only", &yaf]);
    assert_eq!(count(&only, "options record "), 1);
    assert_eq!(count(&only, "    record "), 0);

    // -n counts the records printed.
    let first = run_both(
        &w,
        &["cat", "-f", "json", "-n", "1", "--options-only", &yaf],
    );
    assert_eq!(first, opt[0]);

    // Several files, in order: softflowd has its options record first.
    let sfd = path("interop/softflowd-uni.ipfix");
    let json = run_both(&w, &["cat", "-f", "json", "--no-options", &yaf, &sfd]);
    assert_eq!(json.lines().count(), 2 + 14);
    assert!(!json.contains(r#""@scope":"#));
}

#[test]
fn options_flags_usage_errors() {
    let w = Workdir::new("options-refuse");
    let yaf = path(YAF);
    for (args, msg) in [
        (
            vec!["cat", "--stats", "--no-options", &yaf],
            "ipfixkit: --no-options selects records to print; --stats prints none\n",
        ),
        (
            vec!["cat", "--templates", "--options-only", &yaf],
            "ipfixkit: --options-only selects records to print; --templates prints none\n",
        ),
        (
            vec![
                "convert",
                "--to",
                "ipfix",
                "--no-options",
                &yaf,
                "-o",
                "x.ipfix",
            ],
            "ipfixkit: --no-options applies to JSON and CSV output, not IPFIX\n",
        ),
    ] {
        let r = w.run(&args).code(2);
        assert_eq!(r.stderr, msg, "{args:?}");
        assert!(r.stdout.is_empty());
    }
    let r = w
        .run(&["cat", "--no-options", "--options-only", &yaf])
        .code(2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    assert!(!w.path("x.ipfix").exists());
}

#[test]
fn filter_csv_columns_leave_out_options_templates() {
    // filter never prints options records as text/JSON/CSV, so their templates must not add
    // (always empty) columns to its CSV.
    let w = Workdir::new("filter-csv-options");
    let yaf = path(YAF);
    let csv = run_both(
        &w,
        &["filter", "-f", "csv", "exists(octetTotalCount)", &yaf],
    );
    let want = run_both(&w, &["cat", "-f", "csv", "--no-options", &yaf]);
    assert_eq!(csv, want);
}
