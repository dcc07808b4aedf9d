//! The fast path shared by the CSV and JSON printers: a line buffer written by position, the
//! common scalar fields read at offsets fixed once per template and written with the
//! `put_*` writers of [`crate::ipfix::value`], and the record prefix that is the same for
//! every record of a data set.
//!
//! Invariant: before a record is written, [`Line::reserve`] makes room for the widest text
//! every fast cell of the record can produce ([`MAX_SCALAR_TEXT`] plus its separator and
//! quotes); cells then write with no capacity check of their own. A cell whose field the
//! record is too short for writes nothing: records are cut by their template's length, so it
//! cannot happen, but no input may make it panic either.

use crate::ipfix::Template;
use crate::ipfix::session::RecordRef;
use crate::ipfix::types::VARLEN;
use crate::ipfix::value::{
    MAX_SCALAR_TEXT, MillisText, TimeStyle, put_ipv4, put_millis, put_u8, put_u64,
};
use std::io::{self, Write};

/// Where a field's bytes are in a record.
#[derive(Clone, Copy)]
pub enum Pos {
    /// At a fixed offset: every field before the first variable-length one.
    At(usize),
    /// A variable-length field at a fixed offset (the first one): its length prefix is there.
    AtVarlen(usize),
    /// The i-th field, found by walking the record (fields after a variable-length one).
    Nth(usize),
}

/// The offset of each field of `t` where it is fixed: every field up to and including the
/// first variable-length one.
pub fn fixed_offsets(t: &Template) -> Vec<Option<usize>> {
    let mut offsets = Vec::with_capacity(t.fields.len());
    let mut off = Some(0usize);
    for f in &t.fields {
        offsets.push(off);
        off = off.filter(|_| f.len != VARLEN).map(|o| o + f.len as usize);
    }
    offsets
}

/// Where field `i` of `t` is, given [`fixed_offsets`].
pub fn pos_of(t: &Template, offsets: &[Option<usize>], i: usize) -> Pos {
    match offsets.get(i).copied().flatten() {
        Some(off) if t.fields[i].len == VARLEN => Pos::AtVarlen(off),
        Some(off) => Pos::At(off),
        None => Pos::Nth(i),
    }
}

/// Room every fast cell needs: its widest text, two quotes and a separator.
pub const CELL_ROOM: usize = MAX_SCALAR_TEXT + 3;

/// The `N` octets at `off`, if the record has them.
#[inline(always)]
pub fn fixed<const N: usize>(d: &[u8], off: usize) -> Option<[u8; N]> {
    d.get(off..)?.first_chunk::<N>().copied()
}

