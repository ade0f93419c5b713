//! The Linux `go` shim: a replayer (docs/architecture.md, "replayer and planner").
//!
//! It makes no decision of its own. It reads the plan the planner (`gox` run as `go`)
//! recorded for this working directory and tool, re-checks everything that plan depended
//! on (one `stat` per path, one lookup per variable: `gox_plan::Record::holds`), takes the
//! in-use mark on the toolchain's receipt, swaps in the child's variables and `execve`s
//! the recorded program. Anything else (no record, a record from another gox, a changed
//! observation, a held lock, a buffer too small) execs the planner with the very same
//! arguments and environment: it decides, reports errors and writes a fresh record.
//!
//! Built without std for release (`panic = "abort"`): no allocator, no runtime start-up,
//! a few pages of code. Every buffer lives on the stack, uninitialized until written, so a
//! page is only touched where bytes are. Decisions are pure functions tested below; the
//! system calls are the thin rest.

use core::ffi::{CStr, c_char, c_int};
use core::mem::MaybeUninit;

use gox_plan::{Record, Seen, World};

/// The version this replayer belongs to: a record written by another gox's planner is not
/// replayed (its rules may differ).
const VERSION: &str = match option_env!("GOX_BUILD_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// Stack buffers: small enough to stay within a few pages, large enough for real use.
/// Anything bigger goes to the planner, which handles any size.
/// `gox_core::shim_identity::MARK` (a test keeps them equal): the text by which gox knows
/// its shims on disk, and the start of what the shim says when run under its own name.
const MARK: &str = "gox-shim runs as `go` or `gofmt`";

const CWD_MAX: usize = 1024;
const PATH_MAX: usize = 1024;
const ENVP_MAX: usize = 512;

unsafe extern "C" {
    static environ: *const *const c_char;
}

/// `main` of the replayer. `argv` is the C runtime's, writable: argv[0] is replaced by the
/// program's path for `execve`, as a C wrapper would.
///
/// # Safety
/// `argc` and `argv` as the C runtime passes them to `main`.
pub unsafe fn main(argc: c_int, argv: *mut *const c_char) -> c_int {
    if argc < 1 || argv.is_null() {
        return 126;
    }
    // SAFETY: the C runtime's argv[0] is a NUL-terminated string for the whole process.
    let argv0 = unsafe { CStr::from_ptr(*argv) }.to_bytes();
    // SAFETY: reading the auxiliary vector is always allowed; 0 when absent.
    let execfn = unsafe { libc::getauxval(libc::AT_EXECFN) } as *const c_char;
    let own_path = if execfn.is_null() {
        argv0
    } else {
        // SAFETY: AT_EXECFN points at the NUL-terminated path execve was given.
        unsafe { CStr::from_ptr(execfn) }.to_bytes()
    };
    // Started as `gox-shim` itself (the tool name rule: no tool's name starts with `gox`).
    if basename(argv0).starts_with(b"gox") {
        say(&[b"gox: ", MARK.as_bytes(), b" (it was started as \"", argv0]);
        say(&[b"\"); run `gox setup` to create the shims\n"]);
        return 2;
    }
    let dir = directory(own_path);
    // SAFETY: `argv` and the environment block are the C runtime's, unchanged (replay
    // and run_planner only return when they could not exec, leaving argv as given).
    unsafe {
        replay(dir, argv0, argv);
        let error = run_planner(dir, argv);
        // Started through a symbolic link outside the shims directory (`/usr/local/bin/go`
        // -> the shims' `go`): the records and the planner are next to the real file.
        let mut real_buf = [MaybeUninit::<u8>::uninit(); PATH_MAX];
        if let Some(real) = own_exe(&mut real_buf)
            && directory(real) != dir
        {
            replay(directory(real), argv0, argv);
            run_planner(directory(real), argv);
        }
        // A shims dir set up by an older gox has no planner link: gox on PATH makes it.
        libc::execvp(c"gox".as_ptr(), argv.cast_const());
        no_planner(dir, error)
    }
}

/// Execs the recorded plan when it still holds; returns when it does not.
unsafe fn replay(dir: &[u8], argv0: &[u8], argv: *mut *const c_char) {
    let mut cwd_buf = [MaybeUninit::<u8>::uninit(); CWD_MAX];
    // SAFETY: the buffer is CWD_MAX bytes; getcwd writes a NUL-terminated path or fails.
    let cwd = unsafe { libc::getcwd(cwd_buf.as_mut_ptr().cast(), CWD_MAX) };
    if cwd.is_null() {
        return;
    }
    // SAFETY: getcwd succeeded, so `cwd` is a NUL-terminated string in the buffer.
    let cwd = unsafe { CStr::from_ptr(cwd) }.to_bytes();
    let tool = basename(argv0);
    let name = gox_plan::file_name(cwd, tool);
    let mut path_buf = [MaybeUninit::<u8>::uninit(); PATH_MAX];
    let Some(path) = join(
        &mut path_buf,
        &[dir, b"/", gox_plan::PLANS_DIR.as_bytes(), b"/", &name],
    ) else {
        return;
    };
    let mut record_buf = [MaybeUninit::<u8>::uninit(); gox_plan::MAX_BYTES];
    // SAFETY: `path` ends with a NUL; the buffer's length is passed.
    let Some(bytes) = (unsafe { read_file(path, &mut record_buf) }) else {
        return;
    };
    let Ok(record) = Record::parse(bytes) else {
        return;
    };
    if record.planner_version() != VERSION.as_bytes()
        || record.cwd() != cwd
        || record.tool() != tool
    {
        return;
    }
    // SAFETY: the process environment block, unchanged since start-up.
    let mut world = Process {
        environ: unsafe { environ },
    };
    if !record.holds(&mut world) {
        return;
    }
    let mut envp = [MaybeUninit::<*const c_char>::uninit(); ENVP_MAX];
    // SAFETY: as above.
    let Some(envp) = (unsafe { child_environment(world.environ, &record, &mut envp) }) else {
        return;
    };
    // Last before `execve`: a mark taken and then not handed to `go` would stay with
    // whatever runs instead (the planner, and the toolchain it picks), keeping this one
    // from being uninstalled meanwhile.
    // SAFETY: the receipt path ends with its NUL (Record guarantees it).
    if unsafe { !mark_in_use(record.receipt_nul()) } {
        return;
    }
    // SAFETY: argv[0] is ours to replace (restored below if execve fails); the program and
    // every envp entry are NUL-terminated and outlive the call; both arrays end with null.
    unsafe {
        let own = *argv;
        *argv = record.program_nul().as_ptr().cast();
        libc::execve(
            record.program_nul().as_ptr().cast(),
            argv.cast_const(),
            envp,
        );
        *argv = own;
    }
}

/// Execs the planner, the `.gox` link in `dir`, with the arguments and environment as
/// given; returns the `execve` error when it cannot.
unsafe fn run_planner(dir: &[u8], argv: *mut *const c_char) -> c_int {
    let mut path_buf = [MaybeUninit::<u8>::uninit(); PATH_MAX];
    let Some(path) = join(
        &mut path_buf,
        &[dir, b"/", gox_plan::PLANNER_LINK.as_bytes()],
    ) else {
        return libc::ENAMETOOLONG;
    };
    // SAFETY: a NUL-terminated path; argv and environ as the C runtime passed them.
    unsafe {
        libc::execve(path.as_ptr().cast(), argv.cast_const(), environ);
        *libc::__errno_location()
    }
}

/// This executable's real path (symbolic links resolved), in `buf`.
fn own_exe(buf: &mut [MaybeUninit<u8>]) -> Option<&[u8]> {
    // SAFETY: readlink writes at most `buf.len()` bytes and returns how many.
    let n = unsafe {
        libc::readlink(
            c"/proc/self/exe".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let n = usize::try_from(n).ok().filter(|&n| n < buf.len())?;
    // SAFETY: the first `n` bytes were written by readlink.
    Some(unsafe { &*(&buf[..n] as *const [MaybeUninit<u8>] as *const [u8]) })
}

/// No planner could run: says why and how to fix it; the exit status.
fn no_planner(dir: &[u8], error: c_int) -> c_int {
    say(&[
        b"gox: cannot run the planner ",
        dir,
        b"/",
        gox_plan::PLANNER_LINK.as_bytes(),
        b" (",
    ]);
    // SAFETY: strerror returns a NUL-terminated message for any errno.
    say(&[unsafe { CStr::from_ptr(libc::strerror(error)) }.to_bytes()]);
    say(&[
        b"), and there is no gox on PATH\nfix: run `gox setup` (it links gox next to the shims)\n",
    ]);
    126
}

/// The process as the replayer sees it.
struct Process {
    environ: *const *const c_char,
}

impl World for Process {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        // SAFETY: the block and its strings live as long as the process; `name` is a
        // record's variable name, never empty and without NUL.
        unsafe { entries(self.environ) }.find_map(|entry| unsafe { value_after(entry, name) })
    }

    fn stat(&mut self, path_nul: &[u8]) -> Result<Seen, ()> {
        let mut st = MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `path_nul` ends with its NUL (Record guarantees it); `st` is written on success.
        if unsafe { libc::stat(path_nul.as_ptr().cast(), st.as_mut_ptr()) } != 0 {
            // SAFETY: errno of the failed stat.
            return match unsafe { *libc::__errno_location() } {
                libc::ENOENT | libc::ENOTDIR => Ok(Seen::Absent),
                _ => Err(()),
            };
        }
        // SAFETY: stat succeeded and filled it.
        let st = unsafe { st.assume_init() };
        Ok(Seen::Present(identity(&st)))
    }
}

fn identity(st: &libc::stat) -> gox_plan::Identity {
    gox_plan::Identity {
        dev: st.st_dev,
        ino: st.st_ino,
        mode: st.st_mode,
        size: st.st_size as u64,
        mtime_sec: st.st_mtime,
        mtime_nsec: st.st_mtime_nsec as u32,
        ctime_sec: st.st_ctime,
        ctime_nsec: st.st_ctime_nsec as u32,
    }
}

/// The in-use mark, as `gox_shim::inuse::hold` takes it: a shared `flock` on the receipt
/// through a descriptor that survives `execve` (moved above 2 so that `go` never reads or
/// writes it as stdin, stdout or stderr). False when it cannot be taken (the planner then
/// says why).
unsafe fn mark_in_use(receipt_nul: &[u8]) -> bool {
    // SAFETY: a NUL-terminated path; no O_CLOEXEC on purpose.
    let fd = unsafe { libc::open(receipt_nul.as_ptr().cast(), libc::O_RDONLY | libc::O_NOCTTY) };
    if fd < 0 {
        return false;
    }
    let fd = if fd <= 2 {
        // SAFETY: duplicating and closing a descriptor opened just above.
        unsafe {
            let high = libc::fcntl(fd, libc::F_DUPFD, 3);
            libc::close(fd);
            high
        }
    } else {
        fd
    };
    // SAFETY: flock on the descriptor opened above; on failure it is closed again.
    unsafe {
        if fd < 0 {
            return false;
        }
        if libc::flock(fd, libc::LOCK_SH | libc::LOCK_NB) != 0 {
            libc::close(fd);
            return false;
        }
    }
    true
}

/// The child's environment in `out`: every inherited entry whose name the record does not
/// set, then the record's entries; null-terminated. `None` when it does not fit.
unsafe fn child_environment(
    block: *const *const c_char,
    record: &Record<'_>,
    out: &mut [MaybeUninit<*const c_char>],
) -> Option<*const *const c_char> {
    // The names the record sets, measured once (a handful: GOROOT, GOPATH, ...).
    let mut names = [&[][..]; 32];
    let mut count = 0;
    for entry in record.child_entries() {
        *names.get_mut(count)? = gox_plan::entry_name(entry)?;
        count += 1;
    }
    let names = &names[..count];
    let mut n = 0;
    let mut push = |p: *const c_char| -> Option<()> {
        out.get_mut(n)?.write(p);
        n += 1;
        Some(())
    };
    // SAFETY: the block and its strings live as long as the process; the names are
    // non-empty and hold no NUL (Record guarantees it).
    for entry in unsafe { entries(block) } {
        if !names
            .iter()
            .any(|name| unsafe { value_after(entry, name) }.is_some())
        {
            push(entry.cast())?;
        }
    }
    for entry in record.child_entries() {
        push(entry.as_ptr().cast())?;
    }
    push(core::ptr::null())?;
    Some(out.as_ptr().cast())
}

/// The environment block's entries, as the C strings they are: not measured, because a
/// lookup only reads an entry as far as its name matches.
///
/// # Safety
/// `block` is a null-terminated array of NUL-terminated strings that outlive the result.
unsafe fn entries(block: *const *const c_char) -> impl Iterator<Item = *const u8> {
    let mut next = block;
    core::iter::from_fn(move || {
        if next.is_null() {
            return None;
        }
        // SAFETY: the caller's contract: each pointer up to the null one is a string.
        unsafe {
            let entry = *next;
            if entry.is_null() {
                return None;
            }
            next = next.add(1);
            Some(entry.cast())
        }
    })
}

/// When the C string at `entry` is `name=value`, the value. An entry is read only while it
/// matches `name`, so the long values of other variables (`PATH`, `LS_COLORS`) are never
/// measured; an entry without `=` names no variable (as with `getenv`).
///
/// # Safety
/// `entry` is a NUL-terminated string that outlives the result; `name` holds no NUL (so
/// the comparison stops at the entry's NUL at the latest).
#[inline(always)] // called for every entry of every looked-up variable
unsafe fn value_after<'e>(entry: *const u8, name: &[u8]) -> Option<&'e [u8]> {
    // SAFETY: each byte is read only after the ones before it matched non-NUL bytes of
    // `name`, so the read stays within the string.
    unsafe {
        for (i, &byte) in name.iter().enumerate() {
            if *entry.add(i) != byte {
                return None;
            }
        }
        if *entry.add(name.len()) != b'=' {
            return None;
        }
        Some(CStr::from_ptr(entry.add(name.len() + 1).cast()).to_bytes())
    }
}

/// The directory part of `path` (`""` for a bare name, meaning the working directory; `/`
/// for a file in the root is kept as `""` + `/` by [`join`]).
fn directory(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) => b"",
        Some(i) => &path[..i],
        None => b".",
    }
}

