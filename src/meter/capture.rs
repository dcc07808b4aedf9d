//! Packet captures read frame by frame: classic pcap (either byte order, micro- or
//! nanosecond timestamps) and pcapng (sections of either byte order, interfaces with their own
//! link types and timestamp resolutions), from any [`ByteSource`] (mapped, streamed from stdin,
//! decompressed).
//!
//! Records and blocks are parsed by `pcap-parser`; what is done here is framing them in the
//! source's window (a record header's captured length, a block's total length) so a damaged
//! length is an error at its offset rather than a read of gigabytes, and turning timestamps
//! into nanoseconds.

use crate::io::input::ByteSource;
use crate::packet::Link;
use pcap_parser::pcapng::Block;
use std::io;

/// The largest record or block read: a frame above this is damage, not a packet (snaplens go
/// up to 262144).
pub const MAX_RECORD: usize = 16 << 20;

/// One captured frame.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Nanoseconds since 1970.
    pub ns: i64,
    /// The link type the frame starts with, if ipfixkit reads it.
    pub link: Option<Link>,
    /// The pcap LINKTYPE value.
    pub linktype: u32,
    pub data: &'a [u8],
    /// The length on the wire.
    pub orig_len: u32,
    /// Where `data` starts in the (decompressed) input.
    pub at: u64,
}

/// Why a capture could not be read (further).
#[derive(Debug)]
pub enum CaptureError {
    /// Not a pcap or pcapng file: what its first octets are.
    NotACapture(String),
    /// Damage at an octet offset.
    Damaged {
        offset: u64,
        what: String,
    },
    Io(io::Error),
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaptureError::NotACapture(s) => write!(f, "not a pcap or pcapng capture ({s})"),
            CaptureError::Damaged { offset, what } => write!(f, "byte {offset}: {what}"),
            CaptureError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for CaptureError {
    fn from(e: io::Error) -> Self {
        CaptureError::Io(e)
    }
}

#[derive(Clone, Copy)]
struct Interface {
    linktype: u32,
    /// Timestamp units per second.
    resolution: u64,
    offset_s: i64,
}

enum Format {
    Pcap {
        big_endian: bool,
        nanos: bool,
        linktype: u32,
    },
    PcapNg {
        big_endian: bool,
        interfaces: Vec<Interface>,
    },
}

/// A capture being read.
pub struct Capture {
    src: ByteSource,
    format: Format,
    /// Frames handed out.
    pub frames: u64,
    /// The last timestamp (pcapng simple packet blocks have none: they get this one).
    last_ns: i64,
}

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const BOM: u32 = 0x1A2B_3C4D;

fn u32_at(b: &[u8], at: usize, big: bool) -> u32 {
    let x = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big {
        u32::from_be_bytes(x)
    } else {
        u32::from_le_bytes(x)
    }
}

/// Timestamp units per second of a pcapng `if_tsresol` (6 when the option is absent): 10^-n
/// seconds, or 2^-n with the top bit set. Not `InterfaceDescriptionBlock::ts_resolution`:
/// pcap-parser 0.17 compares the whole octet, flag included, with 63, so every power of two
/// comes back as `None` (and was read as microseconds). A unit too small for a `u64` is
/// damage; it is read as microseconds too.
fn resolution(tsresol: u8) -> u64 {
    let n = (tsresol & 0x7f) as u32;
    let unit = if tsresol & 0x80 != 0 {
        1u64.checked_shl(n)
    } else {
        10u64.checked_pow(n)
    };
    unit.unwrap_or(1_000_000)
}

impl Capture {
    /// Reads the file header (or the first section header).
    pub fn open(mut src: ByteSource) -> Result<Capture, CaptureError> {
        let head = src.fill(24)?;
        if head.len() < 4 {
            return Err(CaptureError::NotACapture(format!("{} octets", head.len())));
        }
        let magic = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let format = match magic {
            0xa1b2_c3d4 | 0xa1b2_3c4d | 0xd4c3_b2a1 | 0x4d3c_b2a1 => {
                if head.len() < 24 {
                    return Err(CaptureError::Damaged {
                        offset: 0,
                        what: format!(
                            "the pcap file header needs 24 octets, the file has {}",
                            head.len()
                        ),
                    });
                }
                let (_, h) =
                    pcap_parser::parse_pcap_header(head).map_err(|e| CaptureError::Damaged {
                        offset: 0,
                        what: format!("pcap file header: {e:?}"),
                    })?;
                let f = Format::Pcap {
                    big_endian: h.is_bigendian(),
                    nanos: h.is_nanosecond_precision(),
                    linktype: h.network.0 as u32,
                };
                src.consume(24);
                f
            }
            PCAPNG_SHB => Format::PcapNg {
                big_endian: false,
                interfaces: Vec::new(),
            },
            _ => {
                let what = match head {
                    [0, 10, ..] => "an IPFIX file: `ipfixkit cat` reads it".to_string(),
                    [0, 5 | 9, ..] => "NetFlow export packets: `ipfixkit cat` reads them".into(),
                    _ => crate::io::input::sniff_other(head, crate::io::input::Compression::None)
                        .map(|s| s.trim_end_matches(", not binary IPFIX").to_string())
                        .unwrap_or_else(|| {
                            let n = head.len().min(4);
                            format!("it starts {:02x?}", &head[..n])
                        }),
                };
                return Err(CaptureError::NotACapture(what));
            }
        };
        Ok(Capture {
            src,
            format,
            frames: 0,
            last_ns: 0,
        })
    }

