//! The go.dev download feed (`https://go.dev/dl/?mode=json&include=all`): releases, their
//! files, and the choice of the archive for a platform.
//!
//! The feed is someone else's data and has grown oddities over fifteen years (`go1.9.2rc2`,
//! bootstrap toolchains, source tarballs, empty checksums). Parsing is per entry: one entry
//! gox cannot understand is skipped and counted, never a reason to fail the whole feed.

use gox_core::{Platform, Spec, Version, host};
use serde::Deserialize;

use crate::error::{NoBuild, ResolveError};

/// What a file in the feed is. Only archives are installable; installers (`.pkg`, `.msi`)
/// need a GUI or admin rights and sources need a bootstrap toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    Archive,
    Installer,
    Source,
    Other(String),
}

impl FileKind {
    fn from_feed(kind: &str) -> Self {
        match kind {
            "archive" => Self::Archive,
            "installer" => Self::Installer,
            "source" => Self::Source,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One downloadable file of a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    filename: String,
    platform: Option<Platform>,
    sha256: Option<String>,
    size: u64,
    kind: FileKind,
}

impl File {
    /// The file name, safe to append to a download base: it holds only
    /// `[A-Za-z0-9._+-]` (entries with anything else are skipped when parsing).
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The platform the file is built for; `None` for source and bootstrap files.
    pub fn platform(&self) -> Option<&Platform> {
        self.platform.as_ref()
    }

    /// The expected SHA-256 (lowercase hex). `None` when the feed gives none (very old
    /// releases have an empty `sha256`) or something that is not a SHA-256: the installer
    /// must then refuse unless the user supplies a checksum.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    /// Size in bytes as the feed states it (0 when missing).
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn kind(&self) -> &FileKind {
        &self.kind
    }
}

/// One Go release and its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    /// The feed's own `stable` flag. go.dev derives it from the version (no `beta`/`rc`),
    /// so archived releases are stable too; a mirror's hand-made feed may use it to hold a
    /// release back, which is why `latest` honours it on top of the version.
    pub stable: bool,
    pub files: Vec<File>,
}

impl Release {
    /// Stable by both the feed and the version number: what `latest` and `1.22` pick.
    pub fn is_stable(&self) -> bool {
        self.stable && self.version.is_stable()
    }

    /// The platforms this release has an archive for, sorted, without duplicates.
    pub fn platforms(&self) -> Vec<Platform> {
        let mut platforms: Vec<Platform> = self
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Archive)
            .filter_map(|f| f.platform.clone())
            .collect();
        platforms.sort();
        platforms.dedup();
        platforms
    }

    /// The archive to install for `platform`.
    ///
    /// Old releases list several archives per platform (go1.4's `darwin-amd64-osx10.6` and
    /// `-osx10.8`); the one named plainly `….<os>-<arch>.<ext>` wins, else the first listed.
    pub fn artifact(&self, platform: &Platform) -> Result<&File, ResolveError> {
        let plain_suffix = format!(
            ".{}-{}.{}",
            platform.os(),
            platform.feed_arch(),
            platform.archive_ext()
        );
        let mut candidates = self
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Archive && f.platform.as_ref() == Some(platform));
        let first = candidates.next();
        let plain = first
            .into_iter()
            .chain(candidates)
            .find(|f| f.filename.ends_with(&plain_suffix));
        plain.or(first).ok_or_else(|| self.no_build(platform))
    }

    fn no_build(&self, platform: &Platform) -> ResolveError {
        let hint = if self.version < apple_silicon_first() {
            host::no_native_build_hint(self.version.as_str(), platform)
        } else {
            None
        };
        ResolveError::NoBuild(Box::new(NoBuild {
            version: self.version.clone(),
            platform: platform.clone(),
            available: self.platforms(),
            hint,
        }))
    }
}

/// Go 1.16 was the first release with a darwin/arm64 build.
fn apple_silicon_first() -> Version {
    Version::parse("1.16").expect("1.16 is a valid Go version")
}

/// The whole feed, newest release first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Feed {
    releases: Vec<Release>,
    skipped: usize,
}

impl Feed {
    /// Parses a feed body fetched from `url` (the URL only serves error messages).
    pub fn parse(body: &[u8], url: &str) -> Result<Self, ResolveError> {
        // Two steps: the array must be JSON, but each entry is then read on its own so one
        // malformed entry cannot take the rest of the feed down with it.
        let entries: Vec<serde_json::Value> =
            serde_json::from_slice(body).map_err(|e| ResolveError::FeedJson {
                url: url.to_string(),
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
                head: head(body),
            })?;
        let mut skipped = 0;
        let mut releases = Vec::with_capacity(entries.len());
        for entry in entries {
            match parse_release(entry, &mut skipped) {
                Some(release) => releases.push(release),
                None => skipped += 1,
            }
        }
        // Stable sort: equal versions keep the feed's order.
        releases.sort_by(|a, b| b.version.cmp(&a.version));
        Ok(Self { releases, skipped })
    }

    /// All releases, newest first.
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// How many release or file entries were skipped because gox could not read them.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The newest release `spec` selects. `latest` and `1.22` only consider releases that
    /// are stable by the feed's flag and by their version; an exact version or `unstable`
    /// take whatever the feed lists.
    pub fn resolve(&self, spec: &Spec) -> Option<&Release> {
        let stable_only = matches!(spec, Spec::Latest | Spec::Prefix { .. });
        self.releases
            .iter()
            .find(|r| (!stable_only || r.is_stable()) && spec.matches(&r.version))
    }

