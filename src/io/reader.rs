//! Message framing over a [`ByteSource`]: splits the input into messages by their Length field,
//! recognises what a non-IPFIX input is, and after damage resynchronises at the next plausible
//! message (RFC 5655 §10.3: `00 0A`, a length of at least 16, and either the end of input or
//! another `00 0A` right after it).
//!
//! [`Messages`] pulls one message (or one positioned problem) at a time, so a caller can
//! interleave inputs or stop anywhere; [`process`] hands what it yields to the [`Session`].
//! [`decode_all`] and its variants are that loop to the end of one input: records read before
//! any damage have already been handed to the visitor when the damage is reported.
//!
//! Bounds ([`ReadOpts`]): a resynchronisation searches at most `max_resync` octets (an input of
//! zeros, `/dev/zero` or a bzip2 bomb, is given up with one report instead of being scanned to
//! its end, or forever); with `strict` a bad header is reported where it is and nothing after
//! it is searched; `cancel` stops between messages when the run has ended elsewhere.

use super::input::{ByteSource, Compression, SNIFF_LEN, sniff_other};
use crate::ipfix::netflow::{self, Translator};
use crate::ipfix::session::{Flow, Pending, Session, Visitor};
use crate::ipfix::{DecodeError, ErrorKind};
use std::collections::VecDeque;

/// The default of `--max-resync`: octets searched for the next message header after damage.
pub const DEFAULT_MAX_RESYNC: u64 = 64 << 20;

/// The least `max_resync` can be: one maximal message, so a message right after a damaged
/// one of any length is always found.
pub const MIN_RESYNC: u64 = 65535;

/// A size in octets: digits with an optional K, M, G or T (powers of 1024; `KiB`, `MB` and
/// the like are read the same).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (digits, then K, M or G)"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "{s:?}: unknown size suffix {unit:?} (K, M, G or T)"
            ));
        }
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))
}

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

/// How far ahead of the current message [`Messages::read_ahead`] touches the input.
const READ_AHEAD: usize = 8192;

/// One message of the input, borrowed from it (the mapping or the stream's window).
#[derive(Clone, Copy, Debug)]
pub struct MessageRef<'a> {
    /// The message: as long as its Length field says, or shorter where the input ends
    /// (the session reports the truncation).
    pub bytes: &'a [u8],
    /// Where it starts in the (decompressed) input.
    pub offset: u64,
    /// Its number in the input, from 1 (for NetFlow, the packet's).
    pub index: u64,
    /// The export protocol it came in: 10, or 9 or 5 for a translated NetFlow packet.
    pub version: u16,
    /// What became of the packet's data FlowSets that came ahead of their template (NetFlow
    /// v9, on the packet's first message; a packet that gives no message is handed out as
    /// one with no bytes to carry them).
    pub pending: &'a [Pending],
}

/// The messages of one input, pulled one at a time: each is a [`MessageRef`] or a positioned
/// problem (a bad or truncated header, a non-IPFIX input, a read error). After a problem the
/// next call goes on with the message resynchronisation found, or returns `None` when the
/// problem ended the input; [`Messages::end`] then says how. A message handed out is consumed
/// when the next one is asked for, or when `Messages` is dropped.
pub struct Messages<'s, 'o> {
    src: &'s mut ByteSource,
    opts: ReadOpts<'o>,
    max_resync: u64,
    read_ahead: bool,
    /// What was undone before the bytes (for naming a non-IPFIX input).
    compression: Compression,
    /// Messages handed out so far.
    index: u64,
    /// Nothing has been read yet: the start is sniffed for other formats.
    first: bool,
    /// Octets of the message last handed out, still to be consumed.
    pending: usize,
    end: Option<End>,
    /// NetFlow v5/v9 packets of this input, translated into IPFIX messages (made at the
    /// first packet).
    netflow: Option<Box<NetFlow>>,
}

/// The translation of a NetFlow input: one exporter, whose v9 templates live per Source ID.
#[derive(Default)]
struct NetFlow {
    translator: Translator,
    /// The IPFIX messages of the last packet, and where the next one to hand out starts.
    out: Vec<u8>,
    at: usize,
    /// The last packet's offset in the input, number and version, for its messages and
    /// problems.
    offset: u64,
    index: u64,
    version: u16,
    /// The last packet's problems, handed out after its messages.
    problems: VecDeque<DecodeError>,
    /// The last packet's held and recovered FlowSets, not yet handed out.
    pending: Vec<Pending>,
    /// `pending` went out with a message.
    pending_out: bool,
}

