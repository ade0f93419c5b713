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

const VERSION: &str = "0.7.0-test";

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
        Command::new(shell)
            .arg(dist().dir.join("install.sh"))
            .args(args)
            .env_clear()
            .env("HOME", self.path("user"))
            .env("TMPDIR", self.path("tmp"))
            .env("PATH", path)
            .env("SHELL", "/bin/bash")
            .env("GOX_INSTALL_BASE", server.download_base())
            .env("GOX_INSTALL_DIR", self.bin())
            .env("GOX_HOME", self.path("gox-home"))
            .env("GOX_CACHE_DIR", self.path("cache"))
            .env("GOX_CONFIG", self.path("config.toml"))
            .output()
            .expect("run install.sh")
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
    ] {
        assert!(has(rel), "{rel} missing from {archive}: {entries:?}");
    }
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
            printed.contains(&format!("export PATH=\"$PATH:{}\"", s.bin().display())),
            "{shell}: {printed}"
        );
        assert!(shims.join("go").is_file() && shims.join("gofmt").is_file());
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

        if shell != "dash" {
            continue;
        }
        // --modify-path appends the lines once.
        fs::remove_file(s.bin().join("gox")).unwrap();
        let modify = s.install_sh(shell, &server, &["--modify-path"], &system_path());
        assert!(modify.status.success(), "{}", describe(&modify));
        let modify = s.install_sh(
            shell,
            &server,
            &["--modify-path", "--version", VERSION],
            &system_path(),
        );
        assert!(modify.status.success(), "{}", describe(&modify));
        let rc = fs::read_to_string(s.path("user/.bashrc")).unwrap();
        assert_eq!(rc.matches("/gox-home/shims").count(), 1, "{rc}");

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
    let dist = dist();
    let mut bytes = fs::read(dist.archive()).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let server = dist.mirror().bytes(&dist.archive_name(), bytes).start();
    let s = Scratch::new();
    let out = s.install_sh("dash", &server, &[], &system_path());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains(&dist.archive_name()), "{err}");
    assert!(s.bin_entries().is_empty(), "{:?}", s.bin_entries());
    assert!(!s.path("gox-home/shims").exists());
    assert!(s.tmp_is_empty());
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

#[test]
fn dry_run_picks_the_target_from_the_real_cpu() {
    let dist = dist();
    let server = dist.mirror().start();
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
        }
    }
    // --version is used as given, without asking the manifest.
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

#[test]
fn install_sh_passes_shellcheck() {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED: shellcheck is not installed (apt-get install shellcheck; CI installs it)"
        );
        return;
    }
    let out = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style"])
        .arg(repo_file("install/install.sh"))
        .output()
        .unwrap();
    assert!(out.status.success(), "shellcheck: {}", describe(&out));
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
    // Only what the dry run prints, the lines a user copies.
    let dry_run: Vec<&str> = ps1
        .lines()
        .skip_while(|l| !l.contains("if ($DryRun)"))
        .take_while(|l| !l.contains("return"))
        .collect();
    insta::assert_snapshot!("install_ps1_dry_run", dry_run.join("\n"));
}
