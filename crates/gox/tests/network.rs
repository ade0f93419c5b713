//! The network misbehaving, through the real `gox` binary against loopback servers that
//! misbehave on command: retries, resume, mirror failover, bad feeds and caches.
//!
//! Most cases install a small but real toolchain: go1.22.10 linux/amd64 cut down to
//! `bin/go`, `bin/gofmt` and `pkg/tool/linux_amd64/buildid` (real binaries, so the
//! installer's verification runs), served under its go.dev name with its true sha256 in
//! the feed. That keeps each install a few MB instead of 90.

mod support;

use std::io::Read;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use gox_testkit::{Fault, FeedBuilder, MirrorBuilder, MirrorServer, fixtures, sha256_hex};
use support::{World, describe, stderr, stdout};

const NAME: &str = "go1.22.10.linux-amd64.tar.gz";
const MIB: u64 = 1 << 20;

/// The cut-down toolchain archive and its sha256, built once per test process.
fn small() -> &'static (Vec<u8>, String) {
    static SMALL: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    SMALL.get_or_init(|| {
        let src = &fixtures().archive("1.22.10", "linux/amd64").path;
        let gz = flate2::read::GzDecoder::new(std::fs::File::open(src).expect("fixture"));
        let mut input = tar::Archive::new(gz);
        let mut out = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let keep = [
            "go/VERSION",
            "go/bin/go",
            "go/bin/gofmt",
            "go/pkg/tool/linux_amd64/",
            // The verifier wants at least one tool; buildid is one of the smallest.
            "go/pkg/tool/linux_amd64/buildid",
            // Every Go tree has its runtime's sources; the verifier checks for them.
            "go/src/runtime/",
            "go/src/runtime/extern.go",
        ];
        for entry in input.entries().expect("entries") {
            let mut entry = entry.expect("entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            if !keep.contains(&path.as_str()) {
                continue;
            }
            let mut header = entry.header().clone();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read entry");
            header.set_cksum();
            out.append(&header, data.as_slice()).expect("append");
        }
        let bytes = out.into_inner().expect("tar").finish().expect("gzip");
        let sha = sha256_hex(&bytes);
        (bytes, sha)
    })
}

fn small_feed() -> String {
    let (bytes, sha) = small();
    FeedBuilder::new()
        .release("1.22.10", true)
        .archive("1.22.10", "linux", "amd64", NAME, sha, bytes.len() as u64)
        .to_json()
}

/// A mirror serving the feed and the small archive.
fn small_mirror() -> MirrorBuilder {
    MirrorBuilder::new()
        .feed(small_feed())
        .bytes(NAME, small().0.clone())
}

fn len() -> u64 {
    small().0.len() as u64
}

/// Runs `gox install 1.22.10` with fast retry settings plus `extra` env, timing it.
fn install(w: &World, extra: &[(&str, &str)], args: &[&str]) -> (std::process::Output, Duration) {
    let mut cmd = w.gox();
    cmd.env("GOX_RETRIES", "3")
        .env("GOX_DEADLINE", "20")
        .env("GOX_STALL_TIMEOUT", "2")
        .args(["install", "1.22.10"])
        .args(args);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run gox");
    (out, start.elapsed())
}

fn assert_installed(w: &World, out: &std::process::Output) {
    assert!(out.status.success(), "{}", describe(out));
    assert!(
        w.goroot("1.22.10", "linux/amd64").join("bin/go").is_file(),
        "{}",
        describe(out)
    );
}

/// Failed: exit 1, nothing installed, no staging dir, no `.part` unless `part_kept`.
fn assert_failed_cleanly(w: &World, out: &std::process::Output, part_kept: bool) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", describe(out));
    assert!(w.installed_dirs().is_empty(), "{:?}", w.installed_dirs());
    assert!(
        w.toolchains_entries().iter().all(|n| !n.starts_with('.')),
        "{:?}",
        w.toolchains_entries()
    );
    let part = w.downloads().contains(&format!("{NAME}.part"));
    assert_eq!(part, part_kept, "{:?}\n{}", w.downloads(), describe(out));
    stderr(out)
}

fn gets(server: &MirrorServer) -> Vec<gox_testkit::Request> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == format!("/dl/{NAME}"))
        .collect()
}

