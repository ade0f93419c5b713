//! The machine's own failures (docs/reliability.md, "Machine"), through the real binaries:
//! in-use protection against live `go` processes, Ctrl-C/SIGTERM mid-install, a file-size
//! limit, a full disk, a read-only or unusable GOX_HOME, no HOME, damaged toolchains and
//! leftovers of killed runs.

#![cfg(target_os = "linux")] // /proc, mount namespaces, `kill`, `ulimit`: Linux-only machinery

mod support;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gox_testkit::fixtures;
use support::{World, describe, stderr, stdout};

const V: &str = "1.21.13";
const P: &str = "linux/amd64";

fn archive() -> (PathBuf, String) {
    let a = fixtures().archive(V, P);
    (a.path.clone(), a.sha256.clone())
}

/// `gox install --archive FIXTURE --sha256 …`: no network, the extraction path only.
fn install_archive_args() -> Vec<String> {
    let (path, sha) = archive();
    vec![
        "install".into(),
        "--quiet".into(),
        "--archive".into(),
        path.display().to_string(),
        "--sha256".into(),
        sha,
    ]
}

/// Only lock files may remain in `toolchains/` after a failed or interrupted install.
fn assert_nothing_half_written(w: &World) {
    assert_eq!(
        w.toolchains_entries(),
        Vec::<String>::new(),
        "no toolchain, staging or trash dir may remain"
    );
}

/// The Go build cache survives across tests (one cold build per target dir, not per test).
fn share_gocache(w: &World) {
    let shared = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gox-shared-gocache");
    std::fs::create_dir_all(&shared).unwrap();
    let dir = w.cache().join("go-build");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&shared, dir.join(P.replace('/', "-"))).unwrap();
}

fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success(), "kill -{name} {pid}");
}

/// Starts `go run .` of a program that prints "ready" and sleeps, through the shim; returns
/// once the program runs.
fn start_sleeping_go_run(w: &World) -> Child {
    w.write("sleeper/go.mod", "module sleeper\n\ngo 1.21\n");
    w.write(
        "sleeper/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() {\n\tfmt.Println(\"ready\")\n\ttime.Sleep(60 * time.Second)\n}\n",
    );
    let mut child = w
        .go("sleeper")
        .args(["run", "."])
        .env("GOX_VERSION", V)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the sleeping program did not start");
    child
}

