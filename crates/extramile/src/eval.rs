//! The evaluator: runs a compiled program over one incident and builds the decision.
//!
//! Semantics (tested in `tests/semantics.rs`): a grant whose condition or amount cannot be
//! evaluated grants nothing; a forbid or limit that cannot be evaluated blocks; forbids
//! override grants; limits cap every grant; several grants of one gesture combine by the
//! most generous, not the sum; output order depends only on priority and source order.

mod candidates;
pub mod expr;
pub mod facts;
mod offers;
pub mod stream;
pub mod tree;

use crate::decision::*;
use crate::eval::candidates::{candidate_rules, Key};
use crate::eval::expr::{Env, ExprError};
use crate::ir::{Expr, GestureId, Program, RoleId, SlotId};
use crate::json::RequestError;
use crate::name::Name;
use crate::syntax::span::Span;
use crate::value::Value;
use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::sync::Arc;

/// How a rule's conditions came out, with the deciding condition's index.
enum RuleOutcome {
    Matched,
    NotMatched(usize),
    Failed(usize, Box<ExprError>),
}

/// The most that may be given of a gesture.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    /// A gesture without an amount.
    Given,
    /// Up to an amount.
    UpTo(Decimal),
    /// No upper bound was set.
    Unbounded,
}

impl Bound {
    fn more_generous_than(self, other: Bound) -> bool {
        match (self, other) {
            (Bound::Unbounded, Bound::UpTo(_)) => true,
            (Bound::UpTo(a), Bound::UpTo(b)) => a > b,
            _ => false,
        }
    }

    fn amount(self) -> Option<Decimal> {
        match self {
            Bound::UpTo(a) => Some(a),
            _ => None,
        }
    }
}

/// What set the bound of an offered gesture: a rule (its index) or the limit that caps the
/// gesture (found by the gesture in `RunBuffers::caps`).
#[derive(Debug, Clone, Copy)]
enum SetBy {
    Rule(usize),
    Limit(GestureId),
}

/// One alternative of a grant that applies to this incident: the rule's grant and
/// alternative by index (its item is read from the program, [`Run::item`], rather than
/// copied: this is built for every grant, and small is quick to write).
struct Granted {
    rule: usize,
    grant: usize,
    alternative: usize,
    role: RoleId,
    gesture: GestureId,
    bound: Bound,
}

struct Run<'p> {
    program: &'p Program,
    env: Env<'p>,
    decision: &'p mut Decision,
    buffers: &'p mut RunBuffers,
}

/// The tables a run fills as it goes, kept in the thread's [`Scratch`] between runs.
#[derive(Default)]
struct RunBuffers {
    /// When tracing: each slot's index in the trace's facts, once a rule has read it.
    fact_index: Vec<Option<u32>>,
    /// When tracing: the buffer of the slots each rule reads (lent to the environment).
    reads: Vec<SlotId>,
    /// Whether each gesture is forbidden (sized when the first is).
    blocked: Vec<bool>,
    caps: Vec<Option<(Decimal, Name)>>,
}

impl RunBuffers {
    fn clear(&mut self) {
        self.fact_index.clear();
        self.reads.clear();
        self.blocked.clear();
        self.caps.clear();
    }
}

/// Buffers an evaluation needs and drops at its end, kept per thread so that evaluating
/// does not allocate them again for every incident.
#[derive(Default)]
struct Scratch {
    /// The fact table the readers fill (unused when the caller brings its own, [`Facts`]).
    ///
    /// [`Facts`]: crate::Facts
    table: facts::FactTable,
    work: Work,
}

/// The buffers of deciding, once the facts are read.
#[derive(Default)]
struct Work {
    candidates: Vec<(usize, Key)>,
    outcomes: Vec<(usize, RuleOutcome)>,
    granted: Vec<Granted>,
    offers: offers::OfferBuffers,
    stream: stream::Scratch,
    run: RunBuffers,
    /// The last `now` written as text, and its text: evaluations at one time (a batch, or a
    /// busy second of a service) write it once, as web servers do their `Date` header.
    now_text: Option<(DateTime<FixedOffset>, Name)>,
}

impl Scratch {
    fn clear(&mut self) {
        self.table.clear();
        let work = &mut self.work;
        work.candidates.clear();
        work.outcomes.clear();
        work.granted.clear();
        work.offers.clear();
        work.stream.clear();
        work.run.clear();
    }
}