fn url(server: &MirrorServer) -> String {
    format!("{}{NAME}", server.download_base())
}

#[test]
fn a_503_then_ok_succeeds_with_exactly_one_retry() {
    let w = World::with_mirror(small_mirror().fault_first(NAME, Fault::Status(503), 1));
    let (out, _) = install(&w, &[], &[]);
    assert_installed(&w, &out);
    assert_eq!(w.server.hits(NAME), 2, "{}", describe(&out));
    let log = gets(&w.server);
    assert_eq!((log[0].status, log[1].status), (503, 200));
    // The finished archive is kept under its own name, the .part is gone.
    assert_eq!(w.downloads(), vec![NAME.to_string()]);
}

#[test]
fn always_503_fails_within_the_deadline_and_counts_attempts() {
    let w = World::with_mirror(small_mirror().fault(NAME, Fault::Status(503)));
    let (out, took) = install(&w, &[], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert_eq!(w.server.hits(NAME), 3);
    assert!(
        err.contains(&format!(
            "GET {}: HTTP 503 Service Unavailable after 3 attempts",
            url(&w.server)
        )),
        "{err}"
    );
    assert!(!err.contains("not found on this mirror"), "{err}");
    assert!(took < Duration::from_secs(15), "{took:?}");

    // Many attempts allowed, but a 2 s deadline: it stops on the deadline.
    w.server.clear_requests();
    let (out, took) = install(&w, &[("GOX_RETRIES", "1000"), ("GOX_DEADLINE", "2")], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert!(err.contains("GOX_DEADLINE=2s"), "{err}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    let hits = w.server.hits(NAME);
    assert!((2..1000).contains(&hits), "{hits}");
    assert!(
        err.contains(&format!("after {hits} attempts")),
        "{hits}: {err}"
    );
}

#[test]
fn a_reset_after_1_mib_resumes_with_range_and_fetches_only_the_rest() {
    let w = World::with_mirror(small_mirror().fault_first(NAME, Fault::DropAfter(MIB), 1));
    let (out, _) = install(&w, &[], &[]);
    assert_installed(&w, &out);
    let log = gets(&w.server);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].header("range"), None);
    assert_eq!(
        log[1].header("range"),
        Some(format!("bytes={MIB}-").as_str())
    );
    let etag = format!("\"{}-{}\"", sha256_hex(NAME.as_bytes()), len());
    assert_eq!(log[1].header("if-range"), Some(etag.as_str()));
    assert_eq!(
        (log[1].status, log[0].sent, log[1].sent),
        (206, MIB, len() - MIB)
    );
}

/// A world whose first install loses the connection after 1 MiB (one attempt), leaving
/// a `.part`; the fault is then cleared and the log emptied.
fn world_with_a_part() -> (World, String) {
    let w = World::with_mirror(small_mirror().fault(NAME, Fault::DropAfter(MIB)));
    let (out, _) = install(&w, &[("GOX_RETRIES", "1")], &[]);
    let err = assert_failed_cleanly(&w, &out, true);
    assert_eq!(gets(&w.server)[0].header("range"), None);
    w.server.clear_requests();
    w.server.set_fault(NAME, None);
    (w, err)
}

/// Installs again and returns the one GET it made, asserting it asked for the rest.
fn resume(w: &World) -> gox_testkit::Request {
    let (out, _) = install(w, &[], &[]);
    assert_installed(w, &out);
    let log = gets(&w.server);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        log[0].header("range"),
        Some(format!("bytes={MIB}-").as_str())
    );
    log[0].clone()
}

/// An earlier run that lost the network leaves `<file>.part` (+ its validator); the next
/// run asks for the rest, and starts over when the server ignores the range.
#[test]
fn a_server_without_range_support_gets_a_fresh_start() {
    let (w, err) = world_with_a_part();
    assert!(err.contains("the next `gox install` resumes it"), "{err}");
    assert!(err.contains("after 1 attempt"), "{err}");
    w.server.set_fault(NAME, Some(Fault::NoRange));
    let get = resume(&w);
    assert_eq!((get.status, get.sent), (200, len()));
}

