//! Arbitrary text as JSON lines and as CSV through the text encoder (`convert --to ipfix`):
//! it must never panic, and whatever it writes must be IPFIX that decodes without an error
//! (the writer's invariants: templates before use, lengths, set and message sizes), also when
//! lines were bad: `convert` publishes the records of the good lines, so a bad line must
//! leave nothing half-written behind. Warnings are allowed: a `@fields` line may ask for a
//! length its type does not allow, and the encoder reproduces it as asked (lossless), so the
//! decoder warns as it did on the original.
//!
//! Each input is also run with a UTF-8 byte-order mark in front, which must change nothing
//! (neither the sniffed format nor a byte of the output), and once with `strict`, whose output
//! must be a prefix of the records the lenient run kept (same record count at most).
//! `fuzz/text_input.dict` holds the tokens that reach the paths of repeated keys and columns,
//! deep nesting, structured data and extreme times.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::format::TextEncoder;
use ipfixkit::io::input::{Sniffed, sniff};
use ipfixkit::ipfix::session::{Flow, RecordRef, Session, Visitor};
use ipfixkit::ipfix::writer::MessageWriter;
use ipfixkit::ipfix::{DecodeError, InfoModel, Severity};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

struct Problems(Vec<String>, u64);

impl Visitor for Problems {
    fn record(&mut self, _r: &RecordRef<'_>) -> Flow {
        self.1 += 1;
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        if e.severity() == Severity::Error {
            self.0.push(e.to_string());
        }
        Flow::Continue
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Encodes `data` as CSV or JSON lines; the IPFIX written (if the writer finished) and the
/// number of records encoded.
fn encode(model: &Arc<InfoModel>, data: &[u8], csv: bool, strict: bool) -> Option<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    let mut enc = TextEncoder::new(MessageWriter::new(&mut out, 512), model.clone());
    enc.strict = strict;
    let mut reported = 0u64;
    // Formatting each error exercises the shortening of hostile keys and messages.
    let mut report = |e: &ipfixkit::format::InputError| {
        reported += 1;
        assert!(
            e.to_string().len() < 2048,
            "an error line of {} octets",
            e.to_string().len()
        );
    };
    let r = if csv {
        enc.csv_plan(data);
        enc.csv(data, &mut report)
    } else {
        enc.json_lines(data, &mut report)
    };
    if let Err(ipfixkit::format::EncodeFailure::Input(e)) = &r {
        assert!(
            e.to_string().len() < 2048,
            "an error line of {} octets",
            e.to_string().len()
        );
    }
    if strict {
        assert_eq!(reported, 0, "strict reports nothing: it stops");
    }
    let records = enc.records;
    enc.writer.finish().ok()?;
    Some((out, records))
}

fuzz_target!(|data: &[u8]| {
    let model = InfoModel::builtin();
    let mut with_bom = BOM.to_vec();
    with_bom.extend_from_slice(data);
    // A mark in front of text changes nothing (in front of binary it makes text).
    if !data.starts_with(BOM) && sniff(data) != Sniffed::Ipfix {
        assert_eq!(
            sniff(&with_bom),
            sniff(data),
            "a byte-order mark changed the format"
        );
    }
    for csv in [false, true] {
        let Some((out, records)) = encode(&model, data, csv, false) else {
            continue;
        };
        let mut p = Problems(Vec::new(), 0);
        decode_all(
            &mut ByteSource::from_bytes(out.clone()),
            &mut Session::new(model.clone()),
            &mut p,
        );
        assert!(p.0.is_empty(), "written IPFIX is broken: {:?}", p.0);
        assert_eq!(p.1, records, "records encoded and decoded differ");
        if !data.starts_with(BOM) {
            let bom = encode(&model, &with_bom, csv, false).map(|(o, _)| o);
            assert_eq!(
                bom.as_deref(),
                Some(&out[..]),
                "a byte-order mark changed the output"
            );
        }
        if let Some((_, strict_records)) = encode(&model, data, csv, true) {
            assert!(
                strict_records <= records,
                "strict kept more records than lenient"
            );
        }
    }
});
