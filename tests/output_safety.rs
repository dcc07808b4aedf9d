//! Outputs are never destroyed: `-o` onto a FIFO, a device, or a symlink writes into it (the
//! link's target), an existing file keeps its mode, errors name the output, and an interrupted
//! run (SIGINT, SIGTERM) leaves no temporary behind and exits 130/143.
//!
//! Every special file is made in the test's own directory: never the real `/dev`.

mod common;
use common::{Workdir, bin, testdata};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn article() -> String {
    testdata("article-example.ipfix").display().to_string()
}

/// What `cat` prints for the article example (the reference the special outputs must get).
fn expected_text(w: &Workdir) -> Vec<u8> {
    w.run(&["cat", &article()]).ok().stdout
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn hidden_temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".ipfixkit-") && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn fifo_output_is_written_into_and_stays_a_fifo() {
    let w = Workdir::new("out-fifo");
    let fifo = w.path("f");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    w.run(&["cat", "-o", "f", &article()]).ok();
    // Checked before joining: a replaced FIFO would leave its reader waiting forever.
    let m = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(m.file_type().is_fifo(), "the FIFO was replaced");
    let got = reader.join().unwrap();
    assert_eq!(
        got,
        expected_text(&w),
        "the FIFO's reader got what cat prints"
    );
    assert!(hidden_temps(&w.dir).is_empty());
    // Parquet into the FIFO: the bytes a regular file gets.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    w.run(&["convert", "--to", "parquet", "-o", "f", &article()])
        .ok();
    let m = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(m.file_type().is_fifo(), "the FIFO was replaced by Parquet");
    let got = reader.join().unwrap();
    w.run(&["convert", "--to", "parquet", "-o", "p.parquet", &article()])
        .ok();
    assert!(got.starts_with(b"PAR1") && got.ends_with(b"PAR1"));
    assert_eq!(got, std::fs::read(w.path("p.parquet")).unwrap());
    assert!(hidden_temps(&w.dir).is_empty());
}

#[test]
fn symlink_output_writes_the_target_and_keeps_link_and_mode() {
    let w = Workdir::new("out-symlink");
    std::fs::create_dir(w.path("real")).unwrap();
    let target = w.write("real/t.txt", b"old contents\n");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real/t.txt", w.path("link")).unwrap();
    w.run(&["cat", "-o", "link", &article()]).ok();
    let link = std::fs::symlink_metadata(w.path("link")).unwrap();
    assert!(link.file_type().is_symlink(), "the symlink was replaced");
    assert_eq!(std::fs::read(&target).unwrap(), expected_text(&w));
    let m = std::fs::metadata(&target).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o640, "the target's mode changed");
    assert!(hidden_temps(&w.dir).is_empty());
    assert!(hidden_temps(&w.path("real")).is_empty());
}

