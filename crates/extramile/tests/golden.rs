#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic,
    reason = "a golden test fails loudly"
)]
//! Golden tests: rendered diagnostics of bad policies, and decisions for policy + request.
//!
//! - `corpus/diagnostics/NAME.policy` → snapshot of the rendered diagnostics.
//! - `corpus/eval/NAME.policy` with `corpus/eval/NAME.CASE.json` (an evaluation request,
//!   as in `docs/json.md`) → snapshot of the decision JSON.
//!
//! Review new snapshots with `cargo insta review`, or accept them with `INSTA_UPDATE=always`.

use extramile::Policy;

#[test]
fn diagnostics_render_as_in_their_snapshots() {
    insta::glob!("corpus/diagnostics/*.policy", |path| {
        let source = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("policy");
        let diagnostics = Policy::check(name, &source);
        assert!(!diagnostics.items().is_empty(), "{name} should produce at least one diagnostic");
        insta::assert_snapshot!(diagnostics.render(false));
    });
}

#[test]
fn decisions_match_their_snapshots() {
    insta::glob!("corpus/eval/*.json", |path| {
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let policy_name = file_name.split('.').next().unwrap_or("");
        let policy_path = path.parent().unwrap_or(std::path::Path::new(".")).join(format!("{policy_name}.policy"));
        let source = std::fs::read_to_string(&policy_path).unwrap_or_default();
        let policy = match Policy::parse_named(&format!("{policy_name}.policy"), &source) {
            Ok(policy) => policy,
            Err(diagnostics) => panic!("{} does not load:\n{diagnostics}", policy_path.display()),
        };
        let request = std::fs::read_to_string(path).unwrap_or_default();
        let output = match policy.evaluate_json(&request) {
            Ok(json) => json,
            Err(err) => serde_json::to_string(&err).unwrap_or_default(),
        };
        let value: serde_json::Value = serde_json::from_str(&output).unwrap_or_default();
        insta::assert_json_snapshot!(value);
    });
}
