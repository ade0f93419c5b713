//! `gox which`: the binary a shim would run here.

use crate::cli::WhichArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &WhichArgs) -> Result<(), CliError> {
    // As a shim of that name would: `gox which go1.22.10` is that exact version's `go`.
    let (tool, exact) = gox_shim::invoked_as(&args.tool, &ctx.env)?;
    let plan = gox_shim::plan_version(&ctx.env, tool, exact.as_ref(), None)?;
    println!("{}", plan.program.display());
    Ok(())
}
