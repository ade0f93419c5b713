//! `gox mirror sync`: a static mirror built through the install pipeline, served over http
//! and file://, incremental, prunable, and (with --goproxy) usable by plain `go`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use gox_testkit::{MirrorBuilder, MirrorServer, SumDbServer, fixtures, toolchain_zip};
use support::{World, describe, ok_lines, plain_go, stderr};

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
