//! Whole-rule analyses: the rule index, and rules whose conditions can never hold.

use crate::check::Checker;
use crate::eval::expr::values_equal;
use crate::ir::{Candidate, CompareOp, Condition, Expr, ExprKind, FactSlot, MergedIndex, Rule, RuleIndex, SlotId};
use crate::syntax::diagnostic::Diagnostic;
use crate::value::{Ty, Value};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// Keys each rule whose first condition is `text_fact is "value"` (or `in [...]`) on that
/// fact, so that evaluation looks only at rules whose key matches. Only the first
/// condition is used: evaluation would test it first anyway, so a skipped rule is exactly a
/// rule that would not have matched, and no error is lost.
pub(crate) fn build_index(rules: &[Rule], facts: &[FactSlot]) -> RuleIndex {
    let mut index = RuleIndex::default();
    // The keyed rules by fact, then by value, as they are found.
    type Keyed = HashMap<Arc<str>, Vec<usize>>;
    let mut by_slot: Vec<(SlotId, Keyed)> = Vec::new();
    for (rule_idx, rule) in rules.iter().enumerate() {
        match rule.conditions.first().and_then(|c| index_keys(&c.expr, facts)) {
            Some((slot, keys)) => {
                let position = match by_slot.iter().position(|(s, _)| *s == slot) {
                    Some(position) => position,
                    None => {
                        by_slot.push((slot, HashMap::new()));
                        by_slot.len() - 1
                    }
                };
                if let Some((_, map)) = by_slot.get_mut(position) {
                    for key in keys {
                        let entry = map.entry(key).or_default();
                        if entry.last() != Some(&rule_idx) {
                            entry.push(rule_idx);
                        }
                    }
                }
            }
            None => index.always.push(rule_idx),
        }
    }
    index.by_slot = by_slot.into_iter().map(|(slot, map)| (slot, map.into_iter().collect())).collect();
    index.keyed = index
        .by_slot
        .iter()
        .map(|(_, by_value)| {
            let mut rules: Vec<usize> = by_value.values().flatten().copied().collect();
            rules.sort_unstable();
            rules.dedup();
            rules
        })
        .collect();
    index.merged = merge_index(&index, facts);
    index
}

/// The candidates of the fact that keys the most rules, merged with `always` for each of
/// its values; `None` without keyed rules, or when the merged lists would be too large.
fn merge_index(index: &RuleIndex, facts: &[FactSlot]) -> Option<MergedIndex> {
    let keyed = |by_value: &crate::ir::RulesByValue| by_value.values().map(Vec::len).sum::<usize>();
    let (slot, by_value) = index.by_slot.iter().max_by_key(|(_, by_value)| keyed(by_value))?;
    let entries = by_value.values().map(|rules| rules.len().saturating_add(index.always.len())).sum::<usize>();
    if entries > RuleIndex::MAX_MERGED {
        return None;
    }
    let merged = |keyed: &mut dyn Iterator<Item = Candidate>| -> Arc<[Candidate]> {
        let mut list: Vec<Candidate> = index.always.iter().map(|&idx| (idx, false)).chain(keyed).collect();
        list.sort_unstable();
        // A rule keyed on several values is listed once.
        list.dedup_by_key(|(idx, _)| *idx);
        list.into()
    };
    let mut every = by_value.values().flatten().map(|&idx| (idx, false));
    let lists: crate::ir::TextMap<Arc<[Candidate]>> = by_value
        .iter()
        .map(|(value, rules)| (value.clone(), merged(&mut rules.iter().map(|&idx| (idx, true)))))
        .collect();
    let other_value = merged(&mut std::iter::empty());
    let one_of = facts.get(*slot).map_or(&[][..], |fact| fact.one_of_sorted.as_slice());
    let by_choice = one_of.iter().map(|value| Arc::clone(lists.get(value).unwrap_or(&other_value))).collect();
    Some(MergedIndex { slot: *slot, by_value: lists, by_choice, other_value, no_value: merged(&mut every) })
}

/// The kinds of a pair of operands.
fn kinds(operands: &[Expr; 2]) -> (&ExprKind, &ExprKind) {
    let [lhs, rhs] = operands;
    (&lhs.kind, &rhs.kind)
}

