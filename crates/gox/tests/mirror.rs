//! `gox mirror sync`: a static mirror built through the install pipeline, served over http
//! and file://, incremental, prunable, and (with --goproxy) usable by plain `go`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use gox_testkit::{Fault, MirrorBuilder, MirrorServer, SumDbServer, fixtures, toolchain_zip};
use support::{World, describe, ok_lines, plain_go, stderr, stdout};

const OLD: &str = "go1.21.13.linux-amd64.tar.gz";
const NEW: &str = "go1.22.10.linux-amd64.tar.gz";
const BOTH: &[&str] = &[
    "--versions",
    "1.22.10",
    "1.21.13",
    "--platforms",
    "linux/amd64",
];

/// Serves a synced mirror's tree (feed.json, the archives, the module tree) under `/dl/`,
/// as a static web server would.
fn serve(dir: &Path) -> MirrorServer {
    fn add(mirror: MirrorBuilder, root: &Path, dir: &Path) -> MirrorBuilder {
        let mut mirror = mirror;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                mirror = add(mirror, root, &path);
            } else {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                mirror = mirror.file(&name, path);
            }
        }
        mirror
    }
    add(MirrorBuilder::new(), dir, dir).start()
}

fn feed(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("feed.json")).unwrap()).unwrap()
}

/// `gox install` into a fresh home and cache, from the given feed and download base.
fn install_from(w: &World, name: &str, feed_url: &str, base: &str) -> PathBuf {
    let home = w.root.path().join(name);
    let out = w
        .gox()
        .env("GOX_HOME", &home)
        .env("GOX_CACHE_DIR", home.join("cache"))
        .env("GOX_FEED_URL", feed_url)
        .env("GOX_DOWNLOAD_BASE", base)
        .args(["install", "--quiet", "1.21.13"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "install from {feed_url}: {}",
        describe(&out)
    );
    let goroot = home.join("toolchains/go1.21.13.linux-amd64");
    assert!(goroot.join("bin/go").is_file());
    goroot
}

#[test]
fn sync_then_install_over_http_and_file_then_prune_and_goproxy() {
    let w = World::new();
    let dir = w.root.path().join("mirror");
    let sync = |extra: &[&str]| {
        let mut args = vec!["mirror", "sync", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        w.ok(&args);
    };

    sync(BOTH);
    for name in [OLD, NEW] {
        let fixture = fixtures()
            .archives
            .iter()
            .find(|a| a.filename == name)
            .unwrap();
        assert_eq!(gox_testkit::sha256_file(dir.join(name)), fixture.sha256);
    }
    let listed = feed(&dir);
    assert_eq!(listed[0]["version"], "go1.22.10");
    assert_eq!(listed[1]["version"], "go1.21.13");
    assert_eq!(listed.as_array().unwrap().len(), 2, "only the synced files");
    let file = &listed[0]["files"][0];
    assert_eq!(file["filename"], NEW);
    assert_eq!(
        (&file["os"], &file["arch"], &file["kind"]),
        (&"linux".into(), &"amd64".into(), &"archive".into())
    );
    assert_eq!(
        file["size"],
        std::fs::metadata(dir.join(NEW)).unwrap().len()
    );
    // A web server running as another user can read what was published.
    use std::os::unix::fs::PermissionsExt;
    for name in ["feed.json", NEW] {
        let mode = std::fs::metadata(dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "{name} is {mode:o}");
    }

    // Again: everything is verified in place, nothing is downloaded.
    w.server.clear_requests();
    sync(&[
        "--versions",
        "1.22.10,1.21.13",
        "--platforms",
        "linux/amd64",
    ]);
    assert_eq!((w.server.hits(OLD), w.server.hits(NEW)), (0, 0));
    // A damaged archive is fetched again.
    std::fs::write(dir.join(OLD), b"truncated").unwrap();
    sync(BOTH);
    assert_eq!((w.server.hits(OLD), w.server.hits(NEW)), (1, 0));

    // The synced dir served over http, and read straight from disk.
    let served = serve(&dir);
    install_from(
        &w,
        "via-http",
        &format!("{}feed.json", served.download_base()),
        &served.download_base(),
    );
    assert_eq!(served.hits(OLD), 1);
    let base = format!("file://{}/", dir.display());
    install_from(&w, "via-file", &format!("{base}feed.json"), &base);

    // --prune drops what is no longer asked for; --goproxy adds the module tree.
    sync(&[
        "--versions",
        "1.22.10",
        "--platforms",
        "linux/amd64",
        "--prune",
        "--goproxy",
    ]);
    assert!(!dir.join(OLD).exists() && dir.join(NEW).is_file());
    assert_eq!(feed(&dir).as_array().unwrap().len(), 1);
    let at_v = dir.join("golang.org/toolchain/@v");
    let module = "v0.0.1-go1.22.10.linux-amd64";
    assert_eq!(
        std::fs::read_to_string(at_v.join("list")).unwrap(),
        format!("{module}\n")
    );
    assert_eq!(
        std::fs::read_to_string(at_v.join(format!("{module}.mod"))).unwrap(),
        "module golang.org/toolchain\n"
    );
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(at_v.join(format!("{module}.info"))).unwrap())
            .unwrap();
    assert_eq!(info["Version"], module);
    assert!(info["Time"].as_str().unwrap().starts_with("20"), "{info}");

    // Plain `go` (not through gox) switches to go1.22.10 from the synced tree. cmd/go skips
    // the checksum database only for a lone file:// GOPROXY (its distpack test mode).
    let modcache = w.root.path().join("plain-modcache");
    let file_proxy = format!("file://{}", dir.display());
    let go = |gotoolchain: &str, goproxy: &str, gosumdb: &str| {
        let _ = std::fs::remove_dir_all(&modcache);
        let mut cmd = Command::new(plain_go());
        cmd.env_clear()
            .env("HOME", w.root.path().join("user"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GOTOOLCHAIN", gotoolchain)
            .env("GOPROXY", goproxy)
            .env("GOSUMDB", gosumdb)
            .env("GOMODCACHE", &modcache)
            .env("GOCACHE", w.root.path().join("plain-gocache"))
            .env("GOFLAGS", "-modcacherw")
            .current_dir(w.projects());
        cmd
    };
    let lines = ok_lines(go("go1.22.10", &file_proxy, "off").args(["env", "GOVERSION", "GOROOT"]));
    assert_eq!(lines[0], "go1.22.10", "{lines:?}");
    assert_eq!(
        Path::new(&lines[1]),
        modcache.join(format!("golang.org/toolchain@{module}"))
    );
    // A version the mirror lacks is not found (the tree is what cmd/go used).
    let out = go("go1.21.13", &file_proxy, "off")
        .arg("version")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("go1.21.13"), "{}", describe(&out));

    // The zip hashes to the h1: the test checksum database records for the module zip
    // gox-testkit derives independently from the same archive...
    let ours = gox_sumdb::hash_zip_file(&at_v.join(format!("{module}.zip"))).unwrap();
    let theirs = toolchain_zip(
        fixtures().archive("1.22.10", "linux/amd64"),
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")),
    );
    assert_eq!(ours, theirs.h1);
    // ...so over http, with that database as GOSUMDB, cmd/go downloads our zip, checks it
    // against the database and switches. GOSUMDB=off is refused for toolchains.
    let served = serve(&dir);
    let http_proxy = format!("{}/dl", served.url());
    let db = SumDbServer::start(std::slice::from_ref(&theirs));
    let lines = ok_lines(go("go1.22.10", &http_proxy, &db.gosumdb()).args(["env", "GOVERSION"]));
    assert_eq!(lines, ["go1.22.10"]);
    let zip_path = format!("/dl/golang.org/toolchain/@v/{module}.zip");
    assert_eq!(
        served
            .requests()
            .iter()
            .filter(|r| r.path == zip_path)
            .count(),
        1,
        "cmd/go did not fetch the synced zip"
    );
    let out = go("go1.22.10", &http_proxy, "off")
        .arg("version")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("GOSUMDB=off"), "{}", describe(&out));
}

/// `mirror sync DIR --versions VERSION --platforms linux/amd64` and `extra`.
fn sync_args<'a>(dir: &'a Path, version: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "mirror",
        "sync",
        dir.to_str().unwrap(),
        "--versions",
        version,
    ];
    args.extend(["--platforms", "linux/amd64"]);
    args.extend_from_slice(extra);
    args
}

