//! `--stats`: a summary of an input: messages, domains, export time span, records per
//! template, flow time span, data sets without template, sequence gaps, learned IEs and problem
//! counts. Text; one JSON object per input with `-f json`; one CSV row per input with `-f csv`
//! (the scalar totals, columns [`CSV_HEADER`]).
//!
//! The flow time span comes from flowStart*/flowEnd* IEs (150..=157) of any precision and from
//! the uptime-relative flowStartSysUpTime/flowEndSysUpTime (22/21, milliseconds since the
//! exporter's start) made absolute with the domain's systemInitTimeMilliseconds (160) from an
//! options record or the record itself (softflowd writes these): see [`Uptimes`].

use super::render::{csv_cell, json_str};
use super::{Layouts, Printer};
use crate::ipfix::session::{self, MessageCtx, RecordRef, Session};
use crate::ipfix::text::write_rfc3339;
use crate::ipfix::value::Instant;
use crate::ipfix::{DecodeError, ErrorKind, Severity};
use crate::ipfix::{Template, Value, decode};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

/// The columns of `--stats -f csv`: one row per input. `domains` counts observation domains,
/// `sets_without_template` and `sequence_gaps` are totals over the domains; times are RFC 3339
/// UTC, empty when unknown.
pub const CSV_HEADER: &str = "@file,messages,octets,records,options_records,domains,\
export_time_first,export_time_last,flow_time_first,flow_time_last,templates_defined,\
template_replacements,withdrawals,sets_without_template,sets_recovered,sequence_gaps,learned_ies,errors,warnings";

/// What `--stats` counts, from what decoding tells the printer.
#[derive(Clone, Debug, Default)]
struct Counts {
    messages: u64,
    octets: u64,
    records: u64,
    options_records: u64,
    records_per_template: BTreeMap<(u32, u16), u64>,
    /// Per (domain, template): data sets ahead of their template, those of them decoded
    /// when it came, and their records.
    early_sets: BTreeMap<(u32, u16), (u64, u64, u64)>,
    templates_defined: u64,
    template_replacements: u64,
    withdrawals: u64,
    sequence_gaps: BTreeMap<u32, u64>,
    messages_per_domain: BTreeMap<u32, u64>,
    export_time: Option<(u32, u32)>,
    errors: u64,
    warnings: u64,
    /// Messages and records per export protocol (10; 9 and 5 for translated NetFlow).
    versions: BTreeMap<u16, (u64, u64)>,
    /// The sequence number each domain's next message should carry (RFC 7011 §3.1: the
    /// last one's plus its data records). A gap (lost or sampled-out messages) is normal in a
    /// capture, not damage: it is counted here, never reported as a problem.
    next_sequence: BTreeMap<u32, u32>,
    /// The message being read: its domain, sequence number and data records so far.
    current: Option<(u32, u32, u32)>,
    /// The templates defined in each domain now, and whether each is an options template
    /// (a definition of a live ID replaces it; withdrawals end them).
    live: BTreeMap<(u32, u16), bool>,
    /// A definition or withdrawal whose warning (bad field length, unknown ID) came first:
    /// decoding took it, and tells it after the warning, unless the warning ended the run
    /// (`--strict`); then it is counted at the end all the same.
    taken: Option<Taken>,
}

#[derive(Clone, Copy, Debug)]
enum Taken {
    Template(u32, u16),
    Withdrawal,
}

impl Counts {
    /// A template definition (`changed`: not an identical re-send); a new definition of a
    /// live ID replaces it.
    fn define(&mut self, domain: u32, id: u16, changed: bool) {
        if changed {
            self.templates_defined += 1;
            if self.live.contains_key(&(domain, id)) {
                self.template_replacements += 1;
            }
        }
    }

    /// The end of the input: what was taken but not told is counted.
    fn end(&mut self) {
        self.end_message();
        match self.taken.take() {
            Some(Taken::Template(domain, id)) => self.define(domain, id, true),
            Some(Taken::Withdrawal) => self.withdrawals += 1,
            None => {}
        }
    }

