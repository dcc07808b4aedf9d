//! The flags of what a command writes, each declared once so a long flag means the same
//! thing everywhere: which records, how they print, and where to.

use super::error::Error;
use crate::ipfix::InfoModel;

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

/// How records print as text, JSON or CSV, for every command that prints them.
#[derive(clap::Args, Debug, Clone)]
pub struct PrintArgs {
    /// Comma-separated fields to print: IE names (`octetDeltaCount`, `reverseOctetDeltaCount`),
    /// `pen/id` or `en<PEN>:id<ID>`, `name#2` for a repeated IE, and metadata `@export_time`,
    /// `@domain`, `@template`, `@sequence`, `@scope`, and `@version` (10 for IPFIX, 9 or 5 for
    /// a record read from NetFlow).
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
            columns: match &self.fields {
                Some(list) => Some(
                    crate::output::checked_columns(list, model, self.allow_unknown_fields)
                        .map_err(|e| Error::usage(format!("--fields: {e}")))?,
                ),
                None => None,
            },
            time: match self.time {
                TimeArg::Iso => crate::ipfix::text::TimeStyle::Rfc3339,
                TimeArg::Epoch => crate::ipfix::text::TimeStyle::Epoch,
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
