//! The hostile corpora of the core (`crates/extramile/tests/corpus/hostile` and
//! `corpus/incidents`) through the built binary: the documented exit code, a clear message
//! with a position, and never a panic or a backtrace.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly"
)]

mod common;

use common::root;

/// Runs the binary; a panic, a backtrace or a stack overflow fails the test.
fn run(args: &[&str]) -> (i32, String, String) {
    let (code, stdout, stderr) = common::run(args);
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{args:?}: {stderr}");
    assert!(!stderr.contains("has overflowed its stack"), "{args:?}: {stderr}");
    (code, stdout, stderr)
}

fn files(dir: &str, extension: &str) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    found.sort();
    found
}

const NOW: &str = "2026-11-22T10:00:00Z";

#[test]
fn hostile_policies_exit_1_with_positioned_diagnostics() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let incident = dir.join("incident.json");
    std::fs::write(
        &incident,
        r#"{"order": {"total": 50, "placed": "2026-11-20T10:00:00Z"}, "customer": {"tier": "gold"}}"#,
    )
    .unwrap();
    let policies = files("crates/extramile/tests/corpus/hostile", "policy");
    assert!(policies.len() >= 60);
    for policy in &policies {
        let (code, stdout, _) = run(&["check", policy]);
        let (fmt_code, fmt_stdout, fmt_stderr) = run(&["fmt", "--check", policy]);
        // fmt sees syntax errors only: it reports them, or formats what parses.
        assert!(fmt_code == 0 || fmt_code == 1, "{policy}: {fmt_stderr}");
        assert!(fmt_code == 0 || fmt_stderr.contains("error[") || fmt_stdout.contains("would reformat"), "{policy}");
        if code == 1 {
            assert!(stdout.contains("error["), "{policy}: {stdout}");
            assert!(stdout.contains(&format!("--> {policy}:")), "{policy} has a position: {stdout}");
            let (code, _, stderr) =
                run(&["eval", policy, "--incident", incident.to_str().unwrap(), "--role", "boss", "--now", NOW]);
            assert_eq!(code, 1, "{policy}: eval refuses a policy with errors");
            assert!(stderr.contains("error["), "{policy}: {stderr}");
        } else {
            // Runaway scripts load; evaluating them reports errors and offers nothing from them.
            assert_eq!(code, 0, "{policy}: {stdout}");
            let (code, stdout, stderr) = run(&[
                "eval",
                policy,
                "--incident",
                incident.to_str().unwrap(),
                "--role",
                "boss",
                "--now",
                NOW,
                "--format",
                "json",
            ]);
            assert_eq!(code, 0, "{policy}: {stderr}");
            let decision: extramile::Decision = serde_json::from_str(&stdout).unwrap();
            assert!(!decision.errors.is_empty(), "{policy}");
            assert!(decision.offers.iter().flat_map(|o| &o.one_of).all(|g| g.gesture != "comp"), "{policy}");
        }
    }
}

#[test]
fn malformed_incidents_report_the_fact_or_exit_2() {
    let policy = "crates/extramile/tests/corpus/incidents/policy.policy";
    for incident in files("crates/extramile/tests/corpus/incidents", "json") {
        let (code, stdout, stderr) =
            run(&["eval", policy, "--incident", &incident, "--role", "boss", "--now", NOW, "--format", "json"]);
        let name = incident.rsplit('/').next().unwrap();
        if name.starts_with("request_") {
            assert_eq!(code, 2, "{incident}: {stdout}");
            assert!(stderr.starts_with("error: incident 1") || stderr.starts_with("error: "), "{incident}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{incident}: one clear line: {stderr}");
        } else {
            assert_eq!(code, 0, "{incident}: {stderr}");
            let decision: extramile::Decision = serde_json::from_str(&stdout).unwrap();
            if name != "valid_baseline.json" {
                assert!(decision.errors.iter().all(|p| p.fact.is_some()), "{incident}");
                assert!(!decision.errors.is_empty(), "{incident}");
            }
        }
    }
}

