//! `gox`: parse the command line, run the command, map the outcome to an exit status.

mod commands;
mod context;
mod error;
mod signals;

use std::process::ExitCode;

use clap::Parser;
use gox_core::{Environment, ExitStatus};

// The command line is defined in the library, where xtask and the tests generate the
// completion scripts and man pages from it; `crate::cli` keeps naming it here.
use gox::cli;

use crate::cli::Cli;
use crate::context::Context;

fn main() -> ExitCode {
    // Started as `go`, `gofmt` or `goX.Y.Z`: the Linux shim (a replayer) runs gox as its
    // planner under the tool's name (docs/architecture.md, "replayer and planner").
    if let Some(code) = proxy_mode() {
        return ExitCode::from(code);
    }
    // `gox hook-env` runs before every prompt: when nothing changed, it is done after a few
    // `stat` calls, before clap (or anything else) is set up.
    if commands::hook_env_is_current() {
        return ExitCode::SUCCESS;
    }
    signals::end_quietly_on_closed_stdout();
    // `COMPLETE=bash gox -- …` is the shell asking for candidates: answer and exit.
    gox::completion::complete_from_env();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() {
                ExitStatus::Usage
            } else {
                ExitStatus::Ok
            };
            return ExitCode::from(code.code() as u8);
        }
    };
    let env = Environment::from_process();
    let result = match commands::run_without_context(&env, &cli.command) {
        Some(result) => result,
        None => {
            let context = if matches!(cli.command, cli::Command::SelfCmd(_)) {
                Context::ignoring_config_errors(env, cli.global.quiet)
            } else {
                Context::new(env, cli.global.quiet)
            };
            context.and_then(|ctx| commands::run(&ctx, cli.command))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            gox_core::say!("gox: error: {e}");
            // Stopped by a signal: the shell convention 128 + N (130 for Ctrl-C, 143 for SIGTERM).
            let code = e
                .interrupted_by()
                .map_or(e.exit_status().code(), |signal| 128 + signal);
            ExitCode::from(code as u8)
        }
    }
}

/// Runs the shim's proxy mode when argv[0] names a tool rather than gox; `None` otherwise.
fn proxy_mode() -> Option<u8> {
    let argv0 = std::env::args_os().next()?;
    let name = std::path::Path::new(&argv0).file_name()?.to_str()?;
    let name = name.strip_suffix(".exe").unwrap_or(name);
    if gox_shim::tool_name(name).is_none() && gox_core::gonames::parse_version_name(name).is_none()
    {
        return None;
    }
    // std's start-up ignored SIGPIPE; `go` (and what it runs) gets the default back, as
    // `Command::exec` would give it.
    #[cfg(unix)]
    signals::end_quietly_on_closed_stdout();
    Some(run_proxy())
}

#[cfg(unix)]
fn run_proxy() -> u8 {
    use std::os::unix::ffi::OsStringExt;
    let args: Vec<std::ffi::CString> = std::env::args_os()
        .filter_map(|a| std::ffi::CString::new(a.into_vec()).ok())
        .collect();
    let refs: Vec<&std::ffi::CStr> = args.iter().map(|a| a.as_c_str()).collect();
    gox_shim::proxy::run(&refs)
}

#[cfg(windows)]
fn run_proxy() -> u8 {
    gox_shim::proxy::run(&std::env::args_os().collect::<Vec<_>>())
}
