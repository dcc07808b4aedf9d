//! Templates and options templates (RFC 7011 §3.4.1, §3.4.2), resolved against the information
//! model once, when they are defined, so record decoding never looks anything up.

use super::registry::{IeDef, InfoModel, unknown_name};
use super::types::{DataType, VARLEN};
use std::sync::Arc;

/// A field specifier as it is on the wire (RFC 7011 §3.2): enterprise number (0 for IANA),
/// IE ID and length ([`VARLEN`] for variable length). What makes two templates the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldSpec {
    pub pen: u32,
    pub id: u16,
    pub len: u16,
}

impl FieldSpec {
    /// An IANA IE (PEN 0).
    pub const fn iana(id: u16, len: u16) -> FieldSpec {
        FieldSpec { pen: 0, id, len }
    }

    /// Size of the specifier on the wire: 8 octets with a PEN, else 4.
    pub fn wire_len(&self) -> usize {
        if self.pen == 0 { 4 } else { 8 }
    }
}

/// `(pen, id, len)`, the short form for literals in tests and tools.
impl From<(u32, u16, u16)> for FieldSpec {
    fn from((pen, id, len): (u32, u16, u16)) -> FieldSpec {
        FieldSpec { pen, id, len }
    }
}

/// A field specifier of a template, with its IE resolved.
#[derive(Clone, Debug)]
pub struct Field {
    pub pen: u32,
    pub id: u16,
    /// Declared length; [`VARLEN`] for variable length.
    pub len: u16,
    /// The IE definition, if anyone defines it.
    pub def: Option<Arc<IeDef>>,
    /// The type values are decoded as: the IE's type, or octetArray when the IE is unknown or
    /// its declared length is not valid for its type.
    pub dtype: DataType,
    /// The key used in output: the IE name or `en<PEN>:id<ID>`.
    pub name: Arc<str>,
}

impl Field {
    /// Resolves a raw field specifier.
    pub fn resolve(pen: u32, id: u16, len: u16, def: Option<Arc<IeDef>>) -> Field {
        let (dtype, name): (DataType, Arc<str>) = match &def {
            Some(d) => (
                if d.dtype.length_ok(len) {
                    d.dtype
                } else {
                    DataType::OctetArray
                },
                Arc::from(d.name.as_ref()),
            ),
            None => (DataType::OctetArray, Arc::from(unknown_name(pen, id))),
        };
        Field {
            pen,
            id,
            len,
            def,
            dtype,
            name,
        }
    }

    pub fn is_varlen(&self) -> bool {
        self.len == VARLEN
    }

    /// The specifier as it is on the wire.
    pub fn field_spec(&self) -> FieldSpec {
        FieldSpec {
            pen: self.pen,
            id: self.id,
            len: self.len,
        }
    }

    /// True when the IE is known but the declared length does not fit its type.
    pub fn bad_length(&self) -> bool {
        self.def.as_ref().is_some_and(|d| d.dtype != self.dtype)
    }

    /// Size of the specifier on the wire.
    pub fn wire_len(&self) -> usize {
        self.field_spec().wire_len()
    }

    /// RFC 7013 §10 text form, e.g. `sourceIPv4Address(8)<ipv4Address>[4]`.
    pub fn spec(&self) -> String {
        match &self.def {
            Some(d) => d.spec(Some(self.len)),
            None => {
                let num = if self.pen == 0 {
                    self.id.to_string()
                } else {
                    format!("{}/{}", self.pen, self.id)
                };
                let len = if self.len == VARLEN {
                    "v".to_string()
                } else {
                    self.len.to_string()
                };
                format!("{}({num})<octetArray>[{len}]", self.name)
            }
        }
    }
}

/// A resolved template. Owned and shared (`Arc`), because it outlives the message defining it.
///
/// What the consumers of its records need is worked out once, when it is made: where the
/// fields at fixed offsets are, whether any field is structured data, where the flow start
/// time is.
#[derive(Clone, Debug)]
pub struct Template {
    pub id: u16,
    /// Number of scope fields; 0 for a data template, at least 1 for an options template.
    pub scope_count: u16,
    pub fields: Vec<Field>,
    /// Shortest possible record: fixed lengths plus one octet per variable-length field.
    pub min_len: usize,
    /// Record length when no field is variable length.
    pub fixed_len: Option<usize>,
    /// Whether this options template carries RFC 5610 type information records.
    pub type_info: Option<TypeInfoLayout>,
    /// The offset of every field up to and including the first variable-length one (all of
    /// them when none is): see [`Template::offset`].
    offsets: Vec<usize>,
    /// Whether some field is a basicList, subTemplateList or subTemplateMultiList.
    lists: bool,
    start: Option<StartField>,
}

