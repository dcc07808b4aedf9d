//! `pcap2ipfix`'s metering process (RFC 7011 §2, RFC 5470 §5.1): packets from a capture
//! ([`capture`]), their headers read by the one packet parser ([`crate::packet`]), accounted
//! to flows in a cache keyed by addresses, protocol, ports, ICMP type and code and VLAN tags;
//! finished flows handed to [`export`], which encodes them as IPFIX records.
//!
//! Every clock is the packets' own: `now` is the latest packet time seen, and nothing reads
//! the wall clock, so the same capture gives the same flows on any machine.
//!
//! - Idle timeout: a flow whose last packet is more than `idle` before `now` ends (reason 1,
//!   idle timeout); a packet that comes later starts a new flow.
//! - Active timeout: a flow that began `active` or more before `now` ends (reason 2); its
//!   next packet starts a new one.
//! - TCP: a flow that has seen a RST, or FIN from both sides (in its own and its reverse
//!   flow's packets, or both directions of a biflow), is closed: it ends with reason 3 (end
//!   detected) when it goes idle, when a new SYN (or SYN-ACK) reuses its key, or at the end
//!   of the capture; packets after the close (the last ACK, a repeated RST) still belong to
//!   it.
//! - The end of the capture ends the other flows (reason 4, forced end).
//! - `max_flows`: a new flow in a full cache pushes out the least recently seen one (reason
//!   5, lack of resources), counted in [`Stats::evicted`].
//!
//! Octets are the IP length on the wire (IPv4 total length, IPv6 payload length + 40), not
//! the octets captured, so a capture cut by its snaplen counts what was sent. Fragments:
//! each is a packet with its own length; later fragments join the flow of their first one,
//! found by (addresses, protocol, identification) in a table of the last
//! [`FRAGMENTS_MAX`] first fragments, kept for [`FRAGMENT_TTL_NS`]; a later fragment whose
//! first was not seen is metered with ports 0 (counted in [`Stats::orphan_fragments`]).
//!
//! Memory is that of the flows in the cache (bounded by `max_flows`) and the fragment
//! table, whatever the capture's size. The cache is a hash map from key to a slot, the slots
//! on a list in the order they were last seen (the idle and lack-of-resources ends take from
//! its front) and in a queue in the order they began (the active timeout takes from its
//! front); every packet costs one map lookup and O(1) list work.

pub mod capture;
pub mod export;
pub mod extract;
pub mod run;
pub mod tcp;

use crate::packet::{self, Packet};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// IANA flowEndReason values (RFC 7012 §5.11.8 / the IPFIX registry).
pub mod reason {
    pub const IDLE: u8 = 1;
    pub const ACTIVE: u8 = 2;
    pub const END_DETECTED: u8 = 3;
    pub const FORCED_END: u8 = 4;
    pub const LACK_OF_RESOURCES: u8 = 5;
}

/// First fragments remembered for their later fragments.
pub const FRAGMENTS_MAX: usize = 65_536;
/// How long a first fragment is remembered (IPv4 reassembly timeouts are 15 to 120 s).
pub const FRAGMENT_TTL_NS: i64 = 60_000_000_000;

/// How the meter meters.
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    pub idle_ns: i64,
    pub active_ns: i64,
    pub max_flows: usize,
    /// RFC 5103 biflows: a packet of the reverse direction is counted in its flow.
    pub biflow: bool,
}

/// A flow key. IPv4 addresses are in the last 4 octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Key {
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub sport: u16,
    pub dport: u16,
    /// ICMP type << 8 | code (ICMP and ICMPv6 only).
    pub icmp: u16,
    pub vlan: u16,
    pub inner_vlan: u16,
    pub proto: u8,
    pub v6: bool,
}

impl Key {
    /// The key of the other direction.
    pub fn reverse(&self) -> Key {
        Key {
            src: self.dst,
            dst: self.src,
            sport: self.dport,
            dport: self.sport,
            ..*self
        }
    }
}

/// Counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub first_ns: i64,
    pub last_ns: i64,
    pub packets: u64,
    pub octets: u64,
    pub flags: u16,
    pub tos: u8,
}

impl Counts {
    fn add(&mut self, ns: i64, octets: u64, flags: u16, tos: u8) {
        if self.packets == 0 {
            self.first_ns = ns;
            self.last_ns = ns;
            self.tos = tos;
        }
        self.first_ns = self.first_ns.min(ns);
        self.last_ns = self.last_ns.max(ns);
        self.packets += 1;
        self.octets = self.octets.saturating_add(octets);
        self.flags |= flags;
    }
}

