//! Writing values in their text forms (DESIGN.md "Values as text"): integers, addresses,
//! octets, times in RFC 3339 (ISO 8601 expanded years past 9999) or as epoch integers.
//! Writers append to a `Vec<u8>` or into a fixed buffer at an offset (`put_*`, what the
//! printers' hot loops use); they never allocate beyond growing the vector.

use crate::ipfix::value::{Instant, Value};
use std::cell::Cell;
use std::net::{Ipv4Addr, Ipv6Addr};

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn write_hex(out: &mut Vec<u8>, b: &[u8]) {
    out.reserve(b.len() * 2);
    for &x in b {
        out.push(HEX[(x >> 4) as usize]);
        out.push(HEX[(x & 15) as usize]);
    }
}

/// "00" to "99": two digits per table lookup.
const DIGITS2: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

// Text writers come in two layers. `put_*` write at `a[at..]` of a slice the caller made long
// enough ([`MAX_SCALAR_TEXT`] octets after `at` is always enough) and return the new end
// (octets between the end and `at + MAX_SCALAR_TEXT` may be overwritten as scratch): a
// printer that owns a large buffer writes whole records this way with no capacity check per
// value. `write_*` append to a `Vec` by growing it by a constant size, writing in place and
// cutting the unused tail: no capacity check per octet, no variable-length copy, and no stack
// array read back whole (which stalls on store forwarding).

/// The longest text any `put_*` writer produces (an RFC 3339 time with a 12-digit year).
pub const MAX_SCALAR_TEXT: usize = 48;

/// Gives `f` the next `N` octets of `out` to write; keeps the `n` it says it wrote (`n <= N`).
#[inline(always)]
fn write_in_place<const N: usize>(out: &mut Vec<u8>, f: impl FnOnce(&mut [u8; N]) -> usize) {
    let at = out.len();
    out.resize(at + N, 0);
    let n = match out.last_chunk_mut::<N>() {
        Some(a) => f(a).min(N),
        None => 0,
    };
    out.truncate(at + n);
}

/// Writes `v < 100` as two digits at `a[at..at + 2]`.
#[inline(always)]
fn put_2(a: &mut [u8], at: usize, v: u32) {
    let i = v as usize * 2;
    a[at..at + 2].copy_from_slice(&DIGITS2[i..i + 2]);
}

/// Writes the `n` last decimal digits of `v` (zero padded) ending before `a[end]`.
#[inline(always)]
fn put_digits(a: &mut [u8], end: usize, mut v: u64, n: usize) {
    let mut i = end;
    while i >= end - n + 2 {
        put_2(a, i - 2, (v % 100) as u32);
        v /= 100;
        i -= 2;
    }
    if i > end - n {
        a[i - 1] = b'0' + (v % 10) as u8;
    }
}

