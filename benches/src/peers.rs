//! Peer engines (feature `peers`): the reference decision and the generated family in
//! Rhai, Rego (regorus, interpreter and RVM bytecode) and a GoRules ZEN decision table.
//!
//! Each engine is written as an expert in it would write the decision, compiled once, and
//! given its own pre-parsed input type, built outside the timed loop. Money is exact in
//! Rhai (`Decimal`) and ZEN (`Decimal`); Rego numbers are binary floats, so the Rego
//! policies convert the item's value to whole cents first. Every amount is an `up to`
//! bound, which rounds toward zero to the cent, as extramile's bounds do.

use crate::corpus::{Incident, KINDS, TIERS};
use crate::generated::{self, kind_name};
use crate::outcome::{self, amount_text, GateEngine, Outcome};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use std::fmt::Write;
use std::hint::black_box;

/// Benchmarks cycle through this many incidents.
const CYCLE: usize = 1024;

// ---------------------------------------------------------------------------------------
// Rhai

const RHAI_REFERENCE: &str = r#"
fn pct(p, v) { (p * v).round_down(2) }
fn lesser(a, b) { if a < b { a } else { b } }
fn greater(a, b) { if a > b { a } else { b } }

fn decide(i) {
    let kind = i.kind;
    let v = i.value;
    let tier = i.tier;
    let days = i.days;
    let prior = i.prior;
    let out = [];
    if kind == "broken_item" && days <= 30 { out.push(["refund", v]); }
    if kind == "broken_item" && v >= 100.0 { out.push(["breakage_credit", lesser(pct(0.25, v), 50.0)]); }
    if kind == "broken_item" && days <= 90 { out.push(["replacement", ()]); }
    if kind == "late_delivery" { out.push(["shipping_refund", lesser(pct(0.10, v), 15.0)]); }
    if kind == "late_delivery" && (tier == "gold" || tier == "platinum") { out.push(["priority_upgrade", ()]); }
    if kind == "late_delivery" && days > 14 { out.push(["late_voucher", 10.0]); }
    if kind == "wrong_item" { out.push(["exchange", ()]); }
    if kind == "wrong_item" && v > 25.0 { out.push(["return_label", 8.50]); }
    if kind == "missing_item" && prior < 3 { out.push(["missing_refund", v]); }
    if kind == "missing_item" && prior >= 3 { out.push(["fraud_review", ()]); }
    if kind == "defective" && days >= 31 && days <= 365 { out.push(["repair", ()]); }
    if kind == "defective" && days <= 30 { out.push(["defect_refund", v]); }
    if kind == "defective" && days >= 31 && days <= 180 { out.push(["partial_refund", pct(0.50, v)]); }
    if kind == "complaint" { out.push(["apology_note", ()]); }
    if kind == "complaint" && tier != "basic" { out.push(["goodwill_credit", lesser(pct(0.05, v), 20.0)]); }
    if tier == "gold" && v >= 200.0 { out.push(["loyalty_points", pct(0.02, v)]); }
    if tier == "platinum" { out.push(["concierge_callback", ()]); }
    if prior == 0 && days <= 7 { out.push(["welcome_coupon", 5.0]); }
    if prior >= 2 && prior <= 4 && (kind == "broken_item" || kind == "defective" || kind == "missing_item") {
        out.push(["repeat_credit", lesser(pct(0.125, v), 30.0)]);
    }
    if v > 500.0 && days <= 60 { out.push(["white_glove", greater(pct(0.01, v), 10.0)]); }
    out
}
"#;

