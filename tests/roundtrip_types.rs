//! Property tests: every data type, at every length its type allows, survives
//! `encode` -> `decode`; structured data built from encoded elements survives a trip through
//! `Session` + `decode_all`; and so does a whole message with a template of random fields and
//! random records. Time values, random and at the extremes of every time type, survive their
//! text forms: what each printer (text, JSON, CSV; RFC 3339 and epoch) writes reads back
//! through `convert --to ipfix` as the same value.

mod common;

use ipfixkit::io::input::ByteSource;
use ipfixkit::io::reader::decode_all;
use ipfixkit::ipfix::encode::{
    self, basic_list, encode, encode_varlen, sub_template_list, sub_template_multi_list,
    template_record, time_value,
};
use ipfixkit::ipfix::list::{
    BasicList, FieldValues, Records, Scope, parse_stl, parse_stml, split_varlen,
};
use ipfixkit::ipfix::session::{Flow, RecordRef, Session, Visitor};
use ipfixkit::ipfix::text::parse;
use ipfixkit::ipfix::text::{TimeStyle, write_scalar};
use ipfixkit::ipfix::{
    DataType, DecodeError, IeDef, InfoModel, Semantics, Units, VARLEN, Value, decode,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

/// RFC 5612 documentation PEN: IE `id_of(t)` under it has type `t`.
const PEN: u32 = 32473;

fn id_of(t: DataType) -> u16 {
    t as u16 + 1
}

/// The built-in model plus one enterprise IE per data type.
fn model() -> Arc<InfoModel> {
    static M: OnceLock<Arc<InfoModel>> = OnceLock::new();
    M.get_or_init(|| {
        let mut m = (*InfoModel::builtin()).clone();
        for t in DataType::ALL {
            m.insert(IeDef {
                pen: PEN,
                id: id_of(t),
                name: Cow::Owned(format!("test_{}", t.name())),
                dtype: t,
                semantics: if t.is_list() {
                    Semantics::List
                } else {
                    Semantics::Default
                },
                units: Units::None,
                default_len: None,
            });
        }
        Arc::new(m)
    })
    .clone()
}

/// An owned value to generate; `value()` borrows it as the codec's `Value`.
#[derive(Clone, Debug)]
enum Gen {
    U(u64),
    S(i64),
    U256(Vec<u8>),
    F32(f32),
    F64(f64),
    B(bool),
    Mac([u8; 6]),
    V4([u8; 4]),
    V6([u8; 16]),
    Str(String),
    Oct(Vec<u8>),
    Sec(u32),
    Ms(u64),
    Us(u64),
    Ns(u64),
    List(DataType, Vec<u8>),
}

impl Gen {
    fn value(&self) -> Value<'_> {
        match self {
            Gen::U(x) => Value::Unsigned(*x),
            Gen::S(x) => Value::Signed(*x),
            Gen::U256(b) => Value::Unsigned256(b),
            Gen::F32(x) => Value::Float32(*x),
            Gen::F64(x) => Value::Float64(*x),
            Gen::B(b) => Value::Bool(*b),
            Gen::Mac(m) => Value::Mac(*m),
            Gen::V4(a) => Value::Ipv4(Ipv4Addr::from(*a)),
            Gen::V6(a) => Value::Ipv6(Ipv6Addr::from(*a)),
            Gen::Str(s) => Value::String(s.as_bytes()),
            Gen::Oct(b) => Value::Octets(b),
            Gen::Sec(s) => Value::Seconds(*s),
            Gen::Ms(x) => Value::Millis(*x),
            Gen::Us(x) => Value::Micros(*x),
            Gen::Ns(x) => Value::Nanos(*x),
            Gen::List(t, b) => Value::List(*t, b),
        }
    }
}

/// Whether `got` is what decoding the encoding of `g` must give.
fn same(t: DataType, len: u16, g: &Gen, got: &Value<'_>) -> bool {
    match (g, got) {
        // The same number, widened to the field with leading zero octets.
        (Gen::U256(b), Value::Unsigned256(d)) => {
            let mut want = vec![0u8; len as usize - b.len()];
            want.extend_from_slice(b);
            *d == want.as_slice()
        }
        (Gen::F32(x), Value::Float32(y)) => x.to_bits() == y.to_bits(),
        (Gen::F64(x), Value::Float64(y)) if len == 4 && x.is_nan() => y.is_nan(),
        (Gen::F64(x), Value::Float64(y)) => x.to_bits() == y.to_bits(),
        _ => {
            let _ = t;
            g.value() == *got
        }
    }
}

/// Every field length a template may give type `t`, with a few for the types of any length.
fn lengths(t: DataType) -> Vec<u16> {
    match t.natural_len() {
        Some(n) => (0..=n)
            .chain([VARLEN])
            .filter(|&l| t.length_ok(l))
            .collect(),
        None => vec![VARLEN, 0, 1, 7, 254, 255, 300],
    }
}

