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
    /// The facts, inline.
    #[serde(default)]
    pub facts: Option<serde_json::Value>,
    /// The acting role.
    pub role: String,
    /// The current time.
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

fn read(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path)
        .map_err(|err| ScenarioError::Io { path: path.to_path_buf(), message: err.to_string() })
}

/// Loads and parses a scenario file (`.toml` or `.json`).
pub fn load(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = read(path)?;
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
    let source = read(&confined(path, base, "policy", &file.policy)?)?;
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
            match confined(base, base, "incident", incident).and_then(|real| read(&real)).and_then(|text| {
                serde_json::from_str(&text)
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

fn parse_expected(text: &str) -> Result<Expected, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((gesture, mut rest)) = words.split_first() else { return Err("an empty expectation".to_string()) };
    let mut expected = Expected { gesture: (*gesture).to_string(), ..Expected::default() };
    while let Some((word, tail)) = rest.split_first() {
        rest = tail;
        match *word {
            "up" if rest.first() == Some(&"to") => rest = rest.get(1..).unwrap_or_default(),
            "by" | "due" => {
                let Some((value, tail)) = rest.split_first() else {
                    return Err(format!("`{word}` needs a value in `{text}`"));
                };
                rest = tail;
                if *word == "by" {
                    expected.role = Some((*value).to_string());
                } else {
                    expected.due = Some((*value).to_string());
                }
            }
            code if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) => {
                expected.currencies.push(code.to_string())
            }
            amount => {
                expected.amount = Some(
                    parse_amount(amount, &mut expected.currencies)
                        .ok_or_else(|| format!("cannot read `{amount}` in `{text}`"))?,
                )
            }
        }
    }
    Ok(expected)
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
        ("offers", &expect.offers),
        ("needs_approval", &expect.needs_approval),
        ("owed", &expect.owed),
        ("recommended", &expect.recommended),
    ];
    for (list, texts) in described {
        // An expectation that does not parse is reported by `check_expectations`.
        for (text, expected) in texts.iter().filter_map(|text| Some((text, parse_expected(text).ok()?))) {
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

/// The amount of `$12.50`, `12.50` or `12.50USD`; its currency marks go to `currencies`.
fn parse_amount(text: &str, currencies: &mut Vec<String>) -> Option<Decimal> {
    let digits = text.trim_start_matches(['$', '€', '£', '¥']);
    currencies.extend(text.strip_suffix(digits).filter(|symbols| !symbols.is_empty()).map(String::from));
    let code = digits.len().checked_sub(3).and_then(|at| digits.split_at_checked(at));
    let digits = match code {
        Some((number, code)) if digits.ends_with(char::is_alphabetic) => {
            currencies.push(code.to_ascii_uppercase());
            number
        }
        _ => digits,
    };
    Decimal::from_str(digits).ok()
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
        match parse_expected(text) {
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
        match parse_expected(text) {
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
        match parse_expected(text) {
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
        match parse_expected(text) {
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
        let e = parse_expected("comp up to $120.50 by supervisor").unwrap_or_default();
        assert_eq!(e.gesture, "comp");
        assert_eq!(e.amount, Decimal::from_str("120.5").ok());
        assert_eq!(e.role.as_deref(), Some("supervisor"));
        let e = parse_expected("compensation 400 EUR").unwrap_or_default();
        assert_eq!(e.amount, Some(Decimal::from(400)));
        assert!(parse_expected("comp up to lots").is_err());
    }
}
