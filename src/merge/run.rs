//! Records in flight between the inputs and the output: [`Batch`]es of [`Meta`] plus the
//! record octets, sorted runs kept in memory or spilled to temporary files, and the k-way
//! merge over them. Written here because no crate does an external sort of variable-length
//! byte records with a caller's key in bounded memory (`extsort` and the like sort whole
//! serialisable items one at a time, with an allocation each).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Where a record goes and where it sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// The sort key: ns since 1970 (`--by time`, `--by export`), or 0 (`--by none`).
    pub key: i64,
    /// Argument position of the input, then the record's number in it: ties keep input order.
    pub input: u32,
    pub seq: u64,
    /// Output observation domain and template ID.
    pub domain: u32,
    pub tid: u16,
    /// The export time of the message the record came in.
    pub export: u32,
    /// The record's octets in the batch's data.
    pub off: u32,
    pub len: u32,
}

impl Meta {
    pub fn order(&self) -> (i64, u32, u64) {
        (self.key, self.input, self.seq)
    }
}

/// Records and their octets.
#[derive(Default)]
pub struct Batch {
    pub metas: Vec<Meta>,
    pub data: Vec<u8>,
}

impl Batch {
    pub fn push(&mut self, mut m: Meta, bytes: &[u8]) {
        m.off = self.data.len() as u32;
        m.len = bytes.len() as u32;
        self.data.extend_from_slice(bytes);
        self.metas.push(m);
    }

    pub fn bytes(&self, m: &Meta) -> &[u8] {
        &self.data[m.off as usize..(m.off + m.len) as usize]
    }

    /// Octets held, with the per-record overhead.
    pub fn size(&self) -> usize {
        self.data.len() + self.metas.len() * std::mem::size_of::<Meta>()
    }

    pub fn sort(&mut self) {
        self.metas.sort_unstable_by_key(Meta::order);
    }
}

/// Where sorted records come from, a batch at a time.
pub trait Source {
    /// The next batch in order, or None at the end.
    fn next_batch(&mut self) -> io::Result<Option<Batch>>;
}

/// A sorted batch held in memory (the last run of an unordered input).
pub struct Memory(pub Option<Batch>);

impl Source for Memory {
    fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        Ok(self.0.take())
    }
}

/// Batches from a thread decoding an ordered input.
pub struct Channel(pub std::sync::mpsc::Receiver<Batch>);

impl Source for Channel {
    fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        Ok(self.0.recv().ok())
    }
}

const ENTRY_HEAD: usize = 8 + 4 + 8 + 4 + 2 + 4 + 4;

/// A sorted run spilled to a temporary file (removed when dropped).
pub struct RunFile {
    path: PathBuf,
    reader: Option<BufReader<File>>,
}

impl RunFile {
    /// Writes the records of `batch` in its `metas` order to a new file in `dir`.
    pub fn write(dir: &Path, n: usize, batch: &Batch) -> io::Result<RunFile> {
        let mut w = RunWriter::create(dir, n)?;
        for m in &batch.metas {
            w.push(m, batch.bytes(m))?;
        }
        w.finish()
    }
}

