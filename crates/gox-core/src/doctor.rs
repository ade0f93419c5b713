//! `gox doctor` (DESIGN.md, "doctor"): what is wrong with this machine's Go setup, and the
//! exact fix for each problem.
//!
//! Every check is a pure function of plain [`Facts`] that the CLI gathers (PATH, the
//! environment, the Go env file written by `go env -w`, the executable headers of installed
//! toolchains and of GOPATH/bin tools), so each one is tested with made-up facts. Nothing
//! here touches the filesystem: [`go_env_file`] only computes where the file is and
//! [`parse_go_env`] parses its text.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::environment::Environment;
use crate::goenv;
pub use crate::goenv::go_env_file;
use crate::host::Host;
use crate::layout::Layout;
use crate::pathname;
use crate::platform::Platform;
use crate::shell::Shell;
use crate::version::Version;

/// How bad a finding is. Only errors make `gox doctor` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Warn,
    Error,
}

/// One result of a check: a stable `id` (documented in docs/guide.md), what was found,
/// and the command that fixes it (`None` for [`Severity::Ok`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(id: &'static str, message: impl Into<String>) -> Self {
        Self {
            id,
            severity: Severity::Ok,
            message: message.into(),
            fix: None,
        }
    }

    fn warn(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            severity: Severity::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    fn error(id: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            severity: Severity::Error,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

/// The Go variables doctor looks at, in the environment and in the Go env file.
pub const GO_VARS: [&str; 6] = [
    "GOROOT",
    "GOPATH",
    "GOTOOLCHAIN",
    "GOARCH",
    "GOOS",
    "GOFLAGS",
];

/// Environment variables whose names start with this belong to `gox activate`'s hook
/// (`__GOX_STATE`); any of them means the shell runs the hook.
pub const HOOK_VAR_PREFIX: &str = "__GOX";

/// An executable as its header describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    pub path: PathBuf,
    /// The GOOS the header names (`darwin` for Mach-O, `windows` for PE), when it does.
    pub os: Option<String>,
    /// GOARCH names, one per recognised slice.
    pub archs: Vec<String>,
    /// What the CPU field says, for messages: `amd64 (Mach-O cputype 0x01000007)`.
    pub cpu: String,
    /// Runs on the host without Rosetta 2 or emulation.
    pub native: bool,
    /// The main package from the Go build info (`github.com/go-delve/delve/cmd/dlv`).
    pub package: Option<String>,
}

/// One installed toolchain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolchainFacts {
    pub version: Version,
    /// The platform its directory name claims.
    pub platform: Platform,
    pub goroot: PathBuf,
    /// The header of `bin/go`, or why it could not be read.
    pub go: Result<Binary, String>,
    /// The directory names under `pkg/tool` (`linux_amd64`).
    pub tool_dirs: Vec<String>,
    /// What no longer matches its install receipt (files deleted, `bin/go` changed, …).
    pub receipt_problems: Vec<String>,
}

/// A GOPATH/bin-style directory and the executables in it whose headers could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinDir {
    pub dir: PathBuf,
    pub binaries: Vec<Binary>,
}

/// The file `go env -w` writes, and what it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoEnvFile {
    pub path: PathBuf,
    pub vars: Vec<(String, String)>,
}

/// `PATH` as doctor sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFacts {
    /// The PATH entries, in order.
    pub entries: Vec<PathBuf>,
    /// The first executable `go` (`go.exe`) found walking PATH.
    pub first_go: Option<PathBuf>,
    /// `GOX_HOME/shims/go` exists.
    pub shims_installed: bool,
    /// Linux: the shims exist but their planner link (`shims/.gox`) leads to no file, so a
    /// shim without a current record looks for gox on PATH.
    pub planner_missing: bool,
}

/// Everything the checks look at, gathered by the CLI.
#[derive(Clone, Debug)]
pub struct Facts {
    pub host: Host,
    pub layout: Layout,
    /// The user's shell (from `$SHELL`), for the syntax of fixes.
    pub shell: Option<Shell>,
    /// `ZDOTDIR`: where zsh reads `.zshrc` from, when set.
    pub zdotdir: Option<PathBuf>,
    pub path: PathFacts,
    /// A `__GOX…` variable is set: this shell runs `gox activate`'s hook.
    pub activated: bool,
    /// [`GO_VARS`] set (non-empty) in the environment.
    pub env_vars: Vec<(String, String)>,
    pub go_env_file: Option<GoEnvFile>,
    /// `gopath_per_platform` from the config.
    pub gopath_per_platform: bool,
    /// `GOX_ALLOW_ROSETTA` is on.
    pub allow_rosetta: bool,
    pub toolchains: Vec<ToolchainFacts>,
    pub bin_dirs: Vec<BinDir>,
    /// `.staging-*` and `.trash-*` directories in `toolchains/`.
    pub leftovers: Vec<PathBuf>,
}

