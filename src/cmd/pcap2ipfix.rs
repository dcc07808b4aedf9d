//! `ipfixkit pcap2ipfix`: packet captures metered into IPFIX flow records ([`crate::meter`]),
//! ordered by flow start with the merge's sorter ([`crate::merge`]).

use super::help::pcap2ipfix::{EXAMPLES, NOTES};
use super::{Error, IpfixArgs, OutputArgs, PrintArgs, ProgressArgs};
use crate::io::decode::stderr_line;
use crate::io::output::Output;
use crate::io::temp::TempFile;
use crate::meter;
use crate::meter::export::{Precision, Shape};
use crate::output::{self, run::Plan};
use std::io::Write;
use std::path::PathBuf;

/// Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    /// Captures: pcap (either byte order, µs or ns) or pcapng, gzip/bzip2/zstd/xz or not;
    /// `-` is stdin.
    #[arg(value_name = "PCAP", required = true)]
    pub captures: Vec<String>,

    /// A flow with no packet for this long ends (idle timeout): seconds, or with s/m/h.
    #[arg(long, value_name = "TIME", default_value = "15s", value_parser = crate::ipfix::text::parse::parse_duration_ms)]
    pub idle_timeout: u64,

    /// A flow that has lasted this long ends (active timeout): seconds, or with s/m/h.
    #[arg(long, value_name = "TIME", default_value = "1800s", value_parser = crate::ipfix::text::parse::parse_duration_ms)]
    pub active_timeout: u64,

    /// Flows kept at most; a new flow beyond them pushes out the least recently seen one
    /// (flowEndReason 5).
    #[arg(long, value_name = "N", default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=4_000_000_000))]
    pub max_flows: u64,

    /// RFC 5103 biflows: the first packet's sender is the initiator; the other direction's
    /// counters under PEN 29305.
    #[arg(long)]
    pub biflow: bool,

    /// Add sourceMacAddress and destinationMacAddress (the first packet's).
    #[arg(long)]
    pub mac: bool,

    /// Time IEs: flowStart/EndMilliseconds, Microseconds or Nanoseconds.
    #[arg(long, value_enum, default_value_t = Precision::Ms)]
    pub time_precision: Precision,

    /// Instead of metering packets: pull the NetFlow v5/v9 and IPFIX export packets out of
    /// the captures (UDP, any port) and write their records as one IPFIX file, each
    /// exporter and domain a domain of its own (v5/v9 translated).
    #[arg(long, conflicts_with_all = ["dir", "biflow", "mac", "max_flows"])]
    pub extract: bool,

    /// --extract: only datagrams from or to this UDP port.
    #[arg(long, value_name = "PORT", requires = "extract")]
    pub port: Option<u16>,

    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Ipfix)]
    pub format: Format,

    #[command(flatten)]
    pub out: OutputArgs,

    /// One output per capture into DIR (`name.ipfix`, `name.json`, `name.csv`).
    #[arg(
        short = 'd',
        long = "dir",
        value_name = "DIR",
        conflicts_with = "output"
    )]
    pub dir: Option<PathBuf>,

    /// Print on stderr: packets read, skipped by why, flows by end reason.
    #[arg(long)]
    pub stats: bool,

    /// Captures metered at once (0 = all cores).
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,

    #[command(flatten)]
    pub ipfix: IpfixArgs,

    #[command(flatten)]
    pub print: PrintArgs,

    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// IPFIX file (RFC 5655).
    Ipfix,
    /// JSON lines, as `convert --to json` prints them.
    Json,
    /// CSV with a header row.
    Csv,
}

