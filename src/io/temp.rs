//! Temporary files: spooling a stream that must be read twice, intermediate outputs, and the
//! temporaries outputs are written through before their rename.
//!
//! Every temporary is registered here while it exists, so that SIGINT, SIGTERM and SIGHUP
//! ([`remove_on_signals`]) remove them all before the process exits with 128 + the signal:
//! an interrupted `convert -o` must not leave hundreds of MB of hidden `.x.ipfixkit-PID.tmp`.
//! The handler runs on its own thread (`signal-hook`'s iterator), not in signal context, so it
//! may take the registry's lock; [`publish`] renames under the same lock, so a signal either
//! sees the temporary (and removes it) or the finished output (and leaves it).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The temporaries that exist now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records `p` as a temporary to remove on a signal (before it is created, so there is no
/// moment in which it exists unregistered).
pub fn register(p: &Path) {
    live().push(p.to_path_buf());
}

/// `p` is gone (removed, or renamed into place).
pub fn unregister(p: &Path) {
    let mut l = live();
    if let Some(i) = l.iter().rposition(|q| q == p) {
        l.swap_remove(i);
    }
}

/// Renames the temporary `temp` onto `dest` and forgets it, atomically with respect to the
/// signal handler.
pub fn publish(temp: &Path, dest: &Path) -> io::Result<()> {
    let mut l = live();
    std::fs::rename(temp, dest)?;
    if let Some(i) = l.iter().rposition(|q| q == temp) {
        l.swap_remove(i);
    }
    Ok(())
}

/// Removes every registered temporary (called on a signal, just before exiting).
pub fn remove_all() {
    let l = live();
    for p in l.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// Starts the thread that, on SIGINT, SIGTERM or SIGHUP, removes the temporaries and exits
/// with 128 + the signal number (130, 143, 129), as a shell reports a process killed by it.
pub fn remove_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                remove_all();
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// A temporary file path, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(tag: &str) -> TempFile {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "ipfixkit-{}-{}.{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        register(&p);
        TempFile(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        unregister(&self.0);
    }
}

/// Whether a path is a regular file (can be opened twice).
pub fn is_regular(p: &str) -> bool {
    p != "-" && std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(false)
}

/// Copies what a reader yields into a temporary file (for inputs that must be read twice).
pub fn spool_reader(mut r: impl io::Read) -> io::Result<TempFile> {
    let tmp = TempFile::new("spool");
    let mut f = std::fs::File::create(tmp.path())?;
    io::copy(&mut r, &mut f)?;
    f.flush()?;
    Ok(tmp)
}

/// Stdin or an opened pipe, shareable: one handle feeds a [`Tee`], another goes on reading
/// where it stopped.
#[derive(Clone)]
pub enum Stream {
    Stdin,
    File(std::sync::Arc<std::fs::File>),
}

impl Stream {
    /// `-` is stdin; anything else is opened.
    pub fn open(p: &str) -> io::Result<Stream> {
        if p == "-" {
            Ok(Stream::Stdin)
        } else {
            Ok(Stream::File(std::sync::Arc::new(std::fs::File::open(p)?)))
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Stdin => io::stdin().read(buf),
            Stream::File(f) => (&**f).read(buf),
        }
    }
}

/// A reader that copies what it reads into a file: a stream spooled only as far as it is read.
pub struct Tee<R> {
    inner: R,
    copy: std::fs::File,
}

impl<R> Tee<R> {
    pub fn new(inner: R, copy: std::fs::File) -> Tee<R> {
        Tee { inner, copy }
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}
