//! Test harness: runs the real binary in a fresh directory and compares whole outputs with
//! files under `testdata/expected/` (set `UPDATE_EXPECTED=1` to rewrite them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ipfixkit"))
}

pub fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

/// A fresh directory for one test.
pub struct Workdir {
    pub dir: PathBuf,
}

impl Workdir {
    pub fn new(name: &str) -> Workdir {
        let dir = std::env::temp_dir().join(format!("ipfixkit-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Workdir { dir }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.join(p)
    }

    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.current_dir(&self.dir).args(args);
        c
    }

    /// Runs with no stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).stdin(Stdio::null()).output().unwrap();
        Run::new(args, out)
    }

    /// Runs with `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.to_vec();
        let t = std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
        let out = child.wait_with_output().unwrap();
        t.join().unwrap();
        Run::new(args, out)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct Run {
    pub args: Vec<String>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn new(args: &[&str], o: Output) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdout: o.stdout,
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Exit status 0 and nothing on stderr: a warning the test did not expect is a failure
    /// (use [`Run::ok_warned`] where warnings are the point).
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            0,
            "{:?} failed:\nstderr:\n{}\nstdout:\n{}",
            self.args,
            self.stderr,
            self.out()
        );
        assert!(
            self.stderr.is_empty(),
            "{:?} succeeded but printed on stderr:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// Exit status 0, with stderr allowed (warnings, progress bars); the test checks it.
    pub fn ok_warned(self) -> Run {
        assert_eq!(
            self.code,
            0,
            "{:?} failed:\nstderr:\n{}\nstdout:\n{}",
            self.args,
            self.stderr,
            self.out()
        );
        self
    }

    /// Exit 0 with nothing on stderr, or exit 1 where the only problems are data sets that
    /// never got their template (samples recorded mid-session: those records are lost, which
    /// is an error, and everything else must be read).
    pub fn ok_but_lost_sets(self) -> Run {
        let lost = |l: &str| l.contains("never got their template; left out");
        let fine = (self.code == 0 && self.stderr.is_empty())
            || (self.code == 1 && !self.stderr.is_empty() && self.stderr.lines().all(lost));
        assert!(
            fine,
            "{:?}: exit {}\nstderr:\n{}",
            self.args, self.code, self.stderr
        );
        self
    }

    pub fn code(self, c: i32) -> Run {
        assert_eq!(
            self.code, c,
            "{:?}: exit {} (wanted {c})\nstderr:\n{}",
            self.args, self.code, self.stderr
        );
        self
    }
}

/// Compares `actual` with `testdata/expected/NAME`, or rewrites it when UPDATE_EXPECTED is set.
pub fn expect_file(name: &str, actual: &str) {
    let p = testdata("expected").join(name);
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_EXPECTED=1 to create it)",
            p.display()
        )
    });
    if want != actual {
        let diff: Vec<String> = want
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  want: {a}\n  got:  {b}", i + 1))
            .collect();
        panic!(
            "{} differs ({} vs {} lines):\n{}\n(UPDATE_EXPECTED=1 rewrites it)",
            p.display(),
            want.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// A large input (the ipfixcol2 sample 20 times) for closed-pipe tests.
pub fn big_input(w: &Workdir) -> PathBuf {
    let one = std::fs::read(testdata("samples/ipfixcol2-example_flows.ipfix")).unwrap();
    w.write("big.ipfix", &one.repeat(20))
}

/// Runs `args`, reads a little of its stdout and closes it: the command must end quietly
/// with status 0 (a closed pipe is not an error).
pub fn assert_quiet_on_closed_pipe(w: &Workdir, args: &[&str]) {
    use std::io::Read;
    let mut child = w
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 64];
    out.read_exact(&mut buf).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    assert!(o.stderr.is_empty(), "{args:?}: {err}");
}
