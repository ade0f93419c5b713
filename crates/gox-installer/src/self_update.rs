//! `gox self update`: replace the running `gox` and its `gox-shim` with a signed release.
//!
//! Trust flows from the minisign public key compiled into gox: `manifest.json` must verify
//! against `manifest.json.minisig` with it; the manifest names the archive for this host's
//! target and its SHA-256 (SHA256SUMS, which is not signed, must agree); the archive must hash
//! to it; the two binaries inside must be executables for the host's OS and CPU. Only then are
//! they renamed over the installed ones (same directory, so each rename is atomic), and every
//! shim in GOX_HOME/shims is re-pointed at the new `gox-shim`. Until the renames, nothing
//! outside a private staging directory next to the binaries is written, and the staging
//! directory is removed whatever happens.

use std::cmp::Ordering;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gox_core::Platform;
use gox_resolver::RetryPolicy;
use gox_resolver::retry::{self, Attempt, Failure, GaveUp, Stopped};
use gox_verifier::header::{BinaryInfo, read_header};
use serde::Deserialize;

use crate::download::{self, Progress};
use crate::error::InstallError;
use crate::extract::{ArchiveKind, CopyFailure, copy_chunks};
use crate::shims::{self, PlaceError, Placement};
use crate::{cancel, manpages};

/// Where releases are published when `GOX_UPDATE_BASE` is not set.
pub const DEFAULT_BASE: &str = "https://github.com/gox-dev/gox/releases/latest/download";
/// Where the release `V` lives when the default base serves another version.
const GITHUB_TAG_BASE: &str = "https://github.com/gox-dev/gox/releases/download";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.minisig";
pub const SUMS: &str = "SHA256SUMS";
/// A manifest, signature or SHA256SUMS file is a few KiB; anything past this is not one.
const MAX_SMALL_FILE: u64 = 1024 * 1024;
/// A gox binary is a few MiB; this bounds what a hostile archive can make us write.
const MAX_BINARY: u64 = 256 * 1024 * 1024;
/// The staging directory's name prefix (next to the installed binaries).
pub const STAGING_PREFIX: &str = ".gox-update-";

/// `manifest.json`, as `cargo xtask dist` writes it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub version: String,
    pub artifacts: Vec<Artifact>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Artifact {
    pub target: String,
    pub os: String,
    pub arch: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

/// What to update, from where, with which key.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// Directory URL of a dist (`GOX_UPDATE_BASE`), without the trailing slash or with it.
    pub base: String,
    /// The base64 minisign public key line (`RW…`); `None` for builds without one.
    pub public_key: Option<&'a str>,
    /// The running gox's version.
    pub current: &'a str,
    /// `--version V`: exactly that release (a downgrade too).
    pub wanted: Option<String>,
    /// `--check`: only report.
    pub check_only: bool,
    /// The host (GOX_DEBUG_HOST-aware): picks the artifact and checks the new binaries.
    pub host: Platform,
    /// The directory holding the installed `gox` and `gox-shim`.
    pub install_dir: PathBuf,
    /// GOX_HOME/shims.
    pub shims_dir: PathBuf,
    /// Retries of the archive download (the same policy as toolchain downloads).
    pub policy: RetryPolicy,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The release is the running version: nothing to do.
    UpToDate {
        version: String,
    },
    /// `--check`: `latest` would be installed by `gox self update` (or, when `pinned`, by
    /// `gox self update --version <latest>`: a downgrade, or a release other than the newest).
    Available {
        current: String,
        latest: String,
        pinned: bool,
    },
    /// `--check`: the base serves an older release; `self update` would refuse it.
    OlderOnly {
        current: String,
        latest: String,
    },
    Updated(Updated),
}

#[derive(Debug, PartialEq, Eq)]
pub struct Updated {
    pub from: String,
    pub to: String,
    pub target: String,
    /// The binaries written (`gox-shim`, `gox` in the install dir), in that order.
    pub binaries: Vec<Written>,
    pub shims: Vec<(PathBuf, Placement)>,
    /// Files in the shims dir with a shim's name that are no gox shim: left as they were.
    pub foreign_shims: Vec<PathBuf>,
    /// The man pages beside the install dir (install.sh's), when they were there.
    pub man_pages: ManPages,
}

/// What became of the man pages in [`manpages::man_dir`] of the install dir.
#[derive(Debug, PartialEq, Eq)]
pub enum ManPages {
    /// None were installed there (or the release has none): nothing to do.
    NotInstalled,
    Refreshed(manpages::Refreshed),
    /// The binaries are updated; the pages could not be written (they are documentation:
    /// not a failed update).
    Failed {
        dir: PathBuf,
        error: String,
    },
}

/// A binary put in the install dir.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    /// False when there was none before (a gox installed without its `gox-shim`).
    pub replaced: bool,
}

/// After a download that did not match the signed manifest: a proxy or a flaky link may
/// have mangled it, so another try may pass; the same failure twice means a bad release.
const RETRY_FIX: &str = "run `gox self update` again; if it fails the same way, the release at GOX_UPDATE_BASE is broken: report it at https://github.com/gox-dev/gox/issues";
/// Where to report a broken or suspicious release.
const REPORT: &str = "https://github.com/gox-dev/gox/issues";

/// The next step after a release was refused: the installed gox is fine, the release is not.
fn broken_release_fix() -> String {
    format!(
        "nothing was changed: keep using this gox. If GOX_UPDATE_BASE is set, check that it points at a gox release directory; otherwise report it at {REPORT}, or install a release you trust with `gox self update --version V`"
    )
}

