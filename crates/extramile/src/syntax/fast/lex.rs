//! The fast parser's cursor over the source: spaces and comments, line breaks, words and the
//! grammar's atomic tokens (texts, numbers, item words, limit scopes), each as `grammar.pest`
//! defines it.

use super::{Parsed, Stop};
use crate::syntax::ast::Text;
use crate::syntax::scan;
use crate::syntax::span::Span;

/// The reserved words: the grammar's `keyword` rule, kept in [`scan::is_reserved_word`].
pub(super) fn is_keyword(word: &str) -> bool {
    scan::is_reserved_word(word)
}

/// Words that start a top-level item: the grammar's `top_keyword` rule.
pub(super) fn is_top_keyword(word: &str) -> bool {
    matches!(word, "policy" | "currency" | "roles" | "facts" | "gestures" | "rule" | "never" | "limit" | "script")
}

/// Words that end an item description: the grammar's `stop_word` rule.
const STOP_WORDS: &[&str] = &["or", "up", "of", "in", "because", "priority"];

/// Units of time, longest first as the grammar's `time_unit` rule tries them.
const TIME_UNITS: &[&str] =
    &["seconds", "second", "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week"];

pub(super) struct Cursor<'s> {
    source: &'s str,
    bytes: &'s [u8],
    pub(super) pos: usize,
    /// The last word scanned: where it starts and how long it is (0: no word there). The
    /// parser looks at a word several times (keyword? name? followed by `(`?), so this saves
    /// scanning it again.
    last_word: std::cell::Cell<(usize, Option<&'s str>)>,
}

impl<'s> Cursor<'s> {
    pub(super) fn new(source: &'s str) -> Cursor<'s> {
        Cursor { source, bytes: source.as_bytes(), pos: 0, last_word: std::cell::Cell::new((usize::MAX, None)) }
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// The source between two offsets (empty if they are not character boundaries).
    pub(super) fn text(&self, start: usize, end: usize) -> &'s str {
        self.source.get(start..end).unwrap_or("")
    }

    /// The source from `at` on (empty if `at` is not a character boundary).
    pub(super) fn rest_from(&self, at: usize) -> &'s str {
        self.source.get(at..).unwrap_or("")
    }

    /// Whether the source at `at` starts with `prefix`.
    fn starts_with_at(&self, at: usize, prefix: &str) -> bool {
        self.bytes.get(at..).is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
    }

    /// Consumes `prefix` if the source continues with it.
    pub(super) fn eat(&mut self, prefix: &str) -> bool {
        let found = self.starts_with_at(self.pos, prefix);
        if found {
            self.pos += prefix.len();
        }
        found
    }

    /// Skips spaces, tabs and a comment: pest's implicit `WHITESPACE` and `COMMENT`, which
    /// never cross a line break.
    pub(super) fn skip(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' => self.pos += 1,
                b'#' => {
                    while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// `line_break = _{ "\r\n" | "\n" | "\r" }`.
    fn line_break(&mut self) -> bool {
        self.eat("\r\n") || self.eat("\n") || self.eat("\r")
    }

    /// `nl = _{ line_break+ }`, with spaces and comments between the line breaks.
    pub(super) fn nl(&mut self) -> bool {
        if !self.line_break() {
            return false;
        }
        loop {
            let before = self.pos;
            self.skip();
            if !self.line_break() {
                self.pos = before;
                return true;
            }
        }
    }

    /// The word at the cursor: `(ASCII_ALPHA | "_") ~ ident_char*`.
    pub(super) fn word(&self) -> Option<&'s str> {
        self.word_at(self.pos)
    }

    fn word_at(&self, at: usize) -> Option<&'s str> {
        let (cached_at, cached_word) = self.last_word.get();
        if cached_at == at {
            return cached_word;
        }
        let word = match self.byte_at(at) {
            Some(first) if first.is_ascii_alphabetic() || first == b'_' => {
                let rest = self.bytes.get(at..).unwrap_or_default();
                let length = rest.iter().position(|b| !scan::is_word_byte(*b)).unwrap_or(rest.len());
                self.source.get(at..at + length)
            }
            _ => None,
        };
        self.last_word.set((at, word));
        word
    }

    /// Moves past the word at the cursor and returns where it ends.
    pub(super) fn advance_word(&mut self) -> usize {
        self.pos += self.word().map_or(0, str::len);
        self.pos
    }

