//! Metering whole captures: each one, read frame by frame, into an IPFIX file of its flows
//! (in the order they ended), captures in parallel on a thread each. Ordering the flows by
//! start and writing the outputs is the caller's (with `merge`, which sorts in bounded
//! memory).

use super::capture::Capture;
use super::export::{Exporter, Shape};
use super::{Meter, Opts, Stats};
use crate::io::input::ByteSource;
use crate::io::temp::TempFile;
use std::io::Write;
use std::sync::atomic::Ordering::Relaxed;

/// What metering one capture gave.
pub struct Metered {
    pub name: String,
    /// The flows, as IPFIX (absent when the capture could not be opened at all).
    pub flows: Option<TempFile>,
    pub stats: Stats,
    pub written: u64,
    /// Why reading stopped early (the flows of what was read are still there), or why the
    /// capture could not be read: one line naming the file.
    pub error: Option<String>,
}

/// Meters the capture `src` (named `name` in messages) into `out`.
pub fn meter(
    src: ByteSource,
    name: &str,
    opts: Opts,
    shape: Shape,
    message_size: usize,
    out: &mut dyn Write,
    progress: &(dyn Fn(u64) + Sync),
) -> (Stats, u64, Option<String>) {
    let mut meter = Meter::new(opts);
    let mut ex = Exporter::new(out, message_size, shape, opts);
    let mut capture = match Capture::open(src) {
        Ok(c) => c,
        Err(e) => return (meter.stats, 0, Some(format!("{name}: {e}"))),
    };
    let mut error = None;
    let mut write_error = None;
    // Progress in file octets: the compressed ones under a decompressor.
    let counter = capture.progress_counter();
    let at = |c: &Capture| counter.as_ref().map_or(c.offset(), |n| n.load(Relaxed));
    let mut told = 0;
    loop {
        if capture.frames % 4096 == 0 {
            let now = at(&capture);
            progress(now.saturating_sub(told));
            told = now;
        }
        match capture.next(|f| meter.frame(f)) {
            Ok(Some(())) => {}
            Ok(None) => break,
            Err(e) => {
                error = Some(format!("{name}: {e}"));
                break;
            }
        }
        for f in meter.take() {
            if let Err(e) = ex.flow(&f) {
                write_error = Some(e);
            }
        }
        if write_error.is_some() {
            break;
        }
    }
    progress(at(&capture).saturating_sub(told));
    meter.finish();
    for f in meter.take() {
        if write_error.is_none() {
            if let Err(e) = ex.flow(&f) {
                write_error = Some(e);
            }
        }
    }
    let written = ex.flows;
    if let Err(e) = ex.finish() {
        write_error.get_or_insert(e);
    }
    if let Some(e) = write_error {
        error = Some(format!("{name}: writing its flows: {e}"));
    }
    (meter.stats, written, error)
}

