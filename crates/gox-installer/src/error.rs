//! Everything that can stop an install, each with where it happened and what to do.

use std::path::{Path, PathBuf};

use gox_resolver::retry::GaveUp;

use crate::extract::ExtractError;
use gox_verifier::tree::VerifyError;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Every mirror tried failed (or one failed in a way that stops the list).
    #[error("{}", download_failed(.failures, .part.as_deref()))]
    Download {
        /// One per mirror tried, in order.
        failures: Vec<GaveUp>,
        /// The partial download kept for the next attempt to resume.
        part: Option<PathBuf>,
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

fn download_failed(failures: &[GaveUp], part: Option<&Path>) -> String {
    let mut out = String::from("download failed:");
    for failure in failures {
        out.push_str(&format!("\n  {failure}"));
    }
    let not_found = failures.last().is_some_and(|f| f.last.is_not_found());
    out.push_str(if not_found {
        "\nthe file was not found on this mirror; try another with --mirror (a comma-separated \
         list is tried in order), or check GOX_DOWNLOAD_BASE"
    } else {
        "\ncheck the network and the mirror (--mirror / GOX_MIRROR / GOX_DOWNLOAD_BASE); on a \
         flaky connection raise GOX_RETRIES or GOX_DEADLINE"
    });
    out.push_str("\nnothing was installed");
    if let Some(part) = part {
        out.push_str(&format!(
            "; the partial download is kept at {} and the next `gox install` resumes it",
            part.display()
        ));
    }
    out
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
