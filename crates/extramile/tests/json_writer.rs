//! `Decision::to_json` writes the JSON contract directly: it must give the very bytes
//! serde_json gives for the derived `Serialize`, checked here on generated decisions with
//! every optional field, texts that need escaping (quotes, backslashes, control and
//! non-ASCII characters), extreme numbers and traces, and on every example incident.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    reason = "tests fail loudly"
)]

use extramile::decision::*;
use extramile::{Decimal, Name, Span};
use proptest::prelude::*;
use std::sync::Arc;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_]{0,12}",
        1 => "[ -~]{0,12}",
        1 => any::<String>(),
        2 => prop::collection::vec(0_u8..0x80, 0..8).prop_map(|bytes| bytes.into_iter().map(char::from).collect()),
        1 => Just("quote \" back \\ slash / tab \t nl \n nul \u{0} del \u{7f} é ☃".to_string()),
    ]
}

fn name() -> impl Strategy<Value = Name> {
    text().prop_map(Name::from)
}

fn amount() -> impl Strategy<Value = Decimal> {
    let small = (any::<i64>(), 0_u32..29).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale));
    let cents = (-100_000_i64..100_000, 0_u32..4).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale));
    let large = (any::<i128>(), 0_u32..29)
        .prop_map(|(mantissa, scale)| Decimal::try_from_i128_with_scale(mantissa >> 32, scale).unwrap_or(Decimal::MAX));
    let negative_zero = (0_u32..4).prop_map(|scale| -Decimal::new(0, scale));
    prop_oneof![3 => cents, 2 => small, 1 => large, 1 => negative_zero]
}

fn offered() -> impl Strategy<Value = OfferedGesture> {
    (name(), proptest::option::of(name()), proptest::option::of(amount()), proptest::option::of(name()))
        .prop_map(|(gesture, item, up_to, limited_by)| OfferedGesture { gesture, item, up_to, limited_by })
}

fn problem() -> impl Strategy<Value = Problem> {
    (name(), proptest::option::of(text()), text(), any::<u32>(), any::<u32>())
        .prop_map(|(rule, fact, message, line, column)| Problem { rule, fact, message, line, column })
}

fn trace() -> impl Strategy<Value = TracedRule> {
    let outcome = prop_oneof![Just(Outcome::Matched), Just(Outcome::NotMatched), Just(Outcome::Error)];
    let read = (name(), text()).prop_map(|(fact, value)| FactRead { fact, value: Arc::new(value.into()) });
    (
        name(),
        outcome,
        proptest::option::of(name()),
        proptest::option::of(text()),
        prop::collection::vec(read, 0..3),
        any::<u32>(),
        0_usize..100,
        0_usize..100,
    )
        .prop_map(|(rule, outcome, clause, error, reads, line, start, len)| TracedRule {
            rule,
            outcome,
            clause,
            error,
            reads,
            line,
            span: Span::new(start, start + len),
        })
}

fn decision() -> impl Strategy<Value = Decision> {
    let offer = (prop::collection::vec(offered(), 0..3), name(), any::<i64>())
        .prop_map(|(one_of, rule, priority)| Offer { one_of: one_of.into(), rule, priority });
    let approval = (name(), proptest::option::of(name()), name(), proptest::option::of(amount()), name())
        .prop_map(|(gesture, item, approver, up_to, rule)| Approval { gesture, item, approver, up_to, rule });
    let owed = (name(), proptest::option::of(name()), proptest::option::of(amount()), name())
        .prop_map(|(gesture, item, amount, rule)| Owed { gesture, item, amount, rule });
    let recommendation = (
        name(),
        proptest::option::of(name()),
        proptest::option::of(amount()),
        proptest::option::of(text()),
        name(),
        any::<i64>(),
    )
        .prop_map(|(gesture, item, amount, due, rule, priority)| Recommendation {
            gesture,
            item,
            amount,
            due: due.map(Name::from),
            rule,
            priority,
        });
    let forbidden = (name(), name(), name()).prop_map(|(gesture, rule, reason)| Forbidden { gesture, rule, reason });
    let escalation =
        (name(), name(), proptest::option::of(name())).prop_map(|(to, rule, reason)| Escalation { to, rule, reason });
    let lists = (
        prop::collection::vec(offer, 0..3),
        prop::collection::vec(approval, 0..2),
        prop::collection::vec(owed, 0..2),
        prop::collection::vec(recommendation, 0..2),
        prop::collection::vec(forbidden, 0..2),
        prop::collection::vec(escalation, 0..2),
        prop::collection::vec(problem(), 0..2),
        prop::collection::vec(problem(), 0..2),
        proptest::option::of(prop::collection::vec(trace(), 0..3).prop_map(Trace::from_iter)),
    );
    ((name(), name(), text(), name()), lists).prop_map(
        |(
            (policy, role, now, currency),
            (offers, needs_approval, owed, recommended, forbidden, escalations, errors, warnings, trace),
        )| {
            Decision {
                policy,
                role,
                now: now.into(),
                currency,
                offers,
                needs_approval,
                owed,
                recommended,
                forbidden,
                escalations,
                errors,
                warnings,
                trace,
            }
        },
    )
}

fn written(decision: &Decision) -> String {
    // Appending keeps what the text held.
    let mut out = String::from("[");
    decision.write_json(&mut out).unwrap();
    assert_eq!(out.strip_prefix('[').unwrap(), decision.to_json().unwrap());
    out.split_off(1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn the_writer_gives_serde_json_bytes(decision in decision()) {
        prop_assert_eq!(written(&decision), serde_json::to_string(&decision).unwrap());
    }
}

#[test]
fn every_example_decision_is_written_as_serde_json_writes_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut checked = 0;
    for example in std::fs::read_dir(&root).unwrap().map(|entry| entry.unwrap().path()).filter(|path| path.is_dir()) {
        let name = example.file_name().unwrap().to_str().unwrap().to_string();
        let source = std::fs::read_to_string(example.join(format!("{name}.policy"))).unwrap();
        let policy = extramile::Policy::parse(&source).unwrap();
        for incident in std::fs::read_dir(example.join("incidents")).unwrap() {
            let facts: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(incident.unwrap().path()).unwrap()).unwrap();
            for role in policy.roles() {
                for trace in [false, true] {
                    let request = extramile::Request::new(role.as_str(), "2026-11-22T10:00:00+01:00".parse().unwrap())
                        .with_trace(trace);
                    let decision = policy.evaluate(&facts, &request).unwrap();
                    assert_eq!(written(&decision), serde_json::to_string(&decision).unwrap());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} example decisions");
}
