//! `gox self update` / `gox self uninstall`: the installer library decides and replaces;
//! this prints, asks for confirmation, and passes the compiled-in key (build_info).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use gox_installer::self_uninstall;
use gox_installer::self_update::{self, DEFAULT_BASE, Outcome};

use crate::cli::{SelfCommand, SelfUninstallArgs, SelfUpdateArgs};
use crate::context::Context;
use crate::error::CliError;
use gox::build_info;

pub fn run(ctx: &Context, cmd: SelfCommand) -> Result<(), CliError> {
    match cmd {
        SelfCommand::Update(args) => super::block_on(update(ctx, args)),
        SelfCommand::Uninstall(args) => uninstall(ctx, &args),
    }
}

/// The directory of the running gox (where gox-shim lives too).
fn install_dir() -> Result<PathBuf, CliError> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
        .ok_or_else(|| CliError::Other("cannot locate the running gox executable".into()))
}

async fn update(ctx: &Context, args: SelfUpdateArgs) -> Result<(), CliError> {
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
    let outcome = self_update::update(&ctx.http()?, &req, ctx.progress()).await?;
    match outcome {
        Outcome::UpToDate { version } => println!("gox {version} is already up to date"),
        Outcome::Available { current, latest } => {
            println!("gox {latest} is available (this is {current}); run `gox self update`");
        }
        Outcome::OlderOnly { current, latest } => println!(
            "gox {current} is newer than the published {latest}; nothing to update (`gox self update --version {latest}` downgrades)"
        ),
        Outcome::Updated(done) => {
            for path in &done.replaced {
                ctx.status(format!("replaced {}", path.display()));
            }
            for (shim, how) in &done.shims {
                ctx.status(format!("refreshed {} ({})", shim.display(), how.as_str()));
            }
            for failure in &done.shim_failures {
                eprintln!("gox: warning: {failure}; run `gox setup` to recreate the shims");
            }
            println!(
                "gox updated from {} to {} ({})",
                done.from, done.to, done.target
            );
        }
    }
    Ok(())
}

fn uninstall(ctx: &Context, args: &SelfUninstallArgs) -> Result<(), CliError> {
    let req = self_uninstall::Request {
        install_dir: install_dir()?,
        exe_suffix: std::env::consts::EXE_SUFFIX,
        shims_dir: ctx.layout.shims(),
        home: ctx.layout.home().to_path_buf(),
        cache: ctx.layout.cache().to_path_buf(),
        all: args.all,
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
        eprintln!("gox self uninstall will remove:");
        for path in &plan {
            eprintln!("  {}", path.display());
        }
        eprint!("continue? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = stdin.lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("nothing removed");
            return Ok(());
        }
    }
    let removed = self_uninstall::uninstall(&req)?;
    for path in &removed.paths {
        println!("removed {}", path.display());
    }
    if let Some(kept) = removed.kept {
        ctx.status(format!(
            "kept the toolchains in {} (`gox self uninstall --all` removes them too)",
            kept.display()
        ));
    }
    Ok(())
}
