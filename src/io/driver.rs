//! Runs a job over several inputs, in parallel (rayon, one file per worker), with the output of
//! each file emitted in input order, so `-j1` and `-jN` are byte-identical.
//!
//! Workers take files in increasing order from a shared counter and stream their output in
//! chunks through a bounded channel per file; the calling thread drains file 0's channel, then
//! file 1's, and so on. Because files start in order, the lowest unfinished file always has a
//! worker, so the bounded channels cannot deadlock, and memory stays at a few chunks per worker
//! (at most 32 MiB of output per file in flight).
//!
//! A [`Stop`] ends a run early (`--strict`): the file that asks is written up to where it
//! stopped; no later file is started, a later one already running is cancelled, and nothing
//! of theirs is written, so `-jN` writes what `-j1` would.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// The end of a run: the lowest index of a file that asked for it.
#[derive(Debug)]
pub struct Stop(AtomicUsize);

impl Default for Stop {
    fn default() -> Self {
        Stop(AtomicUsize::new(usize::MAX))
    }
}

impl Stop {
    pub fn new() -> Stop {
        Stop::default()
    }

    /// File `i` ends the run: it is the last one written.
    pub fn request(&self, i: usize) {
        self.0.fetch_min(i, Ordering::SeqCst);
    }

    /// Whether file `i` comes after the end of the run (it is not started, or is cancelled).
    pub fn past(&self, i: usize) -> bool {
        self.0.load(Ordering::Relaxed) < i
    }
}

/// What a job reports about one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileOutcome {
    /// The file had errors (or could not be read).
    pub failed: bool,
}

enum Event {
    Data(Vec<u8>),
    Problem(String),
    Done(FileOutcome),
}

/// Output of one job: chunks of bytes sent to the ordering thread.
pub struct ChunkWriter<'a> {
    buf: Vec<u8>,
    tx: SyncSender<Event>,
    /// Chunks the ordering thread has written out, for reuse: a fresh 4 MiB buffer per chunk
    /// cost a page fault per 4 KiB written (over 4 files of 1M records: 30k page faults
    /// before, 24k after).
    free: &'a Mutex<Vec<Vec<u8>>>,
}

/// An empty chunk buffer: one written out before, or a new one.
fn fresh_chunk(free: &Mutex<Vec<Vec<u8>>>) -> Vec<u8> {
    let reused = free.lock().ok().and_then(|mut f| f.pop());
    reused.unwrap_or_else(|| Vec::with_capacity(CHUNK))
}

/// Output is handed over in chunks of this size, at most `SLOTS` per file in flight: a worker
/// on a later file can run 32 MiB ahead before it waits for the files before it. (Few, large
/// slots: a channel's slots are allocated up front, one channel per input file.)
const CHUNK: usize = 4 << 20;
const SLOTS: usize = 8;

impl Write for ChunkWriter<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::replace(&mut self.buf, fresh_chunk(self.free));
            self.tx
                .send(Event::Data(chunk))
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))?;
        }
        Ok(())
    }
}

/// Runs `job(index, path, out, report)` for every input. `report` receives one-line problem
/// messages, which are passed to `on_problem` in input order. Returns the outcomes, or the first
/// error writing to `out` (a broken pipe among them).
pub fn run<F>(
    inputs: &[String],
    threads: usize,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(&str),
    job: F,
) -> io::Result<Vec<FileOutcome>>
where
    F: Fn(usize, &str, &mut dyn Write, &mut dyn FnMut(String)) -> FileOutcome + Sync,
{
    run_until(inputs, threads, out, on_problem, &Stop::new(), job)
}

