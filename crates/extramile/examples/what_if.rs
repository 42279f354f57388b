//! Reads an incident's facts once (`Policy::facts`), decides it for every role, then asks
//! what if the item had cost more, changing that one fact (`Facts::set`).

use extramile::{Policy, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/store");
    let policy = Policy::parse_named("store.policy", &std::fs::read_to_string(format!("{dir}/store.policy"))?)?;
    let now = "2026-11-22T10:00:00-05:00".parse()?;
    let mut facts = policy.facts(&serde_json::json!({"incident": {"kind": "broken_item", "item": {"price": 80}}}))?;
    for role in policy.roles() {
        let decision = policy.evaluate_facts(&facts, &Request::new(role.as_str(), now))?;
        println!("{role}: {} offers, {} beyond the role", decision.offers.len(), decision.needs_approval.len());
    }
    // What if the item had cost more? Only that fact is read again.
    facts.set("incident.item.price", &serde_json::json!(400))?;
    let decision = policy.evaluate_facts(&facts, &Request::new("associate", now))?;
    for approval in &decision.needs_approval {
        let up_to = approval.up_to.map(|amount| format!(" up to {amount}")).unwrap_or_default();
        println!("at $400, {} may approve {}{up_to}", approval.approver, approval.gesture);
    }
    Ok(())
}
