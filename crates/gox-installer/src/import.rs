//! `gox import`: take over toolchains another manager (goenv, gvm, asdf, mise, voidint/g,
//! gobrew, golang.org/dl, Scoop) or the system (`/usr/local/go`, Homebrew; on Windows
//! `%ProgramFiles%\Go` from the MSI, winget or Chocolatey, `%ProgramFiles(x86)%\Go` from
//! the 386 MSI) installed.
//!
//! Three steps, each usable alone: [`roots`] says where each manager keeps toolchains (pure:
//! from the environment only), [`discover`] lists the candidate trees there, [`plan`]
//! verifies every candidate exactly as a download is verified and decides import / skip /
//! refuse, and [`import`] carries out one planned import through the same lock, staging
//! directory, receipt and atomic rename as an install ([`crate::transaction`]). `--dry-run`
//! prints the plan, so it always shows exactly what the import does.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gox_core::installed::installed;
use gox_core::layout::Layout;
use gox_core::{Environment, Platform, Version};
use gox_verifier::tree::{VerifyError, identify_platform, verify_release};

use crate::error::InstallError;
use crate::receipt::{Receipt, now_unix};
use crate::transaction::Transaction;

/// The variable that replaces the system places searched (`/usr/local` and `/opt/homebrew`;
/// on Windows `%ProgramFiles%\Go` and `%ProgramFiles(x86)%\Go`): a path list, each prefix P giving `P/go` and
/// `P/Cellar/go/*/libexec`. Tests point it at a fake prefix; users can add e.g. a
/// company-wide install.
pub const SYSTEM_PREFIXES_VAR: &str = "GOX_IMPORT_PREFIXES";

/// Who installed a toolchain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    Goenv,
    Gvm,
    Asdf,
    Mise,
    G,
    Gobrew,
    GolangDl,
    /// Windows: `scoop install go` (per user or `--global`).
    Scoop,
    /// `/usr/local/go` (the tarball); on Windows `%ProgramFiles%\Go`, where the official
    /// MSI, winget and Chocolatey all put it, and `%ProgramFiles(x86)%\Go` (the 386 MSI).
    System,
    Homebrew,
    /// A directory given on the command line.
    Dir,
}

impl Manager {
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Goenv => "goenv",
            Manager::Gvm => "gvm",
            Manager::Asdf => "asdf",
            Manager::Mise => "mise",
            Manager::G => "g",
            Manager::Gobrew => "gobrew",
            Manager::GolangDl => "golang.org/dl",
            Manager::Scoop => "scoop",
            Manager::System => "system",
            Manager::Homebrew => "homebrew",
            Manager::Dir => "dir",
        }
    }
}

/// A place toolchains live: `dir/<entry>/<suffix>` for every entry whose name starts with
/// `prefix` (and that holds `marker`, when set), or `dir` itself when `single`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    pub manager: Manager,
    pub dir: PathBuf,
    pub prefix: &'static str,
    pub suffix: &'static str,
    pub marker: Option<&'static str>,
    pub single: bool,
}

impl Root {
    fn entries(manager: Manager, dir: PathBuf, prefix: &'static str, suffix: &'static str) -> Self {
        Self {
            manager,
            dir,
            prefix,
            suffix,
            marker: None,
            single: false,
        }
    }
}

/// Where each manager keeps its toolchains on this OS, from the environment alone (HOME and
/// the managers' own variables), in a fixed order.
pub fn roots(env: &Environment) -> Vec<Root> {
    roots_for(env, cfg!(windows))
}

