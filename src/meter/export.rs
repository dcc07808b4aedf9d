//! The metered flows as IPFIX records, through the one message writer, in the templates of
//! [`crate::packet::record`] (observation domain 1), each defined up front and written
//! before its first record.
//!
//! Before the first flow: an options record of the metering process (scope
//! meteringProcessId 1): flowActiveTimeout and flowIdleTimeout in seconds (RFC 7012 §5.11).
//! Messages are exported at the packet time when their flows ended, rounded up to the second
//! and never going back.

use super::{Flow, Opts};
use crate::ipfix::template::FieldSpec;
pub use crate::packet::record::{FLOW_TID, Precision, Shape, template};

/// The metering process options template.
const OPTIONS_TID: u16 = 260;
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use std::io::Write;

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
