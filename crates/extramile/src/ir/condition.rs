//! A rule's condition as compiled: the expression, and the same condition in the shape the
//! evaluator answers without walking it, when it has one of the common shapes.

use crate::ir::{CompareOp, Expr, ExprKind, SlotId};
use crate::value::Value;
use rust_decimal::Decimal;
use std::sync::Arc;

/// One condition of a rule (a `when` line, or one side of a top-level `and`).
#[derive(Debug, Clone)]
pub struct Condition {
    /// The condition, which decides in every case.
    pub expr: Expr,
    /// The same condition in a common shape, answered straight from the facts.
    pub shortcut: Shortcut,
}

impl Condition {
    /// The condition `expr`, with its shortcut when it has one.
    pub fn new(expr: Expr) -> Condition {
        let shortcut = Shortcut::of(&expr);
        Condition { expr, shortcut }
    }
}

/// A condition of a common shape, on one fact and constants. Its answer is the
/// expression's whenever the fact holds a value of the shortcut's type; for anything else
/// (a missing fact, another type) the evaluator falls back to the expression, which gives
/// the exact answer or error.
#[derive(Debug, Clone)]
pub enum Shortcut {
    /// `fact OP amount`, the fact a number (`money: false`) or money.
    Order {
        /// The fact.
        slot: SlotId,
        /// The comparison.
        op: CompareOp,
        /// The constant on the right.
        amount: Decimal,
        /// Whether the constant is money.
        money: bool,
    },
    /// `fact (not) between low and high`, all numbers or all money.
    Between {
        /// The fact.
        slot: SlotId,
        /// The inclusive bounds.
        low: Decimal,
        /// The inclusive upper bound.
        high: Decimal,
        /// Whether the bounds are money.
        money: bool,
        /// `not between`.
        negated: bool,
    },
    /// `fact is "text"` (`equal: true`) or `fact is not "text"`.
    Text {
        /// The fact.
        slot: SlotId,
        /// The constant.
        text: Arc<str>,
        /// `is` rather than `is not`.
        equal: bool,
    },
    /// `fact (not) in [constants]`.
    In {
        /// The fact.
        slot: SlotId,
        /// The constant list.
        items: Arc<[Value]>,
        /// `not in`.
        negated: bool,
    },
    /// Any other condition: the expression alone.
    None,
}

impl Shortcut {
    /// The shortcut of `expr`, [`Shortcut::None`] if it has no common shape.
    pub fn of(expr: &Expr) -> Shortcut {
        let fact = |e: &Expr| match e.kind {
            ExprKind::Fact(slot) => Some(slot),
            _ => None,
        };
        let decimal = |e: &Expr| match &e.kind {
            ExprKind::Const(Value::Number(d)) => Some((*d, false)),
            ExprKind::Const(Value::Money(d)) => Some((*d, true)),
            _ => None,
        };
        let shortcut = match &expr.kind {
            ExprKind::Compare(op, operands) => {
                let [lhs, rhs] = &**operands;
                match (fact(lhs), &rhs.kind, decimal(rhs)) {
                    (Some(slot), _, Some((amount, money))) => Some(Shortcut::Order { slot, op: *op, amount, money }),
                    (Some(slot), ExprKind::Const(Value::Text(text)), _)
                        if matches!(op, CompareOp::Eq | CompareOp::Ne) =>
                    {
                        Some(Shortcut::Text { slot, text: Arc::clone(text), equal: *op == CompareOp::Eq })
                    }
                    _ => None,
                }
            }
            ExprKind::Between(operands, negated) => {
                let [value, low, high] = &**operands;
                match (fact(value), decimal(low), decimal(high)) {
                    (Some(slot), Some((low, money)), Some((high, high_money))) if money == high_money => {
                        Some(Shortcut::Between { slot, low, high, money, negated: *negated })
                    }
                    _ => None,
                }
            }
            ExprKind::In(operands, negated) => {
                let [needle, haystack] = &**operands;
                match (fact(needle), &haystack.kind) {
                    (Some(slot), ExprKind::Const(Value::List(items))) => {
                        Some(Shortcut::In { slot, items: Arc::clone(items), negated: *negated })
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        shortcut.unwrap_or(Shortcut::None)
    }
}
