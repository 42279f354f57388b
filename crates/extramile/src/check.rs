//! The checker: resolves names, checks types and lowers the AST to the IR, collecting every
//! diagnostic in one pass instead of stopping at the first.

mod analysis;
mod expr;

use crate::decision::TraceTexts;
use crate::eval::facts::FactLimits;
use crate::ir::{self, FactSlot, Gesture, Program};
use crate::money::Currency;
use crate::name::Name;
use crate::script::{ScriptLimits, Scripts};
use crate::syntax::ast::{self, Item, ParamKind, Statement};
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::span::{SourceMap, Span};
use crate::value::{Ty, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct Checker<'a> {
    source: &'a str,
    source_map: SourceMap,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) currency: Option<Currency>,
    roles: Vec<Name>,
    role_spans: Vec<Span>,
    pub(crate) facts: Vec<FactSlot>,
    pub(crate) slots: HashMap<String, usize>,
    role_index: HashMap<Name, usize>,
    gesture_index: HashMap<Name, usize>,
    /// How many more `did you mean` searches this check may run: each compares a word with
    /// every candidate, so a hostile policy of many unknown names would take quadratic time.
    suggestions_left: std::cell::Cell<usize>,
    /// Every proper prefix of a declared path (`order` for `order.total`), with a fact under it.
    fact_prefixes: HashMap<String, usize>,
    gestures: Vec<Gesture>,
    gesture_spans: Vec<Span>,
    pub(crate) scripts: Scripts,
    /// Each lowered rule's name and conditions as written, for traces to quote.
    trace_texts: TraceTexts,
    /// Whether a bound is being lowered (money inside it folds exact: `lower_bound`).
    pub(crate) in_bound: bool,
}

/// Checks `file` (parsed from `source`); returns the program if there were no errors, and
/// every diagnostic (warnings too) either way.
pub fn check(
    file: &ast::PolicyFile,
    source: &str,
    limits: ScriptLimits,
    fact_limits: FactLimits,
) -> (Option<Program>, Vec<Diagnostic>) {
    let blocks: Vec<(&str, Span)> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Script(s) => Some((s.source.as_str(), s.body_span)),
            _ => None,
        })
        .collect();
    let (scripts, mut script_diagnostics) = Scripts::compile(&blocks, source, limits);
    script_diagnostics.extend(shadowed_builtins(&scripts, &blocks));
    // The tables are sized from the declarations, so that they are not rehashed as they fill.
    let (mut n_facts, mut n_gestures, mut n_rules) = (0, 0, 0);
    for item in &file.items {
        match item {
            Item::Facts(facts, _) => n_facts += facts.len(),
            Item::Gestures(gestures, _) => n_gestures += gestures.len(),
            Item::Rule(_) => n_rules += 1,
            _ => {}
        }
    }
    let mut checker = Checker {
        source,
        source_map: SourceMap::new(source),
        diagnostics: script_diagnostics,
        currency: None,
        roles: Vec::new(),
        role_spans: Vec::new(),
        facts: Vec::new(),
        slots: HashMap::with_capacity(n_facts),
        role_index: HashMap::new(),
        gesture_index: HashMap::with_capacity(n_gestures),
        suggestions_left: std::cell::Cell::new(MAX_SUGGESTIONS),
        fact_prefixes: HashMap::with_capacity(n_facts),
        gestures: Vec::new(),
        gesture_spans: Vec::new(),
        scripts,
        trace_texts: TraceTexts::default(),
        in_bound: false,
    };
    let name = checker.declarations(file);
    let mut rules = Vec::with_capacity(n_rules);
    let mut forbids = Vec::new();
    let mut limits_ir = Vec::new();
    let mut rule_names: HashMap<Name, Span> = HashMap::with_capacity(n_rules);
    let mut previous_rule: Option<&ast::Rule> = None;
    for item in &file.items {
        if let (Item::Never(never), Some(rule)) = (item, previous_rule) {
            checker.warn_indented_never(never, rule);
        }
        previous_rule = if let Item::Rule(rule) = item { Some(rule) } else { None };
        match item {
            Item::Rule(rule) => {
                if let Some(first) = rule_names.get(&rule.name.name) {
                    checker.diagnostics.push(
                        Diagnostic::error(
                            "E0107",
                            format!("rule `{}` is defined twice", rule.name.name),
                            rule.name.span,
                        )
                        .with_label(*first, "first defined here")
                        .with_help("give each rule its own name: the decision names rules"),
                    );
                } else {
                    rule_names.insert(rule.name.name.clone(), rule.name.span);
                }
                if let Some(lowered) = checker.lower_rule(rule) {
                    // The trace quotes the deciding condition as written: collapse it once,
                    // here, next to the rule, so that the texts and the rules keep one order.
                    let clauses = lowered.conditions.iter().map(|c| {
                        checker.source.get(c.expr.span.range()).map_or_else(Name::default, collapse_whitespace)
                    });
                    checker.trace_texts.push_rule(lowered.name.clone(), clauses);
                    rules.push(lowered);
                }
            }
            Item::Never(never) => {
                let name = format!("never@{}", checker.line(never.span));
                forbids.push(checker.lower_never(never, name.into()));
            }
            Item::Limit(limit) => limits_ir.push(checker.lower_limit(limit)),
            _ => {}
        }
    }
    checker.warn_unreachable(&rules);
    checker.warn_recommended_above_limits(&rules, &limits_ir);
    let has_errors = checker.diagnostics.iter().any(Diagnostic::is_error);
    let Checker { diagnostics, currency, roles, facts, gestures, scripts, source_map, trace_texts, .. } = checker;
    let program = match (has_errors, currency) {
        (false, Some(currency)) => {
            let index = analysis::build_index(&rules, &facts);
            let rule_effects = crate::ir::RuleEffects::of(&rules);
            Some(Program {
                name: name.into(),
                currency,
                currency_code: Name::from(currency.code),
                roles,
                fact_tree: crate::eval::tree::FactTree::new(&facts),
                facts,
                gestures,
                rules,
                forbids,
                limits: limits_ir,
                index,
                scripts,
                fact_limits,
                source_lines: source_map,
                source: Arc::from(source),
                trace_texts: Arc::new(trace_texts),
                rule_effects,
            })
        }
        _ => None,
    };
    (program, diagnostics)
}

