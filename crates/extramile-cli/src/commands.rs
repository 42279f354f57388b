//! The commands `check`, `schema`, `test` and `new`: each reads its inputs, calls the core, prints,
//! and returns an exit code (`eval` is in `eval.rs`, `fmt` in `fmt.rs`).

use crate::files;
use crate::output::{CommandResult, Output};
use crate::render;
use crate::Format;
use extramile::Policy;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn check(out: &mut Output, paths: &[PathBuf], format: Format, deny_warnings: bool) -> CommandResult {
    let mut failed = false;
    let mut json_files = Vec::new();
    for path in files::policies(paths)? {
        let source = files::read_input(&path)?;
        let name = files::display_name(&path);
        let diagnostics = Policy::check_bytes(&name, &source);
        failed |= diagnostics.has_errors() || (deny_warnings && diagnostics.warning_count() > 0);
        match format {
            Format::Json => json_files.push(render::diagnostics_json(&name, &diagnostics)),
            Format::Human => {
                if diagnostics.items().is_empty() {
                    out.line(&format!("{name}: ok"))?;
                } else {
                    out.text(&diagnostics.render(out.color_stdout()))?;
                }
            }
        }
    }
    if format == Format::Json {
        out.line(&serde_json::to_string_pretty(&json_files).map_err(|e| e.to_string())?)?;
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Loads the policy at `path`; on failure, its diagnostics are printed and the exit code
/// returned.
pub(crate) fn load_policy(out: &mut Output, path: &Path) -> Result<Policy, CommandResult> {
    let source = files::read_input(path).map_err(|message| Err(message.into()))?;
    Policy::parse_bytes(&files::display_name(path), &source, extramile::LoadOptions::default()).map_err(|diagnostics| {
        out.error_text(&diagnostics.render(out.color_stderr()));
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
    let files = files::scenarios(&roots)?;
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut coverage_report = Vec::new();
    for file in &files {
        match extramile::testing::run_file(file) {
            Err(err) => {
                failed += 1;
                out.line(&format!("test {} ... FAILED", file.display()))?;
                failures.push((file.display().to_string(), vec![err.to_string()]));
            }
            Ok(results) => {
                out.line(&format!("\nrunning {} scenarios from {}", results.results.len(), file.display()))?;
                for result in &results.results {
                    if result.passed() {
                        passed += 1;
                        out.line(&format!("test {} ... ok", result.name))?;
                    } else {
                        failed += 1;
                        out.line(&format!("test {} ... FAILED", result.name))?;
                        failures.push((result.name.clone(), result.failures.clone()));
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
            out.line(&format!("\n---- {name} ----"))?;
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
