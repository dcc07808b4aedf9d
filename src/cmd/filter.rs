//! `ipfixkit filter`: keep the records for which an expression holds.

use super::{Failure, InputArgs, Inputs, ProgressArgs, output_failure};
use crate::filter::{Filter, explain};
use crate::io::decode::{DecodeOpts, decode_file, display_name};
use crate::io::driver::{self, FileOutcome};
use crate::io::input::ByteSource;
use crate::io::output::Output;
use crate::output::filtered::Filtered;
use crate::output::ipfix::IpfixPrinter;
use crate::output::{PrintOptions, Printer, RecordFormat, record_printer};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Shown verbatim (never wrapped): see [`super::help_template`].
pub const EXAMPLES: &str = "\
Expressions:
  octetDeltaCount > 1000000           compare: == != < <= > >= (name, value)
  octetDeltaCount > 1M                k M G T: 1000-based, as nfdump
  flowStartSeconds >= 2024-05-01      RFC 3339 times, UTC unless zoned
  flowStartSeconds < 2024-05-01T00:10:00
  flowStartMilliseconds < \"2024-05-01 00:10:00.5\"
  flowStartMilliseconds > 1714522200000   epoch integers in the IE's unit
  sourceIPv4Address in 10.0.0.0/8     prefixes, IPv4 and IPv6
  destinationTransportPort in [53, 443, 8080]
  applicationName ~ \"^ht\"             regular expression on strings
  tcpControlBits & 0x02               bit test (any set); & 0x12 == 0x12: all
  exists(reverseOctetDeltaCount)      the record has the IE
  not (a or b) and c, also ! || &&    logic and parentheses (100 deep)

nfdump-style shorthands:
  proto tcp|udp|icmp|icmp6|sctp|gre|esp|ah|N
  src ip ADDR, dst ip ADDR, ip ADDR   either side (host = ip)
  ip in [192.0.2.1, 2001:db8::1, 10.0.0.0/8]
  src net PREFIX, dst net PREFIX, net PREFIX, net in [..]
  src port N, dst port > 1023, port 53-80, port in [53, 80..90]
  bytes > 1M, packets >= 10k          delta or total counter
  flags S, flags SA                   all the TCP flags given are set
                                      (F S R P A U E C; X = FSRPAU)