/// Runs every check, in the order the report prints them.
pub fn diagnose(facts: &Facts) -> Vec<Finding> {
    let mut findings = check_host(&facts.host);
    findings.extend(check_path(
        &facts.layout,
        &facts.path,
        facts.activated,
        facts.shell,
    ));
    findings.extend(check_shell(
        &facts.path,
        &facts.layout,
        facts.activated,
        (facts.shell, facts.zdotdir.as_deref()),
    ));
    findings.extend(check_go_env(facts));
    findings.extend(check_toolchains(
        &facts.host,
        &facts.toolchains,
        facts.allow_rosetta,
    ));
    findings.extend(check_tool_dirs(&facts.toolchains));
    findings.extend(check_leftovers(&facts.leftovers));
    findings.extend(check_bin_dirs(&facts.host, &facts.bin_dirs));
    findings
}

/// gox itself, or the shell that started it, running translated.
pub fn check_host(host: &Host) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mac = host.platform.os() == "darwin";
    if host.translated {
        if mac {
            findings.push(Finding::error(
                "gox-translated",
                format!(
                    "gox runs under Rosetta 2 (an x86_64 build of gox on this {} Mac); install the arm64 build of gox. \
                     It still installs native {} Go, but an x86_64 gox usually comes with an x86_64 shim, and every \
                     `go` then pays for translation",
                    host.platform, host.platform
                ),
                "cargo install --target aarch64-apple-darwin --path crates/gox && \
                 cargo install --target aarch64-apple-darwin --path shims (from a gox checkout; or install the darwin-arm64 release), then gox setup",
            ));
        } else {
            findings.push(Finding::error(
                "gox-translated",
                format!(
                    "gox runs under x64 emulation on this {} machine; install the {} build of gox",
                    host.platform, host.platform
                ),
                format!(
                    "install the {} build of gox (cargo install --target aarch64-pc-windows-msvc --path crates/gox and --path shims), then gox setup",
                    host.platform
                ),
            ));
        }
    }
    if host.parent_translated {
        findings.push(Finding::warn(
            "shell-translated",
            "the shell that started gox runs under Rosetta 2 (x86_64): `uname -m` says x86_64 in it, so a native \
             `go` builds cgo code for the wrong architecture",
            "arch -arm64 $SHELL   (or open a terminal that is not set to \"Open using Rosetta\")",
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            "host",
            format!("gox runs natively on {}", host.platform),
        ));
    }
    findings
}

/// Which `go` PATH finds first, and whether the shims exist.
pub fn check_path(
    layout: &Layout,
    path: &PathFacts,
    activated: bool,
    shell: Option<Shell>,
) -> Vec<Finding> {
    let shims = layout.shims();
    // Windows: `c:\users\me\…\Shims` on PATH is the same directory.
    let shims_on_path = path.entries.iter().any(|e| pathname::same(e, &shims));
    let mut findings = Vec::new();
    if path.shims_installed && path.planner_missing {
        findings.push(Finding::warn(
            "shims-planner",
            format!(
                "{} does not lead to gox: the shims run gox to decide when their record is not current, and now look for it on PATH (or fail without it)",
                layout.planner_link().display()
            ),
            "gox setup",
        ));
    }
    if shims_on_path && !path.shims_installed {
        findings.push(Finding::warn(
            "shims-missing",
            format!(
                "{} is on PATH but holds no `go` shim (gox setup has not run for this GOX_HOME)",
                shims.display()
            ),
            "gox setup",
        ));
    }
    let put_first = format!(
        "{}   (gox setup prints the line for your shell; put it after any other Go setup in your shell startup file)",
        shell.unwrap_or(Shell::Bash).prepend_path_line(&shims)
    );
    match &path.first_go {
        Some(go) if go.parent().is_some_and(|dir| pathname::same(dir, &shims)) => {
            findings.push(Finding::ok(
                "path",
                format!("`go` on PATH is the gox shim ({})", go.display()),
            ));
        }
        Some(go) if pathname::starts_with(go, &layout.toolchains()) => {
            findings.push(Finding::ok(
                "path",
                format!(
                    "`go` on PATH is {}, put there by `gox activate` or `gox env`",
                    go.display()
                ),
            ));
        }
        Some(go) if shims_on_path => findings.push(Finding::warn(
            "path-shadowed",
            format!(
                "{} comes before the gox shims ({}) on PATH: `go` runs that Go, not the one gox selects",
                go.display(),
                shims.display()
            ),
            put_first,
        )),
        Some(go) => findings.push(Finding::warn(
            "path-shadowed",
            format!(
                "`go` on PATH is {}, not gox's: the gox shims ({}) are not on PATH",
                go.display(),
                shims.display()
            ),
            if path.shims_installed {
                put_first
            } else {
                format!("gox setup, then {put_first}")
            },
        )),
        // Not activated and no shims on PATH: the shell check says what to do.
        None if activated || shims_on_path => findings.push(Finding::warn(
            "no-go-on-path",
            "no `go` on PATH: the shell is set up for gox, but no Go version is selected here",
            "gox use --global latest   (or `gox use VERSION` in this directory)",
        )),
        None => {}
    }
    findings
}