/// What to do about an I/O failure next to the installed binaries. `path` is the file or
/// directory the failed operation named; the advice is about the directory that holds gox.
fn io_fix(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    // Staging fails on the install dir itself (`create a staging directory in DIR`), the
    // writes on files inside it.
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    let dir = dir.display();
    match e.kind() {
        K::StorageFull | K::QuotaExceeded => format!(
            "\nthe disk holding {dir} is full: free some space there (an update needs about twice the size of gox), then run `gox self update` again"
        ),
        K::FileTooLarge => "\na file-size limit stopped the write (`ulimit -f`): raise it (`ulimit -f unlimited`) and run `gox self update` again".into(),
        K::PermissionDenied => format!(
            "\n{dir} is not writable by you: run `gox self update` as the user that installed gox (e.g. with sudo when it is in /usr/local/bin), or reinstall it with install.sh into a directory you own"
        ),
        // No user can write there, sudo included: gox came with a read-only image (a
        // container layer, a Nix store, a read-only mount).
        K::ReadOnlyFilesystem => format!(
            "\n{dir} is on a read-only filesystem, so no user can replace gox there: update the image or package that provides it, or reinstall gox with install.sh into a writable directory (GOX_INSTALL_DIR)"
        ),
        _ => "\nfix the cause above, then run `gox self update` again".into(),
    }
}

fn list_failures(failures: &[String]) -> String {
    failures
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, thiserror::Error)]
pub enum SelfUpdateError {
    #[error("interrupted (signal {signal}); nothing was changed and nothing is left behind")]
    Interrupted { signal: i32 },
    #[error(
        "this gox was built from source without a release signing key, so it cannot verify updates.\nupdate it the way you built it (`cargo install --path crates/gox`, or `git pull && cargo build --release`), or install a release with install.sh (https://github.com/gox-dev/gox/blob/main/docs/install.md)"
    )]
    NoPublicKey,
    #[error("the built-in update key {key:?} is not a minisign public key: {detail}")]
    BadPublicKey { key: String, detail: String },
    #[error(
        "cannot fetch {url}: {detail}\nnothing was changed; check the network, or GOX_UPDATE_BASE (the directory URL of a gox release); on a flaky connection raise GOX_RETRIES or GOX_DEADLINE"
    )]
    Fetch {
        url: String,
        detail: String,
        /// The server answered 404/410: the file is not there (not a network problem).
        not_found: bool,
    },
    #[error(
        "{url} does not carry a valid signature from the gox release key ({detail}).\nthe release was altered or is not from the gox maintainers; {}",
        broken_release_fix()
    )]
    Signature { url: String, detail: String },
    /// `--version V` that is no release version (checked before any network access).
    #[error(
        "{value:?} is not a gox release version: expected MAJOR.MINOR.PATCH with an optional -PRERELEASE, e.g. 0.3.0 or 1.0.0-rc.10 ({reason})"
    )]
    InvalidVersion { value: String, reason: String },
    #[error("{url} is not a gox release manifest: {detail}\nnothing was changed")]
    Manifest { url: String, detail: String },
    #[error(
        "{url} is release {found}, not {wanted}.\nto install {wanted}, point GOX_UPDATE_BASE at its directory (the base itself, or <base>/{wanted}/); nothing was changed"
    )]
    NotThatVersion {
        url: String,
        wanted: String,
        found: String,
    },
    #[error(
        "refusing to downgrade gox {current} to {latest} (the newest at {url}).\nto downgrade on purpose: gox self update --version {latest}"
    )]
    Downgrade {
        current: String,
        latest: String,
        url: String,
    },
    #[error(
        "gox has no prebuilt release for {host}; build it from source (https://github.com/gox-dev/gox/blob/main/docs/install.md)"
    )]
    UnsupportedHost { host: Platform },
    #[error(
        "release {version} at {url} has no artifact for {target} ({host}); nothing was changed"
    )]
    NoArtifact {
        version: String,
        url: String,
        target: String,
        host: Platform,
    },
    #[error(
        "{file}: {base}/SHA256SUMS says {sums}, the signed {base}/manifest.json says {manifest}; the release directory is inconsistent or was tampered with.\n{}",
        broken_release_fix()
    )]
    SumsDisagree {
        file: String,
        /// The release directory URL.
        base: String,
        sums: String,
        manifest: String,
    },
    #[error(
        "{url}: got {got} bytes, the signed manifest says {expected} (truncated or altered download); nothing was changed.\n{}",
        RETRY_FIX
    )]
    Size {
        url: String,
        expected: u64,
        got: u64,
    },
    #[error(
        "checksum mismatch for {url}:\n  expected sha256 {expected} (signed manifest)\n  got      sha256 {actual}\nthe file is corrupt or was tampered with; nothing was changed.\n{}",
        RETRY_FIX
    )]
    Checksum {
        url: String,
        expected: String,
        actual: String,
    },
    /// The archive matched the signed manifest but is unusable (a release built wrong).
    #[error("{url}: {detail}\nthe release is broken; {}", broken_release_fix())]
    Archive { url: String, detail: String },
    /// A signed release whose binaries are for another OS/CPU: the release is broken, not
    /// this machine, so this is an error (exit 1), not an architecture refusal (126).
    #[error(
        "{url}: {member} is {info}, which does not run natively on this {host} machine; the release is broken.\n{}",
        broken_release_fix()
    )]
    WrongCpu {
        url: String,
        member: String,
        info: Box<BinaryInfo>,
        host: Platform,
    },
    /// gox and gox-shim were replaced, but some shims still are the old gox-shim.
    #[error(
        "gox was updated from {} to {}, but {} of the shims in {} could not be refreshed and still run the old gox-shim:\n{}\nfix the cause above, then run `gox setup` to recreate the shims",
        .updated.from, .updated.to, .failures.len(), .shims_dir.display(), list_failures(.failures)
    )]
    ShimsNotRefreshed {
        updated: Box<Updated>,
        shims_dir: PathBuf,
        failures: Vec<String>,
    },
    #[error("cannot {op} {}: {source}{}{}", .path.display(), if *.changed { "" } else { "\nnothing was changed" }, io_fix(.path, .source))]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
        /// True once a binary was replaced (the error happened while restoring).
        changed: bool,
    },
}

impl SelfUpdateError {
    /// The signal (SIGINT, SIGTERM) that stopped the update, if that is what happened.
    pub fn interrupted_by(&self) -> Option<i32> {
        match self {
            Self::Interrupted { signal } => Some(*signal),
            _ => None,
        }
    }

    fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.to_path_buf(),
            source,
            changed: false,
        }
    }
}