/// [`roots`] with the OS as a parameter, so that the Windows list (Scoop, Program Files) is
/// tested on every OS. `windows`: Scoop's places are added, and the system defaults are
/// `%ProgramFiles%\Go` and `%ProgramFiles(x86)%\Go` instead of `/usr/local` and
/// `/opt/homebrew`.
fn roots_for(env: &Environment, windows: bool) -> Vec<Root> {
    let mut roots = Vec::new();
    let home = env.home();
    let under = |var: &str, fallback: &str| -> Option<PathBuf> {
        env.path_var(var)
            .or_else(|| home.as_ref().map(|h| h.join(fallback)))
    };
    if let Some(dir) = under("GOENV_ROOT", ".goenv") {
        roots.push(Root::entries(Manager::Goenv, dir.join("versions"), "", ""));
    }
    if let Some(dir) = under("GVM_ROOT", ".gvm") {
        roots.push(Root::entries(Manager::Gvm, dir.join("gos"), "go", ""));
    }
    if let Some(dir) = under("ASDF_DATA_DIR", ".asdf") {
        roots.push(Root::entries(
            Manager::Asdf,
            dir.join("installs/golang"),
            "",
            "go",
        ));
    }
    let mise = env
        .path_var("MISE_DATA_DIR")
        .or_else(|| env.path_var("XDG_DATA_HOME").map(|d| d.join("mise")))
        .or_else(|| home.as_ref().map(|h| h.join(".local/share/mise")));
    if let Some(dir) = mise {
        roots.push(Root::entries(
            Manager::Mise,
            dir.join("installs/go"),
            "",
            "",
        ));
    }
    if let Some(dir) = under("G_HOME", ".g") {
        roots.push(Root::entries(Manager::G, dir.join("versions"), "", ""));
    }
    if let Some(dir) = under("GOBREW_ROOT", ".gobrew") {
        roots.push(Root::entries(
            Manager::Gobrew,
            dir.join("versions"),
            "",
            "go",
        ));
    }
    if let Some(home) = &home {
        roots.push(Root {
            marker: Some(".unpacked-success"),
            ..Root::entries(Manager::GolangDl, home.join("sdk"), "go", "")
        });
    }
    if windows {
        // `scoop install go` keeps apps\go\<version>\, each a GOROOT (the manifest's
        // extract_dir is `go`), beside `current`, a junction to one of them: the same tree
        // again, listed once by `discover` like mise's aliases. Per user: %SCOOP%, else
        // %USERPROFILE%\scoop (Scoop's own default, not HOME, which Git Bash sets);
        // `--global`: %SCOOP_GLOBAL%, else %ProgramData%\scoop.
        let user = env
            .path_var("SCOOP")
            .or_else(|| env.path_var("USERPROFILE").map(|d| d.join("scoop")));
        let global = env
            .path_var("SCOOP_GLOBAL")
            .or_else(|| env.path_var("ProgramData").map(|d| d.join("scoop")));
        for dir in [user, global].into_iter().flatten() {
            roots.push(Root::entries(
                Manager::Scoop,
                dir.join("apps").join("go"),
                "",
                "",
            ));
        }
    }
    let prefixes: Vec<PathBuf> = match env.var_os(SYSTEM_PREFIXES_VAR) {
        Some(list) => std::env::split_paths(list).collect(),
        None if windows => Vec::new(),
        None => vec!["/usr/local".into(), "/opt/homebrew".into()],
    };
    if windows && env.var_os(SYSTEM_PREFIXES_VAR).is_none() {
        // The official MSI, winget (which runs that MSI) and Chocolatey's golang package
        // all install to %ProgramFiles%\Go: one tree, no prefix with a Cellar. The 386 MSI
        // on 64-bit Windows goes to %ProgramFiles(x86)%\Go (`plan` then imports it as
        // windows/386, or refuses it, as for any other tree).
        for var in ["ProgramFiles", "ProgramFiles(x86)"] {
            if let Some(dir) = env.path_var(var) {
                roots.push(Root {
                    single: true,
                    ..Root::entries(Manager::System, dir.join("Go"), "", "")
                });
            }
        }
    }
    for prefix in prefixes {
        roots.push(Root {
            single: true,
            ..Root::entries(Manager::System, prefix.join("go"), "", "")
        });
        roots.push(Root::entries(
            Manager::Homebrew,
            prefix.join("Cellar/go"),
            "",
            "libexec",
        ));
    }
    roots
}

/// A directory that may hold a Go toolchain, and who put it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub manager: Manager,
    pub path: PathBuf,
    /// `path` is a symbolic link whose target cannot be reached (a manager's version link to
    /// a deleted directory): reported as skipped, with the reason.
    pub broken_link: Option<BrokenLink>,
}

