//! Deliberate damage for `gen --corrupt KIND`: one problem put into a valid IPFIX file, so a
//! reader's handling of exactly that problem can be tested.
//!
//! [`corrupt`] is pure: bytes in, bytes out. It first indexes the file (RFC 5655 §7: IPFIX
//! messages back to back), walking message headers (RFC 7011 §3.1), set headers (§3.3.2),
//! template and options template records (§3.4.1-2, withdrawals §8.1) and, with the templates
//! live at that point, the data records (§3.4.3, variable-length fields §7). The index lists
//! every place each [`Kind`] can damage; the seed picks one through a fixed mixing function
//! (SplitMix64), so the same file and seed always give the same bytes, whatever the
//! dependencies. Every octet outside the damaged place is left as it was: the damage is the
//! only problem a reader meets (and its consequences, such as the records after a cut).
//!
//! Invariants: no input panics; a file that is not already valid (a bad header, a set or
//! record running past its end, an empty-record template) is refused, because its own damage
//! would mix with the one asked for. [`Damage::offset`] is the start of the damaged unit (the
//! message, set or record a reader would name); [`Damage::what`] says which field changed.
//!
//! Written by hand: the walk is the few checks of RFC 7011 needed to find places, not a
//! decoder (the codec in [`crate::ipfix`] reports problems instead of refusing them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ipfix::encode;

/// One kind of deliberate damage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Truncate,
    BadVersion,
    BadSetLength,
    UnknownTemplate,
    VarlenOverrun,
    FieldCountBomb,
    ZeroSetLength,
    TemplateWithdrawnThenUsed,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Truncate,
        Kind::BadVersion,
        Kind::BadSetLength,
        Kind::UnknownTemplate,
        Kind::VarlenOverrun,
        Kind::FieldCountBomb,
        Kind::ZeroSetLength,
        Kind::TemplateWithdrawnThenUsed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Truncate => "truncate",
            Kind::BadVersion => "bad-version",
            Kind::BadSetLength => "bad-set-length",
            Kind::UnknownTemplate => "unknown-template",
            Kind::VarlenOverrun => "varlen-overrun",
            Kind::FieldCountBomb => "field-count-bomb",
            Kind::ZeroSetLength => "zero-set-length",
            Kind::TemplateWithdrawnThenUsed => "template-withdrawn-then-used",
        }
    }

    /// What is damaged and what a reader should report, in one sentence.
    pub fn about(self) -> &'static str {
        match self {
            Kind::Truncate => {
                "the file ends inside a message, after its header; a reader should report a truncated message"
            }
            Kind::BadVersion => {
                "one message header has version 11; a reader should report a bad message header (and may resynchronise)"
            }
            Kind::BadSetLength => {
                "one set claims one octet more than is left in its message; a reader should report a bad set length"
            }
            Kind::UnknownTemplate => {
                "one data set's ID is a template its domain never defines; a reader should report data without a template"
            }
            Kind::VarlenOverrun => {
                "one variable-length field's length prefix claims more octets than remain in its set; a reader should report a record running past its set"
            }
            Kind::FieldCountBomb => {
                "one template record's field count is 65535 while its set stays as long; a reader should report a template running past its set, without allocating for 65535 fields"
            }
            Kind::ZeroSetLength => {
                "one set's length is 0; a reader should report a bad set length and not loop"
            }
            Kind::TemplateWithdrawnThenUsed => {
                "a message withdrawing a template is inserted before data of that template; a reader should report data for a withdrawn template"
            }
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the damage is, for a one-line note on stderr: byte offset in the damaged file and a
/// short description, e.g. "byte 1234: message 3 cut after 57 of 120 octets".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Start of the damaged message, set or record (for an inserted message, its start).
    pub offset: u64,
    pub what: String,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.what)
    }
}