#[test]
fn a_changed_file_fails_if_range_and_restarts() {
    let (w, _) = world_with_a_part();
    w.server.set_etag(NAME, "\"changed\"");
    let get = resume(&w);
    let etag = format!("\"{}-{}\"", sha256_hex(NAME.as_bytes()), len());
    assert_eq!(get.header("if-range"), Some(etag.as_str()));
    assert_eq!((get.status, get.sent), (200, len()));
}

#[test]
fn truncation_wrong_length_redirect_loops_and_stalls_fail_cleanly_in_bounded_time() {
    let w = World::with_mirror(small_mirror());
    let cases: Vec<(Fault, &str, usize, bool)> = vec![
        // (fault, what the message says, GETs, .part kept)
        (Fault::DropAfter(1000), "after 2 attempts", 2, true),
        (
            Fault::WrongLength(len() + 5000),
            "after 2 attempts",
            2,
            true,
        ),
        // Fewer bytes announced than the file has: a complete-looking but wrong file.
        (Fault::WrongLength(1000), "checksum mismatch", 1, false),
        (
            Fault::Redirect(format!("/dl/{NAME}")),
            "more than 10 redirects after 1 attempt",
            10,
            false,
        ),
        (Fault::StallAfter(1000), "no data for 1.0 s", 2, true),
        // Accepts, then says nothing at all (the 30 s delay outlasts the 1 s stall limit).
        (
            Fault::Delay(Duration::from_secs(30)),
            "no response for 1.0 s",
            2,
            false,
        ),
    ];
    for (fault, says, requests, part) in cases {
        w.server.clear_requests();
        let _ = std::fs::remove_file(w.cache().join("downloads").join(format!("{NAME}.part")));
        let _ = std::fs::remove_file(
            w.cache()
                .join("downloads")
                .join(format!("{NAME}.part.meta")),
        );
        w.server.set_fault(NAME, Some(fault.clone()));
        let (out, took) = install(&w, &[("GOX_RETRIES", "2"), ("GOX_STALL_TIMEOUT", "1")], &[]);
        let err = assert_failed_cleanly(&w, &out, part);
        assert!(err.contains(says), "{fault:?}: {err}");
        assert!(err.contains(&url(&w.server)), "{fault:?}: {err}");
        assert_eq!(gets(&w.server).len(), requests, "{fault:?}: {err}");
        assert!(took < Duration::from_secs(15), "{fault:?}: {took:?}");
    }
}

