//! Private staging directories a run of gox fills beside where its result goes:
//! `.gox-update-*` next to gox's binaries (`self update`), `.gox-mirror-*` in the cache
//! (`mirror sync`). Each is a `TempDir`, removed on every return path and, through
//! [`crate::cancel`], on SIGINT/SIGTERM; only a kill (SIGKILL, a crash, power loss) leaves
//! one behind. The next run sweeps those, and `gox prune --cache` removes them, under one
//! rule ([`crate::prune::still_used`]): nothing in it modified for an hour, and no process
//! has anything in it open.

use std::path::Path;

/// A staging directory whose name starts with `prefix`, not a link to one.
pub(crate) fn is_staging_dir(path: &Path, prefix: &str) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(prefix))
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Removes the staging directories (`prefix`) in `parent` that a killed run left: a younger
/// or open one may belong to a run going on right now, which cleans up after itself.
/// Best effort: what cannot be removed stays for the next sweep.
pub(crate) fn sweep(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if is_staging_dir(&path, prefix) && crate::prune::still_used(&path).is_none() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file or directory opened so that its times can be set: Windows opens a directory
    /// only with FILE_FLAG_BACKUP_SEMANTICS, and setting times needs FILE_WRITE_ATTRIBUTES.
    fn open_for_times(path: &Path) -> std::fs::File {
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
            const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
            std::fs::OpenOptions::new()
                .access_mode(FILE_WRITE_ATTRIBUTES)
                .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
                .open(path)
                .unwrap()
        }
        #[cfg(not(windows))]
        std::fs::File::open(path).unwrap()
    }

    #[test]
    fn only_staging_left_untouched_for_an_hour_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = ".gox-mirror-";
        let old = dir.path().join(format!("{prefix}old"));
        // Old itself, but a file in it was just written: a run is still filling it.
        let busy = dir.path().join(format!("{prefix}busy"));
        let young = dir.path().join(format!("{prefix}young"));
        let other = dir.path().join("keep-me");
        let update = dir.path().join(".gox-update-old");
        let link = dir.path().join(format!("{prefix}link"));
        for d in [&old, &busy, &young, &other, &update] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("f.part"), b"x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&other, &link).unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for path in [
            old.join("f.part"),
            old.clone(),
            busy.clone(),
            other.join("f.part"),
            other.clone(),
            update.join("f.part"),
            update.clone(),
        ] {
            open_for_times(&path).set_modified(two_hours_ago).unwrap();
        }
        assert!(is_staging_dir(&old, prefix));
        assert!(!is_staging_dir(&link, prefix), "a link is not followed");
        assert!(!is_staging_dir(&old.join("f.part"), prefix));

        sweep(dir.path(), prefix);
        assert!(!old.exists());
        assert!(busy.join("f.part").is_file(), "a run filling it keeps it");
        assert!(young.join("f.part").is_file(), "a run going on keeps it");
        assert!(other.join("f.part").is_file());
        assert!(
            update.join("f.part").is_file(),
            "another prefix is not swept"
        );
        sweep(dir.path(), ".gox-update-");
        assert!(!update.exists());
    }
}
