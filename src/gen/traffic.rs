//! The traffic model: one synthetic flow from a few draws, with what real networks show.
//!
//! - Protocols: TCP ~80% (HTTPS, HTTP, SSH, SMTP, IMAPS, RDP, alternative HTTP, others),
//!   UDP ~17% (DNS, QUIC, NTP, others), ICMP ~3% (echo, unreachable, time exceeded; no ports).
//! - Addresses from the documentation ranges only (RFC 5737 for IPv4: clients in
//!   192.0.2.0/24, servers in 198.51.100.0/24 and 203.0.113.0/24; RFC 3849 for IPv6:
//!   2001:db8::/32), each side drawn with a Zipf-like popularity.
//! - Packets heavy-tailed (Pareto), at least one; octets per packet between the smallest
//!   header (20 octets IPv4, 40 IPv6, plus the transport's) and 1500, so never below 20/40
//!   nor above 65535 per packet; a single-packet flow lasts 0 ms, others up to the 300 s
//!   active timeout.
//! - tcpControlBits only for TCP: SYN, ACK once there is more than a packet, PSH with data,
//!   FIN or RST at the end for most; 0 for UDP and ICMP.
//! - The reverse direction of a biflow: the server's packets and octets, its flags.

use super::rng::{Rng, Table, cumulative, zipf};

/// One flow, in the units of the IEs that carry it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    pub v6: bool,
    /// IPv4 addresses in the last 4 octets; IPv6 in all 16.
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub sport: u16,
    pub dport: u16,
    pub proto: u8,
    pub tos: u8,
    pub flags: u16,
    pub packets: u64,
    pub octets: u64,
    pub start_ms: u64,
    pub end_ms: u64,
    /// ICMP type << 8 | code (0 for other protocols).
    pub icmp: u16,
    pub in_if: u32,
    pub out_if: u32,
    pub flow_label: u32,
    pub rev_packets: u64,
    pub rev_octets: u64,
    pub rev_flags: u16,
    /// Set by the generator, not drawn: the exporter's boot (uptimes count from it) and the
    /// `--sampling` interval (0 without).
    pub boot_ms: u64,
    pub sampling: u32,
}

/// Service tables and host popularity, built once.
pub struct Model {
    tcp: Vec<(u16, u32)>,
    tcp_cum: Vec<u32>,
    udp: Vec<(u16, u32)>,
    udp_cum: Vec<u32>,
    clients: Table,
    servers: Table,
}

const TCP_PORTS: [(u16, u32); 9] = [
    (443, 550),
    (80, 180),
    (22, 50),
    (25, 30),
    (993, 30),
    (3389, 20),
    (8080, 40),
    (445, 20),
    (0, 80), // an ephemeral service port
];
const UDP_PORTS: [(u16, u32); 5] = [(53, 450), (443, 300), (123, 60), (514, 40), (0, 150)];