    /// The message before ends: the next one in its domain should follow on from it.
    fn end_message(&mut self) {
        if let Some((domain, sequence, records)) = self.current.take() {
            (self.next_sequence).insert(domain, sequence.wrapping_add(records));
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Text,
    Json,
    Csv { header: bool },
}

pub struct StatsPrinter<'w> {
    out: &'w mut dyn Write,
    form: Form,
    name: String,
    /// Earliest flow start and latest flow end, in nanoseconds since the epoch.
    flows: super::FlowSpan,
    uptimes: Uptimes,
    counts: Counts,
    /// Also list templates as they are defined (`--templates --stats`): their text, written
    /// after the summary under a `templates` heading.
    templates: Option<Vec<u8>>,
}

impl<'w> StatsPrinter<'w> {
    /// Text, or one JSON object with `json`.
    pub fn new(out: &'w mut dyn Write, name: &str, json: bool) -> Self {
        StatsPrinter {
            out,
            form: if json { Form::Json } else { Form::Text },
            name: name.to_string(),
            flows: super::FlowSpan::default(),
            uptimes: Uptimes::default(),
            counts: Counts::default(),
            templates: None,
        }
    }

    /// One CSV row, after the header row when `header`.
    pub fn csv(out: &'w mut dyn Write, name: &str, header: bool) -> Self {
        StatsPrinter {
            form: Form::Csv { header },
            ..StatsPrinter::new(out, name, false)
        }
    }

    /// The flow time window: absolute flow times and resolved uptimes together.
    fn flow_window(&self) -> Option<(i128, i128)> {
        match (self.flows.window(), self.uptimes.window()) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (w, None) | (None, w) => w,
        }
    }

    /// Lists templates too (text), after the summary.
    pub fn with_templates(mut self) -> Self {
        self.templates = Some(Vec::new());
        self
    }
}

/// How `--stats` names an export protocol.
fn name_of(version: u16) -> &'static str {
    match version {
        5 => "NetFlow v5:",
        9 => "NetFlow v9:",
        _ => "IPFIX:",
    }
}

fn time_text(ns: i128) -> String {
    let mut o = Vec::new();
    let secs = ns.div_euclid(1_000_000_000) as i64;
    let nanos = ns.rem_euclid(1_000_000_000) as u32;
    let digits = if nanos == 0 {
        0
    } else if nanos % 1_000_000 == 0 {
        3
    } else if nanos % 1000 == 0 {
        6
    } else {
        9
    };
    write_rfc3339(
        &mut o,
        Instant {
            secs,
            nanos,
            digits,
        },
    );
    String::from_utf8_lossy(&o).into_owned()
}

