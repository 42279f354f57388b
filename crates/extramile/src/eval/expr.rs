//! Evaluates compiled expressions over the fact table, exactly and without panicking.

use crate::eval::facts::FactError;
use crate::ir::{Amount, AmountShortcut, ArithOp, CompareOp, Condition, Expr, ExprKind, Program, Shortcut, SlotId};
use crate::money::{self, Currency, Rounding};
use crate::syntax::ast::{SinceDirection, TimeUnit};
use crate::syntax::span::Span;
use crate::value::{Ty, Value};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What went wrong.
    pub message: String,
    /// The fact path involved, if any.
    pub fact: Option<String>,
    /// The expression that failed.
    pub span: Span,
}

impl ExprError {
    /// A boxed error: results carry errors boxed, so that the common, successful result
    /// stays small (a condition's result fits two registers).
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Box<ExprError> {
        Box::new(ExprError { message: message.into(), fact: None, span })
    }
}

/// What evaluating an expression gives: a value, or why there is none.
pub type Result<T> = std::result::Result<T, Box<ExprError>>;

/// What an expression may read.
pub struct Env<'a> {
    /// The program (for the currency and scripts).
    pub program: Option<&'a Program>,
    /// The currency money rounds to.
    pub currency: Currency,
    /// The fact table, by slot.
    pub facts: &'a [std::result::Result<Value, FactError>],
    /// The current time.
    pub now: DateTime<FixedOffset>,
    /// Slots read, when tracing.
    pub reads: Option<Vec<SlotId>>,
    /// Whether money results are kept exact instead of rounded at each step: set while a
    /// bound (an `up to` amount, a limit's cap and amount used) is computed, which then
    /// rounds once, toward zero ([`Env::bound`]).
    pub exact_money: bool,
}

