//! `gen --packets`: the packets that make up generated flows, as a pcap, and the flows a
//! meter must make of them (`--flows-out`), as IPFIX: the ground truth for testing metering.
//!
//! The model. Flow `i` is the `traffic` model's flow `i`, drawn exactly as the record
//! generator draws it (chunk `k` from [`Rng::new`]`(seed, k)`, the start at `--start + (i +
//! u) / --rate`), so the flows are those `gen -n N --seed S` writes; everything the packets
//! need beyond it (link layer, times, fragments, identifications) comes from a second
//! stream per chunk (`Rng::new(seed ^ SALT, k)`), so the records' bytes never change. Each
//! model flow is a connection of two flow directions: the client's (src to dst, the
//! model's packets) and, where the model has `rev_packets > 0`, the server's reply.
//!
//! - TCP: SYN, SYN-ACK, ACK, data both ways, then the client's FIN, the server's FIN+ACK
//!   and the client's final ACK; where the model's flags say RST (about 5%), the client ends
//!   with RST+ACK instead; where they say neither (flows of 1 to 3 packets), the connection
//!   just stops (SYN only, or the handshake and a data packet). Sequence and ack numbers are
//!   consistent. UDP: datagrams both ways, the client's first. ICMP/ICMPv6: echo requests,
//!   each answered; unreachable and time exceeded (carrying the invoking IP + UDP header) get
//!   no reply; no ports.
//! - Sizes: control packets (SYN, ACK, FIN, RST) carry no data; data packets have the
//!   model's octets / packets of their direction as IP total length, at least the headers
//!   (IPv4 20 / IPv6 40, plus TCP 20, UDP 8, ICMP 8, and an ICMP error the invoking header).
//!   At most [`MAX_PACKETS`] packets per direction (before fragmenting), so 100k flows stay a
//!   few hundred MB. Payload octets are zeros.
//! - Times: packets spread over the model flow's span, shortened where needed so every gap
//!   between packets of one connection is below [`MAX_GAP_NS`] and every flow lasts less than
//!   [`MAX_DURATION_NS`]: a meter with idle timeout 15 s and active timeout 1800 s never
//!   splits one. Nanosecond timestamps.
//! - Link layer: Ethernet II; about 10% of connections in one 802.1Q VLAN, 5% QinQ (an
//!   0x88a8 S-tag then an 0x8100 C-tag), both directions the same. IPv4 only, or IPv6 only
//!   (`--profile flow4|flow6`).
//! - Fragments: about 2% of packets above 600 octets are sent as 2 IP fragments (IPv4: one
//!   identification, MF, offsets in 8-octet units; IPv6: a Fragment extension header). Each
//!   fragment is a packet of its flow and its IP total length counts (IPv6: 40 + payload
//!   length).
//! - Keys: no two flow directions of the file share (addresses, ports, protocol, VLAN, inner
//!   VLAN; ICMP: type and code instead of ports): a clashing client port is bumped (ICMP:
//!   the client address, then the server's), so a meter never merges two flows.
//!
//! Packets are written in time order (ties: the earlier connection, then its order) by a
//! k-way merge over the live connections' schedules, made when their first packet is due:
//! memory grows with the connections alive at once, not with the file. Only the ground
//! truth (a few dozen octets per flow) is held to the end, because a flow's end reason
//! depends on when the capture ends.
//!
//! The ground truth, one record per flow direction, sorted by (flowStartMilliseconds, key):
//! the fields of [`truth_templates`]; times are floor(packet ns / 10^6) of the first and last
//! packet; packets, octets (IP total lengths), tcpControlBits (OR of the packets' flags)
//! counted from the packets written. flowEndReason as a meter with idle timeout
//! [`IDLE_TIMEOUT_NS`] says it: 3 (end detected) for a flow that carries a FIN or RST itself
//! and both directions of a reset connection (the RST ends the connection, so the meter ends
//! the reverse flow too), else 1
//! (idle timeout) when its last packet is more than 15 s before the capture's last, else 4
//! (end of capture). Export time: the capture's last packet, rounded up to the second.
//!
//! Headers and checksums are etherparse's (header structs and their `write`); fragments are
//! the built transport segment cut in two, each piece behind its own etherparse IP header
//! (and IPv6 Fragment header): nothing is written by hand.