/// The release target whose binaries run natively on `host`, or `None` when gox ships none.
pub fn target_for(host: &Platform) -> Option<&'static str> {
    Some(match (host.os(), host.arch()) {
        ("linux", "amd64") => "x86_64-unknown-linux-musl",
        ("linux", "arm64") => "aarch64-unknown-linux-musl",
        ("darwin", "arm64") => "aarch64-apple-darwin",
        ("darwin", "amd64") => "x86_64-apple-darwin",
        ("windows", "amd64") => "x86_64-pc-windows-gnu",
        _ => return None,
    })
}

/// Targets acceptable for `host`, best first: the native one, then on macOS the universal
/// binary (it holds the native slice too).
fn acceptable_targets(host: &Platform) -> Vec<&'static str> {
    let mut targets: Vec<&'static str> = target_for(host).into_iter().collect();
    if host.os() == "darwin" {
        targets.push("universal2-apple-darwin");
    }
    targets
}

/// The artifact of `manifest` for `host`.
pub fn pick_artifact<'m>(manifest: &'m Manifest, host: &Platform) -> Option<&'m Artifact> {
    acceptable_targets(host)
        .into_iter()
        .find_map(|t| manifest.artifacts.iter().find(|a| a.target == t))
}

/// A gox release version: SemVer (the `semver` crate), ordered by precedence, so
/// `1.0.0-rc.9 < 1.0.0-rc.10 < 1.0.0` and build metadata (`+…`) does not count. A leading
/// `v` and a shortened core (`1.0` = `1.0.0`) are tolerated, because builds stamped by hand
/// use them.
#[derive(Clone, Debug)]
pub struct ReleaseVersion(semver::Version);

impl ReleaseVersion {
    /// Parses `text`, saying what is wrong with it. Only ASCII letters, digits, `.`, `-` and
    /// `+` pass, so a parsed version is also a safe URL path segment (no `/`, no `..`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let v = text.trim();
        if v.is_empty() {
            return Err("it is empty".into());
        }
        if let Some(c) = v
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        {
            return Err(format!("{c:?} is not allowed"));
        }
        let v = v.strip_prefix('v').unwrap_or(v);
        // `1.0` and `1` stand for `1.0.0`: pad the core, before any pre-release or build.
        let (core, rest) = v.split_at(v.find(['-', '+']).unwrap_or(v.len()));
        let padded = match core.matches('.').count() {
            0 => format!("{core}.0.0{rest}"),
            1 => format!("{core}.0{rest}"),
            _ => v.to_string(),
        };
        semver::Version::parse(&padded)
            .map(Self)
            .map_err(|e| e.to_string())
    }
}

impl Ord for ReleaseVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialOrd for ReleaseVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ReleaseVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ReleaseVersion {}

/// `--version V`, checked before anything is fetched (V becomes part of a URL), as the
/// release it names: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, a leading `v` (the tag's
/// spelling) dropped, so `v0.3.0` is looked for where `0.3.0` is. Unlike the versions of
/// builds stamped by hand, a shortened `1.2` is refused: it names no release directory.
pub fn normalize_wanted(value: &str) -> Result<String, SelfUpdateError> {
    let invalid = |reason: String| SelfUpdateError::InvalidVersion {
        value: value.to_string(),
        reason,
    };
    ReleaseVersion::parse(value).map_err(invalid)?;
    let v = value.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = &v[..v.find(['-', '+']).unwrap_or(v.len())];
    if core.matches('.').count() != 2 {
        return Err(invalid(format!(
            "a release version has three numbers, MAJOR.MINOR.PATCH (e.g. {core}.0)"
        )));
    }
    Ok(v.to_string())
}

/// Orders gox release versions by [`ReleaseVersion`] precedence. A string that is no
/// version (a hand-stamped build) sorts as text, so nothing panics and the order is total.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (ReleaseVersion::parse(a), ReleaseVersion::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Greater,
        (Err(_), Ok(_)) => Ordering::Less,
        (Err(_), Err(_)) => a.trim().cmp(b.trim()),
    }
}

/// Where release `version` lives when `base` serves another one: the GitHub release tag for
/// the default base, else `<base>/<version>` (a self-hosted mirror keeps one dist per
/// version directory next to the current one).
pub fn versioned_base(base: &str, version: &str) -> String {
    let base = base.trim_end_matches('/');
    if base == DEFAULT_BASE {
        format!("{GITHUB_TAG_BASE}/v{version}")
    } else {
        format!("{base}/{version}")
    }
}

/// The SHA-256 that a `sha256sum`-format file gives for `file` (`<hex>  <name>` or
/// `<hex> *<name>`).
pub fn sums_entry<'s>(sums: &'s str, file: &str) -> Option<&'s str> {
    sums.lines().find_map(|line| {
        let (hex, name) = line.trim_end().split_once(char::is_whitespace)?;
        let name = name.trim_start();
        let name = name.strip_prefix('*').unwrap_or(name);
        (name == file).then_some(hex)
    })
}

/// Verifies `manifest` against its minisign `signature` with `public_key` and parses it.
pub fn verify_manifest(
    public_key: &str,
    manifest: &[u8],
    signature: &[u8],
    url: &str,
) -> Result<Manifest, SelfUpdateError> {
    let key = public_key.trim();
    let pk = minisign_verify::PublicKey::from_base64(key).map_err(|e| {
        SelfUpdateError::BadPublicKey {
            key: key.to_string(),
            detail: e.to_string(),
        }
    })?;
    let bad = |detail: String| SelfUpdateError::Signature {
        url: url.to_string(),
        detail,
    };
    let text =
        std::str::from_utf8(signature).map_err(|_| bad("the signature is not text".into()))?;
    let sig = minisign_verify::Signature::decode(text)
        .map_err(|e| bad(format!("unreadable signature: {e}")))?;
    pk.verify(manifest, &sig, false)
        .map_err(|e| bad(format!("verification failed: {e}")))?;
    serde_json::from_slice(manifest).map_err(|e| SelfUpdateError::Manifest {
        url: url.to_string(),
        detail: e.to_string(),
    })
}