impl<'a> Env<'a> {
    /// Evaluates `expr`.
    pub fn eval(&mut self, expr: &Expr) -> Result<Value> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(value) => Ok(value.clone()),
            ExprKind::Fact(slot) => self.read(*slot, span),
            ExprKind::List(items) => {
                let values = items.iter().map(|e| self.eval(e)).collect::<Result<Vec<_>>>()?;
                Ok(Value::List(Arc::from(values)))
            }
            ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Compare(..)
            | ExprKind::In(..)
            | ExprKind::Contains(..)
            | ExprKind::Between(..) => self.eval_bool(expr).map(Value::Bool),
            ExprKind::Arith(op, operands) => {
                let [lhs, rhs] = &**operands;
                let (lhs, rhs) = (self.eval(lhs)?, self.eval(rhs)?);
                let rounding = if self.exact_money {
                    MoneySteps::Exact(self.currency)
                } else {
                    MoneySteps::Rounded(self.currency)
                };
                arith(*op, lhs, rhs, rounding, span)
            }
            ExprKind::Neg(inner) => match self.eval(inner)? {
                Value::Number(n) => Decimal::ZERO.checked_sub(n).map(Value::Number).ok_or_else(|| overflow(span)),
                Value::Money(n) => Decimal::ZERO.checked_sub(n).map(Value::Money).ok_or_else(|| overflow(span)),
                Value::Duration(s) => s.checked_neg().map(Value::Duration).ok_or_else(|| overflow(span)),
                other => Err(ExprError::new(format!("cannot negate {}", other.ty()), span)),
            },
            ExprKind::Min(args) => self.extreme(args, Ordering::Less, span),
            ExprKind::Max(args) => self.extreme(args, Ordering::Greater, span),
            ExprKind::Round(value, digits) => {
                let value = self.eval(value)?;
                let digits = match digits {
                    Some(d) => Some(self.eval(d)?),
                    None => None,
                };
                round(value, digits, self.currency, span)
            }
            ExprKind::Abs(inner) => match self.eval(inner)? {
                Value::Number(n) => Ok(Value::Number(n.abs())),
                Value::Money(n) => Ok(Value::Money(n.abs())),
                Value::Duration(s) => s.checked_abs().map(Value::Duration).ok_or_else(|| overflow(span)),
                other => Err(ExprError::new(
                    format!("`abs` needs a number, money or a duration, found {}", other.ty()),
                    span,
                )),
            },
            ExprKind::Since(unit, direction, operand) => {
                let operand = self.eval(operand)?;
                since(*unit, *direction, &operand, self.now, span)
            }
            ExprKind::Now => Ok(Value::Time(self.now)),
            ExprKind::Today => Ok(Value::Date(self.now.date_naive())),
            ExprKind::Script(function, args) => {
                let values = args.iter().map(|e| self.eval(e)).collect::<Result<Vec<_>>>()?;
                let program = self.program.ok_or_else(|| ExprError::new("scripts do not run while checking", span))?;
                program.scripts.call(*function, &values, span)
            }
            ExprKind::Coerce(ty, inner) => {
                let value = self.eval(inner)?;
                coerce(ty, value, self.currency, span)
            }
        }
    }

    /// Whether a rule's condition holds: answered by its shortcut when the fact has the
    /// shortcut's type, by evaluating the expression otherwise, and always by the expression
    /// when the reads are being recorded (the trace lists them).
    #[inline]
    pub fn condition_holds(&mut self, condition: &Condition) -> Result<bool> {
        if self.reads.is_none() {
            if let Some(holds) = shortcut_holds(&condition.shortcut, self.facts) {
                return Ok(holds);
            }
        }
        self.eval_bool(&condition.expr)
    }

    /// A grant's amount, a bound: computed by its shortcut when the facts it reads hold
    /// money, as [`Env::bound`] computes it otherwise (and when the reads are being
    /// recorded).
    #[inline]
    pub fn amount(&mut self, amount: &Amount) -> Result<Value> {
        if self.reads.is_none() {
            if let Some(money) = shortcut_amount(&amount.shortcut, self.facts, self.currency) {
                return Ok(Value::Money(money));
            }
        }
        self.bound(&amount.expr)
    }

    /// Evaluates `expr`, a bound, with money kept exact, and rounds the money it comes to
    /// toward zero: a bound never exceeds the amount its text computes.
    pub fn bound(&mut self, expr: &Expr) -> Result<Value> {
        let value = self.exact(expr)?;
        self.toward_zero(value, expr.span)
    }

    /// Evaluates `expr` with money kept exact, not rounded at each step (the caller rounds).
    pub fn exact(&mut self, expr: &Expr) -> Result<Value> {
        let was = std::mem::replace(&mut self.exact_money, true);
        let value = self.eval(expr);
        self.exact_money = was;
        value
    }

    /// `value`, money rounded toward zero to the minor unit (an overflow if it cannot be
    /// held with the minor unit's digits); other values as they are.
    pub fn toward_zero(&self, value: Value, span: Span) -> Result<Value> {
        match value {
            Value::Money(amount) => {
                self.currency.round_toward_zero(amount).map(Value::Money).ok_or_else(|| overflow(span))
            }
            other => Ok(other),
        }
    }

    /// Evaluates `expr`, which must be true or false. Conditions are evaluated here, with
    /// facts and constants borrowed rather than copied.
    pub fn eval_bool(&mut self, expr: &Expr) -> Result<bool> {
        // The commonest condition, `fact OP constant`, before anything else (the general
        // path then stays out of its way).
        if let ExprKind::Compare(op, operands) = &expr.kind {
            if let [Expr { kind: ExprKind::Fact(slot), span: fact_span }, Expr { kind: ExprKind::Const(constant), .. }] =
                &**operands
            {
                let fact = self.read_ref(*slot, *fact_span)?;
                return compare(*op, fact, constant, expr.span);
            }
        }
        self.eval_bool_general(expr)
    }

    /// [`Env::eval_bool`] for every other condition.
    #[inline(never)]
    fn eval_bool_general(&mut self, expr: &Expr) -> Result<bool> {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Not(inner) => Ok(!self.eval_bool(inner)?),
            ExprKind::And(operands) => {
                let [lhs, rhs] = &**operands;
                Ok(self.eval_bool(lhs)? && self.eval_bool(rhs)?)
            }
            ExprKind::Or(operands) => {
                let [lhs, rhs] = &**operands;
                Ok(self.eval_bool(lhs)? || self.eval_bool(rhs)?)
            }
            ExprKind::Compare(op, operands) => {
                let [lhs, rhs] = &**operands;
                let lhs = self.operand(lhs)?;
                let rhs = self.operand(rhs)?;
                compare(*op, &lhs, &rhs, span)
            }
            ExprKind::In(operands, negated) => {
                let [needle, haystack] = &**operands;
                let needle = self.operand(needle)?;
                let found = match &*self.operand(haystack)? {
                    Value::List(items) => items.iter().any(|item| values_equal(item, &needle)),
                    Value::Text(text) => match &*needle {
                        Value::Text(part) => text.contains(&**part),
                        _ => return Err(ExprError::new("`in` needs a list or a text on its right", span)),
                    },
                    _ => return Err(ExprError::new("`in` needs a list on its right", span)),
                };
                Ok(found != *negated)
            }
            ExprKind::Contains(operands) => {
                let [haystack, needle] = &**operands;
                let haystack = self.operand(haystack)?;
                let needle = self.operand(needle)?;
                match (&*haystack, &*needle) {
                    (Value::List(items), needle) => Ok(items.iter().any(|item| values_equal(item, needle))),
                    (Value::Text(text), Value::Text(part)) => Ok(text.contains(&**part)),
                    _ => Err(ExprError::new("`contains` needs a list or a text on its left", span)),
                }
            }
            ExprKind::Between(operands, negated) => {
                let [value, low, high] = &**operands;
                let value = self.operand(value)?;
                let low = self.operand(low)?;
                let high = self.operand(high)?;
                let inside =
                    compare(CompareOp::Ge, &value, &low, span)? && compare(CompareOp::Le, &value, &high, span)?;
                Ok(inside != *negated)
            }
            _ => match self.eval(expr)? {
                Value::Bool(b) => Ok(b),
                other => Err(ExprError::new(format!("expected true or false, found {}", other.ty()), span)),
            },
        }
    }

    /// Evaluates an operand: a fact or a constant is borrowed, anything else computed.
    fn operand<'x>(&mut self, expr: &'x Expr) -> Result<Cow<'x, Value>>
    where
        'a: 'x,
    {
        match &expr.kind {
            ExprKind::Const(value) => Ok(Cow::Borrowed(value)),
            ExprKind::Fact(slot) => self.read_ref(*slot, expr.span).map(Cow::Borrowed),
            _ => self.eval(expr).map(Cow::Owned),
        }
    }

    fn read(&mut self, slot: SlotId, span: Span) -> Result<Value> {
        self.read_ref(slot, span).cloned()
    }

    fn read_ref(&mut self, slot: SlotId, span: Span) -> Result<&'a Value> {
        if let Some(reads) = &mut self.reads {
            if !reads.contains(&slot) {
                reads.push(slot);
            }
        }
        match self.facts.get(slot) {
            Some(Ok(value)) => Ok(value),
            other => Err(unreadable(other.and_then(|fact| fact.as_ref().err()), span)),
        }
    }

    fn extreme(&mut self, args: &[Expr], want: Ordering, span: Span) -> Result<Value> {
        let mut best: Option<Value> = None;
        for arg in args {
            let value = self.eval(arg)?;
            best = Some(match best {
                None => value,
                Some(current) => {
                    if order(&value, &current, span)? == want {
                        value
                    } else {
                        current
                    }
                }
            });
        }
        best.ok_or_else(|| ExprError::new("`min` and `max` need at least one value", span))
    }
}

