//! Types and lowers expressions: resolves fact paths to slots, checks types and currencies,
//! folds constants.

use crate::check::Checker;
use crate::eval::expr::Env;
use crate::ir::{self, ArithOp, CompareOp, ExprKind};
use crate::name::Name;
use crate::syntax::ast::{self, BinaryOp, CurrencyMark, Literal, UnaryOp};
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::span::Span;
use crate::value::{Ty, Value};
use chrono::DateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::Arc;

pub(super) const BUILTINS: &[&str] = &["min", "max", "round", "abs"];

impl Checker<'_> {
    /// Lowers `expr`, which must be of type `expected`.
    pub(crate) fn lower_expected(&mut self, expr: &ast::Expr, expected: &Ty, what: &str) -> ir::Expr {
        let (lowered, ty) = self.lower_expr(expr);
        if ty == Ty::Any && *expected != Ty::Any {
            return ir::Expr { span: lowered.span, kind: ExprKind::Coerce(expected.clone(), Box::new(lowered)) };
        }
        if !expected.accepts(&ty) {
            let mut diagnostic =
                Diagnostic::error("E0104", format!("{what} must be {expected}, found {ty}"), expr.span);
            if *expected == Ty::Money && ty == Ty::Number {
                diagnostic =
                    diagnostic.with_help(format!("write the amount as money, such as `{}`", self.money_example("50")));
            }
            self.diagnostics.push(diagnostic);
        }
        lowered
    }

    /// Lowers `expr`, a bound (an `up to` amount, a limit's cap or amount used): money
    /// is kept exact inside it, as [`crate::eval::expr::Env::bound`] evaluates it, so
    /// that constants fold to what evaluation would compute. A constant bound that its
    /// rounding to the minor unit overflows (`$99999999999999999999999999 / 0.1`) would
    /// fail at every evaluation: `E0120` (only the whole bound is rounded, so a constant
    /// part of it is not checked: `min(that, order.total)` may well be held).
    pub(crate) fn lower_bound(&mut self, expr: &ast::Expr, what: &str) -> ir::Expr {
        let was = std::mem::replace(&mut self.in_bound, true);
        let lowered = self.lower_expected(expr, &Ty::Money, what);
        self.in_bound = was;
        if let (ExprKind::Const(Value::Money(amount)), Some(currency)) = (&lowered.kind, self.currency) {
            let span = lowered.span;
            let inside = |d: &Diagnostic| d.is_error() && d.span.start >= span.start && d.span.end <= span.end;
            if currency.round_toward_zero(*amount).is_none() && !self.diagnostics.iter().any(inside) {
                self.error("E0120", "this is always an error: arithmetic overflow", span);
            }
        }
        lowered
    }

    /// `amount` written as money of the policy's currency, for a help: `$50`, `¥50`, or
    /// `50 CHF` for a currency without a symbol (`$50` before the currency is known).
    pub(crate) fn money_example(&self, amount: &str) -> String {
        match self.currency {
            Some(currency) => match currency.symbol {
                Some(symbol) => format!("{symbol}{amount}"),
                None => format!("{amount} {}", currency.code),
            },
            None => format!("${amount}"),
        }
    }

    /// Lowers `expr`, returning it with its type. Errors are reported and replaced by a
    /// placeholder of type `Any`, so that one mistake gives one diagnostic.
    pub(crate) fn lower_expr(&mut self, expr: &ast::Expr) -> (ir::Expr, Ty) {
        let span = expr.span;
        let (kind, ty) = match &expr.kind {
            ast::ExprKind::Literal(literal) => match self.lower_literal(literal, span) {
                Some((value, ty)) => (ExprKind::Const(value), ty),
                None => return placeholder(span),
            },
            ast::ExprKind::Path(path) => {
                // A path is written without spaces, so its text is its dotted form: look it up
                // without building the string.
                let dotted_len = path.segments.iter().map(|segment| segment.len()).sum::<usize>()
                    + path.segments.len().saturating_sub(1);
                let slot = match self.source.get(path.span.range()).filter(|text| text.len() == dotted_len) {
                    Some(text) => self.slots.get(text).copied(),
                    None => self.slots.get(&path.dotted()).copied(),
                };
                match slot {
                    Some(slot) => (ExprKind::Fact(slot), self.facts.get(slot).map_or(Ty::Any, |fact| fact.ty.clone())),
                    None => {
                        self.unknown_fact(&path.dotted(), path.span);
                        return placeholder(span);
                    }
                }
            }
            ast::ExprKind::List(items) => {
                let mut lowered = Vec::with_capacity(items.len());
                let mut elem = Ty::Any;
                for item in items {
                    let (item_ir, item_ty) = self.lower_expr(item);
                    if elem == Ty::Any {
                        elem = item_ty;
                    } else if !elem.accepts(&item_ty) {
                        self.error(
                            "E0104",
                            format!("a list holds values of one type: {elem} and {item_ty} are mixed"),
                            item.span,
                        );
                    }
                    lowered.push(item_ir);
                }
                (ExprKind::List(lowered), Ty::List(Box::new(elem)))
            }
            ast::ExprKind::Call(name, args) => return self.lower_call(name, args, span),
            ast::ExprKind::Unary(UnaryOp::Not, inner) => {
                let inner = self.lower_expected(inner, &Ty::Bool, "the operand of `not`");
                (ExprKind::Not(Box::new(inner)), Ty::Bool)
            }
            ast::ExprKind::Unary(UnaryOp::Neg, inner) => {
                let (inner_ir, ty) = self.lower_expr(inner);
                if !matches!(ty, Ty::Number | Ty::Money | Ty::Duration | Ty::Any) {
                    self.error("E0104", format!("cannot negate {ty}"), span);
                }
                (ExprKind::Neg(Box::new(inner_ir)), ty)
            }
            ast::ExprKind::Binary(op, operands) => {
                let [lhs, rhs] = &**operands;
                return self.lower_binary(*op, lhs, rhs, span);
            }
            ast::ExprKind::Between { value, low, high, negated } => {
                let (value_ir, value_ty) = self.lower_expr(value);
                let (mut low_ir, low_ty) = self.lower_expr(low);
                let (high_ir, high_ty) = self.lower_expr(high);
                // `between 3 and 5 hours`: the unit of the upper bound applies to a bare lower bound.
                if let (
                    Ty::Number,
                    ast::ExprKind::Literal(Literal::Number(n)),
                    ast::ExprKind::Literal(Literal::Duration(_, unit)),
                ) = (&low_ty, &low.kind, &high.kind)
                {
                    if let Some(secs) = n.checked_mul(Decimal::from(unit.seconds())).and_then(|s| s.to_i64()) {
                        low_ir = ir::Expr { kind: ExprKind::Const(Value::Duration(secs)), span: low.span };
                    }
                } else {
                    self.expect_comparable(&value_ty, &low_ty, low.span);
                }
                self.expect_comparable(&value_ty, &high_ty, high.span);
                if !value_ty.is_ordered() {
                    self.error(
                        "E0104",
                        format!("`between` needs values that can be ordered, found {value_ty}"),
                        value.span,
                    );
                }
                (ExprKind::Between(Box::new([value_ir, low_ir, high_ir]), *negated), Ty::Bool)
            }
            ast::ExprKind::Since { unit, direction, operand } => {
                let (operand_ir, ty) = self.lower_expr(operand);
                if !matches!(ty, Ty::Date | Ty::Time | Ty::Any) {
                    self.error(
                        "E0104",
                        format!("`{} since` and `until` need a date or a time, found {ty}", unit.plural()),
                        operand.span,
                    );
                }
                (ExprKind::Since(*unit, *direction, Box::new(operand_ir)), Ty::Number)
            }
            ast::ExprKind::Now => (ExprKind::Now, Ty::Time),
            ast::ExprKind::Today => (ExprKind::Today, Ty::Date),
        };
        (self.fold(ir::Expr { kind, span }), ty)
    }

    fn lower_literal(&mut self, literal: &Literal, span: Span) -> Option<(Value, Ty)> {
        Some(match literal {
            Literal::Text(s) => (Value::Text(Arc::from(s.as_str())), Ty::Text),
            Literal::Number(n) => (Value::Number(*n), Ty::Number),
            Literal::Bool(b) => (Value::Bool(*b), Ty::Bool),
            Literal::Date(d) => (Value::Date(*d), Ty::Date),
            Literal::Time(t) => (Value::Time(*t), Ty::Time),
            // Dividing by 100 only moves the decimal point: it cannot overflow.
            Literal::Percent(p) => (Value::Number(p.checked_div(Decimal::ONE_HUNDRED).unwrap_or(*p)), Ty::Number),
            Literal::Duration(amount, unit) => {
                let seconds = amount.checked_mul(Decimal::from(unit.seconds()));
                match seconds.filter(|s| s.fract().is_zero()).and_then(|s| s.to_i64()) {
                    Some(secs) => (Value::Duration(secs), Ty::Duration),
                    None => {
                        self.error("E0117", "a duration must be a whole number of seconds that fits", span);
                        return None;
                    }
                }
            }
            Literal::Money { amount, currency: mark } => {
                let currency = self.currency?;
                let matches = match mark {
                    CurrencyMark::Symbol(symbol) => currency.accepts_symbol(*symbol),
                    CurrencyMark::Code(code) => code == currency.code,
                };
                if !matches {
                    let written = match mark {
                        CurrencyMark::Symbol(symbol) => format!("`{symbol}`"),
                        CurrencyMark::Code(code) => format!("`{code}`"),
                    };
                    self.diagnostics.push(
                        Diagnostic::error(
                            "E0105",
                            format!("amount in {written}, but the policy's currency is {}", currency.code),
                            span,
                        )
                        .with_help("one policy uses one currency; write amounts in it"),
                    );
                    return None;
                }
                if !currency.is_exact(*amount) {
                    self.error("E0117", format!("`{amount}` has more decimals than {} allows", currency.code), span);
                    return None;
                }
                match currency.round(*amount) {
                    Some(amount) => (Value::Money(amount), Ty::Money),
                    None => {
                        let digits = currency.minor_units;
                        self.error(
                            "E0117",
                            format!(
                                "`{amount}` is too large to be held exactly with {digits} decimals in {}",
                                currency.code
                            ),
                            span,
                        );
                        return None;
                    }
                }
            }
        })
    }

    fn lower_call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) -> (ir::Expr, Ty) {
        let lowered: Vec<(ir::Expr, Ty)> = args.iter().map(|a| self.lower_expr(a)).collect();
        let arity = args.len();
        let builtin = |kind: ExprKind, ty: Ty| (ir::Expr { kind, span }, ty);
        match name.name.as_str() {
            "min" | "max" if arity >= 1 => {
                let mut ty = Ty::Any;
                for ((_, arg_ty), arg) in lowered.iter().zip(args) {
                    if !arg_ty.is_ordered() {
                        self.error(
                            "E0104",
                            format!("`{}` needs values that can be ordered, found {arg_ty}", name.name),
                            arg.span,
                        );
                    } else if ty == Ty::Any {
                        ty = arg_ty.clone();
                    } else {
                        self.expect_comparable(&ty, arg_ty, arg.span);
                    }
                }
                let exprs = lowered.into_iter().map(|(e, _)| e).collect();
                let kind = if name.name == "min" { ExprKind::Min(exprs) } else { ExprKind::Max(exprs) };
                let (expr, ty) = builtin(kind, ty);
                (self.fold(expr), ty)
            }
            "round" if arity == 1 || arity == 2 => {
                let mut iter = lowered.into_iter();
                let Some((value, ty)) = iter.next() else { return placeholder(span) };
                if !matches!(ty, Ty::Number | Ty::Money | Ty::Any) {
                    self.error("E0104", format!("`round` needs a number or money, found {ty}"), span);
                }
                let digits = iter.next().map(|(d, d_ty)| {
                    if !Ty::Number.accepts(&d_ty) {
                        self.error("E0104", format!("`round` takes a number of digits, found {d_ty}"), d.span);
                    }
                    Box::new(d)
                });
                let (expr, ty) = builtin(ExprKind::Round(Box::new(value), digits), ty);
                (self.fold(expr), ty)
            }
            "abs" if arity == 1 => {
                let Some((value, ty)) = lowered.into_iter().next() else { return placeholder(span) };
                if !matches!(ty, Ty::Number | Ty::Money | Ty::Duration | Ty::Any) {
                    self.error("E0104", format!("`abs` needs a number, money or a duration, found {ty}"), span);
                    return placeholder(span);
                }
                let (expr, ty) = builtin(ExprKind::Abs(Box::new(value)), ty);
                (self.fold(expr), ty)
            }
            "min" | "max" | "round" | "abs" => {
                let wanted = match name.name.as_str() {
                    "round" => "one or two arguments",
                    "abs" => "one argument",
                    _ => "at least one argument",
                };
                self.error("E0112", format!("`{}` takes {wanted}, found {arity}", name.name), span);
                placeholder(span)
            }
            _ => match self.scripts.find(&name.name, arity) {
                Some(index) => {
                    let exprs = lowered.into_iter().map(|(e, _)| e).collect();
                    (ir::Expr { kind: ExprKind::Script(index, exprs), span }, Ty::Any)
                }
                None => {
                    if let Some(f) = self.scripts.functions().iter().find(|f| f.name == name.name) {
                        self.error(
                            "E0112",
                            format!("script function `{}` takes {} arguments, found {arity}", f.name, f.arity),
                            span,
                        );
                    } else {
                        let mut names: Vec<&str> = BUILTINS.to_vec();
                        names.extend(self.scripts.functions().iter().map(|f| f.name.as_str()));
                        let mut d = Diagnostic::error("E0111", format!("unknown function `{}`", name.name), name.span);
                        if let Some(best) = self.closest(&name.name, names.iter().copied()) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        } else {
                            d = d.with_help(
                                "functions are `min`, `max`, `round`, `abs` and those defined in `script` blocks",
                            );
                        }
                        self.diagnostics.push(d);
                    }
                    placeholder(span)
                }
            },
        }
    }

    fn lower_binary(&mut self, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> (ir::Expr, Ty) {
        let make = |kind: ExprKind| ir::Expr { kind, span };
        let (expr, ty) = match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = if op == BinaryOp::And { "each side of `and`" } else { "each side of `or`" };
                let l = self.lower_expected(lhs, &Ty::Bool, what);
                let r = self.lower_expected(rhs, &Ty::Bool, what);
                let kind =
                    if op == BinaryOp::And { ExprKind::And(Box::new([l, r])) } else { ExprKind::Or(Box::new([l, r])) };
                (make(kind), Ty::Bool)
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (mut l, l_ty) = self.lower_expr(lhs);
                let (mut r, r_ty) = self.lower_expr(rhs);
                self.expect_comparable(&l_ty, &r_ty, span);
                let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                if ordering && !(l_ty.is_ordered() && r_ty.is_ordered()) {
                    self.error(
                        "E0104",
                        format!("`{}` needs values that can be ordered, found {l_ty}", op.symbol()),
                        span,
                    );
                }
                self.check_one_of(&l, &r);
                self.check_one_of(&r, &l);
                coerce_any(&mut l, &l_ty, &r_ty);
                coerce_any(&mut r, &r_ty, &l_ty);
                let cmp = match op {
                    BinaryOp::Eq => CompareOp::Eq,
                    BinaryOp::Ne => CompareOp::Ne,
                    BinaryOp::Lt => CompareOp::Lt,
                    BinaryOp::Le => CompareOp::Le,
                    BinaryOp::Gt => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                (make(ExprKind::Compare(cmp, Box::new([l, r]))), Ty::Bool)
            }
            BinaryOp::In | BinaryOp::NotIn | BinaryOp::Contains => {
                let (needle_ast, hay_ast) = if op == BinaryOp::Contains { (rhs, lhs) } else { (lhs, rhs) };
                let (mut needle, needle_ty) = self.lower_expr(needle_ast);
                let (hay, hay_ty) = self.lower_expr(hay_ast);
                match &hay_ty {
                    Ty::List(elem) => {
                        self.expect_comparable(&needle_ty, elem, span);
                        self.check_one_of_list(&needle, &hay);
                        // A script's result is looked for as the list's type, as `is` compares
                        // it (`five() in [$5, $10]`: the number 5 as money).
                        coerce_any(&mut needle, &needle_ty, elem);
                    }
                    // A script's result (`1 in f()`) is a list or a text only when it runs:
                    // evaluation checks it then (a wrong one is an error of the rule).
                    Ty::Any => {}
                    Ty::Text => {
                        if !Ty::Text.accepts(&needle_ty) {
                            self.error(
                                "E0104",
                                format!("a text can only contain text, found {needle_ty}"),
                                needle_ast.span,
                            );
                        }
                    }
                    other => {
                        let side = if op == BinaryOp::Contains { "left of `contains`" } else { "right of `in`" };
                        self.error(
                            "E0104",
                            format!("the {side} must be a list or a text, found {other}"),
                            hay_ast.span,
                        );
                    }
                }
                let kind = match op {
                    BinaryOp::Contains => ExprKind::Contains(Box::new([hay, needle])),
                    _ => ExprKind::In(Box::new([needle, hay]), op == BinaryOp::NotIn),
                };
                (make(kind), Ty::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Of => {
                let (l, l_ty) = self.lower_expr(lhs);
                let (r, r_ty) = self.lower_expr(rhs);
                let arith = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Div => ArithOp::Div,
                    _ => ArithOp::Mul,
                };
                if op == BinaryOp::Of && !Ty::Number.accepts(&l_ty) {
                    self.error(
                        "E0104",
                        format!("`of` needs a percentage on its left, such as `10% of order.total`, found {l_ty}"),
                        lhs.span,
                    );
                }
                let ty = match arith_type(arith, &l_ty, &r_ty) {
                    Some(ty) => ty,
                    None => {
                        let mut d = Diagnostic::error(
                            "E0104",
                            format!("cannot apply `{}` to {l_ty} and {r_ty}", op.symbol()),
                            span,
                        );
                        if matches!((&l_ty, &r_ty), (Ty::Money, Ty::Number) | (Ty::Number, Ty::Money)) {
                            d = d
                                .with_help(format!("write the number as money, such as `{}`", self.money_example("5")));
                        }
                        self.diagnostics.push(d);
                        Ty::Any
                    }
                };
                (make(ExprKind::Arith(arith, Box::new([l, r]))), ty)
            }
        };
        (self.fold(expr), ty)
    }

    fn expect_comparable(&mut self, a: &Ty, b: &Ty, span: Span) {
        if a.accepts(b) {
            return;
        }
        let mut d = Diagnostic::error("E0104", format!("cannot compare {a} with {b}"), span);
        if matches!((a, b), (Ty::Money, Ty::Number) | (Ty::Number, Ty::Money)) {
            d = d.with_help(format!("write the number as money, such as `{}`", self.money_example("50")));
        } else if matches!((a, b), (Ty::Duration, Ty::Number) | (Ty::Number, Ty::Duration)) {
            d = d.with_help("give the number a unit, such as `2 days`");
        }
        self.diagnostics.push(d);
    }

    /// `fact is "value"` where the fact is `one of` and the value is not among them.
    fn check_one_of(&mut self, fact: &ir::Expr, other: &ir::Expr) {
        if let (ExprKind::Fact(slot), ExprKind::Const(Value::Text(text))) = (&fact.kind, &other.kind) {
            self.check_one_of_value(*slot, text, other.span);
        }
    }

    fn check_one_of_list(&mut self, needle: &ir::Expr, hay: &ir::Expr) {
        match (&needle.kind, &hay.kind) {
            (ExprKind::Fact(slot), ExprKind::Const(Value::List(items))) => {
                for item in items.iter() {
                    if let Value::Text(text) = item {
                        self.check_one_of_value(*slot, text, hay.span);
                    }
                }
            }
            (ExprKind::Const(Value::Text(text)), ExprKind::Fact(slot)) => {
                if let Some(Ty::List(_)) = self.facts.get(*slot).map(|fact| &fact.ty) {
                    self.check_one_of_value(*slot, text, needle.span);
                }
            }
            _ => {}
        }
    }

    fn check_one_of_value(&mut self, slot: usize, text: &str, span: Span) {
        let Some(fact) = self.facts.get(slot) else { return };
        let Some(allowed) = fact.one_of.as_ref() else { return };
        // Text facts keep their values sorted: a policy keyed on many values checks each
        // comparison in logarithmic time, not by a scan.
        let found = if fact.one_of_sorted.is_empty() {
            allowed.iter().any(|a| a == text)
        } else {
            fact.one_of_sorted.binary_search_by(|a| (**a).cmp(text)).is_ok()
        };
        if found {
            return;
        }
        let Some(path) = self.facts.get(slot).map(|fact| fact.path.clone()) else { return };
        let mut quoted: Vec<String> = allowed.iter().take(20).map(|a| format!("\"{a}\"")).collect();
        if allowed.len() > 20 {
            quoted.push(format!("and {} more", allowed.len() - 20));
        }
        let mut d = Diagnostic::error(
            "E0116",
            format!("`{path}` is never \"{text}\": it is one of {}", quoted.join(", ")),
            span,
        );
        if let Some(best) = self.closest(text, allowed.iter().map(Name::as_str)) {
            d = d.with_help(format!("did you mean \"{best}\"?"));
        }
        self.diagnostics.push(d);
    }

    /// Replaces a constant subtree by its value.
    pub(crate) fn fold(&mut self, expr: ir::Expr) -> ir::Expr {
        if matches!(expr.kind, ExprKind::Const(_)) || !is_constant(&expr) {
            return expr;
        }
        let Some(currency) = self.currency else { return expr };
        // Inside a bound, money is kept exact as its evaluation keeps it (`Env::bound`).
        let mut env = Env {
            program: None,
            currency,
            facts: &[],
            now: DateTime::UNIX_EPOCH.fixed_offset(),
            reads: None,
            exact_money: self.in_bound,
        };
        match env.eval(&expr) {
            Ok(value) => ir::Expr { kind: ExprKind::Const(value), span: expr.span },
            Err(err) => {
                // An error inside this expression was already reported: do not report it twice.
                let inside =
                    |d: &Diagnostic| d.is_error() && d.span.start >= expr.span.start && d.span.end <= expr.span.end;
                if !self.diagnostics.iter().any(inside) {
                    self.error("E0120", format!("this is always an error: {}", err.message), err.span);
                }
                expr
            }
        }
    }
}

