//! Re-emitting records from several sources under new observation domain and template IDs:
//! the one mechanism `merge`, `pcap2ipfix --extract` and the NetFlow translation share.
//!
//! A *source* is whatever scopes templates on input: an input file, or an exporter (address
//! and port) in a capture. Templates are scoped per (source, domain, template ID) on input
//! (RFC 7011 §8: per transport session and observation domain) and per (domain, template ID)
//! in the output file. The remapper decides, for each input template:
//!
//! - the output domain: the input's own (`DomainPolicy::Keep`), or a new one per (source,
//!   domain) (`DomainPolicy::PerSource`), numbered from 1 in order of first appearance;
//! - the output template ID: templates with the same layout (scope count and field
//!   specifiers) in one output domain share one ID, whichever source defined them; a layout
//!   keeps the ID it has in another output domain, else its input ID when no other layout
//!   has that ID in any output domain, otherwise it gets the lowest ID from 256 free in every
//!   domain. So inputs that never collide come out with their own IDs, and an ID names one
//!   layout in the whole output (as collectors that keep templates by ID alone need).
//!
//! Records are copied as bytes ([`Remapper::copy_record`]); only the template IDs inside
//! subTemplateList and subTemplateMultiList values (RFC 6313 §4.5.2, §4.5.3), at any depth up to
//! [`super::list::MAX_DEPTH`], are rewritten in the copy, so every value, reduced size and
//! variable-length encoding survives exactly.
//!
//! Output is deterministic: maps are ordered, and IDs depend only on the order of `define`
//! calls.

use super::list::{self, Scope};
use super::template::{FieldSpec, Template};
use super::types::{DataType, VARLEN};
use std::collections::BTreeMap;
use std::fmt;

/// Lowest template ID a data set may use (RFC 7011 §3.4.3).
const FIRST_ID: u16 = 256;

/// How output domains are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainPolicy {
    /// The input's observation domain ID, whatever the source.
    Keep,
    /// A new domain for each (source, domain), numbered from 1 as they appear.
    PerSource,
}

/// The output identity of an input template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub domain: u32,
    pub id: u16,
    /// The layout is new in its output domain: the template must be written before records
    /// that use it.
    pub fresh: bool,
}

/// Why a template or record cannot be remapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemapError {
    /// Every template ID (256-65535) of the output domain is taken by another layout.
    IdsExhausted { domain: u32 },
    /// A record refers (from structured data) to a template its source never defined.
    UnknownTemplate { domain: u32, id: u16 },
    /// A structured data value is malformed (the copy would be undecodable).
    Malformed(&'static str),
}

impl fmt::Display for RemapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemapError::IdsExhausted { domain } => write!(
                f,
                "output domain {domain} has no template ID left (65280 layouts in use)"
            ),
            RemapError::UnknownTemplate { domain, id } => write!(
                f,
                "structured data refers to template {id} of domain {domain}, which is not defined"
            ),
            RemapError::Malformed(what) => write!(f, "structured data is malformed: {what}"),
        }
    }
}

impl std::error::Error for RemapError {}

/// A template layout: what makes two templates interchangeable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Layout {
    scope_count: u16,
    fields: Vec<FieldSpec>,
}

#[derive(Default)]
struct OutDomain {
    by_layout: BTreeMap<Layout, u16>,
    by_id: BTreeMap<u16, Layout>,
}

/// The lowest ID from 256 that neither `a` nor `b` uses.
fn lowest_free_in_both(a: &OutDomain, b: &OutDomain) -> Option<u16> {
    (FIRST_ID..=u16::MAX).find(|i| !a.by_id.contains_key(i) && !b.by_id.contains_key(i))
}

impl OutDomain {
    fn lowest_free(&self) -> Option<u16> {
        let mut want = FIRST_ID;
        for &id in self.by_id.range(FIRST_ID..).map(|(id, _)| id) {
            if id != want {
                return Some(want);
            }
            want = want.checked_add(1)?;
        }
        Some(want)
    }
}

