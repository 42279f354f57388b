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

/// Diagnostics of one source, able to render themselves and to locate their spans.
#[derive(Debug, Clone)]
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

    /// Renders every diagnostic rustc-style, with ANSI colours when `color` is true.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let mut out = String::new();
        for diagnostic in &self.items {
            out.push_str(&self.render_one(&renderer, diagnostic));
            out.push_str("\n\n");
        }
        let (errors, warnings) = (self.error_count(), self.warning_count());
        if errors > 0 || warnings > 0 {
            out.push_str(&summary_line(&self.origin, errors, warnings));
            out.push('\n');
        }
        out
    }

    fn render_one(&self, renderer: &Renderer, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let mut snippet = Snippet::source(&self.source)
            .line_start(1)
            .origin(&self.origin)
            .fold(true)
            .annotation(level.span(self.clamp(diagnostic.span)).label(""));
        for label in &diagnostic.labels {
            snippet = snippet.annotation(Level::Info.span(self.clamp(label.span)).label(&label.message));
        }
        let mut message = level.title(&diagnostic.message).id(diagnostic.code).snippet(snippet);
        if let Some(help) = &diagnostic.help {
            message = message.footer(Level::Help.title(help));
        }
        renderer.render(message).to_string()
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

impl std::error::Error for Diagnostics {}
