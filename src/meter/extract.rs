//! `pcap2ipfix --extract`: the NetFlow v5/v9 and IPFIX export packets in a capture, as one
//! IPFIX file.
//!
//! Export packets are found in UDP datagrams by their content, on any port (or `--port`): an
//! IPFIX message whose header length is the datagram's, a v5 packet of 24 + 48 × count
//! octets, a v9 packet whose FlowSets fill it. IP fragments of large datagrams are joined
//! first ([`Defrag`]).
//!
//! Templates are scoped per exporter (source address and port) and observation domain or
//! Source ID, as RFC 7011 §8 has it for UDP: each exporter has its own [`Session`] (which
//! holds data sets that come before their template, bounded, and decodes them when it
//! comes) and its own NetFlow [`Translator`] (v9 FlowSets ahead of their template likewise).
//! Every (exporter, domain) becomes a domain of its own in the output, numbered from 1 as they
//! appear, through the one [`Remapper`] (templates of the same layout share an ID; records
//! copied as bytes, template IDs inside lists rewritten), and the one message writer
//! (sequence numbers per output domain). Each output domain starts with an options record
//! naming its exporter: scope observationDomainId, exporterIPv4Address or
//! exporterIPv6Address and exporterTransportPort (the flow schema's `sampler_address` reads
//! it). Captures given together are one run: an exporter's templates carry over from one
//! capture to the next.

use super::capture::Frame;
use crate::ipfix::netflow::{self, Translator};
use crate::ipfix::remap::{DomainPolicy, Remapper};
use crate::ipfix::session::{MessageCtx, MessageHeader, RecordRef, Session, Visitor};
use crate::ipfix::template::{FieldSpec, Template};
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use crate::ipfix::{DecodeError, Flow, InfoModel};
use crate::packet;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;

/// The input template ID the exporter options template is defined under in the remapper: 0,
/// which no source can use for a template (0-255 are set IDs), so no source's records are
/// ever looked up as it (the NetFlow translator's own options templates take IDs from 65535
/// down).
const EXPORTER_TID: u16 = 0;
/// Problem lines said per capture; the rest are counted.
const PROBLEM_LINES: usize = 20;

/// An exporter: its address and port, and whether over TCP (a transport session of its
/// own, RFC 7011 §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExporterKey {
    pub addr: IpAddr,
    pub port: u16,
    pub tcp: bool,
}

/// Octets of out-of-order TCP data held per stream, and streams followed at once.
pub const TCP_HELD_MAX: usize = 4 << 20;
pub const TCP_STREAMS_MAX: usize = 4096;

/// A TCP stream's octets not yet made into messages.
#[derive(Default)]
struct StreamBuf {
    buf: Vec<u8>,
    /// None until the first message is told (or the stream is told not to be IPFIX).
    ipfix: Option<bool>,
    /// After a gap: octets are skipped until a message header.
    resync: bool,
    /// The export time and domain of the last message.
    last: Option<(u32, u32)>,
}

struct Exporter {
    source: u32,
    /// The capture it was last seen in (an index into `Extractor::names`).
    seen_in: usize,
    session: Session,
    translator: Translator,
    /// Output domains whose exporter options record is written.
    announced: BTreeSet<u32>,
}

/// What extraction found.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub frames: u64,
    pub udp: u64,
    pub ipfix: u64,
    pub v9: u64,
    pub v5: u64,
    /// UDP datagrams (on the ports looked at) that are no export packet.
    pub other_udp: u64,
    pub records: u64,
    /// Problems the decoders reported (the first few said on stderr), and those of them that
    /// lose records (errors, not warnings).
    pub problems: u64,
    pub errors: u64,
    pub fragments_joined: u64,
    pub fragments_dropped: u64,
    /// TCP streams that carried IPFIX, and octets skipped after gaps in them.
    pub tcp_streams: u64,
    pub tcp_skipped: u64,
}

/// A datagram's pieces by offset, its length once the last piece came, the octets held.
type Pieces = (BTreeMap<u32, Vec<u8>>, Option<u32>, usize);

