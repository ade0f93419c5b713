//! Version selection through the real `go` shim, with real toolchains: every way of
//! pinning, the child environment, nested calls, refusals and exit codes.

mod support;

use std::process::Command;

#[cfg(target_os = "linux")]
use support::stderr_writes;
use support::{World, describe, stderr, stdout};

fn world() -> World {
    let w = World::new();
    w.with_toolchain("1.22.10", "linux/amd64")
        .with_toolchain("1.21.13", "linux/amd64");
    w.setup_shims();
    w
}

#[test]
fn every_way_of_pinning_selects_the_right_go() {
    let w = world();
    w.write("gover/.go-version", "1.21.13\n");
    w.write(
        "tools/.tool-versions",
        "nodejs 20.1.0\n# comment\ngolang 1.22.10\n",
    );
    w.write("toolsgo/.tool-versions", "go 1.21.13 1.22.10\n");
    w.write("onlynode/.tool-versions", "nodejs 20.1.0\n");
    w.write("onlynode/go.mod", "module x\n\ngo 1.22\n");
    w.write(
        "toolchain/go.mod",
        "module t\n\ngo 1.21\n\ntoolchain go1.22.10\n",
    );
    w.write(
        "minimum/go.mod",
        "module m\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/mod v0.1.0 // indirect\n)\n",
    );
    w.write("work/go.work", "go 1.22\n\nuse ./mod\n");
    w.write("work/mod/go.mod", "module w\n\ngo 1.21\n");
    w.write(
        "bom/.go-version",
        "\u{feff}go1.22.10  \r\n# pinned for CI\r\n",
    );
    w.write(
        "gover/deeper/still/README",
        "nested directories inherit the pin",
    );

    assert_eq!(w.go_version("gover"), "go1.21.13");
    assert_eq!(w.go_version("gover/deeper/still"), "go1.21.13");
    assert_eq!(w.go_version("tools"), "go1.22.10");
    assert_eq!(w.go_version("toolsgo"), "go1.21.13");
    // A .tool-versions without a Go line is not a pin: go.mod decides.
    assert_eq!(w.go_version("onlynode"), "go1.22.10");
    assert_eq!(w.go_version("toolchain"), "go1.22.10");
    // `go 1.21` is a minimum: the newest installed 1.21.x.
    assert_eq!(w.go_version("minimum"), "go1.21.13");
    // go.work beats the module's own go.mod.
    assert_eq!(w.go_version("work/mod"), "go1.22.10");
    assert_eq!(w.go_version("bom"), "go1.22.10");

    // GOX_VERSION beats every file.
    let out = w
        .go("gover")
        .env("GOX_VERSION", "1.22.10")
        .arg("version")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));

    // Nothing selects a version: exit 127 with the fix; then a global default applies.
    let out = w.go("plain").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(stderr(&out).contains("gox use"), "{}", describe(&out));
    w.ok(["use", "--global", "1.21.13"]);
    assert_eq!(w.go_version("plain"), "go1.21.13");

    // gofmt is shimmed too.
    let out = w
        .shim("gofmt", "gover")
        .arg("-l")
        .arg(".")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn child_environment_build_and_install_use_platform_directories() {
    let w = world();
    w.write("app/.go-version", "1.22.10\n");
    w.write("app/go.mod", "module example.com/app\n\ngo 1.22\n");
    w.write(
        "app/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"built by gox\") }\n",
    );
    w.write(
        "app/cmd/hello/main.go",
        "package main\n\nfunc main() { println(\"hello tool\") }\n",
    );

    let out = w
        .go("app")
        .args([
            "env",
            "GOROOT",
            "GOPATH",
            "GOCACHE",
            "GOMODCACHE",
            "GOTOOLCHAIN",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            w.goroot("1.22.10", "linux/amd64").to_str().unwrap(),
            w.home().join("gopath/linux-amd64").to_str().unwrap(),
            w.cache().join("go-build/linux-amd64").to_str().unwrap(),
            w.home().join("gomodcache").to_str().unwrap(),
            "local",
        ]
    );

    let out = w
        .go("app")
        .args(["build", "-o", "app", "."])
        .output()
        .unwrap();
    assert!(out.status.success(), "go build: {}", describe(&out));
    let run = Command::new(w.projects().join("app/app")).output().unwrap();
    assert_eq!(stdout(&run).trim(), "built by gox");
    let gocache = w.cache().join("go-build/linux-amd64");
    assert!(
        std::fs::read_dir(&gocache).map(|d| d.count()).unwrap_or(0) > 2,
        "GOCACHE not filled: {}",
        gocache.display()
    );

    let out = w
        .go("app")
        .args(["install", "./cmd/hello"])
        .output()
        .unwrap();
    assert!(out.status.success(), "go install: {}", describe(&out));
    assert!(w.home().join("gopath/linux-amd64/bin/hello").is_file());
}

