//! Text formats read into IPFIX: records given as JSON lines ([`json`]) or CSV rows
//! ([`csv`]), encoded by one [`TextEncoder`]: values by `ipfix::encode`, messages by the
//! message writer. Like the codec this layer is pure (text in, IPFIX bytes out; no files): the
//! input layer (`io::prepare`) feeds it, and the printers in `output` write the same formats.
//!
//! Templates come from two places. A JSON line with `@fields` (what `convert --to json` writes)
//! defines a template exactly: its field specs carry IE numbers and lengths, so IPFIX -> JSON ->
//! IPFIX keeps every layout. Otherwise a template is derived from a record's keys: registry type
//! and natural length for each IE name, `name[len]` forcing a (reduced) length, `name#2` for a
//! repeated IE; records with another set of keys get their own template. `@domain`,
//! `@export_time`, `@template` and `@scope` are honoured when present.
//!
//! Values use the text forms of DESIGN.md (see `ipfix::text`); structured data is given in the
//! JSON form the printers write. A line (or CSV row) that does not encode is an [`InputError`]
//! naming line and column; like a damaged IPFIX message it is reported and skipped (or, with
//! `strict`, ends the input); of a bad line at most a template definition reaches the
//! writer, never a record, so what was written stays valid IPFIX (the fuzz target checks it). A key repeated
//! in one JSON object is such an error (serde_json's map would keep one of the values); repeated CSV columns are numbered `name#2`, ... A UTF-8
//! byte-order mark before the first line is skipped. Nesting is bounded twice: serde_json
//! reads at most [`JSON_DEPTH`] levels, and structured data at most `list::MAX_DEPTH` levels
//! of lists, what the decoder renders.
//!
//! RFC 5610: JSON keys are the names the decoder gave, and some of them it learned from type
//! records in the file. The reader learns them back (`Learned`, per domain, by the
//! decoder's rules and its own record reader `session::type_record_of`) from the type records
//! it encodes and from `@fields` specs; a lesson re-keys the layouts that use the IE, as the
//! decoder re-resolves its templates, and has their templates sent again before their next
//! record. CSV input learns nothing: its header is checked before any row (a learned name
//! there is a bad header, line 1, whose message points to `--ie-spec`).

pub mod csv;
pub mod json;

use crate::ipfix::encode::{EncodeError, encode, encode_varlen, field_specifier};
use crate::ipfix::registry::{IeDef, InfoModel, parse_unknown_name, unknown_name};
use crate::ipfix::session::{refused_name, type_record_of};
use crate::ipfix::template::{FieldSpec, resolve};
use crate::ipfix::text::{Parsed, parse, parse_hex, parse_time};
use crate::ipfix::types::{DataType, Semantics, Units, VARLEN, list_semantic_from_name};
use crate::ipfix::value::Value;
use crate::ipfix::writer::{MessageWriter, TemplateDef, WriteError};
use serde::Deserialize as _;
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read, Write};
use std::sync::Arc;

/// How a template field is encoded: its specifier, the type its values are parsed and
/// encoded as, and the key a record uses for it (`name`, `name#2`).
#[derive(Clone, Debug)]
pub struct FieldEnc {
    pub spec: FieldSpec,
    pub dtype: DataType,
    pub key: String,
}

/// A template as text input encodes it: the writer's definition plus each field's type and key.
#[derive(Clone, Debug)]
pub struct Layout {
    pub id: u16,
    pub scope: u16,
    pub fields: Vec<FieldEnc>,
}

impl Layout {
    fn def(&self) -> TemplateDef {
        TemplateDef {
            id: self.id,
            scope_count: self.scope,
            fields: self.fields.iter().map(|f| f.spec).collect(),
        }
    }

    fn matches(&self, keys: &[&str]) -> bool {
        keys.len() == self.fields.len()
            && self.fields.iter().all(|f| keys.contains(&f.key.as_str()))
    }
}

