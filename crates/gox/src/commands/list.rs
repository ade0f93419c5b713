//! `gox list`: installed toolchains, and which one this directory selects.

use serde::Serialize;

use gox_core::installed::installed;
use gox_core::select;
use gox_installer::receipt;

use super::print_json;
use crate::cli::ListArgs;
use crate::context::Context;
use crate::error::CliError;

#[derive(Serialize)]
struct Entry {
    version: String,
    platform: String,
    path: String,
    active: bool,
    /// What no longer matches the install receipt (empty: intact).
    problems: Vec<String>,
}

pub fn run(ctx: &Context, args: &ListArgs) -> Result<(), CliError> {
    // A broken version file must not stop `gox list`; it only means nothing is active.
    let active = select::select(&ctx.env, &ctx.layout)
        .ok()
        .flatten()
        .and_then(|s| gox_shim::target_for(&s, &ctx.layout, &ctx.host).ok())
        .map(|t| t.goroot);
    let entries: Vec<Entry> = installed(&ctx.layout)
        .into_iter()
        .map(|t| Entry {
            version: t.version.to_string(),
            platform: t.platform.to_string(),
            active: active.as_ref() == Some(&t.goroot),
            path: t.goroot.display().to_string(),
            problems: receipt::problems(
                &t.goroot,
                t.version.as_str(),
                &t.platform,
                receipt::Depth::Quick,
            ),
        })
        .collect();
    if args.json {
        print_json(&entries);
        return Ok(());
    }
    if entries.is_empty() {
        ctx.status("no Go toolchains installed; try `gox install latest`");
    }
    for e in &entries {
        let mark = if e.active { "*" } else { " " };
        let foreign = if e.platform == ctx.host.platform.to_string() {
            String::new()
        } else {
            format!("  (not native here: {})", ctx.host.platform)
        };
        println!(
            "{mark} {:<12} {:<14} {}{foreign}",
            e.version, e.platform, e.path
        );
        if !e.problems.is_empty() {
            println!(
                "    damaged: {}\n    fix: gox install {} --platform {} --force",
                e.problems.join("; "),
                e.version,
                e.platform
            );
        }
    }
    Ok(())
}
