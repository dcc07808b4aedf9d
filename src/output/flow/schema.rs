//! The flow schema as data: [`FIELDS`] lists each field of `--schema flow`
//! (../shared/spec/FLOW_SCHEMA.md, goflow2's names and order) with its sources in order of
//! preference, and how its biflow reverse is found. [`Plan::new`] resolves the table against
//! one template, once: for each field the one source the template has (presence is a property
//! of the template, so "the first source present" is decided here, not per record).
//! [`Plan::cell`] then reads one field of a record as a [`Cell`], without allocating: the
//! common fields at fixed offsets with no dispatch on their type.

use crate::ipfix::registry::REVERSE_PEN;

/// CERT's enterprise number (YAF's IEs).
const CERT_PEN: u32 = 6871;
use crate::ipfix::session::RecordRef;
use crate::ipfix::value::be_uint;
use crate::ipfix::{DataType, Template, decode};
use crate::output::cells::{Pos, field_ranges, fixed};
use crate::output::stats::absolute_uptime;
use crate::packet::{Link, Packet};

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug)]
pub enum Src {
    /// `NETFLOW_V5`, `NETFLOW_V9` or `IPFIX`, from the protocol the record came in.
    Type,
    /// The message's export time, in ns.
    Received,
    /// The message's sequence number.
    Sequence,
    /// 1 in N: samplingInterval (34), samplerRandomInterval (50), samplingPacketInterval
    /// and Space (305, 306: (interval + space) / interval) in the record, else the sampling
    /// options records of its domain (see `super::Sampling`).
    Sampling,
    /// The first of these IANA IEs the template has: a number, address or MAC by its type.
    Ies(&'static [u16]),
    /// The exporter's address: these IEs (exporterIPv4/IPv6Address) in the record, else the
    /// one its domain's options records give (`pcap2ipfix --extract` writes one per domain).
    Exporter(&'static [u16]),
    /// Flow start or end (`true`: end): absolute IEs at any precision, the uptime IE with
    /// systemInitTimeMilliseconds, the delta IE back from the export time.
    Time(bool),
    /// ethernetType (256), else from the address family.
    Etype,
    /// ICMP type (`false`) or code: the split IEs, the combined ones, else the destination
    /// port of an ICMP record (where v5 and many v9 exporters put type × 256 + code).
    Icmp(bool),
    /// tcpControlBits (6), else YAF's initialTCPFlags | unionTCPFlags (CERT PEN 6871, IEs 14
    /// and 15; their reverses are 0x4000 above).
    TcpFlags,
    /// A transport port, left out for ICMP, whose "port" is the type and code.
    Port(u16),
    /// A prefix length with the address field (schema index) it applies to.
    Net(&'static [u16], usize),
    /// mplsTopLabelStackSection and mplsLabelStackSection2..10 (70..=79): the labels.
    Mpls,
    /// The responder's counter of a biflow (RFC 5103: PEN 29305 of these IEs).
    Reverse(&'static [u16]),
}

/// What the responder's record of a split biflow takes for a field.
#[derive(Clone, Copy, Debug)]
pub enum Rev {
    /// The same as the initiator's.
    Same,
    /// The initiator's value of another field (schema index): addresses, ports, MACs...
    Swap(usize),
    /// The reverse IEs (PEN 29305) of the same sources.
    Reverse,
}

pub struct Def {
    pub name: &'static str,
    pub src: Src,
    pub rev: Rev,
}

const fn d(name: &'static str, src: Src, rev: Rev) -> Def {
    Def { name, src, rev }
}

/// Indexes of the fields other fields refer to.
pub const SRC_ADDR: usize = 9;
pub const DST_ADDR: usize = 10;
const SRC_PORT: usize = 13;
const DST_PORT: usize = 14;
const IN_IF: usize = 15;
const OUT_IF: usize = 16;
const SRC_MAC: usize = 17;
const DST_MAC: usize = 18;
const SRC_VLAN: usize = 19;
const DST_VLAN: usize = 20;
const SRC_AS: usize = 31;
const DST_AS: usize = 32;
const SRC_NET: usize = 34;
const DST_NET: usize = 35;
/// `reverse_bytes` and `reverse_packets`: only with `--no-split-biflow`.
pub const REVERSE_BYTES: usize = 38;
pub const REVERSE_PACKETS: usize = 39;
pub const TIME_START: usize = 5;
pub const BYTES: usize = 7;
pub const PACKETS: usize = 8;

use Rev::{Reverse as R, Same as S, Swap as W};

/// The fields of `--schema flow`, in output order.
pub const FIELDS: [Def; 40] = [
    d("type", Src::Type, S),
    d("time_received_ns", Src::Received, S),
    d("sequence_num", Src::Sequence, S),
    d("sampling_rate", Src::Sampling, S),
    d("sampler_address", Src::Exporter(&[130, 131]), S),
    d("time_flow_start_ns", Src::Time(false), S),
    d("time_flow_end_ns", Src::Time(true), S),
    d("bytes", Src::Ies(&[1, 23, 85]), R),
    d("packets", Src::Ies(&[2, 24, 86]), R),
    d("src_addr", Src::Ies(&[8, 27]), W(DST_ADDR)),
    d("dst_addr", Src::Ies(&[12, 28]), W(SRC_ADDR)),
    d("etype", Src::Etype, S),
    d("proto", Src::Ies(&[4]), S),
    d("src_port", Src::Port(7), W(DST_PORT)),
    d("dst_port", Src::Port(11), W(SRC_PORT)),
    d("in_if", Src::Ies(&[10]), W(OUT_IF)),
    d("out_if", Src::Ies(&[14]), W(IN_IF)),
    d("src_mac", Src::Ies(&[56]), W(DST_MAC)),
    d("dst_mac", Src::Ies(&[57, 80]), W(SRC_MAC)),
    d("src_vlan", Src::Ies(&[58]), W(DST_VLAN)),
    d("dst_vlan", Src::Ies(&[59]), W(SRC_VLAN)),
    d("vlan_id", Src::Ies(&[58, 243]), S),
    d("ip_tos", Src::Ies(&[5]), R),
    d("forwarding_status", Src::Ies(&[89]), S),
    d("ip_ttl", Src::Ies(&[52, 192]), R),
    d("tcp_flags", Src::TcpFlags, R),
    d("icmp_type", Src::Icmp(false), S),
    d("icmp_code", Src::Icmp(true), S),
    d("ipv6_flow_label", Src::Ies(&[31]), S),
    d("fragment_id", Src::Ies(&[54]), S),
    d("fragment_offset", Src::Ies(&[88]), S),
    d("src_as", Src::Ies(&[16]), W(DST_AS)),
    d("dst_as", Src::Ies(&[17]), W(SRC_AS)),
    d("next_hop", Src::Ies(&[15, 62]), S),
    d("src_net", Src::Net(&[9, 29], SRC_ADDR), W(DST_NET)),
    d("dst_net", Src::Net(&[13, 30], DST_ADDR), W(SRC_NET)),
    d("bgp_next_hop", Src::Ies(&[18, 63]), S),
    d("mpls_label", Src::Mpls, S),
    d("reverse_bytes", Src::Reverse(&[1, 23, 85]), S),
    d("reverse_packets", Src::Reverse(&[2, 24, 86]), S),
];

pub const N: usize = FIELDS.len();

/// nfdump's words for fields (as the filter language knows them) and the schema fields they
/// stand for.
const NFDUMP_WORDS: [(&str, &str); 14] = [
    ("srcip", "src_addr"),
    ("dstip", "dst_addr"),
    ("srcport", "src_port"),
    ("dstport", "dst_port"),
    ("proto", "proto"),
    ("bytes", "bytes"),
    ("packets", "packets"),
    ("srcas", "src_as"),
    ("dstas", "dst_as"),
    ("inif", "in_if"),
    ("outif", "out_if"),
    ("tos", "ip_tos"),
    ("flags", "tcp_flags"),
    ("nexthop", "next_hop"),
];

/// For `-F` of the raw schema: the IANA IEs a name stands for, v4 or v6, first present wins:
/// a schema field whose sources are plain IEs (`src_addr`, `bytes`, `in_if`...), or an nfdump
/// word for one (`srcip`, `dstport`, `proto`...). Computed fields (times, sampling, ICMP
/// type) have no alias: they are the flow schema's.
pub fn alias(name: &str) -> Option<&'static [u16]> {
    let field = NFDUMP_WORDS
        .iter()
        .find(|(w, _)| *w == name)
        .map_or(name, |(_, f)| f);
    match FIELDS.get(index(field)?)?.src {
        Src::Ies(ids) => Some(ids),
        Src::Port(7) => Some(&[7]),
        Src::Port(11) => Some(&[11]),
        _ => None,
    }
}

/// The index of a schema field by name.
pub fn index(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.name == name)
}

/// An address, v4 or v6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    V4([u8; 4]),
    V6([u8; 16]),
}

/// One value of a flow row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cell {
    /// No source present: an empty CSV cell, an absent JSON key.
    #[default]
    Absent,
    U(u64),
    Addr(Addr),
    Mac([u8; 6]),
    /// Nanoseconds since 1970 (to 2262).
    Time(i64),
    /// A prefix length, with the address it is the prefix of (when the record has one).
    Net(u8, Option<Addr>),
    Text(&'static str),
    /// Up to 10 MPLS labels (20 bits each), `n` of them.
    Labels([u32; 10], u8),
}

/// A field's bytes and declared type, resolved for one template.
#[derive(Clone, Copy, Debug)]
pub struct At {
    pos: Pos,
    len: usize,
    pub dtype: DataType,
}

/// How one field is filled for records of one template.
#[derive(Clone, Copy, Debug)]
pub enum Fill {
    None,
    // The common fields at a fixed offset, read with no type dispatch (a number of 1, 2, 4
    // or 8 octets, an IPv4 address, a dateTimeMilliseconds): what `Value` and `Instant`
    // give for them, faster.
    U8(usize),
    U16(usize),
    U32(usize),
    U64(usize),
    V4(usize),
    V6(usize),
    Millis(usize),
    /// A 2-octet port at a fixed offset, left out when the 1-octet protocol at the other
    /// offset is ICMP.
    PortAt(usize, usize),
    Type,
    Received,
    Sequence,
    Sampling {
        rate: Option<RateAt>,
    },
    /// The record's exporter address field, else the domain's.
    Exporter(Option<At>),
    /// A number, address or MAC, by the field's type.
    Value(At),
    /// An absolute time IE.
    Instant(At),
    /// An uptime IE (ms), made absolute with the record's own systemInit or the domain's.
    Uptime(At, Option<At>),
    /// A delta IE (µs) back from the export time.
    Delta(At),
    Const(u64),
    /// The OR of two fields (either may be missing).
    Or(Option<At>, Option<At>),
    /// One byte of a 16-bit type-and-code field (`true`: the low byte, the code).
    Byte(At, bool),
    /// Type or code from the destination port, when the protocol is ICMP.
    FromPort {
        port: At,
        proto: At,
        low: bool,
    },
    /// A port, unless the protocol is ICMP.
    Port {
        port: At,
        proto: Option<At>,
    },
    Net {
        len: At,
        addr: Option<At>,
    },
    /// The labels of `Plan::mpls`.
    Mpls,
}

/// Where a record's own sampling rate is.
#[derive(Clone, Copy, Debug)]
pub enum RateAt {
    /// 1 in the value.
    Of(At),
    /// (interval + space) / interval.
    IntervalSpace(At, At),
}

/// What a record needs from outside itself: its domain's state.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// The domain's latest systemInitTimeMilliseconds (ms since 1970).
    pub init_ms: Option<i128>,
    /// The sampling rate its domain's options records give it (by its sampler ID, or for
    /// the whole domain).
    pub sampling: Option<u64>,
    /// The exporter address its domain's options records give.
    pub exporter: Option<Addr>,
}

