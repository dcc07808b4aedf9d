//! The information model: which Information Element a (PEN, ID) pair is.
//!
//! Built in: every IANA IE (RFC 7012 registry), the RFC 5103 reverse IEs (PEN 29305, same ID),
//! the CERT/NetSA elements YAF writes (PEN 6871; reverse ones at ID | 0x4000), and vendor
//! dictionaries for Cisco (9), Juniper (2636), NetScaler (5951), VMware (6876) and ntop (35632),
//! whose names carry the vendor's prefix and never equal another built-in name. The table is
//! generated at build time from `data/*.csv` by `build.rs`; `data/README.md` gives the sources.
//! Precedence: built-in < `--ie-spec`; RFC 5610 type records never replace either. Users add IEs with spec lines in the
//! RFC 7013 §10 form `name(pen/id)<type>[length]` (`--ie-spec`), as python-ipfix reads them.
//! Elements learned from RFC 5610 type records are scoped to a file and a domain, so they live
//! in the session, not here.

use super::types::{DataType, Semantics, Units, VARLEN};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

include!(concat!(env!("OUT_DIR"), "/ie_table.rs"));

/// The RFC 5103 reverse-direction private enterprise number.
pub const REVERSE_PEN: u32 = 29305;
/// CERT/NetSA (YAF) private enterprise number.
pub const CERT_PEN: u32 = 6871;

/// One Information Element definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IeDef {
    pub pen: u32,
    pub id: u16,
    pub name: Cow<'static, str>,
    pub dtype: DataType,
    pub semantics: Semantics,
    pub units: Units,
    /// A length given in a spec line (`[4]`, `[v]`), used when a template is derived from names.
    pub default_len: Option<u16>,
}

impl IeDef {
    /// The length a template uses for this IE when none is given: the natural size, else varlen.
    pub fn template_len(&self) -> u16 {
        self.default_len
            .or_else(|| self.dtype.natural_len())
            .unwrap_or(VARLEN)
    }

    /// RFC 7013 §10 form: `name(pen/id)<type>[len]`.
    pub fn spec(&self, len: Option<u16>) -> String {
        let num = if self.pen == 0 {
            self.id.to_string()
        } else {
            format!("{}/{}", self.pen, self.id)
        };
        let mut s = format!("{}({num})<{}>", self.name, self.dtype.name());
        if let Some(l) = len {
            if l == VARLEN {
                s.push_str("[v]");
            } else {
                s.push_str(&format!("[{l}]"));
            }
        }
        s
    }
}

/// The name used for an IE nobody defines: `en<PEN>:id<ID>`. DESIGN.md uses the same form for
/// every PEN, so an unknown IANA IE is `en0:id<ID>`.
pub fn unknown_name(pen: u32, id: u16) -> String {
    format!("en{pen}:id{id}")
}

/// Parses `en<PEN>:id<ID>` back into its numbers (IDs 1..=32767).
pub fn parse_unknown_name(s: &str) -> Option<(u32, u16)> {
    let rest = s.strip_prefix("en")?;
    let (pen, id) = rest.split_once(":id")?;
    let id: u16 = id.parse().ok()?;
    // IE IDs are 15 bits; the top bit of the field specifier is the enterprise bit.
    (1..=0x7FFF)
        .contains(&id)
        .then_some((pen.parse().ok()?, id))
}

/// A set of IE definitions, looked up by (PEN, ID) or by name.
#[derive(Clone, Debug)]
pub struct InfoModel {
    by_key: HashMap<(u32, u16), Arc<IeDef>>,
    by_name: HashMap<String, (u32, u16)>,
}

