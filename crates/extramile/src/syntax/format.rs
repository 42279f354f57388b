//! The canonical formatter: one layout for every policy, comments kept, meaning unchanged.
//!
//! The layout: header lines together, one blank line between top-level items, two spaces
//! for the lines of a section or rule, continuation lines (`and`, `or`, `because`) two
//! spaces deeper. Conditions are broken before each top-level `and`/`or` when they would
//! pass [`MAX_WIDTH`] or when the author broke them, and joined otherwise. Blank lines
//! inside a section are kept (at most one in a row). Comments stay where they were: a
//! comment on its own line stays above what follows it, a comment after code stays at the
//! end of that line, aligned with its neighbours'. Formatting is idempotent and the result parses to the same tree.

mod comments;
mod expr;

pub use comments::{comments, Comment};

use crate::syntax::ast::{self, Expr, FactDecl, GestureDecl, Ident, Item, ParamKind, PolicyFile, Statement, TypeExpr};
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::parser;

/// The width past which the formatter breaks long conditions and reasons.
pub const MAX_WIDTH: usize = 100;

/// Formats a policy source in the canonical layout, or returns its syntax error.
///
/// ```
/// let messy = "policy   \"Demo\"\ncurrency USD\nroles clerk\ngestures\n comp : amount # money back\nrule r\n      when 1+2 >3\n clerk may comp up to  $5\n";
/// let tidy = extramile::syntax::format::format(messy).unwrap();
/// assert_eq!(tidy, "policy \"Demo\"\ncurrency USD\nroles clerk\n\ngestures\n  comp: amount  # money back\n\nrule r\n  when 1 + 2 > 3\n  clerk may comp up to $5\n");
/// assert_eq!(extramile::syntax::format::format(&tidy).unwrap(), tidy);
/// ```
pub fn format(source: &str) -> Result<String, Diagnostic> {
    let file = parser::parse(source)?;
    Ok(format_parsed(source, &file))
}

/// Formats `file`, which must be the parse of `source` (comments are read from `source`).
pub fn format_parsed(source: &str, file: &PolicyFile) -> String {
    let mut printer =
        Printer { source, comments: comments::comments(source, file), next_comment: 0, last_end: 0, out: Vec::new() };
    printer.file(file);
    render(&printer.out, source.len() + source.len() / 8)
}

/// The AST's shape with every span left out: two sources with equal fingerprints mean the
/// same thing. Used to check that formatting preserves meaning.
pub fn fingerprint(file: &PolicyFile) -> String {
    let debug = format!("{:?}", file.items);
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(rest.get(..at).unwrap_or(""));
        out.push_str("Span");
        rest = rest.get(at..).and_then(|tail| tail.find('}').and_then(|close| tail.get(close + 1..))).unwrap_or("");
    }
    out.push_str(rest);
    out
}

struct Printer<'a> {
    source: &'a str,
    comments: Vec<Comment>,
    next_comment: usize,
    /// Source offset just past the last thing printed, for finding blank lines.
    last_end: usize,
    out: Vec<Line>,
}

/// An output line: code, or an own-line comment as code, and a trailing comment.
struct Line {
    code: String,
    trailing: Option<String>,
}

/// Joins the lines, aligning the trailing comments of each run of code lines at the same
/// indentation (a run ends at a blank line, an own-line comment or a change of indentation).
fn render(lines: &[Line], capacity: usize) -> String {
    let indent = |line: &Line| line.code.len() - line.code.trim_start().len();
    let is_code = |line: &Line| !line.code.is_empty() && !line.code.trim_start().starts_with('#');
    let mut out = String::with_capacity(capacity);
    let mut rest = lines;
    while let Some(first) = rest.first() {
        let length = if is_code(first) {
            rest.iter().take_while(|line| is_code(line) && indent(line) == indent(first)).count()
        } else {
            1
        };
        let (run, after) = rest.split_at(length.clamp(1, rest.len()));
        let column = run.iter().filter(|l| l.trailing.is_some()).map(|l| l.code.chars().count()).max().unwrap_or(0);
        for line in run {
            out.push_str(&line.code);
            if let Some(comment) = &line.trailing {
                let pad = column.saturating_sub(line.code.chars().count()).saturating_add(2);
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(comment);
            }
            out.push('\n');
        }
        rest = after;
    }
    out
}

/// Whether an item belongs to the header lines, which are printed together.
fn is_header(item: &Item) -> bool {
    matches!(item, Item::Policy(_) | Item::Currency(_) | Item::Roles(_))
}