impl NetFlow {
    /// At the end of the input: one warning per (source, template) whose data FlowSets are
    /// still held, at `offset` (the end).
    fn report_held(&mut self, offset: u64) {
        let mut held: std::collections::BTreeMap<(u32, u16), (u64, u64)> = Default::default();
        for (domain, template, octets) in self.translator.held() {
            let e = held.entry((domain, template)).or_default();
            e.0 += 1;
            e.1 += octets as u64;
        }
        self.out.clear();
        self.at = 0;
        // Only the first drop was told as it happened: the total, when there were more.
        let dropped = self.translator.dropped();
        if dropped > 1 {
            self.problems.push_back(DecodeError {
                offset,
                message: None,
                set: None,
                kind: ErrorKind::NetFlow {
                    version: 9,
                    problem: netflow::Problem {
                        offset: 0,
                        what: netflow::ProblemKind::PendingDropped { sets: dropped },
                    },
                },
            });
        }
        for ((domain, template), (sets, octets)) in held {
            let problem = netflow::Problem {
                offset: 0,
                what: netflow::ProblemKind::NeverDefined {
                    domain,
                    template,
                    sets,
                    octets,
                },
            };
            self.problems.push_back(DecodeError {
                offset,
                message: None,
                set: Some(template),
                kind: ErrorKind::NetFlow {
                    version: 9,
                    problem,
                },
            });
        }
    }

    fn has_more(&self) -> bool {
        self.at + 16 <= self.out.len()
            || !self.problems.is_empty()
            || (!self.pending_out && !self.pending.is_empty())
    }

    /// The next message of the last packet (the first with its pending FlowSets; a packet of
    /// none gives an empty one for them), then its problems.
    fn next(&mut self) -> Option<Result<MessageRef<'_>, DecodeError>> {
        let pending: &[Pending] = if self.pending_out { &[] } else { &self.pending };
        if self.at + 16 <= self.out.len() || !pending.is_empty() {
            self.pending_out = true;
            let b = &self.out[self.at..];
            let len = match b.get(2..4) {
                Some(l) if b.len() >= 16 => {
                    (u16::from_be_bytes([l[0], l[1]]) as usize).clamp(16, b.len())
                }
                _ => 0,
            };
            self.at += len;
            return Some(Ok(MessageRef {
                bytes: &b[..len],
                offset: self.offset,
                index: self.index,
                version: self.version,
                pending,
            }));
        }
        self.problems.pop_front().map(Err)
    }
}

impl<'s, 'o> Messages<'s, 'o> {
    pub fn new(src: &'s mut ByteSource, opts: &ReadOpts<'o>) -> Self {
        let compression = src.compression;
        Messages {
            src,
            opts: *opts,
            max_resync: opts.max_resync.max(MIN_RESYNC),
            read_ahead: false,
            compression,
            index: 0,
            first: true,
            pending: 0,
            end: None,
            netflow: None,
        }
    }

    /// For a pass that reads message and set headers only (a visitor whose `data_set`
    /// declines the records, as the CSV column pass does). Each message's header gives the
    /// next one's place, so in a mapped file such a pass was a chain of cache misses (the
    /// hardware prefetcher does not cross pages); with this every cache line some way ahead
    /// is loaded too, values nothing waits for, so many misses are in flight at once. The
    /// column pass over 1M records took 12 ms instead of 30. A pass that walks records is
    /// slow enough for the prefetcher and gains nothing.
    pub fn read_ahead(mut self, on: bool) -> Self {
        self.read_ahead = on;
        self
    }

    /// How the input ended, once [`Messages::next`] has returned `None`.
    pub fn end(&self) -> Option<End> {
        self.end
    }

