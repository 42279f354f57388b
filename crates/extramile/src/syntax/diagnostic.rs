//! Diagnostics: a stable code, a message, spans and help, rendered rustc-style.

use crate::syntax::span::{LineColumn, SourceMap, Span};
use annotate_snippets::{Level, Renderer, Snippet};
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The policy still loads.
    Warning,
    /// The policy does not load.
    Error,
}

/// A secondary span with a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// One problem found in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `E0101`, listed in `docs/language.md`.
    pub code: &'static str,
    /// What is wrong: lowercase, no trailing period, user input in backticks.
    pub message: String,
    /// Where it is wrong.
    pub span: Span,
    /// Other places that explain it.
    pub labels: Vec<Label>,
    /// How to fix it, if known.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, message: message.into(), span, labels: Vec::new(), help: None }
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, code, message: message.into(), span, labels: Vec::new(), help: None }
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a labelled secondary span.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics of one source, able to render themselves and to locate their spans. Both
/// `Display` and `Debug` (what `?` from `main` prints) show them rendered, without colour.
#[derive(Clone)]
pub struct Diagnostics {
    origin: String,
    source: std::sync::Arc<str>,
    source_map: SourceMap,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Diagnostics for `source`, called `origin` (a file name) when rendered.
    pub fn new(origin: impl Into<String>, source: impl Into<String>, items: Vec<Diagnostic>) -> Diagnostics {
        let source: std::sync::Arc<str> = source.into().into();
        let source_map = SourceMap::new(&source);
        Diagnostics::with_map(origin.into(), source, source_map, items)
    }