impl Candidate {
    fn new(manager: Manager, path: PathBuf) -> Self {
        Self {
            manager,
            path,
            broken_link: None,
        }
    }
}

/// A symbolic link that leads nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// Where the link points (a relative link resolved against its directory).
    pub target: PathBuf,
    /// Why it cannot be followed: "does not exist", or the OS error (a link loop).
    pub why: String,
}

impl BrokenLink {
    /// Why the link at `path` is not imported, and how to remove it.
    pub fn describe(&self, path: &Path) -> String {
        format!(
            "a dangling link: it points to {}, which {}; nothing to import (remove the link: rm {})",
            self.target.display(),
            self.why,
            path.display()
        )
    }

    /// `Some` when `path` is a symbolic link that cannot be followed.
    pub fn at(path: &Path) -> Option<Self> {
        if !fs::symlink_metadata(path).ok()?.file_type().is_symlink() {
            return None;
        }
        let why = match fs::metadata(path) {
            Ok(_) => return None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => "does not exist".to_string(),
            Err(e) => format!("cannot be reached: {e}"),
        };
        let target = fs::read_link(path).unwrap_or_default();
        Some(Self {
            target: path
                .parent()
                .map_or_else(|| target.clone(), |dir| dir.join(&target)),
            why,
        })
    }
}

/// The candidate trees: each FROM directory (a GOROOT itself, or a directory of them) when
/// any is named, else the entries of every known manager's root that exists. Naming
/// directories narrows the import to them: `gox import --move ~/old-gos` must not take the
/// trees of goenv, Homebrew or the system Go as well. A tree reachable twice (mise's `1.22`
/// alias symlink next to `1.22.10`, Scoop's `current` junction) is listed once; GOX_HOME's
/// own toolchains never are.
pub fn discover(env: &Environment, layout: &Layout, from: &[PathBuf]) -> Vec<Candidate> {
    let managers = if from.is_empty() {
        roots(env)
    } else {
        Vec::new()
    };
    discover_in(managers, env, layout, from)
}

/// [`discover`] over the given manager roots (another OS's, in tests).
fn discover_in(
    managers: Vec<Root>,
    env: &Environment,
    layout: &Layout,
    from: &[PathBuf],
) -> Vec<Candidate> {
    let mut found = Vec::new();
    for root in managers {
        if root.single {
            if root.dir.is_dir() {
                found.push(Candidate::new(root.manager, root.dir));
            } else if let Some(broken) = BrokenLink::at(&root.dir) {
                found.push(Candidate {
                    broken_link: Some(broken),
                    ..Candidate::new(root.manager, root.dir)
                });
            }
            continue;
        }
        for entry in sorted_entries(&root.dir) {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || !name.starts_with(root.prefix) {
                continue;
            }
            if let Some(broken) = BrokenLink::at(&entry) {
                found.push(Candidate {
                    broken_link: Some(broken),
                    ..Candidate::new(root.manager, entry)
                });
                continue;
            }
            if !entry.is_dir() {
                continue;
            }
            if root.marker.is_some_and(|m| !entry.join(m).exists()) {
                continue;
            }
            let path = if root.suffix.is_empty() {
                entry
            } else {
                entry.join(root.suffix)
            };
            found.push(Candidate::new(root.manager, path));
        }
    }
    for dir in from {
        let dir = env.cwd().join(dir);
        if looks_like_goroot(&dir) || !dir.is_dir() {
            // Named on the command line: a missing or dangling one is refused by `plan`.
            found.push(Candidate::new(Manager::Dir, dir));
            continue;
        }
        for entry in sorted_entries(&dir) {
            if let Some(broken) = BrokenLink::at(&entry) {
                found.push(Candidate {
                    broken_link: Some(broken),
                    ..Candidate::new(Manager::Dir, entry)
                });
                continue;
            }
            let path = if looks_like_goroot(&entry.join("go")) {
                entry.join("go")
            } else {
                entry
            };
            if path.is_dir() {
                found.push(Candidate::new(Manager::Dir, path));
            }
        }
    }
    let ours = fs::canonicalize(layout.toolchains()).ok();
    let mut seen = Vec::new();
    found.retain(|c| {
        let real = fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone());
        if ours.as_ref().is_some_and(|o| real.starts_with(o)) || seen.contains(&real) {
            return false;
        }
        // gox's own `~/sdk` link to a toolchain since removed: `gox setup --sdk` drops it.
        if let Some(broken) = &c.broken_link
            && (broken.target.starts_with(layout.toolchains())
                || ours.as_ref().is_some_and(|o| broken.target.starts_with(o)))
        {
            return false;
        }
        seen.push(real);
        true
    });
    found
}

