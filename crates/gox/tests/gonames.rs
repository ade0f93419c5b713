//! Go's own names: `goX.Y.Z` in the shims dir (cmd/go's GOTOOLCHAIN lookups on PATH) and
//! `~/sdk/goX.Y.Z` links (golang.org/dl's layout), kept in step by setup/install/uninstall.

mod support;

use std::process::Command;

use support::{World, describe, ok_lines, plain_go, stderr, stdout};

/// A plain `go` (not gox's shim) with gox's shims first on PATH and downloads impossible.
fn plain(w: &World, gotoolchain: &str) -> Command {
    let mut cmd = Command::new(plain_go());
    w.apply_env(&mut cmd);
    let path = std::env::join_paths(std::iter::once(w.home().join("shims")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    cmd.env("PATH", path)
        .env("GOTOOLCHAIN", gotoolchain)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-modcacherw")
        .current_dir(w.projects());
    cmd
}

#[test]
fn plain_go_with_gotoolchain_runs_gox_toolchain_from_the_shims_dir() {
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64");
    let shims = w.setup_shims();
    assert!(shims.join("go1.22.10").is_file(), "setup made no go1.22.10");

    for mode in ["go1.22.10", "go1.22.10+path"] {
        let out = plain(&w, mode).arg("version").output().unwrap();
        assert!(out.status.success(), "{mode}: {}", describe(&out));
        assert_eq!(
            stdout(&out).trim(),
            "go version go1.22.10 linux/amd64",
            "{mode}"
        );
    }
    // It ran gox's verified tree (cmd/go could not have downloaded one: GOPROXY=off), with
    // gox's child environment.
    let lines = ok_lines(plain(&w, "go1.22.10").args(["env", "GOROOT", "GOTOOLCHAIN", "GOPATH"]));
    assert_eq!(
        lines,
        [
            w.goroot("1.22.10", "linux/amd64").to_str().unwrap(),
            "local",
            w.home().join("gopath/linux-amd64").to_str().unwrap(),
        ]
    );

    // A project pin does not override the exact name (and cmd/go would refuse a mismatch).
    w.write(".go-version", "1.21.13\n");
    let out = plain(&w, "go1.22.10").arg("version").output().unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));
    // Nor does a pin inherited from an outer gox shim.
    let out = plain(&w, "go1.22.10")
        .env("GOX_PIN", w.goroot("1.21.13", "linux/amd64"))
        .arg("version")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));
    std::fs::remove_file(w.projects().join(".go-version")).unwrap();

    // Started by its name, the entry is exactly that version too; a name for a version that
    // is not installed exits 127 with the install command.
    let out = w.shim("go1.22.10", ".").arg("version").output().unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("go1.21.13");
    std::os::unix::fs::symlink(shims.join("go"), &missing).unwrap();
    let mut cmd = Command::new(&missing);
    w.apply_env(&mut cmd);
    let out = cmd.arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("fix: gox install 1.21.13"),
        "{}",
        describe(&out)
    );

    // Uninstall removes the name; a plain go restricted to PATH then finds nothing.
    w.ok(["uninstall", "1.22.10"]);
    assert!(!shims.join("go1.22.10").exists());
    assert!(shims.join("go").exists() && shims.join("gofmt").exists());
    let out = plain(&w, "go1.22.10+path").arg("version").output().unwrap();
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot find \"go1.22.10\" in PATH"),
        "{}",
        describe(&out)
    );
}

#[test]
fn install_and_uninstall_keep_names_and_sdk_links_in_step() {
    let w = World::new();
    let user = w.root.path().join("user");
    let sdk = user.join("sdk");
    // A golang.org/dl download: a real directory gox must never touch.
    std::fs::create_dir_all(sdk.join("go1.20.1/bin")).unwrap();
    w.with_toolchain("1.22.10", "linux/amd64");
    w.setup_shims();
    assert!(
        !sdk.join("go1.22.10").exists(),
        "plain setup made ~/sdk links"
    );

    let out = w.run(["setup", "--shell", "bash", "--sdk"]);
    assert!(out.status.success(), "{}", describe(&out));
    let config = std::fs::read_to_string(w.root.path().join("config.toml")).unwrap();
    assert!(config.contains("sdk_links = true"), "{config}");
    let goroot = w.goroot("1.22.10", "linux/amd64");
    assert_eq!(std::fs::read_link(sdk.join("go1.22.10")).unwrap(), goroot);
    // golang.org/dl's wrapper checks for this marker inside ~/sdk/goX.Y.Z.
    assert!(sdk.join("go1.22.10/.unpacked-success").is_file());
    let out = Command::new(sdk.join("go1.22.10/bin/go"))
        .arg("version")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));

    // `gox install` (here of a toolchain already in place) brings both names in.
    w.with_toolchain("1.21.13", "linux/amd64");
    w.ok(["install", "1.21.13"]);
    assert!(w.home().join("shims/go1.21.13").is_file());
    assert_eq!(
        std::fs::read_link(sdk.join("go1.21.13")).unwrap(),
        w.goroot("1.21.13", "linux/amd64")
    );

    w.ok(["uninstall", "1.21.13"]);
    assert!(!w.home().join("shims/go1.21.13").exists());
    assert!(std::fs::symlink_metadata(sdk.join("go1.21.13")).is_err());
    assert!(sdk.join("go1.22.10").exists());
    assert!(
        sdk.join("go1.20.1/bin").is_dir(),
        "a real ~/sdk dir was touched"
    );
}

