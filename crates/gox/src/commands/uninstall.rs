//! `gox uninstall`: remove one installed toolchain.

use gox_core::Spec;
use gox_core::installed::installed_for;

use crate::cli::UninstallArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &UninstallArgs) -> Result<(), CliError> {
    let platform = ctx.target_platform(args.platform.as_deref())?;
    let spec = Spec::parse(&args.spec)?;
    let candidates: Vec<_> = installed_for(&ctx.layout, &platform)
        .into_iter()
        .filter(|t| spec.matches(&t.version))
        .collect();
    let version = match candidates.as_slice() {
        [one] => one.version.clone(),
        [] => {
            return Err(CliError::NoToolchain(format!(
                "no installed {platform} toolchain matches `{spec}` (see `gox list`)"
            )));
        }
        many => {
            let names: Vec<String> = many.iter().map(|t| t.version.to_string()).collect();
            return Err(CliError::Usage(format!(
                "`{spec}` matches several installed toolchains ({}); name one exactly",
                names.join(", ")
            )));
        }
    };
    let in_use = if args.force {
        gox_installer::InUse::Remove
    } else {
        gox_installer::InUse::Refuse
    };
    let removed = gox_installer::remove_toolchain(&ctx.layout, &version, &platform, in_use)?;
    ctx.status(format!(
        "removed go{version} ({platform}) from {}",
        removed.display()
    ));
    Ok(())
}
