//! Opening inputs: regular files are memory-mapped, stdin and pipes are streamed, and gzip,
//! bzip2, zstd and xz are recognised by their magic bytes and decompressed on the fly.
//!
//! A [`ByteSource`] hands out a window of bytes at the current position: the whole rest of the
//! mapping for a regular file, or a bounded buffer for a stream (so memory stays flat however
//! large the input is: a window never needs more than one maximal message plus a little).
//!
//! A regular file that cannot be mapped (an address-space limit such as `ulimit -v` below the
//! file's size, or a file system without mmap) is read as a stream instead, through the same
//! bounded window; it can still be rewound (a seek to 0) for the CSV column pass. Mapping big
//! files in windows was considered and not done: the fallback already keeps memory flat, a
//! message straddling two windows would need a copy or an overlap, and the whole-file map
//! stays the fast path for every file that fits the address space (all of them on a 64-bit
//! host without a limit).
//!
//! Only one layer of compression is undone. An input whose decompressed bytes start with
//! another compression magic, a zip or a tar archive is named as such by [`sniff_other`]
//! ("a gzip-compressed gzip file"); a second layer is not decompressed, because a
//! double-compressed IPFIX file is nearly always a packaging mistake, and peeling layers
//! without a limit would let a small file nest decompressors without end.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// What the first bytes of an input say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Zstd,
    Xz,
}

pub fn sniff_compression(b: &[u8]) -> Compression {
    match b {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [b'B', b'Z', b'h', ..] => Compression::Bzip2,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Compression::Xz,
        _ => Compression::None,
    }
}

/// "a gzip-compressed " + `what` (the article fits the compression's name), or "a " + `what`
/// for an input that was not compressed.
macro_rules! inside {
    ($outer:expr, $what:literal) => {
        match $outer {
            Compression::None => concat!("a ", $what),
            Compression::Gzip => concat!("a gzip-compressed ", $what),
            Compression::Bzip2 => concat!("a bzip2-compressed ", $what),
            Compression::Zstd => concat!("a zstd-compressed ", $what),
            Compression::Xz => concat!("an xz-compressed ", $what),
        }
    };
}

/// How many leading octets [`sniff_other`] looks at: a tar header's `ustar` magic is at 257.
pub const SNIFF_LEN: usize = 512;

/// Names what a non-IPFIX input looks like, if it is recognisably something else. `b` is the
/// start of the input after `outer` was undone (the compression [`ByteSource`] found).
pub fn sniff_other(b: &[u8], outer: Compression) -> Option<&'static str> {
    let b = &b[..b.len().min(SNIFF_LEN)];
    // POSIX ustar and GNU tar: "ustar" at offset 257 of the first header block, which starts
    // with a file name. An IPFIX or NetFlow header at the start wins: a record may well hold
    // "ustar" there (found by fuzzing the NetFlow translator's output).
    let flow_header = matches!(b, [0, 5 | 9 | 10, ..]);
    if !flow_header && b.get(257..262) == Some(b"ustar") {
        return Some(inside!(outer, "tar archive"));
    }
    match b {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] | [b'P', b'K', 7, 8, ..] => {
            Some(inside!(outer, "zip archive"))
        }
        _ if outer != Compression::None => match sniff_compression(b) {
            Compression::None => sniff_plain(b),
            Compression::Gzip => Some(inside!(outer, "gzip file")),
            Compression::Bzip2 => Some(inside!(outer, "bzip2 file")),
            Compression::Zstd => Some(inside!(outer, "zstd file")),
            Compression::Xz => Some(inside!(outer, "xz file")),
        },
        _ => sniff_plain(b),
    }
}

fn sniff_plain(b: &[u8]) -> Option<&'static str> {
    match b {
        [0xa1, 0xb2, 0xc3, 0xd4, ..] | [0xd4, 0xc3, 0xb2, 0xa1, ..] => {
            Some("a pcap packet capture")
        }
        [0xa1, 0xb2, 0x3c, 0x4d, ..] | [0x4d, 0x3c, 0xb2, 0xa1, ..] => {
            Some("a pcap packet capture (nanosecond timestamps)")
        }
        [0x0a, 0x0d, 0x0d, 0x0a, ..] => Some("a pcapng packet capture"),
        [0x00, 0x09, ..] => Some("NetFlow v9 (version 9 header), not IPFIX (version 10)"),
        [0x00, 0x05, ..] => Some("NetFlow v5 (version 5 header), not IPFIX (version 10)"),
        [0x00, 0x0a, ..] => None,
        _ if !b.is_empty()
            && b.iter().all(|&c| {
                c == b'\t' || c == b'\n' || c == b'\r' || (0x20..0x7f).contains(&c) || c >= 0x80
            }) =>
        {
            Some("text, not binary IPFIX")
        }
        _ => None,
    }
}

