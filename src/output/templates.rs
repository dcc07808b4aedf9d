//! `--templates`: the template definitions only, each where it was first defined or changed;
//! identical re-sends are not repeated. Three forms:
//!
//! - text: RFC 7013 §10 (`name(pen/id)<type>[length]`, `{scope}` on scope fields), and a line
//!   per withdrawal;
//! - JSON (`-f json`): one object per definition,
//!   `{"@file":F,"domain":D,"template":N,"scope":S,"message":M,"offset":O,"fields":[{"name":..,
//!   "pen":P,"id":I,"length":L,"type":T},..]}` (`scope` is the number of scope fields, 0 for a
//!   data template; `length` 65535 is variable length), and one per withdrawal,
//!   `{"@file":F,"domain":D,"message":M,"withdraw":N}` or `"withdraw":"all","options":B`;
//! - CSV (`-f csv`): one row per field of each definition, columns [`CSV_HEADER`]; withdrawals
//!   have no row.
//!
//! `type` is the IE's abstract data type as the text form shows it (`octetArray` for an IE
//! nobody defines).

use super::Printer;
use super::render::{csv_cell, json_str};
use crate::ipfix::Template;
use crate::ipfix::session::{MessageCtx, RecordRef, Session};
use std::io::{self, Write};
use std::sync::Arc;

/// Writes one template definition block.
pub fn write_template(
    out: &mut Vec<u8>,
    t: &Template,
    indent: &str,
    offset: Option<u64>,
    changed: bool,
) -> io::Result<()> {
    let kind = if t.is_options() {
        "options template"
    } else {
        "template"
    };
    write!(out, "{indent}{kind} {} ({} fields", t.id, t.fields.len())?;
    if t.is_options() {
        write!(out, ", {} scope", t.scope_count)?;
    }
    write!(out, ")")?;
    if let Some(o) = offset {
        write!(out, " at byte {o}")?;
    }
    if !changed {
        write!(out, ", unchanged re-send")?;
    }
    writeln!(out)?;
    for (i, f) in t.fields.iter().enumerate() {
        let scope = if i < t.scope_count as usize {
            "{scope}"
        } else {
            ""
        };
        writeln!(out, "{indent}  {}{scope}", f.spec())?;
    }
    Ok(())
}

/// The columns of `--templates -f csv`: one row per template field; `field` is its 1-based
/// position (it is a scope field when `field <= scope`).
pub const CSV_HEADER: &str =
    "@file,domain,template,scope,message,offset,field,name,pen,id,length,type";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Text,
    Json,
    Csv,
}

pub struct TemplatesPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    form: Form,
    /// The input's name, for `@file` (JSON and CSV).
    name: String,
    /// The CSV header row is still to be written.
    header: bool,
}

impl<'w> TemplatesPrinter<'w> {
    /// The text form.
    pub fn new(out: &'w mut dyn Write) -> Self {
        TemplatesPrinter {
            out,
            buf: Vec::new(),
            form: Form::Text,
            name: String::new(),
            header: false,
        }
    }

    /// One JSON object per definition and per withdrawal.
    pub fn json(out: &'w mut dyn Write, name: &str) -> Self {
        TemplatesPrinter {
            form: Form::Json,
            name: name.to_string(),
            ..TemplatesPrinter::new(out)
        }
    }

    /// One CSV row per template field; the header row first when `header`.
    pub fn csv(out: &'w mut dyn Write, name: &str, header: bool) -> Self {
        TemplatesPrinter {
            form: Form::Csv,
            name: name.to_string(),
            header,
            ..TemplatesPrinter::new(out)
        }
    }
}

/// The abstract data type a field is declared with (as in its RFC 7013 §10 spec).
fn type_name(f: &crate::ipfix::Field) -> &'static str {
    f.def.as_ref().map_or(f.dtype, |d| d.dtype).name()
}

