//! One module per subcommand (`Args` + `run`), plus the flag groups they share so a long flag
//! means the same thing everywhere.

pub mod cat;
pub mod convert;
pub mod docs;
pub mod filter;
pub mod help;

mod error;
mod input_args;
mod output_args;
pub use error::Error;
pub use input_args::*;
pub use output_args::*;

use crate::io::driver::FileOutcome;
pub use crate::io::prepare::Inputs;
use crate::ipfix::{DecodeError, Flow, InfoModel, Severity};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::sync::Arc;

/// The help layout of every command: clap's, then the command's examples as they are written.
/// clap wraps `after_help` to the terminal's width, which breaks an example command in the
/// middle of a line; text that is part of a help template is written unchanged. So examples
/// go into the template and only prose into `after_help`. (An example must not contain `{`:
/// the template language would take it for a tag; a test checks every example shows whole.)
pub fn help_template(examples: &str) -> String {
    format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{{all-args}}\n\n{examples}{{after-help}}"
    )
}

/// The examples of a command (`""` for the top level), for the man pages.
pub fn examples(command: &str) -> &'static str {
    match command {
        "cat" => help::cat::EXAMPLES,
        "convert" => help::convert::EXAMPLES,
        "filter" => help::filter::EXAMPLES,
        _ => help::EXAMPLES,
    }
}

/// A fast, RFC-correct toolbox for IPFIX files (RFC 5655).
#[derive(Parser, Debug)]
#[command(
    name = "ipfixkit",
    version,
    about,
    help_template = help_template(help::EXAMPLES),
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Cat(cat::Args),
    Convert(convert::Args),
    Filter(filter::Args),
    /// Writes the man pages and shell completions (for packagers and the repository).
    #[command(hide = true)]
    Docs(docs::Args),
}

/// Name of an input in messages.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// The CSV columns of `inputs` (see [`crate::output::csv::union_columns`]): a first pass over
/// every input, read as IPFIX.
pub fn csv_columns(
    inputs: &mut Inputs,
    input: &InputArgs,
    model: &Arc<InfoModel>,
    options: crate::output::OptionsRecords,
) -> Vec<crate::output::Column> {
    let opts = crate::io::prepare::PrepareOpts {
        format: Some(crate::io::textin::Sniffed::Ipfix),
        model: model.clone(),
        message_size: 65535,
        export_time: 0,
        strict: input.strict,
    };
    let threads = input.threads();
    inputs.first_pass(&opts, |s| {
        crate::output::csv::union_columns(s, model, threads, options)
    })
}

/// Formats a decode problem as the one-line message of DESIGN.md, unless `--quiet` hides it.
/// The offset of a compressed input counts octets of its `decompressed` stream, and says so.
pub fn problem_line(
    file: &str,
    e: &DecodeError,
    quiet: bool,
    decompressed: bool,
) -> Option<String> {
    if quiet && e.severity() == Severity::Warning {
        return None;
    }
    Some(format!(
        "ipfixkit: {}: {}",
        display_name(file),
        e.in_stream(decompressed)
    ))
}

pub fn problem_flow(strict: bool) -> Flow {
    if strict { Flow::Stop } else { Flow::Continue }
}