/// The error of reading a fact that could not be read (`None`: a slot the program does not
/// have, which the compiler never makes), kept out of the way of reading one that could.
#[cold]
#[inline(never)]
fn unreadable(fact: Option<&FactError>, span: Span) -> Box<ExprError> {
    match fact {
        Some(err) => Box::new(ExprError { message: err.message.clone(), fact: Some(err.path.clone()), span }),
        None => ExprError::new("internal error: unknown fact slot", span),
    }
}

fn overflow(span: Span) -> Box<ExprError> {
    ExprError::new("arithmetic overflow", span)
}

/// The answer of a condition's shortcut, `None` when the fact has no value of the
/// shortcut's type (the expression then decides, with its exact answer or error).
#[inline(always)]
fn shortcut_holds(shortcut: &Shortcut, facts: &[std::result::Result<Value, FactError>]) -> Option<bool> {
    let fact = |slot: SlotId| match facts.get(slot) {
        Some(Ok(value)) => Some(value),
        _ => None,
    };
    let amount = |slot: SlotId, money: bool| match (fact(slot)?, money) {
        (Value::Number(amount), false) | (Value::Money(amount), true) => Some(amount),
        _ => None,
    };
    match shortcut {
        Shortcut::Order { slot, op, amount: constant, money } => {
            Some(op.holds(compare_decimals(amount(*slot, *money)?, constant)))
        }
        Shortcut::Between { slot, low, high, money, negated } => {
            let value = amount(*slot, *money)?;
            let inside =
                compare_decimals(value, low) != Ordering::Less && compare_decimals(value, high) != Ordering::Greater;
            Some(inside != *negated)
        }
        Shortcut::Text { slot, text, equal } => match fact(*slot)? {
            Value::Text(value) => Some((**value == **text) == *equal),
            _ => None,
        },
        Shortcut::In { slot, items, negated } => {
            let value = fact(*slot)?;
            Some(items.iter().any(|item| values_equal(item, value)) != *negated)
        }
        Shortcut::None => None,
    }
}