/// Where a template's flow start time is: the field's index and what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartField {
    pub index: usize,
    pub unit: StartUnit,
}

/// What a flow start field holds: an absolute time (flowStartSeconds, -Milliseconds,
/// -Microseconds, -Nanoseconds: IEs 150, 152, 154, 156) or one relative to something outside
/// the record (flowStartSysUpTime, 22: ms since the exporter's start; flowStartDeltaMicroseconds,
/// 158: µs before the message's export time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartUnit {
    Seconds,
    Millis,
    Micros,
    Nanos,
    SysUpTime,
    DeltaMicros,
}

impl StartUnit {
    /// The unit of IANA IE `id`, when it is a flow start.
    fn of(id: u16) -> Option<StartUnit> {
        Some(match id {
            150 => StartUnit::Seconds,
            152 => StartUnit::Millis,
            154 => StartUnit::Micros,
            156 => StartUnit::Nanos,
            22 => StartUnit::SysUpTime,
            158 => StartUnit::DeltaMicros,
            _ => return None,
        })
    }

    /// Whether the time is absolute (since the epoch), not relative to the exporter.
    pub fn is_absolute(self) -> bool {
        matches!(
            self,
            StartUnit::Seconds | StartUnit::Millis | StartUnit::Micros | StartUnit::Nanos
        )
    }
}

/// Field positions of an RFC 5610 "Information Element Type" options template; any layout is
/// accepted as long as it has informationElementId (303) and informationElementDataType (339).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeInfoLayout {
    pub id: usize,
    pub pen: Option<usize>,
    pub dtype: usize,
    pub semantics: Option<usize>,
    pub units: Option<usize>,
    pub name: Option<usize>,
}

impl Template {
    pub fn new(id: u16, scope_count: u16, fields: Vec<Field>) -> Template {
        let mut min_len = 0usize;
        let mut fixed = true;
        let mut offsets = Vec::with_capacity(fields.len());
        for f in &fields {
            if fixed {
                offsets.push(min_len);
            }
            if f.is_varlen() {
                fixed = false;
                min_len += 1;
            } else {
                min_len += f.len as usize;
            }
        }
        let lists = fields.iter().any(|f| f.dtype.is_list());
        // The first absolute start, else the first relative one; a field whose length does
        // not fit its type is not read as a time.
        let starts = || {
            fields.iter().enumerate().filter_map(|(index, f)| {
                let unit = StartUnit::of(f.id).filter(|_| f.pen == 0 && !f.bad_length())?;
                Some(StartField { index, unit })
            })
        };
        let start = starts()
            .find(|s| s.unit.is_absolute())
            .or_else(|| starts().next());
        let type_info = if scope_count > 0 {
            let pos = |pen: u32, id: u16| fields.iter().position(|f| f.pen == pen && f.id == id);
            match (pos(0, 303), pos(0, 339)) {
                (Some(idf), Some(dt)) => Some(TypeInfoLayout {
                    id: idf,
                    pen: pos(0, 346),
                    dtype: dt,
                    semantics: pos(0, 344),
                    units: pos(0, 345),
                    name: pos(0, 341),
                }),
                _ => None,
            }
        } else {
            None
        };
        Template {
            id,
            scope_count,
            fields,
            min_len,
            fixed_len: fixed.then_some(min_len),
            type_info,
            offsets,
            lists,
            start,
        }
    }

    pub fn is_options(&self) -> bool {
        self.scope_count > 0
    }

    /// Where field `i` starts in every record, if that is fixed: for every field up to and
    /// including the first variable-length one (whose length prefix is there).
    #[inline]
    pub fn offset(&self, i: usize) -> Option<usize> {
        self.offsets.get(i).copied()
    }

    /// Whether some field is structured data (RFC 6313 lists), so records need a list walk.
    #[inline]
    pub fn has_lists(&self) -> bool {
        self.lists
    }

    /// Where the flow start time is: the first absolute start field (flowStartSeconds,
    /// -Milliseconds, -Microseconds or -Nanoseconds), else the first flowStartSysUpTime or
    /// flowStartDeltaMicroseconds.
    pub fn start(&self) -> Option<StartField> {
        self.start
    }

