//! Value encoding, the inverse of [`value::decode`](super::value::decode) (RFC 7011 §6, §7),
//! and small builders for template records, sets and messages (§3.1, §3.3.2, §3.4.1-2).
//!
//! Invariants: for every `(t, v, len)` that [`encode`] accepts, decoding the bytes it wrote
//! (after the varlen prefix, for length 65535) as type `t` gives back `v`, bit for bit, with
//! these exceptions: a float64 in 4 octets keeps its value but a NaN's payload is whatever
//! float32 can carry; an unsigned256 comes back as the same number widened to the field
//! length with leading zero octets; the widening inputs `encode` also accepts (see there)
//! come back as the type's own variant. Values
//! that do not fit are refused, never truncated: a reduced-size integer must survive
//! truncation (signed ones with sign extension, §6.2), a float64 in 4 octets must be exactly
//! representable as float32, fixed-length octets/strings must have exactly the field length.
//!
//! Times are taken as the wire holds them: `Value::Micros`/`Value::Nanos` are raw NTP
//! timestamps (1900 epoch, §6.1.9-10); [`time_value`] converts a Unix instant to any time type.
//!
//! Written by hand: no crate encodes IPFIX values, and the format is a dozen lines per type.

use super::session::MessageHeader;
use super::template::FieldSpec;
use super::types::{DataType, VARLEN};
use super::value::{NTP_UNIX_OFFSET, Value, instant_to_ntp};
use std::fmt;

