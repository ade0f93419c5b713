//! `gox completions SHELL`: print the completion script (see `gox::completion`).

use std::io::Write as _;

use crate::cli::CompletionsArgs;
use crate::error::CliError;

pub fn run(args: &CompletionsArgs) -> Result<(), CliError> {
    let script = gox::completion::script(args.shell);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(script.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Other(format!("cannot write the completion script: {e}")))
}
