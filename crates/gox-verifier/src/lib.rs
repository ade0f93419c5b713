//! gox-verifier: checks that what gox downloads and runs is what it claims to be.
//!
//! - [`header`]: executable headers (ELF, Mach-O incl. universal, PE) → format, OS and CPU.
//!   Always compiled, std only: the `go` shim uses it on every exec.
//! - [`hash`]: streaming SHA-256 for downloads and files (feature `tree`).
//! - [`buildinfo`]: the Go build info (`go1.22.10`, `GOOS`, `GOARCH`) embedded in Go
//!   binaries (feature `tree`).
//! - [`tree`]: verifies an extracted Go toolchain against the platform its archive claims
//!   (feature `tree`).

pub mod header;

#[cfg(feature = "tree")]
pub mod buildinfo;
#[cfg(feature = "tree")]
pub mod hash;
#[cfg(feature = "tree")]
pub mod tree;

#[cfg(test)]
mod testdata;

pub use header::{
    BinaryInfo, Format, HeaderError, elf_interpreter, parse_header, read_elf_interpreter,
    read_header,
};

#[cfg(feature = "tree")]
pub use buildinfo::{BuildInfo, BuildInfoError, parse_buildinfo, read_buildinfo};
#[cfg(feature = "tree")]
pub use hash::{Sha256Writer, StreamHasher, normalize_sha256, sha256_file};
#[cfg(feature = "tree")]
pub use tree::{TreeReport, VerifyError, identify_platform, verify_toolchain};
