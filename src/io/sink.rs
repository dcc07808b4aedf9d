//! What decoding feeds: the [`Printer`] every output format implements, and which records
//! reach it ([`OptionsRecords`]), and the per-template cache sinks keep ([`Layouts`]). Here,
//! below `output` and `filter`, so the one decode loop
//! ([`super::decode`]) can drive a printer without `io` importing the printers.

use crate::ipfix::session::{MessageCtx, Pending, RecordRef, Session};
use crate::ipfix::{DecodeError, Template};
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

/// What a printer is told; everything but `record` is optional.
pub trait Printer {
    fn message(&mut self, _m: &MessageCtx) -> io::Result<()> {
        Ok(())
    }
    fn set(&mut self, _m: &MessageCtx, _set_id: u16, _offset: u64, _length: u16) -> io::Result<()> {
        Ok(())
    }
    fn template(
        &mut self,
        _m: &MessageCtx,
        _t: &Arc<Template>,
        _offset: u64,
        _changed: bool,
    ) -> io::Result<()> {
        Ok(())
    }
    fn withdrawal(&mut self, _m: &MessageCtx, _id: Option<u16>, _options: bool) -> io::Result<()> {
        Ok(())
    }
    /// A data set of a known template, before its records (none may follow): its `body`
    /// (records and padding) starts at input offset `offset`. Returning false says the
    /// printer took the records from `body` itself, and they are not handed out one by one
    /// (a printer that does so is not given a record limit or an options selection: those
    /// count records as they are handed out). An error stops decoding before the next set.
    fn data_set(
        &mut self,
        _m: &MessageCtx,
        _t: &Arc<Template>,
        _body: &[u8],
        _offset: u64,
    ) -> io::Result<bool> {
        Ok(true)
    }
    /// A data set ahead of its template: held, or decoded when its template came.
    fn pending(&mut self, _p: Pending) {}
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()>;
    /// A problem of the input, as it is reported (also under `--quiet`).
    fn problem(&mut self, _e: &DecodeError) {}
    /// Called once when the input ends (or decoding stopped).
    fn finish(&mut self, _session: &Session) -> io::Result<()> {
        Ok(())
    }
    /// Called once when the output ends, after its last input (a printer that spans inputs
    /// writes what it holds back: IPFIX's last message and metadata).
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Which records reach the printer: all, all but options records, or options records only
/// (`--no-options`, `--options-only`). Templates, sets and messages are not affected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OptionsRecords {
    #[default]
    All,
    Without,
    Only,
}

impl OptionsRecords {
    /// Whether records of `t` are kept: decided by the template alone.
    #[inline]
    pub fn keeps(self, t: &Template) -> bool {
        match self {
            OptionsRecords::All => true,
            OptionsRecords::Without => !t.is_options(),
            OptionsRecords::Only => t.is_options(),
        }
    }
}

/// Per-template state of a sink (a printer's layout, a compiled filter), computed once per template definition.
pub struct Layouts<L> {
    entries: Vec<(Arc<Template>, L)>,
    index: HashMap<usize, usize, crate::ipfix::IdHash>,
    last_ptr: usize,
    last: usize,
}

impl<L> Default for Layouts<L> {
    fn default() -> Self {
        Layouts {
            entries: Vec::new(),
            index: HashMap::default(),
            last_ptr: 0,
            last: 0,
        }
    }
}

impl<L> Layouts<L> {
    /// The layout for `t`, made by `make` the first time. Entries hold the template alive, so
    /// its address cannot be reused by another template while it is cached.
    #[inline]
    pub fn get(&mut self, t: &Arc<Template>, make: impl FnOnce(&Template) -> L) -> &L {
        let p = Arc::as_ptr(t) as usize;
        if p != self.last_ptr || self.entries.is_empty() {
            let i = match self.index.get(&p) {
                Some(&i) => i,
                None => {
                    // A file that redefines templates endlessly must not grow this forever.
                    if self.entries.len() >= 4096 {
                        self.entries.clear();
                        self.index.clear();
                    }
                    self.entries.push((t.clone(), make(t)));
                    self.index.insert(p, self.entries.len() - 1);
                    self.entries.len() - 1
                }
            };
            self.last_ptr = p;
            self.last = i;
        }
        &self.entries[self.last].1
    }
}
