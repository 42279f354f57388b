//! Drives the built `extramile` binary: each command, success and failure, human and JSON
//! output, and the documented exit codes.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly"
)]

mod common;

use common::{root, run};

const STORE: &str = "examples/store/store.policy";
const VASE: &str = "examples/store/incidents/broken_vase.json";
const NOW: &str = "2026-11-22T10:00:00-05:00";

#[test]
fn check_passes_a_good_policy() {
    let (code, stdout, _) = run(&["check", STORE]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "examples/store/store.policy: ok\n");
}

#[test]
fn check_points_at_the_line_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.policy");
    std::fs::write(&bad, "currency USD\nroles clerk\ngestures\n  comp: amount\nrule r\n  clerk may comp up to €5\n")
        .unwrap();
    let (code, stdout, _) = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    let stdout = stdout.replace(bad.to_str().unwrap(), "bad.policy");
    insta::assert_snapshot!("check_currency_mismatch", stdout);
    let (code, stdout, _) = run(&["check", "--format", "json", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let diagnostic = &json[0]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E0105");
    assert_eq!((diagnostic["line"].as_u64(), diagnostic["column"].as_u64()), (Some(6), Some(24)));
}

#[test]
fn eval_prints_a_readable_decision() {
    let (code, stdout, _) = run(&["eval", STORE, "--incident", VASE, "--role", "associate", "--now", NOW]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("eval_human", stdout);
}

#[test]
fn eval_json_follows_the_contract() {
    let (code, stdout, _) =
        run(&["eval", STORE, "--incident", VASE, "--role", "supervisor", "--now", NOW, "--format", "json"]);
    assert_eq!(code, 0);
    let decision: extramile::Decision = serde_json::from_str(&stdout).unwrap();
    assert_eq!(decision.role, "supervisor");
    assert_eq!(decision.offers.len(), 3, "gift card, comp | replace, and the supervisor's own comp grant");
}

#[test]
fn explain_says_why_each_rule_did_or_did_not_apply() {
    let (code, stdout, _) = run(&["explain", STORE, "--incident", VASE, "--role", "associate", "--now", NOW]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_human", stdout);
}

#[test]
fn eval_streams_json_lines_one_decision_a_line() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-jsonl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lines = dir.join("incidents.jsonl");
    let vase = std::fs::read_to_string(root().join(VASE)).unwrap();
    let one: serde_json::Value = serde_json::from_str(&vase).unwrap();
    let text = format!("{one}\n{one}\n{one}\n");
    std::fs::write(&lines, text).unwrap();
    let (code, stdout, _) = run(&[
        "eval",
        STORE,
        "--incident",
        lines.to_str().unwrap(),
        "--role",
        "associate",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let decisions: Vec<extramile::Decision> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(decisions.len(), 3);
    assert!(decisions.iter().all(|d| d == &decisions[0]));
}

#[test]
fn input_errors_get_one_clear_message_and_exit_2() {
    let (code, _, stderr) = run(&["eval", STORE, "--incident", VASE, "--role", "intern", "--now", NOW]);
    assert_eq!(
        (code, stderr.trim()),
        (2, "error: unknown role `intern`: the roles are associate < supervisor < store_manager")
    );
    let (code, _, stderr) = run(&["eval", STORE, "--incident", "missing.json", "--role", "associate", "--now", NOW]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: cannot read `missing.json`"), "{stderr}");
    let (code, _, stderr) = run(&["eval", STORE, "--incident", VASE, "--role", "associate", "--now", "yesterday"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an RFC 3339 time"), "{stderr}");
    let (code, _, _) = run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn test_runs_scenarios_like_cargo_test() {
    let (code, stdout, _) = run(&["test", "examples/store", "--coverage"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("test broken_vase_associate ... ok"));
    assert!(stdout.trim_end().ends_with("6 passed, 0 failed"), "{stdout}");
}

#[test]
fn new_scaffolds_a_policy_whose_scenarios_pass() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, stderr) = run(&["new", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.trim_end().ends_with("2 passed, 0 failed"), "{stdout}");
    let (code, _, stderr) = run(&["new", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "an existing folder is refused: {stderr}");
}

#[test]
fn fmt_prints_checks_and_writes() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.policy");
    let source = "roles clerk<boss   # who\ngestures\n comp:amount\nrule r\n  when 1+1>1\n  clerk may comp up to $5\n";
    std::fs::write(&messy, source).unwrap();
    let path = messy.to_str().unwrap();

    let (code, stdout, _) = run(&["fmt", path]);
    assert_eq!(code, 0);
    let tidy = "roles clerk < boss  # who\n\ngestures\n  comp: amount\n\nrule r\n  when 1 + 1 > 1\n  clerk may comp up to $5\n";
    assert_eq!(stdout, tidy);

    let (code, stdout, _) = run(&["fmt", "--check", path]);
    assert_eq!(code, 1, "an unformatted file fails --check");
    insta::assert_snapshot!("fmt_check_diff", stdout.replace(path, "messy.policy"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), source, "--check changes nothing");

    let (code, stdout, _) = run(&["fmt", "--write", path]);
    assert_eq!(code, 0);
    assert_eq!(stdout.replace(path, "messy.policy"), "formatted messy.policy\n1 file reformatted, 0 files unchanged\n");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), tidy);

    let (code, stdout, _) = run(&["fmt", "--check", path]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "0 files would be reformatted, 1 file already formatted\n");
}

#[test]
fn fmt_reports_syntax_errors_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-fmt-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.policy");
    std::fs::write(&bad, "rule r\n  when (a\n").unwrap();
    let (code, stdout, stderr) = run(&["fmt", "--check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[E0001]"), "{stderr}");
    assert!(stderr.contains("bad.policy:2:"), "{stderr}");
    assert!(stdout.contains("1 file with syntax errors"), "{stdout}");
}

#[test]
fn examples_are_formatted() {
    let (code, stdout, _) = run(&[
        "fmt",
        "--check",
        "examples/store/store.policy",
        "examples/hotel/hotel.policy",
        "examples/ecommerce/ecommerce.policy",
        "examples/saas/saas.policy",
    ]);
    assert_eq!((code, stdout.as_str()), (0, "0 files would be reformatted, 4 files already formatted\n"));
}

#[test]
fn test_reports_a_failing_scenario_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-test-fail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = root().join(STORE);
    let scenarios = format!(
        "policy = {:?}\n\n[[scenario]]\nname = \"too_generous\"\nincident = {:?}\nrole = \"associate\"\nnow = \"{NOW}\"\n\n[scenario.expect]\noffers = [\"comp up to $80\"]\nforbidden = [\"replace\"]\n\n[[scenario]]\nname = \"right\"\nincident = {:?}\nrole = \"associate\"\nnow = \"{NOW}\"\n\n[scenario.expect]\noffers = [\"comp up to $50\"]\n",
        store.display().to_string(),
        root().join(VASE).display().to_string(),
        root().join(VASE).display().to_string(),
    );
    std::fs::write(dir.join("scenarios.toml"), scenarios).unwrap();
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!("test_failure", stdout.replace(dir.to_str().unwrap(), "DIR"));
}