use super::pcap::Capture;
use super::rng::Rng;
use super::traffic::{self, Flow};
use crate::ipfix::writer::{MessageWriter, TemplateDef};
use etherparse::{
    EtherType, Ethernet2Header, IcmpEchoHeader, Icmpv4Header, Icmpv4Type, Icmpv6Header, Icmpv6Type,
    IpFragOffset, IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6FragmentHeader, Ipv6Header,
    SingleVlanHeader, TcpHeader, UdpHeader, VlanId, VlanPcp,
};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::io::{self, Write};

/// Packets per flow direction at most (before fragmenting).
pub const MAX_PACKETS: u64 = 64;
/// Every gap between consecutive packets of one connection is below this.
pub const MAX_GAP_NS: u64 = 10_000_000_000;
/// Every flow lasts less than this.
pub const MAX_DURATION_NS: u64 = 300_000_000_000;
/// The idle timeout flowEndReason assumes.
pub const IDLE_TIMEOUT_NS: u64 = 15_000_000_000;
/// Template IDs of the ground truth: IPv4 and IPv6 flows.
pub const TEMPLATE_V4: u16 = crate::packet::record::FLOW_TID;
pub const TEMPLATE_V6: u16 = crate::packet::record::FLOW_TID + 1;
/// Observation domain of the ground truth.
pub const DOMAIN: u32 = 1;

/// Mixed into the seed for the packets' own stream ("packets!").
const SALT: u64 = 0x7061_636b_6574_7321;
/// Packets above this IP total length may be fragmented.
const FRAGMENT_ABOVE: u16 = 600;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

pub struct Opts {
    /// Connections (client flows).
    pub flows: u64,
    pub seed: u64,
    /// The first flow's start, ms since 1970.
    pub start_ms: u64,
    /// Flows per second of simulated time.
    pub rate: f64,
    pub v6: bool,
    /// Largest IPFIX message of the ground truth.
    pub message_size: usize,
}

/// What was written.
#[derive(Debug, Default)]
pub struct Written {
    pub packets: u64,
    pub flows: u64,
}

/// The ground truth's templates, IPv4 ([`TEMPLATE_V4`]) and IPv6 ([`TEMPLATE_V6`]): start,
/// end, addresses, ports, protocol, octets, packets, TCP flags, ToS, VLAN, inner VLAN, ICMP
/// type and code, end reason, IP version.
/// Whether `--profile` asks for IPv6 packets (flow6) or IPv4 (flow4, the default); the
/// other profiles have no packets.
pub fn v6(profile: Option<super::layout::Profile>) -> Result<bool, String> {
    use super::layout::Profile;
    match profile {
        None | Some(Profile::Flow4) => Ok(false),
        Some(Profile::Flow6) => Ok(true),
        _ => Err("--packets takes --profile flow4 (IPv4 packets) or flow6 (IPv6)".into()),
    }
}

pub fn truth_templates() -> [TemplateDef; 2] {
    let shape = crate::packet::record::Shape::default();
    let t = |v6| crate::packet::record::template(shape, v6, false);
    [t(false), t(true)]
}

/// A flow direction's key as a meter sees it (ICMP: type and code, ports 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    sport: u16,
    dport: u16,
    proto: u8,
    vlan: u16,
    inner_vlan: u16,
    icmp: u16,
}

/// One flow direction of the ground truth.
struct Truth {
    key: Key,
    first_ns: u64,
    last_ns: u64,
    packets: u64,
    octets: u64,
    flags: u8,
    tos: u8,
    /// The connection was reset (either side's RST ends both directions).
    reset: bool,
}

/// One frame of a connection's schedule.
#[derive(Clone, Copy)]
struct Frame {
    ns: u64,
    /// 0: client to server, 1: server to client.
    dir: u8,
    flags: u8,
    /// The whole IP packet's total length (before fragmenting).
    ip_len: u16,
    /// 0: whole; 1, 2: the first or second fragment.
    frag: u8,
    /// ICMP echo sequence number.
    seq: u16,
}

/// A connection being written: its schedule and what its frames need.
struct Conn {
    v6: bool,
    /// Client and server addresses (IPv4 in the last 4 octets).
    addr: [[u8; 16]; 2],
    port: [u16; 2],
    proto: u8,
    tos: u8,
    /// The client's ICMP type << 8 | code.
    icmp: u16,
    vlan: u16,
    inner_vlan: u16,
    flow_label: u32,
    frames: Vec<Frame>,
    next: usize,
    /// Next TCP sequence number per direction.
    tcp_seq: [u32; 2],
    /// IP identification per direction (IPv6: of the Fragment header).
    ip_id: [u32; 2],
    /// The second fragment's share of the segment the first fragment cut.
    held: Vec<u8>,
}

