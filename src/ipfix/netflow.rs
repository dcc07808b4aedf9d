//! NetFlow v9 (RFC 3954) and v5 export packets translated into IPFIX messages: the one place
//! NetFlow is understood. Pure, over `&[u8]`; never panics on input.
//!
//! One packet in, one or more IPFIX messages out (more only when the translation outgrows the
//! 65535-octet message limit), with per-source state ([`Translator`]): v9 templates live per
//! Source ID (RFC 3954 §5.1, which becomes the observation domain); the caller keeps one
//! `Translator` per exporter (a file, or an exporter address and port in a capture).
//!
//! v9 (SPEC.md §9, §11.2):
//! - FlowSet 0 (templates) becomes Set 2; field types below 32768 are the IANA IEs of the same
//!   number, types 32768 and up become enterprise IEs under [`NETFLOW_PEN`] with ID - 32768
//!   (ipfixcol2's convention, so the two tools agree); length 65535 is variable length.
//! - FlowSet 1 (options templates) becomes Set 3 with its record rewritten: v9 gives the scope
//!   and option *octet* lengths, IPFIX field counts; scope types 1-5 (System, Interface, Line
//!   Card, Cache, Template) become exportingProcessId, ingressInterface, lineCardId,
//!   meteringProcessId and templateId. An options template without scope fields cannot be an
//!   IPFIX options template: it becomes a data template (its records are still there).
//! - Templates with FIRST_SWITCHED / LAST_SWITCHED (flowStartSysUpTime 22 / flowEndSysUpTime
//!   21) get flowStartMilliseconds / flowEndMilliseconds appended, computed from the packet
//!   header: `unix_secs * 1000 - (sysUptime - uptime)`, the difference taken modulo 2^32 as
//!   the signed value nearest zero (exporters up for more than 49.7 days wrap; a start just
//!   after the header's uptime is a clock skew, not a start 49 days earlier). The uptime fields
//!   are kept. Each domain also gets systemInitTimeMilliseconds (unix time - sysUptime) in an
//!   options record whenever it moves by more than a second (v9's export time has whole
//!   seconds), under a template ID the source does not use.
//! - Sequence numbers count data records per domain (IPFIX), not packets (v9).
//! - A data FlowSet ahead of its template is held (at most [`PENDING_MAX`] octets per
//!   source; past that the oldest is dropped and counted) and translated, with its own
//!   packet's times, in the message of the packet that brings the template.
//!
//! v5 (SPEC.md §10, §11.3): the 48-octet record under one fixed template (template ID 256),
//! with absolute millisecond start and end times from the header (uptime, seconds and
//! nanoseconds), the original uptimes, and the header's sampling mode and interval
//! (samplingAlgorithm, samplingInterval); engine type and ID become the domain
//! (`engine_type << 8 | engine_id`).
//!
//! Written by hand: no maintained crate translates NetFlow to IPFIX (the NetFlow parsing crates
//! decode to their own structs and drop what they do not know).

use super::hold::Hold;
use super::session::Pending;
use super::template::FieldSpec;
use super::types::VARLEN;
use super::writer::TemplateDef;
use std::collections::BTreeMap;
use std::fmt;

/// The enterprise number under which v9 field types 32768-65535 are kept (as ID - 32768),
/// as ipfixcol2 does.
pub const NETFLOW_PEN: u32 = 4_294_967_295;

/// Most octets of data FlowSets held per source while their template has not arrived.
pub const PENDING_MAX: usize = super::hold::DEFAULT_MAX;

/// Largest IPFIX message.
const MSG_MAX: usize = 65535;

/// Template ID of the v5 record.
pub const V5_TEMPLATE: u16 = 256;

/// A problem in one packet. Offsets are relative to the packet's first octet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub what: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The packet is shorter than its header (or v5 records) say.
    Truncated { needed: usize, available: usize },
    /// A FlowSet length below 4 or past the end of the packet.
    BadFlowSetLength { id: u16, length: u16 },
    /// A template record with no fields (IPFIX would read it as a withdrawal).
    EmptyTemplate { template: u16 },
    /// An options template whose scope or option length is not a multiple of 4.
    BadOptionsLengths {
        template: u16,
        scope: u16,
        option: u16,
    },
    /// A template record running past its FlowSet.
    TemplateOverrun { template: u16 },
    /// A template ID below 256.
    BadTemplateId { template: u16 },
    /// The header's record count disagrees with the records found.
    CountMismatch { header: u16, found: u32 },
    /// Held data FlowSets dropped to stay within [`PENDING_MAX`].
    PendingDropped { sets: u64 },
    /// At the end of the input: data FlowSets held for a template that never came.
    NeverDefined {
        domain: u32,
        template: u16,
        sets: u64,
        octets: u64,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            ProblemKind::Truncated { needed, available } => write!(
                f,
                "NetFlow packet truncated: it needs {needed} octets, {available} are there"
            ),
            ProblemKind::BadFlowSetLength { id, length } => {
                write!(f, "FlowSet {id} has length {length}, outside the packet")
            }
            ProblemKind::EmptyTemplate { template } => {
                write!(f, "v9 template {template} has no fields; skipped")
            }
            ProblemKind::BadOptionsLengths {
                template,
                scope,
                option,
            } => write!(
                f,
                "v9 options template {template}: scope length {scope} and option length {option} must be multiples of 4; skipped"
            ),
            ProblemKind::TemplateOverrun { template } => {
                write!(f, "v9 template {template} runs past its FlowSet")
            }
            ProblemKind::BadTemplateId { template } => {
                write!(f, "v9 template ID {template} is below 256; skipped")
            }
            ProblemKind::CountMismatch { header, found } => write!(
                f,
                "the packet header counts {header} records, the packet has {found}"
            ),
            ProblemKind::NeverDefined {
                domain,
                template,
                sets,
                octets,
            } => write!(
                f,
                "{sets} data FlowSet(s) ({octets} octets) of v9 template {template} in source \
                 {domain} never got their template; left out"
            ),
            ProblemKind::PendingDropped { sets } => write!(
                f,
                "{sets} data FlowSet(s) waiting for their template dropped (over {} MiB held)",
                PENDING_MAX >> 20
            ),
        }
    }
}

