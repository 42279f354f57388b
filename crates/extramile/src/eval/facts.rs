//! Reads an incident's JSON into the fact table, by the declared schema.
//!
//! Every declared fact gets a slot holding its value or the reason it has none; a missing
//! fact only matters to the rules that read it.

use crate::ir::{FactSlot, Program, SlotId};
use crate::money::{self, AmountError, Currency};
use crate::name::Name;
use crate::value::{Ty, Value};
use chrono::DateTime;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::fmt::Write;
use std::str::FromStr;
use std::sync::Arc;

/// Why a fact has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactError {
    /// The fact's path, with a list index where one element was wrong.
    pub path: String,
    /// What is wrong, naming the path and what was expected.
    pub message: String,
}

/// Limits on the incident facts, set with [`crate::LoadOptions::fact_limits`]. A text or
/// list over its limit is an error of that fact (the rules that read it fail safe); facts
/// nested deeper than `max_depth` refuse the whole request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactLimits {
    /// Longest text in a fact, in bytes (default 65,536).
    pub max_text_bytes: usize,
    /// Most elements in a list fact, at each level (default 10,000).
    pub max_list_len: usize,
    /// Deepest nesting of objects and arrays in the facts document (default 32; the facts
    /// object itself is level 1). serde_json refuses documents nested deeper than 128
    /// while parsing, whatever this limit.
    pub max_depth: usize,
}

impl Default for FactLimits {
    fn default() -> FactLimits {
        FactLimits { max_text_bytes: 64 * 1024, max_list_len: 10_000, max_depth: 32 }
    }
}

/// Checks that `facts` nests no deeper than `max_depth`; otherwise returns the path of the
/// first value that goes too deep (such as `order.items[3].options`). The walk allocates
/// nothing unless it fails.
pub fn check_depth(facts: &Json, max_depth: usize) -> Result<(), String> {
    /// The steps from the root to the first container nested too deep, innermost first.
    fn too_deep<'j>(value: &'j Json, depth: usize, max_depth: usize) -> Option<Vec<Step<'j>>> {
        let is_container = |child: &Json| matches!(child, Json::Object(_) | Json::Array(_));
        if depth > max_depth {
            return Some(Vec::new());
        }
        // Leaves cannot be too deep: only containers are visited.
        let found = match value {
            Json::Object(map) => map
                .iter()
                .filter(|(_, child)| is_container(child))
                .find_map(|(key, child)| too_deep(child, depth + 1, max_depth).map(|steps| (steps, Step::Key(key)))),
            Json::Array(items) => {
                items.iter().enumerate().filter(|(_, child)| is_container(child)).find_map(|(index, child)| {
                    too_deep(child, depth + 1, max_depth).map(|steps| (steps, Step::Index(index)))
                })
            }
            _ => None,
        };
        found.map(|(mut steps, step)| {
            steps.push(step);
            steps
        })
    }
    enum Step<'j> {
        Key(&'j str),
        Index(usize),
    }
    if !matches!(facts, Json::Object(_) | Json::Array(_)) {
        return Ok(());
    }
    let Some(steps) = too_deep(facts, 1, max_depth) else { return Ok(()) };
    let mut path = String::new();
    for step in steps.iter().rev() {
        match step {
            Step::Key(key) if path.is_empty() => path.push_str(key),
            Step::Key(key) => {
                path.push('.');
                path.push_str(key);
            }
            Step::Index(index) => {
                let _ = write!(path, "[{index}]");
            }
        }
    }
    Err(path)
}

/// Reads every declared fact of `program` from `facts` into `values`, by slot.
pub fn read_facts(program: &Program, facts: &Json, values: &mut Vec<Result<Value, FactError>>) {
    let limits = program.fact_limits;
    values.extend(program.facts.iter().map(|slot| read_slot(slot, facts, program.currency, limits)));
}

