//! The damage of `gen --corrupt KIND` ([`ipfixkit::generator::corrupt`]) on real files: for every
//! kind and a few seeds, `ipfixkit cat` of the damaged file must not panic, must exit 1
//! (every kind loses records or is malformed) and must print the exact line naming the file
//! and the damaged byte.
//! `ipfixDump` (libfixbuf 2.4.1) reads the same file under a time limit and must reject it or
//! warn.

mod common;
#[path = "common/peers.rs"]
mod peers;

use common::{Workdir, testdata};
use ipfixkit::generator::corrupt::{Damage, Kind, corrupt};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Real files: varlen strings and 2 domains (pyipfix, 3 messages); RFC 5610 type records
/// and varlen strings from libfixbuf (fixbuf-5610, 3 messages); many messages (ipfixcol2);
/// one message with options and 4 templates (softflowd).
const FILES: [&str; 4] = [
    "interop/pyipfix.ipfix",
    "interop/fixbuf-5610.ipfix",
    "samples/ipfixcol2-example_flows.ipfix",
    "interop/softflowd-uni.ipfix",
];

const SEEDS: [u64; 3] = [0, 1, 7];

/// How long ipfixDump may take on a damaged file before it counts as hung.
const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn truncate_is_a_truncated_message() {
    check(Kind::Truncate);
}

#[test]
fn bad_version_is_a_bad_message_header() {
    check(Kind::BadVersion);
}

#[test]
fn bad_set_length_is_reported_at_the_set() {
    check(Kind::BadSetLength);
}

#[test]
fn zero_set_length_is_reported_at_the_set() {
    check(Kind::ZeroSetLength);
}

#[test]
fn unknown_template_is_an_error_at_the_set() {
    check(Kind::UnknownTemplate);
}

#[test]
fn varlen_overrun_is_a_record_past_its_set() {
    check(Kind::VarlenOverrun);
}

#[test]
fn field_count_bomb_is_a_template_past_its_set() {
    check(Kind::FieldCountBomb);
}

#[test]
fn template_withdrawn_then_used_is_an_error_at_the_data() {
    check(Kind::TemplateWithdrawnThenUsed);
}

/// What cannot be damaged is refused with a message saying what is missing.
#[test]
fn files_without_the_place_are_refused() {
    let soft = std::fs::read(testdata("interop/softflowd-uni.ipfix")).unwrap();
    // One message: no template can be reused from an earlier one.
    let e = corrupt(Kind::TemplateWithdrawnThenUsed, &soft, 0).unwrap_err();
    assert!(e.contains("earlier message"), "{e}");
    // A damaged file is refused, whatever the kind.
    let malformed = std::fs::read(testdata("malformed/record-past-set.ipfix")).unwrap();
    for k in Kind::ALL {
        let e = corrupt(k, &malformed, 0).unwrap_err();
        assert!(e.contains("not a valid IPFIX file"), "{k}: {e}");
    }
}

