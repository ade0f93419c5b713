//! `cargo xtask dist`: release archives, checksums, a signed manifest and the installers
//! (DESIGN.md, "Distribution"; the layout is documented in docs/install.md and is what
//! `install.sh`, `install.ps1` and `gox self update` read).
//!
//! Every target is cross-built from Linux: `cargo zigbuild` (zig as the C compiler and
//! linker: static musl, Mach-O without an SDK, universal2 via lipo-in-zig) and Debian's
//! mingw-w64 for Windows. Every binary is checked with gox's own verifier (format, CPU, no
//! ELF interpreter) before anything is written, and the output directory appears complete
//! or not at all (staging directory, then rename).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;
use gox_verifier::{Format, read_elf_interpreter, read_header};
use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::Result;

/// The variable naming the signing key (DESIGN.md).
pub const SECRET_KEY_VAR: &str = "GOX_DIST_SECRET_KEY_FILE";

/// How a target is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Builder {
    /// `cargo zigbuild`: zig links musl statically and Mach-O without a macOS SDK.
    Zig,
    /// `cargo build` with Debian's `x86_64-w64-mingw32-gcc` (the target's default linker).
    Mingw,
}

/// One release target.
#[derive(Debug)]
pub struct Target {
    pub triple: &'static str,
    /// GOOS/GOARCH naming, as in the manifest.
    pub os: &'static str,
    pub arch: &'static str,
    builder: Builder,
    /// The GOARCH slices the binaries must hold, exactly (sorted).
    cpus: &'static [&'static str],
    format: Format,
}

impl Target {
    fn windows(&self) -> bool {
        self.os == "windows"
    }

    fn exe(&self, name: &str) -> String {
        if self.windows() {
            format!("{name}.exe")
        } else {
            name.to_string()
        }
    }

    /// `gox-V-TARGET.tar.gz` (`.zip` for Windows).
    pub fn archive_name(&self, version: &str) -> String {
        let ext = if self.windows() { "zip" } else { "tar.gz" };
        format!("gox-{version}-{}.{ext}", self.triple)
    }
}

pub const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-unknown-linux-musl",
        os: "linux",
        arch: "amd64",
        builder: Builder::Zig,
        cpus: &["amd64"],
        format: Format::Elf,
    },
    Target {
        triple: "aarch64-unknown-linux-musl",
        os: "linux",
        arch: "arm64",
        builder: Builder::Zig,
        cpus: &["arm64"],
        format: Format::Elf,
    },
    Target {
        triple: "aarch64-apple-darwin",
        os: "darwin",
        arch: "arm64",
        builder: Builder::Zig,
        cpus: &["arm64"],
        format: Format::MachO,
    },
    Target {
        triple: "x86_64-apple-darwin",
        os: "darwin",
        arch: "amd64",
        builder: Builder::Zig,
        cpus: &["amd64"],
        format: Format::MachO,
    },
    Target {
        triple: "universal2-apple-darwin",
        os: "darwin",
        arch: "universal",
        builder: Builder::Zig,
        cpus: &["amd64", "arm64"],
        format: Format::MachO,
    },
    Target {
        triple: "x86_64-pc-windows-gnu",
        os: "windows",
        arch: "amd64",
        builder: Builder::Mingw,
        cpus: &["amd64"],
        format: Format::Pe,
    },
];

const USAGE: &str = "usage: cargo xtask dist [--version V] [--target T]... [--out DIR]

Builds release archives for every target (or the --target ones), verifies every binary,
and writes them with SHA256SUMS, manifest.json, manifest.json.minisig, install.sh and
install.ps1 to DIR (default target/dist). GOX_DIST_SECRET_KEY_FILE names the minisign
secret key (generated there when missing); without it a key for this run only is used.";

#[derive(Debug)]
struct Options {
    version: String,
    targets: Vec<&'static Target>,
    out: PathBuf,
}

