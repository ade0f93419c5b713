//! The checked-in completion scripts (`completions/`) and man pages (`docs/man/`) are what
//! the current command line generates: regenerate in memory, compare byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::ValueEnum as _;
use gox::completion::{self, Shell};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails naming every stale, missing or extra file and the command that fixes them.
fn assert_current(dir: &Path, files: &[(String, Vec<u8>)], ours: fn(&str) -> bool, fix: &str) {
    let mut problems = Vec::new();
    for (name, want) in files {
        match std::fs::read(dir.join(name)) {
            Ok(have) if have == *want => {}
            Ok(_) => problems.push(format!("{name} is stale")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    for name in on_disk {
        if ours(&name) && !files.iter().any(|(n, _)| *n == name) {
            problems.push(format!("{name} is no longer generated"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}: {}; run `{fix}` and commit the result",
        dir.display(),
        problems.join(", ")
    );
}

fn scripts() -> Vec<(String, Vec<u8>)> {
    Shell::ALL
        .iter()
        .map(|&s| {
            (
                s.file_name().to_string(),
                completion::script(s).into_bytes(),
            )
        })
        .collect()
}

#[test]
fn completion_scripts_are_current() {
    assert_current(
        &root().join("completions"),
        &scripts(),
        |_| true,
        "cargo xtask completions",
    );
}

#[test]
fn man_pages_are_current() {
    assert_current(
        &root().join("docs/man"),
        &gox::man::pages(),
        |name| name.ends_with(".1"),
        "cargo xtask man",
    );
}

#[test]
fn there_is_a_man_page_per_visible_command() {
    let names: Vec<String> = gox::man::pages().into_iter().map(|(n, _)| n).collect();
    for page in [
        "gox.1",
        "gox-install.1",
        "gox-uninstall.1",
        "gox-list.1",
        "gox-ls-remote.1",
        "gox-use.1",
        "gox-exec.1",
        "gox-env.1",
        "gox-completions.1",
    ] {
        assert!(names.iter().any(|n| n == page), "{page} missing: {names:?}");
    }
    assert!(!names.iter().any(|n| n == "gox-help.1"), "{names:?}");
    let (_, top) = &gox::man::pages()[0];
    let top = String::from_utf8_lossy(top);
    assert!(top.contains("\n.TH gox 1 "), "{top}");
    assert!(top.contains("gox\\-install(1)"), "{top}");
}

/// The SYNOPSIS names what each option takes, as `--help` does: clap_mangen's own wrote
/// `[--platform]`, which reads as a flag.
#[test]
fn man_synopses_name_option_values() {
    let synopsis = |page: &str| -> String {
        let (_, roff) = gox::man::pages()
            .into_iter()
            .find(|(name, _)| name == page)
            .unwrap_or_else(|| panic!("no {page}"));
        let roff = String::from_utf8(roff).unwrap();
        let line = roff
            .split(".SH SYNOPSIS\n")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_else(|| panic!("{page} has no SYNOPSIS:\n{roff}"));
        line.replace("\\fB", "")
            .replace("\\fI", "")
            .replace("\\fR", "")
            .replace("\\-", "-")
    };
    let install = synopsis("gox-install.1");
    for part in [
        "gox install [--platform OS/ARCH] ",
        "[--sha256 HEX]",
        "[-f|--force]",
        "[--source feed|proxy|auto]",
        "[SPEC]...",
    ] {
        assert!(install.contains(part), "{part:?} not in {install:?}");
    }
    let sync = synopsis("gox-mirror-sync.1");
    assert!(
        sync.contains("--versions SPEC...") && sync.ends_with(" DIR"),
        "{sync:?}"
    );
    assert!(synopsis("gox-tools.1").ends_with(" [COMMAND]"));
    assert!(synopsis("gox.1").ends_with(" COMMAND"));
}

/// roff fills lines: in a page's examples (indented, so each is a line of its own), a plain
/// line right after an indented one would be run into it ("… on purpose) See https://…").
/// A blank line must come first.
#[test]
fn man_page_examples_are_not_run_together() {
    for (name, page) in gox::man::pages() {
        let page = String::from_utf8_lossy(&page).into_owned();
        let lines: Vec<&str> = page.lines().collect();
        for pair in lines.windows(2) {
            let (before, line) = (pair[0], pair[1]);
            let plain = !line.is_empty() && !line.starts_with([' ', '.']);
            assert!(
                !(before.starts_with("  ") && plain),
                "{name}: {line:?} runs into {before:?}: put a blank line before it in cli.rs"
            );
        }
    }
}

/// `gox completions SHELL` and `COMPLETE=SHELL gox` (what clap_complete's own docs tell
/// users to eval) both print exactly the checked-in script, from any directory and
/// whichever path the binary is run by: no build path leaks into a script.
#[test]
fn the_binary_prints_the_checked_in_scripts() {
    let gox = env!("CARGO_BIN_EXE_gox");
    let cwd = tempfile::tempdir().unwrap();
    for shell in Shell::ALL {
        let name = shell.to_possible_value().unwrap().get_name().to_string();
        let want = completion::script(shell);
        let by_command = Command::new(gox)
            .args(["completions", &name])
            .env_remove("COMPLETE")
            .current_dir(cwd.path())
            .output()
            .unwrap();
        assert!(by_command.status.success(), "{by_command:?}");
        assert_eq!(String::from_utf8_lossy(&by_command.stdout), want, "{name}");
        let by_env = Command::new(gox)
            .env("COMPLETE", &name)
            .current_dir(cwd.path())
            .output()
            .unwrap();
        assert!(by_env.status.success(), "{by_env:?}");
        assert_eq!(String::from_utf8_lossy(&by_env.stdout), want, "{name}");
        let build_dir = Path::new(gox)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            !want.contains(&build_dir),
            "{name} script embeds {build_dir}"
        );
    }
    let pwsh = Command::new(gox)
        .args(["completions", "pwsh"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&pwsh.stdout),
        completion::script(Shell::Powershell)
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_gox"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}