/// The generated family in Rhai: a `switch` on the kind (hashed by Rhai), ten rules each.
pub fn rhai_generated(n_rules: usize) -> String {
    let mut src = String::from(
        "fn pct(p, v) { (p * v).round_down(2) }\nfn lesser(a, b) { if a < b { a } else { b } }\n\n\
         fn decide(i) {\n    let v = i.value;\n    let tier = i.tier;\n    let days = i.days;\n    \
         let prior = i.prior;\n    let out = [];\n    switch i.kind {\n",
    );
    for kind in 0..generated::n_kinds(n_rules) {
        let t = (kind % 10) as i64;
        let _ = write!(
            src,
            "        \"{k}\" => {{\n            if days <= {d0} {{ out.push([\"g0\", v]); }}\n            \
             if v >= {v1}.0 {{ out.push([\"g1\", lesser(pct(0.25, v), 50.0)]); }}\n            \
             if days <= {d2} {{ out.push([\"g2\", ()]); }}\n            \
             out.push([\"g3\", lesser(pct(0.10, v), 15.0)]);\n            \
             if tier == \"gold\" || tier == \"platinum\" {{ out.push([\"g4\", ()]); }}\n            \
             if days > {d5} {{ out.push([\"g5\", 10.0]); }}\n            \
             if prior < 3 {{ out.push([\"g6\", v]); }}\n            \
             if prior >= 3 {{ out.push([\"g7\", ()]); }}\n            \
             if days >= {d8a} && days <= {d8b} {{ out.push([\"g8\", pct(0.50, v)]); }}\n            \
             if tier != \"basic\" {{ out.push([\"g9\", lesser(pct(0.05, v), 20.0)]); }}\n        }}\n",
            k = kind_name(kind),
            d0 = 30 + t,
            v1 = 100 + t,
            d2 = 90 + t,
            d5 = 14 + t,
            d8a = 31 + t,
            d8b = 180 + t,
        );
    }
    src.push_str("        _ => {}\n    }\n    out\n}\n");
    src
}

/// A compiled Rhai script with its `decide` function.
pub struct RhaiPeer {
    engine: rhai::Engine,
    ast: rhai::AST,
}

impl RhaiPeer {
    /// Compiles `script` with full optimisation.
    pub fn new(script: &str) -> Result<RhaiPeer, String> {
        let mut engine = rhai::Engine::new();
        engine.set_optimization_level(rhai::OptimizationLevel::Full);
        engine.set_max_expr_depths(0, 0);
        let ast = engine.compile(script).map_err(|err| err.to_string())?;
        Ok(RhaiPeer { engine, ast })
    }

    /// Rhai's pre-parsed input: a map of the five facts.
    pub fn input(incident: &Incident, kind: &str) -> rhai::Dynamic {
        let mut map = rhai::Map::new();
        map.insert("kind".into(), kind.into());
        map.insert("value".into(), incident.item_value.into());
        map.insert("tier".into(), TIERS.get(incident.tier).copied().unwrap_or("basic").into());
        map.insert("days".into(), incident.days_since_purchase.into());
        map.insert("prior".into(), incident.prior_incidents.into());
        map.into()
    }

    /// Runs `decide`.
    pub fn eval(&self, input: &rhai::Dynamic) -> Result<rhai::Array, String> {
        let options = rhai::CallFnOptions::new().eval_ast(false).rewind_scope(false);
        self.engine
            .call_fn_with_options(options, &mut rhai::Scope::new(), &self.ast, "decide", (input.clone(),))
            .map_err(|err| err.to_string())
    }

    /// The canonical outcome of `decide`'s answer.
    pub fn outcome(answer: &rhai::Array) -> Outcome {
        outcome::sorted(
            answer
                .iter()
                .map(|pair| {
                    let pair = pair.clone().into_array().unwrap_or_default();
                    let name = pair.first().map(|n| n.to_string()).unwrap_or_default();
                    let amount = pair.get(1).and_then(|a| a.as_decimal().ok()).map(amount_text);
                    (name, amount)
                })
                .collect(),
        )
    }
}

// ---------------------------------------------------------------------------------------
// Rego

const REGO_PRELUDE: &str = r#"package bench

kind := input.incident.kind
tier := input.customer.tier
days := input.order.days_since_purchase
prior := object.get(input.customer, "prior_incidents", 0)

# Rego numbers are binary floats: amounts are computed in whole cents.
value := round(input.item.value * 100)

pct(p) := floor((value * p) / 100)

# The entry point: every [gesture, amount in cents] that applies (null for no amount).
# (Pairs in a partial set: the RVM compiler does not take partial objects with constant keys.)
decision := gestures
"#;