/// `text` with each run of whitespace (line breaks and indentation included) as one space,
/// and none at the ends: copied as it is when it is already so, as most conditions are.
fn collapse_whitespace(text: &str) -> Name {
    let mut previous_space = true;
    let already = if text.is_ascii() {
        // Byte by byte: the whitespace `char::is_whitespace` knows among ASCII bytes.
        text.bytes().all(|b| {
            let space = matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
            let fine = !space || (b == b' ' && !previous_space);
            previous_space = space;
            fine
        })
    } else {
        text.chars().all(|c| {
            let fine = !c.is_whitespace() || (c == ' ' && !previous_space);
            previous_space = c.is_whitespace();
            fine
        })
    } && !previous_space;
    if already || text.is_empty() {
        Name::from(text)
    } else {
        Name::from(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// How many `did you mean` searches one check runs at most.
const MAX_SUGGESTIONS: usize = 100;

pub(crate) use crate::syntax::suggest::closest;

/// `E0118` for each script function named like a built-in function (`min`, `max`, `round`,
/// `abs`): a call by that name always runs the built-in, so the script function would never
/// run. Points at its definition in the `script` blocks (`blocks`: each one's text and span).
fn shadowed_builtins(scripts: &Scripts, blocks: &[(&str, Span)]) -> Vec<Diagnostic> {
    let mut named: Vec<&str> =
        scripts.functions().iter().map(|f| f.name.as_str()).filter(|name| expr::BUILTINS.contains(name)).collect();
    named.sort_unstable();
    named.dedup();
    named
        .into_iter()
        .map(|name| {
            let span = blocks
                .iter()
                .find_map(|(text, body)| {
                    let at = definition_of(text, name)?;
                    let start = body.start.checked_add(u32::try_from(at).ok()?)?;
                    Some(Span { start, end: start.checked_add(u32::try_from(name.len()).ok()?)? })
                })
                .or_else(|| blocks.first().map(|(_, body)| *body))
                .unwrap_or_default();
            Diagnostic::error(
                "E0118",
                format!("script function `{name}` has the name of a built-in function: calls to `{name}` run the built-in, never this function"),
                span,
            )
            .with_help(format!("rename the script function and its calls, such as `my_{name}`"))
        })
        .collect()
}

/// Where the name of the script function `name` is in its definition (`fn name(`, not in a
/// `//` comment) in `text`.
fn definition_of(text: &str, name: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = text.get(..at).unwrap_or("");
        let after = text.get(at.saturating_add(name.len())..).unwrap_or("");
        let line = before.rsplit('\n').next().unwrap_or("");
        let keyword = before.trim_end();
        keyword.len() < before.len()
            && keyword.strip_suffix("fn").is_some_and(|rest| !rest.ends_with(is_word))
            && !line.contains("//")
            && after.trim_start().starts_with('(')
    })
}

impl Checker<'_> {
    /// [`closest`], within this check's budget of suggestions.
    pub(crate) fn closest<'c>(&self, word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
        let left = self.suggestions_left.get();
        self.suggestions_left.set(left.saturating_sub(1));
        if left == 0 {
            return None;
        }
        closest(word, candidates)
    }

    pub(crate) fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.diagnostics.push(Diagnostic::error(code, message, span));
    }

    /// A `never ... when` indented under a rule reads as part of the rule, but it ends the
    /// rule and applies to every incident: say so.
    fn warn_indented_never(&mut self, never: &ast::Never, rule: &ast::Rule) {
        let column = self.source_map.line_column(self.source, never.span.start).column;
        if column > 1 {
            let keyword = Span { start: never.span.start, end: never.span.start.saturating_add(5) };
            self.diagnostics.push(
                Diagnostic::warning(
                    "W0204",
                    format!(
                        "this `never ... when` is not part of rule `{}`: it applies to every incident",
                        rule.name.name
                    ),
                    keyword,
                )
                .with_label(rule.name.span, "the rule ends before it")
                .with_help(
                    "inside a rule write `never GESTURE because \"...\"` (the rule's conditions apply); \
                     a top-level `never ... when` starts at the beginning of its line",
                ),
            );
        }
    }

    pub(crate) fn line(&self, span: Span) -> u32 {
        self.source_map.line_column(self.source, span.start).line
    }

    /// Header, facts, gestures; returns the policy's name.
    fn declarations(&mut self, file: &ast::PolicyFile) -> String {
        let mut name: Option<&ast::Text> = None;
        let mut currency_seen: Option<Span> = None;
        let mut roles_seen: Option<Span> = None;
        for item in &file.items {
            match item {
                Item::Policy(text) => match name {
                    Some(first) => self.duplicate("the policy name", text.span, first.span),
                    None => name = Some(text),
                },
                Item::Currency(code) => {
                    if let Some(first) = currency_seen {
                        self.duplicate("the currency", code.span, first);
                        continue;
                    }
                    currency_seen = Some(code.span);
                    match Currency::from_code(&code.name) {
                        Some(c) => self.currency = Some(c),
                        None => {
                            let codes = Currency::all().iter().map(|c| c.code);
                            let mut d =
                                Diagnostic::error("E0115", format!("unknown currency `{}`", code.name), code.span);
                            if let Some(best) = closest(&code.name, codes) {
                                d = d.with_help(format!("did you mean `{best}`?"));
                            }
                            self.diagnostics.push(d);
                        }
                    }
                }
                Item::Roles(roles) => {
                    let span = roles
                        .first()
                        .map_or(Span::default(), |r| r.span)
                        .to(roles.last().map_or(Span::default(), |r| r.span));
                    if let Some(first) = roles_seen {
                        self.duplicate("the role ladder", span, first);
                        continue;
                    }
                    roles_seen = Some(span);
                    for role in roles {
                        if let Some(&idx) = self.role_index.get(&role.name) {
                            let first = self.role_spans.get(idx).copied().unwrap_or_default();
                            self.duplicate(&format!("role `{}`", role.name), role.span, first);
                        } else {
                            self.role_index.insert(role.name.clone(), self.roles.len());
                            self.roles.push(role.name.clone());
                            self.role_spans.push(role.span);
                        }
                    }
                }
                Item::Facts(decls, _) => {
                    for decl in decls {
                        self.declare_fact(decl);
                    }
                }
                Item::Gestures(decls, _) => {
                    for decl in decls {
                        if let Some(&idx) = self.gesture_index.get(&decl.name.name) {
                            let first = self.gesture_spans.get(idx).copied().unwrap_or_default();
                            self.duplicate(&format!("gesture `{}`", decl.name.name), decl.name.span, first);
                        } else {
                            self.gesture_index.insert(decl.name.name.clone(), self.gestures.len());
                            self.gestures
                                .push(Gesture { name: decl.name.name.clone(), kind: decl.kind.map(|(k, _)| k) });
                            self.gesture_spans.push(decl.name.span);
                        }
                    }
                }
                _ => {}
            }
        }
        let start = Span { start: 0, end: 0 };
        if currency_seen.is_none() {
            self.diagnostics.push(
                Diagnostic::error("E0114", "the policy does not say its currency", start)
                    .with_help("add a line such as `currency USD`"),
            );
        }
        if roles_seen.is_none() {
            self.diagnostics.push(
                Diagnostic::error("E0114", "the policy does not list its roles", start)
                    .with_help("add a line such as `roles associate < supervisor < manager`"),
            );
        }
        name.map_or_else(|| "untitled policy".to_string(), |t| t.value.to_string())
    }

    fn duplicate(&mut self, what: &str, span: Span, first: Span) {
        self.diagnostics.push(
            Diagnostic::error("E0113", format!("{what} is declared twice"), span)
                .with_label(first, "first declared here"),
        );
    }

    fn declare_fact(&mut self, decl: &ast::FactDecl) {
        let path = decl.path.dotted();
        if let Some(&idx) = self.slots.get(&path) {
            let first = self.facts.get(idx).map_or_else(|| path.clone(), |fact| fact.path.to_string());
            self.diagnostics.push(Diagnostic::error(
                "E0113",
                format!("fact `{first}` is declared twice"),
                decl.path.span,
            ));
            return;
        }
        // A fact cannot be both a value and an object holding other facts. (Looked up by
        // prefix, not by comparing with every fact: a policy may declare thousands.)
        let prefixes: Vec<usize> = path.match_indices('.').map(|(i, _)| i).collect();
        let holder = prefixes.iter().find_map(|&i| path.get(..i).and_then(|p| self.slots.get(p)));
        let nested = holder.or_else(|| self.fact_prefixes.get(&path));
        if let Some(other) = nested.and_then(|&idx| self.facts.get(idx)) {
            let message = format!("fact `{path}` overlaps fact `{}`: one cannot hold the other", other.path);
            self.error("E0113", message, decl.path.span);
            return;
        }
        let (ty, one_of) = self.fact_type(&decl.ty);
        let default = decl.default.as_ref().and_then(|d| {
            let lowered = self.lower_expected(d, &ty, "the default");
            match lowered.kind {
                ir::ExprKind::Const(value) => Some(value),
                _ => {
                    self.error("E0104", "a default must be a fixed value, not computed from facts", d.span);
                    None
                }
            }
        });
        if let (Some(allowed), Some(Value::Text(text))) = (&one_of, &default) {
            if !allowed.iter().any(|a| a.as_str() == &**text) {
                self.error("E0116", format!("the default \"{text}\" is not one of the allowed values"), decl.span);
            }
        }
        for i in prefixes {
            if let Some(prefix) = path.get(..i) {
                self.fact_prefixes.entry(prefix.to_string()).or_insert(self.facts.len());
            }
        }
        self.slots.insert(path.clone(), self.facts.len());
        let mut one_of_sorted: Vec<Arc<str>> = match (&ty, &one_of) {
            (Ty::Text, Some(values)) => values.iter().map(|v| Arc::from(v.as_str())).collect(),
            _ => Vec::new(),
        };
        one_of_sorted.sort_unstable();
        self.facts.push(FactSlot {
            one_of_json: std::sync::OnceLock::new(),
            segments: decl.path.segments.to_vec(),
            path: path.into(),
            ty,
            one_of,
            one_of_sorted,
            default,
        });
    }

    fn fact_type(&mut self, ty: &ast::TypeExpr) -> (Ty, Option<Vec<Name>>) {
        match ty {
            ast::TypeExpr::Text(_) => (Ty::Text, None),
            ast::TypeExpr::Number(_) => (Ty::Number, None),
            ast::TypeExpr::Money(_) => (Ty::Money, None),
            ast::TypeExpr::Boolean(_) => (Ty::Bool, None),
            ast::TypeExpr::Date(_) => (Ty::Date, None),
            ast::TypeExpr::Time(_) => (Ty::Time, None),
            ast::TypeExpr::Duration(_) => (Ty::Duration, None),
            ast::TypeExpr::List(elem, _) => {
                let (elem_ty, one_of) = self.fact_type(elem);
                (Ty::List(Box::new(elem_ty)), one_of)
            }
            ast::TypeExpr::OneOf(values, _) => {
                // Repeats are found by sorting, not by comparing each value with every
                // earlier one: a list of many values must not make loading quadratic.
                // Sorted by value, then position: of equal values, every one after the first
                // is a repeat.
                let mut order: Vec<(&Name, usize)> = values.iter().map(|v| &v.value).zip(0..).collect();
                order.sort_unstable();
                let mut repeated = vec![false; values.len()];
                for pair in order.windows(2) {
                    if let [(first, _), (next, at)] = pair {
                        if first == next {
                            if let Some(flag) = repeated.get_mut(*at) {
                                *flag = true;
                            }
                        }
                    }
                }
                let mut kept = Vec::with_capacity(values.len());
                for (value, repeated) in values.iter().zip(repeated) {
                    if repeated {
                        self.error("E0113", format!("\"{}\" is listed twice", value.value), value.span);
                    } else {
                        kept.push(value.value.clone());
                    }
                }
                (Ty::Text, Some(kept))
            }
        }
    }

    pub(crate) fn unknown_fact(&mut self, path: &str, span: Span) {
        let mut d = Diagnostic::error("E0101", format!("unknown fact `{path}`"), span);
        let child = self.fact_prefixes.get(path).and_then(|&idx| self.facts.get(idx));
        // A bare word that is a value of a `one of` fact is that text, unquoted.
        let one_of = (!path.contains('.'))
            .then(|| self.facts.iter().find(|f| f.one_of_sorted.iter().any(|value| &**value == path)))
            .flatten();
        if let Some(fact) = one_of {
            d = d.with_help(format!("`{path}` is a value of `{}`: texts are quoted, as in `\"{path}\"`", fact.path));
        } else if let Some(best) = self.closest(path, self.facts.iter().map(|f| f.path.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else if let Some(child) = child {
            d = d.with_help(format!("`{path}` holds other facts; did you mean `{}`?", child.path));
        } else {
            d = d.with_help("declare it under `facts`, such as `order.total: money`");
        }
        self.diagnostics.push(d);
    }

    fn role(&mut self, ident: &ast::Ident) -> Option<usize> {
        if let Some(&idx) = self.role_index.get(&ident.name) {
            return Some(idx);
        }
        let mut d = Diagnostic::error("E0102", format!("unknown role `{}`", ident.name), ident.span);
        if let Some(best) = self.closest(&ident.name, self.roles.iter().map(Name::as_str)) {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else if !self.roles.is_empty() && self.roles.len() <= 20 {
            d = d.with_help(format!("the roles are {}", self.roles.join(" < ")));
        }
        if let Some(first) = self.role_spans.first() {
            d = d.with_label(*first, "roles are declared here");
        }
        self.diagnostics.push(d);
        None
    }

    fn gesture(&mut self, ident: &ast::Ident) -> Option<usize> {
        if let Some(&idx) = self.gesture_index.get(&ident.name) {
            return Some(idx);
        }
        let mut d = Diagnostic::error("E0103", format!("unknown gesture `{}`", ident.name), ident.span);
        if let Some(best) = self.closest(&ident.name, self.gestures.iter().map(|g| g.name.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else {
            d = d.with_help(format!("declare it under `gestures`, such as `{}: amount`", ident.name));
        }
        self.diagnostics.push(d);
        None
    }

    fn gesture_kind(&self, gesture: usize) -> Option<ParamKind> {
        self.gestures.get(gesture).and_then(|g| g.kind)
    }

    fn kind_mismatch(&mut self, gesture: usize, what: &str, span: Span) {
        let name = self.gestures.get(gesture).map_or("?", |g| g.name.as_str()).to_string();
        let takes = match self.gesture_kind(gesture) {
            Some(ParamKind::Amount) => "an amount",
            Some(ParamKind::Item) => "an item",
            Some(ParamKind::Due) => "a due time",
            None => "nothing",
        };
        self.diagnostics.push(
            Diagnostic::error("E0106", format!("gesture `{name}` takes {takes}, so it cannot have {what}"), span)
                .with_help(format!("declare it as `{name}: amount` under `gestures` if it should")),
        );
    }

    fn lower_rule(&mut self, rule: &ast::Rule) -> Option<ir::Rule> {
        let count = |is: fn(&Statement) -> bool| rule.statements.iter().filter(|s| is(s)).count();
        let (whens, grants) = (count(|s| matches!(s, Statement::When(_))), count(|s| matches!(s, Statement::Grant(_))));
        let mut lowered = ir::Rule {
            name: rule.name.name.clone(),
            title: rule.title.as_ref().map(|t| t.value.to_string()),
            priority: 0,
            // A `when` line is often one condition, sometimes a few joined by `and`.
            conditions: Vec::with_capacity(whens * 2),
            line: self.source_map.line_column(self.source, rule.span.start).line,
            grants: Vec::with_capacity(grants),
            owes: Vec::new(),
            recommends: Vec::new(),
            escalations: Vec::new(),
            forbids: Vec::new(),
            span: rule.span,
        };
        let mut priority_seen: Option<Span> = None;
        let mut effects = 0usize;
        for statement in &rule.statements {
            match statement {
                Statement::Priority(value, span) => {
                    if let Some(first) = priority_seen {
                        self.duplicate("the priority", *span, first);
                    }
                    priority_seen = Some(*span);
                    lowered.priority = *value;
                }
                Statement::When(condition) => {
                    let expr = self.lower_expected(condition, &Ty::Bool, "a condition");
                    split_and(expr, &mut lowered.conditions);
                }
                Statement::Grant(grant) => {
                    effects += 1;
                    if let Some(g) = self.lower_grant(grant) {
                        lowered.grants.push(g);
                    }
                }
                Statement::Owe(owe) => {
                    effects += 1;
                    if let Some(o) = self.lower_owe(owe) {
                        lowered.owes.push(o);
                    }
                }
                Statement::Recommend(rec) => {
                    effects += 1;
                    if let Some(r) = self.lower_recommend(rec) {
                        lowered.recommends.push(r);
                    }
                }
                Statement::Escalate(esc) => {
                    effects += 1;
                    if let Some(role) = self.role(&esc.role) {
                        lowered
                            .escalations
                            .push(ir::Escalate { role, reason: esc.reason.as_ref().map(|r| r.value.clone()) });
                    }
                }
                Statement::Never(never) => {
                    effects += 1;
                    let forbid = self.lower_never(never, rule.name.name.clone());
                    lowered.forbids.push(forbid);
                }
            }
        }
        if effects == 0 {
            self.diagnostics.push(
                Diagnostic::warning("W0203", format!("rule `{}` does nothing", rule.name.name), rule.name.span)
                    .with_help("add a grant, `owe`, `recommend`, `escalate` or `never` line"),
            );
        }
        Some(lowered)
    }

    fn lower_grant(&mut self, grant: &ast::Grant) -> Option<ir::Grant> {
        let role = self.role(&grant.role);
        let mut alternatives = Vec::new();
        for alt in &grant.alternatives {
            let Some(gesture) = self.gesture(&alt.gesture) else { continue };
            let kind = self.gesture_kind(gesture);
            let up_to = match &alt.up_to {
                Some(amount) if kind == Some(ParamKind::Amount) => {
                    let bound = self.lower_bound(amount, "an `up to` amount");
                    self.refuse_negative(&bound, "an `up to` amount");
                    Some(ir::Amount::new(bound))
                }
                Some(amount) => {
                    self.kind_mismatch(gesture, "an `up to` amount", amount.span);
                    None
                }
                None => {
                    if kind == Some(ParamKind::Amount) {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                "W0202",
                                format!("`{}` is granted with no upper bound", alt.gesture.name),
                                alt.span,
                            )
                            .with_help(format!(
                                "add `up to` an amount, such as `{} up to {}`",
                                alt.gesture.name,
                                self.money_example("50")
                            )),
                        );
                    }
                    None
                }
            };
            if let (Some(item), None) = (&alt.item, kind) {
                self.kind_mismatch(gesture, "an item", item.span);
            }
            alternatives.push(ir::Alternative { gesture, item: alt.item.as_ref().map(|t| t.value.clone()), up_to });
        }
        Some(ir::Grant { role: role?, alternatives, span: grant.span })
    }

    fn lower_owe(&mut self, owe: &ast::Owe) -> Option<ir::Owe> {
        let gesture = self.gesture(&owe.gesture)?;
        let kind = self.gesture_kind(gesture);
        let amount = match (&owe.amount, kind) {
            (Some(amount), Some(ParamKind::Amount)) => {
                let amount = self.lower_expected(amount, &Ty::Money, "an amount owed");
                self.refuse_negative(&amount, "an amount owed");
                Some(amount)
            }
            (Some(amount), _) => {
                self.kind_mismatch(gesture, "an amount", amount.span);
                None
            }
            (None, Some(ParamKind::Amount)) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "E0106",
                        format!("`owe {}` needs the exact amount owed", owe.gesture.name),
                        owe.span,
                    )
                    .with_help(format!("write `owe {} of AMOUNT`", owe.gesture.name)),
                );
                None
            }
            (None, _) => None,
        };
        Some(ir::Owe { gesture, item: owe.item.as_ref().map(|t| t.value.clone()), amount })
    }

    fn lower_recommend(&mut self, rec: &ast::Recommend) -> Option<ir::Recommend> {
        let gesture = self.gesture(&rec.gesture)?;
        let kind = self.gesture_kind(gesture);
        let amount = match &rec.amount {
            Some(amount) if kind == Some(ParamKind::Amount) => {
                let amount = self.lower_expected(amount, &Ty::Money, "a recommended amount");
                self.refuse_negative(&amount, "a recommended amount");
                Some(amount)
            }
            Some(amount) => {
                self.kind_mismatch(gesture, "an amount", amount.span);
                None
            }
            None => None,
        };
        let due_in = match &rec.due_in {
            Some(due) if kind == Some(ParamKind::Due) => Some(self.lower_expected(due, &Ty::Duration, "a due time")),
            Some(due) => {
                self.kind_mismatch(gesture, "a due time", due.span);
                None
            }
            None => None,
        };
        Some(ir::Recommend { gesture, item: rec.item.as_ref().map(|t| t.value.clone()), amount, due_in })
    }

    /// `E0119` if `amount` (an `up to`, owed or recommended amount) is a negative constant:
    /// an amount is what the customer may or must receive, and a negative one would be
    /// listed as if it were (owed `-5`), or silently never offered.
    fn refuse_negative(&mut self, amount: &ir::Expr, what: &str) {
        if let ir::ExprKind::Const(Value::Money(value)) = &amount.kind {
            if value.is_sign_negative() && !value.is_zero() {
                let text = self.source.get(amount.span.range()).unwrap_or("the amount");
                self.diagnostics.push(
                    Diagnostic::error("E0119", format!("{what} cannot be negative: `{text}` is {value}"), amount.span)
                        .with_help("write the amount the customer receives, zero or more"),
                );
            }
        }
    }

    fn lower_never(&mut self, never: &ast::Never, name: Name) -> ir::Forbid {
        let gestures = never.gestures.iter().filter_map(|g| self.gesture(g)).collect();
        let condition = never.condition.as_ref().map(|c| self.lower_expected(c, &Ty::Bool, "a condition"));
        ir::Forbid {
            name,
            gestures,
            condition,
            reason: never.reason.as_ref().map(|r| r.value.clone()),
            span: never.span,
        }
    }

    fn lower_limit(&mut self, limit: &ast::Limit) -> ir::Limit {
        let mut gestures = Vec::new();
        for g in &limit.gestures {
            if let Some(gesture) = self.gesture(g) {
                if self.gesture_kind(gesture) == Some(ParamKind::Amount) {
                    gestures.push(gesture);
                } else {
                    self.kind_mismatch(gesture, "a money limit", g.span);
                }
            }
        }
        let amount = self.lower_bound(&limit.amount, "a limit");
        let already_used = limit.already_used.as_ref().map(|e| self.lower_bound(e, "the amount already used"));
        ir::Limit {
            name: format!("limit@{}", self.line(limit.span)).into(),
            gestures,
            amount,
            scope: limit.scope.as_ref().map(|s| s.value.to_string()),
            already_used,
            span: limit.span,
        }
    }
}