    /// Diagnostics for a source and its map that a compiled policy already holds.
    pub(crate) fn with_map(
        origin: String,
        source: std::sync::Arc<str>,
        source_map: SourceMap,
        mut items: Vec<Diagnostic>,
    ) -> Diagnostics {
        items.sort_by(|a, b| (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code)));
        items.dedup();
        Diagnostics { origin, source, source_map, items }
    }

    /// All diagnostics, in source order.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// How many errors there are.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// How many warnings there are.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// The name shown for the source.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The line and column where `span` starts.
    pub fn line_column(&self, span: Span) -> LineColumn {
        self.source_map.line_column(&self.source, span.start)
    }

    /// Renders every diagnostic rustc-style, with ANSI colours when `color` is true. Total:
    /// no source and no span makes it panic (see `displayable`).
    pub fn render(&self, color: bool) -> String {
        let shown = displayable(&self.source);
        let mut out = String::new();
        for diagnostic in &self.items {
            out.push_str(&self.render_one(&shown, color, diagnostic));
            out.push_str("\n\n");
        }
        let (errors, warnings) = (self.error_count(), self.warning_count());
        if errors > 0 || warnings > 0 {
            out.push_str(&summary_line(&self.origin, errors, warnings));
            out.push('\n');
        }
        out
    }

    /// Renders one diagnostic from the lines its spans cover only, so that rendering many
    /// diagnostics costs their lines, not the whole source each (the renderer reads all the
    /// text it is given).
    fn render_one(&self, shown: &str, color: bool, diagnostic: &Diagnostic) -> String {
        let primary = self.clamp(diagnostic.span);
        let labels = diagnostic.labels.iter().map(|label| self.clamp(label.span));
        let lines = covered_lines(shown, std::iter::once(primary).chain(labels));
        // Through the line break after the annotations' end (the next line's when they end
        // with a line break): the lines `could_underflow_margin` looks at.
        let (start, end) = (lines.start, lines.end.saturating_add(1).min(shown.len()));
        let first_line = self.source_map.line_column(&self.source, u32::try_from(start).unwrap_or(u32::MAX)).line;
        self.render_window(shown, start..end, first_line as usize, color, diagnostic, true)
    }

    /// Renders one diagnostic, giving the renderer `shown[window]`, whose first line is
    /// line `first_line` of the source; with `shorten`, lines far longer than the terminal
    /// are cut well past what the renderer shows of them (see [`shorten_long_lines`]).
    fn render_window(
        &self,
        shown: &str,
        window: std::ops::Range<usize>,
        first_line: usize,
        color: bool,
        diagnostic: &Diagnostic,
        shorten: bool,
    ) -> String {
        let level = match diagnostic.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let offset = window.start;
        let text = shown.get(window).unwrap_or(shown);
        let shift = |range: std::ops::Range<usize>| {
            let end = range.end.saturating_sub(offset).min(text.len());
            range.start.saturating_sub(offset).min(end)..end
        };
        let primary = shift(self.clamp(diagnostic.span));
        let labels: Vec<_> =
            diagnostic.labels.iter().map(|label| (shift(self.clamp(label.span)), &label.message)).collect();
        let mut renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let all = std::iter::once(primary.clone()).chain(labels.iter().map(|(range, _)| range.clone()));
        let untrimmed = could_underflow_margin(text, all);
        if untrimmed {
            renderer = renderer.term_width(UNTRIMMED_WIDTH);
        }
        let label_bytes = labels.iter().map(|(_, message)| message.len()).max().unwrap_or(0);
        let endpoints = std::iter::once(&primary).chain(labels.iter().map(|(range, _)| range));
        let shortened = (shorten && !untrimmed)
            .then(|| shorten_long_lines(text, endpoints.flat_map(|r| [r.start, r.end.saturating_sub(1)]), label_bytes))
            .flatten();
        let (text, primary, labels) = match &shortened {
            Some(short) => {
                let labels = labels.into_iter().map(|(range, message)| (short.map(range), message)).collect();
                (short.text.as_str(), short.map(primary), labels)
            }
            None => (text, primary, labels),
        };
        let labels = merge_repeated_multiline(text, &primary, labels);
        let mut snippet = Snippet::source(text)
            .line_start(first_line)
            .origin(&self.origin)
            .fold(true)
            .annotation(level.span(primary).label(""));
        for (range, message) in labels {
            snippet = snippet.annotation(Level::Info.span(range).label(message));
        }
        let mut message = level.title(&diagnostic.message).id(diagnostic.code).snippet(snippet);
        if let Some(help) = &diagnostic.help {
            message = message.footer(Level::Help.title(help));
        }
        let rendered = renderer.render(message).to_string();
        rendered
    }

    /// A span clamped to the source and to character boundaries, never empty unless the
    /// source is, so that the renderer always has a caret to draw.
    fn clamp(&self, span: Span) -> std::ops::Range<usize> {
        let len = self.source.len();
        let mut start = (span.start as usize).min(len);
        // At the end of the file, point just after the last text instead of past it: the
        // renderer draws nothing for an empty span at the very end.
        if start == len {
            let text_end = self.source.trim_end_matches(['\n', '\r']).len();
            if text_end < len {
                return text_end..text_end + 1;
            }
        }
        while start > 0 && !self.source.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end as usize).clamp(start, len);
        while end < len && !self.source.is_char_boundary(end) {
            end += 1;
        }
        if end == start && start < len {
            end = start + self.source[start..].chars().next().map_or(1, char::len_utf8);
        }
        start..end
    }
}

/// The renderer's terminal width when it trims long lines (`annotate-snippets`' default).
const TRIMMED_WIDTH: usize = 140;

/// A text with long lines cut short, and where: each cut's offset in the original text and
/// the bytes removed there.
struct Shortened {
    text: String,
    cuts: Vec<(usize, usize)>,
}

impl Shortened {
    /// An annotation's range in the shortened text (its ends are never in a removed part).
    fn map(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let moved = |at: usize| {
            let removed: usize = self.cuts.iter().filter(|(cut, _)| *cut < at).map(|(_, bytes)| bytes).sum();
            at.saturating_sub(removed)
        };
        moved(range.start)..moved(range.end)
    }
}

