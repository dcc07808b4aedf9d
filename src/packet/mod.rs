//! Packet headers read into flow fields: the one packet-layer parser, for IPFIX records that
//! carry a sampled packet instead of flow keys (dataLinkFrameSection, IE 315: an Ethernet frame;
//! ipHeaderPacketSection, IE 313: from the IP header on) and for packets read from capture files.
//!
//! [`parse`] takes the link type and the captured octets and returns a [`Packet`], a plain `Copy`
//! struct of `Option`s: a field is `Some` exactly when its header was there to read it from. It
//! never panics and allocates nothing, whatever the bytes. Lengths are the wire's (the IPv4 total
//! length field, the IPv6 payload length plus 40), not the octets captured: a sampled section is
//! usually cut to some 128 octets, so the payload, and sometimes a header, ends early.
//! [`Packet::truncated`] says a header was cut short; [`Packet::parsed`] says where the headers
//! that were read whole end.
//!
//! The layers are sliced by the `etherparse` crate, with its lax API (which reads as far as the
//! bytes go and says why it stopped): Ethernet II, 802.1Q/802.1ad VLAN tags (up to three tags
//! or MACsec headers), IPv4 and its authentication header, IPv6 and its extension headers
//! (hop-by-hop, routing, destination options, fragment, authentication), TCP, UDP, ICMP, ICMPv6.
//! A few things are done by hand here because etherparse 0.21 does not do them:
//! - the Linux cooked headers: SLL2 is not in etherparse, and its SLL slice refuses ARPHRD types
//!   other than five, which would lose the loopback and tunnel packets of a Linux "any" capture;
//!   both are fixed layouts of a few fields, read here;
//! - the BSD null/loopback header (a 4-octet address family in the capturing host's byte order);
//! - the MPLS label stack (etherparse stops at its ether type): the top label is kept, and an IPv4
//!   or IPv6 packet under the bottom of the stack is read (told by its version nibble);
//! - SCTP's ports (the first 4 octets of its 12-octet common header);
//! - a transport header cut short: etherparse then returns nothing, but its first fields are still
//!   useful flow keys, so the ports (first 4 octets of TCP, UDP and SCTP), TCP's flags (octets
//!   12-13) and the ICMP type and code (first 2 octets) are read when the bytes reach them;
//! - fragments: etherparse skips the transport header of every fragment, the first included, and
//!   reads on past the fragment header of a non-first one; here the first fragment's transport
//!   header is read, and a non-first fragment stops at its fragment header (its protocol is that
//!   header's next header, its ports are not in this packet).

pub mod record;
#[cfg(test)]
mod tests;

use etherparse::err::{Layer, LenError, ip::LaxHeaderSliceError, packet::SliceError, tcp};
use etherparse::{
    EtherType, Icmpv4Slice, Icmpv6Slice, IpNumber, LaxIpv4Slice, LaxIpv6Slice, LaxLinkExtSlice,
    LaxNetSlice, LaxSlicedPacket, LinkSlice, TcpSlice, UdpSlice, ip_number,
};
use std::net::IpAddr;

/// What the captured octets start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Link {
    /// An Ethernet II header (no frame check sequence at the end): pcap LINKTYPE_ETHERNET (1),
    /// IPFIX dataLinkFrameSection.
    Ethernet,
    /// An IPv4 or IPv6 header, told apart by the version nibble: LINKTYPE_RAW (101),
    /// LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229), IPFIX ipHeaderPacketSection.
    Ip,
    /// The 16-octet Linux cooked header, LINKTYPE_LINUX_SLL (113).
    LinuxSll,
    /// The 20-octet Linux cooked header v2, LINKTYPE_LINUX_SLL2 (276).
    LinuxSll2,
    /// A 4-octet address family, LINKTYPE_NULL (0, the capturing host's byte order) and
    /// LINKTYPE_LOOP (108, network byte order); either order is accepted for both.
    Null,
}

impl Link {
    /// The link type of a pcap LINKTYPE value, for the types above.
    pub fn from_linktype(linktype: u32) -> Option<Link> {
        match linktype {
            0 | 108 => Some(Link::Null),
            1 => Some(Link::Ethernet),
            101 | 228 | 229 => Some(Link::Ip),
            113 => Some(Link::LinuxSll),
            276 => Some(Link::LinuxSll2),
            _ => None,
        }
    }
}

