//! The metered flows as IPFIX records, through the one message writer.
//!
//! Templates (observation domain 1), each defined up front and written before its first
//! record: IPv4 and IPv6, each with and without mplsTopLabelStackSection (for flows whose
//! first packet had an MPLS label). Fields: flowStart/End in the `--time-precision`
//! (milliseconds 152/153, microseconds 154/155, nanoseconds 156/157), the addresses,
//! sourceTransportPort, destinationTransportPort, protocolIdentifier, octetDeltaCount and
//! packetDeltaCount (8 octets), tcpControlBits (2), ipClassOfService, vlanId (the outer tag)
//! and dot1qCustomerVlanId (the inner), icmpTypeCodeIPv4/IPv6, flowEndReason, ipVersion;
//! `--mac` adds sourceMacAddress and destinationMacAddress; `--biflow` the RFC 5103 reverse
//! times, octets, packets, TCP flags and class of service (PEN 29305).
//!
//! Before the first flow: an options record of the metering process (scope
//! meteringProcessId 1): flowActiveTimeout and flowIdleTimeout in seconds (RFC 7012 §5.11).
//! Messages are exported at the packet time when their flows ended, rounded up to the second
//! and never going back.

use super::{Flow, Opts};
use crate::ipfix::template::FieldSpec;
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use std::io::Write;

/// The time IEs flows carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Precision {
    /// flowStart/EndMilliseconds.
    #[default]
    Ms,
    /// flowStart/EndMicroseconds (NTP format).
    Us,
    /// flowStart/EndNanoseconds (NTP format).
    Ns,
}

/// What the records hold besides the flow keys and counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    pub precision: Precision,
    pub mac: bool,
    pub biflow: bool,
}

const REVERSE_PEN: u32 = 29305;
/// Template IDs: IPv4, IPv6, IPv4 with MPLS, IPv6 with MPLS; the metering process options.
const FLOW_TID: u16 = 256;
const OPTIONS_TID: u16 = 260;

/// The template of flows of IPv6 (`v6`) or IPv4, with or without an MPLS label.
pub fn template(shape: Shape, v6: bool, mpls: bool) -> TemplateDef {
    let (start, end) = match shape.precision {
        Precision::Ms => (152, 153),
        Precision::Us => (154, 155),
        Precision::Ns => (156, 157),
    };
    let (src, dst, addr_len, icmp) = if v6 {
        (27, 28, 16, 139)
    } else {
        (8, 12, 4, 32)
    };
    let mut f = vec![
        FieldSpec::iana(start, 8),
        FieldSpec::iana(end, 8),
        FieldSpec::iana(src, addr_len),
        FieldSpec::iana(dst, addr_len),
        FieldSpec::iana(7, 2),
        FieldSpec::iana(11, 2),
        FieldSpec::iana(4, 1),
        FieldSpec::iana(1, 8),
        FieldSpec::iana(2, 8),
        FieldSpec::iana(6, 2),
        FieldSpec::iana(5, 1),
        FieldSpec::iana(58, 2),
        FieldSpec::iana(245, 2),
        FieldSpec::iana(icmp, 2),
        FieldSpec::iana(136, 1),
        FieldSpec::iana(60, 1),
    ];
    if mpls {
        f.push(FieldSpec::iana(70, 3));
    }
    if shape.mac {
        f.push(FieldSpec::iana(56, 6));
        f.push(FieldSpec::iana(80, 6));
    }
    if shape.biflow {
        let r = |id, len| FieldSpec {
            pen: REVERSE_PEN,
            id,
            len,
        };
        f.extend([r(start, 8), r(end, 8), r(1, 8), r(2, 8), r(6, 2), r(5, 1)]);
    }
    TemplateDef {
        id: FLOW_TID + v6 as u16 + 2 * mpls as u16,
        scope_count: 0,
        fields: f,
    }
}

/// Writes flows as IPFIX records.
pub struct Exporter<W: Write> {
    w: MessageWriter<W>,
    shape: Shape,
    opts: Opts,
    export: u32,
    started: bool,
    rec: Vec<u8>,
    pub flows: u64,
}

