//! Hostile and malformed input, snapshot-tested like `golden.rs`.
//!
//! - `corpus/hostile/NAME.policy` (read as bytes: some are not UTF-8): either the policy
//!   does not load, and every error has a line and column and none is internal (`E0000`);
//!   or it loads (runaway scripts), and evaluating it reports errors with a line and column
//!   and offers nothing the failing rule granted. The snapshot is the rendered diagnostics,
//!   or the decision's errors.
//! - `corpus/incidents/NAME.json`: malformed incidents against `corpus/incidents/policy.policy`.
//!   Each gives an error naming the fact path (or refuses the request), and never an offer
//!   that depends on the bad fact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use extramile::{Policy, Request};
use serde_json::json;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().expect("no panic, no stack overflow")
}

#[test]
fn hostile_policies_are_refused_with_positions_or_fail_safe() {
    insta::glob!("corpus/hostile/*.policy", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("policy").to_string();
        let outcome = on_small_stack(move || outcome(&name, &bytes));
        insta::assert_snapshot!(outcome);
    });
}

fn outcome(name: &str, bytes: &[u8]) -> String {
    let diagnostics = Policy::check_bytes(name, bytes);
    if diagnostics.has_errors() {
        for diagnostic in diagnostics.items() {
            assert_ne!(diagnostic.code, "E0000", "{name}: internal error {diagnostic:?}");
            let at = diagnostics.line_column(diagnostic.span);
            assert!(at.line >= 1 && at.column >= 1, "{name}: {diagnostic:?}");
        }
        let rendered = diagnostics.render(false);
        assert!(rendered.matches(&format!("--> {name}:")).count() >= diagnostics.error_count(), "{rendered}");
        return rendered;
    }
    let policy = Policy::parse_bytes(name, bytes, Default::default()).unwrap();
    let facts = json!({"order": {"total": 50, "placed": "2026-11-20T10:00:00Z"}, "customer": {"tier": "gold"}});
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let start = std::time::Instant::now();
    let decision = policy.evaluate(&facts, &Request::new("boss", now)).unwrap();
    assert!(start.elapsed().as_secs() < 10, "{name}: evaluation took {:?}", start.elapsed());
    assert!(!decision.errors.is_empty(), "{name} loads, so it must fail when evaluated");
    for problem in &decision.errors {
        assert!(problem.line >= 1 && problem.column >= 1, "{name}: {problem:?}");
    }
    let comp_offered = decision.offers.iter().flat_map(|o| &o.one_of).any(|g| g.gesture == "comp");
    assert!(!comp_offered, "{name}: the failing grant offers nothing");
    let gift_card = decision.offers.iter().flat_map(|o| &o.one_of).any(|g| g.gesture == "gift_card");
    assert!(gift_card, "{name}: the other grant of the rule still stands");
    serde_json::to_string_pretty(&decision.errors).unwrap()
}
