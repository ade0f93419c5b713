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

    /// GOX_CONFIG: gox's config file (not written unless a test writes it).
    pub fn config(&self) -> PathBuf {
        self.root.path().join("config.toml")
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
            .env("GOX_CONFIG", self.config())
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

/// Toolchains installed once per `target/` into a template GOX_HOME (by the real `gox
/// install`, serialized by gox's own per-toolchain lock), then hard-linked into each
/// world: tests get real toolchains in milliseconds instead of re-extracting 250 MB.
fn template_home() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gox-template-home")
}

impl World {
    /// Makes `version` for `platform` ("linux/amd64") installed in this world.
    pub fn with_toolchain(&self, version: &str, platform: &str) -> &Self {
        let name = format!("go{version}.{}", platform.replace('/', "-"));
        let template = template_home().join("toolchains").join(&name);
        if !template.join(".gox-receipt.json").is_file() {
            let server = fixtures().mirror().start();
            let out = Command::new(env!("CARGO_BIN_EXE_gox"))
                .env_clear()
                .env("HOME", self.root.path().join("user"))
                .env("GOX_HOME", template_home())
                .env("GOX_CACHE_DIR", template_home().join("cache"))
                .env("GOX_CONFIG", template_home().join("none.toml"))
                .env("GOX_FEED_URL", server.feed_url())
                .env("GOX_DOWNLOAD_BASE", server.download_base())
                .args(["install", "--quiet", version, "--platform", platform])
                .output()
                .expect("run gox install for the template");
            assert!(out.status.success(), "template install: {}", describe(&out));
        }
        link_tree(&template, &self.toolchains().join(&name));
        self
    }

    /// The shim directory after a real `gox setup`.
    pub fn setup_shims(&self) -> PathBuf {
        ensure_shim_built();
        let out = self.run(["setup", "--shell", "bash"]);
        assert!(out.status.success(), "gox setup: {}", describe(&out));
        self.home().join("shims")
    }

    /// A command running the `go` shim in `dir` (relative to projects/), with the shims
    /// first on PATH as `gox setup` tells users to arrange.
    pub fn go(&self, dir: &str) -> Command {
        self.shim("go", dir)
    }

    pub fn shim(&self, tool: &str, dir: &str) -> Command {
        let shims = self.home().join("shims");
        let mut cmd = Command::new(shims.join(tool));
        self.apply_env(&mut cmd);
        let path = std::env::join_paths(std::iter::once(shims).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        let cwd = self.projects().join(dir);
        std::fs::create_dir_all(&cwd).expect("mkdir");
        cmd.env("PATH", path).current_dir(cwd);
        cmd
    }

    /// `go version` through the shim in `dir`: the version word, e.g. `go1.22.10`.
    pub fn go_version(&self, dir: &str) -> String {
        let out = self.go(dir).arg("version").output().expect("run go shim");
        assert!(
            out.status.success(),
            "go version in {dir}: {}",
            describe(&out)
        );
        stdout(&out)
            .split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string()
    }
}

/// `cp -al`: directories are created, files hard-linked.
pub fn link_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read template") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            link_tree(&src, &dst);
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&src).expect("readlink");
            #[cfg(unix)]
            std::os::unix::fs::symlink(target, &dst).expect("symlink");
        } else {
            std::fs::hard_link(&src, &dst)
                .or_else(|_| std::fs::copy(&src, &dst).map(|_| ()))
                .expect("link");
        }
    }
}

/// A test whose tool is missing here (busybox, shellcheck, tree-sitter) says so and passes;
/// under `.ci/run`, which installs them all and sets `GOX_TEST_REQUIRE_TOOLS=1`, a missing
/// tool fails the test instead, so CI cannot go green without running it.
pub fn skip_for_missing_tool(reason: &str) {
    assert!(
        std::env::var_os("GOX_TEST_REQUIRE_TOOLS").is_none(),
        "{reason}; GOX_TEST_REQUIRE_TOOLS is set (.ci/run installs every tool the tests use)"
    );
    eprintln!("SKIPPED: {reason}");
}

/// `gox setup` copies gox-shim from next to gox. `cargo test` builds only the tested
/// package's binaries, so the README test command runs `cargo build --workspace --bins`
/// first (a test cannot build it: cargo holds the build lock while tests run).
pub fn ensure_shim_built() {
    let gox = PathBuf::from(env!("CARGO_BIN_EXE_gox"));
    let shim = gox.with_file_name(format!("gox-shim{}", std::env::consts::EXE_SUFFIX));
    assert!(
        shim.is_file(),
        "{} is missing: run `cargo build --workspace --bins` first (the README test command does)",
        shim.display()
    );
}

/// A plain Go (the 1.27.3 fixture, not managed by gox), extracted once per `target/`: the
/// "system Go, IDE's bundled Go or CI's setup-go" that switches toolchains by itself.
/// Returns its `bin/go`.
pub fn plain_go() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plain-go1.27.3");
    let go = root.join("go").join("bin").join("go");
    if go.is_file() {
        return go;
    }
    let archive = fixtures().archive("1.27.3", "linux/amd64");
    let tmp = tempfile::Builder::new()
        .prefix(".plain-go-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir");
    let file = std::fs::File::open(&archive.path).expect("open fixture");
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(tmp.path())
        .expect("extract plain go");
    // Another test may have won the race; either copy is complete.
    let kept = tmp.keep();
    if std::fs::rename(&kept, &root).is_err() {
        let _ = std::fs::remove_dir_all(&kept);
    }
    assert!(go.is_file(), "{} missing after extraction", go.display());
    go
}

/// Runs a command, asserts success, and returns its stdout lines.
pub fn ok_lines(cmd: &mut Command) -> Vec<String> {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", describe(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

/// Each `write` the command makes to its stderr, as written: a pipe in packet mode
/// (`O_DIRECT`) keeps write boundaries, so one read returns one write.
#[cfg(target_os = "linux")]
pub fn stderr_writes(cmd: &mut Command) -> Vec<String> {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    assert_eq!(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_DIRECT | libc::O_CLOEXEC) },
        0
    );
    // SAFETY: pipe2 succeeded: both descriptors are open and owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::from(write))
        .spawn()
        .unwrap();
    // Dropping the Command's copy of the write end leaves the child's the only one: reads
    // end at EOF once it exits.
    cmd.stderr(std::process::Stdio::null());
    let mut pipe = std::fs::File::from(read);
    let mut writes = Vec::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = pipe.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        writes.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    child.wait().unwrap();
    writes
}

/// (path, bytes) of every file directly in `dirs`, sorted: compare two of them to prove that
/// a refused operation changed nothing.
pub fn snapshot(dirs: &[&Path]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).unwrap_or_default();
            files.push((path.display().to_string(), bytes));
        }
    }
    files
}
