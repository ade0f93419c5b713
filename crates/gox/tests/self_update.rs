//! `gox self update` / `gox self uninstall` through real binaries: the static musl gox of a
//! real `cargo xtask dist --version 0.0.1` updates itself to a real `--version 9.9.9` dist
//! and to hand-made, signed dists on 127.0.0.1; edited, truncated and wrong-CPU releases
//! are refused with the old binaries byte-for-byte intact.
//!
//! Both dists come from gox_testkit::musl_dist, cached across runs; tests/dist.rs uses the
//! 0.0.1 one too. Building them is one release build each with warm dependencies, where the
//! stamped debug builds these tests used before needed a cold target directory of their own.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use gox_installer::self_update::target_for;
use gox_testkit::dist::{HandMadeDist, ReleaseTarget, load_key};
use gox_testkit::{Fault, MirrorServer, fixtures};
use sha2::{Digest, Sha256};
use support::{World, describe, stderr, stdout};

const OLD: &str = "0.0.1";
const NEW: &str = "9.9.9";

struct Builds {
    key: minisign::KeyPair,
    /// The real dists of [`OLD`] and [`NEW`].
    old_dist: gox_testkit::Dist,
    new_dist: gox_testkit::Dist,
    /// `<version>` → dir holding the `gox` and `gox-shim` of that real dist.
    dir: PathBuf,
}

impl Builds {
    fn bin(&self, version: &str, name: &str) -> PathBuf {
        self.dir.join(version).join(name)
    }
}

/// The real dists of [`OLD`] and [`NEW`], signed with the shared test key, and their
/// binaries unpacked.
fn builds() -> &'static Builds {
    static BUILDS: OnceLock<Builds> = OnceLock::new();
    BUILDS.get_or_init(|| {
        let key_file = gox_testkit::test_key_file();
        let old_dist = gox_testkit::musl_dist(OLD, &key_file);
        let new_dist = gox_testkit::musl_dist(NEW, &key_file);
        // Unpacked afresh by every test process from the dists just checked, so never stale.
        let dir = gox_testkit::dist::dist_cache_dir().join("selfupdate-e2e");
        for dist in [&old_dist, &new_dist] {
            unpack(dist, &dir.join(&dist.version));
        }
        Builds {
            key: load_key(&old_dist.key_file, &old_dist.public_key),
            old_dist,
            new_dist,
            dir,
        }
    })
}

/// `gox` and `gox-shim` of `dist`'s archive into `to`, each written whole and renamed into
/// place (another test process may be reading the previous copy).
fn unpack(dist: &gox_testkit::Dist, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in ["gox", "gox-shim"] {
        let staged = to.join(format!(".{name}.{}", std::process::id()));
        std::fs::write(&staged, shipped(dist, name)).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&staged, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        std::fs::rename(&staged, to.join(name)).unwrap();
    }
}

/// A file of `dist`'s archive, by name.
fn shipped(dist: &gox_testkit::Dist, name: &str) -> Vec<u8> {
    let top = dist.archive_name().trim_end_matches(".tar.gz").to_string();
    tar_gz_member(&dist.archive(), &format!("{top}/{name}"))
}

/// The member at `path` of the .tar.gz `archive`.
fn tar_gz_member(archive: &Path, path: &str) -> Vec<u8> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut entry = tar
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|e| e.path().unwrap() == Path::new(path))
        .unwrap_or_else(|| panic!("no {path} in {}", archive.display()));
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn host_target() -> &'static str {
    target_for(&gox_core::Platform::build_target()).expect("a release target for this host")
}

/// A hand-made dist for this host, signed with `key`.
fn hand_made(key: &minisign::KeyPair, version: &str, gox: &[u8], shim: &[u8]) -> HandMadeDist {
    let platform = gox_core::Platform::build_target();
    let target = ReleaseTarget {
        triple: host_target(),
        os: platform.os(),
        arch: platform.arch(),
    };
    let members: [(&str, &[u8]); 3] = [("gox", gox), ("gox-shim", shim), ("README.md", b"gox")];
    HandMadeDist::new(key, version, target, &members)
}