fn write_json(b: &mut Vec<u8>, file: &str, m: &MessageCtx, t: &Template, offset: u64) {
    let mut n = itoa::Buffer::new();
    b.extend_from_slice(b"{\"@file\":");
    json_str(b, file);
    for (key, v) in [
        ("domain", m.header.domain as u64),
        ("template", t.id as u64),
        ("scope", t.scope_count as u64),
        ("message", m.index),
        ("offset", offset),
    ] {
        b.extend_from_slice(b",\"");
        b.extend_from_slice(key.as_bytes());
        b.extend_from_slice(b"\":");
        b.extend_from_slice(n.format(v).as_bytes());
    }
    b.extend_from_slice(b",\"fields\":[");
    for (i, f) in t.fields.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"{\"name\":");
        json_str(b, &f.name);
        b.extend_from_slice(b",\"pen\":");
        b.extend_from_slice(n.format(f.pen).as_bytes());
        b.extend_from_slice(b",\"id\":");
        b.extend_from_slice(n.format(f.id).as_bytes());
        b.extend_from_slice(b",\"length\":");
        b.extend_from_slice(n.format(f.len).as_bytes());
        b.extend_from_slice(b",\"type\":\"");
        b.extend_from_slice(type_name(f).as_bytes());
        b.extend_from_slice(b"\"}");
    }
    b.extend_from_slice(b"]}\n");
}

fn write_csv(b: &mut Vec<u8>, file: &str, m: &MessageCtx, t: &Template, offset: u64) {
    let mut n = itoa::Buffer::new();
    let mut lead = Vec::new();
    csv_cell(&mut lead, file.as_bytes());
    for v in [
        m.header.domain as u64,
        t.id as u64,
        t.scope_count as u64,
        m.index,
        offset,
    ] {
        lead.push(b',');
        lead.extend_from_slice(n.format(v).as_bytes());
    }
    for (i, f) in t.fields.iter().enumerate() {
        b.extend_from_slice(&lead);
        b.push(b',');
        b.extend_from_slice(n.format(i + 1).as_bytes());
        b.push(b',');
        csv_cell(b, f.name.as_bytes());
        for v in [f.pen, f.id as u32, f.len as u32] {
            b.push(b',');
            b.extend_from_slice(n.format(v).as_bytes());
        }
        b.push(b',');
        b.extend_from_slice(type_name(f).as_bytes());
        b.push(b'\n');
    }
}

impl Printer for TemplatesPrinter<'_> {
    fn template(
        &mut self,
        m: &MessageCtx,
        t: &Arc<Template>,
        offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        if !changed {
            return Ok(());
        }
        match self.form {
            Form::Text => {
                write!(self.buf, "domain {} ", m.header.domain)?;
                write_template(&mut self.buf, t, "", Some(offset), true)?;
            }
            Form::Json => write_json(&mut self.buf, &self.name, m, t, offset),
            Form::Csv => {
                if std::mem::take(&mut self.header) {
                    self.buf.extend_from_slice(CSV_HEADER.as_bytes());
                    self.buf.push(b'\n');
                }
                write_csv(&mut self.buf, &self.name, m, t, offset);
            }
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
        match self.form {
            Form::Text => {}
            // A table of template fields: a withdrawal has no row.
            Form::Csv => return Ok(()),
            Form::Json => {
                let b = &mut self.buf;
                b.extend_from_slice(b"{\"@file\":");
                json_str(b, &self.name);
                write!(
                    b,
                    ",\"domain\":{},\"message\":{},\"withdraw\":",
                    m.header.domain, m.index
                )?;
                match id {
                    Some(id) => writeln!(b, "{id}}}")?,
                    None => writeln!(b, "\"all\",\"options\":{options}}}")?,
                }
                self.out.write_all(b)?;
                b.clear();
                return Ok(());
            }
        }
        let what = match (id, options) {
            (Some(id), _) => format!("template {id}"),
            (None, true) => "all options templates".into(),
            (None, false) => "all templates".into(),
        };
        writeln!(
            self.out,
            "domain {} withdraw {what} (message {})",
            m.header.domain, m.index
        )
    }

    fn record(&mut self, _r: &RecordRef<'_>) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        // An input without templates still gets the CSV header, so the output is a table.
        if std::mem::take(&mut self.header) {
            self.out.write_all(CSV_HEADER.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }
}
