//! The hook's decision, as a pure function: from the previous [`State`], the shell's
//! current environment and what the directory wants now, the list of [`Op`]s that gets the
//! shell there, and the new state.
//!
//! Every run first reconstructs the *outer* environment, the one the shell would have
//! without gox: PATH minus exactly the entries the hook added (by value, first occurrence,
//! so the user's own entries, including ones added after activation, stay where they are),
//! and each variable the hook set back to what it held before, unless the user has changed
//! it since (then the user's value is the outer one). What the directory wants is then laid
//! over that outer environment, and only the differences from the current environment are
//! printed.

use std::path::PathBuf;

use crate::childenv::{self, Target};
use crate::config::Config;
use crate::environment::Environment;
use crate::host::Host;
use crate::layout::Layout;
use crate::shell::Shell;

use super::state::{STATE_VAR, State, VarChange};

/// The environment a directory's toolchain wants in the shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    /// Variables to export, in order (GOROOT, GOPATH, GOCACHE, GOMODCACHE, GOTOOLCHAIN).
    pub vars: Vec<(String, String)>,
    /// PATH entries to put in front, in order (the toolchain's bin, the platform's
    /// GOPATH/bin).
    pub path: Vec<PathBuf>,
}

impl Desired {
    /// What `gox env` exports for `target`, as the shell hook applies it.
    pub fn for_target(layout: &Layout, config: &Config, target: &Target) -> Self {
        Self {
            vars: childenv::vars(layout, config, target)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_string_lossy().into_owned()))
                .collect(),
            path: childenv::path_entries(layout, config, target),
        }
    }
}

/// Whether the hook may put `target` on PATH on this host. The shim checks each binary's
/// header before running it; a toolchain on PATH is run directly, so the hook refuses
/// a foreign build up front: only a darwin/amd64 build on an Apple Silicon Mac with
/// `GOX_ALLOW_ROSETTA` set gets through, as with the shim.
pub fn runs_natively(host: &Host, target: &Target, allow_rosetta: bool) -> bool {
    if target.platform == host.platform {
        return true;
    }
    let (host, target) = (&host.platform, &target.platform);
    allow_rosetta
        && host.os() == "darwin"
        && host.arch() == "arm64"
        && target.os() == "darwin"
        && target.arch() == "amd64"
}

/// A warning for the user, printed once: not again while `key` stays the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What identifies the situation (e.g. the version and the file selecting it), so
    /// moving between directories of the same project does not repeat it.
    pub key: String,
    pub message: String,
}

/// One change to the shell's environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Set(String, String),
    Unset(String),
    /// PATH, as the whole list of entries.
    Path(Vec<PathBuf>),
}

/// The outcome of a full hook run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// The changes to print, the new state last.
    pub ops: Vec<Op>,
    /// A warning to print on stderr (`None` when there is none, or it was already given).
    pub warning: Option<String>,
}

/// The fast path's test: the state was computed for this `fingerprint`, and the PATH
/// entries it added are all still on PATH (a PATH reset by a later line of the user's rc
/// file must not leave the toolchain off PATH until the next `cd`).
pub fn is_current(state: &State, env: &Environment, fingerprint: &str) -> bool {
    if state.fingerprint != fingerprint {
        return false;
    }
    if state.path.is_empty() {
        return true;
    }
    let path = current_path(env);
    state.path.iter().all(|entry| path.contains(entry))
}

