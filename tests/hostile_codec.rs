//! Hostile input, codec round (issue 9 classes 4 and 5 and what followed from them): damage
//! inside structured data, names from RFC 5610 type records, and the vendor dictionaries.
//! Inputs are generated here, small, in the style of `tests/hostile.rs`: every case states the
//! exact events (records and problems with their offsets) a decode produces, and the binary is
//! run on a few of them to check the stderr line and the exit status.

mod common;
use common::Workdir;

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::ipfix::encode::{message, set, template_record};
use ipfixkit::ipfix::session::{Flow, MessageCtx, RecordRef, Session, Visitor};
use ipfixkit::ipfix::{DecodeError, InfoModel, Template, VARLEN};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// A visitor that writes every event as a line.

struct Recorder {
    lines: Vec<String>,
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

impl Visitor for Recorder {
    fn template(&mut self, _m: &MessageCtx, t: &Arc<Template>, offset: u64, _c: bool) -> Flow {
        let names: Vec<&str> = t.fields.iter().map(|f| &*f.name).collect();
        self.lines
            .push(format!("tpl {}@{offset} {}", t.id, names.join(",")));
        Flow::Continue
    }
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        self.lines.push(format!(
            "rec {}@{} {}",
            r.template.id,
            r.offset,
            hex(r.data)
        ));
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        let m = e.message.map_or("-".to_string(), |m| m.to_string());
        let s = e.set.map_or("-".to_string(), |s| s.to_string());
        assert!(!e.to_string().contains('\n'), "one line: {e}");
        self.lines
            .push(format!("err@{} m{m} s{s} {:?}", e.offset, e.kind));
        Flow::Continue
    }
}

fn run_with(model: Arc<InfoModel>, b: &[u8]) -> (Vec<String>, Session) {
    let mut src = ByteSource::from_bytes(b.to_vec());
    let mut session = Session::new(model);
    let mut rec = Recorder { lines: Vec::new() };
    decode_all(&mut src, &mut session, &mut rec);
    (rec.lines, session)
}

fn run(b: &[u8]) -> Vec<String> {
    run_with(InfoModel::builtin(), b).0
}

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

fn tr(id: u16, scope: u16, fields: &[(u32, u16, u16)]) -> Vec<u8> {
    template_record(id, scope, fields).unwrap()
}

fn s(id: u16, body: &[u8]) -> Vec<u8> {
    set(id, body).unwrap()
}

fn msg(domain: u32, sets: &[Vec<u8>]) -> Vec<u8> {
    message(1_700_000_000, 0, domain, sets).unwrap()
}

/// A varlen field holding `content`, in the 3-octet prefix form.
fn varlen(content: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF];
    v.extend_from_slice(&(content.len() as u16).to_be_bytes());
    v.extend_from_slice(content);
    v
}

// ---------------------------------------------------------------------------------------------
// Class 4: damage inside lists is reported, once per record, and the record still delivered.

/// Template 300 (one destinationTransportPort) and a template `tid` of one varlen list `ie`;
/// one data record holding `content`. The record is at offset 36 + extra template octets.
fn list_file(tid: u16, ie: u16, content: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut tset = tr(300, 0, &[(0, 11, 2)]);
    for e in extra {
        tset.extend_from_slice(e);
    }
    tset.extend(tr(tid, 0, &[(0, ie, VARLEN)]));
    msg(1, &[s(2, &tset), s(tid, &varlen(content))])
}

