//! Runs every `console` example of `docs/cli.md` and checks that the binary prints what the
//! page shows (a line `...` stands for any number of lines).
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::root;
use std::path::Path;
use std::process::Command;

/// A command of the page and the output it shows.
struct Example {
    command: String,
    expected: Vec<String>,
}

fn examples(page: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut in_block = false;
    for line in page.lines() {
        if line == "```console" {
            in_block = true;
        } else if in_block && line == "```" {
            in_block = false;
        } else if in_block {
            match line.strip_prefix("$ ") {
                Some(command) => examples.push(Example { command: command.to_string(), expected: Vec::new() }),
                None => examples.last_mut().expect("output follows a command").expected.push(line.to_string()),
            }
        }
    }
    examples
}

/// Whether `actual` matches `expected`, where a `...` line matches any lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| actual.get(skip..).is_some_and(|tail| matches(rest, tail)))
        }
        Some((first, rest)) => actual.split_first().is_some_and(|(line, more)| line == first && matches(rest, more)),
    }
}

#[test]
fn every_example_in_the_cli_guide_prints_what_it_shows() {
    let page = std::fs::read_to_string(root().join("docs/cli.md")).unwrap();
    let examples = examples(&page);
    assert!(examples.len() >= 12, "expected an example for every command, found {}", examples.len());
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_extramile")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(binary_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(root().join("target/my-policy"));
    for example in &examples {
        let output = Command::new("sh")
            .arg("-c")
            .arg(&example.command)
            .current_dir(root())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let actual: Vec<&str> = stdout.lines().collect();
        assert!(
            matches(&example.expected, &actual),
            "`{}` printed:\n{stdout}\nbut docs/cli.md shows:\n{}",
            example.command,
            example.expected.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(root().join("target/my-policy"));
}

#[test]
fn the_ellipsis_matches_any_lines_and_nothing_else() {
    let expected: Vec<String> = ["a", "...", "d"].map(String::from).to_vec();
    assert!(matches(&expected, &["a", "b", "c", "d"]));
    assert!(matches(&expected, &["a", "d"]));
    assert!(!matches(&expected, &["a", "b"]));
    assert!(!matches(&expected, &["x", "d"]));
}

#[test]
fn the_tutorials_policy_is_in_the_canonical_layout() {
    let page = std::fs::read_to_string(root().join("docs/tutorial.md")).unwrap();
    let blocks: Vec<&str> = page.split("```extramile\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    let whole = blocks.iter().find(|b| b.starts_with("# Spokes")).expect("the tutorial shows the whole policy");
    let dir = std::env::temp_dir().join(format!("extramile-cli-tutorial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("spokes.policy");
    std::fs::write(&file, whole).unwrap();
    let (code, stdout, stderr) = common::run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Each partial step, too, is written as `fmt` writes it.
    for block in blocks.iter().filter(|b| !b.starts_with("# Spokes")) {
        let (code, stdout, _) = common::run_with_input(&["fmt", "-"], block.as_bytes());
        assert_eq!(code, 0, "{block}");
        assert_eq!(stdout, *block, "not in the canonical layout");
    }
}
