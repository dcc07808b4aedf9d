//! IPFIX output: records re-encoded through the message writer, byte for byte as read (raw
//! record bytes, the same template layouts), with sequence numbers recomputed per domain and
//! messages repacked up to the size limit. Several inputs can share one printer: their
//! templates are redefined as needed (a file is one session, RFC 5655 §7.1).
//!
//! With `metadata`, the output ends with the RFC 5655 §8 options records that describe it: a
//! File Time Window (sessionScope, min flow start, max flow end, at the finest precision the
//! flows use) and Export Session Details (min/max export time, protocol version 10).

use super::Printer;
use crate::ipfix::Template;
use crate::ipfix::session::{MessageCtx, RecordRef, Session};
use crate::ipfix::template::{Field, FieldSpec};
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use std::io::{self, Write};
use std::sync::Arc;

pub struct IpfixPrinter<'w> {
    pub writer: MessageWriter<&'w mut dyn Write>,
    metadata: bool,
    export_span: Option<(u32, u32)>,
    flows: super::FlowSpan,
    /// Send a template only before its first record (for outputs that keep some records).
    lazy: bool,
    refs: Vec<u16>,
    /// Each template as last defined here, resolved: an identical re-send after an RFC 5610
    /// type record changed its fields' names or types is written again, as the input had it.
    resolved: std::collections::HashMap<(u32, u16), Arc<Template>>,
}

fn io_err(e: WriteError) -> io::Error {
    match e {
        WriteError::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

impl<'w> IpfixPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, message_size: usize, metadata: bool) -> Self {
        IpfixPrinter {
            writer: MessageWriter::new(out, message_size),
            metadata,
            export_span: None,
            flows: super::FlowSpan::default(),
            lazy: false,
            refs: Vec::new(),
            resolved: std::collections::HashMap::new(),
        }
    }

    /// Writes a template only when a written record needs it (directly or from a list), so an
    /// output holding some of the input's records carries only their templates.
    pub fn lazy(mut self) -> Self {
        self.lazy = true;
        self
    }

    fn def(t: &Template) -> TemplateDef {
        TemplateDef {
            id: t.id,
            scope_count: t.scope_count,
            fields: t.fields.iter().map(Field::field_spec).collect(),
        }
    }

    /// Writes the metadata records (if asked for) and the last message.
    pub fn close(&mut self) -> io::Result<()> {
        if self.metadata {
            if let Some((lo, hi)) = self.export_span {
                self.write_metadata(lo, hi).map_err(io_err)?;
            }
        }
        self.writer.flush_message().map_err(io_err)
    }

    fn write_metadata(&mut self, export_lo: u32, export_hi: u32) -> Result<(), WriteError> {
        write_metadata(&mut self.writer, export_lo, export_hi, &self.flows)
    }
}

