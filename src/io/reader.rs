//! Message framing over a [`ByteSource`]: splits the input into messages by their Length field,
//! recognises what a non-IPFIX input is, and after damage resynchronises at the next plausible
//! message (RFC 5655 §10.3: `00 0A`, a length of at least 16, and either the end of input or
//! another `00 0A` right after it). Each message goes to the [`Session`]; records read before
//! any damage have already been handed to the visitor when the damage is reported.
//!
//! Bounds ([`ReadOpts`]): a resynchronisation searches at most `max_resync` octets (an input of
//! zeros, `/dev/zero` or a bzip2 bomb, is given up with one report instead of being scanned to
//! its end, or forever); with `strict` a bad header is reported where it is and nothing after
//! it is searched; `cancel` stops between messages when the run has ended elsewhere.

use super::input::{ByteSource, SNIFF_LEN, sniff_other};
use crate::ipfix::session::{Flow, Session, Visitor};
use crate::ipfix::{DecodeError, ErrorKind};

/// The default of `--max-resync`: octets searched for the next message header after damage.
pub const DEFAULT_MAX_RESYNC: u64 = 64 << 20;

/// The least `max_resync` can be: one maximal message, so a message right after a damaged
/// one of any length is always found.
pub const MIN_RESYNC: u64 = 65535;

/// How the reader bounds its work on damaged input.
#[derive(Clone, Copy)]
pub struct ReadOpts<'a> {
    /// Octets a resynchronisation may skip before the rest of the input is given up (raised
    /// to [`MIN_RESYNC`] when lower).
    pub max_resync: u64,
    /// A bad message header ends the input where it is, without a search for the next one.
    pub strict: bool,
    /// Asked before each message: true stops decoding there (another input ended the run).
    pub cancel: Option<&'a dyn Fn() -> bool>,
}

impl Default for ReadOpts<'_> {
    fn default() -> Self {
        ReadOpts {
            max_resync: DEFAULT_MAX_RESYNC,
            strict: false,
            cancel: None,
        }
    }
}

/// Where the reader stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// End of input.
    Eof,
    /// The visitor asked to stop.
    Stopped,
}

/// How far ahead of the current message [`scan_headers`] touches the input.
const READ_AHEAD: usize = 8192;

/// Decodes a whole input, message after message, with the default bounds.
pub fn decode_all(src: &mut ByteSource, session: &mut Session, visitor: &mut dyn Visitor) -> End {
    decode(src, session, visitor, false, &ReadOpts::default())
}

/// [`decode_all`] with the given bounds.
pub fn decode_with(
    src: &mut ByteSource,
    session: &mut Session,
    visitor: &mut dyn Visitor,
    opts: &ReadOpts,
) -> End {
    decode(src, session, visitor, false, opts)
}

/// [`decode_all`] for a pass that reads message and set headers only (a visitor whose
/// `data_set` declines the records, as the CSV column pass does). Each message's header gives
/// the next one's place, so in a mapped file such a pass was a chain of cache misses (the
/// hardware prefetcher does not cross pages); this one also loads every cache line some way
/// ahead, values nothing waits for, so many misses are in flight at once. The column pass
/// over 1M records took 12 ms instead of 30. A pass that walks records is slow enough for the
/// prefetcher and gains nothing.
pub fn scan_headers(src: &mut ByteSource, session: &mut Session, visitor: &mut dyn Visitor) -> End {
    decode(src, session, visitor, true, &ReadOpts::default())
}

