//! The pest parser: source text to `ast::PolicyFile`, one function per grammar rule.
//!
//! pest types never leave this module. Grammar-shaped code may rely on the grammar's
//! guarantees; where it cannot, it reports an internal diagnostic (`E0000`) instead of
//! panicking.

use crate::syntax::ast::{self, *};
use crate::syntax::depth;
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::scan;
use crate::syntax::span::Span;
use chrono::{DateTime, NaiveDate};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use rust_decimal::Decimal;
use std::sync::OnceLock;

mod generated {
    #![allow(missing_docs, reason = "pest_derive generates the undocumented `Rule` enum")]
    #[derive(pest_derive::Parser)]
    #[grammar = "syntax/grammar.pest"]
    pub(super) struct PolicyParser;
}
use generated::{PolicyParser, Rule};

type ParseResult<T> = Result<T, Diagnostic>;

/// Parses `source` into an AST, or returns the syntax error. Expressions may nest up to
/// [`depth::DEFAULT_MAX_EXPRESSION_DEPTH`] levels.
pub fn parse(source: &str) -> Result<PolicyFile, Diagnostic> {
    parse_with_depth(source, depth::DEFAULT_MAX_EXPRESSION_DEPTH)
}

/// Like [`parse`], with expressions nesting up to `max_depth` levels (brackets plus
/// operators, see [`depth::check_depth`]); deeper ones are an `E0007` diagnostic, checked
/// before the recursive parser runs.
pub fn parse_with_depth(source: &str, max_depth: usize) -> Result<PolicyFile, Diagnostic> {
    depth::check_depth(source, max_depth)?;
    // The hand-written parser reads policies that parse; pest reads the rest and reports.
    match crate::syntax::fast::parse(source) {
        Some(file) => Ok(file),
        None => parse_with_pest(source),
    }
}

/// The pest parser alone, without the depth pre-scan: what [`parse`] falls back to, and the
/// reference the fast parser is tested against.
pub fn parse_with_pest(source: &str) -> Result<PolicyFile, Diagnostic> {
    let mut pairs = PolicyParser::parse(Rule::file, source).map_err(|err| syntax_error(source, err))?;
    let file = pairs.next().ok_or_else(|| internal("empty parse", Span::default()))?;
    let mut items = Vec::new();
    for pair in file.into_inner() {
        match pair.as_rule() {
            Rule::EOI => {}
            _ => items.push(parse_item(pair)?),
        }
    }
    Ok(PolicyFile { items })
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), content_end(pair))
}

/// Where a pair's code ends. pest lets a rule that ends in an optional or repeated part
/// keep the spaces and comment it skipped before finding that part absent; they are not
/// the rule's code.
fn content_end(pair: &Pair<'_, Rule>) -> usize {
    let span = pair.as_span();
    let Some(last) = pair.clone().into_inner().next_back() else { return span.end() };
    let after = last.as_span().end();
    let rest = pair.as_str().get(after.saturating_sub(span.start())..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('#') {
        content_end(&last)
    } else {
        span.end()
    }
}

fn internal(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E0000", format!("internal error in the parser: {what}"), span)
        .with_help("this is a bug in extramile; please report it with the policy that caused it")
}

fn next<'a>(inner: &mut Pairs<'a, Rule>, parent: Span) -> ParseResult<Pair<'a, Rule>> {
    inner.next().ok_or_else(|| internal("missing child", parent))
}

/// Skips keyword and punctuation children.
fn meaningful(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::comma
            | Rule::colon
            | Rule::lt
            | Rule::kw_policy
            | Rule::kw_currency
            | Rule::kw_roles
            | Rule::kw_facts
            | Rule::kw_gestures
            | Rule::kw_rule
            | Rule::kw_never
            | Rule::kw_limit
            | Rule::kw_script
            | Rule::kw_when
            | Rule::kw_may
            | Rule::kw_up
            | Rule::kw_to
            | Rule::kw_or
            | Rule::kw_and
            | Rule::kw_is
            | Rule::kw_in
            | Rule::kw_of
            | Rule::kw_one
            | Rule::kw_list
            | Rule::kw_owe
            | Rule::kw_recommend
            | Rule::kw_escalate
            | Rule::kw_because
            | Rule::kw_priority
            | Rule::kw_between
            | Rule::kw_contains
            | Rule::kw_since
            | Rule::kw_until
            | Rule::kw_now
            | Rule::kw_today
            | Rule::kw_already
            | Rule::kw_used
            | Rule::kw_default
            | Rule::script_open
            | Rule::script_close
    )
}