/// A fact table: each declared fact's value, or why it has none, by slot; and how a reader
/// that walked a document gave each (empty when the facts were read without marks).
#[derive(Debug, Clone, Default)]
pub(crate) struct FactTable {
    pub(crate) values: Vec<Result<Value, FactError>>,
    pub(crate) marks: Vec<Mark>,
    /// The keys of the document that lead to no declared fact.
    pub(crate) unknown: UnknownKeys,
}

impl FactTable {
    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.marks.clear();
        self.unknown.clear();
    }

    /// Gives the fact in `slot` of `program` the value `json`, read as the readers of
    /// documents read it (with its `one of` position marked), replacing what it had.
    pub(crate) fn set_json(&mut self, program: &Program, slot: SlotId, json: &Json) {
        // Given again: the slot is read as a reader of documents fills it.
        if let Some(mark) = self.marks.get_mut(slot) {
            *mark = Mark::NotGiven;
        }
        let FactTable { values, marks, unknown } = self;
        Filling { program, marks, values, unknown }.set_json(slot, json);
    }
}

/// The keys of a facts document that lead to no declared fact (a misspelt `"custmer"`),
/// found by the readers that walk a document: how many, and the first few in the order of
/// their paths (the same whichever order the reader met them in).
#[derive(Debug, Clone, Default)]
pub(crate) struct UnknownKeys {
    /// How many keys lead to no declared fact.
    pub(crate) count: usize,
    /// The first [`UnknownKeys::KEPT`] of them by path: the fact tree's object (by its id
    /// in `FactTree::object_paths`) and the key in it, sorted.
    pub(crate) first: Vec<(usize, Box<str>)>,
}

impl UnknownKeys {
    /// How many unknown keys a decision names; it counts the others.
    pub(crate) const KEPT: usize = 10;

    fn clear(&mut self) {
        self.count = 0;
        self.first.clear();
    }

    /// Notes `key` of the tree's object `object` (`paths` are the tree's object paths).
    fn add(&mut self, paths: &[Box<str>], object: usize, key: &str) {
        self.count = self.count.saturating_add(1);
        let path = |object: usize| paths.get(object).map_or("", |path| &**path);
        let new = (path(object), key);
        let at = self.first.partition_point(|(o, k)| (path(*o), &**k) < new);
        if at < UnknownKeys::KEPT {
            self.first.insert(at, (object, key.into()));
            self.first.truncate(UnknownKeys::KEPT);
        }
    }
}

/// What a reader that fills the fact table knows of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Not given by the document (yet).
    NotGiven,
    /// Given.
    Given,
    /// Given as the `one of` value at this index of the fact's `one_of_sorted`, which the
    /// rule index then looks up by position rather than by text.
    Choice(u32),
}

/// The `one of` value a slot was given as, by its index in the fact's `one_of_sorted`
/// (`None` when unknown: the fact is not a `one of`, or its table was not read by a
/// [`Filling`]).
pub(crate) fn choice(marks: &[Mark], slot: SlotId) -> Option<usize> {
    match marks.get(slot) {
        Some(Mark::Choice(index)) => usize::try_from(*index).ok(),
        _ => None,
    }
}

/// A fact table being filled by a reader that finds facts while walking a document (the
/// one walk of a facts `Value` in `tree`, the JSON text reader in `stream`): each slot is
/// set at most once, and [`Filling::finish`] fills the slots that were not given.
pub(crate) struct Filling<'t> {
    program: &'t Program,
    marks: &'t mut Vec<Mark>,
    values: &'t mut Vec<Result<Value, FactError>>,
    unknown: &'t mut UnknownKeys,
}

