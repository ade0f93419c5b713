//! The fast path's question, "could the answer have changed since last time?", answered
//! with `stat` calls only: no file is opened, no directory listed.
//!
//! The fingerprint covers everything [`select`](crate::select::select) and the toolchain
//! lookup depend on: the working directory; in it and every ancestor, each candidate file
//! (`.go-version`, `.tool-versions`, `go.work`, `go.mod`) present or absent, with its
//! modification time, size and inode; the file `GOWORK` names; Go's env file, where a
//! go.work file (not a directory) is found and `GOWORK` is unset (only then can its
//! `GOWORK` line count); the
//! system temp dir (whose go.mod the go command ignores); the global default file, the
//! config file and the toolchains directory (installing or removing a toolchain renames an
//! entry in it, which changes its modification time); the variables that steer selection
//! (`GOX_VERSION`, `GOWORK`, `GOX_DEBUG_HOST`, `GOX_ALLOW_ROSETTA`); the layout's
//! directories (so a changed `GOX_HOME` counts); and gox's own version.
//!
//! A file edited in place keeps its inode but not its modification time or size; a file
//! replaced by rename (as editors and `gox use` do) gets a new inode.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::layout::Layout;
use crate::select::{GO_MOD_FILE, GO_VERSION_FILE, GO_WORK_FILE, TOOL_VERSIONS_FILE};

/// Files looked for in the working directory and each ancestor.
const CANDIDATES: [&str; 4] = [
    GO_VERSION_FILE,
    TOOL_VERSIONS_FILE,
    GO_WORK_FILE,
    GO_MOD_FILE,
];

/// Variables whose value changes what is selected or whether it may run.
const WATCHED_VARS: [&str; 4] = [
    crate::select::GOX_VERSION,
    "GOWORK",
    "GOX_DEBUG_HOST",
    "GOX_ALLOW_ROSETTA",
];

