//! The message writer: turns templates and records into IPFIX messages (RFC 7011 §3, §8;
//! RFC 5655 §7.2).
//!
//! Invariants it keeps, whatever the caller does:
//! - a template (or options template) is in the file before the first data set that uses it,
//!   and is sent again only when its definition changes (a redefinition replaces, RFC 5655 §7.1);
//! - no message exceeds the size limit (a record that cannot fit even alone is an error);
//! - sequence numbers count the data records (options records included) sent before each
//!   message, per observation domain (RFC 7011 §3.1);
//! - records with another domain or export time start a new message; otherwise records are
//!   packed into as few messages as the limit allows, in the order given.
//!
//! The writer never reorders records and never reads the clock.

use super::encode::{EncodeError, template_record};
use super::template::FieldSpec;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// A raw template definition: the field specifiers and the scope count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDef {
    pub id: u16,
    pub scope_count: u16,
    pub fields: Vec<FieldSpec>,
}

impl TemplateDef {
    /// Size of the template record on the wire (without set header).
    pub fn wire_len(&self) -> usize {
        (if self.scope_count > 0 { 6 } else { 4 })
            + self.fields.iter().map(FieldSpec::wire_len).sum::<usize>()
    }

    /// The template record's bytes (without set header), by [`template_record`]; refused when
    /// the field count does not fit its 16 bits.
    pub fn record_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        template_record(self.id, self.scope_count, &self.fields)
    }
}

/// Why a write was refused.
#[derive(Debug)]
pub enum WriteError {
    Io(io::Error),
    /// The record references a template that was never defined in its domain.
    UnknownTemplate {
        domain: u32,
        template: u16,
    },
    /// A template or record that cannot fit in one message of the configured size.
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    /// Template IDs must be 256 or above.
    ReservedTemplateId(u16),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Io(e) => write!(f, "{e}"),
            WriteError::UnknownTemplate { domain, template } => {
                write!(
                    f,
                    "record for template {template} in domain {domain}, which is not defined"
                )
            }
            WriteError::TooLarge { what, size, limit } => write!(
                f,
                "{what} of {size} octets does not fit in a message of at most {limit} octets (see --message-size)"
            ),
            WriteError::ReservedTemplateId(id) => {
                write!(f, "template ID {id} is reserved (must be 256 or above)")
            }
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

#[derive(Default)]
struct DomainState {
    /// Data records sent so far (the next message's sequence number).
    sequence: u32,
    templates: HashMap<u16, TemplateDef, super::IdHash>,
    /// Templates whose current definition is already in the output.
    sent: HashMap<u16, bool, super::IdHash>,
}

/// Builds messages and writes each one as soon as it is complete.
pub struct MessageWriter<W: Write> {
    out: W,
    limit: usize,
    domains: BTreeMap<u32, DomainState>,
    /// The message being built: header placeholder + sets.
    buf: Vec<u8>,
    cur_domain: u32,
    cur_time: u32,
    /// Records in the current message.
    cur_records: u32,
    /// (set ID, start offset in buf) of the set being filled.
    open_set: Option<(u16, usize)>,
    messages: u64,
    bytes: u64,
}

pub const HEADER_LEN: usize = 16;

impl<W: Write> MessageWriter<W> {
    /// `limit` is the largest message size (16..=65535).
    pub fn new(out: W, limit: usize) -> Self {
        MessageWriter {
            out,
            limit: limit.clamp(HEADER_LEN + 8, 65535),
            domains: BTreeMap::new(),
            buf: Vec::with_capacity(limit.min(65535)),
            cur_domain: 0,
            cur_time: 0,
            cur_records: 0,
            open_set: None,
            messages: 0,
            bytes: 0,
        }
    }

    /// Messages and octets written so far.
    pub fn written(&self) -> (u64, u64) {
        (self.messages, self.bytes)
    }

