//! The release dist (`cargo xtask dist`) and `install.sh` / `install.ps1`, end to end: a
//! real static musl dist served on 127.0.0.1, installed by install.sh under dash and bash,
//! and the installed gox installing and running real Go (docs/install.md).
//!
//! The dist is built once per source state and shared (gox_testkit::musl_dist); a release
//! build takes minutes the first time.

#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod support;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gox_testkit::{Dist, MirrorServer, fixtures, musl_dist, test_key_file};
use support::{describe, stderr, stdout};

const VERSION: &str = "0.0.1";

/// What `gox setup` leaves in the shims dir on Linux: the two shims and the link to gox
/// that they run as their planner (docs/guide.md, "gox setup").
const SHIMS_DIR: [&str; 3] = [".gox", "go", "gofmt"];

fn dist() -> Dist {
    musl_dist(VERSION, &test_key_file())
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A scratch area for one install.sh run: HOME, TMPDIR, install dir, GOX_HOME.
struct Scratch {
    root: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("gox-dist-test-")
            .tempdir()
            .expect("tempdir");
        for dir in ["user", "tmp", "gox-home", "cache"] {
            fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        Self { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn bin(&self) -> PathBuf {
        self.path("bin")
    }

    /// `SHELL install.sh ARGS` with a hermetic environment; `path` replaces PATH.
    fn install_sh(&self, shell: &str, server: &MirrorServer, args: &[&str], path: &str) -> Output {
        self.install_sh_with(shell, &server.download_base(), args, path, &[])
    }

    /// [`Scratch::install_sh`] with GOX_INSTALL_BASE = `base` and extra variables.
    fn install_sh_with(
        &self,
        shell: &str,
        base: &str,
        args: &[&str],
        path: &str,
        env: &[(&str, &str)],
    ) -> Output {
        self.install_sh_cmd(shell, base, args, path)
            .envs(env.iter().copied())
            .output()
            .expect("run install.sh")
    }

    /// The command [`Scratch::install_sh_with`] runs, for a test to change further
    /// (remove a variable, set the working directory).
    fn install_sh_cmd(&self, shell: &str, base: &str, args: &[&str], path: &str) -> Command {
        let mut cmd = Command::new(shell);
        cmd.arg(dist().dir.join("install.sh")).args(args);
        self.install_env(&mut cmd, base, path);
        cmd
    }

    /// The hermetic environment install.sh runs in: only these variables.
    fn install_env(&self, cmd: &mut Command, base: &str, path: &str) {
        cmd.env_clear()
            .env("HOME", self.path("user"))
            .env("TMPDIR", self.path("tmp"))
            .env("PATH", path)
            .env("SHELL", "/bin/bash")
            .env("GOX_INSTALL_BASE", base)
            .env("GOX_INSTALL_DIR", self.bin())
            .env("GOX_HOME", self.path("gox-home"))
            .env("GOX_CACHE_DIR", self.path("cache"))
            .env("GOX_CONFIG", self.path("config.toml"));
    }

    /// The entries of GOX_HOME/shims, sorted (empty when it does not exist).
    /// The shims dir's entries, and that its planner link leads to an installed gox.
    fn shims_entries(&self) -> Vec<String> {
        let planner = self.path("gox-home/shims/.gox");
        if let Ok(target) = fs::read_link(&planner) {
            assert!(
                target.is_absolute() && target.ends_with("gox") && target.is_file(),
                "{} -> {}",
                planner.display(),
                target.display()
            );
        }
        let mut names: Vec<String> = fs::read_dir(self.path("gox-home/shims"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn tmp_is_empty(&self) -> bool {
        fs::read_dir(self.path("tmp")).unwrap().next().is_none()
    }

    fn bin_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.bin())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// install.sh put the archive's man pages into PREFIX/share/man/man1 for the install dir
/// PREFIX/bin, where the real `man` finds them by PATH alone (no MANPATH), as it finds a
/// package manager's.
fn assert_man_pages_found(s: &Scratch, shell: &str) {
    let man1 = s.path("share/man/man1");
    let pages = gox_testkit::entry_names(&man1);
    assert!(
        pages.contains(&"gox.1".to_string()) && pages.contains(&"gox-install.1".to_string()),
        "{shell}: {pages:?}"
    );
    assert_eq!(
        Some(man1.clone()),
        gox_installer::manpages::man_dir(&s.bin()),
        "install.sh and gox self update/uninstall must agree on the man dir"
    );
    let Some(man) = which("man") else {
        return support::skip_for_missing_tool(
            "man is not installed (Debian: apt-get install man-db)",
        );
    };
    let found = Command::new(man)
        .args(["-w", "gox-install"])
        .env_clear()
        .env("PATH", format!("{}:{}", s.bin().display(), system_path()))
        .env("HOME", s.path("user"))
        .output()
        .unwrap();
    assert_eq!(
        stdout(&found).trim(),
        man1.join("gox-install.1").display().to_string(),
        "{shell}: {}",
        describe(&found)
    );
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string())
}

fn archive_requests(server: &MirrorServer, dist: &Dist) -> usize {
    let name = dist.archive_name();
    server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&name))
        .count()
}

#[test]
fn dist_layout_checksums_signature_and_static_binaries() {
    let dist = dist();
    let archive = dist.archive_name();
    assert_eq!(
        archive,
        format!("gox-{VERSION}-x86_64-unknown-linux-musl.tar.gz")
    );

    let mut names: Vec<String> = fs::read_dir(&dist.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            archive.as_str(),
            "install.ps1",
            "install.sh",
            "manifest.json",
            "manifest.json.minisig"
        ]
    );

    let sha = gox_testkit::sha256_file(dist.archive());
    let sums = fs::read_to_string(dist.dir.join("SHA256SUMS")).unwrap();
    assert_eq!(sums, format!("{sha}  {archive}\n"));

    let manifest_text = fs::read_to_string(dist.dir.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({
            "version": VERSION,
            "artifacts": [{
                "target": "x86_64-unknown-linux-musl",
                "os": "linux",
                "arch": "amd64",
                "file": archive,
                "sha256": sha,
                "size": fs::metadata(dist.archive()).unwrap().len(),
            }]
        })
    );

    // The signature verifies with an independent implementation (minisign-verify) and
    // the key whose public half is `<key>.pub`; an edited manifest does not.
    let pk = minisign_verify::PublicKey::from_base64(&dist.public_key).unwrap();
    let sig_text = fs::read_to_string(dist.dir.join("manifest.json.minisig")).unwrap();
    let sig = minisign_verify::Signature::decode(&sig_text).unwrap();
    pk.verify(manifest_text.as_bytes(), &sig, false).unwrap();
    let edited = manifest_text.replace(VERSION, "9.9.9");
    assert!(pk.verify(edited.as_bytes(), &sig, false).is_err());

    // Archive entries live under gox-V-TARGET/; the binaries are static musl x86-64.
    let top = format!("gox-{VERSION}-x86_64-unknown-linux-musl");
    let unpacked = tempfile::tempdir().unwrap();
    let mut entries = Vec::new();
    let gz = flate2::read::GzDecoder::new(fs::File::open(dist.archive()).unwrap());
    let mut tar = tar::Archive::new(gz);
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mode = entry.header().mode().unwrap();
        if entry.header().entry_type().is_file() {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            let dest = unpacked.path().join(path.replace('/', "_"));
            fs::write(&dest, data).unwrap();
        }
        entries.push((path, mode));
    }
    let has = |rel: &str| entries.iter().any(|(p, _)| *p == format!("{top}/{rel}"));
    for rel in [
        "gox",
        "gox-shim",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "completions/gox.bash",
        "completions/_gox",
        "completions/gox.fish",
        "man/gox.1",
        "man/gox-install.1",
        "docs/install.md",
        "docs/guide.md",
    ] {
        assert!(has(rel), "{rel} missing from {archive}: {entries:?}");
    }
    // The man pages say the release's version, as its `gox --version` does.
    let man = fs::read_to_string(unpacked.path().join(format!("{top}_man_gox.1"))).unwrap();
    assert!(man.contains(&format!("\"gox {VERSION}\"")), "{man}");
    assert!(
        entries
            .iter()
            .all(|(p, _)| p.starts_with(&format!("{top}/"))),
        "{entries:?}"
    );
    for bin in ["gox", "gox-shim"] {
        let mode = entries
            .iter()
            .find(|(p, _)| *p == format!("{top}/{bin}"))
            .unwrap()
            .1;
        assert_eq!(mode & 0o777, 0o755, "{bin}");
        let file = unpacked.path().join(format!("{top}_{bin}"));
        let info = gox_verifier::read_header(&file).unwrap();
        assert_eq!(info.archs, ["amd64"], "{bin}: {info}");
        assert_eq!(
            gox_verifier::read_elf_interpreter(&file).unwrap(),
            None,
            "{bin}"
        );
    }
}

#[test]
fn install_sh_under_dash_and_bash_then_go_build_through_the_shim() {
    let dist = dist();
    let server = dist.mirror().start();

    for shell in ["dash", "bash"] {
        let s = Scratch::new();
        let out = s.install_sh(shell, &server, &[], &system_path());
        assert!(
            out.status.success(),
            "{shell} install.sh: {}",
            describe(&out)
        );
        assert_eq!(s.bin_entries(), ["gox", "gox-shim"], "{shell}");
        let version = Command::new(s.bin().join("gox"))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(stdout(&version).trim(), format!("gox {VERSION}"), "{shell}");
        // The one PATH line for the shims (from gox setup), and gox's own dir.
        let shims = s.path("gox-home/shims");
        let printed = stdout(&out);
        assert!(
            printed.contains(&format!("export PATH='{}':\"$PATH\"", shims.display())),
            "{shell}: {printed}"
        );
        assert!(
            printed.contains(&sh_path_line(&s.bin())),
            "{shell}: {printed}"
        );
        assert!(shims.join("go").is_file() && shims.join("gofmt").is_file());
        assert_man_pages_found(&s, shell);
        // No rc file was touched without --modify-path; nothing left in TMPDIR.
        assert!(!s.path("user/.bashrc").exists(), "{shell}");
        assert!(s.tmp_is_empty(), "{shell}");

        // A second run is a no-op: no archive download, same binary.
        let before = archive_requests(&server, &dist);
        let inode = fs::metadata(s.bin().join("gox")).unwrap();
        let again = s.install_sh(shell, &server, &[], &system_path());
        assert!(
            again.status.success(),
            "{shell} rerun: {}",
            describe(&again)
        );
        assert!(
            stderr(&again).contains("already installed"),
            "{}",
            describe(&again)
        );
        assert_eq!(
            archive_requests(&server, &dist),
            before,
            "{shell} re-downloaded"
        );
        let after = fs::metadata(s.bin().join("gox")).unwrap();
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&after),
            std::os::unix::fs::MetadataExt::ino(&inode)
        );

        // --modify-path after the plain install (what its hint says to run) appends the
        // lines without downloading gox again; a repeat appends nothing.
        let modify = s.install_sh(shell, &server, &["--modify-path"], &system_path());
        assert!(modify.status.success(), "{}", describe(&modify));
        assert!(
            stderr(&modify).contains("adding the PATH lines only"),
            "{}",
            describe(&modify)
        );
        let rc = fs::read_to_string(s.path("user/.bashrc")).unwrap();
        assert_eq!(rc.matches("/gox-home/shims").count(), 1, "{rc}");
        let bin_line = sh_path_line(&s.bin());
        assert_eq!(rc.lines().filter(|l| *l == bin_line).count(), 1, "{rc}");
        let modify = s.install_sh(
            shell,
            &server,
            &["--modify-path", "--version", VERSION],
            &system_path(),
        );
        assert!(modify.status.success(), "{}", describe(&modify));
        assert!(
            stderr(&modify).contains("already has the PATH line"),
            "{}",
            describe(&modify)
        );
        assert_eq!(fs::read_to_string(s.path("user/.bashrc")).unwrap(), rc);
        assert_eq!(
            archive_requests(&server, &dist),
            before,
            "--modify-path re-downloaded"
        );
        let after = fs::metadata(s.bin().join("gox")).unwrap();
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&after),
            std::os::unix::fs::MetadataExt::ino(&inode)
        );

        if shell != "dash" {
            continue;
        }
        // The installed gox installs real Go from the fixture mirror, and `go build`
        // through its shim works.
        let mirror = fixtures().mirror().start();
        let env = |cmd: &mut Command| {
            cmd.env_clear()
                .env("HOME", s.path("user"))
                .env("GOX_HOME", s.path("gox-home"))
                .env("GOX_CACHE_DIR", s.path("cache"))
                .env("GOX_CONFIG", s.path("config.toml"))
                .env("GOX_FEED_URL", mirror.feed_url())
                .env("GOX_DOWNLOAD_BASE", mirror.download_base())
                .env(
                    "PATH",
                    format!(
                        "{}:{}:{}",
                        shims.display(),
                        s.bin().display(),
                        system_path()
                    ),
                );
        };
        let mut install = Command::new(s.bin().join("gox"));
        env(&mut install);
        let out = install
            .args(["install", "--quiet", "1.22.10"])
            .output()
            .unwrap();
        assert!(out.status.success(), "gox install: {}", describe(&out));
        let project = s.path("hello");
        fs::create_dir_all(&project).unwrap();
        fs::write(project.join(".go-version"), "1.22.10\n").unwrap();
        fs::write(project.join("go.mod"), "module hello\n\ngo 1.22\n").unwrap();
        fs::write(
            project.join("main.go"),
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from dist\") }\n",
        )
        .unwrap();
        let mut build = Command::new(shims.join("go"));
        env(&mut build);
        let out = build
            .args(["build", "-o", "hello", "."])
            .current_dir(&project)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "go build via shim: {}",
            describe(&out)
        );
        let run = Command::new(project.join("hello")).output().unwrap();
        assert_eq!(stdout(&run).trim(), "hello from dist");
    }
}

