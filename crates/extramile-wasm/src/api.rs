//! The host-neutral core of the bindings: JSON text in, JSON text out, errors as JSON objects.
//!
//! Everything here is plain Rust, so it is tested natively; `lib.rs` only moves strings
//! between JavaScript and these functions. The JSON is the core's contract
//! (`docs/json.md`): decisions and request errors are serialised by the core's own types.

use chrono::{DateTime, FixedOffset};
use extramile::{Diagnostics, Policy, Request, RequestError};
use serde::Deserialize;
use serde_json::{Map, Value};

/// An error for the host: a JSON object with at least `kind`, `message` and `diagnostics`.
///
/// Kinds: `invalid_policy` (the source has errors: every diagnostic is listed),
/// `invalid_argument` (a JavaScript argument of the wrong type), and the core's request
/// errors `unknown_role`, `facts_not_object` and `invalid_request`, with their fields.
#[derive(Debug, Clone, PartialEq)]
pub struct HostError {
    /// The error object.
    pub value: Value,
}

impl HostError {
    /// The error's `message`.
    pub fn message(&self) -> &str {
        self.value.get("message").and_then(Value::as_str).unwrap_or("extramile error")
    }

    /// The error's `kind`.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// The error object as JSON text.
    pub fn to_json(&self) -> String {
        self.value.to_string()
    }

    /// An `invalid_argument` error: a JavaScript value of the wrong type.
    pub fn invalid_argument(message: impl Into<String>) -> HostError {
        let message: String = message.into();
        HostError { value: serde_json::json!({"kind": "invalid_argument", "message": message, "diagnostics": []}) }
    }

    /// An `invalid_policy` error listing every diagnostic of the source.
    pub fn invalid_policy(diagnostics: &Diagnostics) -> HostError {
        let first = diagnostics.items().iter().find(|d| d.is_error()).map(|d| {
            let at = diagnostics.line_column(d.span);
            format!(": {} at line {}, column {}: {}", d.code, at.line, at.column, d.message)
        });
        let errors = diagnostics.error_count();
        let message = format!(
            "the policy does not load ({errors} error{}){}",
            if errors == 1 { "" } else { "s" },
            first.unwrap_or_default()
        );
        HostError {
            value: serde_json::json!({
                "kind": "invalid_policy",
                "message": message,
                "diagnostics": diagnostics_value(diagnostics),
                "rendered": diagnostics.render(false),
            }),
        }
    }

    /// A request error, serialised by the core (`kind` and its fields), with `message`
    /// (the error's text, unless the core already has one) and empty `diagnostics`.
    pub fn request(error: &RequestError) -> HostError {
        let mut map = match serde_json::to_value(error) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        map.entry("message").or_insert_with(|| Value::String(error.to_string()));
        map.insert("diagnostics".into(), Value::Array(Vec::new()));
        HostError { value: Value::Object(map) }
    }
}

/// Every diagnostic as the JSON of `docs/json.md`, plus `line` and `column` (1-based, as
/// `extramile check --format json` prints them) and `end_line` and `end_column` for the end
/// of the span.
pub fn diagnostics_value(diagnostics: &Diagnostics) -> Value {
    let items = diagnostics.items().iter().map(|d| {
        let start = diagnostics.line_column(d.span);
        let end = diagnostics.line_column(extramile::Span { start: d.span.end, end: d.span.end });
        let mut value = serde_json::to_value(d).unwrap_or(Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.insert("line".into(), start.line.into());
            map.insert("column".into(), start.column.into());
            map.insert("end_line".into(), end.line.into());
            map.insert("end_column".into(), end.column.into());
        }
        value
    });
    Value::Array(items.collect())
}

/// Every diagnostic of `source` (errors and warnings) as a JSON array.
pub fn check(source: &str) -> String {
    diagnostics_value(&Policy::check("policy", source)).to_string()
}

/// Parses, checks and compiles `source`.
pub fn compile(source: &str) -> Result<Policy, HostError> {
    Policy::parse(source).map_err(|diagnostics| HostError::invalid_policy(&diagnostics))
}

/// The options of [`evaluate`]: `{"role": "...", "now": "...", "trace": false, "strict": false}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateOptions {
    role: String,
    now: DateTime<FixedOffset>,
    #[serde(default)]
    trace: bool,
    #[serde(default)]
    strict: bool,
}

