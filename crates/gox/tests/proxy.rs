//! Source `proxy`: golang.org/toolchain through GOPROXY, verified by a checksum database —
//! testkit's own proxy and database (signed with a test key), real Go zips, the real `go`
//! command as the reference for what must be accepted and refused.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gox_testkit::{
    ConnectProxy, DbMode, DirectSite, GoProxyServer, SumDbServer, TEST_SUMDB_NAME, ToolchainZip,
    fixtures, toolchain_zip,
};
use support::{World, describe, stderr, stdout};

const MODULE_VERSION: &str = "v0.0.1-go1.22.10.linux-amd64";

fn zip_1_22_10() -> ToolchainZip {
    toolchain_zip(
        fixtures().archive("1.22.10", "linux/amd64"),
        Path::new(env!("CARGO_TARGET_TMPDIR")),
    )
}

fn gox_proxy(w: &World, goproxy: &str, gosumdb: &str, extra: &[&str]) -> Output {
    let mut cmd = w.gox();
    cmd.args(["install", "--quiet", "1.22.10", "--source", "proxy"])
        .args(extra)
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", gosumdb)
        .env("GOX_RETRIES", "2");
    cmd.output().expect("run gox")
}

fn receipt(w: &World) -> serde_json::Value {
    let text =
        std::fs::read_to_string(w.goroot("1.22.10", "linux/amd64").join(".gox-receipt.json"))
            .expect("receipt");
    serde_json::from_str(&text).unwrap()
}

fn zip_requests(p: &GoProxyServer) -> usize {
    p.requests()
        .iter()
        .filter(|r| r.path.ends_with(&format!("{MODULE_VERSION}.zip")))
        .count()
}

