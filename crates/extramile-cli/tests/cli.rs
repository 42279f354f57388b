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

use common::{root, run, run_with_input, temp_dir};

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
fn new_scaffolds_a_formatted_policy_whose_scenarios_pass() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-new-{}", std::process::id())).join("returns");
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, stderr) = run(&["new", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let policy = dir.join("returns.policy");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("\nroles agent < supervisor < manager\n"), "{text}");
    assert!(text.contains("\n  agent may comp up to $50 or replace a broken item\n"), "the sentence verbatim: {text}");
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("test agent_may_comp_up_to_50_or_replace_a_broken_item ... ok"), "{stdout}");
    assert!(stdout.trim_end().ends_with("3 passed, 0 failed"), "{stdout}");
    let (code, stdout, _) = run(&["fmt", "--check", policy.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (0, "0 files would be reformatted, 1 file already formatted\n"));
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
    std::fs::copy(root().join(STORE), dir.join("store.policy")).unwrap();
    std::fs::copy(root().join(VASE), dir.join("vase.json")).unwrap();
    let scenarios = format!(
        "policy = \"store.policy\"\n\n[[scenario]]\nname = \"too_generous\"\nincident = \"vase.json\"\nrole = \"associate\"\nnow = \"{NOW}\"\n\n[scenario.expect]\noffers = [\"comp up to $80\"]\nforbidden = [\"replace\"]\n\n[[scenario]]\nname = \"right\"\nincident = \"vase.json\"\nrole = \"associate\"\nnow = \"{NOW}\"\n\n[scenario.expect]\noffers = [\"comp up to $50\"]\n",
    );
    std::fs::write(dir.join("scenarios.toml"), scenarios).unwrap();
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!("test_failure", stdout.replace(dir.to_str().unwrap(), "DIR"));
}

/// A fresh, empty temp folder for one test.
/// The broken vase incident on one line, with `extra` fields added at its top.
fn vase_line(extra: &str) -> String {
    let vase: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join(VASE)).unwrap()).unwrap();
    let text = vase.to_string();
    if extra.is_empty() {
        text
    } else {
        format!("{{{extra},{}", &text[1..])
    }
}

const EVAL_STDIN: [&str; 9] = ["eval", STORE, "--incident", "-", "--role", "associate", "--now", NOW, "--format"];

#[test]
fn a_bad_line_in_a_batch_loses_no_decision_before_it_and_names_its_input_line() {
    // Line 1 good, line 2 blank, line 3 malformed, line 4 good.
    let input = format!("{}\n\n{{\"incident\": {{\"kind\": \n{}\n", vase_line(""), vase_line(""));
    let (code, stdout, stderr) = run_with_input(&[&EVAL_STDIN[..], &["json"]].concat(), input.as_bytes());
    assert_eq!(code, 2, "{stderr}");
    let decisions: Vec<extramile::Decision> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(decisions.len(), 1, "the decision before the bad line is printed: {stdout}");
    assert_eq!(
        stderr.trim(),
        "error: incident 2 in `<stdin>` is not valid JSON: EOF while parsing a value at line 3 column 22",
        "the input's line, not the parser's"
    );
    // A value spread over lines: the error line counts from the input's first line.
    let input = "\n\n{\n  \"order\": {\"total\": 5,\n  \"total\": 6}\n}\n";
    let (code, _, stderr) = run_with_input(&[&EVAL_STDIN[..], &["json"]].concat(), input.as_bytes());
    assert_eq!(code, 2);
    assert!(stderr.contains("duplicate key `total` in `order` at line 5 column"), "{stderr}");
}