impl Printer<'_> {
    fn file(&mut self, file: &PolicyFile) {
        let mut previous: Option<&Item> = None;
        for item in &file.items {
            let start = item_start(item);
            let separate = previous.is_some_and(|prev| !(is_header(prev) && is_header(item)));
            if separate {
                self.blank_line();
            }
            if self.leading_comments(start, "", !separate) && self.blank_before(start) {
                self.blank_line();
            }
            self.item(item);
            previous = Some(item);
        }
        self.leading_comments(self.source.len(), "", false);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Policy(name) => self.line("", &format!("policy {}", expr::quoted(&name.value)), name.span.end),
            Item::Currency(code) => self.line("", &format!("currency {}", code.name), code.span.end),
            Item::Roles(roles) => {
                let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                let end = roles.last().map_or(0, |r| r.span.end);
                self.line("", &format!("roles {}", names.join(" < ")), end);
            }
            Item::Facts(decls, keyword) => {
                self.section("facts", keyword.end, decls, |d| d.span.start as usize, Self::fact);
            }
            Item::Gestures(decls, keyword) => {
                self.section("gestures", keyword.end, decls, |d| d.span.start as usize, Self::gesture);
            }
            Item::Rule(rule) => {
                let title = rule.title.as_ref().map(|t| format!(" {}", expr::quoted(&t.value))).unwrap_or_default();
                let end = rule.title.as_ref().map_or(rule.name.span.end, |t| t.span.end);
                let header = format!("rule {}{title}", rule.name.name);
                self.section(&header, end, &rule.statements, statement_start, Self::statement);
            }
            Item::Never(never) => self.never(never, ""),
            Item::Limit(limit) => self.limit(limit),
            Item::Script(script) => {
                let text = format!("script \"\"\"{}\"\"\"", script.source);
                self.line("", &text, script.span.end);
            }
        }
    }

    /// A header line (ending at source offset `header_end`), then its entries indented, each
    /// with the comments above it, then the indented comments that close it.
    fn section<T>(
        &mut self,
        header: &str,
        header_end: u32,
        entries: &[T],
        start: impl Fn(&T) -> usize,
        print: impl Fn(&mut Self, &T),
    ) {
        self.line("", header, header_end);
        for entry in entries {
            self.entry(start(entry));
            print(self, entry);
        }
        self.indented_trailer();
    }

    /// Starts an indented entry of a section or rule: a blank line if the author left one,
    /// then the comments above it.
    fn entry(&mut self, start: usize) {
        let first = self.comments.get(self.next_comment).filter(|c| c.start < start).map_or(start, |c| c.start);
        if self.blank_before(first) {
            self.blank_line();
        }
        if self.leading_comments(start, "  ", false) && self.blank_before(start) {
            self.blank_line();
        }
    }

    fn fact(&mut self, decl: &FactDecl) {
        let mut text = format!("{}: {}", decl.path.dotted(), type_expr(&decl.ty));
        if let Some(default) = &decl.default {
            text.push_str(&format!(", default {}", expr::expr(default, expr::ANY)));
        }
        let end = decl.default.as_ref().map_or(decl.ty.span().end, |d| d.span.end);
        self.line("  ", &text, end);
    }

    fn gesture(&mut self, decl: &GestureDecl) {
        let (text, end) = match decl.kind {
            Some((kind, span)) => {
                let word = match kind {
                    ParamKind::Amount => "amount",
                    ParamKind::Item => "item",
                    ParamKind::Due => "due",
                };
                (format!("{}: {word}", decl.name.name), span.end)
            }
            None => (decl.name.name.to_string(), decl.name.span.end),
        };
        self.line("  ", &text, end);
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Priority(value, span) => self.line("  ", &format!("priority {value}"), span.end),
            Statement::When(condition) => {
                let lines = condition_lines(self.source, "  ", "when ", condition);
                self.lines("  ", lines, condition.span.end);
            }
            Statement::Grant(grant) => {
                let alternatives: Vec<String> = grant.alternatives.iter().map(alternative).collect();
                let text = format!("{} may {}", grant.role.name, alternatives.join(" or "));
                let broken = self.source.get(grant.span.range()).is_some_and(|text| text.contains('\n'));
                if alternatives.len() > 1 && (broken || !fits("  ", &text)) {
                    let lines = alternatives
                        .iter()
                        .enumerate()
                        .map(|(index, alt)| match index {
                            0 => format!("{} may {alt}", grant.role.name),
                            _ => format!("  or {alt}"),
                        })
                        .collect();
                    self.lines("  ", lines, grant.span.end);
                } else {
                    self.line("  ", &text, grant.span.end);
                }
            }
            Statement::Owe(owe) => {
                let mut text = format!("owe {}", gesture_and_item(&owe.gesture, owe.item.as_ref()));
                if let Some(amount) = &owe.amount {
                    text.push_str(&format!(" of {}", expr::expr(amount, expr::AMOUNT)));
                }
                self.line("  ", &text, owe.span.end);
            }
            Statement::Recommend(rec) => {
                let mut text = format!("recommend {}", gesture_and_item(&rec.gesture, rec.item.as_ref()));
                if let Some(amount) = &rec.amount {
                    text.push_str(&format!(" of {}", expr::expr(amount, expr::AMOUNT)));
                }
                if let Some(due) = &rec.due_in {
                    text.push_str(&format!(" in {}", expr::expr(due, expr::AMOUNT)));
                }
                self.line("  ", &text, rec.span.end);
            }
            Statement::Escalate(escalate) => {
                let lines = with_reason("  ", vec![format!("escalate to {}", escalate.role.name)], &escalate.reason);
                self.lines("  ", lines, escalate.span.end);
            }
            Statement::Never(never) => self.never(never, "  "),
        }
    }

    fn never(&mut self, never: &ast::Never, indent: &str) {
        let gestures: Vec<&str> = never.gestures.iter().map(|g| g.name.as_str()).collect();
        let head = format!("never {}", gestures.join(", "));
        let lines = match &never.condition {
            Some(condition) => condition_lines(self.source, indent, &format!("{head} when "), condition),
            None => vec![head],
        };
        let end = never.reason.as_ref().map(|r| r.span.end).or(never.condition.as_ref().map(|c| c.span.end));
        let end = end.or(never.gestures.last().map(|g| g.span.end)).unwrap_or(never.span.end);
        self.lines(indent, with_reason(indent, lines, &never.reason), end);
    }

    fn limit(&mut self, limit: &ast::Limit) {
        let gestures: Vec<&str> = limit.gestures.iter().map(|g| g.name.as_str()).collect();
        let mut head = format!("limit {} to {}", gestures.join(", "), expr::expr(&limit.amount, expr::AMOUNT));
        if let Some(scope) = &limit.scope {
            head.push(' ');
            head.push_str(&scope.value);
        }
        let mut lines = vec![];
        match &limit.already_used {
            Some(used) => {
                let used = format!("already used {}", expr::expr(used, expr::AMOUNT));
                let one_line = format!("{head}, {used}");
                if fits("", &one_line) {
                    lines.push(one_line);
                } else {
                    lines.push(format!("{head},"));
                    lines.push(format!("  {used}"));
                }
            }
            None => lines.push(head),
        }
        self.lines("", lines, limit.span.end);
    }

    /// Prints one line of code ending at source offset `end`, with its trailing comment.
    fn line(&mut self, indent: &str, text: &str, end: u32) {
        self.lines(indent, vec![text.to_string()], end);
    }

    /// Prints code lines (continuations already indented relative to `indent`) that end at
    /// source offset `end`; comments inside them go above, a comment after them stays after.
    fn lines(&mut self, indent: &str, lines: Vec<String>, end: u32) {
        let end = end as usize;
        self.leading_comments(end, indent, false);
        for line in lines {
            self.out.push(Line { code: format!("{indent}{line}"), trailing: None });
        }
        self.last_end = end;
        let trailing = self.comments.get(self.next_comment).filter(|c| !c.own_line && self.same_line(end, c.start));
        if let Some(comment) = trailing {
            self.last_end = comment.start + comment.text.len();
            if let Some(last) = self.out.last_mut() {
                last.trailing = Some(comment.text.clone());
            }
            self.next_comment += 1;
        }
    }

    /// Prints, at `indent`, every comment that starts before `before`, keeping single blank
    /// lines between them (and before the first, unless `first_tight`). Returns whether it
    /// printed any.
    fn leading_comments(&mut self, before: usize, indent: &str, first_tight: bool) -> bool {
        let mut first = true;
        while let Some(comment) = self.comments.get(self.next_comment).filter(|c| c.start < before).cloned() {
            if !(first && first_tight) && self.blank_before(comment.start) {
                self.blank_line();
            }
            first = false;
            self.comment_line(indent, &comment);
        }
        !first
    }

    /// After a section or rule: indented comments that follow it directly belong to it.
    fn indented_trailer(&mut self) {
        while let Some(comment) = self.comments.get(self.next_comment).filter(|c| c.indented).cloned() {
            if self.blank_before(comment.start) {
                break;
            }
            self.comment_line("  ", &comment);
        }
    }

    fn comment_line(&mut self, indent: &str, comment: &Comment) {
        self.out.push(Line { code: format!("{indent}{}", comment.text), trailing: None });
        self.last_end = comment.start + comment.text.len();
        self.next_comment += 1;
    }

    /// Whether the source has a blank line between the last thing printed and `at`.
    fn blank_before(&self, at: usize) -> bool {
        let gap = self.source.get(self.last_end.min(at)..at).unwrap_or("");
        gap.split('\n').skip(1).take(gap.matches('\n').count().saturating_sub(1)).any(|line| line.trim().is_empty())
    }

    fn same_line(&self, from: usize, to: usize) -> bool {
        self.source.get(from..to).is_some_and(|gap| !gap.contains(['\n', '\r']))
    }

    fn blank_line(&mut self) {
        if self.out.last().is_some_and(|line| !line.code.is_empty()) {
            self.out.push(Line { code: String::new(), trailing: None });
        }
    }
}