/// Prints a problem line on stderr (what the parallel driver reports, in input order).
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Decodes every input into one output through the ordered parallel driver (outputs in input
/// order, whatever `threads`). `decode` decodes input `i` into the driver's buffer for it,
/// asking `cancel` between messages, or gives `None` when it cannot be opened (reported
/// already): that input failed and, with `strict`, the run ends there. Returns the driver's
/// result and where the run was stopped (for counts that must leave out later inputs).
pub fn decode_each<F>(
    paths: &[String],
    threads: usize,
    out: &mut dyn std::io::Write,
    strict: bool,
    decode: F,
) -> (std::io::Result<Vec<FileOutcome>>, crate::io::driver::Stop)
where
    F: Fn(
            usize,
            &mut dyn std::io::Write,
            &dyn Fn() -> bool,
            &mut dyn FnMut(String),
        ) -> Option<Decoded>
        + Sync,
{
    let stop = crate::io::driver::Stop::new();
    let job = |i: usize, _: &str, w: &mut dyn std::io::Write, report: &mut dyn FnMut(String)| {
        let cancel = || stop.past(i);
        let Some(d) = decode(i, w, &cancel, report) else {
            if strict {
                stop.request(i);
            }
            return FileOutcome { failed: true };
        };
        if d.stop_run {
            stop.request(i);
        }
        // Output errors surface through the driver, which owns the output.
        FileOutcome {
            failed: d.failed && d.output_error.is_none(),
        }
    };
    let result = crate::io::driver::run_until(paths, threads, out, &mut stderr_line, &stop, job);
    (result, stop)
}

/// Decodes `count` inputs one after another into one writer (IPFIX output, whose templates
/// and sequence numbers continue across inputs). `step` decodes input `i`, or gives `None`
/// when it cannot be opened (reported already): that input failed and, with `strict`, the run
/// ends. An output error ends the run at once. Returns whether any input failed.
pub fn in_order(
    count: usize,
    strict: bool,
    mut step: impl FnMut(usize, &mut dyn FnMut(String)) -> Option<Decoded>,
) -> Result<bool, Error> {
    let mut report = |s: String| stderr_line(&s);
    let mut failed = false;
    for i in 0..count {
        let Some(d) = step(i, &mut report) else {
            failed = true;
            if strict {
                break;
            }
            continue;
        };
        if let Some(e) = d.output_error {
            return Err(Error::Output(e));
        }
        failed |= d.failed;
        if d.stop_run {
            break;
        }
    }
    Ok(failed)
}

/// The end of a run: the output finished (renamed into place; `None` when each input had its
/// own), and the exit status from the inputs' outcomes (`failed`: something failed before).
pub fn conclude<E: Into<Error>>(
    out: Option<crate::io::output::Output>,
    result: Result<Vec<FileOutcome>, E>,
    failed: bool,
) -> Result<(), Error> {
    let outcomes = result.map_err(Into::into)?;
    if let Some(out) = out {
        out.finish()?;
    }
    if failed || outcomes.iter().any(|o| o.failed) {
        Err(Error::Reported)
    } else {
        Ok(())
    }
}

/// What decoding one input needs besides the input and the printer.
pub struct DecodeOpts<'a> {
    pub model: &'a Arc<InfoModel>,
    pub strict: bool,
    pub quiet: bool,
    /// Stop after this many records.
    pub limit: Option<u64>,
    /// Told the input octets read as decoding goes (a progress bar).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Which records reach the printer (and count for `limit`).
    pub options: crate::output::OptionsRecords,
    /// `--max-resync`.
    pub max_resync: u64,
    /// Asked before each message: true ends the input quietly (`--strict` stopped the run at
    /// an earlier input).
    pub cancel: Option<&'a dyn Fn() -> bool>,
}

/// Result of decoding one input.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Errors (or, with --strict, any problem) occurred, or output failed.
    pub failed: bool,
    /// Records handed to the printer.
    pub records: u64,
    /// Octets of input read.
    pub octets: u64,
    /// Writing the output failed (the caller reports it: a closed pipe is not an error).
    pub output_error: Option<std::io::Error>,
    /// `--strict` met a problem: the run ends after this input.
    pub stop_run: bool,
}

/// Decodes one opened input into a printer, reporting input problems as one-line messages,
/// then finishes the printer. An output error ends the input and is returned, not reported.
pub fn decode_file(
    o: &DecodeOpts,
    mut src: crate::io::input::ByteSource,
    name: &str,
    printer: &mut dyn crate::output::Printer,
    report: &mut dyn FnMut(String),
) -> Decoded {
    let mut session = crate::ipfix::Session::new(o.model.clone());
    let mut failed = false;
    let decompressed = src.decompressed();
    let mut on_problem = |e: &DecodeError| -> Flow {
        if e.severity() == Severity::Error || o.strict {
            failed = true;
        }
        // Under --strict a warning ends the run: it is shown even with --quiet.
        if let Some(mut line) = problem_line(name, e, o.quiet && !o.strict, decompressed) {
            if o.strict {
                line.push_str("; stopped (--strict)");
            }
            report(line);
        }
        problem_flow(o.strict)
    };
    let mut drive =
        crate::output::Drive::new(printer, &mut on_problem, o.limit).with_options(o.options);
    drive.progress = o.progress.map(|inc| crate::output::Progress {
        inc,
        raw: src.progress_counter(),
        told: 0,
    });
    let ropts = crate::io::reader::ReadOpts {
        max_resync: o.max_resync,
        strict: o.strict,
        cancel: o.cancel,
    };
    crate::io::reader::decode_with(&mut src, &mut session, &mut drive, &ropts);
    if let Some(p) = &mut drive.progress {
        p.at(src.offset(), true);
    }
    let records = drive.records;
    let io_error = drive.io_error.take();
    drop(drive);
    let output_error = match io_error {
        Some(e) => Some(e),
        None => printer.finish(&session).err(),
    };
    let stop_run = o.strict && failed;
    failed |= output_error.is_some();
    Decoded {
        failed,
        records,
        octets: src.offset(),
        output_error,
        stop_run,
    }
}
