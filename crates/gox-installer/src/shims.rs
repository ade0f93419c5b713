//! The shims in GOX_HOME/shims: hard links to (or copies of) the `gox-shim` that ships next
//! to `gox`. `gox setup` creates them; `gox self update` re-points every one of them at the
//! new `gox-shim`, because a hard link keeps the old file alive and a copy is the old bytes.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use gox_core::{Version, shim_identity};

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
    // One moved aside by an earlier placement, once its `go` has exited.
    if cfg!(windows) {
        let _ = std::fs::remove_file(aside_path(dest));
    }
    // Already that very file: nothing to do. (Renaming a new link onto it would be a no-op
    // that POSIX reports as success, leaving the temporary name behind on PATH.)
    if let (Ok(a), Ok(b)) = (std::fs::metadata(shim), std::fs::symlink_metadata(dest))
        && same_inode(&a, &b)
    {
        return Ok(Placement::HardLink);
    }
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
    let renamed = std::fs::rename(&tmp, dest).or_else(|e| replace_running(&tmp, dest, e));
    // After a failure, and after the no-op rename of a link onto another link to the same
    // file (`dest` became that link since the check above), the temporary name is left.
    let _ = std::fs::remove_file(&tmp);
    renamed.map_err(|source| PlaceError {
        op: "replace",
        path: dest.to_path_buf(),
        source,
    })?;
    Ok(how)
}

/// Where [`place`] moves a running shim aside on Windows: `go.exe` → `go.exe.gox-old`, a
/// name no shell runs as a command (not in PATHEXT). The next placement of that shim, or
/// `gox self uninstall`, removes it.
pub fn aside_path(dest: &Path) -> PathBuf {
    let mut aside = dest.as_os_str().to_owned();
    aside.push(".gox-old");
    PathBuf::from(aside)
}

/// Windows refuses to rename over an executable that is running (a `go build` through this
/// very shim, gopls's `go list`) but lets it be renamed: move it aside, rename the new one
/// in, and delete the old one if it has exited by then. Elsewhere the rename never fails
/// for that reason, and `err` stands.
#[cfg(windows)]
fn replace_running(tmp: &Path, dest: &Path, err: io::Error) -> io::Result<()> {
    let aside = aside_path(dest);
    if std::fs::rename(dest, &aside).is_err() {
        return Err(err);
    }
    if let Err(e) = std::fs::rename(tmp, dest) {
        let _ = std::fs::rename(&aside, dest);
        return Err(e);
    }
    let _ = std::fs::remove_file(&aside);
    Ok(())
}

#[cfg(not(windows))]
fn replace_running(_tmp: &Path, _dest: &Path, err: io::Error) -> io::Result<()> {
    Err(err)
}

/// True when `path` (an entry of the shims dir) is a gox shim: a symbolic link to a file
/// named `gox-shim` (or to `shim`), the installed `shim` itself (same inode) or a copy of
/// it, or a `gox-shim` binary of any version (a link to a `gox-shim` an upgrade replaced:
/// [`gox_core::shim_identity`]). The name proves nothing: `go1.99.0` may be a user's script.
pub fn is_gox_shim(path: &Path, shim: &Path, exe_suffix: &str) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).unwrap_or_default();
        let named_shim = target.file_name() == Some(std::ffi::OsStr::new(&shim_name(exe_suffix)));
        let same = match (std::fs::canonicalize(path), std::fs::canonicalize(shim)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        return named_shim || same;
    }
    if !meta.is_file() {
        return false;
    }
    let shim_meta = std::fs::metadata(shim).ok();
    if shim_meta.as_ref().is_some_and(|m| same_inode(&meta, m)) {
        return true;
    }
    if meta.len() > shim_identity::MAX_SHIM_BYTES {
        return false;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    // A copy of the installed one (same size first: a user's script is not compared).
    shim_identity::is_shim_binary(&bytes)
        || shim_meta.is_some_and(|m| m.len() == meta.len())
            && std::fs::read(shim).is_ok_and(|installed| installed == bytes)
}

fn shim_name(exe_suffix: &str) -> OsString {
    format!("gox-shim{exe_suffix}").into()
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    false
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

/// Whether `path` is what gox keeps in the shims dir besides the shims: the planner link
/// and the replayer's records ([`gox_core::Layout::planner_link`], `plans`).
pub fn is_shims_dir_state(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str());
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    match name {
        Some(gox_plan::PLANNER_LINK) => meta.file_type().is_symlink(),
        Some(gox_plan::PLANS_DIR) => meta.is_dir(),
        _ => false,
    }
}

