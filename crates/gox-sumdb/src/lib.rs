//! The Go checksum database (sum.golang.org and compatible servers), as cmd/go uses it to
//! trust `golang.org/toolchain` module zips:
//!
//! - [`database`]: `GOSUMDB` (`name+hash+key [url]`, the built-in sum.golang.org key, the
//!   `sum.golang.google.cn` alias);
//! - [`client`]: `/lookup` records, the signed tree note, the record's inclusion proof from
//!   tiles, and consistency with the last tree head this machine saw (a fork is refused);
//! - [`dirhash`]: the `h1:` hash of a module zip.
//!
//! The note and tile formats come from `signed_note` and `tlog_tiles`, Cloudflare's ports of
//! golang.org/x/mod/sumdb/note and .../tlog. Network access is the caller's: the client asks
//! a [`client::Remote`] for paths, so this crate has no HTTP stack and tests need no server.

pub mod client;
pub mod database;
pub mod dirhash;
mod error;
pub mod log;

pub use client::{Client, Remote, RemoteError, Verified};
pub use database::{Database, SUM_GOLANG_ORG_KEY};
pub use dirhash::{hash_zip, hash_zip_file, hash1, hash1_from_digests};
pub use error::{Fork, Mismatch, SumdbError};

/// The module cmd/go downloads toolchains as.
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// `v0.0.1-go1.22.10.linux-amd64`: the module version of a toolchain (cmd/go's
/// `gotoolchainVersion + "-" + goVersion + "." + GOOS + "-" + GOARCH`).
pub fn toolchain_module_version(go_version: &str, goos: &str, goarch: &str) -> String {
    format!("v0.0.1-go{go_version}.{goos}-{goarch}")
}

/// The directory prefix every entry of a toolchain module zip carries:
/// `golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/`.
pub fn toolchain_zip_prefix(module_version: &str) -> String {
    format!("{TOOLCHAIN_MODULE}@{module_version}/")
}

/// Module path or version escaped for URLs as cmd/go does (`module.EscapePath`): each
/// upper-case letter becomes `!` and its lower-case form.
pub fn escape_module_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_names() {
        let v = toolchain_module_version("1.22.10", "linux", "amd64");
        assert_eq!(v, "v0.0.1-go1.22.10.linux-amd64");
        assert_eq!(
            toolchain_zip_prefix(&v),
            "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/"
        );
        assert_eq!(
            escape_module_text("github.com/Azure/x"),
            "github.com/!azure/x"
        );
    }
}
