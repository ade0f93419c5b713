//! `self_update::update` against hand-made, minisign-signed dists served on 127.0.0.1: the
//! happy path, and every refusal leaving the installed binaries byte-for-byte intact.

use std::path::{Path, PathBuf};

use gox_installer::Progress;
use gox_installer::self_update::{self, Outcome, Request, SelfUpdateError};
use gox_testkit::{Fault, MirrorBuilder, MirrorServer, entry_names};
use sha2::{Digest, Sha256};

const TARGET: &str = "x86_64-unknown-linux-musl";
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;

/// A 64-byte ELF header (what the header reader looks at) plus a tag to tell files apart.
fn elf(machine: u16, tag: &str) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // 64-bit
    h[5] = 1; // little-endian
    h[6] = 1; // EV_CURRENT
    h[16] = 2; // ET_EXEC
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h[20] = 1;
    h.extend_from_slice(tag.as_bytes());
    h
}

/// A stand-in `gox-shim`: an ELF header and the text every gox-shim carries, then `tag`.
fn shim(tag: &str) -> Vec<u8> {
    elf(
        EM_X86_64,
        &format!("{} ({tag})", gox_core::shim_identity::MARK),
    )
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A `.tar.gz` of `top/<name>` entries.
fn pack(top: &str, entries: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        header.set_cksum();
        tar.append_data(&mut header, format!("{top}/{name}"), *data)
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

struct Key {
    pair: minisign::KeyPair,
}

impl Key {
    fn new() -> Self {
        Key {
            pair: minisign::KeyPair::generate_unencrypted_keypair().unwrap(),
        }
    }
    fn public(&self) -> String {
        self.pair.pk.to_base64()
    }
    fn sign(&self, data: &[u8]) -> Vec<u8> {
        minisign::sign(Some(&self.pair.pk), &self.pair.sk, data, None, None)
            .unwrap()
            .to_string()
            .into_bytes()
    }
}

/// The files of a dist for one target: name → bytes.
struct Dist {
    version: String,
    files: Vec<(String, Vec<u8>)>,
}

impl Dist {
    fn new(key: &Key, version: &str, gox: &[u8], shim: &[u8]) -> Self {
        let top = format!("gox-{version}-{TARGET}");
        let file = format!("{top}.tar.gz");
        let archive = pack(
            &top,
            &[("README.md", b"readme"), ("gox", gox), ("gox-shim", shim)],
        );
        let manifest = serde_json::json!({
            "version": version,
            "artifacts": [{
                "target": TARGET, "os": "linux", "arch": "amd64", "file": file,
                "sha256": sha256(&archive), "size": archive.len(),
            }],
        })
        .to_string()
        .into_bytes();
        let sums = format!("{}  {file}\n", sha256(&archive)).into_bytes();
        let sig = key.sign(&manifest);
        Dist {
            version: version.into(),
            files: vec![
                ("manifest.json".into(), manifest),
                ("manifest.json.minisig".into(), sig),
                ("SHA256SUMS".into(), sums),
                (file, archive),
            ],
        }
    }

    fn archive_name(&self) -> String {
        format!("gox-{}-{TARGET}.tar.gz", self.version)
    }

    fn get_mut(&mut self, name: &str) -> &mut Vec<u8> {
        &mut self.files.iter_mut().find(|(n, _)| n == name).unwrap().1
    }

    fn serve(&self, builder: MirrorBuilder, prefix: &str) -> MirrorBuilder {
        self.files.iter().fold(builder, |b, (name, data)| {
            b.bytes(&format!("{prefix}{name}"), data.clone())
        })
    }
}

/// An installed gox 0.0.1: bin/{gox,gox-shim}, home/shims/{go (hard link), gofmt (copy),
/// go1.22.10 (copy)}.
struct Installed {
    root: tempfile::TempDir,
}

const OLD_GOX: &str = "old gox 0.0.1";
const OLD_SHIM: &str = "old shim 0.0.1";

impl Installed {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let shims = root.path().join("home/shims");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&shims).unwrap();
        std::fs::write(bin.join("gox"), elf(EM_X86_64, OLD_GOX)).unwrap();
        std::fs::write(bin.join("gox-shim"), shim(OLD_SHIM)).unwrap();
        std::fs::hard_link(bin.join("gox-shim"), shims.join("go")).unwrap();
        std::fs::copy(bin.join("gox-shim"), shims.join("gofmt")).unwrap();
        std::fs::copy(bin.join("gox-shim"), shims.join("go1.22.10")).unwrap();
        Installed { root }
    }
    fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }
    fn shims(&self) -> PathBuf {
        self.root.path().join("home/shims")
    }
    fn request<'a>(&self, server: &MirrorServer, key: &'a str) -> Request<'a> {
        Request {
            base: server.download_base(),
            public_key: Some(key),
            current: "0.0.1",
            wanted: None,
            check_only: false,
            host: "linux/amd64".parse().unwrap(),
            install_dir: self.bin(),
            shims_dir: self.shims(),
            // One attempt: a refused download must fail now, not after backoff.
            policy: gox_resolver::RetryPolicy {
                attempts: 1,
                ..Default::default()
            },
        }
    }

    /// Everything is exactly as [`Installed::new`] left it, and no staging dir is left.
    fn assert_untouched(&self) {
        let old_gox = elf(EM_X86_64, OLD_GOX);
        let old_shim = shim(OLD_SHIM);
        assert_eq!(std::fs::read(self.bin().join("gox")).unwrap(), old_gox);
        assert_eq!(
            std::fs::read(self.bin().join("gox-shim")).unwrap(),
            old_shim
        );
        for shim in ["go", "gofmt", "go1.22.10"] {
            assert_eq!(
                std::fs::read(self.shims().join(shim)).unwrap(),
                old_shim,
                "{shim}"
            );
        }
        assert_eq!(entry_names(&self.bin()), ["gox", "gox-shim"]);
        assert_eq!(entry_names(&self.shims()), ["go", "go1.22.10", "gofmt"]);
    }
}

