//! `ipfixkit cat`: decode IPFIX files to text, detail, JSON or CSV; list templates; summarise.

use super::{Failure, InputArgs, Inputs, OptionsArgs, ProgressArgs, field_columns};
use crate::io::decode::{DecodeOpts, decode_file};
use crate::io::driver::{self, FileOutcome};
use crate::io::output::Output;
use crate::ipfix::value::TimeStyle;
use crate::output::stats::StatsPrinter;
use crate::output::templates::TemplatesPrinter;
use crate::output::{PrintOptions, Printer, RecordFormat, record_printer};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shown verbatim (never wrapped): see [`super::help_template`].
pub const EXAMPLES: &str = "\
Examples:
  ipfixkit cat flows.ipfix
      one line per record: DOMAIN/TEMPLATE name=value ...
  ipfixkit cat -f json flows.ipfix.zst | jq 'select(.protocolIdentifier == 17)'
      NDJSON: IANA names as keys, @export_time, @domain, @template
  ipfixkit cat -f csv -F sourceIPv4Address,octetDeltaCount a.ipfix b.ipfix
      CSV of chosen columns from two files, in file order (decoded in parallel)
  ipfixkit cat -f detail -n 5 flows.ipfix
      message headers, sets, templates and the first 5 records
  ipfixkit cat --templates --stats flows.ipfix
      the templates and a summary (records per template, times, sequence gaps)
  ipfixkit cat --templates -f json flows.ipfix | jq -c .fields
      one JSON object per template definition
  ipfixkit cat --stats -f csv archive/*.ipfix > summary.csv
      one CSV row of totals per file
  ipfixkit cat -f csv --no-options yaf.ipfix
      flow records only: options records (YAF's statistics) left out
  ipfixkit cat --ie-spec my.iespec vendor.ipfix
      name enterprise IEs defined as `myCounter(12345/1)<unsigned64>[8]` lines";

const NOTES: &str = "\
--templates prints text (RFC 7013 §10 specs), -f json (an object per definition: domain, \
template, scope, message, offset, fields with name, pen, id, length, type; one per withdrawal \
too) or -f csv (a row per template field). --stats prints text, -f json (an object per file) \
or -f csv (a row per file); its flow time also counts flowStart/EndSysUpTime, made absolute \
with the domain's systemInitTimeMilliseconds. --templates --stats together print text only. \
Any other -f exits with 2.

--no-options / --options-only work with every record format: -f detail still shows templates \
and set headers; CSV columns come only from the templates whose records are printed; -n counts \
printed records.

CSV: without -F the columns are @export_time,@domain,@template and then every field of every \
template in the input (union, first-seen order); a record lacking a column gets an empty cell. \
With -F, records that have none of the named IE fields are skipped.

Problems go to stderr as `ipfixkit: FILE: byte OFFSET (message N, set ID): what`; decoding goes \
on at the next message and the exit status is 1 (0 when there were only warnings). Records read \
before a problem are always printed. --strict ends the whole run at the first problem; \
--max-resync bounds the search for the next message after damage.";

/// Prints the records of IPFIX files.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`),
    /// `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`,
    /// `@domain`, `@template`, `@sequence`.
    #[arg(short = 'F', long = "fields", value_name = "LIST")]
    pub fields: Option<String>,

    /// With -F: accept IE names the registry does not know (names a file defines with RFC 5610
    /// type records); without it such a name is an error with the closest known name.
    #[arg(long)]
    pub allow_unknown_fields: bool,

    /// List the templates instead of records: text (RFC 7013 §10 form), -f json (one object
    /// per definition) or -f csv (one row per template field).
    #[arg(long)]
    pub templates: bool,

    /// Print a summary per file instead of records: text, -f json (one object per file) or
    /// -f csv (one row per file).
    #[arg(long)]
    pub stats: bool,

    #[command(flatten)]
    pub options: OptionsArgs,

    /// Stop after N records (across all files, in input order).
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub limit: Option<u64>,

    /// Times as RFC 3339 UTC (`iso`) or as integers in the type's own unit since 1970 (`epoch`).
    #[arg(long, value_enum, default_value_t = TimeArg::Iso)]
    pub time: TimeArg,

    /// Leave out the CSV header row.
    #[arg(long)]
    pub no_header: bool,

    /// Write to FILE instead of stdout (written to a temporary file, renamed on success).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,

    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One line per record: `DOMAIN/TEMPLATE name=value ...`.
    Text,
    /// Messages, sets, templates and records, one field per line.
    Detail,
    /// One JSON object per record and line.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeArg {
    /// RFC 3339 UTC at the type's precision: `2023-11-14T22:13:20.170Z`.
    Iso,
    /// Integer since 1970 in the type's unit (s, ms, µs or ns): `1700000000170`.
    Epoch,
}

impl TimeArg {
    pub fn style(self) -> TimeStyle {
        match self {
            TimeArg::Iso => TimeStyle::Rfc3339,
            TimeArg::Epoch => TimeStyle::Epoch,
        }
    }
}

impl Format {
    fn records(self) -> RecordFormat {
        match self {
            Format::Text => RecordFormat::Text,
            Format::Detail => RecordFormat::Detail,
            Format::Json => RecordFormat::Json,
            Format::Csv => RecordFormat::Csv,
        }
    }
}

/// The `-f` forms `--templates` and `--stats` print (see [`EXAMPLES`]); any other is a usage
/// error, never silently replaced by text.
fn check_summary_format(args: &Args) -> Result<(), Failure> {
    let f = match args.format {
        Format::Text => return Ok(()),
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Detail => "detail",
    };
    let what = match (args.templates, args.stats) {
        (true, true) => "--templates --stats together print text only",
        (true, false) if args.format != Format::Detail => return Ok(()),
        (false, true) if args.format != Format::Detail => return Ok(()),
        (true, false) => "--templates prints text, json or csv",
        (false, true) => "--stats prints text, json or csv",
        (false, false) => return Ok(()),
    };
    Err(Failure::usage(format!("{what}, not -f {f}")))
}

pub fn run(args: &Args) -> Result<(), Failure> {
    check_summary_format(args)?;
    if let Some(flag) = args.options.flag() {
        if args.stats || args.templates {
            let what = if args.stats { "--stats" } else { "--templates" };
            return Err(Failure::usage(format!(
                "{flag} selects records to print; {what} prints none"
            )));
        }
    }
    let model = args.input.model().map_err(Failure::usage)?;
    let columns = field_columns(args.fields.as_deref(), &model, args.allow_unknown_fields)?;
    let opts = PrintOptions {
        columns: columns.clone(),
        time: args.time.style(),
        header: !args.no_header,
    };

    let mut inputs = Inputs::new(args.input.inputs());
    let csv_columns = match (&columns, args.format) {
        (Some(c), Format::Csv) => c.clone(),
        (None, Format::Csv) if !args.templates && !args.stats => {
            inputs.scan_csv(&model, args.input.threads(), args.options.records())?
        }
        _ => Vec::new(),
    };

    let mut out = Output::open(args.output.as_deref(), false, false)?;
    let several = inputs.paths.len() > 1;
    let bar = args.progress.bar(&inputs.paths, args.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let remaining = AtomicU64::new(args.limit.unwrap_or(u64::MAX));
    let stop = driver::Stop::new();
    // -n across files must take the first N in input order: decode those files one by one.
    let threads = if args.limit.is_some() {
        1
    } else {
        args.input.threads()
    };

    let job =
        |i: usize, _p: &str, out: &mut dyn Write, report: &mut dyn FnMut(String)| -> FileOutcome {
            let name = &inputs.names[i];
            let left = remaining.load(Ordering::SeqCst);
            if left == 0 {
                return FileOutcome::default();
            }
            let Some(src) = inputs.open(i, report) else {
                if args.input.strict {
                    stop.request(i);
                }
                return FileOutcome { failed: true };
            };
            if several && args.format == Format::Detail && !args.stats && !args.templates {
                let _ = writeln!(out, "=== {name}");
            }
            let mut tbuf = Vec::new();
            // CSV forms: only the first file of the output carries the header.
            let header = opts.header && i == 0;
            let mut printer: Box<dyn Printer + '_> = if args.stats {
                let p = match args.format {
                    Format::Csv => StatsPrinter::csv(&mut *out, name, header),
                    f => StatsPrinter::new(&mut *out, name, f == Format::Json),
                };
                if args.templates {
                    Box::new(p.with_templates(&mut tbuf))
                } else {
                    Box::new(p)
                }
            } else if args.templates {
                Box::new(match args.format {
                    Format::Json => TemplatesPrinter::json(&mut *out, name),
                    Format::Csv => TemplatesPrinter::csv(&mut *out, name, header),
                    _ => TemplatesPrinter::new(&mut *out),
                })
            } else {
                record_printer(
                    args.format.records(),
                    &mut *out,
                    &opts,
                    &csv_columns,
                    i == 0,
                )
            };
            let limit = (left != u64::MAX).then_some(left);
            let cancel = || stop.past(i);
            let dopts = DecodeOpts {
                cancel: Some(&cancel),
                progress: Some(&progress),
                options: args.options.records(),
                ..args.input.decode_opts(&model, limit)
            };
            // Output errors surface through the driver, which owns the output.
            let d = decode_file(&dopts, src, name, &mut *printer, report);
            if d.stop_run {
                stop.request(i);
            }
            if left != u64::MAX {
                remaining.fetch_sub(d.records.min(left), Ordering::SeqCst);
            }
            drop(printer);
            if !tbuf.is_empty() {
                // --templates --stats: the summary was written by finish; templates go first only
                // when they are buffered, so write them after it with a heading.
                let _ = out.write_all(b"templates\n");
                let _ = out.write_all(&tbuf);
            }
            FileOutcome {
                failed: d.failed && d.output_error.is_none(),
            }
        };

    let mut on_problem = super::stderr_line;
    let result = driver::run_until(
        &inputs.paths,
        threads,
        &mut out,
        &mut on_problem,
        &stop,
        job,
    );
    bar.finish_and_clear();
    super::conclude(out, result, false)
}