/// The file name part of `path`.
fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// `parts` joined into `buf` with a trailing NUL; `None` when it does not fit or a part
/// holds a NUL.
fn join<'b>(buf: &'b mut [MaybeUninit<u8>], parts: &[&[u8]]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &byte in parts.iter().flat_map(|p| p.iter()).chain(&[0u8]) {
        buf.get_mut(n)?.write(byte);
        n += 1;
    }
    let joined = &buf[..n];
    // SAFETY: the first `n` bytes were written above.
    let joined: &[u8] = unsafe { &*(joined as *const [MaybeUninit<u8>] as *const [u8]) };
    (!joined[..n - 1].contains(&0)).then_some(joined)
}

/// Reads the file at `path_nul` into `buf` with one `read`; `None` when it cannot be
/// opened or fills the buffer (too big). A short read of a regular file is its end; were it
/// not, the record's checksum would fail and the planner run.
unsafe fn read_file<'b>(path_nul: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> Option<&'b [u8]> {
    // SAFETY: a NUL-terminated path. No O_CLOEXEC: it is closed right below (and musl
    // would spend an `fcntl` on it).
    let fd = unsafe { libc::open(path_nul.as_ptr().cast(), libc::O_RDONLY) };
    if fd < 0 {
        return None;
    }
    // SAFETY: writes at most `buf.len()` bytes into `buf`; then closes what was opened.
    let got = unsafe {
        let got = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        got
    };
    let n = usize::try_from(got).ok().filter(|&n| n < buf.len())?;
    // SAFETY: the first `n` bytes were written by read.
    Some(unsafe { &*(&buf[..n] as *const [MaybeUninit<u8>] as *const [u8]) })
}