fn parse_item(pair: Pair<'_, Rule>) -> ParseResult<Item> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::policy_header => {
            let mut inner = meaningful(pair);
            Ok(Item::Policy(parse_string(inner.next().ok_or_else(|| internal("policy name", span))?)?))
        }
        Rule::currency_header => {
            let mut inner = meaningful(pair);
            Ok(Item::Currency(ident(&inner.next().ok_or_else(|| internal("currency", span))?)))
        }
        Rule::roles_header => Ok(Item::Roles(meaningful(pair).map(|p| ident(&p)).collect())),
        Rule::facts_section => {
            let keyword = keyword_span(&pair);
            Ok(Item::Facts(meaningful(pair).map(parse_fact_decl).collect::<ParseResult<_>>()?, keyword))
        }
        Rule::gestures_section => {
            let keyword = keyword_span(&pair);
            Ok(Item::Gestures(meaningful(pair).map(parse_gesture_decl).collect::<ParseResult<_>>()?, keyword))
        }
        Rule::rule_def => parse_rule(pair).map(Item::Rule),
        Rule::never_stmt => parse_never(pair).map(Item::Never),
        Rule::limit_stmt => parse_limit(pair).map(Item::Limit),
        Rule::script_block => parse_script(pair).map(Item::Script),
        _ => Err(internal("unexpected item", span)),
    }
}

/// The span of a section's opening keyword (its first child).
fn keyword_span(pair: &Pair<'_, Rule>) -> Span {
    pair.clone().into_inner().next().map_or_else(|| span_of(pair), |keyword| span_of(&keyword))
}

fn ident(pair: &Pair<'_, Rule>) -> Ident {
    Ident { name: pair.as_str().into(), span: span_of(pair) }
}

fn parse_string(pair: Pair<'_, Rule>) -> ParseResult<Text> {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    match scan::unescape(inner) {
        Ok(value) => Ok(Text { value, span }),
        Err(other) => {
            let shown = other.map_or(String::new(), String::from);
            Err(Diagnostic::error("E0002", format!("unknown escape `\\{shown}` in a string"), span)
                .with_help("strings know `\\\"`, `\\\\`, `\\n` and `\\t`"))
        }
    }
}

fn parse_path(pair: Pair<'_, Rule>) -> Path {
    let span = span_of(&pair);
    Path { segments: pair.into_inner().map(|p| p.as_str().into()).collect(), span }
}

fn parse_fact_decl(pair: Pair<'_, Rule>) -> ParseResult<FactDecl> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let path = parse_path(inner.next().ok_or_else(|| internal("fact path", span))?);
    let ty = parse_type(inner.next().ok_or_else(|| internal("fact type", span))?)?;
    let default = inner.next().map(parse_expr).transpose()?;
    // The declaration ends at its last part, not at the line break pest includes.
    let end = default.as_ref().map_or(ty.span().end, |d| d.span.end);
    Ok(FactDecl { path, ty, default, span: Span { start: span.start, end } })
}

fn parse_type(pair: Pair<'_, Rule>) -> ParseResult<TypeExpr> {
    let span = span_of(&pair);
    let inner = if pair.as_rule() == Rule::type_expr {
        pair.into_inner().next().ok_or_else(|| internal("type", span))?
    } else {
        pair
    };
    match inner.as_rule() {
        Rule::list_type => {
            let elem = meaningful(inner).next().ok_or_else(|| internal("list element type", span))?;
            Ok(TypeExpr::List(Box::new(parse_type(elem)?), span))
        }
        Rule::one_of_type => {
            Ok(TypeExpr::OneOf(meaningful(inner).map(parse_string).collect::<ParseResult<_>>()?, span))
        }
        Rule::simple_type => TypeExpr::simple(inner.as_str(), span).ok_or_else(|| internal("unknown type", span)),
        _ => Err(internal("unexpected type", span)),
    }
}

fn parse_gesture_decl(pair: Pair<'_, Rule>) -> ParseResult<GestureDecl> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(&inner.next().ok_or_else(|| internal("gesture name", span))?);
    let kind = inner.next().map(|p| {
        let kind = match p.as_str() {
            "amount" => ParamKind::Amount,
            "item" => ParamKind::Item,
            _ => ParamKind::Due,
        };
        (kind, span_of(&p))
    });
    // The declaration ends at its last part, not at the line break pest includes.
    let end = kind.map_or(name.span.end, |(_, k)| k.end);
    Ok(GestureDecl { name, kind, span: Span { start: span.start, end } })
}

fn parse_rule(pair: Pair<'_, Rule>) -> ParseResult<ast::Rule> {
    let span = span_of(&pair);
    let mut inner = meaningful(pair);
    let name = ident(&inner.next().ok_or_else(|| internal("rule name", span))?);
    let mut title = None;
    let mut statements = Vec::new();
    for child in inner {
        match child.as_rule() {
            Rule::string => title = Some(parse_string(child)?),
            _ => statements.push(parse_statement(child)?),
        }
    }
    // The rule's span ends at its last statement (or its header), not at trailing blank lines.
    let header_end = title.as_ref().map_or(name.span.end, |t| t.span.end);
    let end = statements.last().map_or(header_end, |s| s.span().end);
    Ok(ast::Rule { name, title, statements, span: Span { start: span.start, end: end.max(header_end) } })
}

