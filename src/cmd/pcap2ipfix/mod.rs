//! `ipfixkit pcap2ipfix`: packet captures metered into IPFIX flow records ([`crate::meter`]),
//! ordered by flow start with the merge's sorter ([`crate::merge`]). The flags are in
//! [`args`].

mod args;

pub use args::{Args, Format};

use super::Error;
use crate::io::decode::stderr_line;
use crate::io::output::Output;
use crate::meter;
use crate::output::{self, run::Plan};
use std::io::Write;

pub fn run(args: &Args) -> Result<(), Error> {
    let model = crate::ipfix::InfoModel::builtin();
    if args.format != Format::Ipfix {
        args.print.check_flow(args.ext(), None)?;
    }
    let print = args.print.options(&model)?;
    let threads = args.threads();
    let targets = match &args.dir {
        Some(dir) => Some(crate::io::output::targets_made(
            dir,
            &args.captures,
            args.ext(),
        )?),
        None => None,
    };
    if args.extract {
        return extract(args, &model, &print, threads);
    }
    let ipfix = args.format == Format::Ipfix;
    let mut out = match targets {
        None => Some(args.out.open(ipfix, args.ipfix.force)?),
        Some(_) => None,
    };
    let bar = args
        .progress
        .bar(&args.captures, args.out.output.as_deref());
    let progress = |n: u64| bar.inc(n);
    let metered = meter::run::meter_all(
        &args.captures,
        args.opts(),
        args.shape(),
        threads,
        &progress,
    )
    .map_err(Error::Failed)?;
    bar.finish_and_clear();
    let (lines, mut failed) = meter::run::report(&metered, args.max_flows, args.stats);
    lines.iter().for_each(|l| stderr_line(l));
    let prep = crate::io::prepare::PrepareOpts::ipfix(&model);
    let plan = Plan::printing(args.format == Format::Json, &print, &prep, threads);
    // The flows by start; JSON and CSV are that IPFIX printed as `convert` prints it.
    let write = |inputs: &[String], o: &mut dyn Write| -> Result<bool, Error> {
        let size = args.ipfix.message_size as usize;
        let mut report = |l: String| stderr_line(&l);
        let mut sort = |w: &mut dyn Write| {
            crate::merge::sorted_files(inputs, &model, size, threads, &mut report, w)
        };
        match ipfix {
            true => sort(o),
            false => plan.print_written(o, sort),
        }
        .map_err(Error::Failed)
    };
    // All captures into one output, or each into its own.
    let groups = meter::run::flow_files(&metered, targets.is_some());
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
