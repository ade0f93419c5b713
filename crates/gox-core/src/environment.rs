//! The process environment as one value: every environment variable and the working
//! directory gox reads goes through an [`Environment`], so decisions can be tested with a
//! fake one and never depend on the test runner's own environment.
//!
//! The `go` shim builds one on every run, so on Linux the real environment is not copied at
//! all: a lookup reads the C runtime's block in place ([`crate::environ`]), `getenv`'s way,
//! and only what is set or removed on top is held here (measured: copying and sorting the
//! environment was a third of the shim's work before `exec`; a borrowed snapshot still
//! measured every string).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// The process environment (empty in a fake): on Linux indexed in place, elsewhere
    /// copied once. A name may repeat (a real environment can hold it twice): the first one
    /// counts, as with `getenv` and Go's `os.Getenv`.
    inherited: process::Inherited,
    /// Set or removed (`None`) on top of the inherited variables, each name once.
    own: Vec<(String, Option<OsString>)>,
    cwd: PathBuf,
}

impl Environment {
    /// The real process environment. Variables whose names are not UTF-8 are skipped:
    /// gox reads none of them.
    pub fn from_process() -> Self {
        let inherited = process::Inherited::read();
        let physical = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let cwd = logical_cwd(inherited.get("PWD"), physical, same_file);
        Self {
            inherited,
            own: Vec::new(),
            cwd,
        }
    }

    /// An environment with only the given variables, for tests.
    pub fn fake<I, K, V>(cwd: impl Into<PathBuf>, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        let mut env = Self {
            cwd: cwd.into(),
            ..Self::default()
        };
        for (k, v) in vars {
            env.set(k, v);
        }
        env
    }

    fn get(&self, key: &str) -> Option<&OsStr> {
        let value = match self.own.iter().find(|(k, _)| same_name(k, key)) {
            Some((_, value)) => value.as_deref(),
            None => self.inherited.get(key),
        };
        crate::observe::var(key, value);
        value
    }

    /// The value of `key` exactly as set (empty included), `None` when unset.
    pub fn var_raw(&self, key: &str) -> Option<&OsStr> {
        self.get(key)
    }

    /// The value of `key` if it is set, valid UTF-8 and not empty.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.get(key)
            .and_then(|v| v.to_str())
            .filter(|v| !v.is_empty())
    }

    /// The raw value of `key` if it is set and not empty.
    pub fn var_os(&self, key: &str) -> Option<&OsStr> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// A variable holding a path, spelled as this OS spells paths
    /// ([`crate::pathname::native`]); empty counts as unset.
    pub fn path_var(&self, key: &str) -> Option<PathBuf> {
        self.var_os(key)
            .map(|v| crate::pathname::native(PathBuf::from(v)))
    }

    /// Whether a boolean-ish variable is switched on (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, key: &str) -> bool {
        self.var(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// The names of the variables that are set (empty values included), each once, in
    /// environment order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let inherited = self
            .inherited
            .names()
            .filter(|name| !self.own.iter().any(|(k, _)| same_name(k, name)));
        let own = self
            .own
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.as_str());
        let mut names: Vec<&str> = Vec::new();
        for name in inherited.map(|n| -> &str { n }).chain(own) {
            if !names.iter().any(|n| same_name(n, name)) {
                names.push(name);
            }
        }
        names.into_iter()
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    pub fn with_cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.cwd = cwd.into();
        self
    }

    pub fn set(&mut self, key: impl Into<String>, value: impl Into<OsString>) {
        let key = key.into();
        self.own.retain(|(k, _)| !same_name(k, &key));
        self.own.push((key, Some(value.into())));
    }

    /// Unsets `key` (an inherited one too: the removal is recorded on top).
    pub fn remove(&mut self, key: &str) {
        self.own.retain(|(k, _)| !same_name(k, key));
        self.own.push((key.to_owned(), None));
    }

    /// The process environment block itself, as the C runtime holds it: what `execve`
    /// passes on. What was set or removed on this value is not in it.
    #[cfg(target_os = "linux")]
    pub fn process_entries(&self) -> &[crate::environ::Entry] {
        &self.inherited.0
    }

    /// The process environment as it was copied (every name, UTF-8 or not): what `execve`
    /// passes on. What was set or removed on this value is not in it.
    #[cfg(not(target_os = "linux"))]
    pub fn process_vars(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.inherited
            .0
            .iter()
            .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.path_var("HOME")
            .or_else(|| self.path_var("USERPROFILE"))
    }
}