#[test]
fn tampered_archive_is_refused_and_nothing_is_installed() {
    assert_tampered_archive_refused("dash", &system_path());
}

/// install.sh run by `shell` with `path` refuses an archive with one byte flipped: exit 1,
/// the checksum mismatch named, nothing installed, nothing left in TMPDIR.
fn assert_tampered_archive_refused(shell: &str, path: &str) {
    let dist = dist();
    let mut bytes = fs::read(dist.archive()).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let server = dist.mirror().bytes(&dist.archive_name(), bytes).start();
    let s = Scratch::new();
    let out = s.install_sh(shell, &server, &[], path);
    assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("checksum mismatch"), "{shell}: {err}");
    assert!(err.contains(&dist.archive_name()), "{shell}: {err}");
    assert!(s.bin_entries().is_empty(), "{:?}", s.bin_entries());
    assert!(!s.path("gox-home/shims").exists());
    assert!(s.tmp_is_empty());
}

/// An Alpine container's toolset: busybox and nothing else (`sh` is ash, `wget` instead of
/// curl, busybox's `sha256sum`, `tar`, `mktemp`, `tail`). install.sh installs with it,
/// refuses a tampered archive with it, and --modify-path works with it. The PATH holds only
/// busybox's applets.
#[cfg(unix)]
#[test]
fn install_sh_with_only_busybox_as_on_alpine() {
    let Some(busybox) = which("busybox") else {
        support::skip_for_missing_tool("busybox is not installed (apt-get install busybox)");
        return;
    };
    let s = Scratch::new();
    let (sh, path) = busybox_applets(&busybox, &s.path("busybox-bin"));

    assert_tampered_archive_refused(&sh, &path);

    let server = dist().mirror().start();
    let out = s.install_sh(&sh, &server, &[], &path);
    assert!(
        out.status.success(),
        "busybox install.sh: {}",
        describe(&out)
    );
    assert_eq!(s.bin_entries(), ["gox", "gox-shim"]);
    let version = Command::new(s.bin().join("gox"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(stdout(&version).trim(), format!("gox {VERSION}"));
    assert!(s.path("gox-home/shims/go").is_file(), "{}", describe(&out));
    assert!(s.tmp_is_empty());
    // A second run is a no-op.
    let again = s.install_sh(&sh, &server, &[], &path);
    assert!(again.status.success(), "{}", describe(&again));
    assert!(
        stderr(&again).contains("already installed"),
        "{}",
        describe(&again)
    );
    // busybox's tail tells a startup file without its last newline, which gets one before
    // the PATH lines.
    let rc = s.path("user/.bashrc");
    fs::write(&rc, "alias ll='ls -l'").unwrap();
    let out = s.install_sh(&sh, &server, &["--modify-path"], &path);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        fs::read_to_string(&rc).unwrap(),
        format!(
            "alias ll='ls -l'\n{}\n{}\n",
            sh_shims_line(&s),
            sh_path_line(&s.bin())
        )
    );
}

/// A directory `dir` of links to every busybox applet: returns busybox's `sh` and a PATH
/// of only these applets (no curl, so install.sh takes busybox's wget).
fn busybox_applets(busybox: &Path, dir: &Path) -> (String, String) {
    fs::create_dir_all(dir).unwrap();
    let list = Command::new(busybox).arg("--list").output().unwrap();
    for applet in stdout(&list).lines() {
        std::os::unix::fs::symlink(busybox, dir.join(applet)).unwrap();
    }
    assert!(dir.join("wget").exists() && !dir.join("curl").exists());
    (
        dir.join("sh").display().to_string(),
        dir.display().to_string(),
    )
}

/// `value` as one literal word for a POSIX shell, as install.sh and `gox setup` quote.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The line install.sh prints to put the install dir `dir` on PATH in a POSIX shell.
fn sh_path_line(dir: &Path) -> String {
    format!("export PATH=\"$PATH\":{}", sh_quote(&dir.to_string_lossy()))
}

/// The line `gox setup --shell bash` prints for the scratch GOX_HOME's shims.
fn sh_shims_line(s: &Scratch) -> String {
    let shims = s.path("gox-home/shims");
    format!(
        "export PATH={}:\"$PATH\"",
        sh_quote(&shims.to_string_lossy())
    )
}

/// An executable `#!/bin/sh` script at `path`.
fn write_script(path: &Path, body: &str) {
    fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    let mut perms = fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(path, perms).unwrap();
}

/// --modify-path appends whole lines: a startup file whose last line lacks its newline
/// (`printf "alias ll='ls -l'" > ~/.bashrc`) gets one first, where the PATH line used to
/// be glued to the alias (`alias ll='ls -l'export PATH=…`); a file that ends in a newline,
/// or is empty, gets no blank line. (And the old spelling of the install dir's line counts.)
#[test]
fn modify_path_ends_a_last_line_without_newline_first() {
    let server = dist().mirror().start();
    for shell in ["dash", "bash"] {
        let s = Scratch::new();
        let rc = s.path("user/.bashrc");
        let lines = format!("{}\n{}\n", sh_shims_line(&s), sh_path_line(&s.bin()));
        // The first run installs, the others only add the lines; the last one is left
        // for the shell to read below.
        for before in ["", "alias ll='ls -l'\n", "alias ll='ls -l'"] {
            fs::write(&rc, before).unwrap();
            let out = s.install_sh(shell, &server, &["--modify-path"], &system_path());
            assert!(
                out.status.success(),
                "{shell} {before:?}: {}",
                describe(&out)
            );
            let newline = if before.is_empty() || before.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            assert_eq!(
                fs::read_to_string(&rc).unwrap(),
                format!("{before}{newline}{lines}"),
                "{shell} {before:?}"
            );
        }
        // What the user's shell makes of it: the alias and both PATH entries.
        let out = Command::new(shell)
            .args([
                "-c",
                ". \"$HOME/.bashrc\"; alias ll; printf '%s\\n' \"$PATH\"",
            ])
            .env_clear()
            .env("HOME", s.path("user"))
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        let printed = stdout(&out);
        assert!(printed.contains("ls -l"), "{shell}: {}", describe(&out));
        assert!(
            printed.ends_with(&format!(":{}\n", s.bin().display())),
            "{shell}: {}",
            describe(&out)
        );
        // The line earlier install.sh versions wrote for this (plain) directory counts as
        // there: no second PATH entry for it.
        let legacy = format!("export PATH=\"$PATH:{}\"\n", s.bin().display());
        fs::write(&rc, &legacy).unwrap();
        let out = s.install_sh(shell, &server, &["--modify-path"], &system_path());
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(
            fs::read_to_string(&rc).unwrap(),
            format!("{legacy}{}\n", sh_shims_line(&s)),
            "{shell}"
        );
    }
}

/// `--version v1.2.3`, the release tag's spelling, is `--version 1.2.3`: the tag's URL has
/// one v (it was `…/download/vv1.2.3/…`), and a base that holds 1.2.3 installs it (it
/// said "holds gox 1.2.3, not v1.2.3").
#[test]
fn version_with_the_tags_leading_v_is_the_same_version() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();
    let tag = format!("v{VERSION}");
    let out = s.install_sh("dash", &server, &["--version", &tag], &system_path());
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(s.bin_entries(), ["gox", "gox-shim"]);
    let version = Command::new(s.bin().join("gox"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(stdout(&version).trim(), format!("gox {VERSION}"));
    // A base holding another version: named without the v.
    let out = s.install_sh(
        "bash",
        &server,
        &["--dry-run", "--version=v9.9.9"],
        &system_path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains(&format!("holds gox {VERSION}, not 9.9.9 ")),
        "{}",
        describe(&out)
    );
    // Without GOX_INSTALL_BASE the files come from the tag's GitHub release. A curl that
    // fails like an unreachable network keeps the test off the internet; the error names
    // the URL it was asked for.
    let offline = s.path("offline");
    fs::create_dir_all(&offline).unwrap();
    write_script(
        &offline.join("curl"),
        "echo 'curl: (6) Could not resolve host: github.com' >&2\nexit 6\n",
    );
    let path = format!("{}:{}", offline.display(), system_path());
    for shell in ["dash", "bash"] {
        for args in [
            &["--dry-run", "--version", "v9.9.9"][..],
            &["--dry-run", "--version=v9.9.9"],
            &["--dry-run", "--version", "9.9.9"],
        ] {
            let out = s
                .install_sh_cmd(shell, "", args, &path)
                .env_remove("GOX_INSTALL_BASE")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
            assert!(
                stdout(&out).contains("version:     9.9.9\n"),
                "{shell} {args:?}: {}",
                describe(&out)
            );
            assert!(
                stderr(&out).contains(
                    "cannot download https://github.com/gox-dev/gox/releases/download/v9.9.9/SHA256SUMS with curl"
                ),
                "{shell} {args:?}: {}",
                describe(&out)
            );
        }
    }
    // A lone v is no version.
    let out = s.install_sh("dash", &server, &["--version", "v"], &system_path());
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        stderr(&out).contains("expected a version like"),
        "{}",
        describe(&out)
    );
    assert_eq!(archive_requests(&server, &dist), 1);
    assert!(s.tmp_is_empty());
}

/// Without HOME there is no startup file: install.sh refuses --modify-path before it
/// downloads anything (it used to install both binaries, then die with "HOME: parameter
/// not set" before gox setup), and otherwise installs, runs gox setup and prints the lines
/// for "your shell's startup file". A rerun of the installed version still runs gox setup,
/// so an earlier run that stopped before it is completed (and a second rerun changes
/// nothing, no temporary names left in the shims dir either).
#[test]
fn without_home_there_is_no_startup_file_and_a_rerun_completes_the_shims() {
    let dist = dist();
    let server = dist.mirror().start();
    for shell in ["dash", "bash"] {
        let s = Scratch::new();
        let run = |args: &[&str], unset: &[&str]| {
            let mut cmd = s.install_sh_cmd(shell, &server.download_base(), args, &system_path());
            cmd.env_remove("HOME");
            for var in unset {
                cmd.env_remove(var);
            }
            cmd.output().unwrap()
        };
        let requests = server.requests().len();
        let out = run(&["--modify-path"], &[]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        assert!(
            stderr(&out).contains("--modify-path needs HOME"),
            "{shell}: {}",
            describe(&out)
        );
        // gox's own directories default to HOME too: without GOX_HOME, gox setup would
        // fail once the binaries were installed.
        let out = run(&[], &["GOX_HOME"]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        assert!(
            stderr(&out).contains("HOME is not set") && stderr(&out).contains("GOX_HOME"),
            "{shell}: {}",
            describe(&out)
        );
        assert_eq!(server.requests().len(), requests, "{:?}", server.requests());
        assert!(s.bin_entries().is_empty(), "{:?}", s.bin_entries());

        let out = run(&[], &[]);
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(s.bin_entries(), ["gox", "gox-shim"], "{shell}");
        assert_eq!(s.shims_entries(), SHIMS_DIR, "{shell}");
        assert!(
            stderr(&out).contains("add this to your shell's startup file"),
            "{shell}: {}",
            describe(&out)
        );
        assert_eq!(
            stdout(&out),
            format!("{}\n{}\n", sh_shims_line(&s), sh_path_line(&s.bin())),
            "{shell}"
        );
        assert!(!s.path("user").join(".bashrc").exists());

        // An install that stopped between the binaries and gox setup: the rerun makes the
        // shims without downloading gox again.
        fs::remove_dir_all(s.path("gox-home/shims")).unwrap();
        let archives = archive_requests(&server, &dist);
        for _ in 0..2 {
            let again = run(&[], &[]);
            assert!(again.status.success(), "{shell}: {}", describe(&again));
            assert!(
                stderr(&again).contains("already installed"),
                "{shell}: {}",
                describe(&again)
            );
            assert_eq!(s.shims_entries(), SHIMS_DIR, "{shell}");
        }
        assert_eq!(archive_requests(&server, &dist), archives, "{shell}");
        assert!(s.tmp_is_empty(), "{shell}");
    }
}

/// A run whose `gox setup` failed (here: GOX_HOME under a regular file, as with a
/// read-only ~/.local/share) installed the binaries and says to run install.sh again; that
/// rerun downloads nothing, makes the shims and prints both PATH lines, as a first install
/// does (it used to say "already installed (nothing to do)" and print no line at all). A
/// rerun with both directories on PATH says so and prints no line.
#[test]
fn a_rerun_after_a_failed_setup_makes_the_shims_and_prints_the_path_lines() {
    let dist = dist();
    let server = dist.mirror().start();
    let mut runs = vec![
        ("dash".to_string(), system_path()),
        ("bash".to_string(), system_path()),
    ];
    let busybox_dir = tempfile::tempdir().unwrap();
    if let Some(busybox) = which("busybox") {
        runs.push(busybox_applets(&busybox, &busybox_dir.path().join("bin")));
    }
    for (shell, path) in runs {
        let s = Scratch::new();
        fs::write(s.path("not-a-dir"), "").unwrap();
        let broken_home = s.path("not-a-dir/gox-home");
        let out = s.install_sh_with(
            &shell,
            &server.download_base(),
            &[],
            &path,
            &[("GOX_HOME", broken_home.to_str().unwrap())],
        );
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        assert!(
            stderr(&out).contains("then run install.sh again"),
            "{shell}: {}",
            describe(&out)
        );
        assert_eq!(s.bin_entries(), ["gox", "gox-shim"], "{shell}");
        assert!(s.shims_entries().is_empty(), "{shell}");

        let archives = archive_requests(&server, &dist);
        let again = s.install_sh(&shell, &server, &[], &path);
        assert!(again.status.success(), "{shell}: {}", describe(&again));
        assert!(
            stderr(&again).contains("already installed"),
            "{shell}: {}",
            describe(&again)
        );
        assert_eq!(s.shims_entries(), SHIMS_DIR, "{shell}");
        assert_eq!(
            stdout(&again),
            format!("{}\n{}\n", sh_shims_line(&s), sh_path_line(&s.bin())),
            "{shell}: {}",
            describe(&again)
        );
        assert!(
            stderr(&again).contains("add this to"),
            "{shell}: {}",
            describe(&again)
        );
        assert_eq!(archive_requests(&server, &dist), archives, "{shell}");

        // Only the line for the directory that is not on PATH yet; none when both are.
        let shims = s.path("gox-home/shims");
        let with_bin = format!("{}:{path}", s.bin().display());
        let out = s.install_sh(&shell, &server, &[], &with_bin);
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(stdout(&out), format!("{}\n", sh_shims_line(&s)), "{shell}");
        assert!(
            stderr(&out).contains(&format!("{}: already on PATH", s.bin().display())),
            "{shell}: {}",
            describe(&out)
        );
        let with_both = format!("{}:{with_bin}", shims.display());
        let out = s.install_sh(&shell, &server, &[], &with_both);
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(stdout(&out), "", "{shell}: {}", describe(&out));
        assert!(
            stderr(&out).contains(&format!(
                "{} and {}: already on PATH",
                shims.display(),
                s.bin().display()
            )),
            "{shell}: {}",
            describe(&out)
        );
        assert!(s.tmp_is_empty(), "{shell}");
    }
}

/// `GOX_INSTALL_BASE=file:///…` is read with cp, not curl or wget: GNU and busybox wget
/// have no file:// support, so with wget alone it failed and blamed the network. A `%20`
/// in the URL is a space in the directory's name; a file:// URL naming another host is
/// refused before anything is read.
#[test]
fn a_file_url_base_installs_with_wget_only_and_busybox() {
    let dist = dist();
    let s = Scratch::new();
    let local = s.path("my dist");
    fs::create_dir_all(&local).unwrap();
    for entry in fs::read_dir(&dist.dir).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), local.join(entry.file_name())).unwrap();
    }
    let url = format!("file://{}/", local.display()).replace(' ', "%20");
    let mut runs = vec![
        (
            "dash".to_string(),
            path_without(&s.path("no-curl"), &["curl"]),
        ),
        (
            "bash".to_string(),
            path_without(&s.path("no-curl"), &["curl"]),
        ),
    ];
    if let Some(busybox) = which("busybox") {
        runs.push(busybox_applets(&busybox, &s.path("busybox-bin")));
    }
    for (shell, path) in runs {
        let out = s.install_sh_with(&shell, &url, &["--dry-run"], &path, &[]);
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert!(
            stdout(&out).contains(&format!("archive:     {url}{}", dist.archive_name())),
            "{shell}: {}",
            describe(&out)
        );
        let out = s.install_sh_with(&shell, &url, &[], &path, &[]);
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert_eq!(s.bin_entries(), ["gox", "gox-shim"], "{shell}");
        assert_eq!(s.shims_entries(), SHIMS_DIR, "{shell}");
        fs::remove_dir_all(s.bin()).unwrap();

        // A directory that is not there: named, without network advice.
        let missing = format!("file://{}/", s.path("no-such-dist").display());
        let out = s.install_sh_with(&shell, &missing, &["--dry-run"], &path, &[]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "there is no file {}/manifest.json",
                s.path("no-such-dist").display()
            )),
            "{shell}: {err}"
        );
        assert!(!err.contains("network"), "{shell}: {err}");
        // Only this machine's files.
        let remote = format!("file://files.example{}", local.display());
        let out = s.install_sh_with(&shell, &remote, &["--dry-run"], &path, &[]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        assert!(
            stderr(&out).contains("names the host 'files.example'"),
            "{shell}: {}",
            describe(&out)
        );
        assert!(s.tmp_is_empty(), "{shell}");
    }
}