const REGO_REFERENCE: &str = r#"
gestures contains ["refund", value] if { kind == "broken_item"; days <= 30 }
gestures contains ["breakage_credit", min([pct(25), 5000])] if { kind == "broken_item"; value >= 10000 }
gestures contains ["replacement", null] if { kind == "broken_item"; days <= 90 }
gestures contains ["shipping_refund", min([pct(10), 1500])] if { kind == "late_delivery" }
gestures contains ["priority_upgrade", null] if { kind == "late_delivery"; tier in {"gold", "platinum"} }
gestures contains ["late_voucher", 1000] if { kind == "late_delivery"; days > 14 }
gestures contains ["exchange", null] if { kind == "wrong_item" }
gestures contains ["return_label", 850] if { kind == "wrong_item"; value > 2500 }
gestures contains ["missing_refund", value] if { kind == "missing_item"; prior < 3 }
gestures contains ["fraud_review", null] if { kind == "missing_item"; prior >= 3 }
gestures contains ["repair", null] if { kind == "defective"; days >= 31; days <= 365 }
gestures contains ["defect_refund", value] if { kind == "defective"; days <= 30 }
gestures contains ["partial_refund", pct(50)] if { kind == "defective"; days >= 31; days <= 180 }
gestures contains ["apology_note", null] if { kind == "complaint" }
gestures contains ["goodwill_credit", min([pct(5), 2000])] if { kind == "complaint"; tier != "basic" }
gestures contains ["loyalty_points", pct(2)] if { tier == "gold"; value >= 20000 }
gestures contains ["concierge_callback", null] if { tier == "platinum" }
gestures contains ["welcome_coupon", 500] if { prior == 0; days <= 7 }
gestures contains ["repeat_credit", min([pct(12.5), 3000])] if {
    prior >= 2
    prior <= 4
    kind in {"broken_item", "defective", "missing_item"}
}
gestures contains ["white_glove", max([pct(1), 1000])] if { value > 50000; days <= 60 }
"#;

/// The Rego of the reference decision.
pub fn rego_reference() -> String {
    format!("{REGO_PRELUDE}{REGO_REFERENCE}")
}

/// The generated family in Rego: ten rules per kind, each testing the kind first.
pub fn rego_generated(n_rules: usize) -> String {
    let mut src = String::from(REGO_PRELUDE);
    for rule in 0..n_rules {
        let kind = rule / 10;
        let k = kind_name(kind);
        let t = (kind % 10) as i64;
        let (head, body) = match rule % 10 {
            0 => ("gestures contains [\"g0\", value]".to_string(), format!("days <= {}", 30 + t)),
            1 => (
                "gestures contains [\"g1\", min([pct(25), 5000])]".to_string(),
                format!("value >= {}", (100 + t) * 100),
            ),
            2 => ("gestures contains [\"g2\", null]".to_string(), format!("days <= {}", 90 + t)),
            3 => ("gestures contains [\"g3\", min([pct(10), 1500])]".to_string(), "true".to_string()),
            4 => ("gestures contains [\"g4\", null]".to_string(), "tier in {\"gold\", \"platinum\"}".to_string()),
            5 => ("gestures contains [\"g5\", 1000]".to_string(), format!("days > {}", 14 + t)),
            6 => ("gestures contains [\"g6\", value]".to_string(), "prior < 3".to_string()),
            7 => ("gestures contains [\"g7\", null]".to_string(), "prior >= 3".to_string()),
            8 => {
                ("gestures contains [\"g8\", pct(50)]".to_string(), format!("days >= {}; days <= {}", 31 + t, 180 + t))
            }
            _ => ("gestures contains [\"g9\", min([pct(5), 2000])]".to_string(), "tier != \"basic\"".to_string()),
        };
        let _ = writeln!(src, "{head} if {{ kind == \"{k}\"; {body} }}");
    }
    src
}

/// Rego's pre-parsed input.
pub fn rego_input(facts: &serde_json::Value) -> Result<regorus::Value, String> {
    regorus::Value::from_json_str(&facts.to_string()).map_err(|err| err.to_string())
}

/// The canonical outcome of the set of `[gesture, cents]` pairs.
pub fn rego_outcome(answer: &regorus::Value) -> Outcome {
    let json: serde_json::Value =
        answer.to_json_str().ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let Some(pairs) = json.as_array() else {
        return vec![(format!("not a set: {json}"), None)];
    };
    outcome::sorted(
        pairs
            .iter()
            .map(|pair| {
                let gesture = pair.get(0).and_then(|g| g.as_str()).unwrap_or_default().to_string();
                let amount = match pair.get(1) {
                    None | Some(serde_json::Value::Null) => None,
                    Some(other) => {
                        Some(other.as_i64().map_or_else(|| format!("not whole cents: {other}"), outcome::cents_text))
                    }
                };
                (gesture, amount)
            })
            .collect(),
    )
}

