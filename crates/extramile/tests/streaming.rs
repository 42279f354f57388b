//! Requests given as JSON text are read straight into the fact table, and anything unusual
//! is left to the general path that builds a JSON tree. Both must give the same answer, to
//! the byte or to the error: checked here on generated requests, valid and not, with keys
//! given twice, escaped keys, facts of the wrong type, facts nested too deep, paths that run
//! into texts and lists, unknown fields and roles, and trailing text. Facts read in advance
//! (`Policy::facts`), and changed one at a time (`Facts::set`), must likewise decide as the
//! document they came from.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::eval::facts::FactLimits;
use extramile::{EvaluationRequest, LoadOptions, Policy, Request, RequestError};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::fmt::Write;

const POLICY: &str = r#"policy "Streaming"
currency USD
roles agent < lead

facts
  incident.kind: one of "broken_item", "late_delivery"
  item.value: money
  customer.tier: one of "basic", "gold"
  customer.prior_incidents: number, default 0
  order.placed: date
  order.items: list of text, default []
  flags.vip: boolean, default false
  a.b.c: number
  note: text, default ""

gestures
  refund: amount
  credit: amount
  call

rule broken
  when incident.kind is "broken_item" and item.value > $20
  agent may refund up to item.value

rule loyal
  when customer.tier is "gold" or flags.vip
  agent may credit up to min(10% of item.value, $15)
  lead may credit up to $40

rule many
  when order.items contains "vase" and customer.prior_incidents < 3
  agent may call

rule deep
  when a.b.c >= 2 and days since order.placed <= 30
  agent may call

rule noted
  when note is not ""
  recommend call
"#;

/// A JSON value as the generator writes it: objects may repeat keys.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Cents(i64),
    Text(&'static str),
    List(Vec<Json>),
    Object(Vec<(&'static str, Json)>),
}

const KEYS: &[&str] = &[
    "incident",
    "kind",
    "item",
    "value",
    "customer",
    "tier",
    "prior_incidents",
    "order",
    "placed",
    "items",
    "flags",
    "vip",
    "a",
    "b",
    "c",
    "note",
    "extra",
];
const TEXTS: &[&str] =
    &["broken_item", "late_delivery", "gold", "basic", "vase", "2026-11-01", "2026-02-30", "x\"y", "", "50.00"];

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-5_i64..100).prop_map(Json::Int),
        (-500_i64..50_000).prop_map(Json::Cents),
        prop::sample::select(TEXTS).prop_map(Json::Text),
    ];
    leaf.prop_recursive(7, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::List),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(Json::Object),
        ]
    })
}

/// Facts shaped like the policy's, with values that are often right and sometimes not.
fn facts() -> impl Strategy<Value = Json> {
    let field = |key: &'static str, value: BoxedStrategy<Json>| prop_oneof![3 => value.prop_map(move |v| vec![(key, v)]), 1 => Just(Vec::new())];
    let text = |options: &'static [&'static str]| prop::sample::select(options).prop_map(Json::Text).boxed();
    (
        field("kind", prop_oneof![4 => text(&["broken_item", "late_delivery"]), 1 => json()].boxed()),
        field("value", prop_oneof![4 => (0_i64..50_000).prop_map(Json::Cents), 1 => json()].boxed()),
        field("tier", prop_oneof![4 => text(&["basic", "gold"]), 1 => json()].boxed()),
        field("prior_incidents", prop_oneof![4 => (0_i64..6).prop_map(Json::Int), 1 => json()].boxed()),
        field("placed", prop_oneof![4 => text(&["2026-11-01", "2026-02-30"]), 1 => json()].boxed()),
        field("vip", prop_oneof![4 => any::<bool>().prop_map(Json::Bool), 1 => json()].boxed()),
        field("c", prop_oneof![4 => (0_i64..4).prop_map(Json::Int), 1 => json()].boxed()),
        prop::sample::subsequence(&["extra", "x", "y", "note"][..], 0..3)
            .prop_flat_map(|keys| keys.into_iter().map(|key| (Just(key), json())).collect::<Vec<_>>()),
        (prop::bool::weighted(0.1), prop::bool::weighted(0.1), prop::bool::weighted(0.2), prop::bool::weighted(0.1)),
    )
        .prop_map(|(kind, value, tier, prior, placed, vip, c, extra, (twice, null_parent, deep, leaf_twice))| {
            let mut value = value;
            if leaf_twice {
                value.push(("value", Json::Cents(2_500)));
            }
            let mut customer = tier;
            customer.extend(prior);
            let mut top = vec![
                ("incident", Json::Object(kind)),
                ("item", Json::Object(value)),
                ("customer", if null_parent { Json::Null } else { Json::Object(customer) }),
                ("order", Json::Object(placed)),
                ("flags", Json::Object(vip)),
                ("a", Json::Object(vec![("b", Json::Object(c))])),
            ];
            if deep {
                top.push(("extra", Json::List(vec![Json::List(vec![Json::List(vec![Json::Object(Vec::new())])])])));
            }
            if twice {
                top.push(("item", Json::Object(vec![("value", Json::Cents(100))])));
            }
            top.extend(extra);
            Json::Object(top)
        })
}

