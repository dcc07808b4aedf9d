//! `gen`: synthetic, realistic IPFIX for fixtures, the same bytes for the same arguments.
//!
//! Records are made in chunks of `CHUNK`: chunk `k` draws from its own stream of the seed
//! (`rng::Rng::new(seed, k)`), so chunks can be made on any thread (`-j`) and the output
//! does not depend on which. Each chunk belongs to one observation domain (chunks go round
//! the `--domains` in turn) and is exported at one time: the end of its last-ending flow,
//! rounded up to the second, and never before the previous chunk's. Flow `i` starts at
//! `--start + (i + u) / --rate` seconds (`u` uniform in [0, 1)), so starts increase. The
//! records are then written in order through the one message writer (template IDs from 256
//! in each domain, sequence numbers per domain, messages up to `--message-size`).
//!
//! Options records: RFC 5610 type records for every enterprise IE a template uses (before
//! the templates), a PSAMP sampling record per domain with `--sampling N` (systematic
//! count-based selection: samplingPacketInterval 1, samplingPacketSpace N-1), and at the end
//! the RFC 5655 §8 file time window and export session details (unless `--no-metadata`).
//!
//! What a flow looks like is the `traffic` model's; which fields are written and from
//! which of its values is `layout`'s.

pub mod corrupt;
pub mod layout;
pub mod packets;
pub mod pcap;
pub mod rng;
pub mod traffic;

use crate::ipfix::nfwrite::{NetflowWriter, Version};
use crate::ipfix::template::FieldSpec;
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use crate::ipfix::{InfoModel, VARLEN};
use layout::Layout;
use rng::Rng;
use std::io::Write;

/// Records made from one stream, in one domain, exported at one time.
pub const CHUNK: u64 = 4096;

pub struct Opts<'a> {
    pub records: u64,
    pub seed: u64,
    pub layouts: Vec<Layout>,
    pub domains: u32,
    /// The first flow's start, ms since 1970.
    pub start_ms: u64,
    /// Flows per second of simulated time.
    pub rate: f64,
    pub message_size: usize,
    pub sampling: Option<u32>,
    pub metadata: bool,
    pub threads: usize,
    pub model: &'a std::sync::Arc<InfoModel>,
    /// IPFIX messages or NetFlow packets.
    pub wire: Wire,
    /// Each message or packet as a UDP datagram in a pcap.
    pub pcap: Option<pcap::UdpFlow>,
}

/// What the records are written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    Ipfix,
    /// NetFlow packets; v9 templates again every `refresh` packets of a source.
    Netflow {
        version: Version,
        refresh: u32,
    },
}

impl Wire {
    /// The wire form `--netflow` asks for (`None`: IPFIX), templates every `refresh` packets.
    pub fn of(netflow: Option<&str>, refresh: u32) -> Wire {
        match netflow {
            None => Wire::Ipfix,
            Some(v) => Wire::Netflow {
                version: if v == "5" { Version::V5 } else { Version::V9 },
                refresh,
            },
        }
    }

    /// NetFlow v5, which has one record layout.
    pub fn is_v5(self) -> bool {
        matches!(
            self,
            Wire::Netflow {
                version: Version::V5,
                ..
            }
        )
    }

    /// The profile of a run: the one given, else netflow5 for v5 and flow4 otherwise; v5
    /// takes neither another profile nor `--template`s.
    pub fn profile(
        self,
        given: Option<layout::Profile>,
        templates: bool,
    ) -> Result<layout::Profile, String> {
        use layout::Profile;
        match given {
            Some(p) if self.is_v5() && p != Profile::Netflow5 => {
                Err("--netflow 5 writes the netflow5 profile (v5 has one record layout)".into())
            }
            _ if self.is_v5() && templates => {
                Err("--netflow 5 has one record layout: no --template".into())
            }
            Some(p) => Ok(p),
            None if self.is_v5() => Ok(Profile::Netflow5),
            None => Ok(Profile::Flow4),
        }
    }
}

/// The one writer of a run: IPFIX messages, or NetFlow packets for `--netflow`.
enum Sink<'w> {
    Ipfix(MessageWriter<&'w mut dyn Write>),
    Netflow(NetflowWriter<&'w mut dyn Write>),
}

impl Sink<'_> {
    fn define(&mut self, domain: u32, def: TemplateDef) -> Result<(), String> {
        match self {
            Sink::Ipfix(w) => w.define(domain, def).map_err(|e| e.to_string()),
            Sink::Netflow(w) => w.define(domain, &def).map_err(|e| e.to_string()),
        }
    }

    fn record(&mut self, domain: u32, export: u32, tid: u16, data: &[u8]) -> Result<(), String> {
        match self {
            Sink::Ipfix(w) => w
                .record(domain, export, tid, data)
                .map_err(|e| e.to_string()),
            Sink::Netflow(w) => w
                .record(domain, export, tid, data)
                .map_err(|e| e.to_string()),
        }
    }
}