/// The `.gox-mirror-*` staging directories in the cache.
fn staging_dirs(w: &World) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(w.cache())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".gox-mirror-")
        })
        .collect();
    dirs.sort();
    dirs
}

/// Starts a sync of NEW (whose download stalls) and returns once its staging directory
/// exists: the sync is then surely mid-download.
fn start_stalled_sync(w: &World, dir: &Path) -> std::process::Child {
    let child = w
        .gox()
        .args(sync_args(dir, "1.22.10", &[]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while staging_dirs(w).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        !staging_dirs(w).is_empty(),
        "the sync never started staging"
    );
    child
}

/// Backdates everything under `path` (a killed run's leftover, untouched for two hours).
fn age(path: &Path) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            age(&entry.path());
        }
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
}

/// Ctrl-C (or SIGTERM) mid-download: exit 130 (143), the staging directory removed, no
/// feed.json written, and the message says what a sync leaves (not "nothing was installed").
/// A SIGKILL leaves the staging directory: kept while young (`prune --cache` says why),
/// swept by the next sync once untouched for an hour, removed by `prune --cache` too.
#[cfg(unix)]
#[test]
fn a_signal_during_a_sync_leaves_no_staging_behind() {
    let w = World::with_mirror(
        fixtures()
            .mirror()
            .fault(NEW, Fault::StallAfter(4 * 1024 * 1024)),
    );
    let dir = w.root.path().join("mirror");
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let child = start_stalled_sync(&w, &dir);
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
        assert_eq!(
            staging_dirs(&w),
            Vec::<PathBuf>::new(),
            "{}",
            describe(&out)
        );
        let err = stderr(&out);
        assert!(err.contains("interrupted"), "{}", describe(&out));
        assert!(
            err.contains("feed.json was left as it was")
                && !err.contains("nothing was installed")
                && !err.contains("lock"),
            "{}",
            describe(&out)
        );
        assert!(!dir.join("feed.json").exists());
    }

    // SIGKILL: nothing can clean up.
    let mut child = start_stalled_sync(&w, &dir);
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = staging_dirs(&w);
    assert_eq!(killed.len(), 1);
    // A sync of another version (its download does not stall).
    let sync_old = || w.ok(sync_args(&dir, "1.21.13", &[]));
    // Young: a sync may be running; kept by prune (with the reason) and by the next sync.
    let out = w.run(["prune", "--cache"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("kept partial {}", killed[0].display())),
        "{}",
        describe(&out)
    );
    sync_old();
    assert_eq!(
        staging_dirs(&w),
        killed,
        "a young staging dir is left alone"
    );
    // Untouched for two hours: the next sync sweeps it.
    age(&killed[0]);
    sync_old();
    assert_eq!(staging_dirs(&w), Vec::<PathBuf>::new());
    // And `prune --cache` removes one as old.
    let leftover = w.cache().join(".gox-mirror-AbCdEf");
    std::fs::create_dir_all(leftover.join("go/bin")).unwrap();
    std::fs::write(leftover.join("go/bin/go"), [0u8; 4096]).unwrap();
    age(&leftover);
    let out = w.run(["prune", "--cache"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("removed partial {}", leftover.display())),
        "{}",
        describe(&out)
    );
    assert!(!leftover.exists());
}