/// Who asks, when, and how: the request as [`decide`] takes it.
pub(crate) struct Asking {
    pub(crate) role: RoleId,
    pub(crate) now: DateTime<FixedOffset>,
    /// `now` as decisions write it, when the caller has it already.
    pub(crate) now_text: Option<Name>,
    pub(crate) trace: bool,
    /// Whether a key of the facts that leads to no declared fact refuses the request
    /// (otherwise the decision warns about it).
    pub(crate) strict: bool,
}

impl Asking {
    /// What `role` asks at `now`.
    pub(crate) fn new(role: RoleId, now: DateTime<FixedOffset>, trace: bool, strict: bool) -> Asking {
        Asking { role, now, now_text: None, trace, strict }
    }
}

/// Why a request was refused while its facts were read.
pub(crate) enum Refusal {
    /// The facts nest deeper than the policy's limit (the caller names where).
    TooDeep,
    /// Another reason, as the request's error.
    Request(RequestError),
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Evaluates `program` for the acting `role` at `now`.
pub fn evaluate(
    program: &Program,
    facts: &serde_json::Value,
    role: RoleId,
    now: DateTime<FixedOffset>,
    trace: bool,
) -> Decision {
    let mut decision = Decision::empty();
    with_scratch(|scratch| {
        facts::read_facts(program, facts, &mut scratch.table.values);
        decide(&mut scratch.work, program, &scratch.table, Asking::new(role, now, trace, false), &mut decision);
    });
    decision
}

/// Like [`evaluate`], into `decision` (an empty one: the decision is written in place,
/// never moved), checking that `facts` nests no deeper than the policy's
/// `FactLimits::max_depth` in the same walk that reads them (see [`tree::read_document`]),
/// and, when strict, that every key leads to a declared fact.
pub(crate) fn evaluate_document(
    program: &Program,
    facts: &serde_json::Value,
    asking: Asking,
    decision: &mut Decision,
) -> Result<(), Refusal> {
    with_scratch(|scratch| {
        tree::read_document(facts::Filling::new(program, &mut scratch.table), facts).map_err(|_| Refusal::TooDeep)?;
        refuse_unknown_keys(program, &scratch.table, asking.strict).map_err(Refusal::Request)?;
        decide(&mut scratch.work, program, &scratch.table, asking, decision);
        Ok(())
    })
}

/// Evaluates an evaluation request given as JSON text (the contract of
/// `Policy::evaluate_json`), reading the facts straight into the fact table. `None` when
/// the request is out of the ordinary in any way, or refused: the caller then takes the
/// general path, which gives the exact error or reads the unusual facts.
pub fn evaluate_request(program: &Program, request: &str) -> Option<Decision> {
    let mut decision = Decision::empty();
    let decided = with_scratch(|scratch| {
        let filling = facts::Filling::new(program, &mut scratch.table);
        let request = stream::read_request(request, &mut scratch.work.stream, filling)?;
        refuse_unknown_keys(program, &scratch.table, request.strict).ok()?;
        let asking = Asking {
            role: request.role,
            now: request.now,
            now_text: request.now_text,
            trace: request.trace,
            strict: request.strict,
        };
        decide(&mut scratch.work, program, &scratch.table, asking, &mut decision);
        Some(())
    });
    decided.map(|()| decision)
}

/// Like [`evaluate`], with the facts as JSON text, read as [`evaluate_request`] reads them
/// (`None` in the same cases).
pub(crate) fn evaluate_facts_text(program: &Program, facts: &str, asking: Asking) -> Option<Decision> {
    let mut decision = Decision::empty();
    let decided = with_scratch(|scratch| {
        let filling = facts::Filling::new(program, &mut scratch.table);
        stream::read_facts(facts, &mut scratch.work.stream, filling)?;
        refuse_unknown_keys(program, &scratch.table, asking.strict).ok()?;
        decide(&mut scratch.work, program, &scratch.table, asking, &mut decision);
        Some(())
    });
    decided.map(|()| decision)
}

/// Decides on a fact table read in advance (the facts of [`crate::Facts`]), into
/// `decision` (an empty one); when strict, refuses a table read from a document with a key
/// that leads to no declared fact.
pub(crate) fn evaluate_table(
    program: &Program,
    table: &facts::FactTable,
    asking: Asking,
    decision: &mut Decision,
) -> Result<(), RequestError> {
    refuse_unknown_keys(program, table, asking.strict)?;
    with_scratch(|scratch| decide(&mut scratch.work, program, table, asking, decision));
    Ok(())
}

/// When `strict`, the error for the first key of the facts read into `table` that leads to
/// no declared fact, if there is one.
fn refuse_unknown_keys(program: &Program, table: &facts::FactTable, strict: bool) -> Result<(), RequestError> {
    match table.unknown.first.first() {
        Some((object, key)) if strict => {
            let (path, suggestion) = program.fact_tree.key_path(*object, key);
            Err(RequestError::UnknownKey { path, suggestion })
        }
        _ => Ok(()),
    }
}

/// Warns in `decision` about the keys of the facts read into `table` that lead to no
/// declared fact: each of the first few by path, with the declared path closest to it, and
/// how many more there are.
fn warn_unknown_keys(program: &Program, table: &facts::FactTable, decision: &mut Decision) {
    let unknown = &table.unknown;
    for (object, key) in &unknown.first {
        let (path, suggestion) = program.fact_tree.key_path(*object, key);
        let mut message = format!("`{path}` is not a declared fact or part of one: it is ignored");
        if let Some(suggestion) = suggestion {
            message.push_str(&format!("; did you mean `{suggestion}`?"));
        }
        decision.warnings.push(Problem { rule: Name::default(), fact: Some(path), message, line: 0, column: 0 });
    }
    let more = unknown.count.saturating_sub(unknown.first.len());
    if more > 0 {
        let message = format!("and {more} more keys that are not declared facts or part of one: they are ignored");
        decision.warnings.push(Problem { rule: Name::default(), fact: None, message, line: 0, column: 0 });
    }
}

/// Runs `f` with this thread's scratch buffers, cleared when `f` ends, returning or
/// unwinding: a panic caught by the host (`catch_unwind`) leaves nothing behind for the
/// thread's next decision.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(scratch) => f(&mut ClearedOnDrop(scratch)),
        // Only reachable if evaluation re-entered itself on this thread: use fresh buffers.
        Err(_) => f(&mut Scratch::default()),
    })
}