/// A string of exactly `len` UTF-8 octets made from arbitrary characters.
fn utf8_of_len(chars: Vec<char>, len: usize) -> String {
    let mut s = String::new();
    for c in chars {
        if s.len() + c.len_utf8() > len {
            break;
        }
        s.push(c);
    }
    while s.len() < len {
        s.push('x');
    }
    s
}

fn bytes(lo: usize, hi: usize) -> BoxedStrategy<Vec<u8>> {
    proptest::collection::vec(any::<u8>(), lo..=hi).boxed()
}

/// Values of type `t` that fit a field of length `len` (edges included).
fn value_strategy(t: DataType, len: u16) -> BoxedStrategy<Gen> {
    let n = len as usize;
    match t {
        DataType::Unsigned8
        | DataType::Unsigned16
        | DataType::Unsigned32
        | DataType::Unsigned64 => {
            let max = if n >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * n)) - 1
            };
            prop_oneof![Just(0), Just(max), Just(max / 2 + 1), 0..=max]
                .prop_map(Gen::U)
                .boxed()
        }
        DataType::Signed8 | DataType::Signed16 | DataType::Signed32 | DataType::Signed64 => {
            let (min, max) = if n >= 8 {
                (i64::MIN, i64::MAX)
            } else {
                (-(1i64 << (8 * n - 1)), (1i64 << (8 * n - 1)) - 1)
            };
            prop_oneof![Just(min), Just(max), Just(-1), Just(0), min..=max]
                .prop_map(Gen::S)
                .boxed()
        }
        DataType::Unsigned256 => prop_oneof![
            bytes(0, n),
            Just(vec![0xFF; n]),
            bytes(0, n).prop_map(move |mut b| {
                b.insert(0, 0);
                b.truncate(n);
                b
            }),
        ]
        .prop_map(Gen::U256)
        .boxed(),
        DataType::Float32 => prop_oneof![
            any::<u32>().prop_map(f32::from_bits),
            // NaN bit patterns, both signs, quiet and signalling
            (0u32..0x0080_0000).prop_map(|m| f32::from_bits(0x7f80_0000 | m.max(1))),
            (0u32..0x0080_0000).prop_map(|m| f32::from_bits(0xff80_0000 | m.max(1))),
            Just(f32::INFINITY),
            Just(-0.0f32),
        ]
        .prop_map(Gen::F32)
        .boxed(),
        DataType::Float64 if n == 4 => prop_oneof![
            any::<u32>().prop_map(|b| f32::from_bits(b) as f64),
            any::<u64>().prop_map(|m| f64::from_bits(0x7ff0_0000_0000_0000 | (m >> 12).max(1))),
            Just(f64::NEG_INFINITY),
        ]
        .prop_map(Gen::F64)
        .boxed(),
        DataType::Float64 => prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            any::<u64>().prop_map(|m| f64::from_bits(0xfff0_0000_0000_0000 | (m >> 12).max(1))),
            any::<f64>(),
        ]
        .prop_map(Gen::F64)
        .boxed(),
        DataType::Boolean => any::<bool>().prop_map(Gen::B).boxed(),
        DataType::MacAddress => any::<[u8; 6]>().prop_map(Gen::Mac).boxed(),
        DataType::Ipv4Address => any::<[u8; 4]>().prop_map(Gen::V4).boxed(),
        DataType::Ipv6Address => any::<[u8; 16]>().prop_map(Gen::V6).boxed(),
        DataType::String if len == VARLEN => proptest::collection::vec(any::<char>(), 0..100)
            .prop_map(|c| Gen::Str(c.into_iter().collect()))
            .boxed(),
        DataType::String => proptest::collection::vec(any::<char>(), 0..=n)
            .prop_map(move |c| Gen::Str(utf8_of_len(c, n)))
            .boxed(),
        DataType::OctetArray if len == VARLEN => prop_oneof![bytes(0, 300), bytes(250, 260)]
            .prop_map(Gen::Oct)
            .boxed(),
        DataType::OctetArray => bytes(n, n).prop_map(Gen::Oct).boxed(),
        DataType::DateTimeSeconds => any::<u32>().prop_map(Gen::Sec).boxed(),
        DataType::DateTimeMilliseconds => any::<u64>().prop_map(Gen::Ms).boxed(),
        DataType::DateTimeMicroseconds | DataType::DateTimeNanoseconds => {
            let from_instant =
                (-2_208_988_800i64..2_085_978_495, 0u32..1_000_000_000).prop_map(move |(s, ns)| {
                    match time_value(t, s, ns) {
                        Ok(Value::Micros(x)) => Gen::Us(x),
                        Ok(Value::Nanos(x)) => Gen::Ns(x),
                        other => panic!("time_value({t:?}, {s}, {ns}) = {other:?}"),
                    }
                });
            let raw = any::<u64>().prop_map(move |x| {
                if t == DataType::DateTimeMicroseconds {
                    Gen::Us(x)
                } else {
                    Gen::Ns(x)
                }
            });
            prop_oneof![from_instant, raw].boxed()
        }
        DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList => {
            if len == VARLEN {
                bytes(0, 300).prop_map(move |b| Gen::List(t, b)).boxed()
            } else {
                bytes(n, n).prop_map(move |b| Gen::List(t, b)).boxed()
            }
        }
    }
}

