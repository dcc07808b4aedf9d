//! One printer per output format ([`Printer`], from [`crate::io::sink`]), all fed by the one
//! decode loop ([`crate::io::decode`]); [`printer`] makes them, [`run`] runs prepared inputs
//! through them into one output or one each.
//!
//! Printers resolve per-template layouts (keys, selected columns) once per template and reuse
//! them through [`Layouts`]; per record they only decode and append to a reused buffer.

pub mod cells;
pub mod csv;
pub mod detail;
pub mod flow;
pub mod ipfix;
pub mod json;
pub mod parquet;
pub mod render;
pub mod run;
pub mod stats;
pub mod templates;
pub mod text;

use crate::ipfix::Template;
use crate::ipfix::session::RecordRef;
use crate::ipfix::text::TimeStyle;
use std::io;

pub use crate::io::decode::Drive;
pub use crate::io::sink::{Layouts, OptionsRecords, Printer};

/// The time span of the flows seen: flowStart*/flowEnd* IEs (150..=157) at any precision.
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowSpan {
    /// (min, max) of start and of end times, in nanoseconds since 1970.
    starts: Option<(i128, i128)>,
    ends: Option<(i128, i128)>,
    /// The finest precision seen (0, 3, 6 or 9 fraction digits).
    pub precision: u8,
}

impl FlowSpan {
    pub fn observe(&mut self, r: &RecordRef<'_>) {
        for (f, b) in r.fields() {
            if f.pen != 0 || !(150..=157).contains(&f.id) {
                continue;
            }
            let Some(i) = crate::ipfix::decode(f.dtype, b).instant() else {
                continue;
            };
            let ns = i.secs as i128 * 1_000_000_000 + i.nanos as i128;
            self.precision = self.precision.max(i.digits);
            let span = if f.id % 2 == 0 {
                &mut self.starts
            } else {
                &mut self.ends
            };
            let (lo, hi) = span.get_or_insert((ns, ns));
            *lo = (*lo).min(ns);
            *hi = (*hi).max(ns);
        }
    }

    /// The span of flows starting from `starts.0` to `starts.1` and ending from `ends.0` to
    /// `ends.1` (ns since 1970), of `precision` fraction digits.
    pub fn of(starts: (i128, i128), ends: (i128, i128), precision: u8) -> FlowSpan {
        FlowSpan {
            starts: Some(starts),
            ends: Some(ends),
            precision,
        }
    }

    /// Takes in another span (of another input).
    pub fn absorb(&mut self, o: &FlowSpan) {
        fn join(a: &mut Option<(i128, i128)>, b: Option<(i128, i128)>) {
            if let Some((lo, hi)) = b {
                let (x, y) = a.get_or_insert((lo, hi));
                *x = (*x).min(lo);
                *y = (*y).max(hi);
            }
        }
        join(&mut self.starts, o.starts);
        join(&mut self.ends, o.ends);
        self.precision = self.precision.max(o.precision);
    }

    /// Earliest start (or end, when no start is given) to latest end (or start, when no end is
    /// given: a flow ends no earlier than it starts).
    pub fn window(&self) -> Option<(i128, i128)> {
        Some((self.starts.or(self.ends)?.0, self.ends.or(self.starts)?.1))
    }
}

/// Record metadata that can be selected like a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meta {
    ExportTime,
    Domain,
    Template,
    Sequence,
    /// The number of scope fields of an options record (empty/0 for data records).
    Scope,
    /// The export protocol the record came in: 10 (IPFIX), 9 or 5 (NetFlow).
    Version,
}

impl Meta {
    pub const ALL: [(Meta, &'static str); 6] = [
        (Meta::ExportTime, "@export_time"),
        (Meta::Domain, "@domain"),
        (Meta::Template, "@template"),
        (Meta::Sequence, "@sequence"),
        (Meta::Scope, "@scope"),
        (Meta::Version, "@version"),
    ];

    pub fn name(self) -> &'static str {
        Meta::ALL
            .iter()
            .find(|(m, _)| *m == self)
            .map(|(_, n)| *n)
            .unwrap_or("")
    }

    pub fn parse(s: &str) -> Option<Meta> {
        Meta::ALL.iter().find(|(_, n)| *n == s).map(|(m, _)| *m)
    }
}

/// One requested output column (`-F`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Meta(Meta),
    /// An IE by output key (`name` or `name#2`), or by number when given as `pen/id` or
    /// `en<PEN>:id<ID>` (`occurrence` counts repeats, 1-based).
    Field {
        key: String,
        number: Option<(u32, u16)>,
        occurrence: usize,
        /// A name standing for several IEs (`srcip`, `src_addr`, `bytes`...): the first of
        /// these IANA IEs the record's template has ([`flow::schema::alias`]).
        alias: Option<&'static [u16]>,
    },
}