fn parse_statement(pair: Pair<'_, Rule>) -> ParseResult<Statement> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::priority_stmt => {
            let number = meaningful(pair).next().ok_or_else(|| internal("priority", span))?;
            let value = number.as_str().parse::<i64>().map_err(|_| {
                Diagnostic::error("E0003", format!("priority `{}` is too large", number.as_str()), span_of(&number))
            })?;
            Ok(Statement::Priority(value, span))
        }
        Rule::when_stmt => {
            let expr = meaningful(pair).next().ok_or_else(|| internal("condition", span))?;
            Ok(Statement::When(parse_expr(expr)?))
        }
        Rule::grant_stmt => {
            let mut inner = meaningful(pair);
            let role = ident(&inner.next().ok_or_else(|| internal("role", span))?);
            let alternatives = inner.map(parse_alternative).collect::<ParseResult<_>>()?;
            Ok(Statement::Grant(Grant { role, alternatives, span }))
        }
        Rule::owe_stmt => {
            let (gesture, item, rest) = gesture_and_item(pair)?;
            let amount = rest.into_iter().next().map(parse_expr).transpose()?;
            Ok(Statement::Owe(Owe { gesture, item, amount, span }))
        }
        Rule::recommend_stmt => parse_recommend(pair).map(Statement::Recommend),
        Rule::escalate_stmt => {
            let mut inner = meaningful(pair);
            let role = ident(&inner.next().ok_or_else(|| internal("role", span))?);
            let reason = inner.next().map(parse_because).transpose()?;
            Ok(Statement::Escalate(Escalate { role, reason, span }))
        }
        Rule::rule_never_stmt => parse_never(pair).map(Statement::Never),
        _ => Err(internal("unexpected statement", span)),
    }
}

/// Splits `GESTURE item_desc? rest...`.
fn gesture_and_item(pair: Pair<'_, Rule>) -> ParseResult<(Ident, Option<Text>, Vec<Pair<'_, Rule>>)> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner().filter(|p| !is_token(p.as_rule())).peekable();
    let gesture = ident(&inner.next().ok_or_else(|| internal("gesture", span))?);
    let item = match inner.peek() {
        Some(p) if p.as_rule() == Rule::item_desc => inner.next().map(parse_item_desc).transpose()?,
        _ => None,
    };
    Ok((gesture, item, inner.collect()))
}

fn parse_item_desc(pair: Pair<'_, Rule>) -> ParseResult<Text> {
    let span = span_of(&pair);
    let inner = pair.into_inner().next().ok_or_else(|| internal("item", span))?;
    match inner.as_rule() {
        Rule::string => parse_string(inner),
        _ => {
            let words = inner.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(word) = scan::misleading_item_word(&words) {
                return Err(misleading_item_words(word, &words, span));
            }
            Ok(Text { value: words.into(), span })
        }
    }
}

/// `E0010`: item words holding a word that reads as a condition, which the grant would
/// take as part of the item and ignore.
fn misleading_item_words(word: &str, words: &str, span: Span) -> Diagnostic {
    let help = format!(
        "put the condition on its own `when` line (or a `never` statement), or quote the item words if `{word}` is part of the item: `\"{words}\"`"
    );
    Diagnostic::error(
        "E0010",
        format!("item words cannot hold `{word}`: it would be read as part of the item, not as a condition"),
        span,
    )
    .with_help(help)
}

fn parse_alternative(pair: Pair<'_, Rule>) -> ParseResult<Alternative> {
    let span = span_of(&pair);
    let (gesture, item, rest) = gesture_and_item(pair)?;
    let up_to = rest.into_iter().next().map(parse_expr).transpose()?;
    Ok(Alternative { gesture, item, up_to, span })
}

fn parse_recommend(pair: Pair<'_, Rule>) -> ParseResult<Recommend> {
    let span = span_of(&pair);
    // Children keep their keywords here so that `of` and `in` can be told apart.
    let mut inner = pair.into_inner().peekable();
    let mut gesture = None;
    let mut item = None;
    let mut amount = None;
    let mut due_in = None;
    let mut pending = None;
    for child in inner.by_ref() {
        match child.as_rule() {
            Rule::kw_recommend => {}
            Rule::name => gesture = Some(ident(&child)),
            Rule::item_desc => item = Some(parse_item_desc(child)?),
            Rule::kw_of | Rule::kw_in => pending = Some(child.as_rule()),
            Rule::amount if pending == Some(Rule::kw_of) => amount = Some(parse_expr(child)?),
            Rule::amount => due_in = Some(parse_expr(child)?),
            _ => return Err(internal("unexpected part of recommend", span)),
        }
    }
    let gesture = gesture.ok_or_else(|| internal("gesture", span))?;
    Ok(Recommend { gesture, item, amount, due_in, span })
}

