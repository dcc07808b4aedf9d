//! One module per subcommand (`Args` + `run`), plus the flag groups they share so a long flag
//! means the same thing everywhere.

pub mod cat;
pub mod convert;
pub mod docs;
pub mod filter;
pub mod help;

pub use crate::io::prepare::Inputs;
use crate::ipfix::{DecodeError, Flow, InfoModel, Severity};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;
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

/// Flags shared by every command that reads IPFIX.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Input files; `-` or none reads stdin. gzip, bzip2, zstd and xz are recognised by content.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Extra IE definitions: a file of `name(pen/id)<type>[length]` lines (RFC 7013 §10, as
    /// python-ipfix writes them); `#` starts a comment. May be repeated.
    #[arg(long = "ie-spec", value_name = "FILE")]
    pub ie_spec: Vec<PathBuf>,

    /// Stop the whole run at the first problem (error or warning) instead of reporting it and
    /// resynchronising: no further input is read; what was printed before stays.
    #[arg(long)]
    pub strict: bool,

    /// After damage, give an input up when this many octets hold no valid message header
    /// (one report, exit status 1). Suffixes K, M, G (powers of 1024); values below 65535
    /// (one maximal message) are raised to it.
    #[arg(long = "max-resync", value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
    pub max_resync: u64,

    /// Worker threads for several files (0 = all cores). Output order never depends on it.
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Do not print warnings (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--no-options` / `--options-only`, for the commands that print records as text, JSON or CSV.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OptionsArgs {
    /// Leave out options records (exporter statistics, sampling, type information);
    /// templates are still shown where the format shows them.
    #[arg(long, conflicts_with = "options_only")]
    pub no_options: bool,

    /// Print only the options records.
    #[arg(long)]
    pub options_only: bool,
}

impl OptionsArgs {
    pub fn records(&self) -> crate::output::OptionsRecords {
        use crate::output::OptionsRecords as O;
        match (self.no_options, self.options_only) {
            (true, _) => O::Without,
            (_, true) => O::Only,
            _ => O::All,
        }
    }

    /// The flag given, for messages.
    pub fn flag(&self) -> Option<&'static str> {
        match (self.no_options, self.options_only) {
            (true, _) => Some("--no-options"),
            (_, true) => Some("--options-only"),
            _ => None,
        }
    }
}

impl InputArgs {
    /// The inputs, `-` when none were given.
    pub fn inputs(&self) -> Vec<String> {
        if self.files.is_empty() {
            vec!["-".to_string()]
        } else {
            self.files.clone()
        }
    }

    pub fn threads(&self) -> usize {
        if self.threads == 0 {
            rayon::current_num_threads()
        } else {
            self.threads
        }
    }

    /// The decoding options these flags give, for `model` and a record limit.
    pub fn decode_opts<'a>(&self, model: &'a Arc<InfoModel>, limit: Option<u64>) -> DecodeOpts<'a> {
        DecodeOpts {
            model,
            strict: self.strict,
            quiet: self.quiet,
            limit,
            max_resync: self.max_resync,
            cancel: None,
            progress: None,
            options: crate::output::OptionsRecords::All,
        }
    }

    /// The built-in information model plus `--ie-spec` files.
    pub fn model(&self) -> Result<Arc<InfoModel>, String> {
        let base = InfoModel::builtin();
        if self.ie_spec.is_empty() {
            return Ok(base);
        }
        let mut m = (*base).clone();
        for p in &self.ie_spec {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            // A byte-order mark some editors write is not part of the first spec.
            m.load_spec_text(text.strip_prefix('\u{feff}').unwrap_or(&text))
                .map_err(|e| format!("{}: {e}", p.display()))?;
        }
        Ok(Arc::new(m))
    }
}

/// How records print as text, JSON or CSV, for every command that prints them.
#[derive(clap::Args, Debug, Clone)]
pub struct PrintArgs {
    /// Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`),
    /// `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`,
    /// `@domain`, `@template`, `@sequence`.
    #[arg(short = 'F', long = "fields", value_name = "LIST")]
    pub fields: Option<String>,

    /// With -F: accept IE names the registry does not know (names a file defines with RFC 5610
    /// type records); without it such a name is an error with the closest known name.
    #[arg(long)]
    pub allow_unknown_fields: bool,

    /// Times as RFC 3339 UTC (`iso`) or as integers in the type's own unit since 1970 (`epoch`).
    #[arg(long, value_enum, default_value_t = TimeArg::Iso)]
    pub time: TimeArg,

    /// Leave out the CSV header row.
    #[arg(long)]
    pub no_header: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeArg {
    /// RFC 3339 UTC at the type's precision: `2023-11-14T22:13:20.170Z`.
    Iso,
    /// Integer since 1970 in the type's unit (s, ms, µs or ns): `1700000000170`.
    Epoch,
}

