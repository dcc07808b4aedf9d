//! `gen`'s flags, and what they ask of the generator: [`Args::opts`] (records, messages or
//! NetFlow packets, checked) and [`Args::packet_opts`] (`--packets`).

use super::super::help::generate::{EXAMPLES, NOTES};
use super::super::{Error, IpfixArgs, OutputArgs, PrintArgs};
use crate::generator::{self, Wire, layout::Profile};
use crate::ipfix::InfoModel;
use std::sync::Arc;

/// Writes synthetic, realistic flow records: the same bytes for the same arguments.
#[derive(clap::Args, Debug)]
#[command(help_template = super::super::help_template(EXAMPLES), after_help = NOTES)]
pub struct Args {
    /// Data records to write.
    #[arg(
        short = 'n',
        long = "records",
        value_name = "N",
        default_value_t = 1000
    )]
    pub records: u64,

    /// Seed of the pseudo-random numbers: the same seed and flags give the same bytes.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GenFormat::Ipfix)]
    pub format: GenFormat,

    /// The records' fields, a template per flag: IE names with an optional `[length]`
    /// (`[v]`: variable length), e.g. `sourceIPv4Address,octetDeltaCount[4],wlanSSID`.
    /// Records are spread over the templates. Overrides --profile.
    #[arg(long = "template", value_name = "SPEC")]
    pub templates: Vec<String>,

    /// The built-in template when no --template is given [default: flow4; netflow5 with
    /// --netflow 5].
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,

    /// Observation domains (1..=N); records go round them in chunks of 4096.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub domains: u32,

    /// The first flow's start: RFC 3339 (`2024-01-01T00:00:00Z`) or seconds since 1970.
    #[arg(long, value_name = "TIME", default_value = "2024-01-01T00:00:00Z", value_parser = crate::ipfix::text::parse::parse_time_ms)]
    pub start: u64,

    /// Flows started per second of simulated time.
    #[arg(long, value_name = "N", conflicts_with = "duration", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Simulated time the flow starts span (`90s`, `15m`, `2h`, `1d`): sets the rate to
    /// records / duration.
    #[arg(long, value_name = "TIME", value_parser = crate::ipfix::text::parse::parse_duration_ms)]
    pub duration: Option<u64>,

    /// Write a PSAMP sampling options record per domain: 1 packet in N selected.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub sampling: Option<u32>,

    /// Write a deliberately damaged file: one place (chosen by the seed) damaged the KIND way,
    /// said on stderr. `--corrupt list` names and explains the kinds.
    #[arg(long, value_name = "KIND")]
    pub corrupt: Option<String>,

    /// Write NetFlow export packets instead of IPFIX messages: 9 (RFC 3954; fixed-length
    /// IANA fields only, flowStart/EndMilliseconds as uptimes) or 5 (the netflow5 profile).
    #[arg(long, value_name = "VERSION", value_parser = ["5", "9"])]
    pub netflow: Option<String>,

    /// NetFlow v9: send the templates again every N packets of a source.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub template_refresh: u32,

    /// Write a pcap of the messages (or NetFlow packets) as UDP datagrams from --exporter to
    /// --collector, each at its export time.
    #[arg(long)]
    pub pcap: bool,

    /// --pcap: the exporter's address and port.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        default_value = "192.0.2.1:49152",
        requires = "pcap"
    )]
    pub exporter: std::net::SocketAddr,

    /// --pcap: the collector's address and port [default: 192.0.2.2:4739 for IPFIX,
    /// 192.0.2.2:2055 for NetFlow].
    #[arg(long, value_name = "ADDR:PORT", requires = "pcap")]
    pub collector: Option<std::net::SocketAddr>,

    /// Leave out the RFC 5655 §8 file time window and export session details at the end.
    #[arg(long)]
    pub no_metadata: bool,

    /// Threads making records (0 = all cores). The output never depends on it.
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Write the packets of the flows instead of records: a pcap (Ethernet, some VLAN and
    /// QinQ, IPv4 with --profile flow4 or IPv6 with flow6, some fragments; TCP with its
    /// handshake and FIN or RST, UDP, ICMP). -n counts connections.
    #[arg(long, conflicts_with_all = ["corrupt", "templates", "sampling", "domains", "netflow", "pcap"])]
    pub packets: bool,

    /// With --packets: write the flows a meter must make of the packets (each direction,
    /// idle timeout 15 s) to FILE as IPFIX, the ground truth.
    #[arg(long, value_name = "FILE", requires = "packets")]
    pub flows_out: Option<String>,

    #[command(flatten)]
    pub out: OutputArgs,

    #[command(flatten)]
    pub ipfix: IpfixArgs,

    #[command(flatten)]
    pub print: PrintArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenFormat {
    /// IPFIX file (RFC 5655).
    Ipfix,
    /// JSON lines, as `convert --to json` prints the IPFIX.
    Json,
    /// CSV with a header row, as `convert --to csv` prints it.
    Csv,
}

impl Args {
    /// Threads making records: `-j`, 0 for all cores.
    pub fn threads(&self) -> usize {
        match self.threads {
            0 => rayon::current_num_threads(),
            n => n,
        }
    }

    /// Whether the output is export packets (NetFlow, or any wire in a pcap).
    fn packets_out(&self, wire: Wire) -> bool {
        wire != Wire::Ipfix || self.pcap
    }

    /// The generator's options for records (not `--packets`); a usage error for flags that
    /// do not go together.
    pub fn opts<'m>(&self, model: &'m Arc<InfoModel>) -> Result<generator::Opts<'m>, Error> {
        let wire = Wire::of(self.netflow.as_deref(), self.template_refresh);
        let profile = wire
            .profile(self.profile, !self.templates.is_empty())
            .map_err(Error::usage)?;
        if self.packets_out(wire) && (self.corrupt.is_some() || self.format != GenFormat::Ipfix) {
            return Err(Error::usage(
                "--netflow and --pcap write export packets: not with --corrupt or --format json/csv",
            ));
        }
        let layouts = generator::layouts(&self.templates, profile, model).map_err(Error::usage)?;
        let mut opts = generator::Opts {
            records: self.records,
            seed: self.seed,
            layouts,
            domains: self.domains,
            start_ms: self.start,
            rate: generator::rate(self.records, self.rate, self.duration),
            message_size: self.ipfix.message_size as usize,
            sampling: self.sampling,
            metadata: !self.no_metadata,
            threads: self.threads(),
            model,
            wire,
            pcap: self.pcap.then(|| {
                generator::pcap::UdpFlow::between(
                    self.exporter,
                    self.collector,
                    wire != Wire::Ipfix,
                )
            }),
        };
        if self.packets_out(wire) {
            opts.message_size = generator::packet_size(&opts, self.ipfix.message_size);
            generator::check(&opts).map_err(Error::usage)?;
        }
        Ok(opts)
    }

    /// The generator's options for `--packets`.
    pub fn packet_opts(&self) -> Result<generator::packets::Opts, Error> {
        if self.format != GenFormat::Ipfix {
            return Err(Error::usage(
                "--packets writes a pcap (not --format json or csv)",
            ));
        }
        Ok(generator::packets::Opts {
            flows: self.records,
            seed: self.seed,
            start_ms: self.start,
            rate: generator::rate(self.records, self.rate, self.duration),
            v6: generator::packets::v6(self.profile).map_err(Error::usage)?,
            message_size: self.ipfix.message_size as usize,
        })
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 1e9 => Ok(r),
        _ => Err(format!(
            "{s:?}: a number of flows per second, above 0 and at most 1e9"
        )),
    }
}