/// Encodes one field value; `long` forces the 3-octet varlen prefix.
fn put(t: DataType, len: u16, g: &Gen, long: bool, out: &mut Vec<u8>) {
    let v = g.value();
    if len == VARLEN && long {
        let mut content = Vec::new();
        let n = match &v {
            Value::String(b) | Value::Octets(b) | Value::List(_, b) => b.len() as u16,
            _ => unreachable!("only types of any length are variable length"),
        };
        encode(t, &v, n, &mut content).unwrap();
        encode_varlen(&content, true, out).unwrap();
    } else {
        encode(t, &v, len, out).unwrap_or_else(|e| panic!("{t:?}[{len}] {g:?}: {e}"));
    }
}

#[test]
fn every_type_at_every_length() {
    let mut covered = Vec::new();
    for t in DataType::ALL {
        for len in lengths(t) {
            for long in [false, true] {
                if long && len != VARLEN {
                    continue;
                }
                let mut runner = TestRunner::new(Config {
                    cases: 128,
                    failure_persistence: None,
                    ..Config::default()
                });
                runner
                    .run(&value_strategy(t, len), |g| {
                        let mut b = Vec::new();
                        put(t, len, &g, long, &mut b);
                        let content = if len == VARLEN {
                            let (c, rest) = split_varlen(&b).expect("varlen prefix");
                            prop_assert!(rest.is_empty());
                            let long_form = b[0] == 0xFF;
                            prop_assert_eq!(long_form, long || c.len() >= 255);
                            c
                        } else {
                            prop_assert_eq!(b.len(), len as usize);
                            &b[..]
                        };
                        let got = decode(t, content);
                        prop_assert!(
                            same(t, len, &g, &got),
                            "{:?} [{}] {:?} -> {:?}",
                            t,
                            len,
                            g,
                            got
                        );
                        Ok(())
                    })
                    .unwrap_or_else(|e| panic!("{t:?} [{len}] long={long}: {e}"));
                covered.push((t, len));
            }
        }
    }
    // Every type, and every reduced length of every reducible type.
    for t in DataType::ALL {
        assert!(covered.iter().any(|c| c.0 == t), "{t:?} not covered");
    }
    for (t, lens) in [
        (DataType::Unsigned16, 1..=2u16),
        (DataType::Unsigned32, 1..=4),
        (DataType::Unsigned64, 1..=8),
        (DataType::Signed16, 1..=2),
        (DataType::Signed32, 1..=4),
        (DataType::Signed64, 1..=8),
        (DataType::Unsigned256, 1..=32),
    ] {
        for l in lens {
            assert!(covered.contains(&(t, l)), "{t:?}[{l}] not covered");
        }
    }
    assert!(covered.contains(&(DataType::Float64, 4)));
}

