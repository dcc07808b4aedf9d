//! TCP stream reassembly for `pcap2ipfix --extract` (IPFIX over TCP, RFC 7011 §10.4): the
//! segments of each direction of a connection, in capture order, turned into the octets the
//! receiver's application read, in sequence order. Pure: no I/O, no clock; the caller feeds
//! segments and gets [`Chunk`]s back through a callback.
//!
//! Semantics (RFC 9293, which obsoletes RFC 793), as a passive observer of one direction,
//! which cannot ask for anything to be sent again, must have them:
//!
//! - A stream starts at its SYN's sequence number + 1 (a SYN's own data, as with TCP Fast
//!   Open, starts there). Without a SYN seen (the capture began mid-connection) it starts at
//!   the sequence number of the first segment that carries data; a segment with neither SYN
//!   nor data (an ACK, a FIN or RST alone) starts no stream.
//! - Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4): a segment is before or after
//!   the next expected octet by the sign of the 32-bit difference, so a stream crosses 2^32
//!   like any other point, and a segment more than 2^31 ahead is taken to be behind.
//! - Data entirely before the next expected octet is a retransmission and dropped
//!   ([`Stats::retransmitted`]); a segment across that edge is trimmed to its new part.
//! - Segments after a hole are held (copied) until the hole is filled. Where held data
//!   overlaps, the first received wins (RFC 793 and RFC 9293 leave the choice to the
//!   receiver; first-wins means nothing delivered or held ever changes): the later octets
//!   are counted in [`Stats::overlapping`], and a segment whose overlapping octets differ
//!   from the held ones adds one to [`Stats::inconsistent_overlaps`]. This also holds for a
//!   next-in-order segment that runs into held data: the held octets are delivered, not the
//!   segment's.
//! - Bounded: a stream holds at most `max_held` of charge, a held piece costing its octets
//!   plus [`PIECE_OVERHEAD`] (so a flood of one-octet segments cannot hold more memory than
//!   the bound says; the same rule as [`crate::ipfix::hold`]). When a segment would need more,
//!   the earliest hole is given up: a [`Chunk::Gap`] of its length, then the held data from
//!   there on as far as it is contiguous; this repeats until the segment fits or is in order.
//!   A segment that could never fit is delivered straight after its Gap.
//! - FIN: the stream ends once everything before the FIN's sequence position (its sequence
//!   number + its data length) is delivered; data at or past that position is dropped
//!   ([`Stats::after_end`], [`Stats::held_dropped`]). The first FIN's position counts. RST
//!   ends the stream at once (its data, a diagnostic by RFC 9293 §3.5.3, is not stream data):
//!   the held data is delivered after Gaps for the holes before it. Either way
//!   [`Chunk::End`] follows and the stream's data is forgotten. What is kept of an ended
//!   stream is that it ended, so the last ACK and retransmissions after a FIN or RST do not
//!   open a phantom stream: until a SYN starts a new stream on the key, segments on it are
//!   dropped ([`Stats::after_end`]). A SYN whose sequence number + 1 is not the stream's start
//!   (the port reused, its FIN not captured) ends the current stream and starts a new one; a
//!   repeated SYN is just a retransmission.
//! - `max_streams` bounds the keys tracked, ended ones included: a new key in a full table
//!   pushes out the least recently active one, ending it first if it is still open (its held
//!   data delivered after Gaps, [`Stats::evicted`]). [`Reassembler::finish`] ends every open
//!   stream, in key order, with a Gap up to a FIN's position when data before it is missing.
//! - Deterministic: streams live in a `BTreeMap` (the order of `finish`), least recently active
//!   is a counter of segments, so the same segments give the same chunks.
//!
//! Every [`Chunk`] of a key comes in stream order and ends with one `End`; chunks of different
//! keys interleave as their segments did. In-order data is passed on zero-copy (the segment's
//! own bytes); only data after a hole is copied. Cost per segment: O(log streams), plus
//! O(log pieces) for held data.
//!
//! Written by hand: no maintained crate does offline, bounded, zero-copy reassembly that says
//! where data is missing. tcp-stream-capture reads live traffic through libpcap; flowscope's
//! `SegmentBufferReassembler` copies every in-order octet into a buffer of its own and drops
//! what waits past a timer instead of reporting a gap; stackforge-core (GPL-3.0) accumulates
//! each stream in one buffer, with a large tree of dependencies; parse-tcp is a tool with
//! one 0.1 release.

use std::collections::BTreeMap;

/// What a held piece costs beyond its octets: its `Vec` and its share of the tree node.
pub const PIECE_OVERHEAD: usize = 64;

const FIN: u16 = 0x01;
const SYN: u16 = 0x02;
const RST: u16 = 0x04;