#[test]
fn list_damage_is_reported_at_its_byte() {
    let zero_records = tr(301, 0, &[(0, 82, 0)]);
    /// (case, template, list IE, content, extra templates, expected problem)
    type Case = (&'static str, u16, u16, Vec<u8>, Vec<Vec<u8>>, &'static str);
    let cases: Vec<Case> = vec![
        (
            "subTemplateMultiList entry length 0",
            261,
            293,
            vec![3, 1, 44, 0, 0, 0, 80],
            vec![],
            // record at 40, list content at 43, entry header after the semantic octet
            "err@44 m1 s261 ListDamage { template: 261, record: 1, field: \"subTemplateMultiList\", what: \"subTemplateMultiList entry length out of bounds\" }",
        ),
        (
            "subTemplateMultiList second entry cut",
            261,
            293,
            vec![3, 1, 44, 0, 6, 0, 80, 1, 44, 0, 9],
            vec![],
            "err@50 m1 s261 ListDamage { template: 261, record: 1, field: \"subTemplateMultiList\", what: \"subTemplateMultiList entry length out of bounds\" }",
        ),
        (
            "basicList element length 0",
            259,
            291,
            vec![3, 0, 82, 0, 0, 1, 2],
            vec![],
            "err@43 m1 s259 ListDamage { template: 259, record: 1, field: \"basicList\", what: \"basicList with element length 0\" }",
        ),
        (
            "basicList element past the end",
            259,
            291,
            vec![3, 0, 8, 0, 4, 192, 0, 2],
            vec![],
            "err@48 m1 s259 ListDamage { template: 259, record: 1, field: \"basicList\", what: \"list element runs past the end of the list\" }",
        ),
        (
            "subTemplateList of a template never defined",
            260,
            292,
            vec![4, 1, 47, 0, 80],
            vec![],
            "err@46 m1 s260 ListDamage { template: 260, record: 1, field: \"subTemplateList\", what: \"template 303 is not defined\" }",
        ),
        (
            "subTemplateList of zero-octet records",
            260,
            292,
            vec![4, 1, 45, 0, 80],
            vec![zero_records.clone()],
            "err@54 m1 s260 ListDamage { template: 260, record: 1, field: \"subTemplateList\", what: \"template describes zero-length records\" }",
        ),
        (
            "subTemplateList record cut",
            260,
            292,
            vec![4, 1, 44, 0, 80, 0],
            vec![],
            "err@48 m1 s260 ListDamage { template: 260, record: 1, field: \"subTemplateList\", what: \"record runs past the end of its container\" }",
        ),
    ];
    for (case, tid, ie, content, extra, want) in cases {
        let b = list_file(tid, ie, &content, &extra);
        let got = run(&b);
        let errs: Vec<&String> = got.iter().filter(|l| l.starts_with("err@")).collect();
        assert_eq!(errs, [want], "{case}:\n{}", got.join("\n"));
        // the record is delivered, before its problem
        let rec = got
            .iter()
            .position(|l| l.starts_with(&format!("rec {tid}@")));
        let err = got.iter().position(|l| l.starts_with("err@"));
        assert!(rec.is_some() && rec < err, "{case}:\n{}", got.join("\n"));
    }
}

#[test]
fn a_withdrawn_template_in_a_list_is_damage() {
    let tset = [tr(300, 0, &[(0, 11, 2)]), tr(260, 0, &[(0, 292, VARLEN)])].concat();
    let rec = varlen(&[4, 1, 44, 0, 80]);
    let b = [
        msg(1, &[s(2, &tset), s(260, &rec)]),
        msg(1, &[s(2, &[1, 44, 0, 0]), s(260, &rec)]),
    ]
    .concat();
    expect(
        "withdrawn",
        &b,
        &[
            "tpl 300@20 destinationTransportPort",
            "tpl 260@28 subTemplateList",
            "rec 260@40 ff000504012c0050",
            "rec 260@76 ff000504012c0050",
            "err@82 m2 s260 ListDamage { template: 260, record: 1, field: \"subTemplateList\", what: \"template 300 is not defined\" }",
        ],
    );
}

#[test]
fn damage_deep_inside_nested_lists_names_the_top_field_and_the_inner_byte() {
    // 310: a subTemplateList of 311; 311: a basicList whose element length is 0.
    let tset = [
        tr(311, 0, &[(0, 291, VARLEN)]),
        tr(310, 0, &[(0, 292, VARLEN)]),
    ]
    .concat();
    let inner = varlen(&[3, 0, 82, 0, 0, 1, 2]);
    let stl = [&[4u8, 1, 55][..], &inner].concat();
    let b = msg(1, &[s(2, &tset), s(310, &varlen(&stl))]);
    let got = run(&b);
    // record at 40, list content at 43, inner record at 46, basicList content at 49
    assert_eq!(
        got.last().unwrap(),
        "err@49 m1 s310 ListDamage { template: 310, record: 1, field: \"subTemplateList\", what: \"basicList with element length 0\" }"
    );
}

#[test]
fn clean_lists_and_records_without_lists_report_nothing() {
    for (tid, ie, content) in [
        (261u16, 293u16, vec![3u8, 1, 44, 0, 6, 0, 80]),
        (259, 291, vec![3, 0, 8, 0, 4, 192, 0, 2, 1]),
        (260, 292, vec![4, 1, 44, 0, 80, 1, 187]),
        (260, 292, vec![4, 1, 44]),
    ] {
        let got = run(&list_file(tid, ie, &content, &[]));
        assert!(!got.iter().any(|l| l.starts_with("err")), "{got:?}");
    }
}

