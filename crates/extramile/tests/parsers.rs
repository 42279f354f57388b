//! The hand-written parser and the pest parser give the same AST, spans included, wherever
//! the hand-written one gives one; and it gives one for every policy of the repository that
//! parses and has no script block. Checked on the repository's policies, on edits of them
//! (characters deleted, inserted or swapped, which mostly break them), and on generated
//! policies with every construct, odd spacing, comments and continued lines.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::syntax::{depth, fast, parser};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn policies() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "policy") {
                // Some hostile policies are not UTF-8 on purpose.
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in ["examples", "crates/extramile/tests/corpus", "benches/reference", "docs"] {
        walk(&root.join(dir), &mut out);
    }
    assert!(out.len() > 150, "found only {} policies", out.len());
    out
}

/// Where the fast parser gives an AST, pest gives the same one. Both run, as in
/// `parser::parse`, only on sources that pass the depth pre-scan.
fn agree(source: &str) -> Result<bool, String> {
    if depth::check_depth(source, depth::DEFAULT_MAX_EXPRESSION_DEPTH).is_err() {
        return Ok(false);
    }
    match fast::parse(source) {
        None => Ok(false),
        Some(fast) => match parser::parse_with_pest(source) {
            Ok(pest) if pest == fast => Ok(true),
            Ok(pest) => Err(format!("different ASTs\nfast: {fast:#?}\npest: {pest:#?}")),
            Err(err) => Err(format!("fast parsed what pest refuses: {}", err.message)),
        },
    }
}

#[test]
fn both_parsers_agree_on_every_policy_of_the_repository() {
    let mut handled = 0;
    for (path, source) in policies() {
        let fast = agree(&source).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let pest_parses = parser::parse(&source).is_ok();
        if pest_parses && !source.contains("\"\"\"") {
            assert!(fast, "{}: the fast parser gave up on a policy that parses", path.display());
        }
        handled += usize::from(fast);
    }
    assert!(handled > 40, "the fast parser read only {handled} policies");
}

/// A policy of the repository, edited at a generated place.
fn edited() -> impl Strategy<Value = String> {
    let sources: Vec<String> = policies().into_iter().map(|(_, text)| text).collect();
    let edits = prop_oneof![
        Just(""),
        Just(" "),
        Just("\n"),
        Just("\t"),
        Just("#"),
        Just("\""),
        Just("("),
        Just(")"),
        Just(","),
        Just("-"),
        Just("."),
        Just("%"),
        Just("$"),
        Just("0"),
        Just(" or "),
        Just(" and "),
        Just("\n  or "),
        Just(" not "),
        Just(" between 1 and 2"),
        Just(" of "),
        Just("\\"),
        Just("today"),
        Just(" days since "),
        Just("\r\n"),
    ];
    (prop::sample::select(sources), any::<prop::sample::Index>(), 0_usize..3, edits).prop_map(
        |(source, at, deleted, inserted)| {
            let mut at = at.index(source.len().max(1)).min(source.len());
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + deleted).min(source.len());
            while !source.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{inserted}{}", &source[..at], &source[end..])
        },
    )
}

/// Policies with every construct, odd spacing and comments.
fn generated() -> impl Strategy<Value = String> {
    let space = prop_oneof![4 => Just(" "), 1 => Just("  "), 1 => Just("\t"), 1 => Just(" # note\n  ")];
    let operand = prop_oneof![
        Just("order.total"),
        Just("customer.tier"),
        Just("$50"),
        Just("€12.50"),
        Just("50 USD"),
        Just("10%"),
        Just("3 days"),
        Just("2026-05-01"),
        Just("2026-05-01T10:00Z"),
        Just("2026-05-01T10:00:30.5+02:00"),
        Just("true"),
        Just("\"gold\""),
        Just("\"a \\\"b\\\"\""),
        Just("[\"a\", \"b\",]"),
        Just("[]"),
        Just("min(order.total, $20)"),
        Just("round(order.total / 3, 2)"),
        Just("days since order.placed"),
        Just("hours until next customer.birthday"),
        Just("now"),
        Just("today"),
        Just("(order.total - $5)"),
        Just("-order.total"),
        Just("not flags.vip"),
        Just("12"),
        Just("0.5"),
    ];
    let operator = prop_oneof![
        Just("is"),
        Just("is not"),
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("in"),
        Just("not in"),
        Just("contains"),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("of"),
        Just("and"),
        Just("or"),
        Just("\n    and"),
        Just("\n    or"),
        Just("between 1 and"),
        Just("not between $1 and"),
    ];
    let condition = (prop::collection::vec((operand.clone(), operator, space.clone()), 1..5), operand.clone())
        .prop_map(|(parts, last)| {
            let mut text = String::new();
            for (operand, operator, space) in parts {
                text.push_str(&format!("{operand}{space}{operator} "));
            }
            text.push_str(last);
            text
        });
    let statement = prop_oneof![
        condition.clone().prop_map(|c| format!("when {c}")),
        Just("priority 10".to_string()),
        Just("priority -3".to_string()),
        Just("associate may comp up to $50 or replace a broken item".to_string()),
        Just("associate may comp up to min(25% of order.total, $50)\n    or replace \"the vase\"".to_string()),
        Just("supervisor may refund".to_string()),
        Just("owe compensation of €400".to_string()),
        Just("owe refund for the lost parcel".to_string()),
        Just("recommend follow_up in 3 days".to_string()),
        Just("recommend gift_card of $10 in 2 weeks".to_string()),
        Just("escalate to manager because \"big\"".to_string()),
        Just("escalate to manager\n    because \"on the next line\"".to_string()),
        Just("never gift_card because \"no\"".to_string()),
        Just("never comp, refund".to_string()),
    ];
    let rule = (prop::collection::vec(statement, 0..5), prop::bool::ANY, space.clone()).prop_map(
        |(statements, titled, space)| {
            let title = if titled { " \"A title\"" } else { "" };
            let mut text = format!("rule r{space}{title}\n");
            for statement in statements {
                text.push_str(&format!("  {statement}\n"));
            }
            text
        },
    );
    let top = prop_oneof![
        rule,
        condition.prop_map(|c| format!("never comp, gift_card when {c}\n  because \"too much\"\n")),
        Just("limit comp to $200 per customer per 90 days, already used customer.comped\n".to_string()),
        Just("limit comp to $200\n".to_string()),
        Just("limit comp to $200, already used $5\n".to_string()),
    ];
    prop::collection::vec(top, 0..5).prop_map(|items| {
        let mut text = String::from(
            "# A policy\npolicy \"Generated\"\ncurrency USD\nroles associate < supervisor < manager\n\nfacts\n  \
             order.total: money\n  customer.tier: one of \"basic\", \"gold\", default \"basic\"\n  \
             flags.vip: boolean, default false # comment\n  order.placed: date\n  customer.birthday: date\n  \
             items: list of list of text, default []\n\ngestures\n  comp: amount\n  replace: item\n  \
             follow_up: due\n  refund\n\n",
        );
        for item in items {
            text.push_str(&item);
            text.push('\n');
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn both_parsers_agree_on_edited_policies(source in edited()) {
        if let Err(err) = agree(&source) {
            prop_assert!(false, "{err}\nsource:\n{source}");
        }
    }

    #[test]
    fn both_parsers_agree_on_generated_policies(source in generated()) {
        match agree(&source) {
            Err(err) => prop_assert!(false, "{err}\nsource:\n{source}"),
            // Generated policies parse, so the fast parser must read them.
            Ok(handled) => prop_assert!(handled || parser::parse_with_pest(&source).is_err(), "gave up on:\n{source}"),
        }
    }
}
