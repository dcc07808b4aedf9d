//! Hostile input: crafted byte strings through `ByteSource::from_bytes` + `Session` +
//! `decode_all`, with a visitor that records everything in order. Each case states the exact
//! events: messages, templates, withdrawals, records (offset and bytes) and problems (offset,
//! message, set and `ErrorKind` with its values).
//!
//! Invariants checked for every case: nothing panics, loops or allocates out of proportion;
//! records read before a problem are handed to the visitor before the problem.
//!
//! The files under `testdata/malformed/` (one per error kind) are made by [`malformed_cases`];
//! `UPDATE_EXPECTED=1 cargo test --test hostile` rewrites them.

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::ipfix::encode::{message, set, template_record};
use ipfixkit::ipfix::session::{Flow, MessageCtx, Pending, RecordRef, Session, Visitor};
use ipfixkit::ipfix::text::TimeStyle;
use ipfixkit::ipfix::{DecodeError, InfoModel, Template, VARLEN, decode};
use ipfixkit::output::json::JsonPrinter;
use ipfixkit::output::render::json_value;
use ipfixkit::output::{Drive, PrintOptions, Printer};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Allocation accounting, per thread (tests run in parallel).

mod alloc_meter {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn track(delta: isize) {
        let _ = LIVE.try_with(|l| {
            let now = l.get() + delta;
            l.set(now);
            let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
        });
    }

    /// Counts the bytes this thread has live, to bound what a decode allocates.
    pub struct Meter;

    // SAFETY: every call is forwarded unchanged to the system allocator; the bookkeeping only
    // touches const-initialised thread-locals of plain integers (no allocation, no destructor).
    // This is the only `unsafe` in the tests: a global allocator cannot be written without it.
    unsafe impl GlobalAlloc for Meter {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(l) };
            if !p.is_null() {
                track(l.size() as isize);
            }
            p
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { System.dealloc(p, l) };
            track(-(l.size() as isize));
        }
        unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(l) };
            if !p.is_null() {
                track(l.size() as isize);
            }
            p
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
            let q = unsafe { System.realloc(p, l, new) };
            if !q.is_null() {
                track(new as isize - l.size() as isize);
            }
            q
        }
    }

    /// Runs `f` and returns its result with the peak of bytes it had live at once.
    pub fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
        let base = LIVE.with(|l| l.get());
        PEAK.with(|p| p.set(base));
        let r = f();
        let peak = PEAK.with(|p| p.get());
        (r, (peak - base).max(0) as usize)
    }
}

#[global_allocator]
static METER: alloc_meter::Meter = alloc_meter::Meter;

// ---------------------------------------------------------------------------------------------
// The recording visitor. Events are lines, so a case reads like a log:
//   msg#1@0            message 1 at byte 0
//   tpl 256@20         template 256 defined by the record at byte 20 ("same" for a re-send)
//   wd 256 / wd all / wd all options
//   rec 256@36 d1 c00002010050   record of template 256 in domain 1 at byte 36, its bytes
//   err@48 m1 s2 Kind { .. }     a problem at byte 48 in message 1, set 2

struct Recorder {
    lines: Vec<String>,
    /// (position in `lines`, offset) of every record and problem, for the ordering check.
    records: Vec<(usize, u64, u64)>,
    problems: Vec<(usize, u64, Option<u64>)>,
    message: u64,
    /// Data sets held for their template (the recoveries are lines).
    held: u64,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            lines: Vec::new(),
            records: Vec::new(),
            problems: Vec::new(),
            message: 0,
            held: 0,
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

impl Visitor for Recorder {
    fn message(&mut self, m: &MessageCtx) -> Flow {
        self.message = m.index;
        self.lines.push(format!("msg#{}@{}", m.index, m.offset));
        Flow::Continue
    }
    fn template(&mut self, _m: &MessageCtx, t: &Arc<Template>, offset: u64, changed: bool) -> Flow {
        let same = if changed { "" } else { " same" };
        self.lines.push(format!("tpl {}@{offset}{same}", t.id));
        Flow::Continue
    }
    fn withdrawal(&mut self, _m: &MessageCtx, id: Option<u16>, options: bool) -> Flow {
        self.lines.push(match (id, options) {
            (Some(id), _) => format!("wd {id}"),
            (None, false) => "wd all".to_string(),
            (None, true) => "wd all options".to_string(),
        });
        Flow::Continue
    }
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        let mut line = format!(
            "rec {}@{} d{} {}",
            r.template.id,
            r.offset,
            r.domain(),
            hex(r.data)
        );
        // Structured data is rendered as a user would see it (JSON), to exercise the list views.
        for (f, v) in r.fields() {
            if f.dtype.is_list() {
                let mut out = Vec::new();
                json_value(
                    &mut out,
                    &decode(f.dtype, v),
                    r.scope,
                    TimeStyle::Rfc3339,
                    0,
                );
                line.push(' ');
                line.push_str(&String::from_utf8_lossy(&out));
            }
        }
        self.records.push((self.lines.len(), r.offset, r.msg.index));
        self.lines.push(line);
        Flow::Continue
    }
    fn pending(&mut self, p: Pending) {
        match p {
            Pending::Held { .. } | Pending::Skipped { .. } => self.held += 1,
            Pending::Recovered {
                domain,
                template,
                records,
            } => self
                .lines
                .push(format!("recovered {template} d{domain}: {records} records")),
        }
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        let m = e.message.map_or("-".to_string(), |m| m.to_string());
        let s = e.set.map_or("-".to_string(), |s| s.to_string());
        // Display must be a sentence and never panic.
        assert!(!e.to_string().is_empty());
        self.problems.push((self.lines.len(), e.offset, e.message));
        self.lines
            .push(format!("err@{} m{m} s{s} {:?}", e.offset, e.kind));
        Flow::Continue
    }
}

/// Decodes `b` and returns the event lines, checking the invariants on the way.
fn run(b: &[u8]) -> Vec<String> {
    run_session(b).0
}

fn run_session(b: &[u8]) -> (Vec<String>, Session) {
    let mut src = ByteSource::from_bytes(b.to_vec());
    let mut session = Session::new(InfoModel::builtin());
    let mut rec = Recorder::new();
    decode_all(&mut src, &mut session, &mut rec);
    // Records read before damage come before the problem: a record of the same message at a
    // lower offset than a problem is never reported after it.
    for &(pi, poff, pmsg) in &rec.problems {
        for &(ri, roff, rmsg) in &rec.records {
            if Some(rmsg) == pmsg && roff < poff {
                assert!(
                    ri < pi,
                    "record at {roff} reported after the problem at {poff}:\n{}",
                    rec.lines.join("\n")
                );
            }
        }
    }
    (rec.lines, session)
}

/// Compares event lines, showing both in full on a mismatch.
#[track_caller]
fn expect(case: &str, b: &[u8], want: &[&str]) {
    let got = run(b);
    assert_eq!(
        got,
        want,
        "case {case}\n--- got:\n{}\n--- want:\n{}\n--- input: {}",
        got.join("\n"),
        want.join("\n"),
        hex(b)
    );
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

/// Template 256: sourceIPv4Address[4], destinationTransportPort[2]; records of 6 octets.
const T256: [(u32, u16, u16); 2] = [(0, 8, 4), (0, 11, 2)];
/// Options template 257: scope observationDomainId[4], exportedMessageTotalCount[8].
const T257: [(u32, u16, u16); 2] = [(0, 149, 4), (0, 41, 8)];
/// Template 258: destinationTransportPort[2], interfaceName[varlen].
const T258: [(u32, u16, u16); 2] = [(0, 11, 2), (0, 82, VARLEN)];

fn tr(id: u16, scope: u16, fields: &[(u32, u16, u16)]) -> Vec<u8> {
    template_record(id, scope, fields).unwrap()
}

fn s(id: u16, body: &[u8]) -> Vec<u8> {
    set(id, body).unwrap()
}

fn msg(domain: u32, sets: &[Vec<u8>]) -> Vec<u8> {
    message(1_700_000_000, 0, domain, sets).unwrap()
}

fn r256(i: u8) -> Vec<u8> {
    vec![192, 0, 2, i, 0, 80]
}

fn r257(i: u8) -> Vec<u8> {
    vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, i]
}

/// The reference message: template set (record at 20), data set at 32 with records at 36, 42.
fn m1() -> Vec<u8> {
    m1_in(1)
}

fn m1_in(domain: u32) -> Vec<u8> {
    msg(
        domain,
        &[
            s(2, &tr(256, 0, &T256)),
            s(256, &[r256(1), r256(2)].concat()),
        ],
    )
}