/// Where an item's first token starts.
fn item_start(item: &Item) -> usize {
    let start = match item {
        Item::Policy(text) => text.span.start,
        Item::Currency(code) => code.span.start,
        Item::Roles(roles) => roles.first().map_or(0, |r| r.span.start),
        Item::Facts(_, keyword) | Item::Gestures(_, keyword) => keyword.start,
        Item::Rule(rule) => rule.span.start,
        Item::Never(never) => never.span.start,
        Item::Limit(limit) => limit.span.start,
        Item::Script(script) => script.span.start,
    };
    start as usize
}

fn statement_start(statement: &Statement) -> usize {
    // A `when` starts at its condition: comments above the statement come before it.
    statement.span().start as usize
}

fn fits(indent: &str, line: &str) -> bool {
    indent.len() + line.chars().count() <= MAX_WIDTH
}

/// `head` followed by a condition, broken before each top-level `and`/`or` when too long
/// or when the author broke it over lines (`source` is the whole policy).
fn condition_lines(source: &str, indent: &str, head: &str, condition: &Expr) -> Vec<String> {
    let one_line = format!("{head}{}", expr::expr(condition, expr::ANY));
    let broken = source.get(condition.span.range()).is_some_and(|text| text.contains('\n'));
    match expr::chain(condition) {
        Some((op, operands)) if broken || !fits(indent, &one_line) => {
            let mut lines = Vec::with_capacity(operands.len());
            let mut operands = operands.into_iter();
            lines.push(format!("{head}{}", operands.next().unwrap_or_default()));
            lines.extend(operands.map(|operand| format!("  {} {operand}", op.symbol())));
            lines
        }
        _ => vec![one_line],
    }
}

