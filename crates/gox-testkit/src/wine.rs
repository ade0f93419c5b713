//! Windows builds of gox run for real, under Wine, with real Go for Windows.
//!
//! Debian's Wine 8 lacks `bcryptprimitives.dll`, whose `ProcessPrng` both Rust's std and
//! Go ≥ 1.22 import, so neither gox.exe nor go.exe starts there as shipped. [`Wine::start`]
//! makes a private prefix and puts a small stand-in DLL into its `system32`
//! (`wine/bcryptprimitives.c`, built with mingw-w64): with it, gox.exe, the shim and
//! `go.exe version`/`go build` run. [`windows_binaries`] builds gox.exe and gox-shim.exe
//! for `x86_64-pc-windows-gnu` (debug, cached under `target/gox-test-windows/`).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::dist::{nested_cargo, target_dir};

/// The Windows target the tests build for.
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";
const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";
const DLL_SOURCE: &str = include_str!("wine/bcryptprimitives.c");
const SLEEPER_SOURCE: &str = include_str!("wine/sleeper.c");

/// A private Wine prefix, ready to run 64-bit Windows programs; its wineserver is stopped
/// and the prefix removed on drop.
#[derive(Debug)]
pub struct Wine {
    wine: PathBuf,
    prefix: tempfile::TempDir,
}

impl Wine {
    /// Creates the prefix (`wineboot`, ~10 s) and installs the stand-in DLL. `Err` says
    /// which tool is missing (Debian: `wine64`, `gcc-mingw-w64-x86-64`) or what failed.
    pub fn start() -> Result<Self, String> {
        let wine = ["/usr/lib/wine/wine64", "/usr/bin/wine64"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .ok_or("wine64 is not installed (Debian: apt-get install wine64)")?;
        let gcc_found = Command::new(MINGW_GCC)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !gcc_found {
            return Err(format!(
                "{MINGW_GCC} is not installed (Debian: apt-get install gcc-mingw-w64-x86-64)"
            ));
        }
        let prefix = tempfile::Builder::new()
            .prefix("gox-wine-")
            .tempdir()
            .map_err(|e| format!("cannot create a Wine prefix: {e}"))?;
        let this = Self { wine, prefix };
        let boot = this
            .command(Path::new("wineboot"))
            .arg("--init")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", this.wine.display()))?;
        let system32 = this.prefix.path().join("drive_c/windows/system32");
        if !system32.is_dir() {
            return Err(format!(
                "wineboot made no prefix at {} ({}):\n{}",
                this.prefix.path().display(),
                boot.status,
                String::from_utf8_lossy(&boot.stderr)
            ));
        }
        this.compile(
            DLL_SOURCE,
            &system32.join("bcryptprimitives.dll"),
            &["-shared", "-lbcrypt", "-Wl,--kill-at"],
        )?;
        Ok(this)
    }

    /// A Windows program (`wine/sleeper.c`) built into `dest`: `sleeper FILE MILLIS CODE`
    /// writes "started" to FILE, stays running for MILLIS and exits with the 32-bit CODE.
    /// The stand-in for a long `go build` when a test needs an executable in use, or for a
    /// `go` exiting with a given code.
    pub fn sleeper(&self, dest: &Path) -> Result<(), String> {
        self.compile(SLEEPER_SOURCE, dest, &[])
    }

    /// Compiles the C `source` with mingw-w64 into `dest`, with `flags` after the source.
    fn compile(&self, source: &str, dest: &Path, flags: &[&str]) -> Result<(), String> {
        let name = dest
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let file = self.prefix.path().join(format!("{name}.c"));
        fs::write(&file, source).map_err(|e| format!("{}: {e}", file.display()))?;
        let built = Command::new(MINGW_GCC)
            .args(["-O2", "-o"])
            .arg(dest)
            .arg(&file)
            .args(flags)
            .output()
            .map_err(|e| format!("cannot run {MINGW_GCC}: {e}"))?;
        if !built.status.success() {
            return Err(format!(
                "{MINGW_GCC} could not build {name}:\n{}",
                String::from_utf8_lossy(&built.stderr)
            ));
        }
        Ok(())
    }

    /// This prefix's `C:` drive on the Unix side (`drive_c/Program Files`, …): where a
    /// test puts what a Windows program finds in its fixed places, such as %ProgramFiles%,
    /// which Wine sets itself in every process.
    pub fn drive_c(&self) -> PathBuf {
        self.prefix.path().join("drive_c")
    }

    /// `wine64 PROGRAM`, in this prefix, quiet (no Wine debug channels).
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(&self.wine);
        cmd.arg(program)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer dialogs while the prefix is made.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
        cmd
    }

    /// Runs `program` with `args` and returns its output.
    pub fn run(&self, program: &Path, args: &[&str]) -> Output {
        self.command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.wine.display()))
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        // The wineserver outlives the last program by a few seconds; stop it now, so the
        // prefix can go and no process is left behind.
        let server = self.wine.with_file_name("wineserver");
        let _ = Command::new(&server)
            .arg("--kill")
            .env("WINEPREFIX", self.prefix.path())
            .status();
    }
}

