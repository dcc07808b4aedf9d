//! `--templates`: the template definitions only, in RFC 7013 §10 text form
//! (`name(pen/id)<type>[length]`, `{scope}` on scope fields), each where it was first defined
//! or changed; identical re-sends are not repeated.

use super::Printer;
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

pub struct TemplatesPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
}

impl<'w> TemplatesPrinter<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        TemplatesPrinter {
            out,
            buf: Vec::new(),
        }
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
        write!(self.buf, "domain {} ", m.header.domain)?;
        write_template(&mut self.buf, t, "", Some(offset), true)?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn withdrawal(&mut self, m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
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
        self.out.flush()
    }
}