fn parse_because(pair: Pair<'_, Rule>) -> ParseResult<Text> {
    let span = span_of(&pair);
    parse_string(meaningful(pair).next().ok_or_else(|| internal("reason", span))?)
}

fn parse_gesture_list(pair: Pair<'_, Rule>) -> Vec<Ident> {
    meaningful(pair).map(|p| ident(&p)).collect()
}

fn parse_never(pair: Pair<'_, Rule>) -> ParseResult<Never> {
    let span = span_of(&pair);
    let mut gestures = Vec::new();
    let mut condition = None;
    let mut reason = None;
    for child in meaningful(pair) {
        match child.as_rule() {
            Rule::gesture_list => gestures = parse_gesture_list(child),
            Rule::expr => condition = Some(parse_expr(child)?),
            Rule::because => reason = Some(parse_because(child)?),
            _ => return Err(internal("unexpected part of never", span)),
        }
    }
    // The statement ends at its last part, not at the line break pest includes.
    let end = reason.as_ref().map(|r| r.span.end).or(condition.as_ref().map(|c| c.span.end));
    let end = end.or(gestures.last().map(|g| g.span.end)).unwrap_or(span.end);
    Ok(Never { gestures, condition, reason, span: Span { start: span.start, end } })
}

fn parse_limit(pair: Pair<'_, Rule>) -> ParseResult<Limit> {
    let span = span_of(&pair);
    let mut gestures = Vec::new();
    let mut amount = None;
    let mut scope = None;
    let mut already_used = None;
    for child in meaningful(pair) {
        match child.as_rule() {
            Rule::gesture_list => gestures = parse_gesture_list(child),
            Rule::amount => amount = Some(parse_expr(child)?),
            Rule::limit_scope => {
                let text = child.as_str().trim_end();
                let start = span_of(&child).start as usize;
                scope = Some(Text { value: text.into(), span: Span::new(start, start + text.len()) });
            }
            Rule::already_used => {
                let expr = meaningful(child).next().ok_or_else(|| internal("already used", span))?;
                already_used = Some(parse_expr(expr)?);
            }
            _ => return Err(internal("unexpected part of limit", span)),
        }
    }
    let amount = amount.ok_or_else(|| internal("limit amount", span))?;
    let end =
        already_used.as_ref().map(|e| e.span.end).or(scope.as_ref().map(|s| s.span.end)).unwrap_or(amount.span.end);
    Ok(Limit { gestures, amount, scope, already_used, span: Span { start: span.start, end } })
}

fn parse_script(pair: Pair<'_, Rule>) -> ParseResult<Script> {
    let span = span_of(&pair);
    let body = pair.into_inner().find(|p| p.as_rule() == Rule::script_body).ok_or_else(|| internal("script", span))?;
    let body_span = span_of(&body);
    let end = body_span.end.saturating_add(3);
    Ok(Script { source: body.as_str().to_string(), body_span, span: Span { start: span.start, end } })
}

// ---- Expressions ----------------------------------------------------------------------

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::or, Assoc::Left))
            .op(Op::infix(Rule::and, Assoc::Left))
            .op(Op::prefix(Rule::not))
            .op(Op::infix(Rule::is, Assoc::Left)
                | Op::infix(Rule::is_not, Assoc::Left)
                | Op::infix(Rule::eq, Assoc::Left)
                | Op::infix(Rule::ne, Assoc::Left)
                | Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left)
                | Op::infix(Rule::in_op, Assoc::Left)
                | Op::infix(Rule::not_in, Assoc::Left)
                | Op::infix(Rule::contains, Assoc::Left)
                | Op::postfix(Rule::between))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
            .op(Op::infix(Rule::of, Assoc::Right))
            .op(Op::prefix(Rule::neg))
    })
}

