//! gox's man pages next to its binaries, where install.sh puts them: for an install dir
//! `PREFIX/bin`, in `PREFIX/share/man/man1`, as a package manager would. `man` finds them
//! there with no MANPATH set (man-db and macOS's man derive the man path from PATH).
//! `gox self update` refreshes them when they are there; `gox self uninstall` removes them.
//! install.sh applies the same rule ([`man_dir`]); tests/dist.rs checks that they agree.

use std::path::{Path, PathBuf};

/// A page larger than this is not one of gox's (they are a few KiB).
pub const MAX_PAGE_BYTES: u64 = 256 * 1024;

/// Where the man pages of gox installed in `install_dir` belong: `PREFIX/share/man/man1`
/// for `install_dir` = `PREFIX/bin`. None for any other install dir (`~/tools`, `/bin`):
/// there is no place `man` would look that gox could claim.
pub fn man_dir(install_dir: &Path) -> Option<PathBuf> {
    if install_dir.file_name()? != "bin" {
        return None;
    }
    let prefix = install_dir.parent()?;
    // `/bin` itself (its parent `/` has none): `/share/man` is nobody's convention.
    prefix.parent()?;
    Some(prefix.join("share").join("man").join("man1"))
}

/// `gox.1` and `gox-SUBCOMMAND.1`: the names of gox's pages (no directories, no dots but
/// the suffix).
pub fn is_page_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".1") else {
        return false;
    };
    stem == "gox"
        || stem.strip_prefix("gox-").is_some_and(|sub| {
            !sub.is_empty()
                && sub
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A page gox wrote: its name is one of [`is_page_name`]'s and clap_mangen's title line
/// (`.TH gox-install 1 …`) names that same page. A user's own `gox-notes.1` is not ours.
pub fn is_gox_page(name: &str, text: &[u8]) -> bool {
    let Some(stem) = name.strip_suffix(".1").filter(|_| is_page_name(name)) else {
        return false;
    };
    let title = format!(".TH {stem} 1");
    text.split(|&b| b == b'\n')
        .take(20)
        .any(|line| line.starts_with(title.as_bytes()))
}

/// gox's pages in `dir` (see [`is_gox_page`]), sorted.
pub fn installed(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut pages: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let Some(name) = name.to_str() else {
                return false;
            };
            is_page_name(name)
                && e.metadata()
                    .is_ok_and(|m| m.is_file() && m.len() <= MAX_PAGE_BYTES)
                && std::fs::read(e.path()).is_ok_and(|text| is_gox_page(name, &text))
        })
        .map(|e| e.path())
        .collect();
    pages.sort();
    pages
}

/// What [`refresh`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub dir: PathBuf,
    /// Pages written (the new release's).
    pub written: usize,
    /// gox pages of the old release that the new one no longer has.
    pub removed: usize,
}

/// Replaces gox's pages in `dir` with `pages` (name, text) of the new release, each written
/// to a temporary name and renamed into place; removes gox's pages the new release no
/// longer has. Only where gox's pages are already installed (`gox.1` is there and ours):
/// pages are never put where the user did not have them. None when there were none.
pub fn refresh(dir: &Path, pages: &[(String, Vec<u8>)]) -> std::io::Result<Option<Refreshed>> {
    let before = installed(dir);
    if !before
        .iter()
        .any(|p| p.file_name() == Some("gox.1".as_ref()))
        || pages.is_empty()
    {
        return Ok(None);
    }
    let mut done = Refreshed {
        dir: dir.to_path_buf(),
        ..Refreshed::default()
    };
    for (name, text) in pages {
        if !is_gox_page(name, text) {
            continue;
        }
        let dest = dir.join(name);
        let tmp = dir.join(format!(".{name}.gox-new"));
        let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &dest));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        done.written += 1;
    }
    for old in before {
        let kept = pages
            .iter()
            .any(|(name, _)| old.file_name() == Some(name.as_ref()));
        if !kept {
            std::fs::remove_file(&old)?;
            done.removed += 1;
        }
    }
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(stem: &str) -> Vec<u8> {
        format!(
            ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH {stem} 1  \"{stem} 1.0.0\" \n.SH NAME\n"
        )
        .into_bytes()
    }

    #[test]
    fn the_man_dir_is_beside_bin() {
        assert_eq!(
            man_dir(Path::new("/home/me/.local/bin")),
            Some(PathBuf::from("/home/me/.local/share/man/man1"))
        );
        assert_eq!(
            man_dir(Path::new("/usr/local/bin")),
            Some(PathBuf::from("/usr/local/share/man/man1"))
        );
        assert_eq!(man_dir(Path::new("/home/me/tools")), None);
        assert_eq!(man_dir(Path::new("/bin")), None);
        assert_eq!(man_dir(Path::new("bin")), None);
    }

    #[test]
    fn page_names_and_titles() {
        for ok in [
            "gox.1",
            "gox-install.1",
            "gox-self-update.1",
            "gox-ls-remote.1",
        ] {
            assert!(is_page_name(ok), "{ok}");
        }
        for bad in [
            "gox",
            "gox.1.gz",
            "gox-.1",
            "go.1",
            "gox-Notes.1",
            "gox-a.b.1",
            "x/gox.1",
        ] {
            assert!(!is_page_name(bad), "{bad}");
        }
        assert!(is_gox_page("gox-install.1", &page("gox-install")));
        assert!(!is_gox_page("gox-install.1", &page("gox-use")));
        assert!(!is_gox_page("gox-notes.1", b".TH NOTES 1\nmy notes\n"));
    }

    #[test]
    fn refresh_replaces_ours_drops_stale_ones_and_keeps_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("gox.1"), b".TH gox 1 old\n").unwrap();
        std::fs::write(d.join("gox-gone.1"), page("gox-gone")).unwrap();
        std::fs::write(d.join("gox-notes.1"), b"my notes\n").unwrap();
        std::fs::write(d.join("ls.1"), page("ls")).unwrap();
        let new = vec![
            ("gox.1".to_string(), page("gox")),
            ("gox-use.1".to_string(), page("gox-use")),
        ];
        let done = refresh(d, &new).unwrap().unwrap();
        assert_eq!((done.written, done.removed), (2, 1));
        assert_eq!(
            gox_testkit::entry_names(d),
            ["gox-notes.1", "gox-use.1", "gox.1", "ls.1"]
        );
        assert_eq!(std::fs::read(d.join("gox.1")).unwrap(), page("gox"));
    }

    #[test]
    fn refresh_puts_no_pages_where_there_were_none() {
        let dir = tempfile::tempdir().unwrap();
        let new = vec![("gox.1".to_string(), page("gox"))];
        assert_eq!(refresh(dir.path(), &new).unwrap(), None);
        assert!(!dir.path().join("gox.1").exists());
        // A user's own gox.1 that is not gox's page does not count either.
        std::fs::write(dir.path().join("gox.1"), b"mine\n").unwrap();
        assert_eq!(refresh(dir.path(), &new).unwrap(), None);
        assert_eq!(std::fs::read(dir.path().join("gox.1")).unwrap(), b"mine\n");
    }
}
