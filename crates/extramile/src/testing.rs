//! Scenario files: incidents with expected decisions, run by tests and `extramile test`.
//!
//! A scenario file is TOML (or JSON with the same shape):
//!
//! ```toml
//! policy = "store.policy"            # relative to this file
//!
//! [[scenario]]
//! name = "broken_vase_associate"
//! incident = "incidents/broken_vase.json"   # or an inline table: facts = { ... }
//! role = "associate"
//! now = "2026-11-22T10:00:00-05:00"
//!
//! [scenario.expect]
//! offers = ["comp up to $50", "replace"]
//! needs_approval = ["comp up to $120 by supervisor"]
//! recommended = ["follow_up due 2026-11-25T10:00:00-05:00", "thank_you_note"]
//! forbidden = []
//! absent = ["gift_card"]
//! ```
//!
//! Every listed expectation must hold; `absent` gestures must appear nowhere in the
//! decision; `errors` is the exact number of evaluation errors (0 unless given); with
//! `exact = true` the lists must also be complete. An expectation that names a gesture or a
//! role the policy does not declare fails the scenario (with a suggestion), and so does an
//! amount written in another currency: it could never be checked as written, and a
//! misspelt `absent` would otherwise always hold.
//!
//! The policy and incident files a scenario file names must lie in its folder or below
//! (after following links): a scenario file cannot make the runner read other files.
//! They must be regular files, a policy at most `LoadOptions::default().max_source_bytes`
//! and an incident at most [`MAX_INCIDENT_BYTES`].
//!
//! Each expectation takes exactly one form: `offers` `GESTURE [up to AMOUNT]`,
//! `needs_approval` `GESTURE [up to AMOUNT] [by ROLE]`, `owed` `GESTURE [AMOUNT]`,
//! `recommended` `GESTURE [AMOUNT] [due TIME]`, where AMOUNT is an optional currency symbol,
//! a plain decimal (`12.50`) and an optional currency code (`$12.50`, `12.50 USD`), and TIME
//! is RFC 3339. Anything else fails the scenario with the form to write.

use crate::decision::{Decision, Outcome};
use crate::{Diagnostics, Name, Policy, Request};
use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The policy, relative to the scenario file.
    pub policy: PathBuf,
    /// The scenarios.
    #[serde(rename = "scenario", default)]
    pub scenarios: Vec<Scenario>,
}

/// One incident with the decision expected for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A unique name, shown in test output.
    pub name: String,
    /// A JSON file with the facts, relative to the scenario file.
    #[serde(default)]
    pub incident: Option<PathBuf>,
    /// The facts, inline (read strictly, as [`crate::json::StrictFacts`]).
    #[serde(default, deserialize_with = "optional_strict_facts")]
    pub facts: Option<serde_json::Value>,
    /// The acting role.
    pub role: String,
    /// The current time: an RFC 3339 string, or (in TOML) an offset date-time written
    /// unquoted, `now = 2026-11-22T10:00:00Z`.
    #[serde(deserialize_with = "scenario_time")]
    pub now: DateTime<FixedOffset>,
    /// What the decision must show.
    #[serde(default)]
    pub expect: Expectations,
}

/// What a decision must show.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// `"GESTURE [up to AMOUNT]"`: offered to the acting role.
    #[serde(default)]
    pub offers: Vec<String>,
    /// `"GESTURE [up to AMOUNT] [by ROLE]"`: needs approval.
    #[serde(default)]
    pub needs_approval: Vec<String>,
    /// `"GESTURE [AMOUNT]"`: owed.
    #[serde(default)]
    pub owed: Vec<String>,
    /// `"GESTURE [due TIME]"`: recommended.
    #[serde(default)]
    pub recommended: Vec<String>,
    /// Gestures forbidden.
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// Gestures that must appear nowhere.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Roles escalated to.
    #[serde(default)]
    pub escalations: Vec<String>,
    /// The exact number of evaluation errors.
    #[serde(default)]
    pub errors: usize,
    /// Whether the lists above are complete.
    #[serde(default)]
    pub exact: bool,
}

