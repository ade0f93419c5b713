//! Proxy mode: what a `go`/`gofmt` shim runs. `plan` decides everything (which toolchain,
//! refuse or run, the child environment) as a pure-ish function of the environment and the
//! filesystem; `main.rs` only carries the plan out. `gox which` and `gox exec` use the same
//! plan, so they can never disagree with the shim.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use gox_core::childenv::{self, DEPTH_VAR, MAX_DEPTH, PIN_VAR, Target};
use gox_core::config::{Config, ConfigError};
use gox_core::host::{self, Host, HostError};
use gox_core::layout::{Layout, LayoutError};
use gox_core::select::{self, Resolved, SelectError, Selection};
use gox_core::{Environment, ExitStatus, Platform, Version, installed};
use gox_verifier::header::{self, BinaryInfo, HeaderError};

#[cfg(unix)]
pub mod exec;
pub mod inuse;
pub mod proxy;
#[cfg(target_os = "linux")]
pub mod record;

/// What to execute, and with which environment.
#[derive(Debug)]
pub struct Plan {
    pub program: PathBuf,
    pub target: Target,
    pub vars: Vec<(&'static str, OsString)>,
    /// Printed to stderr before running (e.g. this shim runs under Rosetta).
    pub warnings: Vec<String>,
    /// Keeps the toolchain marked in use until `exec` hands the mark to `go` (see [`inuse`]).
    pub inuse: inuse::InUse,
}

#[derive(Debug)]
pub enum ShimError {
    /// argv[0] is not a tool name (the shim was run as `gox-shim`).
    NotATool {
        argv0: String,
    },
    Layout(LayoutError),
    Config(ConfigError),
    Host(HostError),
    Select(SelectError),
    NothingSelected {
        cwd: PathBuf,
    },
    /// The selected version is not installed for the host platform.
    NotInstalled(Box<Missing>),
    /// The selected toolchain exists but has no such tool.
    NoSuchTool {
        tool: String,
        goroot: PathBuf,
        /// The tool is one of Go's own (`vet`, `cover`, …, in `pkg/tool/`): `go tool NAME`
        /// runs it. Looked up when the error is made, so showing it reads nothing.
        go_tool: bool,
    },
    /// The binary is not native to the host (Rosetta 2, emulation, or plain wrong).
    Refused(Box<Refusal>),
    Header(HeaderError),
    Recursion {
        depth: u32,
        program: Option<PathBuf>,
    },
    /// `gox uninstall` is removing the selected toolchain right now.
    BeingRemoved {
        target: Target,
    },
}

#[derive(Clone, Debug)]
pub struct Missing {
    pub what: String,
    pub platform: Platform,
    /// What selected it (`/p/.go-version:1`).
    pub source: String,
    /// An exact version that `gox install` can fetch (None: a spec like `1.22`).
    pub version: Option<Version>,
}

#[derive(Debug)]
pub struct Refusal {
    pub program: PathBuf,
    pub info: BinaryInfo,
    pub host: Host,
    pub version: Version,
}

impl ShimError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            ShimError::NotATool { .. } => ExitStatus::Usage,
            ShimError::NothingSelected { .. }
            | ShimError::NotInstalled { .. }
            | ShimError::NoSuchTool { .. }
            | ShimError::BeingRemoved { .. } => ExitStatus::NoToolchain,
            ShimError::Refused(_) => ExitStatus::Refused,
            _ => ExitStatus::Error,
        }
    }
}

