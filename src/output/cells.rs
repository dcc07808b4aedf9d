//! The fast path shared by the CSV, JSON and text printers: a line buffer written by position,
//! one classification of how each template field is written ([`FieldOp`]), the common scalar
//! fields read at the template's fixed offsets and written with the `put_*` writers of
//! [`crate::ipfix::value`], and the record prefix that is the same for every record of a data
//! set.
//!
//! Invariant: before a record is written, [`Line::reserve`] makes room for the widest text
//! every fast cell of the record can produce ([`MAX_SCALAR_TEXT`] plus its separator and
//! quotes); cells then write with no capacity check of their own. A cell whose field the
//! record is too short for writes nothing: records are cut by their template's length, so it
//! cannot happen, but no input may make it panic either.

use crate::ipfix::list::{FieldValues, split_varlen};
use crate::ipfix::session::RecordRef;
use crate::ipfix::text::{
    MAX_SCALAR_TEXT, MillisText, TimeStyle, put_ipv4, put_millis, put_u8, put_u64,
};
use crate::ipfix::types::VARLEN;
use crate::ipfix::value::Value;
use crate::ipfix::{DataType, Template, decode};
use std::io::{self, Write};

/// Where a field's bytes are in a record.
#[derive(Clone, Copy, Debug)]
pub enum Pos {
    /// At a fixed offset: every field before the first variable-length one.
    At(usize),
    /// A variable-length field at a fixed offset (the first one): its length prefix is there.
    AtVarlen(usize),
    /// The i-th field, found by walking the record (fields after a variable-length one).
    Nth(usize),
}

impl Pos {
    /// Where field `i` of `t` is, from the template's fixed offsets ([`Template::offset`]).
    pub fn of(t: &Template, i: usize) -> Pos {
        match t.offset(i) {
            Some(off) if t.fields[i].len == VARLEN => Pos::AtVarlen(off),
            Some(off) => Pos::At(off),
            None => Pos::Nth(i),
        }
    }

    /// The field's value octets in record `d`: `len` is the declared length (for `At`),
    /// `ranges` the record's walked fields (for `Nth`, see [`field_ranges`]).
    #[inline]
    pub fn bytes<'d>(self, d: &'d [u8], len: usize, ranges: &[(usize, usize)]) -> Option<&'d [u8]> {
        match self {
            Pos::At(off) => d.get(off..off + len),
            Pos::AtVarlen(off) => d.get(off..).and_then(split_varlen).map(|(v, _)| v),
            Pos::Nth(i) => ranges.get(i).and_then(|&(o, n)| d.get(o..o + n)),
        }
    }
}

/// Where each field of `r` is (offset, length), found by walking the record: for fields
/// after a variable-length one ([`Pos::Nth`]) and for `-F` selections.
pub fn field_ranges(r: &RecordRef<'_>, ranges: &mut Vec<(usize, usize)>) {
    ranges.clear();
    let base = r.data.as_ptr() as usize;
    for (_, v) in FieldValues::new(r.template, r.data) {
        ranges.push((v.as_ptr() as usize - base, v.len()));
    }
}

/// How a field's value is written, chosen once per template field from its type, length and
/// place; the one classification the CSV, JSON and text printers share. The common scalars at
/// a fixed offset are written in place without decoding, each giving the text the general path
/// (`decode`, then the value writer) gives: `decode` reads every unsigned type of 1 to 8
/// octets as its big-endian value, so the declared type only matters for addresses and times.
#[derive(Clone, Copy)]
pub enum FieldOp {
    U8(usize),
    U16(usize),
    U32(usize),
    U64(usize),
    Ipv4(usize),
    /// dateTimeMilliseconds.
    Millis(usize),
    /// Any other field, or one away from a fixed offset: found at `pos` and written by
    /// `kind` (CSV) or through the printer's general value writer (JSON, text).
    Other {
        pos: Pos,
        /// The declared length (for `Pos::At`).
        len: usize,
        kind: Kind,
        dtype: DataType,
    },
}

