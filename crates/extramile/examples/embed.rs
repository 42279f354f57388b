//! Embeds extramile: load a policy, decide one incident, print the decision as JSON.

use extramile::{Policy, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/store");
    let source = std::fs::read_to_string(format!("{dir}/store.policy"))?;
    let policy = Policy::parse_named("store.policy", &source)?;
    let facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/incidents/broken_vase.json"))?)?;
    let request = Request::new("associate", "2026-11-22T10:00:00-05:00".parse()?);
    let decision = policy.evaluate(&facts, &request)?;
    println!("{}", serde_json::to_string_pretty(&decision)?);
    Ok(())
}