/// The options, or `None` when `--help` was asked for (and printed).
fn parse_args(args: &[String], root: &Path) -> Result<Option<Options>> {
    let mut version = env!("CARGO_PKG_VERSION").to_string();
    let mut targets = Vec::new();
    let mut out = root.join("target/dist");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--version" => version = value("--version")?,
            "--out" => out = PathBuf::from(value("--out")?),
            "--target" => {
                let name = value("--target")?;
                let target = TARGETS.iter().find(|t| t.triple == name).ok_or_else(|| {
                    let known: Vec<_> = TARGETS.iter().map(|t| t.triple).collect();
                    format!("unknown target `{name}` (known: {})", known.join(", "))
                })?;
                if !targets.iter().any(|t: &&Target| t.triple == target.triple) {
                    targets.push(target);
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}").into()),
        }
    }
    check_version(&version)?;
    if targets.is_empty() {
        targets = TARGETS.iter().collect();
    }
    Ok(Some(Options {
        version,
        targets,
        out,
    }))
}

/// The version lands in file names and URLs: a SemVer-ish token, nothing a shell or a
/// URL would reinterpret.
fn check_version(version: &str) -> Result {
    let ok = version.chars().next().is_some_and(|c| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    if ok {
        Ok(())
    } else {
        Err(format!("--version `{version}`: expected a version like 1.2.3 or 1.2.3-rc.1").into())
    }
}

pub fn run(args: &[String]) -> Result {
    let root = workspace_root();
    let Some(opts) = parse_args(args, &root)? else {
        return Ok(());
    };
    let started = Instant::now();
    check_toolchains(&opts.targets)?;
    let key = signing_key()?;

    let mut built = Vec::new();
    for target in &opts.targets {
        let t0 = Instant::now();
        eprintln!("dist: building {} {}", target.triple, opts.version);
        let bins = build(&root, target, &opts.version, &key.public_line)?;
        for bin in &bins {
            verify_binary(target, bin)?;
        }
        eprintln!(
            "dist: {} built and verified in {:.0}s",
            target.triple,
            t0.elapsed().as_secs_f64()
        );
        built.push((*target, bins));
    }

    let staging = staging_dir(&opts.out)?;
    let written = write_dist(&root, staging.path(), &opts.version, &built, &key);
    written.and_then(|()| commit(staging, &opts.out))?;
    eprintln!(
        "dist: wrote {} ({} targets, {:.0}s); public key {}",
        opts.out.display(),
        built.len(),
        started.elapsed().as_secs_f64(),
        key.public_line
    );
    Ok(())
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

// ------------------------------------------------------------------------- toolchains

/// A missing piece of a cross toolchain and the command that installs it.
fn missing(what: &str, install: &str) -> String {
    format!("{what} is missing; install it with: {install}")
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Checks everything the chosen targets need before the first (slow) build.
fn check_toolchains(targets: &[&Target]) -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup ({e}); install it from https://rustup.rs"))?;
    let installed = String::from_utf8_lossy(&installed.stdout);
    let mut problems = Vec::new();
    for target in targets {
        // universal2 is built from both Apple triples.
        let triples: &[&str] = if target.triple == "universal2-apple-darwin" {
            &["aarch64-apple-darwin", "x86_64-apple-darwin"]
        } else {
            std::slice::from_ref(&target.triple)
        };
        for triple in triples {
            if !installed.lines().any(|l| l.trim() == *triple) {
                let p = missing(
                    &format!("the Rust target {triple}"),
                    &format!("rustup target add {triple}"),
                );
                if !problems.contains(&p) {
                    problems.push(p);
                }
            }
        }
    }
    if targets.iter().any(|t| t.builder == Builder::Zig) {
        if !runs("cargo-zigbuild", &["--version"]) {
            problems.push(missing(
                "cargo-zigbuild",
                "cargo install cargo-zigbuild --locked",
            ));
        }
        // cargo-zigbuild finds zig on PATH or as the `ziglang` Python package.
        if !runs("zig", &["version"]) && !runs("python3", &["-m", "ziglang", "version"]) {
            problems.push(missing("zig", "pip install ziglang"));
        }
    }
    if targets.iter().any(|t| t.builder == Builder::Mingw)
        && !runs("x86_64-w64-mingw32-gcc", &["--version"])
    {
        problems.push(missing(
            "the mingw-w64 linker x86_64-w64-mingw32-gcc",
            "sudo apt-get install gcc-mingw-w64-x86-64",
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("cannot build the dist:\n  {}", problems.join("\n  ")).into())
    }
}

// ----------------------------------------------------------------------------- build

/// The packages the dist ships, one binary each, in archive order.
const PACKAGES: [&str; 2] = ["gox", "gox-shim"];

/// `cargo zigbuild|build --release --locked --target T -p gox -p gox-shim`: how the dist
/// compiles every thin target's binaries (the workspace's release profile; on Linux the
/// target's rustflags in .cargo/config.toml as well).
fn release_build(root: &Path, target: &Target) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    match target.builder {
        Builder::Zig => cmd.arg("zigbuild"),
        Builder::Mingw => cmd.arg("build"),
    };
    cmd.args(["--release", "--locked", "--target", target.triple]);
    for package in PACKAGES {
        cmd.args(["-p", package]);
    }
    cmd.current_dir(root);
    cmd
}

/// Builds gox and gox-shim for `target` with the version and the update key stamped in
/// (crates/gox/src/build_info.rs). Both must carry the same version: the Linux shim replays
/// only the plans its own version's planner recorded (shims/src/replay.rs).
fn build(root: &Path, target: &Target, version: &str, public_key: &str) -> Result<Vec<PathBuf>> {
    if target.triple == "universal2-apple-darwin" {
        return build_universal2(root, version, public_key);
    }
    let mut cmd = release_build(root, target);
    cmd.env("GOX_BUILD_VERSION", version)
        .env("GOX_DIST_PUBLIC_KEY", public_key);
    run_build(&mut cmd, target)?;
    Ok(built(root, target).into())
}

/// The binaries the dist ships for `triple` (their version and key left at their defaults),
/// built as the dist builds them: the bench measures these, not a host `cargo build` (on
/// Linux the two differ in libc, linking and start-up cost). Returns gox, then gox-shim.
pub fn shipped_binaries(root: &Path, triple: &str) -> Result<[PathBuf; 2]> {
    let target = TARGETS
        .iter()
        .find(|t| t.triple == triple && t.triple != "universal2-apple-darwin")
        .ok_or_else(|| format!("{triple} is not a thin dist target"))?;
    check_toolchains(&[target])?;
    run_build(release_build(root, target).arg("--quiet"), target)?;
    Ok(built(root, target))
}

/// Where [`release_build`] leaves the binaries of `target`, in [`PACKAGES`]' order.
fn built(root: &Path, target: &Target) -> [PathBuf; 2] {
    let dir = target_dir(root).join(target.triple).join("release");
    PACKAGES.map(|package| dir.join(target.exe(package)))
}

fn run_build(cmd: &mut Command, target: &Target) -> Result {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("building {} failed ({status})", target.triple).into())
    }
}

