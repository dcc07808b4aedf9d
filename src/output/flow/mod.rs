//! `--schema flow`: every data record as one record of fixed fields, the same for NetFlow v5,
//! v9 and IPFIX (../shared/spec/FLOW_SCHEMA.md, goflow2's mapping), as CSV, JSON or text.
//!
//! The fields, their sources and their biflow reverses are one table ([`schema::FIELDS`]),
//! resolved once per template ([`schema::Plan`]); per record the printer fills a fixed row of
//! cells and writes the selected columns ([`View`]: `-F`, `--rename`, `--map`, `--render`).
//! What a record needs from elsewhere in its domain is kept here per domain: the latest
//! systemInitTimeMilliseconds (for uptime times) and the sampling rates the exporter's
//! options records give (per sampler ID, or for the whole domain). Options records feed that
//! state and are not printed: they are not flows.
//!
//! A record carrying a sampled packet (dataLinkFrameSection 315, ipHeaderPacketSection 313)
//! gets the fields it lacks from that packet's headers ([`crate::packet`]).
//!
//! Biflows (RFC 5103, reverse IEs under PEN 29305) become two records, the initiator's and,
//! when its counters are not zero, the responder's with addresses, ports, MACs, interfaces,
//! VLANs, AS numbers and prefixes swapped and the reverse counters, TOS, TTL and flags (times
//! and the rest as the initiator's); with `--no-split-biflow` one record with
//! `reverse_bytes`/`reverse_packets`.

pub mod schema;

use super::render::{csv_cell, json_str, json_value, text_value};
use super::{Layouts, Printer};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::text::{TimeStyle, write_rfc3339};
use crate::ipfix::value::{Instant, Value};
use crate::ipfix::{InfoModel, Template, decode};
use schema::{Addr, Cell, Context, FIELDS, Plan, Row};
use std::collections::BTreeMap;
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
}

/// The flow view's columns and forms, from the flags.
#[derive(Clone, Debug)]
pub struct View {
    pub columns: Vec<Column>,
    /// The schema fields the columns need filled (with the counters a biflow split tests).
    needed: Vec<usize>,
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
        let mut needed: Vec<usize> = (columns.iter())
            .filter_map(|c| match c.source {
                Source::Schema(i) => Some(i),
                Source::Ie(..) => None,
            })
            .chain([schema::BYTES, schema::PACKETS])
            .collect();
        needed.sort_unstable();
        needed.dedup();
        Ok(View {
            needed,
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

/// What the exporter's options records said about a domain.
#[derive(Default)]
struct Domain {
    init_ms: Option<i128>,
    /// A rate for every record of the domain (an options record not keyed by a sampler).
    rate: Option<u64>,
    /// Rates by sampler ID (flowSamplerId/samplerId 48, selectorId 302).
    by_sampler: BTreeMap<u64, u64>,
}

impl Domain {
    /// Learns systemInitTimeMilliseconds and sampling rates from a record (an options record:
    /// rates keyed by the sampler ID it carries, or for the domain).
    fn learn(&mut self, r: &RecordRef<'_>) {
        let (mut rate, mut interval, mut space, mut sampler) = (None, None, None, None);
        for (f, b) in r.fields() {
            if f.pen != 0 {
                continue;
            }
            let v = decode(f.dtype, b);
            let u = match v {
                Value::Unsigned(u) => Some(u),
                _ => None,
            };
            match f.id {
                160 => {
                    if let Some(i) = v.instant() {
                        self.init_ms = Some(i.unix_ms());
                    }
                }
                34 | 50 => rate = rate.or(u),
                305 => interval = u,
                306 => space = u,
                48 | 302 => sampler = sampler.or(u),
                _ => {}
            }
        }
        if !r.template.is_options() {
            return;
        }
        let rate = rate.or(schema::interval_space(interval, space));
        if let Some(rate) = rate {
            match sampler {
                Some(id) => {
                    self.by_sampler.insert(id, rate);
                }
                None => self.rate = Some(rate),
            }
        }
    }
}

struct Layout {
    plan: Plan,
    /// For each `--map` column, the template field that feeds it.
    maps: Vec<Option<usize>>,
}

pub struct FlowPrinter<'w> {
    out: &'w mut dyn Write,
    view: Arc<View>,
    form: Form,
    layouts: Layouts<Layout>,
    domains: BTreeMap<u32, Domain>,
    row: Row,
    ranges: Vec<(usize, usize)>,
    buf: Vec<u8>,
    cell: Vec<u8>,
}

impl<'w> FlowPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, view: Arc<View>, form: Form) -> Self {
        FlowPrinter {
            out,
            view,
            form,
            layouts: Layouts::default(),
            domains: BTreeMap::new(),
            row: [Cell::Absent; schema::N],
            ranges: Vec::new(),
            buf: Vec::new(),
            cell: Vec::new(),
        }
    }
}

