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
    #[arg(long = "max-resync", value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
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