/// Why a scenario file could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The scenario file is not valid.
    #[error("`{path}` is not a valid scenario file: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A path in the scenario file leads outside the scenario file's folder.
    #[error(
        "`{path}`: the {key} path `{target}` leads outside the folder of the scenario file; name files in that \
         folder or below"
    )]
    Outside {
        /// The scenario file (or, for an incident, its folder).
        path: PathBuf,
        /// The key holding the path: `policy` or `incident`.
        key: &'static str,
        /// The path as written.
        target: PathBuf,
    },
    /// The policy has errors.
    #[error("the policy `{path}` has errors:\n{diagnostics}")]
    Policy {
        /// The policy file.
        path: PathBuf,
        /// Its diagnostics.
        diagnostics: Box<Diagnostics>,
    },
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// What did not hold (empty when the scenario passed).
    pub failures: Vec<String>,
    /// The rules that matched.
    pub matched_rules: Vec<String>,
    /// The decision, if evaluation ran.
    pub decision: Option<Decision>,
}

impl ScenarioResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The results of one scenario file.
#[derive(Debug, Clone)]
pub struct FileResults {
    /// The scenario file.
    pub path: PathBuf,
    /// The policy file.
    pub policy_path: PathBuf,
    /// Every rule of the policy, in source order.
    pub rules: Vec<String>,
    /// One result a scenario, in file order.
    pub results: Vec<ScenarioResult>,
}

/// The largest incident file (one JSON value) a scenario or the CLI reads, in bytes: 16 MiB.
pub const MAX_INCIDENT_BYTES: usize = 16 * 1024 * 1024;

/// The text of the regular file at `path`, read through a bound: at most `limit` bytes,
/// `what` naming the file in the error. A FIFO, a device or a folder is refused before it is
/// opened for reading, so that a scenario file cannot make the runner wait or read forever.
fn read(path: &Path, limit: usize, what: &str) -> Result<String, ScenarioError> {
    use std::io::Read as _;
    let io_error = |message: String| ScenarioError::Io { path: path.to_path_buf(), message };
    let metadata = std::fs::metadata(path).map_err(|err| io_error(err.to_string()))?;
    if !metadata.is_file() {
        return Err(io_error(format!("the {what} is not a regular file (a folder, FIFO or device)")));
    }
    let file = std::fs::File::open(path).map_err(|err| io_error(err.to_string()))?;
    let mut bytes = Vec::new();
    let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(bound).read_to_end(&mut bytes).map_err(|err| io_error(err.to_string()))?;
    if bytes.len() > limit {
        return Err(io_error(format!("the {what} is larger than the limit of {limit} bytes")));
    }
    String::from_utf8(bytes).map_err(|err| io_error(format!("the {what} is not UTF-8: {err}")))
}

/// Inline `facts` of a scenario, read as [`crate::json::StrictFacts`]: in a JSON scenario
/// file, a key given twice is an error rather than silently the last.
fn optional_strict_facts<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    Option::<crate::json::StrictFacts>::deserialize(deserializer).map(|facts| facts.map(|facts| facts.0))
}

/// `now` of a scenario: an RFC 3339 string, or a TOML offset date-time (which the `toml`
/// crate hands over as a one-entry map). A TOML date-time without an offset is refused.
fn scenario_time<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<FixedOffset>, D::Error> {
    struct Time;
    fn parse<E: serde::de::Error>(text: &str) -> Result<DateTime<FixedOffset>, E> {
        DateTime::parse_from_rfc3339(text).map_err(|err| {
            E::custom(format!(
                "`now = {text}` is not an RFC 3339 time with an offset, such as \"2026-11-22T10:00:00Z\": {err}"
            ))
        })
    }
    impl<'de> serde::de::Visitor<'de> for Time {
        type Value = DateTime<FixedOffset>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 time with an offset, such as \"2026-11-22T10:00:00Z\"")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            parse(text)
        }
        fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            use serde::de::Error as _;
            match map.next_entry::<String, String>()? {
                Some((key, text)) if key == "$__toml_private_datetime" && map.next_key::<String>()?.is_none() => {
                    parse(&text)
                }
                _ => Err(M::Error::custom(
                    "expected an RFC 3339 time with an offset, such as \"2026-11-22T10:00:00Z\", found a table",
                )),
            }
        }
    }
    deserializer.deserialize_any(Time)
}

