//! NetFlow v9 (RFC 3954) and v5 export packets written from IPFIX templates and records: the
//! inverse of [`super::netflow`], for `gen --netflow`. Pure codec over [`Write`]; each packet
//! goes out with one `write_all` (so a packet-framing sink such as `gen --pcap` sees one
//! packet per write).
//!
//! The caller speaks IPFIX as it does to [`super::writer::MessageWriter`]: it defines
//! templates per observation domain (the v9 Source ID; v5's engine type and ID as
//! `domain >> 8` and `domain & 0xff`) and hands over encoded records with an export time in
//! seconds. What differs:
//!
//! - Times. NetFlow carries flow times as milliseconds since the exporter booted
//!   (FIRST_SWITCHED/LAST_SWITCHED, 22/21) against the header's sysUptime and unix seconds.
//!   Each domain has a boot time ([`NetflowWriter::boot`]); a header says
//!   `sysUptime = unix_secs * 1000 - boot`, so the translator's
//!   `unix_secs * 1000 - (sysUptime - uptime)` gives back the exact milliseconds. In v9 a
//!   template's flowStart/EndMilliseconds (152/153, 8 octets) become 4-octet uptimes, unless
//!   the template has the uptimes already (then 152/153 are left out: the translator adds
//!   them back from the uptimes).
//! - v9 templates go out in the first packet of a source, again every `refresh` packets of
//!   it (Cisco's default is 20) and whenever one is (re)defined; options templates with them
//!   (IPFIX scope IEs become v9 scope types, [`super::netflow::V9_SCOPES`]), and each options
//!   template's last record is repeated with them. Data FlowSets are padded to 4 octets. The
//!   header counts template, options template and data records; the sequence counts packets
//!   per source.
//! - v5 has one record layout: the translator's [`super::netflow::v5_template`] (its 64
//!   octets become v5's 48, the millisecond times and the sampling fields going into the
//!   header's uptime and sampling word). At most 30 records per packet; the flow sequence
//!   counts the records before the packet, per engine.
//!
//! What NetFlow cannot carry is refused with a clear error: enterprise IEs, variable-length
//! fields (v9 has neither), IEs above 32767 (v9 reads those as vendor types), and any other
//! layout in v5.

use super::netflow::{V9_SCOPES, v5_template};
use super::types::VARLEN;
use super::writer::TemplateDef;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Which NetFlow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V5,
    V9,
}

/// Records per v5 packet (the format's limit).
pub const V5_MAX_RECORDS: usize = 30;
const V5_HEADER: usize = 24;
const V9_HEADER: usize = 20;

/// How one IPFIX record becomes a v9 record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Octets copied as they are.
    Copy { from: usize, len: usize },
    /// 8 octets of milliseconds since 1970 as 4 octets of uptime.
    Uptime { from: usize },
    /// Octets dropped (152/153 when the template has the uptimes already).
    Skip,
}

/// A template as v9 writes it.
struct Plan {
    scope_count: u16,
    /// v9 (type, length) of every field, scope fields first.
    fields: Vec<(u16, u16)>,
    ops: Vec<Op>,
    in_len: usize,
    out_len: usize,
}

#[derive(Default)]
struct Source {
    boot_ms: u64,
    templates: BTreeMap<u16, Plan>,
    /// The last record of each options template, repeated with the templates.
    options: BTreeMap<u16, Vec<u8>>,
    /// Templates are due in the next packet.
    due: bool,
    /// Packets written (v9 sequence) / records written (v5 flow sequence).
    packets: u32,
    flows: u32,
}

/// Why a NetFlow write failed.
#[derive(Debug)]
pub enum NfError {
    Io(io::Error),
    /// What NetFlow cannot carry, said in a sentence.
    Unsupported(String),
}

impl std::fmt::Display for NfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NfError::Io(e) => write!(f, "{e}"),
            NfError::Unsupported(s) => f.write_str(s),
        }
    }
}

