//! A hand-written parser for policies that parse: the same AST as the pest parser, spans
//! included, in a fraction of the time.
//!
//! It follows `grammar.pest` rule by rule, with the same ordered choices and the same
//! backtracking, and gives up (returns `None`) at the first thing that does not parse, and at
//! anything it leaves to pest (script blocks, and literals the AST builder refuses, such as
//! an unknown escape or a number too large). `parser::parse` then runs the pest parser, which
//! gives the AST or the exact diagnostic. `tests/parsers.rs` checks that both parsers give the
//! same AST on every policy of the repository and on generated ones.

mod expr;
mod lex;

use crate::syntax::ast::*;
use crate::syntax::scan;
use crate::syntax::span::Span;
use lex::{is_keyword, is_top_keyword, Cursor};

/// Parses `source`, or gives up (see the module's documentation).
pub fn parse(source: &str) -> Option<PolicyFile> {
    let mut parser = Parser { cur: Cursor::new(source), tokens: Vec::with_capacity(32) };
    parser.file().ok()
}

/// Why a parse stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The rule does not match here: an ordered choice tries its next alternative.
    NoMatch,
    /// Left to the pest parser, whatever the alternatives.
    GiveUp,
}

type Parsed<T> = Result<T, Stop>;

struct Parser<'s> {
    cur: Cursor<'s>,
    /// Tokens of the expressions being read, innermost last.
    tokens: Vec<expr::Token>,
}

impl<'s> Parser<'s> {
    /// Runs `rule`; where it does not match, goes back to where it started and gives `None`.
    fn attempt<T>(&mut self, rule: impl FnOnce(&mut Self) -> Parsed<T>) -> Parsed<Option<T>> {
        let start = self.cur.pos;
        match rule(self) {
            Ok(value) => Ok(Some(value)),
            Err(Stop::NoMatch) => {
                self.cur.pos = start;
                Ok(None)
            }
            Err(Stop::GiveUp) => Err(Stop::GiveUp),
        }
    }

    /// `rule*`: as many as match, in order.
    fn repeated<T>(&mut self, mut rule: impl FnMut(&mut Self) -> Parsed<T>) -> Parsed<Vec<T>> {
        let mut items = Vec::new();
        while let Some(item) = self.attempt(&mut rule)? {
            items.push(item);
        }
        Ok(items)
    }

    /// `item ~ (separator ~ item)*`.
    fn separated<T>(&mut self, separator: &str, mut item: impl FnMut(&mut Self) -> Parsed<T>) -> Parsed<Vec<T>> {
        let mut items = vec![item(self)?];
        while let Some(next) = self.attempt(|p| {
            p.symbol(separator)?;
            item(p)
        })? {
            items.push(next);
        }
        Ok(items)
    }

    /// `file = { SOI ~ nl? ~ item* ~ EOI }`.
    fn file(&mut self) -> Parsed<PolicyFile> {
        self.cur.skip();
        self.cur.nl();
        let mut items = Vec::new();
        loop {
            self.cur.skip();
            if self.cur.at_end() {
                return Ok(PolicyFile { items });
            }
            items.push(self.item()?);
        }
    }

    fn item(&mut self) -> Parsed<Item> {
        let word = self.cur.word().ok_or(Stop::NoMatch)?;
        let item = match word {
            "policy" => {
                self.keyword("policy")?;
                Item::Policy(self.string()?)
            }
            "currency" => {
                self.keyword("currency")?;
                Item::Currency(self.currency_code()?)
            }
            "roles" => {
                self.keyword("roles")?;
                Item::Roles(self.separated("<", Self::name)?)
            }
            "facts" => {
                let keyword = self.keyword("facts")?;
                self.end_of_line()?;
                return Ok(Item::Facts(self.repeated(Self::fact_decl)?, keyword));
            }
            "gestures" => {
                let keyword = self.keyword("gestures")?;
                self.end_of_line()?;
                return Ok(Item::Gestures(self.repeated(Self::gesture_decl)?, keyword));
            }
            "rule" => return self.rule().map(Item::Rule),
            "never" => {
                let start = self.keyword("never")?.start;
                let gestures = self.gesture_list()?;
                self.keyword("when")?;
                let condition = self.expr()?;
                let reason = self.attempt(Self::because)?;
                let end = reason.as_ref().map_or(condition.span.end, |r| r.span.end);
                Item::Never(Never { gestures, condition: Some(condition), reason, span: Span { start, end } })
            }
            "limit" => Item::Limit(self.limit()?),
            "script" => return Err(Stop::GiveUp),
            _ => return Err(Stop::NoMatch),
        };
        self.end_of_line()?;
        Ok(item)
    }

