//! The formatter: idempotent, meaning-preserving, comments kept, on every policy we have.

#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::syntax::format::{fingerprint, format};
use extramile::syntax::parser::parse;
use std::path::{Path, PathBuf};

fn policies() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = Vec::new();
    let mut stack = vec![root.join("examples"), root.join("crates/extramile/tests/corpus")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "policy") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn comments_of(source: &str) -> Vec<String> {
    let file = parse(source).unwrap();
    extramile::syntax::format::comments(source, &file).into_iter().map(|c| c.text).collect()
}

#[test]
fn every_policy_formats_to_a_fixed_point_with_the_same_tree_and_comments() {
    let mut formatted = 0;
    for path in policies() {
        // Some hostile policies are not UTF-8 on purpose.
        let Ok(source) = std::fs::read_to_string(&path) else { continue };
        let Ok(tree) = parse(&source) else { continue };
        let once = format(&source).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let reparsed =
            parse(&once).unwrap_or_else(|e| panic!("{}: output does not parse: {e:?}\n{once}", path.display()));
        assert_eq!(fingerprint(&tree), fingerprint(&reparsed), "{}: meaning changed\n{once}", path.display());
        assert_eq!(format(&once).unwrap(), once, "{}: not idempotent", path.display());
        assert_eq!(comments_of(&source), comments_of(&once), "{}: comments changed\n{once}", path.display());
        formatted += 1;
    }
    assert!(formatted >= 50, "only {formatted} policies parsed");
}

#[test]
fn examples_are_already_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for path in policies().into_iter().filter(|p| p.starts_with(&root)) {
        let source = std::fs::read_to_string(&path).unwrap();
        assert_eq!(format(&source).unwrap(), source, "{} is not in canonical form", path.display());
    }
}

#[test]
fn layout_of_a_messy_policy() {
    let messy = r#"# Store policy
policy   "Store"
currency USD


roles associate<supervisor   # who acts
facts
 order.total :money
    customer.tier: one of "gold","silver", default "silver"
gestures
 comp:amount
    replace :item # a new one
rule   big_order    "Big orders"
  priority 5
  when order.total>=$100 and (customer.tier is "gold" or order.total> $500)


  # associates do a lot
  associate may comp up to min(10%of order.total,$50) or replace "a broken item"
  never replace because    "no stock"
    # still in the rule
never comp when customer.tier is "silver"
   and order.total < $10
   because "too small"
limit comp to $200 per customer per 90 days,already used 0 USD
# the end
"#;
    let expected = r#"# Store policy
policy "Store"
currency USD
roles associate < supervisor  # who acts

facts
  order.total: money
  customer.tier: one of "gold", "silver", default "silver"

gestures
  comp: amount
  replace: item  # a new one

rule big_order "Big orders"
  priority 5
  when order.total >= $100 and (customer.tier is "gold" or order.total > $500)

  # associates do a lot
  associate may comp up to min(10% of order.total, $50) or replace a broken item
  never replace because "no stock"
  # still in the rule

never comp when customer.tier is "silver"
  and order.total < $10
  because "too small"

limit comp to $200 per customer per 90 days, already used 0 USD
# the end
"#;
    let tidy = format(messy).unwrap();
    assert_eq!(tidy, expected);
    assert_eq!(fingerprint(&parse(messy).unwrap()), fingerprint(&parse(&tidy).unwrap()));
}

#[test]
fn long_conditions_break_before_and_or() {
    let source = "rule r\n  when customer.lifetime_value > $10000 and incident.kind in [\"late\", \"broken\"] and days since order.delivered <= 30\n  clerk may comp\n";
    let tidy = format(source).unwrap();
    assert_eq!(
        tidy,
        "rule r\n  when customer.lifetime_value > $10000\n    and incident.kind in [\"late\", \"broken\"]\n    and days since order.delivered <= 30\n  clerk may comp\n"
    );
    assert_eq!(format(&tidy).unwrap(), tidy);
}

#[test]
fn parentheses_only_where_the_tree_needs_them() {
    let cases = [
        ("when (a and b) or c", "when a and b or c"),
        ("when a and (b or c)", "when a and (b or c)"),
        ("when not (a and b)", "when not (a and b)"),
        ("when (not a) is b", "when (not a) is b"),
        ("when a is (not b)", "when a is (not b)"),
        ("when x - (y - z) > 0", "when x - (y - z) > 0"),
        ("when (x - y) - z > 0", "when x - y - z > 0"),
        ("when -(x * 2) < 1", "when -(x * 2) < 1"),
        ("when x between (1 + 2) and 5 days", "when x between 1 + 2 and 5 days"),
        ("when (days since (order.placed)) > 1 day", "when days since order.placed > 1 day"),
        ("when 10% of (a + b) > 0", "when 10% of (a + b) > 0"),
    ];
    for (input, expected) in cases {
        let tidy = format(&format!("rule r\n  {input}\n")).unwrap();
        assert_eq!(tidy, format!("rule r\n  {expected}\n"), "{input}");
        let (a, b) = (parse(&format!("rule r\n  {input}\n")).unwrap(), parse(&tidy).unwrap());
        assert_eq!(fingerprint(&a), fingerprint(&b), "{input}");
    }
}

#[test]
fn items_that_would_not_read_back_are_quoted() {
    let source =
        "rule r\n  clerk may replace \"the up-front part\" or replace a broken item or replace \"two  spaces\"\n";
    let tidy = format(source).unwrap();
    assert_eq!(
        tidy,
        "rule r\n  clerk may replace \"the up-front part\" or replace a broken item or replace \"two  spaces\"\n"
    );
}

#[test]
fn hashes_in_strings_scripts_and_scopes_are_not_comments() {
    let source = "policy \"No #1\"\nlimit comp to $5 per \"odd # scope\n\nscript \"\"\"\nfn f() { 1 } # rhai comment\n\"\"\"  # after\n";
    let tidy = format(source).unwrap();
    assert_eq!(comments_of(&tidy), ["# scope", "# after"]);
    assert_eq!(format(&tidy).unwrap(), tidy);
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let error = format("rule r\n  when (a\n").unwrap_err();
    assert_eq!(error.code, "E0001");
}

#[test]
fn long_or_broken_grants_put_each_alternative_on_its_own_line() {
    let source = "rule r\n  clerk may comp up to $5\n    or replace a broken item\n  clerk may comp up to $5 or gift_card up to $5\n";
    let tidy = format(source).unwrap();
    assert_eq!(
        tidy,
        "rule r\n  clerk may comp up to $5\n    or replace a broken item\n  clerk may comp up to $5 or gift_card up to $5\n"
    );
    let file = parse(source).unwrap();
    let extramile::syntax::ast::Item::Rule(rule) = &file.items[0] else { panic!("a rule") };
    let extramile::syntax::ast::Statement::Grant(grant) = &rule.statements[0] else { panic!("a grant") };
    assert_eq!(grant.alternatives.len(), 2, "`or` on the next line continues the grant");
}