/// A module zip already in the mirror is checked against its archive on every sync: a
/// truncated one, or a changed `.info`, is written again (and said so); an intact one is not.
#[test]
fn a_damaged_module_zip_is_rewritten() {
    let w = World::new();
    let dir = w.root.path().join("mirror");
    // Status lines go to stderr.
    let sync = || {
        let out = w.run(sync_args(&dir, "1.22.10", &["--goproxy"]));
        assert!(out.status.success(), "{}", describe(&out));
        stderr(&out)
    };
    sync();
    let at_v = dir.join("golang.org/toolchain/@v");
    let zip = at_v.join("v0.0.1-go1.22.10.linux-amd64.zip");
    let info = at_v.join("v0.0.1-go1.22.10.linux-amd64.info");
    let h1 = gox_sumdb::hash_zip_file(&zip).unwrap();
    let good_info = std::fs::read(&info).unwrap();

    let out = sync();
    assert!(!out.contains("rewrote"), "{out}");

    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let out = sync();
    assert!(
        out.contains("rewrote golang.org/toolchain/@v/v0.0.1-go1.22.10.linux-amd64.zip"),
        "{out}"
    );
    assert!(out.contains("1 damaged module zip(s) rewritten"), "{out}");
    assert_eq!(gox_sumdb::hash_zip_file(&zip).unwrap(), h1);
    assert_eq!(w.server.hits(NEW), 1, "the archive in the mirror was used");

    std::fs::write(&info, b"{}").unwrap();
    let out = sync();
    assert!(out.contains("rewrote"), "{out}");
    assert_eq!(std::fs::read(&info).unwrap(), good_info);
}

/// DIR naming a file (or a path through one) is said plainly, with the fix; nothing is
/// fetched.
#[test]
fn a_dir_that_is_a_file_is_named_with_the_fix() {
    let w = World::new();
    let file = w.root.path().join("afile");
    std::fs::write(&file, b"x").unwrap();
    for dir in [file.clone(), file.join("sub")] {
        let out = w.run(sync_args(&dir, "1.22.10", &[]));
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "cannot sync into {}: it is a file, not a directory",
                file.display()
            )) && err.contains(&format!("mv {} {}.bak", file.display(), file.display())),
            "{}",
            describe(&out)
        );
        assert!(!err.contains("File exists"), "{}", describe(&out));
    }
    assert_eq!(w.server.hits(NEW), 0);
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// A sync downloads through `downloads/<archive>.part` like an install, so it takes the
/// same per-toolchain lock: it waits while an install (here: the test) holds it, and so a
/// `gox prune --cache` never deletes a `.part` a sync is writing.
#[test]
fn a_sync_waits_for_the_toolchain_lock_an_install_holds() {
    let w = World::new();
    let dir = w.root.path().join("mirror");
    let lock_path = w.toolchains().join(".go1.22.10.linux-amd64.lock");
    std::fs::create_dir_all(w.toolchains()).unwrap();
    let held = std::fs::File::create(&lock_path).unwrap();
    held.lock().unwrap();
    let mut child = w
        .gox()
        .args(sync_args(&dir, "1.22.10", &[]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough for a sync of the small fixture to have fetched it, had it not waited.
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(child.try_wait().unwrap().is_none(), "the sync did not wait");
    assert_eq!(w.server.hits(NEW), 0);
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("lock {}", lock_path.display())),
        "{}",
        describe(&out)
    );
    assert_eq!(w.server.hits(NEW), 1);
    assert!(dir.join(NEW).is_file());
}