/// One direction of a TCP connection: (source address, source port, destination address,
/// destination port); IPv4 addresses in the last 4 octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamKey {
    pub src: [u8; 16],
    pub sport: u16,
    pub dst: [u8; 16],
    pub dport: u16,
}

/// What a stream yields, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    Data(&'a [u8]),
    /// Octets that never arrived (the consumer must resync).
    Gap(u64),
    /// The stream ended (FIN or RST seen and everything before it delivered, or `finish()`).
    End,
}

/// What the reassembler saw (octets unless said otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Segments given to [`Reassembler::segment`].
    pub segments: u64,
    /// Streams started.
    pub streams: u64,
    /// Delivered as [`Chunk::Data`].
    pub delivered: u64,
    /// Before the next expected octet (whole retransmissions and trimmed fronts), dropped.
    pub retransmitted: u64,
    /// Already held or delivered from an earlier out-of-order segment, dropped (first wins).
    pub overlapping: u64,
    /// Segments whose overlapping octets differed from those kept (a count of segments).
    pub inconsistent_overlaps: u64,
    /// [`Chunk::Gap`]s delivered, and their octets.
    pub gaps: u64,
    pub gap_octets: u64,
    /// Open streams ended to make room for a new one (a count of streams).
    pub evicted: u64,
    /// Held octets at or past a FIN's position that arrived later, dropped.
    pub held_dropped: u64,
    /// Octets at or past a FIN's position, or on a stream that has ended, dropped.
    pub after_end: u64,
}

struct Stream {
    /// Stream offset of the next expected octet: everything before it is delivered or gapped.
    base: u64,
    /// Sequence number of `base`.
    next: u32,
    /// Sequence number of offset 0 (a SYN's + 1, or the first data seen).
    start: u32,
    /// Stream offset of the FIN.
    fin: Option<u64>,
    /// Out-of-order pieces by stream offset: each starts after `base`, none overlap.
    held: BTreeMap<u64, Vec<u8>>,
    /// Octets held plus [`PIECE_OVERHEAD`] a piece.
    charged: usize,
    /// When last active, in segments (its key in `by_activity`).
    tick: u64,
    /// Ended: kept only so that segments after the end are dropped.
    ended: bool,
}

fn cost(piece: &[u8]) -> usize {
    piece.len() + PIECE_OVERHEAD
}

/// Where the chunks of one stream go: the key and the caller's callback together.
struct Sink<'o, 'k> {
    key: &'k StreamKey,
    out: &'o mut dyn FnMut(&StreamKey, Chunk<'_>),
}

impl Stream {
    fn new(start: u32, tick: u64) -> Stream {
        Stream {
            base: 0,
            next: start,
            start,
            fin: None,
            held: BTreeMap::new(),
            charged: 0,
            tick,
            ended: false,
        }
    }

    fn data(&mut self, d: &[u8], st: &mut Stats, sink: &mut Sink<'_, '_>) {
        if d.is_empty() {
            return;
        }
        (sink.out)(sink.key, Chunk::Data(d));
        st.delivered += d.len() as u64;
        self.base += d.len() as u64;
        self.next = self.next.wrapping_add(d.len() as u32);
    }

    fn gap(&mut self, n: u64, st: &mut Stats, sink: &mut Sink<'_, '_>) {
        if n == 0 {
            return;
        }
        (sink.out)(sink.key, Chunk::Gap(n));
        st.gaps += 1;
        st.gap_octets += n;
        self.base += n;
        self.next = self.next.wrapping_add(n as u32);
    }

    /// Delivers `d`, whose first octet is at `base`, and the held data it makes contiguous.
    /// Held pieces inside `d`'s range were received first, so they are delivered instead of
    /// `d`'s octets there.
    fn in_order(&mut self, mut d: &[u8], st: &mut Stats, sink: &mut Sink<'_, '_>) {
        while !d.is_empty() {
            let end = self.base + d.len() as u64;
            let k = match self.held.first_key_value() {
                Some((&at, _)) if at < end => (at - self.base) as usize,
                _ => {
                    self.data(d, st, sink);
                    break;
                }
            };
            self.data(&d[..k], st, sink);
            d = &d[k..];
            let Some((_, piece)) = self.held.pop_first() else {
                break;
            };
            self.charged -= cost(&piece);
            let m = piece.len().min(d.len());
            st.overlapping += m as u64;
            if d[..m] != piece[..m] {
                st.inconsistent_overlaps += 1;
            }
            d = &d[m..];
            self.data(&piece, st, sink);
        }
        self.contiguous(st, sink);
    }

