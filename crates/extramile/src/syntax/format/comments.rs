//! Finding the comments of a parsed policy, which the AST does not keep.

use crate::syntax::ast::{Item, PolicyFile};
use crate::syntax::scan;
use crate::syntax::span::Span;

/// A `#` comment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// The comment from `#` to the end of its line, trailing spaces removed.
    pub text: String,
    /// Whether nothing but spaces precedes it on its line.
    pub own_line: bool,
    /// Whether it is indented (own-line comments only).
    pub indented: bool,
}

/// Every comment of `source`, in order. `file` must be the parse of `source`: its script
/// blocks and limit scopes are raw text in which quotes do not start strings.
pub fn comments(source: &str, file: &PolicyFile) -> Vec<Comment> {
    let raw: Vec<Span> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Script(script) => Some(script.span),
            Item::Limit(limit) => limit.scope.as_ref().map(|scope| scope.span),
            _ => None,
        })
        .collect();
    let bytes = source.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if let Some(span) = raw.iter().find(|span| span.start as usize == at) {
            at = (span.end as usize).max(at + 1);
            continue;
        }
        match byte {
            b'"' => at = scan::text_end(bytes, at).0,
            b'#' => {
                let end = scan::line_end(bytes, at);
                let line_start = source.get(..at).and_then(|before| before.rfind('\n')).map_or(0, |i| i + 1);
                let before = source.get(line_start..at).unwrap_or("");
                let own_line = before.trim().is_empty();
                found.push(Comment {
                    start: at,
                    text: source.get(at..end).unwrap_or("#").trim_end().to_string(),
                    own_line,
                    indented: own_line && !before.is_empty(),
                });
                at = end;
            }
            _ => at += 1,
        }
    }
    found
}