/// Why a value cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The field length is not one the type allows (reduced-size rules, RFC 7011 §6.2).
    BadLength { dtype: &'static str, len: u16 },
    /// The value does not fit the field length: `need` octets would be needed (for a float64
    /// in 4 octets: 8, the value is not exactly a float32).
    DoesNotFit {
        dtype: &'static str,
        len: u16,
        need: usize,
    },
    /// The value is not of the field's type.
    WrongType {
        dtype: &'static str,
        value: &'static str,
    },
    /// Content longer than a length field can say (`max` octets).
    TooLong { len: usize, max: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BadLength { dtype, len } => {
                write!(f, "{dtype} cannot be encoded in {len} octets")
            }
            EncodeError::DoesNotFit { dtype, len, need } => write!(
                f,
                "{dtype} value needs {need} octets and does not fit in a field of {len}"
            ),
            EncodeError::WrongType { dtype, value } => {
                write!(f, "a {value} value cannot be encoded as {dtype}")
            }
            EncodeError::TooLong { len, max } => {
                write!(f, "{len} octets do not fit a length field (at most {max})")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// The largest content a variable-length prefix can announce (0xFF + u16).
pub const MAX_VARLEN: usize = 65535;

/// What a value is called in errors.
fn value_kind(v: &Value<'_>) -> &'static str {
    match v {
        Value::Unsigned(_) => "unsigned",
        Value::Signed(_) => "signed",
        Value::Unsigned256(_) => "unsigned256",
        Value::Float32(_) => "float32",
        Value::Float64(_) => "float64",
        Value::Bool(_) => "boolean",
        Value::Mac(_) => "macAddress",
        Value::Ipv4(_) => "ipv4Address",
        Value::Ipv6(_) => "ipv6Address",
        Value::String(_) => "string",
        Value::Octets(_) => "octetArray",
        Value::Seconds(_) => "dateTimeSeconds",
        Value::Millis(_) => "dateTimeMilliseconds",
        Value::Micros(_) => "dateTimeMicroseconds",
        Value::Nanos(_) => "dateTimeNanoseconds",
        Value::List(t, _) => t.name(),
        Value::Invalid(_) => "raw",
    }
}

/// Encodes `v` as type `t` in a field of length `len` (65535: variable length, with a 1-octet
/// prefix below 255 octets and `0xFF` + u16 from 255 on), appending to `out`. On error nothing
/// is appended.
///
/// Accepted values: the `Value` variant [`decode`](super::value::decode) produces for `t`; also
/// `Value::Unsigned` for unsigned256, `Value::Float32` for float64, and `Value::Invalid(raw)`
/// for any type, written as is (it is what decoding a malformed value gives, so a lossless
/// rewrite needs it).
pub fn encode(t: DataType, v: &Value<'_>, len: u16, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let dtype = t.name();
    let start = out.len();
    if len == VARLEN {
        if t.natural_len().is_some() && !matches!(v, Value::Invalid(_)) {
            return Err(EncodeError::BadLength { dtype, len });
        }
        let content = var_content(t, v)?;
        return encode_varlen(content, false, out);
    }
    if !matches!(v, Value::Invalid(_)) && !t.length_ok(len) {
        return Err(EncodeError::BadLength { dtype, len });
    }
    let n = len as usize;
    let wrong = || EncodeError::WrongType {
        dtype,
        value: value_kind(v),
    };
    let fits = |need: usize| {
        if need <= n {
            Ok(())
        } else {
            Err(EncodeError::DoesNotFit { dtype, len, need })
        }
    };
    match (t, *v) {
        (_, Value::Invalid(b)) => {
            if b.len() != n {
                return Err(EncodeError::DoesNotFit {
                    dtype,
                    len,
                    need: b.len(),
                });
            }
            out.extend_from_slice(b);
        }
        (
            DataType::Unsigned8
            | DataType::Unsigned16
            | DataType::Unsigned32
            | DataType::Unsigned64,
            Value::Unsigned(x),
        ) => {
            fits(8 - x.leading_zeros() as usize / 8)?;
            out.extend_from_slice(&x.to_be_bytes()[8 - n..]);
        }
        (
            DataType::Signed8 | DataType::Signed16 | DataType::Signed32 | DataType::Signed64,
            Value::Signed(x),
        ) => {
            // Octets needed so that sign extension of the kept octets gives x back.
            let redundant = if x < 0 {
                x.leading_ones()
            } else {
                x.leading_zeros()
            };
            fits(8 - (redundant as usize - 1) / 8)?;
            out.extend_from_slice(&x.to_be_bytes()[8 - n..]);
        }
        (DataType::Unsigned256, Value::Unsigned256(b)) => {
            let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
            let digits = &b[first..];
            fits(digits.len())?;
            out.resize(out.len() + n - digits.len(), 0);
            out.extend_from_slice(digits);
        }
        (DataType::Unsigned256, Value::Unsigned(x)) => {
            fits(8 - x.leading_zeros() as usize / 8)?;
            if n >= 8 {
                out.resize(out.len() + n - 8, 0);
                out.extend_from_slice(&x.to_be_bytes());
            } else {
                out.extend_from_slice(&x.to_be_bytes()[8 - n..]);
            }
        }
        (DataType::Float32, Value::Float32(x)) => out.extend_from_slice(&x.to_be_bytes()),
        (DataType::Float64, Value::Float64(x)) => {
            if n == 8 {
                out.extend_from_slice(&x.to_be_bytes());
            } else {
                let narrow = x as f32;
                if !x.is_nan() && (narrow as f64).to_bits() != x.to_bits() {
                    return Err(EncodeError::DoesNotFit {
                        dtype,
                        len,
                        need: 8,
                    });
                }
                out.extend_from_slice(&narrow.to_be_bytes());
            }
        }
        (DataType::Float64, Value::Float32(x)) => {
            if n == 8 {
                out.extend_from_slice(&(x as f64).to_be_bytes());
            } else {
                out.extend_from_slice(&x.to_be_bytes());
            }
        }
        (DataType::Boolean, Value::Bool(b)) => out.push(if b { 1 } else { 2 }),
        (DataType::MacAddress, Value::Mac(m)) => out.extend_from_slice(&m),
        (DataType::Ipv4Address, Value::Ipv4(a)) => out.extend_from_slice(&a.octets()),
        (DataType::Ipv6Address, Value::Ipv6(a)) => out.extend_from_slice(&a.octets()),
        (DataType::DateTimeSeconds, Value::Seconds(s)) => out.extend_from_slice(&s.to_be_bytes()),
        (DataType::DateTimeMilliseconds, Value::Millis(x))
        | (DataType::DateTimeMicroseconds, Value::Micros(x))
        | (DataType::DateTimeNanoseconds, Value::Nanos(x)) => {
            out.extend_from_slice(&x.to_be_bytes())
        }
        (
            DataType::String
            | DataType::OctetArray
            | DataType::BasicList
            | DataType::SubTemplateList
            | DataType::SubTemplateMultiList,
            _,
        ) => {
            let content = var_content(t, v)?;
            if content.len() != n {
                return Err(EncodeError::DoesNotFit {
                    dtype,
                    len,
                    need: content.len(),
                });
            }
            out.extend_from_slice(content);
        }
        _ => return Err(wrong()),
    }
    debug_assert_eq!(out.len() - start, n);
    Ok(())
}

/// The content of a value of a type of any length.
fn var_content<'v>(t: DataType, v: &Value<'v>) -> Result<&'v [u8], EncodeError> {
    match (t, *v) {
        (_, Value::Invalid(b))
        | (DataType::String, Value::String(b))
        | (DataType::OctetArray, Value::Octets(b)) => Ok(b),
        (DataType::BasicList, Value::List(DataType::BasicList, b))
        | (DataType::SubTemplateList, Value::List(DataType::SubTemplateList, b))
        | (DataType::SubTemplateMultiList, Value::List(DataType::SubTemplateMultiList, b)) => Ok(b),
        _ => Err(EncodeError::WrongType {
            dtype: t.name(),
            value: value_kind(v),
        }),
    }
}

/// Appends `content` with a variable-length prefix (RFC 7011 §7): one octet below 255, else
/// `0xFF` and a u16. `long` forces the 3-octet form for any length, as RFC 6313 §5.1
/// recommends for structured data.
pub fn encode_varlen(content: &[u8], long: bool, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let n = content.len();
    if n > MAX_VARLEN {
        return Err(EncodeError::TooLong {
            len: n,
            max: MAX_VARLEN,
        });
    }
    if n < 255 && !long {
        out.push(n as u8);
    } else {
        out.push(0xFF);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    }
    out.extend_from_slice(content);
    Ok(())
}

/// A Unix instant (seconds, nanoseconds) as a value of time type `t`, at that type's
/// precision (truncated to seconds / milliseconds; micro- and nanoseconds are converted to NTP
/// format, microseconds with the low 11 fraction bits clear). Refused when `t` is not a time
/// type, `nanos` is not below 10^9, or the instant is outside what the type holds (NTP era 0,
/// 1900-01-01..2036-02-07, is all a reader can place without context, RFC 7011 §5.2).
pub fn time_value(t: DataType, secs: i64, nanos: u32) -> Result<Value<'static>, EncodeError> {
    let out_of_range = |len| EncodeError::DoesNotFit {
        dtype: t.name(),
        len,
        need: 9,
    };
    if nanos >= 1_000_000_000 {
        return Err(out_of_range(t.natural_len().unwrap_or(0)));
    }
    match t {
        DataType::DateTimeSeconds => u32::try_from(secs)
            .map(Value::Seconds)
            .map_err(|_| out_of_range(4)),
        DataType::DateTimeMilliseconds => u64::try_from(secs)
            .ok()
            .and_then(|s| s.checked_mul(1000))
            .and_then(|ms| ms.checked_add((nanos / 1_000_000) as u64))
            .map(Value::Millis)
            .ok_or_else(|| out_of_range(8)),
        DataType::DateTimeMicroseconds | DataType::DateTimeNanoseconds => {
            let ntp_secs = secs.checked_add(NTP_UNIX_OFFSET).ok_or(out_of_range(8))?;
            if !(0..=u32::MAX as i64).contains(&ntp_secs) {
                return Err(out_of_range(8));
            }
            Ok(if t == DataType::DateTimeMicroseconds {
                Value::Micros(instant_to_ntp(secs, nanos, true))
            } else {
                Value::Nanos(instant_to_ntp(secs, nanos, false))
            })
        }
        _ => Err(EncodeError::WrongType {
            dtype: t.name(),
            value: "time",
        }),
    }
}

fn u16_len(n: usize) -> Result<u16, EncodeError> {
    u16::try_from(n).map_err(|_| EncodeError::TooLong {
        len: n,
        max: u16::MAX as usize,
    })
}

/// A template record (RFC 7011 §3.4.1) or, with `scope > 0`, an options template record
/// (§3.4.2); the one serialiser of template records (the message writer and the NetFlow
/// translation use it). The specifiers may be given as `(pen, id, len)` tuples. With no fields
/// and `scope == 0` it is a withdrawal (§8.1).
pub fn template_record<F: Copy + Into<FieldSpec>>(
    id: u16,
    scope: u16,
    fields: &[F],
) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(6 + 8 * fields.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&u16_len(fields.len())?.to_be_bytes());
    if scope > 0 {
        out.extend_from_slice(&scope.to_be_bytes());
    }
    for &f in fields {
        field_specifier(f.into(), &mut out);
    }
    Ok(out)
}