#[test]
fn uninstall_refuses_a_toolchain_a_live_go_run_uses_and_force_overrides() {
    let w = World::new();
    w.with_toolchain(V, P);
    w.setup_shims();
    share_gocache(&w);
    let mut child = start_sleeping_go_run(&w);

    let refused = w.run(["uninstall", V]);
    let said = stderr(&refused);
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    // The shim exec'd into `go`: the pid we started is the `go run` process.
    assert!(said.contains(&format!("pid {} ", child.id())), "{said}");
    assert!(said.contains("go run ."), "names the command: {said}");
    assert!(said.contains("--force"), "names the override: {said}");
    assert_eq!(w.installed_dirs(), [format!("go{V}.linux-amd64")]);

    let forced = w.run(["uninstall", V, "--force"]);
    assert!(forced.status.success(), "{}", describe(&forced));
    assert_eq!(w.installed_dirs(), Vec::<String>::new());
    assert!(w.toolchains_entries().is_empty(), "no trash left");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn go_through_the_shim_sees_a_whole_toolchain_or_none_while_uninstall_and_install_churn() {
    let w = World::new();
    w.with_toolchain(V, P);
    w.setup_shims();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let deadline = Instant::now() + Duration::from_secs(120);
    let (codes, odd) = std::thread::scope(|s| {
        let looper = s.spawn(|| {
            let mut codes = std::collections::BTreeMap::<i32, u32>::new();
            let mut odd = Vec::new();
            // Bounded even if the churning side panics and never says stop.
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
                let out = w
                    .go("")
                    .arg("version")
                    .env("GOX_VERSION", V)
                    .output()
                    .unwrap();
                let code = out.status.code().unwrap_or(-1);
                *codes.entry(code).or_default() += 1;
                if code != 0 && code != 127 && odd.len() < 3 {
                    odd.push(describe(&out));
                }
                // Gaps between runs, as between a user's commands: uninstall needs a moment
                // when no `go` is live (it is refused otherwise, which is the point).
                std::thread::sleep(Duration::from_millis(15));
            }
            (codes, odd)
        });
        for _cycle in 0..2 {
            // Let `go` run from the whole toolchain for a while, then pull it away.
            std::thread::sleep(Duration::from_millis(700));
            let removed = (0..200).any(|_| {
                let out = w.run(["uninstall", V]);
                assert!(
                    out.status.success() || stderr(&out).contains("is in use"),
                    "{}",
                    describe(&out)
                );
                out.status.success()
            });
            assert!(removed, "uninstall never got a moment without a live go");
            let out = w.run(install_archive_args());
            assert!(out.status.success(), "{}", describe(&out));
        }
        std::thread::sleep(Duration::from_millis(700));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        looper.join().unwrap()
    });
    assert!(
        odd.is_empty(),
        "go saw a half toolchain: {codes:?}\n{}",
        odd.join("\n")
    );
    assert!(
        codes.get(&0).copied().unwrap_or(0) >= 10 && codes.contains_key(&127),
        "both states must have been seen: {codes:?}"
    );
    eprintln!("churn: 2 uninstall/install cycles, go exit codes {codes:?}");
}

/// Spreads `trials` signal times over the first 60% of an uninterrupted install (feed,
/// download+extract, verify): later ones may land after the commit on a fast run.
fn delays(trials: u32, window: Duration) -> Vec<Duration> {
    (0..trials)
        .map(|i| window.mul_f64(0.02 + 0.6 * f64::from(i) / f64::from(trials - 1)))
        .collect()
}

#[test]
fn sigint_and_sigterm_mid_install_clean_up_and_exit_130_143() {
    let w = World::new();
    let archive_name = format!("go{V}.linux-amd64.tar.gz");
    // How long an uninterrupted download+extract takes here bounds the signal times.
    let started = Instant::now();
    w.ok(["install", "--quiet", V]);
    let window = started.elapsed();
    w.ok(["uninstall", V]);
    let _ = std::fs::remove_file(w.cache().join("downloads").join(&archive_name));
    let mut interrupted = 0;
    for (trial, delay) in delays(10, window).into_iter().enumerate() {
        let (name, code) = if trial == 9 {
            ("TERM", 143)
        } else {
            ("INT", 130)
        };
        let child = w
            .gox()
            .args(["install", "--quiet", V])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        signal(child.id(), name);
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => {
                // Finished before the signal landed: a whole toolchain, then start over.
                assert_eq!(w.installed_dirs(), [format!("go{V}.linux-amd64")]);
                w.ok(["uninstall", V]);
                let _ = std::fs::remove_file(w.cache().join("downloads").join(&archive_name));
            }
            Some(c) => {
                assert_eq!(c, code, "SIG{name} after {delay:?}: {}", describe(&out));
                assert!(stderr(&out).contains("interrupted"), "{}", describe(&out));
                interrupted += 1;
                assert_nothing_half_written(&w);
                // A partial download is never taken for a complete archive.
                assert!(
                    !w.downloads().contains(&archive_name),
                    "{:?}",
                    w.downloads()
                );
            }
            None => panic!("gox died of SIG{name} after {delay:?} instead of cleaning up"),
        }
    }
    eprintln!("signals: {interrupted} of 10 interrupted an install of {window:?}");
    assert!(
        interrupted >= 8,
        "only {interrupted} of 10 signals hit a running install"
    );
    // The lock is free: the next install neither waits nor finds leftovers.
    let next = w.gox().args(["install", V]).output().unwrap();
    assert!(next.status.success(), "{}", describe(&next));
    assert!(!stderr(&next).contains("waiting"), "{}", describe(&next));
    assert_eq!(w.toolchains_entries(), [format!("go{V}.linux-amd64")]);
}