    /// Defines (or redefines) a template in a domain. It is written before its next use.
    pub fn define(&mut self, domain: u32, def: TemplateDef) -> Result<(), WriteError> {
        if def.id < 256 {
            return Err(WriteError::ReservedTemplateId(def.id));
        }
        let size = HEADER_LEN + 4 + def.wire_len();
        if size > self.limit {
            return Err(WriteError::TooLarge {
                what: "template",
                size,
                limit: self.limit,
            });
        }
        let d = self.domains.entry(domain).or_default();
        if d.templates.get(&def.id) != Some(&def) {
            d.sent.insert(def.id, false);
            let id = def.id;
            d.templates.insert(id, def);
            self.close_open_set_of(domain, id);
        }
        Ok(())
    }

    /// Writes a template again before its next use, though its definition is unchanged: an
    /// RFC 5610 type record written after it changed what its fields mean, and collectors
    /// that resolve a template when they read it (ipfixDump) need it after the type record.
    pub fn resend(&mut self, domain: u32, id: u16) {
        if let Some(sent) = self
            .domains
            .get_mut(&domain)
            .and_then(|d| d.sent.get_mut(&id))
        {
            *sent = false;
        }
        self.close_open_set_of(domain, id);
    }

    /// Ends the open data set if it is of template `id` in `domain`: the next record of it
    /// then goes through `require`, which writes the template again first.
    fn close_open_set_of(&mut self, domain: u32, id: u16) {
        if !self.buf.is_empty()
            && self.cur_domain == domain
            && self.open_set.map(|(s, _)| s) == Some(id)
        {
            self.close_set();
        }
    }

    /// The current definition of a template.
    pub fn template(&self, domain: u32, id: u16) -> Option<&TemplateDef> {
        self.domains.get(&domain)?.templates.get(&id)
    }

    /// Withdraws a template that was written (RFC 7011 §8.1); one never written is forgotten.
    pub fn withdraw(&mut self, domain: u32, export_time: u32, id: u16) -> Result<(), WriteError> {
        let Some(d) = self.domains.get_mut(&domain) else {
            return Ok(());
        };
        let was_sent = d.sent.remove(&id).unwrap_or(false);
        let Some(def) = d.templates.remove(&id) else {
            return Ok(());
        };
        if !was_sent {
            return Ok(());
        }
        let set_id: u16 = if def.scope_count > 0 { 3 } else { 2 };
        self.start(domain, export_time, 8)?;
        self.close_set();
        // A withdrawal is a template record without fields (RFC 7011 §8.1), which always fits.
        let record = template_record::<FieldSpec>(id, 0, &[]).unwrap_or_default();
        self.buf.extend_from_slice(&set_id.to_be_bytes());
        self.buf
            .extend_from_slice(&(4 + record.len() as u16).to_be_bytes());
        self.buf.extend_from_slice(&record);
        Ok(())
    }

    /// Writes template `id` now, in a message of (domain, export_time), unless its current
    /// definition is already in the output. Used for templates that records refer to from
    /// inside structured data, and to keep templates where the input had them.
    pub fn require(&mut self, domain: u32, export_time: u32, id: u16) -> Result<(), WriteError> {
        let unknown = WriteError::UnknownTemplate {
            domain,
            template: id,
        };
        let d = self.domains.get(&domain).ok_or(unknown)?;
        let def = d.templates.get(&id).ok_or(WriteError::UnknownTemplate {
            domain,
            template: id,
        })?;
        if d.sent.get(&id).copied().unwrap_or(false) {
            return Ok(());
        }
        let set_id: u16 = if def.scope_count > 0 { 3 } else { 2 };
        // `define` let it in only if it fits a message, so its field count fits 16 bits.
        let rec = def.record_bytes().map_err(|_| WriteError::TooLarge {
            what: "template",
            size: HEADER_LEN + 4 + def.wire_len(),
            limit: self.limit,
        })?;
        self.start(domain, export_time, 4 + rec.len())?;
        self.close_set();
        self.buf.extend_from_slice(&set_id.to_be_bytes());
        self.buf
            .extend_from_slice(&((4 + rec.len()) as u16).to_be_bytes());
        self.buf.extend_from_slice(&rec);
        if let Some(d) = self.domains.get_mut(&domain) {
            d.sent.insert(id, true);
        }
        Ok(())
    }

