//! `ipfixkit convert`: IPFIX <-> JSON <-> CSV, and to Parquet, one output per input (`-d DIR`, in parallel) or
//! all inputs into one output (`-o FILE` or stdout, in input order).
//!
//! Every direction goes through IPFIX: JSON and CSV inputs are first encoded into a temporary
//! IPFIX file (one per input: a file is one session; [`crate::io::prepare`]), which the IPFIX
//! path then prints.

use super::TextInputArgs;
use super::help::convert::{EXAMPLES, NOTES};
use super::{
    Error, InputArgs, IpfixArgs, OptionsArgs, OutputArgs, ParquetArgs, PrintArgs, ProgressArgs,
};
use crate::io::output::targets_made;
use crate::output::{self, run::Plan};
use std::path::PathBuf;

/// Converts between IPFIX, JSON lines and CSV, and to Parquet.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum)]
    pub to: To,

    #[command(flatten)]
    pub text: TextInputArgs,

    #[command(flatten)]
    pub out: OutputArgs,

    /// Write one output per input into DIR (`name.json`, `name.csv`, `name.ipfix`,
    /// `name.parquet`), converting inputs in parallel.
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

    #[command(flatten)]
    pub parquet: ParquetArgs,

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
    /// Typed Parquet (zstd, column statistics); see the README for the types.
    Parquet,
}

impl To {
    fn ext(self) -> &'static str {
        match self {
            To::Json => "json",
            To::Csv => "csv",
            To::Ipfix => "ipfix",
            To::Parquet => "parquet",
        }
    }
}

pub fn run(args: &Args) -> Result<(), Error> {
    let model = args.input.model().map_err(Error::usage)?;
    let format = args.to.ext();
    args.print.check_flow(format, args.options.flag())?;
    let opts = args.print.options(&model)?;
    let flag = (opts.columns.as_ref().map(|_| "--fields")).or(args.options.flag());
    if let (Some(flag), To::Ipfix) = (flag, args.to) {
        let m = format!("{flag} applies to JSON and CSV output, not IPFIX");
        return Err(Error::usage(m));
    }
    if let Some(by) = args.parquet.partition {
        let by = format!("--partition {by:?}").to_lowercase();
        if args.to != To::Parquet {
            return Err(Error::usage(format!("{by} applies to --to parquet")));
        }
        if args.dir.is_none() {
            let m = format!("{by} writes partition directories: give -d DIR, not -o");
            return Err(Error::usage(m));
        }
    }
    let inputs = args.input.inputs();
    if inputs.iter().filter(|p| *p == "-").count() > 1 {
        return Err(Error::usage("stdin (-) can be read only once"));
    }
    let prep = args
        .text
        .prepare(&args.input, &model, args.ipfix.message_size);
    let plan = Plan {
        format: match args.to {
            To::Json => output::Format::JsonWithTemplates,
            To::Csv => output::Format::Csv,
            To::Ipfix => args.ipfix.format(args.metadata, false),
            To::Parquet => output::Format::Parquet(args.parquet.settings(args.input.threads())),
        },
        opts: &opts,
        prep: &prep,
        options: args.options.records(),
        quiet: args.input.quiet,
        max_resync: args.input.max_resync,
        threads: args.input.threads(),
    };
    let Some(dir) = &args.dir else {
        // Everything into one output (stdout or -o), in input order.
        let binary = matches!(args.to, To::Ipfix | To::Parquet);
        let mut out = args.out.open(binary, args.ipfix.force)?;
        let output = args.out.output.as_deref();
        let ran = plan.into_one(&inputs, &mut out, |paths| args.progress.bar(paths, output))?;
        // A text input of which nothing encoded leaves nothing to show for it: do not
        // publish a file that silently lacks it. Damaged IPFIX inputs, and text inputs with
        // some bad lines, still publish every readable record (and exit 1).
        if let (true, Some(o)) = (ran.lost, output) {
            let m = format!("{o} not written because an input failed");
            return Err(Error::Failed(m));
        }
        return super::conclude(Some(out), Ok::<_, Error>(Vec::new()), ran.failed);
    };
    if let Some(by) = args.parquet.partition {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Failed(format!(
                "output directory {}: cannot create it: {e}",
                dir.display()
            ))
        })?;
        let ran = plan.partitioned(&inputs, dir, by, |p| args.progress.bar(p, Some("")))?;
        return super::conclude(None, Ok::<_, Error>(Vec::new()), ran.failed);
    }
    // One output per input into the directory, in parallel.
    let targets = targets_made(dir, &inputs, args.to.ext())?;
    let bar = args.progress.bar(&inputs, Some(""));
    let ran = plan.each_into(&inputs, &targets, &|n| bar.inc(n));
    bar.finish_and_clear();
    super::conclude(None, Ok::<_, Error>(Vec::new()), ran.failed)
}
