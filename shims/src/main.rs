//! `go` / `gofmt`: resolve the toolchain for this directory and become it.
//!
//! On Unix the shim has no Rust runtime start-up (`no_main`): std's `lang_start` would poll
//! fds 0–2, ignore SIGPIPE and map a guard stack for stack-overflow reports, 11 syscalls and
//! several page faults before the shim does anything, on every `go` run. The shim neither
//! recurses deeply nor writes to a pipe, and the C `main` below hands argv to the same code.
#![cfg_attr(all(unix, not(test)), no_main)]

use std::process::Command;

use gox_core::{Environment, childenv};
use gox_shim::{Missing, ShimError, invoked_as, plan_version};

// Fewer syscalls before exec on Linux (musl's malloc maps a page per small allocation).
#[cfg(target_os = "linux")]
mod arena;
// Not in the unit-test build: the arena's tests own its state there.
#[cfg(all(target_os = "linux", not(test)))]
#[global_allocator]
static ALLOC: arena::Arena = arena::Arena;

/// An argument as the OS hands it over: on Unix the C runtime's own string, passed on to
/// `execve` without a copy.
#[cfg(unix)]
type Arg = &'static std::ffi::CStr;
#[cfg(windows)]
type Arg = std::ffi::OsString;

#[cfg(all(unix, not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    let count = usize::try_from(argc).unwrap_or(0);
    let args = (0..count).map(|i| {
        // SAFETY: the C runtime passes `argc` valid NUL-terminated strings in `argv`, alive
        // for the whole process.
        unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }
    });
    libc::c_int::from(shim(&args.collect::<Vec<_>>()))
}

#[cfg(windows)]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(shim(&std::env::args_os().collect::<Vec<_>>()))
}

/// Resolves and runs the tool; returns the exit status when it cannot.
// The Unix unit-test build has no `main` to call it (the harness replaces it; the tests
// are in `arena`).
#[cfg_attr(all(unix, test), allow(dead_code))]
fn shim(args: &[Arg]) -> u8 {
    let (argv0, args) = args
        .split_first()
        .map_or((Default::default(), &[][..]), |(a, rest)| {
            (a.to_string_lossy(), rest)
        });
    let env = Environment::from_process();
    // `go1.22.10` (or cmd/go switching to it) runs exactly that version's `go`.
    let (tool, exact) = match invoked_as(&argv0, &env) {
        Ok(invoked) => invoked,
        Err(e) => return fail(&e),
    };
    // Only a nested shim asks whether the toolchain's binary is itself (a `bin/go` linked
    // back to the shims): a readlink and two stats that the outermost `go` would pay on
    // every run. A self-loop reaches depth 1 on its first turn and is named there.
    let nested = childenv::depth(env.var(childenv::DEPTH_VAR)) > 0;
    let own_exe = nested.then(std::env::current_exe).and_then(Result::ok);
    let plan = match plan_version(&env, tool, exact.as_ref(), own_exe.as_deref()) {
        Ok(plan) => plan,
        Err(ShimError::NotInstalled(missing))
            if missing.version.is_some() && auto_install(&env) =>
        {
            match install_then_plan(&env, tool, exact.as_ref(), own_exe.as_deref(), &missing) {
                Ok(plan) => plan,
                Err(e) => return fail(&e),
            }
        }
        Err(e) => return fail(&e),
    };
    for warning in &plan.warnings {
        gox_core::stderr::line(warning);
    }
    run(&plan.program, args, &env, &plan.vars)
}

fn fail(e: &ShimError) -> u8 {
    gox_core::say!("gox: {e}");
    e.exit_status().code() as u8
}

fn auto_install(env: &Environment) -> bool {
    gox_core::Layout::from_env(env)
        .ok()
        .and_then(|l| gox_core::Config::load(l.config_file()).ok())
        .is_some_and(|c| c.auto_install)
}

/// `auto_install = true`: run `gox install <version>` (progress on stderr) and plan again.
fn install_then_plan(
    env: &Environment,
    tool: &str,
    exact: Option<&gox_core::Version>,
    own_exe: Option<&std::path::Path>,
    missing: &Missing,
) -> Result<gox_shim::Plan, ShimError> {
    let platform = &missing.platform;
    let version = missing
        .version
        .as_ref()
        .map_or_else(|| missing.what.clone(), ToString::to_string);
    gox_core::say!("gox: Go {version} is not installed; installing it (auto_install = true)");
    let status = Command::new("gox")
        .args([
            "install",
            &version.to_string(),
            "--platform",
            &platform.to_string(),
        ])
        .status();
    match status {
        Ok(s) if s.success() => plan_version(env, tool, exact, own_exe),
        _ => {
            gox_core::say!("gox: automatic install failed");
            Err(ShimError::NotInstalled(Box::new(Missing {
                source: "auto_install".to_string(),
                ..missing.clone()
            })))
        }
    }
}

/// Runs `program` with the arguments after argv[0] (argv[0] becomes the program's path).
#[cfg(unix)]
fn run(
    program: &std::path::Path,
    args: &[Arg],
    env: &Environment,
    vars: &[(&str, std::ffi::OsString)],
) -> u8 {
    // exec only returns on failure.
    let err = gox_shim::exec::exec(program, args, env, vars);
    gox_core::say!("gox: cannot run {}: {err}", program.display());
    126
}

#[cfg(windows)]
fn run(
    program: &std::path::Path,
    args: &[Arg],
    _env: &Environment,
    vars: &[(&str, std::ffi::OsString)],
) -> u8 {
    // Windows has no exec: run the child and mirror its exit code. Ctrl-C goes to the whole
    // console group; the shim ignores it so the child decides how to stop.
    windows::ignore_ctrl_c();
    let status = Command::new(program)
        .args(args)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .status();
    match status {
        // The whole 32-bit code, not its low byte: 256 must not become success, and an
        // NTSTATUS (0xC000013A after Ctrl-C, a crash's 0xC0000005) must reach the caller
        // as it would from go.exe itself. Nothing is left to clean up here.
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(err) => {
            gox_core::say!("gox: cannot run {}: {err}", program.display());
            126
        }
    }
}

#[cfg(windows)]
mod windows {
    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn SetConsoleCtrlHandler(
            handler: Option<unsafe extern "system" fn(u32) -> i32>,
            add: i32,
        ) -> i32;
    }

    pub fn ignore_ctrl_c() {
        // SAFETY: a null handler with add=TRUE makes this process ignore Ctrl-C; no pointers.
        unsafe {
            SetConsoleCtrlHandler(None, 1);
        }
    }
}