/// The value of an amount's shortcut, rounded toward zero as [`Env::bound`] rounds; `None`
/// when a fact it reads holds no money or the arithmetic overflows (the expression then
/// gives the exact value or error). Rounding toward zero is monotonic, so the least or
/// greatest of amounts rounded is the least or greatest rounded.
fn shortcut_amount(
    shortcut: &AmountShortcut,
    facts: &[std::result::Result<Value, FactError>],
    currency: Currency,
) -> Option<Decimal> {
    let money = |slot: SlotId| match facts.get(slot) {
        Some(Ok(Value::Money(amount))) => Some(*amount),
        _ => None,
    };
    // As `min` and `max` evaluate: the first of equal amounts stays.
    let extreme = |args: &[AmountShortcut], want: Ordering| {
        let mut best: Option<Decimal> = None;
        for arg in args {
            let value = shortcut_amount(arg, facts, currency)?;
            best = match best {
                Some(current) if compare_decimals(&value, &current) != want => Some(current),
                _ => Some(value),
            };
        }
        best
    };
    match shortcut {
        AmountShortcut::Money(amount) => currency.round_toward_zero(*amount),
        AmountShortcut::Fact(slot) => currency.round_toward_zero(money(*slot)?),
        AmountShortcut::Scaled { factor, slot } => currency.scaled(money(*slot)?, *factor, Rounding::TowardZero),
        AmountShortcut::Min(args) => extreme(args, Ordering::Less),
        AmountShortcut::Max(args) => extreme(args, Ordering::Greater),
        AmountShortcut::None => None,
    }
}

/// Whether two values are equal; numbers and money compare by amount, not by scale.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => {
            compare_decimals(x, y) == Ordering::Equal
        }
        _ => a == b,
    }
}

/// Orders two decimals by amount. Amounts of one scale and sign, the common case (money is
/// kept at the currency's scale, whole numbers at scale 0), compare by their 96-bit
/// magnitudes, which is much cheaper than the general comparison that aligns the scales.
#[inline]
fn compare_decimals(x: &Decimal, y: &Decimal) -> Ordering {
    // A decimal's 128 bits: its flags (scale and sign) in the low 32, its 96-bit magnitude
    // above them. Equal flags mean the same scale and sign.
    let (a, b) = (u128::from_le_bytes(x.serialize()), u128::from_le_bytes(y.serialize()));
    if a as u32 == b as u32 {
        let magnitude = (a >> 32).cmp(&(b >> 32));
        if x.is_sign_negative() {
            magnitude.reverse()
        } else {
            magnitude
        }
    } else {
        x.cmp(y)
    }
}

fn order(a: &Value, b: &Value, span: Span) -> Result<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => Ok(compare_decimals(x, y)),
        (Value::Duration(x), Value::Duration(y)) => Ok(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Ok(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Ok(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Ok(x.cmp(y)),
        _ => Err(cannot_compare(a, b, span)),
    }
}

/// The error of [`order`], kept out of its way (the hot path then saves fewer registers).
#[cold]
#[inline(never)]
fn cannot_compare(a: &Value, b: &Value, span: Span) -> Box<ExprError> {
    ExprError::new(format!("cannot compare {} with {}", a.ty(), b.ty()), span)
}

/// Whether `a OP b` holds. Amounts, the commonest comparison, are decided here directly;
/// anything else by [`values_equal`] or [`order`].
#[inline]
fn compare(op: CompareOp, a: &Value, b: &Value, span: Span) -> Result<bool> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => {
            Ok(op.holds(compare_decimals(x, y)))
        }
        _ => match op {
            CompareOp::Eq => Ok(values_equal(a, b)),
            CompareOp::Ne => Ok(!values_equal(a, b)),
            _ => Ok(op.holds(order(a, b, span)?)),
        },
    }
}

fn checked(value: Option<Decimal>, span: Span) -> Result<Decimal> {
    value.ok_or_else(|| overflow(span))
}

/// How money results of [`arith`] are kept.
#[derive(Debug, Clone, Copy)]
pub enum MoneySteps {
    /// Rounded to the currency's minor unit, half away from zero, at each operation, and
    /// exact: an operation whose result `Decimal` could not hold to the digit is an overflow.
    Rounded(Currency),
    /// Kept exact, for a bound rounded once at the end: an operation whose result
    /// `Decimal` could not hold close enough to exact to round it right is an overflow
    /// (`Currency::bound_add` and the others).
    Exact(Currency),
}