/// [`run`] that ends early when a job calls `stop.request(i)` (before it returns): files
/// after `i` are not started or written; their outcomes stay the default.
pub fn run_until<F>(
    inputs: &[String],
    threads: usize,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(&str),
    stop: &Stop,
    job: F,
) -> io::Result<Vec<FileOutcome>>
where
    F: Fn(usize, &str, &mut dyn Write, &mut dyn FnMut(String)) -> FileOutcome + Sync,
{
    let threads = threads.max(1).min(inputs.len().max(1));
    if threads == 1 {
        let mut outcomes = vec![FileOutcome::default(); inputs.len()];
        for (i, p) in inputs.iter().enumerate() {
            if stop.past(i) {
                break;
            }
            let mut report = |s: String| on_problem(&s);
            let mut sink = ErrorTrap {
                inner: &mut *out,
                error: None,
            };
            let o = job(i, p, &mut sink, &mut report);
            if let Some(e) = sink.error {
                return Err(e);
            }
            outcomes[i] = o;
        }
        return Ok(outcomes);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(io::Error::other)?;
    let (txs, rxs): (Vec<SyncSender<Event>>, Vec<Receiver<Event>>) =
        (0..inputs.len()).map(|_| sync_channel(SLOTS)).unzip();
    let txs: Vec<std::sync::Mutex<Option<SyncSender<Event>>>> = txs
        .into_iter()
        .map(|t| std::sync::Mutex::new(Some(t)))
        .collect();
    let next = AtomicUsize::new(0);
    let free: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut outcomes = vec![FileOutcome::default(); inputs.len()];
    let mut result = Ok(());
    pool.in_place_scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= inputs.len() || stop.past(i) {
                        break;
                    }
                    let Some(tx) = txs[i].lock().ok().and_then(|mut g| g.take()) else {
                        continue;
                    };
                    let mut w = ChunkWriter {
                        buf: fresh_chunk(&free),
                        tx: tx.clone(),
                        free: &free,
                    };
                    let ptx = tx.clone();
                    let mut report = |s: String| {
                        let _ = ptx.send(Event::Problem(s));
                    };
                    let o = job(i, &inputs[i], &mut w, &mut report);
                    let _ = w.flush();
                    let _ = tx.send(Event::Done(o));
                }
            });
        }
        // Drain in input order on this thread.
        'files: for (i, rx) in rxs.into_iter().enumerate() {
            for ev in rx.iter() {
                match ev {
                    Event::Data(mut d) => {
                        if let Err(e) = out.write_all(&d) {
                            result = Err(e);
                            // Make every remaining job stop: close all channels.
                            drop(rx);
                            next.store(inputs.len(), Ordering::SeqCst);
                            break 'files;
                        }
                        d.clear();
                        if let Ok(mut f) = free.lock() {
                            if f.len() < threads + 2 {
                                f.push(d);
                            }
                        }
                    }
                    Event::Problem(p) => on_problem(&p),
                    Event::Done(o) => {
                        outcomes[i] = o;
                        // The run ends here: later files are not waited for (their channels
                        // close with the receivers, so a running job fails its next write).
                        if stop.past(i + 1) {
                            break 'files;
                        }
                        break;
                    }
                }
            }
        }
    });
    result.map(|()| outcomes)
}

/// Keeps the first write error so the caller can tell output failures from input failures.
struct ErrorTrap<'a> {
    inner: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl Write for ErrorTrap<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self.inner.write(b) {
            Ok(n) => Ok(n),
            Err(e) => {
                let k = e.kind();
                self.error.get_or_insert(e);
                Err(io::Error::new(k, "output failed"))
            }
        }
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self.inner.write_all(b) {
            Ok(()) => Ok(()),
            Err(e) => {
                let k = e.kind();
                self.error.get_or_insert(e);
                Err(io::Error::new(k, "output failed"))
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.inner.flush() {
            Ok(()) => Ok(()),
            Err(e) => {
                let k = e.kind();
                self.error.get_or_insert(e);
                Err(io::Error::new(k, "output failed"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// File 2 of 6 ends the run: files 0..=2 are written, nothing after, with any thread count;
    /// a later file already running is cancelled through `past`.
    #[test]
    fn a_stop_ends_the_run_after_its_file() {
        let inputs: Vec<String> = (0..6).map(|i| i.to_string()).collect();
        for threads in [1, 2, 4] {
            let stop = Stop::new();
            let started = Mutex::new(Vec::new());
            let mut out = Vec::new();
            let mut problems = Vec::new();
            let outcomes = run_until(
                &inputs,
                threads,
                &mut out,
                &mut |p: &str| problems.push(p.to_string()),
                &stop,
                |i, p, w, report| {
                    started.lock().unwrap().push(i);
                    if i > 2 {
                        // a later file: runs until the stop reaches it
                        let t = std::time::Instant::now();
                        while !stop.past(i) && t.elapsed() < std::time::Duration::from_secs(5) {
                            std::thread::yield_now();
                        }
                    }
                    let _ = writeln!(w, "file {p}");
                    report(format!("problem in {p}"));
                    if i == 2 {
                        stop.request(i);
                    }
                    FileOutcome { failed: i == 2 }
                },
            )
            .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "file 0\nfile 1\nfile 2\n",
                "-j{threads}"
            );
            assert_eq!(problems, ["problem in 0", "problem in 1", "problem in 2"]);
            assert_eq!(outcomes.iter().filter(|o| o.failed).count(), 1);
            // No file is started after the stop was asked for beyond those already running.
            let started = started.into_inner().unwrap();
            assert!(
                started.iter().all(|&i| i < 2 + threads),
                "-j{threads}: {started:?}"
            );
        }
    }
}
