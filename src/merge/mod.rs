//! `merge`: many inputs into one valid IPFIX file, records copied as bytes.
//!
//! Two passes over every input. The first (`Survey`, inputs in parallel) notes each
//! input's template layouts in the order it defines them, whether its records are already in
//! key order, and the spans `--metadata` needs; problems are reported there. The layouts are
//! then registered with the one [`Remapper`] in argument order, so output IDs are the same
//! whatever the threads did. The second pass (`Feed`) copies each record (template IDs
//! inside lists rewritten by the remapper) with its sort key and output identity:
//!
//! - inputs in order stream through a bounded channel from a thread each (k-way merge,
//!   memory independent of input size);
//! - the others are sorted in a buffer of `--memory` octets, spilled as sorted runs to
//!   temporary files when full ([`run`]), runs merged [`run::FAN_IN`] at a time until few
//!   enough are left;
//! - one k-way merge of all of them writes the output through the message writer, which
//!   recomputes sequence numbers per domain and packs messages up to `--message-size`.
//!
//! Keys (`--by`): the flow start in ns (the flow schema's `time_flow_start_ns`: absolute IEs at
//! any precision, uptimes with systemInitTimeMilliseconds, deltas from the export time), else
//! the message's export time; ties keep (input, record) order. RFC 5610 type records sort
//! before everything (they must precede the templates that use their IEs); every other
//! template is written after them, before the first other record. Input RFC 5655 §8 metadata
//! records (sessionScope options) are dropped: with `--metadata` they are recomputed.
//!
//! Message export times never go back: a record is written at the latest export time seen so
//! far, and times counted back from it (flowStart/EndDeltaMicroseconds) are moved with it
//! ([`remap::shift_export_relative`]).
//!
//! Speed: fixed-length records keyed by flowStartMilliseconds (the common case) are taken
//! from a data set's body in one go in both passes ([`Printer::data_set`]), keyed at a fixed
//! offset with no schema dispatch; the rest go record by record through the flow schema.

pub mod run;

use crate::io::decode::{DecodeOpts, Decoded, decode_file};
use crate::io::input::ByteSource;
use crate::io::sink::{Layouts, Printer};
use crate::ipfix::remap::{self, DomainPolicy, Remapper};
use crate::ipfix::session::{MessageCtx, RecordRef};
use crate::ipfix::template::{FieldSpec, Template};
use crate::ipfix::text::write::MAX_NS_MILLIS;
use crate::ipfix::writer::{MessageWriter, TemplateDef};
use crate::output::FlowSpan;
use crate::output::flow::domain::Domains;
use crate::output::flow::schema::{self, Cell, Fill, Plan};
use run::{Batch, Meta, RunFile, Source};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// What records are ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Flow start time; records without one by their message's export time.
    Time,
    /// The message export time only.
    Export,
    /// None: inputs appended in argument order.
    None,
}

pub struct Opts<'a> {
    pub by: By,
    /// The inputs are in key order: a step back is an error.
    pub presorted: bool,
    /// Octets of records sorted in memory before a run is spilled.
    pub memory: usize,
    pub temp_dir: PathBuf,
    pub policy: DomainPolicy,
    pub metadata: bool,
    pub message_size: usize,
    pub threads: usize,
    /// Say on stderr which inputs' domains and templates were given which output IDs.
    pub verbose: bool,
    pub model: &'a Arc<crate::ipfix::InfoModel>,
    pub strict: bool,
    /// Warnings are not reported.
    pub quiet: bool,
    pub max_resync: u64,
    /// Told the input octets read, in both passes (a progress bar).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

impl Opts<'_> {
    /// How an input is decoded: the first pass reports problems, the second (`again`) reads
    /// the same input quietly.
    fn decode(&self, again: bool) -> DecodeOpts<'_> {
        DecodeOpts {
            model: self.model,
            strict: self.strict,
            quiet: self.quiet || again,
            limit: None,
            progress: self.progress,
            options: crate::output::OptionsRecords::All,
            max_resync: self.max_resync,
            cancel: None,
        }
    }
}

/// The sort key of records, with the domain state it needs.
struct Keyer {
    by: By,
    plans: Layouts<KeyPlan>,
    domains: Domains,
    ranges: Vec<(usize, usize)>,
}

