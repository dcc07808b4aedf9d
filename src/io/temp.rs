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
    let tmp = TempFile::new("spool");
    let mut f = std::fs::File::create(tmp.path())?;
    if p == "-" {
        io::copy(&mut io::stdin().lock(), &mut f)?;
    } else {
        io::copy(&mut std::fs::File::open(p)?, &mut f)?;
    }
    f.flush()?;
    Ok(tmp)
}