    /// Appends one data record (its encoded field values) of template `tid`.
    pub fn record(
        &mut self,
        domain: u32,
        export_time: u32,
        tid: u16,
        data: &[u8],
    ) -> Result<(), WriteError> {
        // The common case first: one more record of the set being filled, with room for it.
        if self.open_set.is_some_and(|(s, _)| s == tid)
            && self.cur_domain == domain
            && self.cur_time == export_time
            && !self.buf.is_empty()
            && self.buf.len() + data.len() <= self.limit
        {
            self.buf.extend_from_slice(data);
            self.cur_records = self.cur_records.wrapping_add(1);
            return Ok(());
        }
        let size = HEADER_LEN + 4 + data.len();
        if size > self.limit {
            return Err(WriteError::TooLarge {
                what: "record",
                size,
                limit: self.limit,
            });
        }
        let same_set = !self.buf.is_empty()
            && self.cur_domain == domain
            && self.cur_time == export_time
            && self.open_set.map(|(s, _)| s) == Some(tid);
        // A data set of the template is open in this message: the template was written (a
        // redefinition or withdrawal closes the set), so the lookups of `require` are skipped.
        if !same_set {
            self.require(domain, export_time, tid)?;
        }
        self.start(
            domain,
            export_time,
            if same_set { 0 } else { 4 } + data.len(),
        )?;
        if self.open_set.map(|(s, _)| s) != Some(tid) {
            self.close_set();
            self.open_set = Some((tid, self.buf.len()));
            self.buf.extend_from_slice(&tid.to_be_bytes());
            self.buf.extend_from_slice(&[0, 0]);
        }
        self.buf.extend_from_slice(data);
        self.cur_records = self.cur_records.wrapping_add(1);
        Ok(())
    }

    /// Makes sure a message for (domain, export_time) is open with room for `extra` octets.
    fn start(&mut self, domain: u32, export_time: u32, extra: usize) -> Result<(), WriteError> {
        let open = !self.buf.is_empty();
        if open
            && (self.cur_domain != domain
                || self.cur_time != export_time
                || self.buf.len() + extra > self.limit)
        {
            self.flush_message()?;
        }
        if self.buf.is_empty() {
            self.buf.resize(HEADER_LEN, 0);
            self.cur_domain = domain;
            self.cur_time = export_time;
            self.cur_records = 0;
            self.open_set = None;
        }
        Ok(())
    }

    fn close_set(&mut self) {
        if let Some((_, start)) = self.open_set.take() {
            let len = (self.buf.len() - start) as u16;
            self.buf[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
        }
    }

    /// Completes and writes the current message, if any.
    pub fn flush_message(&mut self) -> Result<(), WriteError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.close_set();
        let d = self.domains.entry(self.cur_domain).or_default();
        let seq = d.sequence;
        d.sequence = d.sequence.wrapping_add(self.cur_records);
        let len = self.buf.len() as u16;
        self.buf[0..2].copy_from_slice(&10u16.to_be_bytes());
        self.buf[2..4].copy_from_slice(&len.to_be_bytes());
        self.buf[4..8].copy_from_slice(&self.cur_time.to_be_bytes());
        self.buf[8..12].copy_from_slice(&seq.to_be_bytes());
        self.buf[12..16].copy_from_slice(&self.cur_domain.to_be_bytes());
        self.out.write_all(&self.buf)?;
        self.messages += 1;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        self.open_set = None;
        self.cur_records = 0;
        Ok(())
    }

