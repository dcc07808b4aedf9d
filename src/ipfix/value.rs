//! Field values: decoding from wire bytes (RFC 7011 §6) and the text forms of DESIGN.md.
//!
//! Decoding borrows the record bytes; nothing allocates. Reduced-size integers are widened with
//! sign extension for signed types (§6.2). NTP-format times (micro/nanoseconds, §6.1.9-10) are
//! converted from the 1900 epoch and rounded to the type's precision (microsecond values ignore
//! the low 11 fraction bits as the RFC requires).

use super::types::DataType;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
pub const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// A decoded value borrowing its record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Unsigned(u64),
    Signed(i64),
    /// unsigned256 as its big-endian bytes (possibly reduced).
    Unsigned256(&'a [u8]),
    Float32(f32),
    Float64(f64),
    Bool(bool),
    Mac([u8; 6]),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    String(&'a [u8]),
    Octets(&'a [u8]),
    /// dateTimeSeconds: Unix seconds.
    Seconds(u32),
    /// dateTimeMilliseconds: Unix milliseconds.
    Millis(u64),
    /// dateTimeMicroseconds: raw 64-bit NTP timestamp.
    Micros(u64),
    /// dateTimeNanoseconds: raw 64-bit NTP timestamp.
    Nanos(u64),
    /// A structured data value (RFC 6313): its content after the varlen prefix.
    List(DataType, &'a [u8]),
    /// A value its type cannot hold (e.g. boolean wire value 0): shown as hex.
    Invalid(&'a [u8]),
}

#[inline]
fn be_uint(b: &[u8]) -> u64 {
    let mut v = 0u64;
    for &x in b {
        v = (v << 8) | x as u64;
    }
    v
}

/// Decodes `b` as type `t`. The caller guarantees `t.length_ok(b.len())` for fixed lengths
/// (templates ensure it); on a mismatch the value is `Invalid`, never a panic.
#[inline]
pub fn decode(t: DataType, b: &[u8]) -> Value<'_> {
    match t {
        DataType::Unsigned8
        | DataType::Unsigned16
        | DataType::Unsigned32
        | DataType::Unsigned64 => {
            if b.is_empty() || b.len() > 8 {
                Value::Invalid(b)
            } else {
                Value::Unsigned(be_uint(b))
            }
        }
        DataType::Signed8 | DataType::Signed16 | DataType::Signed32 | DataType::Signed64 => {
            if b.is_empty() || b.len() > 8 {
                Value::Invalid(b)
            } else {
                let shift = 64 - 8 * b.len() as u32;
                Value::Signed(((be_uint(b) << shift) as i64) >> shift)
            }
        }
        DataType::Unsigned256 => {
            if b.is_empty() || b.len() > 32 {
                Value::Invalid(b)
            } else {
                Value::Unsigned256(b)
            }
        }
        DataType::Float32 => match <[u8; 4]>::try_from(b) {
            Ok(a) => Value::Float32(f32::from_be_bytes(a)),
            Err(_) => Value::Invalid(b),
        },
        DataType::Float64 => match b.len() {
            8 => Value::Float64(f64::from_be_bytes(b.try_into().unwrap_or([0; 8]))),
            4 => Value::Float64(f32::from_be_bytes(b.try_into().unwrap_or([0; 4])) as f64),
            _ => Value::Invalid(b),
        },
        DataType::Boolean => match b {
            [1] => Value::Bool(true),
            [2] => Value::Bool(false),
            _ => Value::Invalid(b),
        },
        DataType::MacAddress => match <[u8; 6]>::try_from(b) {
            Ok(a) => Value::Mac(a),
            Err(_) => Value::Invalid(b),
        },
        DataType::Ipv4Address => match <[u8; 4]>::try_from(b) {
            Ok(a) => Value::Ipv4(Ipv4Addr::from(a)),
            Err(_) => Value::Invalid(b),
        },
        DataType::Ipv6Address => match <[u8; 16]>::try_from(b) {
            Ok(a) => Value::Ipv6(Ipv6Addr::from(a)),
            Err(_) => Value::Invalid(b),
        },
        DataType::String => Value::String(b),
        DataType::OctetArray => Value::Octets(b),
        DataType::DateTimeSeconds => match <[u8; 4]>::try_from(b) {
            Ok(a) => Value::Seconds(u32::from_be_bytes(a)),
            Err(_) => Value::Invalid(b),
        },
        DataType::DateTimeMilliseconds
        | DataType::DateTimeMicroseconds
        | DataType::DateTimeNanoseconds => match <[u8; 8]>::try_from(b) {
            Ok(a) => {
                let v = u64::from_be_bytes(a);
                match t {
                    DataType::DateTimeMilliseconds => Value::Millis(v),
                    DataType::DateTimeMicroseconds => Value::Micros(v),
                    _ => Value::Nanos(v),
                }
            }
            Err(_) => Value::Invalid(b),
        },
        DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList => {
            Value::List(t, b)
        }
    }
}

/// An instant as Unix seconds plus nanoseconds, with the precision (fraction digits) of its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
    pub digits: u8,
}

/// Converts an NTP timestamp to Unix seconds + nanoseconds at `digits` precision (6 or 9).
pub fn ntp_to_instant(ntp: u64, digits: u8) -> Instant {
    let mut secs = (ntp >> 32) as i64 - NTP_UNIX_OFFSET;
    let mut frac = ntp & 0xFFFF_FFFF;
    let unit: u64 = if digits == 6 {
        frac &= !0x7FF;
        1_000_000
    } else {
        1_000_000_000
    };
    let mut sub = (frac * unit + (1 << 31)) >> 32;
    if sub >= unit {
        sub -= unit;
        secs += 1;
    }
    let nanos = if digits == 6 { sub * 1000 } else { sub } as u32;
    Instant {
        secs,
        nanos,
        digits,
    }
}

/// Converts Unix seconds + nanoseconds to an NTP timestamp; `micro` clears the low 11 bits.
pub fn instant_to_ntp(secs: i64, nanos: u32, micro: bool) -> u64 {
    let s = (secs + NTP_UNIX_OFFSET) as u64 & 0xFFFF_FFFF;
    let frac = if micro {
        let us = (nanos / 1000) as u64;
        (((us << 32) + 500_000) / 1_000_000) & !0x7FF
    } else {
        ((nanos as u64) << 32).div_ceil(1_000_000_000)
    };
    // A fraction that rounds up to a whole second cannot occur: us < 1e6 and ns < 1e9.
    (s << 32) | (frac & 0xFFFF_FFFF)
}

impl Value<'_> {
    /// The instant for time values.
    pub fn instant(&self) -> Option<Instant> {
        Some(match *self {
            Value::Seconds(s) => Instant {
                secs: s as i64,
                nanos: 0,
                digits: 0,
            },
            Value::Millis(ms) => Instant {
                secs: (ms / 1000) as i64,
                nanos: (ms % 1000) as u32 * 1_000_000,
                digits: 3,
            },
            Value::Micros(n) => ntp_to_instant(n, 6),
            Value::Nanos(n) => ntp_to_instant(n, 9),
            _ => return None,
        })
    }

    /// The value in the time type's own unit since the Unix epoch (`--time epoch`).
    pub fn epoch(&self) -> Option<i128> {
        let i = self.instant()?;
        Some(match i.digits {
            0 => i.secs as i128,
            3 => i.secs as i128 * 1000 + (i.nanos / 1_000_000) as i128,
            6 => i.secs as i128 * 1_000_000 + (i.nanos / 1000) as i128,
            _ => i.secs as i128 * 1_000_000_000 + i.nanos as i128,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Text forms. Writers append to a Vec<u8>; they never allocate beyond growing it.

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn write_hex(out: &mut Vec<u8>, b: &[u8]) {
    out.reserve(b.len() * 2);
    for &x in b {
        out.push(HEX[(x >> 4) as usize]);
        out.push(HEX[(x & 15) as usize]);
    }
}

#[inline]
fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 3339 UTC with `Z` and the instant's precision: `2023-11-14T22:13:22.170Z`.
pub fn write_rfc3339(out: &mut Vec<u8>, i: Instant) {
    let days = i.secs.div_euclid(86_400);
    let sod = i.secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    if (0..=9999).contains(&y) {
        let y = y as u32;
        push_2(out, y / 100);
        push_2(out, y % 100);
    } else {
        out.extend_from_slice(y.to_string().as_bytes());
    }
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, sod / 3600);
    out.push(b':');
    push_2(out, sod / 60 % 60);
    out.push(b':');
    push_2(out, sod % 60);
    if i.digits > 0 {
        out.push(b'.');
        let mut div = 100_000_000u32;
        for _ in 0..i.digits {
            out.push(b'0' + (i.nanos / div % 10) as u8);
            div /= 10;
        }
    }
    out.push(b'Z');
}

pub fn write_mac(out: &mut Vec<u8>, m: &[u8; 6]) {
    for (i, &x) in m.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        out.push(HEX[(x >> 4) as usize]);
        out.push(HEX[(x & 15) as usize]);
    }
}

pub fn write_ipv4(out: &mut Vec<u8>, a: Ipv4Addr) {
    let mut buf = itoa::Buffer::new();
    for (i, o) in a.octets().iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        out.extend_from_slice(buf.format(*o).as_bytes());
    }
}

/// RFC 5952 text (what `Ipv6Addr`'s Display produces, including `::ffff:a.b.c.d`).
pub fn write_ipv6(out: &mut Vec<u8>, a: Ipv6Addr) {
    use std::io::Write;
    let _ = write!(out, "{a}");
}

/// Writes an unsigned256 (big-endian bytes) in decimal.
pub fn write_u256(out: &mut Vec<u8>, b: &[u8]) {
    let b: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
    if b.len() <= 16 {
        let mut v = 0u128;
        for x in &b {
            v = (v << 8) | *x as u128;
        }
        out.extend_from_slice(v.to_string().as_bytes());
        return;
    }
    // Long division by 10 over the byte string.
    let mut num = b;
    let mut digits = Vec::new();
    while !num.is_empty() {
        let mut rem = 0u32;
        let mut next = Vec::with_capacity(num.len());
        for &x in &num {
            let cur = (rem << 8) | x as u32;
            let q = cur / 10;
            rem = cur % 10;
            if !(next.is_empty() && q == 0) {
                next.push(q as u8);
            }
        }
        digits.push(b'0' + rem as u8);
        num = next;
    }
    digits.reverse();
    out.extend_from_slice(&digits);
}

/// How time values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeStyle {
    #[default]
    Rfc3339,
    /// An integer in the type's own unit since the Unix epoch.
    Epoch,
}

/// Writes the plain text form of a scalar value (strings raw, unescaped; lists not handled:
/// they need the session, see `list`). Returns false for list values, which the caller renders.
pub fn write_scalar(out: &mut Vec<u8>, v: &Value<'_>, time: TimeStyle) -> bool {
    match *v {
        Value::Unsigned(x) => out.extend_from_slice(itoa::Buffer::new().format(x).as_bytes()),
        Value::Signed(x) => out.extend_from_slice(itoa::Buffer::new().format(x).as_bytes()),
        Value::Unsigned256(b) => write_u256(out, b),
        Value::Float32(x) => write_float(out, x as f64, Some(x)),
        Value::Float64(x) => write_float(out, x, None),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Mac(m) => write_mac(out, &m),
        Value::Ipv4(a) => write_ipv4(out, a),
        Value::Ipv6(a) => write_ipv6(out, a),
        Value::String(s) => out.extend_from_slice(s),
        Value::Octets(b) | Value::Invalid(b) => write_hex(out, b),
        Value::Seconds(_) | Value::Millis(_) | Value::Micros(_) | Value::Nanos(_) => match time {
            TimeStyle::Rfc3339 => write_rfc3339(
                out,
                v.instant().unwrap_or(Instant {
                    secs: 0,
                    nanos: 0,
                    digits: 0,
                }),
            ),
            TimeStyle::Epoch => out.extend_from_slice(
                itoa::Buffer::new()
                    .format(v.epoch().unwrap_or(0))
                    .as_bytes(),
            ),
        },
        Value::List(..) => return false,
    }
    true
}

/// Shortest decimal that round-trips; NaN and infinities as `NaN`, `inf`, `-inf`.
/// A float32 is printed with float32 shortest digits.
fn write_float(out: &mut Vec<u8>, x: f64, as32: Option<f32>) {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
    } else {
        let mut b = ryu::Buffer::new();
        let s = match as32 {
            Some(f) => b.format_finite(f),
            None => b.format_finite(x),
        };
        // ryu prints "1.0" for integral values; keep that (it round-trips as a float).
        out.extend_from_slice(s.as_bytes());
    }
}