fn looks_like_goroot(dir: &Path) -> bool {
    dir.join("VERSION").is_file() || dir.join("bin").is_dir()
}

/// Real directories first, then symlinks (aliases like mise's `1.22` → `1.22.10`), each
/// sorted by name: a tree reachable both ways is then reported under its real name.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<(bool, PathBuf)> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| (e.file_type().is_ok_and(|t| t.is_symlink()), e.path()))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries.into_iter().map(|(_, path)| path).collect()
}

/// What [`plan`] decided for one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Import,
    Skip,
    Refuse,
}

/// One row of the plan (the JSON of `gox import --json`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Planned {
    pub manager: &'static str,
    /// Shown lossily in JSON: a non-UTF-8 path must not make the output fail.
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// `1.22.10`; `None` when the tree has no readable version.
    pub version: Option<String>,
    /// The tree's own platform (`darwin/arm64`), whatever the host.
    pub platform: Option<String>,
    pub action: Action,
    /// Why it is skipped or refused; for an import of another platform's tree, that fact.
    pub reason: Option<String>,
    #[serde(skip)]
    pub target: Option<(Version, Platform)>,
}

fn lossy_path<S: serde::Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

/// Verifies each candidate (VERSION, one platform for every binary, build info, complete
/// tree: [`verify_release`], the install's own check) and decides: refuse a broken tree
/// with the reason, skip a toolchain already installed (or planned from an earlier
/// candidate), import the rest under their true platform.
pub fn plan(layout: &Layout, host: &Platform, candidates: &[Candidate]) -> Vec<Planned> {
    let have: Vec<(Version, Platform)> = installed(layout)
        .into_iter()
        .map(|t| (t.version, t.platform))
        .collect();
    let mut rows: Vec<Planned> = Vec::new();
    for c in candidates {
        let mut row = Planned {
            manager: c.manager.as_str(),
            path: c.path.clone(),
            version: None,
            platform: None,
            action: Action::Refuse,
            reason: None,
            target: None,
        };
        if let Some(broken) = &c.broken_link {
            row.action = Action::Skip;
            row.reason = Some(broken.describe(&c.path));
            rows.push(row);
            continue;
        }
        match inspect(&c.path, &mut row) {
            Err(reason) => row.reason = Some(reason),
            Ok((version, platform)) => {
                let key = (version, platform);
                if have.contains(&key) {
                    row.action = Action::Skip;
                    row.reason = Some(format!(
                        "already installed ({})",
                        layout.toolchain(&key.0, &key.1).display()
                    ));
                } else if let Some(first) = rows
                    .iter()
                    .find(|r| r.action == Action::Import && r.target.as_ref() == Some(&key))
                {
                    row.action = Action::Skip;
                    row.reason = Some(format!("same toolchain as {}", first.path.display()));
                } else {
                    row.action = Action::Import;
                    if &key.1 != host {
                        row.reason = Some(format!(
                            "built for {}, not this machine's {host}: registered as {} (the shim will not run it here)",
                            key.1, key.1
                        ));
                    }
                    row.target = Some(key);
                }
            }
        }
        rows.push(row);
    }
    rows
}

