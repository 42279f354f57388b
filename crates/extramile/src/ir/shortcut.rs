//! Conditions and amounts as compiled: the expression, and the same in the shape the
//! evaluator answers without walking it, when it has one of the common shapes.

use crate::ir::{ArithOp, CompareOp, Expr, ExprKind, SlotId};
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

/// A grant's `up to` amount.
#[derive(Debug, Clone)]
pub struct Amount {
    /// The amount, which decides in every case.
    pub expr: Expr,
    /// The same amount in a common shape, computed straight from the facts.
    pub shortcut: AmountShortcut,
}

impl Amount {
    /// The amount `expr`, with its shortcut when it has one.
    pub fn new(expr: Expr) -> Amount {
        let shortcut = AmountShortcut::of(&expr);
        Amount { expr, shortcut }
    }
}

/// An amount of a common shape: money, a money fact, a percentage of one, or the least or
/// most of such amounts. Its value is the expression's whenever the facts it reads hold
/// money and nothing overflows; otherwise the evaluator falls back to the expression.
#[derive(Debug, Clone)]
pub enum AmountShortcut {
    /// A constant amount of money.
    Money(Decimal),
    /// A money fact.
    Fact(SlotId),
    /// `factor * fact` (`25% of item.value`), rounded to the currency.
    Scaled {
        /// The number the fact is multiplied by.
        factor: Decimal,
        /// The money fact.
        slot: SlotId,
    },
    /// `min(...)` of amounts that all have shortcuts.
    Min(Box<[AmountShortcut]>),
    /// `max(...)` of amounts that all have shortcuts.
    Max(Box<[AmountShortcut]>),
    /// Any other amount: the expression alone.
    None,
}

impl AmountShortcut {
    /// The shortcut of `expr`, [`AmountShortcut::None`] if it has no common shape.
    pub fn of(expr: &Expr) -> AmountShortcut {
        let all = |args: &[Expr]| -> Option<Box<[AmountShortcut]>> {
            let shortcuts: Box<[AmountShortcut]> = args.iter().map(AmountShortcut::of).collect();
            let complete = !shortcuts.is_empty() && shortcuts.iter().all(|s| !matches!(s, AmountShortcut::None));
            complete.then_some(shortcuts)
        };
        let shortcut = match &expr.kind {
            ExprKind::Const(Value::Money(amount)) => Some(AmountShortcut::Money(*amount)),
            ExprKind::Fact(slot) => Some(AmountShortcut::Fact(*slot)),
            ExprKind::Arith(ArithOp::Mul, operands) => match &**operands {
                [Expr { kind: ExprKind::Const(Value::Number(factor)), .. }, Expr { kind: ExprKind::Fact(slot), .. }]
                | [Expr { kind: ExprKind::Fact(slot), .. }, Expr { kind: ExprKind::Const(Value::Number(factor)), .. }] => {
                    Some(AmountShortcut::Scaled { factor: *factor, slot: *slot })
                }
                _ => None,
            },
            ExprKind::Min(args) => all(args).map(AmountShortcut::Min),
            ExprKind::Max(args) => all(args).map(AmountShortcut::Max),
            _ => None,
        };
        shortcut.unwrap_or(AmountShortcut::None)
    }
}