impl Printer for StatsPrinter<'_> {
    fn message(&mut self, m: &MessageCtx) -> io::Result<()> {
        let c = &mut self.counts;
        c.end_message();
        let h = &m.header;
        c.messages += 1;
        c.octets += m.octets as u64;
        *c.messages_per_domain.entry(h.domain).or_default() += 1;
        c.export_time = Some(match c.export_time {
            None => (h.export_time, h.export_time),
            Some((lo, hi)) => (lo.min(h.export_time), hi.max(h.export_time)),
        });
        if c.next_sequence
            .get(&h.domain)
            .is_some_and(|&n| n != h.sequence)
        {
            *c.sequence_gaps.entry(h.domain).or_default() += 1;
        }
        c.current = Some((h.domain, h.sequence, 0));
        c.versions.entry(m.version).or_default().0 += 1;
        Ok(())
    }

    fn data_set(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        _body: &[u8],
        _offset: u64,
    ) -> io::Result<bool> {
        let key = (m.header.domain, t.id);
        self.counts.records_per_template.entry(key).or_default();
        Ok(true)
    }

    fn pending(&mut self, p: session::Pending) {
        match p {
            session::Pending::Held { domain, template }
            | session::Pending::Skipped { domain, template } => {
                self.counts
                    .early_sets
                    .entry((domain, template))
                    .or_default()
                    .0 += 1;
            }
            session::Pending::Recovered {
                domain,
                template,
                records,
            } => {
                let e = self
                    .counts
                    .early_sets
                    .entry((domain, template))
                    .or_default();
                e.1 += 1;
                e.2 += records;
            }
        }
    }

    fn problem(&mut self, e: &DecodeError) {
        let domain = self.counts.current.map_or(0, |c| c.0);
        match e.kind {
            // A read error is the input's end, not a problem of what it holds.
            ErrorKind::Io { .. } => return,
            ErrorKind::BadFieldLength { template, .. } => {
                self.counts.taken = Some(Taken::Template(domain, template))
            }
            ErrorKind::WithdrawUnknown { .. } => self.counts.taken = Some(Taken::Withdrawal),
            _ => {}
        }
        match e.severity() {
            Severity::Warning => self.counts.warnings += 1,
            Severity::Error => self.counts.errors += 1,
        }
    }

    fn template(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        let c = &mut self.counts;
        c.taken = None;
        c.define(m.header.domain, t.id, changed);
        c.live.insert((m.header.domain, t.id), t.is_options());
        match &mut self.templates {
            Some(buf) => {
                super::templates::TemplatesPrinter::new(buf).template(m, t, offset, changed)
            }
            None => Ok(()),
        }
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
        let c = &mut self.counts;
        let domain = m.header.domain;
        c.taken = None;
        c.withdrawals += 1;
        match id {
            Some(id) => {
                c.live.remove(&(domain, id));
            }
            None => c.live.retain(|&(d, _), o| d != domain || *o != options),
        }
        match &mut self.templates {
            Some(buf) => super::templates::TemplatesPrinter::new(buf).withdrawal(m, id, options),
            None => Ok(()),
        }
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let c = &mut self.counts;
        c.records += 1;
        c.versions.entry(r.msg.version).or_default().1 += 1;
        if r.template.is_options() {
            c.options_records += 1;
        }
        let key = (r.msg.header.domain, r.template.id);
        *c.records_per_template.entry(key).or_default() += 1;
        if let Some(m) = &mut c.current {
            m.2 = m.2.wrapping_add(1);
        }
        self.flows.observe(r);
        self.uptimes.observe(r);
        Ok(())
    }

    fn finish(&mut self, s: &Session) -> io::Result<()> {
        self.counts.end();
        let learned_ies = s.learned_ies();
        let st = &self.counts;
        let secs = |x: u32| time_text(x as i128 * 1_000_000_000);
        let flow_window = self.flow_window();
        if let Form::Csv { header } = self.form {
            let mut b = Vec::new();
            if header {
                b.extend_from_slice(CSV_HEADER.as_bytes());
                b.push(b'\n');
            }
            csv_cell(&mut b, self.name.as_bytes());
            let export = st.export_time.map(|(lo, hi)| (secs(lo), secs(hi)));
            let flow = flow_window.map(|(lo, hi)| (time_text(lo), time_text(hi)));
            let (ef, el) = export.unwrap_or_default();
            let (ff, fl) = flow.unwrap_or_default();
            let gaps: u64 = st.sequence_gaps.values().sum();
            let unknown: u64 = st.early_sets.values().map(|e| e.0 - e.1).sum();
            let recovered: u64 = st.early_sets.values().map(|e| e.1).sum();
            writeln!(
                b,
                ",{},{},{},{},{},{ef},{el},{ff},{fl},{},{},{},{unknown},{recovered},{gaps},{},{},{}",
                st.messages,
                st.octets,
                st.records,
                st.options_records,
                st.messages_per_domain.len(),
                st.templates_defined,
                st.template_replacements,
                st.withdrawals,
                learned_ies,
                st.errors,
                st.warnings
            )?;
            self.out.write_all(&b)?;
            return self.out.flush();
        }
        if self.form == Form::Json {
            let mut b = Vec::new();
            b.extend_from_slice(b"{\"@file\":");
            json_str(&mut b, &self.name);
            write!(
                b,
                ",\"messages\":{},\"octets\":{},\"records\":{},\"options_records\":{}",
                st.messages, st.octets, st.records, st.options_records
            )?;
            write!(b, ",\"domains\":{{")?;
            for (i, (d, n)) in st.messages_per_domain.iter().enumerate() {
                write!(
                    b,
                    "{}\"{d}\":{{\"messages\":{n},\"sequence_gaps\":{}}}",
                    if i > 0 { "," } else { "" },
                    st.sequence_gaps.get(d).copied().unwrap_or(0)
                )?;
            }
            write!(b, "}}")?;
            if let Some((lo, hi)) = st.export_time {
                write!(b, ",\"export_time\":[\"{}\",\"{}\"]", secs(lo), secs(hi))?;
            }
            if let Some((lo, hi)) = flow_window {
                write!(
                    b,
                    ",\"flow_time\":[\"{}\",\"{}\"]",
                    time_text(lo),
                    time_text(hi)
                )?;
            }
            write!(
                b,
                ",\"templates_defined\":{},\"template_replacements\":{},\"withdrawals\":{}",
                st.templates_defined, st.template_replacements, st.withdrawals
            )?;
            write!(b, ",\"records_per_template\":[")?;
            for (i, ((d, t), n)) in st.records_per_template.iter().enumerate() {
                write!(
                    b,
                    "{}{{\"domain\":{d},\"template\":{t},\"records\":{n}}}",
                    if i > 0 { "," } else { "" }
                )?;
            }
            write!(b, "],\"sets_without_template\":[")?;
            let lost = st.early_sets.iter().filter(|(_, e)| e.0 > e.1);
            for (i, ((d, t), (held, rec, _))) in lost.enumerate() {
                write!(
                    b,
                    "{}{{\"domain\":{d},\"template\":{t},\"sets\":{}}}",
                    if i > 0 { "," } else { "" },
                    held - rec
                )?;
            }
            write!(b, "],\"sets_recovered\":[")?;
            let found = st.early_sets.iter().filter(|(_, e)| e.1 > 0);
            for (i, ((d, t), (_, rec, records))) in found.enumerate() {
                write!(
                    b,
                    "{}{{\"domain\":{d},\"template\":{t},\"sets\":{rec},\"records\":{records}}}",
                    if i > 0 { "," } else { "" }
                )?;
            }
            write!(
                b,
                "],\"learned_ies\":{},\"errors\":{},\"warnings\":{}",
                learned_ies, st.errors, st.warnings
            )?;
            // Only for inputs with NetFlow: IPFIX-only summaries stay as they were.
            if st.versions.keys().any(|&v| v != 10) {
                write!(b, ",\"versions\":{{")?;
                for (i, (v, (m, r))) in st.versions.iter().enumerate() {
                    let sep = if i > 0 { "," } else { "" };
                    write!(b, "{sep}\"{v}\":{{\"messages\":{m},\"records\":{r}}}")?;
                }
                write!(b, "}}")?;
            }
            writeln!(b, "}}")?;
            self.out.write_all(&b)?;
            return self.out.flush();
        }
        let mut b = Vec::new();
        writeln!(b, "file              {}", self.name)?;
        writeln!(
            b,
            "messages          {} ({} octets)",
            st.messages, st.octets
        )?;
        if st.versions.keys().any(|&v| v != 10) {
            let v: Vec<String> = (st.versions.iter())
                .map(|(v, (m, r))| format!("{} {m} messages, {r} records", name_of(*v)))
                .collect();
            writeln!(b, "versions          {}", v.join("; "))?;
        }
        let doms: Vec<String> = st
            .messages_per_domain
            .iter()
            .map(|(d, n)| format!("{d} ({n} messages)"))
            .collect();
        writeln!(b, "domains           {}: {}", doms.len(), doms.join(", "))?;
        if let Some((lo, hi)) = st.export_time {
            writeln!(b, "export time       {} .. {}", secs(lo), secs(hi))?;
        }
        writeln!(
            b,
            "records           {} ({} of them options records)",
            st.records, st.options_records
        )?;
        if let Some((lo, hi)) = flow_window {
            writeln!(
                b,
                "flow time         {} .. {}",
                time_text(lo),
                time_text(hi)
            )?;
        }
        writeln!(
            b,
            "templates         {} defined, {} replaced by a new definition, {} withdrawals",
            st.templates_defined, st.template_replacements, st.withdrawals
        )?;
        if !st.records_per_template.is_empty() {
            writeln!(b, "records per template")?;
            for ((d, t), n) in &st.records_per_template {
                writeln!(b, "  domain {d} template {t}: {n}")?;
            }
        }
        if st.early_sets.values().any(|e| e.1 > 0) {
            writeln!(b, "data sets ahead of their template, decoded when it came")?;
            for ((d, t), (_, rec, records)) in st.early_sets.iter().filter(|(_, e)| e.1 > 0) {
                writeln!(
                    b,
                    "  domain {d} template {t}: {rec} sets, {records} records"
                )?;
            }
        }
        if st.early_sets.values().any(|e| e.0 > e.1) {
            writeln!(b, "data sets without template (left out)")?;
            for ((d, t), (held, rec, _)) in st.early_sets.iter().filter(|(_, e)| e.0 > e.1) {
                writeln!(b, "  domain {d} template {t}: {} sets", held - rec)?;
            }
        }
        if !st.sequence_gaps.is_empty() {
            let g: Vec<String> = st
                .sequence_gaps
                .iter()
                .map(|(d, n)| format!("domain {d}: {n}"))
                .collect();
            writeln!(b, "sequence gaps     {}", g.join(", "))?;
        }
        if learned_ies > 0 {
            writeln!(
                b,
                "learned IEs       {} (RFC 5610 type records)",
                learned_ies
            )?;
        }
        writeln!(
            b,
            "problems          {} errors, {} warnings",
            st.errors, st.warnings
        )?;
        if let Some(t) = self.templates.as_ref().filter(|t| !t.is_empty()) {
            b.extend_from_slice(b"templates\n");
            b.extend_from_slice(t);
        }
        self.out.write_all(&b)?;
        self.out.flush()
    }
}