impl PrintArgs {
    /// The print options these flags give (`-F` checked against `model`).
    pub fn options(&self, model: &InfoModel) -> Result<crate::output::PrintOptions, Error> {
        Ok(crate::output::PrintOptions {
            columns: field_columns(self.fields.as_deref(), model, self.allow_unknown_fields)?,
            time: match self.time {
                TimeArg::Iso => crate::ipfix::value::TimeStyle::Rfc3339,
                TimeArg::Epoch => crate::ipfix::value::TimeStyle::Epoch,
            },
            header: !self.no_header,
        })
    }
}

/// `-o`, for every command that writes one output.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Write to FILE instead of stdout (all inputs, in order). A regular file is written to a
    /// temporary file renamed on success; a device or FIFO is written into; a symlink's
    /// target is written.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,
}

impl OutputArgs {
    /// Opens the output; `binary` outputs are refused on a terminal unless `force`.
    pub fn open(&self, binary: bool, force: bool) -> Result<crate::io::output::Output, Error> {
        Ok(crate::io::output::Output::open(
            self.output.as_deref(),
            binary,
            force,
        )?)
    }
}

/// IPFIX output flags, for every command that can write IPFIX.
#[derive(clap::Args, Debug, Clone)]
pub struct IpfixArgs {
    /// IPFIX output: largest message in octets.
    #[arg(long, value_name = "OCTETS", default_value_t = 65535, value_parser = clap::value_parser!(u16).range(64..))]
    pub message_size: u16,

    /// Write binary IPFIX even when stdout is a terminal.
    #[arg(long)]
    pub force: bool,
}

impl IpfixArgs {
    /// The IPFIX output format these flags give (see [`crate::output::Format::Ipfix`]).
    pub fn format(&self, metadata: bool, lazy: bool) -> crate::output::Format {
        crate::output::Format::Ipfix {
            message_size: self.message_size,
            metadata,
            lazy,
        }
    }
}

/// `--progress` / `--no-progress`, for every command that reads inputs.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ProgressArgs {
    /// Draw a progress bar (input bytes) on stderr even when stderr is not a terminal. By
    /// default it is drawn only on a terminal, and not when the records go to it too.
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,

    /// Never draw a progress bar.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,
}

impl ProgressArgs {
    /// The bar over `inputs` for a command writing to `output` (`None` or `-`: stdout).
    pub fn bar<S: AsRef<str>>(&self, inputs: &[S], output: Option<&str>) -> indicatif::ProgressBar {
        use crate::io::progress::{When, bytes_bar, total_size};
        use std::io::IsTerminal;
        let when = if self.no_progress {
            When::Never
        } else if self.progress {
            When::Always
        } else {
            When::Auto
        };
        let to_stdout = matches!(output, None | Some("-") | Some("/dev/stdout"));
        bytes_bar(
            total_size(inputs),
            when,
            to_stdout && std::io::stdout().is_terminal(),
        )
    }
}

/// A size in octets: digits with an optional K, M, G or T (powers of 1024; `KiB`, `MB` and
/// the like are read the same).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (digits, then K, M or G)"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "{s:?}: unknown size suffix {unit:?} (K, M, G or T)"
            ));
        }
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))
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

