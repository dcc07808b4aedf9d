//! Hostile filter expressions and `--fields` lists (issue 9, class 1, and what follows from
//! it): deep nesting, long runs of negations, long chains, huge names. Each must end with a
//! one-line usage error or a correct answer, never a crash. Inputs are generated here; each is
//! kept under the kernel's 128 KiB limit for one argument.

mod common;
use common::{Workdir, testdata};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fixture(w: &Workdir) -> PathBuf {
    let src = testdata("filter/fixture.jsonl");
    let out = w.path("fixture.ipfix");
    w.run(&[
        "convert",
        "--to",
        "ipfix",
        src.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .ok();
    out
}

fn count(w: &Workdir, fx: &Path, expr: &str) -> u64 {
    w.run(&["filter", "--count", expr, fx.to_str().unwrap()])
        .ok()
        .out()
        .trim()
        .parse()
        .unwrap()
}

/// A usage error whose message (first line) contains `msg`, with the expression shown in a
/// short excerpt: the error stays readable however long the expression is.
fn usage_error(w: &Workdir, fx: &Path, expr: &str, msg: &str) -> String {
    let r = w
        .run(&["filter", "--count", expr, fx.to_str().unwrap()])
        .code(2);
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        first.starts_with("ipfixkit: ") && first.contains(msg),
        "{msg}: {}",
        r.stderr
    );
    assert!(r.stderr.len() < 600, "a short message: {}", r.stderr);
    r.stderr
}

#[test]
fn ten_thousand_parentheses_are_refused_with_the_column() {
    let w = Workdir::new("hf-parens");
    let fx = fixture(&w);
    let deep = format!("{}port 53{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = usage_error(&w, &fx, &deep, "column 101: nested too deeply");
    assert!(e.contains("more than 100 levels"), "{e}");
    // The caret still points at the column it names, inside the excerpt.
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 3, "{e}");
    let caret = lines[2].find('^').unwrap();
    assert_eq!(&lines[1][caret..caret + 1], "(", "{e}");
    // As deep as allowed is fine, also mixed with negations.
    let ok = format!("{}port 53{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(count(&w, &fx, &ok), 2);
    let ok = format!("{}port 53{}", "!(".repeat(100), ")".repeat(100));
    assert_eq!(count(&w, &fx, &ok), 2);
    let ok = format!("{}port 53{}", "!(".repeat(99), ")".repeat(99));
    assert_eq!(count(&w, &fx, &ok), 8 - 2);
    let bad = format!("{}port 53{}", "not (".repeat(101), ")".repeat(101));
    usage_error(&w, &fx, &bad, "nested too deeply");
    // Unbalanced the other way: a clear error, not a crash.
    let e = usage_error(
        &w,
        &fx,
        &format!("port 53{}", ")".repeat(10_000)),
        "unexpected ')'",
    );
    assert!(e.contains("column 8"), "{e}");
}

#[test]
fn twenty_thousand_negations_cancel_out() {
    let w = Workdir::new("hf-not");
    let fx = fixture(&w);
    let n = format!("{}port 53", "!".repeat(20_000));
    assert_eq!(count(&w, &fx, &n), 2);
    let n = format!("{}port 53", "!".repeat(20_001));
    assert_eq!(count(&w, &fx, &n), 6);
    let n = format!("{}port 53", "not ".repeat(20_000));
    assert_eq!(count(&w, &fx, &n), 2);
    let n = format!("{}(port 53)", "NOT ! ".repeat(10_001));
    assert_eq!(count(&w, &fx, &n), 2);
    // Negations with nothing after them.
    usage_error(
        &w,
        &fx,
        &"!".repeat(20_000),
        "expected a field name or shorthand at the end",
    );
}

#[test]
fn long_chains_do_not_recurse_per_term() {
    let w = Workdir::new("hf-chain");
    let fx = fixture(&w);
    let t = Instant::now();
    // 10,000 terms (110 KB): ports 0..99, so 0 and 53 among them.
    let or: Vec<String> = (0..10_000).map(|i| format!("port {}", i % 100)).collect();
    assert_eq!(count(&w, &fx, &or.join(" or ")), 4);
    let and = vec!["bytes > 1"; 8_000].join(" and ");
    assert_eq!(count(&w, &fx, &and), 8);
    let mixed: Vec<&str> = (0..8_000)
        .map(|i| {
            if i % 2 == 0 {
                "proto tcp"
            } else {
                "!proto udp"
            }
        })
        .collect();
    assert_eq!(count(&w, &fx, &mixed.join(" || ")), 6);
    // A long list.
    let list: Vec<String> = (0..20_000).map(|i| (i % 65_536).to_string()).collect();
    assert_eq!(count(&w, &fx, &format!("port in [{}]", list.join(" "))), 8);
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn huge_names_and_literals() {
    let w = Workdir::new("hf-names");
    let fx = fixture(&w);
    let t = Instant::now();
    let name = "sourceIPv4Adress".repeat(6_000);
    let e = usage_error(&w, &fx, &format!("{name} == 1.2.3.4"), "unknown IE name");
    assert!(!e.contains("did you mean"), "{e}");
    usage_error(
        &w,
        &fx,
        &format!("port {}", "9".repeat(100_000)),
        "99999999999999999999... (100000 digits) is out of range for unsigned16",
    );
    usage_error(
        &w,
        &fx,
        &format!("flowStartSeconds > {}", "1".repeat(100_000)),
        "flowStartSeconds",
    );
    // Regular expressions: the regex crate's limits, reported on one line.
    let nested = format!(
        "applicationName ~ \"{}a{}\"",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let e = usage_error(&w, &fx, &nested, "column 19: bad regular expression: ");
    assert!(e.contains("maximum number of nested parentheses"), "{e}");
    let big = "applicationName ~ \"(a{1000}){1000}\"";
    usage_error(&w, &fx, big, "column 19: bad regular expression: ");
    usage_error(
        &w,
        &fx,
        "applicationName ~ \"[\"",
        "unclosed character class",
    );
    // 100,000 flag letters name one flag.
    assert_eq!(count(&w, &fx, &format!("flags {}", "S".repeat(100_000))), 2);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

#[test]
fn hostile_field_lists() {
    let w = Workdir::new("hf-fields");
    let fx = fixture(&w);
    let f = fx.to_str().unwrap();
    let t = Instant::now();
    // 7,000 unknown names: one error for the first, quickly.
    let many = vec!["sourceIPv4Adress"; 7_000].join(",");
    let r = w.run(&["cat", "-f", "csv", "-F", &many, f]).code(2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean sourceIPv4Address?"),
        "{}",
        r.stderr
    );
    // The same with --allow-unknown-fields: no record has them, so nothing is printed.
    let r = w
        .run(&["cat", "-f", "csv", "--allow-unknown-fields", "-F", &many, f])
        .ok();
    assert_eq!(r.out().lines().count(), 1, "the header only");
    // A 100 KB name, and 7,000 known columns.
    let r = w.run(&["cat", "-F", &"x".repeat(100_000), f]).code(2);
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    assert!(
        r.stderr.len() < 400,
        "the name is cut in the message: {}",
        r.stderr.len()
    );
    let known = vec!["octetDeltaCount"; 7_000].join(",");
    w.run(&["cat", "-f", "csv", "-F", &known, f]).ok();
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}
