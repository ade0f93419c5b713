//! Becoming the toolchain's binary with a plain `execve`, as a C wrapper would.
//!
//! `std::process::Command::exec` resets `SIGPIPE` to its default (std ignores it in its own
//! runtime, which the Unix shim does not start) and copies the whole environment into a map
//! first. A shim should hand over exactly what it was given: the signal mask and dispositions
//! pass through unchanged, the inherited environment entries are passed as they are (on
//! Linux without copying them), and only the variables of the plan are replaced or added.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use gox_core::Environment;

/// Whether an inherited `NAME=value` entry goes to the child unchanged: the plan does not
/// set NAME. (An entry without `=` is passed through: it is not ours to judge.)
#[cfg(target_os = "linux")]
pub fn inherited(entry: gox_core::environ::Entry, vars: &[(&str, OsString)]) -> bool {
    entry
        .name()
        .is_none_or(|name| !vars.iter().any(|(k, _)| k.as_bytes() == name))
}

/// `NAME=value` as a C string; `None` for a value with a NUL byte, which no real path or
/// environment holds (dropped rather than truncated).
pub fn entry(name: &OsStr, value: &OsStr) -> Option<CString> {
    let mut bytes = Vec::with_capacity(name.len() + value.len() + 2);
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(b'=');
    bytes.extend_from_slice(value.as_bytes());
    CString::new(bytes).ok()
}

/// `execve(program, [program, args…], environ − vars' names + vars)`. The arguments are
/// the shim's own argv strings, and `env` the process environment read for the plan;
/// both are passed on as they are. Returns only on failure.
pub fn exec(
    program: &Path,
    args: &[&CStr],
    env: &Environment,
    vars: &[(&str, OsString)],
) -> std::io::Error {
    let program = match CString::new(program.as_os_str().as_bytes()) {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    let set: Vec<CString> = vars
        .iter()
        .filter_map(|(k, v)| entry(OsStr::new(k), v))
        .collect();
    #[cfg(not(target_os = "linux"))]
    let owned = inherited_owned(env, vars);
    #[cfg(not(target_os = "linux"))]
    let kept = owned.iter().map(|e| e.as_ptr());
    #[cfg(target_os = "linux")]
    let kept = env
        .process_entries()
        .iter()
        .filter(|&&e| inherited(e, vars))
        .copied()
        .map(gox_core::environ::Entry::as_ptr);
    // Pointers carry no lifetime: the borrowed and the owned entries chain as equals.
    let envp = null_terminated(kept.chain(set.iter().map(|s| s.as_ptr())));
    let argv =
        null_terminated(std::iter::once(program.as_ptr()).chain(args.iter().map(|a| a.as_ptr())));
    // SAFETY: every pointer is a NUL-terminated string owned by `program`, `set`, `owned`,
    // the caller (`args`) or the C runtime's environment, all alive across the call; both
    // arrays end with a null pointer.
    unsafe { libc::execve(program.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    std::io::Error::last_os_error()
}

/// Outside Linux the environment was copied once through std (`environ` is not the stable
/// way to reach it on macOS); here the same copy becomes C strings.
#[cfg(not(target_os = "linux"))]
fn inherited_owned(env: &Environment, vars: &[(&str, OsString)]) -> Vec<CString> {
    env.process_vars()
        .filter(|(k, _)| !vars.iter().any(|(name, _)| k == name))
        .filter_map(|(k, v)| entry(k, v))
        .collect()
}

fn null_terminated(strings: impl Iterator<Item = *const libc::c_char>) -> Vec<*const libc::c_char> {
    strings.chain(std::iter::once(std::ptr::null())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_plans_names_are_replaced() {
        let vars = [
            ("GOROOT", OsString::from("/new")),
            ("GOTOOLCHAIN", OsString::from("local")),
        ];
        let inherited = |e: &'static CStr| inherited(e.into(), &vars);
        assert!(!inherited(c"GOROOT=/old"));
        assert!(!inherited(c"GOROOT="));
        assert!(!inherited(c"GOTOOLCHAIN=auto"));
        assert!(inherited(c"GOROOTX=/x"));
        assert!(inherited(c"GOROO=/x"));
        assert!(inherited(c"PATH=/usr/bin:GOROOT="));
        assert!(inherited(c"=GOROOT=x"), "the name is `=GOROOT`");
        assert!(inherited(c"NOEQUALS"));
    }

    #[test]
    fn entries_join_name_and_value() {
        let e = entry(OsStr::new("GOROOT"), OsStr::new("/a b=c"));
        assert_eq!(e.as_deref(), Some(c"GOROOT=/a b=c"));
        assert_eq!(entry(OsStr::new("GOROOT"), OsStr::new("/a\0b")), None);
    }

    #[test]
    fn exec_failure_is_returned() {
        let env = Environment::from_process();
        let err = exec(
            Path::new("/nonexistent/gox-test/go"),
            &[c"version"],
            &env,
            &[],
        );
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}