/// `dir` filled with links to every program on the test's PATH except `without` (as if
/// they were not installed); returns it as a PATH.
fn path_without(dir: &Path, without: &[&str]) -> String {
    if !dir.exists() {
        fs::create_dir_all(dir).unwrap();
        for entry in std::env::split_paths(&system_path()) {
            let Ok(programs) = fs::read_dir(&entry) else {
                continue;
            };
            for program in programs.filter_map(|e| e.ok()) {
                let name = program.file_name();
                let link = dir.join(&name);
                if !without.iter().any(|w| name == **w) && !link.exists() {
                    let _ = std::os::unix::fs::symlink(program.path(), link);
                }
            }
        }
    }
    assert!(!without.iter().any(|w| dir.join(w).exists()));
    dir.display().to_string()
}

/// With ZDOTDIR set, zsh reads $ZDOTDIR/.zshrc and never ~/.zshrc: --modify-path writes
/// the lines there and names that file (it wrote ~/.zshrc and reported success, and the
/// next zsh had no gox). A real interactive zsh then has both directories on PATH.
#[test]
fn modify_path_for_zsh_writes_zdotdir_zshrc() {
    let server = dist().mirror().start();
    let s = Scratch::new();
    let zdotdir = s.path("zdot");
    let out = s.install_sh_with(
        "dash",
        &server.download_base(),
        &["--modify-path"],
        &system_path(),
        &[
            ("SHELL", "/usr/bin/zsh"),
            ("ZDOTDIR", zdotdir.to_str().unwrap()),
        ],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let zshrc = zdotdir.join(".zshrc");
    assert!(
        stderr(&out).contains(&format!("added the PATH line(s) to {}", zshrc.display())),
        "{}",
        describe(&out)
    );
    assert_eq!(
        fs::read_to_string(&zshrc).unwrap(),
        format!("{}\n{}\n", sh_shims_line(&s), sh_path_line(&s.bin()))
    );
    assert!(!s.path("user/.zshrc").exists());

    let Some(zsh) = which("zsh") else {
        support::skip_for_missing_tool("zsh is not installed (apt-get install zsh)");
        return;
    };
    let out = Command::new(zsh)
        .args(["-i", "-c", "print -r -- $PATH"])
        .env_clear()
        .env("HOME", s.path("user"))
        .env("ZDOTDIR", &zdotdir)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "{}:/usr/bin:/bin:{}\n",
            s.path("gox-home/shims").display(),
            s.bin().display()
        ),
        "{}",
        describe(&out)
    );
}

