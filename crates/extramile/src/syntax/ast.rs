//! The abstract syntax tree: owned data, every node with its byte span.

use crate::name::Name;
use crate::syntax::span::Span;
use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

/// A parsed policy file: its items in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    /// Top-level items in source order.
    pub items: Vec<Item>,
}

/// A name with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name as written (a [`Name`]: short names are kept inline, without allocating).
    pub name: Name,
    /// Where it was written.
    pub span: Span,
}

/// A string literal's value with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The value with escapes resolved.
    pub value: Name,
    /// Where it was written, quotes included.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `policy "Name"`.
    Policy(Text),
    /// `currency USD`.
    Currency(Ident),
    /// `roles a < b < c`.
    Roles(Vec<Ident>),
    /// `facts` and its declarations, with the span of the `facts` keyword.
    Facts(Vec<FactDecl>, Span),
    /// `gestures` and its declarations, with the span of the `gestures` keyword.
    Gestures(Vec<GestureDecl>, Span),
    /// `rule name`.
    Rule(Rule),
    /// A top-level `never ... when ...`.
    Never(Never),
    /// `limit ...`.
    Limit(Limit),
    /// A Rhai script block.
    Script(Script),
}

/// `order.total: money`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactDecl {
    /// The dotted path.
    pub path: Path,
    /// The declared type.
    pub ty: TypeExpr,
    /// The value used when the incident lacks the fact or gives `null`.
    pub default: Option<Expr>,
    /// The whole declaration.
    pub span: Span,
}

/// The segments of a [`Path`]: a small vector that holds the usual `object.fact` inline and
/// reads as a slice.
pub type Segments = smallvec::SmallVec<[Name; 2]>;

/// A dotted fact path such as `order.total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The segments between dots (the usual two kept inline, without allocating).
    pub segments: Segments,
    /// Where it was written.
    pub span: Span,
}

impl Path {
    /// The path as written, segments joined by dots.
    pub fn dotted(&self) -> String {
        self.segments.iter().map(Name::as_str).collect::<Vec<_>>().join(".")
    }
}

/// A declared fact type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `text`.
    Text(Span),
    /// `number`.
    Number(Span),
    /// `money`.
    Money(Span),
    /// `boolean`.
    Boolean(Span),
    /// `date`.
    Date(Span),
    /// `time`: a date and time with an offset.
    Time(Span),
    /// `duration`.
    Duration(Span),
    /// `list of T`.
    List(Box<TypeExpr>, Span),
    /// `one of "a", "b"`.
    OneOf(Vec<Text>, Span),
}

impl TypeExpr {
    /// The type named by one word (`text`, `number`, `money`, `boolean`, `date`, `time`,
    /// `duration`), written at `span`.
    pub fn simple(word: &str, span: Span) -> Option<TypeExpr> {
        Some(match word {
            "text" => TypeExpr::Text(span),
            "number" => TypeExpr::Number(span),
            "money" => TypeExpr::Money(span),
            "boolean" => TypeExpr::Boolean(span),
            "date" => TypeExpr::Date(span),
            "time" => TypeExpr::Time(span),
            "duration" => TypeExpr::Duration(span),
            _ => return None,
        })
    }

    /// Where the type was written.
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Text(s)
            | TypeExpr::Number(s)
            | TypeExpr::Money(s)
            | TypeExpr::Boolean(s)
            | TypeExpr::Date(s)
            | TypeExpr::Time(s)
            | TypeExpr::Duration(s)
            | TypeExpr::List(_, s)
            | TypeExpr::OneOf(_, s) => *s,
        }
    }
}

/// What a gesture takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// A money amount (`comp: amount`).
    Amount,
    /// An item description (`replace: item`).
    Item,
    /// A due time (`follow_up: due`).
    Due,
}

/// `comp: amount`.
#[derive(Debug, Clone, PartialEq)]
pub struct GestureDecl {
    /// The gesture's name.
    pub name: Ident,
    /// What it takes, if anything, and where that was written.
    pub kind: Option<(ParamKind, Span)>,
    /// The whole declaration.
    pub span: Span,
}

/// `rule name "Title"` and its statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's name.
    pub name: Ident,
    /// An optional human title.
    pub title: Option<Text>,
    /// Statements in source order.
    pub statements: Vec<Statement>,
    /// The whole rule.
    pub span: Span,
}

/// A statement inside a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `priority N`.
    Priority(i64, Span),
    /// `when CONDITION`.
    When(Expr),
    /// `ROLE may ...`.
    Grant(Grant),
    /// `owe ...`.
    Owe(Owe),
    /// `recommend ...`.
    Recommend(Recommend),
    /// `escalate to ROLE`.
    Escalate(Escalate),
    /// `never ...` inside a rule.
    Never(Never),
}

impl Statement {
    /// Where the statement was written (a `when` from its condition on).
    pub fn span(&self) -> Span {
        match self {
            Statement::Priority(_, span) => *span,
            Statement::When(condition) => condition.span,
            Statement::Grant(grant) => grant.span,
            Statement::Owe(owe) => owe.span,
            Statement::Recommend(recommend) => recommend.span,
            Statement::Escalate(escalate) => escalate.span,
            Statement::Never(never) => never.span,
        }
    }
}

