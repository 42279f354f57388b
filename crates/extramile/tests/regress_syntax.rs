//! Regressions of issue 19 in the syntax layer: diagnostics render for any source and any
//! span without panicking, and the other reproducers of the items fixed there.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::{Diagnostic, Diagnostics, Policy, Span};
use proptest::prelude::*;

/// Characters that upset renderers: tabs, lone and paired carriage returns, other Unicode
/// spaces, controls, wide and zero-width characters.
fn awkward_char() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "\t", "\r", "\r\n", "\n", "x", "é", "中", "\u{300}", "\u{3000}", "\u{a0}", "\u{85}", "\u{2028}", "\u{1}",
        "\u{7f}", "\u{feff}", "\u{fffd}", "\x0b", "\x0c",
    ])
}

/// Lines of awkward indentation (up to 60 repetitions) and awkward text (up to 300), so that
/// long, deeply indented lines are common.
fn awkward_text() -> impl Strategy<Value = String> {
    let line = (awkward_char(), 0..60usize, awkward_char(), awkward_char(), 0..300usize).prop_map(
        |(indent, depth, a, b, len)| format!("{}{}", indent.repeat(depth), format!("{a}{b}").repeat(len / 2)),
    );
    prop::collection::vec(line, 0..4).prop_map(|lines| lines.join("\n"))
}

fn render_all(source: String, spans: Vec<(u32, u32)>, labels: Vec<(u32, u32)>) {
    let n = source.len() as u32 + 2;
    let mut items = Vec::new();
    for (i, (a, b)) in spans.into_iter().enumerate() {
        let (a, b) = (a % n.max(1), b % n.max(1));
        let mut d = Diagnostic::error("E0001", "broken", Span { start: a.min(b), end: a.max(b) });
        if i % 2 == 1 {
            d = Diagnostic::warning("W0001", "odd", Span { start: b, end: a }).with_help("help");
        }
        for (c, e) in &labels {
            d = d.with_label(Span { start: c % n, end: e % n }, "here");
        }
        items.push(d);
    }
    let diagnostics = Diagnostics::new("p.policy", source, items);
    let _ = diagnostics.render(false);
    let _ = diagnostics.render(true);
    let _ = format!("{diagnostics} {diagnostics:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn rendering_never_panics_on_awkward_text(
        source in awkward_text(),
        spans in prop::collection::vec((any::<u32>(), any::<u32>()), 1..3),
        labels in prop::collection::vec((any::<u32>(), any::<u32>()), 0..3),
    ) {
        render_all(source, spans, labels);
    }

    #[test]
    fn rendering_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        spans in prop::collection::vec((any::<u32>(), any::<u32>()), 1..3),
        labels in prop::collection::vec((any::<u32>(), any::<u32>()), 0..2),
    ) {
        render_all(String::from_utf8_lossy(&bytes).into_owned(), spans, labels);
        let _ = Policy::check_bytes("p.policy", &bytes).render(false);
    }
}

/// Issue 19 item 3: lone `\r` around a long line made the renderer subtract with overflow.
#[test]
fn lone_carriage_returns_around_a_long_line_render() {
    let source = format!("currency EUR\nroles a\n{}{}\ry", "\r".repeat(20), "x".repeat(120));
    let rendered = Policy::check("cr.policy", &source).render(false);
    assert!(rendered.contains("error["), "{rendered}");
}

/// Issue 19 item 3: tabs around bytes that are not UTF-8 reached the same panic via E0009.
#[test]
fn tabs_around_invalid_utf8_render() {
    let mut bytes = b"currency EUR\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'\t', 30));
    bytes.push(0xFF);
    bytes.extend(std::iter::repeat_n(b'x', 300));
    let rendered = Policy::check_bytes("tab.policy", &bytes).render(false);
    assert!(rendered.contains("error[E0009]"), "{rendered}");
}