    /// `fact_decl = { !top_keyword ~ path ~ colon ~ type_expr ~ (comma ~ kw_default ~ expr)? ~ end_of_line }`.
    fn fact_decl(&mut self) -> Parsed<FactDecl> {
        self.not_top_keyword()?;
        let path = self.path()?;
        self.symbol(":")?;
        let ty = self.type_expr()?;
        let default = self.attempt(|p| {
            p.symbol(",")?;
            p.keyword("default")?;
            p.expr()
        })?;
        self.end_of_line()?;
        let end = default.as_ref().map_or(ty.span().end, |d| d.span.end);
        Ok(FactDecl { span: Span { start: path.span.start, end }, path, ty, default })
    }

    /// `type_expr = { list_type | one_of_type | simple_type }`.
    fn type_expr(&mut self) -> Parsed<TypeExpr> {
        self.cur.skip();
        let start = self.cur.pos;
        match self.cur.word() {
            Some("list") => {
                self.keyword("list")?;
                self.keyword("of")?;
                let element = self.type_expr()?;
                let end = element.span().end as usize;
                Ok(TypeExpr::List(Box::new(element), Span::new(start, end)))
            }
            Some("one") => {
                self.keyword("one")?;
                self.keyword("of")?;
                let values = self.separated(",", Self::string)?;
                let end = values.last().map_or(start, |v| v.span.end as usize);
                Ok(TypeExpr::OneOf(values, Span::new(start, end)))
            }
            Some(word) => {
                let ty = TypeExpr::simple(word, Span::new(start, start + word.len())).ok_or(Stop::NoMatch)?;
                self.cur.pos = start + word.len();
                Ok(ty)
            }
            None => Err(Stop::NoMatch),
        }
    }

    /// `gesture_decl = { !top_keyword ~ name ~ (colon ~ param_kind)? ~ end_of_line }`.
    fn gesture_decl(&mut self) -> Parsed<GestureDecl> {
        self.not_top_keyword()?;
        let name = self.name()?;
        let kind = self.attempt(|p| {
            p.symbol(":")?;
            p.cur.skip();
            let start = p.cur.pos;
            let kind = match p.cur.word() {
                Some("amount") => ParamKind::Amount,
                Some("item") => ParamKind::Item,
                Some("due") => ParamKind::Due,
                _ => return Err(Stop::NoMatch),
            };
            let end = p.cur.advance_word();
            Ok((kind, Span::new(start, end)))
        })?;
        self.end_of_line()?;
        let end = kind.map_or(name.span.end, |(_, span)| span.end);
        Ok(GestureDecl { span: Span { start: name.span.start, end }, name, kind })
    }

    /// `rule_def = { kw_rule ~ name ~ string? ~ end_of_line ~ rule_stmt* }`.
    fn rule(&mut self) -> Parsed<Rule> {
        let start = self.keyword("rule")?.start;
        let name = self.name()?;
        let title = self.attempt(Self::string)?;
        self.end_of_line()?;
        let statements = self.repeated(|p| {
            let statement = p.statement()?;
            p.end_of_line()?;
            Ok(statement)
        })?;
        let header_end = title.as_ref().map_or(name.span.end, |t| t.span.end);
        let end = statements.last().map_or(header_end, |s| s.span().end.max(header_end));
        Ok(Rule { name, title, statements, span: Span { start, end } })
    }

