//! Property tests for the message writer: whatever templates and records go in, the output
//! decodes to exactly those records, in order, with valid framing: every message within the
//! size limit, templates before use, sequence numbers counting records per domain.

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::ipfix::session::{Flow, MessageCtx, RecordRef, Session, Visitor};
use ipfixkit::ipfix::template::FieldSpec;
use ipfixkit::ipfix::writer::{MessageWriter, TemplateDef};
use ipfixkit::ipfix::{DecodeError, InfoModel, VARLEN};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Default)]
struct Seen {
    records: Vec<(u32, u32, u16, Vec<u8>)>,
    problems: Vec<String>,
    /// (domain, sequence, records in the message)
    messages: Vec<(u32, u32, u32)>,
}

impl Visitor for Seen {
    fn message(&mut self, m: &MessageCtx) -> Flow {
        self.messages.push((m.header.domain, m.header.sequence, 0));
        Flow::Continue
    }
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        self.records.push((
            r.domain(),
            r.msg.header.export_time,
            r.template.id,
            r.data.to_vec(),
        ));
        if let Some(m) = self.messages.last_mut() {
            m.2 += 1;
        }
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        self.problems.push(e.to_string());
        Flow::Continue
    }
}

/// A field: (pen, id, len). Lengths include reduced sizes and variable length.
fn field() -> impl Strategy<Value = (u32, u16, u16)> {
    prop_oneof![
        Just((0u32, 8u16, 4u16)),
        Just((0, 27, 16)),
        (1u16..=8).prop_map(|l| (0, 1, l)),
        Just((0, 4, 1)),
        Just((0, 82, VARLEN)),
        Just((29305, 1, 8)),
        (1u16..=20).prop_map(|l| (12345, 7, l)),
        Just((12345, 9, VARLEN)),
    ]
}

fn template(id: u16) -> impl Strategy<Value = TemplateDef> {
    (prop::collection::vec(field(), 1..8), 0u16..3).prop_map(move |(fields, scope)| TemplateDef {
        id,
        scope_count: scope.min(fields.len() as u16),
        fields: fields.into_iter().map(FieldSpec::from).collect(),
    })
}

/// Record bytes for a template: fixed fields filled, varlen fields with 0..300 octets (both
/// prefix forms).
fn record_for(t: &TemplateDef, seed: &[u8], var: &[usize]) -> Vec<u8> {
    let mut b = Vec::new();
    let mut k = 0;
    for (i, &FieldSpec { len, .. }) in t.fields.iter().enumerate() {
        if len == VARLEN {
            let n = var[i % var.len()];
            if n < 255 {
                b.push(n as u8);
            } else {
                b.push(255);
                b.extend_from_slice(&(n as u16).to_be_bytes());
            }
            for _ in 0..n {
                b.push(seed[k % seed.len()]);
                k += 1;
            }
        } else {
            for _ in 0..len {
                b.push(seed[k % seed.len()]);
                k += 1;
            }
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn written_records_decode_back(
        templates in prop::collection::vec(template(0), 1..5),
        plan in prop::collection::vec((0usize..5, 0u32..3, 0u32..3), 1..60),
        seed in prop::collection::vec(any::<u8>(), 1..64),
        var in prop::collection::vec(0usize..300, 1..4),
        limit in 400usize..=65535,
        redefine in any::<bool>(),
    ) {
        let mut w = MessageWriter::new(Vec::new(), limit);
        let mut defs: BTreeMap<(u32, u16), TemplateDef> = BTreeMap::new();
        let mut expected = Vec::new();
        let mut time = 1_700_000_000u32;
        for (n, (ti, domain, dt)) in plan.iter().enumerate() {
            let mut t = templates[ti % templates.len()].clone();
            t.id = 256 + (ti % templates.len()) as u16;
            // Optionally redefine a template halfway through with another layout.
            if redefine && n == plan.len() / 2 {
                t.fields.reverse();
            }
            w.define(*domain, t.clone()).unwrap();
            defs.insert((*domain, t.id), t.clone());
            time += dt;
            let rec = record_for(&t, &seed, &var);
            if 16 + 4 + rec.len() + 4 + t.wire_len() > limit {
                continue;
            }
            w.record(*domain, time, t.id, &rec).unwrap();
            expected.push((*domain, time, t.id, rec));
        }
        let out = w.finish().unwrap();
        let mut s = Session::new(InfoModel::builtin());
        let mut seen = Seen::default();
        decode_all(&mut ByteSource::from_bytes(out.clone()), &mut s, &mut seen);
        prop_assert!(seen.problems.is_empty(), "{:?}", seen.problems);
        prop_assert_eq!(&seen.records, &expected);
        // Framing: every message within the limit.
        let mut pos = 0;
        while pos < out.len() {
            let len = u16::from_be_bytes([out[pos + 2], out[pos + 3]]) as usize;
            prop_assert!(len >= 16 && len <= limit);
            pos += len;
        }
        // Sequence numbers: records sent before each message, per domain.
        let mut count: BTreeMap<u32, u32> = BTreeMap::new();
        for (d, seq, n) in &seen.messages {
            let c = count.entry(*d).or_default();
            prop_assert_eq!(*seq, *c);
            *c += n;
        }
    }
}
