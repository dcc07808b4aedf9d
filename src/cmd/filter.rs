//! `ipfixkit filter`: keep the records for which an expression holds.

use super::help::filter::{EXAMPLES, NOTES};
use super::{Error, InputArgs, Inputs, IpfixArgs, OutputArgs, PrintArgs, ProgressArgs};
use crate::filter::{Filter, Filtered, explain};
use crate::io::decode::{DecodeOpts, decode_each, decode_file, display_name, in_order};
use crate::output::{self, OptionsRecords, Printer};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Keeps the records for which an expression holds.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    /// The filter expression (see below).
    #[arg(value_name = "EXPR")]
    pub expr: String,

    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value_t = Format::Ipfix)]
    pub format: Format,

    /// Print only the number of matching records.
    #[arg(short = 'c', long)]
    pub count: bool,

    /// Keep the records for which the expression does not hold.
    #[arg(short = 'v', long)]
    pub invert: bool,

    #[command(flatten)]
    pub print: PrintArgs,

    #[command(flatten)]
    pub ipfix: IpfixArgs,

    #[command(flatten)]
    pub out: OutputArgs,

    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// IPFIX file with the kept records, their templates and all options records.
    Ipfix,
    /// One line per record (as `cat`).
    Text,
    /// One JSON object per record.
    Json,
    /// CSV with a header row; without -F its columns come from a first pass over the
    /// input (stdin and pipes are spooled to a temporary file for it).
    Csv,
}

impl Format {
    fn text(self) -> Option<output::Format> {
        match self {
            Format::Ipfix => None,
            Format::Text => Some(output::Format::Text),
            Format::Json => Some(output::Format::Json),
            Format::Csv => Some(output::Format::Csv),
        }
    }
}

pub fn run(args: &Args) -> Result<(), Error> {
    let model = args.input.model().map_err(Error::usage)?;
    let filter = Filter::parse(&args.expr, &model)
        .map_err(|e| Error::usage(explain(&args.expr, &args.input.files, &model, &e)))?;
    let format = match args.format {
        Format::Ipfix if !args.count => "ipfix",
        Format::Ipfix | Format::Text => "text",
        Format::Json => "json",
        Format::Csv => "csv",
    };
    args.print.check_flow(format, None)?;
    let opts = args.print.options(&model)?;
    let inputs = args.input.inputs();
    let text = args.format.text().filter(|_| !args.count);
    let mut out = args
        .out
        .open(text.is_none() && !args.count, args.ipfix.force)?;
    let bar = args.progress.bar(&inputs, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let dopts = DecodeOpts {
        progress: Some(&progress),
        ..args.input.decode_opts(&model, None)
    };
    let mut files = Inputs::new(inputs, display_name);
    if text.is_none() && !args.count {
        // One writer for all inputs, in order: templates and sequence numbers continue.
        let mut ipfix = output::printer(
            args.ipfix.format(false, true),
            &mut out,
            &opts,
            &[],
            &[],
            true,
        );
        let failed = in_order(files.paths.len(), args.input.strict, |i, report| {
            let src = files.open(i, report)?;
            let mut f = Filtered::new(Some(&mut *ipfix), &filter, args.invert, true);
            Some(decode_file(&dopts, src, &files.names[i], &mut f, report))
        })?;
        ipfix.close()?;
        drop(ipfix);
        bar.finish_and_clear();
        return super::conclude(Some(out), Ok::<_, Error>(Vec::new()), failed);
    }
    // CSV without -F takes its columns from a first pass over every input. Options records
    // are never printed here, so their templates give no columns.
    let csv_columns = match (&opts.columns, text) {
        (Some(c), _) => c.clone(),
        (None, Some(output::Format::Csv)) if opts.flow.is_none() => {
            super::csv_columns(&mut files, &args.input, &model, OptionsRecords::Without)
        }
        _ => Vec::new(),
    };
    // Per input: with --strict, inputs after the one that ended the run do not count.
    let matched: Vec<AtomicU64> = files.paths.iter().map(|_| AtomicU64::new(0)).collect();
    let decode =
        |i: usize, w: &mut dyn Write, cancel: &dyn Fn() -> bool, report: &mut dyn FnMut(String)| {
            let src = files.open(i, report)?;
            let mut inner = text.map(|f| output::printer(f, w, &opts, &csv_columns, &[], i == 0));
            let inner = inner.as_deref_mut().map(|p| p as &mut dyn Printer);
            // The flow view learns sampling and boot times from options records; it prints none.
            let keep_options = opts.flow.is_some();
            let mut f = Filtered::new(inner, &filter, args.invert, keep_options);
            let o = DecodeOpts {
                cancel: Some(cancel),
                ..dopts
            };
            let d = decode_file(&o, src, &files.names[i], &mut f, report);
            matched[i].fetch_add(f.matched, Ordering::SeqCst);
            Some(d)
        };
    let (paths, threads, strict) = (&files.paths, args.input.threads(), args.input.strict);
    let (result, stop) = decode_each(paths, threads, &mut out, strict, decode);
    if args.count && result.is_ok() {
        let n: u64 = (matched.iter().enumerate())
            .filter(|(i, _)| !stop.past(*i))
            .map(|(_, m)| m.load(Ordering::SeqCst))
            .sum();
        writeln!(out, "{n}")?;
    }
    bar.finish_and_clear();
    super::conclude(Some(out), result, false)
}