/// The Rego interpreter with the policy loaded.
pub fn rego_engine(source: &str) -> Result<regorus::Engine, String> {
    let mut engine = regorus::Engine::new();
    engine.add_policy("bench.rego".to_string(), source.to_string()).map_err(|err| err.to_string())?;
    Ok(engine)
}

/// Evaluates `data.bench.decision` on the interpreter.
pub fn rego_eval(engine: &mut regorus::Engine, input: &regorus::Value) -> Result<regorus::Value, String> {
    engine.set_input(input.clone());
    engine.eval_rule("data.bench.decision".to_string()).map_err(|err| err.to_string())
}

/// The policy compiled to RVM bytecode, loaded in a VM.
pub fn rego_vm(source: &str) -> Result<regorus::rvm::RegoVM, String> {
    let mut engine = rego_engine(source)?;
    let entry = "data.bench.decision";
    let compiled = engine.compile_with_entrypoint(&entry.into()).map_err(|err| err.to_string())?;
    let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[entry])
        .map_err(|err| err.to_string())?;
    let mut vm = regorus::rvm::RegoVM::new();
    vm.load_program(program);
    vm.set_data(regorus::Value::new_object()).map_err(|err| err.to_string())?;
    Ok(vm)
}

/// Evaluates the entry point on the VM.
pub fn rego_vm_eval(vm: &mut regorus::rvm::RegoVM, input: &regorus::Value) -> Result<regorus::Value, String> {
    vm.set_input(input.clone());
    vm.execute_entry_point_by_index(0).map_err(|err| err.to_string())
}

// ---------------------------------------------------------------------------------------
// GoRules ZEN

/// One row of a ZEN decision table: cells for kind, days, value, tier, prior, then the
/// gesture and its amount expression.
type ZenRow = [String; 7];

fn zen_table(rows: &[ZenRow]) -> serde_json::Value {
    let inputs = [
        ("kind", "incident.kind"),
        ("days", "order.days_since_purchase"),
        ("value", "item.value"),
        ("tier", "customer.tier"),
        ("prior", "customer.prior_incidents"),
    ];
    let rules: Vec<serde_json::Value> = rows
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let mut rule = serde_json::Map::new();
            rule.insert("_id".into(), format!("r{n}").into());
            for ((id, _), cell) in inputs.iter().zip(row.iter()) {
                rule.insert((*id).into(), cell.clone().into());
            }
            rule.insert("gesture".into(), row[5].clone().into());
            rule.insert("amount".into(), row[6].clone().into());
            serde_json::Value::Object(rule)
        })
        .collect();
    serde_json::json!({
        "nodes": [
            {"id": "request", "name": "request", "type": "inputNode", "content": {}},
            {"id": "table", "name": "gestures", "type": "decisionTableNode", "content": {
                "hitPolicy": "collect",
                "inputs": inputs.iter().map(|(id, field)| serde_json::json!({"id": id, "name": id, "field": field})).collect::<Vec<_>>(),
                "outputs": [
                    {"id": "gesture", "name": "gesture", "field": "gesture"},
                    {"id": "amount", "name": "amount", "field": "amount"}
                ],
                "rules": rules
            }},
            {"id": "response", "name": "response", "type": "outputNode", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "table"},
            {"id": "e2", "sourceId": "table", "targetId": "response"}
        ]
    })
}

fn row(cells: [&str; 7]) -> ZenRow {
    cells.map(str::to_string)
}