impl From<io::Error> for NfError {
    fn from(e: io::Error) -> Self {
        NfError::Io(e)
    }
}

/// Writes NetFlow packets of at most `limit` octets.
pub struct NetflowWriter<W: Write> {
    out: W,
    version: Version,
    limit: usize,
    refresh: u32,
    sources: BTreeMap<u32, Source>,
    /// The packet being built (its header a placeholder until it is written).
    buf: Vec<u8>,
    cur_domain: u32,
    cur_time: u32,
    /// Records in the packet (v9: templates included).
    count: u16,
    /// (template ID, start in buf) of the data FlowSet being filled.
    open_set: Option<(u16, usize)>,
    packets: u64,
}

impl<W: Write> NetflowWriter<W> {
    /// `limit`: the largest packet (v9; v5 packets are at most 24 + 30 × 48 octets anyway);
    /// `refresh`: v9 templates again every so many packets of a source (at least 1).
    pub fn new(out: W, version: Version, limit: usize, refresh: u32) -> Self {
        NetflowWriter {
            out,
            version,
            limit: limit.clamp(V9_HEADER + 64, 65535),
            refresh: refresh.max(1),
            sources: BTreeMap::new(),
            buf: Vec::with_capacity(limit.min(65535)),
            cur_domain: 0,
            cur_time: 0,
            count: 0,
            open_set: None,
            packets: 0,
        }
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Sets the boot time of a domain's exporter, milliseconds since 1970.
    pub fn boot(&mut self, domain: u32, boot_ms: u64) {
        self.sources.entry(domain).or_default().boot_ms = boot_ms;
    }

    /// Defines a template in a domain (v9: written before its next record; v5: only the
    /// v5 layout).
    pub fn define(&mut self, domain: u32, def: &TemplateDef) -> Result<(), NfError> {
        if self.version == Version::V5 {
            if def.scope_count != 0 || def.fields != v5_template().fields {
                return Err(NfError::Unsupported(
                    "NetFlow v5 has one record layout: the netflow5 profile's".into(),
                ));
            }
            self.sources.entry(domain).or_default();
            return Ok(());
        }
        let plan = plan(def)?;
        if V9_HEADER + 4 + 4 + 4 * plan.fields.len() + 4 > self.limit {
            return Err(NfError::Unsupported(format!(
                "template {} does not fit in a packet of at most {} octets",
                def.id, self.limit
            )));
        }
        if self.cur_domain == domain && !self.buf.is_empty() {
            self.flush_packet()?;
        }
        let s = self.sources.entry(domain).or_default();
        s.templates.insert(def.id, plan);
        s.options.remove(&def.id);
        s.due = true;
        Ok(())
    }

    /// Appends one record of template `tid` (encoded as IPFIX) exported at `export_time`.
    pub fn record(
        &mut self,
        domain: u32,
        export_time: u32,
        tid: u16,
        data: &[u8],
    ) -> Result<(), NfError> {
        match self.version {
            Version::V5 => self.v5_record(domain, export_time, data),
            Version::V9 => self.v9_record(domain, export_time, tid, data),
        }
    }

    fn v9_record(
        &mut self,
        domain: u32,
        export_time: u32,
        tid: u16,
        data: &[u8],
    ) -> Result<(), NfError> {
        let Some(s) = self.sources.get_mut(&domain) else {
            return Err(unknown(domain, tid));
        };
        let Some(p) = s.templates.get(&tid) else {
            return Err(unknown(domain, tid));
        };
        if data.len() != p.in_len {
            return Err(NfError::Unsupported(format!(
                "a record of {} octets for template {tid} of {} octets",
                data.len(),
                p.in_len
            )));
        }
        let out_len = p.out_len;
        let options = p.scope_count > 0;
        if options {
            s.options.insert(tid, data.to_vec());
        }
        let same_set = self.open_set.is_some_and(|(t, _)| t == tid);
        let extra = out_len + if same_set { 0 } else { 4 } + 3;
        if !self.buf.is_empty()
            && (self.cur_domain != domain
                || self.cur_time != export_time
                || self.buf.len() + extra > self.limit)
        {
            self.flush_packet()?;
        }
        // When the templates open the packet, they carry this options record.
        if self.buf.is_empty() && self.open(domain, export_time)? && options {
            return Ok(());
        }
        if V9_HEADER + 4 + out_len + 3 > self.limit {
            return Err(NfError::Unsupported(format!(
                "a record of {out_len} octets does not fit in a packet of at most {} octets",
                self.limit
            )));
        }
        if self.open_set.map(|s| s.0) != Some(tid) {
            self.close_set();
            self.open_set = Some((tid, self.buf.len()));
            self.buf.extend_from_slice(&tid.to_be_bytes());
            self.buf.extend_from_slice(&[0, 0]);
        }
        let s = &self.sources[&domain];
        convert(&s.templates[&tid], data, s.boot_ms, &mut self.buf);
        self.count = self.count.wrapping_add(1);
        Ok(())
    }

    /// Starts a v9 packet, with the source's templates when they are due (then `true`).
    fn open(&mut self, domain: u32, export_time: u32) -> Result<bool, NfError> {
        self.buf.resize(V9_HEADER, 0);
        self.cur_domain = domain;
        self.cur_time = export_time;
        self.count = 0;
        self.open_set = None;
        let refresh = self.refresh;
        let s = self.sources.get_mut(&domain).expect("defined");
        if !(s.due || s.packets % refresh == 0) {
            return Ok(false);
        }
        s.due = false;
        for (set_id, options) in [(0u16, false), (1, true)] {
            let start = self.buf.len();
            for (&id, p) in s
                .templates
                .iter()
                .filter(|t| (t.1.scope_count > 0) == options)
            {
                if self.buf.len() == start {
                    self.buf.extend_from_slice(&set_id.to_be_bytes());
                    self.buf.extend_from_slice(&[0, 0]);
                }
                self.buf.extend_from_slice(&id.to_be_bytes());
                if options {
                    let scope = 4 * p.scope_count;
                    let rest = 4 * (p.fields.len() as u16 - p.scope_count);
                    self.buf.extend_from_slice(&scope.to_be_bytes());
                    self.buf.extend_from_slice(&rest.to_be_bytes());
                } else {
                    self.buf
                        .extend_from_slice(&(p.fields.len() as u16).to_be_bytes());
                }
                for (t, l) in &p.fields {
                    self.buf.extend_from_slice(&t.to_be_bytes());
                    self.buf.extend_from_slice(&l.to_be_bytes());
                }
                self.count += 1;
            }
            if self.buf.len() > start {
                pad(&mut self.buf, start);
            }
        }
        for (id, rec) in &s.options {
            let start = self.buf.len();
            self.buf.extend_from_slice(&id.to_be_bytes());
            self.buf.extend_from_slice(&[0, 0]);
            convert(&s.templates[id], rec, s.boot_ms, &mut self.buf);
            pad(&mut self.buf, start);
            self.count += 1;
        }
        if self.buf.len() > self.limit {
            return Err(NfError::Unsupported(format!(
                "the templates of domain {domain} take {} octets, more than a packet of at most {} octets",
                self.buf.len(),
                self.limit
            )));
        }
        Ok(true)
    }

    fn close_set(&mut self) {
        if let Some((_, start)) = self.open_set.take() {
            pad(&mut self.buf, start);
        }
    }

    fn v5_record(&mut self, domain: u32, export_time: u32, r: &[u8]) -> Result<(), NfError> {
        if !self.sources.contains_key(&domain) {
            return Err(unknown(domain, super::netflow::V5_TEMPLATE));
        }
        if domain > 0xffff {
            return Err(NfError::Unsupported(format!(
                "domain {domain}: v5 has 8 bits each of engine type and engine ID"
            )));
        }
        if r.len() != 64 {
            return Err(NfError::Unsupported(format!(
                "a v5 record of {} octets (64 expected)",
                r.len()
            )));
        }
        if !self.buf.is_empty()
            && (self.cur_domain != domain
                || self.cur_time != export_time
                || self.count as usize == V5_MAX_RECORDS)
        {
            self.flush_packet()?;
        }
        if self.buf.is_empty() {
            self.buf.resize(V5_HEADER, 0);
            self.cur_domain = domain;
            self.cur_time = export_time;
            self.count = 0;
            let interval = u16::from_be_bytes([r[62], r[63]]);
            if interval > 0x3fff {
                return Err(NfError::Unsupported(format!(
                    "a sampling interval of {interval}: v5 has 14 bits for it"
                )));
            }
            let word = (r[61] as u16 & 3) << 14 | interval;
            self.buf[22..24].copy_from_slice(&word.to_be_bytes());
        }
        self.buf.extend_from_slice(&r[..36]);
        self.buf.push(0);
        self.buf.extend_from_slice(&r[36..45]);
        self.buf.extend_from_slice(&[0, 0]);
        self.count += 1;
        Ok(())
    }

    /// Completes and writes the packet being built, if any.
    pub fn flush_packet(&mut self) -> Result<(), NfError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.close_set();
        let s = self.sources.get_mut(&self.cur_domain).expect("defined");
        let export_ms = self.cur_time as u64 * 1000;
        let uptime = export_ms.wrapping_sub(s.boot_ms) as u32;
        let b = &mut self.buf;
        match self.version {
            Version::V9 => {
                b[0..2].copy_from_slice(&9u16.to_be_bytes());
                b[2..4].copy_from_slice(&self.count.to_be_bytes());
                b[4..8].copy_from_slice(&uptime.to_be_bytes());
                b[8..12].copy_from_slice(&self.cur_time.to_be_bytes());
                b[12..16].copy_from_slice(&s.packets.to_be_bytes());
                b[16..20].copy_from_slice(&self.cur_domain.to_be_bytes());
            }
            Version::V5 => {
                b[0..2].copy_from_slice(&5u16.to_be_bytes());
                b[2..4].copy_from_slice(&self.count.to_be_bytes());
                b[4..8].copy_from_slice(&uptime.to_be_bytes());
                b[8..12].copy_from_slice(&self.cur_time.to_be_bytes());
                b[12..16].fill(0);
                b[16..20].copy_from_slice(&s.flows.to_be_bytes());
                b[20] = (self.cur_domain >> 8) as u8;
                b[21] = self.cur_domain as u8;
                s.flows = s.flows.wrapping_add(self.count as u32);
            }
        }
        s.packets = s.packets.wrapping_add(1);
        self.out.write_all(&self.buf)?;
        self.packets += 1;
        self.buf.clear();
        self.open_set = None;
        self.count = 0;
        Ok(())
    }

