//! Temporary files: spooling a stream that must be read twice, and intermediate outputs.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary file path, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(tag: &str) -> TempFile {
        static N: AtomicU64 = AtomicU64::new(0);
        TempFile(std::env::temp_dir().join(format!(
            "ipfixkit-{}-{}.{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        )))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