fn write_json(json: &Json, escape_keys: bool, out: &mut String) {
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => write!(out, "{b}").unwrap(),
        Json::Int(i) => write!(out, "{i}").unwrap(),
        Json::Cents(c) => write!(out, "{}", *c as f64 / 100.0).unwrap(),
        Json::Text(t) => out.push_str(&serde_json::to_string(t).unwrap()),
        Json::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, escape_keys, out);
            }
            out.push(']');
        }
        Json::Object(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // `\u0061` is `a`: an escaped key is still the same key.
                let key = if escape_keys { key.replacen('a', "\\u0061", 1) } else { (*key).to_string() };
                write!(out, "\"{key}\":").unwrap();
                write_json(value, escape_keys, out);
            }
            out.push('}');
        }
    }
}

/// `json` as text (see [`write_json`]).
fn json_text(json: &Json, escape_keys: bool) -> String {
    let mut text = String::new();
    write_json(json, escape_keys, &mut text);
    text
}

/// A request for `role` at the tests' `now`.
fn request_as(role: &str, trace: bool) -> Request {
    Request::new(role, "2026-11-22T10:00:00Z".parse().unwrap()).with_trace(trace)
}

/// A request's fields in a generated order, sometimes wrong, repeated or unknown.
fn request() -> impl Strategy<Value = String> {
    let role = prop_oneof![6 => Just("\"agent\""), 2 => Just("\"lead\""), 1 => Just("\"boss\""), 1 => Just("7")];
    let now = prop_oneof![
        6 => Just("\"2026-11-22T10:00:00Z\""),
        2 => Just("\"2026-11-22T10:00:00.250+02:00\""),
        // Forms a decision writes as they are (a non-zero offset), or writes otherwise.
        2 => prop::sample::select(&[
            "\"2026-11-22T10:00:00+05:30\"",
            "\"2026-11-22T10:00:00+00:00\"",
            "\"2026-11-22T10:00:00-00:00\"",
            "\"2026-11-22T10:00:00.1234Z\"",
        ][..]),
        1 => Just("\"2026-11-22 10:00:00Z\""),
        1 => Just("\"yesterday\""),
    ];
    let options = prop_oneof![
        3 => Just(None),
        2 => Just(Some("{\"trace\":true}")),
        1 => Just(Some("{\"trace\":false}")),
        1 => Just(Some("{\"trace\":1}")),
        1 => Just(Some("{\"bogus\":true}")),
    ];
    let oddity = prop_oneof![
        12 => Just(""),
        1 => Just("missing facts"),
        1 => Just("facts twice"),
        1 => Just("unknown field"),
        1 => Just("trailing"),
        1 => Just("facts not an object"),
        1 => Just("facts null"),
    ];
    (facts(), any::<bool>(), role, now, options, oddity, any::<prop::sample::Index>()).prop_map(
        |(facts, escape_keys, role, now, options, oddity, rotate)| {
            let facts_text = json_text(&facts, escape_keys);
            let mut fields = vec![format!("\"role\":{role}"), format!("\"now\":{now}")];
            match oddity {
                "missing facts" => {}
                "facts not an object" => fields.push("\"facts\":[1]".to_string()),
                "facts null" => fields.push("\"facts\":null".to_string()),
                _ => fields.push(format!("\"facts\":{facts_text}")),
            }
            if oddity == "facts twice" {
                fields.push("\"facts\":{}".to_string());
            }
            if oddity == "unknown field" {
                fields.push("\"trace\":true".to_string());
            }
            if let Some(options) = options {
                fields.push(format!("\"options\":{options}"));
            }
            let turn = rotate.index(fields.len());
            fields.rotate_left(turn);
            let trailing = if oddity == "trailing" { " x" } else { " " };
            format!("{{{}}}{trailing}", fields.join(","))
        },
    )
}

/// The general path of `Policy::evaluate_json`, written with the public API.
fn through_the_tree(policy: &Policy, text: &str) -> Result<String, RequestError> {
    let request: EvaluationRequest =
        serde_json::from_str(text).map_err(|err| RequestError::InvalidRequest { message: err.to_string() })?;
    let decision = policy.evaluate(
        &request.facts,
        &Request::new(request.role, request.now).with_trace(request.options.trace).with_strict(request.options.strict),
    )?;
    Ok(serde_json::to_string(&decision).unwrap())
}