impl FlowPrinter<'_> {
    /// The CSV header row, before the first message (or at the end of an input with none).
    fn header_once(&mut self) -> io::Result<()> {
        if let Form::Csv { header: true } = self.form {
            self.form = Form::Csv { header: false };
            self.out.write_all(&self.view.header())?;
        }
        Ok(())
    }
}

/// Appends one output record of `row` (and the `--map` fields of `r`) to `b`.
fn write_row(
    b: &mut Vec<u8>,
    cell: &mut Vec<u8>,
    view: &View,
    form: Form,
    row: &Row,
    r: &RecordRef<'_>,
    maps: &[Option<usize>],
) {
    let json = form == Form::Json;
    if json {
        b.push(b'{');
    }
    let csv = matches!(form, Form::Csv { .. });
    let mut first = true;
    let mut m = 0;
    for c in &view.columns {
        if let (Source::Schema(i), true) = (&c.source, csv) {
            // Straight into the line: no schema cell needs CSV quoting of its own.
            if !first {
                b.push(b',');
            }
            first = false;
            cell_text(b, &row[*i], c.render, view.time, false, true);
            continue;
        }
        cell.clear();
        let present = match &c.source {
            Source::Schema(i) => cell_text(cell, &row[*i], c.render, view.time, json, false),
            Source::Ie(..) => {
                let at = maps.get(m).copied().flatten();
                m += 1;
                match at.and_then(|i| r.fields().nth(i)) {
                    Some((f, v)) => {
                        let v = decode(f.dtype, v);
                        if json {
                            json_value(cell, &v, r.scope, view.time, 0);
                        } else {
                            text_value(cell, &v, r.scope, view.time);
                        }
                        true
                    }
                    None => false,
                }
            }
        };
        match form {
            Form::Csv { .. } => {
                if !first {
                    b.push(b',');
                }
                csv_cell(b, cell);
            }
            Form::Json if present => {
                if !first {
                    b.push(b',');
                }
                json_str(b, &c.name);
                b.push(b':');
                b.extend_from_slice(cell);
            }
            Form::Text if present => {
                if !first {
                    b.push(b' ');
                }
                b.extend_from_slice(c.name.as_bytes());
                b.push(b'=');
                b.extend_from_slice(cell);
            }
            _ => continue,
        }
        first = false;
    }
    if json {
        b.push(b'}');
    }
    b.push(b'\n');
}

