//! `-f csv`: RFC 4180 CSV with a header row. Columns are the `-F` list, or else the metadata
//! columns `@export_time,@domain,@template` followed by the union of the field keys of every
//! template in the input, in first-seen order (the caller collects them in a first pass). A
//! record lacking a column gets an empty cell.

use super::cells::{
    FieldOp, Kind, Line, PREFIX_WINDOW, Pos, PrefixText, cell_ipv4, cell_millis, cell_u8, cell_u16,
    cell_u32, cell_u64, copy_padded, field_ranges,
};
use super::render::{csv_cell, text_value};
use super::{Column, Layouts, Meta, PrintOptions, Printer, select, selection_useful, write_meta};
use crate::io::input::ByteSource;
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::text::{
    MAX_SCALAR_TEXT, MillisText, put_ipv4, put_ipv6, put_mac, put_time, put_u64, write_scalar,
};
use crate::ipfix::value::{Value, be_uint};
use crate::ipfix::{DataType, Template, decode};
use std::io::{self, Write};
use std::net::Ipv6Addr;

/// How one column is filled, for one template: the field's [`FieldOp`] with the column's own
/// needs added (metadata, empty cells, the prefix, pairs of cells), flat so a cell takes one
/// dispatch. The common scalar types at a fixed offset get an op of their own (a
/// constant-size read); the rest take the general path through [`Kind`].
#[derive(Clone, Copy)]
enum Op {
    /// This many empty cells in a row (at least one).
    Empty(usize),
    /// The leading metadata columns (this many), whose text is the same for every record of a
    /// data set: written once per data set, copied for the others.
    Prefix(usize),
    ExportTime,
    Meta(Meta),
    U8(usize),
    U16(usize),
    U32(usize),
    U64(usize),
    Ipv4(usize),
    /// dateTimeMilliseconds at a fixed offset; the second number is the column, whose
    /// [`MillisText`] remembers the last minutes written.
    Millis(usize, usize),
    // Two neighbouring columns of the same kind, one dispatch for both: flow records come
    // with fields in pairs (addresses, ports, interfaces, counters, start and end).
    U8x2([usize; 2]),
    U16x2([usize; 2]),
    U32x2([usize; 2]),
    U64x2([usize; 2]),
    Ipv4x2([usize; 2]),
    /// Offsets, then columns.
    Millisx2([usize; 2], [usize; 2]),
    Field {
        pos: Pos,
        /// The declared length (for `Pos::At`).
        len: usize,
        kind: Kind,
        dtype: DataType,
    },
}

struct Layout {
    ops: Vec<Op>,
    /// Whether any op reads a field by `Pos::Nth`, so the record's field ranges must be found.
    walk: bool,
    useful: bool,
}

fn make_layout(cols: &[Column], t: &Template, explicit: bool) -> Layout {
    let sel = select(cols, t);
    let useful = !explicit || selection_useful(cols, &sel);
    let ops = cols
        .iter()
        .zip(&sel)
        .enumerate()
        .map(|(col, (c, s))| match (c, s) {
            (Column::Meta(Meta::ExportTime), _) => Op::ExportTime,
            (Column::Meta(m), _) => Op::Meta(*m),
            (_, Some(i)) => match FieldOp::of(t, *i) {
                FieldOp::U8(off) => Op::U8(off),
                FieldOp::U16(off) => Op::U16(off),
                FieldOp::U32(off) => Op::U32(off),
                FieldOp::U64(off) => Op::U64(off),
                FieldOp::Ipv4(off) => Op::Ipv4(off),
                FieldOp::Millis(off) => Op::Millis(off, col),
                FieldOp::Other {
                    pos,
                    len,
                    kind,
                    dtype,
                } => Op::Field {
                    pos,
                    len,
                    kind,
                    dtype,
                },
            },
            _ => Op::Empty(1),
        });
    let ops = fuse(ops, prefix_len(cols));
    let walk = ops.iter().any(|s| {
        matches!(
            s,
            Op::Field {
                pos: Pos::Nth(_),
                ..
            }
        )
    });
    Layout { ops, walk, useful }
}

