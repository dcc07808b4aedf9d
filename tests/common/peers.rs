//! The interop harness shared by `tests/interop.rs` and `tests/interop_convert.rs` (each
//! includes it with `#[path = "common/peers.rs"] mod peers;`, so `tests/common/mod.rs` stays
//! as it is): running children under a time limit, finding the peers (a missing one is a
//! SKIP line, or a failure under `CI=true`), the three views of one file (ipfixkit's
//! `cat -f json`, `ipfixDump` through `tests/interop/ipfixdump_records.py`, `ipfix2csv`
//! through `tests/interop/ipfix2csv_records.py`) and how values are compared ([`compare`]).
#![allow(dead_code)]

use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub const IPFIXKIT: &str = env!("CARGO_BIN_EXE_ipfixkit");

/// Time limits: generous, they only exist so a stuck child fails the test instead of
/// hanging it. softflowd_capture.sh bounds itself at about 55 s.
pub const QUICK: Duration = Duration::from_secs(60);
pub const SOFTFLOWD: Duration = Duration::from_secs(120);

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn script(name: &str) -> PathBuf {
    root().join("tests/interop").join(name)
}

// ---------------------------------------------------------------------------------------
// Running children
// ---------------------------------------------------------------------------------------

pub struct Output {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion, or kills it and panics after `limit`. stdout and stderr are
/// read on their own threads so a chatty child cannot block on a full pipe.
pub fn run(cmd: &mut Command, limit: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let reader = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let out = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let err = reader(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                // The reader threads are left behind: a grandchild may still hold the pipes.
                panic!("{shown} did not finish within {limit:?}");
            }
            Err(e) => panic!("waiting for {shown}: {e}"),
        }
    };
    let text = |h: std::thread::JoinHandle<Vec<u8>>| {
        String::from_utf8(h.join().expect("pipe reader")).unwrap_or_else(|e| {
            panic!("{shown} printed invalid UTF-8: {e}");
        })
    };
    Output {
        status,
        stdout: text(out),
        stderr: text(err),
    }
}

/// Like [`run`], and panics (showing stderr) unless the child exits 0.
pub fn run_ok(cmd: &mut Command, limit: Duration) -> String {
    let shown = format!("{cmd:?}");
    let out = run(cmd, limit);
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}",
        out.status,
        out.stderr
    );
    out.stdout
}

// ---------------------------------------------------------------------------------------
// Finding the peers
// ---------------------------------------------------------------------------------------

/// Where `name` is installed: on PATH, or in /usr/sbin (softflowd), which a non-root PATH
/// may lack.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The Python interpreter that has Debian's `ipfix` module (python3-ipfix installs it for
/// the system interpreter; a pyenv or venv `python3` first on PATH does not see it).
pub fn python_with_ipfix() -> Option<PathBuf> {
    let candidates = [
        Some(PathBuf::from("/usr/bin/python3")),
        find_tool("python3"),
    ];
    candidates.into_iter().flatten().find(|py| {
        py.is_file()
            && run(Command::new(py).args(["-c", "import ipfix.ie"]), QUICK)
                .status
                .success()
    })
}

/// The peers a test needs. `None` means "skip": a tool is missing outside CI.
pub struct Peers {
    pub python: PathBuf,
    pub ipfixdump: PathBuf,
    pub ipfix2csv: PathBuf,
}

pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says a peer is missing: a failure under CI, a skip otherwise.
pub fn missing(tool: &str) {
    if ci() {
        panic!("interop: {tool} not installed, and CI=true requires every peer");
    }
    println!("SKIP interop: {tool} not installed");
}

pub fn peers(extra: &[&str]) -> Option<Peers> {
    let mut ok = true;
    let mut tool = |name: &str| {
        let found = find_tool(name);
        if found.is_none() {
            missing(name);
            ok = false;
        }
        found
    };
    let ipfixdump = tool("ipfixDump");
    let ipfix2csv = tool("ipfix2csv");
    for name in extra {
        tool(name);
    }
    let python = python_with_ipfix();
    if python.is_none() {
        missing("python3-ipfix (python3 with the ipfix module)");
        ok = false;
    }
    ok.then(|| Peers {
        python: python.unwrap(),
        ipfixdump: ipfixdump.unwrap(),
        ipfix2csv: ipfix2csv.unwrap(),
    })
}

// ---------------------------------------------------------------------------------------
// Reading the three views of one file
// ---------------------------------------------------------------------------------------

