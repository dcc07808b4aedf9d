//! Every field of every layer, every truncation length of one packet, and arbitrary bytes on
//! every link type. Packets are built by hand (so the bytes are the test's, not etherparse's),
//! and a few with etherparse's PacketBuilder.

use super::*;
use etherparse::{
    IpDscp, IpEcn, IpHeaders, Ipv4Extensions, Ipv4Header, PacketBuilder, ip_number as ipn,
};
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

/// [`super::parse`] with the header offsets cleared: the tables below give every other field;
/// `header_offsets` tests these.
fn parse(link: Link, bytes: &[u8]) -> Packet {
    let mut p = super::parse(link, bytes);
    p.ip_at = None;
    p.transport_at = None;
    p
}

#[test]
fn header_offsets() {
    let (bytes, _) = tcp_frame();
    let p = super::parse(Link::Ethernet, &bytes);
    assert_eq!((p.ip_at, p.transport_at), (Some(14), Some(34)));
    let p = super::parse(Link::Ip, &bytes[14..]);
    assert_eq!((p.ip_at, p.transport_at), (Some(0), Some(20)));
}

const SRC_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const DST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
const V4_SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const V4_DST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 2);
const V6_SRC: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const V6_DST: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn eth(ether_type: u16) -> Vec<u8> {
    cat(&[&DST_MAC, &SRC_MAC, &ether_type.to_be_bytes()])
}

/// A VLAN tag with priority 5, then the next ether type.
fn vlan(id: u16, ether_type: u16) -> Vec<u8> {
    cat(&[&(5 << 13 | id).to_be_bytes(), &ether_type.to_be_bytes()])
}

/// An IPv4 header: TOS 0x2d, TTL 64, V4_SRC to V4_DST; `frag` is the flags and offset word.
fn ipv4(proto: u8, payload_len: u16, id: u16, frag: u16) -> Vec<u8> {
    let total = 20 + payload_len;
    cat(&[
        &[0x45, 0x2d],
        &total.to_be_bytes(),
        &id.to_be_bytes(),
        &frag.to_be_bytes(),
        &[64, proto, 0, 0],
        &V4_SRC.octets(),
        &V4_DST.octets(),
    ])
}

/// An IPv6 header: traffic class 0xb8, flow label 0x12345, hop limit 255, V6_SRC to V6_DST.
fn ipv6(next: u8, payload_len: u16) -> Vec<u8> {
    cat(&[
        &0x6b81_2345u32.to_be_bytes(),
        &payload_len.to_be_bytes(),
        &[next, 255],
        &V6_SRC.octets(),
        &V6_DST.octets(),
    ])
}

fn udp(src: u16, dst: u16, payload_len: u16) -> Vec<u8> {
    cat(&[
        &src.to_be_bytes(),
        &dst.to_be_bytes(),
        &(8 + payload_len).to_be_bytes(),
        &[0, 0],
    ])
}

/// A TCP header of 20 octets with these flags (the low 9 bits of octets 12-13).
fn tcp(src: u16, dst: u16, flags: u16) -> Vec<u8> {
    cat(&[
        &src.to_be_bytes(),
        &dst.to_be_bytes(),
        &[0, 0, 0, 1, 0, 0, 0, 0],
        &(5 << 12 | flags).to_be_bytes(),
        &[0x10, 0, 0, 0, 0, 0],
    ])
}

fn ether() -> Packet {
    Packet {
        src_mac: Some(SRC_MAC),
        dst_mac: Some(DST_MAC),
        ..Packet::default()
    }
}

/// The fields of `ipv4(proto, payload_len, id, frag)` on top of `base`.
fn v4_fields(base: Packet, proto: u8, payload_len: u16, id: u16, frag: u16) -> Packet {
    Packet {
        ip_version: Some(4),
        src_ip: Some(V4_SRC.into()),
        dst_ip: Some(V4_DST.into()),
        protocol: Some(proto),
        ttl: Some(64),
        tos: Some(0x2d),
        ip_total_len: Some(20 + u32::from(payload_len)),
        fragment_id: Some(u32::from(id)),
        fragment_offset: Some(frag & 0x1fff),
        fragment_flags: Some(((frag >> 8) & 0x60) as u8),
        non_first_fragment: frag & 0x1fff != 0,
        ..base
    }
}