/// Powers of ten that fit in a u32.
const POW10: [u32; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The number of decimal digits of `v` (1 for 0): the bit length gives it to within one
/// (`* 1233 >> 12` is log10(2) to 12 bits), one table compare settles it.
#[inline(always)]
fn digit_count(v: u32) -> usize {
    let v = v | 1;
    let t = ((32 - v.leading_zeros()) * 1233) >> 12;
    (t + 1) as usize - (v < POW10[t as usize]) as usize
}

/// Two digits of `v < 100` as a little-endian pair.
#[inline(always)]
fn digits2(v: u32) -> u64 {
    let i = v as usize * 2;
    u16::from_le_bytes([DIGITS2[i], DIGITS2[i + 1]]) as u64
}

/// The 8 decimal digits of `v < 10^8` (zero padded) as ASCII, the first digit in the lowest
/// byte, from the two-digit table: three divisions by constants (two of them independent)
/// and four loads. (Dividing all lanes at once with scaled reciprocals took more
/// instructions and was no faster.)
#[inline(always)]
fn digits8_lut(v: u32) -> u64 {
    let hi = v / 10_000;
    let lo = v - hi * 10_000;
    let (h1, l1) = (hi / 100, lo / 100);
    digits2(h1) | digits2(hi - h1 * 100) << 16 | digits2(l1) << 32 | digits2(lo - l1 * 100) << 48
}

/// Decimal text of an unsigned integer (the digits `itoa` gives).
#[inline(always)]
pub fn put_u64(a: &mut [u8], at: usize, v: u64) -> usize {
    // Nearly every value in a flow record has fewer than 9 digits: those are formatted in one
    // register, with no branch on their length (which mixed columns mispredict; a separate
    // case for one digit cost more in mispredictions than it saved).
    if v < 100_000_000 {
        if let Some(w) = a.get_mut(at..).and_then(|t| t.first_chunk_mut::<8>()) {
            let v = v as u32;
            let n = digit_count(v);
            *w = (digits8_lut(v) >> (8 * (8 - n))).to_le_bytes();
            return at + n;
        }
    }
    put_u64_long(a, at, v)
}

/// [`put_u64`] for values of 9 digits or more (nanosecond times have 19), or a slice too
/// short for the 8-octet windows: where there is room, the value in groups of 8 digits, each
/// formatted in one register, the leading group without its zeros.
#[inline(never)]
fn put_u64_long(a: &mut [u8], at: usize, v: u64) -> usize {
    const E8: u64 = 100_000_000;
    if v >= E8 && a.len() >= at + 28 {
        let low = (v % E8) as u32;
        let rest = v / E8;
        let p = if rest >= E8 {
            // 17 to 20 digits: up to 4 of them lead.
            let p = put_u64(a, at, rest / E8);
            a[p..p + 8].copy_from_slice(&digits8_lut((rest % E8) as u32).to_le_bytes());
            p + 8
        } else {
            put_u64(a, at, rest)
        };
        a[p..p + 8].copy_from_slice(&digits8_lut(low).to_le_bytes());
        return p + 8;
    }
    let n = v.checked_ilog10().unwrap_or(0) as usize + 1;
    put_digits(a, at + n, v, n);
    at + n
}

/// Decimal text of one octet: a table copy (protocols, flags and the like), with no arithmetic.
/// Writes 4 octets (the last ones scratch).
#[inline(always)]
pub fn put_u8(a: &mut [u8], at: usize, x: u8) -> usize {
    match a.get_mut(at..).and_then(|w| w.first_chunk_mut::<4>()) {
        // The dot an address puts after the digits is scratch here.
        Some(w) => {
            *w = OCTET_TEXT[x as usize];
            at + OCTET_LEN[x as usize] as usize
        }
        None => put_octet(a, at, x),
    }
}

/// Decimal text of a signed integer.
#[inline]
pub fn put_i64(a: &mut [u8], at: usize, v: i64) -> usize {
    let mut at = at;
    if v < 0 {
        a[at] = b'-';
        at += 1;
    }
    put_u64(a, at, v.unsigned_abs())
}

/// Decimal text of an unsigned integer.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    write_in_place::<20>(out, |a| put_u64(a, 0, v));
}

/// Decimal text of a signed integer.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    write_in_place::<20>(out, |a| put_i64(a, 0, v));
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

thread_local! {
    /// The last day [`put_rfc3339`] wrote and its text `YYYY-MM-DDT`: times in a file come in
    /// long runs of one day, and the calendar arithmetic was the dearest part of a timestamp.
    static LAST_DATE: Cell<(i64, [u8; 11])> = const { Cell::new((0, *b"1970-01-01T")) };
}