/// The shell uses gox: the shims are on PATH, or `gox activate`'s hook runs.
pub fn check_shell(
    path: &PathFacts,
    layout: &Layout,
    activated: bool,
    (shell, zdotdir): (Option<Shell>, Option<&Path>),
) -> Vec<Finding> {
    let shims = layout.shims();
    if activated {
        return vec![Finding::ok(
            "shell",
            "this shell runs the gox hook (gox activate)",
        )];
    }
    if path.entries.iter().any(|e| e == &shims) {
        return vec![Finding::ok("shell", "the gox shims are on PATH")];
    }
    let shell = shell.unwrap_or(Shell::Bash);
    let line = match shell {
        Shell::Bash => r#"eval "$(gox activate bash)""#,
        Shell::Zsh => r#"eval "$(gox activate zsh)""#,
        Shell::Fish => "gox activate fish | source",
        Shell::Pwsh => "gox activate pwsh | Out-String | Invoke-Expression",
    };
    let rc = shell.rc_file(zdotdir);
    vec![Finding::warn(
        "shell-not-activated",
        format!(
            "this shell is not set up for gox: {} is not on PATH and `gox activate` is not in effect, so `go` does not \
             go through gox",
            shims.display()
        ),
        format!("{line}   (add it to {rc}; or run `gox setup` and add the PATH line it prints)"),
    )]
}

/// Go variables in the environment or in the Go env file that fight gox.
pub fn check_go_env(facts: &Facts) -> Vec<Finding> {
    let shell = facts.shell.unwrap_or(Shell::Bash);
    let mut findings = Vec::new();
    for (key, value) in &facts.env_vars {
        if let Some(why) = go_var_problem(facts, key, value) {
            findings.push(Finding::warn(
                "env-var",
                format!("{key}={value} is set in the environment: {why}"),
                format!(
                    "{}   (and remove it from your shell startup file)",
                    shell.unset(key)
                ),
            ));
        }
    }
    if let Some(file) = &facts.go_env_file {
        for (key, value) in &file.vars {
            if let Some(why) = go_var_problem(facts, key, value) {
                findings.push(Finding::warn(
                    "go-env-file",
                    format!(
                        "{key}={value} is set by `go env -w` (in {}): {why}",
                        file.path.display()
                    ),
                    format!("go env -u {key}"),
                ));
            }
        }
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            "go-env",
            "no GOROOT, GOPATH, GOTOOLCHAIN, GOARCH, GOOS or GOFLAGS fighting gox (environment and go env -w)",
        ));
    }
    findings
}

/// Why `key=value` is a problem under gox, or `None` when it is harmless (gox's own
/// values, as `gox activate` and `gox env` export them; GOOS/GOARCH naming the host).
fn go_var_problem(facts: &Facts, key: &str, value: &str) -> Option<String> {
    let host = &facts.host.platform;
    let gopaths = facts.layout.home().join("gopath");
    match key {
        "GOROOT" if Path::new(value).starts_with(facts.layout.toolchains()) => None,
        "GOROOT" => Some(
            "the gox shims override it, but editors, scripts and anything else that runs `$GOROOT/bin/go` \
             use that Go instead of the one gox selects"
                .to_string(),
        ),
        "GOPATH" if !facts.gopath_per_platform || Path::new(value).starts_with(&gopaths) => None,
        "GOPATH" => Some(format!(
            "gox gives each platform its own GOPATH ({}), so `go install` through gox puts tools there, not in {value}",
            facts.layout.gopath(host).display()
        )),
        "GOTOOLCHAIN" if value == "local" => None,
        "GOTOOLCHAIN" => Some(
            "the gox shims force GOTOOLCHAIN=local, but a `go` started without them downloads and switches \
             toolchains behind gox's back"
                .to_string(),
        ),
        "GOARCH" if value == host.arch() => None,
        "GOARCH" => Some(format!(
            "every build cross-compiles for {value} (this machine is {host})"
        )),
        "GOOS" if value == host.os() => None,
        "GOOS" => Some(format!(
            "every build cross-compiles for {value} (this machine is {host})"
        )),
        "GOFLAGS" => Some(
            "these flags apply to every go command of every toolchain; keep them only if that is intended"
                .to_string(),
        ),
        _ => None,
    }
}