fn time(p: Precision, ns: i64, out: &mut Vec<u8>) {
    let ns = ns.max(0);
    let v = match p {
        Precision::Ms => (ns / 1_000_000) as u64,
        Precision::Us | Precision::Ns => crate::ipfix::value::instant_to_ntp(
            ns / 1_000_000_000,
            (ns % 1_000_000_000) as u32,
            p == Precision::Us,
        ),
    };
    out.extend_from_slice(&v.to_be_bytes());
}

impl<W: Write> Exporter<W> {
    pub fn new(out: W, message_size: usize, shape: Shape, opts: Opts) -> Exporter<W> {
        Exporter {
            w: MessageWriter::new(out, message_size),
            shape,
            opts,
            export: 0,
            started: false,
            rec: Vec::with_capacity(128),
            flows: 0,
        }
    }

    fn start(&mut self) -> Result<(), WriteError> {
        self.started = true;
        for (v6, mpls) in [(false, false), (true, false), (false, true), (true, true)] {
            self.w.define(1, template(self.shape, v6, mpls))?;
        }
        self.w.define(
            1,
            TemplateDef {
                id: OPTIONS_TID,
                scope_count: 1,
                fields: vec![
                    FieldSpec::iana(143, 4),
                    FieldSpec::iana(36, 2),
                    FieldSpec::iana(37, 2),
                ],
            },
        )?;
        let secs = |ns: i64| (ns / 1_000_000_000).clamp(0, u16::MAX as i64) as u16;
        let mut r = Vec::with_capacity(8);
        r.extend_from_slice(&1u32.to_be_bytes());
        r.extend_from_slice(&secs(self.opts.active_ns).to_be_bytes());
        r.extend_from_slice(&secs(self.opts.idle_ns).to_be_bytes());
        self.w.record(1, self.export, OPTIONS_TID, &r)
    }

    /// Writes one flow.
    pub fn flow(&mut self, f: &Flow) -> Result<(), WriteError> {
        let ended = f.last_ns().max(0) as u64;
        let export = ended.div_ceil(1_000_000_000).min(u32::MAX as u64) as u32;
        self.export = self.export.max(export);
        if !self.started {
            self.start()?;
        }
        let k = &f.key;
        let r = &mut self.rec;
        r.clear();
        let p = self.shape.precision;
        time(p, f.fwd.first_ns, r);
        time(p, f.fwd.last_ns, r);
        if k.v6 {
            r.extend_from_slice(&k.src);
            r.extend_from_slice(&k.dst);
        } else {
            r.extend_from_slice(&k.src[12..]);
            r.extend_from_slice(&k.dst[12..]);
        }
        r.extend_from_slice(&k.sport.to_be_bytes());
        r.extend_from_slice(&k.dport.to_be_bytes());
        r.push(k.proto);
        r.extend_from_slice(&f.fwd.octets.to_be_bytes());
        r.extend_from_slice(&f.fwd.packets.to_be_bytes());
        r.extend_from_slice(&f.fwd.flags.to_be_bytes());
        r.push(f.fwd.tos);
        r.extend_from_slice(&k.vlan.to_be_bytes());
        r.extend_from_slice(&k.inner_vlan.to_be_bytes());
        r.extend_from_slice(&k.icmp.to_be_bytes());
        r.push(f.end_reason);
        r.push(if k.v6 { 6 } else { 4 });
        if let Some(label) = f.mpls {
            // The label; traffic class and bottom-of-stack are not kept by the parser.
            r.extend_from_slice(&(label << 4).to_be_bytes()[1..]);
        }
        if self.shape.mac {
            r.extend_from_slice(&f.src_mac.unwrap_or_default());
            r.extend_from_slice(&f.dst_mac.unwrap_or_default());
        }
        if self.shape.biflow {
            let (a, b) = if f.rev.packets > 0 {
                (f.rev.first_ns, f.rev.last_ns)
            } else {
                (0, 0)
            };
            time(p, a, r);
            time(p, b, r);
            r.extend_from_slice(&f.rev.octets.to_be_bytes());
            r.extend_from_slice(&f.rev.packets.to_be_bytes());
            r.extend_from_slice(&f.rev.flags.to_be_bytes());
            r.push(f.rev.tos);
        }
        let tid = FLOW_TID + k.v6 as u16 + 2 * f.mpls.is_some() as u16;
        self.w.record(1, self.export, tid, &self.rec)?;
        self.flows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<W, WriteError> {
        self.w.finish()
    }
}
