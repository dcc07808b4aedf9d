//! JSON lines read into IPFIX: a line per record (`{"octetDeltaCount":1,...}`) or per
//! template (`{"@fields":[...]}`), as `convert --to json` and `cat -f json` write them.

use super::*;

impl<W: Write> TextEncoder<W> {
    /// Reads JSON lines (blank lines ignored, a leading byte-order mark skipped). A line that
    /// does not encode is reported and left out, as the IPFIX reader resynchronises at the
    /// next message; the records before and after it are kept. A read error ends the input.
    pub fn json_lines(
        &mut self,
        mut r: impl BufRead,
        report: &mut dyn FnMut(&InputError),
    ) -> Result<(), EncodeFailure> {
        let mut raw = Vec::new();
        let mut n = 0u64;
        loop {
            raw.clear();
            let got = r
                .read_until(b'\n', &mut raw)
                .map_err(|e| err(n + 1, format!("read failed: {e}")))?;
            if got == 0 {
                return Ok(());
            }
            n += 1;
            let mut line = &raw[..];
            if n == 1 {
                line = line.strip_prefix(BOM).unwrap_or(line);
            }
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let done = match std::str::from_utf8(line) {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => self.json_line(n, text),
                Err(e) => Err(EncodeFailure::Input(InputError {
                    line: n,
                    column: Some(e.valid_up_to() + 1),
                    key: None,
                    message: "not UTF-8".into(),
                })),
            };
            if let Err(e) = done {
                self.skip_or_stop(e, report)?;
            }
        }
    }

    fn json_line(&mut self, n: u64, raw: &str) -> Result<(), EncodeFailure> {
        let v = parse_json(raw).map_err(|e| json_error(n, &e))?;
        let Json::Object(obj) = v else {
            return Err(EncodeFailure::Input(InputError {
                line: n,
                column: Some(raw.len() - raw.trim_start().len() + 1),
                key: None,
                message: "expected a JSON object per line".into(),
            }));
        };
        let col = |key: &str| raw.find(&format!("\"{key}\"")).map(|i| i + 1);
        let at = |key: &str, message: String| {
            EncodeFailure::Input(InputError {
                line: n,
                column: col(key),
                key: Some(key.to_string()),
                message,
            })
        };
        let domain = meta_u64(&obj, "@domain")
            .map_err(|m| at("@domain", m))?
            .unwrap_or(0);
        let domain = u32::try_from(domain)
            .map_err(|_| at("@domain", format!("{domain} is not a 32-bit domain ID")))?;
        let export_time = match obj.get("@export_time") {
            Some(v) => export_time(v).map_err(|m| at("@export_time", m))?,
            None => self.default_export_time,
        };
        self.default_export_time = export_time;
        let tid = meta_u64(&obj, "@template").map_err(|m| at("@template", m))?;
        let tid = tid
            .map(|t| {
                u16::try_from(t).ok().filter(|t| *t >= 256).ok_or_else(|| {
                    at(
                        "@template",
                        format!("{t} is not a template ID (256..65535)"),
                    )
                })
            })
            .transpose()?;
        let scope = meta_u64(&obj, "@scope")
            .map_err(|m| at("@scope", m))?
            .map(|v| v as u16);
        if let Some(fields) = obj.get("@fields") {
            let id = tid.ok_or_else(|| at("@fields", "a template line needs @template".into()))?;
            let Json::Array(specs) = fields else {
                return Err(at("@fields", "expected an array of field specs".into()));
            };
            let mut encs = Vec::with_capacity(specs.len());
            let mut keys: Vec<String> = Vec::new();
            for s in specs {
                let s = s
                    .as_str()
                    .ok_or_else(|| at("@fields", "field specs are strings".into()))?;
                let (spec, dtype, name) =
                    self.field_spec(domain, s).map_err(|m| at("@fields", m))?;
                let seen = keys
                    .iter()
                    .filter(|k| k.split('#').next() == Some(name.as_str()))
                    .count();
                let key = if seen == 0 {
                    name.clone()
                } else {
                    format!("{name}#{}", seen + 1)
                };
                keys.push(key.clone());
                encs.push(FieldEnc { spec, dtype, key });
            }
            let scope = scope.unwrap_or(0);
            if scope as usize > encs.len() {
                return Err(at(
                    "@scope",
                    format!("scope count {scope} exceeds the {} fields", encs.len()),
                ));
            }
            let layout = Arc::new(Layout {
                id,
                scope,
                fields: encs,
            });
            self.writer
                .define(domain, layout.def())
                .map_err(|e| Self::out_err(e, n))?;
            self.writer
                .require(domain, export_time, id)
                .map_err(|e| Self::out_err(e, n))?;
            // Only a template line that was accepted teaches its names.
            for f in &layout.fields {
                let name = f.key.split('#').next().unwrap_or(&f.key);
                self.learn_spec(domain, f.spec, f.dtype, name);
            }
            self.insert_layout(domain, layout);
            return Ok(());
        }
        let entries: Vec<(&str, &Json)> = obj
            .iter()
            .filter(|(k, v)| !k.starts_with('@') && !v.is_null())
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        if entries.is_empty() {
            return Err(err(n, "the object has no IE fields"));
        }
        let keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
        let layout = self
            .layout_for(domain, tid, scope, &keys)
            .map_err(|(k, m)| at(&k, m))?;
        let cells: Vec<(&str, Cell)> = entries.iter().map(|(k, v)| (*k, Cell::Json(v))).collect();
        self.cur_export = export_time;
        self.encode_record(domain, &layout, &cells)
            .map_err(|(k, m)| at(&k, m))?;
        self.writer
            .record(domain, export_time, layout.id, &self.buf)
            .map_err(|e| Self::out_err(e, n))?;
        self.records += 1;
        if layout.scope > 0 {
            self.learn_type_record(domain, &layout);
        }
        Ok(())
    }
}

/// One JSON line as a value. A key repeated in one object (at any depth) is an error:
/// serde_json's own map would silently keep one of them.
fn parse_json(raw: &str) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(raw);
    let Unique(v) = Unique::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A serde_json error as an input error at its line (`n`) and column, in our words.
fn json_error(n: u64, e: &serde_json::Error) -> EncodeFailure {
    let full = e.to_string();
    let what = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(w, _)| w);
    let message = if what.starts_with("recursion limit exceeded") {
        format!("nested too deeply (at most {JSON_DEPTH} levels of arrays and objects)")
    } else if e.is_data() {
        what.to_string()
    } else {
        format!("not JSON: {what}")
    };
    EncodeFailure::Input(InputError {
        line: n,
        column: Some(e.column()),
        key: None,
        message,
    })
}

/// A JSON value that refuses repeated keys ([`parse_json`]).
struct Unique(Json);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
        let mut v = Vec::new();
        while let Some(Unique(x)) = a.next_element()? {
            v.push(x);
        }
        Ok(Json::Array(v))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
        let mut m = Map::new();
        while let Some(k) = a.next_key::<String>()? {
            if m.contains_key(&k) {
                return Err(serde::de::Error::custom(format_args!(
                    "repeated key {k:?} in one object"
                )));
            }
            let Unique(v) = a.next_value()?;
            m.insert(k, v);
        }
        Ok(Json::Object(m))
    }
}

fn meta_u64(o: &Map<String, Json>, key: &str) -> Result<Option<u64>, String> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{n} is not a non-negative integer")),
        Some(Json::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{s:?} is not a non-negative integer")),
        Some(other) => Err(format!("{other} is not a non-negative integer")),
    }
}