/// Runs `gox self update` (or `--check`).
pub async fn update(
    client: &reqwest::Client,
    req: &Request<'_>,
    progress: Progress,
) -> Result<Outcome, SelfUpdateError> {
    let wanted = req.wanted.as_deref().map(normalize_wanted).transpose()?;
    let key = req.public_key.ok_or(SelfUpdateError::NoPublicKey)?;
    let target = target_for(&req.host).ok_or_else(|| SelfUpdateError::UnsupportedHost {
        host: req.host.clone(),
    })?;
    let (base, manifest) = release(client, key, req, wanted.as_deref()).await?;
    let manifest_url = join(&base, MANIFEST);
    let latest = manifest.version.clone();
    // The signed manifest's version decides up/down; one that is no version cannot.
    if let Err(reason) = ReleaseVersion::parse(&latest) {
        return Err(SelfUpdateError::Manifest {
            url: manifest_url,
            detail: format!("its version {latest:?} is not a release version ({reason})"),
        });
    }
    let current = req.current.to_string();
    match compare_versions(&latest, &current) {
        Ordering::Equal => return Ok(Outcome::UpToDate { version: current }),
        Ordering::Less if req.check_only && req.wanted.is_none() => {
            return Ok(Outcome::OlderOnly { current, latest });
        }
        Ordering::Less if req.wanted.is_none() => {
            return Err(SelfUpdateError::Downgrade {
                current,
                latest,
                url: manifest_url,
            });
        }
        _ => {}
    }
    let artifact =
        pick_artifact(&manifest, &req.host).ok_or_else(|| SelfUpdateError::NoArtifact {
            version: latest.clone(),
            url: manifest_url.clone(),
            target: target.to_string(),
            host: req.host.clone(),
        })?;
    if req.check_only {
        return Ok(Outcome::Available {
            current,
            latest,
            pinned: req.wanted.is_some(),
        });
    }

    let sums_url = join(&base, SUMS);
    let sums = fetch_small(client, &sums_url, &req.policy).await?;
    let sums = String::from_utf8_lossy(&sums);
    match sums_entry(&sums, &artifact.file) {
        Some(hex) if hex.eq_ignore_ascii_case(&artifact.sha256) => {}
        other => {
            return Err(SelfUpdateError::SumsDisagree {
                file: artifact.file.clone(),
                base: base.clone(),
                sums: other.unwrap_or("nothing").to_string(),
                manifest: artifact.sha256.clone(),
            });
        }
    }

    sweep_stale_staging(&req.install_dir);
    // Staging next to the binaries: same filesystem, so the final renames are atomic.
    // `TempDir` removes it (and whatever is left in it) on every return path.
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&req.install_dir)
        .map_err(|e| SelfUpdateError::io("create a staging directory in", &req.install_dir, e))?;
    let archive_url = join(&base, &artifact.file);
    let archive = download_archive(
        client,
        &archive_url,
        artifact,
        staging.path(),
        req.policy,
        progress,
    )
    .await?;

    let exe = req.host.exe_suffix();
    let names = [format!("gox-shim{exe}"), format!("gox{exe}")];
    let top = artifact
        .file
        .strip_suffix(".tar.gz")
        .or_else(|| artifact.file.strip_suffix(".zip"))
        .unwrap_or(&artifact.file);
    let members: Vec<String> = names.iter().map(|n| format!("{top}/{n}")).collect();
    let new_dir = staging.path().join("new");
    std::fs::create_dir(&new_dir).map_err(|e| SelfUpdateError::io("create", &new_dir, e))?;
    // The pages are read only where install.sh put them (never added where there were none).
    let man_dir = manpages::man_dir(&req.install_dir).filter(|d| d.join("gox.1").is_file());
    let man_prefix = man_dir.as_ref().map(|_| format!("{top}/man/"));
    let pages = unpack(
        &archive,
        &archive_url,
        &members,
        &names,
        &new_dir,
        man_prefix.as_deref(),
    )?;
    for (name, member) in names.iter().zip(&members) {
        let path = new_dir.join(name);
        let info = read_header(&path).map_err(|e| SelfUpdateError::Archive {
            url: archive_url.clone(),
            detail: format!("{member}: {e}"),
        })?;
        if !info.runs_natively_on(&req.host) {
            return Err(SelfUpdateError::WrongCpu {
                url: archive_url.clone(),
                member: member.clone(),
                info: Box::new(info),
                host: req.host.clone(),
            });
        }
    }

    // The last moment a stop is honoured: from here on the binaries and shims are swapped,
    // which is quick and must not be left half done.
    if let Some(signal) = cancel::requested() {
        return Err(SelfUpdateError::Interrupted { signal });
    }
    let binaries = replace(
        &new_dir,
        &req.install_dir,
        &names,
        &staging.path().join("old"),
    )?;
    clear_asides(&binaries);
    let new_shim = req.install_dir.join(&names[0]);
    let refreshed = shims::refresh_all(&new_shim, &req.shims_dir, exe);
    let man_pages = match man_dir {
        None => ManPages::NotInstalled,
        Some(dir) => match manpages::refresh(&dir, &pages) {
            Ok(Some(done)) => ManPages::Refreshed(done),
            Ok(None) => ManPages::NotInstalled,
            Err(e) => ManPages::Failed {
                dir,
                error: e.to_string(),
            },
        },
    };
    let updated = Updated {
        from: current,
        to: latest,
        target: artifact.target.clone(),
        binaries,
        shims: refreshed.done,
        foreign_shims: refreshed.foreign,
        man_pages,
    };
    // A shim left behind runs the old gox-shim: the update is only half done, and a
    // script checking the exit status must see that.
    if !refreshed.failed.is_empty() {
        return Err(SelfUpdateError::ShimsNotRefreshed {
            updated: Box::new(updated),
            shims_dir: req.shims_dir.clone(),
            failures: refreshed.failed.iter().map(PlaceError::to_string).collect(),
        });
    }
    Ok(Outcome::Updated(updated))
}

/// Removes staging directories an update killed outright (SIGKILL, a crash, power loss)
/// left next to the binaries ([`crate::staging::sweep`]).
fn sweep_stale_staging(install_dir: &Path) {
    crate::staging::sweep(install_dir, STAGING_PREFIX);
}