/// Stands in for an expression that already has an error: of type `Any`, so it causes no
/// further type errors, and not constant, so folding never evaluates it. A program with
/// errors is never evaluated.
fn placeholder(span: Span) -> (ir::Expr, Ty) {
    (ir::Expr { kind: ExprKind::Now, span }, Ty::Any)
}

/// A script result compared with a typed value is converted to that type.
fn coerce_any(expr: &mut ir::Expr, ty: &Ty, other: &Ty) {
    if *ty == Ty::Any && *other != Ty::Any && matches!(expr.kind, ExprKind::Script(..)) {
        let inner = std::mem::replace(expr, ir::Expr { kind: ExprKind::Now, span: expr.span });
        *expr = ir::Expr { span: inner.span, kind: ExprKind::Coerce(other.clone(), Box::new(inner)) };
    }
}

fn is_constant(expr: &ir::Expr) -> bool {
    match &expr.kind {
        ExprKind::Const(_) => true,
        ExprKind::Fact(_) | ExprKind::Now | ExprKind::Today | ExprKind::Script(..) | ExprKind::Since(..) => false,
        ExprKind::List(items) | ExprKind::Min(items) | ExprKind::Max(items) => items.iter().all(is_constant),
        ExprKind::Not(a) | ExprKind::Neg(a) | ExprKind::Abs(a) | ExprKind::Coerce(_, a) => is_constant(a),
        ExprKind::Round(a, b) => is_constant(a) && b.as_ref().is_none_or(|b| is_constant(b)),
        ExprKind::And(operands)
        | ExprKind::Or(operands)
        | ExprKind::Compare(_, operands)
        | ExprKind::In(operands, _)
        | ExprKind::Contains(operands)
        | ExprKind::Arith(_, operands) => operands.iter().all(is_constant),
        ExprKind::Between(operands, _) => operands.iter().all(is_constant),
    }
}