/// The reference decision as a ZEN decision table with the `collect` hit policy.
pub fn zen_reference() -> serde_json::Value {
    let rows = [
        row(["\"broken_item\"", "<= 30", "", "", "", "\"refund\"", "item.value"]),
        row([
            "\"broken_item\"",
            "",
            ">= 100",
            "",
            "",
            "\"breakage_credit\"",
            "min([floor(item.value * 25) / 100, 50])",
        ]),
        row(["\"broken_item\"", "<= 90", "", "", "", "\"replacement\"", "null"]),
        row(["\"late_delivery\"", "", "", "", "", "\"shipping_refund\"", "min([floor(item.value * 10) / 100, 15])"]),
        row(["\"late_delivery\"", "", "", "\"gold\", \"platinum\"", "", "\"priority_upgrade\"", "null"]),
        row(["\"late_delivery\"", "> 14", "", "", "", "\"late_voucher\"", "10"]),
        row(["\"wrong_item\"", "", "", "", "", "\"exchange\"", "null"]),
        row(["\"wrong_item\"", "", "> 25", "", "", "\"return_label\"", "8.50"]),
        row(["\"missing_item\"", "", "", "", "< 3", "\"missing_refund\"", "item.value"]),
        row(["\"missing_item\"", "", "", "", ">= 3", "\"fraud_review\"", "null"]),
        row(["\"defective\"", "[31..365]", "", "", "", "\"repair\"", "null"]),
        row(["\"defective\"", "<= 30", "", "", "", "\"defect_refund\"", "item.value"]),
        row(["\"defective\"", "[31..180]", "", "", "", "\"partial_refund\"", "floor(item.value * 50) / 100"]),
        row(["\"complaint\"", "", "", "", "", "\"apology_note\"", "null"]),
        row([
            "\"complaint\"",
            "",
            "",
            "\"silver\", \"gold\", \"platinum\"",
            "",
            "\"goodwill_credit\"",
            "min([floor(item.value * 5) / 100, 20])",
        ]),
        row(["", "", ">= 200", "\"gold\"", "", "\"loyalty_points\"", "floor(item.value * 2) / 100"]),
        row(["", "", "", "\"platinum\"", "", "\"concierge_callback\"", "null"]),
        row(["", "<= 7", "", "", "0", "\"welcome_coupon\"", "5"]),
        row([
            "\"broken_item\", \"defective\", \"missing_item\"",
            "",
            "",
            "",
            "[2..4]",
            "\"repeat_credit\"",
            "min([floor(item.value * 12.5) / 100, 30])",
        ]),
        row(["", "<= 60", "> 500", "", "", "\"white_glove\"", "max([floor(item.value) / 100, 10])"]),
    ];
    zen_table(&rows)
}

/// The generated family as one ZEN decision table of `n_rules` rows.
pub fn zen_generated(n_rules: usize) -> serde_json::Value {
    let rows: Vec<ZenRow> = (0..n_rules)
        .map(|rule| {
            let kind = rule / 10;
            let k = format!("\"{}\"", kind_name(kind));
            let t = (kind % 10) as i64;
            let s = String::new;
            match rule % 10 {
                0 => [k, format!("<= {}", 30 + t), s(), s(), s(), "\"g0\"".into(), "item.value".into()],
                1 => [
                    k,
                    s(),
                    format!(">= {}", 100 + t),
                    s(),
                    s(),
                    "\"g1\"".into(),
                    "min([floor(item.value * 25) / 100, 50])".into(),
                ],
                2 => [k, format!("<= {}", 90 + t), s(), s(), s(), "\"g2\"".into(), "null".into()],
                3 => [k, s(), s(), s(), s(), "\"g3\"".into(), "min([floor(item.value * 10) / 100, 15])".into()],
                4 => [k, s(), s(), "\"gold\", \"platinum\"".into(), s(), "\"g4\"".into(), "null".into()],
                5 => [k, format!("> {}", 14 + t), s(), s(), s(), "\"g5\"".into(), "10".into()],
                6 => [k, s(), s(), s(), "< 3".into(), "\"g6\"".into(), "item.value".into()],
                7 => [k, s(), s(), s(), ">= 3".into(), "\"g7\"".into(), "null".into()],
                8 => [
                    k,
                    format!("[{}..{}]", 31 + t, 180 + t),
                    s(),
                    s(),
                    s(),
                    "\"g8\"".into(),
                    "floor(item.value * 50) / 100".into(),
                ],
                _ => [
                    k,
                    s(),
                    s(),
                    "\"silver\", \"gold\", \"platinum\"".into(),
                    s(),
                    "\"g9\"".into(),
                    "min([floor(item.value * 5) / 100, 20])".into(),
                ],
            }
        })
        .collect();
    zen_table(&rows)
}

/// A precompiled ZEN decision.
pub fn zen_decision(content: serde_json::Value) -> Result<zen_engine::Decision, String> {
    let graph: zen_engine::model::GraphContent = serde_json::from_value(content).map_err(|err| err.to_string())?;
    let mut decision = zen_engine::Decision::from(graph);
    decision.compile();
    Ok(decision)
}

/// Evaluates a ZEN decision (its API is async: a minimal executor drives it).
pub fn zen_eval(decision: &zen_engine::Decision, input: &zen_engine::Variable) -> Result<zen_engine::Variable, String> {
    pollster::block_on(decision.evaluate(input.clone())).map(|response| response.result).map_err(|err| err.to_string())
}

