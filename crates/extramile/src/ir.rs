//! The compiled policy: fact paths resolved to slots, names to indices, constants folded,
//! and an index over rules keyed on a text fact.

use crate::money::Currency;
use crate::name::Name;
use crate::script::Scripts;
use crate::syntax::ast::{SinceDirection, TimeUnit};
use crate::syntax::span::Span;
use crate::value::{Ty, Value};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

mod shortcut;
pub use shortcut::{Amount, AmountShortcut, Condition, Shortcut};

/// Index of a fact slot in `Program::facts`.
pub type SlotId = usize;
/// Index of a gesture in `Program::gestures`.
pub type GestureId = usize;
/// Index of a role in `Program::roles`: a higher index is a higher role.
pub type RoleId = usize;

/// A checked, compiled policy.
#[derive(Debug)]
pub struct Program {
    /// The policy's name.
    pub name: Name,
    /// The policy's currency.
    pub currency: Currency,
    /// The currency's code, shared with every decision.
    pub currency_code: Name,
    /// The role ladder, lowest first, shared with every decision.
    pub roles: Vec<Name>,
    /// Declared facts, one slot each.
    pub facts: Vec<FactSlot>,
    /// The facts' paths as a tree of object keys, for reading JSON text straight into slots.
    pub fact_tree: crate::eval::tree::FactTree,
    /// The gesture catalogue.
    pub gestures: Vec<Gesture>,
    /// Rules in source order.
    pub rules: Vec<Rule>,
    /// Top-level forbids in source order.
    pub forbids: Vec<Forbid>,
    /// Limits in source order.
    pub limits: Vec<Limit>,
    /// The rule index.
    pub index: RuleIndex,
    /// Compiled Rhai helpers.
    pub scripts: Scripts,
    /// Limits on the incident facts.
    pub fact_limits: crate::eval::facts::FactLimits,
    /// Line of each byte offset's start, for messages.
    pub source_lines: crate::syntax::span::SourceMap,
    /// The source text.
    pub source: Arc<str>,
    /// Each rule's name and conditions as written (whitespace collapsed), which every
    /// trace quotes.
    pub trace_texts: Arc<crate::decision::TraceTexts>,
    /// What the rules do besides granting, so that evaluation skips the steps no rule
    /// needs (most policies' rules only grant).
    pub rule_effects: RuleEffects,
}

/// Whether any rule of a program forbids gestures, and whether any owes, recommends or
/// escalates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleEffects {
    /// Some rule forbids gestures when it matches.
    pub forbids: bool,
    /// Some rule owes, recommends or escalates when it matches.
    pub follow_ups: bool,
}

impl RuleEffects {
    /// The effects of `rules`.
    pub fn of(rules: &[Rule]) -> RuleEffects {
        RuleEffects {
            forbids: rules.iter().any(|rule| !rule.forbids.is_empty()),
            follow_ups: rules
                .iter()
                .any(|rule| !(rule.owes.is_empty() && rule.recommends.is_empty() && rule.escalations.is_empty())),
        }
    }
}

/// A declared fact.
#[derive(Debug)]
pub struct FactSlot {
    /// The dotted path.
    pub path: Name,
    /// The path split at dots.
    pub segments: Vec<Name>,
    /// The declared type.
    pub ty: Ty,
    /// For `one of`: the allowed values.
    pub one_of: Option<Vec<Name>>,
    /// For a `one of` text fact: the allowed values, sorted for binary search and shared
    /// with every value read, so that reading one allocates nothing.
    pub one_of_sorted: Vec<Arc<str>>,
    /// The same values as JSON, for traces to share: made on the first traced evaluation.
    pub one_of_json: std::sync::OnceLock<Vec<Arc<serde_json::Value>>>,
    /// The value used when the fact is missing or null.
    pub default: Option<Value>,
}

