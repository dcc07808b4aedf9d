//! The one place that wires the reader, the session and a printer: [`decode_file`] decodes
//! one opened input into a [`Printer`] through [`Drive`] (the session's visitor for a printer:
//! `-n`, `--no-options`, progress, write errors) and turns each problem into the one-line
//! message of DESIGN.md ([`problem_line`]). Over several inputs: [`decode_each`] (into one
//! output through the ordered parallel driver) and [`in_order`] (one after another into one
//! writer).

use super::input::ByteSource;
use super::reader::{ReadOpts, decode_with};
use super::sink::{OptionsRecords, Printer};
use crate::ipfix::session::{Flow, MessageCtx, Pending, RecordRef, Session, Visitor};
use crate::ipfix::{DecodeError, InfoModel, Severity, Template};
use std::io::{self, Write as _};
use std::sync::Arc;

/// Adapts a printer to the session's visitor: counts records for `-n`, sends problems to the
/// reporter, and stops at the first write error (kept in `io_error`). Records that
/// `options` leaves out are neither printed nor counted.
pub struct Drive<'a> {
    pub printer: &'a mut dyn Printer,
    pub on_problem: &'a mut dyn FnMut(&DecodeError) -> Flow,
    pub limit: Option<u64>,
    pub records: u64,
    pub io_error: Option<io::Error>,
    /// Told how many more input octets were read, about every MiB (progress bars).
    pub progress: Option<Progress<'a>>,
    pub options: OptionsRecords,
}

/// Where a progress bar learns how far decoding is: message offsets, or for a compressed
/// input the compressed octets read ([`ByteSource::progress_counter`]).
pub struct Progress<'a> {
    pub inc: &'a (dyn Fn(u64) + Sync),
    pub raw: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// Octets already told.
    pub told: u64,
}

impl Progress<'_> {
    /// Tells the bar about octets up to `offset` (or the raw counter), once a MiB has gathered.
    pub fn at(&mut self, offset: u64, force: bool) {
        let now = match &self.raw {
            Some(c) => c.load(std::sync::atomic::Ordering::Relaxed),
            None => offset,
        };
        if now > self.told && (force || now - self.told >= 1 << 20) {
            (self.inc)(now - self.told);
            self.told = now;
        }
    }
}

impl<'a> Drive<'a> {
    pub fn new(
        printer: &'a mut dyn Printer,
        on_problem: &'a mut dyn FnMut(&DecodeError) -> Flow,
        limit: Option<u64>,
    ) -> Self {
        Drive {
            printer,
            on_problem,
            limit,
            records: 0,
            io_error: None,
            progress: None,
            options: OptionsRecords::All,
        }
    }

    /// Leaves out options records, or keeps only them.
    pub fn with_options(mut self, options: OptionsRecords) -> Self {
        self.options = options;
        self
    }

    fn check(&mut self, r: io::Result<()>) -> Flow {
        match r {
            Ok(()) => Flow::Continue,
            Err(e) => {
                self.io_error = Some(e);
                Flow::Stop
            }
        }
    }
}

impl Visitor for Drive<'_> {
    fn message(&mut self, m: &MessageCtx) -> Flow {
        if let Some(p) = &mut self.progress {
            p.at(m.offset, false);
        }
        let r = self.printer.message(m);
        self.check(r)
    }
    fn set(&mut self, m: &MessageCtx, set_id: u16, offset: u64, length: u16) -> Flow {
        if self.io_error.is_some() {
            return Flow::Stop;
        }
        let r = self.printer.set(m, set_id, offset, length);
        self.check(r)
    }
    fn template(&mut self, m: &MessageCtx, t: &Arc<Template>, offset: u64, changed: bool) -> Flow {
        let r = self.printer.template(m, t, offset, changed);
        self.check(r)
    }
    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> Flow {
        let r = self.printer.withdrawal(m, id, options);
        self.check(r)
    }
    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        if self.options != OptionsRecords::All && !self.options.keeps(r.template) {
            return Flow::Continue;
        }
        if self.limit.is_some_and(|n| self.records >= n) {
            return Flow::Stop;
        }
        self.records += 1;
        let res = self.printer.record(r);
        if self.check(res) == Flow::Stop {
            return Flow::Stop;
        }
        if self.limit.is_some_and(|n| self.records >= n) {
            return Flow::Stop;
        }
        Flow::Continue
    }
    fn data_set(&mut self, m: &MessageCtx, t: &Arc<Template>, body: &[u8], offset: u64) -> bool {
        match self.printer.data_set(m, t, body, offset) {
            Ok(each) => {
                debug_assert!(
                    each || (self.limit.is_none() && self.options == OptionsRecords::All)
                );
                each
            }
            // Kept, and decoding stops at the next set (this call cannot stop it).
            Err(e) => {
                self.io_error = Some(e);
                false
            }
        }
    }
    fn pending(&mut self, p: Pending) {
        self.printer.pending(p);
    }
    fn problem(&mut self, e: &DecodeError) -> Flow {
        self.printer.problem(e);
        (self.on_problem)(e)
    }
}

/// Name of an input in messages.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// Formats a decode problem as the one-line message of DESIGN.md (without the `ipfixkit:`
/// prefix [`stderr_line`] adds), unless `--quiet` hides it.
/// The offset of a compressed input counts octets of its `decompressed` stream, and says so.
pub fn problem_line(
    file: &str,
    e: &DecodeError,
    quiet: bool,
    decompressed: bool,
) -> Option<String> {
    if quiet && e.severity() == Severity::Warning {
        return None;
    }
    Some(format!(
        "{}: {}",
        display_name(file),
        e.in_stream(decompressed)
    ))
}