/// The canonical outcome of the collected rows.
pub fn zen_outcome(answer: &zen_engine::Variable) -> Outcome {
    let zen_engine::Variable::Array(rows) = answer else {
        return vec![(format!("not a list: {answer}"), None)];
    };
    let rows = rows.borrow();
    outcome::sorted(
        rows.iter()
            .map(|row| {
                let gesture =
                    row.dot("gesture").map(|g| g.as_str().unwrap_or_default().to_string()).unwrap_or_default();
                let amount = match row.dot("amount") {
                    Some(zen_engine::Variable::Number(n)) => Some(amount_text(n)),
                    Some(zen_engine::Variable::Null) | None => None,
                    Some(other) => Some(format!("not a number: {other}")),
                };
                (gesture, amount)
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// The gate and the benchmarks

fn reference_kind(incident: &Incident) -> &'static str {
    KINDS.get(incident.kind).copied().unwrap_or("complaint")
}

fn failed(engine: &str, err: &str) -> Outcome {
    vec![(format!("{engine} failed: {err}"), None)]
}

/// The peers under the fairness gate on the reference decision.
pub fn reference_gate_engines() -> Result<Vec<GateEngine<'static>>, String> {
    let rhai = RhaiPeer::new(RHAI_REFERENCE)?;
    let mut rego = rego_engine(&rego_reference())?;
    let mut vm = rego_vm(&rego_reference())?;
    let zen = zen_decision(zen_reference())?;
    Ok(vec![
        (
            "rhai".to_string(),
            Box::new(move |i: &Incident| match rhai.eval(&RhaiPeer::input(i, reference_kind(i))) {
                Ok(answer) => RhaiPeer::outcome(&answer),
                Err(err) => failed("rhai", &err),
            }),
        ),
        (
            "rego (regorus interpreter)".to_string(),
            Box::new(move |i: &Incident| {
                match rego_input(&i.to_json()).and_then(|input| rego_eval(&mut rego, &input)) {
                    Ok(answer) => rego_outcome(&answer),
                    Err(err) => failed("rego", &err),
                }
            }),
        ),
        (
            "rego (regorus RVM)".to_string(),
            Box::new(move |i: &Incident| {
                match rego_input(&i.to_json()).and_then(|input| rego_vm_eval(&mut vm, &input)) {
                    Ok(answer) => rego_outcome(&answer),
                    Err(err) => failed("rego rvm", &err),
                }
            }),
        ),
        (
            "zen".to_string(),
            Box::new(move |i: &Incident| {
                // Evaluated twice on one input: the second run checks that ZEN leaves its
                // input as it was, so that the timed loop may share it.
                let input = zen_engine::Variable::from(i.to_json());
                let first = zen_eval(&zen, &input).map(|answer| zen_outcome(&answer));
                let second = zen_eval(&zen, &input).map(|answer| zen_outcome(&answer));
                match (first, second) {
                    (Ok(first), Ok(second)) if first == second => first,
                    (Ok(first), Ok(_)) => {
                        failed("zen", &format!("a second run on the same input differs from {first:?}"))
                    }
                    (Err(err), _) | (_, Err(err)) => failed("zen", &err),
                }
            }),
        ),
    ])
}

/// The peers under the fairness gate on a generated policy.
pub fn generated_gate_engines(n_rules: usize) -> Result<Vec<GateEngine<'static>>, String> {
    let rhai = RhaiPeer::new(&rhai_generated(n_rules))?;
    let zen = zen_decision(zen_generated(n_rules))?;
    let mut engines: Vec<GateEngine<'static>> = vec![
        (
            "rhai".to_string(),
            Box::new(move |i: &Incident| match rhai.eval(&RhaiPeer::input(i, &kind_name(i.kind))) {
                Ok(answer) => RhaiPeer::outcome(&answer),
                Err(err) => failed("rhai", &err),
            }),
        ),
        (
            "zen".to_string(),
            Box::new(move |i: &Incident| match zen_eval(&zen, &zen_engine::Variable::from(generated::facts(i))) {
                Ok(answer) => zen_outcome(&answer),
                Err(err) => failed("zen", &err),
            }),
        ),
    ];
    // The RVM takes at most 65,535 instructions per program: large policies do not compile.
    match rego_vm(&rego_generated(n_rules)) {
        Ok(mut vm) => engines.push((
            "rego (regorus RVM)".to_string(),
            Box::new(move |i: &Incident| {
                match rego_input(&generated::facts(i)).and_then(|input| rego_vm_eval(&mut vm, &input)) {
                    Ok(answer) => rego_outcome(&answer),
                    Err(err) => failed("rego rvm", &err),
                }
            }),
        )),
        Err(err) => eprintln!("rego (regorus RVM) skipped at {n_rules} rules: {err}"),
    }
    // The interpreter re-evaluates every rule on each call: gate it on the smaller sizes.
    if n_rules <= 2_000 {
        let mut rego = rego_engine(&rego_generated(n_rules))?;
        engines.push((
            "rego (regorus interpreter)".to_string(),
            Box::new(move |i: &Incident| {
                match rego_input(&generated::facts(i)).and_then(|input| rego_eval(&mut rego, &input)) {
                    Ok(answer) => rego_outcome(&answer),
                    Err(err) => failed("rego", &err),
                }
            }),
        ));
    }
    Ok(engines)
}

