//! Version selection: which Go a directory wants (DESIGN.md, "Version selection"). One
//! implementation for the `go` shim, `gox env`, `current`, `which` and the shell hook.
//!
//! In order, the first that applies decides:
//!
//! 1. `GOX_VERSION` (a spec).
//! 2. The nearest explicit pin walking up from the working directory: in each directory
//!    `.go-version` first, then `.tool-versions`; the first directory holding either wins.
//!    A `.tool-versions` without a `golang`/`go` line is not a pin (as in asdf).
//! 3. The nearest `go.work` (or the file `GOWORK` names, unless it does not exist yet; none
//!    when `GOWORK=off`; `GOWORK` is the variable, else the line in Go's env file, read
//!    only once a go.work is found), else the nearest `go.mod` (unless it is the one in
//!    the system temp root, which the go command ignores): its `toolchain` line, as an
//!    exact version (`go1.22.5-custom` → `1.22.5`). Like the `go` command, gox ignores a
//!    toolchain line older than the file's `go` line: that toolchain could not build the
//!    module anyway.
//! 4. That same file's `go` line, as a minimum: the newest installed release of that minor
//!    at or above it, else exactly that version, where a language version names its first
//!    release (`go 1.22` → 1.22.0; `go 1.20` and `go 1.21rc1` stay as written). A go line
//!    that no Go can order (`go 1.22.0rc1`) asks for nothing, as to the go command.
//! 5. The global default, `GOX_HOME/default`.
//!
//! Otherwise [`select`] returns `Ok(None)`.
//!
//! go.work and go.mod are read as the go command reads them ([`parse_mod_file`]): what it
//! refuses (`go 1.21rc`, a no-break space, a byte-order mark, an unknown directive) is
//! refused here too.
//!
//! Selection and resolution are separate steps: [`select`] reads only small files (one
//! `stat` per candidate pin or go.work/go.mod, and only the chosen one is read), and
//! [`resolve_for`] lists the installed toolchains only when the request is not an exact
//! version, so an exact pin costs the shim no directory listing at all.
//!
//! Files that exist but are broken (a `.go-version` that is not UTF-8, an invalid version,
//! an empty `.go-version`) are errors naming the file and line, never skipped: a pin that
//! silently does not apply is worse than one that fails loudly. A missing file is simply no
//! pin.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::installed::installed_for;
use crate::layout::Layout;
use crate::platform::Platform;
use crate::version::{Spec, Version, VersionError};

mod files;
mod modfile;
#[cfg(test)]
mod tests;

pub use files::{parse_go_version_file, parse_tool_versions};
pub use modfile::{
    GoModInfo, ModFileKind, parse_go_mod, parse_go_work, parse_mod_file, switch_lines,
};

/// The variable that overrides every file.
pub const GOX_VERSION: &str = "GOX_VERSION";
/// goenv's pin file.
pub const GO_VERSION_FILE: &str = ".go-version";
/// asdf's (and mise's) pin file.
pub const TOOL_VERSIONS_FILE: &str = ".tool-versions";
pub const GO_WORK_FILE: &str = "go.work";
pub const GO_MOD_FILE: &str = "go.mod";

/// Files larger than this are not version files (nor any go.mod seen in the wild); reading
/// stops there instead of swallowing whatever was put in their place.
const MAX_FILE_BYTES: u64 = 4 << 20;

/// Which of the three kinds of source decided, as `gox current --json` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Env,
    File,
    Default,
}

impl SourceKind {
    /// `env`, `file` or `default`, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Env => "env",
            SourceKind::File => "file",
            SourceKind::Default => "default",
        }
    }
}

/// Exactly what decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The `GOX_VERSION` variable.
    GoxVersionEnv,
    /// A `.go-version` file.
    GoVersionFile,
    /// A `golang`/`go` line of a `.tool-versions` file.
    ToolVersions,
    /// The `toolchain` line of a go.work or go.mod.
    ToolchainLine,
    /// The `go` line of a go.work or go.mod, a minimum.
    GoLine,
    /// `GOX_HOME/default`.
    DefaultFile,
}

