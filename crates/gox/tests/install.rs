//! `gox install / list / uninstall / ls-remote` through the real binary, against real Go
//! archives served on 127.0.0.1.

mod support;

use std::process::Command;

use gox_testkit::{Fault, FeedBuilder, MirrorBuilder, fixtures, sha256_hex};
#[cfg(target_os = "linux")]
use support::stderr_writes;
use support::{World, describe, raw_tar_gz, stderr};

#[test]
fn install_run_build_list_uninstall() {
    let w = World::new();
    w.ok(["install", "1.22.10"]);
    let go = w.goroot("1.22.10", "linux/amd64").join("bin/go");
    let out = Command::new(&go).arg("version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "go version go1.22.10 linux/amd64"
    );

    // The installed toolchain really compiles and runs a program.
    let project = w.projects().join("hello");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("go.mod"), "module hello\n\ngo 1.22\n").unwrap();
    std::fs::write(
        project.join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from gox\") }\n",
    )
    .unwrap();
    let build = Command::new(&go)
        .args(["build", "-o", "hello", "."])
        .current_dir(&project)
        .env("GOCACHE", w.cache().join("test-gocache"))
        .env("GOPATH", w.root.path().join("gopath"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(build.status.success(), "go build: {}", describe(&build));
    let run = Command::new(project.join("hello")).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "hello from gox"
    );

    // A partial spec picks the newest patch of that line.
    w.ok(["install", "1.21"]);
    assert_eq!(
        w.installed_dirs(),
        ["go1.21.13.linux-amd64", "go1.22.10.linux-amd64"]
    );

    let list: serde_json::Value = serde_json::from_str(&w.ok(["list", "--json"])).unwrap();
    let rows: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_str().unwrap().into(),
                r["platform"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("1.22.10".to_string(), "linux/amd64".to_string()),
            ("1.21.13".into(), "linux/amd64".into())
        ]
    );
    assert!(
        list[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("go1.22.10.linux-amd64")
    );
    assert_eq!(list[0]["active"], false);

    // Receipt records provenance.
    let receipt: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(w.goroot("1.22.10", "linux/amd64").join(".gox-receipt.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        receipt["sha256"],
        fixtures().archive("1.22.10", "linux/amd64").sha256
    );
    assert_eq!(receipt["platform"], "linux/amd64");

    w.ok(["uninstall", "1.21.13"]);
    assert_eq!(w.installed_dirs(), ["go1.22.10.linux-amd64"]);
    let again = w.run(["uninstall", "1.21.13"]);
    assert_eq!(again.status.code(), Some(127), "{}", describe(&again));
    // gox's own errors, like the shim's, reach stderr in one write (parallel CI steps).
    #[cfg(target_os = "linux")]
    assert_eq!(
        stderr_writes(w.gox().args(["uninstall", "1.21.13"])),
        [stderr(&again)],
    );
}

#[test]
fn reinstall_is_offline_and_cached_archive_is_reused() {
    let w = World::new();
    w.ok(["install", "1.21.13"]);
    assert!(
        w.downloads()
            .contains(&"go1.21.13.linux-amd64.tar.gz".to_string())
    );
    let archive = "go1.21.13.linux-amd64.tar.gz";
    assert_eq!(w.server.hits(archive), 1);

    // Installed already: no network at all, not even the feed.
    w.server.clear_requests();
    let out = w.run(["install", "1.21.13"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("already installed"),
        "{}",
        describe(&out)
    );
    assert!(w.server.requests().is_empty(), "{:?}", w.server.requests());

    // --force reinstalls from the verified download cache, not the network.
    let out = w.run(["install", "1.21.13", "--force"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("download cache"),
        "{}",
        describe(&out)
    );
    assert_eq!(w.server.hits(archive), 0);
    assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"]);
}

#[test]
fn a_local_mirror_directory_with_a_space_in_its_path() {
    // A shared filesystem mirror (docs/fleet.md), by path and by file:// URL; its name has a
    // space and a non-ASCII letter, which the URL carries percent-encoded.
    let w = World::new();
    let archive = fixtures().archive("1.21.13", "linux/amd64");
    let dir = w.root.path().join("go mirror ü");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&archive.path, dir.join(&archive.filename)).unwrap();
    let url = format!(
        "file://{}/",
        dir.to_str()
            .unwrap()
            .replace(' ', "%20")
            .replace('ü', "%C3%BC")
    );
    for (how, mirror) in [("path", dir.to_str().unwrap()), ("URL", url.as_str())] {
        let _ = std::fs::remove_dir_all(w.cache().join("downloads"));
        let out = w
            .gox()
            .env("GOX_DOWNLOAD_BASE", mirror)
            .args(["install", "1.21.13", "--force"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{how}: {}", describe(&out));
        assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"], "{how}");
        assert_eq!(w.server.hits(&archive.filename), 0, "{how}");
    }
}

#[test]
fn installs_real_darwin_and_windows_archives_for_other_platforms() {
    let w = World::new();
    for platform in [
        "darwin/arm64",
        "darwin/amd64",
        "windows/amd64",
        "linux/arm64",
    ] {
        let out = w.run(["install", "1.22.10", "--platform", platform]);
        assert!(out.status.success(), "{platform}: {}", describe(&out));
    }
    assert_eq!(
        w.installed_dirs(),
        [
            "go1.22.10.darwin-amd64",
            "go1.22.10.darwin-arm64",
            "go1.22.10.linux-arm64",
            "go1.22.10.windows-amd64"
        ]
    );
    assert!(
        w.goroot("1.22.10", "windows/amd64")
            .join("bin/go.exe")
            .is_file()
    );
    assert!(
        w.goroot("1.22.10", "darwin/arm64")
            .join("pkg/tool/darwin_arm64/compile")
            .is_file()
    );
}

/// A feed that lists one linux/amd64 archive for 1.22.10 with the given checksum, whose
/// bytes are served from `path`.
fn mirror_serving(
    filename: &str,
    path: &std::path::Path,
    sha256: &str,
    os: &str,
    arch: &str,
) -> MirrorBuilder {
    let size = std::fs::metadata(path).unwrap().len();
    let feed = FeedBuilder::new()
        .archive("1.22.10", os, arch, filename, sha256, size)
        .to_json();
    MirrorBuilder::new().feed(feed).file(filename, path)
}

fn assert_nothing_installed(w: &World) {
    assert!(
        w.toolchains_entries().is_empty(),
        "left behind: {:?}",
        w.toolchains_entries()
    );
    assert!(
        w.downloads().is_empty(),
        "download kept: {:?}",
        w.downloads()
    );
}

#[test]
fn checksum_mismatch_is_refused() {
    let real = fixtures().archive("1.22.10", "linux/amd64");
    let w = World::with_mirror(mirror_serving(
        &real.filename,
        &real.path,
        &"0".repeat(64),
        "linux",
        "amd64",
    ));
    let out = w.run(["install", "1.22.10"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("checksum mismatch") && err.contains(&real.sha256),
        "{err}"
    );
    assert_nothing_installed(&w);
}

#[test]
fn archive_with_binaries_for_another_arch_is_refused_despite_correct_checksum() {
    // Named and listed as linux/amd64, but the binaries inside are linux/arm64.
    let arm = fixtures().archive("1.22.10", "linux/arm64");
    let w = World::with_mirror(mirror_serving(
        "go1.22.10.linux-amd64.tar.gz",
        &arm.path,
        &arm.sha256,
        "linux",
        "amd64",
    ));
    let out = w.run(["install", "1.22.10"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("go/bin/go is an ELF") && err.contains("arm64") && err.contains("linux/amd64"),
        "{err}"
    );
    assert_nothing_installed(&w);
}

#[test]
fn darwin_arm64_archive_carrying_amd64_binaries_is_refused() {
    let intel = fixtures().archive("1.22.10", "darwin/amd64");
    let w = World::with_mirror(mirror_serving(
        "go1.22.10.darwin-arm64.tar.gz",
        &intel.path,
        &intel.sha256,
        "darwin",
        "arm64",
    ));
    let out = w.run(["install", "1.22.10", "--platform", "darwin/arm64"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("darwin/arm64") && (err.contains("amd64") || err.contains("x86")),
        "{err}"
    );
    assert_nothing_installed(&w);
}

#[test]
fn archive_escaping_with_dotdot_is_refused_and_writes_nothing_outside() {
    let evil = raw_tar_gz(&[("go/bin/go", b"x"), ("go/../../../escaped.txt", b"pwned")]);
    let sha = sha256_hex(&evil);
    let name = "go1.22.10.linux-amd64.tar.gz";
    let feed = FeedBuilder::new()
        .archive("1.22.10", "linux", "amd64", name, &sha, evil.len() as u64)
        .to_json();
    let w = World::with_mirror(MirrorBuilder::new().feed(feed).bytes(name, evil));
    let out = w.run(["install", "1.22.10"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("escaped.txt"), "{}", describe(&out));
    for dir in [
        w.root.path().to_path_buf(),
        w.home(),
        w.toolchains(),
        w.root.path().parent().unwrap().to_path_buf(),
    ] {
        assert!(
            !dir.join("escaped.txt").exists(),
            "written outside: {}",
            dir.display()
        );
    }
    assert_nothing_installed(&w);
}

#[test]
fn http_404_is_an_error_naming_the_url() {
    let real = fixtures().archive("1.22.10", "linux/amd64");
    let w = World::with_mirror(fixtures().mirror().fault(&real.filename, Fault::NotFound));
    let out = w.run(["install", "1.22.10"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("404") && err.contains(&real.filename), "{err}");
    assert_nothing_installed(&w);
}

#[test]
fn dropped_connection_is_an_error_and_leaves_nothing() {
    let real = fixtures().archive("1.22.10", "linux/amd64");
    let w = World::with_mirror(
        fixtures()
            .mirror()
            .fault(&real.filename, Fault::DropAfter(5 * 1024 * 1024)),
    );
    let out = w
        .gox()
        .env("GOX_RETRIES", "2")
        .args(["install", "1.22.10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains(&real.filename), "{}", describe(&out));
    assert!(
        w.toolchains_entries().is_empty(),
        "{:?}",
        w.toolchains_entries()
    );
    // Only the marked partial download (and its validator) is kept, for a resume.
    let mut kept = w.downloads();
    kept.sort();
    assert_eq!(
        kept,
        [
            format!("{}.part", real.filename),
            format!("{}.part.meta", real.filename)
        ]
    );
}

#[test]
fn empty_feed_checksum_requires_explicit_sha256() {
    let real = fixtures().archive("1.21.13", "linux/amd64");
    let w = World::with_mirror(mirror_serving(
        &real.filename,
        &real.path,
        "",
        "linux",
        "amd64",
    ));
    // The feed above calls it 1.22.10; what matters is the empty checksum.
    let out = w.run(["install", "1.22.10"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("--sha256"), "{}", describe(&out));
    assert_nothing_installed(&w);
}

#[test]
fn local_archive_install_needs_and_checks_a_checksum() {
    let real = fixtures().archive("1.21.13", "linux/amd64");
    // Offline mirror: the feed is unreachable, so only --sha256 can vouch.
    let w = World::with_mirror(MirrorBuilder::new().fault("feed", Fault::Status(500)));
    let archive = real.path.to_str().unwrap();
    let wrong = w.run([
        "install",
        "--archive",
        archive,
        "--sha256",
        &"ab".repeat(32),
    ]);
    assert_eq!(wrong.status.code(), Some(1), "{}", describe(&wrong));
    assert!(stderr(&wrong).contains("checksum mismatch"));
    assert!(w.installed_dirs().is_empty());
    // A mistyped path is named as missing, even when its name tells no version.
    let missing = w.run(["install", "--archive", "/nonexistent/go.tar.gz"]);
    assert_eq!(missing.status.code(), Some(2), "{}", describe(&missing));
    assert!(
        stderr(&missing).contains("/nonexistent/go.tar.gz: no such file"),
        "{}",
        describe(&missing)
    );

    let out = w.run([
        "install",
        "--archive",
        archive,
        "--sha256",
        &real.sha256.to_uppercase(),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"]);
}

/// An archive of another Go version is never installed under the version asked for: the
/// feed's checksum is that of the release asked for (not of the file's name), a `--sha256`
/// contradicting the feed is refused, and with no feed `bin/go`'s build info tells.
#[test]
fn an_archive_of_another_version_is_refused() {
    let other = fixtures().archive("1.21.13", "linux/amd64");
    let archive = other.path.to_str().unwrap();
    let vouched = |w: &World| {
        w.run([
            "install",
            "1.22.10",
            "--archive",
            archive,
            "--sha256",
            &other.sha256,
        ])
    };
    let w = World::new();
    let out = w.run(["install", "1.22.10", "--archive", archive]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        describe(&out)
    );
    assert!(
        stderr(&out).contains("the file was left as it is"),
        "{}",
        describe(&out)
    );
    assert!(other.path.is_file());
    let out = vouched(&w);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("contradicts the checksum") && stderr(&out).contains("drop --sha256"),
        "{}",
        describe(&out)
    );
    assert!(w.installed_dirs().is_empty());

    let offline = World::with_mirror(MirrorBuilder::new().fault("feed", Fault::Status(500)));
    let out = vouched(&offline);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("was built as go1.21.13, but the archive claims go1.22.10"),
        "{}",
        describe(&out)
    );
    assert!(offline.installed_dirs().is_empty());
}

#[test]
fn ls_remote_lists_newest_first_and_handles_feed_oddities() {
    let w = World::new();
    let json: serde_json::Value = serde_json::from_str(&w.ok(["ls-remote", "--json"])).unwrap();
    let versions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    let pos = |v: &str| {
        versions
            .iter()
            .position(|x| *x == v)
            .unwrap_or_else(|| panic!("{v} missing: {versions:?}"))
    };
    assert!(pos("1.22.10") < pos("1.21.13"));
    assert!(!versions.contains(&"1.23rc1"), "pre-release without --all");
    let platforms = &json[pos("1.22.10")]["platforms"];
    assert!(
        platforms
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "windows/amd64"),
        "{platforms}"
    );

    let all: serde_json::Value =
        serde_json::from_str(&w.ok(["ls-remote", "--all", "--json"])).unwrap();
    let all: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    let at = |v: &str| {
        all.iter()
            .position(|x| *x == v)
            .unwrap_or_else(|| panic!("{v} missing: {all:?}"))
    };
    assert!(at("1.23rc1") < at("1.22.10"));
    // go1.9.2rc2 is not a valid Go version, but it is listed, in order.
    assert!(
        at("1.21.13") < at("1.9.2rc2") && at("1.9.2rc2") < at("1.4.3"),
        "{all:?}"
    );

    let line = w.ok(["ls-remote", "1.21"]);
    assert_eq!(line.lines().collect::<Vec<_>>(), ["1.21.13"]);
}

#[test]
fn bad_specs_and_platforms_are_usage_errors() {
    let w = World::new();
    for args in [
        vec!["install", "1.x"],
        vec!["install", "1.22.10", "--platform", "beos/m68k"],
        vec!["install", "--bogus"],
    ] {
        let out = w.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
    let out = w.run(["install", "1.99.0"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("ls-remote"), "{}", describe(&out));
}

#[test]
fn concurrent_installs_of_one_toolchain_serialize_on_its_lock() {
    let w = World::new();
    let spawn = || {
        w.gox()
            .args(["install", "1.21.13"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", describe(&a));
    assert!(b.status.success(), "{}", describe(&b));
    // One did the work; the other waited for the lock and then found it installed.
    let said = format!("{}{}", stderr(&a), stderr(&b));
    assert!(said.contains("already installed"), "{said}");
    assert_eq!(w.installed_dirs(), ["go1.21.13.linux-amd64"]);
    assert_eq!(
        w.toolchains_entries(),
        ["go1.21.13.linux-amd64"],
        "no staging or trash left"
    );
}
