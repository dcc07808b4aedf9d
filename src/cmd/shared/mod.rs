//! What the subcommands share: the flag groups, each declared once so a long flag means the
//! same thing everywhere ([`input_args`], [`output_args`]), the long help texts ([`help`])
//! and the error type with its exit codes ([`error`]). No subcommand lives here.

pub mod error;
pub mod help;
pub mod input_args;
pub mod output_args;
