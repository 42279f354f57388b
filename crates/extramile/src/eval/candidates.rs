//! The rules worth evaluating for one incident: the rule index's candidates, with what the
//! index already tells about each rule's key condition.

use crate::eval::facts::{self, FactError, Mark};
use crate::ir::{MergedIndex, Program, SlotId};
use crate::value::Value;

/// What the index already tells about a rule's first condition, the key condition
/// `fact is "value"` (or `fact in [...]`) on the fact in the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    /// Nothing: the rule is not keyed, or its fact has no usable value.
    Unknown,
    /// The rule was found under the fact's value: the key condition holds.
    Holds(SlotId),
    /// The rule is keyed on other values (only evaluated when tracing).
    Fails(SlotId),
}

/// Up to this many rules found under one fact's value are inserted in order; more are
/// appended and sorted.
const FEW_INSERTED: usize = 4;

/// Rules worth evaluating, in source order, with what the index tells about their key
/// condition: all of them when tracing, otherwise those the index selects.
pub(super) fn candidate_rules(
    program: &Program,
    facts: &[Result<Value, FactError>],
    marks: &[Mark],
    all: bool,
    out: &mut Vec<(usize, Key)>,
) {
    let index = &program.index;
    // The keyed fact whose candidates are merged with `always` in advance, when not tracing.
    let merged = index.merged.as_ref().filter(|_| !all);
    match merged {
        Some(merged) => merged_candidates(merged, facts, marks, out),
        None if all => out.extend((0..program.rules.len()).map(|idx| (idx, Key::Unknown))),
        None => out.extend(index.always.iter().map(|&idx| (idx, Key::Unknown))),
    }
    // Whether rules were appended out of order, to be sorted at the end.
    let mut appended = false;
    for ((slot, by_value), keyed) in index.by_slot.iter().zip(&index.keyed) {
        if merged.is_some_and(|merged| merged.slot == *slot) {
            continue;
        }
        let text = match facts.get(*slot) {
            Some(Ok(Value::Text(text))) => text,
            // Without a usable value every keyed rule is evaluated, and reports the error.
            _ => {
                if !all {
                    out.extend(keyed.iter().map(|&idx| (idx, Key::Unknown)));
                    appended = true;
                }
                continue;
            }
        };
        let found = by_value.get(text).map_or(&[][..], Vec::as_slice);
        if all {
            // Every rule is listed already: mark what the index knows of the keyed ones.
            for &idx in keyed {
                let key = if found.contains(&idx) { Key::Holds(*slot) } else { Key::Fails(*slot) };
                if let Some(entry) = out.get_mut(idx) {
                    entry.1 = key;
                }
            }
        } else if found.len() <= FEW_INSERTED && !appended {
            // A few rules go straight to their place, keeping the list sorted.
            for &idx in found {
                let at = out.partition_point(|&(listed, _)| listed < idx);
                if out.get(at).is_none_or(|&(listed, _)| listed != idx) {
                    out.insert(at, (idx, Key::Holds(*slot)));
                }
            }
        } else {
            out.extend(found.iter().map(|&idx| (idx, Key::Holds(*slot))));
            appended = true;
        }
    }
    if appended {
        // A rule is keyed on one fact at most, so equal indices are equal pairs: sorting and
        // deduplicating by index alone is enough, and cheaper.
        out.sort_unstable_by_key(|&(idx, _)| idx);
        out.dedup_by_key(|&mut (idx, _)| idx);
    }
}

