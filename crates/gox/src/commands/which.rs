//! `gox which`: the binary a shim would run here.

use crate::cli::WhichArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &WhichArgs) -> Result<(), CliError> {
    let plan = gox_shim::plan(&ctx.env, &args.tool, None)?;
    println!("{}", plan.program.display());
    Ok(())
}