enum Kind {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
    Stream {
        reader: Box<dyn Read + Send>,
        buf: Vec<u8>,
        start: usize,
        end: usize,
        eof: bool,
        /// The file `reader` reads, when it is a plain regular file: a rewind seeks it to 0.
        seekable: Option<File>,
    },
}

/// Bytes of one input with a read position.
pub struct ByteSource {
    kind: Kind,
    pos: usize,
    /// Absolute offset of the current position.
    offset: u64,
    pub compression: Compression,
    /// Octets of the underlying file read so far, for a compressed input (its decompressed
    /// offset says nothing about how far through the file it is): what progress bars count.
    raw_read: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// Window buffers start here and grow only as far as one message needs.
const STREAM_CHUNK: usize = 256 * 1024;

/// Regular files up to this size are mapped with all their pages populated at once.
const POPULATE_MAX: u64 = 1 << 30;

impl ByteSource {
    /// Opens a path; `-` is stdin.
    pub fn open(path: &str) -> io::Result<ByteSource> {
        if path == "-" {
            return ByteSource::from_reader(Box::new(io::stdin()));
        }
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        if meta.is_file() {
            let mut head = [0u8; 6];
            let n = read_up_to(&mut &file, &mut head)?;
            let comp = sniff_compression(&head[..n]);
            if comp == Compression::None {
                if meta.len() == 0 {
                    return Ok(ByteSource::from_bytes(Vec::new()));
                }
                // SAFETY: the mapping is read-only and private to this process. If another
                // process truncates or rewrites the file while we read it, we may see changed
                // bytes or get SIGBUS; that is the accepted trade-off of mmap for regular files
                // (as in ripgrep). Every length read from the map is bounds-checked, so changed
                // bytes can only produce decode errors, never out-of-bounds access.
                // Files up to POPULATE_MAX are mapped in one go (MAP_POPULATE): one call instead
                // of a page fault every few pages. Larger ones fault in as they are read, with
                // read-ahead, so a file bigger than memory does not have to fit first.
                let mut opts = memmap2::MmapOptions::new();
                if meta.len() <= POPULATE_MAX {
                    opts.populate();
                }
                match unsafe { opts.map(&file) } {
                    Ok(m) => {
                        #[cfg(unix)]
                        let _ = m.advise(memmap2::Advice::Sequential);
                        return Ok(ByteSource {
                            kind: Kind::Mapped(m),
                            pos: 0,
                            offset: 0,
                            compression: comp,
                            raw_read: None,
                        });
                    }
                    // No room for the map (an address-space limit): read it as a stream, which
                    // needs one window, not the file's size.
                    Err(_) => return ByteSource::streamed_file(file),
                }
            }
            return ByteSource::from_reader(Box::new(File::open(path)?));
        }
        // FIFOs, character devices, process substitution: stream them.
        ByteSource::from_reader(Box::new(file))
    }

    /// Reads an uncompressed regular file through the window buffer, from its start, keeping
    /// it seekable for [`ByteSource::rewind`].
    fn streamed_file(file: File) -> io::Result<ByteSource> {
        (&file).seek(SeekFrom::Start(0))?;
        let seek = file.try_clone()?;
        let mut src = ByteSource::stream(Box::new(file), Compression::None);
        if let Kind::Stream { seekable, .. } = &mut src.kind {
            *seekable = Some(seek);
        }
        Ok(src)
    }

    /// Wraps in-memory bytes (tests, fuzzing). Compressed bytes are decompressed; if the
    /// decompressor cannot even start, reading fails with its error.
    pub fn from_bytes(v: Vec<u8>) -> ByteSource {
        let comp = sniff_compression(&v);
        if comp != Compression::None {
            return ByteSource::from_reader(Box::new(io::Cursor::new(v)))
                .unwrap_or_else(|e| ByteSource::stream(Box::new(Failing(Some(e))), comp));
        }
        ByteSource {
            kind: Kind::Owned(v),
            pos: 0,
            offset: 0,
            compression: Compression::None,
            raw_read: None,
        }
    }

