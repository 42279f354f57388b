//! Runtime values and static types shared by the checker and the evaluator.

use crate::name::Name;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, TimeZone};
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

/// The static type of a fact or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Text (and one-of enumerations).
    Text,
    /// An exact decimal number.
    Number,
    /// Money in the policy's currency.
    Money,
    /// True or false.
    Bool,
    /// A calendar date.
    Date,
    /// A date and time with an offset.
    Time,
    /// A length of time.
    Duration,
    /// A list of values of one type.
    List(Box<Ty>),
    /// Unknown until run time (a script's result, the element of an empty list).
    Any,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Text => f.write_str("text"),
            Ty::Number => f.write_str("a number"),
            Ty::Money => f.write_str("money"),
            Ty::Bool => f.write_str("true or false"),
            Ty::Date => f.write_str("a date"),
            Ty::Time => f.write_str("a time"),
            Ty::Duration => f.write_str("a duration"),
            Ty::List(elem) => write!(f, "a list of {}", elem.plural()),
            Ty::Any => f.write_str("any value"),
        }
    }
}

impl Ty {
    fn plural(&self) -> String {
        match self {
            Ty::Text => "text".into(),
            Ty::Number => "numbers".into(),
            Ty::Money => "money".into(),
            Ty::Bool => "true/false values".into(),
            Ty::Date => "dates".into(),
            Ty::Time => "times".into(),
            Ty::Duration => "durations".into(),
            Ty::List(_) => "lists".into(),
            Ty::Any => "values".into(),
        }
    }

    /// Whether a value of type `other` may stand where `self` is expected.
    pub fn accepts(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (Ty::List(a), Ty::List(b)) => a.accepts(b),
            (a, b) => a == b,
        }
    }

    /// Whether values of this type can be ordered with `<`.
    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::Number | Ty::Money | Ty::Date | Ty::Time | Ty::Duration | Ty::Text | Ty::Any)
    }
}

/// A value during evaluation. Money is in the policy's currency, already rounded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(Arc<str>),
    /// An exact number.
    Number(Decimal),
    /// Money in the policy's currency.
    Money(Decimal),
    /// True or false.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// A date and time with an offset.
    Time(DateTime<FixedOffset>),
    /// A length of time in whole seconds.
    Duration(i64),
    /// A list.
    List(Arc<[Value]>),
}

impl Value {
    /// The value's type (`Any` for the element of an empty list).
    pub fn ty(&self) -> Ty {
        match self {
            Value::Text(_) => Ty::Text,
            Value::Number(_) => Ty::Number,
            Value::Money(_) => Ty::Money,
            Value::Bool(_) => Ty::Bool,
            Value::Date(_) => Ty::Date,
            Value::Time(_) => Ty::Time,
            Value::Duration(_) => Ty::Duration,
            Value::List(items) => Ty::List(Box::new(items.first().map_or(Ty::Any, Value::ty))),
        }
    }

    /// The value as JSON, as the decision and the trace show it.
    pub fn to_json(&self) -> serde_json::Value {
        let decimal = |n: &Decimal| {
            let mut text = String::with_capacity(24);
            write_decimal(&mut text, n);
            serde_json::Value::String(text)
        };
        match self {
            Value::Text(s) => serde_json::Value::String(s.to_string()),
            Value::Number(n) => decimal(&n.normalize()),
            Value::Money(n) => decimal(n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::Time(t) => serde_json::Value::String(format_time(t).into()),
            Value::Duration(secs) => serde_json::Value::String(format_duration(*secs)),
            Value::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
        }
    }
}

/// The element of `sorted` (ordered by `text_of`) whose text is `text`. Few elements are
/// scanned with [`same_text`], which for the short keys and values of a policy is cheaper
/// than a binary search calling `memcmp` at every step.
#[inline]
pub(crate) fn find_sorted<'s, T>(sorted: &'s [T], text: &str, text_of: impl Fn(&T) -> &str) -> Option<&'s T> {
    sorted.get(position_sorted(sorted, text, text_of)?)
}

/// The index in `sorted` of the element whose text is `text`, found as [`find_sorted`]
/// finds it.
#[inline]
pub(crate) fn position_sorted<T>(sorted: &[T], text: &str, text_of: impl Fn(&T) -> &str) -> Option<usize> {
    /// Up to this many elements, scanning wins.
    const SCAN: usize = 8;
    if sorted.len() <= SCAN {
        return sorted.iter().position(|element| same_text(text_of(element), text));
    }
    sorted.binary_search_by(|element| text_of(element).cmp(text)).ok()
}

