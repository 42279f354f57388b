//! One test per semantic rule of the product brief: fail safe, forbid overrides, limits cap,
//! order independence, monotonicity, determinism, exact money, totality, most generous grant.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::decision::Decision;
use extramile::{Policy, Request};
use serde_json::json;

const HEADER: &str = r#"
policy "Semantics"
currency USD
roles associate < supervisor < manager
facts
  incident.kind: one of "broken_item", "late_delivery", "complaint"
  order.total: money
  customer.flags: list of text, default []
  customer.used: money, default $0
  customer.score: number
gestures
  comp: amount
  gift_card: amount
  replace: item
  follow_up: due
"#;

fn policy(body: &str) -> Policy {
    let source = format!("{HEADER}{body}");
    Policy::parse(&source).unwrap_or_else(|d| panic!("policy does not load:\n{d}"))
}

fn decide(policy: &Policy, facts: serde_json::Value, role: &str) -> Decision {
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    policy.evaluate(&facts, &Request::new(role, now)).unwrap()
}

fn offered(decision: &Decision) -> Vec<(String, Option<String>)> {
    let mut offers: Vec<(String, Option<String>)> = decision
        .offers
        .iter()
        .flat_map(|o| o.one_of.iter().map(|g| (g.gesture.to_string(), g.up_to.map(|a| a.to_string()))))
        .collect();
    offers.sort();
    offers.dedup();
    offers
}

fn broken(total: f64) -> serde_json::Value {
    json!({"incident": {"kind": "broken_item"}, "order": {"total": total}, "customer": {"score": 1}})
}

#[test]
fn a_grant_whose_condition_cannot_be_evaluated_grants_nothing() {
    let p = policy("rule r\n  when customer.score > 5\n  associate may comp up to $50\n");
    let d = decide(&p, json!({"incident": {"kind": "complaint"}, "order": {"total": 10}}), "associate");
    assert!(d.offers.is_empty());
    assert_eq!(d.errors.len(), 1);
    assert_eq!(d.errors[0].fact.as_deref(), Some("customer.score"));
    assert!(d.errors[0].message.contains("is missing"), "{}", d.errors[0].message);
}

#[test]
fn a_grant_whose_amount_cannot_be_evaluated_grants_nothing() {
    let p = policy("rule r\n  associate may comp up to 10% of order.total or replace the item\n");
    let d = decide(&p, json!({"order": {"total": "ten dollars"}}), "associate");
    assert!(d.offers.is_empty(), "the whole choice is withdrawn: {:?}", d.offers);
    assert_eq!(d.errors[0].fact.as_deref(), Some("order.total"));
}

#[test]
fn a_forbid_whose_condition_cannot_be_evaluated_blocks() {
    let p =
        policy("rule r\n  associate may comp up to $50\nnever comp when customer.score < 0 because \"bad score\"\n");
    let d = decide(&p, json!({"order": {"total": 10}}), "associate");
    assert!(d.offers.is_empty());
    assert_eq!(d.forbidden[0].gesture, "comp");
    assert!(d.forbidden[0].reason.contains("could not be checked"));
}

#[test]
fn forbid_overrides_every_grant_and_every_role() {
    let p = policy(
        "rule r\n  associate may comp up to $50\n  manager may comp up to $500\nnever comp when \"fraud\" in customer.flags\n",
    );
    let facts = json!({"order": {"total": 10}, "customer": {"flags": ["fraud"]}});
    for role in ["associate", "supervisor", "manager"] {
        let d = decide(&p, facts.clone(), role);
        assert!(d.offers.is_empty() && d.needs_approval.is_empty(), "{role}: {d:?}");
        assert_eq!(d.forbidden[0].rule, format!("never@{}", HEADER.lines().count() + 4));
    }
}

#[test]
fn limits_cap_every_grant_and_block_when_used_up() {
    let p = policy("rule r\n  associate may comp up to $50\n  supervisor may comp\nlimit comp to $80 per customer, already used customer.used\n");
    let d = decide(&p, json!({"customer": {"used": 60}}), "associate");
    assert_eq!(offered(&d), vec![("comp".to_string(), Some("20.00".to_string()))]);
    assert_eq!(
        d.offers[0].one_of[0].limited_by.as_deref(),
        Some(format!("limit@{}", HEADER.lines().count() + 4).as_str())
    );
    let d = decide(&p, json!({"customer": {"used": 10}}), "supervisor");
    assert_eq!(offered(&d), vec![("comp".to_string(), Some("70.00".to_string()))], "an unbounded grant is capped too");
    let d = decide(&p, json!({"customer": {"used": -150}}), "supervisor");
    assert!(d.offers.is_empty(), "a negative amount used must not raise the cap");
    assert!(d.errors[0].message.contains("negative"), "{:?}", d.errors);
    let d = decide(&p, json!({"customer": {"used": 80}}), "supervisor");
    assert!(d.offers.is_empty());
    assert!(d.forbidden[0].reason.contains("reached"));
}

