//! Byte-level scanning of texts, comments and script bodies, shared by the passes that read
//! policy source around pest: the depth pre-scan, the syntax-error explainer, the
//! formatter's comment finder and the hand-written parser; and the value of a text literal,
//! shared by both parsers. Every token they look for is ASCII, so byte offsets are
//! always character boundaries.

use crate::name::Name;
use rust_decimal::Decimal;

/// The most significant digits a number literal may have: what a `Decimal` holds exactly.
pub const MAX_SIGNIFICANT_DIGITS: usize = 28;

/// The exact value of a decimal literal (`digits ("." digits)?`), shared by both parsers;
/// `None` if it has more than [`MAX_SIGNIFICANT_DIGITS`] significant digits (counted from
/// the first non-zero digit, trailing zeros included) or more than that many decimals.
/// `Decimal` itself accepts 29 digits below 2^96 and rounds away extra decimals, which
/// would load a number other than the one written.
pub fn decimal_literal(text: &str) -> Option<Decimal> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = whole.len().saturating_add(fraction.len());
    let leading_zeros = whole.bytes().chain(fraction.bytes()).take_while(|&b| b == b'0').count();
    if digits.saturating_sub(leading_zeros) > MAX_SIGNIFICANT_DIGITS || fraction.len() > MAX_SIGNIFICANT_DIGITS {
        return None;
    }
    text.parse::<Decimal>().ok()
}

/// Whether `word` is reserved: the grammar's `keyword` rule, the one list both parsers and
/// the diagnostics use (a test checks it against the grammar). `today` is not one: the
/// rule tries `to` first, which then fails the word boundary.
pub fn is_reserved_word(word: &str) -> bool {
    matches!(
        word,
        "already"
            | "and"
            | "because"
            | "between"
            | "contains"
            | "currency"
            | "default"
            | "escalate"
            | "facts"
            | "false"
            | "gestures"
            | "in"
            | "is"
            | "limit"
            | "may"
            | "never"
            | "next"
            | "not"
            | "now"
            | "of"
            | "or"
            | "owe"
            | "policy"
            | "priority"
            | "recommend"
            | "roles"
            | "rule"
            | "script"
            | "since"
            | "to"
            | "true"
            | "until"
            | "up"
            | "used"
            | "when"
    )
}

/// Words that make item words read as a condition or a refusal: `replace the item when
/// damaged`, `unless`, `if`, `except`, `never`, `already`. Item words are free text, so the
/// grant would ignore what they seem to say and grant whatever the condition. Other reserved
/// words (`to`, `and`, `next`) read naturally in an item (`upgrade to a suite`, `wine and a
/// card`) and stay allowed.
const CONDITION_WORDS: &[&str] = &["when", "unless", "if", "except", "never", "already"];

/// The first word of item words (as written, unquoted) that reads as a condition (see
/// `CONDITION_WORDS`): such item words are refused (`E0010`) unless quoted.
pub fn misleading_item_word(item_words: &str) -> Option<&str> {
    item_words.split_whitespace().find(|word| CONDITION_WORDS.contains(word))
}

/// Whether `byte` may be part of a word: a name, a keyword or a path segment after its
/// first character (`ident_char` in the grammar).
pub fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Where a text whose opening `"` is at `open` ends: just past its closing quote, or at the
/// line break (or the end of the source) that leaves it unterminated; and whether it closed.
/// `\` escapes the byte after it.
pub fn text_end(bytes: &[u8], open: usize) -> (usize, bool) {
    let mut at = open.saturating_add(1);
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at = at.saturating_add(2),
            b'"' => return (at.saturating_add(1), true),
            b'\n' | b'\r' => return (at, false),
            _ => at = at.saturating_add(1),
        }
    }
    (at.min(bytes.len()), false)
}

/// The value of a text literal from what lies between its quotes, with `\"`, `\\`, `\n`
/// and `\t` resolved. An unknown escape is an error holding what followed the `\` (`None`
/// at the end of the text). Without escapes, the text is taken as it is (and a short one
/// is kept inline, without allocating).
pub fn unescape(inner: &str) -> Result<Name, Option<char>> {
    if !inner.contains('\\') {
        return Ok(Name::from(inner));
    }
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some('"') => value.push('"'),
            Some('\\') => value.push('\\'),
            other => return Err(other),
        }
    }
    Ok(Name::from(value))
}

/// The offset of the first line break at or after `at`, or the end of the source: where a
/// comment starting at `at` ends.
pub fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|b| matches!(b, b'\n' | b'\r')))
        .map_or(bytes.len(), |i| at + i)
}

/// Whether a script body's `"""` opens at `at`.
pub fn opens_script(bytes: &[u8], at: usize) -> bool {
    bytes.get(at..at.saturating_add(3)) == Some(b"\"\"\"")
}

/// Just past the `"""` that closes the script body whose opening `"""` is at `open`, or the
/// end of the source.
pub fn script_end(bytes: &[u8], open: usize) -> usize {
    let body = open.saturating_add(3);
    bytes
        .get(body..)
        .and_then(|rest| rest.windows(3).position(|w| w == b"\"\"\""))
        .map_or(bytes.len(), |i| body + i + 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_literals_hold_28_significant_digits_exactly() {
        let max = "9".repeat(28);
        assert_eq!(decimal_literal(&max).map(|d| d.to_string()), Some(max.clone()));
        assert_eq!(decimal_literal(&format!("1{max}")), None);
        assert_eq!(decimal_literal("79228162514264337593543950335"), None);
        assert_eq!(decimal_literal(&format!("000{max}")).map(|d| d.to_string()), Some(max.clone()));
        assert_eq!(decimal_literal("0.0000000000000000000000000001").map(|d| d.scale()), Some(28));
        assert_eq!(decimal_literal("0.00000000000000000000000000001"), None);
        assert_eq!(decimal_literal("1.00000000000000000000000000001"), None);
        assert_eq!(decimal_literal(&format!("1.{}", "0".repeat(27))), decimal_literal("1"));
        assert_eq!(decimal_literal(&format!("1.{}", "0".repeat(28))), None);
        assert_eq!(decimal_literal("12.50").map(|d| d.to_string()), Some("12.50".to_string()));
    }

    #[test]
    fn texts_end_at_their_quote_or_their_line() {
        assert_eq!(text_end(br#"x "a\"b" y"#, 2), (8, true));
        assert_eq!(text_end(b"\"open\nnext", 0), (5, false));
        assert_eq!(text_end(b"\"to the end", 0), (11, false));
        assert_eq!(line_end(b"# c\r\nx", 0), 3);
        assert_eq!(line_end(b"# c", 0), 3);
        assert!(opens_script(b"script \"\"\"", 7));
        assert_eq!(script_end(b"\"\"\" a \"\"\" b", 0), 9);
        assert_eq!(script_end(b"\"\"\" never closed", 0), 16);
    }
}