/// A full run: the ops that take the shell from its current environment (shaped by
/// `previous`) to `desired` laid over the outer environment, or to the outer environment
/// itself when nothing is wanted (no selection, a missing toolchain, an error).
pub fn update(
    previous: Option<&State>,
    env: &Environment,
    fingerprint: String,
    desired: Option<&Desired>,
    notice: Option<Notice>,
) -> Update {
    let outer = Outer::of(previous, env);
    let mut changes = Vec::new();
    let mut target: Vec<(String, Option<String>)> = Vec::new();
    let mut added = Vec::new();
    if let Some(desired) = desired {
        for (name, value) in &desired.vars {
            changes.push(VarChange {
                name: name.clone(),
                previous: outer.var(env, name),
                value: value.clone(),
            });
            target.push((name.clone(), Some(value.clone())));
        }
        added.clone_from(&desired.path);
    }
    for (name, value) in &outer.vars {
        if !target.iter().any(|(n, _)| n == name) {
            target.push((name.clone(), value.clone()));
        }
    }
    let mut path = added.clone();
    path.extend(outer.path);

    let previous_warning = previous.and_then(|s| s.warned.as_deref());
    let warning = notice
        .as_ref()
        .filter(|n| previous_warning != Some(n.key.as_str()))
        .map(|n| n.message.clone());
    let state = State {
        fingerprint,
        path: added,
        vars: changes,
        warned: notice.map(|n| n.key),
    };

    let mut ops = diff(env, &target, path);
    let encoded = state.encode();
    if env.var(STATE_VAR) != Some(encoded.as_str()) {
        ops.push(Op::Set(STATE_VAR.to_owned(), encoded));
    }
    Update { ops, warning }
}

/// Undoes everything the hook set (per `previous`) and forgets the state.
pub fn deactivate(previous: Option<&State>, env: &Environment) -> Vec<Op> {
    let outer = Outer::of(previous, env);
    let mut ops = diff(env, &outer.vars, outer.path);
    if env.var_os(STATE_VAR).is_some() {
        ops.push(Op::Unset(STATE_VAR.to_owned()));
    }
    ops
}

/// The ops as shell code, one line each.
pub fn render(shell: Shell, ops: &[Op]) -> String {
    let mut out = String::new();
    for op in ops {
        out.push_str(&match op {
            Op::Set(name, value) => shell.set(name, value),
            Op::Unset(name) => shell.unset(name),
            Op::Path(entries) => shell.set_path(entries),
        });
        out.push('\n');
    }
    out
}

/// The environment without the hook's changes.
struct Outer {
    /// The variables the hook had set, with their outer values.
    vars: Vec<(String, Option<String>)>,
    path: Vec<PathBuf>,
}

impl Outer {
    fn of(previous: Option<&State>, env: &Environment) -> Self {
        let mut path = current_path(env);
        let mut vars = Vec::new();
        if let Some(state) = previous {
            for entry in &state.path {
                if let Some(i) = path.iter().position(|p| p == entry) {
                    path.remove(i);
                }
            }
            for change in &state.vars {
                let now = env.var(&change.name);
                let outer = if now == Some(change.value.as_str()) {
                    change.previous.clone()
                } else {
                    now.map(str::to_owned)
                };
                vars.push((change.name.clone(), outer));
            }
        }
        Self { vars, path }
    }

    /// The outer value of `name`: as reconstructed if the hook had set it, else as it is.
    fn var(&self, env: &Environment, name: &str) -> Option<String> {
        match self.vars.iter().find(|(n, _)| n == name) {
            Some((_, value)) => value.clone(),
            None => env.var(name).map(str::to_owned),
        }
    }
}

fn current_path(env: &Environment) -> Vec<PathBuf> {
    // Windows spells it `Path`; the environment snapshot is case-sensitive.
    env.var_os("PATH")
        .or_else(|| env.var_os("Path"))
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default()
}

/// The ops that turn the current environment into `vars` + `path`, skipping no-ops.
fn diff(env: &Environment, vars: &[(String, Option<String>)], path: Vec<PathBuf>) -> Vec<Op> {
    let mut ops = Vec::new();
    for (name, value) in vars {
        if env.var(name) == value.as_deref() {
            continue;
        }
        ops.push(match value {
            Some(value) => Op::Set(name.clone(), value.clone()),
            None => Op::Unset(name.clone()),
        });
    }
    if path != current_path(env) {
        ops.push(Op::Path(path));
    }
    ops
}
