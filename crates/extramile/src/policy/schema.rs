//! The JSON Schema (draft 2020-12) of the incidents a policy reads, from its declared facts.

use crate::ir::{FactSlot, Program};
use crate::value::{Ty, Value};
use serde_json::{json, Map, Value as Json};

/// The schema of `program`'s incidents: see [`crate::Policy::incident_schema`].
pub(super) fn incident_schema(program: &Program) -> Json {
    let mut root = object_schema();
    for fact in &program.facts {
        insert(&mut root, &fact.segments, fact);
    }
    if let Json::Object(schema) = &mut root {
        let title =
            if program.name.is_empty() { "Incident".to_string() } else { format!("Incident: {}", program.name) };
        schema.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        schema.insert("title".into(), Json::String(title));
    }
    root
}

/// An object of facts: only the declared keys, as a strict request reads them.
fn object_schema() -> Json {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

/// Adds `fact`, at `segments` below `object`, to the object's schema; a fact without a
/// default is required, and so is every object on its path.
fn insert(object: &mut Json, segments: &[crate::name::Name], fact: &FactSlot) {
    let Some((first, rest)) = segments.split_first() else { return };
    let Json::Object(schema) = object else { return };
    let required = fact.default.is_none();
    if required {
        let list = schema.entry("required").or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(list) = list {
            if !list.iter().any(|key| key == first.as_str()) {
                list.push(Json::String(first.to_string()));
            }
        }
    }
    let Some(Json::Object(properties)) = schema.get_mut("properties") else { return };
    if rest.is_empty() {
        properties.insert(first.to_string(), fact_schema(fact));
    } else {
        let inner = properties.entry(first.as_str()).or_insert_with(object_schema);
        insert(inner, rest, fact);
    }
}

/// The schema of one fact's value: its type's accepted JSON, `null` too when it has a
/// default (which a missing or `null` fact takes).
fn fact_schema(fact: &FactSlot) -> Json {
    let mut schema = type_schema(&fact.ty, fact.one_of.as_deref());
    if let (Some(default), Json::Object(map)) = (&fact.default, &mut schema) {
        allow_null(map);
        map.insert("default".into(), default_json(default));
    }
    schema
}

/// The accepted JSON of a value of type `ty` (`one_of` lists a `one of` fact's values).
fn type_schema(ty: &Ty, one_of: Option<&[crate::name::Name]>) -> Json {
    match (ty, one_of) {
        (Ty::Text, Some(values)) => json!({"enum": values.iter().map(|v| v.as_str()).collect::<Vec<_>>()}),
        (Ty::Text, None) => json!({"type": "string"}),
        (Ty::Number, _) => json!({"type": "number"}),
        (Ty::Money, _) => json!({
            "description": "an amount in the policy's currency: a number (12.5), a string (\"12.50\", \"12.50 USD\", \"USD 12.50\", \"$12.50\") or an object ({\"amount\": \"12.50\", \"currency\": \"USD\"})",
            "anyOf": [
                {"type": "number"},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"amount": {"type": ["number", "string"]}, "currency": {"type": "string"}},
                    "required": ["amount"],
                    "additionalProperties": false
                }
            ]
        }),
        (Ty::Bool, _) => json!({"type": "boolean"}),
        (Ty::Date, _) => json!({"type": "string", "format": "date"}),
        (Ty::Time, _) => json!({"type": "string", "format": "date-time", "description": "RFC 3339 with an offset"}),
        (Ty::Duration, _) => json!({
            "type": "string",
            "description": "whole amounts in words (\"3 days\", \"2 hours 30 minutes\") or ISO 8601 weeks, days, hours, minutes and seconds (\"PT90M\", \"P1DT2H\")"
        }),
        (Ty::List(element), one_of) => json!({"type": "array", "items": type_schema(element, one_of)}),
        (Ty::Any, _) => json!({}),
    }
}

/// Lets the value of `schema` be `null` as well.
fn allow_null(schema: &mut Map<String, Json>) {
    if let Some(Json::String(ty)) = schema.get("type") {
        let ty = Json::Array(vec![Json::String(ty.clone()), json!("null")]);
        schema.insert("type".into(), ty);
    } else if let Some(Json::Array(values)) = schema.get_mut("enum") {
        values.push(Json::Null);
    } else if let Some(Json::Array(forms)) = schema.get_mut("anyOf") {
        forms.push(json!({"type": "null"}));
    }
}

/// A default as the incident would give it: numbers as JSON numbers, the rest as
/// [`Value::to_json`] writes them.
fn default_json(default: &Value) -> Json {
    match default {
        Value::Number(n) => serde_json::from_str(&n.normalize().to_string()).unwrap_or_else(|_| default.to_json()),
        other => other.to_json(),
    }
}
