//! Everything that can stop an install, each with where it happened and what to do.

use std::path::{Path, PathBuf};

use crate::extract::ExtractError;
use gox_verifier::tree::VerifyError;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(
        "download failed: {url}: {detail}\nnothing was installed; check the network or the mirror (GOX_DOWNLOAD_BASE / --mirror) and retry"
    )]
    Network { url: String, detail: String },
    #[error(
        "download failed: {url}: HTTP {status} {reason}\nnothing was installed; the mirror does not have this file — try another with --mirror, or check GOX_DOWNLOAD_BASE"
    )]
    HttpStatus {
        url: String,
        status: u16,
        reason: String,
    },
    #[error(
        "checksum mismatch for {source_name}:\n  expected sha256 {expected} ({origin})\n  got      sha256 {actual}\nthe file is corrupt or was tampered with; nothing was installed and the download was discarded"
    )]
    Checksum {
        source_name: String,
        expected: String,
        actual: String,
        origin: String,
    },
    #[error(
        "{filename} has no published SHA-256 (very old Go releases don't); refusing to install unverified bytes.\npass the checksum you trust: gox install {version} --sha256 <hex>"
    )]
    NoChecksum { version: String, filename: String },
    #[error("{0}\nnothing was installed")]
    Extract(#[from] ExtractError),
    #[error("{archive}: {}\nnothing was installed", relative(.source, .staging))]
    Verify {
        archive: String,
        /// Paths in the error are shown relative to this (the private staging dir).
        staging: PathBuf,
        source: Box<VerifyError>,
    },
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot import {}: {reason}", path.display())]
    Import { path: PathBuf, reason: String },
    #[error("{version} for {platform} is not installed (see `gox list`)")]
    NotInstalled { version: String, platform: String },
}

/// `/home/u/.local/share/gox/toolchains/.staging-go1.22.10…-x/go/bin/go` means nothing to a
/// user; `go/bin/go` inside the archive does.
fn relative(source: &VerifyError, staging: &Path) -> String {
    source.to_string().replace(
        &format!("{}{}", staging.display(), std::path::MAIN_SEPARATOR),
        "",
    )
}

impl InstallError {
    pub(crate) fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
