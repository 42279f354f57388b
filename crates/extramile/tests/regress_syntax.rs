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

mod scripts {
    use extramile::script::{ScriptLimits, Scripts};
    use extramile::Span;

    /// Compiles `body` as `fn f() { body }` and calls it: its value or its error.
    fn run(body: &str) -> Result<String, String> {
        let source = format!("fn f() {{ {body} }}");
        let span = Span::new(0, source.len());
        let (scripts, errors) = Scripts::compile(&[(&source, span)], &source, ScriptLimits::default());
        assert!(errors.is_empty(), "{errors:?}");
        let index = scripts.find("f", 0).unwrap();
        scripts.call(index, &[], span).map(|v| format!("{v:?}")).map_err(|e| e.message)
    }

    /// Every function name the sandbox could expose (from Rhai's packages), called with
    /// extreme integers, decimals, texts and arrays, one, two and three at a time.
    const NAMES: &[&str] = &[
        "sin",
        "cos",
        "tan",
        "sinh",
        "cosh",
        "tanh",
        "asin",
        "acos",
        "atan",
        "sqrt",
        "exp",
        "ln",
        "log",
        "log10",
        "floor",
        "ceiling",
        "round",
        "round_up",
        "round_down",
        "round_half_up",
        "round_half_down",
        "int",
        "fraction",
        "to_int",
        "to_decimal",
        "to_float",
        "parse_int",
        "parse_decimal",
        "parse_float",
        "parse_json",
        "abs",
        "sign",
        "is_zero",
        "max",
        "min",
        "get_bit",
        "set_bit",
        "get_bits",
        "set_bits",
        "bits",
        "range",
        "chars",
        "to_hex",
        "to_octal",
        "to_binary",
        "to_string",
        "to_debug",
        "pad",
        "replace",
        "sub_string",
        "crop",
        "split",
        "splitn",
        "split_rev",
        "index_of",
        "truncate",
        "to_chars",
        "to_blob",
        "blob",
        "sleep",
        "exit",
        "tag",
        "set_tag",
        "take",
        "print",
        "debug",
        "extract",
        "splice",
        "drain",
        "retain",
        "insert",
        "get",
        "set",
        "remove",
        "chop",
        "reverse",
        "sort",
        "dedup",
        "zip",
        "reduce",
        "len",
        "contains",
    ];
    const VALUES: &[&str] = &[
        "0",
        "1",
        "-1",
        "63",
        "64",
        "-64",
        "4294967296",
        "9223372036854775807",
        "-9223372036854775807 - 1",
        "1.5707963267948966192313216916",
        "3.1415926535897932384626433833",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "0.5",
        "-0.5",
        "2.5",
        "1000000.5",
        "\"\"",
        "\"1e-4294967296\"",
        "\"1e99999999999\"",
        "\"79228162514264337593543950336\"",
        "\"-\"",
        "\"x\"",
        "'x'",
        "[]",
        "[1, 2]",
    ];

    fn calls() -> Vec<String> {
        let mut out = Vec::new();
        for name in NAMES {
            out.push(format!("{name}()"));
            for a in VALUES {
                out.push(format!("{name}({a})"));
                for b in VALUES {
                    out.push(format!("{name}({a}, {b})"));
                }
            }
            for a in ["0", "-1", "9223372036854775807", "\"x\"", "1.5"] {
                for b in ["0", "-1", "9223372036854775807", "\"\"", "'y'"] {
                    for c in ["0", "-1", "9223372036854775807", "\"yy\"", "'y'"] {
                        out.push(format!("{name}({a}, {b}, {c})"));
                    }
                }
            }
        }
        for op in ["+", "-", "*", "/", "%", "**", "<<", ">>", "&", "|", "^", "==", "<"] {
            for a in VALUES {
                for b in VALUES {
                    out.push(format!("({a}) {op} ({b})"));
                }
            }
        }
        out
    }

    /// Issue 19 item 2: Rhai's decimal `tan`, `sin` and `cos` panicked inside rust_decimal.
    /// No function of the sandbox panics, whatever its arguments. The calls are compiled
    /// 500 to a block (as functions `f0`, `f1`, ...) and each is called on its own.
    #[test]
    fn no_sandbox_function_panics() {
        let mut panics = Vec::new();
        for chunk in calls().chunks(500) {
            let source: String =
                chunk.iter().enumerate().map(|(i, call)| format!("fn f{i}() {{ {call} }}\n")).collect();
            let span = Span::new(0, source.len());
            let (scripts, errors) = Scripts::compile(&[(&source, span)], &source, ScriptLimits::default());
            assert!(errors.is_empty(), "{errors:?}");
            for (i, call) in chunk.iter().enumerate() {
                let index = scripts.find(&format!("f{i}"), 0).unwrap();
                if let Err(error) = scripts.call(index, &[], span) {
                    if error.message.contains("internal error") {
                        panics.push(format!("{call}: {}", error.message));
                    }
                }
            }
        }
        assert!(panics.is_empty(), "{} panics: {panics:#?}", panics.len());
    }

