//! `--schema flow`: every data record as one record of fixed fields, the same for NetFlow v5,
//! v9 and IPFIX (../shared/spec/FLOW_SCHEMA.md, goflow2's mapping), as CSV, JSON or text.
//!
//! The fields, their sources and their biflow reverses are one table ([`schema::FIELDS`]),
//! resolved once per template ([`schema::Plan`]); per record the printer fills a fixed row of
//! cells and writes the selected columns ([`View`]: `-F`, `--rename`, `--map`, `--render`).
//! What a record needs from elsewhere in its domain (the latest systemInitTimeMilliseconds,
//! the sampling rates of the exporter's options records) is kept per domain by
//! [`domain::Domains`]. Options records feed that state and are not printed: they are not
//! flows.
//!
//! A record carrying a sampled packet (dataLinkFrameSection 315, ipHeaderPacketSection 313)
//! gets the fields it lacks from that packet's headers ([`crate::packet`]).
//!
//! Biflows (RFC 5103, reverse IEs under PEN 29305) become two records, the initiator's and,
//! when its counters are not zero, the responder's with addresses, ports, MACs, interfaces,
//! VLANs, AS numbers and prefixes swapped and the reverse counters, TOS, TTL and flags (times
//! and the rest as the initiator's); with `--no-split-biflow` one record with
//! `reverse_bytes`/`reverse_packets`.

pub mod domain;
pub mod schema;

use super::cells::{
    CELL_ROOM, Line, cell_u8, cell_u16, cell_u32, cell_u64, copy_padded, fixed, quoted,
};
use super::render::{csv_cell, json_str, json_value, text_value};
use super::{Layouts, Printer};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::text::{
    MAX_NS_MILLIS, TimeStyle, put_i64, put_ipv4, put_ipv6, put_mac, put_millis, put_ns_of_millis,
    put_rfc3339, put_u8, put_u64,
};
use crate::ipfix::value::Instant;
use crate::ipfix::{InfoModel, Template, decode};
use domain::Domains;
use schema::{Addr, At, Cell, Context, FIELDS, Fill, Plan};
use std::io::{self, Write};
use std::sync::Arc;

/// How a column's value is written, where a field has more than one form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Render {
    /// The field's own form: a prefix of the address for `src_net`/`dst_net`, MACs as
    /// `aa:bb:cc:dd:ee:ff`.
    Default,
    /// As an integer: the prefix length, the MAC's 48-bit value.
    Int,
}

/// Where a column's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A field of the schema (index into [`schema::FIELDS`]).
    Schema(usize),
    /// Any IE of the record (`--map NAME=IE`), written as in raw output.
    Ie(u32, u16),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub source: Source,
    pub render: Render,
    /// A `--map` IE's type, where the model knows it (Parquet's column type).
    pub ie_type: Option<crate::ipfix::DataType>,
}

/// The flow view's columns and forms, from the flags.
#[derive(Clone, Debug)]
pub struct View {
    pub columns: Vec<Column>,
    pub split_biflow: bool,
    /// Times as integers (ns since 1970, `Epoch`) or RFC 3339.
    pub time: TimeStyle,
}

/// The flags of the flow view, as given.
#[derive(Clone, Debug, Default)]
pub struct ViewArgs<'a> {
    pub fields: Option<&'a str>,
    pub renames: &'a [String],
    pub maps: &'a [String],
    pub renders: &'a [String],
    pub no_split_biflow: bool,
    pub iso_time: bool,
}

fn pair<'s>(flag: &str, s: &'s str) -> Result<(&'s str, &'s str), String> {
    match s.split_once('=') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => Ok((a.trim(), b.trim())),
        _ => Err(format!("{flag} {s:?}: expected NAME=VALUE")),
    }
}