fn decode(
    src: &mut ByteSource,
    session: &mut Session,
    visitor: &mut dyn Visitor,
    read_ahead: bool,
    opts: &ReadOpts,
) -> End {
    let mut index = 0u64;
    let mut first = true;
    let max_resync = opts.max_resync.max(MIN_RESYNC);
    let compression = src.compression;
    loop {
        if opts.cancel.is_some_and(|c| c()) {
            return End::Stopped;
        }
        let offset = src.offset();
        let mut avail = match src.fill(16) {
            Ok(a) => a,
            Err(e) => return io_problem(visitor, offset, e),
        };
        // What does not start like IPFIX is looked at further for sniff_other (a tar header's
        // magic is at 257). An IPFIX stream is not: a live one would wait for the octets.
        if first && !avail.starts_with(&[0, 10]) && avail.len() < SNIFF_LEN {
            avail = match src.fill(SNIFF_LEN) {
                Ok(a) => a,
                Err(e) => return io_problem(visitor, offset, e),
            };
        }
        if avail.is_empty() {
            return End::Eof;
        }
        // Every cache line READ_AHEAD further on, over as long a stretch as this message: the
        // lines are touched once each, in order.
        if read_ahead {
            let length = avail
                .get(2..4)
                .map_or(0, |l| u16::from_be_bytes([l[0], l[1]]));
            if let Some(ahead) = avail.get(READ_AHEAD..READ_AHEAD + length as usize) {
                for line in ahead.iter().step_by(64) {
                    std::hint::black_box(*line);
                }
            }
        }
        if first {
            first = false;
            if let Some(what) = sniff_other(avail, compression) {
                let e = DecodeError {
                    offset: 0,
                    message: None,
                    set: None,
                    kind: ErrorKind::NotIpfix { looks_like: what },
                };
                session.stats.errors += 1;
                visitor.problem(&e);
                return End::Stopped;
            }
        }
        if avail.len() < 16 {
            let have = avail.len();
            let e = DecodeError {
                offset,
                message: Some(index + 1),
                set: None,
                kind: ErrorKind::TruncatedHeader { have },
            };
            session.stats.errors += 1;
            let flow = visitor.problem(&e);
            src.consume(have);
            return if flow == Flow::Stop {
                End::Stopped
            } else {
                End::Eof
            };
        }
        let version = u16::from_be_bytes([avail[0], avail[1]]);
        let length = u16::from_be_bytes([avail[2], avail[3]]);
        if version != 10 || length < 16 {
            // --strict: reported where it is, nothing searched (skipped 0).
            let found = if opts.strict {
                Ok(Resync::End { skipped: 0 })
            } else {
                resync(src, max_resync)
            };
            let (kind, end) = match found {
                Ok(Resync::Found { skipped, at }) => {
                    let resumed_at = Some(at);
                    let k = ErrorKind::BadHeader {
                        version,
                        length,
                        skipped,
                        resumed_at,
                    };
                    (k, None)
                }
                Ok(Resync::End { skipped }) => {
                    let resumed_at = None;
                    let k = ErrorKind::BadHeader {
                        version,
                        length,
                        skipped,
                        resumed_at,
                    };
                    (k, Some(if opts.strict { End::Stopped } else { End::Eof }))
                }
                Ok(Resync::GaveUp { searched }) => {
                    let from = offset;
                    let k = ErrorKind::ResyncLimit {
                        version,
                        length,
                        searched,
                        from,
                    };
                    (k, Some(End::Stopped))
                }
                Err(e) => return io_problem(visitor, offset, e),
            };
            let e = DecodeError {
                offset,
                message: None,
                set: None,
                kind,
            };
            session.stats.errors += 1;
            if visitor.problem(&e) == Flow::Stop {
                return End::Stopped;
            }
            if let Some(end) = end {
                return end;
            }
            continue;
        }
        let msg = match src.fill(length as usize) {
            Ok(m) => m,
            Err(e) => return io_problem(visitor, offset, e),
        };
        let take = msg.len().min(length as usize);
        index += 1;
        let flow = session.process_message(&msg[..take], offset, index, visitor);
        src.consume(take);
        if flow == Flow::Stop {
            return End::Stopped;
        }
    }
}

fn io_problem(visitor: &mut dyn Visitor, offset: u64, e: std::io::Error) -> End {
    let e = DecodeError {
        offset,
        message: None,
        set: None,
        kind: ErrorKind::Io {
            message: e.to_string(),
        },
    };
    visitor.problem(&e);
    End::Stopped
}

/// What a resynchronisation found.
#[derive(Debug, PartialEq, Eq)]
enum Resync {
    /// A plausible message at `at`, `skipped` octets after the damaged header.
    Found { skipped: u64, at: u64 },
    /// Nothing plausible before the end of input.
    End { skipped: u64 },
    /// Nothing plausible in the first `searched` octets (the bound); the input is given up.
    GaveUp { searched: u64 },
}