/// A staging directory of `gox self update` ([`STAGING_PREFIX`]), not a link to one.
pub(crate) fn is_staging_dir(path: &Path) -> bool {
    crate::staging::is_staging_dir(path, STAGING_PREFIX)
}

/// Finds and verifies the manifest to install: the base's, or for `--version V` the base's
/// when it is V, else the one in [`versioned_base`].
async fn release(
    client: &reqwest::Client,
    key: &str,
    req: &Request<'_>,
    wanted: Option<&str>,
) -> Result<(String, Manifest), SelfUpdateError> {
    let base = req.base.trim_end_matches('/').to_string();
    let manifest = signed_manifest(client, key, &base, &req.policy).await?;
    let Some(wanted) = wanted else {
        return Ok((base, manifest));
    };
    if compare_versions(&manifest.version, wanted) == Ordering::Equal {
        return Ok((base, manifest));
    }
    let other = versioned_base(&base, wanted);
    match signed_manifest(client, key, &other, &req.policy).await {
        Ok(m) if compare_versions(&m.version, wanted) == Ordering::Equal => Ok((other, m)),
        Ok(m) => Err(SelfUpdateError::NotThatVersion {
            url: join(&other, MANIFEST),
            wanted: wanted.to_string(),
            found: m.version,
        }),
        // Nothing at <base>/V: say what the base itself serves.
        Err(SelfUpdateError::Fetch {
            not_found: true, ..
        }) => Err(SelfUpdateError::NotThatVersion {
            url: join(&base, MANIFEST),
            wanted: wanted.to_string(),
            found: manifest.version,
        }),
        Err(e) => Err(e),
    }
}

async fn signed_manifest(
    client: &reqwest::Client,
    key: &str,
    base: &str,
    policy: &RetryPolicy,
) -> Result<Manifest, SelfUpdateError> {
    let url = join(base, MANIFEST);
    let manifest = fetch_small(client, &url, policy).await?;
    let signature = fetch_small(client, &join(base, SIGNATURE), policy).await?;
    verify_manifest(key, &manifest, &signature, &url)
}

fn join(base: &str, name: &str) -> String {
    format!("{}/{name}", base.trim_end_matches('/'))
}

/// GETs a small file (http(s), loopback http, file://) into memory, capped. Network
/// failures are retried per `policy` (GOX_RETRIES, GOX_DEADLINE), like every gox GET.
async fn fetch_small(
    client: &reqwest::Client,
    url: &str,
    policy: &RetryPolicy,
) -> Result<Vec<u8>, SelfUpdateError> {
    let fail = |detail: String, not_found: bool| SelfUpdateError::Fetch {
        url: url.to_string(),
        detail,
        not_found,
    };
    if let Some(path) = gox_resolver::source::local_path(url) {
        let file = std::fs::File::open(path)
            .map_err(|e| fail(e.to_string(), e.kind() == std::io::ErrorKind::NotFound))?;
        let mut bytes = Vec::new();
        file.take(MAX_SMALL_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(e.to_string(), false))?;
        return check_small(bytes).map_err(|d| fail(d, false));
    }
    let result = retry::retry(policy, url, |_| fetch_small_once(client, url), |_, _, _| {}).await;
    match result {
        Ok(bytes) => Ok(bytes),
        Err(Stopped::Abort(detail)) => Err(fail(detail, false)),
        Err(Stopped::GaveUp(g)) => Err(fail(g.summary(), g.last.is_not_found())),
    }
}

/// One GET of a small file; an oversized body is not retried (the server answered).
async fn fetch_small_once(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, Attempt<String>> {
    let network = |e: reqwest::Error| Attempt::Failed(Failure::client(&e));
    let mut response = client.get(url).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(Attempt::Failed(Failure::status(status, response.headers())));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > MAX_SMALL_FILE {
            break;
        }
    }
    check_small(bytes).map_err(Attempt::Abort)
}

fn check_small(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.len() as u64 > MAX_SMALL_FILE {
        Err(format!("larger than {MAX_SMALL_FILE} bytes"))
    } else {
        Ok(bytes)
    }
}

/// Downloads the archive into `staging` (retrying like toolchain downloads), then checks
/// its size and SHA-256 against the signed manifest.
async fn download_archive(
    client: &reqwest::Client,
    url: &str,
    artifact: &Artifact,
    staging: &Path,
    policy: RetryPolicy,
    progress: Progress,
) -> Result<PathBuf, SelfUpdateError> {
    let path = staging.join(format!("{}.part", artifact.file));
    let urls = [url.to_string()];
    let download = download::Download {
        client,
        urls: &urls,
        part: &path,
        policy,
        progress,
        label: &artifact.file,
    };
    // Ctrl-C or SIGTERM (recorded by the CLI's handler) stops the download within 50 ms;
    // the staging dir, partial file included, then goes with the error.
    let transfer = cancel::unless_stopped(download::fetch(&download, &mut download::Discard))
        .await
        .map_err(|e| match e {
            InstallError::Interrupted { signal } => SelfUpdateError::Interrupted { signal },
            InstallError::Io { op, path, source } => SelfUpdateError::io(op, &path, source),
            InstallError::Download { failures, .. } => SelfUpdateError::Fetch {
                url: url.to_string(),
                detail: failures.last().map_or_else(String::new, GaveUp::summary),
                not_found: failures.last().is_some_and(|f| f.last.is_not_found()),
            },
            // The first line says what failed; the rest is about resuming a toolchain
            // download, and the staging dir (with the partial file) is removed anyway.
            other => SelfUpdateError::Fetch {
                url: url.to_string(),
                detail: other.to_string().lines().next().unwrap_or("").to_string(),
                not_found: false,
            },
        })?;
    if transfer.bytes != artifact.size {
        return Err(SelfUpdateError::Size {
            url: url.to_string(),
            expected: artifact.size,
            got: transfer.bytes,
        });
    }
    if !transfer.sha256.eq_ignore_ascii_case(&artifact.sha256) {
        return Err(SelfUpdateError::Checksum {
            url: url.to_string(),
            expected: artifact.sha256.clone(),
            actual: transfer.sha256,
        });
    }
    Ok(path)
}