impl View {
    /// The view of the flags: `-F` names schema fields and `--map` names (default: every
    /// schema field, `reverse_*` only with `--no-split-biflow`, then the maps).
    pub fn new(a: &ViewArgs<'_>, model: &InfoModel) -> Result<View, String> {
        let mut maps: Vec<Column> = Vec::new();
        for m in a.maps {
            let (name, ie) = pair("--map", m)?;
            let (pen, id) = crate::ipfix::registry::parse_unknown_name(ie)
                .or_else(|| model.by_name(ie).map(|d| (d.pen, d.id)))
                .or_else(|| {
                    let (p, i) = ie.split_once('/')?;
                    Some((p.parse().ok()?, i.parse().ok()?))
                })
                .ok_or_else(|| {
                    let hint = crate::ipfix::suggest::suggest_name(model, ie)
                        .map(|n| format!("; did you mean {n}?"))
                        .unwrap_or_default();
                    format!("--map {m:?}: unknown IE {ie:?}{hint} (an IE name, en<PEN>:id<ID> or pen/id)")
                })?;
            if schema::index(name).is_some() || maps.iter().any(|c| c.name == name) {
                return Err(format!("--map {m:?}: {name:?} is already a field"));
            }
            maps.push(Column {
                name: name.to_string(),
                source: Source::Ie(pen, id),
                render: Render::Default,
                ie_type: model.get(pen, id).map(|d| d.dtype),
            });
        }
        let mut columns: Vec<Column> = match a.fields {
            Some(list) => list
                .split(',')
                .map(|n| {
                    let n = n.trim();
                    if let Some(i) = schema::index(n) {
                        return Ok(Column {
                            name: n.to_string(),
                            source: Source::Schema(i),
                            render: Render::Default,
                            ie_type: None,
                        });
                    }
                    maps.iter().find(|c| c.name == n).cloned().ok_or_else(|| {
                        let hint = closest(n).map(|c| format!("; did you mean {c}?")).unwrap_or_default();
                        format!("--fields: {n:?} is not a field of --schema flow{hint} (add other IEs with --map NAME=IE)")
                    })
                })
                .collect::<Result<_, String>>()?,
            None => {
                let reverse = [schema::REVERSE_BYTES, schema::REVERSE_PACKETS];
                let mut c: Vec<Column> = (0..schema::N)
                    .filter(|i| a.no_split_biflow || !reverse.contains(i))
                    .map(|i| Column {
                        name: FIELDS[i].name.to_string(),
                        source: Source::Schema(i),
                        render: Render::Default,
                        ie_type: None,
                    })
                    .collect();
                c.extend(maps.iter().cloned());
                c
            }
        };
        for r in a.renders {
            let (name, how) = pair("--render", r)?;
            let c = columns
                .iter_mut()
                .find(|c| c.name == name)
                .ok_or_else(|| format!("--render {r:?}: {name:?} is not an output field"))?;
            let kind = match &c.source {
                Source::Schema(i) => FIELDS[*i].name,
                Source::Ie(..) => "",
            };
            c.render = match (kind, how) {
                ("src_net" | "dst_net", "prefix") | ("src_mac" | "dst_mac", "mac") => {
                    Render::Default
                }
                ("src_net" | "dst_net" | "src_mac" | "dst_mac", "int") => Render::Int,
                ("src_net" | "dst_net", _) => {
                    return Err(format!("--render {r:?}: {name} renders as prefix or int"));
                }
                ("src_mac" | "dst_mac", _) => {
                    return Err(format!("--render {r:?}: {name} renders as mac or int"));
                }
                _ => {
                    return Err(format!(
                        "--render {r:?}: only src_net, dst_net, src_mac and dst_mac have other forms"
                    ));
                }
            };
        }
        for r in a.renames {
            let (from, to) = pair("--rename", r)?;
            if columns.iter().any(|c| c.name == to) {
                return Err(format!("--rename {r:?}: {to:?} is already an output field"));
            }
            let c = columns
                .iter_mut()
                .find(|c| c.name == from)
                .ok_or_else(|| format!("--rename {r:?}: {from:?} is not an output field"))?;
            c.name = to.to_string();
        }
        Ok(View {
            columns,
            split_biflow: !a.no_split_biflow,
            time: if a.iso_time {
                TimeStyle::Rfc3339
            } else {
                TimeStyle::Epoch
            },
        })
    }

    /// The CSV header row.
    pub fn header(&self) -> Vec<u8> {
        let mut b = Vec::new();
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            csv_cell(&mut b, c.name.as_bytes());
        }
        b.push(b'\n');
        b
    }
}

/// The schema field nearest a misspelt name.
fn closest(n: &str) -> Option<&'static str> {
    crate::ipfix::suggest::closest(n, FIELDS.iter().map(|f| f.name))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Csv { header: bool },
    Json,
    Text,
}

/// How one column is written for records of one template: the common fields at fixed
/// offsets straight from the record, the rest through a [`Cell`].
#[derive(Clone, Copy)]
enum Col {
    U8(usize),
    U16(usize),
    U32(usize),
    U64(usize),
    V4(usize),
    V6(usize),
    /// dateTimeMilliseconds, as ns or RFC 3339.
    Millis(usize),
    /// A port unless the protocol is ICMP (`Fill::PortAt`).
    PortAt(usize, usize),
    /// Schema field `k` through its cell, written in its form.
    Cell(Fill, usize, Render),
    /// Schema field `k`, which the template lacks: absent unless the record's packet has it.
    Absent(usize, Render),
    /// A `--map` IE, where the template has it.
    Map(Option<At>),
}

