//! `gox prune`: the library plans (what nothing uses) and removes; this prints.

use gox_installer::extract::ByteSize;
use gox_installer::prune::{self, Why};

use crate::cli::PruneArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<(), CliError> {
    let plan = prune::plan(&ctx.env, &ctx.layout, args.cache)?;
    for warning in &plan.warnings {
        eprintln!("gox: warning: {warning}");
    }
    for (t, why) in &plan.keep {
        let why: Vec<String> = why
            .iter()
            .map(|w| match w {
                Why::Default => "the global default".to_string(),
                Why::Project(dir) => dir.display().to_string(),
            })
            .collect();
        let why = if why.is_empty() {
            "in use".to_string()
        } else {
            why.join(", ")
        };
        ctx.status(format!(
            "keep go{} ({}): selected by {why}",
            t.version, t.platform
        ));
    }
    if args.dry_run {
        for d in &plan.remove {
            println!(
                "would remove go{} ({})  {}  {}",
                d.toolchain.version,
                d.toolchain.platform,
                ByteSize(d.bytes),
                d.toolchain.goroot.display()
            );
        }
        for c in &plan.cache {
            println!(
                "would remove {} {}  {}",
                c.kind,
                c.path.display(),
                ByteSize(c.bytes)
            );
        }
        let total: u64 = plan.remove.iter().map(|d| d.bytes).sum::<u64>()
            + plan.cache.iter().map(|c| c.bytes).sum::<u64>();
        println!("would free {}", ByteSize(total));
        return Ok(());
    }
    let report = prune::apply(&ctx.layout, &plan, args.cache);
    for d in &report.removed {
        println!(
            "removed go{} ({})  {}",
            d.toolchain.version,
            d.toolchain.platform,
            ByteSize(d.bytes)
        );
    }
    for c in &report.cache_removed {
        println!(
            "removed {} {}  {}",
            c.kind,
            c.path.display(),
            ByteSize(c.bytes)
        );
    }
    for (t, e) in &report.refused {
        println!(
            "kept go{} ({}): {}",
            t.version,
            t.platform,
            e.to_string().replace('\n', "; ")
        );
    }
    for (c, e) in &report.cache_failed {
        eprintln!("gox: warning: cannot remove {}: {e}", c.path.display());
    }
    println!("freed {}", ByteSize(report.bytes_freed()));
    Ok(())
}
