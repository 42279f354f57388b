//! Native reference decisions for the WASM conformance run (`js/conformance.mjs`).
//!
//! Writes one JSON object a line: every scenario of `examples/**/scenarios*.{toml,json}`
//! (evaluated twice, without and with the trace) and every evaluation request of the core's
//! golden corpus (`crates/extramile/tests/corpus/eval/NAME.CASE.json` with `NAME.policy`),
//! each with the native output of `Policy::evaluate_json`: the decision, or the request
//! error as the core serialises it.
//!
//! ```text
//! cargo run -p extramile-wasm --example native_decisions -- OUT.jsonl [REPO_ROOT]
//! ```

use extramile::Policy;
use serde_json::json;
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: native_decisions OUT.jsonl [REPO_ROOT]")?;
    let root = match args.next() {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    let mut lines = String::new();
    let (mut scenarios, mut requests) = (0, 0);

    let mut files = Vec::new();
    walk(&root.join("examples"), &mut files)?;
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with("scenarios") && (name.ends_with(".toml") || name.ends_with(".json"))
    });
    for file in &files {
        let scenario_file = extramile::testing::load(file)?;
        let base = file.parent().unwrap_or(Path::new("."));
        let policy_path = base.join(&scenario_file.policy);
        let policy = load(&policy_path)?;
        for scenario in &scenario_file.scenarios {
            let facts = match (&scenario.facts, &scenario.incident) {
                (Some(facts), _) => facts.clone(),
                (None, Some(incident)) => serde_json::from_str(&std::fs::read_to_string(base.join(incident))?)?,
                (None, None) => json!({}),
            };
            for trace in [false, true] {
                let request = json!({
                    "facts": facts,
                    "role": scenario.role,
                    "now": scenario.now.to_rfc3339(),
                    "options": {"trace": trace},
                });
                let line = json!({
                    "kind": "scenario",
                    "file": relative(&root, file),
                    "name": scenario.name,
                    "policy": relative(&root, &policy_path),
                    "request": request,
                    "output": evaluate(&policy, &request.to_string()),
                });
                writeln!(lines, "{line}")?;
                scenarios += 1;
            }
        }
    }

    let corpus = root.join("crates/extramile/tests/corpus/eval");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    for case in &cases {
        let file_name = case.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let policy_name = file_name.split('.').next().unwrap_or("");
        let policy_path = corpus.join(format!("{policy_name}.policy"));
        let policy = load(&policy_path)?;
        let text = std::fs::read_to_string(case)?;
        let line = json!({
            "kind": "request",
            "file": relative(&root, case),
            "name": file_name,
            "policy": relative(&root, &policy_path),
            "request_text": text,
            "output": evaluate(&policy, &text),
        });
        writeln!(lines, "{line}")?;
        requests += 1;
    }

    std::fs::write(&out, lines)?;
    eprintln!(
        "native: {scenarios} scenario evaluations from {} scenario files, {requests} corpus requests -> {out}",
        files.len()
    );
    Ok(())
}

/// The native output of the JSON contract: the decision, or the request error's JSON.
fn evaluate(policy: &Policy, request: &str) -> String {
    match policy.evaluate_json(request) {
        Ok(decision) => decision,
        Err(err) => serde_json::to_string(&err).unwrap_or_default(),
    }
}

fn load(path: &Path) -> Result<Policy, Box<dyn Error>> {
    let source = std::fs::read_to_string(path)?;
    Policy::parse_named(&path.display().to_string(), &source).map_err(|d| d.to_string().into())
}

fn relative(root: &Path, path: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    path.strip_prefix(&root).unwrap_or(&path).display().to_string()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
