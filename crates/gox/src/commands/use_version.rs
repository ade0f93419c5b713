//! `gox use`: pin a version here (.go-version) or globally (GOX_HOME/default).

use std::path::Path;

use gox_core::Spec;
use gox_core::installed::installed_for;

use super::install;
use crate::cli::{InstallArgs, UseArgs};
use crate::context::Context;
use crate::error::CliError;

pub async fn run(ctx: &Context, args: UseArgs) -> Result<(), CliError> {
    let spec = Spec::parse(&args.spec)?;
    let have = installed_for(&ctx.layout, &ctx.host.platform)
        .iter()
        .any(|t| spec.matches(&t.version));
    if !have && !args.no_install {
        install::run(ctx, InstallArgs::one(spec.to_string(), args.source)).await?;
    }
    let (path, what) = if args.global {
        (ctx.layout.default_file(), "the global default")
    } else {
        (ctx.env.cwd().join(".go-version"), "this directory")
    };
    write_atomically(&path, &format!("{spec}\n"))?;
    if !args.global {
        // Best effort: the record only helps prune/upgrade find this project later.
        let _ = gox_core::projects::record(&ctx.layout, ctx.env.cwd());
    }
    ctx.status(format!("{spec} is now {what} ({})", path.display()));
    if !have && args.no_install {
        gox_core::say!(
            "gox: warning: {spec} is not installed for {}; run `gox install {spec}`",
            ctx.host.platform
        );
    }
    Ok(())
}

pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::Other(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("gox-new");
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