impl InfoModel {
    /// The built-in model, shared: build it once per process.
    pub fn builtin() -> Arc<InfoModel> {
        static MODEL: OnceLock<Arc<InfoModel>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                let mut m = InfoModel {
                    by_key: HashMap::with_capacity(BUILTIN.len()),
                    by_name: HashMap::with_capacity(BUILTIN.len()),
                };
                for &(pen, id, name, dtype, semantics, units) in BUILTIN {
                    m.insert(IeDef {
                        pen,
                        id,
                        name: Cow::Borrowed(name),
                        dtype,
                        semantics,
                        units,
                        default_len: None,
                    });
                }
                Arc::new(m)
            })
            .clone()
    }

    /// Adds or replaces a definition. The first definition of a name keeps the name lookup,
    /// except that a later user definition wins over a built-in one.
    pub fn insert(&mut self, def: IeDef) {
        let key = (def.pen, def.id);
        if let Some(old) = self.by_key.get(&key) {
            if self.by_name.get(old.name.as_ref()) == Some(&key) {
                self.by_name.remove(old.name.as_ref());
            }
        }
        self.by_name.insert(def.name.to_string(), key);
        self.by_key.insert(key, Arc::new(def));
    }

    pub fn get(&self, pen: u32, id: u16) -> Option<&Arc<IeDef>> {
        self.by_key.get(&(pen, id))
    }

    /// Looks up a name: an IE name, `en<PEN>:id<ID>`, or a bare `pen/id` / `id`.
    pub fn by_name(&self, name: &str) -> Option<&Arc<IeDef>> {
        if let Some(key) = self.by_name.get(name) {
            return self.by_key.get(key);
        }
        let (pen, id) = parse_unknown_name(name).or_else(|| parse_pen_id(name))?;
        self.by_key.get(&(pen, id))
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Every definition, ordered by (PEN, ID).
    pub fn all(&self) -> Vec<&Arc<IeDef>> {
        let mut v: Vec<_> = self.by_key.values().collect();
        v.sort_by_key(|d| (d.pen, d.id));
        v
    }

    /// Adds the definitions of an `--ie-spec` file: one spec per line, `#` comments and blank
    /// lines ignored. Errors name the line.
    pub fn load_spec_text(&mut self, text: &str) -> Result<usize, String> {
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let def = parse_spec(line).map_err(|e| format!("line {}: {e}", i + 1))?;
            self.insert(def);
            n += 1;
        }
        Ok(n)
    }
}

fn parse_pen_id(s: &str) -> Option<(u32, u16)> {
    match s.split_once('/') {
        Some((p, i)) => Some((p.parse().ok()?, i.parse().ok()?)),
        None => Some((0, s.parse().ok()?)),
    }
}

