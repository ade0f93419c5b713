//! Man pages via clap_mangen: `gox.1` and one `gox-<command>.1` per visible subcommand,
//! checked in under `docs/man/` (`cargo xtask man`).

use clap::CommandFactory as _;
use clap_mangen::Man;

use crate::cli::Cli;

/// Every page as (file name, roff), `gox.1` first, then the subcommands in definition
/// order. Deterministic: no date, the version this build says (`gox --version`).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    render(Cli::command())
}

/// [`pages`] as the release stamped `version` prints them: the dist builds its binaries with
/// that version, so the man pages it ships must say the same.
pub fn pages_for_version(version: &'static str) -> Vec<(String, Vec<u8>)> {
    render(Cli::command().version(version))
}

fn render(cmd: clap::Command) -> Vec<(String, Vec<u8>)> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    pages
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let man = Man::new(cmd.clone()).manual("gox manual");
    let mut roff = Vec::new();
    man.render(&mut roff)
        .expect("rendering to memory cannot fail");
    pages.push((man.get_filename(), roff));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages);
    }
}