/// `YYYY-MM-DDT` for the day, if its year has four digits.
#[inline]
fn date_text(days: i64) -> Option<[u8; 11]> {
    LAST_DATE.with(|c| {
        let (day, text) = c.get();
        if day == days {
            return Some(text);
        }
        let (y, m, d) = civil_from_days(days);
        let y = u32::try_from(y).ok().filter(|&y| y <= 9999)?;
        let mut t = *b"0000-00-00T";
        put_2(&mut t, 0, y / 100);
        put_2(&mut t, 2, y % 100);
        put_2(&mut t, 5, m);
        put_2(&mut t, 8, d);
        c.set((days, t));
        Some(t)
    })
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

/// RFC 3339 UTC with `Z` and the instant's precision: `2023-11-14T22:13:22.170Z`. Years
/// outside 0..=9999 (which RFC 3339 cannot write) get ISO 8601's expanded form: a sign and as
/// many digits as they need, at least four (`+584556019-04-03T14:25:51.615Z`, `-0001-…`), as
/// JavaScript's `Date.toISOString` writes them.
pub fn put_rfc3339(a: &mut [u8], at: usize, i: Instant) -> usize {
    let days = i.secs.div_euclid(86_400);
    let sod = i.secs.rem_euclid(86_400) as u32;
    // The common case at constant offsets in a fixed window (no bounds check per digit).
    if let (Some(date), Some(w)) = (
        date_text(days),
        a.get_mut(at..).and_then(|t| t.first_chunk_mut::<32>()),
    ) {
        w[..11].copy_from_slice(&date);
        put_2(w, 11, sod / 3600);
        w[13] = b':';
        put_2(w, 14, sod / 60 % 60);
        w[16] = b':';
        put_2(w, 17, sod % 60);
        let end = match i.digits {
            0 => 19,
            3 => {
                let ms = i.nanos / 1_000_000;
                w[19] = b'.';
                w[20] = b'0' + (ms / 100 % 10) as u8;
                put_2(w, 21, ms % 100);
                22 + 1
            }
            d => {
                let d = d.min(9) as usize;
                w[19] = b'.';
                let frac = i.nanos / 10u32.pow(9 - d as u32);
                put_digits(w, 20 + d, frac as u64, d);
                20 + d
            }
        };
        w[end] = b'Z';
        return at + end + 1;
    }
    let (y, m, d) = civil_from_days(days);
    let mut n = if (0..=9999).contains(&y) {
        let y = y as u32;
        put_2(a, at, y / 100);
        put_2(a, at + 2, y % 100);
        at + 4
    } else {
        put_expanded_year(a, at, y)
    };
    a[n] = b'-';
    put_2(a, n + 1, m);
    a[n + 3] = b'-';
    put_2(a, n + 4, d);
    a[n + 6] = b'T';
    put_2(a, n + 7, sod / 3600);
    a[n + 9] = b':';
    put_2(a, n + 10, sod / 60 % 60);
    a[n + 12] = b':';
    put_2(a, n + 13, sod % 60);
    n += 15;
    let (frac, digits) = match i.digits {
        0 => (0, 0),
        3 => (i.nanos / 1_000_000, 3),
        6 => (i.nanos / 1000, 6),
        d => {
            let d = d.min(9) as u32;
            (i.nanos / 10u32.pow(9 - d), d as usize)
        }
    };
    if digits > 0 {
        a[n] = b'.';
        put_digits(a, n + 1 + digits, frac as u64, digits);
        n += 1 + digits;
    }
    a[n] = b'Z';
    n + 1
}

/// A year outside 0..=9999 in ISO 8601's expanded form (a sign, then at least four digits),
/// which `text::parse_rfc3339` reads back. Only dateTimeMilliseconds reaches years past 9999
/// (its largest value is in +584556019): kept out of line, off the printers' path.
#[cold]
#[inline(never)]
fn put_expanded_year(a: &mut [u8], at: usize, y: i64) -> usize {
    a[at] = if y < 0 { b'-' } else { b'+' };
    let v = y.unsigned_abs();
    if v < 10_000 {
        put_digits(a, at + 5, v, 4);
        at + 5
    } else {
        put_u64(a, at + 1, v)
    }
}

/// Milliseconds since 1970 (dateTimeMilliseconds) in the given style.
#[inline]
pub fn put_millis(a: &mut [u8], at: usize, ms: u64, time: TimeStyle) -> usize {
    match time {
        TimeStyle::Rfc3339 => put_rfc3339(
            a,
            at,
            Instant {
                secs: (ms / 1000) as i64,
                nanos: (ms % 1000) as u32 * 1_000_000,
                digits: 3,
            },
        ),
        TimeStyle::Epoch => put_u64(a, at, ms),
    }
}

/// The largest millisecond time whose nanoseconds fit an i64 (2262-04-11).
pub const MAX_NS_MILLIS: u64 = i64::MAX as u64 / 1_000_000;

/// Milliseconds since 1970 written as nanoseconds (the flow schema's times): the digits of
/// the milliseconds and six zeros, formatted 8 digits at a time. `ms` is at most
/// [`MAX_NS_MILLIS`]; writes up to 24 octets.
#[inline]
pub fn put_ns_of_millis(a: &mut [u8], at: usize, ms: u64) -> usize {
    const E8: u64 = 100_000_000;
    let ms = ms.min(MAX_NS_MILLIS);
    let Some(w) = a.get_mut(at..).and_then(|t| t.first_chunk_mut::<32>()) else {
        return put_u64(a, at, ms * 1_000_000);
    };
    if ms == 0 {
        w[0] = b'0';
        return at + 1;
    }
    // Up to 8 leading digits (without zeros), then 8 more when there are more than 8, then
    // six zeros: each group one register store in the window.
    let (lead, rest) = if ms < E8 {
        (ms as u32, None)
    } else {
        ((ms / E8) as u32, Some((ms % E8) as u32))
    };
    let n = digit_count(lead);
    w[..8].copy_from_slice(&(digits8_lut(lead) >> (8 * (8 - n))).to_le_bytes());
    let mut e = n;
    if let Some(r) = rest {
        w[e..e + 8].copy_from_slice(&digits8_lut(r).to_le_bytes());
        e += 8;
    }
    w[e..e + 8].copy_from_slice(b"00000000");
    at + e + 6
}

/// Writes dateTimeMilliseconds values as RFC 3339 text, keeping the text of the last two
/// minutes written: flow times come in runs within a minute or two, so most values only need
/// their seconds and milliseconds, two table copies and a digit. One per column, so start and
/// end times that straddle a minute do not evict each other.
#[derive(Clone, Copy)]
pub struct MillisText {
    minutes: [u64; 2],
    /// `YYYY-MM-DDTHH:MM:ss.mmmZ` of each minute (seconds and fraction are overwritten).
    texts: [[u8; 24]; 2],
    /// The slot to replace next: the one not used last.
    next: usize,
}

impl Default for MillisText {
    fn default() -> Self {
        MillisText {
            minutes: [u64::MAX; 2],
            texts: [[0; 24]; 2],
            next: 0,
        }
    }
}

impl MillisText {
    /// Writes `ms` (milliseconds since 1970) like [`put_millis`] in RFC 3339 style.
    #[inline(always)]
    pub fn put(&mut self, a: &mut [u8], at: usize, ms: u64) -> usize {
        let secs = ms / 1000;
        let frac = (ms - secs * 1000) as u32;
        let minute = secs / 60;
        let sec = (secs - minute * 60) as u32;
        let slot = if minute == self.minutes[0] {
            Some(0)
        } else if minute == self.minutes[1] {
            Some(1)
        } else {
            None
        };
        let window = a.get_mut(at..).and_then(|t| t.first_chunk_mut::<24>());
        match (window, slot) {
            (Some(w), Some(k)) => {
                self.next = 1 - k;
                *w = self.texts[k];
                put_2(w, 17, sec);
                w[20] = b'0' + (frac / 100) as u8;
                put_2(w, 21, frac % 100);
                at + 24
            }
            _ => self.miss(a, at, ms, slot),
        }
    }

    /// A minute not in the cache (or a slice too short for the window): the full writer, and
    /// the text kept for the next values of that minute.
    #[inline(never)]
    fn miss(&mut self, a: &mut [u8], at: usize, ms: u64, slot: Option<usize>) -> usize {
        let end = put_millis(a, at, ms, TimeStyle::Rfc3339);
        // Only a four-digit year has the fixed shape the cache fills in.
        if let Some(t) = a.get(at..end).and_then(|t| <&[u8; 24]>::try_from(t).ok()) {
            let k = slot.unwrap_or(self.next);
            self.texts[k] = *t;
            self.minutes[k] = ms / 60_000;
            self.next = 1 - k;
        }
        end
    }
}

/// RFC 3339 UTC with `Z` and the instant's precision: `2023-11-14T22:13:22.170Z`.
pub fn write_rfc3339(out: &mut Vec<u8>, i: Instant) {
    write_in_place::<MAX_SCALAR_TEXT>(out, |a| put_rfc3339(a, 0, i));
}

/// A time value (seconds, milli-, micro- or nanoseconds) in the given style; `None` for any
/// other value.
#[inline]
pub fn put_time(a: &mut [u8], at: usize, v: &Value<'_>, time: TimeStyle) -> Option<usize> {
    let i = v.instant()?;
    Some(match time {
        TimeStyle::Rfc3339 => put_rfc3339(a, at, i),
        TimeStyle::Epoch => match v.epoch() {
            Some(e) if e >= 0 => put_u64(a, at, u64::try_from(e).unwrap_or(u64::MAX)),
            Some(e) => put_i64(a, at, i64::try_from(e).unwrap_or(i64::MIN)),
            None => at,
        },
    })
}

/// `02:00:5e:10:00:01`.
pub fn put_mac(a: &mut [u8], at: usize, m: &[u8; 6]) -> usize {
    for (i, &x) in m.iter().enumerate() {
        if i > 0 {
            a[at + 3 * i - 1] = b':';
        }
        a[at + 3 * i] = HEX[(x >> 4) as usize];
        a[at + 3 * i + 1] = HEX[(x & 15) as usize];
    }
    at + 17
}

pub fn write_mac(out: &mut Vec<u8>, m: &[u8; 6]) {
    write_in_place::<17>(out, |a| put_mac(a, 0, m));
}

/// Writes `x` in decimal at `a[at..]`; returns the new end.
#[inline(always)]
fn put_octet(a: &mut [u8], at: usize, x: u8) -> usize {
    if x >= 100 {
        a[at] = b'0' + x / 100;
        put_2(a, at + 1, (x % 100) as u32);
        at + 3
    } else if x >= 10 {
        put_2(a, at, x as u32);
        at + 2
    } else {
        a[at] = b'0' + x;
        at + 1
    }
}

/// Each octet value's decimal digits followed by a dot (`"7.\0\0"`, `"192."`), and its digit count:
/// an address is four table copies, with no branch on the number of digits (which random
/// addresses mispredict).
const OCTET_TEXT: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let (h, d, o) = ((i / 100) as u8, (i / 10 % 10) as u8, (i % 10) as u8);
        t[i] = if i >= 100 {
            [b'0' + h, b'0' + d, b'0' + o, b'.']
        } else if i >= 10 {
            [b'0' + d, b'0' + o, b'.', 0]
        } else {
            [b'0' + o, b'.', 0, 0]
        };
        i += 1;
    }
    t
};
const OCTET_LEN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i >= 100 {
            3
        } else if i >= 10 {
            2
        } else {
            1
        };
        i += 1;
    }
    t
};