/// Why a command failed. [`Error::code`] is the exit status (0 ok, 1 an input or the output
/// failed, 2 usage), and [`Error::message`] the line `main` prints: the one place an error
/// gets its `ipfixkit:` prefix.
#[derive(Debug)]
pub enum Error {
    /// The command was called wrongly (2).
    Usage(String),
    /// An input cannot be read (1): its name in messages, and why.
    Input {
        name: String,
        source: std::io::Error,
    },
    /// Writing the output failed (1; a closed pipe ends quietly with 0). The error's message
    /// names the output.
    Output(std::io::Error),
    /// Something else failed (1).
    Failed(String),
    /// Inputs failed and their problems were reported as they were met (1).
    Reported,
}

impl Error {
    pub fn usage(m: impl Into<String>) -> Error {
        Error::Usage(m.into())
    }

    pub fn input(name: &str, source: std::io::Error) -> Error {
        Error::Input {
            name: name.to_string(),
            source,
        }
    }

    pub fn code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            _ => 1,
        }
    }

    /// The line to print, with the `ipfixkit:` prefix; none when there is nothing to add.
    pub fn message(&self) -> Option<String> {
        let m = match self {
            Error::Usage(m) | Error::Failed(m) => m.clone(),
            Error::Input { name, source } => format!("{name}: {source}"),
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return None,
            Error::Output(e) => e.to_string(),
            Error::Reported => return None,
        };
        Some(format!("ipfixkit: {m}"))
    }
}

/// An output error (its message names the output): see [`Error::Output`].
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Output(e)
    }
}

/// Parses a `-F` list and checks its IE names against the model: an unknown name is a usage
/// error naming the closest known one, unless `allow_unknown` (for names a file defines with
/// RFC 5610 type records) or the IE is written by number (`en<PEN>:id<ID>`, `pen/id`).
pub fn field_columns(
    list: Option<&str>,
    model: &InfoModel,
    allow_unknown: bool,
) -> Result<Option<Vec<crate::output::Column>>, Error> {
    let Some(list) = list else { return Ok(None) };
    let cols =
        crate::output::parse_columns(list).map_err(|e| Error::usage(format!("--fields: {e}")))?;
    for c in &cols {
        if let crate::output::Column::Field {
            key, number: None, ..
        } = c
        {
            if allow_unknown || model.by_name(key).is_some() {
                continue;
            }
            let hint = crate::ipfix::suggest::suggest_name(model, key)
                .map(|n| format!("; did you mean {n}?"))
                .unwrap_or_default();
            let shown: String = key.chars().take(64).collect();
            let cut = if shown.len() < key.len() { "..." } else { "" };
            return Err(Error::usage(format!(
                "--fields: unknown IE name {shown:?}{cut}{hint} (for a name only a file defines, \
                 by RFC 5610, add --allow-unknown-fields or write en<PEN>:id<ID>)"
            )));
        }
    }
    Ok(Some(cols))
}

/// Prints a problem line on stderr (what the parallel driver reports, in input order).
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
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
    result: Result<Vec<crate::io::driver::FileOutcome>, E>,
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

/// An output that cannot be opened: refusing a terminal is a usage error (2), a path that
/// cannot be written a failure (1).
impl From<crate::io::output::OpenError> for Error {
    fn from(e: crate::io::output::OpenError) -> Error {
        if e.is_usage() {
            Error::Usage(e.to_string())
        } else {
            Error::Failed(e.to_string())
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_suffixes() {
        for (s, n) in [
            ("0", 0),
            ("65535", 65535),
            ("64K", 64 << 10),
            ("64k", 64 << 10),
            ("64M", 64 << 20),
            ("64MiB", 64 << 20),
            ("1G", 1 << 30),
            ("2gb", 2 << 30),
            ("1T", 1 << 40),
        ] {
            assert_eq!(parse_size(s), Ok(n), "{s}");
        }
        for s in [
            "",
            "K",
            "1.5G",
            "-1",
            "12Q",
            "1 G x",
            "18446744073709551615K",
        ] {
            assert!(parse_size(s).is_err(), "{s}");
        }
    }
}
