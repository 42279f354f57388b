//! Arbitrary text through the whole load pipeline (parse, check, compile): never a panic or
//! an internal error; a policy that loads evaluates on empty facts for each of its roles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match extramile::Policy::parse_named("fuzz.policy", text) {
        Err(diagnostics) => {
            assert!(diagnostics.has_errors());
            for diagnostic in diagnostics.items() {
                assert_ne!(diagnostic.code, "E0000", "internal error: {diagnostic:?}");
            }
            let _ = diagnostics.render(false);
        }
        Ok(policy) => {
            let now = chrono_now();
            for role in policy.roles().to_vec() {
                let request = extramile::Request::new(role, now).with_trace(true);
                let decision = policy.evaluate(&serde_json::json!({}), &request);
                assert!(decision.is_ok());
            }
        }
    }
});

fn chrono_now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").unwrap_or_default()
}