/// Damages a valid IPFIX file (`file`: back-to-back IPFIX messages, as RFC 5655 files are) in
/// one place chosen deterministically from `seed` (same input and seed -> same bytes). Errors
/// (a message naming what is missing) when the file has no place this kind can damage, or is
/// not a valid IPFIX file to begin with.
pub fn corrupt(kind: Kind, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let ix = Index::of(file)?;
    if ix.messages.is_empty() {
        return Err(format!(
            "{kind} needs an IPFIX message, and the file is empty"
        ));
    }
    match kind {
        Kind::Truncate => truncate(&ix, file, seed),
        Kind::BadVersion => bad_version(&ix, file, seed),
        Kind::BadSetLength => set_length(&ix, file, seed, false),
        Kind::ZeroSetLength => set_length(&ix, file, seed, true),
        Kind::UnknownTemplate => unknown_template(&ix, file, seed),
        Kind::VarlenOverrun => varlen_overrun(&ix, file, seed),
        Kind::FieldCountBomb => field_count_bomb(&ix, file, seed),
        Kind::TemplateWithdrawnThenUsed => withdrawn_then_used(&ix, file, seed),
    }
}

// ---------------------------------------------------------------------------------------
// The damage, one function per kind
// ---------------------------------------------------------------------------------------

fn truncate(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    // Cutting right after the header still leaves a message the header says is longer.
    let places: Vec<&Message> = ix.messages.iter().filter(|m| m.len > HEADER).collect();
    let m = pick(&places, seed)
        .ok_or("truncate needs a message longer than its 16-octet header (one with a set)")?;
    let kept = HEADER + (mix(mix(seed)) % (m.len - HEADER) as u64) as usize;
    let out = file[..m.at + kept].to_vec();
    let what = format!("message {} cut after {kept} of {} octets", m.number, m.len);
    Ok((out, damage(m.at, what)))
}

fn bad_version(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let m = pick(&ix.messages, seed).ok_or("bad-version needs a message")?;
    let mut out = file.to_vec();
    put16(&mut out, m.at, BAD_VERSION);
    let what = format!("message {}: version 10 made {BAD_VERSION}", m.number);
    Ok((out, damage(m.at, what)))
}

/// Neither IPFIX (10) nor NetFlow v9 or v5, which a reader might decode instead.
const BAD_VERSION: u16 = 11;

fn set_length(ix: &Index, file: &[u8], seed: u64, zero: bool) -> Result<(Vec<u8>, Damage), String> {
    let kind = if zero {
        Kind::ZeroSetLength
    } else {
        Kind::BadSetLength
    };
    let s = pick(&ix.sets, seed).ok_or_else(|| format!("{kind} needs a message with a set"))?;
    let m = &ix.messages[s.message];
    let left = m.at + m.len - s.at;
    // One octet too many: the smallest lie, the one an off-by-one check lets through.
    let new = if zero { 0 } else { left + 1 };
    let mut out = file.to_vec();
    put16(&mut out, s.at + 2, new as u16);
    let what = format!(
        "set {} of message {} (ID {}): length {} made {new}, {left} octets are left in the message",
        s.number, m.number, s.id, s.len
    );
    Ok((out, damage(s.at, what)))
}

fn unknown_template(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let data: Vec<&SetAt> = ix.sets.iter().filter(|s| s.id >= 256).collect();
    let s = pick(&data, seed).ok_or("unknown-template needs a data set")?;
    let m = &ix.messages[s.message];
    let used = ix.ids.get(&m.domain);
    // The highest free ID: far from the low IDs exporters hand out, so it reads as foreign.
    let id = (256..=u16::MAX)
        .rev()
        .find(|id| used.is_none_or(|u| !u.contains(id)))
        .ok_or_else(|| {
            format!(
                "unknown-template needs a template ID that domain {} does not use, and it uses them all",
                m.domain
            )
        })?;
    let mut out = file.to_vec();
    put16(&mut out, s.at, id);
    let what = format!(
        "set {} of message {}: data set ID {} made {id}, which no template of domain {} defines",
        s.number, m.number, s.id, m.domain
    );
    Ok((out, damage(s.at, what)))
}

