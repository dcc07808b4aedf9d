//! The flow schema as data: [`FIELDS`] lists each field of `--schema flow`
//! (../shared/spec/FLOW_SCHEMA.md, goflow2's names and order) with its sources in order of
//! preference, and how its biflow reverse is found. [`Plan::new`] resolves the table against
//! one template, once: for each field the one source the template has (presence is a property
//! of the template, so "the first source present" is decided here, not per record).
//! [`Plan::fill`] then reads a record into a [`Row`] of [`Cell`]s without allocating.

use crate::ipfix::registry::REVERSE_PEN;

/// CERT's enterprise number (YAF's IEs).
const CERT_PEN: u32 = 6871;
use crate::ipfix::session::RecordRef;
use crate::ipfix::value::be_uint;
use crate::ipfix::{DataType, Template, decode};
use crate::output::cells::{Pos, field_ranges};
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
pub const BYTES: usize = 7;
pub const PACKETS: usize = 8;

use Rev::{Reverse as R, Same as S, Swap as W};

/// The fields of `--schema flow`, in output order.
pub const FIELDS: [Def; 40] = [
    d("type", Src::Type, S),
    d("time_received_ns", Src::Received, S),
    d("sequence_num", Src::Sequence, S),
    d("sampling_rate", Src::Sampling, S),
    d("sampler_address", Src::Ies(&[130, 131]), S),
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

pub type Row = [Cell; N];

/// A field's bytes and declared type, resolved for one template.
#[derive(Clone, Copy, Debug)]
struct At {
    pos: Pos,
    len: usize,
    dtype: DataType,
}

/// How one field is filled for records of one template.
#[derive(Clone, Copy, Debug)]
enum Fill {
    None,
    Type,
    Received,
    Sequence,
    Sampling {
        rate: Option<RateAt>,
    },
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
enum RateAt {
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
}

/// The table resolved for one template.
pub struct Plan {
    fwd: [Fill; N],
    /// The responder's fills of a biflow (a template with reverse counters).
    rev: Option<[Fill; N]>,
    /// Some fill reads a field after a variable-length one: the record is walked.
    walk: bool,
    /// The record carries a sampler ID (flowSamplerId/samplerId 48, selectorId 302).
    pub sampler_id: Option<(usize, u16)>,
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

fn at(t: &Template, i: usize) -> At {
    At {
        pos: Pos::of(t, i),
        len: t.fields[i].len as usize,
        dtype: t.fields[i].dtype,
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
        Src::Ies(ids) => ie(ids).map_or(Fill::None, Fill::Value),
        Src::Reverse(ids) => {
            find(t, REVERSE_PEN, ids).map_or(Fill::None, |(i, _)| Fill::Value(at(t, i)))
        }
        Src::Time(end) => {
            let (abs, up, delta): (&[u16], u16, u16) = if end {
                (&[157, 155, 153, 151], 21, 159)
            } else {
                (&[156, 154, 152, 150], 22, 158)
            };
            if let Some(a) = ie(abs) {
                Fill::Instant(a)
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
                (Some(a), _, _) => Fill::Value(a),
                (None, None, None) => Fill::None,
                (None, a, b) => Fill::Or(a, b),
            }
        }
        Src::Etype => match ie(&[256]) {
            Some(a) => Fill::Value(a),
            None if ie(&[8, 12]).is_some() => Fill::Const(0x0800),
            None if ie(&[27, 28]).is_some() => Fill::Const(0x86dd),
            None => Fill::None,
        },
        Src::Icmp(low) => {
            let split: &[u16] = if low { &[177, 179] } else { &[176, 178] };
            if let Some(a) = ie(split) {
                Fill::Value(a)
            } else if let Some(a) = ie(&[32, 139]) {
                Fill::Byte(a, low)
            } else if let (Some(port), Some(proto)) = (ie(&[11]), ie(&[4])) {
                Fill::FromPort { port, proto, low }
            } else {
                Fill::None
            }
        }
        Src::Port(id) => match ie(&[id]) {
            Some(port) => Fill::Port {
                port,
                proto: ie(&[4]),
            },
            None => Fill::None,
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
            sampler_id: find(t, 0, &[48, 302]),
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

    /// Fills the cells `which` (schema indexes) of `row` from `r`: the initiator's record, or
    /// with `reverse` the responder's of a biflow. `ranges` is scratch for records with fields
    /// after a variable-length one.
    pub fn fill(
        &self,
        r: &RecordRef<'_>,
        cx: &Context,
        reverse: bool,
        which: &[usize],
        ranges: &mut Vec<(usize, usize)>,
        row: &mut Row,
    ) {
        let fills = match (&self.rev, reverse) {
            (Some(rev), true) => rev,
            _ => &self.fwd,
        };
        if self.walk {
            field_ranges(r, ranges);
        }
        let d = r.data;
        let bytes = |a: &At| a.pos.bytes(d, a.len, ranges);
        let uint = |a: &At| bytes(a).map(be_uint);
        let export_ms = r.msg.header.export_time as i128 * 1000;
        for &k in which {
            let (Some(cell), Some(fill)) = (row.get_mut(k), fills.get(k)) else {
                continue;
            };
            *cell = match *fill {
                Fill::None => Cell::Absent,
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
                            ns(absolute_uptime(init, u as u32, export_ms) * 1_000_000)
                        }
                        _ => Cell::Absent,
                    }
                }
                Fill::Delta(a) => match uint(&a) {
                    Some(us) => ns(export_ms * 1_000_000 - us as i128 * 1000),
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
            };
        }
        // Fields the record lacks, from the sampled packet it carries (the initiator's only).
        if let (Some((a, link)), false) = (self.section, reverse) {
            if let Some(b) = a.pos.bytes(d, a.len, ranges) {
                let p = crate::packet::parse(link, b);
                for &k in which {
                    if let Some(cell) = row.get_mut(k).filter(|c| **c == Cell::Absent) {
                        *cell = from_packet(k, &p);
                    }
                }
            }
        }
    }
}

/// Schema field `k` from a sampled packet's headers.
fn from_packet(k: usize, p: &Packet) -> Cell {
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