/// Parses one RFC 7013 §10 spec: `name(pen/id)<type>[length]` or `name(id)<type>[length]`.
/// The length is optional; `[v]` or `[65535]` is variable length.
pub fn parse_spec(s: &str) -> Result<IeDef, String> {
    let s = s.trim();
    let open = s
        .find('(')
        .ok_or_else(|| format!("{s:?}: expected name(pen/id)<type>[length]"))?;
    let name = s[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{s:?}: bad IE name {name:?}"));
    }
    let close = s[open..]
        .find(')')
        .map(|i| i + open)
        .ok_or_else(|| format!("{s:?}: missing ')'"))?;
    let (pen, id) = parse_pen_id(s[open + 1..close].trim())
        .ok_or_else(|| format!("{s:?}: bad number {:?}", &s[open + 1..close]))?;
    if id == 0 || id > 0x7FFF {
        return Err(format!("{s:?}: IE id {id} is outside 1..32767"));
    }
    let rest = &s[close + 1..];
    let lt = rest
        .find('<')
        .ok_or_else(|| format!("{s:?}: missing <type>"))?;
    let gt = rest
        .find('>')
        .ok_or_else(|| format!("{s:?}: missing '>'"))?;
    if gt < lt {
        return Err(format!("{s:?}: missing <type>"));
    }
    let tname = rest[lt + 1..gt].trim();
    let dtype =
        DataType::from_name(tname).ok_or_else(|| format!("{s:?}: unknown data type {tname:?}"))?;
    let tail = rest[gt + 1..].trim();
    let default_len = if tail.is_empty() {
        None
    } else {
        let inner = tail
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .ok_or_else(|| format!("{s:?}: expected [length] after the type"))?
            .trim();
        let len = if inner == "v" || inner == "V" {
            VARLEN
        } else {
            inner
                .parse::<u16>()
                .map_err(|_| format!("{s:?}: bad length {inner:?}"))?
        };
        if !dtype.length_ok(len) {
            return Err(format!(
                "{s:?}: length {len} is not valid for {}",
                dtype.name()
            ));
        }
        Some(len)
    };
    let semantics = if dtype.is_list() {
        Semantics::List
    } else if dtype.is_unsigned() || dtype.is_signed() {
        Semantics::Quantity
    } else {
        Semantics::Default
    };
    Ok(IeDef {
        pen,
        id,
        name: Cow::Owned(name.to_string()),
        dtype,
        semantics,
        units: Units::None,
        default_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_iana_reverse_and_cert() {
        let m = InfoModel::builtin();
        let d = m.get(0, 1).unwrap();
        assert_eq!(d.name, "octetDeltaCount");
        assert_eq!(d.dtype, DataType::Unsigned64);
        assert_eq!(d.semantics, Semantics::DeltaCounter);
        assert_eq!(d.units, Units::Octets);
        assert_eq!(
            m.get(REVERSE_PEN, 1).unwrap().name,
            "reverseOctetDeltaCount"
        );
        assert!(
            m.get(REVERSE_PEN, 148).is_none(),
            "flowId is not reversible"
        );
        assert_eq!(m.get(CERT_PEN, 14).unwrap().name, "initialTCPFlags");
        assert_eq!(
            m.get(CERT_PEN, 14 | 0x4000).unwrap().name,
            "reverseInitialTCPFlags"
        );
        assert_eq!(m.by_name("sourceIPv4Address").unwrap().id, 8);
        assert_eq!(m.by_name("en0:id8").unwrap().name, "sourceIPv4Address");
        assert_eq!(m.get(0, 529).map(|d| d.id), Some(529));
        assert!(m.len() > 1200);
    }

    #[test]
    fn vendor_dictionaries_are_built_in() {
        let m = InfoModel::builtin();
        for (pen, id, name, dtype) in [
            (5951, 129, "netscalerTransactionId", DataType::Unsigned32),
            (5951, 130, "netscalerHttpReqUrl", DataType::String),
            (
                5951,
                158,
                "netscalerHttpResForwFB",
                DataType::DateTimeMicroseconds,
            ),
            (9, 12236, "ciscoClientIPv4Address", DataType::Ipv4Address),
            (2636, 137, "juniperCommonPropertiesId", DataType::Unsigned64),
            (6876, 881, "vmwareTenantSourceIPv4", DataType::Ipv4Address),
            (35632, 119, "ntopL7ProtoName", DataType::String),
        ] {
            let d = m.get(pen, id).unwrap_or_else(|| panic!("{pen}/{id}"));
            assert_eq!((&*d.name, d.dtype), (name, dtype));
            assert_eq!(m.by_name(name).map(|d| (d.pen, d.id)), Some((pen, id)));
            assert_eq!(m.by_name(&unknown_name(pen, id)).unwrap().name, name);
        }
        // vendor IEs have no derived reverse forms
        assert!(m.get(5951, 129 | 0x4000).is_none());
        // every vendor name has its prefix and is a valid IE name; none shadows IANA's
        for d in m.all() {
            let prefix = match d.pen {
                9 => "cisco",
                2636 => "juniper",
                5951 => "netscaler",
                6876 => "vmware",
                35632 => "ntop",
                _ => continue,
            };
            assert!(d.name.starts_with(prefix), "{}", d.name);
            assert!(
                d.name.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                d.name
            );
            assert_eq!(
                m.by_name(&d.name).map(|x| (x.pen, x.id)),
                Some((d.pen, d.id))
            );
        }
        let count = |pen| m.all().iter().filter(|d| d.pen == pen).count();
        assert_eq!(
            [
                count(9),
                count(5951),
                count(2636),
                count(6876),
                count(35632)
            ],
            [59, 121, 1, 10, 60]
        );
    }

    #[test]
    fn ie_spec_overrides_a_vendor_definition() {
        let mut m = (*InfoModel::builtin()).clone();
        m.load_spec_text("mine(5951/129)<string>\n").unwrap();
        assert_eq!(m.get(5951, 129).unwrap().name, "mine");
        assert!(m.by_name("netscalerTransactionId").is_none());
        assert_eq!(m.by_name("mine").unwrap().dtype, DataType::String);
    }

    #[test]
    fn spec_lines() {
        let d = parse_spec("myCounter(6871/4242)<unsigned32>[4]").unwrap();
        assert_eq!(
            (d.pen, d.id, d.dtype, d.default_len),
            (6871, 4242, DataType::Unsigned32, Some(4))
        );
        let d = parse_spec("name(99)<string>[v]").unwrap();
        assert_eq!((d.pen, d.default_len), (0, Some(VARLEN)));
        let d = parse_spec(" x(1/2)<ipv4Address> ").unwrap();
        assert_eq!(d.default_len, None);
        for bad in [
            "noparen",
            "(1/2)<string>",
            "a(1/x)<string>",
            "a(1/0)<string>",
            "a(1/40000)<string>",
            "a(1/2)string",
            "a(1/2)<strin>",
            "a(1/2)<ipv4Address>[5]",
            "a(1/2)<string>[x]",
            "a(1/2)<string>5",
        ] {
            assert!(parse_spec(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn user_spec_overrides_and_names() {
        let mut m = (*InfoModel::builtin()).clone();
        let n = m
            .load_spec_text("# comment\n\nfoo(1234/5)<unsigned16>[2]\nbar(1234/6)<string>\n")
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(m.by_name("foo").unwrap().id, 5);
        assert_eq!(m.get(1234, 6).unwrap().name, "bar");
        let err = m.load_spec_text("ok(1/1)<string>\nbroken\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
