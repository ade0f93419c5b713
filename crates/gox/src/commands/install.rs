//! `gox install`: resolve specs against the feed, then hand each archive to the installer.

use std::path::Path;

use gox_core::select::{self, Resolved};
use gox_core::{Platform, Spec, Version};
use gox_installer::install::parse_archive_name;
use gox_installer::{Checksum, Installer, Origin, Outcome, Request};
use gox_resolver::{FeedClient, Loaded};
use gox_verifier::hash::normalize_sha256;

use crate::cli::InstallArgs;
use crate::commands::install_proxy;
use crate::context::Context;
use crate::error::CliError;

pub async fn run(ctx: &Context, args: InstallArgs) -> Result<(), CliError> {
    let user_sha = args
        .sha256
        .as_deref()
        .map(|s| {
            normalize_sha256(s).ok_or_else(|| {
                CliError::Usage(format!(
                    "--sha256 {s:?} is not a SHA-256 (64 hexadecimal digits)"
                ))
            })
        })
        .transpose()?;
    let client = ctx.feed_client(&args.source)?;
    let installer = ctx.installer()?;
    if let Some(archive) = &args.archive {
        return install_archive(ctx, &args, &installer, &client, archive, user_sha).await;
    }
    let platform = ctx.target_platform(args.platform.as_deref())?;
    let source = ctx.toolchain_source(args.toolchain_source.as_deref())?;
    let source = source.as_str();
    if args.insecure_skip_sumdb && source == "feed" {
        return Err(CliError::Usage(
            "--insecure-skip-sumdb only applies to --source proxy".into(),
        ));
    }
    let specs = if args.specs.is_empty() {
        vec![selected_spec(ctx, &platform)?]
    } else {
        args.specs
            .iter()
            .map(|s| Spec::parse(s))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut feed: Option<Loaded> = None;
    for spec in specs {
        if let Spec::Exact(v) = &spec {
            // Installed already: answer without touching the network (works offline).
            if !args.force && ctx.layout.toolchain(v, &platform).is_dir() {
                report(
                    ctx,
                    v,
                    &platform,
                    Outcome::AlreadyInstalled {
                        goroot: ctx.layout.toolchain(v, &platform),
                    },
                );
                continue;
            }
        }
        if source == "proxy" {
            install_proxy::install(ctx, &args, &installer, &spec, &platform).await?;
            continue;
        }
        if feed.is_none() {
            match ctx.load_feed(&client, &args.source).await {
                Ok(loaded) => feed = Some(loaded),
                // `auto`: a company proxy is the way out when go.dev is unreachable.
                Err(e) if source == "auto" && install_proxy::settings(ctx)?.is_custom() => {
                    ctx.status(format!(
                        "the go.dev feed is unavailable ({e}); using GOPROXY (source auto)"
                    ));
                    install_proxy::install(ctx, &args, &installer, &spec, &platform).await?;
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        let loaded = feed.as_ref().expect("loaded above");
        let release = loaded.feed.resolve(&spec).ok_or_else(|| {
            CliError::Other(format!(
                "no Go release matches `{spec}` in the feed {}; see `gox ls-remote --all`",
                client.sources().feed_url()
            ))
        })?;
        let file = release.artifact(&platform)?;
        let checksum = match (file.sha256(), &user_sha) {
            (Some(feed_sha), Some(user)) if feed_sha != user => {
                return Err(CliError::Usage(format!(
                    "--sha256 {user} disagrees with the feed ({feed_sha} for {}); drop --sha256 to trust the feed",
                    file.filename()
                )));
            }
            (Some(feed_sha), _) => Some(Checksum {
                sha256: feed_sha.to_string(),
                origin: format!("published in the feed {}", client.sources().feed_url()),
            }),
            (None, Some(user)) => Some(Checksum {
                sha256: user.clone(),
                origin: "given with --sha256".to_string(),
            }),
            (None, None) => None,
        };
        let request = Request {
            version: release.version.clone(),
            platform: platform.clone(),
            origin: Origin::Remote {
                urls: client.sources().download_urls(file),
                filename: file.filename().to_string(),
            },
            checksum,
            force: args.force,
        };
        let outcome = installer
            .install(&request, || waiting(ctx, &request))
            .await?;
        let fresh = matches!(outcome, Outcome::Installed(_));
        report(ctx, &request.version, &platform, outcome);
        if fresh {
            super::tools::install_default_tools(ctx, &request.version, &platform);
        }
    }
    Ok(())
}

/// `gox install` with no SPEC installs what this directory selects.
fn selected_spec(ctx: &Context, platform: &Platform) -> Result<Spec, CliError> {
    let selection = select::select(&ctx.env, &ctx.layout)
        .map_err(|e| CliError::Other(e.to_string()))?
        .ok_or_else(|| {
            CliError::Usage(format!(
                "nothing selects a Go version in {} (no GOX_VERSION, .go-version, .tool-versions, go.mod or default); \
                 name one: gox install 1.22.10",
                ctx.env.cwd().display()
            ))
        })?;
    ctx.status(format!(
        "{} selects {}",
        selection.source.describe(),
        selection.raw
    ));
    gox_core::projects::record_selection(&ctx.layout, &selection);
    Ok(
        match select::resolve_for(&selection, &ctx.layout, platform) {
            Resolved::Version(v) => Spec::Exact(v),
            Resolved::Missing(spec) => spec,
        },
    )
}

/// `--archive FILE`: version and platform from the SPEC/--platform or the file name,
/// checksum from --sha256 or, when the feed knows this file, from the feed.
async fn install_archive(
    ctx: &Context,
    args: &InstallArgs,
    installer: &Installer<'_>,
    client: &FeedClient,
    archive: &Path,
    user_sha: Option<String>,
) -> Result<(), CliError> {
    // First, so that a mistyped path is named as such (not as a name without a version).
    if !archive.is_file() {
        return Err(CliError::Usage(format!(
            "--archive {}: no such file",
            archive.display()
        )));
    }
    let filename = archive
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let from_name = parse_archive_name(filename);
    let version = match args.specs.as_slice() {
        [] => from_name.as_ref().map(|(v, _)| v.clone()).ok_or_else(|| {
            CliError::Usage(format!(
                "cannot tell the Go version from {filename:?}; name it: gox install 1.22.10 --archive {}",
                archive.display()
            ))
        })?,
        [one] => Version::parse(one)?,
        _ => return Err(CliError::Usage("--archive installs one version; give at most one SPEC".into())),
    };
    let platform = match (&args.platform, &from_name) {
        (Some(p), _) => p.parse()?,
        (None, Some((_, p))) => p.clone(),
        (None, None) => ctx.host.platform.clone(),
    };
    // The feed's checksum is for the release being installed, whatever the file is called:
    // `gox install 1.22.10 --archive go1.21.13…` must not pass as 1.21.13's bytes.
    let published = feed_checksum(ctx, args, client, &version, &platform).await;
    let checksum = match (user_sha, published) {
        (Some(given), Some((file, published)))
            if !given.eq_ignore_ascii_case(&published.sha256) =>
        {
            return Err(CliError::Other(format!(
                "--sha256 {given} contradicts the checksum {} publishes for {file} ({}): \
                 nothing was installed; Go {version} is only installed as the feed publishes it.\n\
                 fix: drop --sha256 to check {} against the feed",
                client.sources().feed_url(),
                published.sha256,
                archive.display(),
            )));
        }
        (Some(sha256), _) => Some(Checksum {
            sha256,
            origin: "given with --sha256".to_string(),
        }),
        (None, published) => published.map(|(_, checksum)| checksum),
    };
    let request = Request {
        version: version.clone(),
        platform: platform.clone(),
        origin: Origin::Local {
            path: archive.to_path_buf(),
        },
        checksum,
        force: args.force,
    };
    let outcome = installer
        .install(&request, || waiting(ctx, &request))
        .await?;
    report(ctx, &version, &platform, outcome);
    Ok(())
}

/// The feed's archive name and checksum for `version` on `platform`, if the feed can be had
/// (cache first) and lists them.
async fn feed_checksum(
    ctx: &Context,
    args: &InstallArgs,
    client: &FeedClient,
    version: &Version,
    platform: &Platform,
) -> Option<(String, Checksum)> {
    let loaded = ctx.load_feed(client, &args.source).await.ok()?;
    let file = loaded
        .feed
        .releases()
        .iter()
        .find(|r| &r.version == version)?
        .artifact(platform)
        .ok()?;
    let checksum = Checksum {
        sha256: file.sha256()?.to_string(),
        origin: format!("published in the feed {}", client.sources().feed_url()),
    };
    Some((file.filename().to_string(), checksum))
}

fn waiting(ctx: &Context, request: &Request) {
    ctx.status(format!(
        "waiting for another gox that is installing go{} ({})…",
        request.version, request.platform
    ));
}

pub(crate) fn report(ctx: &Context, version: &Version, platform: &Platform, outcome: Outcome) {
    match outcome {
        Outcome::AlreadyInstalled { goroot } => ctx.status(format!(
            "go{version} ({platform}) is already installed at {} (use --force to reinstall)",
            goroot.display()
        )),
        Outcome::Installed(done) => {
            let cached = if done.from_cache {
                ", from the download cache"
            } else {
                ""
            };
            ctx.status(format!(
                "installed go{version} ({platform}) at {}: sha256 {}…, {} files, {} binaries verified{cached}",
                done.goroot.display(),
                &done.sha256[..12],
                done.files,
                done.report.checked
            ));
        }
    }
}
