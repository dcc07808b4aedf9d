//! Arbitrary bytes as packets: the packet parser (`packet::parse`) for every link type and
//! the flow cache (`meter::Meter`) fed with what it read, at increasing packet times, with
//! small timeouts and a small cache so idle, active, TCP-end and lack-of-resources ends,
//! biflows and the fragment table all run.
//!
//! The first input octet picks the options: bit 0 biflows, bits 1-2 the cache size (1, 2, 8
//! or 64 flows), bits 3-4 the idle and active timeouts (from 1 µs and 4 µs up to none). The
//! rest is read twice:
//! 1. whole, as one packet of each link type (Ethernet, IP, Linux SLL, SLL2, null), 1 µs
//!    apart;
//! 2. as a stream of packets `[h, n, n octets]`: `h % 6` picks the link (5: a link type not
//!    read), `h / 6` the time step (0 to 41, in 100 µs; 42: two seconds back), the next
//!    octet the packet's length.
//!
//! Findings: a panic, a timeout, memory; a `Packet` that breaks what `packet` documents (the
//! octets parsed within the bytes, an address of the other IP version, fields of a non-first
//! fragment's transport header, values wider than their fields); a cache over its size; a
//! flow ended with no packet, a reason outside 1..=5 or its end before its start; counters
//! that disagree (packets metered or skipped, flows ended, packets in the flows ended).

#![no_main]

use ipfixkit::meter::capture::Frame;
use ipfixkit::meter::{Meter, Opts, Stats};
use ipfixkit::packet::{self, Link, Packet};
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;

const LINKS: [Link; 5] = [
    Link::Ethernet,
    Link::Ip,
    Link::LinuxSll,
    Link::LinuxSll2,
    Link::Null,
];
/// pcap LINKTYPE values of `LINKS`, then one ipfixkit does not read (LINKTYPE_IEEE802_11).
const LINKTYPES: [u32; 6] = [1, 101, 113, 276, 0, 105];

fn check_packet(p: &Packet, bytes: &[u8]) {
    assert!(
        p.parsed <= bytes.len(),
        "parsed {} of {}",
        p.parsed,
        bytes.len()
    );
    match p.ip_version {
        Some(4) => {
            assert!(p.src_ip.is_none_or(|a| a.is_ipv4()), "{p:?}");
            assert!(p.dst_ip.is_none_or(|a| a.is_ipv4()), "{p:?}");
            assert!(p.flow_label.is_none(), "{p:?}");
        }
        Some(6) => {
            assert!(p.src_ip.is_none_or(|a| a.is_ipv6()), "{p:?}");
            assert!(p.dst_ip.is_none_or(|a| a.is_ipv6()), "{p:?}");
        }
        None => assert!(p.src_ip.is_none() && p.dst_ip.is_none(), "{p:?}"),
        Some(v) => panic!("IP version {v}: {p:?}"),
    }
    if p.non_first_fragment {
        assert!(
            p.src_port.is_none()
                && p.dst_port.is_none()
                && p.tcp_flags.is_none()
                && p.icmp_type.is_none()
                && p.icmp_code.is_none(),
            "a non-first fragment with transport fields: {p:?}"
        );
    }
    assert!(p.flow_label.is_none_or(|l| l < 1 << 20), "{p:?}");
    assert!(p.mpls_label.is_none_or(|l| l < 1 << 20), "{p:?}");
    assert!(p.vlan_outer.is_none_or(|v| v < 1 << 12), "{p:?}");
    assert!(p.vlan_inner.is_none_or(|v| v < 1 << 12), "{p:?}");
    assert!(p.vlan_inner.is_none() || p.vlan_outer.is_some(), "{p:?}");
    assert!(p.fragment_flags.is_none_or(|f| f & !0x60 == 0), "{p:?}");
    assert!(p.fragment_offset.is_none_or(|o| o < 1 << 13), "{p:?}");
    assert!(p.tcp_flags.is_none_or(|f| f < 1 << 9), "{p:?}");
    if let (Some(IpAddr::V4(_)), Some(len)) = (p.src_ip, p.ip_total_len) {
        assert!(len <= u16::MAX as u32, "{p:?}");
    }
    if let (Some(IpAddr::V6(_)), Some(len)) = (p.src_ip, p.ip_total_len) {
        assert!(len <= u16::MAX as u32 + 40, "{p:?}");
    }
}

