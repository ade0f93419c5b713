//! Release dists for tests: `cargo xtask dist --target x86_64-unknown-linux-musl` built
//! once and shared by every test (and test binary) that needs one.
//!
//! A release build with fat LTO takes minutes, so a dist is cached under
//! `target/gox-test-dist/`, keyed by version, signing key file and a fingerprint of the
//! sources that go into it: editing gox rebuilds it, re-running the tests does not. A file
//! lock serializes builds across test threads and processes (cargo's own build-dir lock
//! would otherwise interleave two release builds).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::MirrorBuilder;

/// The target test dists are built for: the static Linux build, runnable on any x86_64
/// Linux test machine.
pub const DIST_TARGET: &str = "x86_64-unknown-linux-musl";

/// A finished dist directory (layout: docs/install.md).
#[derive(Clone, Debug)]
pub struct Dist {
    /// The directory holding the archives, SHA256SUMS, manifest.json(.minisig), installers.
    pub dir: PathBuf,
    pub version: String,
    /// The secret key file that signed manifest.json (its public half is `<file>.pub`).
    pub key_file: PathBuf,
    /// The base64 public key line (`RW…`) compiled into the dist's binaries.
    pub public_key: String,
}

impl Dist {
    /// `gox-V-x86_64-unknown-linux-musl.tar.gz`.
    pub fn archive_name(&self) -> String {
        format!("gox-{}-{DIST_TARGET}.tar.gz", self.version)
    }

    pub fn archive(&self) -> PathBuf {
        self.dir.join(self.archive_name())
    }