/// How a template's records are keyed, found once per template.
enum KeyPlan {
    /// RFC 5655 metadata: dropped.
    Drop,
    /// RFC 5610 type records: before everything.
    First,
    /// A constant (`--by none`).
    Zero,
    /// The message's export time (`--by export`).
    Export,
    /// flowStartMilliseconds at a fixed offset, in a template that teaches its domain nothing
    /// (the common case, read with no schema dispatch).
    Millis(usize),
    /// The flow schema's start, with the domain's systemInit for uptimes.
    Start(Box<Plan>),
}

impl KeyPlan {
    fn new(by: By, t: &Template) -> KeyPlan {
        if is_metadata(t) {
            return KeyPlan::Drop;
        }
        if t.type_info.is_some() {
            return KeyPlan::First;
        }
        match by {
            By::None => KeyPlan::Zero,
            By::Export => KeyPlan::Export,
            By::Time => {
                let plan = Plan::new(t);
                match plan.fills(false)[schema::TIME_START] {
                    Fill::Millis(o) if !t.is_options() && !plan.learns => KeyPlan::Millis(o),
                    _ => KeyPlan::Start(Box::new(plan)),
                }
            }
        }
    }
}

impl Keyer {
    fn new(by: By) -> Keyer {
        Keyer {
            by,
            plans: Layouts::default(),
            domains: Domains::default(),
            ranges: Vec::new(),
        }
    }

    /// The record's key; None for a record the merge drops (RFC 5655 metadata).
    #[inline]
    fn key(&mut self, r: &RecordRef<'_>) -> Option<i64> {
        let by = self.by;
        let export = || r.msg.header.export_time as i64 * 1_000_000_000;
        Some(match self.plans.get(r.template, |t| KeyPlan::new(by, t)) {
            KeyPlan::Drop => return None,
            KeyPlan::First => i64::MIN,
            KeyPlan::Zero => 0,
            KeyPlan::Export => export(),
            KeyPlan::Millis(o) => millis_key(r.data, *o, export()),
            KeyPlan::Start(plan) => {
                plan.walk(r, &mut self.ranges);
                let cx = self.domains.observe(r, plan, &self.ranges);
                let start = plan.fills(false)[schema::TIME_START];
                match plan.cell(start, r, &cx, &self.ranges) {
                    Cell::Time(ns) => ns,
                    _ => export(),
                }
            }
        })
    }

    /// Where the key of every record of `t` is, when a set's records can be keyed straight
    /// from its body: (offset of flowStartMilliseconds, record length) of fixed-length records
    /// without lists. Also primes the per-template cache for the set's records.
    fn set_plan(&mut self, t: &Arc<Template>) -> Option<(usize, usize)> {
        let by = self.by;
        match self.plans.get(t, |t| KeyPlan::new(by, t)) {
            KeyPlan::Millis(o) if !t.has_lists() => t.fixed_len.filter(|&n| n > 0).map(|n| (*o, n)),
            _ => None,
        }
    }
}

/// The key of a record with flowStartMilliseconds at `o`: its ns, or `export` (ns) when it is
/// cut off or past what ns since 1970 can hold.
#[inline]
fn millis_key(rec: &[u8], o: usize, export: i64) -> i64 {
    match rec.get(o..o + 8) {
        Some(b) => {
            let ms = u64::from_be_bytes(b.try_into().unwrap_or_default());
            if ms <= MAX_NS_MILLIS {
                ms as i64 * 1_000_000
            } else {
                export
            }
        }
        None => export,
    }
}

/// An RFC 5655 §8 metadata options template (scoped by sessionScope, IE 267).
fn is_metadata(t: &Template) -> bool {
    t.scope_count > 0 && t.fields.first().is_some_and(|f| f.pen == 0 && f.id == 267)
}

/// A template as the output defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LayoutDef {
    domain: u32,
    id: u16,
    scope_count: u16,
    fields: Vec<FieldSpec>,
    type_info: bool,
}

/// What the first pass learns of one input.
struct Survey {
    keyer: Keyer,
    layouts: Vec<LayoutDef>,
    current: BTreeMap<(u32, u16), usize>,
    /// The largest key so far (`i64::MIN` before the first record).
    prev: i64,
    /// The first record that steps back in key order: (record number, byte offset).
    back: Option<(u64, u64)>,
    records: u64,
    flows: FlowSpan,
    export: Option<(u32, u32)>,
    /// The flow time span is wanted (`--metadata`): every record's times are read for it.
    metadata: bool,
}