#[test]
fn incidents_that_are_not_utf8_or_have_duplicate_keys_exit_2_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-bad-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = "crates/extramile/tests/corpus/incidents/policy.policy";
    let latin1 = dir.join("latin1.json");
    std::fs::write(&latin1, b"{\"customer\": {\"name\": \"Jos\xe9\"}}").unwrap();
    let (code, _, stderr) =
        run(&["eval", policy, "--incident", latin1.to_str().unwrap(), "--role", "boss", "--now", NOW]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not valid JSON: invalid unicode code point at line 1 column"), "{stderr}");
    let duplicate = dir.join("duplicate.jsonl");
    std::fs::write(&duplicate, "{\"order\": {\"total\": 5}}\n{\"order\": {\"total\": 5, \"total\": 500}}\n").unwrap();
    let (code, _, stderr) =
        run(&["eval", policy, "--incident", duplicate.to_str().unwrap(), "--role", "boss", "--now", NOW]);
    assert_eq!(code, 2);
    assert!(stderr.contains("incident 2 in"), "{stderr}");
    assert!(stderr.contains("duplicate key `total` in `order` at line 2"), "{stderr}");
}

#[test]
fn a_policy_that_is_not_utf8_gets_e0009_at_its_line_and_column() {
    let (code, stdout, _) = run(&["check", "crates/extramile/tests/corpus/hostile/invalid_utf8_in_name.policy"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("error[E0009]: the policy is not valid UTF-8: invalid bytes `\\xFF`"), "{stdout}");
    assert!(stdout.contains("--> crates/extramile/tests/corpus/hostile/invalid_utf8_in_name.policy:2:9"), "{stdout}");
}

/// Asserts that a run whose stdout was closed by its reader ended quietly with exit code 0.
fn assert_quiet_stop(args: &[&str], lines: usize) {
    let (code, stderr) = common::run_into_closed_pipe(args, lines);
    assert_eq!((code, stderr.as_str()), (0, ""), "{args:?} after {lines} lines read");
}

/// Inputs for every command whose output is far more than a pipe holds (64 KiB), so that
/// the writer meets the closed end whenever the reader closes it.
fn large_inputs(dir: &std::path::Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    // 1,000 unformatted gestures (a diff of 2,000 lines) and 300 rules with an error.
    let count = 1_000;
    let mut policy = String::from("currency USD\nroles clerk\ngestures\n");
    for i in 0..count {
        policy.push_str(&format!("  gesture_with_a_name_long_enough_to_fill_the_pipe_{i}:amount\n"));
    }
    for i in 0..300 {
        policy.push_str(&format!("\nrule r{i}\n  clerk may no_such_gesture_{i} up to $5\n"));
    }
    std::fs::write(dir.join("large.policy"), policy).unwrap();
    let vase = std::fs::read_to_string(root().join("examples/store/incidents/broken_vase.json")).unwrap();
    let vase: serde_json::Value = serde_json::from_str(&vase).unwrap();
    std::fs::write(dir.join("batch.jsonl"), format!("{vase}\n").repeat(500)).unwrap();
    std::fs::copy(root().join("examples/store/store.policy"), dir.join("scenarios/store.policy")).unwrap();
    let mut scenarios = String::from("policy = \"store.policy\"\n");
    for i in 0..1_500 {
        scenarios.push_str(&format!(
            "\n[[scenario]]\nname = \"a_scenario_with_a_name_long_enough_to_fill_the_pipe_{i}\"\nfacts = {{ incident = \
             {{ kind = \"broken_item\" }} }}\nrole = \"associate\"\nnow = \"{NOW}\"\n"
        ));
    }
    std::fs::write(dir.join("scenarios/scenarios.toml"), scenarios).unwrap();
}

#[test]
fn a_closed_standard_output_stops_every_command_quietly() {
    let dir = std::env::temp_dir().join(format!("extramile-cli-pipe-{}", std::process::id()));
    large_inputs(&dir);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (policy, batch, scenarios) = (path("large.policy"), path("batch.jsonl"), path("scenarios"));
    let eval = ["eval", "examples/store/store.policy", "--incident", &batch, "--role", "associate", "--now", NOW];
    for lines in [0, 1, 5] {
        assert_quiet_stop(&["test", &scenarios], lines);
        assert_quiet_stop(&["test", &scenarios, "--coverage"], lines);
        assert_quiet_stop(&["check", &policy], lines);
        assert_quiet_stop(&["check", "--format", "json", &policy], lines);
        assert_quiet_stop(&["fmt", &policy], lines);
        assert_quiet_stop(&["fmt", "--check", &policy], lines);
        assert_quiet_stop(&eval, lines);
        assert_quiet_stop(&[&eval[..], &["--format", "json"]].concat(), lines);
        assert_quiet_stop(&[&eval[..], &["--format", "json", "--keep-going"]].concat(), lines);
        assert_quiet_stop(&[&eval[..], &["--explain"]].concat(), lines);
    }
}

/// A scenario file in a fresh folder `name` under the temp folder, naming `policy` and `incident`.
fn scenario_folder(name: &str, policy: &str, incident: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("extramile-cli-{name}-{}", std::process::id())).join("a/b");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("incidents")).unwrap();
    std::fs::copy(root().join("examples/store/store.policy"), dir.join("store.policy")).unwrap();
    std::fs::copy(root().join("examples/store/incidents/broken_vase.json"), dir.join("vase.json")).unwrap();
    let scenarios = format!(
        "policy = {policy:?}\n\n[[scenario]]\nname = \"s\"\nincident = {incident:?}\nrole = \"associate\"\nnow = \
         \"{NOW}\"\n"
    );
    std::fs::write(dir.join("scenarios.toml"), scenarios).unwrap();
    dir
}