#[test]
fn file_size_limit_during_extraction_is_a_clean_error() {
    let w = World::new();
    let mut cmd = Command::new("sh");
    w.apply_env(&mut cmd);
    // 16 MiB in 512-byte blocks (dash) or 1 KiB blocks (bash): bin/go and the compiler exceed it.
    let out = cmd
        .arg("-c")
        .arg("ulimit -f 32768 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_gox"))
        .args(install_archive_args())
        .current_dir(w.projects())
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(said.contains("File too large"), "{said}");
    assert!(said.contains("ulimit -f"), "names the fix: {said}");
    assert!(
        said.contains(&w.toolchains().display().to_string()),
        "names the path: {said}"
    );
    assert_nothing_half_written(&w);
}

/// Runs `script` as root in a private mount namespace (mounts vanish with it). `None` when
/// this machine allows no such namespace (not root, no user namespaces).
fn in_mount_namespace(w: &World, script: &str, args: &[String]) -> Option<std::process::Output> {
    let probe = Command::new("unshare").args(["-m", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        return None;
    }
    let mut cmd = Command::new("unshare");
    w.apply_env(&mut cmd);
    let out = cmd
        .args(["-m", "--propagation", "private", "sh", "-c", script])
        .arg(env!("CARGO_BIN_EXE_gox"))
        .args(args)
        .current_dir(w.projects())
        .output()
        .unwrap();
    // Scripts `exit 99` when their mount fails.
    assert_ne!(
        out.status.code(),
        Some(99),
        "mount failed: {}",
        describe(&out)
    );
    Some(out)
}

#[test]
fn full_disk_during_extraction_is_a_clean_error() {
    let w = World::new();
    std::fs::create_dir_all(w.home()).unwrap();
    // A 48 MiB tmpfs as GOX_HOME: the toolchain (~250 MB) cannot fit. The listing after the
    // run is taken inside the namespace, where the tmpfs is still visible.
    let script = "mount -t tmpfs -o size=48m gox-full \"$GOX_HOME\" || exit 99\n\
                  \"$0\" \"$@\"; rc=$?\n\
                  echo \"left:$(ls -A \"$GOX_HOME/toolchains\" | grep -v '\\.lock$' | tr '\\n' ' ')\"\n\
                  exit $rc";
    let Some(out) = in_mount_namespace(&w, script, &install_archive_args()) else {
        eprintln!("SKIPPED: no mount namespace here (needs root or user namespaces)");
        return;
    };
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(said.contains("No space left on device"), "{said}");
    assert!(said.contains("disk is full"), "names the fix: {said}");
    assert!(
        said.contains(&w.toolchains().display().to_string()),
        "names the path: {said}"
    );
    assert_eq!(
        stdout(&out).trim(),
        "left:",
        "nothing half-written: {}",
        describe(&out)
    );
}

#[test]
fn read_only_or_unusable_gox_home_is_a_clean_error() {
    let w = World::new();
    // Read-only: a read-only tmpfs mounted on GOX_HOME (chmod 0555 stops nobody as root).
    let script = "mount -t tmpfs -o ro,size=1m gox-ro \"$GOX_HOME\" || exit 99\nexec \"$0\" \"$@\"";
    match in_mount_namespace(&w, script, &install_archive_args()) {
        Some(out) => {
            let said = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
            assert!(said.contains("Read-only file system"), "{said}");
            assert!(
                said.contains(&w.home().display().to_string()),
                "names the path: {said}"
            );
            assert!(said.contains("GOX_HOME"), "names the fix: {said}");
        }
        None => eprintln!("SKIPPED read-only part: no mount namespace here"),
    }
    // Unusable: GOX_HOME below a regular file (ENOTDIR), which no privilege writes through.
    let file = w.root.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let home = file.join("gox");
    let out = w
        .gox()
        .env("GOX_HOME", &home)
        .args(install_archive_args())
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        said.contains(&home.display().to_string()),
        "names the path: {said}"
    );
    assert!(file.is_file() && !home.exists());
}