#[test]
fn values_that_do_not_fit_are_refused() {
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    // An integer encodes in a reduced length exactly when decoding gives it back.
    runner
        .run(
            &(any::<i64>(), 0u32..64, 1u16..=8, any::<bool>()),
            |(x, magnitude, len, signed)| {
                // every magnitude, so that the edges of every length are hit
                let x = x >> magnitude;
                let (t, v) = if signed {
                    (DataType::Signed64, Value::Signed(x))
                } else {
                    (DataType::Unsigned64, Value::Unsigned(x as u64))
                };
                let mut b = Vec::new();
                let ok = encode(t, &v, len, &mut b).is_ok();
                let shift = 64 - 8 * len as u32;
                let fits = if signed {
                    ((x << shift) >> shift) == x
                } else {
                    len == 8 || (x as u64) >> (8 * len) == 0
                };
                prop_assert_eq!(ok, fits, "{:?} {} [{}]", t, x, len);
                if ok {
                    prop_assert_eq!(decode(t, &b), v);
                } else {
                    prop_assert!(b.is_empty());
                }
                Ok(())
            },
        )
        .unwrap();
    // A float64 goes into 4 octets exactly when float32 holds it (or it is a NaN).
    runner
        .run(&any::<u64>(), |bits| {
            let x = f64::from_bits(bits);
            let mut b = Vec::new();
            let ok = encode(DataType::Float64, &Value::Float64(x), 4, &mut b).is_ok();
            prop_assert_eq!(ok, x.is_nan() || (x as f32) as f64 == x);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Through the session.

/// A visitor that runs a closure on every record and keeps the problems.
struct Collect<F: FnMut(&RecordRef<'_>)> {
    on_record: F,
    problems: Vec<DecodeError>,
}

impl<F: FnMut(&RecordRef<'_>)> Visitor for Collect<F> {
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        (self.on_record)(r);
        Flow::Continue
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        self.problems.push(e.clone());
        Flow::Continue
    }
}

fn decode_file(file: Vec<u8>, on_record: impl FnMut(&RecordRef<'_>)) -> Vec<DecodeError> {
    let mut src = ByteSource::from_bytes(file);
    let mut session = Session::new(model());
    let mut v = Collect {
        on_record,
        problems: Vec::new(),
    };
    decode_all(&mut src, &mut session, &mut v);
    v.problems
}

/// The scalar types (lists are tested on their own below).
fn scalar_type() -> impl Strategy<Value = DataType> {
    proptest::sample::select(
        DataType::ALL
            .iter()
            .copied()
            .filter(|t| !t.is_list())
            .collect::<Vec<_>>(),
    )
}

/// A field (type, length) with any length its type allows.
fn field() -> impl Strategy<Value = (DataType, u16)> {
    scalar_type().prop_flat_map(|t| {
        let lens = lengths(t)
            .into_iter()
            .filter(|&l| l <= 40 || l == VARLEN)
            .collect::<Vec<_>>();
        (Just(t), proptest::sample::select(lens))
    })
}

/// Random values for every field of a template, each with a "use the long prefix" flag.
fn record(fields: &[(DataType, u16)]) -> Vec<BoxedStrategy<(Gen, bool)>> {
    fields
        .iter()
        .map(|&(t, l)| (value_strategy(t, l), any::<bool>()).boxed())
        .collect()
}

fn encode_record(fields: &[(DataType, u16)], rec: &[(Gen, bool)], out: &mut Vec<u8>) {
    for (&(t, l), (g, long)) in fields.iter().zip(rec) {
        put(t, l, g, *long, out);
    }
}

fn specs(fields: &[(DataType, u16)]) -> Vec<(u32, u16, u16)> {
    fields.iter().map(|&(t, l)| (PEN, id_of(t), l)).collect()
}

fn min_len(fields: &[(DataType, u16)]) -> usize {
    fields
        .iter()
        .map(|&(_, l)| if l == VARLEN { 1 } else { l as usize })
        .sum()
}

/// A message: template set, then one data set of the records plus up to 3 octets of padding
/// (less than the shortest record, RFC 7011 §3.3.1).
fn template_and_data(
    tid: u16,
    fields: &[(DataType, u16)],
    recs: &[Vec<(Gen, bool)>],
    header: (u32, u32, u32),
    padding: usize,
) -> Vec<u8> {
    let t = encode::set(2, &template_record(tid, 0, &specs(fields)).unwrap()).unwrap();
    let mut body = Vec::new();
    for r in recs {
        encode_record(fields, r, &mut body);
    }
    body.resize(
        body.len() + padding.min(min_len(fields).saturating_sub(1)),
        0,
    );
    let d = encode::set(tid, &body).unwrap();
    encode::message(header.0, header.1, header.2, &[t, d]).unwrap()
}

/// Template ID, fields, records, (export time, sequence, domain), padding octets.
type MessageCase = (
    u16,
    Vec<(DataType, u16)>,
    Vec<Vec<(Gen, bool)>>,
    (u32, u32, u32),
    usize,
);

fn message_case() -> impl Strategy<Value = MessageCase> {
    proptest::collection::vec(field(), 1..12)
        .prop_filter("records must have a length", |f| min_len(f) > 0)
        .prop_flat_map(|fields| {
            let recs = proptest::collection::vec(record(&fields), 0..8);
            (
                256u16..=65535,
                Just(fields),
                recs,
                any::<(u32, u32, u32)>(),
                0usize..4,
            )
        })
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    /// A whole message with a template of random fields and random records: every value comes
    /// back, in order, with no problem reported.
    #[test]
    fn whole_message((tid, fields, recs, header, padding) in message_case()) {
        let file = template_and_data(tid, &fields, &recs, header, padding);
        let mut got: Vec<Vec<(DataType, u16, Vec<u8>)>> = Vec::new();
        let mut meta = Vec::new();
        let problems = decode_file(file, |r| {
            meta.push((r.template.id, r.domain(), r.msg.header.export_time, r.msg.header.sequence));
            got.push(r.fields().map(|(f, v)| (f.dtype, f.len, v.to_vec())).collect());
        });
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(got.len(), recs.len());
        for m in &meta {
            prop_assert_eq!(*m, (tid, header.2, header.0, header.1));
        }
        for (r, want) in got.iter().zip(&recs) {
            prop_assert_eq!(r.len(), fields.len());
            for ((dt, len, b), ((t, l), (g, _))) in r.iter().zip(fields.iter().zip(want)) {
                prop_assert_eq!((*dt, *len), (*t, *l));
                let v = decode(*dt, b);
                prop_assert!(same(*t, *l, g, &v), "{:?}[{}]: {:?} came back as {:?}", t, l, g, v);
            }
        }
    }

    /// A basicList of any scalar element type, fixed or variable element length, either
    /// prefix form, enterprise or IANA element IE.
    #[test]
    fn basic_list_through_session(
        (t, len, elems, semantic, long) in field()
            .prop_filter("elements need a length", |&(_, l)| l != 0)
            .prop_flat_map(|(t, l)| (
                Just(t),
                Just(l),
                proptest::collection::vec((value_strategy(t, l), any::<bool>()), 0..20),
                any::<u8>(),
                any::<bool>(),
            ))
    ) {
        let mut body = Vec::new();
        for (g, lg) in &elems {
            put(t, len, g, *lg, &mut body);
        }
        let content = basic_list(semantic, PEN, id_of(t), len, &body);
        let outer = [(DataType::Unsigned16, 2u16), (DataType::BasicList, VARLEN)];
        let rec = vec![
            (Gen::U(7), false),
            (Gen::List(DataType::BasicList, content), long),
        ];
        let file = template_and_data(256, &outer, &[rec], (1, 0, 5), 0);
        let mut got = Vec::new();
        let problems = decode_file(file, |r| {
            let (_, v) = r.fields().nth(1).expect("list field");
            let l = BasicList::parse(v, r.scope).expect("basicList header");
            let elems: Vec<_> = l.elements().map(|e| e.map(|b| b.to_vec())).collect();
            got.push((l.semantic, l.field.pen, l.field.id, l.field.len, l.field.dtype, elems));
        });
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(got.len(), 1);
        let (sem, pen, id, elen, dt, es) = &got[0];
        prop_assert_eq!((*sem, *pen, *id, *elen, *dt), (semantic, PEN, id_of(t), len, t));
        prop_assert_eq!(es.len(), elems.len());
        for (e, (g, _)) in es.iter().zip(&elems) {
            let b = e.as_ref().expect("element in bounds");
            let v = decode(t, b);
            prop_assert!(same(t, len, g, &v), "{:?} -> {:?}", g, v);
        }
    }

    /// A subTemplateList of random records of a random inner template, defined in the same
    /// template set as the outer one.
    #[test]
    fn sub_template_list_through_session(
        (inner, recs, semantic, long) in proptest::collection::vec(field(), 1..6)
            .prop_filter("records must have a length", |f| min_len(f) > 0)
            .prop_flat_map(|f| {
                let r = proptest::collection::vec(record(&f), 0..6);
                (Just(f), r, any::<u8>(), any::<bool>())
            })
    ) {
        let mut body = Vec::new();
        for r in &recs {
            encode_record(&inner, r, &mut body);
        }
        let content = sub_template_list(semantic, 300, &body);
        let outer = [(DataType::SubTemplateList, VARLEN), (DataType::Ipv4Address, 4)];
        let tset = [
            template_record(300, 0, &specs(&inner)).unwrap(),
            template_record(256, 0, &specs(&outer)).unwrap(),
        ]
        .concat();
        let mut data = Vec::new();
        encode_record(
            &outer,
            &[
                (Gen::List(DataType::SubTemplateList, content), long),
                (Gen::V4([192, 0, 2, 1]), false),
            ],
            &mut data,
        );
        let file = encode::message(1, 0, 9, &[
            encode::set(2, &tset).unwrap(),
            encode::set(256, &data).unwrap(),
        ]).unwrap();
        let mut got = Vec::new();
        let problems = decode_file(file, |r| {
            let (_, v) = r.fields().next().expect("list field");
            let (sem, tid, data) = parse_stl(v).expect("subTemplateList header");
            got.push((sem, tid, records_of(r.scope, tid, data)));
        });
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(got.len(), 1);
        let (sem, tid, rs) = &got[0];
        prop_assert_eq!((*sem, *tid), (semantic, 300));
        check_records(&inner, &recs, rs)?;
    }

    /// A subTemplateMultiList of entries for several inner templates (and empty entries).
    #[test]
    fn sub_template_multi_list_through_session(
        (inners, entries, semantic) in proptest::collection::vec(
            proptest::collection::vec(field(), 1..5)
                .prop_filter("records must have a length", |f| min_len(f) > 0),
            1..4,
        )
        .prop_flat_map(|inners| {
            let n = inners.len();
            let entry = (0..n).prop_flat_map({
                let inners = inners.clone();
                move |i| (Just(i), proptest::collection::vec(record(&inners[i]), 0..4))
            });
            (Just(inners), proptest::collection::vec(entry, 0..5), any::<u8>())
        })
    ) {
        let mut tset = Vec::new();
        for (i, f) in inners.iter().enumerate() {
            tset.extend(template_record(400 + i as u16, 0, &specs(f)).unwrap());
        }
        let outer = [(DataType::SubTemplateMultiList, VARLEN)];
        tset.extend(template_record(256, 0, &specs(&outer)).unwrap());
        let bodies: Vec<(u16, Vec<u8>)> = entries
            .iter()
            .map(|(i, recs)| {
                let mut b = Vec::new();
                for r in recs {
                    encode_record(&inners[*i], r, &mut b);
                }
                (400 + *i as u16, b)
            })
            .collect();
        let refs: Vec<(u16, &[u8])> = bodies.iter().map(|(t, b)| (*t, &b[..])).collect();
        let content = sub_template_multi_list(semantic, &refs).unwrap();
        let mut data = Vec::new();
        encode_record(&outer, &[(Gen::List(DataType::SubTemplateMultiList, content), true)], &mut data);
        let file = encode::message(1, 0, 9, &[
            encode::set(2, &tset).unwrap(),
            encode::set(256, &data).unwrap(),
        ]).unwrap();
        let mut got = Vec::new();
        let problems = decode_file(file, |r| {
            let (_, v) = r.fields().next().expect("list field");
            let (sem, es) = parse_stml(v).expect("subTemplateMultiList header");
            let es: Vec<_> = es
                .map(|e| {
                    let (tid, data) = e.expect("entry in bounds");
                    (tid, records_of(r.scope, tid, data))
                })
                .collect();
            got.push((sem, es));
        });
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(got[0].0, semantic);
        prop_assert_eq!(got[0].1.len(), entries.len());
        for ((tid, rs), (i, recs)) in got[0].1.iter().zip(&entries) {
            prop_assert_eq!(*tid, 400 + *i as u16);
            check_records(&inners[*i], recs, rs)?;
        }
    }
}

type Decoded = Vec<Vec<(DataType, Vec<u8>)>>;

/// The records of template `tid` in list content, as (type, value bytes) per field.
fn records_of(scope: &dyn Scope, tid: u16, data: &[u8]) -> Decoded {
    let t = scope.template(tid).expect("inner template defined");
    Records::new(t, data, false)
        .map(|r| {
            let r = r.expect("record in bounds");
            FieldValues::new(t, r)
                .map(|(f, v)| (f.dtype, v.to_vec()))
                .collect()
        })
        .collect()
}

fn check_records(
    fields: &[(DataType, u16)],
    want: &[Vec<(Gen, bool)>],
    got: &Decoded,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), want.len());
    for (r, w) in got.iter().zip(want) {
        prop_assert_eq!(r.len(), fields.len());
        for ((dt, b), (&(t, l), (g, _))) in r.iter().zip(fields.iter().zip(w)) {
            prop_assert_eq!(*dt, t);
            let v = decode(t, b);
            prop_assert!(
                same(t, l, g, &v),
                "{:?}[{}]: {:?} came back as {:?}",
                t,
                l,
                g,
                v
            );
        }
    }
    Ok(())
}

/// Lists inside lists: a subTemplateMultiList whose records hold a subTemplateList whose
/// records hold a basicList, all decoded back through the session's scope.
#[test]
fn nested_lists_through_session() {
    let mut elems = Vec::new();
    for a in [[192u8, 0, 2, 1], [198, 51, 100, 7]] {
        put(DataType::Ipv4Address, 4, &Gen::V4(a), false, &mut elems);
    }
    let bl = basic_list(3, PEN, id_of(DataType::Ipv4Address), 4, &elems);
    let mut rec300 = Vec::new();
    put(
        DataType::BasicList,
        VARLEN,
        &Gen::List(DataType::BasicList, bl.clone()),
        true,
        &mut rec300,
    );
    put(DataType::Unsigned8, 1, &Gen::U(42), false, &mut rec300);
    let stl = sub_template_list(4, 300, &[rec300.clone(), rec300].concat());
    let mut rec301 = Vec::new();
    put(
        DataType::SubTemplateList,
        VARLEN,
        &Gen::List(DataType::SubTemplateList, stl.clone()),
        false,
        &mut rec301,
    );
    let stml = sub_template_multi_list(1, &[(301, &rec301[..]), (301, &[][..])]).unwrap();
    let mut data = Vec::new();
    put(
        DataType::SubTemplateMultiList,
        VARLEN,
        &Gen::List(DataType::SubTemplateMultiList, stml),
        true,
        &mut data,
    );
    let tset = [
        template_record(
            300,
            0,
            &[
                (PEN, id_of(DataType::BasicList), VARLEN),
                (PEN, id_of(DataType::Unsigned8), 1),
            ],
        )
        .unwrap(),
        template_record(301, 0, &[(PEN, id_of(DataType::SubTemplateList), VARLEN)]).unwrap(),
        template_record(
            256,
            0,
            &[(PEN, id_of(DataType::SubTemplateMultiList), VARLEN)],
        )
        .unwrap(),
    ]
    .concat();
    let file = encode::message(
        0,
        0,
        0,
        &[
            encode::set(2, &tset).unwrap(),
            encode::set(256, &data).unwrap(),
        ],
    )
    .unwrap();
    let mut addrs = Vec::new();
    let problems = decode_file(file, |r| {
        let (_, v) = r.fields().next().unwrap();
        let (_, entries) = parse_stml(v).unwrap();
        for e in entries {
            let (tid, d) = e.unwrap();
            let t = r.scope.template(tid).unwrap();
            for rec in Records::new(t, d, false) {
                let (_, stl) = FieldValues::new(t, rec.unwrap()).next().unwrap();
                let (_, tid, d) = parse_stl(stl).unwrap();
                let t = r.scope.template(tid).unwrap();
                for rec in Records::new(t, d, false) {
                    let mut fv = FieldValues::new(t, rec.unwrap());
                    let (_, bl) = fv.next().unwrap();
                    let l = BasicList::parse(bl, r.scope).unwrap();
                    for e in l.elements() {
                        match decode(l.field.dtype, e.unwrap()) {
                            Value::Ipv4(a) => addrs.push(a.to_string()),
                            other => panic!("{other:?}"),
                        }
                    }
                    let (f, x) = fv.next().unwrap();
                    assert_eq!(decode(f.dtype, x), Value::Unsigned(42));
                }
            }
        }
    });
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        addrs,
        ["192.0.2.1", "198.51.100.7", "192.0.2.1", "198.51.100.7"]
    );
}

