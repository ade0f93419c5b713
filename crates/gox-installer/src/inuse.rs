//! Who uses a toolchain right now, so `gox uninstall`/`gox prune` never pull a GOROOT out
//! from under a running `go` (Nix's garbage collector is the model).
//!
//! Two signals, both checked: the in-use lock every shim takes on the receipt before it
//! execs `go` (race-free: see `gox_shim::inuse`), and a scan for processes whose executable,
//! working directory or open files lie under the tree (catches a `go` started without the
//! shim, by an IDE or by hand). The scan is only as complete as the OS lets us see: Linux
//! reads `/proc`; macOS asks `proc_listallpids` + `proc_pidpath` (executables only); Windows
//! has neither, but there the rename of a tree that a process runs from fails, and gox says so.

use std::fs::File;
use std::path::{Path, PathBuf};

/// One process found using a toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub pid: u32,
    /// Its command line (shortened), or its executable when that is all the OS tells.
    pub command: String,
    /// What ties it to the tree: "runs", "works in", "has open".
    pub how: &'static str,
    pub path: PathBuf,
}

impl std::fmt::Display for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} ({}) {} {}",
            self.pid,
            self.command,
            self.how,
            self.path.display()
        )
    }
}

/// The exclusive side of the in-use lock, held while a toolchain is renamed aside and
/// deleted. `Ok(None)`: no receipt to lock (a hand-made tree); `Err(())`: a shim-started
/// process holds the shared side.
pub(crate) fn lock_exclusive(goroot: &Path) -> Result<Option<File>, ()> {
    let Ok(file) = File::open(goroot.join(gox_core::layout::RECEIPT_FILE)) else {
        return Ok(None);
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(()),
        // A filesystem without locks: fall back to the process scan alone.
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// Which link (exe, cwd, open file) points into `tree`, described for the user.
pub fn classify(link: &Path, tree: &Path, how: &'static str) -> Option<(&'static str, PathBuf)> {
    link.starts_with(tree).then(|| (how, link.to_path_buf()))
}

/// Processes other than this one whose executable, cwd or open files are under `tree`.
pub fn users(tree: &Path) -> Vec<User> {
    let tree = tree.canonicalize().unwrap_or_else(|_| tree.to_path_buf());
    let mut found = scan(&tree);
    found.retain(|u| u.pid != std::process::id());
    found.sort_by_key(|u| u.pid);
    found.dedup_by_key(|u| u.pid);
    found
}

#[cfg(target_os = "linux")]
fn scan(tree: &Path) -> Vec<User> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let dir = entry.path();
        let link = |name: &str| std::fs::read_link(dir.join(name)).ok();
        let hit = link("exe")
            .and_then(|l| classify(&l, tree, "runs"))
            .or_else(|| link("cwd").and_then(|l| classify(&l, tree, "works in")))
            .or_else(|| {
                std::fs::read_dir(dir.join("fd"))
                    .ok()?
                    .flatten()
                    .find_map(|fd| classify(&std::fs::read_link(fd.path()).ok()?, tree, "has open"))
            });
        if let Some((how, path)) = hit {
            found.push(User {
                pid,
                command: command_line(&dir).unwrap_or_else(|| path.display().to_string()),
                how,
                path,
            });
        }
    }
    found
}

#[cfg(target_os = "linux")]
fn command_line(proc_dir: &Path) -> Option<String> {
    let raw = std::fs::read(proc_dir.join("cmdline")).ok()?;
    let line = shorten(&raw);
    if !line.is_empty() {
        return Some(line);
    }
    // Zombies and processes in the middle of exec show an empty command line; their
    // name is still better than nothing.
    let comm = std::fs::read_to_string(proc_dir.join("comm")).ok()?;
    Some(comm.trim_end().to_string()).filter(|c| !c.is_empty())
}

/// `/proc/PID/cmdline` (NUL-separated) as one readable line of at most 80 characters.
pub fn shorten(cmdline: &[u8]) -> String {
    let text = String::from_utf8_lossy(cmdline)
        .trim_end_matches('\0')
        .replace('\0', " ");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

#[cfg(target_os = "macos")]
fn scan(tree: &Path) -> Vec<User> {
    use std::os::unix::ffi::OsStrExt;
    let mut pids = vec![0 as libc::c_int; 8192];
    // SAFETY: the buffer is valid for its length in bytes.
    let n = unsafe {
        libc::proc_listallpids(
            pids.as_mut_ptr().cast(),
            (pids.len() * std::mem::size_of::<libc::c_int>()) as libc::c_int,
        )
    };
    let mut found = Vec::new();
    for &pid in pids.iter().take(n.max(0) as usize) {
        let mut buf = vec![0u8; libc::PROC_PIDPATHINFO_MAXSIZE as usize];
        // SAFETY: the buffer is valid for its length.
        let len = unsafe { libc::proc_pidpath(pid, buf.as_mut_ptr().cast(), buf.len() as u32) };
        if len <= 0 {
            continue;
        }
        let exe = PathBuf::from(std::ffi::OsStr::from_bytes(&buf[..len as usize]));
        if let Some((how, path)) = classify(&exe, tree, "runs") {
            found.push(User {
                pid: pid as u32,
                command: path.display().to_string(),
                how,
                path,
            });
        }
    }
    found
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn scan(_tree: &Path) -> Vec<User> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_only_paths_inside_the_tree() {
        let tree = Path::new("/h/toolchains/go1.22.10.linux-amd64");
        assert!(classify(&tree.join("bin/go"), tree, "runs").is_some());
        assert!(classify(tree, tree, "works in").is_some());
        assert!(
            classify(
                Path::new("/h/toolchains/go1.22.10.linux-amd64-other/bin/go"),
                tree,
                "runs"
            )
            .is_none()
        );
        assert!(classify(Path::new("/usr/bin/go"), tree, "runs").is_none());
    }

    #[test]
    fn command_lines_are_joined_and_shortened() {
        assert_eq!(shorten(b"go\0run\0.\0"), "go run .");
        let long = shorten(&[b'x'; 200]);
        assert_eq!(long.chars().count(), 80);
        assert!(long.ends_with('…'));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn finds_a_process_working_in_the_tree() {
        let tree = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(tree.path())
            .spawn()
            .unwrap();
        // `spawn` can return before the kernel shows the new command line; wait (bounded)
        // until it does, so the scan sees `sleep 30` and not the exec in progress.
        let cmdline = format!("/proc/{}/cmdline", child.id());
        for _ in 0..250 {
            if std::fs::read(&cmdline).is_ok_and(|c| c.starts_with(b"sleep\0")) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let found = users(tree.path());
        child.kill().unwrap();
        child.wait().unwrap();
        let me = found
            .iter()
            .find(|u| u.pid == child.id())
            .expect("the child");
        assert_eq!((me.how, me.command.as_str()), ("works in", "sleep 30"));
    }
}