    /// The next message or problem; `None` at the end of input, after a problem that ended
    /// it, or when `cancel` said so.
    #[allow(clippy::should_implement_trait)] // a lending iterator: the message borrows self
    #[inline]
    pub fn next(&mut self) -> Option<Result<MessageRef<'_>, DecodeError>> {
        // A NetFlow packet can give nothing to hand out (its data held for a template):
        // then the next one is read.
        loop {
            if self.pending > 0 {
                self.src.consume(self.pending);
                self.pending = 0;
            }
            if self.netflow.as_ref().is_some_and(|n| n.has_more()) {
                return self.netflow.as_mut().and_then(|n| n.next());
            }
            if self.end.is_some() {
                return None;
            }
            if self.opts.cancel.is_some_and(|c| c()) {
                self.end = Some(End::Stopped);
                return None;
            }
            let offset = self.src.offset();
            let mut avail = match self.src.fill(16) {
                Ok(a) => a,
                Err(e) => return Some(Err(self.io_problem(offset, e))),
            };
            // What does not start like IPFIX is looked at further for sniff_other (a tar header's
            // magic is at 257). An IPFIX stream is not: a live one would wait for the octets.
            if self.first && !avail.starts_with(&[0, 10]) && avail.len() < SNIFF_LEN {
                avail = match self.src.fill(SNIFF_LEN) {
                    Ok(a) => a,
                    Err(e) => return Some(Err(self.io_problem(offset, e))),
                };
            }
            if avail.is_empty() {
                self.end = Some(End::Eof);
                // Data FlowSets still held for their template are reported, not lost silently.
                if let Some(nf) = self.netflow.as_mut() {
                    nf.report_held(offset);
                    return nf.next();
                }
                return None;
            }
            // Every cache line READ_AHEAD further on, over as long a stretch as this message: the
            // lines are touched once each, in order.
            if self.read_ahead {
                let length = avail
                    .get(2..4)
                    .map_or(0, |l| u16::from_be_bytes([l[0], l[1]]));
                if let Some(ahead) = avail.get(READ_AHEAD..READ_AHEAD + length as usize) {
                    for line in ahead.iter().step_by(64) {
                        std::hint::black_box(*line);
                    }
                }
            }
            if self.first {
                self.first = false;
                let other = sniff_other(avail, self.compression);
                if let Some(what) = other.filter(|_| netflow::version(avail).is_none()) {
                    self.end = Some(End::Stopped);
                    return Some(Err(DecodeError {
                        offset: 0,
                        message: None,
                        set: None,
                        kind: ErrorKind::NotIpfix { looks_like: what },
                    }));
                }
            }
            if avail.len() < 16 {
                let have = avail.len();
                self.src.consume(have);
                self.end = Some(End::Eof);
                return Some(Err(DecodeError {
                    offset,
                    message: Some(self.index + 1),
                    set: None,
                    kind: ErrorKind::TruncatedHeader { have },
                }));
            }
            let version = u16::from_be_bytes([avail[0], avail[1]]);
            let length = u16::from_be_bytes([avail[2], avail[3]]);
            if version == 5 || version == 9 {
                match self.packet(offset, version, length) {
                    Some(e) => return Some(Err(e)),
                    // Its messages and problems, if any, are handed out at the top.
                    None => continue,
                }
            }
            if version != 10 || length < 16 {
                return Some(Err(self.bad_header(offset, version, length)));
            }
            let msg = match self.src.fill(length as usize) {
                Ok(m) => m,
                Err(e) => {
                    self.end = Some(End::Stopped);
                    return Some(Err(io_problem(offset, e)));
                }
            };
            let take = msg.len().min(length as usize);
            self.index += 1;
            self.pending = take;
            return Some(Ok(MessageRef {
                bytes: &msg[..take],
                offset,
                index: self.index,
                version: 10,
                pending: &[],
            }));
        }
    }

    /// The NetFlow packet at `offset` (`count` from its header), translated: its IPFIX
    /// messages, then its problems, are queued to be handed out one by one (a packet may
    /// give none: data held for its template). `Some` for an error reading it.
    fn packet(&mut self, offset: u64, version: u16, count: u16) -> Option<DecodeError> {
        // A v5 packet says its length; a v9 packet ends where its FlowSets do (at most one
        // UDP datagram's worth).
        let want = if version == 5 {
            24 + 48 * count as usize
        } else {
            65535
        };
        let avail = match self.src.fill(want) {
            Ok(a) => a,
            Err(e) => return Some(self.io_problem(offset, e)),
        };
        self.index += 1;
        let index = self.index;
        let at = |p: &netflow::Problem| DecodeError {
            offset: offset + p.offset as u64,
            message: Some(index),
            set: None,
            kind: ErrorKind::NetFlow {
                version,
                problem: p.clone(),
            },
        };
        let nf = self.netflow.get_or_insert_with(Box::default);
        nf.out.clear();
        nf.at = 0;
        nf.offset = offset;
        nf.index = index;
        nf.version = version;
        // A packet cut short by the end of the input is translated as far as it goes (the
        // translator reports the cut) and ends the input.
        let (len, cut) = match netflow::packet_len(avail) {
            Ok(n) => (n, false),
            Err(_) => (avail.len(), true),
        };
        if cut {
            self.end = Some(End::Eof);
        }
        nf.pending.clear();
        nf.pending_out = false;
        match nf.translator.translate(&avail[..len], &mut nf.out) {
            Ok(t) => {
                nf.problems.extend(t.problems.iter().map(at));
                nf.pending = t.pending;
            }
            Err(p) => nf.problems.push_back(at(&p)),
        }
        self.pending = len;
        None
    }

    /// The problem of a bad header at `offset`, after the search for the next message (none
    /// with `strict`): the input goes on there, or ends.
    fn bad_header(&mut self, offset: u64, version: u16, length: u16) -> DecodeError {
        // --strict: reported where it is, nothing searched (skipped 0).
        let found = if self.opts.strict {
            Ok(Resync::End { skipped: 0 })
        } else {
            resync(self.src, self.max_resync, self.netflow.is_some())
        };
        let kind = match found {
            Ok(Resync::Found { skipped, at }) => ErrorKind::BadHeader {
                version,
                length,
                skipped,
                resumed_at: Some(at),
            },
            Ok(Resync::End { skipped }) => {
                self.end = Some(if self.opts.strict {
                    End::Stopped
                } else {
                    End::Eof
                });
                ErrorKind::BadHeader {
                    version,
                    length,
                    skipped,
                    resumed_at: None,
                }
            }
            Ok(Resync::GaveUp { searched }) => {
                self.end = Some(End::Stopped);
                ErrorKind::ResyncLimit {
                    version,
                    length,
                    searched,
                    from: offset,
                }
            }
            Err(e) => return self.io_problem(offset, e),
        };
        DecodeError {
            offset,
            message: None,
            set: None,
            kind,
        }
    }

    fn io_problem(&mut self, offset: u64, e: std::io::Error) -> DecodeError {
        self.end = Some(End::Stopped);
        io_problem(offset, e)
    }
}