    /// The flow start time of `record` (one record of this template) in milliseconds since
    /// 1970, when the template has an absolute start field; finer times are truncated
    /// towards the past.
    pub fn start_ms(&self, record: &[u8]) -> Option<i64> {
        let s = self.start.filter(|s| s.unit.is_absolute())?;
        let f = &self.fields[s.index];
        let b = match self.offset(s.index) {
            Some(o) => record.get(o..o + f.len as usize)?,
            None => super::list::FieldValues::new(self, record).nth(s.index)?.1,
        };
        let i = super::value::decode(f.dtype, b).instant()?;
        Some(i.secs * 1000 + (i.nanos / 1_000_000) as i64)
    }

    /// Re-resolves the fields against a lookup (after new IE definitions were learned).
    pub fn re_resolved(&self, lookup: &dyn Fn(u32, u16) -> Option<Arc<IeDef>>) -> Template {
        let fields = self
            .fields
            .iter()
            .map(|f| Field::resolve(f.pen, f.id, f.len, lookup(f.pen, f.id)))
            .collect();
        Template::new(self.id, self.scope_count, fields)
    }

    /// Size of the template record on the wire.
    pub fn wire_len(&self) -> usize {
        (if self.is_options() { 6 } else { 4 })
            + self.fields.iter().map(Field::wire_len).sum::<usize>()
    }
}

/// A template record as read from a template set, before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateRecord {
    /// A definition: ID, scope count (0 for data templates) and raw field specifiers.
    Define {
        id: u16,
        scope_count: u16,
        specs: Vec<FieldSpec>,
    },
    /// Withdrawal of one template.
    Withdraw { id: u16 },
    /// Withdrawal of all templates (set 2) or all options templates (set 3) of the domain.
    WithdrawAll { options: bool },
}

/// Outcome of reading one template record from the tail of a template set.
#[derive(Debug, PartialEq, Eq)]
pub enum TemplateParse {
    /// A record and the number of octets it used.
    Record(TemplateRecord, usize),
    /// The rest of the set is padding.
    Padding,
    /// The record cannot be read; the rest of the set is unusable.
    Fatal(TemplateFault),
    /// The record is invalid but its extent is known: skip `usize` octets and go on.
    Skip(TemplateFault, usize),
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TemplateFault {
    PastSet {
        template: u16,
        fields: u16,
    },
    ReservedId {
        template: u16,
    },
    BadScope {
        template: u16,
        scope: u16,
        fields: u16,
    },
}

/// Reads one template record from `b` (the rest of a set of kind `options`), applying the tail
/// rules of RFC 7011 §3.3.1/§8.1: fewer than 4 octets or a 0/0 header is padding, 2/0 in set 2
/// and 3/0 in set 3 withdraw all, other IDs below 256 are invalid.
pub fn parse_template_record(b: &[u8], options: bool) -> TemplateParse {
    if b.len() < 4 {
        return TemplateParse::Padding;
    }
    let id = u16::from_be_bytes([b[0], b[1]]);
    let count = u16::from_be_bytes([b[2], b[3]]);
    if count == 0 {
        return match id {
            0 => TemplateParse::Padding,
            2 if !options => {
                TemplateParse::Record(TemplateRecord::WithdrawAll { options: false }, 4)
            }
            3 if options => TemplateParse::Record(TemplateRecord::WithdrawAll { options: true }, 4),
            id if id >= 256 => TemplateParse::Record(TemplateRecord::Withdraw { id }, 4),
            id => TemplateParse::Fatal(TemplateFault::ReservedId { template: id }),
        };
    }
    if id < 256 {
        return TemplateParse::Fatal(TemplateFault::ReservedId { template: id });
    }
    let (scope, mut pos) = if options {
        if b.len() < 6 {
            return TemplateParse::Fatal(TemplateFault::PastSet {
                template: id,
                fields: count,
            });
        }
        (u16::from_be_bytes([b[4], b[5]]), 6)
    } else {
        (0, 4)
    };
    // Never allocate more than the set could hold, whatever the count claims.
    let mut specs = Vec::with_capacity((count as usize).min(b.len() / 4));
    for _ in 0..count {
        if b.len() < pos + 4 {
            return TemplateParse::Fatal(TemplateFault::PastSet {
                template: id,
                fields: count,
            });
        }
        let raw = u16::from_be_bytes([b[pos], b[pos + 1]]);
        let len = u16::from_be_bytes([b[pos + 2], b[pos + 3]]);
        pos += 4;
        let pen = if raw & 0x8000 != 0 {
            if b.len() < pos + 4 {
                return TemplateParse::Fatal(TemplateFault::PastSet {
                    template: id,
                    fields: count,
                });
            }
            let p = u32::from_be_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]);
            pos += 4;
            p
        } else {
            0
        };
        specs.push(FieldSpec {
            pen,
            id: raw & 0x7FFF,
            len,
        });
    }
    if options && (scope == 0 || scope > count) {
        return TemplateParse::Skip(
            TemplateFault::BadScope {
                template: id,
                scope,
                fields: count,
            },
            pos,
        );
    }
    TemplateParse::Record(
        TemplateRecord::Define {
            id,
            scope_count: scope,
            specs,
        },
        pos,
    )
}