/// The table resolved for one template.
pub struct Plan {
    fwd: [Fill; N],
    /// The responder's fills of a biflow (a template with reverse counters).
    rev: Option<[Fill; N]>,
    /// Some fill reads a field after a variable-length one: the record is walked.
    walk: bool,
    /// The record carries a sampler ID (flowSamplerId/samplerId 48, selectorId 302).
    sampler: Option<At>,
    /// The record carries systemInitTimeMilliseconds, which later records of its domain use.
    pub learns: bool,
    /// Where mplsTopLabelStackSection and mplsLabelStackSection2..10 are.
    mpls: [Option<At>; 10],
    /// A sampled packet the record carries instead of (or besides) flow keys:
    /// dataLinkFrameSection (315, from the Ethernet header) or ipHeaderPacketSection (313).
    section: Option<(At, Link)>,
}

fn find(t: &Template, pen: u32, ids: &[u16]) -> Option<(usize, u16)> {
    ids.iter().find_map(|&id| {
        t.fields
            .iter()
            .position(|f| f.pen == pen && f.id == id)
            .map(|i| (i, id))
    })
}

pub fn at(t: &Template, i: usize) -> At {
    At {
        pos: Pos::of(t, i),
        len: t.fields[i].len as usize,
        dtype: t.fields[i].dtype,
    }
}