/// The thread's scratch, lent for one evaluation and cleared when the loan ends, however
/// it ends.
struct ClearedOnDrop<'a>(std::cell::RefMut<'a, Scratch>);

impl Drop for ClearedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl std::ops::Deref for ClearedOnDrop<'_> {
    type Target = Scratch;

    fn deref(&self) -> &Scratch {
        &self.0
    }
}

impl std::ops::DerefMut for ClearedOnDrop<'_> {
    fn deref_mut(&mut self) -> &mut Scratch {
        &mut self.0
    }
}

/// Decides on the facts in `table`, writing into `decision` (an empty one).
fn decide(work: &mut Work, program: &Program, table: &facts::FactTable, asking: Asking, decision: &mut Decision) {
    let Asking { role, now, now_text, trace, strict: _ } = asking;
    decision.policy = program.name.clone();
    decision.role = program.roles.get(role).cloned().unwrap_or_default();
    decision.now = match (now_text, &work.now_text) {
        (Some(text), _) => text,
        // The same instant in the same offset writes the same text.
        (None, Some((last, text))) if *last == now && last.offset() == now.offset() => text.clone(),
        (None, _) => {
            let text = crate::value::format_time(&now);
            work.now_text = Some((now, text.clone()));
            text
        }
    };
    decision.currency = program.currency_code.clone();
    if table.unknown.count > 0 {
        warn_unknown_keys(program, table, decision);
    }
    if trace {
        decision.trace = Some(Trace::new(Arc::clone(&program.trace_texts), program.rules.len(), program.facts.len()));
    }
    let buffers = &mut work.run;
    if trace {
        buffers.fact_index.resize(program.facts.len(), None);
    }
    // Without limits nothing is capped: skip the table (a lookup in it finds nothing).
    if !program.limits.is_empty() {
        buffers.caps.resize(program.gestures.len(), None);
    }
    let mut run = Run {
        program,
        // When tracing, the environment records the slots each rule reads.
        env: Env {
            program: Some(program),
            currency: program.currency,
            facts: &table.values,
            now,
            reads: trace.then(|| std::mem::take(&mut buffers.reads)),
            exact_money: false,
        },
        decision,
        buffers,
    };
    candidate_rules(program, &table.values, &table.marks, trace, &mut work.candidates);
    let outcomes = &mut work.outcomes;
    for &(idx, key) in &work.candidates {
        // Rules that did not match take no further part (the trace has them already).
        match run.rule_outcome(idx, key) {
            RuleOutcome::NotMatched(_) => {}
            outcome => outcomes.push((idx, outcome)),
        }
    }
    run.apply_forbids(outcomes);
    run.apply_limits();
    run.collect_grants(outcomes, &mut work.granted);
    run.offers(&work.granted, role, &mut work.offers);
    run.approvals(&work.granted, role, &mut work.offers);
    run.owed_recommended_escalated(outcomes);
    // The environment's buffer goes back to the scratch, to be cleared with it.
    let Run { buffers, env, .. } = run;
    if let Some(reads) = env.reads {
        buffers.reads = reads;
    }
}