/// IP fragments waiting for the rest of their datagram, bounded.
#[derive(Default)]
pub struct Defrag {
    /// By (addresses, identification).
    held: BTreeMap<([u8; 32], u32), Pieces>,
    order: VecDeque<([u8; 32], u32)>,
    octets: usize,
}

/// Octets of fragments held at most; past them the oldest datagram is given up.
pub const DEFRAG_MAX: usize = 16 << 20;

impl Defrag {
    /// A piece of IP payload at `offset` octets (`more`: more fragments follow); the whole
    /// payload once every piece is there.
    pub fn piece(
        &mut self,
        key: ([u8; 32], u32),
        offset: u32,
        more: bool,
        data: &[u8],
        dropped: &mut u64,
    ) -> Option<Vec<u8>> {
        if !self.held.contains_key(&key) {
            self.order.push_back(key);
        }
        let e = self.held.entry(key).or_default();
        if !more {
            e.1 = Some(offset + data.len() as u32);
        }
        if let std::collections::btree_map::Entry::Vacant(v) = e.0.entry(offset) {
            v.insert(data.to_vec());
            e.2 += data.len();
            self.octets += data.len();
        }
        // Complete when the pieces run from 0 to the end without a hole.
        let complete = e.1.is_some_and(|total| {
            let mut at = 0u32;
            for (&o, p) in &e.0 {
                if o > at {
                    return false;
                }
                at = at.max(o + p.len() as u32);
            }
            at >= total
        });
        let whole = if complete {
            let (pieces, total, n) = self.held.remove(&key).unwrap_or_default();
            self.octets -= n;
            let total = total.unwrap_or(0) as usize;
            let mut out = vec![0u8; total];
            for (o, p) in pieces {
                let o = o as usize;
                let end = (o + p.len()).min(total);
                if o < end {
                    out[o..end].copy_from_slice(&p[..end - o]);
                }
            }
            Some(out)
        } else {
            None
        };
        // Keys of datagrams completed since are left in `order`: drop them now and then.
        if self.order.len() > 2 * self.held.len() + 1024 {
            let held = &self.held;
            self.order.retain(|k| held.contains_key(k));
        }
        while self.octets > DEFRAG_MAX {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, _, n)) = self.held.remove(&old) {
                self.octets -= n;
                *dropped += 1;
            }
        }
        whole
    }
}

/// Extracts export packets from frames into IPFIX messages.
pub struct Extractor<W: Write> {
    model: Arc<InfoModel>,
    remap: Remapper,
    w: MessageWriter<W>,
    exporters: BTreeMap<ExporterKey, Exporter>,
    port: Option<u16>,
    defrag: Defrag,
    /// Taken out while it hands chunks to the rest of the extractor.
    tcp: Option<super::tcp::Reassembler>,
    streams: BTreeMap<super::tcp::StreamKey, StreamBuf>,
    /// The input offset of the frame being read.
    at: u64,
    translated: Vec<u8>,
    copy: Vec<u8>,
    pub stats: Stats,
    /// Problem lines for stderr.
    pub lines: Vec<String>,
    write_error: Option<WriteError>,
    name: String,
    /// Every capture's name, in order.
    names: Vec<String>,
    said: usize,
    unsaid: u64,
}

/// The decoder's visitor: templates and records of one exporter into the output.
struct Feed<'a, W: Write> {
    remap: &'a mut Remapper,
    w: &'a mut MessageWriter<W>,
    source: u32,
    exporter: ExporterKey,
    announced: &'a mut BTreeSet<u32>,
    copy: &'a mut Vec<u8>,
    records: u64,
    problems: Vec<String>,
    /// Problems that lose something (not warnings).
    errors: u64,
    error: Option<WriteError>,
}

