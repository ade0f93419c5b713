//! The check every unpacking target makes of what it left on disk.

use std::fs;
use std::path::Path;

/// Walks an extraction's `dest`: only `go/` at the top, no special files, and every symlink
/// resolves (when it resolves at all) inside `dest/go`. `on_file` sees every regular file;
/// returns their total size.
pub fn check_tree(dest: &Path, mut on_file: impl FnMut(&Path)) -> u64 {
    for entry in fs::read_dir(dest).unwrap() {
        assert_eq!(entry.unwrap().file_name(), "go");
    }
    let root = dest.join("go");
    let Ok(canonical_root) = fs::canonicalize(&root) else {
        return 0;
    };
    let mut total = 0u64;
    let mut stack = vec![root];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            if let Ok(resolved) = fs::canonicalize(&path) {
                assert!(
                    resolved.starts_with(&canonical_root),
                    "{} -> {}",
                    path.display(),
                    resolved.display()
                );
            }
        } else if meta.is_dir() {
            for entry in fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            assert!(meta.is_file(), "special file {}", path.display());
            on_file(&path);
            total += meta.len();
        }
    }
    total
}