/// Dotted decimal `192.0.2.1`. Writes up to 16 octets (the last ones scratch).
#[inline(always)]
pub fn put_ipv4(a: &mut [u8], at: usize, o: [u8; 4]) -> usize {
    let Some(w) = a.get_mut(at..).and_then(|t| t.first_chunk_mut::<16>()) else {
        return put_ipv4_exact(a, at, o);
    };
    let mut n = 0;
    for &x in &o[..3] {
        w[n..n + 4].copy_from_slice(&OCTET_TEXT[x as usize]);
        n += OCTET_LEN[x as usize] as usize + 1;
    }
    w[n..n + 4].copy_from_slice(&OCTET_TEXT[o[3] as usize]);
    at + n + OCTET_LEN[o[3] as usize] as usize
}

/// [`put_ipv4`] for a slice with no room for the 16-octet window.
#[inline(never)]
fn put_ipv4_exact(a: &mut [u8], at: usize, o: [u8; 4]) -> usize {
    let mut n = put_octet(a, at, o[0]);
    a[n] = b'.';
    n = put_octet(a, n + 1, o[1]);
    a[n] = b'.';
    n = put_octet(a, n + 1, o[2]);
    a[n] = b'.';
    put_octet(a, n + 1, o[3])
}

pub fn write_ipv4(out: &mut Vec<u8>, addr: Ipv4Addr) {
    write_in_place::<16>(out, |a| put_ipv4(a, 0, addr.octets()));
}

