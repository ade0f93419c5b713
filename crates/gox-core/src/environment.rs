//! The process environment as one value: every environment variable and the working
//! directory gox reads goes through an [`Environment`], so decisions can be tested with a
//! fake one and never depend on the test runner's own environment.
//!
//! The `go` shim builds one on every run, so on Linux the real environment is not copied:
//! the entries borrow the C runtime's strings ([`crate::environ`]) and a lookup is a scan of
//! a few dozen names, cheaper than building any map (measured: the shim's whole run before
//! `exec` is ~100k instructions; copying and sorting the environment was a third of them).

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

type Name = Cow<'static, str>;
type Value = Cow<'static, OsStr>;

#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// In environment order. A name may repeat (a real environment can hold it twice):
    /// the first one counts, as with `getenv` and Go's `os.Getenv`.
    vars: Vec<(Name, Value)>,
    cwd: PathBuf,
}

impl Environment {
    /// Snapshot of the real process environment. Variables whose names are not UTF-8 are
    /// skipped: gox reads none of them.
    pub fn from_process() -> Self {
        Self {
            vars: process::vars(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
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
            vars: Vec::new(),
            cwd: cwd.into(),
        };
        for (k, v) in vars {
            env.set(k, v);
        }
        env
    }

    fn get(&self, key: &str) -> Option<&OsStr> {
        self.vars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
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

    /// A variable holding a path; empty counts as unset.
    pub fn path_var(&self, key: &str) -> Option<PathBuf> {
        self.var_os(key).map(PathBuf::from)
    }

    /// Whether a boolean-ish variable is switched on (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, key: &str) -> bool {
        self.var(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// The names of the variables that are set (empty values included), each once.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !self.vars[..*i].iter().any(|(earlier, _)| earlier == k))
            .map(|(_, (k, _))| k.as_ref())
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
        self.remove(&key);
        self.vars.push((Cow::Owned(key), Cow::Owned(value)));
    }

    pub fn remove(&mut self, key: &str) {
        self.vars.retain(|(k, _)| k != key);
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.path_var("HOME")
            .or_else(|| self.path_var("USERPROFILE"))
    }
}

/// `NAME=value` split as glibc and std split it: a name is never empty, so a leading `=`
/// belongs to the name; an entry without `=` is skipped.
pub fn split_entry(entry: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = entry.iter().skip(1).position(|&b| b == b'=')? + 1;
    Some((&entry[..eq], &entry[eq + 1..]))
}

/// Reading the process environment.
mod process {
    use super::{Name, Value};
    use std::borrow::Cow;

    /// Every `NAME=value` with a UTF-8 name, borrowed, in one exactly sized allocation.
    #[cfg(target_os = "linux")]
    pub fn vars() -> Vec<(Name, Value)> {
        use crate::environ::entries;
        use std::os::unix::ffi::OsStrExt;
        let mut vars = Vec::with_capacity(crate::environ::count());
        vars.extend(entries().filter_map(|e| {
            let (k, v) = super::split_entry(e.to_bytes())?;
            let k = std::str::from_utf8(k).ok()?;
            Some((
                Cow::Borrowed(k),
                Cow::Borrowed(std::ffi::OsStr::from_bytes(v)),
            ))
        }));
        vars
    }

    #[cfg(not(target_os = "linux"))]
    pub fn vars() -> Vec<(Name, Value)> {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((Cow::Owned(k.into_string().ok()?), Cow::Owned(v))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_at_the_first_equals_after_the_name() {
        assert_eq!(split_entry(b"A=b=c"), Some((&b"A"[..], &b"b=c"[..])));
        assert_eq!(
            split_entry(b"=C:=C:\\x"),
            Some((&b"=C:"[..], &b"C:\\x"[..]))
        );
        assert_eq!(split_entry(b"EMPTY="), Some((&b"EMPTY"[..], &b""[..])));
        assert_eq!(split_entry(b"NOEQUALS"), None);
        assert_eq!(split_entry(b""), None);
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
        env.vars
            .push((Cow::Borrowed("A"), Cow::Borrowed(OsStr::new("shadowed"))));
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