/// Whether two texts are equal. Lengths are compared first; texts of 4 to 16 bytes are then
/// compared as two overlapping words, inline, instead of by a call to `memcmp`.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let len = a.len();
    if len != b.len() {
        return false;
    }
    // The word of `N` bytes at `at` (zero where the bytes are missing, which cannot happen
    // for the lengths below).
    fn word<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
        bytes.get(at..at.saturating_add(N)).and_then(|w| w.try_into().ok()).unwrap_or([0; N])
    }
    match len {
        4..=7 => {
            let last = len.saturating_sub(4);
            u32::from_ne_bytes(word(a, 0)) == u32::from_ne_bytes(word(b, 0))
                && u32::from_ne_bytes(word(a, last)) == u32::from_ne_bytes(word(b, last))
        }
        8..=16 => {
            let last = len.saturating_sub(8);
            u64::from_ne_bytes(word(a, 0)) == u64::from_ne_bytes(word(b, 0))
                && u64::from_ne_bytes(word(a, last)) == u64::from_ne_bytes(word(b, last))
        }
        _ => a == b,
    }
}

/// Whether `text`, which [`parse_time`] read, is already the text [`format_time`] writes
/// for that time: whole seconds, with `Z` for UTC or a non-zero offset.
pub(crate) fn is_canonical_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.len() {
        20 => bytes.get(19) == Some(&b'Z'),
        25 => matches!(bytes.get(19), Some(b'+' | b'-')) && !matches!(bytes.get(20..), Some(b"00:00")),
        _ => false,
    }
}

/// Appends `decimal` as its `Display` writes it. Decimals whose mantissa fits 64 bits (all
/// money and nearly every number in practice) are written from the mantissa, with `itoa`:
/// whole part, point, fraction zero-padded to the scale; others through `Display`.
pub(crate) fn write_decimal(out: &mut String, decimal: &Decimal) {
    let scale = decimal.scale();
    // Zero keeps `Display` (its sign is kept apart from the mantissa).
    let mantissa = i64::try_from(decimal.mantissa()).ok().filter(|m| *m != 0);
    let power = usize::try_from(scale).ok().and_then(|scale| crate::money::POWERS_OF_TEN.get(scale));
    let (Some(mantissa), Some(&power)) = (mantissa, power) else {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(out, "{decimal}");
        return;
    };
    let magnitude = mantissa.unsigned_abs();
    let mut digits = itoa::Buffer::new();
    if mantissa < 0 {
        out.push('-');
    }
    out.push_str(digits.format(magnitude / power));
    if scale > 0 {
        // The `scale` digits of the fraction, zero-padded: found from the right, pushed
        // from the left.
        let mut fraction = [0_u8; 20];
        let digits = fraction.get_mut(..usize::try_from(scale).unwrap_or(0)).unwrap_or_default();
        let mut rest = magnitude % power;
        for digit in digits.iter_mut().rev() {
            *digit = (rest % 10) as u8;
            rest /= 10;
        }
        out.push('.');
        digits.iter().for_each(|digit| out.push(char::from(b'0' + digit)));
    }
}

