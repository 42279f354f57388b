//! The rule-by-rule trace of a decision: compact entries that point into the policy's rule
//! texts (shared with every trace, never copied) and into one list of the facts read, each
//! fact once, so that tracing an evaluation costs a few pushes per rule.

use super::Outcome;
use crate::name::Name;
use crate::syntax::span::Span;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The texts traces quote: each rule's name and its conditions as written. A policy makes
/// one when it loads (`ir::Program::trace_texts`), and every trace of it shares it; it has
/// nothing to read directly: a [`Trace`]'s [`RuleTrace`] views give its texts.
#[derive(Debug, Default)]
pub struct TraceTexts {
    rules: Vec<Name>,
    /// Every rule's conditions, one rule after another.
    clauses: Vec<Name>,
    /// Where each rule's conditions start in `clauses`.
    first_clause: Vec<u32>,
}

impl TraceTexts {
    /// Adds the next rule: its name and its conditions as written.
    pub(crate) fn push_rule(&mut self, name: Name, clauses: impl IntoIterator<Item = Name>) {
        self.rules.push(name);
        self.first_clause.push(index(self.clauses.len()));
        self.clauses.extend(clauses);
    }

    /// The index in `clauses` of rule `rule`'s condition `condition`, if it has one.
    fn clause_of(&self, rule: usize, condition: usize) -> Option<u32> {
        let first = *self.first_clause.get(rule)?;
        let end = self.first_clause.get(rule.saturating_add(1)).copied().unwrap_or(index(self.clauses.len()));
        let at = first.saturating_add(index(condition));
        (at < end).then_some(at)
    }
}

/// A length or position as the trace keeps it; no policy or trace comes near `u32::MAX`
/// entries, and a position past the end reads as absent.
fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One fact a rule read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactRead {
    /// The fact path.
    pub fact: Name,
    /// Its value, or `null` if it had none.
    pub value: Arc<serde_json::Value>,
}

/// A rule's entry: the rule and its clause by index, its reads as a range of `Trace::reads`.
#[derive(Debug, Clone)]
struct Entry {
    rule: u32,
    outcome: Outcome,
    /// The deciding clause's index in the texts' `clauses`, if any.
    clause: Option<u32>,
    error: Option<String>,
    reads: std::ops::Range<u32>,
    line: u32,
    span: Span,
}

/// Why each rule did or did not apply, rule by rule in source order (see [`RuleTrace`]).
/// Serialises as the list of the JSON contract's rule traces.
///
/// ```
/// use extramile::{Policy, Request};
/// use extramile::decision::Outcome;
///
/// let policy = Policy::parse(r#"
/// policy "Demo"
/// currency USD
/// roles associate
/// facts
///   order.total: money
/// gestures
///   refund: amount
/// rule big_order
///   when order.total > $50
///   associate may refund up to $5
/// "#)?;
/// let now = "2026-11-22T10:00:00Z".parse()?;
/// let request = Request::new("associate", now).with_trace(true);
/// let decision = policy.evaluate(&serde_json::json!({"order": {"total": 20}}), &request)?;
/// let trace = decision.trace.as_ref().ok_or("traced")?;
/// let rule = trace.get(0).ok_or("one rule")?;
/// assert_eq!((rule.rule(), rule.outcome()), ("big_order", Outcome::NotMatched));
/// assert_eq!(rule.clause(), Some("order.total > $50"));
/// let read: Vec<String> = rule.reads().map(|read| format!("{} = {}", read.fact, read.value)).collect();
/// assert_eq!(read, ["order.total = \"20.00\""]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Trace {
    texts: Arc<TraceTexts>,
    entries: Vec<Entry>,
    /// Each entry's reads, as indices into `facts`.
    reads: Vec<u32>,
    /// Every fact read, once.
    facts: Vec<FactRead>,
}

impl Trace {
    /// An empty trace quoting `texts`, with room for `rules` entries reading some of `facts`.
    pub(crate) fn new(texts: Arc<TraceTexts>, rules: usize, facts: usize) -> Trace {
        // Most rules read one or two facts.
        let reads = Vec::with_capacity(rules.saturating_mul(2));
        Trace { texts, entries: Vec::with_capacity(rules), reads, facts: Vec::with_capacity(facts) }
    }