impl Printer for Survey {
    fn template(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        _offset: u64,
        _changed: bool,
    ) -> io::Result<()> {
        let def = LayoutDef {
            domain: m.header.domain,
            id: t.id,
            scope_count: t.scope_count,
            fields: t.fields.iter().map(|f| f.field_spec()).collect(),
            type_info: t.type_info.is_some(),
        };
        let key = (def.domain, def.id);
        if self.current.get(&key).map(|&i| &self.layouts[i]) != Some(&def) {
            self.current.insert(key, self.layouts.len());
            self.layouts.push(def);
        }
        Ok(())
    }

    /// Fixed-length records keyed by flowStartMilliseconds are read from the set's body
    /// (unless `--metadata` wants every record's times).
    fn data_set(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        body: &[u8],
        offset: u64,
    ) -> io::Result<bool> {
        let Some((o, len)) = self.keyer.set_plan(t).filter(|_| !self.metadata) else {
            return Ok(true);
        };
        let export = m.header.export_time as i64 * 1_000_000_000;
        for (i, rec) in body.chunks_exact(len).enumerate() {
            self.step(millis_key(rec, o, export), offset + (i * len) as u64);
        }
        if body.len() >= len {
            self.exported(m.header.export_time);
        }
        Ok(false)
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let Some(key) = self.keyer.key(r) else {
            return Ok(());
        };
        self.step(key, r.offset);
        self.exported(r.msg.header.export_time);
        if self.metadata {
            self.flows.observe(r);
        }
        Ok(())
    }
}

impl Survey {
    /// One more record, with its key, at input offset `offset`.
    #[inline]
    fn step(&mut self, key: i64, offset: u64) {
        self.records += 1;
        if key >= self.prev {
            self.prev = key;
        } else if self.back.is_none() {
            self.back = Some((self.records, offset));
        }
    }

    /// A record came in a message of export time `e`.
    fn exported(&mut self, e: u32) {
        self.export = Some(
            self.export
                .map_or((e, e), |(lo, hi)| (lo.min(e), hi.max(e))),
        );
    }
}

/// Where the second pass puts records.
enum Sink<'a> {
    /// To the merge, in order.
    Channel(std::sync::mpsc::SyncSender<Batch>),
    /// Into the sort buffer.
    Sort(&'a mut Sorter),
}

/// The sort buffer of the unordered inputs, and the runs spilled from it.
pub struct Sorter {
    buf: Batch,
    memory: usize,
    dir: PathBuf,
    runs: Vec<RunFile>,
    next: usize,
}

impl Sorter {
    fn spill(&mut self) -> io::Result<()> {
        self.buf.sort();
        self.next += 1;
        let run = RunFile::write(&self.dir, self.next, &self.buf)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.dir.display())))?;
        self.runs.push(run);
        // The buffers are kept: grown once, they are not grown (and copied) again.
        self.buf.metas.clear();
        self.buf.data.clear();
        Ok(())
    }
}

/// The second pass's printer: each record copied with its key and output identity.
struct Feed<'a> {
    input: u32,
    keyer: Keyer,
    remap: &'a Remapper,
    out: Layouts<Option<(u32, u16)>>,
    seq: u64,
    batch: Batch,
    copy: Vec<u8>,
    sink: Sink<'a>,
}

const BATCH: usize = 2048;

impl Feed<'_> {
    /// The output (domain, template ID) of an input template.
    #[inline]
    fn layout(&mut self, domain: u32, t: &Arc<Template>) -> Option<(u32, u16)> {
        let (input, remap) = (self.input, self.remap);
        *self.out.get(t, |t| {
            let fields: Vec<FieldSpec> = t.fields.iter().map(|f| f.field_spec()).collect();
            remap.find(input, domain, t.scope_count, &fields)
        })
    }

    /// Where records go: the batch for the channel, or the sort buffer.
    #[inline]
    fn batch(&mut self) -> &mut Batch {
        match &mut self.sink {
            Sink::Channel(_) => &mut self.batch,
            Sink::Sort(s) => &mut s.buf,
        }
    }

    /// After records were added: a full batch is sent, a full sort buffer spilled.
    #[inline]
    fn pushed(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Channel(_) if self.batch.metas.len() >= BATCH => self.send(),
            Sink::Sort(s) if s.buf.size() >= s.memory => s.spill(),
            _ => Ok(()),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if let Sink::Channel(tx) = &self.sink {
            // The next batch starts with the room this one needed: no regrowing per batch.
            let room = Batch {
                metas: Vec::with_capacity(self.batch.metas.capacity()),
                data: Vec::with_capacity(self.batch.data.capacity()),
            };
            let b = std::mem::replace(&mut self.batch, room);
            // The merge ended early (an output error): nothing more to do here.
            tx.send(b)
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "merge ended"))?;
        }
        Ok(())
    }
}