impl fmt::Display for ShimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The message's start is also how gox recognises its shims on disk.
            ShimError::NotATool { argv0 } => write!(
                f,
                "{} (it was started as {argv0:?}); run `gox setup` to create the shims",
                gox_core::shim_identity::MARK
            ),
            ShimError::Layout(e) => e.fmt(f),
            ShimError::Config(e) => e.fmt(f),
            ShimError::Host(e) => e.fmt(f),
            ShimError::Select(e) => e.fmt(f),
            // A working directory that was deleted (or is unreadable) leaves getcwd failing
            // and selection walking up from "."; saying "selected for ." would hide why.
            ShimError::NothingSelected { cwd } if cwd.is_relative() => write!(
                f,
                "no Go version selected: the current directory cannot be determined (was it \
                 deleted?), so no .go-version, go.mod or go.work can be found, and there is no \
                 global default.\nfix: cd to an existing directory, or set GOX_VERSION"
            ),
            ShimError::NothingSelected { cwd } => write!(
                f,
                "no Go version selected for {}: no GOX_VERSION, .go-version, .tool-versions, go.work or go.mod \
                 up the tree, and no global default.\nfix: `gox use --global latest` (everywhere), or `gox use VERSION` in your \
                 project's directory (`gox ls-remote` lists versions)",
                cwd.display()
            ),
            ShimError::NotInstalled(missing) => {
                let Missing {
                    what,
                    platform,
                    source,
                    version,
                } = missing.as_ref();
                let spec = version
                    .as_ref()
                    .map_or_else(|| what.clone(), Version::to_string);
                write!(
                    f,
                    "Go {what} ({platform}) is selected by {source} but not installed.\nfix: gox install {spec}"
                )
            }
            ShimError::BeingRemoved { target } => {
                let version = target
                    .goroot
                    .file_name()
                    .and_then(|n| gox_core::layout::parse_toolchain_dir_name(n.to_str()?))
                    .map_or_else(String::new, |(v, _)| v.to_string());
                write!(
                    f,
                    "{} is being uninstalled right now.\nfix: gox install {version} --platform {}",
                    target.goroot.display(),
                    target.platform
                )
            }
            ShimError::NoSuchTool {
                tool,
                goroot,
                go_tool,
            } => {
                write!(f, "{} has no bin/{tool}", goroot.display())?;
                if *go_tool {
                    write!(f, "; {tool} is one of Go's own tools.\nfix: go tool {tool}")
                } else {
                    write!(
                        f,
                        ".\nfix: use `go` or `gofmt`; a tool installed with `go install` runs from \
                         GOPATH/bin (`gox tools` lists them, `gox env` puts them on PATH)"
                    )
                }
            }
            ShimError::Refused(refusal) => {
                let Refusal {
                    program,
                    info,
                    host,
                    version,
                } = refusal.as_ref();
                let found = &info.cpu;
                let how = refusal_reason(host);
                write!(
                    f,
                    "refusing to run {}: it is {found}, but this machine is {}; {how}.\n\
                     fix: gox install {version} --platform {}",
                    program.display(),
                    host.platform,
                    host.platform
                )?;
                if host.platform.os() == "darwin" {
                    write!(
                        f,
                        "\n(to run it under Rosetta 2 anyway, set GOX_ALLOW_ROSETTA=1)"
                    )?;
                }
                Ok(())
            }
            ShimError::Header(e) => write!(
                f,
                "{e}\nthe toolchain looks damaged; reinstall it with `gox install --force`"
            ),
            ShimError::Recursion { depth, program } => {
                match (depth, program) {
                    // Caught before the first turn (Linux: the planner compares with its shim).
                    (0, Some(p)) => write!(
                        f,
                        "gox shim recursion: {} is a gox shim, not a Go binary",
                        p.display()
                    )?,
                    (_, Some(p)) => write!(
                        f,
                        "gox shim recursion: {depth} nested shims; {} is a gox shim, not a Go binary",
                        p.display()
                    )?,
                    (_, None) => write!(f, "gox shim recursion: {depth} nested shims")?,
                }
                write!(
                    f,
                    ". Check that no toolchain's bin/ links back to GOX_HOME/shims, then run `gox doctor`"
                )
            }
        }
    }
}

impl std::error::Error for ShimError {}

fn refusal_reason(host: &Host) -> &'static str {
    match host.platform.os() {
        "darwin" => {
            "it would run under Rosetta 2 (slow, and cgo, the race detector and debuggers break)"
        }
        _ => "it would need emulation or fail with `exec format error`",
    }
}

/// The tool a shim stands for: the file name of argv[0] without `.exe`.
pub fn tool_name(argv0: &str) -> Option<&str> {
    let name = Path::new(argv0).file_name()?.to_str()?;
    let name = name.strip_suffix(".exe").unwrap_or(name);
    let ok = !name.is_empty()
        && !name.starts_with("gox")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(name)
}

