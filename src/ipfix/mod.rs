//! The IPFIX codec: pure functions and views over `&[u8]` (RFC 7011, 7012, 5103, 5610, 6313).
//!
//! No files, no printing, no command-line concerns; nothing here panics on input. Layers above
//! feed messages to a [`session::Session`] and receive templates, records and problems through
//! a [`session::Visitor`]. Also here, as pure as the rest: the message writer ([`writer`]) and
//! value encoder ([`encode`]), the text forms of values ([`text`]), the domain/template
//! remapper that re-emits records of several sources ([`remap`]), and the NetFlow v5/v9 to
//! IPFIX translator ([`netflow`]).

pub mod encode;
pub mod error;
pub mod hold;
pub mod list;
pub mod netflow;
pub mod nfwrite;
pub mod registry;
pub mod remap;
pub mod session;
pub mod suggest;
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

/// A hasher for small integer keys the input cannot choose freely enough to collide in bulk
/// (template IDs, addresses of our own allocations): one multiply instead of SipHash on paths
/// taken once per data set. Template IDs are chosen by the input, but a table of at most 65536
/// of them cannot degrade beyond a linear scan of that table.
pub type IdHash = std::hash::BuildHasherDefault<IdHasher>;

#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u16(&mut self, v: u16) {
        self.0 = (v as u64 ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, v: usize) {
        self.0 = (v as u64 ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
