//! The environment block the C runtime was started with, read in place.
//!
//! The `go` shim reads the environment on every `go` run: a dozen lookups to decide, then
//! the whole block to hand to `go`. std's readers copy every entry into a growing `Vec`,
//! and measuring every string only to compare names wastes the rest. Here each entry's name
//! is measured once ([`Entry`]), a value only when it is read, and `go` gets the very same
//! pointers.
//!
//! Soundness: the strings are valid for the life of the process as long as nobody changes
//! the environment. gox and its shim never do: `clippy.toml` forbids `std::env::set_var` and
//! `remove_var`, and children get their variables through `Command` or `execve`.

use std::ffi::{CStr, c_char};

unsafe extern "C" {
    /// POSIX: the array of `NAME=value` strings, terminated by a null pointer.
    static environ: *const *const c_char;
}

/// One `NAME=value` string of the environment block, with its name measured.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// NUL-terminated, never freed (module comment).
    ptr: *const c_char,
    /// `None` for an entry without `=`, which names no variable.
    name: Option<&'static [u8]>,
}

// SAFETY: the entry points at the process' environment block, which nothing in gox changes
// (module comment), so reading it from any thread is reading immutable data.
unsafe impl Send for Entry {}
// SAFETY: as above.
unsafe impl Sync for Entry {}

impl Entry {
    /// # Safety
    /// `ptr` is a NUL-terminated string that lives as long as the process.
    unsafe fn new(ptr: *const c_char) -> Self {
        // The name ends at the first `=` after the first byte, as glibc and std split
        // entries (a leading `=` belongs to the name, as in `=C:=C:\x`); no `=`, no name.
        // Only the name is scanned, not a long value (`LS_COLORS`, `PATH`).
        // SAFETY: each byte is read only after the ones before it were not the NUL.
        let name = unsafe {
            let start = ptr.cast::<u8>();
            let mut end = start;
            if *end != 0 {
                end = end.add(1);
                while *end != 0 && *end != b'=' {
                    end = end.add(1);
                }
            }
            (*end == b'=')
                .then(|| std::slice::from_raw_parts(start, end.offset_from(start).unsigned_abs()))
        };
        Entry { ptr, name }
    }

    /// The string itself, for `execve`'s `envp`.
    pub fn as_ptr(self) -> *const c_char {
        self.ptr
    }

    /// The variable's name; `None` for an entry without `=`.
    pub fn name(self) -> Option<&'static [u8]> {
        self.name
    }

    /// The variable's value (measured now), or `None` for an entry without `=`.
    pub fn value(self) -> Option<&'static [u8]> {
        // SAFETY: `name=` is followed by the NUL-terminated rest of the entry.
        self.name
            .map(|name| unsafe { CStr::from_ptr(self.ptr.add(name.len() + 1)) }.to_bytes())
    }

    /// The whole `NAME=value` string.
    pub fn to_bytes(self) -> &'static [u8] {
        // SAFETY: a NUL-terminated string that lives as long as the process.
        unsafe { CStr::from_ptr(self.ptr) }.to_bytes()
    }
}

impl From<&'static CStr> for Entry {
    fn from(entry: &'static CStr) -> Self {
        // SAFETY: a `'static` C string.
        unsafe { Entry::new(entry.as_ptr()) }
    }
}

/// Every entry, in order.
pub fn entries() -> impl Iterator<Item = Entry> {
    // SAFETY: reading the pointer itself; see the module comment for why it stays valid.
    let mut next = unsafe { environ };
    std::iter::from_fn(move || {
        if next.is_null() {
            return None;
        }
        // SAFETY: `next` points into the null-terminated `environ` array and never past its
        // terminator: it stops advancing there.
        let entry = unsafe { *next };
        if entry.is_null() {
            return None;
        }
        // SAFETY: as above; the entry is a NUL-terminated string for the process' life.
        unsafe {
            next = next.add(1);
            Some(Entry::new(entry))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(entry: &'static CStr) -> Option<&'static [u8]> {
        Entry::from(entry).name()
    }

    #[test]
    fn names_end_at_the_first_equals_after_the_first_byte() {
        assert_eq!(name_of(c"A=b=c"), Some(&b"A"[..]));
        assert_eq!(name_of(c"GOROOT="), Some(&b"GOROOT"[..]));
        assert_eq!(name_of(c"=C:=C:\\x"), Some(&b"=C:"[..]));
        assert_eq!(name_of(c"=GOROOT=x"), Some(&b"=GOROOT"[..]));
        assert_eq!(name_of(c"NOEQUALS"), None);
        assert_eq!(name_of(c"="), None);
        assert_eq!(name_of(c""), None);
    }

    #[test]
    fn entries_are_what_std_sees() {
        let ours: Vec<Entry> = entries().collect();
        assert!(!ours.is_empty(), "the test runner has an environment");
        for (name, value) in std::env::vars_os() {
            let found = ours
                .iter()
                .find(|e| e.name() == Some(name.as_encoded_bytes()))
                .unwrap_or_else(|| panic!("{name:?} missing"));
            assert_eq!(found.value(), Some(value.as_encoded_bytes()), "{name:?}");
            let whole = [name.as_encoded_bytes(), b"=", value.as_encoded_bytes()].concat();
            assert_eq!(found.to_bytes(), whole);
        }
    }

    #[test]
    fn values_follow_the_name() {
        let entry = Entry::from(c"GOROOT=/a b=c");
        assert_eq!(entry.name(), Some(&b"GOROOT"[..]));
        assert_eq!(entry.value(), Some(&b"/a b=c"[..]));
        assert_eq!(Entry::from(c"EMPTY=").value(), Some(&b""[..]));
        assert_eq!(Entry::from(c"NOEQUALS").value(), None);
    }
}
