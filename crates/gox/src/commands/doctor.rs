//! `gox doctor`: gather the facts (PATH, the environment, the Go env file, the headers of
//! installed toolchains and of GOPATH/bin programs), let [`gox_core::doctor`] judge them,
//! print the findings. Exit 1 when any finding is an error.

use std::path::{Path, PathBuf};

use gox_core::doctor::{
    self, BinDir, Binary, Facts, Finding, GoEnvFile, PathFacts, Severity, ToolchainFacts,
};
use gox_core::layout::{STAGING_PREFIX, TRASH_PREFIX};
use gox_core::shell::Shell;
use gox_core::{Platform, installed};
use gox_installer::tools;
use gox_verifier::{header, read_buildinfo};
use serde::Serialize;

use super::print_json;
use crate::cli::DoctorArgs;
use crate::context::Context;
use crate::error::CliError;

/// `gox doctor --json`: `{"host":{…},"findings":[{"id","severity","message","fix"}]}`.
#[derive(Serialize)]
struct Report<'a> {
    host: HostReport<'a>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct HostReport<'a> {
    platform: &'a str,
    translated: bool,
    parent_translated: bool,
    /// The host came from GOX_DEBUG_HOST.
    simulated: bool,
}

pub fn run(ctx: &Context, args: &DoctorArgs) -> Result<(), CliError> {
    let facts = gather(ctx);
    let findings = doctor::diagnose(&facts);
    if args.json {
        let platform = ctx.host.platform.to_string();
        print_json(&Report {
            host: HostReport {
                platform: &platform,
                translated: ctx.host.translated,
                parent_translated: ctx.host.parent_translated,
                simulated: ctx.host.simulated,
            },
            findings: &findings,
        });
    } else {
        print_human(ctx, &findings);
    }
    let errors = count(&findings, Severity::Error);
    if errors > 0 {
        return Err(CliError::Other(format!(
            "gox doctor found {errors} error{}",
            plural(errors)
        )));
    }
    Ok(())
}