#[test]
fn limits_combine_by_the_most_generous_grant_not_the_sum() {
    let p = policy("rule small\n  associate may comp up to $20\nrule large\n  associate may comp up to $50\n");
    let d = decide(&p, json!({}), "associate");
    assert_eq!(offered(&d), vec![("comp".to_string(), Some("50.00".to_string()))]);
    assert!(d.offers.iter().all(|o| o.one_of[0].limited_by.as_deref() == Some("large")));
}

#[test]
fn higher_roles_inherit_and_approvals_name_the_lowest_approver() {
    let p = policy(
        "rule r\n  associate may comp up to $50\n  supervisor may comp up to $200\n  manager may comp up to $500\n",
    );
    let d = decide(&p, json!({}), "associate");
    let ladder: Vec<(String, String)> =
        d.needs_approval.iter().map(|a| (a.approver.to_string(), a.up_to.unwrap().to_string())).collect();
    assert_eq!(ladder, vec![("supervisor".into(), "200.00".into()), ("manager".into(), "500.00".into())]);
    let d = decide(&p, json!({}), "manager");
    assert_eq!(offered(&d), vec![("comp".to_string(), Some("500.00".to_string()))]);
    assert!(d.needs_approval.is_empty());
}

#[test]
fn reordering_rules_changes_nothing_but_ties() {
    let rules = [
        "rule a\n  when incident.kind is \"broken_item\"\n  associate may comp up to $30\n",
        "rule b\n  when order.total > $100\n  associate may gift_card up to 5% of order.total\n",
        "rule c\n  when incident.kind is \"broken_item\"\n  supervisor may comp up to $90 or replace the item\n",
        "never gift_card when \"fraud\" in customer.flags\n",
    ];
    let forward = policy(&rules.concat());
    let backward = policy(&rules.iter().rev().copied().collect::<String>());
    for facts in [broken(120.0), broken(50.0), json!({"incident": {"kind": "complaint"}, "order": {"total": 500}})] {
        for role in ["associate", "supervisor", "manager"] {
            let (x, y) = (decide(&forward, facts.clone(), role), decide(&backward, facts.clone(), role));
            assert_eq!(offered(&x), offered(&y));
            let approvals = |d: &Decision| {
                let mut a: Vec<String> = d.needs_approval.iter().map(|a| format!("{a:?}")).collect();
                a.sort();
                a
            };
            assert_eq!(approvals(&x), approvals(&y));
        }
    }
}

#[test]
fn adding_a_grant_never_removes_and_adding_a_forbid_never_adds() {
    let base = "rule a\n  associate may comp up to $30\n";
    let with_grant = format!("{base}rule b\n  associate may gift_card up to $10\n  associate may comp up to $5\n");
    let with_forbid = format!("{base}never comp when order.total > $100\n");
    for total in [50.0, 150.0] {
        let facts = broken(total);
        let before = offered(&decide(&policy(base), facts.clone(), "associate"));
        let after_grant = offered(&decide(&policy(&with_grant), facts.clone(), "associate"));
        assert!(before.iter().all(|o| after_grant.contains(o)), "{before:?} ⊄ {after_grant:?}");
        let after_forbid = offered(&decide(&policy(&with_forbid), facts.clone(), "associate"));
        assert!(after_forbid.iter().all(|o| before.contains(o)), "{after_forbid:?} ⊄ {before:?}");
    }
}