/// Builds both Apple triples (cached when this run already built them) and joins each
/// binary's two slices into one fat Mach-O. cargo-zigbuild's own `universal2-apple-darwin`
/// mode produced only `gox-shim` when asked for two packages (cargo-zigbuild 0.24.1).
fn build_universal2(root: &Path, version: &str, public_key: &str) -> Result<Vec<PathBuf>> {
    let apple = |triple: &str| {
        TARGETS
            .iter()
            .find(|t| t.triple == triple)
            .expect("an Apple target in TARGETS")
    };
    let arm = build(root, apple("aarch64-apple-darwin"), version, public_key)?;
    let intel = build(root, apple("x86_64-apple-darwin"), version, public_key)?;
    let out = target_dir(root).join("universal2-apple-darwin/release");
    std::fs::create_dir_all(&out).map_err(|e| format!("create {}: {e}", out.display()))?;
    let mut fat = Vec::new();
    for (arm, intel) in arm.iter().zip(&intel) {
        let name = arm.file_name().expect("a binary name");
        let mut writer = fat_macho::FatWriter::new();
        for slice in [arm, intel] {
            let bytes =
                std::fs::read(slice).map_err(|e| format!("read {}: {e}", slice.display()))?;
            writer
                .add(bytes)
                .map_err(|e| format!("{}: not a thin Mach-O: {e}", slice.display()))?;
        }
        let dest = out.join(name);
        writer
            .write_to_file(&dest)
            .map_err(|e| format!("write {}: {e}", dest.display()))?;
        fat.push(dest);
    }
    Ok(fat)
}

