//! `-f text` (the default): one line per record, `DOMAIN/TEMPLATE key=value key=value ...`.
//! Values use the text forms of DESIGN.md; a value with spaces, quotes, `=` or control
//! characters is written as a JSON string literal so the line stays splittable.
//!
//! Whole records (no `-F`) take the fast path of [`super::cells`], as JSON does: numbers,
//! IPv4 addresses and millisecond times, which never need quoting, are written in place.

use super::cells::{FastRecord, FastScratch, Line, PrefixText, RecordStyle, field_ranges};
use super::render::{json_str, text_value};
use super::{Column, Layouts, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::{Template, decode};
use std::io::{self, Write};

struct Layout {
    keys: Vec<String>,
    sel: Option<Vec<Option<usize>>>,
    useful: bool,
    /// The fast path for whole records (without `-F`).
    fast: Option<FastRecord>,
}

const TEXT_STYLE: RecordStyle = RecordStyle {
    quote_text: false,
    end: b"\n",
    missing: b"\"\"",
};

pub struct TextPrinter<'w> {
    out: &'w mut dyn Write,
    line: Line,
    /// Scratch for `-F` lines.
    buf: Vec<u8>,
    val: Vec<u8>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    prefix: PrefixText,
    scratch: FastScratch,
}

impl<'w> TextPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, opts: PrintOptions) -> Self {
        TextPrinter {
            out,
            line: Line::new(&[], 0),
            buf: Vec::new(),
            val: Vec::new(),
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            prefix: PrefixText::default(),
            scratch: FastScratch::default(),
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
            let keys = super::render::field_keys(t);
            let fast = columns
                .is_none()
                .then(|| FastRecord::new(t, keys.iter().map(|k| format!(" {k}=").into_bytes())));
            Layout {
                keys,
                sel,
                useful,
                fast,
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
                field_ranges(r, &mut self.ranges);
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
                let Some(fast) = &layout.fast else {
                    return Ok(());
                };
                let prefix = self.prefix.get(r, |b| {
                    b.extend_from_slice(ib.format(r.msg.header.domain).as_bytes());
                    b.push(b'/');
                    b.extend_from_slice(ib.format(r.template.id).as_bytes());
                });
                let val = &mut self.val;
                return fast.write(
                    &mut self.line,
                    &mut *self.out,
                    r,
                    prefix,
                    &TEXT_STYLE,
                    time,
                    &mut self.scratch,
                    |out, v| {
                        val.clear();
                        text_value(val, v, r.scope, time);
                        push_value(out, val);
                    },
                );
            }
        }
        b.push(b'\n');
        let n = b.len();
        self.line.reserve(&mut *self.out, n)?;
        let p = self.line.pos;
        self.line.buf[p..p + n].copy_from_slice(b);
        self.line.pos += n;
        b.clear();
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.line.flush(&mut *self.out)
    }
}