    /// Streams a reader, detecting compression from its first bytes.
    pub fn from_reader(mut r: Box<dyn Read + Send>) -> io::Result<ByteSource> {
        let mut head = [0u8; 6];
        let n = read_up_to(&mut r, &mut head)?;
        let comp = sniff_compression(&head[..n]);
        let raw_read = (comp != Compression::None)
            .then(|| std::sync::Arc::new(std::sync::atomic::AtomicU64::new(n as u64)));
        let r: Box<dyn Read + Send> = match &raw_read {
            Some(c) => Box::new(Counting(r, c.clone())),
            None => r,
        };
        let prefix = io::Cursor::new(head[..n].to_vec());
        let whole: Box<dyn Read + Send> = Box::new(prefix.chain(r));
        let reader: Box<dyn Read + Send> = match comp {
            Compression::None => whole,
            Compression::Gzip => {
                Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(whole)))
            }
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(whole)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(whole)?),
            Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(whole)),
        };
        let mut src = ByteSource::stream(reader, comp);
        src.raw_read = raw_read;
        Ok(src)
    }

    /// A source that reads `reader` (already decompressed: nothing is sniffed) through a window
    /// buffer; `compression` is what was undone before, for messages.
    pub fn stream(reader: Box<dyn Read + Send>, compression: Compression) -> ByteSource {
        ByteSource {
            kind: Kind::Stream {
                reader,
                buf: vec![0; STREAM_CHUNK],
                start: 0,
                end: 0,
                eof: false,
                seekable: None,
            },
            pos: 0,
            offset: 0,
            compression,
            raw_read: None,
        }
    }

    /// Goes back to the start, if the input is held whole (a mapped file or bytes in memory)
    /// or is a plain file read as a stream: a second pass then reads the same mapping instead
    /// of mapping the file again. Any other stream (a pipe, a decompressor) cannot go back:
    /// false.
    pub fn rewind(&mut self) -> bool {
        match &mut self.kind {
            Kind::Mapped(_) | Kind::Owned(_) => {}
            Kind::Stream {
                seekable: Some(f),
                start,
                end,
                eof,
                ..
            } => {
                if f.seek(SeekFrom::Start(0)).is_err() {
                    return false;
                }
                *start = 0;
                *end = 0;
                *eof = false;
            }
            Kind::Stream { .. } => return false,
        }
        self.pos = 0;
        self.offset = 0;
        true
    }

    /// Whether the bytes handed out are a decompressed stream (offsets count its octets, not
    /// the file's).
    pub fn decompressed(&self) -> bool {
        self.compression != Compression::None
    }

    /// Absolute offset of the current position.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// How far through the underlying file reading is: the offset, or for a compressed input
    /// a counter of the compressed octets read, shared so that a visitor can read it while
    /// the decoder borrows the source.
    pub fn progress_counter(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicU64>> {
        self.raw_read.clone()
    }

    /// Size of the input when known up front (mapped files).
    pub fn len_hint(&self) -> Option<u64> {
        match &self.kind {
            Kind::Mapped(m) => Some(m.len() as u64),
            Kind::Owned(v) => Some(v.len() as u64),
            Kind::Stream { .. } => None,
        }
    }

    /// The bytes from the current position: at least `n` of them unless the input ends first.
    pub fn fill(&mut self, n: usize) -> io::Result<&[u8]> {
        match &mut self.kind {
            Kind::Mapped(m) => Ok(&m[self.pos..]),
            Kind::Owned(v) => Ok(&v[self.pos..]),
            Kind::Stream {
                reader,
                buf,
                start,
                end,
                eof,
                ..
            } => {
                if *end - *start < n && !*eof {
                    if buf.len() - *start < n {
                        buf.copy_within(*start..*end, 0);
                        *end -= *start;
                        *start = 0;
                        if buf.len() < n {
                            buf.resize(n.max(STREAM_CHUNK), 0);
                        }
                    }
                    while *end - *start < n {
                        let got = match reader.read(&mut buf[*end..]) {
                            Ok(g) => g,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                            Err(e) => return Err(e),
                        };
                        if got == 0 {
                            *eof = true;
                            break;
                        }
                        *end += got;
                    }
                }
                Ok(&buf[*start..*end])
            }
        }
    }

    /// Advances the position by `n` bytes (at most what `fill` returned).
    pub fn consume(&mut self, n: usize) {
        match &mut self.kind {
            Kind::Mapped(_) | Kind::Owned(_) => self.pos += n,
            Kind::Stream { start, end, .. } => *start = (*start + n).min(*end),
        }
        self.offset += n as u64;
    }
}