/// Appends a field specifier (RFC 7011 §3.2): a non-zero PEN sets the enterprise bit and
/// follows the length. basicList headers carry the same form (RFC 6313 §4.5.1).
pub fn field_specifier(f: FieldSpec, out: &mut Vec<u8>) {
    if f.pen == 0 {
        out.extend_from_slice(&f.id.to_be_bytes());
        out.extend_from_slice(&f.len.to_be_bytes());
    } else {
        out.extend_from_slice(&(f.id | 0x8000).to_be_bytes());
        out.extend_from_slice(&f.len.to_be_bytes());
        out.extend_from_slice(&f.pen.to_be_bytes());
    }
}

/// A set (RFC 7011 §3.3.2): header with ID and length, then `body` (records and padding).
pub fn set(id: u16, body: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let len = u16_len(4 + body.len())?;
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

/// A message (RFC 7011 §3.1): version 10, length, export time, sequence number and
/// observation domain, then the sets as given.
pub fn message<S: AsRef<[u8]>>(
    export_time: u32,
    sequence: u32,
    domain: u32,
    sets: &[S],
) -> Result<Vec<u8>, EncodeError> {
    let body: usize = sets.iter().map(|s| s.as_ref().len()).sum();
    let len = u16_len(MessageHeader::LEN + body)?;
    let mut out = Vec::with_capacity(len as usize);
    out.extend_from_slice(&10u16.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&export_time.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(&domain.to_be_bytes());
    for s in sets {
        out.extend_from_slice(s.as_ref());
    }
    Ok(out)
}

/// basicList content (RFC 6313 §4.5.1), without the field's varlen prefix: semantic, element
/// IE (enterprise bit and PEN when `pen != 0`), element length, then the encoded elements.
pub fn basic_list(semantic: u8, pen: u32, id: u16, elem_len: u16, elements: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + elements.len());
    out.push(semantic);
    field_specifier(
        FieldSpec {
            pen,
            id,
            len: elem_len,
        },
        &mut out,
    );
    out.extend_from_slice(elements);
    out
}

/// subTemplateList content (RFC 6313 §4.5.2): semantic, template ID, then encoded records.
pub fn sub_template_list(semantic: u8, template: u16, records: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + records.len());
    out.push(semantic);
    out.extend_from_slice(&template.to_be_bytes());
    out.extend_from_slice(records);
    out
}