async fn update(req: &Request<'_>) -> Result<Outcome, SelfUpdateError> {
    self_update::update(&reqwest::Client::new(), req, Progress::Quiet).await
}

fn new_dist(key: &Key, version: &str) -> Dist {
    Dist::new(
        key,
        version,
        &elf(EM_X86_64, &format!("new gox {version}")),
        &shim(&format!("new shim {version}")),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn updates_binaries_and_every_shim() {
    let key = Key::new();
    let dist = new_dist(&key, "9.9.9");
    let server = dist.serve(MirrorBuilder::new(), "").start();
    let installed = Installed::new();
    let public = key.public();
    let req = installed.request(&server, &public);

    // --check reports and changes nothing.
    let check = update(&Request {
        check_only: true,
        ..req.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        check,
        Outcome::Available {
            current: "0.0.1".into(),
            latest: "9.9.9".into(),
            pinned: false,
        }
    );
    installed.assert_untouched();

    // A user's own script with a shim's name (docs/self-update.md): never overwritten.
    let script = b"#!/bin/sh\nexec /opt/go-tip/bin/go \"$@\"\n";
    let users = installed.shims().join("go1.99.0");
    std::fs::write(&users, script).unwrap();
    let Outcome::Updated(done) = update(&req).await.unwrap() else {
        panic!("not updated")
    };
    assert_eq!((done.from.as_str(), done.to.as_str()), ("0.0.1", "9.9.9"));
    assert_eq!(done.shims.len(), 3, "{done:?}");
    assert!(
        done.binaries.iter().all(|w| w.replaced),
        "{:?}",
        done.binaries
    );
    let new_shim = shim("new shim 9.9.9");
    assert_eq!(
        std::fs::read(installed.bin().join("gox")).unwrap(),
        elf(EM_X86_64, "new gox 9.9.9")
    );
    assert_eq!(
        std::fs::read(installed.bin().join("gox-shim")).unwrap(),
        new_shim
    );
    for shim in ["go", "gofmt", "go1.22.10"] {
        assert_eq!(
            std::fs::read(installed.shims().join(shim)).unwrap(),
            new_shim,
            "{shim}"
        );
    }
    assert_eq!(
        entry_names(&installed.bin()),
        ["gox", "gox-shim"],
        "staging left behind"
    );
    assert_eq!(
        entry_names(&installed.shims()),
        ["go", "go1.22.10", "go1.99.0", "gofmt"]
    );
    assert_eq!(std::fs::read(&users).unwrap(), script);
    assert_eq!(done.foreign_shims, [users]);

    // Again from 9.9.9: nothing to do.
    let again = update(&Request {
        current: "9.9.9",
        ..req.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        again,
        Outcome::UpToDate {
            version: "9.9.9".into()
        }
    );
}

/// Runs an update that must fail, and checks nothing changed.
async fn refused(dist: &Dist, key: &Key, faults: &[(&str, Fault)]) -> SelfUpdateError {
    let builder = faults
        .iter()
        .fold(dist.serve(MirrorBuilder::new(), ""), |b, (name, f)| {
            b.fault(name, f.clone())
        });
    let server = builder.start();
    let installed = Installed::new();
    let public = key.public();
    let err = update(&installed.request(&server, &public))
        .await
        .unwrap_err();
    installed.assert_untouched();
    // Every refusal names the URL it is about and says what to do next.
    let text = err.to_string();
    assert!(text.contains(&server.url()), "no URL in: {text}");
    assert!(
        text.contains("nothing was changed")
            && (text.contains("GOX_UPDATE_BASE") || text.contains("gox self update")),
        "no next step in: {text}"
    );
    err
}

#[tokio::test(flavor = "current_thread")]
async fn manifest_edited_after_signing_is_refused() {
    let key = Key::new();
    let mut dist = new_dist(&key, "9.9.9");
    let manifest = dist.get_mut("manifest.json");
    let text = String::from_utf8(manifest.clone())
        .unwrap()
        .replace("9.9.9", "9.9.8");
    *manifest = text.into_bytes();
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::Signature { .. }), "{err}");
    assert!(err.to_string().contains("manifest.json"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn another_key_is_refused() {
    let key = Key::new();
    let dist = new_dist(&Key::new(), "9.9.9");
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::Signature { .. }), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn archive_with_other_bytes_is_refused() {
    let key = Key::new();
    let mut dist = new_dist(&key, "9.9.9");
    let name = dist.archive_name();
    // SHA256SUMS still agrees with the signed manifest; only the archive bytes differ.
    let archive = dist.get_mut(&name);
    let last = archive.len() - 1;
    archive[last] ^= 0xff;
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::Checksum { .. }), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn sha256sums_disagreeing_is_refused() {
    let key = Key::new();
    let mut dist = new_dist(&key, "9.9.9");
    let name = dist.archive_name();
    *dist.get_mut("SHA256SUMS") = format!("{}  {name}\n", "0".repeat(64)).into_bytes();
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::SumsDisagree { .. }), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn truncated_download_is_refused() {
    let key = Key::new();
    let dist = new_dist(&key, "9.9.9");
    let name = dist.archive_name();
    let err = refused(&dist, &key, &[(&name, Fault::DropAfter(100))]).await;
    assert!(
        matches!(
            err,
            SelfUpdateError::Fetch { .. } | SelfUpdateError::Size { .. }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn wrong_cpu_is_refused() {
    let key = Key::new();
    // Correctly signed, correct checksums, but arm64 binaries for an amd64 host.
    let dist = Dist::new(
        &key,
        "9.9.9",
        &elf(EM_AARCH64, "arm gox"),
        &elf(EM_AARCH64, "arm shim"),
    );
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::WrongCpu { .. }), "{err}");
    assert!(err.to_string().contains("arm64"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn archive_without_the_shim_is_refused() {
    let key = Key::new();
    let mut dist = new_dist(&key, "9.9.9");
    // Re-pack without gox-shim and re-sign, as a broken release would be.
    let top = format!("gox-9.9.9-{TARGET}");
    let archive = pack(&top, &[("gox", &elf(EM_X86_64, "new gox"))]);
    let name = dist.archive_name();
    let manifest = serde_json::json!({"version": "9.9.9", "artifacts": [{
        "target": TARGET, "os": "linux", "arch": "amd64", "file": name,
        "sha256": sha256(&archive), "size": archive.len()}]})
    .to_string()
    .into_bytes();
    *dist.get_mut("manifest.json.minisig") = key.sign(&manifest);
    *dist.get_mut("manifest.json") = manifest;
    *dist.get_mut("SHA256SUMS") = format!("{}  {name}\n", sha256(&archive)).into_bytes();
    *dist.get_mut(&name) = archive;
    let err = refused(&dist, &key, &[]).await;
    assert!(matches!(err, SelfUpdateError::Archive { .. }), "{err}");
    assert!(err.to_string().contains("gox-shim"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn downgrade_needs_an_explicit_version() {
    let key = Key::new();
    let old = new_dist(&key, "0.0.1");
    let server = old.serve(MirrorBuilder::new(), "").start();
    let installed = Installed::new();
    let public = key.public();
    let req = Request {
        current: "1.0.0",
        ..installed.request(&server, &public)
    };
    let err = update(&req).await.unwrap_err();
    assert!(matches!(err, SelfUpdateError::Downgrade { .. }), "{err}");
    assert!(
        err.to_string().contains("gox self update --version 0.0.1"),
        "{err}"
    );
    installed.assert_untouched();
    let check = update(&Request {
        check_only: true,
        ..req.clone()
    })
    .await
    .unwrap();
    assert!(matches!(check, Outcome::OlderOnly { .. }), "{check:?}");

    let Outcome::Updated(done) = update(&Request {
        wanted: Some("0.0.1".into()),
        ..req
    })
    .await
    .unwrap() else {
        panic!("explicit downgrade refused")
    };
    assert_eq!(done.to, "0.0.1");
    assert_eq!(
        std::fs::read(installed.bin().join("gox")).unwrap(),
        elf(EM_X86_64, "new gox 0.0.1")
    );
}

impl Dist {
    fn write_to(&self, dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        for (name, data) in &self.files {
            std::fs::write(dir.join(name), data).unwrap();
        }
    }
}

/// `--version V` when the base serves another release: `<base>/V/` (here through file://,
/// which `GOX_UPDATE_BASE` accepts like a loopback URL).
#[tokio::test(flavor = "current_thread")]
async fn explicit_version_from_a_versioned_subdirectory() {
    let key = Key::new();
    let dists = tempfile::tempdir().unwrap();
    new_dist(&key, "9.9.9").write_to(dists.path());
    new_dist(&key, "5.0.0").write_to(&dists.path().join("5.0.0"));
    let installed = Installed::new();
    let public = key.public();
    let server = MirrorBuilder::new().start();
    let req = Request {
        base: format!("file://{}", dists.path().display()),
        wanted: Some("5.0.0".into()),
        ..installed.request(&server, &public)
    };
    let Outcome::Updated(done) = update(&req).await.unwrap() else {
        panic!("not updated")
    };
    assert_eq!(done.to, "5.0.0");
    assert_eq!(
        std::fs::read(installed.bin().join("gox")).unwrap(),
        elf(EM_X86_64, "new gox 5.0.0")
    );

    let err = update(&Request {
        wanted: Some("4.0.0".into()),
        ..req
    })
    .await
    .unwrap_err();
    assert!(
        matches!(err, SelfUpdateError::NotThatVersion { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("<base>/4.0.0/"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_build_without_key_refuses_with_the_way_out() {
    let installed = Installed::new();
    let server = MirrorBuilder::new().start();
    let req = Request {
        public_key: None,
        ..installed.request(&server, "")
    };
    let err = update(&req).await.unwrap_err();
    assert!(matches!(err, SelfUpdateError::NoPublicKey), "{err}");
    assert!(err.to_string().contains("install.sh"), "{err}");
    assert!(server.requests().is_empty());
    installed.assert_untouched();
}

/// Pre-release versions are ordered by SemVer precedence: rc.10 is newer than rc.9.
#[tokio::test(flavor = "current_thread")]
async fn prerelease_numbers_compare_numerically() {
    let key = Key::new();
    let server = new_dist(&key, "1.0.0-rc.10")
        .serve(MirrorBuilder::new(), "")
        .start();
    let installed = Installed::new();
    let public = key.public();
    let req = Request {
        current: "1.0.0-rc.9",
        ..installed.request(&server, &public)
    };
    let check = update(&Request {
        check_only: true,
        ..req.clone()
    })
    .await
    .unwrap();
    assert!(matches!(check, Outcome::Available { .. }), "{check:?}");
    let Outcome::Updated(done) = update(&req).await.unwrap() else {
        panic!("rc.9 -> rc.10 not updated")
    };
    assert_eq!(done.to, "1.0.0-rc.10");

    let err = update(&Request {
        current: "1.0.0-rc.11",
        ..req
    })
    .await
    .unwrap_err();
    assert!(matches!(err, SelfUpdateError::Downgrade { .. }), "{err}");
}

/// manifest.json, its signature and SHA256SUMS are fetched under the retry policy, like
/// archives: a server answering 503 twice per file still serves the update.
#[tokio::test(flavor = "current_thread")]
async fn small_files_are_retried() {
    let key = Key::new();
    let dist = new_dist(&key, "9.9.9");
    let mut builder = dist.serve(MirrorBuilder::new(), "");
    for name in ["manifest.json", "manifest.json.minisig", "SHA256SUMS"] {
        builder = builder.fault_first(name, Fault::Status(503), 2);
    }
    let server = builder.start();
    let installed = Installed::new();
    let public = key.public();
    let req = Request {
        policy: gox_resolver::RetryPolicy {
            attempts: 3,
            base: std::time::Duration::from_millis(1),
            cap: std::time::Duration::from_millis(5),
            ..Default::default()
        },
        ..installed.request(&server, &public)
    };
    let Outcome::Updated(done) = update(&req).await.unwrap() else {
        panic!("not updated")
    };
    assert_eq!(done.to, "9.9.9");
    for name in ["manifest.json", "manifest.json.minisig", "SHA256SUMS"] {
        assert_eq!(server.hits(name), 3, "{name}");
    }

    // With one attempt allowed the 503 is final, and the message says how to retry harder.
    let server = new_dist(&key, "9.9.9")
        .serve(MirrorBuilder::new(), "")
        .fault_first("manifest.json", Fault::Status(503), 2)
        .start();
    let installed = Installed::new();
    let err = update(&installed.request(&server, &public))
        .await
        .unwrap_err();
    assert!(matches!(err, SelfUpdateError::Fetch { .. }), "{err}");
    assert!(err.to_string().contains("GOX_RETRIES"), "{err}");
    assert_eq!(server.hits("manifest.json"), 1);
    installed.assert_untouched();
}

/// A malformed `--version` is refused before anything is fetched: it becomes part of a URL.
#[tokio::test(flavor = "current_thread")]
async fn malformed_version_is_refused_before_any_request() {
    let key = Key::new();
    let server = new_dist(&key, "9.9.9")
        .serve(MirrorBuilder::new(), "")
        .start();
    let installed = Installed::new();
    let public = key.public();
    for bad in ["../x", "", "1.0/../../etc"] {
        let err = update(&Request {
            wanted: Some(bad.into()),
            ..installed.request(&server, &public)
        })
        .await
        .unwrap_err();
        assert!(
            matches!(err, SelfUpdateError::InvalidVersion { .. }),
            "{bad:?}: {err}"
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    installed.assert_untouched();
}

/// `--check --version V` says the release is there and that `self update` would use it.
#[tokio::test(flavor = "current_thread")]
async fn check_with_a_version_is_pinned() {
    let key = Key::new();
    let server = new_dist(&key, "0.0.1")
        .serve(MirrorBuilder::new(), "")
        .start();
    let installed = Installed::new();
    let public = key.public();
    let check = update(&Request {
        current: "9.9.9",
        check_only: true,
        wanted: Some("0.0.1".into()),
        ..installed.request(&server, &public)
    })
    .await
    .unwrap();
    assert_eq!(
        check,
        Outcome::Available {
            current: "9.9.9".into(),
            latest: "0.0.1".into(),
            pinned: true,
        }
    );
}

/// gox is updated but a shim cannot be replaced: an error (not a warning), naming the shim
/// and `gox setup`. A directory where the temporary shim goes makes the copy fail, for root
/// too.
#[tokio::test(flavor = "current_thread")]
async fn a_shim_left_behind_is_an_error() {
    let key = Key::new();
    let server = new_dist(&key, "9.9.9")
        .serve(MirrorBuilder::new(), "")
        .start();
    let installed = Installed::new();
    let blocker = installed.shims().join("go.gox-new");
    std::fs::create_dir_all(blocker.join("x")).unwrap();
    let public = key.public();
    let err = update(&installed.request(&server, &public))
        .await
        .unwrap_err();
    let SelfUpdateError::ShimsNotRefreshed {
        updated, failures, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(updated.to, "9.9.9");
    assert_eq!(failures.len(), 1, "{failures:?}");
    let text = err.to_string();
    assert!(
        text.contains("go.gox-new") && text.contains("gox setup"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(installed.bin().join("gox")).unwrap(),
        elf(EM_X86_64, "new gox 9.9.9")
    );
}

/// A gox installed without its gox-shim: the shim is installed, not "replaced".
#[tokio::test(flavor = "current_thread")]
async fn a_missing_shim_binary_is_reported_as_installed() {
    let key = Key::new();
    let server = new_dist(&key, "9.9.9")
        .serve(MirrorBuilder::new(), "")
        .start();
    let installed = Installed::new();
    std::fs::remove_file(installed.bin().join("gox-shim")).unwrap();
    let public = key.public();
    let Outcome::Updated(done) = update(&installed.request(&server, &public)).await.unwrap() else {
        panic!("not updated")
    };
    let by_name = |n: &str| {
        done.binaries
            .iter()
            .find(|w| w.path.file_name() == Some(std::ffi::OsStr::new(n)))
            .unwrap()
            .replaced
    };
    assert!(
        !by_name("gox-shim") && by_name("gox"),
        "{:?}",
        done.binaries
    );
}