impl Origin {
    pub fn kind(self) -> SourceKind {
        match self {
            Origin::GoxVersionEnv => SourceKind::Env,
            Origin::DefaultFile => SourceKind::Default,
            Origin::GoVersionFile
            | Origin::ToolVersions
            | Origin::ToolchainLine
            | Origin::GoLine => SourceKind::File,
        }
    }
}

/// Where a selection came from: the file and 1-based line, when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub origin: Origin,
    pub path: Option<PathBuf>,
    pub line: Option<usize>,
}

impl Source {
    pub fn kind(&self) -> SourceKind {
        self.origin.kind()
    }

    /// For people: `GOX_VERSION`, `/p/.go-version:1`, `/p/go.mod:5 (toolchain line)`,
    /// `/p/go.mod:3 (go line, minimum)`, `default (/h/default)`.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(path) = &self.path else {
            return match self.origin {
                Origin::GoxVersionEnv => f.write_str(GOX_VERSION),
                Origin::DefaultFile => f.write_str("default"),
                _ => write!(f, "{:?}", self.origin),
            };
        };
        let path = path.display();
        if self.origin == Origin::DefaultFile {
            return write!(f, "default ({path})");
        }
        match self.line {
            Some(line) => write!(f, "{path}:{line}")?,
            None => write!(f, "{path}")?,
        }
        match self.origin {
            Origin::ToolchainLine => f.write_str(" (toolchain line)"),
            Origin::GoLine => f.write_str(" (go line, minimum)"),
            _ => Ok(()),
        }
    }
}

/// What the deciding source asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// A spec: exact (`1.22.5`, a toolchain line) or partial (`1.22`, `latest`), which
    /// resolves to the newest installed match.
    Spec(Spec),
    /// A go.work/go.mod `go` line: the newest installed release of this version's minor at
    /// or above it, else this version. Language versions are already turned into their first
    /// release (`go 1.22` is `Minimum(1.22.0)`).
    Minimum(Version),
}

impl Request {
    /// Whether resolving needs the list of installed versions (everything but an exact
    /// version does).
    pub fn needs_installed(&self) -> bool {
        !matches!(self, Request::Spec(Spec::Exact(_)))
    }

    /// See [`Selection::resolve`].
    pub fn resolve(&self, installed: &[Version]) -> Resolved {
        match self {
            Request::Spec(Spec::Exact(version)) => Resolved::Version(version.clone()),
            Request::Spec(spec) => match spec.pick(installed) {
                Some(version) => Resolved::Version(version.clone()),
                None => Resolved::Missing(spec.clone()),
            },
            Request::Minimum(minimum) => installed
                .iter()
                .filter(|v| v.same_lang(minimum) && v.is_go_valid() && *v >= minimum)
                .max()
                .unwrap_or(minimum)
                .clone()
                .into(),
        }
    }
}

/// The outcome of [`select`]: what is asked for, who asked, and the text as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub request: Request,
    pub source: Source,
    /// The value as written in its source (`1.22`, `go1.22.5-custom`), for messages.
    pub raw: String,
}

impl Selection {
    /// The version this selection means, given the versions installed for the target
    /// platform (any order). Exact specs are themselves whether installed or not (the caller
    /// checks the directory); partial specs are the newest installed match, or
    /// [`Resolved::Missing`]; a minimum is the newest installed release of its minor at or
    /// above it, else the minimum itself.
    pub fn resolve(&self, installed: &[Version]) -> Resolved {
        self.request.resolve(installed)
    }
}

/// A selection turned into a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Version(Version),
    /// A partial spec that nothing installed matches: `gox install <spec>` would fix it.
    Missing(Spec),
}

impl Resolved {
    pub fn version(&self) -> Option<&Version> {
        match self {
            Resolved::Version(version) => Some(version),
            Resolved::Missing(_) => None,
        }
    }
}

