//! How gox tells one of its shims from a user's file that merely has a shim's name.
//!
//! `gox setup`, `gox self update` and `gox self uninstall` replace or remove entries of the
//! shims dir, which users may also put their own `go1.99.0` script into. A hard link to the
//! installed `gox-shim` is recognised by its inode, but a shim left by an *older* `gox-shim`
//! (after an upgrade by install.sh or a package manager, or a copy on a filesystem without
//! hard links) has other bytes. Every `gox-shim` binary, of any version, carries [`MARK`]:
//! it is the start of the message the shim prints when started under its own name, so it
//! costs the shim nothing and cannot be dropped by the linker.

/// Text every `gox-shim` binary contains (the shim's "run me as `go`" message starts with it).
pub const MARK: &str = "gox-shim runs as `go` or `gofmt`";

/// A shim is a few MiB at most; a larger file with a shim's name is no shim of ours, and is
/// not read.
pub const MAX_SHIM_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `bytes` (a whole file) is a `gox-shim` binary of some version: an executable
/// format (ELF, Mach-O, PE) holding [`MARK`]. A script quoting the message is not one.
pub fn is_shim_binary(bytes: &[u8]) -> bool {
    let executable = bytes.starts_with(b"\x7fELF")
        || bytes.starts_with(b"MZ")
        || [
            [0xfe, 0xed, 0xfa, 0xcf],
            [0xcf, 0xfa, 0xed, 0xfe],
            [0xca, 0xfe, 0xba, 0xbe],
        ]
        .iter()
        .any(|magic| bytes.starts_with(magic));
    executable && bytes.windows(MARK.len()).any(|w| w == MARK.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_with_the_mark_is_a_shim_and_a_script_is_not() {
        let mut elf = b"\x7fELF\x02\x01\x01\0padding".to_vec();
        elf.extend_from_slice(MARK.as_bytes());
        elf.extend_from_slice(b" (it was started as");
        assert!(is_shim_binary(&elf));
        let script = format!("#!/bin/sh\necho '{MARK}'\n");
        assert!(!is_shim_binary(script.as_bytes()));
        assert!(!is_shim_binary(b"\x7fELF\x02\x01\x01\0gox-shim runs as"));
        assert!(!is_shim_binary(b""));
    }
}