/// `text` with every line longer than the renderer could show cut short, or `None` if no
/// line is. The renderer trims a long line to the terminal width around the annotations
/// and marks the cut with `...`; it reads the whole line to do so, which made one long
/// line with thousands of diagnostics quadratic. A line keeps its first characters up to
/// the farthest byte an annotation covers on any line (in bytes, which bound its display columns),
/// plus the longest label and twice the terminal width: more than the renderer shows,
/// and still longer than the terminal, so the output is the same (a test compares it).
fn shorten_long_lines(text: &str, endpoints: impl Iterator<Item = usize>, label_bytes: usize) -> Option<Shortened> {
    let bytes = text.as_bytes();
    let column = |at: usize| {
        let at = at.min(bytes.len());
        let line_start =
            bytes.get(..at).and_then(|b| b.iter().rposition(|&b| b == b'\n')).map_or(0, |i| i.saturating_add(1));
        at.saturating_sub(line_start)
    };
    // An endpoint is a byte an annotation covers: its first, and its last (which may be a
    // line break).
    let farthest = endpoints.map(column).max().unwrap_or(0).saturating_add(1);
    let keep = farthest.saturating_add(label_bytes).saturating_add(TRIMMED_WIDTH.saturating_mul(2)).saturating_add(64);
    if !text.split('\n').any(|line| line.len() > keep) {
        return None;
    }
    let mut short = Shortened { text: String::with_capacity(text.len().min(keep.saturating_mul(8))), cuts: Vec::new() };
    let mut line_start = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        match content.char_indices().nth(keep) {
            Some((cut, _)) => {
                short.text.push_str(content.get(..cut).unwrap_or(content));
                short.text.push_str(line.get(content.len()..).unwrap_or(""));
                short.cuts.push((line_start.saturating_add(cut), content.len().saturating_sub(cut)));
            }
            None => short.text.push_str(line),
        }
        line_start = line_start.saturating_add(line.len());
    }
    Some(short)
}

/// Labels with a multi-line range that an earlier annotation already has point at that
/// range's last character instead. The renderer merges them so itself, but from the byte
/// before the end, which panics when the last character takes several bytes.
fn merge_repeated_multiline<'m>(
    text: &str,
    primary: &std::ops::Range<usize>,
    labels: Vec<(std::ops::Range<usize>, &'m String)>,
) -> Vec<(std::ops::Range<usize>, &'m String)> {
    let mut seen = vec![primary.clone()];
    labels
        .into_iter()
        .map(|(range, message)| {
            let multiline = text.get(range.clone()).is_some_and(|covered| covered.lines().count() > 1);
            let merged = if multiline && seen.contains(&range) {
                let last =
                    text.get(..range.end).and_then(|before| before.chars().next_back()).map_or(1, char::len_utf8);
                range.end.saturating_sub(last)..range.end
            } else {
                range.clone()
            };
            seen.push(range);
            (merged, message)
        })
        .collect()
}

/// A terminal width no line can exceed, so that the renderer never trims a line.
const UNTRIMMED_WIDTH: usize = usize::MAX / 2;

/// The source as handed to the renderer: the same bytes at the same offsets (so spans and
/// character boundaries hold), with every whitespace or control character other than `' '`
/// and `'\n'` replaced by one of the same length that the renderer measures the same way
/// everywhere. `annotate-snippets` 0.11 counts a tab as 4 columns of indentation but 0
/// columns before a caret, and a lone `\r` as indentation but not as a line break; the
/// mismatch made its margin arithmetic subtract with overflow. A lone `\r` becomes `\n`.
fn displayable(source: &str) -> std::borrow::Cow<'_, str> {
    let odd = |c: char| (c.is_whitespace() || c.is_control()) && c != ' ' && c != '\n';
    if !source.chars().any(odd) {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut shown = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        shown.push(match c {
            // A `\r\n` line break stays one: the renderer splits lines the same way.
            '\r' if chars.peek() == Some(&'\n') => c,
            // A lone `\r` is a line break for the grammar and the line numbers (see
            // `span::line_break_ends`): the renderer sees one too.
            '\r' => '\n',
            c if !odd(c) => c,
            c if c.is_ascii() => ' ',
            // U+0085 and U+00A0, and the C1 controls, are two bytes; the other spaces three.
            c if c.len_utf8() == 2 => '·',
            _ => char::REPLACEMENT_CHARACTER,
        });
    }
    std::borrow::Cow::Owned(shown)
}

/// Whether the renderer, trimming a long line to the terminal, could subtract with overflow
/// for these annotations of `shown` (see [`displayable`]). Its margin computes
/// `label_right - whitespace_left`, where `whitespace_left` is the least indentation of the
/// lines shown (minus 6) and `label_right` the rightmost annotation's end (plus 6): that
/// underflows only when every annotation ends in deep indentation (over 12 columns) and a
/// shown line is too long for the terminal. Conservatively: a shown line indented by more
/// than 12 spaces, and one longer than 100 bytes (no character is wider than its bytes).
/// Then the diagnostic is rendered untrimmed instead.
fn could_underflow_margin(shown: &str, annotations: impl Iterator<Item = std::ops::Range<usize>>) -> bool {
    let lines = shown.as_bytes().get(covered_lines(shown, annotations)).unwrap_or(&[]).split(|&b| b == b'\n');
    let (mut deep, mut long) = (false, false);
    for line in lines {
        deep |= line.iter().take_while(|&&b| b == b' ').count() > 12;
        long |= line.len() > 100;
    }
    deep && long
}

