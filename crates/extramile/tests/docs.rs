//! Every `extramile` code block in `docs/` and the README parses, and formats to a fixed
//! point with the same tree: the documentation shows the language as it is.
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use extramile::syntax::format::{fingerprint, format};
use extramile::syntax::parser::parse;
use std::path::Path;

/// The `extramile` blocks of a page: (line of the first code line, code), with the fence's
/// indentation removed.
fn blocks(page: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut current: Option<(usize, usize, String)> = None;
    for (number, line) in page.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        match &mut current {
            None if line.trim_start() == "```extramile" => current = Some((number + 2, indent, String::new())),
            Some(_) if line.trim_start() == "```" => found.extend(current.take().map(|(at, _, code)| (at, code))),
            Some((_, fence, code)) => {
                code.push_str(line.get((*fence).min(indent)..).unwrap_or(""));
                code.push('\n');
            }
            None => {}
        }
    }
    found
}

#[test]
fn every_policy_block_in_the_docs_parses_and_formats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut pages: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.push(root.join("README.md"));
    let mut count = 0;
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for (line, block) in blocks(&text) {
            let tree = parse(&block).unwrap_or_else(|e| panic!("{}:{line}: {e:?}\n{block}", page.display()));
            let tidy = format(&block).unwrap();
            assert_eq!(fingerprint(&tree), fingerprint(&parse(&tidy).unwrap()), "{}:{line}", page.display());
            assert_eq!(format(&tidy).unwrap(), tidy, "{}:{line}", page.display());
            count += 1;
        }
    }
    assert!(count >= 20, "only {count} policy blocks found in the docs");
}

/// The JSON blocks of a page, in order.
fn json_blocks(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match &mut current {
            None if line.trim() == "```json" => current = Some(String::new()),
            Some(_) if line.trim() == "```" => found.extend(current.take()),
            Some(code) => {
                code.push_str(line);
                code.push('\n');
            }
            None => {}
        }
    }
    found
}

/// docs/json.md's full example: its request, evaluated against the store policy, gives the
/// response the page shows, spans and trace included (issue 19: the spans had gone stale).
#[test]
fn the_full_example_of_the_json_contract_is_what_the_engine_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = std::fs::read_to_string(root.join("docs/json.md")).unwrap();
    let section = page.split("## A full example").nth(1).expect("docs/json.md has a full example");
    let blocks = json_blocks(section);
    let (request, response) = (&blocks[0], &blocks[1]);
    let source = std::fs::read_to_string(root.join("examples/store/store.policy")).unwrap();
    let policy = extramile::Policy::parse(&source).unwrap();
    let answer: serde_json::Value = serde_json::from_str(&policy.evaluate_json(request).unwrap()).unwrap();
    let shown: serde_json::Value = serde_json::from_str(response).unwrap();
    assert_eq!(answer, shown, "docs/json.md's full example is stale; the engine answers:\n{answer:#}");
}