// ---------------------------------------------------------------------------------------------
// Time values through their text forms.

/// The value of time type `t` with raw wire value `raw` (seconds are the low 32 bits).
fn time_of(t: DataType, raw: u64) -> Value<'static> {
    match t {
        DataType::DateTimeSeconds => Value::Seconds(raw as u32),
        DataType::DateTimeMilliseconds => Value::Millis(raw),
        DataType::DateTimeMicroseconds => Value::Micros(raw),
        _ => Value::Nanos(raw),
    }
}

const TIME_TYPES: [DataType; 4] = [
    DataType::DateTimeSeconds,
    DataType::DateTimeMilliseconds,
    DataType::DateTimeMicroseconds,
    DataType::DateTimeNanoseconds,
];

/// Raw values at the edges of each time type: 0, 1, the largest, next to it, and where the
/// printed form changes (four-digit years end, NTP seconds roll over).
fn edge_raws(t: DataType) -> Vec<u64> {
    match t {
        DataType::DateTimeSeconds => vec![0, 1, u32::MAX as u64, u32::MAX as u64 - 1],
        DataType::DateTimeMilliseconds => vec![
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            253_402_300_799_999,
            253_402_300_800_000,
            i64::MAX as u64,
        ],
        _ => vec![
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            u64::MAX - 0x7FF,
            u64::MAX << 32,
            1 << 32,
            (1 << 32) - 1,
        ],
    }
}