#[test]
fn keep_going_gives_every_line_one_output_line_in_order() {
    let input = format!(
        "{}\n{{\"incident\": \n\n[{}]\n{}\n\"text\"\n",
        vase_line(r#""ticket": {"id": "T-1"}"#),
        vase_line(""),
        vase_line(r#""ticket": {"id": 7}"#)
    );
    let args = [&EVAL_STDIN[..], &["json", "--keep-going", "--id-field", "ticket.id"]].concat();
    let (code, stdout, stderr) = run_with_input(&args, input.as_bytes());
    assert_eq!(code, 2, "a line failed: {stderr}");
    assert_eq!(stderr.trim(), "error: 3 of 5 incidents could not be decided");
    let records: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let lines: Vec<u64> = records.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [1, 2, 4, 5, 6]);
    let ids: Vec<&serde_json::Value> = records.iter().map(|r| &r["id"]).collect();
    assert_eq!(
        ids,
        [
            &serde_json::json!("T-1"),
            &serde_json::Value::Null,
            &serde_json::Value::Null,
            &serde_json::json!(7),
            &serde_json::Value::Null
        ]
    );
    let decided: Vec<bool> = records.iter().map(|r| r.get("decision").is_some()).collect();
    assert_eq!(decided, [true, false, false, true, false]);
    let first: extramile::Decision = serde_json::from_value(records[0]["decision"].clone()).unwrap();
    assert_eq!(first.offers.len(), 2);
    assert!(records[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("is not valid JSON: EOF while parsing a value at line 2"));
    assert!(
        records[2]["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("(line 4) is a JSON array: to decide several incidents, give one incident a line (JSON Lines)"),
        "{}",
        records[2]
    );
    assert!(records[4]["error"]["message"].as_str().unwrap().contains("must be a JSON object"), "{}", records[4]);
    // A broken first line does not swallow the lines after it.
    let input = format!("{{\"incident\": [\n{}\n", vase_line(""));
    let (code, stdout, _) = run_with_input(&[&EVAL_STDIN[..], &["json", "--keep-going"]].concat(), input.as_bytes());
    assert_eq!(code, 2);
    let records: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        (records.len(), &records[1]["line"], records[1].get("decision").is_some()),
        (2, &serde_json::json!(2), true)
    );
    // Every line decided: exit 0; without --id-field, no `id`.
    let input = format!("{}\n{}\n", vase_line(""), vase_line(""));
    let (code, stdout, _) = run_with_input(&[&EVAL_STDIN[..], &["json", "--keep-going"]].concat(), input.as_bytes());
    assert_eq!(code, 0);
    assert!(stdout.lines().all(|l| l.starts_with("{\"line\":") && !l.contains("\"id\":")), "{stdout}");
    // Human: a heading a record.
    let (code, stdout, _) = run_with_input(&[&EVAL_STDIN[..], &["human", "--keep-going"]].concat(), b"{}\n[]\n");
    assert_eq!(code, 2);
    assert!(stdout.starts_with("== line 1 ==\nDecision for associate"), "{stdout}");
    assert!(stdout.contains("== line 2 ==\nerror: incident 2 in `<stdin>` (line 2) is a JSON array"), "{stdout}");
}

#[test]
fn an_array_of_incidents_is_told_that_json_lines_is_the_batch_format() {
    let input = format!("[\n{},\n{}\n]\n", vase_line(""), vase_line(""));
    let (code, stdout, stderr) = run_with_input(&[&EVAL_STDIN[..], &["json"]].concat(), input.as_bytes());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("(line 1) is a JSON array: to decide several incidents, give one incident a line (JSON Lines)"),
        "{stderr}"
    );
}

#[test]
fn deny_errors_exits_3_when_a_decision_has_evaluation_errors() {
    let dir = temp_dir("deny-errors");
    let policy = dir.join("p.policy");
    std::fs::write(&policy, "currency USD\nroles clerk\nfacts\n  order.total: money\ngestures\n  comp: amount\nrule r\n  clerk may comp up to order.total\n").unwrap();
    let args =
        ["eval", policy.to_str().unwrap(), "--incident", "-", "--role", "clerk", "--now", NOW, "--format", "json"];
    let (code, stdout, _) = run_with_input(&args, b"{}\n");
    assert_eq!(code, 0, "without --deny-errors, errors are in the decision only");
    assert_eq!(serde_json::from_str::<extramile::Decision>(&stdout).unwrap().errors.len(), 1);
    let (code, stdout, stderr) =
        run_with_input(&[&args[..], &["--deny-errors"]].concat(), b"{}\n{\"order\": {\"total\": 5}}\n");
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "both decisions are printed");
    assert_eq!(stderr.trim(), "error: 1 of 2 decisions have evaluation errors (--deny-errors)");
    let (code, _, _) = run_with_input(&[&args[..], &["--deny-errors"]].concat(), b"{\"order\": {\"total\": 5}}\n");
    assert_eq!(code, 0);
}