#[test]
fn the_same_inputs_give_byte_identical_json_on_any_thread() {
    let p = policy(
        "rule a\n  when incident.kind is \"broken_item\"\n  associate may comp up to $30 or replace it\n  recommend follow_up in 3 days\nrule b\n  supervisor may gift_card up to 10% of order.total\n",
    );
    let request = r#"{"facts": {"incident": {"kind": "broken_item"}, "order": {"total": 99.99}}, "role": "associate", "now": "2026-11-22T10:00:00+01:00", "options": {"trace": true}}"#;
    let first = p.evaluate_json(request).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let p = p.clone();
            std::thread::spawn(move || p.evaluate_json(request).unwrap())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), first);
    }
    // 10% of 99.99 is 9.999: a bound rounds toward zero.
    assert!(first.contains(r#""up_to":"9.99""#), "{first}");
}

#[test]
fn money_is_exact_and_bounds_round_toward_zero() {
    let p = policy(
        "rule r\n  associate may comp up to 12.5% of order.total\n  supervisor may comp up to order.total / 3\n",
    );
    // An `up to` bound rounds toward zero (never more than the text computes):
    // 12.5% of 0.99 = 0.12375 → 0.12; 12.5% of 0.20 = 0.025 → 0.02.
    assert_eq!(offered(&decide(&p, json!({"order": {"total": 0.99}}), "associate"))[0].1.as_deref(), Some("0.12"));
    assert_eq!(offered(&decide(&p, json!({"order": {"total": 0.20}}), "associate"))[0].1.as_deref(), Some("0.02"));
    // 0.1 + 0.2 style sums stay exact: 100.10 / 3 = 33.3666… → 33.36.
    assert_eq!(
        offered(&decide(&p, json!({"order": {"total": "100.10"}}), "supervisor"))[0].1.as_deref(),
        Some("33.36")
    );
}

#[test]
fn money_overflow_is_an_error_never_a_wrap() {
    let p = policy("rule r\n  associate may comp up to order.total * 100000000000000000000\n");
    let d = decide(&p, json!({"order": {"total": "79228162514264337593543950"}}), "associate");
    assert!(d.offers.is_empty());
    assert!(d.errors[0].message.contains("overflow"), "{:?}", d.errors);
}

#[test]
fn a_money_fact_in_another_currency_is_an_error_not_a_conversion() {
    let p = policy("rule r\n  associate may comp up to 10% of order.total\n");
    let d = decide(&p, json!({"order": {"total": "100 EUR"}}), "associate");
    assert!(d.offers.is_empty());
    assert!(d.errors[0].message.contains("EUR"), "{:?}", d.errors);
    let d = decide(&p, json!({"order": {"total": {"amount": "100.00", "currency": "USD"}}}), "associate");
    assert_eq!(offered(&d)[0].1.as_deref(), Some("10.00"));
}

#[test]
fn a_runaway_script_is_stopped_and_grants_nothing() {
    let p = policy("script \"\"\"\nfn spin(x) { loop { x += 1; } }\n\"\"\"\nrule r\n  when spin(customer.score) > 1\n  associate may comp up to $50\n");
    let d = decide(&p, json!({"customer": {"score": 1}}), "associate");
    assert!(d.offers.is_empty());
    assert!(d.errors[0].message.contains("ran too long"), "{:?}", d.errors);
}

#[test]
fn the_index_skips_exactly_the_rules_that_would_not_match() {
    let mut body = String::new();
    for i in 0..300 {
        let kind = ["broken_item", "late_delivery", "complaint"][i % 3];
        body.push_str(&format!(
            "rule r{i}\n  when incident.kind is \"{kind}\"\n  and order.total > ${}\n  associate may comp up to ${}\n",
            i % 50,
            i + 1
        ));
    }
    body.push_str("rule unkeyed\n  when customer.score > 3\n  associate may gift_card up to $5\n");
    let p = policy(&body);
    for facts in [
        broken(30.0),
        json!({"incident": {"kind": "complaint"}, "order": {"total": 10}}),
        json!({"order": {"total": 10}}),
    ] {
        let now = "2026-11-22T10:00:00Z".parse().unwrap();
        let fast = p.evaluate(&facts, &Request::new("associate", now)).unwrap();
        let mut traced = p.evaluate(&facts, &Request::new("associate", now).with_trace(true)).unwrap();
        assert_eq!(traced.trace.take().map(|t| t.len()), Some(301));
        assert_eq!(fast, traced, "the index must not change the decision");
    }
}

#[test]
fn follow_ups_are_due_after_now_in_its_offset() {
    let p = policy("rule r\n  recommend follow_up in 3 days\n  recommend follow_up in 90 minutes\n");
    let now = "2026-03-28T23:00:00-04:00".parse().unwrap();
    let d = p.evaluate(&json!({}), &Request::new("associate", now)).unwrap();
    let due: Vec<&str> = d.recommended.iter().filter_map(|r| r.due.as_deref()).collect();
    assert_eq!(due, ["2026-03-31T23:00:00-04:00", "2026-03-29T00:30:00-04:00"]);
}

#[test]
fn requests_with_unknown_roles_or_fields_are_refused() {
    let p = policy("rule r\n  associate may comp up to $5\n");
    let err = p.evaluate(&json!({}), &Request::new("intern", "2026-11-22T10:00:00Z".parse().unwrap())).unwrap_err();
    assert!(err.to_string().contains("unknown role `intern`"));
    let err = p
        .evaluate_json(r#"{"facts": {}, "role": "associate", "now": "2026-11-22T10:00:00Z", "extra": 1}"#)
        .unwrap_err();
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
    let err =
        p.evaluate(&json!([1, 2]), &Request::new("associate", "2026-11-22T10:00:00Z".parse().unwrap())).unwrap_err();
    assert!(err.to_string().contains("JSON object"));
}

/// The time a decision is made for is written for each evaluation, though a thread keeps
/// the last one written: another instant, or the same instant in another offset, is
/// written anew.
#[test]
fn each_decision_writes_its_own_now() {
    let policy = policy("");
    let facts = json!({"order": {"total": 10}, "customer": {"score": 1}});
    let times = [
        "2026-11-22T10:00:00Z",
        "2026-11-22T10:00:00Z",
        "2026-11-22T12:00:00+02:00",
        "2026-11-22T10:00:01Z",
        "2026-11-22T05:00:01-05:00",
        "2026-11-22T10:00:00Z",
    ];
    for time in times {
        let request = Request::new("associate", time.parse().unwrap());
        assert_eq!(policy.evaluate(&facts, &request).unwrap().now, time);
        assert_eq!(policy.evaluate_str(&facts.to_string(), &request).unwrap().now, time);
    }
}

#[test]
fn a_trace_lists_each_fact_read_once_and_reads_back_from_its_json() {
    let p = policy(
        "rule small\n  when order.total < $10\n  associate may comp up to $1\n\
         rule broken_big\n  when incident.kind is \"broken_item\" and order.total > $50\n  associate may comp up to $5\n\
         rule big\n  when order.total > $50\n  associate may comp up to $2\n",
    );
    let now = "2026-11-22T10:00:00Z".parse().unwrap();
    let facts = json!({"incident": {"kind": "broken_item"}, "order": {"total": 99.99}});
    let decision = p.evaluate(&facts, &Request::new("associate", now).with_trace(true)).unwrap();
    let trace = decision.trace.as_ref().unwrap();
    // Three rules read `order.total`: the trace holds its value once.
    let facts_read: Vec<(&str, String)> =
        trace.facts().iter().map(|r| (r.fact.as_str(), r.value.to_string())).collect();
    assert_eq!(
        facts_read,
        [("order.total", "\"99.99\"".to_string()), ("incident.kind", "\"broken_item\"".to_string())]
    );
    let summary: Vec<(&str, Option<&str>, Vec<&str>)> =
        trace.iter().map(|t| (t.rule(), t.clause(), t.reads().map(|r| r.fact.as_str()).collect())).collect();
    assert_eq!(
        summary,
        [
            ("small", Some("order.total < $10"), vec!["order.total"]),
            ("broken_big", None, vec!["incident.kind", "order.total"]),
            ("big", None, vec!["order.total"]),
        ]
    );
    // Each rule quotes its own deciding condition.
    let small_order = json!({"incident": {"kind": "broken_item"}, "order": {"total": 5}});
    let decision_small = p.evaluate(&small_order, &Request::new("associate", now).with_trace(true)).unwrap();
    let clauses: Vec<Option<&str>> = decision_small.trace.as_ref().unwrap().iter().map(|t| t.clause()).collect();
    assert_eq!(clauses, [None, Some("order.total > $50"), Some("order.total > $50")]);
    // The JSON contract's trace reads back as the same trace.
    let json = decision.to_json().unwrap();
    let read_back: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(read_back, decision);
    assert_eq!(read_back.to_json().unwrap(), json);
    let owned: Vec<_> = trace.iter().map(|t| t.to_traced()).collect();
    assert_eq!(serde_json::to_value(&owned).unwrap(), serde_json::to_value(trace).unwrap());
    assert_eq!(owned.into_iter().collect::<extramile::decision::Trace>(), *trace);
}

#[test]
fn a_gesture_named_twice_in_one_grant_is_offered_once_at_its_best() {
    let p = policy("rule r\n  associate may comp up to $10 or comp up to $30 or replace it\n");
    let d = decide(&p, json!({}), "associate");
    let offered: Vec<(&str, Option<String>)> =
        d.offers[0].one_of.iter().map(|o| (o.gesture.as_str(), o.up_to.map(|a| a.to_string()))).collect();
    assert_eq!(offered, [("comp", Some("30.00".to_string())), ("replace", None)]);
    assert_eq!(d.offers.len(), 1);
}
