//! `gox hook-env --shell SHELL`: what the activate hook evals before each prompt and on
//! `cd`. Prints nothing when nothing relevant changed (a stat-only fingerprint, checked
//! before any config is read or the host probed); otherwise the changes that bring the
//! shell to what the directory selects. Never downloads, never fails the prompt: problems
//! are one-line warnings on stderr, given once, and the exit status is 0.

use std::fmt::Display;
use std::io::Write;

use gox_core::hook::{self, Desired, Notice, STATE_VAR, State};
use gox_core::layout::parse_toolchain_dir_name;
use gox_core::select;
use gox_core::shell::{Shell, UnknownShell};
use gox_core::{Config, Environment, Layout, host};
use gox_shim::ShimError;

use crate::cli::HookEnvArgs;
use crate::error::CliError;

pub fn run(env: &Environment, args: &HookEnvArgs) -> Result<(), CliError> {
    let shell: Shell = args
        .shell
        .parse()
        .map_err(|e: UnknownShell| CliError::Usage(e.to_string()))?;
    let previous = env.var(STATE_VAR).and_then(State::decode);
    if args.deactivate {
        emit(&hook::render(
            shell,
            &hook::deactivate(previous.as_ref(), env),
        ));
        return Ok(());
    }

    let fingerprint = hook::fingerprint(env);
    if previous
        .as_ref()
        .is_some_and(|state| hook::is_current(state, env, &fingerprint))
    {
        return Ok(());
    }

    let (desired, notice) = match wanted(env) {
        Ok(desired) => (desired, None),
        Err(notice) => (None, Some(notice)),
    };
    let update = hook::update(
        previous.as_ref(),
        env,
        fingerprint,
        desired.as_ref(),
        notice,
    );
    if let Some(warning) = &update.warning {
        gox_core::say!("{warning}");
    }
    emit(&hook::render(shell, &update.ops));
    Ok(())
}

/// The fast path, run before the command line is parsed: whether this process is exactly
/// the activate hook's `gox hook-env --shell SHELL` and the shell's state is current (same
/// fingerprint, its PATH entries still on PATH), so there is nothing to print. Anything
/// else (other arguments, no state) goes the normal way, through clap.
pub fn is_current() -> bool {
    let mut args = std::env::args_os().skip(1);
    let (Some(command), Some(flag), Some(shell), None) =
        (args.next(), args.next(), args.next(), args.next())
    else {
        return false;
    };
    if command != "hook-env"
        || flag != "--shell"
        || shell
            .to_str()
            .and_then(|s| s.parse::<Shell>().ok())
            .is_none()
    {
        return false;
    }
    let env = Environment::from_process();
    let Some(state) = env.var(STATE_VAR).and_then(State::decode) else {
        return false;
    };
    hook::is_current(&state, &env, &hook::fingerprint(&env))
}

/// What the working directory wants in the shell: `Ok(None)` when nothing selects a
/// version (the outer environment applies), a [`Notice`] when something selects one that
/// cannot be put on PATH (then the outer environment applies too, and `go`, if the shims
/// are on PATH, explains the same thing).
fn wanted(env: &Environment) -> Result<Option<Desired>, Notice> {
    let layout = Layout::from_env(env).map_err(problem)?;
    let config = Config::load(layout.config_file()).map_err(problem)?;
    let host = host::detect(env).map_err(problem)?;
    let Some(selection) = select::select(env, &layout).map_err(problem)? else {
        return Ok(None);
    };
    // The slow path only (the fingerprint changed: a `cd` or an edited pin); the record
    // appends one line, and only for a directory it does not hold yet.
    gox_core::projects::record_selection(&layout, &selection);
    let target = gox_shim::target_for(&selection, &layout, &host).map_err(|e| match e {
        ShimError::NotInstalled(missing) => {
            let message = match &missing.version {
                Some(version) => format!(
                    "gox: Go {version} is selected by {} but not installed; run: gox install {version}",
                    missing.source
                ),
                None => format!(
                    "gox: Go {} is selected by {} but no installed version matches; run: gox install {}",
                    missing.what, missing.source, missing.what
                ),
            };
            Notice {
                key: message.clone(),
                message,
            }
        }
        other => problem(other),
    })?;
    if !hook::runs_natively(&host, &target, env.flag("GOX_ALLOW_ROSETTA")) {
        let version = target
            .goroot
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_toolchain_dir_name)
            .map_or_else(|| selection.raw.clone(), |(v, _)| v.to_string());
        let message = format!(
            "gox: Go {version} (selected by {}) is installed only for {}, which does not run natively on this {} machine; run: gox install {version} --platform {}",
            selection.source, target.platform, host.platform, host.platform
        );
        return Err(Notice {
            key: message.clone(),
            message,
        });
    }
    Ok(Some(Desired::for_target(&layout, &config, &target)))
}

/// Any other problem (a broken version file, a bad config): one line, given once.
fn problem(e: impl Display) -> Notice {
    let text = e.to_string();
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Notice {
        key: line.clone(),
        message: format!("gox: warning: {line}"),
    }
}

/// Writes the code for the shell to eval; a closed stdout is not worth a panic.
fn emit(code: &str) {
    if !code.is_empty() {
        let _ = std::io::stdout().lock().write_all(code.as_bytes());
    }
}
