//! The public entry point: a compiled, reusable, thread-safe policy.

use crate::check;
use crate::decision::Decision;
use crate::eval;
use crate::ir::Program;
use crate::json::{EvaluationRequest, RequestError};
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
    program: Arc<Program>,
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
}

impl Request {
    /// A request for `role` at `now`, without trace.
    pub fn new(role: impl Into<String>, now: DateTime<FixedOffset>) -> Request {
        Request { role: role.into(), now, trace: false }
    }

    /// The same request with the trace on or off.
    pub fn with_trace(mut self, trace: bool) -> Request {
        self.trace = trace;
        self
    }
}

/// Options for loading a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Largest accepted source, in bytes.
    pub max_source_bytes: usize,
    /// Limits for Rhai helpers.
    pub script_limits: ScriptLimits,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions { max_source_bytes: 4 * 1024 * 1024, script_limits: ScriptLimits::default() }
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
        let diagnostics = Diagnostics::new(origin, source, diagnostics);
        match program {
            Some(program) if !diagnostics.has_errors() => {
                Ok(Policy { program: Arc::new(program), warnings: Arc::new(diagnostics) })
            }
            _ => Err(diagnostics),
        }
    }

    /// Every diagnostic of `source`, errors and warnings, without keeping the policy.
    pub fn check(origin: &str, source: &str) -> Diagnostics {
        let (_, diagnostics) = compile(source, LoadOptions::default());
        Diagnostics::new(origin, source, diagnostics)
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
    pub fn roles(&self) -> &[String] {
        &self.program.roles
    }

    /// The rule names, in source order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.program.rules.iter().map(|r| r.name.as_str())
    }

    /// Decides what `request.role` may do about the incident `facts` at `request.now`.
    pub fn evaluate(&self, facts: &serde_json::Value, request: &Request) -> Result<Decision, RequestError> {
        let role = self.role_index(&request.role)?;
        if !facts.is_object() {
            return Err(RequestError::FactsNotObject { found: json_kind(facts).to_string() });
        }
        Ok(eval::evaluate(&self.program, facts, role, request.now, request.trace))
    }

    /// Like [`Policy::evaluate`], with the facts as a JSON string.
    pub fn evaluate_str(&self, facts: &str, request: &Request) -> Result<Decision, RequestError> {
        let facts: serde_json::Value = serde_json::from_str(facts)
            .map_err(|err| RequestError::InvalidRequest { message: format!("facts: {err}") })?;
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
        let request: EvaluationRequest =
            serde_json::from_str(request).map_err(|err| RequestError::InvalidRequest { message: err.to_string() })?;
        let decision = self.evaluate(
            &request.facts,
            &Request { role: request.role, now: request.now, trace: request.options.trace },
        )?;
        serde_json::to_string(&decision).map_err(|err| RequestError::InvalidRequest { message: err.to_string() })
    }

    fn role_index(&self, role: &str) -> Result<usize, RequestError> {
        self.program
            .roles
            .iter()
            .position(|r| r == role)
            .ok_or_else(|| RequestError::UnknownRole { role: role.to_string(), roles: self.program.roles.clone() })
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
    match parser::parse(source) {
        Ok(file) => check::check(&file, source, options.script_limits),
        Err(diagnostic) => (None, vec![diagnostic]),
    }
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
    }
}
