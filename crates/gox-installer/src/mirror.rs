//! `gox mirror sync`: a static tree any web server or bucket can serve, built through the
//! install pipeline (download, SHA-256 against the feed, safe extraction, binary
//! verification) so a fleet's mirror never holds bytes gox would refuse to install.
//!
//! ```text
//! DIR/feed.json                                   go.dev feed shape, only the synced files
//! DIR/go1.22.10.linux-amd64.tar.gz                the archives, beside it
//! DIR/golang.org/toolchain/@v/list                with --goproxy: what plain `go` fetches
//! DIR/golang.org/toolchain/@v/v0.0.1-go1.22.10.linux-amd64.{info,mod,zip}
//! ```
//!
//! Incremental: an archive already in DIR with the feed's SHA-256 is not fetched again.
//! Every file appears by rename of a complete temporary file, `feed.json` last, so a client
//! never sees a feed entry whose archive is missing or half-written.

use std::io::Write;
use std::path::{Path, PathBuf};

use gox_core::{Platform, Version};
use gox_verifier::hash::sha256_file;
use gox_verifier::tree::verify_release;
use serde::{Deserialize, Serialize};

use crate::cancel;
use crate::error::InstallError;
use crate::install::{Checksum, FreshPart, Installer, Origin, Request, parse_archive_name};
use crate::lock::ToolchainLock;
use crate::modzip;

/// An archive to mirror, as the source feed lists it.
#[derive(Clone, Debug)]
pub struct MirrorFile {
    pub version: Version,
    /// The source feed's `stable` flag, carried into the mirror's feed.
    pub stable: bool,
    pub platform: Platform,
    pub filename: String,
    /// The archive on each mirror, in failover order.
    pub urls: Vec<String>,
    pub sha256: String,
    /// Where the checksum comes from (shown on mismatch).
    pub checksum_origin: String,
    pub size: u64,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SyncOptions {
    /// Also write the `golang.org/toolchain` module tree (GOPROXY layout).
    pub goproxy: bool,
    /// Remove archives and module versions that are not in this sync.
    pub prune: bool,
}

/// What a sync did, file by file (names relative to DIR).
#[derive(Debug, Default)]
pub struct SyncReport {
    pub fetched: Vec<String>,
    /// Already present with the feed's checksum.
    pub kept: Vec<String>,
    pub modules: Vec<String>,
    /// Module zips (among `modules`) that were in DIR but damaged, and were written again.
    pub repaired: Vec<String>,
    pub removed: Vec<String>,
}

/// The module tree inside DIR.
pub const MODULE_DIR: &str = "golang.org/toolchain/@v";
pub const FEED_FILE: &str = "feed.json";
/// The prefix of every temporary a sync makes: files in DIR, the staging directory of an
/// archive's extraction in the cache (GOX_CACHE_DIR).
pub const STAGING_PREFIX: &str = ".gox-mirror-";

/// Why a sync stopped: DIR is not a directory, or a step of the install pipeline failed,
/// worded for a mirror (a sync installs nothing; `feed.json` is written last, so it still
/// lists only what the previous sync published).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "cannot sync into {}: it is a file, not a directory; give `gox mirror sync` a directory (created when missing), or move the file away: mv {} {}.bak",
        .path.display(), .path.display(), .path.display()
    )]
    NotADirectory { path: PathBuf },
    #[error("{}", sync_wording(.source, .feed))]
    Install {
        source: Box<InstallError>,
        /// DIR/feed.json, left as it was.
        feed: PathBuf,
    },
}

impl SyncError {
    /// The signal that stopped the sync, for the conventional exit status 128 + N.
    pub fn interrupted_by(&self) -> Option<i32> {
        match self {
            Self::Install { source, .. } => source.interrupted_by(),
            Self::NotADirectory { .. } => None,
        }
    }
}

/// An install error's text with its outcome clause ("nothing was installed", "the next
/// `gox install` resumes it", "the lock released") replaced by what a sync leaves.
fn sync_wording(e: &InstallError, feed: &Path) -> String {
    let left = format!("the mirror's feed {} was left as it was", feed.display());
    if let Some(signal) = e.interrupted_by() {
        return format!(
            "interrupted ({}): {left}; the staging directory was removed",
            crate::error::signal_name(signal)
        );
    }
    e.to_string()
        .replace("nothing was installed", &left)
        .replace(
            "the next `gox install` resumes it",
            "the next `gox mirror sync` resumes it",
        )
}

