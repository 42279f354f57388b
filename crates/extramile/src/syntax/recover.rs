//! Every syntax error in one run: when a policy does not parse, the parse resumes at each
//! later top-level item (a line that starts, unindented, with `policy`, `currency`,
//! `roles`, `facts`, `gestures`, `rule`, `limit` or `script`), and each broken item
//! reports its first error. The items are parsed by the one parser, one at a time, so the
//! whole costs one parse of the file.

use crate::syntax::ast::PolicyFile;
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::parser::parse_with_depth;
use crate::syntax::scan;
use crate::syntax::span::{line_break_ends, Span};

/// Words that start a top-level item and nothing else. `never` is left out: unindented, it
/// may still be a statement of the rule above.
const ITEM_KEYWORDS: &[&str] = &["policy", "currency", "roles", "facts", "gestures", "rule", "limit", "script"];

/// Parses `source` as [`parse_with_depth`] does; if it fails, returns its first error and
/// then the first error of every later top-level item that does not parse on its own.
pub fn parse_reporting_every_item(source: &str, max_depth: usize) -> Result<PolicyFile, Vec<Diagnostic>> {
    let first = match parse_with_depth(source, max_depth) {
        Ok(file) => return Ok(file),
        Err(first) => first,
    };
    let resume_after = first.span.start as usize;
    let mut errors = vec![first];
    let starts = item_starts(source);
    let later = starts.iter().copied().filter(|&start| start > resume_after);
    let ends = later.clone().skip(1).map(Some).chain(std::iter::once(None));
    for (start, end) in later.zip(ends) {
        let Some(item) = source.get(start..end.unwrap_or(source.len())) else { continue };
        if let Err(error) = parse_with_depth(item, max_depth) {
            errors.push(shifted(error, start));
        }
    }
    Err(errors)
}

/// The offsets of the lines that start a top-level item, outside script bodies.
fn item_starts(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut starts = Vec::new();
    // Where the script body that the last line opened ends: lines before it are script.
    let mut script_end = 0;
    for at in std::iter::once(0).chain(line_break_ends(source)) {
        if at < script_end || at >= bytes.len() {
            continue;
        }
        let line_end = scan::line_end(bytes, at);
        let line = source.get(at..line_end).unwrap_or("");
        let word_len = line.bytes().take_while(|&b| scan::is_word_byte(b)).count();
        if line.get(..word_len).is_some_and(|word| ITEM_KEYWORDS.contains(&word)) {
            starts.push(at);
        }
        // A script body may hold anything, item keywords included: skip to its end.
        if let Some(open) = line.find("\"\"\"") {
            script_end = scan::line_end(bytes, scan::script_end(bytes, at.saturating_add(open))).max(line_end);
        }
    }
    starts
}

/// `diagnostic`, found in the text that starts at `offset` of the policy, in policy offsets.
fn shifted(mut diagnostic: Diagnostic, offset: usize) -> Diagnostic {
    let shift = |span: Span| {
        Span::new((span.start as usize).saturating_add(offset), (span.end as usize).saturating_add(offset))
    };
    diagnostic.span = shift(diagnostic.span);
    for label in &mut diagnostic.labels {
        label.span = shift(label.span);
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_start_at_unindented_keywords_outside_scripts() {
        let source =
            "currency USD\r\nroles a\n  rule x\nrule r\nscript \"\"\"\nrule inside\n\"\"\"\nlimit comp to $1\n";
        let starts: Vec<&str> = item_starts(source).iter().map(|&at| &source[at..at + 4]).collect();
        assert_eq!(starts, ["curr", "role", "rule", "scri", "limi"]);
    }
}
