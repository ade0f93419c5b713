//! Fetching the feed from a loopback mirror: cache, TTL, conditional GET, offline fallback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use gox_core::{Environment, Spec};
use gox_resolver::{
    DEFAULT_TTL, FeedClient, FetchPolicy, MAX_FEED_BYTES, ResolveError, RetryPolicy, Sources,
    cached_feed, http_client,
};
use gox_testkit::{Fault, FeedBuilder, MirrorBuilder, MirrorServer};
use url::Url;

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn feed_json(versions: &[&str]) -> String {
    versions
        .iter()
        .fold(FeedBuilder::new(), |b, v| {
            let name = format!("go{v}.linux-amd64.tar.gz");
            b.archive(v, "linux", "amd64", &name, SHA, 1)
        })
        .to_json()
}

fn sources_for(feed_url: &str) -> Sources {
    let base = Url::parse("https://dl.google.com/go/").unwrap();
    Sources::new(Url::parse(feed_url).unwrap(), base).unwrap()
}

fn client(feed_url: &str, cache: &Path, ttl: Duration) -> FeedClient {
    let http = http_client(
        "gox-test",
        &Environment::fake("/", Vec::<(String, String)>::new()),
    )
    .unwrap();
    FeedClient::new(http, sources_for(feed_url), cache.to_path_buf(), ttl).with_retry(fast_retry())
}

/// Retries that finish in milliseconds.
fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        deadline: Duration::from_secs(5),
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        stall: Duration::from_secs(5),
    }
}

fn latest(loaded: &gox_resolver::Loaded) -> String {
    let release = loaded.feed.resolve(&Spec::Latest).unwrap();
    release.version.as_str().to_string()
}

fn meta(cache: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(cache.join("feed.meta.json")).unwrap()).unwrap()
}

fn mirror(versions: &[&str]) -> MirrorServer {
    MirrorBuilder::new().feed(feed_json(versions)).start()
}

/// A loopback address nothing listens on.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/dl/?mode=json&include=all")
}

#[tokio::test]
async fn a_fresh_cache_answers_without_a_request() {
    let server = mirror(&["1.22.10"]);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), DEFAULT_TTL);

    let first = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(!first.from_cache);
    assert_eq!(first.notice, None);
    assert_eq!(latest(&first), "1.22.10");
    assert_eq!(server.hits("feed"), 1);
    assert_eq!(meta(cache.path())["url"], server.feed_url());

    let second = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(second.from_cache);
    assert_eq!(latest(&second), "1.22.10");
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
}

#[tokio::test]
async fn a_stale_cache_is_revalidated_not_downloaded_again() {
    let server = mirror(&["1.22.10"]);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), Duration::ZERO);

    feeds.load(FetchPolicy::PreferCache).await.unwrap();
    let etag = meta(cache.path())["etag"].as_str().unwrap().to_string();
    // Age the cache so the touch after the 304 is visible.
    let mut m = meta(cache.path());
    m["fetched_at"] = 1.into();
    std::fs::write(cache.path().join("feed.meta.json"), m.to_string()).unwrap();

    let second = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(
        second.from_cache,
        "304 means the cached body is still right"
    );
    assert_eq!(second.notice, None);
    assert_eq!(latest(&second), "1.22.10");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("if-none-match"), Some(etag.as_str()));
    assert!(requests[1].header("if-modified-since").is_some());
    assert!(meta(cache.path())["fetched_at"].as_u64().unwrap() > 1);
}

#[tokio::test]
async fn a_changed_feed_replaces_the_cache() {
    let server = mirror(&["1.22.10"]);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), DEFAULT_TTL);
    feeds.load(FetchPolicy::PreferCache).await.unwrap();

    server.set_feed(feed_json(&["1.22.11", "1.22.10"]));
    // Within the TTL nobody asks; `Refresh` does.
    let cached = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert_eq!(latest(&cached), "1.22.10");
    let refreshed = feeds.load(FetchPolicy::Refresh).await.unwrap();
    assert!(!refreshed.from_cache);
    assert_eq!(latest(&refreshed), "1.22.11");
    assert_eq!(
        latest(&feeds.load(FetchPolicy::Offline).await.unwrap()),
        "1.22.11"
    );
    assert_eq!(server.hits("feed"), 2);
}

