//! `gox mirror sync`: resolve the specs × platforms against the feed, then let the
//! installer fetch, verify and write the mirror tree.

use gox_core::{Platform, Spec};
use gox_installer::mirror::{MirrorFile, SyncOptions};

use crate::cli::MirrorSyncArgs;
use crate::context::Context;
use crate::error::CliError;

pub async fn sync(ctx: &Context, args: MirrorSyncArgs) -> Result<(), CliError> {
    // Ctrl-C / SIGTERM: the sync unwinds, its staging directory removed, exit 130/143.
    crate::signals::stop_installs_cleanly();
    let specs = args
        .versions
        .iter()
        .map(|s| Spec::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let platforms = args
        .platforms
        .iter()
        .map(|p| p.parse::<Platform>())
        .collect::<Result<Vec<_>, _>>()?;
    let client = ctx.feed_client(&args.source)?;
    let loaded = ctx.load_feed(&client, &args.source).await?;
    let feed_url = client.sources().feed_url().to_string();
    let mut files: Vec<MirrorFile> = Vec::new();
    for spec in &specs {
        let release = loaded.feed.resolve(spec).ok_or_else(|| {
            CliError::Other(format!(
                "no Go release matches `{spec}` in the feed {feed_url}; see `gox ls-remote --all`"
            ))
        })?;
        for platform in &platforms {
            let file = release.artifact(platform)?;
            let sha256 = file.sha256().ok_or_else(|| {
                CliError::Other(format!(
                    "{} has no SHA-256 in the feed {feed_url}; gox mirrors only verified archives",
                    file.filename()
                ))
            })?;
            if files.iter().any(|f| f.filename == file.filename()) {
                continue;
            }
            files.push(MirrorFile {
                version: release.version.clone(),
                stable: release.stable,
                platform: platform.clone(),
                filename: file.filename().to_string(),
                urls: client.sources().download_urls(file),
                sha256: sha256.to_string(),
                checksum_origin: format!("published in the feed {feed_url}"),
                size: file.size(),
            });
        }
    }
    let installer = ctx.installer()?;
    let options = SyncOptions {
        goproxy: args.goproxy,
        prune: args.prune,
    };
    let report = installer.mirror_sync(&args.dir, &files, options).await?;
    for name in &report.fetched {
        ctx.status(format!("fetched and verified {name}"));
    }
    for name in &report.kept {
        ctx.status(format!("up to date: {name}"));
    }
    for name in &report.modules {
        if report.repaired.contains(name) {
            ctx.status(format!(
                "rewrote {name}: the copy in the mirror was damaged (it did not hash to the h1: of the archive's module form)"
            ));
        } else {
            ctx.status(format!("wrote {name}"));
        }
    }
    for name in &report.removed {
        ctx.status(format!("removed {name}"));
    }
    let repaired = match report.repaired.len() {
        0 => String::new(),
        n => format!(", {n} damaged module zip(s) rewritten"),
    };
    ctx.status(format!(
        "{}: {} archives ({} fetched{repaired}), feed {}",
        args.dir.display(),
        files.len(),
        report.fetched.len(),
        args.dir.join(gox_installer::mirror::FEED_FILE).display()
    ));
    Ok(())
}
