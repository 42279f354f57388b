//! Property tests on generated policies and incidents: determinism, order independence,
//! monotonicity, role inheritance, caps, fail safe, exact money against a decimal reference,
//! and the formatter's round trip. Case counts are modest so that the file runs in seconds.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::{Decimal, Policy, Request};
use proptest::prelude::*;
use rust_decimal::RoundingStrategy;
use serde_json::json;
use std::collections::BTreeMap;

const ROLES: [&str; 3] = ["clerk", "lead", "boss"];
const GESTURES: [&str; 3] = ["comp", "credit", "voucher"];
const KINDS: [&str; 3] = ["a", "b", "c"];

/// A condition over the incident.
#[derive(Debug, Clone)]
enum Cond {
    Always,
    KindIs(usize),
    AmountOver(u32),
    CountAtLeast(u32),
    Flag,
    MissingOver,
}

/// An `up to` amount.
#[derive(Debug, Clone)]
enum Bound {
    Dollars(u32),
    Cents(u32),
    PercentOfAmount(u32),
    Amount,
    MinOf(u32),
    Missing,
}

#[derive(Debug, Clone)]
struct Grant {
    role: usize,
    gesture: usize,
    bound: Bound,
}

#[derive(Debug, Clone)]
struct RuleSpec {
    cond: Cond,
    grants: Vec<Grant>,
}

#[derive(Debug, Clone)]
struct Forbid {
    gesture: usize,
    cond: Cond,
}

#[derive(Debug, Clone)]
struct Limit {
    gesture: usize,
    cap: u32,
}

#[derive(Debug, Clone)]
struct Spec {
    rules: Vec<RuleSpec>,
    forbids: Vec<Forbid>,
    limits: Vec<Limit>,
}

#[derive(Debug, Clone)]
struct Incident {
    amount_cents: u32,
    kind: usize,
    count: u32,
    flag: bool,
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        2 => Just(Cond::Always),
        2 => (0..3usize).prop_map(Cond::KindIs),
        2 => (0..500u32).prop_map(Cond::AmountOver),
        1 => (0..10u32).prop_map(Cond::CountAtLeast),
        1 => Just(Cond::Flag),
        1 => Just(Cond::MissingOver),
    ]
}

fn bound() -> impl Strategy<Value = Bound> {
    prop_oneof![
        3 => (1..300u32).prop_map(Bound::Dollars),
        1 => (1..30_000u32).prop_map(Bound::Cents),
        2 => (1..1000u32).prop_map(Bound::PercentOfAmount),
        1 => Just(Bound::Amount),
        1 => (1..300u32).prop_map(Bound::MinOf),
        1 => Just(Bound::Missing),
    ]
}

fn grant() -> impl Strategy<Value = Grant> {
    (0..3usize, 0..3usize, bound()).prop_map(|(role, gesture, bound)| Grant { role, gesture, bound })
}

fn rule() -> impl Strategy<Value = RuleSpec> {
    (cond(), prop::collection::vec(grant(), 1..3)).prop_map(|(cond, grants)| RuleSpec { cond, grants })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(rule(), 1..6),
        prop::collection::vec((0..3usize, cond()).prop_map(|(gesture, cond)| Forbid { gesture, cond }), 0..2),
        prop::collection::vec((0..3usize, 1..400u32).prop_map(|(gesture, cap)| Limit { gesture, cap }), 0..2),
    )
        .prop_map(|(rules, forbids, limits)| Spec { rules, forbids, limits })
}

fn incident() -> impl Strategy<Value = Incident> {
    (0..100_000u32, 0..3usize, 0..10u32, any::<bool>()).prop_map(|(amount_cents, kind, count, flag)| Incident {
        amount_cents,
        kind,
        count,
        flag,
    })
}

fn cond_text(cond: &Cond) -> String {
    match cond {
        Cond::Always => String::new(),
        Cond::KindIs(k) => format!("incident.kind is \"{}\"", KINDS[*k]),
        Cond::AmountOver(d) => format!("incident.amount > ${d}"),
        Cond::CountAtLeast(n) => format!("incident.count >= {n}"),
        Cond::Flag => "incident.flag".to_string(),
        Cond::MissingOver => "incident.missing > $0".to_string(),
    }
}