#[test]
fn nested_go_calls_resolve_the_same_toolchain() {
    let w = world();
    w.write("outer/.go-version", "1.21.13\n");
    w.write("other/.go-version", "1.22.10\n");
    w.write("outer/go.mod", "module outer\n\ngo 1.21\n");
    // The program runs `go version` from a directory pinned to another version: the pin the
    // shim exported must win, as a Makefile or go generate inside this build expects.
    let other = w.projects().join("other");
    w.write(
        "outer/main.go",
        &format!(
            "package main\n\nimport (\n\t\"fmt\"\n\t\"os/exec\"\n)\n\nfunc main() {{\n\tcmd := exec.Command(\"go\", \"version\")\n\tcmd.Dir = {:?}\n\tout, err := cmd.CombinedOutput()\n\tif err != nil {{\n\t\tpanic(string(out))\n\t}}\n\tfmt.Print(string(out))\n}}\n",
            other.to_str().unwrap()
        ),
    );
    let out = w.go("outer").args(["run", "."]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("go version go1.21.13"),
        "{}",
        describe(&out)
    );
}

/// In a directory reached through a symbolic link, the go command walks up the shell's
/// `PWD` (os.Getwd), not the physical path; gox must find the same go.mod, or it runs a
/// toolchain that module refuses. Here the logical parent asks for go 1.22.10, the
/// physical one for 1.21.13.
#[cfg(unix)]
#[test]
fn a_symlinked_directory_selects_as_the_go_command_walks() {
    let w = world();
    w.write("logical/go.mod", "module l\n\ngo 1.22.10\n");
    w.write("physical/go.mod", "module p\n\ngo 1.21.13\n");
    w.write(
        "physical/sub/main.go",
        "package main\n\nfunc main() { println(\"ok\") }\n",
    );
    let link = w.projects().join("logical/link");
    std::os::unix::fs::symlink(w.projects().join("physical/sub"), &link).unwrap();
    let out = w
        .go("logical/link")
        .env("PWD", &link)
        .args(["run", "."])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("ok"), "{}", describe(&out));
    // The oracle: the module the real go uses, and the toolchain the shim ran.
    let out = w
        .go("logical/link")
        .env("PWD", &link)
        .args(["env", "GOMOD", "GOVERSION"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("logical/go.mod"), "{}", describe(&out));
    assert!(text.contains("go1.22.10"), "{}", describe(&out));
    let mut current = w.gox();
    current.current_dir(&link).env("PWD", &link).arg("current");
    let out = current.output().unwrap();
    assert!(
        stdout(&out).contains("logical/go.mod"),
        "{}",
        describe(&out)
    );
}

#[test]
fn missing_version_exits_127_with_the_install_command() {
    let w = world();
    w.write("old/.go-version", "1.20.5\n");
    let out = w.go("old").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("gox install 1.20.5") && err.contains(".go-version"),
        "{err}"
    );

    #[cfg(target_os = "linux")]
    assert_eq!(
        stderr_writes(w.go("old").arg("version")),
        [err.as_str()],
        "the message must reach stderr in one write, or parallel builds interleave into it"
    );

    w.write("partial/.go-version", "1.19\n");
    let out = w.go("partial").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("gox install 1.19"),
        "{}",
        describe(&out)
    );
}

#[test]
fn garbage_version_files_name_file_and_line() {
    let w = world();
    w.write("bad/.go-version", "# pinned\nbanana\n");
    let out = w.go("bad").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(".go-version:2") && err.contains("banana"),
        "{err}"
    );

    w.write("badmod/go.mod", "module x\n\ngo one.two\n");
    let out = w.go("badmod").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("go.mod:3"), "{}", describe(&out));
}

