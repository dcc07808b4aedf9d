//! `ipfixkit gen`: synthetic, deterministic IPFIX (or JSON/CSV) fixtures ([`crate::gen`]).
//! JSON and CSV are the IPFIX that would be written, printed as `convert` prints it.

use super::help::generate::{EXAMPLES, NOTES};
use super::{Error, IpfixArgs, OutputArgs, PrintArgs};
use crate::generator::layout::{self, Profile};
use crate::output::{self, run::Plan};

/// Writes synthetic, realistic flow records: the same bytes for the same arguments.
#[derive(clap::Args, Debug)]
#[command(help_template = super::help_template(EXAMPLES), after_help = NOTES)]
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

    /// The built-in template when no --template is given.
    #[arg(long, value_enum, default_value_t = Profile::Flow4)]
    pub profile: Profile,

    /// Observation domains (1..=N); records go round them in chunks of 4096.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub domains: u32,

    /// The first flow's start: RFC 3339 (`2024-01-01T00:00:00Z`) or seconds since 1970.
    #[arg(long, value_name = "TIME", default_value = "2024-01-01T00:00:00Z", value_parser = parse_start)]
    pub start: u64,

    /// Flows started per second of simulated time.
    #[arg(long, value_name = "N", conflicts_with = "duration", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Simulated time the flow starts span (`90s`, `15m`, `2h`, `1d`): sets the rate to
    /// records / duration.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    pub duration: Option<u64>,

    /// Write a PSAMP sampling options record per domain: 1 packet in N selected.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub sampling: Option<u32>,

    /// Write a deliberately damaged file: one place (chosen by the seed) damaged the KIND way,
    /// said on stderr. `--corrupt list` names and explains the kinds.
    #[arg(long, value_name = "KIND")]
    pub corrupt: Option<String>,

    /// Leave out the RFC 5655 §8 file time window and export session details at the end.
    #[arg(long)]
    pub no_metadata: bool,

    /// Threads making records (0 = all cores). The output never depends on it.
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,

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

pub fn run(args: &Args) -> Result<(), Error> {
    let model = crate::ipfix::InfoModel::builtin();
    let layouts = if args.templates.is_empty() {
        layout::profile(args.profile, &model)
    } else {
        args.templates
            .iter()
            .map(|t| layout::parse(t, &model))
            .collect()
    }
    .map_err(Error::usage)?;
    let rate = match (args.rate, args.duration) {
        (Some(r), _) => r,
        (None, Some(ms)) => args.records.max(1) as f64 * 1000.0 / ms as f64,
        (None, None) => 100.0,
    };
    let threads = match args.threads {
        0 => rayon::current_num_threads(),
        n => n,
    };
    let opts = crate::generator::Opts {
        records: args.records,
        seed: args.seed,
        layouts,
        domains: args.domains,
        start_ms: args.start,
        rate,
        message_size: args.ipfix.message_size as usize,
        sampling: args.sampling,
        metadata: !args.no_metadata,
        threads,
        model: &model,
    };
    if let Some(kind) = &args.corrupt {
        return corrupted(args, &opts, kind);
    }
    let ipfix = args.format == GenFormat::Ipfix;
    if ipfix {
        let mut out = args.out.open(true, args.ipfix.force)?;
        crate::generator::generate(&opts, &mut out).map_err(|e| out_error(&out, e))?;
        return super::conclude(Some(out), Ok::<_, Error>(Vec::new()), false);
    }
    // JSON/CSV: the IPFIX, printed as convert prints it.
    let format = if args.format == GenFormat::Json {
        "json"
    } else {
        "csv"
    };
    args.print.check_flow(format, None)?;
    let print = args.print.options(&model)?;
    let temp = crate::io::temp::TempFile::new("gen");
    let mut file = std::fs::File::create(temp.path())
        .map_err(|e| Error::Failed(format!("{}: {e}", temp.path().display())))?;
    crate::generator::generate(&opts, &mut std::io::BufWriter::new(&mut file))
        .map_err(|e| Error::Failed(format!("{}: {e}", temp.path().display())))?;
    let prep = crate::io::prepare::PrepareOpts {
        format: Some(crate::io::input::Sniffed::Ipfix),
        model: model.clone(),
        message_size: args.ipfix.message_size as usize,
        export_time: 0,
        strict: false,
    };
    let plan = Plan {
        format: match args.format {
            GenFormat::Json => output::Format::JsonWithTemplates,
            _ => output::Format::Csv,
        },
        opts: &print,
        prep: &prep,
        options: output::OptionsRecords::All,
        quiet: false,
        max_resync: 0,
        threads,
    };
    let mut out = args.out.open(false, false)?;
    let input = [temp.path().to_string_lossy().into_owned()];
    let ran = plan.into_one(&input, &mut out, |_| indicatif::ProgressBar::hidden())?;
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), ran.failed)
}

