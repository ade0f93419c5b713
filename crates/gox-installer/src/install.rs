//! The install transaction: lock → fetch (hash while streaming, extract while downloading)
//! → compare SHA-256 → verify the binaries → receipt → atomic rename. Staging lives in
//! `toolchains/.staging-*` on the same filesystem, so the final rename is atomic and a crash
//! at any instant leaves either no toolchain or a whole, verified one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use gox_core::layout::Layout;
use gox_core::{Platform, Version};
use gox_verifier::hash::sha256_file;
use gox_verifier::tree::{TreeReport, verify_release};

use gox_resolver::RetryPolicy;

use crate::cancel;
use crate::download::{self, Discard, Download, Progress};
use crate::error::InstallError;
use crate::extract::{self, ArchiveKind, Extracted, Limits};
use crate::receipt::{ModuleProvenance, Receipt, now_unix};
use crate::streaming::StreamingExtractor;
use crate::transaction::Transaction;

/// Where the archive comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// Download URLs (`https://`, loopback `http://`, `file://`), one per mirror in
    /// failover order, and the archive's name.
    Remote { urls: Vec<String>, filename: String },
    /// `--archive FILE`.
    Local { path: PathBuf },
    /// A downloaded `golang.org/toolchain` module zip whose `h1:` was already checked;
    /// extracted with [`extract::extract_module_zip`].
    ModuleZip {
        path: PathBuf,
        /// `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/`
        prefix: String,
        provenance: Box<ModuleProvenance>,
    },
}

/// The checksum an archive must have, and who vouches for it (shown on mismatch).
#[derive(Clone, Debug)]
pub struct Checksum {
    pub sha256: String,
    pub origin: String,
}

impl Checksum {
    /// `discarded`: the bytes were a download gox deleted, not a file of the user's.
    fn mismatch(&self, source_name: &str, actual: String, discarded: bool) -> InstallError {
        InstallError::Checksum {
            source_name: source_name.to_string(),
            expected: self.sha256.clone(),
            actual,
            origin: self.origin.clone(),
            discarded,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub version: Version,
    pub platform: Platform,
    pub origin: Origin,
    /// `None` is refused: gox never installs bytes nobody vouched for.
    pub checksum: Option<Checksum>,
    pub force: bool,
}

#[derive(Debug)]
pub enum Outcome {
    Installed(Installed),
    /// Already there and `force` was not set; nothing was touched.
    AlreadyInstalled {
        goroot: PathBuf,
    },
}

#[derive(Debug)]
pub struct Installed {
    pub goroot: PathBuf,
    pub sha256: String,
    /// The archive came from `downloads/` instead of the network.
    pub from_cache: bool,
    pub files: u64,
    pub bytes: u64,
    pub report: TreeReport,
}

#[derive(Debug)]
pub struct Installer<'a> {
    pub layout: &'a Layout,
    pub client: reqwest::Client,
    pub progress: Progress,
    pub limits: Limits,
    /// Retries and timeouts for the download (the feed uses the same policy).
    pub retry: RetryPolicy,
}

/// The archive bytes on disk plus the digest they hashed to, and the extracted tree.
pub(crate) struct Fetched {
    pub(crate) sha256: String,
    pub(crate) extracted: Extracted,
    /// A fresh download (`downloads/<file>.part`), renamed to `downloads/<file>` only once
    /// everything checked out, and removed when anything did not.
    pub(crate) fresh: Option<FreshPart>,
    pub(crate) from_cache: bool,
    pub(crate) source: String,
}

impl Installer<'_> {
    pub async fn install(
        &self,
        req: &Request,
        on_wait: impl FnOnce(),
    ) -> Result<Outcome, InstallError> {
        let tx = Transaction::lock(self.layout, &req.version, &req.platform, on_wait)?;
        if tx.installed() && !req.force {
            return Ok(Outcome::AlreadyInstalled {
                goroot: tx.target().to_path_buf(),
            });
        }
        let checksum = req
            .checksum
            .as_ref()
            .ok_or_else(|| InstallError::NoChecksum {
                version: req.version.to_string(),
                filename: archive_name(&req.origin),
            })?;
        let staging = tx.stage()?;

        let fetched = self
            .fetch_and_extract(req, checksum, staging.path())
            .await
            .map_err(InstallError::settled)?;
        self.verify_and_commit(req, fetched, &staging, &tx)
    }