/// The result type of arithmetic, or `None` if the operation makes no sense.
fn arith_type(op: ArithOp, l: &Ty, r: &Ty) -> Option<Ty> {
    use Ty::{Any, Date, Duration, Money, Number, Time};
    Some(match (op, l, r) {
        (_, Any, _) | (_, _, Any) => Any,
        (ArithOp::Add | ArithOp::Sub | ArithOp::Mul | ArithOp::Div, Number, Number) => Number,
        (ArithOp::Add | ArithOp::Sub, Money, Money) => Money,
        (ArithOp::Mul, Money, Number) | (ArithOp::Mul, Number, Money) | (ArithOp::Div, Money, Number) => Money,
        (ArithOp::Div, Money, Money) | (ArithOp::Div, Duration, Duration) => Number,
        (ArithOp::Add | ArithOp::Sub, Duration, Duration) => Duration,
        (ArithOp::Mul, Duration, Number) | (ArithOp::Mul, Number, Duration) | (ArithOp::Div, Duration, Number) => {
            Duration
        }
        (ArithOp::Add, Time, Duration) | (ArithOp::Add, Duration, Time) | (ArithOp::Sub, Time, Duration) => Time,
        (ArithOp::Sub, Time, Time) | (ArithOp::Sub, Date, Date) => Duration,
        (ArithOp::Add, Date, Duration) | (ArithOp::Add, Duration, Date) | (ArithOp::Sub, Date, Duration) => Date,
        _ => return None,
    })
}