/// How many columns at the start are metadata that [`Op::Prefix`] can write: those whose text
/// depends on the message header and the template only. Worth it from two on.
fn prefix_len(cols: &[Column]) -> usize {
    let n = cols
        .iter()
        .take_while(|c| matches!(c, Column::Meta(_)))
        .count();
    if n >= 2 { n } else { 0 }
}

/// Replaces the first `prefix` ops by one [`Op::Prefix`], joins runs of empty cells and pairs
/// of neighbouring cells of one kind, so a record takes fewer dispatches.
fn fuse(ops: impl Iterator<Item = Op>, prefix: usize) -> Vec<Op> {
    let mut out = Vec::new();
    if prefix > 0 {
        out.push(Op::Prefix(prefix));
    }
    for op in ops.skip(prefix) {
        let last = out.last_mut();
        let pair = match (&last, op) {
            (Some(Op::Empty(n)), Op::Empty(m)) => Some(Op::Empty(n + m)),
            (Some(Op::U8(a)), Op::U8(b)) => Some(Op::U8x2([*a, b])),
            (Some(Op::U16(a)), Op::U16(b)) => Some(Op::U16x2([*a, b])),
            (Some(Op::U32(a)), Op::U32(b)) => Some(Op::U32x2([*a, b])),
            (Some(Op::U64(a)), Op::U64(b)) => Some(Op::U64x2([*a, b])),
            (Some(Op::Ipv4(a)), Op::Ipv4(b)) => Some(Op::Ipv4x2([*a, b])),
            (Some(Op::Millis(a, c)), Op::Millis(b, d)) => Some(Op::Millisx2([*a, b], [*c, d])),
            _ => None,
        };
        match (last, pair) {
            (Some(l), Some(p)) => *l = p,
            _ => out.push(op),
        }
    }
    out
}

/// Two cells with the comma between them: `first` at `p`, `second` after it. (Each cell is
/// its own closure, called once: one closure called twice, or a function item, was not
/// inlined, 7% more instructions.)
#[inline(always)]
fn two(
    a: &mut [u8],
    p: usize,
    first: impl FnOnce(&mut [u8], usize) -> usize,
    second: impl FnOnce(&mut [u8], usize) -> usize,
) -> usize {
    let e = first(a, p);
    a[e] = b',';
    second(a, e + 1)
}

fn needs_quotes(cell: &[u8]) -> bool {
    cell.iter()
        .any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

/// Room a record needs in the line buffer besides its `Other` cells: every column's widest
/// scalar text and its separator.
fn room_for(columns: usize) -> usize {
    columns * (MAX_SCALAR_TEXT + 1) + 1
}

pub struct CsvPrinter<'w> {
    out: &'w mut dyn Write,
    line: Line,
    /// Room a record of any template needs besides its general-path cells ([`room_for`]).
    room: usize,
    /// Scratch for values written by the general path (strings, lists, rare types).
    cell: Vec<u8>,
    quoted: Vec<u8>,
    columns: Vec<Column>,
    opts: PrintOptions,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    /// The last `@export_time` written and its text: it changes once per message at most.
    export_time: Option<(u32, Vec<u8>)>,
    prefix: PrefixText,
    /// One per column, for [`Op::Millis`].
    millis: Vec<MillisText>,
}

impl<'w> CsvPrinter<'w> {
    /// `columns` is the final column list; the header is written if `opts.header`.
    pub fn new(out: &'w mut dyn Write, columns: Vec<Column>, opts: PrintOptions) -> Self {
        let mut head = Vec::new();
        if opts.header {
            for (i, c) in columns.iter().enumerate() {
                if i > 0 {
                    head.push(b',');
                }
                csv_cell(&mut head, c.header().as_bytes());
            }
            head.push(b'\n');
        }
        let room = room_for(columns.len());
        CsvPrinter {
            out,
            line: Line::new(&head, room),
            room,
            cell: Vec::new(),
            quoted: Vec::new(),
            opts,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            export_time: None,
            prefix: PrefixText::default(),
            millis: vec![MillisText::default(); columns.len()],
            columns,
        }
    }
}