fn index_keys(condition: &Expr, facts: &[FactSlot]) -> Option<(SlotId, Vec<Arc<str>>)> {
    let is_text = |slot: &SlotId| facts.get(*slot).is_some_and(|f| f.ty == Ty::Text);
    match &condition.kind {
        ExprKind::Compare(CompareOp::Eq, operands) => match kinds(operands) {
            (ExprKind::Fact(slot), ExprKind::Const(Value::Text(key)))
            | (ExprKind::Const(Value::Text(key)), ExprKind::Fact(slot))
                if is_text(slot) =>
            {
                Some((*slot, vec![key.clone()]))
            }
            _ => None,
        },
        ExprKind::In(operands, false) => match kinds(operands) {
            (ExprKind::Fact(slot), ExprKind::Const(Value::List(items))) if is_text(slot) => {
                let keys: Option<Vec<Arc<str>>> = items
                    .iter()
                    .map(|v| match v {
                        Value::Text(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                keys.map(|k| (*slot, k))
            }
            _ => None,
        },
        _ => None,
    }
}

/// What the conditions of one rule say about one fact.
#[derive(Default)]
struct Constraints {
    equal: Option<Value>,
    not_equal: Vec<Value>,
    one_of: Option<Vec<Value>>,
    lower: Option<(Value, bool)>,
    upper: Option<(Value, bool)>,
}

impl Checker<'_> {
    /// Warns (`W0205`) about a recommended amount above the cap of a limit on its gesture,
    /// both constants: limits do not cap recommendations, so the recommendation would
    /// suggest more than the limit lets anyone give. Linear: the smallest constant cap of
    /// each gesture first, then each recommendation against it.
    pub(crate) fn warn_recommended_above_limits(&mut self, rules: &[Rule], limits: &[crate::ir::Limit]) {
        let Some(currency) = self.currency else { return };
        let constant = |expr: &Expr| match &expr.kind {
            ExprKind::Const(Value::Money(amount)) => Some(*amount),
            _ => None,
        };
        let mut caps: HashMap<usize, (rust_decimal::Decimal, &crate::ir::Limit)> = HashMap::new();
        for limit in limits {
            // A cap rounds toward zero, as evaluation rounds it.
            let Some(cap) = constant(&limit.amount).and_then(|cap| currency.round_toward_zero(cap)) else { continue };
            for gesture in &limit.gestures {
                let entry = caps.entry(*gesture).or_insert((cap, limit));
                if cap < entry.0 {
                    *entry = (cap, limit);
                }
            }
        }
        if caps.is_empty() {
            return;
        }
        for rule in rules {
            for rec in &rule.recommends {
                let (Some(expr), Some((cap, limit))) = (&rec.amount, caps.get(&rec.gesture)) else { continue };
                let Some(amount) = constant(expr) else { continue };
                if amount > *cap {
                    let gesture = self.gestures.get(rec.gesture).map(|g| g.name.to_string()).unwrap_or_default();
                    let code = currency.code;
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "W0205",
                            format!("`{gesture}` is recommended at {amount} {code}, more than its limit of {cap} {code} allows"),
                            expr.span,
                        )
                        .with_label(limit.span, "the limit")
                        .with_help("limits do not cap recommendations: recommend at most the limit, or raise it"),
                    );
                }
            }
        }
    }

    /// Warns about rules whose conditions contradict each other.
    pub(crate) fn warn_unreachable(&mut self, rules: &[Rule]) {
        for rule in rules {
            if let Some(why) = contradiction(&rule.conditions) {
                let span = rule
                    .conditions
                    .first()
                    .map_or(rule.span, |c| c.expr.span)
                    .to(rule.conditions.last().map_or(rule.span, |c| c.expr.span));
                self.diagnostics.push(
                    Diagnostic::warning("W0201", format!("rule `{}` can never match: {why}", rule.name), span)
                        .with_help("check the conditions: no incident can satisfy all of them"),
                );
            }
        }
    }
}

