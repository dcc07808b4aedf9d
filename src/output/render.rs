//! Rendering values as text, JSON and CSV cells, shared by every printer.
//!
//! Strings: valid UTF-8 is written as is (escaped as each format needs); bytes that are not
//! UTF-8 are never dropped: JSON gets `{"@hex":"..."}`, text and CSV get `\xHH` escapes.
//! Structured data (RFC 6313) is always written in its JSON form, also inside text and CSV:
//! basicList `{"semantic":..,"element":..,"values":[..]}`, subTemplateList
//! `{"semantic":..,"template":N,"records":[{..}]}`, subTemplateMultiList
//! `{"semantic":..,"lists":[{"template":N,"records":[..]}]}`.

use crate::ipfix::list::{
    BasicList, FieldValues, MAX_DEPTH, Records, Scope, parse_stl, parse_stml,
};
use crate::ipfix::text::{TimeStyle, json_bare, write_hex, write_scalar};
use crate::ipfix::types::list_semantic_name;
use crate::ipfix::value::{Value, decode};
use crate::ipfix::{DataType, Template};

/// Appends `s` as the inside of a JSON string (no quotes).
pub fn json_escape_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => {
                out.extend_from_slice(&b[last..i]);
                out.extend_from_slice(b"\\u00");
                out.push(b"0123456789abcdef"[(c >> 4) as usize]);
                out.push(b"0123456789abcdef"[(c & 15) as usize]);
                last = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&b[last..i]);
        out.extend_from_slice(esc);
        last = i + 1;
    }
    out.extend_from_slice(&b[last..]);
}

/// A JSON string literal, with quotes.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    json_escape_str(out, s);
    out.push(b'"');
}

/// Raw string bytes as text: valid UTF-8 as is, other bytes as `\xHH`.
pub fn lossless_text(out: &mut Vec<u8>, mut b: &[u8]) {
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.extend_from_slice(s.as_bytes());
                return;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend_from_slice(&b[..good]);
                let bad = e.error_len().unwrap_or(b.len() - good);
                for &x in &b[good..good + bad] {
                    out.extend_from_slice(b"\\x");
                    write_hex(out, &[x]);
                }
                b = &b[good + bad..];
            }
        }
    }
}

/// Writes a value as JSON.
pub fn json_value(
    out: &mut Vec<u8>,
    v: &Value<'_>,
    scope: &dyn Scope,
    time: TimeStyle,
    depth: usize,
) {
    match *v {
        Value::String(b) => match std::str::from_utf8(b) {
            Ok(s) => json_str(out, s),
            Err(_) => {
                out.extend_from_slice(b"{\"@hex\":\"");
                write_hex(out, b);
                out.extend_from_slice(b"\"}");
            }
        },
        Value::List(t, b) => json_list(out, t, b, scope, time, depth),
        _ => {
            if json_bare(v, time) {
                write_scalar(out, v, time);
            } else {
                out.push(b'"');
                write_scalar(out, v, time);
                out.push(b'"');
            }
        }
    }
}

/// Writes a value in the plain text form (text and CSV before quoting).
pub fn text_value(out: &mut Vec<u8>, v: &Value<'_>, scope: &dyn Scope, time: TimeStyle) {
    match *v {
        Value::String(b) => lossless_text(out, b),
        Value::List(t, b) => json_list(out, t, b, scope, time, 0),
        _ => {
            write_scalar(out, v, time);
        }
    }
}

fn semantic(out: &mut Vec<u8>, s: u8) {
    out.extend_from_slice(b"{\"semantic\":");
    match list_semantic_name(s) {
        Some(n) => json_str(out, n),
        None => out.extend_from_slice(itoa::Buffer::new().format(s).as_bytes()),
    }
}

fn list_error(out: &mut Vec<u8>, what: &str, b: &[u8]) {
    out.extend_from_slice(b"{\"@error\":");
    json_str(out, what);
    out.extend_from_slice(b",\"@hex\":\"");
    write_hex(out, b);
    out.extend_from_slice(b"\"}");
}

