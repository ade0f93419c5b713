//! `gox self uninstall`: remove gox itself.
//!
//! Only what gox owns goes. GOX_HOME, the cache dir and the shims dir may be shared with
//! other data (`GOX_HOME=$HOME`, `GOX_CACHE_DIR=~/.cache`, a user script dropped into
//! `shims/`), so nothing is removed by location alone:
//! - in `shims/`, an entry goes only if it *is* a gox shim ([`shims::is_gox_shim`]): a
//!   `gox-shim` binary of any version (hard link, copy), or a symbolic link to a `gox-shim`;
//! - `gox-shim` and `gox` in the running binary's directory go, together with symbolic links
//!   on PATH that point at them (left behind they would dangle: `gox: not found` from a link
//!   the user never made by hand after `install.sh`);
//! - with `all`, GOX_HOME and the cache dir lose the entries gox creates there
//!   ([`HOME_ENTRIES`], [`CACHE_ENTRIES`]); each directory itself is removed only if that
//!   leaves it empty, and never when it is (or contains) the user's home directory. The
//!   `~/sdk` links `gox setup --sdk` made into the toolchains go too (a golang.org/dl
//!   download there stays).
//!
//! On Windows the entries `gox setup --user-path` put on the user Path go first (the shims
//! dir, gox's own dir, and with `all` the GOPATH/bin dirs under GOX_HOME), so nothing new
//! started from Explorer looks for them; then the shims (so no `go` on PATH points at a
//! missing binary for longer than needed), then `gox-shim`, then `gox`, then the data.

use std::path::{Path, PathBuf};

use gox_core::Platform;
use gox_core::layout::{
    CACHE_ENTRIES, HOME_ENTRIES, is_toolchain_lock_name, parse_toolchain_dir_name,
};

use crate::{manpages, shims, userpath};

/// Prefixes of gox's scratch directories in the cache dir (`gox mirror sync` staging).
const CACHE_PREFIXES: &[&str] = &[".gox-mirror-"];

#[derive(Clone, Debug)]
pub struct Request {
    /// The directory holding `gox` and `gox-shim` (of the running gox, links resolved).
    pub install_dir: PathBuf,
    /// `gox` / `gox.exe`, `gox-shim` / `gox-shim.exe` use this suffix.
    pub exe_suffix: &'static str,
    /// GOX_HOME/shims.
    pub shims_dir: PathBuf,
    /// GOX_HOME and the cache directory: emptied of gox's entries only when `all`.
    pub home: PathBuf,
    pub cache: PathBuf,
    pub all: bool,
    /// The user's home directory: never removed, even when GOX_HOME points at it.
    pub user_home: Option<PathBuf>,
    /// Places where a symbolic link to `gox`/`gox-shim` may be (the PATH directories, the
    /// path gox was started as). Only links that resolve to the binaries removed go.
    pub link_dirs: Vec<PathBuf>,
    /// `~/sdk/goX.Y.Z` links into GOX_HOME/toolchains (`gox setup --sdk`): removed with
    /// `all`, since they would point at nothing, and their directory too if that empties it.
    pub sdk_links: Vec<PathBuf>,
    /// The user Path's text ([`userpath::read`]; Windows), None where there is none.
    pub user_path: Option<String>,
}

/// Why something was left in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeepReason {
    /// `all` was not given: the toolchains (and GOPATHs, caches) stay for a reinstall.
    Toolchains,
    /// An entry of the shims dir that is not a gox shim (a user's script, another program).
    NotAShim,
    /// A directory that still holds entries gox did not create (their names).
    NotEmpty(Vec<String>),
    /// The user's home directory (or one containing it).
    UserHome,
    /// Named like an entry of gox's but not what gox writes there (a user's `projects/`
    /// directory, notes in a file called `default`).
    NotGoxs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub path: PathBuf,
    pub reason: KeepReason,
}

/// What [`uninstall`] will do, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Files, links and gox-owned directories to remove, in removal order.
    pub remove: Vec<PathBuf>,
    /// Directories removed after `remove` only if they are then empty (shims, GOX_HOME, the
    /// cache dir).
    pub remove_if_empty: Vec<PathBuf>,
    /// Left alone on purpose.
    pub keep: Vec<Kept>,
    /// Entries of the user Path to take out, as spelled there (Windows).
    pub user_path: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty()
            && self.remove_if_empty.iter().all(|d| !d.exists())
            && self.user_path.is_empty()
    }
}

/// What was removed (existing paths only), in removal order, and what was kept.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub paths: Vec<PathBuf>,
    pub kept: Vec<Kept>,
    pub user_path: UserPathEdit,
}

/// What became of the user Path entries in the plan. A failure there stops nothing: the
/// files still go, and the entries are named for removal by hand.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum UserPathEdit {
    /// The plan had none.
    #[default]
    Untouched,
    Removed(Vec<String>),
    Failed {
        entries: Vec<String>,
        error: String,
    },
}

/// What was done to the user Path, as users are told: nothing for `Untouched`.
impl std::fmt::Display for UserPathEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserPathEdit::Untouched => Ok(()),
            UserPathEdit::Removed(entries) => write!(
                f,
                "removed {} from your user Path ({})",
                entries.join(" and "),
                userpath::LOCATION
            ),
            UserPathEdit::Failed { entries, error } => write!(
                f,
                "cannot update your user Path ({}): {error}; remove {} from it by hand \
                 (Settings, \"Edit environment variables for your account\")",
                userpath::LOCATION,
                entries.join(" and ")
            ),
        }
    }
}