/// subTemplateMultiList content (RFC 6313 §4.5.3): semantic, then per entry the template ID,
/// the entry length (including its 4-octet header) and the encoded records.
pub fn sub_template_multi_list(
    semantic: u8,
    entries: &[(u16, &[u8])],
) -> Result<Vec<u8>, EncodeError> {
    let mut out = vec![semantic];
    for &(tid, records) in entries {
        let len = u16_len(4 + records.len())?;
        out.extend_from_slice(&tid.to_be_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(records);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::list::split_varlen;
    use crate::ipfix::value::decode;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn enc(t: DataType, v: Value<'_>, len: u16) -> Result<Vec<u8>, EncodeError> {
        let mut out = vec![0xAA]; // something before: errors must leave it alone
        let r = encode(t, &v, len, &mut out);
        if r.is_err() {
            assert_eq!(out, [0xAA], "{t:?} {v:?} {len}: error appended bytes");
        }
        r.map(|()| out[1..].to_vec())
    }

    /// Encodes, checks the length on the wire and decodes back.
    fn round(t: DataType, v: Value<'_>, len: u16) -> Vec<u8> {
        let b = enc(t, v, len).unwrap_or_else(|e| panic!("{t:?} {v:?} [{len}]: {e}"));
        let content = if len == VARLEN {
            let (c, rest) = split_varlen(&b).expect("varlen prefix");
            assert!(rest.is_empty());
            c
        } else {
            assert_eq!(b.len(), len as usize);
            &b
        };
        assert_eq!(decode(t, content), v, "{t:?} [{len}]");
        b
    }

    #[test]
    fn unsigned_reduced_sizes() {
        assert_eq!(round(DataType::Unsigned64, Value::Unsigned(235), 1), [235]);
        assert_eq!(
            round(DataType::Unsigned64, Value::Unsigned(0x0102), 3),
            [0, 1, 2]
        );
        round(DataType::Unsigned64, Value::Unsigned(u64::MAX), 8);
        round(DataType::Unsigned32, Value::Unsigned(0xFF_FFFF), 3);
        round(DataType::Unsigned8, Value::Unsigned(255), 1);
        for (t, len, v) in [
            (DataType::Unsigned64, 1, 256u64),
            (DataType::Unsigned64, 7, 1 << 56),
            (DataType::Unsigned16, 1, 0x100),
            (DataType::Unsigned8, 1, 0x100),
            (DataType::Unsigned32, 4, 1 << 32),
        ] {
            assert!(
                matches!(
                    enc(t, Value::Unsigned(v), len),
                    Err(EncodeError::DoesNotFit { .. })
                ),
                "{t:?} {len} {v}"
            );
        }
        assert_eq!(
            enc(DataType::Unsigned64, Value::Unsigned(1), 9),
            Err(EncodeError::BadLength {
                dtype: "unsigned64",
                len: 9
            })
        );
        assert!(enc(DataType::Unsigned16, Value::Unsigned(1), 0).is_err());
        assert!(enc(DataType::Unsigned8, Value::Unsigned(1), 2).is_err());
    }

    #[test]
    fn signed_reduced_sizes_keep_the_sign() {
        assert_eq!(
            round(DataType::Signed32, Value::Signed(-2), 2),
            [0xff, 0xfe]
        );
        assert_eq!(round(DataType::Signed64, Value::Signed(127), 1), [0x7f]);
        assert_eq!(round(DataType::Signed64, Value::Signed(-128), 1), [0x80]);
        assert_eq!(round(DataType::Signed64, Value::Signed(128), 2), [0, 0x80]);
        round(DataType::Signed64, Value::Signed(i64::MIN), 8);
        round(DataType::Signed64, Value::Signed(i64::MAX), 8);
        round(DataType::Signed8, Value::Signed(-1), 1);
        round(DataType::Signed16, Value::Signed(-32768), 2);
        for (len, v) in [
            (1, 128i64),
            (1, -129),
            (2, 32768),
            (2, -32769),
            (7, i64::MIN),
            (7, 1 << 55),
        ] {
            assert!(
                matches!(
                    enc(DataType::Signed64, Value::Signed(v), len),
                    Err(EncodeError::DoesNotFit { .. })
                ),
                "{len} {v}"
            );
        }
        // every boundary of every reduced length
        for len in 1..=8u16 {
            let bits = 8 * len as u32;
            let max = if bits == 64 {
                i64::MAX
            } else {
                (1i64 << (bits - 1)) - 1
            };
            let min = if bits == 64 {
                i64::MIN
            } else {
                -(1i64 << (bits - 1))
            };
            for v in [min, min + 1, -1, 0, 1, max - 1, max] {
                round(DataType::Signed64, Value::Signed(v), len);
            }
            if bits < 64 {
                assert!(enc(DataType::Signed64, Value::Signed(max + 1), len).is_err());
                assert!(enc(DataType::Signed64, Value::Signed(min - 1), len).is_err());
            }
        }
    }

    #[test]
    fn unsigned256() {
        let mut big = [0u8; 32];
        big[0] = 1;
        round(DataType::Unsigned256, Value::Unsigned256(&big), 32);
        // a shorter value is widened with leading zero octets: the same number
        assert_eq!(
            enc(DataType::Unsigned256, Value::Unsigned256(&[1, 0]), 3).unwrap(),
            [0, 1, 0]
        );
        round(DataType::Unsigned256, Value::Unsigned256(&[0, 1, 0]), 3);
        // leading zeros of the value are not significant
        assert_eq!(
            enc(DataType::Unsigned256, Value::Unsigned256(&[0, 0, 7]), 1).unwrap(),
            [7]
        );
        assert!(enc(DataType::Unsigned256, Value::Unsigned256(&big), 31).is_err());
        assert_eq!(
            enc(DataType::Unsigned256, Value::Unsigned(0x0102), 10).unwrap(),
            [0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
        );
        assert!(enc(DataType::Unsigned256, Value::Unsigned(0x0102), 1).is_err());
    }

    #[test]
    fn floats() {
        round(DataType::Float32, Value::Float32(0.1), 4);
        round(DataType::Float64, Value::Float64(0.1), 8);
        round(DataType::Float64, Value::Float64(0.5), 4);
        round(DataType::Float64, Value::Float64(f64::INFINITY), 4);
        round(DataType::Float64, Value::Float64(-0.0), 4);
        assert_eq!(
            enc(DataType::Float64, Value::Float64(0.1), 4),
            Err(EncodeError::DoesNotFit {
                dtype: "float64",
                len: 4,
                need: 8
            })
        );
        // NaN payloads survive bit for bit where the width allows
        let nan32 = f32::from_bits(0x7fc0_1234);
        let b = enc(DataType::Float32, Value::Float32(nan32), 4).unwrap();
        assert_eq!(b, 0x7fc0_1234u32.to_be_bytes());
        let nan64 = f64::from_bits(0xfff8_0000_dead_beef);
        let b = enc(DataType::Float64, Value::Float64(nan64), 8).unwrap();
        assert_eq!(b, 0xfff8_0000_dead_beefu64.to_be_bytes());
        // and in 4 octets a NaN stays a NaN
        let b = enc(DataType::Float64, Value::Float64(nan64), 4).unwrap();
        match decode(DataType::Float64, &b) {
            Value::Float64(x) => assert!(x.is_nan()),
            other => panic!("{other:?}"),
        }
        // a float32 value is accepted for float64
        assert_eq!(
            enc(DataType::Float64, Value::Float32(0.1), 4).unwrap(),
            0.1f32.to_be_bytes()
        );
        assert!(enc(DataType::Float32, Value::Float32(1.0), 8).is_err());
        assert!(enc(DataType::Float64, Value::Float64(1.0), 2).is_err());
    }

    #[test]
    fn fixed_types() {
        assert_eq!(round(DataType::Boolean, Value::Bool(true), 1), [1]);
        assert_eq!(round(DataType::Boolean, Value::Bool(false), 1), [2]);
        round(
            DataType::MacAddress,
            Value::Mac([2, 0, 0x5e, 0x10, 0, 1]),
            6,
        );
        round(
            DataType::Ipv4Address,
            Value::Ipv4(Ipv4Addr::new(192, 0, 2, 1)),
            4,
        );
        round(
            DataType::Ipv6Address,
            Value::Ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            16,
        );
        round(DataType::DateTimeSeconds, Value::Seconds(1_700_000_000), 4);
        round(
            DataType::DateTimeMilliseconds,
            Value::Millis(1_700_000_000_170),
            8,
        );
        round(DataType::DateTimeMicroseconds, Value::Micros(u64::MAX), 8);
        round(DataType::DateTimeNanoseconds, Value::Nanos(1), 8);
        for (t, len) in [
            (DataType::Ipv4Address, 3),
            (DataType::MacAddress, 4),
            (DataType::DateTimeMilliseconds, 4),
            (DataType::DateTimeSeconds, 8),
            (DataType::Boolean, 2),
            (DataType::Float32, VARLEN),
        ] {
            let v = match t {
                DataType::Ipv4Address => Value::Ipv4(Ipv4Addr::LOCALHOST),
                DataType::MacAddress => Value::Mac([0; 6]),
                DataType::DateTimeMilliseconds => Value::Millis(0),
                DataType::DateTimeSeconds => Value::Seconds(0),
                DataType::Boolean => Value::Bool(true),
                _ => Value::Float32(0.0),
            };
            assert!(
                matches!(enc(t, v, len), Err(EncodeError::BadLength { .. })),
                "{t:?} {len}"
            );
        }
        assert_eq!(
            enc(DataType::Ipv4Address, Value::Unsigned(1), 4),
            Err(EncodeError::WrongType {
                dtype: "ipv4Address",
                value: "unsigned"
            })
        );
        assert!(enc(DataType::Unsigned32, Value::Signed(1), 4).is_err());
        assert!(enc(DataType::DateTimeMicroseconds, Value::Nanos(1), 8).is_err());
    }

    #[test]
    fn strings_octets_and_varlen_prefixes() {
        assert_eq!(
            round(DataType::String, Value::String(b"hi"), VARLEN),
            [2, b'h', b'i']
        );
        round(DataType::String, Value::String("grüße".as_bytes()), 7);
        assert!(enc(DataType::String, Value::String(b"hi"), 3).is_err());
        round(DataType::OctetArray, Value::Octets(&[]), 0);
        round(DataType::OctetArray, Value::Octets(&[]), VARLEN);
        let long = vec![7u8; 254];
        assert_eq!(
            round(DataType::OctetArray, Value::Octets(&long), VARLEN)[0],
            254
        );
        let long = vec![7u8; 255];
        assert_eq!(
            round(DataType::OctetArray, Value::Octets(&long), VARLEN)[..3],
            [0xFF, 0, 255]
        );
        let max = vec![0u8; MAX_VARLEN];
        round(DataType::OctetArray, Value::Octets(&max), VARLEN);
        let over = vec![0u8; MAX_VARLEN + 1];
        assert_eq!(
            enc(DataType::OctetArray, Value::Octets(&over), VARLEN),
            Err(EncodeError::TooLong {
                len: 65536,
                max: 65535
            })
        );
        let mut out = Vec::new();
        encode_varlen(b"ab", true, &mut out).unwrap();
        assert_eq!(out, [0xFF, 0, 2, b'a', b'b']);
        assert_eq!(split_varlen(&out), Some((&b"ab"[..], &[][..])));
        assert!(enc(DataType::String, Value::Octets(b"x"), VARLEN).is_err());
    }

    #[test]
    fn raw_values_are_written_as_they_are() {
        assert_eq!(
            round(DataType::Boolean, Value::Invalid(&[0]), 1),
            [0],
            "boolean 0 stays 0"
        );
        round(
            DataType::Ipv4Address,
            Value::Invalid(&[1, 2, 3, 4, 5, 6, 7, 8]),
            8,
        );
        assert!(enc(DataType::Ipv4Address, Value::Invalid(&[1, 2]), 4).is_err());
    }

    #[test]
    fn lists() {
        let bl = basic_list(3, 0, 8, 4, &[192, 0, 2, 1]);
        assert_eq!(bl, [3, 0, 8, 0, 4, 192, 0, 2, 1]);
        let b = round(
            DataType::BasicList,
            Value::List(DataType::BasicList, &bl),
            VARLEN,
        );
        assert_eq!(b[0], 9);
        let bl = basic_list(0xFF, 6871, 1, VARLEN, &[]);
        assert_eq!(bl, [0xFF, 0x80, 1, 0xFF, 0xFF, 0, 0, 0x1a, 0xd7]);
        let stl = sub_template_list(4, 256, &[1, 2]);
        assert_eq!(stl, [4, 1, 0, 1, 2]);
        round(
            DataType::SubTemplateList,
            Value::List(DataType::SubTemplateList, &stl),
            5,
        );
        let stml = sub_template_multi_list(1, &[(256, &[9][..]), (257, &[][..])]).unwrap();
        assert_eq!(stml, [1, 1, 0, 0, 5, 9, 1, 1, 0, 4]);
        round(
            DataType::SubTemplateMultiList,
            Value::List(DataType::SubTemplateMultiList, &stml),
            VARLEN,
        );
        assert!(
            enc(
                DataType::BasicList,
                Value::List(DataType::SubTemplateList, &stl),
                VARLEN
            )
            .is_err()
        );
        let huge = vec![0u8; 65532];
        assert!(sub_template_multi_list(0, &[(256, &huge[..])]).is_err());
    }

    #[test]
    fn times_from_unix_instants() {
        use crate::ipfix::value::Instant;
        let t = |dt, s, n| time_value(dt, s, n).unwrap();
        assert_eq!(
            t(DataType::DateTimeSeconds, 1_700_000_000, 999_999_999),
            Value::Seconds(1_700_000_000)
        );
        assert_eq!(
            t(DataType::DateTimeMilliseconds, 1_700_000_000, 170_999_999),
            Value::Millis(1_700_000_000_170)
        );
        let v = t(DataType::DateTimeNanoseconds, 1_700_000_000, 123_456_789);
        assert_eq!(
            v.instant(),
            Some(Instant {
                secs: 1_700_000_000,
                nanos: 123_456_789,
                digits: 9
            })
        );
        let v = t(DataType::DateTimeMicroseconds, 1_700_000_000, 123_456_789);
        let Value::Micros(ntp) = v else {
            panic!("{v:?}")
        };
        assert_eq!(ntp & 0x7FF, 0, "low 11 fraction bits clear");
        assert_eq!(v.instant().map(|i| i.nanos), Some(123_456_000));
        // the edges of NTP era 0
        assert!(time_value(DataType::DateTimeNanoseconds, -NTP_UNIX_OFFSET, 0).is_ok());
        assert!(time_value(DataType::DateTimeNanoseconds, -NTP_UNIX_OFFSET - 1, 0).is_err());
        let last = u32::MAX as i64 - NTP_UNIX_OFFSET;
        assert!(time_value(DataType::DateTimeMicroseconds, last, 999_999_999).is_ok());
        assert!(time_value(DataType::DateTimeMicroseconds, last + 1, 0).is_err());
        assert!(time_value(DataType::DateTimeSeconds, -1, 0).is_err());
        assert!(time_value(DataType::DateTimeSeconds, 1 << 32, 0).is_err());
        assert!(time_value(DataType::DateTimeMilliseconds, -1, 0).is_err());
        assert!(time_value(DataType::DateTimeSeconds, 0, 1_000_000_000).is_err());
        assert!(time_value(DataType::Unsigned32, 0, 0).is_err());
    }

    #[test]
    fn builders() {
        let t = template_record(256, 0, &[(0, 8, 4), (29305, 1, 8)]).unwrap();
        assert_eq!(t, [1, 0, 0, 2, 0, 8, 0, 4, 0x80, 1, 0, 8, 0, 0, 0x72, 0x79]);
        let o = template_record(257, 1, &[(0, 149, 4)]).unwrap();
        assert_eq!(o, [1, 1, 0, 1, 0, 1, 0, 149, 0, 4]);
        assert_eq!(
            template_record::<FieldSpec>(256, 0, &[]).unwrap(),
            [1, 0, 0, 0]
        );
        let s = set(2, &t).unwrap();
        assert_eq!(&s[..4], &[0, 2, 0, 20]);
        let m = message(1_700_000_000, 7, 1, &[s.clone(), set(256, &[]).unwrap()]).unwrap();
        assert_eq!(m.len(), 16 + 20 + 4);
        let h = MessageHeader::parse(&m).unwrap();
        assert_eq!(
            h,
            MessageHeader {
                version: 10,
                length: 40,
                export_time: 1_700_000_000,
                sequence: 7,
                domain: 1
            }
        );
        let big = vec![0u8; 65532];
        assert!(set(256, &big).is_err());
        assert_eq!(set(256, &big[..65531]).unwrap().len(), 65535);
        assert!(message(0, 0, 0, &[&big[..65520]]).is_err());
        assert_eq!(message(0, 0, 0, &[&big[..65519]]).unwrap().len(), 65535);
    }

    #[test]
    fn errors_are_sentences() {
        let e = enc(DataType::Unsigned16, Value::Unsigned(70_000), 2).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsigned16 value needs 3 octets and does not fit in a field of 2"
        );
    }
}