/// The header fields of one packet, each `Some` when the packet had it and the bytes reached it.
/// The IPFIX Information Elements the fields fill are named in brackets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Packet {
    /// Ethernet source address [sourceMacAddress, 56]; for SLL and SLL2, the sender's address
    /// when it is an Ethernet one (ARPHRD_ETHER, 6 octets).
    pub src_mac: Option<[u8; 6]>,
    /// Ethernet destination address [destinationMacAddress, 80]; None for SLL and SLL2.
    pub dst_mac: Option<[u8; 6]>,
    /// The ether type after the VLAN tags [ethernetType, 256]: the Ethernet header's, the last
    /// tag's, or the Linux cooked header's protocol. None for an 802.3 length (below 0x0600),
    /// and for the links with no ether type (Ip, Null).
    pub ether_type: Option<u16>,
    /// The first (outer) VLAN tag's ID, 802.1Q or 802.1ad [dot1qVlanId, 243].
    pub vlan_outer: Option<u16>,
    /// The second (inner, customer) VLAN tag's ID of a QinQ frame [dot1qCustomerVlanId, 245].
    pub vlan_inner: Option<u16>,
    /// The top MPLS label's 20-bit value [the label of mplsTopLabelStackSection, 70].
    pub mpls_label: Option<u32>,
    /// 4 or 6 [ipVersion, 60].
    pub ip_version: Option<u8>,
    /// Source address; its variant agrees with `ip_version` [sourceIPv4Address 8, sourceIPv6Address 27].
    pub src_ip: Option<IpAddr>,
    /// Destination address [destinationIPv4Address 12, destinationIPv6Address 28].
    pub dst_ip: Option<IpAddr>,
    /// The IPv4 protocol or IPv6 next header after the extension headers (for a non-first
    /// fragment, the fragment header's next header) [protocolIdentifier, 4]. None when the
    /// extension headers were cut or malformed.
    pub protocol: Option<u8>,
    /// TTL or hop limit [ipTTL, 192].
    pub ttl: Option<u8>,
    /// The IPv4 TOS octet (DSCP and ECN) or the IPv6 traffic class [ipClassOfService, 5].
    pub tos: Option<u8>,
    /// The IPv6 flow label, 20 bits [flowLabelIPv6, 31].
    pub flow_label: Option<u32>,
    /// The length on the wire: IPv4 total length field, IPv6 payload length + 40 (a jumbogram's
    /// hop-by-hop length is not read) [ipTotalLength, 224; totalLengthIPv4, 190].
    pub ip_total_len: Option<u32>,
    /// IPv4 identification, or the IPv6 fragment header's identification [fragmentIdentification, 54].
    pub fragment_id: Option<u32>,
    /// The fragment offset field, in 8-octet units (IPv4 header or IPv6 fragment header)
    /// [fragmentOffset, 88].
    pub fragment_offset: Option<u16>,
    /// As in fragmentFlags (197): 0x40 don't fragment (IPv4 only), 0x20 more fragments. The
    /// IPv4 reserved bit is not kept.
    pub fragment_flags: Option<u8>,
    /// A fragment other than the first (offset not 0): it holds no transport header, so the
    /// ports and the rest below are None.
    pub non_first_fragment: bool,
    /// TCP, UDP or SCTP source port [sourceTransportPort, 7].
    pub src_port: Option<u16>,
    /// TCP, UDP or SCTP destination port [destinationTransportPort, 11].
    pub dst_port: Option<u16>,
    /// TCP flags as in tcpControlBits (6): FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10,
    /// URG 0x20, ECE 0x40, CWR 0x80, NS 0x100.
    pub tcp_flags: Option<u16>,
    /// ICMP or ICMPv6 type (which one, `protocol` says: 1 or 58) [icmpTypeIPv4 176, icmpTypeIPv6 178].
    pub icmp_type: Option<u8>,
    /// ICMP or ICMPv6 code [icmpCodeIPv4 177, icmpCodeIPv6 179].
    pub icmp_code: Option<u8>,
    /// How many of the captured octets the headers read whole take up: where the first octet
    /// not decoded (the payload, or a header cut short or not understood) starts.
    pub parsed: usize,
    /// The bytes end inside a header this parser reads (link, VLAN, MPLS, IP, IPv6 extension,
    /// transport): fields after that point are missing for lack of bytes, not because the packet
    /// lacks them. A cut payload does not count (compare `ip_total_len` for that).
    pub truncated: bool,
    /// A header had a value it cannot have (an IP version other than 4 or 6, an IPv4 header
    /// length below 20, a TCP data offset below 5, a hop-by-hop header not first ...); parsing
    /// stopped there.
    pub malformed: bool,
    /// Where the (outer) IP header starts in the captured octets.
    pub ip_at: Option<usize>,
    /// Where the TCP, UDP, SCTP, ICMP or ICMPv6 header starts (a first fragment's too).
    pub transport_at: Option<usize>,
}

