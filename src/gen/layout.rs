//! What `gen` writes: templates (from a `--profile` or `--template` specs) and, for each
//! field, where its value comes from: the flow model ([`Src`] other than `Random`), or a
//! value of the IE's type drawn for it.

use super::rng::Rng;
use super::traffic::Flow;
use crate::ipfix::template::FieldSpec;
use crate::ipfix::types::{DataType, VARLEN};
use crate::ipfix::{InfoModel, encode};
use std::sync::Arc;

/// The built-in template sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// IPv4 5-tuple flows with counters, interfaces and millisecond times.
    Flow4,
    /// The same for IPv6 (with the flow label).
    Flow6,
    /// IPv4 biflows (RFC 5103): the reverse packets, octets and TCP flags too.
    Biflow,
    /// IPv4 flows with structured data (RFC 6313): a basicList of egress interfaces, a
    /// subTemplateList of HTTP transactions, a subTemplateMultiList of TCP and IP details,
    /// each of 0 to a few elements.
    Structured,
    /// One field of every abstract data type (RFC 7011 §6.1, RFC 6313), reduced sizes among
    /// them, with edge values: 0, maximum, minimum, NaN and infinities, empty and
    /// 255-octet-plus strings in the 3-octet length form. Types no IANA IE has (signed8/16/64,
    /// float32) are IEs of the documentation PEN 32473, named by RFC 5610 type records.
    AllTypes,
    /// NetFlow v5's record, as the NetFlow translator reads it: uptimes and millisecond
    /// times, next hop, AS numbers (RFC 5398's documentation ASNs), prefix lengths and the
    /// sampling fields. What `--netflow 5` writes.
    Netflow5,
}

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    SrcV4,
    DstV4,
    SrcV6,
    DstV6,
    SrcPort,
    DstPort,
    Proto,
    Tos,
    Flags,
    Packets,
    Octets,
    StartMs,
    EndMs,
    StartS,
    EndS,
    IcmpV4,
    IcmpV6,
    InIf,
    OutIf,
    FlowLabel,
    IpVersion,
    RevPackets,
    RevOctets,
    RevFlags,
    /// flowStart/EndSysUpTime: milliseconds since the exporter's boot.
    StartUptime,
    EndUptime,
    /// The next hop: the .254 of the destination's /24.
    NextHop,
    /// Documentation ASNs (RFC 5398) by address.
    SrcAs,
    DstAs,
    /// Prefix lengths (/24).
    SrcMask,
    DstMask,
    /// samplingAlgorithm / samplingInterval of `--sampling` (0 without).
    SamplingMode,
    SamplingInterval,
    /// structured: the egress interfaces (basicList of egressInterface).
    Egress,
    /// structured: HTTP transactions (subTemplateList of [`HTTP_TID`]).
    Http,
    /// structured: TCP and IP details (subTemplateMultiList of [`TCP_TID`], [`IP_TID`]).
    Details,
    /// all-types: an edge value of the field's type.
    Edge,
    /// Any value of the field's type.
    Random,
}

/// Templates the structured profile's lists use.
pub const HTTP_TID: u16 = 257;
pub const TCP_TID: u16 = 258;
pub const IP_TID: u16 = 259;

#[derive(Clone, Debug)]
pub struct Field {
    pub spec: FieldSpec,
    pub dtype: DataType,
    pub src: Src,
}

/// One template: its fields, whether its records are IPv6 flows, and the IEs of enterprises
/// (for their RFC 5610 type records).
#[derive(Clone, Debug)]
pub struct Layout {
    pub fields: Vec<Field>,
    pub v6: bool,
    /// Every record has the same length (no variable-length field).
    pub fixed: Option<usize>,
    /// A profile's exact fields: written by straight-line code ([`put_profile`]), the same
    /// bytes as field by field ([`put`]) without a dispatch per field.
    pub profile: Option<Profile>,
    /// Templates only lists refer to: (ID, fields).
    pub aux: Vec<(u16, Vec<FieldSpec>)>,
    /// Enterprise IEs this layout defines itself (their type records are written).
    pub own: Vec<crate::ipfix::registry::IeDef>,
}

impl Layout {
    pub fn specs(&self) -> Vec<FieldSpec> {
        self.fields.iter().map(|f| f.spec).collect()
    }
}