impl At {
    /// The field's octets in a record (`ranges`: its walked fields, for [`Pos::Nth`]).
    #[inline]
    pub fn bytes<'d>(&self, d: &'d [u8], ranges: &[(usize, usize)]) -> Option<&'d [u8]> {
        self.pos.bytes(d, self.len, ranges)
    }
}

/// `Fill::Value` of `a`, or its fixed-offset form.
fn value_fill(a: At) -> Fill {
    match (a.pos, a.dtype, a.len) {
        (Pos::At(o), t, 1) if t.is_unsigned() => Fill::U8(o),
        (Pos::At(o), t, 2) if t.is_unsigned() => Fill::U16(o),
        (Pos::At(o), t, 4) if t.is_unsigned() => Fill::U32(o),
        (Pos::At(o), t, 8) if t.is_unsigned() => Fill::U64(o),
        (Pos::At(o), DataType::Ipv4Address, 4) => Fill::V4(o),
        (Pos::At(o), DataType::Ipv6Address, 16) => Fill::V6(o),
        _ => Fill::Value(a),
    }
}

/// `Fill::Instant` of `a`, or its fixed-offset form.
fn instant_fill(a: At) -> Fill {
    match (a.pos, a.dtype, a.len) {
        (Pos::At(o), DataType::DateTimeMilliseconds, 8) => Fill::Millis(o),
        _ => Fill::Instant(a),
    }
}

fn resolve(t: &Template, src: Src, pen: u32) -> Fill {
    let ie = |ids: &[u16]| find(t, pen, ids).map(|(i, _)| at(t, i));
    match src {
        Src::Type => Fill::Type,
        Src::Received => Fill::Received,
        Src::Sequence => Fill::Sequence,
        Src::Sampling => {
            let rate = match (ie(&[34, 50]), ie(&[305]), ie(&[306])) {
                (Some(a), _, _) => Some(RateAt::Of(a)),
                (None, Some(i), Some(s)) => Some(RateAt::IntervalSpace(i, s)),
                _ => None,
            };
            Fill::Sampling { rate }
        }
        Src::Ies(ids) => ie(ids).map_or(Fill::None, value_fill),
        Src::Exporter(ids) => Fill::Exporter(ie(ids)),
        Src::Reverse(ids) => {
            find(t, REVERSE_PEN, ids).map_or(Fill::None, |(i, _)| value_fill(at(t, i)))
        }
        Src::Time(end) => {
            let (abs, up, delta): (&[u16], u16, u16) = if end {
                (&[157, 155, 153, 151], 21, 159)
            } else {
                (&[156, 154, 152, 150], 22, 158)
            };
            if let Some(a) = ie(abs) {
                instant_fill(a)
            } else if let Some(u) = ie(&[up]) {
                Fill::Uptime(u, ie(&[160]))
            } else if let Some(d) = ie(&[delta]) {
                Fill::Delta(d)
            } else {
                Fill::None
            }
        }
        Src::TcpFlags => {
            let cert = |id: u16| {
                let id = if pen == REVERSE_PEN { id | 0x4000 } else { id };
                find(t, CERT_PEN, &[id]).map(|(i, _)| at(t, i))
            };
            match (ie(&[6]), cert(14), cert(15)) {
                (Some(a), _, _) => value_fill(a),
                (None, None, None) => Fill::None,
                (None, a, b) => Fill::Or(a, b),
            }
        }
        Src::Etype => match ie(&[256]) {
            Some(a) => value_fill(a),
            None if ie(&[8, 12]).is_some() => Fill::Const(0x0800),
            None if ie(&[27, 28]).is_some() => Fill::Const(0x86dd),
            None => Fill::None,
        },
        Src::Icmp(low) => {
            let split: &[u16] = if low { &[177, 179] } else { &[176, 178] };
            if let Some(a) = ie(split) {
                value_fill(a)
            } else if let Some(a) = ie(&[32, 139]) {
                Fill::Byte(a, low)
            } else if let (Some(port), Some(proto)) = (ie(&[11]), ie(&[4])) {
                Fill::FromPort { port, proto, low }
            } else {
                Fill::None
            }
        }
        Src::Port(id) => match (ie(&[id]), ie(&[4])) {
            (
                Some(At {
                    pos: Pos::At(o),
                    len: 2,
                    ..
                }),
                Some(At {
                    pos: Pos::At(p),
                    len: 1,
                    ..
                }),
            ) => Fill::PortAt(o, p),
            (Some(port), proto) => Fill::Port { port, proto },
            (None, _) => Fill::None,
        },
        Src::Net(ids, addr) => match ie(ids) {
            Some(len) => {
                let Src::Ies(a) = FIELDS[addr].src else {
                    return Fill::None;
                };
                Fill::Net { len, addr: ie(a) }
            }
            None => Fill::None,
        },
        Src::Mpls => match (70..=79).any(|id| ie(&[id]).is_some()) {
            true => Fill::Mpls,
            false => Fill::None,
        },
    }
}

impl Plan {
    pub fn new(t: &Template) -> Plan {
        let fwd: [Fill; N] = std::array::from_fn(|i| resolve(t, FIELDS[i].src, 0));
        let biflow = find(t, REVERSE_PEN, &[1, 2, 23, 24, 85, 86]).is_some();
        let rev = biflow.then(|| {
            std::array::from_fn(|i| match FIELDS[i].rev {
                Rev::Same => fwd[i],
                Rev::Swap(j) => fwd[j],
                Rev::Reverse => resolve(t, FIELDS[i].src, REVERSE_PEN),
            })
        });
        let walk = (0..t.fields.len()).any(|i| matches!(Pos::of(t, i), Pos::Nth(_)));
        Plan {
            fwd,
            rev,
            walk,
            sampler: find(t, 0, &[48, 302]).map(|(i, _)| at(t, i)),
            learns: find(t, 0, &[160]).is_some(),
            mpls: std::array::from_fn(|k| find(t, 0, &[70 + k as u16]).map(|(i, _)| at(t, i))),
            section: find(t, 0, &[315, 313])
                .map(|(i, id)| (at(t, i), if id == 315 { Link::Ethernet } else { Link::Ip })),
        }
    }

