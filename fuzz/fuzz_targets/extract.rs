//! Arbitrary bytes as a capture file through `pcap2ipfix --extract`
//! (`meter::run::extract_source`, the per-capture path of `meter::run::extract`): the capture
//! reader, the packet parser, IP defragmentation, UDP export packets told by their content
//! (IPFIX, NetFlow v5 and v9, translated), TCP segments through the reassembler and whole
//! IPFIX messages cut from the streams (joined across segments, resynchronised after gaps),
//! each exporter's session, the remapper and the message writer (1400-octet messages, as in
//! the command).
//!
//! Findings: a panic, a timeout, memory over `-rss_limit_mb`; output written (`Ok`) that does
//! not decode without a structural error (damaged lists are the exporter's own values, copied
//! as they came, and do not count), or that holds fewer records than were extracted or more
//! than those plus one exporter options record per output domain.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::{ReadOpts, decode_with};
use ipfixkit::ipfix::session::{Flow, MessageCtx, RecordRef, Session, Visitor};
use ipfixkit::ipfix::{DecodeError, ErrorKind, InfoModel, Severity, Template};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// Counts the output's records and its structural errors.
#[derive(Default)]
struct Check {
    records: u64,
    errors: Vec<String>,
}

impl Visitor for Check {
    fn record(&mut self, _r: &RecordRef<'_>) -> Flow {
        self.records += 1;
        Flow::Continue
    }

    fn template(&mut self, _m: &MessageCtx, _t: &Arc<Template>, _o: u64, _c: bool) -> Flow {
        Flow::Continue
    }

    fn problem(&mut self, e: &DecodeError) -> Flow {
        let content = matches!(e.kind, ErrorKind::ListDamage { .. });
        if e.severity() == Severity::Error && !content {
            self.errors.push(e.to_string());
        }
        Flow::Continue
    }
}

fuzz_target!(|data: &[u8]| {
    let model = InfoModel::builtin();
    let src = ByteSource::from_bytes(data.to_vec());
    let mut out = Vec::new();
    let r =
        ipfixkit::meter::run::extract_source(src, "fuzz", &model, 1400, None, &mut out, &|_| {});
    let Ok(x) = r else {
        return;
    };
    for l in &x.lines {
        assert!(
            l.starts_with("fuzz: "),
            "a line not naming the capture: {l}"
        );
    }
    let mut check = Check::default();
    let mut session = Session::new(model);
    decode_with(
        &mut ByteSource::from_bytes(out),
        &mut session,
        &mut check,
        &ReadOpts::default(),
    );
    assert!(
        check.errors.is_empty(),
        "the extracted IPFIX does not decode: {:?} ({:?})",
        check.errors,
        x.stats
    );
    let domains = x.mapping.len() as u64;
    assert!(
        (x.stats.records..=x.stats.records + domains).contains(&check.records),
        "{} records decoded, {} extracted, {domains} output domains",
        check.records,
        x.stats.records
    );
});
