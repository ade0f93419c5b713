//! The world a test builds: a private GOX_HOME/cache/config, a loopback mirror serving the
//! real Go fixtures, project directories, and the real `gox`/shim binaries to drive.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gox_testkit::{MirrorBuilder, MirrorServer, fixtures};

pub struct World {
    pub root: tempfile::TempDir,
    pub server: MirrorServer,
    /// The host gox is told it runs on (GOX_DEBUG_HOST).
    pub host: String,
}

impl World {
    /// A world whose mirror serves every fixture under its go.dev name and the fixture feed.
    pub fn new() -> Self {
        Self::with_mirror(fixtures().mirror())
    }

    pub fn with_mirror(mirror: MirrorBuilder) -> Self {
        let root = tempfile::Builder::new()
            .prefix("gox-test-")
            .tempdir()
            .expect("tempdir");
        for dir in ["home", "cache", "projects", "user"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        Self {
            root,
            server: mirror.start(),
            host: "linux/amd64".to_string(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    pub fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    pub fn projects(&self) -> PathBuf {
        self.root.path().join("projects")
    }

    pub fn toolchains(&self) -> PathBuf {
        self.home().join("toolchains")
    }

    pub fn goroot(&self, version: &str, platform: &str) -> PathBuf {
        self.toolchains()
            .join(format!("go{version}.{}", platform.replace('/', "-")))
    }

    /// Names in `toolchains/` that look like toolchains (not locks or staging leftovers).
    pub fn installed_dirs(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.toolchains())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("go"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Every entry in `toolchains/` (staging and trash dirs included).
    pub fn toolchains_entries(&self) -> Vec<String> {
        std::fs::read_dir(self.toolchains())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".lock"))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn downloads(&self) -> Vec<String> {
        std::fs::read_dir(self.cache().join("downloads"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A hermetic environment: nothing from the developer's own setup leaks in.
    pub fn apply_env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("HOME", self.root.path().join("user"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GOX_HOME", self.home())
            .env("GOX_CACHE_DIR", self.cache())
            .env("GOX_CONFIG", self.root.path().join("config.toml"))
            .env("GOX_FEED_URL", self.server.feed_url())
            .env("GOX_DOWNLOAD_BASE", self.server.download_base())
            .env("GOX_DEBUG_HOST", &self.host)
            .env("NO_COLOR", "1");
    }

    pub fn gox(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gox"));
        self.apply_env(&mut cmd);
        cmd.current_dir(self.projects());
        cmd
    }

    /// Runs gox with args and returns the output, asserting nothing.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.gox().args(args).output().expect("run gox")
    }

    /// Runs gox and asserts success, returning stdout.
    pub fn ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.run(args);
        assert!(out.status.success(), "gox failed: {}", describe(&out));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.projects().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }
}

pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A tar.gz whose entries are written with raw names, so hostile ones (`../x`) survive.
pub fn raw_tar_gz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.as_gnu_mut().expect("gnu header").name[..name.len()]
            .copy_from_slice(name.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, *data).expect("append");
    }
    tar.into_inner()
        .expect("finish tar")
        .finish()
        .expect("finish gzip")
}

pub fn path_of(p: &Path) -> String {
    p.display().to_string()
}