/// `--corrupt KIND`: the file made in memory, damaged in one place, written; `list`: the kinds.
fn corrupted(args: &Args, opts: &crate::generator::Opts<'_>, kind: &str) -> Result<(), Error> {
    use crate::generator::corrupt::{Kind, corrupt};
    use std::io::Write;
    if kind == "list" {
        let mut out = std::io::stdout().lock();
        for k in Kind::ALL {
            let _ = writeln!(out, "{:<30}{}", k.name(), k.about());
        }
        return Ok(());
    }
    let Some(k) = Kind::from_name(kind) else {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        return Err(Error::usage(format!(
            "--corrupt {kind}: not a kind of damage (one of: {}; `--corrupt list` explains them)",
            names.join(", ")
        )));
    };
    if args.format != GenFormat::Ipfix {
        return Err(Error::usage(
            "--corrupt writes IPFIX (not --format json or csv)",
        ));
    }
    let mut bytes = Vec::new();
    crate::generator::generate(opts, &mut bytes).map_err(Error::Failed)?;
    let (damaged, at) = corrupt(k, &bytes, opts.seed)
        .map_err(|e| Error::usage(format!("--corrupt {kind}: {e}")))?;
    let mut out = args.out.open(true, args.ipfix.force)?;
    out.write_all(&damaged)
        .map_err(|e| Error::Failed(e.to_string()))?;
    crate::io::decode::stderr_line(&format!("gen --corrupt {kind}: {at}"));
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), false)
}

fn out_error(out: &crate::io::output::Output, e: String) -> Error {
    Error::Failed(format!("output {}: {e}", out.name()))
}

fn parse_start(s: &str) -> Result<u64, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return secs.checked_mul(1000).ok_or_else(|| "too late".into());
    }
    let (secs, nanos) = crate::ipfix::text::parse::parse_rfc3339(s).ok_or_else(|| {
        format!("{s:?} is not an RFC 3339 time (2024-01-01T00:00:00Z) or seconds since 1970")
    })?;
    u64::try_from(secs)
        .map(|s| s * 1000 + (nanos / 1_000_000) as u64)
        .map_err(|_| "before 1970".into())
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 1e9 => Ok(r),
        _ => Err(format!(
            "{s:?}: a number of flows per second, above 0 and at most 1e9"
        )),
    }
}

/// `90s`, `15m`, `2h`, `1d` (or plain seconds), in ms.
fn parse_duration(s: &str) -> Result<u64, String> {
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?}: a duration is like 90s, 15m, 2h or 1d"))?;
    let scale = match unit {
        "" | "s" => 1e3,
        "ms" => 1.0,
        "m" => 60e3,
        "h" => 3600e3,
        "d" => 86400e3,
        _ => return Err(format!("{s:?}: a duration is like 90s, 15m, 2h or 1d")),
    };
    let ms = n * scale;
    if (1.0..1e15).contains(&ms) {
        Ok(ms as u64)
    } else {
        Err(format!("{s:?}: at least 1 ms"))
    }
}