#[test]
fn dangling_symlink_output_creates_the_target() {
    let w = Workdir::new("out-dangling");
    std::os::unix::fs::symlink("new.txt", w.path("link")).unwrap();
    w.run(&["cat", "-o", "link", &article()]).ok();
    assert!(
        std::fs::symlink_metadata(w.path("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(w.path("new.txt")).unwrap(), expected_text(&w));
}

#[test]
fn existing_file_keeps_its_mode() {
    let w = Workdir::new("out-mode");
    let f = w.write("x.json", b"old");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
    w.run(&["convert", "--to", "json", "-o", "x.json", &article()])
        .ok();
    let m = std::fs::metadata(&f).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o640);
    assert!(std::fs::read_to_string(&f).unwrap().starts_with('{'));
    // And a file that did not exist gets the usual mode for new files (umask applies).
    w.run(&["convert", "--to", "json", "-o", "new.json", &article()])
        .ok();
    assert!(w.path("new.json").is_file());
}

#[test]
fn character_device_output_is_written_into() {
    let w = Workdir::new("out-chardev");
    if !is_root() {
        eprintln!("SKIP character_device_output_is_written_into: needs root for mknod");
        return;
    }
    // A null device of the test's own (major 1, minor 3), and a symlink to it.
    let dev = w.path("null");
    let ok = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "mknod failed as root in CI"
        );
        eprintln!("SKIP character_device_output_is_written_into: mknod not permitted here");
        return;
    }
    std::os::unix::fs::symlink("null", w.path("to-null")).unwrap();
    // A full device of the test's own (major 1, minor 7): writing into it fails, named.
    let full = w.path("full");
    assert!(
        Command::new("mknod")
            .arg(&full)
            .args(["c", "1", "7"])
            .status()
            .unwrap()
            .success()
    );
    let big = common::big_input(&w).display().to_string();
    let r = w.run(&["cat", "-o", "full", &big]).code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: output full: ") && r.stderr.contains("No space"),
        "{}",
        r.stderr
    );
    // Parquet's writer too (its row groups are written as they close).
    let r = w
        .run(&["convert", "--to", "parquet", "-o", "full", &big])
        .code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: output full: ")
            && r.stderr.contains("No space")
            && r.stderr.lines().count() == 1,
        "{}",
        r.stderr
    );
    assert!(
        std::fs::metadata(&full)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    for out in ["null", "to-null"] {
        w.run(&["cat", "-o", out, &article()]).ok();
        w.run(&["filter", "packetDeltaCount >= 0", "-o", out, &article()])
            .ok();
        w.run(&["convert", "--to", "ipfix", "-o", out, &article()])
            .ok();
        w.run(&["convert", "--to", "parquet", "-o", out, &article()])
            .ok();
        let m = std::fs::metadata(&dev).unwrap();
        assert!(
            m.file_type().is_char_device(),
            "-o {out} replaced the device"
        );
        assert_eq!(m.rdev(), std::fs::metadata(&dev).unwrap().rdev());
    }
    assert!(
        std::fs::symlink_metadata(w.path("to-null"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(hidden_temps(&w.dir).is_empty());
}

#[test]
fn stdout_descriptor_paths_write_to_stdout() {
    let w = Workdir::new("out-stdout-alias");
    let want = expected_text(&w);
    // /proc/self/fd/1 cannot be replaced even if this regressed (procfs refuses a rename), so
    // it is safe to test as root; /dev/stdout only when not root.
    let mut paths = vec!["/proc/self/fd/1"];
    if !is_root() {
        paths.push("/dev/stdout");
    }
    for p in paths {
        let r = w.run(&["cat", "-o", p, &article()]).ok();
        assert_eq!(r.stdout, want, "-o {p}");
    }
}

#[test]
fn output_errors_name_the_output() {
    let w = Workdir::new("out-errors");
    let r = w.run(&["cat", "-o", "/nonexist/x", &article()]).code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: output /nonexist/x: ") && r.stderr.contains("/nonexist"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    std::fs::create_dir(w.path("d")).unwrap();
    let r = w
        .run(&["convert", "--to", "json", "-o", "d", &article()])
        .code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: output d: is a directory"),
        "{}",
        r.stderr
    );
    let r = w
        .run(&[
            "filter",
            "packetDeltaCount >= 0",
            "-o",
            "missing/dir/x.ipfix",
            &article(),
        ])
        .code(1);
    assert!(
        r.stderr
            .starts_with("ipfixkit: output missing/dir/x.ipfix: "),
        "{}",
        r.stderr
    );
    // -d onto a regular file names it as the output directory.
    w.write("plain", b"");
    let r = w
        .run(&["convert", "--to", "json", "-d", "plain", &article()])
        .code(1);
    assert!(
        r.stderr.starts_with("ipfixkit: output directory plain: "),
        "{}",
        r.stderr
    );
}

/// Starts `args` reading its input from a FIFO the test holds open, so the command is
/// mid-run (its temporary output exists) when the signal arrives.
fn interrupted(w: &Workdir, args: &[&str], signal: &str, temp_dir: &Path) -> i32 {
    let fifo = w.path("in.fifo");
    let _ = std::fs::remove_file(&fifo);
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = Command::new(bin())
        .current_dir(&w.dir)
        .args(args)
        .arg("in.fifo")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Open the FIFO for writing (this waits for the command to open it), send some messages
    // (more than the 512 octets format sniffing looks at) and keep the FIFO open.
    use std::io::Write;
    let mut feed = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    feed.write_all(
        &std::fs::read(testdata("article-example.ipfix"))
            .unwrap()
            .repeat(50),
    )
    .unwrap();
    let start = Instant::now();
    while hidden_temps(temp_dir).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no temporary appeared in {}",
            temp_dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    drop(feed);
    assert!(
        hidden_temps(temp_dir).is_empty(),
        "temporaries left after {signal}: {:?}",
        hidden_temps(temp_dir)
    );
    status.code().unwrap_or(-1)
}

#[test]
fn signals_remove_temporaries_and_exit_128_plus_signal() {
    let w = Workdir::new("out-signals");
    let code = interrupted(
        &w,
        &["convert", "--to", "json", "-o", "x.json"],
        "-TERM",
        &w.dir,
    );
    assert_eq!(code, 143);
    assert!(!w.path("x.json").exists(), "a partial output was published");
    let code = interrupted(
        &w,
        &["convert", "--to", "ipfix", "-o", "x.ipfix"],
        "-INT",
        &w.dir,
    );
    assert_eq!(code, 130);
    assert!(!w.path("x.ipfix").exists());
    std::fs::create_dir(w.path("out")).unwrap();
    let code = interrupted(
        &w,
        &[
            "convert",
            "--to",
            "csv",
            "-F",
            "packetDeltaCount",
            "-d",
            "out",
        ],
        "-TERM",
        &w.path("out"),
    );
    assert_eq!(code, 143);
    assert_eq!(std::fs::read_dir(w.path("out")).unwrap().count(), 0);
    let code = interrupted(&w, &["cat", "-f", "json", "-o", "c.json"], "-INT", &w.dir);
    assert_eq!(code, 130);
    assert!(!w.path("c.json").exists());
    let code = interrupted(
        &w,
        &[
            "convert",
            "--to",
            "parquet",
            "--schema",
            "flow",
            "-o",
            "x.parquet",
        ],
        "-TERM",
        &w.dir,
    );
    assert_eq!(code, 143);
    assert!(
        !w.path("x.parquet").exists(),
        "a partial Parquet was published"
    );
}
