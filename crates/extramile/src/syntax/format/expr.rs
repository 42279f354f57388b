//! Printing expressions, literals and texts in canonical form, with the fewest parentheses
//! that keep the parse tree the same.

use crate::syntax::ast::{BinaryOp, CurrencyMark, Expr, ExprKind, Literal, SinceDirection, UnaryOp};
use chrono::SecondsFormat;
use rust_decimal::Decimal;

/// Binding strength, loosest first; mirrors the Pratt table in `parser.rs`.
mod strength {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    pub const COMPARE: u8 = 4;
    pub const ADD: u8 = 5;
    pub const MUL: u8 = 6;
    pub const OF: u8 = 7;
    pub const NEG: u8 = 8;
    pub const PRIMARY: u8 = 9;
}

/// The strength an `amount` position (`up to`, `of`, `in`, `to`, `between`) needs: arithmetic only.
pub const AMOUNT: u8 = strength::ADD;
/// Any expression.
pub const ANY: u8 = 0;

fn binary_strength(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => strength::OR,
        BinaryOp::And => strength::AND,
        BinaryOp::Add | BinaryOp::Sub => strength::ADD,
        BinaryOp::Mul | BinaryOp::Div => strength::MUL,
        BinaryOp::Of => strength::OF,
        _ => strength::COMPARE,
    }
}

fn strength_of(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary(op, ..) => binary_strength(*op),
        ExprKind::Unary(UnaryOp::Not, _) => strength::NOT,
        ExprKind::Unary(UnaryOp::Neg, _) => strength::NEG,
        ExprKind::Between { .. } => strength::COMPARE,
        _ => strength::PRIMARY,
    }
}

/// `expr` printed on one line, in parentheses when it binds looser than `min`.
pub fn expr(expr: &Expr, min: u8) -> String {
    let text = bare(expr);
    if strength_of(expr) < min {
        format!("({text})")
    } else {
        text
    }
}

/// The operands of a chain of the same `and`/`or` at the top of `condition`, with the
/// operator, so that a long condition can be broken before each `and`/`or`.
pub fn chain(condition: &Expr) -> Option<(BinaryOp, Vec<String>)> {
    let ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) = &condition.kind else {
        return None;
    };
    let mut operands = Vec::new();
    let mut node = condition;
    // Left-associative: the chain grows down the left side.
    while let ExprKind::Binary(this, operands_of_node) = &node.kind {
        let [left, right] = &**operands_of_node;
        if this != op {
            break;
        }
        operands.push(self::expr(right, binary_strength(*op) + 1));
        node = left;
    }
    operands.push(self::expr(node, binary_strength(*op)));
    operands.reverse();
    Some((*op, operands))
}

fn bare(node: &Expr) -> String {
    match &node.kind {
        ExprKind::Literal(literal) => self::literal(literal),
        ExprKind::Path(path) => path.dotted(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Call(name, args) => format!("{}({})", name.name, list(args)),
        ExprKind::Unary(UnaryOp::Not, operand) => format!("not {}", expr(operand, strength::NOT)),
        ExprKind::Unary(UnaryOp::Neg, operand) => format!("-{}", expr(operand, strength::NEG)),
        ExprKind::Binary(op, operands) => {
            let [left, right] = &**operands;
            let strength = binary_strength(*op);
            let (left_min, right_min) =
                if *op == BinaryOp::Of { (strength + 1, strength) } else { (strength, strength + 1) };
            format!("{} {} {}", expr(left, left_min), op.symbol(), expr(right, right_min))
        }
        ExprKind::Between { value, low, high, negated } => format!(
            "{}{} between {} and {}",
            expr(value, strength::ADD),
            if *negated { " not" } else { "" },
            expr(low, AMOUNT),
            expr(high, AMOUNT)
        ),
        ExprKind::Since { unit, direction, operand } => {
            let direction = match direction {
                SinceDirection::Since => "since",
                SinceDirection::Until => "until",
                SinceDirection::UntilNext => "until next",
            };
            format!("{} {direction} {}", unit.plural(), expr(operand, strength::PRIMARY))
        }
        ExprKind::Now => "now".to_string(),
        ExprKind::Today => "today".to_string(),
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(|item| expr(item, ANY)).collect::<Vec<_>>().join(", ")
}

fn literal(literal: &Literal) -> String {
    match literal {
        Literal::Text(value) => quoted(value),
        Literal::Number(n) => n.to_string(),
        Literal::Money { amount, currency: CurrencyMark::Symbol(symbol) } => format!("{symbol}{amount}"),
        Literal::Money { amount, currency: CurrencyMark::Code(code) } => format!("{amount} {code}"),
        Literal::Percent(n) => format!("{n}%"),
        Literal::Duration(n, unit) => {
            let word = unit.plural();
            let word = if *n == Decimal::ONE { word.trim_end_matches('s') } else { word };
            format!("{n} {word}")
        }
        Literal::Date(date) => date.format("%Y-%m-%d").to_string(),
        Literal::Time(time) => time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Literal::Bool(value) => value.to_string(),
    }
}

/// A string literal for `value`, escaped so that it reads back the same.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Words that end an item description (`stop_word` in the grammar).
const STOP_WORDS: [&str; 6] = ["or", "up", "of", "in", "because", "priority"];

/// An item description: bare words when they read back the same, quoted otherwise.
pub fn item(value: &str) -> String {
    let words: Vec<&str> = value.split(' ').collect();
    let bare = !value.is_empty()
        && words.iter().all(|word| is_item_word(word))
        && crate::syntax::scan::misleading_item_word(value).is_none();
    if bare {
        value.to_string()
    } else {
        quoted(value)
    }
}

fn is_item_word(word: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\'');
    let stops = STOP_WORDS.iter().any(|stop| {
        word.strip_prefix(stop).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    });
    !word.is_empty() && word.chars().all(allowed) && !stops
}
