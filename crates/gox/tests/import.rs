//! Taking over a developer's machine: `gox import` from fake goenv, gvm, asdf, mise, g,
//! gobrew, ~/sdk and system/Homebrew trees holding real Go toolchains, and `gox prune`
//! keeping what the default and recorded projects select.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use gox_testkit::{Fault, fixtures};
use serde_json::Value;
use support::{World, describe, link_tree, stderr, stdout};

/// A real toolchain tree, extracted from its fixture archive once per `target/` (into
/// CARGO_TARGET_TMPDIR) and hard-linked into each test's fake managers from there.
fn tree(version: &str, platform: &str) -> PathBuf {
    static EXTRACTING: Mutex<()> = Mutex::new(());
    let _guard = EXTRACTING.lock().unwrap_or_else(|e| e.into_inner());
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gox-import-trees");
    let dest = base.join(format!("go{version}.{}", platform.replace('/', "-")));
    if dest.join("VERSION").is_file() {
        return dest;
    }
    std::fs::create_dir_all(&base).unwrap();
    let archive = fixtures().archive(version, platform);
    let tmp = tempfile::tempdir_in(&base).unwrap();
    let file = std::fs::File::open(&archive.path).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(tmp.path())
        .unwrap();
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::rename(tmp.path().join("go"), &dest).unwrap();
    dest
}

/// Puts a copy (hard links) of a real toolchain at `dest`.
fn plant(version: &str, platform: &str, dest: &Path) {
    link_tree(&tree(version, platform), dest);
}

fn user(w: &World) -> PathBuf {
    w.root.path().join("user")
}

/// `gox` with the fake system prefix instead of /usr/local and /opt/homebrew.
fn gox(w: &World) -> Command {
    let mut cmd = w.gox();
    cmd.env("GOX_IMPORT_PREFIXES", w.root.path().join("sys"));
    cmd
}

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", describe(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(out)))
}