impl Printer for Feed<'_> {
    /// Fixed-length records keyed by flowStartMilliseconds are copied from the set's body in
    /// one piece.
    fn data_set(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        body: &[u8],
        _offset: u64,
    ) -> io::Result<bool> {
        let set = self.keyer.set_plan(t);
        let out = self.layout(m.header.domain, t);
        let (Some((o, len)), Some((domain, tid))) = (set, out) else {
            return Ok(true);
        };
        let n = body.len() / len;
        let export = m.header.export_time as i64 * 1_000_000_000;
        let batch = self.batch();
        let base = batch.data.len();
        batch.data.extend_from_slice(&body[..n * len]);
        for (i, rec) in body.chunks_exact(len).enumerate() {
            self.seq += 1;
            let meta = Meta {
                key: millis_key(rec, o, export),
                input: self.input,
                seq: self.seq,
                domain,
                tid,
                export: m.header.export_time,
                off: (base + i * len) as u32,
                len: len as u32,
            };
            self.batch().metas.push(meta);
        }
        self.pushed()?;
        Ok(false)
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let Some(key) = self.keyer.key(r) else {
            return Ok(());
        };
        let (input, remap) = (self.input, self.remap);
        let Some((domain, tid)) = self.layout(r.msg.header.domain, r.template) else {
            return Ok(());
        };
        self.seq += 1;
        let meta = Meta {
            key,
            input,
            seq: self.seq,
            domain,
            tid,
            export: r.msg.header.export_time,
            off: 0,
            len: 0,
        };
        let bytes: &[u8] = if r.template.has_lists() {
            self.copy.clear();
            match remap.copy_record(
                input,
                r.domain(),
                r.template,
                r.data,
                r.scope,
                &mut self.copy,
            ) {
                Ok(()) => &self.copy,
                // Lists the remapper cannot follow are copied as they are (the decoder
                // reported them when it read the record).
                Err(_) => r.data,
            }
        } else {
            r.data
        };
        match &mut self.sink {
            Sink::Channel(_) => self.batch.push(meta, bytes),
            Sink::Sort(s) => s.buf.push(meta, bytes),
        }
        self.pushed()
    }

    fn finish(&mut self, _s: &crate::ipfix::session::Session) -> io::Result<()> {
        if !self.batch.metas.is_empty() {
            self.send()?;
        }
        Ok(())
    }
}

/// What the merge did, for `-v` and the exit status.
pub struct Outcome {
    pub failed: bool,
    pub records: u64,
    /// `INPUT: ...` lines saying which domains and templates were renumbered.
    pub summary: Vec<String>,
}

/// Sorted inputs beyond this many are fed to the sorter (one thread and open file each
/// otherwise).
const MAX_STREAMS: usize = run::FAN_IN / 2;

/// Opens input `i` for a pass, reporting why it cannot.
pub type Opener<'a> = dyn Fn(usize, &mut dyn FnMut(String)) -> Option<ByteSource> + Sync + 'a;