/// Evaluates the incident `facts` (JSON text) with `options` (JSON text of
/// `{role, now, trace}`), returning the decision's JSON, exactly as
/// [`Policy::evaluate_json`] would for the same request.
pub fn evaluate(policy: &Policy, facts: &str, options: &str) -> Result<String, HostError> {
    let invalid = |message: String| HostError::request(&RequestError::InvalidRequest { message });
    let options: EvaluateOptions = serde_json::from_str(options).map_err(|err| invalid(format!("options: {err}")))?;
    let request = Request { role: options.role, now: options.now, trace: options.trace, strict: options.strict };
    let decision = policy.evaluate_str(facts, &request).map_err(|err| HostError::request(&err))?;
    decision.to_json().map_err(|err| invalid(err.to_string()))
}

/// Evaluates a whole `EvaluationRequest` (JSON text): [`Policy::evaluate_json`] with the
/// error as a [`HostError`].
pub fn evaluate_request(policy: &Policy, request: &str) -> Result<String, HostError> {
    policy.evaluate_json(request).map_err(|err| HostError::request(&err))
}

/// Formats `source` in the canonical layout; a source with errors is an `invalid_policy`.
pub fn format(source: &str) -> Result<String, HostError> {
    extramile::format_source(source).map_err(|diagnostics| HostError::invalid_policy(&diagnostics))
}

/// The version of the engine (the crates share one version).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
    use super::*;

    const STORE: &str = include_str!("../../../examples/store/store.policy");
    const NOW: &str = "2026-11-22T10:00:00-05:00";

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn check_lists_diagnostics_with_positions() {
        let out = parse(&check("currency USD\nroles clerk\nrule r\n  clerk may comp\n"));
        let first = &out[0];
        assert_eq!(first["code"], "E0103");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["line"], 4);
        assert_eq!(first["column"], 13);
        assert!(first["span"]["start"].as_u64().is_some());
        assert!(first.get("help").is_some(), "help is always present, possibly null");
        assert_eq!(parse(&check(STORE)), Value::Array(vec![]));
    }

    #[test]
    fn evaluate_matches_the_core_json_contract() {
        let policy = compile(STORE).unwrap();
        let facts = r#"{"incident": {"kind": "broken_item", "item": {"name": "vase", "price": "120.00"}}}"#;
        let ours = evaluate(&policy, facts, &format!(r#"{{"role": "associate", "now": "{NOW}", "trace": true}}"#));
        let request =
            format!(r#"{{"facts": {facts}, "role": "associate", "now": "{NOW}", "options": {{"trace": true}}}}"#);
        assert_eq!(ours.unwrap(), policy.evaluate_json(&request).unwrap());
        assert_eq!(evaluate_request(&policy, &request).unwrap(), policy.evaluate_json(&request).unwrap());
    }

    #[test]
    fn errors_are_structured() {
        let err = compile("currency USD\nroles clerk\nrule r\n  clerk may comp\n").unwrap_err();
        assert_eq!(err.kind(), "invalid_policy");
        assert!(err.message().contains("E0103 at line 4, column 13"), "{}", err.message());
        assert_eq!(err.value["diagnostics"][0]["code"], "E0103");

        let policy = compile(STORE).unwrap();
        let options = |role: &str| format!(r#"{{"role": "{role}", "now": "{NOW}"}}"#);
        let err = evaluate(&policy, "{}", &options("intern")).unwrap_err();
        assert_eq!(err.kind(), "unknown_role");
        assert_eq!(err.value["role"], "intern");
        assert_eq!(err.value["diagnostics"], Value::Array(vec![]));
        assert!(err.message().contains("unknown role `intern`"));

        assert_eq!(evaluate(&policy, "[1]", &options("associate")).unwrap_err().value["found"], "an array");
        assert_eq!(evaluate(&policy, "{", &options("associate")).unwrap_err().kind(), "invalid_request");
        let bad_now = evaluate(&policy, "{}", r#"{"role": "associate", "now": "2026-11-22T10:00:00"}"#);
        assert_eq!(bad_now.unwrap_err().kind(), "invalid_request");
        let unknown = evaluate(&policy, "{}", r#"{"role": "associate", "now": "2026-11-22T10:00:00Z", "trac": true}"#);
        assert!(unknown.unwrap_err().message().contains("unknown field `trac`"));
    }

    #[test]
    fn format_is_the_core_formatter() {
        assert_eq!(format(STORE).unwrap(), extramile::format_source(STORE).unwrap());
        assert_eq!(format("rule\n").unwrap_err().kind(), "invalid_policy");
    }

    #[test]
    fn version_is_the_crate_version() {
        assert_eq!(version(), env!("CARGO_PKG_VERSION"));
    }
}