impl<'t> Filling<'t> {
    /// Starts filling `table` for `program`, marking what was given.
    pub(crate) fn new(program: &'t Program, table: &'t mut FactTable) -> Filling<'t> {
        let FactTable { values, marks, unknown } = table;
        // Every slot is set or finished before it is read; this placeholder is the cheapest
        // to write and to drop.
        values.clear();
        values.resize_with(program.facts.len(), || Ok(Value::Bool(false)));
        marks.clear();
        marks.resize(program.facts.len(), Mark::NotGiven);
        unknown.clear();
        Filling { program, marks, values, unknown }
    }

    /// The program whose facts are read.
    pub(crate) fn program(&self) -> &'t Program {
        self.program
    }

    /// Notes that `key` of the fact tree's object `object` (0 for the facts object) leads to
    /// no declared fact.
    pub(crate) fn unknown_key(&mut self, object: usize, key: &str) {
        self.unknown.add(&self.program.fact_tree.object_paths, object, key);
    }

    /// Reads the fact in `slot` from `json`, as [`read_facts`] does; `false` if the slot was
    /// given already.
    pub(crate) fn set_json(&mut self, slot: SlotId, json: &Json) -> bool {
        let program = self.program;
        if let (Json::String(text), Some(fact)) = (json, program.facts.get(slot)) {
            if let Some(index) = one_of_index(fact, text) {
                return self.set_choice(slot, index);
            }
        }
        let Some((fact, value, _)) = self.take(slot) else { return false };
        *value = match quick_value(fact, json, program.currency) {
            Some(quick) => Ok(quick),
            None => slot_value(fact, Some(json), None, program.currency, program.fact_limits),
        };
        true
    }

    /// Sets the fact in `slot` to what `read` gives; `false` if the slot was given already.
    pub(crate) fn set_with(&mut self, slot: SlotId, read: impl FnOnce(&FactSlot) -> Result<Value, FactError>) -> bool {
        let Some((fact, value, _)) = self.take(slot) else { return false };
        *value = read(fact);
        true
    }

    /// Sets the `one of` fact in `slot` to its value at `index` of `one_of_sorted` (see
    /// [`one_of_index`]); `false` if the slot was given already or has no such value.
    pub(crate) fn set_choice(&mut self, slot: SlotId, index: usize) -> bool {
        let program = self.program;
        let Some(text) = program.facts.get(slot).and_then(|fact| fact.one_of_sorted.get(index)) else { return false };
        let Ok(choice) = u32::try_from(index) else { return false };
        let Some((_, value, mark)) = self.take(slot) else { return false };
        *value = Ok(Value::Text(Arc::clone(text)));
        *mark = Mark::Choice(choice);
        true
    }

    /// The declared fact in `slot`, its place in the table and its mark, marked as given;
    /// `None` if it was given already.
    #[inline]
    fn take(&mut self, slot: SlotId) -> Option<(&'t FactSlot, &mut Result<Value, FactError>, &mut Mark)> {
        let (fact, mark, value) =
            (self.program.facts.get(slot)?, self.marks.get_mut(slot)?, self.values.get_mut(slot)?);
        if *mark != Mark::NotGiven {
            return None;
        }
        *mark = Mark::Given;
        Some((fact, value, mark))
    }

    /// Gives each slot that was not given what `read` makes of it.
    pub(crate) fn finish(self, read: impl Fn(&FactSlot) -> Result<Value, FactError>) {
        let slots = self.program.facts.iter().zip(self.marks.iter()).zip(self.values.iter_mut());
        for ((fact, mark), value) in slots {
            if *mark == Mark::NotGiven {
                *value = read(fact);
            }
        }
    }
}

/// The value of the fact `slot` as [`slot_value`] reads `json`, directly, for the commonest
/// numbers: a whole number, and money written as a JSON number with at most the currency's
/// decimals (a `one of` text is read by [`one_of_index`]). `None` for anything else, which
/// `slot_value` then reads (and gives the exact error).
#[inline]
fn quick_value(slot: &FactSlot, json: &Json, currency: Currency) -> Option<Value> {
    match json {
        Json::Number(n) => match n.as_i64() {
            Some(whole) => whole_value(&slot.ty, whole, currency),
            None if n.is_f64() => fractional_value(&slot.ty, n.as_f64()?, currency),
            None => None,
        },
        _ => None,
    }
}