/// The IEs one observation domain of a JSON input has taught, as the decoder learns them
/// (`ipfix::session`), so that the names `convert --to json` wrote for them read back.
///
/// From RFC 5610 type records (options records of a type-information template, read with
/// the decoder's own `type_record_of`): the decoder's rules, never over a model (built-in,
/// vendor, `--ie-spec`) definition, a refused name ([`refused_name`]) leaving the IE its type
/// under `en<PEN>:id<ID>`, and an IE whose records disagree forgotten. From `@fields` specs
/// (`myCounter(12345/1)<unsigned64>[8]`): a name and type for an IE nobody defines, kept
/// apart and consulted after the type records, so a type record is never taken for a
/// conflicting definition of it. Both are per domain, as in the decoder.
#[derive(Default)]
struct Learned {
    /// From type records.
    defs: HashMap<(u32, u16), Arc<IeDef>>,
    names: HashMap<Arc<str>, (u32, u16)>,
    conflicting: HashSet<(u32, u16)>,
    /// From `@fields` specs.
    spec_defs: HashMap<(u32, u16), Arc<IeDef>>,
    spec_names: HashMap<Arc<str>, (u32, u16)>,
}

impl Learned {
    fn by_name(&self, name: &str) -> Option<&Arc<IeDef>> {
        self.names
            .get(name)
            .and_then(|k| self.defs.get(k))
            .or_else(|| {
                self.spec_names
                    .get(name)
                    .and_then(|k| self.spec_defs.get(k))
            })
    }

    fn by_key(&self, key: (u32, u16)) -> Option<&Arc<IeDef>> {
        self.defs.get(&key).or_else(|| self.spec_defs.get(&key))
    }
}

/// A problem in text input: where (line, column, key) and what.
#[derive(Debug)]
pub struct InputError {
    pub line: u64,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(k) = &self.key {
            write!(f, " ({})", shorten(k, 80))?;
        }
        write!(f, ": {}", shorten(&self.message, 400))
    }
}

/// `s`, or its first `max` octets (at a character boundary) and `...`: a line of one
/// hostile megabyte quoted in an error would make a megabyte error line.
fn shorten(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return s.into();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} octets)", &s[..end], s.len()).into()
}

/// Output errors are kept apart from input errors: they end the whole run.
#[derive(Debug)]
pub enum EncodeFailure {
    Input(InputError),
    Output(std::io::Error),
}

fn err(line: u64, message: impl Into<String>) -> EncodeFailure {
    EncodeFailure::Input(InputError {
        line,
        column: None,
        key: None,
        message: message.into(),
    })
}

/// One value of a record, as text (CSV cell) or JSON.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Json(&'a Json),
}

/// Encodes text records of one or more inputs into one IPFIX stream.
pub struct TextEncoder<W: Write> {
    pub writer: MessageWriter<W>,
    model: Arc<InfoModel>,
    layouts: HashMap<(u32, u16), Arc<Layout>>,
    /// Which template IDs of a domain have used an IE (a superset: entries outlive
    /// redefinitions), so a lesson re-keys only the layouts that have it.
    users: HashMap<(u32, u32, u16), HashSet<u16>>,
    /// IEs learned per domain (JSON input only: a CSV header is checked before any row).
    learned: HashMap<u32, Learned>,
    derived: HashMap<(u32, u16, Vec<String>), u16>,
    /// Export time for records that carry none: the previous record's (initially as set).
    pub default_export_time: u32,
    buf: Vec<u8>,
    /// Export time of the record being encoded (templates its lists need go in its message).
    cur_export: u32,
    /// CSV first pass: for each (domain, @template), the columns some row of it fills.
    csv_hints: HashMap<(u32, u16), Vec<String>>,
    pub records: u64,
    /// Stop at the first bad line or row (`--strict`) instead of reporting it and going on.
    pub strict: bool,
    /// Bad lines and rows met (reported and left out, or the one stopped at).
    pub input_errors: u64,
}

impl<W: Write> TextEncoder<W> {
    pub fn new(writer: MessageWriter<W>, model: Arc<InfoModel>) -> Self {
        TextEncoder {
            writer,
            model,
            layouts: HashMap::new(),
            users: HashMap::new(),
            learned: HashMap::new(),
            derived: HashMap::new(),
            default_export_time: 0,
            buf: Vec::new(),
            cur_export: 0,
            csv_hints: HashMap::new(),
            records: 0,
            strict: false,
            input_errors: 0,
        }
    }

    /// Templates are per input file (one file = one session): forget the previous file's.
    pub fn new_session(&mut self) {
        self.layouts.clear();
        self.users.clear();
        self.learned.clear();
        self.derived.clear();
    }

    fn out_err(e: WriteError, line: u64) -> EncodeFailure {
        match e {
            WriteError::Io(e) => EncodeFailure::Output(e),
            other => err(line, other.to_string()),
        }
    }