    /// The offset of the next record in the (decompressed) input.
    pub fn offset(&self) -> u64 {
        self.src.offset()
    }

    /// Octets of the underlying file read so far (for progress), where it counts them.
    pub fn progress_counter(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicU64>> {
        self.src.progress_counter()
    }

    /// Hands the next frame to `f`; `Ok(false)` at the end of the capture.
    pub fn next<R>(
        &mut self,
        mut f: impl FnMut(&Frame<'_>) -> R,
    ) -> Result<Option<R>, CaptureError> {
        loop {
            let offset = self.src.offset();
            let damaged = |what: String| CaptureError::Damaged { offset, what };
            match &mut self.format {
                Format::Pcap {
                    big_endian,
                    nanos,
                    linktype,
                } => {
                    let (big, nanos, linktype) = (*big_endian, *nanos, *linktype);
                    let head = self.src.fill(16)?;
                    if head.is_empty() {
                        return Ok(None);
                    }
                    if head.len() < 16 {
                        return Err(damaged(format!(
                            "the capture ends inside a record header ({} of 16 octets)",
                            head.len()
                        )));
                    }
                    let caplen = u32_at(head, 8, big) as usize;
                    if caplen > MAX_RECORD {
                        return Err(damaged(format!(
                            "a record of {caplen} captured octets (more than {MAX_RECORD}: a damaged length)"
                        )));
                    }
                    let whole = self.src.fill(16 + caplen)?;
                    if whole.len() < 16 + caplen {
                        return Err(damaged(format!(
                            "the capture ends inside a record: {caplen} captured octets announced, {} there",
                            whole.len() - 16
                        )));
                    }
                    let parsed = if big {
                        pcap_parser::parse_pcap_frame_be(&whole[..16 + caplen])
                    } else {
                        pcap_parser::parse_pcap_frame(&whole[..16 + caplen])
                    };
                    let (_, b) = parsed.map_err(|e| damaged(format!("pcap record: {e:?}")))?;
                    let frac = if nanos {
                        b.ts_usec as i64
                    } else {
                        b.ts_usec as i64 * 1000
                    };
                    let ns = b.ts_sec as i64 * 1_000_000_000 + frac;
                    self.last_ns = ns;
                    let frame = Frame {
                        ns,
                        link: Link::from_linktype(linktype),
                        linktype,
                        data: b.data,
                        orig_len: b.origlen.max(b.caplen),
                        at: offset + 16,
                    };
                    let r = f(&frame);
                    self.src.consume(16 + caplen);
                    self.frames += 1;
                    return Ok(Some(r));
                }
                Format::PcapNg {
                    big_endian,
                    interfaces,
                } => {
                    let head = self.src.fill(12)?;
                    if head.is_empty() {
                        return Ok(None);
                    }
                    if head.len() < 12 {
                        return Err(damaged(format!(
                            "the capture ends inside a block header ({} of 12 octets)",
                            head.len()
                        )));
                    }
                    let ty = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
                    if ty == PCAPNG_SHB {
                        // A new section: its byte order from its byte-order magic.
                        *big_endian =
                            match u32::from_le_bytes([head[8], head[9], head[10], head[11]]) {
                                BOM => false,
                                x if x.swap_bytes() == BOM => true,
                                _ => {
                                    return Err(damaged(
                                        "a pcapng section header with no byte-order magic".into(),
                                    ));
                                }
                            };
                        interfaces.clear();
                    }
                    let big = *big_endian;
                    let len = u32_at(head, 4, big) as usize;
                    if len < 12 || len % 4 != 0 || len > MAX_RECORD {
                        return Err(damaged(format!(
                            "a pcapng block length of {len} (a multiple of 4, 12 to {MAX_RECORD})"
                        )));
                    }
                    let whole = self.src.fill(len)?;
                    if whole.len() < len {
                        return Err(damaged(format!(
                            "the capture ends inside a block of {len} octets ({} there)",
                            whole.len()
                        )));
                    }
                    let block = &whole[..len];
                    let parsed = if big {
                        pcap_parser::pcapng::parse_block_be(block)
                    } else {
                        pcap_parser::pcapng::parse_block_le(block)
                    };
                    let (_, b) = parsed.map_err(|e| damaged(format!("pcapng block: {e:?}")))?;
                    let frame = match b {
                        Block::InterfaceDescription(idb) => {
                            interfaces.push(Interface {
                                linktype: idb.linktype.0 as u32,
                                resolution: resolution(idb.if_tsresol),
                                offset_s: idb.ts_offset(),
                            });
                            None
                        }
                        Block::EnhancedPacket(epb) => {
                            let Some(i) = interfaces.get(epb.if_id as usize).copied() else {
                                return Err(damaged(format!(
                                    "a packet of interface {}, which no interface block described",
                                    epb.if_id
                                )));
                            };
                            let ts = (epb.ts_high as u64) << 32 | epb.ts_low as u64;
                            let ns = (ts as u128 * 1_000_000_000 / i.resolution as u128)
                                .min(i64::MAX as u128) as i64;
                            let ns = ns.saturating_add(i.offset_s.saturating_mul(1_000_000_000));
                            self.last_ns = ns;
                            Some(Frame {
                                ns,
                                link: Link::from_linktype(i.linktype),
                                linktype: i.linktype,
                                data: epb.data,
                                orig_len: epb.origlen.max(epb.caplen),
                                at: offset + 28,
                            })
                        }
                        Block::SimplePacket(spb) => {
                            let Some(i) = interfaces.first().copied() else {
                                return Err(damaged(
                                    "a simple packet block before any interface block".into(),
                                ));
                            };
                            Some(Frame {
                                ns: self.last_ns,
                                link: Link::from_linktype(i.linktype),
                                linktype: i.linktype,
                                // The data is padded to 4 octets; the original length says how
                                // much of it is the frame.
                                data: &spb.data[..spb.data.len().min(spb.origlen as usize)],
                                orig_len: spb.origlen,
                                at: offset + 12,
                            })
                        }
                        _ => None,
                    };
                    let r = frame.map(|fr| f(&fr));
                    self.src.consume(len);
                    if let Some(r) = r {
                        self.frames += 1;
                        return Ok(Some(r));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(ty: u32, mut body: Vec<u8>) -> Vec<u8> {
        body.resize(body.len().next_multiple_of(4), 0);
        let n = (12 + body.len()) as u32;
        let mut b = ty.to_le_bytes().to_vec();
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(&body);
        b.extend_from_slice(&n.to_le_bytes());
        b
    }

    /// A little-endian pcapng section: one LINKTYPE_RAW interface whose if_tsresol is
    /// `tsresol` (none: absent), one enhanced packet block at timestamp `ts`.
    fn pcapng(tsresol: Option<u8>, ts: u64) -> Vec<u8> {
        let mut shb = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
        shb.extend_from_slice(&[1, 0, 0, 0]);
        shb.extend_from_slice(&(-1i64).to_le_bytes());
        let mut b = block(PCAPNG_SHB, shb);
        let mut idb = vec![101, 0, 0, 0, 0, 0, 0, 0];
        if let Some(r) = tsresol {
            idb.extend_from_slice(&[9, 0, 1, 0, r, 0, 0, 0, 0, 0, 0, 0]);
        }
        b.extend(block(1, idb));
        let frame = [
            0x45u8, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1,
        ];
        let mut epb = vec![0, 0, 0, 0];
        epb.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ts as u32).to_le_bytes());
        epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        epb.extend_from_slice(&frame);
        b.extend(block(6, epb));
        b
    }

    fn first_ns(bytes: Vec<u8>) -> i64 {
        let mut c = Capture::open(ByteSource::from_bytes(bytes)).unwrap();
        c.next(|f| f.ns).unwrap().unwrap()
    }

    /// 2024-01-01T00:00:00Z.
    const T0: u64 = 1_704_067_200;

    #[test]
    fn pcapng_timestamps_in_powers_of_two_of_a_second() {
        // Found by crafting the `pcap` fuzz target's seeds: if_tsresol 0x8a (2^-10 s) was
        // read as microseconds, putting 2024 in January 1970.
        assert_eq!(
            first_ns(pcapng(Some(0x8a), T0 << 10)),
            T0 as i64 * 1_000_000_000
        );
        let half = (T0 << 10) + 512;
        assert_eq!(
            first_ns(pcapng(Some(0x8a), half)),
            T0 as i64 * 1_000_000_000 + 500_000_000
        );
        assert_eq!(first_ns(pcapng(Some(0x80), T0)), T0 as i64 * 1_000_000_000);
    }

    #[test]
    fn pcapng_timestamps_in_powers_of_ten_and_the_default() {
        let ns = T0 as i64 * 1_000_000_000 + 7;
        assert_eq!(first_ns(pcapng(Some(9), ns as u64)), ns);
        assert_eq!(first_ns(pcapng(None, T0 * 1_000_000 + 3)), ns - 7 + 3_000);
        assert_eq!(
            first_ns(pcapng(Some(6), T0 * 1_000_000 + 3)),
            ns - 7 + 3_000
        );
        assert_eq!(first_ns(pcapng(Some(0), T0)), ns - 7);
    }

    #[test]
    fn pcapng_resolutions_too_fine_for_64_bits_are_read_as_microseconds() {
        assert_eq!(resolution(19), 10u64.pow(19));
        assert_eq!(resolution(20), 1_000_000);
        assert_eq!(resolution(0x80 | 63), 1 << 63);
        assert_eq!(resolution(0x80 | 64), 1_000_000);
        assert_eq!(resolution(0xff), 1_000_000);
        // The largest timestamp at the finest unit stays within i64.
        let ns = first_ns(pcapng(Some(0x80 | 63), u64::MAX));
        assert_eq!(ns, 1_999_999_999);
    }
}