/// Reads the headers of one packet that starts with `link`. Never panics, allocates nothing.
pub fn parse(link: Link, bytes: &[u8]) -> Packet {
    let mut p = Packet::default();
    match link {
        // Matched by reference: the sliced packet is a few hundred octets, and moving it out
        // of the Result costs a copy per packet.
        Link::Ethernet => match &LaxSlicedPacket::from_ethernet(bytes) {
            Ok(s) => {
                if p.link(bytes, s) {
                    p.net(bytes, s);
                }
            }
            Err(_) => p.truncated = true,
        },
        Link::Ip => p.ip(bytes, bytes),
        Link::LinuxSll => p.sll(bytes, Sll::V1),
        Link::LinuxSll2 => p.sll(bytes, Sll::V2),
        Link::Null => p.null(bytes),
    }
    p
}

/// Where a Linux cooked header keeps its fields.
struct Sll {
    len: usize,
    protocol: usize,
    hatype: usize,
    /// The address length is 2 octets in v1, 1 in v2.
    addr_len: usize,
    addr_len_wide: bool,
    addr: usize,
}

impl Sll {
    const V1: Sll = Sll {
        len: 16,
        protocol: 14,
        hatype: 2,
        addr_len: 4,
        addr_len_wide: true,
        addr: 6,
    };
    const V2: Sll = Sll {
        len: 20,
        protocol: 0,
        hatype: 8,
        addr_len: 11,
        addr_len_wide: false,
        addr: 12,
    };
}

const ARPHRD_ETHER: u16 = 1;
/// ARPHRD types whose cooked-header protocol is not an ether type: FRAD, IEEE 802.11 radiotap,
/// netlink.
const ARPHRD_NOT_ETHER_TYPE: [u16; 3] = [770, 803, 824];
const MPLS_UNICAST: u16 = 0x8847;
const MPLS_MULTICAST: u16 = 0x8848;
/// The BSD null header's AF_INET, and its AF_INET6 values (Linux, the BSDs, FreeBSD, Darwin).
const AF_INET: u32 = 2;
const AF_INET6: [u32; 4] = [10, 24, 28, 30];

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..)?
        .first_chunk::<2>()
        .map(|&two| u16::from_be_bytes(two))
}

/// The offset of `part`, a subslice of `base` (as etherparse returns them), in `base`.
fn offset(base: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .wrapping_sub(base.as_ptr() as usize)
        .min(base.len())
}

/// The offset in `base` just past `part`.
fn end(base: &[u8], part: &[u8]) -> usize {
    offset(base, part)
        .saturating_add(part.len())
        .min(base.len())
}

fn is_ext_layer(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::IpAuthHeader
            | Layer::Ipv6ExtHeader
            | Layer::Ipv6HopByHopHeader
            | Layer::Ipv6DestOptionsHeader
            | Layer::Ipv6RouteHeader
            | Layer::Ipv6FragHeader
    )
}

/// Layers etherparse reads that this module reads itself (transport) or not at all (ARP).
fn is_ignored_layer(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::UdpHeader
            | Layer::UdpPayload
            | Layer::TcpHeader
            | Layer::Icmpv4
            | Layer::Icmpv4Timestamp
            | Layer::Icmpv4TimestampReply
            | Layer::Icmpv6
            | Layer::Igmp
            | Layer::Arp
    )
}

impl Packet {
    /// Flags why etherparse stopped.
    fn stop(&mut self, err: &SliceError) {
        match err {
            SliceError::Len(l) => _ = self.cut(l),
            _ => self.malformed = true,
        }
    }