/// Meters each of `inputs` (`-` is stdin) into a temporary IPFIX file, `threads` at a time;
/// results in input order.
pub fn meter_all(
    inputs: &[String],
    opts: Opts,
    shape: Shape,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Metered>, String> {
    let one = |path: &String| -> Metered {
        let name = crate::io::decode::display_name(path);
        let mut m = Metered {
            name: name.to_string(),
            flows: None,
            stats: Stats::default(),
            written: 0,
            error: None,
        };
        // Streamed, not mapped: a capture is read once, front to back, and a mapping would
        // count the whole file in the resident set (and fault every page in first).
        let src = match open_capture(path) {
            Ok(s) => s,
            Err(e) => {
                m.error = Some(format!("{name}: {e}"));
                return m;
            }
        };
        let temp = TempFile::new("pcap2ipfix");
        let file = match std::fs::File::create(temp.path()) {
            Ok(f) => f,
            Err(e) => {
                m.error = Some(format!("{}: {e}", temp.path().display()));
                return m;
            }
        };
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let (stats, written, error) = meter(src, name, opts, shape, 65535, &mut w, progress);
        m.stats = stats;
        m.written = written;
        m.error = error;
        if let Err(e) = w.flush() {
            m.error
                .get_or_insert(format!("{}: {e}", temp.path().display()));
        }
        m.flows = Some(temp);
        m
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(pool.install(|| {
        use rayon::prelude::*;
        inputs.par_iter().map(one).collect()
    }))
}

/// What `--extract` gave.
pub struct Extracted {
    pub stats: super::extract::Stats,
    /// Problems the decoders reported, and captures that could not be read (to the end).
    pub lines: Vec<String>,
    pub failed: bool,
    /// Which output domain each (exporter, domain) became.
    pub mapping: Vec<String>,
}

/// Opens a capture as a stream (see [`meter_all`]).
fn open_capture(path: &str) -> std::io::Result<ByteSource> {
    match path {
        "-" => ByteSource::open(path),
        _ => std::fs::File::open(path).and_then(|f| {
            if f.metadata()?.is_dir() {
                return Err(std::io::Error::other("is a directory"));
            }
            ByteSource::from_reader(Box::new(f))
        }),
    }
}

/// The export packets of `inputs` (in order: one run, templates carry over) into `out` as
/// IPFIX; `Err` when writing `out` failed.
pub fn extract(
    inputs: &[String],
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    message_size: usize,
    port: Option<u16>,
    out: &mut dyn Write,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Extracted, String> {
    let mut x = super::extract::Extractor::new(out, model.clone(), message_size, port);
    let mut lines = Vec::new();
    let mut failed = false;
    for path in inputs {
        let name = crate::io::decode::display_name(path);
        match open_capture(path) {
            Ok(src) => failed |= extract_capture(&mut x, src, name, &mut lines, progress),
            Err(e) => {
                x.capture(name);
                lines.push(format!("{name}: {e}"));
                failed = true;
            }
        }
    }
    extract_end(x, lines, failed)
}

/// [`extract`] of one capture already open (`src`, named `name` in messages).
pub fn extract_source(
    src: ByteSource,
    name: &str,
    model: &std::sync::Arc<crate::ipfix::InfoModel>,
    message_size: usize,
    port: Option<u16>,
    out: &mut dyn Write,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Extracted, String> {
    let mut x = super::extract::Extractor::new(out, model.clone(), message_size, port);
    let mut lines = Vec::new();
    let failed = extract_capture(&mut x, src, name, &mut lines, progress);
    extract_end(x, lines, failed)
}

/// The frames of one capture through `x`; whether it could not be read (to the end).
fn extract_capture<W: Write>(
    x: &mut super::extract::Extractor<W>,
    src: ByteSource,
    name: &str,
    lines: &mut Vec<String>,
    progress: &(dyn Fn(u64) + Sync),
) -> bool {
    x.capture(name);
    let mut failed = false;
    let mut capture = match Capture::open(src) {
        Ok(c) => c,
        Err(e) => {
            lines.push(format!("{name}: {e}"));
            return true;
        }
    };
    let mut told = 0;
    loop {
        if capture.frames % 4096 == 0 {
            progress(capture.offset().saturating_sub(told));
            told = capture.offset();
        }
        match capture.next(|f| x.frame(f)) {
            Ok(Some(())) if !x.failed() => {}
            Ok(_) => break,
            Err(e) => {
                lines.push(format!("{name}: {e}"));
                failed = true;
                break;
            }
        }
    }
    progress(capture.offset().saturating_sub(told));
    lines.append(&mut x.take_lines());
    failed
}

/// Ends the streams of an extraction run and writes what is pending.
fn extract_end<W: Write>(
    mut x: super::extract::Extractor<W>,
    mut lines: Vec<String>,
    mut failed: bool,
) -> Result<Extracted, String> {
    x.end_streams();
    x.end_exporters();
    lines.append(&mut x.take_lines());
    let mapping = x.mapping();
    let (_, stats) = x.finish().map_err(|e| e.to_string())?;
    failed |= stats.errors > 0;
    Ok(Extracted {
        stats,
        lines,
        failed,
        mapping,
    })
}

/// The flow files to write: all captures' into one output, or (`each`) a list per capture
/// (empty for a capture that could not be opened).
pub fn flow_files(metered: &[Metered], each: bool) -> Vec<Vec<String>> {
    let path = |t: &TempFile| t.path().to_string_lossy().into_owned();
    match each {
        false => vec![
            metered
                .iter()
                .filter_map(|m| m.flows.as_ref())
                .map(path)
                .collect(),
        ],
        true => (metered.iter())
            .map(|m| m.flows.iter().map(path).collect())
            .collect(),
    }
}

/// What metering `metered` says on stderr: errors, early ends for `--max-flows`, and with
/// `stats` the `--stats` lines (a total for several captures); and whether one failed.
pub fn report(metered: &[Metered], max_flows: u64, stats: bool) -> (Vec<String>, bool) {
    let (mut lines, mut failed, mut total) = (Vec::new(), false, Stats::default());
    for m in metered {
        if let Some(e) = &m.error {
            lines.push(e.clone());
            failed = true;
        }
        if m.stats.evicted > 0 {
            lines.push(format!(
                "{}: {} flows pushed out early by --max-flows {max_flows} (flowEndReason 5)",
                m.name, m.stats.evicted
            ));
        }
        if stats {
            lines.push(m.stats.line(&m.name, m.written));
        }
        total.add(&m.stats);
    }
    if stats && metered.len() > 1 {
        let n: u64 = metered.iter().map(|m| m.written).sum();
        lines.push(total.line("total", n));
    }
    (lines, failed)
}

impl Extracted {
    /// The `--stats` lines of an extraction.
    pub fn stats_lines(&self) -> Vec<String> {
        let s = &self.stats;
        let mut lines = vec![format!(
            "extract: {} frames, {} UDP datagrams: {} IPFIX messages, {} NetFlow v9 and {} v5 \
             packets ({} other datagrams, {} joined from fragments); {} records, {} problems",
            s.frames,
            s.udp,
            s.ipfix,
            s.v9,
            s.v5,
            s.other_udp,
            s.fragments_joined,
            s.records,
            s.problems
        )];
        lines.extend(self.mapping.iter().cloned());
        lines
    }
}
