//! `-f json`: one JSON object per record and line (NDJSON). Keys are IE names (`#2`... for
//! repeats); metadata keys start with `@`: `@export_time`, `@domain`, `@template`, and
//! `@scope` (the number of scope fields) on options records.
//!
//! Whole records (no `-F`) take the fast path of [`super::cells`]: per template, each field's
//! `,"key":` text and how its value is written are fixed once; numbers, IPv4 addresses and
//! millisecond times are written in place, the rest through [`json_value`]. `-F` selections
//! and template lines are written through a scratch buffer.

use super::cells::{
    CELL_ROOM, Line, PREFIX_WINDOW, Pos, PrefixText, cell_ipv4, cell_millis, cell_u8, cell_u16,
    cell_u32, cell_u64, copy_padded, fixed_offsets, pos_of, quoted,
};
use super::render::{json_escape_str, json_value};
use super::{Column, Layouts, Meta, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::list::{FieldValues, split_varlen};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::value::{MillisText, TimeStyle};
use crate::ipfix::{DataType, Template, decode};
use std::io::{self, Write};

struct Layout {
    /// `,"key":` for every field, pre-escaped.
    keys: Vec<Vec<u8>>,
    sel: Option<Vec<Option<usize>>>,
    useful: bool,
    /// The fast path for whole records: one entry per field.
    fields: Vec<FastField>,
    /// Whether some field is found by walking the record ([`Pos::Nth`]).
    walk: bool,
    /// Room the fast cells of a record need, keys included.
    room: usize,
}

/// Keys up to this long are copied as one fixed-size block.
const KEY_WINDOW: usize = 48;

struct FastField {
    /// `,"key":`, padded with zeros to at least [`KEY_WINDOW`] octets.
    key: Vec<u8>,
    key_len: usize,
    op: Op,
}

/// How one field's value is written, chosen once per template.
#[derive(Clone, Copy)]
enum Op {
    U8(usize),
    U16(usize),
    U32(usize),
    U64(usize),
    /// Quoted.
    Ipv4(usize),
    /// dateTimeMilliseconds: quoted RFC 3339, or a bare integer with `--time epoch`.
    Millis(usize),
    /// Through `decode` and [`json_value`].
    Other {
        pos: Pos,
        len: usize,
        dtype: DataType,
    },
}

pub struct JsonPrinter<'w> {
    out: &'w mut dyn Write,
    line: Line,
    /// Scratch: values of the general path, `-F` records and template lines.
    buf: Vec<u8>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    /// Also write a line per template definition (`convert --to json`, lossless).
    templates: bool,
    prefix: PrefixText,
    /// One per field position, for [`Op::Millis`].
    millis: Vec<MillisText>,
}