/// Windows' variable names ignore case: `Path` (its usual spelling) is `PATH`, and a user's
/// `set gox_version=1.22` in cmd is GOX_VERSION. Unix names are exact.
const NAMES_IGNORE_CASE: bool = cfg!(windows);

/// Whether `a` and `b` name the same variable on this OS.
fn same_name(a: &str, b: &str) -> bool {
    names_match(a, b, NAMES_IGNORE_CASE)
}

/// [`same_name`] with the OS rule as a parameter, so that both are tested everywhere.
fn names_match(a: &str, b: &str, ignore_case: bool) -> bool {
    if ignore_case {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Reading the process environment.
mod process {
    use std::ffi::OsStr;

    /// Linux: the C runtime's block, each entry's name measured once so that a lookup
    /// compares lengths first ([`crate::environ`]); values are measured when read.
    #[cfg(target_os = "linux")]
    #[derive(Clone, Debug, Default)]
    pub struct Inherited(pub Vec<crate::environ::Entry>);

    #[cfg(target_os = "linux")]
    impl Inherited {
        pub fn read() -> Self {
            Self(crate::environ::entries().collect())
        }

        pub fn get(&self, key: &str) -> Option<&'static OsStr> {
            use std::os::unix::ffi::OsStrExt;
            self.0
                .iter()
                .find(|e| e.name() == Some(key.as_bytes()))
                .and_then(|e| e.value())
                .map(OsStr::from_bytes)
        }

        /// The UTF-8 names, in order (repeats included).
        pub fn names(&self) -> impl Iterator<Item = &'static str> {
            self.0
                .iter()
                .filter_map(|e| std::str::from_utf8(e.name()?).ok())
        }
    }

    /// Elsewhere `environ` is not the stable way to reach the environment (macOS), so it is
    /// copied once through std.
    #[cfg(not(target_os = "linux"))]
    #[derive(Clone, Debug, Default)]
    pub struct Inherited(pub Vec<(std::ffi::OsString, std::ffi::OsString)>);

    #[cfg(not(target_os = "linux"))]
    impl Inherited {
        pub fn read() -> Self {
            Self(std::env::vars_os().collect())
        }

        pub fn get(&self, key: &str) -> Option<&OsStr> {
            self.0
                .iter()
                .find(|(k, _)| k.to_str().is_some_and(|k| super::same_name(k, key)))
                .map(|(_, v)| v.as_os_str())
        }

        /// The UTF-8 names, in order (repeats included).
        pub fn names(&self) -> impl Iterator<Item = &str> {
            self.0.iter().filter_map(|(k, _)| k.to_str())
        }
    }
}

/// The working directory as the go command sees it (`os.Getwd`): the shell's `PWD` when it
/// names this very directory, else the physical path. In `/ws/link` (a symlink to
/// `/src/pkg`), `go` finds `/ws/go.mod` by walking up `PWD`, so gox must walk the same way
/// or it would run a toolchain that module refuses. When `PWD` already equals the physical
/// path (no symlink on the way), no further system call is made: the shim's usual case.
/// Windows' go uses the physical path only.
pub fn logical_cwd(
    pwd: Option<&OsStr>,
    physical: PathBuf,
    same_dir: impl Fn(&Path, &Path) -> bool,
) -> PathBuf {
    if !cfg!(unix) {
        return physical;
    }
    match pwd.map(Path::new) {
        Some(pwd) if pwd.is_absolute() && pwd != physical && same_dir(pwd, &physical) => {
            pwd.to_path_buf()
        }
        _ => physical,
    }
}