#[test]
fn every_record_occurrence_is_reported_once() {
    // three damaged records in one set, one clean between them
    let tset = [tr(300, 0, &[(0, 11, 2)]), tr(260, 0, &[(0, 292, VARLEN)])].concat();
    let bad = varlen(&[4, 1, 47]);
    let good = varlen(&[4, 1, 44, 0, 80]);
    let b = msg(
        1,
        &[
            s(2, &tset),
            s(260, &[bad.clone(), good, bad.clone(), bad].concat()),
        ],
    );
    let got = run(&b);
    let errs: Vec<&String> = got.iter().filter(|l| l.starts_with("err@")).collect();
    assert_eq!(errs.len(), 3, "{got:?}");
    for (e, r) in errs.iter().zip([1, 3, 4]) {
        assert!(e.contains(&format!("record: {r},")), "{e}");
    }
}

/// The file of the CLI tests: one clean record and one with a subTemplateList of an undefined
/// template, in a data set at byte 36 (the damage at byte 54).
fn cli_list_file() -> Vec<u8> {
    let tset = [tr(300, 0, &[(0, 11, 2)]), tr(260, 0, &[(0, 292, VARLEN)])].concat();
    let good = varlen(&[4, 1, 44, 0, 80]);
    let bad = varlen(&[4, 1, 47, 0, 80]);
    msg(1, &[s(2, &tset), s(260, &[good, bad].concat())])
}

const CLI_LINE: &str = "ipfixkit: lists.ipfix: byte 54 (message 1, set 260): record 2 of template 260: structured data in subTemplateList is damaged: template 303 is not defined; shown as an @error value\n";

#[test]
fn cat_filter_and_convert_report_list_damage_once_and_exit_1() {
    let w = Workdir::new("hostile_codec_lists");
    w.write("lists.ipfix", &cli_list_file());
    for args in [
        &["cat", "lists.ipfix"][..],
        &["cat", "-f", "json", "lists.ipfix"],
        // CSV without -F reads the file twice (columns, then records): reported once
        &["cat", "-f", "csv", "lists.ipfix"],
        &["cat", "-f", "detail", "lists.ipfix"],
        &["convert", "--to", "json", "lists.ipfix"],
        &["convert", "--to", "csv", "lists.ipfix"],
        &[
            "filter",
            "-f",
            "json",
            "exists(subTemplateList)",
            "lists.ipfix",
        ],
        &[
            "filter",
            "-f",
            "text",
            "not exists(subTemplateList)",
            "lists.ipfix",
        ],
        &[
            "filter",
            "-f",
            "csv",
            "exists(subTemplateList)",
            "lists.ipfix",
        ],
        &[
            "filter",
            "--count",
            "exists(subTemplateList)",
            "lists.ipfix",
        ],
    ] {
        let r = w.run(args).code(1);
        assert_eq!(r.stderr, CLI_LINE, "{args:?}");
    }
    // the damaged record is still printed, with its @error value
    let r = w.run(&["cat", "-f", "json", "lists.ipfix"]).code(1);
    let out = r.out();
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .contains("\"@error\":\"template 303 is not defined\"")
    );
    // --strict stops after the record it is in, which was written
    let r = w
        .run(&["cat", "--strict", "-f", "json", "lists.ipfix"])
        .code(1);
    assert_eq!(r.out().lines().count(), 2);
    assert_eq!(
        r.stderr,
        CLI_LINE.replace(" value\n", " value; stopped (--strict)\n")
    );
    // IPFIX output of filter: reported too
    let r = w
        .run(&[
            "filter",
            "exists(subTemplateList)",
            "lists.ipfix",
            "-o",
            "out.ipfix",
        ])
        .code(1);
    assert_eq!(r.stderr, CLI_LINE);
}

