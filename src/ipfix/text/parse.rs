//! Parsing the text forms of DESIGN.md back into values: the inverse of [`super::write_scalar`],
//! used for CSV/JSON input and for filter literals.
//!
//! Times accept RFC 3339 (`2023-11-14T22:13:20.170Z`, any offset, `T` or space), with ISO 8601
//! expanded years (`+584556019-04-03T14:25:51.615Z`) for what lies past 9999, or an integer in
//! the type's own unit since 1970 (what `--time epoch` prints). Whatever the printers write
//! for a value of a type parses back to that value. A value with more precision than
//! its type holds is an error, never silently rounded.

use super::write::days_from_civil;
use crate::ipfix::types::DataType;
use crate::ipfix::value::{Value, instant_to_ntp};
use std::net::{Ipv4Addr, Ipv6Addr};

/// An owned parsed value; [`Parsed::as_value`] borrows it as a [`Value`] for encoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Unsigned(u64),
    Signed(i64),
    Unsigned256(Vec<u8>),
    Float32(f32),
    Float64(f64),
    Bool(bool),
    Mac([u8; 6]),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    String(Vec<u8>),
    Octets(Vec<u8>),
    Seconds(u32),
    Millis(u64),
    Micros(u64),
    Nanos(u64),
}

impl Parsed {
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Parsed::Unsigned(v) => Value::Unsigned(*v),
            Parsed::Signed(v) => Value::Signed(*v),
            Parsed::Unsigned256(b) => Value::Unsigned256(b),
            Parsed::Float32(v) => Value::Float32(*v),
            Parsed::Float64(v) => Value::Float64(*v),
            Parsed::Bool(v) => Value::Bool(*v),
            Parsed::Mac(m) => Value::Mac(*m),
            Parsed::Ipv4(a) => Value::Ipv4(*a),
            Parsed::Ipv6(a) => Value::Ipv6(*a),
            Parsed::String(b) => Value::String(b),
            Parsed::Octets(b) => Value::Octets(b),
            Parsed::Seconds(v) => Value::Seconds(*v),
            Parsed::Millis(v) => Value::Millis(*v),
            Parsed::Micros(v) => Value::Micros(*v),
            Parsed::Nanos(v) => Value::Nanos(*v),
        }
    }
}

