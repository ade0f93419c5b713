//! `gox tools [--json]`, `gox tools rebuild`, and the `default_tools` run after an install.
//! Reading and rebuilding live in [`gox_installer::tools`], the judgements in
//! [`gox_core::tools`]; this module picks the toolchain and prints.

use std::path::Path;

use gox_core::childenv::{self, Target};
use gox_core::installed::{installed, installed_for};
use gox_core::select::{self, Resolved};
use gox_core::tools::{self as judge, Problem, Selection};
use gox_core::{Platform, Spec, Version};
use gox_installer::tools::{self, GoInstall, Tool};
use serde::Serialize;

use super::print_json;
use crate::cli::{RebuildArgs, ToolsAction, ToolsArgs};
use crate::context::Context;
use crate::error::CliError;

/// One element of `gox tools --json` (keys may be added, never renamed).
#[derive(Serialize)]
struct ToolJson<'a> {
    name: &'a str,
    /// Lossy for a file name that is not UTF-8: JSON cannot carry it, and the output must
    /// not fail over one odd file in ~/go/bin.
    path: std::borrow::Cow<'a, str>,
    /// Main module path (`golang.org/x/tools/gopls`).
    module: Option<&'a str>,
    /// Main module version (`v0.16.1`, `(devel)`).
    version: Option<&'a str>,
    /// The Go that built it, without the `go` prefix (`1.22.10`).
    go: Option<&'a str>,
    /// `linux/arm64`.
    platform: Option<String>,
    problems: &'a [Problem],
    /// The main package (`golang.org/x/tools/gopls`), what `go install` takes.
    package: Option<&'a str>,
    cgo: Option<bool>,
}

pub fn run(ctx: &Context, args: &ToolsArgs) -> Result<(), CliError> {
    match &args.action {
        Some(ToolsAction::Rebuild(rebuild_args)) => rebuild(ctx, rebuild_args),
        None => list(ctx, args.json),
    }
}

/// Every tool gox can see, judged for this host.
pub fn scan(ctx: &Context) -> Vec<Tool> {
    let versions: Vec<Version> = installed(&ctx.layout)
        .into_iter()
        .map(|t| t.version)
        .collect();
    let dirs = judge::bin_dirs(&ctx.layout, &ctx.env);
    tools::scan(&dirs, &ctx.host.platform, &versions)
}

fn go_of(tool: &Tool) -> Option<&str> {
    tool.info
        .as_ref()
        .map(|i| i.go_version.strip_prefix("go").unwrap_or(&i.go_version))
}

fn list(ctx: &Context, json: bool) -> Result<(), CliError> {
    let found = scan(ctx);
    if json {
        let rows: Vec<ToolJson> = found
            .iter()
            .map(|t| {
                let main = t.info.as_ref().and_then(|i| i.main.as_ref());
                ToolJson {
                    name: &t.name,
                    path: t.path.to_string_lossy(),
                    module: main.map(|m| m.path.as_str()),
                    version: main.map(|m| m.version.as_str()),
                    go: go_of(t),
                    platform: t.platform(),
                    problems: &t.problems,
                    package: t.info.as_ref().and_then(|i| i.path.as_deref()),
                    cgo: t.info.as_ref().and_then(|i| i.cgo_enabled()),
                }
            })
            .collect();
        print_json(&rows);
        return Ok(());
    }
    if found.is_empty() {
        ctx.status(format!(
            "no programs in {} (nor GOBIN, ~/go/bin)",
            ctx.layout
                .home()
                .join("gopath")
                .join("*")
                .join("bin")
                .display()
        ));
        return Ok(());
    }
    let rows: Vec<[String; 5]> = found
        .iter()
        .map(|t| {
            let main = t.info.as_ref().and_then(|i| i.main.as_ref());
            let module =
                main.map_or_else(|| "-".to_string(), |m| format!("{}@{}", m.path, m.version));
            let problems: Vec<&str> = t.problems.iter().map(|p| p.as_str()).collect();
            [
                t.name.clone(),
                module,
                go_of(t).unwrap_or("-").to_string(),
                t.platform().unwrap_or_else(|| "-".to_string()),
                if problems.is_empty() {
                    "ok".to_string()
                } else {
                    problems.join(",")
                },
            ]
        })
        .collect();
    let header = ["NAME", "MODULE", "GO", "PLATFORM", "STATUS"];
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>, dir: &str| {
        let mut out = String::new();
        for (cell, width) in cells.iter().zip(&widths) {
            out.push_str(&format!("{cell:<width$}  "));
        }
        println!("{}{dir}", out);
    };
    line(header.to_vec(), "DIR");
    for (tool, row) in found.iter().zip(&rows) {
        let dir = tool
            .path
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        line(row.iter().map(String::as_str).collect(), &dir);
    }
    if found
        .iter()
        .any(|t| t.problems.contains(&Problem::WrongArch))
    {
        ctx.status(format!(
            "wrong-arch tools do not run natively on this {}; fix: gox tools rebuild --wrong-arch",
            ctx.host.platform
        ));
    }
    Ok(())
}

