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
        "checksum mismatch for {source_name}:\n  expected sha256 {expected} ({origin})\n  got      sha256 {actual}\nthe file is corrupt or was tampered with; nothing was installed{}",
        if *.discarded { " and the download was discarded" } else { " (the file was left as it is)" }
    )]
    Checksum {
        source_name: String,
        expected: String,
        actual: String,
        origin: String,
        /// A download (deleted) rather than the user's own file (`--archive`, kept).
        discarded: bool,
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
    #[error("cannot {op} {path}: {source}{}", storage_hint(.source))]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot import {}: {reason}", path.display())]
    Import { path: PathBuf, reason: String },
    #[error("{version} for {platform} is not installed (see `gox list`)")]
    NotInstalled { version: String, platform: String },
    #[error(
        "go{version} ({platform}) is in use; nothing was removed.\n{}\nstop those processes and retry, or remove it anyway (they may then fail): gox uninstall {version} --platform {platform} --force",
        in_use_detail(.goroot, .users)
    )]
    InUse {
        version: String,
        platform: String,
        goroot: PathBuf,
        users: Vec<crate::inuse::User>,
    },
    /// SIGINT/SIGTERM arrived; everything the install had started was undone.
    #[error(
        "interrupted ({}): nothing was installed; the staging directory was removed and the lock released",
        signal_name(*.signal)
    )]
    Interrupted { signal: i32 },
}

/// Who holds the toolchain, one item per process (or why it is held when no process is
/// known): indented lines in the error, clauses in [`InstallError::one_line`].
fn in_use_items(goroot: &Path, users: &[crate::inuse::User]) -> Vec<String> {
    if users.is_empty() {
        let why = if cfg!(windows) {
            "Windows cannot move it: a running program was started from it"
        } else {
            "a `go` started through the gox shim holds its in-use lock"
        };
        return vec![format!("{}: {why}", goroot.display())];
    }
    users.iter().map(ToString::to_string).collect()
}

fn in_use_detail(goroot: &Path, users: &[crate::inuse::User]) -> String {
    in_use_items(goroot, users)
        .iter()
        .map(|item| format!("  {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What to do about the storage errors users actually hit (disk full, `ulimit -f`, a
/// read-only or foreign-owned GOX_HOME); empty for the rest.
pub(crate) fn storage_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull | K::QuotaExceeded => {
            "\nthe disk is full: free space there, or point GOX_HOME / GOX_CACHE_DIR at a filesystem with room (a Go toolchain needs ~300 MB)"
        }
        K::FileTooLarge => {
            "\na file-size limit stopped the write (`ulimit -f`): raise it (`ulimit -f unlimited`) and retry"
        }
        K::ReadOnlyFilesystem => {
            "\nthe filesystem is read-only: point GOX_HOME / GOX_CACHE_DIR at a writable directory"
        }
        K::PermissionDenied => {
            "\nno permission to write there: fix its owner/permissions, or point GOX_HOME / GOX_CACHE_DIR elsewhere"
        }
        _ => "",
    }
}

pub(crate) fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".to_string(),
        15 => "SIGTERM".to_string(),
        n => format!("signal {n}"),
    }
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
    let mut out = gox_resolver::retry::failure_list(failures);
    let last = failures.last().map(|f| &f.last);
    out.push_str(if last.is_some_and(|f| f.is_not_found()) {
        "\nthe file was not found on this mirror; try another with --mirror (a comma-separated \
         list is tried in order), or check GOX_DOWNLOAD_BASE"
    } else if last.is_some_and(|f| f.class == gox_resolver::retry::Class::Permanent) {
        // A refusal (403, 401, 451…) is not retried: more retries would not help.
        "\nthe mirror refused the request; check access to it (a proxy or firewall may block \
         it), or try another with --mirror / GOX_MIRROR / GOX_DOWNLOAD_BASE"
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
    /// One message for a stop request, whichever step noticed it.
    pub(crate) fn settled(self) -> Self {
        match self {
            Self::Extract(ExtractError::Interrupted { signal, .. }) => Self::Interrupted { signal },
            other => other,
        }
    }

    /// The signal that stopped the install, for the conventional exit status 128 + N.
    pub fn interrupted_by(&self) -> Option<i32> {
        match self {
            Self::Interrupted { signal }
            | Self::Extract(ExtractError::Interrupted { signal, .. }) => Some(*signal),
            _ => None,
        }
    }

    /// The error as one line, for reports with a line per toolchain that already name it
    /// (`gox prune`, `upgrade --prune`): an in-use refusal names the processes and how to
    /// stop them, without `gox uninstall`'s `--force` advice, which is no answer to a prune;
    /// any other error's lines become clauses.
    pub fn one_line(&self) -> String {
        match self {
            Self::InUse { goroot, users, .. } => format!(
                "in use: {}; stop those processes and retry",
                in_use_items(goroot, users).join("; ")
            ),
            other => other
                .to_string()
                .lines()
                .map(|line| line.trim().trim_end_matches('.'))
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    pub fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