/// (manager, version, platform, action) of each row.
fn rows(plan: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    plan.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(&r["manager"]),
                s(&r["version"]),
                s(&r["platform"]),
                s(&r["action"]),
            )
        })
        .collect()
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[cfg(unix)]
#[test]
fn import_takes_over_every_manager_exactly_as_the_dry_run_says() {
    let w = World::new();
    let u = user(&w);
    plant("1.22.10", "linux/amd64", &u.join(".goenv/versions/1.22.10"));
    plant("1.21.13", "linux/amd64", &u.join(".gvm/gos/go1.21.13"));
    // asdf and gobrew hold the same versions again: skipped as duplicates.
    plant(
        "1.22.10",
        "linux/amd64",
        &u.join(".asdf/installs/golang/1.22.10/go"),
    );
    let mise = u.join(".local/share/mise/installs/go");
    plant("1.27.2", "linux/amd64", &mise.join("1.27.2"));
    // mise's alias symlink reaches the same tree: listed once.
    std::os::unix::fs::symlink("1.27.2", mise.join("1.27")).unwrap();
    plant("1.27.3", "linux/amd64", &u.join(".g/versions/1.27.3"));
    // A broken tree (no bin/go) among g's versions.
    std::fs::create_dir_all(u.join(".g/versions/1.20.14/src/runtime")).unwrap();
    std::fs::write(u.join(".g/versions/1.20.14/VERSION"), "go1.20.14\n").unwrap();
    plant(
        "1.21.13",
        "linux/amd64",
        &u.join(".gobrew/versions/1.21.13/go"),
    );
    // golang.org/dl: a darwin/arm64 tree, and one never finished unpacking (no marker).
    plant("1.22.10", "darwin/arm64", &u.join("sdk/go1.22.10"));
    std::fs::write(u.join("sdk/go1.22.10/.unpacked-success"), "").unwrap();
    plant("1.27.3", "linux/amd64", &u.join("sdk/go1.27.3"));
    // The system Go and Homebrew's, under the fake prefix.
    plant("1.22.10", "linux/amd64", &w.root.path().join("sys/go"));
    plant(
        "1.27.3",
        "linux/amd64",
        &w.root.path().join("sys/Cellar/go/1.27.3/libexec"),
    );

    let dry = json(
        &gox(&w)
            .args(["import", "--dry-run", "--json"])
            .output()
            .unwrap(),
    );
    let want = [
        ("goenv", "1.22.10", "linux/amd64", "import"),
        ("gvm", "1.21.13", "linux/amd64", "import"),
        ("asdf", "1.22.10", "linux/amd64", "skip"),
        ("mise", "1.27.2", "linux/amd64", "import"),
        ("g", "1.20.14", "-", "refuse"),
        ("g", "1.27.3", "linux/amd64", "import"),
        ("gobrew", "1.21.13", "linux/amd64", "skip"),
        ("golang.org/dl", "1.22.10", "darwin/arm64", "import"),
        ("system", "1.22.10", "linux/amd64", "skip"),
        ("homebrew", "1.27.3", "linux/amd64", "skip"),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(rows(&dry), want, "{dry:#}");
    let reason = |i: usize| dry[i]["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason(4).contains("bin/go is missing"), "{}", reason(4));
    assert!(reason(2).contains("same toolchain as"), "{}", reason(2));
    assert!(
        reason(7).contains("registered as darwin/arm64"),
        "{}",
        reason(7)
    );
    assert!(w.installed_dirs().is_empty(), "a dry run changed nothing");

    // The import does exactly what the dry run listed.
    let done = json(&gox(&w).args(["import", "--json"]).output().unwrap());
    assert_eq!(done, dry);
    assert_eq!(
        w.installed_dirs(),
        [
            "go1.21.13.linux-amd64",
            "go1.22.10.darwin-arm64",
            "go1.22.10.linux-amd64",
            "go1.27.2.linux-amd64",
            "go1.27.3.linux-amd64",
        ]
    );
    assert!(
        w.toolchains_entries().iter().all(|n| n.starts_with("go")),
        "leftovers: {:?}",
        w.toolchains_entries()
    );
    // Hard links on the same filesystem: no second copy of 250 MB.
    assert_eq!(
        inode(&u.join(".goenv/versions/1.22.10/bin/go")),
        inode(&w.goroot("1.22.10", "linux/amd64").join("bin/go"))
    );
    let receipt: Value = serde_json::from_str(
        &std::fs::read_to_string(w.goroot("1.27.2", "linux/amd64").join(".gox-receipt.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["source"], "import");
    assert_eq!(receipt["manager"], "mise");
    assert_eq!(
        receipt["origin"].as_str().unwrap(),
        mise.join("1.27.2").to_str().unwrap()
    );

    let list = json(&w.run(["list", "--json"]));
    let listed: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["version"].as_str().unwrap(),
                r["platform"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            "1.27.3 linux/amd64",
            "1.27.2 linux/amd64",
            "1.22.10 darwin/arm64",
            "1.22.10 linux/amd64",
            "1.21.13 linux/amd64"
        ]
    );

    // The old managers' pins keep working, through the shim, on the imported toolchains.
    w.setup_shims();
    w.write("old-goenv/.go-version", "1.21.13\n");
    w.write("old-asdf/.tool-versions", "golang 1.27.2\n");
    w.write("mod/go.mod", "module m\n\ngo 1.27\n");
    assert_eq!(w.go_version("old-goenv"), "go1.21.13");
    assert_eq!(w.go_version("old-asdf"), "go1.27.2");
    assert_eq!(w.go_version("mod"), "go1.27.3");

    // Nothing was downloaded: the mirror saw no archive request.
    let archives: Vec<String> = w
        .server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.ends_with(".tar.gz") || p.ends_with(".zip"))
        .collect();
    assert!(archives.is_empty(), "downloaded: {archives:?}");

    // A second import finds everything installed.
    let again = json(&gox(&w).args(["import", "--json"]).output().unwrap());
    assert!(rows(&again).iter().all(|r| r.3 != "import"), "{again:#}");
}

#[cfg(unix)]
/// Nothing to import: gox names every place it searched (the same list `discover` walks),
/// or the directories the user named, and exits 0 as an empty import.
#[test]
fn finding_nothing_names_where_it_looked() {
    let w = World::new();
    let u = user(&w);
    let out = gox(&w).arg("import").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    let sys = w.root.path().join("sys");
    for (manager, dir) in [
        ("goenv", u.join(".goenv/versions")),
        ("gvm", u.join(".gvm/gos")),
        ("asdf", u.join(".asdf/installs/golang")),
        ("mise", u.join(".local/share/mise/installs/go")),
        ("g", u.join(".g/versions")),
        ("gobrew", u.join(".gobrew/versions")),
        ("golang.org/dl", u.join("sdk")),
        ("system", sys.join("go")),
        ("homebrew", sys.join("Cellar/go")),
    ] {
        let line = format!("{manager:<13} {}", dir.display());
        assert!(err.contains(&line), "no {line:?} in:\n{err}");
    }
    assert!(
        err.contains("fix: name where your Go is: gox import DIR"),
        "{err}"
    );

    // A manager's own variable moves its place, and the message follows.
    let out = gox(&w)
        .arg("import")
        .env("GOENV_ROOT", w.root.path().join("elsewhere"))
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains(&format!(
            "goenv         {}",
            w.root.path().join("elsewhere/versions").display()
        )),
        "{}",
        describe(&out)
    );

    // Named directories: only they are mentioned.
    let empty = w.root.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = gox(&w).arg("import").arg(&empty).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("no Go toolchains found in {}", empty.display())),
        "{err}"
    );
    assert!(!err.contains("goenv"), "{err}");
}