#[tokio::test]
async fn a_server_error_falls_back_to_the_cache_with_a_notice() {
    let server = mirror(&["1.22.10"]);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), Duration::ZERO);
    feeds.load(FetchPolicy::PreferCache).await.unwrap();

    server.set_fault("feed", Some(Fault::Status(500)));
    let loaded = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(loaded.from_cache);
    assert_eq!(latest(&loaded), "1.22.10");
    let notice = loaded.notice.unwrap();
    assert!(
        notice.starts_with("offline: using the feed cached "),
        "{notice}"
    );
    assert!(notice.contains("ago"), "{notice}");
    assert!(
        notice.contains("HTTP 500 Internal Server Error"),
        "{notice}"
    );
}

#[tokio::test]
async fn an_unreachable_server_falls_back_to_the_cache() {
    let url = closed_port_url();
    let cache = tempfile::tempdir().unwrap();
    // Fill the cache from a mirror, then point the same URL at nothing.
    let server = mirror(&["1.21.13"]);
    client(&server.feed_url(), cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::Refresh)
        .await
        .unwrap();
    let mut m = meta(cache.path());
    m["url"] = url.clone().into();
    std::fs::write(cache.path().join("feed.meta.json"), m.to_string()).unwrap();

    let loaded = client(&url, cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::Refresh)
        .await
        .unwrap();
    assert!(loaded.from_cache);
    assert_eq!(latest(&loaded), "1.21.13");
    let notice = loaded.notice.unwrap();
    assert!(notice.contains(&format!("GET {url}")), "{notice}");
}

