//! Finding a command by name the way cmd.exe does on Windows: each directory of PATH in
//! order, and in each the name with every PATHEXT extension (`build` is `build.cmd`).
//! Windows' CreateProcess (and so Rust's `Command`) only adds `.exe`, so `gox exec 1.22 --
//! build` would miss the `build.cmd` that cmd.exe and PowerShell run. A pure function of
//! its inputs, tested on every OS; `gox exec` calls it on Windows only.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// cmd.exe's extensions when PATHEXT is unset (Windows sets a longer list by default).
pub const DEFAULT: &str = ".COM;.EXE;.BAT;.CMD";

/// The extensions of a PATHEXT value in order, each with its dot (`.CMD`); empty entries
/// are dropped, and an unset, empty or non-UTF-8 value gives [`DEFAULT`]'s.
pub fn extensions(pathext: Option<&OsStr>) -> Vec<String> {
    let listed: Vec<String> = pathext
        .and_then(OsStr::to_str)
        .unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            if e.starts_with('.') {
                e.to_string()
            } else {
                format!(".{e}")
            }
        })
        .collect();
    if listed.is_empty() {
        extensions(Some(OsStr::new(DEFAULT)))
    } else {
        listed
    }
}

/// The file cmd.exe would run for `name`, or `None` when there is none.
///
/// A name with a directory part (`tools\build`, `.\build`, `C:build`) is looked up there
/// only; a bare name in each of `path_dirs` in order (the child's PATH, so the toolchain's
/// bin comes first). In each place: the name as given when it already ends in one of the
/// PATHEXT extensions (`build.cmd`), then the name plus each extension in PATHEXT's order,
/// ignoring case. The current directory is not searched first, unlike cmd.exe: Rust's
/// `Command` stopped doing that (a file planted in the working directory would run), and
/// `.\build` names it when that is meant.
pub fn find(
    name: &OsStr,
    path_dirs: impl IntoIterator<Item = PathBuf>,
    pathext: Option<&OsStr>,
    is_file: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let names = candidates(name, &extensions(pathext));
    let first = |dir: Option<&Path>| {
        names
            .iter()
            .map(|n| dir.map_or_else(|| PathBuf::from(n), |d| d.join(n)))
            .find(|p| is_file(p))
    };
    if has_directory(name) {
        return first(None);
    }
    path_dirs
        .into_iter()
        .filter(|d| !d.as_os_str().is_empty())
        .find_map(|dir| first(Some(&dir)))
}

/// The file names tried in each place, in order.
fn candidates(name: &OsStr, extensions: &[String]) -> Vec<OsString> {
    let lower = name.to_string_lossy().to_ascii_lowercase();
    let mut names = Vec::with_capacity(extensions.len() + 1);
    if extensions
        .iter()
        .any(|e| lower.ends_with(&e.to_ascii_lowercase()))
    {
        names.push(name.to_os_string());
    }
    for ext in extensions {
        let mut with = name.to_os_string();
        with.push(ext);
        names.push(with);
    }
    names
}

