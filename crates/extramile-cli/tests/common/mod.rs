//! What the CLI's integration tests share: the repository root and running the binary.
#![allow(clippy::expect_used, dead_code, reason = "test helpers; not every test file uses each one")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root, where examples and docs live.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary from the repository root without colour; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = command(args).output().expect("the binary runs");
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_extramile"));
    command.args(args).current_dir(root()).env("NO_COLOR", "1").env("RUST_BACKTRACE", "1");
    command
}

/// Runs the binary with `input` on standard input; returns (exit code, stdout, stderr).
pub fn run_with_input(args: &[&str], input: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The binary may stop reading early (and close its end): a failed write is its business.
    let _ = child.stdin.take().expect("stdin is piped").write_all(input);
    let output = child.wait_with_output().expect("the binary ends");
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// Runs the binary with a standard output that its reader closes after `lines` lines (0:
/// before the binary writes anything), as `| head -n LINES` does; returns (exit code,
/// stderr).
pub fn run_into_closed_pipe(args: &[&str], lines: usize) -> (i32, String) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut reader = std::io::BufReader::new(stdout);
    for _ in 0..lines {
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
    }
    drop(reader);
    let output = child.wait_with_output().expect("the binary ends");
    (output.status.code().unwrap_or(-1), text(&output.stderr))
}

/// A new, empty folder for one test's files, named after it.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("extramile-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}