#[test]
fn list_checking_costs_nothing_for_clean_big_inputs() {
    // 64 KiB messages of clean subTemplateMultiLists: decoding with checks stays fast.
    let tset = [tr(300, 0, &[(0, 11, 2)]), tr(261, 0, &[(0, 293, VARLEN)])].concat();
    let entry = [1u8, 44, 0, 6, 0, 80];
    let mut content = vec![3u8];
    while content.len() + entry.len() < 60_000 {
        content.extend_from_slice(&entry);
    }
    let one = msg(1, &[s(2, &tset), s(261, &varlen(&content))]);
    let b: Vec<u8> = std::iter::repeat_n(one, 40).flatten().collect();
    let t = Instant::now();
    let got = run(&b);
    assert!(!got.iter().any(|l| l.starts_with("err")));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

// ---------------------------------------------------------------------------------------------
// Class 5: names from RFC 5610 type records that would break the output are refused.

/// An RFC 5610 type options template 400 (scope privateEnterpriseNumber,
/// informationElementId; informationElementDataType, informationElementName[v]).
fn type_template() -> Vec<u8> {
    tr(
        400,
        2,
        &[(0, 346, 4), (0, 303, 2), (0, 339, 1), (0, 341, VARLEN)],
    )
}

/// One type record: (PEN, ID) is of data type `dtype` (registry value), named `name`.
fn type_rec(pen: u32, id: u16, dtype: u8, name: &[u8]) -> Vec<u8> {
    let mut r = pen.to_be_bytes().to_vec();
    r.extend_from_slice(&id.to_be_bytes());
    r.push(dtype);
    r.extend(varlen(name));
    r
}

/// A file: the type template and `records` (one type set, at 32 + 4), then template 500 =
/// octetDeltaCount[4], the enterprise IEs `ies` ([4] each), and one data record of 500.
fn typed_file(records: &[Vec<u8>], ies: &[(u32, u16)]) -> Vec<u8> {
    let mut fields = vec![(0u32, 1u16, 4u16)];
    fields.extend(ies.iter().map(|&(p, i)| (p, i, 4)));
    let mut data = vec![0, 0, 0, 7];
    for k in 0..ies.len() {
        data.extend_from_slice(&[0, 0, 1, k as u8]);
    }
    msg(
        1,
        &[
            s(3, &type_template()),
            s(400, &records.concat()),
            s(2, &tr(500, 0, &fields)),
            s(500, &data),
        ],
    )
}

fn warnings(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .filter(|l| l.starts_with("err@"))
        .map(String::as_str)
        .collect()
}

fn template_500(lines: &[String]) -> &str {
    lines
        .iter()
        .find(|l| l.starts_with("tpl 500@"))
        .map(String::as_str)
        .unwrap()
}

#[test]
fn type_record_names_that_are_not_ie_names_are_refused() {
    let long = vec![b'a'; 200];
    for (name, shown) in [
        (&b"@domain"[..], "\"@domain\""),
        (b"@export_time", "\"@export_time\""),
        (b"a\nb", "\"a\\nb\""),
        (b"ab\x07c\x1b[2J", "\"ab\\u{7}c\\u{1b}[2J\""),
        (b"x,y", "\"x,y\""),
        (b"name#2", "\"name#2\""),
        (b"en1:id2", "\"en1:id2\""),
        (b"9lives", "\"9lives\""),
        (b"with space", "\"with space\""),
        (b"caf\xc3\xa9", "\"caf\u{e9}\""),
        (b"a\"b", "\"a\\\"b\""),
        (
            &long,
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"",
        ),
    ] {
        let b = typed_file(&[type_rec(99, 1, 3, name)], &[(99, 1)]);
        let got = run(&b);
        let at = 42 + 4; // the type set is at 42 (after the 26-octet options template set)
        assert_eq!(
            warnings(&got),
            [format!(
                "err@{at} m1 s400 BadLearnedName {{ pen: 99, id: 1, name: {shown}, why: \"is not a valid IE name (an ASCII letter, then letters and digits, at most 128)\" }}"
            )],
            "{name:?}:\n{}",
            got.join("\n")
        );
        // the IE keeps its number key (and its learned type)
        assert!(
            template_500(&got).ends_with(" octetDeltaCount,en99:id1"),
            "{name:?}: {}",
            template_500(&got)
        );
    }
}

#[test]
fn a_type_record_cannot_take_another_ies_name() {
    // IANA's octetDeltaCount (0/1) is in the template too: it must keep its name alone
    let b = typed_file(&[type_rec(99, 1, 4, b"octetDeltaCount")], &[(99, 1)]);
    let got = run(&b);
    assert_eq!(
        warnings(&got),
        [
            "err@46 m1 s400 BadLearnedName { pen: 99, id: 1, name: \"octetDeltaCount\", why: \"is the name of another IE\" }"
        ]
    );
    assert!(template_500(&got).ends_with(" octetDeltaCount,en99:id1"));
    // nor a vendor name, nor a reverse one
    for name in [&b"netscalerTransactionId"[..], b"reverseOctetDeltaCount"] {
        let got = run(&typed_file(&[type_rec(99, 1, 4, name)], &[(99, 1)]));
        assert_eq!(warnings(&got).len(), 1, "{got:?}");
    }
    // nor the name another type record gave to another IE in the domain
    let b = typed_file(
        &[
            type_rec(99, 1, 3, b"fooCount"),
            type_rec(99, 2, 3, b"fooCount"),
        ],
        &[(99, 1), (99, 2)],
    );
    let got = run(&b);
    assert_eq!(
        warnings(&got),
        [
            "err@64 m1 s400 BadLearnedName { pen: 99, id: 2, name: \"fooCount\", why: \"another type record in this domain already gave to another IE\" }"
        ]
    );
    assert!(template_500(&got).ends_with(" octetDeltaCount,fooCount,en99:id2"));
}

#[test]
fn good_names_are_learned_and_bad_ones_are_warned_once() {
    let b = typed_file(
        &[
            type_rec(99, 1, 3, b"fooCount2"),
            type_rec(99, 3, 3, b"VRFlike"),
        ],
        &[(99, 1), (99, 3)],
    );
    let got = run(&b);
    assert!(warnings(&got).is_empty(), "{got:?}");
    assert!(template_500(&got).ends_with(" octetDeltaCount,fooCount2,VRFlike"));
    // an exporter re-sends its type records with every template refresh: one warning only
    let bad = type_rec(99, 1, 3, b"@domain");
    let one = typed_file(&[bad.clone(), bad], &[(99, 1)]);
    let b = [one.clone(), one.clone(), one].concat();
    let got = run(&b);
    assert_eq!(warnings(&got).len(), 1, "{got:?}");
    // no name at all is fine too
    let mut r = 99u32.to_be_bytes().to_vec();
    r.extend_from_slice(&[0, 1, 3]);
    let b = msg(
        1,
        &[
            s(3, &tr(401, 2, &[(0, 346, 4), (0, 303, 2), (0, 339, 1)])),
            s(401, &r),
            s(2, &tr(500, 0, &[(99, 1, 4)])),
            s(500, &[0, 0, 0, 1]),
        ],
    );
    let got = run(&b);
    assert!(warnings(&got).is_empty(), "{got:?}");
}

#[test]
fn type_records_do_not_override_vendor_dictionaries() {
    // NetScaler 5951/129 is netscalerTransactionId, unsigned32: a type record cannot rename
    // or retype it (it is part of the built-in model), and nothing is warned
    let b = typed_file(&[type_rec(5951, 129, 13, b"hijacked")], &[(5951, 129)]);
    let got = run(&b);
    assert!(warnings(&got).is_empty(), "{got:?}");
    assert!(template_500(&got).ends_with(" octetDeltaCount,netscalerTransactionId"));
}

#[test]
fn refused_names_keep_every_output_format_whole() {
    let w = Workdir::new("hostile_codec_names");
    let b = typed_file(
        &[type_rec(99, 1, 3, b"@domain"), type_rec(99, 2, 3, b"a\nb")],
        &[(99, 1), (99, 2)],
    );
    w.write("names.ipfix", &b);
    let warn = "ipfixkit: names.ipfix: byte 46 (message 1, set 400): warning: type record names IE 99/1 \"@domain\", which is not a valid IE name (an ASCII letter, then letters and digits, at most 128); it keeps the key en99:id1\n\
                ipfixkit: names.ipfix: byte 63 (message 1, set 400): warning: type record names IE 99/2 \"a\\nb\", which is not a valid IE name (an ASCII letter, then letters and digits, at most 128); it keeps the key en99:id2\n";
    let r = w.run(&["cat", "-f", "json", "names.ipfix"]).ok_warned();
    assert_eq!(r.stderr, warn);
    // (the type records themselves come first, as options records)
    let out = r.out();
    assert_eq!(out.lines().count(), 3);
    assert_eq!(
        out.lines().last().unwrap(),
        "{\"@export_time\":\"2023-11-14T22:13:20Z\",\"@domain\":1,\"@template\":500,\"octetDeltaCount\":7,\"en99:id1\":256,\"en99:id2\":257}"
    );
    let r = w
        .run(&[
            "cat",
            "-f",
            "csv",
            "-F",
            "@domain,octetDeltaCount,en99:id1,en99:id2",
            "names.ipfix",
        ])
        .ok_warned();
    assert_eq!(r.stderr, warn);
    assert_eq!(
        r.out(),
        "@domain,octetDeltaCount,en99:id1,en99:id2\n1,7,256,257\n"
    );
    let r = w.run(&["cat", "-f", "csv", "names.ipfix"]).ok_warned();
    assert_eq!(r.stderr, warn);
    let out = r.out();
    let header = out.lines().next().unwrap();
    assert_eq!(header.matches("@domain").count(), 1, "{header}");
    assert!(
        header.ends_with(",octetDeltaCount,en99:id1,en99:id2"),
        "{header}"
    );
    let r = w.run(&["cat", "names.ipfix"]).ok_warned();
    assert_eq!(r.stderr, warn);
    let out = r.out();
    assert_eq!(out.lines().count(), 3, "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        "1/500 octetDeltaCount=7 en99:id1=256 en99:id2=257"
    );
    // -q hides the warnings; they never change the exit status
    let r = w.run(&["cat", "-q", "names.ipfix"]).ok();
    assert_eq!(r.stderr, "");
}

// ---------------------------------------------------------------------------------------------
// An attack of our own: structured data that makes the IPFIX writer's template collection
// quadratic. `filter` (IPFIX output) asks, for every record, which templates its lists refer
// to (`list::template_refs`), so it can send them first; each new ID was checked against every
// ID found so far. One 64 KiB record of 16 000 subTemplateMultiList entries, each naming another
// template, made that 128 million comparisons per record.

/// A record of template 261 = subTemplateMultiList[v] with `n` empty entries naming templates
/// 1000, 1001, ... (none defined, which is also reported as damage; the references are still
/// collected, as the writer needs them when the templates come later).
fn many_refs(n: u16) -> Vec<u8> {
    let mut content = vec![3u8];
    for i in 0..n {
        content.extend_from_slice(&(1000 + i).to_be_bytes());
        content.extend_from_slice(&[0, 4]);
    }
    msg(
        1,
        &[
            s(2, &tr(261, 0, &[(0, 293, VARLEN)])),
            s(261, &varlen(&content)),
        ],
    )
}

struct Refs {
    refs: Vec<u16>,
    total: usize,
}

impl Visitor for Refs {
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        self.refs.clear();
        ipfixkit::ipfix::list::template_refs(r.template, r.data, r.scope, &mut self.refs);
        self.total += self.refs.len();
        Flow::Continue
    }
    fn problem(&mut self, _e: &DecodeError) -> Flow {
        Flow::Continue
    }
}