/// What [`refresh_all`] did.
#[derive(Debug, Default)]
pub struct Refreshed {
    pub done: Vec<(PathBuf, Placement)>,
    /// A failure leaves that shim as it was: the rename never happened.
    pub failed: Vec<PlaceError>,
    /// Files with a shim's name that are no gox shim (a user's `go1.99.0` script): untouched.
    pub foreign: Vec<PathBuf>,
}

/// Re-points every gox shim in `dir` at `shim` (the new `gox-shim`, already in place).
pub fn refresh_all(shim: &Path, dir: &Path, exe_suffix: &str) -> Refreshed {
    let mut refreshed = Refreshed::default();
    for dest in list(dir, exe_suffix) {
        if !is_gox_shim(&dest, shim, exe_suffix) {
            refreshed.foreign.push(dest);
            continue;
        }
        match place(shim, &dest) {
            Ok(how) => refreshed.done.push((dest, how)),
            Err(e) => refreshed.failed.push(e),
        }
    }
    refreshed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shim_moved_aside_is_no_command_and_no_shim() {
        let aside = aside_path(Path::new("shims/go.exe"));
        assert_eq!(aside, Path::new("shims/go.exe.gox-old"));
        let name = aside.file_name().unwrap().to_str().unwrap();
        // Not runnable by name on Windows (PATHEXT lists extensions like .EXE), and not one
        // that a refresh would treat as a shim to re-point.
        assert!(!name.to_ascii_uppercase().ends_with(".EXE"));
        assert!(!is_shim_name(name, ".exe"));
    }

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

    /// A stand-in `gox-shim` binary of some version: an ELF header, the mark, `tag`.
    fn fake_shim(tag: &str) -> Vec<u8> {
        format!("\x7fELF{} ({tag})", shim_identity::MARK).into_bytes()
    }

    #[test]
    fn refresh_relinks_every_gox_shim_and_keeps_a_users_file() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old-shim");
        let new = dir.path().join("new-shim");
        std::fs::write(&old, fake_shim("old")).unwrap();
        std::fs::write(&new, fake_shim("new")).unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        std::fs::hard_link(&old, shims.join("go")).unwrap();
        std::fs::copy(&old, shims.join("gofmt")).unwrap();
        std::fs::copy(&old, shims.join("go1.22.10")).unwrap();
        std::fs::write(shims.join("README"), b"keep").unwrap();
        // A user's own script under a shim's name, and a program that is no gox shim.
        let script = b"#!/bin/sh\nexec /opt/go-tip/bin/go \"$@\"\n";
        std::fs::write(shims.join("go1.99.0"), script).unwrap();
        std::fs::write(shims.join("go1.98.0"), b"\x7fELF another program").unwrap();

        let refreshed = refresh_all(&new, &shims, "");
        assert!(refreshed.failed.is_empty(), "{:?}", refreshed.failed);
        assert_eq!(refreshed.done.len(), 3);
        for name in ["go", "gofmt", "go1.22.10"] {
            assert_eq!(
                std::fs::read(shims.join(name)).unwrap(),
                fake_shim("new"),
                "{name}"
            );
        }
        assert_eq!(
            refreshed.foreign,
            [shims.join("go1.98.0"), shims.join("go1.99.0")]
        );
        assert_eq!(std::fs::read(shims.join("go1.99.0")).unwrap(), script);
        assert_eq!(std::fs::read(shims.join("README")).unwrap(), b"keep");
        assert_eq!(std::fs::read(&old).unwrap(), fake_shim("old"));
        assert_eq!(std::fs::read_dir(&shims).unwrap().count(), 6);
    }

    #[cfg(unix)]
    #[test]
    fn placing_a_shim_again_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("gox-shim");
        std::fs::write(&shim, fake_shim("now")).unwrap();
        let dest = dir.path().join("go");
        for _ in 0..2 {
            assert_eq!(place(&shim, &dest).unwrap(), Placement::HardLink);
        }
        // Also when `dest` became a link to the same file behind the check's back.
        std::fs::remove_file(&dest).unwrap();
        std::fs::hard_link(&shim, &dest).unwrap();
        place(&shim, &dest).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["go", "gox-shim"]);
    }
}
