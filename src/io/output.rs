//! Where output goes: stdout (locked once; line-buffered on a terminal, block-buffered
//! otherwise) or a file written through a temporary file that is renamed on success, so a failed
//! run never leaves a truncated file that looks valid.

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, LineWriter, Write};
use std::path::{Path, PathBuf};

pub enum Output {
    Stdout(Box<dyn Write>),
    File {
        w: BufWriter<File>,
        temp: PathBuf,
        dest: PathBuf,
        done: bool,
    },
}

impl Output {
    /// Opens stdout (`None` or `-`) or a temporary file next to `path`. `binary` output to a
    /// terminal is refused unless `force`.
    pub fn open(path: Option<&str>, binary: bool, force: bool) -> io::Result<Output> {
        match path {
            None | Some("-") => {
                let tty = io::stdout().is_terminal();
                if binary && tty && !force {
                    return Err(io::Error::other(
                        "refusing to write binary IPFIX to a terminal; redirect it or use -o FILE (or --force)",
                    ));
                }
                let lock = io::stdout().lock();
                Ok(Output::Stdout(if tty {
                    Box::new(LineWriter::new(lock))
                } else {
                    Box::new(BufWriter::with_capacity(1 << 16, lock))
                }))
            }
            Some(p) => {
                let dest = PathBuf::from(p);
                let dir = dest
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let name = dest
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "out".into());
                let temp = dir.join(format!(".{name}.ipfixkit-{}.tmp", std::process::id()));
                let f = File::create(&temp)?;
                Ok(Output::File {
                    w: BufWriter::with_capacity(1 << 16, f),
                    temp,
                    dest,
                    done: false,
                })
            }
        }
    }

    /// Flushes and, for files, syncs and renames the temporary file into place.
    pub fn finish(mut self) -> io::Result<()> {
        match &mut self {
            Output::Stdout(w) => w.flush(),
            Output::File {
                w,
                temp,
                dest,
                done,
            } => {
                w.flush()?;
                w.get_ref().sync_all()?;
                fs::rename(&*temp, &*dest)?;
                *done = true;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File { w, .. } => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::File { w, .. } => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File { w, .. } => w.flush(),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File {
            temp, done: false, ..
        } = self
        {
            let _ = fs::remove_file(&*temp);
        }
    }
}