/// What one packet gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Translated {
    /// 5 or 9.
    pub version: u16,
    /// The observation domain of the output.
    pub domain: u32,
    /// Data records written (options records included).
    pub records: u64,
    /// Records of FlowSets held from earlier packets, written now that their template came.
    pub recovered: u64,
    /// FlowSets held for their template in this packet, and held ones decoded now.
    pub pending: Vec<Pending>,
    /// Problems; the packet's other FlowSets are still translated.
    pub problems: Vec<Problem>,
}

/// The version of a NetFlow packet at the start of `b` (5 or 9), if it is one.
pub fn version(b: &[u8]) -> Option<u16> {
    match b.get(..2) {
        Some([0, 5]) => Some(5),
        Some([0, 9]) => Some(9),
        _ => None,
    }
}

/// The length of the packet at the start of `b`, for reading a file of concatenated packets.
/// v5 packets say it (24 + 48 × count). v9 packets do not: FlowSets are walked until one whose
/// ID cannot be a FlowSet (2-255, where the next packet's version 5, 9 or 10 falls), an
/// impossible length (zero fill after the last FlowSet ends the packet there), or the end of
/// `b`. `Err` says how many octets a v5 packet needs when `b` is shorter.
pub fn packet_len(b: &[u8]) -> Result<usize, usize> {
    match version(b) {
        Some(5) => {
            let count = b
                .get(2..4)
                .map_or(0, |c| u16::from_be_bytes([c[0], c[1]]) as usize);
            let need = 24 + 48 * count;
            if b.len() < need { Err(need) } else { Ok(need) }
        }
        Some(9) => {
            if b.len() < 20 {
                return Err(20);
            }
            let mut pos = 20;
            while pos + 4 <= b.len() {
                let id = u16::from_be_bytes([b[pos], b[pos + 1]]);
                let len = u16::from_be_bytes([b[pos + 2], b[pos + 3]]) as usize;
                if (2..256).contains(&id) || len < 4 || pos + len > b.len() {
                    break;
                }
                pos += len;
            }
            Ok(pos)
        }
        _ => Err(2),
    }
}

/// A v9 template as translated.
#[derive(Clone, Debug)]
struct V9Template {
    scope_count: u16,
    /// The fields as in the packet (types translated), before appended times.
    fields: Vec<FieldSpec>,
    /// Positions of flowStartSysUpTime / flowEndSysUpTime, when present with 4 octets.
    start: Option<usize>,
    end: Option<usize>,
    /// Record length when fixed.
    fixed: Option<usize>,
    /// The options template's scope fields all had length 0 (Juniper's "System" scope):
    /// they are dropped and observationDomainId (the Source ID) is put in front as the scope.
    synth_scope: bool,
}

impl V9Template {
    fn appended(&self) -> usize {
        8 * (self.start.is_some() as usize + self.end.is_some() as usize)
    }

    fn def(&self, id: u16) -> TemplateDef {
        let mut fields: Vec<FieldSpec> = Vec::new();
        if self.synth_scope {
            fields.push(FieldSpec::iana(149, 4));
        }
        fields.extend_from_slice(&self.fields);
        if self.start.is_some() {
            fields.push(FieldSpec::iana(152, 8));
        }
        if self.end.is_some() {
            fields.push(FieldSpec::iana(153, 8));
        }
        TemplateDef {
            id,
            scope_count: self.scope_count + self.synth_scope as u16,
            fields,
        }
    }

    /// Length of the record at the start of `b`.
    fn record_len(&self, b: &[u8]) -> Option<usize> {
        if let Some(n) = self.fixed {
            return (n > 0 && b.len() >= n).then_some(n);
        }
        let mut pos = 0usize;
        for f in &self.fields {
            if f.len == VARLEN {
                let first = *b.get(pos)? as usize;
                pos += if first < 255 {
                    1 + first
                } else {
                    3 + u16::from_be_bytes([*b.get(pos + 1)?, *b.get(pos + 2)?]) as usize
                };
            } else {
                pos += f.len as usize;
            }
        }
        (pos > 0 && pos <= b.len()).then_some(pos)
    }

