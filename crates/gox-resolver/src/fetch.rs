//! Getting the feed: from the cache when it is fresh, with a conditional GET when it is
//! not, and from a stale cache (with a notice) when the network fails.

use std::path::PathBuf;
use std::time::Duration;

use gox_core::Environment;
use reqwest::header::{
    ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::{StatusCode, redirect};
use url::Url;

use crate::cache::{self, CacheState, Cached, Meta};
use crate::error::{ResolveError, chain};
use crate::feed::{self, Feed};
use crate::retry::{self, Attempt, Failure, RetryPolicy, Stopped};
use crate::source::{Sources, check_url};

/// How long a cached feed is used without asking the server: new Go releases appear a
/// few times a month, and an hour keeps `gox install` snappy without missing one for long.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);

/// The go.dev feed (`include=all`) is a few MiB; anything past this is not a feed, and is
/// cut off here rather than read whole.
pub const MAX_FEED_BYTES: u64 = 16 * 1024 * 1024;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest silence between two reads; catches stalled downloads of any size.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Whole-request budget for the feed (not for archives, whose size varies a lot).
const FEED_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_REDIRECTS: usize = 10;

/// The HTTP client for the feed and for archive downloads.
///
/// rustls with both the bundled and the system roots; proxies from `HTTPS_PROXY` /
/// `ALL_PROXY` and `NO_PROXY` (either case) read through `env`, loopback always direct;
/// redirects are held to the same [`check_url`] policy as configured URLs, so an https
/// mirror cannot bounce a download to plain http.
pub fn http_client(user_agent: &str, env: &Environment) -> Result<reqwest::Client, ResolveError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else if let Err(e) = check_url(attempt.url()) {
                attempt.error(e.to_string())
            } else {
                attempt.follow()
            }
        }))
        // reqwest would read the proxy variables from the real process environment.
        .no_proxy();
    if let Some(proxy) = https_proxy(env)? {
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|e| ResolveError::HttpClient { detail: chain(&e) })
}

fn https_proxy(env: &Environment) -> Result<Option<reqwest::Proxy>, ResolveError> {
    let first = |names: &[&'static str]| {
        names
            .iter()
            .find_map(|&name| env.var(name).map(|value| (name, value)))
    };
    let Some((name, value)) = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    else {
        return Ok(None);
    };
    let no_proxy = first(&["NO_PROXY", "no_proxy"]).map_or("", |(_, v)| v);
    let proxy = reqwest::Proxy::https(value).map_err(|e| ResolveError::Setting {
        name: name.to_string(),
        value: value.to_string(),
        reason: format!("not a proxy URL ({})", chain(&e)),
    })?;
    // A loopback mirror is never behind the proxy.
    let no_proxy = format!("{no_proxy},localhost,127.0.0.0/8,::1");
    Ok(Some(
        proxy.no_proxy(reqwest::NoProxy::from_string(&no_proxy)),
    ))
}

/// How much [`FeedClient::load`] may rely on the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchPolicy {
    /// Use the cache while it is younger than the TTL, else revalidate it.
    PreferCache,
    /// Always ask the server (conditionally, when there is a cache). Like
    /// `PreferCache`, falls back to the cache with a notice when the server fails.
    Refresh,
    /// Never touch the network; fail when nothing is cached.
    Offline,
}

/// A feed and how it was obtained.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub feed: Feed,
    /// Something the user should know, e.g. that a stale cache stood in for the network.
    pub notice: Option<String>,
    /// The feed body came from the cache (fresh, revalidated by a 304, or as a fallback).
    pub from_cache: bool,
}

/// Loads the feed from [`Sources::feed_url`], caching it in `cache_dir`.
#[derive(Clone, Debug)]
pub struct FeedClient {
    http: reqwest::Client,
    sources: Sources,
    cache_dir: PathBuf,
    ttl: Duration,
    retry: RetryPolicy,
}

enum Fetched {
    /// The parsed feed and the body to cache.
    Fresh(Feed, Vec<u8>, Validators),
    NotModified(Validators),
}

struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

impl FeedClient {
    pub fn new(http: reqwest::Client, sources: Sources, cache_dir: PathBuf, ttl: Duration) -> Self {
        Self {
            http,
            sources,
            cache_dir,
            ttl,
            retry: RetryPolicy::default(),
        }
    }

    /// Retries transient failures of the feed fetch per `policy` (default: the defaults).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Where the cached feed body lives.
    pub fn cache_path(&self) -> PathBuf {
        cache::feed_path(&self.cache_dir)
    }