#[test]
fn check_and_fmt_take_folders_and_standard_input() {
    let (code, stdout, _) = run(&["check", "examples"]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "examples/ecommerce/ecommerce.policy: ok\nexamples/hotel/hotel.policy: ok\nexamples/saas/saas.policy: ok\nexamples/store/store.policy: ok\n"
    );
    let (code, stdout, _) = run(&["fmt", "--check", "examples"]);
    assert_eq!((code, stdout.as_str()), (0, "0 files would be reformatted, 4 files already formatted\n"));
    let store = std::fs::read(root().join(STORE)).unwrap();
    let (code, stdout, _) = run_with_input(&["check", "-"], &store);
    assert_eq!((code, stdout.as_str()), (0, "<stdin>: ok\n"));
    let (code, stdout, _) = run_with_input(&["fmt", "--check", "-"], &store);
    assert_eq!((code, stdout.as_str()), (0, "0 files would be reformatted, 1 file already formatted\n"));
    let (code, stdout, _) = run_with_input(&["fmt", "--check", "-"], b"roles a<b\n");
    assert_eq!(code, 1);
    assert!(stdout.starts_with("would reformat <stdin>\n--- <stdin>\n+++ <stdin> (formatted)\n"), "{stdout}");
    let (code, _, stderr) = run_with_input(&["check", "-"], b"roles a\nrule r\n  when (\n");
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = run_with_input(&["fmt", "--write", "-"], b"roles a\n");
    assert_eq!(
        (code, stderr.as_str()),
        (2, "error: `-` (standard input) cannot be rewritten: drop --write to print it\n")
    );
    let empty = temp_dir("no-policies");
    let (code, _, stderr) = run(&["check", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no policy files (*.policy) found under"), "{stderr}");
}

#[test]
fn color_follows_the_color_option() {
    let bad = "docs/snippets/bad.policy";
    let (_, always, _) = run(&["check", bad, "--color", "always"]);
    assert!(always.contains("\x1b["), "--color always colours even when piped and NO_COLOR is set: {always}");
    let (_, never, _) = run(&["--color", "never", "check", bad]);
    let (_, auto, _) = run(&["check", bad]);
    assert!(!never.contains('\x1b') && !auto.contains('\x1b'), "{never}{auto}");
    let (code, _, stderr) = run(&["check", bad, "--color", "sometimes"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn scenario_expectations_that_name_unknown_gestures_or_roles_fail_with_a_suggestion() {
    let dir = temp_dir("unknown-names");
    std::fs::copy(root().join(STORE), dir.join("store.policy")).unwrap();
    let scenarios = format!(
        "policy = \"store.policy\"\n\n[[scenario]]\nname = \"misspelt\"\nfacts = {{ incident = {{ kind = \"broken_item\" }} }}\nrole = \"associate\"\nnow = \"{NOW}\"\n\n[scenario.expect]\nabsent = [\"gift_crd\", \"xyzzy\"]\nneeds_approval = [\"comp by supervsor\"]\nescalations = [\"manger\"]\noffers = [\"comp up to 50 EUR\", \"gift_card up to €25\", \"gift_card up to 25usd\", \"comp up to $50\"]\n"
    );
    std::fs::write(dir.join("scenarios.toml"), scenarios).unwrap();
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    for message in [
        "`absent` names `gift_crd`, which is not a gesture of the policy; did you mean `gift_card`?",
        "`absent` names `xyzzy`, which is not a gesture of the policy; the gestures are ",
        "`needs_approval` names `supervsor`, which is not a role of the policy; did you mean `supervisor`?",
        "`escalations` names `manger`, which is not a role of the policy;",
        "`offers` holds `comp up to 50 EUR`, an amount in `EUR`, but the policy's currency is USD",
        "`offers` holds `gift_card up to €25`, an amount in `€`, but the policy's currency is USD",
    ] {
        assert!(stdout.contains(message), "{message}\n{stdout}");
    }
    assert!(!stdout.contains("25usd`, an amount") && !stdout.contains("$50`, an amount"), "{stdout}");
}

#[test]
fn fmt_check_summarises_a_diff_too_large_to_compute_cheaply() {
    let dir = temp_dir("fmt-large-diff");
    let mut policy = String::from("roles clerk\ngestures\n");
    for i in 0..2_100 {
        policy.push_str(&format!("  g{i}:amount\n"));
    }
    let file = dir.join("large.policy");
    std::fs::write(&file, &policy).unwrap();
    let (code, stdout, _) = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let name = file.to_str().unwrap();
    assert_eq!(
        stdout,
        format!(
            "would reformat {name}\n(4203 changed lines from line 2 on: too many to show; `extramile fmt {name}` prints \
             the formatted policy)\n1 file would be reformatted, 0 files already formatted\n"
        )
    );
    // Just under the bound, the diff is shown.
    let small: String = policy.lines().take(2 + 1_990).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, small).unwrap();
    let (code, stdout, _) = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.contains("\n@@ -1,") && stdout.contains("\n+  g1989: amount\n"), "{stdout}");
}

#[test]
fn a_misspelt_incident_key_warns_and_strict_refuses_it() {
    let args = ["eval", "examples/store/store.policy", "--incident", "-", "--role", "associate", "--now", NOW];
    let incident = br#"{"custmer": {"tier": "gold"}, "incident": {"kind": "broken_item", "item": {"price": 30}}}"#;
    let (code, stdout, stderr) = run_with_input(&args, incident);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Warnings:\n  - incident: `custmer` is not a declared fact"), "{stdout}");
    assert!(stdout.contains("did you mean `customer`?"), "{stdout}");
    let (code, stdout, stderr) = run_with_input(&[&args[..], &["--strict"]].concat(), incident);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("unknown key `custmer`") && stderr.contains("did you mean `customer`?"), "{stderr}");
}

#[test]
fn schema_prints_the_json_schema_of_the_incidents_a_policy_reads() {
    let (code, stdout, stderr) = run(&["schema", "examples/store/store.policy"]);
    assert_eq!(code, 0, "{stderr}");
    let schema: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let kind = &schema["properties"]["incident"]["properties"]["kind"];
    assert!(kind.to_string().contains("broken_item"), "{kind}");
    assert!(schema["properties"]["customer"].is_object());
    let (code, _, stderr) = run(&["schema", "missing.policy"]);
    assert_eq!(code, 2, "{stderr}");
}

/// Attack sweep, item 2: `eval --explain` (and `explain`) looked each traced rule's line up
/// from the start of the source, quadratic in the rules: 10 s for a ladder of 8,000 roles
/// with a rule each. The source's lines are split once; this ladder of 10,000 rules (the
/// default limit) now takes a fraction of a second, where it took about 16 s.
#[test]
fn explaining_ten_thousand_rules_shows_the_last_one_at_its_line() {
    let n = 10_000;
    let dir = temp_dir("ladder");
    let roles: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
    let mut source = format!("currency USD\nroles {}\ngestures\n  comp: amount\n", roles.join(" < "));
    for i in 0..n {
        source.push_str(&format!("rule x{i}\n  r{i} may comp up to ${}\n", i + 1));
    }
    let (policy, incident) = (dir.join("ladder.policy"), dir.join("empty.json"));
    std::fs::write(&policy, source).unwrap();
    std::fs::write(&incident, "{}").unwrap();
    let (policy, incident) = (policy.to_str().unwrap(), incident.to_str().unwrap());
    let (code, stdout, stderr) = run(&["explain", policy, "--incident", incident, "--role", "r0", "--now", NOW]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("x9999 (line 20003): applies"), "the last rule is explained with its line");
    assert!(stdout.contains("20003 | rule x9999"), "and its header");
    std::fs::remove_dir_all(&dir).unwrap();
}
