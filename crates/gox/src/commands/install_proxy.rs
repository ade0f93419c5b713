//! `gox install --source proxy`: the toolchain as the module `golang.org/toolchain`, looked
//! up in the checksum database first (a refusal costs no download), fetched through the
//! GOPROXY list, hashed, compared, then installed like any archive. `direct` (and a
//! GONOPROXY/GOPRIVATE match) is the module proxy golang.org/toolchain's go-import tag
//! names. The rules live in gox-resolver (`goproxy`, `direct`), gox-sumdb and
//! gox-installer; this file sequences them.

use gox_core::{Platform, Spec, Version};
use gox_installer::download;
use gox_installer::{Checksum, InstallError, Installer, ModuleProvenance, Origin, Request};
use gox_resolver::ResolveError;
use gox_resolver::direct::{Via, lookup_direct};
use gox_resolver::goproxy::{
    GoEnv, ProxyEntry, ProxySettings, entry_refusal, falls_through, lookup_toolchain,
};
use gox_sumdb::{SumdbError, TOOLCHAIN_MODULE};

use crate::cli::InstallArgs;
use crate::context::Context;
use crate::error::CliError;

/// The proxy settings from the environment and Go's env file.
pub fn settings(ctx: &Context) -> Result<ProxySettings, CliError> {
    Ok(ProxySettings::from_go_env(&GoEnv::load(&ctx.env, None))?)
}