/// Whether a value is written as a JSON number (or bare literal) rather than a JSON string.
pub fn json_bare(v: &Value<'_>, time: TimeStyle) -> bool {
    match v {
        Value::Unsigned(_) | Value::Signed(_) | Value::Bool(_) => true,
        Value::Float32(x) => x.is_finite(),
        Value::Float64(x) => x.is_finite(),
        Value::Seconds(_) | Value::Millis(_) | Value::Micros(_) | Value::Nanos(_) => {
            time == TimeStyle::Epoch
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: Value<'_>) -> String {
        let mut o = Vec::new();
        assert!(write_scalar(&mut o, &v, TimeStyle::Rfc3339));
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn integers_and_reduced_size() {
        assert_eq!(
            decode(DataType::Unsigned64, &[0, 0, 0, 235]),
            Value::Unsigned(235)
        );
        assert_eq!(
            decode(DataType::Unsigned64, &[0xff; 8]),
            Value::Unsigned(u64::MAX)
        );
        assert_eq!(decode(DataType::Signed32, &[0xff, 0xfe]), Value::Signed(-2));
        assert_eq!(decode(DataType::Signed64, &[0x7f]), Value::Signed(127));
        assert_eq!(decode(DataType::Signed8, &[0x80]), Value::Signed(-128));
        assert_eq!(decode(DataType::Unsigned32, &[]), Value::Invalid(&[]));
        assert_eq!(decode(DataType::Boolean, &[2]), Value::Bool(false));
        assert_eq!(decode(DataType::Boolean, &[0]), Value::Invalid(&[0]));
    }

    #[test]
    fn text_forms() {
        assert_eq!(
            text(Value::Ipv4(Ipv4Addr::new(192, 168, 0, 201))),
            "192.168.0.201"
        );
        assert_eq!(
            text(Value::Ipv6("2001:db8::1".parse().unwrap())),
            "2001:db8::1"
        );
        assert_eq!(
            text(Value::Mac([2, 0, 0x5e, 0x10, 0, 1])),
            "02:00:5e:10:00:01"
        );
        assert_eq!(text(Value::Octets(&[0xde, 0xad])), "dead");
        assert_eq!(text(Value::Float64(0.1)), "0.1");
        assert_eq!(text(Value::Float32(0.1)), "0.1");
        assert_eq!(text(Value::Seconds(1_700_000_000)), "2023-11-14T22:13:20Z");
        assert_eq!(
            text(Value::Millis(1_700_000_000_170)),
            "2023-11-14T22:13:20.170Z"
        );
        assert_eq!(text(Value::Unsigned256(&[1, 0])), "256");
        let mut big = [0u8; 32];
        big[0] = 1;
        assert_eq!(
            text(Value::Unsigned256(&big)),
            "452312848583266388373324160190187140051835877600158453279131187530910662656"
        );
    }

    #[test]
    fn ntp_times() {
        // 2023-11-14T22:13:20.5Z
        let ntp = ((1_700_000_000i64 + NTP_UNIX_OFFSET) as u64) << 32 | 0x8000_0000;
        assert_eq!(text(Value::Micros(ntp)), "2023-11-14T22:13:20.500000Z");
        assert_eq!(text(Value::Nanos(ntp)), "2023-11-14T22:13:20.500000000Z");
        for ns in [0u32, 1, 999_999_999, 123_456_789, 500_000_000] {
            let n = instant_to_ntp(1_700_000_000, ns, false);
            assert_eq!(
                ntp_to_instant(n, 9),
                Instant {
                    secs: 1_700_000_000,
                    nanos: ns,
                    digits: 9
                }
            );
            let us = ns / 1000 * 1000;
            let n = instant_to_ntp(1_700_000_000, us, true);
            assert_eq!(n & 0x7FF, 0);
            assert_eq!(
                ntp_to_instant(n, 6),
                Instant {
                    secs: 1_700_000_000,
                    nanos: us,
                    digits: 6
                }
            );
        }
        assert_eq!(
            Value::Millis(1_700_000_000_170).epoch(),
            Some(1_700_000_000_170)
        );
    }

    #[test]
    fn calendar() {
        for d in [-800_000i64, -1, 0, 1, 19_000, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        let mut o = Vec::new();
        write_rfc3339(
            &mut o,
            Instant {
                secs: -NTP_UNIX_OFFSET,
                nanos: 0,
                digits: 0,
            },
        );
        assert_eq!(o, b"1900-01-01T00:00:00Z");
    }
}