impl FieldOp {
    /// How field `i` of `t` is written.
    pub fn of(t: &Template, i: usize) -> FieldOp {
        use DataType as D;
        let f = &t.fields[i];
        let unsigned = f.dtype.is_unsigned();
        match (t.offset(i), f.dtype, f.len) {
            (Some(o), _, 1) if unsigned => FieldOp::U8(o),
            (Some(o), _, 2) if unsigned => FieldOp::U16(o),
            (Some(o), _, 4) if unsigned => FieldOp::U32(o),
            (Some(o), _, 8) if unsigned => FieldOp::U64(o),
            (Some(o), D::Ipv4Address, 4) => FieldOp::Ipv4(o),
            (Some(o), D::DateTimeMilliseconds, 8) => FieldOp::Millis(o),
            _ => FieldOp::Other {
                pos: Pos::of(t, i),
                len: f.len as usize,
                kind: Kind::of(f.dtype, f.len),
                dtype: f.dtype,
            },
        }
    }

    /// Whether the record's fields must be walked to find this one ([`Pos::Nth`]).
    pub fn walks(&self) -> bool {
        matches!(
            self,
            FieldOp::Other {
                pos: Pos::Nth(_),
                ..
            }
        )
    }
}

/// How a [`FieldOp::Other`] field is written by a printer that writes more types in place
/// (CSV): these are written straight into the line with a bounded width; everything else goes
/// through the general `decode` and value writer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unsigned,
    Ipv4,
    Ipv6,
    Mac,
    Time,
    Other,
}

impl Kind {
    fn of(dtype: DataType, len: u16) -> Kind {
        use DataType as D;
        match (dtype, len) {
            (D::Unsigned8 | D::Unsigned16 | D::Unsigned32 | D::Unsigned64, 1..=8) => Kind::Unsigned,
            (D::Ipv4Address, 4) => Kind::Ipv4,
            (D::Ipv6Address, 16) => Kind::Ipv6,
            (D::MacAddress, 6) => Kind::Mac,
            (D::DateTimeSeconds, 4)
            | (D::DateTimeMilliseconds | D::DateTimeMicroseconds | D::DateTimeNanoseconds, 8) => {
                Kind::Time
            }
            _ => Kind::Other,
        }
    }
}

/// Room every fast cell needs: its widest text, two quotes and a separator.
pub const CELL_ROOM: usize = MAX_SCALAR_TEXT + 3;

