//! The shims in GOX_HOME/shims: hard links to (or copies of) the `gox-shim` that ships next
//! to `gox`. `gox setup` creates them; `gox self update` re-points every one of them at the
//! new `gox-shim`, because a hard link keeps the old file alive and a copy is the old bytes.

use std::io;
use std::path::{Path, PathBuf};

use gox_core::Version;

/// How a shim was put in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    HardLink,
    Copy,
}

impl Placement {
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::HardLink => "hard link",
            Placement::Copy => "copy",
        }
    }
}

/// A shim that could not be put in place, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot {op} {}: {source}", .path.display())]
pub struct PlaceError {
    pub op: &'static str,
    pub path: PathBuf,
    pub source: io::Error,
}

/// Hard link (cheap, shares the inode with `shim`), else copy; swapped in with a rename so a
/// running `go` never sees a half-written shim.
pub fn place(shim: &Path, dest: &Path) -> Result<Placement, PlaceError> {
    // Appended, not `with_extension`: `go1.22.10` and `go1.22.11` must not share a temp name.
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(".gox-new");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let how = if std::fs::hard_link(shim, &tmp).is_ok() {
        Placement::HardLink
    } else {
        std::fs::copy(shim, &tmp).map_err(|source| PlaceError {
            op: "copy to",
            path: tmp.clone(),
            source,
        })?;
        Placement::Copy
    };
    std::fs::rename(&tmp, dest).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        PlaceError {
            op: "replace",
            path: dest.to_path_buf(),
            source,
        }
    })?;
    Ok(how)
}

/// True for the names gox gives shims: `go`, `gofmt` and `goX.Y.Z` (exactly that version),
/// each with the platform's executable suffix (`exe_suffix`, `""` or `".exe"`).
pub fn is_shim_name(file_name: &str, exe_suffix: &str) -> bool {
    let Some(stem) = file_name.strip_suffix(exe_suffix) else {
        return false;
    };
    match stem {
        "go" | "gofmt" => true,
        _ => stem.strip_prefix("go").is_some_and(|v| {
            v.starts_with(|c: char| c.is_ascii_digit()) && v.parse::<Version>().is_ok()
        }),
    }
}

/// The shims in `dir`: regular files with a shim name. Symbolic links are left out: they
/// name `gox-shim` by path and follow it through any update by themselves.
pub fn list(dir: &Path, exe_suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut shims: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| is_shim_name(&e.file_name().to_string_lossy(), exe_suffix))
        .map(|e| e.path())
        .collect();
    shims.sort();
    shims
}

/// Re-points every shim in `dir` at `shim`. Returns the shims refreshed and the failures
/// (a failure leaves that shim as it was: the rename never happened).
pub fn refresh_all(
    shim: &Path,
    dir: &Path,
    exe_suffix: &str,
) -> (Vec<(PathBuf, Placement)>, Vec<PlaceError>) {
    let mut done = Vec::new();
    let mut failed = Vec::new();
    for dest in list(dir, exe_suffix) {
        match place(shim, &dest) {
            Ok(how) => done.push((dest, how)),
            Err(e) => failed.push(e),
        }
    }
    (done, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_names() {
        for name in ["go", "gofmt", "go1.22.10", "go1.21rc1", "go1.22"] {
            assert!(is_shim_name(name, ""), "{name}");
        }
        for name in [
            "gox",
            "gox-shim",
            "go.gox-new",
            "gofmt.exe",
            "golang",
            "go-1.2",
            "go1.x",
        ] {
            assert!(!is_shim_name(name, ""), "{name}");
        }
        assert!(is_shim_name("go.exe", ".exe"));
        assert!(is_shim_name("go1.22.10.exe", ".exe"));
        assert!(!is_shim_name("go", ".exe"));
    }

    #[test]
    fn refresh_relinks_every_shim_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old-shim");
        let new = dir.path().join("new-shim");
        std::fs::write(&old, b"old").unwrap();
        std::fs::write(&new, b"new").unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        std::fs::hard_link(&old, shims.join("go")).unwrap();
        std::fs::copy(&old, shims.join("gofmt")).unwrap();
        std::fs::copy(&old, shims.join("go1.22.10")).unwrap();
        std::fs::write(shims.join("README"), b"keep").unwrap();

        let (done, failed) = refresh_all(&new, &shims, "");
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(done.len(), 3);
        for name in ["go", "gofmt", "go1.22.10"] {
            assert_eq!(std::fs::read(shims.join(name)).unwrap(), b"new", "{name}");
        }
        assert_eq!(std::fs::read(shims.join("README")).unwrap(), b"keep");
        assert_eq!(std::fs::read(&old).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(&shims).unwrap().count(), 4);
    }
}
