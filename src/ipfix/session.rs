//! Decoding state of one transport session (one file, RFC 5655 §7.1) and the message walker.
//!
//! A [`Session`] keeps, per observation domain, the live templates (keyed by template ID; a
//! redefinition replaces, withdrawals remove) and the IE definitions learned from RFC 5610 type
//! records. [`Session::process_message`] walks one message's sets in order and hands every
//! template, record and problem to a [`Visitor`]; records are zero-copy views into the message
//! bytes plus the template that describes them.
//!
//! A data set ahead of its template (some exporters send data first; a file cut out of a
//! stream starts mid-way) is held, copied, up to [`HOLD_MAX`] per session (its octets and the
//! memory holding it, [`super::hold`]; past that the
//! oldest is dropped and counted), and decoded when its template is defined: its records reach
//! the visitor right after that template, with their own message's context (export time,
//! offsets). What never gets its template is one warning per (domain, template) at the end of
//! the input ([`Session::end_input`]). The visitor hears of both ([`Pending`]).
//!
//! Two checks run here, so every command reports them the same way and once: damage inside a
//! record's structured data (RFC 6313, [`super::list::check_record`], only for templates that
//! have list fields) is a `ListDamage` error after the record; an RFC 5610 name that cannot be an
//! output key ([`valid_ie_name`], or another IE's name) is a `BadLearnedName` warning and the IE
//! keeps its `en<PEN>:id<ID>` key.

use super::error::{DecodeError, ErrorKind};
use super::hold::Hold;
use super::list::{FieldValues, Records, Scope};
use super::registry::{IeDef, InfoModel};
use super::template::{
    Field, FieldSpec, Template, TemplateFault, TemplateParse, TemplateRecord,
    parse_template_record, resolve,
};
use super::types::{DataType, Semantics, Units};
use super::value::{Value, decode};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The 16-octet message header (RFC 7011 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageHeader {
    pub version: u16,
    pub length: u16,
    pub export_time: u32,
    pub sequence: u32,
    pub domain: u32,
}

impl MessageHeader {
    pub const LEN: usize = 16;

    pub fn parse(b: &[u8]) -> Option<MessageHeader> {
        let b: &[u8; 16] = b.get(..16)?.try_into().ok()?;
        Some(MessageHeader {
            version: u16::from_be_bytes([b[0], b[1]]),
            length: u16::from_be_bytes([b[2], b[3]]),
            export_time: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            sequence: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            domain: u32::from_be_bytes([b[12], b[13], b[14], b[15]]),
        })
    }
}

/// Where a message is: its header, absolute offset and 1-based index in the input.
#[derive(Clone, Copy, Debug)]
pub struct MessageCtx {
    pub header: MessageHeader,
    pub offset: u64,
    pub index: u64,
    /// Octets of the message the input holds: its header's length, or less when it is cut.
    pub octets: u16,
    /// The export protocol it came in: 10, or 9 or 5 for a NetFlow packet translated into
    /// this message (`@version`).
    pub version: u16,
}

impl MessageCtx {
    /// The context of a record read outside any input (a message of `export_time`,
    /// `sequence` and `domain`, at offset 0).
    pub fn detached(export_time: u32, sequence: u32, domain: u32) -> MessageCtx {
        MessageCtx {
            header: MessageHeader {
                version: 10,
                length: 0,
                export_time,
                sequence,
                domain,
            },
            offset: 0,
            index: 0,
            octets: 0,
            version: 10,
        }
    }
}

/// Most octets of data sets a session holds while their templates have not arrived.
pub const HOLD_MAX: usize = super::hold::DEFAULT_MAX;

/// What became of a data set whose template was not defined when it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// It was held (NetFlow v9 or IPFIX).
    Held { domain: u32, template: u16 },
    /// Its template came: its `records` were decoded.
    Recovered {
        domain: u32,
        template: u16,
        records: u64,
    },
    /// Its template had been withdrawn: left out (warned once per template).
    Skipped { domain: u32, template: u16 },
}