/// Appends `because "..."` to a single line, or puts it on a line of its own after a broken
/// condition or when the line would be too long.
fn with_reason(indent: &str, mut lines: Vec<String>, reason: &Option<ast::Text>) -> Vec<String> {
    let Some(reason) = reason else { return lines };
    let because = format!("because {}", expr::quoted(&reason.value));
    let count = lines.len();
    match lines.last_mut() {
        Some(last) if count == 1 && fits(indent, &format!("{last} {because}")) => {
            last.push(' ');
            last.push_str(&because);
        }
        _ => lines.push(format!("  {because}")),
    }
    lines
}

fn alternative(alt: &ast::Alternative) -> String {
    let mut text = gesture_and_item(&alt.gesture, alt.item.as_ref());
    if let Some(amount) = &alt.up_to {
        text.push_str(&format!(" up to {}", expr::expr(amount, expr::AMOUNT)));
    }
    text
}

fn gesture_and_item(gesture: &Ident, item: Option<&ast::Text>) -> String {
    match item {
        Some(item) => format!("{} {}", gesture.name, expr::item(&item.value)),
        None => gesture.name.to_string(),
    }
}

fn type_expr(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Text(_) => "text".into(),
        TypeExpr::Number(_) => "number".into(),
        TypeExpr::Money(_) => "money".into(),
        TypeExpr::Boolean(_) => "boolean".into(),
        TypeExpr::Date(_) => "date".into(),
        TypeExpr::Time(_) => "time".into(),
        TypeExpr::Duration(_) => "duration".into(),
        TypeExpr::List(element, _) => format!("list of {}", type_expr(element)),
        TypeExpr::OneOf(values, _) => {
            let values: Vec<String> = values.iter().map(|v| expr::quoted(&v.value)).collect();
            format!("one of {}", values.join(", "))
        }
    }
}
