//! Where output goes, and how it gets there without destroying anything.
//!
//! - stdout (`None`, `-`, and `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`, which name the
//!   same descriptor): locked once, line-buffered on a terminal, block-buffered otherwise.
//! - A regular file, or a path that does not exist yet: written to a temporary file beside it
//!   and renamed into place on success, so a failed or interrupted run never leaves a truncated
//!   file that looks valid. An existing file keeps its mode and (where the user may set it) its
//!   owner and group. A symlink is followed: its target is replaced, the link stays a link.
//! - Anything else that exists (a character or block device, a FIFO, `/dev/stderr`, other
//!   `/dev/fd/N`): opened and written straight into, never replaced. A rename onto such a
//!   path would turn `/dev/null` into a regular file, or leave a FIFO's reader with nothing.
//!
//! Temporaries are registered with [`super::temp`], so SIGINT/SIGTERM removes them. Every
//! error names the output path and says it is the output.

use super::temp;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, LineWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Binary output to a terminal without `--force` (a usage error).
    Terminal,
    /// The path cannot be written: what was tried, and why not.
    Path {
        path: PathBuf,
        what: &'static str,
        source: Option<io::Error>,
    },
}

impl OpenError {
    fn path(path: &Path, what: &'static str, source: io::Error) -> OpenError {
        OpenError::Path {
            path: path.to_path_buf(),
            what,
            source: Some(source),
        }
    }

    /// Whether this is the user's mistake in how the command was called (exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, OpenError::Terminal)
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Terminal => f.write_str(
                "refusing to write binary IPFIX to a terminal; redirect it or use -o FILE (or --force)",
            ),
            OpenError::Path {
                path,
                what,
                source: Some(e),
            } => write!(f, "output {}: {what}: {e}", path.display()),
            OpenError::Path {
                path,
                what,
                source: None,
            } => write!(f, "output {}: {what}", path.display()),
        }
    }
}

impl std::error::Error for OpenError {}

pub struct Output {
    sink: Sink,
    /// What to call the output in messages.
    name: String,
}

enum Sink {
    Stdout(Box<dyn Write>),
    /// A device, FIFO or descriptor path, written into directly.
    Direct(BufWriter<File>),
    /// A regular file written through a temporary beside it.
    Replace {
        w: BufWriter<File>,
        temp: PathBuf,
        dest: PathBuf,
        done: bool,
    },
}

/// Paths that name this process's standard output.
fn is_stdout_alias(p: &str) -> bool {
    matches!(p, "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1")
}

