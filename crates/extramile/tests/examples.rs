//! Runs every scenario file under `examples/`: each example policy's incidents must give
//! the decisions its scenarios expect.

use std::path::{Path, PathBuf};

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("scenarios") && (n.ends_with(".toml") || n.ends_with(".json")))
        {
            out.push(path);
        }
    }
}

#[test]
fn every_example_scenario_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "json")), "no JSON scenario file in examples/");
    assert!(files.len() >= 4, "expected scenario files for at least four example policies, found {}", files.len());
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        match extramile::testing::run_file(file) {
            Err(err) => failures.push(format!("{}: {err}", file.display())),
            Ok(results) => {
                for result in results.results {
                    count += 1;
                    for failure in &result.failures {
                        failures.push(format!("{} / {}: {failure}", file.display(), result.name));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} scenarios failed:\n{}", failures.len(), failures.join("\n"));
}
