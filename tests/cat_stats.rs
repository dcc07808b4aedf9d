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
