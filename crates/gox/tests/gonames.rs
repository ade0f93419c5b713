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