impl<'w> JsonPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, opts: PrintOptions) -> Self {
        JsonPrinter {
            out,
            line: Line::new(&[], 0),
            buf: Vec::new(),
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            templates: false,
            prefix: PrefixText::default(),
            millis: Vec::new(),
        }
    }

    /// A whole record, by the layout's fast path.
    fn record_fast(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let JsonPrinter {
            out,
            line,
            buf,
            opts,
            layouts,
            ranges,
            prefix,
            millis,
            ..
        } = self;
        let time = opts.time;
        let layout = layouts.get(r.template, |t| make_layout(t, None));
        if millis.len() < layout.fields.len() {
            millis.resize(layout.fields.len(), MillisText::default());
        }
        if layout.walk {
            ranges.clear();
            let base = r.data.as_ptr() as usize;
            for (_, v) in FieldValues::new(r.template, r.data) {
                ranges.push((v.as_ptr() as usize - base, v.len()));
            }
        }
        let (text, len) = prefix.get(r, |b| {
            b.extend_from_slice(b"{\"@export_time\":");
            write_meta(b, Meta::ExportTime, r, time, true);
            b.extend_from_slice(b",\"@domain\":");
            write_meta(b, Meta::Domain, r, time, true);
            b.extend_from_slice(b",\"@template\":");
            write_meta(b, Meta::Template, r, time, true);
            if r.template.scope_count > 0 {
                b.extend_from_slice(b",\"@scope\":");
                write_meta(b, Meta::Scope, r, time, true);
            }
        });
        line.reserve(&mut **out, len + layout.room)?;
        let d = r.data;
        // The write position stays in a register through the record (see the CSV printer).
        let mut pos = copy_padded::<PREFIX_WINDOW>(&mut line.buf, line.pos, text, len);
        for (i, f) in layout.fields.iter().enumerate() {
            let a = &mut line.buf[..];
            let p = copy_padded::<KEY_WINDOW>(a, pos, &f.key, f.key_len);
            let end = match f.op {
                Op::U8(off) => cell_u8(a, p, d, off),
                Op::U16(off) => cell_u16(a, p, d, off),
                Op::U32(off) => cell_u32(a, p, d, off),
                Op::U64(off) => cell_u64(a, p, d, off),
                Op::Ipv4(off) => quoted(a, p, |a, p| cell_ipv4(a, p, d, off)),
                Op::Millis(off) => match time {
                    TimeStyle::Rfc3339 => quoted(a, p, |a, p| {
                        cell_millis(a, p, d, off, millis.get_mut(i), time)
                    }),
                    TimeStyle::Epoch => cell_millis(a, p, d, off, None, time),
                },
                Op::Other {
                    pos: at,
                    len,
                    dtype,
                } => {
                    let bytes = match at {
                        Pos::At(off) => d.get(off..off + len),
                        Pos::AtVarlen(off) => d.get(off..).and_then(split_varlen).map(|(v, _)| v),
                        Pos::Nth(k) => ranges.get(k).and_then(|&(o, n)| d.get(o..o + n)),
                    };
                    buf.clear();
                    match bytes {
                        Some(b) => json_value(buf, &decode(dtype, b), r.scope, time, 0),
                        None => buf.extend_from_slice(b"null"),
                    }
                    // Room for the value and again for the rest of the record.
                    line.pos = p;
                    line.reserve(&mut **out, buf.len() + layout.room)?;
                    let p = line.pos;
                    let n = buf.len();
                    line.buf[p..p + n].copy_from_slice(buf);
                    buf.clear();
                    p + n
                }
            };
            // A fast cell the record is too short for (records are cut by their template's
            // length, so it cannot happen) still leaves valid JSON.
            pos = if end == p {
                line.buf[p..p + 4].copy_from_slice(b"null");
                p + 4
            } else {
                end
            };
        }
        line.buf[pos..pos + 2].copy_from_slice(b"}\n");
        line.pos = pos + 2;
        Ok(())
    }

    /// Moves the scratch buffer's text into the line.
    fn flush_scratch(&mut self) -> io::Result<()> {
        let n = self.buf.len();
        self.line.reserve(&mut *self.out, n)?;
        let p = self.line.pos;
        self.line.buf[p..p + n].copy_from_slice(&self.buf);
        self.line.pos += n;
        self.buf.clear();
        Ok(())
    }

    /// Writes template definitions as lines too, so the output can be turned back into the same
    /// IPFIX: `{"@export_time":..,"@domain":D,"@template":N,"@scope":S,"@fields":["spec",..]}`
    /// with RFC 7013 §10 field specs (`name(pen/id)<type>[length]`). `@scope` is left out for
    /// data templates.
    pub fn with_templates(mut self) -> Self {
        self.templates = true;
        self
    }
}

fn make_layout(t: &Template, columns: Option<&[Column]>) -> Layout {
    let keys = super::render::field_keys(t)
        .iter()
        .map(|k| {
            let mut v = b",\"".to_vec();
            json_escape_str(&mut v, k);
            v.extend_from_slice(b"\":");
            v
        })
        .collect();
    let sel = columns.map(|c| select(c, t));
    let useful = match (&sel, columns) {
        (Some(s), Some(c)) => selection_useful(c, s),
        _ => true,
    };
    let mut layout = Layout {
        keys,
        sel,
        useful,
        fields: Vec::new(),
        walk: false,
        room: 2,
    };
    if columns.is_none() {
        fast_fields(t, &mut layout);
    }
    layout
}

