//! The JSON contract shared by every host: the evaluation request and its errors.
//! The CLI and the WASM build use exactly these types; `docs/json.md` documents them.

use chrono::{DateTime, FixedOffset};
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// An evaluation request as JSON: `{"facts": {...}, "role": "...", "now": "...", "options": {...}}`.
/// Unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    /// The incident's facts. A key given twice in one object is refused, naming its path.
    #[serde(deserialize_with = "strict_facts")]
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
    /// Refuse facts with a key that leads to no declared fact ([`RequestError::UnknownKey`])
    /// instead of warning about it in the decision.
    #[serde(default)]
    pub strict: bool,
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
    /// No fact is declared at the path given to [`crate::Facts::set`].
    #[error("unknown fact `{path}`: the policy declares {}", if facts.is_empty() { "no facts".to_string() } else { facts.join(", ") })]
    UnknownFact {
        /// The path asked for.
        path: String,
        /// The declared fact paths, in declaration order.
        facts: Vec<String>,
    },
    /// A strict request's facts have a key that leads to no declared fact (without
    /// `strict`, the decision warns about it instead).
    #[error("unknown key `{path}` in the facts: the policy declares no fact there{}", suggestion.as_ref().map_or(String::new(), |s| format!("; did you mean `{s}`?")))]
    UnknownKey {
        /// The key's dotted path, such as `custmer` or `customer.teir`.
        path: String,
        /// The declared path it is closest to, if one is close.
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    /// [`crate::Facts`] read for one policy were given to another.
    #[error("these facts were read for another policy: read them with `facts` of the policy that evaluates them")]
    FactsOfAnotherPolicy,
    /// The request or facts are not valid JSON, or do not follow the contract.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong, with the line and column where serde found it.
        message: String,
    },
}

/// Incident facts read strictly from JSON: like `serde_json::Value`, except that a key
/// given twice in one object is an error naming its path (`duplicate key `total` in
/// `order``), where serde_json would silently keep the last. A money engine must not
/// guess which of two amounts the caller meant. The CLI reads incidents with it.
///
/// ```
/// let err = serde_json::from_str::<extramile::json::StrictFacts>(r#"{"order": {"total": 5, "total": 500}}"#)
///     .unwrap_err();
/// assert!(err.to_string().starts_with("duplicate key `total` in `order`"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StrictFacts(pub Value);

impl<'de> Deserialize<'de> for StrictFacts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StrictFacts, D::Error> {
        StrictSeed { at: Step::Root }.deserialize(deserializer).map(StrictFacts)
    }
}

/// `deserialize_with` for a facts field: see [`StrictFacts`].
pub fn strict_facts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    StrictFacts::deserialize(deserializer).map(|facts| facts.0)
}

/// Parses incident facts from JSON text strictly (see [`StrictFacts`]).
pub fn parse_facts(text: &str) -> Result<Value, RequestError> {
    serde_json::from_str::<StrictFacts>(text)
        .map(|facts| facts.0)
        .map_err(|err| RequestError::InvalidRequest { message: format!("facts: {err}") })
}

/// Where a value sits in the facts, as a chain of borrowed steps: the dotted path is only
/// built when a message needs it, so parsing valid facts allocates nothing for it.
#[derive(Clone, Copy)]
enum Step<'a> {
    /// The facts object itself.
    Root,
    /// A key of the object at the parent step.
    Key(&'a str, &'a Step<'a>),
    /// An element of the list at the parent step.
    Index(usize, &'a Step<'a>),
}

impl Step<'_> {
    /// The path as messages write it: `order.items[2].price`.
    fn path(&self) -> String {
        match self {
            Step::Root => String::new(),
            Step::Key(key, parent) => match parent.path() {
                path if path.is_empty() => (*key).to_string(),
                path => format!("{path}.{key}"),
            },
            Step::Index(index, parent) => format!("{}[{index}]", parent.path()),
        }
    }
}

/// Deserializes one JSON value, knowing where it is for messages.
pub(crate) struct StrictSeed<'a> {
    at: Step<'a>,
}

impl StrictSeed<'static> {
    /// A seed for a value whose errors are not shown (the caller only needs to know that
    /// the value is not acceptable), so its place in the facts is not tracked.
    pub(crate) fn unplaced() -> StrictSeed<'static> {
        StrictSeed { at: Step::Root }
    }
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictSeed { at: Step::Index(items.len(), &self.at) })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let path = self.at.path();
                let place = if path.is_empty() { "the facts".to_string() } else { format!("`{path}`") };
                return Err(A::Error::custom(format!("duplicate key `{key}` in {place}")));
            }
            let value = map.next_value_seed(StrictSeed { at: Step::Key(&key, &self.at) })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
