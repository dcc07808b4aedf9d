//! Captures `gen` writes: the classic pcap format (nanosecond timestamps, Ethernet), with the
//! file and record headers serialized by `pcap-parser` and the frames built by `etherparse`
//! (checksums included), so tcpreplay, tshark and our own reader take them.
//!
//! [`Capture`] writes packets; [`UdpFlow`] wraps export packets (IPFIX messages, NetFlow
//! packets) as UDP datagrams from an exporter to a collector.

use pcap_parser::{LegacyPcapBlock, Linktype, PcapHeader, ToVec};
use std::io::{self, Write};
use std::net::IpAddr;

/// Nanosecond-resolution pcap (magic 0xa1b23c4d).
const MAGIC_NS: u32 = 0xa1b2_3c4d;

/// Largest frame a record holds.
pub const SNAPLEN: u32 = 262_144;

/// A pcap file being written.
pub struct Capture<W: Write> {
    out: W,
    packets: u64,
}

fn gen_err(e: impl std::fmt::Debug) -> io::Error {
    io::Error::other(format!("pcap serialization: {e:?}"))
}

impl<W: Write> Capture<W> {
    /// Writes the file header: Ethernet frames, nanosecond timestamps.
    pub fn new(mut out: W) -> io::Result<Capture<W>> {
        let h = PcapHeader {
            magic_number: MAGIC_NS,
            snaplen: SNAPLEN,
            network: Linktype::ETHERNET,
            ..PcapHeader::new()
        };
        out.write_all(&h.to_vec_raw().map_err(gen_err)?)?;
        Ok(Capture { out, packets: 0 })
    }

    /// One frame captured whole at `ns` nanoseconds since 1970.
    pub fn packet(&mut self, ns: u64, frame: &[u8]) -> io::Result<()> {
        let len = u32::try_from(frame.len())
            .ok()
            .filter(|&l| l <= SNAPLEN)
            .ok_or_else(|| io::Error::other(format!("a {}-octet frame", frame.len())))?;
        let secs = u32::try_from(ns / 1_000_000_000)
            .map_err(|_| io::Error::other("a packet time past 2106 does not fit pcap"))?;
        let b = LegacyPcapBlock {
            ts_sec: secs,
            ts_usec: (ns % 1_000_000_000) as u32,
            caplen: len,
            origlen: len,
            data: frame,
        };
        self.out.write_all(&b.to_vec_raw().map_err(gen_err)?)?;
        self.packets += 1;
        Ok(())
    }

