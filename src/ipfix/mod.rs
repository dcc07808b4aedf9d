//! The IPFIX codec: pure functions and views over `&[u8]` (RFC 7011, 7012, 5103, 5610, 6313).
//!
//! No files, no printing, no command-line concerns; nothing here panics on input. Layers above
//! feed messages to a [`session::Session`] and receive templates, records and problems through
//! a [`session::Visitor`].

pub mod encode;
pub mod error;
pub mod list;
pub mod registry;
pub mod session;
pub mod template;
pub mod text;
pub mod types;
pub mod value;
pub mod writer;

pub use error::{DecodeError, ErrorKind, Severity};
pub use registry::{IeDef, InfoModel};
pub use session::{Flow, MessageCtx, MessageHeader, RecordRef, Session, Visitor};
pub use template::{Field, Template};
pub use types::{DataType, Semantics, Units, VARLEN};
pub use value::{Value, decode};
