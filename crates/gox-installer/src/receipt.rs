//! The install receipt: what was installed, from where, with which checksum — and a stamp
//! of the tree as installed (file count, bytes, `bin/go`'s size and SHA-256), so `gox list`
//! and `gox doctor` can tell when a toolchain no longer is what was verified. Written into
//! the staging directory before the atomic rename, so every toolchain directory has one.
//!
//! The stamp leaves out two gox-made files at the top of the tree: the receipt itself and
//! golang.org/dl's `.unpacked-success` marker. `gox setup --sdk` writes that marker into a
//! GOROOT whenever it links it as `~/sdk/goX.Y.Z` (golang.org/dl's wrappers and editors look
//! for it there), long after the receipt was written, and writes it again after an
//! `install --force`. Left out of the count, it can come and go without making a toolchain
//! look damaged and without rewriting receipts outside the install transaction; it is an
//! empty file no Go archive ships, so nothing of the toolchain goes unchecked.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InstallError;
use gox_core::Platform;
use gox_core::gonames::SDK_MARKER;
use gox_core::layout::RECEIPT_FILE;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub version: String,
    pub platform: String,
    pub sha256: String,
    /// URL or local path the archive came from; `import` for a toolchain taken over from
    /// another manager (then `sha256` is empty: there was no archive).
    pub source: String,
    /// Seconds since the Unix epoch.
    pub installed_at: u64,
    pub gox_version: String,
    /// For `source: "import"`: the directory the toolchain was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// For `source: "import"`: the manager that had installed it (`goenv`, `asdf`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// `"proxy"` for the module-proxy source; absent for feed archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_kind: Option<String>,
    /// How a proxy-source toolchain was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<ModuleProvenance>,
}

/// Receipt keys of a toolchain installed from `golang.org/toolchain` through a proxy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleProvenance {
    /// `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64`
    pub module: String,
    /// The proxy that served the zip.
    pub proxy: String,
    /// The zip's dirhash.
    pub h1: String,
    /// The checksum database (`sum.golang.org`), absent when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sumdb: Option<String>,
    /// Size of the signed tree the record was proven in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_size: Option<u64>,
    /// `--insecure-skip-sumdb` was given: nothing vouched for the zip.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure_skip_sumdb: bool,
}

/// The tree as it was when the receipt was written (the receipt and the `~/sdk` marker at
/// its top not counted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeStamp {
    /// Regular files and symbolic links.
    pub files: u64,
    /// Total size of the regular files.
    pub bytes: u64,
    pub go_size: u64,
    pub go_sha256: String,
    /// `files` and `bytes` leave out [`SDK_MARKER`] at the top of the tree. False in stamps
    /// from before: those counted the marker when it was there at install time (an import
    /// from `~/sdk`), so for them the tree matches with or without it.
    #[serde(default)]
    pub sdk_marker_uncounted: bool,
}

/// The on-disk form: the receipt's fields plus the stamp, which older receipts lack.
#[derive(Serialize)]
struct Stamped<'a> {
    #[serde(flatten)]
    receipt: &'a Receipt,
    tree: TreeStamp,
}

#[derive(Deserialize)]
struct StampOnly {
    version: String,
    platform: String,
    tree: Option<TreeStamp>,
}

impl Receipt {
    /// Writes the receipt with a stamp of the tree at `goroot` (complete and verified by now).
    pub fn write(&self, goroot: &Path) -> Result<(), InstallError> {
        let path = goroot.join(RECEIPT_FILE);
        let platform: Option<Platform> = self.platform.parse().ok();
        let go = goroot.join("bin").join(format!(
            "go{}",
            platform.as_ref().map_or("", |p| p.exe_suffix())
        ));
        let (files, bytes) = tree_size(goroot).map_err(|e| InstallError::io("read", goroot, e))?;
        let tree = TreeStamp {
            files,
            bytes,
            go_size: std::fs::metadata(&go).map_or(0, |m| m.len()),
            go_sha256: gox_verifier::hash::sha256_file(&go).unwrap_or_default(),
            sdk_marker_uncounted: true,
        };
        let text = serde_json::to_string_pretty(&Stamped {
            receipt: self,
            tree,
        })
        .expect("receipt serializes");
        std::fs::write(&path, text + "\n").map_err(|e| InstallError::io("write", &path, e))
    }

