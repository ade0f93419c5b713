//! The in-use mark (DESIGN.md, "Reliability rules"; Nix's GC is the model): right before
//! `exec`, the shim takes a *shared* `flock` on the toolchain's receipt through a descriptor
//! that is **not** close-on-exec. `go` (and whatever it starts) inherits the descriptor, so
//! the shared lock lives exactly as long as the processes using the toolchain. `gox
//! uninstall` needs the lock *exclusively* and refuses while anyone holds it; while it holds
//! it (rename aside, delete), a shim cannot get the shared lock and answers "not installed".
//! Cost: `open` + `flock`, two syscalls. Windows, which has no exec, holds the lock in the
//! shim while it waits for `go.exe` instead.

use std::path::Path;

/// The held shared lock (dropping it closes the descriptor; `exec` keeps it open instead).
#[derive(Debug)]
pub struct InUse {
    #[cfg(unix)]
    _fd: Option<std::os::fd::OwnedFd>,
    /// Windows: the receipt, locked shared for as long as this shim waits for `go.exe`.
    #[cfg(not(unix))]
    _file: Option<std::fs::File>,
}

impl InUse {
    /// Whether a receipt was found and locked (so the toolchain directory exists).
    pub fn held(&self) -> bool {
        #[cfg(unix)]
        return self._fd.is_some();
        #[cfg(not(unix))]
        return self._file.is_some();
    }
}

/// The toolchain is being removed right now (an uninstall holds its lock exclusively).
#[derive(Debug)]
pub struct BeingRemoved;

/// Marks `goroot` as in use by this process and its exec'd successors. A toolchain without
/// a receipt (copied in by hand, or already gone) gets no mark: the caller's existence check
/// of `bin/go` decides whether it can run.
#[cfg(unix)]
pub fn hold(goroot: &Path) -> Result<InUse, BeingRemoved> {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    let Ok(path) = std::ffi::CString::new(
        goroot
            .join(gox_core::layout::RECEIPT_FILE)
            .as_os_str()
            .as_bytes(),
    ) else {
        return Ok(InUse { _fd: None });
    };
    // SAFETY: a valid NUL-terminated path; no O_CLOEXEC on purpose (the lock must survive exec).
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_NOCTTY) };
    if fd < 0 {
        return Ok(InUse { _fd: None });
    }
    // With stdin, stdout or stderr closed (`go version <&-`) the receipt would land on that
    // number and `go` would read or write the receipt: the shim has no runtime that fills
    // the gap with /dev/null, so the mark moves above 2 and the gap passes through as it was.
    let fd = if fd <= 2 {
        // SAFETY: duplicating and closing a descriptor this function just opened.
        unsafe {
            let high = libc::fcntl(fd, libc::F_DUPFD, 3);
            libc::close(fd);
            if high < 0 {
                return Ok(InUse { _fd: None });
            }
            high
        }
    } else {
        fd
    };
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: flock on a descriptor we own.
    if unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            libc::LOCK_SH | libc::LOCK_NB,
        )
    } != 0
    {
        return Err(BeingRemoved);
    }
    Ok(InUse { _fd: Some(fd) })
}

/// Windows has no exec: the shim waits for `go.exe` (and `go.exe` for what it starts), so
/// a shared lock (`LockFileEx`, std's `try_lock_shared`) the shim holds until it exits
/// covers the same processes. `gox uninstall`'s exclusive `try_lock` then refuses.
#[cfg(not(unix))]
pub fn hold(goroot: &Path) -> Result<InUse, BeingRemoved> {
    let Ok(file) = std::fs::File::open(goroot.join(gox_core::layout::RECEIPT_FILE)) else {
        return Ok(InUse { _file: None });
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(InUse { _file: Some(file) }),
        Err(std::fs::TryLockError::WouldBlock) => Err(BeingRemoved),
        // A filesystem without locks: no mark, as on Unix.
        Err(std::fs::TryLockError::Error(_)) => Ok(InUse { _file: None }),
    }
}