impl Printer for CsvPrinter<'_> {
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let CsvPrinter {
            out,
            line,
            room,
            cell,
            quoted,
            columns,
            opts,
            layouts,
            ranges,
            export_time,
            prefix,
            millis,
        } = self;
        let time = opts.time;
        let explicit = opts.columns.is_some();
        let layout = layouts.get(r.template, |t: &Template| make_layout(columns, t, explicit));
        if !layout.useful {
            return Ok(());
        }
        if layout.walk {
            field_ranges(r, ranges);
        }
        line.reserve(&mut **out, *room)?;
        // Every value is followed by a comma; the last one becomes the newline.
        // The write position stays in a register through the record: every cell's position
        // depends on the one before, and a round trip through memory per cell made that chain
        // the slowest part of the loop.
        let d = r.data;
        let mut pos = line.pos;
        for op in &layout.ops {
            let a = &mut line.buf[..];
            let p = pos;
            // Scalars (numbers, addresses, times) never hold a character that needs quoting,
            // so they are written straight into the line. A field the record is too short for
            // leaves its cell empty (records are delimited by their template, so it cannot
            // happen; it must not panic either).
            let end = match *op {
                Op::Empty(n) => {
                    match a.get_mut(p..).and_then(|w| w.first_chunk_mut::<8>()) {
                        Some(w) if n <= 8 => *w = [b','; 8],
                        _ => a[p..p + n - 1].fill(b','),
                    }
                    p + n - 1
                }
                Op::Prefix(k) => {
                    let (text, len) = prefix.get(r, |text| {
                        for (i, c) in columns[..k].iter().enumerate() {
                            if i > 0 {
                                text.push(b',');
                            }
                            if let Column::Meta(m) = c {
                                write_meta(text, *m, r, time, false);
                            }
                        }
                    });
                    copy_padded::<PREFIX_WINDOW>(a, p, text, len)
                }
                Op::ExportTime => {
                    let t = r.msg.header.export_time;
                    let e = match &mut *export_time {
                        Some((c, e)) if *c == t => e,
                        slot => {
                            let mut e = Vec::new();
                            write_meta(&mut e, Meta::ExportTime, r, time, false);
                            &mut slot.insert((t, e)).1
                        }
                    };
                    a[p..p + e.len()].copy_from_slice(e);
                    p + e.len()
                }
                // Data records leave @scope empty, so it reads back as "no scope".
                Op::Meta(Meta::Scope) if r.template.scope_count == 0 => p,
                Op::Meta(m) => {
                    let h = &r.msg.header;
                    let v = match m {
                        Meta::Domain => h.domain,
                        Meta::Template => r.template.id as u32,
                        Meta::Sequence => h.sequence,
                        Meta::ExportTime => h.export_time,
                        Meta::Scope => r.template.scope_count as u32,
                        Meta::Version => r.msg.version as u32,
                    };
                    put_u64(a, p, v as u64)
                }
                Op::U8(off) => cell_u8(a, p, d, off),
                Op::U16(off) => cell_u16(a, p, d, off),
                Op::U32(off) => cell_u32(a, p, d, off),
                Op::U64(off) => cell_u64(a, p, d, off),
                Op::Ipv4(off) => cell_ipv4(a, p, d, off),
                Op::Millis(off, col) => cell_millis(a, p, d, off, millis.get_mut(col), time),
                Op::U8x2([o1, o2]) => two(
                    a,
                    p,
                    |a, p| cell_u8(a, p, d, o1),
                    |a, p| cell_u8(a, p, d, o2),
                ),
                Op::U16x2([o1, o2]) => two(
                    a,
                    p,
                    |a, p| cell_u16(a, p, d, o1),
                    |a, p| cell_u16(a, p, d, o2),
                ),
                Op::U32x2([o1, o2]) => two(
                    a,
                    p,
                    |a, p| cell_u32(a, p, d, o1),
                    |a, p| cell_u32(a, p, d, o2),
                ),
                Op::U64x2([o1, o2]) => two(
                    a,
                    p,
                    |a, p| cell_u64(a, p, d, o1),
                    |a, p| cell_u64(a, p, d, o2),
                ),
                Op::Ipv4x2([o1, o2]) => two(
                    a,
                    p,
                    |a, p| cell_ipv4(a, p, d, o1),
                    |a, p| cell_ipv4(a, p, d, o2),
                ),
                Op::Millisx2([o1, o2], [c1, c2]) => {
                    let e = cell_millis(a, p, d, o1, millis.get_mut(c1), time);
                    a[e] = b',';
                    cell_millis(a, e + 1, d, o2, millis.get_mut(c2), time)
                }
                Op::Field {
                    pos,
                    len,
                    kind,
                    dtype,
                } => {
                    match (pos.bytes(d, len, ranges), kind) {
                        (None, _) => p,
                        (Some(b), Kind::Unsigned) => put_u64(a, p, be_uint(b)),
                        (Some(b), Kind::Ipv4) => match <[u8; 4]>::try_from(b) {
                            Ok(o) => put_ipv4(a, p, o),
                            Err(_) => p,
                        },
                        (Some(b), Kind::Ipv6) => match <[u8; 16]>::try_from(b) {
                            Ok(o) => put_ipv6(a, p, Ipv6Addr::from(o)),
                            Err(_) => p,
                        },
                        (Some(b), Kind::Mac) => match <[u8; 6]>::try_from(b) {
                            Ok(m) => put_mac(a, p, &m),
                            Err(_) => p,
                        },
                        (Some(b), Kind::Time) => {
                            put_time(a, p, &decode(dtype, b), time).unwrap_or(p)
                        }
                        (Some(b), Kind::Other) => {
                            // Strings and lists may need quoting; other values (floats,
                            // hex, unsigned256...) are plain but of unbounded width.
                            cell.clear();
                            let v = decode(dtype, b);
                            let text: &[u8] = if matches!(v, Value::String(_) | Value::List(..)) {
                                text_value(cell, &v, r.scope, time);
                                if needs_quotes(cell) {
                                    quoted.clear();
                                    csv_cell(quoted, cell);
                                    quoted
                                } else {
                                    cell
                                }
                            } else {
                                write_scalar(cell, &v, time);
                                cell
                            };
                            // Room for the cell and again for the rest of the record.
                            line.pos = p;
                            line.reserve(&mut **out, text.len() + *room)?;
                            let p = line.pos;
                            line.buf[p..p + text.len()].copy_from_slice(text);
                            p + text.len()
                        }
                    }
                }
            };
            line.buf[end] = b',';
            pos = end + 1;
        }
        if layout.ops.is_empty() {
            line.buf[pos] = b'\n';
            pos += 1;
        } else {
            line.buf[pos - 1] = b'\n';
        }
        line.pos = pos;
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.line.flush(&mut *self.out)
    }
}