/// The source of an IANA (or RFC 5103 reverse) IE the flow model knows.
fn source(pen: u32, id: u16) -> Src {
    match (pen, id) {
        (0, 8) => Src::SrcV4,
        (0, 12) => Src::DstV4,
        (0, 27) => Src::SrcV6,
        (0, 28) => Src::DstV6,
        (0, 7) => Src::SrcPort,
        (0, 11) => Src::DstPort,
        (0, 4) => Src::Proto,
        (0, 5) => Src::Tos,
        (0, 6) => Src::Flags,
        (0, 2 | 86) => Src::Packets,
        (0, 1 | 85) => Src::Octets,
        (0, 152) => Src::StartMs,
        (0, 153) => Src::EndMs,
        (0, 150) => Src::StartS,
        (0, 151) => Src::EndS,
        (0, 32) => Src::IcmpV4,
        (0, 139) => Src::IcmpV6,
        (0, 10) => Src::InIf,
        (0, 14) => Src::OutIf,
        (0, 31) => Src::FlowLabel,
        (0, 60) => Src::IpVersion,
        (29305, 2 | 86) => Src::RevPackets,
        (29305, 1 | 85) => Src::RevOctets,
        (29305, 6) => Src::RevFlags,
        (0, 22) => Src::StartUptime,
        (0, 21) => Src::EndUptime,
        (0, 15) => Src::NextHop,
        (0, 16) => Src::SrcAs,
        (0, 17) => Src::DstAs,
        (0, 9) => Src::SrcMask,
        (0, 13) => Src::DstMask,
        (0, 35) => Src::SamplingMode,
        (0, 34) => Src::SamplingInterval,
        _ => Src::Random,
    }
}

const FLOW4: &[(&str, u16)] = &[
    ("sourceIPv4Address", 4),
    ("destinationIPv4Address", 4),
    ("sourceTransportPort", 2),
    ("destinationTransportPort", 2),
    ("protocolIdentifier", 1),
    ("tcpControlBits", 2),
    ("ipClassOfService", 1),
    ("icmpTypeCodeIPv4", 2),
    ("ingressInterface", 4),
    ("egressInterface", 4),
    ("packetDeltaCount", 8),
    ("octetDeltaCount", 8),
    ("flowStartMilliseconds", 8),
    ("flowEndMilliseconds", 8),
];

const FLOW6: &[(&str, u16)] = &[
    ("sourceIPv6Address", 16),
    ("destinationIPv6Address", 16),
    ("sourceTransportPort", 2),
    ("destinationTransportPort", 2),
    ("protocolIdentifier", 1),
    ("tcpControlBits", 2),
    ("ipClassOfService", 1),
    ("flowLabelIPv6", 4),
    ("icmpTypeCodeIPv6", 2),
    ("ingressInterface", 4),
    ("egressInterface", 4),
    ("packetDeltaCount", 8),
    ("octetDeltaCount", 8),
    ("flowStartMilliseconds", 8),
    ("flowEndMilliseconds", 8),
];

const BIFLOW_EXTRA: &[(&str, u16)] = &[
    ("reversePacketDeltaCount", 8),
    ("reverseOctetDeltaCount", 8),
    ("reverseTcpControlBits", 2),
];

/// The templates of a profile.
pub fn profile(p: Profile, model: &InfoModel) -> Result<Vec<Layout>, String> {
    let names: Vec<(&str, u16)> = match p {
        Profile::Flow4 => FLOW4.to_vec(),
        Profile::Flow6 => FLOW6.to_vec(),
        Profile::Biflow => [FLOW4, BIFLOW_EXTRA].concat(),
        Profile::Structured => return structured(model),
        Profile::AllTypes => return all_types(model),
        Profile::Netflow5 => return netflow5(model),
    };
    let spec: Vec<String> = names.iter().map(|(n, l)| format!("{n}[{l}]")).collect();
    let mut l = parse(&spec.join(","), model)?;
    l.profile = Some(p);
    Ok(vec![l])
}