/// Set by cmd/go (≥ 1.21) when it runs the `goX.Y.Z` it found on PATH for GOTOOLCHAIN; the
/// child checks that it really is that version. cmd/go passes its own argv[0] (`go`), so this
/// variable, not argv[0], is how a `goX.Y.Z` entry learns which version it stands for.
pub const SWITCH_VERSION_VAR: &str = "GOTOOLCHAIN_INTERNAL_SWITCH_VERSION";

/// The exact version a shim stands for: started as `go1.22.10` (a name in the shims dir, as
/// golang.org/dl wrappers are named), or as `go` by a cmd/go switching to that toolchain.
/// `None`: an ordinary `go`/`gofmt` shim that resolves the version for the directory.
pub fn exact_version(argv0: &str, env: &Environment) -> Option<Version> {
    let name = Path::new(argv0).file_name()?.to_str()?;
    match name.strip_suffix(".exe").unwrap_or(name) {
        "go" => env
            .var(SWITCH_VERSION_VAR)
            .and_then(|v| v.strip_prefix("go"))
            .and_then(|v| Version::parse(v).ok()),
        other => gox_core::gonames::parse_version_name(other),
    }
}

/// What a shim started as `argv0` stands for: the tool (`go`, `gofmt`) and, for a `goX.Y.Z`
/// name (or cmd/go switching to that version), the exact version it must run.
pub fn invoked_as<'a>(
    argv0: &'a str,
    env: &Environment,
) -> Result<(&'a str, Option<Version>), ShimError> {
    let exact = exact_version(argv0, env);
    let tool = match exact {
        Some(_) => Some("go"),
        None => tool_name(argv0),
    };
    match tool {
        Some(tool) => Ok((tool, exact)),
        None => Err(ShimError::NotATool {
            argv0: argv0.to_string(),
        }),
    }
}

/// Everything the shim decides, from the environment and the filesystem.
pub fn plan(env: &Environment, tool: &str, own_exe: Option<&Path>) -> Result<Plan, ShimError> {
    plan_version(env, tool, None, own_exe)
}

/// [`plan`], or with `exact` the toolchain of exactly that version for the host: no
/// selection, and an inherited pin does not apply (cmd/go asked for this version and checks).
pub fn plan_version(
    env: &Environment,
    tool: &str,
    exact: Option<&Version>,
    own_exe: Option<&Path>,
) -> Result<Plan, ShimError> {
    let depth = childenv::depth(env.var(DEPTH_VAR));
    if depth >= MAX_DEPTH {
        return Err(ShimError::Recursion {
            depth,
            program: None,
        });
    }
    let layout = Layout::from_env(env).map_err(ShimError::Layout)?;
    let config = Config::load(layout.config_file()).map_err(ShimError::Config)?;
    let host = host::detect(env).map_err(ShimError::Host)?;
    let mut warnings = Vec::new();
    if host.translated {
        warnings.push(format!(
            "gox: warning: this `{tool}` shim runs under Rosetta 2; gox still runs the native {} toolchain. \
             Install the arm64 gox build (see `gox doctor`).",
            host.platform
        ));
    }
    if host.parent_translated {
        warnings.push(
            "gox: warning: the shell that started `go` runs under Rosetta 2 (x86_64): uname -m says x86_64 and \
             cgo builds target the wrong architecture. Open a native terminal, or run `arch -arm64 $SHELL`."
                .to_string(),
        );
    }

    // Marked in use *before* the existence check: once the mark is held, an uninstall can
    // no longer take the tree away, so a `bin/go` that exists now still exists at exec.
    let (target, inuse) = match (exact, env.path_var(PIN_VAR).filter(|p| p.is_dir())) {
        (Some(version), _) => marked_target(version, &layout, &host)?.ok_or_else(|| {
            ShimError::NotInstalled(Box::new(Missing {
                what: version.to_string(),
                platform: host.platform.clone(),
                source: format!("`{}`", version.go_name()),
                version: Some(version.clone()),
            }))
        })?,
        (None, Some(goroot)) => mark(pinned_target(goroot, &host))?,
        (None, None) => {
            let selection = selection(env, &layout)?;
            let version = resolved_version(&selection, &layout, &host)?;
            marked_target(&version, &layout, &host)?
                .ok_or_else(|| not_installed(version, &selection, &host))?
        }
    };
    let program = target
        .goroot
        .join("bin")
        .join(format!("{tool}{}", target.platform.exe_suffix()));
    check_program(&program, &target, &host, env, own_exe, depth)?;

    let mut vars = childenv::vars(&layout, &config, &target);
    vars.push((PIN_VAR, target.goroot.clone().into_os_string()));
    vars.push((DEPTH_VAR, OsString::from((depth + 1).to_string())));
    Ok(Plan {
        program,
        target,
        vars,
        warnings,
        inuse,
    })
}