    /// A bad line or row: counted, then handed to `report` and left out, or (`strict`) the
    /// end of this input. Output errors always end it.
    fn skip_or_stop(
        &mut self,
        e: EncodeFailure,
        report: &mut dyn FnMut(&InputError),
    ) -> Result<(), EncodeFailure> {
        match e {
            EncodeFailure::Input(e) => {
                self.input_errors += 1;
                if self.strict {
                    return Err(EncodeFailure::Input(e));
                }
                report(&e);
                Ok(())
            }
            out => Err(out),
        }
    }

    /// Records `layout` as the domain's template `layout.id`, and which IEs it uses.
    fn insert_layout(&mut self, domain: u32, layout: Arc<Layout>) {
        for f in &layout.fields {
            self.users
                .entry((domain, f.spec.pen, f.spec.id))
                .or_default()
                .insert(layout.id);
        }
        self.layouts.insert((domain, layout.id), layout);
    }

    /// Learns from the record just encoded (`self.buf`) when `layout` is an RFC 5610
    /// type-information template, read as the decoder reads it.
    fn learn_type_record(&mut self, domain: u32, layout: &Layout) {
        let has = |id: u16| {
            layout
                .fields
                .iter()
                .any(|f| (f.spec.pen, f.spec.id) == (0, id))
        };
        if !(has(303) && has(339)) {
            return;
        }
        let def = layout.def();
        let t = Arc::new(resolve(def.id, def.scope_count, &def.fields, &|p, i| {
            self.model.get(p, i).cloned()
        }));
        let Some(mut def) = type_record_of(&t, &self.buf, &self.model) else {
            return;
        };
        let key = (def.pen, def.id);
        if self.model.get(key.0, key.1).is_some() {
            return;
        }
        let l = self.learned.entry(domain).or_default();
        if l.conflicting.contains(&key) {
            return;
        }
        if refused_name(&def, &self.model, &l.names).is_some() {
            def.name = Cow::Owned(unknown_name(key.0, key.1));
        }
        match l.defs.get(&key) {
            Some(old) if **old == def => return,
            Some(old) => {
                if l.names.get(old.name.as_ref()) == Some(&key) {
                    l.names.remove(old.name.as_ref());
                }
                l.defs.remove(&key);
                l.conflicting.insert(key);
            }
            None => {
                l.names.insert(Arc::from(def.name.as_ref()), key);
                l.defs.insert(key, Arc::new(def));
            }
        }
        self.rekey(domain, key);
    }

    /// Learns a name and type from an `@fields` spec for an IE nobody defines: the model and
    /// the domain's type records come first, and the name must pass the decoder's rule.
    fn learn_spec(&mut self, domain: u32, spec: FieldSpec, dtype: DataType, name: &str) {
        let FieldSpec { pen, id, len } = spec;
        let key = (pen, id);
        if self.model.get(pen, id).is_some() || parse_unknown_name(name) == Some(key) {
            return;
        }
        let l = self.learned.entry(domain).or_default();
        if l.by_key(key).is_some() || l.conflicting.contains(&key) {
            return;
        }
        let def = IeDef {
            pen,
            id,
            name: Cow::Owned(name.to_string()),
            dtype,
            semantics: Semantics::Default,
            units: Units::None,
            default_len: Some(len),
        };
        if refused_name(&def, &self.model, &l.names).is_some()
            || refused_name(&def, &self.model, &l.spec_names).is_some()
        {
            return;
        }
        l.spec_names.insert(Arc::from(name), key);
        l.spec_defs.insert(key, Arc::new(def));
    }

    /// After a lesson about `key` in `domain`, its fields in the domain's layouts take the
    /// key and type the decoder now gives them (it re-resolves its live templates the same
    /// way): records after a type record are keyed by the learned name even when their
    /// template's `@fields` line came before it.
    fn rekey(&mut self, domain: u32, key: (u32, u16)) {
        let Some(ids) = self.users.get(&(domain, key.0, key.1)) else {
            return;
        };
        let def = self.learned.get(&domain).and_then(|l| l.defs.get(&key));
        let name = def.map_or_else(|| unknown_name(key.0, key.1), |d| d.name.to_string());
        for id in ids {
            let Some(old) = self.layouts.get(&(domain, *id)) else {
                continue;
            };
            if !old.fields.iter().any(|f| (f.spec.pen, f.spec.id) == key) {
                continue;
            }
            let fields = old
                .fields
                .iter()
                .map(|f| {
                    if (f.spec.pen, f.spec.id) != key {
                        return f.clone();
                    }
                    // `name#2`: the repeat number stays.
                    let repeat = f.key.find('#').map_or("", |i| &f.key[i..]);
                    let dtype = def
                        .map(|d| d.dtype)
                        .filter(|t| t.length_ok(f.spec.len))
                        .unwrap_or(DataType::OctetArray);
                    FieldEnc {
                        key: format!("{name}{repeat}"),
                        dtype,
                        ..f.clone()
                    }
                })
                .collect();
            let layout = Arc::new(Layout {
                id: old.id,
                scope: old.scope,
                fields,
            });
            self.layouts.insert((domain, *id), layout);
            self.writer.resend(domain, *id);
        }
    }

