//! The reference decision written by hand in Rust: the baseline every engine is measured
//! against. Money is exact (`rust_decimal`, bounds rounded toward zero to the cent), as in
//! extramile, so the comparison is like for like.

use crate::corpus::{Incident, KINDS, TIERS};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// One gesture on offer: its name and, for amount gestures, up to how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gesture {
    /// The gesture's name.
    pub gesture: &'static str,
    /// The most that may be given, if the gesture takes an amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Decimal>,
}

const BROKEN: usize = 0;
const LATE: usize = 1;
const WRONG: usize = 2;
const MISSING: usize = 3;
const DEFECTIVE: usize = 4;
const COMPLAINT: usize = 5;
const BASIC: usize = 0;
const GOLD: usize = 2;
const PLATINUM: usize = 3;

/// Rounds to the cent toward zero, with two decimals: every amount here is an `up to`
/// bound, which rounds toward zero in extramile.
pub(crate) fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::ToZero);
    rounded.rescale(2);
    rounded
}

fn percent(p: Decimal, value: Decimal) -> Decimal {
    cents(p * value)
}

/// The reference decision on a typed incident.
pub fn decide(incident: &Incident) -> Vec<Gesture> {
    let Incident { kind, item_value, tier, days_since_purchase: days, prior_incidents: prior } = *incident;
    let value = cents(item_value);
    let mut out = Vec::with_capacity(8);
    let mut give = |gesture: &'static str, up_to: Option<Decimal>| {
        // As in extramile, an amount that comes out zero or less gives nothing.
        if up_to.is_none_or(|a| a > Decimal::ZERO) {
            out.push(Gesture { gesture, up_to });
        }
    };
    let dollars = |n: i64| Decimal::new(n * 100, 2);
    if kind == BROKEN && days <= 30 {
        give("refund", Some(value));
    }
    if kind == BROKEN && value >= dollars(100) {
        give("breakage_credit", Some(percent(Decimal::new(25, 2), value).min(dollars(50))));
    }
    if kind == BROKEN && days <= 90 {
        give("replacement", None);
    }
    if kind == LATE {
        give("shipping_refund", Some(percent(Decimal::new(10, 2), value).min(dollars(15))));
    }
    if kind == LATE && (tier == GOLD || tier == PLATINUM) {
        give("priority_upgrade", None);
    }
    if kind == LATE && days > 14 {
        give("late_voucher", Some(dollars(10)));
    }
    if kind == WRONG {
        give("exchange", None);
    }
    if kind == WRONG && value > dollars(25) {
        give("return_label", Some(Decimal::new(850, 2)));
    }
    if kind == MISSING && prior < 3 {
        give("missing_refund", Some(value));
    }
    if kind == MISSING && prior >= 3 {
        give("fraud_review", None);
    }
    if kind == DEFECTIVE && (31..=365).contains(&days) {
        give("repair", None);
    }
    if kind == DEFECTIVE && days <= 30 {
        give("defect_refund", Some(value));
    }
    if kind == DEFECTIVE && (31..=180).contains(&days) {
        give("partial_refund", Some(percent(Decimal::new(50, 2), value)));
    }
    if kind == COMPLAINT {
        give("apology_note", None);
    }
    if kind == COMPLAINT && tier != BASIC {
        give("goodwill_credit", Some(percent(Decimal::new(5, 2), value).min(dollars(20))));
    }
    if tier == GOLD && value >= dollars(200) {
        give("loyalty_points", Some(percent(Decimal::new(2, 2), value)));
    }
    if tier == PLATINUM {
        give("concierge_callback", None);
    }
    if prior == 0 && days <= 7 {
        give("welcome_coupon", Some(dollars(5)));
    }
    if (2..=4).contains(&prior) && matches!(kind, BROKEN | DEFECTIVE | MISSING) {
        give("repeat_credit", Some(percent(Decimal::new(125, 3), value).min(dollars(30))));
    }
    if value > dollars(500) && days <= 60 {
        give("white_glove", Some(percent(Decimal::new(1, 2), value).max(dollars(10))));
    }
    out
}

/// An exact decimal from a JSON number, through its shortest text (as extramile reads it).
pub fn decimal_of(n: &serde_json::Number) -> Option<Decimal> {
    match n.as_i64() {
        Some(i) => Some(Decimal::from(i)),
        None => Decimal::from_str(&n.to_string()).ok(),
    }
}

/// Reads a typed incident from the facts JSON, by hand; `None` if a fact is missing or
/// of the wrong type.
pub fn incident_of(facts: &serde_json::Value) -> Option<Incident> {
    let kind = facts.get("incident")?.get("kind")?.as_str()?;
    let customer = facts.get("customer")?;
    let tier = customer.get("tier")?.as_str()?;
    let prior = match customer.get("prior_incidents") {
        None | Some(serde_json::Value::Null) => 0,
        Some(n) => n.as_i64()?,
    };
    let value = match facts.get("item")?.get("value")? {
        serde_json::Value::Number(n) => decimal_of(n)?,
        _ => return None,
    };
    Some(Incident {
        kind: KINDS.iter().position(|k| *k == kind)?,
        item_value: value,
        tier: TIERS.iter().position(|t| *t == tier)?,
        days_since_purchase: facts.get("order")?.get("days_since_purchase")?.as_i64()?,
        prior_incidents: prior,
    })
}

/// The reference decision reading a `serde_json::Value`, as extramile does.
pub fn decide_value(facts: &serde_json::Value) -> Option<Vec<Gesture>> {
    incident_of(facts).map(|incident| decide(&incident))
}

/// The evaluation request as hand-written Rust would deserialise it: typed, with serde.
#[derive(Debug, Deserialize)]
struct Request {
    facts: Facts,
    role: String,
    now: String,
}

#[derive(Debug, Deserialize)]
struct Facts {
    incident: IncidentFacts,
    item: ItemFacts,
    customer: CustomerFacts,
    order: OrderFacts,
}

#[derive(Debug, Deserialize)]
struct IncidentFacts {
    kind: String,
}

#[derive(Debug, Deserialize)]
struct ItemFacts {
    value: serde_json::Number,
}

#[derive(Debug, Deserialize)]
struct CustomerFacts {
    tier: String,
    #[serde(default)]
    prior_incidents: i64,
}

#[derive(Debug, Deserialize)]
struct OrderFacts {
    days_since_purchase: i64,
}

/// The response of [`decide_json`].
#[derive(Debug, Serialize)]
struct Response<'a> {
    role: &'a str,
    now: &'a str,
    currency: &'static str,
    offers: Vec<Gesture>,
}

/// The same request JSON as `Policy::evaluate_json` in, the gestures as JSON out.
pub fn decide_json(request: &str) -> Option<String> {
    let request: Request = serde_json::from_str(request).ok()?;
    let facts = request.facts;
    let incident = Incident {
        kind: KINDS.iter().position(|k| *k == facts.incident.kind)?,
        item_value: decimal_of(&facts.item.value)?,
        tier: TIERS.iter().position(|t| *t == facts.customer.tier)?,
        days_since_purchase: facts.order.days_since_purchase,
        prior_incidents: facts.customer.prior_incidents,
    };
    let response = Response { role: &request.role, now: &request.now, currency: "USD", offers: decide(&incident) };
    serde_json::to_string(&response).ok()
}