#[test]
fn proxy_install_with_fall_through_then_go_build_through_the_shim() {
    let zip = zip_1_22_10();
    let db = SumDbServer::start(std::slice::from_ref(&zip));
    let good = GoProxyServer::with_sumdb(std::slice::from_ref(&zip), &db);
    let gone = GoProxyServer::start(&[]);
    gone.set_status(Some(404));
    let broken = GoProxyServer::start(&[]);
    broken.set_status(Some(500));
    let w = World::new();

    // Only a proxy without the zip (the database named with its URL): the error is about
    // GOPROXY, not the feed's mirrors.
    let empty = GoProxyServer::start(&[]);
    let own_db = SumDbServer::start(std::slice::from_ref(&zip));
    let out = gox_proxy(&w, &empty.url(), &own_db.gosumdb(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("download failed") && err.contains("check GOPROXY"),
        "{err}"
    );
    assert!(
        !err.contains("--mirror") && !err.contains("GOX_FEED_URL"),
        "{err}"
    );
    assert!(w.installed_dirs().is_empty());
    assert_eq!(zip_requests(&empty), 1);

    // `,` moves on after 404; `|` moves on after any error (500). The database is reached
    // through the first proxy that supports it (GOSUMDB names only the key).
    // The broken proxy gets the retry policy first (GOX_RETRIES=2), then `|` moves on. The
    // checksum database (reached through the good proxy) is busy once: retried too.
    let goproxy = format!("{},{}|{}", gone.url(), broken.url(), good.url());
    db.fail_next(1);
    let out = gox_proxy(&w, &goproxy, &db.vkey(), &[]);
    assert!(out.status.success(), "{}", describe(&out));
    let lookups = good
        .requests()
        .iter()
        .filter(|r| r.path.contains("/lookup/"))
        .count();
    assert_eq!(lookups, 2, "one 503 from the database, then one retry");
    assert_eq!(w.installed_dirs(), ["go1.22.10.linux-amd64"]);
    assert_eq!(
        (
            zip_requests(&gone),
            zip_requests(&broken),
            zip_requests(&good)
        ),
        (1, 2, 1)
    );
    assert!(
        good.requests()
            .iter()
            .any(|r| r.path == format!("/sumdb/{TEST_SUMDB_NAME}/supported")),
        "the database went through the proxy"
    );
    assert!(
        db.requests().is_empty(),
        "the database itself was never asked directly"
    );
    let r = receipt(&w);
    assert_eq!(r["source_kind"], "proxy");
    assert_eq!(r["module"]["h1"], zip.h1.as_str());
    assert_eq!(r["module"]["proxy"], good.url().as_str());
    assert_eq!(r["module"]["sumdb"], TEST_SUMDB_NAME);
    assert_eq!(r["module"]["tree_size"], 301);
    assert!(r["module"].get("insecure_skip_sumdb").is_none());
    let latest = w.home().join("sumdb").join(TEST_SUMDB_NAME).join("latest");
    assert_eq!(std::fs::read(&latest).unwrap(), db.good_signed_tree());

    // The installed tree is a working toolchain: go.mod restored, tools executable.
    let goroot = w.goroot("1.22.10", "linux/amd64");
    assert!(goroot.join("src/go.mod").is_file() && goroot.join("src/_go.mod").is_file());
    w.setup_shims();
    w.write("hello/.go-version", "1.22.10\n");
    w.write("hello/go.mod", "module hello\n\ngo 1.22\n");
    w.write(
        "hello/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello via the proxy\") }\n",
    );
    let build = w
        .go("hello")
        .args(["build", "-o", "hello", "."])
        .env("GOCACHE", w.cache().join("test-gocache"))
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(build.status.success(), "go build: {}", describe(&build));
    let run = Command::new(w.projects().join("hello/hello"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "hello via the proxy"
    );

    // `,` after a 500 stops: the next proxy is never asked.
    let before = zip_requests(&good);
    let out = gox_proxy(
        &w,
        &format!("{},{}", broken.url(), good.url()),
        &db.gosumdb(),
        &["--force"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("500"), "{}", describe(&out));
    assert_eq!(zip_requests(&good), before);

    // `,` after a 404 reaches `direct`: golang.org/toolchain's go-get page is asked (here
    // through a dead HTTPS_PROXY, so it fails at once and never leaves the machine); the
    // error keeps the proxy's 404, then says what `direct` did and the fix.
    let out = w
        .gox()
        .args([
            "install", "--quiet", "1.22.10", "--source", "proxy", "--force",
        ])
        .env("GOPROXY", format!("{},direct", gone.url()))
        .env("GOSUMDB", db.gosumdb())
        .env("GOX_RETRIES", "1")
        .env("HTTPS_PROXY", dead_proxy())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    for want in [
        "404",
        "then: GOPROXY reaches `direct`",
        "https://golang.org/toolchain?go-get=1",
        "fix: put a module proxy before `direct`",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }

    // `off` still refuses, before the database is asked.
    let before = db.requests().len();
    let out = gox_proxy(&w, "off", &db.gosumdb(), &["--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("GOPROXY=off"), "{}", describe(&out));
    assert_eq!(db.requests().len(), before);

    // GOSUMDB=off is refused for toolchains; --insecure-skip-sumdb installs, loudly, and
    // the receipt says so.
    let out = gox_proxy(&w, &good.url(), "off", &["--force"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("GOSUMDB=off"), "{}", describe(&out));
    assert_eq!(receipt(&w)["module"]["tree_size"], 301, "untouched");
    let out = gox_proxy(
        &w,
        &good.url(),
        "off",
        &["--force", "--insecure-skip-sumdb"],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stderr(&out).contains("WARNING"), "{}", describe(&out));
    let r = receipt(&w);
    assert_eq!(r["module"]["insecure_skip_sumdb"], true);
    assert!(r["module"].get("sumdb").is_none());

    // `auto`: with go.dev unreachable and a company GOPROXY, the proxy source is used (here
    // it then refuses GOSUMDB=off, before any download); with the default GOPROXY, the
    // feed's error stands.
    let offline_feed = |goproxy: &str| {
        let mut cmd = w.gox();
        cmd.args(["install", "--quiet", "1.22.10", "--force", "--refresh"])
            .env("GOX_FEED_URL", "http://127.0.0.1:9/dl/?mode=json")
            .env("GOX_CACHE_DIR", w.root.path().join("empty-cache"))
            .env("GOPROXY", goproxy)
            .env("GOSUMDB", "off");
        cmd.output().expect("run gox")
    };
    let out = offline_feed(&good.url());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("GOSUMDB=off"), "{}", describe(&out));
    let out = offline_feed("https://proxy.golang.org,direct");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(!stderr(&out).contains("GOSUMDB"), "{}", describe(&out));
    assert!(stderr(&out).contains("127.0.0.1:9"), "{}", describe(&out));
}

#[test]
fn gox_source_reaches_the_commands_that_install_without_a_source_flag() {
    let zip = zip_1_22_10();
    let db = SumDbServer::start(std::slice::from_ref(&zip));
    let proxy = GoProxyServer::with_sumdb(std::slice::from_ref(&zip), &db);
    let w = World::new();
    w.write("p/go.mod", "module p\n\ngo 1.22\n");
    let gox = |source: &str| {
        let mut cmd = w.gox();
        cmd.current_dir(w.projects().join("p"))
            .args(["use", "1.22.10", "--quiet"])
            .env("GOX_SOURCE", source)
            .env("GOPROXY", proxy.url())
            .env("GOSUMDB", db.vkey());
        cmd.output().unwrap()
    };
    let out = gox("feed|proxy");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("GOX_SOURCE=\"feed|proxy\": not a toolchain source"),
        "{}",
        describe(&out)
    );
    assert!(w.installed_dirs().is_empty());

    // `gox use` installs through the proxy: the feed's mirror is never asked for an archive.
    let out = gox("proxy");
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(receipt(&w)["source_kind"], "proxy");
    assert_eq!(zip_requests(&proxy), 1);
    assert!(
        w.server
            .requests()
            .iter()
            .all(|r| !r.path.ends_with(".tar.gz")),
        "{:?}",
        w.server.requests()
    );

    // A stale GOX_PLATFORM is named as itself; an empty one is unset.
    let out = w
        .gox()
        .args(["install", "1.22.10"])
        .env("GOX_PLATFORM", "x86_64")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("GOX_PLATFORM=\"x86_64\""),
        "{}",
        describe(&out)
    );
    let out = w
        .gox()
        .args(["install", "1.22.10"])
        .env("GOX_PLATFORM", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("already installed"),
        "{}",
        describe(&out)
    );
}

/// An HTTPS_PROXY nobody listens on (the port was just free): requests fail at once.
fn dead_proxy() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// A newer fixture Go (1.27.3), unpacked into `dir`.
fn newer_go(dir: &Path) -> PathBuf {
    let archive = fixtures().archive("1.27.3", "linux/amd64");
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&archive.path).expect("fixture"));
    tar::Archive::new(gz).unpack(dir).expect("unpack go1.27.3");
    dir.join("go/bin/go")
}

/// `GOTOOLCHAIN=go1.22.10 go version` run by the newer go, with its own module cache; the
/// sumdb state (GOPATH/pkg/sumdb) lives in `gopath`.
fn real_go(
    go: &Path,
    root: &Path,
    gopath: &Path,
    goproxy: &str,
    gosumdb: &str,
    extra: &[(&str, &str)],
) -> Output {
    let modcache = tempfile::tempdir_in(root).unwrap();
    Command::new(go)
        .arg("version")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", root.join("home"))
        .env("GOPATH", gopath)
        .env("GOMODCACHE", modcache.path())
        .env("GOCACHE", root.join("gocache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", gosumdb)
        .env("GOTOOLCHAIN", "go1.22.10")
        .envs(extra.iter().copied())
        .output()
        .expect("run go")
}

#[test]
fn real_go_and_gox_accept_and_refuse_the_same_things() {
    let zip = zip_1_22_10();
    let db = SumDbServer::start(std::slice::from_ref(&zip));
    let proxy = GoProxyServer::start(std::slice::from_ref(&zip));
    let root = tempfile::tempdir().unwrap();
    let go = newer_go(root.path());

    // Accepted: go downloads the same zip, checks it against the same database, runs it.
    let gopath = root.path().join("gopath-good");
    let out = real_go(&go, root.path(), &gopath, &proxy.url(), &db.gosumdb(), &[]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("go1.22.10"),
        "{}",
        describe(&out)
    );

    #[derive(Debug, Clone, Copy)]
    enum Bad {
        TamperedZip,
        Db(DbMode),
        SumdbOff,
        /// GONOPROXY matching the module: no proxy may serve it. Both go direct (here
        /// through a dead HTTPS_PROXY, so they fail at once instead of waiting for DNS).
        NoProxy,
    }
    let cases = [
        (Bad::TamperedZip, "checksum mismatch", "checksum mismatch"),
        (
            Bad::Db(DbMode::WrongH1),
            "checksum mismatch",
            "checksum mismatch",
        ),
        (Bad::Db(DbMode::BadSignature), "does not verify", "verif"),
        // go finds the fork while re-checking its stored tree against the new tiles.
        (Bad::Db(DbMode::Forked), "forked", "inconsistent"),
        (Bad::Db(DbMode::MissingRecord), "has no record", "404"),
        (Bad::SumdbOff, "GOSUMDB=off", "GOSUMDB=off"),
        (Bad::NoProxy, "GONOPROXY", "toolchain not available"),
    ];
    let dead_proxy = dead_proxy();
    for (bad, gox_says, go_says) in cases {
        let w = World::new();
        let gopath = root.path().join(format!("gopath-{bad:?}"));
        let mut gosumdb = db.gosumdb();
        match bad {
            Bad::TamperedZip => proxy.serve_tampered(true),
            Bad::Db(mode) => db.set_mode(mode),
            Bad::SumdbOff => gosumdb = "off".into(),
            Bad::NoProxy => {}
        }
        let env: &[(&str, &str)] = match bad {
            Bad::NoProxy => &[("GONOPROXY", "golang.org"), ("HTTPS_PROXY", &dead_proxy)],
            _ => &[],
        };
        if let Bad::Db(DbMode::Forked) = bad {
            // Both clients verified the honest tree before.
            for dir in [
                w.home().join("sumdb").join(TEST_SUMDB_NAME),
                gopath.join("pkg/sumdb").join(TEST_SUMDB_NAME),
            ] {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("latest"), db.good_signed_tree()).unwrap();
            }
        }
        let gox = w
            .gox()
            .args(["install", "--quiet", "1.22.10", "--source", "proxy"])
            .env("GOPROXY", proxy.url())
            .env("GOSUMDB", &gosumdb)
            .env("GOX_RETRIES", "2")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let real = real_go(&go, root.path(), &gopath, &proxy.url(), &gosumdb, env);
        proxy.serve_tampered(false);
        db.set_mode(DbMode::Good);

        assert_eq!(
            gox.status.code(),
            Some(1),
            "gox, {bad:?}: {}",
            describe(&gox)
        );
        assert!(
            stderr(&gox).contains(gox_says),
            "gox, {bad:?}: {}",
            describe(&gox)
        );
        assert!(
            w.toolchains_entries().is_empty(),
            "gox, {bad:?}: {:?}",
            w.toolchains_entries()
        );
        assert!(
            !real.status.success(),
            "go accepted {bad:?}: {}",
            describe(&real)
        );
        assert!(
            stderr(&real).contains(go_says),
            "go, {bad:?}: {}",
            describe(&real)
        );
        assert!(!String::from_utf8_lossy(&real.stdout).contains("go1.22.10"));
    }
}

/// `direct` as `go` does it, with the real `go` doing the same thing beside gox: both ask
/// `https://golang.org/toolchain?go-get=1`, follow its go-import tag (`mod
/// https://go.dev/dl/mod`) and fetch the zip from there, checked against the checksum
/// database. golang.org and go.dev are testkit's [`DirectSite`] over TLS, reached only
/// through an HTTPS_PROXY (a CONNECT proxy) whose CA both trust through SSL_CERT_FILE.
#[test]
fn direct_follows_the_go_import_tag_as_real_go_does() {
    let zip = zip_1_22_10();
    let db = SumDbServer::start(std::slice::from_ref(&zip));
    let origin = GoProxyServer::start(std::slice::from_ref(&zip));
    let site = DirectSite::start(&origin);
    let tunnel = ConnectProxy::start(site.addr(), None);
    let gone = GoProxyServer::start(&[]);
    gone.set_status(Some(404));
    let company = GoProxyServer::start(std::slice::from_ref(&zip));
    let root = tempfile::tempdir().unwrap();
    let go = newer_go(root.path());
    let ca = root.path().join("ca.pem");
    std::fs::write(&ca, site.ca_pem()).unwrap();
    let (tunnel_url, ca) = (tunnel.url(), ca.to_str().unwrap().to_string());
    let zip_path = format!("/dl/mod/golang.org/toolchain/@v/{MODULE_VERSION}.zip");
    let direct_fetches = vec![
        ("golang.org".to_string(), "/toolchain".to_string()),
        ("go.dev".to_string(), zip_path.clone()),
    ];

    struct Case {
        name: &'static str,
        goproxy: String,
        gonoproxy: Option<&'static str>,
        page: Option<&'static str>,
        tampered: bool,
        /// `None`: both install; else what gox and go say when they refuse.
        refusal: Option<(&'static [&'static str], &'static str)>,
    }
    let no_tag = "<html><head><meta name=\"go-import\" content=\"golang.org/x mod \
                  https://go.dev/dl/mod\"></head><body><meta name=\"go-import\" \
                  content=\"golang.org/toolchain mod https://go.dev/dl/mod\"></body></html>";
    let cases = [
        Case {
            name: "GOPROXY=direct",
            goproxy: "direct".into(),
            gonoproxy: None,
            page: None,
            tampered: false,
            refusal: None,
        },
        Case {
            name: "404 proxy, then direct",
            goproxy: format!("{},direct", gone.url()),
            gonoproxy: None,
            page: None,
            tampered: false,
            refusal: None,
        },
        Case {
            name: "GONOPROXY=golang.org with a working proxy",
            goproxy: company.url(),
            gonoproxy: Some("golang.org"),
            page: None,
            tampered: false,
            refusal: None,
        },
        Case {
            name: "no matching go-import tag",
            goproxy: "direct".into(),
            gonoproxy: None,
            page: Some(no_tag),
            tampered: false,
            refusal: Some((
                &[
                    "GOPROXY reaches `direct`",
                    "https://golang.org/toolchain?go-get=1",
                    "no go-import meta tags (meta tag golang.org/x did not match import path \
                     golang.org/toolchain)",
                    "fix: put a module proxy before `direct`",
                ],
                "toolchain not available",
            )),
        },
        Case {
            name: "a tampered zip behind the tag",
            goproxy: "direct".into(),
            gonoproxy: None,
            page: None,
            tampered: true,
            refusal: Some((
                &[
                    "SECURITY ERROR",
                    "checksum mismatch",
                    "https://go.dev/dl/mod/",
                ],
                "checksum mismatch",
            )),
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        let name = case.name;
        site.set_page(case.page.unwrap_or(gox_testkit::TOOLCHAIN_GO_GET_PAGE));
        origin.serve_tampered(case.tampered);
        let mut env: Vec<(&str, &str)> = vec![("HTTPS_PROXY", &tunnel_url), ("SSL_CERT_FILE", &ca)];
        if let Some(g) = case.gonoproxy {
            env.push(("GONOPROXY", g));
        }
        let (gone_before, company_before) = (gone.zip_downloads(), company.zip_downloads());

        let w = World::new();
        let served = site.served().len();
        let gox = w
            .gox()
            .args(["install", "--quiet", "1.22.10", "--source", "proxy"])
            .env("GOPROXY", &case.goproxy)
            .env("GOSUMDB", db.gosumdb())
            .env("GOX_RETRIES", "2")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let gox_fetched = site.served()[served..].to_vec();

        let gopath = root.path().join(format!("gopath-direct-{i}"));
        let served = site.served().len();
        let real = real_go(
            &go,
            root.path(),
            &gopath,
            &case.goproxy,
            &db.gosumdb(),
            &env,
        );
        let go_fetched = site.served()[served..].to_vec();
        origin.serve_tampered(false);

        match case.refusal {
            None => {
                assert!(gox.status.success(), "gox, {name}: {}", describe(&gox));
                let version = Command::new(w.goroot("1.22.10", "linux/amd64").join("bin/go"))
                    .arg("version")
                    .output()
                    .unwrap();
                assert!(
                    stdout(&version).contains("go1.22.10"),
                    "{name}: {}",
                    describe(&version)
                );
                assert_eq!(
                    receipt(&w)["module"]["proxy"],
                    "https://go.dev/dl/mod",
                    "{name}"
                );
                assert_eq!(receipt(&w)["module"]["h1"], zip.h1.as_str(), "{name}");
                assert_eq!(gox_fetched, direct_fetches, "gox, {name}");

                assert!(real.status.success(), "go, {name}: {}", describe(&real));
                assert!(
                    stdout(&real).contains("go1.22.10"),
                    "go, {name}: {}",
                    describe(&real)
                );
                assert_eq!(go_fetched, direct_fetches, "go, {name}");
            }
            Some((gox_says, go_says)) => {
                assert_eq!(
                    gox.status.code(),
                    Some(1),
                    "gox, {name}: {}",
                    describe(&gox)
                );
                for want in gox_says {
                    assert!(
                        stderr(&gox).contains(want),
                        "gox, {name}: {want}: {}",
                        describe(&gox)
                    );
                }
                assert!(w.toolchains_entries().is_empty(), "gox, {name}");
                assert!(
                    !real.status.success(),
                    "go accepted {name}: {}",
                    describe(&real)
                );
                assert!(
                    stderr(&real).contains(go_says),
                    "go, {name}: {}",
                    describe(&real)
                );
                assert!(!stdout(&real).contains("go1.22.10"), "go, {name}");
                // Both read the same page (and the zip, when the page names it).
                assert_eq!(gox_fetched, go_fetched, "{name}");
                assert_eq!(gox_fetched[0], direct_fetches[0], "{name}");
            }
        }
        // The 404 proxy was asked once by each; the company proxy never (GONOPROXY).
        let gone_asked = gone.zip_downloads() - gone_before;
        let want_gone = if case.goproxy.starts_with(&gone.url()) {
            2
        } else {
            0
        };
        assert_eq!(gone_asked, want_gone, "{name}");
        assert_eq!(company.zip_downloads(), company_before, "{name}");
    }
    // Every direct request went through the tunnel, to golang.org and go.dev on 443.
    let tunnels = tunnel.tunnels();
    assert!(!tunnels.is_empty());
    assert!(
        tunnels
            .iter()
            .all(|t| t == "golang.org:443" || t == "go.dev:443"),
        "{tunnels:?}"
    );
}
