//! Resource limits: hostile policies and incidents get a clear diagnostic or error, never a
//! stack overflow, a hang or a grant. Runs each case on a 2 MiB thread (the default for
//! test threads, and more than the WASM build's stack), in debug builds too.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::{LoadOptions, Policy, Request};
use serde_json::json;

const HEADER: &str = "currency USD\nroles clerk < boss\nfacts\n  order.total: money\n  order.when: date\n  customer.flags: list of text, default []\n  customer.note: text, default \"\"\ngestures\n  comp: amount\n";

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().expect("no stack overflow")
}

fn policy_with_condition(condition: &str) -> String {
    format!("{HEADER}rule r\n  when {condition}\n  clerk may comp up to $5\n")
}

/// Conditions of each recursive construct, `n` levels deep.
fn deep(kind: &str, n: usize) -> String {
    match kind {
        "not" => format!("{}order.total > $1", "not ".repeat(n - 1)),
        "neg" => format!("{}order.total > $1", "-".repeat(n - 1)),
        "plus" => format!("order.total{} > $3", " + $1".repeat(n - 1)),
        "and" => {
            format!("order.total > $1{}", " and order.total > $1".repeat(n)).replacen(" and order.total > $1", "", 1)
        }
        "or" => format!("order.total < $1{}", " or order.total > $1".repeat(n / 2 - 1)).replace(" < ", " > "),
        "of" => format!("{}order.total > $0", "100% of ".repeat(n - 1)),
        "paren" => format!("{}order.total > $1{}", "(".repeat(n - 1), ")".repeat(n - 1)),
        "list" => format!("\"a\" in {}\"a\"{}", "[".repeat(n), "]".repeat(n)),
        "call" => format!("{}order.total{} > $1", "min(".repeat(n - 1), ")".repeat(n - 1)),
        "since" => format!("{}order.when > 1", "days since ".repeat(n)),
        _ => unreachable!(),
    }
}

const KINDS: &[&str] = &["not", "neg", "plus", "and", "or", "of", "paren", "list", "call", "since"];

#[test]
fn huge_nesting_is_a_diagnostic_with_a_position_not_a_stack_overflow() {
    for kind in KINDS {
        for n in [1_000, 100_000] {
            let source = policy_with_condition(&deep(kind, n));
            let rendered = on_small_stack(move || Policy::check("deep.policy", &source).render(false));
            assert!(rendered.contains("error[E0007]: this expression is too deep"), "{kind} x{n}: {rendered}");
            assert!(rendered.contains("--> deep.policy:11:"), "{kind} x{n} has a line and column: {rendered}");
        }
    }
}

#[test]
fn expressions_at_the_default_limit_load_and_evaluate_on_a_small_stack() {
    let facts = json!({"order": {"total": 10, "when": "2026-01-01"}});
    let limit = LoadOptions::default().max_expression_depth;
    for kind in KINDS {
        // The deepest form of this construct that the pre-scan accepts: whatever it
        // accepts must be safe.
        let accepted =
            |n: usize| extramile::syntax::depth::check_depth(&policy_with_condition(&deep(kind, n)), limit).is_ok();
        let n = (2..=limit + 1).rev().find(|n| accepted(*n)).unwrap();
        assert!(n >= limit / 3, "{kind}: only {n} levels accepted");
        let condition = deep(kind, n);
        let source = policy_with_condition(&condition);
        let facts = facts.clone();
        let outcome = on_small_stack(move || match Policy::parse(&source) {
            Ok(policy) => {
                let now = "2026-11-22T10:00:00Z".parse().unwrap();
                let decision = policy.evaluate(&facts, &Request::new("clerk", now).with_trace(true)).unwrap();
                format!("loaded, {} offers", decision.offers.len())
            }
            Err(d) => d.render(false),
        });
        assert!(!outcome.contains("E0007"), "{kind} at the limit is accepted: {outcome}");
        if !matches!(*kind, "list" | "since") {
            assert!(outcome.starts_with("loaded"), "{kind} at the limit loads: {outcome}");
        }
    }
}

#[test]
fn the_depth_limit_is_configurable() {
    let source = policy_with_condition(&deep("paren", 20));
    let options = LoadOptions { max_expression_depth: 10, ..LoadOptions::default() };
    let err = Policy::parse_with("p", &source, options).unwrap_err();
    assert_eq!(err.items()[0].code, "E0007");
    assert!(Policy::parse(&source).is_ok());
}

#[test]
fn too_many_rules_is_a_diagnostic() {
    let mut source = HEADER.to_string();
    for i in 0..11 {
        source.push_str(&format!("rule r{i}\n  clerk may comp up to $5\n"));
    }
    let options = LoadOptions { max_rules: 10, ..LoadOptions::default() };
    let err = Policy::parse_with("p", &source, options).unwrap_err();
    let rendered = err.render(false);
    assert!(rendered.contains("error[E0008]: the policy has more than 10 rules"), "{rendered}");
    assert!(rendered.contains("--> p:30:6"), "{rendered}");
}

/// Checks `source` and returns how long it took.
fn timed_check(source: &str) -> (std::time::Duration, extramile::Diagnostics) {
    let start = std::time::Instant::now();
    let diagnostics = Policy::check("big.policy", source);
    (start.elapsed(), diagnostics)
}