/// cargo's target directory: `CARGO_TARGET_DIR`, else the workspace's `target/`.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// Format, OS and CPU slices exactly as the target says; Linux binaries fully static.
pub fn verify_binary(target: &Target, path: &Path) -> Result {
    let info = read_header(path).map_err(|e| format!("{}: {e}", target.triple))?;
    let mut archs = info.archs.clone();
    archs.sort_unstable();
    if info.format != target.format || !info.matches_os(target.os) || archs != target.cpus {
        return Err(format!(
            "{} is {info}, not a {} {} binary for {} (slices: {})",
            path.display(),
            target.format,
            target.os,
            target.triple,
            target.cpus.join(" + ")
        )
        .into());
    }
    if target.os == "linux"
        && let Some(interp) = read_elf_interpreter(path)?
    {
        return Err(format!(
            "{} is not static: it needs the program interpreter {interp}",
            path.display()
        )
        .into());
    }
    Ok(())
}

// --------------------------------------------------------------------------- signing

/// The key that signs manifest.json; `public_line` is the base64 line of the `.pub` file
/// (what `minisign -P` takes and `GOX_DIST_PUBLIC_KEY` stamps into the binaries).
pub struct SigningKey {
    pk: PublicKey,
    sk: SecretKey,
    pub public_line: String,
}

fn signing_key() -> Result<SigningKey> {
    let Some(file) = std::env::var_os(SECRET_KEY_VAR).filter(|v| !v.is_empty()) else {
        eprintln!("dist: {SECRET_KEY_VAR} is not set: signing with a key for this run only");
        let KeyPair { pk, sk } = KeyPair::generate_unencrypted_keypair()?;
        return Ok(SigningKey {
            public_line: pk.to_base64(),
            pk,
            sk,
        });
    };
    load_or_create_key(Path::new(&file))
}

/// Reads the unencrypted minisign secret key at `file`, or creates a pair there (the
/// public key beside it as `<file>.pub`) so that several runs share one key.
pub fn load_or_create_key(file: &Path) -> Result<SigningKey> {
    let ctx = |what: &str, e: &dyn std::fmt::Display| format!("{what} {}: {e}", file.display());
    if !file.exists() {
        let KeyPair { pk, sk } = KeyPair::generate_unencrypted_keypair()?;
        let sk_text = sk.to_box(Some("gox dist signing key"))?.to_string();
        let pk_text = pk.to_box()?.to_string();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| ctx("cannot create the directory of", &e))?;
        }
        let public = pub_path(file);
        write_atomic(&public, pk_text.as_bytes())?;
        // A public key is for everyone to read (the temporary file it came from was 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&public, fs::Permissions::from_mode(0o644))
                .map_err(|e| ctx("cannot make the public key readable beside", &e))?;
        }
        write_atomic(file, sk_text.as_bytes())?;
        eprintln!(
            "dist: created the signing key {} (public key {})",
            file.display(),
            pub_path(file).display()
        );
    }
    let text = fs::read_to_string(file).map_err(|e| ctx("cannot read", &e))?;
    let sk = SecretKeyBox::from_string(&text)
        .and_then(SecretKeyBox::into_unencrypted_secret_key)
        .map_err(|e| {
            ctx(
                "not an unencrypted minisign secret key (create one with `minisign -G -W`):",
                &e,
            )
        })?;
    let pk =
        PublicKey::from_secret_key(&sk).map_err(|e| ctx("cannot derive the public key of", &e))?;
    Ok(SigningKey {
        public_line: pk.to_base64(),
        pk,
        sk,
    })
}

