//! extramile: an embeddable service-policy engine.
//!
//! A company writes down how far its staff may go to make things right for a customer, in
//! a small language that reads like the staff handbook; extramile turns each incident
//! (JSON facts) into an exact, explained [`Decision`]: what to offer, what the acting
//! employee may do now, what needs whose approval, what is owed, what is forbidden and
//! why, and which follow-ups to schedule.
//!
//! ```
//! use extramile::{Policy, Request};
//!
//! let policy: Policy = r#"
//! policy "Home decor store"
//! currency USD
//! roles associate < supervisor
//!
//! facts
//!   incident.kind: one of "broken_item", "complaint"
//!
//! gestures
//!   comp: amount
//!   replace: item
//!   follow_up: due
//!
//! rule broken_item
//!   when incident.kind is "broken_item"
//!   associate may comp up to $50 or replace a broken item
//!   supervisor may comp up to $200
//!   recommend follow_up in 3 days
//! "#.parse()?;
//!
//! let facts = serde_json::json!({"incident": {"kind": "broken_item"}});
//! let decision = policy.evaluate(&facts, &Request::new("associate", "2026-11-22T10:00:00Z".parse()?))?;
//!
//! let choice: Vec<&str> = decision.offers[0].one_of.iter().map(|o| o.gesture.as_str()).collect();
//! assert_eq!(choice, ["comp", "replace"]);
//! assert_eq!(decision.needs_approval[0].approver, "supervisor");
//! assert_eq!(decision.recommended[0].due.as_deref(), Some("2026-11-25T10:00:00Z"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors in a policy come back as [`Diagnostics`], which render rustc-style:
//!
//! ```
//! let err = extramile::Policy::parse_named("store.policy", "currency USD\nroles clerk\nrule r\n  clerk may comp\n").unwrap_err();
//! assert!(err.to_string().contains("error[E0103]: unknown gesture `comp`"));
//! ```

#![deny(missing_docs)]

mod check;
extern crate alloc;

pub mod decision;
pub mod eval;
pub mod ir;
pub mod json;
pub mod money;
mod name;
mod policy;
pub mod script;
pub mod syntax;
pub mod testing;
pub mod value;

pub use crate::decision::Decision;
pub use crate::json::{EvaluationOptions, EvaluationRequest, RequestError};
pub use crate::name::Name;
pub use crate::policy::{Facts, LoadOptions, Policy, Request};
pub use crate::syntax::diagnostic::{Diagnostic, Diagnostics, Severity};
pub use crate::syntax::span::Span;
pub use rust_decimal::Decimal;

/// A time with its UTC offset, as [`Request::new`] takes the current time and as
/// [`value::Value::Time`] holds one. Re-exported from `chrono`, so that embedders need not
/// depend on the same version themselves: `"2026-11-22T10:00:00Z".parse::<DateTime<FixedOffset>>()`.
pub use chrono::DateTime;
/// The UTC offset of a [`DateTime`], re-exported from `chrono`.
pub use chrono::FixedOffset;
/// A calendar date, as [`value::Value::Date`] holds one; re-exported from `chrono`.
pub use chrono::NaiveDate;

/// Formats a policy in the canonical layout (comments kept, meaning unchanged), or returns
/// its syntax error. Only syntax is needed: a policy with check errors still formats.
///
/// ```
/// let tidy = extramile::format_source("roles  clerk<boss\ngestures\n  comp:amount\n")?;
/// assert_eq!(tidy, "roles clerk < boss\n\ngestures\n  comp: amount\n");
/// # Ok::<(), extramile::Diagnostics>(())
/// ```
pub fn format_source(source: &str) -> Result<String, Diagnostics> {
    format_named("policy", source)
}

/// Like [`format_source`], naming the source (a file name) in the diagnostics.
pub fn format_named(origin: &str, source: &str) -> Result<String, Diagnostics> {
    syntax::format::format(source).map_err(|error| Diagnostics::new(origin, source, vec![error]))
}