    /// The receipt of an installed toolchain; `None` when missing or unreadable (a
    /// toolchain copied in by hand still lists, just without provenance).
    pub fn read(goroot: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(goroot.join(RECEIPT_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// Files (regular and symlinks; the receipt and the `~/sdk` marker at the top excluded) and
/// bytes under `root`, not following links.
pub fn tree_size(root: &Path) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if dir == root
                && (entry.file_name() == RECEIPT_FILE || entry.file_name() == SDK_MARKER)
            {
                continue;
            } else {
                files += 1;
                if kind.is_file() {
                    bytes += entry.metadata()?.len();
                }
            }
        }
    }
    Ok((files, bytes))
}

/// How much `problems` checks: `Quick` (sizes and counts: `gox list`) or `Deep` (also
/// hashes `bin/go`: `gox doctor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    Quick,
    Deep,
}

/// What no longer matches between a toolchain and its receipt; empty when intact (or when
/// the receipt predates tree stamps and nothing else disagrees).
pub fn problems(goroot: &Path, version: &str, platform: &Platform, depth: Depth) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(goroot.join(RECEIPT_FILE)) else {
        return vec![format!(
            "no install receipt ({RECEIPT_FILE}): gox cannot tell whether it is intact"
        )];
    };
    let Ok(stamp) = serde_json::from_str::<StampOnly>(&text) else {
        return vec![format!(
            "its install receipt ({RECEIPT_FILE}) is unreadable"
        )];
    };
    let mut found = Vec::new();
    if stamp.version != version || stamp.platform != platform.to_string() {
        found.push(format!(
            "its receipt is for {} ({}), not {version} ({platform})",
            stamp.version, stamp.platform
        ));
    }
    let Some(tree) = stamp.tree else {
        return found;
    };
    let go_name = format!("bin/go{}", platform.exe_suffix());
    let go = goroot.join(&go_name);
    match std::fs::metadata(&go) {
        Err(_) => found.push(format!("{go_name} is missing")),
        Ok(m) if m.len() != tree.go_size => found.push(format!(
            "{go_name} changed ({} bytes, installed as {})",
            m.len(),
            tree.go_size
        )),
        Ok(_) if depth == Depth::Deep => {
            let sha = gox_verifier::hash::sha256_file(&go).unwrap_or_default();
            if sha != tree.go_sha256 {
                found.push(format!(
                    "{go_name} changed (sha256 {}…, installed as {}…)",
                    sha.get(..12).unwrap_or(&sha),
                    tree.go_sha256.get(..12).unwrap_or(&tree.go_sha256)
                ));
            }
        }
        Ok(_) => {}
    }
    match tree_size(goroot) {
        Ok((files, bytes)) if !tree_matches(goroot, &tree, files, bytes) => found.push(format!(
            "{files} files / {bytes} bytes on disk, installed as {} files / {} bytes (files were deleted, added or changed)",
            tree.files, tree.bytes
        )),
        Ok(_) => {}
        Err(e) => found.push(format!("cannot read the tree: {e}")),
    }
    found
}

/// Whether the counts of the tree now (`files`, `bytes`: the marker left out) are the ones
/// stamped. An older stamp may have counted a marker that was there at install time.
fn tree_matches(goroot: &Path, tree: &TreeStamp, files: u64, bytes: u64) -> bool {
    if (files, bytes) == (tree.files, tree.bytes) {
        return true;
    }
    if tree.sdk_marker_uncounted {
        return false;
    }
    match std::fs::symlink_metadata(goroot.join(SDK_MARKER)) {
        Ok(m) => {
            let marker_bytes = if m.is_file() { m.len() } else { 0 };
            (files + 1, bytes + marker_bytes) == (tree.files, tree.bytes)
        }
        Err(_) => false,
    }
}