/// The version and platform of the tree at `goroot`, once it passed every check; else why
/// not, for people.
/// `row` gets the version and platform as soon as they are known, so a refusal still
/// says which toolchain it was.
fn inspect(goroot: &Path, row: &mut Planned) -> Result<(Version, Platform), String> {
    if !goroot.is_dir() {
        return Err(match BrokenLink::at(goroot) {
            Some(broken) => broken.describe(goroot),
            None if fs::symlink_metadata(goroot).is_err() => "does not exist".to_string(),
            None => "not a directory".to_string(),
        });
    }
    let version = read_version(goroot)?;
    row.version = Some(version.to_string());
    let show = |e: VerifyError| {
        e.to_string()
            .replace(
                &format!("{}{}", goroot.display(), std::path::MAIN_SEPARATOR),
                "",
            )
            .replace("the archive is", "the tree is")
            .replace("the archive claims", "the tree is for")
    };
    let platform = identify_platform(goroot).map_err(show)?;
    row.platform = Some(platform.to_string());
    verify_release(goroot, &platform, &version).map_err(show)?;
    Ok((version, platform))
}

/// `VERSION`'s first line (`go1.22.10`; later lines hold the build time since Go 1.21).
fn read_version(goroot: &Path) -> Result<Version, String> {
    let path = goroot.join("VERSION");
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(
                "no VERSION file: not a Go distribution (a source checkout or a partial copy)"
                    .to_string(),
            );
        }
        Err(e) => return Err(format!("cannot read VERSION: {e}")),
    };
    let first = text.lines().next().unwrap_or("").trim();
    first
        .strip_prefix("go")
        .and_then(|v| Version::parse(v).ok())
        .ok_or_else(|| {
            format!("VERSION says {first:?}, which is not a Go release (a development build?)")
        })
}

/// How the files get into `toolchains/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Hard links where the filesystem allows (no extra space), else copies.
    Link,
    Copy,
    /// Like `Link`, then the original tree is deleted once the import is committed.
    Move,
}

/// What [`import`] did.
#[derive(Debug)]
pub struct Imported {
    pub goroot: PathBuf,
    pub linked: u64,
    pub copied: u64,
    /// `--move` only: the original could not be removed (the import itself stands).
    pub source_left: Option<SourceLeft>,
}

/// Why `--move` left the original tree where it was, after gox's copy was committed.
#[derive(Debug)]
pub struct SourceLeft {
    /// The original tree.
    pub source: PathBuf,
    /// The directory nothing can be removed from (the tree's parent, or a directory in it);
    /// the tree itself when removing failed part way.
    pub path: PathBuf,
    pub error: io::Error,
    /// Deleting had begun when it failed (a file that could not be unlinked in a directory
    /// that was writable): some of the tree may be gone. Else the tree is untouched.
    pub partly_removed: bool,
}

impl std::fmt::Display for SourceLeft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = self.source.display();
        if self.partly_removed {
            write!(
                f,
                "--move could not remove the original {source} completely (some of its files may \
                 be gone): {}; gox's copy is complete, remove the rest by hand: rm -rf {source}",
                self.error
            )
        } else {
            write!(
                f,
                "--move left the original {source} in place: nothing can be removed from {} ({}); \
                 gox's copy is complete, remove the original by hand: rm -rf {source}",
                self.path.display(),
                self.error
            )
        }
    }
}

/// Imports one planned row (`Action::Import`): lock, fill a staging directory (links or
/// copies), verify it again as an install would, receipt with `source: "import"`, rename.
/// On any error the staging directory is removed and the original is untouched.
pub fn import(layout: &Layout, row: &Planned, mode: Mode) -> Result<Imported, InstallError> {
    let Some((version, platform)) = &row.target else {
        return Err(InstallError::Import {
            path: row.path.clone(),
            reason: row
                .reason
                .clone()
                .unwrap_or_else(|| "not planned for import".to_string()),
        });
    };
    let tx = Transaction::lock(layout, version, platform, || {})?;
    if tx.installed() {
        return Err(InstallError::Import {
            path: row.path.clone(),
            reason: format!("already installed ({})", tx.target().display()),
        });
    }
    let staging = tx.stage()?;
    let goroot = staging.path().join("go");
    let mut counts = (0, 0);
    populate(&row.path, &goroot, mode == Mode::Copy, &mut counts)?;
    verify_release(&goroot, platform, version).map_err(|source| InstallError::Verify {
        archive: row.path.display().to_string(),
        staging: goroot.clone(),
        source: Box::new(source),
    })?;
    let receipt = Receipt {
        version: version.to_string(),
        platform: platform.to_string(),
        sha256: String::new(),
        source: "import".to_string(),
        installed_at: now_unix(),
        gox_version: env!("CARGO_PKG_VERSION").to_string(),
        origin: Some(row.path.display().to_string()),
        manager: Some(row.manager.to_string()),
        source_kind: None,
        module: None,
    };
    tx.commit(&goroot, &receipt)?;
    let source_left = match mode {
        Mode::Move => remove_original(&row.path).err(),
        Mode::Link | Mode::Copy => None,
    };
    Ok(Imported {
        goroot: tx.target().to_path_buf(),
        linked: counts.0,
        copied: counts.1,
        source_left,
    })
}

