//! gox reads the `go` and `toolchain` lines of go.mod and go.work as the go command does,
//! with the real go (the newest fixture, 1.27) as the oracle: for each file in the table,
//! `gox current` accepts it exactly when go does, and where both accept, both name the same
//! version.
//!
//! What go says is asked of go itself, offline:
//! - which file applies: `go env GOWORK` and `go env GOMOD` (answered by the local go
//!   without reading either file);
//! - whether go accepts it: `go work edit -json` or `go mod edit -json` with
//!   `GOTOOLCHAIN=auto` (the toolchain switch checks the toolchain line, then modfile parses
//!   the whole file strictly);
//! - the version it names: `GOTOOLCHAIN=go1.1+path go version`, whose switch looks for the
//!   toolchain the file asks for on PATH and reports `cannot find "go1.22.3" in PATH`
//!   (`go1.1`, the floor, when the file asks for nothing).
//!
//! Every version in the table is at most the oracle's own, so go's answers do not depend on
//! which go asks. Left out on purpose, where gox chooses differently by design:
//! `toolchain go1.22` (gox runs 1.22.0, go looks for a `go1.22` that was never released) and
//! `toolchain default` (go then ignores the go line; gox takes it as a minimum).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{World, describe, plain_go, stderr, stdout};

/// One file, the directory gox and go run in being `m/` below it (for a go.work, `m/` also
/// holds the module's go.mod).
struct Case {
    name: &'static str,
    /// `go.mod` or `go.work`.
    file: &'static str,
    text: &'static [u8],
    /// For a go.work: `m/go.mod`.
    module: &'static str,
    /// Go's env file, if any.
    go_env: Option<&'static str>,
    /// `TMPDIR` is the directory holding the file.
    temp_root: bool,
}

const fn case(name: &'static str, file: &'static str, text: &'static [u8]) -> Case {
    Case {
        name,
        file,
        text,
        module: "module m\n",
        go_env: None,
        temp_root: false,
    }
}