fn pub_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".pub");
    PathBuf::from(name)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

// ---------------------------------------------------------------------------- output

#[derive(Serialize)]
struct Manifest<'a> {
    version: &'a str,
    artifacts: Vec<Artifact<'a>>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    target: &'a str,
    os: &'a str,
    arch: &'a str,
    file: String,
    sha256: String,
    size: u64,
}

fn staging_dir(out: &Path) -> Result<tempfile::TempDir> {
    let parent = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    Ok(tempfile::Builder::new()
        .prefix(".dist-staging-")
        .tempdir_in(parent)
        .map_err(|e| {
            format!(
                "cannot create a staging directory in {}: {e}",
                parent.display()
            )
        })?)
}

fn write_dist(
    root: &Path,
    dir: &Path,
    version: &str,
    built: &[(&Target, Vec<PathBuf>)],
    key: &SigningKey,
) -> Result {
    let mtime = archive_mtime();
    let man = man_pages(version)?;
    let mut artifacts = Vec::new();
    let mut sums = String::new();
    for (target, bins) in built {
        let name = target.archive_name(version);
        let path = dir.join(&name);
        let top = format!("gox-{version}-{}", target.triple);
        let entries = archive_entries(root, man.path(), target, bins)?;
        if target.windows() {
            write_zip(&path, &top, &entries, mtime)?;
        } else {
            write_tar_gz(&path, &top, &entries, mtime)?;
        }
        let sha256 = sha256_file(&path)?;
        sums.push_str(&format!("{sha256}  {name}\n"));
        artifacts.push(Artifact {
            target: target.triple,
            os: target.os,
            arch: target.arch,
            size: fs::metadata(&path)?.len(),
            file: name,
            sha256,
        });
    }
    fs::write(dir.join("SHA256SUMS"), sums)?;
    let manifest = serde_json::to_string_pretty(&Manifest { version, artifacts })? + "\n";
    fs::write(dir.join("manifest.json"), &manifest)?;
    let trusted = format!("gox {version} manifest.json");
    let sig = minisign::sign(
        Some(&key.pk),
        &key.sk,
        manifest.as_bytes(),
        Some(&trusted),
        Some("signature from the gox release key"),
    )?;
    fs::write(dir.join("manifest.json.minisig"), sig.to_string())?;
    for script in ["install.sh", "install.ps1"] {
        fs::copy(root.join("install").join(script), dir.join(script))
            .map_err(|e| format!("cannot copy install/{script}: {e}"))?;
    }
    Ok(())
}

/// The man pages stamped with the release's version, in a temporary directory (docs/man
/// holds the workspace version's).
fn man_pages(version: &str) -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("gox-dist-man-").tempdir()?;
    // clap keeps a version for the life of the program: xtask builds one dist per run.
    let version: &'static str = Box::leak(version.to_owned().into_boxed_str());
    for (name, roff) in gox::man::pages_for_version(version) {
        fs::write(dir.path().join(&name), roff)
            .map_err(|e| format!("cannot write man page {name}: {e}"))?;
    }
    Ok(dir)
}