/// The lines of `shown` that `annotations` cover: from the start of the first one's line to
/// the end of the last one's line (its line break excluded).
fn covered_lines(shown: &str, annotations: impl Iterator<Item = std::ops::Range<usize>>) -> std::ops::Range<usize> {
    let (first, last) =
        annotations.fold((usize::MAX, 0), |(first, last), range| (first.min(range.start), last.max(range.end)));
    let bytes = shown.as_bytes();
    let start = bytes
        .get(..first.min(bytes.len()))
        .and_then(|b| b.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |i| i.saturating_add(1));
    let last = last.clamp(start, bytes.len());
    let end = bytes
        .get(last..)
        .and_then(|b| b.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |i| last.saturating_add(i));
    start..end
}

fn summary_line(origin: &str, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    match (errors, warnings) {
        (0, w) => format!("{origin}: {}", plural(w, "warning")),
        (e, 0) => format!("{origin}: {}", plural(e, "error")),
        (e, w) => format!("{origin}: {}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing, reason = "tests fail loudly")]
    use super::*;
    use proptest::prelude::*;

    /// Source lines with line breaks of every kind, tabs, wide characters and indentation,
    /// often longer than the terminal.
    fn source() -> impl Strategy<Value = String> {
        let short = prop::sample::select(vec![
            "\n", "\r\n", "\r", "\t", "  ", "a", "rule", "é", "中", "\u{85}", "\u{3000}", "#", "\"", "x y",
        ]);
        let long = prop::sample::select(vec![
            "long words, long words, long words, long words, long words, long words, long words, ",
            "中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中中",
            "                                                  ",
        ]);
        let piece = prop_oneof![2 => short, 1 => long];
        prop::collection::vec(piece, 0..150).prop_map(|pieces| pieces.concat())
    }

    /// Issue 19 (attack) item 3: one long line with thousands of diagnostics is cut short
    /// for each, and renders as from the whole source.
    #[test]
    fn a_long_line_is_cut_and_renders_the_same() {
        let source = format!("facts\n  o.k: one of {}\n", vec!["\"v\""; 4000].join(", "));
        let spans = [14, 20, 500, 9000, source.len() - 10];
        let diagnostics = Diagnostics::new(
            "p.policy",
            source.clone(),
            spans.iter().map(|&at| Diagnostic::error("E0113", "twice", Span::new(at, at + 3))).collect(),
        );
        for (diagnostic, &at) in diagnostics.items.iter().zip(&spans) {
            assert_eq!(shorten_long_lines(&source, [at].into_iter(), 0).is_some(), at < 10_000);
            for color in [false, true] {
                let whole = diagnostics.render_window(&source, 0..source.len(), 1, color, diagnostic, false);
                assert_eq!(diagnostics.render_one(&source, color, diagnostic), whole);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Issue 19 (attack) item 3: a diagnostic is rendered from the lines its spans cover;
        /// the output is the one rendered from the whole source.
        #[test]
        fn the_covered_lines_render_as_the_whole_source(
            source in source(),
            spans in prop::collection::vec((0u32..3000, 0u32..3000), 1..4),
            help in any::<bool>(),
        ) {
            let mut diagnostic = Diagnostic::error("E0001", "broken", Span { start: spans[0].0, end: spans[0].1 });
            for (start, end) in spans.iter().skip(1) {
                diagnostic = diagnostic.with_label(Span { start: *start, end: *end }, "here");
            }
            if help {
                diagnostic = diagnostic.with_help("help");
            }
            let diagnostics = Diagnostics::new("p.policy", source, vec![diagnostic.clone()]);
            let shown = displayable(&diagnostics.source);
            for color in [false, true] {
                let whole = diagnostics.render_window(&shown, 0..shown.len(), 1, color, &diagnostic, false);
                prop_assert_eq!(diagnostics.render_one(&shown, color, &diagnostic), whole);
            }
        }
    }
}
