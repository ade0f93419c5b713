//! Everything that can go wrong while finding out what to download. Each message names the
//! URL or path involved and what the user can do about it.

use std::fmt;
use std::path::PathBuf;

use gox_core::{Platform, Version};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A URL the policy refuses (plain http to a non-loopback host, an unknown scheme).
    #[error("refusing {url}: {reason}")]
    UrlPolicy { url: String, reason: String },

    /// A setting (environment variable or CLI flag) whose value cannot be used.
    #[error("{name}={value:?}: {reason}")]
    Setting {
        name: String,
        value: String,
        reason: String,
    },

    /// The HTTP client could not be built (TLS roots, proxy settings).
    #[error("could not set up the HTTP client: {detail}")]
    HttpClient { detail: String },

    /// The request did not get an HTTP answer: DNS, connect, TLS, timeout, proxy.
    #[error(
        "GET {url}: {detail}; check your network connection and proxy settings \
         (HTTPS_PROXY, NO_PROXY; SSL_CERT_FILE for a company CA), or point GOX_FEED_URL at a \
         reachable feed"
    )]
    Network { url: String, detail: String },

    /// A module proxy (GOPROXY, or the checksum database reached through it) did not
    /// answer: the fix is in the proxy settings, not the feed's.
    #[error(
        "GET {url}: {detail}; check GOPROXY (`,` moves to the next proxy only after a 404/410, \
         `|` after any error) and the network (HTTPS_PROXY, NO_PROXY), or install from the \
         feed with --source feed"
    )]
    ProxyNetwork { url: String, detail: String },

    /// The server answered with an error status.
    #[error("GET {url}: HTTP {status}; check GOX_FEED_URL")]
    Status { url: String, status: String },

    /// The feed is bigger than any real one could be.
    #[error(
        "feed at {url} is larger than {limit_mib} MiB; this is not the go.dev feed, check GOX_FEED_URL"
    )]
    TooLarge { url: String, limit_mib: u64 },

    /// The body is empty, or does not even start like a JSON array (HTML, junk), or lists
    /// no release gox can read. Rejected at its first bytes, so junk is never read whole.
    #[error(
        "feed at {url} is not a Go release feed: {reason}; it starts with {head:?}; check \
         GOX_FEED_URL (a proxy or captive portal may have answered instead)"
    )]
    NotAFeed {
        url: String,
        reason: String,
        head: String,
    },

    /// The cached feed is unreadable and `--offline` forbids fetching it again.
    #[error(
        "the cached feed {} is corrupt ({reason}); run `gox ls-remote --refresh` online to fetch it again",
        path.display()
    )]
    CorruptCache { path: PathBuf, reason: String },

    /// The feed body is not JSON, or not a JSON array.
    #[error(
        "feed at {url} is not valid JSON (line {line} column {column}): {detail}; it starts with \
         {head:?}; check GOX_FEED_URL (a proxy or captive portal may have answered instead)"
    )]
    FeedJson {
        url: String,
        line: usize,
        column: usize,
        detail: String,
        head: String,
    },

    /// `FetchPolicy::Offline` and nothing cached.
    #[error("no cached feed at {}; connect once or run `gox ls-remote` online", path.display())]
    NoCache { path: PathBuf },

    /// Reading a local feed (`file://`) failed.
    #[error("cannot read the feed {}: {source}; check GOX_FEED_URL", path.display())]
    ReadFeed {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The checksum database refused or could not prove a toolchain.
    #[error("{0}")]
    Sumdb(#[from] gox_sumdb::SumdbError),

    /// `direct` (or a GONOPROXY match) found no module proxy through the go-import tag.
    #[error("{0}")]
    Direct(Box<crate::direct::DirectError>),

    /// The release has no archive for the requested platform.
    #[error("{0}")]
    NoBuild(Box<NoBuild>),
}

/// Details of [`ResolveError::NoBuild`] (boxed: errors travel in every `Result`).
#[derive(Debug)]
pub struct NoBuild {
    pub version: Version,
    pub platform: Platform,
    /// What the release does have, sorted.
    pub available: Vec<Platform>,
    /// How to get the version anyway (old Go on Apple Silicon: the amd64 route).
    pub hint: Option<String>,
}

impl fmt::Display for NoBuild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Go {} has no {} archive", self.version, self.platform)?;
        if self.available.is_empty() {
            f.write_str(" (the feed lists no platform archives for it)")?;
        } else {
            let list: Vec<String> = self.available.iter().map(ToString::to_string).collect();
            write!(f, "; available: {}", list.join(", "))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

/// An error and its causes on one line: reqwest's own message ("error sending request")
/// hides the useful part (connection refused, certificate invalid) in the source chain.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        // hyper and reqwest often repeat the inner message verbatim.
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}