/// Transport header octets a packet carries at least.
fn transport_header(proto: u8) -> u64 {
    match proto {
        6 => 20,
        17 => 8,
        _ => 8,
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Model {
    pub fn new() -> Model {
        Model {
            tcp: TCP_PORTS.to_vec(),
            tcp_cum: cumulative(&TCP_PORTS.map(|p| p.1)),
            udp: UDP_PORTS.to_vec(),
            udp_cum: cumulative(&UDP_PORTS.map(|p| p.1)),
            clients: Table::new(&zipf(256)),
            servers: Table::new(&zipf(512)),
        }
    }

    /// A flow of IPv6 (`v6`) or IPv4 starting at `start_ms`.
    pub fn flow(&self, r: &mut Rng, v6: bool, start_ms: u64) -> Flow {
        let mut f = Flow {
            v6,
            start_ms,
            ..Flow::default()
        };
        let client = r.draw(&self.clients) as u32;
        let server = r.draw(&self.servers) as u32;
        address(&mut f.src, v6, true, client);
        address(&mut f.dst, v6, false, server);
        let p = r.below(1000);
        let ip_header = if v6 { 40 } else { 20 };
        if p < 800 {
            f.proto = 6;
            let (port, _) = self.tcp[r.pick(&self.tcp_cum)];
            f.dport = if port == 0 {
                r.range(1024, 49151) as u16
            } else {
                port
            };
            f.sport = r.range(49152, 65535) as u16;
            f.packets = packets(r, 2, 11);
        } else if p < 970 {
            f.proto = 17;
            let (port, _) = self.udp[r.pick(&self.udp_cum)];
            f.dport = if port == 0 {
                r.range(1024, 65535) as u16
            } else {
                port
            };
            f.sport = if port == 123 {
                123
            } else {
                r.range(49152, 65535) as u16
            };
            f.packets = match port {
                53 | 123 => 1,
                _ => packets(r, 1, 12),
            };
        } else {
            f.proto = if v6 { 58 } else { 1 };
            let (t, c) = match r.below(10) {
                0..=5 => (if v6 { 128 } else { 8 }, 0),
                6..=7 => (if v6 { 1 } else { 3 }, r.below(4) as u16),
                _ => (if v6 { 3 } else { 11 }, 0),
            };
            f.icmp = (t as u16) << 8 | c;
            f.packets = r.range(1, 10);
        }
        let least = ip_header + transport_header(f.proto);
        // Mostly small (ACKs, queries) or full-sized packets, some in between.
        let per_packet = match r.below(10) {
            0..=4 => r.range(least, least + 80),
            5..=7 => r.range(1200, 1500),
            _ => r.range(least, 1500),
        };
        f.octets = f.packets * per_packet;
        f.end_ms = start_ms
            + if f.packets == 1 {
                0
            } else {
                r.heavy(20, 9, 10).min(300_000)
            };
        if f.proto == 6 {
            f.flags = 0x02; // SYN
            if f.packets > 1 {
                f.flags |= 0x10; // ACK
            }
            if f.packets > 3 {
                f.flags |= 0x08; // PSH
                f.flags |= if r.chance(0.05) { 0x04 } else { 0x01 }; // RST or FIN
            }
        }
        f.tos = if r.chance(0.9) {
            0
        } else {
            [0x28, 0xb8, 0x48][r.below(3) as usize]
        };
        f.in_if = r.range(1, 4) as u32;
        f.out_if = f.in_if % 4 + 1;
        if v6 {
            f.flow_label = r.below(1 << 20) as u32;
        }
        // The server's side of it.
        f.rev_packets = match f.proto {
            6 => (f.packets * r.range(6, 12) / 10).max(1),
            17 if f.dport == 53 || f.dport == 123 => 1,
            17 => f.packets * r.range(5, 15) / 10,
            _ if f.icmp >> 8 == 8 || f.icmp >> 8 == 128 => f.packets,
            _ => 0,
        };
        let rev_size = r.range(least, 1500);
        f.rev_octets = f.rev_packets * rev_size;
        if f.proto == 6 && f.rev_packets > 0 {
            f.rev_flags = 0x12 | (f.flags & 0x0d); // SYN-ACK, and what the client ended with
        }
        f
    }
}

/// At least `xm` packets, heavy-tailed above (shape `tenths` / 10): most flows are short, a
/// few are elephants.
fn packets(r: &mut Rng, xm: u64, tenths: u32) -> u64 {
    r.heavy(xm, tenths, 10).clamp(1, 1_000_000)
}

/// The `k`th host of a side: clients in 192.0.2.0/24 or 2001:db8:c::/48, servers in
/// 198.51.100.0/24 + 203.0.113.0/24 or 2001:db8:5::/48 (RFC 5737, RFC 3849).
fn address(out: &mut [u8; 16], v6: bool, client: bool, k: u32) {
    if v6 {
        out[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        out[4..6].copy_from_slice(&(if client { 0x000cu16 } else { 0x0005 }).to_be_bytes());
        out[12..16].copy_from_slice(&(k + 1).to_be_bytes());
    } else if client {
        out[12..16].copy_from_slice(&[192, 0, 2, (k % 254 + 1) as u8]);
    } else {
        let net = if k < 256 {
            [198, 51, 100]
        } else {
            [203, 0, 113]
        };
        out[12..15].copy_from_slice(&net);
        out[15] = (k % 254 + 1) as u8;
    }
}