    /// A template spec: `name(pen/id)<type>[len]` (as written by `convert --to json`), or a key.
    fn field_spec(&self, domain: u32, s: &str) -> Result<(FieldSpec, DataType, String), String> {
        let s = s.trim();
        let open = s.find('(');
        let close = open.and_then(|o| s[o..].find(')').map(|c| c + o));
        if let (Some(open), Some(close)) = (open, close) {
            let name = s[..open].to_string();
            let num = &s[open + 1..close];
            let (pen, id) = match num.split_once('/') {
                Some((p, i)) => (p.parse::<u32>().ok(), i.parse::<u16>().ok()),
                None => (Some(0), num.parse::<u16>().ok()),
            };
            let (Some(pen), Some(id)) = (pen, id.filter(|i| (1..=0x7FFF).contains(i))) else {
                return Err(format!(
                    "bad IE number in field spec {s:?} (IDs are 1..32767)"
                ));
            };
            let rest = &s[close + 1..];
            let dtype = match (rest.find('<'), rest.find('>')) {
                (Some(a), Some(b)) if a < b => DataType::from_name(&rest[a + 1..b])
                    .ok_or_else(|| format!("unknown type in field spec {s:?}"))?,
                _ => self
                    .model
                    .get(pen, id)
                    .or_else(|| self.learned.get(&domain)?.by_key((pen, id)))
                    .map(|d| d.dtype)
                    .unwrap_or(DataType::OctetArray),
            };
            // The registry's type wins for known IEs; the spec's type covers learned ones.
            let dtype = self.model.get(pen, id).map(|d| d.dtype).unwrap_or(dtype);
            let len = match (rest.find('['), rest.find(']')) {
                (Some(a), Some(b)) if a < b => parse_len(&rest[a + 1..b])
                    .ok_or_else(|| format!("bad length in field spec {s:?}"))?,
                _ => dtype.natural_len().unwrap_or(VARLEN),
            };
            let dtype = if dtype.length_ok(len) {
                dtype
            } else {
                DataType::OctetArray
            };
            return Ok((FieldSpec { pen, id, len }, dtype, name));
        }
        self.key_spec(Some(domain), s)
    }

    /// A record key: `name`, `name[len]`, `name#2`, `en<PEN>:id<ID>`, `pen/id`. Names and
    /// types learned in `domain` count after the model's; `None` is a CSV header, which has
    /// learned nothing (its columns are checked before any row is read).
    fn key_spec(
        &self,
        domain: Option<u32>,
        key: &str,
    ) -> Result<(FieldSpec, DataType, String), String> {
        let base = key.split('#').next().unwrap_or(key);
        let (name, forced) = match (base.find('['), base.strip_suffix(']')) {
            (Some(a), Some(inner)) => (
                &base[..a],
                Some(parse_len(&inner[a + 1..]).ok_or_else(|| format!("bad length in {key:?}"))?),
            ),
            _ => (base, None),
        };
        let learned = domain.and_then(|d| self.learned.get(&d));
        let known = self
            .model
            .by_name(name)
            .or_else(|| learned?.by_name(name))
            .or_else(|| learned?.by_key(parse_unknown_name(name)?));
        let (pen, id, dtype, natural) = match known {
            Some(d) => (d.pen, d.id, d.dtype, d.template_len()),
            None => match parse_unknown_name(name) {
                Some((pen, id)) => (pen, id, DataType::OctetArray, VARLEN),
                None => {
                    return Err(format!(
                        "{name:?} is not a known IE name (use --ie-spec, or en<PEN>:id<ID>)"
                    ));
                }
            },
        };
        let len = forced.unwrap_or(natural);
        if !dtype.length_ok(len) {
            return Err(format!(
                "length {len} is not valid for {name} ({})",
                dtype.name()
            ));
        }
        Ok((FieldSpec { pen, id, len }, dtype, name.to_string()))
    }

