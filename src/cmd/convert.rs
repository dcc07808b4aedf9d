//! `ipfixkit convert`: IPFIX <-> JSON <-> CSV, one output per input (`-d DIR`, in parallel) or
//! all inputs into one output (`-o FILE` or stdout, in input order).
//!
//! Every direction goes through IPFIX: JSON and CSV inputs are first encoded into a temporary
//! IPFIX file (one per input: a file is one session), which the IPFIX path then prints.

use super::{Failure, InputArgs, OptionsArgs, ProgressArgs, output_failure};
use crate::io::decode::{DecodeOpts, Decoded, decode_file, display_name};
use crate::io::driver::{self, FileOutcome};
use crate::io::input::ByteSource;
use crate::io::output::Output;
use crate::io::prepare::{PrepareOpts, Prepared, prepare};
use crate::io::textin::Sniffed;
use crate::ipfix::InfoModel;
use crate::ipfix::text::parse_time;
use crate::output::csv::union_columns;
use crate::output::ipfix::IpfixPrinter;
use crate::output::{Column, PrintOptions, Printer, RecordFormat, record_printer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Shown verbatim (never wrapped): see [`super::help_template`].
pub const EXAMPLES: &str = "\
Examples:
  ipfixkit convert --to json flows.ipfix > flows.jsonl
      lossless NDJSON: a line per template (\"@fields\") and per record
  ipfixkit convert --to ipfix flows.jsonl -o flows.ipfix
      back to IPFIX: same templates, domains, export times and records
  ipfixkit convert --to csv -d out/ archive/*.ipfix.gz
      one CSV per input, in parallel, with a progress bar on a terminal
  ipfixkit convert --to ipfix rows.csv -o fixture.ipfix --message-size 1400
      CSV to IPFIX: templates from the column names, messages <= 1400 octets
  jq -c 'select(.destinationTransportPort == 53)' flows.jsonl \\
      | ipfixkit convert --to ipfix - -o dns.ipfix";

const NOTES: &str = "\
Input format is recognised from content (IPFIX, JSON lines, CSV), compressed or not; --from \
overrides. From JSON/CSV, keys are IE names (`octetDeltaCount`), `name[4]` forces a reduced \
length, `name#2` repeats an IE, `en<PEN>:id<ID>` is an unnamed IE (hex); `@export_time`, \
`@domain`, `@template` and `@scope` are honoured. Records with another set of keys get their \
own template. Values use the same text forms `cat` prints. A line (or CSV row) that does not \
parse is reported with file, line and column and left out; the other records are written and \
the exit status is 1 (--strict stops at the first bad line, keeping the records before it). \
A bad CSV header, or an input with no good line, writes nothing. A key repeated in one JSON \
object is an error; repeated CSV columns are `name`, `name#2`, ... A leading byte-order mark \
is skipped.

--no-options / --options-only (JSON and CSV output) leave out or keep only options records; \
JSON output keeps every template line.

CSV output: columns are @export_time,@domain,@template then the union of all templates' \
fields (each template's field order kept where templates agree: one header cannot hold two \
orders of the same fields), empty cells where a record lacks a field. Because \
an empty cell means \"absent\", an empty string value does not survive CSV -> IPFIX.";

/// Converts between IPFIX, JSON lines and CSV.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum)]
    pub to: To,

    /// Input format (default: recognised from content).
    #[arg(long, value_enum, default_value_t = From::Auto)]
    pub from: From,

    /// Write everything into FILE (inputs in order) instead of stdout; written to a temporary
    /// file, renamed on success.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "dir"
    )]
    pub output: Option<String>,

    /// Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`), converting
    /// inputs in parallel.
    #[arg(short = 'd', long = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// JSON/CSV output: comma-separated fields to keep (as for `cat -F`).
    #[arg(short = 'F', long = "fields", value_name = "LIST")]
    pub fields: Option<String>,

    /// With -F: accept IE names the registry does not know (names a file defines with RFC 5610
    /// type records); without it such a name is an error with the closest known name.
    #[arg(long)]
    pub allow_unknown_fields: bool,

    /// JSON/CSV output: times as RFC 3339 UTC (`iso`) or integers in the type's unit (`epoch`).
    #[arg(long, value_enum, default_value_t = super::cat::TimeArg::Iso)]
    pub time: super::cat::TimeArg,

    #[command(flatten)]
    pub options: OptionsArgs,

    /// CSV output: leave out the header row.
    #[arg(long)]
    pub no_header: bool,

    /// IPFIX output: largest message in octets.
    #[arg(long, value_name = "OCTETS", default_value_t = 65535, value_parser = clap::value_parser!(u16).range(64..))]
    pub message_size: u16,

    /// IPFIX output: end the file with RFC 5655 §8 metadata (file time window, export session
    /// details).
    #[arg(long)]
    pub metadata: bool,

    /// From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one
    /// with @export_time (default 0); later records without one keep the previous record's.
    #[arg(long, value_name = "TIME")]
    pub export_time: Option<String>,

    /// Write binary IPFIX even when stdout is a terminal.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    /// JSON lines: template lines (`@fields`) and record lines.
    Json,
    /// CSV with a header row.
    Csv,
    /// IPFIX file (RFC 5655).
    Ipfix,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    Auto,
    Ipfix,
    Json,
    Csv,
}

impl To {
    /// The record format of a text output (IPFIX output has its own writer).
    fn records(self) -> RecordFormat {
        match self {
            To::Json => RecordFormat::JsonWithTemplates,
            To::Csv | To::Ipfix => RecordFormat::Csv,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            To::Json => "json",
            To::Csv => "csv",
            To::Ipfix => "ipfix",
        }
    }
}

/// Shared, read-only settings of one run.
struct Ctx<'a> {
    args: &'a Args,
    model: Arc<InfoModel>,
    opts: PrintOptions,
    prep: PrepareOpts,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let model = args.input.model().map_err(Failure::usage)?;
    let columns = super::field_columns(args.fields.as_deref(), &model, args.allow_unknown_fields)?;
    if columns.is_some() && args.to == To::Ipfix {
        return Err(Failure::usage(
            "--fields applies to JSON and CSV output, not IPFIX",
        ));
    }
    if let (Some(flag), To::Ipfix) = (args.options.flag(), args.to) {
        return Err(Failure::usage(format!(
            "{flag} applies to JSON and CSV output, not IPFIX"
        )));
    }
    let export_time = match &args.export_time {
        Some(t) => {
            let (secs, nanos) =
                parse_time(t, 0).map_err(|e| Failure::usage(format!("--export-time: {e}")))?;
            if nanos != 0 || !(0..=u32::MAX as i64).contains(&secs) {
                return Err(Failure::usage(
                    "--export-time: whole seconds between 1970 and 2106",
                ));
            }
            Some(secs as u32)
        }
        None => None,
    };
    let ctx = Ctx {
        args,
        model: model.clone(),
        opts: PrintOptions {
            columns,
            time: args.time.style(),
            header: !args.no_header,
        },
        prep: PrepareOpts {
            format: match args.from {
                From::Auto => None,
                From::Ipfix => Some(Sniffed::Ipfix),
                From::Json => Some(Sniffed::Json),
                From::Csv => Some(Sniffed::Csv),
            },
            model,
            message_size: args.message_size as usize,
            export_time: export_time.unwrap_or(0),
            strict: args.input.strict,
        },
    };
    let inputs = args.input.inputs();
    if inputs.iter().filter(|p| *p == "-").count() > 1 {
        return Err(Failure::usage("stdin (-) can be read only once"));
    }
    match &args.dir {
        Some(dir) => run_dir(&ctx, &inputs, dir),
        None => run_single(&ctx, &inputs),
    }
}

/// Decodes one prepared IPFIX input into `printer`.
/// The CSV columns of prepared inputs (a first pass over each). An input already open is
/// scanned and put back rewound, so a mapped file is mapped once for both passes.
fn csv_columns(
    ready: &[&Prepared],
    model: &Arc<InfoModel>,
    threads: usize,
    options: crate::output::OptionsRecords,
) -> Vec<Column> {
    let mut sources: Vec<Option<ByteSource>> = ready
        .iter()
        .map(|p| {
            let opened = p.source.lock().ok().and_then(|mut g| g.take());
            opened.or_else(|| p.reopen().ok())
        })
        .collect();
    let columns = union_columns(&mut sources, model, threads, options);
    for (p, s) in ready.iter().zip(sources) {
        if let (Some(s), Ok(mut slot)) = (s, p.source.lock()) {
            *slot = Some(s);
        }
    }
    columns
}

fn decode_into(
    ctx: &Ctx,
    p: &Prepared,
    printer: &mut dyn Printer,
    report: &mut dyn FnMut(String),
    progress: &(dyn Fn(u64) + Sync),
    cancel: Option<&dyn Fn() -> bool>,
) -> Decoded {
    let opened = p.source.lock().ok().and_then(|mut g| g.take());
    let src = match opened.map(Ok).unwrap_or_else(|| p.reopen()) {
        Ok(s) => s,
        Err(e) => {
            report(format!("ipfixkit: {}: {e}", p.name));
            return Decoded {
                failed: true,
                records: 0,
                octets: 0,
                output_error: None,
                stop_run: ctx.args.input.strict,
            };
        }
    };
    let o = DecodeOpts {
        cancel,
        progress: Some(progress),
        options: ctx.args.options.records(),
        ..ctx.args.input.decode_opts(&ctx.model, None)
    };
    decode_file(&o, src, &p.name, printer, report)
}

/// Everything into one output (stdout or -o), in input order.
fn run_single(ctx: &Ctx, inputs: &[String]) -> Result<(), Failure> {
    let args = ctx.args;
    let binary = args.to == To::Ipfix;
    let mut out = Output::open(args.output.as_deref(), binary, args.force)?;
    let mut report = |s: String| super::stderr_line(&s);
    let need_twice = args.to == To::Csv && ctx.opts.columns.is_none();
    let prepared: Vec<Option<Prepared>> = inputs
        .iter()
        .map(|p| prepare(&ctx.prep, p, display_name(p), need_twice, &mut report))
        .collect();
    let mut failed = prepared.iter().any(|p| p.as_ref().is_none_or(|p| p.failed));
    let ready: Vec<&Prepared> = prepared.iter().flatten().collect();
    let paths: Vec<&str> = ready.iter().map(|p| p.path.as_str()).collect();
    let bar = args.progress.bar(&paths, args.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let stop = driver::Stop::new();
    if args.to == To::Ipfix {
        // One writer for all inputs: sequence numbers and templates continue across them.
        let mut printer = IpfixPrinter::new(&mut out, args.message_size as usize, args.metadata);
        for p in &ready {
            let d = decode_into(ctx, p, &mut printer, &mut report, &progress, None);
            if let Some(e) = d.output_error {
                bar.finish_and_clear();
                return Err(output_failure(e));
            }
            failed |= d.failed;
            if d.stop_run {
                break;
            }
        }
        if let Err(e) = printer.close() {
            bar.finish_and_clear();
            return Err(output_failure(e));
        }
    } else {
        let columns = match (&ctx.opts.columns, args.to) {
            (Some(c), _) => c.clone(),
            (None, To::Csv) => csv_columns(
                &ready,
                &ctx.model,
                args.input.threads(),
                args.options.records(),
            ),
            _ => Vec::new(),
        };
        let paths: Vec<String> = ready.iter().map(|p| p.path.clone()).collect();
        let job = |i: usize,
                   _p: &str,
                   w: &mut dyn Write,
                   report: &mut dyn FnMut(String)|
         -> FileOutcome {
            let mut printer = record_printer(args.to.records(), w, &ctx.opts, &columns, i == 0);
            // Output errors surface through the driver, which owns the output.
            let cancel = || stop.past(i);
            let d = decode_into(
                ctx,
                ready[i],
                &mut *printer,
                report,
                &progress,
                Some(&cancel),
            );
            if d.stop_run {
                stop.request(i);
            }
            FileOutcome {
                failed: d.failed && d.output_error.is_none(),
            }
        };
        let mut on_problem = |line: &str| report(line.to_string());
        let threads = args.input.threads();
        match driver::run_until(&paths, threads, &mut out, &mut on_problem, &stop, job) {
            Ok(outcomes) => failed |= outcomes.iter().any(|o| o.failed),
            Err(e) => {
                bar.finish_and_clear();
                return Err(output_failure(e));
            }
        }
    }
    bar.finish_and_clear();
    // A text input of which nothing encoded leaves nothing to show for it: do not publish a
    // file that silently lacks it. Damaged IPFIX inputs, and text inputs with some bad lines,
    // still publish every readable record (and exit 1).
    if prepared.iter().any(Option::is_none) && args.output.is_some() {
        return Err(Failure::failed(format!(
            "ipfixkit: {} not written because an input failed",
            args.output.as_deref().unwrap_or("-")
        )));
    }
    out.finish().map_err(output_failure)?;
    if failed {
        Err(Failure::quiet())
    } else {
        Ok(())
    }
}

/// One output per input into `dir`, inputs converted in parallel.
fn run_dir(ctx: &Ctx, inputs: &[String], dir: &Path) -> Result<(), Failure> {
    let args = ctx.args;
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::failed(format!(
            "ipfixkit: output directory {}: cannot create it: {e}",
            dir.display()
        ))
    })?;
    let mut targets: Vec<PathBuf> = Vec::new();
    for p in inputs {
        let t = dir.join(format!("{}.{}", stem(p), args.to.ext()));
        if targets.contains(&t) {
            return Err(Failure::usage(format!(
                "two inputs would both be written to {}",
                t.display()
            )));
        }
        targets.push(t);
    }
    let bar = args.progress.bar(inputs, Some(""));
    let progress = |n: u64| bar.inc(n);
    let stop = driver::Stop::new();
    let job =
        |i: usize, path: &str, _w: &mut dyn Write, report: &mut dyn FnMut(String)| -> FileOutcome {
            let need_twice = args.to == To::Csv && ctx.opts.columns.is_none();
            let Some(p) = prepare(&ctx.prep, path, display_name(path), need_twice, report) else {
                return FileOutcome { failed: true };
            };
            let text_failed = p.failed;
            let target = targets[i].to_string_lossy().into_owned();
            let mut out = match Output::open(Some(&target), false, true) {
                Ok(o) => o,
                Err(e) => {
                    report(format!("ipfixkit: {e}"));
                    return FileOutcome { failed: true };
                }
            };
            let columns = match (&ctx.opts.columns, args.to) {
                (Some(c), _) => c.clone(),
                (None, To::Csv) => csv_columns(&[&p], &ctx.model, 1, ctx.args.options.records()),
                _ => Vec::new(),
            };
            let failed = if args.to == To::Ipfix {
                let mut printer =
                    IpfixPrinter::new(&mut out, args.message_size as usize, args.metadata);
                let d = decode_into(ctx, &p, &mut printer, report, &progress, None);
                if d.stop_run {
                    stop.request(i);
                }
                match d.output_error.map(Err).unwrap_or_else(|| printer.close()) {
                    Ok(()) => d.failed,
                    Err(e) => {
                        report(format!("ipfixkit: {e}"));
                        return FileOutcome { failed: true };
                    }
                }
            } else {
                let mut printer =
                    record_printer(args.to.records(), &mut out, &ctx.opts, &columns, true);
                let d = decode_into(ctx, &p, &mut *printer, report, &progress, None);
                if d.stop_run {
                    stop.request(i);
                }
                if let Some(e) = d.output_error {
                    report(format!("ipfixkit: {e}"));
                    return FileOutcome { failed: true };
                }
                d.failed
            };
            if let Err(e) = out.finish() {
                report(format!("ipfixkit: {e}"));
                return FileOutcome { failed: true };
            }
            FileOutcome {
                failed: failed || text_failed,
            }
        };
    let mut on_problem = super::stderr_line;
    let result = driver::run_until(
        inputs,
        args.input.threads(),
        &mut std::io::sink(),
        &mut on_problem,
        &stop,
        job,
    );
    bar.finish_and_clear();
    result.map_err(output_failure).and_then(|o| {
        if o.iter().any(|o| o.failed) {
            Err(Failure::quiet())
        } else {
            Ok(())
        }
    })
}

/// `archive/flows.ipfix.gz` -> `flows`; stdin -> `stdin`.
fn stem(path: &str) -> String {
    if path == "-" {
        return "stdin".into();
    }
    let mut name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    for ext in [".gz", ".bz2", ".zst", ".xz"] {
        if let Some(s) = name.strip_suffix(ext) {
            name = s.to_string();
        }
    }
    for ext in [".ipfix", ".json", ".jsonl", ".ndjson", ".csv", ".bin"] {
        if let Some(s) = name.strip_suffix(ext) {
            return s.to_string();
        }
    }
    name
}