/// The mapping from input (source, domain, template) to output (domain, template).
pub struct Remapper {
    policy: DomainPolicy,
    domains: BTreeMap<(u32, u32), u32>,
    next_domain: u32,
    ids: BTreeMap<(u32, u32, u16), u16>,
    out: BTreeMap<u32, OutDomain>,
    /// Every layout's ID, over all output domains: a template ID names one layout in the
    /// whole output. RFC 7011 scopes IDs per domain, but collectors that keep one template
    /// per ID (ipfixDump keeps its internal templates by ID alone, and loops on a record of
    /// the other layout) read such a file right.
    global: OutDomain,
}

impl Remapper {
    pub fn new(policy: DomainPolicy) -> Remapper {
        Remapper {
            policy,
            domains: BTreeMap::new(),
            next_domain: 1,
            ids: BTreeMap::new(),
            out: BTreeMap::new(),
            global: OutDomain::default(),
        }
    }

    /// The output domain of a source's domain (assigned on first use).
    pub fn domain(&mut self, source: u32, domain: u32) -> u32 {
        if self.policy == DomainPolicy::Keep {
            return domain;
        }
        if let Some(&d) = self.domains.get(&(source, domain)) {
            return d;
        }
        let d = self.next_domain;
        self.next_domain = self.next_domain.wrapping_add(1).max(1);
        self.domains.insert((source, domain), d);
        d
    }

