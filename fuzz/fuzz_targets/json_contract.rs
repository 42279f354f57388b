//! The JSON contract entry point used by the WASM build (`Policy::evaluate_json`) on
//! arbitrary text: never a panic; success is a decision that reads back as one, failure a
//! `RequestError` that serialises with its `kind`.
#![no_main]

use extramile::{Decision, Policy};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn policy() -> Option<&'static Policy> {
    static POLICY: OnceLock<Option<Policy>> = OnceLock::new();
    POLICY.get_or_init(|| Policy::parse(include_str!("../../examples/store/store.policy")).ok()).as_ref()
}

fuzz_target!(|request: &str| {
    let Some(policy) = policy() else { panic!("the store example loads") };
    match policy.evaluate_json(request) {
        Ok(json) => {
            let decision: Result<Decision, _> = serde_json::from_str(&json);
            assert!(decision.is_ok(), "the decision reads back: {json}");
        }
        Err(err) => {
            let json = serde_json::to_string(&err).unwrap_or_default();
            assert!(json.contains("\"kind\""), "{json}");
        }
    }
});
