//! docs/reliability.md names a test for every fault; this keeps those names true, and keeps
//! every cargo-fuzz target in the CI fuzz step.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `test` cells of every table row: `(path, function)`.
fn listed_tests(doc: &str) -> Vec<(String, String)> {
    doc.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| fault "))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
            assert_eq!(
                cells.len(),
                3,
                "a row needs fault | what gox does | test: {row}"
            );
            let cell = cells[2].trim().trim_matches('`');
            let (path, func) = cell
                .split_once("::")
                .unwrap_or_else(|| panic!("test cell is not path::function: {row}"));
            (path.to_string(), func.to_string())
        })
        .collect()
}

fn defines_test(source: &str, func: &str) -> bool {
    source.contains(&format!("fn {func}("))
}

#[test]
fn every_test_named_in_reliability_md_exists() {
    let doc = std::fs::read_to_string(repo().join("docs/reliability.md")).unwrap();
    let listed = listed_tests(&doc);
    assert!(
        listed.len() >= 10,
        "the tables hold only {} rows",
        listed.len()
    );
    let missing: Vec<String> = listed
        .iter()
        .filter(|(path, func)| {
            std::fs::read_to_string(repo().join(path))
                .map_or(true, |source| !defines_test(&source, func))
        })
        .map(|(path, func)| format!("{path}::{func}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/reliability.md names tests that do not exist: {missing:#?}"
    );
}

#[test]
fn the_sync_check_rejects_a_missing_test() {
    let doc = "| fault | what gox does | test |\n|---|---|---|\n| x | y | `a.rs::real` |\n";
    assert_eq!(
        listed_tests(doc),
        [("a.rs".to_string(), "real".to_string())]
    );
    assert!(defines_test("#[test]\nfn real() {}", "real"));
    assert!(!defines_test("fn real_but_longer() {}", "real"));
}

#[test]
fn every_fuzz_target_runs_in_ci() {
    let manifest = std::fs::read_to_string(repo().join("fuzz/Cargo.toml")).unwrap();
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    let targets: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|name| *name != "gox-fuzz")
        .collect();
    assert!(targets.len() >= 5, "{targets:?}");
    for target in targets {
        assert!(
            Path::new(
                &repo()
                    .join("fuzz/fuzz_targets")
                    .join(format!("{target}.rs"))
            )
            .is_file(),
            "{target}"
        );
        assert!(
            ci.contains("fuzz_targets=") && ci.contains(target),
            ".ci/run does not fuzz {target}"
        );
    }
}