    /// Whether records of this template split into two (a biflow).
    pub fn is_biflow(&self) -> bool {
        self.rev.is_some()
    }

    /// How each field is filled: for the initiator's record, or with `reverse` the
    /// responder's of a biflow.
    pub fn fills(&self, reverse: bool) -> &[Fill; N] {
        match (&self.rev, reverse) {
            (Some(rev), true) => rev,
            _ => &self.fwd,
        }
    }

    /// Where each field of `r` is, when some fill needs the record walked (fields after a
    /// variable-length one); `ranges` is then what [`Plan::cell`] takes.
    pub fn walk(&self, r: &RecordRef<'_>, ranges: &mut Vec<(usize, usize)>) {
        if self.walk {
            field_ranges(r, ranges);
        }
    }

    /// The sampler ID the record carries.
    pub fn sampler_id(&self, r: &RecordRef<'_>, ranges: &[(usize, usize)]) -> Option<u64> {
        let b = self.sampler?.bytes(r.data, ranges)?;
        (!b.is_empty() && b.len() <= 8).then(|| be_uint(b))
    }

    /// The value of one field of `r` (one of [`Plan::fills`]).
    #[inline]
    pub fn cell(
        &self,
        fill: Fill,
        r: &RecordRef<'_>,
        cx: &Context,
        ranges: &[(usize, usize)],
    ) -> Cell {
        let d = r.data;
        let bytes = |a: &At| a.bytes(d, ranges);
        let uint = |a: &At| bytes(a).map(be_uint);
        let export_ms = || r.msg.header.export_time as i128 * 1000;
        match fill {
            Fill::None => Cell::Absent,
            Fill::U8(o) => d.get(o).map_or(Cell::Absent, |&x| Cell::U(x.into())),
            Fill::U16(o) => {
                fixed::<2>(d, o).map_or(Cell::Absent, |x| Cell::U(u16::from_be_bytes(x).into()))
            }
            Fill::U32(o) => {
                fixed::<4>(d, o).map_or(Cell::Absent, |x| Cell::U(u32::from_be_bytes(x).into()))
            }
            Fill::U64(o) => {
                fixed::<8>(d, o).map_or(Cell::Absent, |x| Cell::U(u64::from_be_bytes(x)))
            }
            Fill::V4(o) => fixed::<4>(d, o).map_or(Cell::Absent, |x| Cell::Addr(Addr::V4(x))),
            Fill::V6(o) => fixed::<16>(d, o).map_or(Cell::Absent, |x| Cell::Addr(Addr::V6(x))),
            Fill::Millis(o) => fixed::<8>(d, o).map_or(Cell::Absent, |x| {
                ns(u64::from_be_bytes(x) as i128 * 1_000_000)
            }),
            Fill::PortAt(o, p) => match (d.get(p), fixed::<2>(d, o)) {
                (Some(1 | 58), _) | (_, None) => Cell::Absent,
                (_, Some(x)) => Cell::U(u16::from_be_bytes(x).into()),
            },
            Fill::Type => Cell::Text(match r.msg.version {
                5 => "NETFLOW_V5",
                9 => "NETFLOW_V9",
                _ => "IPFIX",
            }),
            Fill::Received => Cell::Time(r.msg.header.export_time as i64 * 1_000_000_000),
            Fill::Sequence => Cell::U(r.msg.header.sequence as u64),
            Fill::Sampling { rate } => {
                let own = match rate {
                    Some(RateAt::Of(a)) => uint(&a),
                    Some(RateAt::IntervalSpace(i, s)) => interval_space(uint(&i), uint(&s)),
                    None => None,
                };
                // A rate of 0 (v5's header when nothing is sampled) is every packet.
                own.or(cx.sampling)
                    .map_or(Cell::Absent, |n| Cell::U(n.max(1)))
            }
            Fill::Value(a) => bytes(&a).map_or(Cell::Absent, |b| value(a.dtype, b)),
            Fill::Exporter(a) => match a.and_then(|a| bytes(&a).map(|b| value(a.dtype, b))) {
                Some(c) => c,
                None => cx.exporter.map_or(Cell::Absent, Cell::Addr),
            },
            Fill::Instant(a) => match bytes(&a).and_then(|b| decode(a.dtype, b).instant()) {
                Some(i) => ns(i.secs as i128 * 1_000_000_000 + i.nanos as i128),
                None => Cell::Absent,
            },
            Fill::Uptime(a, own_init) => {
                let init = own_init
                    .and_then(|i| bytes(&i).and_then(|b| decode(i.dtype, b).instant()))
                    .map(|i| i.unix_ms())
                    .or(cx.init_ms);
                match (uint(&a), init) {
                    (Some(u), Some(init)) => {
                        ns(absolute_uptime(init, u as u32, export_ms()) * 1_000_000)
                    }
                    _ => Cell::Absent,
                }
            }
            Fill::Delta(a) => match uint(&a) {
                Some(us) => ns(export_ms() * 1_000_000 - us as i128 * 1000),
                None => Cell::Absent,
            },
            Fill::Const(v) => Cell::U(v),
            Fill::Or(a, b) => match (a.and_then(|a| uint(&a)), b.and_then(|b| uint(&b))) {
                (None, None) => Cell::Absent,
                (x, y) => Cell::U(x.unwrap_or(0) | y.unwrap_or(0)),
            },
            Fill::Byte(a, low) => match uint(&a) {
                Some(v) if low => Cell::U(v & 0xff),
                Some(v) => Cell::U((v >> 8) & 0xff),
                None => Cell::Absent,
            },
            Fill::FromPort { port, proto, low } => match (uint(&proto), uint(&port)) {
                (Some(1 | 58), Some(v)) if low => Cell::U(v & 0xff),
                (Some(1 | 58), Some(v)) => Cell::U((v >> 8) & 0xff),
                _ => Cell::Absent,
            },
            Fill::Port { port, proto } => match (proto.and_then(|p| uint(&p)), uint(&port)) {
                (Some(1 | 58), _) => Cell::Absent,
                (_, Some(v)) => Cell::U(v),
                _ => Cell::Absent,
            },
            Fill::Net { len, addr } => match uint(&len) {
                Some(l) => {
                    let a = addr.and_then(|a| match bytes(&a).map(|b| value(a.dtype, b)) {
                        Some(Cell::Addr(x)) => Some(x),
                        _ => None,
                    });
                    Cell::Net(l.min(128) as u8, a)
                }
                None => Cell::Absent,
            },
            Fill::Mpls => {
                let mut l = [0u32; 10];
                let mut n = 0;
                for a in self.mpls.iter().flatten() {
                    if let Some(b) = bytes(a).filter(|b| b.len() >= 3) {
                        l[n] = (u32::from(b[0]) << 12)
                            | (u32::from(b[1]) << 4)
                            | (u32::from(b[2]) >> 4);
                        n += 1;
                    }
                }
                if n == 0 {
                    Cell::Absent
                } else {
                    Cell::Labels(l, n as u8)
                }
            }
        }
    }