fn v6_fields(base: Packet, proto: u8, payload_len: u16) -> Packet {
    Packet {
        ip_version: Some(6),
        src_ip: Some(V6_SRC.into()),
        dst_ip: Some(V6_DST.into()),
        protocol: Some(proto),
        ttl: Some(255),
        tos: Some(0xb8),
        flow_label: Some(0x12345),
        ip_total_len: Some(40 + u32::from(payload_len)),
        ..base
    }
}

/// Ethernet, IPv4 (DF, ID 0x1234) and TCP (SYN ACK PSH NS) with 10 octets of payload,
/// built by etherparse; and what parse makes of it.
fn tcp_frame() -> (Vec<u8>, Packet) {
    let mut ip = Ipv4Header::new(0, 63, ipn::TCP, V4_SRC.octets(), V4_DST.octets()).unwrap();
    ip.dscp = IpDscp::try_new(46).unwrap();
    ip.ecn = IpEcn::try_new(1).unwrap();
    ip.identification = 0x1234;
    let builder = PacketBuilder::ethernet2(SRC_MAC, DST_MAC)
        .ip(IpHeaders::Ipv4(ip, Ipv4Extensions::default()))
        .tcp(40000, 443, 7, 1024)
        .syn()
        .ack(9)
        .psh()
        .ns();
    let mut bytes = Vec::new();
    builder.write(&mut bytes, &[0xaa; 10]).unwrap();
    let want = Packet {
        ether_type: Some(0x0800),
        ip_version: Some(4),
        src_ip: Some(V4_SRC.into()),
        dst_ip: Some(V4_DST.into()),
        protocol: Some(6),
        ttl: Some(63),
        tos: Some(46 << 2 | 1),
        ip_total_len: Some(50),
        fragment_id: Some(0x1234),
        fragment_offset: Some(0),
        fragment_flags: Some(0x40),
        src_port: Some(40000),
        dst_port: Some(443),
        tcp_flags: Some(0x02 | 0x10 | 0x08 | 0x100),
        parsed: 54,
        ..ether()
    };
    (bytes, want)
}

#[test]
fn ethernet_ipv4_tcp() {
    let (bytes, want) = tcp_frame();
    assert_eq!(bytes.len(), 64);
    assert_eq!(parse(Link::Ethernet, &bytes), want);
}

#[test]
fn raw_ipv4_is_the_frame_without_ethernet() {
    let (bytes, want) = tcp_frame();
    let got = parse(Link::Ip, &bytes[14..]);
    let want = Packet {
        src_mac: None,
        dst_mac: None,
        ether_type: None,
        parsed: 40,
        ..want
    };
    assert_eq!(got, want);
}

#[test]
fn raw_ipv6_tcp() {
    let bytes = cat(&[&ipv6(6, 20), &tcp(1, 2, 0x11)]);
    let want = Packet {
        src_port: Some(1),
        dst_port: Some(2),
        tcp_flags: Some(0x11),
        parsed: 60,
        ..v6_fields(Packet::default(), 6, 20)
    };
    assert_eq!(parse(Link::Ip, &bytes), want);
}

/// Hop-by-hop (8 octets of PadN) then a fragment header (ID 0xdeadbeef, `frag` its offset
/// and flags word), then `rest`, all in Ethernet and one 802.1Q tag (VLAN 100).
fn vlan_ipv6_fragment(frag: u16, next: u8, rest: &[u8]) -> Vec<u8> {
    let payload_len = 16 + rest.len() as u16;
    cat(&[
        &eth(0x8100),
        &vlan(100, 0x86dd),
        &ipv6(0, payload_len),
        &[44, 0, 1, 4, 0, 0, 0, 0],
        &[next, 0],
        &frag.to_be_bytes(),
        &0xdead_beefu32.to_be_bytes(),
        rest,
    ])
}

