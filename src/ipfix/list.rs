//! Structured data views (RFC 6313 §4.5): basicList, subTemplateList, subTemplateMultiList.
//!
//! Views borrow the list content (after the field's varlen prefix) and check lengths as they
//! go; malformed content yields an error value, never a panic. Referenced templates are looked
//! up in the record's domain; nesting is bounded by [`MAX_DEPTH`].

use super::registry::IeDef;
use super::template::{Field, Template};
use super::types::VARLEN;
use std::sync::Arc;

/// Deepest nesting of lists inside lists that is decoded; deeper content is shown as hex.
pub const MAX_DEPTH: usize = 16;

/// What a list needs from its surroundings: templates and IE definitions of the domain.
pub trait Scope {
    fn template(&self, id: u16) -> Option<&Arc<Template>>;
    fn ie(&self, pen: u32, id: u16) -> Option<Arc<IeDef>>;
}

/// A basicList: every element is the same IE.
#[derive(Clone, Debug)]
pub struct BasicList<'a> {
    pub semantic: u8,
    pub field: Field,
    elements: &'a [u8],
}

impl<'a> BasicList<'a> {
    /// Parses the list header; `Err` says what is wrong.
    pub fn parse(b: &'a [u8], scope: &dyn Scope) -> Result<BasicList<'a>, &'static str> {
        if b.len() < 5 {
            return Err("basicList shorter than its 5-octet header");
        }
        let semantic = b[0];
        let raw = u16::from_be_bytes([b[1], b[2]]);
        let len = u16::from_be_bytes([b[3], b[4]]);
        let (pen, rest) = if raw & 0x8000 != 0 {
            if b.len() < 9 {
                return Err("basicList shorter than its 9-octet header");
            }
            (u32::from_be_bytes([b[5], b[6], b[7], b[8]]), &b[9..])
        } else {
            (0, &b[5..])
        };
        let id = raw & 0x7FFF;
        if len == 0 && !rest.is_empty() {
            return Err("basicList with element length 0");
        }
        Ok(BasicList {
            semantic,
            field: Field::resolve(pen, id, len, scope.ie(pen, id)),
            elements: rest,
        })
    }

    /// The elements' bytes, or an error when they do not divide the content.
    pub fn elements(&self) -> ListElements<'a> {
        ListElements {
            rest: self.elements,
            len: self.field.len,
        }
    }
}

pub struct ListElements<'a> {
    rest: &'a [u8],
    len: u16,
}

impl<'a> Iterator for ListElements<'a> {
    type Item = Result<&'a [u8], &'static str>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let r = if self.len == VARLEN {
            split_varlen(self.rest)
        } else if self.rest.len() >= self.len as usize {
            Some(self.rest.split_at(self.len as usize))
        } else {
            None
        };
        match r {
            Some((v, rest)) => {
                self.rest = rest;
                Some(Ok(v))
            }
            None => {
                self.rest = &[];
                Some(Err("list element runs past the end of the list"))
            }
        }
    }
}

/// Splits a varlen-prefixed value (RFC 7011 §7) off the front of `b`.
#[inline]
pub fn split_varlen(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = b.split_first()?;
    let (n, rest) = if first < 255 {
        (first as usize, rest)
    } else {
        if rest.len() < 2 {
            return None;
        }
        (u16::from_be_bytes([rest[0], rest[1]]) as usize, &rest[2..])
    };
    (rest.len() >= n).then(|| rest.split_at(n))
}

/// Length of one record of `t` at the start of `b`, walking varlen prefixes.
#[inline]
pub fn record_len(t: &Template, b: &[u8]) -> Option<usize> {
    if let Some(n) = t.fixed_len {
        return (b.len() >= n).then_some(n);
    }
    let mut pos = 0usize;
    for f in &t.fields {
        if f.len == VARLEN {
            let first = *b.get(pos)?;
            if first < 255 {
                pos += 1 + first as usize;
            } else {
                let hi = *b.get(pos + 1)?;
                let lo = *b.get(pos + 2)?;
                pos += 3 + u16::from_be_bytes([hi, lo]) as usize;
            }
        } else {
            pos += f.len as usize;
        }
        if pos > b.len() {
            return None;
        }
    }
    Some(pos)
}

/// Iterates the records of template `t` packed in `b` (a data set body or a list's content).
/// `strict_end` is false for data sets, where a tail shorter than a record is padding.
pub struct Records<'a, 't> {
    pub template: &'t Template,
    rest: &'a [u8],
    padding_ok: bool,
}