    /// The (source, domain) pairs and the output domains they were given, in order.
    pub fn domains(&self) -> impl Iterator<Item = ((u32, u32), u32)> + '_ {
        self.domains.iter().map(|(&k, &v)| (k, v))
    }

    /// A source defines (or redefines) template `id` in `domain` with this layout.
    pub fn define(
        &mut self,
        source: u32,
        domain: u32,
        id: u16,
        scope_count: u16,
        fields: &[FieldSpec],
    ) -> Result<Mapped, RemapError> {
        let out_domain = self.domain(source, domain);
        let layout = Layout {
            scope_count,
            fields: fields.to_vec(),
        };
        let od = self.out.entry(out_domain).or_default();
        let global = &mut self.global;
        let (out_id, fresh) = match od.by_layout.get(&layout) {
            Some(&known) => (known, false),
            None => {
                // The ID this layout has in other domains, else its input ID when no other
                // layout has it anywhere, else the lowest ID free everywhere, else the
                // lowest free in this domain.
                let free_here = |i: u16| !od.by_id.contains_key(&i);
                let free_everywhere =
                    |i: u16| free_here(i) && global.by_id.get(&i).is_none_or(|l| *l == layout);
                let out_id = match global.by_layout.get(&layout) {
                    Some(&g) if free_here(g) => g,
                    _ if id >= FIRST_ID && free_everywhere(id) => id,
                    _ => match lowest_free_in_both(global, od) {
                        Some(i) => i,
                        None => od
                            .lowest_free()
                            .ok_or(RemapError::IdsExhausted { domain: out_domain })?,
                    },
                };
                od.by_id.insert(out_id, layout.clone());
                od.by_layout.insert(layout.clone(), out_id);
                global.by_id.entry(out_id).or_insert_with(|| layout.clone());
                global.by_layout.entry(layout).or_insert(out_id);
                (out_id, true)
            }
        };
        self.ids.insert((source, domain, id), out_id);
        Ok(Mapped {
            domain: out_domain,
            id: out_id,
            fresh,
        })
    }

    /// [`Remapper::define`] from a decoded template.
    pub fn define_template(
        &mut self,
        source: u32,
        domain: u32,
        t: &Template,
    ) -> Result<Mapped, RemapError> {
        let fields: Vec<FieldSpec> = t.fields.iter().map(|f| f.field_spec()).collect();
        self.define(source, domain, t.id, t.scope_count, &fields)
    }

    /// A source withdraws template `id`: its records can no longer be mapped. The output
    /// template stays (another source may share it; a file needs no withdrawal).
    pub fn withdraw(&mut self, source: u32, domain: u32, id: u16) {
        self.ids.remove(&(source, domain, id));
    }

    /// The output (domain, template ID) a layout of a source's domain was given, if it was
    /// defined (read-only: for a second pass over inputs whose layouts are all defined).
    pub fn find(
        &self,
        source: u32,
        domain: u32,
        scope_count: u16,
        fields: &[FieldSpec],
    ) -> Option<(u32, u16)> {
        let out_domain = match self.policy {
            DomainPolicy::Keep => domain,
            DomainPolicy::PerSource => *self.domains.get(&(source, domain))?,
        };
        let layout = Layout {
            scope_count,
            fields: fields.to_vec(),
        };
        let id = *self.out.get(&out_domain)?.by_layout.get(&layout)?;
        Some((out_domain, id))
    }

    /// The output (domain, template ID) of a source's template, if it is defined.
    pub fn lookup(&self, source: u32, domain: u32, id: u16) -> Option<(u32, u16)> {
        let &out_id = self.ids.get(&(source, domain, id))?;
        let out_domain = match self.policy {
            DomainPolicy::Keep => domain,
            DomainPolicy::PerSource => *self.domains.get(&(source, domain))?,
        };
        Some((out_domain, out_id))
    }

    /// Appends a copy of `record` (a record of template `t`, as delimited in its data set or
    /// list) to `out`, with the template IDs inside its structured data mapped to the output
    /// ones. `scope` gives the source's templates for walking nested records. On error `out`
    /// is left as it was.
    pub fn copy_record(
        &self,
        source: u32,
        domain: u32,
        t: &Template,
        record: &[u8],
        scope: &dyn Scope,
        out: &mut Vec<u8>,
    ) -> Result<(), RemapError> {
        let start = out.len();
        out.extend_from_slice(record);
        if !t.has_lists() {
            return Ok(());
        }
        let r = self.patch(source, domain, t, record, 0, scope, &mut out[start..], 0);
        if r.is_err() {
            out.truncate(start);
        }
        r
    }

    /// Rewrites, in `copy` (the bytes of `record`, same length), the template IDs inside the
    /// record's lists. `base` is where `record` starts in `copy`.
    #[allow(clippy::too_many_arguments)]
    fn patch(
        &self,
        source: u32,
        domain: u32,
        t: &Template,
        record: &[u8],
        base: usize,
        scope: &dyn Scope,
        copy: &mut [u8],
        depth: usize,
    ) -> Result<(), RemapError> {
        if depth >= list::MAX_DEPTH {
            return Err(RemapError::Malformed("lists nested too deeply"));
        }
        let mut pos = 0usize;
        for f in &t.fields {
            let (vstart, vlen) = if f.len == VARLEN {
                let rest = record
                    .get(pos..)
                    .ok_or(RemapError::Malformed("record shorter than its template"))?;
                let (v, _) = list::split_varlen(rest).ok_or(RemapError::Malformed(
                    "variable-length value runs past the record",
                ))?;
                let prefix = if rest[0] < 255 { 1 } else { 3 };
                (pos + prefix, v.len())
            } else {
                (pos, f.len as usize)
            };
            let end = vstart + vlen;
            let value = record
                .get(vstart..end)
                .ok_or(RemapError::Malformed("record shorter than its template"))?;
            match f.dtype {
                DataType::SubTemplateList => {
                    let (_, tid, data) = list::parse_stl(value).map_err(RemapError::Malformed)?;
                    let at = base + vstart + 1;
                    self.patch_entry(source, domain, tid, data, at, at + 2, scope, copy, depth)?;
                }
                DataType::SubTemplateMultiList => {
                    let (_, entries) = list::parse_stml(value).map_err(RemapError::Malformed)?;
                    let mut entry_at = base + vstart + 1;
                    for e in entries {
                        let (tid, data) = e.map_err(RemapError::Malformed)?;
                        self.patch_entry(
                            source,
                            domain,
                            tid,
                            data,
                            entry_at,
                            entry_at + 4,
                            scope,
                            copy,
                            depth,
                        )?;
                        entry_at += 4 + data.len();
                    }
                }
                DataType::BasicList => {
                    self.patch_basic_list(
                        source,
                        domain,
                        value,
                        base + vstart,
                        scope,
                        copy,
                        depth,
                    )?;
                }
                _ => {}
            }
            pos = end;
        }
        Ok(())
    }

    /// One list of records of template `tid`: its ID (at `id_at` in `copy`) mapped, and the
    /// records (`data`, starting at `data_at` in `copy`) walked for nested lists.
    #[allow(clippy::too_many_arguments)]
    fn patch_entry(
        &self,
        source: u32,
        domain: u32,
        tid: u16,
        data: &[u8],
        id_at: usize,
        data_at: usize,
        scope: &dyn Scope,
        copy: &mut [u8],
        depth: usize,
    ) -> Result<(), RemapError> {
        let (_, out_id) = self
            .lookup(source, domain, tid)
            .ok_or(RemapError::UnknownTemplate { domain, id: tid })?;
        copy[id_at..id_at + 2].copy_from_slice(&out_id.to_be_bytes());
        let inner = scope
            .template(tid)
            .ok_or(RemapError::UnknownTemplate { domain, id: tid })?;
        if !inner.has_lists() {
            return Ok(());
        }
        let mut off = 0usize;
        for r in list::Records::new(inner, data, false) {
            let r = r.map_err(RemapError::Malformed)?;
            self.patch(
                source,
                domain,
                inner,
                r,
                data_at + off,
                scope,
                copy,
                depth + 1,
            )?;
            off += r.len();
        }
        Ok(())
    }

    /// A basicList whose elements are lists: each element walked as a one-field record.
    #[allow(clippy::too_many_arguments)]
    fn patch_basic_list(
        &self,
        source: u32,
        domain: u32,
        value: &[u8],
        at: usize,
        scope: &dyn Scope,
        copy: &mut [u8],
        depth: usize,
    ) -> Result<(), RemapError> {
        let l = list::BasicList::parse(value, scope).map_err(RemapError::Malformed)?;
        if !l.field.dtype.is_list() {
            return Ok(());
        }
        // Header: semantic (1), field ID (2), element length (2), PEN (4) when enterprise.
        let header = if l.field.pen != 0 { 9 } else { 5 };
        let inner = Template::new(0, 0, vec![l.field.clone()]);
        let mut off = header;
        let body = value.get(header..).unwrap_or(&[]);
        for e in list::Records::new(&inner, body, false) {
            let e = e.map_err(RemapError::Malformed)?;
            self.patch(source, domain, &inner, e, at + off, scope, copy, depth + 1)?;
            off += e.len();
        }
        Ok(())
    }
}