/// Writes the archive members named `members[i]` to `dest/names[i]` (mode 0755). Only these
/// fixed names are written, so no entry name can escape `dest`; every other entry is skipped.
/// Writes `members` of `archive` to `dest` under `names`, and returns the man pages under
/// `man_prefix` (`gox-V-TARGET/man/`, .tar.gz only: Windows has no man), each a file named
/// as gox names its pages and at most [`manpages::MAX_PAGE_BYTES`].
fn unpack(
    archive: &Path,
    url: &str,
    members: &[String],
    names: &[String],
    dest: &Path,
    man_prefix: Option<&str>,
) -> Result<Vec<(String, Vec<u8>)>, SelfUpdateError> {
    let bad = |detail: String| SelfUpdateError::Archive {
        url: url.to_string(),
        detail,
    };
    let input =
        std::fs::File::open(archive).map_err(|e| SelfUpdateError::io("open", archive, e))?;
    let mut found = vec![false; members.len()];
    let mut pages = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    let mut write = |index: usize, reader: &mut dyn Read| -> Result<(), SelfUpdateError> {
        let path = dest.join(&names[index]);
        let mut out =
            std::fs::File::create(&path).map_err(|e| SelfUpdateError::io("create", &path, e))?;
        // A read error is the archive's fault; a write error is this machine's (a full
        // disk), and must not be reported as a broken release.
        let mut copied = 0u64;
        copy_chunks(reader, &mut out, &mut buf, |n| {
            copied += n;
            if copied > MAX_BINARY { Err(()) } else { Ok(()) }
        })
        .map_err(|failure| match failure {
            CopyFailure::Read(e) => bad(format!("{}: {e}", members[index])),
            CopyFailure::Write(e) => SelfUpdateError::io("write", &path, e),
            CopyFailure::Stopped(()) => bad(format!(
                "{} is larger than {MAX_BINARY} bytes",
                members[index]
            )),
        })?;
        out.flush()
            .and_then(|()| out.sync_all())
            .map_err(|e| SelfUpdateError::io("write", &path, e))?;
        set_executable(&path)?;
        found[index] = true;
        Ok(())
    };
    match ArchiveKind::from_filename(url) {
        Some(ArchiveKind::TarGz) => {
            let gz = flate2::read::GzDecoder::new(std::io::BufReader::new(input));
            let mut tar = tar::Archive::new(gz);
            for entry in tar.entries().map_err(|e| bad(e.to_string()))? {
                let mut entry = entry.map_err(|e| bad(e.to_string()))?;
                let name = entry.path_bytes().into_owned();
                let name = String::from_utf8_lossy(&name);
                let name = name.trim_start_matches("./");
                if let Some(i) = members.iter().position(|m| m == name) {
                    if entry.header().entry_type() != tar::EntryType::Regular {
                        return Err(bad(format!("{name} is not a regular file")));
                    }
                    write(i, &mut entry)?;
                } else if let Some(page) = man_prefix
                    .and_then(|p| name.strip_prefix(p))
                    .filter(|n| manpages::is_page_name(n))
                    && entry.header().entry_type() == tar::EntryType::Regular
                    && entry.size() <= manpages::MAX_PAGE_BYTES
                {
                    let mut text = Vec::new();
                    entry
                        .read_to_end(&mut text)
                        .map_err(|e| bad(format!("{name}: {e}")))?;
                    pages.push((page.to_string(), text));
                }
            }
        }
        Some(ArchiveKind::Zip) => {
            let mut zip = zip::ZipArchive::new(std::io::BufReader::new(input))
                .map_err(|e| bad(e.to_string()))?;
            for (i, member) in members.iter().enumerate() {
                match zip.by_name(member) {
                    Ok(mut entry) if entry.is_file() => write(i, &mut entry)?,
                    Ok(_) => return Err(bad(format!("{member} is not a regular file"))),
                    Err(zip::result::ZipError::FileNotFound) => {}
                    Err(e) => return Err(bad(e.to_string())),
                }
            }
        }
        None => return Err(bad("not a .tar.gz or .zip archive".into())),
    }
    match members.iter().zip(&found).find(|(_, f)| !**f) {
        Some((missing, _)) => Err(bad(format!("the archive has no {missing}"))),
        None => Ok(pages),
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), SelfUpdateError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| SelfUpdateError::io("make executable", path, e))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), SelfUpdateError> {
    Ok(())
}

/// Renames `new/<name>` over `dir/<name>` for every name (the shim first, gox last). Before
/// that, each installed binary is hard-linked (else, and on Windows, copied) into `backup`, so when a later
/// rename fails the earlier ones are undone and the install dir is as it was.
fn replace(
    new: &Path,
    dir: &Path,
    names: &[String],
    backup: &Path,
) -> Result<Vec<Written>, SelfUpdateError> {
    std::fs::create_dir(backup).map_err(|e| SelfUpdateError::io("create", backup, e))?;
    for name in names {
        let installed = dir.join(name);
        let linked = BACKUP_BY_LINK && std::fs::hard_link(&installed, backup.join(name)).is_ok();
        if installed.exists() && !linked {
            std::fs::copy(&installed, backup.join(name))
                .map_err(|e| SelfUpdateError::io("back up", &installed, e))?;
        }
    }
    let mut replaced: Vec<PathBuf> = Vec::new();
    let mut written = Vec::new();
    for name in names {
        let dest = dir.join(name);
        let existed = std::fs::symlink_metadata(&dest).is_ok();
        let result = make_room(&dest).and_then(|()| std::fs::rename(new.join(name), &dest));
        if let Err(e) = result {
            for done in replaced.iter().chain(std::iter::once(&dest)) {
                if let Some(n) = done.file_name() {
                    let saved = backup.join(n);
                    if saved.exists() {
                        let _ = std::fs::rename(&saved, done);
                    }
                }
            }
            return Err(SelfUpdateError::io("replace", &dest, e));
        }
        replaced.push(dest.clone());
        written.push(Written {
            path: dest,
            replaced: existed,
        });
    }
    Ok(written)
}