#[test]
fn vlan_ipv6_hop_by_hop_fragment_udp() {
    let rest = cat(&[&udp(5353, 53, 4), &[1, 2, 3, 4]]);
    let bytes = vlan_ipv6_fragment(0x0001, 17, &rest);
    let want = Packet {
        ether_type: Some(0x86dd),
        vlan_outer: Some(100),
        fragment_id: Some(0xdead_beef),
        fragment_offset: Some(0),
        fragment_flags: Some(0x20),
        src_port: Some(5353),
        dst_port: Some(53),
        parsed: 14 + 4 + 40 + 8 + 8 + 8,
        ..v6_fields(ether(), 17, 28)
    };
    assert_eq!(parse(Link::Ethernet, &bytes), want);
}

#[test]
fn ipv6_non_first_fragment() {
    // Offset 185 (1480 octets), more fragments; the data looks like a UDP header but is not one.
    let bytes = vlan_ipv6_fragment(185 << 3 | 1, 17, &udp(1, 2, 0));
    let want = Packet {
        ether_type: Some(0x86dd),
        vlan_outer: Some(100),
        fragment_id: Some(0xdead_beef),
        fragment_offset: Some(185),
        fragment_flags: Some(0x20),
        non_first_fragment: true,
        parsed: 14 + 4 + 40 + 8 + 8,
        ..v6_fields(ether(), 17, 24)
    };
    assert_eq!(parse(Link::Ethernet, &bytes), want);
    // The last fragment, whose fragmentable part began with destination options: its data
    // (here 4 octets, a cut extension header if read as one) is not read.
    let bytes = vlan_ipv6_fragment(185 << 3, 60, &[6, 200, 0, 0]);
    let got = parse(Link::Ethernet, &bytes);
    assert_eq!(
        (got.protocol, got.fragment_flags, got.truncated),
        (Some(60), Some(0), false)
    );
    assert_eq!((got.non_first_fragment, got.parsed), (true, 74));
}

#[test]
fn qinq() {
    let bytes = cat(&[
        &eth(0x88a8),
        &vlan(200, 0x8100),
        &vlan(300, 0x0800),
        &ipv4(17, 8, 7, 0),
        &udp(123, 123, 0),
    ]);
    let want = Packet {
        ether_type: Some(0x0800),
        vlan_outer: Some(200),
        vlan_inner: Some(300),
        src_port: Some(123),
        dst_port: Some(123),
        parsed: 14 + 8 + 20 + 8,
        ..v4_fields(ether(), 17, 8, 7, 0)
    };
    assert_eq!(parse(Link::Ethernet, &bytes), want);
}

#[test]
fn icmpv4_type_and_code() {
    let builder = PacketBuilder::ethernet2(SRC_MAC, DST_MAC)
        .ipv4(V4_SRC.octets(), V4_DST.octets(), 20)
        .icmpv4_raw(3, 1, [0; 4]);
    let mut bytes = Vec::new();
    builder.write(&mut bytes, &[0; 28]).unwrap();
    let got = parse(Link::Ethernet, &bytes);
    assert_eq!(
        (got.protocol, got.icmp_type, got.icmp_code),
        (Some(1), Some(3), Some(1))
    );
    assert_eq!(
        (got.src_port, got.dst_port, got.tcp_flags),
        (None, None, None)
    );
    assert_eq!(
        (got.parsed, got.truncated, got.malformed),
        (14 + 20 + 8, false, false)
    );
    // Cut after the type and code: they are still read.
    let got = parse(Link::Ethernet, &bytes[..14 + 20 + 2]);
    assert_eq!(
        (got.icmp_type, got.icmp_code, got.truncated),
        (Some(3), Some(1), true)
    );
    assert_eq!(got.parsed, 34);
}

