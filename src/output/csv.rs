//! `-f csv`: RFC 4180 CSV with a header row. Columns are the `-F` list, or else the metadata
//! columns `@export_time,@domain,@template` followed by the union of the field keys of every
//! template in the input, in first-seen order (the caller collects them in a first pass). A
//! record lacking a column gets an empty cell.

use super::render::{csv_cell, text_value};
use super::{Column, Layouts, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::ipfix::list::FieldValues;
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::{Template, decode};
use std::io::{self, Write};

struct Layout {
    /// For each column, the template field feeding it.
    sel: Vec<Option<usize>>,
    useful: bool,
}

pub struct CsvPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    cell: Vec<u8>,
    columns: Vec<Column>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
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
        })
    }
}

impl Printer for CsvPrinter<'_> {
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let time = self.opts.time;
        let cols = &self.columns;
        let explicit = self.opts.columns.is_some();
        let layout = self.layouts.get(r.template, |t: &Template| {
            let sel = select(cols, t);
            let useful = !explicit || selection_useful(cols, &sel);
            Layout { sel, useful }
        });
        if !layout.useful {
            return Ok(());
        }
        self.ranges.clear();
        let base = r.data.as_ptr() as usize;
        for (_, v) in FieldValues::new(r.template, r.data) {
            self.ranges.push((v.as_ptr() as usize - base, v.len()));
        }
        let b = &mut self.buf;
        for (ci, (c, s)) in cols.iter().zip(&layout.sel).enumerate() {
            if ci > 0 {
                b.push(b',');
            }
            self.cell.clear();
            match (c, s) {
                (Column::Meta(m), _) => write_meta(&mut self.cell, *m, r, time, false),
                (_, Some(i)) => {
                    let Some(&(off, len)) = self.ranges.get(*i) else {
                        continue;
                    };
                    let f = &r.template.fields[*i];
                    text_value(
                        &mut self.cell,
                        &decode(f.dtype, &r.data[off..off + len]),
                        r.scope,
                        time,
                    );
                }
                _ => continue,
            }
            csv_cell(b, &self.cell);
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