/// Which output failed, and why.
#[derive(Debug)]
pub enum Failed {
    Pcap(String),
    Truth(String),
}

/// Writes the capture of `o`'s flows to `pcap` and, if given, the ground truth to `truth`.
pub fn generate(
    o: &Opts,
    pcap: &mut dyn Write,
    truth: Option<&mut dyn Write>,
) -> Result<Written, Failed> {
    let io_err = |e: io::Error| Failed::Pcap(e.to_string());
    let mut cap = Capture::new(pcap).map_err(io_err)?;
    let model = traffic::Model::new();
    let per_ns = 1e9 / o.rate;
    let mut used: HashSet<Key> = HashSet::new();
    let mut truths: Vec<Truth> = Vec::new();
    let mut live: HashMap<u64, Conn> = HashMap::new();
    // (time, connection, frame index) of each live connection's next frame.
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    let mut streams = (Rng::new(o.seed, 0), Rng::new(o.seed ^ SALT, 0));
    let next_conn = |i: u64,
                     streams: &mut (Rng, Rng),
                     used: &mut HashSet<Key>,
                     truths: &mut Vec<Truth>|
     -> Conn {
        if i % super::CHUNK == 0 {
            let k = i / super::CHUNK;
            *streams = (Rng::new(o.seed, k), Rng::new(o.seed ^ SALT, k));
        }
        let (r, x) = streams;
        let start_ns = o.start_ms * 1_000_000 + ((i as f64 + r.unit()) * per_ns) as u64;
        let flow = model.flow(r, o.v6, start_ns / 1_000_000);
        connection(&flow, start_ns, x, used, truths)
    };
    let mut frame = Vec::with_capacity(1600);
    let mut made = 0u64;
    let mut pending = (o.flows > 0).then(|| next_conn(0, &mut streams, &mut used, &mut truths));
    let mut last_ns = 0u64;
    loop {
        let due = heap.peek().map(|Reverse(t)| t.0);
        if let Some(c) = pending.take_if(|c| due.is_none_or(|d| c.frames[0].ns <= d)) {
            heap.push(Reverse((c.frames[0].ns, made, 0)));
            live.insert(made, c);
            made += 1;
            if made < o.flows {
                pending = Some(next_conn(made, &mut streams, &mut used, &mut truths));
            }
            continue;
        }
        let Some(Reverse((ns, id, at))) = heap.pop() else {
            break;
        };
        let c = live
            .get_mut(&id)
            .ok_or_else(|| Failed::Pcap("a connection went missing (a bug)".into()))?;
        c.build(at, &mut frame).map_err(io_err)?;
        cap.packet(ns, &frame).map_err(io_err)?;
        last_ns = ns;
        c.next += 1;
        if let Some(f) = c.frames.get(c.next) {
            heap.push(Reverse((f.ns, id, c.next)));
        } else {
            live.remove(&id);
        }
    }
    let written = Written {
        packets: cap.packets(),
        flows: truths.len() as u64,
    };
    cap.into_inner().flush().map_err(io_err)?;
    if let Some(out) = truth {
        write_truth(o, &mut truths, last_ns, out).map_err(Failed::Truth)?;
    }
    Ok(written)
}