    /// The feed, as far as `policy` lets the cache answer. A `file://` feed is read
    /// directly under every policy: it is local, so offline too, and needs no cache.
    pub async fn load(&self, policy: FetchPolicy) -> Result<Loaded, ResolveError> {
        let url = self.sources.feed_url();
        // A local feed is as cheap as the cache and available offline: no caching.
        if url.scheme() == "file" {
            return read_local(url);
        }
        let (cached, corrupt) = match cache::read(&self.cache_dir, url.as_str()) {
            CacheState::Missing => (None, None),
            CacheState::Corrupt { path, reason } => (None, Some((path, reason))),
            CacheState::Valid(c) => (Some(c), None),
        };
        let fresh = |meta: &Meta| meta.age().is_some_and(|age| age < self.ttl);
        match (policy, cached, corrupt) {
            (FetchPolicy::Offline, None, Some((path, reason))) => {
                Err(ResolveError::CorruptCache { path, reason })
            }
            (FetchPolicy::Offline, None, None) => Err(ResolveError::NoCache {
                path: self.cache_path(),
            }),
            (FetchPolicy::Offline, Some(c), _) => Ok(from_cache(c.feed, None)),
            (FetchPolicy::PreferCache, Some(c), _) if fresh(&c.meta) => {
                Ok(from_cache(c.feed, None))
            }
            (_, cached, corrupt) => {
                let mut loaded = self.revalidate(url, cached).await?;
                if let Some((path, reason)) = corrupt {
                    // Say so: a corrupt cache hints at a disk or a tool misbehaving.
                    let notice = format!(
                        "the cached feed {} was unreadable ({reason}); fetched it again from {url}",
                        path.display()
                    );
                    loaded.notice = Some(match loaded.notice {
                        Some(other) => format!("{notice}\ngox: {other}"),
                        None => notice,
                    });
                }
                Ok(loaded)
            }
        }
    }

    /// Asks the server; any failure falls back to the cache, however old, with a notice.
    async fn revalidate(&self, url: &Url, cached: Option<Cached>) -> Result<Loaded, ResolveError> {
        let fetched = self.fetch(url, cached.as_ref().map(|c| &c.meta)).await;
        match (fetched, cached) {
            (Ok(Fetched::Fresh(feed, body, validators)), _) => {
                let meta = self.meta(validators);
                let notice = self.cache_notice(cache::write(&self.cache_dir, &body, &meta));
                Ok(Loaded {
                    feed,
                    notice,
                    from_cache: false,
                })
            }
            (Ok(Fetched::NotModified(validators)), Some(c)) => {
                // A 304 may omit the validators; keep the ones we sent.
                let meta = self.meta(Validators {
                    etag: validators.etag.or(c.meta.etag),
                    last_modified: validators.last_modified.or(c.meta.last_modified),
                });
                let notice = self.cache_notice(cache::write_meta(&self.cache_dir, &meta));
                Ok(from_cache(c.feed, notice))
            }
            // We sent no validators, so a 304 answers nothing we asked.
            (Ok(Fetched::NotModified(_)), None) => Err(ResolveError::Status {
                url: url.to_string(),
                status: StatusCode::NOT_MODIFIED.to_string(),
            }),
            (Err(e), Some(c)) => {
                let age = c.meta.age().map_or("at an unknown time".to_string(), |a| {
                    format!("{} ago", cache::human_age(a))
                });
                let notice = format!("offline: using the feed cached {age} ({e})");
                Ok(from_cache(c.feed, Some(notice)))
            }
            (Err(e), None) => Err(e),
        }
    }

    /// The GET of the feed, retried per the policy; a body that is not a feed is not
    /// retried (the server answered, just not with a feed).
    async fn fetch(&self, url: &Url, cached: Option<&Meta>) -> Result<Fetched, ResolveError> {
        let result = retry::retry(
            &self.retry,
            url.as_str(),
            |_| self.fetch_once(url, cached),
            |_, _, _| {},
        )
        .await;
        match result {
            Ok(fetched) => Ok(fetched),
            Err(Stopped::Abort(e)) => Err(e),
            Err(Stopped::GaveUp(g)) if g.last.status.is_some() => Err(ResolveError::Status {
                url: url.to_string(),
                status: g.summary().trim_start_matches("HTTP ").to_string(),
            }),
            Err(Stopped::GaveUp(g)) => Err(ResolveError::Network {
                url: url.to_string(),
                detail: g.summary(),
            }),
        }
    }