/// Reads the input (decompressed) as a plain stream, from the current position.
impl Read for ByteSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill(1)?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Counts the octets a reader yields (the compressed input under a decompressor).
struct Counting(
    Box<dyn Read + Send>,
    std::sync::Arc<std::sync::atomic::AtomicU64>,
);

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// A reader whose first read fails with the given error (then it is at its end).
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_flow_header_wins_over_tar_magic() {
        for start in [[0u8, 10], [0, 9], [0, 5]] {
            let mut b = vec![0u8; 512];
            b[..2].copy_from_slice(&start);
            b[2..4].copy_from_slice(&512u16.to_be_bytes());
            b[257..262].copy_from_slice(b"ustar");
            let got = sniff_other(&b, Compression::None);
            assert!(got.is_none_or(|w| !w.contains("tar")), "{start:?}: {got:?}");
        }
        let mut tar = vec![b'a'; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff_other(&tar, Compression::None), Some("a tar archive"));
    }

    use super::*;

    /// Archives and a second compression layer are named, with the outer layer; what starts
    /// like IPFIX is left to the reader.
    #[test]
    fn sniff_names_archives_and_layers() {
        let mut tar = vec![b'a'; 100];
        tar.resize(512, 0);
        tar[257..262].copy_from_slice(b"ustar");
        let gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        let xz = [0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4];
        let zst = [0x28, 0xb5, 0x2f, 0xfd, 0x24, 0];
        let cases: &[(&[u8], Compression, Option<&str>)] = &[
            (&tar, Compression::None, Some("a tar archive")),
            (&tar, Compression::Xz, Some("an xz-compressed tar archive")),
            (&tar[..261], Compression::None, None),
            (
                b"PK\x03\x04\x14\0",
                Compression::None,
                Some("a zip archive"),
            ),
            (
                b"PK\x05\x06",
                Compression::Bzip2,
                Some("a bzip2-compressed zip archive"),
            ),
            (&gz, Compression::Gzip, Some("a gzip-compressed gzip file")),
            (&xz, Compression::Zstd, Some("a zstd-compressed xz file")),
            (
                &zst,
                Compression::Bzip2,
                Some("a bzip2-compressed zstd file"),
            ),
            (
                b"BZh91AY",
                Compression::Xz,
                Some("an xz-compressed bzip2 file"),
            ),
            // not compressed: gzip magic is the reader's business, not a second layer
            (&gz, Compression::None, None),
            (&[0, 10, 0, 16], Compression::Gzip, None),
            (
                &[0, 9, 0, 1],
                Compression::Gzip,
                Some("NetFlow v9 (version 9 header), not IPFIX (version 10)"),
            ),
            (
                b"hello\n",
                Compression::Zstd,
                Some("text, not binary IPFIX"),
            ),
        ];
        for (b, outer, want) in cases {
            assert_eq!(
                sniff_other(b, *outer),
                *want,
                "{outer:?} {:?}",
                &b[..b.len().min(8)]
            );
        }
    }

    /// A plain file read as a stream (what a failed map falls back to) rewinds by seeking.
    #[test]
    fn streamed_file_rewinds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.bin");
        let bytes: Vec<u8> = (0..(STREAM_CHUNK as u32 * 3))
            .map(|i| (i * 13) as u8)
            .collect();
        std::fs::write(&p, &bytes).unwrap();
        let f = File::open(&p).unwrap();
        let mut head = [0u8; 6];
        read_up_to(&mut &f, &mut head).unwrap(); // as open() does before the map
        let mut src = ByteSource::streamed_file(f).unwrap();
        assert_eq!(src.len_hint(), None);
        for _ in 0..2 {
            let mut all = Vec::new();
            src.read_to_end(&mut all).unwrap();
            assert_eq!(all, bytes);
            assert!(src.rewind());
            assert_eq!(src.offset(), 0);
        }
        // Rewound halfway through a window, too.
        src.fill(100).unwrap();
        src.consume(77);
        assert!(src.rewind());
        assert_eq!(&src.fill(4).unwrap()[..4], &bytes[..4]);
    }

    /// A mapped file goes back to its start for a second pass; a compressed one (a stream)
    /// says it cannot, so the caller opens it again.
    #[test]
    fn rewind_mapped_not_stream() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.bin");
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
        std::fs::write(&plain, &bytes).unwrap();
        let mut src = ByteSource::open(plain.to_str().unwrap()).unwrap();
        let mut first = Vec::new();
        src.read_to_end(&mut first).unwrap();
        assert_eq!(first, bytes);
        assert_eq!(src.offset(), bytes.len() as u64);
        assert!(src.rewind());
        assert_eq!(src.offset(), 0);
        let mut second = Vec::new();
        src.read_to_end(&mut second).unwrap();
        assert_eq!(second, bytes);

        let gz = dir.path().join("a.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &bytes).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let mut src = ByteSource::open(gz.to_str().unwrap()).unwrap();
        let mut all = Vec::new();
        src.read_to_end(&mut all).unwrap();
        assert_eq!(all, bytes);
        assert!(!src.rewind());
        // The same compressed bytes from memory.
        let mut src = ByteSource::from_bytes(std::fs::read(&gz).unwrap());
        let mut all = Vec::new();
        src.read_to_end(&mut all).unwrap();
        assert_eq!(all, bytes);
    }
}