    fn verify_and_commit(
        &self,
        req: &Request,
        mut fetched: Fetched,
        staging: &tempfile::TempDir,
        tx: &Transaction,
    ) -> Result<Outcome, InstallError> {
        let goroot = fetched.extracted.root.clone();
        let report = verify_release(&goroot, &req.platform, &req.version).map_err(|source| {
            InstallError::Verify {
                archive: archive_name(&req.origin),
                staging: staging.path().to_path_buf(),
                source: Box::new(source),
            }
        })?;
        let receipt = Receipt {
            version: req.version.to_string(),
            platform: req.platform.to_string(),
            sha256: fetched.sha256.clone(),
            source: fetched.source.clone(),
            installed_at: now_unix(),
            gox_version: env!("CARGO_PKG_VERSION").to_string(),
            origin: None,
            manager: None,
            source_kind: matches!(req.origin, Origin::ModuleZip { .. }).then(|| "proxy".into()),
            module: match &req.origin {
                Origin::ModuleZip { provenance, .. } => Some((**provenance).clone()),
                _ => None,
            },
        };
        tx.commit(&goroot, &receipt)?;
        let target = tx.target().to_path_buf();
        if let (Some(fresh), Origin::Remote { filename, .. }) = (fetched.fresh.take(), &req.origin)
        {
            fresh.keep(&self.layout.downloads().join(filename));
        }
        Ok(Outcome::Installed(Installed {
            goroot: target.to_path_buf(),
            sha256: fetched.sha256,
            from_cache: fetched.from_cache,
            files: fetched.extracted.files,
            bytes: fetched.extracted.bytes,
            report,
        }))
    }

    pub(crate) async fn fetch_and_extract(
        &self,
        req: &Request,
        checksum: &Checksum,
        staging: &Path,
    ) -> Result<Fetched, InstallError> {
        let filename = archive_name(&req.origin);
        let kind =
            ArchiveKind::from_filename(&filename).unwrap_or(if req.platform.os() == "windows" {
                ArchiveKind::Zip
            } else {
                ArchiveKind::TarGz
            });
        let (urls, filename) = match &req.origin {
            Origin::ModuleZip {
                path,
                prefix,
                provenance,
            } => {
                let sha256 = sha256_file(path).map_err(|e| InstallError::io("read", path, e))?;
                if sha256 != checksum.sha256 {
                    return Err(checksum.mismatch(&path.display().to_string(), sha256, true));
                }
                return Ok(Fetched {
                    extracted: extract::extract_module_zip(path, prefix, staging, self.limits)?,
                    sha256,
                    fresh: None,
                    from_cache: false,
                    source: ModuleZipUrl::of(provenance),
                });
            }
            Origin::Local { path } => {
                let sha256 = sha256_file(path).map_err(|e| InstallError::io("read", path, e))?;
                return Ok(Fetched {
                    extracted: self.extract_checked(&sha256, checksum, path, kind, staging)?,
                    sha256,
                    fresh: None,
                    from_cache: false,
                    source: path.display().to_string(),
                });
            }
            Origin::Remote { urls, filename } => (urls, filename),
        };
        let first_url = urls.first().cloned().unwrap_or_default();
        let cached = self.layout.downloads().join(filename);
        if let Ok(sha256) = sha256_file(&cached) {
            if sha256 == checksum.sha256 {
                return Ok(Fetched {
                    extracted: extract::extract(&cached, kind, staging, self.limits)?,
                    sha256,
                    fresh: None,
                    from_cache: true,
                    source: first_url,
                });
            }
            // A cached file that no longer matches the feed is useless (or tampered with).
            let _ = std::fs::remove_file(&cached);
        }
        let downloads = self.layout.downloads();
        std::fs::create_dir_all(&downloads)
            .map_err(|e| InstallError::io("create", &downloads, e))?;
        // One name per archive: the toolchain lock we hold makes it ours, and a later run
        // finds it to resume. Never mistaken for a complete download: those have no suffix.
        let part = FreshPart(download::part_path(&downloads.join(filename)));
        let label = format!("{} {}", req.version.go_name(), req.platform);
        let download = Download {
            client: &self.client,
            urls,
            part: &part.0,
            policy: self.retry,
            progress: self.progress,
            label: &label,
        };

        let (transfer, extracted) = if kind == ArchiveKind::TarGz {
            // Decompress on another thread while bytes arrive; the staging dir is private
            // until the checksum and the binaries check out, so early extraction is safe.
            let mut extractor = StreamingExtractor::start(filename, staging, self.limits);
            let transfer = cancel::unless_stopped(download::fetch(&download, &mut extractor)).await;
            let extracted = extractor.finish();
            match transfer {
                Ok(t) => (t, extracted),
                // Keep the .part (and its validator) for the next run to resume.
                Err(e) => {
                    std::mem::forget(part);
                    return Err(e);
                }
            }
        } else {
            let transfer =
                match cancel::unless_stopped(download::fetch(&download, &mut Discard)).await {
                    Ok(t) => t,
                    Err(e) => {
                        std::mem::forget(part);
                        return Err(e);
                    }
                };
            // Zip needs the central directory at the end: extract once complete, and only
            // if the bytes are the ones the feed vouches for.
            let extracted = if transfer.sha256 == checksum.sha256 {
                extract::extract(&part.0, kind, staging, self.limits)
            } else {
                Err(extract::ExtractError::Corrupt {
                    archive: filename.clone(),
                    detail: "not extracted: checksum mismatch".to_string(),
                })
            };
            (transfer, extracted)
        };
        // A checksum mismatch explains any extraction failure, so it is reported first.
        // Not retried, and no other mirror is tried: the bytes arrived whole and are not the
        // ones the feed vouches for, which a retry cannot fix and the user must hear about.
        if transfer.sha256 != checksum.sha256 {
            return Err(checksum.mismatch(&transfer.url, transfer.sha256, true));
        }
        Ok(Fetched {
            sha256: transfer.sha256,
            extracted: extracted?,
            fresh: Some(part),
            from_cache: false,
            source: transfer.url,
        })
    }