/// With wget (GNU's, or busybox's), a 404 is named as the server's answer, not as a
/// network or proxy problem: GNU wget exits 8 for an HTTP error status, busybox wget says
/// "server returned error".
#[test]
fn wget_names_an_http_error_as_such() {
    let server = dist().mirror().start();
    let s = Scratch::new();
    let mut runs = vec![(
        "dash".to_string(),
        path_without(&s.path("no-curl"), &["curl"]),
    )];
    if let Some(busybox) = which("busybox") {
        runs.push(busybox_applets(&busybox, &s.path("busybox-bin")));
    }
    let base = format!("{}/no-such-release", server.url());
    for (shell, path) in runs {
        let out = s.install_sh_with(&shell, &base, &["--dry-run"], &path, &[]);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("/no-such-release/manifest.json with wget: the server answered with an HTTP error (e.g. 404: is GOX_INSTALL_BASE a gox release directory?)"),
            "{shell}: {err}"
        );
        assert!(err.contains("404"), "{shell}: {err}");
        assert!(!err.contains("your network"), "{shell}: {err}");
        assert!(s.tmp_is_empty(), "{shell}");
    }
}

/// A server that accepts the connection and then sends nothing makes the download fail
/// as stalled, within GOX_INSTALL_TIMEOUT seconds a try (curl: 4 tries, GNU wget: 3,
/// busybox wget without -T: 1, stopped by install.sh's watchdog), instead of hanging for
/// ever (curl, busybox) or 45 minutes (GNU wget).
#[test]
fn a_stalled_download_fails_and_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let s = Scratch::new();
    let base = format!("http://127.0.0.1:{port}/dl");
    let mut runs = vec![
        ("curl", "dash".to_string(), system_path()),
        (
            "wget",
            "dash".to_string(),
            path_without(&s.path("no-curl"), &["curl"]),
        ),
    ];
    match which("busybox") {
        Some(busybox) => {
            let (sh, path) = busybox_applets(&busybox, &s.path("busybox-bin"));
            runs.push(("busybox wget", sh, path));
        }
        None => {
            support::skip_for_missing_tool("busybox is not installed (apt-get install busybox)")
        }
    }
    for (name, shell, path) in runs {
        let tool = name.rsplit(' ').next().unwrap();
        let log = s.path(&format!("{}.err", name.replace(' ', "-")));
        let mut cmd = s.install_sh_cmd(&shell, &base, &["--dry-run"], &path);
        cmd.env("GOX_INSTALL_TIMEOUT", "1")
            .stdout(std::process::Stdio::null())
            .stderr(fs::File::create(&log).unwrap());
        let started = std::time::Instant::now();
        let mut child = cmd.spawn().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(40) {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{name}: install.sh still waits for the stalled server after 40 s: {}",
                    fs::read_to_string(&log).unwrap()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        let err = fs::read_to_string(&log).unwrap();
        assert_eq!(status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!(
                "cannot download {base}/manifest.json with {tool}: the download stalled (no data for 1s"
            )) && err.contains("GOX_INSTALL_TIMEOUT"),
            "{name}: {err}"
        );
    }
    assert!(s.tmp_is_empty());
}

