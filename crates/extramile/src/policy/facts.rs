//! `Facts`: an incident's facts read once for one policy, to evaluate any number of times.

use crate::eval::facts::{check_depth, FactError, FactTable};
use crate::ir::{FactSlot, Program};
use crate::json::RequestError;
use crate::value::Value;
use std::sync::Arc;

/// The facts of one incident, read for one policy: every declared fact found, checked and
/// converted once, in the slot the compiled rules read it from. Evaluating them with
/// [`crate::Policy::evaluate_facts`] skips reading the JSON, so a host that asks about one
/// incident several times (for several roles, at several times, or after changing a fact
/// with [`Facts::set`]) reads it once. `Send + Sync`, cheap to clone.
///
/// ```
/// use extramile::{Policy, Request};
///
/// let policy = Policy::parse(r#"
/// currency USD
/// roles associate < supervisor
/// facts
///   incident.kind: one of "broken_item", "complaint"
///   item.value: money
/// gestures
///   comp: amount
/// rule broken
///   when incident.kind is "broken_item"
///   associate may comp up to min(item.value, $50)
///   supervisor may comp up to item.value
/// "#)?;
/// let mut facts = policy.facts(&serde_json::json!({"incident": {"kind": "broken_item"}, "item": {"value": 80}}))?;
/// let now = "2026-11-22T10:00:00Z".parse()?;
/// let associate = policy.evaluate_facts(&facts, &Request::new("associate", now))?;
/// assert_eq!(associate.offers[0].one_of[0].up_to.map(|a| a.to_string()), Some("50.00".into()));
/// assert_eq!(associate.needs_approval[0].up_to.map(|a| a.to_string()), Some("80.00".into()));
///
/// // The same incident with a dearer item: only that fact is read again.
/// facts.set("item.value", &serde_json::json!(120))?;
/// let supervisor = policy.evaluate_facts(&facts, &Request::new("supervisor", now))?;
/// assert_eq!(supervisor.offers[0].one_of[0].up_to.map(|a| a.to_string()), Some("120.00".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Facts {
    /// The program the facts were read for: only its policy may evaluate them.
    pub(super) program: Arc<Program>,
    pub(super) table: FactTable,
}

/// Each declared fact by its path, with its value or why it has none (the policy itself is
/// left out: it would bury them).
impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let paths = self.program.facts.iter().map(|fact| fact.path.as_str());
        f.debug_map().entries(paths.zip(&self.table.values)).finish()
    }
}

impl Facts {
    /// The slot and declaration of the fact at `path`, if the policy declares one.
    fn declared(&self, path: &str) -> Option<(usize, &FactSlot)> {
        self.program.facts.iter().enumerate().find(|(_, fact)| fact.path == path)
    }

    /// Gives the declared fact at `path` (such as `item.value`) the value `json`, read as
    /// the facts document would give it: `null` makes it missing (its default, if it has
    /// one). A value the fact cannot take is not refused here: like a wrong value in the
    /// document, it is an error of the rules that read the fact, reported in their
    /// decision.
    ///
    /// Errors: [`RequestError::UnknownFact`] if the policy declares no fact at `path`;
    /// [`RequestError::InvalidRequest`] if `json` nests deeper than the policy's
    /// `FactLimits::max_depth` allows at that path.
    pub fn set(&mut self, path: &str, json: &serde_json::Value) -> Result<(), RequestError> {
        let program = &self.program;
        let Some((slot, fact)) = self.declared(path) else {
            return Err(RequestError::UnknownFact {
                path: path.to_string(),
                facts: program.facts.iter().map(|fact| fact.path.to_string()).collect(),
            });
        };
        // The facts object is level 1: the value at `path` sits one level below its parent.
        let max_depth = program.fact_limits.max_depth.saturating_sub(fact.segments.len());
        if let Err(inner) = check_depth(json, max_depth) {
            let at = match inner.chars().next() {
                None => path.to_string(),
                Some('[') => format!("{path}{inner}"),
                Some(_) => format!("{path}.{inner}"),
            };
            return Err(super::nested_too_deep(&at, program.fact_limits.max_depth));
        }
        self.table.set_json(program, slot, json);
        Ok(())
    }