pub async fn install(
    ctx: &Context,
    args: &InstallArgs,
    installer: &Installer<'_>,
    spec: &Spec,
    platform: &Platform,
) -> Result<(), CliError> {
    let Spec::Exact(version) = spec else {
        return Err(CliError::Usage(format!(
            "`{spec}`: the proxy source (--source proxy, GOX_SOURCE, or `auto` when the feed \
             is unreachable) needs an exact version like 1.22.10: a module proxy has no release \
             feed to resolve `{spec}` against"
        )));
    };
    let settings = settings(ctx)?;
    // `off` first: nothing will serve the zip, so the checksum database is not asked either.
    if let Some(refusal) = settings
        .proxies
        .first()
        .and_then(|p| entry_refusal(&p.entry))
    {
        return Err(CliError::Other(refusal));
    }
    let module_version =
        gox_sumdb::toolchain_module_version(version.as_str(), platform.os(), platform.arch());
    let module = format!("{TOOLCHAIN_MODULE}@{module_version}");
    let skip = args.insecure_skip_sumdb;

    // 1. The checksum database vouches for an h1 before anything is downloaded.
    let (expected, sumdb, tree_size) = match (&settings.database, skip) {
        (_, true) => {
            eprintln!(
                "gox: WARNING: --insecure-skip-sumdb: {module} will NOT be checked against the \
                 checksum database; whatever the proxy serves gets installed. The receipt records this."
            );
            (None, None, None)
        }
        (None, false) => return Err(ResolveError::Sumdb(SumdbError::Disabled).into()),
        (Some(db), false) => {
            ctx.status(format!(
                "looking up {module} in the checksum database {}",
                db.name
            ));
            let (verified, route) = lookup_toolchain(
                concat!("gox/", env!("CARGO_PKG_VERSION")).to_string(),
                ctx.env.clone(),
                settings.clone(),
                db.clone(),
                ctx.layout.sumdb_state(&db.name),
                module_version.clone(),
                installer.retry,
            )
            .await?;
            let h1 = verified
                .zip_hash(TOOLCHAIN_MODULE, &module_version)
                .ok_or_else(|| {
                    CliError::Other(format!(
                        "the checksum database {} returned a record for {module} without its zip hash ({})",
                        db.name, route.base
                    ))
                })?
                .to_string();
            (Some(h1), Some(db.name.clone()), Some(verified.tree_size))
        }
    };

    // 2. The zip, through the GOPROXY list.
    let downloads = ctx.layout.downloads();
    std::fs::create_dir_all(&downloads).map_err(|e| InstallError::io("create", &downloads, e))?;
    // A private directory: the zip and its resume metadata go away together, whatever happens.
    let scratch = tempfile::Builder::new()
        .prefix(&format!(".{module_version}."))
        .tempdir_in(&downloads)
        .map_err(|e| InstallError::io("create a directory in", &downloads, e))?;
    let part_path = scratch.path().join(format!("{module_version}.zip.part"));
    let label = format!("{} {platform} (proxy)", version.go_name());
    let mut last_error: Option<CliError> = None;
    let mut served = None;
    for spec in &settings.proxies {
        // `direct`: the go-get page whose tag named `proxy`.
        let (proxy, direct) = match &spec.entry {
            ProxyEntry::Url(url) => (url.clone(), None),
            ProxyEntry::Direct | ProxyEntry::NoProxy => {
                let via = if spec.entry == ProxyEntry::Direct {
                    Via::Goproxy
                } else {
                    Via::NoProxy
                };
                ctx.status(format!(
                    "looking up {TOOLCHAIN_MODULE}'s go-import tag (direct)"
                ));
                match lookup_direct(
                    &installer.client,
                    &installer.retry,
                    TOOLCHAIN_MODULE,
                    via,
                    settings.insecure_matched,
                )
                .await
                {
                    Ok(route) => (route.proxy, Some(route.page)),
                    Err(e) => {
                        let e = CliError::from(ResolveError::Direct(Box::new(e)));
                        last_error = Some(then(last_error.take(), e));
                        break;
                    }
                }
            }
            ProxyEntry::Off => {
                // `off` ends the list: the proxies after it are not asked.
                let refusal = CliError::Other(entry_refusal(&spec.entry).unwrap_or_default());
                return Err(then(last_error.take(), refusal));
            }
        };
        let url = ProxySettings::zip_url(&proxy, &module_version);
        // Each proxy starts from nothing: bytes from another proxy are not a prefix of these.
        let _ = std::fs::remove_file(&part_path);
        let _ = std::fs::remove_file(download::meta_path(&part_path));
        ctx.status(format!("downloading {url}"));
        let urls = [url.clone()];
        let request = download::Download {
            client: &installer.client,
            urls: &urls,
            part: &part_path,
            policy: installer.retry,
            progress: installer.progress,
            label: &label,
        };
        match download::fetch(&request, &mut download::Discard).await {
            Ok(transfer) => {
                served = Some((proxy, url, transfer));
                break;
            }
            Err(e) => {
                // cmd/go's rule: `,` falls through only when the proxy says 404/410.
                let not_found = matches!(
                    &e,
                    InstallError::Download { failures, .. }
                        if failures.last().is_some_and(|g| g.last.is_not_found())
                );
                // After `direct` nothing may serve it: `direct` ends GOPROXY, and after a
                // GONOPROXY match no proxy may (cmd/go reports direct's error).
                let go_on = falls_through(spec, not_found) && direct.is_none();
                let e = match e {
                    // The installer's words are about feed mirrors (--mirror, GOX_MIRROR).
                    InstallError::Download { failures, .. } => proxy_download_failed(&failures),
                    other => other.into(),
                };
                last_error = Some(match &direct {
                    Some(page) => then(
                        last_error.take(),
                        CliError::Other(format!(
                            "`direct`: the go-import tag at {page} names the module proxy \
                             {proxy}, which failed: {e}"
                        )),
                    ),
                    None => e,
                });
                if !go_on {
                    break;
                }
            }
        }
    }
    let Some((proxy, url, transfer)) = served else {
        return Err(last_error.unwrap_or_else(|| {
            CliError::Other(format!("GOPROXY={} has no proxy to try", settings.goproxy))
        }));
    };

    // 3. The zip must hash to what the database signed.
    let h1 = gox_sumdb::hash_zip_file(&part_path).map_err(ResolveError::Sumdb)?;
    if let (Some(expected), Some(name)) = (&expected, &sumdb)
        && *expected != h1
    {
        return Err(
            ResolveError::Sumdb(SumdbError::Mismatch(Box::new(gox_sumdb::Mismatch {
                name: name.clone(),
                module: TOOLCHAIN_MODULE.to_string(),
                version: module_version.clone(),
                expected: expected.clone(),
                actual: h1,
                source_url: url,
            })))
            .into(),
        );
    }

    // 4. Install like any archive: staging, binary verification, receipt, atomic rename.
    let request = Request {
        version: version.clone(),
        platform: platform.clone(),
        origin: Origin::ModuleZip {
            path: part_path.clone(),
            prefix: gox_sumdb::toolchain_zip_prefix(&module_version),
            provenance: Box::new(ModuleProvenance {
                module: module.clone(),
                proxy,
                h1: h1.clone(),
                sumdb,
                tree_size,
                insecure_skip_sumdb: skip,
            }),
        },
        checksum: Some(Checksum {
            sha256: transfer.sha256,
            origin: format!("the zip whose h1 {h1} was checked"),
        }),
        force: args.force,
    };
    let outcome = installer.install(&request, || {}).await?;
    drop(scratch);
    super::install::report(ctx, version_of(&request), platform, outcome);
    Ok(())
}

fn version_of(r: &Request) -> &Version {
    &r.version
}

/// An earlier entry's failure, then this one's: a fall-through keeps both.
fn then(earlier: Option<CliError>, error: CliError) -> CliError {
    match earlier {
        Some(earlier) => CliError::Other(format!("{earlier}\nthen: {error}")),
        None => error,
    }
}

/// Every proxy tried failed to serve the zip (or one failed in a way that stops the list).
fn proxy_download_failed(failures: &[gox_resolver::retry::GaveUp]) -> CliError {
    let mut text = gox_resolver::retry::failure_list(failures);
    text.push_str(
        "\ncheck GOPROXY (`,` moves to the next proxy only after a 404/410, `|` after any \
         error) and the network (HTTPS_PROXY, NO_PROXY); on a flaky connection raise \
         GOX_RETRIES or GOX_DEADLINE; or install from the feed with --source feed\n\
         nothing was installed",
    );
    CliError::Other(text)
}