    /// The layout for a record: its `@template`'s when that has these keys, else one derived
    /// from the keys (cached per key list). A given `@template` is always honoured: if the ID
    /// has other fields, it is redefined (a redefinition replaces, RFC 5655 §7.1).
    fn layout_for(
        &mut self,
        domain: u32,
        tid: Option<u16>,
        scope: Option<u16>,
        keys: &[&str],
    ) -> Result<Arc<Layout>, (String, String)> {
        let usable = |l: &Layout| l.matches(keys) && scope.is_none_or(|s| s == l.scope);
        if let Some(t) = tid {
            if let Some(l) = self.layouts.get(&(domain, t)).filter(|l| usable(l)) {
                return Ok(l.clone());
            }
        }
        let scope = scope.unwrap_or(0);
        let cache_key = (
            domain,
            scope,
            keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        );
        if tid.is_none() {
            if let Some(l) = self
                .derived
                .get(&cache_key)
                .and_then(|id| self.layouts.get(&(domain, *id)))
                .filter(|l| usable(l))
            {
                return Ok(l.clone());
            }
        }
        let mut fields = Vec::with_capacity(keys.len());
        for k in keys {
            let (spec, dtype, _) = self
                .key_spec(Some(domain), k)
                .map_err(|m| (k.to_string(), m))?;
            fields.push(FieldEnc {
                spec,
                dtype,
                key: k.to_string(),
            });
        }
        if scope as usize > fields.len() {
            return Err((
                "@scope".into(),
                format!("scope count {scope} exceeds the {} fields", fields.len()),
            ));
        }
        let id = match tid {
            Some(t) => t,
            None => (256..=u16::MAX)
                .find(|i| {
                    !self.layouts.contains_key(&(domain, *i))
                        && self.writer.template(domain, *i).is_none()
                })
                .ok_or_else(|| {
                    (
                        keys[0].to_string(),
                        "no free template ID left in this domain".to_string(),
                    )
                })?,
        };
        let layout = Arc::new(Layout { id, scope, fields });
        self.writer
            .define(domain, layout.def())
            .map_err(|e| (keys[0].to_string(), e.to_string()))?;
        self.insert_layout(domain, layout.clone());
        self.derived.insert(cache_key, id);
        Ok(layout)
    }