/// The install dir's PATH line keeps every character of the directory literal: `'` (as
/// in o'brien, which ended fish's string early), `"`, `$`, a backquote, `\` and spaces
/// (which the double-quoted `export PATH="$PATH:DIR"` expanded). dash and bash source the
/// .bashrc line, and fish the config.fish line, to exactly that directory.
#[test]
fn path_lines_keep_quotes_dollars_and_backslashes_of_the_install_dir() {
    let server = dist().mirror().start();
    let s = Scratch::new();
    let dir = s.path("o'brien \"$HOME\" `x` \\ bin");
    let dir_text = dir.to_str().unwrap().to_string();
    let out = s
        .install_sh_cmd(
            "dash",
            &server.download_base(),
            &["--modify-path"],
            &system_path(),
        )
        .env("GOX_INSTALL_DIR", &dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(dir.join("gox").is_file() && dir.join("gox-shim").is_file());
    let line = sh_path_line(&dir);
    assert!(line.contains(r"/o'\''brien "), "{line}");
    assert!(stdout(&out).contains(&line), "{}", describe(&out));
    for shell in ["dash", "bash"] {
        let out = Command::new(shell)
            .args(["-c", ". \"$HOME/.bashrc\"; printf '%s' \"$PATH\""])
            .env_clear()
            .env("HOME", s.path("user"))
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", describe(&out));
        assert!(
            stdout(&out).ends_with(&format!(":{dir_text}")),
            "{shell}: {}",
            describe(&out)
        );
        assert_eq!(stderr(&out), "", "{shell}");
    }

    let Some(fish) = which("fish") else {
        support::skip_for_missing_tool("fish is not installed (apt-get install fish)");
        return;
    };
    let out = s
        .install_sh_cmd(
            "dash",
            &server.download_base(),
            &["--modify-path"],
            &system_path(),
        )
        .env("GOX_INSTALL_DIR", &dir)
        .env("SHELL", &fish)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains(r#"fish_add_path --path --append '"#)
            && stdout(&out).contains(r#"/o\'brien "$HOME" `x` \\ bin'"#),
        "{}",
        describe(&out)
    );
    // A stand-in fish_add_path prints what it was given, one argument a line (the shims'
    // line before it is gox setup's). The real one: the directory ends $PATH, and is not
    // stored in fish's universal variables (fish_user_paths in fish_variables), which
    // would outlive the line in config.fish and `gox self uninstall`.
    for (args, ends) in [
        (
            &[
                "--no-config",
                "-c",
                "function fish_add_path; printf '%s\\n' $argv; end; source $HOME/.config/fish/config.fish",
            ][..],
            format!("\n--path\n--append\n{dir_text}\n"),
        ),
        (&["-c", "printf '%s\\n' $PATH"], format!("\n{dir_text}\n")),
    ] {
        let out = Command::new(&fish)
            .args(args)
            .env_clear()
            .env("HOME", s.path("user"))
            .env("PATH", system_path())
            .output()
            .unwrap();
        assert!(out.status.success(), "fish: {}", describe(&out));
        assert!(stdout(&out).ends_with(&ends), "fish: {}", describe(&out));
    }
    let universal =
        fs::read_to_string(s.path("user/.config/fish/fish_variables")).unwrap_or_default();
    assert!(!universal.contains("brien"), "{universal}");
}

/// A relative GOX_INSTALL_DIR is taken from the directory install.sh runs in, and the
/// PATH line names it absolute (`relbin` on PATH would mean another directory in every
/// shell).
#[test]
fn a_relative_install_dir_is_made_absolute() {
    let server = dist().mirror().start();
    let s = Scratch::new();
    let work = s.path("work");
    fs::create_dir_all(&work).unwrap();
    let out = s
        .install_sh_cmd(
            "dash",
            &server.download_base(),
            &["--modify-path"],
            &system_path(),
        )
        .env("GOX_INSTALL_DIR", "relbin")
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let abs = fs::canonicalize(&work).unwrap().join("relbin");
    assert!(abs.join("gox").is_file() && abs.join("gox-shim").is_file());
    let line = sh_path_line(&abs);
    assert!(stdout(&out).contains(&line), "{}", describe(&out));
    let rc = fs::read_to_string(s.path("user/.bashrc")).unwrap();
    assert!(rc.lines().any(|l| l == line), "{rc}");
    assert!(!rc.contains(":relbin") && !rc.contains("'relbin'"), "{rc}");
}

/// A temp directory that fills up during the download is named as the cause, with the fix
/// (free space, or TMPDIR), instead of blaming the network or the release directory. curl
/// exits 23 there; busybox's wget exits 1 as for any error, and install.sh's own write
/// decides. A 64 KiB tmpfs (in a user namespace) holds manifest.json and SHA256SUMS but not
/// the archive.
#[test]
fn a_full_temp_dir_is_named_as_the_cause() {
    let (Some(unshare), Some(mount)) = (which("unshare"), which("mount")) else {
        eprintln!("SKIPPED: no unshare or mount on PATH");
        return;
    };
    // Some hosts allow user namespaces but not mounts in them (Ubuntu's AppArmor
    // restriction): the probe mounts a tmpfs too.
    let probe_dir = tempfile::tempdir().unwrap();
    let probe = Command::new(&unshare)
        .args(["--user", "--map-root-user", "--mount"])
        .arg(&mount)
        .args(["-t", "tmpfs", "probe"])
        .arg(probe_dir.path())
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED: no tmpfs mount in a user namespace here (unshare --user --map-root-user --mount): {probe:?}"
        );
        return;
    }
    let server = dist().mirror().start();
    let s = Scratch::new();
    let mut runs = vec![("dash".to_string(), system_path(), "curl")];
    if let Some(busybox) = which("busybox") {
        let (sh, path) = busybox_applets(&busybox, &s.path("busybox-bin"));
        runs.push((sh, path, "wget"));
    }
    let script = r#"
        "$MOUNT" -t tmpfs -o size=64k tmpfs "$TMPDIR" || exit 99
        "$@"
        echo "exit=$?"
        echo "left:" $(ls -A "$TMPDIR")
    "#;
    for (shell, path, tool) in runs {
        let mut cmd = Command::new(&unshare);
        s.install_env(&mut cmd, &server.download_base(), &path);
        let out = cmd
            .args([
                "--user",
                "--map-root-user",
                "--mount",
                "/bin/sh",
                "-c",
                script,
                "sh",
            ])
            .arg(&shell)
            .arg(dist().dir.join("install.sh"))
            .env("MOUNT", &mount)
            .output()
            .unwrap();
        assert!(out.status.success(), "{tool}: {}", describe(&out));
        assert!(
            stdout(&out).contains("exit=1\nleft:\n"),
            "{tool}: {}",
            describe(&out)
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "{tool} could not write to the temp directory {}/gox-install.",
                s.path("tmp").display()
            )) && err.contains("free some space there, or set TMPDIR"),
            "{tool}: {err}"
        );
        assert!(!err.contains("your network"), "{tool}: {err}");
        assert!(s.bin_entries().is_empty(), "{tool}: {:?}", s.bin_entries());
    }
}

