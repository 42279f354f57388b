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

/// Item 11: keys of the facts that lead to no declared fact.
const KEYS_POLICY: &str = "currency USD\nroles clerk\nfacts\n  customer.tier: one of \"basic\", \"gold\", default \"basic\"\n  \
                           order.total: money, default $0\n  order.lines: list of text, default []\n  late: boolean, default false\n\
                           gestures\n  comp: amount\nrule gold\n  when customer.tier is \"gold\"\n  clerk may comp up to $5\n";

/// The decision's warnings as `fact: message`, by every reader of the facts: the JSON tree,
/// the JSON text, the JSON contract and facts read in advance. All must agree.
fn key_warnings(facts: &serde_json::Value) -> Vec<String> {
    let policy = Policy::parse(KEYS_POLICY).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let request = Request::new("clerk", now);
    let show = |decision: &Decision| -> Vec<String> {
        decision.warnings.iter().map(|w| format!("{}: {}", w.fact.as_deref().unwrap_or("-"), w.message)).collect()
    };
    let by_tree = show(&policy.evaluate(facts, &request).unwrap());
    let by_text = show(&policy.evaluate_str(&facts.to_string(), &request).unwrap());
    let contract = format!(r#"{{"facts": {facts}, "role": "clerk", "now": "2026-11-22T10:00:00Z"}}"#);
    let by_contract: Decision = serde_json::from_str(&policy.evaluate_json(&contract).unwrap()).unwrap();
    let read_once = policy.facts(facts).unwrap();
    let by_facts = show(&policy.evaluate_facts(&read_once, &request).unwrap());
    assert_eq!(by_tree, by_text, "{facts}");
    assert_eq!(by_tree, show(&by_contract), "{facts}");
    assert_eq!(by_tree, by_facts, "{facts}");
    by_tree
}

#[test]
fn a_misspelt_key_is_a_warning_with_the_closest_declared_path() {
    assert_eq!(
        key_warnings(&json!({"custmer": {"tier": "gold"}})),
        ["custmer: `custmer` is not a declared fact or part of one: it is ignored; did you mean `customer`?"]
    );
    assert_eq!(
        key_warnings(&json!({"customer": {"teir": "gold"}, "order": {"total": 5}})),
        ["customer.teir: `customer.teir` is not a declared fact or part of one: it is ignored; did you mean `customer.tier`?"]
    );
    assert_eq!(
        key_warnings(&json!({"ticket_number": 12})),
        ["ticket_number: `ticket_number` is not a declared fact or part of one: it is ignored"]
    );
}

#[test]
fn keys_inside_values_and_inside_unknown_keys_are_not_warned_about() {
    let facts = json!({
        "order": {"total": {"amount": "5.00", "currency": "USD"}, "lines": ["a"]},
        "late": true,
        "notes": {"custmer": {"tier": 1}},
        "customer": {"tier": "basic"}
    });
    assert_eq!(key_warnings(&facts), ["notes: `notes` is not a declared fact or part of one: it is ignored"]);
    assert!(key_warnings(&json!({"customer": {"tier": "gold"}, "order": {"total": 1}})).is_empty());
}

#[test]
fn many_unknown_keys_name_the_first_ten_by_path_and_count_the_rest() {
    let mut facts = serde_json::Map::new();
    for i in (0..13).rev() {
        facts.insert(format!("extra{i:02}"), json!(i));
    }
    let warnings = key_warnings(&serde_json::Value::Object(facts));
    assert_eq!(warnings.len(), 11);
    assert!(warnings[0].starts_with("extra00: "), "{warnings:?}");
    assert!(warnings[9].starts_with("extra09: "), "{warnings:?}");
    assert_eq!(warnings[10], "-: and 3 more keys that are not declared facts or part of one: they are ignored");
}

#[test]
fn a_strict_request_refuses_an_unknown_key_by_every_reader() {
    let policy = Policy::parse(KEYS_POLICY).unwrap();
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let strict = Request::new("clerk", now).with_strict(true);
    let facts = json!({"customer": {"teir": "gold"}, "order": {"total": 5}});
    let expected =
        extramile::RequestError::UnknownKey { path: "customer.teir".into(), suggestion: Some("customer.tier".into()) };
    assert_eq!(policy.evaluate(&facts, &strict).unwrap_err(), expected);
    assert_eq!(policy.evaluate_str(&facts.to_string(), &strict).unwrap_err(), expected);
    assert_eq!(policy.evaluate_facts(&policy.facts(&facts).unwrap(), &strict).unwrap_err(), expected);
    let contract = format!(
        r#"{{"facts": {facts}, "role": "clerk", "now": "2026-11-22T10:00:00Z", "options": {{"strict": true}}}}"#
    );
    let err = policy.evaluate_json(&contract).unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!({"kind": "unknown_key", "path": "customer.teir", "suggestion": "customer.tier"})
    );
    assert_eq!(
        err.to_string(),
        "unknown key `customer.teir` in the facts: the policy declares no fact there; did you mean `customer.tier`?"
    );
    // Declared keys only: strict changes nothing.
    let fine = json!({"customer": {"tier": "gold"}});
    assert_eq!(policy.evaluate(&fine, &strict).unwrap().offers.len(), 1);
}

#[test]
fn the_incident_schema_describes_every_declared_fact() {
    let policy = Policy::parse(
        "currency USD\nroles clerk\nfacts\n  incident.kind: one of \"broken\", \"late\"\n  incident.at: time\n  \
         order.total: money\n  order.placed: date\n  order.count: number, default 1\n  late_by: duration, default 0 minutes\n  \
         flags: list of text, default []\n  vip: boolean, default false\n  note: text\n",
    )
    .unwrap();
    let schema = policy.incident_schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["incident", "order", "note"]));
    let properties = &schema["properties"];
    assert_eq!(properties["incident"]["required"], json!(["kind", "at"]));
    assert_eq!(properties["incident"]["properties"]["kind"], json!({"enum": ["broken", "late"]}));
    assert_eq!(properties["incident"]["properties"]["at"]["format"], "date-time");
    let total = &properties["order"]["properties"]["total"];
    let forms: Vec<_> = total["anyOf"].as_array().unwrap().iter().map(|form| form["type"].clone()).collect();
    assert_eq!(forms, [json!("number"), json!("string"), json!("object")]);
    assert_eq!(properties["order"]["properties"]["placed"], json!({"type": "string", "format": "date"}));
    assert_eq!(properties["order"]["properties"]["count"], json!({"type": ["number", "null"], "default": 1}));
    assert_eq!(properties["order"]["required"], json!(["total", "placed"]));
    assert_eq!(properties["late_by"]["type"], json!(["string", "null"]));
    assert_eq!(properties["late_by"]["default"], "0 seconds");
    assert_eq!(properties["flags"], json!({"type": ["array", "null"], "items": {"type": "string"}, "default": []}));
    assert_eq!(properties["vip"], json!({"type": ["boolean", "null"], "default": false}));
    assert_eq!(properties["note"], json!({"type": "string"}));
}