/// The fact in `slot` and its value as JSON.
fn fact_read(program: &Program, facts: &[Result<Value, facts::FactError>], slot: SlotId) -> FactRead {
    let declared = program.facts.get(slot);
    let fact = declared.map_or_else(Name::default, |fact| fact.path.clone());
    // A `one of` text has the program's shared JSON of the value.
    let shared = |value: &Value| match (value, declared) {
        (Value::Text(text), Some(declared)) => declared.one_of_json(text),
        _ => None,
    };
    let value = match facts.get(slot) {
        Some(Ok(value)) => shared(value).unwrap_or_else(|| Arc::new(value.to_json())),
        _ => Arc::new(serde_json::Value::Null),
    };
    FactRead { fact, value }
}

impl<'p> Run<'p> {
    fn location(&self, span: Span) -> (u32, u32) {
        let lc = self.program.source_lines.line_column(&self.program.source, span.start);
        (lc.line, lc.column)
    }

    fn problem(&self, rule: &Name, err: &ExprError) -> Problem {
        let (line, column) = self.location(err.span);
        Problem { rule: rule.clone(), fact: err.fact.clone(), message: err.message.clone(), line, column }
    }

    fn fail(&mut self, rule: &Name, err: &ExprError) {
        let problem = self.problem(rule, err);
        self.decision.errors.push(problem);
    }

    fn gesture_name(&self, gesture: GestureId) -> Name {
        self.program.gestures.get(gesture).map_or_else(Name::default, |g| g.name.clone())
    }

    fn rule_outcome(&mut self, idx: usize, key: Key) -> RuleOutcome {
        let Some(rule) = self.program.rules.get(idx) else { return RuleOutcome::NotMatched(0) };
        let tracing = self.env.reads.is_some();
        if let Some(reads) = &mut self.env.reads {
            reads.clear();
            // The key condition reads its fact, as evaluating it would.
            if let Key::Holds(slot) | Key::Fails(slot) = key {
                reads.push(slot);
            }
        }
        let mut outcome = RuleOutcome::Matched;
        let known = match key {
            Key::Unknown => 0,
            Key::Holds(_) => 1,
            Key::Fails(_) => {
                outcome = RuleOutcome::NotMatched(0);
                rule.conditions.len()
            }
        };
        let unknown = rule.conditions.get(known..).unwrap_or_default();
        for (cond_idx, condition) in (known..).zip(unknown) {
            match self.env.condition_holds(condition) {
                Ok(true) => {}
                Ok(false) => {
                    outcome = RuleOutcome::NotMatched(cond_idx);
                    break;
                }
                Err(err) => {
                    outcome = RuleOutcome::Failed(cond_idx, err);
                    break;
                }
            }
        }
        if let RuleOutcome::Failed(_, err) = &outcome {
            self.fail(&rule.name, err);
        }
        if tracing {
            self.trace_rule(idx, rule, &outcome);
        }
        outcome
    }