fn write_truth(
    o: &Opts,
    truths: &mut [Truth],
    last_ns: u64,
    out: &mut dyn Write,
) -> Result<(), String> {
    let err = |e: crate::ipfix::writer::WriteError| e.to_string();
    truths.sort_unstable_by_key(|t| (t.first_ns / 1_000_000, t.key));
    let export = last_ns
        .div_ceil(1_000_000_000)
        .max(o.start_ms.div_ceil(1000))
        .min(u32::MAX as u64) as u32;
    let mut w = MessageWriter::new(out, o.message_size);
    for def in truth_templates() {
        let id = def.id;
        if (id == TEMPLATE_V6) == o.v6 {
            w.define(DOMAIN, def).map_err(err)?;
            w.require(DOMAIN, export, id).map_err(err)?;
        }
    }
    let mut rec = Vec::with_capacity(80);
    for t in truths.iter() {
        let k = &t.key;
        rec.clear();
        rec.extend_from_slice(&(t.first_ns / 1_000_000).to_be_bytes());
        rec.extend_from_slice(&(t.last_ns / 1_000_000).to_be_bytes());
        let a = if k.v6 { 0 } else { 12 };
        rec.extend_from_slice(&k.src[a..]);
        rec.extend_from_slice(&k.dst[a..]);
        rec.extend_from_slice(&k.sport.to_be_bytes());
        rec.extend_from_slice(&k.dport.to_be_bytes());
        rec.push(k.proto);
        rec.extend_from_slice(&t.octets.to_be_bytes());
        rec.extend_from_slice(&t.packets.to_be_bytes());
        rec.extend_from_slice(&(t.flags as u16).to_be_bytes());
        rec.push(t.tos);
        rec.extend_from_slice(&k.vlan.to_be_bytes());
        rec.extend_from_slice(&k.inner_vlan.to_be_bytes());
        rec.extend_from_slice(&k.icmp.to_be_bytes());
        let reason = if t.flags & (FIN | RST) != 0 || t.reset {
            3
        } else if last_ns - t.last_ns > IDLE_TIMEOUT_NS {
            1
        } else {
            4
        };
        rec.push(reason);
        rec.push(if k.v6 { 6 } else { 4 });
        let id = if k.v6 { TEMPLATE_V6 } else { TEMPLATE_V4 };
        w.record(DOMAIN, export, id, &rec).map_err(err)?;
    }
    w.finish().map_err(err)?;
    Ok(())
}

fn ip_header_len(v6: bool) -> u16 {
    if v6 { 40 } else { 20 }
}

/// The `k`th other host of the same network (IPv4: the last octet in 1..=254; IPv6: the
/// last 32 bits in 1..=65535).
fn bump_host(a: &mut [u8; 16], v6: bool) {
    if v6 {
        let k = u32::from_be_bytes([a[12], a[13], a[14], a[15]]);
        a[12..].copy_from_slice(&(k % 65535 + 1).to_be_bytes());
    } else {
        a[15] = a[15] % 254 + 1;
    }
}