/// Why a binary for `os`/`archs` does not run natively on `host`.
fn not_native_reason(host: &Platform, os: Option<&str>, archs: &[String]) -> String {
    let apple_silicon = host.os() == "darwin" && host.arch() == "arm64";
    if apple_silicon && os == Some("darwin") && archs.iter().any(|a| a == "amd64") {
        "it runs under Rosetta 2 (slow; cgo, the race detector and debuggers break)".to_string()
    } else if os.is_none_or(|os| os == host.os()) {
        "it needs emulation or fails with `exec format error`".to_string()
    } else {
        format!("it does not run on {}", host.os())
    }
}

/// Installed toolchains whose binaries do not run natively here.
pub fn check_toolchains(
    host: &Host,
    toolchains: &[ToolchainFacts],
    allow_rosetta: bool,
) -> Vec<Finding> {
    let native = &host.platform;
    let mut findings = Vec::new();
    for tc in toolchains {
        let v = &tc.version;
        if !tc.receipt_problems.is_empty() {
            findings.push(Finding::warn(
                "toolchain-damaged",
                format!(
                    "Go {v} ({}) at {} no longer matches its install receipt: {}",
                    tc.platform,
                    tc.goroot.display(),
                    tc.receipt_problems.join("; ")
                ),
                format!("gox install {v} --platform {} --force", tc.platform),
            ));
            continue;
        }
        let bin = match &tc.go {
            Ok(bin) => bin,
            Err(why) => {
                findings.push(Finding::warn(
                    "toolchain-damaged",
                    format!(
                        "Go {v} ({}) at {} looks damaged: {why}",
                        tc.platform,
                        tc.goroot.display()
                    ),
                    format!("gox install {v} --platform {} --force", tc.platform),
                ));
                continue;
            }
        };
        if tc.platform == *native && bin.native {
            continue;
        }
        if tc.platform == *native {
            findings.push(Finding::warn(
                "toolchain-damaged",
                format!(
                    "Go {v} is installed as {native}, but {} is {}: not a {native} binary",
                    bin.path.display(),
                    bin.cpu
                ),
                format!("gox install {v} --force"),
            ));
            continue;
        }
        if bin.native {
            // A build for another platform that still runs here natively (it cannot be
            // selected by the shims for this host, but it is not wrong either).
            continue;
        }
        let reason = not_native_reason(native, bin.os.as_deref(), &bin.archs);
        let rosetta = reason.contains("Rosetta");
        let have_native = toolchains
            .iter()
            .any(|o| o.version == *v && o.platform == *native);
        let message = format!(
            "Go {v} is installed for {} ({}, {}) but this machine is {native}: {reason}",
            tc.platform,
            tc.goroot.display(),
            bin.cpu
        );
        if rosetta && allow_rosetta {
            findings.push(Finding::ok(
                "toolchain-not-native",
                format!("{message}; allowed by GOX_ALLOW_ROSETTA"),
            ));
            continue;
        }
        let uninstall = format!("gox uninstall {v} --platform {}", tc.platform);
        let fix = if have_native {
            format!("{uninstall}   (the {native} build is installed too; the shims use it)")
        } else {
            format!("gox install {v} --platform {native} && {uninstall}")
        };
        findings.push(Finding::warn("toolchain-not-native", message, fix));
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            "toolchains",
            match toolchains.len() {
                0 => "no toolchains installed yet (gox install latest)".to_string(),
                n => format!("{n} installed toolchain(s), all native to {native}"),
            },
        ));
    }
    findings
}