/// One release in go.dev's feed shape.
#[derive(Debug, Serialize, Deserialize)]
struct FeedRelease {
    version: String,
    stable: bool,
    files: Vec<FeedEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FeedEntry {
    filename: String,
    os: String,
    arch: String,
    version: String,
    sha256: String,
    size: u64,
    kind: String,
}

impl FeedEntry {
    fn new(file: &MirrorFile) -> Self {
        Self {
            filename: file.filename.clone(),
            os: file.platform.os().to_string(),
            arch: file.platform.feed_arch().to_string(),
            version: file.version.go_name(),
            sha256: file.sha256.clone(),
            size: file.size,
            kind: "archive".to_string(),
        }
    }
}

impl Installer<'_> {
    /// Brings `dir` to hold `files` (plus, without `prune`, what earlier syncs put there).
    pub async fn mirror_sync(
        &self,
        dir: &Path,
        files: &[MirrorFile],
        options: SyncOptions,
    ) -> Result<SyncReport, SyncError> {
        if let Some(file) = dir
            .ancestors()
            .find(|a| !a.as_os_str().is_empty() && a.exists())
            .filter(|a| !a.is_dir())
        {
            return Err(SyncError::NotADirectory {
                path: file.to_path_buf(),
            });
        }
        // What syncs killed outright (SIGKILL, a crash) left in the cache.
        crate::staging::sweep(self.layout.cache(), STAGING_PREFIX);
        self.sync_into(dir, files, options)
            .await
            .map_err(|e| SyncError::Install {
                source: Box::new(e.settled()),
                feed: dir.join(FEED_FILE),
            })
    }

    async fn sync_into(
        &self,
        dir: &Path,
        files: &[MirrorFile],
        options: SyncOptions,
    ) -> Result<SyncReport, InstallError> {
        let module_dir = dir.join(MODULE_DIR);
        std::fs::create_dir_all(dir).map_err(|e| InstallError::io("create", dir, e))?;
        if options.goproxy {
            std::fs::create_dir_all(&module_dir)
                .map_err(|e| InstallError::io("create", &module_dir, e))?;
        }
        let mut report = SyncReport::default();
        for file in files {
            self.sync_one(dir, &module_dir, file, options, &mut report)
                .await?;
        }

        let earlier = if options.prune {
            Vec::new()
        } else {
            read_feed(&dir.join(FEED_FILE))
        };
        let mut releases: Vec<(Version, bool, FeedEntry)> = earlier
            .into_iter()
            .flat_map(|r| {
                let stable = r.stable;
                r.files.into_iter().map(move |f| (stable, f))
            })
            .filter(|(_, f)| {
                !files.iter().any(|w| w.filename == f.filename) && dir.join(&f.filename).is_file()
            })
            .filter_map(|(stable, f)| {
                let v = Version::parse_feed(f.version.strip_prefix("go")?).ok()?;
                Some((v, stable, f))
            })
            .collect();
        releases.extend(
            files
                .iter()
                .map(|f| (f.version.clone(), f.stable, FeedEntry::new(f))),
        );

        // The last moment a stop is honoured: from here on only small files are replaced.
        cancel::check()?;
        if options.prune {
            prune(dir, &module_dir, files, &mut report)?;
        }
        if module_dir.is_dir() {
            write_atomic(
                &module_dir.join("list"),
                module_list(&module_dir).as_bytes(),
            )?;
        }
        write_atomic(&dir.join(FEED_FILE), feed_json(releases).as_bytes())?;
        Ok(report)
    }