/// Flow times relative to the exporter's uptime (flowStartSysUpTime, flowEndSysUpTime: u32
/// milliseconds since systemInitTimeMilliseconds), made absolute per observation domain.
///
/// Two things make this more than `init + uptime`:
///
/// - Order: the options record carrying systemInitTimeMilliseconds may come after the data
///   records. Until a domain's first one, its uptimes are kept as offsets from a reference
///   record (`Pending`) and resolved when it arrives; records after it are resolved at once
///   with the latest value (an exporter that restarts sends a new one).
/// - Wrap: the counter wraps every 2^32 ms (49.7 days), and an exporter may send a
///   systemInitTime from after a wrap with data from before it. Of the times
///   `init + uptime + k * 2^32` the one nearest the record's message export time is taken
///   (the modular difference), so the result lies within 2^31 ms of the export time.
///
/// Memory is a few words per domain, whatever the input holds.
#[derive(Default)]
pub struct Uptimes {
    domains: BTreeMap<u32, DomainUptimes>,
    /// Per template: whether it has any of the IEs (22, 21, 160), so other records are not
    /// walked.
    relevant: Layouts<bool>,
}

type MinMax = Option<(i128, i128)>;

#[derive(Default)]
struct DomainUptimes {
    /// The latest systemInitTimeMilliseconds, in ms since 1970.
    init: Option<i128>,
    /// Resolved starts and ends, in ms since 1970.
    starts: MinMax,
    ends: MinMax,
    /// Uptimes seen before the domain's first systemInitTimeMilliseconds.
    pending: Option<Pending>,
}

