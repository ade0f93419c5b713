//! `gox setup`: put the shims in GOX_HOME/shims and tell the user the PATH line.
//!
//! gox does not edit shell startup files: it prints the line and where it goes, the way
//! rustup's `--no-modify-path` users expect, so nothing changes behind the user's back. On
//! Windows, where no startup file reaches cmd.exe or Explorer, `--user-path` asks for the
//! user Path to be edited instead ([`gox_installer::userpath`]).

use std::path::{Path, PathBuf};

use super::gonames;
use crate::cli::SetupArgs;
use crate::context::Context;
use crate::error::CliError;

const TOOLS: [&str; 2] = ["go", "gofmt"];

pub fn run(ctx: &Context, args: &SetupArgs) -> Result<(), CliError> {
    if args.user_path && !cfg!(windows) {
        return Err(CliError::Usage(
            "--user-path edits Windows' user Path; elsewhere add the line `gox setup` prints \
             to your shell startup file (install.sh --modify-path does it)"
                .to_string(),
        ));
    }
    let shim = shim_binary()?;
    let dir = ctx.layout.shims();
    std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
    let exe = std::env::consts::EXE_SUFFIX;
    for tool in TOOLS {
        let dest = dir.join(format!("{tool}{exe}"));
        let how = place(&shim, &dest)?;
        ctx.status(format!("{} -> {} ({how})", dest.display(), shim.display()));
    }
    #[cfg(target_os = "linux")]
    link_planner(ctx)?;
    if args.sdk && !ctx.config.sdk_links {
        enable_sdk_links(ctx)?;
    }
    let names = gonames::sync(ctx, args.sdk);
    for line in names.done {
        ctx.status(line);
    }
    for problem in &names.problems {
        gox_core::say!("gox: warning: {problem}");
    }
    let shell = ctx.shell(args.shell.as_deref())?;
    let line = shell.prepend_path_line(&dir);
    let file = shell.rc_file(ctx.env.path_var("ZDOTDIR").as_deref());
    #[cfg(windows)]
    if args.user_path {
        user_path(ctx, &dir, &shim)?;
        println!("{line}");
        ctx.status("the line above puts the shims on PATH in this window too");
        return Ok(());
    }
    println!("{line}");
    ctx.status(format!(
        "add the line above to {file} (after any other Go setup, so that gox's `go` comes first on PATH), then open a new shell; `gox doctor` checks the result"
    ));
    Ok(())
}

/// `--user-path` (Windows): the shims dir, gox's own dir and the host's GOPATH/bin first in
/// the user PATH. GOPATH/bin is where `go install` puts tools; on Unix `gox env` and the
/// shell hook put it on PATH, but cmd.exe and Explorer run neither.
#[cfg(windows)]
fn user_path(ctx: &Context, shims: &Path, shim: &Path) -> Result<(), CliError> {
    use gox_installer::userpath;
    let mut dirs = vec![shims.display().to_string()];
    if let Some(own) = shim.parent() {
        dirs.push(own.display().to_string());
    }
    dirs.push(
        ctx.layout
            .gopath(&ctx.host.platform)
            .join("bin")
            .display()
            .to_string(),
    );
    let added = userpath::add(&dirs).map_err(|e| {
        CliError::Other(format!(
            "cannot update your user Path ({}): {e}\nfix: add {} to it by hand (Settings, \
             \"Edit environment variables for your account\")",
            userpath::LOCATION,
            dirs.join(" and ")
        ))
    })?;
    if added.is_empty() {
        ctx.status(format!(
            "{} are on your user Path already",
            dirs.join(" and ")
        ));
    } else {
        ctx.status(format!(
            "put {} first on your user Path ({}); new windows and programs see it, this one does not",
            added.join(" and "),
            userpath::LOCATION
        ));
    }
    Ok(())
}

/// Linux: the shims replay plans and run gox as their planner through `shims/.gox`.
#[cfg(target_os = "linux")]
fn link_planner(ctx: &Context) -> Result<(), CliError> {
    let gox = std::env::current_exe()
        .map_err(|e| CliError::Other(format!("cannot locate gox itself: {e}")))?;
    let link = ctx.layout.planner_link();
    if gox_shim::record::link_planner(&gox, &link).map_err(|e| io_error("link", &link, e))? {
        ctx.status(format!(
            "{} -> {} (the shims' planner)",
            link.display(),
            gox.display()
        ));
    }
    Ok(())
}

/// `--sdk` is a lasting choice: later installs and uninstalls keep ~/sdk in step, so it is
/// recorded as `sdk_links = true` (the config is flat `key = value` lines, so appending one
/// is safe).
fn enable_sdk_links(ctx: &Context) -> Result<(), CliError> {
    use std::io::Write;
    let path = ctx.layout.config_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    }
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let sep = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| {
            writeln!(
                f,
                "{sep}# ~/sdk/goX.Y.Z links for editors (gox setup --sdk)\nsdk_links = true"
            )
        })
        .map_err(|e| io_error("update", path, e))?;
    ctx.status(format!("recorded sdk_links = true in {}", path.display()));
    Ok(())
}

/// After an upgrade of gox, shims that were copies (or links to the old file) would keep
/// running the old shim: replace the ones that differ from the gox-shim next to gox.
/// Only shims `gox setup` created are touched, and failures are ignored (setup reports them).
pub fn refresh_if_stale(ctx: &Context) {
    let Ok(shim) = shim_binary() else {
        return;
    };
    let exe = std::env::consts::EXE_SUFFIX;
    for tool in TOOLS {
        let dest = ctx.layout.shims().join(format!("{tool}{exe}"));
        if dest.exists() && !same_binary(&shim, &dest) {
            let _ = place(&shim, &dest);
        }
    }
    #[cfg(target_os = "linux")]
    if ctx.layout.shims().is_dir()
        && let Ok(gox) = std::env::current_exe()
    {
        let _ = gox_shim::record::link_planner(&gox, &ctx.layout.planner_link());
    }
}

/// Same file (hard link), or a copy with the same size and no older than the source.
pub(super) fn same_binary(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if ma.dev() == mb.dev() && ma.ino() == mb.ino() {
            return true;
        }
    }
    ma.len() == mb.len() && matches!((ma.modified(), mb.modified()), (Ok(ta), Ok(tb)) if tb >= ta)
}

/// The shim ships next to the gox binary.
pub(super) fn shim_binary() -> Result<PathBuf, CliError> {
    let exe = std::env::current_exe()
        .map_err(|e| CliError::Other(format!("cannot locate gox itself: {e}")))?;
    let shim = exe.with_file_name(format!("gox-shim{}", std::env::consts::EXE_SUFFIX));
    if shim.is_file() {
        Ok(shim)
    } else {
        Err(CliError::Other(format!(
            "{} is missing: gox-shim must be installed next to gox\nfix: `gox self update` puts \
             it back (or run install.sh again)",
            shim.display()
        )))
    }
}

/// Hard link, else copy, swapped in atomically (shared with `gox self update`).
pub(super) fn place(shim: &Path, dest: &Path) -> Result<&'static str, CliError> {
    gox_installer::shims::place(shim, dest)
        .map(gox_installer::shims::Placement::as_str)
        .map_err(|e| CliError::Other(e.to_string()))
}

fn io_error(op: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Other(format!("cannot {op} {}: {e}", path.display()))
}