    async fn sync_one(
        &self,
        dir: &Path,
        module_dir: &Path,
        file: &MirrorFile,
        options: SyncOptions,
        report: &mut SyncReport,
    ) -> Result<(), InstallError> {
        cancel::check()?;
        let archive = dir.join(&file.filename);
        let module_version = modzip::module_version(&file.version, &file.platform);
        let zip_path = module_dir.join(format!("{module_version}.zip"));
        let present = sha256_file(&archive).is_ok_and(|s| s == file.sha256);
        let mut module = None;
        if present {
            module = options
                .goproxy
                .then(|| module_state(module_dir, &module_version, &archive))
                .transpose()?;
            if module.is_none_or(|m| m == Module::Intact) {
                report.kept.push(file.filename.clone());
                return Ok(());
            }
        }
        let checksum = Checksum {
            sha256: file.sha256.clone(),
            origin: file.checksum_origin.clone(),
        };
        let request = Request {
            version: file.version.clone(),
            platform: file.platform.clone(),
            origin: if present {
                Origin::Local {
                    path: archive.clone(),
                }
            } else {
                Origin::Remote {
                    urls: file.urls.clone(),
                    filename: file.filename.clone(),
                }
            },
            checksum: Some(checksum.clone()),
            force: true,
        };
        // The download goes through `downloads/<archive>.part`, as an install's does: held
        // under the same lock, a `gox install` of this toolchain or a `gox prune --cache`
        // cannot resume into, or delete, a file this sync is writing.
        let lock_path = self.layout.toolchain_lock(&file.version, &file.platform);
        let _lock = ToolchainLock::acquire(&lock_path, || {
            // Like the progress bars: stderr, and not with --quiet.
            if self.progress == crate::Progress::Quiet {
                return;
            }
            gox_core::say!(
                "gox: waiting for another gox working on go{} ({}) (lock {})",
                file.version,
                file.platform,
                lock_path.display()
            );
        })?;
        let scratch = self.layout.cache();
        std::fs::create_dir_all(scratch).map_err(|e| InstallError::io("create", scratch, e))?;
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(scratch)
            .map_err(|e| InstallError::io("create a staging dir in", scratch, e))?;
        let fetched = self
            .fetch_and_extract(&request, &checksum, staging.path())
            .await?;
        verify_release(&fetched.extracted.root, &file.platform, &file.version).map_err(
            |source| InstallError::Verify {
                archive: file.filename.clone(),
                staging: staging.path().to_path_buf(),
                source: Box::new(source),
            },
        )?;
        if present {
            report.kept.push(file.filename.clone());
        } else {
            match fetched.fresh {
                Some(fresh) => place_temp(fresh, &archive)?,
                None => copy_atomic(&self.layout.downloads().join(&file.filename), &archive)?,
            }
            report.fetched.push(file.filename.clone());
        }
        if options.goproxy && module.is_none() {
            module = Some(module_state(module_dir, &module_version, &archive)?);
        }
        if let Some(state @ (Module::Absent | Module::Damaged)) = module {
            let tmp = temp_in(module_dir)?;
            let zip =
                modzip::write_from_tree(&fetched.extracted.root, &module_version, tmp.path())?;
            cancel::check()?;
            write_atomic(
                &module_dir.join(format!("{module_version}.mod")),
                modzip::MOD_FILE.as_bytes(),
            )?;
            write_atomic(
                &module_dir.join(format!("{module_version}.info")),
                modzip::info_json(&module_version, &zip.time).as_bytes(),
            )?;
            // The zip last: `list` and a client's lookups only count versions whose zip exists.
            persist(tmp, &zip_path)?;
            let name = format!("{MODULE_DIR}/{module_version}.zip");
            if state == Module::Damaged {
                report.repaired.push(name.clone());
            }
            report.modules.push(name);
        }
        Ok(())
    }
}

/// The module files of a toolchain in DIR, against what its archive says they must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Module {
    /// No zip: never written (or pruned).
    Absent,
    /// The zip hashes to the `h1:` of the archive's module form; `.mod` and `.info` match.
    Intact,
    /// Truncated, changed, or its `.mod`/`.info` missing or different: written again.
    Damaged,
}

/// Checks the module files of `module_version` against `archive` (verified): the zip's
/// `h1:` (every entry read, CRC-checked and hashed) against the one computed from the
/// archive, the way cmd/go checks it against the checksum database.
fn module_state(
    module_dir: &Path,
    module_version: &str,
    archive: &Path,
) -> Result<Module, InstallError> {
    let zip = module_dir.join(format!("{module_version}.zip"));
    if !zip.is_file() {
        return Ok(Module::Absent);
    }
    let expected = modzip::expected_from_archive(archive, module_version)?;
    let read = |ext: &str| std::fs::read(module_dir.join(format!("{module_version}.{ext}")));
    let intact = read("mod").is_ok_and(|m| m == modzip::MOD_FILE.as_bytes())
        && read("info").is_ok_and(|i| i == expected.info.as_bytes())
        && gox_sumdb::hash_zip_file(&zip).is_ok_and(|h1| h1 == expected.h1);
    cancel::check()?;
    Ok(if intact {
        Module::Intact
    } else {
        Module::Damaged
    })
}