/// Writes `v` in lower-case hex without leading zeros at `a[at..]`; returns the new end.
#[inline(always)]
fn put_hex16(a: &mut [u8], at: usize, v: u16) -> usize {
    let n = (16 - v.leading_zeros() as usize).div_ceil(4).max(1);
    for k in 0..n {
        a[at + k] = HEX[((v >> (4 * (n - 1 - k))) & 15) as usize];
    }
    at + n
}

/// RFC 5952 text, exactly what `Ipv6Addr`'s Display produces: the longest run of two or more
/// zero groups (the first of equal runs) becomes `::`, and IPv4-mapped addresses are written
/// `::ffff:a.b.c.d`. Writes up to 48 octets (the last ones scratch).
pub fn put_ipv6(a: &mut [u8], at: usize, addr: Ipv6Addr) -> usize {
    if let Some(v4) = addr.to_ipv4_mapped() {
        a[at..at + 7].copy_from_slice(b"::ffff:");
        return put_ipv4(a, at + 7, v4.octets());
    }
    let g = addr.segments();
    let Some(w) = a.get_mut(at..).and_then(|t| t.first_chunk_mut::<48>()) else {
        return put_ipv6_exact(a, at, &g);
    };
    let (best, best_len) = longest_zero_run(&g);
    // Every group is followed by a colon; the last one is dropped at the end.
    let mut n = 0;
    for &x in &g[..best] {
        n = put_hex_group(w, n, x);
        w[n] = b':';
        n += 1;
    }
    if best == 8 {
        return at + n - 1;
    }
    // `::`: the groups before it left one colon already.
    if best == 0 {
        w[n] = b':';
        n += 1;
    }
    w[n] = b':';
    n += 1;
    if best + best_len == 8 {
        return at + n;
    }
    for &x in &g[best + best_len..] {
        n = put_hex_group(w, n, x);
        w[n] = b':';
        n += 1;
    }
    at + n - 1
}

/// Where the `::` of RFC 5952 goes: the start and length of the first longest run of two or
/// more zero groups, or `(8, 0)` when there is none.
#[inline]
fn longest_zero_run(g: &[u16; 8]) -> (usize, usize) {
    let mut zeros = 0u32;
    for (i, &x) in g.iter().enumerate() {
        zeros |= ((x == 0) as u32) << i;
    }
    let (mut best, mut best_len) = (8, 1);
    while zeros != 0 {
        let start = zeros.trailing_zeros();
        let len = (!(zeros >> start)).trailing_zeros();
        if len > best_len {
            (best, best_len) = (start, len);
        }
        zeros &= !(((1u32 << len) - 1) << start);
    }
    if best == 8 {
        (8, 0)
    } else {
        (best as usize, best_len as usize)
    }
}