    /// The headers of the sampled packet the record carries, if its template has one: the
    /// source of the fields the record lacks (the initiator's only).
    pub fn packet(&self, r: &RecordRef<'_>, ranges: &[(usize, usize)]) -> Option<Packet> {
        let (a, link) = self.section?;
        Some(crate::packet::parse(link, a.bytes(r.data, ranges)?))
    }

    /// Every field of `r` (initiator's or, with `reverse`, responder's), the sampled packet's
    /// headers filling what the record lacks: what the printer writes, as one row (the unit
    /// tests' view; the printer takes the cells it writes, `put_col`).
    #[cfg(test)]
    pub fn row(&self, r: &RecordRef<'_>, cx: &Context, reverse: bool) -> [Cell; N] {
        let mut ranges = Vec::new();
        self.walk(r, &mut ranges);
        let fills = self.fills(reverse);
        let packet = (!reverse).then(|| self.packet(r, &ranges)).flatten();
        std::array::from_fn(|k| match (self.cell(fills[k], r, cx, &ranges), &packet) {
            (Cell::Absent, Some(p)) => from_packet(k, p),
            (c, _) => c,
        })
    }
}

/// Schema field `k` from a sampled packet's headers.
pub fn from_packet(k: usize, p: &Packet) -> Cell {
    let u = |v: Option<u64>| v.map_or(Cell::Absent, Cell::U);
    let ip = |a: Option<std::net::IpAddr>| match a {
        Some(std::net::IpAddr::V4(a)) => Cell::Addr(Addr::V4(a.octets())),
        Some(std::net::IpAddr::V6(a)) => Cell::Addr(Addr::V6(a.octets())),
        None => Cell::Absent,
    };
    let icmp = matches!(p.protocol, Some(1 | 58));
    match FIELDS[k].name {
        "src_addr" => ip(p.src_ip),
        "dst_addr" => ip(p.dst_ip),
        "etype" => u(p.ether_type.map(u64::from).or(match p.ip_version {
            Some(4) => Some(0x0800),
            Some(6) => Some(0x86dd),
            _ => None,
        })),
        "proto" => u(p.protocol.map(u64::from)),
        "src_port" if !icmp => u(p.src_port.map(u64::from)),
        "dst_port" if !icmp => u(p.dst_port.map(u64::from)),
        "src_mac" => p.src_mac.map_or(Cell::Absent, Cell::Mac),
        "dst_mac" => p.dst_mac.map_or(Cell::Absent, Cell::Mac),
        "src_vlan" | "vlan_id" => u(p.vlan_outer.map(u64::from)),
        "ip_tos" => u(p.tos.map(u64::from)),
        "ip_ttl" => u(p.ttl.map(u64::from)),
        "tcp_flags" => u(p.tcp_flags.map(u64::from)),
        "icmp_type" => u(p.icmp_type.map(u64::from)),
        "icmp_code" => u(p.icmp_code.map(u64::from)),
        "ipv6_flow_label" => u(p.flow_label.map(u64::from)),
        "fragment_id" => u(p.fragment_id.map(u64::from)),
        "fragment_offset" => u(p.fragment_offset.map(u64::from)),
        // The packet's wire length (the IP total length), when the record counts no octets.
        "bytes" => u(p.ip_total_len.map(u64::from)),
        "mpls_label" => match p.mpls_label {
            Some(l) => {
                let mut a = [0; 10];
                a[0] = l;
                Cell::Labels(a, 1)
            }
            None => Cell::Absent,
        },
        _ => Cell::Absent,
    }
}

/// RFC 5476 count-based sampling: `interval` packets taken, `space` skipped, is 1 in
/// (interval + space) / interval.
pub fn interval_space(interval: Option<u64>, space: Option<u64>) -> Option<u64> {
    match (interval, space) {
        (Some(i), Some(s)) if i > 0 => Some(i.saturating_add(s) / i),
        _ => None,
    }
}

/// A time in ns, absent when out of i64's range.
fn ns(t: i128) -> Cell {
    i64::try_from(t).map_or(Cell::Absent, Cell::Time)
}