#[test]
fn refuses_rosetta_on_apple_silicon_and_emulation_on_amd64() {
    let mut w = World::new();
    w.with_toolchain("1.22.10", "darwin/amd64")
        .with_toolchain("1.22.10", "linux/arm64");
    w.setup_shims();
    w.write("p/.go-version", "1.22.10\n");

    // An Apple Silicon host with only the x86_64 build installed.
    w.host = "darwin/arm64".into();
    let out = w.go("p").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Rosetta") && err.contains("gox install 1.22.10 --platform darwin/arm64"),
        "{err}"
    );
    assert!(
        err.contains("go1.22.10.darwin-amd64/bin/go"),
        "names the file: {err}"
    );

    // An amd64 Linux host with only the arm64 build installed.
    w.host = "linux/amd64".into();
    let out = w.go("p").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("emulation") && err.contains("gox install 1.22.10 --platform linux/amd64"),
        "{err}"
    );
    assert!(err.contains("arm64"), "{err}");

    // GOX_ALLOW_ROSETTA is for Macs only: it never lets emulation through on Linux.
    let out = w
        .go("p")
        .env("GOX_ALLOW_ROSETTA", "1")
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
}

#[test]
fn go_exit_codes_pass_through_and_recursion_is_caught() {
    let w = world();
    w.write("p/.go-version", "1.22.10\n");
    let out = w.go("p").args(["tool", "no-such-tool"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "go's own exit code: {}",
        describe(&out)
    );

    let out = w
        .go("p")
        .env("GOX_SHIM_DEPTH", "32")
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("recursion"), "{}", describe(&out));

    // A toolchain whose bin/go is the shim itself: named at once (Linux: the planner
    // compares it with its shim), or on its first nested turn (the std shim skips the
    // check in the outermost run: a readlink and two stats on every run).
    let loop_bin = w.toolchains().join("go1.99.0.linux-amd64/bin");
    std::fs::create_dir_all(&loop_bin).unwrap();
    std::fs::hard_link(w.home().join("shims/go"), loop_bin.join("go")).unwrap();
    w.write("loop/.go-version", "1.99.0\n");
    let out = w.go("loop").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("gox shim recursion")
            && err.contains("go1.99.0.linux-amd64/bin/go is a gox shim"),
        "{err}"
    );
}

#[test]
fn a_toolchain_without_a_receipt_still_runs() {
    // The shim's in-use lock on the receipt doubles as its existence check; a tree copied
    // in by hand has no receipt and is found by a `stat` instead.
    let w = world();
    std::fs::remove_file(w.goroot("1.21.13", "linux/amd64").join(".gox-receipt.json")).unwrap();
    w.write("p/.go-version", "1.21.13\n");
    assert_eq!(w.go_version("p"), "go1.21.13");
    w.write("q/.go-version", "1.21.14\n");
    let out = w.go("q").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
}

/// A deleted working directory: getcwd fails, so nothing up the tree can be read. The shim
/// says so (not "selected for ."), and an explicit GOX_VERSION still runs `go`.
#[cfg(unix)]
#[test]
fn a_deleted_working_directory_is_named_as_the_cause() {
    let w = world();
    let run_in_deleted = |extra: &[(&str, &str)]| {
        let shim = w.go("doomed");
        let dir = shim.get_current_dir().unwrap().to_path_buf();
        Command::new("sh")
            .args(["-c", "cd \"$1\" && rmdir \"$1\" && exec \"$0\" version"])
            .arg(shim.get_program())
            .arg(&dir)
            .envs(shim.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env_remove("PWD")
            .envs(extra.iter().copied())
            .current_dir(dir.parent().unwrap())
            .output()
            .unwrap()
    };
    // Nothing selected in an ordinary directory: the fix names no made-up version.
    let out = w.go("nothing-here").arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("no Go version selected for ")
            && stderr(&out)
                .contains("fix: `gox use --global latest` (everywhere), or `gox use VERSION`"),
        "{}",
        describe(&out)
    );

    let out = run_in_deleted(&[]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("the current directory cannot be determined (was it deleted?)")
            && stderr(&out).contains("fix: cd to an existing directory"),
        "{}",
        describe(&out)
    );
    // With GOTOOLCHAIN=local from the shim, `go version` needs no directory at all.
    let out = run_in_deleted(&[("GOX_VERSION", "1.22.10")]);
    assert!(
        out.status.success() && stdout(&out).contains("go1.22.10"),
        "{}",
        describe(&out)
    );
}