/// Parses `s` as a value of type `t`. Lists are not text scalars: the caller parses their JSON.
pub fn parse(t: DataType, s: &str) -> Result<Parsed, String> {
    let bad = |what: &str| format!("{s:?} is not {what}");
    Ok(match t {
        DataType::Unsigned8
        | DataType::Unsigned16
        | DataType::Unsigned32
        | DataType::Unsigned64 => {
            let v: u64 = s.trim().parse().map_err(|_| match digits(s) {
                Some(d) => format!("{d} is out of range for {}", t.name()),
                None => bad("an unsigned integer"),
            })?;
            let max = match t {
                DataType::Unsigned8 => u8::MAX as u64,
                DataType::Unsigned16 => u16::MAX as u64,
                DataType::Unsigned32 => u32::MAX as u64,
                _ => u64::MAX,
            };
            if v > max {
                return Err(format!("{v} is out of range for {}", t.name()));
            }
            Parsed::Unsigned(v)
        }
        DataType::Signed8 | DataType::Signed16 | DataType::Signed32 | DataType::Signed64 => {
            let v: i64 = s.trim().parse().map_err(|_| match digits(s) {
                Some(d) => format!("{d} is out of range for {}", t.name()),
                None => bad("an integer"),
            })?;
            let (lo, hi) = match t {
                DataType::Signed8 => (i8::MIN as i64, i8::MAX as i64),
                DataType::Signed16 => (i16::MIN as i64, i16::MAX as i64),
                DataType::Signed32 => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            if v < lo || v > hi {
                return Err(format!("{v} is out of range for {}", t.name()));
            }
            Parsed::Signed(v)
        }
        DataType::Unsigned256 => Parsed::Unsigned256(
            parse_u256(s.trim()).ok_or_else(|| bad("an unsigned integer below 2^256"))?,
        ),
        DataType::Float32 => Parsed::Float32(parse_float(s).ok_or_else(|| bad("a number"))? as f32),
        DataType::Float64 => Parsed::Float64(parse_float(s).ok_or_else(|| bad("a number"))?),
        DataType::Boolean => match s.trim() {
            "true" => Parsed::Bool(true),
            "false" => Parsed::Bool(false),
            _ => return Err(bad("a boolean (true or false)")),
        },
        DataType::MacAddress => Parsed::Mac(
            parse_mac(s.trim()).ok_or_else(|| bad("a MAC address like 02:00:5e:10:00:01"))?,
        ),
        DataType::Ipv4Address => {
            Parsed::Ipv4(s.trim().parse().map_err(|_| bad("an IPv4 address"))?)
        }
        DataType::Ipv6Address => Parsed::Ipv6(s.trim().parse().map_err(|_| {
            if s.contains('%') {
                format!("{s:?} is not an IPv6 address: IPFIX addresses have no zone ID")
            } else {
                bad("an IPv6 address")
            }
        })?),
        DataType::String => Parsed::String(s.as_bytes().to_vec()),
        DataType::OctetArray => {
            Parsed::Octets(parse_hex(s.trim()).ok_or_else(|| bad("hex octets"))?)
        }
        DataType::DateTimeSeconds => {
            let (secs, nanos) = parse_time(s, 0)?;
            if nanos != 0 {
                return Err(format!(
                    "{s:?} has a fraction of a second, which dateTimeSeconds cannot hold"
                ));
            }
            Parsed::Seconds(
                u32::try_from(secs).map_err(|_| {
                    format!("{s:?} is outside the dateTimeSeconds range (1970..2106)")
                })?,
            )
        }
        DataType::DateTimeMilliseconds => {
            let (secs, nanos) = parse_time(s, 3)?;
            if nanos % 1_000_000 != 0 {
                return Err(format!("{s:?} is more precise than dateTimeMilliseconds"));
            }
            if secs < 0 {
                return Err(format!(
                    "{s:?} is before 1970, which dateTimeMilliseconds cannot hold"
                ));
            }
            u64::try_from(secs)
                .ok()
                .and_then(|s| s.checked_mul(1000))
                .and_then(|ms| ms.checked_add((nanos / 1_000_000) as u64))
                .map(Parsed::Millis)
                .ok_or_else(|| {
                    format!(
                        "{s:?} is past the dateTimeMilliseconds range (up to \
                         +584556019-04-03T14:25:51.615Z)"
                    )
                })?
        }
        DataType::DateTimeMicroseconds | DataType::DateTimeNanoseconds => {
            let micro = t == DataType::DateTimeMicroseconds;
            let (secs, nanos) = parse_time(s, if micro { 6 } else { 9 })?;
            if micro && nanos % 1000 != 0 {
                return Err(format!("{s:?} is more precise than dateTimeMicroseconds"));
            }
            let ntp_secs = secs + crate::ipfix::value::NTP_UNIX_OFFSET;
            if !(0..=u32::MAX as i64).contains(&ntp_secs) {
                return Err(format!("{s:?} is outside the NTP era 0 range (1900..2036)"));
            }
            let n = instant_to_ntp(secs, nanos, micro);
            if micro {
                Parsed::Micros(n)
            } else {
                Parsed::Nanos(n)
            }
        }
        DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList => {
            return Err(format!(
                "{} values are given as JSON, not as text",
                t.name()
            ));
        }
    })
}

/// `s` trimmed, if it is an integer (optionally signed) however large.
/// `s` as an integer too large for any type, for a message: whole when short, else its first
/// digits and how many there are (an error must stay one readable line).
fn digits(s: &str) -> Option<String> {
    let t = s.trim();
    let d = t.strip_prefix(['-', '+']).unwrap_or(t);
    if d.is_empty() || !d.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(if t.len() <= 40 {
        t.to_string()
    } else {
        format!("{}... ({} digits)", &t[..20], d.len())
    })
}

fn parse_float(s: &str) -> Option<f64> {
    match s.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "inf" | "+inf" | "Infinity" => Some(f64::INFINITY),
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        t => t.parse().ok().filter(|v: &f64| v.is_finite()),
    }
}

pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.len() != 2 {
            return None;
        }
        m[i] = u8::from_str_radix(p, 16).ok()?;
    }
    Some(m)
}

/// Lowercase or uppercase hex, optionally `0x`-prefixed; empty is zero octets.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() % 2 != 0 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Decimal to big-endian bytes (minimal length, at least 1), below 2^256.
fn parse_u256(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut n: Vec<u8> = vec![0];
    for d in s.bytes() {
        let mut carry = (d - b'0') as u32;
        for byte in n.iter_mut().rev() {
            let v = *byte as u32 * 10 + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            n.insert(0, carry as u8);
            carry >>= 8;
        }
        if n.len() > 32 {
            return None;
        }
    }
    let first = n.iter().position(|&b| b != 0).unwrap_or(n.len() - 1);
    Some(n[first..].to_vec())
}

/// A time in ms since 1970: RFC 3339 (`2024-01-01T00:00:00Z`) or whole seconds since 1970.
pub fn parse_time_ms(s: &str) -> Result<u64, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return secs.checked_mul(1000).ok_or_else(|| "too late".into());
    }
    let (secs, nanos) = parse_rfc3339(s).ok_or_else(|| {
        format!("{s:?} is not an RFC 3339 time (2024-01-01T00:00:00Z) or seconds since 1970")
    })?;
    u64::try_from(secs)
        .map(|s| s * 1000 + (nanos / 1_000_000) as u64)
        .map_err(|_| "before 1970".into())
}

/// A duration in ms: `90s`, `15m`, `2h`, `1d`, `250ms` or plain seconds; at least 1 ms.
pub fn parse_duration_ms(s: &str) -> Result<u64, String> {
    let bad = || format!("{s:?}: a duration is like 90s, 15m, 2h or 1d");
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let scale = match unit {
        "" | "s" => 1e3,
        "ms" => 1.0,
        "m" => 60e3,
        "h" => 3600e3,
        "d" => 86400e3,
        _ => return Err(bad()),
    };
    let ms = n * scale;
    if (1.0..1e15).contains(&ms) {
        Ok(ms as u64)
    } else {
        Err(format!("{s:?}: at least 1 ms"))
    }
}

