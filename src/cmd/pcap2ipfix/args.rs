//! `pcap2ipfix`'s flags, and what they ask of the meter ([`Args::opts`], [`Args::shape`]).

use super::super::help::pcap2ipfix::{EXAMPLES, NOTES};
use super::super::{IpfixArgs, OutputArgs, PrintArgs, ProgressArgs};
use crate::meter;
use crate::meter::export::{Precision, Shape};
use std::path::PathBuf;

/// Meters packet captures (pcap, pcapng) into IPFIX flow records, by packet time.
#[derive(clap::Args, Debug)]
#[command(help_template = super::super::help_template(EXAMPLES), after_help = NOTES)]
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

impl Args {
    /// The output files' extension, by `--format`.
    pub fn ext(&self) -> &'static str {
        match self.format {
            Format::Ipfix => "ipfix",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// Captures metered at once: `-j`, 0 for all cores.
    pub fn threads(&self) -> usize {
        match self.threads {
            0 => rayon::current_num_threads(),
            n => n,
        }
    }

    /// The flow cache's timeouts and limits.
    pub fn opts(&self) -> meter::Opts {
        let ms_ns = |ms: u64| (ms as i64).saturating_mul(1_000_000);
        meter::Opts {
            idle_ns: ms_ns(self.idle_timeout),
            active_ns: ms_ns(self.active_timeout),
            max_flows: self.max_flows as usize,
            biflow: self.biflow,
        }
    }

    /// The records' fields.
    pub fn shape(&self) -> Shape {
        Shape {
            precision: self.time_precision,
            mac: self.mac,
            biflow: self.biflow,
        }
    }
}
