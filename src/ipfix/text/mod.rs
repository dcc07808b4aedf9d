//! The text forms of values, both ways: [`write`](mod@write) what the printers print, [`parse`](mod@parse) what
//! JSON/CSV input and filter literals give back. Whatever is written for a value of a type
//! parses back to that value (tests/roundtrip_types.rs).

pub mod parse;
pub mod write;

pub use parse::*;
pub use write::*;
