//! Temporary files: spooling a stream that must be read twice, and intermediate outputs.

use std::io::{self, Write};
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

/// Copies stdin (`-`) or a pipe into a temporary file.
pub fn spool(p: &str) -> io::Result<TempFile> {
    if p == "-" {
        spool_reader(io::stdin().lock())
    } else {
        spool_reader(std::fs::File::open(p)?)
    }
}

/// Copies what a reader yields into a temporary file (for inputs that must be read twice).
pub fn spool_reader(mut r: impl io::Read) -> io::Result<TempFile> {
    let tmp = TempFile::new("spool");
    let mut f = std::fs::File::create(tmp.path())?;
    io::copy(&mut r, &mut f)?;
    f.flush()?;
    Ok(tmp)
}