    /// One GET of the feed, conditional when we hold a cached copy.
    async fn fetch_once(
        &self,
        url: &Url,
        cached: Option<&Meta>,
    ) -> Result<Fetched, Attempt<ResolveError>> {
        let network = |e: reqwest::Error| Attempt::Failed(Failure::client(&e));
        let mut headers = HeaderMap::new();
        if let Some(meta) = cached {
            // A corrupted validator is dropped rather than turned into a failing request.
            if let Some(v) = meta
                .etag
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(IF_NONE_MATCH, v);
            }
            if let Some(v) = meta
                .last_modified
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(IF_MODIFIED_SINCE, v);
            }
        }
        let mut response = self
            .http
            .get(url.clone())
            .headers(headers)
            .timeout(FEED_TIMEOUT)
            .send()
            .await
            .map_err(network)?;
        let validators = Validators {
            etag: header(response.headers(), ETAG),
            last_modified: header(response.headers(), LAST_MODIFIED),
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified(validators));
        }
        if !status.is_success() {
            return Err(Attempt::Failed(Failure::status(status, response.headers())));
        }
        let too_large = || {
            Attempt::Abort(ResolveError::TooLarge {
                url: url.to_string(),
                limit_mib: MAX_FEED_BYTES >> 20,
            })
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FEED_BYTES)
        {
            return Err(too_large());
        }
        // Content-Length may be absent or wrong (chunked); count what actually arrives.
        let mut body = Vec::new();
        let mut started = false;
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if (body.len() + chunk.len()) as u64 > MAX_FEED_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            // Judge the first bytes that are not whitespace, once.
            if !started && !chunk.iter().all(u8::is_ascii_whitespace) {
                started = true;
                feed::sniff(&body, url.as_str()).map_err(Attempt::Abort)?;
            }
        }
        let feed = Feed::parse_nonempty(&body, url.as_str()).map_err(Attempt::Abort)?;
        Ok(Fetched::Fresh(feed, body, validators))
    }

    fn meta(&self, validators: Validators) -> Meta {
        Meta {
            url: self.sources.feed_url().to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            fetched_at: cache::now_unix(),
        }
    }

    /// A cache that cannot be written (read-only home, full disk) costs speed, not the
    /// command: report it and go on.
    fn cache_notice(&self, result: std::io::Result<()>) -> Option<String> {
        result.err().map(|e| {
            format!(
                "could not cache the feed in {}: {e}; set GOX_CACHE_DIR to a writable directory",
                self.cache_dir.display()
            )
        })
    }
}

fn from_cache(feed: Feed, notice: Option<String>) -> Loaded {
    Loaded {
        feed,
        notice,
        from_cache: true,
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A `file://` feed, read directly. Local files are small and the CLI's runtime has
/// nothing else to do meanwhile, so blocking reads are fine here.
fn read_local(url: &Url) -> Result<Loaded, ResolveError> {
    let path = url.to_file_path().map_err(|()| ResolveError::ReadFeed {
        path: PathBuf::from(url.path()),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a local file path (a file:// URL with a host?)",
        ),
    })?;
    let read_err = |source| ResolveError::ReadFeed {
        path: path.clone(),
        source,
    };
    let len = std::fs::metadata(&path).map_err(read_err)?.len();
    if len > MAX_FEED_BYTES {
        return Err(ResolveError::TooLarge {
            url: url.to_string(),
            limit_mib: MAX_FEED_BYTES >> 20,
        });
    }
    let body = std::fs::read(&path).map_err(read_err)?;
    Ok(Loaded {
        feed: Feed::parse_nonempty(&body, url.as_str())?,
        notice: None,
        from_cache: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::fake(
            "/",
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn proxies_come_from_the_injected_environment() {
        assert!(https_proxy(&env(&[])).unwrap().is_none());
        assert!(
            https_proxy(&env(&[("https_proxy", "http://proxy.example:3128")]))
                .unwrap()
                .is_some()
        );
        assert!(
            https_proxy(&env(&[("ALL_PROXY", "http://p.example:8080")]))
                .unwrap()
                .is_some()
        );
        let err = https_proxy(&env(&[("HTTPS_PROXY", "http://[bad")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("HTTPS_PROXY=\"http://[bad\": not a proxy URL"),
            "{err}"
        );
        assert!(
            http_client(
                "gox-test",
                &env(&[("HTTPS_PROXY", "http://proxy.example:3128")])
            )
            .is_ok()
        );
    }
}