    /// Writes what is pending and returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.flush_message()?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// The next template ID not used in `domain`, from 256 up.
    pub fn free_id(&self, domain: u32) -> Option<u16> {
        let used = self.domains.get(&domain).map(|d| &d.templates);
        (256..=u16::MAX).find(|id| used.is_none_or(|t| !t.contains_key(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::session::{Flow, RecordRef, Session, Visitor};
    use crate::ipfix::{DecodeError, InfoModel};

    #[derive(Default)]
    struct Rec(Vec<(u32, u32, u16, Vec<u8>)>, Vec<String>, Vec<u32>);
    impl Visitor for Rec {
        fn message(&mut self, m: &crate::ipfix::MessageCtx) -> Flow {
            self.2.push(m.header.sequence);
            Flow::Continue
        }
        fn record(&mut self, r: &RecordRef<'_>) -> Flow {
            self.0.push((
                r.domain(),
                r.msg.header.export_time,
                r.template.id,
                r.data.to_vec(),
            ));
            Flow::Continue
        }
        fn problem(&mut self, e: &DecodeError) -> Flow {
            self.1.push(e.to_string());
            Flow::Continue
        }
    }

    fn decode(bytes: &[u8]) -> Rec {
        let mut s = Session::new(InfoModel::builtin());
        let mut v = Rec::default();
        // The writer's output is whole messages back to back: each header's length frames it.
        let (mut at, mut index) = (0, 1);
        while at + 4 <= bytes.len() {
            let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
            let end = (at + len.max(16)).min(bytes.len());
            s.process_message(&bytes[at..end], at as u64, index, 10, &mut v);
            (at, index) = (end, index + 1);
        }
        v
    }

    /// A template redefined while a data set of it is open: the set ends, the new template
    /// is written, and the next record is read with it (the writer skips its template lookup
    /// while a set of the template is open, so this must close the set).
    #[test]
    fn a_redefinition_in_an_open_set_writes_the_template_before_the_next_record() {
        let mut w = MessageWriter::new(Vec::new(), 65535);
        let a = TemplateDef {
            id: 256,
            scope_count: 0,
            fields: vec![FieldSpec::iana(8, 4)],
        };
        let b = TemplateDef {
            id: 256,
            scope_count: 0,
            fields: vec![FieldSpec::iana(2, 8)],
        };
        w.define(1, a.clone()).unwrap();
        w.record(1, 5, 256, &[10, 0, 0, 1]).unwrap();
        w.define(1, b).unwrap();
        w.record(1, 5, 256, &[0, 0, 0, 0, 0, 0, 0, 9]).unwrap();
        w.define(1, a).unwrap();
        w.resend(1, 256);
        w.record(1, 5, 256, &[10, 0, 0, 2]).unwrap();
        let out = w.finish().unwrap();
        let v = decode(&out);
        assert!(v.1.is_empty(), "{:?}", v.1);
        let lens: Vec<usize> = v.0.iter().map(|r| r.3.len()).collect();
        assert_eq!(lens, [4, 8, 4]);
    }

    #[test]
    fn templates_before_use_sequence_and_size_limit() {
        let mut w = MessageWriter::new(Vec::new(), 100);
        let t = TemplateDef {
            id: 256,
            scope_count: 0,
            fields: vec![FieldSpec::iana(8, 4), FieldSpec::iana(2, 4)],
        };
        w.define(7, t.clone()).unwrap();
        w.define(7, t).unwrap(); // identical: no second send
        let o = TemplateDef {
            id: 300,
            scope_count: 1,
            fields: vec![FieldSpec::iana(149, 4), FieldSpec::iana(41, 8)],
        };
        w.define(7, o).unwrap();
        for i in 0..20u32 {
            w.record(
                7,
                1000 + i / 10,
                256,
                &[10, 0, 0, i as u8, 0, 0, 0, i as u8],
            )
            .unwrap();
        }
        w.record(7, 1001, 300, &[0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1])
            .unwrap();
        let out = w.finish().unwrap();
        let r = decode(&out);
        assert!(r.1.is_empty(), "{:?}", r.1);
        assert_eq!(r.0.len(), 21);
        assert_eq!(r.0[5].3, vec![10, 0, 0, 5, 0, 0, 0, 5]);
        assert_eq!(r.0[20].2, 300);
        // Every message within the limit; each sequence number is the count of data records
        // in the messages before it, counted here from the set lengths (8-octet records of
        // 256, 12-octet ones of 300), not by the decoder under test.
        let mut pos = 0;
        let mut before = 0u32;
        let mut messages = 0;
        while pos < out.len() {
            let len = u16::from_be_bytes([out[pos + 2], out[pos + 3]]) as usize;
            assert!(len <= 100);
            let seq = u32::from_be_bytes(out[pos + 8..pos + 12].try_into().unwrap());
            assert_eq!(seq, before, "message {messages}");
            let mut set = pos + 16;
            while set < pos + len {
                let id = u16::from_be_bytes([out[set], out[set + 1]]);
                let slen = u16::from_be_bytes([out[set + 2], out[set + 3]]) as usize;
                match id {
                    256 => before += ((slen - 4) / 8) as u32,
                    300 => before += ((slen - 4) / 12) as u32,
                    _ => {}
                }
                set += slen;
            }
            pos += len;
            messages += 1;
        }
        assert_eq!(before, 21);
        assert!(messages > 2);
        // Template 256 appears exactly once in the file.
        let once = out.windows(4).filter(|w| *w == [1, 0, 0, 2]).count();
        assert_eq!(once, 1);
    }

    #[test]
    fn redefinition_is_resent_and_limits_enforced() {
        let mut w = MessageWriter::new(Vec::new(), 65535);
        w.define(
            1,
            TemplateDef {
                id: 256,
                scope_count: 0,
                fields: vec![FieldSpec::iana(4, 1)],
            },
        )
        .unwrap();
        w.record(1, 5, 256, &[6]).unwrap();
        w.define(
            1,
            TemplateDef {
                id: 256,
                scope_count: 0,
                fields: vec![FieldSpec::iana(7, 2), FieldSpec::from((29305, 1, 8))],
            },
        )
        .unwrap();
        w.record(1, 5, 256, &[0, 80, 0, 0, 0, 0, 0, 0, 0, 9])
            .unwrap();
        assert!(matches!(
            w.record(2, 5, 256, &[1]),
            Err(WriteError::UnknownTemplate { .. })
        ));
        assert!(matches!(
            w.define(
                1,
                TemplateDef {
                    id: 255,
                    scope_count: 0,
                    fields: vec![]
                }
            ),
            Err(WriteError::ReservedTemplateId(255))
        ));
        let out = w.finish().unwrap();
        let r = decode(&out);
        assert!(r.1.is_empty(), "{:?}", r.1);
        assert_eq!(
            r.0.iter().map(|x| x.3.len()).collect::<Vec<_>>(),
            vec![1, 10]
        );
        let mut w = MessageWriter::new(Vec::new(), 40);
        w.define(
            1,
            TemplateDef {
                id: 256,
                scope_count: 0,
                fields: vec![FieldSpec::iana(82, 65535)],
            },
        )
        .unwrap();
        assert!(matches!(
            w.record(1, 0, 256, &[30; 31]),
            Err(WriteError::TooLarge { .. })
        ));
    }

    #[test]
    fn withdrawal_of_a_written_template() {
        let mut w = MessageWriter::new(Vec::new(), 1000);
        w.define(
            1,
            TemplateDef {
                id: 256,
                scope_count: 0,
                fields: vec![FieldSpec::iana(4, 1)],
            },
        )
        .unwrap();
        w.record(1, 5, 256, &[6]).unwrap();
        w.withdraw(1, 6, 256).unwrap();
        assert!(w.record(1, 6, 256, &[6]).is_err());
        let out = w.finish().unwrap();
        let r = decode(&out);
        assert!(r.1.is_empty(), "{:?}", r.1);
        assert_eq!(r.0.len(), 1);
        assert_eq!(&out[out.len() - 8..], &[0, 2, 0, 8, 1, 0, 0, 0]);
    }
}