impl Drop for RunFile {
    fn drop(&mut self) {
        crate::io::temp::unregister(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Source for RunFile {
    fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        let Some(r) = self.reader.as_mut() else {
            return Ok(None);
        };
        let mut b = Batch::default();
        let mut head = [0u8; ENTRY_HEAD];
        while b.metas.len() < 4096 {
            match r.read_exact(&mut head) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
            let u32_at =
                |o: usize| u32::from_le_bytes(head[o..o + 4].try_into().unwrap_or_default());
            let m = Meta {
                key: i64::from_le_bytes(head[0..8].try_into().unwrap_or_default()),
                input: u32_at(8),
                seq: u64::from_le_bytes(head[12..20].try_into().unwrap_or_default()),
                domain: u32_at(20),
                tid: u16::from_le_bytes([head[24], head[25]]),
                export: u32_at(26),
                off: 0,
                len: 0,
            };
            let len = u32_at(30) as usize;
            let start = b.data.len();
            b.data.resize(start + len, 0);
            r.read_exact(&mut b.data[start..])?;
            b.metas.push(Meta {
                off: start as u32,
                len: len as u32,
                ..m
            });
        }
        if b.metas.is_empty() {
            self.reader = None;
            return Ok(None);
        }
        Ok(Some(b))
    }
}

/// Writes a run file entry by entry.
pub struct RunWriter {
    path: PathBuf,
    w: BufWriter<File>,
}

impl RunWriter {
    pub fn create(dir: &Path, n: usize) -> io::Result<RunWriter> {
        let path = dir.join(format!(".ipfixkit-merge-{}-{n}.run", std::process::id()));
        crate::io::temp::register(&path);
        let f = File::create(&path)?;
        Ok(RunWriter {
            path,
            w: BufWriter::with_capacity(1 << 16, f),
        })
    }

    pub fn push(&mut self, m: &Meta, bytes: &[u8]) -> io::Result<()> {
        let mut head = [0u8; ENTRY_HEAD];
        head[0..8].copy_from_slice(&m.key.to_le_bytes());
        head[8..12].copy_from_slice(&m.input.to_le_bytes());
        head[12..20].copy_from_slice(&m.seq.to_le_bytes());
        head[20..24].copy_from_slice(&m.domain.to_le_bytes());
        head[24..26].copy_from_slice(&m.tid.to_le_bytes());
        head[26..30].copy_from_slice(&m.export.to_le_bytes());
        head[30..34].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        self.w.write_all(&head)?;
        self.w.write_all(bytes)
    }

    pub fn finish(self) -> io::Result<RunFile> {
        // A run is read back by this process only: no sync to the disk.
        drop(self.w.into_inner().map_err(|e| e.into_error())?);
        let reader = Some(BufReader::with_capacity(1 << 16, File::open(&self.path)?));
        Ok(RunFile {
            path: self.path,
            reader,
        })
    }
}

/// The k-way merge: every record of `sources` in (key, input, seq) order, to `each`.
pub fn merge(
    mut sources: Vec<Box<dyn Source + Send>>,
    mut each: impl FnMut(&Meta, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut current: Vec<(Batch, usize)> = Vec::with_capacity(sources.len());
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, s) in sources.iter_mut().enumerate() {
        let b = s.next_batch()?.unwrap_or_default();
        if let Some(m) = b.metas.first() {
            heap.push(Reverse((m.order(), i)));
        }
        current.push((b, 0));
    }
    // The top is replaced by its source's next record in place (one sift instead of a pop
    // and a push), or popped when the source has ended.
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((_, i)) = *top;
        let (b, pos) = &mut current[i];
        let m = b.metas[*pos];
        each(&m, b.bytes(&m))?;
        *pos += 1;
        if *pos == b.metas.len() {
            *b = sources[i].next_batch()?.unwrap_or_default();
            *pos = 0;
        }
        let (b, pos) = &current[i];
        match b.metas.get(*pos) {
            Some(m) => *top = Reverse((m.order(), i)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    Ok(())
}

/// Most runs merged at once; more are merged in passes of this many into longer runs first.
pub const FAN_IN: usize = 256;

/// Merges runs until at most [`FAN_IN`] remain (each pass merges the oldest `FAN_IN` into one).
pub fn reduce(mut runs: Vec<RunFile>, dir: &Path, next: &mut usize) -> io::Result<Vec<RunFile>> {
    while runs.len() > FAN_IN {
        let group: Vec<Box<dyn Source + Send>> = runs
            .drain(..FAN_IN)
            .map(|r| Box::new(r) as Box<dyn Source + Send>)
            .collect();
        *next += 1;
        let mut w = RunWriter::create(dir, *next)?;
        merge(group, |m, b| w.push(m, b))?;
        runs.push(w.finish()?);
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(key: i64, input: u32, seq: u64) -> Meta {
        Meta {
            key,
            input,
            seq,
            domain: 1,
            tid: 256,
            export: 7,
            off: 0,
            len: 0,
        }
    }

    #[test]
    fn runs_round_trip_and_merge_in_order_with_ties_by_input() {
        let dir = std::env::temp_dir();
        let mut a = Batch::default();
        for (k, s) in [(5, 0), (1, 1), (5, 2), (3, 3)] {
            a.push(meta(k, 0, s), &[k as u8; 3]);
        }
        a.sort();
        let mut b = Batch::default();
        for (k, s) in [(5, 0), (2, 1)] {
            b.push(meta(k, 1, s), &[k as u8 + 100]);
        }
        b.sort();
        let ra = RunFile::write(&dir, 9001, &a).unwrap();
        let sources: Vec<Box<dyn Source + Send>> = vec![Box::new(Memory(Some(b))), Box::new(ra)];
        let mut got = Vec::new();
        merge(sources, |m, bytes| {
            got.push((m.key, m.input, m.seq, bytes.to_vec()));
            Ok(())
        })
        .unwrap();
        let keys: Vec<_> = got.iter().map(|g| (g.0, g.1, g.2)).collect();
        assert_eq!(
            keys,
            [
                (1, 0, 1),
                (2, 1, 1),
                (3, 0, 3),
                (5, 0, 0),
                (5, 0, 2),
                (5, 1, 0)
            ]
        );
        assert_eq!(got[0].3, [1, 1, 1]);
        assert_eq!(got[1].3, [102]);
    }

    #[test]
    fn many_runs_are_reduced_to_the_fan_in() {
        let dir = std::env::temp_dir();
        let mut runs = Vec::new();
        for r in 0..(FAN_IN + 3) {
            let mut b = Batch::default();
            b.push(meta((r % 7) as i64, r as u32, 0), &[r as u8]);
            runs.push(RunFile::write(&dir, 10_000 + r, &b).unwrap());
        }
        let mut next = 20_000;
        let runs = reduce(runs, &dir, &mut next).unwrap();
        assert!(runs.len() <= FAN_IN);
        let sources: Vec<Box<dyn Source + Send>> = runs
            .into_iter()
            .map(|r| Box::new(r) as Box<dyn Source + Send>)
            .collect();
        let mut keys = Vec::new();
        merge(sources, |m, _| {
            keys.push(m.order());
            Ok(())
        })
        .unwrap();
        assert_eq!(keys.len(), FAN_IN + 3);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