#[test]
fn missing_home_without_gox_home_is_a_clean_error() {
    let w = World::new();
    for args in [vec!["list"], vec!["install", V]] {
        let out = w
            .gox()
            .env_remove("HOME")
            .env_remove("GOX_HOME")
            .env_remove("GOX_CACHE_DIR")
            .env_remove("GOX_CONFIG")
            .args(&args)
            .output()
            .unwrap();
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
        assert!(said.contains("HOME is not set"), "{said}");
        assert!(said.contains("GOX_HOME"), "names the fix: {said}");
    }
}

#[test]
fn leftover_staging_and_trash_dirs_are_swept_by_the_next_locked_run() {
    let w = World::new();
    w.with_toolchain(V, P);
    let tc = w.toolchains();
    for d in [
        format!(".staging-go{V}.linux-amd64-AbCdEf/go/bin"),
        ".staging-go1.22.10.linux-amd64-XyZ123/go".to_string(),
        ".trash-go1.27.3.linux-amd64-4242/src".to_string(),
    ] {
        std::fs::create_dir_all(tc.join(d)).unwrap();
    }
    std::fs::write(
        tc.join(".staging-go1.22.10.linux-amd64-XyZ123/go/VERSION"),
        "x",
    )
    .unwrap();
    w.ok(["uninstall", V]);
    assert_nothing_half_written(&w);
}

fn problems(w: &World) -> Vec<String> {
    let list: serde_json::Value = serde_json::from_str(&w.ok(["list", "--json"])).unwrap();
    list[0]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems key: {list}"))
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// Replaces a (possibly hard-linked, shared with the template) file with new content.
fn replace(path: &Path, content: &[u8]) {
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn damaged_toolchains_are_flagged_by_list_and_doctor_with_the_reinstall_command() {
    let w = World::new();
    // Installed here rather than linked from the shared template, whose receipt may predate
    // tree stamps.
    w.ok(install_archive_args());
    assert_eq!(problems(&w), Vec::<String>::new());
    let goroot = w.goroot(V, P);

    std::fs::remove_file(goroot.join("src/fmt/print.go")).unwrap();
    let found = problems(&w);
    assert!(found.iter().any(|p| p.contains("files")), "{found:?}");
    let text = w.ok(["list"]);
    assert!(
        text.contains(&format!("gox install {V} --platform {P} --force")),
        "{text}"
    );

    let go = goroot.join("bin/go");
    let mut bytes = std::fs::read(&go).unwrap();
    bytes.extend_from_slice(b"tampered");
    replace(&go, &bytes);
    let found = problems(&w);
    assert!(found.iter().any(|p| p.contains("bin/go")), "{found:?}");

    let doctor = w.run(["doctor"]);
    let said = format!("{}{}", stdout(&doctor), stderr(&doctor));
    assert!(said.contains("bin/go"), "{said}");
    assert!(
        said.contains(&format!("gox install {V} --platform {P} --force")),
        "{said}"
    );
}

/// `gox ls-remote | head -1`: when the reader goes away, gox ends the way `ls` does (killed
/// by SIGPIPE, which a shell pipeline ignores), not with a panic and exit 101.
#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_gox_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let w = World::new();
    for args in [
        &["ls-remote", "--all"][..],
        &["list", "--json"],
        &["doctor"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = w.gox().args(args).stdout(writer).output().unwrap();
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            describe(&out)
        );
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGPIPE),
            "{args:?}: {}",
            describe(&out)
        );
    }
}