/// The fingerprint of everything the hook's answer depends on, as 16 hex digits.
pub fn fingerprint(env: &Environment) -> String {
    let mut hash = Fnv::new();
    hash.bytes(concat!("gox ", env!("CARGO_PKG_VERSION")).as_bytes());
    hash.os(env.cwd().as_os_str());
    for var in WATCHED_VARS {
        match env.var_os(var) {
            Some(value) => hash.os(value),
            None => hash.bytes(b"\0unset"),
        }
    }
    match Layout::from_env(env) {
        Ok(layout) => {
            for path in [
                layout.default_file(),
                layout.config_file().to_path_buf(),
                layout.toolchains(),
            ] {
                hash.os(path.as_os_str());
                hash.stat(&path);
            }
            // The cache directory is part of what is exported (GOCACHE).
            hash.os(layout.cache().as_os_str());
        }
        Err(_) => hash.bytes(b"\0no layout"),
    }
    if let Some(file) = env.path_var("GOWORK").filter(|p| p.is_absolute()) {
        hash.stat(&file);
    }
    hash.os(crate::select::system_temp_dir(env).as_os_str());
    let mut probe = PathBuf::new();
    let mut work_found = false;
    for dir in env.cwd().ancestors() {
        for name in CANDIDATES {
            probe.clear();
            probe.push(dir);
            probe.push(name);
            let meta = hash.stat(&probe);
            // A go.work that is not a regular file (a directory) is no workspace to
            // selection (`probe_file`), so it brings Go's env file into play no more.
            work_found |= name == GO_WORK_FILE && meta.is_some_and(|m| m.is_file());
        }
    }
    // Selection reads Go's env file only for a go.work found up the tree with `GOWORK`
    // unset (`select`), so only then can the file change the answer: the usual prompt in a
    // go.mod-only project pays no `stat` for it.
    if work_found && env.var("GOWORK").is_none() {
        match crate::goenv::go_env_file(env, std::env::consts::OS) {
            Some(file) => {
                hash.os(file.as_os_str());
                hash.stat(&file);
            }
            None => hash.bytes(b"\0no go env file"),
        }
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a, 64 bits: deterministic across processes and builds (unlike std's hasher), and
/// plenty for telling "same inputs" from "something changed".
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// A value followed by a separator, so `("ab", "c")` and `("a", "bc")` differ.
    fn os(&mut self, value: &OsStr) {
        self.bytes(value.as_encoded_bytes());
        self.bytes(&[0xff]);
    }

    /// Hashes whether `path` exists and, if so, what identifies its content; returns
    /// its metadata (links followed) if it exists.
    fn stat(&mut self, path: &Path) -> Option<std::fs::Metadata> {
        match std::fs::metadata(path) {
            Ok(meta) => {
                self.bytes(&[1]);
                self.bytes(&meta.len().to_le_bytes());
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                self.bytes(&modified.to_le_bytes());
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    self.bytes(&meta.ino().to_le_bytes());
                    self.bytes(&meta.dev().to_le_bytes());
                }
                Some(meta)
            }
            Err(_) => {
                self.bytes(&[0]);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(root: &Path, cwd: &Path) -> Environment {
        Environment::fake(
            cwd,
            [
                ("GOX_HOME", root.join("home")),
                ("GOX_CACHE_DIR", root.join("cache")),
                ("GOX_CONFIG", root.join("config.toml")),
                ("GOENV", root.join("goenv")),
            ],
        )
    }

    /// A temporary root with `dirs` made in it, and the environment of a shell in `cwd`
    /// (also made) there.
    fn world(cwd: &str, dirs: &[&str]) -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        for made in dirs.iter().chain([&cwd]) {
            std::fs::create_dir_all(dir.path().join(made)).unwrap();
        }
        let env = env(dir.path(), &dir.path().join(cwd));
        (dir, env)
    }

    #[test]
    fn changes_exactly_when_an_input_changes() {
        let (dir, env) = world("p/a/b", &["home/toolchains"]);
        let root = dir.path();
        let cwd = env.cwd().to_path_buf();

        let first = fingerprint(&env);
        // Stable when nothing changed.
        assert_eq!(fingerprint(&env), first);
        let mut seen = vec![first];
        let mut expect_new = |why: &str, fp: String| {
            assert!(!seen.contains(&fp), "{why}: fingerprint did not change");
            seen.push(fp);
        };

        std::fs::write(root.join("p/go.mod"), "module x\n\ngo 1.22\n").unwrap();
        expect_new("go.mod appears two levels up", fingerprint(&env));
        std::fs::write(root.join("p/go.mod"), "module x\n\ngo 1.22.1\n").unwrap();
        expect_new("go.mod edited", fingerprint(&env));
        std::fs::write(cwd.join(".go-version"), "1.22.10\n").unwrap();
        expect_new(".go-version appears", fingerprint(&env));
        std::fs::write(root.join("tmp"), "1.21.13\n").unwrap();
        std::fs::rename(root.join("tmp"), cwd.join(".go-version")).unwrap();
        expect_new(".go-version replaced by rename", fingerprint(&env));
        std::fs::write(root.join("home/default"), "1.22\n").unwrap();
        expect_new("global default written", fingerprint(&env));
        std::fs::create_dir(root.join("home/toolchains/go1.23.0.linux-amd64")).unwrap();
        expect_new("toolchain installed", fingerprint(&env));
        expect_new(
            "another directory",
            fingerprint(&env.clone().with_cwd(root.join("p/a"))),
        );
        let mut pinned = env.clone();
        pinned.set("GOX_VERSION", "1.21.13");
        expect_new("GOX_VERSION set", fingerprint(&pinned));
        let mut other_home = env.clone();
        other_home.set("GOX_HOME", root.join("elsewhere"));
        expect_new("GOX_HOME changed", fingerprint(&other_home));
        // Go's env file counts only where a go.work is found and GOWORK is unset, as for
        // selection; elsewhere the prompt pays no `stat` for it.
        let without_work = fingerprint(&env);
        std::fs::write(root.join("goenv"), "GOWORK=off\n").unwrap();
        assert_eq!(
            fingerprint(&env),
            without_work,
            "no go.work: the env file is not read"
        );
        std::fs::write(root.join("p/go.work"), "go 1.22\n").unwrap();
        expect_new("go.work appears", fingerprint(&env));
        std::fs::write(root.join("goenv"), "GOWORK=auto\n").unwrap();
        expect_new("Go's env file written under a go.work", fingerprint(&env));
        let mut gowork_set = env.clone();
        gowork_set.set("GOWORK", "off");
        let with_variable = fingerprint(&gowork_set);
        std::fs::write(root.join("goenv"), "GOWORK=off\n").unwrap();
        assert_eq!(
            fingerprint(&gowork_set),
            with_variable,
            "GOWORK set: the env file is not read"
        );
        let mut other_tmp = env.clone();
        other_tmp.set("TMPDIR", root.join("p"));
        expect_new("TMPDIR changed", fingerprint(&other_tmp));

        // Unrelated files and variables do not count.
        let now = fingerprint(&env);
        std::fs::write(cwd.join("main.go"), "package main\n").unwrap();
        let mut unrelated = env.clone();
        unrelated.set("EDITOR", "vi");
        assert_eq!(fingerprint(&unrelated), now);
    }

    /// A directory named go.work is no workspace to selection, which then never reads Go's
    /// env file; so the env file does not count for the fingerprint either.
    #[test]
    fn a_go_work_directory_does_not_bring_in_go_s_env_file() {
        let (dir, env) = world("p/a", &["p/go.work"]);
        let before = fingerprint(&env);
        // Read by selection, this line would be an error (a relative GOWORK).
        std::fs::write(dir.path().join("goenv"), "GOWORK=relative/go.work\n").unwrap();
        let layout = Layout::from_env(&env).unwrap();
        assert!(matches!(crate::select::select(&env, &layout), Ok(None)));
        assert_eq!(
            fingerprint(&env),
            before,
            "Go's env file counted under a go.work directory"
        );
    }
}