/// Backs up the binaries in the staging dir with a hard link (free) rather than a copy. Not
/// on Windows: a link to the running gox.exe cannot be deleted while it runs, so the
/// staging dir would be left behind after every update (seen under Wine, whose file
/// sharing rules are Windows').
const BACKUP_BY_LINK: bool = cfg!(not(windows));

/// Where a replaced binary is moved aside on Windows, which refuses to overwrite a running
/// executable but lets it be renamed: `gox.exe` → `gox.old.exe`. [`clear_asides`] removes
/// them after the update, `gox self uninstall` any left over.
/// None for a name without `.exe`: only Windows moves binaries aside.
pub(crate) fn aside_path(installed: &Path) -> Option<PathBuf> {
    let exe = installed
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("exe"));
    exe.then(|| installed.with_extension("old.exe"))
}

#[cfg(windows)]
fn make_room(dest: &Path) -> std::io::Result<()> {
    let Some(aside) = aside_path(dest) else {
        return Ok(());
    };
    let _ = std::fs::remove_file(&aside);
    if dest.exists() {
        std::fs::rename(dest, &aside)?;
    }
    Ok(())
}

#[cfg(not(windows))]
fn make_room(_dest: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Removes what [`make_room`] moved aside. The old gox.exe is this very process, which
/// Windows cannot delete while it runs: its deletion is scheduled for when it exits
/// (self-replace's helper process). An old gox-shim.exe that a running `go` still holds
/// stays until the next update or `gox self uninstall`.
#[cfg(windows)]
fn clear_asides(written: &[Written]) {
    let running = std::env::current_exe().ok();
    for Written { path, .. } in written {
        let Some(aside) = aside_path(path) else {
            continue;
        };
        if !aside.exists() || std::fs::remove_file(&aside).is_ok() {
            continue;
        }
        let is_running = running
            .as_ref()
            .is_some_and(|exe| exe.file_name() == path.file_name());
        if is_running {
            let _ = self_replace::self_delete_at(&aside);
        }
    }
}

#[cfg(not(windows))]
fn clear_asides(_written: &[Written]) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn only_windows_binaries_are_moved_aside() {
        let aside = |p: &str| aside_path(Path::new(p)).map(|a| a.display().to_string());
        assert_eq!(aside("bin/gox.exe").as_deref(), Some("bin/gox.old.exe"));
        assert_eq!(
            aside("bin/gox-shim.EXE").as_deref(),
            Some("bin/gox-shim.old.exe")
        );
        assert_eq!(aside("bin/gox"), None);
    }

    #[test]
    fn target_per_host() {
        assert_eq!(
            target_for(&p("linux/amd64")),
            Some("x86_64-unknown-linux-musl")
        );
        assert_eq!(
            target_for(&p("linux/arm64")),
            Some("aarch64-unknown-linux-musl")
        );
        assert_eq!(target_for(&p("darwin/arm64")), Some("aarch64-apple-darwin"));
        assert_eq!(target_for(&p("darwin/amd64")), Some("x86_64-apple-darwin"));
        assert_eq!(
            target_for(&p("windows/amd64")),
            Some("x86_64-pc-windows-gnu")
        );
        assert_eq!(target_for(&p("freebsd/amd64")), None);
        assert_eq!(target_for(&p("windows/arm64")), None);
    }

    #[test]
    fn darwin_falls_back_to_universal() {
        let artifact = |target: &str| Artifact {
            target: target.into(),
            os: "darwin".into(),
            arch: "x".into(),
            file: format!("gox-1-{target}.tar.gz"),
            sha256: String::new(),
            size: 0,
        };
        let mut m = Manifest {
            version: "1".into(),
            artifacts: vec![
                artifact("universal2-apple-darwin"),
                artifact("x86_64-apple-darwin"),
            ],
        };
        assert_eq!(
            pick_artifact(&m, &p("darwin/amd64")).unwrap().target,
            "x86_64-apple-darwin"
        );
        assert_eq!(
            pick_artifact(&m, &p("darwin/arm64")).unwrap().target,
            "universal2-apple-darwin"
        );
        m.artifacts.push(artifact("aarch64-apple-darwin"));
        assert_eq!(
            pick_artifact(&m, &p("darwin/arm64")).unwrap().target,
            "aarch64-apple-darwin"
        );
        assert!(pick_artifact(&m, &p("linux/amd64")).is_none());
    }

    #[test]
    fn version_order() {
        use Ordering::*;
        for (a, b, want) in [
            ("0.0.1", "9.9.9", Less),
            ("0.10.0", "0.9.1", Greater),
            ("1.0.0", "1.0", Equal),
            ("v1.2.3", "1.2.3", Equal),
            ("1.0.0-rc1", "1.0.0", Less),
            ("1.0.0-rc2", "1.0.0-rc1", Greater),
            ("0.1.0", "0.1.0", Equal),
            // Numeric identifiers compare as numbers, not text.
            ("1.0.0-rc.10", "1.0.0-rc.9", Greater),
            ("1.0.0-rc.9", "1.0.0-rc.10", Less),
            ("1.0.0-rc.10", "1.0.0", Less),
            // SemVer's own example chain.
            ("1.0.0-alpha", "1.0.0-alpha.1", Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
            ("1.0.0-alpha.beta", "1.0.0-beta", Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Less),
            ("1.0.0+build.5", "1.0.0", Equal),
            ("0.7.0-test", "0.7.0", Less),
        ] {
            assert_eq!(compare_versions(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn malformed_wanted_versions_are_refused() {
        for bad in [
            "",
            " ",
            "1.0",
            "v2",
            "1.2-rc.1",
            "../x",
            "1.0/../../x",
            "1..0",
            "1.0.0-",
            "1.0.0-rc..1",
            "1.2.3.4",
            "x",
            "1.0.0 rc",
            "%2e%2e",
        ] {
            assert!(
                matches!(
                    normalize_wanted(bad),
                    Err(SelfUpdateError::InvalidVersion { .. })
                ),
                "{bad:?} accepted"
            );
        }
        for (given, release) in [
            ("0.3.0", "0.3.0"),
            ("v0.3.0", "0.3.0"),
            (" 0.3.0\n", "0.3.0"),
            ("1.0.0-rc.10", "1.0.0-rc.10"),
            ("v1.0.0-rc.10", "1.0.0-rc.10"),
            ("0.7.0-test", "0.7.0-test"),
            ("1.0.0+b.1", "1.0.0+b.1"),
        ] {
            assert_eq!(
                normalize_wanted(given).ok().as_deref(),
                Some(release),
                "{given:?}"
            );
        }
    }

    proptest::proptest! {
        /// Whatever `--version` holds, parsing never panics, and what it accepts is a
        /// single safe URL path segment: the version is joined onto the update base.
        #[test]
        fn accepted_versions_are_safe_path_segments(text in "\\PC{0,12}") {
            if let Ok(t) = normalize_wanted(&text) {
                proptest::prop_assert!(!t.contains('/') && !t.contains('\\') && !t.contains(".."), "{:?}", text);
                proptest::prop_assert!(!t.contains('%'), "{:?}", text);
            }
        }

        /// `1.2` is `1.2.0` and `v1.2.0` is `1.2.0`, whatever follows.
        #[test]
        fn shortened_and_prefixed_versions_are_the_full_ones(x in 0u32..50, y in 0u32..50, pre in "(-rc\\.[1-9][0-9]?)?") {
            let full = format!("{x}.{y}.0{pre}");
            proptest::prop_assert_eq!(compare_versions(&format!("{x}.{y}{pre}"), &full), Ordering::Equal);
            proptest::prop_assert_eq!(compare_versions(&format!("v{full}"), &full), Ordering::Equal);
        }
    }

    #[test]
    fn a_full_disk_says_where_and_what_to_do() {
        let err = SelfUpdateError::io(
            "write",
            Path::new("/opt/gox/.gox-update-x/new/gox"),
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        let text = err.to_string();
        assert!(text.contains("/opt/gox/.gox-update-x/new/gox"), "{text}");
        assert!(text.contains("nothing was changed"), "{text}");
        assert!(
            text.contains("full") && text.contains("run `gox self update` again"),
            "{text}"
        );
    }

    #[test]
    fn a_read_only_install_dir_is_named_and_not_blamed_on_permissions() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let staging = |kind| {
            SelfUpdateError::io(
                "create a staging directory in",
                &bin,
                std::io::Error::from(kind),
            )
            .to_string()
        };
        let text = staging(std::io::ErrorKind::ReadOnlyFilesystem);
        let advice = text.lines().last().unwrap();
        assert!(
            advice.starts_with(&format!("{} is on a read-only filesystem", bin.display())),
            "{text}"
        );
        assert!(
            !advice.contains("sudo") && advice.contains("install.sh"),
            "{text}"
        );
        let text = staging(std::io::ErrorKind::PermissionDenied);
        let advice = text.lines().last().unwrap();
        assert!(
            advice.starts_with(&format!("{} is not writable by you", bin.display())),
            "{text}"
        );
        assert!(advice.contains("sudo"), "{text}");
    }

    /// A release archive holding `top/gox` and `top/gox-shim`.
    #[cfg(target_os = "linux")]
    fn release_tar_gz(dir: &Path, top: &str) -> PathBuf {
        use crate::extract::tests::{file, tgz};
        let data = vec![0x7f; 200_000];
        let (gox, shim) = (format!("{top}/gox"), format!("{top}/gox-shim"));
        let path = dir.join(format!("{top}.tar.gz"));
        std::fs::write(
            &path,
            tgz(&[file(&gox, &data, 0o755), file(&shim, &data, 0o755)]),
        )
        .unwrap();
        path
    }

    /// Running out of disk while unpacking is this machine's problem: it must be reported
    /// as a full disk with its fix, never as a broken release. `/dev/full` fails every
    /// write with ENOSPC.
    #[cfg(target_os = "linux")]
    #[test]
    fn unpacking_onto_a_full_disk_is_not_a_broken_release() {
        let dir = tempfile::tempdir().unwrap();
        let top = "gox-9.9.9-x86_64-unknown-linux-musl";
        let archive = release_tar_gz(dir.path(), top);
        let url = format!("http://127.0.0.1:1/{top}.tar.gz");
        let names = ["gox-shim".to_string(), "gox".to_string()];
        let members = names.clone().map(|n| format!("{top}/{n}"));
        let dest = dir.path().join("new");
        std::fs::create_dir(&dest).unwrap();
        std::os::unix::fs::symlink("/dev/full", dest.join("gox")).unwrap();
        let err = unpack(&archive, &url, &members, &names, &dest, None).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, SelfUpdateError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::StorageFull),
            "{text}"
        );
        assert!(!text.contains("broken"), "{text}");
        assert!(
            text.contains("is full") && text.contains("nothing was changed"),
            "{text}"
        );

        // The same archive onto a disk with room unpacks, and a truncated copy of it is
        // the release's fault.
        std::fs::remove_file(dest.join("gox")).unwrap();
        unpack(&archive, &url, &members, &names, &dest, None).unwrap();
        assert_eq!(std::fs::metadata(dest.join("gox")).unwrap().len(), 200_000);
        let bytes = std::fs::read(&archive).unwrap();
        let cut = dir.path().join("cut.tar.gz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = unpack(&cut, &url, &members, &names, &dest, None).unwrap_err();
        assert!(matches!(err, SelfUpdateError::Archive { .. }), "{err}");
    }

    #[test]
    fn versioned_bases() {
        assert_eq!(
            versioned_base(DEFAULT_BASE, "0.3.0"),
            "https://github.com/gox-dev/gox/releases/download/v0.3.0"
        );
        assert_eq!(
            versioned_base("http://127.0.0.1:1/dl/", "0.3.0"),
            "http://127.0.0.1:1/dl/0.3.0"
        );
    }

    #[test]
    fn sha256sums_lines() {
        let sums = "aa  gox-1-a.tar.gz\nbb *gox-1-b.zip\r\n";
        assert_eq!(sums_entry(sums, "gox-1-a.tar.gz"), Some("aa"));
        assert_eq!(sums_entry(sums, "gox-1-b.zip"), Some("bb"));
        assert_eq!(sums_entry(sums, "gox-1-c.zip"), None);
    }
}