fn varlen_overrun(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let v = pick(&ix.varlens, seed).ok_or(
        "varlen-overrun needs a data record with a variable-length field (after its template); try --template ...,wlanSSID",
    )?;
    let m = &ix.messages[v.message];
    let mut out = file.to_vec();
    // Octets after the 1-octet prefix up to the set's end; whatever is claimed must exceed it.
    let left = v.set_end - (v.prefix_at + 1);
    let (claim, left) = if !v.long && left < 254 {
        out[v.prefix_at] = 254;
        (254, left)
    } else {
        // The 3-octet form claiming the most it can: 65535 is more than any set can hold. A
        // 1-octet prefix turned into it spends the value's next two octets, still in the
        // record (a set this long has them).
        out[v.prefix_at] = 255;
        put16(&mut out, v.prefix_at + 1, u16::MAX);
        (65535, v.set_end - (v.prefix_at + 3))
    };
    let what = format!(
        "record {} of template {} (message {}, data set at byte {}): the length prefix of field {} at byte {} made {claim}, {left} octets are left in the set",
        v.record, v.template, m.number, v.set_at, v.field, v.prefix_at
    );
    Ok((out, damage(v.record_at, what)))
}

fn field_count_bomb(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let t = pick(&ix.templates, seed)
        .ok_or("field-count-bomb needs a template record (not a withdrawal)")?;
    let mut out = file.to_vec();
    put16(&mut out, t.at + 2, u16::MAX);
    let what = format!(
        "{} {} in message {}: field count {} made 65535, its set left at {} octets",
        if t.options {
            "options template"
        } else {
            "template"
        },
        t.id,
        ix.messages[t.message].number,
        t.fields,
        t.set_len
    );
    Ok((out, damage(t.at, what)))
}

fn withdrawn_then_used(ix: &Index, file: &[u8], seed: u64) -> Result<(Vec<u8>, Damage), String> {
    let u = pick(&ix.reuses, seed).ok_or(
        "template-withdrawn-then-used needs a data set whose template was defined in an earlier message of its domain",
    )?;
    let m = &ix.messages[u.message];
    // A message of its own, so the only change to the file is one whole message: the data
    // that follows is untouched. (ipfixDump 2.4.1 loops forever on a withdrawal and data for
    // the same ID in one message, and, tests/gen_corrupt.rs finds, on this too.)
    let set_id = if u.options { 3 } else { 2 };
    let bytes = encode::template_record::<(u32, u16, u16)>(u.template, 0, &[])
        .and_then(|r| encode::set(set_id, &r))
        .and_then(|s| encode::message(m.export, m.sequence, m.domain, &[s]))
        .map_err(|e| format!("template-withdrawn-then-used: {e}"))?;
    let mut out = Vec::with_capacity(file.len() + bytes.len());
    out.extend_from_slice(&file[..m.at]);
    out.extend_from_slice(&bytes);
    out.extend_from_slice(&file[m.at..]);
    let what = format!(
        "message {} ({} octets) inserted: withdrawal of {}template {} in domain {}, whose data set comes in the next message (at byte {})",
        m.number,
        bytes.len(),
        if u.options { "options " } else { "" },
        u.template,
        m.domain,
        u.set_at + bytes.len()
    );
    Ok((out, damage(m.at, what)))
}

fn damage(at: usize, what: String) -> Damage {
    Damage {
        offset: at as u64,
        what,
    }
}