    /// Encodes a record's values into `self.buf` in the layout's field order.
    fn encode_record(
        &mut self,
        domain: u32,
        layout: &Layout,
        cells: &[(&str, Cell)],
    ) -> Result<(), (String, String)> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut result = Ok(());
        for f in &layout.fields {
            let Some((_, cell)) = cells.iter().find(|(k, _)| *k == f.key) else {
                result = Err((f.key.clone(), "missing from this record".to_string()));
                break;
            };
            if let Err(m) = self.encode_field(domain, f.dtype, f.spec.len, *cell, &mut buf, 0) {
                result = Err((f.key.clone(), m));
                break;
            }
        }
        self.buf = buf;
        result
    }

    fn encode_field(
        &mut self,
        domain: u32,
        dtype: DataType,
        len: u16,
        cell: Cell,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), String> {
        // The decoder renders MAX_DEPTH levels of lists in lists: write no more than it reads.
        if depth > crate::ipfix::list::MAX_DEPTH {
            return Err(format!(
                "structured data nested too deeply (limit {} levels of lists)",
                crate::ipfix::list::MAX_DEPTH
            ));
        }
        if dtype.is_list() {
            let parsed;
            let v = match cell {
                Cell::Json(v) => v,
                Cell::Text(s) => {
                    parsed = serde_json::from_str::<Json>(s)
                        .map_err(|e| format!("{} value is not JSON: {e}", dtype.name()))?;
                    &parsed
                }
            };
            let mut content = Vec::new();
            self.encode_list(domain, dtype, v, &mut content, depth)?;
            return put_bytes(out, dtype, &content, len, Content::List);
        }
        let text;
        let s: &str = match cell {
            Cell::Text(s) => s,
            Cell::Json(Json::String(s)) => s,
            Cell::Json(Json::Number(n)) => {
                text = n.to_string();
                &text
            }
            Cell::Json(Json::Bool(b)) => {
                if *b {
                    "true"
                } else {
                    "false"
                }
            }
            Cell::Json(Json::Object(o)) if o.len() == 1 && o.contains_key("@hex") => {
                let h = o["@hex"]
                    .as_str()
                    .and_then(parse_hex)
                    .ok_or("@hex must hold hex octets")?;
                return put_bytes(out, dtype, &h, len, Content::Raw);
            }
            Cell::Json(other) => return Err(format!("{other} is not a {} value", dtype.name())),
        };
        let p = parse(dtype, s).map_err(|m| match cell {
            // serde_json reads integers past 64 bits as floating point: say so.
            Cell::Json(Json::Number(n)) if n.is_f64() && is_integer(dtype) => format!(
                "{n} does not fit {} (out of range, or not a whole number)",
                dtype.name()
            ),
            _ => m,
        })?;
        encode_parsed(&p, dtype, len, out)
    }

    fn encode_list(
        &mut self,
        domain: u32,
        dtype: DataType,
        v: &Json,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("a {} is a JSON object", dtype.name()))?;
        let semantic = match o.get("semantic") {
            None => 0xFF,
            Some(Json::String(s)) => {
                list_semantic_from_name(s).ok_or_else(|| format!("unknown list semantic {s:?}"))?
            }
            Some(Json::Number(n)) => n
                .as_u64()
                .filter(|v| *v <= 255)
                .ok_or("list semantic is 0..255")? as u8,
            Some(_) => return Err("list semantic is a name or number".into()),
        };
        out.push(semantic);
        match dtype {
            DataType::BasicList => {
                let el = o
                    .get("element")
                    .and_then(Json::as_str)
                    .ok_or("basicList needs \"element\": an IE name")?;
                let (spec, edt, _) = self.key_spec(Some(domain), el)?;
                field_specifier(spec, out);
                let values = o
                    .get("values")
                    .and_then(Json::as_array)
                    .ok_or("basicList needs \"values\": [...]")?;
                for v in values {
                    self.encode_field(domain, edt, spec.len, Cell::Json(v), out, depth + 1)?;
                }
            }
            DataType::SubTemplateList => {
                let tid = o
                    .get("template")
                    .and_then(Json::as_u64)
                    .and_then(|t| u16::try_from(t).ok())
                    .ok_or("subTemplateList needs \"template\": N")?;
                out.extend_from_slice(&tid.to_be_bytes());
                let recs = o
                    .get("records")
                    .and_then(Json::as_array)
                    .ok_or("subTemplateList needs \"records\": [...]")?;
                self.encode_sub_records(domain, tid, recs, out, depth)?;
            }
            DataType::SubTemplateMultiList => {
                let lists = o
                    .get("lists")
                    .and_then(Json::as_array)
                    .ok_or("subTemplateMultiList needs \"lists\": [...]")?;
                for l in lists {
                    let tid = l
                        .get("template")
                        .and_then(Json::as_u64)
                        .and_then(|t| u16::try_from(t).ok())
                        .ok_or("each list needs \"template\": N")?;
                    let recs = l
                        .get("records")
                        .and_then(Json::as_array)
                        .ok_or("each list needs \"records\": [...]")?;
                    let start = out.len();
                    out.extend_from_slice(&tid.to_be_bytes());
                    out.extend_from_slice(&[0, 0]);
                    self.encode_sub_records(domain, tid, recs, out, depth)?;
                    let len = u16::try_from(out.len() - start)
                        .map_err(|_| "list entry longer than 65535 octets")?;
                    out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
                }
            }
            _ => unreachable!("encode_list is called for list types only"),
        }
        Ok(())
    }

    fn encode_sub_records(
        &mut self,
        domain: u32,
        tid: u16,
        recs: &[Json],
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), String> {
        let layout = match self.layouts.get(&(domain, tid)) {
            Some(l) => l.clone(),
            None => {
                // No @fields line defined it (CSV, hand-written JSON): derive it from the
                // keys of the list's first record, under the ID the list names.
                let first = recs.first().and_then(Json::as_object).ok_or_else(|| {
                    format!("template {tid} is not defined in domain {domain} and the list has no record to derive it from")
                })?;
                let keys: Vec<&str> = first
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !k.starts_with('@'))
                    .collect();
                self.layout_for(domain, Some(tid), None, &keys)
                    .map_err(|(k, m)| format!("{k}: {m}"))?
            }
        };
        if layout.id != tid {
            return Err(format!(
                "template {tid} of domain {domain} has other fields than this list's records"
            ));
        }
        // The template must be in the file before a record that refers to it.
        self.writer
            .require(domain, self.cur_export, tid)
            .map_err(|e| e.to_string())?;
        for r in recs {
            let obj: &Map<String, Json> = r.as_object().ok_or("list records are JSON objects")?;
            for f in &layout.fields {
                let v = obj
                    .get(&f.key)
                    .ok_or_else(|| format!("record of template {tid} lacks {}", f.key))?;
                self.encode_field(domain, f.dtype, f.spec.len, Cell::Json(v), out, depth + 1)?;
            }
        }
        Ok(())
    }
}

