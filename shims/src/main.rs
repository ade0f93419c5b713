//! `go` / `gofmt`: resolve the toolchain for this directory and become it.
//!
//! On Linux this is the replayer ([`replay`]): built without std for release, it re-runs
//! the plan `gox` recorded for the directory, or execs `gox` (the planner) to make one. On
//! macOS and Windows it is the std shim: [`gox_shim::proxy::run`] decides and runs.
//!
//! On Unix the shim has no Rust runtime start-up (`no_main`): std's `lang_start` would poll
//! fds 0–2, ignore SIGPIPE and map a guard stack for stack-overflow reports, 11 syscalls and
//! several page faults before the shim does anything, on every `go` run. The C `main` below
//! hands argv to the same code.
#![cfg_attr(all(target_os = "linux", panic = "abort", not(test)), no_std)]
#![cfg_attr(all(unix, not(test)), no_main)]

// The unit-test build has no `main` to call it (the harness replaces it): only the pure
// functions are used there, by their tests.
#[cfg(target_os = "linux")]
#[cfg_attr(test, allow(dead_code))]
mod replay;

#[cfg(all(target_os = "linux", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *mut *const libc::c_char) -> libc::c_int {
    // SAFETY: the C runtime's argc and argv.
    unsafe { replay::main(argc, argv) }
}

// Without std nothing asks for the C library (std's own libc crate does that): musl's
// `libc.a` provides `execve` and the rest, and its start-up calls `main` below.
#[cfg(all(target_os = "linux", panic = "abort", not(test)))]
#[link(name = "c")]
unsafe extern "C" {}

/// The prebuilt `compiler_builtins` carries unwind tables that name std's personality
/// routine, and zig's lld (the dist's linker) keeps them: with `panic = "abort"` nothing
/// unwinds, so nothing ever calls this.
#[cfg(all(target_os = "linux", panic = "abort", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

/// Release builds abort on panic, and the replayer has no code that panics on any input:
/// this is only reached by a bug, and aborting is what std would do with `panic = "abort"`.
#[cfg(all(target_os = "linux", panic = "abort", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: abort never returns and needs nothing.
    unsafe { libc::abort() }
}

#[cfg(all(unix, not(target_os = "linux"), not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let count = usize::try_from(argc).unwrap_or(0);
    let args: Vec<&std::ffi::CStr> = (0..count)
        .map(|i| {
            // SAFETY: the C runtime passes `argc` valid NUL-terminated strings in `argv`,
            // alive for the whole process.
            unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }
        })
        .collect();
    libc::c_int::from(gox_shim::proxy::run(&args))
}

#[cfg(windows)]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(gox_shim::proxy::run(
        &std::env::args_os().collect::<Vec<_>>(),
    ))
}