fn contradiction(conditions: &[Condition]) -> Option<String> {
    // By fact, in the order first compared, so that the contradiction reported is always the
    // same one. A rule compares a few facts, found by a scan; a rule of many lines comparing
    // many facts gets a map, so that it cannot make loading quadratic.
    let mut by_slot: Vec<(SlotId, Constraints)> = Vec::new();
    let mut positions: HashMap<SlotId, usize> = HashMap::new();
    for Condition { expr: condition, .. } in conditions {
        if let ExprKind::Const(Value::Bool(false)) = condition.kind {
            return Some("a condition is always false".to_string());
        }
        let Some((slot, op, value)) = fact_comparison(condition) else { continue };
        let known = if by_slot.len() <= SCANNED_FACTS {
            by_slot.iter().position(|(known, _)| *known == slot)
        } else {
            if positions.is_empty() {
                positions.extend(by_slot.iter().enumerate().map(|(at, (known, _))| (*known, at)));
            }
            positions.get(&slot).copied()
        };
        let at = match known {
            Some(at) => at,
            None => {
                let at = by_slot.len();
                by_slot.push((slot, Constraints::default()));
                if !positions.is_empty() {
                    positions.insert(slot, at);
                }
                at
            }
        };
        let Some((_, c)) = by_slot.get_mut(at) else { continue };
        match op {
            Constraint::Eq => {
                if let Some(previous) = &c.equal {
                    if !values_equal(previous, &value) {
                        return Some(format!("a fact cannot be both {} and {}", show(previous), show(&value)));
                    }
                }
                c.equal = Some(value.clone());
                tighten(&mut c.lower, value.clone(), true, Ordering::Greater);
                tighten(&mut c.upper, value, true, Ordering::Less);
            }
            Constraint::Ne => c.not_equal.push(value),
            Constraint::In(values) => c.one_of = Some(values),
            Constraint::Lower(inclusive) => tighten(&mut c.lower, value, inclusive, Ordering::Greater),
            Constraint::Upper(inclusive) => tighten(&mut c.upper, value, inclusive, Ordering::Less),
        }
    }
    for (_, c) in &by_slot {
        if let Some(eq) = &c.equal {
            if c.not_equal.iter().any(|v| values_equal(v, eq)) {
                return Some(format!("a fact cannot be {} and not {}", show(eq), show(eq)));
            }
            if let Some(set) = &c.one_of {
                if !set.iter().any(|v| values_equal(v, eq)) {
                    return Some(format!("{} is not among the values listed with `in`", show(eq)));
                }
            }
        }
        if let (Some((low, low_inc)), Some((high, high_inc))) = (&c.lower, &c.upper) {
            match order(low, high) {
                Some(Ordering::Greater) => {
                    return Some(format!("no value is at least {} and at most {}", show(low), show(high)))
                }
                Some(Ordering::Equal) if !(*low_inc && *high_inc) => {
                    return Some(format!("no value lies strictly around {}", show(low)));
                }
                _ => {}
            }
        }
    }
    None
}

/// Facts a rule's contradiction check finds by a scan; past this, by a map.
const SCANNED_FACTS: usize = 16;

enum Constraint {
    Eq,
    Ne,
    In(Vec<Value>),
    Lower(bool),
    Upper(bool),
}

fn fact_comparison(condition: &Expr) -> Option<(SlotId, Constraint, Value)> {
    match &condition.kind {
        ExprKind::Compare(op, operands) => {
            let (slot, value, flipped) = match kinds(operands) {
                (ExprKind::Fact(slot), ExprKind::Const(v)) => (*slot, v.clone(), false),
                (ExprKind::Const(v), ExprKind::Fact(slot)) => (*slot, v.clone(), true),
                _ => return None,
            };
            let constraint = match (op, flipped) {
                (CompareOp::Eq, _) => Constraint::Eq,
                (CompareOp::Ne, _) => Constraint::Ne,
                (CompareOp::Gt, false) | (CompareOp::Lt, true) => Constraint::Lower(false),
                (CompareOp::Ge, false) | (CompareOp::Le, true) => Constraint::Lower(true),
                (CompareOp::Lt, false) | (CompareOp::Gt, true) => Constraint::Upper(false),
                (CompareOp::Le, false) | (CompareOp::Ge, true) => Constraint::Upper(true),
            };
            Some((slot, constraint, value))
        }
        ExprKind::In(operands, false) => match kinds(operands) {
            (ExprKind::Fact(slot), ExprKind::Const(Value::List(items))) => {
                Some((*slot, Constraint::In(items.to_vec()), Value::Bool(true)))
            }
            _ => None,
        },
        _ => None,
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Keeps the tighter bound: the greater lower bound, or the smaller upper bound.
fn tighten(bound: &mut Option<(Value, bool)>, value: Value, inclusive: bool, tighter: Ordering) {
    let replace = match bound {
        None => true,
        Some((current, current_inclusive)) => match order(&value, current) {
            Some(ord) if ord == tighter => true,
            Some(Ordering::Equal) => *current_inclusive && !inclusive,
            _ => false,
        },
    };
    if replace {
        *bound = Some((value, inclusive));
    }
}

fn show(value: &Value) -> String {
    match value.to_json() {
        serde_json::Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}