    /// Issue 19 item 2: `sleep(n)` blocked for n seconds, uncounted by the operation limit;
    /// other functions of Rhai's core package (`parse_json`, `exit`, tags) are gone with it.
    #[test]
    fn sleep_and_the_core_package_are_gone() {
        for call in ["sleep(1)", "sleep(0)", "parse_json(\"{}\")", "exit()", "tag(1)", "blob(10)"] {
            let message = run(call).unwrap_err();
            assert!(message.contains("Function not found"), "{call}: {message}");
        }
    }
}

/// Issue 19 item 13: `Debug` of `Diagnostics` (what `?` from `main` prints) showed the
/// whole source; it shows the rendered diagnostics.
#[test]
fn debug_of_diagnostics_is_the_rendering() {
    let source = format!("currency USD\nroles clerk\nrule r\n  clerk may comp\n# {}\n", "secret ".repeat(50));
    let err = Policy::parse_named("store.policy", &source).unwrap_err();
    let debug = format!("{err:?}");
    assert_eq!(debug, err.render(false));
    assert!(debug.contains("error[E0103]: unknown gesture `comp`"), "{debug}");
    assert!(!debug.contains("secret"), "{debug}");
}

/// Issue 19 item 13: the chrono types of the public API are re-exported from the root.
#[test]
fn the_time_types_of_the_api_come_from_the_crate_root() {
    let now: extramile::DateTime<extramile::FixedOffset> = "2026-11-22T10:00:00Z".parse().unwrap();
    let _ = extramile::Request::new("clerk", now);
    let date: extramile::NaiveDate = "2026-11-22".parse().unwrap();
    assert!(matches!(extramile::value::Value::Date(date), extramile::value::Value::Date(d) if d == date));
}

/// Issue 19 item 10: syntax errors stopped at the first; every broken top-level item
/// reports its own, at its own line, and the items that parse add nothing.
#[test]
fn every_broken_item_reports_its_syntax_error() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/diagnostics/several_broken_items.policy"
    ))
    .unwrap();
    let diagnostics = Policy::check("p.policy", &source);
    let lines: Vec<u32> = diagnostics.items().iter().map(|d| diagnostics.line_column(d.span).line).collect();
    assert_eq!(lines, [15, 18, 21], "{}", diagnostics.render(false));
    assert!(diagnostics.items().iter().all(|d| d.code == "E0001"));
}

/// Issue 19 item 9: a misspelt, capitalised or foreign keyword says so and suggests the
/// keyword, instead of `expected 'may', found ...`; an unquoted value of a `one of` fact
/// suggests the quoted text.
#[test]
fn wrong_keywords_are_named_with_the_keyword_meant() {
    let head = "currency USD\nroles associate < supervisor\nfacts\n  incident.kind: one of \"broken_item\", \"late\"\ngestures\n  comp: amount\n  thank_you_note\n";
    let cases = [
        ("rule r\n  sugest thank_you_note\n", "unknown keyword `sugest`", "did you mean `recommend`?"),
        ("Rule late_delivery\n  associate may comp\n", "keywords are lowercase: `Rule`", "write `rule`"),
        ("rule r\n  associate mya comp\n", "unknown keyword `mya`", "did you mean `may`?"),
        (
            "rule r\n  whne incident.kind is \"late\"\n  associate may comp\n",
            "unknown keyword `whne`",
            "did you mean `when`?",
        ),
        (
            "rule r\n  when incident.kind is broken_item\n  associate may comp up to $5\n",
            "unknown fact `broken_item`",
            "`broken_item` is a value of `incident.kind`: texts are quoted, as in `\"broken_item\"`",
        ),
    ];
    for (body, message, help) in cases {
        let diagnostics = Policy::check("p.policy", &format!("{head}{body}"));
        let first = diagnostics.items().iter().find(|d| d.is_error()).unwrap();
        assert_eq!((first.message.as_str(), first.help.as_deref()), (message, Some(help)), "{body}");
    }
}