/// Parses an `expr` or `amount` pair.
fn parse_expr(pair: Pair<'_, Rule>) -> ParseResult<Expr> {
    pratt()
        .map_primary(parse_primary)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let span = span_of(&op).to(operand.span);
            let unary = if op.as_rule() == Rule::not { UnaryOp::Not } else { UnaryOp::Neg };
            Ok(Expr { kind: ExprKind::Unary(unary, Box::new(operand)), span })
        })
        .map_postfix(|value, op| {
            let value = value?;
            let op_span = span_of(&op);
            let mut negated = false;
            let mut bounds = Vec::new();
            for child in op.into_inner() {
                match child.as_rule() {
                    Rule::kw_not => negated = true,
                    Rule::amount => bounds.push(parse_expr(child)?),
                    _ => {}
                }
            }
            let (Some(high), Some(low)) = (bounds.pop(), bounds.pop()) else {
                return Err(internal("between bounds", op_span));
            };
            let span = value.span.to(op_span);
            Ok(Expr {
                kind: ExprKind::Between { value: Box::new(value), low: Box::new(low), high: Box::new(high), negated },
                span,
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let op = match op.as_rule() {
                Rule::or => BinaryOp::Or,
                Rule::and => BinaryOp::And,
                Rule::is | Rule::eq => BinaryOp::Eq,
                Rule::is_not | Rule::ne => BinaryOp::Ne,
                Rule::lt => BinaryOp::Lt,
                Rule::le => BinaryOp::Le,
                Rule::gt => BinaryOp::Gt,
                Rule::ge => BinaryOp::Ge,
                Rule::in_op => BinaryOp::In,
                Rule::not_in => BinaryOp::NotIn,
                Rule::contains => BinaryOp::Contains,
                Rule::add => BinaryOp::Add,
                Rule::sub => BinaryOp::Sub,
                Rule::mul => BinaryOp::Mul,
                Rule::div => BinaryOp::Div,
                _ => BinaryOp::Of,
            };
            let span = lhs.span.to(rhs.span);
            Ok(Expr { kind: ExprKind::Binary(op, Box::new([lhs, rhs])), span })
        })
        .parse(pair.into_inner())
}

fn parse_primary(pair: Pair<'_, Rule>) -> ParseResult<Expr> {
    let span = span_of(&pair);
    let literal = |lit: Literal| Ok(Expr { kind: ExprKind::Literal(lit), span });
    match pair.as_rule() {
        Rule::paren => {
            let inner = pair.into_inner().next().ok_or_else(|| internal("parenthesised expression", span))?;
            let mut expr = parse_expr(inner)?;
            expr.span = span;
            Ok(expr)
        }
        Rule::list => {
            let items = meaningful(pair).map(parse_expr).collect::<ParseResult<_>>()?;
            Ok(Expr { kind: ExprKind::List(items), span })
        }
        Rule::call => {
            let mut inner = meaningful(pair);
            let name = ident(&inner.next().ok_or_else(|| internal("function name", span))?);
            let args = inner.map(parse_expr).collect::<ParseResult<_>>()?;
            Ok(Expr { kind: ExprKind::Call(name, args), span })
        }
        Rule::time_since => {
            let mut unit = TimeUnit::Day;
            let mut direction = SinceDirection::Since;
            let mut operand = None;
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::time_unit => unit = parse_time_unit(child.as_str()),
                    Rule::kw_since => direction = SinceDirection::Since,
                    Rule::kw_until => direction = SinceDirection::Until,
                    Rule::kw_next => direction = SinceDirection::UntilNext,
                    _ => operand = Some(parse_primary(child)?),
                }
            }
            let operand = operand.ok_or_else(|| internal("since operand", span))?;
            Ok(Expr { kind: ExprKind::Since { unit, direction, operand: Box::new(operand) }, span })
        }
        Rule::now => Ok(Expr { kind: ExprKind::Now, span }),
        Rule::today => Ok(Expr { kind: ExprKind::Today, span }),
        Rule::boolean => literal(Literal::Bool(pair.as_str() == "true")),
        Rule::datetime => match DateTime::parse_from_rfc3339(&with_seconds(pair.as_str())) {
            Ok(time) => literal(Literal::Time(time)),
            Err(err) => Err(invalid_literal("time", pair.as_str(), &err.to_string(), span)),
        },
        Rule::date => match NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d") {
            Ok(date) => literal(Literal::Date(date)),
            Err(err) => Err(invalid_literal("date", pair.as_str(), &err.to_string(), span)),
        },
        Rule::money => {
            let mut amount = Decimal::ZERO;
            let mut currency = CurrencyMark::Symbol('$');
            for child in pair.into_inner() {
                match child.as_rule() {
                    Rule::currency_symbol => {
                        currency = CurrencyMark::Symbol(child.as_str().chars().next().unwrap_or('$'))
                    }
                    Rule::currency_code => currency = CurrencyMark::Code(child.as_str().to_string()),
                    _ => amount = parse_decimal(&child)?,
                }
            }
            literal(Literal::Money { amount, currency })
        }
        Rule::percent => {
            let digits = pair.into_inner().next().ok_or_else(|| internal("percent", span))?;
            literal(Literal::Percent(parse_decimal(&digits)?))
        }
        Rule::duration => {
            let mut inner = pair.into_inner();
            let amount = parse_decimal(&next(&mut inner, span)?)?;
            let unit = parse_time_unit(next(&mut inner, span)?.as_str());
            literal(Literal::Duration(amount, unit))
        }
        Rule::number => {
            let digits = pair.into_inner().next().ok_or_else(|| internal("number", span))?;
            literal(Literal::Number(parse_decimal(&digits)?))
        }
        Rule::string => {
            let text = parse_string(pair)?;
            literal(Literal::Text(text.value))
        }
        Rule::path => Ok(Expr { kind: ExprKind::Path(parse_path(pair)), span }),
        _ => Err(internal("unexpected operand", span)),
    }
}