    /// `"." ~ segment` of a path, where `segment = @{ (ASCII_ALPHA | "_") ~ ident_char* }`.
    pub(super) fn dotted_segment(&mut self) -> Option<&'s str> {
        if self.peek() != Some(b'.') {
            return None;
        }
        let segment = self.word_at(self.pos + 1)?;
        self.pos += 1 + segment.len();
        Some(segment)
    }

    /// Whether the word at `at` is not followed by an identifier character.
    fn boundary_at(&self, at: usize) -> bool {
        !self.byte_at(at).is_some_and(scan::is_word_byte)
    }

    /// The end of `currency_code = @{ ASCII_ALPHA_UPPER{3} ~ !ident_char }` at `at`.
    pub(super) fn currency_code_at(&self, at: usize) -> Option<usize> {
        let code = self.bytes.get(at..at + 3)?;
        (code.iter().all(u8::is_ascii_uppercase) && self.boundary_at(at + 3)).then_some(at + 3)
    }

    /// The end of `integer = @{ "-"? ~ ASCII_DIGIT+ ~ !ident_char }` at `at`.
    pub(super) fn integer_at(&self, at: usize) -> Option<usize> {
        let digits_from = if self.byte_at(at) == Some(b'-') { at + 1 } else { at };
        let end = self.digits_end(digits_from)?;
        self.boundary_at(end).then_some(end)
    }

    /// The end of one or more ASCII digits at `at`.
    fn digits_end(&self, at: usize) -> Option<usize> {
        let count = self.bytes.get(at..)?.iter().take_while(|b| b.is_ascii_digit()).count();
        (count > 0).then_some(at + count)
    }

    /// The end of `decimal = @{ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ !ident_char }` at `at`.
    pub(super) fn decimal_at(&self, at: usize) -> Option<usize> {
        let mut end = self.digits_end(at)?;
        if self.byte_at(end) == Some(b'.') {
            if let Some(fraction_end) = self.digits_end(end + 1) {
                end = fraction_end;
            }
        }
        self.boundary_at(end).then_some(end)
    }

    /// The end of `time_unit` at `at`, with the unit's word.
    pub(super) fn time_unit_at(&self, at: usize) -> Option<(usize, &'static str)> {
        if !matches!(self.byte_at(at), Some(b's' | b'm' | b'h' | b'd' | b'w')) {
            return None;
        }
        TIME_UNITS.iter().find_map(|unit| {
            let end = at + unit.len();
            (self.starts_with_at(at, unit) && self.boundary_at(end)).then_some((end, *unit))
        })
    }

    /// The end of one or more spaces (not tabs) at `at`: the `" "+` of `50 USD` and `3 days`.
    pub(super) fn spaces_end(&self, at: usize) -> Option<usize> {
        let count = self.bytes.get(at..)?.iter().take_while(|b| **b == b' ').count();
        (count > 0).then_some(at + count)
    }

    /// The end of `date_digits = _{ ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} }`.
    pub(super) fn date_digits_at(&self, at: usize) -> Option<usize> {
        let shape = b"dddd-dd-dd";
        self.pattern_at(at, shape)
    }

    /// The end of `shape` at `at`, where `d` in the shape is any ASCII digit.
    pub(super) fn pattern_at(&self, at: usize, shape: &[u8]) -> Option<usize> {
        let found = self.bytes.get(at..at + shape.len())?;
        let matches = found.iter().zip(shape).all(|(b, s)| if *s == b'd' { b.is_ascii_digit() } else { b == s });
        matches.then_some(at + shape.len())
    }

    /// `string = ${ "\"" ~ string_inner ~ "\"" }` with its escapes resolved. An escape the AST
    /// builder refuses (E0002) is left to pest.
    pub(super) fn string(&mut self) -> Parsed<Text> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return Err(Stop::NoMatch);
        }
        let (end, closed) = scan::text_end(self.bytes, start);
        if !closed {
            return Err(Stop::NoMatch);
        }
        let value = scan::unescape(self.text(start + 1, end - 1)).map_err(|_| Stop::GiveUp)?;
        self.pos = end;
        Ok(Text { value, span: Span::new(start, end) })
    }

    /// `item_words = @{ item_word ~ (WHITESPACE+ ~ item_word)* }` at the cursor, where
    /// `item_word = @{ !(stop_word ~ !ident_char) ~ (ASCII_ALPHANUMERIC | "_" | "-" | "'")+ }`.
    /// The text is the words joined by single spaces.
    pub(super) fn item_words(&mut self) -> Option<Text> {
        let start = self.pos;
        let mut end = self.item_word_at(start)?;
        loop {
            let gap =
                self.bytes.get(end..).map_or(0, |rest| rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count());
            match (gap > 0).then(|| self.item_word_at(end + gap)).flatten() {
                Some(word_end) => end = word_end,
                None => break,
            }
        }
        self.pos = end;
        // The words joined by single spaces (they are separated by spaces and tabs).
        let written = self.text(start, end);
        let value = if written.contains('\t') || written.contains("  ") {
            written.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            written.to_string()
        };
        Some(Text { value: value.into(), span: Span::new(start, end) })
    }

    fn item_word_at(&self, at: usize) -> Option<usize> {
        let is_stop = STOP_WORDS.iter().any(|stop| self.starts_with_at(at, stop) && self.boundary_at(at + stop.len()));
        if is_stop {
            return None;
        }
        let count = self
            .bytes
            .get(at..)?
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'\''))
            .count();
        (count > 0).then_some(at + count)
    }

    /// `limit_scope = @{ "per" ~ !ident_char ~ scope_part* }` at the cursor, where
    /// `scope_part` is a word that is not reserved or a character other than `,`, `#` and a
    /// line break; its text without trailing spaces.
    pub(super) fn limit_scope(&mut self) -> Option<Text> {
        let start = self.pos;
        if !(self.starts_with_at(start, "per") && self.boundary_at(start + 3)) {
            return None;
        }
        let mut at = start + 3;
        while let Some(byte) = self.byte_at(at) {
            if scan::is_word_byte(byte) {
                let length =
                    self.bytes.get(at..).map_or(0, |rest| rest.iter().take_while(|b| scan::is_word_byte(**b)).count());
                if scan::is_reserved_word(self.text(at, at + length)) {
                    break;
                }
                at += length;
            } else if matches!(byte, b',' | b'\n' | b'\r' | b'#') {
                break;
            } else {
                at += 1;
            }
        }
        let length = at - start;
        self.pos = start + length;
        let text = self.text(start, self.pos).trim_end();
        Some(Text { value: text.into(), span: Span::new(start, start + text.len()) })
    }
}
