//! Removing a toolchain (`gox uninstall`, `gox prune`): refuse while a process uses it,
//! then rename it out of `toolchains/` atomically and delete it, so a shim sees a whole
//! tree or none. And sweeping what killed installs and removals left behind.

use std::path::PathBuf;

use gox_core::layout::{Layout, STAGING_PREFIX, TRASH_PREFIX, toolchain_dir_name};
use gox_core::{Platform, Version};

use crate::error::InstallError;
use crate::inuse;
use crate::lock::ToolchainLock;

/// What to do with a toolchain a live process uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InUse {
    Refuse,
    /// `--force`: remove it anyway (running `go` processes may then fail).
    Remove,
}

/// `remove_toolchain(…, InUse::Refuse)`: what `gox uninstall` without `--force` and `gox
/// prune` do.
pub fn uninstall(
    layout: &Layout,
    version: &Version,
    platform: &Platform,
) -> Result<PathBuf, InstallError> {
    remove_toolchain(layout, version, platform, InUse::Refuse)
}

/// Removes an installed toolchain; returns where it was. Holds the toolchain's install lock
/// (no install races it) and the exclusive in-use lock (no shim starts `go` from it) from
/// the check until the tree is gone.
pub fn remove_toolchain(
    layout: &Layout,
    version: &Version,
    platform: &Platform,
    in_use: InUse,
) -> Result<PathBuf, InstallError> {
    let target = layout.toolchain(version, platform);
    let _lock = ToolchainLock::acquire(&layout.toolchain_lock(version, platform), || {})?;
    let name = toolchain_dir_name(version, platform);
    sweep(layout, Some(&name));
    if !target.is_dir() {
        return Err(InstallError::NotInstalled {
            version: version.to_string(),
            platform: platform.to_string(),
        });
    }
    let (exclusive, locked_by_shim) = match inuse::lock_exclusive(&target) {
        Ok(file) => (file, false),
        Err(()) => (None, true),
    };
    let users = inuse::users(&target);
    if in_use == InUse::Refuse && (locked_by_shim || !users.is_empty()) {
        return Err(InstallError::InUse {
            version: version.to_string(),
            platform: platform.to_string(),
            goroot: target,
            users,
        });
    }
    let trash = layout
        .toolchains()
        .join(format!("{TRASH_PREFIX}{name}-{}", std::process::id()));
    if let Err(e) = std::fs::rename(&target, &trash) {
        // Windows refuses to move a directory a running program was started from.
        if cfg!(windows) && e.kind() == std::io::ErrorKind::PermissionDenied {
            return Err(InstallError::InUse {
                version: version.to_string(),
                platform: platform.to_string(),
                goroot: target,
                users: Vec::new(),
            });
        }
        return Err(InstallError::io("move aside", &target, e));
    }
    // Out of toolchains/ under its own name, the tree can no longer be selected, so the
    // in-use lock has done its job. Its open handle is on the receipt inside the tree:
    // where Windows cannot delete an open file at once (no POSIX delete semantics: FAT,
    // exFAT, network shares, Wine), the receipt would stay "delete pending" and the
    // directory "not empty" (os error 145) while it is held.
    drop(exclusive);
    std::fs::remove_dir_all(&trash).map_err(|e| InstallError::io("remove", &trash, e))?;
    // The lock file stays: unlinking a lock file others may be waiting on lets two
    // processes hold "the" lock at once (one on the old inode, one on a new file).
    Ok(target)
}

/// Removes leftovers of killed installs (`.staging-NAME-*`) and removals (`.trash-NAME-*`)
/// whose owner is gone: `held` is the toolchain whose lock this process already holds; for
/// every other one, a free lock proves its owner dead (the OS drops locks of dead processes).
pub fn sweep(layout: &Layout, held: Option<&str>) {
    let toolchains = layout.toolchains();
    let Ok(entries) = std::fs::read_dir(&toolchains) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(owner) = file_name.to_str().and_then(leftover_owner) else {
            continue;
        };
        let dead = held == Some(owner)
            || ToolchainLock::is_free(&toolchains.join(format!(".{owner}.lock")));
        if dead {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `.staging-go1.22.10.linux-amd64-Ab3xYz` / `.trash-go1.22.10.linux-amd64-4242` → the
/// toolchain they belonged to.
pub fn leftover_owner(name: &str) -> Option<&str> {
    let rest = name
        .strip_prefix(STAGING_PREFIX)
        .or_else(|| name.strip_prefix(TRASH_PREFIX))?;
    let (owner, _suffix) = rest.rsplit_once('-')?;
    owner.starts_with("go").then_some(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_name_their_toolchain() {
        assert_eq!(
            leftover_owner(".staging-go1.22.10.linux-amd64-Ab3xYz"),
            Some("go1.22.10.linux-amd64")
        );
        assert_eq!(
            leftover_owner(".trash-go1.21.13.darwin-arm64-4242"),
            Some("go1.21.13.darwin-arm64")
        );
        for other in [
            "go1.22.10.linux-amd64",
            ".go1.22.10.linux-amd64.lock",
            ".staging-",
            ".staging-x",
            ".trash-junk-1",
        ] {
            assert_eq!(leftover_owner(other), None, "{other}");
        }
    }

    #[test]
    fn sweep_removes_dead_leftovers_but_not_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::at(dir.path(), dir.path().join("c"), dir.path().join("c.toml"));
        let tc = layout.toolchains();
        for d in [
            ".staging-go1.22.10.linux-amd64-aaaaaa",
            ".trash-go1.21.13.linux-amd64-77",
            ".staging-go1.27.3.linux-amd64-bbbbbb",
            "go1.22.10.linux-amd64/bin",
        ] {
            std::fs::create_dir_all(tc.join(d)).unwrap();
        }
        // A live install of 1.27.3 holds its lock: its staging dir must survive.
        let live = ToolchainLock::acquire(&tc.join(".go1.27.3.linux-amd64.lock"), || {}).unwrap();
        sweep(&layout, None);
        let mut left: Vec<String> = std::fs::read_dir(&tc)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".lock"))
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".staging-go1.27.3.linux-amd64-bbbbbb",
                "go1.22.10.linux-amd64"
            ]
        );
        drop(live);
    }
}