/// A fact of type `ty` given as the whole JSON number `n`, read directly: a number, or
/// money widened to the currency's decimals; `None` for other types. Shared by
/// [`quick_value`] and the JSON text reader, so that both read it alike.
#[inline]
pub(crate) fn whole_value(ty: &Ty, n: i64, currency: Currency) -> Option<Value> {
    match ty {
        Ty::Number => Some(Value::Number(Decimal::from(n))),
        Ty::Money => currency.round(Decimal::from(n)).map(Value::Money),
        _ => None,
    }
}

/// A fact of type `ty` given as a JSON number with a fraction or exponent, read as `x`:
/// money with at most the currency's decimals ([`money_of_f64`]); `None` otherwise.
#[inline]
pub(crate) fn fractional_value(ty: &Ty, x: f64, currency: Currency) -> Option<Value> {
    match ty {
        Ty::Money => money_of_f64(x, currency).map(Value::Money),
        _ => None,
    }
}

/// The value of the fact in `slot`, found by its path in `facts`.
pub(crate) fn read_slot(
    slot: &FactSlot,
    facts: &Json,
    currency: Currency,
    limits: FactLimits,
) -> Result<Value, FactError> {
    let mut node = Some(facts);
    // Where the path stopped at something that is not an object, for the message.
    let mut not_object: Option<(usize, &Json)> = None;
    for (depth, segment) in slot.segments.iter().enumerate() {
        if let Some(parent) = node.filter(|n| !n.is_object() && !n.is_null() && depth > 0) {
            not_object = not_object.or(Some((depth, parent)));
        }
        node = node.and_then(|n| n.get(segment.as_str()));
    }
    slot_value(slot, node, not_object, currency, limits)
}

/// The value of the fact in `slot`, given the JSON found at its path (`None` if nothing
/// was) and, when the path ran into something other than an object, how far it got.
pub fn slot_value(
    slot: &FactSlot,
    node: Option<&Json>,
    not_object: Option<(usize, &Json)>,
    currency: Currency,
    limits: FactLimits,
) -> Result<Value, FactError> {
    // A path through something that is not an object (`"customer": ["vip"]` where
    // `customer.flags` is declared) is a wrong value, never a missing one: the default would
    // let a malformed document pass for a harmless one (an empty list of flags, so a `never`
    // that reads them would not fire). A `null` on the way is an absent object: missing.
    if let (None, Some((depth, parent))) = (node, not_object) {
        return Err(FactError {
            path: slot.path.to_string(),
            message: format!(
                "fact `{}` cannot be read: `{}` is {}, not an object",
                slot.path,
                slot.segments.get(..depth).map(|s| s.join(".")).unwrap_or_default(),
                kind_of(parent)
            ),
        });
    }
    match node {
        None | Some(Json::Null) => slot.default.clone().ok_or_else(|| FactError {
            path: slot.path.to_string(),
            message: match node {
                None => {
                    format!("fact `{}` is missing: expected {}", slot.path, describe(&slot.ty, &slot.one_of))
                }
                Some(_) => format!("fact `{}` is null: expected {}", slot.path, describe(&slot.ty, &slot.one_of)),
            },
        }),
        Some(Json::String(text)) if !slot.one_of_sorted.is_empty() => match one_of_value(slot, text) {
            Some(value) => Ok(value),
            None => Err(FactError {
                path: slot.path.to_string(),
                message: format!("fact `{}` is `{text}`: expected {}", slot.path, describe(&slot.ty, &slot.one_of)),
            }),
        },
        Some(json) => {
            let value = convert(&slot.ty, json, &slot.path, currency, limits)?;
            if let (Some(allowed), Value::Text(text)) = (&slot.one_of, &value) {
                if !allowed.iter().any(|a| a.as_str() == &**text) {
                    return Err(FactError {
                        path: slot.path.to_string(),
                        message: format!(
                            "fact `{}` is `{text}`: expected {}",
                            slot.path,
                            describe(&slot.ty, &slot.one_of)
                        ),
                    });
                }
            }
            Ok(value)
        }
    }
}