impl FactSlot {
    /// The JSON of `text`, one of this `one of` fact's values, shared with every trace.
    /// A value read from the facts is the program's own copy, found by its address first.
    pub fn one_of_json(&self, text: &Arc<str>) -> Option<Arc<serde_json::Value>> {
        let index = match self.one_of_sorted.iter().position(|value| Arc::ptr_eq(value, text)) {
            Some(index) => index,
            None => self.one_of_sorted.binary_search_by(|value| (**value).cmp(&**text)).ok()?,
        };
        let table = self.one_of_json.get_or_init(|| {
            self.one_of_sorted.iter().map(|value| Arc::new(serde_json::Value::String(value.to_string()))).collect()
        });
        table.get(index).cloned()
    }
}

/// A gesture of the catalogue.
#[derive(Debug)]
pub struct Gesture {
    /// Its name.
    pub name: Name,
    /// What it takes.
    pub kind: Option<crate::syntax::ast::ParamKind>,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Its name.
    pub name: Name,
    /// Its title, if given.
    pub title: Option<String>,
    /// Higher ranks first.
    pub priority: i64,
    /// Conditions that must all hold, in source order (`when` lines split at top-level `and`).
    pub conditions: Vec<Condition>,
    /// The rule's first line, for the trace.
    pub line: u32,
    /// Grants.
    pub grants: Vec<Grant>,
    /// Entitlements.
    pub owes: Vec<Owe>,
    /// Recommendations.
    pub recommends: Vec<Recommend>,
    /// Escalations.
    pub escalations: Vec<Escalate>,
    /// Forbids that hold when the rule matches.
    pub forbids: Vec<Forbid>,
    /// The whole rule.
    pub span: Span,
}

/// `ROLE may A or B`.
#[derive(Debug)]
pub struct Grant {
    /// The least role.
    pub role: RoleId,
    /// Alternatives, any one of which may be given.
    pub alternatives: Vec<Alternative>,
    /// The statement.
    pub span: Span,
}

/// One alternative of a grant.
#[derive(Debug)]
pub struct Alternative {
    /// The gesture.
    pub gesture: GestureId,
    /// The item words.
    pub item: Option<Name>,
    /// The `up to` amount; `None` means no upper bound.
    pub up_to: Option<Amount>,
}

/// `owe G of AMOUNT`.
#[derive(Debug)]
pub struct Owe {
    /// The gesture.
    pub gesture: GestureId,
    /// The item words.
    pub item: Option<Name>,
    /// The exact amount.
    pub amount: Option<Expr>,
}

/// `recommend G in DURATION`.
#[derive(Debug)]
pub struct Recommend {
    /// The gesture.
    pub gesture: GestureId,
    /// The item words.
    pub item: Option<Name>,
    /// The amount.
    pub amount: Option<Expr>,
    /// Due after this duration from now.
    pub due_in: Option<Expr>,
}

/// `escalate to ROLE`.
#[derive(Debug)]
pub struct Escalate {
    /// The role.
    pub role: RoleId,
    /// Why.
    pub reason: Option<Name>,
}

/// A forbid.
#[derive(Debug)]
pub struct Forbid {
    /// The name the decision uses: the rule's, or `never@LINE`.
    pub name: Name,
    /// The gestures forbidden.
    pub gestures: Vec<GestureId>,
    /// The condition (none inside a rule: the rule's conditions apply).
    pub condition: Option<Expr>,
    /// Why.
    pub reason: Option<Name>,
    /// The statement.
    pub span: Span,
}

/// A cap on gestures across rules.
#[derive(Debug)]
pub struct Limit {
    /// `limit@LINE`.
    pub name: Name,
    /// The gestures capped.
    pub gestures: Vec<GestureId>,
    /// The cap.
    pub amount: Expr,
    /// What the cap counts over, in words.
    pub scope: Option<String>,
    /// How much is already used.
    pub already_used: Option<Expr>,
    /// The statement.
    pub span: Span,
}

/// Rule indices by the text value of one fact.
pub type RulesByValue = TextMap<Vec<usize>>;