/// A connection of the model flow `f` starting at `start_ns`: its keys made unique, its
/// frames scheduled, its flow directions added to `truths`.
fn connection(
    f: &Flow,
    start_ns: u64,
    x: &mut Rng,
    used: &mut HashSet<Key>,
    truths: &mut Vec<Truth>,
) -> Conn {
    let (vlan, inner_vlan) = match x.below(100) {
        0..=9 => (x.range(1, 4094) as u16, 0),
        10..=14 => (x.range(1, 4094) as u16, x.range(1, 4094) as u16),
        _ => (0, 0),
    };
    let icmp = f.proto == 1 || f.proto == 58;
    let echo = icmp && matches!(f.icmp >> 8, 8 | 128);
    let (mut client, mut server, mut cport) = (f.src, f.dst, f.sport);
    let sport = f.dport;
    let keys = |client: [u8; 16], server: [u8; 16], cport: u16| {
        let reply_icmp = if !echo {
            0
        } else if f.v6 {
            129 << 8
        } else {
            0
        };
        let k = |src, dst, sp, dp, icmp_tc| Key {
            v6: f.v6,
            src,
            dst,
            sport: sp,
            dport: dp,
            proto: f.proto,
            vlan,
            inner_vlan,
            icmp: icmp_tc,
        };
        if icmp {
            [
                k(client, server, 0, 0, f.icmp),
                k(server, client, 0, 0, reply_icmp),
            ]
        } else {
            [
                k(client, server, cport, sport, 0),
                k(server, client, sport, cport, 0),
            ]
        }
    };
    let mut tries = 0u64;
    let [fwd, rev] = loop {
        let ks = keys(client, server, cport);
        if !used.contains(&ks[0]) && !used.contains(&ks[1]) {
            break ks;
        }
        tries += 1;
        if icmp {
            bump_host(&mut client, f.v6);
            if tries % 254 == 0 {
                bump_host(&mut server, f.v6);
            }
        } else {
            cport = if cport < 49152 {
                49152
            } else {
                49152 + (cport - 49152 + 1) % 16384
            };
            if tries % 16384 == 0 {
                bump_host(&mut client, f.v6);
            }
        }
    };
    used.insert(fwd);
    used.insert(rev);

    // The logical packets in order: (direction, TCP flags, IP total length, ICMP seq).
    let ip = ip_header_len(f.v6);
    let least = match f.proto {
        6 => ip + 20,
        17 => ip + 8,
        _ if echo => ip + 8,
        _ => 2 * ip + 16,
    };
    let size = |octets: u64, packets: u64| -> u16 {
        (octets / packets.max(1)).clamp(least as u64, 1500) as u16
    };
    let n_c = f.packets.clamp(1, MAX_PACKETS);
    let n_s = f.rev_packets.min(MAX_PACKETS);
    let (s_c, s_s) = (size(f.octets, f.packets), size(f.rev_octets, f.rev_packets));
    let mut logical: Vec<(u8, u8, u16, u16)> = Vec::new();
    let control = ip + 20;
    // Data packets of both sides, interleaved at random.
    let interleave = |x: &mut Rng, logical: &mut Vec<_>, mut c: u64, mut s: u64, flags| {
        while c + s > 0 {
            if x.below(c + s) < c {
                logical.push((0, flags, s_c, 0));
                c -= 1;
            } else {
                logical.push((1, flags, s_s, 0));
                s -= 1;
            }
        }
    };
    match f.proto {
        6 => {
            let rst = f.flags & RST as u16 != 0;
            let fin = !rst && f.flags & FIN as u16 != 0;
            logical.push((0, SYN, control, 0));
            logical.push((1, SYN | ACK, control, 0));
            if fin || rst {
                let n_s = n_s.max(2 - rst as u64);
                let data_c = n_c.saturating_sub(if fin { 4 } else { 3 });
                logical.push((0, ACK, control, 0));
                interleave(x, &mut logical, data_c, n_s - 1 - fin as u64, PSH | ACK);
                if fin {
                    logical.push((0, FIN | ACK, control, 0));
                    logical.push((1, FIN | ACK, control, 0));
                    logical.push((0, ACK, control, 0));
                } else {
                    logical.push((0, RST | ACK, control, 0));
                }
            } else if n_c >= 2 {
                logical.push((0, ACK, control, 0));
                interleave(x, &mut logical, n_c - 2, n_s.max(1) - 1, PSH | ACK);
            }
        }
        17 => {
            logical.push((0, 0, s_c, 0));
            interleave(x, &mut logical, n_c - 1, n_s, 0);
        }
        _ => {
            for j in 0..n_c {
                logical.push((0, 0, s_c, j as u16));
                if echo && j < n_s {
                    logical.push((1, 0, s_s, j as u16));
                }
            }
        }
    }

    // Times: gaps of random weight over the (shortened) span, plus a little latency each.
    // The span is halved until no direction waits MAX_GAP_NS for its next packet (its
    // packets may be several of the connection's gaps apart); the draws are made first, so
    // their number does not depend on it.
    let n = logical.len() as u64;
    let mut span = if n < 2 {
        0
    } else {
        (f.end_ms - f.start_ms)
            .saturating_mul(1_000_000)
            .min(3_000_000_000 * (n - 1))
            .min(299_000_000_000)
    };
    let gaps: Vec<(u64, u64)> = (1..n)
        .map(|_| (x.range(500, 1500), x.range(20_000, 2_000_000)))
        .collect();
    let total: u64 = gaps.iter().map(|g| g.0).sum();
    let split: Vec<Option<u64>> = logical
        .iter()
        .map(|l| (l.2 > FRAGMENT_ABOVE && x.chance(0.02)).then(|| x.range(1_000, 5_000)))
        .collect();
    let times = loop {
        let mut t = start_ns;
        let mut times = Vec::with_capacity(logical.len());
        let mut last = [None::<u64>; 2];
        let mut widest = 0;
        for (j, l) in logical.iter().enumerate() {
            if j > 0 {
                let (w, latency) = gaps[j - 1];
                t += (span as u128 * w as u128 / total as u128) as u64 + latency;
            }
            let d = l.0 as usize;
            widest = widest.max(last[d].map_or(0, |p| t - p));
            last[d] = Some(t + split[j].unwrap_or(0));
            times.push(t);
        }
        if widest < MAX_GAP_NS - 500_000_000 || span == 0 {
            break times;
        }
        span /= 2;
    };
    let mut frames = Vec::with_capacity(logical.len() + 2);
    for (j, &(dir, flags, ip_len, seq)) in logical.iter().enumerate() {
        let frame = Frame {
            ns: times[j],
            dir,
            flags,
            ip_len,
            frag: 0,
            seq,
        };
        if let Some(delta) = split[j] {
            frames.push(Frame { frag: 1, ..frame });
            frames.push(Frame {
                frag: 2,
                ns: times[j] + delta,
                ..frame
            });
        } else {
            frames.push(frame);
        }
    }

    // The ground truth of each direction, from the frames.
    let reset = frames.iter().any(|fr| fr.flags & RST != 0);
    for (dir, key) in [(0u8, fwd), (1, rev)] {
        let mut mine = frames.iter().filter(|fr| fr.dir == dir).peekable();
        let Some(first) = mine.peek().map(|fr| fr.ns) else {
            continue;
        };
        let mut tr = Truth {
            key,
            first_ns: first,
            last_ns: first,
            packets: 0,
            octets: 0,
            flags: 0,
            tos: f.tos,
            reset,
        };
        for fr in mine {
            tr.last_ns = fr.ns;
            tr.packets += 1;
            tr.octets += fragment_len(f.v6, fr.ip_len, fr.frag) as u64;
            tr.flags |= fr.flags;
        }
        truths.push(tr);
    }
    let tcp_seq = [x.next_u64() as u32, x.next_u64() as u32];
    let ip_id = [x.next_u64() as u32, x.next_u64() as u32];
    Conn {
        v6: f.v6,
        addr: [client, server],
        port: [cport, sport],
        proto: f.proto,
        tos: f.tos,
        icmp: f.icmp,
        vlan,
        inner_vlan,
        flow_label: f.flow_label,
        frames,
        next: 0,
        tcp_seq,
        ip_id,
        held: Vec::new(),
    }
}