/// One group in lower-case hex without leading zeros: the four nibbles are spread over the
/// bytes of a word and turned into digits all at once. Writes 4 octets.
#[inline(always)]
fn put_hex_group(w: &mut [u8; 48], n: usize, v: u16) -> usize {
    let x = v as u32;
    let nibbles = (x >> 12) | ((x >> 8 & 15) << 8) | ((x >> 4 & 15) << 16) | ((x & 15) << 24);
    // 0x01 in every byte holding a nibble above 9, which skips to 'a'.
    let letters = ((nibbles + 0x0606_0606) >> 4) & 0x0101_0101;
    let text = nibbles + 0x3030_3030 + letters * (b'a' - b'0' - 10) as u32;
    let digits = (16 - v.leading_zeros() as usize).div_ceil(4).max(1);
    if let Some(o) = w.get_mut(n..).and_then(|t| t.first_chunk_mut::<4>()) {
        *o = (text >> (8 * (4 - digits))).to_le_bytes();
    }
    n + digits
}

/// [`put_ipv6`] for a slice with no room for the 48-octet window.
fn put_ipv6_exact(a: &mut [u8], at: usize, g: &[u16; 8]) -> usize {
    let (mut best, mut best_len, mut cur, mut cur_len) = (0, 0, 0, 0);
    for (i, &x) in g.iter().enumerate() {
        if x == 0 {
            if cur_len == 0 {
                cur = i;
            }
            cur_len += 1;
            if cur_len > best_len {
                best = cur;
                best_len = cur_len;
            }
        } else {
            cur_len = 0;
        }
    }
    let mut n = at;
    let mut i = 0;
    while i < 8 {
        if best_len > 1 && i == best {
            a[n] = b':';
            a[n + 1] = b':';
            n += 2;
            i += best_len;
            continue;
        }
        if n > at && a[n - 1] != b':' {
            a[n] = b':';
            n += 1;
        }
        n = put_hex16(a, n, g[i]);
        i += 1;
    }
    n
}