/// Whether the walk goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Receives what a message contains, in order. Only `record` and `problem` are required.
pub trait Visitor {
    fn message(&mut self, _m: &MessageCtx) -> Flow {
        Flow::Continue
    }
    fn set(&mut self, _m: &MessageCtx, _set_id: u16, _offset: u64, _length: u16) -> Flow {
        Flow::Continue
    }
    /// A template definition; `changed` is false for an identical re-send.
    fn template(
        &mut self,
        _m: &MessageCtx,
        _t: &Arc<Template>,
        _offset: u64,
        _changed: bool,
    ) -> Flow {
        Flow::Continue
    }
    /// A withdrawal: `Some(id)`, or `None` for "all" of the kind given by `options`.
    fn withdrawal(&mut self, _m: &MessageCtx, _id: Option<u16>, _options: bool) -> Flow {
        Flow::Continue
    }
    /// A data set whose template is known, before its records: its `body` (records and
    /// padding) starts at input offset `offset`. Returning false skips the records (a visitor
    /// that only wants to know which templates have data, or one that took the records from
    /// `body` itself); records of RFC 5610 type templates are still read, so learned names are
    /// the same either way.
    fn data_set(
        &mut self,
        _m: &MessageCtx,
        _t: &Arc<Template>,
        _body: &[u8],
        _offset: u64,
    ) -> bool {
        true
    }
    /// A data set ahead of its template was held, or decoded when its template came (its
    /// records were handed out just before).
    fn pending(&mut self, _p: Pending) {}
    fn record(&mut self, r: &RecordRef<'_>) -> Flow;
    fn problem(&mut self, e: &DecodeError) -> Flow;
}

/// Per observation domain state.
#[derive(Default, Debug)]
pub struct Domain {
    pub templates: HashMap<u16, Arc<Template>, super::IdHash>,
    /// IEs learned from RFC 5610 type records in this domain.
    pub learned: HashMap<(u32, u16), Arc<IeDef>>,
    conflicting: HashSet<(u32, u16)>,
    /// Which learned IE holds each learned name, so two IEs never share an output key.
    learned_names: HashMap<Arc<str>, (u32, u16)>,
    /// IEs whose type-record name was refused (warned once per IE and domain).
    refused_names: HashSet<(u32, u16)>,
    /// Template IDs withdrawn and not defined again: their data sets are not held (they
    /// were meant for the withdrawn definition) but left out.
    withdrawn: HashSet<u16>,
    /// Which template IDs have used an IE (a superset: entries outlive withdrawals), so an
    /// RFC 5610 lesson finds the templates to re-resolve without scanning them all.
    users: HashMap<(u32, u16), HashSet<u16>>,
}

/// A domain's scope for structured data: its templates plus the model and learned IEs.
pub struct DomainScope<'a> {
    pub domain: &'a Domain,
    pub model: &'a InfoModel,
}

impl Scope for DomainScope<'_> {
    fn template(&self, id: u16) -> Option<&Arc<Template>> {
        self.domain.templates.get(&id)
    }
    fn ie(&self, pen: u32, id: u16) -> Option<Arc<IeDef>> {
        lookup(self.model, self.domain, pen, id)
    }
}

fn lookup(model: &InfoModel, d: &Domain, pen: u32, id: u16) -> Option<Arc<IeDef>> {
    model
        .get(pen, id)
        .cloned()
        .or_else(|| d.learned.get(&(pen, id)).cloned())
}

/// One data record: a view into the message plus its template.
pub struct RecordRef<'a> {
    pub msg: &'a MessageCtx,
    pub template: &'a Arc<Template>,
    pub data: &'a [u8],
    /// Absolute offset of the record.
    pub offset: u64,
    pub scope: &'a DomainScope<'a>,
}

impl<'a> RecordRef<'a> {
    pub fn domain(&self) -> u32 {
        self.msg.header.domain
    }
    pub fn fields(&self) -> FieldValues<'a, 'a> {
        FieldValues::new(self.template, self.data)
    }
}

