//! The example policies on arbitrary JSON facts (seeded with the example incidents). The
//! first byte picks the policy, the role and `now`; the rest is the facts. Checks: no panic,
//! determinism, the rule index never changes a decision (trace on and off agree), and no
//! offer of a zero or negative amount.
#![no_main]

use extramile::{Decision, Policy, Request};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const SOURCES: [&str; 4] = [
    include_str!("../../examples/store/store.policy"),
    include_str!("../../examples/hotel/hotel.policy"),
    include_str!("../../examples/ecommerce/ecommerce.policy"),
    include_str!("../../examples/saas/saas.policy"),
];

const NOWS: [&str; 2] = ["2026-11-22T10:00:00-05:00", "2027-02-28T23:59:59Z"];

fn policies() -> &'static Vec<Policy> {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| SOURCES.iter().filter_map(|s| Policy::parse(s).ok()).collect())
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, facts)) = data.split_first() else { return };
    let Ok(facts) = std::str::from_utf8(facts) else { return };
    let policies = policies();
    assert_eq!(policies.len(), SOURCES.len(), "the example policies load");
    let policy = &policies[usize::from(selector) % policies.len()];
    let roles = policy.roles();
    let role = &roles[usize::from(selector / 4) % roles.len()];
    let now = chrono::DateTime::parse_from_rfc3339(NOWS[usize::from(selector / 128) % 2]).unwrap_or_default();
    let plain = Request::new(role.clone(), now);
    let Ok(decision) = policy.evaluate_str(facts, &plain) else { return };
    let again = policy.evaluate_str(facts, &plain).ok();
    assert_eq!(Some(&decision), again.as_ref(), "deterministic");
    let json = serde_json::to_string(&decision).unwrap_or_default();
    assert!(json.starts_with('{'));
    let mut traced: Decision = match policy.evaluate_str(facts, &plain.clone().with_trace(true)) {
        Ok(d) => d,
        Err(err) => panic!("trace changes acceptance: {err}"),
    };
    traced.trace = None;
    assert_eq!(traced, decision, "the rule index never changes a decision");
    for offer in &decision.offers {
        for gesture in &offer.one_of {
            if let Some(amount) = gesture.up_to {
                assert!(amount > extramile::Decimal::ZERO, "offered a non-positive amount: {json}");
            }
        }
    }
});