    /// Flags a length error: too few bytes, or (an ICMP timestamp of the wrong size) too many.
    fn cut(&mut self, l: &LenError) -> Option<usize> {
        if l.len < l.required_len {
            self.truncated = true;
        } else {
            self.malformed = true;
        }
        None
    }

    /// The link-layer fields of a sliced packet; false when what follows is read elsewhere or
    /// not at all.
    fn link(&mut self, base: &[u8], s: &LaxSlicedPacket) -> bool {
        if let Some(LinkSlice::Ethernet2(e)) = &s.link {
            self.src_mac = Some(e.source());
            self.dst_mac = Some(e.destination());
            self.parsed = e.header_len();
        }
        let mut vlans = s.link_exts.iter().filter_map(|x| match x {
            LaxLinkExtSlice::Vlan(v) => Some(v.vlan_identifier().value()),
            LaxLinkExtSlice::Macsec(_) => None,
        });
        self.vlan_outer = vlans.next();
        self.vlan_inner = vlans.next();
        let Some(payload) = s.ether_payload() else {
            return true;
        };
        let ether_type = payload.ether_type.0;
        if ether_type >= 0x0600 {
            self.ether_type = Some(ether_type);
        }
        self.parsed = offset(base, payload.payload);
        if matches!(ether_type, MPLS_UNICAST | MPLS_MULTICAST) {
            self.mpls(base, payload.payload);
            return false;
        }
        true
    }

    /// The network and transport fields of a sliced packet.
    fn net(&mut self, base: &[u8], s: &LaxSlicedPacket) {
        let stop = s.stop_err.as_ref();
        match &s.net {
            Some(LaxNetSlice::Ipv4(v4)) => self.ipv4(base, v4, stop),
            Some(LaxNetSlice::Ipv6(v6)) => self.ipv6(base, v6, stop),
            Some(LaxNetSlice::Arp(_)) | None => {
                if let Some((err, layer)) = stop {
                    if !is_ignored_layer(*layer) {
                        self.stop(err);
                    }
                }
            }
        }
    }

    /// A packet starting at its IP header, at `bytes` within `base`.
    fn ip(&mut self, base: &[u8], bytes: &[u8]) {
        match &LaxSlicedPacket::from_ip(bytes) {
            Ok(s) => self.net(base, s),
            Err(LaxHeaderSliceError::Len(_)) => self.truncated = true,
            Err(LaxHeaderSliceError::Content(_)) => self.malformed = true,
        }
    }

    fn sll(&mut self, bytes: &[u8], at: Sll) {
        if bytes.len() < at.len {
            self.truncated = true;
            return;
        }
        let field = |i| be16(bytes, i).unwrap_or(0);
        let (protocol, hatype) = (field(at.protocol), field(at.hatype));
        let addr_len = if at.addr_len_wide {
            field(at.addr_len)
        } else {
            bytes.get(at.addr_len).map_or(0, |&n| u16::from(n))
        };
        if hatype == ARPHRD_ETHER && addr_len == 6 {
            self.src_mac = bytes
                .get(at.addr..at.addr + 6)
                .and_then(|m| m.try_into().ok());
        }
        self.parsed = at.len;
        if protocol < 0x0600 || ARPHRD_NOT_ETHER_TYPE.contains(&hatype) {
            return;
        }
        let rest = bytes.get(at.len..).unwrap_or_default();
        let s = LaxSlicedPacket::from_ether_type(EtherType(protocol), rest);
        if self.link(bytes, &s) {
            self.net(bytes, &s);
        }
    }

    fn null(&mut self, bytes: &[u8]) {
        let Some((&family, rest)) = bytes.split_first_chunk::<4>() else {
            self.truncated = true;
            return;
        };
        let le = u32::from_le_bytes(family);
        let family = if le > 0xFFFF { le.swap_bytes() } else { le };
        self.parsed = 4;
        if family == AF_INET || AF_INET6.contains(&family) {
            self.ip(bytes, rest);
        }
    }

