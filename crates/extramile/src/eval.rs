//! The evaluator: runs a compiled program over one incident and builds the decision.
//!
//! Semantics (tested in `tests/semantics.rs`): a grant whose condition or amount cannot be
//! evaluated grants nothing; a forbid or limit that cannot be evaluated blocks; forbids
//! override grants; limits cap every grant; several grants of one gesture combine by the
//! most generous, not the sum; output order depends only on priority and source order.

mod candidates;
pub mod expr;
pub mod facts;
pub mod stream;
pub mod tree;

use crate::decision::*;
use crate::eval::candidates::{candidate_rules, Key};
use crate::eval::expr::{Env, ExprError};
use crate::ir::{Expr, GestureId, Program, RoleId, SlotId};
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
    blocked: Vec<GestureId>,
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
        work.stream.clear();
        work.run.clear();
    }
}

/// Who asks, when, and how: the request as [`decide`] takes it.
struct Asking {
    role: RoleId,
    now: DateTime<FixedOffset>,
    /// `now` as decisions write it, when the caller has it already.
    now_text: Option<Name>,
    trace: bool,
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
        decide(&mut scratch.work, program, &scratch.table, Asking { role, now, now_text: None, trace }, &mut decision);
    });
    decision
}

/// Like [`evaluate`], into `decision` (an empty one: the decision is written in place,
/// never moved), checking that `facts` nests no deeper than the policy's
/// `FactLimits::max_depth` in the same walk that reads them (see [`tree::read_document`]);
/// `Err` if it does.
pub(crate) fn evaluate_document(
    program: &Program,
    facts: &serde_json::Value,
    role: RoleId,
    now: DateTime<FixedOffset>,
    trace: bool,
    decision: &mut Decision,
) -> Result<(), tree::TooDeep> {
    with_scratch(|scratch| {
        let table = &mut scratch.table;
        tree::read_document(facts::Filling::new(program, &mut table.marks, &mut table.values), facts)?;
        decide(&mut scratch.work, program, &scratch.table, Asking { role, now, now_text: None, trace }, decision);
        Ok(())
    })
}

/// Evaluates an evaluation request given as JSON text (the contract of
/// `Policy::evaluate_json`), reading the facts straight into the fact table. `None` when
/// the request is out of the ordinary in any way: the caller then takes the general path,
/// which gives the exact error or reads the unusual facts.
pub fn evaluate_request(program: &Program, request: &str) -> Option<Decision> {
    let mut decision = Decision::empty();
    let decided = with_scratch(|scratch| {
        let table = &mut scratch.table;
        let filling = facts::Filling::new(program, &mut table.marks, &mut table.values);
        let request = stream::read_request(request, &mut scratch.work.stream, filling)?;
        let asking = Asking { role: request.role, now: request.now, now_text: request.now_text, trace: request.trace };
        decide(&mut scratch.work, program, &scratch.table, asking, &mut decision);
        Some(())
    });
    decided.map(|()| decision)
}

/// Like [`evaluate`], with the facts as JSON text, read as [`evaluate_request`] reads them.
pub fn evaluate_facts_text(
    program: &Program,
    facts: &str,
    role: RoleId,
    now: DateTime<FixedOffset>,
    trace: bool,
) -> Option<Decision> {
    let mut decision = Decision::empty();
    let decided = with_scratch(|scratch| {
        let table = &mut scratch.table;
        let filling = facts::Filling::new(program, &mut table.marks, &mut table.values);
        stream::read_facts(facts, &mut scratch.work.stream, filling)?;
        decide(&mut scratch.work, program, &scratch.table, Asking { role, now, now_text: None, trace }, &mut decision);
        Some(())
    });
    decided.map(|()| decision)
}

/// Decides on a fact table read in advance (the facts of [`crate::Facts`]), into
/// `decision` (an empty one).
pub(crate) fn evaluate_table(
    program: &Program,
    table: &facts::FactTable,
    role: RoleId,
    now: DateTime<FixedOffset>,
    trace: bool,
    decision: &mut Decision,
) {
    with_scratch(|scratch| {
        decide(&mut scratch.work, program, table, Asking { role, now, now_text: None, trace }, decision)
    });
}