/// Loads and parses a scenario file (`.toml` or `.json`).
pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = read(path, MAX_INCIDENT_BYTES, "scenario file")?;
    let format_error = |message: String| ScenarioError::Format { path: path.to_path_buf(), message };
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|err| format_error(err.to_string()))
    } else {
        toml::from_str(&text).map_err(|err| format_error(err.to_string()))
    }
}

/// Whether the relative path `target` stays in its folder at every step: it is not
/// absolute and no `..` climbs above where it started.
fn stays_below(target: &Path) -> bool {
    use std::path::Component;
    let mut depth = 0usize;
    target.components().all(|component| match component {
        Component::Normal(_) => {
            depth = depth.saturating_add(1);
            true
        }
        Component::CurDir => true,
        Component::ParentDir => depth.checked_sub(1).map(|up| depth = up).is_some(),
        Component::RootDir | Component::Prefix(_) => false,
    })
}

/// The file `target` names, relative to the folder `base` of the scenario file `file`: its
/// real path (links followed), which must lie under the real path of `base`. A path that
/// leaves the folder as written is refused before the file system is asked about it.
fn confined(file: &Path, base: &Path, key: &'static str, target: &Path) -> Result<PathBuf, ScenarioError> {
    let outside = || ScenarioError::Outside { path: file.to_path_buf(), key, target: target.to_path_buf() };
    if !stays_below(target) {
        return Err(outside());
    }
    let io_error =
        |path: &Path, err: std::io::Error| ScenarioError::Io { path: path.to_path_buf(), message: err.to_string() };
    let base = if base.as_os_str().is_empty() { Path::new(".") } else { base };
    let root = base.canonicalize().map_err(|err| io_error(base, err))?;
    let joined = base.join(target);
    let real = joined.canonicalize().map_err(|err| io_error(&joined, err))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(outside())
    }
}

/// Runs every scenario of the file at `path`.
pub fn run_file(path: &Path) -> Result<FileResults, ScenarioError> {
    let file = load(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let policy_path = base.join(&file.policy);
    let limit = crate::LoadOptions::default().max_source_bytes;
    let source = read(&confined(path, base, "policy", &file.policy)?, limit, "policy")?;
    let origin = policy_path.display().to_string();
    let policy = Policy::parse_named(&origin, &source).map_err(|diagnostics| ScenarioError::Policy {
        path: policy_path.clone(),
        diagnostics: Box::new(diagnostics),
    })?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::new();
    for scenario in &file.scenarios {
        let mut result = run_scenario(&policy, scenario, base);
        if let Some(count) = seen.get_mut(scenario.name.as_str()) {
            *count += 1;
            result.failures.push(format!("another scenario in this file is also named `{}`", scenario.name));
        } else {
            seen.insert(&scenario.name, 1);
        }
        results.push(result);
    }
    Ok(FileResults {
        path: path.to_path_buf(),
        policy_path,
        rules: policy.rule_names().map(String::from).collect(),
        results,
    })
}

/// Runs one scenario against `policy`; `base` resolves the incident path.
pub fn run_scenario(policy: &Policy, scenario: &Scenario, base: &Path) -> ScenarioResult {
    let mut result =
        ScenarioResult { name: scenario.name.clone(), failures: Vec::new(), matched_rules: Vec::new(), decision: None };
    let facts = match (&scenario.facts, &scenario.incident) {
        (Some(facts), None) => facts.clone(),
        (None, Some(incident)) => {
            let path = base.join(incident);
            match confined(base, base, "incident", incident)
                .and_then(|real| read(&real, MAX_INCIDENT_BYTES, "incident"))
                .and_then(|text| {
                    // Read as the CLI reads incidents: a key given twice is an error, not the last.
                    serde_json::from_str::<crate::json::StrictFacts>(&text)
                        .map(|facts| facts.0)
                        .map_err(|err| ScenarioError::Format { path: path.clone(), message: err.to_string() })
                }) {
                Ok(facts) => facts,
                Err(err) => {
                    result.failures.push(err.to_string());
                    return result;
                }
            }
        }
        _ => {
            result.failures.push("give exactly one of `incident` (a file) and `facts` (inline)".to_string());
            return result;
        }
    };
    let unknown = unknown_names(policy, &scenario.expect);
    let request = Request::new(scenario.role.clone(), scenario.now).with_trace(true);
    match policy.evaluate(&facts, &request) {
        Ok(decision) => {
            result.failures = unknown;
            result.failures.extend(check_expectations(&decision, &scenario.expect));
            result.matched_rules = decision
                .trace
                .iter()
                .flatten()
                .filter(|t| t.outcome() == Outcome::Matched)
                .map(|t| t.rule().to_string())
                .collect();
            result.decision = Some(decision);
        }
        Err(err) => {
            result.failures = unknown;
            result.failures.push(err.to_string());
        }
    }
    result
}

/// A parsed expectation: `GESTURE [up to AMOUNT] [by ROLE] [due TIME]`.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    gesture: String,
    amount: Option<Decimal>,
    role: Option<String>,
    due: Option<String>,
    /// The currency marks written with the amount: symbols (`$`) and codes (`USD`).
    currencies: Vec<String>,
}

