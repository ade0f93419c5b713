//! Proxy mode, carried out: resolve the tool for this directory and become it. The std
//! shim (macOS, Windows) is nothing but a call to [`run`]; on Linux `gox` itself runs it
//! when started as `go` (the planner the replayer falls back to).

use std::process::Command;

use gox_core::{Environment, childenv};

use crate::{Missing, Plan, ShimError, invoked_as, plan_version};

/// An argument as the OS hands it over: on Unix a C string, passed on to `execve` as is.
#[cfg(unix)]
pub type Arg<'a> = &'a std::ffi::CStr;
#[cfg(windows)]
pub type Arg<'a> = std::ffi::OsString;

/// Resolves and runs the tool `args[0]` names; returns the exit status when it cannot.
pub fn run(args: &[Arg]) -> u8 {
    // Everything read from here on is noted, so that a recorded plan covers the variables
    // that decide between the ordinary run and an exact version too (the replayer replays
    // only the former: see [`crate::record`]).
    #[cfg(target_os = "linux")]
    gox_core::observe::start();
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
    let planned = match (&exact, &own_exe) {
        (None, None) => plan_ordinary(&env, tool, &argv0),
        _ => {
            #[cfg(target_os = "linux")]
            gox_core::observe::finish();
            plan_version(&env, tool, exact.as_ref(), own_exe.as_deref())
        }
    };
    let plan = match planned {
        Ok(plan) => plan,
        Err(ShimError::NotInstalled(missing))
            if missing.version.is_some() && auto_install(&env) =>
        {
            match install_then_plan(&env, tool, exact.as_ref(), own_exe.as_deref(), &missing) {
                Ok(plan) => plan,
                Err(e) => return fail(&e),
            }
        }
        Err(e) => {
            #[cfg(target_os = "linux")]
            gox_core::observe::finish();
            return fail(&e);
        }
    };
    for warning in &plan.warnings {
        gox_core::stderr::line(warning);
    }
    exec(&plan, args, &env)
}

/// The outermost `go` for its directory: on Linux planned with a record for the replayer.
/// The planner only runs when the replayer had no current record, so two more `stat`s are
/// cheap there: a toolchain whose `bin/go` is the shim itself (a link back to the shims) is
/// named at once rather than after a first nested turn, which the replayer could not take
/// (it finds its planner only next to itself, in the shims directory).
#[cfg(target_os = "linux")]
fn plan_ordinary(env: &Environment, tool: &str, argv0: &str) -> Result<Plan, ShimError> {
    let name = std::path::Path::new(argv0).file_name().unwrap_or_default();
    let shim = gox_core::Layout::from_env(env)
        .ok()
        .map(|layout| layout.shims().join(name));
    crate::record::plan_and_record(env, tool, name, shim.as_deref())
}

#[cfg(not(target_os = "linux"))]
fn plan_ordinary(env: &Environment, tool: &str, _argv0: &str) -> Result<Plan, ShimError> {
    plan_version(env, tool, None, None)
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
) -> Result<Plan, ShimError> {
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

/// Becomes `plan.program` with the arguments after argv[0] (argv[0] becomes its path).
#[cfg(unix)]
fn exec(plan: &Plan, args: &[Arg], env: &Environment) -> u8 {
    // exec only returns on failure.
    let err = crate::exec::exec(&plan.program, args, env, &plan.vars);
    gox_core::say!("gox: cannot run {}: {err}", plan.program.display());
    126
}

#[cfg(windows)]
fn exec(plan: &Plan, args: &[Arg], _env: &Environment) -> u8 {
    // Windows has no exec: run the child and mirror its exit code. Ctrl-C goes to the whole
    // console group; the shim ignores it so the child decides how to stop.
    windows::ignore_ctrl_c();
    let status = Command::new(&plan.program)
        .args(args)
        .envs(plan.vars.iter().map(|(k, v)| (k, v)))
        .status();
    match status {
        // The whole 32-bit code, not its low byte: 256 must not become success, and an
        // NTSTATUS (0xC000013A after Ctrl-C, a crash's 0xC0000005) must reach the caller
        // as it would from go.exe itself. Nothing is left to clean up here.
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(err) => {
            gox_core::say!("gox: cannot run {}: {err}", plan.program.display());
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