/// `2026-05-01T10:00Z` with the seconds RFC 3339 requires: `2026-05-01T10:00:00Z`.
pub(crate) fn with_seconds(time: &str) -> std::borrow::Cow<'_, str> {
    // The grammar guarantees `YYYY-MM-DDTHH:MM` in the first 16 bytes.
    match time.as_bytes().get(16) {
        Some(b':') | None => std::borrow::Cow::Borrowed(time),
        Some(_) => {
            std::borrow::Cow::Owned(format!("{}:00{}", time.get(..16).unwrap_or(time), time.get(16..).unwrap_or("")))
        }
    }
}

pub(crate) fn parse_time_unit(word: &str) -> TimeUnit {
    match word.trim_end_matches('s') {
        "second" => TimeUnit::Second,
        "minute" => TimeUnit::Minute,
        "hour" => TimeUnit::Hour,
        "week" => TimeUnit::Week,
        _ => TimeUnit::Day,
    }
}

fn parse_decimal(pair: &Pair<'_, Rule>) -> ParseResult<Decimal> {
    crate::syntax::scan::decimal_literal(pair.as_str()).ok_or_else(|| {
        let max = crate::syntax::scan::MAX_SIGNIFICANT_DIGITS;
        Diagnostic::error(
            "E0004",
            format!("number `{}` has more than {max} significant digits or decimals", pair.as_str()),
            span_of(pair),
        )
        .with_help(format!("numbers hold up to {max} significant digits"))
    })
}

fn invalid_literal(what: &str, text: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error("E0005", format!("invalid {what} `{text}`: {why}"), span)
}

// ---- Syntax errors --------------------------------------------------------------------