impl MoneySteps {
    fn add(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        match self {
            MoneySteps::Rounded(_) => money::exact_add(a, b),
            MoneySteps::Exact(currency) => currency.bound_add(a, b),
        }
    }

    fn sub(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        match self {
            MoneySteps::Rounded(_) => money::exact_sub(a, b),
            MoneySteps::Exact(currency) => currency.bound_sub(a, b),
        }
    }

    fn mul(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        match self {
            MoneySteps::Rounded(_) => money::exact_mul(a, b),
            MoneySteps::Exact(currency) => currency.bound_mul(a, b),
        }
    }

    /// `a / b` for money divided by a number (rounded after, or kept close to exact).
    fn div(self, a: Decimal, b: Decimal, span: Span) -> Result<Decimal> {
        match self {
            MoneySteps::Exact(currency) if !b.is_zero() => checked(currency.bound_div(a, b), span),
            _ => divide(a, b, span),
        }
    }
}

/// Applies `op`; money results are kept as `steps` says.
pub fn arith(op: ArithOp, lhs: Value, rhs: Value, steps: MoneySteps, span: Span) -> Result<Value> {
    use Value::{Date, Duration, Money, Number, Time};
    let money = |d: Decimal| match steps {
        MoneySteps::Rounded(currency) => currency.round(d).map(Money).ok_or_else(|| overflow(span)),
        MoneySteps::Exact(_) => Ok(Money(d)),
    };
    // Money is exact at each step: `Decimal` drops decimals instead of failing when a
    // mantissa overflows, which would lose cents silently.
    match (op, lhs, rhs) {
        (ArithOp::Add, Number(a), Number(b)) => Ok(Number(checked(a.checked_add(b), span)?)),
        (ArithOp::Sub, Number(a), Number(b)) => Ok(Number(checked(a.checked_sub(b), span)?)),
        (ArithOp::Mul, Number(a), Number(b)) => Ok(Number(checked(a.checked_mul(b), span)?)),
        (ArithOp::Div, Number(a), Number(b)) => Ok(Number(divide(a, b, span)?)),
        (ArithOp::Add, Money(a), Money(b)) => money(checked(steps.add(a, b), span)?),
        (ArithOp::Sub, Money(a), Money(b)) => money(checked(steps.sub(a, b), span)?),
        (ArithOp::Mul, Money(a), Number(b)) | (ArithOp::Mul, Number(b), Money(a)) => {
            money(checked(steps.mul(a, b), span)?)
        }
        (ArithOp::Div, Money(a), Number(b)) => money(steps.div(a, b, span)?),
        (ArithOp::Div, Money(a), Money(b)) => Ok(Number(divide(a, b, span)?)),
        (ArithOp::Add, Duration(a), Duration(b)) => a.checked_add(b).map(Duration).ok_or_else(|| overflow(span)),
        (ArithOp::Sub, Duration(a), Duration(b)) => a.checked_sub(b).map(Duration).ok_or_else(|| overflow(span)),
        (ArithOp::Mul, Duration(a), Number(b)) | (ArithOp::Mul, Number(b), Duration(a)) => {
            whole_seconds(checked(Decimal::from(a).checked_mul(b), span)?, span)
        }
        (ArithOp::Div, Duration(a), Number(b)) => whole_seconds(divide(Decimal::from(a), b, span)?, span),
        (ArithOp::Div, Duration(a), Duration(b)) => Ok(Number(divide(Decimal::from(a), Decimal::from(b), span)?)),
        (ArithOp::Add, Time(t), Duration(d)) | (ArithOp::Add, Duration(d), Time(t)) => {
            add_seconds(t, Some(d), span).map(Time)
        }
        (ArithOp::Sub, Time(t), Duration(d)) => add_seconds(t, d.checked_neg(), span).map(Time),
        (ArithOp::Sub, Time(a), Time(b)) => Ok(Duration(a.signed_duration_since(b).num_seconds())),
        (ArithOp::Add, Date(day), Duration(d)) | (ArithOp::Add, Duration(d), Date(day)) => {
            add_days(day, whole_days(d), span).map(Date)
        }
        (ArithOp::Sub, Date(day), Duration(d)) => {
            add_days(day, whole_days(d).and_then(i64::checked_neg), span).map(Date)
        }
        (ArithOp::Sub, Date(a), Date(b)) => Ok(Duration(a.signed_duration_since(b).num_seconds())),
        (op, a, b) => {
            Err(ExprError::new(format!("cannot apply `{}` to {} and {}", arith_symbol(op), a.ty(), b.ty()), span))
        }
    }
}