/// Deletes the original tree of a `--move`, all or nothing where gox can tell: every
/// directory that loses an entry (the tree's parent, and each directory in the tree) must
/// be writable first, or nothing is deleted. A read-only manager directory, a read-only
/// mount or an immutable directory would otherwise stop `remove_dir_all` half way, after
/// it had emptied whatever it could.
fn remove_original(source: &Path) -> Result<(), SourceLeft> {
    let left = |path: &Path, error: io::Error, partly_removed: bool| SourceLeft {
        source: source.to_path_buf(),
        path: path.to_path_buf(),
        error,
        partly_removed,
    };
    if let Some(parent) = source.parent().filter(|p| !p.as_os_str().is_empty()) {
        probe_writable(parent).map_err(|e| left(parent, e, false))?;
    }
    writable_tree(source).map_err(|(path, e)| left(&path, e, false))?;
    match fs::remove_dir_all(source) {
        Ok(()) => Ok(()),
        // Gone after all (someone else removed it meanwhile).
        Err(_) if fs::symlink_metadata(source).is_err() => Ok(()),
        Err(e) => Err(left(source, e, true)),
    }
}

/// Whether entries can be created (and so removed) in `dir`: a file that never gets a
/// name (O_TMPFILE where the filesystem has it) is created and dropped. The kernel's own
/// answer, so it covers ownership, ACLs, read-only mounts and immutable directories alike.
fn probe_writable(dir: &Path) -> io::Result<()> {
    tempfile::tempfile_in(dir).map(drop)
}

/// [`probe_writable`] for `dir` and every directory below it (symlinks are not followed:
/// removing the tree removes the links, not what they point to).
fn writable_tree(dir: &Path) -> Result<(), (PathBuf, io::Error)> {
    probe_writable(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let entries = fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            writable_tree(&entry.path())?;
        }
    }
    Ok(())
}

