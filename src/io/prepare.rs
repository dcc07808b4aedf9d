//! Inputs made ready for the IPFIX path. `convert` and the commands that read JSON and CSV
//! read everything as IPFIX: a JSON-lines or CSV input is encoded into a temporary IPFIX file
//! first (one per input, since a file is one session), and an IPFIX input that must be read
//! twice (a CSV column pass, then the records) is spooled when it is stdin or a pipe.

use super::input::ByteSource;
use super::input::Compression;
use super::input::{Sniffed, sniff};
use super::temp::{Tee, TempFile, is_regular, spool_reader};
use crate::format::{EncodeFailure, TextEncoder};
use crate::ipfix::InfoModel;
use crate::ipfix::writer::MessageWriter;
use std::io::{BufReader, Read, Write};
use std::sync::{Arc, Mutex};

/// How inputs are prepared.
pub struct PrepareOpts {
    /// The input format, or `None` to recognise it from the content.
    pub format: Option<Sniffed>,
    pub model: Arc<InfoModel>,
    /// Largest IPFIX message written for a JSON/CSV input.
    pub message_size: usize,
    /// Export time of messages whose records carry none.
    pub export_time: u32,
    /// Stop a JSON/CSV input at its first bad line (`--strict`) instead of leaving it out.
    pub strict: bool,
}

impl PrepareOpts {
    /// For IPFIX files a command wrote itself (temporary ones it prints as JSON or CSV).
    pub fn ipfix(model: &Arc<InfoModel>) -> PrepareOpts {
        PrepareOpts {
            format: Some(Sniffed::Ipfix),
            model: model.clone(),
            message_size: 65535,
            export_time: 0,
            strict: false,
        }
    }
}

/// Bad lines reported one by one per input; the rest are counted in one line at the end.
pub const MAX_REPORTED: u64 = 100;

/// An input made ready for the IPFIX path: the IPFIX file to read (the input itself or a
/// temporary encoding of its JSON/CSV) and its name for messages.
pub struct Prepared {
    pub path: String,
    pub name: String,
    /// A JSON/CSV input had bad lines (reported): its IPFIX holds the records of the others.
    pub failed: bool,
    _temp: Option<TempFile>,
    /// The input already opened (stdin cannot be opened twice); taken by the first decode.
    pub source: std::sync::Mutex<Option<ByteSource>>,
    /// A spooled stream: what the first pass did not read of it (the spool at `path` holds
    /// what it did), and the compression undone, for messages.
    rest: Mutex<Option<(Shared, Compression)>>,
}

/// A stream read by two parties in turn: the first pass (through a [`Tee`] into the spool),
/// then the second after the spool.
#[derive(Clone)]
struct Shared(Arc<Mutex<ByteSource>>);

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut s) => s.read(buf),
            Err(_) => Err(std::io::Error::other("input lock poisoned")),
        }
    }
}

impl Prepared {
    fn new(
        path: String,
        name: String,
        temp: Option<TempFile>,
        source: Option<ByteSource>,
    ) -> Prepared {
        Prepared {
            path,
            name,
            failed: false,
            _temp: temp,
            source: std::sync::Mutex::new(source),
            rest: Mutex::new(None),
        }
    }

    /// The input for a pass: what is open already (taken), or opened again ([`Self::reopen`]).
    pub fn open(&self) -> std::io::Result<ByteSource> {
        match self.source.lock().ok().and_then(|mut g| g.take()) {
            Some(s) => Ok(s),
            None => self.reopen(),
        }
    }

    /// Puts back a source a pass has rewound, for the next pass to take.
    pub fn put_back(&self, src: ByteSource) {
        if let Ok(mut slot) = self.source.lock() {
            *slot = Some(src);
        }
    }

    /// Opens the input again for another pass: the file at `path`, or for a spooled stream
    /// the spool and then the rest of the stream (once).
    pub fn reopen(&self) -> std::io::Result<ByteSource> {
        match self.rest.lock().ok().and_then(|mut r| r.take()) {
            Some((rest, compression)) => {
                let spool = std::fs::File::open(&self.path)?;
                Ok(ByteSource::stream(Box::new(spool.chain(rest)), compression))
            }
            None => ByteSource::open(&self.path),
        }
    }
}