/// The text of one cell; false when it is absent (CSV writes it empty, JSON and text leave
/// it out).
/// No CSV cell of the schema needs quoting but `mpls_label`'s, which `csv` quotes.
fn cell_text(
    out: &mut Vec<u8>,
    cell: &Cell,
    render: Render,
    time: TimeStyle,
    json: bool,
    csv: bool,
) -> bool {
    let quoted = |out: &mut Vec<u8>, f: &dyn Fn(&mut Vec<u8>)| {
        if json {
            out.push(b'"');
        }
        f(out);
        if json {
            out.push(b'"');
        }
    };
    match *cell {
        Cell::Absent => return false,
        Cell::U(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Cell::Addr(a) => quoted(out, &|o| write_addr(o, a)),
        Cell::Mac(m) if render == Render::Int => {
            let v = m.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
            out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        }
        Cell::Mac(m) => quoted(out, &|o| {
            let _ = write!(
                o,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            );
        }),
        Cell::Time(ns) => match time {
            TimeStyle::Epoch => out.extend_from_slice(itoa::Buffer::new().format(ns).as_bytes()),
            TimeStyle::Rfc3339 => quoted(out, &|o| {
                let nanos = ns.rem_euclid(1_000_000_000) as u32;
                let digits = if nanos % 1_000_000 == 0 {
                    3
                } else if nanos % 1000 == 0 {
                    6
                } else {
                    9
                };
                let secs = ns.div_euclid(1_000_000_000);
                write_rfc3339(
                    o,
                    Instant {
                        secs,
                        nanos,
                        digits,
                    },
                );
            }),
        },
        Cell::Net(len, Some(a)) if render == Render::Default => quoted(out, &|o| {
            write_addr(o, masked(a, len));
            o.push(b'/');
            o.extend_from_slice(itoa::Buffer::new().format(len).as_bytes());
        }),
        Cell::Net(len, _) => out.extend_from_slice(itoa::Buffer::new().format(len).as_bytes()),
        Cell::Text(s) => quoted(out, &|o| o.extend_from_slice(s.as_bytes())),
        // `[16,17]` in every form: in CSV a text however many labels (a lone `16` would
        // read as a number in one file and `16,17` as text in another), quoted there.
        Cell::Labels(l, n) => {
            let (open, close): (&[u8], &[u8]) = match csv {
                true => (b"\"[", b"]\""),
                false => (b"[", b"]"),
            };
            out.extend_from_slice(open);
            for (k, label) in l[..n as usize].iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(itoa::Buffer::new().format(*label).as_bytes());
            }
            out.extend_from_slice(close);
        }
    }
    true
}

fn write_addr(out: &mut Vec<u8>, a: Addr) {
    match a {
        Addr::V4(b) => crate::ipfix::text::write_ipv4(out, b.into()),
        Addr::V6(b) => crate::ipfix::text::write_ipv6(out, b.into()),
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

fn make_layout(view: &View, t: &Template) -> Layout {
    let maps = (view.columns.iter())
        .filter_map(|c| match c.source {
            Source::Ie(pen, id) => Some(t.fields.iter().position(|f| f.pen == pen && f.id == id)),
            Source::Schema(_) => None,
        })
        .collect();
    Layout {
        plan: Plan::new(t),
        maps,
    }
}

impl Printer for FlowPrinter<'_> {
    fn message(&mut self, _m: &crate::ipfix::session::MessageCtx) -> io::Result<()> {
        self.header_once()
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let FlowPrinter {
            out,
            view,
            form,
            layouts,
            domains,
            row,
            ranges,
            buf,
            cell,
        } = self;
        let layout = layouts.get(r.template, |t| make_layout(view, t));
        let dom = domains.entry(r.domain()).or_default();
        if r.template.is_options() {
            dom.learn(r);
            return Ok(());
        }
        if layout.plan.learns {
            dom.learn(r);
        }
        let sampling = match layout.plan.sampler_id {
            Some((i, _)) => (r.fields().nth(i))
                .filter(|(_, b)| !b.is_empty() && b.len() <= 8)
                .and_then(|(_, b)| {
                    dom.by_sampler
                        .get(&crate::ipfix::value::be_uint(b))
                        .copied()
                })
                .or(dom.rate),
            None => dom.rate,
        };
        let cx = Context {
            init_ms: dom.init_ms,
            sampling,
        };
        layout.plan.fill(r, &cx, false, &view.needed, ranges, row);
        write_row(buf, cell, view, *form, row, r, &layout.maps);
        if layout.plan.is_biflow() && view.split_biflow {
            layout.plan.fill(r, &cx, true, &view.needed, ranges, row);
            let counted = |c: &Cell| matches!(c, Cell::U(n) if *n > 0);
            if counted(&row[schema::BYTES]) || counted(&row[schema::PACKETS]) {
                write_row(buf, cell, view, *form, row, r, &layout.maps);
            }
        }
        // Lines are written in batches: a write per record cost more than the record.
        if buf.len() >= 1 << 16 {
            out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.header_once()?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}
