//! Byte spans into policy source and their line/column positions.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into a policy source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets; offsets beyond `u32::MAX` saturate.
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span { start: clamp(start), end: clamp(end) }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The span as a `usize` range, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineColumn {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub column: u32,
}

/// Resolves byte offsets of one source text to lines and columns.
#[derive(Debug, Clone)]
pub struct SourceMap {
    line_starts: Vec<u32>,
}

impl SourceMap {
    /// Indexes the line starts of `source`, after each of its [`line_break_ends`].
    pub fn new(source: &str) -> SourceMap {
        let starts = line_break_ends(source).map(|offset| u32::try_from(offset).unwrap_or(u32::MAX));
        let line_starts = std::iter::once(0u32).chain(starts).collect();
        SourceMap { line_starts }
    }

    /// The line and column of byte `offset` in `source` (the text this map was built from).
    pub fn line_column(&self, source: &str, offset: u32) -> LineColumn {
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(idx) => idx,
            Err(idx) => idx.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_idx).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(source.len());
        let column = source.get(line_start..end).map_or(end.saturating_sub(line_start), |s| s.chars().count());
        LineColumn {
            line: u32::try_from(line_idx + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// Where each line break of `source` ends, in order: the grammar's `line_break`, which is
/// `\r\n`, `\n` or a lone `\r`. The one definition of a line for line numbers, columns and
/// the rendered snippets.
pub fn line_break_ends(source: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = source.as_bytes();
    // The breaks are found with `memchr`, which reads many bytes at a time.
    memchr::memchr2_iter(b'\n', b'\r', bytes).filter_map(move |at| {
        let lone_or_lf = bytes.get(at) == Some(&b'\n') || bytes.get(at.saturating_add(1)) != Some(&b'\n');
        lone_or_lf.then_some(at.saturating_add(1))
    })
}