    fn extract_checked(
        &self,
        sha256: &str,
        checksum: &Checksum,
        archive: &Path,
        kind: ArchiveKind,
        staging: &Path,
    ) -> Result<Extracted, InstallError> {
        if sha256 != checksum.sha256 {
            return Err(checksum.mismatch(
                &archive.display().to_string(),
                sha256.to_string(),
                false,
            ));
        }
        Ok(extract::extract(archive, kind, staging, self.limits)?)
    }
}

/// The zip URL a proxy-source receipt's `source` shows.
struct ModuleZipUrl;

impl ModuleZipUrl {
    fn of(p: &ModuleProvenance) -> String {
        let (module, version) = p.module.split_once('@').unwrap_or((&p.module, ""));
        format!("{}/{module}/@v/{version}.zip", p.proxy)
    }
}

fn archive_name(origin: &Origin) -> String {
    match origin {
        Origin::Remote { filename, .. } => filename.clone(),
        Origin::Local { path } | Origin::ModuleZip { path, .. } => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

/// A complete download in `downloads/<file>.part`: removed on drop (any failure after
/// the transfer) unless [`FreshPart::keep`] renames it to its final name.
pub(crate) struct FreshPart(PathBuf);

impl FreshPart {
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Keeping the archive is a convenience for offline reinstalls; failing to keep it
    /// must not fail an install that already succeeded.
    fn keep(self, dest: &Path) {
        let _ = std::fs::rename(&self.0, dest);
    }
}

impl Drop for FreshPart {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(download::meta_path(&self.0));
    }
}

/// Feeds chunks from the download loop to the extractor thread as a `Read`.
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl ChannelReader {
    pub(crate) fn new(rx: mpsc::Receiver<Vec<u8>>) -> Self {
        Self {
            rx,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
                // Sender gone: end of stream (or the download failed; the caller knows).
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// `go1.22.10.linux-amd64.tar.gz` → (1.22.10, linux/amd64), as go.dev names archives.
pub fn parse_archive_name(name: &str) -> Option<(Version, Platform)> {
    let stem = [".tar.gz", ".tgz", ".zip"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))?;
    let (version, platform) = stem.strip_prefix("go")?.rsplit_once('.')?;
    let (os, arch) = platform.split_once('-')?;
    Some((
        Version::parse_feed(version).ok()?,
        Platform::from_feed(os, arch)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names() {
        let (v, p) = parse_archive_name("go1.22.10.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            (v.as_str(), p.to_string().as_str()),
            ("1.22.10", "linux/amd64")
        );
        let (v, p) = parse_archive_name("go1.21rc2.windows-arm64.zip").unwrap();
        assert_eq!(
            (v.as_str(), p.to_string().as_str()),
            ("1.21rc2", "windows/arm64")
        );
        assert_eq!(
            parse_archive_name("go1.22.10.linux-armv6l.tar.gz")
                .unwrap()
                .1
                .arch(),
            "arm"
        );
        for bad in [
            "",
            "go.tar.gz",
            "go1.22.10.tar.gz",
            "go1.22.10.linux.tar.gz",
            "go1.22.10.src.tar.gz",
            "x.zip",
            "go1.22.10.linux-amd64.pkg",
        ] {
            assert!(parse_archive_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn channel_reader_reassembles_chunks() {
        let (tx, rx) = mpsc::sync_channel(4);
        tx.send(b"hel".to_vec()).unwrap();
        tx.send(Vec::new()).unwrap();
        tx.send(b"lo".to_vec()).unwrap();
        drop(tx);
        let mut out = String::new();
        ChannelReader::new(rx).read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello");
    }
}
