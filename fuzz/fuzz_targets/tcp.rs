//! Arbitrary bytes as TCP segments on four keys through `meter::tcp::Reassembler`, with little
//! room (`max_held` 0 to 1020 of charge, 1 to 3 streams), then `finish()`.
//!
//! Input: octet 0 × 4 is `max_held`, octet 1 % 4 is `max_streams` (0 means 1); then segments
//! of `[k, seq, flags, n, n octets of payload]`: bits 0-1 of `k` the key; with bit 2 `seq` is
//! one signed octet added to where the key's last segment ended (so in-order data, overlaps
//! and retransmissions are easy to reach), else four octets big-endian; `flags` are the
//! tcpControlBits (FIN 1, SYN 2, RST 4 and any others); a payload cut short by the input's end
//! is what is left.
//!
//! The harness follows each stream as the chunks describe it: it starts when
//! `Stats::streams` goes up (at the segment's SYN + 1 or its sequence number), its position
//! is the Data and Gap octets so far (which is the reassembler's next expected octet). Findings:
//! a panic, a timeout; `held()` over `max_held` × streams or more streams than `max_streams`;
//! a chunk of a key with no stream open, or a stream not ended exactly once (Ends ≠ streams
//! started, one left open after `finish()`); a Data chunk whose octets are not those of one
//! segment of its key (not a RST) at that place modulo 2^32; a Gap of 0 octets or of 2^31 +
//! 2^16 or more; a stream whose Data and Gap octets reach past the farthest octet its segments
//! cover, or that ends after a Gap anywhere but at a FIN's position; counters that disagree
//! with the chunks.

#![no_main]

use ipfixkit::meter::tcp::{Chunk, Reassembler, StreamKey};
use libfuzzer_sys::fuzz_target;

const FIN: u16 = 1;
const SYN: u16 = 2;
const RST: u16 = 4;

/// A chunk as given, its data copied (the callback's borrow ends with the call).
enum Got {
    Data(Vec<u8>),
    Gap(u64),
    End,
}

/// A segment as the harness keeps it: where its data starts (SYN + 1), its flags, payload.
struct Seg {
    at: u32,
    flags: u16,
    payload: Vec<u8>,
}

/// A stream the chunks say is open.
struct Open {
    start: u32,
    /// Data and Gap octets so far.
    pos: u64,
    /// The farthest stream offset a segment of the stream reaches.
    reach: u64,
    last_gap: bool,
}

fn key(i: u8) -> StreamKey {
    StreamKey {
        src: [10; 16],
        sport: 4739 + i as u16,
        dst: [20; 16],
        dport: 50000,
    }
}

/// Where a segment's data ends as a stream offset, seen from the stream's next octet `pos`.
fn reach(o: &Open, s: &Seg) -> u64 {
    let rel = s.at.wrapping_sub(o.start.wrapping_add(o.pos as u32)) as i32 as i64;
    (o.pos as i64 + rel + s.payload.len() as i64).max(0) as u64
}

struct Harness {
    segs: [Vec<Seg>; 4],
    open: [Option<Open>; 4],
    ends: u64,
    data: u64,
    gaps: u64,
}

impl Harness {
    /// Applies the chunks of one call; `started`: the segment of key `k` started a stream.
    fn apply(&mut self, log: Vec<(u8, Got)>, started: Option<u8>) {
        let mut fresh = started;
        for (k, c) in log {
            let i = k as usize;
            if self.open[i].is_none() {
                assert_eq!(fresh, Some(k), "a chunk of key {k} with no stream open");
                fresh = None;
                self.open[i] = Some(self.new_stream(i));
            }
            let Some(o) = self.open[i].as_mut() else {
                continue;
            };
            match c {
                Got::Data(d) => {
                    assert!(!d.is_empty(), "an empty Data chunk");
                    let at = o.start.wrapping_add(o.pos as u32);
                    let ok = self.segs[i].iter().any(|s| {
                        let j = at.wrapping_sub(s.at) as usize;
                        s.flags & RST == 0
                            && s.payload.get(j..j.saturating_add(d.len())) == Some(&d[..])
                    });
                    assert!(ok, "key {k}: data at {} is no segment's: {d:?}", o.pos);
                    o.pos += d.len() as u64;
                    o.last_gap = false;
                    self.data += d.len() as u64;
                }
                Got::Gap(n) => {
                    assert!(n > 0 && n < (1 << 31) + (1 << 16), "key {k}: a Gap of {n}");
                    o.pos += n;
                    o.last_gap = true;
                    self.gaps += n;
                }
                Got::End => {
                    assert!(
                        o.pos <= o.reach,
                        "key {k}: the stream reaches {} past its segments' {}",
                        o.pos,
                        o.reach
                    );
                    if o.last_gap {
                        let at = o.start.wrapping_add(o.pos as u32);
                        let fin = self.segs[i].iter().any(|s| {
                            s.flags & FIN != 0 && s.at.wrapping_add(s.payload.len() as u32) == at
                        });
                        assert!(fin, "key {k}: ends after a Gap at {}, no FIN there", o.pos);
                    }
                    self.open[i] = None;
                    self.ends += 1;
                }
            }
        }
        if let Some(k) = fresh {
            let i = k as usize;
            assert!(
                self.open[i].is_none(),
                "key {k}: a new stream, the old one open"
            );
            self.open[i] = Some(self.new_stream(i));
        }
    }

