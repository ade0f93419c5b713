//! `gox self uninstall`: remove gox itself. The shims go first (so no `go` on PATH points at a
//! missing binary for longer than needed), then `gox-shim`, then `gox`. Toolchains, GOPATHs
//! and the download cache stay unless `all` is set (then GOX_HOME and the cache dir go too).

use std::path::{Path, PathBuf};

use crate::shims;

#[derive(Clone, Debug)]
pub struct Request {
    /// The directory holding `gox` and `gox-shim`.
    pub install_dir: PathBuf,
    /// `gox` / `gox.exe`, `gox-shim` / `gox-shim.exe` use this suffix.
    pub exe_suffix: &'static str,
    /// GOX_HOME/shims.
    pub shims_dir: PathBuf,
    /// GOX_HOME and the cache directory: removed only when `all`.
    pub home: PathBuf,
    pub cache: PathBuf,
    pub all: bool,
}

/// What was removed (existing paths only), in removal order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub paths: Vec<PathBuf>,
    /// Kept on purpose (toolchains), to tell the user where they are.
    pub kept: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot remove {}: {source}\nremoved so far: {}", .path.display(), list(.removed))]
pub struct UninstallError {
    pub path: PathBuf,
    pub source: std::io::Error,
    pub removed: Vec<PathBuf>,
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The paths [`uninstall`] would remove, in order (for the confirmation prompt).
pub fn plan(req: &Request) -> Vec<PathBuf> {
    let mut paths = shims::list(&req.shims_dir, req.exe_suffix);
    for name in ["gox-shim", "gox"] {
        let path = req.install_dir.join(format!("{name}{}", req.exe_suffix));
        if path.exists() {
            paths.push(path);
        }
    }
    if req.all {
        for dir in [&req.home, &req.cache] {
            if dir.exists() && !paths.iter().any(|p| dir.starts_with(p)) {
                paths.push(dir.clone());
            }
        }
    }
    paths
}

pub fn uninstall(req: &Request) -> Result<Removed, UninstallError> {
    let mut removed = Vec::new();
    for path in plan(req) {
        // A directory inside GOX_HOME may already be gone with an earlier entry.
        if !path.exists() {
            continue;
        }
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            remove_file(&path)
        };
        if let Err(source) = result {
            return Err(UninstallError {
                path,
                source,
                removed,
            });
        }
        removed.push(path);
    }
    if !req.all {
        // An empty shims dir is noise; a non-empty one holds something that is not ours.
        let _ = std::fs::remove_dir(&req.shims_dir);
    }
    let kept =
        (!req.all && req.home.join("toolchains").exists()).then(|| req.home.join("toolchains"));
    Ok(Removed {
        paths: removed,
        kept,
    })
}

#[cfg(not(windows))]
fn remove_file(path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path)
}

/// Windows cannot delete the running `gox.exe`; it can rename it. The leftover
/// `gox.exe.removed` is harmless and removable once gox exits.
#[cfg(windows)]
fn remove_file(path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path).or_else(|_| {
        let mut aside = path.as_os_str().to_owned();
        aside.push(".removed");
        std::fs::rename(path, aside)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(all: bool) -> (tempfile::TempDir, Request) {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let home = root.path().join("home");
        let cache = root.path().join("cache");
        for dir in [
            &bin,
            &home.join("shims"),
            &home.join("toolchains/go1.22.10.linux-amd64"),
            &cache,
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        for file in [bin.join("gox"), bin.join("gox-shim"), bin.join("other")] {
            std::fs::write(file, b"x").unwrap();
        }
        for shim in ["go", "gofmt", "go1.22.10"] {
            std::fs::hard_link(bin.join("gox-shim"), home.join("shims").join(shim)).unwrap();
        }
        let req = Request {
            install_dir: bin,
            exe_suffix: "",
            shims_dir: home.join("shims"),
            home,
            cache,
            all,
        };
        (root, req)
    }

    #[test]
    fn removes_binaries_and_shims_keeps_toolchains() {
        let (_root, req) = setup(false);
        let removed = uninstall(&req).unwrap();
        assert_eq!(removed.paths.len(), 5, "{removed:?}");
        assert!(!req.install_dir.join("gox").exists());
        assert!(!req.install_dir.join("gox-shim").exists());
        assert!(req.install_dir.join("other").exists());
        assert!(!req.shims_dir.exists());
        assert!(req.home.join("toolchains/go1.22.10.linux-amd64").is_dir());
        assert!(req.cache.is_dir());
        assert_eq!(removed.kept, Some(req.home.join("toolchains")));
    }

    #[test]
    fn all_removes_home_and_cache() {
        let (_root, req) = setup(true);
        let removed = uninstall(&req).unwrap();
        assert!(removed.paths.contains(&req.home) && removed.paths.contains(&req.cache));
        assert!(!req.home.exists() && !req.cache.exists());
        assert!(req.install_dir.join("other").exists());
    }
}