    /// The label stack at `bytes`: the top label, then an IP packet under the bottom entry.
    fn mpls(&mut self, base: &[u8], bytes: &[u8]) {
        let mut rest = bytes;
        loop {
            let Some((&entry, after)) = rest.split_first_chunk::<4>() else {
                self.truncated = true;
                return;
            };
            let entry = u32::from_be_bytes(entry);
            self.mpls_label.get_or_insert(entry >> 12);
            rest = after;
            if entry & 0x100 != 0 {
                break;
            }
        }
        self.parsed = offset(base, rest);
        match rest.first().map(|b| b >> 4) {
            Some(4 | 6) => self.ip(base, rest),
            // Something else under the stack, such as a pseudowire control word: not read.
            Some(_) => {}
            None => self.truncated = true,
        }
    }

    /// An extension-header stop error: flags it and says the protocol is unknown.
    fn ext_stop(&mut self, stop: Option<&(SliceError, Layer)>) -> bool {
        match stop {
            Some((err, layer)) if is_ext_layer(*layer) => {
                self.stop(err);
                true
            }
            _ => false,
        }
    }

    fn ipv4(&mut self, base: &[u8], v4: &LaxIpv4Slice, stop: Option<&(SliceError, Layer)>) {
        let h = v4.header();
        self.ip_version = Some(4);
        self.ip_at = Some(offset(base, h.slice()));
        self.src_ip = Some(IpAddr::V4(h.source_addr()));
        self.dst_ip = Some(IpAddr::V4(h.destination_addr()));
        self.ttl = Some(h.ttl());
        self.tos = Some(h.dcp().value() << 2 | h.ecn().value());
        self.ip_total_len = Some(u32::from(h.total_len()));
        self.fragment_id = Some(u32::from(h.identification()));
        let fragment_offset = h.fragments_offset().value();
        self.fragment_offset = Some(fragment_offset);
        self.fragment_flags =
            Some(u8::from(h.dont_fragment()) << 6 | u8::from(h.more_fragments()) << 5);
        self.parsed = end(base, h.slice());
        if fragment_offset != 0 {
            // etherparse may have read an authentication header out of the fragment's data.
            self.non_first_fragment = true;
            self.protocol = Some(h.protocol().0);
            return;
        }
        if self.ext_stop(stop) {
            return;
        }
        let payload = v4.payload();
        self.protocol = Some(payload.ip_number.0);
        self.parsed = offset(base, payload.payload);
        self.transport(base, payload.ip_number, payload.payload);
    }

    fn ipv6(&mut self, base: &[u8], v6: &LaxIpv6Slice, stop: Option<&(SliceError, Layer)>) {
        let h = v6.header();
        self.ip_version = Some(6);
        self.ip_at = Some(offset(base, h.slice()));
        self.src_ip = Some(IpAddr::V6(h.source_addr()));
        self.dst_ip = Some(IpAddr::V6(h.destination_addr()));
        self.ttl = Some(h.hop_limit());
        self.tos = Some(h.traffic_class());
        self.flow_label = Some(h.flow_label().value());
        self.ip_total_len = Some(u32::from(h.payload_length()) + 40);
        self.parsed = end(base, h.slice());
        let fragment = fragment_header(v6.extensions());
        if let Some(f) = fragment {
            let fragment_offset = f.fragment_offset().value();
            self.fragment_id = Some(f.identification());
            self.fragment_offset = Some(fragment_offset);
            self.fragment_flags = Some(u8::from(f.more_fragments()) << 5);
            if fragment_offset != 0 {
                // What follows the fragment header is the fragment's data, whatever etherparse
                // made of it (and whatever stopped it there).
                self.non_first_fragment = true;
                self.protocol = Some(f.next_header().0);
                self.parsed = end(base, f.slice());
                return;
            }
        }
        if self.ext_stop(stop) {
            return;
        }
        let payload = v6.payload();
        self.protocol = Some(payload.ip_number.0);
        self.parsed = offset(base, payload.payload);
        self.transport(base, payload.ip_number, payload.payload);
    }

    /// The leading ports of a TCP, UDP or SCTP header, read by hand (a cut header, or SCTP).
    fn ports(&mut self, b: &[u8]) {
        if let (Some(src), Some(dst)) = (be16(b, 0), be16(b, 2)) {
            self.src_port = Some(src);
            self.dst_port = Some(dst);
        }
    }

