//! Arbitrary bytes as NetFlow v5/v9 export packets through the translator
//! (`ipfix::netflow`), the way the reader meets them (one `Translator` per input, packets
//! delimited by `packet_len`), and the translation through the IPFIX session and the JSON
//! printer.
//!
//! Findings: a panic, a timeout, memory over `-rss_limit_mb`, or a translation that is not
//! well-formed IPFIX: every message it writes must have version 10 and a length that frames
//! it exactly, and must decode without a structural error. What the packet's own values
//! carry stays: a v9 field of an IANA list type (basicList and the like) holds whatever the
//! exporter put there, so damaged structured data (`ListDamage`) and warnings are the
//! input's, not the translation's. Each input is also run
//! once more behind a valid v9 template packet, so data FlowSets meet a live template.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::{ReadOpts, decode_with};
use ipfixkit::ipfix::netflow::{Translator, packet_len};
use ipfixkit::ipfix::session::{Flow, Session};
use ipfixkit::ipfix::{DecodeError, ErrorKind, InfoModel, Severity};
use ipfixkit::output::json::JsonPrinter;
use ipfixkit::output::{Drive, PrintOptions};
use libfuzzer_sys::fuzz_target;

/// A v9 packet defining template 256 (IPV4_SRC_ADDR/4, IN_PKTS/4, FIRST_SWITCHED/4).
const TEMPLATE: [u8; 40] = [
    0, 9, 0, 1, 0, 0, 0xea, 0x60, 0x65, 0x53, 0xf1, 0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 20, 1, 0,
    0, 3, 0, 8, 0, 4, 0, 2, 0, 4, 0, 22, 0, 4,
];

fn translate_all(data: &[u8]) {
    let mut t = Translator::new();
    let model = InfoModel::builtin();
    let mut at = 0;
    while at < data.len() {
        let rest = &data[at..];
        let len = match packet_len(rest) {
            Ok(n) if n > 0 => n,
            _ => rest.len(),
        };
        let mut out = Vec::new();
        let _ = t.translate(&rest[..len], &mut out);
        // What was written frames itself as IPFIX messages.
        let mut pos = 0;
        while pos < out.len() {
            assert!(out.len() - pos >= 16, "a cut message");
            assert_eq!(&out[pos..pos + 2], &[0, 10], "not IPFIX");
            let l = u16::from_be_bytes([out[pos + 2], out[pos + 3]]) as usize;
            assert!(l >= 16 && pos + l <= out.len(), "a message length that does not frame it");
            pos += l;
        }
        // ... and decodes without an error.
        let mut session = Session::new(model.clone());
        let mut buf = Vec::new();
        let mut json = JsonPrinter::new(&mut buf, PrintOptions::default());
        let mut errors = Vec::new();
        let mut on_problem = |e: &DecodeError| {
            let content = matches!(e.kind, ErrorKind::ListDamage { .. });
            if e.severity() == Severity::Error && !content {
                errors.push(e.to_string());
            }
            Flow::Continue
        };
        let mut drive = Drive::new(&mut json, &mut on_problem, None);
        let mut src = ByteSource::from_bytes(out);
        decode_with(&mut src, &mut session, &mut drive, &ReadOpts::default());
        drop(drive);
        assert!(errors.is_empty(), "the translation does not decode: {errors:?}");
        at += len;
    }
}

fuzz_target!(|data: &[u8]| {
    translate_all(data);
    let mut with = TEMPLATE.to_vec();
    with.extend_from_slice(data);
    translate_all(&with);
    // The reader's own path over the raw bytes (a stream of packets, damage and all).
    let mut session = Session::new(InfoModel::builtin());
    let mut buf = Vec::new();
    let mut json = JsonPrinter::new(&mut buf, PrintOptions::default());
    let mut on_problem = |e: &DecodeError| {
        let _ = e.to_string();
        Flow::Continue
    };
    let mut drive = Drive::new(&mut json, &mut on_problem, None);
    let opts = ReadOpts {
        max_resync: 65535,
        ..ReadOpts::default()
    };
    decode_with(&mut ByteSource::from_bytes(with), &mut session, &mut drive, &opts);
});