#[test]
fn template_references_of_many_lists_are_collected_in_linear_time() {
    let one = many_refs(16_000);
    assert!(one.len() < 65_536);
    let b: Vec<u8> = std::iter::repeat_n(one, 20).flatten().collect();
    let mut v = Refs {
        refs: Vec::new(),
        total: 0,
    };
    let t = Instant::now();
    let mut session = Session::new(InfoModel::builtin());
    decode_all(&mut ByteSource::from_bytes(b), &mut session, &mut v);
    let took = t.elapsed();
    assert_eq!(v.total, 20 * 16_000, "every ID once per record");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // first-seen order, no repeats
    let mut session = Session::new(InfoModel::builtin());
    let twice = [&[3u8, 0x03, 0xE9, 0, 4, 0x03, 0xE8, 0, 4, 0x03, 0xE9, 0, 4][..]].concat();
    let b = msg(
        1,
        &[
            s(2, &tr(261, 0, &[(0, 293, VARLEN)])),
            s(261, &varlen(&twice)),
        ],
    );
    let mut v = Refs {
        refs: Vec::new(),
        total: 0,
    };
    decode_all(&mut ByteSource::from_bytes(b), &mut session, &mut v);
    assert_eq!(v.refs, [1001, 1000]);
    // past the first 16 IDs (where the set takes over from the scan) repeats are still dropped
    let mut content = vec![3u8];
    for i in (0..20u16).chain(0..20).chain(19..25) {
        content.extend_from_slice(&(1000 + i).to_be_bytes());
        content.extend_from_slice(&[0, 4]);
    }
    let b = msg(
        1,
        &[
            s(2, &tr(261, 0, &[(0, 293, VARLEN)])),
            s(261, &varlen(&content)),
        ],
    );
    let mut session = Session::new(InfoModel::builtin());
    decode_all(&mut ByteSource::from_bytes(b), &mut session, &mut v);
    assert_eq!(v.refs, (1000..1025).collect::<Vec<u16>>());
}