fn syntax_error(source: &str, err: pest::error::Error<Rule>) -> Diagnostic {
    let offset = match err.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let found = found_at(source, offset);
    let message = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            // Where a statement may end, pest expects the end of the file (the line break is
            // silent): before the last line that is the end of the line, or nothing at the
            // start of a line.
            let mid_file = source.get(offset..).is_some_and(|rest| rest.contains(['\n', '\r']));
            let line_start =
                source.get(..offset).is_some_and(|before| before.trim_end_matches([' ', '\t']).ends_with(['\n', '\r']));
            let words = positives.iter().filter_map(|r| match r {
                Rule::EOI if mid_file && line_start => None,
                Rule::EOI if mid_file => Some("the end of the line"),
                _ => describe(*r),
            });
            let mut words: Vec<&str> = words.collect();
            words.sort_unstable();
            words.dedup();
            match words.as_slice() {
                [] => format!("unexpected {found}"),
                [one] => format!("expected {one}, found {found}"),
                [init @ .., last] => format!("expected {} or {last}, found {found}", init.join(", ")),
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &err.variant {
        if positives.contains(&Rule::script_close) {
            if let Some(opened) = source.get(..offset).and_then(|s| s.rfind("\"\"\"")) {
                return Diagnostic::error(
                    "E0001",
                    "unterminated script: this `\"\"\"` is never closed",
                    Span::new(opened, opened + 3),
                )
                .with_help("end the script with `\"\"\"` on a line of its own");
            }
        }
    }
    if let Some(better) = explain_syntax_error(source, offset) {
        return better;
    }
    // At the end of the file, point just after the last text rather than at a line of its own.
    let offset = if offset >= source.len() { source.trim_end_matches(['\n', '\r']).len() } else { offset };
    let end = offset + source.get(offset..).and_then(|s| s.chars().next()).map_or(0, char::len_utf8);
    let mut diagnostic = Diagnostic::error("E0001", message, Span::new(offset, end));
    if let Some(help) = syntax_help(source, offset) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// Where the statement holding `offset` starts: the start of its line, or of the line
/// before when nothing but blanks precede `offset` on its line (the statement ended early).
fn statement_start(source: &str, offset: usize) -> usize {
    let line_start = |at: usize| source.get(..at).and_then(|s| s.rfind(['\n', '\r'])).map_or(0, |i| i + 1);
    let start = line_start(offset);
    let before = source.get(start..offset).unwrap_or("");
    if before.trim().is_empty() && start > 0 {
        let mut previous = start - 1;
        // Skip blank lines and the other half of a CRLF.
        while previous > 0 {
            let line = line_start(previous);
            if !source.get(line..previous).unwrap_or("").trim().is_empty() {
                return line;
            }
            previous = line.saturating_sub(1);
            if line == 0 {
                break;
            }
        }
        return 0;
    }
    start
}

/// Clearer words for the commonest syntax errors: an unterminated text, an unclosed or
/// unmatched bracket, and a word from another language where a keyword belongs.
fn explain_syntax_error(source: &str, offset: usize) -> Option<Diagnostic> {
    let start = statement_start(source, offset);
    let end = source.get(offset..).and_then(|s| s.find(['\n', '\r'])).map_or(source.len(), |i| offset + i);
    let bytes = source.as_bytes();
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut at = start;
    while at < end {
        let Some(&byte) = bytes.get(at) else { break };
        let c = char::from(byte);
        match c {
            '#' => break,
            '"' => {
                if scan::opens_script(bytes, at) {
                    return None; // a script block: Rhai's business
                }
                let (text_end, closed) = scan::text_end(bytes, at);
                if !closed {
                    return Some(
                        Diagnostic::error(
                            "E0001",
                            "unterminated text: this `\"` is not closed on its line",
                            Span::new(at, at + 1),
                        )
                        .with_help(
                            "texts end on the line they start; close it with `\"`, and write a quote inside as `\\\"`",
                        ),
                    );
                }
                at = text_end;
                continue;
            }
            '(' | '[' => open.push((at, c)),
            ')' | ']' => {
                let expected = if c == ')' { '(' } else { '[' };
                match open.pop() {
                    Some((_, opener)) if opener == expected => {}
                    Some((opened, opener)) => {
                        let closer = if opener == '(' { ')' } else { ']' };
                        return Some(
                            Diagnostic::error(
                                "E0001",
                                format!("`{c}` does not match the `{opener}` before it"),
                                Span::new(at, at + 1),
                            )
                            .with_label(Span::new(opened, opened + 1), format!("this `{opener}` needs a `{closer}`")),
                        );
                    }
                    None if at <= offset => {
                        return Some(
                            Diagnostic::error(
                                "E0001",
                                format!("unmatched `{c}`: no `{expected}` opens it"),
                                Span::new(at, at + 1),
                            )
                            .with_help(format!("remove the `{c}`, or add the `{expected}` it closes")),
                        );
                    }
                    None => {}
                }
            }
            _ => {}
        }
        at += 1;
    }
    if let Some((opened, opener)) = open.pop() {
        let closer = if opener == '(' { ')' } else { ']' };
        return Some(
            Diagnostic::error(
                "E0001",
                format!("unclosed `{opener}`: no `{closer}` closes it"),
                Span::new(opened, opened + 1),
            )
            .with_help(format!("add the `{closer}` before the end of the statement")),
        );
    }
    let line_start = source.get(..offset).and_then(|s| s.rfind(['\n', '\r'])).map_or(0, |i| i + 1);
    crate::syntax::suggest::unknown_keyword(source, line_start, offset)
}

fn found_at(source: &str, offset: usize) -> String {
    let rest = source.get(offset..).unwrap_or("");
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('\n' | '\r') => "the end of the line".to_string(),
        Some('\u{feff}') => "`U+FEFF` (a byte order mark: save the file as UTF-8 without one)".to_string(),
        Some(c) if c != ' ' && c != '\t' && (c.is_control() || c.is_whitespace()) => {
            format!("the invisible character U+{:04X}", u32::from(c))
        }
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            format!("`{word}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

fn syntax_help(source: &str, offset: usize) -> Option<String> {
    let line_start = source.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..)?.lines().next()?.trim();
    if line.starts_with("rule") && offset == line_start {
        return None;
    }
    let first = line.split_whitespace().next()?;
    let help = match first {
        "when" => "a condition compares facts, as in `when incident.kind is \"broken_item\"`",
        "limit" => "a limit reads `limit comp to $200 per customer, already used customer.comped`",
        "never" => "a forbid reads `never comp when CONDITION because \"reason\"`",
        _ if line.contains(" may ") => "a grant reads `ROLE may GESTURE [up to AMOUNT] [or GESTURE ...]`",
        _ => return None,
    };
    Some(help.to_string())
}

/// The words an error message uses for what the parser expected.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::item
        | Rule::policy_header
        | Rule::currency_header
        | Rule::roles_header
        | Rule::facts_section
        | Rule::gestures_section
        | Rule::rule_def
        | Rule::never_stmt
        | Rule::limit_stmt
        | Rule::script_block
        | Rule::kw_policy
        | Rule::kw_currency
        | Rule::kw_roles
        | Rule::kw_facts
        | Rule::kw_gestures
        | Rule::kw_rule
        | Rule::kw_limit
        | Rule::kw_script => "a section such as `rule`, `facts`, `gestures`, `never` or `limit`",
        Rule::fact_decl => "a fact declaration such as `order.total: money`",
        Rule::type_expr | Rule::simple_type | Rule::list_type | Rule::one_of_type | Rule::kw_list | Rule::kw_one => {
            "a type (text, number, money, boolean, date, time, duration, list of ..., one of ...)"
        }
        Rule::gesture_decl => "a gesture declaration such as `comp: amount`",
        Rule::param_kind => "`amount`, `item` or `due`",
        Rule::priority_stmt
        | Rule::when_stmt
        | Rule::owe_stmt
        | Rule::recommend_stmt
        | Rule::escalate_stmt
        | Rule::rule_never_stmt
        | Rule::grant_stmt
        | Rule::kw_priority
        | Rule::kw_when
        | Rule::kw_owe
        | Rule::kw_recommend
        | Rule::kw_escalate => {
            "a rule statement (`when`, `ROLE may ...`, `owe`, `recommend`, `escalate`, `never`, `priority`)"
        }
        Rule::expr
        | Rule::amount
        | Rule::paren
        | Rule::list
        | Rule::call
        | Rule::time_since
        | Rule::now
        | Rule::today
        | Rule::boolean
        | Rule::datetime
        | Rule::date
        | Rule::money
        | Rule::percent
        | Rule::duration
        | Rule::number
        | Rule::not
        | Rule::neg
        | Rule::kw_now
        | Rule::kw_today => "a value",
        Rule::or
        | Rule::and
        | Rule::is
        | Rule::is_not
        | Rule::in_op
        | Rule::not_in
        | Rule::contains
        | Rule::ge
        | Rule::le
        | Rule::ne
        | Rule::eq
        | Rule::gt
        | Rule::lt
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div
        | Rule::of
        | Rule::between
        | Rule::kw_between => "an operator",
        Rule::alternative => "a gesture",
        Rule::item_desc | Rule::item_words | Rule::item_word => "an item description",
        Rule::name | Rule::path | Rule::segment => "a name",
        Rule::string | Rule::string_inner => "a quoted text",
        Rule::integer | Rule::decimal => "a number",
        Rule::currency_code => "a currency code such as `USD`",
        Rule::currency_symbol => "a currency symbol",
        Rule::time_unit => "a unit of time (minutes, hours, days, weeks)",
        Rule::comma => "`,`",
        Rule::colon => "`:`",
        Rule::kw_may => "`may`",
        Rule::kw_up => "`up to`",
        Rule::kw_to => "`to`",
        Rule::kw_or => "`or`",
        Rule::kw_and => "`and`",
        Rule::kw_not => "`not`",
        Rule::kw_is => "`is`",
        Rule::kw_in => "`in`",
        Rule::kw_of => "`of`",
        Rule::kw_because | Rule::because => "`because`",
        Rule::kw_never => "`never`",
        Rule::kw_since | Rule::kw_until => "`since` or `until`",
        Rule::kw_already | Rule::already_used => "`already used`",
        Rule::kw_used => "`used`",
        Rule::kw_default => "`default`",
        Rule::limit_scope => "`per ...`",
        Rule::script_open | Rule::script_close => "`\"\"\"`",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn parses_the_store_example() {
        let source =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/store/store.policy")).unwrap();
        let file = parse(&source).unwrap_or_else(|d| panic!("{d:?} at {:?}", &source[d.span.range()]));
        assert_eq!(file.items.len(), 10);
        let Item::Rule(rule) = &file.items[5] else { panic!("expected a rule") };
        let Statement::Grant(grant) = &rule.statements[1] else { panic!("expected a grant") };
        assert_eq!(grant.role.name, "associate");
        assert_eq!(grant.alternatives.len(), 2);
        assert_eq!(grant.alternatives[1].gesture.name, "replace");
        assert_eq!(grant.alternatives[1].item.as_ref().unwrap().value, "a broken item");
    }

    #[test]
    fn times_may_leave_out_the_seconds() {
        let file = parse("rule r\n  when now > 2026-05-01T10:00Z and now < 2026-05-01T10:00+02:00\n").unwrap();
        let Item::Rule(rule) = &file.items[0] else { panic!("expected a rule") };
        let Statement::When(Expr { kind: ExprKind::Binary(_, operands), .. }) = &rule.statements[0] else {
            panic!("expected a condition")
        };
        let [left, right] = &**operands;
        let time = |e: &Expr| match &e.kind {
            ExprKind::Binary(_, operands) => match &operands[1].kind {
                ExprKind::Literal(Literal::Time(t)) => t.to_rfc3339(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(time(left), "2026-05-01T10:00:00+00:00");
        assert_eq!(time(right), "2026-05-01T10:00:00+02:00");
    }
}