/// `associate may comp up to $50 or replace a broken item`.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The least role the grant is for.
    pub role: Ident,
    /// The gestures, any one of which may be given.
    pub alternatives: Vec<Alternative>,
    /// The whole statement.
    pub span: Span,
}

/// One gesture of a grant.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// The gesture.
    pub gesture: Ident,
    /// The item words, if any.
    pub item: Option<Text>,
    /// The `up to` amount, if any.
    pub up_to: Option<Expr>,
    /// The whole alternative.
    pub span: Span,
}

/// `owe compensation of €400`.
#[derive(Debug, Clone, PartialEq)]
pub struct Owe {
    /// The gesture owed.
    pub gesture: Ident,
    /// The item words, if any.
    pub item: Option<Text>,
    /// The exact amount, if any.
    pub amount: Option<Expr>,
    /// The whole statement.
    pub span: Span,
}

/// `recommend follow_up in 3 days`.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommend {
    /// The gesture recommended.
    pub gesture: Ident,
    /// The item words, if any.
    pub item: Option<Text>,
    /// The amount (`of $10`), if any.
    pub amount: Option<Expr>,
    /// How long from now it is due (`in 3 days`), if any.
    pub due_in: Option<Expr>,
    /// The whole statement.
    pub span: Span,
}

/// `escalate to ROLE because "..."`.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalate {
    /// The role to escalate to.
    pub role: Ident,
    /// Why, if given.
    pub reason: Option<Text>,
    /// The whole statement.
    pub span: Span,
}

/// `never comp, gift_card when CONDITION because "..."`.
#[derive(Debug, Clone, PartialEq)]
pub struct Never {
    /// The gestures forbidden.
    pub gestures: Vec<Ident>,
    /// The condition (top-level forbids); inside a rule the rule's conditions apply.
    pub condition: Option<Expr>,
    /// Why, if given.
    pub reason: Option<Text>,
    /// The whole statement.
    pub span: Span,
}

/// `limit comp to $200 per customer per 90 days, already used customer.comped`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The gestures capped.
    pub gestures: Vec<Ident>,
    /// The cap.
    pub amount: Expr,
    /// What the cap counts over, in words (`per customer per 90 days`).
    pub scope: Option<Text>,
    /// How much of the cap is already used.
    pub already_used: Option<Expr>,
    /// The whole statement.
    pub span: Span,
}

/// A Rhai script block.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The script source between the triple quotes.
    pub source: String,
    /// Where the script source starts in the policy.
    pub body_span: Span,
    /// The whole block.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// A fact path.
    Path(Path),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `min(a, b)` or a script function.
    Call(Ident, Vec<Expr>),
    /// `not x` or `-x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a OP b`: the two operands in one allocation.
    Binary(BinaryOp, Box<[Expr; 2]>),
    /// `x between low and high` (`negated` for `not between`).
    Between {
        /// The value tested.
        value: Box<Expr>,
        /// The inclusive lower bound.
        low: Box<Expr>,
        /// The inclusive upper bound.
        high: Box<Expr>,
        /// `not between`.
        negated: bool,
    },
    /// `days since x`, `days until x`, `days until next x`.
    Since {
        /// The unit counted.
        unit: TimeUnit,
        /// Since, until or until next.
        direction: SinceDirection,
        /// The date or time.
        operand: Box<Expr>,
    },
    /// `now`.
    Now,
    /// `today`.
    Today,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"text"`.
    Text(Name),
    /// `12.5`.
    Number(Decimal),
    /// `$50` or `50 USD`.
    Money {
        /// The amount.
        amount: Decimal,
        /// The currency as written.
        currency: CurrencyMark,
    },
    /// `10%`, held as the percentage (10, not 0.10).
    Percent(Decimal),
    /// `3 days`.
    Duration(Decimal, TimeUnit),
    /// `2026-05-01`.
    Date(NaiveDate),
    /// `2026-05-01T10:00:00Z`.
    Time(DateTime<FixedOffset>),
    /// `true` or `false`.
    Bool(bool),
}

/// How a money literal named its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrencyMark {
    /// `$`, `€`, `£` or `¥`.
    Symbol(char),
    /// `USD`.
    Code(String),
}

/// Units of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days (24 hours).
    Day,
    /// Weeks (7 days).
    Week,
}

impl TimeUnit {
    /// The unit's length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3_600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        }
    }

    /// The plural word for the unit.
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Second => "seconds",
            TimeUnit::Minute => "minutes",
            TimeUnit::Hour => "hours",
            TimeUnit::Day => "days",
            TimeUnit::Week => "weeks",
        }
    }
}

/// The direction of a `since` / `until` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinceDirection {
    /// `days since x`: from x to now.
    Since,
    /// `days until x`: from now to x.
    Until,
    /// `days until next x`: from today to the next yearly recurrence of the date x.
    UntilNext,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `is` or `==`.
    Eq,
    /// `is not` or `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `contains`.
    Contains,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `of`.
    Of,
}

impl BinaryOp {
    /// The operator as written in canonical form.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "is",
            BinaryOp::Ne => "is not",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Contains => "contains",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Of => "of",
        }
    }
}