    /// The value of the 4-octet field at position `i` of a record.
    fn u32_at(&self, rec: &[u8], i: usize) -> Option<u32> {
        let off = match self.fixed {
            Some(_) => self.fields[..i].iter().map(|f| f.len as usize).sum(),
            None => {
                let mut pos = 0usize;
                for f in &self.fields[..i] {
                    pos += if f.len == VARLEN {
                        let first = *rec.get(pos)? as usize;
                        if first < 255 {
                            1 + first
                        } else {
                            3 + u16::from_be_bytes([*rec.get(pos + 1)?, *rec.get(pos + 2)?])
                                as usize
                        }
                    } else {
                        f.len as usize
                    };
                }
                pos
            }
        };
        let b = rec.get(off..off + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// A data FlowSet held until its template arrives.
struct Held {
    body: Vec<u8>,
    export_ms: u64,
    uptime: u32,
}

#[derive(Default)]
struct Domain {
    templates: BTreeMap<u16, V9Template>,
    /// Data records written so far (the next message's sequence number).
    sequence: u32,
    /// Held FlowSets by template ID ([`super::hold`]: its octets and memory count).
    held: Hold<u16, Held>,
    /// The systemInitTimeMilliseconds last written, and the template ID it went under.
    init: Option<(u64, u16)>,
}

/// Translation state of one exporter: templates per v9 Source ID, sequence numbers per domain.
#[derive(Default)]
pub struct Translator {
    domains: BTreeMap<u32, Domain>,
    /// Held FlowSets dropped for the bound so far (the first drop is warned of at once, the
    /// total at the end of the input).
    dropped: u64,
    /// v5 domains that have had their template.
    v5_defined: BTreeMap<u32, u32>,
}

/// Absolute milliseconds of an uptime value, from the packet's export time and uptime: the
/// difference is taken modulo 2^32 as the signed value nearest zero.
pub fn uptime_to_ms(export_ms: u64, sys_uptime: u32, t: u32) -> u64 {
    let back = sys_uptime.wrapping_sub(t) as i32 as i64;
    (export_ms as i64 - back).max(0) as u64
}

/// Builds IPFIX messages of at most [`MSG_MAX`] octets.
struct Messages<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    domain: u32,
    export_time: u32,
    sequence: u32,
    /// Data records in the open message.
    records: u32,
    set_start: Option<usize>,
}

impl<'o> Messages<'o> {
    fn new(out: &'o mut Vec<u8>, domain: u32, export_time: u32, sequence: u32) -> Self {
        let mut m = Messages {
            out,
            start: 0,
            domain,
            export_time,
            sequence,
            records: 0,
            set_start: None,
        };
        m.open();
        m
    }

    fn open(&mut self) {
        self.start = self.out.len();
        self.out.extend_from_slice(&[0, 10, 0, 0]);
        self.out.extend_from_slice(&self.export_time.to_be_bytes());
        self.out.extend_from_slice(&self.sequence.to_be_bytes());
        self.out.extend_from_slice(&self.domain.to_be_bytes());
        self.records = 0;
    }

    fn close_set(&mut self) {
        if let Some(s) = self.set_start.take() {
            let len = (self.out.len() - s) as u16;
            self.out[s + 2..s + 4].copy_from_slice(&len.to_be_bytes());
        }
    }

    /// Ends the open message (an empty one is removed) and returns the records it held.
    fn close(&mut self) {
        self.close_set();
        if self.out.len() - self.start == 16 {
            self.out.truncate(self.start);
            return;
        }
        let len = (self.out.len() - self.start) as u16;
        self.out[self.start + 2..self.start + 4].copy_from_slice(&len.to_be_bytes());
        self.sequence = self.sequence.wrapping_add(self.records);
    }

    /// Whether the open set has ID `id`.
    fn in_set(&self, id: u16) -> bool {
        self.set_start
            .is_some_and(|s| u16::from_be_bytes([self.out[s], self.out[s + 1]]) == id)
    }

    /// Room for `n` more octets in a set `id` (opening one, or a new message, as needed).
    fn reserve(&mut self, id: u16, n: usize) {
        let extra = if self.in_set(id) { n } else { n + 4 };
        if self.out.len() - self.start + extra > MSG_MAX {
            self.close();
            self.open();
        }
        if !self.in_set(id) {
            self.close_set();
            self.set_start = Some(self.out.len());
            self.out.extend_from_slice(&id.to_be_bytes());
            self.out.extend_from_slice(&[0, 0]);
        }
    }

    fn template(&mut self, def: &TemplateDef) {
        // A v9 flowset of at most 65535 octets holds fewer than 16384 field specifiers (plus
        // the few added here), so the count always fits 16 bits.
        let Ok(b) = def.record_bytes() else {
            return;
        };
        self.reserve(if def.scope_count > 0 { 3 } else { 2 }, b.len());
        self.out.extend_from_slice(&b);
    }

    /// One data record, with `prefix` octets put in front and `extra` octets appended.
    fn record(&mut self, id: u16, prefix: &[u8], rec: &[u8], extra: &[u8]) {
        self.reserve(id, prefix.len() + rec.len() + extra.len());
        self.out.extend_from_slice(prefix);
        self.out.extend_from_slice(rec);
        self.out.extend_from_slice(extra);
        self.records = self.records.wrapping_add(1);
    }
}

impl Translator {
    pub fn new() -> Translator {
        Translator::default()
    }

    /// Translates one packet (as delimited by [`packet_len`] or a UDP datagram), appending
    /// IPFIX messages to `out`. `Err` for a packet that is neither v5 nor v9 or is shorter
    /// than its header; then nothing is appended.
    pub fn translate(&mut self, p: &[u8], out: &mut Vec<u8>) -> Result<Translated, Problem> {
        match version(p) {
            Some(5) => self.v5(p, out),
            Some(9) => self.v9(p, out),
            _ => Err(Problem {
                offset: 0,
                what: ProblemKind::Truncated {
                    needed: 2,
                    available: p.len(),
                },
            }),
        }
    }

    fn v5(&mut self, p: &[u8], out: &mut Vec<u8>) -> Result<Translated, Problem> {
        if p.len() < 24 {
            return Err(Problem {
                offset: 0,
                what: ProblemKind::Truncated {
                    needed: 24,
                    available: p.len(),
                },
            });
        }
        let be32 = |o: usize| u32::from_be_bytes([p[o], p[o + 1], p[o + 2], p[o + 3]]);
        let count = u16::from_be_bytes([p[2], p[3]]);
        let uptime = be32(4);
        let secs = be32(8);
        let nsecs = be32(12);
        let flow_seq = be32(16);
        let domain = (p[20] as u32) << 8 | p[21] as u32;
        let sampling = u16::from_be_bytes([p[22], p[23]]);
        let export_ms = secs as u64 * 1000 + (nsecs as u64 / 1_000_000).min(999);
        let mut problems = Vec::new();
        let available = (p.len() - 24) / 48;
        let n = if available < count as usize {
            problems.push(Problem {
                offset: 0,
                what: ProblemKind::Truncated {
                    needed: 24 + 48 * count as usize,
                    available: p.len(),
                },
            });
            available
        } else {
            count as usize
        };
        let first = !self.v5_defined.contains_key(&domain);
        // The first packet of a domain seeds the sequence with the header's flow count.
        let seq = *self.v5_defined.entry(domain).or_insert(flow_seq);
        let mut m = Messages::new(out, domain, secs, seq);
        if first {
            m.template(&v5_template());
        }
        let mut extra = [0u8; 19];
        extra[16] = (sampling >> 14) as u8;
        extra[17..19].copy_from_slice(&(sampling & 0x3fff).to_be_bytes());
        for i in 0..n {
            let r = &p[24 + 48 * i..24 + 48 * (i + 1)];
            let first_up = u32::from_be_bytes([r[24], r[25], r[26], r[27]]);
            let last_up = u32::from_be_bytes([r[28], r[29], r[30], r[31]]);
            extra[0..8].copy_from_slice(&uptime_to_ms(export_ms, uptime, first_up).to_be_bytes());
            extra[8..16].copy_from_slice(&uptime_to_ms(export_ms, uptime, last_up).to_be_bytes());
            // Fields 0..36 and 37..46: pad1 (36) and pad2 (46..48) are left out.
            let mut rec = [0u8; 45];
            rec[..36].copy_from_slice(&r[..36]);
            rec[36..45].copy_from_slice(&r[37..46]);
            m.record(V5_TEMPLATE, &[], &rec, &extra);
        }
        m.close();
        let next = m.sequence;
        self.v5_defined.insert(domain, next);
        Ok(Translated {
            version: 5,
            domain,
            records: n as u64,
            recovered: 0,
            pending: Vec::new(),
            problems,
        })
    }

    fn v9(&mut self, p: &[u8], out: &mut Vec<u8>) -> Result<Translated, Problem> {
        if p.len() < 20 {
            return Err(Problem {
                offset: 0,
                what: ProblemKind::Truncated {
                    needed: 20,
                    available: p.len(),
                },
            });
        }
        let be32 = |o: usize| u32::from_be_bytes([p[o], p[o + 1], p[o + 2], p[o + 3]]);
        let count = u16::from_be_bytes([p[2], p[3]]);
        let uptime = be32(4);
        let secs = be32(8);
        let domain_id = be32(16);
        let export_ms = secs as u64 * 1000;
        let dom = self.domains.entry(domain_id).or_default();
        let mut res = Translated {
            version: 9,
            domain: domain_id,
            ..Translated::default()
        };
        let mut found = 0u32;
        let mut dropped_here = 0u64;
        let mut m = Messages::new(out, domain_id, secs, dom.sequence);

        // systemInitTimeMilliseconds, when it moved by more than the second v9 can resolve.
        let init = export_ms.saturating_sub(uptime as u64);
        let moved = dom.init.is_none_or(|(last, _)| last.abs_diff(init) > 1000);
        if moved {
            if let Some(tid) = free_id(&dom.templates, dom.init.map(|(_, t)| t)) {
                if dom.init.is_none_or(|(_, t)| t != tid) {
                    m.template(&TemplateDef {
                        id: tid,
                        scope_count: 1,
                        fields: vec![FieldSpec::iana(149, 4), FieldSpec::iana(160, 8)],
                    });
                }
                let mut rec = [0u8; 12];
                rec[..4].copy_from_slice(&domain_id.to_be_bytes());
                rec[4..].copy_from_slice(&init.to_be_bytes());
                m.record(tid, &[], &rec, &[]);
                res.records += 1;
                dom.init = Some((init, tid));
            }
        }

        let mut pos = 20;
        while pos + 4 <= p.len() {
            let id = u16::from_be_bytes([p[pos], p[pos + 1]]);
            let len = u16::from_be_bytes([p[pos + 2], p[pos + 3]]);
            if (2..256).contains(&id) {
                break; // the next packet's header (a file of packets), or trailing octets
            }
            if len < 4 || pos + len as usize > p.len() {
                // Zero fill after the last FlowSet is common: only a non-zero length is damage.
                if !(id == 0 && len == 0 && p[pos..].iter().all(|&b| b == 0)) {
                    res.problems.push(Problem {
                        offset: pos,
                        what: ProblemKind::BadFlowSetLength { id, length: len },
                    });
                }
                break;
            }
            let body = &p[pos + 4..pos + len as usize];
            match id {
                0 | 1 => {
                    let defined =
                        v9_templates(body, id == 1, pos + 4, &mut res.problems, &mut found);
                    for (tid, t) in defined {
                        m.template(&t.def(tid));
                        if dom.init.is_some_and(|(_, i)| i == tid) {
                            // The exporter took our systemInit template's ID: find another next time.
                            dom.init = None;
                        }
                        dom.templates.insert(tid, t);
                        // Held FlowSets of this template, with their own packets' times.
                        for h in dom.held.take(&tid) {
                            let t = &dom.templates[&tid];
                            let n = data_records(
                                t,
                                tid,
                                &h.body,
                                (h.export_ms, h.uptime, domain_id),
                                &mut m,
                            );
                            res.records += n;
                            res.recovered += n;
                            res.pending.push(Pending::Recovered {
                                domain: domain_id,
                                template: tid,
                                records: n,
                            });
                        }
                    }
                }
                _ => match dom.templates.get(&id) {
                    Some(t) => {
                        let n = data_records(t, id, body, (export_ms, uptime, domain_id), &mut m);
                        res.records += n;
                        found = found.saturating_add(n as u32);
                    }
                    None => {
                        res.pending.push(Pending::Held {
                            domain: domain_id,
                            template: id,
                        });
                        let mut dropped = 0u64;
                        let h = Held {
                            body: body.to_vec(),
                            export_ms,
                            uptime,
                        };
                        dom.held.push(id, h, body.len() + 4, |_, _| dropped += 1);
                        if dropped > 0 && dropped_here == 0 && self.dropped == 0 {
                            res.problems.push(Problem {
                                offset: pos,
                                what: ProblemKind::PendingDropped { sets: dropped },
                            });
                        }
                        dropped_here += dropped;
                    }
                },
            }
            pos += len as usize;
        }
        m.close();
        dom.sequence = m.sequence;
        if found != count as u32 && dom.held.is_empty() {
            res.problems.push(Problem {
                offset: 2,
                what: ProblemKind::CountMismatch {
                    header: count,
                    found,
                },
            });
        }
        self.dropped += dropped_here;
        Ok(res)
    }

    /// Held FlowSets dropped for the bound so far, in all.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Data FlowSets still waiting for a template: (source ID, template ID, records' octets).
    pub fn held(&self) -> impl Iterator<Item = (u32, u16, usize)> + '_ {
        self.domains
            .iter()
            .flat_map(|(&d, dom)| dom.held.iter().map(move |(t, h)| (d, t, h.body.len())))
    }
}

/// The lowest template ID from 256 that the source does not use, preferring `current`.
fn free_id(templates: &BTreeMap<u16, V9Template>, current: Option<u16>) -> Option<u16> {
    if let Some(c) = current.filter(|c| !templates.contains_key(c)) {
        return Some(c);
    }
    (256..=u16::MAX)
        .rev()
        .find(|id| !templates.contains_key(id))
}

/// The records of a data FlowSet body, written under template `tid` with the times appended.
/// `clock`: the packet's export time (ms), its sysUptime, and the Source ID.
fn data_records(
    t: &V9Template,
    tid: u16,
    body: &[u8],
    clock: (u64, u32, u32),
    m: &mut Messages,
) -> u64 {
    let (export_ms, uptime, source) = clock;
    let prefix = source.to_be_bytes();
    let prefix: &[u8] = if t.synth_scope { &prefix } else { &[] };
    let mut n = 0u64;
    let mut rest = body;
    let mut extra = [0u8; 16];
    while let Some(len) = t.record_len(rest) {
        let (rec, tail) = rest.split_at(len);
        let mut e = 0;
        for pos in [t.start, t.end].into_iter().flatten() {
            let v = t.u32_at(rec, pos).unwrap_or(0);
            extra[e..e + 8].copy_from_slice(&uptime_to_ms(export_ms, uptime, v).to_be_bytes());
            e += 8;
        }
        m.record(tid, prefix, rec, &extra[..t.appended()]);
        n += 1;
        rest = tail;
    }
    n
}

/// The v9 field type as an IPFIX field specifier.
fn v9_field(ftype: u16, len: u16) -> FieldSpec {
    if ftype >= 0x8000 {
        FieldSpec {
            pen: NETFLOW_PEN,
            id: ftype - 0x8000,
            len,
        }
    } else {
        FieldSpec::iana(ftype, len)
    }
}

/// v9 options scope types (RFC 3954 §6.1) and the IPFIX scope IEs they become: System ->
/// exportingProcessId, Interface -> ingressInterface, Line Card -> lineCardId, Cache ->
/// meteringProcessId, Template -> templateId.
pub const V9_SCOPES: [(u16, u16); 5] = [(1, 144), (2, 10), (3, 141), (4, 143), (5, 145)];

/// v9 options scope types (RFC 3954 §6.1) as IPFIX scope IEs.
fn v9_scope(ftype: u16, len: u16) -> FieldSpec {
    match V9_SCOPES.iter().find(|s| s.0 == ftype) {
        Some(&(_, id)) => FieldSpec::iana(id, len),
        None => v9_field(ftype, len),
    }
}

fn finish_template(scope_count: u16, mut fields: Vec<FieldSpec>) -> V9Template {
    // Zero-length scope fields hold no octets: dropping them leaves records as they are.
    let mut scope_count = scope_count;
    let mut synth_scope = false;
    if scope_count > 0 {
        let mut i = 0usize;
        let mut kept = 0u16;
        fields.retain(|f| {
            let keep = i >= scope_count as usize || f.len != 0;
            if keep && i < scope_count as usize {
                kept += 1;
            }
            i += 1;
            keep
        });
        synth_scope = kept == 0;
        scope_count = kept;
    }
    let pos = |id: u16| {
        fields
            .iter()
            .position(|f| f.pen == 0 && f.id == id && f.len == 4)
    };
    let fixed = if fields.iter().any(|f| f.len == VARLEN) {
        None
    } else {
        Some(fields.iter().map(|f| f.len as usize).sum())
    };
    V9Template {
        scope_count,
        start: pos(22),
        end: pos(21),
        fixed,
        fields,
        synth_scope,
    }
}

/// The template records of a v9 (options) template FlowSet body. `at` is the body's offset in
/// the packet; each record counts in `found` (the header's count includes template records).
fn v9_templates(
    b: &[u8],
    options: bool,
    at: usize,
    problems: &mut Vec<Problem>,
    found: &mut u32,
) -> Vec<(u16, V9Template)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let be16 = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
    loop {
        let head = if options { 6 } else { 4 };
        if pos + head > b.len() {
            break; // padding
        }
        let tid = be16(pos);
        if !options && tid == 0 && b[pos..].iter().all(|&x| x == 0) {
            break; // zero padding
        }
        let (scope_len, fields_len) = if options {
            (
                be16(pos + 2),
                be16(pos + 2) as usize + be16(pos + 4) as usize,
            )
        } else {
            (0, be16(pos + 2) as usize * 4)
        };
        if options && (scope_len % 4 != 0 || be16(pos + 4) % 4 != 0) {
            problems.push(Problem {
                offset: at + pos,
                what: ProblemKind::BadOptionsLengths {
                    template: tid,
                    scope: scope_len,
                    option: be16(pos + 4),
                },
            });
            break; // the record's end cannot be known
        }
        let end = pos + head + fields_len;
        if end > b.len() {
            problems.push(Problem {
                offset: at + pos,
                what: ProblemKind::TemplateOverrun { template: tid },
            });
            break;
        }
        *found = found.saturating_add(1);
        let specs = &b[pos + head..end];
        let scope_count = (scope_len / 4) as usize;
        let fields: Vec<FieldSpec> = specs
            .chunks_exact(4)
            .enumerate()
            .map(|(i, c)| {
                let (t, l) = (
                    u16::from_be_bytes([c[0], c[1]]),
                    u16::from_be_bytes([c[2], c[3]]),
                );
                if i < scope_count {
                    v9_scope(t, l)
                } else {
                    v9_field(t, l)
                }
            })
            .collect();
        if tid < 256 {
            problems.push(Problem {
                offset: at + pos,
                what: ProblemKind::BadTemplateId { template: tid },
            });
        } else if fields.is_empty() {
            problems.push(Problem {
                offset: at + pos,
                what: ProblemKind::EmptyTemplate { template: tid },
            });
        } else {
            out.push((tid, finish_template(scope_count as u16, fields)));
        }
        pos = end;
    }
    out
}

