//! Runtime values and static types shared by the checker and the evaluator.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

/// The static type of a fact or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Text (and one-of enumerations).
    Text,
    /// An exact decimal number.
    Number,
    /// Money in the policy's currency.
    Money,
    /// True or false.
    Bool,
    /// A calendar date.
    Date,
    /// A date and time with an offset.
    Time,
    /// A length of time.
    Duration,
    /// A list of values of one type.
    List(Box<Ty>),
    /// Unknown until run time (a script's result, the element of an empty list).
    Any,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Text => f.write_str("text"),
            Ty::Number => f.write_str("a number"),
            Ty::Money => f.write_str("money"),
            Ty::Bool => f.write_str("true or false"),
            Ty::Date => f.write_str("a date"),
            Ty::Time => f.write_str("a time"),
            Ty::Duration => f.write_str("a duration"),
            Ty::List(elem) => write!(f, "a list of {}", elem.plural()),
            Ty::Any => f.write_str("any value"),
        }
    }
}

impl Ty {
    fn plural(&self) -> String {
        match self {
            Ty::Text => "text".into(),
            Ty::Number => "numbers".into(),
            Ty::Money => "money".into(),
            Ty::Bool => "true/false values".into(),
            Ty::Date => "dates".into(),
            Ty::Time => "times".into(),
            Ty::Duration => "durations".into(),
            Ty::List(_) => "lists".into(),
            Ty::Any => "values".into(),
        }
    }

    /// Whether a value of type `other` may stand where `self` is expected.
    pub fn accepts(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (Ty::List(a), Ty::List(b)) => a.accepts(b),
            (a, b) => a == b,
        }
    }

    /// Whether values of this type can be ordered with `<`.
    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::Number | Ty::Money | Ty::Date | Ty::Time | Ty::Duration | Ty::Text | Ty::Any)
    }
}

/// A value during evaluation. Money is in the policy's currency, already rounded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(Arc<str>),
    /// An exact number.
    Number(Decimal),
    /// Money in the policy's currency.
    Money(Decimal),
    /// True or false.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// A date and time with an offset.
    Time(DateTime<FixedOffset>),
    /// A length of time in whole seconds.
    Duration(i64),
    /// A list.
    List(Arc<[Value]>),
}

impl Value {
    /// The value's type (`Any` for the element of an empty list).
    pub fn ty(&self) -> Ty {
        match self {
            Value::Text(_) => Ty::Text,
            Value::Number(_) => Ty::Number,
            Value::Money(_) => Ty::Money,
            Value::Bool(_) => Ty::Bool,
            Value::Date(_) => Ty::Date,
            Value::Time(_) => Ty::Time,
            Value::Duration(_) => Ty::Duration,
            Value::List(items) => Ty::List(Box::new(items.first().map_or(Ty::Any, Value::ty))),
        }
    }

    /// The value as JSON, as the decision and the trace show it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::String(s.to_string()),
            Value::Number(n) => serde_json::Value::String(n.normalize().to_string()),
            Value::Money(n) => serde_json::Value::String(n.to_string()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::Time(t) => serde_json::Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Value::Duration(secs) => serde_json::Value::String(format_duration(*secs)),
            Value::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
        }
    }
}

/// A duration in the largest whole unit that divides it: `3 days`, `90 minutes`.
pub fn format_duration(seconds: i64) -> String {
    let units = [(604_800, "week"), (86_400, "day"), (3_600, "hour"), (60, "minute")];
    for (size, name) in units {
        if seconds != 0 && seconds % size == 0 {
            let n = seconds / size;
            return if n.abs() == 1 { format!("{n} {name}") } else { format!("{n} {name}s") };
        }
    }
    if seconds.abs() == 1 {
        format!("{seconds} second")
    } else {
        format!("{seconds} seconds")
    }
}