impl<W: Write> Feed<'_, W> {
    /// The exporter options record of an output domain, once, before its first record.
    fn announce(&mut self, in_domain: u32, out_domain: u32, export: u32) {
        if !self.announced.insert(out_domain) {
            return;
        }
        let (id, len) = match self.exporter.addr {
            IpAddr::V4(_) => (130, 4),
            IpAddr::V6(_) => (131, 16),
        };
        let fields = [
            FieldSpec::iana(149, 4),
            FieldSpec::iana(id, len),
            FieldSpec::iana(217, 2),
        ];
        let m = match self
            .remap
            .define(self.source, in_domain, EXPORTER_TID, 1, &fields)
        {
            Ok(m) => m,
            Err(e) => {
                self.problems.push(e.to_string());
                return;
            }
        };
        let def = TemplateDef {
            id: m.id,
            scope_count: 1,
            fields: fields.to_vec(),
        };
        let mut rec = Vec::with_capacity(22);
        rec.extend_from_slice(&out_domain.to_be_bytes());
        match self.exporter.addr {
            IpAddr::V4(a) => rec.extend_from_slice(&a.octets()),
            IpAddr::V6(a) => rec.extend_from_slice(&a.octets()),
        }
        rec.extend_from_slice(&self.exporter.port.to_be_bytes());
        let r = self
            .w
            .define(out_domain, def)
            .and_then(|()| self.w.record(out_domain, export, m.id, &rec));
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }
}

impl<W: Write> Visitor for Feed<'_, W> {
    fn template(&mut self, m: &MessageCtx, t: &Arc<Template>, _offset: u64, _c: bool) -> Flow {
        let d = m.header.domain;
        match self.remap.define_template(self.source, d, t) {
            Ok(mapped) => {
                self.announce(d, mapped.domain, m.header.export_time);
                if mapped.fresh {
                    let def = TemplateDef {
                        id: mapped.id,
                        scope_count: t.scope_count,
                        fields: t.fields.iter().map(|f| f.field_spec()).collect(),
                    };
                    if let Err(e) = self.w.define(mapped.domain, def) {
                        self.error.get_or_insert(e);
                        return Flow::Stop;
                    }
                }
            }
            Err(e) => self.problems.push(e.to_string()),
        }
        Flow::Continue
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, _options: bool) -> Flow {
        if let Some(id) = id {
            self.remap.withdraw(self.source, m.header.domain, id);
        }
        Flow::Continue
    }

    fn record(&mut self, r: &RecordRef<'_>) -> Flow {
        let d = r.domain();
        let Some((od, oid)) = self.remap.lookup(self.source, d, r.template.id) else {
            return Flow::Continue;
        };
        let bytes: &[u8] = if r.template.has_lists() {
            self.copy.clear();
            match self
                .remap
                .copy_record(self.source, d, r.template, r.data, r.scope, self.copy)
            {
                Ok(()) => self.copy,
                Err(_) => r.data,
            }
        } else {
            r.data
        };
        if let Err(e) = self.w.record(od, r.msg.header.export_time, oid, bytes) {
            self.error.get_or_insert(e);
            return Flow::Stop;
        }
        self.records += 1;
        Flow::Continue
    }

    fn problem(&mut self, e: &DecodeError) -> Flow {
        if e.severity() == crate::ipfix::error::Severity::Error {
            self.errors += 1;
        }
        self.problems.push(e.to_string());
        Flow::Continue
    }
}

/// What a UDP payload is.
fn kind(p: &[u8]) -> Option<u16> {
    let be16 = |o: usize| u16::from_be_bytes([p[o], p[o + 1]]) as usize;
    match p {
        [0, 10, ..] if p.len() >= 16 && be16(2) == p.len() => Some(10),
        [0, 5, ..] if p.len() >= 24 && 24 + 48 * be16(2) == p.len() && be16(2) > 0 => Some(5),
        // v9 says no length: its FlowSets must fill the datagram (zero padding after them
        // allowed).
        [0, 9, ..] if p.len() >= 24 => match netflow::packet_len(p) {
            Ok(n) if n > 20 && p[n..].iter().all(|&b| b == 0) => Some(9),
            _ => None,
        },
        _ => None,
    }
}

impl<W: Write> Extractor<W> {
    pub fn new(out: W, model: Arc<InfoModel>, message_size: usize, port: Option<u16>) -> Self {
        Extractor {
            model,
            remap: Remapper::new(DomainPolicy::PerSource),
            w: MessageWriter::new(out, message_size),
            exporters: BTreeMap::new(),
            port,
            defrag: Defrag::default(),
            tcp: Some(super::tcp::Reassembler::new(TCP_HELD_MAX, TCP_STREAMS_MAX)),
            streams: BTreeMap::new(),
            at: 0,
            translated: Vec::new(),
            copy: Vec::new(),
            stats: Stats::default(),
            lines: Vec::new(),
            write_error: None,
            name: String::new(),
            names: Vec::new(),
            said: 0,
            unsaid: 0,
        }
    }