/// Writes the RFC 5655 §8 metadata of an output in domain 0: Export Session Details (the
/// export time span) and, when the flows carry absolute times, a File Time Window.
pub fn write_metadata<W: Write>(
    writer: &mut MessageWriter<W>,
    export_lo: u32,
    export_hi: u32,
    flows: &super::FlowSpan,
) -> Result<(), WriteError> {
    let domain = 0;
    let Some(id1) = writer.free_id(domain) else {
        return Ok(());
    };
    // Export Session Details (RFC 5655 §8.1.3): what a file can say about its session.
    let details = TemplateDef {
        id: id1,
        scope_count: 1,
        fields: vec![
            FieldSpec::iana(267, 1),
            FieldSpec::iana(264, 4),
            FieldSpec::iana(260, 4),
            FieldSpec::iana(214, 1),
        ],
    };
    writer.define(domain, details)?;
    let mut rec = vec![0u8];
    rec.extend_from_slice(&export_lo.to_be_bytes());
    rec.extend_from_slice(&export_hi.to_be_bytes());
    rec.push(10);
    writer.record(domain, export_hi, id1, &rec)?;
    // File Time Window (RFC 5655 §8.1.2), only when the flows carry absolute times.
    if let Some((lo, hi)) = flows.window() {
        let Some(id2) = writer.free_id(domain) else {
            return Ok(());
        };
        let (min_ie, max_ie, len) = match flows.precision {
            0 => (265, 261, 4),
            3 => (272, 269, 8),
            6 => (271, 268, 8),
            _ => (273, 270, 8),
        };
        writer.define(
            domain,
            TemplateDef {
                id: id2,
                scope_count: 1,
                fields: vec![
                    FieldSpec::iana(267, 1),
                    FieldSpec::iana(min_ie, len),
                    FieldSpec::iana(max_ie, len),
                ],
            },
        )?;
        let mut rec = vec![0u8];
        for t in [lo, hi] {
            let secs = t.div_euclid(1_000_000_000) as i64;
            let nanos = t.rem_euclid(1_000_000_000) as u32;
            match flows.precision {
                0 => rec.extend_from_slice(&(secs as u32).to_be_bytes()),
                3 => rec.extend_from_slice(
                    &((secs as u64) * 1000 + (nanos / 1_000_000) as u64).to_be_bytes(),
                ),
                p => rec.extend_from_slice(
                    &crate::ipfix::value::instant_to_ntp(secs, nanos, p == 6).to_be_bytes(),
                ),
            }
        }
        writer.record(domain, export_hi, id2, &rec)?;
    }
    Ok(())
}

impl Printer for IpfixPrinter<'_> {
    fn close(&mut self) -> io::Result<()> {
        IpfixPrinter::close(self)
    }

    fn template(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        _offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        // Templates are written where the input had them (a template used only inside lists
        // must precede the records that refer to it); identical re-sends are dropped, except
        // where a type record since the last one changed what its fields are: a collector
        // that resolves a template when it reads it (ipfixDump) needs it after the lesson.
        let d = m.header.domain;
        self.writer.define(d, Self::def(t)).map_err(io_err)?;
        let relearned = self.resolved.get(&(d, t.id)).is_some_and(|old| {
            !changed
                && old
                    .fields
                    .iter()
                    .zip(&t.fields)
                    .any(|(a, b)| (&a.name, a.dtype) != (&b.name, b.dtype))
        });
        if relearned {
            self.writer.resend(d, t.id);
        }
        self.resolved.insert((d, t.id), t.clone());
        if self.lazy {
            return Ok(());
        }
        self.writer
            .require(d, m.header.export_time, t.id)
            .map_err(io_err)
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
        let d = m.header.domain;
        let ids: Vec<u16> = match id {
            Some(id) => vec![id],
            None => (256..=u16::MAX)
                .filter(|i| {
                    self.writer
                        .template(d, *i)
                        .is_some_and(|t| (t.scope_count > 0) == options)
                })
                .collect(),
        };
        for id in ids {
            self.writer
                .withdraw(d, m.header.export_time, id)
                .map_err(io_err)?;
        }
        Ok(())
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let h = &r.msg.header;
        if self.metadata {
            let t = h.export_time;
            self.export_span = Some(
                self.export_span
                    .map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))),
            );
            self.flows.observe(r);
        }
        // Only structured data refers to other templates.
        if self.lazy && r.template.has_lists() {
            self.refs.clear();
            crate::ipfix::list::template_refs(r.template, r.data, r.scope, &mut self.refs);
            for i in 0..self.refs.len() {
                let tid = self.refs[i];
                if self.writer.template(h.domain, tid).is_some() {
                    self.writer
                        .require(h.domain, h.export_time, tid)
                        .map_err(io_err)?;
                }
            }
        }
        self.writer
            .record(h.domain, h.export_time, r.template.id, r.data)
            .map_err(io_err)
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        // Messages stay open across files sharing this printer; `close` ends the output.
        Ok(())
    }
}
