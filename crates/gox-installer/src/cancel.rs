//! Ctrl-C and SIGTERM during an install: the CLI's signal handler only records the signal
//! here (an atomic store is all a handler may do); the install notices at its next step
//! (every archive entry, every downloaded chunk, or within 50 ms while waiting on the
//! network or a lock) and returns [`InstallError::Interrupted`]. That error unwinds the
//! install like any other failure, so the staging tree is deleted after the extractor
//! thread has stopped writing into it, and the toolchain lock is released.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::InstallError;

/// The signal number received, 0 for none. Shared with the handler registered by the CLI.
pub fn flag() -> Arc<AtomicUsize> {
    static FLAG: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicUsize::new(0))).clone()
}

/// The signal that asked gox to stop, if any.
pub fn requested() -> Option<i32> {
    match flag().load(Ordering::Relaxed) {
        0 => None,
        signal => i32::try_from(signal).ok(),
    }
}

/// `Err(Interrupted)` once a stop was requested.
pub fn check() -> Result<(), InstallError> {
    match requested() {
        Some(signal) => Err(InstallError::Interrupted { signal }),
        None => Ok(()),
    }
}

/// Runs `work` unless a stop is requested first (checked every 50 ms), so a stalled
/// network read cannot keep gox from stopping. On a stop, `work` is dropped.
pub async fn unless_stopped<T>(
    work: impl std::future::Future<Output = Result<T, InstallError>>,
) -> Result<T, InstallError> {
    let stop = async {
        loop {
            if let Some(signal) = requested() {
                return InstallError::Interrupted { signal };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::select! {
        done = work => done,
        stop = stop => Err(stop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_signal_interrupts() {
        assert!(check().is_ok());
        flag().store(15, Ordering::Relaxed);
        assert!(matches!(
            check(),
            Err(InstallError::Interrupted { signal: 15 })
        ));
        flag().store(0, Ordering::Relaxed);
    }
}
