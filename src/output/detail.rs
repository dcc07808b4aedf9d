//! `-f detail`: everything in the file, message by message, like libfixbuf's ipfixDump but with
//! byte offsets: message headers, sets, template definitions (RFC 7013 §10 field specs),
//! withdrawals, and each record with one field per line.

use super::render::text_value;
use super::templates::write_template;
use super::{PrintOptions, Printer};
use crate::ipfix::session::{MessageCtx, RecordRef, Session};
use crate::ipfix::text::write_rfc3339;
use crate::ipfix::value::Instant;
use crate::ipfix::{Template, decode};
use std::io::{self, Write};
use std::sync::Arc;

pub struct DetailPrinter<'w> {
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    opts: PrintOptions,
    record_no: u64,
}

impl<'w> DetailPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, opts: PrintOptions) -> Self {
        DetailPrinter {
            out,
            buf: Vec::new(),
            opts,
            record_no: 0,
        }
    }
    fn flush_buf(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl Printer for DetailPrinter<'_> {
    fn message(&mut self, m: &MessageCtx) -> io::Result<()> {
        let h = &m.header;
        let mut t = Vec::new();
        write_rfc3339(
            &mut t,
            Instant {
                secs: h.export_time as i64,
                nanos: 0,
                digits: 0,
            },
        );
        writeln!(
            self.buf,
            "--- message {} at byte {}: length {}, export time {} ({}), sequence {}, domain {}",
            m.index,
            m.offset,
            h.length,
            String::from_utf8_lossy(&t),
            h.export_time,
            h.sequence,
            h.domain
        )?;
        self.flush_buf()
    }

    fn set(&mut self, _m: &MessageCtx, set_id: u16, offset: u64, length: u16) -> io::Result<()> {
        let kind = match set_id {
            2 => "template set",
            3 => "options template set",
            256.. => "data set",
            _ => "reserved set",
        };
        writeln!(
            self.buf,
            "  {kind} {set_id} at byte {offset}, length {length}"
        )?;
        self.flush_buf()
    }

    fn template(
        &mut self,
        _m: &MessageCtx,
        t: &Arc<Template>,
        offset: u64,
        changed: bool,
    ) -> io::Result<()> {
        write_template(&mut self.buf, t, "    ", Some(offset), changed)?;
        self.flush_buf()
    }

    fn withdrawal(&mut self, _m: &MessageCtx, id: Option<u16>, options: bool) -> io::Result<()> {
        match id {
            Some(id) => writeln!(self.buf, "    withdraw template {id}")?,
            None if options => writeln!(self.buf, "    withdraw all options templates")?,
            None => writeln!(self.buf, "    withdraw all templates")?,
        }
        self.flush_buf()
    }

    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        self.record_no += 1;
        let kind = if r.template.is_options() {
            "options record"
        } else {
            "record"
        };
        writeln!(
            self.buf,
            "    {kind} {} (template {}) at byte {}",
            self.record_no, r.template.id, r.offset
        )?;
        let mut val = Vec::new();
        for (i, (f, v)) in r.fields().enumerate() {
            val.clear();
            text_value(&mut val, &decode(f.dtype, v), r.scope, self.opts.time);
            let scope = if i < r.template.scope_count as usize {
                " {scope}"
            } else {
                ""
            };
            let num = if f.pen == 0 {
                format!("{}", f.id)
            } else {
                format!("{}/{}", f.pen, f.id)
            };
            writeln!(
                self.buf,
                "      {}({num})[{}]{scope} = {}",
                f.name,
                v.len(),
                String::from_utf8_lossy(&val)
            )?;
        }
        if self.buf.len() >= 1 << 16 {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn finish(&mut self, _s: &Session) -> io::Result<()> {
        self.flush_buf()?;
        self.out.flush()
    }
}