    /// The value of the declared fact at `path` as the rules read it: `None` if no fact is
    /// declared there, `Some(Err(..))` if it has no usable value (missing, or not of its
    /// type), with the message the rules that read it would report.
    ///
    /// ```
    /// # let policy = extramile::Policy::parse("currency USD\nroles clerk\nfacts\n  order.total: money\n  order.items: number, default 1\n")?;
    /// use extramile::{value::Value, Decimal};
    /// let facts = policy.facts(&serde_json::json!({"order": {"total": "12.5"}}))?;
    /// assert_eq!(facts.get("order.total"), Some(Ok(&Value::Money(Decimal::new(1250, 2)))));
    /// assert_eq!(facts.get("order.items"), Some(Ok(&Value::Number(Decimal::ONE))), "the default");
    /// assert!(facts.get("order.count").is_none(), "not declared");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, path: &str) -> Option<Result<&Value, &FactError>> {
        let (slot, _) = self.declared(path)?;
        self.table.values.get(slot).map(Result::as_ref)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use crate::{Policy, Request, RequestError};

    const POLICY: &str = "currency USD\nroles clerk\nfacts\n  order.total: money\n  order.kind: one of \"web\", \"shop\"\n\
                          gestures\n  comp: amount\nrule web\n  when order.kind is \"web\"\n  clerk may comp up to order.total\n";

    fn now() -> chrono::DateTime<chrono::FixedOffset> {
        "2026-11-22T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn facts_are_refused_by_another_policy_and_kept_by_a_clone() {
        let policy = Policy::parse(POLICY).unwrap();
        let facts = policy.facts(&serde_json::json!({"order": {"total": 30, "kind": "web"}})).unwrap();
        let request = Request::new("clerk", now());
        let same_source = Policy::parse(POLICY).unwrap();
        assert_eq!(same_source.evaluate_facts(&facts, &request), Err(RequestError::FactsOfAnotherPolicy));
        let decision = policy.clone().evaluate_facts(&facts, &request).unwrap();
        assert_eq!(decision.offers.len(), 1);
        let unknown_role = policy.evaluate_facts(&facts, &Request::new("boss", now())).unwrap_err();
        assert!(matches!(unknown_role, RequestError::UnknownRole { .. }), "{unknown_role}");
    }

    #[test]
    fn facts_show_as_their_paths_and_values() {
        let policy = Policy::parse(POLICY).unwrap();
        let facts = policy.facts(&serde_json::json!({"order": {"total": 30, "kind": "web"}})).unwrap();
        assert_eq!(format!("{facts:?}"), r#"{"order.total": Ok(Money(30.00)), "order.kind": Ok(Text("web"))}"#);
    }

    #[test]
    fn setting_an_undeclared_fact_names_the_declared_ones() {
        let policy = Policy::parse(POLICY).unwrap();
        let mut facts = policy.facts(&serde_json::json!({})).unwrap();
        let err = facts.set("order", &serde_json::json!({"total": 5})).unwrap_err();
        assert_eq!(err.to_string(), "unknown fact `order`: the policy declares order.total, order.kind");
        assert!(policy
            .facts(&serde_json::json!([1]))
            .is_err_and(|err| matches!(err, RequestError::FactsNotObject { .. })));
    }

    #[test]
    fn a_set_fact_is_read_as_the_document_reads_it() {
        let policy = Policy::parse(POLICY).unwrap();
        let mut facts = policy.facts(&serde_json::json!({"order": {"kind": "web"}})).unwrap();
        assert!(facts.get("order.total").is_some_and(|total| total.is_err()), "missing");
        facts.set("order.total", &serde_json::json!("12.50 USD")).unwrap();
        let decision = policy.evaluate_facts(&facts, &Request::new("clerk", now())).unwrap();
        assert_eq!(decision.offers[0].one_of[0].up_to, Some(crate::Decimal::new(1250, 2)));
        facts.set("order.kind", &serde_json::json!("phone")).unwrap();
        let decision = policy.evaluate_facts(&facts, &Request::new("clerk", now())).unwrap();
        assert!(decision.offers.is_empty());
        assert_eq!(decision.errors[0].message, "fact `order.kind` is `phone`: expected one of \"web\", \"shop\"");
    }
}