/// A time as RFC 3339, as decisions write it: `2026-11-22T10:00:00Z`, `+02:00` for other
/// offsets, and fractions of a second only when there are any. The same text as chrono's
/// `to_rfc3339_opts(SecondsFormat::AutoSi, true)`, written directly in the common case
/// (whole seconds, years 0 to 9999, offsets of whole minutes).
pub fn format_time(time: &DateTime<FixedOffset>) -> Name {
    use chrono::{Datelike, Timelike};
    let offset = time.offset().local_minus_utc();
    let local = time.naive_local();
    let (date, clock) = (local.date(), local.time());
    let year = date.year();
    if clock.nanosecond() != 0 || !(0..=9999).contains(&year) || offset % 60 != 0 {
        return Name::from(time.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
    let mut text = TimeText::default();
    let year = year.unsigned_abs();
    text.push2(year / 100);
    text.push2(year % 100);
    let fields = [
        (b'-', date.month()),
        (b'-', date.day()),
        (b'T', clock.hour()),
        (b':', clock.minute()),
        (b':', clock.second()),
    ];
    for (separator, n) in fields {
        text.push(separator);
        text.push2(n);
    }
    if offset == 0 {
        text.push(b'Z');
    } else {
        text.push(if offset < 0 { b'-' } else { b'+' });
        let minutes = offset.unsigned_abs() / 60;
        text.push2(minutes / 60);
        text.push(b':');
        text.push2(minutes % 60);
    }
    match text.bytes.get(..text.len).map(std::str::from_utf8) {
        Some(Ok(text)) => Name::from(text),
        _ => Name::from(time.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// The text of a time being written: `2026-11-22T10:00:00+02:00` is the longest
/// [`format_time`] writes itself, and a `Z` time (20 bytes) fits a `Name` without allocating.
#[derive(Default)]
struct TimeText {
    bytes: [u8; 25],
    len: usize,
}

impl TimeText {
    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Two digits.
    fn push2(&mut self, n: u32) {
        self.push(b'0' + (n / 10 % 10) as u8);
        self.push(b'0' + (n % 10) as u8);
    }
}

/// Reads a date written exactly `YYYY-MM-DD`: a four-digit year, a two-digit month and a
/// two-digit day, a day of the calendar. `None` for anything else, such as `2026-5-1`,
/// `+12345-01-01` or `2026-02-30` (which chrono's `%Y-%m-%d` partly reads).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |from: usize, count: usize| -> Option<u32> {
        let part = bytes.get(from..from.checked_add(count)?)?;
        part.iter().try_fold(0_u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(digits(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5, 2)?, digits(8, 2)?)
}

/// Reads a time written as RFC 3339 in its usual form, `2026-11-22T10:00:00Z`, with an
/// optional fraction of up to nine digits and a `Z` or `±HH:MM` offset, directly; `None`
/// for anything else, which the caller then gives to chrono. Where it reads a time, it reads
/// the one chrono's `DateTime<FixedOffset>::from_str` reads (a proptest checks this), in a
/// tenth of the time.
pub fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let bytes = text.as_bytes();
    let digits = |from: usize, count: usize| -> Option<u32> {
        let part = bytes.get(from..from.checked_add(count)?)?;
        part.iter().try_fold(0_u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    let at = |index: usize| bytes.get(index).copied();
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(index, byte)| at(index) != Some(byte)) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let mut next = 19;
    let mut nanos = 0;
    if at(next) == Some(b'.') {
        let count = bytes.get(20..)?.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&count) {
            return None;
        }
        nanos = digits(20, count)? * 10_u32.pow(9 - count as u32);
        next = 20 + count;
    }
    let offset = match (at(next)?, bytes.len() - next) {
        (b'Z', 1) => 0,
        (sign @ (b'+' | b'-'), 6) if at(next + 3) == Some(b':') => {
            let (hours, minutes) = (digits(next + 1, 2)?, digits(next + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3_600 + minutes * 60).ok()?;
            if sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let local = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?;
    FixedOffset::east_opt(offset)?.from_local_datetime(&local).single()
}

/// A duration in the largest whole unit that divides it: `3 days`, `90 minutes`; seconds
/// for zero.
pub fn format_duration(seconds: i64) -> String {
    for (name, _, size) in DURATION_UNITS {
        // Seconds (size 1) divide every duration: the loop always returns.
        if seconds % size == 0 && (seconds != 0 || size == 1) {
            let n = seconds / size;
            // `unsigned_abs`: the magnitude of `i64::MIN` seconds does not fit an `i64`.
            return if n.unsigned_abs() == 1 { format!("{n} {name}") } else { format!("{n} {name}s") };
        }
    }
    format!("{seconds} seconds")
}

/// The units a duration fact is written in, from the largest down, in seconds.
const DURATION_UNITS: [(&str, char, i64); 5] =
    [("week", 'W', 604_800), ("day", 'D', 86_400), ("hour", 'H', 3_600), ("minute", 'M', 60), ("second", 'S', 1)];

/// A duration fact's text in seconds; `None` unless it is exactly one of the documented
/// forms (or if it overflows 64 bits):
///
/// - words: `N UNIT` pairs joined by single spaces, such as `"2 hours 30 minutes"`, where
///   `N` is unsigned ASCII digits and `UNIT` is `week`, `day`, `hour`, `minute` or `second`
///   (each singular or plural), each unit at most once, from the largest down;
/// - ISO 8601: `P[nW][nD][T[nH][nM][nS]]`, such as `"P1DT2H"`, with at least one part, and
///   at least one after a `T`.
pub fn parse_duration(text: &str) -> Option<i64> {
    if let Some(iso) = text.strip_prefix('P') {
        return parse_iso_duration(iso);
    }
    let mut words = text.split(' ');
    let mut total: i64 = 0;
    // The index of the last unit read: the next must be a smaller one.
    let mut last: Option<usize> = None;
    while let Some(amount) = words.next() {
        let (unit, amount) = (words.next()?, whole_digits(amount)?);
        let named = |(name, _, _): &(&str, char, i64)| unit == *name || unit.strip_suffix('s') == Some(*name);
        let index = DURATION_UNITS.iter().position(named)?;
        if last.is_some_and(|last| index <= last) {
            return None;
        }
        last = Some(index);
        let (_, _, size) = DURATION_UNITS.get(index)?;
        total = total.checked_add(amount.checked_mul(*size)?)?;
    }
    last.map(|_| total)
}

/// The ISO 8601 duration `text` (after its `P`) in seconds, as [`parse_duration`] reads it.
fn parse_iso_duration(text: &str) -> Option<i64> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    if time == Some("") {
        return None;
    }
    let (date_units, time_units) = DURATION_UNITS.split_at(2);
    let mut total: i64 = 0;
    let mut parts = 0_usize;
    for (mut rest, units) in [(date, date_units), (time.unwrap_or(""), time_units)] {
        for (_, designator, size) in units {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let (number, after) = rest.split_at(digits);
            if let Some(after) = after.strip_prefix(*designator) {
                total = total.checked_add(whole_digits(number)?.checked_mul(*size)?)?;
                parts = parts.saturating_add(1);
                rest = after;
            }
        }
        if !rest.is_empty() {
            return None;
        }
    }
    (parts > 0).then_some(total)
}

/// Unsigned ASCII digits (at least one) as a number; `None` for anything else or overflow.
fn whole_digits(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    proptest::proptest! {
        /// Decimals are written as `Display` writes them, whatever their mantissa and scale.
        #[test]
        fn decimals_are_written_as_display_writes_them(mantissa in proptest::prelude::any::<i128>(), scale in 0_u32..29, shift in 0_u32..100) {
            let mantissa = mantissa >> (shift % 100).min(127);
            if let Ok(decimal) = Decimal::try_from_i128_with_scale(mantissa, scale) {
                for decimal in [decimal, Decimal::ZERO.saturating_sub(decimal), decimal.normalize()] {
                    let mut written = String::new();
                    write_decimal(&mut written, &decimal);
                    proptest::prop_assert_eq!(written, decimal.to_string());
                }
            }
        }

        /// Texts compare as `==` compares them, whether they differ at the start, in the
        /// middle, at the end or in length.
        #[test]
        fn texts_compare_as_equality_does(text in "[ab]{0,20}", flip in 0_usize..20, grow in proptest::prelude::any::<bool>()) {
            let mut other = text.clone().into_bytes();
            if let Some(byte) = other.get_mut(flip) {
                *byte = if *byte == b'a' { b'b' } else { b'a' };
            }
            if grow {
                other.push(b'a');
            }
            let other = String::from_utf8(other).unwrap_or_default();
            proptest::prop_assert!(same_text(&text, &text));
            proptest::prop_assert_eq!(same_text(&text, &other), text == other);
            proptest::prop_assert_eq!(same_text(&other, &text), text == other);
        }

        #[test]
        fn times_are_written_as_chrono_writes_them(
            seconds in -70_000_000_000_i64..300_000_000_000,
            offset_minutes in -1_439_i32..1_440,
            odd_seconds in 0_i32..60,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0_u32), 0_u32..1_000_000_000],
        ) {
            for offset in [offset_minutes * 60, offset_minutes * 60 + odd_seconds, 0] {
                let Some(zone) = FixedOffset::east_opt(offset) else { continue };
                let Some(time) = zone.timestamp_opt(seconds, 0).single().and_then(|t| t.with_nanosecond(nanos)) else { continue };
                proptest::prop_assert_eq!(format_time(&time), time.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            }
        }

        #[test]
        fn times_are_read_as_chrono_reads_them(
            seconds in -70_000_000_000_i64..300_000_000_000,
            offset_minutes in -1_439_i32..1_440,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0_u32), 0_u32..1_000_000_000],
            digits in 0_usize..12,
            noise in proptest::collection::vec((0_usize..40, proptest::sample::select(&b"0123456789-+:.TtZz x"[..])), 0..3),
            utc_as_offset in proptest::prelude::any::<bool>(),
        ) {
            let Some(time) = FixedOffset::east_opt(offset_minutes * 60)
                .and_then(|zone| zone.timestamp_opt(seconds, 0).single())
                .and_then(|t| t.with_nanosecond(nanos))
            else {
                return Ok(());
            };
            // Written with 0 to 11 fraction digits, then sometimes garbled.
            let fraction = format!(".{:09}00", nanos);
            let mut text = time.format("%Y-%m-%dT%H:%M:%S").to_string();
            if digits > 0 {
                text.push_str(fraction.get(..=digits).unwrap_or(""));
            }
            let zone = time.format("%:z").to_string();
            text.push_str(if utc_as_offset { &zone } else if zone == "+00:00" { "Z" } else { &zone });
            use chrono::Datelike;
            let usual = noise.is_empty() && digits <= 9 && (0..=9999).contains(&time.year());
            let mut bytes = text.into_bytes();
            for (index, byte) in noise {
                if let Some(slot) = bytes.get_mut(index) {
                    *slot = byte;
                }
            }
            let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
            proptest::prop_assert!(!usual || parse_time(&text).is_some(), "{}", text);
            if let Some(read) = parse_time(&text) {
                let chrono: Option<DateTime<FixedOffset>> = text.parse().ok();
                proptest::prop_assert_eq!(Some(read), chrono, "{}", text);
                // Times compare as instants: compare the offsets too.
                proptest::prop_assert_eq!(Some(*read.offset()), chrono.map(|t| *t.offset()), "{}", text);
                // A time recognised as already in the decision's form is in it; and every
                // time in it with whole seconds is recognised.
                let canonical = format_time(&read) == text;
                proptest::prop_assert!(!is_canonical_time(&text) || canonical, "{}", text);
                proptest::prop_assert!(!canonical || read.nanosecond() != 0 || is_canonical_time(&text), "{}", text);
            }
        }
    }

    #[test]
    fn every_duration_is_written() {
        assert_eq!(format_duration(i64::MIN), "-9223372036854775808 seconds");
        assert_eq!(format_duration(-60), "-1 minute");
        assert_eq!(format_duration(i64::MAX), "9223372036854775807 seconds");
    }

    #[test]
    fn durations_read_in_words_and_iso() {
        for (text, seconds) in [
            ("3 days", 259_200),
            ("1 day", 86_400),
            ("2 hours 30 minutes", 9_000),
            ("1 week 2 days 3 hours 4 minutes 5 seconds", 788_645),
            ("0 minutes", 0),
            ("PT90M", 5_400),
            ("P1DT2H", 93_600),
            ("P2W", 1_209_600),
            ("PT0S", 0),
            ("P1W1DT1H1M1S", 694_861),
        ] {
            assert_eq!(parse_duration(text), Some(seconds), "{text}");
        }
        for text in [
            "three days",
            "P1Y",
            "PT5",
            "P",
            "PT",
            "P1DT",
            "-1 hours",
            "+1 hours",
            "1 hour 1 hour",
            "1 minute 1 hour",
            "1.5 hours",
            "1  hour",
            " 1 hour",
            "1 hour ",
            "1 hourss",
            "1_000 seconds",
            "",
            "PT1H2H",
            "P1H",
            "PT1D",
            "P-1D",
            "PT10000000000000000000S",
            "9223372036854775807 weeks",
            "p1d",
            "P1D2W",
        ] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }

    #[test]
    fn usual_times_are_read_directly() {
        for text in ["2026-11-22T10:00:00Z", "2026-11-22T10:00:00.25+02:00", "1999-12-31T23:59:59.123456789-11:30"] {
            assert!(parse_time(text).is_some(), "{text}");
            let chrono: Option<DateTime<FixedOffset>> = text.parse().ok();
            assert_eq!(parse_time(text), chrono, "{text}");
            assert_eq!(parse_time(text).map(|t| *t.offset()), chrono.map(|t| *t.offset()), "{text}");
        }
        for text in [
            "2026-11-22 10:00:00Z",
            "2026-11-22T10:00:60Z",
            "2026-02-30T10:00:00Z",
            "2026-11-22T10:00:00",
            "2026-11-22T10:00:00+2:00",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }
}