#[test]
fn a_scenario_file_cannot_name_files_outside_its_folder() {
    let secret = std::env::temp_dir().join(format!("extramile-cli-secret-{}.policy", std::process::id()));
    std::fs::write(&secret, "root:x:0:0:secret line\n").unwrap();
    let secret = secret.to_str().unwrap();
    let outside = [
        ("policy", "../../../../../../../../etc/passwd".to_string(), "vase.json".to_string()),
        ("policy", secret.to_string(), "vase.json".to_string()),
        ("policy", "../b/store.policy".to_string(), "vase.json".to_string()),
        ("policy", "../../../no/such/file.policy".to_string(), "vase.json".to_string()),
        ("incident", "store.policy".to_string(), "../../../../../../../../etc/passwd".to_string()),
        ("incident", "store.policy".to_string(), secret.to_string()),
    ];
    for (key, policy, incident) in &outside {
        let dir = scenario_folder("confined", policy, incident);
        let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains(&format!("the {key} path `")), "{stdout}");
        assert!(stdout.contains("leads outside the folder of the scenario file"), "{stdout}");
        assert!(
            !stdout.contains("root:") && !stdout.contains("secret line"),
            "nothing of the file is quoted: {stdout}"
        );
    }
    // A link inside the folder to a file outside it is outside too; inside, paths may wander.
    #[cfg(unix)]
    {
        let dir = scenario_folder("linked", "linked.policy", "vase.json");
        std::os::unix::fs::symlink(secret, dir.join("linked.policy")).unwrap();
        let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains("the policy path `linked.policy` leads outside"), "{stdout}");
        assert!(!stdout.contains("secret line"), "{stdout}");
    }
    let dir = scenario_folder("inside", "./incidents/../store.policy", "incidents/../vase.json");
    let (code, stdout, _) = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error_that_says_so() {
    for args in [&["check", "examples"][..], &["test", "examples"][..]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_extramile"))
            .args(args)
            .current_dir(root())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().collect::<Vec<_>>(),
            ["error: cannot write to standard output: No space left on device (os error 28)"]
        );
    }
}
