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
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

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

const NOW: &str = "2026-11-22T10:00:00Z";

fn incident_policy() -> Policy {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/incidents/policy.policy")).unwrap();
    Policy::parse_named("policy.policy", &source).unwrap()
}

/// The gestures granted by the rules that read `path`.
fn gestures_reading(path: &str) -> Vec<String> {
    let fact = path.split('[').next().unwrap_or(path);
    let last = fact.rsplit('.').next().unwrap_or(fact);
    let mut gestures = vec![format!("g_{last}")];
    if fact == "order.total" {
        gestures.push("g_refund".to_string());
    }
    gestures
}

fn offered(decision: &extramile::Decision) -> Vec<String> {
    decision.offers.iter().flat_map(|o| &o.one_of).map(|g| g.gesture.to_string()).collect()
}

#[test]
fn the_valid_baseline_incident_offers_every_gesture() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/incidents/valid_baseline.json"))
            .unwrap();
    let decision = incident_policy().evaluate_str(&text, &Request::new("boss", NOW.parse().unwrap())).unwrap();
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    assert_eq!(offered(&decision).len(), 11, "{:?}", offered(&decision));
}

#[test]
fn malformed_incidents_name_the_fact_and_never_grant_because_of_it() {
    let policy = incident_policy();
    insta::glob!("corpus/incidents/*.json", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if name == "valid_baseline.json" {
            return;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let request = Request::new("boss", NOW.parse().unwrap());
        match policy.evaluate_str(&text, &request) {
            Err(err) => {
                assert!(name.starts_with("request_"), "{name} was refused as a whole: {err}");
                insta::assert_snapshot!(err.to_string());
            }
            Ok(decision) => {
                assert!(!name.starts_with("request_"), "{name} should be refused");
                let facts: serde_json::Value = serde_json::from_str(&text).unwrap();
                let broken: Vec<String> =
                    facts["_broken"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
                let offers = offered(&decision);
                for path in &broken {
                    let problem = decision.errors.iter().find(|p| p.fact.as_deref() == Some(path.as_str()));
                    let problem =
                        problem.unwrap_or_else(|| panic!("{name}: no error names `{path}`: {:?}", decision.errors));
                    assert!(problem.message.contains(&format!("`{path}`")), "{name}: {}", problem.message);
                    for gesture in gestures_reading(path) {
                        assert!(!offers.contains(&gesture), "{name}: `{gesture}` offered despite a bad `{path}`");
                    }
                }
                // The failure stays local: every gesture that reads no broken fact is offered.
                let blocked: Vec<String> = broken.iter().flat_map(|p| gestures_reading(p)).collect();
                assert_eq!(offers.len() + blocked.len(), 11, "{name}: {offers:?}");
                let messages: Vec<String> =
                    decision.errors.iter().map(|p| format!("{}: {}", p.rule, p.message)).collect();
                insta::assert_snapshot!(messages.join("\n"));
            }
        }
    });
}

fn baseline() -> serde_json::Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/incidents/valid_baseline.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn oversized_texts_and_lists_are_errors_of_their_fact() {
    let policy = incident_policy();
    let request = Request::new("boss", NOW.parse().unwrap());
    let mut facts = baseline();
    facts["customer"]["name"] = json!("x".repeat(70_000));
    facts["customer"]["flags"] = json!(vec!["vip"; 20_000]);
    let decision = policy.evaluate(&facts, &request).unwrap();
    let messages: Vec<&str> = decision.errors.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages.contains(&"fact `customer.name` is a text of 70000 bytes: more than the limit of 65536"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"fact `customer.flags` is a list of 20000 elements: more than the limit of 10000"),
        "{messages:?}"
    );
    let offers = offered(&decision);
    assert!(!offers.contains(&"g_name".to_string()) && !offers.contains(&"g_flags".to_string()));
    assert_eq!(offers.len(), 9);
}

#[test]
fn facts_nested_too_deeply_are_refused_naming_the_path() {
    let policy = incident_policy();
    let request = Request::new("boss", NOW.parse().unwrap());
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!({ "a": deep });
    }
    let mut facts = baseline();
    facts["extra"] = json!([deep]);
    let err = policy.evaluate(&facts, &request).unwrap_err().to_string();
    assert!(err.starts_with("invalid request: facts: `extra[0].a.a.a."), "{err}");
    assert!(err.ends_with("` is nested more than 32 levels deep"), "{err}");
}