/// The candidates of the fact whose lists are merged with `always` in advance, in order.
fn merged_candidates(
    merged: &MergedIndex,
    facts: &[Result<Value, FactError>],
    marks: &[Mark],
    out: &mut Vec<(usize, Key)>,
) {
    // A `one of` value read as a choice is looked up by its position.
    let by_choice = facts::choice(marks, merged.slot).and_then(|choice| merged.by_choice.get(choice));
    let list = match (by_choice, facts.get(merged.slot)) {
        (Some(list), _) => list,
        (None, Some(Ok(Value::Text(text)))) => merged.by_value.get(text).unwrap_or(&merged.other_value),
        _ => &merged.no_value,
    };
    let key = |holds: bool| if holds { Key::Holds(merged.slot) } else { Key::Unknown };
    out.extend(list.iter().map(|&(idx, holds)| (idx, key(holds))));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use crate::eval::facts::read_facts;
    use crate::Policy;
    use std::sync::Arc;

    /// Rules keyed on `kind` (one on two values) and on `tier`, with unkeyed rules between.
    const POLICY: &str = "currency USD\nroles agent\n\nfacts\n  kind: text\n  tier: text, default \"basic\"\n  \
                          n: number, default 0\n\ngestures\n  g\n\n\
                          rule a\n  when kind is \"x\"\n  agent may g\n\n\
                          rule b\n  when n > 1\n  agent may g\n\n\
                          rule c\n  when kind in [\"x\", \"y\"]\n    and n < 5\n  agent may g\n\n\
                          rule t\n  when tier is \"gold\"\n  agent may g\n\n\
                          rule d\n  when kind is \"z\"\n  agent may g\n\n\
                          rule e\n  agent may g\n";

    #[test]
    fn the_merged_lists_are_the_candidates_merged_per_incident() {
        let policy = Policy::parse(POLICY).unwrap();
        let mut program = Arc::try_unwrap(policy.program).unwrap();
        let merged_slot = program.index.merged.as_ref().map(|merged| merged.slot);
        assert_eq!(merged_slot, Some(0), "`kind` keys the most rules: its lists are merged in advance");
        let documents = [
            serde_json::json!({"kind": "x"}),
            serde_json::json!({"kind": "y", "n": 3, "tier": "gold"}),
            serde_json::json!({"kind": "z", "tier": 3}),
            serde_json::json!({"kind": "other", "tier": "gold"}),
            serde_json::json!({"kind": 7}),
            serde_json::json!({"tier": "gold"}),
        ];
        let mut seen = Vec::new();
        for document in &documents {
            let mut facts = Vec::new();
            read_facts(&program, document, &mut facts);
            let (mut merged, mut per_incident) = (Vec::new(), Vec::new());
            candidate_rules(&program, &facts, &[], false, &mut merged);
            let index = program.index.merged.take();
            candidate_rules(&program, &facts, &[], false, &mut per_incident);
            program.index.merged = index;
            assert_eq!(merged, per_incident, "{document}");
            seen.push(merged.iter().map(|(idx, _)| *idx).collect::<Vec<_>>());
        }
        // Rules a, b, c, t, d, e are 0 to 5; t is listed with a usable tier of "gold" or
        // without a usable tier.
        let expected: [&[usize]; 6] =
            [&[0, 1, 2, 5], &[1, 2, 3, 5], &[1, 3, 4, 5], &[1, 3, 5], &[0, 1, 2, 4, 5], &[0, 1, 2, 3, 4, 5]];
        assert_eq!(seen, expected);
    }

    /// `one of` values read as choices find the same candidates by position as by text.
    #[test]
    fn choices_find_the_candidates_their_texts_find() {
        let source = POLICY
            .replace("kind: text", "kind: one of \"other\", \"x\", \"y\", \"z\"")
            .replace("tier: text, default \"basic\"", "tier: one of \"basic\", \"gold\", default \"basic\"");
        let policy = Policy::parse(&source).unwrap();
        let program = &policy.program;
        for kind in ["x", "y", "z", "other"] {
            for tier in ["basic", "gold"] {
                let document = serde_json::json!({"kind": kind, "tier": tier, "n": 3});
                let mut table = facts::FactTable::default();
                crate::eval::tree::read_document(facts::Filling::new(program, &mut table), &document).unwrap();
                let (marks, facts) = (table.marks, table.values);
                assert!(facts::choice(&marks, 0).is_some(), "the kind was read as a choice");
                let (mut by_choice, mut by_text) = (Vec::new(), Vec::new());
                candidate_rules(program, &facts, &marks, false, &mut by_choice);
                candidate_rules(program, &facts, &[], false, &mut by_text);
                assert_eq!(by_choice, by_text, "{document}");
                assert_eq!(by_choice.iter().any(|(idx, _)| *idx == 0), kind == "x", "{document}");
            }
        }
    }
}
