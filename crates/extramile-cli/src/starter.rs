//! What `extramile new DIR` writes: `DIR/DIR.policy`, two incidents and a scenario file
//! whose scenarios pass, all in the canonical layout of `extramile fmt`.

/// The starter policy. It holds the handbook sentence
/// `agent may comp up to $50 or replace a broken item` as written.
pub(crate) const POLICY: &str = r#"# A starter service-recovery policy. Edit it, then run `extramile test`.
policy "Starter: service recovery"
currency USD
roles agent < supervisor < manager

facts
  incident.kind: one of "broken_item", "late_delivery", "complaint"
  order.total: money
  customer.flags: list of text, default []

gestures
  comp: amount  # a credit to the customer's account
  replace: item
  follow_up: due

rule broken_item "An item arrived broken"
  when incident.kind is "broken_item"
  agent may comp up to $50 or replace a broken item
  supervisor may comp up to order.total
  recommend follow_up in 3 days

rule late_delivery "A delivery came late"
  when incident.kind is "late_delivery"
  agent may comp up to min($15, 10% of order.total)
  manager may comp up to 50% of order.total

never comp when "fraud_suspected" in customer.flags because "suspected fraud goes to a manager"
"#;

/// `incidents/broken_item.json`.
pub(crate) const BROKEN_ITEM: &str = r#"{
  "incident": { "kind": "broken_item" },
  "order": { "total": 80.00 }
}
"#;

/// `incidents/late_delivery.json`.
pub(crate) const LATE_DELIVERY: &str = r#"{
  "incident": { "kind": "late_delivery" },
  "order": { "total": 120.00 },
  "customer": { "flags": [] }
}
"#;

/// The scenarios, after the line `policy = "FILE"`.
const SCENARIOS: &str = r#"
# The handbook sentence: agent may comp up to $50 or replace a broken item.
[[scenario]]
name = "agent_may_comp_up_to_50_or_replace_a_broken_item"
incident = "incidents/broken_item.json"
role = "agent"
now = "2026-01-15T10:00:00Z"

[scenario.expect]
offers = ["comp up to $50", "replace"]
needs_approval = ["comp up to $80 by supervisor"]
recommended = ["follow_up due 2026-01-18T10:00:00Z"]
exact = true

[[scenario]]
name = "late_delivery_agent"
incident = "incidents/late_delivery.json"
role = "agent"
now = "2026-01-15T10:00:00Z"

[scenario.expect]
offers = ["comp up to $12"]
needs_approval = ["comp up to $60 by manager"]
absent = ["replace"]

[[scenario]]
name = "suspected_fraud_gets_no_comp"
facts = { incident = { kind = "broken_item" }, order = { total = 80 }, customer = { flags = ["fraud_suspected"] } }
role = "agent"
now = "2026-01-15T10:00:00Z"

[scenario.expect]
offers = ["replace"]
forbidden = ["comp"]
absent = ["comp"]
"#;

/// The scenario file for the policy file named `policy_file` (in the same folder).
pub(crate) fn scenarios(policy_file: &str) -> String {
    // A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    let quoted = serde_json::Value::from(policy_file).to_string().replace('\u{7f}', "\\u007F");
    format!("# Run with `extramile test`.\npolicy = {quoted}\n{SCENARIOS}")
}
