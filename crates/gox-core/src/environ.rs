//! The environment block the C runtime was started with, read in place.
//!
//! The `go` shim reads the environment twice per run (to decide, then to hand it to `go`);
//! std's readers copy every entry into a growing `Vec` each time, several KiB of memory the
//! shim would page-fault in on every `go` invocation. Here the entries are borrowed.
//!
//! Soundness: the strings are valid for the life of the process as long as nobody changes
//! the environment. gox and its shim never do: `clippy.toml` forbids `std::env::set_var` and
//! `remove_var`, and children get their variables through `Command` or `execve`.

use std::ffi::CStr;

unsafe extern "C" {
    /// POSIX: the array of `NAME=value` strings, terminated by a null pointer.
    static environ: *const *const std::ffi::c_char;
}

/// How many entries there are (without measuring their strings).
pub fn count() -> usize {
    // SAFETY: reading the pointer itself; see the module comment for why it stays valid.
    let base = unsafe { environ };
    if base.is_null() {
        return 0;
    }
    let mut n = 0;
    // SAFETY: the array is terminated by a null pointer; reads stop there.
    while !unsafe { *base.add(n) }.is_null() {
        n += 1;
    }
    n
}

/// Every entry (`NAME=value`, as the C runtime holds it), in order.
pub fn entries() -> impl Iterator<Item = &'static CStr> + Clone {
    // SAFETY: reading the pointer itself; see the module comment for why it stays valid.
    let mut next = unsafe { environ };
    std::iter::from_fn(move || {
        if next.is_null() {
            return None;
        }
        // SAFETY: `next` points into the null-terminated `environ` array.
        let entry = unsafe { *next };
        if entry.is_null() {
            return None;
        }
        // SAFETY: as above; the entry is a NUL-terminated string that outlives the process'
        // use of it (module comment), and `next` stays within the array.
        unsafe {
            next = next.add(1);
            Some(CStr::from_ptr(entry))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_what_std_sees() {
        let ours: Vec<Vec<u8>> = entries().map(|e| e.to_bytes().to_vec()).collect();
        assert_eq!(ours.len(), count());
        assert!(!ours.is_empty(), "the test runner has an environment");
        for (name, value) in std::env::vars_os() {
            let mut entry = name.as_encoded_bytes().to_vec();
            entry.push(b'=');
            entry.extend_from_slice(value.as_encoded_bytes());
            assert!(ours.contains(&entry), "{name:?} missing");
        }
    }
}
