//! The feed cache: `<cache_dir>/feed.json` as the server sent it, and
//! `<cache_dir>/feed.meta.json` with where it came from and the validators for a
//! conditional GET.
//!
//! The cache is an optimisation and an offline fallback, never a source of truth: a cache
//! from another feed URL counts as no cache at all, and an unreadable one (truncated, junk,
//! wrong shape) as a corrupt one, which the fetcher replaces with a notice.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::feed::Feed;

// Listed in gox_core::layout::CACHE_ENTRIES (`gox self uninstall --all` removes them).
const FEED_FILE: &str = "feed.json";
const META_FILE: &str = "feed.meta.json";

/// What we know about the cached body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub url: String,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Unix seconds of the last time the server confirmed this body (200 or 304).
    pub fetched_at: u64,
}

impl Meta {
    /// How long ago the body was confirmed; `None` when the timestamp lies in the future
    /// (clock changed), which callers treat as stale.
    pub fn age(&self) -> Option<Duration> {
        now_unix()
            .checked_sub(self.fetched_at)
            .map(Duration::from_secs)
    }
}

pub(crate) struct Cached {
    pub feed: Feed,
    pub meta: Meta,
}

pub(crate) fn feed_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join(FEED_FILE)
}

fn meta_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join(META_FILE)
}

/// Whether `text` is a `feed.json` this cache writes: a feed, go.dev's JSON array (perhaps
/// cut short by a crash). `gox self uninstall --all` removes the file only then, since the
/// cache dir may be shared (`GOX_CACHE_DIR=~/.cache`).
pub fn is_feed_file(text: &str) -> bool {
    text.trim_start().starts_with('[')
}

/// [`is_feed_file`] for `feed.meta.json`: a JSON object ([`Meta`]).
pub fn is_meta_file(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// What the cache holds for a feed URL.
pub(crate) enum CacheState {
    /// Nothing, or a feed from another URL.
    Missing,
    /// Something that is not a usable feed: the file and why.
    Corrupt {
        path: PathBuf,
        reason: String,
    },
    Valid(Cached),
}

/// The cached feed for `url`.
pub(crate) fn read(cache_dir: &Path, url: &str) -> CacheState {
    let meta_file = meta_path(cache_dir);
    let Ok(meta_bytes) = std::fs::read(&meta_file) else {
        return CacheState::Missing;
    };
    let meta: Meta = match serde_json::from_slice(&meta_bytes) {
        Ok(meta) => meta,
        Err(e) => {
            return CacheState::Corrupt {
                path: meta_file,
                reason: e.to_string(),
            };
        }
    };
    if meta.url != url {
        return CacheState::Missing;
    }
    let path = feed_path(cache_dir);
    let corrupt = |reason: String| CacheState::Corrupt {
        path: path.clone(),
        reason,
    };
    let body = match std::fs::read(&path) {
        Ok(body) => body,
        Err(e) => return corrupt(e.to_string()),
    };
    match Feed::parse_nonempty(&body, &path.display().to_string()) {
        Ok(feed) => CacheState::Valid(Cached { feed, meta }),
        Err(e) => corrupt(e.to_string()),
    }
}

/// The cached feed whatever URL it came from: for shell completions, which must answer
/// instantly and never touch the network.
pub fn cached_feed(cache_dir: &Path) -> Option<Feed> {
    let path = feed_path(cache_dir);
    let body = std::fs::read(&path).ok()?;
    Feed::parse(&body, &path.display().to_string()).ok()
}

/// Stores a fresh body and its metadata. The body goes first: a crash in between leaves
/// the new body with the old validators, which at worst costs one full download later.
pub(crate) fn write(cache_dir: &Path, body: &[u8], meta: &Meta) -> std::io::Result<()> {
    std::fs::create_dir_all(cache_dir)?;
    write_atomic(&feed_path(cache_dir), body)?;
    write_meta(cache_dir, meta)
}

/// Rewrites only the metadata (after a 304).
pub(crate) fn write_meta(cache_dir: &Path, meta: &Meta) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(meta).map_err(std::io::Error::other)?;
    write_atomic(&meta_path(cache_dir), &json)
}

/// Readers (a concurrent gox, a completion script) see the old file or the new one,
/// never half of one: write a temporary file in the same directory, then rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// "3 days", "5 minutes": how old a cached feed is, for notices.
pub(crate) fn human_age(age: Duration) -> String {
    let secs = age.as_secs();
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_cache_files_are_owned_entries_of_the_layout() {
        for name in [FEED_FILE, META_FILE] {
            assert!(gox_core::layout::CACHE_ENTRIES.contains(&name), "{name}");
        }
    }

    #[test]
    fn what_the_cache_writes_is_told_from_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta {
            url: "https://a.example/feed".into(),
            etag: None,
            last_modified: None,
            fetched_at: now_unix(),
        };
        write(dir.path(), b"\n[{\"version\":\"go1.22.10\"}]", &meta).unwrap();
        let text = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(is_feed_file(&text(FEED_FILE)));
        assert!(is_meta_file(&text(META_FILE)));
        for other in ["", "notes\n", "# feed\n[1]"] {
            assert!(!is_feed_file(other) && !is_meta_file(other), "{other:?}");
        }
        assert!(!is_feed_file(&text(META_FILE)) && !is_meta_file(&text(FEED_FILE)));
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(human_age(Duration::from_secs(1)), "1 second");
        assert_eq!(human_age(Duration::from_secs(150)), "2 minutes");
        assert_eq!(human_age(Duration::from_secs(3 * 86_400 + 5)), "3 days");
    }

    #[test]
    fn other_urls_and_garbage_are_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta {
            url: "https://a.example/feed".into(),
            etag: Some("\"x\"".into()),
            last_modified: None,
            fetched_at: now_unix(),
        };
        let feed = br#"[{"version":"go1.22.10","stable":true,"files":[]}]"#;
        write(dir.path(), feed, &meta).unwrap();
        let state = |url| read(dir.path(), url);
        assert!(matches!(
            state("https://a.example/feed"),
            CacheState::Valid(_)
        ));
        assert!(matches!(
            state("https://b.example/feed"),
            CacheState::Missing
        ));
        for junk in [&b"<html>"[..], b"", b"[", b"{}", b"[1,2]", b"\x00\xff"] {
            std::fs::write(feed_path(dir.path()), junk).unwrap();
            assert!(
                matches!(state("https://a.example/feed"), CacheState::Corrupt { .. }),
                "{junk:?}"
            );
        }
        assert!(cached_feed(dir.path()).is_none());
        std::fs::write(meta_path(dir.path()), b"{\"url\":").unwrap();
        assert!(matches!(
            state("https://a.example/feed"),
            CacheState::Corrupt { .. }
        ));
    }

    #[test]
    fn future_timestamps_are_stale() {
        let meta = Meta {
            url: String::new(),
            etag: None,
            last_modified: None,
            fetched_at: now_unix() + 3600,
        };
        assert_eq!(meta.age(), None);
    }
}