/// One benchmark case for every peer: the decision in each engine's language and the
/// incidents to cycle through.
struct PeerCase<'a> {
    rhai_script: String,
    rego_source: String,
    zen_content: serde_json::Value,
    incidents: &'a [Incident],
    facts: Vec<serde_json::Value>,
    kind: fn(&Incident) -> String,
}

#[allow(clippy::unwrap_used, reason = "a bench stops on any failure")]
fn bench_peers(group: &mut BenchmarkGroup<'_, WallTime>, id: impl Fn(&str) -> BenchmarkId, case: PeerCase<'_>) {
    let rhai = RhaiPeer::new(&case.rhai_script).unwrap();
    let rhai_inputs: Vec<rhai::Dynamic> = case.incidents.iter().map(|i| RhaiPeer::input(i, &(case.kind)(i))).collect();
    let rego_inputs: Vec<regorus::Value> = case.facts.iter().map(|f| rego_input(f).unwrap()).collect();
    let zen = zen_decision(case.zen_content).unwrap();
    let zen_inputs: Vec<zen_engine::Variable> =
        case.facts.iter().map(|f| zen_engine::Variable::from(f.clone())).collect();
    let n = case.incidents.len().clamp(1, CYCLE);
    let mut i = 0;
    group.bench_function(id("rhai"), |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(rhai.eval(black_box(&rhai_inputs[i])).unwrap())
        })
    });
    let mut rego = rego_engine(&case.rego_source).unwrap();
    group.bench_function(id("rego (regorus interpreter)"), |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(rego_eval(&mut rego, black_box(&rego_inputs[i])).unwrap())
        })
    });
    match rego_vm(&case.rego_source) {
        Ok(mut vm) => {
            group.bench_function(id("rego (regorus RVM)"), |b| {
                b.iter(|| {
                    i = (i + 1) % n;
                    black_box(rego_vm_eval(&mut vm, black_box(&rego_inputs[i])).unwrap())
                })
            });
        }
        Err(err) => eprintln!("rego (regorus RVM) not benchmarked: {err}"),
    }
    group.bench_function(id("zen"), |b| {
        b.iter(|| {
            i = (i + 1) % n;
            black_box(zen_eval(&zen, black_box(&zen_inputs[i])).unwrap())
        })
    });
}

/// The peers on the reference decision, on pre-parsed input.
pub fn bench_reference(group: &mut BenchmarkGroup<'_, WallTime>, incidents: &[Incident]) {
    let case = PeerCase {
        rhai_script: RHAI_REFERENCE.to_string(),
        rego_source: rego_reference(),
        zen_content: zen_reference(),
        incidents,
        facts: incidents.iter().map(Incident::to_json).collect(),
        kind: |i| reference_kind(i).to_string(),
    };
    bench_peers(group, |engine: &str| BenchmarkId::from_parameter(engine), case);
}

/// The peers on a generated policy of `n_rules` rules.
pub fn bench_scaling(group: &mut BenchmarkGroup<'_, WallTime>, n_rules: usize, incidents: &[Incident]) {
    let case = PeerCase {
        rhai_script: rhai_generated(n_rules),
        rego_source: rego_generated(n_rules),
        zen_content: zen_generated(n_rules),
        incidents,
        facts: incidents.iter().map(generated::facts).collect(),
        kind: |i| kind_name(i.kind),
    };
    bench_peers(group, |engine| BenchmarkId::new(engine, n_rules), case);
}