fn bound_text(bound: &Bound) -> String {
    match bound {
        Bound::Dollars(d) => format!("${d}"),
        Bound::Cents(c) => format!("${}.{:02}", c / 100, c % 100),
        Bound::PercentOfAmount(p) => format!("{}.{}% of incident.amount", p / 10, p % 10),
        Bound::Amount => "incident.amount".to_string(),
        Bound::MinOf(d) => format!("min(${d}, incident.amount)"),
        Bound::Missing => "incident.missing".to_string(),
    }
}

fn rule_text(name: &str, rule: &RuleSpec) -> String {
    let mut text = format!("rule {name}\n");
    if !matches!(rule.cond, Cond::Always) {
        text.push_str(&format!("  when {}\n", cond_text(&rule.cond)));
    }
    for g in &rule.grants {
        text.push_str(&format!("  {} may {} up to {}\n", ROLES[g.role], GESTURES[g.gesture], bound_text(&g.bound)));
    }
    text
}

const HEADER: &str = "policy \"Generated\"\ncurrency USD\nroles clerk < lead < boss\n\nfacts\n  incident.amount: money\n  incident.kind: one of \"a\", \"b\", \"c\"\n  incident.count: number\n  incident.flag: boolean\n  incident.missing: money\n\ngestures\n  comp: amount\n  credit: amount\n  voucher: amount\n";

/// The policy text; `order` lists the rules' indices in the order to write them.
fn policy_text(spec: &Spec, order: &[usize]) -> String {
    let mut text = HEADER.to_string();
    for &i in order {
        text.push('\n');
        text.push_str(&rule_text(&format!("r{i}"), &spec.rules[i]));
    }
    for f in &spec.forbids {
        let when = match &f.cond {
            Cond::Always => "true".to_string(),
            other => cond_text(other),
        };
        text.push_str(&format!("\nnever {} when {when}\n", GESTURES[f.gesture]));
    }
    for l in &spec.limits {
        text.push_str(&format!("\nlimit {} to ${}\n", GESTURES[l.gesture], l.cap));
    }
    text
}

fn in_order(spec: &Spec) -> Vec<usize> {
    (0..spec.rules.len()).collect()
}

fn facts(incident: &Incident) -> serde_json::Value {
    let amount = format!("{}.{:02}", incident.amount_cents / 100, incident.amount_cents % 100);
    json!({"incident": {"amount": amount, "kind": KINDS[incident.kind], "count": incident.count, "flag": incident.flag}})
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").unwrap()
}

fn load(text: &str) -> Policy {
    Policy::parse(text).unwrap_or_else(|d| panic!("{d}\n{text}"))
}

fn decide(policy: &Policy, incident: &Incident, role: usize) -> extramile::Decision {
    policy.evaluate(&facts(incident), &Request::new(ROLES[role], now())).unwrap()
}

/// Gesture → most generous amount on offer.
fn offers(decision: &extramile::Decision) -> BTreeMap<String, Decimal> {
    let mut out = BTreeMap::new();
    for gesture in decision.offers.iter().flat_map(|o| &o.one_of) {
        let amount = gesture.up_to.unwrap_or(Decimal::MAX);
        let entry = out.entry(gesture.gesture.to_string()).or_insert(amount);
        *entry = (*entry).max(amount);
    }
    out
}

// ---- The reference: the same semantics, computed directly with decimals ----------------

fn amount(incident: &Incident) -> Decimal {
    Decimal::new(i64::from(incident.amount_cents), 2)
}

/// `None` when the condition cannot be evaluated (it reads the missing fact).
fn holds(cond: &Cond, incident: &Incident) -> Option<bool> {
    Some(match cond {
        Cond::Always => true,
        Cond::KindIs(k) => incident.kind == *k,
        Cond::AmountOver(d) => amount(incident) > Decimal::from(*d),
        Cond::CountAtLeast(n) => incident.count >= *n,
        Cond::Flag => incident.flag,
        Cond::MissingOver => return None,
    })
}