#[tokio::test]
async fn without_a_cache_network_errors_are_errors() {
    let cache = tempfile::tempdir().unwrap();
    let url = closed_port_url();
    let err = client(&url, cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap_err();
    assert!(matches!(err, ResolveError::Network { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("GET {url}: ")), "{msg}");
    assert!(msg.contains("HTTPS_PROXY"), "{msg}");

    let server = MirrorBuilder::new()
        .feed("[]")
        .fault("feed", Fault::NotFound)
        .start();
    let err = client(&server.feed_url(), cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GET {}: HTTP 404 Not Found after 1 attempt (not found; not retried); check GOX_FEED_URL",
            server.feed_url()
        )
    );
}

#[tokio::test]
async fn a_garbage_feed_is_an_error_naming_the_url() {
    let server = MirrorBuilder::new()
        .feed("<html>captive portal</html>")
        .start();
    let cache = tempfile::tempdir().unwrap();
    let err = client(&server.feed_url(), cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap_err();
    assert!(matches!(err, ResolveError::NotAFeed { .. }), "{err}");
    assert!(err.to_string().contains(&server.feed_url()), "{err}");
    assert!(err.to_string().contains("an HTML page"), "{err}");
    assert!(
        !cache.path().join("feed.json").exists(),
        "garbage must not be cached"
    );
}

#[tokio::test]
async fn offline_uses_the_cache_or_says_how_to_get_one() {
    let cache = tempfile::tempdir().unwrap();
    let server = mirror(&["1.22.10"]);
    let feeds = client(&server.feed_url(), cache.path(), Duration::ZERO);

    let err = feeds.load(FetchPolicy::Offline).await.unwrap_err();
    assert!(matches!(err, ResolveError::NoCache { .. }), "{err}");
    let expected = format!(
        "no cached feed at {}; connect once or run `gox ls-remote` online",
        cache.path().join("feed.json").display()
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(server.requests().len(), 0);

    feeds.load(FetchPolicy::Refresh).await.unwrap();
    // Stale by the TTL, but offline means no network at all.
    let loaded = feeds.load(FetchPolicy::Offline).await.unwrap();
    assert!(loaded.from_cache);
    assert_eq!(loaded.notice, None);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_cache_from_another_feed_url_is_ignored() {
    let cache = tempfile::tempdir().unwrap();
    let old = mirror(&["1.21.13"]);
    client(&old.feed_url(), cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap();

    let new = mirror(&["1.22.10"]);
    let feeds = client(&new.feed_url(), cache.path(), DEFAULT_TTL);
    let err = feeds.load(FetchPolicy::Offline).await.unwrap_err();
    assert!(matches!(err, ResolveError::NoCache { .. }), "{err}");
    let loaded = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(!loaded.from_cache);
    assert_eq!(latest(&loaded), "1.22.10");
    assert_eq!(new.hits("feed"), 1);
    // No conditional headers: the old validators belong to the other feed.
    assert_eq!(new.requests()[0].header("if-none-match"), None);
}

#[tokio::test]
async fn a_file_feed_is_read_directly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.json");
    std::fs::write(&path, feed_json(&["1.23.4", "1.22.10"])).unwrap();
    let url = Url::from_file_path(&path).unwrap();
    let cache = dir.path().join("cache");
    let feeds = client(url.as_str(), &cache, DEFAULT_TTL);

    for policy in [FetchPolicy::PreferCache, FetchPolicy::Offline] {
        let loaded = feeds.load(policy).await.unwrap();
        assert_eq!(latest(&loaded), "1.23.4");
        assert!(!loaded.from_cache);
    }
    assert!(!cache.exists(), "a local feed needs no cache");

    std::fs::remove_file(&path).unwrap();
    let err = feeds.load(FetchPolicy::PreferCache).await.unwrap_err();
    assert!(matches!(err, ResolveError::ReadFeed { .. }), "{err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

/// Answers one request with `head`, then `body_len` spaces, then closes. A detached
/// thread: the client may hang up early, and nobody waits for it.
fn canned(head: String, body_len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(head.as_bytes());
            let chunk = [b' '; 64 * 1024];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n;
            }
        }
    });
    format!("http://{addr}/dl/?mode=json&include=all")
}

async fn load_err(url: &str) -> ResolveError {
    let cache = tempfile::tempdir().unwrap();
    client(url, cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_huge_feed_is_refused() {
    let too_big = MAX_FEED_BYTES + 1;
    // Announced: refused before reading the body.
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {too_big}\r\nConnection: close\r\n\r\n");
    let err = load_err(&canned(head, 0)).await;
    assert!(matches!(err, ResolveError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
    // Unannounced (read until close): refused once the limit is crossed.
    let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_string();
    let err = load_err(&canned(head, too_big as usize)).await;
    assert!(matches!(err, ResolveError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn a_redirect_to_plain_http_is_refused() {
    let head = "HTTP/1.1 302 Found\r\nLocation: http://example.com/dl/?mode=json\r\n\
                Content-Length: 0\r\nConnection: close\r\n\r\n";
    let err = load_err(&canned(head.to_string(), 0)).await;
    let msg = err.to_string();
    assert!(
        msg.contains("refusing http://example.com/dl/?mode=json"),
        "{msg}"
    );
}

#[tokio::test]
async fn completions_read_the_cache_without_the_network() {
    let cache = tempfile::tempdir().unwrap();
    assert!(cached_feed(cache.path()).is_none());
    let server = mirror(&["1.22.10"]);
    client(&server.feed_url(), cache.path(), DEFAULT_TTL)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap();
    drop(server);
    let feed = cached_feed(cache.path()).unwrap();
    assert_eq!(feed.releases()[0].version.as_str(), "1.22.10");
}

#[tokio::test]
async fn the_feed_is_retried_through_the_shared_policy() {
    let server = mirror(&["1.22.10"]);
    server.set_fault_first("feed", Fault::RetryAfter(503, "0".into()), 1);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), Duration::ZERO);
    let loaded = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert_eq!(latest(&loaded), "1.22.10");
    assert_eq!(server.hits("feed"), 2);

    // Always failing, no cache: the error counts the attempts.
    let empty = tempfile::tempdir().unwrap();
    server.set_fault("feed", Some(Fault::Status(502)));
    let err = client(&server.feed_url(), empty.path(), Duration::ZERO)
        .load(FetchPolicy::PreferCache)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 502 Bad Gateway after 3 attempts (the retry limit, GOX_RETRIES=3)"),
        "{err}"
    );
    assert_eq!(server.hits("feed"), 5);
}

#[tokio::test]
async fn offline_with_a_corrupt_cache_says_so() {
    let server = mirror(&["1.22.10"]);
    let cache = tempfile::tempdir().unwrap();
    let feeds = client(&server.feed_url(), cache.path(), DEFAULT_TTL);
    feeds.load(FetchPolicy::PreferCache).await.unwrap();
    std::fs::write(cache.path().join("feed.json"), "[{\"version\": \"go1.2").unwrap();
    let err = feeds.load(FetchPolicy::Offline).await.unwrap_err();
    assert!(matches!(err, ResolveError::CorruptCache { .. }), "{err}");
    assert!(err.to_string().contains("feed.json is corrupt"), "{err}");
    // Online, it is replaced with a notice.
    let loaded = feeds.load(FetchPolicy::PreferCache).await.unwrap();
    assert!(loaded.notice.unwrap().contains("was unreadable"));
    assert_eq!(server.hits("feed"), 2);
}