/// The v5 record in the NetFlow translator's template (the same fields, the same order), so
/// `--netflow 5` and this profile's IPFIX read back alike.
fn netflow5(model: &InfoModel) -> Result<Vec<Layout>, String> {
    let fields = crate::ipfix::netflow::v5_template()
        .fields
        .into_iter()
        .map(|spec| {
            let ie = model
                .get(0, spec.id)
                .ok_or_else(|| format!("IE {} missing from the registry", spec.id))?;
            Ok(Field {
                spec,
                dtype: ie.dtype,
                src: source(0, spec.id),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let fixed = Some(fields.iter().map(|f| f.spec.len as usize).sum());
    Ok(vec![Layout {
        fields,
        v6: false,
        fixed,
        profile: None,
        aux: Vec::new(),
        own: Vec::new(),
    }])
}

fn specs(list: &[(u16, u16)]) -> Vec<FieldSpec> {
    list.iter()
        .map(|&(id, len)| FieldSpec::iana(id, len))
        .collect()
}

fn structured(model: &InfoModel) -> Result<Vec<Layout>, String> {
    let mut l = parse(
        "sourceIPv4Address,destinationIPv4Address,sourceTransportPort,destinationTransportPort,\
         protocolIdentifier,tcpControlBits[2],packetDeltaCount,octetDeltaCount,\
         flowStartMilliseconds,flowEndMilliseconds",
        model,
    )?;
    for (id, src, dtype) in [
        (291, Src::Egress, DataType::BasicList),
        (292, Src::Http, DataType::SubTemplateList),
        (293, Src::Details, DataType::SubTemplateMultiList),
    ] {
        l.fields.push(Field {
            spec: FieldSpec::iana(id, VARLEN),
            dtype,
            src,
        });
    }
    l.fixed = None;
    // httpRequestMethod, httpRequestHost, httpStatusCode; tcpSequenceNumber, tcpWindowSize;
    // ipTTL, ipTotalLength.
    l.aux = vec![
        (HTTP_TID, specs(&[(459, VARLEN), (460, VARLEN), (457, 2)])),
        (TCP_TID, specs(&[(184, 4), (186, 2)])),
        (IP_TID, specs(&[(192, 1), (224, 8)])),
    ];
    Ok(vec![l])
}

/// The documentation PEN (RFC 5612) for the types no IANA IE has.
const DOC_PEN: u32 = 32473;

fn all_types(model: &InfoModel) -> Result<Vec<Layout>, String> {
    // (IANA IE, length): every type, some twice (reduced size, fixed and variable length).
    let iana: &[(u16, u16)] = &[
        (70, 3),       // octetArray, fixed: mplsTopLabelStackSection
        (314, VARLEN), // octetArray, variable: ipPayloadPacketSection
        (4, 1),        // unsigned8: protocolIdentifier
        (7, 2),        // unsigned16: sourceTransportPort
        (11, 1),       // unsigned16 in 1 octet: destinationTransportPort
        (10, 4),       // unsigned32: ingressInterface
        (14, 2),       // unsigned32 in 2: egressInterface
        (1, 8),        // unsigned64: octetDeltaCount
        (2, 4),        // unsigned64 in 4: packetDeltaCount
        (85, 2),       // unsigned64 in 2: octetTotalCount
        (434, 4),      // signed32: mibObjectValueInteger
        (320, 8),      // float64: absoluteError
        (321, 4),      // float64 in 4: relativeError
        (276, 1),      // boolean: dataRecordsReliability
        (56, 6),       // macAddress: sourceMacAddress
        (82, VARLEN),  // string, variable: interfaceName
        (83, 16),      // string, fixed: interfaceDescription
        (150, 4),      // dateTimeSeconds: flowStartSeconds
        (152, 8),      // dateTimeMilliseconds: flowStartMilliseconds
        (154, 8),      // dateTimeMicroseconds: flowStartMicroseconds
        (156, 8),      // dateTimeNanoseconds: flowStartNanoseconds
        (8, 4),        // ipv4Address: sourceIPv4Address
        (27, 16),      // ipv6Address: sourceIPv6Address
    ];
    let mut fields = Vec::new();
    for &(id, len) in iana {
        let ie = model
            .get(0, id)
            .ok_or_else(|| format!("IE {id} missing from the registry"))?;
        fields.push(Field {
            spec: FieldSpec::iana(id, len),
            dtype: ie.dtype,
            src: Src::Edge,
        });
    }
    use crate::ipfix::registry::IeDef;
    use crate::ipfix::types::{Semantics, Units};
    let own: Vec<IeDef> = [
        (1, "genSigned8", DataType::Signed8),
        (2, "genSigned16", DataType::Signed16),
        (3, "genSigned64", DataType::Signed64),
        (4, "genFloat32", DataType::Float32),
    ]
    .into_iter()
    .map(|(id, name, dtype)| IeDef {
        pen: DOC_PEN,
        id,
        name: name.into(),
        dtype,
        semantics: Semantics::Quantity,
        units: Units::None,
        default_len: None,
    })
    .collect();
    for ie in &own {
        fields.push(Field {
            spec: FieldSpec {
                pen: DOC_PEN,
                id: ie.id,
                len: ie.dtype.natural_len().unwrap_or(VARLEN),
            },
            dtype: ie.dtype,
            src: Src::Edge,
        });
    }
    // The lists of the structured profile, with their templates.
    let s = structured(model)?.remove(0);
    fields.extend(
        s.fields
            .into_iter()
            .filter(|f| f.spec.len == VARLEN && f.spec.id >= 291),
    );
    Ok(vec![Layout {
        fields,
        v6: false,
        fixed: None,
        profile: None,
        aux: s.aux,
        own,
    }])
}

/// Appends the record of a profile's layout for flow `fl`: what [`put`] writes for each of
/// its fields in turn (a unit test holds them equal).
#[inline]
pub fn put_profile(p: Profile, fl: &Flow, out: &mut Vec<u8>) {
    let mut b = [0u8; 96];
    let mut at = 0;
    let mut w = |bytes: &[u8]| {
        b[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    let v6 = p == Profile::Flow6;
    if v6 {
        w(&fl.src);
        w(&fl.dst);
    } else {
        w(&[fl.src[12], fl.src[13], fl.src[14], fl.src[15]]);
        w(&[fl.dst[12], fl.dst[13], fl.dst[14], fl.dst[15]]);
    }
    w(&fl.sport.to_be_bytes());
    w(&fl.dport.to_be_bytes());
    w(&[fl.proto]);
    w(&fl.flags.to_be_bytes());
    w(&[fl.tos]);
    if v6 {
        w(&fl.flow_label.to_be_bytes());
    }
    w(&fl.icmp.to_be_bytes());
    w(&fl.in_if.to_be_bytes());
    w(&fl.out_if.to_be_bytes());
    w(&fl.packets.to_be_bytes());
    w(&fl.octets.to_be_bytes());
    w(&fl.start_ms.to_be_bytes());
    w(&fl.end_ms.to_be_bytes());
    if p == Profile::Biflow {
        w(&fl.rev_packets.to_be_bytes());
        w(&fl.rev_octets.to_be_bytes());
        w(&fl.rev_flags.to_be_bytes());
    }
    out.extend_from_slice(&b[..at]);
}

/// A `--template` spec: IE names separated by commas, each with an optional `[length]`
/// (`[v]` for variable length), e.g. `sourceIPv4Address,octetDeltaCount[4],wlanSSID`.
pub fn parse(spec: &str, model: &InfoModel) -> Result<Layout, String> {
    let mut fields = Vec::new();
    for item in spec.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(format!("--template {spec}: an empty field name"));
        }
        let (name, len) = match item.split_once('[') {
            Some((n, rest)) => {
                let l = rest
                    .strip_suffix(']')
                    .ok_or_else(|| format!("--template: {item}: a length is `[N]` or `[v]`"))?;
                let len = if l == "v" {
                    VARLEN
                } else {
                    l.parse::<u16>()
                        .ok()
                        .filter(|&n| n > 0 && n < VARLEN)
                        .ok_or_else(|| format!("--template: {item}: bad length {l:?}"))?
                };
                (n, Some(len))
            }
            None => (item, None),
        };
        let ie = model.by_name(name).ok_or_else(|| {
            let hint = crate::ipfix::suggest::suggest_name(model, name)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            format!("--template: unknown IE {name:?}{hint}")
        })?;
        let natural = ie.dtype.natural_len();
        let len = len.unwrap_or_else(|| ie.template_len());
        check_len(ie.dtype, len, natural).map_err(|e| format!("--template: {item}: {e}"))?;
        fields.push(Field {
            spec: FieldSpec {
                pen: ie.pen,
                id: ie.id,
                len,
            },
            dtype: ie.dtype,
            src: source(ie.pen, ie.id),
        });
    }
    if fields.is_empty() {
        return Err("--template: no fields".into());
    }
    let v6 = fields.iter().any(|f| {
        matches!(
            f.src,
            Src::SrcV6 | Src::DstV6 | Src::IcmpV6 | Src::FlowLabel
        )
    });
    let fixed = fields.iter().try_fold(0usize, |a, f| {
        (f.spec.len != VARLEN).then(|| a + f.spec.len as usize)
    });
    Ok(Layout {
        fields,
        v6,
        fixed,
        profile: None,
        aux: Vec::new(),
        own: Vec::new(),
    })
}

/// Lengths a type may be encoded in (RFC 7011 §6.2: reduced-size encoding of integers and
/// float64 as float32; the others at their size, strings and octet arrays any).
fn check_len(t: DataType, len: u16, natural: Option<u16>) -> Result<(), String> {
    use DataType::*;
    let ok = match t {
        Unsigned8 | Unsigned16 | Unsigned32 | Unsigned64 | Signed8 | Signed16 | Signed32
        | Signed64 => natural.is_some_and(|n| len <= n),
        Float64 => len == 8 || len == 4,
        String | OctetArray => true,
        BasicList | SubTemplateList | SubTemplateMultiList => {
            return Err("structured data is not generated by --template (see --profile)".into());
        }
        _ => natural == Some(len),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("a {} cannot be {len} octets", t.name()))
    }
}

/// Appends field `f`'s value for flow `fl` to `out`.
#[inline]
pub fn put(f: &Field, fl: &Flow, r: &mut Rng, out: &mut Vec<u8>) {
    let len = f.spec.len as usize;
    // Reduced size: the low octets, saturated to what they hold (fixed-size copies for the
    // usual lengths: no memcpy call per field).
    let uint = |out: &mut Vec<u8>, v: u64| match len {
        1 => out.push(v.min(0xff) as u8),
        2 => out.extend_from_slice(&(v.min(0xffff) as u16).to_be_bytes()),
        4 => out.extend_from_slice(&(v.min(0xffff_ffff) as u32).to_be_bytes()),
        8 => out.extend_from_slice(&v.to_be_bytes()),
        _ => {
            let v = if len >= 8 {
                v
            } else {
                v.min((1u64 << (8 * len)) - 1)
            };
            out.extend_from_slice(&v.to_be_bytes()[8 - len.min(8)..]);
        }
    };
    match f.src {
        Src::SrcV4 => out.extend_from_slice(&[fl.src[12], fl.src[13], fl.src[14], fl.src[15]]),
        Src::DstV4 => out.extend_from_slice(&[fl.dst[12], fl.dst[13], fl.dst[14], fl.dst[15]]),
        Src::SrcV6 => out.extend_from_slice(&v6(fl, &fl.src)),
        Src::DstV6 => out.extend_from_slice(&v6(fl, &fl.dst)),
        Src::SrcPort => uint(out, fl.sport as u64),
        Src::DstPort => uint(out, fl.dport as u64),
        Src::Proto => uint(out, fl.proto as u64),
        Src::Tos => uint(out, fl.tos as u64),
        Src::Flags => uint(out, fl.flags as u64),
        Src::Packets => uint(out, fl.packets),
        Src::Octets => uint(out, fl.octets),
        Src::StartMs => uint(out, fl.start_ms),
        Src::EndMs => uint(out, fl.end_ms),
        Src::StartS => uint(out, fl.start_ms / 1000),
        Src::EndS => uint(out, fl.end_ms.div_ceil(1000)),
        Src::IcmpV4 | Src::IcmpV6 => uint(out, fl.icmp as u64),
        Src::InIf => uint(out, fl.in_if as u64),
        Src::OutIf => uint(out, fl.out_if as u64),
        Src::FlowLabel => uint(out, fl.flow_label as u64),
        Src::IpVersion => uint(out, if fl.v6 { 6 } else { 4 }),
        Src::RevPackets => uint(out, fl.rev_packets),
        Src::RevOctets => uint(out, fl.rev_octets),
        Src::RevFlags => uint(out, fl.rev_flags as u64),
        Src::StartUptime => uint(out, fl.start_ms.wrapping_sub(fl.boot_ms) as u32 as u64),
        Src::EndUptime => uint(out, fl.end_ms.wrapping_sub(fl.boot_ms) as u32 as u64),
        Src::NextHop => {
            let mut a = v6(fl, &fl.dst);
            let last = a.len() - 1;
            a[last] = 254;
            if len == 16 {
                out.extend_from_slice(&a);
            } else {
                out.extend_from_slice(&a[12..]);
            }
        }
        Src::SrcAs => uint(out, 64496 + (fl.src[15] % 8) as u64),
        Src::DstAs => uint(out, 64504 + (fl.dst[15] % 8) as u64),
        Src::SrcMask | Src::DstMask => uint(out, if fl.v6 { 48 } else { 24 }),
        Src::SamplingMode => uint(out, (fl.sampling > 0) as u64),
        Src::SamplingInterval => uint(out, fl.sampling as u64),
        Src::Egress => {
            // Up to 4 interfaces (none for most flows).
            let n = [0, 0, 0, 1, 1, 2, 3, 4][r.below(8) as usize];
            let mut e = Vec::with_capacity(4 * n);
            for k in 0..n {
                e.extend_from_slice(&(1 + (fl.out_if + k as u32) % 8).to_be_bytes());
            }
            put_bytes(VARLEN, &encode::basic_list(3, 0, 14, 4, &e), out);
        }
        Src::Http => {
            // Web flows carry 1 to 3 transactions, the others none.
            let web = fl.proto == 6 && (fl.dport == 80 || fl.dport == 443 || fl.dport == 8080);
            let n = if web { r.range(1, 3) } else { 0 };
            let mut recs = Vec::new();
            for k in 0..n {
                let method: &[u8] = [b"GET".as_slice(), b"POST", b"HEAD"][r.below(3) as usize];
                put_bytes(VARLEN, method, &mut recs);
                let host = format!("www{}.example.com", fl.dst[15]);
                put_bytes(VARLEN, host.as_bytes(), &mut recs);
                let status: u16 =
                    [200, 200, 200, 301, 304, 404, 500][(r.below(7) + k) as usize % 7];
                recs.extend_from_slice(&status.to_be_bytes());
            }
            put_bytes(VARLEN, &encode::sub_template_list(3, HTTP_TID, &recs), out);
        }
        Src::Details => {
            let mut tcp = Vec::new();
            if fl.proto == 6 {
                tcp.extend_from_slice(&(r.next_u64() as u32).to_be_bytes());
                tcp.extend_from_slice(&(r.range(1024, 65535) as u16).to_be_bytes());
            }
            let mut ip = Vec::new();
            if r.chance(0.5) {
                ip.push(r.range(32, 255) as u8);
                ip.extend_from_slice(&fl.octets.to_be_bytes());
            }
            let mut entries: Vec<(u16, &[u8])> = Vec::new();
            if !tcp.is_empty() {
                entries.push((TCP_TID, &tcp));
            }
            if !ip.is_empty() {
                entries.push((IP_TID, &ip));
            }
            // Entries of a few octets: the 16-bit lengths always fit.
            let list = encode::sub_template_multi_list(3, &entries).unwrap_or_else(|_| vec![3]);
            put_bytes(VARLEN, &list, out);
        }
        Src::Edge => edge(f, r, out),
        Src::Random => random(f, fl, r, out),
    }
}

/// An edge value of `f`'s type: zero, the maximum, the minimum (or NaN), or an infinity
/// (for integers, a value in the middle); for variable length, 0, 254, 255 or 300 octets.
fn edge(f: &Field, r: &mut Rng, out: &mut Vec<u8>) {
    use DataType::*;
    let len = f.spec.len as usize;
    let v = r.below(4);
    match f.dtype {
        Unsigned8 | Unsigned16 | Unsigned32 | Unsigned64 => {
            let b: u8 = match v {
                0 => 0,
                1 | 2 => 0xff,
                _ => 0x5a,
            };
            out.resize(out.len() + len, b);
        }
        Signed8 | Signed16 | Signed32 | Signed64 => {
            let x: i64 = match v {
                0 => 0,
                1 => i64::MAX >> (64 - 8 * len),
                2 => i64::MIN >> (64 - 8 * len),
                _ => -1,
            };
            out.extend_from_slice(&x.to_be_bytes()[8 - len..]);
        }
        Float32 => out.extend_from_slice(
            &[0.0f32, f32::MAX, f32::NAN, f32::NEG_INFINITY][v as usize].to_be_bytes(),
        ),
        Float64 if len == 4 => out.extend_from_slice(
            &[0.0f32, f32::INFINITY, f32::NAN, f32::MIN][v as usize].to_be_bytes(),
        ),
        Float64 => out.extend_from_slice(
            &[0.0f64, f64::MAX, f64::NAN, f64::INFINITY][v as usize].to_be_bytes(),
        ),
        Boolean => out.push(if v % 2 == 0 { 1 } else { 2 }),
        DateTimeSeconds => {
            out.extend_from_slice(&[0u32, u32::MAX, 1_700_000_000, 1][v as usize].to_be_bytes())
        }
        DateTimeMilliseconds => out.extend_from_slice(
            &[0u64, 4_102_444_800_000, 1_700_000_000_123, 1][v as usize].to_be_bytes(),
        ),
        DateTimeMicroseconds | DateTimeNanoseconds => {
            // NTP: 1900 (0), the end of era 0, a time in 2023, the 1970 epoch.
            let secs = [0u32, u32::MAX, 3_908_988_800, 2_208_988_800][v as usize];
            out.extend_from_slice(&secs.to_be_bytes());
            out.extend_from_slice(&[0u32, u32::MAX, 0x8000_0000, 0][v as usize].to_be_bytes());
        }
        Ipv4Address => out.extend_from_slice(
            &[[0u8, 0, 0, 0], [255; 4], [192, 0, 2, 1], [203, 0, 113, 255]][v as usize],
        ),
        Ipv6Address => {
            let mut a = [0u8; 16];
            if v == 1 {
                a = [0xff; 16];
            } else if v > 1 {
                a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
                a[15] = v as u8;
            }
            out.extend_from_slice(&a);
        }
        MacAddress => out.extend_from_slice(
            &[
                [0u8; 6],
                [0xff; 6],
                [2, 0, 0x5e, 0, 0x53, 1],
                [2, 0, 0, 0, 0, 0],
            ][v as usize],
        ),
        String | OctetArray if len == VARLEN as usize => {
            let n = [0usize, 254, 255, 300][v as usize];
            let fill = if f.dtype == String { b'x' } else { 0xa5 };
            put_bytes(VARLEN, &vec![fill; n], out);
        }
        String => {
            let text: &[u8] = [b"".as_slice(), b"edge", b"sixteen octets!!", b"x"][v as usize];
            put_bytes(f.spec.len, text, out);
        }
        OctetArray => out.resize(out.len() + len, [0u8, 0xff, 0x5a, 1][v as usize]),
        _ => out.resize(out.len() + len, 0),
    }
}

/// An IPv6 flow's address; an IPv4 flow's as an IPv4-mapped one (a template may ask for both).
fn v6(fl: &Flow, a: &[u8; 16]) -> [u8; 16] {
    if fl.v6 {
        *a
    } else {
        let mut m = [0u8; 16];
        m[10] = 0xff;
        m[11] = 0xff;
        m[12..].copy_from_slice(&a[12..]);
        m
    }
}

/// A value of the field's type: numbers small and plausible rather than uniform over 64 bits,
/// addresses from the documentation ranges, times near the flow's, text short and printable.
fn random(f: &Field, fl: &Flow, r: &mut Rng, out: &mut Vec<u8>) {
    use DataType::*;
    let len = f.spec.len;
    match f.dtype {
        Ipv4Address => out.extend_from_slice(&[203, 0, 113, r.range(1, 254) as u8]),
        Ipv6Address => {
            let mut a = [0u8; 16];
            a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
            a[15] = r.range(1, 254) as u8;
            out.extend_from_slice(&a);
        }
        MacAddress => {
            // Locally administered, unicast.
            let mut m = [0u8; 6];
            r.fill(&mut m);
            m[0] = (m[0] & 0xfc) | 0x02;
            out.extend_from_slice(&m);
        }
        DateTimeSeconds => out.extend_from_slice(&((fl.start_ms / 1000) as u32).to_be_bytes()),
        DateTimeMilliseconds => out.extend_from_slice(&fl.start_ms.to_be_bytes()),
        DateTimeMicroseconds | DateTimeNanoseconds => {
            // NTP format (RFC 7011 §6.1.9): seconds since 1900, then the fraction.
            let secs = fl.start_ms / 1000 + 2_208_988_800;
            let frac = ((fl.start_ms % 1000) << 32) / 1000;
            out.extend_from_slice(&(secs as u32).to_be_bytes());
            out.extend_from_slice(&(frac as u32).to_be_bytes());
        }
        Boolean => out.push(if r.chance(0.5) { 1 } else { 2 }),
        Float32 => out.extend_from_slice(&((r.unit() * 1000.0) as f32).to_be_bytes()),
        Float64 if len == 4 => out.extend_from_slice(&((r.unit() * 1000.0) as f32).to_be_bytes()),
        Float64 => out.extend_from_slice(&(r.unit() * 1000.0).to_be_bytes()),
        String => {
            let n = r.range(0, 16) as usize;
            // Hex digits: printable, and never a word a log could be grepped for.
            let text: Vec<u8> = (0..n)
                .map(|_| b"0123456789abcdef"[r.below(16) as usize])
                .collect();
            put_bytes(len, &text, out);
        }
        OctetArray => {
            let mut b = vec![
                0u8;
                if len == VARLEN {
                    r.range(0, 16) as usize
                } else {
                    len as usize
                }
            ];
            r.fill(&mut b);
            put_bytes(len, &b, out);
        }
        Signed8 | Signed16 | Signed32 | Signed64 => {
            let v = r.range(0, 2000) as i64 - 1000;
            out.extend_from_slice(&v.to_be_bytes()[8 - len as usize..]);
        }
        Unsigned256 => {
            out.extend_from_slice(&[0u8; 24]);
            out.extend_from_slice(&r.below(1 << 20).to_be_bytes());
        }
        _ => {
            let v = r.below(1000);
            let n = (len as usize).min(8);
            out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
        }
    }
}

/// Octets at a fixed length (cut or zero-padded), or with a varlen prefix.
fn put_bytes(len: u16, b: &[u8], out: &mut Vec<u8>) {
    if len == VARLEN {
        if b.len() < 255 {
            out.push(b.len() as u8);
        } else {
            out.push(255);
            out.extend_from_slice(&(b.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(b);
    } else {
        let n = len as usize;
        let take = b.len().min(n);
        out.extend_from_slice(&b[..take]);
        out.resize(out.len() + (n - take), 0);
    }
}

/// The enterprise IEs of `layouts` that need RFC 5610 type records: every one except the
/// RFC 5103 reverse IEs, which every reader derives from the IANA ones.
pub fn enterprise_ies(
    layouts: &[Layout],
    model: &InfoModel,
) -> Vec<Arc<crate::ipfix::registry::IeDef>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for l in layouts {
        for f in &l.fields {
            let (pen, id) = (f.spec.pen, f.spec.id);
            if pen == 0 || pen == crate::ipfix::registry::REVERSE_PEN || !seen.insert((pen, id)) {
                continue;
            }
            if let Some(ie) = l.own.iter().find(|d| (d.pen, d.id) == (pen, id)) {
                out.push(Arc::new(ie.clone()));
            } else if let Some(ie) = model.get(pen, id) {
                out.push(ie.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_written_as_field_by_field() {
        let model = InfoModel::builtin();
        let traffic = super::super::traffic::Model::new();
        for p in [Profile::Flow4, Profile::Flow6, Profile::Biflow] {
            let l = &profile(p, &model).unwrap()[0];
            let mut r = Rng::new(3, 0);
            for i in 0..2000 {
                let fl = traffic.flow(&mut r, l.v6, 1_700_000_000_000 + i);
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                put_profile(p, &fl, &mut fast);
                for f in &l.fields {
                    put(f, &fl, &mut r, &mut slow);
                }
                assert_eq!(fast, slow, "{p:?} {fl:?}");
                assert_eq!(Some(fast.len()), l.fixed);
            }
        }
    }
}