    /// Adds the rule's entry to the trace, with the facts its conditions read.
    fn trace_rule(&mut self, idx: usize, rule: &crate::ir::Rule, outcome: &RuleOutcome) {
        let Some(trace) = &mut self.decision.trace else { return };
        let (kind, clause, error) = match outcome {
            RuleOutcome::Matched => (Outcome::Matched, None, None),
            RuleOutcome::NotMatched(cond) => (Outcome::NotMatched, Some(*cond), None),
            RuleOutcome::Failed(cond, err) => (Outcome::Error, Some(*cond), Some(err.message.clone())),
        };
        let (program, facts, fact_index) = (self.program, self.env.facts, &mut self.buffers.fact_index);
        let slots = self.env.reads.as_deref().unwrap_or_default();
        // Each fact goes into the trace once, the first time a rule reads it.
        for &slot in slots {
            let fact = match fact_index.get_mut(slot) {
                Some(Some(known)) => *known,
                Some(unknown) => *unknown.insert(trace.add_fact(fact_read(program, facts, slot))),
                None => trace.add_fact(fact_read(program, facts, slot)),
            };
            trace.read(fact);
        }
        trace.push(idx, kind, clause, error, rule.line, rule.span);
    }

    fn is_blocked(&self, gesture: GestureId) -> bool {
        self.buffers.blocked.get(gesture).copied().unwrap_or_default()
    }

    fn block(&mut self, gesture: GestureId, rule: &Name, reason: Name) {
        let gestures = self.program.gestures.len();
        if self.buffers.blocked.len() < gestures {
            self.buffers.blocked.resize(gestures, false);
        }
        if let Some(blocked) = self.buffers.blocked.get_mut(gesture) {
            *blocked = true;
        }
        let name = self.gesture_name(gesture);
        self.decision.forbidden.push(Forbidden { gesture: name, rule: rule.clone(), reason });
    }

    fn apply_forbids(&mut self, outcomes: &[(usize, RuleOutcome)]) {
        let program = self.program;
        for forbid in &program.forbids {
            let holds = match &forbid.condition {
                None => Ok(true),
                Some(condition) => self.env.eval_bool(condition),
            };
            let reason = forbid.reason.clone().unwrap_or_else(|| Name::from("forbidden by policy"));
            match holds {
                Ok(true) => forbid.gestures.iter().for_each(|g| self.block(*g, &forbid.name, reason.clone())),
                Ok(false) => {}
                Err(err) => {
                    self.fail(&forbid.name, &err);
                    let why =
                        Name::from(format!("blocked because its condition could not be checked: {}", err.message));
                    forbid.gestures.iter().for_each(|g| self.block(*g, &forbid.name, why.clone()));
                }
            }
        }
        let rule_forbids = if program.rule_effects.forbids { outcomes } else { &[] };
        for (idx, outcome) in rule_forbids {
            let Some(rule) = program.rules.get(*idx) else { continue };
            let failed = matches!(outcome, RuleOutcome::Failed(..));
            if !(failed || matches!(outcome, RuleOutcome::Matched)) {
                continue;
            }
            for forbid in &rule.forbids {
                let reason = match (&forbid.reason, failed) {
                    (_, true) => Name::from("blocked because the rule's condition could not be checked"),
                    (Some(reason), false) => reason.clone(),
                    (None, false) => Name::from("forbidden by policy"),
                };
                forbid.gestures.iter().for_each(|g| self.block(*g, &rule.name, reason.clone()));
            }
        }
    }

    fn apply_limits(&mut self) {
        let program = self.program;
        for limit in &program.limits {
            // The cap and the amount used are kept exact; the room they leave rounds once,
            // toward zero, so that it never exceeds what the limit's text computes.
            let remaining = self.env.exact(&limit.amount).and_then(|cap| {
                let used = match &limit.already_used {
                    Some(used) => self.env.exact(used)?,
                    None => Value::Money(Decimal::ZERO),
                };
                match (cap, used) {
                    // A negative amount used would raise the cap: fail safe, block instead.
                    (Value::Money(_), Value::Money(used)) if used < Decimal::ZERO => {
                        let span = limit.already_used.as_ref().map_or(limit.span, |e| e.span);
                        Err(ExprError::new(format!("the amount already used is negative ({used})"), span))
                    }
                    (Value::Money(cap), Value::Money(used)) => {
                        let room =
                            cap.checked_sub(used).ok_or_else(|| ExprError::new("arithmetic overflow", limit.span))?;
                        self.program
                            .currency
                            .round_toward_zero(room)
                            .ok_or_else(|| ExprError::new("arithmetic overflow", limit.span))
                    }
                    _ => Err(ExprError::new("a limit must be money", limit.span)),
                }
            });
            match remaining {
                Err(err) => {
                    self.fail(&limit.name, &err);
                    let why = Name::from(format!("blocked because its limit could not be computed: {}", err.message));
                    limit.gestures.iter().for_each(|g| self.block(*g, &limit.name, why.clone()));
                }
                Ok(remaining) if remaining <= Decimal::ZERO => {
                    let scope = limit.scope.as_deref().map_or(String::new(), |s| format!(" {s}"));
                    let why = Name::from(format!("limit{scope} reached"));
                    limit.gestures.iter().for_each(|g| self.block(*g, &limit.name, why.clone()));
                }
                Ok(remaining) => {
                    for gesture in &limit.gestures {
                        if let Some(slot) = self.buffers.caps.get_mut(*gesture) {
                            if slot.as_ref().is_none_or(|(cap, _)| remaining < *cap) {
                                *slot = Some((remaining, limit.name.clone()));
                            }
                        }
                    }
                }
            }
        }
    }

