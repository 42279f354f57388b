//! The JSON contract shared by every host: the evaluation request and its errors.
//! The CLI and the WASM build use exactly these types; `docs/json.md` documents them.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// An evaluation request as JSON: `{"facts": {...}, "role": "...", "now": "...", "options": {...}}`.
/// Unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    /// The incident's facts.
    pub facts: serde_json::Value,
    /// The acting employee's role.
    pub role: String,
    /// The current time, RFC 3339 with an offset.
    pub now: DateTime<FixedOffset>,
    /// Options.
    #[serde(default)]
    pub options: EvaluationOptions,
}

/// Evaluation options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationOptions {
    /// Include the rule-by-rule trace in the decision.
    #[serde(default)]
    pub trace: bool,
}

/// Why an evaluation request was refused. Evaluation itself never fails: problems inside
/// the policy's rules are reported in the decision's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestError {
    /// The role is not on the policy's ladder.
    #[error("unknown role `{role}`: the roles are {}", roles.join(" < "))]
    UnknownRole {
        /// The role asked for.
        role: String,
        /// The policy's roles, lowest first.
        roles: Vec<String>,
    },
    /// The facts are not a JSON object.
    #[error("the facts must be a JSON object, found {found}")]
    FactsNotObject {
        /// What was found instead.
        found: String,
    },
    /// The request or facts are not valid JSON, or do not follow the contract.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong, with the line and column where serde found it.
        message: String,
    },
}