/// `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A directory with fake `uname` and `sysctl` (missing sysctl names fail like macOS's
/// "unknown oid"), first on PATH.
fn fake_host(dir: &Path, os: &str, machine: &str, sysctl: &[(&str, &str)]) -> String {
    fs::create_dir_all(dir).unwrap();
    let write = |name: &str, body: String| {
        let path = dir.join(name);
        fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        let mut perms = fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        fs::set_permissions(&path, perms).unwrap();
    };
    write(
        "uname",
        format!("case \"$1\" in -m) echo {machine} ;; *) echo {os} ;; esac\n"),
    );
    let cases: String = sysctl
        .iter()
        .map(|(k, v)| format!("{k}) echo {v} ;;\n"))
        .collect();
    write(
        "sysctl",
        format!(
            "[ \"$1\" = -n ] && shift\ncase \"$1\" in\n{cases}*) echo \"sysctl: unknown oid '$1'\" >&2; exit 1 ;;\nesac\n"
        ),
    );
    format!("{}:{}", dir.display(), system_path())
}

/// (name, uname -s, uname -m, sysctl answers, expected target).
type HostCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// A SHA256SUMS listing an archive of `versions` for every release target, with made-up
/// checksums: the dry run reads SHA256SUMS, and the test dist holds only the Linux x86_64
/// archive.
fn sums_for_every_target(versions: &[&str]) -> String {
    let mut sums = String::new();
    for version in versions {
        for target in [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "aarch64-apple-darwin",
            "x86_64-apple-darwin",
            "universal2-apple-darwin",
        ] {
            let file = format!("gox-{version}-{target}.tar.gz");
            let sha = gox_testkit::sha256_hex(file.as_bytes());
            sums.push_str(&format!("{sha}  {file}\n"));
        }
    }
    sums
}

#[test]
fn dry_run_picks_the_target_from_the_real_cpu() {
    let dist = dist();
    let sums = sums_for_every_target(&[VERSION, "1.2.3"]);
    let server = dist
        .mirror()
        .bytes("SHA256SUMS", sums.clone().into_bytes())
        .start();
    let s = Scratch::new();
    let cases: &[HostCase] = &[
        // A Rosetta terminal on an arm64 Mac: uname -m lies, the kernel does not.
        (
            "rosetta",
            "Darwin",
            "x86_64",
            &[("sysctl.proc_translated", "1")],
            "aarch64-apple-darwin",
        ),
        // Rosetta with both sysctls answering, as real Apple Silicon does.
        (
            "rosetta2",
            "Darwin",
            "x86_64",
            &[("sysctl.proc_translated", "1"), ("hw.optional.arm64", "1")],
            "aarch64-apple-darwin",
        ),
        // A native arm64 shell.
        (
            "arm64",
            "Darwin",
            "arm64",
            &[("sysctl.proc_translated", "0"), ("hw.optional.arm64", "1")],
            "aarch64-apple-darwin",
        ),
        // An Intel Mac: proc_translated does not exist, hw.optional.arm64 is 0.
        (
            "intel",
            "Darwin",
            "x86_64",
            &[("hw.optional.arm64", "0")],
            "x86_64-apple-darwin",
        ),
        (
            "linux-arm",
            "Linux",
            "aarch64",
            &[],
            "aarch64-unknown-linux-musl",
        ),
        (
            "linux-x86",
            "Linux",
            "x86_64",
            &[],
            "x86_64-unknown-linux-musl",
        ),
    ];
    for &(name, os, machine, sysctl, want) in cases {
        let path = fake_host(&s.path(name), os, machine, sysctl);
        for shell in ["dash", "bash"] {
            let out = s.install_sh(shell, &server, &["--dry-run"], &path);
            assert!(out.status.success(), "{name}/{shell}: {}", describe(&out));
            let printed = stdout(&out);
            let target_line = printed.lines().next().unwrap_or_default();
            assert!(
                target_line.starts_with(&format!("target:      {want}")),
                "{name}/{shell}: {printed}"
            );
            assert!(
                printed.contains(&format!(
                    "{}gox-{VERSION}-{want}.tar.gz",
                    server.download_base()
                )),
                "{name}/{shell}: {printed}"
            );
            assert!(printed.contains("SHA256SUMS"), "{printed}");
            // The checksum it would verify against, read from SHA256SUMS.
            let sha = gox_testkit::sha256_hex(format!("gox-{VERSION}-{want}.tar.gz").as_bytes());
            assert!(
                printed.contains(&format!("sha256:      {sha}")),
                "{name}/{shell}: {printed}"
            );
        }
    }
    // --version is used as given, without asking the manifest.
    let manifests = server.hits("manifest.json");
    let path = fake_host(
        &s.path("rosetta"),
        "Darwin",
        "x86_64",
        &[("sysctl.proc_translated", "1")],
    );
    let out = s.install_sh("dash", &server, &["--dry-run", "--version", "1.2.3"], &path);
    assert!(
        stdout(&out).contains("gox-1.2.3-aarch64-apple-darwin.tar.gz"),
        "{}",
        describe(&out)
    );
    assert!(
        stdout(&out).contains("Rosetta"),
        "the translated shell is named: {}",
        describe(&out)
    );
    assert_eq!(server.hits("manifest.json"), manifests);

    // Unknown OS / CPU: a clear error naming what was seen.
    for (os, machine, seen) in [
        ("Plan9", "x86_64", "Plan9"),
        ("Linux", "riscv64", "riscv64"),
    ] {
        let path = fake_host(&s.path(&format!("odd-{os}-{machine}")), os, machine, &[]);
        let out = s.install_sh("dash", &server, &["--dry-run"], &path);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert!(stderr(&out).contains(seen), "{}", describe(&out));
    }
    // Dry runs change nothing.
    assert!(s.bin_entries().is_empty());
    assert!(s.tmp_is_empty());
}