    /// A rule statement, chosen by its first word (they all start differently).
    fn statement(&mut self) -> Parsed<Statement> {
        self.cur.skip();
        match self.cur.word() {
            Some("when") => {
                self.keyword("when")?;
                Ok(Statement::When(self.expr()?))
            }
            Some("priority") => {
                let start = self.keyword("priority")?.start;
                let (value, end) = self.integer()?;
                Ok(Statement::Priority(value, Span::new(start as usize, end)))
            }
            Some("owe") => {
                let start = self.keyword("owe")?.start;
                let (gesture, item) = self.gesture_and_item()?;
                let amount = self.amount_after(&["of"])?;
                let end = last_end(&[amount.as_ref().map(|a| a.span), item.as_ref().map(|i| i.span)], gesture.span);
                Ok(Statement::Owe(Owe { gesture, item, amount, span: Span { start, end } }))
            }
            Some("recommend") => {
                let start = self.keyword("recommend")?.start;
                let (gesture, item) = self.gesture_and_item()?;
                let amount = self.amount_after(&["of"])?;
                let due_in = self.amount_after(&["in"])?;
                let spans =
                    [due_in.as_ref().map(|d| d.span), amount.as_ref().map(|a| a.span), item.as_ref().map(|i| i.span)];
                let end = last_end(&spans, gesture.span);
                Ok(Statement::Recommend(Recommend { gesture, item, amount, due_in, span: Span { start, end } }))
            }
            Some("escalate") => {
                let start = self.keyword("escalate")?.start;
                self.keyword("to")?;
                let role = self.name()?;
                let reason = self.attempt(Self::because)?;
                let end = reason.as_ref().map_or(role.span.end, |r| r.span.end);
                Ok(Statement::Escalate(Escalate { role, reason, span: Span { start, end } }))
            }
            Some("never") => {
                let start = self.keyword("never")?.start;
                let gestures = self.gesture_list()?;
                let reason = self.attempt(Self::because)?;
                let end = reason.as_ref().map(|r| r.span.end).or(gestures.last().map(|g| g.span.end)).unwrap_or(start);
                Ok(Statement::Never(Never { gestures, condition: None, reason, span: Span { start, end } }))
            }
            _ => self.grant().map(Statement::Grant),
        }
    }

    /// `grant_stmt = { !top_keyword ~ name ~ kw_may ~ alternative ~ (grant_or ~ alternative)* }`.
    fn grant(&mut self) -> Parsed<Grant> {
        self.not_top_keyword()?;
        let role = self.name()?;
        self.keyword("may")?;
        let mut alternatives = vec![self.alternative()?];
        while let Some(alternative) = self.attempt(|p| {
            p.cur.skip();
            p.cur.nl();
            p.keyword("or")?;
            p.alternative()
        })? {
            alternatives.push(alternative);
        }
        let end = alternatives.last().map_or(role.span.end, |a| a.span.end);
        Ok(Grant { span: Span { start: role.span.start, end }, role, alternatives })
    }

    /// `alternative = { name ~ item_desc? ~ (kw_up ~ kw_to ~ amount)? }`.
    fn alternative(&mut self) -> Parsed<Alternative> {
        let (gesture, item) = self.gesture_and_item()?;
        let up_to = self.amount_after(&["up", "to"])?;
        let end = last_end(&[up_to.as_ref().map(|u| u.span), item.as_ref().map(|i| i.span)], gesture.span);
        Ok(Alternative { span: Span { start: gesture.span.start, end }, gesture, item, up_to })
    }

    /// `name ~ item_desc?`, where `item_desc = { string | item_words }`.
    fn gesture_and_item(&mut self) -> Parsed<(Ident, Option<Text>)> {
        let gesture = self.name()?;
        self.cur.skip();
        let item = match self.attempt(Self::string)? {
            Some(text) => Some(text),
            // Item words with a reserved or condition word are refused (`E0010`): pest reports it.
            None => match self.cur.item_words() {
                Some(words) if scan::misleading_item_word(&words.value).is_some() => return Err(Stop::GiveUp),
                words => words,
            },
        };
        Ok((gesture, item))
    }

    /// `(KEYWORD... ~ amount)?`: `of $10`, `in 3 days`, `up to $50`.
    fn amount_after(&mut self, keywords: &[&str]) -> Parsed<Option<Expr>> {
        self.attempt(|p| {
            keywords.iter().try_for_each(|keyword| p.keyword(keyword).map(|_| ()))?;
            p.amount()
        })
    }

    /// `because = { nl? ~ kw_because ~ string }`.
    fn because(&mut self) -> Parsed<Text> {
        self.cur.skip();
        self.cur.nl();
        self.keyword("because")?;
        self.string()
    }

    /// `gesture_list = { name ~ (comma ~ name)* }`.
    fn gesture_list(&mut self) -> Parsed<Vec<Ident>> {
        self.separated(",", Self::name)
    }