#[test]
fn import_from_dirs_move_copy_and_refusals() {
    let w = World::new();
    let old = w.root.path().join("old");
    plant("1.27.3", "linux/amd64", &old.join("moved/go1.27.3"));
    plant("1.21.13", "linux/amd64", &old.join("copied/1.21.13/go"));
    // A manager's tree and the system Go: naming a directory leaves them alone, even when
    // they hold the same version (`--move` must not take them away).
    let goenv = user(&w).join(".goenv/versions/1.27.3");
    plant("1.27.3", "linux/amd64", &goenv);
    let system = w.root.path().join("sys/go");
    plant("1.22.10", "linux/amd64", &system);

    // --move: the tree leaves its old place once it is registered.
    let out = gox(&w)
        .args(["import", "--move"])
        .arg(old.join("moved"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains("imported"), "{}", describe(&out));
    assert!(!old.join("moved/go1.27.3").exists());
    assert!(w.goroot("1.27.3", "linux/amd64").join("bin/go").is_file());
    assert!(goenv.join("bin/go").is_file(), "{}", describe(&out));
    assert!(system.join("bin/go").is_file(), "{}", describe(&out));
    assert!(!w.goroot("1.22.10", "linux/amd64").exists());

    // --copy: independent files (a directory of GOROOTs, each in a `go` subdirectory).
    let out = gox(&w)
        .args(["import", "--copy"])
        .arg(old.join("copied"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_ne!(
        inode(&old.join("copied/1.21.13/go/bin/go")),
        inode(&w.goroot("1.21.13", "linux/amd64").join("bin/go"))
    );

    // A tree whose tool is for another CPU is refused with the reason, and a FROM that
    // cannot be imported fails the command; nothing is left behind.
    let mixed = old.join("mixed");
    plant("1.22.10", "linux/amd64", &mixed);
    let compile = mixed.join("pkg/tool/linux_amd64/compile");
    std::fs::remove_file(&compile).unwrap();
    std::fs::copy(
        tree("1.22.10", "linux/arm64").join("pkg/tool/linux_arm64/compile"),
        &compile,
    )
    .unwrap();
    let out = gox(&w).args(["import"]).arg(&mixed).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("refused"), "{}", describe(&out));
    assert!(
        text.contains("compile is an ELF executable for linux, arm64"),
        "{}",
        describe(&out)
    );
    assert!(!w.goroot("1.22.10", "linux/amd64").exists());
    assert!(
        w.toolchains_entries().iter().all(|n| n.starts_with("go")),
        "leftovers: {:?}",
        w.toolchains_entries()
    );
}

#[cfg(unix)]
#[test]
fn prune_keeps_the_default_and_recorded_projects() {
    let w = World::new();
    let old = w.root.path().join("old");
    for v in ["1.21.13", "1.22.10", "1.27.2", "1.27.3"] {
        plant(v, "linux/amd64", &old.join(v));
    }
    plant("1.22.10", "darwin/arm64", &old.join("darwin"));
    let out = gox(&w).arg("import").arg(&old).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(w.installed_dirs().len(), 5);

    w.ok(["use", "--global", "1.22.10"]);
    // Recorded by `gox use` here…
    let a = w.projects().join("a");
    std::fs::create_dir_all(&a).unwrap();
    let out = w
        .gox()
        .current_dir(&a)
        .args(["use", "1.21.13"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // …by `gox install` without a version (go 1.27 → the newest 1.27.x installed)…
    let b = w.write("b/go.mod", "module b\n\ngo 1.27\n");
    let b = b.parent().unwrap().to_path_buf();
    let out = w.gox().current_dir(&b).arg("install").output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // …and by the shell hook on a `cd` (a project deleted afterwards: its entry goes stale).
    let c = w.write("c/.go-version", "1.27.2\n");
    let c = c.parent().unwrap().to_path_buf();
    let out = w
        .gox()
        .current_dir(&c)
        .args(["hook-env", "--shell", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let record = std::fs::read_to_string(w.home().join("projects")).unwrap();
    assert_eq!(
        record.lines().collect::<Vec<_>>(),
        [
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            c.to_str().unwrap()
        ]
    );
    // Entering it again records nothing new.
    w.gox()
        .current_dir(&c)
        .args(["hook-env", "--shell", "bash"])
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(w.home().join("projects")).unwrap(),
        record
    );
    std::fs::remove_dir_all(&c).unwrap();

    // Cache: the archive of a toolchain about to go, GOCACHEs of a platform with and without
    // toolchains.
    std::fs::create_dir_all(w.cache().join("downloads")).unwrap();
    std::fs::write(
        w.cache().join("downloads/go1.27.2.linux-amd64.tar.gz"),
        vec![0u8; 4096],
    )
    .unwrap();
    for p in ["linux-amd64", "linux-arm64"] {
        std::fs::create_dir_all(w.cache().join("go-build").join(p)).unwrap();
        std::fs::write(w.cache().join("go-build").join(p).join("x"), "cached").unwrap();
    }

    let dry = w.ok(["prune", "--dry-run", "--cache"]);
    assert!(dry.contains("would remove go1.27.2 (linux/amd64)"), "{dry}");
    assert!(dry.contains("go1.27.2.linux-amd64.tar.gz"), "{dry}");
    assert!(dry.contains("linux-arm64"), "{dry}");
    assert_eq!(dry.matches("would remove").count(), 3, "{dry}");
    assert_eq!(w.installed_dirs().len(), 5, "the dry run removed nothing");
    assert!(w.cache().join("go-build/linux-arm64").exists());

    let receipt = std::fs::metadata(
        w.toolchains()
            .join("go1.27.2.linux-amd64")
            .join(".gox-receipt.json"),
    )
    .unwrap()
    .len();
    let out = w.run(["prune", "--cache"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("removed go1.27.2 (linux/amd64)"), "{text}");
    // 4 KiB of download + 6 bytes of GOCACHE + the receipt: the toolchain's other files are
    // still linked from old/ and free nothing.
    assert!(text.contains("tar.gz  4 KiB"), "{text}");
    let freed = format!("freed {:.1} KiB", (4096 + 6 + receipt) as f64 / 1024.0);
    assert!(text.contains(&freed), "{freed}: {text}");
    assert_eq!(
        w.installed_dirs(),
        [
            "go1.21.13.linux-amd64",
            "go1.22.10.darwin-arm64",
            "go1.22.10.linux-amd64",
            "go1.27.3.linux-amd64",
        ]
    );
    assert!(
        !w.cache()
            .join("downloads/go1.27.2.linux-amd64.tar.gz")
            .exists()
    );
    assert!(!w.cache().join("go-build/linux-arm64").exists());
    assert!(w.cache().join("go-build/linux-amd64").exists());
    // The stale project dropped out of the record.
    assert_eq!(
        std::fs::read_to_string(w.home().join("projects"))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

/// Prune goes through `gox uninstall`'s in-use protection (flock + /proc scan).
#[cfg(target_os = "linux")]
#[test]
fn prune_refuses_a_toolchain_a_running_program_uses() {
    let w = World::new();
    let old = w.root.path().join("old");
    plant("1.27.2", "linux/amd64", &old.join("1.27.2"));
    plant("1.27.3", "linux/amd64", &old.join("1.27.3"));
    let out = gox(&w).arg("import").arg(&old).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    w.ok(["use", "--global", "1.27.3"]);
    w.setup_shims();
    w.write("sleeper/go.mod", "module sleeper\n\ngo 1.27\n");
    w.write(
        "sleeper/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() {\n\tfmt.Println(\"ready\")\n\ttime.Sleep(120 * time.Second)\n}\n",
    );
    let mut sleeper = w
        .go("sleeper")
        .env("GOX_VERSION", "1.27.2")
        .args(["run", "."])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `go run` (1.27.2's bin/go) stays alive while the program runs: wait (bounded) for
    // the program's first line.
    let stdout_pipe = sleeper.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout_pipe), &mut line);
        let _ = tx.send(line);
    });
    let ready = rx.recv_timeout(std::time::Duration::from_secs(120));
    if ready.as_deref().map(str::trim) != Ok("ready") {
        let _ = sleeper.kill();
        panic!("the sleeper did not start: {ready:?}");
    }
    // The dry run says what the real run then does.
    let dry = w.run(["prune", "--dry-run"]);
    let out = w.run(["prune"]);
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    assert!(dry.status.success(), "{}", describe(&dry));
    assert!(
        stdout(&dry).contains("would keep go1.27.2"),
        "{}",
        describe(&dry)
    );
    assert!(
        !stdout(&dry).contains("would remove go1.27.2"),
        "{}",
        describe(&dry)
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        w.goroot("1.27.2", "linux/amd64").exists(),
        "{}",
        describe(&out)
    );
    // One line: the toolchain, the process holding it, what to do.
    let kept = stdout(&out)
        .lines()
        .find(|l| l.starts_with("kept go1.27.2"))
        .map(str::to_owned);
    let kept = kept.unwrap_or_else(|| panic!("no kept line: {}", describe(&out)));
    assert!(
        kept.contains(" (linux/amd64): in use: pid ")
            && kept.ends_with("; stop those processes and retry"),
        "{kept}"
    );
}

/// Ctrl-C (or SIGTERM) while `gox import --copy` fills its staging tree: exit 130 (143), the
/// staging tree removed, nothing registered, the source untouched (DESIGN.md: "SIGINT/SIGTERM
/// clean up"). (`--move` deletes the source only after the commit, which a stop never cuts.)
#[cfg(unix)]
#[test]
fn a_signal_during_an_import_leaves_nothing_behind() {
    let w = World::new();
    let old = w.root.path().join("old/go1.22.10");
    plant("1.22.10", "linux/amd64", &old);
    let files_before = count_files(&old);
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let child = gox(&w)
            .args(["import", "--copy"])
            .arg(&old)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !w
            .toolchains_entries()
            .iter()
            .any(|n| n.starts_with(".staging-"))
        {
            if std::time::Instant::now() > deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
        assert!(
            w.toolchains_entries().is_empty(),
            "left: {:?}\n{}",
            w.toolchains_entries(),
            describe(&out)
        );
        assert_eq!(count_files(&old), files_before, "the source lost files");
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// `prune --cache` removes partial downloads nothing writes any more: the `.part` (and its
/// `.part.meta`) an interrupted install left, unless an install of that toolchain holds its
/// lock right now; and a proxy install's scratch directory once untouched for an hour.
#[cfg(unix)]
#[test]
fn prune_cache_removes_partial_downloads_no_install_is_writing() {
    let real = fixtures().archive("1.22.10", "linux/amd64");
    let w = World::with_mirror(
        fixtures()
            .mirror()
            .fault(&real.filename, Fault::DropAfter(1024 * 1024)),
    );
    // A real interrupted install leaves its `.part` and validator.
    let out = w
        .gox()
        .env("GOX_RETRIES", "1")
        .args(["install", "1.22.10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let downloads = w.cache().join("downloads");
    let part = downloads.join(format!("{}.part", real.filename));
    assert!(part.is_file(), "{:?}", w.downloads());
    // A proxy install's scratch directory: one killed long ago, one just written.
    let old_scratch = downloads.join(".v0.0.1-go1.27.3.linux-amd64.AbCdEf");
    let young_scratch = downloads.join(".v0.0.1-go1.27.2.linux-amd64.GhIjKl");
    for dir in [&old_scratch, &young_scratch] {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("v0.0.1-go1.27.x.linux-amd64.zip.part"),
            [0u8; 4096],
        )
        .unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let old_zip = old_scratch.join("v0.0.1-go1.27.x.linux-amd64.zip.part");
    for path in [&old_zip, &old_scratch] {
        std::fs::File::open(path)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
    }

    // An install of 1.22.10 running now (it holds the toolchain lock): its `.part` stays.
    let lock_path = w.toolchains().join(".go1.22.10.linux-amd64.lock");
    std::fs::create_dir_all(w.toolchains()).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    for (args, kept) in [
        (&["prune", "--cache", "--dry-run"][..], "would keep"),
        (&["prune", "--cache"][..], "kept"),
    ] {
        let out = w.run(args);
        assert!(out.status.success(), "{}", describe(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!(
                "{kept} partial {}: a running gox is installing go1.22.10 (linux/amd64)",
                part.display()
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "{kept} partial {}: changed less than a minute ago",
                young_scratch.display()
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("rm -r {}", young_scratch.display())),
            "{text}"
        );
        assert!(
            text.contains(&format!("partial {}  4 KiB", old_scratch.display())),
            "{text}"
        );
    }
    assert!(part.is_file());
    assert!(!old_scratch.exists());
    assert!(young_scratch.exists());

    // The install ended (or was killed): its `.part` and validator go.
    drop(lock);
    let out = w.run(["prune", "--cache"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("removed partial {}", part.display())),
        "{text}"
    );
    let left: Vec<String> = w
        .downloads()
        .into_iter()
        .filter(|n| n.contains(".part"))
        .collect();
    assert!(left.is_empty(), "{left:?}\n{text}");
    assert!(young_scratch.exists(), "{text}");
}

/// A manager's version link to a deleted directory is reported as skipped, with where it
/// points and the command that removes it, in the plan, the JSON and the import itself;
/// gox's own stale `~/sdk` link is not (`gox setup --sdk` drops it); a FROM that is such a
/// link is refused (exit 1).
#[cfg(unix)]
#[test]
fn dangling_manager_links_are_reported_as_skipped() {
    let w = World::new();
    let u = user(&w);
    let deleted = w.root.path().join("deleted/1.22.9");
    std::fs::create_dir_all(u.join(".goenv/versions")).unwrap();
    std::os::unix::fs::symlink(&deleted, u.join(".goenv/versions/1.22.9")).unwrap();
    // asdf keeps the tree in `<version>/go`: the version entry itself dangles.
    std::fs::create_dir_all(u.join(".asdf/installs/golang")).unwrap();
    std::os::unix::fs::symlink("1.21.0-gone", u.join(".asdf/installs/golang/1.21.0")).unwrap();
    std::fs::create_dir_all(u.join("sdk")).unwrap();
    std::os::unix::fs::symlink(
        w.toolchains().join("go1.21.0.linux-amd64"),
        u.join("sdk/go1.21.0"),
    )
    .unwrap();

    let goenv_link = u.join(".goenv/versions/1.22.9");
    let asdf_link = u.join(".asdf/installs/golang/1.21.0");
    let dry = json(
        &gox(&w)
            .args(["import", "--dry-run", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        rows(&dry),
        [("goenv", "-", "-", "skip"), ("asdf", "-", "-", "skip")].map(|(a, b, c, d)| (
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.to_string()
        )),
        "{dry:#}"
    );
    assert_eq!(dry[0]["path"], goenv_link.to_str().unwrap());
    assert_eq!(
        dry[0]["reason"],
        format!(
            "a dangling link: it points to {}, which does not exist; nothing to import (remove the link: rm {})",
            deleted.display(),
            goenv_link.display()
        )
    );
    assert!(
        dry[1]["reason"].as_str().unwrap().contains(&format!(
            "points to {}",
            u.join(".asdf/installs/golang/1.21.0-gone").display()
        )),
        "{dry:#}"
    );

    for (args, verb) in [
        (&["import", "--dry-run"][..], "would skip"),
        (&["import"][..], "skipped"),
    ] {
        let out = gox(&w).args(args).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        let text = stdout(&out);
        let line = text
            .lines()
            .position(|l| l.starts_with(verb) && l.ends_with(goenv_link.to_str().unwrap()))
            .unwrap_or_else(|| panic!("no `{verb}` row for the link:\n{}", describe(&out)));
        assert!(
            text.lines()
                .nth(line + 1)
                .unwrap()
                .contains("a dangling link"),
            "{text}"
        );
        assert!(
            text.contains(&format!("rm {}", asdf_link.display())),
            "{text}"
        );
    }
    assert!(
        goenv_link.symlink_metadata().is_ok(),
        "the link is left alone"
    );

    // Named on the command line: refused.
    let out = gox(&w).arg("import").arg(&goenv_link).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("refused"), "{}", describe(&out));
    assert!(
        stdout(&out).contains("a dangling link"),
        "{}",
        describe(&out)
    );
}

/// Makes a directory read-only for this process until dropped: `chmod 0555`, or as root
/// (whom modes do not stop) the immutable attribute. `None` when the filesystem cannot.
#[cfg(unix)]
struct ReadOnly(PathBuf, bool);

#[cfg(unix)]
impl ReadOnly {
    fn make(dir: &Path) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            let done = Command::new("chattr").arg("+i").arg(dir).status();
            return done
                .is_ok_and(|s| s.success())
                .then(|| Self(dir.into(), true));
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).ok()?;
        Some(Self(dir.into(), false))
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
    }
}

/// `--move` from a directory gox cannot delete in: the toolchain is imported (the row says
/// `imported`), the original is left whole, and the report says so with the OS error, the
/// directory and the `rm -rf` that removes it; exit 1, since the move is not complete.
#[cfg(unix)]
#[test]
fn move_from_a_read_only_directory_imports_and_leaves_the_original_whole() {
    let w = World::new();
    let old = w.root.path().join("old-ro");
    let source = old.join("go1.27.3");
    plant("1.27.3", "linux/amd64", &source);
    let files_before = count_files(&source);
    let Some(_read_only) = ReadOnly::make(&old) else {
        eprintln!("skipped: cannot make {} read-only here", old.display());
        return;
    };

    let out = gox(&w)
        .args(["import", "--move"])
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .position(|l| l.starts_with("imported") && l.ends_with(source.to_str().unwrap()))
        .unwrap_or_else(|| panic!("no `imported` row:\n{}", describe(&out)));
    let reason = text.lines().nth(row + 1).unwrap_or_default();
    assert!(
        reason.contains(&format!(
            "--move left the original {} in place: nothing can be removed from {} (",
            source.display(),
            old.display()
        )),
        "{}",
        describe(&out)
    );
    assert!(
        reason.ends_with(&format!(
            "gox's copy is complete, remove the original by hand: rm -rf {}",
            source.display()
        )),
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("were imported but --move could not remove the original"),
        "{}",
        describe(&out)
    );
    assert!(!text.contains("refused"), "{}", describe(&out));
    assert!(w.goroot("1.27.3", "linux/amd64").join("bin/go").is_file());
    assert_eq!(
        count_files(&source),
        files_before,
        "the original lost files"
    );

    // The JSON says the same.
    w.ok(["uninstall", "1.27.3"]);
    let out = gox(&w)
        .args(["import", "--move", "--json"])
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan[0]["action"], "import", "{plan:#}");
    assert!(
        plan[0]["reason"]
            .as_str()
            .unwrap()
            .contains("--move left the original"),
        "{plan:#}"
    );
    assert_eq!(
        count_files(&source),
        files_before,
        "the original lost files"
    );
}