    /// The capture the next frames come from (for messages).
    pub fn capture(&mut self, name: &str) {
        self.name = name.to_string();
        self.names.push(self.name.clone());
        self.said = 0;
        self.unsaid = 0;
    }

    /// The problem lines of the capture so far, with a count of those not said.
    pub fn take_lines(&mut self) -> Vec<String> {
        let mut lines = std::mem::take(&mut self.lines);
        if self.unsaid > 0 {
            lines.push(format!(
                "{}: {} more problems not shown (--stats counts them all)",
                self.name, self.unsaid
            ));
            self.unsaid = 0;
        }
        lines
    }

    /// Whether writing the output failed (then nothing more is written).
    pub fn failed(&self) -> bool {
        self.write_error.is_some()
    }

    /// One captured frame.
    pub fn frame(&mut self, f: &Frame<'_>) {
        let offset = f.at;
        self.stats.frames += 1;
        let Some(link) = f.link else { return };
        let p = packet::parse(link, f.data);
        if p.protocol == Some(6) && self.write_error.is_none() {
            self.tcp_segment(&p, f);
            return;
        }
        if p.protocol != Some(17) || self.write_error.is_some() {
            return;
        }
        let (Some(src), Some(dst), Some(ip_at)) = (p.src_ip, p.dst_ip, p.ip_at) else {
            return;
        };
        let ip_end = (ip_at + p.ip_total_len.unwrap_or(0) as usize).min(f.data.len());
        let fragment = p.fragment_flags.is_some_and(|fl| fl & 0x20 != 0) || p.non_first_fragment;
        let datagram;
        let udp: &[u8] = if fragment {
            // The IP payload of this piece: after the headers read (for a first fragment,
            // from the UDP header on).
            let start = match (p.non_first_fragment, p.transport_at) {
                (true, _) => p.parsed,
                (false, Some(t)) => t,
                (false, None) => return,
            };
            let piece = f.data.get(start..ip_end).unwrap_or_default();
            let mut key = [0u8; 32];
            let a = |ip: IpAddr| match ip {
                IpAddr::V4(v) => v.to_ipv6_mapped().octets(),
                IpAddr::V6(v) => v.octets(),
            };
            key[..16].copy_from_slice(&a(src));
            key[16..].copy_from_slice(&a(dst));
            let id = p.fragment_id.unwrap_or(0);
            let offset = p.fragment_offset.unwrap_or(0) as u32 * 8;
            let more = p.fragment_flags.is_some_and(|fl| fl & 0x20 != 0);
            let mut dropped = 0;
            let whole = self
                .defrag
                .piece((key, id), offset, more, piece, &mut dropped);
            self.stats.fragments_dropped += dropped;
            match whole {
                Some(w) => {
                    self.stats.fragments_joined += 1;
                    datagram = w;
                    &datagram
                }
                None => return,
            }
        } else {
            match p.transport_at {
                Some(t) => f.data.get(t..ip_end).unwrap_or_default(),
                None => return,
            }
        };
        if udp.len() < 8 {
            return;
        }
        self.stats.udp += 1;
        let sport = u16::from_be_bytes([udp[0], udp[1]]);
        let dport = u16::from_be_bytes([udp[2], udp[3]]);
        let ulen = (u16::from_be_bytes([udp[4], udp[5]]) as usize).clamp(8, udp.len());
        if self.port.is_some_and(|want| want != dport && want != sport) {
            return;
        }
        let payload = &udp[8..ulen];
        let Some(version) = kind(payload) else {
            self.stats.other_udp += 1;
            return;
        };
        let key = ExporterKey {
            addr: src,
            port: sport,
            tcp: false,
        };
        let offset = offset
            + (payload.as_ptr() as usize)
                .wrapping_sub(f.data.as_ptr() as usize)
                .min(f.data.len()) as u64;
        self.export_packet(key, version, payload, offset);
    }

