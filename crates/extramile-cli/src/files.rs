//! The files a command works on: policies and scenario files found under folders, and
//! reading an input where `-` stands for standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Whether `path` is `-`, standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name an input goes by in messages and diagnostics.
pub(crate) fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// The bytes of the file at `path`, or of standard input for `-`.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|err| format!("cannot read standard input: {err}"))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))
}

/// Whether a folder met while searching is searched: hidden folders, build output and
/// installed packages are not.
fn searched(name: &str) -> bool {
    !name.starts_with('.') && name != "target" && name != "node_modules"
}

/// Collects the files under `dir` whose name `wanted` accepts, in sorted order, recursively.
/// Links to folders are not followed, so that a link loop cannot make the search endless.
fn find_under(dir: &Path, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|err| format!("cannot read `{}`: {err}", dir.display()))?;
    let mut entries: Vec<(PathBuf, bool)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let real_dir = entry.file_type().ok()?.is_dir();
            Some((entry.path(), real_dir))
        })
        .collect();
    entries.sort();
    for (entry, real_dir) in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if real_dir {
            if searched(name) {
                find_under(&entry, wanted, out)?;
            }
        } else if wanted(name) && entry.is_file() {
            out.push(entry);
        }
    }
    Ok(())
}

/// Each of `paths` that is a file (or `-`), and the files `wanted` accepts under each folder.
fn expand(paths: &[PathBuf], wanted: &dyn Fn(&str) -> bool, what: &str) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if is_stdin(path) {
            files.push(path.clone());
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        if metadata.is_dir() {
            let before = files.len();
            find_under(path, wanted, &mut files)?;
            if files.len() == before {
                return Err(format!("no {what} found under `{}`", path.display()));
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// The policy files named by `paths`: files as given, `*.policy` files under folders.
pub(crate) fn policies(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    expand(paths, &|name| name.ends_with(".policy"), "policy files (*.policy)")
}

/// The scenario files named by `paths`: files as given, `scenarios*.toml` and
/// `scenarios*.json` under folders.
pub(crate) fn scenarios(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    expand(
        paths,
        &|name| name.starts_with("scenarios") && (name.ends_with(".toml") || name.ends_with(".json")),
        "scenario files (scenarios*.toml or scenarios*.json)",
    )
}