/// Columns for CSV without `-F`: `@export_time,@domain,@template`, then the union of the field
/// keys of every template that data sets use (a template without data adds no column). This
/// pass reads set headers only, not records. The union keeps each template's own field order
/// where the templates agree (a merge of the sequences; ties go to the first seen), so
/// CSV -> IPFIX -> CSV gives the columns back in their order. Problems are reported by the
/// decoding pass, not here.
///
/// `sources` are the inputs, already open (`None`: one that could not be opened, which the
/// decoding pass reports). Each is left rewound for that pass where it can be
/// ([`ByteSource::rewind`]); one that cannot is `None` afterwards and must be opened again.
/// With `threads` > 1 the inputs are scanned in parallel; the result does not depend on it.
/// Only templates whose records `options` keeps give columns (`--no-options`: not the options
/// templates').
pub fn union_columns(
    sources: &mut [Option<ByteSource>],
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    threads: usize,
    options: super::OptionsRecords,
) -> Vec<Column> {
    let cols = union(sources, model, threads, options, false);
    cols.into_iter().map(|(c, _)| c).collect()
}

/// [`union_columns`] with each column's type, for typed outputs (Parquet). The pass then also
/// reads the records of templates with a basicList, for the lists' element types.
pub fn union_schema(
    sources: &mut [Option<ByteSource>],
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    threads: usize,
    options: super::OptionsRecords,
) -> Vec<(Column, ColumnType)> {
    union(sources, model, threads, options, true)
}

