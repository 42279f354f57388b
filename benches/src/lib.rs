//! Benchmarks of extramile (issue 5): the reference decision, its seeded corpus, the same
//! decision written by hand in Rust and in peer engines, and the fairness gate that every
//! engine must pass before anything is timed.
//!
//! The peer engines (Rhai, Rego on regorus, GoRules ZEN) are behind the `peers` feature:
//! they take minutes to build.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "benchmark code, not the library: fixed tables and exact test arithmetic"
)]

pub mod corpus;
pub mod generated;
pub mod native;
pub mod outcome;
#[cfg(feature = "peers")]
pub mod peers;

use corpus::Incident;
use extramile::{Policy, Request};

/// The reference policy's source.
pub const REFERENCE_POLICY: &str = include_str!("../reference/reference.policy");

/// The time every request is made at.
pub const NOW: &str = "2026-11-22T10:00:00Z";

/// The role every request acts as.
pub const ROLE: &str = "agent";

/// Loads a policy, with the rendered diagnostics as the error.
pub fn load(source: &str) -> Result<Policy, String> {
    Policy::parse_named("bench.policy", source).map_err(|diagnostics| diagnostics.to_string())
}

/// The request every evaluation uses, with the trace on or off.
pub fn request(trace: bool) -> Result<Request, String> {
    let now = NOW.parse().map_err(|err| format!("{err}"))?;
    Ok(Request::new(ROLE, now).with_trace(trace))
}

/// The JSON evaluation request (the contract of `Policy::evaluate_json`) for `facts`.
pub fn request_json(facts: &serde_json::Value) -> String {
    serde_json::json!({"facts": facts, "role": ROLE, "now": NOW}).to_string()
}

/// The reference decision by extramile, in the canonical form of the gate.
pub fn extramile_outcome(policy: &Policy, request: &Request, facts: &serde_json::Value) -> outcome::Outcome {
    decided(policy.evaluate(facts, request))
}

/// The canonical outcome of an extramile decision, or of the request error instead.
fn decided(decision: Result<extramile::Decision, extramile::RequestError>) -> outcome::Outcome {
    match decision {
        Ok(decision) => outcome::of_decision(&decision),
        Err(err) => vec![(format!("request error: {err}"), None)],
    }
}

/// The gate engines that need no peer: extramile (first, the reference of the comparison)
/// on a `serde_json::Value`, on facts read in advance and from a JSON string, and
/// hand-written Rust on a typed struct, on a `serde_json::Value` and from a JSON string.
pub fn core_gate_engines<'a>(policy: &'a Policy, request: &'a Request) -> Vec<outcome::GateEngine<'a>> {
    vec![
        ("extramile".to_string(), Box::new(move |i: &Incident| extramile_outcome(policy, request, &i.to_json()))),
        (
            "extramile (facts read in advance)".to_string(),
            Box::new(move |i: &Incident| {
                decided(policy.facts(&i.to_json()).and_then(|facts| policy.evaluate_facts(&facts, request)))
            }),
        ),
        ("rust (typed struct)".to_string(), Box::new(|i: &Incident| outcome::of_native(&native::decide(i)))),
        (
            "rust (serde_json::Value)".to_string(),
            Box::new(|i: &Incident| {
                native::decide_value(&i.to_json()).map_or_else(Vec::new, |g| outcome::of_native(&g))
            }),
        ),
        (
            "extramile (JSON string)".to_string(),
            Box::new(move |i: &Incident| match policy.evaluate_json(&request_json(&i.to_json())) {
                Ok(text) => match serde_json::from_str::<extramile::decision::Decision>(&text) {
                    Ok(decision) => outcome::of_decision(&decision),
                    Err(err) => vec![(format!("bad decision JSON: {err}"), None)],
                },
                Err(err) => vec![(format!("request error: {err}"), None)],
            }),
        ),
        (
            "rust (JSON string)".to_string(),
            Box::new(|i: &Incident| match native::decide_json(&request_json(&i.to_json())) {
                Some(text) => native_json_outcome(&text),
                None => vec![("rust could not read the request".to_string(), None)],
            }),
        ),
    ]
}

/// The outcome of the JSON that `native::decide_json` writes.
pub fn native_json_outcome(text: &str) -> outcome::Outcome {
    let parsed: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let offers = parsed.get("offers").and_then(|o| o.as_array()).cloned().unwrap_or_default();
    outcome::sorted(
        offers
            .iter()
            .map(|o| {
                let gesture = o.get("gesture").and_then(|g| g.as_str()).unwrap_or_default().to_string();
                let up_to = o.get("up_to").and_then(|a| a.as_str()).map(str::to_string);
                (gesture, up_to)
            })
            .collect(),
    )
}
