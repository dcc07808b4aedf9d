//! `-f json`: one JSON object per record and line (NDJSON). Keys are IE names (`#2`... for
//! repeats); metadata keys start with `@`: `@export_time`, `@domain`, `@template`, and
//! `@scope` (the number of scope fields) on options records.
//!
//! Whole records (no `-F`) take the fast path of [`super::cells`]: per template, each field's
//! `,"key":` text and how its value is written are fixed once; numbers, IPv4 addresses and
//! millisecond times are written in place, the rest through [`json_value`]. `-F` selections
//! and template lines are written through a scratch buffer.

use super::cells::{FastRecord, FastScratch, Line, PrefixText, RecordStyle, field_ranges};
use super::render::{json_escape_str, json_value};
use super::{Column, Layouts, Meta, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::{Template, decode};
use std::io::{self, Write};

struct Layout {
    /// `,"key":` for every field, pre-escaped (for `-F`; whole records keep theirs in `fast`).
    keys: Vec<Vec<u8>>,
    sel: Option<Vec<Option<usize>>>,
    useful: bool,
    /// The fast path for whole records (without `-F`).
    fast: Option<FastRecord>,
}

const JSON_STYLE: RecordStyle = RecordStyle {
    quote_text: true,
    end: b"}\n",
    missing: b"null",
};

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
    scratch: FastScratch,
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
            scratch: FastScratch::default(),
        }
    }

    /// A whole record, by the layout's fast path.
    fn record_fast(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let time = self.opts.time;
        let layout = self.layouts.get(r.template, |t| make_layout(t, None));
        let prefix = self.prefix.get(r, |b| {
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
        let Some(fast) = &layout.fast else {
            return Ok(());
        };
        fast.write(
            &mut self.line,
            &mut *self.out,
            r,
            prefix,
            &JSON_STYLE,
            time,
            &mut self.scratch,
            |out, v| json_value(out, v, r.scope, time, 0),
        )
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
    let keys: Vec<Vec<u8>> = super::render::field_keys(t)
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
    // Whole records take the keys into their fast path; `-F` selections look them up.
    let (keys, fast) = match columns {
        None => (Vec::new(), Some(FastRecord::new(t, keys.into_iter()))),
        Some(_) => (keys, None),
    };
    Layout {
        keys,
        sel,
        useful,
        fast,
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
        if self.opts.time == crate::ipfix::text::TimeStyle::Epoch {
            crate::ipfix::text::write_scalar(b, &v, self.opts.time);
        } else {
            b.push(b'"');
            crate::ipfix::text::write_scalar(b, &v, self.opts.time);
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
        field_ranges(r, &mut self.ranges);
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
