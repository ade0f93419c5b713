//! `cargo xtask completions` and `cargo xtask man`: regenerate the checked-in shell
//! completion scripts (`completions/`) and man pages (`docs/man/`) from the `gox` library's
//! clap definition. `crates/gox/tests/generated.rs` fails when they are stale.

use std::path::{Path, PathBuf};

use gox::completion::{self, Shell};

use crate::Result;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn completions(args: &[String]) -> Result {
    no_args("completions", args)?;
    let dir = root().join("completions");
    let files = Shell::ALL
        .iter()
        .map(|&shell| {
            (
                shell.file_name().to_string(),
                completion::script(shell).into_bytes(),
            )
        })
        .collect();
    sync(&dir, files, |_| true)
}

pub fn man(args: &[String]) -> Result {
    no_args("man", args)?;
    let dir = root().join("docs").join("man");
    sync(&dir, gox::man::pages(), |name| name.ends_with(".1"))
}

fn no_args(task: &str, args: &[String]) -> Result {
    match args.first() {
        None => Ok(()),
        Some(arg) => Err(format!("`cargo xtask {task}` takes no arguments, got `{arg}`").into()),
    }
}

/// Makes `dir` hold exactly `files` among the names `ours` claims: writes what changed,
/// deletes what is no longer generated (a removed subcommand's man page), says what it did.
fn sync(dir: &Path, files: Vec<(String, Vec<u8>)>, ours: impl Fn(&str) -> bool) -> Result {
    std::fs::create_dir_all(dir)?;
    let mut changed = 0;
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if ours(&name) && !files.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(dir.join(&name))?;
            println!("removed {}", dir.join(&name).display());
            changed += 1;
        }
    }
    for (name, bytes) in &files {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_ref() != Some(bytes) {
            std::fs::write(&path, bytes)?;
            println!("wrote {}", path.display());
            changed += 1;
        }
    }
    if changed == 0 {
        println!("{}: {} files, all up to date", dir.display(), files.len());
    }
    Ok(())
}
