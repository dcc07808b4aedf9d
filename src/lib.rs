//! ipfixkit: a toolbox for IPFIX files (RFC 5655).
//!
//! Layers, each using only the ones before it: [`ipfix`] (the codec over bytes), [`io`]
//! (inputs, message framing, outputs, the per-file parallel driver), [`output`] (one printer per
//! format) and [`cmd`] (one module per subcommand).

pub mod cmd;
pub mod filter;
pub mod io;
pub mod ipfix;
pub mod output;