fn put16(out: &mut [u8], at: usize, v: u16) {
    out[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

/// One of `places`, by `seed`.
fn pick<T>(places: &[T], seed: u64) -> Option<&T> {
    if places.is_empty() {
        return None;
    }
    places.get((mix(seed) % places.len() as u64) as usize)
}

/// SplitMix64 (the generator's, [`super::rng::splitmix`]): neighbouring seeds land far apart.
fn mix(seed: u64) -> u64 {
    let mut x = seed;
    super::rng::splitmix(&mut x)
}

// ---------------------------------------------------------------------------------------
// The index: every place of the file, by kind
// ---------------------------------------------------------------------------------------

const HEADER: usize = 16;
const VARLEN: u16 = 65535;

struct Message {
    at: usize,
    len: usize,
    /// 1-based, as readers count them.
    number: u64,
    export: u32,
    sequence: u32,
    domain: u32,
}

struct SetAt {
    message: usize,
    at: usize,
    /// 1-based within its message.
    number: usize,
    id: u16,
    len: usize,
}

struct TemplateAt {
    message: usize,
    at: usize,
    id: u16,
    fields: u16,
    options: bool,
    set_len: usize,
}

struct VarlenAt {
    message: usize,
    set_at: usize,
    set_end: usize,
    template: u16,
    /// 1-based within its set.
    record: u64,
    record_at: usize,
    /// 1-based within its record.
    field: usize,
    prefix_at: usize,
    /// The 3-octet form (255, then a u16).
    long: bool,
}

/// A data set of a template that was live when its message began and that the message does
/// not define or withdraw before the set: withdrawing it in a message of its own just before
/// makes this data come after a withdrawal.
struct ReuseAt {
    message: usize,
    set_at: usize,
    template: u16,
    options: bool,
}

#[derive(Default)]
struct Index {
    messages: Vec<Message>,
    sets: Vec<SetAt>,
    templates: Vec<TemplateAt>,
    varlens: Vec<VarlenAt>,
    reuses: Vec<ReuseAt>,
    /// Every template ID a template record (or withdrawal) names, per domain.
    ids: BTreeMap<u32, BTreeSet<u16>>,
}

/// A live template: what the data walk needs.
struct Live {
    options: bool,
    lengths: Vec<u16>,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn invalid(at: usize, what: impl fmt::Display) -> String {
    format!("the input is not a valid IPFIX file (byte {at}: {what}); only valid files are damaged")
}

impl Index {
    fn of(file: &[u8]) -> Result<Index, String> {
        let mut ix = Index::default();
        let mut live: BTreeMap<u32, BTreeMap<u16, Live>> = BTreeMap::new();
        let mut at = 0;
        while at < file.len() {
            let have = file.len() - at;
            if have < HEADER {
                return Err(invalid(
                    at,
                    format_args!("{have} octets left, a message header needs 16"),
                ));
            }
            let version = be16(file, at);
            let len = be16(file, at + 2) as usize;
            if version != 10 {
                return Err(invalid(
                    at,
                    format_args!("message version {version}, not 10"),
                ));
            }
            if len < HEADER || len > have {
                return Err(invalid(
                    at,
                    format_args!("message length {len} with {have} octets left"),
                ));
            }
            let message = ix.messages.len();
            let domain = be32(file, at + 12);
            ix.messages.push(Message {
                at,
                len,
                number: message as u64 + 1,
                export: be32(file, at + 4),
                sequence: be32(file, at + 8),
                domain,
            });
            let tpl = live.entry(domain).or_default();
            // IDs this message defined or withdrew so far.
            let mut touched = BTreeSet::new();
            let mut number = 0;
            let end = at + len;
            let mut pos = at + HEADER;
            while pos < end {
                let left = end - pos;
                if left < 4 {
                    return Err(invalid(
                        pos,
                        format_args!("{left} octets after the last set"),
                    ));
                }
                let id = be16(file, pos);
                let set_len = be16(file, pos + 2) as usize;
                if set_len < 4 || set_len > left {
                    return Err(invalid(
                        pos,
                        format_args!("set length {set_len} with {left} octets left in the message"),
                    ));
                }
                number += 1;
                ix.sets.push(SetAt {
                    message,
                    at: pos,
                    number,
                    id,
                    len: set_len,
                });
                let set = Span {
                    message,
                    at: pos,
                    end: pos + set_len,
                };
                match id {
                    2 | 3 => ix.template_set(file, &set, id == 3, domain, tpl, &mut touched)?,
                    256.. => ix.data_set(file, &set, id, tpl, &touched)?,
                    // Reserved set IDs: readers skip them, so there is nothing here to find.
                    _ => {}
                }
                pos += set_len;
            }
            at = end;
        }
        Ok(ix)
    }

    fn template_set(
        &mut self,
        file: &[u8],
        set: &Span,
        options: bool,
        domain: u32,
        live: &mut BTreeMap<u16, Live>,
        touched: &mut BTreeSet<u16>,
    ) -> Result<(), String> {
        let mut p = set.at + 4;
        // Fewer than 4 octets left is padding (RFC 7011 §3.3.1).
        while set.end - p >= 4 {
            let id = be16(file, p);
            let count = be16(file, p + 2);
            if count == 0 {
                match id {
                    // Padding: a reader stops here.
                    0 => break,
                    // Withdraw all templates (or options templates) of the domain.
                    2 | 3 if (id == 3) == options => live.retain(|_, t| t.options != options),
                    256.. => {
                        live.remove(&id);
                        touched.insert(id);
                        self.ids.entry(domain).or_default().insert(id);
                    }
                    _ => return Err(invalid(p, format_args!("reserved template ID {id}"))),
                }
                p += 4;
                continue;
            }
            if id < 256 {
                return Err(invalid(p, format_args!("reserved template ID {id}")));
            }
            let head = if options { 6 } else { 4 };
            if set.end - p < head {
                return Err(invalid(p, "options template header runs past its set"));
            }
            if options {
                let scope = be16(file, p + 4);
                if scope == 0 || scope > count {
                    return Err(invalid(
                        p,
                        format_args!("options template scope count {scope} of {count} fields"),
                    ));
                }
            }
            let mut q = p + head;
            let mut lengths = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let spec = if set.end - q >= 4 && file[q] & 0x80 != 0 {
                    8
                } else {
                    4
                };
                if set.end - q < spec {
                    return Err(invalid(p, format_args!("template {id} runs past its set")));
                }
                lengths.push(be16(file, q + 2));
                q += spec;
            }
            self.templates.push(TemplateAt {
                message: set.message,
                at: p,
                id,
                fields: count,
                options,
                set_len: set.end - set.at,
            });
            self.ids.entry(domain).or_default().insert(id);
            touched.insert(id);
            live.insert(id, Live { options, lengths });
            p = q;
        }
        Ok(())
    }

    fn data_set(
        &mut self,
        file: &[u8],
        set: &Span,
        id: u16,
        live: &BTreeMap<u16, Live>,
        touched: &BTreeSet<u16>,
    ) -> Result<(), String> {
        // Data before its template (or without one): a reader holds or drops it; no records
        // can be located in it.
        let Some(t) = live.get(&id) else {
            return Ok(());
        };
        let reused = !touched.contains(&id);
        if reused
            && !self
                .reuses
                .iter()
                .any(|r| r.message == set.message && r.template == id)
        {
            self.reuses.push(ReuseAt {
                message: set.message,
                set_at: set.at,
                template: id,
                options: t.options,
            });
        }
        let min: usize = t
            .lengths
            .iter()
            .map(|&l| if l == VARLEN { 1 } else { l as usize })
            .sum();
        if min == 0 {
            return Err(invalid(
                set.at,
                format_args!("template {id} describes zero-length records"),
            ));
        }
        let mut p = set.at + 4;
        let mut record = 0;
        while set.end - p >= min {
            record += 1;
            let record_at = p;
            for (i, &l) in t.lengths.iter().enumerate() {
                let past = || {
                    invalid(
                        record_at,
                        format_args!("record {record} of template {id} runs past its set"),
                    )
                };
                let n = if l == VARLEN {
                    let prefix_at = p;
                    let first = *file[..set.end].get(p).ok_or_else(past)?;
                    let long = first == 255;
                    let n = if long {
                        if set.end - p < 3 {
                            return Err(past());
                        }
                        p += 3;
                        be16(file, p - 2) as usize
                    } else {
                        p += 1;
                        first as usize
                    };
                    self.varlens.push(VarlenAt {
                        message: set.message,
                        set_at: set.at,
                        set_end: set.end,
                        template: id,
                        record,
                        record_at,
                        field: i + 1,
                        prefix_at,
                        long,
                    });
                    n
                } else {
                    l as usize
                };
                if n > set.end - p {
                    return Err(past());
                }
                p += n;
            }
        }
        Ok(())
    }
}

/// A set's place: its message, its first octet (the header) and the octet after its end.
struct Span {
    message: usize,
    at: usize,
    end: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::encode::{message, set, template_record};

    /// Template 256 of domain 1: sourceIPv4Address (4) and a varlen interfaceName.
    fn template_256() -> Vec<u8> {
        set(
            2,
            &template_record(256, 0, &[(0u32, 8u16, 4u16), (0, 82, VARLEN)]).unwrap(),
        )
        .unwrap()
    }

    /// Options template 257: scope meteringProcessId (4), then samplingInterval (4).
    fn options_257() -> Vec<u8> {
        set(
            3,
            &template_record(257, 1, &[(0u32, 143u16, 4u16), (0, 34, 4)]).unwrap(),
        )
        .unwrap()
    }

    /// Two records of template 256: 10.0.0.1 "eth0", 10.0.0.2 "" (zero-length string).
    fn data_256() -> Vec<u8> {
        let mut b = vec![10, 0, 0, 1, 4];
        b.extend_from_slice(b"eth0");
        b.extend_from_slice(&[10, 0, 0, 2, 0]);
        set(256, &b).unwrap()
    }

    /// Message 1: both templates, 256's data; message 2: 256's data, 257's data.
    fn file() -> Vec<u8> {
        let mut f = message(1000, 0, 1, &[template_256(), options_257(), data_256()]).unwrap();
        let options_data = set(257, &[0, 0, 0, 1, 0, 0, 0, 100]).unwrap();
        f.extend(message(1001, 2, 1, &[data_256(), options_data]).unwrap());
        f
    }

    /// Where message 2 starts in [`file`].
    fn second(f: &[u8]) -> usize {
        be16(f, 2) as usize
    }

    fn run(kind: Kind, f: &[u8], seed: u64) -> (Vec<u8>, Damage) {
        corrupt(kind, f, seed).unwrap_or_else(|e| panic!("{kind}: {e}"))
    }

    /// Every octet is the original's except those in `changed` (offsets of the result).
    fn only_changed(a: &[u8], b: &[u8], changed: std::ops::Range<usize>) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if !changed.contains(&i) {
                assert_eq!(x, y, "octet {i} changed");
            }
        }
        assert_ne!(a[changed.clone()], b[changed]);
    }

    #[test]
    fn names_round_trip_and_are_distinct() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert!(!k.about().is_empty() && !k.about().contains('\n'));
        }
        let names: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        assert_eq!(Kind::from_name("Truncate"), None);
        assert_eq!(Kind::from_name(""), None);
    }

    #[test]
    fn truncate_cuts_inside_a_message_after_its_header() {
        let f = file();
        let mut seen = BTreeSet::new();
        for seed in 0..64 {
            let (out, d) = run(Kind::Truncate, &f, seed);
            let m = d.offset as usize;
            assert!(m == 0 || m == second(&f), "{d}");
            let msg_len = be16(&f, m + 2) as usize;
            assert!(out.len() >= m + HEADER && out.len() < m + msg_len, "{d}");
            assert_eq!(out[..], f[..out.len()]);
            assert!(d.what.starts_with(&format!(
                "message {} cut after {} of {msg_len} octets",
                if m == 0 { 1 } else { 2 },
                out.len() - m
            )));
            seen.insert(out.len());
        }
        assert!(seen.len() > 10, "cut points vary with the seed: {seen:?}");
    }

    #[test]
    fn truncate_needs_a_message_with_a_body() {
        let f = message(0, 0, 1, &[] as &[Vec<u8>]).unwrap();
        let e = corrupt(Kind::Truncate, &f, 0).unwrap_err();
        assert!(e.contains("longer than its 16-octet header"), "{e}");
    }

    #[test]
    fn bad_version_sets_11_in_one_header() {
        let f = file();
        let (out, d) = run(Kind::BadVersion, &f, 3);
        let m = d.offset as usize;
        only_changed(&f, &out, m..m + 2);
        assert_eq!(be16(&out, m), 11);
    }

    #[test]
    fn bad_set_length_claims_one_octet_past_the_message() {
        let f = file();
        for seed in 0..16 {
            let (out, d) = run(Kind::BadSetLength, &f, seed);
            let s = d.offset as usize;
            only_changed(&f, &out, s + 2..s + 4);
            let m = if s < second(&f) { 0 } else { second(&f) };
            let msg_end = m + be16(&f, m + 2) as usize;
            assert_eq!(be16(&out, s + 2) as usize, msg_end - s + 1, "{d}");
        }
    }

    #[test]
    fn zero_set_length_zeroes_one_set_length() {
        let f = file();
        let (out, d) = run(Kind::ZeroSetLength, &f, 7);
        let s = d.offset as usize;
        only_changed(&f, &out, s + 2..s + 4);
        assert_eq!(be16(&out, s + 2), 0);
        assert!(d.what.contains("made 0"), "{d}");
    }

    #[test]
    fn unknown_template_uses_an_id_the_domain_never_defines() {
        let f = file();
        for seed in 0..16 {
            let (out, d) = run(Kind::UnknownTemplate, &f, seed);
            let s = d.offset as usize;
            only_changed(&f, &out, s..s + 2);
            assert!(be16(&f, s) >= 256);
            assert_eq!(be16(&out, s), 65535, "{d}");
        }
        // 65535 taken: the next one down.
        let mut f = message(
            0,
            0,
            1,
            &[set(
                2,
                &template_record(65535, 0, &[(0u32, 8u16, 4u16)]).unwrap(),
            )
            .unwrap()],
        )
        .unwrap();
        f.extend(message(0, 0, 1, &[set(65535, &[1, 2, 3, 4]).unwrap()]).unwrap());
        let (out, d) = run(Kind::UnknownTemplate, &f, 0);
        assert_eq!(be16(&out, d.offset as usize), 65534);
    }

    #[test]
    fn varlen_overrun_claims_past_the_set() {
        let f = file();
        let mut places = BTreeSet::new();
        for seed in 0..32 {
            let (out, d) = run(Kind::VarlenOverrun, &f, seed);
            // Records of template 256 are 4 octets, then the prefix.
            let prefix = d.offset as usize + 4;
            only_changed(&f, &out, prefix..prefix + 1);
            assert_eq!(out[prefix], 254, "{d}");
            assert!(d.what.contains("made 254"), "{d}");
            places.insert(d.offset);
        }
        // 2 records in each of 2 data sets.
        assert_eq!(places.len(), 4, "{places:?}");
    }

    #[test]
    fn varlen_overrun_uses_the_long_form_when_254_would_fit() {
        let mut data = vec![10, 0, 0, 1, 255, 1, 0];
        data.extend_from_slice(&[b'x'; 256]);
        let f = message(0, 0, 1, &[template_256(), set(256, &data).unwrap()]).unwrap();
        let (out, d) = run(Kind::VarlenOverrun, &f, 0);
        let prefix = d.offset as usize + 4;
        only_changed(&f, &out, prefix + 1..prefix + 3);
        assert_eq!(be16(&out, prefix + 1), 65535);
        // A 1-octet prefix with 254 octets or more behind it becomes the long form.
        let mut data = vec![10, 0, 0, 1, 200];
        data.extend_from_slice(&[b'x'; 200]);
        data.extend_from_slice(&[10, 0, 0, 2, 100]);
        data.extend_from_slice(&[b'y'; 100]);
        let f = message(0, 0, 1, &[template_256(), set(256, &data).unwrap()]).unwrap();
        let first = (0..64)
            .map(|seed| run(Kind::VarlenOverrun, &f, seed))
            .find(|(_, d)| d.what.starts_with("record 1 "))
            .unwrap();
        let (out, d) = first;
        let prefix = d.offset as usize + 4;
        only_changed(&f, &out, prefix..prefix + 3);
        assert_eq!(&out[prefix..prefix + 3], &[255, 255, 255]);
    }

    #[test]
    fn varlen_overrun_needs_a_varlen_field() {
        let t = set(2, &template_record(300, 0, &[(0u32, 8u16, 4u16)]).unwrap()).unwrap();
        let f = message(0, 0, 1, &[t, set(300, &[1, 2, 3, 4]).unwrap()]).unwrap();
        let e = corrupt(Kind::VarlenOverrun, &f, 0).unwrap_err();
        assert!(e.contains("variable-length field"), "{e}");
        assert!(e.contains("wlanSSID"), "{e}");
    }

    #[test]
    fn field_count_bomb_sets_65535_and_nothing_else() {
        let f = file();
        let mut ids = BTreeSet::new();
        for seed in 0..16 {
            let (out, d) = run(Kind::FieldCountBomb, &f, seed);
            let t = d.offset as usize;
            only_changed(&f, &out, t + 2..t + 4);
            assert_eq!(be16(&out, t + 2), 65535);
            ids.insert(be16(&out, t));
        }
        assert_eq!(ids, BTreeSet::from([256, 257]));
        // Withdrawals are not template records with fields.
        let w = set(2, &template_record::<(u32, u16, u16)>(256, 0, &[]).unwrap()).unwrap();
        let f = message(0, 0, 1, &[w]).unwrap();
        let e = corrupt(Kind::FieldCountBomb, &f, 0).unwrap_err();
        assert!(e.contains("template record"), "{e}");
    }

    #[test]
    fn withdrawal_goes_in_its_own_message_before_the_reuse() {
        let f = file();
        let m2 = second(&f);
        let mut templates = BTreeSet::new();
        for seed in 0..16 {
            let (out, d) = run(Kind::TemplateWithdrawnThenUsed, &f, seed);
            // Only message 2 reuses templates of an earlier message.
            assert_eq!(d.offset as usize, m2, "{d}");
            assert_eq!(out[..m2], f[..m2]);
            assert_eq!(out[m2 + 24..], f[m2..]);
            let ins = &out[m2..m2 + 24];
            // Header: version, length, export time and sequence of message 2, domain 1.
            assert_eq!(
                ins[..16],
                [&[0, 10, 0, 24][..], &f[m2 + 4..m2 + 16]].concat()
            );
            let (set_id, template) = (be16(ins, 16), be16(ins, 20));
            assert_eq!(be16(ins, 18), 8);
            assert_eq!(be16(ins, 22), 0, "field count 0: a withdrawal");
            assert_eq!(set_id, if template == 257 { 3 } else { 2 });
            templates.insert(template);
        }
        assert_eq!(templates, BTreeSet::from([256, 257]));
    }

    #[test]
    fn withdrawal_needs_a_template_from_an_earlier_message() {
        let f = message(0, 0, 1, &[template_256(), data_256()]).unwrap();
        let e = corrupt(Kind::TemplateWithdrawnThenUsed, &f, 0).unwrap_err();
        assert!(e.contains("earlier message"), "{e}");
        // Redefined before its data in the second message: no reuse there either.
        let mut f2 = f.clone();
        f2.extend(message(0, 1, 1, &[template_256(), data_256()]).unwrap());
        assert!(corrupt(Kind::TemplateWithdrawnThenUsed, &f2, 0).is_err());
        // Another domain's template 256 does not count.
        let mut f3 = f.clone();
        f3.extend(message(0, 1, 2, &[data_256()]).unwrap());
        assert!(corrupt(Kind::TemplateWithdrawnThenUsed, &f3, 0).is_err());
    }

    #[test]
    fn same_seed_same_bytes_and_seeds_choose_places() {
        let f = file();
        for k in Kind::ALL {
            let mut outs = BTreeSet::new();
            for seed in (0..16).chain([u64::MAX]) {
                let a = run(k, &f, seed);
                assert_eq!(a, run(k, &f, seed), "{k} seed {seed}");
                outs.insert(a.0);
            }
            assert!(outs.len() > 1, "{k}: every seed gave the same file");
        }
    }

    #[test]
    fn invalid_and_tiny_inputs_are_errors() {
        let f = file();
        let mut cases: Vec<Vec<u8>> = vec![Vec::new(), vec![0], vec![0, 10], f[..15].to_vec()];
        // Every truncation, and every single-octet change of a header or length.
        cases.extend((1..f.len()).map(|n| f[..n].to_vec()));
        for i in 0..f.len() {
            for v in [0, 1, 3, 255] {
                let mut g = f.clone();
                g[i] = v;
                cases.push(g);
            }
        }
        for c in &cases {
            for k in Kind::ALL {
                for seed in 0..3 {
                    // Must not panic; damaged inputs are mostly refused.
                    let _ = corrupt(k, c, seed);
                }
            }
        }
        assert!(
            corrupt(Kind::BadVersion, &[], 0)
                .unwrap_err()
                .contains("empty")
        );
        let e = corrupt(Kind::BadVersion, &f[..f.len() - 1], 0).unwrap_err();
        assert!(e.contains("not a valid IPFIX file"), "{e}");
        let mut v9 = f.clone();
        v9[1] = 9;
        let e = corrupt(Kind::Truncate, &v9, 0).unwrap_err();
        assert!(e.contains("byte 0: message version 9"), "{e}");
        // A data record running past its set is already damage.
        let mut past = f.clone();
        let prefix = 16 + template_256().len() + options_257().len() + 4 + 4;
        past[prefix] = 200;
        let e = corrupt(Kind::Truncate, &past, 0).unwrap_err();
        assert!(
            e.contains("record 1 of template 256 runs past its set"),
            "{e}"
        );
    }
}