    /// The leading type and code of an ICMP or ICMPv6 header cut short, read by hand.
    fn icmp_cut(&mut self, b: &[u8]) {
        if let Some(&[t, c]) = b.get(..2) {
            self.icmp_type = Some(t);
            self.icmp_code = Some(c);
        }
    }

    /// The transport header at `b` (an IP payload in `base`) of protocol `proto`.
    fn transport(&mut self, base: &[u8], proto: IpNumber, b: &[u8]) {
        self.transport_at = Some(offset(base, b));
        let header_len = match proto {
            ip_number::TCP => match TcpSlice::from_slice(b) {
                Ok(t) => {
                    self.src_port = Some(t.source_port());
                    self.dst_port = Some(t.destination_port());
                    // Octets 12-13 of the header: the data offset, NS, then CWR ... FIN, which
                    // is tcpControlBits' order (the header is at least 20 octets here).
                    self.tcp_flags = be16(t.slice(), 12).map(|f| f & 0x01FF);
                    Some(t.header_len())
                }
                Err(tcp::HeaderSliceError::Len(l)) => {
                    self.ports(b);
                    self.tcp_flags = be16(b, 12).map(|f| f & 0x01FF);
                    self.cut(&l)
                }
                Err(tcp::HeaderSliceError::Content(_)) => {
                    self.malformed = true;
                    None
                }
            },
            ip_number::UDP => match UdpSlice::from_slice_lax(b) {
                Ok(u) => {
                    self.src_port = Some(u.source_port());
                    self.dst_port = Some(u.destination_port());
                    Some(u.header_len())
                }
                Err(l) => {
                    self.ports(b);
                    self.cut(&l)
                }
            },
            ip_number::SCTP => {
                self.ports(b);
                self.truncated = b.len() < 12;
                (b.len() >= 12).then_some(12)
            }
            ip_number::ICMP => match Icmpv4Slice::from_slice(b) {
                Ok(i) => {
                    self.icmp_type = Some(i.type_u8());
                    self.icmp_code = Some(i.code_u8());
                    Some(i.header_len())
                }
                Err(l) => {
                    self.icmp_cut(b);
                    self.cut(&l)
                }
            },
            ip_number::IPV6_ICMP => match Icmpv6Slice::from_slice(b) {
                Ok(i) => {
                    self.icmp_type = Some(i.type_u8());
                    self.icmp_code = Some(i.code_u8());
                    Some(i.header_len())
                }
                Err(l) => {
                    self.icmp_cut(b);
                    self.cut(&l)
                }
            },
            _ => None,
        };
        if let Some(n) = header_len {
            self.parsed = offset(base, b).saturating_add(n).min(base.len());
        }
    }
}

/// The fragment header among the IPv6 extension headers etherparse parsed. Walked here with
/// checked slices rather than with etherparse's `Ipv6ExtensionSliceIter`: when lax parsing
/// stopped inside the chain, that iterator follows the last parsed header's next-header field
/// past the parsed octets and reads a header that is not there (etherparse 0.21,
/// `from_slice_unchecked`: a failed debug assertion, undefined behaviour in a release build;
/// found by the `arbitrary_bytes_behind_a_known_header` property test).
fn fragment_header<'a>(
    exts: &etherparse::Ipv6ExtensionsSlice<'a>,
) -> Option<etherparse::Ipv6FragmentHeaderSlice<'a>> {
    use etherparse::ip_number::{AUTH, IPV6_DEST_OPTIONS, IPV6_FRAG, IPV6_HOP_BY_HOP, IPV6_ROUTE};
    let mut rest = exts.slice();
    let mut next = exts.first_header()?;
    while !rest.is_empty() {
        let len = match next {
            IPV6_FRAG => return etherparse::Ipv6FragmentHeaderSlice::from_slice(rest).ok(),
            IPV6_HOP_BY_HOP | IPV6_ROUTE | IPV6_DEST_OPTIONS => {
                let h = etherparse::Ipv6RawExtHeaderSlice::from_slice(rest).ok()?;
                next = h.next_header();
                h.slice().len()
            }
            AUTH => {
                let h = etherparse::IpAuthHeaderSlice::from_slice(rest).ok()?;
                next = h.next_header();
                h.slice().len()
            }
            _ => return None,
        };
        rest = rest.get(len..)?;
    }
    None
}