/// `cp -al` (or `cp -a` when `copy`): directories created, files hard-linked where the
/// filesystem allows and copied otherwise, symlinks recreated as they are.
fn populate(
    from: &Path,
    to: &Path,
    copy: bool,
    counts: &mut (u64, u64),
) -> Result<(), InstallError> {
    fs::create_dir_all(to).map_err(|e| InstallError::io("create", to, e))?;
    let entries = fs::read_dir(from).map_err(|e| InstallError::io("read", from, e))?;
    for entry in entries {
        // Ctrl-C: stop filling the staging tree; the caller's staging directory goes with
        // the error, before anything was committed (or, for --move, deleted).
        crate::cancel::check()?;
        let entry = entry.map_err(|e| InstallError::io("read", from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry
            .file_type()
            .map_err(|e| InstallError::io("inspect", &src, e))?;
        if kind.is_dir() {
            populate(&src, &dst, copy, counts)?;
        } else if kind.is_symlink() {
            copy_symlink(&src, &dst)?;
        } else if kind.is_file() {
            if !copy && fs::hard_link(&src, &dst).is_ok() {
                counts.0 += 1;
            } else {
                fs::copy(&src, &dst).map_err(|e| InstallError::io("copy", &src, e))?;
                counts.1 += 1;
            }
        }
        // Sockets, FIFOs and devices have no place in a GOROOT: left behind.
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(src: &Path, dst: &Path) -> Result<(), InstallError> {
    let target = fs::read_link(src).map_err(|e| InstallError::io("read link", src, e))?;
    std::os::unix::fs::symlink(target, dst).map_err(|e| InstallError::io("create link", dst, e))
}

#[cfg(not(unix))]
fn copy_symlink(src: &Path, dst: &Path) -> Result<(), InstallError> {
    // Creating symlinks needs a privilege on Windows: copy what the link points to.
    if src.is_dir() {
        return Ok(());
    }
    fs::copy(src, dst)
        .map(|_| ())
        .map_err(|e| InstallError::io("copy", src, e))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn roots_follow_the_managers_variables_and_home() {
        let env = Environment::fake(
            "/",
            [
                ("HOME", "/u"),
                ("GOENV_ROOT", "/opt/goenv"),
                ("MISE_DATA_DIR", "/m"),
                (SYSTEM_PREFIXES_VAR, "/sys1:/sys2"),
            ],
        );
        let got: Vec<(String, String)> = roots(&env)
            .iter()
            .map(|r| (r.manager.as_str().to_string(), r.dir.display().to_string()))
            .collect();
        let want = [
            ("goenv", "/opt/goenv/versions"),
            ("gvm", "/u/.gvm/gos"),
            ("asdf", "/u/.asdf/installs/golang"),
            ("mise", "/m/installs/go"),
            ("g", "/u/.g/versions"),
            ("gobrew", "/u/.gobrew/versions"),
            ("golang.org/dl", "/u/sdk"),
            ("system", "/sys1/go"),
            ("homebrew", "/sys1/Cellar/go"),
            ("system", "/sys2/go"),
            ("homebrew", "/sys2/Cellar/go"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        let defaults = roots(&Environment::fake("/", [("HOME", "/u")]));
        assert!(
            defaults
                .iter()
                .any(|r| r.dir == Path::new("/u/.local/share/mise/installs/go"))
        );
        assert!(
            defaults
                .iter()
                .any(|r| r.dir == Path::new("/opt/homebrew/Cellar/go"))
        );
    }

    /// `(manager, dir)` of every root, as text.
    fn listed(roots: &[Root]) -> Vec<(&'static str, String)> {
        roots
            .iter()
            .map(|r| (r.manager.as_str(), r.dir.display().to_string()))
            .collect()
    }

    #[test]
    fn windows_roots_add_scoop_and_program_files() {
        // Windows sets USERPROFILE, ProgramData and ProgramFiles, and no HOME.
        let vars = [
            ("USERPROFILE", "/u"),
            ("ProgramData", "/pd"),
            ("ProgramFiles", "/pf"),
            ("ProgramFiles(x86)", "/pf86"),
        ];
        let got = listed(&roots_for(&Environment::fake("/", vars), true));
        let want = [
            ("goenv", "/u/.goenv/versions"),
            ("gvm", "/u/.gvm/gos"),
            ("asdf", "/u/.asdf/installs/golang"),
            ("mise", "/u/.local/share/mise/installs/go"),
            ("g", "/u/.g/versions"),
            ("gobrew", "/u/.gobrew/versions"),
            ("golang.org/dl", "/u/sdk"),
            ("scoop", "/u/scoop/apps/go"),
            ("scoop", "/pd/scoop/apps/go"),
            ("system", "/pf/Go"),
            ("system", "/pf86/Go"),
        ]
        .map(|(m, d)| (m, d.to_string()));
        assert_eq!(got, want);
        let roots = roots_for(&Environment::fake("/", vars), true);
        assert!(roots[9].single && roots[10].single);

        // Scoop's own variables move its places; GOX_IMPORT_PREFIXES replaces Program
        // Files as it replaces /usr/local elsewhere.
        let env = Environment::fake(
            "/",
            [
                ("USERPROFILE", "/u"),
                ("ProgramFiles", "/pf"),
                ("ProgramFiles(x86)", "/pf86"),
                ("SCOOP", "/s"),
                ("SCOOP_GLOBAL", "/sg"),
                (SYSTEM_PREFIXES_VAR, "/sys1"),
            ],
        );
        let got = listed(&roots_for(&env, true));
        let tail = [
            ("scoop", "/s/apps/go"),
            ("scoop", "/sg/apps/go"),
            ("system", "/sys1/go"),
            ("homebrew", "/sys1/Cellar/go"),
        ]
        .map(|(m, d)| (m, d.to_string()));
        assert_eq!(got[got.len() - tail.len()..], tail, "{got:?}");

        // Elsewhere neither Scoop nor Program Files is looked at, even when set.
        let env = Environment::fake("/", [("SCOOP", "/s"), ("ProgramFiles", "/pf")]);
        let got = listed(&roots_for(&env, false));
        assert!(
            got.iter().all(|(m, d)| *m != "scoop" && d != "/pf/Go"),
            "{got:?}"
        );
        assert!(
            got.contains(&("system", "/usr/local/go".to_string())),
            "{got:?}"
        );
    }

    #[test]
    fn scoops_current_junction_is_the_same_tree_listed_once() {
        let tmp = tempfile::tempdir().unwrap();
        let apps = tmp.path().join("u/scoop/apps/go");
        fs::create_dir_all(apps.join("1.22.10/bin")).unwrap();
        fs::create_dir_all(apps.join("1.21.13/bin")).unwrap();
        // `current` is a junction on Windows; std reports junctions as symlinks too.
        std::os::unix::fs::symlink(apps.join("1.22.10"), apps.join("current")).unwrap();
        let env = Environment::fake("/", [("USERPROFILE", tmp.path().join("u"))]);
        let layout = Layout::at(tmp.path().join("h"), tmp.path().join("c"), "/none.toml");
        let found = discover_in(roots_for(&env, true), &env, &layout, &[]);
        let found: Vec<(Manager, PathBuf)> =
            found.into_iter().map(|c| (c.manager, c.path)).collect();
        assert_eq!(
            found,
            [
                (Manager::Scoop, apps.join("1.21.13")),
                (Manager::Scoop, apps.join("1.22.10")),
            ]
        );
    }

    #[test]
    fn plan_refuses_broken_trees_with_the_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout::at(tmp.path().join("h"), tmp.path().join("c"), "/none.toml");
        let broken = tmp.path().join("broken");
        fs::create_dir_all(broken.join("src/runtime")).unwrap();
        fs::write(broken.join("VERSION"), "go1.22.10\ntime 2024\n").unwrap();
        let devel = tmp.path().join("devel");
        fs::create_dir_all(&devel).unwrap();
        fs::write(devel.join("VERSION"), "devel go1.23-abc\n").unwrap();
        let empty = tmp.path().join("empty");
        fs::create_dir_all(&empty).unwrap();
        let host: Platform = "linux/amd64".parse().unwrap();
        let rows = plan(
            &layout,
            &host,
            &[broken, devel, empty].map(|path| Candidate::new(Manager::Dir, path)),
        );
        assert!(rows.iter().all(|r| r.action == Action::Refuse));
        let reasons: Vec<&str> = rows.iter().map(|r| r.reason.as_deref().unwrap()).collect();
        assert!(reasons[0].contains("bin/go is missing"), "{reasons:?}");
        assert!(reasons[1].contains("not a Go release"), "{reasons:?}");
        assert!(reasons[2].contains("no VERSION file"), "{reasons:?}");
        assert_eq!(rows[0].version.as_deref(), Some("1.22.10"));
    }

    #[test]
    fn populate_links_and_copies_and_keeps_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        fs::create_dir_all(src.join("bin")).unwrap();
        fs::write(src.join("bin/go"), "x").unwrap();
        std::os::unix::fs::symlink("bin/go", src.join("link")).unwrap();
        let mut counts = (0, 0);
        populate(&src, &tmp.path().join("a"), false, &mut counts).unwrap();
        assert_eq!(counts, (1, 0));
        assert_eq!(
            fs::read_link(tmp.path().join("a/link")).unwrap(),
            Path::new("bin/go")
        );
        let mut counts = (0, 0);
        populate(&src, &tmp.path().join("b"), true, &mut counts).unwrap();
        assert_eq!(counts, (0, 1));
    }
}