impl From<Version> for Resolved {
    fn from(version: Version) -> Self {
        Resolved::Version(version)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A version file that exists but cannot be used. `text` is the offending line as
    /// written (trimmed); `reason` says what is wrong and how to fix it.
    #[error("{}:{line}: {reason}", path.display())]
    BadFile {
        path: PathBuf,
        line: usize,
        text: String,
        reason: String,
    },
    #[error("{var}={value:?}: {reason}")]
    BadEnv {
        var: &'static str,
        value: String,
        reason: String,
    },
    /// A file that exists but cannot be read (permission denied, I/O error…).
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
}

impl SelectError {
    /// The file at fault, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            SelectError::BadFile { path, .. } | SelectError::Read { path, .. } => Some(path),
            SelectError::BadEnv { .. } => None,
        }
    }
}

/// Decides which Go version `env` asks for (see the module documentation for the order).
///
/// Reads `GOX_VERSION` and `GOWORK` through `env`, walks up from `env.cwd()`, and reads
/// `layout.default_file()` last. Returns `Ok(None)` when nothing selects a version.
pub fn select(env: &Environment, layout: &Layout) -> Result<Option<Selection>, SelectError> {
    if let Some(value) = env.var(GOX_VERSION) {
        let raw = value.trim();
        let spec = Spec::parse(raw).map_err(|e| SelectError::BadEnv {
            var: GOX_VERSION,
            value: value.to_owned(),
            reason: spec_reason(&e),
        })?;
        return Ok(Some(Selection {
            request: Request::Spec(spec),
            source: Source {
                origin: Origin::GoxVersionEnv,
                path: None,
                line: None,
            },
            raw: raw.to_owned(),
        }));
    }

    let mut buf = Vec::new();
    let mut dir = env.cwd().to_path_buf();
    loop {
        if let Some(selection) = pin_in(&mut dir, &mut buf)? {
            return Ok(Some(selection));
        }
        if !dir.pop() || dir.as_os_str().is_empty() {
            break;
        }
    }

    // A second walk rather than probing go.work/go.mod during the first: when a pin decides,
    // those `stat`s would have been wasted, and otherwise the count is the same.
    dir.clear();
    dir.push(env.cwd());
    if let Some(file) = ModuleFiles::find(env, dir)?.read(&mut buf)?
        && let Some(selection) = module_selection(file)?
    {
        return Ok(Some(selection));
    }

    read_default(layout, &mut buf)
}

/// Step 5 alone: what the global default (`GOX_HOME/default`) selects, wherever one is.
/// `gox prune` keeps it regardless of the directory it runs in.
pub fn default_selection(layout: &Layout) -> Result<Option<Selection>, SelectError> {
    read_default(layout, &mut Vec::new())
}

fn read_default(layout: &Layout, buf: &mut Vec<u8>) -> Result<Option<Selection>, SelectError> {
    let path = layout.default_file();
    if !read_file(&path, buf)? {
        return Ok(None);
    }
    let text = utf8(&path, from_utf16(buf))?;
    spec_pin(
        &path,
        Origin::DefaultFile,
        text,
        parse_go_version_file(text),
    )
}

/// Whether `text` is a global default as `gox use --global` writes it: what [`select`] reads
/// from `GOX_HOME/default` (one version spec) and nothing more besides blank lines and
/// comments. `gox self uninstall --all` removes a `default` file only then: in a shared
/// GOX_HOME (`GOX_HOME=$HOME`), one holding anything else is the user's.
pub fn is_default_file(text: &str) -> bool {
    let parsed = parse_go_version_file(text);
    let Ok(Some(pin)) = spec_pin(Path::new("default"), Origin::DefaultFile, text, parsed) else {
        return false;
    };
    // The reader stops at the version's line; a file gox wrote has no other to read.
    let line = pin.source.line.unwrap_or(0);
    text.lines()
        .skip(line)
        .all(|rest| matches!(parse_go_version_file(rest), Ok(None)))
}