/// One record of ipfixkit's JSON output, with its line (for checking key order).
pub struct Ours {
    pub line: String,
    pub object: Map<String, Value>,
}

pub fn ours(file: &Path, spec: Option<&Path>) -> Vec<Ours> {
    let mut cmd = Command::new(IPFIXKIT);
    cmd.args(["cat", "-f", "json"]);
    if let Some(spec) = spec {
        cmd.arg("--ie-spec").arg(spec);
    }
    cmd.arg(file);
    let stdout = run_ok(&mut cmd, QUICK);
    stdout
        .lines()
        .map(|line| match serde_json::from_str(line) {
            Ok(Value::Object(object)) => Ours {
                line: line.to_string(),
                object,
            },
            other => {
                panic!("ipfixkit printed a line that is not a JSON object ({other:?}): {line}")
            }
        })
        .collect()
}

/// One field as a peer shows it, normalised by the helper scripts.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerField {
    pub key: String,
    /// How to compare `value` with ours: int, float8g, float, ip, text, cstring, octets,
    /// time_seconds.
    pub kind: String,
    pub value: String,
    /// The field's length on the wire (its template length; the actual one for varlen).
    pub len: u64,
    /// ipfixDump's short name of the field's type (`uint32`, `microsec`...); empty for
    /// ipfix2csv, which does not say.
    pub typ: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DumpRecord {
    pub export_time: String,
    pub domain: u64,
    pub template: u64,
    pub scope: u64,
    pub fields: Vec<PeerField>,
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("helper output lacks string {key:?}: {v}"))
}

pub fn u64_of(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("helper output lacks number {key:?}: {v}"))
}

pub fn ipfixdump(peers: &Peers, file: &Path, spec: Option<&Path>) -> Vec<DumpRecord> {
    ipfixdump_and_stderr(peers, file, spec).0
}

/// ipfixDump's records of `file`, and what ipfixDump printed on stderr (its GLib
/// `WARNING`/`CRITICAL` lines: out-of-sequence messages, bad templates...), which
/// `ipfixdump_records.py` passes through.
pub fn ipfixdump_and_stderr(
    peers: &Peers,
    file: &Path,
    spec: Option<&Path>,
) -> (Vec<DumpRecord>, String) {
    let mut cmd = Command::new(&peers.python);
    cmd.arg(script("ipfixdump_records.py")).arg(file);
    cmd.arg("--ipfixdump").arg(&peers.ipfixdump);
    if let Some(spec) = spec {
        cmd.arg("--spec").arg(spec);
    }
    let shown = format!("{cmd:?}");
    let out = run(&mut cmd, QUICK);
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}",
        out.status,
        out.stderr
    );
    let records = out
        .stdout
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("ipfixdump_records.py prints JSON");
            let fields = v["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| {
                    let typ = str_of(f, "type").to_string();
                    let value = str_of(f, "value").to_string();
                    let mut kind = str_of(f, "kind").to_string();
                    if zeroed_fraction(&typ, &value) {
                        kind = "time_seconds".to_string();
                    }
                    PeerField {
                        key: str_of(f, "key").to_string(),
                        kind,
                        value,
                        len: u64_of(f, "len"),
                        typ,
                    }
                })
                .collect();
            DumpRecord {
                export_time: str_of(&v, "export_time").to_string(),
                domain: u64_of(&v, "domain"),
                template: u64_of(&v, "template"),
                scope: u64_of(&v, "scope"),
                fields,
            }
        })
        .collect();
    (records, out.stderr)
}

/// ipfixDump's types of dateTimeMicroseconds and dateTimeNanoseconds.
pub fn is_fine_time(typ: &str) -> bool {
    typ == "microsec" || typ == "nanosec"
}

/// ipfixDump 2.4.1 prints the fraction of every micro- and nanosecond time as zeros
/// (`2023-11-14 22:13:20.000000`), whatever the wire says. Such a value can only vouch for
/// the seconds; `tests/interop_convert.rs` checks the fraction against tshark. A fraction
/// that is not all zeros (a fixed ipfixDump) is compared in full.
fn zeroed_fraction(typ: &str, value: &str) -> bool {
    is_fine_time(typ)
        && value
            .strip_suffix('Z')
            .and_then(|v| v.split_once('.'))
            .is_some_and(|(_, frac)| !frac.is_empty() && frac.bytes().all(|b| b == b'0'))
}

