//! The canonical form every engine's answer is compared in, and the fairness gate.

use crate::corpus::Incident;
use crate::native::Gesture;
use extramile::decision::Decision;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Gestures on offer with their amounts as exact decimal strings, sorted by gesture.
pub type Outcome = Vec<(String, Option<String>)>;

/// An amount as a string with the cent's two decimals. An amount with more decimals is
/// left as it is, so that an engine which forgot to round fails the gate.
pub fn amount_text(amount: Decimal) -> String {
    let normal = amount.normalize();
    if normal.scale() <= 2 {
        let mut fixed = normal;
        fixed.rescale(2);
        fixed.to_string()
    } else {
        normal.to_string()
    }
}

/// An amount given in whole cents.
pub fn cents_text(cents: i64) -> String {
    amount_text(Decimal::new(cents, 2))
}

/// Sorts and returns `outcome`.
pub fn sorted(mut outcome: Outcome) -> Outcome {
    outcome.sort();
    outcome
}

/// The outcome of the hand-written Rust decision.
pub fn of_native(gestures: &[Gesture]) -> Outcome {
    sorted(gestures.iter().map(|g| (g.gesture.to_string(), g.up_to.map(amount_text))).collect())
}

/// The outcome of an extramile decision: its offers, which must each offer one gesture;
/// errors in the decision make the outcome say so.
pub fn of_decision(decision: &Decision) -> Outcome {
    let mut outcome: Outcome = Vec::new();
    for offer in &decision.offers {
        for gesture in &offer.one_of {
            outcome.push((gesture.gesture.to_string(), gesture.up_to.map(amount_text)));
        }
    }
    for problem in &decision.errors {
        outcome.push((format!("error: {}", problem.message), None));
    }
    sorted(outcome)
}

/// A mismatch found by the gate.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The engine that disagreed with the first one.
    pub engine: String,
    /// The incident.
    pub incident: String,
    /// What the first engine said.
    pub expected: Outcome,
    /// What this engine said.
    pub found: Outcome,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fairness gate: `{}` disagrees on incident {}\n  expected: {:?}\n  found:    {:?}",
            self.engine, self.incident, self.expected, self.found
        )
    }
}

/// An engine under the gate: a name and a function from an incident to its outcome.
pub type GateEngine<'a> = (String, Box<dyn FnMut(&Incident) -> Outcome + 'a>);

/// Runs every engine on every incident and compares with the first engine. Returns how
/// often each gesture was offered, or the first mismatch.
pub fn gate(corpus: &[Incident], engines: &mut [GateEngine<'_>]) -> Result<BTreeMap<String, usize>, Box<Mismatch>> {
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    for incident in corpus {
        let mut expected: Option<Outcome> = None;
        for (name, engine) in engines.iter_mut() {
            let found = engine(incident);
            match &expected {
                None => {
                    for (gesture, _) in &found {
                        *fired.entry(gesture.clone()).or_default() += 1;
                    }
                    expected = Some(found);
                }
                Some(expected) if *expected == found => {}
                Some(expected) => {
                    return Err(Box::new(Mismatch {
                        engine: name.clone(),
                        incident: format!("{incident:?}"),
                        expected: expected.clone(),
                        found,
                    }))
                }
            }
        }
    }
    Ok(fired)
}
