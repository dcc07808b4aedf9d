//! The flags of what a command reads, each declared once so a long flag means the same thing
//! everywhere: inputs and their decoding, and progress.

use crate::io::decode::DecodeOpts;
use crate::ipfix::InfoModel;
use std::path::PathBuf;
use std::sync::Arc;

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
    #[arg(long = "max-resync", value_name = "BYTES", default_value = "64M", value_parser = crate::io::reader::parse_size)]
    pub max_resync: u64,

    /// Worker threads for several files (0 = all cores). Output order never depends on it.
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Do not print warnings (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,
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
        crate::io::input::model_with_specs(&self.ie_spec)
    }
}

/// How JSON lines and CSV inputs are read, for the commands that take them.
#[derive(clap::Args, Debug, Clone)]
pub struct TextInputArgs {
    /// Input format (default: recognised from content).
    #[arg(long, value_enum, default_value_t = From::Auto)]
    pub from: From,

    /// From JSON/CSV: export time (RFC 3339 or Unix seconds) for records before the first one
    /// with @export_time (default 0); later records without one keep the previous record's.
    #[arg(long, value_name = "TIME", value_parser = parse_export_time)]
    pub export_time: Option<u32>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    Auto,
    Ipfix,
    Json,
    Csv,
}

impl TextInputArgs {
    /// How inputs are made ready: JSON/CSV encoded into IPFIX messages of `message_size`.
    pub fn prepare(
        &self,
        input: &InputArgs,
        model: &Arc<InfoModel>,
        message_size: u16,
    ) -> crate::io::prepare::PrepareOpts {
        use crate::io::input::Sniffed;
        crate::io::prepare::PrepareOpts {
            format: match self.from {
                From::Auto => None,
                From::Ipfix => Some(Sniffed::Ipfix),
                From::Json => Some(Sniffed::Json),
                From::Csv => Some(Sniffed::Csv),
            },
            model: model.clone(),
            message_size: message_size as usize,
            export_time: self.export_time.unwrap_or(0),
            strict: input.strict,
        }
    }
}

fn parse_export_time(t: &str) -> Result<u32, String> {
    let (secs, nanos) = crate::ipfix::text::parse_time(t, 0)?;
    if nanos != 0 || !(0..=u32::MAX as i64).contains(&secs) {
        return Err("whole seconds between 1970 and 2106".into());
    }
    Ok(secs as u32)
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