/// Writes structured data (RFC 6313) as JSON.
pub fn json_list(
    out: &mut Vec<u8>,
    t: DataType,
    b: &[u8],
    scope: &dyn Scope,
    time: TimeStyle,
    depth: usize,
) {
    if depth >= MAX_DEPTH {
        return list_error(out, "lists nested too deeply", b);
    }
    match t {
        DataType::BasicList => match BasicList::parse(b, scope) {
            Err(e) => list_error(out, e, b),
            Ok(l) => {
                semantic(out, l.semantic);
                out.extend_from_slice(b",\"element\":");
                json_str(out, &l.field.name);
                out.extend_from_slice(b",\"values\":[");
                for (i, e) in l.elements().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    match e {
                        Ok(v) => json_value(out, &decode(l.field.dtype, v), scope, time, depth + 1),
                        Err(msg) => list_error(out, msg, &[]),
                    }
                }
                out.extend_from_slice(b"]}");
            }
        },
        DataType::SubTemplateList => match parse_stl(b) {
            Err(e) => list_error(out, e, b),
            Ok((sem, tid, data)) => {
                semantic(out, sem);
                out.extend_from_slice(b",\"template\":");
                out.extend_from_slice(itoa::Buffer::new().format(tid).as_bytes());
                out.extend_from_slice(b",\"records\":");
                json_records(out, tid, data, scope, time, depth);
                out.push(b'}');
            }
        },
        DataType::SubTemplateMultiList => match parse_stml(b) {
            Err(e) => list_error(out, e, b),
            Ok((sem, entries)) => {
                semantic(out, sem);
                out.extend_from_slice(b",\"lists\":[");
                for (i, e) in entries.enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    match e {
                        Ok((tid, data)) => {
                            out.extend_from_slice(b"{\"template\":");
                            out.extend_from_slice(itoa::Buffer::new().format(tid).as_bytes());
                            out.extend_from_slice(b",\"records\":");
                            json_records(out, tid, data, scope, time, depth);
                            out.push(b'}');
                        }
                        Err(msg) => list_error(out, msg, &[]),
                    }
                }
                out.extend_from_slice(b"]}");
            }
        },
        _ => list_error(out, "not a list type", b),
    }
}

fn json_records(
    out: &mut Vec<u8>,
    tid: u16,
    data: &[u8],
    scope: &dyn Scope,
    time: TimeStyle,
    depth: usize,
) {
    let Some(t) = scope.template(tid) else {
        let mut msg = String::from("template ");
        msg.push_str(&tid.to_string());
        msg.push_str(" is not defined");
        return list_error(out, &msg, data);
    };
    let keys = field_keys(t);
    out.push(b'[');
    for (i, r) in Records::new(t, data, false).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match r {
            Ok(rec) => {
                out.push(b'{');
                for (j, (f, v)) in FieldValues::new(t, rec).enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    json_str(out, &keys[j]);
                    out.push(b':');
                    json_value(out, &decode(f.dtype, v), scope, time, depth + 1);
                }
                out.push(b'}');
            }
            Err(msg) => list_error(out, msg, &[]),
        }
    }
    out.push(b']');
}

/// Output keys for a template's fields: the IE name, with `#2`, `#3`... for repeats.
pub fn field_keys(t: &Template) -> Vec<String> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    t.fields
        .iter()
        .map(|f| {
            let n = seen.entry(&f.name).or_insert(0);
            *n += 1;
            if *n == 1 {
                f.name.to_string()
            } else {
                format!("{}#{}", f.name, n)
            }
        })
        .collect()
}

/// Appends `cell` as one RFC 4180 CSV field (quoted when it holds `,` `"` CR or LF).
pub fn csv_cell(out: &mut Vec<u8>, cell: &[u8]) {
    if cell
        .iter()
        .any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for &c in cell {
            if c == b'"' {
                out.push(b'"');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut o = Vec::new();
        json_str(&mut o, "a\"b\\c\nd\u{1}");
        assert_eq!(String::from_utf8(o).unwrap(), r#""a\"b\\c\nd\u0001""#);
        let mut o = Vec::new();
        lossless_text(&mut o, b"ok\xffz\xc3");
        assert_eq!(o, b"ok\\xffz\\xc3");
        let mut o = Vec::new();
        csv_cell(&mut o, b"a,\"b\"");
        assert_eq!(o, b"\"a,\"\"b\"\"\"");
        let mut o = Vec::new();
        csv_cell(&mut o, b"plain");
        assert_eq!(o, b"plain");
    }
}