impl Column {
    pub fn parse(s: &str) -> Result<Column, String> {
        let s = s.trim();
        if s.starts_with('@') {
            return Meta::parse(s).map(Column::Meta).ok_or_else(|| {
                let known: Vec<_> = Meta::ALL.iter().map(|(_, n)| *n).collect();
                format!("unknown metadata field {s:?} (known: {})", known.join(", "))
            });
        }
        if s.is_empty() {
            return Err("empty field name".into());
        }
        let (base, occurrence) = match s.rsplit_once('#') {
            Some((b, n)) => (
                b,
                n.parse::<usize>()
                    .map_err(|_| format!("bad occurrence in {s:?}"))?,
            ),
            None => (s, 1),
        };
        let number = crate::ipfix::registry::parse_unknown_name(base).or_else(|| {
            let (p, i) = base.split_once('/').unwrap_or(("0", base));
            Some((p.parse().ok()?, i.parse().ok()?))
        });
        Ok(Column::Field {
            key: base.to_string(),
            number,
            occurrence: occurrence.max(1),
            alias: flow::schema::alias(base),
        })
    }

    pub fn header(&self) -> String {
        match self {
            Column::Meta(m) => m.name().to_string(),
            Column::Field {
                key, occurrence, ..
            } if *occurrence > 1 => format!("{key}#{occurrence}"),
            Column::Field { key, .. } => key.clone(),
        }
    }

    /// The index of the template field this column selects.
    pub fn find(&self, t: &Template) -> Option<usize> {
        let Column::Field {
            key,
            number,
            occurrence,
            alias,
        } = self
        else {
            return None;
        };
        if let Some(ids) = alias.filter(|_| number.is_none()) {
            if !t.fields.iter().any(|f| &*f.name == key) {
                return ids.iter().find_map(|&id| {
                    (t.fields.iter())
                        .enumerate()
                        .filter(|(_, f)| f.pen == 0 && f.id == id)
                        .nth(occurrence - 1)
                        .map(|(i, _)| i)
                });
            }
        }
        t.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| &*f.name == key || number.is_some_and(|n| n == (f.pen, f.id)))
            .nth(occurrence - 1)
            .map(|(i, _)| i)
    }
}

/// Parses a `-F` list: comma separated.
pub fn parse_columns(list: &str) -> Result<Vec<Column>, String> {
    list.split(',').map(Column::parse).collect()
}

/// [`parse_columns`], with the IE names checked against the model: an unknown name is an
/// error naming the closest known one, unless `allow_unknown` (for names a file defines with
/// RFC 5610 type records) or the IE is written by number (`en<PEN>:id<ID>`, `pen/id`).
pub fn checked_columns(
    list: &str,
    model: &crate::ipfix::InfoModel,
    allow_unknown: bool,
) -> Result<Vec<Column>, String> {
    let cols = parse_columns(list)?;
    for c in &cols {
        if let Column::Field {
            key,
            number: None,
            alias,
            ..
        } = c
        {
            if allow_unknown || alias.is_some() || model.by_name(key).is_some() {
                continue;
            }
            let hint = crate::ipfix::suggest::suggest_name(model, key)
                .map(|n| format!("; did you mean {n}?"))
                .unwrap_or_default();
            let shown: String = key.chars().take(64).collect();
            let cut = if shown.len() < key.len() { "..." } else { "" };
            return Err(format!(
                "unknown IE name {shown:?}{cut}{hint} (for a name only a file defines, \
                 by RFC 5610, add --allow-unknown-fields or write en<PEN>:id<ID>)"
            ));
        }
    }
    Ok(cols)
}

/// Options every record printer shares.
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {
    /// `--schema flow`: records as the flow schema's fields ([`flow::View`]); `columns` is
    /// then `None`.
    pub flow: Option<std::sync::Arc<flow::View>>,
    pub columns: Option<Vec<Column>>,
    pub time: TimeStyle,
    pub header: bool,
}

/// The formats the commands print records in (`-f`, `--to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Detail,
    Json,
    /// JSON lines with a line per template (`@fields`), as `convert --to json` writes them.
    JsonWithTemplates,
    Csv,
    /// IPFIX (RFC 5655): one printer spans all inputs of an output, so templates and sequence
    /// numbers continue across them; `lazy` writes only the templates written records need.
    Ipfix {
        message_size: u16,
        metadata: bool,
        lazy: bool,
    },
    /// Parquet ([`parquet`]): like IPFIX, one printer spans all inputs of an output.
    Parquet(parquet::Settings),
}