/// A table by text, fixed at load: a few entries are scanned (see `value::find_sorted`),
/// which for the short values of a policy beats hashing the text; more are hashed.
#[derive(Debug)]
pub enum TextMap<T> {
    /// Up to [`TextMap::FEW`] entries, sorted by text.
    Few(Vec<(Arc<str>, T)>),
    /// More.
    Many(HashMap<Arc<str>, T, BuildHasherDefault<TextHasher>>),
}

impl<T> TextMap<T> {
    /// Up to this many entries are scanned.
    pub const FEW: usize = 8;

    /// The entry for `text`.
    pub fn get(&self, text: &str) -> Option<&T> {
        match self {
            TextMap::Few(entries) => crate::value::find_sorted(entries, text, |(key, _)| key).map(|(_, value)| value),
            TextMap::Many(map) => map.get(text),
        }
    }

    /// The entries, in no particular order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&Arc<str>, &T)> + '_> {
        match self {
            TextMap::Few(entries) => Box::new(entries.iter().map(|(key, value)| (key, value))),
            TextMap::Many(map) => Box::new(map.iter()),
        }
    }

    /// The values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.iter().map(|(_, value)| value)
    }
}

impl<T> Default for TextMap<T> {
    fn default() -> TextMap<T> {
        TextMap::Few(Vec::new())
    }
}

impl<T> FromIterator<(Arc<str>, T)> for TextMap<T> {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, T)>>(entries: I) -> TextMap<T> {
        let mut entries: Vec<(Arc<str>, T)> = entries.into_iter().collect();
        if entries.len() <= Self::FEW {
            entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
            TextMap::Few(entries)
        } else {
            TextMap::Many(entries.into_iter().collect())
        }
    }
}

/// FNV-1a: the index is looked up once per evaluation with a short text, where the
/// default hasher's setup costs more than the lookup. The table is fixed at load, so a
/// crafted incident cannot make it degrade.
#[derive(Debug, Clone, Copy)]
pub struct TextHasher(u64);