/// A pinned GOROOT came from a parent shim; its platform is in its directory name.
fn pinned_target(goroot: PathBuf, host: &Host) -> Target {
    let platform = goroot
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(gox_core::layout::parse_toolchain_dir_name)
        .map_or_else(|| host.platform.clone(), |(_, p)| p);
    Target { goroot, platform }
}

fn selection(env: &Environment, layout: &Layout) -> Result<Selection, ShimError> {
    select::select(env, layout)
        .map_err(ShimError::Select)?
        .ok_or_else(|| ShimError::NothingSelected {
            cwd: env.cwd().to_path_buf(),
        })
}

/// The toolchain directory for a selection on this host. When only a build for another
/// architecture is installed, that build is returned so the header check can refuse it
/// with the exact fix (or let it run under `GOX_ALLOW_ROSETTA`).
pub fn target_for(
    selection: &Selection,
    layout: &Layout,
    host: &Host,
) -> Result<Target, ShimError> {
    let version = resolved_version(selection, layout, host)?;
    installed_target(&version, layout, host).ok_or_else(|| not_installed(version, selection, host))
}

/// The exact version a selection stands for on this host (a spec resolved against the
/// installed toolchains).
fn resolved_version(
    selection: &Selection,
    layout: &Layout,
    host: &Host,
) -> Result<Version, ShimError> {
    match select::resolve_for(selection, layout, &host.platform) {
        Resolved::Version(v) => Ok(v),
        Resolved::Missing(spec) => Err(ShimError::NotInstalled(Box::new(Missing {
            what: spec.to_string(),
            platform: host.platform.clone(),
            source: selection.source.describe(),
            version: None,
        }))),
    }
}

fn not_installed(version: Version, selection: &Selection, host: &Host) -> ShimError {
    ShimError::NotInstalled(Box::new(Missing {
        what: version.to_string(),
        platform: host.platform.clone(),
        source: selection.source.describe(),
        version: Some(version),
    }))
}

/// The host's build of `version`, else another architecture's build for the same OS.
fn installed_target(version: &Version, layout: &Layout, host: &Host) -> Option<Target> {
    let native = native_target(version, layout, host);
    if native.goroot.is_dir() {
        return Some(native);
    }
    other_arch_target(version, layout, host)
}

/// [`installed_target`], marked in use. The mark's lock on the receipt doubles as the
/// existence check: a held mark means the directory is there, so the shim's usual run
/// needs no `stat` of it (a receipt-less toolchain, copied in by hand, is still found).
fn marked_target(
    version: &Version,
    layout: &Layout,
    host: &Host,
) -> Result<Option<(Target, inuse::InUse)>, ShimError> {
    let (native, inuse) = mark(native_target(version, layout, host))?;
    if inuse.held() || native.goroot.is_dir() {
        return Ok(Some((native, inuse)));
    }
    other_arch_target(version, layout, host)
        .map(mark)
        .transpose()
}

fn native_target(version: &Version, layout: &Layout, host: &Host) -> Target {
    Target {
        goroot: layout.toolchain(version, &host.platform),
        platform: host.platform.clone(),
    }
}

fn other_arch_target(version: &Version, layout: &Layout, host: &Host) -> Option<Target> {
    installed::installed(layout)
        .into_iter()
        .find(|t| &t.version == version && t.platform.os() == host.platform.os())
        .map(|t| Target {
            goroot: t.goroot,
            platform: t.platform,
        })
}

/// Marks `target` in use (see [`inuse`]), or says it is being uninstalled right now.
fn mark(target: Target) -> Result<(Target, inuse::InUse), ShimError> {
    // A replayed plan re-checks the receipt it locks (gox_core::observe).
    gox_core::observe::stat_if_recording(&target.goroot.join(gox_core::layout::RECEIPT_FILE));
    match inuse::hold(&target.goroot) {
        Ok(inuse) => Ok((target, inuse)),
        Err(inuse::BeingRemoved) => Err(ShimError::BeingRemoved { target }),
    }
}

