//! `gox self update` / `gox self uninstall`: the installer library decides and replaces;
//! this prints, asks for confirmation, and passes the compiled-in key (build_info).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use gox_installer::self_uninstall::{self, KeepReason, Kept, UserPathEdit};
use gox_installer::self_update::{self, DEFAULT_BASE, ManPages, Outcome, SelfUpdateError, Updated};

use crate::cli::{SelfCommand, SelfUninstallArgs, SelfUpdateArgs};
use crate::context::Context;
use crate::error::CliError;
use gox::build_info;

pub fn run(ctx: &Context, cmd: SelfCommand) -> Result<(), CliError> {
    match cmd {
        SelfCommand::Update(args) => {
            // Ctrl-C during the download removes the staging dir and exits 130, as installs do.
            crate::signals::stop_installs_cleanly();
            super::block_on(update(ctx, args))
        }
        SelfCommand::Uninstall(args) => uninstall(ctx, &args),
    }
}

/// The running gox, links resolved: the real file is the one to replace or remove (on
/// macOS `current_exe` may return the symbolic link gox was started through).
fn current_exe() -> Result<PathBuf, CliError> {
    // dunce: on Windows, `C:\Users\me\bin\gox.exe` rather than `\\?\C:\…`, the form users
    // see (and put on PATH); elsewhere the same as std's.
    std::env::current_exe()
        .and_then(dunce::canonicalize)
        .map_err(|e| {
            CliError::Other(format!(
                "cannot locate the running gox executable: {e}\nrun gox by its full path (e.g. ~/.local/bin/gox) and try again"
            ))
        })
}

/// The directory of the running gox (where gox-shim lives too).
fn install_dir() -> Result<PathBuf, CliError> {
    let exe = current_exe()?;
    exe.parent().map(PathBuf::from).ok_or_else(|| {
        CliError::Other(format!(
            "the running gox {} has no parent directory",
            exe.display()
        ))
    })
}

