//! The process environment as one value: every environment variable and the working
//! directory gox reads goes through an [`Environment`], so decisions can be tested with a
//! fake one and never depend on the test runner's own environment.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: BTreeMap<String, OsString>,
    cwd: PathBuf,
}

impl Environment {
    /// Snapshot of the real process environment. Variables whose names are not UTF-8 are
    /// skipped: gox reads none of them.
    pub fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| k.into_string().ok().map(|k| (k, v)))
            .collect();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self { vars, cwd }
    }

    /// An environment with only the given variables, for tests.
    pub fn fake<I, K, V>(cwd: impl Into<PathBuf>, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        Self {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            cwd: cwd.into(),
        }
    }

    /// The value of `key` if it is set, valid UTF-8 and not empty.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .and_then(|v| v.to_str())
            .filter(|v| !v.is_empty())
    }

    /// The raw value of `key` if it is set and not empty.
    pub fn var_os(&self, key: &str) -> Option<&OsString> {
        self.vars.get(key).filter(|v| !v.is_empty())
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
        self.vars.keys().map(String::as_str)
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    pub fn with_cwd(mut self, cwd: impl Into<PathBuf>) -> Self {
        self.cwd = cwd.into();
        self
    }

    pub fn set(&mut self, key: impl Into<String>, value: impl Into<OsString>) {
        self.vars.insert(key.into(), value.into());
    }

    pub fn remove(&mut self, key: &str) {
        self.vars.remove(key);
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.path_var("HOME")
            .or_else(|| self.path_var("USERPROFILE"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
