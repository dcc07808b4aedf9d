//! One module per subcommand (`Args` + `run`), plus the flag groups they share so a long flag
//! means the same thing everywhere.

pub mod cat;
pub mod convert;
pub mod docs;
pub mod filter;

use crate::io::decode::{DecodeOpts, display_name};
use crate::ipfix::InfoModel;
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

/// Shown verbatim (never wrapped): see [`help_template`].
pub const EXAMPLES: &str = "\
Examples:
  ipfixkit cat flows.ipfix                      one line per record
  ipfixkit cat -f json flows.ipfix.gz | jq .    NDJSON, gzip recognised by content
  ipfixkit cat -f csv -F sourceIPv4Address,octetDeltaCount f.ipfix > f.csv
  ipfixkit cat --templates --stats flows.ipfix  what is in a file
  ipfixkit convert --to csv -d out/ *.ipfix.gz  one CSV per input, in parallel
  ipfixkit convert --to ipfix rows.csv -o x.ipfix   CSV (or JSON lines) to IPFIX
  ipfixkit filter 'proto udp and port 53' f.ipfix -o dns.ipfix
  ipfixkit <COMMAND> --help                     more on each command";

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
        "cat" => cat::EXAMPLES,
        "convert" => convert::EXAMPLES,
        "filter" => filter::EXAMPLES,
        _ => EXAMPLES,
    }
}

/// A fast, RFC-correct toolbox for IPFIX files (RFC 5655).
#[derive(Parser, Debug)]
#[command(
    name = "ipfixkit",
    version,
    about,
    help_template = help_template(EXAMPLES),
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

/// The inputs of a command that may print CSV. CSV without `-F` takes its columns from a first
/// pass over every input ([`Inputs::scan_csv`]): what that pass reads of stdin and pipes is
/// spooled to temporary files as it reads (only as far as it reads: an endless stream given
/// up after `--max-resync` octets does not fill the disk), and the decoding pass reads the
/// spool and then the rest of the stream. What the first pass opened is kept, rewound, for
/// the decoding pass, so a mapped file is mapped once.
pub struct Inputs {
    /// What to open for each input: the input itself, or its spool.
    pub paths: Vec<String>,
    /// What to call each input in messages.
    pub names: Vec<String>,
    spooled: Vec<crate::io::temp::TempFile>,
    opened: std::sync::Mutex<Vec<Option<crate::io::input::ByteSource>>>,
    /// For a spooled input: the stream, to go on with after its spool.
    rest: std::sync::Mutex<Vec<Option<crate::io::temp::Stream>>>,
}