/// Printed in `style`, parsed back as `t`, printed again: the same text.
fn text_round_trip(t: DataType, v: &Value<'_>, style: TimeStyle) -> Result<(), String> {
    let mut a = Vec::new();
    write_scalar(&mut a, v, style);
    let text = String::from_utf8(a).map_err(|e| e.to_string())?;
    let p = parse(t, &text).map_err(|e| format!("{t:?} {v:?} {style:?}: {text}: {e}"))?;
    let mut b = Vec::new();
    write_scalar(&mut b, &p.as_value(), style);
    if b != text.as_bytes() {
        return Err(format!(
            "{t:?} {v:?} {style:?}: {text} came back as {}",
            String::from_utf8_lossy(&b)
        ));
    }
    Ok(())
}

#[test]
fn time_text_forms_round_trip() {
    for t in TIME_TYPES {
        for raw in edge_raws(t) {
            for style in [TimeStyle::Rfc3339, TimeStyle::Epoch] {
                text_round_trip(t, &time_of(t, raw), style).unwrap();
            }
        }
    }
    let mut runner = TestRunner::new(Config::with_cases(2000));
    let strategy = (0usize..4, any::<u64>(), any::<bool>());
    runner
        .run(&strategy, |(k, raw, epoch)| {
            let t = TIME_TYPES[k];
            let style = if epoch {
                TimeStyle::Epoch
            } else {
                TimeStyle::Rfc3339
            };
            text_round_trip(t, &time_of(t, raw), style).map_err(TestCaseError::fail)
        })
        .unwrap();
}