/// A removal failed. The user Path was edited before any file went (see [`uninstall`]), so
/// what became of it is part of "so far" too.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot remove {}: {source}\nremoved so far: {}{}\n{}",
    .path.display(),
    list(.removed),
    path_note(.user_path),
    fix(.path, .source)
)]
pub struct UninstallError {
    pub path: PathBuf,
    pub source: std::io::Error,
    pub removed: Vec<PathBuf>,
    pub user_path: UserPathEdit,
}

fn path_note(edit: &UserPathEdit) -> String {
    match edit {
        UserPathEdit::Untouched => String::new(),
        edit => format!("\n{edit}"),
    }
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next step for the errors users hit: a read-only or root-owned directory (gox put in
/// /usr/local/bin with sudo), else just running it again once the cause is gone.
fn fix(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let dir = path.parent().unwrap_or(path).display();
    match e.kind() {
        K::PermissionDenied | K::ReadOnlyFilesystem => format!(
            "{dir} is not writable by you: make it writable (or run as the user that installed gox, e.g. with sudo), then run `gox self uninstall` again"
        ),
        _ => "fix the cause above, then run `gox self uninstall` again (it continues where this stopped)".into(),
    }
}

/// The installed `gox-shim`.
fn installed_shim(req: &Request) -> PathBuf {
    req.install_dir.join(format!("gox-shim{}", req.exe_suffix))
}

/// Entries of `dir`, sorted; empty when it cannot be read.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = read.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    paths
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Symbolic links in `req.link_dirs` named `gox`/`gox-shim` that resolve to `real`.
fn links_to(req: &Request, name: &str, real: &Path) -> Vec<PathBuf> {
    let Ok(real) = std::fs::canonicalize(real) else {
        return Vec::new();
    };
    let mut links: Vec<PathBuf> = req
        .link_dirs
        .iter()
        .map(|dir| dir.join(name))
        .filter(|link| {
            std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::canonicalize(link).is_ok_and(|t| t == real)
        })
        .collect();
    links.sort();
    links.dedup();
    links
}

/// True when `dir` is the user's home directory or one of its ancestors.
fn holds_user_home(dir: &Path, user_home: Option<&Path>) -> bool {
    let Some(home) = user_home else {
        return false;
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(home).starts_with(canon(dir))
}

/// What [`uninstall`] would do (also for the confirmation prompt).
pub fn plan(req: &Request) -> Plan {
    let mut plan = Plan {
        user_path: req
            .user_path
            .as_deref()
            .map_or_else(Vec::new, |raw| user_path_entries(req, raw)),
        ..Plan::default()
    };
    let shim = installed_shim(req);
    for entry in entries(&req.shims_dir) {
        if shims::is_gox_shim(&entry, &shim, req.exe_suffix) || shims::is_shims_dir_state(&entry) {
            plan.remove.push(entry);
        } else {
            plan.keep.push(Kept {
                path: entry,
                reason: KeepReason::NotAShim,
            });
        }
    }
    // An empty shims dir is noise; a non-empty one holds something that is not ours.
    if exists(&req.shims_dir) {
        plan.remove_if_empty.push(req.shims_dir.clone());
    }
    // What a `self update` killed mid-way (SIGKILL, a crash) left next to the binaries.
    plan.remove.extend(
        entries(&req.install_dir)
            .into_iter()
            .filter(|p| crate::self_update::is_staging_dir(p)),
    );
    for name in ["gox-shim", "gox"] {
        let file = format!("{name}{}", req.exe_suffix);
        let path = req.install_dir.join(&file);
        // The binary a Windows `self update` moved aside and could not delete then.
        if let Some(aside) = crate::self_update::aside_path(&path).filter(|a| exists(a)) {
            plan.remove.push(aside);
        }
        if exists(&path) {
            // Links first: once the target is gone they cannot be told from other links.
            plan.remove.extend(links_to(req, &file, &path));
            plan.remove.push(path);
        }
    }
    // install.sh's man pages beside the install dir (only gox's own pages).
    if let Some(man1) = manpages::man_dir(&req.install_dir) {
        let pages = manpages::installed(&man1);
        if !pages.is_empty() {
            plan.remove.extend(pages);
            if let Some(man) = man1.parent() {
                plan.remove_if_empty.push(man1.clone());
                plan.remove_if_empty.push(man.to_path_buf());
            }
        }
    }
    if !req.all {
        let toolchains = req.home.join("toolchains");
        if toolchains.exists() {
            plan.keep.push(Kept {
                path: toolchains,
                reason: KeepReason::Toolchains,
            });
        }
        return plan;
    }
    // Links only (never what they point to), and before the toolchains they name.
    for link in &req.sdk_links {
        plan.remove.push(link.clone());
    }
    if let Some(sdk) = req.sdk_links.first().and_then(|l| l.parent()) {
        plan.remove_if_empty.push(sdk.to_path_buf());
    }
    // Deeper directory first: on Windows the cache dir is GOX_HOME/cache, and it must be
    // emptied (and removed) before GOX_HOME is judged empty.
    let mut dirs: Vec<(&Path, Vec<&str>)> = Vec::new();
    for (dir, names) in [
        (&req.home, &HOME_ENTRIES[..]),
        (&req.cache, &CACHE_ENTRIES[..]),
    ] {
        match dirs.iter_mut().find(|(d, _)| *d == dir.as_path()) {
            Some((_, known)) => known.extend_from_slice(names),
            None => dirs.push((dir.as_path(), names.to_vec())),
        }
    }
    dirs.sort_by_key(|(d, _)| std::cmp::Reverse(d.components().count()));
    for (dir, names) in dirs {
        if !exists(dir) {
            continue;
        }
        for entry in entries(dir) {
            let Some(name) = entry.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if dir == req.cache.as_path() && CACHE_PREFIXES.iter().any(|p| name.starts_with(p)) {
                plan.remove.push(entry);
                continue;
            }
            // The shims dir was sorted out entry by entry above.
            if !names.contains(&name) || entry == req.shims_dir {
                continue;
            }
            if let Some(rule) = ownership(name) {
                take_owned(&mut plan, entry, rule);
            }
        }
        if holds_user_home(dir, req.user_home.as_deref()) {
            plan.keep.push(Kept {
                path: dir.to_path_buf(),
                reason: KeepReason::UserHome,
            });
        } else {
            plan.remove_if_empty.push(dir.to_path_buf());
        }
    }
    plan
}

/// The entries of the user Path `raw` that this uninstall takes out, in Path order: the
/// shims dir and the install dir (which go now), and with `all` every
/// `GOX_HOME/gopath/PLATFORM/bin` (which goes with it; without `all` the tools there stay,
/// and so does their Path entry). A GOPATH entry is recognised by its shape, so one whose
/// directory is already gone goes too.
fn user_path_entries(req: &Request, raw: &str) -> Vec<String> {
    let dirs = [
        req.shims_dir.display().to_string(),
        req.install_dir.display().to_string(),
    ];
    let gopath = req.home.join("gopath");
    let is_gopath_bin = |entry: &Path| {
        entry.file_name().is_some_and(|n| n == "bin")
            && entry.parent().is_some_and(|platform_dir| {
                platform_dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.parse::<Platform>().is_ok())
                    && platform_dir
                        .parent()
                        .is_some_and(|p| gox_core::pathname::same(p, &gopath))
            })
    };
    userpath::entries(raw)
        .filter(|e| {
            userpath::names_one_of(e, &dirs) || (req.all && is_gopath_bin(Path::new(e.trim())))
        })
        .map(str::to_owned)
        .collect()
}

/// How much of an entry gox made in GOX_HOME or the cache dir is gox's. Both may be shared
/// (`GOX_HOME=$HOME`, `GOX_CACHE_DIR=~/.cache`), and the names are common words: a user's
/// `~/projects/` or `~/gopath/src/`, plain Go's `~/.cache/go-build`, notes in `~/default`
/// must survive. So a name alone proves nothing; what gox writes there is recognised.
#[derive(Clone, Copy, Debug)]
enum Owned {
    /// Gox's as a whole (`gomodcache`: Go writes it, for gox's toolchains only).
    Dir,
    /// A directory others may use too: only the entries the test names are gox's; the
    /// directory goes when that leaves it empty.
    Entries(fn(&str) -> bool),
    /// A file gox writes, told by its content (read up to [`OWNED_FILE_LIMIT`]).
    File(fn(&str) -> bool),
}

/// gox's own files are small (the feed, ~1 MB, is the largest): anything bigger is not one.
const OWNED_FILE_LIMIT: u64 = 16 << 20;

/// The rule for each name of [`HOME_ENTRIES`] and [`CACHE_ENTRIES`] (a test checks that
/// every name has one); `None` for `shims`, judged entry by entry in [`plan`].
fn ownership(name: &str) -> Option<Owned> {
    let rule = match name {
        "gomodcache" => Owned::Dir,
        "toolchains" => Owned::Entries(|n| {
            parse_toolchain_dir_name(n).is_some()
                || is_toolchain_lock_name(n)
                || crate::remove::leftover_owner(n).is_some()
        }),
        // GOPATH and GOCACHE per platform: `gopath/linux-amd64`, `go-build/darwin-arm64`.
        "gopath" | "go-build" => Owned::Entries(|n| n.parse::<Platform>().is_ok()),
        "sumdb" => Owned::Entries(|n| {
            !n.is_empty()
                && !n.starts_with('.')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        }),
        // Archives, their partial downloads, `install --source proxy` scratch directories.
        "downloads" => Owned::Entries(|n| {
            let archive = crate::download::part_target(n).unwrap_or(n);
            crate::install::parse_archive_name(archive).is_some()
                || n.starts_with(crate::prune::PROXY_SCRATCH_PREFIX)
        }),
        "default" => Owned::File(gox_core::select::is_default_file),
        "projects" => Owned::File(gox_core::projects::is_projects_file),
        "feed.json" => Owned::File(gox_resolver::cache::is_feed_file),
        "feed.meta.json" => Owned::File(gox_resolver::cache::is_meta_file),
        _ => return None,
    };
    Some(rule)
}

/// Adds what of `entry` is gox's to the plan, by `rule`.
fn take_owned(plan: &mut Plan, entry: PathBuf, rule: Owned) {
    let Ok(meta) = std::fs::symlink_metadata(&entry) else {
        return;
    };
    match rule {
        Owned::Dir if meta.is_dir() => plan.remove.push(entry),
        Owned::Entries(ours) if meta.is_dir() => {
            for child in entries(&entry) {
                if child.file_name().and_then(|n| n.to_str()).is_some_and(ours) {
                    plan.remove.push(child);
                }
            }
            plan.remove_if_empty.push(entry);
        }
        Owned::File(ours) if meta.is_file() && meta.len() <= OWNED_FILE_LIMIT => {
            let text = std::fs::read(&entry).unwrap_or_default();
            if ours(&String::from_utf8_lossy(&text)) {
                plan.remove.push(entry);
            } else {
                plan.keep.push(Kept {
                    path: entry,
                    reason: KeepReason::NotGoxs,
                });
            }
        }
        // Not the kind of thing gox makes under that name: the user's.
        _ => plan.keep.push(Kept {
            path: entry,
            reason: KeepReason::NotGoxs,
        }),
    }
}

/// Removes what [`plan`] lists. Stops at the first failure, saying what was removed so far.
pub fn uninstall(req: &Request) -> Result<Removed, UninstallError> {
    let plan = plan(req);
    let user_path = match plan.user_path {
        entries if entries.is_empty() => UserPathEdit::Untouched,
        entries => match userpath::remove(&entries) {
            Ok(_) => UserPathEdit::Removed(entries),
            Err(e) => UserPathEdit::Failed {
                entries,
                error: e.to_string(),
            },
        },
    };
    let mut removed = Vec::new();
    for path in plan.remove {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let result = if meta.is_dir() {
            remove_tree(&path)
        } else {
            remove_file(&path)
        };
        if let Err(source) = result {
            return Err(UninstallError {
                path,
                source,
                removed,
                user_path,
            });
        }
        removed.push(path);
    }
    let mut kept = plan.keep;
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in plan.remove_if_empty {
        if seen.contains(&dir) || !exists(&dir) {
            continue;
        }
        seen.push(dir.clone());
        let left = entries(&dir);
        if left.is_empty() {
            // Only ENOENT-style races are possible here; a failure keeps the empty dir,
            // which harms nothing, so it is reported as kept rather than as an error.
            match std::fs::remove_dir(&dir) {
                Ok(()) => removed.push(dir),
                Err(_) => kept.push(Kept {
                    path: dir,
                    reason: KeepReason::NotEmpty(Vec::new()),
                }),
            }
        } else if !kept.iter().any(|k| k.path == dir) {
            let names = left
                .iter()
                .filter_map(|p| {
                    let name = p.file_name()?.to_string_lossy().into_owned();
                    Some(if p.is_dir() { format!("{name}/") } else { name })
                })
                .collect();
            kept.push(Kept {
                path: dir,
                reason: KeepReason::NotEmpty(names),
            });
        }
    }
    Ok(Removed {
        paths: removed,
        kept,
        user_path,
    })
}

/// `remove_dir_all`, also for trees with read-only directories: Go makes its module cache
/// (`gomodcache/`) read-only, and an unprivileged `remove_dir_all` fails on it.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            make_writable(path);
            std::fs::remove_dir_all(path)
        }
        other => other,
    }
}

