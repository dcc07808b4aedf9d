//! `ipfixkit convert`: IPFIX <-> JSON <-> CSV, one output per input (`-d DIR`, in parallel) or
//! all inputs into one output (`-o FILE` or stdout, in input order).
//!
//! Every direction goes through IPFIX: JSON and CSV inputs are first encoded into a temporary
//! IPFIX file (one per input: a file is one session; [`crate::io::prepare`]), which the IPFIX
//! path then prints.

use super::help::convert::{EXAMPLES, NOTES};
use super::{Error, InputArgs, IpfixArgs, OptionsArgs, OutputArgs};
use super::{PrintArgs, ProgressArgs};
use crate::io::decode::{DecodeOpts, Decoded, decode_file, display_name};
use crate::io::driver::FileOutcome;
use crate::io::input::Sniffed;
use crate::io::output::Output;
use crate::io::prepare::{PrepareOpts, Prepared, first_pass, prepare};
use crate::ipfix::InfoModel;
use crate::output::{self, Column, PrintOptions, Printer, csv::union_columns};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

    #[command(flatten)]
    pub out: OutputArgs,

    /// Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`), converting
    /// inputs in parallel.
    #[arg(
        short = 'd',
        long = "dir",
        value_name = "DIR",
        conflicts_with = "output"
    )]
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub print: PrintArgs,

    #[command(flatten)]
    pub options: OptionsArgs,

    #[command(flatten)]
    pub ipfix: IpfixArgs,

    /// IPFIX output: end the file with RFC 5655 §8 metadata (file time window, export session
    /// details).
    #[arg(long)]
    pub metadata: bool,

    /// From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one
    /// with @export_time (default 0); later records without one keep the previous record's.
    #[arg(long, value_name = "TIME", value_parser = parse_export_time)]
    pub export_time: Option<u32>,

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
    fn ext(self) -> &'static str {
        match self {
            To::Json => "json",
            To::Csv => "csv",
            To::Ipfix => "ipfix",
        }
    }
}

fn parse_export_time(t: &str) -> Result<u32, String> {
    let (secs, nanos) = crate::ipfix::text::parse_time(t, 0)?;
    if nanos != 0 || !(0..=u32::MAX as i64).contains(&secs) {
        return Err("whole seconds between 1970 and 2106".into());
    }
    Ok(secs as u32)
}

/// Shared, read-only settings of one run.
struct Ctx<'a> {
    args: &'a Args,
    model: Arc<InfoModel>,
    opts: PrintOptions,
    prep: PrepareOpts,
    format: output::Format,
}

pub fn run(args: &Args) -> Result<(), Error> {
    let model = args.input.model().map_err(Error::usage)?;
    let opts = args.print.options(&model)?;
    let flag = (opts.columns.as_ref().map(|_| "--fields")).or(args.options.flag());
    if let (Some(flag), To::Ipfix) = (flag, args.to) {
        let m = format!("{flag} applies to JSON and CSV output, not IPFIX");
        return Err(Error::usage(m));
    }
    let inputs = args.input.inputs();
    if inputs.iter().filter(|p| *p == "-").count() > 1 {
        return Err(Error::usage("stdin (-) can be read only once"));
    }
    let format = match args.to {
        To::Json => output::Format::JsonWithTemplates,
        To::Csv => output::Format::Csv,
        To::Ipfix => args.ipfix.format(args.metadata, false),
    };
    let from = match args.from {
        From::Auto => None,
        From::Ipfix => Some(Sniffed::Ipfix),
        From::Json => Some(Sniffed::Json),
        From::Csv => Some(Sniffed::Csv),
    };
    let prep = PrepareOpts {
        format: from,
        model: model.clone(),
        message_size: args.ipfix.message_size as usize,
        export_time: args.export_time.unwrap_or(0),
        strict: args.input.strict,
    };
    let ctx = Ctx {
        args,
        model,
        opts,
        prep,
        format,
    };
    match &args.dir {
        Some(dir) => run_dir(&ctx, &inputs, dir),
        None => run_single(&ctx, &inputs),
    }
}

impl Ctx<'_> {
    /// Whether an input is read twice: CSV output without -F has a column pass.
    fn twice(&self) -> bool {
        self.args.to == To::Csv && self.opts.columns.is_none()
    }

    /// The CSV columns (-F, or the union of the inputs' templates: a first pass over each
    /// input, which is put back rewound for the second, so a mapped file is mapped once).
    fn columns(&self, ready: &[&Prepared], threads: usize) -> Vec<Column> {
        if let Some(c) = &self.opts.columns {
            return c.clone();
        }
        if !self.twice() {
            return Vec::new();
        }
        let options = self.args.options.records();
        first_pass(ready, |s| union_columns(s, &self.model, threads, options))
    }

    /// Decodes one prepared input into `printer`.
    fn decode(
        &self,
        p: &Prepared,
        printer: &mut dyn Printer,
        report: &mut dyn FnMut(String),
        progress: &(dyn Fn(u64) + Sync),
        cancel: Option<&dyn Fn() -> bool>,
    ) -> Option<Decoded> {
        let src = match p.open() {
            Ok(s) => s,
            Err(e) => {
                report(format!("ipfixkit: {}: {e}", p.name));
                return None;
            }
        };
        let o = DecodeOpts {
            cancel,
            progress: Some(progress),
            options: self.args.options.records(),
            ..self.args.input.decode_opts(&self.model, None)
        };
        Some(decode_file(&o, src, &p.name, printer, report))
    }
}