/// The earlier feed.json of this mirror; unreadable means nothing to carry over.
fn read_feed(path: &Path) -> Vec<FeedRelease> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// go.dev's shape: releases newest first, each with its files.
fn feed_json(mut entries: Vec<(Version, bool, FeedEntry)>) -> String {
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.filename.cmp(&b.2.filename)));
    let mut releases: Vec<FeedRelease> = Vec::new();
    for (version, stable, entry) in entries {
        match releases.last_mut() {
            Some(last) if last.version == entry.version => last.files.push(entry),
            _ => releases.push(FeedRelease {
                version: version.go_name(),
                stable,
                files: vec![entry],
            }),
        }
    }
    let mut text = serde_json::to_string_pretty(&releases).expect("feed serializes");
    text.push('\n');
    text
}

/// `@v/list`: every module version whose zip is present, one per line.
fn module_list(module_dir: &Path) -> String {
    let mut versions: Vec<String> = std::fs::read_dir(module_dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".zip")
                        .filter(|v| v.starts_with("v0.0.1-go"))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.iter().map(|v| format!("{v}\n")).collect()
}

/// Removes archives and module versions this sync did not ask for, and temporary files
/// left by an interrupted sync. Files gox did not name are never touched.
fn prune(
    dir: &Path,
    module_dir: &Path,
    files: &[MirrorFile],
    report: &mut SyncReport,
) -> Result<(), InstallError> {
    let wanted_modules: Vec<String> = files
        .iter()
        .map(|f| modzip::module_version(&f.version, &f.platform))
        .collect();
    let doomed = |d: &Path, name: &str| -> bool {
        if name.starts_with(STAGING_PREFIX) {
            return true;
        }
        if d == dir {
            return parse_archive_name(name).is_some() && !files.iter().any(|f| f.filename == name);
        }
        let module = name
            .strip_suffix(".zip")
            .or_else(|| name.strip_suffix(".info"))
            .or_else(|| name.strip_suffix(".mod"));
        module.is_some_and(|m| m.starts_with("v0.0.1-go") && !wanted_modules.iter().any(|w| w == m))
    };
    for d in [dir, module_dir] {
        let Ok(entries) = std::fs::read_dir(d) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_file()) && doomed(d, &name) {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(|e| InstallError::io("remove", &path, e))?;
                // Named as the mirror's URLs name it, `/` on every OS, like what was added.
                report.removed.push(if d == dir {
                    name
                } else {
                    format!("{MODULE_DIR}/{name}")
                });
            }
        }
    }
    Ok(())
}

fn temp_in(dir: &Path) -> Result<tempfile::NamedTempFile, InstallError> {
    tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| InstallError::io("create a file in", dir, e))
}

/// Temporary files are private (0600); a mirror is read by a web server running as another
/// user, so what it publishes is world-readable like any static file.
fn persist(tmp: tempfile::NamedTempFile, dest: &Path) -> Result<(), InstallError> {
    make_readable(tmp.path())?;
    tmp.persist(dest)
        .map(|_| ())
        .map_err(|e| InstallError::io("rename into place", dest, e.error))
}

#[cfg(unix)]
fn make_readable(path: &Path) -> Result<(), InstallError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| InstallError::io("set permissions of", path, e))
}

#[cfg(not(unix))]
fn make_readable(_path: &Path) -> Result<(), InstallError> {
    Ok(())
}

fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    let dir = parent(dest);
    let mut tmp = temp_in(&dir)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| InstallError::io("write", tmp.path(), e))?;
    persist(tmp, dest)
}

fn copy_atomic(src: &Path, dest: &Path) -> Result<(), InstallError> {
    let tmp = temp_in(&parent(dest))?;
    std::fs::copy(src, tmp.path()).map_err(|e| InstallError::io("copy to", tmp.path(), e))?;
    persist(tmp, dest)
}