    /// Writes what is pending and returns the output.
    pub fn finish(mut self) -> Result<W, NfError> {
        self.flush_packet()?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn unknown(domain: u32, tid: u16) -> NfError {
    NfError::Unsupported(format!(
        "record for template {tid} in domain {domain}, which is not defined"
    ))
}

/// Pads the FlowSet that starts at `start` to 4 octets and writes its length.
fn pad(buf: &mut Vec<u8>, start: usize) {
    while (buf.len() - start) % 4 != 0 {
        buf.push(0);
    }
    let len = (buf.len() - start) as u16;
    buf[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
}

/// The v9 shape of an IPFIX template.
fn plan(def: &TemplateDef) -> Result<Plan, NfError> {
    let has = |id: u16| def.fields.iter().any(|f| f.pen == 0 && f.id == id);
    let uptimes = has(22) || has(21);
    let mut p = Plan {
        scope_count: def.scope_count,
        fields: Vec::with_capacity(def.fields.len()),
        ops: Vec::with_capacity(def.fields.len()),
        in_len: 0,
        out_len: 0,
    };
    for (i, f) in def.fields.iter().enumerate() {
        let what = || format!("template {}, field {} ({}/{})", def.id, i + 1, f.pen, f.id);
        if f.pen != 0 {
            return Err(NfError::Unsupported(format!(
                "{}: NetFlow v9 has no enterprise fields",
                what()
            )));
        }
        if f.len == VARLEN {
            return Err(NfError::Unsupported(format!(
                "{}: NetFlow v9 has no variable-length fields",
                what()
            )));
        }
        if f.id > 32767 {
            return Err(NfError::Unsupported(format!(
                "{}: v9 reads field types above 32767 as vendor types",
                what()
            )));
        }
        let from = p.in_len;
        let len = f.len as usize;
        p.in_len += len;
        let scope = (i as u16) < def.scope_count;
        let time = matches!(f.id, 152 | 153) && f.len == 8 && !scope;
        let (ty, l, op) = if time && uptimes {
            p.ops.push(Op::Skip);
            continue;
        } else if time {
            (if f.id == 152 { 22 } else { 21 }, 4, Op::Uptime { from })
        } else if scope {
            match V9_SCOPES.iter().find(|s| s.1 == f.id) {
                Some(&(ty, _)) => (ty, f.len, Op::Copy { from, len }),
                None => {
                    return Err(NfError::Unsupported(format!(
                        "{}: v9 scopes are System, Interface, Line Card, Cache and Template",
                        what()
                    )));
                }
            }
        } else {
            (f.id, f.len, Op::Copy { from, len })
        };
        p.out_len += l as usize;
        p.fields.push((ty, l));
        // Adjacent copies merge: one copy per run of plain fields.
        match (p.ops.last_mut(), op) {
            (Some(Op::Copy { from: a, len: n }), Op::Copy { from, len }) if *a + *n == from => {
                *n += len
            }
            _ => p.ops.push(op),
        }
    }
    p.ops.retain(|o| *o != Op::Skip);
    if p.fields.is_empty() {
        return Err(NfError::Unsupported(format!(
            "template {}: no field v9 can carry",
            def.id
        )));
    }
    Ok(p)
}

/// Appends the v9 form of IPFIX record `r` (of `p.in_len` octets).
fn convert(p: &Plan, r: &[u8], boot_ms: u64, out: &mut Vec<u8>) {
    for op in &p.ops {
        match *op {
            Op::Copy { from, len } => out.extend_from_slice(&r[from..from + len]),
            Op::Uptime { from } => {
                let ms = u64::from_be_bytes(r[from..from + 8].try_into().expect("8 octets"));
                out.extend_from_slice(&(ms.wrapping_sub(boot_ms) as u32).to_be_bytes());
            }
            Op::Skip => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::netflow::{Translator, packet_len};
    use crate::ipfix::template::FieldSpec;

    fn def(id: u16, scope_count: u16, fields: &[(u16, u16)]) -> TemplateDef {
        TemplateDef {
            id,
            scope_count,
            fields: fields.iter().map(|&(i, l)| FieldSpec::iana(i, l)).collect(),
        }
    }

    /// Times go out as uptimes and come back through the translator as the same
    /// milliseconds; templates are repeated every `refresh` packets.
    #[test]
    fn v9_round_trips_times_and_refreshes_templates() {
        let mut w = NetflowWriter::new(Vec::new(), Version::V9, 64 + 20, 2);
        let boot = 1_700_000_000_000 - 3_600_000;
        w.boot(7, boot);
        w.define(7, &def(300, 0, &[(8, 4), (152, 8), (153, 8), (2, 4)]))
            .unwrap();
        let mut rec = Vec::new();
        for i in 0..8u64 {
            rec.clear();
            rec.extend_from_slice(&[192, 0, 2, i as u8]);
            rec.extend_from_slice(&(1_700_000_000_000 + i).to_be_bytes());
            rec.extend_from_slice(&(1_700_000_000_500 + i).to_be_bytes());
            rec.extend_from_slice(&(i as u32).to_be_bytes());
            w.record(7, 1_700_000_001, 300, &rec).unwrap();
        }
        let bytes = w.finish().unwrap();
        let mut t = Translator::new();
        let mut ipfix = Vec::new();
        let (mut at, mut packets, mut with_templates) = (0, 0, 0);
        while at < bytes.len() {
            let n = packet_len(&bytes[at..]).unwrap();
            let p = &bytes[at..at + n];
            assert_eq!(&p[0..2], &[0, 9]);
            assert_eq!(u32::from_be_bytes(p[12..16].try_into().unwrap()), packets);
            assert_eq!(u32::from_be_bytes(p[16..20].try_into().unwrap()), 7);
            with_templates += (u16::from_be_bytes([p[20], p[21]]) == 0) as u32;
            let tr = t.translate(p, &mut ipfix).unwrap();
            assert!(tr.problems.is_empty(), "{:?}", tr.problems);
            at += n;
            packets += 1;
        }
        let (records, problems, _) = crate::ipfix::netflow::tests::decode_pub(&ipfix);
        assert!(problems.is_empty(), "{problems:?}");
        let flows: Vec<&String> = records
            .iter()
            .filter(|r| r.contains("packetDelta"))
            .collect();
        assert_eq!(flows.len(), 8);
        for (i, r) in flows.iter().enumerate() {
            let start = format!("flowStartMilliseconds=2023-11-14T22:13:20.00{i}Z");
            let end = format!("flowEndMilliseconds=2023-11-14T22:13:20.50{i}Z");
            assert!(r.contains(&start) && r.contains(&end), "{r}");
        }
        assert!(packets >= 4, "{packets} packets");
        assert_eq!(with_templates, packets.div_ceil(2));
    }

    #[test]
    fn what_v9_cannot_carry_is_refused() {
        let mut w = NetflowWriter::new(Vec::new(), Version::V9, 1400, 20);
        let e = |d: TemplateDef, w: &mut NetflowWriter<Vec<u8>>| w.define(1, &d).unwrap_err();
        let mut ent = def(256, 0, &[(8, 4)]);
        ent.fields[0].pen = 29305;
        assert!(e(ent, &mut w).to_string().contains("enterprise"));
        let var = def(256, 0, &[(82, VARLEN)]);
        assert!(e(var, &mut w).to_string().contains("variable-length"));
        let scope = def(256, 1, &[(8, 4), (34, 4)]);
        assert!(e(scope, &mut w).to_string().contains("scopes"));
        let mut v5 = NetflowWriter::new(Vec::new(), Version::V5, 1400, 20);
        assert!(v5.define(1, &def(256, 0, &[(8, 4)])).is_err());
    }

    #[test]
    fn v5_packets_hold_thirty_records_and_count_flows() {
        let mut w = NetflowWriter::new(Vec::new(), Version::V5, 1400, 20);
        w.boot(0x0102, 1_000);
        w.define(0x0102, &v5_template()).unwrap();
        let mut r = [0u8; 64];
        r[61] = 1;
        r[62..64].copy_from_slice(&100u16.to_be_bytes());
        for _ in 0..31 {
            w.record(0x0102, 50, 256, &r).unwrap();
        }
        let b = w.finish().unwrap();
        assert_eq!(b.len(), 2 * 24 + 31 * 48);
        assert_eq!(&b[2..4], &30u16.to_be_bytes());
        assert_eq!(&b[4..8], &49_000u32.to_be_bytes());
        assert_eq!(&b[20..24], &[1, 2, 0x40, 100]);
        let second = &b[24 + 30 * 48..];
        assert_eq!(&second[2..4], &1u16.to_be_bytes());
        assert_eq!(&second[16..20], &30u32.to_be_bytes());
    }
}