    /// The stream the key's last segment started.
    fn new_stream(&self, i: usize) -> Open {
        let s = self.segs[i].last().expect("a segment started it");
        Open {
            start: s.at,
            pos: 0,
            reach: if s.flags & RST == 0 {
                s.payload.len() as u64
            } else {
                0
            },
            last_gap: false,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let max_held = *a as usize * 4;
    let max_streams = (*b % 4) as usize;
    let mut r = Reassembler::new(max_held, max_streams);
    let mut h = Harness {
        segs: Default::default(),
        open: Default::default(),
        ends: 0,
        data: 0,
        gaps: 0,
    };
    let mut last_end = [0u32; 4];
    let mut fed = 0u64;
    let mut input = rest;
    while let [k, more @ ..] = input {
        let ki = k & 3;
        let (seq, more) = if k & 4 != 0 {
            let Some((&d, more)) = more.split_first() else {
                break;
            };
            (
                last_end[ki as usize].wrapping_add(d as i8 as i32 as u32),
                more,
            )
        } else {
            let Some((s, more)) = more.split_first_chunk::<4>() else {
                break;
            };
            (u32::from_be_bytes(*s), more)
        };
        let [flags, n, more @ ..] = more else {
            break;
        };
        let n = (*n as usize).min(more.len());
        let (payload, more) = more.split_at(n);
        input = more;
        let flags = *flags as u16;
        let at = if flags & SYN != 0 {
            seq.wrapping_add(1)
        } else {
            seq
        };
        last_end[ki as usize] = at.wrapping_add(n as u32);

        // The open stream's farthest octet, from its position before the segment.
        let i = ki as usize;
        let seg = Seg {
            at,
            flags,
            payload: payload.to_vec(),
        };
        let before = r.stats().streams;
        let mut log = Vec::new();
        r.segment(key(ki), seq, flags, payload, &mut |k, c| {
            let k = (k.sport - 4739) as u8;
            log.push((
                k,
                match c {
                    Chunk::Data(d) => Got::Data(d.to_vec()),
                    Chunk::Gap(n) => Got::Gap(n),
                    Chunk::End => Got::End,
                },
            ));
        });
        fed += 1;
        let started = r.stats().streams - before;
        assert!(started <= 1, "{started} streams started by one segment");
        if let Some(o) = h.open[i].as_mut() {
            if flags & RST == 0 {
                o.reach = o.reach.max(reach(o, &seg));
            }
        }
        h.segs[i].push(seg);
        h.apply(log, (started == 1).then_some(ki));
        assert!(r.streams() <= max_streams.max(1), "{} streams", r.streams());
        assert!(
            r.held() <= max_held * r.streams(),
            "held {} over {max_held} × {} streams",
            r.held(),
            r.streams()
        );
    }
    let mut log = Vec::new();
    r.finish(&mut |k, c| {
        let k = (k.sport - 4739) as u8;
        log.push((
            k,
            match c {
                Chunk::Data(d) => Got::Data(d.to_vec()),
                Chunk::Gap(n) => Got::Gap(n),
                Chunk::End => Got::End,
            },
        ));
    });
    h.apply(log, None);
    assert!(h.open.iter().all(Option::is_none), "a stream left open");
    let st = r.stats();
    assert_eq!(h.ends, st.streams, "Ends vs streams started: {st:?}");
    assert_eq!(
        (h.data, h.gaps, st.segments),
        (st.delivered, st.gap_octets, fed),
        "{st:?}"
    );
    assert_eq!((r.streams(), r.held()), (0, 0));
});