/// A number, address or MAC by the field's type; other types as their unsigned value.
fn value(dtype: DataType, b: &[u8]) -> Cell {
    match dtype {
        DataType::Ipv4Address if b.len() == 4 => Cell::Addr(Addr::V4([b[0], b[1], b[2], b[3]])),
        DataType::Ipv6Address if b.len() == 16 => {
            let mut a = [0; 16];
            a.copy_from_slice(b);
            Cell::Addr(Addr::V6(a))
        }
        DataType::MacAddress if b.len() == 6 => {
            let mut m = [0; 6];
            m.copy_from_slice(b);
            Cell::Mac(m)
        }
        _ if b.len() <= 8 && !b.is_empty() => Cell::U(be_uint(b)),
        _ => Cell::Absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::registry::InfoModel;
    use crate::ipfix::session::{Domain, DomainScope, MessageCtx};
    use crate::ipfix::template::Field;
    use std::sync::Arc;

    /// Export time of the test records (s since 1970).
    const EXPORT: u32 = 1_700_000_000;

    /// A field of the test templates: (pen, id, value octets); the length is the value's.
    type F<'a> = (u32, u16, Vec<u8>);

    /// Every field of a record of `fields` (one template), as the printer fills them.
    fn row(fields: &[F<'_>], cx: &Context, reverse: bool) -> [Cell; N] {
        let model = InfoModel::builtin();
        let t = Arc::new(Template::new(
            256,
            0,
            (fields.iter())
                .map(|(pen, id, v)| {
                    Field::resolve(*pen, *id, v.len() as u16, model.get(*pen, *id).cloned())
                })
                .collect(),
        ));
        let data: Vec<u8> = fields.iter().flat_map(|f| f.2.clone()).collect();
        let msg = MessageCtx::detached(EXPORT, 42, 1);
        let domain = Domain::default();
        let scope = DomainScope {
            domain: &domain,
            model: &model,
        };
        let r = RecordRef {
            msg: &msg,
            template: &t,
            data: &data,
            offset: 0,
            scope: &scope,
        };
        Plan::new(&t).row(&r, cx, reverse)
    }

    /// A value of IE (pen, id) of its type's natural length, made of `m` (so that each source
    /// has its own), and the cell it gives.
    fn sample(pen: u32, id: u16, m: u8) -> (Vec<u8>, Cell) {
        let model = InfoModel::builtin();
        let dtype = model.get(pen, id).map(|d| d.dtype);
        match dtype {
            Some(DataType::Ipv4Address) => (vec![m; 4], Cell::Addr(Addr::V4([m; 4]))),
            Some(DataType::Ipv6Address) => (vec![m; 16], Cell::Addr(Addr::V6([m; 16]))),
            Some(DataType::MacAddress) => (vec![m; 6], Cell::Mac([m; 6])),
            Some(DataType::Unsigned8) => (vec![m], Cell::U(m.into())),
            Some(DataType::Unsigned16) => (vec![0, m], Cell::U(m.into())),
            Some(DataType::Unsigned32) => (vec![0, 0, 0, m], Cell::U(m.into())),
            Some(DataType::Unsigned64) => ([[0; 7].as_slice(), &[m]].concat(), Cell::U(m.into())),
            other => panic!("IE {pen}/{id}: no sample for {other:?}"),
        }
    }

    /// The IEs each plain field reads, in order, and the PEN they are under.
    fn plain_sources(src: Src) -> Option<(&'static [u16], u32)> {
        match src {
            Src::Ies(ids) | Src::Exporter(ids) => Some((ids, 0)),
            Src::Reverse(ids) => Some((ids, REVERSE_PEN)),
            _ => None,
        }
    }

    /// The sources of the plain fields as ../shared/spec/FLOW_SCHEMA.md lists them, written
    /// out here again so that a change to [`FIELDS`] has to be made twice. (`bytes` and
    /// `packets` also take the total counters last, for exporters that only send those.)
    const SPEC: [(&str, &[u16]); 27] = [
        ("sampler_address", &[130, 131]),
        ("bytes", &[1, 23, 85]),
        ("packets", &[2, 24, 86]),
        ("src_addr", &[8, 27]),
        ("dst_addr", &[12, 28]),
        ("proto", &[4]),
        ("in_if", &[10]),
        ("out_if", &[14]),
        ("src_mac", &[56]),
        ("dst_mac", &[57, 80]),
        ("src_vlan", &[58]),
        ("dst_vlan", &[59]),
        ("vlan_id", &[58, 243]),
        ("ip_tos", &[5]),
        ("forwarding_status", &[89]),
        ("ip_ttl", &[52, 192]),
        ("ipv6_flow_label", &[31]),
        ("fragment_id", &[54]),
        ("fragment_offset", &[88]),
        ("src_as", &[16]),
        ("dst_as", &[17]),
        ("next_hop", &[15, 62]),
        ("bgp_next_hop", &[18, 63]),
        ("reverse_bytes", &[1, 23, 85]),
        ("reverse_packets", &[2, 24, 86]),
        ("src_net", &[9, 29]),
        ("dst_net", &[13, 30]),
    ];

    #[test]
    fn the_table_has_the_specs_sources() {
        for (name, want) in SPEC {
            let def = &FIELDS[field(name)];
            let got = match def.src {
                Src::Ies(ids) | Src::Exporter(ids) | Src::Reverse(ids) | Src::Net(ids, _) => ids,
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(got, want, "{name}");
        }
        let plain = FIELDS
            .iter()
            .filter(|d| plain_sources(d.src).is_some())
            .count();
        assert_eq!(plain, SPEC.len() - 2, "a plain field is missing from SPEC");
    }

    /// For every field read from a list of IEs: with sources j.. present (each with its own
    /// value), the field has source j's value. With none of them, it is absent.
    #[test]
    fn every_field_takes_its_first_present_source() {
        let mut checked = 0;
        for (k, def) in FIELDS.iter().enumerate() {
            let Some((ids, pen)) = plain_sources(def.src) else {
                continue;
            };
            // The reverse counters need a forward counter beside them to read as a biflow;
            // they are read from the initiator's row (with --no-split-biflow).
            for j in 0..ids.len() {
                let mut fields: Vec<F<'_>> = Vec::new();
                let mut want = Cell::Absent;
                for (m, &id) in ids.iter().enumerate().skip(j) {
                    let (v, c) = sample(0, id, 10 + m as u8);
                    if m == j {
                        want = c;
                    }
                    fields.push((pen, id, v));
                }
                let got = row(&fields, &Context::default(), false)[k];
                assert_eq!(got, want, "{} with sources {:?}", def.name, &ids[j..]);
                checked += 1;
            }
            let none = row(&[(0, 210, vec![0; 4])], &Context::default(), false)[k];
            assert_eq!(none, Cell::Absent, "{} with no source", def.name);
        }
        assert!(checked > 40, "{checked}");
    }

    /// A record with none of any field's sources (only padding): every field is absent but
    /// the ones of the message (type, time received, sequence number).
    #[test]
    fn a_record_without_sources_leaves_every_field_absent() {
        let r = row(&[(0, 210, vec![0; 4])], &Context::default(), false);
        for (k, def) in FIELDS.iter().enumerate() {
            match def.name {
                "type" => assert_eq!(r[k], Cell::Text("IPFIX")),
                "time_received_ns" => {
                    assert_eq!(r[k], Cell::Time(EXPORT as i64 * 1_000_000_000))
                }
                "sequence_num" => assert_eq!(r[k], Cell::U(42)),
                _ => assert_eq!(r[k], Cell::Absent, "{}", def.name),
            }
        }
    }

    fn field(name: &str) -> usize {
        index(name).unwrap()
    }

    /// Times: an absolute IE at any precision (ns, µs, ms, s in that order) beats the uptime
    /// IE, which beats the delta one; each made absolute its own way.
    #[test]
    fn time_sources_in_order() {
        let (start, end) = (field("time_flow_start_ns"), field("time_flow_end_ns"));
        let export_ns = EXPORT as i64 * 1_000_000_000;
        let ntp = |secs: u64, frac: u32| ((secs + 2_208_988_800) << 32 | frac as u64).to_be_bytes();
        let cx = Context {
            init_ms: Some(EXPORT as i128 * 1000 - 60_000),
            sampling: None,
            exporter: None,
        };
        let all: Vec<(u16, Vec<u8>, i64)> = vec![
            // flowStartNanoseconds: half a second after EXPORT - 10
            (
                156,
                ntp(EXPORT as u64 - 10, 1 << 31).to_vec(),
                export_ns - 9_500_000_000,
            ),
            // flowStartMicroseconds (NTP, the low 11 bits of the fraction ignored)
            (
                154,
                ntp(EXPORT as u64 - 20, 0).to_vec(),
                export_ns - 20_000_000_000,
            ),
            (
                152,
                ((EXPORT as u64 - 30) * 1000 + 7).to_be_bytes().to_vec(),
                export_ns - 29_993_000_000,
            ),
            (
                150,
                (EXPORT - 40).to_be_bytes().to_vec(),
                export_ns - 40_000_000_000,
            ),
            // flowStartSysUpTime 1000 ms after a boot 60 s before the export
            (
                22,
                1000u32.to_be_bytes().to_vec(),
                export_ns - 59_000_000_000,
            ),
            // flowStartDeltaMicroseconds: 5 s before the export
            (
                158,
                5_000_000u32.to_be_bytes().to_vec(),
                export_ns - 5_000_000_000,
            ),
        ];
        for j in 0..all.len() {
            let fields: Vec<F<'_>> = all[j..]
                .iter()
                .map(|(id, v, _)| (0, *id, v.clone()))
                .collect();
            let r = row(&fields, &cx, false);
            assert_eq!(r[start], Cell::Time(all[j].2), "start from IE {}", all[j].0);
            assert_eq!(r[end], Cell::Absent);
        }
        // The end IEs the same way (each the start's id + 1, uptime 21, delta 159).
        let r = row(
            &[
                (0, 153, ((EXPORT as u64) * 1000).to_be_bytes().to_vec()),
                (0, 21, 2000u32.to_be_bytes().to_vec()),
            ],
            &cx,
            false,
        );
        assert_eq!(r[end], Cell::Time(export_ns));
        let r = row(&[(0, 21, 2000u32.to_be_bytes().to_vec())], &cx, false);
        assert_eq!(r[end], Cell::Time(export_ns - 58_000_000_000));
        // The record's own systemInitTimeMilliseconds beats the domain's.
        let own = ((EXPORT as u64 - 10) * 1000).to_be_bytes().to_vec();
        let r = row(
            &[(0, 21, 2000u32.to_be_bytes().to_vec()), (0, 160, own)],
            &cx,
            false,
        );
        assert_eq!(r[end], Cell::Time(export_ns - 8_000_000_000));
        // An uptime with no boot time known is absent, never a guess.
        let r = row(
            &[(0, 21, 2000u32.to_be_bytes().to_vec())],
            &Context::default(),
            false,
        );
        assert_eq!(r[end], Cell::Absent);
        // Wrap: an uptime that puts the start 49 days after the export is read modulo 2^32 ms.
        let r = row(
            &[(0, 22, (u32::MAX - 999).to_be_bytes().to_vec())],
            &cx,
            false,
        );
        assert_eq!(r[start], Cell::Time(export_ns - 61_000_000_000));
    }

    /// The computed fields' sources: etype, ICMP type and code, TCP flags, ports, prefixes
    /// and sampling, each in its order.
    #[test]
    fn computed_field_sources_in_order() {
        let v4 = |id| (0, id, vec![10, 0, 0, 1]);
        let v6 = |id| (0, id, [[0x20, 1, 0xd, 0xb8].as_slice(), &[0; 12]].concat());
        let u8f = |id, v: u8| (0, id, vec![v]);
        let u16f = |id, v: u16| (0, id, v.to_be_bytes().to_vec());
        let u32f = |id, v: u32| (0, id, v.to_be_bytes().to_vec());
        let cx = Context::default();
        let etype = field("etype");
        assert_eq!(
            row(&[u16f(256, 0x8100), v4(8)], &cx, false)[etype],
            Cell::U(0x8100)
        );
        assert_eq!(row(&[v4(12)], &cx, false)[etype], Cell::U(0x0800));
        assert_eq!(row(&[v6(28)], &cx, false)[etype], Cell::U(0x86dd));
        let (ty, code) = (field("icmp_type"), field("icmp_code"));
        // icmpTypeIPv4/icmpCodeIPv4 beat icmpTypeCodeIPv4, which beats the port of ICMP.
        let split = [
            u8f(176, 3),
            u8f(177, 1),
            u16f(32, 0x0b00),
            u8f(4, 1),
            u16f(11, 0x0800),
        ];
        let r = row(&split, &cx, false);
        assert_eq!((r[ty], r[code]), (Cell::U(3), Cell::U(1)));
        let r = row(&split[2..], &cx, false);
        assert_eq!((r[ty], r[code]), (Cell::U(11), Cell::U(0)));
        let r = row(&split[3..], &cx, false);
        assert_eq!((r[ty], r[code]), (Cell::U(8), Cell::U(0)));
        // ... and for IPv6: 178/179, 139.
        let r = row(&[u8f(178, 128), u8f(179, 0), u16f(139, 0x0101)], &cx, false);
        assert_eq!((r[ty], r[code]), (Cell::U(128), Cell::U(0)));
        let r = row(&[u16f(139, 0x0104)], &cx, false);
        assert_eq!((r[ty], r[code]), (Cell::U(1), Cell::U(4)));
        // A TCP record's destination port is no ICMP type; an ICMP record has no ports.
        let r = row(&[u8f(4, 6), u16f(7, 1234), u16f(11, 80)], &cx, false);
        assert_eq!((r[ty], r[field("dst_port")]), (Cell::Absent, Cell::U(80)));
        let r = row(&[u8f(4, 58), u16f(7, 0), u16f(11, 0x8000)], &cx, false);
        assert_eq!(
            (r[field("src_port")], r[field("dst_port")]),
            (Cell::Absent, Cell::Absent)
        );
        assert_eq!(r[ty], Cell::U(128));
        // A port with no protocol field is a port (at a fixed offset or after a varlen).
        assert_eq!(
            row(&[u16f(7, 53)], &cx, false)[field("src_port")],
            Cell::U(53)
        );
        // tcpControlBits beats YAF's initialTCPFlags | unionTCPFlags.
        let flags = field("tcp_flags");
        let yaf = [
            u16f(6, 0x12),
            (CERT_PEN, 14, vec![0x02]),
            (CERT_PEN, 15, vec![0x11]),
        ];
        assert_eq!(row(&yaf, &cx, false)[flags], Cell::U(0x12));
        assert_eq!(row(&yaf[1..], &cx, false)[flags], Cell::U(0x13));
        assert_eq!(row(&yaf[2..], &cx, false)[flags], Cell::U(0x11));
        // Prefixes: the v4 mask IE beats the v6 one, with the address of the same family
        // order (src_net from 9 then 29, the address from 8 then 27).
        let net = field("src_net");
        let r = row(&[v4(8), u8f(9, 24), u8f(29, 48)], &cx, false);
        assert_eq!(r[net], Cell::Net(24, Some(Addr::V4([10, 0, 0, 1]))));
        let r = row(&[v6(27), u8f(29, 48)], &cx, false);
        assert_eq!(
            r[net],
            Cell::Net(
                48,
                Some(Addr::V6([
                    0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                ]))
            )
        );
        assert_eq!(
            row(&[u8f(13, 16)], &cx, false)[field("dst_net")],
            Cell::Net(16, None)
        );
        // Sampling: samplingInterval beats samplerRandomInterval beats interval and space,
        // which beat the domain's rate; a rate of 0 is 1.
        let rate = field("sampling_rate");
        let dom = Context {
            init_ms: None,
            sampling: Some(7),
            exporter: None,
        };
        let s = [u32f(34, 100), u32f(50, 200), u32f(305, 1), u32f(306, 9)];
        assert_eq!(row(&s, &dom, false)[rate], Cell::U(100));
        assert_eq!(row(&s[1..], &dom, false)[rate], Cell::U(200));
        assert_eq!(row(&s[2..], &dom, false)[rate], Cell::U(10));
        assert_eq!(row(&s[3..], &dom, false)[rate], Cell::U(7));
        assert_eq!(row(&[u32f(34, 0)], &dom, false)[rate], Cell::U(1));
        assert_eq!(row(&s[3..], &cx, false)[rate], Cell::Absent);
        assert_eq!(interval_space(Some(2), Some(8)), Some(5));
        assert_eq!(interval_space(Some(0), Some(8)), None);
        assert_eq!(interval_space(Some(1), None), None);
        // MPLS: the labels of 70..79 in order, the 20 bits of each.
        let r = row(
            &[(0, 71, vec![0, 0x20, 0x01]), (0, 70, vec![0, 0x10, 0x01])],
            &cx,
            false,
        );
        let mut l = [0; 10];
        l[..2].copy_from_slice(&[256, 512]);
        assert_eq!(r[field("mpls_label")], Cell::Labels(l, 2));
    }

    /// A biflow's responder row: addresses, ports, interfaces, MACs, VLANs and AS numbers
    /// swapped, counters and TOS/TTL/flags from the reverse IEs, the rest the initiator's.
    #[test]
    fn a_biflow_reverse_row_swaps_and_takes_the_reverse_ies() {
        let cx = Context::default();
        let u = |id: u16, v: u32| (0, id, v.to_be_bytes().to_vec());
        let rv = |id: u16, v: u32| (REVERSE_PEN, id, v.to_be_bytes().to_vec());
        let f = [
            (0, 8, vec![10, 0, 0, 1]),
            (0, 12, vec![10, 0, 0, 2]),
            (0, 7, 1000u16.to_be_bytes().to_vec()),
            (0, 11, 80u16.to_be_bytes().to_vec()),
            (0, 4, vec![6]),
            u(10, 1),
            u(14, 2),
            u(16, 64500),
            u(17, 64501),
            (0, 1, 500u64.to_be_bytes().to_vec()),
            (0, 2, 5u64.to_be_bytes().to_vec()),
            (REVERSE_PEN, 1, 900u64.to_be_bytes().to_vec()),
            (REVERSE_PEN, 2, 9u64.to_be_bytes().to_vec()),
            (0, 5, vec![0x10]),
            (REVERSE_PEN, 5, vec![0x20]),
            rv(999, 0),
        ];
        let fwd = row(&f, &cx, false);
        let rev = row(&f, &cx, true);
        for (a, b) in [
            ("src_addr", "dst_addr"),
            ("src_port", "dst_port"),
            ("in_if", "out_if"),
            ("src_as", "dst_as"),
        ] {
            assert_eq!(rev[field(a)], fwd[field(b)], "{a}");
            assert_eq!(rev[field(b)], fwd[field(a)], "{b}");
        }
        assert_eq!(
            (rev[field("bytes")], rev[field("packets")]),
            (Cell::U(900), Cell::U(9))
        );
        assert_eq!(
            (fwd[field("bytes")], fwd[field("packets")]),
            (Cell::U(500), Cell::U(5))
        );
        assert_eq!(
            (rev[field("ip_tos")], fwd[field("ip_tos")]),
            (Cell::U(0x20), Cell::U(0x10))
        );
        assert_eq!(rev[field("proto")], Cell::U(6));
        assert_eq!(fwd[field("reverse_bytes")], Cell::U(900));
        assert_eq!(fwd[field("reverse_packets")], Cell::U(9));
    }
}
