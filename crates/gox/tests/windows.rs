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

use gox_testkit::dist::{HandMadeDist, ReleaseTarget};
use gox_testkit::wine::{
    WINDOWS_TARGET, WINDOWS_TEST_VERSION, Wine, windows_binaries, windows_path, windows_release,
    windows_target_installed, windows_test_key,
};
use gox_testkit::{MirrorServer, fixtures};
use support::{describe, skip_for_missing_tool, stderr, stdout};

/// gox.exe and gox-shim.exe side by side in `<root>/bin`, as the Windows zip and
/// install.ps1 lay them out, with GOX_HOME, the cache and the config under the same
/// temporary root, run under Wine.
struct WindowsWorld<'w> {
    wine: &'w Wine,
    root: tempfile::TempDir,
    vars: Vec<(&'static str, String)>,
}

impl<'w> WindowsWorld<'w> {
    /// With the binaries of `built` and `vars` on top of gox's own.
    fn new(wine: &'w Wine, built: &Path, vars: &[(&'static str, String)]) -> Self {
        let root = tempfile::Builder::new()
            .prefix("gox-windows-")
            .tempdir()
            .unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for exe in ["gox.exe", "gox-shim.exe"] {
            std::fs::copy(built.join(exe), bin.join(exe)).unwrap();
        }
        let at = |name: &str| windows_path(&root.path().join(name));
        let mut all = vec![
            ("GOX_HOME", at("home")),
            ("GOX_CACHE_DIR", at("cache")),
            ("GOX_CONFIG", at("config.toml")),
            ("NO_COLOR", "1".to_string()),
        ];
        all.extend_from_slice(vars);
        WindowsWorld {
            wine,
            root,
            vars: all,
        }
    }

    fn root(&self) -> &Path {
        self.root.path()
    }

    fn bin(&self) -> std::path::PathBuf {
        self.root().join("bin")
    }

    fn home(&self) -> std::path::PathBuf {
        self.root().join("home")
    }

    /// `program args` in `dir`, with this world's variables and `extra`.
    fn command(
        &self,
        program: &Path,
        dir: &Path,
        args: &[&str],
        extra: &[(&str, String)],
    ) -> Command {
        let mut cmd: Command = self.wine.command(program);
        cmd.args(args)
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .current_dir(dir);
        cmd
    }

    /// Starts `shim`, whose tool is a [`Wine::sleeper`], and returns once the sleeper runs
    /// (it writes `started`), so the tool is in use for the next minute.
    fn start_sleeper(
        &self,
        shim: &Path,
        dir: &Path,
        started: &Path,
        extra: &[(&str, String)],
    ) -> std::process::Child {
        let _ = std::fs::remove_file(started);
        let mut child = self
            .command(shim, dir, &[&windows_path(started), "60000"], extra)
            .spawn()
            .unwrap();
        for _ in 0..300 {
            if started.exists() {
                return child;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("{} did not start its tool", shim.display());
    }

    /// [`Self::command`], run to its end.
    fn run(&self, program: &Path, dir: &Path, args: &[&str], extra: &[(&str, String)]) -> Output {
        self.command(program, dir, args, extra).output().unwrap()
    }
}

#[test]
fn windows_gox_installs_go_and_its_shim_runs_it_under_wine() {
    let wine = match windows_target_installed().and_then(|()| Wine::start()) {
        Ok(wine) => wine,
        Err(why) => return skip_for_missing_tool(&why),
    };
    let built = windows_binaries();
    let server = fixtures().mirror().start();
    let world = WindowsWorld::new(
        &wine,
        &built,
        &[
            ("GOX_FEED_URL", server.feed_url()),
            ("GOX_DOWNLOAD_BASE", server.download_base()),
        ],
    );
    let (root, home) = (world.root(), world.home());
    let project = root.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let run = |program: &Path, dir: &Path, args: &[&str]| world.run(program, dir, args, &[]);
    let gox = |args: &[&str]| run(&world.bin().join("gox.exe"), &project, args);
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

    // Windows is not Unix for the shell either: with no SHELL (cmd.exe and PowerShell set
    // none) gox writes PowerShell, and it finds PATH under its usual Windows spelling `Path`
    // (variable names ignore case there), keeping the user's entries.
    let gox_exe = windows_path(&world.bin().join("gox.exe"));
    let mut env_cmd = world.command(
        Path::new("cmd"),
        &project,
        &[
            "/c",
            // Unquoted: Wine passes a quote on as \", which cmd.exe does not read (the
            // temporary path has no spaces).
            &format!("set PATH=&& set Path=C:\\windows\\system32;C:\\windows&& {gox_exe} env"),
        ],
        &[],
    );
    let env_out = env_cmd.env_remove("SHELL").output().unwrap();
    let printed = ok(env_out);
    let path_line = printed
        .lines()
        .find(|l| l.starts_with("$env:PATH = "))
        .unwrap_or_else(|| panic!("no PowerShell PATH line: {printed}"));
    assert!(
        path_line.contains(&windows_path(&goroot.join("bin")))
            && path_line
                .to_ascii_lowercase()
                .contains(r"c:\windows\system32"),
        "{path_line}"
    );
    // A reader that goes away (`gox list | Select-Object -First 1`) ends gox quietly.
    let mut listing = world.command(&world.bin().join("gox.exe"), &project, &["list"], &[]);
    let mut child = listing
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let closed = child.wait_with_output().unwrap();
    assert_eq!(closed.status.code(), Some(0), "{}", describe(&closed));
    assert!(
        !stderr(&closed).contains("panicked"),
        "{}",
        describe(&closed)
    );

    // A toolchain in use is not uninstalled: the shim holds the receipt's lock shared while
    // its tool runs (Windows has no exec to hand it on). A stand-in gofmt.exe that stays
    // running plays the long-running tool.
    let gofmt = goroot.join("bin/gofmt.exe");
    let real_gofmt = std::fs::read(&gofmt).unwrap();
    wine.sleeper(&gofmt).unwrap();
    let started = root.join("started");
    let mut running = world.start_sleeper(&shims.join("gofmt.exe"), &project, &started, &[]);
    let refused = gox(&["uninstall", "1.22.10"]);
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    assert!(
        stderr(&refused).contains("in use"),
        "{}",
        describe(&refused)
    );
    assert!(
        goroot.join("bin/go.exe").is_file(),
        "uninstall removed files"
    );
    let _ = wine.run(Path::new("taskkill"), &["/F", "/IM", "gofmt.exe"]);
    let _ = running.kill();
    running.wait().unwrap();
    std::fs::write(&gofmt, real_gofmt).unwrap();

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

    // `gox import` with no directory finds the Go of the official MSI, winget and
    // Chocolatey in %ProgramFiles%\Go, and Scoop's apps\go\<version> (per user under
    // %USERPROFILE%\scoop, global under %ProgramData%\scoop), with GOX_IMPORT_PREFIXES
    // unset. Wine sets ProgramFiles itself in every process, so the MSI's tree goes into
    // this test's own prefix, C:\Program Files\Go; cmd.exe sets USERPROFILE and
    // ProgramData to stand-ins under the test's root.
    let program_files = wine.drive_c().join("Program Files");
    let places = root.join("places");
    let profile = places.join("me");
    let program_data = places.join("ProgramData");
    let import = |args: &str| -> Output {
        let line = format!(
            "set USERPROFILE={}&& set ProgramData={}&& {gox_exe} import {args}",
            windows_path(&profile),
            windows_path(&program_data),
        );
        let mut cmd = world.command(Path::new("cmd"), &project, &["/c", &line], &[]);
        for var in ["GOX_IMPORT_PREFIXES", "SCOOP", "SCOOP_GLOBAL"] {
            cmd.env_remove(var);
        }
        cmd.output().unwrap()
    };
    // Nothing there yet: every place searched is listed, spelled with `\` (mise's
    // `.local/share` joined to USERPROFILE included), the 386 MSI's Program Files (x86) too.
    let nothing = import("");
    let said = stderr(&nothing);
    let mise = said.lines().find(|l| l.trim_start().starts_with("mise "));
    assert!(
        mise.is_some_and(|l| l.ends_with(r"\.local\share\mise\installs\go") && !l.contains('/')),
        "{}",
        describe(&nothing)
    );
    for place in [
        format!(r"scoop         {}\scoop\apps\go", windows_path(&profile)),
        r"system        C:\Program Files\Go".to_string(),
        r"system        C:\Program Files (x86)\Go".to_string(),
    ] {
        assert!(
            nothing.status.success() && said.contains(&place),
            "no {place:?}: {}",
            describe(&nothing)
        );
    }
    link_tree(&goroot, &program_files.join("Go"));
    // The MSI's tree, imported for real in place of the one gox downloaded.
    ok(gox(&["uninstall", "1.22.10"]));
    let imported = import("");
    let msi_go = r"C:\Program Files\Go".to_string();
    assert!(
        imported.status.success()
            && stdout(&imported)
                .lines()
                .any(|l| l.starts_with("imported") && l.contains("system") && l.ends_with(&msi_go)),
        "{}",
        describe(&imported)
    );
    let list = ok(gox(&["list", "--json"]));
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["version"], "1.22.10", "{list}");
    assert_eq!(list[0]["path"], windows_path(&goroot), "{list}");
    assert!(goroot.join("bin/go.exe").is_file(), "{}", goroot.display());
    // Scoop's installs of the same version: found, and already installed. Its `current`
    // link to 1.22.10 is that tree again, not a third row.
    for scoop in [profile.join("scoop"), program_data.join("scoop")] {
        let apps = scoop.join("apps").join("go");
        link_tree(&goroot, &apps.join("1.22.10"));
        std::fs::write(
            apps.join("1.22.10/manifest.json"),
            "{\"version\": \"1.22.10\"}\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("1.22.10", apps.join("current")).unwrap();
    }
    let plan = ok(import("--dry-run --json"));
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let rows: Vec<(String, String, String)> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (text("manager"), text("path"), text("action"))
        })
        .collect();
    let at = |path: &Path| windows_path(path);
    assert_eq!(
        rows,
        [
            ("scoop", at(&profile.join("scoop/apps/go/1.22.10"))),
            ("scoop", at(&program_data.join("scoop/apps/go/1.22.10"))),
            ("system", msi_go.clone()),
        ]
        .map(|(m, p)| (m.to_string(), p, "skip".to_string())),
        "{plan}"
    );
    assert!(
        plan.as_array().unwrap().iter().all(|r| r["reason"]
            .as_str()
            .unwrap_or("")
            .starts_with("already installed")),
        "{plan}"
    );

    // `gox exec` finds a command the way cmd.exe does, through PATHEXT: `build` is the
    // build.cmd in a directory on PATH, run by cmd.exe with the toolchain's environment.
    let tools = root.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    std::fs::write(
        tools.join("build.cmd"),
        "@echo off\r\necho built %1\r\ngo version\r\n",
    )
    .unwrap();
    std::fs::write(tools.join("mage.ps1"), "Write-Output mage\r\n").unwrap();
    let exec = |pathext: &str, command: &str| -> Output {
        let line = format!(
            "set PATH=&& set Path={};C:\\windows\\system32;C:\\windows&& set PATHEXT={pathext}&& \
             {gox_exe} exec 1.22.10 -- {command}",
            windows_path(&tools)
        );
        world
            .command(Path::new("cmd"), &project, &["/c", &line], &[])
            .output()
            .unwrap()
    };
    let built = ok(exec(".COM;.EXE;.BAT;.CMD", "build arg"));
    assert!(
        built.contains("built arg") && built.contains("go version go1.22.10 windows/amd64"),
        "{built}"
    );
    // Not found anywhere: 127, saying what was searched and the fix.
    let missing = exec(".COM;.EXE;.BAT;.CMD", "nosuchtool");
    assert_eq!(missing.status.code(), Some(127), "{}", describe(&missing));
    assert!(
        stderr(&missing).contains("nosuchtool: not found")
            && stderr(&missing).contains(".COM;.EXE;.BAT;.CMD")
            && stderr(&missing).contains("fix:"),
        "{}",
        describe(&missing)
    );
    // A script PATHEXT lists is found, but only cmd.exe's file association opens it: the
    // error names the file and the interpreter to run it with.
    let script = exec(".PS1;.EXE", "mage");
    assert_eq!(script.status.code(), Some(127), "{}", describe(&script));
    assert!(
        stderr(&script)
            .to_lowercase()
            .contains(&windows_path(&tools.join("mage.ps1")).to_lowercase())
            && stderr(&script).contains("powershell -File"),
        "{}",
        describe(&script)
    );

    // Uninstall moves the tree out of toolchains\ and removes it.
    ok(gox(&["uninstall", "1.22.10"]));
    assert!(!goroot.exists(), "{} is still there", goroot.display());
}