/// ipfix2csv's view of the records that have all of `columns`.
pub struct CsvView {
    /// The columns python-ipfix could name, with their comparison kinds.
    pub columns: Vec<(String, String)>,
    /// The columns it could not (its registry ends at IE 433).
    pub unknown: Vec<String>,
    /// Normalised values, one row per record.
    pub rows: Vec<Vec<String>>,
}

pub fn ipfix2csv(peers: &Peers, file: &Path, spec: Option<&Path>, columns: &[String]) -> CsvView {
    let mut cmd = Command::new(&peers.python);
    cmd.arg(script("ipfix2csv_records.py")).arg(file);
    cmd.arg("--ipfix2csv").arg(&peers.ipfix2csv);
    if let Some(spec) = spec {
        cmd.arg("--spec").arg(spec);
    }
    cmd.args(columns);
    let stdout = run_ok(&mut cmd, QUICK);
    let v: Value = serde_json::from_str(&stdout).expect("ipfix2csv_records.py prints JSON");
    let columns = v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| (str_of(c, "key").to_string(), str_of(c, "kind").to_string()))
        .collect();
    let rows = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_str().expect("cell").to_string())
                .collect()
        })
        .collect();
    let unknown = v["unknown"]
        .as_array()
        .expect("unknown")
        .iter()
        .map(|c| c.as_str().expect("column name").to_string())
        .collect();
    CsvView {
        columns,
        unknown,
        rows,
    }
}

// ---------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------

