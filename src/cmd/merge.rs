//! `ipfixkit merge`: many inputs into one valid, ordered IPFIX file ([`crate::merge`]).

use super::help::merge::{EXAMPLES, NOTES};
use super::{Error, InputArgs, IpfixArgs, OutputArgs, ProgressArgs};
use crate::io::decode::{display_name, stderr_line};
use crate::io::prepare::{Inputs, PrepareOpts};
use crate::ipfix::remap::DomainPolicy;
use crate::merge::{By, Opts};
use std::path::PathBuf;

/// Merges files from many exporters into one valid, time-ordered IPFIX file.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub out: OutputArgs,

    /// Record order: flow start time (else export time), export time, or argument order.
    #[arg(long, value_enum, default_value_t = By::Time)]
    pub by: By,

    /// The inputs are each in order already: a record that goes back is an error.
    #[arg(long)]
    pub presorted: bool,

    /// Memory for sorting unordered inputs (K, M, G suffixes); past it, sorted runs are
    /// spilled to temporary files.
    #[arg(long, value_name = "BYTES", default_value = "256M", value_parser = crate::io::reader::parse_size)]
    pub memory: u64,

    /// Where sorted runs are spilled (default: the system's temporary directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,

    /// Observation domains: each input's own (`keep`), or a new one per input and domain.
    #[arg(long, value_enum, default_value_t = DomainArg::Keep)]
    pub domain: DomainArg,

    /// End the output with RFC 5655 §8 metadata computed for it (file time window, export
    /// session details); the inputs' own metadata records are always dropped.
    #[arg(long)]
    pub metadata: bool,

    /// Say on stderr which domains and templates got new IDs.
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub ipfix: IpfixArgs,

    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainArg {
    Keep,
    PerInput,
}

pub fn run(args: &Args) -> Result<(), Error> {
    let model = args.input.model().map_err(Error::usage)?;
    let temp_dir = args.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    if !temp_dir.is_dir() {
        return Err(Error::usage(format!(
            "--temp-dir {}: not a directory",
            temp_dir.display()
        )));
    }
    let mut out = args.out.open(true, args.ipfix.force)?;
    // Every input is read twice: the bar counts both passes.
    let bar = args
        .progress
        .bar(&args.input.inputs(), args.out.output.as_deref());
    if let Some(len) = bar.length() {
        bar.set_length(len * 2);
    }
    let progress = |n: u64| bar.inc(n);
    let mut files = Inputs::new(args.input.inputs(), display_name);
    // Inputs are read twice: stdin and pipes are spooled by a first preparation.
    let prep = PrepareOpts {
        format: None,
        model: model.clone(),
        message_size: 65535,
        export_time: 0,
        strict: args.input.strict,
    };
    files.first_pass(&prep, |_| ());
    let opts = Opts {
        by: args.by,
        presorted: args.presorted,
        memory: usize::try_from(args.memory).unwrap_or(usize::MAX),
        temp_dir,
        policy: match args.domain {
            DomainArg::Keep => DomainPolicy::Keep,
            DomainArg::PerInput => DomainPolicy::PerSource,
        },
        metadata: args.metadata,
        message_size: args.ipfix.message_size as usize,
        threads: args.input.threads(),
        verbose: args.verbose,
        model: &model,
        strict: args.input.strict,
        quiet: args.input.quiet,
        max_resync: args.input.max_resync,
        progress: Some(&progress),
    };
    let open = |i: usize, report: &mut dyn FnMut(String)| files.open(i, report);
    let mut report = |l: String| stderr_line(&l);
    let outcome = crate::merge::merge(&opts, &files.names, &open, &mut report, &mut out)
        .map_err(Error::Failed)?;
    bar.finish_and_clear();
    if args.verbose {
        for l in &outcome.summary {
            stderr_line(l);
        }
        stderr_line(&format!("merged {} records", outcome.records));
    }
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), outcome.failed)
}
