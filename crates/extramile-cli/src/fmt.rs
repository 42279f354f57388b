//! `extramile fmt`: print, check or rewrite policies in the canonical layout.

use crate::commands::{color_stderr, color_stdout};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `fmt` does with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Print the formatted policy.
    Print,
    /// Report files that are not formatted, with a diff; change nothing.
    Check,
    /// Rewrite files that are not formatted.
    Write,
}

pub(crate) fn fmt(paths: &[PathBuf], mode: Mode) -> Result<ExitCode, String> {
    if mode != Mode::Print && paths.iter().any(|p| p.as_os_str() == "-") {
        return Err("`-` (standard input) can only be printed: drop --check and --write".to_string());
    }
    let (mut changed, mut unchanged, mut broken) = (0usize, 0usize, 0usize);
    for path in paths {
        let source = match String::from_utf8(read_source(path)?) {
            Ok(source) => source,
            Err(err) => {
                // Not UTF-8: the same E0009 diagnostic as `check`.
                let diagnostics = extramile::Policy::check_bytes(&path.display().to_string(), err.as_bytes());
                eprint!("{}", diagnostics.render(color_stderr()));
                broken += 1;
                continue;
            }
        };
        let formatted = match extramile::format_named(&path.display().to_string(), &source) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                eprint!("{}", diagnostics.render(color_stderr()));
                broken += 1;
                continue;
            }
        };
        let differs = formatted != source;
        if differs {
            changed += 1;
        } else {
            unchanged += 1;
        }
        match mode {
            Mode::Print => {
                if paths.len() > 1 {
                    println!("==> {} <==", path.display());
                }
                print!("{formatted}");
            }
            Mode::Check if differs => {
                println!("would reformat {}", path.display());
                print!("{}", diff(path, &source, &formatted));
            }
            Mode::Write if differs => {
                std::fs::write(path, &formatted).map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
                println!("formatted {}", path.display());
            }
            Mode::Check | Mode::Write => {}
        }
    }
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let unparsable = if broken > 0 { format!(", {} with syntax errors", files(broken)) } else { String::new() };
    match mode {
        Mode::Print => {}
        Mode::Check => {
            println!("{} would be reformatted, {} already formatted{unparsable}", files(changed), files(unchanged))
        }
        Mode::Write => println!("{} reformatted, {} unchanged{unparsable}", files(changed), files(unchanged)),
    }
    let failed = broken > 0 || (mode == Mode::Check && changed > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut source = Vec::new();
        std::io::stdin().read_to_end(&mut source).map_err(|err| format!("cannot read standard input: {err}"))?;
        return Ok(source);
    }
    std::fs::read(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))
}

/// A unified diff from `before` to `after`, coloured on a terminal.
fn diff(path: &Path, before: &str, after: &str) -> String {
    let name = path.display().to_string();
    let text = similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(&name, &format!("{name} (formatted)"))
        .to_string();
    if !color_stdout() {
        return text;
    }
    text.lines()
        .map(|line| match line.chars().next() {
            Some('+') if !line.starts_with("+++") => format!("\x1b[32m{line}\x1b[0m\n"),
            Some('-') if !line.starts_with("---") => format!("\x1b[31m{line}\x1b[0m\n"),
            Some('@') => format!("\x1b[36m{line}\x1b[0m\n"),
            _ => format!("{line}\n"),
        })
        .collect()
}