    /// Every file of the dist served at `/dl/<name>`: `GOX_INSTALL_BASE` /
    /// `GOX_UPDATE_BASE` is then `server.download_base()` (without the trailing `/` if
    /// you prefer; both work). Override single files with [`MirrorBuilder::bytes`] to
    /// tamper with them.
    pub fn mirror(&self) -> MirrorBuilder {
        let mut names: Vec<String> = fs::read_dir(&self.dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", self.dir.display()))
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.into_iter().fold(MirrorBuilder::new(), |m, name| {
            let path = self.dir.join(&name);
            m.file(&name, path)
        })
    }
}

/// The workspace root (this crate lives in `crates/gox-testkit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `target/gox-test-dist/`: cached dists, keys and the lock.
pub fn dist_cache_dir() -> PathBuf {
    target_dir().join("gox-test-dist")
}

/// A signing key file shared by the tests (created by the first dist that uses it).
pub fn test_key_file() -> PathBuf {
    dist_cache_dir().join("keys").join("test.key")
}

/// Builds (or reuses) a musl dist of `version` signed with `key_file` (created there when
/// missing), via `cargo xtask dist`. Panics with cargo's output when the build fails: a
/// test that needs a dist cannot go on without one.
pub fn musl_dist(version: &str, key_file: &Path) -> Dist {
    try_musl_dist(version, key_file).unwrap_or_else(|e| panic!("{e}"))
}

/// [`musl_dist`], returning the error instead of panicking.
pub fn try_musl_dist(version: &str, key_file: &Path) -> Result<Dist, String> {
    let cache = dist_cache_dir();
    fs::create_dir_all(&cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let lock_path = cache.join(".lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;

    let key_id = crate::sha256_hex(key_file.as_os_str().as_encoded_bytes())[..12].to_string();
    let sources = source_fingerprint(&workspace_root());
    let dir = cache.join(format!("{version}-{key_id}-{}", &sources[..16]));
    if !dir.join("manifest.json.minisig").is_file() {
        // Older dists of this version/key were built from other sources: drop them.
        let prefix = format!("{version}-{key_id}-");
        if let Ok(entries) = fs::read_dir(&cache) {
            for entry in entries.filter_map(|e| e.ok()) {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        build(version, key_file, &dir)?;
    }
    let pub_file = {
        let mut name = key_file.as_os_str().to_os_string();
        name.push(".pub");
        PathBuf::from(name)
    };
    let pub_text = fs::read_to_string(&pub_file)
        .map_err(|e| format!("cannot read {}: {e}", pub_file.display()))?;
    let public_key = pub_text
        .lines()
        .find(|l| l.starts_with("RW"))
        .ok_or_else(|| format!("{} holds no minisign public key line", pub_file.display()))?
        .to_string();
    drop(lock);
    Ok(Dist {
        dir,
        version: version.to_string(),
        key_file: key_file.to_path_buf(),
        public_key,
    })
}

/// `cargo` for a test to run in the workspace (`cargo run -p xtask …`), without the
/// variables cargo test sets for the test binary itself (`CARGO_PKG_NAME`,
/// `CARGO_MANIFEST_DIR`, …): ring's build script reruns when one of them changes, which
/// rebuilt xtask and everything it links (~50 s) at every switch between a test and a
/// plain `cargo xtask`.
pub fn nested_cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let of_the_test_binary = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
            );
        if of_the_test_binary {
            cmd.env_remove(&*name);
        }
    }
    cmd.current_dir(workspace_root());
    cmd
}

fn build(version: &str, key_file: &Path, out: &Path) -> Result<(), String> {
    let started = std::time::Instant::now();
    let output = nested_cargo()
        .args([
            "run",
            "--quiet",
            "--locked",
            "--package",
            "xtask",
            "--",
            "dist",
        ])
        .args(["--target", DIST_TARGET, "--version", version, "--out"])
        .arg(out)
        .env("GOX_DIST_SECRET_KEY_FILE", key_file)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo xtask dist --target {DIST_TARGET} --version {version}` failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    eprintln!(
        "gox-testkit: built the {DIST_TARGET} dist {version} in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// SHA-256 over the paths and contents of everything `cargo xtask dist` packs or compiles.
fn source_fingerprint(root: &Path) -> String {
    let mut files = Vec::new();
    for top in [
        "Cargo.toml",
        "Cargo.lock",
        // The release profile's link flags (static, non-PIE musl).
        ".cargo/config.toml",
        "crates",
        "shims",
        "xtask",
        "install",
        "completions",
        "docs/man",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        collect(&root.join(top), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(fs::read(&file).unwrap_or_default());
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    let Ok(meta) = fs::metadata(path) else {
        return;
    };
    if meta.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    // Test snapshots and fixtures change no binary.
    let skip = |name: &str| matches!(name, "target" | "snapshots" | "tests" | ".git");
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.filter_map(|e| e.ok()) {
            if !skip(&entry.file_name().to_string_lossy()) {
                collect(&entry.path(), out);
            }
        }
    }
}

/// A release directory made by hand in memory, laid out as `cargo xtask dist` lays one out
/// (docs/install.md): `manifest.json`, its minisign signature, `SHA256SUMS`, and one
/// archive (`.zip` for a Windows target, else `.tar.gz`) holding the given members under
/// `gox-VERSION-TARGET/`. Tests edit its files before serving them to make broken releases.
#[derive(Clone, Debug)]
pub struct HandMadeDist {
    /// (file name, bytes), the archive last.
    pub files: Vec<(String, Vec<u8>)>,
    /// The archive's file name.
    pub archive: String,
}

/// Where a hand-made dist's binaries run: the Rust target and Go's names for it.
#[derive(Clone, Copy, Debug)]
pub struct ReleaseTarget<'a> {
    pub triple: &'a str,
    pub os: &'a str,
    pub arch: &'a str,
}

impl HandMadeDist {
    /// A dist of `version` for `target` holding `members` (name, bytes), signed with `key`.
    pub fn new(
        key: &minisign::KeyPair,
        version: &str,
        target: ReleaseTarget<'_>,
        members: &[(&str, &[u8])],
    ) -> Self {
        let top = format!("gox-{version}-{}", target.triple);
        let windows = target.os == "windows";
        let archive_name = format!("{top}.{}", if windows { "zip" } else { "tar.gz" });
        let named: Vec<(String, &[u8])> = members
            .iter()
            .map(|(name, data)| (format!("{top}/{name}"), *data))
            .collect();
        let archive = if windows {
            zip_archive(&named)
        } else {
            tar_gz_archive(&named)
        };
        let sha256 = crate::sha256_hex(&archive);
        let manifest = serde_json::json!({"version": version, "artifacts": [{
            "target": target.triple, "os": target.os, "arch": target.arch,
            "file": archive_name, "sha256": sha256, "size": archive.len()}]})
        .to_string()
        .into_bytes();
        let signature = minisign::sign(Some(&key.pk), &key.sk, &manifest[..], None, None)
            .expect("minisign signs in memory")
            .to_string()
            .into_bytes();
        let sums = format!("{sha256}  {archive_name}\n").into_bytes();
        HandMadeDist {
            files: vec![
                ("manifest.json".into(), manifest),
                ("manifest.json.minisig".into(), signature),
                ("SHA256SUMS".into(), sums),
                (archive_name.clone(), archive),
            ],
            archive: archive_name,
        }
    }

    /// The bytes of the file `name` (e.g. `manifest.json`), to edit.
    pub fn get_mut(&mut self, name: &str) -> &mut Vec<u8> {
        &mut self
            .files
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} in the dist"))
            .1
    }

    /// Served at `/dl/<name>` (`GOX_UPDATE_BASE` is `server.download_base()`), with `faults`.
    pub fn serve(&self, faults: &[(&str, crate::Fault)]) -> crate::MirrorServer {
        let builder = self
            .files
            .iter()
            .fold(MirrorBuilder::new(), |b, (n, d)| b.bytes(n, d.clone()));
        faults
            .iter()
            .fold(builder, |b, (n, f)| b.fault(n, f.clone()))
            .start()
    }
}

/// The key pair in `key_file` (a minisign secret key without password, as `cargo xtask
/// dist` writes one) and its public half `public_key` (`RW…`).
pub fn load_key(key_file: &Path, public_key: &str) -> minisign::KeyPair {
    let text = fs::read_to_string(key_file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", key_file.display()));
    minisign::KeyPair {
        pk: minisign::PublicKey::from_base64(public_key)
            .unwrap_or_else(|e| panic!("bad public key {public_key:?}: {e}")),
        sk: minisign::SecretKeyBox::from_string(&text)
            .and_then(|b| b.into_unencrypted_secret_key())
            .unwrap_or_else(|e| panic!("{} holds no usable secret key: {e}", key_file.display())),
    }
}

fn tar_gz_archive(members: &[(String, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        header.set_cksum();
        tar.append_data(&mut header, name, *data)
            .expect("tar writes to memory");
    }
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .expect("gzip writes to memory")
}

fn zip_archive(members: &[(String, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    for (name, data) in members {
        zip.start_file(name.as_str(), options)
            .expect("zip writes to memory");
        std::io::Write::write_all(&mut zip, data).expect("zip writes to memory");
    }
    zip.finish().expect("zip writes to memory").into_inner()
}
