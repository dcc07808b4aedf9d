//! `ipfixkit gen`: synthetic, deterministic IPFIX (or JSON/CSV) fixtures ([`crate::generator`]).
//! JSON and CSV are the IPFIX that would be written, printed as `convert` prints it. The
//! flags, and the generator options they make, are in [`args`].

mod args;

pub use args::{Args, GenFormat};

use super::Error;
use crate::generator;
use crate::io::decode::stderr_line;
use crate::output::run::Plan;
use std::io::Write;

pub fn run(args: &Args) -> Result<(), Error> {
    if args.packets {
        return packets(args);
    }
    let model = crate::ipfix::InfoModel::builtin();
    let opts = args.opts(&model)?;
    match (&args.corrupt, args.format) {
        (Some(kind), _) if kind == "list" => {
            for k in generator::corrupt::Kind::ALL {
                println!("{:<30}{}", k.name(), k.about());
            }
            Ok(())
        }
        (Some(kind), GenFormat::Ipfix) => {
            let bad = |e| Error::usage(format!("--corrupt {kind}: {e}"));
            let (bytes, at) = generator::damaged(&opts, kind).map_err(bad)?;
            let mut out = args.out.open(true, args.ipfix.force)?;
            out.write_all(&bytes)
                .map_err(|e| Error::Failed(e.to_string()))?;
            stderr_line(&format!("gen --corrupt {kind}: {at}"));
            super::conclude(Some(out), Ok::<_, Error>(Vec::new()), false)
        }
        (Some(_), _) => Err(Error::usage(
            "--corrupt writes IPFIX (not --format json or csv)",
        )),
        (None, GenFormat::Ipfix) => {
            let mut out = args.out.open(true, args.ipfix.force)?;
            generator::generate(&opts, &mut out)
                .map_err(|e| Error::Failed(format!("output {}: {e}", out.name())))?;
            super::conclude(Some(out), Ok::<_, Error>(Vec::new()), false)
        }
        (None, format) => printed(args, &opts, format),
    }
}

/// JSON/CSV: the IPFIX in a temporary file, printed as `convert` prints it.
fn printed(args: &Args, opts: &generator::Opts<'_>, format: GenFormat) -> Result<(), Error> {
    let json = format == GenFormat::Json;
    args.print
        .check_flow(if json { "json" } else { "csv" }, None)?;
    let print = args.print.options(opts.model)?;
    let prep = crate::io::prepare::PrepareOpts::ipfix(opts.model);
    let plan = Plan::printing(json, &print, &prep, opts.threads);
    let mut out = args.out.open(false, false)?;
    let failed = plan
        .print_written(&mut out, |w| generator::generate(opts, w).map(|()| false))
        .map_err(Error::Failed)?;
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), failed)
}

/// `--packets`: the pcap to -o, the ground truth to --flows-out.
fn packets(args: &Args) -> Result<(), Error> {
    let opts = args.packet_opts()?;
    let mut truth = match &args.flows_out {
        Some(p) => Some(crate::io::output::Output::open(Some(p), true, true)?),
        None => None,
    };
    let mut out = args.out.open(true, args.ipfix.force)?;
    let name = out.name().to_string();
    let sink = truth.as_mut().map(|t| t as &mut dyn Write);
    generator::packets::generate(&opts, &mut out, sink).map_err(|e| match e {
        generator::packets::Failed::Pcap(e) => Error::Failed(format!("output {name}: {e}")),
        generator::packets::Failed::Truth(e) => Error::Failed(format!(
            "output {}: {e}",
            args.flows_out.as_deref().unwrap_or("-")
        )),
    })?;
    if let Some(t) = truth {
        t.finish()?;
    }
    super::conclude(Some(out), Ok::<_, Error>(Vec::new()), false)
}
