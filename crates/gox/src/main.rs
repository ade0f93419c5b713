//! `gox`: parse the command line, run the command, map the outcome to an exit status.

mod cli;
mod commands;
mod context;
mod error;

use std::process::ExitCode;

use clap::Parser;
use gox_core::{Environment, ExitStatus};

use crate::cli::Cli;
use crate::context::Context;

fn main() -> ExitCode {
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
    let result = Context::new(Environment::from_process(), cli.global.quiet)
        .and_then(|ctx| commands::run(&ctx, cli.command));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gox: error: {e}");
            ExitCode::from(e.exit_status().code() as u8)
        }
    }
}