impl Drop for Messages<'_, '_> {
    fn drop(&mut self) {
        self.src.consume(self.pending);
    }
}

fn io_problem(offset: u64, e: std::io::Error) -> DecodeError {
    DecodeError {
        offset,
        message: None,
        set: None,
        kind: ErrorKind::Io {
            kind: e.kind(),
            message: e.to_string(),
        },
    }
}

/// Hands what [`Messages`] yielded to the session: a message is decoded into the visitor, a
/// problem is counted in the session's errors (a read error is not damage of the input: not
/// counted) and reported. The visitor's answer is returned.
#[inline]
pub fn process(
    session: &mut Session,
    item: Result<MessageRef<'_>, DecodeError>,
    visitor: &mut dyn Visitor,
) -> Flow {
    match item {
        Ok(m) => {
            let flow = match m.bytes.is_empty() {
                true => Flow::Continue,
                false => session.process_message(m.bytes, m.offset, m.index, m.version, visitor),
            };
            // After the message, which holds the recovered records.
            for p in m.pending {
                visitor.pending(*p);
            }
            flow
        }
        Err(e) => visitor.problem(&e),
    }
}

/// Decodes a whole input, message after message, with the default bounds.
pub fn decode_all(src: &mut ByteSource, session: &mut Session, visitor: &mut dyn Visitor) -> End {
    decode(Messages::new(src, &ReadOpts::default()), session, visitor)
}

/// [`decode_all`] with the given bounds.
pub fn decode_with(
    src: &mut ByteSource,
    session: &mut Session,
    visitor: &mut dyn Visitor,
    opts: &ReadOpts,
) -> End {
    decode(Messages::new(src, opts), session, visitor)
}

/// [`decode_all`] for a pass that reads message and set headers only, with
/// [`Messages::read_ahead`].
pub fn scan_headers(src: &mut ByteSource, session: &mut Session, visitor: &mut dyn Visitor) -> End {
    let messages = Messages::new(src, &ReadOpts::default()).read_ahead(true);
    decode(messages, session, visitor)
}

