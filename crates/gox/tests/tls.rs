//! Trusting a company CA: gox trusts the bundled Mozilla roots plus the PEM certificates
//! in `SSL_CERT_FILE` / `SSL_CERT_DIR` (docs/install.md, "Corporate CA"). The server here
//! is a loopback HTTPS mirror whose certificate only that CA vouches for, like a
//! TLS-inspecting proxy.

mod support;

use std::process::Output;

use gox_testkit::tls::PROXIED_HOST;
use gox_testkit::{ConnectProxy, FEED_FILE, TlsServer, fixtures, fixtures_dir};
use support::{World, describe, stderr, stdout};

fn ls_remote(w: &World, server: &TlsServer, vars: &[(&str, &std::path::Path)]) -> Output {
    let mut cmd = w.gox();
    cmd.env("GOX_FEED_URL", format!("{}/feed.json", server.url()));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.args(["ls-remote", "1.22", "--json"]).output().unwrap()
}

#[test]
fn company_ca_from_ssl_cert_file_or_dir_is_trusted() {
    let feed = std::fs::read(fixtures_dir().join(FEED_FILE)).unwrap();
    let server = TlsServer::start(vec![("feed.json".to_string(), feed)]);
    let w = World::new();
    let ca_dir = w.root.path().join("company-ca");
    std::fs::create_dir_all(&ca_dir).unwrap();
    let ca_file = ca_dir.join("company.pem");
    std::fs::write(&ca_file, server.ca_pem()).unwrap();

    // Without the CA: a TLS error naming the URL, no silent fallback.
    let out = ls_remote(&w, &server, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains(&server.url()), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(err.contains("SSL_CERT_FILE"), "the fix is named: {err}");

    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        let value = if var == "SSL_CERT_FILE" {
            &ca_file
        } else {
            &ca_dir
        };
        // A fresh cache each time: the feed must really come over TLS.
        let _ = std::fs::remove_dir_all(w.cache());
        let out = ls_remote(&w, &server, &[(var, value.as_path())]);
        assert!(out.status.success(), "{var}: {}", describe(&out));
        let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(rows[0]["version"], "1.22.10", "{var}: {rows}");
    }

    // A set but unreadable variable is an error naming it.
    let missing = ca_dir.join("missing.pem");
    let out = ls_remote(&w, &server, &[("SSL_CERT_FILE", missing.as_path())]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("SSL_CERT_FILE"), "{}", describe(&out));
    assert!(stderr(&out).contains("missing.pem"), "{}", describe(&out));
}

/// A company network: the only way out is an authenticating proxy (CONNECT) that also
/// inspects TLS, so the mirror's certificate comes from the company CA. The mirror's name
/// (`mirror.gox.test`) does not resolve: only the proxy reaches it.
#[test]
fn installs_through_an_authenticating_proxy_that_inspects_tls() {
    let archive = fixtures().archive("1.22.10", "linux/amd64");
    let server = TlsServer::start(vec![
        (
            "feed.json".to_string(),
            std::fs::read(fixtures_dir().join(FEED_FILE)).unwrap(),
        ),
        (
            format!("dl/{}", archive.filename),
            std::fs::read(&archive.path).unwrap(),
        ),
    ]);
    let proxy = ConnectProxy::start(server.addr(), Some("alice:s3cret"));
    let w = World::new();
    let ca_file = w.root.path().join("company.pem");
    std::fs::write(&ca_file, server.ca_pem()).unwrap();
    let install = |proxy_url: &str| {
        let mut cmd = w.gox();
        cmd.env(
            "GOX_FEED_URL",
            format!("{}/feed.json", server.proxied_url()),
        )
        .env("GOX_DOWNLOAD_BASE", format!("{}/dl/", server.proxied_url()))
        .env("SSL_CERT_FILE", &ca_file)
        .env("HTTPS_PROXY", proxy_url)
        .env("GOX_RETRIES", "1")
        .args(["install", "1.22.10"]);
        cmd.output().unwrap()
    };

    // Without the credentials: the proxy's 407 is reported with the fix, not retried,
    // nothing installed.
    let out = install(&proxy.url());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("HTTP 407 from the proxy"), "{err}");
    assert!(
        err.contains("HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT"),
        "{err}"
    );
    assert!(err.contains("after 1 attempt"), "{err}");
    assert!(w.installed_dirs().is_empty());
    assert!(proxy.tunnels().is_empty());

    // With them (in the URL, as curl and go take them): the feed and the archive both come
    // through the tunnel, and the toolchain works.
    let with_credentials = proxy.url().replace("http://", "http://alice:s3cret@");
    let out = install(&with_credentials);
    assert!(out.status.success(), "{}", describe(&out));
    let tunnels = proxy.tunnels();
    let expected = format!("{PROXIED_HOST}:{}", server.addr().port());
    assert!(
        tunnels.len() >= 2 && tunnels.iter().all(|t| *t == expected),
        "{tunnels:?}"
    );
    let go = w.goroot("1.22.10", "linux/amd64").join("bin/go");
    let version = std::process::Command::new(go)
        .arg("version")
        .output()
        .unwrap();
    assert!(
        stdout(&version).contains("go1.22.10"),
        "{}",
        describe(&version)
    );
}
