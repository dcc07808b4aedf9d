//! `-f csv`: RFC 4180 CSV with a header row. Columns are the `-F` list, or else the metadata
//! columns `@export_time,@domain,@template` followed by the union of the field keys of every
//! template in the input, in first-seen order (the caller collects them in a first pass). A
//! record lacking a column gets an empty cell.

use super::render::{csv_cell, text_value};
use super::{Column, Layouts, Meta, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::list::FieldValues;
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::value::{Value, write_scalar};
use crate::ipfix::{DataType, Template, decode};
use std::io::{self, Write};

/// Where one column's value comes from, for one template.
#[derive(Clone, Copy)]
enum Source {
    Empty,
    Meta(Meta),
    /// A field at a fixed offset (templates without variable-length fields).
    At {
        off: usize,
        len: usize,
        dtype: DataType,
    },
    /// The i-th field (templates with variable-length fields: offsets differ per record).
    Nth {
        i: usize,
        dtype: DataType,
    },
}

struct Layout {
    sources: Vec<Source>,
    /// Whether any source is `Nth`, so the record's field ranges must be found first.
    walk: bool,
    useful: bool,
}

fn make_layout(cols: &[Column], t: &Template, explicit: bool) -> Layout {
    let sel = select(cols, t);
    let useful = !explicit || selection_useful(cols, &sel);
    let mut offsets = Vec::with_capacity(t.fields.len());
    let mut off = 0usize;
    for f in &t.fields {
        offsets.push(t.fixed_len.map(|_| off));
        off += f.len as usize;
    }
    let sources: Vec<Source> = cols
        .iter()
        .zip(&sel)
        .map(|(c, s)| match (c, s) {
            (Column::Meta(m), _) => Source::Meta(*m),
            (_, Some(i)) => {
                let f = &t.fields[*i];
                match offsets[*i] {
                    Some(off) => Source::At {
                        off,
                        len: f.len as usize,
                        dtype: f.dtype,
                    },
                    None => Source::Nth {
                        i: *i,
                        dtype: f.dtype,
                    },
                }
            }
            _ => Source::Empty,
        })
        .collect();
    let walk = sources.iter().any(|s| matches!(s, Source::Nth { .. }));
    Layout {
        sources,
        walk,
        useful,
    }
}

fn needs_quotes(cell: &[u8]) -> bool {
    cell.iter()
        .any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

pub struct CsvPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    /// Scratch for re-quoting a cell written straight into `buf`.
    cell: Vec<u8>,
    columns: Vec<Column>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    /// The last `@export_time` written and its text: it changes once per message at most.
    export_time: Option<(u32, Vec<u8>)>,
}

impl<'w> CsvPrinter<'w> {
    /// `columns` is the final column list; the header is written if `opts.header`.
    pub fn new(
        out: &'w mut dyn Write,
        columns: Vec<Column>,
        opts: PrintOptions,
    ) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(1 << 17);
        if opts.header {
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                csv_cell(&mut buf, c.header().as_bytes());
            }
            buf.push(b'\n');
        }
        Ok(CsvPrinter {
            out,
            buf,
            cell: Vec::new(),
            columns,
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            export_time: None,
        })
    }
}