/// The UTF-8 byte-order mark some editors put at the start of a text file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The most arrays and objects nested in one another that serde_json reads (its recursion
/// limit, 128, counts the level it refuses).
pub const JSON_DEPTH: usize = 127;

fn is_integer(t: DataType) -> bool {
    use DataType as D;
    matches!(
        t,
        D::Unsigned8
            | D::Unsigned16
            | D::Unsigned32
            | D::Unsigned64
            | D::Signed8
            | D::Signed16
            | D::Signed32
            | D::Signed64
    )
}

fn parse_len(s: &str) -> Option<u16> {
    match s.trim() {
        "v" | "V" => Some(VARLEN),
        t => t.parse().ok(),
    }
}

fn export_time(v: &Json) -> Result<u32, String> {
    let s = match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        other => return Err(format!("{other} is not a time")),
    };
    let (secs, nanos) = parse_time(&s, 0)?;
    if nanos != 0 {
        return Err(format!("{s:?}: export times are whole seconds"));
    }
    u32::try_from(secs).map_err(|_| format!("{s:?} is outside the export time range (1970..2106)"))
}

/// The most content a variable-length field of text input holds: what fits one message with
/// the message and set headers and a 3-octet prefix.
const MAX_FIELD: usize = 65535 - 16 - 4 - 3;

/// What field content given as octets is.
#[derive(Clone, Copy)]
enum Content {
    String,
    Octets,
    /// Structured data, of the field's list type.
    List,
    /// `@hex` octets, written as they are whatever the field's type.
    Raw,
}

/// Writes `b` through [`encode`] as a field of type `dtype` and length `len`: varlen with a
/// prefix (the 3-octet form for lists, as RFC 6313 recommends), or fixed (shorter content is
/// zero-padded, longer refused).
fn put_bytes(
    out: &mut Vec<u8>,
    dtype: DataType,
    b: &[u8],
    len: u16,
    content: Content,
) -> Result<(), String> {
    let value = |b| match content {
        Content::String => Value::String(b),
        Content::Octets => Value::Octets(b),
        Content::List => Value::List(dtype, b),
        Content::Raw => Value::Invalid(b),
    };
    let done = if len == VARLEN {
        if b.len() > MAX_FIELD {
            return Err(format!(
                "value of {} octets is too long for one message",
                b.len()
            ));
        }
        match content {
            Content::List => encode_varlen(b, true, out),
            _ => encode(dtype, &value(b), len, out),
        }
    } else {
        if b.len() > len as usize {
            return Err(format!(
                "value of {} octets does not fit the field's {len} octets",
                b.len()
            ));
        }
        let mut padded = Cow::Borrowed(b);
        if b.len() < len as usize {
            padded.to_mut().resize(len as usize, 0);
        }
        encode(dtype, &value(&padded), len, out)
    };
    done.map_err(|e| e.to_string())
}

/// Encodes a parsed scalar into `len` octets through [`encode`] (reduced-size rules of RFC 7011
/// §6.2). A float64 in 4 octets is rounded to the nearest float32 (the text is a decimal that
/// float32 rarely holds exactly); strings and octets go through `put_bytes`.
pub fn encode_parsed(
    p: &Parsed,
    dtype: DataType,
    len: u16,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let v = match p {
        Parsed::String(b) => return put_bytes(out, dtype, b, len, Content::String),
        Parsed::Octets(b) => return put_bytes(out, dtype, b, len, Content::Octets),
        Parsed::Float64(x) if len == 4 => Value::Float32(*x as f32),
        _ => p.as_value(),
    };
    encode(dtype, &v, len, out).map_err(|e| scalar_error(p, dtype, len, &e))
}