    /// Adds a fact, returning its index for [`Trace::read`].
    pub(crate) fn add_fact(&mut self, read: FactRead) -> u32 {
        let at = index(self.facts.len());
        self.facts.push(read);
        at
    }

    /// Records that the rule about to be pushed read fact `fact` (from [`Trace::add_fact`]).
    pub(crate) fn read(&mut self, fact: u32) {
        self.reads.push(fact);
    }

    /// Adds the entry of rule `rule` (its index in the texts), which read the facts recorded
    /// since the last entry; `clause` is the deciding condition's index.
    pub(crate) fn push(
        &mut self,
        rule: usize,
        outcome: Outcome,
        clause: Option<usize>,
        error: Option<String>,
        line: u32,
        span: Span,
    ) {
        let start = self.entries.last().map_or(0, |last| last.reads.end);
        let reads = start..index(self.reads.len());
        let clause = clause.and_then(|condition| self.texts.clause_of(rule, condition));
        self.entries.push(Entry { rule: index(rule), outcome, clause, error, reads, line, span });
    }

    /// The number of rules traced.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no rule was traced.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`th rule's entry.
    pub fn get(&self, i: usize) -> Option<RuleTrace<'_>> {
        self.entries.get(i).map(|entry| RuleTrace { trace: self, entry })
    }

    /// Each rule's entry, in source order.
    pub fn iter(&self) -> TraceIter<'_> {
        TraceIter { trace: self, entries: self.entries.iter() }
    }

    /// The facts the rules read, with their values, in the order first read. In a trace
    /// the engine made, each fact is there once; a trace collected from [`TracedRule`]s
    /// (read back from JSON) keeps every rule's reads as they were given.
    pub fn facts(&self) -> &[FactRead] {
        &self.facts
    }
}

impl<'t> IntoIterator for &'t Trace {
    type Item = RuleTrace<'t>;
    type IntoIter = TraceIter<'t>;

    fn into_iter(self) -> TraceIter<'t> {
        self.iter()
    }
}

/// The entries of a [`Trace`], in source order.
#[derive(Debug, Clone)]
pub struct TraceIter<'t> {
    trace: &'t Trace,
    entries: std::slice::Iter<'t, Entry>,
}

impl<'t> Iterator for TraceIter<'t> {
    type Item = RuleTrace<'t>;

    fn next(&mut self) -> Option<RuleTrace<'t>> {
        self.entries.next().map(|entry| RuleTrace { trace: self.trace, entry })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl DoubleEndedIterator for TraceIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(|entry| RuleTrace { trace: self.trace, entry })
    }
}

impl ExactSizeIterator for TraceIter<'_> {}

/// Why one rule did or did not apply: a view into a [`Trace`].
#[derive(Clone, Copy)]
pub struct RuleTrace<'t> {
    trace: &'t Trace,
    entry: &'t Entry,
}

impl<'t> RuleTrace<'t> {
    /// The rule's name.
    pub fn rule(&self) -> &'t str {
        self.trace.texts.rules.get(self.entry.rule as usize).map_or("", Name::as_str)
    }

    /// Matched, not matched or error.
    pub fn outcome(&self) -> Outcome {
        self.entry.outcome
    }

    /// The condition that decided a non-match or an error, as written.
    pub fn clause(&self) -> Option<&'t str> {
        let clause = self.entry.clause?;
        self.trace.texts.clauses.get(clause as usize).map(Name::as_str)
    }

    /// The error, for outcome `error`.
    pub fn error(&self) -> Option<&'t str> {
        self.entry.error.as_deref()
    }

    /// The facts the conditions read, with their values, in the order read.
    pub fn reads(&self) -> impl ExactSizeIterator<Item = &'t FactRead> + 't {
        let Entry { reads, .. } = self.entry;
        let indices = self.trace.reads.get(reads.start as usize..reads.end as usize).unwrap_or_default();
        let facts = &self.trace.facts;
        indices.iter().map(move |&i| facts.get(i as usize).unwrap_or(&MISSING_READ))
    }

    /// The rule's first line.
    pub fn line(&self) -> u32 {
        self.entry.line
    }

    /// The rule's source span.
    pub fn span(&self) -> Span {
        self.entry.span
    }

    /// The entry as an owned [`TracedRule`] (also `TracedRule::from`).
    pub fn to_traced(&self) -> TracedRule {
        TracedRule {
            rule: Name::from(self.rule()),
            outcome: self.outcome(),
            clause: self.clause().map(Name::from),
            error: self.error().map(str::to_string),
            reads: self.reads().cloned().collect(),
            line: self.line(),
            span: self.span(),
        }
    }
}