/// [`Selection::resolve`] with the versions installed for `platform` in `layout`, which are
/// listed only when the request needs them (not for an exact version).
pub fn resolve_for(selection: &Selection, layout: &Layout, platform: &Platform) -> Resolved {
    if !selection.request.needs_installed() {
        return selection.resolve(&[]);
    }
    let installed: Vec<Version> = installed_for(layout, platform)
        .into_iter()
        .map(|toolchain| toolchain.version)
        .collect();
    selection.resolve(&installed)
}

/// The `go` line of the go.work or go.mod that applies to `env.cwd()` (found as in
/// [`select`], regardless of what decided), for `gox current`'s warning.
///
/// The version is returned as written, so Go's ordering answers whether a toolchain
/// satisfies it: `go 1.22` is the language version, which 1.22rc1 already satisfies. A go
/// line that no Go can order (`go 1.22.0rc1`) asks for nothing, as to the go command.
pub fn module_minimum(env: &Environment) -> Result<Option<(Version, Source)>, SelectError> {
    let mut buf = Vec::new();
    let Some(file) = ModuleFiles::find(env, env.cwd().to_path_buf())?.read(&mut buf)? else {
        return Ok(None);
    };
    let info = file.parse()?;
    let Some((version, line)) = go_line(&info) else {
        return Ok(None);
    };
    Ok(Some((
        version,
        Source {
            origin: Origin::GoLine,
            path: Some(file.path),
            line: Some(line),
        },
    )))
}

/// The pin in one directory, if any: `.go-version`, else a `.tool-versions` with a Go line.
fn pin_in(dir: &mut PathBuf, buf: &mut Vec<u8>) -> Result<Option<Selection>, SelectError> {
    for (name, origin) in [
        (GO_VERSION_FILE, Origin::GoVersionFile),
        (TOOL_VERSIONS_FILE, Origin::ToolVersions),
    ] {
        dir.push(name);
        let found = read_if_file(dir, buf);
        let selection = match found {
            Ok(false) => Ok(None),
            Ok(true) => utf8(dir, from_utf16(buf)).and_then(|text| {
                let parsed = if origin == Origin::GoVersionFile {
                    parse_go_version_file(text)
                } else {
                    parse_tool_versions(text)
                };
                spec_pin(dir, origin, text, parsed)
            }),
            Err(e) => Err(e),
        };
        dir.pop();
        if let Some(selection) = selection? {
            return Ok(Some(selection));
        }
    }
    Ok(None)
}

/// A `.go-version`, `.tool-versions` or default file's parse result as a selection. An
/// empty `.go-version` or default file is an error (as in goenv: a pin file that pins
/// nothing is a mistake worth hearing about); a `.tool-versions` without Go is no pin.
fn spec_pin(
    path: &Path,
    origin: Origin,
    text: &str,
    parsed: Result<Option<(String, usize)>, (usize, String)>,
) -> Result<Option<Selection>, SelectError> {
    let (raw, line) = match parsed {
        Ok(Some(found)) => found,
        Ok(None) if origin == Origin::ToolVersions => return Ok(None),
        Ok(None) => {
            return Err(SelectError::BadFile {
                path: path.to_path_buf(),
                line: 1,
                text: String::new(),
                reason: "empty version file: write a version like 1.22.5 in it, or delete it"
                    .to_owned(),
            });
        }
        Err((line, reason)) => return Err(bad_file(path, text, line, reason)),
    };
    let spec = Spec::parse(&raw).map_err(|e| bad_file(path, text, line, spec_reason(&e)))?;
    Ok(Some(Selection {
        request: Request::Spec(spec),
        source: Source {
            origin,
            path: Some(path.to_path_buf()),
            line: Some(line),
        },
        raw,
    }))
}