/// A flow, when it is handed to the exporter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub key: Key,
    pub fwd: Counts,
    /// Biflows: the reverse direction (no packets: none seen).
    pub rev: Counts,
    /// The top MPLS label of the first packet.
    pub mpls: Option<u32>,
    pub src_mac: Option<[u8; 6]>,
    pub dst_mac: Option<[u8; 6]>,
    pub end_reason: u8,
    /// FIN seen: bit 0 this direction, bit 1 the reverse (biflows).
    fin: u8,
    closed: bool,
}

impl Flow {
    pub fn first_ns(&self) -> i64 {
        if self.rev.packets > 0 {
            self.fwd.first_ns.min(self.rev.first_ns)
        } else {
            self.fwd.first_ns
        }
    }

    pub fn last_ns(&self) -> i64 {
        self.fwd.last_ns.max(self.rev.last_ns)
    }
}

/// What the meter saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub packets: u64,
    pub metered: u64,
    /// Frames not metered, by why: (what, count), in a fixed order.
    pub skipped_non_ip: u64,
    pub skipped_truncated: u64,
    pub skipped_malformed: u64,
    pub skipped_link: u64,
    /// Flows ended, by flowEndReason 1..=5.
    pub ended: [u64; 6],
    pub evicted: u64,
    pub orphan_fragments: u64,
    /// Packets whose time went back more than a second.
    pub time_steps_back: u64,
    pub first_ns: Option<i64>,
    pub last_ns: Option<i64>,
}

impl Stats {
    /// The `--stats` line of a capture that gave `flows` flows.
    pub fn line(&self, name: &str, flows: u64) -> String {
        let e = &self.ended;
        format!(
            "{name}: {} packets, {} metered, skipped {} (non-IP {}, truncated {}, malformed {}, \
             link type not read {}); {flows} flows: idle {}, active {}, end detected {}, \
             forced end {}, lack of resources {}; {} later fragments without their first",
            self.packets,
            self.metered,
            self.skipped(),
            self.skipped_non_ip,
            self.skipped_truncated,
            self.skipped_malformed,
            self.skipped_link,
            e[1],
            e[2],
            e[3],
            e[4],
            e[5],
            self.orphan_fragments,
        )
    }

    pub fn skipped(&self) -> u64 {
        self.skipped_non_ip + self.skipped_truncated + self.skipped_malformed + self.skipped_link
    }

    /// Adds another capture's counts.
    pub fn add(&mut self, o: &Stats) {
        self.packets += o.packets;
        self.metered += o.metered;
        self.skipped_non_ip += o.skipped_non_ip;
        self.skipped_truncated += o.skipped_truncated;
        self.skipped_malformed += o.skipped_malformed;
        self.skipped_link += o.skipped_link;
        for (a, b) in self.ended.iter_mut().zip(o.ended) {
            *a += b;
        }
        self.evicted += o.evicted;
        self.orphan_fragments += o.orphan_fragments;
        self.time_steps_back += o.time_steps_back;
        self.first_ns = match (self.first_ns, o.first_ns) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ns = match (self.last_ns, o.last_ns) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

const NONE: u32 = u32::MAX;

struct Slot {
    flow: Flow,
    /// Last-seen list (front = least recently seen).
    prev: u32,
    next: u32,
    /// Bumped when the slot is freed: stale entries of the start queue are skipped.
    generation: u32,
    live: bool,
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// (addresses, protocol, identification) of a first fragment.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct FragId {
    src: [u8; 16],
    dst: [u8; 16],
    id: u32,
    proto: u8,
}

/// The flow cache.
pub struct Meter {
    opts: Opts,
    map: FastMap<Key, u32>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    /// (start, slot, generation) in start order.
    starts: VecDeque<(i64, u32, u32)>,
    fragments: FastMap<FragId, (Key, i64)>,
    fragment_order: VecDeque<(i64, FragId)>,
    now: i64,
    pub stats: Stats,
    /// Flows ended and not yet taken ([`Meter::take`]).
    done: Vec<Flow>,
}

fn addr(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(v) => {
            let mut m = [0u8; 16];
            m[12..].copy_from_slice(&v.octets());
            m
        }
        IpAddr::V6(v) => v.octets(),
    }
}

impl Meter {
    pub fn new(opts: Opts) -> Meter {
        Meter {
            opts: Opts {
                max_flows: opts.max_flows.clamp(1, NONE as usize - 1),
                ..opts
            },
            map: FastMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NONE,
            tail: NONE,
            starts: VecDeque::new(),
            fragments: FastMap::default(),
            fragment_order: VecDeque::new(),
            now: i64::MIN,
            stats: Stats::default(),
            done: Vec::new(),
        }
    }

    /// Flows in the cache.
    pub fn active(&self) -> usize {
        self.map.len()
    }