    fn collect_grants(&mut self, outcomes: &[(usize, RuleOutcome)], granted: &mut Vec<Granted>) {
        let program = self.program;
        for (idx, outcome) in outcomes {
            let (RuleOutcome::Matched, Some(rule)) = (outcome, program.rules.get(*idx)) else { continue };
            for (grant_idx, grant) in rule.grants.iter().enumerate() {
                // A grant whose amount cannot be evaluated grants nothing, not even its other
                // alternatives: a choice must not silently shrink.
                let first_of_grant = granted.len();
                let mut grant_failed = false;
                for (alt_idx, alt) in grant.alternatives.iter().enumerate() {
                    let bound = match &alt.up_to {
                        None if program.gestures.get(alt.gesture).and_then(|g| g.kind)
                            == Some(crate::syntax::ast::ParamKind::Amount) =>
                        {
                            Bound::Unbounded
                        }
                        None => Bound::Given,
                        Some(amount) => match self.env.amount(amount) {
                            Ok(Value::Money(a)) if a > Decimal::ZERO => Bound::UpTo(a),
                            Ok(Value::Money(_)) => continue,
                            Ok(other) => {
                                let err = ExprError::new(
                                    format!("an amount must be money, found {}", other.ty()),
                                    amount.expr.span,
                                );
                                self.fail(&rule.name, &err);
                                grant_failed = true;
                                continue;
                            }
                            Err(err) => {
                                self.fail(&rule.name, &err);
                                grant_failed = true;
                                continue;
                            }
                        },
                    };
                    granted.push(Granted {
                        rule: *idx,
                        grant: grant_idx,
                        alternative: alt_idx,
                        role: grant.role,
                        gesture: alt.gesture,
                        bound,
                    });
                }
                if grant_failed {
                    granted.truncate(first_of_grant);
                }
            }
        }
    }

    fn owed_recommended_escalated(&mut self, outcomes: &[(usize, RuleOutcome)]) {
        let program = self.program;
        // Most policies' rules only grant: nothing to look for.
        if !program.rule_effects.follow_ups {
            return;
        }
        let mut recommended: Vec<Recommendation> = Vec::new();
        for (idx, outcome) in outcomes {
            let (RuleOutcome::Matched, Some(rule)) = (outcome, program.rules.get(*idx)) else { continue };
            for owe in &rule.owes {
                let amount = match self.optional_money(&owe.amount, &rule.name, "an amount owed") {
                    Ok(amount) => amount,
                    Err(()) => continue,
                };
                let gesture = self.gesture_name(owe.gesture);
                if self.is_blocked(owe.gesture) {
                    self.decision.warnings.push(Problem {
                        rule: rule.name.clone(),
                        fact: None,
                        message: format!("`{gesture}` is owed by this rule and also forbidden; entitlements are kept"),
                        line: self.location(rule.span).0,
                        column: self.location(rule.span).1,
                    });
                }
                self.decision.owed.push(Owed { gesture, item: owe.item.clone(), amount, rule: rule.name.clone() });
            }
            for rec in &rule.recommends {
                if self.is_blocked(rec.gesture) {
                    continue;
                }
                let Ok(amount) = self.optional_money(&rec.amount, &rule.name, "a recommended amount") else { continue };
                let due = match &rec.due_in {
                    None => None,
                    Some(due_in) => match self.env.eval(due_in) {
                        Ok(Value::Duration(secs)) => match due_time(self.env.now, secs, due_in.span) {
                            Ok(due) => Some(due),
                            Err(err) => {
                                self.fail(&rule.name, &err);
                                continue;
                            }
                        },
                        Ok(other) => {
                            self.fail(
                                &rule.name,
                                &ExprError::new(
                                    format!("a due time must be a duration, found {}", other.ty()),
                                    due_in.span,
                                ),
                            );
                            continue;
                        }
                        Err(err) => {
                            self.fail(&rule.name, &err);
                            continue;
                        }
                    },
                };
                let recommendation = Recommendation {
                    gesture: self.gesture_name(rec.gesture),
                    item: rec.item.clone(),
                    amount,
                    due,
                    rule: rule.name.clone(),
                    priority: rule.priority,
                };
                recommended.push(recommendation);
            }
            for esc in &rule.escalations {
                self.decision.escalations.push(Escalation {
                    to: program.roles.get(esc.role).cloned().unwrap_or_default(),
                    rule: rule.name.clone(),
                    reason: esc.reason.clone(),
                });
            }
        }
        // A stable sort: equal priorities keep their source order.
        recommended.sort_by_key(|r| std::cmp::Reverse(r.priority));
        self.decision.recommended = recommended;
    }

