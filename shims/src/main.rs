//! `go` / `gofmt`: resolve the toolchain for this directory and become it.

use std::process::{Command, ExitCode};

use gox_core::Environment;
use gox_shim::{Missing, ShimError, exact_version, plan_version, tool_name};

// Fewer syscalls before exec on Linux (musl's malloc maps a page per small allocation).
#[cfg(target_os = "linux")]
mod arena;
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOC: arena::Arena = arena::Arena;

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let argv0 = argv0.to_string_lossy();
    let env = Environment::from_process();
    // `go1.22.10` (or cmd/go switching to it) runs exactly that version's `go`.
    let exact = exact_version(&argv0, &env);
    let Some(tool) = exact
        .as_ref()
        .map_or_else(|| tool_name(&argv0), |_| Some("go"))
    else {
        return fail(&ShimError::NotATool {
            argv0: argv0.into_owned(),
        });
    };
    let own_exe = std::env::current_exe().ok();
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
        eprintln!("{warning}");
    }
    let mut cmd = Command::new(&plan.program);
    cmd.args(args).envs(plan.vars.iter().map(|(k, v)| (k, v)));
    run(cmd, &plan.program)
}

fn fail(e: &ShimError) -> ExitCode {
    eprintln!("gox: {e}");
    ExitCode::from(e.exit_status().code() as u8)
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
    eprintln!("gox: Go {version} is not installed; installing it (auto_install = true)");
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
            eprintln!("gox: automatic install failed");
            Err(ShimError::NotInstalled(Box::new(Missing {
                source: "auto_install".to_string(),
                ..missing.clone()
            })))
        }
    }
}

#[cfg(unix)]
fn run(mut cmd: Command, program: &std::path::Path) -> ExitCode {
    use std::os::unix::process::CommandExt;
    // exec only returns on failure.
    let err = cmd.exec();
    eprintln!("gox: cannot run {}: {err}", program.display());
    ExitCode::from(126)
}

#[cfg(windows)]
fn run(mut cmd: Command, program: &std::path::Path) -> ExitCode {
    // Windows has no exec: run the child and mirror its exit code. Ctrl-C goes to the whole
    // console group; the shim ignores it so the child decides how to stop.
    windows::ignore_ctrl_c();
    match cmd.status() {
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c as u8)),
        Err(err) => {
            eprintln!("gox: cannot run {}: {err}", program.display());
            ExitCode::from(126)
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
