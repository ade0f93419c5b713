//! Archives are hostile input (mirrors, `--archive FILE`): extraction must never panic,
//! never write outside the staging directory and never leave a symlink pointing out of the
//! toolchain tree, whatever the bytes. The input is tried as a `.tar.gz`, as a `.zip`, and
//! as a raw tar stream (gzipped here, so the tar parser sees the bytes directly).
#![no_main]

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;

use gox_installer::extract::{ArchiveKind, Limits, extract, extract_tar_gz};
use libfuzzer_sys::fuzz_target;

#[path = "common/tree.rs"]
mod tree;

const LIMITS: Limits = Limits {
    max_total_bytes: 1 << 20,
    max_entries: 256,
};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("input");
    fs::write(&archive, data).unwrap();

    for (i, kind) in [ArchiveKind::TarGz, ArchiveKind::Zip]
        .into_iter()
        .enumerate()
    {
        let dest = dir.path().join(format!("dest{i}"));
        fs::create_dir(&dest).unwrap();
        let result = extract(&archive, kind, &dest, LIMITS);
        check(&dest, result.as_ref().err());
    }

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    let gz = gz.finish().unwrap();
    let dest = dir.path().join("dest2");
    fs::create_dir(&dest).unwrap();
    let result = extract_tar_gz(Cursor::new(gz), &dest, LIMITS);
    check(&dest, result.as_ref().err());

    // Nothing but our own files next to the staging directories.
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["dest0", "dest1", "dest2", "input"]);
});

/// Error messages render; the tree holds only `go/`, within the byte cap, and every symlink
/// resolves (when it resolves at all) inside `dest/go`.
fn check(dest: &Path, err: Option<&gox_installer::extract::ExtractError>) {
    if let Some(err) = err {
        let msg = err.to_string();
        assert!(
            !msg.contains('\x1b'),
            "control characters in message: {msg:?}"
        );
    }
    let total = tree::check_tree(dest, |_| {});
    assert!(total <= LIMITS.max_total_bytes, "{total} bytes on disk");
}