/// Every kind on every file that has a place for it (and at least two files per kind),
/// with each seed.
fn check(kind: Kind) {
    let w = Workdir::new(&format!("corrupt-{kind}"));
    let mut damaged = 0;
    for file in FILES {
        let good = std::fs::read(testdata(file)).unwrap();
        let mut peer_jobs = Vec::new();
        for seed in SEEDS {
            let (bad, d) = match corrupt(kind, &good, seed) {
                Ok(r) => r,
                Err(e) => {
                    let why = lacks(kind, file)
                        .unwrap_or_else(|| panic!("{kind} on {file} seed {seed}: {e}"));
                    assert!(e.contains(why), "{kind} on {file}: {e}");
                    continue;
                }
            };
            assert_eq!(
                corrupt(kind, &good, seed).unwrap(),
                (bad.clone(), d.clone()),
                "{kind} seed {seed} is not deterministic"
            );
            let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
            let name = format!("{stem}-{kind}-{seed}.ipfix");
            w.write(&name, &bad);
            let (code, line) = expected(kind, &bad, &d);
            let r = w.run(&["cat", &name]);
            assert!(
                !r.stderr.contains("panicked") && r.code != 101,
                "{kind} on {file} seed {seed} ({d}): ipfixkit panicked:\n{}",
                r.stderr
            );
            let first = r.stderr.lines().next().unwrap_or("");
            assert_eq!(
                (r.code, first),
                (code, format!("ipfixkit: {name}: {line}").as_str()),
                "{kind} on {file} seed {seed} ({d}); all of stderr:\n{}",
                r.stderr
            );
            println!(
                "{name}: {d}\n  cat: exit {}: {first} (+{} more lines)",
                r.code,
                r.stderr.lines().count() - 1,
            );
            peer_jobs.push((seed, d, w.path(&name)));
            damaged += 1;
        }
        // The seeds of one file side by side: a hung ipfixDump costs LIMIT once, not thrice.
        let original = testdata(file);
        let peers: Vec<Peer> = std::thread::scope(|s| {
            let runs: Vec<_> = peer_jobs
                .iter()
                .map(|(_, _, path)| s.spawn(|| ipfixdump(&original, path)))
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for ((seed, d, path), peer) in peer_jobs.iter().zip(peers) {
            println!("{}: ipfixDump {peer:?}", path.display());
            assert!(
                matches!(peer, Peer::Missing | Peer::Rejected(..) | Peer::Warned(_))
                    || quirk(kind, &peer),
                "{kind} on {file} seed {seed} ({d}): ipfixDump {peer:?}"
            );
        }
    }
    assert!(
        damaged >= 2 * SEEDS.len(),
        "{kind}: only {damaged} files damaged"
    );
}

/// Why `kind` has no place in `file`, as its error says, where the file lacks one.
fn lacks(kind: Kind, file: &str) -> Option<&'static str> {
    match kind {
        // softflowd-uni is one message: nothing can be reused after a withdrawal.
        Kind::TemplateWithdrawnThenUsed if file.contains("softflowd") => Some("earlier message"),
        // Only fixed-length fields (softflowd pads interfaceName to 16 octets).
        Kind::VarlenOverrun if file.contains("softflowd") || file.contains("ipfixcol2") => {
            Some("variable-length field")
        }
        _ => None,
    }
}

/// The exit code and the first stderr line (after `ipfixkit: NAME: `) that `ipfixkit cat`
/// must print for `kind`'s damage, worked out from the damaged bytes, not from the decoder.
fn expected(kind: Kind, bad: &[u8], d: &Damage) -> (i32, String) {
    let at = d.offset as usize;
    let p = locate(bad, at).unwrap_or_else(|| panic!("{d}: no message holds byte {at}"));
    let k = p.number;
    let code = 1;
    let line = match kind {
        Kind::Truncate => format!(
            "byte {at} (message {k}): truncated message: header says {} octets, only {} remain",
            p.len,
            bad.len() - at
        ),
        Kind::BadVersion => format!(
            "byte {at}: not an IPFIX message header (version 11, expected 10); {}",
            match locate(bad, at + p.len) {
                Some(next) => format!(
                    "skipped {} octets to the next message at byte {}",
                    p.len, next.at
                ),
                None => format!(
                    "skipped {} octets to the end, no further message found",
                    p.len
                ),
            }
        ),
        Kind::BadSetLength | Kind::ZeroSetLength => {
            let (id, _) = p.set.unwrap_or_else(|| panic!("{d}: no set at {at}"));
            let length = be16(bad, at + 2);
            format!(
                "byte {at} (message {k}, set {id}): bad set length {length} ({} octets left in the message); rest of message skipped",
                p.at + p.len - at
            )
        }
        Kind::UnknownTemplate => {
            let (id, len) = p.set.unwrap();
            format!(
                "byte {at} (message {k}, set {id}): 1 data set(s) ({len} octets) of template {id} in domain {} never got their template; left out",
                p.domain
            )
        }
        Kind::VarlenOverrun => {
            let (id, _) = p.set.unwrap();
            let record: u64 = d
                .what
                .strip_prefix("record ")
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{d}: which record?"));
            format!(
                "byte {at} (message {k}, set {id}): record {record} of template {id} runs past the end of its set; rest of set skipped"
            )
        }
        Kind::FieldCountBomb => {
            let (set, _) = p.set.unwrap();
            format!(
                "byte {at} (message {k}, set {set}): template {} declares 65535 fields but the set ends first; rest of set skipped",
                be16(bad, at)
            )
        }
        Kind::TemplateWithdrawnThenUsed => {
            // The inserted message withdraws T; the next message's first data set of T is
            // where the reader finds the problem.
            let t = be16(bad, at + 20);
            let next = locate(bad, at + p.len).unwrap();
            let (set_at, _, _) = sets(bad, next.at, next.len)
                .find(|&(_, id, _)| id == t)
                .unwrap_or_else(|| panic!("{d}: no data set of {t} after the withdrawal"));
            format!(
                "byte {set_at} (message {}, set {t}): data set for template {t} in domain {}, which was withdrawn, skipped (reported once)",
                next.number, p.domain
            )
        }
    };
    (code, line)
}

/// The message holding byte `at` (and the set starting there or holding it), found by
/// walking message and set headers from the start; None past the last message.
struct Place {
    number: u64,
    at: usize,
    len: usize,
    domain: u32,
    /// ID and length of the set.
    set: Option<(u16, usize)>,
}

fn locate(b: &[u8], at: usize) -> Option<Place> {
    let mut m = 0;
    let mut number = 1;
    while m + 16 <= b.len() {
        let len = be16(b, m + 2) as usize;
        if at < m + len.max(16) {
            let set = sets(b, m, len)
                .find(|&(s, _, l)| s == at || (s..s + l).contains(&at))
                .map(|(_, id, l)| (id, l));
            return Some(Place {
                number,
                at: m,
                len,
                domain: u32::from_be_bytes(b[m + 12..m + 16].try_into().unwrap()),
                set,
            });
        }
        m += len.max(16);
        number += 1;
    }
    None
}

/// (offset, ID, length) of the sets of the message at `m`, up to the first bad set header
/// (which is still yielded).
fn sets(b: &[u8], m: usize, len: usize) -> impl Iterator<Item = (usize, u16, usize)> + '_ {
    let end = (m + len).min(b.len());
    let mut s = m + 16;
    std::iter::from_fn(move || {
        if s + 4 > end {
            return None;
        }
        let (at, id, l) = (s, be16(b, s), be16(b, s + 2) as usize);
        s = if l < 4 { end } else { s + l };
        Some((at, id, l))
    })
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// What ipfixDump made of a file.
#[derive(Debug, PartialEq)]
enum Peer {
    Missing,
    /// Non-zero exit, with its first new line.
    Rejected(i32, String),
    /// Exit 0 with a warning or error line the undamaged file does not give.
    Warned(String),
    /// Exit 0, not a word, and fewer data records than the undamaged file.
    Dropped {
        records: usize,
        of: usize,
    },
    /// Still running at [`LIMIT`]: killed, after printing `records` data records.
    Hung {
        records: usize,
    },
    /// Exit 0, not a word, every record: the damage went unnoticed.
    Unnoticed,
}

/// ipfixDump 2.4.1's reactions other than a rejection or a warning, as this test found them
/// (`cargo test --test gen_corrupt -- --nocapture` prints every file's): a test failure here
/// means the peer changed, not ipfixkit.
///
/// - bad-set-length: a set longer than what is left in its message ends the message without
///   a word; its records, and the rest of the message's, are simply missing.
/// - varlen-overrun: a record whose varlen field runs past its set ends the set (and, in
///   pyipfix.ipfix, the message) without a word.
/// - template-withdrawn-then-used: ipfixDump loops forever (killed after [`LIMIT`]) even with
///   the withdrawal in a message of its own, not only when withdrawal and data share one: it
///   reads the withdrawn template's next data set as endless records of no fields
///   (`--- data record 4389140 ---`, `count: 0 tid: 1000`, some 100 MB/s of them).
fn quirk(kind: Kind, peer: &Peer) -> bool {
    matches!(
        (kind, peer),
        (
            Kind::BadSetLength | Kind::VarlenOverrun,
            Peer::Dropped { .. }
        ) | (Kind::TemplateWithdrawnThenUsed, Peer::Hung { .. })
    )
}

/// The lines of an ipfixDump run that are about problems, without GLib's pid and time
/// (`** (ipfixDump:8077): WARNING **: 20:30:03.283: text` -> `WARNING: text`), and its count
/// of data records.
fn complaints(run: &Limited) -> (Vec<String>, usize) {
    let mut lines = Vec::new();
    for l in run.stderr.lines().chain(run.stdout.lines()) {
        let glib = l.starts_with("** (ipfixDump:");
        if !(glib || l.starts_with("ipfixDump:") || run.stderr.lines().any(|e| e == l)) {
            continue;
        }
        let l = match l.rsplit_once(" **: ") {
            Some((head, rest)) if glib => {
                let level = head.rsplit(' ').next().unwrap_or("");
                let text = rest.split_once(": ").map_or(rest, |(_, t)| t);
                format!("{level}: {text}")
            }
            _ => l.to_string(),
        };
        if !l.trim().is_empty() && !lines.contains(&l) {
            lines.push(l);
        }
    }
    (lines, run.records)
}

/// ipfixDump on `file`, judged against its run on `good` (the ipfixcol2 sample alone already
/// draws an out-of-sequence warning).
fn ipfixdump(good: &Path, file: &Path) -> Peer {
    let Some(tool) = peers::find_tool("ipfixDump") else {
        peers::missing("ipfixDump");
        return Peer::Missing;
    };
    let baseline = run_limited(Command::new(&tool).arg("--in").arg(good), LIMIT);
    assert_eq!(baseline.code, Some(0), "ipfixDump on {}", good.display());
    let (known, all) = complaints(&baseline);
    let run = run_limited(Command::new(&tool).arg("--in").arg(file), LIMIT);
    let Some(code) = run.code else {
        return Peer::Hung {
            records: run.records,
        };
    };
    let (said, records) = complaints(&run);
    let new = said.into_iter().find(|l| !known.contains(l));
    match (code, new) {
        (0, Some(l)) => Peer::Warned(l),
        (0, None) if records < all => Peer::Dropped { records, of: all },
        (0, None) => Peer::Unnoticed,
        (c, l) => Peer::Rejected(c, l.unwrap_or_default()),
    }
}

struct Limited {
    /// None: killed at the limit.
    code: Option<i32>,
    /// The first [`KEEP`] octets of each stream, as text.
    stdout: String,
    stderr: String,
    /// Data records ipfixDump printed (in all of stdout, not only what was kept).
    records: usize,
}

/// How much of a stream is kept: a hung ipfixDump writes endless empty records (some
/// 100 MB/s), and three of them run at once.
const KEEP: usize = 16 << 20;

/// Runs `cmd`, killing it after `limit`; its output so far either way.
fn run_limited(cmd: &mut Command, limit: Duration) -> Limited {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reader = |pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut pipe = BufReader::new(pipe);
            let (mut kept, mut line, mut records) = (Vec::new(), Vec::new(), 0);
            loop {
                line.clear();
                match pipe.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                records += usize::from(line.starts_with(b"--- data record"));
                if kept.len() + line.len() <= KEEP {
                    kept.extend_from_slice(&line);
                }
            }
            (String::from_utf8_lossy(&kept).into_owned(), records)
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let code = loop {
        match child.try_wait().unwrap() {
            Some(status) => break Some(status.code().unwrap_or(-1)),
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let (stdout, records) = out.join().unwrap();
    Limited {
        code,
        stdout,
        stderr: err.join().unwrap().0,
        records,
    }
}