/// The IPFIX template of translated v5 records.
pub fn v5_template() -> TemplateDef {
    TemplateDef {
        id: V5_TEMPLATE,
        scope_count: 0,
        fields: vec![
            FieldSpec::iana(8, 4),   // srcaddr
            FieldSpec::iana(12, 4),  // dstaddr
            FieldSpec::iana(15, 4),  // nexthop
            FieldSpec::iana(10, 2),  // input
            FieldSpec::iana(14, 2),  // output
            FieldSpec::iana(2, 4),   // dPkts
            FieldSpec::iana(1, 4),   // dOctets
            FieldSpec::iana(22, 4),  // first
            FieldSpec::iana(21, 4),  // last
            FieldSpec::iana(7, 2),   // srcport
            FieldSpec::iana(11, 2),  // dstport
            FieldSpec::iana(6, 1),   // tcp_flags
            FieldSpec::iana(4, 1),   // prot
            FieldSpec::iana(5, 1),   // tos
            FieldSpec::iana(16, 2),  // src_as
            FieldSpec::iana(17, 2),  // dst_as
            FieldSpec::iana(9, 1),   // src_mask
            FieldSpec::iana(13, 1),  // dst_mask
            FieldSpec::iana(152, 8), // from first
            FieldSpec::iana(153, 8), // from last
            FieldSpec::iana(35, 1),  // sampling mode
            FieldSpec::iana(34, 2),  // sampling interval
        ],
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ipfix::{DecodeError, Flow, RecordRef, Visitor};
    use crate::ipfix::{InfoModel, Session};

    pub(crate) fn decode_pub(b: &[u8]) -> (Vec<String>, Vec<String>, Vec<(u32, u32)>) {
        decode(b)
    }

    /// Decodes IPFIX messages with the session; returns (records as name=value text, problems).
    fn decode(b: &[u8]) -> (Vec<String>, Vec<String>, Vec<(u32, u32)>) {
        struct V(Vec<String>, Vec<String>, Vec<(u32, u32)>);
        impl Visitor for V {
            fn message(&mut self, m: &crate::ipfix::MessageCtx) -> Flow {
                self.2.push((m.header.domain, m.header.sequence));
                Flow::Continue
            }
            fn record(&mut self, r: &RecordRef<'_>) -> Flow {
                let s: Vec<String> = r
                    .fields()
                    .map(|(f, v)| {
                        let mut t = Vec::new();
                        let val = crate::ipfix::value::decode(f.dtype, v);
                        if !crate::ipfix::text::write_scalar(
                            &mut t,
                            &val,
                            crate::ipfix::text::TimeStyle::Rfc3339,
                        ) {
                            crate::ipfix::text::write_hex(&mut t, v);
                        }
                        format!("{}={}", f.name, String::from_utf8_lossy(&t))
                    })
                    .collect();
                self.0.push(s.join(" "));
                Flow::Continue
            }
            fn problem(&mut self, e: &DecodeError) -> Flow {
                self.1.push(e.to_string());
                Flow::Continue
            }
        }
        let mut s = Session::new(InfoModel::builtin());
        let mut v = V(vec![], vec![], vec![]);
        let mut pos = 0;
        while pos + 16 <= b.len() {
            let len = u16::from_be_bytes([b[pos + 2], b[pos + 3]]) as usize;
            assert!(
                len >= 16 && pos + len <= b.len(),
                "bad message length {len}"
            );
            s.process_message(&b[pos..pos + len], pos as u64, 0, 10, &mut v);
            pos += len;
        }
        assert_eq!(pos, b.len());
        (v.0, v.1, v.2)
    }

    fn v9_header(count: u16, uptime: u32, secs: u32, seq: u32, source: u32) -> Vec<u8> {
        let mut h = vec![0, 9];
        h.extend_from_slice(&count.to_be_bytes());
        h.extend_from_slice(&uptime.to_be_bytes());
        h.extend_from_slice(&secs.to_be_bytes());
        h.extend_from_slice(&seq.to_be_bytes());
        h.extend_from_slice(&source.to_be_bytes());
        h
    }

    fn flowset(id: u16, body: &[u8]) -> Vec<u8> {
        let mut s = id.to_be_bytes().to_vec();
        s.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// Template 300: IPV4_SRC_ADDR(8)[4], FIRST_SWITCHED(22)[4], LAST_SWITCHED(21)[4],
    /// IN_BYTES(1)[4], vendor type 33000[2].
    fn tpl300() -> Vec<u8> {
        let mut b = vec![1, 44, 0, 5];
        for (t, l) in [(8u16, 4u16), (22, 4), (21, 4), (1, 4), (33000, 2)] {
            b.extend_from_slice(&t.to_be_bytes());
            b.extend_from_slice(&l.to_be_bytes());
        }
        flowset(0, &b)
    }

    fn rec300(src: [u8; 4], first: u32, last: u32, bytes: u32) -> Vec<u8> {
        let mut r = src.to_vec();
        r.extend_from_slice(&first.to_be_bytes());
        r.extend_from_slice(&last.to_be_bytes());
        r.extend_from_slice(&bytes.to_be_bytes());
        r.extend_from_slice(&[0xab, 0xcd]);
        r
    }

    #[test]
    fn v9_templates_data_times_and_sequence() {
        let mut p = v9_header(3, 10_000, 1_700_000_000, 77, 42);
        p.extend(tpl300());
        let mut data = rec300([192, 0, 2, 1], 4_000, 9_000, 1500);
        data.extend(rec300([192, 0, 2, 2], 9_500, 10_000, 40));
        data.extend_from_slice(&[0, 0]); // padding
        p.extend(flowset(300, &data));
        assert_eq!(packet_len(&p), Ok(p.len()));
        let mut t = Translator::new();
        let mut out = Vec::new();
        let r = t.translate(&p, &mut out).unwrap();
        assert_eq!(r.problems, vec![]);
        assert_eq!((r.version, r.domain, r.records), (9, 42, 3));
        let (recs, problems, headers) = decode(&out);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(headers, vec![(42, 0)]);
        assert_eq!(
            recs[0],
            "observationDomainId=42 systemInitTimeMilliseconds=2023-11-14T22:13:10.000Z"
        );
        assert_eq!(
            recs[1],
            "sourceIPv4Address=192.0.2.1 flowStartSysUpTime=4000 flowEndSysUpTime=9000 \
             octetDeltaCount=1500 en4294967295:id232=abcd \
             flowStartMilliseconds=2023-11-14T22:13:14.000Z flowEndMilliseconds=2023-11-14T22:13:19.000Z"
        );
        // A second packet: sequence counts the 3 records before it.
        let mut p2 = v9_header(1, 11_000, 1_700_000_001, 78, 42);
        p2.extend(flowset(300, &rec300([192, 0, 2, 3], 10_500, 10_900, 1)));
        let mut out2 = Vec::new();
        let r = t.translate(&p2, &mut out2).unwrap();
        assert_eq!((r.records, r.problems.len()), (1, 0));
        let (recs, _, headers) = decode(&[out.clone(), out2].concat());
        assert_eq!(headers[1], (42, 3));
        assert!(recs[3].contains("flowStartMilliseconds=2023-11-14T22:13:20.500Z"));
    }

    #[test]
    fn uptime_wraps_to_the_nearest_time() {
        // Uptime wrapped: the header's uptime is 1000, the flow started 5000 ms before it.
        let start = 1000u32.wrapping_sub(5000);
        assert_eq!(uptime_to_ms(1_000_000, 1000, start), 995_000);
        // A start just after the header's uptime (clock skew) is 2 ms after, not 49 days before.
        assert_eq!(uptime_to_ms(1_000_000, 1000, 1002), 1_000_002);
        assert_eq!(
            uptime_to_ms(1_000_000, 4_000_000_000, 3_999_999_000),
            999_000
        );
    }

    #[test]
    fn v9_options_templates_are_rewritten() {
        // Options template 400: scope System(1)[4], option SAMPLING_INTERVAL(34)[4],
        // SAMPLING_ALGORITHM(35)[1].
        let mut b = vec![1, 144, 0, 4, 0, 8];
        for (t, l) in [(1u16, 4u16), (34, 4), (35, 1)] {
            b.extend_from_slice(&t.to_be_bytes());
            b.extend_from_slice(&l.to_be_bytes());
        }
        b.extend_from_slice(&[0, 0]); // padding
        let mut p = v9_header(2, 5000, 1_700_000_000, 1, 7);
        p.extend(flowset(1, &b));
        p.extend(flowset(400, &[0, 0, 0, 1, 0, 0, 0, 100, 2, 0, 0, 0]));
        let mut out = Vec::new();
        let r = Translator::new().translate(&p, &mut out).unwrap();
        assert_eq!(r.problems, vec![]);
        let (recs, problems, _) = decode(&out);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            recs[1],
            "exportingProcessId=1 samplingInterval=100 samplingAlgorithm=2"
        );
    }

    #[test]
    fn data_ahead_of_its_template_is_held_and_recovered() {
        let mut t = Translator::new();
        let mut p1 = v9_header(1, 10_000, 1_700_000_000, 1, 1);
        p1.extend(flowset(300, &rec300([192, 0, 2, 9], 9_000, 9_500, 5)));
        let mut out = Vec::new();
        let r = t.translate(&p1, &mut out).unwrap();
        assert_eq!(r.records, 1, "only the systemInit record");
        assert_eq!(t.held().collect::<Vec<_>>(), vec![(1, 300, 18)]);
        let mut p2 = v9_header(1, 12_000, 1_700_000_002, 2, 1);
        p2.extend(tpl300());
        let r = t.translate(&p2, &mut out).unwrap();
        assert_eq!(r.recovered, 1);
        assert_eq!(t.held().count(), 0);
        let (recs, problems, _) = decode(&out);
        assert!(problems.is_empty());
        // Times from the first packet's header, not the second's.
        assert!(
            recs.last()
                .unwrap()
                .contains("flowStartMilliseconds=2023-11-14T22:13:19.000Z"),
            "{recs:?}"
        );
    }

    #[test]
    fn hostile_v9_never_panics_and_reports() {
        let mut good = v9_header(3, 10_000, 1_700_000_000, 77, 42);
        good.extend(tpl300());
        good.extend(flowset(300, &rec300([192, 0, 2, 1], 4_000, 9_000, 1500)));
        // Every truncation.
        for cut in 0..good.len() {
            let mut out = Vec::new();
            let _ = Translator::new().translate(&good[..cut], &mut out);
            if !out.is_empty() {
                decode(&out);
            }
        }
        // Zero-length FlowSet, template with 0 fields, options scope length not a multiple of 4.
        let mut p = v9_header(1, 1, 1, 1, 1);
        p.extend_from_slice(&[1, 44, 0, 0]);
        let mut out = Vec::new();
        let r = Translator::new().translate(&p, &mut out).unwrap();
        assert!(matches!(
            r.problems[0].what,
            ProblemKind::BadFlowSetLength { id: 300, length: 0 }
        ));
        let mut p = v9_header(1, 1, 1, 1, 1);
        p.extend(flowset(0, &[1, 44, 0, 0]));
        let r = Translator::new().translate(&p, &mut out).unwrap();
        assert!(matches!(
            r.problems[0].what,
            ProblemKind::EmptyTemplate { template: 300 }
        ));
        let mut p = v9_header(1, 1, 1, 1, 1);
        p.extend(flowset(1, &[1, 144, 0, 3, 0, 4, 0, 1, 0, 4, 0, 0]));
        let r = Translator::new().translate(&p, &mut out).unwrap();
        assert!(matches!(
            r.problems[0].what,
            ProblemKind::BadOptionsLengths { .. }
        ));
        decode(&out);
    }

    fn v5_packet(records: &[[u8; 48]], engine: (u8, u8)) -> Vec<u8> {
        let mut p = vec![0, 5];
        p.extend_from_slice(&(records.len() as u16).to_be_bytes());
        p.extend_from_slice(&20_000u32.to_be_bytes()); // uptime
        p.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        p.extend_from_slice(&250_000_000u32.to_be_bytes()); // .25 s
        p.extend_from_slice(&1000u32.to_be_bytes()); // flows before
        p.push(engine.0);
        p.push(engine.1);
        p.extend_from_slice(&((1u16 << 14) | 100).to_be_bytes());
        for r in records {
            p.extend_from_slice(r);
        }
        p
    }

    #[test]
    fn v5_records_under_the_fixed_template() {
        let mut r = [0u8; 48];
        r[..4].copy_from_slice(&[192, 0, 2, 1]);
        r[4..8].copy_from_slice(&[198, 51, 100, 7]);
        r[16..20].copy_from_slice(&3u32.to_be_bytes());
        r[20..24].copy_from_slice(&180u32.to_be_bytes());
        r[24..28].copy_from_slice(&15_000u32.to_be_bytes());
        r[28..32].copy_from_slice(&19_000u32.to_be_bytes());
        r[32..34].copy_from_slice(&53u16.to_be_bytes());
        r[34..36].copy_from_slice(&33000u16.to_be_bytes());
        r[36] = 0xee; // pad1: dropped
        r[37] = 0x1b;
        r[38] = 17;
        let p = v5_packet(&[r, r], (1, 2));
        assert_eq!(packet_len(&p), Ok(p.len()));
        let mut t = Translator::new();
        let mut out = Vec::new();
        let res = t.translate(&p, &mut out).unwrap();
        assert_eq!((res.domain, res.records), (258, 2));
        t.translate(&p, &mut out).unwrap();
        let (recs, problems, headers) = decode(&out);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(headers, vec![(258, 1000), (258, 1002)]);
        assert_eq!(recs.len(), 4);
        assert_eq!(
            recs[0],
            "sourceIPv4Address=192.0.2.1 destinationIPv4Address=198.51.100.7 \
             ipNextHopIPv4Address=0.0.0.0 ingressInterface=0 egressInterface=0 \
             packetDeltaCount=3 octetDeltaCount=180 flowStartSysUpTime=15000 \
             flowEndSysUpTime=19000 sourceTransportPort=53 destinationTransportPort=33000 \
             tcpControlBits=27 protocolIdentifier=17 ipClassOfService=0 bgpSourceAsNumber=0 \
             bgpDestinationAsNumber=0 sourceIPv4PrefixLength=0 destinationIPv4PrefixLength=0 \
             flowStartMilliseconds=2023-11-14T22:13:15.250Z \
             flowEndMilliseconds=2023-11-14T22:13:19.250Z samplingAlgorithm=1 \
             samplingInterval=100"
        );
        // Truncated: the records that are there are kept, and it is said.
        let mut out = Vec::new();
        let res = Translator::new()
            .translate(&p[..24 + 48 + 10], &mut out)
            .unwrap();
        assert_eq!(res.records, 1);
        assert!(matches!(
            res.problems[0].what,
            ProblemKind::Truncated { .. }
        ));
        for cut in 0..24 {
            assert!(
                Translator::new()
                    .translate(&p[..cut], &mut Vec::new())
                    .is_err()
            );
        }
    }

    #[test]
    fn large_packets_split_into_messages_of_at_most_65535() {
        // 3000 records of 18 octets + 16 appended = 102 kB: two messages.
        let mut p = v9_header(3001, 10_000, 1_700_000_000, 1, 5);
        p.extend(tpl300());
        let mut data = Vec::new();
        for i in 0..3000u32 {
            data.extend(rec300([10, 0, (i >> 8) as u8, i as u8], 1, 2, i));
        }
        // One FlowSet cannot hold that much; use several.
        for chunk in data.chunks(18 * 3000 / 4) {
            p.extend(flowset(300, chunk));
        }
        assert!(p.len() < 65536);
        let mut out = Vec::new();
        let r = Translator::new().translate(&p, &mut out).unwrap();
        assert_eq!(r.records, 3001);
        let (recs, problems, headers) = decode(&out);
        assert!(problems.is_empty());
        assert_eq!(recs.len(), 3001);
        assert!(headers.len() >= 2);
        assert_eq!(headers[0].1, 0);
    }
}

#[cfg(test)]
mod samples {
    use super::*;

    /// The logstash samples (files of concatenated packets) translate without a problem, and
    /// the IPFIX decodes without one; the record counts are what the packets' headers say.
    #[test]
    fn logstash_samples_translate_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/samples");
        for (name, packets) in [
            ("logstash-netflow5-12pkts.nf5", 12),
            ("logstash-netflow9-0length-fields.nf9", 0),
            ("logstash-netflow9-juniper-srx-tplopt.nf9", 0),
        ] {
            let b = std::fs::read(dir.join(name)).unwrap();
            let mut t = Translator::new();
            let mut out = Vec::new();
            let mut pos = 0;
            let mut n = 0;
            let mut total = 0u64;
            let mut header_count = 0u64;
            while pos < b.len() {
                let len = packet_len(&b[pos..]).unwrap();
                assert!(len > 0);
                let p = &b[pos..pos + len];
                let r = t.translate(p, &mut out).unwrap();
                let problems: Vec<_> = r
                    .problems
                    .iter()
                    .filter(|p| !matches!(p.what, ProblemKind::CountMismatch { .. }))
                    .collect();
                assert!(problems.is_empty(), "{name}: {problems:?}");
                total += r.records;
                header_count += u16::from_be_bytes([p[2], p[3]]) as u64;
                pos += len;
                n += 1;
            }
            if packets > 0 {
                assert_eq!(n, packets, "{name}");
            }
            assert!(total > 0, "{name}");
            let (recs, problems, _) = super::tests::decode_pub(&out);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            eprintln!(
                "{name}: {n} packets, {total} records ({} decoded, header counts {header_count})",
                recs.len()
            );
        }
    }
}