/// Template and type-information state of one session. What the input holds is told to the
/// visitor; counting it is the visitor's business (`cat --stats` counts in its printer).
pub struct Session {
    model: Arc<InfoModel>,
    domains: BTreeMap<u32, Domain>,
    /// Data sets waiting for their template, oldest first, and their octets.
    held: Hold<(u32, u16), HeldSet>,
    /// Per (domain, template): held sets dropped for the bound.
    dropped: BTreeMap<(u32, u16), Lost>,
    /// (domain, template) whose data after a withdrawal was warned of.
    warned_withdrawn: HashSet<(u32, u16)>,
}

/// Data sets of one (domain, template) that never got their template: where the first was,
/// how many and their octets, `dropped` of them for the hold bound.
struct Lost {
    offset: u64,
    message: u64,
    sets: u64,
    octets: u64,
    dropped: u64,
}

impl Lost {
    fn at(h: &HeldSet) -> Lost {
        Lost {
            offset: h.body_off - 4,
            message: h.msg.index,
            sets: 0,
            octets: 0,
            dropped: 0,
        }
    }
}

/// A data set held for its template: a copy of its body, and where it was.
struct HeldSet {
    msg: MessageCtx,
    set_id: u16,
    body: Vec<u8>,
    body_off: u64,
    cut: bool,
}

impl Session {
    pub fn new(model: Arc<InfoModel>) -> Session {
        Session {
            model,
            domains: BTreeMap::new(),
            held: Hold::new(HOLD_MAX),
            dropped: BTreeMap::new(),
            warned_withdrawn: HashSet::new(),
        }
    }

    /// Sets how many octets of early data sets are held ([`HOLD_MAX`] by default; 0 holds
    /// none).
    pub fn set_hold_limit(&mut self, octets: usize) {
        self.held.set_max(octets);
    }

