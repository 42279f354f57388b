//! Splits an incident input into records, each with the input line it starts on: one JSON
//! value spread over any number of lines, or JSON Lines (one incident a line).
//!
//! The first record decides: when it ends on its first line, the input is JSON Lines and
//! every non-blank line is one record, so that a malformed line is one failed record and
//! the lines after it are still read. Otherwise records run from a line to the end of the
//! line where their brackets balance, or (for an object) to the line before one that starts
//! with `{` in its first column (which a value spread over lines indents): that line starts
//! the next record, so that an unclosed record cannot swallow the ones after it. When that
//! cuts the first record, the input is JSON Lines after all. Reading is streaming: one
//! record in memory at a time.

use std::io::BufRead;

/// One incident's text and where it starts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// The input line the record starts on (1-based).
    pub(crate) line: u64,
    /// Its text, without the final line break.
    pub(crate) text: Vec<u8>,
}

/// Tracks bracket depth outside JSON strings, line by line.
#[derive(Debug, Default)]
struct Brackets {
    depth: i64,
    in_string: bool,
    escaped: bool,
}

impl Brackets {
    /// Reads one line; a JSON string cannot hold a raw line break, so none is open after it.
    fn read_line(&mut self, line: &[u8]) {
        for &byte in line {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                }
            } else {
                match byte {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth = self.depth.saturating_add(1),
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        self.in_string = false;
        self.escaped = false;
    }

    fn balanced(&self) -> bool {
        self.depth <= 0
    }
}

/// The records of an input, in order.
pub(crate) struct Records<R> {
    reader: R,
    /// The number of lines read so far.
    line: u64,
    /// Whether the input is JSON Lines; unknown until the first record is read.
    json_lines: Option<bool>,
    /// A line read, with its number, that starts the next record.
    next_start: Option<(u64, Vec<u8>)>,
}

impl<R: BufRead> Records<R> {
    pub(crate) fn new(reader: R) -> Records<R> {
        Records { reader, line: 0, json_lines: None, next_start: None }
    }

    /// The next line (with its line break) and its number; `None` at the end of input.
    fn read_line(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if let Some(line) = self.next_start.take() {
            return Ok(Some(line));
        }
        let mut text = Vec::new();
        if self.reader.read_until(b'\n', &mut text)? == 0 {
            return Ok(None);
        }
        self.line = self.line.saturating_add(1);
        Ok(Some((self.line, text)))
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// `text` without its final line break.
fn trim_line_break(mut text: Vec<u8>) -> Vec<u8> {
    if text.last() == Some(&b'\n') {
        text.pop();
        if text.last() == Some(&b'\r') {
            text.pop();
        }
    }
    text
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = std::io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        // Skip blank lines before a record.
        let (line, mut text) = loop {
            match self.read_line() {
                Err(err) => return Some(Err(err)),
                Ok(None) => return None,
                Ok(Some((_, text))) if is_blank(&text) => {}
                Ok(Some(first)) => break first,
            }
        };
        let mut brackets = Brackets::default();
        brackets.read_line(&text);
        let first_record = self.json_lines.is_none();
        // An array (refused later, with its own message) keeps its elements whatever their
        // column.
        let object = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let json_lines = *self.json_lines.get_or_insert(brackets.balanced());
        if !json_lines {
            while !brackets.balanced() {
                match self.read_line() {
                    Err(err) => return Some(Err(err)),
                    Ok(None) => break,
                    Ok(Some(next)) if object && next.1.first() == Some(&b'{') => {
                        self.next_start = Some(next);
                        if first_record {
                            self.json_lines = Some(true);
                        }
                        break;
                    }
                    Ok(Some((_, next))) => {
                        brackets.read_line(&next);
                        text.extend_from_slice(&next);
                    }
                }
            }
        }
        Some(Ok(Record { line, text: trim_line_break(text) }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    fn records(input: &str) -> Vec<(u64, String)> {
        Records::new(input.as_bytes())
            .map(|r| r.unwrap())
            .map(|r| (r.line, String::from_utf8(r.text).unwrap()))
            .collect()
    }

    #[test]
    fn json_lines_give_one_record_a_line_even_when_one_is_broken() {
        let got = records("{\"a\": 1}\n\n{\"b\": [\n{\"c\": \"}\"}\r\n");
        assert_eq!(got, [(1, "{\"a\": 1}".into()), (3, "{\"b\": [".into()), (4, "{\"c\": \"}\"}".into())]);
    }

    #[test]
    fn a_value_over_several_lines_is_one_record() {
        let got = records("\n{\n  \"a\": \"{[\",\n  \"b\": {}\n}\n{\n}\n");
        assert_eq!(got, [(2, "{\n  \"a\": \"{[\",\n  \"b\": {}\n}".into()), (6, "{\n}".into())]);
        assert_eq!(records("{\n  \"a\": 1\n"), [(1, "{\n  \"a\": 1".into())], "unclosed: runs to the end");
        assert!(records("\n \n").is_empty());
    }

    #[test]
    fn an_unclosed_record_ends_where_a_line_starts_with_a_brace() {
        // JSON Lines whose first line is broken: a record a line after all.
        let got = records("{\"a\": [1,\n{\"b\": 2}\n{\"c\": [\n{\"d\": 4}\n");
        assert_eq!(
            got,
            [(1, "{\"a\": [1,".into()), (2, "{\"b\": 2}".into()), (3, "{\"c\": [".into()), (4, "{\"d\": 4}".into())]
        );
        // Values spread over lines stay so after a broken one.
        let got = records("{\n  \"a\": 1\n}\n{\n  \"b\": [\n{\n  \"c\": 3\n}\n");
        assert_eq!(got, [(1, "{\n  \"a\": 1\n}".into()), (4, "{\n  \"b\": [".into()), (6, "{\n  \"c\": 3\n}".into())]);
        // An array is one record.
        assert_eq!(records("[\n{\"a\": 1},\n{\"b\": 2}\n]\n"), [(1, "[\n{\"a\": 1},\n{\"b\": 2}\n]".into())]);
    }
}