/// Steps 3 and 4 for the chosen go.work/go.mod: a file the go command refuses is refused,
/// and the lines are those its toolchain switch reads ([`switch_lines`]).
fn module_selection(file: ModuleText<'_>) -> Result<Option<Selection>, SelectError> {
    let strict = file.parse()?;
    let info = switch_lines(&file.text);
    let go = go_line(&info);
    if let Some((raw, line)) = info.toolchain {
        let elsewhere = strict.toolchain.as_ref().is_none_or(|(_, l)| *l != line);
        let version = toolchain_version(&file, &raw, line, elsewhere)?;
        // Go ignores a toolchain line older than the go line (`go 1.23.0` with `toolchain
        // go1.22.5`), and so does gox: that toolchain refuses to build the module.
        if go.as_ref().is_none_or(|(go, _)| version >= *go) {
            return Ok(Some(Selection {
                request: Request::Spec(Spec::Exact(version)),
                source: Source {
                    origin: Origin::ToolchainLine,
                    path: Some(file.path),
                    line: Some(line),
                },
                raw,
            }));
        }
    }
    let (Some((go, line)), Some((raw, _))) = (go, info.go) else {
        return Ok(None);
    };
    Ok(Some(Selection {
        request: Request::Minimum(first_release(go)),
        source: Source {
            origin: Origin::GoLine,
            path: Some(file.path),
            line: Some(line),
        },
        raw,
    }))
}

/// The go line's version and line. Its syntax is checked already (modfile's), but that
/// syntax admits versions no Go can order (`1.22.0rc1`, `1.21rc01`): to the go command those
/// compare below every release, so they ask for nothing, and here they are no go line.
fn go_line(info: &GoModInfo) -> Option<(Version, usize)> {
    let (raw, line) = info.go.as_ref()?;
    Version::parse(raw).ok().map(|version| (version, *line))
}

/// A toolchain line's version, as the go command takes it before switching (gover's
/// `FromToolchain`): `go1.22.5`, with a custom build suffix after `-` ignored
/// (`go1.22.5-custom`). Anything else the syntax admits (`go1.22.5+auto`, `go1.22.0rc1`) the
/// go command refuses to run ("invalid toolchain"), and so does gox. A language version
/// (`go1.22`) names no release, so it means the first one (1.22.0), as for go lines.
fn toolchain_version(
    file: &ModuleText<'_>,
    raw: &str,
    line: usize,
    elsewhere: bool,
) -> Result<Version, SelectError> {
    let parsed = match raw.strip_prefix("go") {
        _ if raw.contains(['/', '\\']) => Err("a toolchain name has no `/` or `\\`".to_owned()),
        None => Err("a toolchain name starts with `go`".to_owned()),
        Some(name) => {
            let version = name.split(['-', ' ', '\t']).next().unwrap_or(name);
            Version::parse(version).map_err(|e| e.to_string())
        }
    };
    parsed.map(first_release).map_err(|e| {
        // A block line like `toolchain => ../x` (a module named toolchain) read as the
        // toolchain line, as the go command's switch reads it.
        let note = if elsewhere {
            "; the go command takes the first line starting with `toolchain` for the toolchain line"
        } else {
            ""
        };
        let reason = format!(
            "`{raw}` is not a toolchain the go command can run ({e}{note}): write it like \
             `toolchain go1.22.5`, with any custom build suffix after a `-` (`go1.22.5-custom`)"
        );
        bad_file(&file.path, &file.text, line, reason)
    })
}

/// `1.22` (a language version, Go ≥ 1.21) → `1.22.0`; every other version is itself.
fn first_release(version: Version) -> Version {
    if !version.is_lang() {
        return version;
    }
    Version::parse(&format!("{}.0", version.as_str())).unwrap_or(version)
}

/// Where go.work and go.mod are: one `stat` per candidate walking up, stopping as soon as
/// nothing further up can change the answer; nothing is read until one is needed.
struct ModuleFiles<'e> {
    env: &'e Environment,
    gowork: GoWork,
    work: Option<PathBuf>,
    module: Option<PathBuf>,
}

/// What `GOWORK` says, as the go command reads it: the variable, else Go's env file.
enum GoWork {
    /// Unset, empty or `auto`: the nearest go.work walking up.
    Walk,
    /// `off`: no workspace.
    Off,
    /// An absolute path: that file.
    File(PathBuf),
}

