//! Go's own names for installed toolchains, kept in step with what is installed:
//! - `goX.Y.Z` entries in the shims dir (what cmd/go looks up on PATH for
//!   `GOTOOLCHAIN=goX.Y.Z`, `auto` or `path`; the names golang.org/dl wrappers use);
//! - `~/sdk/goX.Y.Z` symlinks (golang.org/dl's layout, which editors such as VS Code's Go
//!   extension list), each with the `.unpacked-success` marker golang.org/dl writes inside.
//!
//! Both exist only while the version is installed for the host's own platform: a name for a
//! build of another platform could only be refused (the shim will not run a binary that needs
//! emulation), where without the name cmd/go fetches that version itself.
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

/// The installed toolchains Go's names stand for: those for the host's platform.
fn native<'a>(
    installed: &'a [Toolchain],
    host: &'a Platform,
) -> impl Iterator<Item = &'a Toolchain> {
    installed.iter().filter(move |t| &t.platform == host)
}

/// Shims-dir entries: one per version installed for the host's platform (a build only for
/// another platform gets none: cmd/go then downloads that version rather than hitting the
/// shim's refusal). Existing names that are not version names are never touched.
pub fn plan_shims(
    installed: &[Toolchain],
    host: &Platform,
    existing: &[String],
    exe_suffix: &str,
) -> Changes<String> {
    let mut wanted: Vec<String> = native(installed, host)
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

/// The `~/sdk` links there should be: `goX.Y.Z` → the host platform's toolchain dir, one per
/// version installed for it. Each needs [`SDK_MARKER`] inside, whether the link is new or not
/// (`install --force` replaces the tree, and the marker with it).
pub fn sdk_links(installed: &[Toolchain], host: &Platform) -> Vec<(String, PathBuf)> {
    native(installed, host)
        .map(|t| (t.version.go_name(), t.goroot.clone()))
        .collect()
}

/// `~/sdk` links ([`sdk_links`]). A link gox made (pointing into `toolchains`) is replaced
/// when stale and removed when its toolchain is gone; a real directory (a golang.org/dl
/// download) or someone else's link is left alone.
pub fn plan_sdk(
    installed: &[Toolchain],
    host: &Platform,
    existing: &[SdkEntry],
    toolchains: &Path,
) -> Changes<(String, PathBuf)> {
    let wanted = sdk_links(installed, host);
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
    fn shims_follow_versions_installed_for_the_host() {
        let host: Platform = "linux/amd64".parse().unwrap();
        let installed = [
            tc("1.22.10", "linux/amd64"),
            tc("1.22.10", "linux/arm64"),
            tc("1.21.13", "linux/amd64"),
            // Another platform only: no name.
            tc("1.20.1", "linux/arm64"),
        ];
        let existing: Vec<String> = ["go", "gofmt", "go1.22.10", "go1.20.1", "mytool"]
            .map(String::from)
            .to_vec();
        let changes = plan_shims(&installed, &host, &existing, "");
        assert_eq!(changes.add, vec!["go1.21.13".to_string()]);
        assert_eq!(changes.remove, vec!["go1.20.1".to_string()]);
        assert_eq!(
            plan_shims(&[], &host, &existing, "").remove,
            vec!["go1.22.10".to_string(), "go1.20.1".to_string()]
        );
        // The host's build gone, another platform's left: the name goes.
        assert_eq!(
            plan_shims(&installed[1..2], &host, &existing, "").remove,
            vec!["go1.22.10".to_string(), "go1.20.1".to_string()]
        );
        assert_eq!(
            plan_shims(&installed[..1], &host, &[], ".exe").add,
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
        assert_eq!(changes.add, sdk_links(&installed, &host));

        // The host's 1.22.10 uninstalled, another platform's left: its link goes.
        let changes = plan_sdk(
            &[tc("1.22.10", "linux/arm64")],
            &host,
            &existing,
            Path::new("/h/toolchains"),
        );
        assert_eq!(
            changes.remove,
            vec!["go1.19.1".to_string(), "go1.22.10".to_string()]
        );
        assert!(changes.add.is_empty(), "{changes:?}");
    }
}