/// The policy with facts nested at most `max_depth` deep: shallow enough that generated
/// facts, and even the policy's own paths (`a.b.c`), are sometimes too deep.
fn policy(max_depth: usize) -> Policy {
    let options =
        LoadOptions { fact_limits: FactLimits { max_depth, ..FactLimits::default() }, ..LoadOptions::default() };
    Policy::parse_with("streaming.policy", POLICY, options).unwrap()
}

fn policies() -> &'static [Policy] {
    static POLICIES: std::sync::OnceLock<Vec<Policy>> = std::sync::OnceLock::new();
    POLICIES.get_or_init(|| [2, 3, 5].into_iter().map(policy).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn reading_text_straight_into_facts_agrees_with_the_tree(text in request(), which in any::<prop::sample::Index>()) {
        let policy = which.get(policies());
        prop_assert_eq!(policy.evaluate_json(&text), through_the_tree(policy, &text), "request: {}", text);
    }

    #[test]
    fn facts_text_agrees_with_parsed_facts(
        facts in facts(), escape_keys in any::<bool>(), trace in any::<bool>(), which in any::<prop::sample::Index>()
    ) {
        let policy = which.get(policies());
        let text = json_text(&facts, escape_keys);
        let request = request_as("agent", trace);
        let general = extramile::json::parse_facts(&text).and_then(|facts| policy.evaluate(&facts, &request));
        prop_assert_eq!(policy.evaluate_str(&text, &request), general, "facts: {}", text);
    }
}

/// The declared fact paths of `POLICY`.
const PATHS: &[&str] = &[
    "incident.kind",
    "item.value",
    "customer.tier",
    "customer.prior_incidents",
    "order.placed",
    "order.items",
    "flags.vip",
    "a.b.c",
    "note",
];

/// `document` with `value` at the dotted `path`, making the objects on the way; `None` if
/// something other than an object is on the way.
fn with_value(document: &serde_json::Value, path: &str, value: serde_json::Value) -> Option<serde_json::Value> {
    let mut changed = document.clone();
    let mut node = &mut changed;
    let segments: Vec<&str> = path.split('.').collect();
    let (last, parents) = segments.split_last()?;
    for segment in parents {
        node = node.as_object_mut()?.entry(*segment).or_insert_with(|| serde_json::json!({}));
    }
    node.as_object_mut()?.insert((*last).to_string(), value);
    Some(changed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn facts_read_in_advance_decide_as_their_document(
        facts in facts(), lead in any::<bool>(), trace in any::<bool>(), which in any::<prop::sample::Index>()
    ) {
        let policy = which.get(policies());
        let text = json_text(&facts, false);
        // Documents serde_json reads (a key given twice is left to the tests above).
        let Ok(document) = extramile::json::parse_facts(&text) else { return Ok(()) };
        let role = if lead { "lead" } else { "agent" };
        let request = request_as(role, trace);
        let read_in_advance = policy.facts(&document).and_then(|facts| policy.evaluate_facts(&facts, &request));
        prop_assert_eq!(read_in_advance, policy.evaluate(&document, &request), "facts: {}", text);
    }

    #[test]
    fn setting_a_fact_decides_as_the_changed_document(
        facts in facts(), new in json(), path in prop::sample::select(PATHS), which in any::<prop::sample::Index>()
    ) {
        let policy = which.get(policies());
        let (text, new_text) = (json_text(&facts, false), json_text(&new, false));
        let Ok(document) = extramile::json::parse_facts(&text) else { return Ok(()) };
        let Ok(new) = extramile::json::parse_facts(&new_text) else { return Ok(()) };
        let Ok(mut read) = policy.facts(&document) else { return Ok(()) };
        let Some(changed) = with_value(&document, path, new.clone()) else { return Ok(()) };
        let request = request_as("agent", true);
        let set = read.set(path, &new).and_then(|()| policy.evaluate_facts(&read, &request));
        prop_assert_eq!(set, policy.evaluate(&changed, &request), "facts: {} with {} = {}", text, path, new_text);
    }
}

#[test]
fn the_generated_requests_are_often_decided() {
    // The properties above only mean something if many requests are valid ones, which the
    // straight reader handles: check the generator's mix.
    let policy = policy(5);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = request();
    let (mut decided, mut offered) = (0, 0);
    for _ in 0..500 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(out) = policy.evaluate_json(&text) {
            decided += 1;
            offered += usize::from(out.contains("\"offers\":[{"));
        }
    }
    assert!(decided > 100 && offered > 50, "{decided} of 500 generated requests decided, {offered} with an offer");
}