/// One chunk's records: their octets back to back, and (layout, length) of each.
struct Chunk {
    data: Vec<u8>,
    records: Vec<(u16, u32)>,
    first_start: u64,
    last_start: u64,
    min_end: u64,
    max_end: u64,
}

fn make_chunk(o: &Opts<'_>, model: &traffic::Model, k: u64) -> Chunk {
    let mut r = Rng::new(o.seed, k);
    let lo = k * CHUNK;
    let hi = (lo + CHUNK).min(o.records);
    let n = (hi - lo) as usize;
    let mut c = Chunk {
        data: Vec::with_capacity(n * o.layouts[0].fixed.unwrap_or(64)),
        records: Vec::with_capacity(n),
        first_start: u64::MAX,
        last_start: 0,
        min_end: u64::MAX,
        max_end: 0,
    };
    let per_ms = 1000.0 / o.rate;
    let boot = boot_ms(o.start_ms, domain(o, k));
    for i in lo..hi {
        let which = if o.layouts.len() == 1 {
            0
        } else {
            r.below(o.layouts.len() as u64) as usize
        };
        let l = &o.layouts[which];
        let start = o.start_ms + ((i as f64 + r.unit()) * per_ms) as u64;
        let mut flow = model.flow(&mut r, l.v6, start);
        flow.boot_ms = boot;
        flow.sampling = o.sampling.unwrap_or(0);
        let at = c.data.len();
        match l.profile {
            Some(p) => layout::put_profile(p, &flow, &mut c.data),
            None => {
                for f in &l.fields {
                    layout::put(f, &flow, &mut r, &mut c.data);
                }
            }
        }
        c.records.push((which as u16, (c.data.len() - at) as u32));
        c.first_start = c.first_start.min(flow.start_ms);
        c.last_start = c.last_start.max(flow.start_ms);
        c.min_end = c.min_end.min(flow.end_ms);
        c.max_end = c.max_end.max(flow.end_ms);
    }
    c
}

/// The largest message or packet for `--netflow` / `--pcap`: 1400 octets (an Ethernet MTU's
/// worth) when `asked` is the default 65535, and never more than a UDP datagram holds.
pub fn packet_size(o: &Opts<'_>, asked: u16) -> usize {
    let asked = if asked == u16::MAX {
        1400
    } else {
        asked as usize
    };
    match o.pcap {
        Some(p) if p.collector.is_ipv6() => asked.min(65527),
        Some(_) => asked.min(65507),
        None => asked,
    }
}

/// Whether NetFlow can carry the templates (said before anything is written), and the
/// exporter and collector are of one address family.
pub fn check(o: &Opts<'_>) -> Result<(), String> {
    if let Some(p) = o.pcap {
        if p.exporter.is_ipv6() != p.collector.is_ipv6() {
            return Err("--exporter and --collector must both be IPv4 or both IPv6".into());
        }
    }
    let Wire::Netflow { version, refresh } = o.wire else {
        return Ok(());
    };
    let v = if version == Version::V5 { 5 } else { 9 };
    if version == Version::V5 && o.sampling.is_some_and(|n| n > 0x3fff) {
        return Err("--netflow 5: the header has 14 bits for --sampling (at most 16383)".into());
    }
    let mut w = NetflowWriter::new(std::io::sink(), version, o.message_size, refresh);
    let aux = o.layouts.iter().flat_map(|l| &l.aux);
    let flows = o
        .layouts
        .iter()
        .enumerate()
        .map(|(i, l)| (256 + i as u16, l.specs()));
    for (id, fields) in flows.chain(aux.cloned()) {
        let def = TemplateDef {
            id,
            scope_count: 0,
            fields,
        };
        w.define(1, &def)
            .map_err(|e| format!("--netflow {v}: {e}"))?;
    }
    Ok(())
}

/// The observation domain of chunk `k`: the chunks go round the domains.
fn domain(o: &Opts<'_>, k: u64) -> u32 {
    1 + (k % o.domains.max(1) as u64) as u32
}

/// When the exporter of `domain` booted (its uptimes count from there): an hour before the
/// first flow, a minute earlier for each further domain.
pub fn boot_ms(start_ms: u64, domain: u32) -> u64 {
    start_ms.saturating_sub(3_600_000 + 60_000 * domain.saturating_sub(1) as u64)
}

/// The templates of `--template` specs, or of the profile when there are none.
pub fn layouts(
    specs: &[String],
    profile: layout::Profile,
    model: &InfoModel,
) -> Result<Vec<Layout>, String> {
    if specs.is_empty() {
        layout::profile(profile, model)
    } else {
        specs.iter().map(|t| layout::parse(t, model)).collect()
    }
}

