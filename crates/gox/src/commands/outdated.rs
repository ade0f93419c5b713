//! `gox outdated` and `gox upgrade`: compare installed release lines with the feed
//! ([`gox_core::outdated`] decides), and install newer patches through `gox install`.

use gox_core::installed::installed_for;
use gox_core::outdated::{self, Line};
use gox_core::{Version, projects};
use gox_installer::prune;

use super::prune as prune_cmd;
use super::{install, print_json, use_version};
use crate::cli::{InstallArgs, OutdatedArgs, SourceArgs, UpgradeArgs};
use crate::context::Context;
use crate::error::CliError;

/// Every installed line of this machine's platform, against the feed's stable releases
/// that have an archive for it.
async fn lines(ctx: &Context, source: &SourceArgs) -> Result<Vec<Line>, CliError> {
    let platform = &ctx.host.platform;
    let installed: Vec<Version> = installed_for(&ctx.layout, platform)
        .into_iter()
        .map(|t| t.version)
        .collect();
    let client = ctx.feed_client(source)?;
    let loaded = ctx.load_feed(&client, source).await?;
    let available: Vec<Version> = loaded
        .feed
        .releases()
        .iter()
        .filter(|r| r.is_stable() && r.artifact(platform).is_ok())
        .map(|r| r.version.clone())
        .collect();
    Ok(outdated::lines(&installed, &available))
}

pub async fn outdated(ctx: &Context, args: &OutdatedArgs) -> Result<(), CliError> {
    let all = lines(ctx, &args.source).await?;
    let shown = outdated::outdated(&all);
    if args.json {
        print_json(&shown);
        return Ok(());
    }
    if shown.is_empty() {
        ctx.status(match all.len() {
            0 => format!("no Go installed for {}", ctx.host.platform),
            n => format!("all {n} installed release line(s) are up to date and supported"),
        });
        return Ok(());
    }
    println!(
        "{:<6}  {:<10}  {:<10}  SUPPORT",
        "LINE", "INSTALLED", "LATEST"
    );
    for line in &shown {
        let support = if line.supported {
            "supported"
        } else {
            "unsupported: no more security fixes"
        };
        println!(
            "{:<6}  {:<10}  {:<10}  {support}",
            line.line,
            line.installed.as_str(),
            line.latest.as_str()
        );
    }
    if shown.iter().any(|l| l.has_update()) {
        ctx.status("fix: gox upgrade   (or gox upgrade LINE)");
    }
    Ok(())
}

pub async fn upgrade(ctx: &Context, args: UpgradeArgs) -> Result<(), CliError> {
    let all = lines(ctx, &args.source).await?;
    let mut chosen: Vec<&Line> = Vec::new();
    for wanted in &args.lines {
        let lang = Version::parse(wanted)?.lang();
        let line = all.iter().find(|l| l.line == lang).ok_or_else(|| {
            CliError::Usage(format!(
                "no Go {lang}.x is installed for {}; install it instead: gox install {lang}",
                ctx.host.platform
            ))
        })?;
        chosen.push(line);
    }
    if args.lines.is_empty() {
        chosen = all.iter().collect();
    }
    let upgrades: Vec<&Line> = chosen.iter().copied().filter(|l| l.has_update()).collect();
    if upgrades.is_empty() {
        ctx.status("nothing to upgrade: every installed patch is the newest in the feed");
    }
    for line in &upgrades {
        ctx.status(format!(
            "upgrading {}: {} -> {}",
            line.line, line.installed, line.latest
        ));
        install::run(
            ctx,
            InstallArgs::one(
                line.latest.to_string(),
                SourceArgs {
                    mirror: args.source.mirror.clone(),
                    offline: args.source.offline,
                    refresh: false,
                },
            ),
        )
        .await?;
        move_default(ctx, &line.latest)?;
        if args.pins {
            move_project_pins(ctx, &line.latest)?;
        }
    }
    if args.prune {
        // Every chosen line now has its `latest` installed; older patches are superseded.
        prune_superseded(ctx, &chosen)?;
    }
    Ok(())
}

/// `--pins`: exact pins of an older patch in the recorded projects' `.go-version` files.
fn move_project_pins(ctx: &Context, latest: &Version) -> Result<(), CliError> {
    let dirs = projects::load_live(&ctx.layout).map_err(|e| CliError::Other(e.to_string()))?;
    for dir in dirs {
        let path = dir.join(".go-version");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some(new) = outdated::rewrite_go_version(&text, latest) {
            use_version::write_atomically(&path, &new)?;
            ctx.status(format!("pinned {} to {latest}", path.display()));
        }
    }
    Ok(())
}

/// `--prune`: the older patches of `lines` that prune's rules leave unused.
fn prune_superseded(ctx: &Context, lines: &[&Line]) -> Result<(), CliError> {
    let mut plan =
        prune::plan(&ctx.env, &ctx.layout, false).map_err(|e| CliError::Other(e.to_string()))?;
    for warning in &plan.warnings {
        gox_core::say!("gox: warning: {warning}");
    }
    let superseded = |v: &Version| {
        lines
            .iter()
            .any(|l| v.same_lang(&l.latest) && *v < l.latest)
    };
    // Upgrades install for this machine only: another platform's old patch has no
    // successor installed.
    let host = &ctx.host.platform;
    plan.remove
        .retain(|d| d.toolchain.platform == *host && superseded(&d.toolchain.version));
    for (t, why) in &plan.keep {
        if t.platform == *host && superseded(&t.version) && !why.is_empty() {
            ctx.status(format!(
                "kept {}: still selected by {}",
                prune_cmd::label(t),
                prune_cmd::reasons(why)
            ));
        }
    }
    let report = prune::apply(&ctx.layout, &plan, false);
    for line in prune_cmd::removal_lines(&report.removed, &[]) {
        ctx.status(format!("removed {line}"));
    }
    for (t, e) in &report.refused {
        gox_core::say!("gox: warning: {}", prune_cmd::refusal("kept", t, e));
    }
    Ok(())
}

/// An exact global default of an older patch of the line follows the upgrade.
fn move_default(ctx: &Context, latest: &Version) -> Result<(), CliError> {
    let path = ctx.layout.default_file();
    let Ok(pin) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    if let Some(new) = outdated::moved_pin(&pin, latest) {
        use_version::write_atomically(&path, &format!("{new}\n"))?;
        ctx.status(format!(
            "the global default moved from {} to {new} ({})",
            pin.trim(),
            path.display()
        ));
    }
    Ok(())
}