impl Inputs {
    pub fn new(inputs: Vec<String>) -> Inputs {
        Inputs {
            names: inputs.iter().map(|p| display_name(p).to_string()).collect(),
            paths: inputs,
            spooled: Vec::new(),
            opened: std::sync::Mutex::new(Vec::new()),
            rest: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The CSV column union of all inputs (see [`crate::output::csv::union_columns`]).
    pub fn scan_csv(
        &mut self,
        model: &Arc<InfoModel>,
        threads: usize,
        options: crate::output::OptionsRecords,
    ) -> Result<Vec<crate::output::Column>, Failure> {
        use crate::io::input::ByteSource;
        use crate::io::temp::{Stream, Tee, TempFile, is_regular};
        let mut opened = Vec::new();
        let mut rest = Vec::new();
        for (path, name) in self.paths.iter_mut().zip(&self.names) {
            if is_regular(path) {
                opened.push(ByteSource::open(path).ok());
                rest.push(None);
                continue;
            }
            let fail = |e: std::io::Error| Failure::failed(format!("ipfixkit: {name}: {e}"));
            let stream = Stream::open(path).map_err(fail)?;
            let tmp = TempFile::new("spool");
            let file = std::fs::File::create(tmp.path()).map_err(fail)?;
            let src = ByteSource::from_reader(Box::new(Tee::new(stream.clone(), file)));
            opened.push(Some(src.map_err(fail)?));
            rest.push(Some(stream));
            *path = tmp.path().to_string_lossy().into_owned();
            self.spooled.push(tmp);
        }
        let columns = crate::output::csv::union_columns(&mut opened, model, threads, options);
        self.opened = std::sync::Mutex::new(opened);
        self.rest = std::sync::Mutex::new(rest);
        Ok(columns)
    }

    /// Input `i` for decoding: what the column pass left open, or opened now. A failure is
    /// reported as one line naming the input.
    pub fn open(
        &self,
        i: usize,
        report: &mut dyn FnMut(String),
    ) -> Option<crate::io::input::ByteSource> {
        let kept = self
            .opened
            .lock()
            .ok()
            .and_then(|mut v| v.get_mut(i).and_then(Option::take));
        let rest = self
            .rest
            .lock()
            .ok()
            .and_then(|mut v| v.get_mut(i).and_then(Option::take));
        let reopen = || match rest {
            // The spool, then what the first pass did not read.
            Some(rest) => {
                let spool = std::fs::File::open(&self.paths[i])?;
                crate::io::input::ByteSource::from_reader(Box::new(std::io::Read::chain(
                    spool, rest,
                )))
            }
            None => crate::io::input::ByteSource::open(&self.paths[i]),
        };
        match kept.map_or_else(reopen, Ok) {
            Ok(s) => Some(s),
            Err(e) => {
                report(format!("ipfixkit: {}: {e}", self.names[i]));
                None
            }
        }
    }
}

/// Error type of a command: a message and an exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: Option<String>,
}

impl Failure {
    pub fn usage(m: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: Some(m.into()),
        }
    }
    pub fn failed(m: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: Some(m.into()),
        }
    }
    /// Some input failed; the messages were printed already.
    pub fn quiet() -> Failure {
        Failure {
            code: 1,
            message: None,
        }
    }
}

/// Parses a `-F` list and checks its IE names against the model: an unknown name is a usage
/// error naming the closest known one, unless `allow_unknown` (for names a file defines with
/// RFC 5610 type records) or the IE is written by number (`en<PEN>:id<ID>`, `pen/id`).
pub fn field_columns(
    list: Option<&str>,
    model: &InfoModel,
    allow_unknown: bool,
) -> Result<Option<Vec<crate::output::Column>>, Failure> {
    let Some(list) = list else { return Ok(None) };
    let cols =
        crate::output::parse_columns(list).map_err(|e| Failure::usage(format!("--fields: {e}")))?;
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
            return Err(Failure::usage(format!(
                "--fields: unknown IE name {shown:?}{cut}{hint} (for a name only a file defines, \
                 by RFC 5610, add --allow-unknown-fields or write en<PEN>:id<ID>)"
            )));
        }
    }
    Ok(Some(cols))
}

/// The failure for an error writing the output (whose message names the output): a closed
/// pipe ends quietly with 0.
pub fn output_failure(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure {
            code: 0,
            message: None,
        }
    } else {
        Failure::failed(format!("ipfixkit: {e}"))
    }
}

/// Prints a problem line on stderr (what the parallel driver reports, in input order).
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The end of a run over the driver: the output finished (renamed into place), and the exit
/// status from the inputs' outcomes (`failed`: something failed before the driver ran).
pub fn conclude(
    out: crate::io::output::Output,
    result: std::io::Result<Vec<crate::io::driver::FileOutcome>>,
    failed: bool,
) -> Result<(), Failure> {
    let outcomes = result.map_err(output_failure)?;
    out.finish().map_err(output_failure)?;
    if failed || outcomes.iter().any(|o| o.failed) {
        Err(Failure::quiet())
    } else {
        Ok(())
    }
}

/// An output that cannot be opened: refusing a terminal is a usage error (2), a path that
/// cannot be written a failure (1).
impl From<crate::io::output::OpenError> for Failure {
    fn from(e: crate::io::output::OpenError) -> Failure {
        if e.is_usage() {
            Failure::usage(e.to_string())
        } else {
            Failure::failed(format!("ipfixkit: {e}"))
        }
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