fn bound_value(bound: &Bound, incident: &Incident) -> Option<Decimal> {
    // A bound rounds toward zero (docs/language.md, "Money: exactness and rounding").
    let cents = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::ToZero);
    Some(match bound {
        Bound::Dollars(d) => Decimal::from(*d),
        Bound::Cents(c) => Decimal::new(i64::from(*c), 2),
        Bound::PercentOfAmount(p) => cents(Decimal::new(i64::from(*p), 1) / Decimal::from(100) * amount(incident)),
        Bound::Amount => amount(incident),
        Bound::MinOf(d) => Decimal::from(*d).min(amount(incident)),
        Bound::Missing => return None,
    })
}

fn reference(spec: &Spec, incident: &Incident, role: usize) -> BTreeMap<String, Decimal> {
    let mut best: BTreeMap<usize, Decimal> = BTreeMap::new();
    for rule in &spec.rules {
        if holds(&rule.cond, incident) != Some(true) {
            continue;
        }
        for g in rule.grants.iter().filter(|g| g.role <= role) {
            // A failed amount withdraws the grant; a non-positive one is not offered.
            let Some(value) = bound_value(&g.bound, incident) else { continue };
            if value > Decimal::ZERO {
                let entry = best.entry(g.gesture).or_insert(value);
                *entry = (*entry).max(value);
            }
        }
    }
    let mut out = BTreeMap::new();
    for (gesture, mut value) in best {
        // A forbid blocks when its condition holds or cannot be evaluated.
        if spec.forbids.iter().any(|f| f.gesture == gesture && holds(&f.cond, incident) != Some(false)) {
            continue;
        }
        for limit in spec.limits.iter().filter(|l| l.gesture == gesture) {
            value = value.min(Decimal::from(limit.cap));
        }
        out.insert(GESTURES[gesture].to_string(), value);
    }
    out
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn offers_equal_the_decimal_reference(spec in spec(), incident in incident(), role in 0..3usize) {
        // Exact money, caps (grant, limit) and fail safe (a missing fact grants nothing)
        // all follow from agreeing with the reference.
        let policy = load(&policy_text(&spec, &in_order(&spec)));
        let decision = decide(&policy, &incident, role);
        prop_assert_eq!(offers(&decision), reference(&spec, &incident, role));
        for gesture in decision.offers.iter().flat_map(|o| &o.one_of) {
            let up_to = gesture.up_to.unwrap();
            prop_assert!(up_to > Decimal::ZERO && up_to.scale() == 2, "{}", up_to);
        }
    }

    #[test]
    fn decisions_are_deterministic_to_the_byte(spec in spec(), incident in incident(), role in 0..3usize) {
        let policy = load(&policy_text(&spec, &in_order(&spec)));
        let request = json!({"facts": facts(&incident), "role": ROLES[role], "now": "2026-11-22T10:00:00Z", "options": {"trace": true}}).to_string();
        let first = policy.evaluate_json(&request).unwrap();
        let again = load(&policy_text(&spec, &in_order(&spec))).evaluate_json(&request).unwrap();
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(first, policy.evaluate_json(&request).unwrap());
    }

    #[test]
    fn tracing_changes_nothing_but_the_trace(spec in spec(), incident in incident(), role in 0..3usize) {
        // Without the trace, the rule index skips rules and key conditions; with it, every
        // rule is evaluated. Both must decide the same, and the trace must list every rule.
        let policy = load(&policy_text(&spec, &in_order(&spec)));
        let plain = decide(&policy, &incident, role);
        let request = Request::new(ROLES[role], now()).with_trace(true);
        let mut traced = policy.evaluate(&facts(&incident), &request).unwrap();
        let trace = traced.trace.take().unwrap();
        prop_assert_eq!(trace.len(), policy.rule_names().count());
        for (entry, name) in trace.iter().zip(policy.rule_names()) {
            prop_assert_eq!(entry.rule(), name);
            let not_matched = entry.outcome() == extramile::decision::Outcome::NotMatched;
            prop_assert_eq!(not_matched, entry.clause().is_some() && entry.error().is_none());
        }
        prop_assert_eq!(traced, plain);
    }

    #[test]
    fn shuffled_rules_give_the_same_offers(spec in spec(), incident in incident(), role in 0..3usize, seed in any::<u64>()) {
        let mut order = in_order(&spec);
        // A seeded Fisher-Yates shuffle.
        let mut state = seed | 1;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = decide(&load(&policy_text(&spec, &in_order(&spec))), &incident, role);
        let b = decide(&load(&policy_text(&spec, &order)), &incident, role);
        prop_assert_eq!(offers(&a), offers(&b));
        let forbidden = |d: &extramile::Decision| { let mut f: Vec<String> = d.forbidden.iter().map(|f| f.gesture.to_string()).collect(); f.sort(); f };
        prop_assert_eq!(forbidden(&a), forbidden(&b));
        prop_assert_eq!(a.errors.len(), b.errors.len());
    }

    #[test]
    fn adding_a_grant_never_removes_an_offer(spec in spec(), extra in rule(), incident in incident(), role in 0..3usize) {
        let before = offers(&decide(&load(&policy_text(&spec, &in_order(&spec))), &incident, role));
        let mut more = spec.clone();
        more.rules.push(extra);
        let after = offers(&decide(&load(&policy_text(&more, &in_order(&more))), &incident, role));
        for (gesture, amount) in &before {
            prop_assert!(after.get(gesture).is_some_and(|a| a >= amount), "{} {} lost: {:?}", gesture, amount, after);
        }
    }

    #[test]
    fn adding_a_forbid_never_adds_an_offer(spec in spec(), gesture in 0..3usize, when in cond(), incident in incident(), role in 0..3usize) {
        let before = offers(&decide(&load(&policy_text(&spec, &in_order(&spec))), &incident, role));
        let mut more = spec.clone();
        more.forbids.push(Forbid { gesture, cond: when });
        let after = offers(&decide(&load(&policy_text(&more, &in_order(&more))), &incident, role));
        for (gesture, amount) in &after {
            prop_assert!(before.get(gesture).is_some_and(|b| b >= amount), "{} {} appeared", gesture, amount);
        }
    }

    #[test]
    fn a_higher_role_is_offered_at_least_what_a_lower_one_is(spec in spec(), incident in incident()) {
        let policy = load(&policy_text(&spec, &in_order(&spec)));
        let by_role: Vec<_> = (0..3).map(|role| offers(&decide(&policy, &incident, role))).collect();
        for pair in by_role.windows(2) {
            for (gesture, amount) in &pair[0] {
                prop_assert!(pair[1].get(gesture).is_some_and(|a| a >= amount), "{} {}", gesture, amount);
            }
        }
    }

    #[test]
    fn a_grant_reading_a_missing_fact_grants_nothing(spec in spec(), incident in incident(), role in 0..3usize, gesture in 0..3usize) {
        // Give one gesture only through grants that read the missing fact.
        let mut only_missing = spec.clone();
        for rule in &mut only_missing.rules {
            rule.grants.retain(|g| g.gesture != gesture);
            if rule.grants.is_empty() {
                rule.grants.push(Grant { role: 0, gesture: (gesture + 1) % 3, bound: Bound::Dollars(1) });
            }
        }
        only_missing.rules.push(RuleSpec { cond: Cond::Always, grants: vec![Grant { role: 0, gesture, bound: Bound::Missing }] });
        only_missing.rules.push(RuleSpec { cond: Cond::MissingOver, grants: vec![Grant { role: 0, gesture, bound: Bound::Dollars(5) }] });
        let decision = decide(&load(&policy_text(&only_missing, &in_order(&only_missing))), &incident, role);
        prop_assert!(!offers(&decision).contains_key(GESTURES[gesture]));
        prop_assert!(decision.errors.iter().any(|p| p.fact.as_deref() == Some("incident.missing")));
    }

    #[test]
    fn formatting_round_trips(spec in spec(), messy in any::<bool>()) {
        let mut text = policy_text(&spec, &in_order(&spec));
        if messy {
            text = text.replace("  ", "    ").replace(" > ", ">").replace(" may ", "   may ").replace('\n', "  # note\n");
        }
        let tree = extramile::syntax::parser::parse(&text).unwrap();
        let once = extramile::syntax::format::format(&text).unwrap();
        let reparsed = extramile::syntax::parser::parse(&once).unwrap();
        prop_assert_eq!(extramile::syntax::format::fingerprint(&tree), extramile::syntax::format::fingerprint(&reparsed));
        prop_assert_eq!(extramile::syntax::format::format(&once).unwrap(), once.clone());
        prop_assert_eq!(extramile::format_source(&once).unwrap(), once);
    }
}
