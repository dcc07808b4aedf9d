//! `-f text` (the default): one line per record, `DOMAIN/TEMPLATE key=value key=value ...`.
//! Values use the text forms of DESIGN.md; a value with spaces, quotes, `=` or control
//! characters is written as a JSON string literal so the line stays splittable.

use super::render::{json_str, text_value};
use super::{Column, Layouts, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::list::FieldValues;
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::{Template, decode};
use std::io::{self, Write};

struct Layout {
    keys: Vec<String>,
    sel: Option<Vec<Option<usize>>>,
    useful: bool,
}

pub struct TextPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    val: Vec<u8>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
}

impl<'w> TextPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, opts: PrintOptions) -> Self {
        TextPrinter {
            out,
            buf: Vec::with_capacity(1 << 17),
            val: Vec::new(),
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
        }
    }
}

fn push_value(b: &mut Vec<u8>, val: &[u8]) {
    let plain = !val.is_empty()
        && val
            .iter()
            .all(|&c| c > b' ' && c != b'"' && c != b'=' && c != 0x7f)
        && std::str::from_utf8(val).is_ok();
    if plain {
        b.extend_from_slice(val);
    } else {
        // Not UTF-8 cannot happen here: text_value escapes such bytes as \xHH.
        json_str(b, std::str::from_utf8(val).unwrap_or(""));
    }
}

impl Printer for TextPrinter<'_> {
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let time = self.opts.time;
        let columns = self.opts.columns.as_deref();
        let layout = self.layouts.get(r.template, |t: &Template| {
            let sel = columns.map(|c| select(c, t));
            let useful = match (&sel, columns) {
                (Some(s), Some(c)) => selection_useful(c, s),
                _ => true,
            };
            Layout {
                keys: super::render::field_keys(t),
                sel,
                useful,
            }
        });
        if !layout.useful {
            return Ok(());
        }
        let b = &mut self.buf;
        let mut ib = itoa::Buffer::new();
        match (&layout.sel, columns) {
            (Some(sel), Some(cols)) => {
                let mut first = true;
                self.ranges.clear();
                let base = r.data.as_ptr() as usize;
                for (_, v) in FieldValues::new(r.template, r.data) {
                    self.ranges.push((v.as_ptr() as usize - base, v.len()));
                }
                for (c, s) in cols.iter().zip(sel) {
                    if !first {
                        b.push(b' ');
                    }
                    match (c, s) {
                        (Column::Meta(m), _) => {
                            b.extend_from_slice(m.name().as_bytes());
                            b.push(b'=');
                            self.val.clear();
                            write_meta(&mut self.val, *m, r, time, false);
                            push_value(b, &self.val);
                        }
                        (_, Some(i)) => {
                            let Some(&(off, len)) = self.ranges.get(*i) else {
                                continue;
                            };
                            let v = &r.data[off..off + len];
                            b.extend_from_slice(layout.keys[*i].as_bytes());
                            b.push(b'=');
                            self.val.clear();
                            text_value(
                                &mut self.val,
                                &decode(r.template.fields[*i].dtype, v),
                                r.scope,
                                time,
                            );
                            push_value(b, &self.val);
                        }
                        _ => {
                            if !first {
                                b.pop();
                            }
                            continue;
                        }
                    }
                    first = false;
                }
            }
            _ => {
                b.extend_from_slice(ib.format(r.msg.header.domain).as_bytes());
                b.push(b'/');
                b.extend_from_slice(ib.format(r.template.id).as_bytes());
                for (i, (f, v)) in FieldValues::new(r.template, r.data).enumerate() {
                    b.push(b' ');
                    b.extend_from_slice(layout.keys[i].as_bytes());
                    b.push(b'=');
                    self.val.clear();
                    text_value(&mut self.val, &decode(f.dtype, v), r.scope, time);
                    push_value(b, &self.val);
                }
            }
        }
        b.push(b'\n');
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