impl Default for TextHasher {
    fn default() -> TextHasher {
        TextHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Candidate rules by the value of one text fact, so that most rules are never looked at.
#[derive(Debug, Default)]
pub struct RuleIndex {
    /// For each indexed slot: the rules whose first condition is `slot is "value"`.
    pub by_slot: Vec<(SlotId, RulesByValue)>,
    /// For each entry of `by_slot`: its rules, each once, in source order.
    pub keyed: Vec<Vec<usize>>,
    /// Rules that must always be evaluated.
    pub always: Vec<usize>,
    /// The candidates for each value of the fact that keys the most rules, merged with
    /// `always` in advance, so that evaluation finds most of them in one lookup.
    pub merged: Option<MergedIndex>,
}

/// A rule to evaluate, by index, and whether its first condition (the key condition) is
/// known to hold because the rule was found under the fact's value.
pub type Candidate = (usize, bool);

/// The candidates of one keyed fact of a [`RuleIndex`] merged with its `always`, in source order.
#[derive(Debug, Default)]
pub struct MergedIndex {
    /// The keyed fact.
    pub slot: SlotId,
    /// For each key value: `always` and the rules keyed on the value.
    pub by_value: TextMap<Arc<[Candidate]>>,
    /// When the fact is a `one of`: for each of its values, by index in its
    /// `one_of_sorted`, the list `by_value` has for it (or `other_value`), so that a value
    /// read as a choice is looked up by position rather than by text. Empty otherwise.
    pub by_choice: Vec<Arc<[Candidate]>>,
    /// For a text that is no key: `always` alone.
    pub other_value: Arc<[Candidate]>,
    /// When the fact has no usable value: `always` and every rule keyed on the fact, each
    /// to report its error.
    pub no_value: Arc<[Candidate]>,
}

impl RuleIndex {
    /// Most candidate entries a merged index may hold (`always` is repeated for each key
    /// value); past this, evaluation merges per incident instead.
    pub const MAX_MERGED: usize = 1 << 20;
}

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Compiled expression kinds.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// A fact.
    Fact(SlotId),
    /// A list built at run time.
    List(Vec<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// `and`, short-circuit. Operands come in one allocation: `[left, right]`.
    And(Box<[Expr; 2]>),
    /// `or`, short-circuit: `[left, right]`.
    Or(Box<[Expr; 2]>),
    /// A comparison: `[left, right]`.
    Compare(CompareOp, Box<[Expr; 2]>),
    /// Membership, `[needle, haystack]`; `true` for `not in`.
    In(Box<[Expr; 2]>, bool),
    /// `list contains x` or `text contains text`: `[haystack, needle]`.
    Contains(Box<[Expr; 2]>),
    /// Arithmetic: `[left, right]`.
    Arith(ArithOp, Box<[Expr; 2]>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// Inclusive range test; `true` for `not between`.
    Between(Box<[Expr; 3]>, bool),
    /// `min(...)`.
    Min(Vec<Expr>),
    /// `max(...)`.
    Max(Vec<Expr>),
    /// `round(x)` or `round(x, digits)`; money rounds to whole units by default.
    Round(Box<Expr>, Option<Box<Expr>>),
    /// `abs(x)`.
    Abs(Box<Expr>),
    /// `days since x` and friends.
    Since(TimeUnit, SinceDirection, Box<Expr>),
    /// `now`.
    Now,
    /// `today`.
    Today,
    /// A call of a Rhai helper by index.
    Script(usize, Vec<Expr>),
    /// A script result converted to the type its use expects.
    Coerce(Ty, Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less.
    Lt,
    /// Less or equal.
    Le,
    /// Greater.
    Gt,
    /// Greater or equal.
    Ge,
}

impl CompareOp {
    /// Whether the operator holds between two values that compare as `ordering`.
    #[inline]
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        // Which orderings each operator accepts, a bit each (less, equal, greater from the
        // lowest): a table lookup rather than a branch on the operator, which a policy's
        // rules vary from one condition to the next.
        let accepted: u8 = match self {
            CompareOp::Eq => 0b010,
            CompareOp::Ne => 0b101,
            CompareOp::Lt => 0b001,
            CompareOp::Le => 0b011,
            CompareOp::Gt => 0b100,
            CompareOp::Ge => 0b110,
        };
        let bit = match ordering {
            std::cmp::Ordering::Less => 0b001,
            std::cmp::Ordering::Equal => 0b010,
            std::cmp::Ordering::Greater => 0b100,
        };
        accepted & bit != 0
    }
}

/// Arithmetic operators (`of` compiles to `Mul`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly")]
mod tests {
    use std::sync::Arc;

    #[test]
    fn a_text_map_finds_what_it_was_given_whether_scanned_or_hashed() {
        for size in [0, 1, 7, 8, 9, 100] {
            let map: super::TextMap<usize> = (0..size).map(|n| (Arc::from(format!("k{n}").as_str()), n)).collect();
            assert_eq!(matches!(map, super::TextMap::Few(_)), size <= super::TextMap::<usize>::FEW);
            for n in 0..size {
                assert_eq!(map.get(&format!("k{n}")), Some(&n), "{size} entries");
            }
            assert_eq!(map.get("k"), None);
            assert_eq!(map.get(&format!("k{size}")), None);
            assert_eq!(map.values().count(), size);
        }
    }

    #[test]
    fn a_one_of_value_has_its_shared_json_whichever_copy_of_the_text_asks() {
        let policy = crate::Policy::parse("currency USD\nroles agent\n\nfacts\n  k: one of \"b\", \"a\"\n").unwrap();
        let fact = &policy.program.facts[0];
        let shared = Arc::clone(&fact.one_of_sorted[1]);
        let by_address = fact.one_of_json(&shared).unwrap();
        let by_text = fact.one_of_json(&Arc::from("b")).unwrap();
        assert!(Arc::ptr_eq(&by_address, &by_text), "one JSON value per text, shared");
        assert_eq!(*by_text, serde_json::json!("b"));
        assert_eq!(fact.one_of_json(&Arc::from("c")), None);
    }
}