#[test]
fn many_declarations_and_unknown_names_check_in_linear_time() {
    let n = 8_000;
    let mut source = String::from("currency USD\nroles ");
    source.push_str(&(0..n).map(|i| format!("role{}", i % (n / 2))).collect::<Vec<_>>().join(" < "));
    source.push_str("\nfacts\n");
    for i in 0..n {
        source.push_str(&format!("  fact{i}.value: money\n  fact{i}: text\n"));
    }
    source.push_str("gestures\n");
    for i in 0..n {
        source.push_str(&format!("  g{i}: amount\n"));
    }
    source.push_str("rule r\n");
    for i in 0..n {
        source.push_str(&format!("  when unknown{i}.x > $1\n  nobody{i} may nothing{i} up to $1\n"));
    }
    let (elapsed, diagnostics) = timed_check(&source);
    assert!(diagnostics.has_errors());
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
}

/// Issue 19, item 4: evaluating was quadratic in the grants of a gesture (each looked for
/// the gesture's most generous grant among all of them, and each offer for an alike one
/// among all offers): 100,000 grant lines took over 20 s a decision. Now n log n: this
/// finishes in well under a second in a release build (no clock is read here).
#[test]
fn a_hundred_thousand_grants_load_and_evaluate() {
    let n = 100_000;
    let mut source = String::from("currency USD\nroles clerk < boss\ngestures\n  comp: amount\n");
    for i in 0..1_000 {
        source.push_str(&format!("  g{i}\n"));
    }
    for rule in 0..2 {
        source.push_str(&format!("rule r{rule}\n"));
        for i in 0..n / 2 {
            let role = if i % 5 == 0 { "boss" } else { "clerk" };
            source.push_str(&format!("  {role} may comp up to ${} or g{}\n", i + 1, i % 1_000));
        }
    }
    source.push_str("  never g999\n");
    let policy = Policy::parse(&source).map_err(|d| d.render(false)).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    for trace in [false, true] {
        let decision = policy.evaluate(&json!({}), &Request::new("clerk", now).with_trace(trace)).unwrap();
        // One offer per g granted to the clerk (every fifth line grants the boss): every
        // other gesture's offers are alike (comp up to the most generous clerk grant,
        // `$50000`, or the same g).
        assert_eq!(decision.offers.len(), 800, "trace {trace}");
        assert_eq!(decision.offers[0].one_of[0].up_to.map(|a| a.to_string()).as_deref(), Some("50000.00"));
        let forbidden_g: Vec<_> = decision.offers.iter().filter(|offer| offer.one_of.len() == 1).collect();
        assert_eq!(forbidden_g.len(), 1, "g999 is forbidden: its offer is comp alone");
        // The g granted to the boss alone; the boss's comp is no more than the clerk's.
        assert_eq!(decision.needs_approval.len(), 200);
        assert!(decision.needs_approval.iter().all(|approval| approval.gesture != "comp"));
    }
    let request = r#"{"facts": {}, "role": "boss", "now": "2026-11-22T10:00:00Z"}"#;
    let decision: serde_json::Value = serde_json::from_str(&policy.evaluate_json(request).unwrap()).unwrap();
    assert_eq!(decision["offers"].as_array().map(Vec::len), Some(1_000));
}

/// Attack sweep, item 2: a ladder of roles with one grant each (each role's approvals by
/// every role above it) and one `never` naming every gesture were quadratic before the
/// offers were grouped by sorting (6.9 s for 8,000 roles, 2.6 s for 16,000 gestures). Both
/// shapes, at the largest sizes the limits allow, with and without a trace.
#[test]
fn a_ladder_of_roles_and_a_never_of_every_gesture_evaluate() {
    let n = 10_000;
    let roles: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
    let mut ladder = format!("currency USD\nroles {}\ngestures\n  comp: amount\n", roles.join(" < "));
    for i in 0..n {
        ladder.push_str(&format!("rule x{i}\n  r{i} may comp up to ${}\n", i + 1));
    }
    let policy = Policy::parse(&ladder).map_err(|d| d.render(false)).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    for trace in [false, true] {
        let decision = policy.evaluate(&json!({}), &Request::new("r0", now).with_trace(trace)).unwrap();
        assert_eq!(decision.offers.len(), 1);
        assert_eq!(decision.needs_approval.len(), n - 1, "one approval per role above");
        let top = policy.evaluate(&json!({}), &Request::new("r9999", now).with_trace(trace)).unwrap();
        assert_eq!(top.offers[0].one_of[0].up_to.map(|a| a.to_string()).as_deref(), Some("10000.00"));
        assert!(top.needs_approval.is_empty());
    }
    let gestures = 64_000;
    let mut never = String::from("currency USD\nroles r0\ngestures\n");
    for i in 0..gestures {
        never.push_str(&format!("  g{i}: amount\n"));
    }
    never.push_str("rule all\n  r0 may g0 up to $1 or g1 up to $1\n");
    never.push_str(&format!(
        "never {} when true\n",
        (0..gestures).map(|i| format!("g{i}")).collect::<Vec<_>>().join(", ")
    ));
    let policy = Policy::parse(&never).map_err(|d| d.render(false)).unwrap();
    for trace in [false, true] {
        let decision = policy.evaluate(&json!({}), &Request::new("r0", now).with_trace(trace)).unwrap();
        assert!(decision.offers.is_empty());
        assert_eq!(decision.forbidden.len(), gestures);
    }
}
