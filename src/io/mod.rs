//! Everything with files and streams: inputs ([`input`]: mmap, streams, decompression,
//! sniffing; [`prepare`]: JSON/CSV encoded to temporary IPFIX, pipes spooled for a second pass),
//! message framing ([`reader`]: the pull reader [`reader::Messages`]), the one decode loop
//! ([`decode`]) and what it feeds ([`sink`]: the [`sink::Printer`] trait), outputs
//! ([`output`]: temporary file renamed on success; devices and FIFOs written into),
//! temporaries removed on signals ([`temp`]), the ordered parallel driver ([`driver`]) and
//! the progress bar ([`progress`]).

pub mod decode;
pub mod driver;
pub mod input;
pub mod output;
pub mod prepare;
pub mod progress;
pub mod reader;
pub mod sink;
pub mod temp;