#[test]
fn icmpv6_type_and_code() {
    let builder =
        PacketBuilder::ipv6(V6_SRC.octets(), V6_DST.octets(), 64).icmpv6_raw(1, 4, [0; 4]);
    let mut bytes = Vec::new();
    builder.write(&mut bytes, &[]).unwrap();
    let got = parse(Link::Ip, &bytes);
    assert_eq!((got.ip_version, got.protocol), (Some(6), Some(58)));
    assert_eq!(
        (got.icmp_type, got.icmp_code, got.src_port),
        (Some(1), Some(4), None)
    );
    assert_eq!(
        (got.ip_total_len, got.parsed, got.truncated),
        (Some(48), 48, false)
    );
}

#[test]
fn ipv4_non_first_fragment_has_no_ports() {
    // Offset 100 (800 octets), more fragments; its data looks like a TCP header but is not one.
    let frag = 0x2000 | 100;
    let bytes = cat(&[&eth(0x0800), &ipv4(6, 20, 0x4242, frag), &tcp(1, 2, 0x02)]);
    let want = Packet {
        ether_type: Some(0x0800),
        parsed: 34,
        ..v4_fields(ether(), 6, 20, 0x4242, frag)
    };
    assert!(want.non_first_fragment);
    assert_eq!(want.fragment_flags, Some(0x20));
    assert_eq!(parse(Link::Ethernet, &bytes), want);
}

#[test]
fn ipv4_first_fragment_has_ports() {
    // etherparse alone skips the transport header of every fragment.
    let bytes = cat(&[
        &eth(0x0800),
        &ipv4(6, 28, 9, 0x2000),
        &tcp(1, 2, 0x02),
        &[0; 8],
    ]);
    let want = Packet {
        ether_type: Some(0x0800),
        src_port: Some(1),
        dst_port: Some(2),
        tcp_flags: Some(0x02),
        parsed: 54,
        ..v4_fields(ether(), 6, 28, 9, 0x2000)
    };
    assert_eq!(parse(Link::Ethernet, &bytes), want);
}

/// The TCP frame cut at every length: what each prefix yields.
#[test]
fn every_truncation_of_a_tcp_frame() {
    let (bytes, full) = tcp_frame();
    let link = Packet {
        src_mac: full.src_mac,
        dst_mac: full.dst_mac,
        ether_type: full.ether_type,
        parsed: 14,
        truncated: true,
        ..Packet::default()
    };
    let ip = Packet {
        src_mac: full.src_mac,
        dst_mac: full.dst_mac,
        src_port: None,
        dst_port: None,
        tcp_flags: None,
        parsed: 34,
        truncated: true,
        ..full
    };
    for len in 0..=bytes.len() {
        let want = match len {
            0..14 => Packet {
                truncated: true,
                ..Packet::default()
            },
            14..34 => link,
            34..38 => ip,
            38..48 => Packet {
                src_port: full.src_port,
                dst_port: full.dst_port,
                ..ip
            },
            48..54 => Packet {
                src_port: full.src_port,
                dst_port: full.dst_port,
                tcp_flags: full.tcp_flags,
                ..ip
            },
            _ => full,
        };
        assert_eq!(
            parse(Link::Ethernet, &bytes[..len]),
            want,
            "cut to {len} octets"
        );
    }
}

#[test]
fn cut_in_the_middle_of_the_tcp_header() {
    let (bytes, _) = tcp_frame();
    let got = parse(Link::Ethernet, &bytes[..14 + 20 + 10]);
    assert_eq!(
        (got.src_ip, got.ttl, got.ip_total_len),
        (Some(V4_SRC.into()), Some(63), Some(50))
    );
    assert_eq!(
        (got.src_port, got.dst_port, got.tcp_flags),
        (Some(40000), Some(443), None)
    );
    assert_eq!((got.parsed, got.truncated), (34, true));
}

#[test]
fn tcp_header_cut_in_its_options() {
    // Data offset 8: 12 octets of options, of which 4 are there.
    let mut header = tcp(80, 8080, 0x12);
    header[12] = 8 << 4;
    let bytes = cat(&[&ipv4(6, 32, 0, 0), &header, &[1, 1, 1, 1]]);
    let got = parse(Link::Ip, &bytes);
    assert_eq!(
        (got.src_port, got.dst_port, got.tcp_flags),
        (Some(80), Some(8080), Some(0x12))
    );
    assert_eq!(
        (got.parsed, got.truncated, got.malformed),
        (20, true, false)
    );
}

