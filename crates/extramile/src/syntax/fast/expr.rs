//! Expressions for the fast parser: the grammar's `expr`, `amount` and `primary`, then the
//! same precedence climbing as the pest parser's `PrattParser` (`parser::pratt`).

use super::{Parsed, Parser, Stop};
use crate::syntax::ast::*;
use crate::syntax::parser::{parse_time_unit, with_seconds};
use crate::syntax::span::Span;
use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use std::iter::Peekable;

/// An expression as the grammar reads it, before precedence gives it its shape.
pub(super) enum Token {
    Prefix(UnaryOp, Span),
    Operand(Expr),
    Infix(BinaryOp),
    /// `between low and high`, with its span.
    Between(bool, Expr, Expr, Span),
}

/// The binding powers of `parser::pratt`, loosest first.
fn infix_power(op: BinaryOp) -> (u8, bool) {
    match op {
        BinaryOp::Or => (10, false),
        BinaryOp::And => (20, false),
        BinaryOp::Add | BinaryOp::Sub => (50, false),
        BinaryOp::Mul | BinaryOp::Div => (60, false),
        BinaryOp::Of => (70, true),
        _ => (40, false),
    }
}

const NOT_POWER: u8 = 30;
const BETWEEN_POWER: u8 = 40;
const NEG_POWER: u8 = 80;