/// Parses a float as a peer printed it (C's `1e+16`, Python's `1e16`, `inf`, `nan`).
pub fn parse_float(s: &str) -> Option<f64> {
    match s.trim().to_ascii_lowercase().as_str() {
        "nan" | "-nan" => Some(f64::NAN),
        "inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// `x` rounded to 8 significant digits, as C's `%.8g` does.
pub fn round_8g(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.7e}").parse().expect("formatted float parses")
}

/// Our value of a float field as a double. A float64 IE sent in 4 bytes (RFC 7011 §6.2)
/// holds a float32; whether it is printed as `0.1` (shortest for f32) or
/// `0.10000000149011612` (shortest for the widened f64), both name the same float32.
pub fn our_float(ours: &Value, len: u64) -> Option<f64> {
    let x = match ours {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => parse_float(s)?, // NaN and infinities cannot be JSON numbers
        _ => return None,
    };
    Some(if len == 4 { x as f32 as f64 } else { x })
}

pub fn same_float(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Does our JSON value agree with a peer's? `Err` says how it does not.
pub fn compare(ours: &Value, peer: &PeerField) -> Result<(), String> {
    let fail = |why: &str| Err(format!("ours {ours} vs peer {:?} ({why})", peer.value));
    match peer.kind.as_str() {
        "int" => match ours {
            Value::Number(n) if (n.is_u64() || n.is_i64()) && n.to_string() == peer.value => Ok(()),
            _ => fail("integers differ"),
        },
        "float8g" | "float" => {
            let (Some(x), Some(y)) = (our_float(ours, peer.len), parse_float(&peer.value)) else {
                return fail("not a float");
            };
            // ipfixDump prints %.8g; python-ipfix the full double.
            let x = if peer.kind == "float8g" {
                round_8g(x)
            } else {
                x
            };
            if same_float(x, y) {
                Ok(())
            } else {
                fail("floats differ")
            }
        }
        "ip" => {
            let (Some(s), Ok(theirs)) = (ours.as_str(), peer.value.parse::<IpAddr>()) else {
                return fail("not an address");
            };
            match s.parse::<IpAddr>() {
                // Same address; and ours in canonical form (RFC 5952 for IPv6, which is
                // what std's Display writes).
                Ok(mine) if mine == theirs && mine.to_string() == s => Ok(()),
                Ok(mine) if mine == theirs => fail("same address, but not RFC 5952 form"),
                _ => fail("addresses differ"),
            }
        }
        "text" => match ours {
            Value::String(s) if *s == peer.value => Ok(()),
            Value::Bool(b) if b.to_string() == peer.value => Ok(()),
            _ => fail("texts differ"),
        },
        // ipfixDump printed the string up to its first NUL.
        "cstring" => match ours {
            Value::String(s)
                if s.len() as u64 == peer.len
                    && s.starts_with(&peer.value)
                    && s[peer.value.len()..].bytes().all(|b| b == 0) =>
            {
                Ok(())
            }
            _ => fail("strings differ before the first NUL, or in length"),
        },
        // ipfixDump printed the seconds of a micro/nanosecond time and zeros for the fraction:
        // ours must have the same seconds and a fraction of the same precision.
        "time_seconds" => {
            let split = |s: &str| {
                let (secs, frac) = s.strip_suffix('Z')?.split_once('.')?;
                Some((secs.to_string(), frac.len()))
            };
            match (ours.as_str().and_then(split), split(&peer.value)) {
                (Some(a), Some(b)) if a == b => Ok(()),
                _ => fail("times differ in their seconds or precision"),
            }
        }
        // ipfixDump printed only the length of an octetArray.
        "octets" => match ours {
            Value::String(s) if (s.len() / 2).to_string() == peer.value => Ok(()),
            _ => fail("octetArray lengths differ"),
        },
        _ => fail("this harness cannot compare such a value"),
    }
}

/// The IE keys of one of our records (no `@` metadata), as they appear in its line.
pub fn ie_keys(rec: &Ours) -> Vec<&str> {
    let mut keys: Vec<(usize, &str)> = rec
        .object
        .keys()
        .filter(|k| !k.starts_with('@'))
        .map(|k| {
            // `"key":` with both quotes unescaped can only be a key, never inside a string
            let needle = format!("{}:", Value::String(k.clone()));
            (
                rec.line.find(&needle).expect("key in its own line"),
                k.as_str(),
            )
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// Problems found in one file, collected so one run reports all of them.
pub struct Report {
    pub file: String,
    pub problems: Vec<String>,
    pub fields_compared: usize,
    /// Keys ipfix2csv cannot print, so only ipfixDump vouches for them.
    pub csv_unknown: Vec<String>,
    /// Keys not asked of ipfix2csv because it is known to read them wrong.
    pub csv_skipped: Vec<String>,
}

impl Report {
    pub fn problem(&mut self, record: usize, what: String) {
        self.problems
            .push(format!("{} record {}: {what}", self.file, record + 1));
    }
}

/// ipfixDump: the same records in the same order, the same metadata, the same keys in the
/// same order, and agreeing values.
pub fn check_ipfixdump(report: &mut Report, ours: &[Ours], dump: &[DumpRecord]) {
    if ours.len() != dump.len() {
        report.problems.push(format!(
            "{}: ipfixkit printed {} records, ipfixDump {}",
            report.file,
            ours.len(),
            dump.len()
        ));
    }
    for (i, (mine, theirs)) in ours.iter().zip(dump).enumerate() {
        let meta = |key: &str| mine.object.get(key).cloned().unwrap_or(Value::Null);
        if meta("@export_time") != Value::String(theirs.export_time.clone()) {
            report.problem(
                i,
                format!(
                    "@export_time {} vs ipfixDump {}",
                    meta("@export_time"),
                    theirs.export_time
                ),
            );
        }
        if meta("@domain").as_u64() != Some(theirs.domain) {
            report.problem(
                i,
                format!("@domain {} vs ipfixDump {}", meta("@domain"), theirs.domain),
            );
        }
        if meta("@template").as_u64() != Some(theirs.template) {
            report.problem(
                i,
                format!(
                    "@template {} vs ipfixDump {}",
                    meta("@template"),
                    theirs.template
                ),
            );
        }
        let scope = meta("@scope");
        let scope_ok = if theirs.scope == 0 {
            scope.is_null()
        } else {
            scope.as_u64() == Some(theirs.scope)
        };
        if !scope_ok {
            report.problem(
                i,
                format!(
                    "@scope {scope} vs ipfixDump's {} scope fields",
                    theirs.scope
                ),
            );
        }
        let our_keys = ie_keys(mine);
        let their_keys: Vec<&str> = theirs.fields.iter().map(|f| f.key.as_str()).collect();
        if our_keys != their_keys {
            report.problem(
                i,
                format!("keys (in order) {our_keys:?} vs ipfixDump {their_keys:?}"),
            );
        }
        for field in &theirs.fields {
            let Some(value) = mine.object.get(&field.key) else {
                continue;
            };
            report.fields_compared += 1;
            if let Err(why) = compare(value, field) {
                report.problem(i, format!("{}: {why} [ipfixDump]", field.key));
            }
        }
    }
}

/// `en<PEN>:id<ID>`: an IE nobody named.
pub fn is_unnamed(key: &str) -> bool {
    key.starts_with("en") && key.contains(":id")
}

/// ipfix2csv, once per distinct set of keys: the records that have all those columns, in
/// order, with agreeing values. Wire lengths (to spot float32) come from ipfixDump.
pub fn check_ipfix2csv(
    report: &mut Report,
    peers: &Peers,
    file: &Path,
    spec: Option<&Path>,
    ours: &[Ours],
    dump: &[DumpRecord],
) {
    // python-ipfix 0.9.7 reads the NTP seconds of dateTimeMicro/Nanoseconds as counted from
    // 1970 instead of 1900 (RFC 7011 §6.1.9), 70 years late: such columns are left to
    // ipfixDump (seconds) and tshark (fraction, in tests/interop_convert.rs).
    for f in dump.iter().flat_map(|d| &d.fields) {
        if is_fine_time(&f.typ) && !report.csv_skipped.contains(&f.key) {
            report.csv_skipped.push(f.key.clone());
        }
    }
    // Columns ipfix2csv may know: no metadata, no repeats (`#2`, it only sees the first),
    // no unnamed IEs (`en<PEN>:id<ID>`).
    let mut sets: Vec<Vec<String>> = Vec::new();
    for rec in ours {
        let cols: Vec<String> = ie_keys(rec)
            .into_iter()
            .filter(|k| !(k.contains('#') || is_unnamed(k)))
            .filter(|k| !report.csv_skipped.iter().any(|s| s == k))
            .map(str::to_string)
            .collect();
        if !cols.is_empty() && !sets.contains(&cols) {
            sets.push(cols);
        }
    }
    for cols in sets {
        let CsvView {
            columns: known,
            unknown,
            rows,
        } = ipfix2csv(peers, file, spec, &cols);
        for name in unknown {
            if !report.csv_unknown.contains(&name) {
                report.csv_unknown.push(name);
            }
        }
        if known.is_empty() {
            continue;
        }
        let expected: Vec<usize> = (0..ours.len())
            .filter(|&i| known.iter().all(|(k, _)| ours[i].object.contains_key(k)))
            .collect();
        let names: Vec<&str> = known.iter().map(|(k, _)| k.as_str()).collect();
        if expected.len() != rows.len() {
            // Rows cannot be paired up; comparing them would only report noise.
            report.problems.push(format!(
                "{}: {} records have all of {names:?}, ipfix2csv printed {} rows",
                report.file,
                expected.len(),
                rows.len()
            ));
            continue;
        }
        for (&i, row) in expected.iter().zip(&rows) {
            for ((key, kind), cell) in known.iter().zip(row) {
                let len = dump
                    .get(i)
                    .and_then(|d| d.fields.iter().find(|f| f.key == *key))
                    .map_or(0, |f| f.len);
                let peer = PeerField {
                    key: key.clone(),
                    kind: kind.clone(),
                    value: cell.clone(),
                    len,
                    typ: String::new(),
                };
                report.fields_compared += 1;
                if let Err(why) = compare(&ours[i].object[key], &peer) {
                    report.problem(i, format!("{key}: {why} [ipfix2csv]"));
                }
            }
        }
    }
}

/// Runs ipfixkit and both peers on `file`; returns every disagreement found.
pub fn check_file(peers: &Peers, file: &Path, spec: Option<&Path>) -> Vec<String> {
    let ours = ours(file, spec);
    let dump = ipfixdump(peers, file, spec);
    let mut report = Report {
        file: file.display().to_string(),
        problems: Vec::new(),
        fields_compared: 0,
        csv_unknown: Vec::new(),
        csv_skipped: Vec::new(),
    };
    assert!(
        !ours.is_empty(),
        "{}: ipfixkit printed no records",
        report.file
    );
    check_ipfixdump(&mut report, &ours, &dump);
    let by_dump = report.fields_compared;
    check_ipfix2csv(&mut report, peers, file, spec, &ours, &dump);
    let by_csv = report.fields_compared - by_dump;
    // A comparison that compared nothing would pass whatever ipfixkit printed.
    assert!(
        by_dump > 0 && by_csv > 0,
        "{}: nothing was compared (ipfixDump {by_dump} fields, ipfix2csv {by_csv})",
        report.file
    );
    println!(
        "interop: {}: {} records; {by_dump} fields compared with ipfixDump, {by_csv} with \
         ipfix2csv (which cannot name {:?}, and is not asked about {:?}); {} problems",
        report.file,
        ours.len(),
        report.csv_unknown,
        report.csv_skipped,
        report.problems.len()
    );
    report.problems
}

/// Fails with every problem of every file checked.
pub fn assert_agree(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "ipfixkit disagrees with the peers ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