/// Merges the inputs (`open(i, report)` opens input `i` for a pass) into `out`.
pub fn merge(
    o: &Opts<'_>,
    names: &[String],
    open: &Opener<'_>,
    report: &mut dyn FnMut(String),
    out: &mut dyn Write,
) -> Result<Outcome, String> {
    let n = names.len();
    // Pass 1, in parallel: layouts, order and spans; problems reported in input order.
    let survey_one = |i: usize| -> (Option<(Survey, Decoded)>, Vec<String>) {
        let mut lines = Vec::new();
        let mut report = |l: String| lines.push(l);
        let Some(src) = open(i, &mut report) else {
            return (None, lines);
        };
        let mut s = Survey {
            keyer: Keyer::new(o.by),
            layouts: Vec::new(),
            current: BTreeMap::new(),
            prev: i64::MIN,
            back: None,
            records: 0,
            flows: FlowSpan::default(),
            export: None,
            metadata: o.metadata,
        };
        let d = decode_file(&o.decode(false), src, &names[i], &mut s, &mut report);
        (Some((s, d)), lines)
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let surveys: Vec<_> = pool.install(|| {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(survey_one).collect()
    });
    let mut failed = false;
    let mut infos = Vec::with_capacity(n);
    for (i, (s, lines)) in surveys.into_iter().enumerate() {
        for l in lines {
            report(l);
        }
        match s {
            Some((s, d)) => {
                failed |= d.failed;
                if let (true, Some((rec, off))) = (o.presorted && o.by != By::None, s.back) {
                    return Err(format!(
                        "{}: byte {off}: record {rec} goes back in {} order (--presorted)",
                        names[i],
                        if o.by == By::Time {
                            "flow start"
                        } else {
                            "export time"
                        }
                    ));
                }
                infos.push(Some(s));
            }
            None => {
                failed = true;
                infos.push(None);
            }
        }
    }
    // The layouts, registered in argument order: output IDs do not depend on the threads.
    let mut remap = Remapper::new(o.policy);
    // A record whose message is exported later than its input's keeps its times counted
    // back from the export time (`exact`: the templates that have them).
    let mut writer = MessageWriter::new(out, o.message_size);
    let mut defs: Vec<(u32, u16, bool)> = Vec::new();
    let mut exact: BTreeMap<(u32, u16), (Vec<FieldSpec>, Vec<usize>)> = BTreeMap::new();
    let mut summary = Vec::new();
    for (i, s) in infos.iter().enumerate() {
        let Some(s) = s else { continue };
        for l in &s.layouts {
            let m = remap
                .define(i as u32, l.domain, l.id, l.scope_count, &l.fields)
                .map_err(|e| format!("{}: {e}", names[i]))?;
            if m.fresh {
                let def = TemplateDef {
                    id: m.id,
                    scope_count: l.scope_count,
                    fields: l.fields.clone(),
                };
                writer
                    .define(m.domain, def)
                    .map_err(|e| format!("{}: template {}: {e}", names[i], l.id))?;
                defs.push((m.domain, m.id, l.type_info));
                let which = remap::export_relative(&l.fields);
                if !which.is_empty() {
                    exact.insert((m.domain, m.id), (l.fields.clone(), which));
                }
            }
            if (m.domain, m.id) != (l.domain, l.id) {
                summary.push(format!(
                    "{}: domain {} template {} -> domain {} template {}",
                    names[i], l.domain, l.id, m.domain, m.id
                ));
            }
        }
    }
    let remap = remap;
    let mut flows = FlowSpan::default();
    let mut export: Option<(u32, u32)> = None;
    for s in infos.iter().flatten() {
        flows.absorb(&s.flows);
        if let Some((lo, hi)) = s.export {
            export = Some(export.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    // Pass 2: unordered inputs into the sorter first, then the ordered ones streamed.
    let ordered = |i: usize| {
        infos[i]
            .as_ref()
            .is_some_and(|s| o.by == By::None || s.back.is_none())
    };
    let streams: Vec<usize> = (0..n).filter(|&i| ordered(i)).take(MAX_STREAMS).collect();
    let mut sorter = Sorter {
        buf: Batch::default(),
        // Offsets in the buffer are 32-bit: past 2 GiB a run is spilled anyway.
        memory: o.memory.clamp(1 << 16, 1 << 31),
        dir: o.temp_dir.clone(),
        runs: Vec::new(),
        next: 0,
    };
    for i in (0..n).filter(|i| infos[*i].is_some() && !streams.contains(i)) {
        let Some(src) = open(i, &mut |_| {}) else {
            continue;
        };
        let mut f = feed(i, o.by, &remap, Sink::Sort(&mut sorter));
        let d = decode_file(&o.decode(true), src, &names[i], &mut f, &mut |_| {});
        if let Some(e) = d.output_error {
            return Err(format!("{}: {e}", o.temp_dir.display()));
        }
    }
    let mut sources: Vec<Box<dyn Source + Send>> = Vec::new();
    let runs = run::reduce(
        std::mem::take(&mut sorter.runs),
        &o.temp_dir,
        &mut sorter.next,
    )
    .map_err(|e| format!("{}: {e}", o.temp_dir.display()))?;
    for r in runs {
        sources.push(Box::new(r));
    }
    sorter.buf.sort();
    sources.push(Box::new(run::Memory(Some(std::mem::take(&mut sorter.buf)))));
    let min_export = export.map_or(0, |e| e.0);
    let mut records = 0u64;
    let result: io::Result<()> = std::thread::scope(|scope| {
        for &i in &streams {
            let (tx, rx) = std::sync::mpsc::sync_channel(4);
            sources.push(Box::new(run::Channel(rx)));
            let (remap, names) = (&remap, names);
            scope.spawn(move || {
                if let Some(src) = open(i, &mut |_| {}) {
                    let mut f = feed(i, o.by, remap, Sink::Channel(tx));
                    decode_file(&o.decode(true), src, &names[i], &mut f, &mut |_| {});
                }
            });
        }
        let mut last = min_export;
        let mut templates_out = false;
        let mut patched = Vec::new();
        let io_err = |e: crate::ipfix::writer::WriteError| io::Error::other(e.to_string());
        let r = run::merge(std::mem::take(&mut sources), |m, bytes| {
            if !templates_out && m.key != i64::MIN {
                // After the type records, every other template, before the records
                // (also those that records only refer to from lists).
                templates_out = true;
                for &(d, id, type_info) in &defs {
                    if !type_info {
                        writer.require(d, last, id).map_err(io_err)?;
                    }
                }
            }
            last = last.max(m.export);
            records += 1;
            match exact.get(&(m.domain, m.tid)) {
                None => writer.record(m.domain, last, m.tid, bytes),
                Some((fields, which)) => {
                    patched.clear();
                    patched.extend_from_slice(bytes);
                    remap::shift_export_relative(fields, which, &mut patched, last - m.export);
                    writer.record(m.domain, last, m.tid, &patched)
                }
            }
            .map_err(io_err)
        });
        if r.is_ok() && !templates_out {
            for &(d, id, _) in &defs {
                writer.require(d, last, id).map_err(io_err)?;
            }
        }
        r
    });
    result.map_err(|e| e.to_string())?;
    if o.metadata {
        if let Some((lo, hi)) = export {
            crate::output::ipfix::write_metadata(&mut writer, lo, hi, &flows)
                .map_err(|e| e.to_string())?;
        }
    }
    writer.finish().map_err(|e| e.to_string())?;
    if o.verbose && o.policy == DomainPolicy::PerSource {
        for ((source, domain), out) in remap.domains() {
            summary.push(format!(
                "{}: domain {domain} -> domain {out}",
                names[source as usize]
            ));
        }
    }
    Ok(Outcome {
        failed,
        records,
        summary,
    })
}

fn feed<'a>(i: usize, by: By, remap: &'a Remapper, sink: Sink<'a>) -> Feed<'a> {
    Feed {
        input: i as u32,
        keyer: Keyer::new(by),
        remap,
        out: Layouts::default(),
        seq: 0,
        batch: Batch::default(),
        copy: Vec::new(),
        sink,
    }
}

/// Files (IPFIX, ours: `pcap2ipfix`'s metered flows) by flow start into `out`, with RFC 5655
/// metadata at the end, sorted in 256 MiB; `true` when an input had a problem (`report`ed).
pub fn sorted_files(
    inputs: &[String],
    model: &Arc<crate::ipfix::InfoModel>,
    message_size: usize,
    threads: usize,
    report: &mut dyn FnMut(String),
    out: &mut dyn Write,
) -> Result<bool, String> {
    let opts = Opts {
        by: By::Time,
        presorted: false,
        memory: 256 << 20,
        temp_dir: std::env::temp_dir(),
        policy: DomainPolicy::Keep,
        metadata: true,
        message_size,
        threads,
        verbose: false,
        model,
        strict: false,
        quiet: false,
        max_resync: 0,
        progress: None,
    };
    let open = |i: usize, report: &mut dyn FnMut(String)| {
        ByteSource::open(&inputs[i])
            .map_err(|e| report(format!("{}: {e}", inputs[i])))
            .ok()
    };
    Ok(merge(&opts, inputs, &open, report, out)?.failed)
}
