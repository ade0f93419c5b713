//! End to end over the real cache, when `cargo xtask fixtures` has been run.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use gox_testkit::{Fixtures, sha256_hex};

#[test]
fn mirror_serves_real_archives_with_feed_checksums() {
    // CI builds the fixtures first (`cargo xtask fixtures`); missing fixtures fail loudly.
    let fx: &Fixtures = gox_testkit::fixtures();
    let a = fx.archive("1.22.10", "linux/amd64");
    let feed: serde_json::Value = serde_json::from_str(&fx.feed_json).unwrap();
    let listed = feed
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["files"].as_array().unwrap())
        .find(|f| f["filename"] == a.filename.as_str())
        .unwrap();
    assert_eq!(listed["sha256"], a.sha256.as_str());

    let server = fx.mirror().start();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET /dl/{} HTTP/1.1\r\nHost: t\r\n\r\n", a.filename).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let body = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(out.len() - body, a.size as usize);
    assert_eq!(sha256_hex(&out[body..]), a.sha256);
    assert_eq!(server.hits(&a.filename), 1);
}