/// Resolves raw specifiers against a model (plus an optional per-domain overlay).
pub fn resolve(
    id: u16,
    scope_count: u16,
    specs: &[FieldSpec],
    lookup: &dyn Fn(u32, u16) -> Option<Arc<IeDef>>,
) -> Template {
    let fields = specs
        .iter()
        .map(|f| Field::resolve(f.pen, f.id, f.len, lookup(f.pen, f.id)))
        .collect();
    Template::new(id, scope_count, fields)
}

/// Convenience for tests and tools: resolve against a model only. The specifiers may be
/// given as `(pen, id, len)` tuples.
pub fn resolve_with<F: Copy + Into<FieldSpec>>(
    model: &InfoModel,
    id: u16,
    scope_count: u16,
    specs: &[F],
) -> Template {
    let specs: Vec<FieldSpec> = specs.iter().map(|&f| f.into()).collect();
    resolve(id, scope_count, &specs, &|p, i| model.get(p, i).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(b: &[u8], options: bool) -> TemplateParse {
        parse_template_record(b, options)
    }

    #[test]
    fn tail_rules() {
        assert_eq!(rec(&[0, 0, 0], false), TemplateParse::Padding);
        assert_eq!(rec(&[0, 0, 0, 0], false), TemplateParse::Padding);
        assert_eq!(
            rec(&[0, 2, 0, 0], false),
            TemplateParse::Record(TemplateRecord::WithdrawAll { options: false }, 4)
        );
        assert_eq!(
            rec(&[0, 3, 0, 0], true),
            TemplateParse::Record(TemplateRecord::WithdrawAll { options: true }, 4)
        );
        assert!(matches!(rec(&[0, 3, 0, 0], false), TemplateParse::Fatal(_)));
        assert_eq!(
            rec(&[1, 0, 0, 0], true),
            TemplateParse::Record(TemplateRecord::Withdraw { id: 256 }, 4)
        );
        assert!(matches!(
            rec(&[0, 5, 0, 1, 0, 8, 0, 4], false),
            TemplateParse::Fatal(_)
        ));
    }

    #[test]
    fn definitions_and_lies() {
        let t = [1, 0, 0, 2, 0, 8, 0, 4, 0x80, 1, 0, 8, 0, 0, 0x72, 0x79];
        match rec(&t, false) {
            TemplateParse::Record(
                TemplateRecord::Define {
                    id,
                    scope_count,
                    specs,
                },
                used,
            ) => {
                assert_eq!((id, scope_count, used), (256, 0, 16));
                assert_eq!(
                    specs,
                    vec![FieldSpec::iana(8, 4), FieldSpec::from((29305, 1, 8))]
                );
            }
            other => panic!("{other:?}"),
        }
        // every truncation of that record is PastSet, never a panic
        for cut in 4..t.len() {
            assert!(
                matches!(
                    rec(&t[..cut], false),
                    TemplateParse::Fatal(TemplateFault::PastSet { .. })
                ),
                "cut {cut}"
            );
        }
        // field count lie
        assert!(matches!(
            rec(&[1, 0, 0x03, 0xe8, 0, 8, 0, 4], false),
            TemplateParse::Fatal(_)
        ));
        // scope count 0 and scope > count: skipped with known extent
        let o = [1, 1, 0, 1, 0, 0, 0, 149, 0, 4];
        assert_eq!(
            rec(&o, true),
            TemplateParse::Skip(
                TemplateFault::BadScope {
                    template: 257,
                    scope: 0,
                    fields: 1
                },
                10
            )
        );
        let o = [1, 1, 0, 1, 0, 2, 0, 149, 0, 4];
        assert!(matches!(
            rec(&o, true),
            TemplateParse::Skip(TemplateFault::BadScope { .. }, 10)
        ));
        let o = [1, 1, 0, 1, 0, 1, 0, 149, 0, 4];
        assert!(matches!(
            rec(&o, true),
            TemplateParse::Record(TemplateRecord::Define { scope_count: 1, .. }, 10)
        ));
    }

    #[test]
    fn resolution_and_min_len() {
        let m = InfoModel::builtin();
        let t = resolve_with(
            &m,
            256,
            0,
            &[(0, 8, 4), (0, 82, VARLEN), (0, 1, 4), (0, 8, 8), (99, 1, 2)],
        );
        assert_eq!(t.min_len, 4 + 1 + 4 + 8 + 2);
        assert_eq!(t.fixed_len, None);
        assert_eq!(&*t.fields[0].name, "sourceIPv4Address");
        assert_eq!(
            t.fields[2].dtype,
            DataType::Unsigned64,
            "reduced size keeps the type"
        );
        assert_eq!(
            t.fields[3].dtype,
            DataType::OctetArray,
            "8-octet IPv4 falls back to hex"
        );
        assert!(t.fields[3].bad_length());
        assert_eq!(&*t.fields[4].name, "en99:id1");
        assert_eq!(t.fields[1].spec(), "interfaceName(82)<string>[v]");
        // Offsets up to and including the first variable-length field.
        let at: Vec<Option<usize>> = (0..6).map(|i| t.offset(i)).collect();
        assert_eq!(at, [Some(0), Some(4), None, None, None, None]);
        assert!(!t.has_lists());
        let fixed = resolve_with(&m, 256, 0, &[(0, 8, 4), (0, 7, 2), (0, 1, 8)]);
        let at: Vec<Option<usize>> = (0..4).map(|i| fixed.offset(i)).collect();
        assert_eq!(at, [Some(0), Some(4), Some(6), None]);
        let lists = resolve_with(&m, 256, 0, &[(0, 8, 4), (0, 292, VARLEN)]);
        assert!(lists.has_lists());
    }

    #[test]
    fn flow_start() {
        let m = InfoModel::builtin();
        // sysUpTime first, then an absolute start after a variable-length field: the
        // absolute one is the start.
        let t = resolve_with(
            &m,
            256,
            0,
            &[(0, 22, 4), (0, 82, VARLEN), (0, 152, 8), (0, 153, 8)],
        );
        assert_eq!(
            t.start(),
            Some(StartField {
                index: 2,
                unit: StartUnit::Millis
            })
        );
        let mut rec = vec![0, 0, 0, 9, 2, b'e', b'0'];
        rec.extend_from_slice(&1_700_000_000_123u64.to_be_bytes());
        rec.extend_from_slice(&1_700_000_000_999u64.to_be_bytes());
        assert_eq!(t.start_ms(&rec), Some(1_700_000_000_123));
        assert_eq!(t.start_ms(&rec[..10]), None, "record too short");

        // Seconds at a fixed offset.
        let t = resolve_with(&m, 256, 0, &[(0, 8, 4), (0, 150, 4)]);
        let rec = [10, 0, 0, 1, 0x65, 0x53, 0xf1, 0x00];
        assert_eq!(t.start_ms(&rec), Some(0x6553_f100 * 1000));

        // NTP microseconds and nanoseconds: truncated to the millisecond.
        let ntp = crate::ipfix::value::instant_to_ntp(1_700_000_000, 123_456_789, false);
        let t = resolve_with(&m, 256, 0, &[(0, 156, 8)]);
        assert_eq!(t.start_ms(&ntp.to_be_bytes()), Some(1_700_000_000_123));
        let ntp = crate::ipfix::value::instant_to_ntp(1_700_000_000, 999_999_000, true);
        let t = resolve_with(&m, 256, 0, &[(0, 154, 8)]);
        assert_eq!(t.start_ms(&ntp.to_be_bytes()), Some(1_700_000_000_999));

        // Relative starts are found but give no absolute time.
        let t = resolve_with(&m, 256, 0, &[(0, 158, 4), (0, 22, 4)]);
        assert_eq!(
            t.start(),
            Some(StartField {
                index: 0,
                unit: StartUnit::DeltaMicros
            })
        );
        assert_eq!(t.start_ms(&[0; 8]), None);
        // No start; a start of the wrong length is not one; enterprise IEs are not IANA's.
        assert_eq!(resolve_with(&m, 256, 0, &[(0, 8, 4)]).start(), None);
        assert_eq!(resolve_with(&m, 256, 0, &[(0, 152, 4)]).start(), None);
        assert_eq!(resolve_with(&m, 256, 0, &[(9, 152, 8)]).start(), None);
    }
}