/// The 9.9.9 release. Its gox-shim gets a marker appended (an ELF runs the same with
/// trailing bytes) because the shim does not embed the version: without it the test
/// could not tell the new shim from the old.
fn release(b: &Builds) -> HandMadeDist {
    let gox = std::fs::read(b.bin(NEW, "gox")).unwrap();
    hand_made(&b.key, NEW, &gox, &new_shim_bytes(b))
}

fn new_shim_bytes(b: &Builds) -> Vec<u8> {
    let mut shim = std::fs::read(b.bin(NEW, "gox-shim")).unwrap();
    shim.extend_from_slice(b"\0gox-shim 9.9.9 marker\0");
    shim
}

/// Runs a binary this process has just written. Another test thread that forks while the
/// file is still open for writing holds that descriptor until its child execs, and the
/// kernel refuses to run a file open for writing (ETXTBSY); the window is microseconds, so
/// a few retries always get through.
fn output_of_fresh_binary(cmd: &mut Command) -> Output {
    for _ in 0..100 {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result.expect("run the installed gox"),
        }
    }
    panic!("{cmd:?} stayed busy (ETXTBSY) for a second")
}

/// An installed gox 0.0.1 in `<world>/bin`, with shims made by its own `gox setup` (hard
/// links) plus a `go1.22.10` copy, as a `goX.Y.Z` shim would be.
struct Installed {
    world: World,
}

impl Installed {
    fn new(b: &Builds) -> Self {
        let world = World::with_mirror(fixtures().mirror());
        let bin = world.root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for name in ["gox", "gox-shim"] {
            std::fs::copy(b.bin(OLD, name), bin.join(name)).unwrap();
        }
        let installed = Installed { world };
        let out = installed.gox(None, &["setup", "--shell", "bash"]);
        assert!(out.status.success(), "setup: {}", describe(&out));
        let shims = installed.shims();
        std::fs::copy(bin.join("gox-shim"), shims.join("go1.22.10")).unwrap();
        installed
    }

    fn bin(&self) -> PathBuf {
        self.world.root.path().join("bin")
    }

    /// The (updated) `go` shim runs real Go 1.22.10.
    fn assert_shims_run_go(&self) {
        self.world.with_toolchain("1.22.10", "linux/amd64");
        let out = self
            .world
            .go("p")
            .arg("version")
            .env("GOX_VERSION", "1.22.10")
            .output()
            .unwrap();
        assert!(stdout(&out).contains("go1.22.10"), "{}", describe(&out));
    }

    fn shims(&self) -> PathBuf {
        self.world.home().join("shims")
    }

    fn gox(&self, base: Option<&MirrorServer>, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.bin().join("gox"));
        self.world.apply_env(&mut cmd);
        if let Some(server) = base {
            cmd.env("GOX_UPDATE_BASE", server.download_base());
        }
        cmd.args(args).stdin(Stdio::null());
        output_of_fresh_binary(&mut cmd)
    }

    fn version(&self) -> String {
        let out = self.gox(None, &["--version"]);
        assert!(out.status.success(), "{}", describe(&out));
        stdout(&out).trim().to_string()
    }

    /// (path, bytes) of the binaries and every shim, to compare before/after.
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        support::snapshot(&[&self.bin(), &self.shims()])
    }
}

