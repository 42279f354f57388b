//! The public entry point: a compiled, reusable, thread-safe policy.

mod facts;
mod schema;

pub use facts::Facts;

use crate::check;
use crate::decision::Decision;
use crate::eval;
use crate::eval::facts::FactLimits;
use crate::ir::Program;
use crate::json::{EvaluationOptions, EvaluationRequest, RequestError};
use crate::name::Name;
use crate::script::ScriptLimits;
use crate::syntax::diagnostic::{Diagnostic, Diagnostics};
use crate::syntax::parser;
use chrono::{DateTime, FixedOffset};
use std::str::FromStr;
use std::sync::Arc;

/// A checked and compiled policy. Cheap to clone, `Send + Sync`, evaluated any number of
/// times from any number of threads.
///
/// ```
/// use extramile::{Policy, Request};
///
/// let policy = Policy::parse(r#"
/// policy "Demo"
/// currency USD
/// roles associate < supervisor
/// facts
///   incident.kind: one of "broken_item", "complaint"
/// gestures
///   comp: amount
/// rule broken
///   when incident.kind is "broken_item"
///   associate may comp up to $50
///   supervisor may comp up to $200
/// "#)?;
/// let facts = serde_json::json!({"incident": {"kind": "broken_item"}});
/// let now = "2026-11-22T10:00:00Z".parse()?;
/// let decision = policy.evaluate(&facts, &Request::new("associate", now))?;
/// assert_eq!(decision.offers[0].one_of[0].up_to.map(|a| a.to_string()), Some("50.00".into()));
/// assert_eq!(decision.needs_approval[0].approver, "supervisor");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) program: Arc<Program>,
    warnings: Arc<Diagnostics>,
}

/// Who is acting, when, and whether to trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The acting employee's role.
    pub role: String,
    /// The current time: the engine never reads the clock.
    pub now: DateTime<FixedOffset>,
    /// Whether to include the rule-by-rule trace.
    pub trace: bool,
    /// Whether a key of the facts that leads to no declared fact (a misspelt
    /// `"custmer"`) refuses the request with [`RequestError::UnknownKey`]. Otherwise the
    /// decision warns about it, with the declared path closest to it.
    pub strict: bool,
}

impl Request {
    /// A request for `role` at `now`, without trace, not strict.
    pub fn new(role: impl Into<String>, now: DateTime<FixedOffset>) -> Request {
        Request { role: role.into(), now, trace: false, strict: false }
    }

    /// The same request with the trace on or off.
    pub fn with_trace(mut self, trace: bool) -> Request {
        self.trace = trace;
        self
    }

    /// The same request, strict or not about keys that lead to no declared fact.
    ///
    /// ```
    /// use extramile::{Policy, Request, RequestError};
    ///
    /// let policy = Policy::parse("currency USD\nroles clerk\nfacts\n  customer.tier: text, default \"basic\"\n")?;
    /// let facts = serde_json::json!({"custmer": {"tier": "gold"}});
    /// let now = "2026-11-22T10:00:00Z".parse()?;
    /// let decision = policy.evaluate(&facts, &Request::new("clerk", now))?;
    /// assert!(decision.warnings[0].message.contains("did you mean `customer`?"));
    /// let refused = policy.evaluate(&facts, &Request::new("clerk", now).with_strict(true)).unwrap_err();
    /// assert_eq!(refused, RequestError::UnknownKey { path: "custmer".into(), suggestion: Some("customer".into()) });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_strict(mut self, strict: bool) -> Request {
        self.strict = strict;
        self
    }

    /// What the evaluator is asked, by the acting role's place on the ladder.
    fn asking(&self, role: usize) -> eval::Asking {
        eval::Asking::new(role, self.now, self.trace, self.strict)
    }
}

/// Options for loading a policy: the resource limits that keep a hostile policy or
/// incident from crashing, hanging or exhausting the host. Every limit hit is a clear
/// diagnostic (when loading) or error (when evaluating), never a panic. The defaults are
/// generous for hand-written policies and safe on a 1 MiB stack; `docs/embedding.md`
/// lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Largest accepted source, in bytes (default 4 MiB). Larger is `E0006`, checked
    /// before parsing.
    pub max_source_bytes: usize,
    /// Deepest accepted expression (default 100): open brackets plus operators in one
    /// expression, which bounds the depth of its syntax tree and so the recursion of the
    /// parser, checker and evaluator. Deeper is `E0007`, checked before parsing.
    pub max_expression_depth: usize,
    /// Most rules in one policy (default 10,000). More is `E0008`.
    pub max_rules: usize,
    /// Limits on the incident facts, applied by every evaluation of the policy.
    pub fact_limits: FactLimits,
    /// Limits for Rhai helpers.
    pub script_limits: ScriptLimits,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            max_source_bytes: 4 * 1024 * 1024,
            max_expression_depth: crate::syntax::depth::DEFAULT_MAX_EXPRESSION_DEPTH,
            max_rules: 10_000,
            fact_limits: FactLimits::default(),
            script_limits: ScriptLimits::default(),
        }
    }
}