impl GoWork {
    /// `None` for a relative path, which the go command refuses ("invalid GOWORK: not an
    /// absolute path").
    fn parse(value: &str) -> Option<GoWork> {
        match value {
            "" | "auto" => Some(GoWork::Walk),
            "off" => Some(GoWork::Off),
            path if Path::new(path).is_absolute() => Some(GoWork::File(PathBuf::from(path))),
            _ => None,
        }
    }
}

const GOWORK_VALUES: &str = "`off`, `auto` or the absolute path of a go.work file";

impl<'e> ModuleFiles<'e> {
    /// Walks up from `dir` (the working directory).
    fn find(env: &'e Environment, mut dir: PathBuf) -> Result<Self, SelectError> {
        let variable = env.var("GOWORK");
        let gowork = match variable {
            Some(value) => GoWork::parse(value).ok_or_else(|| SelectError::BadEnv {
                var: "GOWORK",
                value: value.to_owned(),
                reason: format!(
                    "the go command refuses a relative GOWORK; set it to {GOWORK_VALUES}, or unset it"
                ),
            })?,
            None => GoWork::Walk,
        };
        let mut found = Self {
            env,
            gowork,
            work: None,
            module: None,
        };
        // With GOWORK naming a file, that file decides, and only the nearest go.mod is
        // looked for (for when the file does not exist yet: `go work init` creates it).
        let mut walk_work = matches!(found.gowork, GoWork::Walk);
        loop {
            if walk_work && probe_file(&mut dir, GO_WORK_FILE) {
                // Only now can Go's env file matter, so only now is it read: the shim's
                // usual run has no go.work and costs nothing more.
                match variable.map_or_else(|| gowork_from_env_file(env), |_| Ok(None))? {
                    None | Some(GoWork::Walk) => {
                        dir.push(GO_WORK_FILE);
                        found.work = Some(dir);
                        return Ok(found);
                    }
                    Some(setting) => {
                        found.gowork = setting;
                        walk_work = false;
                        if found.module.is_some() {
                            return Ok(found);
                        }
                    }
                }
            }
            if found.module.is_none() && probe_file(&mut dir, GO_MOD_FILE) {
                dir.push(GO_MOD_FILE);
                found.module = Some(dir.clone());
                dir.pop();
                if !walk_work {
                    return Ok(found);
                }
            }
            if !dir.pop() || dir.as_os_str().is_empty() {
                return Ok(found);
            }
        }
    }

    /// Reads the file that applies: go.work if there is one, else go.mod (unless it is the
    /// one in the system temp root, which the go command ignores).
    fn read(self, buf: &mut Vec<u8>) -> Result<Option<ModuleText<'_>>, SelectError> {
        let (path, kind) = match self.gowork {
            GoWork::File(path) => {
                if read_file(&path, buf)? {
                    return ModuleText::new(path, ModFileKind::GoWork, buf).map(Some);
                }
                // Not there (yet): the go command still runs (`go work init` is how the file
                // gets made, `go version` and `go env` work), so selection goes on with
                // the module, as with no workspace.
                match self.module {
                    Some(path) => (path, ModFileKind::GoMod),
                    None => return Ok(None),
                }
            }
            GoWork::Walk | GoWork::Off => match (self.work, self.module) {
                (Some(work), _) => (work, ModFileKind::GoWork),
                (None, Some(module)) => (module, ModFileKind::GoMod),
                (None, None) => return Ok(None),
            },
        };
        if kind == ModFileKind::GoMod && in_system_temp_root(&path, self.env) {
            return Ok(None);
        }
        // Found by `stat` a moment ago; gone now means no file.
        if !read_file(&path, buf)? {
            return Ok(None);
        }
        ModuleText::new(path, kind, buf).map(Some)
    }
}