/// Whether `name` says where it is (Windows' separators `\` and `/`, or a drive `C:`),
/// decided by Windows' rules on every OS.
fn has_directory(name: &OsStr) -> bool {
    name.to_string_lossy()
        .chars()
        .any(|c| matches!(c, '\\' | '/' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path tried, written with `/` (Windows joins with `\\`; elsewhere `\\` is part of
    /// a name and stays).
    fn unix(path: &Path) -> String {
        let text = path.to_string_lossy();
        if cfg!(windows) {
            text.replace('\\', "/")
        } else {
            text.into_owned()
        }
    }

    /// `find` over a fake file system holding `files`, whose names ignore case as
    /// Windows' do: the path found is spelled as it was tried (`build.CMD`), as cmd.exe
    /// spells it.
    fn find_in(name: &str, path: &[&str], pathext: Option<&str>, files: &[&str]) -> Option<String> {
        find(
            OsStr::new(name),
            path.iter().map(PathBuf::from),
            pathext.map(OsStr::new),
            |p| files.iter().any(|f| f.eq_ignore_ascii_case(&unix(p))),
        )
        .map(|p| unix(&p))
    }

    #[test]
    fn pathext_lists_extensions_in_order_with_a_default() {
        assert_eq!(extensions(None), [".COM", ".EXE", ".BAT", ".CMD"]);
        assert_eq!(extensions(Some(OsStr::new(""))), extensions(None));
        assert_eq!(extensions(Some(OsStr::new(" ; ;"))), extensions(None));
        assert_eq!(
            extensions(Some(OsStr::new(".EXE;;.PS1; .Cmd ;js"))),
            [".EXE", ".PS1", ".Cmd", ".js"]
        );
    }

    #[test]
    fn a_bare_name_is_searched_dir_by_dir_with_each_extension() {
        let path = ["/tc/bin", "", "/tools", "/more"];
        // build.cmd in the second directory: cmd.exe runs it, CreateProcess would not.
        assert_eq!(
            find_in(
                "build",
                &path,
                None,
                &["/tools/build.cmd", "/more/build.exe"]
            ),
            Some("/tools/build.CMD".into())
        );
        // Within a directory PATHEXT's order decides (.COM before .EXE by default)...
        assert_eq!(
            find_in("go", &path, None, &["/tc/bin/go.exe", "/tc/bin/go.com"]),
            Some("/tc/bin/go.COM".into())
        );
        // ...and the toolchain's bin, first on PATH, wins over a later directory.
        assert_eq!(
            find_in("go", &path, None, &["/tools/go.com", "/tc/bin/go.exe"]),
            Some("/tc/bin/go.EXE".into())
        );
        // The user's PATHEXT counts, in its order; unlisted extensions are not tried.
        let files = ["/tools/mage.ps1", "/tools/mage.bat"];
        assert_eq!(
            find_in("mage", &path, Some(".PS1;.BAT"), &files),
            Some("/tools/mage.PS1".into())
        );
        assert_eq!(find_in("mage", &path, Some(".EXE;.CMD"), &files), None);
        // An extensionless file of that name is not a program cmd.exe runs.
        assert_eq!(find_in("build", &path, None, &["/tools/build"]), None);
        // Nothing in an empty PATH entry (it is not the current directory).
        assert_eq!(find_in("build", &path, None, &["build.cmd"]), None);
    }

    #[test]
    fn a_name_with_a_listed_extension_is_tried_as_given_first_ignoring_case() {
        let path = ["/a", "/b"];
        assert_eq!(
            find_in(
                "build.cmd",
                &path,
                None,
                &["/b/build.cmd", "/b/build.cmd.exe"]
            ),
            Some("/b/build.cmd".into())
        );
        assert_eq!(
            find_in("Build.CMD", &path, Some(".exe;.cmd"), &["/a/Build.CMD"]),
            Some("/a/Build.CMD".into())
        );
        // An extension PATHEXT does not list is only a part of the name.
        assert_eq!(
            find_in("tool.v2", &path, None, &["/a/tool.v2", "/b/tool.v2.exe"]),
            Some("/b/tool.v2.EXE".into())
        );
    }

    #[test]
    fn a_name_with_a_directory_is_looked_up_there_only() {
        let path = ["/tools"];
        let files = [
            "/tools/sub/build.cmd",
            "sub/build.bat",
            r"/tools/sub\build.cmd",
            r"sub\build.cmd",
            "C:build.exe",
        ];
        assert_eq!(
            find_in("sub/build", &path, None, &files),
            Some("sub/build.BAT".into())
        );
        // `\` is Windows' separator even where the tests run (on Windows, where `/` is
        // one too, the two files above are one).
        #[cfg(unix)]
        assert_eq!(
            find_in(r"sub\build", &path, None, &files),
            Some(r"sub\build.CMD".into())
        );
        assert_eq!(
            find_in("C:build", &path, None, &files),
            Some("C:build.EXE".into())
        );
        assert_eq!(
            find_in("/tools/sub/build", &path, None, &files),
            Some("/tools/sub/build.CMD".into())
        );
    }
}
