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

/// Windows has no SIGPIPE: a write to a pipe whose reader has gone (`gox list |
/// Select-Object -First 1`, `| more` quit early) fails, and `println!` panics on it (exit
/// 101 with a panic message). Such a panic ends gox quietly instead, with 0: the reader
/// stopped reading, nothing went wrong here. Every other panic is reported as before.
#[cfg(not(unix))]
pub fn end_quietly_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_closed_stdout(message) {
            std::process::exit(0);
        }
        report(info);
    }));
}

/// Whether a panic `message` is std's for printing to a pipe with no reader: `println!`'s
/// "failed printing to stdout: …" with Windows' broken-pipe errors (109
/// ERROR_BROKEN_PIPE, 232 ERROR_NO_DATA, 233 ERROR_PIPE_NOT_CONNECTED).
#[cfg_attr(unix, allow(dead_code))]
fn is_closed_stdout(message: &str) -> bool {
    message.starts_with("failed printing to stdout")
        && ["(os error 109)", "(os error 232)", "(os error 233)"]
            .iter()
            .any(|code| message.ends_with(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_pipe_on_stdout_ends_quietly() {
        for code in [109, 232, 233] {
            assert!(is_closed_stdout(&format!(
                "failed printing to stdout: The pipe is being closed. (os error {code})"
            )));
        }
        assert!(!is_closed_stdout(
            "failed printing to stdout: Access is denied. (os error 5)"
        ));
        assert!(!is_closed_stdout(
            "failed printing to stderr: The pipe is being closed. (os error 232)"
        ));
        assert!(!is_closed_stdout("index out of bounds (os error 232)"));
    }
}