impl Col {
    fn of(fill: Fill, k: usize, render: Render) -> Col {
        match fill {
            Fill::U8(o) => Col::U8(o),
            Fill::U16(o) => Col::U16(o),
            Fill::U32(o) => Col::U32(o),
            Fill::U64(o) => Col::U64(o),
            Fill::V4(o) => Col::V4(o),
            Fill::Millis(o) => Col::Millis(o),
            Fill::PortAt(o, p) => Col::PortAt(o, p),
            Fill::V6(o) => Col::V6(o),
            Fill::None => Col::Absent(k, render),
            _ => Col::Cell(fill, k, render),
        }
    }
}

struct Layout {
    plan: Plan,
    /// The columns of the initiator's record and, for a biflow, the responder's.
    fwd: Vec<Col>,
    rev: Option<Vec<Col>>,
}

fn make_layout(view: &View, t: &Template) -> Layout {
    let plan = Plan::new(t);
    let cols = |reverse: bool| -> Vec<Col> {
        let fills = plan.fills(reverse);
        (view.columns.iter())
            .map(|c| match c.source {
                Source::Schema(k) => Col::of(fills[k], k, c.render),
                Source::Ie(pen, id) => Col::Map(
                    (t.fields.iter())
                        .position(|f| f.pen == pen && f.id == id)
                        .map(|i| schema::at(t, i)),
                ),
            })
            .collect()
    };
    Layout {
        fwd: cols(false),
        rev: plan.is_biflow().then(|| cols(true)),
        plan,
    }
}

/// Keys up to this long are copied as one fixed-size block.
const KEY_WINDOW: usize = 48;

/// The text before each column's value: `,` (CSV), `,"name":` (JSON), ` name=` (text), padded
/// to more than [`KEY_WINDOW`] octets; the first value written skips the separator.
struct Key {
    text: Vec<u8>,
    len: usize,
}

/// Room for the widest value of a column: an MPLS label list is the widest schema value.
fn value_room(c: &Column) -> usize {
    match c.source {
        Source::Schema(k) if FIELDS[k].name == "mpls_label" => 96,
        _ => CELL_ROOM,
    }
}

/// The text side of the printer: the columns' keys and the line they are written into.
pub struct Out<'w> {
    out: &'w mut dyn Write,
    view: Arc<View>,
    form: Form,
    keys: Vec<Key>,
    /// Room the fast cells of one output record need.
    room: usize,
    line: Line,
    /// A `--map` value's text, and as a CSV cell.
    value: Vec<u8>,
    quoted: Vec<u8>,
}

/// Where the view's output records go: text, CSV or JSON lines ([`FlowPrinter::new`]), or
/// typed columns (`super::parquet`). The printer decides which records and rows there are
/// (options records feed the domain state, biflows split); the sink writes each row.
pub trait FlowSink {
    /// Before each message.
    fn message(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn row(&mut self, row: &Row<'_, '_>) -> io::Result<()>;
    /// At the end of an input.
    fn finish(&mut self) -> io::Result<()>;
    /// When the output ends (after every input).
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One output record of the view, for a [`FlowSink`]: its columns' values, read on demand.
pub struct Row<'a, 'r> {
    cols: &'a [Col],
    x: &'a RowCtx<'a, 'r>,
}

/// A column's value in a [`Row`].
pub enum Got<'r> {
    /// A schema field (absent: [`Cell::Absent`]).
    Cell(Cell),
    /// A `--map` IE as the record has it.
    Ie(crate::ipfix::Value<'r>),
}

impl<'r> Row<'_, 'r> {
    /// The value of column `i` (of the view's columns).
    #[inline]
    pub fn get(&self, i: usize) -> Got<'r> {
        let x = self.x;
        let d = x.r.data;
        let u = |v: Option<u64>| v.map_or(Cell::Absent, Cell::U);
        Got::Cell(match self.cols.get(i) {
            None => Cell::Absent,
            Some(Col::U8(o)) => u(d.get(*o).map(|&b| b as u64)),
            Some(Col::U16(o)) => u(fixed::<2>(d, *o).map(|b| u16::from_be_bytes(b) as u64)),
            Some(Col::U32(o)) => u(fixed::<4>(d, *o).map(|b| u32::from_be_bytes(b) as u64)),
            Some(Col::U64(o)) => u(fixed::<8>(d, *o).map(u64::from_be_bytes)),
            Some(Col::V4(o)) => fixed::<4>(d, *o).map_or(Cell::Absent, |b| Cell::Addr(Addr::V4(b))),
            Some(Col::V6(o)) => {
                fixed::<16>(d, *o).map_or(Cell::Absent, |b| Cell::Addr(Addr::V6(b)))
            }
            Some(Col::Millis(o)) => match fixed::<8>(d, *o).map(u64::from_be_bytes) {
                Some(ms) if ms <= MAX_NS_MILLIS => Cell::Time(ms as i64 * 1_000_000),
                _ => Cell::Absent,
            },
            Some(Col::PortAt(o, proto)) => match d.get(*proto) {
                Some(1 | 58) => Cell::Absent,
                _ => u(fixed::<2>(d, *o).map(|b| u16::from_be_bytes(b) as u64)),
            },
            Some(Col::Absent(k, _)) => x
                .packet
                .map_or(Cell::Absent, |pk| schema::from_packet(*k, pk)),
            Some(Col::Cell(fill, k, _)) => {
                let cell = x.plan.cell(*fill, x.r, x.cx, x.ranges);
                match (&cell, x.packet) {
                    (Cell::Absent, Some(pk)) => schema::from_packet(*k, pk),
                    _ => cell,
                }
            }
            Some(Col::Map(at)) => {
                return match at.and_then(|a| Some((a.dtype, a.bytes(d, x.ranges)?))) {
                    Some((dtype, b)) => Got::Ie(decode(dtype, b)),
                    None => Got::Cell(Cell::Absent),
                };
            }
        })
    }