    fn export_packet(&mut self, key: ExporterKey, version: u16, payload: &[u8], offset: u64) {
        let next = self.exporters.len() as u32;
        let model = &self.model;
        let seen_in = self.names.len().saturating_sub(1);
        let e = self.exporters.entry(key).or_insert_with(|| Exporter {
            source: next,
            seen_in,
            session: Session::new(model.clone()),
            translator: Translator::new(),
            announced: BTreeSet::new(),
        });
        e.seen_in = seen_in;
        let mut feed = Feed {
            remap: &mut self.remap,
            w: &mut self.w,
            source: e.source,
            exporter: key,
            announced: &mut e.announced,
            copy: &mut self.copy,
            records: 0,
            problems: Vec::new(),
            errors: 0,
            error: None,
        };
        match version {
            10 => {
                self.stats.ipfix += 1;
                e.session
                    .process_message(payload, offset, self.stats.ipfix, 10, &mut feed);
            }
            v => {
                if v == 9 {
                    self.stats.v9 += 1;
                } else {
                    self.stats.v5 += 1;
                }
                self.translated.clear();
                match e.translator.translate(payload, &mut self.translated) {
                    Ok(t) => {
                        for p in &t.problems {
                            feed.problems.push(p.to_string());
                        }
                    }
                    Err(p) => {
                        feed.errors += 1;
                        feed.problems.push(p.to_string());
                    }
                }
                let mut at = 0;
                while at + MessageHeader::LEN <= self.translated.len() {
                    let b = &self.translated[at..];
                    let len = (u16::from_be_bytes([b[2], b[3]]) as usize).clamp(16, b.len());
                    e.session
                        .process_message(&b[..len], offset, 0, v, &mut feed);
                    at += len;
                }
            }
        }
        self.stats.records += feed.records;
        self.stats.errors += feed.errors;
        if let Some(err) = feed.error.take() {
            self.write_error.get_or_insert(err);
        }
        for p in feed.problems {
            self.stats.problems += 1;
            if self.said >= PROBLEM_LINES {
                self.unsaid += 1;
            } else {
                self.said += 1;
                self.lines.push(format!(
                    "{}: exporter {}:{}: {p}",
                    self.name,
                    fmt_addr(key.addr),
                    key.port
                ));
            }
        }
    }

    /// A TCP segment: into its stream, whose chunks become messages.
    fn tcp_segment(&mut self, p: &packet::Packet, f: &Frame<'_>) {
        let (Some(src), Some(dst), Some(ip_at), Some(t)) =
            (p.src_ip, p.dst_ip, p.ip_at, p.transport_at)
        else {
            return;
        };
        let d = f.data;
        if p.non_first_fragment || d.len() < t + 20 {
            return;
        }
        let sport = u16::from_be_bytes([d[t], d[t + 1]]);
        let dport = u16::from_be_bytes([d[t + 2], d[t + 3]]);
        if self.port.is_some_and(|want| want != dport && want != sport) {
            return;
        }
        let seq = u32::from_be_bytes([d[t + 4], d[t + 5], d[t + 6], d[t + 7]]);
        let header = (d[t + 12] >> 4) as usize * 4;
        let ip_end = (ip_at + p.ip_total_len.unwrap_or(0) as usize).min(d.len());
        let payload = d.get(t + header..ip_end).unwrap_or_default();
        let a = |ip: IpAddr| match ip {
            IpAddr::V4(v) => v.to_ipv6_mapped().octets(),
            IpAddr::V6(v) => v.octets(),
        };
        let key = super::tcp::StreamKey {
            src: a(src),
            sport,
            dst: a(dst),
            dport,
        };
        self.at = f.at;
        let exporter = ExporterKey {
            addr: src,
            port: sport,
            tcp: true,
        };
        let Some(mut tcp) = self.tcp.take() else {
            return;
        };
        let flags = p.tcp_flags.unwrap_or(0);
        tcp.segment(key, seq, flags, payload, &mut |k, c| {
            self.chunk(k, exporter, c)
        });
        self.tcp = Some(tcp);
    }

