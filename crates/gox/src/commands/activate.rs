//! `gox activate SHELL` prints the shell integration; `gox deactivate`, when it reaches the
//! binary, explains where it works (the `gox` shell function activate defines does the work).

use std::io::Write;

use gox_core::Environment;
use gox_core::hook::{self, STATE_VAR};

use crate::cli::ActivateArgs;
use crate::error::CliError;

pub fn run(env: &Environment, args: &ActivateArgs) -> Result<(), CliError> {
    let shell = super::env::chosen_shell(env, args.shell.as_deref())?;
    // The absolute path, so the hook works whether or not gox is on PATH (and keeps calling
    // this gox when another one is earlier on PATH).
    let gox = std::env::current_exe().map_err(|e| {
        CliError::Other(format!(
            "cannot find the path of the running gox binary: {e}"
        ))
    })?;
    let script = hook::activate_script(shell, &gox);
    // A closed stdout (`gox activate bash | head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(script.as_bytes());
    Ok(())
}

/// `gox deactivate` run as a program: the shell function activate defines intercepts it, so
/// reaching the binary means this shell has no such function.
pub fn deactivate(env: &Environment) -> Result<(), CliError> {
    let message = if env.var_os(STATE_VAR).is_some() {
        "this shell has gox's environment but not the `gox` function that `gox activate` defines \
         (a subshell or a script inherits the first, not the second). To undo gox's changes here, run\n  \
         eval \"$(gox hook-env --shell bash --deactivate)\"     (zsh alike; fish: gox hook-env --shell fish --deactivate | source)"
    } else {
        "gox is not active in this shell, so there is nothing to deactivate. \
         `gox deactivate` undoes `eval \"$(gox activate SHELL)\"` (see `gox activate --help`)"
    };
    Err(CliError::Other(message.to_owned()))
}
