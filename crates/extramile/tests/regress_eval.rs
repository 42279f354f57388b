//! Regression tests for the evaluator's defects of issue 19: alike offers that named one
//! rule with another's priority, and offers and approvals from many grants of one gesture.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "tests fail loudly")]

use extramile::{Decision, Policy, Request};
use serde_json::json;

fn decide(source: &str, role: &str) -> Decision {
    let policy = Policy::parse(source).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    policy.evaluate(&json!({}), &Request::new(role, now)).unwrap()
}

/// Each offer as `rule:priority` with its gestures.
fn offers(decision: &Decision) -> Vec<String> {
    decision
        .offers
        .iter()
        .map(|offer| {
            let gestures: Vec<String> = offer
                .one_of
                .iter()
                .map(|g| format!("{}{}", g.gesture, g.up_to.map(|a| format!(" {a}")).unwrap_or_default()))
                .collect();
            format!("{}:{} {}", offer.rule, offer.priority, gestures.join(" | "))
        })
        .collect()
}

const HEADER: &str = "currency USD\nroles clerk < boss < chief\ngestures\n  comp: amount\n  replace: item\n  note\n";

/// Item 18: two rules making the same choice appear as one offer, which names a rule with
/// that rule's own priority (it named the first rule with the second's higher priority).
#[test]
fn alike_offers_name_a_rule_with_its_own_priority() {
    let source = format!(
        "{HEADER}rule low\n  clerk may comp up to $5 or replace an item\n\n\
         rule middle\n  priority 5\n  clerk may note\n\n\
         rule high\n  priority 5\n  clerk may comp up to $3 or replace an item\n"
    );
    let decision = decide(&source, "clerk");
    // `high` has the higher priority: the choice is its offer, after `middle` (equal
    // priority, earlier in the source). The amount is still the most generous grant's.
    assert_eq!(offers(&decision), ["middle:5 note", "high:5 comp 5.00 | replace"]);
    assert_eq!(decision.offers[1].one_of[0].limited_by.as_deref(), Some("low"));
    for offer in &decision.offers {
        let priority = if offer.rule == "low" { 0 } else { 5 };
        assert_eq!(offer.priority, priority, "{} has priority {priority}", offer.rule);
    }
}

#[test]
fn alike_offers_of_equal_priority_name_the_first_rule() {
    let source =
        format!("{HEADER}rule a\n  priority 2\n  clerk may note\n\nrule b\n  priority 2\n  clerk may note\n\nrule c\n  clerk may note\n");
    assert_eq!(offers(&decide(&source, "clerk")), ["a:2 note"]);
}

/// Many grants of one gesture to several roles: each role's offer and each approval is the
/// most generous grant to it or a role below, named by the first rule that gave it.
#[test]
fn approvals_climb_the_ladder_over_repeated_grants() {
    let source = format!(
        "{HEADER}rule a\n  boss may comp up to $20\n  clerk may comp up to $10\n  chief may comp up to $20\n\n\
         rule b\n  boss may comp up to $20\n  chief may comp up to $50\n  clerk may comp up to $10\n  \
         chief may replace an item\n  clerk may comp up to $4\n"
    );
    let decision = decide(&source, "clerk");
    assert_eq!(offers(&decision), ["a:0 comp 10.00"]);
    let approvals: Vec<String> = decision
        .needs_approval
        .iter()
        .map(|a| format!("{} {} {:?} {}", a.gesture, a.approver, a.up_to.map(|u| u.to_string()), a.rule))
        .collect();
    assert_eq!(approvals, ["comp boss Some(\"20.00\") a", "comp chief Some(\"50.00\") b", "replace chief None b",]);
    let decision = decide(&source, "boss");
    assert_eq!(offers(&decision), ["a:0 comp 20.00"]);
    assert_eq!(decision.needs_approval.len(), 2, "{:?}", decision.needs_approval);
    assert_eq!(decision.needs_approval[0].up_to.map(|u| u.to_string()).as_deref(), Some("50.00"));
}