    /// A chunk of a TCP stream: whole IPFIX messages are decoded, the rest kept.
    fn chunk(
        &mut self,
        k: &super::tcp::StreamKey,
        exporter: ExporterKey,
        c: super::tcp::Chunk<'_>,
    ) {
        use super::tcp::Chunk;
        let mut sb = self.streams.remove(k).unwrap_or_default();
        match c {
            Chunk::End => return,
            Chunk::Gap(_) => {
                sb.buf.clear();
                sb.resync = true;
            }
            Chunk::Data(d) if sb.ipfix != Some(false) => {
                if sb.buf.is_empty() {
                    let used = self.messages(&mut sb, exporter, d);
                    sb.buf.extend_from_slice(&d[used..]);
                } else {
                    sb.buf.extend_from_slice(d);
                    let buf = std::mem::take(&mut sb.buf);
                    let used = self.messages(&mut sb, exporter, &buf);
                    sb.buf = buf;
                    sb.buf.drain(..used);
                }
            }
            Chunk::Data(_) => {}
        }
        self.streams.insert(*k, sb);
    }

    /// Decodes the whole messages at the start of `b`; how many octets it used.
    fn messages(&mut self, sb: &mut StreamBuf, exporter: ExporterKey, b: &[u8]) -> usize {
        let mut at = 0;
        while b.len() - at >= 16 {
            let h = &b[at..];
            let len = u16::from_be_bytes([h[2], h[3]]) as usize;
            let export = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
            let domain = u32::from_be_bytes([h[12], h[13], h[14], h[15]]);
            // After a gap a header is looked for in what may be the middle of a message: only
            // one of a domain this stream had, exported within a day of its last message, is
            // taken for one; before any message was whole, one that the next header follows
            // right after (or the data ends with) is.
            let header = h[..2] == [0, 10] && len >= 16;
            let plausible = match (sb.resync, sb.last) {
                (false, _) => true,
                (true, Some((e, d))) => d == domain && export.abs_diff(e) <= 86_400,
                (true, None) if header && h.len() < len => break,
                (true, None) => h.len() == len || h.get(len..len + 2) == Some(&[0, 10][..]),
            };
            if !header || !plausible {
                match sb.ipfix {
                    // Not an IPFIX stream (HTTP, anything): nothing of it is kept.
                    None => {
                        sb.ipfix = Some(false);
                        return b.len();
                    }
                    _ => {
                        // Skip to the next thing that looks like a message header.
                        sb.resync = true;
                        self.stats.tcp_skipped += 1;
                        at += 1;
                        continue;
                    }
                }
            }
            // A message header: the stream is IPFIX from here on, even if this message is
            // still incomplete (a gap inside it must not make the stream look like another
            // protocol).
            if sb.ipfix.is_none() {
                self.stats.tcp_streams += 1;
            }
            sb.ipfix = Some(true);
            if h.len() < len {
                break;
            }
            sb.resync = false;
            sb.last = Some((export, domain));
            let offset = self.at;
            self.export_packet(exporter, 10, &h[..len], offset);
            at += len;
        }
        at
    }

    /// Ends the TCP streams (what they hold is decoded as far as it goes).
    pub fn end_streams(&mut self) {
        if let Some(mut tcp) = self.tcp.take() {
            tcp.finish(&mut |k, c| {
                let exporter = ExporterKey {
                    addr: ip_of(&k.src),
                    port: k.sport,
                    tcp: true,
                };
                self.chunk(k, exporter, c)
            });
            self.tcp = Some(tcp);
        }
        self.streams.clear();
    }

    /// The end of the run: data sets still waiting for their template are said (IPFIX:
    /// an error, the records are lost; NetFlow v9 FlowSets: a warning, as `cat` says them).
    pub fn end_exporters(&mut self) {
        let keys: Vec<ExporterKey> = self.exporters.keys().copied().collect();
        for key in keys {
            let e = self.exporters.get_mut(&key).expect("a key of the map");
            let seen_in = e.seen_in;
            let mut feed = Feed {
                remap: &mut self.remap,
                w: &mut self.w,
                source: e.source,
                exporter: key,
                announced: &mut e.announced,
                copy: &mut self.copy,
                records: 0,
                problems: Vec::new(),
                errors: 0,
                error: None,
            };
            e.session.end_input(&mut feed);
            let mut held: BTreeMap<(u32, u16), (u64, usize)> = BTreeMap::new();
            for (source, template, octets) in e.translator.held() {
                let h = held.entry((source, template)).or_default();
                *h = (h.0 + 1, h.1 + octets);
            }
            for ((source, template), (sets, octets)) in held {
                feed.problems.push(format!(
                    "warning: {sets} v9 FlowSet(s) ({octets} octets) of template {template} (source ID {source}) never got their template; left out"
                ));
            }
            self.stats.errors += feed.errors;
            if let Some(err) = feed.error.take() {
                self.write_error.get_or_insert(err);
            }
            for p in feed.problems {
                self.stats.problems += 1;
                let name = self.names.get(seen_in).map_or("", String::as_str);
                self.lines.push(format!(
                    "{name}: exporter {}:{}: {p}",
                    fmt_addr(key.addr),
                    key.port
                ));
            }
        }
    }

