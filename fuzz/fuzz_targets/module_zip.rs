//! Toolchain module zips come from GOPROXY, a proxy the user may not control, and are
//! unpacked before anything runs from them (the h1: check covers the bytes, not the
//! unpacker's behaviour on a hostile zip that a database also records). Unpacking must never
//! panic, never write outside the staging directory, keep only `go/` in it, never leave a
//! symlink pointing out of the tree, and stay within the byte cap (twice, for the `go.mod`
//! copies of `_go.mod` files).
#![no_main]

use std::fs;
use std::path::Path;

use gox_installer::extract::{Limits, extract_module_zip};
use libfuzzer_sys::fuzz_target;

#[path = "common/tree.rs"]
mod tree;

const LIMITS: Limits = Limits {
    max_total_bytes: 1 << 20,
    max_entries: 256,
};

const PREFIX: &str = "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64/";

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("input.zip");
    fs::write(&archive, data).unwrap();
    let dest = dir.path().join("dest");
    fs::create_dir(&dest).unwrap();
    let result = extract_module_zip(&archive, PREFIX, &dest, LIMITS);
    if let Err(err) = &result {
        let msg = err.to_string();
        assert!(!msg.is_empty());
        assert!(
            !msg.contains('\x1b'),
            "control characters in message: {msg:?}"
        );
    }
    check(&dest, result.is_ok());
    // Nothing but our own files next to the staging directory.
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["dest", "input.zip"]);
});

/// The tree holds only `go/`, within the byte cap, every symlink resolves (when it resolves
/// at all) inside `dest/go`, and after a success every `_go.mod` has its `go.mod`.
fn check(dest: &Path, ok: bool) {
    let total = tree::check_tree(dest, |path| {
        if ok && path.file_name().is_some_and(|n| n == "_go.mod") {
            assert!(path.with_file_name("go.mod").exists(), "{}", path.display());
        }
    });
    assert!(total <= 2 * LIMITS.max_total_bytes, "{total} bytes on disk");
}