#[test]
fn tcp_data_offset_below_five_is_malformed() {
    let mut header = tcp(80, 8080, 0x12);
    header[12] = 4 << 4;
    let got = parse(Link::Ip, &cat(&[&ipv4(6, 20, 0, 0), &header]));
    assert_eq!(
        (got.protocol, got.src_port, got.malformed, got.parsed),
        (Some(6), None, true, 20)
    );
}

#[test]
fn fourteen_octets_and_none() {
    let (bytes, _) = tcp_frame();
    let got = parse(Link::Ethernet, &bytes[..14]);
    assert_eq!(
        (got.src_mac, got.dst_mac, got.ether_type),
        (Some(SRC_MAC), Some(DST_MAC), Some(0x0800))
    );
    assert_eq!(
        (got.ip_version, got.parsed, got.truncated),
        (None, 14, true)
    );
    for link in [
        Link::Ethernet,
        Link::Ip,
        Link::LinuxSll,
        Link::LinuxSll2,
        Link::Null,
    ] {
        let want = Packet {
            truncated: true,
            ..Packet::default()
        };
        assert_eq!(parse(link, &[]), want, "{link:?}");
    }
}

#[test]
fn garbage() {
    // Version 15.
    let got = parse(Link::Ip, &[0xff; 40]);
    let want = Packet {
        malformed: true,
        ..Packet::default()
    };
    assert_eq!(got, want);
    // IPv4 with a header length of 12 octets, in Ethernet.
    let got = parse(Link::Ethernet, &cat(&[&eth(0x0800), &[0x43; 40]]));
    let want = Packet {
        ether_type: Some(0x0800),
        parsed: 14,
        malformed: true,
        ..ether()
    };
    assert_eq!(got, want);
    // An ether type nobody knows, and an 802.3 length: the Ethernet header only, not flagged.
    for (ether_type, want) in [(0x9999, Some(0x9999)), (0x0040, None)] {
        let got = parse(Link::Ethernet, &cat(&[&eth(ether_type), &[0xff; 40]]));
        let want = Packet {
            ether_type: want,
            parsed: 14,
            ..ether()
        };
        assert_eq!(got, want);
    }
}

#[test]
fn arp_fills_ethernet_only() {
    let arp = cat(&[
        &[0, 1, 8, 0, 6, 4, 0, 1],
        &SRC_MAC,
        &V4_SRC.octets(),
        &[0; 6],
        &V4_DST.octets(),
    ]);
    let want = Packet {
        ether_type: Some(0x0806),
        parsed: 14,
        ..ether()
    };
    assert_eq!(parse(Link::Ethernet, &cat(&[&eth(0x0806), &arp])), want);
    // ARP is not read, so a cut one is not flagged.
    assert_eq!(
        parse(Link::Ethernet, &cat(&[&eth(0x0806), &arp[..10]])),
        want
    );
}

#[test]
fn mpls_label_stack() {
    // Label 1000 (EXP 0, TTL 64), then label 2000 at the bottom of the stack.
    let labels = cat(&[
        &(1000u32 << 12 | 64).to_be_bytes(),
        &(2000u32 << 12 | 0x100 | 64).to_be_bytes(),
    ]);
    let bytes = cat(&[
        &eth(0x8847),
        &labels,
        &ipv4(17, 8, 1, 0x4000),
        &udp(4789, 4789, 0),
    ]);
    let want = Packet {
        ether_type: Some(0x8847),
        mpls_label: Some(1000),
        src_port: Some(4789),
        dst_port: Some(4789),
        parsed: 14 + 8 + 20 + 8,
        ..v4_fields(ether(), 17, 8, 1, 0x4000)
    };
    assert_eq!(parse(Link::Ethernet, &bytes), want);
    let cut = parse(Link::Ethernet, &bytes[..14 + 6]);
    assert_eq!(
        (cut.mpls_label, cut.ip_version, cut.parsed, cut.truncated),
        (Some(1000), None, 14, true)
    );
    // A pseudowire control word (first nibble 0) under the stack: not read, not flagged.
    let pw = parse(
        Link::Ethernet,
        &cat(&[&eth(0x8847), &labels, &[0; 4], &eth(0x0800)]),
    );
    assert_eq!(
        (pw.mpls_label, pw.ip_version, pw.parsed, pw.truncated),
        (Some(1000), None, 22, false)
    );
}