    /// Which output domain each (exporter, domain) became: `--stats` lines.
    pub fn mapping(&self) -> Vec<String> {
        let by_source: BTreeMap<u32, &ExporterKey> =
            self.exporters.iter().map(|(k, e)| (e.source, k)).collect();
        self.remap
            .domains()
            .filter_map(|((source, domain), out)| {
                let k = by_source.get(&source)?;
                Some(format!(
                    "exporter {}:{}{} domain {domain} -> output domain {out}",
                    fmt_addr(k.addr),
                    k.port,
                    if k.tcp { " (TCP)" } else { "" }
                ))
            })
            .collect()
    }

    /// Writes what is pending and returns the output.
    pub fn finish(self) -> Result<(W, Stats), WriteError> {
        if let Some(e) = self.write_error {
            return Err(e);
        }
        let out = self.w.finish()?;
        Ok((out, self.stats))
    }
}

/// The address of a stream key's 16 octets (IPv4-mapped ones as IPv4).
fn ip_of(b: &[u8; 16]) -> IpAddr {
    let v6 = std::net::Ipv6Addr::from(*b);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

fn fmt_addr(a: IpAddr) -> String {
    match a {
        IpAddr::V4(v) => v.to_string(),
        IpAddr::V6(v) => format!("[{v}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defrag_joins_pieces_in_any_order_once() {
        let mut d = Defrag::default();
        let k = ([1u8; 32], 7);
        let mut dropped = 0;
        let data: Vec<u8> = (0..100u8).collect();
        assert!(d.piece(k, 80, false, &data[80..], &mut dropped).is_none());
        assert!(d.piece(k, 0, true, &data[..40], &mut dropped).is_none());
        // A repeat is ignored; the hole at 40..80 still stops it.
        assert!(d.piece(k, 0, true, &data[..40], &mut dropped).is_none());
        let whole = d.piece(k, 40, true, &data[40..80], &mut dropped).unwrap();
        assert_eq!(whole, data);
        assert_eq!(d.octets, 0);
        assert!(d.held.is_empty());
        // Another datagram with the same key starts afresh.
        assert!(d.piece(k, 0, true, &data[..8], &mut dropped).is_none());
        assert_eq!(dropped, 0);
    }

    #[test]
    fn defrag_memory_is_bounded() {
        let mut d = Defrag::default();
        let mut dropped = 0;
        let piece = vec![0u8; 60_000];
        for id in 0..1000u32 {
            // First pieces only: none ever completes.
            d.piece(([0; 32], id), 0, true, &piece, &mut dropped);
            assert!(d.octets <= DEFRAG_MAX);
        }
        assert!(dropped > 700, "{dropped}");
        assert!(d.order.len() <= 2 * d.held.len() + 1024 + 1);
    }

    #[test]
    fn export_packets_are_told_by_content() {
        let mut ipfix = vec![0, 10, 0, 20];
        ipfix.resize(20, 0);
        assert_eq!(kind(&ipfix), Some(10));
        ipfix[3] = 21;
        assert_eq!(kind(&ipfix), None);
        let mut v5 = vec![0, 5, 0, 1];
        v5.resize(24 + 48, 0);
        assert_eq!(kind(&v5), Some(5));
        assert_eq!(kind(&v5[..70]), None);
        assert_eq!(kind(b"GET / HTTP/1.1\r\n\r\n"), None);
    }
}
