//! Defects of the CLI found by the attack sweep of issue 19: terminal injection through
//! human output, unbounded reads, a lenient scenario grammar, and results lost by `check`
//! and `eval --keep-going`.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

const NOW: &str = "2026-05-01T00:00:00Z";

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    common::temp_dir(&format!("attack-{name}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A policy with a money fact and a text fact, whose one rule reads both.
const MONEY_POLICY: &str = "currency USD\nroles a\nfacts\n  o.m: money\n  o.k: text, default \"d\"\ngestures\n  \
                            g: amount\nrule r\n  when o.k is \"x\"\n  a may g up to o.m\n";

/// An incident whose money fact holds colour codes, a carriage return and a line break that
/// would forge a line of the output if shown raw.
const FORGING_INCIDENT: &str = r#"{"o":{"m":"\u001b[31mRED\u001b[0m\r\nFAKE: comp up to 9999","k":"x"}}"#;

/// Human output has no raw control character but line breaks, and no forged line.
fn assert_terminal_safe(text: &str) {
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "raw control character in:\n{text:?}");
    assert!(!text.lines().any(|line| line.starts_with("FAKE")), "a forged line in:\n{text}");
}

#[test]
fn human_output_shows_control_characters_of_incidents_escaped() {
    let dir = folder("escape");
    let policy = write(&dir, "p.policy", MONEY_POLICY);
    let incident = write(&dir, "i.json", FORGING_INCIDENT);
    for command in ["eval", "explain"] {
        let (code, stdout, _) = common::run(&[command, &policy, "--incident", &incident, "--role", "a", "--now", NOW]);
        assert_eq!(code, 0, "{stdout}");
        assert_terminal_safe(&stdout);
        assert!(stdout.contains(r#""\u{1b}[31mRED\u{1b}[0m\r\nFAKE: comp up to 9999""#), "{stdout}");
    }
    // A batch's error records and a strict refusal carry incident keys: escaped too.
    let batch = "{\"o\":{\"k\":\"x\"},\"\\u001b[2J\\r\\nFAKE\":1}\n{\"o\"\n";
    let args = ["eval", &policy, "--incident", "-", "--role", "a", "--now", NOW, "--strict"];
    let (_, stdout, stderr) = common::run_with_input(&[&args[..], &["--keep-going"]].concat(), batch.as_bytes());
    assert_terminal_safe(&stdout);
    assert!(stdout.contains(r"\u{1b}[2J\r\nFAKE"), "{stdout}");
    let (code, _, stderr_alone) = common::run_with_input(&args, batch.as_bytes());
    assert_eq!(code, 2);
    assert_terminal_safe(&stderr_alone);
    assert_terminal_safe(&stderr);
    // JSON output stays JSON: its own escapes, the value unchanged.
    let (_, json, _) =
        common::run(&["eval", &policy, "--incident", &incident, "--role", "a", "--now", NOW, "--format", "json"]);
    let decision: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(decision["errors"][0]["message"].as_str().unwrap().contains("\u{1b}[31mRED\u{1b}[0m\r\nFAKE"));
}

#[test]
fn diagnostics_and_scenario_failures_show_control_characters_escaped() {
    let dir = folder("escape-diagnostics");
    let policy = write(&dir, "e.policy", "currency USD\nroles a\ngestures\n  g\nrule r\n  when \"\u{1b}[2J\u{1b}[H\" is \"\u{1b}]0;title\u{7}\"\n  a may gg\n");
    let (code, stdout, _) = common::run(&["check", &policy]);
    assert_eq!(code, 1, "{stdout}");
    assert_terminal_safe(&stdout);
    // The core's renderer shows each control character of the source as a space.
    assert!(stdout.contains(r#"when " [2J [H" is " ]0;title ""#), "{stdout}");
    let (_, _, stderr) = common::run(&["eval", &policy, "--incident", "-", "--role", "a", "--now", NOW]);
    assert_terminal_safe(&stderr);

    write(&dir, "p.policy", MONEY_POLICY);
    write(&dir, "i.json", FORGING_INCIDENT);
    let scenarios = "policy = \"p.policy\"\n[[scenario]]\nname = \"x\\u001b[2J\\r\"\nincident = \"i.json\"\nrole = \
                     \"a\"\nnow = \"2026-05-01T00:00:00Z\"\n";
    let scenarios = write(&dir, "scenarios.toml", scenarios);
    let (code, stdout, _) = common::run(&["test", &scenarios]);
    assert_eq!(code, 1, "{stdout}");
    assert_terminal_safe(&stdout);
    assert!(stdout.contains(r"test x\u{1b}[2J\r ... FAILED"), "{stdout}");
}

#[test]
fn a_policy_is_read_no_further_than_the_size_that_loads() {
    let dir = folder("policy-size");
    let huge = dir.join("huge.policy");
    // Sparse: 300 MB of zeros that occupy no disk; reading it whole took 1.2 GB.
    std::fs::File::create(&huge).unwrap().set_len(300 << 20).unwrap();
    let huge = huge.display().to_string();
    for args in [vec!["check", &huge], vec!["fmt", &huge], vec!["schema", &huge]] {
        let (code, _, stderr) = common::run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("is larger than 4194304 bytes"), "{args:?}: {stderr}");
    }
    #[cfg(unix)]
    {
        let zero = dir.join("zero.policy");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let (code, _, stderr) = common::run(&["check", &zero.display().to_string()]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("is larger than"), "{stderr}");
    }
}

#[test]
fn an_incident_record_is_bounded_and_names_its_line() {
    let dir = folder("record-size");
    let policy = write(&dir, "p.policy", MONEY_POLICY);
    let long = format!("{{\"o\":{{\"k\":\"{}\"}}}}", "y".repeat(17 << 20));
    let input = format!("{{\"o\":{{\"k\":\"x\",\"m\":\"5\"}}}}\n{long}\n{{\"o\":{{\"k\":\"x\",\"m\":\"7\"}}}}\n");
    let args = ["eval", &policy, "--incident", "-", "--role", "a", "--now", NOW, "--format", "json"];
    let (code, stdout, _) = common::run_with_input(&[&args[..], &["--keep-going"]].concat(), input.as_bytes());
    assert_eq!(code, 2, "{stdout}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["error"]["kind"], "invalid_request");
    assert!(lines[1]["error"]["message"].as_str().unwrap().contains("(line 2) is longer than 16777216 bytes"));
    assert_eq!(lines[2]["decision"]["offers"][0]["one_of"][0]["up_to"], "7.00");
    // Without --keep-going, the run stops at the long line, after the decision before it.
    let (code, stdout, stderr) = common::run_with_input(&args, input.as_bytes());
    assert_eq!((code, stdout.lines().count()), (2, 1), "{stderr}");
    assert!(stderr.contains("incident 2 in `<stdin>` (line 2) is longer than"), "{stderr}");
    // An endless line (a device) is not read past the limit.
    #[cfg(unix)]
    {
        let (code, _, stderr) = common::run(&["eval", &policy, "--incident", "/dev/zero", "--role", "a", "--now", NOW]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("(line 1) is longer than"), "{stderr}");
    }
}

/// Runs `extramile test PATH`, failing the test rather than hanging if the runner waits on
/// a FIFO.
#[cfg(unix)]
fn run_test_command(path: &str) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_extramile"))
        .args(["test", path])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            let output = child.wait_with_output().unwrap();
            return (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("`extramile test {path}` hangs");
}

#[cfg(unix)]
#[test]
fn scenario_files_refuse_fifos_and_devices_instead_of_waiting() {
    let dir = folder("fifo");
    write(&dir, "p.policy", MONEY_POLICY);
    let fifo = dir.join("fifo.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink(&fifo, dir.join("fifo.policy")).unwrap();
    let scenario = |policy: &str, incident: &str| {
        format!(
            "policy = \"{policy}\"\n[[scenario]]\nname = \"s\"\nincident = \"{incident}\"\nrole = \"a\"\nnow = \
             \"{NOW}\"\n"
        )
    };
    let incident = write(&dir, "scenarios_incident.toml", &scenario("p.policy", "fifo.json"));
    let (code, stdout) = run_test_command(&incident);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("the incident is not a regular file"), "{stdout}");
    let policy = write(&dir, "scenarios_policy.toml", &scenario("fifo.policy", "fifo.json"));
    let (code, stdout) = run_test_command(&policy);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("the policy is not a regular file"), "{stdout}");
}

#[test]
fn scenario_expectations_take_exactly_the_documented_form() {
    let dir = folder("grammar");
    let policy = "currency USD\nroles a\nfacts\n  c.used: money\ngestures\n  comp: amount\nrule r\n  a may comp up to \
                  $100\nlimit comp to $50 already used c.used\n";
    write(&dir, "p.policy", policy);
    let scenario = |name: &str, expectation: &str| {
        format!(
            "[[scenario]]\nname = \"{name}\"\nfacts = {{ c = {{ used = \"0\" }} }}\nrole = \"a\"\nnow = \
             \"{NOW}\"\n[scenario.expect]\noffers = [\"{expectation}\"]\n"
        )
    };
    let mut text = "policy = \"p.policy\"\n".to_string();
    let refused =
        ["comp up to $999 $50", "comp up to", "comp up to 5e1", "comp up to +50", "comp up to 5_0", "comp $50"];
    for (at, expectation) in refused.iter().enumerate() {
        text.push_str(&scenario(&format!("refused_{at}"), expectation));
    }
    text.push_str(&scenario("accepted", "comp up to $50"));
    let path = write(&dir, "scenarios.toml", &text);
    let (code, stdout, _) = common::run(&["test", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("1 passed, 6 failed"), "{stdout}");
    assert!(stdout.contains("test accepted ... ok"), "{stdout}");
    assert!(stdout.contains("`offers` holds `comp up to $999 $50`: unexpected `$50`"), "{stdout}");
    assert!(stdout.contains("`offers` holds `comp up to`: `up to` needs an amount"), "{stdout}");
    assert!(stdout.contains("`5e1` is not an amount"), "{stdout}");
}

#[test]
fn scenario_times_may_be_toml_date_times_with_an_offset() {
    let dir = folder("toml-time");
    write(&dir, "p.policy", MONEY_POLICY);
    let scenario = |now: &str| {
        format!(
            "policy = \"p.policy\"\n[[scenario]]\nname = \"t\"\nfacts = {{ o = {{ m = \"5\", k = \"x\" }} \
             }}\nrole = \"a\"\nnow = {now}\n[scenario.expect]\noffers = [\"g up to $5\"]\n"
        )
    };
    let path = write(&dir, "scenarios.toml", &scenario("2026-11-22T10:00:00Z"));
    let (code, stdout, _) = common::run(&["test", &path]);
    assert_eq!(code, 0, "{stdout}");
    let path = write(&dir, "scenarios.toml", &scenario("2026-11-22T10:00:00"));
    let (code, stdout, _) = common::run(&["test", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("is not an RFC 3339 time with an offset"), "{stdout}");
    assert!(!stdout.contains("invalid type: map"), "{stdout}");
}

#[test]
fn check_reports_every_readable_file_beside_a_missing_one() {
    let dir = folder("check-missing");
    let good = write(&dir, "a.policy", "currency USD\nroles a\n");
    let missing = dir.join("missing.policy").display().to_string();
    let (code, stdout, stderr) = common::run(&["check", &good, &missing]);
    assert_eq!(code, 2);
    assert!(stdout.contains("a.policy: ok"), "{stdout}");
    assert!(stderr.contains("cannot read") && stderr.contains("missing.policy"), "{stderr}");
    let (code, stdout, _) = common::run(&["check", &missing, &good, "--format", "json"]);
    assert_eq!(code, 2);
    let files: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(files[0]["error"].as_str().unwrap().contains("cannot read"), "{stdout}");
    assert_eq!(files[1]["errors"], 0, "{stdout}");
    // A policy with errors beside a missing file: the worst code, 2.
    let bad = write(&dir, "bad.policy", "currency USD\nroles a\nrule r\n  b may x\n");
    let (code, stdout, _) = common::run(&["check", &bad, &missing]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("error["), "{stdout}");
}

#[test]
fn fmt_and_test_report_every_readable_file_beside_a_missing_one() {
    let dir = folder("fmt-test-missing");
    let good = write(&dir, "a.policy", "currency USD\nroles a\n");
    let missing = dir.join("missing.policy").display().to_string();
    let (code, stdout, stderr) = common::run(&["fmt", &missing, &good]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains("currency USD"), "{stdout}");
    assert!(stderr.contains("cannot read") && stderr.contains("missing.policy"), "{stderr}");
    let (code, stdout, _) = common::run(&["fmt", "--check", &good, &missing]);
    assert_eq!(code, 2);
    assert!(stdout.contains("0 files would be reformatted, 1 file already formatted"), "{stdout}");

    write(
        &dir,
        "scenarios.toml",
        "policy = \"a.policy\"\n[[scenario]]\nname = \"s\"\nfacts = {}\nrole = \"a\"\nnow = \"2026-05-01T00:00:00Z\"\n",
    );
    let missing_folder = dir.join("nowhere").display().to_string();
    let (code, stdout, _) = common::run(&["test", &missing_folder, &dir.display().to_string()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("test s ... ok"), "{stdout}");
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
}

#[test]
fn eval_refuses_policy_and_incident_both_from_standard_input() {
    let (code, stdout, stderr) =
        common::run_with_input(&["eval", "-", "--incident", "-", "--role", "a", "--now", NOW], b"currency USD\n");
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("cannot both be read from standard input"), "{stderr}");
}

#[test]
fn keep_going_error_records_are_request_errors_with_their_line() {
    let dir = folder("records");
    let policy = write(&dir, "p.policy", MONEY_POLICY);
    let input = "{\"o\":{\"k\":\"x\",\"m\":\"5\"},\"id\":1}\n{\"o\"\n{\"custmer\":1,\"id\":3}\n[1]\n";
    let args = ["eval", &policy, "--incident", "-", "--role", "a", "--now", NOW, "--format", "json", "--keep-going"];
    let (code, stdout, _) =
        common::run_with_input(&[&args[..], &["--strict", "--id-field", "id"]].concat(), input.as_bytes());
    assert_eq!(code, 2, "{stdout}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["id"], serde_json::Value::Null);
    assert_eq!(lines[1]["error"]["kind"], "invalid_request");
    assert!(lines[1]["error"]["message"].as_str().unwrap().contains("is not valid JSON"));
    assert_eq!(lines[2]["error"]["kind"], "unknown_key", "{stdout}");
    assert_eq!(lines[2]["error"]["path"], "custmer");
    assert!(lines[2]["error"]["message"].as_str().unwrap().contains("unknown key `custmer`"));
    assert_eq!(lines[3]["error"]["kind"], "facts_not_object");
    assert_eq!(lines[3]["error"]["found"], "an array");
    assert!(lines[3]["error"]["message"].as_str().unwrap().contains("JSON Lines"));
}

#[test]
fn scenario_incidents_refuse_a_key_given_twice_as_eval_does() {
    let dir = folder("duplicate-key");
    write(&dir, "p.policy", MONEY_POLICY);
    write(&dir, "i.json", r#"{"o": {"k": "x", "m": "5", "m": "500"}}"#);
    let file = "policy = \"p.policy\"\n[[scenario]]\nname = \"s\"\nincident = \"i.json\"\nrole = \"a\"\nnow = \
                \"2026-05-01T00:00:00Z\"\n[scenario.expect]\noffers = [\"g up to $500\"]\n";
    let path = write(&dir, "scenarios.toml", file);
    let (code, stdout, _) = common::run(&["test", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("duplicate key `m` in `o`"), "{stdout}");
    let inline = r#"{"policy": "p.policy", "scenario": [{"name": "s", "facts": {"o": {"k": "x", "m": "5", "m": "500"}},
        "role": "a", "now": "2026-05-01T00:00:00Z", "expect": {"offers": ["g up to $500"]}}]}"#;
    let path = write(&dir, "scenarios.json", inline);
    let (code, stdout, _) = common::run(&["test", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("duplicate key `m` in `o`"), "{stdout}");
}