const CASES: &[Case] = &[
    // Ordinary files.
    case("go line", "go.mod", b"module m\n\ngo 1.22\n"),
    case(
        "toolchain line",
        "go.mod",
        b"module m\n\ngo 1.22.5\n\ntoolchain go1.22.7\n",
    ),
    case(
        "toolchain older than go",
        "go.mod",
        b"module m\ngo 1.23\ntoolchain go1.22.7\n",
    ),
    case("pre-1.21 go line", "go.mod", b"module m\ngo 1.20\n"),
    case("release candidate", "go.mod", b"module m\ngo 1.21rc1\n"),
    case(
        "custom toolchain",
        "go.mod",
        b"module m\ngo 1.21\ntoolchain go1.22.5-custom\n",
    ),
    case(
        "comments, tabs, CRLF, blocks",
        "go.mod",
        b"// c\nmodule m // x\n\ngo\t1.22.3 // min\r\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n)\nrequire ()\n",
    ),
    case(
        "go.work",
        "go.work",
        b"go 1.22.3\ntoolchain go1.22.4\n\nuse (\n\t./m\n)\n",
    ),
    case(
        "not UTF-8 in a comment",
        "go.mod",
        b"module m // caf\xe9\ngo 1.22\n",
    ),
    // The audit: a pre-release without its number…
    case("go 1.21rc", "go.mod", b"module m\ngo 1.21rc\n"),
    case("go.work go 1.22rc", "go.work", b"go 1.22rc\nuse ./m\n"),
    // …a no-break space, a byte-order mark, other characters go refuses…
    case(
        "no-break space",
        "go.mod",
        "module m\ngo\u{a0}1.22\n".as_bytes(),
    ),
    case(
        "go.work no-break space",
        "go.work",
        "go 1.22\u{a0}\nuse ./m\n".as_bytes(),
    ),
    case("BOM", "go.mod", "\u{feff}module m\ngo 1.22\n".as_bytes()),
    case(
        "go.work BOM",
        "go.work",
        "\u{feff}go 1.22\nuse ./m\n".as_bytes(),
    ),
    case("form feed", "go.mod", b"module m\ngo 1.22\n\x0c\n"),
    case("CR is a space", "go.mod", b"module m\ngo 1.22\rtoolchain go1.22.1\n"),
    case("block comment", "go.mod", b"module m\ngo 1.22 /* x */\n"),
    // …unknown directives, and those of the other file…
    case("unknown directive", "go.mod", b"module m\ngo 1.22\nfoo bar\n"),
    case("use in go.mod", "go.mod", b"module m\ngo 1.22\nuse ./x\n"),
    case(
        "module in go.work",
        "go.work",
        b"go 1.22\nuse ./m\nmodule x\n",
    ),
    case(
        "unknown block",
        "go.work",
        b"go 1.22\ntool (\n)\nuse ./m\n",
    ),
    case(
        "unclosed block",
        "go.mod",
        b"module m\ngo 1.22\nrequire (\n\texample.com/a v1.0.0\n",
    ),
    case("repeated go", "go.mod", b"module m\ngo 1.22\ngo 1.23\n"),
    // …versions go's syntax admits but no Go can order: they ask for nothing…
    case("go 1.22.0rc1", "go.mod", b"module m\ngo 1.22.0rc1\n"),
    case("go 1.21rc01", "go.mod", b"module m\ngo 1.21rc01\n"),
    case(
        "go 1.22.0rc1 with a toolchain",
        "go.mod",
        b"module m\ngo 1.22.0rc1\ntoolchain go1.21.3\n",
    ),
    case("go.work go 1.22.0rc1", "go.work", b"go 1.22.0rc1\nuse ./m\n"),
    // …and toolchain names go will not run.
    case(
        "toolchain +auto",
        "go.mod",
        b"module m\ngo 1.21\ntoolchain go1.22.5+auto\n",
    ),
    case(
        "toolchain patch rc",
        "go.mod",
        b"module m\ngo 1.21\ntoolchain go1.22.0rc1\n",
    ),
    case(
        "toolchain with a slash",
        "go.mod",
        b"module m\ngo 1.21\ntoolchain go1.22.5-a/b\n",
    ),
    case("toolchain rc without number", "go.mod", b"module m\ntoolchain go1.21rc\n"),
    // The toolchain switch reads the first line starting with `go` or `toolchain`, even in a
    // block (modules named go and toolchain).
    case(
        "go in a replace block",
        "go.mod",
        b"module m\nreplace (\n\tgo => ./x\n)\ngo 1.22\n",
    ),
    case(
        "toolchain in a replace block",
        "go.mod",
        b"module m\nreplace (\n\ttoolchain => ./x\n)\ngo 1.22\n",
    ),
    // A go.mod in the system temp root is ignored.
    Case {
        temp_root: true,
        ..case("temp root", "go.mod", b"module m\ngo 1.22.3\n")
    },
    Case {
        temp_root: true,
        ..case(
            "go.work in the temp root",
            "go.work",
            b"go 1.23.1\nuse ./m\n",
        )
    },
    // GOWORK from Go's env file.
    Case {
        module: "module m\ngo 1.22.3\n",
        go_env: Some("GOPROXY=off\nGOWORK=off\n"),
        ..case("env file GOWORK=off", "go.work", b"go 1.23.1\nuse ./m\n")
    },
    Case {
        go_env: Some("GOWORK=auto\n"),
        ..case("env file GOWORK=auto", "go.work", b"go 1.23.1\nuse ./m\n")
    },
    Case {
        go_env: Some("GOWORK=relative/go.work\n"),
        ..case("env file relative GOWORK", "go.work", b"go 1.23.1\nuse ./m\n")
    },
];

/// What one side made of a case.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Refused,
    /// Accepted; the version the file names (`None`: it names none).
    Accepted(Option<String>),
}