Examples:
  ipfixkit filter 'proto udp and dst port 53' f.ipfix -o dns.ipfix
  ipfixkit filter --count 'bytes > 1M' archive/*.ipfix.zst
  ipfixkit filter -f json 'src net 2001:db8::/32' f.ipfix | jq .
  zstdcat f.ipfix.zst | ipfixkit filter -f csv 'proto tcp' > tcp.csv
  ipfixkit filter --invert 'ip 192.0.2.1' f.ipfix -o without.ipfix";

const NOTES: &str = "\
A test on an IE the record does not have is false (so `not` of it is true). \
Unsigned 64-bit values compare exactly. Names and values are checked when \
the expression is parsed; a typo gets the closest name (did you mean ...?). \
Quote the expression: it is one argument, the first.

IPFIX output (the default) carries the templates the kept records need and \
every options record (they are not filtered); it is refused on a terminal \
unless -o or --force.";

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

    /// Text/JSON/CSV output: comma-separated fields to print (as for `cat -F`).
    #[arg(short = 'F', long = "fields", value_name = "LIST")]
    pub fields: Option<String>,

    /// With -F: accept IE names the registry does not know (names a file defines with RFC 5610
    /// type records); without it such a name is an error with the closest known name.
    #[arg(long)]
    pub allow_unknown_fields: bool,

    /// Text/JSON/CSV output: `iso` (RFC 3339) or `epoch` times.
    #[arg(long, value_enum, default_value_t = super::cat::TimeArg::Iso)]
    pub time: super::cat::TimeArg,

    /// IPFIX output: largest message in octets.
    #[arg(long, value_name = "OCTETS", default_value_t = 65535, value_parser = clap::value_parser!(u16).range(64..))]
    pub message_size: u16,

    /// Write to FILE (a temporary file renamed on success) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,

    /// Write binary IPFIX even when stdout is a terminal.
    #[arg(long)]
    pub force: bool,

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

pub fn run(args: &Args) -> Result<(), Failure> {
    let model = args.input.model().map_err(Failure::usage)?;
    let filter = Filter::parse(&args.expr, &model)
        .map_err(|e| Failure::usage(explain(&args.expr, &args.input.files, &model, &e)))?;
    let columns = super::field_columns(args.fields.as_deref(), &model, args.allow_unknown_fields)?;
    let opts = PrintOptions {
        columns: columns.clone(),
        time: args.time.style(),
        header: true,
    };
    let inputs = args.input.inputs();
    let binary = args.format == Format::Ipfix && !args.count;
    let mut out = Output::open(args.output.as_deref(), binary, args.force)?;
    let bar = args.progress.bar(&inputs, args.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let dopts = DecodeOpts {
        progress: Some(&progress),
        ..args.input.decode_opts(&model, None)
    };
    let stop = driver::Stop::new();
    let mut stderr = std::io::stderr();
    let mut report = |s: String| {
        let _ = writeln!(stderr, "{s}");
    };
    let open = |p: &str, report: &mut dyn FnMut(String)| match ByteSource::open(p) {
        Ok(s) => Some(s),
        Err(e) => {
            report(format!("ipfixkit: {}: {e}", display_name(p)));
            None
        }
    };
    // Per input: with --strict, inputs after the one that ended the run do not count.
    let matched: Vec<AtomicU64> = inputs.iter().map(|_| AtomicU64::new(0)).collect();
    let mut failed = false;
    if binary {
        // One writer for all inputs, in order: templates and sequence numbers continue.
        let mut ipfix = IpfixPrinter::new(&mut out, args.message_size as usize, false).lazy();
        for p in &inputs {
            let Some(src) = open(p, &mut report) else {
                failed = true;
                if args.input.strict {
                    break;
                }
                continue;
            };
            let mut f = Filtered::new(Some(&mut ipfix), &filter, args.invert, true);
            let d = decode_file(&dopts, src, p, &mut f, &mut report);
            if let Some(e) = d.output_error {
                return Err(output_failure(e));
            }
            failed |= d.failed;
            if d.stop_run {
                break;
            }
        }
        ipfix.close().map_err(output_failure)?;
    } else {
        // CSV without -F takes its columns from a first pass over every input.
        let mut files = Inputs::new(inputs.clone());
        let csv_columns = match (&columns, args.format) {
            (Some(c), _) => c.clone(),
            // Options records are never printed here, so their templates give no columns.
            (None, Format::Csv) if !args.count => files.scan_csv(
                &model,
                args.input.threads(),
                crate::output::OptionsRecords::Without,
            )?,
            _ => Vec::new(),
        };
        let job = |i: usize,
                   _p: &str,
                   w: &mut dyn Write,
                   report: &mut dyn FnMut(String)|
         -> FileOutcome {
            let p = inputs[i].as_str();
            let Some(src) = files.open(i, report) else {
                if args.input.strict {
                    stop.request(i);
                }
                return FileOutcome { failed: true };
            };
            let mut inner: Option<Box<dyn Printer + '_>> = if args.count {
                None
            } else {
                let format = match args.format {
                    Format::Json => RecordFormat::Json,
                    Format::Csv => RecordFormat::Csv,
                    _ => RecordFormat::Text,
                };
                Some(record_printer(format, w, &opts, &csv_columns, i == 0))
            };
            let mut f = Filtered::new(
                inner.as_deref_mut().map(|p| p as &mut dyn Printer),
                &filter,
                args.invert,
                false,
            );
            let cancel = || stop.past(i);
            let o = DecodeOpts {
                cancel: Some(&cancel),
                ..dopts
            };
            let d = decode_file(&o, src, p, &mut f, report);
            if d.stop_run {
                stop.request(i);
            }
            matched[i].fetch_add(f.matched, Ordering::SeqCst);
            // Output errors surface through the driver, which owns the output.
            FileOutcome {
                failed: d.failed && d.output_error.is_none(),
            }
        };
        let mut on_problem = |line: &str| report(line.to_string());
        let outcomes = driver::run_until(
            &files.paths,
            args.input.threads(),
            &mut out,
            &mut on_problem,
            &stop,
            job,
        )
        .map_err(output_failure)?;
        failed |= outcomes.iter().any(|o| o.failed);
        if args.count {
            let n: u64 = (matched.iter().enumerate())
                .filter(|(i, _)| !stop.past(*i))
                .map(|(_, m)| m.load(Ordering::SeqCst))
                .sum();
            writeln!(out, "{n}").map_err(output_failure)?;
        }
    }
    bar.finish_and_clear();
    super::conclude(out, Ok(Vec::new()), failed)
}