pub(crate) fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt {
            version: "1.22.10".into(),
            platform: "linux/amd64".into(),
            sha256: "ab".into(),
            source: "x".into(),
            installed_at: 0,
            gox_version: "0".into(),
            origin: None,
            manager: None,
            source_kind: None,
            module: None,
        }
    }

    #[test]
    fn stamp_catches_deleted_added_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let linux: Platform = "linux/amd64".parse().unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("src/fmt")).unwrap();
        std::fs::write(root.join("bin/go"), b"\x7fELF go").unwrap();
        std::fs::write(root.join("src/fmt/print.go"), b"package fmt").unwrap();
        receipt().write(root).unwrap();
        assert_eq!(Receipt::read(root), Some(receipt()));
        assert!(problems(root, "1.22.10", &linux, Depth::Deep).is_empty());
        assert_eq!(problems(root, "1.21.0", &linux, Depth::Quick).len(), 1);

        std::fs::write(root.join("bin/go"), b"\x7fELF GO").unwrap();
        let quick = problems(root, "1.22.10", &linux, Depth::Quick);
        assert!(quick.is_empty(), "same size: only a hash tells: {quick:?}");
        let deep = problems(root, "1.22.10", &linux, Depth::Deep);
        assert!(deep[0].starts_with("bin/go changed (sha256"), "{deep:?}");

        std::fs::remove_file(root.join("src/fmt/print.go")).unwrap();
        let quick = problems(root, "1.22.10", &linux, Depth::Quick);
        assert!(quick[0].contains("1 files"), "{quick:?}");

        std::fs::remove_file(root.join(RECEIPT_FILE)).unwrap();
        assert!(problems(root, "1.22.10", &linux, Depth::Quick)[0].contains("no install receipt"));
    }

    /// A tree with the files of a small toolchain.
    fn tree(root: &Path) {
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::create_dir_all(root.join("src/fmt")).unwrap();
        std::fs::write(root.join("bin/go"), b"\x7fELF go").unwrap();
        std::fs::write(root.join("src/fmt/print.go"), b"package fmt").unwrap();
        std::fs::write(root.join("src/fmt/empty.go"), b"").unwrap();
    }

    /// `gox setup --sdk` writes golang.org/dl's marker into the GOROOT after the receipt:
    /// the tree still matches, with the marker or without it, while any other change is
    /// still caught.
    #[test]
    fn the_sdk_marker_at_the_top_is_not_part_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let linux: Platform = "linux/amd64".parse().unwrap();
        tree(root);
        receipt().write(root).unwrap();
        std::fs::write(root.join(SDK_MARKER), b"").unwrap();
        assert!(problems(root, "1.22.10", &linux, Depth::Deep).is_empty());
        std::fs::remove_file(root.join(SDK_MARKER)).unwrap();
        assert!(problems(root, "1.22.10", &linux, Depth::Deep).is_empty());

        // Only at the top: the same name deeper in the tree is a file like any other.
        std::fs::write(root.join("src").join(SDK_MARKER), b"").unwrap();
        assert_eq!(problems(root, "1.22.10", &linux, Depth::Quick).len(), 1);
        std::fs::remove_file(root.join("src").join(SDK_MARKER)).unwrap();

        // An empty file deleted while the marker is there is still seen.
        std::fs::write(root.join(SDK_MARKER), b"").unwrap();
        std::fs::remove_file(root.join("src/fmt/empty.go")).unwrap();
        let quick = problems(root, "1.22.10", &linux, Depth::Quick);
        assert!(quick[0].contains("2 files"), "{quick:?}");
    }

    /// Stamps written before the marker was left out counted it when an import brought it
    /// along (a `~/sdk` download); they match with it counted, and with it added later.
    #[test]
    fn older_stamps_match_with_or_without_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let linux: Platform = "linux/amd64".parse().unwrap();
        let old_stamp = |root: &Path, files: u64| {
            let path = root.join(RECEIPT_FILE);
            let mut json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let tree = json["tree"].as_object_mut().unwrap();
            tree.remove("sdk_marker_uncounted");
            tree.insert("files".into(), files.into());
            std::fs::write(&path, json.to_string()).unwrap();
        };
        tree(root);
        receipt().write(root).unwrap();
        // Written by an older gox with the marker already there (counted).
        std::fs::write(root.join(SDK_MARKER), b"").unwrap();
        old_stamp(root, 4);
        assert!(problems(root, "1.22.10", &linux, Depth::Deep).is_empty());
        // Written by an older gox without it; `setup --sdk` added it since.
        old_stamp(root, 3);
        assert!(problems(root, "1.22.10", &linux, Depth::Deep).is_empty());
        std::fs::remove_file(root.join("src/fmt/print.go")).unwrap();
        assert_eq!(problems(root, "1.22.10", &linux, Depth::Quick).len(), 1);
    }
}