/// The issue's own path: a gox 0.0.1 from `cargo xtask dist --version 0.0.1` updates itself
/// from the real `cargo xtask dist --version 9.9.9`, byte for byte.
#[test]
fn updates_from_the_real_cargo_xtask_dist() {
    let b = builds();
    let installed = Installed::new(b);
    assert_eq!(installed.version(), format!("gox {OLD}"));
    let dist = &b.new_dist;
    let server = dist.mirror().start();
    // A user's own script under a shim's name, as docs/self-update.md describes: kept.
    let script = "#!/bin/sh\nexec /opt/go-tip/bin/go \"$@\"\n";
    let users = installed.shims().join("go1.99.0");
    std::fs::write(&users, script).unwrap();
    // Man pages where install.sh puts them for <world>/bin: the old release's, one page
    // the new release no longer has, and a user's own page with a gox-like name.
    let man1 = installed.bin().parent().unwrap().join("share/man/man1");
    std::fs::create_dir_all(&man1).unwrap();
    for page in ["gox.1", "gox-install.1"] {
        let old = shipped(&b.old_dist, &format!("man/{page}"));
        assert!(String::from_utf8_lossy(&old).contains(OLD), "{page}");
        std::fs::write(man1.join(page), old).unwrap();
    }
    std::fs::write(man1.join("gox-gone.1"), ".TH gox-gone 1 \"gone 0.0.1\"\n").unwrap();
    std::fs::write(man1.join("gox-notes.1"), "my notes\n").unwrap();
    let out = installed.gox(Some(&server), &["self", "update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("from {OLD} to {NEW}")),
        "{}",
        describe(&out)
    );
    // Every page of the new release, the stale one gone, the user's kept.
    let pages = gox_testkit::entry_names(&man1);
    assert!(!pages.contains(&"gox-gone.1".to_string()), "{pages:?}");
    assert!(pages.contains(&"gox-notes.1".to_string()), "{pages:?}");
    for page in ["gox.1", "gox-install.1", "gox-self-update.1"] {
        assert!(
            std::fs::read(man1.join(page)).unwrap() == shipped(dist, &format!("man/{page}")),
            "{page} is not the new release's"
        );
    }
    assert!(
        stderr(&out).contains(&format!(
            "refreshed {} man pages in {}",
            pages.len() - 1,
            man1.display()
        )),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(&users).unwrap(), script);
    assert!(
        describe(&out).contains(&format!("kept {} (not a gox shim)", users.display())),
        "{}",
        describe(&out)
    );
    assert_eq!(installed.version(), format!("gox {NEW}"));
    // The shipped binaries, byte for byte: the static musl gox and gox-shim of the archive,
    // and every shim is that gox-shim. (The two releases' shims are identical, since the
    // shim embeds no version; `update_downgrade_and_uninstall` tells them apart.)
    assert!(std::fs::read(installed.bin().join("gox")).unwrap() == shipped(dist, "gox"));
    let shim = shipped(dist, "gox-shim");
    for name in ["gox-shim", "go", "gofmt", "go1.22.10"] {
        let dir = if name == "gox-shim" {
            installed.bin()
        } else {
            installed.shims()
        };
        assert!(
            std::fs::read(dir.join(name)).unwrap() == shim,
            "{name} is not the shipped gox-shim"
        );
    }
    // The shipped static shim runs real Go.
    installed.assert_shims_run_go();
    // `gox setup` (install.sh runs it) keeps the user's script too, and leaves no
    // temporary names (1.22.10 is installed now, so its `go1.22.10` name stays).
    for _ in 0..2 {
        let out = installed.gox(None, &["setup"]);
        assert!(out.status.success(), "{}", describe(&out));
    }
    assert_eq!(std::fs::read_to_string(&users).unwrap(), script);
    let mut names: Vec<String> = std::fs::read_dir(installed.shims())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // `.gox`: the link to gox the Linux shims run as their planner.
    assert_eq!(names, [".gox", "go", "go1.22.10", "go1.99.0", "gofmt"]);

    // Uninstall takes gox's man pages along and leaves the user's.
    let out = installed.gox(None, &["self", "uninstall", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(gox_testkit::entry_names(&man1), ["gox-notes.1"]);
}

#[test]
fn update_downgrade_and_uninstall() {
    let b = builds();
    let installed = Installed::new(b);
    assert_eq!(installed.version(), format!("gox {OLD}"));
    let dist = release(b);
    let server = dist.serve(&[]);

    let before = installed.snapshot();
    let out = installed.gox(Some(&server), &["self", "update", "--check"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("gox 9.9.9 is available"),
        "{}",
        describe(&out)
    );
    assert!(installed.snapshot() == before, "--check changed files");

    let out = installed.gox(Some(&server), &["self", "update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("from 0.0.1 to 9.9.9"),
        "{}",
        describe(&out)
    );
    assert_eq!(installed.version(), format!("gox {NEW}"));
    let new_shim = new_shim_bytes(b);
    assert!(std::fs::read(installed.bin().join("gox-shim")).unwrap() == new_shim);
    for shim in ["go", "gofmt", "go1.22.10"] {
        let bytes = std::fs::read(installed.shims().join(shim)).unwrap();
        assert!(bytes == new_shim, "{shim} is not the new gox-shim");
    }
    let mut names: Vec<String> = std::fs::read_dir(installed.bin())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["gox", "gox-shim"], "staging left behind");

    // The updated shim runs real Go.
    installed.assert_shims_run_go();

    let out = installed.gox(Some(&server), &["self", "update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("already up to date"),
        "{}",
        describe(&out)
    );

    // A base serving the older 0.0.1: refused unless named.
    let old = hand_made(
        &b.key,
        OLD,
        &std::fs::read(b.bin(OLD, "gox")).unwrap(),
        &std::fs::read(b.bin(OLD, "gox-shim")).unwrap(),
    );
    let old_server = old.serve(&[]);
    let before = installed.snapshot();
    let out = installed.gox(Some(&old_server), &["self", "update"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("refusing to downgrade"),
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("--version 0.0.1"),
        "{}",
        describe(&out)
    );
    assert!(
        installed.snapshot() == before,
        "a refused downgrade changed files"
    );
    // `--check --version` names the command that really downgrades.
    let out = installed.gox(
        Some(&old_server),
        &["self", "update", "--check", "--version", OLD],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("`gox self update --version 0.0.1`"),
        "{}",
        describe(&out)
    );
    // A malformed --version is a usage error, before any request.
    let hits = old_server.requests().len();
    for bad in ["../x", ""] {
        let out = installed.gox(Some(&old_server), &["self", "update", "--version", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", describe(&out));
    }
    assert_eq!(
        old_server.requests().len(),
        hits,
        "--version went to the network"
    );
    assert!(
        installed.snapshot() == before,
        "a refused --version changed files"
    );
    // --quiet: only errors.
    let out = installed.gox(
        Some(&old_server),
        &["--quiet", "self", "update", "--version", OLD],
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(stdout(&out), "", "{}", describe(&out));
    assert_eq!(stderr(&out), "", "{}", describe(&out));
    assert_eq!(installed.version(), format!("gox {OLD}"));

    // Uninstall: refuses without a terminal or --yes, then removes binaries and shims only.
    let out = installed.gox(None, &["self", "uninstall"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("--yes"), "{}", describe(&out));
    assert!(installed.bin().join("gox").exists());
    let out = installed.gox(None, &["self", "uninstall", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    for path in [
        installed.bin().join("gox"),
        installed.bin().join("gox-shim"),
        installed.shims().join("go"),
        installed.shims().join("go1.22.10"),
    ] {
        assert!(!path.exists(), "{} still there", path.display());
        assert!(
            stdout(&out).contains(&path.display().to_string()),
            "{}",
            describe(&out)
        );
    }
    assert!(
        installed
            .world
            .goroot("1.22.10", "linux/amd64")
            .join("bin/go")
            .is_file()
    );
}

/// Each broken release is refused, names the problem, and leaves every byte as it was.
#[test]
fn broken_releases_leave_the_old_binaries_intact() {
    let b = builds();
    let installed = Installed::new(b);
    let before = installed.snapshot();
    let refused = |dist: &HandMadeDist, faults: &[(&str, Fault)], expect: &str| {
        let server = dist.serve(faults);
        let out = installed.gox(Some(&server), &["self", "update"]);
        assert_eq!(out.status.code(), Some(1), "{expect}: {}", describe(&out));
        assert!(
            stderr(&out).contains(expect),
            "{expect}: {}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains("nothing was changed"),
            "{}",
            describe(&out)
        );
        assert!(installed.snapshot() == before, "{expect}: files changed");
    };

    let mut edited = release(b);
    let sha = sha256(&edited.files[3].1);
    let manifest = edited.get_mut("manifest.json");
    let text = String::from_utf8(manifest.clone()).unwrap();
    // Point the signed manifest at another archive (one an attacker would serve).
    *manifest = text.replace(&sha, &"0".repeat(64)).into_bytes();
    refused(&edited, &[], "valid signature");

    let truncated = release(b);
    let name = truncated.archive.clone();
    refused(&truncated, &[(&name, Fault::DropAfter(4096))], &name);

    // A correctly signed release whose binaries are for another CPU: the arm64 `gofmt` of
    // the linux/arm64 Go fixture stands in for an aarch64 gox.
    let foreign = foreign_elf();
    let wrong_cpu = hand_made(&b.key, NEW, &foreign, &foreign);
    refused(&wrong_cpu, &[], "does not run natively");

    assert_eq!(installed.version(), format!("gox {OLD}"));
}

/// Ctrl-C (or SIGTERM) while the new release downloads: gox exits 130 (143), the old binaries
/// and shims are byte-identical, and no staging directory or partial file is left in the
/// install dir (DESIGN.md: "SIGINT/SIGTERM clean up").
#[cfg(unix)]
#[test]
fn a_signal_during_the_download_leaves_nothing_behind() {
    let b = builds();
    let installed = Installed::new(b);
    let before = installed.snapshot();
    let dist = release(b);
    // The archive's first 64 KiB arrive, then the server goes silent: gox waits mid-download.
    let server = dist.serve(&[(&dist.archive, Fault::StallAfter(64 * 1024))]);
    let staging_dirs = || {
        std::fs::read_dir(installed.bin())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".gox-update-"))
            .collect::<Vec<_>>()
    };
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let mut cmd = Command::new(installed.bin().join("gox"));
        installed.world.apply_env(&mut cmd);
        cmd.env("GOX_UPDATE_BASE", server.download_base())
            .args(["self", "update"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        // Bounded wait for the partial download to appear in the staging dir.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !staging_dirs().iter().any(|d| {
            std::fs::read_dir(installed.bin().join(d)).is_ok_and(|mut e| {
                e.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().ends_with(".part")))
            })
        }) {
            assert!(std::time::Instant::now() < deadline, "no download started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
        assert!(stderr(&out).contains("interrupted"), "{}", describe(&out));
        assert!(staging_dirs().is_empty(), "left: {:?}", staging_dirs());
        assert!(installed.snapshot() == before, "files changed");
    }
    assert_eq!(installed.version(), format!("gox {OLD}"));
}

/// A real executable for a CPU other than the host's, from the Go fixtures.
fn foreign_elf() -> Vec<u8> {
    let platform = if gox_core::Platform::build_target().arch() == "arm64" {
        "linux/amd64"
    } else {
        "linux/arm64"
    };
    tar_gz_member(
        &fixtures().archive("1.22.10", platform).path,
        "go/bin/gofmt",
    )
}

/// The shims cannot be refreshed (a directory sits where the new shim is staged, which
/// fails for root too): gox itself is updated, and the command fails with the fix.
#[test]
fn a_shim_refresh_failure_is_an_error() {
    let b = builds();
    let installed = Installed::new(b);
    std::fs::create_dir_all(installed.shims().join("go.gox-new/x")).unwrap();
    let server = release(b).serve(&[]);
    let out = installed.gox(Some(&server), &["self", "update"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("gox was updated from 0.0.1 to 9.9.9") && err.contains("`gox setup`"),
        "{}",
        describe(&out)
    );
    assert_eq!(installed.version(), format!("gox {NEW}"));
}

/// `self uninstall --all` with GOX_HOME and GOX_CACHE_DIR shared with other data, a user's
/// script among the shims, a symlinked shim, and gox run through a symlink on PATH: only
/// what gox owns goes, and the rest is listed as kept.
#[cfg(unix)]
#[test]
fn uninstall_removes_only_what_gox_owns() {
    let b = builds();
    let installed = Installed::new(b);
    let home = installed.world.home();
    let cache = installed.world.cache();
    std::fs::create_dir_all(home.join("docs")).unwrap();
    std::fs::write(home.join("docs/thesis.txt"), "years of work").unwrap();
    std::fs::create_dir_all(cache.join("other-app")).unwrap();
    std::fs::write(cache.join("other-app/state"), "x").unwrap();
    std::fs::create_dir_all(cache.join("downloads")).unwrap();
    std::fs::create_dir_all(home.join("toolchains/go1.22.10.linux-amd64/bin")).unwrap();
    std::fs::write(home.join("default"), "1.22.10\n").unwrap();
    let shims = installed.shims();
    std::fs::write(shims.join("go1.99.0"), "#!/bin/sh\necho mine\n").unwrap();
    std::os::unix::fs::symlink(installed.bin().join("gox-shim"), shims.join("go1.21.13")).unwrap();
    // gox on PATH through links, as `ln -s /opt/gox/gox ~/bin/gox` makes.
    let links = installed.world.root.path().join("links");
    std::fs::create_dir_all(&links).unwrap();
    for name in ["gox", "gox-shim"] {
        std::os::unix::fs::symlink(installed.bin().join(name), links.join(name)).unwrap();
    }
    // A startup file with the PATH line `gox setup` printed.
    let user = installed.world.root.path().join("user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join(".bashrc"),
        format!("export PATH=\"{}:$PATH\"\n", shims.display()),
    )
    .unwrap();
    // `gox setup --sdk` links beside a golang.org/dl download of the user's.
    let sdk = user.join("sdk");
    std::fs::create_dir_all(sdk.join("go1.21.0/bin")).unwrap();
    std::os::unix::fs::symlink(
        home.join("toolchains/go1.22.10.linux-amd64"),
        sdk.join("go1.22.10"),
    )
    .unwrap();

    // A config file this gox cannot read (a setting from a newer gox): it must not stand
    // in the way of removing gox, and it is the user's, so it stays.
    let config = installed.world.root.path().join("config.toml");
    std::fs::write(&config, "from_a_newer_gox = true\n").unwrap();

    let mut cmd = Command::new(links.join("gox"));
    installed.world.apply_env(&mut cmd);
    let path = std::env::join_paths(std::iter::once(links.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = cmd
        .env("PATH", path)
        .args(["self", "uninstall", "--all", "--yes"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        stderr(&out).contains("unknown setting"),
        "{}",
        describe(&out)
    );
    assert!(config.is_file());

    assert_eq!(
        std::fs::read_to_string(home.join("docs/thesis.txt")).unwrap(),
        "years of work"
    );
    assert!(cache.join("other-app/state").is_file());
    assert_eq!(
        std::fs::read_to_string(shims.join("go1.99.0")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    for gone in [
        home.join("toolchains"),
        home.join("default"),
        cache.join("downloads"),
        shims.join("go"),
        shims.join("go1.22.10"),
        shims.join("go1.21.13"),
        installed.bin().join("gox"),
        installed.bin().join("gox-shim"),
        links.join("gox"),
        links.join("gox-shim"),
        sdk.join("go1.22.10"),
    ] {
        assert!(
            std::fs::symlink_metadata(&gone).is_err(),
            "{} still there\n{}",
            gone.display(),
            describe(&out)
        );
    }
    for line in [
        // shims/ holds the user's script, so it stays, and GOX_HOME with it.
        format!("kept {} (not empty: docs/, shims/)", home.display()),
        format!("kept {} (not empty: other-app/)", cache.display()),
        format!("kept {} (not empty: go1.21.0/)", sdk.display()),
        format!("kept {} (not a gox shim)", shims.join("go1.99.0").display()),
        format!("{}:1:", user.join(".bashrc").display()),
    ] {
        assert!(text.contains(&line), "no {line:?} in\n{}", describe(&out));
    }
}

/// On a terminal `self uninstall` lists what would go and asks. Anything but `y` removes
/// nothing and exits 1 (so `gox self uninstall && …` stops); `y` removes. The terminal is a
/// pseudo-terminal from util-linux `script` (Debian: bsdutils, always installed).
#[cfg(unix)]
#[test]
fn the_uninstall_prompt_on_a_terminal() {
    let world = World::new();
    let bin = world.root.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    support::ensure_shim_built();
    let built = PathBuf::from(env!("CARGO_BIN_EXE_gox"));
    for name in ["gox", "gox-shim"] {
        std::fs::copy(built.with_file_name(name), bin.join(name)).unwrap();
    }
    let mut setup = Command::new(bin.join("gox"));
    world.apply_env(&mut setup);
    let out = output_of_fresh_binary(setup.args(["setup", "--shell", "bash"]));
    assert!(out.status.success(), "setup: {}", describe(&out));

    let on_a_terminal = |answer: &str| {
        let mut cmd = Command::new("script");
        world.apply_env(&mut cmd);
        let mut child = cmd
            .args(["--quiet", "--return", "--command"])
            .arg(format!("'{}' self uninstall", bin.join("gox").display()))
            .arg("/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run script (util-linux)");
        std::io::Write::write_all(
            child.stdin.as_mut().unwrap(),
            format!("{answer}\n").as_bytes(),
        )
        .unwrap();
        child.wait_with_output().unwrap()
    };
    for answer in ["n", "", "maybe"] {
        let out = on_a_terminal(answer);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{answer:?}: {}", describe(&out));
        assert!(
            text.contains("gox self uninstall will remove:")
                && text.contains(&bin.join("gox").display().to_string())
                && text.contains("continue? [y/N]")
                && text.contains("nothing was removed"),
            "{answer:?}: {}",
            describe(&out)
        );
        assert!(bin.join("gox").is_file() && bin.join("gox-shim").is_file());
        assert!(world.home().join("shims/go").is_file());
    }
    let out = on_a_terminal("y");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(&format!("removed {}", bin.join("gox").display())),
        "{}",
        describe(&out)
    );
    assert!(!bin.join("gox").exists() && !bin.join("gox-shim").exists());
    assert!(!world.home().join("shims/go").exists());
}

/// A full disk under the install dir, for real: a tmpfs mounted over it in a private user
/// and mount namespace (`unshare`, util-linux), sized so that the download does not fit,
/// then so that it fits but unpacking the new gox does not. Both times the update stops
/// with the full-disk fix (never "the release is broken"), and the old binaries, the shims
/// and the directory are exactly as before.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_everything_as_it_was() {
    let b = builds();
    // Some hosts allow user namespaces but not mounts in them (Ubuntu's AppArmor
    // restriction): the probe mounts a tmpfs too.
    let probe_dir = tempfile::tempdir().unwrap();
    let probe = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "mount",
            "-t",
            "tmpfs",
            "probe",
        ])
        .arg(probe_dir.path())
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED: no tmpfs mount in a user namespace here (unshare --user --map-root-user --mount): {probe:?}"
        );
        return;
    }
    let size = |p: PathBuf| std::fs::metadata(p).unwrap().len();
    let old = size(b.bin(OLD, "gox")) + size(b.bin(OLD, "gox-shim"));
    let archive = size(b.new_dist.archive());
    let server = b.new_dist.mirror().start();
    for (room, fails_at) in [(archive / 2, "download"), (archive + (1 << 20), "unpack")] {
        let world = World::new();
        let bin = world.root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let script = r#"
            set -e
            mount -t tmpfs -o "size=$((SIZE / 1024))k" tmpfs "$BIN"
            cp "$OLD_DIR/gox" "$OLD_DIR/gox-shim" "$BIN/"
            "$BIN/gox" setup --shell bash >/dev/null
            before=$(sha256sum "$BIN/gox" "$BIN/gox-shim" "$SHIMS/go" "$SHIMS/gofmt")
            set +e
            "$BIN/gox" self update
            echo "exit=$?"
            after=$(sha256sum "$BIN/gox" "$BIN/gox-shim" "$SHIMS/go" "$SHIMS/gofmt")
            [ "$before" = "$after" ] && echo "binaries unchanged"
            echo "left:" $(ls -A "$BIN")
        "#;
        let mut cmd = Command::new("unshare");
        world.apply_env(&mut cmd);
        let out = cmd
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
            .env("SIZE", (old + room).to_string())
            .env("BIN", &bin)
            .env("OLD_DIR", b.bin(OLD, "gox").parent().unwrap())
            .env("SHIMS", world.home().join("shims"))
            .env("GOX_UPDATE_BASE", server.download_base())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (text, err) = (stdout(&out), stderr(&out));
        assert!(out.status.success(), "{fails_at}: {}", describe(&out));
        assert!(text.contains("exit=1"), "{fails_at}: {}", describe(&out));
        assert!(
            err.contains("No space left on device")
                && err.contains("is full: free some space there")
                && err.contains("nothing was changed")
                && !err.contains("broken"),
            "{fails_at}: {}",
            describe(&out)
        );
        assert!(
            text.contains("binaries unchanged"),
            "{fails_at}: {}",
            describe(&out)
        );
        assert!(
            text.contains("left: gox gox-shim\n"),
            "{fails_at}: {}",
            describe(&out)
        );
    }
}
