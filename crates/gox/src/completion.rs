//! Shell completion through clap_complete's dynamic engine.
//!
//! The script a shell loads (`gox completions SHELL`, checked in under `completions/`) only
//! registers `gox` as the completer of `gox`: on every TAB the shell runs
//! `COMPLETE=SHELL gox -- <words>`, and [`complete_from_env`] at the top of `main` answers
//! with candidates computed from the clap definition. Argument values that depend on the
//! machine come from [`installed_versions`] (the directories under `GOX_HOME/toolchains`)
//! and [`remote_versions`] (the cached go.dev feed, never the network), so they are always
//! current without regenerating anything.
//!
//! The scripts name the completer `gox`, not the absolute path of the binary that wrote
//! them, so they are reproducible and keep working when gox moves: `gox` must be on PATH.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;

use clap::CommandFactory as _;
use clap::ValueEnum;
use clap_complete::CompleteEnv;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Shells};
use gox_core::installed::installed;
use gox_core::{Environment, Layout, Version};

use crate::cli::Cli;

/// The command the scripts complete, and the program they call back for candidates.
pub const BIN: &str = "gox";
/// The environment variable that turns a `gox` run into a completion request.
pub const VAR: &str = "COMPLETE";

/// The shells `gox completions` writes scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    Elvish,
}

impl Shell {
    pub const ALL: [Shell; 5] = [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Powershell,
        Shell::Elvish,
    ];

    /// The file name under `completions/`, as each shell's autoloader expects it.
    pub fn file_name(self) -> &'static str {
        match self {
            Shell::Bash => "gox.bash",
            Shell::Zsh => "_gox",
            Shell::Fish => "gox.fish",
            Shell::Powershell => "_gox.ps1",
            Shell::Elvish => "gox.elv",
        }
    }

    fn completer(self) -> &'static dyn EnvCompleter {
        match self {
            Shell::Bash => &Bash,
            Shell::Zsh => &Zsh,
            Shell::Fish => &Fish,
            Shell::Powershell => &Powershell,
            Shell::Elvish => &Elvish,
        }
    }
}

const SHELLS: Shells<'static> = Shells(&[&Bash, &Elvish, &Fish, &Powershell, &Zsh]);

/// Answers a completion request (`COMPLETE=SHELL gox …`) and exits; returns at once when
/// `COMPLETE` is unset, so it must run before anything writes to stdout.
pub fn complete_from_env() {
    if std::env::var_os(VAR).is_none() {
        return;
    }
    // A request is `gox` alone (print the registration) or `gox -- WORDS…`. Anything else
    // is a normal run that inherited COMPLETE: in an activated shell the scripts reach the
    // binary through the `gox` shell function, which then runs `gox hook-env` with the
    // variable still set, and that must do its job, not print a script.
    if std::env::args_os().nth(1).is_some_and(|arg| arg != "--") {
        return;
    }
    CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .bin(BIN)
        .completer(BIN)
        .shells(SHELLS)
        .complete();
}

/// The registration script for `shell`: what `gox completions SHELL` prints and what
/// `completions/` holds. Identical to `COMPLETE=SHELL gox` output.
pub fn script(shell: Shell) -> String {
    let mut buf = Vec::new();
    shell
        .completer()
        .write_registration(VAR, BIN, BIN, BIN, &mut buf)
        .expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("completion scripts are UTF-8")
}

/// zsh: clap_complete's script, plus the convention that lets the file live in `$fpath` as
/// `_gox`. compinit autoloads the file as the function `_gox` on the first TAB; its body
/// defines the real completer and registers it, so without the tail that first TAB would
/// complete nothing.
struct Zsh;

impl EnvCompleter for Zsh {
    fn name(&self) -> &'static str {
        clap_complete::env::Zsh.name()
    }

    fn is(&self, name: &str) -> bool {
        clap_complete::env::Zsh.is(name)
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        clap_complete::env::Zsh.write_registration(var, name, bin, completer, buf)?;
        let function = format!("_clap_dynamic_completer_{}", name.replace('-', "_"));
        writeln!(
            buf,
            "\n# Autoloaded from $fpath as _{bin}: complete this first TAB too.\n\
             if [[ \"${{funcstack[1]}}\" == \"_{bin}\" ]] && (( ${{+CURRENT}} )); then\n    \
             {function} \"$@\"\nfi"
        )
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        clap_complete::env::Zsh.write_complete(cmd, args, current_dir, buf)
    }
}

/// The layout of this process's environment, or `None` (no HOME, relative GOX_HOME):
/// completion then offers nothing rather than printing an error into the prompt.
fn layout() -> Option<Layout> {
    Layout::from_env(&Environment::from_process()).ok()
}

/// Installed versions, newest first, each once, with the platforms it is installed for:
/// the values `gox use`, `gox uninstall` and `gox exec` take.
pub fn installed_versions() -> Vec<CompletionCandidate> {
    let Some(layout) = layout() else {
        return Vec::new();
    };
    let mut platforms: BTreeMap<std::cmp::Reverse<Version>, Vec<String>> = BTreeMap::new();
    for toolchain in installed(&layout) {
        platforms
            .entry(std::cmp::Reverse(toolchain.version))
            .or_default()
            .push(toolchain.platform.to_string());
    }
    platforms
        .into_iter()
        .map(|(std::cmp::Reverse(version), platforms)| {
            CompletionCandidate::new(version.to_string())
                .help(Some(format!("installed ({})", platforms.join(", ")).into()))
        })
        .collect()
}

/// `latest`, then every release in the cached feed, newest first: the values `gox install`
/// takes. Reads `GOX_CACHE_DIR/feed.json` only, whatever its age; without a cached feed
/// (never ran `gox ls-remote` or `gox install`) there is nothing to offer, and completion
/// never fetches one: a TAB must not wait on the network.
pub fn remote_versions() -> Vec<CompletionCandidate> {
    let Some(layout) = layout() else {
        return Vec::new();
    };
    let Some(feed) = gox_resolver::cached_feed(layout.cache()) else {
        return Vec::new();
    };
    let installed: Vec<Version> = installed(&layout).into_iter().map(|t| t.version).collect();
    let mut releases: Vec<_> = feed.releases().iter().collect();
    releases.sort_by(|a, b| b.version.cmp(&a.version));
    releases.dedup_by(|a, b| a.version == b.version);
    let mut candidates =
        vec![CompletionCandidate::new("latest").help(Some("the newest stable release".into()))];
    candidates.extend(releases.into_iter().map(|release| {
        let mut help = if release.is_stable() {
            "stable"
        } else {
            "pre-release"
        }
        .to_string();
        if installed.contains(&release.version) {
            help.push_str(", installed");
        }
        CompletionCandidate::new(release.version.to_string()).help(Some(help.into()))
    }));
    candidates
}