pub fn write_ipv6(out: &mut Vec<u8>, addr: Ipv6Addr) {
    write_in_place::<48>(out, |a| put_ipv6(a, 0, addr));
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
        Value::Unsigned(x) => write_u64(out, x),
        Value::Signed(x) => write_i64(out, x),
        Value::Unsigned256(b) => write_u256(out, b),
        Value::Float32(x) => write_float(out, x as f64, Some(x)),
        Value::Float64(x) => write_float(out, x, None),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Mac(m) => write_mac(out, &m),
        Value::Ipv4(a) => write_ipv4(out, a),
        Value::Ipv6(a) => write_ipv6(out, a),
        Value::String(s) => out.extend_from_slice(s),
        Value::Octets(b) | Value::Invalid(b) => write_hex(out, b),
        Value::Seconds(_) | Value::Millis(_) | Value::Micros(_) | Value::Nanos(_) => {
            write_in_place::<MAX_SCALAR_TEXT>(out, |a| put_time(a, 0, v, time).unwrap_or(0))
        }
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
    use crate::ipfix::value::*;

    fn text(v: Value<'_>) -> String {
        let mut o = Vec::new();
        assert!(write_scalar(&mut o, &v, TimeStyle::Rfc3339));
        String::from_utf8(o).unwrap()
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
        // The fraction is truncated: all ones is just below the next second.
        assert_eq!(
            text(Value::Nanos(ntp | 0xFFFF_FFFF)),
            "2023-11-14T22:13:20.999999999Z"
        );
        for ns in [0u32, 1, 999_999_999, 999_999_000, 123_456_789, 500_000_000] {
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

    /// The fast writers against plain `format!` references, on edges and random values.
    mod fast_writers {
        use super::*;
        use proptest::prelude::*;

        fn out(f: impl FnOnce(&mut Vec<u8>)) -> String {
            // Start non-empty: the writers append.
            let mut o = b"x".to_vec();
            f(&mut o);
            String::from_utf8(o).unwrap()
        }

        fn rfc3339_reference(i: Instant) -> String {
            let (y, m, d) = civil_from_days(i.secs.div_euclid(86_400));
            let sod = i.secs.rem_euclid(86_400);
            let year = if (0..=9999).contains(&y) {
                format!("{y:04}")
            } else if y < 0 {
                format!("-{:04}", -y)
            } else {
                format!("+{y}")
            };
            let mut s = format!(
                "x{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            );
            if i.digits > 0 {
                let nanos = format!("{:09}", i.nanos);
                s.push('.');
                s.push_str(&nanos[..i.digits as usize]);
            }
            s.push('Z');
            s
        }

        #[test]
        fn nanoseconds_of_milliseconds() {
            for ms in [
                0,
                1,
                9,
                99_999_999,
                100_000_000,
                1_700_000_000_000,
                MAX_NS_MILLIS,
            ] {
                let mut a = [b'#'; 40];
                let end = put_ns_of_millis(&mut a, 2, ms);
                let want = (ms as u128 * 1_000_000).to_string();
                assert_eq!(std::str::from_utf8(&a[2..end]).unwrap(), want, "{ms}");
            }
        }

        fn check_u64(v: u64) {
            assert_eq!(out(|o| write_u64(o, v)), format!("x{v}"));
            // In a buffer with room for the 8-digit groups of long values.
            let mut a = [b'#'; 64];
            let end = put_u64(&mut a, 3, v);
            assert_eq!(std::str::from_utf8(&a[3..end]).unwrap(), v.to_string());
            assert_eq!(a[..3], *b"###");
        }

        fn check_i64(v: i64) {
            assert_eq!(out(|o| write_i64(o, v)), format!("x{v}"));
        }

        fn check_time(secs: i64, nanos: u32, digits: u8) {
            let i = Instant {
                secs,
                nanos,
                digits,
            };
            assert_eq!(out(|o| write_rfc3339(o, i)), rfc3339_reference(i));
        }

        #[test]
        fn eight_digits_and_counts() {
            // Every lane boundary: all values below 10^5, then a stride over the rest.
            let check = |v: u32| {
                assert_eq!(
                    digits8_lut(v).to_le_bytes(),
                    *format!("{v:08}").as_bytes(),
                    "{v}"
                );
            };
            (0..100_000).for_each(check);
            let count = |v: u32| assert_eq!(digit_count(v), v.to_string().len(), "{v}");
            (0..100_000).for_each(count);
            (100_000..100_000_000).step_by(9_973).for_each(count);
            for k in 0..10 {
                let p = 10u32.pow(k);
                [p - 1, p, p + 1, p.saturating_mul(2)]
                    .into_iter()
                    .for_each(|v| {
                        assert_eq!(digit_count(v), v.to_string().len(), "{v}");
                    });
            }
            assert_eq!(digit_count(u32::MAX), 10);
            (100_000..100_000_000).step_by(9_973).for_each(check);
            check(99_999_999);
        }

        #[test]
        fn edges() {
            for k in 0..20 {
                let p = 10u64.pow(k);
                for v in [p - 1, p, p + 1] {
                    check_u64(v);
                }
            }
            check_u64(u64::MAX);
            for v in [0, 1, -1, 9, -10, i64::MIN, i64::MAX] {
                check_i64(v);
            }
            for secs in [
                -NTP_UNIX_OFFSET,
                -1,
                0,
                86_399,
                253_402_300_799,
                253_402_300_800,
            ] {
                for (nanos, digits) in [(0, 0), (5_000_000, 3), (999_999_000, 6), (7, 9)] {
                    check_time(secs, nanos, digits);
                }
            }
            check_time(-62_167_219_201, 0, 0); // year -1
            // Runs within a day and across midnight, as the date cache sees them.
            for k in 0..400i64 {
                check_time(
                    1_699_920_000 + k * 433,
                    (k as u32 * 7_654_321) % 1_000_000_000,
                    3,
                );
                check_time(-1 - k * 433, 0, [0, 3, 6, 9][k as usize % 4]);
            }
            for a in ["0.0.0.0", "255.255.255.255", "10.0.100.9", "1.22.3.44"] {
                let ip: Ipv4Addr = a.parse().unwrap();
                assert_eq!(out(|o| write_ipv4(o, ip)), format!("x{a}"));
            }
            for a in [
                "::",
                "::1",
                "1::",
                "2001:db8::1",
                "2001:db8:0:1:1:1:1:1",
                "2001:0:0:1::1",
                "1:0:0:2:0:0:0:3",
                "::ffff:192.0.2.1",
                "::192.0.2.1",
                "fe80::1:0:0:0",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ] {
                let ip: Ipv6Addr = a.parse().unwrap();
                assert_eq!(out(|o| write_ipv6(o, ip)), format!("x{ip}"));
                let mut exact = vec![0u8; ip.to_string().len()];
                assert_eq!(put_ipv6(&mut exact, 0, ip), exact.len());
                assert_eq!(exact, ip.to_string().as_bytes());
            }
            assert_eq!(
                out(|o| write_mac(o, &[0, 0x1b, 0xff, 0xa0, 9, 0x10])),
                "x00:1b:ff:a0:09:10"
            );
        }

        #[test]
        fn octets() {
            for x in 0..=255u8 {
                let mut a = [b'#'; 8];
                let end = put_u8(&mut a, 2, x);
                assert_eq!(&a[2..end], x.to_string().as_bytes());
            }
            // Too short for the 4-octet window: the exact-size path.
            let mut a = [0u8; 3];
            assert_eq!(put_u8(&mut a, 0, 255), 3);
            assert_eq!(&a, b"255");
        }

        /// The minute cache gives what `put_millis` gives, over runs that stay in a minute,
        /// cross minutes and days, go back, and leave the four-digit years.
        fn check_millis_run(start: u64, steps: &[i64]) {
            let mut cache = MillisText::default();
            let mut ms = start;
            for &d in steps {
                ms = ms.wrapping_add_signed(d);
                let mut a = [b'#'; 64];
                let end = cache.put(&mut a, 5, ms);
                let mut b = [b'#'; 64];
                let want = put_millis(&mut b, 5, ms, TimeStyle::Rfc3339);
                assert_eq!(&a[5..end], &b[5..want], "{ms}");
            }
        }

        #[test]
        fn millis_cache_edges() {
            let steps: Vec<i64> = (0..500).map(|k| (k * 7_919) % 130_000 - 60_000).collect();
            check_millis_run(1_700_000_000_000, &steps);
            check_millis_run(0, &[0, 1, 59_999, 1, -1, 86_400_000]);
            // Year 9999 to 10000 and back: the longer years must not be cached.
            check_millis_run(253_402_300_799_000, &[0, 999, 1, 1, -2, 60_000, -60_000]);
            check_millis_run(u64::MAX - 5, &[0, 1, 1, 1]);
            // A buffer too short for the 24-octet window.
            let mut cache = MillisText::default();
            let mut a = [0u8; 24];
            assert_eq!(cache.put(&mut a, 0, 1_700_000_000_170), 24);
            assert_eq!(&a, b"2023-11-14T22:13:20.170Z");
            let mut a = [0u8; 30];
            assert_eq!(cache.put(&mut a, 6, 1_700_000_001_002), 30);
            assert_eq!(&a[6..], b"2023-11-14T22:13:21.002Z");
        }

        proptest! {
            #[test]
            fn integers(v: u64, w: i64, bits in 0u32..64) {
                check_u64(v);
                check_u64(v >> bits);
                check_i64(w);
                check_i64(w >> bits);
            }

            #[test]
            fn times(secs in -70_000_000_000i64..300_000_000_000, nanos in 0u32..1_000_000_000,
                     digits in prop::sample::select(vec![0u8, 3, 6, 9])) {
                check_time(secs, nanos, digits);
            }

            #[test]
            fn time_values(raw: u64, kind in 0usize..4) {
                let v = match kind {
                    0 => Value::Seconds(raw as u32),
                    1 => Value::Millis(raw),
                    2 => Value::Micros(raw),
                    _ => Value::Nanos(raw),
                };
                let epoch = out(|o| {
                    write_scalar(o, &v, TimeStyle::Epoch);
                });
                prop_assert_eq!(epoch, format!("x{}", v.epoch().unwrap()));
                let iso = out(|o| {
                    write_scalar(o, &v, TimeStyle::Rfc3339);
                });
                prop_assert_eq!(iso, rfc3339_reference(v.instant().unwrap()));
                // At an offset inside a larger buffer, as printers use it.
                let mut a = [b'#'; 100];
                let end = put_time(&mut a, 7, &v, TimeStyle::Epoch).unwrap();
                let want = v.epoch().unwrap().to_string();
                prop_assert_eq!(&a[7..end], want.as_bytes());
                for style in [TimeStyle::Rfc3339, TimeStyle::Epoch] {
                    let mut a = [b'#'; 100];
                    let end = put_millis(&mut a, 3, raw, style);
                    let want = out(|o| {
                        write_scalar(o, &Value::Millis(raw), style);
                    });
                    prop_assert_eq!(&a[3..end], &want.as_bytes()[1..]);
                    }
            }

            #[test]
            fn millis_cache(start in 0u64..400_000_000_000_000, steps in prop::collection::vec(-200_000i64..200_000, 1..50)) {
                check_millis_run(start, &steps);
            }

            #[test]
            fn addresses(v4: [u8; 4], v6: [u16; 8], zeros: u8) {
                let ip = Ipv4Addr::from(v4);
                prop_assert_eq!(out(|o| write_ipv4(o, ip)), format!("x{ip}"));
                let mut exact = vec![0u8; ip.to_string().len()];
                prop_assert_eq!(put_ipv4(&mut exact, 0, v4), exact.len());
                prop_assert_eq!(exact, ip.to_string().into_bytes());
                // Zero groups are what the compression is about: clear some.
                let mut g = v6;
                for (k, x) in g.iter_mut().enumerate() {
                    if zeros & (1 << k) != 0 {
                        *x = 0;
                    }
                }
                let ip = Ipv6Addr::from(g);
                prop_assert_eq!(out(|o| write_ipv6(o, ip)), format!("x{ip}"));
                // Both paths: the 48-octet window, and a slice of exactly the text's length.
                let want = ip.to_string();
                let mut a = vec![b'#'; want.len() + 2];
                let end = put_ipv6(&mut a, 2, ip);
                prop_assert_eq!(&a[2..end], want.as_bytes());
            }
        }
    }
}
