//! WebAssembly bindings for extramile: check, compile, evaluate and format policies from JavaScript.
//!
//! The glue is thin on purpose. Values cross the boundary as JSON text, produced and read
//! by the core's own serde types (the contract of `docs/json.md`), so a decision in
//! JavaScript is the native decision after `JSON.parse`. Every failure is thrown as an
//! `Error` carrying `kind`, `message` and `diagnostics` (see [`api::HostError`]); nothing
//! here unwraps or panics.
//!
//! The TypeScript declarations of every export are in `src/types.d.ts`.

pub mod api;

use api::HostError;
use js_sys::{Array, Object, JSON};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Turns a host error into the `Error` object that is thrown.
fn throw(error: HostError) -> JsValue {
    let object = js_sys::Error::new(error.message());
    if let Ok(fields) = JSON::parse(&error.to_json()) {
        Object::assign(&object, &Object::from(fields));
    }
    object.into()
}

/// JSON text from the core as a JavaScript value.
fn from_json(text: &str) -> Result<JsValue, JsValue> {
    JSON::parse(text).map_err(|_| throw(HostError::invalid_argument("the engine produced invalid JSON")))
}

/// A JavaScript value as JSON text: `undefined`, functions and symbols become `null`;
/// values `JSON.stringify` refuses (cycles, BigInt) are an `invalid_request`.
fn to_json(what: &str, value: &JsValue) -> Result<String, JsValue> {
    match JSON::stringify(value) {
        Ok(text) if text.is_string() => text_arg(what, &text.into()),
        Ok(_) => Ok("null".to_string()),
        Err(err) => {
            let reason = err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
            let message = format!("{what}: not JSON: {reason}");
            Err(throw(HostError::request(&extramile::RequestError::InvalidRequest { message })))
        }
    }
}

/// A string argument, or an `invalid_argument` error naming what was passed instead.
fn string_arg(what: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let found = value.js_typeof().as_string().unwrap_or_default();
        throw(HostError::invalid_argument(format!("{what} must be a string, found {found}")))
    })
}

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder` (a global in browsers and Node).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    /// `encodeInto` with the text left a JavaScript value: the host writes its UTF-8 into
    /// `bytes` (a view of this module's memory) in one native call.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsValue, bytes: &mut [u8]) -> EncodedInto;
    type EncodedInto;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodedInto) -> u32;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A string argument like [`string_arg`], read by the host's `encodeInto` straight into a
/// buffer of this module: for requests and incidents, where the default glue's
/// character-by-character copy was a third of `evaluateJson`'s time in Node. The same
/// text: lone surrogates become U+FFFD either way.
fn text_arg(what: &str, value: &JsValue) -> Result<String, JsValue> {
    let Some(text) = value.dyn_ref::<js_sys::JsString>() else { return string_arg(what, value) };
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    let mut bytes = vec![0_u8; usize::try_from(text.length()).unwrap_or(0).saturating_mul(3)];
    let written = ENCODER.with(|encoder| encoder.encode_into(value, &mut bytes).written());
    bytes.truncate(usize::try_from(written).unwrap_or(0));
    String::from_utf8(bytes).or_else(|_| string_arg(what, value))
}

/// Every diagnostic of a policy source, errors and warnings, in source order. Never throws
/// for a string: a policy that does not parse gives its syntax error.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn check(#[wasm_bindgen(unchecked_param_type = "string")] source: JsValue) -> Result<JsValue, JsValue> {
    from_json(&api::check(&string_arg("source", &source)?))
}

/// Compiles a policy source once, to evaluate it many times. Throws an `invalid_policy`
/// error with every diagnostic when the source has errors.
#[wasm_bindgen]
pub fn compile(#[wasm_bindgen(unchecked_param_type = "string")] source: JsValue) -> Result<CompiledPolicy, JsValue> {
    api::compile(&string_arg("source", &source)?).map(|policy| CompiledPolicy { policy }).map_err(throw)
}

/// Formats a policy source in the canonical layout (comments kept). Throws an
/// `invalid_policy` error when the source does not parse.
#[wasm_bindgen]
pub fn format(#[wasm_bindgen(unchecked_param_type = "string")] source: JsValue) -> Result<String, JsValue> {
    api::format(&string_arg("source", &source)?).map_err(throw)
}

/// The engine's version, such as `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    api::version().to_string()
}

/// A compiled policy: cheap to evaluate, immutable.
#[wasm_bindgen(js_name = Policy)]
pub struct CompiledPolicy {
    policy: extramile::Policy,
}

#[wasm_bindgen(js_class = Policy)]
impl CompiledPolicy {
    /// The policy's name (`"untitled policy"` if it has none).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.policy.name().to_string()
    }

    /// The policy's currency code, such as `"USD"`.
    #[wasm_bindgen(getter)]
    pub fn currency(&self) -> String {
        self.policy.currency().to_string()
    }

    /// The role ladder, lowest first.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn roles(&self) -> Array {
        self.policy.roles().iter().map(|r| JsValue::from_str(r)).collect()
    }

    /// The rule names, in source order.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn rules(&self) -> Array {
        self.policy.rule_names().map(JsValue::from_str).collect()
    }

    /// The warnings found while compiling.
    #[wasm_bindgen(getter, unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        from_json(&api::diagnostics_value(self.policy.warnings()).to_string())
    }

    /// Decides what `options.role` may do about `incident` at `options.now`. Throws
    /// `unknown_role`, `facts_not_object` or `invalid_request`; problems inside the rules
    /// are in the decision's `errors`, never thrown.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Incident")] incident: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EvaluateOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let facts = to_json("incident", &incident)?;
        let options = to_json("options", &options)?;
        from_json(&api::evaluate(&self.policy, &facts, &options).map_err(throw)?)
    }

    /// Evaluates a whole request of the JSON contract, `{facts, role, now, options}`.
    #[wasm_bindgen(js_name = evaluateRequest, unchecked_return_type = "Decision")]
    pub fn evaluate_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EvaluationRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = to_json("request", &request)?;
        from_json(&api::evaluate_request(&self.policy, &request).map_err(throw)?)
    }

    /// The JSON contract as text: an `EvaluationRequest` as JSON text in, the decision as
    /// JSON text out, byte for byte what the native `Policy::evaluate_json` returns.
    #[wasm_bindgen(js_name = evaluateJson)]
    pub fn evaluate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
    ) -> Result<String, JsValue> {
        api::evaluate_request(&self.policy, &text_arg("request", &request)?).map_err(throw)
    }
}
