//! What a plan depended on, recorded while it is made (docs/architecture.md, "replayer and
//! planner").
//!
//! The Linux `go` shim is a replayer: it re-runs a plan recorded by the planner (gox run as
//! `go`) as long as everything the plan depended on is unchanged. So while the planner
//! decides, every variable read through [`Environment`](crate::Environment) and every path
//! that selection, the config, the installed list and the shim look at is noted here, on
//! this thread, between [`start`] and [`finish`]. Outside a recording each hook is one
//! thread-local check: gox's other commands pay nothing else.
//!
//! A path is noted as `stat` saw it *before* its contents were read, so a file that changes
//! afterwards can only make the record stale-looking (the replayer then plans again), never
//! stale-but-matching; a change within the same timestamp tick is what the planner's racy
//! rule (`gox_plan::is_racy`) is for.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::io;
use std::path::Path;

pub use gox_plan::{Identity, Seen};

/// One thing the plan depended on (the owned form of [`gox_plan::Observation`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A variable and its raw value, `None` when unset.
    Var {
        name: Vec<u8>,
        value: Option<Vec<u8>>,
    },
    /// A path as passed to `stat`, and what it said.
    Path { path: Vec<u8>, seen: Seen },
}

impl Observation {
    /// The form a record is written from.
    pub fn as_plan(&self) -> gox_plan::Observation<'_> {
        match self {
            Observation::Var { name, value } => gox_plan::Observation::Var {
                name,
                value: value.as_deref(),
            },
            Observation::Path { path, seen } => gox_plan::Observation::Path { path, seen: *seen },
        }
    }
}

/// A finished recording.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// In the order they were made.
    pub observations: Vec<Observation>,
    /// Something was looked at in a way a `stat` cannot re-check (a failed `stat` other than
    /// "absent", a resolved symbolic link): no record may be written from this plan.
    pub incomplete: bool,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Starts recording on this thread (a recording already running is discarded).
pub fn start() {
    RECORDING.with(|r| *r.borrow_mut() = Some(Recording::default()));
}

/// Stops recording and returns what was noted; `None` when nothing was recording.
pub fn finish() -> Option<Recording> {
    RECORDING.with(|r| r.borrow_mut().take())
}

/// Whether a recording is running (to skip work only a recording needs).
pub fn active() -> bool {
    RECORDING.with(|r| r.borrow().is_some())
}

fn note(f: impl FnOnce(&mut Recording)) {
    RECORDING.with(|r| {
        if let Some(recording) = r.borrow_mut().as_mut() {
            f(recording);
        }
    });
}

/// A variable was read: its raw value, or `None` when unset.
pub fn var(name: &str, value: Option<&OsStr>) {
    note(|r| {
        r.observations.push(Observation::Var {
            name: name.as_bytes().to_vec(),
            value: value.map(|v| bytes(v).to_vec()),
        });
    });
}

/// `stat` of `path` (following links) was `result`.
pub fn path(path: &Path, result: &io::Result<std::fs::Metadata>) {
    note(|r| match seen(result) {
        Some(seen) => r.observations.push(Observation::Path {
            path: bytes(path.as_os_str()).to_vec(),
            seen,
        }),
        None => r.incomplete = true,
    });
}

/// `std::fs::metadata`, noted.
pub fn metadata(path: &Path) -> io::Result<std::fs::Metadata> {
    let result = std::fs::metadata(path);
    self::path(path, &result);
    result
}

/// Notes `path` with a `stat` of its own, only while recording: for paths whose contents
/// are read or listed without a `stat` first (a directory listing, a file opened directly).
pub fn stat_if_recording(path: &Path) {
    if active() {
        let _ = metadata(path);
    }
}

/// What a `stat` of `path` says now, in the record's terms (not noted anywhere); `None`
/// when it cannot be recorded.
pub fn seen_now(path: &Path) -> Option<Seen> {
    seen(&std::fs::metadata(path))
}

/// Marks the recording incomplete: the plan depended on something a `stat` cannot re-check.
pub fn unrecordable() {
    note(|r| r.incomplete = true);
}

/// What a `stat` result says, in the record's terms; `None` for a failure other than
/// "absent" (a permission error may pass later: it cannot be re-checked as unchanged).
fn seen(result: &io::Result<std::fs::Metadata>) -> Option<Seen> {
    match result {
        Ok(meta) => identity(meta).map(Seen::Present),
        Err(e) if matches!(e.raw_os_error(), Some(code) if is_absent_code(code)) => {
            Some(Seen::Absent)
        }
        Err(_) => None,
    }
}

/// ENOENT and ENOTDIR: what the replayer's `stat` reports as absent.
#[cfg(unix)]
fn is_absent_code(code: i32) -> bool {
    code == 2 || code == 20
}

#[cfg(not(unix))]
fn is_absent_code(_: i32) -> bool {
    false
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some(Identity {
        dev: meta.dev(),
        ino: meta.ino(),
        mode: meta.mode(),
        size: meta.size(),
        mtime_sec: meta.mtime(),
        mtime_nsec: u32::try_from(meta.mtime_nsec()).ok()?,
        ctime_sec: meta.ctime(),
        ctime_nsec: u32::try_from(meta.ctime_nsec()).ok()?,
    })
}

/// Only the Unix replayer replays; elsewhere nothing is recordable.
#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<Identity> {
    None
}

#[cfg(unix)]
fn bytes(s: &OsStr) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes()
}

#[cfg(not(unix))]
fn bytes(s: &OsStr) -> &[u8] {
    s.as_encoded_bytes()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn records_only_between_start_and_finish() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        var("BEFORE", None);
        assert!(finish().is_none());
        start();
        assert!(active());
        var("A", Some(OsStr::new("1")));
        var("B", None);
        let _ = metadata(&file);
        let _ = metadata(&dir.path().join("missing"));
        let _ = metadata(&file.join("under-a-file")); // ENOTDIR: absent too
        let recording = finish().unwrap();
        assert!(!active());
        assert!(!recording.incomplete);
        let o = &recording.observations;
        assert_eq!(o.len(), 5);
        assert_eq!(
            o[0],
            Observation::Var {
                name: b"A".to_vec(),
                value: Some(b"1".to_vec())
            }
        );
        assert_eq!(
            o[1],
            Observation::Var {
                name: b"B".to_vec(),
                value: None
            }
        );
        let Observation::Path {
            seen: Seen::Present(id),
            ..
        } = &o[2]
        else {
            panic!("{:?}", o[2]);
        };
        assert_eq!(id.size, 1);
        assert!(matches!(
            o[3],
            Observation::Path {
                seen: Seen::Absent,
                ..
            }
        ));
        assert!(matches!(
            o[4],
            Observation::Path {
                seen: Seen::Absent,
                ..
            }
        ));
        var("AFTER", None);
        assert!(finish().is_none());
    }

    #[test]
    fn a_failure_that_is_not_absence_makes_it_incomplete() {
        start();
        path(
            Path::new("/x"),
            &Err(io::Error::from_raw_os_error(13)), // EACCES
        );
        let recording = finish().unwrap();
        assert!(recording.incomplete);
        assert!(recording.observations.is_empty());
        start();
        unrecordable();
        assert!(finish().unwrap().incomplete);
    }
}