/// Archive entries: (path inside the top directory, source file, executable?).
fn archive_entries(
    root: &Path,
    man: &Path,
    target: &Target,
    bins: &[PathBuf],
) -> Result<Vec<(String, PathBuf, bool)>> {
    let mut entries: Vec<(String, PathBuf, bool)> = bins
        .iter()
        .map(|b| {
            let name = b
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, b.clone(), true)
        })
        .collect();
    debug_assert_eq!(entries.len(), 2, "{}", target.triple);
    // docs/ too: README.md links into it (docs/install.md, docs/guide.md), also offline.
    for (dir, into) in [
        (root.join("completions"), "completions"),
        (man.to_path_buf(), "man"),
        (root.join("docs"), "docs"),
    ] {
        let mut files: Vec<_> = fs::read_dir(&dir)
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            entries.push((format!("{into}/{name}"), file, false));
        }
    }
    for doc in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        entries.push((doc.to_string(), root.join(doc), false));
    }
    Ok(entries)
}

/// `SOURCE_DATE_EPOCH` for reproducible archives, else now. Not a fixed old date: `gox
/// setup` replaces shim copies that are older than gox-shim, so extracted binaries must
/// not look older than the copies they replace.
fn archive_mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}

fn write_tar_gz(path: &Path, top: &str, entries: &[(String, PathBuf, bool)], mtime: u64) -> Result {
    let file = BufWriter::new(File::create(path)?);
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::best()));
    let mut dirs = vec![top.to_string()];
    for (name, _, _) in entries {
        if let Some((dir, _)) = name.rsplit_once('/') {
            let dir = format!("{top}/{dir}");
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    for dir in &dirs {
        let mut h = tar_header(tar::EntryType::Directory, 0o755, 0, mtime);
        tar.append_data(&mut h, format!("{dir}/"), io::empty())?;
    }
    for (name, src, exec) in entries {
        let data = fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        let mode = if *exec { 0o755 } else { 0o644 };
        let mut h = tar_header(tar::EntryType::Regular, mode, data.len() as u64, mtime);
        tar.append_data(&mut h, format!("{top}/{name}"), data.as_slice())?;
    }
    tar.into_inner()?
        .finish()?
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    Ok(())
}

fn tar_header(kind: tar::EntryType, mode: u32, size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn write_zip(path: &Path, top: &str, entries: &[(String, PathBuf, bool)], mtime: u64) -> Result {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(path)?));
    let when = zip_time(mtime);
    let opts = |mode: u32| {
        SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode)
            .last_modified_time(when)
    };
    zip.add_directory(format!("{top}/"), opts(0o755))?;
    let mut dirs = Vec::new();
    for (name, src, exec) in entries {
        if let Some((dir, _)) = name.rsplit_once('/')
            && !dirs.iter().any(|d| d == dir)
        {
            zip.add_directory(format!("{top}/{dir}/"), opts(0o755))?;
            dirs.push(dir.to_string());
        }
        let data = fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        zip.start_file(
            format!("{top}/{name}"),
            opts(if *exec { 0o755 } else { 0o644 }),
        )?;
        zip.write_all(&data)?;
    }
    let mut w = zip.finish()?;
    w.flush()?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