#[cfg(unix)]
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let mode = meta.permissions().mode();
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o700));
    for entry in entries(dir) {
        make_writable(&entry);
    }
}

#[cfg(not(unix))]
fn make_writable(_dir: &Path) {}

#[cfg(not(windows))]
fn remove_file(path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path)
}

/// Windows cannot delete the running `gox.exe`: its deletion is scheduled for when it exits
/// (self-replace moves it out of the way and a helper process deletes it). Anything else
/// that cannot be deleted (a `gox-shim.exe` a running `go` holds) is an error to report.
#[cfg(windows)]
fn remove_file(path: &Path) -> std::io::Result<()> {
    std::fs::remove_file(path).or_else(|e| {
        // A directory symlink (`~/sdk/goX.Y.Z`) is removed as a directory.
        use std::os::windows::fs::FileTypeExt;
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink_dir()) {
            return std::fs::remove_dir(path);
        }
        let running = std::env::current_exe()
            .and_then(dunce::canonicalize)
            .is_ok_and(|exe| dunce::canonicalize(path).is_ok_and(|p| p == exe));
        if running {
            self_replace::self_delete_at(path)
        } else {
            Err(e)
        }
    })
}

/// A line of a shell startup file that mentions gox (its PATH line, `gox activate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RcMention {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub text: String,
    /// The line only puts gox's install directory on PATH. That directory is often shared
    /// (`~/.local/bin` holds pipx's and others' programs too), so the line may be the
    /// user's own and still needed: it is named, not called a gox line.
    pub install_dir_only: bool,
}

