//! Go's own names for installed toolchains, kept in step with what is installed:
//! - `goX.Y.Z` entries in the shims dir (what cmd/go looks up on PATH for
//!   `GOTOOLCHAIN=goX.Y.Z`, `auto` or `path`; the names golang.org/dl wrappers use);
//! - `~/sdk/goX.Y.Z` symlinks (golang.org/dl's layout, which editors such as VS Code's Go
//!   extension list), each with the `.unpacked-success` marker golang.org/dl writes inside.
//!
//! Only decisions live here; the CLI applies them.

use std::path::{Path, PathBuf};

use crate::installed::Toolchain;
use crate::platform::Platform;
use crate::version::Version;

/// golang.org/dl's "this SDK is complete" marker, a file inside `~/sdk/goX.Y.Z`.
pub const SDK_MARKER: &str = ".unpacked-success";

/// `go1.22.10` → 1.22.10; anything else (`go`, `gofmt`, `go1.x`, `gox`) → `None`.
pub fn parse_version_name(name: &str) -> Option<Version> {
    let name = name.strip_suffix(".exe").unwrap_or(name);
    let rest = name.strip_prefix("go")?;
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Version::parse(rest).ok().filter(|v| v.as_str() == rest)
}

/// The shims-dir entry for a version: `go1.22.10` (`go1.22.10.exe` on Windows).
pub fn shim_name(version: &Version, exe_suffix: &str) -> String {
    format!("{}{exe_suffix}", version.go_name())
}

/// What to add and remove so the named entries match the installed versions.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes<T> {
    pub add: Vec<T>,
    pub remove: Vec<String>,
}

/// Shims-dir entries: one per installed version (any platform: a foreign-only install still
/// gets a name, and the shim explains the refusal). Existing names that are not version
/// names are never touched.
pub fn plan_shims(
    installed: &[Toolchain],
    existing: &[String],
    exe_suffix: &str,
) -> Changes<String> {
    let mut wanted: Vec<String> = installed
        .iter()
        .map(|t| shim_name(&t.version, exe_suffix))
        .collect();
    wanted.sort();
    wanted.dedup();
    Changes {
        add: wanted
            .iter()
            .filter(|w| !existing.contains(w))
            .cloned()
            .collect(),
        remove: existing
            .iter()
            .filter(|e| parse_version_name(e).is_some() && !wanted.contains(e))
            .cloned()
            .collect(),
    }
}

/// An entry found in `~/sdk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdkEntry {
    pub name: String,
    /// Where the symlink points; `None` for a real directory or file (never touched).
    pub link_target: Option<PathBuf>,
}

/// `~/sdk` links: `goX.Y.Z` → the host platform's toolchain dir. A link gox made (pointing
/// into `toolchains`) is replaced when stale and removed when its toolchain is gone; a real
/// directory (a golang.org/dl download) or someone else's link is left alone.
pub fn plan_sdk(
    installed: &[Toolchain],
    host: &Platform,
    existing: &[SdkEntry],
    toolchains: &Path,
) -> Changes<(String, PathBuf)> {
    let wanted: Vec<(String, PathBuf)> = installed
        .iter()
        .filter(|t| &t.platform == host)
        .map(|t| (t.version.go_name(), t.goroot.clone()))
        .collect();
    let ours = |e: &SdkEntry| {
        e.link_target
            .as_ref()
            .is_some_and(|t| t.starts_with(toolchains))
    };
    let mut changes = Changes::default();
    for entry in existing.iter().filter(|e| ours(e)) {
        let keep = wanted
            .iter()
            .any(|(n, g)| n == &entry.name && Some(g) == entry.link_target.as_ref());
        if !keep {
            changes.remove.push(entry.name.clone());
        }
    }
    for (name, goroot) in wanted {
        match existing.iter().find(|e| e.name == name) {
            None => changes.add.push((name, goroot)),
            Some(e) if ours(e) && e.link_target.as_ref() != Some(&goroot) => {
                changes.add.push((name, goroot));
            }
            Some(_) => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(v: &str, p: &str) -> Toolchain {
        let version = Version::parse(v).unwrap();
        let platform: Platform = p.parse().unwrap();
        Toolchain {
            goroot: PathBuf::from(format!(
                "/h/toolchains/go{v}.{}-{}",
                platform.os(),
                platform.arch()
            )),
            version,
            platform,
        }
    }

    #[test]
    fn version_names() {
        assert_eq!(
            parse_version_name("go1.22.10").map(|v| v.to_string()),
            Some("1.22.10".into())
        );
        assert!(parse_version_name("go1.21rc2.exe").is_some());
        for other in [
            "go",
            "gofmt",
            "go1.x",
            "gox",
            "go1.22.10.gox-new",
            "1.22.10",
            "",
        ] {
            assert_eq!(parse_version_name(other), None, "{other}");
        }
    }

    #[test]
    fn shims_follow_installed_versions() {
        let installed = [
            tc("1.22.10", "linux/amd64"),
            tc("1.22.10", "linux/arm64"),
            tc("1.21.13", "linux/arm64"),
        ];
        let existing: Vec<String> = ["go", "gofmt", "go1.22.10", "go1.20.1", "mytool"]
            .map(String::from)
            .to_vec();
        let changes = plan_shims(&installed, &existing, "");
        assert_eq!(changes.add, vec!["go1.21.13".to_string()]);
        assert_eq!(changes.remove, vec!["go1.20.1".to_string()]);
        assert_eq!(
            plan_shims(&[], &existing, "").remove,
            vec!["go1.22.10".to_string(), "go1.20.1".to_string()]
        );
        assert_eq!(
            plan_shims(&installed[..1], &[], ".exe").add,
            vec!["go1.22.10.exe".to_string()]
        );
    }

    #[test]
    fn sdk_links_never_touch_foreign_entries() {
        let host: Platform = "linux/amd64".parse().unwrap();
        let installed = [
            tc("1.22.10", "linux/amd64"),
            tc("1.21.13", "linux/arm64"),
            tc("1.20.1", "linux/amd64"),
        ];
        let link = |name: &str, to: &str| SdkEntry {
            name: name.into(),
            link_target: Some(PathBuf::from(to)),
        };
        let existing = [
            // A golang.org/dl download: a real directory.
            SdkEntry {
                name: "go1.20.1".into(),
                link_target: None,
            },
            // Ours, for an uninstalled version.
            link("go1.19.1", "/h/toolchains/go1.19.1.linux-amd64"),
            // Someone else's link.
            link("go1.18.1", "/opt/go1.18"),
            // Ours and current.
            link("go1.22.10", "/h/toolchains/go1.22.10.linux-amd64"),
        ];
        let changes = plan_sdk(&installed, &host, &existing, Path::new("/h/toolchains"));
        assert_eq!(changes.remove, vec!["go1.19.1".to_string()]);
        assert!(changes.add.is_empty(), "{changes:?}");
        let changes = plan_sdk(&installed, &host, &[], Path::new("/h/toolchains"));
        let names: Vec<&str> = changes.add.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["go1.22.10", "go1.20.1"]);
    }
}
