//! Arbitrary text as JSON lines and as CSV through the text encoder (`convert --to ipfix`):
//! it must never panic, and whatever it accepts must be IPFIX that decodes without an error
//! (the writer's invariants: templates before use, lengths, set and message sizes). Warnings
//! are allowed: a `@fields` line may ask for a length its type does not allow, and the
//! encoder reproduces it as asked (lossless), so the decoder warns as it did on the original.

#![no_main]

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::io::textin::TextEncoder;
use ipfixkit::ipfix::session::{Flow, RecordRef, Session, Visitor};
use ipfixkit::ipfix::writer::MessageWriter;
use ipfixkit::ipfix::{DecodeError, InfoModel, Severity};
use libfuzzer_sys::fuzz_target;

struct Problems(Vec<String>);

impl Visitor for Problems {
    fn record(&mut self, _r: &RecordRef<'_>) -> Flow {
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        if e.severity() == Severity::Error {
            self.0.push(e.to_string());
        }
        Flow::Continue
    }
}

fuzz_target!(|data: &[u8]| {
    let model = InfoModel::builtin();
    for csv in [false, true] {
        let mut out = Vec::new();
        let mut enc = TextEncoder::new(MessageWriter::new(&mut out, 512), model.clone());
        let ok = if csv {
            enc.csv_plan(data);
            enc.csv(data).is_ok()
        } else {
            enc.json_lines(data).is_ok()
        };
        let finished = enc.writer.finish().is_ok();
        if !(ok && finished) {
            continue;
        }
        let mut p = Problems(Vec::new());
        decode_all(&mut ByteSource::from_bytes(out), &mut Session::new(model.clone()), &mut p);
        assert!(p.0.is_empty(), "accepted input gave broken IPFIX: {:?}", p.0);
    }
});
