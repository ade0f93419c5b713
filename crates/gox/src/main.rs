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