    /// The flow's start, in ns since 1970 (the `time_flow_start_ns` field, whether or not it
    /// is a column).
    pub fn start_ns(&self) -> Option<i64> {
        let x = self.x;
        let fill = x.plan.fills(false)[schema::TIME_START];
        match x.plan.cell(fill, x.r, x.cx, x.ranges) {
            Cell::Time(ns) => Some(ns),
            _ => None,
        }
    }

    /// The record's scope, for the text of a `--map` list value.
    pub fn scope(&self) -> &dyn crate::ipfix::list::Scope {
        self.x.r.scope
    }
}

/// The flow start of raw records (`--partition`): what the flow schema's
/// `time_flow_start_ns` is for them, from the template's start IE at any precision, uptimes
/// with the domain's systemInitTimeMilliseconds, or a delta from the export time.
#[derive(Default)]
pub struct Starts {
    plans: Layouts<Plan>,
    domains: Domains,
    ranges: Vec<(usize, usize)>,
}

impl Starts {
    /// The start of `r`'s flow in ns since 1970; None for options records and records
    /// without one.
    pub fn of(&mut self, r: &RecordRef<'_>) -> Option<i64> {
        let plan = self.plans.get(r.template, Plan::new);
        plan.walk(r, &mut self.ranges);
        let cx = self.domains.observe(r, plan, &self.ranges);
        if r.template.is_options() {
            return None;
        }
        let fill = plan.fills(false)[schema::TIME_START];
        match plan.cell(fill, r, &cx, &self.ranges) {
            Cell::Time(ns) => Some(ns),
            _ => None,
        }
    }
}

/// The text of a cell in `render`'s form, as text output writes it (times in RFC 3339).
pub fn cell_text(out: &mut Vec<u8>, cell: &Cell, render: Render) {
    out.clear();
    out.resize(CELL_ROOM + 96, 0);
    let end = put_cell(out, 0, cell, render, TimeStyle::Rfc3339, false, false);
    out.truncate(end);
}

pub struct FlowPrinter<'w, S: FlowSink = Out<'w>> {
    w: S,
    view: Arc<View>,
    layouts: Layouts<Layout>,
    domains: Domains,
    ranges: Vec<(usize, usize)>,
    _out: std::marker::PhantomData<&'w mut ()>,
}

impl<'w, S: FlowSink> FlowPrinter<'w, S> {
    /// The view's records into `sink`.
    pub fn with_sink(view: Arc<View>, sink: S) -> Self {
        FlowPrinter {
            w: sink,
            view,
            layouts: Layouts::default(),
            domains: Domains::default(),
            ranges: Vec::new(),
            _out: std::marker::PhantomData,
        }
    }
}