/// The host-platform toolchain `--go SPEC` names, else the one this directory selects.
fn host_toolchain(ctx: &Context, spec: Option<&str>) -> Result<(Version, Target), CliError> {
    let platform = &ctx.host.platform;
    let version = match spec {
        Some(spec) => {
            let spec = Spec::parse(spec)?;
            installed_for(&ctx.layout, platform)
                .into_iter()
                .map(|t| t.version)
                .find(|v| spec.matches(v))
                .ok_or_else(|| {
                    CliError::NoToolchain(format!(
                        "no installed {platform} toolchain matches `{spec}`.\nfix: gox install {spec}"
                    ))
                })?
        }
        None => {
            let selection = select::select(&ctx.env, &ctx.layout)?.ok_or_else(|| {
                CliError::NoToolchain(format!(
                    "no Go version is selected in {}; pass --go SPEC or run `gox use --global latest`",
                    ctx.env.cwd().display()
                ))
            })?;
            match select::resolve_for(&selection, &ctx.layout, platform) {
                Resolved::Version(v) if ctx.layout.toolchain(&v, platform).is_dir() => v,
                Resolved::Version(v) => {
                    return Err(CliError::NoToolchain(format!(
                        "Go {v} ({platform}) is selected by {} but not installed.\nfix: gox install {v}",
                        selection.source.describe()
                    )));
                }
                Resolved::Missing(spec) => {
                    return Err(CliError::NoToolchain(format!(
                        "Go {spec} ({platform}) is selected by {} but not installed.\nfix: gox install {spec}",
                        selection.source.describe()
                    )));
                }
            }
        }
    };
    let goroot = ctx.layout.toolchain(&version, platform);
    Ok((
        version,
        Target {
            goroot,
            platform: platform.clone(),
        },
    ))
}

/// How to run `go install` with `target`, as the shims would run that toolchain.
fn go_install(ctx: &Context, target: &Target) -> Result<GoInstall, CliError> {
    let vars = childenv::command_vars(&ctx.layout, &ctx.config, target, ctx.env.var_os("PATH"))
        .map_err(|e| CliError::Other(format!("cannot build PATH: {e}")))?;
    // With gopath_per_platform off the user's GOPATH applies; go puts programs in its bin.
    let gopath = vars
        .iter()
        .find(|(k, _)| *k == "GOPATH")
        .map(|(_, v)| std::path::PathBuf::from(v))
        .or_else(|| ctx.env.path_var("GOPATH"))
        .or_else(|| ctx.env.home().map(|h| h.join("go")))
        .unwrap_or_else(|| ctx.layout.gopath(&target.platform));
    Ok(GoInstall {
        go: target
            .goroot
            .join("bin")
            .join(format!("go{}", target.platform.exe_suffix())),
        vars,
        platform: target.platform.clone(),
        bin_dir: gopath.join("bin"),
    })
}

fn rebuild(ctx: &Context, args: &RebuildArgs) -> Result<(), CliError> {
    let selection = if args.all {
        Selection::All
    } else if args.wrong_arch {
        Selection::WrongArch
    } else {
        Selection::Named(
            args.names
                .iter()
                .map(|n| n.strip_suffix(".exe").unwrap_or(n).to_string())
                .collect(),
        )
    };
    let found = scan(ctx);
    let chosen: Vec<&Tool> = found
        .iter()
        .filter(|t| selection.includes(&t.name, &t.problems))
        .collect();
    if let Selection::Named(names) = &selection {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !chosen.iter().any(|t| &t.name == *n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(CliError::Usage(format!(
                "no tool named {} in the GOPATH/bin directories; `gox tools` lists them",
                missing.join(", ")
            )));
        }
    }
    if chosen.is_empty() {
        ctx.status("nothing to rebuild");
        return Ok(());
    }
    let (version, target) = host_toolchain(ctx, args.go.as_deref())?;
    let runner = go_install(ctx, &target)?;
    ctx.status(format!(
        "rebuilding {} tool(s) with go{version} ({}) into {}",
        chosen.len(),
        target.platform,
        runner.bin_dir.display()
    ));
    let mut failed = 0;
    // Two copies of one tool (`~/go/bin/dlv` and gox's own) need one `go install`.
    let mut done: Vec<(String, Result<std::path::PathBuf, String>)> = Vec::new();
    for tool in chosen {
        let main = tool.info.as_ref().and_then(|i| i.main.as_ref());
        let install_target = match &tool.info {
            None => Err(judge::RebuildSkip::NotGo),
            Some(info) => judge::install_target(
                info.path.as_deref(),
                main.map(|m| m.version.as_str()),
                args.latest,
            ),
        };
        let install_target = match install_target {
            Ok(t) => t,
            Err(why) => {
                println!("skipped {}: {why}", tool.name);
                continue;
            }
        };
        let result = match done.iter().find(|(t, _)| *t == install_target) {
            Some((_, result)) => result.clone(),
            None => {
                let result = runner.run(&install_target);
                done.push((install_target.clone(), result.clone()));
                result
            }
        };
        match result {
            Ok(program) => {
                println!(
                    "ok      {}: go install {install_target} -> {}",
                    tool.name,
                    program.display()
                );
                for line in old_copy_note(ctx, tool, &program, &runner.bin_dir) {
                    println!("        {line}");
                }
            }
            Err(error) => {
                failed += 1;
                println!("failed  {}: go install {install_target}:", tool.name);
                for line in error.lines() {
                    println!("        {line}");
                }
            }
        }
    }
    if failed > 0 {
        return Err(CliError::Other(format!(
            "{failed} tool(s) failed to rebuild (go's errors are above)"
        )));
    }
    Ok(())
}

