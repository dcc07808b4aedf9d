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
    /// a record read from NetFlow). Aliases pick the IE a record has, v4 or v6: the flow
    /// schema's names (`src_addr`, `bytes`...) and nfdump's (`srcip,dstport,proto,packets`).
    /// With --schema flow: the flow schema's fields and --map names.
    #[arg(short = 'F', long = "fields", value_name = "LIST")]
    pub fields: Option<String>,

    /// With -F: accept IE names the registry does not know (names a file defines with RFC 5610
    /// type records); without it such a name is an error with the closest known name.
    #[arg(long)]
    pub allow_unknown_fields: bool,

    /// Times as RFC 3339 UTC (`iso`) or as integers since 1970 (`epoch`: in the type's own
    /// unit; with --schema flow in nanoseconds). Default: iso; with --schema flow, epoch.
    #[arg(long, value_enum)]
    pub time: Option<TimeArg>,

    /// Leave out the CSV header row.
    #[arg(long)]
    pub no_header: bool,

    /// Which fields records have: `raw`, the record's own IEs; `flow`, the fixed fields of the
    /// common flow schema (goflow2's names: src_addr, dst_addr, bytes, time_flow_start_ns...),
    /// the same for NetFlow v5, v9 and IPFIX. With `flow`, options records are not printed
    /// (they are not flows: their sampling rates and boot times fill the flow fields) and -F
    /// picks schema fields.
    #[arg(long, value_enum, default_value_t = SchemaArg::Raw)]
    pub schema: SchemaArg,

    /// With --schema flow: rename a field in the header or keys, `OLD=NEW` (repeatable).
    #[arg(long, value_name = "OLD=NEW")]
    pub rename: Vec<String>,

    /// With --schema flow: add a field NAME from any IE of the record (by name, en<PEN>:id<ID>
    /// or pen/id; enterprise IEs too), written as raw output writes it (repeatable).
    #[arg(long, value_name = "NAME=IE")]
    pub map: Vec<String>,

    /// With --schema flow: how a field is written: src_net/dst_net as `prefix` (10.0.0.0/24,
    /// the default) or `int` (the length); src_mac/dst_mac as `mac` or `int` (repeatable).
    #[arg(long, value_name = "FIELD=FORM")]
    pub render: Vec<String>,

    /// With --schema flow: keep a biflow (RFC 5103) as one record with reverse_bytes and
    /// reverse_packets instead of two records (initiator and responder).
    #[arg(long)]
    pub no_split_biflow: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaArg {
    /// The IEs each record has (the default).
    Raw,
    /// The fixed fields of the flow schema.
    Flow,
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
        let flow = self.schema == SchemaArg::Flow;
        let flow_only = [
            ("--rename", !self.rename.is_empty()),
            ("--map", !self.map.is_empty()),
            ("--render", !self.render.is_empty()),
            ("--no-split-biflow", self.no_split_biflow),
        ];
        if let Some((flag, _)) = flow_only.iter().find(|(_, given)| *given && !flow) {
            return Err(Error::usage(format!("{flag} needs --schema flow")));
        }
        let view = match flow {
            true => Some(std::sync::Arc::new(
                crate::output::flow::View::new(
                    &crate::output::flow::ViewArgs {
                        fields: self.fields.as_deref(),
                        renames: &self.rename,
                        maps: &self.map,
                        renders: &self.render,
                        no_split_biflow: self.no_split_biflow,
                        iso_time: self.time == Some(TimeArg::Iso),
                    },
                    model,
                )
                .map_err(Error::usage)?,
            )),
            false => None,
        };
        Ok(crate::output::PrintOptions {
            flow: view,
            columns: match &self.fields {
                Some(_) if flow => None,
                Some(list) => Some(
                    crate::output::checked_columns(list, model, self.allow_unknown_fields)
                        .map_err(|e| Error::usage(format!("--fields: {e}")))?,
                ),
                None => None,
            },
            time: match self.time {
                None | Some(TimeArg::Iso) => crate::ipfix::text::TimeStyle::Rfc3339,
                Some(TimeArg::Epoch) => crate::ipfix::text::TimeStyle::Epoch,
            },
            header: !self.no_header,
        })
    }
}

impl PrintArgs {
    /// With --schema flow, refuses what has no flow form: `format` names the output format
    /// given (json, csv and text have one), `options` the --no-options/--options-only flag.
    pub fn check_flow(&self, format: &str, options: Option<&str>) -> Result<(), Error> {
        if self.schema != SchemaArg::Flow {
            return Ok(());
        }
        if !matches!(format, "json" | "csv" | "text" | "parquet") {
            return Err(Error::usage(format!(
                "--schema flow writes json, csv, text or parquet, not {format}"
            )));
        }
        if let Some(flag) = options {
            return Err(Error::usage(format!(
                "{flag} with --schema flow: options records are never flow records"
            )));
        }
        Ok(())
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

use crate::output::parquet::{Compression, Partition, Signed, TimeUnit};

/// Parquet output flags (`--to parquet`).
#[derive(clap::Args, Debug, Clone)]
pub struct ParquetArgs {
    /// Parquet: column chunk compression.
    #[arg(long, value_enum, default_value_t = Compression::Zstd)]
    pub compression: Compression,

    /// Parquet: unit of TIMESTAMP columns (dateTime* IEs and @export_time, UTC). A finer time
    /// than the unit is truncated (dateTimeNanoseconds needs ns to be kept whole).
    #[arg(long, value_enum, default_value_t = TimeUnit::Micros)]
    pub timestamp_unit: TimeUnit,

    /// Parquet: rows per row group; a row group also ends at about 128 MiB of buffered data.
    /// Memory is about one row group per output written at once.
    #[arg(long, value_name = "ROWS", default_value_t = crate::output::parquet::ROW_GROUP_ROWS as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub row_group_size: u64,

    /// Parquet: write unsigned columns as signed ones, for engines without unsigned types
    /// (Hive, older Spark; Spark 3.2+ reads UINT_64 as DECIMAL(20,0)): unsigned8/16/32 as
    /// INT16/32/64, unsigned64 as INT64 (`int64`, the default: a value above 2^63-1 fails
    /// the input) or DECIMAL(20,0) (`decimal`: lossless).
    #[arg(long, value_enum, value_name = "UNSIGNED64", num_args = 0..=1,
          require_equals = true, default_missing_value = "int64")]
    pub signed: Option<Signed>,

    /// Parquet with -d DIR: Hive-style partition directories by flow start (UTC),
    /// `DIR/date=2024-05-01/hour=13/part-00000.parquet` (`day`: `DIR/date=2024-05-01/...`),
    /// file `part-N` from input N, every file of the same columns. Spark, Trino and DuckDB
    /// (`hive_partitioning`) read `date` and `hour` as columns and skip the others.
    #[arg(long, value_enum, value_name = "BY")]
    pub partition: Option<Partition>,
}

impl ParquetArgs {
    /// The writer settings these flags give.
    /// The writer's settings; `threads` (the inputs' `-j`) encode a file's columns.
    pub fn settings(&self, threads: usize) -> crate::output::parquet::Settings {
        crate::output::parquet::Settings {
            threads,
            compression: self.compression,
            unit: self.timestamp_unit,
            signed: self.signed,
            rows: usize::try_from(self.row_group_size).unwrap_or(usize::MAX),
            partition: self.partition,
            ..Default::default()
        }
    }
}