/// The startup files `gox setup` and `install.sh --modify-path` write to, by shell, under
/// the home directory; zsh's are read from `ZDOTDIR` when that is set.
const RC_FILES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".profile",
    ".config/fish/config.fish",
];
const ZSH_RC_FILES: &[&str] = &[".zshrc", ".zprofile"];

/// Lines of the user's shell startup files that put gox on PATH or activate it: they name
/// the shims dir, GOX_HOME, run `gox activate`/`gox env`, or add the install dir to PATH
/// (spelled out, or under `$HOME`/`~`). gox does not edit them (a user's rc file is
/// theirs); it tells the user which lines to delete.
pub fn rc_mentions(
    user_home: &Path,
    zdotdir: Option<&Path>,
    shims_dir: &Path,
    install_dir: &Path,
) -> Vec<RcMention> {
    let shims = shims_dir.display().to_string();
    let mut install = vec![install_dir.display().to_string()];
    if let Ok(rest) = install_dir.strip_prefix(user_home) {
        let rest = rest.display();
        install.extend([
            format!("$HOME/{rest}"),
            format!("${{HOME}}/{rest}"),
            format!("~/{rest}"),
        ]);
    }
    let zsh_dir = zdotdir.unwrap_or(user_home);
    let files = RC_FILES
        .iter()
        .map(|rc| user_home.join(rc))
        .chain(ZSH_RC_FILES.iter().map(|rc| zsh_dir.join(rc)));
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.starts_with('#') {
                continue;
            }
            let gox = trimmed.contains(&shims)
                || trimmed.contains("GOX_HOME")
                || trimmed.contains("gox activate")
                || trimmed.contains("gox env");
            let install_dir = install.iter().any(|dir| trimmed.contains(dir.as_str()))
                && (trimmed.contains("PATH") || trimmed.contains("fish_add_path"));
            if gox || install_dir {
                found.push(RcMention {
                    file: file.clone(),
                    line: i + 1,
                    text: trimmed.to_string(),
                    install_dir_only: !gox,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Setup {
        _root: tempfile::TempDir,
        req: Request,
    }

    fn setup(all: bool) -> Setup {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let home = root.path().join("home");
        let cache = root.path().join("cache");
        for dir in [
            &bin,
            &home.join("shims"),
            &home.join("toolchains/go1.22.10.linux-amd64"),
            &home.join("gopath/linux-amd64/bin"),
            &cache.join("downloads"),
            &cache.join("go-build/linux-amd64"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(bin.join("gox"), b"gox binary").unwrap();
        std::fs::write(bin.join("gox-shim"), b"gox-shim binary").unwrap();
        std::fs::write(bin.join("other"), b"x").unwrap();
        std::fs::write(home.join("default"), b"1.22.10\n").unwrap();
        std::fs::write(cache.join("feed.json"), b"[]").unwrap();
        for shim in ["go", "gofmt", "go1.22.10"] {
            std::fs::hard_link(bin.join("gox-shim"), home.join("shims").join(shim)).unwrap();
        }
        let req = Request {
            install_dir: bin,
            exe_suffix: "",
            shims_dir: home.join("shims"),
            home,
            cache,
            all,
            user_home: None,
            link_dirs: Vec::new(),
            sdk_links: Vec::new(),
            user_path: None,
        };
        Setup { _root: root, req }
    }

    /// Windows names, checked here: what a Windows `self update` moved aside goes too.
    #[test]
    fn binaries_moved_aside_by_an_update_go_too() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for name in [
            "gox.exe",
            "gox-shim.exe",
            "gox.old.exe",
            "gox-shim.old.exe",
            "my.old.exe",
        ] {
            std::fs::write(bin.join(name), name).unwrap();
        }
        let req = Request {
            install_dir: bin.clone(),
            exe_suffix: ".exe",
            shims_dir: root.path().join("home/shims"),
            home: root.path().join("home"),
            cache: root.path().join("cache"),
            all: false,
            user_home: None,
            link_dirs: Vec::new(),
            sdk_links: Vec::new(),
            user_path: None,
        };
        let mut removed = plan(&req).remove;
        removed.sort();
        let names: Vec<_> = ["gox-shim.exe", "gox-shim.old.exe", "gox.exe", "gox.old.exe"]
            .iter()
            .map(|n| bin.join(n))
            .collect();
        assert_eq!(removed, names);
    }

    /// The user Path entries `gox setup --user-path` made go with the dirs they name: the
    /// shims and install dirs always, GOPATH/bin dirs only with `all` (also one whose
    /// directory is gone already); the user's own entries stay. (Unix paths here: the rule
    /// compares paths as the OS does; the Windows run is in tests/windows.rs.)
    #[test]
    fn user_path_entries_go_with_their_dirs() {
        for all in [false, true] {
            let mut s = setup(all);
            let shims = s.req.shims_dir.display().to_string();
            let bin = s.req.install_dir.display().to_string();
            let gopath = s.req.home.join("gopath");
            let tools = gopath.join("windows-amd64/bin").display().to_string();
            let gone = gopath.join("windows-arm64/bin/").display().to_string();
            let raw = [
                "/usr/bin",
                &format!("{shims}/"),
                &bin,
                &tools,
                &gone,
                &gopath.join("notaplatform/bin").display().to_string(),
                &gopath.join("linux-amd64/sbin").display().to_string(),
                "",
            ]
            .join(";");
            s.req.user_path = Some(raw.clone());
            let planned = plan(&s.req).user_path;
            let mut expected = vec![format!("{shims}/"), bin.clone()];
            if all {
                expected.extend([tools.clone(), gone.clone()]);
            }
            assert_eq!(planned, expected, "all={all}");
            // Nothing of gox's on it: nothing planned, and no Path means no plan either.
            s.req.user_path = Some("/usr/bin;/opt/bin".into());
            assert!(plan(&s.req).user_path.is_empty());
            s.req.user_path = None;
            assert!(plan(&s.req).user_path.is_empty());
        }
    }

    /// install.sh's man pages (PREFIX/share/man/man1 for PREFIX/bin) go, a user's stay.
    #[test]
    fn man_pages_beside_bin_go_and_a_users_stay() {
        let Setup { req, _root } = setup(false);
        let share = req.install_dir.parent().unwrap().join("share");
        let man1 = share.join("man/man1");
        std::fs::create_dir_all(&man1).unwrap();
        std::fs::write(man1.join("gox.1"), ".TH gox 1 \"gox 1.0\"\n").unwrap();
        std::fs::write(man1.join("gox-use.1"), ".TH gox-use 1 \"use 1.0\"\n").unwrap();
        std::fs::write(man1.join("gox-notes.1"), "my own notes\n").unwrap();
        uninstall(&req).unwrap();
        assert_eq!(gox_testkit::entry_names(&man1), ["gox-notes.1"]);
        std::fs::write(man1.join("gox.1"), ".TH gox 1 \"gox 1.0\"\n").unwrap();
        std::fs::remove_file(man1.join("gox-notes.1")).unwrap();
        // Emptied by the uninstall: man1 and man go, share (not gox's to judge) stays.
        std::fs::write(req.install_dir.join("gox"), b"gox binary").unwrap();
        uninstall(&req).unwrap();
        assert!(!share.join("man").exists());
        assert!(share.is_dir());
    }

    #[test]
    fn removes_binaries_and_shims_keeps_toolchains() {
        let Setup { req, _root } = setup(false);
        // Left by a `self update` that was killed outright.
        let staging = req.install_dir.join(".gox-update-Ab12Cd");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("gox-9.9.9.tar.gz.part"), b"part").unwrap();
        let removed = uninstall(&req).unwrap();
        assert_eq!(removed.paths.len(), 7, "{removed:?}");
        assert!(!staging.exists());
        assert!(!req.install_dir.join("gox").exists());
        assert!(!req.install_dir.join("gox-shim").exists());
        assert!(req.install_dir.join("other").exists());
        assert!(!req.shims_dir.exists());
        assert!(req.home.join("toolchains/go1.22.10.linux-amd64").is_dir());
        assert!(req.cache.join("feed.json").is_file());
        assert_eq!(
            removed.kept,
            [Kept {
                path: req.home.join("toolchains"),
                reason: KeepReason::Toolchains
            }]
        );
    }

    /// `~/sdk` links into the toolchains go with `--all` (they would dangle), the link
    /// only; a golang.org/dl download beside them stays, and so does `~/sdk` with it.
    #[cfg(unix)]
    #[test]
    fn all_removes_the_sdk_links_gox_made() {
        for (all, download) in [(true, true), (true, false), (false, false)] {
            let Setup { mut req, _root } = setup(all);
            let sdk = _root.path().join("user/sdk");
            std::fs::create_dir_all(&sdk).unwrap();
            let goroot = req.home.join("toolchains/go1.22.10.linux-amd64");
            std::os::unix::fs::symlink(&goroot, sdk.join("go1.22.10")).unwrap();
            if download {
                std::fs::create_dir_all(sdk.join("go1.21.0/bin")).unwrap();
            }
            req.sdk_links = vec![sdk.join("go1.22.10")];
            let removed = uninstall(&req).unwrap();
            let link_left = std::fs::symlink_metadata(sdk.join("go1.22.10")).is_ok();
            assert_eq!(link_left, !all, "all={all}: {removed:?}");
            assert_eq!(sdk.exists(), download || !all, "all={all}: {removed:?}");
            if download {
                assert!(sdk.join("go1.21.0/bin").is_dir());
                assert!(removed.kept.contains(&Kept {
                    path: sdk.clone(),
                    reason: KeepReason::NotEmpty(vec!["go1.21.0/".into()]),
                }));
            }
        }
    }

    #[test]
    fn all_removes_only_gox_entries_and_keeps_foreign_data() {
        let Setup { req, _root } = setup(true);
        // Someone else's data in GOX_HOME and in a shared cache dir.
        std::fs::create_dir_all(req.home.join("docs")).unwrap();
        std::fs::write(req.home.join("docs/thesis.txt"), b"years of work").unwrap();
        std::fs::create_dir_all(req.cache.join("other-app")).unwrap();
        std::fs::write(req.cache.join("other-app/state"), b"x").unwrap();
        let removed = uninstall(&req).unwrap();
        assert_eq!(
            std::fs::read(req.home.join("docs/thesis.txt")).unwrap(),
            b"years of work"
        );
        assert!(req.cache.join("other-app/state").is_file());
        for gone in ["toolchains", "gopath", "shims", "default"] {
            assert!(!req.home.join(gone).exists(), "{gone}");
            assert!(removed.paths.contains(&req.home.join(gone)), "{gone}");
        }
        for gone in ["downloads", "go-build", "feed.json"] {
            assert!(!req.cache.join(gone).exists(), "{gone}");
        }
        assert!(!removed.paths.contains(&req.home) && !removed.paths.contains(&req.cache));
        assert!(removed.kept.contains(&Kept {
            path: req.home.clone(),
            reason: KeepReason::NotEmpty(vec!["docs/".into()])
        }));
        assert!(removed.kept.contains(&Kept {
            path: req.cache.clone(),
            reason: KeepReason::NotEmpty(vec!["other-app/".into()])
        }));
    }

    /// GOX_HOME=$HOME and GOX_CACHE_DIR=~/.cache: a user's `projects/` and `gopath/src/`,
    /// notes in `default`, plain Go's own GOCACHE `go-build/` and another app's downloads
    /// all carry gox's names; only what gox wrote under them goes.
    #[test]
    fn all_keeps_user_data_that_carries_gox_names() {
        let Setup { req, _root } = setup(true);
        let write = |path: PathBuf, text: &[u8]| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let home = &req.home;
        let cache = &req.cache;
        std::fs::remove_file(home.join("default")).unwrap();
        write(home.join("default"), b"call the bank\nbuy milk\n");
        write(home.join("projects/myapp/main.go"), b"package main\n");
        write(
            home.join("gopath/src/github.com/me/old/main.go"),
            b"package old\n",
        );
        write(home.join("toolchains/arm-gcc/README"), b"not Go\n");
        write(home.join("toolchains/.go1.22.10.linux-amd64.lock"), b"");
        write(
            home.join("toolchains/.trash-go1.21.13.linux-amd64-77/x"),
            b"",
        );
        write(
            home.join("sumdb/sum.golang.org/latest"),
            b"go.sum database tree\n",
        );
        write(
            cache.join("go-build/README"),
            b"This directory holds cached build artifacts",
        );
        write(cache.join("go-build/00/abc-d"), b"plain go's cache entry");
        write(cache.join("downloads/holiday.mp4"), b"video");
        write(
            cache.join("downloads/go1.22.10.linux-amd64.tar.gz"),
            b"archive",
        );
        write(
            cache.join("downloads/go1.27.3.linux-amd64.tar.gz.part"),
            b"part",
        );
        let removed = uninstall(&req).unwrap();

        for kept in [
            "default",
            "projects/myapp/main.go",
            "gopath/src/github.com/me/old/main.go",
            "toolchains/arm-gcc/README",
        ] {
            assert!(home.join(kept).is_file(), "{kept} is gone: {removed:?}");
        }
        for kept in [
            "go-build/README",
            "go-build/00/abc-d",
            "downloads/holiday.mp4",
        ] {
            assert!(cache.join(kept).is_file(), "{kept} is gone: {removed:?}");
        }
        for gone in [
            "toolchains/go1.22.10.linux-amd64",
            "toolchains/.go1.22.10.linux-amd64.lock",
            "toolchains/.trash-go1.21.13.linux-amd64-77",
            "gopath/linux-amd64",
            "sumdb",
        ] {
            assert!(!home.join(gone).exists(), "{gone} stayed: {removed:?}");
        }
        for gone in [
            "go-build/linux-amd64",
            "downloads/go1.22.10.linux-amd64.tar.gz",
            "downloads/go1.27.3.linux-amd64.tar.gz.part",
            "feed.json",
        ] {
            assert!(!cache.join(gone).exists(), "{gone} stayed: {removed:?}");
        }
        assert!(removed.kept.contains(&Kept {
            path: home.join("default"),
            reason: KeepReason::NotGoxs
        }));
        assert!(removed.kept.contains(&Kept {
            path: home.join("projects"),
            reason: KeepReason::NotGoxs
        }));
        assert!(removed.kept.contains(&Kept {
            path: home.join("gopath"),
            reason: KeepReason::NotEmpty(vec!["src/".into()])
        }));
    }

    #[test]
    fn every_gox_entry_name_has_an_ownership_rule() {
        for name in HOME_ENTRIES.iter().chain(&CACHE_ENTRIES) {
            assert_eq!(ownership(name).is_none(), *name == "shims", "{name}");
        }
    }

    #[test]
    fn all_removes_dirs_that_only_held_gox_entries() {
        let Setup { req, _root } = setup(true);
        let removed = uninstall(&req).unwrap();
        assert!(removed.paths.contains(&req.home) && removed.paths.contains(&req.cache));
        assert!(!req.home.exists() && !req.cache.exists());
        assert!(req.install_dir.join("other").exists());
    }

    #[test]
    fn cache_inside_home_is_emptied_first() {
        let Setup { mut req, _root } = setup(true);
        let inner = req.home.join("cache");
        std::fs::rename(&req.cache, &inner).unwrap();
        req.cache = inner;
        let removed = uninstall(&req).unwrap();
        assert!(!req.home.exists(), "{removed:?}");
    }

    #[test]
    fn never_removes_the_user_home() {
        let Setup { mut req, _root } = setup(true);
        req.user_home = Some(req.home.clone());
        let removed = uninstall(&req).unwrap();
        assert!(req.home.is_dir(), "the user's home went");
        assert!(!req.home.join("toolchains").exists());
        assert!(removed.kept.contains(&Kept {
            path: req.home.clone(),
            reason: KeepReason::UserHome
        }));
    }

    #[cfg(unix)]
    #[test]
    fn only_gox_shims_leave_the_shims_dir() {
        let Setup { req, _root } = setup(false);
        let shims = &req.shims_dir;
        // A user's script with a shim-like name, a copy of gox-shim, a symlink to it.
        std::fs::write(shims.join("go1.99.0"), b"#!/bin/sh\necho mine\n").unwrap();
        std::fs::copy(req.install_dir.join("gox-shim"), shims.join("go1.23.0")).unwrap();
        std::os::unix::fs::symlink(req.install_dir.join("gox-shim"), shims.join("go1.21.13"))
            .unwrap();
        let removed = uninstall(&req).unwrap();
        assert_eq!(
            std::fs::read(shims.join("go1.99.0")).unwrap(),
            b"#!/bin/sh\necho mine\n"
        );
        for gone in ["go", "gofmt", "go1.22.10", "go1.23.0", "go1.21.13"] {
            assert!(!exists(&shims.join(gone)), "{gone}");
        }
        assert!(removed.kept.contains(&Kept {
            path: shims.join("go1.99.0"),
            reason: KeepReason::NotAShim
        }));
        assert!(removed.kept.contains(&Kept {
            path: shims.clone(),
            reason: KeepReason::NotEmpty(vec!["go1.99.0".into()])
        }));
    }

    #[cfg(unix)]
    #[test]
    fn links_on_path_to_the_removed_binaries_go_too() {
        let Setup { mut req, _root } = setup(false);
        let path_dir = req.home.parent().unwrap().join("path-bin");
        std::fs::create_dir(&path_dir).unwrap();
        for name in ["gox", "gox-shim"] {
            std::os::unix::fs::symlink(req.install_dir.join(name), path_dir.join(name)).unwrap();
        }
        // A link to something else, with the same name, in another PATH dir: not ours.
        let elsewhere = req.home.parent().unwrap().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(req.install_dir.join("other"), elsewhere.join("gox")).unwrap();
        req.link_dirs = vec![path_dir.clone(), elsewhere.clone()];
        let removed = uninstall(&req).unwrap();
        assert!(!exists(&path_dir.join("gox")) && !exists(&path_dir.join("gox-shim")));
        assert!(removed.paths.contains(&path_dir.join("gox")));
        assert!(exists(&elsewhere.join("gox")));
    }

    #[test]
    fn a_read_only_dir_says_how_to_fix_it() {
        let err = UninstallError {
            path: PathBuf::from("/usr/local/bin/gox"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            removed: vec![PathBuf::from("/h/shims/go")],
            user_path: UserPathEdit::Untouched,
        };
        let text = err.to_string();
        assert!(
            text.contains("/usr/local/bin/gox") && text.contains("/h/shims/go"),
            "{text}"
        );
        assert!(!text.contains("user Path"), "{text}");
        // The user Path goes first: a later failure still says what became of it.
        let err = UninstallError {
            user_path: UserPathEdit::Removed(vec![r"C:\gox\shims".into(), r"C:\gox\bin".into()]),
            ..err
        };
        let text = err.to_string();
        assert!(
            text.contains(
                r"removed so far: /h/shims/go
removed C:\gox\shims and C:\gox\bin from your user Path (HKEY_CURRENT_USER\Environment\Path)"
            ),
            "{text}"
        );
        assert!(
            text.contains("/usr/local/bin is not writable")
                && text.contains("run `gox self uninstall` again"),
            "{text}"
        );
    }

    #[test]
    fn rc_lines_naming_gox_are_found() {
        let root = tempfile::tempdir().unwrap();
        let shims = root.path().join("gox/shims");
        let bin = root.path().join(".local/bin");
        std::fs::write(
            root.path().join(".bashrc"),
            format!(
                "alias ll='ls -l'\nexport PATH=\"{}:$PATH\"\n# {0}\nexport PATH=\"$PATH:{}\"\n",
                shims.display(),
                bin.display()
            ),
        )
        .unwrap();
        let found = rc_mentions(root.path(), None, &shims, &bin);
        assert_eq!(
            found
                .iter()
                .map(|m| (m.line, m.install_dir_only))
                .collect::<Vec<_>>(),
            [(2, false), (4, true)],
            "{found:?}"
        );
        // The install dir under $HOME counts too, and zsh's files are read from ZDOTDIR.
        let zdotdir = root.path().join(".config/zsh");
        std::fs::create_dir_all(&zdotdir).unwrap();
        std::fs::write(
            zdotdir.join(".zshrc"),
            "export PATH=\"$HOME/.local/bin:$PATH\"\neval \"$(gox activate zsh)\"\n",
        )
        .unwrap();
        std::fs::write(root.path().join(".zshrc"), "eval \"$(gox activate zsh)\"\n").unwrap();
        let found = rc_mentions(root.path(), Some(&zdotdir), &shims, &bin);
        let zsh: Vec<_> = found
            .iter()
            .filter(|m| m.file.ends_with(".zshrc"))
            .map(|m| (m.file.clone(), m.line, m.install_dir_only))
            .collect();
        assert_eq!(
            zsh,
            [
                (zdotdir.join(".zshrc"), 1, true),
                (zdotdir.join(".zshrc"), 2, false)
            ],
            "{found:?}"
        );
    }
}
