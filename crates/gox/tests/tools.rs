//! `gox tools`, `gox tools rebuild` and `default_tools`, with real Go building a tiny module
//! served from a local file:// GOPROXY (no network).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{World, describe, stderr, stdout};

/// A module proxy directory holding example.com/hello v1.0.0 (cmd/go's GOPROXY layout).
fn write_proxy(root: &Path) -> PathBuf {
    let proxy = root.join("proxy");
    let dir = proxy.join("example.com/hello/@v");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let go_mod = "module example.com/hello\n\ngo 1.21\n";
    // The println builtin (stderr) keeps the build to the runtime: three real builds of
    // fmt's dependency tree would cost this test a minute on a loaded CI machine.
    let main_go = "package main\n\nfunc main() { println(\"hello from v1.0.0\") }\n";
    std::fs::write(dir.join("list"), "v1.0.0\n").expect("list");
    std::fs::write(
        dir.join("v1.0.0.info"),
        r#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#,
    )
    .expect("info");
    std::fs::write(dir.join("v1.0.0.mod"), go_mod).expect("mod");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(dir.join("v1.0.0.zip")).expect("zip"));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [("go.mod", go_mod), ("main.go", main_go)] {
        zip.start_file(format!("example.com/hello@v1.0.0/{name}"), options)
            .expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish");
    proxy
}

/// The environment a private module needs: the local proxy, no checksum database, and a
/// writable module cache (so the tempdir can be removed).
fn module_env(cmd: &mut Command, proxy: &Path, gobin: &Path) {
    cmd.env("GOPROXY", format!("file://{}", proxy.display()))
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOBIN", gobin);
}