    /// Flows ended since the last call, in the order they ended.
    pub fn take(&mut self) -> std::vec::Drain<'_, Flow> {
        self.done.drain(..)
    }

    /// Meters one captured frame.
    pub fn frame(&mut self, f: &capture::Frame<'_>) {
        self.stats.packets += 1;
        let Some(link) = f.link else {
            self.stats.skipped_link += 1;
            return;
        };
        let p = packet::parse(link, f.data);
        self.packet(f.ns, &p);
    }

    /// Meters one packet whose headers are read, seen at `ns`.
    pub fn packet(&mut self, ns: i64, p: &Packet) {
        let (Some(src), Some(dst), Some(version)) = (p.src_ip, p.dst_ip, p.ip_version) else {
            if p.truncated {
                self.stats.skipped_truncated += 1;
            } else if p.malformed {
                self.stats.skipped_malformed += 1;
            } else {
                self.stats.skipped_non_ip += 1;
            }
            return;
        };
        let Some(proto) = p.protocol else {
            if p.malformed {
                self.stats.skipped_malformed += 1;
            } else {
                self.stats.skipped_truncated += 1;
            }
            return;
        };
        self.stats.metered += 1;
        self.stats.first_ns = Some(self.stats.first_ns.map_or(ns, |f| f.min(ns)));
        self.stats.last_ns = Some(self.stats.last_ns.map_or(ns, |l| l.max(ns)));
        if ns < self.now.saturating_sub(1_000_000_000) {
            self.stats.time_steps_back += 1;
        }
        self.advance(ns);
        let mut key = Key {
            src: addr(src),
            dst: addr(dst),
            proto,
            v6: version == 6,
            vlan: p.vlan_outer.unwrap_or(0),
            inner_vlan: p.vlan_inner.unwrap_or(0),
            ..Key::default()
        };
        if matches!(proto, 1 | 58) {
            if let (Some(t), Some(c)) = (p.icmp_type, p.icmp_code) {
                key.icmp = (t as u16) << 8 | c as u16;
            }
        } else {
            key.sport = p.src_port.unwrap_or(0);
            key.dport = p.dst_port.unwrap_or(0);
        }
        self.fragment(p, &mut key);
        let octets = p.ip_total_len.unwrap_or(0) as u64;
        let flags = p.tcp_flags.unwrap_or(0);
        let tos = p.tos.unwrap_or(0);
        // Which flow, and which direction of it.
        let (mut slot, mut reverse) = match self.map.get(&key) {
            Some(&s) => (Some(s), false),
            None if self.opts.biflow => match self.map.get(&key.reverse()) {
                Some(&s) => (Some(s), true),
                None => (None, false),
            },
            None => (None, false),
        };
        if let Some(s) = slot {
            let f = &self.slots[s as usize].flow;
            // A SYN-ACK too: in a uniflow, the server's half of a new connection opens with it.
            let new_syn = proto == 6 && flags & 0x02 != 0 && f.closed;
            if ns.saturating_sub(f.first_ns()) >= self.opts.active_ns {
                self.end(s, reason::ACTIVE);
                slot = None;
            } else if new_syn {
                self.end(s, reason::END_DETECTED);
                slot = None;
            }
        }
        let s = match slot {
            Some(s) => {
                self.touch(s);
                s
            }
            None => {
                reverse = false;
                self.insert(key, p)
            }
        };
        let f = &mut self.slots[s as usize].flow;
        let c = if reverse { &mut f.rev } else { &mut f.fwd };
        c.add(ns, octets, flags, tos);
        if proto == 6 && flags & 0x05 != 0 {
            self.tcp_end(s, reverse, flags);
        }
    }

    /// Later fragments take the key of their first; first fragments are remembered.
    fn fragment(&mut self, p: &Packet, key: &mut Key) {
        let (Some(id), Some(offset), Some(flags)) =
            (p.fragment_id, p.fragment_offset, p.fragment_flags)
        else {
            return;
        };
        let more = flags & 0x20 != 0;
        if offset == 0 && !more {
            return; // not a fragment
        }
        let fid = FragId {
            src: key.src,
            dst: key.dst,
            id,
            proto: key.proto,
        };
        if p.non_first_fragment {
            match self.fragments.get(&fid) {
                Some(&(k, _)) => *key = k,
                None => self.stats.orphan_fragments += 1,
            }
            return;
        }
        if self.fragments.len() >= FRAGMENTS_MAX {
            if let Some((_, old)) = self.fragment_order.pop_front() {
                self.fragments.remove(&old);
            }
        }
        let expires = self.now.saturating_add(FRAGMENT_TTL_NS);
        self.fragments.insert(fid, (*key, expires));
        self.fragment_order.push_back((expires, fid));
    }