/// Octets of the transport segment the first fragment carries: half of it, in 8-octet
/// units.
fn first_piece(segment: u16) -> u16 {
    (segment / 2) & !7
}

/// The IP total length of a frame (IPv6: 40 + payload length, the Fragment header in it).
fn fragment_len(v6: bool, ip_len: u16, frag: u8) -> u16 {
    let ip = ip_header_len(v6);
    let segment = ip_len - ip;
    let extra = if v6 { 8 } else { 0 };
    match frag {
        0 => ip_len,
        1 => ip + extra + first_piece(segment),
        _ => ip + extra + segment - first_piece(segment),
    }
}

fn other<E: std::fmt::Display>(e: E) -> io::Error {
    io::Error::other(e.to_string())
}

/// A locally administered MAC for a host address.
fn mac(a: &[u8; 16]) -> [u8; 6] {
    [0x02, 0x00, a[12], a[13], a[14], a[15]]
}

impl Conn {
    /// Frame `at` of the schedule, into `out` (cleared first).
    fn build(&mut self, at: usize, out: &mut Vec<u8>) -> io::Result<()> {
        let fr = self.frames[at];
        let d = fr.dir as usize;
        let (src, dst) = (self.addr[d], self.addr[1 - d]);
        out.clear();
        let ip_type = EtherType(if self.v6 { 0x86dd } else { 0x0800 });
        let tag = |id: u16, ether_type| -> io::Result<SingleVlanHeader> {
            Ok(SingleVlanHeader {
                pcp: VlanPcp::ZERO,
                drop_eligible_indicator: false,
                vlan_id: VlanId::try_new(id).map_err(other)?,
                ether_type,
            })
        };
        let first_type = match (self.vlan, self.inner_vlan) {
            (0, _) => ip_type,
            (_, 0) => EtherType(0x8100),
            _ => EtherType(0x88a8),
        };
        Ethernet2Header {
            source: mac(&src),
            destination: mac(&dst),
            ether_type: first_type,
        }
        .write(out)?;
        match (self.vlan, self.inner_vlan) {
            (0, _) => {}
            (v, 0) => tag(v, ip_type)?.write(out)?,
            (v, i) => {
                tag(v, EtherType(0x8100))?.write(out)?;
                tag(i, ip_type)?.write(out)?;
            }
        }
        let ip = ip_header_len(self.v6);
        // The transport segment (all of it for a whole packet or the first fragment).
        let mut segment = std::mem::take(&mut self.held);
        if fr.frag < 2 {
            segment.clear();
            self.segment(&fr, &mut segment)?;
        }
        let whole = fr.ip_len - ip;
        let cut = first_piece(whole) as usize;
        let piece = match fr.frag {
            0 => &segment[..],
            1 => &segment[..cut],
            _ => &segment[..],
        };
        let offset = if fr.frag == 2 { cut as u16 } else { 0 };
        let id = self.ip_id[d];
        let proto = IpNumber(self.proto);
        if self.v6 {
            let frag_len = if fr.frag > 0 { 8 } else { 0 };
            Ipv6Header {
                traffic_class: self.tos,
                flow_label: Ipv6FlowLabel::try_new(
                    (self.flow_label ^ if d == 1 { 0x5_a5a5 } else { 0 }) & 0xf_ffff,
                )
                .map_err(other)?,
                payload_length: (piece.len() + frag_len) as u16,
                next_header: if fr.frag > 0 {
                    IpNumber::IPV6_FRAGMENTATION_HEADER
                } else {
                    proto
                },
                hop_limit: if d == 0 { 64 } else { 57 },
                source: src,
                destination: dst,
            }
            .write(out)?;
            if fr.frag > 0 {
                Ipv6FragmentHeader::new(
                    proto,
                    IpFragOffset::try_new(offset / 8).map_err(other)?,
                    fr.frag == 1,
                    id,
                )
                .write(out)?;
            }
        } else {
            let mut h = Ipv4Header::new(
                piece.len() as u16,
                if d == 0 { 64 } else { 57 },
                proto,
                v4(&src),
                v4(&dst),
            )
            .map_err(other)?;
            h.dscp = etherparse::IpDscp::try_new(self.tos >> 2).map_err(other)?;
            h.ecn = etherparse::IpEcn::try_new(self.tos & 3).map_err(other)?;
            h.identification = id as u16;
            h.dont_fragment = false;
            h.more_fragments = fr.frag == 1;
            h.fragment_offset = IpFragOffset::try_new(offset / 8).map_err(other)?;
            h.write(out)?;
        }
        out.extend_from_slice(piece);
        match fr.frag {
            1 => {
                segment.drain(..cut);
                self.held = segment;
            }
            _ => {
                self.ip_id[d] = self.ip_id[d].wrapping_add(1);
                self.held = segment;
                self.held.clear();
            }
        }
        Ok(())
    }