/// The expectation lists that describe a gesture in words, each with its own grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Offers,
    NeedsApproval,
    Owed,
    Recommended,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Offers => "offers",
            List::NeedsApproval => "needs_approval",
            List::Owed => "owed",
            List::Recommended => "recommended",
        }
    }

    /// The one form an expectation of this list may take.
    fn form(self) -> &'static str {
        match self {
            List::Offers => "GESTURE [up to AMOUNT]",
            List::NeedsApproval => "GESTURE [up to AMOUNT] [by ROLE]",
            List::Owed => "GESTURE [AMOUNT]",
            List::Recommended => "GESTURE [AMOUNT] [due TIME]",
        }
    }
}

/// Whether `word` is a currency code: three capital letters.
fn is_code(word: &str) -> bool {
    word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase())
}

/// Parses one expectation of `list` strictly: exactly the clauses of [`List::form`], in that
/// order, each at most once, and nothing else. AMOUNT is a currency symbol or none, a plain
/// decimal (`12`, `12.50`: no sign, exponent or separators), and a currency code or none,
/// attached or as the next word; TIME is RFC 3339.
fn parse_expected(text: &str, list: List) -> Result<Expected, String> {
    let fail = |what: String| {
        format!(
            "`{}` holds `{text}`: {what}; write {}, where AMOUNT is a plain decimal such as $12.50, 12.50 or \
             12.50 USD",
            list.name(),
            list.form()
        )
    };
    let mut words = text.split_whitespace().peekable();
    let Some(gesture) = words.next() else { return Err(fail("an empty expectation".to_string())) };
    let mut expected = Expected { gesture: gesture.to_string(), ..Expected::default() };
    let with_up_to = matches!(list, List::Offers | List::NeedsApproval);
    let amount = if with_up_to {
        if words.next_if_eq(&"up").is_some() {
            if words.next_if_eq(&"to").is_none() {
                return Err(fail("`up` must be followed by `to AMOUNT`".to_string()));
            }
            Some(words.next().ok_or_else(|| fail("`up to` needs an amount".to_string()))?)
        } else {
            None
        }
    } else {
        words.next_if(|word| *word != "by" && *word != "due")
    };
    if let Some(amount) = amount {
        let value = parse_amount(amount, &mut expected.currencies)
            .ok_or_else(|| fail(format!("`{amount}` is not an amount")))?;
        expected.amount = Some(value);
        if let Some(code) = words.next_if(|word| is_code(word)) {
            expected.currencies.push(code.to_string());
        }
    }
    if list == List::NeedsApproval && words.next_if_eq(&"by").is_some() {
        let role = words.next().ok_or_else(|| fail("`by` needs a role".to_string()))?;
        expected.role = Some(role.to_string());
    }
    if list == List::Recommended && words.next_if_eq(&"due").is_some() {
        let due = words.next().ok_or_else(|| fail("`due` needs a time".to_string()))?;
        DateTime::parse_from_rfc3339(due)
            .map_err(|err| fail(format!("`{due}` is not an RFC 3339 time such as 2026-11-25T10:00:00Z: {err}")))?;
        expected.due = Some(due.to_string());
    }
    match words.next() {
        Some(extra) => Err(fail(format!("unexpected `{extra}`"))),
        None => Ok(expected),
    }
}