#[test]
fn sctp_ports() {
    let common = cat(&[&3868u16.to_be_bytes(), &3869u16.to_be_bytes(), &[0; 8]]);
    let got = parse(Link::Ip, &cat(&[&ipv4(132, 12, 0, 0), &common]));
    assert_eq!(
        (got.protocol, got.src_port, got.dst_port),
        (Some(132), Some(3868), Some(3869))
    );
    assert_eq!((got.parsed, got.truncated), (32, false));
    let got = parse(Link::Ip, &cat(&[&ipv4(132, 12, 0, 0), &common[..6]]));
    assert_eq!(
        (got.src_port, got.parsed, got.truncated),
        (Some(3868), 20, true)
    );
}

/// A Linux cooked v1 header: packet type 0, this ARPHRD type, the sender's 6-octet address.
fn sll(hatype: u16, protocol: u16) -> Vec<u8> {
    cat(&[
        &[0, 0],
        &hatype.to_be_bytes(),
        &[0, 6],
        &SRC_MAC,
        &[0, 0],
        &protocol.to_be_bytes(),
    ])
}

#[test]
fn linux_sll() {
    let bytes = cat(&[&sll(1, 0x0800), &ipv4(17, 8, 3, 0), &udp(68, 67, 0)]);
    let want = Packet {
        src_mac: Some(SRC_MAC),
        ether_type: Some(0x0800),
        src_port: Some(68),
        dst_port: Some(67),
        parsed: 16 + 20 + 8,
        ..v4_fields(Packet::default(), 17, 8, 3, 0)
    };
    assert_eq!(parse(Link::LinuxSll, &bytes), want);
    // Loopback (ARPHRD 772), which etherparse's SLL slice refuses: no MAC, the rest the same.
    let bytes = cat(&[&sll(772, 0x0800), &ipv4(17, 8, 3, 0), &udp(68, 67, 0)]);
    let want = Packet {
        src_mac: None,
        ..want
    };
    assert_eq!(parse(Link::LinuxSll, &bytes), want);
    // Netlink: the protocol is no ether type.
    let got = parse(
        Link::LinuxSll,
        &cat(&[&sll(824, 0x0800), &ipv4(17, 8, 3, 0)]),
    );
    assert_eq!(
        (got.ether_type, got.ip_version, got.parsed, got.truncated),
        (None, None, 16, false)
    );
    let got = parse(Link::LinuxSll, &sll(1, 0x0800)[..15]);
    assert_eq!((got.src_mac, got.parsed, got.truncated), (None, 0, true));
}

#[test]
fn linux_sll2() {
    let header = cat(&[
        &0x86ddu16.to_be_bytes(),
        &[0, 0],
        &3u32.to_be_bytes(),
        &1u16.to_be_bytes(),
        &[4, 6],
        &SRC_MAC,
        &[0, 0],
    ]);
    let bytes = cat(&[&header, &ipv6(17, 8), &udp(546, 547, 0)]);
    let want = Packet {
        src_mac: Some(SRC_MAC),
        ether_type: Some(0x86dd),
        src_port: Some(546),
        dst_port: Some(547),
        parsed: 20 + 40 + 8,
        ..v6_fields(Packet::default(), 17, 8)
    };
    assert_eq!(parse(Link::LinuxSll2, &bytes), want);
    let got = parse(Link::LinuxSll2, &bytes[..19]);
    assert_eq!((got.src_mac, got.truncated), (None, true));
}