const M1_EVENTS: [&str; 4] = [
    "msg#1@0",
    "tpl 256@20",
    "rec 256@36 d1 c00002010050",
    "rec 256@42 d1 c00002020050",
];

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Events of `m1` as message `index` at `at` in domain `d`.
fn m1_events(index: u64, at: u64, d: u32) -> Vec<String> {
    vec![
        format!("msg#{index}@{at}"),
        format!("tpl 256@{}", at + 20),
        format!("rec 256@{} d{d} c00002010050", at + 36),
        format!("rec 256@{} d{d} c00002020050", at + 42),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ---------------------------------------------------------------------------------------------
// Truncations.

#[test]
fn reference_message_is_clean() {
    assert_eq!(m1().len(), 48);
    expect("m1", &m1(), &M1_EVENTS);
}

#[test]
fn every_truncation_of_the_message_header() {
    let m = m1();
    expect("empty input", &[], &[]);
    for n in 1..16 {
        let want = format!("err@0 m1 s- TruncatedHeader {{ have: {n} }}");
        expect(&format!("header cut at {n}"), &m[..n], &[&want]);
    }
    // The same after a good message: its records are kept, the tail is message 2.
    for n in 1..16 {
        let b = cat(&[&m, &m[..n]]);
        let want = format!("err@48 m2 s- TruncatedHeader {{ have: {n} }}");
        let mut w = M1_EVENTS.to_vec();
        w.push(&want);
        expect(&format!("second header cut at {n}"), &b, &w);
    }
}

#[test]
fn every_truncation_of_a_message_body() {
    // The input ends inside the message: sets complete before the cut are decoded, and so are
    // the complete records of a data set the cut runs through; then the truncation is
    // reported at the start of the message whose length is wrong.
    let m = m1();
    for n in 16..48 {
        let cut = format!("err@0 m1 s- TruncatedMessage {{ claimed: 48, have: {n} }}");
        let mut want = vec!["msg#1@0"];
        if n >= 32 {
            want.push("tpl 256@20");
        }
        // the complete records of a cut data set are readable, and read
        if n >= 42 {
            want.push("rec 256@36 d1 c00002010050");
        }
        want.push(&cut);
        expect(&format!("message cut at {n}"), &m[..n], &want);
    }
}

#[test]
fn every_truncation_of_a_set_header() {
    // Framing is consistent (the message length says where it ends) but fewer than 4 octets
    // remain for the next set header.
    let hdr = [1u8, 0, 0, 10];
    for k in 1..4 {
        let b = msg(1, &[hdr[..k].to_vec()]);
        let want = format!("err@16 m1 s- BadSetLength {{ length: 0, remaining: {k} }}");
        expect(&format!("set header of {k}"), &b, &["msg#1@0", &want]);
        // after complete sets: their records come first
        let b = msg(
            1,
            &[
                s(2, &tr(256, 0, &T256)),
                s(256, &[r256(1), r256(2)].concat()),
                hdr[..k].to_vec(),
            ],
        );
        let want = format!("err@48 m1 s- BadSetLength {{ length: 0, remaining: {k} }}");
        let mut w = M1_EVENTS.to_vec();
        w.push(&want);
        expect(&format!("set header of {k} after sets"), &b, &w);
    }
}

#[test]
fn every_truncation_of_a_template_record() {
    let t = tr(256, 0, &T256);
    assert_eq!(t.len(), 12);
    for k in 0..=t.len() {
        // The set (and message) end where the record is cut; a data set follows.
        let b = msg(1, &[s(2, &t[..k]), s(256, &r256(1))]);
        let data_at = 16 + 4 + k as u64;
        let unknown = format!(
            "err@{data_at} m1 s256 UnknownTemplate {{ domain: 1, template: 256, sets: 1, octets: 10, dropped: 0 }}"
        );
        let rec = format!("rec 256@{} d1 c00002010050", data_at + 4);
        let want: Vec<&str> = match k {
            // fewer than 4 octets at the end of a template set are padding (RFC 7011 §3.3.1)
            0..4 => vec!["msg#1@0", &unknown],
            4..12 => vec![
                "msg#1@0",
                "err@20 m1 s2 TemplatePastSet { template: 256, fields: 2 }",
                &unknown,
            ],
            _ => vec!["msg#1@0", "tpl 256@20", &rec],
        };
        expect(&format!("template record cut at {k}"), &b, &want);
    }
}

#[test]
fn every_truncation_of_an_options_template_record() {
    let t = tr(257, 1, &T257);
    assert_eq!(t.len(), 14);
    for k in 0..=t.len() {
        let b = msg(1, &[s(3, &t[..k]), s(257, &r257(1))]);
        let data_at = 16 + 4 + k as u64;
        let unknown = format!(
            "err@{data_at} m1 s257 UnknownTemplate {{ domain: 1, template: 257, sets: 1, octets: 16, dropped: 0 }}"
        );
        let rec = format!("rec 257@{} d1 {}", data_at + 4, hex(&r257(1)));
        let want: Vec<&str> = match k {
            0..4 => vec!["msg#1@0", &unknown],
            4..14 => vec![
                "msg#1@0",
                "err@20 m1 s3 TemplatePastSet { template: 257, fields: 2 }",
                &unknown,
            ],
            _ => vec!["msg#1@0", "tpl 257@20", &rec],
        };
        expect(&format!("options template record cut at {k}"), &b, &want);
    }
}

#[test]
fn every_truncation_of_a_fixed_length_data_record() {
    // A tail shorter than a fixed-length record is padding, never an error (RFC 7011 §3.3.1).
    let two = [r256(1), r256(2)].concat();
    for k in 0..=two.len() {
        let b = msg(1, &[s(2, &tr(256, 0, &T256)), s(256, &two[..k])]);
        let mut want = vec!["msg#1@0", "tpl 256@20"];
        if k >= 6 {
            want.push("rec 256@36 d1 c00002010050");
        }
        if k == 12 {
            want.push("rec 256@42 d1 c00002020050");
        }
        expect(&format!("fixed records cut at {k}"), &b, &want);
    }
}

#[test]
fn every_truncation_of_a_varlen_data_record() {
    // Record of template 258 with the 1-octet and the 3-octet length prefix; a complete record
    // comes first, so the cut one is record 2.
    let first = vec![0u8, 22, 2, b'l', b'o'];
    let short = vec![0u8, 80, 3, b'e', b't', b'h'];
    let long = vec![0u8, 80, 0xFF, 0, 3, b'e', b't', b'h'];
    for (form, r) in [("short", &short), ("long", &long)] {
        for k in 0..=r.len() {
            let body = cat(&[&first, &r[..k]]);
            let b = msg(1, &[s(2, &tr(258, 0, &T258)), s(258, &body)]);
            let rec2 = format!("rec 258@41 d1 {}", hex(r));
            let mut want = vec!["msg#1@0", "tpl 258@20", "rec 258@36 d1 0016026c6f"];
            match k {
                // below the shortest record (2 + 1 octets): padding
                0..3 => {}
                _ if k < r.len() => {
                    want.push("err@41 m1 s258 RecordPastSet { template: 258, record: 2 }")
                }
                _ => want.push(&rec2),
            }
            expect(&format!("{form} varlen record cut at {k}"), &b, &want);
        }
    }
}

#[test]
fn variable_lengths_past_the_set() {
    // The prefix claims more than the set holds, in both forms; records before are kept.
    for (form, rec) in [
        ("1-octet", vec![0u8, 80, 200, b'x']),
        ("3-octet", vec![0u8, 80, 0xFF, 0xFF, 0xF0, b'x']),
        ("3-octet prefix cut", vec![0u8, 80, 0xFF, 0x01]),
    ] {
        let body = cat(&[&[0, 22, 0], &rec, &[0, 0, 0, 0]]);
        let b = msg(1, &[s(2, &tr(258, 0, &T258)), s(258, &body)]);
        expect(
            form,
            &b,
            &[
                "msg#1@0",
                "tpl 258@20",
                "rec 258@36 d1 001600",
                "err@39 m1 s258 RecordPastSet { template: 258, record: 2 }",
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Structured data inside a record: the record is delivered, the damaged list renders as an
// error object with the list bytes in hex.

/// One record of template `tid` with `fields`, holding `content` as the varlen list field.
fn list_record(tid: u16, ie: u16, content: &[u8], extra_templates: &[Vec<u8>]) -> Vec<u8> {
    let mut tset = extra_templates.concat();
    tset.extend(tr(tid, 0, &[(0, ie, VARLEN)]));
    let mut data = vec![0xFF];
    data.extend_from_slice(&(content.len() as u16).to_be_bytes());
    data.extend_from_slice(content);
    msg(1, &[s(2, &tset), s(tid, &data)])
}

/// The events of [`list_record`]: the templates, the record with its list rendered as `json`,
/// and, when the list is damaged (`err_at`: offset of the damage in `content`), the
/// `ListDamage` problem after the record, with the first `@error` message of `json`.
fn list_events(
    tid: u16,
    extras: &[Vec<u8>],
    content: &[u8],
    json: &str,
    err_at: Option<usize>,
) -> Vec<String> {
    let mut data = vec![0xFF];
    data.extend_from_slice(&(content.len() as u16).to_be_bytes());
    data.extend_from_slice(content);
    let mut ev = vec!["msg#1@0".to_string()];
    let mut at = 20;
    for t in extras {
        ev.push(format!("tpl {}@{at}", u16::from_be_bytes([t[0], t[1]])));
        at += t.len();
    }
    ev.push(format!("tpl {tid}@{at}"));
    let rec_at = at + 8 + 4;
    ev.push(format!("rec {tid}@{rec_at} d1 {} {json}", hex(&data)));
    if let Some(off) = err_at {
        let what = json
            .split("\"@error\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a damaged list renders an @error");
        let field = match tid {
            259 => "basicList",
            260 => "subTemplateList",
            _ => "subTemplateMultiList",
        };
        ev.push(format!(
            "err@{} m1 s{tid} ListDamage {{ template: {tid}, record: 1, field: {field:?}, what: {what:?} }}",
            rec_at + 3 + off
        ));
    }
    ev
}

#[test]
fn every_truncation_of_a_basic_list_header() {
    let iana = [3u8, 0, 8, 0, 4];
    let enterprise = [3u8, 0x80, 1, 0, 4, 0, 0, 0x1a, 0xd7];
    for k in 0..5 {
        let c = &iana[..k];
        let json = format!(
            r#"{{"@error":"basicList shorter than its 5-octet header","@hex":"{}"}}"#,
            hex(c)
        );
        let b = list_record(259, 291, c, &[]);
        expect(
            &format!("basicList header cut at {k}"),
            &b,
            &strs(&list_events(259, &[], c, &json, Some(0))),
        );
    }
    for k in 5..9 {
        let c = &enterprise[..k];
        let json = format!(
            r#"{{"@error":"basicList shorter than its 9-octet header","@hex":"{}"}}"#,
            hex(c)
        );
        let b = list_record(259, 291, c, &[]);
        expect(
            &format!("enterprise basicList header cut at {k}"),
            &b,
            &strs(&list_events(259, &[], c, &json, Some(0))),
        );
    }
    // complete headers: an empty list, and one whose element runs past the list
    let b = list_record(259, 291, &iana, &[]);
    let json = r#"{"semantic":"allOf","element":"sourceIPv4Address","values":[]}"#;
    expect(
        "empty basicList",
        &b,
        &strs(&list_events(259, &[], &iana, json, None)),
    );
    let c = cat(&[&iana, &[192, 0, 2]]);
    let json = r#"{"semantic":"allOf","element":"sourceIPv4Address","values":[{"@error":"list element runs past the end of the list","@hex":""}]}"#;
    let b = list_record(259, 291, &c, &[]);
    expect(
        "basicList element cut",
        &b,
        &strs(&list_events(259, &[], &c, json, Some(5))),
    );
    // element length 0 with content would never end
    let c = [3u8, 0, 82, 0, 0, 1, 2];
    let json = r#"{"@error":"basicList with element length 0","@hex":"03005200000102"}"#;
    let b = list_record(259, 291, &c, &[]);
    expect(
        "basicList element length 0",
        &b,
        &strs(&list_events(259, &[], &c, json, Some(0))),
    );
}

#[test]
fn every_truncation_of_a_sub_template_list_header() {
    let inner = tr(300, 0, &[(0, 11, 2)]);
    let hdr = [4u8, 1, 44]; // ordered, template 300
    for k in 0..3 {
        let c = &hdr[..k];
        let json = format!(
            r#"{{"@error":"subTemplateList shorter than its 3-octet header","@hex":"{}"}}"#,
            hex(c)
        );
        let b = list_record(260, 292, c, std::slice::from_ref(&inner));
        expect(
            &format!("subTemplateList header cut at {k}"),
            &b,
            &strs(&list_events(
                260,
                std::slice::from_ref(&inner),
                c,
                &json,
                Some(0),
            )),
        );
    }
    let c = cat(&[&hdr, &[0, 80, 0]]);
    let json = r#"{"semantic":"ordered","template":300,"records":[{"destinationTransportPort":80},{"@error":"record runs past the end of its container","@hex":""}]}"#;
    let b = list_record(260, 292, &c, std::slice::from_ref(&inner));
    expect(
        "subTemplateList record cut",
        &b,
        &strs(&list_events(
            260,
            std::slice::from_ref(&inner),
            &c,
            json,
            Some(5),
        )),
    );
    // a template nobody defined, and one whose records have no length
    let c = [4u8, 1, 45, 0, 80];
    let json = r#"{"semantic":"ordered","template":301,"records":{"@error":"template 301 is not defined","@hex":"0050"}}"#;
    let b = list_record(260, 292, &c, std::slice::from_ref(&inner));
    expect(
        "subTemplateList unknown template",
        &b,
        &strs(&list_events(
            260,
            std::slice::from_ref(&inner),
            &c,
            json,
            Some(3),
        )),
    );
    let empty = tr(301, 0, &[(0, 82, 0)]);
    let json = r#"{"semantic":"ordered","template":301,"records":[{"@error":"template describes zero-length records","@hex":""}]}"#;
    let b = list_record(260, 292, &c, &[inner.clone(), empty.clone()]);
    expect(
        "subTemplateList of zero-length records",
        &b,
        &strs(&list_events(
            260,
            &[inner.clone(), empty.clone()],
            &c,
            json,
            Some(3),
        )),
    );
}

#[test]
fn every_truncation_of_a_sub_template_multi_list_header() {
    let inner = tr(300, 0, &[(0, 11, 2)]);
    let full = [3u8, 1, 44, 0, 6, 0, 80];
    let ev = |c: &[u8], json: &str| {
        // every damage here is in the first entry, after the semantic octet (or no octet)
        let at = if json.contains("@error") {
            Some(c.len().min(1))
        } else {
            None
        };
        list_events(261, std::slice::from_ref(&inner), c, json, at)
    };
    let json = r#"{"@error":"subTemplateMultiList without its semantic octet","@hex":""}"#;
    let b = list_record(261, 293, &[], std::slice::from_ref(&inner));
    expect("subTemplateMultiList empty", &b, &strs(&ev(&[], json)));
    for k in 2..5 {
        let c = &full[..k];
        let json = r#"{"semantic":"allOf","lists":[{"@error":"subTemplateMultiList entry header truncated","@hex":""}]}"#;
        let b = list_record(261, 293, c, std::slice::from_ref(&inner));
        expect(&format!("entry header cut at {k}"), &b, &strs(&ev(c, json)));
    }
    for k in 5..7 {
        let c = &full[..k];
        let json = r#"{"semantic":"allOf","lists":[{"@error":"subTemplateMultiList entry length out of bounds","@hex":""}]}"#;
        let b = list_record(261, 293, c, std::slice::from_ref(&inner));
        expect(&format!("entry cut at {k}"), &b, &strs(&ev(c, json)));
    }
    // entry lengths below the entry header would loop: refused
    for len in 0..4u8 {
        let c = [3u8, 1, 44, 0, len, 0, 80];
        let json = r#"{"semantic":"allOf","lists":[{"@error":"subTemplateMultiList entry length out of bounds","@hex":""}]}"#;
        let b = list_record(261, 293, &c, std::slice::from_ref(&inner));
        expect(&format!("entry length {len}"), &b, &strs(&ev(&c, json)));
    }
    let b = list_record(261, 293, &full, std::slice::from_ref(&inner));
    let json = r#"{"semantic":"allOf","lists":[{"template":300,"records":[{"destinationTransportPort":80}]}]}"#;
    expect("complete entry", &b, &strs(&ev(&full, json)));
}

// ---------------------------------------------------------------------------------------------
// Sets and templates that lie.

#[test]
fn zero_and_short_set_lengths() {
    for len in 0..4u8 {
        // after a template set; the data set behind it is lost with the rest of the message
        let bad = [1u8, 0, 0, len];
        let b = msg(
            1,
            &[s(2, &tr(256, 0, &T256)), bad.to_vec(), s(256, &r256(1))],
        );
        let want = format!("err@32 m1 s256 BadSetLength {{ length: {len}, remaining: 14 }}");
        expect(
            &format!("set length {len}"),
            &b,
            &["msg#1@0", "tpl 256@20", &want],
        );
        // after a data set: its records come first; the next message is read normally
        let b = cat(&[
            &msg(
                1,
                &[
                    s(2, &tr(256, 0, &T256)),
                    s(256, &[r256(1), r256(2)].concat()),
                    bad.to_vec(),
                ],
            ),
            &m1(),
        ]);
        let want = format!("err@48 m1 s256 BadSetLength {{ length: {len}, remaining: 4 }}");
        let mut w = M1_EVENTS.to_vec();
        w.push(&want);
        w.extend([
            "msg#2@52",
            "tpl 256@72 same",
            "rec 256@88 d1 c00002010050",
            "rec 256@94 d1 c00002020050",
        ]);
        expect(&format!("set length {len} then a message"), &b, &w);
    }
    // a set longer than what is left of the message
    let b = msg(1, &[s(2, &tr(256, 0, &T256)), vec![1, 0, 0, 100, 0, 0]]);
    expect(
        "set past the message",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "err@32 m1 s256 BadSetLength { length: 100, remaining: 6 }",
        ],
    );
}

#[test]
fn zero_length_templates() {
    // field count 0 is a withdrawal, here of a template nobody defined
    let b = msg(1, &[s(2, &[1, 0, 0, 0])]);
    expect(
        "withdrawal of unknown",
        &b,
        &[
            "msg#1@0",
            "err@20 m1 s2 WithdrawUnknown { domain: 1, template: 256 }",
            "wd 256",
        ],
    );
    // every field of length 0: records have no length, the data set must not loop
    let t = tr(262, 0, &[(0, 82, 0), (0, 83, 0)]);
    let b = msg(
        1,
        &[
            s(2, &t),
            s(262, &[0; 4000]),
            s(262, &[]),
            s(2, &tr(256, 0, &T256)),
        ],
    );
    expect(
        "zero-length records",
        &b,
        &[
            "msg#1@0",
            "tpl 262@20",
            "err@36 m1 s262 EmptyRecords { template: 262 }",
            "tpl 256@4044",
        ],
    );
}

#[test]
fn field_count_lies() {
    // count 1000 with 2 fields present: nothing allocated for 1000, template not defined
    let mut t = tr(256, 0, &T256);
    t[2..4].copy_from_slice(&1000u16.to_be_bytes());
    let b = msg(1, &[s(2, &t), s(256, &r256(1))]);
    expect(
        "count 1000",
        &b,
        &[
            "msg#1@0",
            "err@20 m1 s2 TemplatePastSet { template: 256, fields: 1000 }",
            "err@32 m1 s256 UnknownTemplate { domain: 1, template: 256, sets: 1, octets: 10, dropped: 0 }",
        ],
    );
    // an enterprise bit whose PEN is missing
    let b = msg(1, &[s(2, &[1, 0, 0, 1, 0x80, 1, 0, 4])]);
    expect(
        "enterprise field without PEN",
        &b,
        &[
            "msg#1@0",
            "err@20 m1 s2 TemplatePastSet { template: 256, fields: 1 }",
        ],
    );
    // count 3 where 2 are meant: the next record's header is read as the third field, and
    // what is left of the set then parses as a template with a reserved ID
    let mut t = tr(256, 0, &T256);
    t[3] = 3;
    let b = msg(1, &[s(2, &cat(&[&t, &tr(300, 0, &[(0, 8, 4)])]))]);
    expect(
        "count 3 of 2",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "err@36 m1 s2 ReservedTemplateId { template: 8 }",
        ],
    );
}

#[test]
fn scope_count_lies() {
    let mut zero = tr(257, 1, &T257);
    zero[4..6].copy_from_slice(&0u16.to_be_bytes());
    let mut over = tr(258, 1, &T257);
    over[4..6].copy_from_slice(&3u16.to_be_bytes());
    let good = tr(259, 1, &T257);
    let b = msg(
        1,
        &[
            s(3, &cat(&[&zero, &over, &good])),
            s(257, &r257(1)),
            s(259, &r257(2)),
        ],
    );
    expect(
        "scope 0 and 3 of 2",
        &b,
        &[
            "msg#1@0",
            "err@20 m1 s3 BadScopeCount { template: 257, scope: 0, fields: 2 }",
            "err@34 m1 s3 BadScopeCount { template: 258, scope: 3, fields: 2 }",
            "tpl 259@48",
            "rec 259@82 d1 000000010000000000000002",
            // the data set of the refused template 257 is held to the end of the input
            "err@62 m1 s257 UnknownTemplate { domain: 1, template: 257, sets: 1, octets: 16, dropped: 0 }",
        ],
    );
    // a data template sent in an options template set: its first field is read as the scope
    // count, and the fields run past the set
    let b = msg(1, &[s(2, &tr(256, 0, &T256)), s(3, &tr(257, 0, &T257))]);
    expect(
        "options template without scope in set 3",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "err@36 m1 s3 TemplatePastSet { template: 257, fields: 2 }",
        ],
    );
}

#[test]
fn template_ids_below_256() {
    // an ID below 256 ends the set; a valid record behind it is not read
    let b = msg(
        1,
        &[s(
            2,
            &cat(&[
                &tr(256, 0, &T256),
                &tr(5, 0, &[(0, 8, 4)]),
                &tr(300, 0, &[(0, 8, 4)]),
            ]),
        )],
    );
    expect(
        "template 5",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "err@32 m1 s2 ReservedTemplateId { template: 5 }",
        ],
    );
    for (set_id, id) in [(2u16, 0u16), (2, 3), (3, 2), (2, 255), (3, 1), (2, 1)] {
        let count: u16 = if id == 0 { 1 } else { 0 };
        let mut rec = id.to_be_bytes().to_vec();
        rec.extend_from_slice(&count.to_be_bytes());
        if count > 0 {
            rec.extend_from_slice(&[0, 8, 0, 4]);
        }
        let b = msg(1, &[s(set_id, &rec)]);
        let want = format!("err@20 m1 s{set_id} ReservedTemplateId {{ template: {id} }}");
        expect(
            &format!("{id}/{count} in set {set_id}"),
            &b,
            &["msg#1@0", &want],
        );
    }
    // 0/0 is padding: the rest of the set is not read, without a problem
    let b = msg(
        1,
        &[s(
            2,
            &cat(&[&tr(256, 0, &T256), &[0, 0, 0, 0], &tr(300, 0, &[(0, 8, 4)])]),
        )],
    );
    expect("0/0 padding", &b, &["msg#1@0", "tpl 256@20"]);
    let b = msg(1, &[s(3, &cat(&[&tr(257, 1, &T257), &[0, 0, 0, 0]]))]);
    expect("0/0 padding in options set", &b, &["msg#1@0", "tpl 257@20"]);
}

#[test]
fn withdraw_all() {
    let define = msg(1, &[s(2, &tr(256, 0, &T256)), s(3, &tr(257, 1, &T257))]);
    let data = msg(1, &[s(256, &r256(1)), s(257, &r257(1))]);
    let all = msg(1, &[s(2, &[0, 2, 0, 0])]);
    let all_options = msg(1, &[s(3, &[0, 3, 0, 0])]);
    let b = cat(&[&define, &data, &all, &data, &all_options, &data]);
    // 2/0 withdraws the templates, 3/0 the options templates; unknown data is reported once
    expect(
        "withdraw all",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "tpl 257@36",
            "msg#2@50",
            "rec 256@70 d1 c00002010050",
            "rec 257@80 d1 000000010000000000000001",
            "msg#3@92",
            "wd all",
            "msg#4@116",
            "err@132 m4 s256 WithdrawnTemplate { domain: 1, template: 256 }",
            "rec 257@146 d1 000000010000000000000001",
            "msg#5@158",
            "wd all options",
            "msg#6@182",
            "err@208 m6 s257 WithdrawnTemplate { domain: 1, template: 257 }",
        ],
    );
}

#[test]
fn data_after_withdrawal() {
    let b = cat(&[
        &m1(),
        &msg(1, &[s(2, &[1, 0, 0, 0]), s(256, &r256(3))]),
        &msg(1, &[s(256, &r256(4))]),
        &msg(1, &[s(2, &tr(256, 0, &T256)), s(256, &r256(5))]),
        &msg(1, &[s(2, &[1, 0, 0, 0, 1, 0, 0, 0])]),
    ]);
    let mut w = M1_EVENTS.to_vec();
    w.extend([
        "msg#2@48",
        "wd 256",
        "err@72 m2 s256 WithdrawnTemplate { domain: 1, template: 256 }",
        // reported once per (domain, template); not held for the next definition
        "msg#3@82",
        "msg#4@108",
        "tpl 256@128",
        "rec 256@144 d1 c00002050050",
        // withdrawing twice: the second one is of an unknown template
        "msg#5@150",
        "wd 256",
        "err@174 m5 s2 WithdrawUnknown { domain: 1, template: 256 }",
        "wd 256",
    ]);
    expect("data after withdrawal", &b, &w);
}

#[test]
fn redefinition_replaces() {
    let b = cat(&[
        &m1(),
        // the same ID now one destinationIPv4Address: records of 4 octets
        &msg(
            1,
            &[
                s(2, &tr(256, 0, &[(0, 12, 4)])),
                s(256, &[10, 0, 0, 1, 10, 0, 0, 2]),
            ],
        ),
        // an identical re-send is not a change
        &msg(1, &[s(2, &tr(256, 0, &[(0, 12, 4)]))]),
    ]);
    let mut w = M1_EVENTS.to_vec();
    w.extend([
        "msg#2@48",
        "tpl 256@68",
        "rec 256@80 d1 0a000001",
        "rec 256@84 d1 0a000002",
        "msg#3@88",
        "tpl 256@108 same",
    ]);
    expect("redefinition", &b, &w);
}

#[test]
fn data_ahead_of_its_template_is_held_and_decoded_when_it_comes() {
    // In the same message, and in an earlier one; another domain's template of the same ID
    // does not release them. The records come right after their template, with their own
    // message's offsets and index.
    let b = cat(&[
        &msg(1, &[s(256, &r256(1)), s(3, &tr(257, 1, &T257))]),
        &msg(1, &[s(256, &[r256(2), r256(3)].concat())]),
        &m1_in(2),
        &msg(1, &[s(2, &tr(256, 0, &T256)), s(256, &r256(4))]),
    ]);
    let mut w = vec![
        "msg#1@0".to_string(),
        "tpl 257@30".to_string(),
        "msg#2@44".to_string(),
    ];
    w.extend(m1_events(3, 76, 2));
    w.extend(
        [
            "msg#4@124",
            "tpl 256@144",
            "rec 256@20 d1 c00002010050",
            "recovered 256 d1: 1 records",
            "rec 256@64 d1 c00002020050",
            "rec 256@70 d1 c00002030050",
            "recovered 256 d1: 2 records",
            "rec 256@160 d1 c00002040050",
        ]
        .map(String::from),
    );
    let mut src = ByteSource::from_bytes(b.clone());
    let mut session = Session::new(InfoModel::builtin());
    let mut rec = Recorder::new();
    decode_all(&mut src, &mut session, &mut rec);
    assert_eq!(rec.lines, w, "{}", rec.lines.join("\n"));
    assert_eq!(rec.held, 2);
    // Bounded: with room for one set, the older is dropped and counted at the end.
    let b = cat(&[
        &msg(1, &[s(256, &r256(1))]),
        &msg(1, &[s(256, &r256(2))]),
        &msg(1, &[s(300, &r256(3))]),
    ]);
    let mut src = ByteSource::from_bytes(b);
    let mut session = Session::new(InfoModel::builtin());
    session.set_hold_limit(14 + ipfixkit::ipfix::hold::OVERHEAD);
    let mut rec = Recorder::new();
    decode_all(&mut src, &mut session, &mut rec);
    assert_eq!(
        rec.lines,
        [
            "msg#1@0",
            "msg#2@26",
            "msg#3@52",
            "err@16 m1 s256 UnknownTemplate { domain: 1, template: 256, sets: 2, octets: 20, dropped: 2 }",
            "err@68 m3 s300 UnknownTemplate { domain: 1, template: 300, sets: 1, octets: 10, dropped: 0 }",
        ],
        "{}",
        rec.lines.join("\n")
    );
    // Nothing held: a limit of 0 drops each at once.
    let mut session = Session::new(InfoModel::builtin());
    session.set_hold_limit(0);
    let mut rec = Recorder::new();
    let b = cat(&[&msg(1, &[s(256, &r256(1))]), &m1()]);
    decode_all(&mut ByteSource::from_bytes(b), &mut session, &mut rec);
    assert!(
        rec.lines.iter().all(|l| !l.starts_with("recovered")),
        "{:?}",
        rec.lines
    );
    assert!(
        rec.lines.last().unwrap().contains("dropped: 1"),
        "{:?}",
        rec.lines
    );
}

#[test]
fn same_template_id_in_two_domains() {
    let b = cat(&[
        &msg(1, &[s(2, &tr(256, 0, &T256))]),
        &msg(2, &[s(2, &tr(256, 0, &[(0, 12, 4)]))]),
        &msg(1, &[s(256, &r256(1))]),
        &msg(2, &[s(256, &[10, 0, 0, 1])]),
        &msg(3, &[s(256, &[10, 0, 0, 1])]),
    ]);
    expect(
        "two domains",
        &b,
        &[
            "msg#1@0",
            "tpl 256@20",
            "msg#2@32",
            "tpl 256@52",
            "msg#3@60",
            "rec 256@80 d1 c00002010050",
            "msg#4@86",
            "rec 256@106 d2 0a000001",
            "msg#5@110",
            "err@126 m5 s256 UnknownTemplate { domain: 3, template: 256, sets: 1, octets: 8, dropped: 0 }",
        ],
    );
}

#[test]
fn unknown_set_ids_are_skipped_with_a_warning() {
    for id in (0u16..2).chain(4..256) {
        let b = msg(
            1,
            &[
                s(id, &[1, 2, 3, 4]),
                s(2, &tr(256, 0, &T256)),
                s(256, &r256(1)),
            ],
        );
        let want = format!("err@16 m1 s{id} ReservedSetId");
        expect(
            &format!("set {id}"),
            &b,
            &["msg#1@0", &want, "tpl 256@28", "rec 256@44 d1 c00002010050"],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Framing: garbage, short and truncated messages.

#[test]
fn garbage_between_messages_resyncs() {
    let m = m1();
    let m2 = m1_in(2);
    for garbage in [
        vec![0xEE],
        vec![0xEE; 7],
        vec![0; 20],
        // false starts: a 00 0A whose length does not lead to another 00 0A
        vec![
            0xEE, 0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
        ],
        vec![0, 10, 0, 5, 0, 10],
        vec![0, 0, 10, 0xFF, 0xFF],
    ] {
        let g = garbage.len() as u64;
        let b = cat(&[&m, &garbage, &m2]);
        let (version, length) = {
            let h = cat(&[&garbage, &m2]);
            (
                u16::from_be_bytes([h[0], h[1]]),
                u16::from_be_bytes([h[2], h[3]]),
            )
        };
        let bad = format!(
            "err@48 m- s- BadHeader {{ version: {version}, length: {length}, skipped: {g}, resumed_at: Some({}) }}",
            48 + g
        );
        let mut w = M1_EVENTS.to_vec();
        w.push(&bad);
        let second = m1_events(2, 48 + g, 2);
        w.extend(strs(&second));
        expect(&format!("garbage {}", hex(&garbage)), &b, &w);
    }
    // garbage at the end, longer than a header: skipped to the end
    let b = cat(&[&m, &[0xEE; 40]]);
    let mut w = M1_EVENTS.to_vec();
    w.push(
        "err@48 m- s- BadHeader { version: 61166, length: 61166, skipped: 40, resumed_at: None }",
    );
    expect("garbage at the end", &b, &w);
}

#[test]
fn message_length_below_16() {
    for len in [0u16, 1, 8, 15] {
        let mut bad = m1();
        bad[2..4].copy_from_slice(&len.to_be_bytes());
        bad.truncate(16);
        let b = cat(&[&bad, &m1()]);
        let err = format!(
            "err@0 m- s- BadHeader {{ version: 10, length: {len}, skipped: 16, resumed_at: Some(16) }}"
        );
        let mut w = vec![err.as_str()];
        let good = m1_events(1, 16, 1);
        w.extend(strs(&good));
        expect(&format!("message length {len}"), &b, &w);
    }
}

#[test]
fn truncated_last_message_keeps_complete_sets() {
    let m2 = msg(1, &[s(256, &r256(3)), s(256, &cat(&[&r256(4), &r256(5)]))]);
    // cut inside the second data set of message 2: its first set's record is kept
    let b = cat(&[&m1(), &m2[..m2.len() - 3]]);
    let mut w = M1_EVENTS.to_vec();
    w.extend([
        "msg#2@48",
        "rec 256@68 d1 c00002030050",
        // the cut set's complete record is kept too
        "rec 256@78 d1 c00002040050",
        "err@48 m2 s- TruncatedMessage { claimed: 42, have: 39 }",
    ]);
    expect("truncated last message", &b, &w);
    // a message claiming 65535 octets in a short file
    let mut m = m1();
    m[2..4].copy_from_slice(&[0xFF, 0xFF]);
    expect(
        "claims 65535",
        &m,
        &[
            "msg#1@0",
            "tpl 256@20",
            "rec 256@36 d1 c00002010050",
            "rec 256@42 d1 c00002020050",
            "err@0 m1 s- TruncatedMessage { claimed: 65535, have: 48 }",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Nesting, memory and time.

/// A subTemplateList nested `depth` levels deep through template 256 = [subTemplateList].
fn nested_stl(depth: usize) -> Vec<u8> {
    let mut content = vec![3u8, 1, 0]; // innermost: no records
    for _ in 1..depth {
        let mut c = vec![3u8, 1, 0, 0xFF];
        c.extend_from_slice(&(content.len() as u16).to_be_bytes());
        c.extend_from_slice(&content);
        content = c;
    }
    let mut data = vec![0xFF];
    data.extend_from_slice(&(content.len() as u16).to_be_bytes());
    data.extend_from_slice(&content);
    msg(1, &[s(2, &tr(256, 0, &[(0, 292, VARLEN)])), s(256, &data)])
}

/// A basicList of basicLists, `depth` levels.
fn nested_basic(depth: usize) -> Vec<u8> {
    let mut content = vec![3u8, 0, 8, 0, 4, 192, 0, 2, 1];
    for _ in 1..depth {
        let mut c = vec![3u8, 1, 35, 0xFF, 0xFF, 0xFF]; // element basicList(291), varlen
        c.extend_from_slice(&(content.len() as u16).to_be_bytes());
        c.extend_from_slice(&content);
        content = c;
    }
    let mut data = vec![0xFF];
    data.extend_from_slice(&(content.len() as u16).to_be_bytes());
    data.extend_from_slice(&content);
    msg(1, &[s(2, &tr(256, 0, &[(0, 291, VARLEN)])), s(256, &data)])
}

/// Decodes and prints as JSON on a thread with a small stack, returning the output and the
/// problems reported.
fn json_on_small_stack(b: Vec<u8>) -> (String, Vec<String>) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut out = Vec::new();
            let mut p = JsonPrinter::new(&mut out, PrintOptions::default());
            let mut problems = Vec::new();
            let mut on_problem = |e: &DecodeError| {
                problems.push(e.clone());
                Flow::Continue
            };
            let mut src = ByteSource::from_bytes(b);
            let mut session = Session::new(InfoModel::builtin());
            let mut d = Drive::new(&mut p, &mut on_problem, None);
            decode_all(&mut src, &mut session, &mut d);
            drop(d);
            p.finish(&session).unwrap();
            drop(p);
            let problems: Vec<String> = problems.iter().map(|e| format!("{:?}", e.kind)).collect();
            (String::from_utf8(out).unwrap(), problems)
        })
        .unwrap()
        .join()
        .expect("no stack overflow")
}

#[test]
fn deeply_nested_lists_stop_at_the_depth_limit() {
    let b = nested_stl(10_000);
    assert!(b.len() <= 65535, "{}", b.len());
    let (out, problems) = json_on_small_stack(b);
    assert_eq!(out.lines().count(), 1);
    assert_eq!(out.matches(r#""template":256"#).count(), 16, "{out:.300}");
    assert!(out.contains(r#"{"@error":"lists nested too deeply","@hex":"030100ff"#));
    // the cut is damage: reported once, at the 17th level (3 + 4 octets deeper per level)
    assert_eq!(
        problems,
        [
            r#"ListDamage { template: 256, record: 1, field: "subTemplateList", what: "lists nested deeper than 16" }"#
        ]
    );

    let b = nested_basic(7_000);
    assert!(b.len() <= 65535, "{}", b.len());
    let (out, problems) = json_on_small_stack(b);
    assert_eq!(
        out.matches(r#""element":"basicList""#).count(),
        16,
        "{out:.300}"
    );
    assert!(out.contains("lists nested too deeply"));
    assert_eq!(problems.len(), 1, "{problems:?}");

    // shallow nesting decodes completely
    let (out, problems) = json_on_small_stack(nested_stl(5));
    assert_eq!(out.matches(r#""template":256"#).count(), 5, "{out}");
    assert!(!out.contains("@error"));
    assert!(problems.is_empty(), "{problems:?}");
    let (out, problems) = json_on_small_stack(nested_basic(3));
    assert!(out.contains(r#""values":["192.0.2.1"]"#), "{out}");
    assert!(problems.is_empty(), "{problems:?}");
}

/// A 64 KiB input of one hostile pattern, repeated.
fn fill_64k(unit: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(65536);
    while b.len() + unit.len() <= 65536 {
        b.extend_from_slice(unit);
    }
    b
}

/// Deterministic bytes (xorshift), for noise that still starts like IPFIX.
fn noise(n: usize, mut x: u64) -> Vec<u8> {
    let mut v = vec![0, 10, 0xFF, 0xFF];
    while v.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(n);
    v
}

/// Many templates, then many RFC 5610 type records that each teach one new IE (every lesson
/// re-resolves the domain's templates).
fn type_record_storm() -> Vec<u8> {
    // options template 400: scope informationElementId(303)[2], then
    // informationElementDataType(339)[1], privateEnterpriseNumber(346)[4]
    let opt = tr(400, 1, &[(0, 303, 2), (0, 339, 1), (0, 346, 4)]);
    let mut tset = Vec::new();
    for id in 0..4000u16 {
        tset.extend(tr(500 + id, 0, &[(9999, 1 + id % 100, 4)]));
        if tset.len() > 30_000 {
            break;
        }
    }
    let mut data = Vec::new();
    for id in 1..=4000u32 {
        // one record per set: one lesson per set; unsigned32 (3) for (PEN 9999, id % 100 + 1)
        // the first time, then for other PENs (new keys every time)
        let rec = cat(&[
            &((id % 100) as u16 + 1).to_be_bytes(),
            &[3],
            &(9998 + id).to_be_bytes(),
        ]);
        data.push(s(400, &rec));
        if data.len() * 11 > 30_000 {
            break;
        }
    }
    cat(&[&msg(1, &[s(3, &opt), s(2, &tset)]), &msg(1, &data)])
}

/// One template of many enterprise fields, then one RFC 5610 lesson per data set for each of
/// its fields. Each lesson still rebuilds that template (its Arc is shared with the printers),
/// so the cost is fields x lessons: kept at 1200 x 1200 here (about 20 KB), which is fast; the
/// 64 KiB version (3600 x 2600) takes ~0.3 s in release and ~10 s in a debug build.
fn lessons_for_a_big_template() -> Vec<u8> {
    let opt = tr(400, 1, &[(0, 303, 2), (0, 339, 1), (0, 346, 4)]);
    let fields: Vec<(u32, u16, u16)> = (1..=1200).map(|i| (9999, i, 4)).collect();
    let big = tr(500, 0, &fields);
    let data: Vec<Vec<u8>> = (1..=1200u16)
        .map(|i| s(400, &cat(&[&i.to_be_bytes(), &[3], &9999u32.to_be_bytes()])))
        .collect();
    cat(&[&msg(1, &[s(3, &opt), s(2, &big)]), &msg(1, &data)])
}

/// Regression (found writing the 64 KiB cases): every RFC 5610 lesson re-resolved every
/// template of the domain, so 60 KB of type records and templates took half a minute.
/// A lesson must leave templates that do not use the taught IE as they are.
#[test]
fn type_record_lessons_leave_unrelated_templates_alone() {
    let opt = tr(400, 1, &[(0, 303, 2), (0, 339, 1), (0, 346, 4)]);
    let defs = msg(
        1,
        &[
            s(3, &opt),
            s(
                2,
                &cat(&[&tr(500, 0, &[(9999, 1, 4)]), &tr(501, 0, &[(9999, 2, 4)])]),
            ),
        ],
    );
    // (PEN 9999, IE 1) is an unsigned32 (data type 3)
    let lesson = msg(1, &[s(400, &[0, 1, 3, 0, 0, 0x27, 0x0f])]);
    let mut session = Session::new(InfoModel::builtin());
    let mut rec = Recorder::new();
    decode_all(&mut ByteSource::from_bytes(defs), &mut session, &mut rec);
    let before: Vec<Arc<Template>> = session
        .templates()
        .into_iter()
        .map(|(_, t)| t.clone())
        .collect();
    decode_all(&mut ByteSource::from_bytes(lesson), &mut session, &mut rec);
    let after: Vec<Arc<Template>> = session
        .templates()
        .into_iter()
        .map(|(_, t)| t.clone())
        .collect();
    assert!(
        !rec.lines.iter().any(|l| l.starts_with("err")),
        "{:?}",
        rec.lines
    );
    assert_eq!(session.learned_ies(), 1);
    let ids = |v: &[Arc<Template>]| v.iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(&before), [400, 500, 501]);
    assert_eq!(ids(&after), [400, 500, 501]);
    assert_eq!(
        after[1].fields[0].dtype,
        ipfixkit::ipfix::DataType::Unsigned32
    );
    assert_eq!(
        before[1].fields[0].dtype,
        ipfixkit::ipfix::DataType::OctetArray
    );
    assert!(
        !Arc::ptr_eq(&before[1], &after[1]),
        "500 uses the taught IE"
    );
    assert!(Arc::ptr_eq(&before[0], &after[0]), "400 was rebuilt");
    assert!(Arc::ptr_eq(&before[2], &after[2]), "501 was rebuilt");
}

#[test]
fn hostile_64k_inputs_stay_small_and_fast() {
    let mut count_lie = tr(256, 0, &[(0, 8, 4)]);
    count_lie[2..4].copy_from_slice(&[0xFF, 0xFF]);
    let nested = nested_stl(10_000);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("field count 65535", fill_64k(&msg(1, &[s(2, &count_lie)]))),
        ("empty sets", fill_64k(&msg(1, &[s(2, &[]), s(256, &[])]))),
        ("reserved sets", fill_64k(&msg(1, &[s(7, &[]), s(7, &[])]))),
        (
            "zero-length records",
            fill_64k(&msg(
                1,
                &[s(2, &tr(300, 0, &[(0, 82, 0)])), s(300, &[0; 64])],
            )),
        ),
        ("claims 65535 octets", {
            let mut m = m1();
            m[2..4].copy_from_slice(&[0xFF, 0xFF]);
            fill_64k(&m)
        }),
        ("headers only, length below 16", fill_64k(&[0, 10, 0, 15])),
        ("00 0A everywhere", fill_64k(&[0, 10])),
        ("many templates", {
            let mut t = Vec::new();
            for id in 256..8000u16 {
                t.extend(tr(id, 0, &[(0, 8, 4)]));
                if t.len() > 65_000 {
                    break;
                }
            }
            msg(1, &[s(2, &t)])
        }),
        ("many domains", {
            let mut b = Vec::new();
            for d in 0..1500 {
                b.extend(msg(
                    d,
                    &[s(2, &tr(256, 0, &[(0, 8, 4)])), s(256, &[1, 2, 3, 4])],
                ));
            }
            b
        }),
        ("unknown templates", {
            let mut b = Vec::new();
            for d in 0..3000u32 {
                b.extend(msg(d / 100, &[s(256 + (d % 100) as u16, &[0])]));
            }
            b
        }),
        ("type records", type_record_storm()),
        (
            "type records for one big template",
            lessons_for_a_big_template(),
        ),
        ("nested lists", nested.clone()),
        ("noise 1", noise(65536, 1)),
        ("noise 2", noise(65536, 0x9E37_79B9_7F4A_7C15)),
    ];
    for (name, b) in cases {
        let len = b.len();
        assert!(len <= 70_000, "{name}: {len}");
        let t0 = Instant::now();
        let (out, peak) = alloc_meter::peak_during(|| {
            let mut out = Vec::new();
            let mut p = JsonPrinter::new(&mut out, PrintOptions::default());
            let mut on_problem = |_: &DecodeError| Flow::Continue;
            let mut src = ByteSource::from_bytes(b);
            let mut session = Session::new(InfoModel::builtin());
            let mut d = Drive::new(&mut p, &mut on_problem, None);
            decode_all(&mut src, &mut session, &mut d);
            drop(d);
            p.finish(&session).unwrap();
            drop(p);
            out.len()
        });
        let took = t0.elapsed();
        eprintln!("{name}: {len} octets in, {out} out, peak {peak} bytes live, {took:?}");
        // Generous bounds: they catch allocation in proportion to claims (a field count of
        // 65535, a length of 65535) and runaway loops, not ordinary costs.
        assert!(
            peak < 24 << 20,
            "{name}: {peak} bytes live at once for {len} octets of input"
        );
        assert!(
            took < Duration::from_secs(20),
            "{name}: {took:?} for {len} octets of input"
        );
        assert!(out < 64 << 20, "{name}: {out} octets of output");
    }
}

// ---------------------------------------------------------------------------------------------
// testdata/malformed: one small file per error kind.

/// (file name, bytes, the problem it must produce, records kept).
fn malformed_cases() -> Vec<(&'static str, Vec<u8>, &'static str, usize)> {
    let bad_ipv4 = tr(256, 0, &[(0, 8, 8)]);
    let mut count_lie = tr(256, 0, &T256);
    count_lie[2..4].copy_from_slice(&1000u16.to_be_bytes());
    let mut scope0 = tr(257, 1, &T257);
    scope0[4..6].copy_from_slice(&[0, 0]);
    let mut short = m1();
    short[2..4].copy_from_slice(&8u16.to_be_bytes());
    short.truncate(16);
    let m2 = msg(1, &[s(256, &r256(3)), s(256, &cat(&[&r256(4), &r256(5)]))]);
    vec![
        (
            "truncated-header",
            cat(&[&m1(), &m1()[..10]]),
            "err@48 m2 s- TruncatedHeader { have: 10 }",
            2,
        ),
        (
            "bad-header",
            cat(&[&m1(), &[0xEE; 7], &short, &m1()]),
            "err@48 m- s- BadHeader { version: 61166, length: 61166, skipped: 23, resumed_at: Some(71) }",
            4,
        ),
        (
            "resync-limit",
            // bzip2 (154 octets): a message, then 64 MiB and 16 octets of zeros
            bzip2_of(&cat(&[&m1(), &vec![0; (64 << 20) + 16]])),
            "err@48 m- s- ResyncLimit { version: 0, length: 0, searched: 67108864, from: 48 }",
            2,
        ),
        (
            "truncated-message",
            cat(&[&m1(), &m2[..m2.len() - 3]]),
            "err@48 m2 s- TruncatedMessage { claimed: 42, have: 39 }",
            4,
        ),
        (
            "bad-set-length",
            cat(&[
                &msg(
                    1,
                    &[s(2, &tr(256, 0, &T256)), s(256, &r256(1)), vec![1, 0, 0, 0]],
                ),
                &m1(),
            ]),
            "err@42 m1 s256 BadSetLength { length: 0, remaining: 4 }",
            3,
        ),
        (
            "reserved-set-id",
            msg(
                1,
                &[s(2, &tr(256, 0, &T256)), s(4, &[0; 4]), s(256, &r256(1))],
            ),
            "err@32 m1 s4 ReservedSetId",
            1,
        ),
        (
            "template-past-set",
            msg(
                1,
                &[
                    s(2, &tr(300, 0, &[(0, 8, 4)])),
                    s(300, &[192, 0, 2, 1]),
                    s(2, &count_lie),
                ],
            ),
            "err@40 m1 s2 TemplatePastSet { template: 256, fields: 1000 }",
            1,
        ),
        (
            "reserved-template-id",
            msg(
                1,
                &[
                    s(2, &cat(&[&tr(256, 0, &T256), &tr(5, 0, &T256)])),
                    s(256, &r256(1)),
                ],
            ),
            "err@32 m1 s2 ReservedTemplateId { template: 5 }",
            1,
        ),
        (
            "bad-scope-count",
            msg(
                1,
                &[s(3, &cat(&[&scope0, &tr(258, 1, &T257)])), s(258, &r257(1))],
            ),
            "err@20 m1 s3 BadScopeCount { template: 257, scope: 0, fields: 2 }",
            1,
        ),
        (
            "bad-field-length",
            msg(1, &[s(2, &bad_ipv4), s(256, &[192, 0, 2, 1, 192, 0, 2, 2])]),
            r#"err@20 m1 s2 BadFieldLength { template: 256, index: 1, name: "sourceIPv4Address", length: 8, dtype: "ipv4Address" }"#,
            1,
        ),
        (
            "withdraw-unknown",
            cat(&[&m1(), &msg(1, &[s(2, &[1, 1, 0, 0])])]),
            "err@68 m2 s2 WithdrawUnknown { domain: 1, template: 257 }",
            2,
        ),
        (
            "withdrawn-template",
            cat(&[&m1(), &msg(1, &[s(2, &[1, 0, 0, 0]), s(256, &r256(3))])]),
            "err@72 m2 s256 WithdrawnTemplate { domain: 1, template: 256 }",
            2,
        ),
        (
            "unknown-template",
            // template 257 is never defined: its data set is held to the end
            cat(&[&m1(), &msg(1, &[s(257, &r256(3))])]),
            "err@64 m2 s257 UnknownTemplate { domain: 1, template: 257, sets: 1, octets: 10, dropped: 0 }",
            2,
        ),
        (
            "record-past-set",
            msg(
                1,
                &[
                    s(2, &tr(258, 0, &T258)),
                    s(258, &[0, 22, 2, b'l', b'o', 0, 80, 0xFF, 0x10, 0, b'x']),
                ],
            ),
            "err@41 m1 s258 RecordPastSet { template: 258, record: 2 }",
            1,
        ),
        (
            "empty-records",
            cat(&[
                &msg(1, &[s(2, &tr(262, 0, &[(0, 82, 0)])), s(262, &[0; 8])]),
                &m1(),
            ]),
            "err@32 m1 s262 EmptyRecords { template: 262 }",
            2,
        ),
        (
            "list-damage",
            // a subTemplateList of template 301, which nobody defined; the record is kept
            msg(
                1,
                &[
                    s(2, &tr(260, 0, &[(0, 292, VARLEN)])),
                    s(260, &[0xFF, 0, 5, 4, 1, 45, 0, 80]),
                ],
            ),
            r#"err@38 m1 s260 ListDamage { template: 260, record: 1, field: "subTemplateList", what: "template 301 is not defined" }"#,
            1,
        ),
        (
            "bad-learned-name",
            // an RFC 5610 type record naming 99/1 "@domain", then a record using it
            msg(
                1,
                &[
                    s(
                        3,
                        &tr(
                            400,
                            2,
                            &[(0, 346, 4), (0, 303, 2), (0, 339, 1), (0, 341, VARLEN)],
                        ),
                    ),
                    s(
                        400,
                        &[
                            0, 0, 0, 99, 0, 1, 3, 7, b'@', b'd', b'o', b'm', b'a', b'i', b'n',
                        ],
                    ),
                    s(2, &tr(500, 0, &[(99, 1, 4)])),
                    s(500, &[0, 0, 0, 1]),
                ],
            ),
            r#"err@46 m1 s400 BadLearnedName { pen: 99, id: 1, name: "@domain", why: "is not a valid IE name (an ASCII letter, then letters and digits, at most 128)" }"#,
            2,
        ),
        (
            "not-ipfix",
            // a pcap file header (little-endian magic, version 2.4, Ethernet)
            vec![
                0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0,
                0, 0,
            ],
            r#"err@0 m- s- NotIpfix { looks_like: "a pcap packet capture" }"#,
            0,
        ),
        (
            "netflow-damage",
            // a NetFlow v9 packet (RFC 3954 §5.1: version 9, count 1, uptime, time, sequence,
            // source ID 7) whose template FlowSet holds a template of no fields
            vec![
                0, 9, 0, 1, 0, 0, 0, 1, 0x65, 0x53, 0xf1, 0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 8, 1,
                0, 0, 0,
            ],
            "err@24 m1 s- NetFlow { version: 9, problem: Problem { offset: 24, what: EmptyTemplate { template: 256 } } }",
            // the domain's systemInitTimeMilliseconds, from the header
            1,
        ),
        (
            "io-error",
            // gzip magic and method, then a header that is not gzip
            vec![
                0x1f, 0x8b, 8, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 1, 2, 3,
            ],
            "err@0 m- s- Io { kind: InvalidInput, message: \"invalid gzip header\" }",
            0,
        ),
    ]
}

fn bzip2_of(b: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    std::io::Write::write_all(&mut enc, b).unwrap();
    enc.finish().unwrap()
}

fn malformed_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/malformed")
}

#[test]
fn malformed_files_are_current_and_give_their_error() {
    let update = std::env::var_os("UPDATE_EXPECTED").is_some();
    for (name, bytes, want, records) in malformed_cases() {
        let path = malformed_dir().join(format!("{name}.ipfix"));
        if update {
            std::fs::create_dir_all(malformed_dir()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with UPDATE_EXPECTED=1 to create it)",
                path.display()
            )
        });
        assert_eq!(
            on_disk,
            bytes,
            "{} is stale (run with UPDATE_EXPECTED=1)",
            path.display()
        );
        // through the file path (mmap), as the commands read it
        let mut src = ByteSource::open(path.to_str().unwrap()).unwrap();
        let mut session = Session::new(InfoModel::builtin());
        let mut rec = Recorder::new();
        decode_all(&mut src, &mut session, &mut rec);
        let errs: Vec<&String> = rec.lines.iter().filter(|l| l.starts_with("err@")).collect();
        assert_eq!(errs, [want], "{name}:\n{}", rec.lines.join("\n"));
        assert_eq!(
            rec.records.len(),
            records,
            "{name}:\n{}",
            rec.lines.join("\n")
        );
        assert!(bytes.len() < 200, "{name}: keep testdata small");
    }
    // one file per error kind that a decode can report
    let kinds: Vec<String> = malformed_cases()
        .iter()
        .map(|c| c.2.split(' ').nth(3).unwrap().to_string())
        .collect();
    for k in EVERY_KIND {
        assert!(kinds.iter().any(|x| x == k), "no file for {k}");
    }
}

/// The name of every `ErrorKind`. The match below has no catch-all arm: a new kind does not
/// compile until it is named here, and then the test above wants a malformed file for it.
const EVERY_KIND: [&str; 20] = [
    "TruncatedHeader",
    "BadHeader",
    "ResyncLimit",
    "TruncatedMessage",
    "BadSetLength",
    "ReservedSetId",
    "TemplatePastSet",
    "ReservedTemplateId",
    "BadScopeCount",
    "BadFieldLength",
    "WithdrawUnknown",
    "UnknownTemplate",
    "WithdrawnTemplate",
    "RecordPastSet",
    "EmptyRecords",
    "NotIpfix",
    "Io",
    "ListDamage",
    "BadLearnedName",
    "NetFlow",
];

#[allow(dead_code)]
fn kind_index(k: &ipfixkit::ipfix::ErrorKind) -> usize {
    use ipfixkit::ipfix::ErrorKind as K;
    match k {
        K::TruncatedHeader { .. } => 0,
        K::BadHeader { .. } => 1,
        K::TruncatedMessage { .. } => 2,
        K::BadSetLength { .. } => 3,
        K::ReservedSetId => 4,
        K::TemplatePastSet { .. } => 5,
        K::ReservedTemplateId { .. } => 6,
        K::BadScopeCount { .. } => 7,
        K::BadFieldLength { .. } => 8,
        K::WithdrawUnknown { .. } => 9,
        K::UnknownTemplate { .. } => 10,
        K::RecordPastSet { .. } => 11,
        K::EmptyRecords { .. } => 12,
        K::NotIpfix { .. } => 13,
        K::Io { .. } => 14,
        K::ListDamage { .. } => 15,
        K::BadLearnedName { .. } => 16,
        K::ResyncLimit { .. } => 17,
        K::NetFlow { .. } => 18,
        K::WithdrawnTemplate { .. } => 19,
    }
}

#[test]
fn every_kind_is_named_once() {
    let mut names = EVERY_KIND.to_vec();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), EVERY_KIND.len());
}

#[test]
fn sequence_gaps_are_counted_not_reported() {
    // RFC 7011 §3.1: a reader only notes them; `cat --stats` shows the count.
    let b = cat(&[
        &message(0, 0, 1, &[s(2, &tr(256, 0, &T256)), s(256, &r256(1))]).unwrap(),
        &message(0, 1, 1, &[s(256, &r256(2))]).unwrap(),
        &message(0, 5, 1, &[s(256, &r256(3))]).unwrap(),
    ]);
    let (lines, _) = run_session(&b);
    assert!(!lines.iter().any(|l| l.starts_with("err")), "{lines:?}");
    // What `cat --stats -f json` prints for it: one gap (sequence 5 where 2 was due).
    let mut out = Vec::new();
    let mut stats = ipfixkit::output::stats::StatsPrinter::new(&mut out, "gaps", true);
    let mut session = Session::new(InfoModel::builtin());
    let mut on_problem = |_: &DecodeError| Flow::Continue;
    let mut drive = Drive::new(&mut stats, &mut on_problem, None);
    decode_all(&mut ByteSource::from_bytes(b), &mut session, &mut drive);
    drop(drive);
    stats.finish(&session).unwrap();
    drop(stats);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(r#""domains":{"1":{"messages":3,"sequence_gaps":1}}"#),
        "{text}"
    );
}

/// Found by fuzzing the JSON/CSV encoder (fuzz target `text_input`): a field spec with `)`
/// before `(` panicked on slicing; IE IDs above 32767 would have set the enterprise bit.
#[test]
fn text_input_fuzz_findings() {
    use ipfixkit::format::TextEncoder;
    use ipfixkit::ipfix::writer::MessageWriter;
    let model = InfoModel::builtin();
    for input in [
        &b"{\"@template\":256,\"@fields\":[\"sourceMacAddress5a)(6cm<Address>[6]\"]}\n"[..],
        b"{\"@template\":256,\"@fields\":[\"x(40000)<unsigned8>[1]\"]}\n",
        b"{\"en0:id40000\":\"00\"}\n",
        b"en0:id0\n00\n",
    ] {
        let mut out = Vec::new();
        let mut enc = TextEncoder::new(MessageWriter::new(&mut out, 512), model.clone());
        // Strict: a bad line is returned, not reported and skipped.
        enc.strict = true;
        let r = if input[0] == b'{' {
            enc.json_lines(input, &mut |_| {})
        } else {
            enc.csv(input, &mut |_| {})
        };
        assert!(
            r.is_err(),
            "{:?} must be refused",
            String::from_utf8_lossy(input)
        );
    }
}

// ---------------------------------------------------------------------------------------
// NetFlow v5/v9 (translated into IPFIX by the reader): hostile packets
// ---------------------------------------------------------------------------------------

/// A v9 packet: header (count, source ID) and FlowSets given whole.
fn v9(count: u16, source: u32, flowsets: &[Vec<u8>]) -> Vec<u8> {
    let mut p = vec![0, 9];
    p.extend_from_slice(&count.to_be_bytes());
    p.extend_from_slice(&60_000u32.to_be_bytes()); // sysUptime, ms
    p.extend_from_slice(&1_700_000_000u32.to_be_bytes()); // unix seconds
    p.extend_from_slice(&1u32.to_be_bytes()); // package sequence
    p.extend_from_slice(&source.to_be_bytes());
    for f in flowsets {
        p.extend_from_slice(f);
    }
    p
}

/// A FlowSet of `id` around `body` (its length field counts the 4 header octets).
fn flowset(id: u16, body: &[u8]) -> Vec<u8> {
    let mut f = id.to_be_bytes().to_vec();
    f.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
    f.extend_from_slice(body);
    f
}

/// v9 template 256: IPV4_SRC_ADDR(8)/4, IN_PKTS(2)/4, FIRST_SWITCHED(22)/4.
fn v9_template() -> Vec<u8> {
    flowset(0, &[1, 0, 0, 3, 0, 8, 0, 4, 0, 2, 0, 4, 0, 22, 0, 4])
}

fn v9_record(n: u8) -> Vec<u8> {
    vec![10, 0, 0, n, 0, 0, 0, n, 0, 0, 0xea, 0x60]
}

/// A v5 packet of `records` 48-octet records (record i from 10.0.0.i), header count `count`.
fn v5(count: u16, records: u8) -> Vec<u8> {
    let mut p = vec![0, 5];
    p.extend_from_slice(&count.to_be_bytes());
    p.extend_from_slice(&60_000u32.to_be_bytes());
    p.extend_from_slice(&1_700_000_000u32.to_be_bytes());
    p.extend_from_slice(&0u32.to_be_bytes());
    p.extend_from_slice(&7u32.to_be_bytes());
    p.extend_from_slice(&[0, 1, 0, 0]);
    for i in 0..records {
        let mut r = vec![0u8; 48];
        r[..4].copy_from_slice(&[10, 0, 0, i]);
        r[16..20].copy_from_slice(&1u32.to_be_bytes());
        r[38] = 6;
        p.extend_from_slice(&r);
    }
    p
}

/// Lines of `run` that are problems, and the number of data records decoded.
fn netflow_outcome(b: &[u8]) -> (Vec<String>, usize) {
    let lines = run(b);
    let errs: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("err@"))
        .cloned()
        .collect();
    // The systemInitTimeMilliseconds options records (template 65535) are not data.
    let records = lines
        .iter()
        .filter(|l| l.starts_with("rec ") && !l.starts_with("rec 65535@"))
        .count();
    (errs, records)
}

#[test]
fn netflow_packets_translate_and_keep_their_records() {
    let good = v9(2, 7, &[v9_template(), flowset(256, &v9_record(1))]);
    let (errs, records) = netflow_outcome(&good);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(records, 1);
    let lines = run(&good);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("rec 256@") && l.contains(" d7 ")),
        "the record of template 256 in domain 7 (the source ID): {lines:?}"
    );
    // v5, then v9, then IPFIX in one stream.
    let mixed = cat(&[&v5(2, 2), &good, &m1()]);
    let (errs, records) = netflow_outcome(&mixed);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(records, 2 + 1 + netflow_outcome(&m1()).1);
}

#[test]
fn hostile_netflow_packets_are_reported_and_keep_what_was_readable() {
    let tpl = v9_template();
    let data = flowset(256, &v9_record(1));
    let mut cases: Vec<(String, Vec<u8>, Vec<&str>, usize)> = Vec::new();
    // Every truncation of a v9 header and of a v5 header: one problem, no panic, no record.
    let whole9 = v9(2, 7, &[tpl.clone(), data.clone()]);
    for cut in 2..20 {
        cases.push((
            format!("v9 header cut at {cut}"),
            whole9[..cut].to_vec(),
            vec!["Truncated"],
            0,
        ));
    }
    let whole5 = v5(1, 1);
    for cut in 2..24 {
        cases.push((
            format!("v5 header cut at {cut}"),
            whole5[..cut].to_vec(),
            vec!["Truncated"],
            0,
        ));
    }
    // A v5 packet cut inside its second record keeps the first.
    let v5cut = v5(2, 2);
    cases.push((
        "v5 cut in a record".into(),
        v5cut[..24 + 48 + 20].to_vec(),
        vec!["Truncated"],
        1,
    ));
    // Count lies: v5 says 3 records, has 1 (truncated); v9 says 9, has 2 (a warning).
    cases.push(("v5 count lie".into(), v5(3, 1), vec!["Truncated"], 1));
    cases.push((
        "v9 count lie".into(),
        v9(9, 7, &[tpl.clone(), data.clone()]),
        vec!["CountMismatch"],
        1,
    ));
    // A zero-length FlowSet ends the packet there (the length cannot be walked past): the
    // template before it is kept, the rest is a bad header, and the data there is lost.
    let zero = v9(2, 7, &[tpl.clone(), vec![1, 0, 0, 0], data.clone()]);
    cases.push((
        "v9 zero-length FlowSet".into(),
        zero,
        vec!["CountMismatch", "BadHeader"],
        0,
    ));
    // An options template with a scope length that is not a multiple of 4.
    let opt = flowset(1, &[1, 1, 0, 3, 0, 4, 0, 1, 0, 4, 0, 8, 0, 4, 0, 0]);
    cases.push((
        "v9 options scope length 3".into(),
        v9(1, 7, &[opt]),
        vec!["BadOptionsLengths"],
        0,
    ));
    // A template with 0 fields; then good data of another template still decodes.
    let empty = flowset(0, &[1, 1, 0, 0]);
    cases.push((
        "v9 template of 0 fields".into(),
        v9(3, 7, &[empty, tpl.clone(), data.clone()]),
        vec!["EmptyTemplate"],
        1,
    ));
    // A template ID below 256.
    cases.push((
        "v9 template ID 5".into(),
        v9(1, 7, &[flowset(0, &[0, 5, 0, 1, 0, 8, 0, 4])]),
        vec!["BadTemplateId"],
        0,
    ));
    // A template record running past its FlowSet.
    cases.push((
        "v9 template overrun".into(),
        v9(1, 7, &[flowset(0, &[1, 0, 0, 9, 0, 8, 0, 4])]),
        vec!["TemplateOverrun"],
        0,
    ));
    for (name, bytes, want, records) in cases {
        let (errs, got) = netflow_outcome(&bytes);
        for w in &want {
            assert!(
                errs.iter().any(|e| e.contains(w)),
                "{name}: want {w} in {errs:?}"
            );
        }
        if want.is_empty() {
            assert!(errs.is_empty(), "{name}: {errs:?}");
        }
        assert_eq!(got, records, "{name}: records ({errs:?})");
    }
}

/// After damage in a NetFlow stream the reader goes on at the next plausible v5 or v9 packet:
/// a header, FlowSets or records that fit, then another header or the end (the rule IPFIX
/// resynchronisation follows too), keeping the records on both sides.
#[test]
fn netflow_damage_resynchronises_at_the_next_packet() {
    let first = v9(2, 7, &[v9_template(), flowset(256, &v9_record(1))]);
    let second = v9(1, 7, &[flowset(256, &v9_record(2))]);
    let third = v5(1, 1);
    let garbage = [0xEEu8; 37];
    for (case, b, records) in [
        (
            "v9 after garbage",
            cat(&[&first, &garbage, &second, &third]),
            3,
        ),
        (
            "v5 at the end after garbage",
            cat(&[&first, &garbage, &third]),
            2,
        ),
        // Garbage holding a 00 09 that is no packet (its FlowSet cannot be walked).
        (
            "a false v9 header",
            cat(&[
                &first,
                &garbage,
                &[0, 9, 0, 1, 0xEE, 0xEE],
                &garbage,
                &second,
                &third,
            ]),
            3,
        ),
    ] {
        let (errs, got) = netflow_outcome(&b);
        assert_eq!(got, records, "{case}: {errs:?}");
        assert_eq!(errs.len(), 1, "{case}: {errs:?}");
        assert!(
            errs[0].contains("BadHeader") && errs[0].contains("resumed_at: Some"),
            "{case}: {errs:?}"
        );
    }
}

/// Data FlowSets ahead of their template are held and decoded when it comes; those whose
/// template never comes are reported at the end of the input (a warning, as a data set
/// without template is in IPFIX), never dropped silently.
#[test]
fn netflow_data_ahead_of_its_template_is_recovered_or_reported() {
    let data = v9(1, 7, &[flowset(256, &v9_record(1))]);
    let template = v9(1, 7, &[v9_template()]);
    let (errs, records) = netflow_outcome(&cat(&[&data, &template]));
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(
        records,
        1,
        "recovered when the template came: {:?}",
        run(&cat(&[&data, &template]))
    );
    let (errs, records) = netflow_outcome(&cat(&[&data, &data]));
    assert_eq!(records, 0);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("NeverDefined { domain: 7, template: 256, sets: 2, octets: 24 }"),
        "{errs:?}"
    );
}