#[test]
fn install_sh_rejects_bad_arguments_and_plain_http() {
    let s = Scratch::new();
    let server = dist().mirror().start();
    let out = s.install_sh("dash", &server, &["--bogus"], &system_path());
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    // An empty version would silently mean "the manifest's": a usage error instead.
    for args in [&["--version="][..], &["--version"], &["--version", ""]] {
        let out = s.install_sh("dash", &server, args, &system_path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(stderr(&out).contains("needs a value"), "{}", describe(&out));
    }
    assert!(s.bin_entries().is_empty());

    // Plain http is for this machine only, and the host is what follows the userinfo:
    // http://127.0.0.1:x@127.0.0.2/ connects to 127.0.0.2.
    let port = server.addr().port();
    for (base, seen) in [
        (
            format!("http://127.0.0.1:x@127.0.0.2:{port}/dl"),
            "'127.0.0.2:",
        ),
        (
            format!("http://localhost@evil.example:{port}/dl"),
            "'evil.example:",
        ),
        (
            format!("http://evil.example#@127.0.0.1:{port}/dl"),
            "'evil.example'",
        ),
        (
            format!("http://127.0.0.1.evil.example:{port}/dl"),
            "'127.0.0.1.evil.example:",
        ),
        (format!("http://a@b@127.0.0.1:{port}/dl"), "ambiguous"),
        ("http://example.com/gox".to_string(), "'example.com'"),
    ] {
        let out = s.install_sh_with("dash", &base, &["--dry-run"], &system_path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{base}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(seen) && err.contains("https://"),
            "{base}: {err}"
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // User info before a loopback host is fine: the host is still this machine.
    let base = format!("http://user:pw@127.0.0.1:{port}/dl/");
    let out = s.install_sh_with("dash", &base, &["--dry-run"], &system_path(), &[]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = Command::new("dash")
        .arg(repo_file("install/install.sh"))
        .arg("--dry-run")
        .env_clear()
        .env("HOME", s.path("user"))
        .env("PATH", system_path())
        .env("GOX_INSTALL_BASE", "http://example.com/gox")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("https://"), "{}", describe(&out));
}

/// The dry run reads SHA256SUMS, so it says when the release has no build for the
/// machine's target instead of printing a URL that would 404 (docs/install.md).
#[test]
fn dry_run_says_when_the_release_has_no_build_for_the_target() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();
    let path = fake_host(
        &s.path("rosetta"),
        "Darwin",
        "x86_64",
        &[("sysctl.proc_translated", "1")],
    );
    for shell in ["dash", "bash"] {
        let out = s.install_sh(shell, &server, &["--dry-run"], &path);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        assert!(
            stdout(&out).starts_with("target:      aarch64-apple-darwin"),
            "{shell}: {}",
            describe(&out)
        );
        assert!(!stdout(&out).contains("archive:"), "{}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("this release has no aarch64-apple-darwin build"),
            "{err}"
        );
        assert!(
            err.contains(&dist.archive_name()),
            "lists what it has: {err}"
        );
    }
    assert!(s.tmp_is_empty());
}

/// `--dry-run` names the man dir, and it is the one gox self update and self uninstall
/// derive from the same install dir (gox-installer's manpages::man_dir), or none.
#[test]
fn dry_run_names_the_man_dir_gox_itself_uses() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();
    for dir in ["prefix/bin", "prefix/bin/", "tools", "prefix/bin/x"] {
        let install_dir = s.path(dir);
        let out = s.install_sh_with(
            "dash",
            &server.download_base(),
            &["--dry-run"],
            &system_path(),
            &[("GOX_INSTALL_DIR", install_dir.to_str().unwrap())],
        );
        assert!(out.status.success(), "{dir}: {}", describe(&out));
        let said = stdout(&out);
        let line = said
            .lines()
            .find_map(|l| l.strip_prefix("man pages:"))
            .unwrap_or_else(|| panic!("{dir}: no man pages line: {said}"))
            .trim();
        match gox_installer::manpages::man_dir(&install_dir) {
            Some(expected) => assert_eq!(line, expected.display().to_string(), "{dir}"),
            None => assert!(line.starts_with("none"), "{dir}: {line}"),
        }
    }
}

/// `--version V` against a base that holds another version names the version the base
/// holds and the two ways out, instead of blaming a missing target build.
#[test]
fn version_not_in_the_base_names_the_version_it_holds() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();
    for args in [
        &["--version", "9.9.9"][..],
        &["--dry-run", "--version=9.9.9"],
    ] {
        let out = s.install_sh("dash", &server, args, &system_path());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("holds gox {VERSION}, not 9.9.9")),
            "{args:?}: {err}"
        );
        assert!(err.contains("drop --version"), "{err}");
        assert!(
            err.contains("point GOX_INSTALL_BASE at the directory of version 9.9.9"),
            "{err}"
        );
        assert!(!err.contains("no x86_64-unknown-linux-musl build"), "{err}");
    }
    assert!(s.bin_entries().is_empty(), "{:?}", s.bin_entries());
    assert_eq!(archive_requests(&server, &dist), 0);
    assert!(s.tmp_is_empty());
}

/// A copy that fails while the two binaries are staged (here: the second, gox, as on a
/// full disk) leaves the old gox and gox-shim byte for byte, and no staged file behind.
#[test]
fn failed_staging_of_the_second_binary_leaves_the_old_install_untouched() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();
    fs::create_dir_all(s.bin()).unwrap();
    // An older install: gox reports another version, so install.sh replaces both.
    let old_gox = b"#!/bin/sh\necho gox 0.0.1-old\n".to_vec();
    let old_shim = b"old gox-shim bytes".to_vec();
    for (name, bytes) in [("gox", &old_gox), ("gox-shim", &old_shim)] {
        let file = s.bin().join(name);
        fs::write(&file, bytes).unwrap();
        let mut perms = fs::metadata(&file).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        fs::set_permissions(&file, perms).unwrap();
    }
    // A cp that writes part of gox's staging copy and fails like a full disk (ENOSPC);
    // every other copy is the real cp. Deterministic, unlike a tiny tmpfs (needs root).
    let real_cp = ["/usr/bin/cp", "/bin/cp"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("cp in /usr/bin or /bin");
    let fake = s.path("fake-cp");
    fs::create_dir_all(&fake).unwrap();
    let cp = fake.join("cp");
    fs::write(
        &cp,
        format!(
            "#!/bin/sh\nfor last; do :; done\ncase $last in\n*/.gox.gox-install.*)\n\thead -c 4096 \"$1\" >\"$last\"\n\techo \"cp: error writing '$last': No space left on device\" >&2\n\texit 1\n\t;;\nesac\nexec {real_cp} \"$@\"\n"
        ),
    )
    .unwrap();
    let mut perms = fs::metadata(&cp).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&cp, perms).unwrap();
    let path = format!("{}:{}", fake.display(), system_path());

    for shell in ["dash", "bash"] {
        let out = s.install_sh(shell, &server, &[], &path);
        assert_eq!(out.status.code(), Some(1), "{shell}: {}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains("cannot write"), "{err}");
        assert!(err.contains(".gox.gox-install."), "{err}");
        assert!(err.contains("left unchanged"), "{err}");
        assert_eq!(s.bin_entries(), ["gox", "gox-shim"], "{shell}");
        assert_eq!(fs::read(s.bin().join("gox")).unwrap(), old_gox, "{shell}");
        assert_eq!(
            fs::read(s.bin().join("gox-shim")).unwrap(),
            old_shim,
            "{shell}: gox-shim was replaced although gox could not be"
        );
        assert!(!s.path("gox-home/shims").exists(), "{shell}");
        assert!(s.tmp_is_empty(), "{shell}");
    }
}

