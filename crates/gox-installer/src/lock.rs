//! Per-toolchain file lock: two `gox install 1.22.5` at once must not both extract, and an
//! uninstall must not pull a toolchain out from under an install.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use crate::cancel;
use crate::error::InstallError;

/// Held for the lifetime of the value; the OS drops the lock if the process dies.
#[derive(Debug)]
pub struct ToolchainLock {
    _file: File,
}

impl ToolchainLock {
    /// Waits until the lock is ours, telling the user once if another gox holds it. The wait
    /// polls, so Ctrl-C stops a waiting gox at once.
    pub fn acquire(path: &Path, on_wait: impl FnOnce()) -> Result<Self, InstallError> {
        let file = open(path)?;
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if let Some(tell) = on_wait.take() {
                        tell();
                    }
                    cancel::check()?;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(InstallError::io("lock", path, e));
                }
            }
        }
    }

    /// The lock if nobody holds it, without waiting (`Ok(None)`: another gox holds it).
    /// Creates the lock file as [`ToolchainLock::acquire`] does.
    pub fn try_acquire(path: &Path) -> Result<Option<Self>, InstallError> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(InstallError::io("lock", path, e)),
        }
    }

    /// Nobody holds the lock at `path` (a missing lock file is free too: every holder
    /// creates it first). Checking takes and drops the lock.
    pub fn is_free(path: &Path) -> bool {
        match File::options().write(true).open(path) {
            Ok(file) => file.try_lock().is_ok(),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        }
    }
}

/// The lock file at `path`, created (with its directory) when missing.
fn open(path: &Path) -> Result<File, InstallError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| InstallError::io("create", dir, e))?;
    }
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| InstallError::io("open lock", path, e))
}