/// A `one of` fact's `text`, if it is one of the values: the program's copy of the value,
/// shared instead of allocated.
pub(crate) fn one_of_value(slot: &FactSlot, text: &str) -> Option<Value> {
    one_of_index(slot, text)
        .and_then(|index| slot.one_of_sorted.get(index))
        .map(|allowed| Value::Text(Arc::clone(allowed)))
}

/// The index of `text` in the `one of` values of `slot` (sorted), if it is one of them.
pub(crate) fn one_of_index(slot: &FactSlot, text: &str) -> Option<usize> {
    crate::value::position_sorted(&slot.one_of_sorted, text, |allowed| allowed)
}

fn describe(ty: &Ty, one_of: &Option<Vec<Name>>) -> String {
    match (ty, one_of) {
        (_, Some(values)) => {
            let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("one of {}", quoted.join(", "))
        }
        (Ty::Money, _) => "money (a number such as 12.50, or a string such as \"12.50 USD\")".into(),
        (Ty::Date, _) => "a date such as \"2026-05-01\"".into(),
        (Ty::Time, _) => "a time such as \"2026-05-01T10:00:00Z\"".into(),
        (Ty::Duration, _) => "a duration such as \"3 days\", \"90 minutes\" or \"PT2H\"".into(),
        (ty, _) => ty.to_string(),
    }
}

fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn mismatch(path: &str, ty: &Ty, json: &Json) -> FactError {
    let found = found(json);
    FactError { path: path.to_string(), message: format!("fact `{path}` is {found}: expected {}", describe(ty, &None)) }
}

/// A fact's JSON as messages quote it (texts cut at 40 characters).
fn found(json: &Json) -> String {
    match json {
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "an object".to_string(),
    }
}

/// The error for a fact given as a JSON number that [`decimal_of`] does not read: what is
/// wrong with it, and how to send it instead.
fn inexact(path: &str, ty: &Ty, json: &Json, why: InexactNumber) -> FactError {
    let message = match (why, ty) {
        (InexactNumber::MoreDigitsThanADouble, Ty::Money) => format!(
            "fact `{path}` is a JSON number with more digits than a double holds exactly: send it as a string such as \"123456789012345.67\""
        ),
        (InexactNumber::MoreDigitsThanADouble, _) => format!(
            "fact `{path}` is a JSON number with more digits than a double holds exactly (at most {EXACT_DIGITS} significant digits, below 2^53)"
        ),
        (InexactNumber::OutOfRange, _) => format!(
            "fact `{path}` is {}: out of range for an exact number (below 7.9e28 in magnitude, at most 28 decimals)",
            found(json)
        ),
    };
    FactError { path: path.to_string(), message }
}

fn convert(ty: &Ty, json: &Json, path: &str, currency: Currency, limits: FactLimits) -> Result<Value, FactError> {
    let fail = || mismatch(path, ty, json);
    let too_large = |what: String| FactError {
        path: path.to_string(),
        message: format!("fact `{path}` is {what}: more than the limit of {}", limit_of(json, limits)),
    };
    match json {
        Json::String(s) if s.len() > limits.max_text_bytes => {
            return Err(too_large(format!("a text of {} bytes", s.len())))
        }
        Json::Array(items) if items.len() > limits.max_list_len => {
            return Err(too_large(format!("a list of {} elements", items.len())))
        }
        _ => {}
    }
    match ty {
        Ty::Text | Ty::Any => json.as_str().map(|s| Value::Text(Arc::from(s))).ok_or_else(fail),
        Ty::Bool => json.as_bool().map(Value::Bool).ok_or_else(fail),
        Ty::Number => match json {
            Json::Number(n) => decimal_of(n).map(Value::Number).map_err(|why| inexact(path, ty, json, why)),
            _ => Err(fail()),
        },
        Ty::Money => read_money(json, path, currency),
        Ty::Date => json.as_str().and_then(crate::value::parse_date).map(Value::Date).ok_or_else(fail),
        Ty::Time => json.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(Value::Time).ok_or_else(fail),
        Ty::Duration => json.as_str().and_then(crate::value::parse_duration).map(Value::Duration).ok_or_else(fail),
        Ty::List(elem) => {
            let items = json.as_array().ok_or_else(fail)?;
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(elem, item, &format!("{path}[{i}]"), currency, limits))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::List(Arc::from(values)))
        }
    }
}

