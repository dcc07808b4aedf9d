//! Rough edges of a first hour with ipfixkit: progress bars on request, binary output refused
//! on a terminal as a usage error, help examples never wrapped mid-command, man synopses as
//! typed, and a README that points only at files that exist.

mod common;
use common::{Workdir, big_input, testdata};
use std::process::Command;

fn article() -> String {
    testdata("article-example.ipfix").display().to_string()
}

/// A progress bar on stderr draws `bytes/total_bytes`, e.g. `1.58 MiB/3.82 MiB`.
fn has_bar(stderr: &str) -> bool {
    stderr.contains("iB/") || stderr.contains(" B/")
}

#[test]
fn progress_is_drawn_on_request_even_without_a_terminal() {
    let w = Workdir::new("progress");
    let big = big_input(&w).display().to_string();
    for args in [
        vec!["cat", "--progress", "-o", "out.txt", &big],
        vec!["cat", "--progress", "-f", "csv", "-o", "out.csv", &big],
        vec![
            "filter",
            "--progress",
            "packetDeltaCount > 0",
            "-o",
            "f.ipfix",
            &big,
        ],
        vec![
            "convert",
            "--progress",
            "--to",
            "json",
            "-o",
            "c.json",
            &big,
        ],
        vec!["convert", "--progress", "--to", "json", "-d", "dir", &big],
    ] {
        let r = w.run(&args).ok_warned();
        assert!(has_bar(&r.stderr), "{args:?}: no bar in {:?}", r.stderr);
    }
    // Without --progress, stderr is not a terminal here: no bar, nothing on stderr.
    for args in [
        vec!["cat", "-o", "out.txt", &big],
        vec!["filter", "packetDeltaCount > 0", "-o", "f.ipfix", &big],
        vec!["convert", "--to", "json", "-o", "c.json", &big],
        vec!["cat", "--progress", "--no-progress", "-o", "out.txt", &big],
    ] {
        let r = w.run(&args).ok();
        assert!(r.stderr.is_empty(), "{args:?}: {:?}", r.stderr);
    }
}

#[test]
fn progress_counts_compressed_input_by_its_compressed_size() {
    let w = Workdir::new("progress-gz");
    let big = big_input(&w);
    assert!(
        Command::new("gzip")
            .arg("-k")
            .arg(&big)
            .status()
            .unwrap()
            .success()
    );
    let gz = format!("{}.gz", big.display());
    let size = std::fs::metadata(&gz).unwrap().len();
    let r = w
        .run(&["cat", "--progress", "-f", "json", "-o", "o.json", &gz])
        .ok_warned();
    assert!(has_bar(&r.stderr), "{:?}", r.stderr);
    // The bar ends at the file's size, not at the (larger) decompressed size.
    let total = format!("/{:.2} MiB", size as f64 / 1048576.0);
    assert!(r.stderr.contains(&total), "{total} not in {:?}", r.stderr);
}

/// Runs `cmd` under `script`, so its stdout is a terminal; returns the exit status.
fn on_terminal(w: &Workdir, cmd: &str) -> Option<i32> {
    let ok = Command::new("script").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "script (util-linux) is missing in CI"
        );
        eprintln!("SKIP: script (util-linux) not installed");
        return None;
    }
    let log = w.path("typescript");
    let o = Command::new("script")
        .current_dir(&w.dir)
        .args(["-qec", cmd])
        .arg(&log)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    o.status.code()
}

#[test]
fn binary_output_to_a_terminal_is_a_usage_error() {
    let w = Workdir::new("tty-refused");
    let bin = common::bin().display().to_string();
    let a = article();
    let Some(code) = on_terminal(&w, &format!("{bin} filter 'packetDeltaCount > 0' {a}")) else {
        return;
    };
    assert_eq!(code, 2, "filter to a terminal");
    let log = std::fs::read_to_string(w.path("typescript")).unwrap();
    assert!(
        log.contains("refusing to write binary IPFIX to a terminal"),
        "{log}"
    );
    assert_eq!(
        on_terminal(&w, &format!("{bin} convert --to ipfix {a}")),
        Some(2)
    );
    // --force writes it, and text output to a terminal is fine.
    assert_eq!(
        on_terminal(&w, &format!("{bin} convert --force --to ipfix {a}")),
        Some(0)
    );
    assert_eq!(on_terminal(&w, &format!("{bin} cat {a}")), Some(0));
}

#[test]
fn help_examples_are_never_wrapped_mid_command() {
    let w = Workdir::new("help-wrap");
    for (cmd, examples) in [
        (None, ipfixkit::cmd::examples("")),
        (Some("cat"), ipfixkit::cmd::examples("cat")),
        (Some("convert"), ipfixkit::cmd::examples("convert")),
        (Some("filter"), ipfixkit::cmd::examples("filter")),
    ] {
        assert!(!examples.contains('{'), "{cmd:?}: `{{` in examples");
        for columns in ["20", "40", "80", "200"] {
            for help in ["-h", "--help"] {
                let mut args: Vec<&str> = cmd.into_iter().collect();
                args.push(help);
                let out = w.command(&args).env("COLUMNS", columns).output().unwrap();
                assert!(out.status.success());
                let text = String::from_utf8_lossy(&out.stdout);
                for line in examples.lines() {
                    assert!(
                        text.lines().any(|l| l == line),
                        "{args:?} at COLUMNS={columns}: example line {line:?} not shown whole"
                    );
                }
            }
        }
    }
}

#[test]
fn man_pages_name_commands_as_typed_and_keep_examples_verbatim() {
    for sub in ["cat", "convert", "filter"] {
        let page = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("man")
                .join(format!("ipfixkit-{sub}.1")),
        )
        .unwrap();
        let synopsis = page
            .split(".SH SYNOPSIS\n")
            .nth(1)
            .and_then(|s| s.lines().next())
            .unwrap();
        assert!(
            synopsis.starts_with(&format!("\\fBipfixkit {sub}\\fR")),
            "{sub}: {synopsis}"
        );
        let ex = page.split(".SH EXAMPLES\n").nth(1).unwrap();
        assert!(ex.starts_with(".nf\n"), "{sub}: examples not verbatim");
    }
}

#[test]
fn readme_points_only_at_files_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // Markdown links to relative paths.
    let mut missing = Vec::new();
    for part in readme.split("](").skip(1) {
        let target = part.split(')').next().unwrap_or("");
        let path = target.split('#').next().unwrap_or("");
        if path.is_empty() || path.contains("://") {
            continue;
        }
        if !root.join(path).exists() {
            missing.push(path.to_string());
        }
    }
    // Files named in backticks that look like repository paths.
    for part in readme.split('`').skip(1).step_by(2) {
        let looks_like_file = part.ends_with(".md") && !part.contains(' ');
        if looks_like_file && !root.join(part).exists() {
            missing.push(part.to_string());
        }
    }
    assert!(
        !readme.contains("DESIGN.md") || root.join("DESIGN.md").exists(),
        "README points to DESIGN.md, which is not in the repository"
    );
    assert!(
        missing.is_empty(),
        "README names missing files: {missing:?}"
    );
}
