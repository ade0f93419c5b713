//! `gox doctor` through the real binary, against real Go toolchains (hard-linked from the
//! shared template, so each world costs milliseconds).

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{World, describe, stdout};

/// A PATH without the developer's own Go: `dirs` first, then the system directories.
fn path_with(dirs: &[&Path]) -> OsString {
    let system = [PathBuf::from("/usr/bin"), PathBuf::from("/bin")];
    std::env::join_paths(dirs.iter().map(|d| d.to_path_buf()).chain(system)).expect("PATH")
}

/// `gox doctor --json` with `cmd`'s environment: the exit code and the report.
fn doctor_json(mut cmd: Command) -> (Option<i32>, Value) {
    let out = cmd
        .args(["doctor", "--json"])
        .output()
        .expect("run gox doctor");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json is not JSON ({e}): {}", describe(&out)));
    (out.status.code(), report)
}

fn findings<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

fn problems(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] != "ok")
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

#[test]
fn clean_setup_passes_then_stale_dirs_are_found() {
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64");
    let shims = w.setup_shims();
    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[&shims]));
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    assert!(problems(&report).is_empty(), "{report:#}");
    let path = findings(&report, "path");
    assert!(
        text(path[0], "message").contains("is the gox shim"),
        "{report:#}"
    );
    assert!(text(findings(&report, "toolchains")[0], "message").contains("1 installed"));

    // The human form: one ✓ line per check, no `!`/`✗`.
    let out = w
        .gox()
        .env("PATH", path_with(&[&shims]))
        .arg("doctor")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", describe(&out));
    let human = stdout(&out);
    assert!(human.contains("✓ `go` on PATH is the gox shim"), "{human}");
    assert!(
        !human.contains("\n! ") && !human.contains("\n✗ "),
        "{human}"
    );
    assert!(human.contains("no problems found"), "{human}");
    assert!(!human.contains('\x1b'), "no colours: {human:?}");

    // Then break it: a stale pkg/tool dir, a staging leftover; and look from a shell
    // activated with `gox activate` instead of the shims.
    let goroot = w.goroot("1.22.10", "linux/amd64");
    std::fs::create_dir_all(goroot.join("pkg/tool/darwin_amd64")).expect("mkdir");
    let staging = w.toolchains().join(".staging-go1.21.13.linux-amd64-123");
    std::fs::create_dir_all(&staging).expect("mkdir");
    let mut cmd = w.gox();
    // What `gox activate` leaves in a shell: its state variable and the toolchain's bin.
    cmd.env("PATH", path_with(&[&goroot.join("bin")]))
        .env("__GOX_STATE", "1;f=x")
        .env("GOROOT", &goroot)
        .env("GOTOOLCHAIN", "local");
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    let stale = findings(&report, "stale-tool-dir");
    assert_eq!(stale.len(), 1, "{report:#}");
    assert!(text(stale[0], "message").contains("pkg/tool/darwin_amd64"));
    assert_eq!(
        text(stale[0], "fix"),
        "gox install 1.22.10 --platform linux/amd64 --force"
    );
    let leftover = findings(&report, "leftover-dir");
    assert_eq!(leftover.len(), 1, "{report:#}");
    assert!(text(leftover[0], "fix").starts_with(&format!("rm -rf {}", staging.display())));
    // Activated: gox's own GOROOT/GOTOOLCHAIN and its toolchain bin on PATH are fine.
    assert_eq!(
        problems(&report)
            .iter()
            .map(|f| text(f, "id"))
            .collect::<Vec<_>>(),
        ["stale-tool-dir", "leftover-dir"],
        "{report:#}"
    );
}

#[test]
fn rosetta_toolchain_and_x86_64_program_on_apple_silicon() {
    let mut w = World::new();
    w.host = "darwin/arm64".to_string();
    w.with_toolchain("1.22.10", "darwin/amd64");
    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[]));
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "warnings only: {report:#}");
    let found = findings(&report, "toolchain-not-native");
    assert_eq!(found.len(), 1, "{report:#}");
    let message = text(found[0], "message");
    assert!(
        message.contains("Rosetta 2") && message.contains("amd64 (Mach-O cputype"),
        "{message}"
    );
    assert_eq!(found[0]["severity"], "warn");
    assert_eq!(
        text(found[0], "fix"),
        "gox install 1.22.10 --platform darwin/arm64 && gox uninstall 1.22.10 --platform darwin/amd64"
    );

    // The same x86_64 binary as a program in the darwin/arm64 GOPATH/bin.
    let bin = w.home().join("gopath/darwin-arm64/bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let dlv = bin.join("dlv");
    let real_go = w.goroot("1.22.10", "darwin/amd64").join("bin/go");
    std::fs::hard_link(&real_go, &dlv)
        .or_else(|_| std::fs::copy(&real_go, &dlv).map(|_| ()))
        .expect("place dlv");
    // A script next to it is not a binary and is not judged.
    let script = bin.join("tool.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").expect("write");
    make_executable(&script);

    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[]));
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    let found = findings(&report, "gopath-bin-not-native");
    assert_eq!(found.len(), 1, "{report:#}");
    let message = text(found[0], "message");
    assert!(
        message.starts_with(&format!("dlv in {} is amd64", bin.display())),
        "{message}"
    );
    assert!(message.contains("Rosetta 2"), "{message}");
    let fix = text(found[0], "fix");
    assert!(
        fix.starts_with(&format!("rm {}", dlv.display())) && fix.contains("go install"),
        "{fix}"
    );
}