/// `time` plus `seconds` (`None`: a count that overflowed), or an overflow error where the
/// result is beyond the times chrono holds. Never chrono's panicking constructors: a
/// duration read from an incident may be any 64-bit number of seconds.
pub fn add_seconds(time: DateTime<FixedOffset>, seconds: Option<i64>, span: Span) -> Result<DateTime<FixedOffset>> {
    seconds
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| time.checked_add_signed(delta))
        .ok_or_else(|| time_overflow(span))
}

/// The whole days of a duration of `seconds`, truncated toward zero: what a date moves by
/// when the duration is added or subtracted, so that `d - x` is `d + (-x)` and `(d + x) - x`
/// is `d` (36 hours and -36 hours are one day either way; an hour is none).
fn whole_days(seconds: i64) -> Option<i64> {
    seconds.checked_div(86_400)
}

/// `day` plus `days` (`None`: a count that overflowed), or an overflow error where the
/// result is beyond the dates chrono holds.
fn add_days(day: NaiveDate, days: Option<i64>, span: Span) -> Result<NaiveDate> {
    days.and_then(TimeDelta::try_days)
        .and_then(|delta| day.checked_add_signed(delta))
        .ok_or_else(|| time_overflow(span))
}

fn time_overflow(span: Span) -> Box<ExprError> {
    ExprError::new("arithmetic overflow: the date or time is out of range", span)
}

/// A computed number of seconds as a duration: rounded to whole seconds half away from
/// zero (as money rounds), or an overflow error.
fn whole_seconds(seconds: Decimal, span: Span) -> Result<Value> {
    let whole = seconds.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    whole.to_i64().map(Value::Duration).ok_or_else(|| overflow(span))
}

fn arith_symbol(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
    }
}

fn divide(a: Decimal, b: Decimal, span: Span) -> Result<Decimal> {
    if b.is_zero() {
        return Err(ExprError::new("division by zero", span));
    }
    checked(a.checked_div(b), span)
}

fn round(value: Value, digits: Option<Value>, currency: Currency, span: Span) -> Result<Value> {
    let digits = match digits {
        None => None,
        Some(Value::Number(n)) => match n.to_u32() {
            Some(d) if d <= 10 && n.fract().is_zero() => Some(d),
            _ => return Err(ExprError::new("`round` takes a whole number of digits from 0 to 10", span)),
        },
        Some(other) => {
            return Err(ExprError::new(format!("`round` takes a number of digits, found {}", other.ty()), span))
        }
    };
    let strategy = rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    match value {
        Value::Number(n) => Ok(Value::Number(n.round_dp_with_strategy(digits.unwrap_or(0), strategy))),
        Value::Money(n) => {
            let digits = digits.unwrap_or(0).min(currency.minor_units);
            currency.round(n.round_dp_with_strategy(digits, strategy)).map(Value::Money).ok_or_else(|| overflow(span))
        }
        other => Err(ExprError::new(format!("`round` needs a number or money, found {}", other.ty()), span)),
    }
}

fn since(
    unit: TimeUnit,
    direction: SinceDirection,
    operand: &Value,
    now: DateTime<FixedOffset>,
    span: Span,
) -> Result<Value> {
    let today = now.date_naive();
    let seconds = match (direction, operand) {
        (SinceDirection::Since, Value::Time(t)) => now.signed_duration_since(*t).num_seconds(),
        (SinceDirection::Until, Value::Time(t)) => t.signed_duration_since(now).num_seconds(),
        (SinceDirection::Since, Value::Date(d)) => today.signed_duration_since(*d).num_seconds(),
        (SinceDirection::Until, Value::Date(d)) => d.signed_duration_since(today).num_seconds(),
        (SinceDirection::UntilNext, Value::Date(d)) => {
            next_anniversary(*d, today).signed_duration_since(today).num_seconds()
        }
        (SinceDirection::UntilNext, Value::Time(t)) => {
            let date = t.date_naive();
            next_anniversary(date, today).signed_duration_since(today).num_seconds()
        }
        (_, other) => return Err(ExprError::new(format!("expected a date or a time, found {}", other.ty()), span)),
    };
    // Whole units elapsed, rounded toward zero: 47 hours is 1 day.
    Ok(Value::Number(Decimal::from(seconds / unit.seconds())))
}