/// Runs `f` with this thread's scratch buffers, cleared afterwards.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            let result = f(&mut scratch);
            scratch.clear();
            result
        }
        // Only reachable if evaluation re-entered itself on this thread: use fresh buffers.
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Decides on the facts in `table`, writing into `decision` (an empty one).
fn decide(work: &mut Work, program: &Program, table: &facts::FactTable, asking: Asking, decision: &mut Decision) {
    let Asking { role, now, now_text, trace } = asking;
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
    run.offers(&work.granted, role);
    run.approvals(&work.granted, role);
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

    fn block(&mut self, gesture: GestureId, rule: &Name, reason: Name) {
        if !self.buffers.blocked.contains(&gesture) {
            self.buffers.blocked.push(gesture);
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
                        match self.env.toward_zero(Value::Money(room), limit.span)? {
                            Value::Money(room) => Ok(room),
                            _ => Err(ExprError::new("a limit must be money", limit.span)),
                        }
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

    /// The item words of a granted alternative.
    fn item(&self, granted: &Granted) -> Option<&'p Name> {
        let program = self.program;
        let grant = program.rules.get(granted.rule)?.grants.get(granted.grant)?;
        grant.alternatives.get(granted.alternative)?.item.as_ref()
    }

    /// The most generous grant of `gesture` (with `item`) to roles up to `role`, capped by
    /// limits, with the name of the rule or limit that set it.
    fn best(
        &self,
        granted: &[Granted],
        gesture: GestureId,
        item: Option<&Name>,
        role: RoleId,
    ) -> Option<(Bound, SetBy)> {
        let mut best: Option<&Granted> = None;
        for g in granted.iter().filter(|g| g.gesture == gesture && g.role <= role && self.item(g) == item) {
            if best.is_none_or(|b| g.bound.more_generous_than(b.bound)) {
                best = Some(g);
            }
        }
        self.capped(best?)
    }

    /// The bound of the grant `best`, capped by limits, with what set it; `None` if its
    /// gesture is forbidden.
    fn capped(&self, best: &Granted) -> Option<(Bound, SetBy)> {
        let gesture = best.gesture;
        if self.buffers.blocked.contains(&gesture) {
            return None;
        }
        match (best.bound, self.buffers.caps.get(gesture).and_then(Option::as_ref)) {
            (Bound::Unbounded, Some((cap, _))) => Some((Bound::UpTo(*cap), SetBy::Limit(gesture))),
            (Bound::UpTo(amount), Some((cap, _))) if *cap < amount => Some((Bound::UpTo(*cap), SetBy::Limit(gesture))),
            (bound, _) => Some((bound, SetBy::Rule(best.rule))),
        }
    }

    /// The name of the rule or limit that set a bound (shared, so only made when shown).
    fn set_by_name(&self, set_by: SetBy) -> Name {
        let name = match set_by {
            SetBy::Rule(rule) => self.program.rules.get(rule).map(|r| &r.name),
            SetBy::Limit(gesture) => self.buffers.caps.get(gesture).and_then(Option::as_ref).map(|(_, limit)| limit),
        };
        name.cloned().unwrap_or_default()
    }

    fn offers(&mut self, granted: &[Granted], role: RoleId) {
        let program = self.program;
        // A grant's alternatives are consecutive in `granted`, and share its role.
        let same_grant = |a: &Granted, b: &Granted| (a.rule, a.grant) == (b.rule, b.grant);
        // At most one offer per grant, and a grant has at least one alternative.
        let mut offers: Vec<Offer> = Vec::with_capacity(granted.len());
        // Each offer's first gesture (kept when gestures repeat): offers alike start alike,
        // so that telling offers apart rarely compares names.
        let mut firsts: smallvec::SmallVec<[GestureId; 16]> = smallvec::SmallVec::new();
        // When no gesture is granted twice (as is usual), each alternative is its gesture's
        // best grant. Checked for a few grants only, where the check costs less than it saves.
        let unique = granted.len() <= 16
            && granted
                .iter()
                .enumerate()
                .all(|(i, g)| granted.get(..i).unwrap_or_default().iter().all(|e| e.gesture != g.gesture));
        for grant in granted.chunk_by(same_grant) {
            let Some(first) = grant.first() else { continue };
            let Some(rule) = program.rules.get(first.rule).filter(|_| first.role <= role) else { continue };
            // The offer is built in place (an offer is large to move), and taken back if it
            // offers nothing or is alike an earlier one.
            offers.push(Offer { one_of: OneOf::new(), rule: rule.name.clone(), priority: rule.priority });
            let Some((offer, earlier_offers)) = offers.split_last_mut() else { continue };
            // At most one gesture per alternative: sized so that it never grows (and kept
            // inline for the usual single gesture).
            offer.one_of.reserve_exact(grant.len());
            let mut first_offered = None;
            for (i, g) in grant.iter().enumerate() {
                // A gesture and item named twice in one grant is offered once.
                let earlier = grant.get(..i).unwrap_or_default();
                let item = self.item(g);
                if earlier.iter().any(|e| e.gesture == g.gesture && self.item(e) == item) {
                    continue;
                }
                let best = if unique { self.capped(g) } else { self.best(granted, g.gesture, item, role) };
                let Some((bound, set_by)) = best else { continue };
                let limited_by = (bound != Bound::Given).then(|| self.set_by_name(set_by));
                let gesture = self.gesture_name(g.gesture);
                offer.one_of.push(OfferedGesture { gesture, item: item.cloned(), up_to: bound.amount(), limited_by });
                first_offered = first_offered.or(Some(g.gesture));
            }
            let Some(first) = first_offered else {
                offers.pop();
                continue;
            };
            // Offers alike share their gestures, so none are alike when no gesture repeats.
            if !unique {
                let alike =
                    earlier_offers.iter_mut().zip(&firsts).find(|(o, f)| **f == first && o.one_of == offer.one_of);
                if let Some((existing, _)) = alike {
                    existing.priority = existing.priority.max(rule.priority);
                    offers.pop();
                    continue;
                }
                firsts.push(first);
            }
        }
        // A stable sort: equal priorities keep their source order. Most policies give no
        // priorities, so the offers are usually in order already.
        if !offers.is_sorted_by(|a, b| a.priority >= b.priority) {
            offers.sort_by_key(|offer| std::cmp::Reverse(offer.priority));
        }
        self.decision.offers = offers;
    }

    fn approvals(&mut self, granted: &[Granted], role: RoleId) {
        let mut keys: Vec<(GestureId, Option<Name>)> = Vec::new();
        for g in granted.iter().filter(|g| g.role > role) {
            let item = self.item(g);
            if !keys.iter().any(|(gesture, known)| *gesture == g.gesture && known.as_ref() == item) {
                keys.push((g.gesture, item.cloned()));
            }
        }
        for (gesture, item) in keys {
            let mut previous = self.best(granted, gesture, item.as_ref(), role).map(|(bound, _)| bound);
            for higher in role + 1..self.program.roles.len() {
                let Some((bound, set_by)) = self.best(granted, gesture, item.as_ref(), higher) else { continue };
                let extends = match previous {
                    None => true,
                    Some(prev) => bound.more_generous_than(prev),
                };
                if extends {
                    self.decision.needs_approval.push(Approval {
                        gesture: self.gesture_name(gesture),
                        item: item.clone(),
                        approver: self.program.roles.get(higher).cloned().unwrap_or_default(),
                        up_to: bound.amount(),
                        rule: self.set_by_name(set_by),
                    });
                    previous = Some(bound);
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
                let amount = match self.optional_money(&owe.amount, &rule.name) {
                    Ok(amount) => amount,
                    Err(()) => continue,
                };
                let gesture = self.gesture_name(owe.gesture);
                if self.buffers.blocked.contains(&owe.gesture) {
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
                if self.buffers.blocked.contains(&rec.gesture) {
                    continue;
                }
                let Ok(amount) = self.optional_money(&rec.amount, &rule.name) else { continue };
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

    fn optional_money(&mut self, expr: &Option<Expr>, rule: &Name) -> Result<Option<Decimal>, ()> {
        let Some(expr) = expr else { return Ok(None) };
        match self.env.eval(expr) {
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
