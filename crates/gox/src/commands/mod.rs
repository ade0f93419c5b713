//! One module per subcommand; each parses nothing and decides little: it asks the
//! libraries and prints.

mod activate;
mod completions;
mod current;
mod doctor;
mod env;
mod exec;
mod gonames;
mod hook_env;
mod import;
mod install;
mod install_proxy;
mod list;
mod ls_remote;
mod mirror;
mod outdated;
mod prune;
mod self_cmd;
mod setup;
mod tools;
mod uninstall;
mod use_version;
mod which;

use gox_core::Environment;

use crate::cli::Command;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, command: Command) -> Result<(), CliError> {
    match command {
        Command::Install(args) => {
            crate::signals::stop_installs_cleanly();
            setup::refresh_if_stale(ctx);
            names_follow(ctx, block_on(install::run(ctx, args)))
        }
        Command::Uninstall(args) => names_follow(ctx, uninstall::run(ctx, &args)),
        Command::List(args) => list::run(ctx, &args),
        Command::LsRemote(args) => block_on(ls_remote::run(ctx, &args)),
        Command::Use(args) => {
            crate::signals::stop_installs_cleanly();
            setup::refresh_if_stale(ctx);
            names_follow(ctx, block_on(use_version::run(ctx, args)))
        }
        Command::Current(args) => current::run(ctx, &args),
        Command::Which(args) => which::run(ctx, &args),
        Command::Exec(args) => exec::run(ctx, &args),
        Command::Env(args) => env::run(ctx, &args),
        Command::Setup(args) => setup::run(ctx, &args),
        Command::Doctor(args) => doctor::run(ctx, &args),
        Command::Mirror(crate::cli::MirrorCommand::Sync(args)) => block_on(mirror::sync(ctx, args)),
        Command::Completions(args) => completions::run(&args),
        Command::Import(args) => {
            crate::signals::stop_installs_cleanly();
            names_follow(ctx, import::run(ctx, &args))
        }
        Command::Prune(args) => names_follow(ctx, prune::run(ctx, &args)),
        Command::Activate(args) => activate::run(&ctx.env, &args),
        Command::Deactivate => activate::deactivate(&ctx.env),
        Command::HookEnv(args) => hook_env::run(&ctx.env, &args),
        Command::Tools(args) => tools::run(ctx, &args),
        Command::Outdated(args) => block_on(outdated::outdated(ctx, &args)),
        Command::Upgrade(args) => {
            setup::refresh_if_stale(ctx);
            block_on(outdated::upgrade(ctx, args))
        }
        Command::SelfCmd(cmd) => self_cmd::run(ctx, cmd),
    }
}

pub use hook_env::is_current as hook_env_is_current;

/// The commands that need no [`Context`]: `hook-env` runs before every prompt and must
/// decide from `stat` calls alone, before any config is read or the host probed; `activate`,
/// `deactivate` and `completions` only print. `None` for every other command.
pub fn run_without_context(env: &Environment, command: &Command) -> Option<Result<(), CliError>> {
    match command {
        Command::HookEnv(args) => Some(hook_env::run(env, args)),
        Command::Activate(args) => Some(activate::run(env, args)),
        Command::Deactivate => Some(activate::deactivate(env)),
        Command::Completions(args) => Some(completions::run(args)),
        _ => None,
    }
}

/// After a command that may add or remove toolchains (even one that failed half-way): Go's
/// own names (`goX.Y.Z` shims, `~/sdk` links) follow what is installed.
fn names_follow(ctx: &Context, result: Result<(), CliError>) -> Result<(), CliError> {
    gonames::sync_quietly(ctx);
    result
}

/// gox does one thing at a time; a current-thread runtime is all the network code needs.
fn block_on<F: std::future::Future<Output = Result<(), CliError>>>(
    future: F,
) -> Result<(), CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))?
        .block_on(future)
}

/// Prints JSON to stdout. Serializing our own plain structs cannot fail.
fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON output serializes")
    );
}