/// A file of one record per edge value: flowStart{Seconds,Milli,Micro,Nanoseconds} (IANA
/// 150, 152, 154, 156) and flowEndMilliseconds (153) after a string, so that the general
/// path (a field after a variable-length one) meets the same values as the fast one.
fn edge_time_file() -> Vec<u8> {
    let cols: Vec<Vec<u64>> = TIME_TYPES.iter().map(|t| edge_raws(*t)).collect();
    let rows = cols.iter().map(Vec::len).max().unwrap();
    let tset = template_record(
        256,
        0,
        &[
            (0, 150, 4),
            (0, 152, 8),
            (0, 154, 8),
            (0, 156, 8),
            (0, 96, VARLEN),
            (0, 153, 8),
        ],
    )
    .unwrap();
    let mut data = Vec::new();
    for r in 0..rows {
        let v = |c: usize| cols[c][r % cols[c].len()];
        data.extend_from_slice(&(v(0) as u32).to_be_bytes());
        for c in 1..4 {
            data.extend_from_slice(&v(c).to_be_bytes());
        }
        data.extend_from_slice(&[1, b'x']);
        data.extend_from_slice(&cols[1][(r + 2) % cols[1].len()].to_be_bytes());
    }
    encode::message(
        1_700_000_000,
        0,
        1,
        &[
            encode::set(2, &tset).unwrap(),
            encode::set(256, &data).unwrap(),
        ],
    )
    .unwrap()
}