/// `pkg/tool/<os>_<arch>` directories for another platform inside a GOROOT: left over
/// from copying one toolchain tree over another.
pub fn check_tool_dirs(toolchains: &[ToolchainFacts]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for tc in toolchains {
        let own = tc.platform.tool_dir_name();
        for dir in tc.tool_dirs.iter().filter(|d| **d != own) {
            findings.push(Finding::warn(
                "stale-tool-dir",
                format!(
                    "{} holds tools for another platform ({dir}, expected only {own}): a leftover from copying \
                     toolchain trees",
                    tc.goroot.join("pkg").join("tool").join(dir).display()
                ),
                format!(
                    "gox install {} --platform {} --force",
                    tc.version, tc.platform
                ),
            ));
        }
    }
    findings
}

/// Staging and trash directories an interrupted install or uninstall left behind.
pub fn check_leftovers(leftovers: &[PathBuf]) -> Vec<Finding> {
    leftovers
        .iter()
        .map(|dir| {
            Finding::warn(
                "leftover-dir",
                format!(
                    "{} was left behind by an interrupted gox install or uninstall",
                    dir.display()
                ),
                format!(
                    "rm -rf {}   (when no gox install/uninstall is running)",
                    shell_word(&dir.to_string_lossy())
                ),
            )
        })
        .collect()
}

/// Executables in GOPATH/bin directories that do not run natively here (an x86_64 `dlv`
/// on Apple Silicon).
pub fn check_bin_dirs(host: &Host, dirs: &[BinDir]) -> Vec<Finding> {
    let native = &host.platform;
    let mut findings = Vec::new();
    let mut checked = 0;
    for dir in dirs {
        for bin in &dir.binaries {
            checked += 1;
            if bin.native {
                continue;
            }
            let name = bin
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let reason = not_native_reason(native, bin.os.as_deref(), &bin.archs);
            let rm = format!("rm {}", shell_word(&bin.path.to_string_lossy()));
            // `cmd/go` and friends come with the toolchain; only real packages reinstall.
            let fix = match bin.package.as_deref() {
                Some(pkg)
                    if pkg
                        .split('/')
                        .next()
                        .is_some_and(|first| first.contains('.')) =>
                {
                    format!(
                        "gox tools rebuild --wrong-arch   (reinstalls {pkg} with a {native} Go, the version it was built \
                         from; by hand: {rm} && go install {pkg}@latest through the gox shims)"
                    )
                }
                _ => format!(
                    "{rm}, then reinstall it with a {native} Go: `go install PACKAGE@latest` through the gox shims"
                ),
            };
            findings.push(Finding::warn(
                "gopath-bin-not-native",
                format!(
                    "{name} in {} is {}, but this machine is {native}: {reason}",
                    dir.dir.display(),
                    bin.cpu
                ),
                fix,
            ));
        }
    }
    if findings.is_empty() {
        findings.push(Finding::ok(
            "gopath-bin",
            match checked {
                0 => "no programs in GOPATH/bin directories".to_string(),
                n => format!("{n} program(s) in GOPATH/bin directories, all native to {native}"),
            },
        ));
    }
    findings
}

/// A path as one POSIX shell word (quoted only when it needs to be).
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b));
    if plain {
        s.to_string()
    } else {
        Shell::Bash.quote(s)
    }
}

/// Parses a Go env file as cmd/go does: `KEY=value` lines whose key starts with an
/// uppercase letter; anything else (comments, blank lines) is skipped; values are trimmed
/// on the right. Only the [`GO_VARS`] with a non-empty value are returned.
pub fn parse_go_env(text: &str) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = Vec::new();
    for (_, key, value) in goenv::entries(text) {
        if !GO_VARS.contains(&key) {
            continue;
        }
        let value = value.trim_end();
        // The last assignment wins, as in cmd/go.
        vars.retain(|(k, _)| k != key);
        if !value.is_empty() {
            vars.push((key.to_string(), value.to_string()));
        }
    }
    vars.sort_by_key(|(k, _)| GO_VARS.iter().position(|g| g == k));
    vars
}

/// The [`GO_VARS`] set in `env`, in [`GO_VARS`] order.
pub fn go_env_vars(env: &Environment) -> Vec<(String, String)> {
    GO_VARS
        .iter()
        .filter_map(|key| env.var(key).map(|v| ((*key).to_string(), v.to_string())))
        .collect()
}

/// Whether `gox activate`'s hook runs in this shell: a `__GOX…` variable is set.
pub fn hook_active(env: &Environment) -> bool {
    env.names().any(|name| name.starts_with(HOOK_VAR_PREFIX))
}

#[cfg(all(test, unix))]
mod tests;