/// What the first pass learns of a column's values, for typed output (Parquet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// A metadata column (its type is the printer's).
    Meta,
    /// Every template has the field as this type.
    Of(DataType),
    /// A basicList, with its elements' type (`None`: no list was seen).
    List(Option<DataType>),
    /// Templates, or lists, disagree: the column is text.
    Mixed,
}

impl ColumnType {
    fn join(self, o: ColumnType) -> ColumnType {
        match (self, o) {
            (a, b) if a == b => a,
            (ColumnType::List(None), ColumnType::List(x))
            | (ColumnType::List(x), ColumnType::List(None)) => ColumnType::List(x),
            _ => ColumnType::Mixed,
        }
    }

    fn of(t: DataType) -> ColumnType {
        match t {
            DataType::BasicList => ColumnType::List(None),
            t => ColumnType::Of(t),
        }
    }
}

fn join_type(types: &mut std::collections::HashMap<String, ColumnType>, k: &str, t: ColumnType) {
    match types.get_mut(k) {
        Some(old) => *old = old.join(t),
        None => {
            types.insert(k.to_string(), t);
        }
    }
}

fn union(
    sources: &mut [Option<ByteSource>],
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    threads: usize,
    options: super::OptionsRecords,
    typed: bool,
) -> Vec<(Column, ColumnType)> {
    use rayon::prelude::*;
    let scan = |slot: &mut Option<ByteSource>| -> FileKeys {
        let mut keys = FileKeys {
            options_filter: options,
            typed,
            ..FileKeys::default()
        };
        if let Some(src) = slot {
            let mut s = crate::ipfix::Session::new(model.clone());
            crate::io::reader::scan_headers(src, &mut s, &mut keys);
            if !src.rewind() {
                *slot = None;
            }
        }
        keys
    };
    let threads = threads.clamp(1, sources.len().max(1));
    let pool = (threads > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    let per_file: Vec<FileKeys> = match pool {
        Some(pool) => pool.install(|| sources.par_iter_mut().map(scan).collect()),
        None => sources.iter_mut().map(scan).collect(),
    };
    // In input order, as one pass over all files would have seen them.
    let mut seqs: Vec<Vec<String>> = Vec::new();
    let mut known = std::collections::HashSet::new();
    let mut options = false;
    let mut types = std::collections::HashMap::new();
    for f in per_file {
        options |= f.options;
        for (k, t) in f.types {
            join_type(&mut types, &k, t);
        }
        for keys in f.seqs {
            if known.insert(keys.clone()) {
                seqs.push(keys);
            }
        }
    }
    let mut cols: Vec<(Column, ColumnType)> = [Meta::ExportTime, Meta::Domain, Meta::Template]
        .into_iter()
        .map(|m| (Column::Meta(m), ColumnType::Meta))
        .collect();
    if options {
        cols.push((Column::Meta(Meta::Scope), ColumnType::Meta));
    }
    for k in merge_orders(&seqs) {
        if let Ok(col) = Column::parse(&k) {
            let t = types.get(&k).copied().unwrap_or(ColumnType::Mixed);
            cols.push((col, t));
        }
    }
    cols
}

/// The field keys of the templates one file's records use, in first-use order.
#[derive(Default)]
struct FileKeys {
    seqs: Vec<Vec<String>>,
    last: usize,
    /// Template definitions already collected, by address. Records of a few templates
    /// alternate set by set, so the keys are worked out once per definition, not once per
    /// change of template. The map holds the templates, so an address cannot be reused by
    /// another definition while it is here.
    seen: Layouts<()>,
    /// Some record is an options record: the CSV needs an @scope column.
    options: bool,
    known: std::collections::HashSet<Vec<String>>,
    /// Which templates' records will be printed, so which give columns.
    options_filter: super::OptionsRecords,
    /// Also learn the columns' types ([`union_schema`]).
    typed: bool,
    /// Each key's type, as far as this file tells.
    types: std::collections::HashMap<String, ColumnType>,
    /// The (field index, key) of each basicList field, per template (when `typed`).
    lists: Layouts<Vec<(usize, String)>>,
}

impl crate::ipfix::session::Visitor for FileKeys {
    /// A data set of a known template: its keys count; its records need not be walked.
    fn data_set(
        &mut self,
        _m: &crate::ipfix::MessageCtx,
        t: &std::sync::Arc<Template>,
        _body: &[u8],
        _offset: u64,
    ) -> bool {
        let p = std::sync::Arc::as_ptr(t) as usize;
        if p != self.last && self.options_filter.keeps(t) {
            self.last = p;
            self.options |= t.is_options();
            let seqs = &mut self.seqs;
            let known = &mut self.known;
            let (typed, types) = (self.typed, &mut self.types);
            self.seen.get(t, |t| {
                let keys = super::render::field_keys(t);
                if typed {
                    for (k, f) in keys.iter().zip(&t.fields) {
                        join_type(types, k, ColumnType::of(f.dtype));
                    }
                }
                if known.insert(keys.clone()) {
                    seqs.push(keys);
                }
            });
        }
        // Lists' element types are in their records.
        self.typed
            && self.options_filter.keeps(t)
            && t.fields.iter().any(|f| f.dtype == DataType::BasicList)
    }
    fn record(&mut self, r: &RecordRef<'_>) -> crate::ipfix::session::Flow {
        let lists = self.lists.get(r.template, |t| {
            let keys = super::render::field_keys(t);
            (keys.into_iter().enumerate())
                .filter(|(i, _)| t.fields[*i].dtype == DataType::BasicList)
                .collect()
        });
        if !lists.is_empty() {
            for (i, (_, b)) in r.fields().enumerate() {
                let Some((_, k)) = lists.iter().find(|(j, _)| *j == i) else {
                    continue;
                };
                if let Value::List(_, body) = decode(DataType::BasicList, b)
                    && let Ok(l) = crate::ipfix::list::BasicList::parse(body, r.scope)
                {
                    join_type(&mut self.types, k, ColumnType::List(Some(l.field.dtype)));
                }
            }
        }
        crate::ipfix::session::Flow::Continue
    }
    fn problem(&mut self, _e: &crate::ipfix::DecodeError) -> crate::ipfix::session::Flow {
        crate::ipfix::session::Flow::Continue
    }
}

/// Merges sequences into one containing every element once, keeping each sequence's relative
/// order where they do not conflict. Repeatedly takes, from the first sequence whose next
/// element is not still pending later in some other sequence, that element.
pub fn merge_orders(seqs: &[Vec<String>]) -> Vec<String> {
    use std::collections::{HashMap, HashSet};
    // Where each element stands in each sequence (keys are unique within a template).
    let index: Vec<HashMap<&str, usize>> = seqs
        .iter()
        .map(|s| s.iter().enumerate().map(|(i, x)| (x.as_str(), i)).collect())
        .collect();
    let mut pos = vec![0usize; seqs.len()];
    let mut placed: HashSet<&str> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    loop {
        // Skip what is already placed.
        for (i, s) in seqs.iter().enumerate() {
            while pos[i] < s.len() && placed.contains(s[pos[i]].as_str()) {
                pos[i] += 1;
            }
        }
        let heads: Vec<usize> = (0..seqs.len())
            .filter(|&i| pos[i] < seqs[i].len())
            .collect();
        let Some(&first) = heads.first() else {
            return out;
        };
        let blocked = |x: &str| {
            heads
                .iter()
                .any(|&j| index[j].get(x).is_some_and(|&k| k > pos[j]))
        };
        let pick = heads
            .iter()
            .map(|&i| seqs[i][pos[i]].as_str())
            .find(|x| !blocked(x))
            .unwrap_or(seqs[first][pos[first]].as_str());
        placed.insert(pick);
        out.push(pick.to_string());
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