/// What `expect` names that `policy` does not declare: each gesture and role, with the
/// closest declared name as a suggestion, and each amount in another currency.
fn unknown_names(policy: &Policy, expect: &Expectations) -> Vec<String> {
    let gestures: Vec<&str> = policy.program.gestures.iter().map(|g| g.name.as_str()).collect();
    let roles: Vec<&str> = policy.roles().iter().map(Name::as_str).collect();
    let mut unknown = Vec::new();
    let mut foreign = Vec::new();
    let mut check = |list: &str, what: &str, word: &str, declared: &[&str]| {
        if !declared.contains(&word) {
            let hint = match crate::check::closest(word, declared.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the {what}s are {}", declared.join(", ")),
            };
            unknown.push(format!("`{list}` names `{word}`, which is not a {what} of the policy; {hint}"));
        }
    };
    let described = [
        (List::Offers, &expect.offers),
        (List::NeedsApproval, &expect.needs_approval),
        (List::Owed, &expect.owed),
        (List::Recommended, &expect.recommended),
    ];
    for (list, texts) in described {
        // An expectation that does not parse is reported by `check_expectations`.
        for (text, expected) in texts.iter().filter_map(|text| Some((text, parse_expected(text, list).ok()?))) {
            let list = list.name();
            check(list, "gesture", &expected.gesture, &gestures);
            if let Some(role) = &expected.role {
                check(list, "role", role, &roles);
            }
            let currency = &policy.program.currency;
            let own = |mark: &str| {
                mark == currency.code || currency.symbol.is_some_and(|s| mark.chars().eq(std::iter::once(s)))
            };
            if let Some(mark) = expected.currencies.iter().find(|mark| !own(mark)) {
                foreign.push(format!(
                    "`{list}` holds `{text}`, an amount in `{mark}`, but the policy's currency is {}",
                    currency.code
                ));
            }
        }
    }
    for (list, names) in [("forbidden", &expect.forbidden), ("absent", &expect.absent)] {
        for name in names {
            check(list, "gesture", name, &gestures);
        }
    }
    for role in &expect.escalations {
        check("escalations", "role", role, &roles);
    }
    unknown.append(&mut foreign);
    unknown
}