/// What a read index that is not there would read as. The evaluator and
/// [`Trace::from_iter`] only make indices of facts they added, so it is never seen.
static MISSING_READ: std::sync::LazyLock<FactRead> =
    std::sync::LazyLock::new(|| FactRead { fact: Name::default(), value: Arc::new(serde_json::Value::Null) });

impl From<RuleTrace<'_>> for TracedRule {
    fn from(rule: RuleTrace<'_>) -> TracedRule {
        rule.to_traced()
    }
}

impl PartialEq for RuleTrace<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.rule(), self.outcome(), self.clause(), self.error(), self.line(), self.span())
            == (other.rule(), other.outcome(), other.clause(), other.error(), other.line(), other.span())
            && self.reads().eq(other.reads())
    }
}

impl fmt::Debug for RuleTrace<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleTrace")
            .field("rule", &self.rule())
            .field("outcome", &self.outcome())
            .field("clause", &self.clause())
            .field("error", &self.error())
            .field("reads", &self.reads().collect::<Vec<_>>())
            .field("line", &self.line())
            .field("span", &self.span())
            .finish()
    }
}

/// The same fields, in the same order, as [`TracedRule`]'s derived `Serialize`.
impl Serialize for RuleTrace<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let optional = usize::from(self.clause().is_some()) + usize::from(self.error().is_some());
        let mut entry = serializer.serialize_struct("TracedRule", 5 + optional)?;
        entry.serialize_field("rule", self.rule())?;
        entry.serialize_field("outcome", &self.outcome())?;
        match self.clause() {
            Some(clause) => entry.serialize_field("clause", clause)?,
            None => entry.skip_field("clause")?,
        }
        match self.error() {
            Some(error) => entry.serialize_field("error", error)?,
            None => entry.skip_field("error")?,
        }
        entry.serialize_field("reads", &Reads(*self))?;
        entry.serialize_field("line", &self.line())?;
        entry.serialize_field("span", &self.span())?;
        entry.end()
    }
}

/// A rule's reads, serialised as a list.
struct Reads<'t>(RuleTrace<'t>);

impl Serialize for Reads<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reads = self.0.reads();
        let mut list = serializer.serialize_seq(Some(reads.len()))?;
        for read in reads {
            list.serialize_element(read)?;
        }
        list.end()
    }
}

impl PartialEq for Trace {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Trace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.len()))?;
        for entry in self.iter() {
            list.serialize_element(&entry)?;
        }
        list.end()
    }
}

impl<'de> Deserialize<'de> for Trace {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Trace, D::Error> {
        Vec::<TracedRule>::deserialize(deserializer).map(Trace::from_iter)
    }
}

/// One rule's trace as owned data: the JSON contract's shape, and how a trace is built by
/// hand (`collect` them into a [`Trace`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracedRule {
    /// The rule's name.
    pub rule: Name,
    /// Matched, not matched or error.
    pub outcome: Outcome,
    /// The condition that decided a non-match or an error, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<Name>,
    /// The error, for outcome `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The facts the conditions read, with their values, in the order read.
    pub reads: Vec<FactRead>,
    /// The rule's first line.
    pub line: u32,
    /// The rule's source span.
    pub span: Span,
}

impl FromIterator<TracedRule> for Trace {
    fn from_iter<I: IntoIterator<Item = TracedRule>>(rules: I) -> Trace {
        let mut texts = TraceTexts::default();
        let mut entries = Vec::new();
        let mut facts = Vec::new();
        for (i, rule) in rules.into_iter().enumerate() {
            let has_clause = rule.clause.is_some();
            texts.push_rule(rule.rule, rule.clause);
            let start = index(facts.len());
            facts.extend(rule.reads);
            entries.push((
                i,
                rule.outcome,
                has_clause.then_some(0),
                rule.error,
                start..index(facts.len()),
                rule.line,
                rule.span,
            ));
        }
        let mut trace = Trace::new(Arc::new(texts), entries.len(), 0);
        trace.facts = facts;
        for (i, outcome, clause, error, reads, line, span) in entries {
            reads.for_each(|fact| trace.read(fact));
            trace.push(i, outcome, clause, error, line, span);
        }
        trace
    }
}
