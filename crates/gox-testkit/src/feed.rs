//! go.dev-shaped release feeds (`GET https://go.dev/dl/?mode=json&include=all`).

use serde::{Deserialize, Serialize};

use crate::FixtureArchive;

/// One file of a release, exactly as go.dev spells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFile {
    pub filename: String,
    /// `""` for source files.
    pub os: String,
    /// `""` for source files.
    pub arch: String,
    /// With the `go` prefix: `go1.22.10`.
    pub version: String,
    /// May be `""` (very old releases only published SHA-1).
    pub sha256: String,
    pub size: u64,
    /// `archive`, `source` or `installer`.
    pub kind: String,
}

impl FeedFile {
    /// `version` may lack the `go` prefix; it is added.
    pub fn new(
        kind: &str,
        version: &str,
        os: &str,
        arch: &str,
        filename: &str,
        sha256: &str,
        size: u64,
    ) -> Self {
        FeedFile {
            filename: filename.into(),
            os: os.into(),
            arch: arch.into(),
            version: go_version(version),
            sha256: sha256.into(),
            size,
            kind: kind.into(),
        }
    }
}

/// One release of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedRelease {
    /// With the `go` prefix: `go1.22.10`, `go1.23rc1`.
    pub version: String,
    pub stable: bool,
    pub files: Vec<FeedFile>,
}

/// Builds a go.dev-shaped feed. Versions may be given with or without the `go` prefix.
/// Releases appear in the order they are first mentioned (go.dev lists newest first; tests
/// may deliberately do otherwise). A release created implicitly by adding a file is stable
/// unless its version contains `rc` or `beta`.
///
/// ```
/// use gox_testkit::FeedBuilder;
/// let json = FeedBuilder::new()
///     .release("1.23rc1", false)
///     .archive("1.22.10", "linux", "amd64", "go1.22.10.linux-amd64.tar.gz", "ab…", 123)
///     .source("1.22.10", "go1.22.10.src.tar.gz", "cd…", 456)
///     .to_json();
/// assert!(json.contains("\"go1.23rc1\""));
/// ```
#[derive(Clone, Debug, Default)]
pub struct FeedBuilder {
    releases: Vec<FeedRelease>,
}

fn go_version(v: &str) -> String {
    if v.starts_with("go") {
        v.to_string()
    } else {
        format!("go{v}")
    }
}

impl FeedBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A feed listing every archive of `fixtures` (in manifest order).
    pub fn from_fixtures(fixtures: &crate::Fixtures) -> Self {
        fixtures
            .archives
            .iter()
            .fold(Self::new(), |b, a| b.fixture(a))
    }

    fn release_mut(&mut self, version: &str) -> &mut FeedRelease {
        let version = go_version(version);
        let i = match self.releases.iter().position(|r| r.version == version) {
            Some(i) => i,
            None => {
                let stable = !(version.contains("rc") || version.contains("beta"));
                self.releases.push(FeedRelease {
                    version,
                    stable,
                    files: Vec::new(),
                });
                self.releases.len() - 1
            }
        };
        &mut self.releases[i]
    }

    /// Declares a release (creating it, possibly with no files) and sets its `stable` flag.
    pub fn release(mut self, version: &str, stable: bool) -> Self {
        self.release_mut(version).stable = stable;
        self
    }

    /// Same as [`FeedBuilder::release`].
    pub fn release_stable(self, version: &str, stable: bool) -> Self {
        self.release(version, stable)
    }

    /// Adds any file; its release is `file.version`.
    pub fn file(mut self, mut file: FeedFile) -> Self {
        file.version = go_version(&file.version);
        let version = file.version.clone();
        self.release_mut(&version).files.push(file);
        self
    }

    /// Adds a `kind: "archive"` file.
    pub fn archive(
        self,
        version: &str,
        os: &str,
        arch: &str,
        filename: &str,
        sha256: &str,
        size: u64,
    ) -> Self {
        self.file(FeedFile::new(
            "archive", version, os, arch, filename, sha256, size,
        ))
    }

    /// Adds a `kind: "installer"` file (`.pkg`, `.msi`).
    pub fn installer(
        self,
        version: &str,
        os: &str,
        arch: &str,
        filename: &str,
        sha256: &str,
        size: u64,
    ) -> Self {
        self.file(FeedFile::new(
            "installer",
            version,
            os,
            arch,
            filename,
            sha256,
            size,
        ))
    }

    /// Adds a `kind: "source"` file (os and arch empty).
    pub fn source(self, version: &str, filename: &str, sha256: &str, size: u64) -> Self {
        self.file(FeedFile::new(
            "source", version, "", "", filename, sha256, size,
        ))
    }

    /// Adds a real fixture archive with its true checksum and size.
    pub fn fixture(self, a: &FixtureArchive) -> Self {
        self.archive(&a.version, &a.os, &a.arch, &a.filename, &a.sha256, a.size)
    }

    pub fn releases(&self) -> &[FeedRelease] {
        &self.releases
    }

    /// The feed as go.dev serves it (an indented JSON array).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.releases).expect("feed serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_matches_go_dev() {
        let json = FeedBuilder::new()
            .archive(
                "1.22.10",
                "linux",
                "amd64",
                "go1.22.10.linux-amd64.tar.gz",
                "ab",
                7,
            )
            .source("go1.22.10", "go1.22.10.src.tar.gz", "", 9)
            .archive(
                "1.23rc1",
                "linux",
                "amd64",
                "go1.23rc1.linux-amd64.tar.gz",
                "cd",
                1,
            )
            .release_stable("1.22.10", false)
            .to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[0]["version"], "go1.22.10");
        assert_eq!(v[0]["stable"], false);
        assert_eq!(v[0]["files"][0]["version"], "go1.22.10");
        assert_eq!(v[0]["files"][0]["kind"], "archive");
        assert_eq!(v[0]["files"][1]["os"], "");
        assert_eq!(v[0]["files"][1]["kind"], "source");
        assert_eq!(v[1]["version"], "go1.23rc1");
        assert_eq!(v[1]["stable"], false);
    }
}