    pub fn packets(&self) -> u64 {
        self.packets
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The exporter-to-collector UDP path export packets travel in `--pcap`.
#[derive(Clone, Copy, Debug)]
pub struct UdpFlow {
    pub exporter: IpAddr,
    pub exporter_port: u16,
    pub collector: IpAddr,
    pub collector_port: u16,
}

impl UdpFlow {
    /// From `exporter` to `collector`, which is 192.0.2.2 at the IPFIX port 4739 (or
    /// NetFlow's 2055) unless given.
    pub fn between(
        exporter: std::net::SocketAddr,
        collector: Option<std::net::SocketAddr>,
        netflow: bool,
    ) -> UdpFlow {
        let port = if netflow { 2055 } else { 4739 };
        let collector =
            collector.unwrap_or_else(|| std::net::SocketAddr::from(([192, 0, 2, 2], port)));
        UdpFlow {
            exporter: exporter.ip(),
            exporter_port: exporter.port(),
            collector: collector.ip(),
            collector_port: collector.port(),
        }
    }
}

/// Locally administered MACs of the exporter and the collector.
const EXPORTER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const COLLECTOR_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

impl UdpFlow {
    /// The Ethernet frame carrying `payload` (into `frame`, cleared first); `ident` is the
    /// IPv4 identification.
    pub fn frame(&self, payload: &[u8], ident: u16, frame: &mut Vec<u8>) -> io::Result<()> {
        use etherparse::{IpHeaders, Ipv4Header, Ipv6Header, PacketBuilder};
        frame.clear();
        let eth = PacketBuilder::ethernet2(EXPORTER_MAC, COLLECTOR_MAC);
        let ip = match (self.exporter, self.collector) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let len = u16::try_from(payload.len() + 8)
                    .map_err(|_| io::Error::other("an export packet over 65527 octets"))?;
                let mut h =
                    Ipv4Header::new(len, 64, etherparse::IpNumber::UDP, s.octets(), d.octets())
                        .map_err(|e| io::Error::other(e.to_string()))?;
                h.identification = ident;
                h.dont_fragment = false;
                IpHeaders::Ipv4(h, Default::default())
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => IpHeaders::Ipv6(
                Ipv6Header {
                    traffic_class: 0,
                    flow_label: Default::default(),
                    payload_length: 0,
                    next_header: etherparse::IpNumber::UDP,
                    hop_limit: 64,
                    source: s.octets(),
                    destination: d.octets(),
                },
                Default::default(),
            ),
            _ => {
                return Err(io::Error::other(
                    "the exporter and the collector must both be IPv4 or both IPv6",
                ));
            }
        };
        eth.ip(ip)
            .udp(self.exporter_port, self.collector_port)
            .write(frame, payload)
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Export packets captured as UDP datagrams: a [`Write`] that takes one IPFIX message or
/// NetFlow packet per `write` call (the message and NetFlow writers write each with one
/// `write_all`, and this never writes short), checks it is one, and captures it at its
/// export time (the k-th packet of a second k microseconds after it, so times increase).
pub struct Exported<W: Write> {
    capture: Capture<W>,
    path: UdpFlow,
    frame: Vec<u8>,
    second: u64,
    in_second: u64,
}

impl<W: Write> Exported<W> {
    pub fn new(out: W, path: UdpFlow) -> io::Result<Exported<W>> {
        Ok(Exported {
            capture: Capture::new(out)?,
            path,
            frame: Vec::with_capacity(1600),
            second: 0,
            in_second: 0,
        })
    }
}

/// The export time (ns since 1970) of the one export packet `p` is, or why it is not one.
fn export_ns(p: &[u8]) -> Result<u64, String> {
    let be16 = |o: usize| u16::from_be_bytes([p[o], p[o + 1]]) as usize;
    let be32 = |o: usize| u32::from_be_bytes([p[o], p[o + 1], p[o + 2], p[o + 3]]) as u64;
    let whole = match (p.len(), p.get(..2)) {
        (16.., Some([0, 10])) if be16(2) == p.len() => Some(be32(4) * 1_000_000_000),
        (24.., Some([0, 5])) if 24 + 48 * be16(2) == p.len() => {
            Some(be32(8) * 1_000_000_000 + be32(12).min(999_999_999))
        }
        (20.., Some([0, 9])) if crate::ipfix::netflow::packet_len(p) == Ok(p.len()) => {
            Some(be32(8) * 1_000_000_000)
        }
        _ => None,
    };
    whole.ok_or_else(|| {
        format!(
            "a write of {} octets that is not one export packet",
            p.len()
        )
    })
}

impl<W: Write> Write for Exported<W> {
    fn write(&mut self, p: &[u8]) -> io::Result<usize> {
        let ns = export_ns(p).map_err(io::Error::other)?;
        let second = ns / 1_000_000_000;
        if second != self.second {
            (self.second, self.in_second) = (second, 0);
        }
        let at = ns + 1000 * self.in_second.min(999_999);
        self.in_second += 1;
        let ident = self.capture.packets() as u16;
        self.path.frame(p, ident, &mut self.frame)?;
        self.capture.packet(at, &self.frame)?;
        Ok(p.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.capture.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_udp_capture_parses_back() {
        let mut c = Capture::new(Vec::new()).unwrap();
        let f = UdpFlow {
            exporter: "192.0.2.1".parse().unwrap(),
            exporter_port: 40000,
            collector: "192.0.2.2".parse().unwrap(),
            collector_port: 4739,
        };
        let mut frame = Vec::new();
        f.frame(b"hello", 7, &mut frame).unwrap();
        c.packet(1_700_000_000_123_456_789, &frame).unwrap();
        let bytes = c.into_inner();
        assert_eq!(&bytes[..4], &MAGIC_NS.to_le_bytes());
        let (rest, h) = pcap_parser::pcap::parse_pcap_header(&bytes).unwrap();
        assert!(h.is_nanosecond_precision());
        let (_, b) = pcap_parser::pcap::parse_pcap_frame(rest).unwrap();
        assert_eq!((b.ts_sec, b.ts_usec), (1_700_000_000, 123_456_789));
        let p = etherparse::SlicedPacket::from_ethernet(b.data).unwrap();
        match p.transport {
            Some(etherparse::TransportSlice::Udp(u)) => {
                assert_eq!((u.source_port(), u.destination_port()), (40000, 4739));
                assert_eq!(u.payload(), b"hello");
            }
            other => panic!("{other:?}"),
        }
    }
}