impl<'w> FlowPrinter<'w> {
    /// The view's records as text, CSV or JSON lines into `out`.
    pub fn new(out: &'w mut dyn Write, view: Arc<View>, form: Form) -> Self {
        let keys: Vec<Key> = (view.columns.iter())
            .map(|c| {
                let mut text = Vec::new();
                match form {
                    Form::Csv { .. } => text.push(b','),
                    Form::Json => {
                        text.push(b',');
                        json_str(&mut text, &c.name);
                        text.push(b':');
                    }
                    Form::Text => {
                        text.push(b' ');
                        text.extend_from_slice(c.name.as_bytes());
                        text.push(b'=');
                    }
                }
                let len = text.len();
                text.resize(len.max(KEY_WINDOW + 1), 0);
                Key { text, len }
            })
            .collect();
        let room = 2
            + (keys.iter().zip(&view.columns))
                .map(|(k, c)| k.len + value_room(c))
                .sum::<usize>();
        let w = Out {
            out,
            view: view.clone(),
            form,
            room,
            keys,
            line: Line::new(&[], room),
            value: Vec::new(),
            quoted: Vec::new(),
        };
        FlowPrinter::with_sink(view, w)
    }
}

impl FlowSink for Out<'_> {
    fn message(&mut self) -> io::Result<()> {
        self.header_once()
    }
    fn row(&mut self, row: &Row<'_, '_>) -> io::Result<()> {
        self.write_row(row.cols, row.x)
    }
    fn finish(&mut self) -> io::Result<()> {
        self.header_once()?;
        self.line.flush(self.out)
    }
}

impl Out<'_> {
    /// The CSV header row, before the first message (or at the end of an input with none).
    fn header_once(&mut self) -> io::Result<()> {
        if let Form::Csv { header: true } = self.form {
            self.form = Form::Csv { header: false };
            let h = self.view.header();
            self.line.reserve(self.out, h.len())?;
            let p = self.line.pos;
            self.line.buf[p..p + h.len()].copy_from_slice(&h);
            self.line.pos += h.len();
        }
        Ok(())
    }
}

/// What writing one output record takes besides its columns.
struct RowCtx<'a, 'r> {
    r: &'a RecordRef<'r>,
    plan: &'a Plan,
    cx: &'a Context,
    ranges: &'a [(usize, usize)],
    /// The sampled packet's headers, for the fields the record lacks.
    packet: Option<&'a crate::packet::Packet>,
}

const CSV: u8 = 0;
const JSON: u8 = 1;
const TEXT: u8 = 2;

impl Out<'_> {
    /// Writes one output record: the columns `cols`, each after its key, absent ones empty
    /// (CSV) or left out (JSON, text).
    fn write_row(&mut self, cols: &[Col], x: &RowCtx<'_, '_>) -> io::Result<()> {
        match self.form {
            Form::Csv { .. } => self.write_form::<CSV>(cols, x),
            Form::Json => self.write_form::<JSON>(cols, x),
            Form::Text => self.write_form::<TEXT>(cols, x),
        }
    }

    /// [`Out::write_row`] for one form (`F`: [`CSV`], [`JSON`], [`TEXT`]), so that the
    /// choices of the form are made at compile time.
    #[inline(always)]
    fn write_form<const F: u8>(&mut self, cols: &[Col], x: &RowCtx<'_, '_>) -> io::Result<()> {
        let (csv, json) = (F == CSV, F == JSON);
        let time = self.view.time;
        self.line.reserve(self.out, self.room)?;
        let mut pos = self.line.pos;
        if json {
            self.line.buf[pos] = b'{';
            pos += 1;
        }
        let mut first = true;
        for (i, col) in cols.iter().enumerate() {
            let start = pos;
            if !csv {
                // The key, the first one without its separator.
                if let Some(k) = self.keys.get(i) {
                    let skip = first as usize;
                    pos = copy_padded::<KEY_WINDOW>(
                        &mut self.line.buf,
                        pos,
                        &k.text[skip..],
                        k.len - skip,
                    );
                }
            }
            let p = pos;
            pos = match *col {
                Col::Map(at) => match self.map_value::<F>(at, x, p)? {
                    Some(end) => end,
                    None => p,
                },
                _ => put_col::<F>(&mut self.line.buf, p, col, x, time),
            };
            if csv {
                // Every column, each followed by a comma (the last one becomes the newline).
                self.line.buf[pos] = b',';
                pos += 1;
            } else if pos == p {
                // Absent: no key either.
                pos = start;
            } else {
                first = false;
            }
        }
        if csv && !cols.is_empty() {
            pos -= 1;
        }
        if json {
            self.line.buf[pos] = b'}';
            pos += 1;
        }
        self.line.buf[pos] = b'\n';
        self.line.pos = pos + 1;
        Ok(())
    }

    /// Writes a `--map` column's value at `p` (as in raw output); its end, or None when the
    /// record lacks the IE. Room is reserved for the value and again for the rest of the
    /// record, which can write out the line so far: the write position may move.
    #[cold]
    fn map_value<const F: u8>(
        &mut self,
        at: Option<At>,
        x: &RowCtx<'_, '_>,
        p: usize,
    ) -> io::Result<Option<usize>> {
        let time = self.view.time;
        let Some((dtype, b)) = at.and_then(|a| Some((a.dtype, a.bytes(x.r.data, x.ranges)?)))
        else {
            return Ok(None);
        };
        let v = decode(dtype, b);
        self.value.clear();
        let text = match F {
            JSON => {
                json_value(&mut self.value, &v, x.r.scope, time, 0);
                &self.value
            }
            CSV => {
                text_value(&mut self.value, &v, x.r.scope, time);
                self.quoted.clear();
                csv_cell(&mut self.quoted, &self.value);
                &self.quoted
            }
            _ => {
                text_value(&mut self.value, &v, x.r.scope, time);
                &self.value
            }
        };
        self.line.pos = p;
        self.line.reserve(self.out, text.len() + self.room)?;
        let p = self.line.pos;
        self.line.buf[p..p + text.len()].copy_from_slice(text);
        Ok(Some(p + text.len()))
    }
}

