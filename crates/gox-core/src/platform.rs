//! Platforms as Go names them (`GOOS/GOARCH`), and how they map to the names used in
//! go.dev archive file names and in gox's directory names.

use std::fmt;
use std::str::FromStr;

/// Operating systems Go has shipped binary distributions for.
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];

/// Architectures Go knows (`go tool dist list`).
const KNOWN_ARCH: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64",
    "ppc64le", "riscv64", "s390x", "wasm",
];

/// A Go platform: `GOOS/GOARCH`, e.g. `darwin/arm64`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    os: String,
    arch: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("`{0}` is not a platform: write it as GOOS/GOARCH, e.g. linux/amd64 or darwin/arm64")]
    Shape(String),
    #[error("`{os}` is not an operating system Go supports (known: {known})", known = KNOWN_OS.join(", "))]
    UnknownOs { os: String },
    #[error("`{arch}` is not an architecture Go supports (known: {known})", known = KNOWN_ARCH.join(", "))]
    UnknownArch { arch: String },
}

impl Platform {
    /// Builds a platform from Go names, checking both against the known lists.
    pub fn new(os: &str, arch: &str) -> Result<Self, PlatformError> {
        if !KNOWN_OS.contains(&os) {
            return Err(PlatformError::UnknownOs { os: os.to_string() });
        }
        if !KNOWN_ARCH.contains(&arch) {
            return Err(PlatformError::UnknownArch {
                arch: arch.to_string(),
            });
        }
        Ok(Self {
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    /// Builds a platform from the `os`/`arch` fields of a go.dev feed entry, where 32-bit
    /// ARM is spelled `armv6l`. Returns `None` for entries that are not a platform build
    /// (source archives, `bootstrap` toolchains).
    pub fn from_feed(os: &str, arch: &str) -> Option<Self> {
        let arch = if arch == "armv6l" { "arm" } else { arch };
        Self::new(os, arch).ok()
    }

    pub fn os(&self) -> &str {
        &self.os
    }

    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// The arch as go.dev spells it in file names (`armv6l` for `arm`).
    pub fn feed_arch(&self) -> &str {
        if self.arch == "arm" {
            "armv6l"
        } else {
            &self.arch
        }
    }

    /// `darwin-arm64`: the form used in directory names (no `/`).
    pub fn dir_name(&self) -> String {
        format!("{}-{}", self.os, self.arch)
    }

    /// `darwin_arm64`: the form Go uses for `pkg/tool/<os>_<arch>`.
    pub fn tool_dir_name(&self) -> String {
        format!("{}_{}", self.os, self.arch)
    }

    /// Archive extension go.dev uses for this platform.
    pub fn archive_ext(&self) -> &'static str {
        if self.os == "windows" {
            "zip"
        } else {
            "tar.gz"
        }
    }

    /// File name suffix of executables on this platform.
    pub fn exe_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }

    /// The platform this gox binary was compiled for. This is *not* the host: under
    /// Rosetta 2 an x86_64 build runs on arm64 hardware (see [`crate::host`]).
    pub fn build_target() -> Self {
        Self {
            os: go_os(std::env::consts::OS).to_string(),
            arch: go_arch(std::env::consts::ARCH).to_string(),
        }
    }
}

/// Maps Rust's `std::env::consts::OS` to GOOS.
pub fn go_os(rust_os: &str) -> &str {
    match rust_os {
        "macos" => "darwin",
        other => other,
    }
}

/// Maps Rust's `std::env::consts::ARCH` to GOARCH.
pub fn go_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        other => other,
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)
    }
}

impl FromStr for Platform {
    type Err = PlatformError;

    /// Accepts `linux/amd64` and the directory form `linux-amd64` (also `linux_amd64`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (os, arch) = s
            .split_once(['/', '-', '_'])
            .ok_or_else(|| PlatformError::Shape(s.to_string()))?;
        if os.is_empty() || arch.is_empty() {
            return Err(PlatformError::Shape(s.to_string()));
        }
        Self::new(&os.to_ascii_lowercase(), &arch.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_and_dir_forms() {
        let p: Platform = "darwin/arm64".parse().unwrap();
        assert_eq!(p.to_string(), "darwin/arm64");
        assert_eq!(p.dir_name(), "darwin-arm64");
        assert_eq!(p.tool_dir_name(), "darwin_arm64");
        assert_eq!(
            "linux-amd64".parse::<Platform>().unwrap(),
            Platform::new("linux", "amd64").unwrap()
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "/",
            "linux",
            "linux/",
            "/amd64",
            "linux/x86_64",
            "macos/arm64",
            "🦀/🦀",
            "linux/amd64/extra",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn feed_names_round_trip() {
        let arm = Platform::from_feed("linux", "armv6l").unwrap();
        assert_eq!(arm.arch(), "arm");
        assert_eq!(arm.feed_arch(), "armv6l");
        assert!(Platform::from_feed("", "").is_none());
        assert!(Platform::from_feed("linux", "bootstrap").is_none());
    }

    #[test]
    fn archive_kinds() {
        assert_eq!(
            Platform::new("windows", "amd64").unwrap().archive_ext(),
            "zip"
        );
        assert_eq!(
            Platform::new("darwin", "arm64").unwrap().archive_ext(),
            "tar.gz"
        );
    }
}