/// How a Windows program under Wine sees a Unix path: the `Z:` drive is `/`.
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Whether the Rust standard library for [`WINDOWS_TARGET`] is installed (`rustup target
/// add`); `Err` says how to get it.
pub fn windows_target_installed() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WINDOWS_TARGET])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = libdir
        .and_then(|dir| fs::read_dir(dir).ok())
        .is_some_and(|mut entries| entries.next().is_some());
    if installed {
        Ok(())
    } else {
        Err(format!(
            "the {WINDOWS_TARGET} standard library is not installed (rustup target add {WINDOWS_TARGET})"
        ))
    }
}

/// The version [`windows_binaries`] stamps into gox.exe by default (`gox --version`).
pub const WINDOWS_TEST_VERSION: &str = "0.0.1";

/// gox.exe and gox-shim.exe for [`WINDOWS_TARGET`] (debug), stamped with
/// [`WINDOWS_TEST_VERSION`] and trusting [`windows_test_key`]: see [`windows_release`].
pub fn windows_binaries() -> PathBuf {
    windows_release(WINDOWS_TEST_VERSION)
}

/// Builds gox.exe and gox-shim.exe for [`WINDOWS_TARGET`] (debug) with `version` stamped
/// into gox.exe and [`windows_test_key`]'s public half compiled in as the update key, as a
/// release build of that version would have them, and returns the directory holding the
/// two (`target/gox-test-windows/release-<version>/`).
///
/// One cargo target dir serves every version (a test cannot share cargo's build dir with
/// the running `cargo test`): changing the stamp recompiles only the `gox` crate. A file
/// lock serializes the builds. Panics with cargo's output on failure.
pub fn windows_release(version: &str) -> PathBuf {
    let dir = target_dir().join("gox-test-windows");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let lock = File::create(dir.join(".lock"))
        .and_then(|f| f.lock().map(|()| f))
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", dir.display()));
    let (_, public_key) = test_key_in(&dir.join("keys"));
    let output = nested_cargo()
        .args(["build", "--quiet", "--locked", "--target", WINDOWS_TARGET])
        .args(["--package", "gox", "--package", "gox-shim", "--target-dir"])
        .arg(&dir)
        .env("GOX_BUILD_VERSION", version)
        .env("GOX_DIST_PUBLIC_KEY", &public_key)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    assert!(
        output.status.success(),
        "cargo build --target {WINDOWS_TARGET} failed (needs `rustup target add {WINDOWS_TARGET}` \
         and {MINGW_GCC}):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Copied out under the lock (the next build of another version overwrites cargo's),
    // each to a temporary name renamed into place: another test may be copying the
    // previous one from there right now, outside the lock.
    let built = dir.join(WINDOWS_TARGET).join("debug");
    let out = dir.join(format!("release-{version}"));
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("cannot create {}: {e}", out.display()));
    for exe in ["gox.exe", "gox-shim.exe"] {
        let staged = out.join(format!(".{exe}.{}", std::process::id()));
        fs::copy(built.join(exe), &staged)
            .and_then(|_| fs::rename(&staged, out.join(exe)))
            .unwrap_or_else(|e| panic!("cannot copy {exe} to {}: {e}", out.display()));
    }
    drop(lock);
    out
}

/// The key pair the binaries of [`windows_release`] trust for `gox self update`.
pub fn windows_test_key() -> minisign::KeyPair {
    let keys = target_dir().join("gox-test-windows").join("keys");
    let (key_file, public_key) = test_key_in(&keys);
    crate::dist::load_key(&key_file, &public_key)
}

/// `keys/test.key` (an unencrypted minisign secret key) and its public half, made on first
/// use and kept, so the stamped builds stay the same from run to run. Callers hold the
/// build lock or only read.
fn test_key_in(keys: &Path) -> (PathBuf, String) {
    let key_file = keys.join("test.key");
    let pub_file = keys.join("test.key.pub");
    if !pub_file.is_file() {
        let minisign::KeyPair { pk, sk } =
            minisign::KeyPair::generate_unencrypted_keypair().expect("a fresh key pair");
        let sk_text = sk
            .to_box(Some("gox Windows test key"))
            .expect("an unencrypted key box")
            .to_string();
        fs::create_dir_all(keys)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", keys.display()));
        fs::write(&key_file, sk_text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", key_file.display()));
        // The public half last: its presence says the pair is complete.
        fs::write(&pub_file, pk.to_base64())
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", pub_file.display()));
    }
    let public_key = fs::read_to_string(&pub_file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", pub_file.display()))
        .trim()
        .to_string();
    (key_file, public_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_paths_are_seen_on_the_z_drive() {
        assert_eq!(
            windows_path(Path::new("/tmp/x y/home")),
            "Z:\\tmp\\x y\\home"
        );
    }
}