    /// The end of the input: one warning per (domain, template) whose data sets are still
    /// held or were dropped waiting, at the first such set. The visitor's answer is returned.
    pub fn end_input(&mut self, visitor: &mut dyn Visitor) -> Flow {
        let mut lost = std::mem::take(&mut self.dropped);
        for (key, h) in self.held.drain() {
            let e = lost.entry(key).or_insert_with(|| Lost::at(&h));
            e.sets += 1;
            e.octets += h.body.len() as u64 + 4;
        }
        for ((domain, template), l) in lost {
            let k = ErrorKind::UnknownTemplate {
                domain,
                template,
                sets: l.sets,
                octets: l.octets,
                dropped: l.dropped,
            };
            if self.report(visitor, l.offset, Some(l.message), Some(template), k) == Flow::Stop {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    /// Holds a data set whose template is not defined (yet), dropping the oldest held ones
    /// past the bound.
    fn hold(&mut self, m: &MessageCtx, set_id: u16, body: &[u8], body_off: u64, cut: bool) {
        let h = HeldSet {
            msg: *m,
            set_id,
            body: body.to_vec(),
            body_off,
            cut,
        };
        let dropped = &mut self.dropped;
        let octets = body.len() + 4;
        self.held
            .push((m.header.domain, set_id), h, octets, |key, h| {
                let e = dropped.entry(key).or_insert_with(|| Lost::at(&h));
                e.sets += 1;
                e.dropped += 1;
                e.octets += h.body.len() as u64 + 4;
            });
    }

    /// Decodes the held data sets of template `id` in `domain`, now defined, in the order
    /// they came.
    fn recover(&mut self, domain: u32, id: u16, visitor: &mut dyn Visitor) -> Flow {
        if !self.held.has(&(domain, id)) {
            return Flow::Continue;
        }
        for h in self.held.take(&(domain, id)) {
            let (flow, records) =
                self.data_set(&h.msg, h.set_id, &h.body, h.body_off, h.cut, visitor);
            visitor.pending(Pending::Recovered {
                domain,
                template: id,
                records,
            });
            if flow == Flow::Stop {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    pub fn model(&self) -> &Arc<InfoModel> {
        &self.model
    }

    /// The live templates of every domain, ordered by (domain, ID).
    pub fn templates(&self) -> Vec<(u32, &Arc<Template>)> {
        let mut v: Vec<_> = self
            .domains
            .iter()
            .flat_map(|(d, dom)| dom.templates.values().map(move |t| (*d, t)))
            .collect();
        v.sort_by_key(|(d, t)| (*d, t.id));
        v
    }

    pub fn domain(&self, id: u32) -> Option<&Domain> {
        self.domains.get(&id)
    }

    /// IEs learned from RFC 5610 type records, in all domains: those still known, and those
    /// forgotten because a later type record disagreed.
    pub fn learned_ies(&self) -> u64 {
        let n = |d: &Domain| d.learned.len() + d.conflicting.len();
        self.domains.values().map(n).sum::<usize>() as u64
    }

    /// Walks one message. `bytes` is the whole message as far as the input has it; when the
    /// input ended early, `claimed` is the length its header announced (the complete sets are
    /// still decoded, then the truncation is reported).
    pub fn process_message(
        &mut self,
        bytes: &[u8],
        offset: u64,
        index: u64,
        version: u16,
        visitor: &mut dyn Visitor,
    ) -> Flow {
        let Some(header) = MessageHeader::parse(bytes) else {
            return self.report(
                visitor,
                offset,
                Some(index),
                None,
                ErrorKind::TruncatedHeader { have: bytes.len() },
            );
        };
        let claimed = header.length as usize;
        let truncated = bytes.len() < claimed;
        let msg_len = claimed.min(bytes.len());
        let m = MessageCtx {
            header,
            offset,
            index,
            octets: msg_len as u16,
            version,
        };
        self.domains.entry(header.domain).or_default();
        if visitor.message(&m) == Flow::Stop {
            return Flow::Stop;
        }
        let mut pos = MessageHeader::LEN;
        while pos < msg_len {
            let rem = msg_len - pos;
            let set_off = offset + pos as u64;
            if rem < 4 {
                if !truncated {
                    let k = ErrorKind::BadSetLength {
                        length: 0,
                        remaining: rem,
                    };
                    if self.report(visitor, set_off, Some(index), None, k) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                break;
            }
            let set_id = u16::from_be_bytes([bytes[pos], bytes[pos + 1]]);
            let set_len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
            // In a truncated message a set that runs into the cut is the truncation itself: the
            // complete records of a cut data set are still readable, so they are decoded.
            let cut = truncated && set_len > rem && pos + set_len <= claimed;
            if set_len < 4 || (set_len > rem && !cut) {
                let k = ErrorKind::BadSetLength {
                    length: set_len as u16,
                    remaining: rem,
                };
                if self.report(visitor, set_off, Some(index), Some(set_id), k) == Flow::Stop {
                    return Flow::Stop;
                }
                break;
            }
            if cut && set_id < 256 {
                break;
            }
            let body = &bytes[pos + 4..(pos + set_len).min(msg_len)];
            if visitor.set(&m, set_id, set_off, set_len as u16) == Flow::Stop {
                return Flow::Stop;
            }
            let flow = match set_id {
                2 | 3 => self.template_set(&m, set_id, body, set_off + 4, visitor),
                256.. => self.data_set(&m, set_id, body, set_off + 4, cut, visitor).0,
                _ => self.report(
                    visitor,
                    set_off,
                    Some(index),
                    Some(set_id),
                    ErrorKind::ReservedSetId,
                ),
            };
            if flow == Flow::Stop {
                return Flow::Stop;
            }
            pos += set_len;
        }
        if truncated {
            let k = ErrorKind::TruncatedMessage {
                claimed: header.length,
                have: bytes.len(),
            };
            // At the start of the message the header describes, where its length is wrong.
            return self.report(visitor, offset, Some(index), None, k);
        }
        Flow::Continue
    }

    fn report(
        &mut self,
        visitor: &mut dyn Visitor,
        offset: u64,
        message: Option<u64>,
        set: Option<u16>,
        kind: ErrorKind,
    ) -> Flow {
        let e = DecodeError {
            offset,
            message,
            set,
            kind,
        };
        visitor.problem(&e)
    }

    fn template_set(
        &mut self,
        m: &MessageCtx,
        set_id: u16,
        body: &[u8],
        body_off: u64,
        visitor: &mut dyn Visitor,
    ) -> Flow {
        let options = set_id == 3;
        let odid = m.header.domain;
        let mut p = 0usize;
        while p < body.len() {
            let rec_off = body_off + p as u64;
            match parse_template_record(&body[p..], options) {
                TemplateParse::Padding => break,
                TemplateParse::Fatal(f) => {
                    return self.report(
                        visitor,
                        rec_off,
                        Some(m.index),
                        Some(set_id),
                        fault_kind(f),
                    );
                }
                TemplateParse::Skip(f, n) => {
                    if self.report(visitor, rec_off, Some(m.index), Some(set_id), fault_kind(f))
                        == Flow::Stop
                    {
                        return Flow::Stop;
                    }
                    p += n;
                }
                TemplateParse::Record(rec, n) => {
                    p += n;
                    let flow = match rec {
                        TemplateRecord::Define {
                            id,
                            scope_count,
                            specs,
                        } => self.define(m, id, scope_count, &specs, rec_off, visitor),
                        TemplateRecord::Withdraw { id } => {
                            let d = self.domains.entry(odid).or_default();
                            d.withdrawn.insert(id);
                            if d.templates.remove(&id).is_none() {
                                let k = ErrorKind::WithdrawUnknown {
                                    domain: odid,
                                    template: id,
                                };
                                if self.report(visitor, rec_off, Some(m.index), Some(set_id), k)
                                    == Flow::Stop
                                {
                                    return Flow::Stop;
                                }
                            }
                            visitor.withdrawal(m, Some(id), options)
                        }
                        TemplateRecord::WithdrawAll { options } => {
                            let d = self.domains.entry(odid).or_default();
                            let gone = d.templates.values().filter(|t| t.is_options() == options);
                            let gone: Vec<u16> = gone.map(|t| t.id).collect();
                            d.withdrawn.extend(gone);
                            d.templates.retain(|_, t| t.is_options() != options);
                            visitor.withdrawal(m, None, options)
                        }
                    };
                    if flow == Flow::Stop {
                        return Flow::Stop;
                    }
                }
            }
        }
        Flow::Continue
    }

    fn define(
        &mut self,
        m: &MessageCtx,
        id: u16,
        scope_count: u16,
        specs: &[FieldSpec],
        offset: u64,
        visitor: &mut dyn Visitor,
    ) -> Flow {
        let odid = m.header.domain;
        let model = self.model.clone();
        let d = self.domains.entry(odid).or_default();
        let t = resolve(id, scope_count, specs, &|p, i| lookup(&model, d, p, i));
        let changed = match d.templates.get(&id) {
            Some(old) => {
                let same = old.scope_count == t.scope_count
                    && old.fields.len() == t.fields.len()
                    && old
                        .fields
                        .iter()
                        .zip(&t.fields)
                        .all(|(a, b)| (a.pen, a.id, a.len) == (b.pen, b.id, b.len));
                !same
            }
            None => true,
        };
        let t = Arc::new(t);
        if changed {
            for f in &t.fields {
                d.users.entry((f.pen, f.id)).or_default().insert(id);
            }
        }
        d.templates.insert(id, t.clone());
        d.withdrawn.remove(&id);
        if changed {
            for (i, f) in t.fields.iter().enumerate() {
                if f.bad_length() {
                    let k = ErrorKind::BadFieldLength {
                        template: id,
                        index: i + 1,
                        name: f.name.to_string(),
                        length: f.len,
                        dtype: f
                            .def
                            .as_ref()
                            .map(|d| d.dtype.name())
                            .unwrap_or("octetArray"),
                    };
                    let set = Some(if scope_count > 0 { 3 } else { 2 });
                    if self.report(visitor, offset, Some(m.index), set, k) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
            }
        }
        if visitor.template(m, &t, offset, changed) == Flow::Stop {
            return Flow::Stop;
        }
        self.recover(odid, id, visitor)
    }

    fn data_set(
        &mut self,
        m: &MessageCtx,
        set_id: u16,
        body: &[u8],
        body_off: u64,
        cut: bool,
        visitor: &mut dyn Visitor,
    ) -> (Flow, u64) {
        let odid = m.header.domain;
        let Some(t) = self
            .domains
            .get(&odid)
            .and_then(|d| d.templates.get(&set_id))
            .cloned()
        else {
            let withdrawn =
                (self.domains.get(&odid)).is_some_and(|d| d.withdrawn.contains(&set_id));
            if !withdrawn {
                visitor.pending(Pending::Held {
                    domain: odid,
                    template: set_id,
                });
                self.hold(m, set_id, body, body_off, cut);
                return (Flow::Continue, 0);
            }
            visitor.pending(Pending::Skipped {
                domain: odid,
                template: set_id,
            });
            if self.warned_withdrawn.insert((odid, set_id)) {
                let k = ErrorKind::WithdrawnTemplate {
                    domain: odid,
                    template: set_id,
                };
                let f = self.report(visitor, body_off - 4, Some(m.index), Some(set_id), k);
                return (f, 0);
            }
            return (Flow::Continue, 0);
        };
        if !visitor.data_set(m, &t, body, body_off) && t.type_info.is_none() {
            return (Flow::Continue, 0);
        }
        let mut learned: Vec<(IeDef, u64)> = Vec::new();
        let mut count = 0u64;
        let mut fault = None;
        let mut flow = Flow::Continue;
        // Records of templates without structured data skip the list walk entirely.
        let lists = t.has_lists();
        {
            let domain = &self.domains[&odid];
            let scope = DomainScope {
                domain,
                model: &self.model,
            };
            let mut rec_off = body_off;
            for r in Records::new(&t, body, true) {
                match r {
                    Ok(data) => {
                        count += 1;
                        let rr = RecordRef {
                            msg: m,
                            template: &t,
                            data,
                            offset: rec_off,
                            scope: &scope,
                        };
                        let this_off = rec_off;
                        rec_off += data.len() as u64;
                        if let Some(layout) = t.type_info {
                            if let Some(def) = type_record(&rr, layout) {
                                learned.push((def, this_off));
                            }
                        }
                        let mut next = visitor.record(&rr);
                        // Damage inside lists is reported after the record, which is still
                        // delivered (its printers show the damaged list as an @error value):
                        // once per record, whatever the printers do with it.
                        if lists {
                            if let Some(lf) = super::list::check_record(&t, data, &scope) {
                                let e = DecodeError {
                                    offset: this_off + lf.at as u64,
                                    message: Some(m.index),
                                    set: Some(set_id),
                                    kind: ErrorKind::ListDamage {
                                        template: set_id,
                                        record: count,
                                        field: t.fields[lf.field].name.to_string(),
                                        what: lf.what.to_string(),
                                    },
                                };
                                if visitor.problem(&e) == Flow::Stop {
                                    next = Flow::Stop;
                                }
                            }
                        }
                        if next == Flow::Stop {
                            flow = Flow::Stop;
                            break;
                        }
                    }
                    // A record cut by the end of a truncated message is the truncation,
                    // which the message reports.
                    Err(_) if cut => break,
                    Err(_) => {
                        fault = Some((rec_off, count + 1));
                        break;
                    }
                }
            }
        }
        if !learned.is_empty() {
            for (off, k) in self.learn(odid, learned) {
                if flow == Flow::Continue {
                    flow = self.report(visitor, off, Some(m.index), Some(set_id), k);
                }
            }
        }
        if flow == Flow::Stop {
            return (Flow::Stop, count);
        }
        if let Some((off, record)) = fault {
            let k = if t.min_len == 0 {
                ErrorKind::EmptyRecords { template: set_id }
            } else {
                ErrorKind::RecordPastSet {
                    template: set_id,
                    record,
                }
            };
            return (
                self.report(visitor, off, Some(m.index), Some(set_id), k),
                count,
            );
        }
        (Flow::Continue, count)
    }

    /// Applies RFC 5610 definitions: never over a built-in or user definition, and an IE with
    /// conflicting records is forgotten. Live templates of the domain that use a changed IE are
    /// re-resolved, and only those: rebuilding every template on every lesson made hostile
    /// input quadratic (thousands of templates times thousands of one-record type sets).
    ///
    /// A name that cannot be an output key is refused (the IE keeps its type and its
    /// `en<PEN>:id<ID>` key); the refusals are returned as warnings with the record's offset,
    /// once per IE and domain, however often the exporter re-sends the record.
    fn learn(&mut self, odid: u32, defs: Vec<(IeDef, u64)>) -> Vec<(u64, ErrorKind)> {
        let model = self.model.clone();
        let d = self.domains.entry(odid).or_default();
        let mut touched: HashSet<(u32, u16)> = HashSet::new();
        let mut warnings = Vec::new();
        for (mut def, off) in defs {
            let key = (def.pen, def.id);
            if model.get(key.0, key.1).is_some() || d.conflicting.contains(&key) {
                continue;
            }
            if let Some(why) = refused_name(&def, &model, &d.learned_names) {
                if d.refused_names.insert(key) {
                    warnings.push((
                        off,
                        ErrorKind::BadLearnedName {
                            pen: key.0,
                            id: key.1,
                            name: shown_name(&def.name),
                            why,
                        },
                    ));
                }
                def.name = Cow::Owned(super::registry::unknown_name(key.0, key.1));
            }
            match d.learned.get(&key) {
                Some(old) if **old == def => continue,
                Some(old) => {
                    if d.learned_names.get(old.name.as_ref()) == Some(&key) {
                        d.learned_names.remove(old.name.as_ref());
                    }
                    d.learned.remove(&key);
                    d.conflicting.insert(key);
                }
                None => {
                    d.learned_names.insert(Arc::from(def.name.as_ref()), key);
                    d.learned.insert(key, Arc::new(def));
                }
            }
            touched.insert(key);
        }
        if touched.is_empty() {
            return warnings;
        }
        // Only a touched key resolves differently now (the model never changes), so the other
        // fields keep their resolution.
        let mut ids: Vec<u16> = touched
            .iter()
            .filter_map(|k| d.users.get(k))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let learned = &d.learned;
        for id in ids {
            let Some(t) = d.templates.get_mut(&id) else {
                continue;
            };
            if !t.fields.iter().any(|f| touched.contains(&(f.pen, f.id))) {
                continue;
            }
            let fields = t
                .fields
                .iter()
                .map(|f| {
                    if touched.contains(&(f.pen, f.id)) {
                        let def = model
                            .get(f.pen, f.id)
                            .cloned()
                            .or_else(|| learned.get(&(f.pen, f.id)).cloned());
                        Field::resolve(f.pen, f.id, f.len, def)
                    } else {
                        f.clone()
                    }
                })
                .collect();
            *t = Arc::new(Template::new(t.id, t.scope_count, fields));
        }
        warnings
    }
}

/// The longest name accepted from a type record: enough for any registry name, short enough
/// that a hostile name cannot swell every output record.
pub const MAX_LEARNED_NAME: usize = 128;

/// Whether `name` can be an IE name in output (RFC 7012 §2.3): an ASCII letter, then ASCII
/// letters and digits. IANA's own names (`VRFname`, `IPSecSPI`) start with a capital, so either
/// case is allowed first; nothing else is, since no exporter in the samples needs more and
/// every other character means something in one of the outputs (`@` metadata, `#` repeats, `:`
/// in `en<PEN>:id<ID>`, `,` in `-F`, quotes and control characters in text and CSV).
pub fn valid_ie_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LEARNED_NAME
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric())
}

/// A refused name as a message shows it: at most 64 characters (a name can be 64 KiB).
fn shown_name(name: &str) -> String {
    match name.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &name[..i]),
        None => name.to_string(),
    }
}

/// Why a type record's name for `def` cannot be used, if it cannot: not a valid IE name, the
/// name of another IE in the model (built-in, vendor or `--ie-spec`), or of another IE learned
/// in this domain. A record without a name (`en<PEN>:id<ID>`) is never refused. The JSON
/// reader (`format`) applies the same rule to the names it learns.
pub fn refused_name(
    def: &IeDef,
    model: &InfoModel,
    learned: &HashMap<Arc<str>, (u32, u16)>,
) -> Option<&'static str> {
    let key = (def.pen, def.id);
    if super::registry::parse_unknown_name(&def.name) == Some(key) {
        return None;
    }
    if !valid_ie_name(&def.name) {
        return Some(
            "is not a valid IE name (an ASCII letter, then letters and digits, at most 128)",
        );
    }
    if model
        .by_name(&def.name)
        .is_some_and(|o| (o.pen, o.id) != key)
    {
        return Some("is the name of another IE");
    }
    if learned.get(def.name.as_ref()).is_some_and(|k| *k != key) {
        return Some("another type record in this domain already gave to another IE");
    }
    None
}

fn fault_kind(f: TemplateFault) -> ErrorKind {
    match f {
        TemplateFault::PastSet { template, fields } => {
            ErrorKind::TemplatePastSet { template, fields }
        }
        TemplateFault::ReservedId { template } => ErrorKind::ReservedTemplateId { template },
        TemplateFault::BadScope {
            template,
            scope,
            fields,
        } => ErrorKind::BadScopeCount {
            template,
            scope,
            fields,
        },
    }
}

/// Reads the RFC 5610 type record `data` of template `t` outside a session (the JSON reader
/// learns from the type records it encodes, by the decoder's rules); `None` when `t` is not a
/// type-information template or the record is not usable.
pub fn type_record_of(t: &Arc<Template>, data: &[u8], model: &InfoModel) -> Option<IeDef> {
    let layout = t.type_info?;
    let msg = MessageCtx::detached(0, 0, 0);
    let domain = Domain::default();
    let scope = DomainScope {
        domain: &domain,
        model,
    };
    let r = RecordRef {
        msg: &msg,
        template: t,
        data,
        offset: 0,
        scope: &scope,
    };
    type_record(&r, layout)
}

/// Reads an RFC 5610 type record; `None` when it is not usable (RFC 5610 §3.10 rules).
fn type_record(r: &RecordRef<'_>, l: super::template::TypeInfoLayout) -> Option<IeDef> {
    let mut id = None;
    let mut pen = 0u32;
    let mut dtype = None;
    let mut semantics = Semantics::Default;
    let mut units = Units::None;
    let mut name: Option<String> = None;
    for (i, (f, b)) in r.fields().enumerate() {
        let uint = || match decode(DataType::Unsigned64, b) {
            Value::Unsigned(v) => Some(v),
            _ => None,
        };
        if i == l.id {
            // The E bit in the value is ignored (RFC 5610 §3.1).
            id = uint().map(|v| (v & 0x7FFF) as u16);
        } else if Some(i) == l.pen {
            pen = uint()? as u32;
        } else if i == l.dtype {
            dtype = DataType::from_u8(uint()? as u8);
        } else if Some(i) == l.semantics {
            semantics = Semantics::from_u8(uint()? as u8)?;
        } else if Some(i) == l.units {
            units = Units::from_u16(uint()? as u16).unwrap_or(Units::None);
        } else if Some(i) == l.name {
            let s = std::str::from_utf8(b).ok()?;
            if s.contains('\0') || s.is_empty() || f.dtype != DataType::String {
                return None;
            }
            name = Some(s.to_string());
        }
    }
    let id = id.filter(|&i| i != 0)?;
    let dtype = dtype?;
    if !semantics.valid_for(dtype) {
        return None;
    }
    let name = name.unwrap_or_else(|| super::registry::unknown_name(pen, id));
    Some(IeDef {
        pen,
        id,
        name: Cow::Owned(name),
        dtype,
        semantics,
        units,
        default_len: None,
    })
}
