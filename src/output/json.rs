//! `-f json`: one JSON object per record and line (NDJSON). Keys are IE names (`#2`... for
//! repeats); metadata keys start with `@`: `@export_time`, `@domain`, `@template`, and
//! `@scope` (the number of scope fields) on options records.

use super::render::{json_escape_str, json_value};
use super::{Column, Layouts, Meta, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::list::FieldValues;
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::{Template, decode};
use std::io::{self, Write};

struct Layout {
    /// `,"key":` for every field, pre-escaped.
    keys: Vec<Vec<u8>>,
    sel: Option<Vec<Option<usize>>>,
    useful: bool,
}

pub struct JsonPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    /// Also write a line per template definition (`convert --to json`, lossless).
    templates: bool,
}

impl<'w> JsonPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, opts: PrintOptions) -> Self {
        JsonPrinter {
            out,
            buf: Vec::with_capacity(1 << 17),
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            templates: false,
        }
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
    Layout { keys, sel, useful }
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
        Ok(())
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let time = self.opts.time;
        let columns = self.opts.columns.as_deref();
        let layout = self.layouts.get(r.template, |t| make_layout(t, columns));
        let b = &mut self.buf;
        match (&layout.sel, columns) {
            (Some(sel), Some(cols)) => {
                if !layout.useful {
                    return Ok(());
                }
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
            }
            _ => {
                b.extend_from_slice(b"{\"@export_time\":");
                write_meta(b, Meta::ExportTime, r, time, true);
                b.extend_from_slice(b",\"@domain\":");
                write_meta(b, Meta::Domain, r, time, true);
                b.extend_from_slice(b",\"@template\":");
                write_meta(b, Meta::Template, r, time, true);
                if r.template.scope_count > 0 {
                    b.extend_from_slice(b",\"@scope\":");
                    b.extend_from_slice(
                        itoa::Buffer::new()
                            .format(r.template.scope_count)
                            .as_bytes(),
                    );
                }
                for (i, (f, v)) in FieldValues::new(r.template, r.data).enumerate() {
                    b.extend_from_slice(&layout.keys[i]);
                    json_value(b, &decode(f.dtype, v), r.scope, time, 0);
                }
                b.extend_from_slice(b"}\n");
            }
        }
        if b.len() >= 1 << 16 {
            self.out.write_all(b)?;
            b.clear();
        }
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}