impl Printer for CsvPrinter<'_> {
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let time = self.opts.time;
        let cols = &self.columns;
        let explicit = self.opts.columns.is_some();
        let layout = self
            .layouts
            .get(r.template, |t: &Template| make_layout(cols, t, explicit));
        if !layout.useful {
            return Ok(());
        }
        if layout.walk {
            self.ranges.clear();
            let base = r.data.as_ptr() as usize;
            for (_, v) in FieldValues::new(r.template, r.data) {
                self.ranges.push((v.as_ptr() as usize - base, v.len()));
            }
        }
        let b = &mut self.buf;
        for (ci, s) in layout.sources.iter().enumerate() {
            if ci > 0 {
                b.push(b',');
            }
            // Scalars (numbers, addresses, times, hex) never hold a character that needs
            // quoting, so they are written straight into the line; strings and lists are
            // checked after writing and re-quoted in the rare case they need it.
            let (bytes, dtype) = match *s {
                Source::Empty => continue,
                Source::Meta(Meta::ExportTime) => {
                    let t = r.msg.header.export_time;
                    let e = match &mut self.export_time {
                        Some((c, e)) if *c == t => e,
                        slot => {
                            let mut e = Vec::new();
                            write_meta(&mut e, Meta::ExportTime, r, time, false);
                            &mut slot.insert((t, e)).1
                        }
                    };
                    b.extend_from_slice(e);
                    continue;
                }
                Source::Meta(m) => {
                    write_meta(b, m, r, time, false);
                    continue;
                }
                Source::At { off, len, dtype } => match r.data.get(off..off + len) {
                    Some(v) => (v, dtype),
                    None => continue,
                },
                Source::Nth { i, dtype } => match self.ranges.get(i) {
                    Some(&(off, len)) => (&r.data[off..off + len], dtype),
                    None => continue,
                },
            };
            let v = decode(dtype, bytes);
            match v {
                Value::String(_) | Value::List(..) => {
                    let start = b.len();
                    text_value(b, &v, r.scope, time);
                    if needs_quotes(&b[start..]) {
                        self.cell.clear();
                        self.cell.extend_from_slice(&b[start..]);
                        b.truncate(start);
                        csv_cell(b, &self.cell);
                    }
                }
                _ => {
                    write_scalar(b, &v, time);
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

/// Columns for CSV without `-F`: `@export_time,@domain,@template`, then the union of the field
/// keys of every template that records use (a template without records adds no column). The union keeps each template's own field order where the templates
/// agree (a merge of the sequences; ties go to the first seen), so CSV -> IPFIX -> CSV gives
/// the columns back in their order. Problems are reported by the decoding pass, not here.
pub fn union_columns(
    paths: &[String],
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
) -> Vec<Column> {
    use crate::io::input::ByteSource;
    use crate::io::reader::decode_all;
    use crate::ipfix::session::{Flow, Visitor};
    use crate::ipfix::{DecodeError, Session};
    use crate::output::Meta;

    /// Key lists of the templates that records use, in first-use order.
    struct Collect {
        seqs: Vec<Vec<String>>,
        last: usize,
        /// Template definitions already collected, by address. Records of a few templates
        /// alternate set by set, so the keys are worked out once per definition, not once per
        /// change of template. The map holds the templates, so an address cannot be reused by
        /// another definition while it is here.
        seen: Layouts<()>,
    }
    impl Visitor for Collect {
        fn record(&mut self, r: &RecordRef<'_>) -> Flow {
            let p = std::sync::Arc::as_ptr(r.template) as usize;
            if p != self.last {
                self.last = p;
                let seqs = &mut self.seqs;
                self.seen.get(r.template, |t| {
                    let keys = super::render::field_keys(t);
                    if !seqs.contains(&keys) {
                        seqs.push(keys);
                    }
                });
            }
            Flow::Continue
        }
        fn problem(&mut self, _e: &DecodeError) -> Flow {
            Flow::Continue
        }
    }
    let mut c = Collect {
        seqs: Vec::new(),
        last: 0,
        seen: Layouts::default(),
    };
    for p in paths {
        if let Ok(mut src) = ByteSource::open(p) {
            let mut s = Session::new(model.clone());
            decode_all(&mut src, &mut s, &mut c);
        }
    }
    let mut cols: Vec<Column> = [Meta::ExportTime, Meta::Domain, Meta::Template]
        .into_iter()
        .map(Column::Meta)
        .collect();
    for k in merge_orders(&c.seqs) {
        if let Ok(col) = Column::parse(&k) {
            cols.push(col);
        }
    }
    cols
}

/// Merges sequences into one containing every element once, keeping each sequence's relative
/// order where they do not conflict. Repeatedly takes, from the first sequence whose next
/// element is not still pending later in some other sequence, that element.
pub fn merge_orders(seqs: &[Vec<String>]) -> Vec<String> {
    let mut pos = vec![0usize; seqs.len()];
    let mut out: Vec<String> = Vec::new();
    loop {
        // Skip what is already placed.
        for (i, s) in seqs.iter().enumerate() {
            while pos[i] < s.len() && out.contains(&s[pos[i]]) {
                pos[i] += 1;
            }
        }
        let heads: Vec<usize> = (0..seqs.len())
            .filter(|&i| pos[i] < seqs[i].len())
            .collect();
        if heads.is_empty() {
            return out;
        }
        let blocked = |x: &String| heads.iter().any(|&j| seqs[j][pos[j] + 1..].contains(x));
        let pick = heads
            .iter()
            .map(|&i| &seqs[i][pos[i]])
            .find(|x| !blocked(x))
            .unwrap_or(&seqs[heads[0]][pos[heads[0]]]);
        out.push(pick.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::merge_orders;

    fn v(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn union_keeps_orders() {
        assert_eq!(merge_orders(&[v("a,c"), v("a,b,c")]), v("a,b,c"));
        assert_eq!(merge_orders(&[v("a,b"), v("c,d")]), v("a,b,c,d"));
        let seqs = [v("x,a,y"), v("a,b"), v("y,z")];
        let m = merge_orders(&seqs);
        assert_eq!(m.len(), 5);
        for s in &seqs {
            let idx: Vec<usize> = s
                .iter()
                .map(|x| m.iter().position(|y| y == x).unwrap())
                .collect();
            assert!(
                idx.windows(2).all(|w| w[0] < w[1]),
                "{s:?} order lost in {m:?}"
            );
        }
        // Conflicting orders still give every element once.
        let m = merge_orders(&[v("a,b"), v("b,a")]);
        assert_eq!(m.len(), 2);
    }
}