impl<'a, 't> Records<'a, 't> {
    pub fn new(template: &'t Template, b: &'a [u8], padding_ok: bool) -> Self {
        Records {
            template,
            rest: b,
            padding_ok,
        }
    }
    /// What is left unread.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for Records<'a, '_> {
    type Item = Result<&'a [u8], &'static str>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || (self.padding_ok && self.rest.len() < self.template.min_len) {
            return None;
        }
        if self.template.min_len == 0 {
            self.rest = &[];
            return Some(Err("template describes zero-length records"));
        }
        match record_len(self.template, self.rest) {
            Some(n) => {
                let (r, rest) = self.rest.split_at(n);
                self.rest = rest;
                Some(Ok(r))
            }
            None => {
                self.rest = &[];
                Some(Err("record runs past the end of its container"))
            }
        }
    }
}

/// Iterates (field, value bytes) over one record of a template. The record must have been
/// delimited by [`record_len`]; a short record simply ends the iteration.
pub struct FieldValues<'a, 't> {
    fields: std::slice::Iter<'t, Field>,
    rest: &'a [u8],
}

impl<'a, 't> FieldValues<'a, 't> {
    pub fn new(t: &'t Template, record: &'a [u8]) -> Self {
        FieldValues {
            fields: t.fields.iter(),
            rest: record,
        }
    }
}

impl<'a, 't> Iterator for FieldValues<'a, 't> {
    type Item = (&'t Field, &'a [u8]);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let f = self.fields.next()?;
        let (v, rest) = if f.len == VARLEN {
            split_varlen(self.rest)?
        } else {
            if self.rest.len() < f.len as usize {
                return None;
            }
            self.rest.split_at(f.len as usize)
        };
        self.rest = rest;
        Some((f, v))
    }
}

/// A subTemplateList header: semantic and template ID, then records.
pub fn parse_stl(b: &[u8]) -> Result<(u8, u16, &[u8]), &'static str> {
    if b.len() < 3 {
        return Err("subTemplateList shorter than its 3-octet header");
    }
    Ok((b[0], u16::from_be_bytes([b[1], b[2]]), &b[3..]))
}

/// A subTemplateMultiList: semantic, then entries of (template ID, records).
pub fn parse_stml(b: &[u8]) -> Result<(u8, StmlEntries<'_>), &'static str> {
    let (&sem, rest) = b
        .split_first()
        .ok_or("subTemplateMultiList without its semantic octet")?;
    Ok((sem, StmlEntries { rest }))
}

pub struct StmlEntries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for StmlEntries<'a> {
    type Item = Result<(u16, &'a [u8]), &'static str>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let b = self.rest;
        if b.len() < 4 {
            self.rest = &[];
            return Some(Err("subTemplateMultiList entry header truncated"));
        }
        let tid = u16::from_be_bytes([b[0], b[1]]);
        let len = u16::from_be_bytes([b[2], b[3]]) as usize;
        // The length includes the 4-octet entry header; anything shorter would loop.
        if len < 4 || len > b.len() {
            self.rest = &[];
            return Some(Err("subTemplateMultiList entry length out of bounds"));
        }
        self.rest = &b[len..];
        Some(Ok((tid, &b[4..len])))
    }
}

/// The first damage inside a record's structured data: the index of the top-level field, the
/// offset of the damage within the record, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListFault {
    pub field: usize,
    pub at: usize,
    pub what: ListProblem,
}

/// What is wrong inside a list; the same cases the printers show as `{"@error": ...}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListProblem {
    /// A view refused the bytes (header too short, element past the end, ...).
    Malformed(&'static str),
    /// A subTemplateList or subTemplateMultiList entry uses a template the domain does not have
    /// (never defined, or withdrawn).
    UnknownTemplate(u16),
    TooDeep,
}

impl std::fmt::Display for ListProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListProblem::Malformed(m) => f.write_str(m),
            ListProblem::UnknownTemplate(t) => write!(f, "template {t} is not defined"),
            ListProblem::TooDeep => write!(f, "lists nested deeper than {MAX_DEPTH}"),
        }
    }
}

/// Finds the first damage in the structured data of one record of `t`, walking it exactly as
/// the printers render it (same views, same depth limit), so a record whose output carries an
/// `@error` value is the record this reports. Allocates nothing; work is bounded by the record
/// size times [`MAX_DEPTH`], because every nested list lies inside its parent's bytes.
pub fn check_record(t: &Template, record: &[u8], scope: &dyn Scope) -> Option<ListFault> {
    if !t.has_lists() {
        return None;
    }
    for (i, (f, v)) in FieldValues::new(t, record).enumerate() {
        if !f.dtype.is_list() {
            continue;
        }
        if let Err((at, what)) = check_list(f.dtype, v, scope, 0) {
            return Some(ListFault {
                field: i,
                at: offset_in(record, v) + at,
                what,
            });
        }
    }
    None
}