    /// `limit_stmt = { kw_limit ~ gesture_list ~ kw_to ~ amount ~ limit_scope? ~ already_used? ~ end_of_line }`.
    fn limit(&mut self) -> Parsed<Limit> {
        let start = self.keyword("limit")?.start;
        let gestures = self.gesture_list()?;
        self.keyword("to")?;
        let amount = self.amount()?;
        self.cur.skip();
        let scope = self.cur.limit_scope();
        let already_used = self.attempt(|p| {
            p.attempt(|p| p.symbol(","))?;
            p.cur.skip();
            p.cur.nl();
            p.keyword("already")?;
            p.keyword("used")?;
            p.amount()
        })?;
        let end = last_end(&[already_used.as_ref().map(|e| e.span), scope.as_ref().map(|s| s.span)], amount.span);
        Ok(Limit { gestures, amount, scope, already_used, span: Span { start, end } })
    }

    // ---- Tokens, each after the spaces and comment before it ---------------------------

    /// `end_of_line = _{ nl | &EOI }`.
    fn end_of_line(&mut self) -> Parsed<()> {
        self.cur.skip();
        if self.cur.nl() || self.cur.at_end() {
            Ok(())
        } else {
            Err(Stop::NoMatch)
        }
    }

    /// A keyword: the word, not followed by a letter, digit or underscore.
    fn keyword(&mut self, keyword: &str) -> Parsed<Span> {
        self.cur.skip();
        let start = self.cur.pos;
        if self.cur.word() != Some(keyword) {
            return Err(Stop::NoMatch);
        }
        Ok(Span::new(start, self.cur.advance_word()))
    }

    /// Punctuation.
    fn symbol(&mut self, symbol: &str) -> Parsed<Span> {
        self.cur.skip();
        let start = self.cur.pos;
        if !self.cur.eat(symbol) {
            return Err(Stop::NoMatch);
        }
        Ok(Span::new(start, self.cur.pos))
    }

    /// `!top_keyword`.
    fn not_top_keyword(&mut self) -> Parsed<()> {
        self.cur.skip();
        match self.cur.word() {
            Some(word) if is_top_keyword(word) => Err(Stop::NoMatch),
            _ => Ok(()),
        }
    }

    /// `name = @{ !(keyword ~ !ident_char) ~ (ASCII_ALPHA | "_") ~ ident_char* }`.
    fn name(&mut self) -> Parsed<Ident> {
        self.cur.skip();
        let start = self.cur.pos;
        match self.cur.word() {
            Some(word) if !is_keyword(word) => {
                let end = self.cur.advance_word();
                Ok(Ident { name: word.into(), span: Span::new(start, end) })
            }
            _ => Err(Stop::NoMatch),
        }
    }

    /// `path = ${ name ~ ("." ~ segment)* }`.
    fn path(&mut self) -> Parsed<Path> {
        let first = self.name()?;
        // Most paths are `object.fact`, which the segments hold inline.
        let mut segments = Segments::new();
        segments.push(first.name);
        while let Some(segment) = self.cur.dotted_segment() {
            segments.push(segment.into());
        }
        Ok(Path { segments, span: Span::new(first.span.start as usize, self.cur.pos) })
    }

    /// `currency_code = @{ ASCII_ALPHA_UPPER{3} ~ !ident_char }`.
    fn currency_code(&mut self) -> Parsed<Ident> {
        self.cur.skip();
        let start = self.cur.pos;
        let end = self.cur.currency_code_at(start).ok_or(Stop::NoMatch)?;
        self.cur.pos = end;
        Ok(Ident { name: self.cur.text(start, end).into(), span: Span::new(start, end) })
    }

    /// `string = ${ "\"" ~ string_inner ~ "\"" }`, with its escapes resolved.
    fn string(&mut self) -> Parsed<Text> {
        self.cur.skip();
        self.cur.string()
    }

    /// `integer = @{ "-"? ~ ASCII_DIGIT+ ~ !ident_char }`, as an `i64`, with where it ends.
    fn integer(&mut self) -> Parsed<(i64, usize)> {
        self.cur.skip();
        let start = self.cur.pos;
        let end = self.cur.integer_at(start).ok_or(Stop::NoMatch)?;
        self.cur.pos = end;
        // Too large is the AST builder's error (E0003): leave it to pest.
        let value = self.cur.text(start, end).parse::<i64>().map_err(|_| Stop::GiveUp)?;
        Ok((value, end))
    }
}

/// The end of the last present part, or of `first`.
fn last_end(parts: &[Option<Span>], first: Span) -> u32 {
    parts.iter().flatten().next().map_or(first.end, |span| span.end)
}
