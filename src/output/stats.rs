//! `--stats`: a summary of an input: messages, domains, export time span, records per
//! template, flow time span, data sets without template, sequence gaps, learned IEs and problem
//! counts. Text; one JSON object per input with `-f json`; one CSV row per input with `-f csv`
//! (the scalar totals, columns [`CSV_HEADER`]).
//!
//! The flow time span comes from flowStart*/flowEnd* IEs (150..=157) of any precision.

use super::Printer;
use super::render::{csv_cell, json_str};
use crate::ipfix::session::{RecordRef, Session};
use crate::ipfix::value::{Instant, write_rfc3339};
use std::io::{self, Write};

/// The columns of `--stats -f csv`: one row per input. `domains` counts observation domains,
/// `sets_without_template` and `sequence_gaps` are totals over the domains; times are RFC 3339
/// UTC, empty when unknown.
pub const CSV_HEADER: &str = "@file,messages,octets,records,options_records,domains,\
export_time_first,export_time_last,flow_time_first,flow_time_last,templates_defined,\
template_replacements,withdrawals,sets_without_template,sequence_gaps,learned_ies,errors,warnings";

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
    /// Also list templates as they are defined (`--templates --stats`).
    templates: Option<super::templates::TemplatesPrinter<'w>>,
}

impl<'w> StatsPrinter<'w> {
    /// Text, or one JSON object with `json`.
    pub fn new(out: &'w mut dyn Write, name: &str, json: bool) -> Self {
        StatsPrinter {
            out,
            form: if json { Form::Json } else { Form::Text },
            name: name.to_string(),
            flows: super::FlowSpan::default(),
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

    fn flow_window(&self) -> Option<(i128, i128)> {
        self.flows.window()
    }

    /// Lists templates too, into their own buffer written before the summary.
    pub fn with_templates(mut self, buf: &'w mut Vec<u8>) -> Self {
        self.templates = Some(super::templates::TemplatesPrinter::new(buf));
        self
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
    fn template(
        &mut self,
        m: &crate::ipfix::MessageCtx,
        t: &std::sync::Arc<crate::ipfix::Template>,
        offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        match &mut self.templates {
            Some(p) => p.template(m, t, offset, changed),
            None => Ok(()),
        }
    }

    fn withdrawal(
        &mut self,
        m: &crate::ipfix::MessageCtx,
        id: Option<u16>,
        options: bool,
    ) -> io::Result<()> {
        match &mut self.templates {
            Some(p) => p.withdrawal(m, id, options),
            None => Ok(()),
        }
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        self.flows.observe(r);
        Ok(())
    }

    fn finish(&mut self, s: &Session) -> io::Result<()> {
        let st = &s.stats;
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
            let unknown: u64 = st.unknown_sets.values().sum();
            writeln!(
                b,
                ",{},{},{},{},{},{ef},{el},{ff},{fl},{},{},{},{unknown},{gaps},{},{},{}",
                st.messages,
                st.bytes,
                st.records,
                st.options_records,
                st.messages_per_domain.len(),
                st.templates_defined,
                st.template_replacements,
                st.withdrawals,
                st.learned_ies,
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
                st.messages, st.bytes, st.records, st.options_records
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
            for (i, ((d, t), n)) in st.unknown_sets.iter().enumerate() {
                write!(
                    b,
                    "{}{{\"domain\":{d},\"template\":{t},\"sets\":{n}}}",
                    if i > 0 { "," } else { "" }
                )?;
            }
            writeln!(
                b,
                "],\"learned_ies\":{},\"errors\":{},\"warnings\":{}}}",
                st.learned_ies, st.errors, st.warnings
            )?;
            self.out.write_all(&b)?;
            return self.out.flush();
        }
        let mut b = Vec::new();
        writeln!(b, "file              {}", self.name)?;
        writeln!(b, "messages          {} ({} octets)", st.messages, st.bytes)?;
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
        if !st.unknown_sets.is_empty() {
            writeln!(b, "data sets without template (skipped)")?;
            for ((d, t), n) in &st.unknown_sets {
                writeln!(b, "  domain {d} template {t}: {n} sets")?;
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
        if st.learned_ies > 0 {
            writeln!(
                b,
                "learned IEs       {} (RFC 5610 type records)",
                st.learned_ies
            )?;
        }
        writeln!(
            b,
            "problems          {} errors, {} warnings",
            st.errors, st.warnings
        )?;
        self.out.write_all(&b)?;
        self.out.flush()
    }
}