/// Uptimes whose systemInit is not known yet, as offsets (ms) from the absolute time of a
/// reference uptime: `(E - E0) + wrap(u - u0 - (E - E0))` for uptime `u` in a message exported
/// at `E`. Added to the reference's absolute time this is the record's own nearest-to-export
/// time whenever the two records' (time - export time) differ by less than 2^31 ms, whatever
/// the file's length or where the counter wrapped.
struct Pending {
    uptime: u32,
    export_ms: i128,
    starts: MinMax,
    ends: MinMax,
}

const WRAP: i128 = 1 << 32;

/// `x` modulo 2^32, as the representative in [-2^31, 2^31).
fn wrap32(x: i128) -> i128 {
    let r = x.rem_euclid(WRAP);
    if r >= WRAP / 2 { r - WRAP } else { r }
}

/// Of `init + uptime + k * 2^32`, the time nearest `export_ms`.
pub fn absolute_uptime(init_ms: i128, uptime: u32, export_ms: i128) -> i128 {
    export_ms + wrap32(init_ms + uptime as i128 - export_ms)
}

fn widen(m: &mut MinMax, v: i128) {
    let (lo, hi) = m.get_or_insert((v, v));
    *lo = (*lo).min(v);
    *hi = (*hi).max(v);
}

fn shifted(m: MinMax, by: i128) -> MinMax {
    m.map(|(lo, hi)| (lo + by, hi + by))
}

