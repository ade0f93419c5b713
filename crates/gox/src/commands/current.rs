//! `gox current`: which version this directory selects, and why.

use serde::Serialize;

use gox_core::childenv::PIN_VAR;
use gox_core::layout::parse_toolchain_dir_name;
use gox_core::select::{self, Resolved, Selection, SourceKind};

use gox_shim::ShimError;

use super::print_json;
use crate::cli::CurrentArgs;
use crate::context::Context;
use crate::error::CliError;

#[derive(Serialize)]
struct Current {
    version: String,
    platform: String,
    goroot: Option<String>,
    installed: bool,
    source: Source,
}

#[derive(Serialize)]
struct Source {
    kind: &'static str,
    path: Option<String>,
    line: Option<usize>,
    origin: String,
}

pub fn run(ctx: &Context, args: &CurrentArgs) -> Result<(), CliError> {
    if let Some(current) = pinned(ctx) {
        if args.json {
            print_json(&current);
        } else {
            println!(
                "{} ({}) from {}",
                current.version, current.platform, current.source.origin
            );
        }
        return Ok(());
    }
    let selection =
        select::select(&ctx.env, &ctx.layout)?.ok_or_else(|| ShimError::NothingSelected {
            cwd: ctx.env.cwd().to_path_buf(),
        })?;
    let target = gox_shim::target_for(&selection, &ctx.layout, &ctx.host);
    let version = match select::resolve_for(&selection, &ctx.layout, &ctx.host.platform) {
        Resolved::Version(v) => v.to_string(),
        Resolved::Missing(spec) => spec.to_string(),
    };
    let current = Current {
        version: version.clone(),
        platform: target.as_ref().map_or_else(
            |_| ctx.host.platform.to_string(),
            |t| t.platform.to_string(),
        ),
        goroot: target.as_ref().ok().map(|t| t.goroot.display().to_string()),
        installed: target.is_ok(),
        source: source(&selection),
    };
    if args.json {
        print_json(&current);
    } else {
        println!(
            "{} ({}) from {}",
            current.version,
            current.platform,
            selection.source.describe()
        );
    }
    warn_if_module_needs_newer(ctx, &version);
    target.map(|_| ()).map_err(CliError::from)
}

/// Inside a process a shim (or `gox exec`) started, nested `go` calls run the toolchain in
/// [`PIN_VAR`], before any selection (DESIGN.md, "Version selection"); `current` says so
/// rather than what this directory would select on its own.
fn pinned(ctx: &Context) -> Option<Current> {
    let goroot = ctx.env.path_var(PIN_VAR).filter(|p| p.is_dir())?;
    let (version, platform) = goroot
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_toolchain_dir_name)?;
    Some(Current {
        version: version.to_string(),
        platform: platform.to_string(),
        goroot: Some(goroot.display().to_string()),
        installed: true,
        source: Source {
            kind: SourceKind::Env.as_str(),
            path: None,
            line: None,
            origin: format!(
                "{PIN_VAR} (the toolchain of the `go` or `gox exec` that started this process)"
            ),
        },
    })
}

fn source(selection: &Selection) -> Source {
    Source {
        kind: match selection.source.kind() {
            SourceKind::Env => "env",
            SourceKind::File => "file",
            SourceKind::Default => "default",
        },
        path: selection
            .source
            .path
            .as_ref()
            .map(|p| p.display().to_string()),
        line: selection.source.line,
        origin: selection.source.describe(),
    }
}

/// go.mod's `go` line is a minimum; a pin below it makes every build fail with
/// "go.mod requires go >= …", so say so before the user hits it.
fn warn_if_module_needs_newer(ctx: &Context, selected: &str) {
    let Ok(selected) = gox_core::Version::parse(selected) else {
        return;
    };
    if let Ok(Some((minimum, source))) = select::module_minimum(&ctx.env)
        && selected < minimum
    {
        gox_core::say!(
            "gox: warning: {} requires go >= {minimum}, but {selected} is selected; \
             fix: gox use {minimum} (or update the pin)",
            source.describe()
        );
    }
}