impl Policy {
    /// Parses, checks and compiles `source`. On failure, the diagnostics (errors and
    /// warnings) render rustc-style with `Display`.
    pub fn parse(source: &str) -> Result<Policy, Diagnostics> {
        Policy::parse_named("policy", source)
    }

    /// Like [`Policy::parse`], naming the source (a file name) in diagnostics.
    pub fn parse_named(origin: &str, source: &str) -> Result<Policy, Diagnostics> {
        Policy::parse_with(origin, source, LoadOptions::default())
    }

    /// Like [`Policy::parse_named`], with explicit options.
    pub fn parse_with(origin: &str, source: &str, options: LoadOptions) -> Result<Policy, Diagnostics> {
        let (program, diagnostics) = compile(source, options);
        let diagnostics = match &program {
            // The warnings share the program's copy of the source and its line map.
            Some(program) => Diagnostics::with_map(
                origin.to_string(),
                Arc::clone(&program.source),
                program.source_lines.clone(),
                diagnostics,
            ),
            None => Diagnostics::new(origin, source, diagnostics),
        };
        match program {
            Some(program) if !diagnostics.has_errors() => {
                Ok(Policy { program: Arc::new(program), warnings: Arc::new(diagnostics) })
            }
            _ => Err(diagnostics),
        }
    }

    /// Like [`Policy::parse_with`], from bytes as read from a file: text that is not UTF-8
    /// is an `E0009` diagnostic at the first invalid byte.
    ///
    /// ```
    /// let err = extramile::Policy::parse_bytes("bad.policy", b"currency USD\nroles cl\xFFerk\n", Default::default()).unwrap_err();
    /// assert!(err.to_string().contains("error[E0009]: the policy is not valid UTF-8"));
    /// assert!(err.to_string().contains("bad.policy:2:9"));
    /// ```
    pub fn parse_bytes(origin: &str, source: &[u8], options: LoadOptions) -> Result<Policy, Diagnostics> {
        match decode(origin, source) {
            Ok(text) => Policy::parse_with(origin, text, options),
            Err(diagnostics) => Err(diagnostics),
        }
    }

    /// Every diagnostic of `source`, errors and warnings, without keeping the policy.
    pub fn check(origin: &str, source: &str) -> Diagnostics {
        Policy::check_with(origin, source, LoadOptions::default())
    }

    /// Like [`Policy::check`], with explicit options.
    pub fn check_with(origin: &str, source: &str, options: LoadOptions) -> Diagnostics {
        let (_, diagnostics) = compile(source, options);
        Diagnostics::new(origin, source, diagnostics)
    }

    /// Like [`Policy::check`], from bytes: text that is not UTF-8 is an `E0009` diagnostic.
    pub fn check_bytes(origin: &str, source: &[u8]) -> Diagnostics {
        match decode(origin, source) {
            Ok(text) => Policy::check(origin, text),
            Err(diagnostics) => diagnostics,
        }
    }

