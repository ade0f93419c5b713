//! `gox prune`: the library plans (what nothing uses) and removes; this prints.

use gox_core::installed::Toolchain;
use gox_installer::extract::ByteSize;
use gox_installer::prune::{self, CacheEntry, Doomed, Why};

use crate::cli::PruneArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<(), CliError> {
    let plan = prune::plan(&ctx.env, &ctx.layout, args.cache)?;
    for warning in &plan.warnings {
        eprintln!("gox: warning: {warning}");
    }
    for (t, why) in &plan.keep {
        ctx.status(format!("keep {}: selected by {}", label(t), reasons(why)));
    }
    if args.dry_run {
        for line in removal_lines(&plan.remove, &plan.cache) {
            println!("would remove {line}");
        }
        let total: u64 = plan.remove.iter().map(|d| d.bytes).sum::<u64>()
            + plan.cache.iter().map(|c| c.bytes).sum::<u64>();
        println!("would free {}", ByteSize(total));
        return Ok(());
    }
    let report = prune::apply(&ctx.layout, &plan, args.cache);
    for line in removal_lines(&report.removed, &report.cache_removed) {
        println!("removed {line}");
    }
    for (t, e) in &report.refused {
        println!("{}", refusal(t, e));
    }
    for (c, e) in &report.cache_failed {
        eprintln!("gox: warning: cannot remove {}: {e}", c.path.display());
    }
    println!("freed {}", ByteSize(report.bytes_freed()));
    Ok(())
}

/// `go1.22.10 (linux/amd64)  90.1 MiB  /path` per toolchain, `<kind> /path  1.2 MiB` per
/// cache directory: the same lines for what would go and what went.
pub(super) fn removal_lines<'a>(
    toolchains: &'a [Doomed],
    caches: &'a [CacheEntry],
) -> impl Iterator<Item = String> + 'a {
    let toolchains = toolchains.iter().map(|d| {
        format!(
            "{}  {}  {}",
            label(&d.toolchain),
            ByteSize(d.bytes),
            d.toolchain.goroot.display()
        )
    });
    let caches = caches
        .iter()
        .map(|c| format!("{} {}  {}", c.kind, c.path.display(), ByteSize(c.bytes)));
    toolchains.chain(caches)
}

/// `go1.22.10 (linux/amd64)`.
pub(super) fn label(t: &Toolchain) -> String {
    format!("go{} ({})", t.version, t.platform)
}

/// A toolchain that stayed because removing it failed (in use, most often).
pub(super) fn refusal(t: &Toolchain, e: &impl std::fmt::Display) -> String {
    format!("kept {}: {}", label(t), e.to_string().replace('\n', "; "))
}

/// Who keeps a toolchain: `the global default, /path/to/project`.
pub(super) fn reasons(why: &[Why]) -> String {
    if why.is_empty() {
        return "in use".to_string();
    }
    why.iter()
        .map(|w| match w {
            Why::Default => "the global default".to_string(),
            Why::Project(dir) => dir.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