/// Takes the flows ended so far and checks them; returns their packets (both directions).
fn drain(m: &mut Meter, max_flows: usize, flows: &mut u64) -> u64 {
    assert!(
        m.active() <= max_flows,
        "{} flows in a cache of {max_flows}",
        m.active()
    );
    let mut packets = 0;
    for f in m.take() {
        assert!((1..=5).contains(&f.end_reason), "{f:?}");
        assert!(f.fwd.packets > 0, "a flow with no packet: {f:?}");
        assert!(f.fwd.first_ns <= f.fwd.last_ns, "{f:?}");
        if f.rev.packets > 0 {
            assert!(f.rev.first_ns <= f.rev.last_ns, "{f:?}");
        } else {
            assert_eq!(f.rev.octets, 0, "{f:?}");
        }
        assert!(f.first_ns() <= f.last_ns(), "{f:?}");
        packets += f.fwd.packets + f.rev.packets;
        *flows += 1;
    }
    packets
}

fn check_stats(s: &Stats, frames: u64, flows: u64, in_flows: u64) {
    assert_eq!(s.packets, frames, "{s:?}");
    assert_eq!(s.metered + s.skipped(), frames, "{s:?}");
    assert_eq!(s.ended.iter().sum::<u64>(), flows, "{s:?}");
    assert_eq!(s.ended[0], 0, "{s:?}");
    assert_eq!(s.evicted, s.ended[5], "{s:?}");
    assert_eq!(
        in_flows, s.metered,
        "packets in the flows vs metered: {s:?}"
    );
    assert!(s.first_ns <= s.last_ns, "{s:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let max_flows = [1, 2, 8, 64][(mode >> 1 & 3) as usize];
    let (idle_ns, active_ns) = match mode >> 3 & 3 {
        0 => (1_000, 4_000),
        1 => (150_000, 1_000_000),
        2 => (15_000_000_000, 1_800_000_000_000),
        _ => (i64::MAX, i64::MAX),
    };
    let opts = Opts {
        idle_ns,
        active_ns,
        max_flows,
        biflow: mode & 1 != 0,
    };

    // 1. The whole input as one packet of each link type.
    let mut m = Meter::new(opts);
    let (mut flows, mut in_flows) = (0, 0);
    let mut ns = 1_700_000_000_000_000_000i64;
    for link in LINKS {
        let p = packet::parse(link, rest);
        check_packet(&p, rest);
        // What the meter counts is per frame; `packet` is the part after the link check.
        m.stats.packets += 1;
        m.packet(ns, &p);
        in_flows += drain(&mut m, max_flows, &mut flows);
        ns += 1_000;
    }
    m.finish();
    in_flows += drain(&mut m, max_flows, &mut flows);
    assert_eq!(m.active(), 0);
    check_stats(&m.stats, LINKS.len() as u64, flows, in_flows);

    // 2. The input as a stream of packets.
    let mut m = Meter::new(opts);
    let (mut flows, mut in_flows, mut frames) = (0, 0, 0);
    let mut at = 0;
    while at + 2 <= rest.len() {
        let (h, n) = (rest[at], rest[at + 1] as usize);
        let bytes = &rest[at + 2..(at + 2 + n).min(rest.len())];
        at += 2 + n;
        let step = (h / 6) as i64;
        ns = if step == 42 {
            ns.saturating_sub(2_000_000_000)
        } else {
            ns.saturating_add(step * 100_000)
        };
        let linktype = LINKTYPES[(h % 6) as usize];
        let link = Link::from_linktype(linktype);
        if let Some(l) = link {
            check_packet(&packet::parse(l, bytes), bytes);
        }
        m.frame(&Frame {
            ns,
            link,
            linktype,
            data: bytes,
            orig_len: bytes.len() as u32,
            at: 0,
        });
        frames += 1;
        in_flows += drain(&mut m, max_flows, &mut flows);
    }
    m.finish();
    in_flows += drain(&mut m, max_flows, &mut flows);
    assert_eq!(m.active(), 0);
    check_stats(&m.stats, frames, flows, in_flows);
});