    /// The archive of `release` for `platform`; see [`Release::artifact`].
    pub fn artifact<'a>(
        &self,
        release: &'a Release,
        platform: &Platform,
    ) -> Result<&'a File, ResolveError> {
        release.artifact(platform)
    }

    /// The platforms `release` has archives for; see [`Release::platforms`].
    pub fn platforms(&self, release: &Release) -> Vec<Platform> {
        release.platforms()
    }
}

/// The feed's JSON shape. Every field is optional so that additions or omissions upstream
/// do not break parsing; only the version is required to make sense of an entry.
#[derive(Deserialize)]
struct RawRelease {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawFile {
    filename: String,
    os: String,
    arch: String,
    sha256: String,
    size: u64,
    kind: String,
}

/// A release, or `None` when its version or shape is unreadable. Unreadable files inside
/// a readable release are dropped and added to `skipped`.
fn parse_release(entry: serde_json::Value, skipped: &mut usize) -> Option<Release> {
    let raw: RawRelease = serde_json::from_value(entry).ok()?;
    let version = Version::parse_feed(&raw.version).ok()?;
    let files = raw
        .files
        .into_iter()
        .filter_map(|f| {
            let file = parse_file(f);
            if file.is_none() {
                *skipped += 1;
            }
            file
        })
        .collect();
    Some(Release {
        version,
        stable: raw.stable,
        files,
    })
}

fn parse_file(value: serde_json::Value) -> Option<File> {
    let raw: RawFile = serde_json::from_value(value).ok()?;
    if !is_plain_file_name(&raw.filename) {
        return None;
    }
    Some(File {
        platform: Platform::from_feed(&raw.os, &raw.arch),
        sha256: normalize_sha256(&raw.sha256),
        size: raw.size,
        kind: FileKind::from_feed(&raw.kind),
        filename: raw.filename,
    })
}

/// The file name is joined onto the download base: a `/`, `..`, `?` or a scheme would
/// let a hostile feed point downloads elsewhere, so only plain names pass.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

fn normalize_sha256(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// The start of a body for error messages: enough to recognise an HTML page or a proxy's
/// error text.
/// The first bytes of a feed must open a JSON array: anything else (an HTML page from a
/// captive portal, an error text, binary junk) is rejected without reading the rest.
/// `Ok` while only whitespace has arrived.
pub(crate) fn sniff(body: &[u8], url: &str) -> Result<(), ResolveError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None | Some(b'[') => Ok(()),
        Some(b'<') => Err(not_a_feed(url, "an HTML page, not JSON", body)),
        Some(_) => Err(not_a_feed(url, "not a JSON array", body)),
    }
}

impl Feed {
    /// [`Feed::parse`] for a body that must be a real feed: not empty, and with at least
    /// one release gox can read (`[]`, `[1, 2]` and `[{"x": 1}]` are not feeds).
    pub fn parse_nonempty(body: &[u8], url: &str) -> Result<Self, ResolveError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(not_a_feed(url, "the body is empty", body));
        }
        sniff(body, url)?;
        let feed = Self::parse(body, url)?;
        if feed.releases.is_empty() {
            return Err(not_a_feed(
                url,
                &format!(
                    "it lists no release gox can read ({} entries skipped)",
                    feed.skipped
                ),
                body,
            ));
        }
        Ok(feed)
    }
}

fn not_a_feed(url: &str, reason: &str, body: &[u8]) -> ResolveError {
    ResolveError::NotAFeed {
        url: url.to_string(),
        reason: reason.to_string(),
        head: head(body),
    }
}

fn head(body: &[u8]) -> String {
    let end = body.len().min(64);
    String::from_utf8_lossy(&body[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_file_names_only() {
        for ok in [
            "go1.22.10.linux-amd64.tar.gz",
            "go1.4-bootstrap-20171003.tar.gz",
            "go1.22.10.windows-amd64.msi",
        ] {
            assert!(is_plain_file_name(ok), "{ok}");
        }
        for bad in [
            "",
            "..",
            "../go.tar.gz",
            "a/b.tar.gz",
            "https://evil.example/x.tar.gz",
            "x.tar.gz?y",
            ".hidden",
            "a\\b",
        ] {
            assert!(!is_plain_file_name(bad), "{bad}");
        }
    }

    #[test]
    fn checksums_are_normalized_or_absent() {
        let upper = "A".repeat(64);
        assert_eq!(normalize_sha256(&upper), Some("a".repeat(64)));
        assert_eq!(normalize_sha256(""), None);
        assert_eq!(normalize_sha256("abc"), None);
        assert_eq!(normalize_sha256(&"z".repeat(64)), None);
    }

    #[test]
    fn wrong_typed_file_is_skipped_not_fatal() {
        let body = br#"[{"version":"go1.22.1","stable":true,"files":[
            {"filename":"go1.22.1.linux-amd64.tar.gz","os":"linux","arch":"amd64","kind":"archive","size":"big"},
            {"filename":"go1.22.1.linux-arm64.tar.gz","os":"linux","arch":"arm64","kind":"archive","size":1}
        ]}]"#;
        let feed = Feed::parse(body, "test").unwrap();
        assert_eq!(feed.skipped(), 1);
        assert_eq!(feed.releases()[0].files.len(), 1);
    }
}