/// `GOWORK` as Go's env file sets it (`go env -w` refuses to, but the go command reads a
/// line written there by hand). A file that is missing or unreadable sets nothing, as for
/// the go command.
fn gowork_from_env_file(env: &Environment) -> Result<Option<GoWork>, SelectError> {
    let Some(path) = crate::goenv::go_env_file(env, std::env::consts::OS) else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    if !matches!(read_file(&path, &mut buf), Ok(true)) {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&buf);
    let Some((value, line)) = crate::goenv::lookup(&text, "GOWORK") else {
        return Ok(None);
    };
    GoWork::parse(value)
        .map(Some)
        .ok_or_else(|| SelectError::BadFile {
            reason: format!(
                "GOWORK in Go's env file is not an absolute path, which the go command refuses \
             (\"invalid GOWORK\"): set it to {GOWORK_VALUES} in this file, or delete the line"
            ),
            text: format!("GOWORK={value}"),
            line,
            path,
        })
}

/// The text of the go.work or go.mod that applies.
struct ModuleText<'b> {
    path: PathBuf,
    kind: ModFileKind,
    /// Bytes that are not UTF-8 read as U+FFFD, as the go command reads them: fine in a
    /// comment, an error anywhere else.
    text: Cow<'b, str>,
}

impl<'b> ModuleText<'b> {
    fn new(path: PathBuf, kind: ModFileKind, bytes: &'b [u8]) -> Result<Self, SelectError> {
        let text = match utf8(&path, bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(e) if is_utf16(bytes) => return Err(e),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        Ok(Self { path, kind, text })
    }

    fn parse(&self) -> Result<GoModInfo, SelectError> {
        parse_mod_file(&self.text, self.kind)
            .map_err(|(line, reason)| bad_file(&self.path, &self.text, line, reason))
    }
}

/// Whether `go_mod` is the go.mod in the system temp root, which the go command ignores
/// ("go: warning: ignoring go.mod in system temp root"): an experiment left in /tmp would
/// otherwise capture every directory below it. Like cmd/go, the directory is the temp
/// root when the two paths are equal as written or once symbolic links are resolved; either
/// way the temp root then holds this very go.mod, so one failed `stat` settles the usual
/// case.
fn in_system_temp_root(go_mod: &Path, env: &Environment) -> bool {
    let (Some(dir), temp) = (go_mod.parent(), system_temp_dir(env)) else {
        return false;
    };
    if dir == temp {
        return true;
    }
    // cmd/go compares a relative temp dir with the absolute module root: never equal.
    if !temp.is_absolute()
        || !crate::observe::metadata(&temp.join(GO_MOD_FILE)).is_ok_and(|m| m.is_file())
    {
        return false;
    }
    // Resolving links is more than a replayed `stat` can re-check.
    crate::observe::unrecordable();
    let dir_real = std::fs::canonicalize(dir).ok();
    let temp_real = std::fs::canonicalize(&temp).ok();
    [Some(dir), dir_real.as_deref()]
        .into_iter()
        .flatten()
        .any(|d| [Some(temp.as_path()), temp_real.as_deref()].contains(&Some(d)))
}

/// The go command's `os.TempDir()`: `$TMPDIR`, else `/tmp`; on Windows `%TMP%`, `%TEMP%`,
/// `%USERPROFILE%`, else the Windows directory.
pub fn system_temp_dir(env: &Environment) -> PathBuf {
    if cfg!(windows) {
        return ["TMP", "TEMP", "USERPROFILE"]
            .into_iter()
            .find_map(|var| env.path_var(var))
            .unwrap_or_else(std::env::temp_dir);
    }
    env.path_var("TMPDIR").unwrap_or_else(|| {
        PathBuf::from(if cfg!(target_os = "android") {
            "/data/local/tmp"
        } else {
            "/tmp"
        })
    })
}

/// Whether `dir/name` is a file (following links), as the go command checks for go.mod.
fn probe_file(dir: &mut PathBuf, name: &str) -> bool {
    dir.push(name);
    let found = crate::observe::metadata(dir).is_ok_and(|m| m.is_file());
    dir.pop();
    found
}

/// [`read_file`] after a `stat`: most candidate pins do not exist, and a failed `stat` is
/// cheaper than a failed `open` (which sets up an open file before looking the name up:
/// measured 1.2 against 1.9 µs). Anything but a regular file is no pin (a FIFO would block
/// the read); a `stat` error other than "absent" is left to `read_file` to report.
fn read_if_file(path: &Path, buf: &mut Vec<u8>) -> Result<bool, SelectError> {
    match crate::observe::metadata(path) {
        Ok(meta) if !meta.is_file() => Ok(false),
        Err(e) if is_absent(&e) => Ok(false),
        _ => read_file(path, buf),
    }
}

/// Reads `path` into `buf` (cleared first). `Ok(false)` when there is no such file (or it
/// is a directory); other failures are errors.
fn read_file(path: &Path, buf: &mut Vec<u8>) -> Result<bool, SelectError> {
    buf.clear();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if is_absent(&e) || path.is_dir() => {
            crate::observe::stat_if_recording(path);
            return Ok(false);
        }
        Err(e) => return Err(read_error(path, &e)),
    };
    // The identity of what is about to be read (the file may have been replaced since an
    // earlier `stat` of its name): a record must describe these very contents.
    if crate::observe::active() {
        crate::observe::path(path, &file.metadata());
    }
    if buf.capacity() < 512 {
        buf.reserve(512);
    }
    // Through a plain `Read`, so no `statx`/`lseek` for a size hint: version files are tiny,
    // and go.mod files a few KB.
    match Plain(&file).take(MAX_FILE_BYTES + 1).read_to_end(buf) {
        Ok(_) if buf.len() as u64 > MAX_FILE_BYTES => Err(SelectError::Read {
            path: path.to_path_buf(),
            message: format!(
                "larger than {} MiB: not a version file",
                MAX_FILE_BYTES >> 20
            ),
        }),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::IsADirectory => Ok(false),
        Err(e) => Err(read_error(path, &e)),
    }
}