impl Parser<'_> {
    /// `expr = { prefix* ~ postfix_term ~ (infix ~ prefix* ~ postfix_term)* }`.
    pub(super) fn expr(&mut self) -> Parsed<Expr> {
        self.expression(false)
    }

    /// `amount = { neg* ~ primary ~ (arith_infix ~ neg* ~ primary)* }`.
    pub(super) fn amount(&mut self) -> Parsed<Expr> {
        self.expression(true)
    }

    /// Reads the expression's tokens onto the parser's token stack (above what enclosing
    /// expressions left there), then shapes them by precedence.
    fn expression(&mut self, amount: bool) -> Parsed<Expr> {
        let base = self.tokens.len();
        let read = self.expression_tokens(amount);
        let shaped = read.and_then(|()| climb(&mut self.tokens.drain(base..).peekable(), 0).ok_or(Stop::GiveUp));
        self.tokens.truncate(base);
        shaped
    }

    fn expression_tokens(&mut self, amount: bool) -> Parsed<()> {
        self.term(amount)?;
        loop {
            let mark = self.tokens.len();
            let more = self.attempt(|p| {
                let op = p.infix(amount)?;
                p.tokens.push(Token::Infix(op));
                p.term(amount)
            })?;
            if more.is_none() {
                self.tokens.truncate(mark);
                return Ok(());
            }
        }
    }

    /// Prefix operators, an operand and, in a condition, the `between` that may follow it.
    fn term(&mut self, amount: bool) -> Parsed<()> {
        loop {
            self.cur.skip();
            let start = self.cur.pos;
            if !amount && self.cur.word() == Some("not") {
                let end = self.cur.advance_word();
                self.tokens.push(Token::Prefix(UnaryOp::Not, Span::new(start, end)));
            } else if self.cur.eat("-") {
                self.tokens.push(Token::Prefix(UnaryOp::Neg, Span::new(start, start + 1)));
            } else {
                break;
            }
        }
        let operand = self.primary()?;
        self.tokens.push(Token::Operand(operand));
        if !amount {
            if let Some(between) = self.attempt(Self::between)? {
                self.tokens.push(between);
            }
        }
        Ok(())
    }

    /// `between = { kw_not? ~ kw_between ~ amount ~ kw_and ~ amount }`.
    fn between(&mut self) -> Parsed<Token> {
        self.cur.skip();
        let start = self.cur.pos;
        let negated = self.attempt(|p| p.keyword("not"))?.is_some();
        self.keyword("between")?;
        let low = self.amount()?;
        self.keyword("and")?;
        let high = self.amount()?;
        let span = Span::new(start, high.span.end as usize);
        Ok(Token::Between(negated, low, high, span))
    }

    /// `infix`, or `arith_infix` in an amount. The grammar's alternatives start with
    /// different characters or words, so the next character or word picks the one to try,
    /// in the grammar's order where two share a word (`is not` before `is`).
    fn infix(&mut self, amount: bool) -> Parsed<BinaryOp> {
        self.cur.skip();
        let arithmetic = [("+", BinaryOp::Add), ("-", BinaryOp::Sub), ("*", BinaryOp::Mul), ("/", BinaryOp::Div)];
        match self.cur.peek() {
            Some(b'+' | b'-' | b'*' | b'/') => {
                let found = arithmetic.iter().find(|(symbol, _)| self.cur.eat(symbol));
                found.map(|(_, op)| *op).ok_or(Stop::NoMatch)
            }
            Some(b'<' | b'>' | b'!' | b'=') if !amount => {
                let symbols = [
                    (">=", BinaryOp::Ge),
                    ("<=", BinaryOp::Le),
                    ("!=", BinaryOp::Ne),
                    ("==", BinaryOp::Eq),
                    (">", BinaryOp::Gt),
                    ("<", BinaryOp::Lt),
                ];
                let found = symbols.iter().find(|(symbol, _)| self.cur.eat(symbol));
                found.map(|(_, op)| *op).ok_or(Stop::NoMatch)
            }
            // `or` and `and` may start the next line: `or = { nl? ~ kw_or }`.
            Some(b'\n' | b'\r') if !amount => {
                self.cur.nl();
                self.cur.skip();
                match self.cur.word() {
                    Some("or") => self.keyword("or").map(|_| BinaryOp::Or),
                    Some("and") => self.keyword("and").map(|_| BinaryOp::And),
                    _ => Err(Stop::NoMatch),
                }
            }
            _ => {
                let op = match (self.cur.word(), amount) {
                    (Some("of"), _) => BinaryOp::Of,
                    (_, true) => return Err(Stop::NoMatch),
                    (Some("or"), false) => BinaryOp::Or,
                    (Some("and"), false) => BinaryOp::And,
                    (Some("is"), false) => {
                        self.keyword("is")?;
                        return Ok(match self.attempt(|p| p.keyword("not"))? {
                            Some(_) => BinaryOp::Ne,
                            None => BinaryOp::Eq,
                        });
                    }
                    (Some("not"), false) => {
                        self.keyword("not")?;
                        self.keyword("in")?;
                        return Ok(BinaryOp::NotIn);
                    }
                    (Some("in"), false) => BinaryOp::In,
                    (Some("contains"), false) => BinaryOp::Contains,
                    _ => return Err(Stop::NoMatch),
                };
                self.cur.advance_word();
                Ok(op)
            }
        }
    }

    /// `primary`, in the grammar's order of alternatives.
    fn primary(&mut self) -> Parsed<Expr> {
        self.cur.skip();
        let start = self.cur.pos;
        match self.cur.peek() {
            Some(b'(') => {
                self.cur.pos += 1;
                let mut inner = self.expr()?;
                self.symbol(")")?;
                inner.span = Span::new(start, self.cur.pos);
                Ok(inner)
            }
            Some(b'[') => {
                self.cur.pos += 1;
                let items = self.attempt(|p| p.separated(",", Self::expr))?.unwrap_or_default();
                self.attempt(|p| p.symbol(","))?;
                self.symbol("]")?;
                Ok(Expr { kind: ExprKind::List(items), span: Span::new(start, self.cur.pos) })
            }
            Some(b'0'..=b'9') => match self.number_literal(start)? {
                Some((literal, end)) => Ok(self.literal(literal, start, end)),
                None => {
                    let end = self.cur.decimal_at(start).ok_or(Stop::NoMatch)?;
                    let number = self.decimal(start, end)?;
                    Ok(self.literal(Literal::Number(number), start, end))
                }
            },
            Some(b'"') => {
                let text = self.cur.string()?;
                Ok(Expr { kind: ExprKind::Literal(Literal::Text(text.value)), span: text.span })
            }
            Some(b'$' | 0xC2 | 0xE2) => {
                let first = self.cur.rest_from(start).chars().next();
                let symbol = first.filter(|c| matches!(c, '$' | '€' | '£' | '¥')).ok_or(Stop::NoMatch)?;
                let from = start + symbol.len_utf8();
                let end = self.cur.decimal_at(from).ok_or(Stop::NoMatch)?;
                let amount = self.decimal(from, end)?;
                Ok(self.literal(Literal::Money { amount, currency: CurrencyMark::Symbol(symbol) }, start, end))
            }
            Some(_) => self.word_primary(start),
            None => Err(Stop::NoMatch),
        }
    }

    /// The operands that start with a word: `call | time_since | now | today | boolean | path`.
    fn word_primary(&mut self, start: usize) -> Parsed<Expr> {
        let word = self.cur.word().ok_or(Stop::NoMatch)?;
        // `&(word ~ "(") ~ call`.
        let after = start + word.len();
        let opens = {
            let saved = self.cur.pos;
            self.cur.pos = after;
            self.cur.skip();
            let opens = self.cur.peek() == Some(b'(');
            self.cur.pos = saved;
            opens
        };
        if opens {
            if let Some(call) = self.attempt(Self::call)? {
                return Ok(call);
            }
        }
        if let Some(since) = self.attempt(|p| p.time_since(start))? {
            return Ok(since);
        }
        let kind = match word {
            "now" => Some(ExprKind::Now),
            "today" => Some(ExprKind::Today),
            "true" => Some(ExprKind::Literal(Literal::Bool(true))),
            "false" => Some(ExprKind::Literal(Literal::Bool(false))),
            _ => None,
        };
        if let Some(kind) = kind {
            self.cur.pos = after;
            return Ok(Expr { kind, span: Span::new(start, after) });
        }
        let path = self.path()?;
        Ok(Expr { span: path.span, kind: ExprKind::Path(path) })
    }

    /// `call = { name ~ "(" ~ (expr ~ (comma ~ expr)*)? ~ ")" }`.
    fn call(&mut self) -> Parsed<Expr> {
        let name = self.name()?;
        self.symbol("(")?;
        let args = self.attempt(|p| p.separated(",", Self::expr))?.unwrap_or_default();
        self.symbol(")")?;
        Ok(Expr { span: Span::new(name.span.start as usize, self.cur.pos), kind: ExprKind::Call(name, args) })
    }

    /// `time_since = { time_unit ~ (kw_since | kw_until) ~ kw_next? ~ primary }`.
    fn time_since(&mut self, start: usize) -> Parsed<Expr> {
        let (end, unit) = self.cur.time_unit_at(start).ok_or(Stop::NoMatch)?;
        self.cur.pos = end;
        let mut direction = if self.attempt(|p| p.keyword("since"))?.is_some() {
            SinceDirection::Since
        } else {
            self.keyword("until")?;
            SinceDirection::Until
        };
        if self.attempt(|p| p.keyword("next"))?.is_some() {
            direction = SinceDirection::UntilNext;
        }
        let operand = self.primary()?;
        let span = Span::new(start, operand.span.end as usize);
        Ok(Expr { kind: ExprKind::Since { unit: parse_time_unit(unit), direction, operand: Box::new(operand) }, span })
    }

    /// `datetime | date | money | percent | duration` at a digit, with where it ends.
    fn number_literal(&mut self, start: usize) -> Parsed<Option<(Literal, usize)>> {
        let cur = &self.cur;
        if let Some(date_end) = cur.date_digits_at(start) {
            if let Some(end) = datetime_end(cur, date_end) {
                let text = cur.text(start, end);
                let time = DateTime::parse_from_rfc3339(&with_seconds(text)).map_err(|_| Stop::GiveUp)?;
                return Ok(Some((Literal::Time(time), end)));
            }
            if !cur.rest_from(date_end).starts_with(is_ident) {
                let date =
                    NaiveDate::parse_from_str(cur.text(start, date_end), "%Y-%m-%d").map_err(|_| Stop::GiveUp)?;
                return Ok(Some((Literal::Date(date), date_end)));
            }
        }
        let Some(number_end) = cur.decimal_at(start) else { return Ok(None) };
        // `decimal ~ " "+ ~ currency_code`.
        if let Some(end) = cur.spaces_end(number_end).and_then(|at| cur.currency_code_at(at)) {
            let amount = self.decimal(start, number_end)?;
            let code = self.cur.text(end - 3, end).to_string();
            return Ok(Some((Literal::Money { amount, currency: CurrencyMark::Code(code) }, end)));
        }
        // `decimal ~ "%"`.
        if self.cur.text(number_end, number_end + 1) == "%" {
            let percent = self.decimal(start, number_end)?;
            return Ok(Some((Literal::Percent(percent), number_end + 1)));
        }
        // `decimal ~ " "+ ~ time_unit`.
        if let Some((end, unit)) = self.cur.spaces_end(number_end).and_then(|at| self.cur.time_unit_at(at)) {
            let amount = self.decimal(start, number_end)?;
            return Ok(Some((Literal::Duration(amount, parse_time_unit(unit)), end)));
        }
        Ok(None)
    }

    /// A decimal literal's value; too large or too precise is the AST builder's E0004.
    fn decimal(&self, start: usize, end: usize) -> Parsed<Decimal> {
        crate::syntax::scan::decimal_literal(self.cur.text(start, end)).ok_or(Stop::GiveUp)
    }

    fn literal(&mut self, literal: Literal, start: usize, end: usize) -> Expr {
        self.cur.pos = end;
        Expr { kind: ExprKind::Literal(literal), span: Span::new(start, end) }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The end of a `datetime` whose date digits end at `date_end`:
/// `"T" ~ HH ~ ":" ~ MM ~ (":" ~ SS ~ ("." ~ digits)?)? ~ ("Z" | ("+" | "-") ~ HH ~ ":" ~ MM)`.
fn datetime_end(cur: &super::lex::Cursor<'_>, date_end: usize) -> Option<usize> {
    let mut at = cur.pattern_at(date_end, b"Tdd:dd")?;
    if let Some(seconds_end) = cur.pattern_at(at, b":dd") {
        at = seconds_end;
        if let Some(fraction_end) = cur.pattern_at(at, b".d") {
            at = fraction_end + cur.rest_from(fraction_end).bytes().take_while(u8::is_ascii_digit).count();
        }
    }
    cur.pattern_at(at, b"Z").or_else(|| cur.pattern_at(at, b"+dd:dd")).or_else(|| cur.pattern_at(at, b"-dd:dd"))
}

/// Precedence climbing over `tokens`, as `pest::pratt_parser` does it.
fn climb(tokens: &mut Peekable<impl Iterator<Item = Token>>, min_power: u8) -> Option<Expr> {
    let mut lhs = match tokens.next()? {
        Token::Prefix(op, span) => {
            let power = if op == UnaryOp::Not { NOT_POWER } else { NEG_POWER };
            let operand = climb(tokens, power - 1)?;
            Expr { span: span.to(operand.span), kind: ExprKind::Unary(op, Box::new(operand)) }
        }
        Token::Operand(expr) => expr,
        _ => return None,
    };
    loop {
        let power = match tokens.peek() {
            Some(Token::Infix(op)) => infix_power(*op).0,
            Some(Token::Between(..)) => BETWEEN_POWER,
            _ => 0,
        };
        if min_power >= power {
            return Some(lhs);
        }
        lhs = match tokens.next()? {
            Token::Infix(op) => {
                let (power, right) = infix_power(op);
                let rhs = climb(tokens, if right { power - 1 } else { power })?;
                Expr { span: lhs.span.to(rhs.span), kind: ExprKind::Binary(op, Box::new([lhs, rhs])) }
            }
            Token::Between(negated, low, high, span) => Expr {
                span: lhs.span.to(span),
                kind: ExprKind::Between { value: Box::new(lhs), low: Box::new(low), high: Box::new(high), negated },
            },
            _ => return None,
        };
    }
}