/// Encodes a JSON/CSV input to a temporary IPFIX file; IPFIX inputs pass through (stdin and
/// pipes spooled when they must be read twice). Bad lines of a JSON/CSV input are reported
/// and left out (with `strict`, the first one ends the input), and the input is marked
/// `failed`; the records before (and, without `strict`, after) them are kept, as they are for
/// damaged IPFIX. `None` when nothing of the input could be used: it could not be read, its
/// CSV header is bad, or it had errors and not one good record.
pub fn prepare(
    o: &PrepareOpts,
    path: &str,
    name: &str,
    need_twice: bool,
    report: &mut dyn FnMut(String),
) -> Option<Prepared> {
    let name = name.to_string();
    let mut src = match ByteSource::open(path) {
        Ok(s) => s,
        Err(e) => {
            report(format!("{name}: {e}"));
            return None;
        }
    };
    // A read error within the first 512 octets (a compressed stream cut short or followed by
    // garbage) keeps what was read before it: the decode reports the error after those records.
    // (A mapped file's `fill` gives all of it: only the head is copied.)
    let head_of = |h: &[u8]| h[..h.len().min(512)].to_vec();
    let head = match src.fill(512) {
        Ok(h) => head_of(h),
        Err(_) => src.fill(1).map(head_of).unwrap_or_default(),
    };
    let kind = o.format.unwrap_or_else(|| sniff(&head));
    if kind == Sniffed::Ipfix {
        if need_twice && !is_regular(path) {
            // Stdin or a pipe read twice: the first pass spools what it reads of the open
            // source (decompressed), and only that: an endless stream given up after
            // --max-resync octets does not fill the disk. The second pass reads the spool,
            // then goes on with the stream.
            let temp = TempFile::new("spool");
            let file = match std::fs::File::create(temp.path()) {
                Ok(f) => f,
                Err(e) => {
                    report(format!("{name}: {e}"));
                    return None;
                }
            };
            let compression = src.compression;
            let shared = Shared(Arc::new(Mutex::new(src)));
            let first = ByteSource::stream(Box::new(Tee::new(shared.clone(), file)), compression);
            let p = Prepared::new(
                temp.path().to_string_lossy().into_owned(),
                name,
                Some(temp),
                Some(first),
            );
            if let Ok(mut r) = p.rest.lock() {
                *r = Some((shared, compression));
            }
            return Some(p);
        }
        return Some(Prepared::new(path.to_string(), name, None, Some(src)));
    }
    let temp = TempFile::new("ipfix");
    let file = match std::fs::File::create(temp.path()) {
        Ok(f) => f,
        Err(e) => {
            report(format!("{}: {e}", temp.path().display()));
            return None;
        }
    };
    let mut out = std::io::BufWriter::new(file);
    let mut enc = TextEncoder::new(
        MessageWriter::new(&mut out, o.message_size),
        o.model.clone(),
    );
    enc.default_export_time = o.export_time;
    // CSV is read twice (see TextEncoder::csv_plan): stdin and pipes are spooled first.
    let mut src = src;
    let mut _csv_spool = None;
    if kind == Sniffed::Csv {
        if !is_regular(path) {
            let spooled = spool_reader(src).and_then(|t| {
                let s = ByteSource::open(&t.path().to_string_lossy())?;
                Ok((t, s))
            });
            src = match spooled.map(|(t, s)| {
                _csv_spool = Some(t);
                s
            }) {
                Ok(s) => s,
                Err(e) => {
                    report(format!("{name}: {e}"));
                    return None;
                }
            };
        }
        let again = match &_csv_spool {
            Some(t) => ByteSource::open(&t.path().to_string_lossy()),
            None => ByteSource::open(path),
        };
        if let Ok(first) = again {
            enc.csv_plan(BufReader::new(first));
        }
    }
    enc.strict = o.strict;
    let reader = BufReader::new(src);
    let mut reported = 0u64;
    let r = {
        let mut on_bad = |e: &crate::format::InputError| {
            reported += 1;
            if reported <= MAX_REPORTED {
                report(format!("{name}: {e}"));
            }
        };
        match kind {
            Sniffed::Json => enc.json_lines(reader, &mut on_bad),
            _ => enc.csv(reader, &mut on_bad),
        }
    };
    if reported > MAX_REPORTED {
        report(format!(
            "{name}: {} more bad lines not shown ({reported} in all)",
            reported - MAX_REPORTED
        ));
    }
    match &r {
        Ok(()) => {}
        Err(EncodeFailure::Input(e)) => report(format!("{name}: {e}")),
        Err(EncodeFailure::Output(e)) => {
            report(format!("{name}: writing temporary IPFIX: {e}"));
            return None;
        }
    }
    let failed = r.is_err() || enc.input_errors > 0;
    let records = enc.records;
    if let Err(e) = enc.writer.finish() {
        report(format!("{name}: writing temporary IPFIX: {e}"));
        return None;
    }
    if let Err(e) = out.flush() {
        report(format!("{name}: writing temporary IPFIX: {e}"));
        return None;
    }
    drop(out);
    if failed && records == 0 {
        return None;
    }
    let mut p = Prepared::new(
        temp.path().to_string_lossy().into_owned(),
        name,
        Some(temp),
        None,
    );
    p.failed = failed;
    Some(p)
}

