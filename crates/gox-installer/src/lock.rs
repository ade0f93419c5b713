//! Per-toolchain file lock: two `gox install 1.22.5` at once must not both extract, and an
//! uninstall must not pull a toolchain out from under an install.

use std::fs::File;
use std::path::Path;

use crate::error::InstallError;

/// Held for the lifetime of the value; the OS drops the lock if the process dies.
#[derive(Debug)]
pub struct ToolchainLock {
    _file: File,
}

impl ToolchainLock {
    /// Blocks until the lock is ours, telling the user once if another gox holds it.
    pub fn acquire(path: &Path, on_wait: impl FnOnce()) -> Result<Self, InstallError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| InstallError::io("create", dir, e))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| InstallError::io("open lock", path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait();
                file.lock().map_err(|e| InstallError::io("lock", path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(InstallError::io("lock", path, e)),
        }
        Ok(Self { _file: file })
    }
}