/// What a reported problem does to the input: `--strict` stops it, otherwise it goes on.
pub fn problem_flow(strict: bool) -> Flow {
    if strict { Flow::Stop } else { Flow::Continue }
}

/// What decoding one input needs besides the input and the printer.
pub struct DecodeOpts<'a> {
    pub model: &'a Arc<InfoModel>,
    pub strict: bool,
    pub quiet: bool,
    /// Stop after this many records.
    pub limit: Option<u64>,
    /// Told the input octets read as decoding goes (a progress bar).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Which records reach the printer (and count for `limit`).
    pub options: OptionsRecords,
    /// `--max-resync`.
    pub max_resync: u64,
    /// Asked before each message: true ends the input quietly (`--strict` stopped the run at
    /// an earlier input).
    pub cancel: Option<&'a dyn Fn() -> bool>,
}

/// Result of decoding one input.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Errors (or, with --strict, any problem) occurred, or output failed.
    pub failed: bool,
    /// Records handed to the printer.
    pub records: u64,
    /// Octets of input read.
    pub octets: u64,
    /// Writing the output failed (the caller reports it: a closed pipe is not an error).
    pub output_error: Option<io::Error>,
    /// `--strict` met a problem: the run ends after this input.
    pub stop_run: bool,
}

/// Decodes one opened input into a printer, reporting input problems as one-line messages,
/// then finishes the printer. An output error ends the input and is returned, not reported.
pub fn decode_file(
    o: &DecodeOpts,
    mut src: ByteSource,
    name: &str,
    printer: &mut dyn Printer,
    report: &mut dyn FnMut(String),
) -> Decoded {
    let mut session = Session::new(o.model.clone());
    let mut failed = false;
    let decompressed = src.decompressed();
    let mut on_problem = |e: &DecodeError| -> Flow {
        if e.severity() == Severity::Error || o.strict {
            failed = true;
        }
        // Under --strict a warning ends the run: it is shown even with --quiet.
        if let Some(mut line) = problem_line(name, e, o.quiet && !o.strict, decompressed) {
            if o.strict {
                line.push_str("; stopped (--strict)");
            }
            report(line);
        }
        problem_flow(o.strict)
    };
    let mut drive = Drive::new(printer, &mut on_problem, o.limit).with_options(o.options);
    drive.progress = o.progress.map(|inc| Progress {
        inc,
        raw: src.progress_counter(),
        told: 0,
    });
    let ropts = ReadOpts {
        max_resync: o.max_resync,
        strict: o.strict,
        cancel: o.cancel,
    };
    decode_with(&mut src, &mut session, &mut drive, &ropts);
    if let Some(p) = &mut drive.progress {
        p.at(src.offset(), true);
    }
    let records = drive.records;
    let io_error = drive.io_error.take();
    drop(drive);
    let output_error = match io_error {
        Some(e) => Some(e),
        None => printer.finish(&session).err(),
    };
    let stop_run = o.strict && failed;
    failed |= output_error.is_some();
    Decoded {
        failed,
        records,
        octets: src.offset(),
        output_error,
        stop_run,
    }
}

/// Prints a problem line on stderr (what the parallel driver reports, in input order). Report
/// lines are `INPUT: what` everywhere; this is the one place they get the `ipfixkit:` prefix
/// (errors that end a command get theirs from `cmd::Error`).
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "ipfixkit: {line}");
}

/// Decodes every input into one output through the ordered parallel driver (outputs in input
/// order, whatever `threads`). `decode` decodes input `i` into the driver's buffer for it,
/// asking `cancel` between messages, or gives `None` when it cannot be opened (reported
/// already): that input failed and, with `strict`, the run ends there. Returns the driver's
/// result and where the run was stopped (for counts that must leave out later inputs).
pub fn decode_each<F>(
    paths: &[String],
    threads: usize,
    out: &mut dyn io::Write,
    strict: bool,
    decode: F,
) -> (
    io::Result<Vec<super::driver::FileOutcome>>,
    super::driver::Stop,
)
where
    F: Fn(usize, &mut dyn io::Write, &dyn Fn() -> bool, &mut dyn FnMut(String)) -> Option<Decoded>
        + Sync,
{
    let stop = super::driver::Stop::new();
    let job = |i: usize, _: &str, w: &mut dyn io::Write, report: &mut dyn FnMut(String)| {
        let cancel = || stop.past(i);
        let Some(d) = decode(i, w, &cancel, report) else {
            if strict {
                stop.request(i);
            }
            return super::driver::FileOutcome { failed: true };
        };
        if d.stop_run {
            stop.request(i);
        }
        // Output errors surface through the driver, which owns the output.
        super::driver::FileOutcome {
            failed: d.failed && d.output_error.is_none(),
        }
    };
    let result = super::driver::run_until(paths, threads, out, &mut stderr_line, &stop, job);
    (result, stop)
}

/// Decodes `count` inputs one after another into one writer (IPFIX output, whose templates
/// and sequence numbers continue across inputs). `step` decodes input `i`, or gives `None`
/// when it cannot be opened (reported already): that input failed and, with `strict`, the run
/// ends. An output error ends the run at once. Returns whether any input failed.
pub fn in_order(
    count: usize,
    strict: bool,
    mut step: impl FnMut(usize, &mut dyn FnMut(String)) -> Option<Decoded>,
) -> io::Result<bool> {
    let mut report = |s: String| stderr_line(&s);
    let mut failed = false;
    for i in 0..count {
        let Some(d) = step(i, &mut report) else {
            failed = true;
            if strict {
                break;
            }
            continue;
        };
        if let Some(e) = d.output_error {
            return Err(e);
        }
        failed |= d.failed;
        if d.stop_run {
            break;
        }
    }
    Ok(failed)
}