    /// Delivers the held pieces that start at `base`.
    fn contiguous(&mut self, st: &mut Stats, sink: &mut Sink<'_, '_>) {
        while let Some(e) = self.held.first_entry() {
            if *e.key() != self.base {
                break;
            }
            let piece = e.remove();
            self.charged -= cost(&piece);
            self.data(&piece, st, sink);
        }
    }

    /// The parts of [a, a + d.len()) no held piece covers, and what overlaps: (octets, whether
    /// any differ).
    fn uncovered(&self, a: u64, d: &[u8]) -> (Vec<(u64, u64)>, u64, bool) {
        let e = a + d.len() as u64;
        let mut parts = Vec::new();
        let (mut overlap, mut differ) = (0, false);
        let mut at = a;
        let before = self.held.range(..a).next_back();
        for (&ps, piece) in before.into_iter().chain(self.held.range(a..e)) {
            let pe = ps + piece.len() as u64;
            if pe <= at {
                continue;
            }
            if ps > at {
                parts.push((at, ps));
            }
            let (os, oe) = (ps.max(at), pe.min(e));
            overlap += oe - os;
            differ |= d[(os - a) as usize..(oe - a) as usize]
                != piece[(os - ps) as usize..(oe - ps) as usize];
            at = oe;
        }
        if at < e {
            parts.push((at, e));
        }
        (parts, overlap, differ)
    }

    /// `d` starts at stream offset `a` > `base`: held, or, when it does not fit, holes given
    /// up until it does or until it is in order.
    fn hold(&mut self, a: u64, d: &[u8], max: usize, st: &mut Stats, sink: &mut Sink<'_, '_>) {
        loop {
            if a <= self.base {
                // Reached by giving up holes: what is now behind was held data delivered.
                let skip = ((self.base - a) as usize).min(d.len());
                st.overlapping += skip as u64;
                self.in_order(&d[skip..], st, sink);
                return;
            }
            let (parts, overlap, differ) = self.uncovered(a, d);
            let need: usize = parts
                .iter()
                .map(|p| (p.1 - p.0) as usize + PIECE_OVERHEAD)
                .sum();
            if self.charged.saturating_add(need) <= max {
                st.overlapping += overlap;
                st.inconsistent_overlaps += differ as u64;
                for (s, e) in parts {
                    let piece = d[(s - a) as usize..(e - a) as usize].to_vec();
                    self.charged += cost(&piece);
                    self.held.insert(s, piece);
                }
                return;
            }
            let first = self.held.keys().next().map_or(a, |&h| h.min(a));
            self.gap(first - self.base, st, sink);
            self.contiguous(st, sink);
        }
    }

    /// Records the FIN at stream offset `at` (the first FIN counts) and drops held data past it.
    fn set_fin(&mut self, at: u64, st: &mut Stats) {
        if self.fin.is_some() {
            return;
        }
        let at = at.max(self.base);
        self.fin = Some(at);
        let past = self.held.split_off(&at);
        for piece in past.values() {
            self.charged -= cost(piece);
            st.held_dropped += piece.len() as u64;
        }
        if let Some(mut e) = self.held.last_entry() {
            let keep = (at - *e.key()) as usize;
            let piece = e.get_mut();
            if piece.len() > keep {
                st.held_dropped += (piece.len() - keep) as u64;
                self.charged -= piece.len() - keep;
                piece.truncate(keep);
                piece.shrink_to_fit();
            }
        }
    }

    /// Ends the stream now: held data after Gaps for its holes, a Gap up to the FIN, End.
    fn end(&mut self, st: &mut Stats, sink: &mut Sink<'_, '_>) {
        while let Some((at, piece)) = self.held.pop_first() {
            self.charged -= cost(&piece);
            self.gap(at - self.base, st, sink);
            self.data(&piece, st, sink);
        }
        if let Some(f) = self.fin {
            self.gap(f.saturating_sub(self.base), st, sink);
        }
        self.close(sink);
    }

    fn close(&mut self, sink: &mut Sink<'_, '_>) {
        (sink.out)(sink.key, Chunk::End);
        self.ended = true;
        self.held = BTreeMap::new();
        self.charged = 0;
    }
}

/// Reassembles the streams of a capture's TCP segments.
pub struct Reassembler {
    max_held: usize,
    max_streams: usize,
    streams: BTreeMap<StreamKey, Stream>,
    /// Keys by when they were last active: the front is pushed out first.
    by_activity: BTreeMap<u64, StreamKey>,
    tick: u64,
    stats: Stats,
}