fn limit_of(json: &Json, limits: FactLimits) -> usize {
    match json {
        Json::Array(_) => limits.max_list_len,
        _ => limits.max_text_bytes,
    }
}

/// Why a JSON number is not read as an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InexactNumber {
    /// A number with a fraction or exponent that a double may not hold as written: 2^53 or
    /// more in magnitude, or more than 15 significant digits in its shortest text. Several
    /// texts read as the same double then, so the value written is not known.
    MoreDigitsThanADouble,
    /// Beyond what an exact decimal holds (such as `1e300` or `1e-320`).
    OutOfRange,
}

/// At most this many significant digits name one double, and every double with a shortest
/// text of at most this many digits was written as that text (or as one with more digits).
const EXACT_DIGITS: usize = 15;

/// A JSON number as an exact decimal, the one rule every reader of facts applies (the
/// tree, the stream and `Facts::set` all end here or in the agreeing [`money_of_f64`]):
/// integers exactly; others only when the double certainly is the number written, that is
/// when it is below 2^53 in magnitude and its shortest round-trip text has at most 15
/// significant digits, which is then the text read. Any other double may stand for several
/// texts (`123456789012345.67` and `...345.69` read alike), and guessing one could change an
/// amount, so it is refused, never rounded.
fn decimal_of(n: &serde_json::Number) -> Result<Decimal, InexactNumber> {
    const EXACT_BELOW: f64 = 9_007_199_254_740_992.0; // 2^53
    const DECIMAL_BELOW: f64 = 7.9e28; // just under Decimal::MAX
    if let Some(i) = n.as_i64() {
        return Ok(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Decimal::from(u));
    }
    let x = n.as_f64().ok_or(InexactNumber::OutOfRange)?;
    if x.is_nan() || x.abs() >= DECIMAL_BELOW {
        return Err(InexactNumber::OutOfRange);
    }
    if x.abs() >= EXACT_BELOW {
        return Err(InexactNumber::MoreDigitsThanADouble);
    }
    // The shortest round-trip text fits in 32 bytes; formatting it on the stack saves an
    // allocation per money fact.
    let mut buffer = StackText::default();
    let text = match write!(buffer, "{n}") {
        Ok(()) => buffer.as_str(),
        Err(_) => None,
    };
    let owned;
    let text = match text {
        Some(text) => text,
        None => {
            owned = n.to_string();
            owned.as_str()
        }
    };
    if significant_digits(text) > EXACT_DIGITS {
        return Err(InexactNumber::MoreDigitsThanADouble);
    }
    Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).map_err(|_| InexactNumber::OutOfRange)
}

/// The significant digits of a number's text (`0.00120e5` has 3): its digits before any
/// exponent, without leading and trailing zeros.
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text).trim_start_matches('-');
    let significant = mantissa.trim_start_matches(['0', '.']).trim_end_matches(['0', '.']);
    significant.bytes().filter(u8::is_ascii_digit).count()
}