/// Every message and problem of `messages` into the session, until the input ends or the
/// visitor stops.
fn decode(mut messages: Messages, session: &mut Session, visitor: &mut dyn Visitor) -> End {
    while let Some(item) = messages.next() {
        if process(session, item, visitor) == Flow::Stop {
            return End::Stopped;
        }
    }
    // Data sets still held for their template are reported, not lost silently.
    if session.end_input(visitor) == Flow::Stop {
        return End::Stopped;
    }
    messages.end().unwrap_or(End::Eof)
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
fn resync(src: &mut ByteSource, limit: u64, netflow: bool) -> std::io::Result<Resync> {
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
        // Find the next 00 0A (in a NetFlow stream also 00 09 and 00 05) in what is
        // buffered, within the budget (a mapped file hands out all of its rest: the search
        // must not run past the bound in one go).
        let w = &w[..w.len().min(budget.saturating_add(2))];
        let start_of =
            |p: &[u8]| p[0] == 0 && (p[1] == 10 || (netflow && (p[1] == 9 || p[1] == 5)));
        let Some(i) = w.windows(2).position(start_of) else {
            let n = w.len() - 1; // keep the last octet: it may be the 00 of a 00 0A
            src.consume(n);
            continue;
        };
        src.consume(i);
        let w = src.fill(4)?;
        if w.len() < 4 {
            continue;
        }
        if w[1] != 10 {
            if plausible_packet(src.fill(65535 + 2)?) {
                return Ok(Resync::Found {
                    skipped: src.offset() - start,
                    at: src.offset(),
                });
            }
            src.consume(1);
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

/// Whether a NetFlow packet plausibly starts `w` after damage: a v5 header of 1 to 30
/// records (RFC-less but universal: 30 fill an Ethernet frame) or a v9 header followed by at
/// least one FlowSet, and after it the end of input or another v5, v9 or IPFIX header.
fn plausible_packet(w: &[u8]) -> bool {
    let next_ok = |n: usize| w.len() == n || matches!(w.get(n..n + 2), Some([0, 5 | 9 | 10]));
    match netflow::version(w) {
        Some(5) => {
            let count = w.get(2..4).map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
            (1..=30).contains(&count) && next_ok(24 + 48 * count as usize)
        }
        Some(9) => matches!(netflow::packet_len(w), Ok(n) if n > 20 && next_ok(n)),
        _ => false,
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

    /// A message of `len` octets (at least 16): a header, then `fill` octets.
    fn message(len: u16, fill: u8) -> Vec<u8> {
        let mut m = vec![0, 10];
        m.extend_from_slice(&len.to_be_bytes());
        m.extend_from_slice(&[0; 12]);
        m.resize(len as usize, fill);
        m
    }

    /// What `Messages` yields: (offset, index, bytes) or the problem.
    type Pulled = Vec<Result<(u64, u64, Vec<u8>), DecodeError>>;

    /// Everything `Messages` yields, and the end.
    fn pull(src: &mut ByteSource, opts: &ReadOpts) -> (Pulled, Option<End>) {
        let mut messages = Messages::new(src, opts);
        let mut got = Vec::new();
        while let Some(item) = messages.next() {
            got.push(item.map(|m| (m.offset, m.index, m.bytes.to_vec())));
        }
        (got, messages.end())
    }

    #[test]
    fn messages_of_a_clean_input() {
        let (a, b, c) = (message(16, 0), message(40, 1), message(300, 2));
        let bytes = [&a[..], &b[..], &c[..]].concat();
        let (got, end) = pull(
            &mut ByteSource::from_bytes(bytes.clone()),
            &ReadOpts::default(),
        );
        assert_eq!(
            got,
            [
                Ok((0, 1, a.clone())),
                Ok((16, 2, b.clone())),
                Ok((56, 3, c.clone()))
            ]
        );
        assert_eq!(end, Some(End::Eof));
        // The same through a stream's window, and the input is consumed to its end.
        let mut src = ByteSource::stream(Box::new(std::io::Cursor::new(bytes)), Compression::None);
        let (got, end) = pull(&mut src, &ReadOpts::default());
        assert_eq!(got, [Ok((0, 1, a)), Ok((16, 2, b)), Ok((56, 3, c))]);
        assert_eq!((end, src.offset()), (Some(End::Eof), 356));
    }

    #[test]
    fn messages_resume_after_damage() {
        let (a, b) = (message(20, 1), message(24, 2));
        let bytes = [&a[..], &[0xEE; 40], &b[..]].concat();
        let (got, end) = pull(&mut ByteSource::from_bytes(bytes), &ReadOpts::default());
        let bad = DecodeError {
            offset: 20,
            message: None,
            set: None,
            kind: ErrorKind::BadHeader {
                version: 61166,
                length: 61166,
                skipped: 40,
                resumed_at: Some(60),
            },
        };
        assert_eq!(got, [Ok((0, 1, a)), Err(bad), Ok((60, 2, b))]);
        assert_eq!(end, Some(End::Eof));
        // A header cut short at the end: the problem names the message it would have been.
        let (got, end) = pull(
            &mut ByteSource::from_bytes([&message(16, 0)[..], &[0, 10, 0]].concat()),
            &ReadOpts::default(),
        );
        assert_eq!(
            got[1],
            Err(DecodeError {
                offset: 16,
                message: Some(2),
                set: None,
                kind: ErrorKind::TruncatedHeader { have: 3 },
            })
        );
        assert_eq!((got.len(), end), (2, Some(End::Eof)));
    }

    #[test]
    fn messages_strict_stop_at_a_bad_header() {
        let a = message(16, 0);
        let opts = ReadOpts {
            strict: true,
            ..ReadOpts::default()
        };
        let mut src = ByteSource::from_bytes([&a[..], &[0xEE; 40], &a[..]].concat());
        let (got, end) = pull(&mut src, &opts);
        let bad = DecodeError {
            offset: 16,
            message: None,
            set: None,
            kind: ErrorKind::BadHeader {
                version: 61166,
                length: 61166,
                skipped: 0,
                resumed_at: None,
            },
        };
        assert_eq!(got, [Ok((0, 1, a)), Err(bad)]);
        // Nothing after the bad header was read past.
        assert_eq!((end, src.offset()), (Some(End::Stopped), 16));
    }

    #[test]
    fn messages_give_up_zeros_at_the_bound() {
        let opts = ReadOpts {
            max_resync: 1,
            ..ReadOpts::default()
        };
        let (got, end) = pull(&mut ByteSource::from_bytes(vec![0; 200_000]), &opts);
        let limit = DecodeError {
            offset: 0,
            message: None,
            set: None,
            kind: ErrorKind::ResyncLimit {
                version: 0,
                length: 0,
                searched: MIN_RESYNC,
                from: 0,
            },
        };
        assert_eq!(got, [Err(limit)]);
        assert_eq!(end, Some(End::Stopped));
    }

    #[test]
    fn messages_name_what_is_not_ipfix() {
        use std::io::Write as _;
        let gzip = |b: &[u8]| {
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(b).unwrap();
            z.finish().unwrap()
        };
        let zip = [&b"PK\x03\x04"[..], &message(16, 0)].concat();
        for (bytes, looks_like) in [
            (zip, "a zip archive"),
            (gzip(&gzip(&message(16, 0))), "a gzip-compressed gzip file"),
        ] {
            let (got, end) = pull(&mut ByteSource::from_bytes(bytes), &ReadOpts::default());
            let e = DecodeError {
                offset: 0,
                message: None,
                set: None,
                kind: ErrorKind::NotIpfix { looks_like },
            };
            assert_eq!((got, end), (vec![Err(e)], Some(End::Stopped)));
        }
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

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn sizes_with_suffixes() {
        for (s, n) in [
            ("0", 0),
            ("65535", 65535),
            ("64K", 64 << 10),
            ("64k", 64 << 10),
            ("64M", 64 << 20),
            ("64MiB", 64 << 20),
            ("1G", 1 << 30),
            ("2gb", 2 << 30),
            ("1T", 1 << 40),
        ] {
            assert_eq!(parse_size(s), Ok(n), "{s}");
        }
        for s in [
            "",
            "K",
            "1.5G",
            "-1",
            "12Q",
            "1 G x",
            "18446744073709551615K",
        ] {
            assert!(parse_size(s).is_err(), "{s}");
        }
    }
}