fn check_program(
    program: &Path,
    target: &Target,
    host: &Host,
    env: &Environment,
    own_exe: Option<&Path>,
    depth: u32,
) -> Result<(), ShimError> {
    // Noted before the header is read: a replayed plan skips the check only while this
    // very file is in place.
    gox_core::observe::stat_if_recording(program);
    let info = match header::read_header(program) {
        Ok(info) => info,
        Err(HeaderError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            let tool = program
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            return Err(ShimError::NoSuchTool {
                go_tool: is_go_tool(&target.goroot, &tool),
                tool,
                goroot: target.goroot.clone(),
            });
        }
        Err(e) => return Err(ShimError::Header(e)),
    };
    if own_exe.is_some_and(|own| gox_core::environment::same_file(own, program)) {
        return Err(ShimError::Recursion {
            depth,
            program: Some(program.to_path_buf()),
        });
    }
    if decide_native(&info, host, env.flag("GOX_ALLOW_ROSETTA")) {
        return Ok(());
    }
    let version = target
        .goroot
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(gox_core::layout::parse_toolchain_dir_name)
        .map(|(v, _)| v)
        .ok_or_else(|| {
            ShimError::Header(HeaderError::NotExecutable {
                path: Some(program.to_path_buf()),
                what: "not inside a gox toolchain directory".to_string(),
            })
        })?;
    Err(ShimError::Refused(Box::new(Refusal {
        program: program.to_path_buf(),
        info,
        host: host.clone(),
        version,
    })))
}

/// Whether `tool` is one of Go's own tools (`pkg/tool/<os>_<arch>/vet`, …), which `go tool`
/// runs: only `go` and `gofmt` live in `bin/`.
fn is_go_tool(goroot: &Path, tool: &str) -> bool {
    goroot
        .join("pkg")
        .join("tool")
        .read_dir()
        .is_ok_and(|dirs| {
            dirs.flatten().any(|d| {
                d.path().join(tool).exists() || d.path().join(format!("{tool}.exe")).exists()
            })
        })
}

/// Runs natively, or the user explicitly allowed Rosetta for an x86_64 build on an Apple
/// Silicon Mac. Emulation elsewhere (arm64 Linux binaries on amd64) is never allowed: it
/// either fails outright or limps through qemu-user.
pub fn decide_native(info: &BinaryInfo, host: &Host, allow_rosetta: bool) -> bool {
    if info.runs_natively_on(&host.platform) {
        return true;
    }
    let rosetta_capable = host.platform.os() == "darwin" && host.platform.arch() == "arm64";
    allow_rosetta && rosetta_capable && info.os == Some("darwin") && info.has_arch("amd64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names() {
        assert_eq!(tool_name("/usr/local/bin/go"), Some("go"));
        assert_eq!(tool_name("gofmt.exe"), Some("gofmt"));
        assert_eq!(tool_name("/x/gox-shim"), None);
        assert_eq!(tool_name(""), None);
        assert_eq!(tool_name("go1.22.10"), None);
    }

    #[test]
    fn exact_versions() {
        let none = Environment::fake("/", Vec::<(&str, &str)>::new());
        let exact = |argv0: &str, env: &Environment| {
            exact_version(argv0, env).map(|v| v.as_str().to_string())
        };
        assert_eq!(exact("/s/go1.22.10", &none).as_deref(), Some("1.22.10"));
        assert_eq!(exact("go1.21rc2.exe", &none).as_deref(), Some("1.21rc2"));
        for plain in [
            "go",
            "gofmt",
            "gox-shim",
            "go1.x",
            "gopls",
            "go1.22.10.bak",
            "",
        ] {
            assert_eq!(exact(plain, &none), None, "{plain}");
        }
        let switching = Environment::fake("/", [(SWITCH_VERSION_VAR, "go1.22.10")]);
        assert_eq!(exact("/usr/bin/go", &switching).as_deref(), Some("1.22.10"));
        // Only `go` switches toolchains; `gofmt` keeps resolving.
        assert_eq!(exact("gofmt", &switching), None);
        let garbage = Environment::fake("/", [(SWITCH_VERSION_VAR, "local")]);
        assert_eq!(exact("go", &garbage), None);
    }
}
