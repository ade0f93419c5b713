//! `gox exec SPEC -- CMD…`: run anything with one installed toolchain's environment.

use std::process::Command;

use gox_core::Spec;
use gox_core::childenv::{self, Target};
use gox_core::installed::installed_for;

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
    let mut cmd = Command::new(program);
    cmd.args(rest).envs(vars);
    become_child(cmd, program)
}

#[cfg(unix)]
fn become_child(mut cmd: Command, program: &std::ffi::OsStr) -> Result<(), CliError> {
    use std::os::unix::process::CommandExt;
    let err = cmd.exec();
    Err(CliError::NoToolchain(format!(
        "cannot run {}: {err}",
        program.to_string_lossy()
    )))
}

#[cfg(not(unix))]
fn become_child(mut cmd: Command, program: &std::ffi::OsStr) -> Result<(), CliError> {
    let status = cmd.status().map_err(|e| {
        CliError::NoToolchain(format!("cannot run {}: {e}", program.to_string_lossy()))
    })?;
    std::process::exit(status.code().unwrap_or(1));
}