struct Plain<'a>(&'a File);

impl Read for Plain<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut file = self.0;
        file.read(buf)
    }
}

fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
    )
}

fn read_error(path: &Path, e: &io::Error) -> SelectError {
    SelectError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The file's text, or a [`SelectError::BadFile`] naming the line of the first bad byte.
fn utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, SelectError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        SelectError::BadFile {
            path: path.to_path_buf(),
            line: bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1,
            text: String::from_utf8_lossy(&bytes[line_start..line_end])
                .trim()
                .to_owned(),
            reason: if is_utf16(bytes) {
                "the file is UTF-16 text; save it as UTF-8".to_owned()
            } else {
                "not valid UTF-8 text; save the file as UTF-8".to_owned()
            },
        }
    })
}

/// gox's own files (`.go-version`, `.tool-versions`, the default) as UTF-8: a file that
/// starts with a UTF-16 byte-order mark is decoded in place, since that is what Windows
/// PowerShell 5.1's `"1.22.10" > .go-version` writes. go.mod and go.work are not: the go
/// command refuses UTF-16 there, and gox reads them as it does. A file that is not valid
/// UTF-16 after all is left as it is (and reported as UTF-16 text).
fn from_utf16(buf: &mut Vec<u8>) -> &[u8] {
    let big_endian = match buf.get(..2) {
        Some([0xff, 0xfe]) => false,
        Some([0xfe, 0xff]) => true,
        _ => return buf,
    };
    if !buf.len().is_multiple_of(2) {
        return buf;
    }
    let units = buf[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    if let Ok(text) = char::decode_utf16(units).collect::<Result<String, _>>() {
        *buf = text.into_bytes();
    }
    buf
}

/// A UTF-16 byte-order mark.
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff])
}

fn bad_file(path: &Path, text: &str, line: usize, reason: String) -> SelectError {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    SelectError::BadFile {
        path: path.to_path_buf(),
        line,
        text: text
            .lines()
            .nth(line.wrapping_sub(1))
            .unwrap_or_default()
            .trim()
            .to_owned(),
        reason,
    }
}

/// A spec error, with a hint unless it already lists what a spec can be.
fn spec_reason(e: &VersionError) -> String {
    match e {
        VersionError::UnknownSpec { .. } => e.to_string(),
        _ => format!("{e}; write a version like 1.22.5"),
    }
}