#[test]
fn bsd_null() {
    let v4 = cat(&[&2u32.to_le_bytes(), &ipv4(17, 8, 5, 0), &udp(1, 2, 0)]);
    let want = Packet {
        src_port: Some(1),
        dst_port: Some(2),
        parsed: 4 + 20 + 8,
        ..v4_fields(Packet::default(), 17, 8, 5, 0)
    };
    assert_eq!(parse(Link::Null, &v4), want);
    // Darwin's AF_INET6 in network byte order, as LINKTYPE_LOOP has it.
    let v6 = cat(&[&30u32.to_be_bytes(), &ipv6(17, 8), &udp(1, 2, 0)]);
    let want = Packet {
        src_port: Some(1),
        dst_port: Some(2),
        parsed: 4 + 40 + 8,
        ..v6_fields(Packet::default(), 17, 8)
    };
    assert_eq!(parse(Link::Null, &v6), want);
    // Some other family (7, OSI): the header only.
    let got = parse(Link::Null, &cat(&[&7u32.to_le_bytes(), &ipv4(17, 8, 5, 0)]));
    assert_eq!(
        (got.ip_version, got.parsed, got.truncated),
        (None, 4, false)
    );
}

#[test]
fn pcap_link_types() {
    let types = [
        (0, Link::Null),
        (1, Link::Ethernet),
        (101, Link::Ip),
        (113, Link::LinuxSll),
    ];
    for (linktype, link) in types
        .into_iter()
        .chain([(276, Link::LinuxSll2), (229, Link::Ip)])
    {
        assert_eq!(Link::from_linktype(linktype), Some(link));
    }
    assert_eq!(Link::from_linktype(105), None);
}

fn any_link() -> impl Strategy<Value = Link> {
    prop_oneof![
        Just(Link::Ethernet),
        Just(Link::Ip),
        Just(Link::LinuxSll),
        Just(Link::LinuxSll2),
        Just(Link::Null),
    ]
}

/// What `parse` promises of any bytes.
/// A hop-by-hop header whose next header is a fragment header cut short: etherparse's own
/// extension iterator read the missing fragment header (a panic in debug builds, undefined
/// behaviour in release); the walk in `fragment_header` stops at the parsed octets.
#[test]
fn an_extension_chain_cut_before_its_fragment_header() {
    let hop_by_hop = [44, 0, 0, 0, 0, 0, 0, 0];
    let packet = cat(&[&ipv6(0, 11), &hop_by_hop, &[17, 0, 0]]);
    let p = parse(Link::Ip, &packet);
    check(&p, packet.len());
    assert_eq!(p.ip_version, Some(6));
    assert_eq!(p.fragment_id, None);
}

fn check(p: &Packet, len: usize) {
    assert!(p.parsed <= len);
    assert!(!(p.truncated && p.malformed));
    assert_eq!(p.ip_version.is_some(), p.src_ip.is_some());
    if p.non_first_fragment {
        assert_eq!((p.src_port, p.tcp_flags, p.icmp_type), (None, None, None));
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(link in any_link(), bytes in prop::collection::vec(any::<u8>(), 0..160)) {
        check(&parse(link, &bytes), bytes.len());
    }

    /// Arbitrary bytes behind a header that leads into the deeper layers.
    #[test]
    fn arbitrary_bytes_behind_a_known_header(
        lead in prop_oneof![
            Just(eth(0x0800)), Just(eth(0x86dd)), Just(eth(0x8100)), Just(eth(0x88a8)),
            Just(eth(0x8847)), Just(sll(1, 0x86dd)), Just(vec![0x45]), Just(vec![0x60]),
            Just(ipv6(0, 64)), Just(ipv6(44, 64)), Just(ipv4(6, 40, 0, 0)), Just(ipv4(17, 40, 0, 0)),
        ],
        bytes in prop::collection::vec(any::<u8>(), 0..120),
    ) {
        let packet = cat(&[&lead, &bytes]);
        let link = match lead.len() {
            14 => Link::Ethernet,
            16 => Link::LinuxSll,
            _ => Link::Ip,
        };
        check(&parse(link, &packet), packet.len());
    }
}