/// `gox self update` on Windows, for real: gox.exe 0.0.1 (a debug build stamped as that
/// release, trusting the test key) updates itself from a signed 9.9.9 `.zip` dist on the
/// loopback, moving the running gox.exe aside first; `gox --version` then says 9.9.9 and
/// every shim (hard links made by `gox setup` and a copy) is the new gox-shim.exe. A
/// manifest edited after signing and a zip holding Linux binaries are refused first, with
/// every file left byte for byte as it was.
#[test]
fn windows_gox_updates_itself_under_wine() {
    let wine = match windows_target_installed().and_then(|()| Wine::start()) {
        Ok(wine) => wine,
        Err(why) => return skip_for_missing_tool(&why),
    };
    let old = windows_release(WINDOWS_TEST_VERSION);
    let new = windows_release("9.9.9");
    let key = windows_test_key();
    let world = WindowsWorld::new(&wine, &old, &[]);
    let (root, bin, home) = (world.root(), world.bin(), world.home());
    let run = |program: &Path, base: Option<&MirrorServer>, args: &[&str]| -> Output {
        let update_base = base.map(|server| ("GOX_UPDATE_BASE", server.download_base()));
        world.run(program, root, args, update_base.as_slice())
    };
    let gox = |base: Option<&MirrorServer>, args: &[&str]| run(&bin.join("gox.exe"), base, args);
    let ok = |out: Output| -> String {
        assert!(out.status.success(), "{}", describe(&out));
        stdout(&out)
    };
    // `--user-path`: the shims, gox's own dir and GOPATH\bin first in the user Path
    // (HKCU\Environment, what cmd.exe, Explorer and IDEs inherit), once however often it
    // runs, also when GOX_HOME is typed with `/` (the entries are spelled with `\`); the
    // user's own entries (unexpanded %VARS% included) stay as they were.
    let user_path = || -> String {
        let out = wine.run(
            Path::new("reg"),
            &["query", r"HKCU\Environment", "/v", "Path"],
        );
        stdout(&out)
    };
    let add_own = wine.run(
        Path::new("reg"),
        &[
            "add",
            r"HKCU\Environment",
            "/v",
            "Path",
            "/t",
            "REG_EXPAND_SZ",
            "/d",
            r"%USERPROFILE%\bin",
            "/f",
        ],
    );
    assert!(add_own.status.success(), "{}", describe(&add_own));
    let slashed_home = windows_path(&home).replace('\\', "/");
    ok(world.run(
        &bin.join("gox.exe"),
        root,
        &["setup", "--quiet", "--user-path"],
        &[("GOX_HOME", slashed_home)],
    ));
    ok(gox(None, &["setup", "--quiet", "--user-path"]));
    let shims = home.join("shims");
    let tools = home.join("gopath").join("windows-amd64").join("bin");
    let expected = format!(
        "{};{};{};%USERPROFILE%\\bin",
        windows_path(&shims),
        windows_path(&bin),
        windows_path(&tools)
    );
    let registry = user_path();
    assert!(
        registry.contains(&expected) && registry.contains("REG_EXPAND_SZ"),
        "expected {expected}: {registry}"
    );
    std::fs::copy(bin.join("gox-shim.exe"), shims.join("go1.22.10.exe")).unwrap();
    let snapshot = || support::snapshot(&[&bin, &shims]);
    let before = snapshot();
    assert_eq!(
        ok(gox(None, &["--version"])).trim(),
        format!("gox {WINDOWS_TEST_VERSION}")
    );

    // The shim does not embed the version, so the two builds' shims may be byte-identical:
    // a marker after the PE image (Windows ignores trailing data) tells the new one apart.
    let mut new_shim = std::fs::read(new.join("gox-shim.exe")).unwrap();
    new_shim.extend_from_slice(b"\0gox-shim 9.9.9 marker\0");
    let new_gox = std::fs::read(new.join("gox.exe")).unwrap();
    let target = ReleaseTarget {
        triple: WINDOWS_TARGET,
        os: "windows",
        arch: "amd64",
    };
    let release = |gox: &[u8], shim: &[u8]| {
        let members: [(&str, &[u8]); 2] = [("gox.exe", gox), ("gox-shim.exe", shim)];
        HandMadeDist::new(&key, "9.9.9", target, &members)
    };
    let dist = release(&new_gox, &new_shim);
    assert!(dist.archive.ends_with(".zip"), "{}", dist.archive);

    // Refused: a manifest edited after signing, and Linux binaries in the Windows zip.
    let mut edited = dist.clone();
    let manifest = String::from_utf8(edited.get_mut("manifest.json").clone()).unwrap();
    *edited.get_mut("manifest.json") = manifest.replace("9.9.9", "9.9.10").into_bytes();
    let linux = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    for (broken, says) in [(edited, "signature"), (release(&linux, &linux), "linux")] {
        let server = broken.serve(&[]);
        let out = gox(Some(&server), &["self", "update"]);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(
            stderr(&out).to_lowercase().contains(says),
            "expected {says:?}: {}",
            describe(&out)
        );
        assert!(snapshot() == before, "a refused update changed files");
    }

    // The update itself, while a `go` runs through the go.exe shim (as gopls's `go list` or
    // a long `go build` would): Windows cannot rename over a running exe, only rename it.
    // A stand-in toolchain whose go.exe stays running for a while plays Go here.
    let fake_go = home.join("toolchains/go1.22.10.windows-amd64/bin/go.exe");
    std::fs::create_dir_all(fake_go.parent().unwrap()).unwrap();
    wine.sleeper(&fake_go).unwrap();
    let started = root.join("started");
    let mut running = world.start_sleeper(
        &shims.join("go.exe"),
        root,
        &started,
        &[("GOX_VERSION", "1.22.10".to_string())],
    );
    let server = dist.serve(&[]);
    let out = gox(Some(&server), &["self", "update"]);
    assert!(
        running.try_wait().unwrap().is_none(),
        "go.exe ended before the update was done: the test proves nothing"
    );
    let _ = wine.run(Path::new("taskkill"), &["/F", "/IM", "go.exe"]);
    let _ = running.kill();
    running.wait().unwrap();
    let said = ok(out);
    assert!(
        said.contains(&format!("gox updated from {WINDOWS_TEST_VERSION} to 9.9.9")),
        "{said}"
    );
    assert_eq!(ok(gox(None, &["--version"])).trim(), "gox 9.9.9");
    assert_eq!(std::fs::read(bin.join("gox.exe")).unwrap(), new_gox);
    for shim in ["gox-shim.exe"].iter().map(|n| bin.join(n)).chain(
        ["go.exe", "gofmt.exe", "go1.22.10.exe"]
            .iter()
            .map(|n| shims.join(n)),
    ) {
        assert!(
            std::fs::read(&shim).unwrap() == new_shim,
            "{} is not the new gox-shim.exe",
            shim.display()
        );
    }
    // The shim passes go's whole exit code on, as cmd.exe sees it (a Linux parent would see
    // only its low byte): 256 is no success, and Ctrl-C's NTSTATUS stays itself.
    let probe = root.join("probe.cmd");
    let go_exe = windows_path(&shims.join("go.exe"));
    let started_arg = windows_path(&started);
    std::fs::write(
        &probe,
        format!(
            "@echo off\r\n\"{go_exe}\" \"{started_arg}\" 0 256\r\necho exit=%errorlevel%\r\n\
             \"{go_exe}\" \"{started_arg}\" 0 3221225786\r\necho exit=%errorlevel%\r\n"
        ),
    )
    .unwrap();
    let codes = world.run(
        Path::new("cmd"),
        root,
        &["/c", &windows_path(&probe)],
        &[("GOX_VERSION", "1.22.10".to_string())],
    );
    assert_eq!(
        stdout(&codes).lines().map(str::trim).collect::<Vec<_>>(),
        ["exit=256", "exit=-1073741510"],
        "{}",
        describe(&codes)
    );

    // The new shim runs: nothing is selected here, so it says so (exit 127).
    let go = run(&shims.join("go.exe"), None, &["version"]);
    assert_eq!(go.status.code(), Some(127), "{}", describe(&go));
    assert!(
        stderr(&go).contains("no Go version selected"),
        "{}",
        describe(&go)
    );
    // Nothing of the staging is left. The old gox.exe was the running process: deleted once
    // it exited (by self-replace's helper, so poll a while). The old gox-shim.exe was held
    // by the running go.exe (the same file): it waits for the next update or uninstall.
    let expected = ["gox-shim.exe", "gox-shim.old.exe", "gox.exe"];
    let left = settled_entries(&bin, &expected);
    assert_eq!(
        left,
        expected,
        "left in {}: {:?}",
        bin.display(),
        walk(&bin)
    );
    // The running shims were moved aside; the next placement of each removes its old one.
    let moved_aside = ["go.exe.gox-old", "gofmt.exe.gox-old"];
    for name in moved_aside {
        assert!(shims.join(name).exists(), "{:?}", walk(&shims));
    }
    ok(gox(None, &["setup", "--quiet"]));
    let shim_names = gox_testkit::entry_names(&shims);
    assert_eq!(shim_names, ["go.exe", "go1.22.10.exe", "gofmt.exe"]);

    // Again: already up to date, nothing changes.
    let after = snapshot();
    let again = ok(gox(Some(&server), &["self", "update"]));
    assert!(again.contains("gox 9.9.9 is already up to date"), "{again}");
    assert!(
        snapshot() == after,
        "an update to the same version changed files"
    );

    // Uninstall removes the running gox.exe too (deleted once it exits) and the shims, and
    // names the directories as users know them (no `\\?\` prefix); with --all GOPATH goes
    // too, and with it its user Path entry.
    let out = gox(None, &["self", "uninstall", "--yes", "--all"]);
    let said = ok(out);
    assert!(!said.contains(r"\\?\"), "{said}");
    assert!(
        said.contains(&format!("removed {}", windows_path(&bin.join("gox.exe")))),
        "{said}"
    );
    let left = settled_entries(&bin, &[]);
    assert!(
        left.is_empty(),
        "left in {}: {:?}",
        bin.display(),
        walk(&bin)
    );
    assert!(!shims.exists(), "{}", said);
    // And the user Path is the user's own again.
    assert!(said.contains("from your user Path"), "{said}");
    let registry = user_path().to_lowercase();
    for gone in [&shims, &bin, &tools] {
        let entry = windows_path(gone).to_lowercase();
        assert!(!registry.contains(&entry), "{entry} is left: {registry}");
    }
    assert!(registry.contains(r"%userprofile%\bin"), "{registry}");
}

/// The names in `dir`, sorted, once they are `expected` (or after 30 s): a deletion
/// scheduled for a process's exit happens a moment after that process is gone.
fn settled_entries(dir: &Path, expected: &[&str]) -> Vec<String> {
    let names = || gox_testkit::entry_names(dir);
    for _ in 0..300 {
        if names() == expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    names()
}

/// Every path under `dir`, for a failure message.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            found.extend(walk(&entry.path()));
        }
    }
    found
}

/// `from`'s tree again at `to`, every file hard-linked (a Go tree costs no space twice).
fn link_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            link_tree(&src, &dst);
        } else {
            std::fs::hard_link(&src, &dst).unwrap();
        }
    }
}