/// Follows `path` through symlinks to the path that is finally written (which may not exist:
/// a dangling link is followed to where its target would be).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = if target.is_absolute() {
                    target
                } else {
                    p.parent().unwrap_or(Path::new("")).join(target)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

impl Output {
    /// Opens stdout (`None` or `-`) or the file `path` (see the module doc for which paths
    /// are replaced and which are written into). `binary` output to a terminal is refused
    /// unless `force`.
    pub fn open(path: Option<&str>, binary: bool, force: bool) -> Result<Output, OpenError> {
        let p = match path {
            None | Some("-") => return Output::stdout(binary, force),
            Some(p) if is_stdout_alias(p) => return Output::stdout(binary, force),
            Some(p) => p,
        };
        let given = Path::new(p);
        let name = p.to_string();
        match fs::metadata(given) {
            Ok(m) if m.is_dir() => Err(OpenError::Path {
                path: given.to_path_buf(),
                what: "is a directory (use -d DIR for one output per input)",
                source: None,
            }),
            Ok(m) if m.is_file() => {
                // The real file, so the temporary is beside it and the rename replaces it,
                // not the link that named it.
                let dest = fs::canonicalize(given)
                    .map_err(|e| OpenError::path(given, "cannot resolve the path", e))?;
                Output::replace(dest, Some(&m), name)
            }
            Ok(_) => {
                // Device, FIFO, socket: write into it. A FIFO's open waits for its reader.
                let f = OpenOptions::new()
                    .write(true)
                    .append(p.starts_with("/dev/fd/") || p.starts_with("/proc/self/fd/"))
                    .open(given)
                    .map_err(|e| OpenError::path(given, "cannot open for writing", e))?;
                Ok(Output {
                    sink: Sink::Direct(BufWriter::with_capacity(1 << 16, f)),
                    name,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dest = resolve_links(given)
                    .map_err(|e| OpenError::path(given, "cannot resolve the path", e))?;
                Output::replace(dest, None, name)
            }
            Err(e) => Err(OpenError::path(given, "cannot write there", e)),
        }
    }

    fn stdout(binary: bool, force: bool) -> Result<Output, OpenError> {
        let tty = io::stdout().is_terminal();
        if binary && tty && !force {
            return Err(OpenError::Terminal);
        }
        let lock = io::stdout().lock();
        Ok(Output {
            sink: Sink::Stdout(if tty {
                Box::new(LineWriter::new(lock))
            } else {
                Box::new(BufWriter::with_capacity(1 << 16, lock))
            }),
            name: "<stdout>".into(),
        })
    }

    /// A temporary beside `dest`, to be renamed onto it; `existing` is the file it replaces.
    fn replace(
        dest: PathBuf,
        existing: Option<&fs::Metadata>,
        name: String,
    ) -> Result<Output, OpenError> {
        let dir = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(OpenError::Path {
                path: PathBuf::from(&name),
                what: "cannot create the file",
                source: Some(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("directory {} does not exist", dir.display()),
                )),
            });
        }
        let base = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let temp = dir.join(format!(".{base}.ipfixkit-{}.tmp", std::process::id()));
        temp::register(&temp);
        let f = match File::create(&temp) {
            Ok(f) => f,
            Err(e) => {
                temp::unregister(&temp);
                return Err(OpenError::path(
                    Path::new(&name),
                    "cannot create the file",
                    e,
                ));
            }
        };
        if let Some(m) = existing {
            keep_owner_and_mode(&f, m);
        }
        Ok(Output {
            sink: Sink::Replace {
                w: BufWriter::with_capacity(1 << 16, f),
                temp,
                dest,
                done: false,
            },
            name,
        })
    }

    /// What messages call this output: the path as given, or `<stdout>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Flushes and, for replaced files, syncs and renames the temporary file into place.
    pub fn finish(mut self) -> io::Result<()> {
        let name = std::mem::take(&mut self.name);
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::Replace {
                w,
                temp,
                dest,
                done,
            } => (|| {
                w.flush()?;
                w.get_ref().sync_all()?;
                temp::publish(temp, dest)?;
                *done = true;
                Ok(())
            })(),
        };
        r.map_err(|e| name_error(&name, e))
    }
}

/// An output written to its end and closed, not yet in place: [`Sealed::publish`] renames a
/// replaced file's temporary onto it; dropped unpublished, the temporary is removed. What a
/// writer of many files holds back until all are complete (`--partition`: an input that
/// fails publishes none of its files), without keeping each one open.
pub struct Sealed {
    rename: Option<(PathBuf, PathBuf)>,
    name: String,
}

impl Output {
    /// Flushes, syncs and closes the output; the rename is left to [`Sealed::publish`].
    pub fn seal(mut self) -> io::Result<Sealed> {
        let name = std::mem::take(&mut self.name);
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.flush().map(|()| None),
            Sink::Direct(w) => w.flush().map(|()| None),
            Sink::Replace {
                w,
                temp,
                dest,
                done,
            } => (|| {
                w.flush()?;
                w.get_ref().sync_all()?;
                // The temporary is now the sealed output's to remove.
                *done = true;
                Ok(Some((temp.clone(), dest.clone())))
            })(),
        };
        match r {
            Ok(rename) => Ok(Sealed { rename, name }),
            Err(e) => Err(name_error(&name, e)),
        }
    }
}