/// What to tell about the copy a rebuild left behind: a tool found outside the directory
/// `go install` wrote to (`~/go/bin`, `$GOBIN`) is still there, and may come first on PATH.
/// gox does not delete files in directories it does not own; it says where the old copy is,
/// whether typing the name still runs it, and the command that removes it.
fn old_copy_note(ctx: &Context, tool: &Tool, program: &Path, bin_dir: &Path) -> Vec<String> {
    let old = &tool.path;
    if old == program || !old.exists() || gox_core::environment::same_file(old, program) {
        return Vec::new();
    }
    let what = if tool.problems.contains(&Problem::WrongArch) {
        format!(
            "the old {} build",
            tool.platform().unwrap_or_else(|| "foreign".into())
        )
    } else {
        "the old copy".to_string()
    };
    let rm = remove_command(old);
    let path_var = ctx.env.var_os("PATH");
    let name = old
        .file_name()
        .map_or_else(|| tool.name.clone(), |n| n.to_string_lossy().into_owned());
    let mut lines = vec![match tools::old_copy(path_var, old, program) {
        tools::OldCopy::Shadows => format!(
            "{what} is still at {} and comes first on PATH, so `{name}` still runs it; remove it: {rm}",
            old.display()
        ),
        tools::OldCopy::Shadowed => format!(
            "{what} is still at {} (PATH finds the new one first); remove it: {rm}",
            old.display()
        ),
        tools::OldCopy::Elsewhere(Some(other)) => format!(
            "{what} is still at {} (`{name}` on PATH is {}); remove it: {rm}",
            old.display(),
            other.display()
        ),
        tools::OldCopy::Elsewhere(None) => {
            format!("{what} is still at {}; remove it: {rm}", old.display())
        }
    }];
    if !tools::on_path(path_var, bin_dir) {
        lines.push(format!(
            "{} is not on PATH, so the new {name} does not run by name: the shell hook puts it there \
             (eval \"$(gox activate bash)\", or zsh, fish, pwsh), or add it to PATH yourself",
            bin_dir.display()
        ));
    }
    lines
}

/// The shell command that deletes `path`.
fn remove_command(path: &Path) -> String {
    let text = path.to_string_lossy();
    if cfg!(windows) {
        return format!("del \"{text}\"");
    }
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b));
    if plain {
        format!("rm {text}")
    } else {
        format!("rm {}", gox_core::shell::Shell::Bash.quote(&text))
    }
}

/// After `gox install` put a new toolchain for this machine in place: `go install` each
/// `default_tools` entry with it. Best effort: failures are warnings; the install stands.
pub fn install_default_tools(ctx: &Context, version: &Version, platform: &Platform) {
    if ctx.config.default_tools.is_empty() || *platform != ctx.host.platform {
        return;
    }
    let target = Target {
        goroot: ctx.layout.toolchain(version, platform),
        platform: platform.clone(),
    };
    let runner = match go_install(ctx, &target) {
        Ok(runner) => runner,
        Err(e) => {
            gox_core::say!("gox: warning: default_tools not installed: {e}");
            return;
        }
    };
    for entry in &ctx.config.default_tools {
        // `path` alone means the newest version, as mise's default_go_packages does.
        let target = if entry.contains('@') {
            entry.clone()
        } else {
            format!("{entry}@latest")
        };
        match runner.run(&target) {
            Ok(program) => ctx.status(format!(
                "default tool: go install {target} -> {}",
                program.display()
            )),
            Err(error) => gox_core::say!(
                "gox: warning: default tool `go install {target}` with go{version} failed (the install of go{version} stands; \
                 check default_tools in {}):\n{error}",
                ctx.layout.config_file().display()
            ),
        }
    }
}