/// Writes one column that is not a `--map` one at `a[p..]`; returns its end (`p`: absent).
#[inline(always)]
fn put_col<const F: u8>(
    a: &mut [u8],
    p: usize,
    col: &Col,
    x: &RowCtx<'_, '_>,
    time: TimeStyle,
) -> usize {
    let (d, json) = (x.r.data, F == JSON);
    match *col {
        Col::U8(o) => cell_u8(a, p, d, o),
        Col::U16(o) => cell_u16(a, p, d, o),
        Col::U32(o) => cell_u32(a, p, d, o),
        Col::U64(o) => cell_u64(a, p, d, o),
        Col::V4(o) => match fixed::<4>(d, o) {
            Some(v) => q(json, a, p, |a, p| put_ipv4(a, p, v)),
            None => p,
        },
        Col::V6(o) => match fixed::<16>(d, o) {
            Some(v) => q(json, a, p, |a, p| put_ipv6(a, p, v.into())),
            None => p,
        },
        Col::Millis(o) => match fixed::<8>(d, o).map(u64::from_be_bytes) {
            Some(ms) if ms <= MAX_NS_MILLIS => match time {
                TimeStyle::Epoch => put_ns_of_millis(a, p, ms),
                TimeStyle::Rfc3339 => q(json, a, p, |a, p| put_millis(a, p, ms, time)),
            },
            _ => p,
        },
        Col::PortAt(o, proto) => match d.get(proto) {
            Some(1 | 58) => p,
            _ => cell_u16(a, p, d, o),
        },
        Col::Cell(fill, k, render) => {
            let mut cell = x.plan.cell(fill, x.r, x.cx, x.ranges);
            if let (Cell::Absent, Some(pk)) = (&cell, x.packet) {
                cell = schema::from_packet(k, pk);
            }
            put_cell(a, p, &cell, render, time, json, F == CSV)
        }
        Col::Absent(k, render) => match x.packet {
            Some(pk) => put_cell(
                a,
                p,
                &schema::from_packet(k, pk),
                render,
                time,
                json,
                F == CSV,
            ),
            None => p,
        },
        Col::Map(_) => p,
    }
}

/// `cell` between double quotes in JSON.
#[inline(always)]
fn q(json: bool, a: &mut [u8], p: usize, f: impl FnOnce(&mut [u8], usize) -> usize) -> usize {
    if json { quoted(a, p, f) } else { f(a, p) }
}