impl Sealed {
    pub fn publish(mut self) -> io::Result<()> {
        match self.rename.take() {
            Some((temp, dest)) => {
                temp::publish(&temp, &dest).map_err(|e| name_error(&self.name, e))
            }
            None => Ok(()),
        }
    }
}

impl Drop for Sealed {
    fn drop(&mut self) {
        if let Some((temp, _)) = &self.rename {
            let _ = fs::remove_file(temp);
            temp::unregister(temp);
        }
    }
}

/// The replacement keeps the replaced file's owner, group and mode. Ownership first: a chown
/// clears set-id bits. Changing the owner needs privileges a user may not have; the group and
/// mode are then still kept where allowed, and the rest is not an error (as `cp -p` does).
fn keep_owner_and_mode(f: &File, m: &fs::Metadata) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    if fchown(f, Some(m.uid()), Some(m.gid())).is_err() {
        let _ = fchown(f, None, Some(m.gid()));
    }
    let _ = f.set_permissions(fs::Permissions::from_mode(m.mode() & 0o7777));
}

/// An output error, naming the output; the kind is kept (a closed pipe stays `BrokenPipe`).
fn name_error(name: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("output {name}: {e}"))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
            Sink::Replace { w, .. } => w.write(buf),
        };
        r.map_err(|e| name_error(&self.name, e))
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::Direct(w) => w.write_all(buf),
            Sink::Replace { w, .. } => w.write_all(buf),
        };
        r.map_err(|e| name_error(&self.name, e))
    }
    fn flush(&mut self) -> io::Result<()> {
        let r = match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
            Sink::Replace { w, .. } => w.flush(),
        };
        r.map_err(|e| name_error(&self.name, e))
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Sink::Replace {
            temp, done: false, ..
        } = &self.sink
        {
            let _ = fs::remove_file(temp);
            temp::unregister(temp);
        }
    }
}

/// The outputs in `dir` for `inputs`, one each, named after the input with extension `ext`
/// (`archive/flows.ipfix.gz` -> `DIR/flows.EXT`, stdin -> `DIR/stdin.EXT`). `Err` names the
/// path two inputs would share.
pub fn targets_in(dir: &Path, inputs: &[String], ext: &str) -> Result<Vec<PathBuf>, PathBuf> {
    let mut targets: Vec<PathBuf> = Vec::new();
    for p in inputs {
        let t = dir.join(format!("{}.{ext}", stem(p)));
        if targets.contains(&t) {
            return Err(t);
        }
        targets.push(t);
    }
    Ok(targets)
}

/// Why [`targets_made`] failed.
pub enum TargetsError {
    /// The directory cannot be made (a failure, said with the directory).
    Create(String),
    /// Two inputs have one target (a usage error).
    Twice(PathBuf),
}

/// [`targets_in`] a directory made first if it is not there.
pub fn targets_made(
    dir: &Path,
    inputs: &[String],
    ext: &str,
) -> Result<Vec<PathBuf>, TargetsError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        TargetsError::Create(format!(
            "output directory {}: cannot create it: {e}",
            dir.display()
        ))
    })?;
    targets_in(dir, inputs, ext).map_err(TargetsError::Twice)
}

/// `archive/flows.ipfix.gz` -> `flows`, `trace.pcap` -> `trace`; stdin -> `stdin`.
fn stem(path: &str) -> String {
    if path == "-" {
        return "stdin".into();
    }
    let mut name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    for ext in [".gz", ".bz2", ".zst", ".xz"] {
        if let Some(s) = name.strip_suffix(ext) {
            name = s.to_string();
        }
    }
    for ext in [
        ".ipfix", ".json", ".jsonl", ".ndjson", ".csv", ".bin", ".pcap", ".pcapng", ".cap",
    ] {
        if let Some(s) = name.strip_suffix(ext) {
            return s.to_string();
        }
    }
    name
}
