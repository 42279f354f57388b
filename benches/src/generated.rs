//! Generated policies of any size keyed on the incident kind: `n_rules / 10` kinds, each
//! with ten rules whose thresholds vary with the kind. The same family is generated for
//! every engine, and written by hand in Rust as a function of the kind's number.

use crate::corpus::{Incident, TIERS};
use crate::native::{cents, Gesture};
use rust_decimal::Decimal;
use std::fmt::Write;

/// The name of kind number `kind`.
pub fn kind_name(kind: usize) -> String {
    format!("k{kind}")
}

/// How many kinds a policy of `n_rules` rules has.
pub fn n_kinds(n_rules: usize) -> usize {
    (n_rules / 10).max(1)
}

/// The gestures of the generated family, one per rule pattern.
pub const GESTURES: [&str; 10] = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9"];

/// The threshold offset of kind `kind`.
fn offset(kind: usize) -> i64 {
    (kind % 10) as i64
}

/// The extramile source of a generated policy of `n_rules` rules.
pub fn extramile_source(n_rules: usize) -> String {
    let kinds: Vec<String> = (0..n_kinds(n_rules)).map(|k| format!("\"{}\"", kind_name(k))).collect();
    let mut src = String::with_capacity(n_rules * 120);
    let _ = write!(
        src,
        "policy \"Generated: {n_rules} rules keyed on the incident kind\"\ncurrency USD\nroles agent\n\nfacts\n  \
         incident.kind: one of {}\n  item.value: money\n  customer.tier: one of \"basic\", \"silver\", \"gold\", \
         \"platinum\"\n  order.days_since_purchase: number\n  customer.prior_incidents: number, default 0\n\n\
         gestures\n  g0: amount\n  g1: amount\n  g2\n  g3: amount\n  g4\n  g5: amount\n  g6: amount\n  g7\n  \
         g8: amount\n  g9: amount\n",
        kinds.join(", ")
    );
    for rule in 0..n_rules {
        let kind = rule / 10;
        let k = kind_name(kind);
        let t = offset(kind);
        let (condition, grant) = match rule % 10 {
            0 => (format!("order.days_since_purchase <= {}", 30 + t), "g0 up to item.value".to_string()),
            1 => (format!("item.value >= ${}", 100 + t), "g1 up to min(25% of item.value, $50)".to_string()),
            2 => (format!("order.days_since_purchase <= {}", 90 + t), "g2".to_string()),
            3 => (String::new(), "g3 up to min(10% of item.value, $15)".to_string()),
            4 => ("customer.tier in [\"gold\", \"platinum\"]".to_string(), "g4".to_string()),
            5 => (format!("order.days_since_purchase > {}", 14 + t), "g5 up to $10".to_string()),
            6 => ("customer.prior_incidents < 3".to_string(), "g6 up to item.value".to_string()),
            7 => ("customer.prior_incidents >= 3".to_string(), "g7".to_string()),
            8 => (
                format!("order.days_since_purchase between {} and {}", 31 + t, 180 + t),
                "g8 up to 50% of item.value".to_string(),
            ),
            _ => ("customer.tier is not \"basic\"".to_string(), "g9 up to min(5% of item.value, $20)".to_string()),
        };
        let and = if condition.is_empty() { String::new() } else { format!(" and {condition}") };
        let _ = write!(src, "\nrule r{rule}\n  when incident.kind is \"{k}\"{and}\n  agent may {grant}\n");
    }
    src
}

/// The generated decision written by hand: the rules of the incident's kind, when the
/// kind is one of the policy's (`kind < n_kinds`).
pub fn decide(incident: &Incident, n_kinds: usize) -> Vec<Gesture> {
    let mut out = Vec::with_capacity(10);
    if incident.kind >= n_kinds {
        return out;
    }
    let t = offset(incident.kind);
    let value = cents(incident.item_value);
    let days = incident.days_since_purchase;
    let prior = incident.prior_incidents;
    let tier = TIERS.get(incident.tier).copied().unwrap_or("basic");
    let dollars = |n: i64| Decimal::new(n * 100, 2);
    let percent = |p: i64| cents(Decimal::new(p, 2) * value);
    let mut give = |gesture: &'static str, up_to: Option<Decimal>| {
        if up_to.is_none_or(|a| a > Decimal::ZERO) {
            out.push(Gesture { gesture, up_to });
        }
    };
    if days <= 30 + t {
        give("g0", Some(value));
    }
    if value >= dollars(100 + t) {
        give("g1", Some(percent(25).min(dollars(50))));
    }
    if days <= 90 + t {
        give("g2", None);
    }
    give("g3", Some(percent(10).min(dollars(15))));
    if tier == "gold" || tier == "platinum" {
        give("g4", None);
    }
    if days > 14 + t {
        give("g5", Some(dollars(10)));
    }
    if prior < 3 {
        give("g6", Some(value));
    } else {
        give("g7", None);
    }
    if (31 + t..=180 + t).contains(&days) {
        give("g8", Some(percent(50)));
    }
    if tier != "basic" {
        give("g9", Some(percent(5).min(dollars(20))));
    }
    out
}

/// The JSON facts of `incident` for a generated policy.
pub fn facts(incident: &Incident) -> serde_json::Value {
    incident.to_json_with(&kind_name)
}
