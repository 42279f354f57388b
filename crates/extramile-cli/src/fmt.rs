//! `extramile fmt`: print, check or rewrite policies in the canonical layout.

use crate::files;
use crate::output::{CommandResult, Output};
use crate::render;
use std::path::PathBuf;

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

pub(crate) fn fmt(out: &mut Output, paths: &[PathBuf], mode: Mode) -> CommandResult {
    if mode == Mode::Write && paths.iter().any(|p| files::is_stdin(p)) {
        return Err("`-` (standard input) cannot be rewritten: drop --write to print it".to_string().into());
    }
    let paths = files::policies(paths);
    let several = paths.len() > 1;
    let (mut changed, mut unchanged, mut broken, mut unreadable) = (0usize, 0usize, 0usize, 0usize);
    for (name, path) in &paths {
        // A file that cannot be read is reported in its place; the others are still formatted.
        let read = path.as_ref().map_err(String::clone).and_then(|path| Ok((path, files::read_policy(path)?)));
        let (path, bytes) = match read {
            Ok(read) => read,
            Err(message) => {
                out.error_line(&format!("error: {}", render::shown(&message)));
                unreadable += 1;
                continue;
            }
        };
        let source = match String::from_utf8(bytes) {
            Ok(source) => source,
            Err(err) => {
                // Not UTF-8: the same E0009 diagnostic as `check`.
                let diagnostics = extramile::Policy::check_bytes(name, err.as_bytes());
                out.error_text(&render::diagnostics(&diagnostics, out.color_stderr()));
                broken += 1;
                continue;
            }
        };
        let formatted = match extramile::format_named(name, &source) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                out.error_text(&render::diagnostics(&diagnostics, out.color_stderr()));
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
                if several {
                    out.line(&format!("==> {} <==", render::shown(name)))?;
                }
                out.text(&formatted)?;
            }
            Mode::Check if differs => {
                out.line(&format!("would reformat {}", render::shown(name)))?;
                let color = out.color_stdout();
                out.text(&diff(name, &source, &formatted, color))?;
            }
            Mode::Write if differs => {
                std::fs::write(path, &formatted).map_err(|err| format!("cannot write `{name}`: {err}"))?;
                out.line(&format!("formatted {}", render::shown(name)))?;
            }
            Mode::Check | Mode::Write => {}
        }
    }
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let unparsable = if broken > 0 { format!(", {} with syntax errors", files(broken)) } else { String::new() };
    match mode {
        Mode::Print => {}
        Mode::Check => out.line(&format!(
            "{} would be reformatted, {} already formatted{unparsable}",
            files(changed),
            files(unchanged)
        ))?,
        Mode::Write => {
            out.line(&format!("{} reformatted, {} unchanged{unparsable}", files(changed), files(unchanged)))?
        }
    }
    let failed = broken > 0 || (mode == Mode::Check && changed > 0);
    Ok(crate::output::worst_exit_code(unreadable > 0, failed))
}

/// The most lines, before and after together, of the region a diff compares (the lines
/// between the unchanged first and last ones). The diff's cost grows with this region times
/// the number of changed lines, so past it a summary replaces the diff: a fixed bound on
/// the work, whatever the clock.
pub(crate) const MAX_DIFF_LINES: usize = 4_000;

/// A unified diff from `before` to `after`, coloured when `color`; past
/// [`MAX_DIFF_LINES`] changed lines, a one-line summary instead.
fn diff(name: &str, before: &str, after: &str, color: bool) -> String {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(old.len().min(new.len()) - prefix)
        .take_while(|(a, b)| a == b)
        .count();
    let region = (old.len() - prefix - suffix) + (new.len() - prefix - suffix);
    if region > MAX_DIFF_LINES {
        return format!(
            "({region} changed lines from line {} on: too many to show; `extramile fmt {name}` prints the formatted \
             policy)\n",
            prefix + 1
        );
    }
    let text = similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    if !color {
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