/// The inputs of a command that reads IPFIX only (`cat`, `filter`), opened when decoded. A
/// first pass over all of them ([`Inputs::first_pass`], the CSV column pass) prepares them as
/// [`prepare`] does: what that pass reads of stdin and pipes is spooled as it reads (only as
/// far as it reads: an endless stream given up after `--max-resync` octets does not fill the
/// disk), and what it opened is kept, rewound, for the decoding pass, so a mapped file is
/// mapped once. Problems of the first pass are reported when their input is decoded, so
/// messages keep input order.
pub struct Inputs {
    /// What to read for each input: the input itself, or its spool after a first pass.
    pub paths: Vec<String>,
    /// What to call each input in messages.
    pub names: Vec<String>,
    /// After a first pass: each input prepared, or `None` (with its problem in `pending`).
    prepared: Option<Vec<Option<Prepared>>>,
    pending: Mutex<Vec<Vec<String>>>,
}

impl Inputs {
    /// The inputs as given (`-` is stdin); `display` names one in messages.
    pub fn new(inputs: Vec<String>, display: impl Fn(&str) -> &str) -> Inputs {
        Inputs {
            names: inputs.iter().map(|p| display(p).to_string()).collect(),
            paths: inputs,
            prepared: None,
            pending: Mutex::new(Vec::new()),
        }
    }

    /// Runs `pass` over every input opened (`None` where it cannot be), in parallel if it
    /// likes; each source it leaves rewound in its slot is kept for decoding.
    pub fn first_pass<T>(
        &mut self,
        opts: &PrepareOpts,
        pass: impl FnOnce(&mut [Option<ByteSource>]) -> T,
    ) -> T {
        let mut pending = Vec::new();
        let mut prepared = Vec::new();
        for (path, name) in self.paths.iter_mut().zip(&self.names) {
            let mut lines = Vec::new();
            let p = prepare(opts, path, name, true, &mut |l| lines.push(l));
            if let Some(p) = &p {
                *path = p.path.clone();
            }
            prepared.push(p);
            pending.push(lines);
        }
        let ready: Vec<&Prepared> = prepared.iter().flatten().collect();
        let result = first_pass(&ready, pass);
        self.prepared = Some(prepared);
        self.pending = Mutex::new(pending);
        result
    }

    /// Input `i` for decoding: what the first pass left open, or opened now. A failure is
    /// reported as one line naming the input.
    pub fn open(&self, i: usize, report: &mut dyn FnMut(String)) -> Option<ByteSource> {
        let pending = self
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.get_mut(i).map(std::mem::take));
        for line in pending.unwrap_or_default() {
            report(line);
        }
        let opened = match &self.prepared {
            Some(prepared) => prepared[i].as_ref().map(Prepared::open)?,
            None => ByteSource::open(&self.paths[i]),
        };
        match opened {
            Ok(s) => Some(s),
            Err(e) => {
                report(format!("{}: {e}", self.names[i]));
                None
            }
        }
    }
}

/// Runs `pass` over the sources of prepared inputs (what is open, or opened again), then
/// puts back each source it left in its slot (rewound) for the next pass to take.
pub fn first_pass<T>(ready: &[&Prepared], pass: impl FnOnce(&mut [Option<ByteSource>]) -> T) -> T {
    let mut sources: Vec<Option<ByteSource>> = ready.iter().map(|p| p.open().ok()).collect();
    let result = pass(&mut sources);
    for (p, s) in ready.iter().zip(sources) {
        if let Some(s) = s {
            p.put_back(s);
        }
    }
    result
}