/// Splits a condition at its top-level `and`s, so each part can be traced and indexed.
fn split_and(expr: ir::Expr, out: &mut Vec<ir::Condition>) {
    match expr.kind {
        ir::ExprKind::And(operands) => {
            let [lhs, rhs] = *operands;
            split_and(lhs, out);
            split_and(rhs, out);
        }
        kind => out.push(ir::Condition::new(ir::Expr { kind, span: expr.span })),
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::indexing_slicing, reason = "tests fail loudly")]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut gives the same text as collapsing every run of whitespace.
        #[test]
        fn whitespace_collapses_as_split_and_join(text in "[a \\t\\n\\r\\x0B\\x0C\u{a0}b]{0,12}") {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let collapsed = collapse_whitespace(&text);
            proptest::prop_assert_eq!(collapsed.as_str(), expected.as_str());
        }
    }

    /// The `W0201` warnings of a policy with `facts` number facts `f0`, `f1`, ... and one
    /// rule of the given `when` lines.
    fn never_matches(facts: usize, whens: &[String]) -> Vec<String> {
        let declared: String = (0..facts).map(|i| format!("  f{i}: number\n")).collect();
        let lines: String = whens.iter().map(|w| format!("  when {w}\n")).collect();
        let source =
            format!("currency USD\nroles agent\nfacts\n{declared}gestures\n  g\nrule r\n{lines}  agent may g\n");
        let file = crate::syntax::parser::parse(&source).unwrap_or_else(|d| panic!("{d:?}"));
        let (_, diagnostics) = check(&file, &source, ScriptLimits::default(), FactLimits::default());
        diagnostics.into_iter().filter(|d| d.code == "W0201").map(|d| d.message).collect()
    }

    #[test]
    fn a_contradiction_is_found_among_few_facts_and_among_many() {
        for facts in [3, 40] {
            // Every fact above 1. Then the last fact also below -5 and the first below 0:
            // two contradictions, and the one reported is always the first fact compared.
            let mut whens: Vec<String> = (0..facts).map(|i| format!("f{i} > 1")).collect();
            whens.push(format!("f{} < -5", facts - 1));
            whens.push("f0 < 0".to_string());
            let found = never_matches(facts, &whens);
            assert_eq!(found, ["rule `r` can never match: no value is at least `1` and at most `0`"]);
            // A fact equal to two values is found as it is read, before the ranges.
            whens.push(format!("f{} is 5 and f{} is 6", facts - 1, facts - 1));
            let found = never_matches(facts, &whens);
            assert_eq!(found, ["rule `r` can never match: a fact cannot be both `5` and `6`"]);
        }
    }
}