pub fn run(args: &Args) -> Result<(), Error> {
    let model = crate::ipfix::InfoModel::builtin();
    let ext = match args.format {
        Format::Ipfix => "ipfix",
        Format::Json => "json",
        Format::Csv => "csv",
    };
    if args.format != Format::Ipfix {
        args.print.check_flow(ext, None)?;
    }
    let print = args.print.options(&model)?;
    let threads = match args.threads {
        0 => rayon::current_num_threads(),
        n => n,
    };
    let ms_ns = |ms: u64| (ms as i64).saturating_mul(1_000_000);
    let opts = meter::Opts {
        idle_ns: ms_ns(args.idle_timeout),
        active_ns: ms_ns(args.active_timeout),
        max_flows: args.max_flows as usize,
        biflow: args.biflow,
    };
    let shape = Shape {
        precision: args.time_precision,
        mac: args.mac,
        biflow: args.biflow,
    };
    let targets = match &args.dir {
        Some(dir) => Some(crate::io::output::targets_made(dir, &args.captures, ext)?),
        None => None,
    };
    if args.extract {
        return extract(args, &model, &print, threads);
    }
    let mut out = match targets {
        None => Some(
            args.out
                .open(args.format == Format::Ipfix, args.ipfix.force)?,
        ),
        Some(_) => None,
    };
    let bar = args
        .progress
        .bar(&args.captures, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let metered = meter::run::meter_all(&args.captures, opts, shape, threads, &progress)
        .map_err(Error::Failed)?;
    bar.finish_and_clear();
    let (lines, mut failed) = meter::run::report(&metered, args.max_flows, args.stats);
    lines.iter().for_each(|l| stderr_line(l));
    let path = |t: &TempFile| t.path().to_string_lossy().into_owned();
    let groups: Vec<Vec<String>> = match &targets {
        // All captures into one output, or each into its own.
        None => vec![
            metered
                .iter()
                .filter_map(|m| m.flows.as_ref())
                .map(path)
                .collect(),
        ],
        Some(_) => metered
            .iter()
            .map(|m| m.flows.iter().map(path).collect())
            .collect(),
    };
    let prep = crate::io::prepare::PrepareOpts::ipfix(&model);
    let plan = Plan::printing(args.format == Format::Json, &print, &prep, threads);
    // The flows by start; JSON and CSV are that IPFIX printed as `convert` prints it.
    let write = |inputs: &[String], o: &mut dyn Write| -> Result<bool, Error> {
        let size = args.ipfix.message_size as usize;
        let mut report = |l: String| stderr_line(&l);
        let mut sort = |w: &mut dyn Write| {
            crate::merge::sorted_files(inputs, &model, size, threads, &mut report, w)
        };
        match args.format {
            Format::Ipfix => sort(o),
            _ => plan.print_written(o, sort),
        }
        .map_err(Error::Failed)
    };
    for (i, inputs) in groups.iter().enumerate() {
        match (&mut out, &targets) {
            (Some(o), _) => failed |= write(inputs, o)?,
            (None, t) => {
                let target = t.as_ref().map(|t| t[i].to_string_lossy().into_owned());
                let mut o = Output::open(target.as_deref(), true, true)?;
                failed |= write(inputs, &mut o)?;
                o.finish().map_err(|e| Error::Failed(e.to_string()))?;
            }
        }
    }
    super::conclude(out, Ok::<_, Error>(Vec::new()), failed)
}

/// `--extract`: the export packets of every capture, in order, into one output.
fn extract(
    args: &Args,
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    print: &output::PrintOptions,
    threads: usize,
) -> Result<(), Error> {
    let mut out = args
        .out
        .open(args.format == Format::Ipfix, args.ipfix.force)?;
    let bar = args
        .progress
        .bar(&args.captures, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let size = args.ipfix.message_size as usize;
    let prep = crate::io::prepare::PrepareOpts::ipfix(model);
    let mut plan = Plan::printing(args.format == Format::Json, print, &prep, threads);
    // The extractor says the problems it meets.
    plan.quiet = true;
    let mut x = None;
    let mut run = |w: &mut dyn Write| {
        let r = meter::run::extract(&args.captures, model, size, args.port, w, &progress)?;
        let failed = r.failed;
        x = Some(r);
        Ok(failed)
    };
    let failed = match args.format {
        Format::Ipfix => run(&mut out),
        _ => plan.print_written(&mut out, run),
    }
    .map_err(|e| Error::Failed(format!("output {}: {e}", out.name())))?;
    bar.finish_and_clear();
    if let Some(x) = &x {
        x.lines.iter().for_each(|l| stderr_line(l));
        if args.stats {
            x.stats_lines().iter().for_each(|l| stderr_line(l));
        }
    }
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), failed)
}