/// A JSON number read as money without going through its text: `12.5` is 1,250 cents
/// when 1,250 / 100 is the very same binary number. With fewer than 10^15 minor units,
/// that amount has at most 15 significant digits, so it is the shortest text of the binary
/// number and [`decimal_of`] reads the same amount: the two agree on every number. `None`
/// for anything else (zero, huge amounts, more decimals than the currency has): the exact
/// path through the text then decides.
fn money_of(n: &serde_json::Number, currency: Currency) -> Option<Decimal> {
    if n.is_i64() || n.is_u64() {
        return None;
    }
    money_of_f64(n.as_f64()?, currency)
}

/// [`money_of`] for a JSON number that is not an integer, read as `x`.
fn money_of_f64(x: f64, currency: Currency) -> Option<Decimal> {
    const EXACT_BELOW: f64 = 1e15; // minor units of at most 15 digits (EXACT_DIGITS)
    let scale = match currency.minor_units {
        0 => 1.0,
        1 => 10.0,
        2 => 100.0,
        3 => 1_000.0,
        _ => return None,
    };
    let minor = (x * scale).round();
    if x == 0.0 || minor.is_nan() || minor.abs() >= EXACT_BELOW || minor / scale != x {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, reason = "an integer below 10^15 in magnitude, checked above")]
    let minor = minor as i64;
    Some(Decimal::new(minor, currency.minor_units))
}

/// A small text buffer on the stack; writing more than it holds fails.
struct StackText {
    bytes: [u8; 40],
    len: usize,
}

impl Default for StackText {
    fn default() -> StackText {
        StackText { bytes: [0; 40], len: 0 }
    }
}

impl StackText {
    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.bytes.get(..self.len)?).ok()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn read_money(json: &Json, path: &str, currency: Currency) -> Result<Value, FactError> {
    let fail = |why: String| FactError { path: path.to_string(), message: format!("fact `{path}` {why}") };
    let (amount, code) = match json {
        Json::Number(n) => match money_of(n, currency) {
            Some(amount) => (Ok(amount), None),
            None => (Ok(decimal_of(n).map_err(|why| inexact(path, &Ty::Money, json, why))?), None),
        },
        Json::String(s) => parse_money_text(s, currency),
        Json::Object(map) => {
            let amount = match map.get("amount") {
                Some(number @ Json::Number(n)) => {
                    Ok(decimal_of(n).map_err(|why| inexact(path, &Ty::Money, number, why))?)
                }
                Some(Json::String(s)) => money::parse_amount(s),
                _ => Err(AmountError::Form),
            };
            (amount, map.get("currency").and_then(Json::as_str))
        }
        _ => (Err(AmountError::Form), None),
    };
    let amount = match amount {
        Ok(amount) => amount,
        Err(AmountError::Form) => return Err(mismatch(path, &Ty::Money, json)),
        Err(AmountError::TooManyDigits) => {
            return Err(fail(format!(
                "is {}: more digits than an exact amount holds (28 significant digits)",
                found(json)
            )))
        }
    };
    if let Some(code) = code {
        if code != currency.code {
            return Err(fail(format!("is in {code}, but the policy's currency is {}", currency.code)));
        }
    }
    if !currency.is_exact(amount) {
        return Err(fail(format!("is {amount}, which has more decimals than {} allows", currency.code)));
    }
    match currency.round(amount) {
        Some(amount) => Ok(Value::Money(amount)),
        None => Err(fail(format!(
            "is {amount}, too large to be held exactly with the {} decimals of {}",
            currency.minor_units, currency.code
        ))),
    }
}

