//! How this OS compares path names. Windows' file names ignore case (`C:\Users\Me\.gox` and
//! `c:\users\me\.GOX` are one directory, and PATH entries are typed by hand in any case);
//! Unix ones do not. Every decision is a pure function of the rule, tested everywhere.

use std::path::{Path, PathBuf};

/// Whether names ignore case here.
const IGNORE_CASE: bool = cfg!(windows);

/// `a` and `b` name the same path on this OS (component by component, as `Path`'s `==`).
pub fn same(a: &Path, b: &Path) -> bool {
    same_with(a, b, IGNORE_CASE)
}

/// `path` is `base` or lies under it on this OS (as [`Path::starts_with`]).
pub fn starts_with(path: &Path, base: &Path) -> bool {
    starts_with_with(path, base, IGNORE_CASE)
}

/// `path` as this OS spells it: on Windows `/` becomes `\`. Windows accepts both, but a
/// variable set as `GOX_HOME=C:/Users/me/gox` would otherwise give paths like
/// `C:/Users/me/gox\shims` in messages, printed PATH lines and the user Path. A verbatim
/// path (`\\?\…`), where `/` is an ordinary character, is left as it is.
pub fn native(path: PathBuf) -> PathBuf {
    if !cfg!(windows) {
        return path;
    }
    let changed = match path.to_str().map(backslashed) {
        Some(std::borrow::Cow::Owned(text)) => Some(text),
        _ => None,
    };
    changed.map_or(path, PathBuf::from)
}

fn backslashed(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(r"\\?\") || !text.contains('/') {
        return text.into();
    }
    text.replace('/', r"\").into()
}

fn same_with(a: &Path, b: &Path, ignore_case: bool) -> bool {
    let mut a = a.components();
    let mut b = b.components();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if component_eq(x.as_os_str(), y.as_os_str(), ignore_case) => {}
            _ => return false,
        }
    }
}

fn starts_with_with(path: &Path, base: &Path, ignore_case: bool) -> bool {
    let mut path = path.components();
    for part in base.components() {
        match path.next() {
            Some(p) if component_eq(p.as_os_str(), part.as_os_str(), ignore_case) => {}
            _ => return false,
        }
    }
    true
}

fn component_eq(a: &std::ffi::OsStr, b: &std::ffi::OsStr, ignore_case: bool) -> bool {
    if !ignore_case {
        return a == b;
    }
    match (a.to_str(), b.to_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_spelling_uses_backslashes_except_in_verbatim_paths() {
        assert_eq!(backslashed("Z:/tmp/home"), r"Z:\tmp\home");
        assert_eq!(backslashed(r"C:\Users/me\gox/"), r"C:\Users\me\gox\");
        assert_eq!(backslashed(r"\\?\C:\a/b"), r"\\?\C:\a/b");
        assert_eq!(backslashed(r"C:\plain"), r"C:\plain");
        // Not on Unix, where `/` is the separator and `\` an ordinary character.
        if cfg!(unix) {
            assert_eq!(native(PathBuf::from("/a/b\\c")), PathBuf::from("/a/b\\c"));
        }
    }

    #[test]
    fn case_counts_only_where_the_os_says_so() {
        let (a, b) = (
            Path::new("/home/Me/.gox/shims"),
            Path::new("/home/me/.GOX/shims"),
        );
        assert!(same_with(a, b, true));
        assert!(!same_with(a, b, false));
        assert!(same_with(a, a, false));
        assert!(!same_with(a, Path::new("/home/me/.gox"), true));
        assert!(starts_with_with(
            Path::new("/A/b/c"),
            Path::new("/a/B"),
            true
        ));
        assert!(!starts_with_with(
            Path::new("/A/b/c"),
            Path::new("/a/B"),
            false
        ));
        assert!(!starts_with_with(
            Path::new("/a/bc"),
            Path::new("/a/b"),
            true
        ));
        assert!(starts_with_with(
            Path::new("/a/b"),
            Path::new("/a/b"),
            false
        ));
        assert!(same_with(Path::new("/ä/Ö"), Path::new("/Ä/ö"), true));
        assert_eq!(same(a, b), cfg!(windows));
        assert_eq!(
            starts_with(Path::new("/A/b/c"), Path::new("/a/B")),
            cfg!(windows)
        );
    }
}