#[test]
fn not_found_and_forbidden_are_not_retried() {
    let w = World::with_mirror(small_mirror().fault(NAME, Fault::NotFound));
    let (out, _) = install(&w, &[], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert_eq!(w.server.hits(NAME), 1);
    assert!(err.contains("HTTP 404 Not Found after 1 attempt"), "{err}");
    assert!(err.contains("not found on this mirror"), "{err}");

    w.server.clear_requests();
    w.server.set_fault(NAME, Some(Fault::Status(403)));
    let (out, _) = install(&w, &[], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert_eq!(w.server.hits(NAME), 1);
    assert!(err.contains("HTTP 403 Forbidden after 1 attempt"), "{err}");
    assert!(!err.contains("not found on this mirror"), "{err}");
    // Never retried, so raising GOX_RETRIES is no advice for it.
    assert!(err.contains("the mirror refused the request"), "{err}");
    assert!(!err.contains("raise GOX_RETRIES"), "{err}");
}

/// A port nothing listens on: connection refused.
fn dead_base() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/dl/")
}

#[test]
fn a_failover_list_whose_first_mirror_is_down_or_lacks_the_file_uses_the_second() {
    let w = World::with_mirror(small_mirror());
    let list = format!("{},{}", dead_base(), w.server.download_base());
    let (out, _) = install(&w, &[], &["--mirror", &list]);
    assert_installed(&w, &out);
    assert!(stderr(&out).contains("retrying"), "{}", describe(&out));
    assert_eq!(w.server.hits(NAME), 1);

    // A mirror without the file: one request there, then the next mirror.
    let empty = MirrorBuilder::new().start();
    std::fs::remove_file(w.cache().join("downloads").join(NAME)).unwrap();
    w.server.clear_requests();
    let list = format!("{},{}", empty.download_base(), w.server.download_base());
    let (out, _) = install(&w, &[], &["--force", "--mirror", &list]);
    assert_installed(&w, &out);
    assert_eq!((empty.hits(NAME), w.server.hits(NAME)), (1, 1));
}

#[test]
fn the_download_base_variable_beats_gox_mirror_and_both_beat_the_config_file() {
    let w = World::with_mirror(small_mirror());
    // A config pointing at a dead mirror, and GOX_MIRROR pointing at another dead one: the
    // environment's GOX_DOWNLOAD_BASE (the fixture mirror, set by the World) wins.
    let config = w.config();
    std::fs::write(&config, format!("mirror = \"{}\"\n", dead_base())).unwrap();
    let (out, _) = install(&w, &[("GOX_MIRROR", &dead_base())], &[]);
    assert_installed(&w, &out);
    assert!(!stderr(&out).contains("retrying"), "{}", describe(&out));
    assert_eq!(w.server.hits(NAME), 1);

    // Without GOX_DOWNLOAD_BASE, GOX_MIRROR beats the config file (downloaded again: the
    // cached archive is gone).
    std::fs::remove_file(w.cache().join("downloads").join(NAME)).unwrap();
    let mut cmd = w.gox();
    cmd.env_remove("GOX_DOWNLOAD_BASE")
        .env("GOX_MIRROR", w.server.download_base())
        .args(["install", "1.22.10", "--force"]);
    let out = cmd.output().unwrap();
    assert_installed(&w, &out);
    assert_eq!(w.server.hits(NAME), 2, "{}", describe(&out));

    // Without either, the config file's mirror is used, and named when it is wrong.
    std::fs::write(&config, "mirror = \"tsinghua\"\n").unwrap();
    let out = w
        .gox()
        .env_remove("GOX_DOWNLOAD_BASE")
        .args(["install", "1.22.10", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: mirror=\"tsinghua\"", config.display())),
        "{err}"
    );
    assert!(err.contains("ustc"), "{err}");
}