#[test]
fn gox_reads_go_mod_and_go_work_as_the_go_command_does() {
    let w = World::new();
    let go = plain_go();
    let mut disagreements = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let dir = w.projects().join(format!("c{i}"));
        let module_dir = dir.join("m");
        std::fs::create_dir_all(&module_dir).unwrap();
        if case.file == "go.work" {
            std::fs::write(dir.join("go.work"), case.text).unwrap();
            std::fs::write(module_dir.join("go.mod"), case.module).unwrap();
        } else {
            std::fs::write(module_dir.join("go.mod"), case.text).unwrap();
        }
        let env = CaseEnv {
            goenv: match case.go_env {
                Some(text) => {
                    let file = dir.join("go-env");
                    std::fs::write(&file, text).unwrap();
                    file
                }
                None => w.root.path().join("no-go-env"),
            },
            tmpdir: match (case.temp_root, case.file) {
                (true, "go.work") => dir.clone(),
                (true, _) => module_dir.clone(),
                (false, _) => w.root.path().join("tmp"),
            },
            cwd: module_dir,
        };
        let go_says = go_verdict(&w, &go, &env);
        if i == 0 {
            // The oracle itself works: an ordinary go.mod names its first release.
            assert_eq!(go_says, Verdict::Accepted(Some("1.22.0".to_owned())));
        }
        let gox_says = gox_verdict(&w, &env);
        if go_says != gox_says {
            disagreements.push(format!(
                "{}: {:?}\n  go:  {go_says:?}\n  gox: {gox_says:?}",
                case.name,
                String::from_utf8_lossy(case.text)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "gox and go disagree:\n{}",
        disagreements.join("\n")
    );
}

struct CaseEnv {
    goenv: PathBuf,
    tmpdir: PathBuf,
    cwd: PathBuf,
}

impl CaseEnv {
    fn apply(&self, cmd: &mut Command) {
        cmd.current_dir(&self.cwd)
            .env("PWD", &self.cwd)
            .env("GOENV", &self.goenv)
            .env("TMPDIR", &self.tmpdir);
    }
}

/// The real go, hermetic and offline.
fn go_command(w: &World, go: &Path, env: &CaseEnv, gotoolchain: &str) -> Command {
    let mut cmd = Command::new(go);
    cmd.env_clear()
        .env("PATH", go.parent().unwrap())
        .env("HOME", w.root.path().join("user"))
        .env("GOPATH", w.root.path().join("gopath"))
        .env("GOCACHE", w.root.path().join("gocache"))
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off")
        .env("GOTOOLCHAIN", gotoolchain);
    env.apply(&mut cmd);
    cmd
}

fn go_verdict(w: &World, go: &Path, env: &CaseEnv) -> Verdict {
    let output = |args: &[&str], gotoolchain: &str| -> Output {
        go_command(w, go, env, gotoolchain)
            .args(args)
            .output()
            .expect("run go")
    };
    let value = |name: &str| {
        let out = output(&["env", name], "auto");
        out.status.success().then(|| stdout(&out).trim().to_owned())
    };
    // Which file applies (an invalid GOWORK already fails here).
    let (Some(gowork), Some(gomod)) = (value("GOWORK"), value("GOMOD")) else {
        return Verdict::Refused;
    };
    let check: &[&str] = if !gowork.is_empty() && gowork != "off" {
        &["work", "edit", "-json"]
    } else if !gomod.is_empty() && gomod != "/dev/null" {
        &["mod", "edit", "-json"]
    } else {
        &["version"]
    };
    if !output(check, "auto").status.success() {
        return Verdict::Refused;
    }
    let out = output(&["version"], "go1.1+path");
    let err = stderr(&out);
    let named = err
        .split_once("cannot find \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(name, _)| name)
        .unwrap_or_else(|| panic!("go named no toolchain: {}", describe(&out)));
    // The release a toolchain name stands for: `go1.22.5-custom` is 1.22.5.
    let version = named.trim_start_matches("go").split('-').next().unwrap();
    Verdict::Accepted((named != "go1.1").then(|| version.to_owned()))
}

fn gox_verdict(w: &World, env: &CaseEnv) -> Verdict {
    let mut cmd = w.gox();
    env.apply(&mut cmd);
    let out = cmd.args(["current", "--json"]).output().expect("run gox");
    if stderr(&out).contains("no Go version selected") {
        return Verdict::Accepted(None);
    }
    if stdout(&out).is_empty() {
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        return Verdict::Refused;
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["source"]["kind"], "file", "{}", describe(&out));
    Verdict::Accepted(json["version"].as_str().map(str::to_owned))
}

/// The refusals name the file and the line, and say how to fix it.
#[test]
fn refusals_name_the_file_line_and_fix() {
    let w = World::new();
    let cases = [
        (
            "bom",
            "\u{feff}module m\ngo 1.22\n",
            "go.mod:1:",
            "without a BOM",
        ),
        (
            "nbsp",
            "module m\ngo\u{a0}1.22\n",
            "go.mod:2:",
            "replace it with a space",
        ),
        (
            "rc",
            "module m\ngo 1.21rc\n",
            "go.mod:2:",
            "needs its number",
        ),
        (
            "foo",
            "module m\n\nfoo bar\n",
            "go.mod:3:",
            "fix or delete the line",
        ),
    ];
    for (dir, text, place, fix) in cases {
        w.write(&format!("{dir}/go.mod"), text);
        let out = w
            .gox()
            .current_dir(w.projects().join(dir))
            .arg("current")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains(place) && err.contains(fix), "{dir}: {err}");
    }
}