/// The amount of `$12.50`, `12.50` or `12.50USD`: at most one leading currency symbol, a
/// plain decimal (digits, optionally a point and more digits) and at most one attached code.
/// Its currency marks go to `currencies`.
fn parse_amount(text: &str, currencies: &mut Vec<String>) -> Option<Decimal> {
    let digits = match text.strip_prefix(['$', '€', '£', '¥']) {
        Some(rest) => {
            currencies.push(text.strip_suffix(rest).unwrap_or_default().to_string());
            rest
        }
        None => text,
    };
    let number = match digits.len().checked_sub(3).and_then(|at| digits.split_at_checked(at)) {
        Some((number, code)) if is_code(code) => {
            currencies.push(code.to_string());
            number
        }
        _ => digits,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let plain = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !plain(whole) || !plain(fraction) {
        return None;
    }
    Decimal::from_str(number).ok()
}

fn amount_text(amount: Option<Decimal>) -> String {
    amount.map_or_else(|| "no amount".to_string(), |a| a.to_string())
}

/// Checks `decision` against `expect`; returns what did not hold.
pub fn check_expectations(decision: &Decision, expect: &Expectations) -> Vec<String> {
    let mut failures = Vec::new();
    let offered: Vec<(Name, Option<Decimal>)> =
        decision.offers.iter().flat_map(|o| o.one_of.iter().map(|g| (g.gesture.clone(), g.up_to))).collect();
    let approvals: Vec<(Name, Option<Decimal>, Name)> =
        decision.needs_approval.iter().map(|a| (a.gesture.clone(), a.up_to, a.approver.clone())).collect();
    for text in &expect.offers {
        match parse_expected(text, List::Offers) {
            Err(err) => failures.push(err),
            Ok(e) => {
                let found: Vec<_> = offered.iter().filter(|(g, _)| *g == e.gesture).collect();
                if found.is_empty() {
                    failures.push(format!("expected `{}` to be offered, but it is not", e.gesture));
                } else if e.amount.is_some() && !found.iter().any(|(_, a)| *a == e.amount) {
                    let got: Vec<String> = found.iter().map(|(_, a)| amount_text(*a)).collect();
                    failures.push(format!(
                        "expected `{}` offered up to {}, but it is offered up to {}",
                        e.gesture,
                        amount_text(e.amount),
                        got.join(", ")
                    ));
                }
            }
        }
    }
    for text in &expect.needs_approval {
        match parse_expected(text, List::NeedsApproval) {
            Err(err) => failures.push(err),
            Ok(e) => {
                let found = approvals.iter().any(|(g, a, r)| {
                    *g == e.gesture
                        && (e.amount.is_none() || *a == e.amount)
                        && e.role.as_ref().is_none_or(|role| role == r)
                });
                if !found {
                    let got: Vec<String> = approvals
                        .iter()
                        .filter(|(g, _, _)| *g == e.gesture)
                        .map(|(_, a, r)| format!("up to {} by {r}", amount_text(*a)))
                        .collect();
                    let got = if got.is_empty() { "it does not need approval".to_string() } else { got.join("; ") };
                    failures.push(format!("expected `{text}` to need approval, but {got}"));
                }
            }
        }
    }
    for text in &expect.owed {
        match parse_expected(text, List::Owed) {
            Err(err) => failures.push(err),
            Ok(e) => {
                if !decision.owed.iter().any(|o| o.gesture == e.gesture && (e.amount.is_none() || o.amount == e.amount))
                {
                    failures.push(format!("expected `{text}` to be owed, but it is not"));
                }
            }
        }
    }
    for text in &expect.recommended {
        match parse_expected(text, List::Recommended) {
            Err(err) => failures.push(err),
            Ok(e) => {
                let found = decision.recommended.iter().any(|r| {
                    r.gesture == e.gesture
                        && (e.amount.is_none() || r.amount == e.amount)
                        && (e.due.is_none() || r.due.as_deref() == e.due.as_deref())
                });
                if !found {
                    failures.push(format!("expected `{text}` to be recommended, but it is not"));
                }
            }
        }
    }
    for gesture in &expect.forbidden {
        if !decision.forbidden.iter().any(|f| f.gesture == *gesture) {
            failures.push(format!("expected `{gesture}` to be forbidden, but it is not"));
        }
    }
    for role in &expect.escalations {
        if !decision.escalations.iter().any(|e| e.to == *role) {
            failures.push(format!("expected an escalation to `{role}`, but there is none"));
        }
    }
    for gesture in &expect.absent {
        let mut places = Vec::new();
        if offered.iter().any(|(g, _)| g == gesture) {
            places.push("offered");
        }
        if approvals.iter().any(|(g, _, _)| g == gesture) {
            places.push("in needs_approval");
        }
        if decision.owed.iter().any(|o| o.gesture == *gesture) {
            places.push("owed");
        }
        if decision.recommended.iter().any(|r| r.gesture == *gesture) {
            places.push("recommended");
        }
        if !places.is_empty() {
            failures.push(format!("expected `{gesture}` to be absent, but it is {}", places.join(" and ")));
        }
    }
    if decision.errors.len() != expect.errors {
        let listed: Vec<String> = decision.errors.iter().map(|e| format!("{}: {}", e.rule, e.message)).collect();
        failures.push(format!(
            "expected {} evaluation errors, found {}: {}",
            expect.errors,
            decision.errors.len(),
            listed.join("; ")
        ));
    }
    if expect.exact {
        check_complete(&mut failures, "offers", offered.iter().map(|(g, _)| g.as_str()), &expect.offers);
        check_complete(
            &mut failures,
            "needs_approval",
            approvals.iter().map(|(g, _, _)| g.as_str()),
            &expect.needs_approval,
        );
        check_complete(&mut failures, "owed", decision.owed.iter().map(|o| o.gesture.as_str()), &expect.owed);
        check_complete(
            &mut failures,
            "recommended",
            decision.recommended.iter().map(|r| r.gesture.as_str()),
            &expect.recommended,
        );
        check_complete(
            &mut failures,
            "forbidden",
            decision.forbidden.iter().map(|f| f.gesture.as_str()),
            &expect.forbidden,
        );
        check_complete(
            &mut failures,
            "escalations",
            decision.escalations.iter().map(|e| e.to.as_str()),
            &expect.escalations,
        );
    }
    failures
}

fn check_complete<'a>(
    failures: &mut Vec<String>,
    list: &str,
    actual: impl Iterator<Item = &'a str>,
    expected: &[String],
) {
    let listed: Vec<String> = expected.iter().filter_map(|e| e.split_whitespace().next().map(String::from)).collect();
    let mut extra: Vec<&str> = actual.filter(|a| !listed.iter().any(|l| l == a)).collect();
    extra.dedup();
    if !extra.is_empty() {
        failures.push(format!("`{list}` also holds {} (the scenario is exact)", extra.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_read_like_sentences() {
        let e = parse_expected("comp up to $120.50 by supervisor", List::NeedsApproval).unwrap_or_default();
        assert_eq!(e.gesture, "comp");
        assert_eq!(e.amount, Decimal::from_str("120.5").ok());
        assert_eq!(e.role.as_deref(), Some("supervisor"));
        let e = parse_expected("compensation 400 EUR", List::Owed).unwrap_or_default();
        assert_eq!(e.amount, Some(Decimal::from(400)));
        assert_eq!(e.currencies, ["EUR"]);
        let e = parse_expected("comp up to 12.50USD", List::Offers).unwrap_or_default();
        assert_eq!((e.amount, e.currencies), (Decimal::from_str("12.5").ok(), vec!["USD".to_string()]));
    }

    #[test]
    fn expectations_take_exactly_one_form() {
        for (text, list) in [
            ("comp up to lots", List::Offers),
            ("comp up to $999 $50", List::Offers),
            ("comp up to", List::Offers),
            ("comp up $5", List::Offers),
            ("comp $50", List::Offers),
            ("comp up to 5e1", List::Offers),
            ("comp up to +5", List::Offers),
            ("comp up to 1_000", List::Offers),
            ("comp up to .5", List::Offers),
            ("comp up to 5.", List::Offers),
            ("comp up to $$5", List::Offers),
            ("comp up to $5 by supervisor", List::Offers),
            ("comp by supervisor up to $5", List::NeedsApproval),
            ("comp up to $5 by", List::NeedsApproval),
            ("comp up to $5 by a by b", List::NeedsApproval),
            ("comp up to $5", List::Owed),
            ("comp $5 $6", List::Owed),
            ("follow_up due", List::Recommended),
            ("follow_up due tomorrow", List::Recommended),
            ("follow_up due 2026-01-01T00:00:00Z due 2026-01-02T00:00:00Z", List::Recommended),
            ("", List::Owed),
        ] {
            assert!(parse_expected(text, list).is_err(), "`{text}` in {list:?} must be refused");
        }
    }
}