/// Everything into one output (stdout or -o), in input order.
fn run_single(ctx: &Ctx, inputs: &[String]) -> Result<(), Error> {
    let args = ctx.args;
    let mut out = args.out.open(args.to == To::Ipfix, args.ipfix.force)?;
    let mut report = |s: String| super::stderr_line(&s);
    let prepared: Vec<Option<Prepared>> = (inputs.iter())
        .map(|p| prepare(&ctx.prep, p, display_name(p), ctx.twice(), &mut report))
        .collect();
    let failed = prepared.iter().any(|p| p.as_ref().is_none_or(|p| p.failed));
    let ready: Vec<&Prepared> = prepared.iter().flatten().collect();
    let paths: Vec<String> = ready.iter().map(|p| p.path.clone()).collect();
    let bar = args.progress.bar(&paths, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let columns = ctx.columns(&ready, args.input.threads());
    let result = if args.to == To::Ipfix {
        // One writer for all inputs: sequence numbers and templates continue across them.
        let mut printer = output::printer(ctx.format, &mut out, &ctx.opts, &[], true);
        let r = super::in_order(ready.len(), args.input.strict, |i, report| {
            ctx.decode(ready[i], &mut *printer, report, &progress, None)
        });
        r.and_then(|f| Ok(printer.close().map(|()| f)?))
            .map(|f| vec![FileOutcome { failed: f }])
    } else {
        let decode = |i: usize,
                      w: &mut dyn Write,
                      cancel: &dyn Fn() -> bool,
                      report: &mut dyn FnMut(String)| {
            let mut printer = output::printer(ctx.format, w, &ctx.opts, &columns, i == 0);
            ctx.decode(ready[i], &mut *printer, report, &progress, Some(cancel))
        };
        let (threads, strict) = (args.input.threads(), args.input.strict);
        let (r, _) = super::decode_each(&paths, threads, &mut out, strict, decode);
        r.map_err(Error::Output)
    };
    bar.finish_and_clear();
    let outcomes = result?;
    // A text input of which nothing encoded leaves nothing to show for it: do not publish a
    // file that silently lacks it. Damaged IPFIX inputs, and text inputs with some bad lines,
    // still publish every readable record (and exit 1).
    if let (true, Some(o)) = (prepared.iter().any(Option::is_none), &args.out.output) {
        return Err(Error::Failed(format!(
            "{o} not written because an input failed"
        )));
    }
    super::conclude(Some(out), Ok::<_, Error>(outcomes), failed)
}

/// One output per input into `dir`, inputs converted in parallel.
fn run_dir(ctx: &Ctx, inputs: &[String], dir: &Path) -> Result<(), Error> {
    let args = ctx.args;
    std::fs::create_dir_all(dir).map_err(|e| {
        let d = dir.display();
        Error::Failed(format!("output directory {d}: cannot create it: {e}"))
    })?;
    let mut targets: Vec<PathBuf> = Vec::new();
    for p in inputs {
        let t = dir.join(format!("{}.{}", stem(p), args.to.ext()));
        if targets.contains(&t) {
            let m = format!("two inputs would both be written to {}", t.display());
            return Err(Error::usage(m));
        }
        targets.push(t);
    }
    let bar = args.progress.bar(inputs, Some(""));
    let progress = |n: u64| bar.inc(n);
    let decode =
        |i: usize, _: &mut dyn Write, _: &dyn Fn() -> bool, report: &mut dyn FnMut(String)| {
            let path = &inputs[i];
            let p = prepare(&ctx.prep, path, display_name(path), ctx.twice(), report)?;
            let mut out = match Output::open(Some(&targets[i].to_string_lossy()), false, true) {
                Ok(o) => o,
                Err(e) => {
                    report(format!("ipfixkit: {e}"));
                    return None;
                }
            };
            let columns = ctx.columns(&[&p], 1);
            let mut printer = output::printer(ctx.format, &mut out, &ctx.opts, &columns, true);
            let mut d = ctx.decode(&p, &mut *printer, report, &progress, None)?;
            let written = d.output_error.take().map_or_else(|| printer.close(), Err);
            drop(printer);
            if let Err(e) = written.and_then(|()| out.finish()) {
                report(format!("ipfixkit: {e}"));
                d.failed = true;
            }
            d.failed |= p.failed;
            Some(d)
        };
    let (threads, strict) = (args.input.threads(), args.input.strict);
    let (result, _) = super::decode_each(inputs, threads, &mut std::io::sink(), strict, decode);
    bar.finish_and_clear();
    super::conclude(None, result, false)
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