/// What a scalar that [`encode`] refused is told: the value for integers, else the octets its
/// type needs.
fn scalar_error(p: &Parsed, dtype: DataType, len: u16, e: &EncodeError) -> String {
    let need = match p {
        Parsed::Unsigned(v) => return format!("{v} does not fit in {len} octets"),
        Parsed::Signed(v) => return format!("{v} does not fit in {len} octets"),
        Parsed::Unsigned256(_) => return format!("value does not fit in {len} octets"),
        Parsed::String(_) | Parsed::Octets(_) => return e.to_string(),
        Parsed::Bool(_) => 1,
        Parsed::Float32(_) | Parsed::Ipv4(_) | Parsed::Seconds(_) => 4,
        Parsed::Mac(_) => 6,
        Parsed::Float64(_) | Parsed::Millis(_) | Parsed::Micros(_) | Parsed::Nanos(_) => 8,
        Parsed::Ipv6(_) => 16,
    };
    format!("{} needs {need} octets, the field has {len}", dtype.name())
}

#[cfg(test)]
mod encode_tests {
    use super::*;

    fn enc(p: Parsed, dtype: DataType, len: u16) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        encode_parsed(&p, dtype, len, &mut out).map(|()| out)
    }

    #[test]
    fn a_float64_in_4_octets_is_rounded_to_float32() {
        assert_eq!(
            enc(Parsed::Float64(0.1), DataType::Float64, 4),
            Ok(0.1f32.to_be_bytes().to_vec())
        );
        assert_eq!(
            enc(Parsed::Float64(0.1), DataType::Float64, 8),
            Ok(0.1f64.to_be_bytes().to_vec())
        );
    }

    #[test]
    fn short_strings_and_octets_are_zero_padded() {
        let s = |b: &[u8]| Parsed::String(b.to_vec());
        assert_eq!(enc(s(b"ab"), DataType::String, 4), Ok(b"ab\0\0".to_vec()));
        assert_eq!(
            enc(Parsed::Octets(vec![1]), DataType::OctetArray, 2),
            Ok(vec![1, 0])
        );
        assert_eq!(
            enc(s(b"abcde"), DataType::String, 4),
            Err("value of 5 octets does not fit the field's 4 octets".into())
        );
        assert_eq!(
            enc(s(b"ab"), DataType::String, VARLEN),
            Ok(b"\x02ab".to_vec())
        );
        let long = vec![b'x'; MAX_FIELD + 1];
        assert_eq!(
            enc(Parsed::String(long), DataType::String, VARLEN),
            Err("value of 65513 octets is too long for one message".into())
        );
        assert!(enc(s(&[b'x'; MAX_FIELD]), DataType::String, VARLEN).is_ok());
    }

    #[test]
    fn lists_take_the_long_prefix_raw_octets_the_short_one() {
        let mut out = Vec::new();
        put_bytes(
            &mut out,
            DataType::BasicList,
            &[1, 2],
            VARLEN,
            Content::List,
        )
        .unwrap();
        assert_eq!(out, [0xFF, 0, 2, 1, 2]);
        out.clear();
        put_bytes(&mut out, DataType::BasicList, &[1, 2], VARLEN, Content::Raw).unwrap();
        assert_eq!(out, [2, 1, 2]);
        out.clear();
        put_bytes(&mut out, DataType::Ipv4Address, &[10], 4, Content::Raw).unwrap();
        assert_eq!(out, [10, 0, 0, 0]);
    }

    #[test]
    fn refusals_keep_their_wording() {
        assert_eq!(
            enc(Parsed::Unsigned(256), DataType::Unsigned16, 1),
            Err("256 does not fit in 1 octets".into())
        );
        assert_eq!(
            enc(Parsed::Signed(-129), DataType::Signed16, 1),
            Err("-129 does not fit in 1 octets".into())
        );
        assert_eq!(
            enc(Parsed::Unsigned256(vec![1, 0]), DataType::Unsigned256, 1),
            Err("value does not fit in 1 octets".into())
        );
        assert_eq!(
            enc(Parsed::Float64(1.0), DataType::Float64, 2),
            Err("float64 needs 8 octets, the field has 2".into())
        );
        assert_eq!(
            enc(Parsed::Bool(true), DataType::Boolean, 2),
            Err("boolean needs 1 octets, the field has 2".into())
        );
    }
}
