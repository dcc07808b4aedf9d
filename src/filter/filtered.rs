//! A printer adapter that keeps the records a filter expression selects.
//!
//! The expression is compiled once per template; evaluation allocates nothing. Options records
//! are not filtered: with `keep_options` (IPFIX output) they pass through, since the kept records
//! may need them (sampling, type information); otherwise they are left out. Counts are of data
//! records.

use super::{Compiled, Filter, Scratch};
use crate::io::sink::{Layouts, Printer};
use crate::ipfix::Template;
use crate::ipfix::session::{MessageCtx, RecordRef, Session};
use std::io;
use std::sync::Arc;

pub struct Filtered<'a> {
    /// Where kept records go; `None` only counts.
    pub inner: Option<&'a mut dyn Printer>,
    filter: &'a Filter,
    invert: bool,
    keep_options: bool,
    layouts: Layouts<Compiled>,
    scratch: Scratch,
    /// Data records that matched (or did not, with `invert`).
    pub matched: u64,
}

impl<'a> Filtered<'a> {
    pub fn new(
        inner: Option<&'a mut dyn Printer>,
        filter: &'a Filter,
        invert: bool,
        keep_options: bool,
    ) -> Self {
        Filtered {
            inner,
            filter,
            invert,
            keep_options,
            layouts: Layouts::default(),
            scratch: Scratch::default(),
            matched: 0,
        }
    }
}

impl Printer for Filtered<'_> {
    fn message(&mut self, m: &MessageCtx) -> io::Result<()> {
        match &mut self.inner {
            Some(p) => p.message(m),
            None => Ok(()),
        }
    }

    fn template(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        match &mut self.inner {
            Some(p) => p.template(m, t, offset, changed),
            None => Ok(()),
        }
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
        match &mut self.inner {
            Some(p) => p.withdrawal(m, id, options),
            None => Ok(()),
        }
    }

    #[inline]
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        if r.template.is_options() {
            return match &mut self.inner {
                Some(p) if self.keep_options => p.record(r),
                _ => Ok(()),
            };
        }
        let filter = self.filter;
        let c = self.layouts.get(r.template, |t| filter.compile(t));
        if c.matches(r.template, r.data, &mut self.scratch) != self.invert {
            self.matched += 1;
            if let Some(p) = &mut self.inner {
                return p.record(r);
            }
        }
        Ok(())
    }

    fn finish(&mut self, s: &Session) -> io::Result<()> {
        match &mut self.inner {
            Some(p) => p.finish(s),
            None => Ok(()),
        }
    }
}