    /// The amount owed or recommended (`what`), if the line has one; an error of `rule` (and
    /// the line dropped, fail safe) if it cannot be computed or is negative: a negative
    /// amount would be listed as if the customer were to receive it.
    fn optional_money(&mut self, expr: &Option<Expr>, rule: &Name, what: &str) -> Result<Option<Decimal>, ()> {
        let Some(expr) = expr else { return Ok(None) };
        match self.env.eval(expr) {
            Ok(Value::Money(amount)) if amount < Decimal::ZERO => {
                self.fail(rule, &ExprError::new(format!("{what} cannot be negative, found {amount}"), expr.span));
                Err(())
            }
            Ok(Value::Money(amount)) => Ok(Some(amount)),
            Ok(other) => {
                self.fail(rule, &ExprError::new(format!("an amount must be money, found {}", other.ty()), expr.span));
                Err(())
            }
            Err(err) => {
                self.fail(rule, &err);
                Err(())
            }
        }
    }
}

/// The due time `seconds` after `now`, as RFC 3339 text; an error (the recommendation is
/// then dropped, fail safe) where it is beyond the times chrono holds, or outside the years
/// 0000 to 9999 that RFC 3339 can write.
fn due_time(now: DateTime<FixedOffset>, seconds: i64, span: Span) -> Result<Name, Box<ExprError>> {
    use chrono::Datelike;
    let due = crate::eval::expr::add_seconds(now, Some(seconds), span)
        .map_err(|_| ExprError::new("the due time is out of range", span))?;
    if !(0..=9999).contains(&due.year()) {
        return Err(ExprError::new(
            format!("the due time is out of range: year {} cannot be written in RFC 3339", due.year()),
            span,
        ));
    }
    Ok(crate::value::format_time(&due))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use crate::{Policy, Request};

    /// A panic mid-decision, caught by the host, leaves the thread's buffers dirty (here: the
    /// only gesture marked forbidden, as a forbid would); the next decision on the thread
    /// must not see it.
    #[test]
    fn a_decision_that_panics_leaves_nothing_for_the_next_one() {
        let policy =
            Policy::parse("currency USD\nroles clerk\ngestures\n  comp: amount\nrule r\n  clerk may comp up to $5\n")
                .unwrap();
        let caught = std::panic::catch_unwind(|| {
            with_scratch(|scratch| {
                scratch.work.run.blocked.push(true);
                scratch.work.run.caps.push(Some((Decimal::ONE, Name::from("limit@9"))));
                panic!("a host's value failed to serialise mid-decision");
            })
        });
        assert!(caught.is_err());
        let now = "2026-11-22T10:00:00Z".parse().unwrap();
        let decision = policy.evaluate(&serde_json::json!({}), &Request::new("clerk", now)).unwrap();
        assert_eq!(decision.offers.len(), 1, "{decision:?}");
        assert_eq!(decision.offers[0].one_of[0].up_to, Some(Decimal::new(500, 2)));
        assert!(decision.forbidden.is_empty());
    }
}