    /// A FIN or RST: the flow (and for FIN from both sides, its reverse) is closed.
    fn tcp_end(&mut self, s: u32, reverse: bool, flags: u16) {
        let rst = flags & 0x04 != 0;
        let key = self.slots[s as usize].flow.key;
        let other = if self.opts.biflow {
            None
        } else {
            self.map.get(&key.reverse()).copied()
        };
        let f = &mut self.slots[s as usize].flow;
        if flags & 0x01 != 0 {
            f.fin |= if reverse { 2 } else { 1 };
        }
        let both = if self.opts.biflow {
            f.fin == 3
        } else {
            f.fin & 1 != 0 && other.is_some_and(|o| self.slots[o as usize].flow.fin & 1 != 0)
        };
        if rst || both {
            self.slots[s as usize].flow.closed = true;
            if let Some(o) = other {
                self.slots[o as usize].flow.closed = true;
            }
        }
    }

    /// Moves the clock to `ns` (never back) and ends the flows that timed out before it.
    fn advance(&mut self, ns: i64) {
        if ns <= self.now {
            return;
        }
        self.now = ns;
        while self.head != NONE {
            let h = self.head;
            let f = &self.slots[h as usize].flow;
            if ns.saturating_sub(f.last_ns()) <= self.opts.idle_ns {
                break;
            }
            let r = if f.closed {
                reason::END_DETECTED
            } else {
                reason::IDLE
            };
            self.end(h, r);
        }
        while let Some(&(start, s, generation)) = self.starts.front() {
            let slot = &self.slots[s as usize];
            if slot.generation != generation || !slot.live {
                self.starts.pop_front();
                continue;
            }
            if ns.saturating_sub(start) < self.opts.active_ns {
                break;
            }
            self.starts.pop_front();
            self.end(s, reason::ACTIVE);
        }
        while let Some(&(expires, fid)) = self.fragment_order.front() {
            if expires > ns {
                break;
            }
            self.fragment_order.pop_front();
            if self.fragments.get(&fid).is_some_and(|e| e.1 == expires) {
                self.fragments.remove(&fid);
            }
        }
    }

    fn insert(&mut self, key: Key, p: &Packet) -> u32 {
        if self.map.len() >= self.opts.max_flows && self.head != NONE {
            self.stats.evicted += 1;
            self.end(self.head, reason::LACK_OF_RESOURCES);
        }
        let flow = Flow {
            key,
            fwd: Counts::default(),
            rev: Counts::default(),
            mpls: p.mpls_label,
            src_mac: p.src_mac,
            dst_mac: p.dst_mac,
            end_reason: 0,
            fin: 0,
            closed: false,
        };
        let s = match self.free.pop() {
            Some(s) => {
                let slot = &mut self.slots[s as usize];
                slot.flow = flow;
                slot.live = true;
                s
            }
            None => {
                self.slots.push(Slot {
                    flow,
                    prev: NONE,
                    next: NONE,
                    generation: 0,
                    live: true,
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, s);
        self.link_back(s);
        let generation = self.slots[s as usize].generation;
        self.starts.push_back((self.now, s, generation));
        s
    }

    fn unlink(&mut self, s: u32) {
        let (prev, next) = {
            let x = &self.slots[s as usize];
            (x.prev, x.next)
        };
        if prev == NONE {
            self.head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NONE {
            self.tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
    }

    fn link_back(&mut self, s: u32) {
        let tail = self.tail;
        {
            let x = &mut self.slots[s as usize];
            x.prev = tail;
            x.next = NONE;
        }
        if tail == NONE {
            self.head = s;
        } else {
            self.slots[tail as usize].next = s;
        }
        self.tail = s;
    }

    /// Marks slot `s` as seen now: to the back of the last-seen list.
    fn touch(&mut self, s: u32) {
        if self.tail != s {
            self.unlink(s);
            self.link_back(s);
        }
    }

    /// Ends the flow in slot `s` with `why`.
    fn end(&mut self, s: u32, why: u8) {
        self.unlink(s);
        let slot = &mut self.slots[s as usize];
        slot.live = false;
        slot.generation = slot.generation.wrapping_add(1);
        let mut f = slot.flow;
        f.end_reason = why;
        self.map.remove(&f.key);
        self.free.push(s);
        self.stats.ended[why as usize] += 1;
        self.done.push(f);
    }

    /// The end of the capture: every flow left ends (closed ones as detected ends), least
    /// recently seen first.
    pub fn finish(&mut self) {
        while self.head != NONE {
            let h = self.head;
            let r = if self.slots[h as usize].flow.closed {
                reason::END_DETECTED
            } else {
                reason::FORCED_END
            };
            self.end(h, r);
        }
        self.fragments.clear();
        self.fragment_order.clear();
        self.starts.clear();
    }
}