/// The amount of a money text and the currency it names, if any: `"12.50"`, `"12.50 USD"`,
/// `"USD 12.50"` (one space, a code of three capital letters) or `"$12.50"` (a symbol
/// directly followed by the amount), the amount as [`money::parse_amount`] reads it.
fn parse_money_text(text: &str, currency: Currency) -> (Result<Decimal, AmountError>, Option<&str>) {
    let is_code = |part: &str| part.len() == 3 && part.bytes().all(|b| b.is_ascii_uppercase());
    let mut chars = text.chars();
    if let Some(first @ ('$' | '€' | '£' | '¥')) = chars.next() {
        let code =
            if currency.accepts_symbol(first) { currency.code } else { text.get(..first.len_utf8()).unwrap_or("") };
        return (money::parse_amount(chars.as_str()), Some(code));
    }
    match text.split_once(' ') {
        None => (money::parse_amount(text), None),
        Some((amount, code)) if is_code(code) => (money::parse_amount(amount), Some(code)),
        Some((code, amount)) if is_code(code) => (money::parse_amount(amount), Some(code)),
        Some(_) => (Err(AmountError::Form), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(x: f64) -> serde_json::Number {
        serde_json::Number::from_f64(x).unwrap_or_else(|| serde_json::Number::from(0))
    }

    #[test]
    fn money_without_text_agrees_with_the_exact_path() {
        let usd = Currency::from_code("USD").unwrap_or(Currency::all()[0]);
        for (x, expected) in [(12.5, Some("12.50")), (0.29, Some("0.29")), (-7.01, Some("-7.01")), (0.001, None)] {
            assert_eq!(money_of(&number(x), usd).map(|d| d.to_string()).as_deref(), expected, "{x}");
        }
        assert_eq!(money_of(&number(0.0), usd), None, "zero takes the exact path");
        assert_eq!(money_of(&number(1e20), usd), None, "huge amounts take the exact path");
    }

    #[test]
    fn significant_digits_skip_signs_points_exponents_and_outer_zeros() {
        for (text, digits) in [("0", 0), ("-0.00120", 2), ("1.5e-7", 2), ("100.0", 1), ("123456789012345.67", 17)] {
            assert_eq!(significant_digits(text), digits, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn money_of_is_the_text_read_rounded(cents in -10_000_000_000_000_000_i64..10_000_000_000_000_000, digits in 0_u32..4, noise in proptest::prelude::any::<f64>()) {
            for currency in Currency::all() {
                for x in [Decimal::new(cents, digits).to_string().parse::<f64>().unwrap_or(0.0), noise] {
                    let n = number(x);
                    if let Some(fast) = money_of(&n, *currency) {
                        let exact = decimal_of(&n).ok().and_then(|d| currency.round(d));
                        proptest::prop_assert_eq!(Some(fast), exact, "{} in {}", x, currency.code);
                        proptest::prop_assert_eq!(Some(fast.to_string()), currency.round(fast).map(|d| d.to_string()));
                    }
                }
            }
        }

        /// The depth check refuses exactly the documents whose containers nest deeper than
        /// the limit, and names a path that does.
        #[test]
        fn the_depth_check_refuses_exactly_what_nests_too_deep(facts in nested(), max_depth in 0_usize..6) {
            fn depth(value: &Json) -> usize {
                match value {
                    Json::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
                    Json::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
                    _ => 0,
                }
            }
            match check_depth(&facts, max_depth) {
                Ok(()) => proptest::prop_assert!(depth(&facts) <= max_depth),
                Err(path) => {
                    proptest::prop_assert!(depth(&facts) > max_depth);
                    proptest::prop_assert!(path.is_empty() || facts.pointer(&pointer(&path)).is_some(), "{}", path);
                }
            }
        }
    }

    /// Nested JSON documents of small objects and lists.
    fn nested() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let leaf = prop_oneof![Just(Json::Null), any::<i64>().prop_map(Json::from), "[a-c]".prop_map(Json::from)];
        leaf.prop_recursive(7, 40, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Json::Array),
                proptest::collection::btree_map("[a-c]", inner, 0..3)
                    .prop_map(|map| Json::Object(map.into_iter().collect())),
            ]
        })
    }

    /// `a.b[2].c` as the JSON pointer `/a/b/2/c`.
    fn pointer(path: &str) -> String {
        path.split(['.', '['])
            .filter(|part| !part.is_empty())
            .map(|part| format!("/{}", part.trim_end_matches(']')))
            .collect()
    }
}
