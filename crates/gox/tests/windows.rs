//! The Windows build of gox and its shim, run for real: gox.exe and gox-shim.exe (built for
//! x86_64-pc-windows-gnu) under Wine, installing the real go1.22.10.windows-amd64.zip from
//! the loopback mirror and running its go.exe through the shim (gox_testkit::wine: Wine 8
//! needs a stand-in bcryptprimitives.dll for Rust's std and Go ≥ 1.22).
//!
//! This is Windows' own code in gox (the layout under GOX_HOME with `\`, zip extraction, PE
//! verification, renames into place, `.exe` shims made by `gox setup`, the shim's spawn and
//! exit-code forwarding instead of exec), not a type-check.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use gox_testkit::fixtures;
use gox_testkit::wine::{Wine, windows_binaries, windows_path, windows_target_installed};
use support::{describe, skip_for_missing_tool, stderr, stdout};

#[test]
fn windows_gox_installs_go_and_its_shim_runs_it_under_wine() {
    let wine = match windows_target_installed().and_then(|()| Wine::start()) {
        Ok(wine) => wine,
        Err(why) => return skip_for_missing_tool(&why),
    };
    let built = windows_binaries();
    let server = fixtures().mirror().start();
    let root = tempfile::Builder::new()
        .prefix("gox-windows-")
        .tempdir()
        .unwrap();
    let root = root.path();
    // gox and gox-shim side by side, as the Windows zip and install.ps1 lay them out.
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for exe in ["gox.exe", "gox-shim.exe"] {
        std::fs::copy(built.join(exe), bin.join(exe)).unwrap();
    }
    let home = root.join("home");
    let project = root.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let vars = [
        ("GOX_HOME", windows_path(&home)),
        ("GOX_CACHE_DIR", windows_path(&root.join("cache"))),
        ("GOX_CONFIG", windows_path(&root.join("config.toml"))),
        ("GOX_FEED_URL", server.feed_url()),
        ("GOX_DOWNLOAD_BASE", server.download_base()),
        ("NO_COLOR", "1".to_string()),
    ];
    let run = |program: &Path, dir: &Path, args: &[&str]| -> Output {
        let mut cmd: Command = wine.command(program);
        cmd.args(args)
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .current_dir(dir);
        cmd.output().unwrap()
    };
    let gox = |args: &[&str]| run(&bin.join("gox.exe"), &project, args);
    let ok = |out: Output| -> String {
        assert!(out.status.success(), "{}", describe(&out));
        stdout(&out)
    };

    // The host is windows/amd64: the Windows zip, verified as PE amd64, renamed into place.
    ok(gox(&["install", "1.22.10"]));
    let goroot = home.join("toolchains").join("go1.22.10.windows-amd64");
    assert!(
        goroot.join("bin/go.exe").is_file(),
        "no go.exe in {}",
        goroot.display()
    );
    let list = ok(gox(&["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["version"], "1.22.10", "{list}");
    assert_eq!(list[0]["platform"], "windows/amd64", "{list}");

    // `gox setup` makes go.exe and gofmt.exe from the gox-shim.exe beside gox.exe.
    ok(gox(&["setup", "--quiet"]));
    let shims = home.join("shims");
    for shim in ["go.exe", "gofmt.exe"] {
        assert!(
            shims.join(shim).is_file(),
            "no {shim} in {}",
            shims.display()
        );
    }

    std::fs::write(project.join(".go-version"), "1.22.10\n").unwrap();
    let current = ok(gox(&["current", "--json"]));
    let current: serde_json::Value = serde_json::from_str(&current).unwrap();
    assert_eq!(current["platform"], "windows/amd64", "{current}");
    assert_eq!(current["goroot"], windows_path(&goroot), "{current}");

    // The shim runs the real go.exe of the selected toolchain with gox's environment.
    let go = shims.join("go.exe");
    let version = ok(run(&go, &project, &["version"]));
    assert!(
        version.contains("go version go1.22.10 windows/amd64"),
        "{version}"
    );
    let goenv = ok(run(
        &go,
        &project,
        &["env", "GOROOT", "GOPATH", "GOTOOLCHAIN", "GOX_PIN"],
    ));
    let goenv: Vec<&str> = goenv.lines().map(str::trim).collect();
    assert_eq!(
        goenv,
        [
            windows_path(&goroot).as_str(),
            windows_path(&home.join("gopath").join("windows-amd64")).as_str(),
            "local",
            "",
        ],
        "go env through the shim"
    );

    // Windows has no exec: the shim waits for go.exe and returns its exit code.
    let bogus = run(&go, &project, &["bogus"]);
    assert_eq!(bogus.status.code(), Some(2), "{}", describe(&bogus));
    assert!(
        stderr(&bogus).contains("unknown command"),
        "{}",
        describe(&bogus)
    );

    // A version that is not installed: exit 127 with the install command.
    let other = root.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(".go-version"), "1.21.13\n").unwrap();
    let missing = run(&go, &other, &["version"]);
    assert_eq!(missing.status.code(), Some(127), "{}", describe(&missing));
    assert!(
        stderr(&missing).contains("gox install 1.21.13"),
        "{}",
        describe(&missing)
    );

    // Uninstall moves the tree out of toolchains\ and removes it.
    ok(gox(&["uninstall", "1.22.10"]));
    assert!(!goroot.exists(), "{} is still there", goroot.display());
}
