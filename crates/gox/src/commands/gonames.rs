//! Applies [`gox_core::gonames`] after `setup`, `install`, `use` and `uninstall`: the
//! `goX.Y.Z` entries in the shims dir and, with `sdk_links`, the `~/sdk/goX.Y.Z` links.
//! Best effort after install/uninstall: a problem is a warning, never a failed install.

use std::path::{Path, PathBuf};

use gox_core::gonames::{self, SDK_MARKER, SdkEntry};
use gox_core::installed;
use gox_installer::shims::is_gox_shim;

use super::setup;
use crate::context::Context;

/// What changed, one line each, for `gox setup` to print.
#[derive(Debug, Default)]
pub struct Report {
    pub done: Vec<String>,
    pub problems: Vec<String>,
}

/// Brings both sets of names in step with `toolchains/`. Shim names only once `gox setup`
/// made the shims dir (its `go` exists); `~/sdk` only with `sdk_links` (or `force_sdk`).
pub fn sync(ctx: &Context, force_sdk: bool) -> Report {
    let mut report = Report::default();
    let installed = installed::installed(&ctx.layout);
    let shims = ctx.layout.shims();
    let exe = std::env::consts::EXE_SUFFIX;
    if shims.join(format!("go{exe}")).exists() {
        sync_shims(ctx, &shims, &installed, exe, &mut report);
    }
    if ctx.config.sdk_links || force_sdk {
        match sdk_dir(ctx) {
            Some(sdk) => sync_sdk(ctx, &sdk, &installed, &mut report),
            None => report
                .problems
                .push("sdk_links: HOME is not set, so there is no ~/sdk to keep".to_string()),
        }
    }
    report
}

/// For install/use/uninstall: apply and warn.
pub fn sync_quietly(ctx: &Context) {
    for problem in sync(ctx, false).problems {
        gox_core::say!("gox: warning: {problem}");
    }
}

fn sync_shims(
    ctx: &Context,
    shims: &Path,
    installed: &[installed::Toolchain],
    exe: &str,
    report: &mut Report,
) {
    let existing = names_in(shims);
    let changes = gonames::plan_shims(installed, &ctx.host.platform, &existing, exe);
    let shim = setup::shim_binary();
    // Only gox's own shims are removed or replaced: a user's `go1.99.0` script in the shims
    // dir has a shim's name but is theirs. (Without a gox-shim next to gox, a shim is still
    // told by its content.)
    let installed_shim = shim.as_ref().map_or_else(|_| PathBuf::new(), Clone::clone);
    let ours = |path: &Path| is_gox_shim(path, &installed_shim, exe);
    for name in &changes.remove {
        let path = shims.join(name);
        if !ours(&path) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => report.done.push(format!("removed {}", path.display())),
            Err(e) => report
                .problems
                .push(format!("cannot remove {}: {e}", path.display())),
        }
    }
    let shim = match shim {
        Ok(shim) => shim,
        Err(e) => {
            report.problems.push(e.to_string());
            return;
        }
    };
    // New names, plus existing ones left behind by an older gox-shim.
    let mut stale = Vec::new();
    for name in &existing {
        let path = shims.join(name);
        if gonames::parse_version_name(name).is_none()
            || changes.remove.contains(name)
            || setup::same_binary(&shim, &path)
        {
            continue;
        }
        if ours(&path) {
            stale.push(name);
        } else {
            report.problems.push(format!(
                "kept {}: it is not a gox shim, so `{name}` runs it rather than that Go version; remove it, then run `gox setup`",
                path.display()
            ));
        }
    }
    for name in changes.add.iter().chain(stale) {
        let dest = shims.join(name);
        match setup::place(&shim, &dest) {
            Ok(how) => {
                report
                    .done
                    .push(format!("{} -> {} ({how})", dest.display(), shim.display()))
            }
            Err(e) => report.problems.push(e.to_string()),
        }
    }
}

/// `~/sdk`, where golang.org/dl keeps its SDKs (None without HOME).
fn sdk_dir(ctx: &Context) -> Option<PathBuf> {
    ctx.env.home().map(|home| home.join("sdk"))
}

/// The `goX.Y.Z` entries of `~/sdk`, with where each link points.
fn sdk_entries(sdk: &Path) -> Vec<SdkEntry> {
    names_in(sdk)
        .into_iter()
        .filter(|n| gonames::parse_version_name(n).is_some())
        .map(|name| SdkEntry {
            link_target: link_target(&sdk.join(&name)),
            name,
        })
        .collect()
}

/// The `~/sdk` links gox made (those into its toolchains dir), whatever `sdk_links` says
/// now: what `gox self uninstall --all` removes with the toolchains they point to.
pub fn own_sdk_links(ctx: &Context) -> Vec<PathBuf> {
    let Some(sdk) = sdk_dir(ctx) else {
        return Vec::new();
    };
    // With nothing installed, every link of ours is one to remove.
    let changes = gonames::plan_sdk(
        &[],
        &ctx.host.platform,
        &sdk_entries(&sdk),
        &ctx.layout.toolchains(),
    );
    changes.remove.iter().map(|name| sdk.join(name)).collect()
}