/// flowStartDeltaMicroseconds and flowEndDeltaMicroseconds (IE 158, 159): times counted back
/// from the export time of the record's message (RFC 7011 §8).
pub fn export_relative(fields: &[FieldSpec]) -> Vec<usize> {
    (fields.iter().enumerate())
        .filter(|(_, f)| f.pen == 0 && (f.id == 158 || f.id == 159) && (1..=8).contains(&f.len))
        .map(|(i, _)| i)
        .collect()
}

/// Keeps the times of a record moved to a message exported `secs` seconds later: the fields
/// at `which` (from [`export_relative`]) of a record of `fields` grow by `secs` s in µs, at
/// their encoded size (saturating). A record too short for its fields is left as it is.
pub fn shift_export_relative(fields: &[FieldSpec], which: &[usize], record: &mut [u8], secs: u32) {
    if which.is_empty() || secs == 0 {
        return;
    }
    let mut at = 0usize;
    for (i, f) in fields.iter().enumerate() {
        let Some(rest) = record.get(at..) else { return };
        let (start, len) = if f.len == VARLEN {
            let Some((v, _)) = list::split_varlen(rest) else {
                return;
            };
            let prefix = if rest[0] < 255 { 1 } else { 3 };
            (at + prefix, v.len())
        } else {
            (at, f.len as usize)
        };
        let Some(value) = record.get_mut(start..start + len) else {
            return;
        };
        if which.contains(&i) {
            let width = value.len();
            let max = if width >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * width)) - 1
            };
            let old = value.iter().fold(0u64, |a, &b| a << 8 | b as u64);
            let new = old.saturating_add(secs as u64 * 1_000_000).min(max);
            for (k, b) in value.iter_mut().enumerate() {
                *b = (new >> (8 * (width - 1 - k))) as u8;
            }
        }
        at = start + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::registry::{IeDef, InfoModel};

    #[test]
    fn export_relative_times_grow_with_the_export_time() {
        // octetDeltaCount[2], a varlen string, flowStartDeltaMicroseconds[4],
        // flowEndDeltaMicroseconds[2] (reduced size).
        let fields = [
            FieldSpec::iana(1, 2),
            FieldSpec::iana(82, VARLEN),
            FieldSpec::iana(158, 4),
            FieldSpec::iana(159, 2),
        ];
        let which = export_relative(&fields);
        assert_eq!(which, [2, 3]);
        let mut rec = vec![0, 7, 3, b'e', b't', b'h', 0, 0, 0, 5, 0, 9];
        shift_export_relative(&fields, &which, &mut rec, 2);
        let start = u32::from_be_bytes([rec[6], rec[7], rec[8], rec[9]]);
        assert_eq!(start, 2_000_005);
        // 9 + 2 s does not fit two octets: the largest value.
        assert_eq!(&rec[10..], [0xff, 0xff]);
        assert_eq!(&rec[..6], [0, 7, 3, b'e', b't', b'h']);
        // Nothing to do, and a record cut short, are left alone.
        let before = rec.clone();
        shift_export_relative(&fields, &which, &mut rec, 0);
        shift_export_relative(&fields, &which, &mut rec[..8], 1);
        assert_eq!(&rec[..8], &before[..8]);
    }
    use crate::ipfix::template::resolve_with;
    use std::sync::Arc;

    fn spec(id: u16, len: u16) -> FieldSpec {
        FieldSpec::iana(id, len)
    }

    #[test]
    fn identical_layouts_share_an_id_and_collisions_get_new_ones() {
        let mut r = Remapper::new(DomainPolicy::Keep);
        let a = [spec(8, 4), spec(12, 4)];
        let b = [spec(7, 2), spec(11, 2)];
        // Source 0 defines 256 = a; source 1 defines 256 = a too (shared), 257 = b.
        assert_eq!(
            r.define(0, 5, 256, 0, &a).unwrap(),
            Mapped {
                domain: 5,
                id: 256,
                fresh: true
            }
        );
        assert_eq!(
            r.define(1, 5, 256, 0, &a).unwrap(),
            Mapped {
                domain: 5,
                id: 256,
                fresh: false
            }
        );
        assert_eq!(r.define(1, 5, 257, 0, &b).unwrap().id, 257);
        // Source 2 uses 256 for b: b already has 257.
        assert_eq!(
            r.define(2, 5, 256, 0, &b).unwrap(),
            Mapped {
                domain: 5,
                id: 257,
                fresh: false
            }
        );
        // Source 2 uses 257 for a third layout: 257 is taken, the lowest free is 258.
        let c = [spec(4, 1)];
        assert_eq!(r.define(2, 5, 257, 0, &c).unwrap().id, 258);
        // The same layout as an options template (scope 1) is another layout.
        assert_eq!(r.define(2, 5, 300, 1, &c).unwrap().id, 300);
        // In another domain a layout keeps the ID it has elsewhere, and a new layout does not
        // take an ID another layout has anywhere: an ID names one layout in the output.
        assert_eq!(r.define(2, 6, 257, 0, &c).unwrap().id, 258);
        let d = [spec(5, 1)];
        assert_eq!(r.define(2, 6, 256, 0, &d).unwrap().id, 259);
        assert_eq!(r.define(2, 6, 400, 0, &d).unwrap().id, 259);
        assert_eq!(r.define(3, 6, 401, 0, &a).unwrap().id, 256);
        assert_eq!(r.lookup(2, 5, 256), Some((5, 257)));
        assert_eq!(r.lookup(2, 5, 257), Some((5, 258)));
        assert_eq!(r.lookup(3, 5, 256), None);
        r.withdraw(2, 5, 257);
        assert_eq!(r.lookup(2, 5, 257), None);
        assert_eq!(r.lookup(2, 5, 256), Some((5, 257)));
    }

    #[test]
    fn redefinition_maps_the_input_id_to_the_new_layout() {
        let mut r = Remapper::new(DomainPolicy::Keep);
        r.define(0, 1, 256, 0, &[spec(8, 4)]).unwrap();
        let m = r.define(0, 1, 256, 0, &[spec(12, 4)]).unwrap();
        assert_eq!((m.id, m.fresh), (257, true));
        assert_eq!(r.lookup(0, 1, 256), Some((1, 257)));
    }

    #[test]
    fn per_source_domains_in_order_of_appearance() {
        let mut r = Remapper::new(DomainPolicy::PerSource);
        let a = [spec(8, 4)];
        assert_eq!(r.define(7, 0, 256, 0, &a).unwrap().domain, 1);
        assert_eq!(r.define(3, 0, 256, 0, &a).unwrap().domain, 2);
        assert_eq!(r.define(7, 9, 256, 0, &a).unwrap().domain, 3);
        assert_eq!(r.define(7, 0, 300, 0, &a).unwrap().domain, 1);
        assert_eq!(r.lookup(3, 0, 256), Some((2, 256)));
        let d: Vec<_> = r.domains().collect();
        assert_eq!(d, vec![((3, 0), 2), ((7, 0), 1), ((7, 9), 3)]);
    }

    #[test]
    fn ids_run_out_cleanly() {
        let mut r = Remapper::new(DomainPolicy::Keep);
        for i in 0..(65536 - 256) as u32 {
            let id = (256 + i) as u16;
            r.define(
                0,
                0,
                id,
                0,
                &[spec(1, 1 + (i % 60000) as u16), spec(2, (i / 60000) as u16)],
            )
            .unwrap();
        }
        assert_eq!(
            r.define(1, 0, 256, 0, &[spec(3, 3)]),
            Err(RemapError::IdsExhausted { domain: 0 })
        );
        // IDs below 256 are never used, even when an input uses them.
        let mut r = Remapper::new(DomainPolicy::Keep);
        assert_eq!(r.define(0, 0, 2, 0, &[spec(1, 1)]).unwrap().id, 256);
    }

    struct S(Arc<InfoModel>, Vec<Arc<Template>>);
    impl Scope for S {
        fn template(&self, id: u16) -> Option<&Arc<Template>> {
            self.1.iter().find(|t| t.id == id)
        }
        fn ie(&self, pen: u32, id: u16) -> Option<Arc<IeDef>> {
            self.0.get(pen, id).cloned()
        }
    }

    /// A record of template 300 = (octetDeltaCount[2], subTemplateMultiList varlen) whose
    /// list has entries of templates 256 and 257; template 257 = (subTemplateList varlen)
    /// holding records of 256; 256 = (sourceTransportPort[2]).
    fn nested() -> (S, Arc<Template>, Vec<u8>) {
        let m = InfoModel::builtin();
        let t256 = Arc::new(resolve_with(&m, 256, 0, &[(0, 7, 2)]));
        let t257 = Arc::new(resolve_with(&m, 257, 0, &[(0, 292, VARLEN)]));
        let t300 = Arc::new(resolve_with(&m, 300, 0, &[(0, 1, 2), (0, 293, VARLEN)]));
        // stl value: semantic 3, template 256, two ports.
        let stl = [3u8, 1, 0, 0, 53, 1, 187];
        let mut r257 = vec![stl.len() as u8];
        r257.extend_from_slice(&stl);
        let mut stml = vec![3u8];
        stml.extend_from_slice(&[1, 0, 0, 6, 0, 80]); // entry: 256, length 6, port 80
        stml.extend_from_slice(&257u16.to_be_bytes());
        stml.extend_from_slice(&((4 + r257.len()) as u16).to_be_bytes());
        stml.extend_from_slice(&r257);
        let mut record = vec![0u8, 42, 255];
        record.extend_from_slice(&(stml.len() as u16).to_be_bytes());
        record.extend_from_slice(&stml);
        (S(m, vec![t256, t257, t300.clone()]), t300, record)
    }

    #[test]
    fn ids_inside_structured_data_are_rewritten_and_the_rest_kept() {
        let (scope, t300, record) = nested();
        let mut r = Remapper::new(DomainPolicy::Keep);
        // Another source took 256 and 257 with other layouts first.
        r.define(9, 0, 256, 0, &[spec(8, 4)]).unwrap();
        r.define(9, 0, 257, 0, &[spec(12, 4)]).unwrap();
        for t in &scope.1 {
            r.define_template(0, 0, t).unwrap();
        }
        assert_eq!(r.lookup(0, 0, 256), Some((0, 258)));
        assert_eq!(r.lookup(0, 0, 257), Some((0, 259)));
        assert_eq!(r.lookup(0, 0, 300), Some((0, 300)));
        let mut out = vec![0xAA];
        r.copy_record(0, 0, &t300, &record, &scope, &mut out)
            .unwrap();
        assert_eq!(out[0], 0xAA);
        let copy = &out[1..];
        assert_eq!(copy.len(), record.len());
        // Decode the copy against the output templates: same values, new IDs.
        let m = InfoModel::builtin();
        let o258 = Arc::new(resolve_with(&m, 258, 0, &[(0, 7, 2)]));
        let o259 = Arc::new(resolve_with(&m, 259, 0, &[(0, 292, VARLEN)]));
        let (stml, _) = list::split_varlen(&copy[2..]).unwrap();
        let (_, entries) = list::parse_stml(stml).unwrap();
        let entries: Vec<_> = entries.map(|e| e.unwrap()).collect();
        assert_eq!(entries[0], (258, &[0u8, 80][..]));
        assert_eq!(entries[1].0, 259);
        let inner = list::Records::new(&o259, entries[1].1, false)
            .next()
            .unwrap()
            .unwrap();
        let (stl, _) = list::split_varlen(inner).unwrap();
        let (sem, tid, data) = list::parse_stl(stl).unwrap();
        assert_eq!((sem, tid), (3, 258));
        let ports: Vec<_> = list::Records::new(&o258, data, false)
            .map(|p| p.unwrap().to_vec())
            .collect();
        assert_eq!(ports, vec![vec![0, 53], vec![1, 187]]);
        // Every octet except the three IDs is as it was.
        let differing = copy.iter().zip(&record).filter(|(a, b)| a != b).count();
        assert!(differing <= 6, "{differing} octets changed");
    }

    #[test]
    fn records_referring_to_undefined_templates_are_refused_whole() {
        let (scope, t300, record) = nested();
        let mut r = Remapper::new(DomainPolicy::Keep);
        r.define_template(0, 0, &t300).unwrap();
        r.define_template(0, 0, &scope.1[0]).unwrap();
        let mut out = vec![1, 2, 3];
        assert_eq!(
            r.copy_record(0, 0, &t300, &record, &scope, &mut out),
            Err(RemapError::UnknownTemplate { domain: 0, id: 257 })
        );
        assert_eq!(out, vec![1, 2, 3]);
        // Truncated structured data is malformed, never a panic.
        r.define_template(0, 0, &scope.1[1]).unwrap();
        for cut in 0..record.len() {
            let mut out = Vec::new();
            let _ = r.copy_record(0, 0, &t300, &record[..cut], &scope, &mut out);
        }
    }

    #[test]
    fn records_without_lists_are_copied_verbatim() {
        let m = InfoModel::builtin();
        let t = Arc::new(resolve_with(&m, 256, 0, &[(0, 8, 4), (0, 82, VARLEN)]));
        let scope = S(m, vec![t.clone()]);
        let mut r = Remapper::new(DomainPolicy::PerSource);
        r.define_template(4, 0, &t).unwrap();
        let rec = [192, 0, 2, 1, 2, b'h', b'i'];
        let mut out = Vec::new();
        r.copy_record(4, 0, &t, &rec, &scope, &mut out).unwrap();
        assert_eq!(out, rec);
    }
}