    /// The whole transport segment (header, zeros for data) of a packet, checksummed, into
    /// `out`; advances the TCP sequence numbers.
    fn segment(&mut self, fr: &Frame, out: &mut Vec<u8>) -> io::Result<()> {
        let d = fr.dir as usize;
        let (src, dst) = (self.addr[d], self.addr[1 - d]);
        let ip = ip_header_len(self.v6);
        let len = (fr.ip_len - ip) as usize;
        match self.proto {
            6 => {
                let payload = vec![0u8; len - 20];
                let mut h = TcpHeader::new(self.port[d], self.port[1 - d], self.tcp_seq[d], 64240);
                h.syn = fr.flags & SYN != 0;
                h.fin = fr.flags & FIN != 0;
                h.rst = fr.flags & RST != 0;
                h.psh = fr.flags & PSH != 0;
                h.ack = fr.flags & ACK != 0;
                if h.ack {
                    h.acknowledgment_number = self.tcp_seq[1 - d];
                }
                h.checksum = if self.v6 {
                    h.calc_checksum_ipv6_raw(src, dst, &payload)
                } else {
                    h.calc_checksum_ipv4_raw(v4(&src), v4(&dst), &payload)
                }
                .map_err(other)?;
                let used = payload.len() as u32 + h.syn as u32 + h.fin as u32;
                self.tcp_seq[d] = self.tcp_seq[d].wrapping_add(used);
                h.write(out)?;
                out.extend_from_slice(&payload);
            }
            17 => {
                let payload = vec![0u8; len - 8];
                udp(
                    self.v6,
                    src,
                    dst,
                    self.port[d],
                    self.port[1 - d],
                    &payload,
                    out,
                )?;
            }
            _ => {
                let echo = IcmpEchoHeader {
                    id: self.port[0] ^ self.port[1],
                    seq: fr.seq,
                };
                let mut payload = Vec::with_capacity(len - 8);
                let (t, c) = ((self.icmp >> 8) as u8, self.icmp as u8);
                let is_echo = matches!(t, 8 | 128);
                if !is_echo {
                    // An error quotes the packet that caused it: here a UDP datagram from the
                    // other host.
                    invoking(self.v6, dst, src, len - 8, &mut payload)?;
                } else {
                    payload.resize(len - 8, 0);
                }
                if self.v6 {
                    let ty = match (is_echo, d) {
                        (true, 0) => Icmpv6Type::EchoRequest(echo),
                        (true, _) => Icmpv6Type::EchoReply(echo),
                        _ => Icmpv6Type::Unknown {
                            type_u8: t,
                            code_u8: c,
                            bytes5to8: [0; 4],
                        },
                    };
                    Icmpv6Header::with_checksum(ty, src, dst, &payload)
                        .map_err(other)?
                        .write(out)?;
                } else {
                    let ty = match (is_echo, d) {
                        (true, 0) => Icmpv4Type::EchoRequest(echo),
                        (true, _) => Icmpv4Type::EchoReply(echo),
                        _ => Icmpv4Type::Unknown {
                            type_u8: t,
                            code_u8: c,
                            bytes5to8: [0; 4],
                        },
                    };
                    Icmpv4Header::with_checksum(ty, &payload).write(out)?;
                }
                out.extend_from_slice(&payload);
            }
        }
        Ok(())
    }
}