/// `gox list --json`'s problems for each installed toolchain, by platform.
fn list_problems(w: &World) -> Vec<(String, Vec<String>)> {
    let list: serde_json::Value = serde_json::from_str(&w.ok(["list", "--json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let problems = t["problems"].as_array().cloned().unwrap_or_default();
            (
                format!("{} {}", t["version"], t["platform"]),
                problems
                    .iter()
                    .map(|p| p.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn assert_intact(w: &World, when: &str) {
    for (toolchain, problems) in list_problems(w) {
        assert!(problems.is_empty(), "{when}: {toolchain}: {problems:?}");
    }
    let doctor = w.run(["doctor"]);
    let said = format!("{}{}", stdout(&doctor), stderr(&doctor));
    assert!(
        !said.contains("install receipt") && !said.contains("damaged"),
        "{when}: {said}"
    );
}

/// `setup --sdk` writes golang.org/dl's `.unpacked-success` into the GOROOT (through the
/// `~/sdk` link): the toolchain still matches its receipt. Every setup --sdk, install and
/// uninstall makes sure each link has its marker, and `install --force` of a linked version
/// leaves it with its marker again.
#[test]
fn sdk_markers_never_make_a_toolchain_look_damaged_and_always_come_back() {
    let w = World::new();
    let sdk = w.root.path().join("user/sdk");
    // Installed for real (not linked from the shared template, whose receipt may be older).
    w.ok(["install", "--quiet", "1.22.10"]);
    w.setup_shims();
    assert_intact(&w, "before setup --sdk");
    w.ok(["setup", "--shell", "bash", "--sdk"]);
    let marker = sdk.join("go1.22.10/.unpacked-success");
    assert!(marker.is_file(), "setup --sdk wrote no marker");
    assert_intact(&w, "after setup --sdk");

    // The reinstall replaces the tree behind the unchanged link, marker and all.
    w.ok(["install", "--quiet", "1.22.10", "--force"]);
    assert!(
        marker.is_file(),
        "install --force left the link without its marker"
    );
    assert_intact(&w, "after install --force");

    // Gone for any other reason: setup --sdk, and any install or uninstall, puts it back.
    std::fs::remove_file(&marker).unwrap();
    w.ok(["setup", "--shell", "bash", "--sdk"]);
    assert!(marker.is_file(), "setup --sdk did not put the marker back");
    std::fs::remove_file(&marker).unwrap();
    w.with_toolchain("1.21.13", "linux/amd64");
    w.ok(["install", "--quiet", "1.21.13"]);
    assert!(marker.is_file(), "install did not put the marker back");
    assert!(sdk.join("go1.21.13/.unpacked-success").is_file());
    std::fs::remove_file(&marker).unwrap();
    w.ok(["uninstall", "1.21.13"]);
    assert!(marker.is_file(), "uninstall did not put the marker back");
    assert_intact(&w, "at the end");

    // The receipt still catches a real change next to the marker.
    std::fs::remove_file(w.goroot("1.22.10", "linux/amd64").join("src/fmt/print.go")).unwrap();
    let found = list_problems(&w);
    assert!(found[0].1.iter().any(|p| p.contains("files")), "{found:?}");
}

/// `goX.Y.Z` in the shims dir and `~/sdk/goX.Y.Z` exist only while the version is installed
/// for this machine's own platform: with only another platform's build left, cmd/go must
/// not find a name whose shim could only refuse (exit 126), and looks elsewhere instead.
#[test]
fn names_exist_only_while_the_native_toolchain_is_installed() {
    let w = World::new();
    let sdk = w.root.path().join("user/sdk");
    w.with_toolchain("1.22.10", "linux/arm64");
    w.setup_shims();
    w.ok(["setup", "--shell", "bash", "--sdk"]);
    let shims = w.home().join("shims");
    let name = shims.join("go1.22.10");
    assert!(!name.exists(), "a name for another platform's build only");
    assert!(std::fs::symlink_metadata(sdk.join("go1.22.10")).is_err());

    w.with_toolchain("1.22.10", "linux/amd64");
    w.ok(["install", "--quiet", "1.22.10"]);
    assert!(name.is_file(), "install of the native build made no name");
    assert!(sdk.join("go1.22.10").is_dir());

    // The native build goes, the arm64 one stays: so do both names.
    w.ok(["uninstall", "1.22.10"]);
    assert!(w.goroot("1.22.10", "linux/arm64").is_dir());
    assert!(
        !name.exists(),
        "{} outlived the native toolchain",
        name.display()
    );
    assert!(std::fs::symlink_metadata(sdk.join("go1.22.10")).is_err());
    let out = plain(&w, "go1.22.10+path").arg("version").output().unwrap();
    assert_ne!(out.status.code(), Some(126), "{}", describe(&out));
    assert!(
        stderr(&out).contains("cannot find \"go1.22.10\" in PATH"),
        "{}",
        describe(&out)
    );

    // A setup does not bring it back either.
    w.ok(["setup", "--shell", "bash", "--sdk"]);
    assert!(!name.exists());
    assert!(std::fs::symlink_metadata(sdk.join("go1.22.10")).is_err());
}