/// Writes the text of one cell at `a[p..]` (room for [`value_room`] reserved); returns its
/// end. Absent is empty. No CSV cell of the schema needs quoting but `mpls_label`'s, which
/// `csv` quotes.
#[inline]
fn put_cell(
    a: &mut [u8],
    p: usize,
    cell: &Cell,
    render: Render,
    time: TimeStyle,
    json: bool,
    csv: bool,
) -> usize {
    match *cell {
        Cell::Absent => p,
        Cell::U(v) => put_u64(a, p, v),
        Cell::Addr(x) => q(json, a, p, |a, p| put_addr(a, p, x)),
        Cell::Mac(m) if render == Render::Int => {
            put_u64(a, p, m.iter().fold(0u64, |acc, &x| acc << 8 | x as u64))
        }
        Cell::Mac(m) => q(json, a, p, |a, p| put_mac(a, p, &m)),
        Cell::Time(ns) => match time {
            TimeStyle::Epoch => put_i64(a, p, ns),
            TimeStyle::Rfc3339 => q(json, a, p, |a, p| {
                let nanos = ns.rem_euclid(1_000_000_000) as u32;
                let digits = if nanos % 1_000_000 == 0 {
                    3
                } else if nanos % 1000 == 0 {
                    6
                } else {
                    9
                };
                let secs = ns.div_euclid(1_000_000_000);
                put_rfc3339(
                    a,
                    p,
                    Instant {
                        secs,
                        nanos,
                        digits,
                    },
                )
            }),
        },
        Cell::Net(len, Some(x)) if render == Render::Default => q(json, a, p, |a, p| {
            let e = put_addr(a, p, masked(x, len));
            a[e] = b'/';
            put_u8(a, e + 1, len)
        }),
        Cell::Net(len, _) => put_u8(a, p, len),
        Cell::Text(s) => q(json, a, p, |a, p| {
            a[p..p + s.len()].copy_from_slice(s.as_bytes());
            p + s.len()
        }),
        // `[16,17]` in every form: in CSV a text however many labels (a lone `16` would
        // read as a number in one file and `16,17` as text in another), quoted there.
        Cell::Labels(l, n) => q(csv, a, p, |a, mut p| {
            a[p] = b'[';
            p += 1;
            for (k, label) in l[..n as usize].iter().enumerate() {
                if k > 0 {
                    a[p] = b',';
                    p += 1;
                }
                p = put_u64(a, p, u64::from(*label));
            }
            a[p] = b']';
            p + 1
        }),
    }
}

fn put_addr(a: &mut [u8], p: usize, x: Addr) -> usize {
    match x {
        Addr::V4(b) => put_ipv4(a, p, b),
        Addr::V6(b) => put_ipv6(a, p, b.into()),
    }
}

/// The address with the bits past `len` cleared.
fn masked(a: Addr, len: u8) -> Addr {
    fn clear<const W: usize>(mut b: [u8; W], len: u8) -> [u8; W] {
        for (i, x) in b.iter_mut().enumerate() {
            let keep = (len as usize).saturating_sub(i * 8).min(8);
            *x &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
        }
        b
    }
    match a {
        Addr::V4(b) => Addr::V4(clear(b, len)),
        Addr::V6(b) => Addr::V6(clear(b, len)),
    }
}