fn relevant(t: &Template) -> bool {
    t.fields
        .iter()
        .any(|f| f.pen == 0 && matches!(f.id, 21 | 22 | 160))
}

impl Uptimes {
    pub fn observe(&mut self, r: &RecordRef<'_>) {
        if !*self.relevant.get(r.template, relevant) {
            return;
        }
        // At most a few of each per record; systemInit first, whatever the field order.
        let mut init = None;
        let mut starts = [None; 2];
        let mut ends = [None; 2];
        let (mut ns, mut ne) = (0, 0);
        for (f, b) in r.fields() {
            if f.pen != 0 {
                continue;
            }
            match (f.id, decode(f.dtype, b)) {
                (160, v) => {
                    if let Some(i) = v.instant() {
                        init = Some(i.unix_ms());
                    }
                }
                (22, Value::Unsigned(u)) if ns < 2 => {
                    starts[ns] = Some(u as u32);
                    ns += 1;
                }
                (21, Value::Unsigned(u)) if ne < 2 => {
                    ends[ne] = Some(u as u32);
                    ne += 1;
                }
                _ => {}
            }
        }
        let export_ms = r.msg.header.export_time as i128 * 1000;
        let d = self.domains.entry(r.domain()).or_default();
        if let Some(i) = init {
            if d.init.is_none() {
                if let Some(p) = d.pending.take() {
                    let base = absolute_uptime(i, p.uptime, p.export_ms);
                    if let Some((lo, hi)) = shifted(p.starts, base) {
                        widen(&mut d.starts, lo);
                        widen(&mut d.starts, hi);
                    }
                    if let Some((lo, hi)) = shifted(p.ends, base) {
                        widen(&mut d.ends, lo);
                        widen(&mut d.ends, hi);
                    }
                }
            }
            d.init = Some(i);
        }
        for (u, is_start) in starts
            .into_iter()
            .flatten()
            .map(|u| (u, true))
            .chain(ends.into_iter().flatten().map(|u| (u, false)))
        {
            match d.init {
                Some(i) => {
                    let t = absolute_uptime(i, u, export_ms);
                    widen(if is_start { &mut d.starts } else { &mut d.ends }, t);
                }
                None => {
                    let p = d.pending.get_or_insert(Pending {
                        uptime: u,
                        export_ms,
                        starts: None,
                        ends: None,
                    });
                    let de = export_ms - p.export_ms;
                    let off = de + wrap32(u as i128 - p.uptime as i128 - de);
                    widen(if is_start { &mut p.starts } else { &mut p.ends }, off);
                }
            }
        }
    }

    /// Earliest start (or end) to latest end (or start) over the domains whose uptimes could
    /// be resolved, in nanoseconds since 1970.
    pub fn window(&self) -> Option<(i128, i128)> {
        let mut w: MinMax = None;
        for d in self.domains.values() {
            let (Some(lo), Some(hi)) = (d.starts.or(d.ends), d.ends.or(d.starts)) else {
                continue;
            };
            widen(&mut w, lo.0);
            widen(&mut w, hi.1);
        }
        w.map(|(lo, hi)| (lo * 1_000_000, hi * 1_000_000))
    }
}

#[cfg(test)]
mod tests {
    use super::absolute_uptime;

    #[test]
    fn uptime_nearest_export_time() {
        let e = 1_700_000_000_000i128;
        // No wrap: init + uptime.
        assert_eq!(absolute_uptime(e - 10_000, 4_000, e), e - 6_000);
        // Uptime just below 2^32 and a systemInit from after the wrap: before the export,
        // not 49.7 days after it.
        let init = e - 500;
        assert_eq!(absolute_uptime(init, u32::MAX - 999, e), e - 1_500);
        // A device up for 60 days: init + uptime is 2^32 ms before the right time.
        let init = e - 60 * 86_400_000;
        let up = ((60 * 86_400_000 - 2_000) % (1i128 << 32)) as u32;
        assert_eq!(absolute_uptime(init, up, e), e - 2_000);
    }
}
