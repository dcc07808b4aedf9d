//! Field values: decoding from wire bytes (RFC 7011 §6). Their text forms are in
//! [`super::text`].
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

/// Big-endian unsigned integer of 1 to 8 octets (of more, the last 8 count; of none, 0): the
/// one reading of unsigned fields for decoding, the printers and the filter.
#[inline]
pub fn be_uint(b: &[u8]) -> u64 {
    match *b {
        [x] => x as u64,
        [x, y] => u16::from_be_bytes([x, y]) as u64,
        [a, b, c, d] => u32::from_be_bytes([a, b, c, d]) as u64,
        [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => b.iter().fold(0u64, |v, &x| (v << 8) | x as u64),
    }
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

impl Instant {
    /// Milliseconds since 1970 (the fraction below a millisecond dropped).
    pub fn unix_ms(&self) -> i128 {
        self.secs as i128 * 1000 + (self.nanos / 1_000_000) as i128
    }
}

/// Converts an NTP timestamp to Unix seconds + nanoseconds at `digits` precision (6 or 9).
/// The fraction is truncated, never rounded up into the next second (as tshark does);
/// [`instant_to_ntp`] rounds up, so the pair round-trips exactly.
pub fn ntp_to_instant(ntp: u64, digits: u8) -> Instant {
    let secs = (ntp >> 32) as i64 - NTP_UNIX_OFFSET;
    let mut frac = ntp & 0xFFFF_FFFF;
    let unit: u64 = if digits == 6 {
        frac &= !0x7FF;
        1_000_000
    } else {
        1_000_000_000
    };
    let sub = (frac * unit) >> 32;
    let nanos = if digits == 6 { sub * 1000 } else { sub } as u32;
    Instant {
        secs,
        nanos,
        digits,
    }
}

/// Converts Unix seconds + nanoseconds to an NTP timestamp: the smallest fraction that
/// [`ntp_to_instant`] reads back as the same value; `micro` keeps the low 11 bits zero.
pub fn instant_to_ntp(secs: i64, nanos: u32, micro: bool) -> u64 {
    let s = (secs + NTP_UNIX_OFFSET) as u64 & 0xFFFF_FFFF;
    let frac = if micro {
        let us = (nanos / 1000) as u64;
        ((us << 32).div_ceil(1_000_000)).div_ceil(2048) * 2048
    } else {
        ((nanos as u64) << 32).div_ceil(1_000_000_000)
    };
    // us < 1e6 and ns < 1e9 keep the fraction below 2^32.
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
            3 => i.unix_ms(),
            6 => i.secs as i128 * 1_000_000 + (i.nanos / 1000) as i128,
            _ => i.secs as i128 * 1_000_000_000 + i.nanos as i128,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