/// One line per finding (`✓`, `!`, `✗`), the fix indented below it. No colours, so
/// NO_COLOR and pipes need nothing special. `--quiet` leaves out what is fine.
fn print_human(ctx: &Context, findings: &[Finding]) {
    if !ctx.quiet {
        let simulated = if ctx.host.simulated {
            " (from GOX_DEBUG_HOST)"
        } else {
            ""
        };
        println!(
            "gox doctor: this machine is {}{simulated}; GOX_HOME is {}",
            ctx.host.platform,
            ctx.layout.home().display()
        );
    }
    for finding in findings {
        let marker = match finding.severity {
            Severity::Ok if ctx.quiet => continue,
            Severity::Ok => "✓",
            Severity::Warn => "!",
            Severity::Error => "✗",
        };
        println!("{marker} {}", finding.message);
        if let Some(fix) = &finding.fix {
            println!("    fix: {fix}");
        }
    }
    if !ctx.quiet {
        let (warnings, errors) = (
            count(findings, Severity::Warn),
            count(findings, Severity::Error),
        );
        if warnings + errors == 0 {
            println!("no problems found");
        } else {
            println!(
                "{errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            );
        }
    }
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Reads everything the checks need. Unreadable things are skipped, not errors: doctor
/// must work on the broken setups it exists for.
fn gather(ctx: &Context) -> Facts {
    let env = &ctx.env;
    let layout = &ctx.layout;
    let exe = std::env::consts::EXE_SUFFIX;
    let entries: Vec<PathBuf> = env
        .var_os("PATH")
        .map(|p| {
            std::env::split_paths(p)
                .filter(|e| !e.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let first_go = entries
        .iter()
        .map(|dir| dir.join(format!("go{exe}")))
        .find(|go| tools::is_executable(go));
    let go_env_file = doctor::go_env_file(env, std::env::consts::OS).and_then(|path| {
        let text = std::fs::read_to_string(&path).ok()?;
        Some(GoEnvFile {
            vars: doctor::parse_go_env(&text),
            path,
        })
    });
    let bin_dirs = bin_dirs(ctx, go_env_file.as_ref())
        .into_iter()
        .map(|dir| scan_bin_dir(dir, &ctx.host.platform))
        .collect();
    Facts {
        host: ctx.host.clone(),
        layout: layout.clone(),
        // Without SHELL (always so in cmd.exe and PowerShell), fixes in the OS's shell.
        shell: env
            .var("SHELL")
            .map_or(Some(Shell::os_default()), Shell::from_path),
        zdotdir: env.path_var("ZDOTDIR"),
        path: PathFacts {
            shims_installed: layout.shims().join(format!("go{exe}")).is_file(),
            // Only Linux shims replay, and so only they need their planner.
            planner_missing: cfg!(target_os = "linux")
                && layout.shims().join("go").is_file()
                && !layout.planner_link().is_file(),
            entries,
            first_go,
        },
        activated: doctor::hook_active(env),
        env_vars: doctor::go_env_vars(env),
        go_env_file,
        gopath_per_platform: ctx.config.gopath_per_platform,
        allow_rosetta: env.flag("GOX_ALLOW_ROSETTA"),
        toolchains: installed::installed(layout)
            .into_iter()
            .map(|tc| toolchain_facts(tc, &ctx.host.platform))
            .collect(),
        bin_dirs,
        leftovers: leftovers(&layout.toolchains()),
    }
}

fn toolchain_facts(tc: installed::Toolchain, host: &Platform) -> ToolchainFacts {
    let go = tc
        .goroot
        .join("bin")
        .join(format!("go{}", tc.platform.exe_suffix()));
    let go = if go.is_file() {
        binary(&go, host).ok_or_else(|| format!("{} is not an executable", go.display()))
    } else {
        Err(format!("{} is missing", go.display()))
    };
    let tool_dirs = std::fs::read_dir(tc.goroot.join("pkg").join("tool"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let receipt_problems = gox_installer::receipt::problems(
        &tc.goroot,
        tc.version.as_str(),
        &tc.platform,
        gox_installer::receipt::Depth::Deep,
    );
    ToolchainFacts {
        receipt_problems,
        version: tc.version,
        platform: tc.platform,
        goroot: tc.goroot,
        go,
        tool_dirs,
    }
}

/// GOPATH/bin directories where `go install` puts programs: gox's for the host platform,
/// the user's GOBIN and GOPATH (environment, then `go env -w`), and Go's default `~/go/bin`.
fn bin_dirs(ctx: &Context, go_env_file: Option<&GoEnvFile>) -> Vec<PathBuf> {
    let env = &ctx.env;
    let mut dirs = vec![ctx.layout.gopath(&ctx.host.platform).join("bin")];
    dirs.extend(env.path_var("GOBIN"));
    let file_gopath = go_env_file
        .and_then(|f| f.vars.iter().find(|(k, _)| k == "GOPATH"))
        .map(|(_, v)| std::ffi::OsString::from(v));
    for gopath in env
        .var_os("GOPATH")
        .into_iter()
        .chain(file_gopath.as_deref())
    {
        dirs.extend(
            std::env::split_paths(gopath)
                .filter(|p| p.is_absolute())
                .map(|p| p.join("bin")),
        );
    }
    dirs.extend(env.home().map(|h| h.join("go").join("bin")));
    let mut unique: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        if dir.is_dir() && !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

fn scan_bin_dir(dir: PathBuf, host: &Platform) -> BinDir {
    let binaries = tools::executables(&dir)
        .iter()
        .filter_map(|f| binary(f, host))
        .map(|mut bin| {
            // Only for the few that need fixing: the module path to reinstall from.
            if !bin.native {
                bin.package = read_buildinfo(&bin.path)
                    .ok()
                    .flatten()
                    .and_then(|i| i.path);
            }
            bin
        })
        .collect();
    BinDir { dir, binaries }
}

/// The header facts of an executable; `None` for scripts and anything else unreadable.
fn binary(path: &Path, host: &Platform) -> Option<Binary> {
    let info = header::read_header(path).ok()?;
    Some(Binary {
        path: path.to_path_buf(),
        os: info.os.map(str::to_string),
        archs: info.archs.iter().map(|a| (*a).to_string()).collect(),
        native: info.runs_natively_on(host),
        cpu: info.cpu,
        package: None,
    })
}

fn leftovers(toolchains: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(toolchains)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.file_name().to_str().is_some_and(|n| {
                        n.starts_with(STAGING_PREFIX) || n.starts_with(TRASH_PREFIX)
                    })
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}