/// The one printer factory: the printer of `format` over `out` (call [`Printer::close`] when
/// the output ends). A CSV printer uses
/// `csv_columns` and writes its header row only when `opts.header` and `first` (one header per
/// output, however many inputs go into it). A Parquet printer uses the same columns, of
/// `types` (one per column: [`csv::union_schema`]).
pub fn printer<'w>(
    format: Format,
    out: &'w mut dyn io::Write,
    opts: &PrintOptions,
    csv_columns: &[Column],
    types: &[csv::ColumnType],
    first: bool,
) -> Box<dyn Printer + 'w> {
    if let Some(view) = &opts.flow {
        let form = match format {
            Format::Json | Format::JsonWithTemplates => Some(flow::Form::Json),
            Format::Csv => Some(flow::Form::Csv {
                header: opts.header && first,
            }),
            Format::Text => Some(flow::Form::Text),
            // The commands refuse these with --schema flow.
            Format::Detail | Format::Ipfix { .. } | Format::Parquet(_) => None,
        };
        if let Some(form) = form {
            return Box::new(flow::FlowPrinter::new(out, view.clone(), form));
        }
    }
    match format {
        Format::Text => Box::new(text::TextPrinter::new(out, opts.clone())),
        Format::Detail => Box::new(detail::DetailPrinter::new(out, opts.clone())),
        Format::Json => Box::new(json::JsonPrinter::new(out, opts.clone())),
        Format::JsonWithTemplates => {
            Box::new(json::JsonPrinter::new(out, opts.clone()).with_templates())
        }
        Format::Csv => {
            let o = PrintOptions {
                header: opts.header && first,
                ..opts.clone()
            };
            Box::new(csv::CsvPrinter::new(out, csv_columns.to_vec(), o))
        }
        Format::Ipfix {
            message_size,
            metadata,
            lazy,
        } => {
            let p = ipfix::IpfixPrinter::new(out, message_size as usize, metadata);
            Box::new(if lazy { p.lazy() } else { p })
        }
        Format::Parquet(settings) => parquet_printer(
            parquet::Target::Out(out),
            opts,
            csv_columns,
            types,
            settings,
        ),
    }
}

/// The Parquet printer of the raw schema (`columns` of `types`) or of the flow view, into
/// one output or partitioned files ([`parquet::Target`]). A printer that cannot be made
/// says why at its first record.
pub fn parquet_printer<'w>(
    to: parquet::Target<'w>,
    opts: &PrintOptions,
    columns: &[Column],
    types: &[csv::ColumnType],
    settings: parquet::Settings,
) -> Box<dyn Printer + 'w> {
    let made: io::Result<Box<dyn Printer + 'w>> = match &opts.flow {
        Some(view) => parquet::flow::FlowTable::new(to, view, settings)
            .map(|t| Box::new(flow::FlowPrinter::with_sink(view.clone(), t)) as _),
        None => parquet::ParquetPrinter::new(to, columns.to_vec(), types, settings)
            .map(|p| Box::new(p) as _),
    };
    made.unwrap_or_else(|e| Box::new(parquet::Broken(Some(e))))
}

/// What `cat --stats` and `--templates` print instead of records, for one input called `name`:
/// the summary (text, JSON or a CSV row), the template list (text, JSON or CSV rows), or with
/// both the summary and then the templates (text). A CSV header row only when `header`.
pub fn summary_printer<'w>(
    stats: bool,
    templates: bool,
    format: Format,
    out: &'w mut dyn io::Write,
    name: &str,
    header: bool,
) -> Box<dyn Printer + 'w> {
    match (stats, templates, format) {
        (true, true, _) => Box::new(stats::StatsPrinter::new(out, name, false).with_templates()),
        (true, _, Format::Csv) => Box::new(stats::StatsPrinter::csv(out, name, header)),
        (true, _, f) => Box::new(stats::StatsPrinter::new(out, name, f == Format::Json)),
        (_, _, Format::Json) => Box::new(templates::TemplatesPrinter::json(out, name)),
        (_, _, Format::Csv) => Box::new(templates::TemplatesPrinter::csv(out, name, header)),
        _ => Box::new(templates::TemplatesPrinter::new(out)),
    }
}

/// Writes a metadata value in its text form.
pub fn write_meta(out: &mut Vec<u8>, m: Meta, r: &RecordRef<'_>, time: TimeStyle, json: bool) {
    let h = &r.msg.header;
    let mut b = itoa::Buffer::new();
    match m {
        Meta::ExportTime => {
            let v = crate::ipfix::Value::Seconds(h.export_time);
            if json && time == TimeStyle::Rfc3339 {
                out.push(b'"');
                crate::ipfix::text::write_scalar(out, &v, time);
                out.push(b'"');
            } else {
                crate::ipfix::text::write_scalar(out, &v, time);
            }
        }
        Meta::Domain => out.extend_from_slice(b.format(h.domain).as_bytes()),
        Meta::Template => out.extend_from_slice(b.format(r.template.id).as_bytes()),
        Meta::Scope => {
            // Text and CSV leave it empty for data records, so it reads back as "no scope".
            if json || r.template.scope_count > 0 {
                out.extend_from_slice(b.format(r.template.scope_count).as_bytes());
            }
        }
        Meta::Sequence => out.extend_from_slice(b.format(h.sequence).as_bytes()),
        Meta::Version => out.extend_from_slice(b.format(r.msg.version).as_bytes()),
    }
}

/// For a template: which field feeds each selected column.
pub fn select(columns: &[Column], t: &Template) -> Vec<Option<usize>> {
    columns.iter().map(|c| c.find(t)).collect()
}

/// Whether a selection matches any IE field of the template (records matching only metadata
/// are skipped when IE fields were asked for).
pub fn selection_useful(columns: &[Column], sel: &[Option<usize>]) -> bool {
    let wants_fields = columns.iter().any(|c| matches!(c, Column::Field { .. }));
    !wants_fields
        || sel
            .iter()
            .zip(columns)
            .any(|(s, c)| matches!(c, Column::Field { .. }) && s.is_some())
}
