//! CSV read into IPFIX: a header row of IE names (and `@` metadata columns), then a record
//! per row, as `cat -f csv` writes them.

use super::*;

impl<W: Write> TextEncoder<W> {
    /// The header row: one key per column. A repeated IE name is numbered as the JSON form
    /// numbers repeated IEs (`name`, `name#2`, ...), so every column keeps its own values;
    /// every IE column is checked here, so a header that is not one fails on its line (1).
    fn csv_header(&self, rec: &::csv::ByteRecord) -> Result<Vec<String>, EncodeFailure> {
        let line = rec.position().map_or(1, |p| p.line());
        let at = |i: usize, key: Option<&str>, message: String| {
            EncodeFailure::Input(InputError {
                line,
                column: Some(i + 1),
                key: key.map(String::from),
                message: format!("CSV header: {message}"),
            })
        };
        let mut keys: Vec<String> = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let raw = if i == 0 {
                raw.strip_prefix(BOM).unwrap_or(raw)
            } else {
                raw
            };
            let h = std::str::from_utf8(raw)
                .map_err(|_| at(i, None, "the column name is not UTF-8".into()))?;
            let seen = keys.iter().any(|k| k == h);
            if h.starts_with('@') {
                if !META_COLUMNS.contains(&h) {
                    return Err(at(i, Some(h), "unknown metadata column".into()));
                }
                if seen {
                    return Err(at(i, Some(h), "repeated metadata column".into()));
                }
                keys.push(h.to_string());
                continue;
            }
            self.key_spec(None, h).map_err(|m| at(i, Some(h), m))?;
            let key = match (seen, h.contains('#')) {
                (false, _) => h.to_string(),
                (true, true) => return Err(at(i, Some(h), "repeated column".into())),
                (true, false) => (2..)
                    .map(|k| format!("{h}#{k}"))
                    .find(|k| !keys.contains(k))
                    .unwrap_or_default(),
            };
            keys.push(key);
        }
        Ok(keys)
    }

    /// A first pass over CSV: learns which columns each (domain, @template) fills in some row,
    /// so that its template has them all and an empty string in one row is an empty value,
    /// not a different template. Errors are left to the real pass.
    pub fn csv_plan(&mut self, r: impl Read) {
        let mut rd = csv_reader(r);
        let mut rec = ::csv::ByteRecord::new();
        if !matches!(rd.read_byte_record(&mut rec), Ok(true)) {
            return;
        }
        let Ok(headers) = self.csv_header(&rec) else {
            return;
        };
        let find = |name: &str| headers.iter().position(|h| h == name);
        let (Some(c_tid), c_dom) = (find("@template"), find("@domain")) else {
            return;
        };
        fn cell(rec: &::csv::ByteRecord, c: usize) -> Option<&str> {
            rec.get(c).and_then(|b| std::str::from_utf8(b).ok())
        }
        let mut used: HashMap<(u32, u16), Vec<bool>> = HashMap::new();
        while let Ok(true) = rd.read_byte_record(&mut rec) {
            if rec.len() != headers.len() {
                continue;
            }
            let Some(tid) = cell(&rec, c_tid).and_then(|s| s.trim().parse::<u16>().ok()) else {
                continue;
            };
            let domain = c_dom
                .and_then(|c| cell(&rec, c))
                .and_then(|s| s.trim().parse::<u32>().ok())
                .unwrap_or(0);
            let u = used
                .entry((domain, tid))
                .or_insert_with(|| vec![false; headers.len()]);
            for (i, v) in rec.iter().enumerate() {
                if !v.is_empty() && i < u.len() {
                    u[i] = true;
                }
            }
        }
        for (k, u) in used {
            let cols = headers
                .iter()
                .zip(u)
                .filter(|(h, u)| *u && !h.starts_with('@'))
                .map(|(h, _)| h.clone())
                .collect();
            self.csv_hints.insert(k, cols);
        }
    }

    /// Reads CSV with a header row (a leading byte-order mark skipped). A row that does not
    /// encode (a bad value, cells that are not UTF-8, more or fewer cells than the header) is
    /// reported and left out like a bad JSON line; a bad header ends the input.
    pub fn csv(
        &mut self,
        r: impl Read,
        report: &mut dyn FnMut(&InputError),
    ) -> Result<(), EncodeFailure> {
        let mut rd = csv_reader(r);
        let mut rec = ::csv::ByteRecord::new();
        match rd.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(err(1, format!("bad CSV header: {e}"))),
        }
        let headers = self.csv_header(&rec)?;
        let find = |name: &str| headers.iter().position(|h| h == name);
        let cols = MetaCols {
            time: find("@export_time"),
            domain: find("@domain"),
            template: find("@template"),
            scope: find("@scope"),
        };
        loop {
            match rd.read_byte_record(&mut rec) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(err(line, format!("bad CSV: {e}")));
                }
            }
            if let Err(e) = self.csv_row(&headers, cols, &rec) {
                self.skip_or_stop(e, report)?;
            }
        }
    }

    /// Encodes one CSV row.
    fn csv_row(
        &mut self,
        headers: &[String],
        cols: MetaCols,
        rec: &::csv::ByteRecord,
    ) -> Result<(), EncodeFailure> {
        let n = rec.position().map_or(0, |p| p.line());
        if rec.len() != headers.len() {
            return Err(EncodeFailure::Input(InputError {
                line: n,
                column: Some(rec.len().min(headers.len()) + 1),
                key: None,
                message: format!(
                    "ragged row: {} cells where the header has {}",
                    rec.len(),
                    headers.len()
                ),
            }));
        }
        let at = |c: usize, message: String| {
            EncodeFailure::Input(InputError {
                line: n,
                column: Some(c + 1),
                key: Some(headers[c].clone()),
                message,
            })
        };
        let mut row: Vec<&str> = Vec::with_capacity(rec.len());
        for (c, b) in rec.iter().enumerate() {
            let s = std::str::from_utf8(b).map_err(|e| {
                at(
                    c,
                    format!("not UTF-8 (octet {} of the cell)", e.valid_up_to() + 1),
                )
            })?;
            row.push(s);
        }
        let MetaCols {
            time: c_time,
            domain: c_dom,
            template: c_tid,
            scope: c_scope,
        } = cols;
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c).copied().map(|s| (c, s)))
                .filter(|(_, s)| !s.is_empty())
        };
        let domain = match get(c_dom) {
            Some((c, s)) => s
                .trim()
                .parse::<u32>()
                .map_err(|_| at(c, format!("{s:?} is not a domain ID")))?,
            None => 0,
        };
        let export_time = match get(c_time) {
            Some((c, s)) => export_time(&Json::String(s.to_string())).map_err(|m| at(c, m))?,
            None => self.default_export_time,
        };
        self.default_export_time = export_time;
        let tid = match get(c_tid) {
            Some((c, s)) => Some(
                s.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|t| *t >= 256)
                    .ok_or_else(|| at(c, format!("{s:?} is not a template ID (256..65535)")))?,
            ),
            None => None,
        };
        let scope = match get(c_scope) {
            Some((c, s)) => Some(
                s.trim()
                    .parse::<u16>()
                    .map_err(|_| at(c, format!("{s:?} is not a scope count")))?,
            ),
            None => None,
        };
        let mut cells: Vec<(&str, Cell)> = headers
            .iter()
            .zip(row.iter())
            .filter(|(h, v)| !h.starts_with('@') && !v.is_empty())
            .map(|(h, v)| (h.as_str(), Cell::Text(v)))
            .collect();
        // A @template seen in the first pass gets the columns any of its rows fills.
        if let Some(t) = tid {
            if !self.layouts.contains_key(&(domain, t)) {
                if let Some(cols) = self.csv_hints.get(&(domain, t)).cloned() {
                    let keys: Vec<&str> = cols.iter().map(String::as_str).collect();
                    // A column that is not an IE leaves it to the row's own keys (and error).
                    let _ = self.layout_for(domain, Some(t), scope, &keys);
                }
            }
        }
        // An empty cell is an absent field, except where the row's @template has that
        // column as a variable-length string or octets: then it is an empty value.
        if let Some(l) = tid.and_then(|t| self.layouts.get(&(domain, t))) {
            let missing: Vec<&str> = l
                .fields
                .iter()
                .filter(|f| !cells.iter().any(|(k, _)| *k == f.key))
                .filter_map(|f| {
                    let empty_ok = f.spec.len == VARLEN
                        && matches!(f.dtype, DataType::String | DataType::OctetArray);
                    headers
                        .iter()
                        .find(|h| **h == f.key && empty_ok)
                        .map(|h| h.as_str())
                })
                .collect();
            if missing.len() + cells.len() == l.fields.len() {
                cells.extend(missing.into_iter().map(|k| (k, Cell::Text(""))));
            }
        }
        if cells.is_empty() {
            return Err(err(n, "the row has no IE values"));
        }
        let keys: Vec<&str> = cells.iter().map(|(k, _)| *k).collect();
        let col_of = |k: &str| headers.iter().position(|h| h == k).unwrap_or(0);
        let layout = self
            .layout_for(domain, tid, scope, &keys)
            .map_err(|(k, m)| at(col_of(&k), m))?;
        self.cur_export = export_time;
        self.encode_record(domain, &layout, &cells)
            .map_err(|(k, m)| at(col_of(&k), m))?;
        self.writer
            .record(domain, export_time, layout.id, &self.buf)
            .map_err(|e| Self::out_err(e, n))?;
        self.records += 1;
        Ok(())
    }
}

/// The metadata columns CSV input honours (`@sequence` is accepted and recomputed, `@version`
/// accepted: what is written is IPFIX).
const META_COLUMNS: [&str; 6] = [
    "@export_time",
    "@domain",
    "@template",
    "@sequence",
    "@scope",
    "@version",
];

/// Where the metadata columns of a CSV header are.
#[derive(Clone, Copy)]
struct MetaCols {
    time: Option<usize>,
    domain: Option<usize>,
    template: Option<usize>,
    scope: Option<usize>,
}

/// Rows as bytes (cells are checked for UTF-8 one by one, so the error names the column) and
/// of any length (checked against the header, so a ragged row is one bad row, not the end).
fn csv_reader<R: Read>(r: R) -> ::csv::Reader<R> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}