impl Reassembler {
    /// `max_held`: octets of out-of-order data held per stream (a piece also costs
    /// [`PIECE_OVERHEAD`]); `max_streams`: streams tracked (the least recently active one is
    /// ended, its held data delivered after a Gap, when a new one would exceed it; at least 1).
    pub fn new(max_held: usize, max_streams: usize) -> Self {
        Reassembler {
            max_held,
            max_streams: max_streams.max(1),
            streams: BTreeMap::new(),
            by_activity: BTreeMap::new(),
            tick: 0,
            stats: Stats::default(),
        }
    }

    /// One segment: `seq` its sequence number, `flags` tcpControlBits (SYN 0x02, FIN 0x01,
    /// RST 0x04), `payload` its data (may be empty). In-order data is delivered at once
    /// through `out` (zero-copy: the segment's own bytes when it is next in order), held data
    /// as it becomes contiguous.
    pub fn segment(
        &mut self,
        key: StreamKey,
        seq: u32,
        flags: u16,
        payload: &[u8],
        out: &mut dyn FnMut(&StreamKey, Chunk<'_>),
    ) {
        self.stats.segments += 1;
        self.tick += 1;
        let st = &mut self.stats;
        let sink = &mut Sink { key: &key, out };
        let syn = flags & SYN != 0;
        // A SYN occupies its sequence number; its data, if any, follows.
        let seq = if syn { seq.wrapping_add(1) } else { seq };
        let fresh = match self.streams.get_mut(&key) {
            None if !syn && (payload.is_empty() || flags & RST != 0) => return,
            None => true,
            Some(s) if s.ended && !syn => {
                st.after_end += payload.len() as u64;
                return;
            }
            Some(s) if s.ended => true,
            Some(s) if syn && s.start != seq => {
                s.end(st, sink);
                true
            }
            Some(_) => false,
        };
        if fresh {
            if let Some(old) = self.streams.insert(key, Stream::new(seq, self.tick)) {
                self.by_activity.remove(&old.tick);
            } else if self.streams.len() > self.max_streams {
                self.push_out(&mut *sink.out);
            }
            self.stats.streams += 1;
        }
        let st = &mut self.stats;
        let Some(s) = self.streams.get_mut(&key) else {
            return;
        };
        self.by_activity.remove(&s.tick);
        s.tick = self.tick;
        self.by_activity.insert(s.tick, key);
        if flags & RST != 0 {
            s.end(st, sink);
            return;
        }
        // Where the payload starts, from the next expected octet: the sign says which side.
        let rel = seq.wrapping_sub(s.next) as i32 as i64;
        let len = payload.len() as i64;
        if flags & FIN != 0 {
            s.set_fin((s.base as i64 + rel + len).max(0) as u64, st);
        }
        let mut d = payload;
        if let Some(f) = s.fin {
            let room = (f as i64 - s.base as i64 - rel).clamp(0, len) as usize;
            st.after_end += (d.len() - room) as u64;
            d = &d[..room];
        }
        if rel < 0 {
            let skip = (-rel).min(d.len() as i64) as usize;
            st.retransmitted += skip as u64;
            d = &d[skip..];
            s.in_order(d, st, sink);
        } else if rel == 0 {
            s.in_order(d, st, sink);
        } else if !d.is_empty() {
            s.hold(s.base + rel as u64, d, self.max_held, st, sink);
        }
        if s.fin.is_some_and(|f| s.base >= f) {
            s.close(sink);
        }
    }

    /// Pushes the least recently active stream out, ending it first if it is open.
    fn push_out(&mut self, out: &mut dyn FnMut(&StreamKey, Chunk<'_>)) {
        let Some((_, key)) = self.by_activity.pop_first() else {
            return;
        };
        if let Some(mut s) = self.streams.remove(&key) {
            if !s.ended {
                self.stats.evicted += 1;
                s.end(&mut self.stats, &mut Sink { key: &key, out });
            }
        }
    }

    /// Ends every stream (held data delivered, with Gaps where data is missing), in key order.
    pub fn finish(&mut self, out: &mut dyn FnMut(&StreamKey, Chunk<'_>)) {
        for (key, mut s) in std::mem::take(&mut self.streams) {
            if !s.ended {
                s.end(&mut self.stats, &mut Sink { key: &key, out });
            }
        }
        self.by_activity.clear();
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// What is held now, over all streams: octets plus [`PIECE_OVERHEAD`] a piece.
    pub fn held(&self) -> usize {
        self.streams.values().map(|s| s.charged).sum()
    }

    /// Streams tracked now, ended ones included.
    pub fn streams(&self) -> usize {
        self.streams.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: StreamKey = StreamKey {
        src: [1; 16],
        sport: 4739,
        dst: [2; 16],
        dport: 50000,
    };
    const B: StreamKey = StreamKey {
        src: [3; 16],
        sport: 1,
        dst: [4; 16],
        dport: 2,
    };

    /// The chunks of every key, as text: data verbatim, `[gap N]`, `[end]`; adjacent data
    /// joined (how the consumer sees a message split across segments).
    #[derive(Default)]
    struct Got(BTreeMap<StreamKey, String>);

    impl Got {
        fn sink(&mut self) -> impl FnMut(&StreamKey, Chunk<'_>) + '_ {
            |k, c| {
                let s = self.0.entry(*k).or_default();
                match c {
                    Chunk::Data(d) => s.push_str(std::str::from_utf8(d).unwrap()),
                    Chunk::Gap(n) => s.push_str(&format!("[gap {n}]")),
                    Chunk::End => s.push_str("[end]"),
                }
            }
        }

        fn of(&self, k: &StreamKey) -> &str {
            self.0.get(k).map_or("", |s| s.as_str())
        }
    }

    /// Feeds (key, seq, flags, payload) segments, then finishes when `finish`.
    fn feed(r: &mut Reassembler, segs: &[(StreamKey, u32, u16, &str)], finish: bool) -> Got {
        let mut got = Got::default();
        for &(k, seq, flags, p) in segs {
            r.segment(k, seq, flags, p.as_bytes(), &mut got.sink());
        }
        if finish {
            r.finish(&mut got.sink());
        }
        got
    }

    fn one(max_held: usize, segs: &[(u32, u16, &str)]) -> (String, Stats) {
        let mut r = Reassembler::new(max_held, 16);
        let segs: Vec<_> = segs.iter().map(|&(s, f, p)| (A, s, f, p)).collect();
        let got = feed(&mut r, &segs, true);
        (got.of(&A).to_string(), r.stats())
    }

    #[test]
    fn in_order_is_delivered_at_once_and_zero_copy() {
        let mut r = Reassembler::new(1 << 16, 16);
        let mut seen = Vec::new();
        let payload = b"hello".to_vec();
        r.segment(A, 99, SYN, b"", &mut |_, c| seen.push(format!("{c:?}")));
        assert!(seen.is_empty());
        let mut same = false;
        r.segment(A, 100, 0x10, &payload, &mut |_, c| {
            same = matches!(c, Chunk::Data(d) if std::ptr::eq(d, payload.as_slice()));
        });
        assert!(same, "the segment's own bytes");
        let (s, st) = one(
            100,
            &[
                (99, SYN, ""),
                (100, 0, "abc"),
                (103, 0, "def"),
                (106, FIN, ""),
            ],
        );
        assert_eq!(s, "abcdef[end]");
        assert_eq!((st.delivered, st.gaps, st.streams), (6, 0, 1));
    }

    #[test]
    fn without_syn_the_stream_starts_at_the_first_data() {
        let (s, _) = one(100, &[(7, 0x10, ""), (500, 0, "mid"), (503, FIN, "dle")]);
        assert_eq!(s, "middle[end]");
    }

    #[test]
    fn out_of_order_is_held_until_contiguous() {
        let (s, st) = one(
            1000,
            &[
                (0, SYN, ""),
                (7, 0, "ghi"),
                (4, 0, "def"),
                (1, 0, "abc"),
                (10, FIN, ""),
            ],
        );
        assert_eq!(s, "abcdefghi[end]");
        assert_eq!((st.delivered, st.overlapping, st.gaps), (9, 0, 0));
        // The FIN may come first too.
        let (s, _) = one(1000, &[(0, SYN, ""), (4, FIN, "def"), (1, 0, "abc")]);
        assert_eq!(s, "abcdef[end]");
    }

    #[test]
    fn retransmissions_are_dropped_and_the_delivered_edge_trimmed() {
        let (s, st) = one(
            1000,
            &[
                (0, SYN, ""),
                (1, 0, "abcd"),
                (1, 0, "abcd"),
                (3, 0, "cdef"),
                (0, SYN, ""),
                (7, FIN, ""),
            ],
        );
        assert_eq!(s, "abcdef[end]");
        assert_eq!((st.retransmitted, st.delivered), (6, 6));
        // After the end, retransmissions open no new stream.
        let mut r = Reassembler::new(1000, 16);
        let got = feed(
            &mut r,
            &[
                (A, 0, SYN, ""),
                (A, 1, FIN, "ab"),
                (A, 1, FIN, "ab"),
                (A, 4, 0x10, ""),
            ],
            true,
        );
        assert_eq!(got.of(&A), "ab[end]");
        assert_eq!(r.stats().after_end, 2);
    }

    #[test]
    fn overlapping_held_data_first_received_wins() {
        // A later segment over held data on its left and right: its new middle is held.
        let (s, st) = one(
            1000,
            &[
                (0, SYN, ""),
                (5, 0, "EF"),
                (9, 0, "IJ"),
                (4, 0, "dxfghyj"),
                (1, 0, "abc"),
                (11, FIN, ""),
            ],
        );
        assert_eq!(s, "abcdEFghIJ[end]");
        assert_eq!((st.overlapping, st.inconsistent_overlaps), (4, 1));
        // The in-order segment running into held data: the held octets are delivered.
        let (s, st) = one(
            1000,
            &[(0, SYN, ""), (3, 0, "CD"), (1, 0, "abcdef"), (7, FIN, "")],
        );
        assert_eq!(s, "abCDef[end]");
        assert_eq!((st.overlapping, st.inconsistent_overlaps), (2, 1));
        // Consistent overlap: counted, not inconsistent.
        let (s, st) = one(
            1000,
            &[
                (0, SYN, ""),
                (3, 0, "cd"),
                (2, 0, "bcde"),
                (1, 0, "a"),
                (6, FIN, ""),
            ],
        );
        assert_eq!(s, "abcde[end]");
        assert_eq!((st.overlapping, st.inconsistent_overlaps), (2, 0));
    }

    #[test]
    fn a_message_split_across_segments_is_delivered_concatenated() {
        // An IPFIX message header (version 10, length 20) cut in three, the parts shuffled.
        let msg: Vec<u8> = [0, 10, 0, 20].into_iter().chain(1..=16).collect();
        let mut r = Reassembler::new(1 << 16, 16);
        let mut got = Vec::new();
        let mut out = |_: &StreamKey, c: Chunk<'_>| {
            if let Chunk::Data(d) = c {
                got.extend_from_slice(d)
            }
        };
        r.segment(A, 41, SYN, b"", &mut out);
        r.segment(A, 42 + 7, 0, &msg[7..13], &mut out);
        r.segment(A, 42 + 13, 0, &msg[13..], &mut out);
        r.segment(A, 42, 0, &msg[..7], &mut out);
        assert_eq!(got, msg);
    }

    #[test]
    fn sequence_numbers_wrap_at_2_pow_32() {
        let isn = u32::MAX - 3;
        let at = |n: u32| isn.wrapping_add(1).wrapping_add(n);
        let (s, st) = one(
            1000,
            &[
                (isn, SYN, ""),
                (at(4), 0, "efgh"),
                (at(0), 0, "abcd"),
                (at(2), 0, "cdef"),
                (at(8), FIN, "ij"),
            ],
        );
        assert_eq!(s, "abcdefghij[end]");
        assert_eq!((st.retransmitted, st.gaps), (4, 0));
        // A segment a little before the edge across the wrap is a retransmission.
        let (s, st) = one(
            1000,
            &[
                (u32::MAX - 1, 0, "ab"),
                (u32::MAX - 1, 0, "ab"),
                (0, FIN, "c"),
            ],
        );
        assert_eq!(s, "abc[end]");
        assert_eq!(st.retransmitted, 2);
    }

    #[test]
    fn hold_overflow_gives_up_the_earliest_hole() {
        // Room for two 1-octet pieces, not three.
        let max = 2 * (1 + PIECE_OVERHEAD);
        let (s, st) = one(
            max,
            &[
                (0, SYN, ""),
                (3, 0, "c"),
                (5, 0, "e"),
                (7, 0, "g"),
                (8, FIN, "h"),
            ],
        );
        // Holes at 1-2, 4 and 6: g gives up the first, h the second, the end of the
        // capture the third.
        assert_eq!(s, "[gap 2]c[gap 1]e[gap 1]gh[end]");
        assert_eq!((st.gaps, st.gap_octets), (3, 4));
        // A segment that could never fit goes out straight after its gap.
        let (s, st) = one(
            10,
            &[(0, SYN, ""), (11, 0, "0123456789k"), (1, FIN, "abcdefghij")],
        );
        assert_eq!(s, "[gap 10]0123456789k[end]");
        assert_eq!((st.gap_octets, st.retransmitted, st.after_end), (10, 10, 0));
        // Nothing held ever passes the bound.
        let mut r = Reassembler::new(max, 16);
        for i in 0..200u32 {
            r.segment(A, 1000 + 2 * i, 0, b"x", &mut |_, _| {});
            assert!(r.held() <= max);
        }
    }

    #[test]
    fn fin_ends_after_its_position_and_rst_at_once() {
        let (s, st) = one(1000, &[(0, SYN, ""), (1, FIN, "ab"), (3, 0, "zz")]);
        assert_eq!(s, "ab[end]");
        assert_eq!(st.after_end, 2);
        // FIN before the data it follows: the stream waits for it, drops what lies beyond.
        let (s, st) = one(
            1000,
            &[(0, SYN, ""), (6, 0, "ff"), (4, FIN, "d"), (1, 0, "abc")],
        );
        assert_eq!(s, "abcd[end]");
        assert_eq!(st.held_dropped, 2);
        // Data missing before a FIN at the end of the capture: a gap up to it.
        let (s, _) = one(1000, &[(0, SYN, ""), (1, 0, "ab"), (6, FIN, "f")]);
        assert_eq!(s, "ab[gap 3]f[end]");
        // RST: held data after its gap, then the end, at once; its own data is not the stream's.
        let mut r = Reassembler::new(1000, 16);
        let got = feed(
            &mut r,
            &[
                (A, 0, SYN, ""),
                (A, 1, 0, "ab"),
                (A, 5, 0, "ef"),
                (A, 9, RST, "reset"),
            ],
            false,
        );
        assert_eq!(got.of(&A), "ab[gap 2]ef[end]");
        // A new SYN on the key starts a new stream.
        let got = feed(&mut r, &[(A, 500, SYN, ""), (A, 501, 0, "new")], true);
        assert_eq!(got.of(&A), "new[end]");
        assert_eq!(r.stats().streams, 2);
    }

    #[test]
    fn a_syn_of_another_connection_ends_the_stream() {
        let (s, _) = one(
            1000,
            &[
                (0, SYN, ""),
                (1, 0, "ab"),
                (0, SYN, ""),
                (1, 0, "ab"),
                (900, SYN, ""),
                (901, 0, "cd"),
            ],
        );
        assert_eq!(s, "ab[end]cd[end]");
    }

    #[test]
    fn the_least_recently_active_stream_makes_room() {
        let c = StreamKey { sport: 9, ..A };
        let mut r = Reassembler::new(1000, 2);
        let got = feed(
            &mut r,
            &[
                (A, 0, SYN, ""),
                (A, 1, 0, "a1"),
                (A, 5, 0, "a5"),
                (B, 0, SYN, ""),
                (B, 1, 0, "b1"),
                (A, 7, 0, "a7"),
                (c, 0, SYN, ""),
                (c, 1, 0, "c1"),
            ],
            false,
        );
        assert_eq!(got.of(&B), "b1[end]");
        assert_eq!(got.of(&A), "a1");
        assert_eq!((r.stats().evicted, r.streams()), (1, 2));
        // finish: the rest in key order, held data after its gap.
        let mut order = Vec::new();
        r.finish(&mut |k, c| order.push((*k, format!("{c:?}"))));
        let keys: Vec<_> = order.iter().map(|o| o.0).collect();
        assert_eq!(keys, [c, A, A, A, A]);
        assert_eq!(order[1].1, "Gap(2)");
        assert_eq!(r.streams(), 0);
        // Ended streams are pushed out silently.
        let mut r = Reassembler::new(1000, 1);
        let got = feed(
            &mut r,
            &[(A, 0, SYN, ""), (A, 1, FIN, "a"), (B, 1, 0, "b")],
            true,
        );
        assert_eq!(
            (got.of(&A), got.of(&B), r.stats().evicted),
            ("a[end]", "b[end]", 0)
        );
    }

    #[test]
    fn segments_that_start_nothing() {
        let mut r = Reassembler::new(1000, 4);
        let got = feed(
            &mut r,
            &[(A, 5, 0x10, ""), (A, 5, FIN, ""), (B, 5, RST, "x")],
            true,
        );
        assert!(got.0.is_empty());
        assert_eq!(r.streams(), 0);
    }

    /// A tiny xorshift for shuffling in property tests (proptest shrinks its seed).
    fn shuffle<T>(v: &mut [T], mut seed: u64) {
        for i in (1..v.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            v.swap(i, (seed % (i as u64 + 1)) as usize);
        }
    }

    /// A stream of `data` from `isn`, cut at `cuts`, with extra windows (consistent
    /// retransmissions and overlaps) and the FIN on the last piece, in shuffled order after
    /// the SYN.
    fn stream_segments(
        data: &[u8],
        isn: u32,
        cuts: &[usize],
        extra: &[(usize, usize)],
        seed: u64,
    ) -> Vec<(u32, u16, Vec<u8>)> {
        let n = data.len();
        let mut at: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).chain([0, n]).collect();
        at.sort_unstable();
        at.dedup();
        let seg = |a: usize, b: usize| {
            let fin = if b == n { FIN } else { 0 };
            (
                isn.wrapping_add(1).wrapping_add(a as u32),
                fin,
                data[a..b].to_vec(),
            )
        };
        let mut segs: Vec<_> = at.windows(2).map(|w| seg(w[0], w[1])).collect();
        if n == 0 {
            segs.push(seg(0, 0));
        }
        for &(a, b) in extra {
            let (a, b) = (a % (n + 1), b % (n + 1));
            segs.push(seg(a.min(b), a.max(b)));
        }
        shuffle(&mut segs, seed | 1);
        segs.insert(0, (isn, SYN, Vec::new()));
        segs
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// With room enough, any order with duplicates gives back the data exactly, then End.
        #[test]
        fn any_order_gives_back_the_stream(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            isn in prop_oneof![any::<u32>(), (u32::MAX - 700)..=u32::MAX],
            cuts in proptest::collection::vec(any::<usize>(), 0..40),
            extra in proptest::collection::vec((any::<usize>(), any::<usize>()), 0..20),
            seed in any::<u64>(),
        ) {
            let mut r = Reassembler::new(1 << 20, 4);
            let mut got = Vec::new();
            let mut ends = 0;
            let mut gaps = 0;
            for (seq, flags, p) in stream_segments(&data, isn, &cuts, &extra, seed) {
                r.segment(A, seq, flags, &p, &mut |_, c| match c {
                    Chunk::Data(d) => got.extend_from_slice(d),
                    Chunk::Gap(_) => gaps += 1,
                    Chunk::End => ends += 1,
                });
            }
            prop_assert_eq!(&got, &data);
            prop_assert_eq!((ends, gaps), (1, 0));
            prop_assert_eq!(r.held(), 0);
        }

        /// With little room, every octet delivered is the stream's at its place, gaps account
        /// for the rest, and the held charge never passes the bound.
        #[test]
        fn little_room_delivers_only_true_data(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            isn in any::<u32>(),
            cuts in proptest::collection::vec(any::<usize>(), 0..40),
            extra in proptest::collection::vec((any::<usize>(), any::<usize>()), 0..20),
            seed in any::<u64>(),
            max_held in 0usize..400,
        ) {
            let mut r = Reassembler::new(max_held, 4);
            let mut pos = 0usize;
            let mut ends = 0;
            let mut bad = None;
            let mut out = |_: &StreamKey, c: Chunk<'_>| match c {
                Chunk::Data(d) => {
                    if ends > 0 || data.get(pos..pos + d.len()) != Some(d) {
                        bad.get_or_insert(pos);
                    }
                    pos += d.len();
                }
                Chunk::Gap(n) => pos += n as usize,
                Chunk::End => ends += 1,
            };
            for (seq, flags, p) in stream_segments(&data, isn, &cuts, &extra, seed) {
                r.segment(A, seq, flags, &p, &mut out);
                for s in r.streams.values() {
                    assert!(s.charged <= max_held);
                }
            }
            r.finish(&mut out);
            prop_assert_eq!(bad, None);
            prop_assert_eq!((pos, ends), (data.len(), 1));
        }

        /// Arbitrary segments on a few keys: no panic, the bounds hold, each key's chunks
        /// are Data and Gaps then End, and the counts add up.
        #[test]
        fn arbitrary_segments_stay_bounded(
            segs in proptest::collection::vec(
                (0u8..5, prop_oneof![any::<u32>(), 0u32..64, (u32::MAX - 64)..=u32::MAX],
                 0u16..0x20, proptest::collection::vec(any::<u8>(), 0..80)),
                0..200),
            max_held in 0usize..500,
            max_streams in 0usize..4,
        ) {
            let mut r = Reassembler::new(max_held, max_streams);
            let mut open: BTreeMap<StreamKey, bool> = BTreeMap::new();
            let mut octets = 0u64;
            let mut out = |k: &StreamKey, c: Chunk<'_>| {
                if let Chunk::Data(d) = c {
                    octets += d.len() as u64;
                }
                if matches!(c, Chunk::End) {
                    open.remove(k);
                } else {
                    open.insert(*k, true);
                }
            };
            let key = |i: u8| StreamKey { sport: i as u16, ..A };
            for (k, seq, flags, p) in &segs {
                r.segment(key(*k), *seq, *flags, p, &mut out);
                prop_assert!(r.streams() <= max_streams.max(1));
                for s in r.streams.values() {
                    prop_assert!(s.charged <= max_held);
                    prop_assert!(s.held.keys().next().is_none_or(|&h| h > s.base));
                }
            }
            r.finish(&mut out);
            prop_assert!(open.is_empty(), "every stream that yielded something ended");
            prop_assert_eq!(r.stats().delivered, octets);
            prop_assert_eq!(r.stats().segments, segs.len() as u64);
            prop_assert_eq!((r.streams(), r.held()), (0, 0));
        }
    }
}
