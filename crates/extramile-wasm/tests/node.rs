//! The JavaScript API under Node, through `wasm-bindgen-test-runner`: checking, compiling,
//! evaluating, the thrown error objects, and bad inputs that must throw, never trap.
//!
//! Run with `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test
//! -p extramile-wasm --target wasm32-unknown-unknown` (`.ci/wasm` does).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile_wasm::{check, compile, format, version, CompiledPolicy};
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const STORE: &str = include_str!("../../../examples/store/store.policy");
const NOW: &str = "2026-11-22T10:00:00-05:00";

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_else(|| panic!("`{key}` is not a string"))
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap_or_else(|| panic!("`{key}` is not a number"))
}

fn store() -> CompiledPolicy {
    compile(JsValue::from_str(STORE)).unwrap()
}

fn options(role: &str) -> JsValue {
    js(&format!(r#"{{"role": "{role}", "now": "{NOW}"}}"#))
}

fn vase() -> JsValue {
    js(r#"{"incident": {"kind": "broken_item", "item": {"name": "vase", "price": "120.00"}},
           "customer": {"tier": "gold", "flags": [], "comped_last_90_days": 40}}"#)
}

/// Asserts that `result` is a thrown `Error` of `kind` with `message` and `diagnostics`.
fn thrown<T>(result: Result<T, JsValue>, kind: &str) -> JsValue {
    let Err(error) = result else { panic!("expected a thrown `{kind}` error") };
    assert!(error.is_instance_of::<js_sys::Error>(), "thrown values are Error objects");
    assert_eq!(text(&error, "kind"), kind);
    assert!(!text(&error, "message").is_empty());
    assert!(Array::is_array(&get(&error, "diagnostics")));
    error
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn check_reports_diagnostics_with_line_column_and_span() {
    let diagnostics: Array =
        check(JsValue::from_str("currency USD\nroles clerk\nrule r\n  clerk may comp\n")).unwrap().unchecked_into();
    assert_eq!(diagnostics.length(), 1);
    let first = diagnostics.get(0);
    assert_eq!(text(&first, "code"), "E0103");
    assert_eq!(text(&first, "severity"), "error");
    assert_eq!(number(&first, "line"), 4.0);
    assert_eq!(number(&first, "column"), 13.0);
    let span = get(&first, "span");
    assert_eq!(number(&span, "end") - number(&span, "start"), 4.0);
    assert!(text(&first, "message").contains("unknown gesture `comp`"));
    let help = get(&first, "help");
    assert!(help.is_null() || help.is_string());

    let clean: Array = check(JsValue::from_str(STORE)).unwrap().unchecked_into();
    assert_eq!(clean.length(), 0);
}

#[wasm_bindgen_test]
fn a_policy_compiles_once_and_evaluates_many_times() {
    let policy = store();
    assert_eq!(policy.currency(), "USD");
    assert_eq!(policy.roles().length(), 3);
    let associate = policy.evaluate(vase(), options("associate")).unwrap();
    assert_eq!(text(&associate, "role"), "associate");
    let offers: Array = get(&associate, "offers").unchecked_into();
    assert_eq!(offers.length(), 2);
    let approvals: Array = get(&associate, "needs_approval").unchecked_into();
    assert_eq!(text(&approvals.get(0), "approver"), "supervisor");
    assert_eq!(text(&approvals.get(0), "up_to"), "120.00");
    assert!(get(&associate, "trace").is_undefined(), "no trace unless asked");

    let manager = policy.evaluate(vase(), options("store_manager")).unwrap();
    let approvals: Array = get(&manager, "needs_approval").unchecked_into();
    assert_eq!(approvals.length(), 0, "the top of the ladder needs nobody");

    let traced =
        policy.evaluate(vase(), js(&format!(r#"{{"role": "associate", "now": "{NOW}", "trace": true}}"#))).unwrap();
    let trace: Array = get(&traced, "trace").unchecked_into();
    assert_eq!(text(&trace.get(0), "outcome"), "matched");
}

#[wasm_bindgen_test]
fn the_three_entry_points_agree_with_the_contract() {
    let policy = store();
    let request = format!(
        r#"{{"facts": {}, "role": "associate", "now": "{NOW}", "options": {{"trace": true}}}}"#,
        String::from(JSON::stringify(&vase()).unwrap())
    );
    let as_text = policy.evaluate_json(JsValue::from_str(&request)).unwrap();
    let as_request = policy.evaluate_request(js(&request)).unwrap();
    let as_object =
        policy.evaluate(vase(), js(&format!(r#"{{"role": "associate", "now": "{NOW}", "trace": true}}"#))).unwrap();
    assert_eq!(String::from(JSON::stringify(&as_request).unwrap()), as_text);
    assert_eq!(String::from(JSON::stringify(&as_object).unwrap()), as_text);
}

#[wasm_bindgen_test]
fn requests_in_any_unicode_are_read_as_written() {
    let policy = store();
    for role in ["stagiaire·é", "見習い🏺"] {
        let request = format!(r#"{{"facts": {{}}, "role": "{role}", "now": "{NOW}"}}"#);
        let error = policy.evaluate_json(JsValue::from_str(&request)).unwrap_err();
        assert!(text(&error, "message").contains(&format!("unknown role `{role}`")), "{role}");
        let error = policy.evaluate(js("{}"), js(&format!(r#"{{"role": "{role}", "now": "{NOW}"}}"#))).unwrap_err();
        assert!(text(&error, "message").contains(&format!("unknown role `{role}`")), "{role}");
    }
    // A lone surrogate is read as U+FFFD, as the default glue reads it.
    let lone = js_sys::JsString::from(r#"{"facts": {}, "role": "x"#)
        .concat(&js_sys::JsString::from_char_code1(0xD800))
        .concat(&JsValue::from_str(&format!(r#"", "now": "{NOW}"}}"#)));
    let error = policy.evaluate_json(lone.into()).unwrap_err();
    assert!(text(&error, "message").contains("unknown role `x\u{FFFD}`"), "{}", text(&error, "message"));
}

#[wasm_bindgen_test]
fn format_gives_the_canonical_layout_or_throws() {
    let formatted = format(JsValue::from_str(STORE)).unwrap();
    assert_eq!(format(JsValue::from_str(&formatted)).unwrap(), formatted, "formatting is idempotent");
    thrown(format(JsValue::from_str("rule\n")), "invalid_policy");
    thrown(format(JsValue::from_f64(3.0)), "invalid_argument");
}

#[wasm_bindgen_test]
fn a_policy_with_errors_throws_its_diagnostics() {
    let error =
        thrown(compile(JsValue::from_str("currency USD\nroles clerk\nrule r\n  clerk may comp\n")), "invalid_policy");
    let diagnostics: Array = get(&error, "diagnostics").unchecked_into();
    assert_eq!(text(&diagnostics.get(0), "code"), "E0103");
    assert!(text(&error, "message").contains("line 4, column 13"));
    assert!(text(&error, "rendered").contains("error[E0103]"));
}

#[wasm_bindgen_test]
fn request_errors_are_thrown_with_the_core_fields() {
    let policy = store();
    let error = thrown(policy.evaluate(vase(), options("intern")), "unknown_role");
    assert_eq!(text(&error, "role"), "intern");
    assert_eq!(Array::from(&get(&error, "roles")).length(), 3);

    let error = thrown(policy.evaluate(js("[1, 2]"), options("associate")), "facts_not_object");
    assert_eq!(text(&error, "found"), "an array");
    let error = thrown(policy.evaluate(JsValue::UNDEFINED, options("associate")), "facts_not_object");
    assert_eq!(text(&error, "found"), "null");

    thrown(policy.evaluate(vase(), js(r#"{"role": "associate", "now": "tomorrow"}"#)), "invalid_request");
    thrown(policy.evaluate(vase(), js(r#"{"role": "associate"}"#)), "invalid_request");
    let error = thrown(
        policy.evaluate(vase(), js(&format!(r#"{{"role": "associate", "now": "{NOW}", "trac": 1}}"#))),
        "invalid_request",
    );
    assert!(text(&error, "message").contains("unknown field `trac`"));
    thrown(policy.evaluate(vase(), JsValue::UNDEFINED), "invalid_request");
    thrown(
        policy.evaluate_request(js(
            r#"{"facts": {}, "role": "associate", "now": "2026-11-22T10:00:00Z", "locale": "fr"}"#,
        )),
        "invalid_request",
    );
    thrown(policy.evaluate_json(JsValue::from_str("{")), "invalid_request");
}

#[wasm_bindgen_test]
fn bad_javascript_values_throw_and_never_trap() {
    let policy = store();
    for value in [JsValue::from_f64(1.0), JsValue::NULL, JsValue::UNDEFINED, JsValue::TRUE, js("{}")] {
        thrown(check(value.clone()), "invalid_argument");
        thrown(compile(value.clone()), "invalid_argument");
        thrown(policy.evaluate_json(value), "invalid_argument");
    }
    // A cycle and a BigInt cannot become JSON.
    let cyclic = js(r#"{"incident": {}}"#);
    Reflect::set(&get(&cyclic, "incident"), &JsValue::from_str("self"), &cyclic).unwrap();
    thrown(policy.evaluate(cyclic, options("associate")), "invalid_request");
    let big = js("{}");
    Reflect::set(&big, &JsValue::from_str("n"), &JsValue::bigint_from_str("1")).unwrap();
    thrown(policy.evaluate(big, options("associate")), "invalid_request");
    // Deep JSON, odd values and unexpected shapes.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    thrown(policy.evaluate_json(JsValue::from_str(&format!(r#"{{"facts": {deep}}}"#))), "invalid_request");
    let odd = js(
        r#"{"incident": {"kind": 7, "item": {"price": "lots"}}, "customer": {"tier": [], "comped_last_90_days": -1e300}}"#,
    );
    let decision = policy.evaluate(odd, options("associate")).unwrap();
    assert!(Array::is_array(&get(&decision, "errors")));
    // The module still works after all of that.
    assert_eq!(text(&policy.evaluate(vase(), options("associate")).unwrap(), "role"), "associate");
}

#[wasm_bindgen_test]
fn garbage_sources_give_diagnostics_not_traps() {
    let sources = [
        String::new(),
        "\u{0}\u{ffff}".to_string(),
        "policy \"unterminated".to_string(),
        format!("currency USD\nroles a\nrule r\n  when {}", "(".repeat(2000)),
        format!("currency USD\nroles a\nfacts\n  x: number\nrule r\n  when x > {}1\n", "1 + ".repeat(200)),
        format!("currency USD\nroles a\nfacts\n  x: boolean\nrule r\n  when {}x\n", "not ".repeat(100_000)),
        format!("currency USD\nroles a\nfacts\n  x: boolean\nrule r\n  when {}x\n", "x and ".repeat(50_000)),
        format!("currency USD\nroles a\nfacts\n  x: number\nrule r\n  when x in {}1\n", "[".repeat(100_000)),
        "rule \u{1F600}\n".repeat(100),
        STORE.replace('\n', "\r\n"),
        STORE.chars().rev().collect(),
    ];
    for source in sources {
        let diagnostics = check(JsValue::from_str(&source)).unwrap();
        assert!(Array::is_array(&diagnostics));
        match compile(JsValue::from_str(&source)) {
            Ok(policy) => drop(policy),
            Err(error) => assert_eq!(text(&error, "kind"), "invalid_policy"),
        }
    }
}
