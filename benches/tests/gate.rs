//! The fairness gate as an ordinary test: extramile and hand-written Rust agree on every
//! incident of the seeded corpus, and the corpus fires every rule.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "benchmark code, not the library: fixed tables and exact test arithmetic"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests report failures by panicking")]

use extramile_benches::{corpus, generated, load, outcome, request, REFERENCE_POLICY};

#[test]
fn extramile_and_rust_agree_on_the_reference_corpus() {
    let policy = load(REFERENCE_POLICY).expect("the reference policy loads");
    assert!(policy.warnings().items().is_empty(), "{}", policy.warnings());
    let request = request(false).unwrap();
    let corpus = corpus::reference();
    assert!(corpus.len() >= 10_000);
    let mut engines = extramile_benches::core_gate_engines(&policy, &request);
    let fired = outcome::gate(&corpus, &mut engines).unwrap_or_else(|mismatch| panic!("{mismatch}"));
    // Every rule grants its own gesture: every gesture offered means every rule fired.
    let rules: Vec<&str> = policy.rule_names().collect();
    assert_eq!(rules.len(), 20);
    assert_eq!(fired.len(), 20, "gestures offered: {fired:?}");
    assert!(fired.values().all(|n| *n >= 10), "{fired:?}");
}

#[test]
fn extramile_and_rust_agree_with_trace_on() {
    let policy = load(REFERENCE_POLICY).unwrap();
    let request = request(true).unwrap();
    for incident in corpus::incidents(3, 2_000, corpus::KINDS.len()) {
        let ours = extramile_benches::extramile_outcome(&policy, &request, &incident.to_json());
        assert_eq!(ours, outcome::of_native(&extramile_benches::native::decide(&incident)), "{incident:?}");
    }
}

#[test]
fn generated_policies_agree_with_their_rust() {
    for n_rules in [20, 200, 2_000] {
        let policy = load(&generated::extramile_source(n_rules)).unwrap();
        assert_eq!(policy.rule_names().count(), n_rules);
        let request = request(false).unwrap();
        let n_kinds = generated::n_kinds(n_rules);
        for incident in corpus::incidents(11, 1_000, n_kinds) {
            let ours = extramile_benches::extramile_outcome(&policy, &request, &generated::facts(&incident));
            let rust = outcome::of_native(&generated::decide(&incident, n_kinds));
            assert_eq!(ours, rust, "{n_rules} rules, {incident:?}");
        }
    }
}