    /// The warnings found while loading.
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.program.name
    }

    /// The policy's currency code.
    pub fn currency(&self) -> &str {
        self.program.currency.code
    }

    /// The role ladder, lowest first.
    pub fn roles(&self) -> &[Name] {
        &self.program.roles
    }

    /// The source text the policy was compiled from (its trace's lines point into it).
    pub fn source(&self) -> &str {
        &self.program.source
    }

    /// The rule names, in source order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.program.rules.iter().map(|r| r.name.as_str())
    }

    /// The JSON Schema (draft 2020-12) of the incidents this policy reads, from its
    /// declared facts: each fact at its path, with the JSON its type accepts (money as a
    /// number, a string or an object; dates, times and durations as strings; `one of` as
    /// an `enum`; lists as arrays). A fact without a default is `required` (as is each
    /// object on its path); a fact with one may also be `null`, and shows its `default`.
    /// Objects allow no other keys (`additionalProperties: false`), as a `strict` request
    /// reads them; without `strict`, other keys are ignored with a warning.
    ///
    /// ```
    /// let policy = extramile::Policy::parse(
    ///     "currency USD\nroles clerk\nfacts\n  customer.tier: one of \"basic\", \"gold\"\n  order.total: money, default $0\n",
    /// )?;
    /// let schema = policy.incident_schema();
    /// assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    /// assert_eq!(schema["required"], serde_json::json!(["customer"]));
    /// let tier = &schema["properties"]["customer"]["properties"]["tier"];
    /// assert_eq!(tier["enum"], serde_json::json!(["basic", "gold"]));
    /// assert_eq!(schema["properties"]["order"]["properties"]["total"]["default"], "0.00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn incident_schema(&self) -> serde_json::Value {
        schema::incident_schema(&self.program)
    }

    /// Decides what `request.role` may do about the incident `facts` at `request.now`.
    pub fn evaluate(&self, facts: &serde_json::Value, request: &Request) -> Result<Decision, RequestError> {
        let role = self.role_index(&request.role)?;
        object(facts)?;
        // Written in place and returned once: a decision is large to move.
        let mut decision = Decision::empty();
        eval::evaluate_document(&self.program, facts, request.asking(role), &mut decision).map_err(|refusal| {
            match refusal {
                eval::Refusal::TooDeep => self.too_deep(facts),
                eval::Refusal::Request(err) => err,
            }
        })?;
        Ok(decision)
    }

    /// Reads the incident `facts` (a JSON object) for this policy once, to evaluate with
    /// [`Policy::evaluate_facts`] any number of times: see [`Facts`]. The same checks as
    /// [`Policy::evaluate`] apply, and a fact with a wrong value is likewise not refused
    /// here but reported by the rules that read it.
    pub fn facts(&self, facts: &serde_json::Value) -> Result<Facts, RequestError> {
        object(facts)?;
        let mut table = eval::facts::FactTable::default();
        let filling = eval::facts::Filling::new(&self.program, &mut table);
        eval::tree::read_document(filling, facts).map_err(|_| self.too_deep(facts))?;
        Ok(Facts { program: Arc::clone(&self.program), table })
    }

    /// Decides what `request.role` may do about an incident whose facts were read in
    /// advance with [`Policy::facts`] (of this policy, or of a clone of it): the same
    /// decision as [`Policy::evaluate`] on the same JSON, without reading it again.
    /// [`RequestError::FactsOfAnotherPolicy`] if the facts were read by another policy.
    pub fn evaluate_facts(&self, facts: &Facts, request: &Request) -> Result<Decision, RequestError> {
        let role = self.role_index(&request.role)?;
        if !Arc::ptr_eq(&facts.program, &self.program) {
            return Err(RequestError::FactsOfAnotherPolicy);
        }
        let mut decision = Decision::empty();
        eval::evaluate_table(&self.program, &facts.table, request.asking(role), &mut decision)?;
        Ok(decision)
    }

    /// The error for `facts` nested deeper than the policy's limit, naming where.
    fn too_deep(&self, facts: &serde_json::Value) -> RequestError {
        let max_depth = self.program.fact_limits.max_depth;
        nested_too_deep(&eval::facts::check_depth(facts, max_depth).err().unwrap_or_default(), max_depth)
    }

    /// Like [`Policy::evaluate`], with the facts as a JSON string. A key given twice in
    /// one object is refused (see [`crate::json::StrictFacts`]).
    pub fn evaluate_str(&self, facts: &str, request: &Request) -> Result<Decision, RequestError> {
        let role = self.role_index(&request.role);
        // Read straight into the fact table; anything unusual takes the general path.
        if let Ok(role) = role {
            if let Some(decision) = eval::evaluate_facts_text(&self.program, facts, request.asking(role)) {
                return Ok(decision);
            }
        }
        let facts = crate::json::parse_facts(facts)?;
        self.evaluate(&facts, request)
    }

    /// The JSON contract: an [`EvaluationRequest`] as JSON in, the [`Decision`] as JSON out.
    ///
    /// ```
    /// # let policy = extramile::Policy::parse("currency USD\nroles clerk\n")?;
    /// let out = policy.evaluate_json(r#"{"facts": {}, "role": "clerk", "now": "2026-11-22T10:00:00Z"}"#)?;
    /// assert!(out.starts_with(r#"{"policy":"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_json(&self, request: &str) -> Result<String, RequestError> {
        // Read straight into the fact table; anything unusual takes the general path,
        // which builds the JSON tree and gives the exact error.
        let decision = match eval::evaluate_request(&self.program, request) {
            Some(decision) => decision,
            None => self.evaluate_json_tree(request)?,
        };
        decision.to_json().map_err(|err| RequestError::InvalidRequest { message: err.to_string() })
    }

    /// The general path of [`Policy::evaluate_json`]: the request parsed into a JSON tree.
    fn evaluate_json_tree(&self, request: &str) -> Result<Decision, RequestError> {
        let request: EvaluationRequest =
            serde_json::from_str(request).map_err(|err| RequestError::InvalidRequest { message: err.to_string() })?;
        let EvaluationOptions { trace, strict } = request.options;
        self.evaluate(&request.facts, &Request { role: request.role, now: request.now, trace, strict })
    }

    fn role_index(&self, role: &str) -> Result<usize, RequestError> {
        // Role names are short: compared as words, without a call to `memcmp`.
        let found = self.program.roles.iter().position(|r| crate::value::same_text(r, role));
        found.ok_or_else(|| RequestError::UnknownRole {
            role: role.to_string(),
            roles: self.program.roles.iter().map(Name::to_string).collect(),
        })
    }
}