impl<S: FlowSink> Printer for FlowPrinter<'_, S> {
    fn message(&mut self, _m: &crate::ipfix::session::MessageCtx) -> io::Result<()> {
        self.w.message()
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let FlowPrinter {
            w,
            view,
            layouts,
            domains,
            ranges,
            ..
        } = self;
        let layout = layouts.get(r.template, |t| make_layout(view, t));
        let plan = &layout.plan;
        plan.walk(r, ranges);
        let cx = domains.observe(r, plan, ranges);
        if r.template.is_options() {
            return Ok(());
        }
        let packet = plan.packet(r, ranges);
        let mut x = RowCtx {
            r,
            plan,
            cx: &cx,
            ranges,
            packet: packet.as_ref(),
        };
        w.row(&Row {
            cols: &layout.fwd,
            x: &x,
        })?;
        if let (Some(rev), true) = (&layout.rev, view.split_biflow) {
            let fills = plan.fills(true);
            let counted =
                |k: usize| matches!(plan.cell(fills[k], r, &cx, ranges), Cell::U(n) if n > 0);
            if counted(schema::BYTES) || counted(schema::PACKETS) {
                x.packet = None;
                w.row(&Row { cols: rev, x: &x })?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.w.finish()
    }

    fn close(&mut self) -> io::Result<()> {
        self.w.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text `put_cell` writes for `cell` in CSV, JSON and text form.
    fn text(cell: Cell, render: Render, time: TimeStyle) -> [String; 3] {
        [(false, true), (true, false), (false, false)].map(|(json, csv)| {
            let mut a = vec![b'#'; 200];
            let end = put_cell(&mut a, 3, &cell, render, time, json, csv);
            String::from_utf8(a[3..end].to_vec()).unwrap()
        })
    }

    fn all(s: &str) -> [String; 3] {
        [s, s, s].map(String::from)
    }

    /// Each renderer in each form: `[csv, json, text]`.
    #[test]
    fn every_renderer_in_every_form() {
        let (d, e) = (Render::Default, TimeStyle::Epoch);
        assert_eq!(text(Cell::Absent, d, e), all(""));
        assert_eq!(text(Cell::U(0), d, e), all("0"));
        assert_eq!(text(Cell::U(u64::MAX), d, e), all("18446744073709551615"));
        let v4 = Cell::Addr(Addr::V4([192, 0, 2, 1]));
        assert_eq!(text(v4, d, e), ["192.0.2.1", "\"192.0.2.1\"", "192.0.2.1"]);
        let mut b6 = [0u8; 16];
        b6[..4].copy_from_slice(&[0x20, 1, 0xd, 0xb8]);
        b6[15] = 1;
        let v6 = Cell::Addr(Addr::V6(b6));
        assert_eq!(text(v6, d, e)[1], "\"2001:db8::1\"");
        let mac = Cell::Mac([0, 0x0c, 0x29, 0x8d, 0xaf, 0xc3]);
        assert_eq!(
            text(mac, d, e),
            [
                "00:0c:29:8d:af:c3",
                "\"00:0c:29:8d:af:c3\"",
                "00:0c:29:8d:af:c3"
            ]
        );
        assert_eq!(text(mac, Render::Int, e), all("52236758979"));
        // Times: ns since 1970, or RFC 3339 at the precision the value has.
        let t = |ns: i64| Cell::Time(ns);
        assert_eq!(
            text(t(1_700_000_000_123_000_000), d, e),
            all("1700000000123000000")
        );
        assert_eq!(text(t(-1_000_000_000), d, e), all("-1000000000"));
        let iso = TimeStyle::Rfc3339;
        assert_eq!(
            text(t(1_700_000_000_123_000_000), d, iso),
            [
                "2023-11-14T22:13:20.123Z",
                "\"2023-11-14T22:13:20.123Z\"",
                "2023-11-14T22:13:20.123Z"
            ]
        );
        assert_eq!(
            text(t(1_700_000_000_123_456_000), d, iso)[0],
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(
            text(t(1_700_000_000_123_456_789), d, iso)[0],
            "2023-11-14T22:13:20.123456789Z"
        );
        assert_eq!(text(t(-1), d, iso)[0], "1969-12-31T23:59:59.999999999Z");
        // Prefixes: the address cut to the length, or the length; with no address, the length.
        let net = Cell::Net(20, Some(Addr::V4([10, 1, 255, 3])));
        assert_eq!(
            text(net, d, e),
            ["10.1.240.0/20", "\"10.1.240.0/20\"", "10.1.240.0/20"]
        );
        assert_eq!(text(net, Render::Int, e), all("20"));
        assert_eq!(
            text(Cell::Net(0, Some(Addr::V4([10, 1, 2, 3]))), d, e)[0],
            "0.0.0.0/0"
        );
        assert_eq!(
            text(Cell::Net(32, Some(Addr::V4([10, 1, 2, 3]))), d, e)[0],
            "10.1.2.3/32"
        );
        assert_eq!(
            text(Cell::Net(28, Some(Addr::V6(b6))), d, e)[0],
            "2001:db0::/28"
        );
        assert_eq!(text(Cell::Net(24, None), d, e), all("24"));
        assert_eq!(
            text(Cell::Text("IPFIX"), d, e),
            ["IPFIX", "\"IPFIX\"", "IPFIX"]
        );
        // MPLS labels: a list in every form, quoted in CSV (one cell).
        let mut l = [0u32; 10];
        l[..2].copy_from_slice(&[16, 1_048_575]);
        assert_eq!(
            text(Cell::Labels(l, 2), d, e),
            ["\"[16,1048575]\"", "[16,1048575]", "[16,1048575]"]
        );
        let wide = Cell::Labels([1_048_575; 10], 10);
        let csv = &text(wide, d, e)[0];
        assert!(
            csv.len()
                < value_room(&Column {
                    name: "mpls_label".into(),
                    source: Source::Schema(schema::index("mpls_label").unwrap()),
                    render: d,
                    ie_type: None,
                }),
            "{csv}"
        );
    }

    /// The widest text of each cell fits in the room reserved for it.
    #[test]
    fn the_widest_cells_fit_their_room() {
        let widest = [
            Cell::U(u64::MAX),
            Cell::Addr(Addr::V6([0xff; 16])),
            Cell::Net(128, Some(Addr::V6([0xff; 16]))),
            Cell::Time(i64::MIN),
            Cell::Time(i64::MAX),
            Cell::Mac([0xff; 6]),
        ];
        for c in widest {
            for time in [TimeStyle::Epoch, TimeStyle::Rfc3339] {
                for t in text(c, Render::Default, time) {
                    assert!(t.len() + 2 <= CELL_ROOM, "{t}");
                }
            }
        }
    }
}