/// Writes to stderr, ignoring failures (there is nowhere else to report them).
fn say(parts: &[&[u8]]) {
    for part in parts {
        // SAFETY: writing a valid buffer to fd 2.
        unsafe { libc::write(2, part.as_ptr().cast(), part.len()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_gox_cores() {
        assert_eq!(MARK, gox_core::shim_identity::MARK);
    }

    #[test]
    fn directories_and_names() {
        assert_eq!(directory(b"/h/shims/go"), b"/h/shims");
        assert_eq!(directory(b"/go"), b"");
        assert_eq!(directory(b"go"), b".");
        assert_eq!(directory(b"./go"), b".");
        assert_eq!(basename(b"/h/shims/gofmt"), b"gofmt");
        assert_eq!(basename(b"go"), b"go");
    }

    #[test]
    fn joins_fit_or_refuse() {
        let mut buf = [MaybeUninit::<u8>::uninit(); 8];
        assert_eq!(join(&mut buf, &[b"/a", b"/", b"b"]), Some(&b"/a/b\0"[..]));
        let mut small = [MaybeUninit::<u8>::uninit(); 4];
        assert_eq!(join(&mut small, &[b"/a/b"]), None, "no room for the NUL");
        let mut buf = [MaybeUninit::<u8>::uninit(); 8];
        assert_eq!(join(&mut buf, &[b"a\0b"]), None);
    }

    #[test]
    fn values_match_whole_names() {
        // SAFETY: C string literals; names without NUL.
        let value = |entry: &CStr, name: &[u8]| unsafe {
            value_after(entry.as_ptr().cast(), name).map(<[u8]>::to_vec)
        };
        assert_eq!(value(c"GOROOT=/x", b"GOROOT"), Some(b"/x".to_vec()));
        assert_eq!(value(c"GOROOT=", b"GOROOT"), Some(Vec::new()));
        assert_eq!(value(c"GOROOT=a=b", b"GOROOT"), Some(b"a=b".to_vec()));
        assert_eq!(value(c"GOROOTX=/x", b"GOROOT"), None);
        assert_eq!(value(c"GOROO=/x", b"GOROOT"), None);
        assert_eq!(
            value(c"GO", b"GOROOT"),
            None,
            "a shorter entry ends the comparison"
        );
        assert_eq!(value(c"NOEQUALS", b"NOEQUALS"), None);
        assert_eq!(value(c"=C:=C:\\x", b"=C:"), Some(b"C:\\x".to_vec()));
    }

    #[test]
    fn the_child_environment_replaces_the_records_names_only() {
        let head = gox_plan::Head {
            planner_version: b"v",
            cwd: b"/p",
            tool: b"go",
            program: b"/g/bin/go",
            receipt: b"/g/.gox-receipt.json",
        };
        let mut bytes = [0u8; gox_plan::MAX_BYTES];
        let vars: [(&[u8], &[u8]); 2] = [(b"GOROOT", b"/g"), (b"GOTOOLCHAIN", b"local")];
        let len = gox_plan::encode(&head, &[], &vars, &mut bytes).unwrap();
        let record = Record::parse(&bytes[..len]).unwrap();
        let inherited = [
            c"PATH=/bin".as_ptr(),
            c"GOROOT=/old".as_ptr(),
            c"GOROOTX=/keep".as_ptr(),
            c"NOEQUALS".as_ptr(),
            c"GOTOOLCHAIN=auto".as_ptr(),
            core::ptr::null(),
        ];
        let mut out = [MaybeUninit::uninit(); 16];
        // SAFETY: a null-terminated block of C strings that outlive the call.
        let envp = unsafe { child_environment(inherited.as_ptr(), &record, &mut out) }.unwrap();
        let mut got = Vec::new();
        // SAFETY: child_environment wrote a null-terminated array of C strings.
        unsafe {
            let mut p = envp;
            while !(*p).is_null() {
                got.push(CStr::from_ptr(*p).to_str().unwrap().to_string());
                p = p.add(1);
            }
        }
        assert_eq!(
            got,
            [
                "PATH=/bin",
                "GOROOTX=/keep",
                "NOEQUALS",
                "GOROOT=/g",
                "GOTOOLCHAIN=local"
            ]
        );
        let mut small = [MaybeUninit::uninit(); 4];
        // SAFETY: as above.
        assert!(unsafe { child_environment(inherited.as_ptr(), &record, &mut small) }.is_none());
    }
}