/// Flows per second: `rate`, else `records` spread over `duration_ms`, else 100.
pub fn rate(records: u64, rate: Option<f64>, duration_ms: Option<u64>) -> f64 {
    match (rate, duration_ms) {
        (Some(r), _) => r,
        (None, Some(ms)) => records.max(1) as f64 * 1000.0 / ms as f64,
        (None, None) => 100.0,
    }
}

/// The file `o` asks for, made in memory and damaged the `kind` way (`--corrupt`), with
/// where the damage is.
pub fn damaged(o: &Opts<'_>, kind: &str) -> Result<(Vec<u8>, corrupt::Damage), String> {
    let k = corrupt::Kind::from_name(kind).ok_or_else(|| {
        let names: Vec<&str> = corrupt::Kind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "not a kind of damage (one of: {}; `--corrupt list` explains them)",
            names.join(", ")
        )
    })?;
    let mut bytes = Vec::new();
    generate(o, &mut bytes)?;
    corrupt::corrupt(k, &bytes, o.seed)
}

/// Writes the records (and options records) `o` asks for into `out`.
pub fn generate(o: &Opts<'_>, out: &mut dyn Write) -> Result<(), String> {
    if o.layouts.is_empty() {
        return Err("no template".into());
    }
    if o.layouts.len() > (u16::MAX as usize - 512) {
        return Err("too many templates".into());
    }
    let err = |e: WriteError| e.to_string();
    let mut captured;
    let out: &mut dyn Write = match o.pcap {
        Some(path) => {
            captured = pcap::Exported::new(out, path).map_err(|e| e.to_string())?;
            &mut captured
        }
        None => out,
    };
    let mut w = match o.wire {
        Wire::Ipfix => Sink::Ipfix(MessageWriter::new(out, o.message_size)),
        Wire::Netflow { version, refresh } => {
            Sink::Netflow(NetflowWriter::new(out, version, o.message_size, refresh))
        }
    };
    let ipfix = o.wire == Wire::Ipfix;
    let first_export = (o.start_ms.div_ceil(1000)).min(u32::MAX as u64) as u32;
    let domains = o.domains.max(1);
    let chunks = o.records.div_ceil(CHUNK);
    let used = domains.min(chunks.max(1) as u32);
    // Per domain: the RFC 5610 type records, the sampling record, then the flow templates.
    let types = if ipfix {
        layout::enterprise_ies(&o.layouts, o.model)
    } else {
        Vec::new()
    };
    let flow_ids: Vec<u16> = (0..o.layouts.len()).map(|i| 256 + i as u16).collect();
    // Templates that lists refer to (theirs IDs fixed by the profile), then the options
    // templates.
    let aux: Vec<&(u16, Vec<FieldSpec>)> = o.layouts.iter().flat_map(|l| &l.aux).collect();
    let next_id = aux
        .iter()
        .map(|a| a.0 + 1)
        .chain(std::iter::once(256 + o.layouts.len() as u16))
        .max()
        .unwrap_or(256);
    for d in 1..=used {
        if let Sink::Netflow(n) = &mut w {
            n.boot(d, boot_ms(o.start_ms, d));
        }
        if !types.is_empty() {
            let def = type_template(next_id);
            let id = def.id;
            w.define(d, def)?;
            for ie in &types {
                w.record(d, first_export, id, &type_record(ie))?;
            }
        }
        let v9 = o.wire != Wire::Ipfix;
        match o.sampling {
            // v5 says it in every header (from the records' sampling fields).
            Some(_)
                if matches!(
                    o.wire,
                    Wire::Netflow {
                        version: Version::V5,
                        ..
                    }
                ) => {}
            // v9: an options record scoped to the exporting process (System).
            Some(n) if v9 => {
                let def = TemplateDef {
                    id: next_id + 1,
                    scope_count: 1,
                    fields: vec![
                        FieldSpec::iana(144, 4),
                        FieldSpec::iana(34, 4),
                        FieldSpec::iana(35, 1),
                    ],
                };
                w.define(d, def)?;
                let mut rec = Vec::with_capacity(9);
                rec.extend_from_slice(&d.to_be_bytes());
                rec.extend_from_slice(&n.to_be_bytes());
                rec.push(1); // deterministic
                w.record(d, first_export, next_id + 1, &rec)?;
            }
            Some(n) => {
                let def = TemplateDef {
                    id: next_id + 1,
                    scope_count: 1,
                    fields: vec![
                        FieldSpec::iana(149, 4),
                        FieldSpec::iana(304, 1),
                        FieldSpec::iana(305, 4),
                        FieldSpec::iana(306, 4),
                    ],
                };
                w.define(d, def)?;
                let mut rec = Vec::with_capacity(13);
                rec.extend_from_slice(&d.to_be_bytes());
                rec.push(1); // systematic count-based
                rec.extend_from_slice(&1u32.to_be_bytes());
                rec.extend_from_slice(&(n.max(1) - 1).to_be_bytes());
                w.record(d, first_export, next_id + 1, &rec)?;
            }
            None => {}
        }
        for (l, &id) in o.layouts.iter().zip(&flow_ids) {
            let def = TemplateDef {
                id,
                scope_count: 0,
                fields: l.specs(),
            };
            w.define(d, def)?;
        }
        // No record uses these directly: written now, before the records that refer to them.
        for (id, fields) in &aux {
            let def = TemplateDef {
                id: *id,
                scope_count: 0,
                fields: fields.clone(),
            };
            w.define(d, def)?;
            if let Sink::Ipfix(w) = &mut w {
                w.require(d, first_export, *id).map_err(err)?;
            }
        }
    }
    let model = traffic::Model::new();
    let mut export = first_export;
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let threads = o.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;
    // A few chunks per thread at a time (bounded memory), in order; with more than one
    // thread the next group is made while this one is written.
    let group = if threads == 1 { 1 } else { threads as u64 * 4 };
    let group_at = |k: u64| -> Vec<u64> { (k..(k + group).min(chunks)).collect() };
    let make = |ks: &[u64]| -> Vec<Chunk> {
        if threads == 1 {
            ks.iter().map(|&k| make_chunk(o, &model, k)).collect()
        } else {
            use rayon::prelude::*;
            pool.install(|| ks.par_iter().map(|&k| make_chunk(o, &model, k)).collect())
        }
    };
    let mut ks = group_at(0);
    let mut made = make(&ks);
    while !ks.is_empty() {
        let next_ks = group_at(ks[ks.len() - 1] + 1);
        let next = std::thread::scope(|scope| -> Result<Vec<Chunk>, String> {
            let ahead =
                (threads > 1 && !next_ks.is_empty()).then(|| scope.spawn(|| make(&next_ks)));
            for (c, &k) in made.iter().zip(&ks) {
                let domain = domain(o, k);
                export = export.max(c.max_end.div_ceil(1000).min(u32::MAX as u64) as u32);
                let mut at = 0usize;
                for &(which, len) in &c.records {
                    let len = len as usize;
                    w.record(
                        domain,
                        export,
                        flow_ids[which as usize],
                        &c.data[at..at + len],
                    )?;
                    at += len;
                }
                let s = span.get_or_insert((c.first_start, c.last_start, c.min_end, c.max_end));
                *s = (
                    s.0.min(c.first_start),
                    s.1.max(c.last_start),
                    s.2.min(c.min_end),
                    s.3.max(c.max_end),
                );
            }
            Ok(match ahead {
                Some(h) => h
                    .join()
                    .map_err(|_| "a generator thread failed".to_string())?,
                None => make(&next_ks),
            })
        })?;
        (ks, made) = (next_ks, next);
    }
    match w {
        Sink::Ipfix(mut w) => {
            if o.metadata {
                let ms = |x: u64| x as i128 * 1_000_000;
                let flows = match span {
                    Some((a, b, c, d)) => {
                        crate::output::FlowSpan::of((ms(a), ms(b)), (ms(c), ms(d)), 3)
                    }
                    None => crate::output::FlowSpan::default(),
                };
                crate::output::ipfix::write_metadata(&mut w, first_export, export, &flows)
                    .map_err(err)?;
            }
            w.finish().map_err(err)?;
        }
        Sink::Netflow(w) => {
            w.finish().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The RFC 5610 type information template: scope privateEnterpriseNumber and
/// informationElementId; data type, semantics, units and name.
fn type_template(id: u16) -> TemplateDef {
    TemplateDef {
        id,
        scope_count: 2,
        fields: vec![
            FieldSpec::iana(346, 4),
            FieldSpec::iana(303, 2),
            FieldSpec::iana(339, 1),
            FieldSpec::iana(344, 1),
            FieldSpec::iana(345, 2),
            FieldSpec::iana(341, VARLEN),
        ],
    }
}

fn type_record(ie: &crate::ipfix::registry::IeDef) -> Vec<u8> {
    let mut r = Vec::with_capacity(16 + ie.name.len());
    r.extend_from_slice(&ie.pen.to_be_bytes());
    r.extend_from_slice(&ie.id.to_be_bytes());
    r.push(ie.dtype as u8);
    r.push(ie.semantics as u8);
    r.extend_from_slice(&(ie.units as u16).to_be_bytes());
    let name = ie.name.as_bytes();
    let name = &name[..name.len().min(254)];
    r.push(name.len() as u8);
    r.extend_from_slice(name);
    r
}
