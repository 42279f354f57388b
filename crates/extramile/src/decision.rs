//! The decision: what to offer, what needs approval, what is owed, recommended, forbidden
//! and escalated, with errors, warnings and an optional trace. Serialises to the JSON
//! contract of `docs/json.md`.

mod trace;
mod write;

pub use trace::{FactRead, RuleTrace, Trace, TraceIter, TraceTexts, TracedRule};

use crate::name::Name;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The answer for one incident. Amounts are exact decimals in `currency`, printed with
/// the currency's minor-unit digits (`"50.00"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The policy's name.
    pub policy: Name,
    /// The acting role.
    pub role: Name,
    /// The time the decision was made for, RFC 3339.
    pub now: Name,
    /// The policy's currency code.
    pub currency: Name,
    /// What the acting role may do now. Each offer is a choice of one of its gestures.
    pub offers: Vec<Offer>,
    /// What lies beyond the acting role, with the lowest role that may approve it.
    pub needs_approval: Vec<Approval>,
    /// Entitlements owed by rule, with exact amounts.
    pub owed: Vec<Owed>,
    /// Proactive extras, highest priority first.
    pub recommended: Vec<Recommendation>,
    /// Gestures blocked, with the rule and the reason.
    pub forbidden: Vec<Forbidden>,
    /// Roles the incident goes to.
    pub escalations: Vec<Escalation>,
    /// Rules, forbids and limits that could not be evaluated (they granted nothing).
    pub errors: Vec<Problem>,
    /// Things worth a look that did not stop evaluation.
    pub warnings: Vec<Problem>,
    /// Rule by rule, why: present only when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
}

/// The gestures of an [`Offer`]: most offers hold one, kept inline without allocating; a
/// slice for all reading (`iter`, `len`, indexing), built with `OneOf::from_vec` or
/// `collect`.
pub type OneOf = smallvec::SmallVec<[OfferedGesture; 1]>;

impl Decision {
    /// A decision with nothing in it, for the evaluator to fill in place.
    pub(crate) fn empty() -> Decision {
        Decision {
            policy: Name::default(),
            role: Name::default(),
            now: Name::default(),
            currency: Name::default(),
            offers: Vec::new(),
            needs_approval: Vec::new(),
            owed: Vec::new(),
            recommended: Vec::new(),
            forbidden: Vec::new(),
            escalations: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            trace: None,
        }
    }
}

/// A choice of gestures: the employee may give any one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// The gestures to choose from (one, where the rule named one).
    pub one_of: OneOf,
    /// The rule whose grant made this choice.
    pub rule: Name,
    /// The rule's priority: higher comes first.
    pub priority: i64,
}

/// One gesture on offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferedGesture {
    /// The gesture's name.
    pub gesture: Name,
    /// The item words, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Name>,
    /// The most that may be given; absent for gestures without an amount, or when no
    /// grant set an upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Decimal>,
    /// The rule or limit that set `up_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limited_by: Option<Name>,
}

/// A gesture the acting role may not give alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The gesture's name.
    pub gesture: Name,
    /// The item words, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Name>,
    /// The lowest role that may approve it at this amount.
    pub approver: Name,
    /// Up to how much that role may approve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Decimal>,
    /// The rule or limit that set the amount.
    pub rule: Name,
}

/// An entitlement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owed {
    /// The gesture's name.
    pub gesture: Name,
    /// The item words, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Name>,
    /// The exact amount owed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// The rule.
    pub rule: Name,
}

/// A proactive extra.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The gesture's name.
    pub gesture: Name,
    /// The item words, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Name>,
    /// The amount, if the rule gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// When it is due, RFC 3339, in the offset of `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Name>,
    /// The rule.
    pub rule: Name,
    /// The rule's priority.
    pub priority: i64,
}

/// A blocked gesture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forbidden {
    /// The gesture's name.
    pub gesture: Name,
    /// The rule, forbid (`never@LINE`) or limit (`limit@LINE`) that blocked it.
    pub rule: Name,
    /// Why.
    pub reason: Name,
}

/// An escalation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The role to send the incident to.
    pub to: Name,
    /// The rule.
    pub rule: Name,
    /// Why, if the rule said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Name>,
}

/// An error or warning met while evaluating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// The rule, forbid or limit concerned.
    pub rule: Name,
    /// The fact path concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    /// What happened.
    pub message: String,
    /// The policy line of the expression concerned.
    pub line: u32,
    /// Its column.
    pub column: u32,
}

/// How a rule's conditions came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every condition held.
    Matched,
    /// A condition was false.
    NotMatched,
    /// A condition could not be evaluated.
    Error,
}
