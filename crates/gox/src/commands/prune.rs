//! `gox prune`: the library plans (what nothing uses) and removes; this prints.

use gox_core::installed::Toolchain;
use gox_installer::InstallError;
use gox_installer::extract::ByteSize;
use gox_installer::prune::{self, CacheEntry, Doomed, Why};

use crate::cli::PruneArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<(), CliError> {
    let plan = prune::plan(&ctx.env, &ctx.layout, args.cache)?;
    for warning in &plan.warnings {
        gox_core::say!("gox: warning: {warning}");
    }
    for (t, why) in &plan.keep {
        ctx.status(format!("keep {}: selected by {}", label(t), reasons(why)));
    }
    let (report, verbs) = if args.dry_run {
        (
            prune::preview(&plan, args.cache),
            ["would remove", "would keep", "would free"],
        )
    } else {
        (
            prune::apply(&ctx.layout, &plan, args.cache),
            ["removed", "kept", "freed"],
        )
    };
    let [removed, kept, freed] = verbs;
    for line in removal_lines(&report.removed, &report.cache_removed) {
        println!("{removed} {line}");
    }
    for (t, e) in &report.refused {
        println!("{}", refusal(kept, t, e));
    }
    for (c, why) in &report.cache_kept {
        println!("{kept} {} {}: {why}", c.kind, c.path.display());
    }
    for (c, e) in &report.cache_failed {
        gox_core::say!("gox: warning: cannot remove {}: {e}", c.path.display());
    }
    println!("{freed} {}", ByteSize(report.bytes_freed()));
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

/// A toolchain that stayed (`kept`), or would (`would keep`), because removing it failed
/// (in use, most often): one line per toolchain.
pub(super) fn refusal(verb: &str, t: &Toolchain, e: &InstallError) -> String {
    format!("{verb} {}: {}", label(t), e.one_line())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_one_line_naming_the_processes() {
        let t = Toolchain {
            version: "1.27.2".parse().unwrap(),
            platform: "linux/amd64".parse().unwrap(),
            goroot: "/h/toolchains/go1.27.2.linux-amd64".into(),
        };
        let user = |pid, how: &'static str| gox_installer::inuse::User {
            pid,
            command: "go".into(),
            how,
            path: "/h/toolchains/go1.27.2.linux-amd64/bin/go".into(),
        };
        let e = InstallError::InUse {
            version: "1.27.2".into(),
            platform: "linux/amd64".into(),
            goroot: t.goroot.clone(),
            users: vec![user(7, "runs"), user(9, "has open")],
        };
        assert_eq!(
            refusal("kept", &t, &e),
            "kept go1.27.2 (linux/amd64): in use: pid 7 (go) runs \
             /h/toolchains/go1.27.2.linux-amd64/bin/go; pid 9 (go) has open \
             /h/toolchains/go1.27.2.linux-amd64/bin/go; stop those processes and retry"
        );
        let io = InstallError::io(
            "remove",
            std::path::Path::new("/h/toolchains/go1.27.2.linux-amd64"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        let line = refusal("kept", &t, &io);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("; no permission to write there"), "{line}");
    }
}
