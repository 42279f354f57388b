//! The commands `check`, `schema`, `test` and `new`: each reads its inputs, calls the core, prints,
//! and returns an exit code (`eval` is in `eval.rs`, `fmt` in `fmt.rs`).

use crate::files;
use crate::output::{CommandResult, Output};
use crate::render;
use crate::Format;
use extramile::Policy;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Checks every policy `paths` names. A path that cannot be read (or a folder with no
/// policy) does not hide the others: each readable file gets its result, each unreadable one
/// an error (`error: ...` on stderr, or `{"file", "error"}` in JSON), and the exit code is
/// the worst of them: 2 for an unreadable file, 1 for a policy with errors.
pub(crate) fn check(out: &mut Output, paths: &[PathBuf], format: Format, deny_warnings: bool) -> CommandResult {
    let mut failed = false;
    let mut unreadable = false;
    let mut json_files = Vec::new();
    for (name, path) in files::policies(paths) {
        match path.and_then(|path| files::read_policy(&path)) {
            Err(message) => {
                unreadable = true;
                match format {
                    Format::Json => json_files.push(serde_json::json!({ "file": name, "error": message })),
                    Format::Human => out.error_line(&format!("error: {}", render::shown(&message))),
                }
            }
            Ok(source) => {
                let diagnostics = Policy::check_bytes(&name, &source);
                failed |= diagnostics.has_errors() || (deny_warnings && diagnostics.warning_count() > 0);
                match format {
                    Format::Json => json_files.push(render::diagnostics_json(&name, &diagnostics)),
                    Format::Human if diagnostics.items().is_empty() => {
                        out.line(&format!("{}: ok", render::shown(&name)))?
                    }
                    Format::Human => out.text(&render::diagnostics(&diagnostics, out.color_stdout()))?,
                }
            }
        }
    }
    if format == Format::Json {
        out.line(&serde_json::to_string_pretty(&json_files).map_err(|e| e.to_string())?)?;
    }
    Ok(crate::output::worst_exit_code(unreadable, failed))
}

/// Loads the policy at `path`; on failure, its diagnostics are printed and the exit code
/// returned.
pub(crate) fn load_policy(out: &mut Output, path: &Path) -> Result<Policy, CommandResult> {
    let source = files::read_policy(path).map_err(|message| Err(message.into()))?;
    Policy::parse_bytes(&files::display_name(path), &source, extramile::LoadOptions::default()).map_err(|diagnostics| {
        out.error_text(&render::diagnostics(&diagnostics, out.color_stderr()));
        Ok(ExitCode::from(1))
    })
}

/// Prints the JSON Schema of the incidents the policy at `path` reads.
pub(crate) fn schema(out: &mut Output, path: &Path) -> CommandResult {
    let policy = match load_policy(out, path) {
        Ok(policy) => policy,
        Err(result) => return result,
    };
    out.line(&serde_json::to_string_pretty(&policy.incident_schema()).map_err(|e| e.to_string())?)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn test(out: &mut Output, paths: &[PathBuf], coverage: bool) -> CommandResult {
    let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut coverage_report = Vec::new();
    // A path that cannot be searched fails like a scenario file that cannot be run.
    for (name, file) in files::scenarios(&roots) {
        match file.and_then(|file| extramile::testing::run_file(&file).map_err(|err| err.to_string())) {
            Err(message) => {
                failed += 1;
                out.line(&format!("test {} ... FAILED", render::shown(&name)))?;
                failures.push((name, vec![render::shown_block(&message, false)]));
            }
            Ok(results) => {
                out.line(&format!("\nrunning {} scenarios from {}", results.results.len(), render::shown(&name)))?;
                for result in &results.results {
                    if result.passed() {
                        passed += 1;
                        out.line(&format!("test {} ... ok", render::shown(&result.name)))?;
                    } else {
                        failed += 1;
                        out.line(&format!("test {} ... FAILED", render::shown(&result.name)))?;
                        failures
                            .push((result.name.clone(), result.failures.iter().map(|f| render::shown(f)).collect()));
                    }
                }
                if coverage {
                    coverage_report.push(render::coverage(&results));
                }
            }
        }
    }
    if !failures.is_empty() {
        out.line("\nfailures:")?;
        for (name, messages) in &failures {
            out.line(&format!("\n---- {} ----", render::shown(name)))?;
            for message in messages {
                out.line(&format!("  {message}"))?;
            }
        }
    }
    for report in coverage_report {
        out.text(&format!("\n{report}"))?;
    }
    out.line(&format!("\n{passed} passed, {failed} failed"))?;
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Creates `dir` with `dir/NAME.policy` (NAME: the folder's own name), two incidents and a
/// scenario file.
pub(crate) fn new(out: &mut Output, dir: &Path) -> CommandResult {
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("`{}` already exists and is not empty", dir.display()).into());
    }
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return Err(format!("`{}` does not end in a folder name to call the policy by", dir.display()).into());
    };
    let policy_file = format!("{name}.policy");
    let incidents = dir.join("incidents");
    std::fs::create_dir_all(&incidents).map_err(|err| format!("cannot create `{}`: {err}", incidents.display()))?;
    let scenarios = crate::starter::scenarios(&policy_file);
    let written = [
        (dir.join(&policy_file), crate::starter::POLICY),
        (incidents.join("broken_item.json"), crate::starter::BROKEN_ITEM),
        (incidents.join("late_delivery.json"), crate::starter::LATE_DELIVERY),
        (dir.join("scenarios.toml"), scenarios.as_str()),
    ];
    for (path, text) in written {
        std::fs::write(&path, text).map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
        out.line(&format!("created {}", path.display()))?;
    }
    out.line(&format!("\nnext: extramile test {}", dir.display()))?;
    Ok(ExitCode::SUCCESS)
}