#[test]
fn go_variables_in_the_environment_and_the_go_env_file() {
    let w = World::new();
    let xdg = w.root.path().join("xdg");
    std::fs::create_dir_all(xdg.join("go")).expect("mkdir");
    std::fs::write(
        xdg.join("go/env"),
        "GOPROXY=https://proxy.example\nGOTOOLCHAIN=auto\n",
    )
    .expect("write go env");
    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[]))
        .env("XDG_CONFIG_HOME", &xdg)
        .env("GOROOT", "/usr/local/go")
        .env("GOARCH", "arm64")
        .env("SHELL", "/bin/zsh");
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    let env: Vec<(String, String)> = findings(&report, "env-var")
        .iter()
        .map(|f| (text(f, "message"), text(f, "fix")))
        .collect();
    assert_eq!(env.len(), 2, "{report:#}");
    assert!(
        env[0]
            .0
            .starts_with("GOROOT=/usr/local/go is set in the environment")
    );
    assert!(env[0].1.starts_with("unset GOROOT"));
    assert!(env[1].0.starts_with("GOARCH=arm64") && env[1].0.contains("cross-compiles"));
    let file = findings(&report, "go-env-file");
    assert_eq!(file.len(), 1, "{report:#}");
    assert!(text(file[0], "message").contains(&xdg.join("go/env").display().to_string()));
    assert_eq!(text(file[0], "fix"), "go env -u GOTOOLCHAIN");
}

#[cfg(unix)]
#[test]
fn a_go_earlier_on_path_than_the_shims() {
    let w = World::new();
    let shims = w.setup_shims();
    let fake = w.root.path().join("fakebin");
    std::fs::create_dir_all(&fake).expect("mkdir");
    let fake_go = fake.join("go");
    std::fs::write(&fake_go, "#!/bin/sh\necho go version go1.0 fake\n").expect("write");
    make_executable(&fake_go);
    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[&fake, &shims]))
        .env("SHELL", "/bin/bash");
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    let found = findings(&report, "path-shadowed");
    assert_eq!(found.len(), 1, "{report:#}");
    let message = text(found[0], "message");
    assert!(
        message.starts_with(&format!("{} comes before the gox shims", fake_go.display())),
        "{message}"
    );
    let fix = text(found[0], "fix");
    assert!(
        fix.starts_with(&format!("export PATH='{}':\"$PATH\"", shims.display())),
        "{fix}"
    );
    // The shims are on PATH, so the shell itself counts as set up.
    assert!(findings(&report, "shell-not-activated").is_empty());
}

#[test]
fn translated_gox_is_an_error() {
    let mut w = World::new();
    w.host = "darwin/arm64,translated".to_string();
    let out = w
        .gox()
        .env("PATH", path_with(&[]))
        .arg("doctor")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let human = stdout(&out);
    assert!(
        human.contains("✗ gox runs under Rosetta 2")
            && human.contains("install the arm64 build of gox"),
        "{human}"
    );
    assert!(human.contains("    fix: cargo install --target aarch64-apple-darwin"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gox doctor found 1 error"));
}

#[test]
fn json_shape_is_stable() {
    let mut w = World::new();
    w.host = "darwin/arm64,parent-translated".to_string();
    let mut cmd = w.gox();
    cmd.env("PATH", path_with(&[]));
    let (code, report) = doctor_json(cmd);
    assert_eq!(code, Some(0), "{report:#}");
    let host = report["host"].as_object().expect("host object");
    assert_eq!(host["platform"], "darwin/arm64");
    assert_eq!(host["translated"], false);
    assert_eq!(host["parent_translated"], true);
    let all = report["findings"].as_array().expect("findings array");
    assert!(!all.is_empty());
    for f in all {
        let mut keys: Vec<&String> = f.as_object().expect("finding object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["fix", "id", "message", "severity"], "{f}");
        let severity = f["severity"].as_str().expect("severity");
        assert!(["ok", "warn", "error"].contains(&severity), "{f}");
        assert!(f["id"].is_string() && f["message"].is_string());
        assert_eq!(f["fix"].is_null(), severity == "ok", "{f}");
    }
    assert_eq!(
        text(findings(&report, "shell-translated")[0], "fix"),
        "arch -arm64 $SHELL   (or open a terminal that is not set to \"Open using Rosetta\")"
    );
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}