async fn update(ctx: &Context, args: SelfUpdateArgs) -> Result<(), CliError> {
    // `--version` was checked by clap (cli.rs) before any network access.
    let value = ctx.env.var("GOX_UPDATE_BASE").unwrap_or(DEFAULT_BASE);
    let base = gox_resolver::source::base_url("GOX_UPDATE_BASE", value)?;
    let req = self_update::Request {
        base: base.to_string(),
        public_key: build_info::UPDATE_PUBLIC_KEY,
        current: build_info::VERSION,
        wanted: args.version,
        check_only: args.check,
        host: ctx.host.platform.clone(),
        install_dir: install_dir()?,
        shims_dir: ctx.layout.shims(),
        policy: ctx.retry_policy()?,
    };
    if !args.check && req.public_key.is_some() {
        ctx.status(format!("checking {base} for a newer gox"));
    }
    let outcome = match self_update::update(&ctx.http()?, &req, ctx.progress()).await {
        Ok(outcome) => outcome,
        Err(SelfUpdateError::ShimsNotRefreshed {
            updated,
            shims_dir,
            failures,
        }) => {
            // Say what did change before the error about what did not.
            report_written(ctx, &updated);
            return Err(SelfUpdateError::ShimsNotRefreshed {
                updated,
                shims_dir,
                failures,
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    // `--check` answers a question: its answer is output, printed even with --quiet.
    match outcome {
        Outcome::UpToDate { version } => {
            if args.check || !ctx.quiet {
                println!("gox {version} is already up to date");
            }
        }
        Outcome::Available {
            current,
            latest,
            pinned,
        } => {
            let older = self_update::compare_versions(&latest, &current).is_lt();
            let command = if pinned || older {
                format!("gox self update --version {latest}")
            } else {
                "gox self update".to_string()
            };
            if older {
                println!(
                    "gox {latest} is available, older than this {current}; to downgrade run `{command}`"
                );
            } else {
                println!("gox {latest} is available (this is {current}); run `{command}`");
            }
        }
        Outcome::OlderOnly { current, latest } => println!(
            "gox {current} is newer than the published {latest}; nothing to update (`gox self update --version {latest}` downgrades)"
        ),
        Outcome::Updated(done) => {
            report_written(ctx, &done);
            for (shim, how) in &done.shims {
                ctx.status(format!("refreshed {} ({})", shim.display(), how.as_str()));
            }
            for path in &done.foreign_shims {
                ctx.status(format!("kept {} (not a gox shim)", path.display()));
            }
            match &done.man_pages {
                ManPages::NotInstalled => {}
                ManPages::Refreshed(pages) => ctx.status(format!(
                    "refreshed {} man pages in {}{}",
                    pages.written,
                    pages.dir.display(),
                    match pages.removed {
                        0 => String::new(),
                        n => format!(" (removed {n} the new release no longer has)"),
                    }
                )),
                // Documentation only: said even with --quiet, but the update stands.
                ManPages::Failed { dir, error } => gox_core::say!(
                    "gox: warning: the man pages in {} were not refreshed: {error}
                     fix: make {} writable and run install.sh again, or delete its gox*.1 pages",
                    dir.display(),
                    dir.display()
                ),
            }
            if !ctx.quiet {
                println!(
                    "gox updated from {} to {} ({})",
                    done.from, done.to, done.target
                );
            }
        }
    }
    Ok(())
}

fn report_written(ctx: &Context, done: &Updated) {
    for written in &done.binaries {
        let verb = if written.replaced {
            "replaced"
        } else {
            "installed"
        };
        ctx.status(format!("{verb} {}", written.path.display()));
    }
}

/// Where a symbolic link to gox may sit: every PATH directory, and the one gox was started
/// from (`~/bin/gox` → `/opt/gox/gox`).
fn link_dirs(ctx: &Context) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ctx
        .env
        .var("PATH")
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    if let Some(arg0) = std::env::args_os().next().map(PathBuf::from)
        && arg0.components().count() > 1
        && let Some(parent) = arg0.parent()
    {
        let parent = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
        dirs.push(parent);
    }
    dirs
}

fn kept_line(kept: &Kept) -> String {
    let path = kept.path.display();
    match &kept.reason {
        KeepReason::Toolchains => {
            format!("kept the toolchains in {path} (`gox self uninstall --all` removes them too)")
        }
        KeepReason::NotAShim => format!("kept {path} (not a gox shim)"),
        KeepReason::NotEmpty(names) if names.is_empty() => format!("kept {path}"),
        KeepReason::NotEmpty(names) => {
            format!("kept {path} (not empty: {})", names.join(", "))
        }
        KeepReason::UserHome => format!("kept {path} (your home directory)"),
        KeepReason::NotGoxs => {
            format!("kept {path} (named like gox's, but not what gox writes there)")
        }
    }
}

fn uninstall(ctx: &Context, args: &SelfUninstallArgs) -> Result<(), CliError> {
    let install_dir = install_dir()?;
    let req = self_uninstall::Request {
        install_dir: install_dir.clone(),
        exe_suffix: std::env::consts::EXE_SUFFIX,
        shims_dir: ctx.layout.shims(),
        home: ctx.layout.home().to_path_buf(),
        cache: ctx.layout.cache().to_path_buf(),
        all: args.all,
        user_home: ctx.env.home(),
        link_dirs: link_dirs(ctx),
        // Only `--all` removes them (with the toolchains they point to).
        sdk_links: if args.all {
            super::gonames::own_sdk_links(ctx)
        } else {
            Vec::new()
        },
        user_path: gox_installer::userpath::read(),
    };
    let plan = self_uninstall::plan(&req);
    if plan.is_empty() {
        println!("nothing to remove");
        return Ok(());
    }
    if !args.yes {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(CliError::Usage(
                "gox self uninstall asks for confirmation, and stdin is not a terminal: pass --yes to remove gox without asking".into(),
            ));
        }
        gox_core::say!("gox self uninstall will remove:");
        for entry in &plan.user_path {
            gox_core::say!(
                "  {entry} from your user Path ({})",
                gox_installer::userpath::LOCATION
            );
        }
        for path in &plan.remove {
            gox_core::say!("  {}", path.display());
        }
        for dir in &plan.remove_if_empty {
            gox_core::say!(
                "  {} (only if nothing but gox's entries was in it)",
                dir.display()
            );
        }
        if args.all {
            gox_core::say!(
                "only gox's own entries go; anything else in {} or {} stays",
                req.home.display(),
                req.cache.display()
            );
        }
        eprint!("continue? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = stdin.lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            // Not 0: `gox self uninstall && …` must not carry on as if gox were gone.
            return Err(CliError::Other(
                "self uninstall cancelled; nothing was removed".into(),
            ));
        }
    }
    let removed = self_uninstall::uninstall(&req)?;
    // What was done is the output (stdout); --quiet leaves only errors.
    let say = |line: String| {
        if !ctx.quiet {
            println!("{line}");
        }
    };
    // In the order done: the user Path first.
    match &removed.user_path {
        UserPathEdit::Untouched => {}
        edit @ UserPathEdit::Removed(_) => say(edit.to_string()),
        edit @ UserPathEdit::Failed { .. } => gox_core::say!("gox: warning: {edit}"),
    }
    for path in &removed.paths {
        say(format!("removed {}", path.display()));
    }
    for kept in &removed.kept {
        say(kept_line(kept));
    }
    let mentions = ctx.env.home().map_or_else(Vec::new, |home| {
        let zdotdir = ctx.env.path_var("ZDOTDIR");
        self_uninstall::rc_mentions(&home, zdotdir.as_deref(), &req.shims_dir, &install_dir)
    });
    if mentions.is_empty() {
        say(format!(
            "if a shell startup file puts {} or {} on PATH (or runs `gox activate`), remove that line",
            req.shims_dir.display(),
            install_dir.display()
        ));
    }
    let (gox_lines, dir_lines): (Vec<_>, Vec<_>) =
        mentions.iter().partition(|m| !m.install_dir_only);
    if !gox_lines.is_empty() {
        say(
            "remove these gox lines from your shell startup files (gox does not edit them):".into(),
        );
        for m in gox_lines {
            say(format!("  {}:{}: {}", m.file.display(), m.line, m.text));
        }
    }
    if !dir_lines.is_empty() {
        say(format!(
            "these lines put {} on PATH; remove them unless other programs there still need it:",
            install_dir.display()
        ));
        for m in dir_lines {
            say(format!("  {}:{}: {}", m.file.display(), m.line, m.text));
        }
    }
    Ok(())
}
