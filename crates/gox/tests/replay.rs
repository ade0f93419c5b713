//! The Linux `go` shim replays the plan gox recorded (docs/architecture.md, "replayer and
//! planner"), through the real binaries and real Go: a run that finds its record current
//! execs `go` directly; any change a plan depended on sends it to the planner (`gox` run as
//! `go`), which decides afresh and records again.
#![cfg(target_os = "linux")]

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{World, describe, stderr, stdout};

/// Files written within 2 s are "racy" (a same-size edit in the same timestamp tick would
/// go unseen), so no record is written from them: worlds are left to age this long.
const RACY: Duration = Duration::from_millis(2100);

fn world() -> World {
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64")
        .with_toolchain("1.21.13", "linux/amd64");
    w.setup_shims();
    // The toolchains are hard links to a template that other tests link again meanwhile,
    // which changes the shared inodes' change times: the files a record re-checks get
    // inodes of their own, as a real install's have.
    for version in ["1.22.10", "1.21.13"] {
        let goroot = w.goroot(version, "linux/amd64");
        for file in [".gox-receipt.json", "bin/go", "bin/gofmt"] {
            let (path, copy) = (goroot.join(file), goroot.join("copy.tmp"));
            std::fs::copy(&path, &copy).unwrap();
            std::fs::rename(&copy, &path).unwrap();
        }
    }
    w
}

fn plans(w: &World) -> PathBuf {
    w.home().join("shims").join(".plans")
}

/// The record files, each with its inode (a planner run renames a new one into place).
fn records(w: &World) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = std::fs::read_dir(plans(w))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let ino = e.metadata().map(|m| m.ino()).unwrap_or(0);
                    (e.file_name().to_string_lossy().into_owned(), ino)
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// `go version` in `dir`: the version word, and whether the run was replayed (no record
/// was rewritten, so the planner did not run).
fn go_version(w: &World, dir: &str) -> (String, bool) {
    let before = records(w);
    let version = w.go_version(dir);
    (version, records(w) == before && !before.is_empty())
}

#[test]
fn a_current_record_is_replayed_and_every_change_is_seen() {
    let w = world();
    w.write("app/.go-version", "1.21.13\n");
    w.write("app/sub/dir/README", "pins apply below\n");
    w.write("mod/go.mod", "module example.com/m\n\ngo 1.22\n");
    std::thread::sleep(RACY);

    // The first run plans and records; the second replays, with the same environment.
    assert_eq!(go_version(&w, "app/sub/dir"), ("go1.21.13".into(), false));
    assert_eq!(records(&w).len(), 1, "one record per directory and tool");
    assert_eq!(go_version(&w, "app/sub/dir"), ("go1.21.13".into(), true));
    let env = |dir: &str| {
        let out = w
            .go(dir)
            .args(["env", "GOROOT", "GOTOOLCHAIN", "GOPATH"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        stdout(&out)
    };
    let planned = env("app");
    assert_eq!(
        env("app"),
        planned,
        "a replayed run's environment is the planner's"
    );
    assert!(
        planned.contains("go1.21.13.linux-amd64\nlocal\n"),
        "{planned}"
    );

    // A go.mod minimum resolves against the installed toolchains; replayed as well.
    assert_eq!(go_version(&w, "mod"), ("go1.22.10".into(), false));
    assert_eq!(go_version(&w, "mod"), ("go1.22.10".into(), true));

    // The pin edited in place, same size: seen.
    std::fs::write(w.projects().join("app/.go-version"), "1.22.10\n").unwrap();
    assert_eq!(go_version(&w, "app/sub/dir").0, "go1.22.10");
    // A nearer pin appears: seen.
    w.write("app/sub/.go-version", "1.21.13\n");
    assert_eq!(go_version(&w, "app/sub/dir").0, "go1.21.13");
    // A variable the plan read: seen.
    let out = w
        .go("app/sub/dir")
        .env("GOX_VERSION", "1.22.10")
        .arg("version")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));

    // A toolchain removed: the go.mod minimum no longer resolves to an installed one.
    assert_eq!(go_version(&w, "mod"), ("go1.22.10".into(), true));
    w.ok(["uninstall", "1.22.10"]);
    let out = w.go("mod").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("gox install 1.22.0"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_toolchain_being_uninstalled_is_not_replayed_into() {
    let w = world();
    w.write("app/.go-version", "1.21.13\n");
    std::thread::sleep(RACY);
    assert_eq!(go_version(&w, "app"), ("go1.21.13".into(), false));
    assert_eq!(go_version(&w, "app"), ("go1.21.13".into(), true));
    // `gox uninstall` holds the receipt exclusively while it removes the tree.
    let receipt =
        std::fs::File::open(w.goroot("1.21.13", "linux/amd64").join(".gox-receipt.json")).unwrap();
    receipt.try_lock().unwrap();
    let out = w.go("app").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("is being uninstalled right now"),
        "{}",
        describe(&out)
    );
    drop(receipt);
    assert_eq!(w.go_version("app"), "go1.21.13");
}

#[test]
fn a_replaced_go_binary_is_checked_again() {
    let w = world();
    w.write("app/.go-version", "1.21.13\n");
    std::thread::sleep(RACY);
    assert_eq!(go_version(&w, "app"), ("go1.21.13".into(), false));
    // bin/go replaced by an arm64 build: the planner's header check refuses it.
    let go = w.goroot("1.21.13", "linux/amd64").join("bin/go");
    let arm = w.root.path().join("arm64-go");
    let mut elf = std::fs::read(&go).unwrap();
    elf[18] = 0xb7; // e_machine = EM_AARCH64
    std::fs::write(&arm, elf).unwrap();
    std::fs::rename(&arm, &go).unwrap();
    let out = w.go("app").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    assert!(
        stderr(&out).contains("refusing to run"),
        "{}",
        describe(&out)
    );
}

#[test]
fn without_its_planner_link_the_shim_finds_gox_on_path_or_says_how_to_fix_it() {
    let w = world();
    w.write("app/.go-version", "1.21.13\n");
    let link = w.home().join("shims/.gox");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new(env!("CARGO_BIN_EXE_gox")),
        "gox setup links the planner"
    );
    std::fs::remove_file(&link).unwrap();

    // Not on PATH either: exit 126, naming the fix.
    let mut no_gox = w.go("app");
    no_gox.env("PATH", w.home().join("shims")).arg("version");
    let out = no_gox.output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    assert!(stderr(&out).contains("gox setup"), "{}", describe(&out));

    // gox on PATH (a shims dir set up by an older gox): it plans, and links itself.
    let gox_dir = Path::new(env!("CARGO_BIN_EXE_gox")).parent().unwrap();
    let out = w
        .go("app")
        .env(
            "PATH",
            std::env::join_paths([w.home().join("shims"), gox_dir.into()]).unwrap(),
        )
        .arg("version")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.21.13"), "{}", describe(&out));
    assert!(
        std::fs::symlink_metadata(&link).is_ok(),
        "the planner relinked itself"
    );
}