fn sync_sdk(ctx: &Context, sdk: &Path, installed: &[installed::Toolchain], report: &mut Report) {
    let changes = gonames::plan_sdk(
        installed,
        &ctx.host.platform,
        &sdk_entries(sdk),
        &ctx.layout.toolchains(),
    );
    for name in &changes.remove {
        let path = sdk.join(name);
        match remove_link(&path) {
            Ok(()) => report.done.push(format!("removed {}", path.display())),
            Err(e) => report.problems.push(format!(
                "cannot remove {}: {e}; its toolchain is no longer installed for this machine; remove the link by hand: rm {}",
                path.display(),
                path.display()
            )),
        }
    }
    if !changes.add.is_empty()
        && let Err(e) = std::fs::create_dir_all(sdk)
    {
        report.problems.push(format!(
            "cannot create {}: {e}; fix the directory, then run `gox setup --sdk`",
            sdk.display()
        ));
        return;
    }
    for (name, goroot) in &changes.add {
        match add_link(sdk, name, goroot) {
            Ok(link) => report
                .done
                .push(format!("{} -> {}", link.display(), goroot.display())),
            Err(e) => report.problems.push(e),
        }
    }
    // Every link of ours has its marker, the ones already there too: `install --force`
    // replaced the tree (marker and all) behind an unchanged link.
    for (name, goroot) in gonames::sdk_links(installed, &ctx.host.platform) {
        let link = sdk.join(&name);
        if link_target(&link).is_some_and(|to| to == goroot)
            && let Err(e) = ensure_marker(&link, &goroot)
        {
            report.problems.push(e);
        }
    }
}

/// golang.org/dl checks for its marker inside `~/sdk/goX.Y.Z`, which here is the toolchain
/// dir itself (the install receipt does not count it: see `gox_installer::receipt`).
fn ensure_marker(link: &Path, goroot: &Path) -> Result<(), String> {
    let marker = goroot.join(SDK_MARKER);
    if std::fs::symlink_metadata(&marker).is_ok() {
        return Ok(());
    }
    std::fs::write(&marker, b"").map_err(|e| {
        format!(
            "cannot write {}: {e}; without it golang.org/dl and editors do not take {} for a complete SDK; make {} writable, then run `gox setup --sdk`",
            marker.display(),
            link.display(),
            goroot.display()
        )
    })
}

/// The link is swapped in by rename so readers never see a missing SDK; its marker is
/// written first.
fn add_link(sdk: &Path, name: &str, goroot: &Path) -> Result<PathBuf, String> {
    let link = sdk.join(name);
    ensure_marker(&link, goroot)?;
    let tmp = sdk.join(format!(".{name}.gox-new"));
    let _ = remove_link(&tmp);
    symlink_dir(goroot, &tmp).map_err(|e| {
        format!(
            "cannot create {}: {e}; fix {}, then run `gox setup --sdk`",
            tmp.display(),
            sdk.display()
        )
    })?;
    if let Err(e) = std::fs::rename(&tmp, &link) {
        let _ = remove_link(&tmp);
        return Err(format!(
            "cannot create {}: {e}; fix {}, then run `gox setup --sdk`",
            link.display(),
            sdk.display()
        ));
    }
    Ok(link)
}

/// File names in a directory (empty when it does not exist).
fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// A directory symlink, or where Windows refuses one a junction. Symlinks need Developer
/// Mode or an elevated prompt (ERROR_PRIVILEGE_NOT_HELD otherwise); junctions need
/// neither, and golang.org/dl, editors and Go follow both. A symlink is still tried first:
/// a junction cannot point at a network share, where GOX_HOME may be.
#[cfg(windows)]
fn symlink_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    const ERROR_PRIVILEGE_NOT_HELD: i32 = 1314;
    std::os::windows::fs::symlink_dir(target, link).or_else(|e| {
        if e.raw_os_error() == Some(ERROR_PRIVILEGE_NOT_HELD) {
            junction::create(target, link)
        } else {
            Err(e)
        }
    })
}

/// Where the link at `path` points, spelled as gox wrote it: a Windows junction reads back
/// as `\\?\C:\…`, which would not compare equal to the toolchain's path.
fn link_target(path: &Path) -> Option<PathBuf> {
    std::fs::read_link(path)
        .ok()
        .map(|to| dunce::simplified(&to).to_path_buf())
}

/// Removes the link only, never what it points to (a directory symlink on Windows is
/// removed as a directory).
fn remove_link(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if cfg!(windows) && e.kind() != std::io::ErrorKind::NotFound => {
            std::fs::remove_dir(path)
        }
        other => other,
    }
}