/// Every printer's form of the edge values reads back as the same values: JSON and CSV
/// (both time styles) through `convert --to ipfix`; the text printer's values equal the CSV
/// cells; the fast paths print what the general path (`-F` of every field) prints.
#[test]
fn edge_times_round_trip_through_every_printer() {
    let w = common::Workdir::new("rt-edge-times");
    let f = w.write("edges.ipfix", &edge_time_file());
    let f = f.to_str().unwrap();
    let want = w.run(&["cat", "-f", "json", f]).ok().out();
    assert_eq!(want.lines().count(), 8, "{want}");
    assert!(want.contains("\"flowStartMilliseconds\":\"+584556019-04-03T14:25:51.615Z\""));
    let all = "@export_time,@domain,@template,flowStartSeconds,flowStartMilliseconds,\
               flowStartMicroseconds,flowStartNanoseconds,applicationName,flowEndMilliseconds";
    for time in ["iso", "epoch"] {
        for to in ["json", "csv"] {
            let printed = w.run(&["convert", "--to", to, "--time", time, f]).ok();
            let p = w.write(&format!("printed.{to}"), &printed.stdout);
            let back = w.path("back.ipfix");
            w.run(&[
                "convert",
                "--to",
                "ipfix",
                p.to_str().unwrap(),
                "-o",
                back.to_str().unwrap(),
            ])
            .ok();
            let again = w.run(&["cat", "-f", "json", back.to_str().unwrap()]).ok();
            assert_eq!(again.out(), want, "{to} --time {time}:\n{}", printed.out());
        }
        // Fast and general paths agree, for each printer.
        for format in ["json", "csv", "text"] {
            let fast = w.run(&["cat", "-f", format, "--time", time, f]).ok().out();
            let general = w
                .run(&["cat", "-f", format, "--time", time, "-F", all, f])
                .ok()
                .out();
            if format == "text" {
                // -F adds the metadata as key=value pairs; the values must agree.
                for (a, b) in fast.lines().zip(general.lines()) {
                    let values = |l: &str| -> Vec<String> {
                        l.split(' ')
                            .filter(|p| p.starts_with("flow"))
                            .map(String::from)
                            .collect()
                    };
                    assert_eq!(values(a), values(b), "text --time {time}");
                }
                assert_eq!(fast.lines().count(), general.lines().count());
            } else {
                assert_eq!(fast, general, "{format} --time {time}");
            }
        }
        // The text printer writes the CSV forms.
        let text = w.run(&["cat", "--time", time, f]).ok().out();
        let csv = w.run(&["cat", "-f", "csv", "--time", time, f]).ok().out();
        let mut rows = csv.lines();
        let header: Vec<&str> = rows.next().unwrap().split(',').collect();
        for (line, row) in text.lines().zip(rows) {
            let cells: Vec<&str> = row.split(',').collect();
            for pair in line.split(' ').filter(|p| p.starts_with("flow")) {
                let (k, v) = pair.split_once('=').unwrap();
                let c = header.iter().position(|h| *h == k).unwrap();
                assert_eq!(cells[c], v, "--time {time}: {k}");
            }
        }
    }
}