/// Whether two paths name the same file (or directory): the same device and inode on Unix,
/// the same canonical path elsewhere. False when either cannot be read.
#[cfg(unix)]
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_ignore_case_only_on_windows() {
        assert!(names_match("Path", "PATH", true));
        assert!(names_match("gox_version", "GOX_VERSION", true));
        assert!(!names_match("Path", "PATH", false));
        assert!(!names_match("PATH", "PATHEXT", true));
        assert_eq!(NAMES_IGNORE_CASE, cfg!(windows));
        // Through an Environment, by this OS's rule.
        let env = Environment::fake("/", [("Path", "C:\\Windows")]);
        assert_eq!(env.var("PATH").is_some(), cfg!(windows));
        let mut env = Environment::fake("/", [("PATH", "/bin")]);
        env.set("Path", "/usr/bin");
        assert_eq!(env.names().count(), if cfg!(windows) { 1 } else { 2 });
    }

    #[test]
    fn the_working_directory_is_the_shells_when_it_names_the_same_directory() {
        let physical = PathBuf::from("/src/pkg");
        let same = |_: &Path, _: &Path| true;
        let other = |_: &Path, _: &Path| false;
        let pwd = |s: &'static str| Some(OsStr::new(s));
        if cfg!(unix) {
            assert_eq!(
                logical_cwd(pwd("/ws/link"), physical.clone(), same),
                Path::new("/ws/link")
            );
        }
        // A stale PWD (the shell cd'ed elsewhere behind our back), a relative or missing one.
        assert_eq!(
            logical_cwd(pwd("/ws/link"), physical.clone(), other),
            physical
        );
        assert_eq!(logical_cwd(pwd("link"), physical.clone(), same), physical);
        assert_eq!(logical_cwd(None, physical.clone(), same), physical);
        // The usual case asks nothing of the filesystem.
        let unasked = |_: &Path, _: &Path| -> bool { panic!("no stat when PWD is the path") };
        assert_eq!(
            logical_cwd(pwd("/src/pkg"), physical.clone(), unasked),
            physical
        );
    }

    #[test]
    fn the_process_snapshot_matches_std() {
        let env = Environment::from_process();
        let mut std_names: Vec<String> = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect();
        std_names.sort();
        std_names.dedup();
        let mut names: Vec<_> = env.names().collect();
        names.sort();
        assert_eq!(names, std_names);
        for name in &std_names {
            assert_eq!(env.get(name), std::env::var_os(name).as_deref(), "{name}");
        }
    }

    #[test]
    fn set_replaces_and_remove_removes() {
        let mut env = Environment::fake("/", [("B", "1"), ("A", "2"), ("B", "3")]);
        assert_eq!(env.names().collect::<Vec<_>>(), ["A", "B"]);
        env.own.push(("A".to_owned(), Some("shadowed".into())));
        assert_eq!(
            env.var("A"),
            Some("2"),
            "the first of a repeated name counts"
        );
        assert_eq!(env.names().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(env.var("B"), Some("3"));
        env.set("C", "4");
        env.remove("A");
        assert_eq!(env.names().collect::<Vec<_>>(), ["B", "C"]);
        assert_eq!(env.var("C"), Some("4"));
    }

    #[test]
    fn set_and_remove_apply_on_top_of_the_process_environment() {
        let mut env = Environment::from_process();
        let Some(name) = env.names().next().map(str::to_owned) else {
            panic!("the test runner has an environment");
        };
        env.set(name.as_str(), "gox-test-value");
        assert_eq!(env.var(&name), Some("gox-test-value"));
        assert_eq!(env.names().filter(|n| *n == name).count(), 1);
        env.remove(&name);
        assert_eq!(env.var_os(&name), None);
        assert!(!env.names().any(|n| n == name));
        env.set(name.as_str(), "back");
        assert_eq!(env.var(&name), Some("back"));
        assert!(
            std::env::var_os(&name).is_some(),
            "the process environment itself is untouched"
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let env = Environment::fake("/", [("A", ""), ("B", "x")]);
        assert_eq!(env.var("A"), None);
        assert_eq!(env.var("B"), Some("x"));
        assert_eq!(env.var("C"), None);
    }

    #[test]
    fn flags() {
        let env = Environment::fake("/", [("A", "1"), ("B", "TRUE"), ("C", "0"), ("D", "no")]);
        assert!(env.flag("A") && env.flag("B"));
        assert!(!env.flag("C") && !env.flag("D") && !env.flag("E"));
    }
}
