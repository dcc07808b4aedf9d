//! One module per subcommand (`Args` + `run`, glue over the layers below; `docs` is the hidden
//! one), and in [`shared`] what they share: the flag groups, declared once, their long help
//! and the one error type with its exit codes ([`Error`]).

pub mod cat;
pub mod convert;
pub mod docs;
pub mod filter;
#[path = "gen/mod.rs"]
pub mod generate;
pub mod merge;
pub mod pcap2ipfix;
pub mod shared;

pub use shared::error::Error;
pub use shared::help;
pub use shared::input_args::*;
pub use shared::output_args::*;

use crate::io::driver::FileOutcome;
pub use crate::io::prepare::Inputs;
use crate::ipfix::InfoModel;
use clap::{Parser, Subcommand};
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
        "merge" => help::merge::EXAMPLES,
        "gen" => help::generate::EXAMPLES,
        "pcap2ipfix" => help::pcap2ipfix::EXAMPLES,
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
    Merge(merge::Args),
    Gen(generate::Args),
    Pcap2ipfix(pcap2ipfix::Args),
    /// Writes the man pages and shell completions (for packagers and the repository).
    #[command(hide = true)]
    Docs(docs::Args),
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
        format: Some(crate::io::input::Sniffed::Ipfix),
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