/// The built-in information model plus the IE definitions of `specs` (`--ie-spec` files of
/// `name(pen/id)<type>[length]` lines); an error names the file.
pub fn model_with_specs(
    specs: &[std::path::PathBuf],
) -> Result<std::sync::Arc<crate::ipfix::InfoModel>, String> {
    let base = crate::ipfix::InfoModel::builtin();
    if specs.is_empty() {
        return Ok(base);
    }
    let mut m = (*base).clone();
    for p in specs {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        // A byte-order mark some editors write is not part of the first spec.
        m.load_spec_text(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(std::sync::Arc::new(m))
}

/// Guess of an input's format from its first bytes (after decompression).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Ipfix,
    Json,
    Csv,
}

/// IPFIX also for other binary formats the reader recognises (pcap, NetFlow), so that the
/// error names them instead of a CSV parser complaining.
pub fn sniff(head: &[u8]) -> Sniffed {
    // A byte-order mark says text: what follows it is not looked at for binary signatures
    // (shifted by the mark, a line could otherwise hold tar's "ustar" at offset 257).
    if let Some(text) = head.strip_prefix(crate::format::BOM) {
        return match text.iter().find(|c| !c.is_ascii_whitespace()) {
            Some(b'{') => Sniffed::Json,
            _ => Sniffed::Csv,
        };
    }
    if head.starts_with(&[0, 10])
        || sniff_compression(head) != Compression::None
        || sniff_other(head, Compression::None).is_some_and(|w| !w.starts_with("text"))
    {
        return Sniffed::Ipfix;
    }
    match head.iter().find(|c| !c.is_ascii_whitespace()) {
        Some(b'{') => Sniffed::Json,
        _ => Sniffed::Csv,
    }
}

#[cfg(test)]
mod sniff_tests {
    use super::*;

    /// Found by the text_input fuzzer on the merged tree: a byte-order mark shifted a CSV
    /// line's "ustar" to offset 257, and the line was taken for a tar archive.
    #[test]
    fn a_byte_order_mark_means_text_whatever_follows() {
        let mut line = vec![b'a'; 300];
        line[254..259].copy_from_slice(b"ustar");
        assert_eq!(sniff(&line), Sniffed::Csv);
        let mut with = crate::format::BOM.to_vec();
        with.extend_from_slice(&line);
        assert_eq!(sniff(&with), Sniffed::Csv);
        let mut json = crate::format::BOM.to_vec();
        json.extend_from_slice(b" {\"octetDeltaCount\": 1}");
        assert_eq!(sniff(&json), Sniffed::Json);
        // Without a mark, binary signatures still decide.
        assert_eq!(sniff(&[0, 10, 0, 16]), Sniffed::Ipfix);
    }
}