impl FromStr for Policy {
    type Err = Diagnostics;

    fn from_str(source: &str) -> Result<Policy, Diagnostics> {
        Policy::parse(source)
    }
}

fn compile(source: &str, options: LoadOptions) -> (Option<Program>, Vec<Diagnostic>) {
    if source.len() > options.max_source_bytes {
        let message =
            format!("the policy is {} bytes, more than the limit of {}", source.len(), options.max_source_bytes);
        return (None, vec![Diagnostic::error("E0006", message, crate::Span { start: 0, end: 0 })]);
    }
    let file = match parser::parse_with_depth(source, options.max_expression_depth) {
        Ok(file) => file,
        Err(diagnostic) => return (None, vec![diagnostic]),
    };
    let mut rules = file.items.iter().filter_map(|item| match item {
        crate::syntax::ast::Item::Rule(rule) => Some(rule),
        _ => None,
    });
    if let Some(over) = rules.nth(options.max_rules) {
        let message = format!("the policy has more than {} rules", options.max_rules);
        let diagnostic = Diagnostic::error("E0008", message, over.name.span)
            .with_help("split the policy, or raise `LoadOptions::max_rules`");
        return (None, vec![diagnostic]);
    }
    check::check(&file, source, options.script_limits, options.fact_limits)
}

/// The text of `source`, or an `E0009` diagnostic at its first byte that is not UTF-8
/// (rendered against the text with invalid bytes replaced).
fn decode<'s>(origin: &str, source: &'s [u8]) -> Result<&'s str, Diagnostics> {
    match std::str::from_utf8(source) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.valid_up_to();
            let shown = String::from_utf8_lossy(source);
            let bad: Vec<String> = source
                .get(offset..offset + err.error_len().unwrap_or(source.len() - offset).min(4))
                .unwrap_or(&[])
                .iter()
                .map(|b| format!("\\x{b:02X}"))
                .collect();
            let diagnostic = Diagnostic::error(
                "E0009",
                format!("the policy is not valid UTF-8: invalid bytes `{}`", bad.join("")),
                crate::Span::new(offset, offset + char::REPLACEMENT_CHARACTER.len_utf8()),
            )
            .with_help(if source.starts_with(&[0xFF, 0xFE]) || source.starts_with(&[0xFE, 0xFF]) {
                "the file looks like UTF-16; save the policy as UTF-8"
            } else {
                "save the policy as UTF-8"
            });
            Err(Diagnostics::new(origin, shown.into_owned(), vec![diagnostic]))
        }
    }
}

/// `Ok` if the facts are a JSON object, as every request's must be.
fn object(facts: &serde_json::Value) -> Result<(), RequestError> {
    match facts {
        serde_json::Value::Object(_) => Ok(()),
        other => Err(RequestError::FactsNotObject { found: json_kind(other).to_string() }),
    }
}

/// The error for facts nested deeper than `max_depth`, first at `path`.
fn nested_too_deep(path: &str, max_depth: usize) -> RequestError {
    RequestError::InvalidRequest { message: format!("facts: `{path}` is nested more than {max_depth} levels deep") }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Policy>();
        assert_send_sync::<Decision>();
        assert_send_sync::<Facts>();
    }
}
