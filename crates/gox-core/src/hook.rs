//! Shell integration (DESIGN.md, "Shell integration"): the code `gox activate` prints, and
//! the decisions behind `gox hook-env`, which that code runs on every prompt and `cd`.
//!
//! * [`activate_script`]: the per-shell init code (hooks, the `gox` wrapper function that
//!   handles `gox deactivate`).
//! * [`fingerprint`]: the stat-only fast path's key.
//! * [`State`]: what the hook changed, kept in the shell's [`STATE_VAR`].
//! * [`update`] / [`deactivate`]: pure functions from (previous state, current environment,
//!   what the directory wants) to the [`Op`]s to print, rendered by [`render`].

use std::path::Path;

use crate::shell::Shell;

mod fingerprint;
mod state;
#[cfg(test)]
mod tests;
mod update;

pub use fingerprint::fingerprint;
pub use state::{STATE_VAR, State, VarChange};
pub use update::{
    Desired, Notice, Op, Update, deactivate, is_current, render, runs_natively, update,
};

/// What `gox activate SHELL` prints: hooks that run `gox hook-env --shell SHELL` (on each
/// prompt, and on `cd` where the shell has such a hook), a `gox` function that handles
/// `gox deactivate`, and one immediate run. `gox` is the absolute path of the gox binary,
/// so the code works whether or not gox is on PATH.
pub fn activate_script(shell: Shell, gox: &Path) -> String {
    let template = match shell {
        Shell::Bash => include_str!("hook/activate/activate.bash"),
        Shell::Zsh => include_str!("hook/activate/activate.zsh"),
        Shell::Fish => include_str!("hook/activate/activate.fish"),
        Shell::Pwsh => include_str!("hook/activate/activate.ps1"),
    };
    template.replace("@GOX@", &shell.quote(&gox.to_string_lossy()))
}