/// A time as (Unix seconds, nanoseconds): RFC 3339, or an integer in units of 10^-digits s.
pub fn parse_time(s: &str, digits: u32) -> Result<(i64, u32), String> {
    let t = s.trim();
    if !t.is_empty()
        && t.bytes()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == b'-'))
    {
        let v: i128 = t.parse().map_err(|_| format!("{s:?} is not a time"))?;
        let unit = 10i128.pow(digits);
        let secs = v.div_euclid(unit);
        let frac = v.rem_euclid(unit) * 10i128.pow(9 - digits);
        return i64::try_from(secs)
            .map(|x| (x, frac as u32))
            .map_err(|_| format!("{s:?} is out of range"));
    }
    parse_rfc3339(t).ok_or_else(|| {
        format!("{s:?} is not an RFC 3339 time like 2023-11-14T22:13:20.170Z or an epoch integer")
    })
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM)`; the fraction has at most 9 digits. The year
/// may also be in ISO 8601's expanded form, a sign and 4 to 11 digits (`+584556019-04-03…`,
/// what the printers write for years past 9999; `+010000-…` as JavaScript writes it): eleven
/// digits keep every second count within an `i64`.
pub fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let all = s.as_bytes();
    let (y, b) = match all.first()? {
        sign @ (b'+' | b'-') => {
            let n = all[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if !(4..=11).contains(&n) {
                return None;
            }
            let y: i64 = std::str::from_utf8(&all[1..1 + n]).ok()?.parse().ok()?;
            (if *sign == b'-' { -y } else { y }, &all[1 + n..])
        }
        _ => {
            let part = all.get(..4)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            (std::str::from_utf8(part).ok()?.parse().ok()?, &all[4..])
        }
    };
    // From here `b` starts at the `-` after the year.
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 16
        || b[0] != b'-'
        || b[3] != b'-'
        || !matches!(b[6], b'T' | b't' | b' ')
        || b[9] != b':'
        || b[12] != b':'
    {
        return None;
    }
    let (mo, d) = (num(1..3)?, num(4..6)?);
    let (h, mi, sec) = (num(7..9)?, num(10..12)?, num(13..15)?);
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo as u32)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let mut i = 15;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return None;
        }
        nanos = std::str::from_utf8(&b[start..i])
            .ok()?
            .parse::<u32>()
            .ok()?
            * 10u32.pow(9 - n as u32);
    }
    let offset = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hh = ((h1 - b'0') * 10 + (h2 - b'0')) as i64;
            let mm = ((m1 - b'0') * 10 + (m2 - b'0')) as i64;
            if ![h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) || hh > 23 || mm > 59 {
                return None;
            }
            let o = hh * 3600 + mm * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some((
        days * 86_400 + h * 3600 + mi * 60 + sec.min(59) - offset,
        nanos,
    ))
}

fn days_in_month(y: i64, m: u32) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::text::{TimeStyle, write_scalar};

    fn round(t: DataType, s: &str) -> String {
        let p = parse(t, s).unwrap_or_else(|e| panic!("{e}"));
        let mut o = Vec::new();
        write_scalar(&mut o, &p.as_value(), TimeStyle::Rfc3339);
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn text_forms_round_trip() {
        for (t, s) in [
            (DataType::Unsigned64, "18446744073709551615"),
            (DataType::Signed32, "-2147483648"),
            (DataType::Float64, "0.1"),
            (DataType::Float32, "1.5"),
            (DataType::Boolean, "false"),
            (DataType::MacAddress, "02:00:5e:10:00:01"),
            (DataType::Ipv4Address, "192.0.2.1"),
            (DataType::Ipv6Address, "2001:db8::1"),
            (DataType::String, "héllo, \"world\""),
            (DataType::OctetArray, "00ff10"),
            (DataType::DateTimeSeconds, "2023-11-14T22:13:20Z"),
            (DataType::DateTimeMilliseconds, "2023-11-14T22:13:20.170Z"),
            (
                DataType::DateTimeMicroseconds,
                "2023-11-14T22:13:20.123456Z",
            ),
            (
                DataType::DateTimeNanoseconds,
                "2023-11-14T22:13:20.123456789Z",
            ),
            (
                DataType::Unsigned256,
                "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            ),
        ] {
            assert_eq!(round(t, s), s, "{t:?}");
        }
    }

    #[test]
    fn times_offsets_epochs_and_precision() {
        assert_eq!(
            round(DataType::DateTimeSeconds, "2023-11-14 23:13:20+01:00"),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            round(DataType::DateTimeMilliseconds, "1700000000170"),
            "2023-11-14T22:13:20.170Z"
        );
        assert_eq!(
            round(DataType::DateTimeMilliseconds, "2023-11-14T22:13:20Z"),
            "2023-11-14T22:13:20.000Z"
        );
        assert!(parse(DataType::DateTimeSeconds, "2023-11-14T22:13:20.5Z").is_err());
        assert!(parse(DataType::DateTimeMilliseconds, "2023-11-14T22:13:20.1234Z").is_err());
        assert!(parse(DataType::DateTimeMilliseconds, "2023-02-30T00:00:00Z").is_err());
        assert!(
            parse(DataType::DateTimeMilliseconds, "2023-11-14T22:13:20").is_err(),
            "zone required"
        );
        assert!(parse(DataType::DateTimeSeconds, "1969-12-31T23:59:59Z").is_err());
    }

    /// Every time type at 0, 1, its largest value and next to it (and where four-digit years
    /// end): what either style prints parses back to a value that prints the same.
    #[test]
    fn extreme_times_print_and_parse_back() {
        let y10k = 253_402_300_800_000u64;
        let ntp = [
            0,
            1,
            1 << 32,
            u64::MAX,
            u64::MAX - 1,
            u64::MAX - 0x7FF,
            u64::MAX << 32,
        ];
        let mut cases: Vec<(DataType, Value)> = Vec::new();
        for v in [0, 1, u32::MAX, u32::MAX - 1] {
            cases.push((DataType::DateTimeSeconds, Value::Seconds(v)));
        }
        for v in [
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            y10k - 1,
            y10k,
            999,
            u64::MAX / 1000 * 1000,
        ] {
            cases.push((DataType::DateTimeMilliseconds, Value::Millis(v)));
        }
        for v in ntp {
            cases.push((DataType::DateTimeMicroseconds, Value::Micros(v)));
            cases.push((DataType::DateTimeNanoseconds, Value::Nanos(v)));
        }
        for (t, v) in cases {
            for style in [TimeStyle::Rfc3339, TimeStyle::Epoch] {
                let mut a = Vec::new();
                write_scalar(&mut a, &v, style);
                let text = String::from_utf8(a).unwrap();
                let p = parse(t, &text).unwrap_or_else(|e| panic!("{t:?} {v:?} {style:?}: {e}"));
                let mut b = Vec::new();
                write_scalar(&mut b, &p.as_value(), style);
                assert_eq!(String::from_utf8(b).unwrap(), text, "{t:?} {v:?} {style:?}");
            }
        }
        let mut a = Vec::new();
        write_scalar(&mut a, &Value::Millis(u64::MAX), TimeStyle::Rfc3339);
        assert_eq!(a, b"+584556019-04-03T14:25:51.615Z");
        a.clear();
        write_scalar(&mut a, &Value::Millis(y10k), TimeStyle::Rfc3339);
        assert_eq!(a, b"+10000-01-01T00:00:00.000Z");
        // Expanded years as JavaScript writes them, and the limits.
        assert_eq!(
            parse_rfc3339("+010000-01-01T00:00:00Z"),
            Some((y10k as i64 / 1000, 0))
        );
        assert_eq!(parse_rfc3339("+1970-01-01T00:00:01Z"), Some((1, 0)));
        assert_eq!(
            parse_rfc3339("-0001-12-31T23:59:59Z"),
            Some((-62_167_219_201, 0))
        );
        assert!(parse_rfc3339("+99999999999-12-31T23:59:59.999999999Z").is_some());
        assert!(parse_rfc3339("-99999999999-01-01T00:00:00Z").is_some());
        assert!(parse_rfc3339("+999999999999-12-31T23:59:59Z").is_none());
        assert!(parse_rfc3339("+123-01-01T00:00:00Z").is_none());
        assert!(
            parse_rfc3339("10000-01-01T00:00:00Z").is_none(),
            "sign required"
        );
        assert!(
            parse(
                DataType::DateTimeMilliseconds,
                "+584556019-04-03T14:25:51.616Z"
            )
            .is_err()
        );
        assert!(
            parse(
                DataType::DateTimeMilliseconds,
                "+99999999999-12-31T23:59:59Z"
            )
            .is_err()
        );
        assert!(parse(DataType::DateTimeMilliseconds, "18446744073709551616").is_err());
        assert!(parse(DataType::DateTimeSeconds, "+10000-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn errors_name_the_value() {
        assert!(
            parse(DataType::Unsigned8, "256")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse(DataType::Unsigned16, "-1").is_err());
        assert!(
            parse(DataType::Ipv4Address, "1.2.3")
                .unwrap_err()
                .contains("\"1.2.3\"")
        );
        assert!(parse(DataType::OctetArray, "abc").is_err());
        assert!(parse(DataType::Boolean, "1").is_err());
        assert!(parse(DataType::Float64, "x").is_err());
        assert!(parse(DataType::MacAddress, "02:00:5e:10:00").is_err());
        assert!(parse(DataType::Unsigned256, &"9".repeat(80)).is_err());
        assert_eq!(
            parse(DataType::Unsigned256, "0").unwrap(),
            Parsed::Unsigned256(vec![0])
        );
    }
}
