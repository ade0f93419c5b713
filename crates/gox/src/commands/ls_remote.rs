//! `gox ls-remote`: what the go.dev feed offers, newest first.

use serde::Serialize;

use gox_core::Spec;
use gox_core::installed::installed_for;
use gox_resolver::Release;

use super::print_json;
use crate::cli::LsRemoteArgs;
use crate::context::Context;
use crate::error::CliError;

#[derive(Serialize)]
struct Entry {
    version: String,
    stable: bool,
    platforms: Vec<String>,
}

pub async fn run(ctx: &Context, args: &LsRemoteArgs) -> Result<(), CliError> {
    let filter = args.prefix.as_deref().map(Spec::parse).transpose()?;
    let client = ctx.feed_client(&args.source)?;
    let loaded = ctx.load_feed(&client, &args.source).await?;
    let shown: Vec<&Release> = loaded
        .feed
        .releases()
        .iter()
        .filter(|r| args.all || r.version.is_stable())
        .filter(|r| filter.as_ref().is_none_or(|f| within(f, r, args.all)))
        .collect();
    if args.json {
        let entries: Vec<Entry> = shown
            .iter()
            .map(|r| Entry {
                version: r.version.to_string(),
                stable: r.is_stable(),
                platforms: r.platforms().iter().map(ToString::to_string).collect(),
            })
            .collect();
        print_json(&entries);
        return Ok(());
    }
    let here = installed_for(&ctx.layout, &ctx.host.platform);
    for r in shown {
        let mark = if here.iter().any(|t| t.version == r.version) {
            "  (installed)"
        } else {
            ""
        };
        println!("{}{mark}", r.version);
    }
    Ok(())
}

/// A PREFIX filter lists the whole line it names (`1.22` → every 1.22.x, and its
/// pre-releases with `--all`), unlike an install spec, which picks one version.
fn within(filter: &Spec, release: &Release, all: bool) -> bool {
    match filter {
        Spec::Prefix { major, minor } => {
            release.version.major() == major
                && minor.as_ref().is_none_or(|m| release.version.minor() == m)
                && (all || release.version.is_stable())
        }
        other => other.matches(&release.version),
    }
}
