//! `ipfixkit cat`: decode IPFIX files to text, detail, JSON or CSV; list templates; summarise.

use super::help::cat::{EXAMPLES, NOTES};
use super::{Error, InputArgs, Inputs, OptionsArgs, OutputArgs, PrintArgs, ProgressArgs};
use crate::io::decode::{DecodeOpts, Decoded, decode_each, decode_file, display_name};
use crate::output;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Prints the records of IPFIX files.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub print: PrintArgs,

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

    #[command(flatten)]
    pub out: OutputArgs,

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

impl From<Format> for output::Format {
    fn from(f: Format) -> output::Format {
        match f {
            Format::Text => output::Format::Text,
            Format::Detail => output::Format::Detail,
            Format::Json => output::Format::Json,
            Format::Csv => output::Format::Csv,
        }
    }
}

impl Args {
    /// The flags that cannot go together (see [`NOTES`]): `--templates` and `--stats` print
    /// text, JSON or CSV (together text only) and select no records.
    fn check(&self) -> Result<(), Error> {
        let f = match self.format {
            Format::Text => "",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Detail => "detail",
        };
        let what = match (self.templates, self.stats) {
            (true, true) => "--templates --stats together print text only",
            (true, false) => "--templates prints text, json or csv",
            (false, true) => "--stats prints text, json or csv",
            (false, false) => return Ok(()),
        };
        let together = self.templates && self.stats;
        if !f.is_empty() && (together || self.format == Format::Detail) {
            return Err(Error::usage(format!("{what}, not -f {f}")));
        }
        if let Some(flag) = self.options.flag() {
            let what = if self.stats { "--stats" } else { "--templates" };
            return Err(Error::usage(format!(
                "{flag} selects records to print; {what} prints none"
            )));
        }
        Ok(())
    }
}

pub fn run(args: &Args) -> Result<(), Error> {
    args.check()?;
    let summary = args.stats || args.templates;
    let format = match (summary, args.format) {
        (true, _) => "--stats or --templates",
        (_, Format::Text) => "text",
        (_, Format::Detail) => "detail",
        (_, Format::Json) => "json",
        (_, Format::Csv) => "csv",
    };
    args.print.check_flow(format, args.options.flag())?;
    let model = args.input.model().map_err(Error::usage)?;
    let opts = args.print.options(&model)?;
    let mut inputs = Inputs::new(args.input.inputs(), display_name);
    let csv_columns = match (&opts.columns, args.format) {
        (Some(c), Format::Csv) => c.clone(),
        (None, Format::Csv) if !summary && opts.flow.is_none() => {
            super::csv_columns(&mut inputs, &args.input, &model, args.options.records())
        }
        _ => Vec::new(),
    };
    let mut out = args.out.open(false, false)?;
    let several = inputs.paths.len() > 1;
    let bar = args.progress.bar(&inputs.paths, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let remaining = AtomicU64::new(args.limit.unwrap_or(u64::MAX));
    // -n across files must take the first N in input order: decode those files one by one.
    let threads = match args.limit {
        Some(_) => 1,
        None => args.input.threads(),
    };
    let strict = args.input.strict;
    let decode = |i: usize,
                  out: &mut dyn Write,
                  cancel: &dyn Fn() -> bool,
                  report: &mut dyn FnMut(String)| {
        let name = &inputs.names[i];
        let left = remaining.load(Ordering::SeqCst);
        if left == 0 {
            return Some(Decoded::default());
        }
        let src = inputs.open(i, report)?;
        if several && args.format == Format::Detail && !summary {
            // The driver's output is a buffer: its errors surface when the driver writes it.
            let _ = writeln!(out, "=== {name}");
        }
        // CSV forms: only the first file of the output carries the header.
        let header = opts.header && i == 0;
        let format = args.format.into();
        let mut printer = if summary {
            output::summary_printer(args.stats, args.templates, format, out, name, header)
        } else {
            output::printer(format, out, &opts, &csv_columns, &[], i == 0)
        };
        let dopts = DecodeOpts {
            cancel: Some(cancel),
            progress: Some(&progress),
            options: args.options.records(),
            ..args
                .input
                .decode_opts(&model, (left != u64::MAX).then_some(left))
        };
        let d = decode_file(&dopts, src, name, &mut *printer, report);
        if left != u64::MAX {
            remaining.fetch_sub(d.records.min(left), Ordering::SeqCst);
        }
        Some(d)
    };
    let (result, _) = decode_each(&inputs.paths, threads, &mut out, strict, decode);
    bar.finish_and_clear();
    super::conclude(Some(out), result, false)
}
