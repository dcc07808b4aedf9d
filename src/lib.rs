//! ipfixkit: a toolbox for IPFIX files (RFC 5655).
//!
//! Layers, each using only the ones before it: [`ipfix`] (the codec over bytes, and the
//! NetFlow translator) and, beside it and as pure, [`packet`] (packet headers read into flow
//! fields, for [`output`]'s flow view of records that carry a sampled packet and for the meter),
//! [`format`](mod@format) (JSON lines and CSV read into IPFIX), [`io`] (inputs, message framing,
//! the one decode loop, outputs, the per-file parallel driver), [`output`] (one printer per
//! format) and [`filter`] (the expression language), and [`cmd`] (one module per subcommand,
//! glue).

pub mod cmd;
pub mod filter;
pub mod format;
/// `gen` (a reserved word in Rust 2024: the module is `generator`, its directory `src/gen/`).
#[path = "gen/mod.rs"]
pub mod generator;
pub mod io;
pub mod ipfix;
pub mod merge;
pub mod meter;
pub mod output;
pub mod packet;
