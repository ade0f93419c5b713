//! What is installed: the toolchain directories under `GOX_HOME/toolchains`. Read with one
//! `read_dir`, because the shim consults it on every partial pin (`1.22` in .go-version).

use std::path::PathBuf;

use crate::layout::{Layout, parse_toolchain_dir_name};
use crate::platform::Platform;
use crate::version::Version;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    pub version: Version,
    pub platform: Platform,
    pub goroot: PathBuf,
}

/// Every installed toolchain, newest version first, then by platform. Staging and trash
/// directories, lock files and strays are skipped; a missing `toolchains/` is empty.
pub fn installed(layout: &Layout) -> Vec<Toolchain> {
    // Installing or removing a toolchain renames an entry here, which changes the
    // directory's modification time: that is what a recorded plan re-checks.
    crate::observe::stat_if_recording(&layout.toolchains());
    let Ok(entries) = std::fs::read_dir(layout.toolchains()) else {
        return Vec::new();
    };
    let mut found: Vec<Toolchain> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let (version, platform) = parse_toolchain_dir_name(name.to_str()?)?;
            Some(Toolchain {
                version,
                platform,
                goroot: entry.path(),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.version
            .cmp(&a.version)
            .then_with(|| a.platform.cmp(&b.platform))
    });
    found
}

/// Installed versions for one platform, newest first.
pub fn installed_for(layout: &Layout, platform: &Platform) -> Vec<Toolchain> {
    installed(layout)
        .into_iter()
        .filter(|t| &t.platform == platform)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_toolchain_dirs_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::at(dir.path(), dir.path().join("c"), dir.path().join("c.toml"));
        let tc = layout.toolchains();
        for name in [
            "go1.21.13.linux-amd64",
            "go1.22.10.linux-amd64",
            "go1.22.10.darwin-arm64",
            ".staging-go1.23.0.linux-amd64-x",
            ".go1.22.10.linux-amd64.lock",
            "notes",
        ] {
            std::fs::create_dir_all(tc.join(name)).unwrap();
        }
        let names: Vec<String> = installed(&layout)
            .iter()
            .map(|t| format!("{} {}", t.version, t.platform))
            .collect();
        assert_eq!(
            names,
            [
                "1.22.10 darwin/arm64",
                "1.22.10 linux/amd64",
                "1.21.13 linux/amd64"
            ]
        );
        let linux: Platform = "linux/amd64".parse().unwrap();
        assert_eq!(installed_for(&layout, &linux).len(), 2);
    }

    #[test]
    fn missing_dir_is_empty() {
        let layout = Layout::at("/nonexistent/gox", "/nonexistent/c", "/nonexistent/c.toml");
        assert!(installed(&layout).is_empty());
    }
}