/// Fills in the fast path of a layout for whole records.
fn fast_fields(t: &Template, layout: &mut Layout) {
    use DataType as D;
    let offsets = fixed_offsets(t);
    for (i, f) in t.fields.iter().enumerate() {
        let op = match (offsets[i], f.dtype, f.len) {
            (Some(o), D::Unsigned8 | D::Unsigned16 | D::Unsigned32 | D::Unsigned64, 1) => Op::U8(o),
            (Some(o), D::Unsigned16 | D::Unsigned32 | D::Unsigned64, 2) => Op::U16(o),
            (Some(o), D::Unsigned32 | D::Unsigned64, 4) => Op::U32(o),
            (Some(o), D::Unsigned64, 8) => Op::U64(o),
            (Some(o), D::Ipv4Address, 4) => Op::Ipv4(o),
            (Some(o), D::DateTimeMilliseconds, 8) => Op::Millis(o),
            _ => Op::Other {
                pos: pos_of(t, &offsets, i),
                len: f.len as usize,
                dtype: f.dtype,
            },
        };
        layout.walk |= matches!(
            op,
            Op::Other {
                pos: Pos::Nth(_),
                ..
            }
        );
        let mut key = layout.keys[i].clone();
        let key_len = key.len();
        key.resize(key_len.max(KEY_WINDOW), 0);
        layout.room += key_len + CELL_ROOM;
        layout.fields.push(FastField { key, key_len, op });
    }
}

impl Printer for JsonPrinter<'_> {
    fn template(
        &mut self,
        m: &crate::ipfix::MessageCtx,
        t: &std::sync::Arc<Template>,
        _offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        if !self.templates || !changed {
            return Ok(());
        }
        let b = &mut self.buf;
        let mut ib = itoa::Buffer::new();
        b.extend_from_slice(b"{\"@export_time\":");
        let v = crate::ipfix::Value::Seconds(m.header.export_time);
        if self.opts.time == crate::ipfix::value::TimeStyle::Epoch {
            crate::ipfix::value::write_scalar(b, &v, self.opts.time);
        } else {
            b.push(b'"');
            crate::ipfix::value::write_scalar(b, &v, self.opts.time);
            b.push(b'"');
        }
        b.extend_from_slice(b",\"@domain\":");
        b.extend_from_slice(ib.format(m.header.domain).as_bytes());
        b.extend_from_slice(b",\"@template\":");
        b.extend_from_slice(ib.format(t.id).as_bytes());
        if t.scope_count > 0 {
            b.extend_from_slice(b",\"@scope\":");
            b.extend_from_slice(ib.format(t.scope_count).as_bytes());
        }
        b.extend_from_slice(b",\"@fields\":[");
        for (i, f) in t.fields.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            super::render::json_str(b, &f.spec());
        }
        b.extend_from_slice(b"]}\n");
        self.flush_scratch()
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        if self.opts.columns.is_none() {
            return self.record_fast(r);
        }
        let time = self.opts.time;
        let columns = self.opts.columns.as_deref();
        let layout = self.layouts.get(r.template, |t| make_layout(t, columns));
        let (Some(sel), Some(cols)) = (&layout.sel, columns) else {
            return Ok(());
        };
        if !layout.useful {
            return Ok(());
        }
        let b = &mut self.buf;
        self.ranges.clear();
        let base = r.data.as_ptr() as usize;
        for (_, v) in FieldValues::new(r.template, r.data) {
            self.ranges.push((v.as_ptr() as usize - base, v.len()));
        }
        b.push(b'{');
        let mut first = true;
        for (c, s) in cols.iter().zip(sel) {
            let key: &[u8] = match (c, s) {
                (Column::Meta(m), _) => {
                    if !first {
                        b.push(b',');
                    }
                    b.push(b'"');
                    b.extend_from_slice(m.name().as_bytes());
                    b.extend_from_slice(b"\":");
                    write_meta(b, *m, r, time, true);
                    first = false;
                    continue;
                }
                (Column::Field { .. }, Some(i)) => &layout.keys[*i],
                _ => continue,
            };
            let i = s.unwrap_or(0);
            let Some(&(off, len)) = self.ranges.get(i) else {
                continue;
            };
            b.extend_from_slice(if first { &key[1..] } else { key });
            first = false;
            let f = &r.template.fields[i];
            json_value(
                b,
                &decode(f.dtype, &r.data[off..off + len]),
                r.scope,
                time,
                0,
            );
        }
        b.extend_from_slice(b"}\n");
        self.flush_scratch()
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.flush_scratch()?;
        self.line.flush(&mut *self.out)
    }
}