/// Skips forward from a damaged header to the next plausible message, searching at most
/// `limit` octets.
fn resync(src: &mut ByteSource, limit: u64) -> std::io::Result<Resync> {
    let start = src.offset();
    // Step past the damaged header's first octet so the search makes progress.
    src.fill(1)?;
    src.consume(1);
    loop {
        // A message may start `limit` octets after the damaged one, not further.
        let skipped = src.offset() - start;
        if skipped > limit {
            return Ok(Resync::GaveUp { searched: limit });
        }
        let budget = usize::try_from(limit - skipped).unwrap_or(usize::MAX);
        let w = src.fill(4)?;
        if w.len() < 4 {
            let n = w.len();
            src.consume(n);
            return Ok(Resync::End {
                skipped: src.offset() - start,
            });
        }
        // Find the next 00 0A in what is buffered, within the budget (a mapped file hands
        // out all of its rest: the search must not run past the bound in one go).
        let w = &w[..w.len().min(budget.saturating_add(2))];
        let Some(i) = w.windows(2).position(|p| p == [0, 10]) else {
            let n = w.len() - 1; // keep the last octet: it may be the 00 of a 00 0A
            src.consume(n);
            continue;
        };
        src.consume(i);
        let w = src.fill(4)?;
        if w.len() < 4 {
            continue;
        }
        let len = u16::from_be_bytes([w[2], w[3]]) as usize;
        if len >= 16 {
            let w = src.fill(len + 2)?;
            let plausible =
                w.len() == len || (w.len() >= len + 2 && w[len] == 0 && w[len + 1] == 10);
            if plausible {
                return Ok(Resync::Found {
                    skipped: src.offset() - start,
                    at: src.offset(),
                });
            }
        }
        src.consume(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::InfoModel;
    use crate::ipfix::session::RecordRef;

    /// Keeps the problems and counts the messages.
    #[derive(Default)]
    struct Problems {
        kinds: Vec<(u64, ErrorKind)>,
        messages: u64,
    }

    impl Visitor for Problems {
        fn message(&mut self, _m: &crate::ipfix::MessageCtx) -> Flow {
            self.messages += 1;
            Flow::Continue
        }
        fn record(&mut self, _r: &RecordRef<'_>) -> Flow {
            Flow::Continue
        }
        fn problem(&mut self, e: &DecodeError) -> Flow {
            self.kinds.push((e.offset, e.kind.clone()));
            Flow::Continue
        }
    }

    /// A message of 16 octets: a header and nothing else.
    fn empty_message() -> Vec<u8> {
        let mut m = vec![0, 10, 0, 16];
        m.extend_from_slice(&[0; 12]);
        m
    }

    fn run(bytes: Vec<u8>, opts: &ReadOpts) -> (End, Problems) {
        let mut src = ByteSource::from_bytes(bytes);
        let mut session = Session::new(InfoModel::builtin());
        let mut p = Problems::default();
        let end = decode_with(&mut src, &mut session, &mut p, opts);
        (end, p)
    }

    #[test]
    fn resync_gives_up_after_its_bound() {
        let m = empty_message();
        let gap = |n: usize| [&m[..], &vec![0xEE; n], &m[..]].concat();
        let opts = |max_resync| ReadOpts {
            max_resync,
            ..ReadOpts::default()
        };
        // Within the bound: found (the 16 octets of the bad "header" count as skipped).
        let (end, p) = run(gap(70_000), &opts(70_000));
        assert_eq!((end, p.messages), (End::Eof, 2));
        assert_eq!(
            p.kinds,
            [(
                16,
                ErrorKind::BadHeader {
                    version: 61166,
                    length: 61166,
                    skipped: 70_000,
                    resumed_at: Some(70_016)
                }
            )]
        );
        // One octet short of it: given up, exactly at the bound, whatever is after it.
        let (end, p) = run(gap(70_000), &opts(69_999));
        assert_eq!((end, p.messages), (End::Stopped, 1));
        assert_eq!(
            p.kinds,
            [(
                16,
                ErrorKind::ResyncLimit {
                    version: 61166,
                    length: 61166,
                    searched: 69_999,
                    from: 16
                }
            )]
        );
        // The floor: one maximal message.
        let (_, p) = run(vec![0; 200_000], &opts(1));
        assert_eq!(
            p.kinds,
            [(
                0,
                ErrorKind::ResyncLimit {
                    version: 0,
                    length: 0,
                    searched: MIN_RESYNC,
                    from: 0
                }
            )]
        );
        // Candidates that fail the plausibility check count too (00 0A with a big length).
        let (_, p) = run(
            [&m[..], &[0xEE], &[0, 10, 0xFF, 0xFF].repeat(40_000)].concat(),
            &opts(1),
        );
        assert!(
            matches!(
                p.kinds[..],
                [(
                    16,
                    ErrorKind::ResyncLimit {
                        searched: MIN_RESYNC,
                        ..
                    }
                )]
            ),
            "{:?}",
            p.kinds
        );
        // Garbage that ends before the bound: the end of input, as before.
        let (end, p) = run([&m[..], &[0xEE; 100]].concat(), &ReadOpts::default());
        assert_eq!(end, End::Eof);
        assert_eq!(
            p.kinds,
            [(
                16,
                ErrorKind::BadHeader {
                    version: 61166,
                    length: 61166,
                    skipped: 100,
                    resumed_at: None
                }
            )]
        );
    }

    #[test]
    fn strict_does_not_search() {
        let m = empty_message();
        let opts = ReadOpts {
            strict: true,
            ..ReadOpts::default()
        };
        let (end, p) = run([&m[..], &[0xEE; 40], &m[..]].concat(), &opts);
        assert_eq!((end, p.messages), (End::Stopped, 1));
        assert_eq!(
            p.kinds,
            [(
                16,
                ErrorKind::BadHeader {
                    version: 61166,
                    length: 61166,
                    skipped: 0,
                    resumed_at: None
                }
            )]
        );
        let e = DecodeError {
            offset: 16,
            message: None,
            set: None,
            kind: p.kinds[0].1.clone(),
        };
        assert_eq!(
            e.to_string(),
            "byte 16: not an IPFIX message header (version 61166, expected 10)"
        );
    }

    #[test]
    fn cancel_stops_between_messages() {
        let asked = std::cell::Cell::new(0);
        let cancel = || {
            asked.set(asked.get() + 1);
            asked.get() > 3
        };
        let opts = ReadOpts {
            cancel: Some(&cancel),
            ..ReadOpts::default()
        };
        let (end, p) = run(empty_message().repeat(10), &opts);
        assert_eq!((end, p.messages), (End::Stopped, 3));
    }
}
