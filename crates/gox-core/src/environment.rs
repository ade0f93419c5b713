//! The process environment as one value: every environment variable and the working
//! directory gox reads goes through an [`Environment`], so decisions can be tested with a
//! fake one and never depend on the test runner's own environment.
//!
//! The variables are a sorted `Vec`, not a map: the `go` shim builds one on every run, and
//! its whole memory (every page is a fault on the exec path) is a few KiB.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// Sorted by name, names unique.
    vars: Vec<(String, OsString)>,
    cwd: PathBuf,
}

impl Environment {
    /// Snapshot of the real process environment. Variables whose names are not UTF-8 are
    /// skipped: gox reads none of them. A name set twice keeps its first value, as `getenv`
    /// and Go's `os.Getenv` do.
    pub fn from_process() -> Self {
        let (count, entries) = process::vars();
        let mut env = Self {
            vars: Vec::with_capacity(count),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        // Kept sorted while filled: no sort and its 4 KiB stack scratch buffer (a page fault
        // in the shim), and the first of two equal names is the one kept.
        for (k, v) in entries {
            if let Err(i) = env.find(&k) {
                env.vars.insert(i, (k, v));
            }
        }
        env
    }

    /// An environment with only the given variables, for tests.
    pub fn fake<I, K, V>(cwd: impl Into<PathBuf>, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        let mut env = Self {
            vars: Vec::new(),
            cwd: cwd.into(),
        };
        for (k, v) in vars {
            env.set(k, v);
        }
        env
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.vars.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    fn get(&self, key: &str) -> Option<&OsString> {
        self.find(key).ok().map(|i| &self.vars[i].1)
    }

    /// The value of `key` if it is set, valid UTF-8 and not empty.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.get(key)
            .and_then(|v| v.to_str())
            .filter(|v| !v.is_empty())
    }

    /// The raw value of `key` if it is set and not empty.
    pub fn var_os(&self, key: &str) -> Option<&OsString> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// A variable holding a path; empty counts as unset.
    pub fn path_var(&self, key: &str) -> Option<PathBuf> {
        self.var_os(key).map(PathBuf::from)
    }

    /// Whether a boolean-ish variable is switched on (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, key: &str) -> bool {
        self.var(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// The names of the variables that are set (empty values included).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|(k, _)| k.as_str())
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    pub fn with_cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.cwd = cwd.into();
        self
    }

    pub fn set(&mut self, key: impl Into<String>, value: impl Into<OsString>) {
        let (key, value) = (key.into(), value.into());
        match self.find(&key) {
            Ok(i) => self.vars[i].1 = value,
            Err(i) => self.vars.insert(i, (key, value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.find(key) {
            self.vars.remove(i);
        }
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.path_var("HOME")
            .or_else(|| self.path_var("USERPROFILE"))
    }
}

/// Reading the process environment.
mod process {
    use std::ffi::OsString;

    /// How many entries there are, and every `NAME=value` with a UTF-8 name, in
    /// environment order: the caller allocates once (std's `vars_os` grows a `Vec` entry by
    /// entry, about 6 KiB of copies for a typical environment, and the shim's allocator
    /// does not reuse memory).
    #[cfg(target_os = "linux")]
    pub fn vars() -> (usize, impl Iterator<Item = (String, OsString)>) {
        use crate::environ::{entries, split};
        use std::os::unix::ffi::OsStrExt;
        let vars = entries().filter_map(|e| {
            let (k, v) = split(e.to_bytes())?;
            let k = std::str::from_utf8(k).ok()?.to_string();
            Some((k, std::ffi::OsStr::from_bytes(v).to_os_string()))
        });
        (entries().count(), vars)
    }

    #[cfg(not(target_os = "linux"))]
    pub fn vars() -> (usize, impl Iterator<Item = (String, OsString)>) {
        let vars = std::env::vars_os();
        let count = vars.size_hint().0;
        (
            count,
            vars.filter_map(|(k, v)| k.into_string().ok().map(|k| (k, v))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_snapshot_matches_std() {
        let env = Environment::from_process();
        let mut std_names: Vec<String> = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect();
        std_names.sort();
        std_names.dedup();
        assert_eq!(env.names().collect::<Vec<_>>(), std_names);
        for name in &std_names {
            assert_eq!(env.get(name), std::env::var_os(name).as_ref(), "{name}");
        }
    }

    #[test]
    fn set_replaces_and_remove_removes() {
        let mut env = Environment::fake("/", [("B", "1"), ("A", "2"), ("B", "3")]);
        assert_eq!(env.names().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(env.var("B"), Some("3"));
        env.set("C", "4");
        env.remove("A");
        assert_eq!(env.names().collect::<Vec<_>>(), ["B", "C"]);
        assert_eq!(env.var("C"), Some("4"));
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