#[test]
fn closed_standard_descriptors_stay_closed_for_go() {
    // The shim keeps a descriptor open across exec (the in-use mark). With stdin closed it
    // must not take number 0: gofmt would then format the receipt. Go ≥ 1.22 opens
    // /dev/null for a closed stdin, so gofmt sees empty input and prints nothing.
    let w = world();
    w.write("p/.go-version", "1.22.10\n");
    let shim = w.shim("gofmt", "p");
    for (redirect, what) in [("<&-", "stdin"), (">&-", "stdout")] {
        let out = Command::new("sh")
            .args(["-c", &format!("exec \"$0\" {redirect}")])
            .arg(shim.get_program())
            .envs(shim.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .current_dir(shim.get_current_dir().unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success() && stdout(&out).is_empty() && stderr(&out).is_empty(),
            "gofmt with {what} closed: {}",
            describe(&out)
        );
    }
}

#[test]
fn current_which_exec_and_env_agree_with_the_shim() {
    let w = world();
    w.write("p/.go-version", "1.21.13\n");
    w.write("p/go.mod", "module p\n\ngo 1.22\n");
    let run = |args: &[&str]| {
        let mut cmd = w.gox();
        cmd.current_dir(w.projects().join("p")).args(args);
        cmd.output().unwrap()
    };

    let out = run(&["current", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "1.21.13");
    assert_eq!(json["platform"], "linux/amd64");
    assert_eq!(
        json["goroot"],
        w.goroot("1.21.13", "linux/amd64").to_str().unwrap()
    );
    assert_eq!(json["source"]["kind"], "file");
    assert_eq!(json["source"]["line"], 1);
    assert!(
        json["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("p/.go-version")
    );
    // go.mod says go 1.22, the pin is older: warn.
    assert!(
        stderr(&out).contains("requires go >= 1.22"),
        "{}",
        describe(&out)
    );

    let out = run(&["which"]);
    assert_eq!(
        stdout(&out).trim(),
        w.goroot("1.21.13", "linux/amd64")
            .join("bin/go")
            .to_str()
            .unwrap()
    );

    // `which goX.Y.Z` is what the shims dir's `goX.Y.Z` runs: that version, not the pin's.
    let out = run(&["which", "go1.22.10"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        stdout(&out).trim(),
        w.goroot("1.22.10", "linux/amd64")
            .join("bin/go")
            .to_str()
            .unwrap()
    );
    let out = run(&["which", "go1.19.1"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("fix: gox install 1.19.1"),
        "{}",
        describe(&out)
    );
    // Go's own tools are run through `go`; the error says how.
    let out = run(&["which", "vet"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(
        stderr(&out).contains("fix: go tool vet"),
        "{}",
        describe(&out)
    );
    let out = run(&["which", "dlv"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    assert!(stderr(&out).contains("gox tools"), "{}", describe(&out));

    let out = run(&["exec", "1.22.10", "--", "go", "version"]);
    assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));
    let out = run(&["exec", "1.22", "--", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let out = run(&["exec", "1.19.1", "--", "go", "version"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));

    let out = run(&["env", "--json"]);
    let env: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        env["GOROOT"],
        w.goroot("1.21.13", "linux/amd64").to_str().unwrap()
    );
    assert_eq!(env["GOTOOLCHAIN"], "local");
    assert!(
        env["PATH"].as_str().unwrap().starts_with(
            w.goroot("1.21.13", "linux/amd64")
                .join("bin")
                .to_str()
                .unwrap()
        )
    );
    assert!(env.get("GOX_PIN").is_none());

    // `eval "$(gox env)"` in a real bash gives the same go.
    let script = format!(
        "eval \"$({} env --shell bash)\" && go version",
        env!("CARGO_BIN_EXE_gox")
    );
    let mut bash = Command::new("bash");
    w.apply_env(&mut bash);
    let out = bash
        .current_dir(w.projects().join("p"))
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("go1.21.13"), "{}", describe(&out));

    // Inside `gox exec 1.22.10` (as inside a shim's `go generate`), nested `go` calls keep
    // that toolchain even with GOX_VERSION set (exported ones are inherited), and `current`,
    // `which` and the shim all say so.
    let nested = format!(
        "{} version; gox which; gox current --json",
        w.home().join("shims/go").display()
    );
    let mut cmd = w.gox();
    cmd.current_dir(w.projects().join("p"))
        .env("GOX_VERSION", "1.21.13")
        .env(
            "PATH",
            format!(
                "{}:{}",
                std::path::Path::new(env!("CARGO_BIN_EXE_gox"))
                    .parent()
                    .unwrap()
                    .display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .args(["exec", "1.22.10", "--", "sh", "-c", &nested]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    let goroot = w.goroot("1.22.10", "linux/amd64");
    assert!(
        text.starts_with("go version go1.22.10"),
        "{}",
        describe(&out)
    );
    assert!(
        text.contains(goroot.join("bin/go").to_str().unwrap()),
        "{}",
        describe(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&text[text.find('{').unwrap()..]).unwrap();
    assert_eq!(json["version"], "1.22.10", "{}", describe(&out));
    assert_eq!(json["goroot"], goroot.to_str().unwrap());
    assert_eq!(json["source"]["kind"], "env");
    assert!(
        json["source"]["origin"]
            .as_str()
            .unwrap()
            .starts_with("GOX_PIN"),
        "{json}"
    );
}

#[test]
fn use_writes_pins_and_installs_missing_versions() {
    let w = World::new();
    w.setup_shims();
    std::fs::create_dir_all(w.projects().join("svc")).unwrap();
    let out = w
        .gox()
        .current_dir(w.projects().join("svc"))
        .args(["use", "1.21"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(w.projects().join("svc/.go-version")).unwrap(),
        "1.21\n"
    );
    assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"]);
    assert_eq!(w.go_version("svc"), "go1.21.13");

    let out = w.run(["use", "--global", "--no-install", "1.20.1"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("not installed"), "{}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(w.home().join("default")).unwrap(),
        "1.20.1\n"
    );
}

#[test]
fn a_translated_parent_shell_is_reported_but_go_still_runs() {
    let mut w = world();
    w.write("p/.go-version", "1.22.10\n");
    // What the shim sees when started from an `arch -x86_64` shell (simulated host).
    w.host = "linux/amd64,parent-translated".into();
    let out = w.go("p").arg("version").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains("go1.22.10"));
    assert!(stderr(&out).contains("arch -arm64"), "{}", describe(&out));
}

#[test]
fn auto_install_installs_a_missing_pinned_version_then_runs_it() {
    let w = World::new();
    w.setup_shims();
    std::fs::write(w.root.path().join("config.toml"), "auto_install = true\n").unwrap();
    w.write("p/.go-version", "1.21.13\n");
    // The shim finds `gox` on PATH, as after a normal install.
    let gox_dir = std::path::Path::new(env!("CARGO_BIN_EXE_gox"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut cmd = w.go("p");
    let path = std::env::join_paths(
        [w.home().join("shims"), gox_dir]
            .into_iter()
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = cmd.env("PATH", path).arg("version").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains("go1.21.13"), "{}", describe(&out));
    assert!(stderr(&out).contains("auto_install"), "{}", describe(&out));
    assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"]);
}

#[test]
fn gox_env_snapshot_for_every_shell() {
    let w = world();
    w.write("p/.go-version", "1.22.10\n");
    let root = w.root.path().to_str().unwrap().to_string();
    for shell in ["bash", "zsh", "fish", "pwsh"] {
        let out = w
            .gox()
            .current_dir(w.projects().join("p"))
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .args(["env", "--shell", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        let text = stdout(&out).replace(&root, "[ROOT]");
        insta::assert_snapshot!(format!("env_{shell}"), text);
    }
}

#[test]
fn stale_shims_are_refreshed_when_gox_changes() {
    let w = World::new();
    let shims = w.setup_shims();
    // A shim left over from an older gox (a copy, not a link to today's gox-shim).
    std::fs::remove_file(shims.join("go")).unwrap();
    std::fs::write(shims.join("go"), "#!/bin/sh\necho old shim\n").unwrap();
    w.write("p/.go-version", "1.21.13\n");
    w.ok(["install", "1.21.13"]);
    assert_eq!(w.go_version("p"), "go1.21.13");
}