/// The first day on or after `today` with the month and day of `date` (28 February stands
/// in for 29 February in years that lack it).
fn next_anniversary(date: NaiveDate, today: NaiveDate) -> NaiveDate {
    let in_year = |year: i32| {
        NaiveDate::from_ymd_opt(year, date.month(), date.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
            .unwrap_or(today)
    };
    let this_year = in_year(today.year());
    if this_year >= today {
        this_year
    } else {
        in_year(today.year().saturating_add(1))
    }
}

fn coerce(ty: &Ty, value: Value, currency: Currency, span: Span) -> Result<Value> {
    match (ty, value) {
        (Ty::Money, Value::Number(n)) => {
            if currency.is_exact(n) {
                currency.round(n).map(Value::Money).ok_or_else(|| overflow(span))
            } else {
                Err(ExprError::new(
                    format!("script returned `{n}`, which has more decimals than {} allows", currency.code),
                    span,
                ))
            }
        }
        (Ty::Any, value) => Ok(value),
        (ty, value) if ty.accepts(&value.ty()) => Ok(value),
        (ty, value) => Err(ExprError::new(format!("script returned {}, expected {ty}", value.ty()), span)),
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn constant(value: Value) -> Expr {
        Expr { kind: ExprKind::Const(value), span: Span::default() }
    }

    /// A fact's value of any type a shortcut meets, with awkward amounts (negative, of
    /// several scales), or no value at all.
    fn fact_value() -> impl Strategy<Value = std::result::Result<Value, FactError>> {
        // Close to the constants' range, so that a fact often equals a constant or a bound.
        let amount = (-5_i64..5, 0_u32..2).prop_map(|(n, scale)| Decimal::new(n, scale));
        prop_oneof![
            3 => amount.clone().prop_map(|a| Ok(Value::Number(a))),
            3 => amount.prop_map(|a| Ok(Value::Money(a))),
            2 => prop::sample::select(vec!["gold", "silver", "", "Gold"]).prop_map(|t| Ok(Value::Text(Arc::from(t)))),
            1 => any::<bool>().prop_map(|b| Ok(Value::Bool(b))),
            1 => Just(Ok(Value::Duration(60))),
            1 => Just(Err(FactError { path: "x".into(), message: "missing".into() })),
        ]
    }

    /// A condition on the fact in slot 0, of each shape that has a shortcut.
    fn condition() -> impl Strategy<Value = Expr> {
        let fact = || Expr { kind: ExprKind::Fact(0), span: Span::default() };
        let amount = (-5_i64..5, 0_u32..2, any::<bool>()).prop_map(|(n, scale, money)| {
            if money {
                Value::Money(Decimal::new(n, scale))
            } else {
                Value::Number(Decimal::new(n, scale))
            }
        });
        let text = prop::sample::select(vec!["gold", "silver", "platinum"]).prop_map(|t| Value::Text(Arc::from(t)));
        let op = prop::sample::select(vec![
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ]);
        let equality = prop::sample::select(vec![CompareOp::Eq, CompareOp::Ne]);
        let bounds = (-5_i64..5, 0_u32..2, -5_i64..5, 0_u32..2, any::<bool>()).prop_map(|(a, sa, b, sb, money)| {
            let (low, high) = (Decimal::new(a, sa), Decimal::new(b, sb));
            if money {
                (Value::Money(low), Value::Money(high))
            } else {
                (Value::Number(low), Value::Number(high))
            }
        });
        prop_oneof![
            (op, amount.clone()).prop_map(move |(op, c)| ExprKind::Compare(op, Box::new([fact(), constant(c)]))),
            (equality, text.clone()).prop_map(move |(op, c)| ExprKind::Compare(op, Box::new([fact(), constant(c)]))),
            (bounds, any::<bool>()).prop_map(move |((low, high), negated)| {
                ExprKind::Between(Box::new([fact(), constant(low), constant(high)]), negated)
            }),
            (prop::collection::vec(prop_oneof![amount, text], 0..4), any::<bool>()).prop_map(
                move |(items, negated)| {
                    ExprKind::In(Box::new([fact(), constant(Value::List(Arc::from(items)))]), negated)
                }
            ),
        ]
        .prop_map(|kind| Expr { kind, span: Span::default() })
    }

    /// An amount over the fact in slot 0, of the shapes that have a shortcut.
    fn amount() -> impl Strategy<Value = Expr> {
        let expr = |kind| Expr { kind, span: Span::default() };
        let leaf = prop_oneof![
            // Equal amounts written with different scales (1, 1.0, 1.00) are frequent, so
            // that `min` and `max` must keep the first of equals as the expression does.
            (prop::sample::select(vec![0_i64, 1, 10, 100, -1, -10, 7]), 0_u32..3)
                .prop_map(move |(n, scale)| expr(ExprKind::Const(Value::Money(Decimal::new(n, scale))))),
            Just(expr(ExprKind::Fact(0))),
            ((1_i64..200, 0_u32..4), any::<bool>()).prop_map(move |((n, scale), fact_first)| {
                let (factor, fact) =
                    (expr(ExprKind::Const(Value::Number(Decimal::new(n, scale)))), expr(ExprKind::Fact(0)));
                let operands = if fact_first { [fact, factor] } else { [factor, fact] };
                expr(ExprKind::Arith(ArithOp::Mul, Box::new(operands)))
            }),
        ];
        leaf.prop_recursive(2, 8, 3, move |inner| {
            (prop::collection::vec(inner, 1..4), any::<bool>())
                .prop_map(move |(args, min)| expr(if min { ExprKind::Min(args) } else { ExprKind::Max(args) }))
        })
    }

    proptest! {
        /// An amount's shortcut, where it answers, gives the expression's value to the
        /// digit; and it answers whenever the fact holds money that does not overflow.
        #[test]
        fn an_amount_shortcut_computes_as_the_expression_does(
            expr in amount(),
            fact in prop_oneof![
                4 => (-100_000_i64..100_000, 0_u32..4).prop_map(|(n, scale)| Ok(Value::Money(Decimal::new(n, scale)))),
                4 => (prop::sample::select(vec![1_i64, 10, 100]), 0_u32..3).prop_map(|(n, scale)| Ok(Value::Money(Decimal::new(n, scale)))),
                1 => Just(Ok(Value::Money(Decimal::MAX))),
                1 => Just(Ok(Value::Number(Decimal::ONE))),
                1 => Just(Err(FactError { path: "x".into(), message: "missing".into() })),
            ],
        ) {
            let amount = Amount::new(expr.clone());
            prop_assert!(!matches!(amount.shortcut, AmountShortcut::None), "no shortcut for {:?}", expr.kind);
            let facts = [fact];
            let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
            let currency = Currency::from_code("USD").unwrap();
            let mut env = Env { program: None, currency, facts: &facts, now, reads: None, exact_money: false };
            let expected = env.bound(&expr);
            match shortcut_amount(&amount.shortcut, &facts, currency) {
                // The same amount, written the same way (scale included).
                Some(money) => prop_assert_eq!(expected.ok().map(|v| format!("{v:?}")), Some(format!("{:?}", Value::Money(money)))),
                None => prop_assert!(
                    expected.is_err() || !matches!(facts[0], Ok(Value::Money(m)) if m != Decimal::MAX),
                    "no answer for {:?} with {:?}", expr.kind, facts[0]
                ),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// A condition's shortcut, where it answers, answers as the expression does; and it
        /// answers whenever the fact has the type of the condition's constants.
        #[test]
        fn a_shortcut_answers_as_the_expression_does(expr in condition(), fact in fact_value()) {
            let condition = Condition::new(expr.clone());
            prop_assert!(!matches!(condition.shortcut, Shortcut::None), "no shortcut for {:?}", expr.kind);
            let facts = [fact];
            let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
            let mut env = Env { program: None, currency: Currency::from_code("USD").unwrap(), facts: &facts, now, reads: None, exact_money: false };
            let answer = shortcut_holds(&condition.shortcut, &facts);
            if let Some(answer) = answer {
                prop_assert_eq!(env.eval_bool(&expr).ok(), Some(answer));
            }
            // The constant the fact's type must match for the shortcut to answer.
            let typed_like = match &expr.kind {
                ExprKind::Compare(_, operands) => Some(&operands[1]),
                ExprKind::Between(operands, _) => Some(&operands[1]),
                _ => None,
            };
            let typed = match (typed_like.map(|e| &e.kind), &facts[0]) {
                (_, Err(_)) => false,
                (None, Ok(_)) => true,
                (Some(ExprKind::Const(c)), Ok(fact)) => std::mem::discriminant(c) == std::mem::discriminant(fact),
                (Some(_), Ok(_)) => false,
            };
            prop_assert_eq!(answer.is_some(), typed);
        }
    }

    proptest! {
        /// The same-scale shortcut orders decimals exactly as the general comparison does.
        #[test]
        fn compare_decimals_agrees_with_the_general_comparison(
            a in any::<i64>(), b in any::<i64>(), scale_a in 0_u32..8, scale_b in 0_u32..8, same in any::<bool>()
        ) {
            let x = Decimal::new(a, scale_a);
            let y = Decimal::new(b, if same { scale_a } else { scale_b });
            prop_assert_eq!(compare_decimals(&x, &y), x.cmp(&y));
            prop_assert_eq!(values_equal(&Value::Money(x), &Value::Money(y)), x == y);
        }
    }
}