/// The `N` octets at `off`, if the record has them.
#[inline(always)]
pub fn fixed<const N: usize>(d: &[u8], off: usize) -> Option<[u8; N]> {
    d.get(off..)?.first_chunk::<N>().copied()
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

struct FastField {
    /// The text before the value (`,"key":` or ` key=`), padded with zeros to at least
    /// [`KEY_WINDOW`] octets.
    key: Vec<u8>,
    key_len: usize,
    op: FieldOp,
}

/// Keys up to this long are copied as one fixed-size block.
const KEY_WINDOW: usize = 48;

/// Every field of a template's records, in order, each after its key text: the whole-record
/// layout of the JSON and text printers, made once per template.
pub struct FastRecord {
    fields: Vec<FastField>,
    /// Whether some field is found by walking the record ([`Pos::Nth`]).
    walk: bool,
    /// Room the fast cells of a record need, keys and the line's end included.
    room: usize,
}

/// What differs between the printers that use [`FastRecord`].
pub struct RecordStyle {
    /// IPv4 addresses and RFC 3339 times are quoted (JSON strings).
    pub quote_text: bool,
    /// Written after the last field.
    pub end: &'static [u8],
    /// Written for a fast field the record is too short for (records are cut by their
    /// template's length, so it cannot happen; the line must still parse).
    pub missing: &'static [u8],
}

/// Scratch a printer keeps for [`FastRecord::write`].
#[derive(Default)]
pub struct FastScratch {
    /// One per field position, for millisecond times.
    millis: Vec<MillisText>,
    ranges: Vec<(usize, usize)>,
    value: Vec<u8>,
}

impl FastRecord {
    /// The layout of `t`'s records; `keys` gives the text before each field's value.
    pub fn new(t: &Template, keys: impl Iterator<Item = Vec<u8>>) -> FastRecord {
        let mut fields = Vec::with_capacity(t.fields.len());
        let (mut walk, mut room) = (false, 2);
        for (i, mut key) in (0..t.fields.len()).zip(keys) {
            let op = FieldOp::of(t, i);
            walk |= op.walks();
            let key_len = key.len();
            key.resize(key_len.max(KEY_WINDOW), 0);
            room += key_len + CELL_ROOM;
            fields.push(FastField { key, key_len, op });
        }
        FastRecord { fields, walk, room }
    }

    /// Writes record `r` after `prefix` (its padded text and length, see [`PrefixText`]):
    /// the fast fields in place, the others through `general`, which appends a value's text.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn write(
        &self,
        line: &mut Line,
        out: &mut dyn Write,
        r: &RecordRef<'_>,
        prefix: (&[u8], usize),
        style: &RecordStyle,
        time: TimeStyle,
        s: &mut FastScratch,
        mut general: impl FnMut(&mut Vec<u8>, &Value<'_>),
    ) -> io::Result<()> {
        if s.millis.len() < self.fields.len() {
            s.millis.resize(self.fields.len(), MillisText::default());
        }
        if self.walk {
            field_ranges(r, &mut s.ranges);
        }
        let (text, len) = prefix;
        line.reserve(out, len + self.room)?;
        let d = r.data;
        let quote = style.quote_text;
        // The write position stays in a register through the record: every value's position
        // depends on the one before, and a round trip through memory per value made that
        // chain the slowest part of the loop.
        let mut pos = copy_padded::<PREFIX_WINDOW>(&mut line.buf, line.pos, text, len);
        for (i, f) in self.fields.iter().enumerate() {
            let a = &mut line.buf[..];
            let p = copy_padded::<KEY_WINDOW>(a, pos, &f.key, f.key_len);
            let end = match f.op {
                FieldOp::U8(off) => cell_u8(a, p, d, off),
                FieldOp::U16(off) => cell_u16(a, p, d, off),
                FieldOp::U32(off) => cell_u32(a, p, d, off),
                FieldOp::U64(off) => cell_u64(a, p, d, off),
                FieldOp::Ipv4(off) if quote => quoted(a, p, |a, p| cell_ipv4(a, p, d, off)),
                FieldOp::Ipv4(off) => cell_ipv4(a, p, d, off),
                FieldOp::Millis(off) => match time {
                    TimeStyle::Rfc3339 if quote => quoted(a, p, |a, p| {
                        cell_millis(a, p, d, off, s.millis.get_mut(i), time)
                    }),
                    _ => cell_millis(a, p, d, off, s.millis.get_mut(i), time),
                },
                FieldOp::Other {
                    pos: at,
                    len,
                    dtype,
                    ..
                } => {
                    s.value.clear();
                    match at.bytes(d, len, &s.ranges) {
                        Some(b) => general(&mut s.value, &decode(dtype, b)),
                        None => s.value.extend_from_slice(style.missing),
                    }
                    // Room for the value and again for the rest of the record.
                    line.pos = p;
                    let n = s.value.len();
                    line.reserve(out, n + self.room)?;
                    let p = line.pos;
                    line.buf[p..p + n].copy_from_slice(&s.value);
                    p + n
                }
            };
            pos = if end == p {
                let m = style.missing;
                line.buf[p..p + m.len()].copy_from_slice(m);
                p + m.len()
            } else {
                end
            };
        }
        let e = style.end;
        line.buf[pos..pos + e.len()].copy_from_slice(e);
        line.pos = pos + e.len();
        Ok(())
    }
}
