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
    /// no source and no span makes it panic (see [`displayable`]).
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

    fn render_one(&self, shown: &str, color: bool, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let primary = self.clamp(diagnostic.span);
        let labels: Vec<_> = diagnostic.labels.iter().map(|label| (self.clamp(label.span), &label.message)).collect();
        let mut renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let all = std::iter::once(primary.clone()).chain(labels.iter().map(|(range, _)| range.clone()));
        if could_underflow_margin(shown, all) {
            renderer = renderer.term_width(UNTRIMMED_WIDTH);
        }
        let mut snippet = Snippet::source(shown)
            .line_start(1)
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

/// A terminal width no line can exceed, so that the renderer never trims a line.
const UNTRIMMED_WIDTH: usize = usize::MAX / 2;

/// The source as handed to the renderer: the same bytes at the same offsets (so spans and
/// character boundaries hold), with every whitespace or control character other than `' '`
/// and `'\n'` replaced by one of the same length that the renderer measures the same way
/// everywhere. `annotate-snippets` 0.11 counts a tab as 4 columns of indentation but 0
/// columns before a caret, and a lone `\r` as indentation but not as a line break; the
/// mismatch made its margin arithmetic subtract with overflow.
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
    let (mut first, mut last) = (usize::MAX, 0);
    for range in annotations {
        first = first.min(range.start);
        last = last.max(range.end);
    }
    let bytes = shown.as_bytes();
    let start = bytes
        .get(..first.min(bytes.len()))
        .and_then(|b| b.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |i| i.saturating_add(1));
    let end = bytes
        .get(last.min(bytes.len())..)
        .and_then(|b| b.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |i| last.saturating_add(i));
    let lines = bytes.get(start..end).unwrap_or(&[]).split(|&b| b == b'\n');
    let (mut deep, mut long) = (false, false);
    for line in lines {
        deep |= line.iter().take_while(|&&b| b == b' ').count() > 12;
        long |= line.len() > 100;
    }
    deep && long
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