/// A fresh download: renamed into DIR when on the same filesystem, copied otherwise.
fn place_temp(fresh: FreshPart, dest: &Path) -> Result<(), InstallError> {
    make_readable(fresh.path())?;
    match std::fs::rename(fresh.path(), dest) {
        Ok(()) => Ok(()),
        Err(_) => copy_atomic(fresh.path(), dest),
    }
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(v: &str, p: &str) -> MirrorFile {
        let platform: Platform = p.parse().unwrap();
        let filename = format!("go{v}.{}-{}.tar.gz", platform.os(), platform.feed_arch());
        MirrorFile {
            version: Version::parse(v).unwrap(),
            stable: true,
            platform,
            urls: vec![format!("https://dl/{filename}")],
            filename,
            sha256: "ab".repeat(32),
            checksum_origin: "test".into(),
            size: 7,
        }
    }

    #[test]
    fn feed_is_go_dev_shaped_newest_first() {
        let files = [
            file("1.21.13", "linux/amd64"),
            file("1.22.10", "linux/arm"),
            file("1.22.10", "linux/amd64"),
        ];
        let text = feed_json(
            files
                .iter()
                .map(|f| (f.version.clone(), f.stable, FeedEntry::new(f)))
                .collect(),
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["version"], "go1.22.10");
        assert_eq!(v[0]["stable"], true);
        assert_eq!(v[0]["files"][0]["filename"], "go1.22.10.linux-amd64.tar.gz");
        assert_eq!(v[0]["files"][1]["arch"], "armv6l");
        assert_eq!(v[0]["files"][1]["kind"], "archive");
        assert_eq!(v[0]["files"][1]["version"], "go1.22.10");
        assert_eq!(v[1]["files"][0]["sha256"], "ab".repeat(32));
        assert_eq!(v[1]["files"][0]["size"], 7);
        assert_eq!(v.as_array().unwrap().len(), 2);
    }

    #[test]
    fn sync_errors_say_what_a_sync_leaves() {
        let feed = Path::new("/srv/go/feed.json");
        let part = PathBuf::from("/c/downloads/go1.22.10.linux-amd64.tar.gz.part");
        let download = InstallError::Download {
            failures: Vec::new(),
            part: Some(part.clone()),
        };
        let checksum = InstallError::Checksum {
            source_name: "go1.22.10.linux-amd64.tar.gz".into(),
            expected: "aa".into(),
            actual: "bb".into(),
            origin: "the feed".into(),
            discarded: true,
        };
        let interrupted = InstallError::Interrupted { signal: 15 };
        for e in [download, checksum, interrupted] {
            let install = e.to_string();
            assert!(install.contains("nothing was installed"), "{install}");
            let text = SyncError::Install {
                source: Box::new(e),
                feed: feed.to_path_buf(),
            }
            .to_string();
            assert!(
                text.contains("the mirror's feed /srv/go/feed.json was left as it was"),
                "{text}"
            );
            for wrong in ["nothing was installed", "gox install", "lock"] {
                assert!(!text.contains(wrong), "{text}");
            }
        }
        let text = sync_wording(
            &InstallError::Download {
                failures: Vec::new(),
                part: Some(part),
            },
            feed,
        );
        assert!(
            text.contains("the next `gox mirror sync` resumes it"),
            "{text}"
        );
        let text = sync_wording(&InstallError::Interrupted { signal: 2 }, feed);
        assert!(text.starts_with("interrupted (SIGINT): "), "{text}");
    }

    #[test]
    fn prune_removes_only_what_gox_names() {
        let dir = tempfile::tempdir().unwrap();
        let modules = dir.path().join(MODULE_DIR);
        std::fs::create_dir_all(&modules).unwrap();
        for name in [
            "go1.22.10.linux-amd64.tar.gz",
            "go1.21.13.linux-amd64.tar.gz",
            "index.html",
            ".gox-mirror-abc",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        for name in [
            "v0.0.1-go1.22.10.linux-amd64.zip",
            "v0.0.1-go1.21.13.linux-amd64.zip",
            "v0.0.1-go1.21.13.linux-amd64.info",
            "list",
        ] {
            std::fs::write(modules.join(name), "x").unwrap();
        }
        let mut report = SyncReport::default();
        prune(
            dir.path(),
            &modules,
            &[file("1.22.10", "linux/amd64")],
            &mut report,
        )
        .unwrap();
        report.removed.sort();
        assert_eq!(
            report.removed,
            [
                ".gox-mirror-abc",
                "go1.21.13.linux-amd64.tar.gz",
                "golang.org/toolchain/@v/v0.0.1-go1.21.13.linux-amd64.info",
                "golang.org/toolchain/@v/v0.0.1-go1.21.13.linux-amd64.zip",
            ]
        );
        assert!(dir.path().join("index.html").is_file());
        assert_eq!(module_list(&modules), "v0.0.1-go1.22.10.linux-amd64\n");
    }
}
