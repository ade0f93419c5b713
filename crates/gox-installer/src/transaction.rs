//! The one way a toolchain enters `toolchains/`, shared by `install` and `import`: take the
//! per-toolchain lock, build the tree in a private `toolchains/.staging-*` directory on the
//! same filesystem, write the receipt, rename it into place. A crash or error at any point
//! leaves either no toolchain or a whole one (the staging directory is a `TempDir`, removed
//! on drop; a killed process's leftovers are removed by the next transaction on the same
//! toolchain, under its lock).

use std::path::{Path, PathBuf};

use gox_core::layout::{Layout, STAGING_PREFIX, TRASH_PREFIX, toolchain_dir_name};
use gox_core::{Platform, Version};

use crate::error::InstallError;
use crate::lock::ToolchainLock;
use crate::receipt::Receipt;

/// A locked toolchain slot. Dropping it without [`Transaction::commit`] leaves the slot as
/// it was and removes the staging directory.
#[derive(Debug)]
pub struct Transaction {
    _lock: ToolchainLock,
    target: PathBuf,
    toolchains: PathBuf,
    name: String,
}

impl Transaction {
    /// Takes the toolchain's lock (waiting, after calling `on_wait`, if another gox holds it).
    pub fn lock(
        layout: &Layout,
        version: &Version,
        platform: &Platform,
        on_wait: impl FnOnce(),
    ) -> Result<Self, InstallError> {
        let lock = ToolchainLock::acquire(&layout.toolchain_lock(version, platform), on_wait)?;
        Ok(Self {
            _lock: lock,
            target: layout.toolchain(version, platform),
            toolchains: layout.toolchains(),
            name: toolchain_dir_name(version, platform),
        })
    }

    /// `toolchains/go<V>.<os>-<arch>`.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Whether the toolchain is already installed.
    pub fn installed(&self) -> bool {
        self.target.exists()
    }

    /// A fresh private staging directory (after removing leftovers of killed runs).
    pub fn stage(&self) -> Result<tempfile::TempDir, InstallError> {
        remove_stale(&self.toolchains, &format!("{STAGING_PREFIX}{}-", self.name));
        tempfile::Builder::new()
            .prefix(&format!("{STAGING_PREFIX}{}-", self.name))
            .tempdir_in(&self.toolchains)
            .map_err(|e| InstallError::io("create staging dir in", &self.toolchains, e))
    }

    /// Writes `receipt` into `goroot` (a verified tree inside a staging directory) and
    /// renames it into place, replacing an existing toolchain atomically.
    pub fn commit(&self, goroot: &Path, receipt: &Receipt) -> Result<(), InstallError> {
        receipt.write(goroot)?;
        let (target, name) = (&self.target, &self.name);
        if target.exists() {
            let trash = self
                .toolchains
                .join(format!("{TRASH_PREFIX}{name}-{}", std::process::id()));
            std::fs::rename(target, &trash)
                .map_err(|e| InstallError::io("move aside", target, e))?;
            std::fs::rename(goroot, target)
                .map_err(|e| InstallError::io("rename into place", target, e))?;
            let _ = std::fs::remove_dir_all(&trash);
        } else {
            std::fs::rename(goroot, target)
                .map_err(|e| InstallError::io("rename into place", target, e))?;
        }
        Ok(())
    }
}

/// Leftovers of killed installs of the same toolchain (we hold its lock, so they are dead).
fn remove_stale(toolchains: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(toolchains) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix))
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