#[test]
fn install_sh_error_messages_name_the_cause_and_the_fix() {
    let dist = dist();
    let server = dist.mirror().start();
    let s = Scratch::new();

    // A missing TMPDIR is named as such (not mktemp's "too few X's").
    let missing = s.path("no-such-tmp");
    let out = s.install_sh_with(
        "dash",
        &server.download_base(),
        &["--dry-run"],
        &system_path(),
        &[("TMPDIR", missing.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "TMPDIR is '{}', which is not an existing directory",
            missing.display()
        )),
        "{err}"
    );
    assert!(err.contains("mkdir -p"), "{err}");
    assert!(!err.contains("too few"), "{err}");

    // A failed download says what to check.
    let out = s.install_sh_with(
        "dash",
        &format!("{}/no-such-release", server.url()),
        &["--dry-run"],
        &system_path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cannot download") && err.contains("/no-such-release/manifest.json"),
        "{err}"
    );
    assert!(
        err.contains("GOX_INSTALL_BASE") && err.contains("HTTPS_PROXY"),
        "{err}"
    );

    // A plain path: the file:// URL that works is in the message, and works.
    let out = s.install_sh_with(
        "dash",
        dist.dir.to_str().unwrap(),
        &["--dry-run"],
        &system_path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let file_url = format!("file://{}", dist.dir.display());
    assert!(
        stderr(&out).contains(&format!("GOX_INSTALL_BASE={file_url}")),
        "{}",
        describe(&out)
    );
    let out = s.install_sh_with("dash", &file_url, &["--dry-run"], &system_path(), &[]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(s.tmp_is_empty());
}

#[test]
fn install_sh_passes_shellcheck() {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        support::skip_for_missing_tool("shellcheck is not installed (apt-get install shellcheck)");
        return;
    }
    let out = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style"])
        .arg(repo_file("install/install.sh"))
        .output()
        .unwrap();
    assert!(out.status.success(), "shellcheck: {}", describe(&out));
}

/// install.ps1 cannot run here (no PowerShell for Linux in the registries CI reaches), so it
/// is at least parsed: tree-sitter's PowerShell grammar must find no syntax error in it (nor
/// in the PowerShell completion script), and must find one in a copy with its `param(` block
/// broken (the check itself works).
#[test]
fn install_ps1_parses_as_powershell() {
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ps1_syntax.py");
    let check = |file: &Path| Command::new("python3").arg(&checker).arg(file).output();
    // The PowerShell completion script (clap_complete's) is PowerShell too.
    let completion = check(&repo_file("completions/_gox.ps1"));
    if let Ok(out) = &completion
        && out.status.code() != Some(2)
    {
        assert!(out.status.success(), "_gox.ps1: {}", describe(out));
    }
    let script = repo_file("install/install.ps1");
    let Ok(out) = check(&script) else {
        support::skip_for_missing_tool(&format!("no python3 to run {}", checker.display()));
        return;
    };
    if out.status.code() == Some(2) {
        support::skip_for_missing_tool(stdout(&out).trim());
        return;
    }
    assert!(out.status.success(), "install.ps1: {}", describe(&out));

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.ps1");
    let text = fs::read_to_string(&script).unwrap();
    assert!(text.contains("param("), "install.ps1 has no param( block");
    fs::write(&broken, text.replacen("param(", "param", 1)).unwrap();
    let out = check(&broken).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("broken.ps1:"), "{}", describe(&out));
}

/// install.ps1 cannot run here (no PowerShell): its text is snapshotted so every change
/// is reviewed, and it must name the same layout and defaults as dist and install.sh.
#[test]
fn install_ps1_snapshot_and_layout() {
    let ps1 = fs::read_to_string(repo_file("install/install.ps1")).unwrap();
    let sh = fs::read_to_string(repo_file("install/install.sh")).unwrap();
    insta::assert_snapshot!("install_ps1", ps1);
    for shared in [
        "https://github.com/gox-dev/gox/releases/latest/download",
        "https://github.com/gox-dev/gox/releases/download",
        "GOX_INSTALL_BASE",
        "GOX_INSTALL_DIR",
        "SHA256SUMS",
        "manifest.json",
        "already installed",
        "checksum mismatch",
        "setup --shell",
    ] {
        assert!(ps1.contains(shared), "install.ps1 lacks {shared}");
        assert!(sh.contains(shared), "install.sh lacks {shared}");
    }
    // The archive name and its top directory, as `cargo xtask dist` writes them.
    assert!(ps1.contains("\"gox-$Version-$target.zip\""));
    assert!(ps1.contains("\"x\\gox-$Version-$target\""));
    assert!(ps1.contains("'x86_64-pc-windows-gnu'"));
    assert!(ps1.contains("'gox-shim.exe', 'gox.exe'"));
    // The same messages as install.sh for the same situations.
    for shared in [
        "point GOX_INSTALL_BASE at the directory of version",
        "this release has no $target build",
        "file:///",
        "plain http:// only for 127.0.0.1, localhost or [::1]",
    ] {
        assert!(ps1.contains(shared), "install.ps1 lacks {shared}");
        assert!(sh.contains(shared), "install.sh lacks {shared}");
    }
    let at = |needle: &str| {
        ps1.find(needle)
            .unwrap_or_else(|| panic!("install.ps1 lacks {needle}"))
    };
    // -ModifyPath is Windows' user Path, through gox itself (run under Wine in
    // tests/windows.rs), not a $PROFILE line that only PowerShell reads.
    assert!(ps1.contains("& $gox setup --shell pwsh --user-path"));
    assert!(!ps1.contains("Add-Content -Path $PROFILE"));
    // -ModifyPath on an installed gox goes on to the user Path; only a plain rerun returns.
    assert!(ps1.contains("if ($installed -and -not $ModifyPath) {"));
    assert!(at("if ($installed -and -not $ModifyPath)") < at("if ($ModifyPath) {"));
    // Both binaries are staged before either is renamed over the old one, and the staged
    // files are removed on failure.
    assert!(at("Copy-Item (Join-Path $src $bin)") < at("Move-Item \"$dest.new\" $dest"));
    assert_eq!(ps1.matches("Copy-Item (Join-Path $src $bin)").count(), 1);
    assert!(ps1.contains("if ($staged) { Remove-Item -Force -Path $staged"));
    // The native CPU comes from the machine-wide registry value, which emulation does not
    // change; the per-process variables (AMD64 in x64 PowerShell on Arm) are not read.
    assert!(
        ps1.contains("'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment'")
    );
    assert!(
        !ps1.contains("$env:PROCESSOR_ARCHITE"),
        "reads the emulated value"
    );
    assert!(at("if ($cpu -eq 'ARM64')") < at("$target = 'x86_64-pc-windows-gnu'"));
    // Plain http only to loopback, judged on the parsed host (not a URL prefix).
    assert!(ps1.contains("$uri.Scheme -eq 'http' -and $uri.IsLoopback"));
    // Only what the dry run prints, the lines a user copies.
    let dry_run: Vec<&str> = ps1
        .lines()
        .skip_while(|l| !l.contains("if ($DryRun)"))
        .take_while(|l| !l.contains("return"))
        .collect();
    insta::assert_snapshot!("install_ps1_dry_run", dry_run.join("\n"));
}
