//! `gox exec SPEC -- CMD…`: run anything with one installed toolchain's environment.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::io;
#[cfg(not(unix))]
use std::path::Path;
use std::process::Command;

use gox_core::Spec;
use gox_core::childenv::{self, Target};
use gox_core::installed::installed_for;
#[cfg(not(unix))]
use gox_core::pathext;

use crate::cli::ExecArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &ExecArgs) -> Result<(), CliError> {
    let spec = Spec::parse(&args.spec)?;
    let installed = installed_for(&ctx.layout, &ctx.host.platform);
    let toolchain = installed
        .iter()
        .find(|t| spec.matches(&t.version))
        .ok_or_else(|| {
            CliError::NoToolchain(format!(
                "no installed {} toolchain matches `{spec}`.\nfix: gox install {spec}",
                ctx.host.platform
            ))
        })?;
    let target = Target {
        goroot: toolchain.goroot.clone(),
        platform: toolchain.platform.clone(),
    };
    let vars = childenv::command_vars(&ctx.layout, &ctx.config, &target, ctx.env.var_os("PATH"))
        .map_err(|e| CliError::Other(format!("cannot build PATH: {e}")))?;
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::Usage("no command given".into()))?;
    let file = program_file(ctx, program, &vars);
    let mut cmd = Command::new(&file);
    cmd.args(rest).envs(vars);
    let err = become_child(cmd);
    Err(CliError::NoToolchain(cannot_run(
        ctx, &args.spec, program, &file, &err,
    )))
}

/// What to start for `program`: on Unix the name itself (`execvp` searches PATH). On
/// Windows the file cmd.exe would run ([`gox_core::pathext`]: `build` is `build.cmd`), in
/// the child's PATH, whose first entry is the toolchain's bin. The full path of a `.bat`
/// or `.cmd` makes std run it through cmd.exe. Not found there, the name as given: std's
/// own search (gox's directory, System32, the Windows directory) still applies.
#[cfg(unix)]
fn program_file<'p>(
    _ctx: &Context,
    program: &'p OsStr,
    _vars: &[(&str, OsString)],
) -> Cow<'p, OsStr> {
    program.into()
}

#[cfg(not(unix))]
fn program_file<'p>(
    ctx: &Context,
    program: &'p OsStr,
    vars: &[(&str, OsString)],
) -> Cow<'p, OsStr> {
    let path = vars.iter().find(|(k, _)| *k == "PATH").map(|(_, v)| v);
    let dirs = path.into_iter().flat_map(std::env::split_paths);
    match pathext::find(program, dirs, ctx.env.var_os("PATHEXT"), |p| p.is_file()) {
        Some(file) => file.into_os_string().into(),
        None => program.into(),
    }
}

/// Runs `cmd` in gox's place, returning only when it could not be started: on Unix the
/// process becomes it (`exec`); Windows has no exec, so gox waits and exits with its code.
#[cfg(unix)]
fn become_child(mut cmd: Command) -> io::Error {
    use std::os::unix::process::CommandExt;
    cmd.exec()
}

#[cfg(not(unix))]
fn become_child(mut cmd: Command) -> io::Error {
    match cmd.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    }
}

#[cfg(unix)]
fn cannot_run(
    _ctx: &Context,
    _spec: &str,
    program: &OsStr,
    _file: &OsStr,
    err: &io::Error,
) -> String {
    format!("cannot run {}: {err}", program.to_string_lossy())
}

/// Why `program` (found as `file`) did not start on Windows, with what was searched and
/// the fix.
#[cfg(not(unix))]
fn cannot_run(ctx: &Context, spec: &str, program: &OsStr, file: &OsStr, err: &io::Error) -> String {
    let name = program.to_string_lossy();
    if err.kind() == io::ErrorKind::NotFound {
        let extensions = pathext::extensions(ctx.env.var_os("PATHEXT")).join(";");
        return format!(
            "cannot run {name}: not found. Searched the toolchain's bin, then each directory of \
             PATH, for {name} with each PATHEXT extension ({extensions}).\nfix: check the name, \
             put its directory on PATH, or give its path: gox exec {spec} -- .\\tools\\{name}.cmd"
        );
    }
    // Found, but not a program CreateProcess starts: a .ps1 or .py that PATHEXT lists is
    // opened by cmd.exe through its file association, which gox does not follow.
    let file = Path::new(file).display();
    format!(
        "cannot run {file}: {err}.\nfix: only .exe, .com, .bat and .cmd files run directly; run \
         a script through its interpreter, e.g. gox exec {spec} -- powershell -File {file}"
    )
}