#[test]
fn a_bad_mirror_setting_is_named_and_a_bad_flag_is_a_usage_error() {
    let w = World::with_mirror(small_mirror());
    let (out, _) = install(&w, &[], &["--mirror", "tsinghua"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("'--mirror"), "{err}");
    assert!(err.contains("use one of go.dev"), "{err}");
    let (out, _) = install(&w, &[], &["--mirror", "http://example.com/go/"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        stderr(&out).contains("https://example.com/go/"),
        "{}",
        describe(&out)
    );

    let mut cmd = w.gox();
    cmd.env_remove("GOX_DOWNLOAD_BASE")
        .env("GOX_MIRROR", "tsinghua")
        .args(["install", "1.22.10"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("GOX_MIRROR=\"tsinghua\""), "{err}");
    assert!(!err.contains("--mirror"), "{err}");
    // Nothing was asked of any server.
    assert_eq!(w.server.hits(NAME), 0);
}

#[test]
fn a_checksum_mismatch_stops_the_list() {
    let w = World::with_mirror(small_mirror());
    let (bytes, _) = small();
    let mut evil = bytes.clone();
    let last = evil.len() - 100;
    evil[last] ^= 0xff;
    let bad = MirrorBuilder::new().bytes(NAME, evil).start();
    let list = format!("{},{}", bad.download_base(), w.server.download_base());
    let (out, _) = install(&w, &[], &["--mirror", &list]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(
        err.contains(&format!("{}{NAME}", bad.download_base())),
        "{err}"
    );
    assert_eq!((bad.hits(NAME), w.server.hits(NAME)), (1, 0));
    assert!(
        !w.downloads().iter().any(|n| n.starts_with("go1")),
        "{:?}",
        w.downloads()
    );
}

#[test]
fn retry_after_is_honoured_and_bounded_by_the_deadline() {
    let w =
        World::with_mirror(small_mirror().fault_first(NAME, Fault::RetryAfter(503, "2".into()), 1));
    let (out, took) = install(&w, &[], &[]);
    assert_installed(&w, &out);
    assert_eq!(w.server.hits(NAME), 2);
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(
        stderr(&out).contains("retrying in 2.0 s"),
        "{}",
        describe(&out)
    );

    // An hour is capped by the 3 s budget: gox gives up at once instead of sleeping.
    let w = World::with_mirror(small_mirror().fault(NAME, Fault::RetryAfter(429, "3600".into())));
    let (out, took) = install(&w, &[("GOX_DEADLINE", "3")], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert!(
        err.contains("HTTP 429 Too Many Requests after 1 attempt"),
        "{err}"
    );
    assert!(err.contains("GOX_DEADLINE=3s"), "{err}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    // Also with a deadline (here the tests' 20 s; 120 s by default) longer than the capped
    // 30 s wait: the hour asked for is past it, so gox stops now instead of polling.
    let w = World::with_mirror(small_mirror().fault(NAME, Fault::RetryAfter(503, "3600".into())));
    let (out, took) = install(&w, &[], &[]);
    let err = assert_failed_cleanly(&w, &out, false);
    assert!(err.contains("after 1 attempt"), "{err}");
    assert!(err.contains("the retry deadline, GOX_DEADLINE="), "{err}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

fn ls_remote(w: &World) -> std::process::Output {
    let mut cmd = w.gox();
    cmd.env("GOX_RETRIES", "2").args(["ls-remote"]);
    cmd.output().expect("run gox")
}

#[test]
fn a_corrupt_feed_cache_is_fetched_again_with_a_notice() {
    let w = World::new();
    let out = ls_remote(&w);
    assert!(out.status.success(), "{}", describe(&out));
    let cache = w.cache().join("feed.json");
    let good = std::fs::read(&cache).unwrap();
    let truncated = good[..good.len() / 2].to_vec();
    for junk in [truncated, b"\x00\x01junk".to_vec(), br#"{"a": 1}"#.to_vec()] {
        std::fs::write(&cache, &junk).unwrap();
        let before = w.server.hits("feed");
        let out = ls_remote(&w);
        assert!(out.status.success(), "{}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "the cached feed {} was unreadable",
                cache.display()
            )),
            "{err}"
        );
        assert!(err.contains("fetched it again"), "{err}");
        assert!(stdout(&out).contains("1.22.10"), "{}", describe(&out));
        assert_eq!(w.server.hits("feed"), before + 1);
        assert_eq!(std::fs::read(&cache).unwrap(), good);
    }
}

#[test]
fn junk_empty_html_and_huge_feeds_are_rejected_naming_the_url() {
    let w = World::new();
    let feed_url = w.server.feed_url();
    let cases = [
        ("junk", "\u{1}\u{2}garbage".to_string(), "not a JSON array"),
        ("empty", String::new(), "the body is empty"),
        (
            "html",
            "<!doctype html><html>portal</html>".into(),
            "an HTML page",
        ),
        ("no releases", "[1, 2, 3]".into(), "lists no release"),
    ];
    for (what, body, says) in cases {
        w.server.set_feed(body);
        let out = ls_remote(&w);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&feed_url) && err.contains(says),
            "{what}: {err}"
        );
    }
    // 50 MB, sent without a Content-Length: cut off, never read whole. Garbage is refused
    // at its first bytes; a body that starts like JSON at the 16 MiB cap.
    w.server.set_fault("feed", Some(Fault::NoLength));
    for (start, says) in [("x", "not a JSON array"), ("[", "larger than 16 MiB")] {
        w.server.clear_requests();
        w.server
            .set_feed(format!("{start}{}", " ".repeat(50_000_000)));
        let t = Instant::now();
        let out = ls_remote(&w);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains(&feed_url) && err.contains(says), "{err}");
        let sent = w.server.sent("feed");
        assert_eq!(sent.len(), 1, "not retried: {sent:?}");
        assert!(sent[0] < 40_000_000, "{sent:?}");
        assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    }
}

#[test]
fn an_interrupted_download_is_resumed_by_the_next_run() {
    let (w, _) = world_with_a_part();
    // The bytes on disk are hashed and extracted again, then only the rest is fetched.
    let get = resume(&w);
    assert_eq!((get.status, get.sent), (206, len() - MIB));
    assert_eq!(w.downloads(), vec![NAME.to_string()]);
}
