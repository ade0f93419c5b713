//! Signals during an install or `self update` (DESIGN.md, "Reliability rules"): the first
//! SIGINT/SIGTERM is recorded for the installer (`gox_installer::cancel`), which unwinds
//! cleanly — staging tree removed, lock released — and gox exits 128 + signal (130/143). A
//! second one ends gox at once; whatever it leaves is swept by the next gox that takes the
//! lock.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use signal_hook::consts::{SIGINT, SIGTERM};

pub fn stop_installs_cleanly() {
    let cancel = gox_installer::cancel::flag();
    let seen = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // Registration only fails for signals that cannot be caught; these two can.
        let _ =
            signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, seen.clone());
        let _ = signal_hook::flag::register(signal, seen.clone());
        let _ = signal_hook::flag::register_usize(signal, cancel.clone(), signal as usize);
    }
    // `ulimit -f`: the kernel's default answer to an oversized write is to kill the writer
    // with SIGXFSZ, leaving no message. Ignored, the write fails with EFBIG, which the
    // installer reports with the path and the fix.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to SIG_IGN involves no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// `gox list | head -1`: once the reader has gone, gox ends quietly the way `ls` does (killed
/// by SIGPIPE), instead of Rust's default (SIGPIPE ignored, so `println!` panics on the broken
/// pipe: exit 101 with a panic message). Sockets are unaffected: std sends on them with
/// `MSG_NOSIGNAL` (Linux) or `SO_NOSIGPIPE` (macOS), so a peer closing a download still comes
/// back as an error that gox reports.
#[cfg(unix)]
pub fn end_quietly_on_closed_stdout() {
    // SAFETY: restoring the default disposition involves no handler code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
pub fn end_quietly_on_closed_stdout() {}