fn v4(a: &[u8; 16]) -> [u8; 4] {
    [a[12], a[13], a[14], a[15]]
}

/// A UDP header and payload, checksummed, into `out`.
fn udp(
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    sport: u16,
    dport: u16,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let h = if v6 {
        let ip = Ipv6Header {
            source: src,
            destination: dst,
            next_header: IpNumber::UDP,
            ..Default::default()
        };
        UdpHeader::with_ipv6_checksum(sport, dport, &ip, payload)
    } else {
        let ip = Ipv4Header::new(0, 64, IpNumber::UDP, v4(&src), v4(&dst)).map_err(other)?;
        UdpHeader::with_ipv4_checksum(sport, dport, &ip, payload)
    }
    .map_err(other)?;
    h.write(out)?;
    out.extend_from_slice(payload);
    Ok(())
}

/// The packet an ICMP error quotes: `len` octets of an IP header and a UDP datagram from
/// `src` to `dst`.
fn invoking(
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    len: usize,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let ip = ip_header_len(v6) as usize;
    let payload = vec![0u8; len - ip - 8];
    let mut seg = Vec::with_capacity(len - ip);
    udp(v6, src, dst, 33434, 33435, &payload, &mut seg)?;
    if v6 {
        Ipv6Header {
            traffic_class: 0,
            flow_label: Default::default(),
            payload_length: seg.len() as u16,
            next_header: IpNumber::UDP,
            hop_limit: 64,
            source: src,
            destination: dst,
        }
        .write(out)?;
    } else {
        let mut h = Ipv4Header::new(seg.len() as u16, 64, IpNumber::UDP, v4(&src), v4(&dst))
            .map_err(other)?;
        h.dont_fragment = false;
        h.write(out)?;
    }
    out.extend_from_slice(&seg);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_split_the_segment_in_8_octet_units() {
        // IPv4, 1000 octets: a 980-octet segment cut at 488.
        assert_eq!(fragment_len(false, 1000, 1), 20 + 488);
        assert_eq!(fragment_len(false, 1000, 2), 20 + 492);
        // IPv6: each fragment has its own 8-octet Fragment header.
        assert_eq!(fragment_len(true, 1000, 1), 48 + 480);
        assert_eq!(fragment_len(true, 1000, 2), 48 + 480);
        assert_eq!(fragment_len(true, 1000, 0), 1000);
    }

    #[test]
    fn both_templates_have_the_same_shape() {
        let [v4, v6] = truth_templates();
        assert_eq!(v4.fields.len(), v6.fields.len());
        let ids = |t: &TemplateDef| t.fields.iter().map(|f| f.id).collect::<Vec<_>>();
        assert_eq!(ids(&v4)[..2], [152, 153]);
        assert_eq!(ids(&v6)[2..4], [27, 28]);
    }

    #[test]
    fn a_small_run_is_deterministic() {
        let o = Opts {
            flows: 300,
            seed: 5,
            start_ms: 1_700_000_000_000,
            rate: 50.0,
            v6: false,
            message_size: 1400,
        };
        let run = || {
            let (mut pcap, mut truth) = (Vec::new(), Vec::new());
            let n = generate(&o, &mut pcap, Some(&mut truth)).unwrap();
            (pcap, truth, n.flows, n.packets)
        };
        let (a, b) = (run(), run());
        assert!(a == b);
        assert!(a.2 > 300 && a.3 > a.2, "{} flows, {} packets", a.2, a.3);
    }
}