#[test]
fn started_as_itself_the_shim_says_what_it_is() {
    let w = world();
    let shim = Path::new(env!("CARGO_BIN_EXE_gox")).with_file_name("gox-shim");
    let mut cmd = Command::new(shim);
    w.apply_env(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        stderr(&out).contains(gox_core::shim_identity::MARK),
        "{}",
        describe(&out)
    );
    assert!(stderr(&out).contains("gox setup"), "{}", describe(&out));
}

/// Everything the planner looks at in the world (the project tree, GOX_HOME, the config)
/// while it plans is in its record, so the replayer re-checks all of it: strace lists the
/// planner's file system calls, the record its observations.
#[test]
fn the_record_covers_every_path_the_planner_looked_at() {
    if Command::new("strace").arg("-V").output().is_err() {
        support::skip_for_missing_tool("strace is not installed (apt-get install strace)");
        return;
    }
    let w = world();
    w.write("app/.go-version", "1.21.13\n");
    w.write("mod/sub/README", "below a module\n");
    w.write(
        "mod/go.mod",
        "module example.com/m\n\ngo 1.22\n\ntoolchain go1.22.10\n",
    );
    std::thread::sleep(RACY);
    for dir in ["app", "mod/sub"] {
        let trace = w
            .root
            .path()
            .join(format!("strace-{}", dir.replace('/', "-")));
        let go = w.go(dir);
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-qq", "-e", "trace=%file,%desc", "-o"])
            .arg(&trace)
            .arg(go.get_program())
            .arg("version")
            .current_dir(go.get_current_dir().unwrap());
        cmd.env_clear();
        for (k, v) in go.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let record_file = records(&w)
            .into_iter()
            .map(|(name, _)| plans(&w).join(name))
            .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .expect("a record");
        let bytes = std::fs::read(&record_file).unwrap();
        let record = gox_plan::Record::parse(&bytes).unwrap();
        let observed: Vec<String> = record
            .observations()
            .filter_map(|o| match o {
                gox_plan::Observation::Path { path, .. } => {
                    Some(String::from_utf8_lossy(path).into_owned())
                }
                gox_plan::Observation::Var { .. } => None,
            })
            .collect();
        let text = std::fs::read_to_string(&trace).unwrap();
        let root = w.root.path().to_string_lossy().into_owned();
        let shims = w.home().join("shims").to_string_lossy().into_owned();
        // Only the planner's calls: from its start to the exec of the toolchain's go.
        let planner: String = text
            .lines()
            .skip_while(|l| !l.contains(".gox\""))
            .take_while(|l| !l.contains("execve(\"") || l.contains(".gox\""))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!planner.is_empty(), "no planner run in the trace:\n{text}");
        let mut missing = Vec::new();
        for line in planner.lines() {
            let Some(path) = line.split('"').nth(1) else {
                continue;
            };
            // The world's paths only; the planner's own writes (the record, in the shims
            // dir) are not inputs.
            let ours = path.starts_with(&root) && !path.starts_with(&shims);
            if ours && !observed.iter().any(|o| o == path) {
                missing.push(line.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "the planner looked at paths its record does not re-check:\n{}\nobserved: {observed:#?}",
            missing.join("\n")
        );
    }
}
