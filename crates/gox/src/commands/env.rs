//! `gox env`: the selected toolchain's environment as shell code or JSON.

use std::collections::BTreeMap;

use gox_core::Environment;
use gox_core::childenv::{self, DEPTH_VAR, PIN_VAR};
use gox_core::shell::Shell;

use super::print_json;
use crate::cli::EnvArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &EnvArgs) -> Result<(), CliError> {
    let plan = gox_shim::plan(&ctx.env, "go", None)?;
    let path = childenv::compose_path(
        ctx.env.var_os("PATH"),
        &ctx.layout,
        childenv::path_entries(&ctx.layout, &ctx.config, &plan.target),
    );
    // The pin and depth counter are the shim's business; an eval'd shell must not carry them.
    let vars: Vec<(&str, &std::ffi::OsStr)> = plan
        .vars
        .iter()
        .filter(|(k, _)| *k != PIN_VAR && *k != DEPTH_VAR)
        .map(|(k, v)| (*k, v.as_os_str()))
        .collect();
    if args.json {
        // JSON strings are Unicode: a path that is not UTF-8 cannot be written exactly.
        let mut map: BTreeMap<&str, String> = vars
            .iter()
            .map(|(k, v)| (*k, v.to_string_lossy().into_owned()))
            .collect();
        let joined = std::env::join_paths(&path)
            .map_err(|e| CliError::Other(format!("cannot build PATH: {e}")))?;
        map.insert("PATH", joined.to_string_lossy().into_owned());
        print_json(&map);
        return Ok(());
    }
    let shell = ctx.shell(args.shell.as_deref())?;
    for (k, v) in &vars {
        println!("{}", shell.set_os(k, v));
    }
    println!("{}", shell.set_path(&path));
    Ok(())
}

impl Context {
    /// `--shell`, else the user's login shell from $SHELL, else POSIX syntax.
    pub fn shell(&self, flag: Option<&str>) -> Result<Shell, CliError> {
        chosen_shell(&self.env, flag)
    }
}

/// The shell named by a flag, else $SHELL's, else bash (PowerShell on Windows), saying so
/// when $SHELL names a shell
/// gox has no integration for (tcsh, dash…) rather than silently writing bash.
pub(super) fn chosen_shell(env: &Environment, flag: Option<&str>) -> Result<Shell, CliError> {
    let (shell, warning) = Shell::chosen(flag, env.var("SHELL"), Shell::os_default())
        .map_err(|e: gox_core::shell::UnknownShell| CliError::Usage(e.to_string()))?;
    if let Some(warning) = warning {
        gox_core::say!("gox: warning: {warning}");
    }
    Ok(shell)
}