/// Offset of `part` (a sub-slice) within `whole`.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

type Checked = Result<(), (usize, ListProblem)>;

fn check_list(t: super::DataType, b: &[u8], scope: &dyn Scope, depth: usize) -> Checked {
    if depth >= MAX_DEPTH {
        return Err((0, ListProblem::TooDeep));
    }
    let bad = |at: usize, m: &'static str| Err((at, ListProblem::Malformed(m)));
    match t {
        super::DataType::BasicList => {
            let l = match BasicList::parse(b, scope) {
                Ok(l) => l,
                Err(m) => return bad(0, m),
            };
            // where the next element starts: after the header, then after each whole element
            let mut pos = b.len() - l.elements.len();
            for e in l.elements() {
                match e {
                    Ok(v) => {
                        if l.field.dtype.is_list() {
                            check_list(l.field.dtype, v, scope, depth + 1)
                                .map_err(|(at, p)| (offset_in(b, v) + at, p))?;
                        }
                        pos = offset_in(b, v) + v.len();
                    }
                    Err(m) => return bad(pos, m),
                }
            }
            Ok(())
        }
        super::DataType::SubTemplateList => {
            let (_, tid, data) = match parse_stl(b) {
                Ok(x) => x,
                Err(m) => return bad(0, m),
            };
            check_records(tid, data, scope, depth).map_err(|(at, p)| (offset_in(b, data) + at, p))
        }
        super::DataType::SubTemplateMultiList => {
            let (_, entries) = match parse_stml(b) {
                Ok(x) => x,
                Err(m) => return bad(0, m),
            };
            let mut pos = 1usize;
            for e in entries {
                match e {
                    Ok((tid, data)) => {
                        check_records(tid, data, scope, depth)
                            .map_err(|(at, p)| (offset_in(b, data) + at, p))?;
                        pos = offset_in(b, data) + data.len();
                    }
                    Err(m) => return bad(pos, m),
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_records(tid: u16, data: &[u8], scope: &dyn Scope, depth: usize) -> Checked {
    let Some(t) = scope.template(tid) else {
        return Err((0, ListProblem::UnknownTemplate(tid)));
    };
    let mut records = Records::new(t, data, false);
    loop {
        let at = data.len() - records.rest().len();
        match records.next() {
            None => return Ok(()),
            Some(Err(m)) => return Err((at, ListProblem::Malformed(m))),
            Some(Ok(_)) if !t.has_lists() => {}
            Some(Ok(r)) => {
                for (f, v) in FieldValues::new(t, r) {
                    if f.dtype.is_list() {
                        check_list(f.dtype, v, scope, depth + 1)
                            .map_err(|(a, p)| (offset_in(data, v) + a, p))?;
                    }
                }
            }
        }
    }
}

/// Adds to `out` the IDs of the templates a record refers to from structured data
/// (subTemplateList and subTemplateMultiList, at any depth), so a writer can send them first.
/// Each ID is added once, in first-seen order. Linear in the record size: up to 16 IDs are
/// deduplicated by a scan of `out`, more through a 65 536-bit set (allocated only then), since
/// one 64 KiB record can name 16 000 templates and a scan per ID made that quadratic.
pub fn template_refs(t: &Template, record: &[u8], scope: &dyn Scope, out: &mut Vec<u16>) {
    let mut refs = RefSet { out, bits: None };
    refs_in(t, record, scope, &mut refs, 0);
}

struct RefSet<'o> {
    out: &'o mut Vec<u16>,
    bits: Option<Box<[u64; 1024]>>,
}

impl RefSet<'_> {
    const SCAN: usize = 16;

    fn add(&mut self, tid: u16) {
        let (word, bit) = (tid as usize / 64, 1u64 << (tid % 64));
        if let Some(b) = &mut self.bits {
            if b[word] & bit == 0 {
                b[word] |= bit;
                self.out.push(tid);
            }
            return;
        }
        if self.out.contains(&tid) {
            return;
        }
        self.out.push(tid);
        if self.out.len() > Self::SCAN {
            let mut b = Box::new([0u64; 1024]);
            for &t in self.out.iter() {
                b[t as usize / 64] |= 1u64 << (t % 64);
            }
            self.bits = Some(b);
        }
    }
}

fn refs_in(t: &Template, record: &[u8], scope: &dyn Scope, out: &mut RefSet<'_>, depth: usize) {
    if !t.has_lists() {
        return;
    }
    for (f, v) in FieldValues::new(t, record) {
        if f.dtype.is_list() {
            refs_list(f.dtype, v, scope, out, depth);
        }
    }
}

/// The references of one list value; a basicList of lists has list contents as elements.
fn refs_list(t: super::DataType, v: &[u8], scope: &dyn Scope, out: &mut RefSet<'_>, depth: usize) {
    if depth >= MAX_DEPTH {
        return;
    }
    match t {
        super::DataType::SubTemplateList => {
            if let Ok((_, tid, data)) = parse_stl(v) {
                refs_of(tid, data, scope, out, depth);
            }
        }
        super::DataType::SubTemplateMultiList => {
            if let Ok((_, entries)) = parse_stml(v) {
                for (tid, data) in entries.flatten() {
                    refs_of(tid, data, scope, out, depth);
                }
            }
        }
        super::DataType::BasicList => {
            if let Ok(l) = BasicList::parse(v, scope) {
                if l.field.dtype.is_list() {
                    for e in l.elements().flatten() {
                        refs_list(l.field.dtype, e, scope, out, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}

fn refs_of(tid: u16, data: &[u8], scope: &dyn Scope, out: &mut RefSet<'_>, depth: usize) {
    out.add(tid);
    if let Some(t) = scope.template(tid).filter(|t| t.has_lists()) {
        for r in Records::new(t, data, false).flatten() {
            refs_in(t, r, scope, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::registry::InfoModel;
    use crate::ipfix::template::resolve_with;

    struct S(Arc<InfoModel>, Vec<Arc<Template>>);
    impl Scope for S {
        fn template(&self, id: u16) -> Option<&Arc<Template>> {
            self.1.iter().find(|t| t.id == id)
        }
        fn ie(&self, pen: u32, id: u16) -> Option<Arc<IeDef>> {
            self.0.get(pen, id).cloned()
        }
    }

    #[test]
    fn varlen_prefixes() {
        assert_eq!(
            split_varlen(&[2, 7, 8, 9]),
            Some((&[7u8, 8][..], &[9u8][..]))
        );
        assert_eq!(split_varlen(&[255, 0, 1, 7]), Some((&[7u8][..], &[][..])));
        assert_eq!(split_varlen(&[255, 0]), None);
        assert_eq!(split_varlen(&[3, 1]), None);
        assert_eq!(split_varlen(&[]), None);
    }

    #[test]
    fn basic_list() {
        let s = S(InfoModel::builtin(), vec![]);
        let b = [3, 0, 8, 0, 4, 192, 0, 2, 1, 192, 0, 2, 2];
        let l = BasicList::parse(&b, &s).unwrap();
        assert_eq!((l.semantic, &*l.field.name), (3, "sourceIPv4Address"));
        assert_eq!(l.elements().count(), 2);
        let bad = [3, 0, 8, 0, 4, 192, 0, 2];
        let l = BasicList::parse(&bad, &s).unwrap();
        assert!(l.elements().next().unwrap().is_err());
        for cut in 0..5 {
            assert!(BasicList::parse(&b[..cut], &s).is_err());
        }
        assert!(
            BasicList::parse(&[0, 0, 8, 0, 0, 1], &s).is_err(),
            "element length 0"
        );
    }

    #[test]
    fn stml_entries_never_loop() {
        let (_, mut e) = parse_stml(&[3, 1, 3, 0, 0]).unwrap();
        assert!(e.next().unwrap().is_err(), "length 0 entry");
        assert!(e.next().is_none());
        let (_, e) = parse_stml(&[3, 1, 3, 0, 4, 1, 3, 0, 6, 0, 80]).unwrap();
        let v: Vec<_> = e.collect();
        assert_eq!(v, vec![Ok((259, &[][..])), Ok((259, &[0u8, 80][..]))]);
    }

    #[test]
    fn records_and_fields() {
        let m = InfoModel::builtin();
        let t = resolve_with(&m, 256, 0, &[(0, 7, 2), (0, 82, VARLEN)]);
        let b = [0, 80, 2, b'h', b'i', 1, 187, 255, 0, 1, b'x', 0];
        let recs: Vec<_> = Records::new(&t, &b, true).collect();
        assert_eq!(recs.len(), 2, "trailing single octet is padding");
        let r0 = recs[0].unwrap();
        let vals: Vec<_> = FieldValues::new(&t, r0).map(|(_, v)| v).collect();
        assert_eq!(vals, vec![&[0u8, 80][..], b"hi"]);
        let bad = [0, 80, 9, b'h'];
        assert!(Records::new(&t, &bad, true).next().unwrap().is_err());
    }
}