fn tools_json(w: &World, proxy: &Path, gobin: &Path) -> Vec<Value> {
    let mut cmd = w.gox();
    module_env(&mut cmd, proxy, gobin);
    let out = cmd.args(["tools", "--json"]).output().expect("gox tools");
    assert!(out.status.success(), "{}", describe(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn tool_at<'a>(tools: &'a [Value], path: &Path) -> &'a Value {
    tools
        .iter()
        .find(|t| t["path"] == path.to_str().expect("utf-8"))
        .unwrap_or_else(|| panic!("no tool at {}: {tools:#?}", path.display()))
}

fn problems(tool: &Value) -> Vec<&str> {
    tool["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p.as_str().expect("str"))
        .collect()
}

/// `go install example.com/hello@v1.0.0` with gox's 1.22.10, into `gobin` (to run).
fn install_hello(w: &World, proxy: &Path, gobin: &Path) -> Command {
    let mut cmd = w.gox();
    module_env(&mut cmd, proxy, gobin);
    cmd.args([
        "exec",
        "1.22.10",
        "--",
        "go",
        "install",
        "example.com/hello@v1.0.0",
    ]);
    cmd
}

fn run_ok(mut cmd: Command) -> String {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out)
}

#[test]
fn default_tools_list_flag_and_rebuild_tools() {
    let w = World::new();
    let root = w.root.path();
    let proxy = write_proxy(root);
    let gobin = root.join("gobin");
    let user_bin = root.join("user/go/bin");
    let gopath_bin = w.home().join("gopath/linux-amd64/bin");
    std::fs::create_dir_all(&gobin).expect("mkdir");
    std::fs::create_dir_all(&user_bin).expect("mkdir");

    // default_tools: installed with the new toolchain after `gox install`; a failing entry
    // only warns. GOBIN from the user's environment does not redirect it.
    std::fs::write(
        root.join("config.toml"),
        "default_tools = [\"example.com/hello@v1.0.0\", \"example.com/missing@v1.0.0\"]\n",
    )
    .expect("config");
    let mut install = w.gox();
    module_env(&mut install, &proxy, &gobin);
    let out = install
        .args(["install", "1.21.13"])
        .output()
        .expect("install");
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("default tool: go install example.com/hello@v1.0.0"),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: default tool `go install example.com/missing@v1.0.0` with go1.21.13 failed"
        ),
        "{err}"
    );
    assert!(w.goroot("1.21.13", "linux/amd64").join("bin/go").is_file());
    let default_built = gopath_bin.join("hello");
    assert!(default_built.is_file(), "{}", describe(&out));
    std::fs::write(root.join("config.toml"), "").expect("config");
    // Keep it as the program a since-uninstalled toolchain built.
    let orphan = gobin.join("hello");
    std::fs::rename(&default_built, &orphan).expect("move");

    // A native build and an arm64 cross-build with 1.22.10.
    w.with_toolchain("1.22.10", "linux/amd64");
    run_ok(install_hello(&w, &proxy, &user_bin));
    let native_path = user_bin.join("hello");
    let mut cross = install_hello(&w, &proxy, &gobin);
    cross.env_remove("GOBIN").env("GOARCH", "arm64");
    run_ok(cross);
    let wrong = gopath_bin.join("hello");
    std::fs::rename(gopath_bin.join("linux_arm64/hello"), &wrong).expect("move arm64 build");
    std::fs::remove_dir(gopath_bin.join("linux_arm64")).expect("rmdir");
    let script = gopath_bin.join("notgo.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    let out = w.run(["uninstall", "1.21.13"]);
    assert!(out.status.success(), "{}", describe(&out));

    let tools = tools_json(&w, &proxy, &gobin);
    assert_eq!(tools.len(), 4, "{tools:#?}");
    let n = tool_at(&tools, &native_path);
    assert_eq!(n["name"], "hello");
    assert_eq!(n["module"], "example.com/hello");
    assert_eq!(n["version"], "v1.0.0");
    assert_eq!(n["go"], "1.22.10");
    assert_eq!(n["platform"], "linux/amd64");
    assert!(problems(n).is_empty(), "{n:#}");
    let a = tool_at(&tools, &wrong);
    assert_eq!(a["platform"], "linux/arm64");
    assert_eq!(problems(a), ["wrong-arch"]);
    let o = tool_at(&tools, &orphan);
    assert_eq!(o["go"], "1.21.13");
    assert_eq!(problems(o), ["orphaned"]);
    let s = tool_at(&tools, &script);
    assert_eq!(problems(s), ["not-go"]);
    assert!(s["module"].is_null());

    // The human table says the same and points at the fix.
    let mut table = w.gox();
    module_env(&mut table, &proxy, &gobin);
    let out = table.arg("tools").output().expect("gox tools");
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("linux/arm64") && l.contains("wrong-arch")),
        "{text}"
    );
    assert!(stderr(&out).contains("gox tools rebuild --wrong-arch"));

    // Doctor points there too.
    let doctor = w.run(["doctor", "--json"]);
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("doctor json");
    let fixes: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["id"] == "gopath-bin-not-native")
        .map(|f| f["fix"].as_str().expect("fix"))
        .collect();
    assert_eq!(fixes.len(), 1, "{report:#}");
    assert!(
        fixes[0].starts_with("gox tools rebuild --wrong-arch"),
        "{}",
        fixes[0]
    );

    // Rebuild with the toolchain the directory selects: only the wrong-arch one.
    w.write(".go-version", "1.22.10\n");
    let mut rebuild = w.gox();
    module_env(&mut rebuild, &proxy, &gobin);
    let out = rebuild
        .args(["tools", "rebuild", "--wrong-arch"])
        .output()
        .expect("rebuild");
    assert!(out.status.success(), "{}", describe(&out));
    let report = stdout(&out);
    assert!(
        report.contains("ok      hello: go install example.com/hello@v1.0.0"),
        "{report}"
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok")).count(),
        1,
        "{report}"
    );
    let ran = Command::new(&wrong).output().expect("run rebuilt hello");
    assert!(ran.status.success(), "{}", describe(&ran));
    assert_eq!(stderr(&ran), "hello from v1.0.0\n");
    let after = tools_json(&w, &proxy, &gobin);
    let rebuilt = tool_at(&after, &wrong);
    assert_eq!(rebuilt["platform"], "linux/amd64");
    assert_eq!(rebuilt["go"], "1.22.10");
    assert!(problems(rebuilt).is_empty(), "{rebuilt:#}");

    // By name: a script is skipped; an unknown name is a usage error.
    let mut named = w.gox();
    module_env(&mut named, &proxy, &gobin);
    let out = named
        .args(["tools", "rebuild", "notgo.sh", "--go", "1.22"])
        .output()
        .expect("rebuild");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains("skipped notgo.sh: not a Go program"));
    let out = w.run(["tools", "rebuild", "nosuch"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let out = w.run(["tools", "rebuild"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

/// A tool found in `~/go/bin` is rebuilt into gox's platform GOPATH/bin; the old copy stays
/// (gox does not delete in directories it does not own), and the report says where it is,
/// whether PATH still finds it first, and the command that removes it.
#[test]
fn rebuilding_a_tool_from_home_go_bin_names_the_old_copy() {
    let w = World::new();
    let root = w.root.path();
    let proxy = write_proxy(root);
    let user_bin = root.join("user/go/bin");
    let gopath_bin = w.home().join("gopath/linux-amd64/bin");
    std::fs::create_dir_all(&user_bin).expect("mkdir");
    w.with_toolchain("1.22.10", "linux/amd64");
    run_ok(install_hello(&w, &proxy, &user_bin));
    let old = user_bin.join("hello");
    let new = gopath_bin.join("hello");
    assert!(old.is_file());

    let system_path = std::env::var_os("PATH").unwrap_or_default();
    let path_with = |dirs: &[&Path]| {
        std::env::join_paths(
            dirs.iter()
                .map(|d| d.to_path_buf())
                .chain(std::env::split_paths(&system_path)),
        )
        .expect("PATH")
    };
    let rebuild = |path: std::ffi::OsString| {
        let mut cmd = w.gox();
        module_env(&mut cmd, &proxy, &user_bin);
        let out = cmd
            .env_remove("GOBIN")
            .env("PATH", path)
            .args(["tools", "rebuild", "hello", "--go", "1.22.10"])
            .output()
            .expect("rebuild");
        assert!(out.status.success(), "{}", describe(&out));
        stdout(&out)
    };

    let (o, n) = (old.display(), new.display());
    let has = |report: &str, text: String| assert!(report.contains(&text), "{text}:\n{report}");

    // ~/go/bin is on PATH, gox's GOPATH/bin is not: typing `hello` still runs the old copy.
    let report = rebuild(path_with(&[&user_bin]));
    has(
        &report,
        format!("ok      hello: go install example.com/hello@v1.0.0 -> {n}"),
    );
    has(
        &report,
        format!(
            "the old copy is still at {o} and comes first on PATH, so `hello` still runs it; remove it: rm {o}"
        ),
    );
    has(&report, format!("{} is not on PATH", gopath_bin.display()));
    assert!(old.is_file() && new.is_file(), "{report}");

    // gox's GOPATH/bin first: the old copy is only in the way. Both copies are listed now,
    // and rebuilt by one `go install`.
    let report = rebuild(path_with(&[&gopath_bin, &user_bin]));
    has(
        &report,
        format!("the old copy is still at {o} (PATH finds the new one first); remove it: rm {o}"),
    );
    assert!(!report.contains("is not on PATH"), "{report}");
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok")).count(),
        2,
        "{report}"
    );
    assert_eq!(report.matches("the old copy").count(), 1, "{report}");
}

/// A program whose file name is not UTF-8 is listed (lossily in JSON) instead of making
/// `gox tools --json` panic.
#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_does_not_break_the_json() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    let user_bin = w.root.path().join("user/go/bin");
    std::fs::create_dir_all(&user_bin).expect("mkdir");
    let odd = user_bin.join(std::ffi::OsStr::from_bytes(b"h\xe9llo"));
    std::fs::write(&odd, "#!/bin/sh\n").expect("write");
    std::fs::set_permissions(&odd, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = w.run(["tools", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let tools: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(tools[0]["name"], "h\u{fffd}llo", "{tools:#}");
    assert_eq!(
        tools[0]["path"],
        format!("{}/h\u{fffd}llo", user_bin.display()),
        "{tools:#}"
    );
}