/// Zip timestamps are local DOS times from 1980 on; UTC is close enough for an archive.
fn zip_time(mtime: u64) -> zip::DateTime {
    let days = mtime / 86_400;
    let secs = mtime % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    zip::DateTime::from_date_and_time(
        year,
        month,
        day,
        (secs / 3600) as u8,
        (secs % 3600 / 60) as u8,
        (secs % 60) as u8,
    )
    .unwrap_or_default()
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Swaps the finished staging directory in: the old output (if any) is moved aside
/// first and removed last, so `out` is at every instant either the old or the new dist.
fn commit(staging: tempfile::TempDir, out: &Path) -> Result {
    let staged = staging.keep();
    let old = out.with_extension(format!("old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        fs::rename(out, &old).map_err(|e| format!("cannot move {} aside: {e}", out.display()))?;
    }
    if let Err(e) = fs::rename(&staged, out) {
        if had_old {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(format!("cannot move the dist into {}: {e}", out.display()).into());
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_default_to_all() {
        let root = Path::new("/r");
        let all = parse_args(&[], root).unwrap().unwrap();
        assert_eq!(all.targets.len(), TARGETS.len());
        assert_eq!(all.out, root.join("target/dist"));
        let args: Vec<String> = ["--target", "x86_64-pc-windows-gnu", "--version", "9.9.9"]
            .map(String::from)
            .to_vec();
        let one = parse_args(&args, root).unwrap().unwrap();
        assert_eq!(one.targets.len(), 1);
        assert_eq!(
            one.targets[0].archive_name(&one.version),
            "gox-9.9.9-x86_64-pc-windows-gnu.zip"
        );
        let err = parse_args(&["--target".into(), "mips-unknown-linux".into()], root).unwrap_err();
        assert!(
            err.to_string().contains("x86_64-unknown-linux-musl"),
            "{err}"
        );
        assert!(parse_args(&["--version".into(), "1.0;rm".into()], root).is_err());
        assert!(parse_args(&["--help".into()], root).unwrap().is_none());
    }

    #[test]
    fn man_pages_carry_the_release_version() {
        let dir = man_pages("9.9.9-rc.1").unwrap();
        let top = fs::read_to_string(dir.path().join("gox.1")).unwrap();
        assert!(top.contains("gox 9.9.9-rc.1"), "{top}");
        let install = fs::read_to_string(dir.path().join("gox-install.1")).unwrap();
        assert!(install.contains("9.9.9-rc.1"), "{install}");
        assert!(!install.contains(env!("CARGO_PKG_VERSION")), "{install}");
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys/release.key");
        let first = load_or_create_key(&file).unwrap();
        let second = load_or_create_key(&file).unwrap();
        assert_eq!(first.public_line, second.public_line);
        let pub_text = fs::read_to_string(dir.path().join("keys/release.key.pub")).unwrap();
        assert!(
            pub_text.lines().any(|l| l == first.public_line),
            "{pub_text}"
        );
        assert!(first.public_line.starts_with("RW"), "{}", first.public_line);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |name: &str| {
                fs::metadata(dir.path().join("keys").join(name))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode("release.key.pub"), 0o644);
            assert_eq!(mode("release.key"), 0o600);
        }
    }

    #[test]
    fn signature_verifies_and_rejects_an_edited_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let key = load_or_create_key(&dir.path().join("k")).unwrap();
        let sig = minisign::sign(
            Some(&key.pk),
            &key.sk,
            &b"{\"version\":\"1\"}"[..],
            None,
            None,
        )
        .unwrap();
        let sig = minisign::SignatureBox::from_string(&sig.to_string()).unwrap();
        let pk = PublicKey::from_base64(&key.public_line).unwrap();
        let check =
            |data: &[u8]| minisign::verify(&pk, &sig, io::Cursor::new(data), true, false, false);
        assert!(check(b"{\"version\":\"1\"}").is_ok());
        assert!(check(b"{\"version\":\"2\"}").is_err());
    }

    #[test]
    fn zip_time_is_the_civil_date() {
        let t = zip_time(1_764_547_200 + 3_724); // 2025-12-01 01:02:04 UTC (DOS: 2 s steps)
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2025, 12, 1, 1, 2, 4)
        );
    }

    #[test]
    fn verify_binary_rejects_a_dynamic_or_foreign_binary() {
        // This test binary: a glibc ELF with an interpreter, or at least not a Mach-O.
        let me = std::env::current_exe().unwrap();
        let mac = TARGETS
            .iter()
            .find(|t| t.triple == "aarch64-apple-darwin")
            .unwrap();
        assert!(verify_binary(mac, &me).is_err());
        #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
        {
            let musl = &TARGETS[0];
            let err = verify_binary(musl, &me).unwrap_err().to_string();
            assert!(err.contains("not static"), "{err}");
        }
    }
}