/// Big-endian unsigned integer of 1 to 8 octets.
#[inline]
pub fn be_uint(b: &[u8]) -> u64 {
    match *b {
        [x] => x as u64,
        [x, y] => u16::from_be_bytes([x, y]) as u64,
        [a, b, c, d] => u32::from_be_bytes([a, b, c, d]) as u64,
        [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => b.iter().fold(0u64, |v, &x| (v << 8) | x as u64),
    }
}

// One cell of each fast kind at a fixed offset.

#[inline(always)]
pub fn cell_u8(a: &mut [u8], p: usize, d: &[u8], off: usize) -> usize {
    match d.get(off) {
        Some(&x) => put_u8(a, p, x),
        None => p,
    }
}

#[inline(always)]
pub fn cell_u16(a: &mut [u8], p: usize, d: &[u8], off: usize) -> usize {
    match fixed::<2>(d, off) {
        Some(x) => put_u64(a, p, u16::from_be_bytes(x) as u64),
        None => p,
    }
}

#[inline(always)]
pub fn cell_u32(a: &mut [u8], p: usize, d: &[u8], off: usize) -> usize {
    match fixed::<4>(d, off) {
        Some(x) => put_u64(a, p, u32::from_be_bytes(x) as u64),
        None => p,
    }
}

#[inline(always)]
pub fn cell_u64(a: &mut [u8], p: usize, d: &[u8], off: usize) -> usize {
    match fixed::<8>(d, off) {
        Some(x) => put_u64(a, p, u64::from_be_bytes(x)),
        None => p,
    }
}

#[inline(always)]
pub fn cell_ipv4(a: &mut [u8], p: usize, d: &[u8], off: usize) -> usize {
    match fixed::<4>(d, off) {
        Some(x) => put_ipv4(a, p, x),
        None => p,
    }
}

#[inline(always)]
pub fn cell_millis(
    a: &mut [u8],
    p: usize,
    d: &[u8],
    off: usize,
    cache: Option<&mut MillisText>,
    time: TimeStyle,
) -> usize {
    match (fixed::<8>(d, off), time, cache) {
        (Some(x), TimeStyle::Rfc3339, Some(m)) => m.put(a, p, u64::from_be_bytes(x)),
        (Some(x), _, _) => put_millis(a, p, u64::from_be_bytes(x), time),
        (None, _, _) => p,
    }
}

/// `cell` between double quotes (JSON strings of text that never needs escaping: addresses
/// and times).
#[inline(always)]
pub fn quoted(a: &mut [u8], p: usize, cell: impl FnOnce(&mut [u8], usize) -> usize) -> usize {
    a[p] = b'"';
    let e = cell(a, p + 1);
    a[e] = b'"';
    e + 1
}

/// Copies `text` to `a[p..]`, as one fixed-size block when both have room for it (`text` is
/// padded to at least `W` octets; `len` of it count). Returns the new end.
#[inline(always)]
pub fn copy_padded<const W: usize>(a: &mut [u8], p: usize, text: &[u8], len: usize) -> usize {
    match (
        a.get_mut(p..).and_then(|w| w.first_chunk_mut::<W>()),
        text.first_chunk::<W>(),
    ) {
        (Some(w), Some(t)) if len <= W => *w = *t,
        _ => a[p..p + len].copy_from_slice(&text[..len]),
    }
    p + len
}

/// Size of the line buffer; it is written out when a record might not fit.
pub const BUF: usize = 1 << 17;

/// The output buffer, always `buf.len()` long with `buf[..pos]` pending. Values are written
/// into it by position, with no capacity check per value: that is what makes these printers
/// fast.
pub struct Line {
    pub buf: Vec<u8>,
    pub pos: usize,
}

impl Line {
    /// A buffer holding `head` (a header row, say) with room for a record of `room` octets.
    pub fn new(head: &[u8], room: usize) -> Line {
        let mut buf = Vec::with_capacity(BUF.max(head.len() + room));
        buf.extend_from_slice(head);
        let pos = buf.len();
        buf.resize((pos + room).max(BUF), 0);
        Line { buf, pos }
    }

    /// Makes sure `need` octets fit after `pos`, writing out what is pending if not.
    #[inline]
    pub fn reserve(&mut self, out: &mut dyn Write, need: usize) -> io::Result<()> {
        if self.buf.len() - self.pos < need {
            out.write_all(&self.buf[..self.pos])?;
            self.pos = 0;
            if self.buf.len() < need {
                self.buf.resize(need, 0);
            }
        }
        Ok(())
    }

    /// Writes out what is pending.
    pub fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.buf[..self.pos])?;
        self.pos = 0;
        out.flush()
    }
}

/// The text at the start of every record of a data set (its metadata), made once per data set.
#[derive(Default)]
pub struct PrefixText {
    /// Export time, domain, sequence number, template ID and scope count it was made from.
    key: Option<(u32, u32, u32, u16, u16)>,
    /// The text, padded with zeros to at least [`PREFIX_WINDOW`] octets.
    text: Vec<u8>,
    len: usize,
}

/// Prefixes up to this long are copied as one fixed-size block.
pub const PREFIX_WINDOW: usize = 64;

impl PrefixText {
    /// The text for `r`'s message and template (`make` writes it when they changed), padded,
    /// and its length.
    #[inline]
    pub fn get(&mut self, r: &RecordRef<'_>, make: impl FnOnce(&mut Vec<u8>)) -> (&[u8], usize) {
        let h = &r.msg.header;
        let key = (
            h.export_time,
            h.domain,
            h.sequence,
            r.template.id,
            r.template.scope_count,
        );
        if self.key != Some(key) {
            self.key = Some(key);
            self.text.clear();
            make(&mut self.text);
            self.len = self.text.len();
            self.text.resize(self.len.max(PREFIX_WINDOW), 0);
        }
        (&self.text, self.len)
    }
}
