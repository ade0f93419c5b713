//! `gox prune`: remove the toolchains nothing uses, and with `--cache` the downloads and
//! GOCACHEs nothing needs.
//!
//! "Used" means: selected by the global default, by a recorded project directory
//! ([`gox_core::projects`]), or by the directory prune runs in, through the same
//! [`gox_core::select`] the shim uses. A selection keeps the version it resolves to on
//! *every* installed platform (a `1.22` pin keeps the newest 1.22.x of each platform):
//! toolchains for other platforms are installed on purpose and follow the same pins.
//! Toolchains in use by a running process are protected by [`crate::uninstall`] itself,
//! which prune goes through; its refusals are reported, not overridden.
//!
//! [`plan`] decides and measures; [`apply`] carries a plan out; `--dry-run` prints the plan.
//! The decision itself is the pure [`unused`].

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use gox_core::installed::{Toolchain, installed};
use gox_core::layout::Layout;
use gox_core::select::{self, Selection};
use gox_core::{Environment, Platform, Version, projects};

use crate::error::InstallError;
use crate::install::parse_archive_name;
use crate::lock::ToolchainLock;

/// Why a toolchain is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The global default selects it.
    Default,
    /// The project directory (recorded, or where prune runs) selects it.
    Project(PathBuf),
}

/// One toolchain some selection resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub version: Version,
    pub platform: Platform,
    pub why: Why,
}

/// The toolchains `selection` resolves to, one per installed platform (pure).
pub fn resolve_uses(selection: &Selection, installed: &[Toolchain], why: &Why) -> Vec<Use> {
    let mut platforms: Vec<&Platform> = installed.iter().map(|t| &t.platform).collect();
    platforms.sort();
    platforms.dedup();
    platforms
        .into_iter()
        .filter_map(|platform| {
            let versions: Vec<Version> = installed
                .iter()
                .filter(|t| &t.platform == platform)
                .map(|t| t.version.clone())
                .collect();
            let version = selection.resolve(&versions).version()?.clone();
            Some(Use {
                version,
                platform: platform.clone(),
                why: why.clone(),
            })
        })
        .collect()
}

/// The installed toolchains no use names (pure; the order of `installed` is kept).
pub fn unused(installed: &[Toolchain], uses: &[Use]) -> Vec<Toolchain> {
    installed
        .iter()
        .filter(|t| {
            !uses
                .iter()
                .any(|u| u.version == t.version && u.platform == t.platform)
        })
        .cloned()
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    /// Without a readable default, prune cannot know what to keep.
    #[error("{0}\nnothing was removed; fix the default with `gox use --global <version>`")]
    Default(select::SelectError),
    #[error(transparent)]
    Projects(#[from] projects::ProjectsError),
}

/// Every use: the default, each live recorded project (stale entries are dropped from the
/// record here), and `env`'s own directory. A project whose pin cannot be read keeps
/// nothing and is reported in the warnings.
pub fn uses(
    env: &Environment,
    layout: &Layout,
    installed: &[Toolchain],
) -> Result<(Vec<Use>, Vec<String>), PruneError> {
    let mut uses = Vec::new();
    let mut warnings = Vec::new();
    if let Some(selection) = select::default_selection(layout).map_err(PruneError::Default)? {
        uses.extend(resolve_uses(&selection, installed, &Why::Default));
    }
    let mut dirs = projects::load_live(layout)?;
    if !dirs.iter().any(|d| d == env.cwd()) {
        dirs.push(env.cwd().to_path_buf());
    }
    for dir in dirs {
        // GOX_VERSION is a per-invocation override, not the project's choice.
        let mut project_env = env.clone().with_cwd(&dir);
        project_env.remove(select::GOX_VERSION);
        match select::select(&project_env, layout) {
            Ok(Some(selection)) => {
                uses.extend(resolve_uses(&selection, installed, &Why::Project(dir)))
            }
            Ok(None) => {}
            Err(e) => warnings.push(format!(
                "{}: its Go version cannot be read ({e}); it keeps no toolchain",
                dir.display()
            )),
        }
    }
    Ok((uses, warnings))
}

/// A toolchain prune would remove, and the bytes that frees.
#[derive(Clone, Debug)]
pub struct Doomed {
    pub toolchain: Toolchain,
    pub bytes: u64,
}

/// A cache entry prune would remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntry {
    pub path: PathBuf,
    /// With `with`.
    pub bytes: u64,
    /// `download` (an archive of a toolchain not installed), `gocache` (the GOCACHE of a
    /// platform without toolchains), `partial` (an unfinished download: a `.part` and its
    /// `.part.meta`, the scratch directory of an `install --source proxy`, or the staging
    /// directory of a `mirror sync`) or `plans` (the Linux shims' records: one per
    /// directory `go` ran in, made again by the next `go` there).
    pub kind: &'static str,
    /// Files removed together with `path` (a `.part`'s `.part.meta`).
    pub with: Vec<PathBuf>,
    /// For a partial download of a toolchain archive: that toolchain, whose lock every
    /// install holds while it writes the `.part`. Prune holds it while removing.
    pub owner: Option<(Version, Platform)>,
}

/// How long a partial download no toolchain lock covers (the scratch directory of an
/// `install --source proxy`, or a `.part` of a name gox does not write) must be untouched
/// before prune removes it: a running download writes to it every few seconds, and gives up
/// after a minute of silence (`GOX_STALL_TIMEOUT`) long before this.
pub const PARTIAL_QUIET: Duration = Duration::from_secs(3600);

/// The prefix of the private directory `gox install --source proxy` downloads a module zip
/// into: `downloads/.v0.0.1-go1.22.10.linux-amd64.XXXXXX/`.
pub(crate) const PROXY_SCRATCH_PREFIX: &str = ".v0.0.1-go";

/// What [`cache_entries`] found: what can go, and what stays with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheScan {
    pub remove: Vec<CacheEntry>,
    /// Partial downloads a running download may still be writing, each with why and what to do.
    pub keep: Vec<(CacheEntry, String)>,
}

#[derive(Debug)]
pub struct PrunePlan {
    pub remove: Vec<Doomed>,
    /// Kept toolchains with every reason.
    pub keep: Vec<(Toolchain, Vec<Why>)>,
    pub cache: Vec<CacheEntry>,
    /// Partial downloads left alone (a download may be writing them), with the reason.
    pub cache_kept: Vec<(CacheEntry, String)>,
    pub warnings: Vec<String>,
}

/// Decides what prune removes (and measures it); `with_cache` adds the cache entries that
/// would be useless once those toolchains are gone.
pub fn plan(env: &Environment, layout: &Layout, with_cache: bool) -> Result<PrunePlan, PruneError> {
    let all = installed(layout);
    let (uses, warnings) = uses(env, layout, &all)?;
    let doomed = unused(&all, &uses);
    let keep = all
        .iter()
        .filter(|t| !doomed.contains(t))
        .map(|t| {
            let why = uses
                .iter()
                .filter(|u| u.version == t.version && u.platform == t.platform)
                .map(|u| u.why.clone())
                .collect();
            (t.clone(), why)
        })
        .collect::<Vec<_>>();
    let remaining: Vec<Toolchain> = keep.iter().map(|(t, _)| t.clone()).collect();
    let cache = if with_cache {
        cache_entries(layout, &remaining)
    } else {
        CacheScan::default()
    };
    Ok(PrunePlan {
        remove: doomed
            .into_iter()
            .map(|toolchain| Doomed {
                bytes: freed_bytes(&toolchain.goroot),
                toolchain,
            })
            .collect(),
        keep,
        cache: cache.remove,
        cache_kept: cache.keep,
        warnings,
    })
}

/// The downloads of toolchains not in `remaining`, the per-platform GOCACHEs of platforms
/// with none in `remaining`, and partial downloads nothing writes any more. A `.part` named
/// after a toolchain archive is written only under that toolchain's lock: it stays while
/// another gox holds the lock. Any other partial stays until it has been untouched for
/// [`PARTIAL_QUIET`] and (where the OS tells) no process has it open.
pub fn cache_entries(layout: &Layout, remaining: &[Toolchain]) -> CacheScan {
    let mut scan = CacheScan::default();
    for path in sorted_children(&layout.downloads()) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(archive) = name.strip_suffix(".part") {
            let meta = crate::download::meta_path(&path);
            let with = if meta.exists() {
                vec![meta]
            } else {
                Vec::new()
            };
            let archive = archive.to_string();
            partial(layout, entry(path, "partial", with), &archive, &mut scan);
            continue;
        }
        if let Some(archive) = name.strip_suffix(".part.meta") {
            // Removed with its .part; alone, it is a leftover of its own.
            if !path.with_file_name(format!("{archive}.part")).exists() {
                let archive = archive.to_string();
                partial(
                    layout,
                    entry(path, "partial", Vec::new()),
                    &archive,
                    &mut scan,
                );
            }
            continue;
        }
        if name.starts_with(PROXY_SCRATCH_PREFIX) && path.is_dir() {
            unowned_partial(entry(path, "partial", Vec::new()), &mut scan);
            continue;
        }
        let Some((version, platform)) = parse_archive_name(name) else {
            continue;
        };
        if !remaining
            .iter()
            .any(|t| t.version == version && t.platform == platform)
        {
            scan.remove.push(entry(path, "download", Vec::new()));
        }
    }
    // What a killed `gox mirror sync` left: its staging tree (the archive's extraction).
    for path in sorted_children(layout.cache()) {
        if crate::staging::is_staging_dir(&path, crate::mirror::STAGING_PREFIX) {
            unowned_partial(entry(path, "partial", Vec::new()), &mut scan);
        }
    }
    for path in sorted_children(&layout.gocaches()) {
        let Some(platform) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.replacen('-', "/", 1).parse::<Platform>().ok())
        else {
            continue;
        };
        if path.is_dir() && !remaining.iter().any(|t| t.platform == platform) {
            scan.remove.push(entry(path, "gocache", Vec::new()));
        }
    }
    // A cache of decisions, one small file per directory `go` ran in: it only grows.
    if layout.plans().is_dir() {
        scan.remove.push(entry(layout.plans(), "plans", Vec::new()));
    }
    scan
}

fn entry(path: PathBuf, kind: &'static str, with: Vec<PathBuf>) -> CacheEntry {
    CacheEntry {
        bytes: freed_bytes(&path) + with.iter().map(|p| freed_bytes(p)).sum::<u64>(),
        path,
        kind,
        with,
        owner: None,
    }
}

/// A partial download of `archive` (`go1.22.10.linux-amd64.tar.gz`): its toolchain's lock
/// says whether an install is writing it.
fn partial(layout: &Layout, mut entry: CacheEntry, archive: &str, scan: &mut CacheScan) {
    let Some((version, platform)) = parse_archive_name(archive) else {
        return unowned_partial(entry, scan);
    };
    if ToolchainLock::is_free(&layout.toolchain_lock(&version, &platform)) {
        entry.owner = Some((version, platform));
        scan.remove.push(entry);
    } else {
        scan.keep.push((entry, busy(&version, &platform)));
    }
}

fn busy(version: &Version, platform: &Platform) -> String {
    format!(
        "a running gox is installing go{version} ({platform}) and downloading into it; \
         run `gox prune --cache` again once that install ends"
    )
}

/// A partial download no lock covers: removed once [`still_used`] finds no reason to keep it.
fn unowned_partial(entry: CacheEntry, scan: &mut CacheScan) {
    match still_used(&entry.path) {
        Some(reason) => scan.keep.push((entry, reason)),
        None => scan.remove.push(entry),
    }
}

/// Why something a download or a staging step writes, with no lock covering it, may still
/// be in use (and what to do), or `None` once it has been quiet for [`PARTIAL_QUIET`] and is
/// open in no process: then it is a leftover of a killed run.
pub(crate) fn still_used(path: &Path) -> Option<String> {
    let idle = idle_for(path);
    if idle < PARTIAL_QUIET {
        let when = match idle.as_secs() / 60 {
            0 => "less than a minute ago".to_string(),
            minutes => format!("{minutes} min ago"),
        };
        let rm = if path.is_dir() { "rm -r" } else { "rm" };
        return Some(format!(
            "changed {when}, so a download may still be writing it (partial downloads \
             that no install lock covers are removed once untouched for {} min); if no gox is \
             running, remove it now: {rm} {}",
            PARTIAL_QUIET.as_secs() / 60,
            path.display()
        ));
    }
    crate::inuse::users(path).first().map(|user| {
        format!("{user}: a download is writing it; run `gox prune --cache` again once it ends")
    })
}

/// How long nothing at `path` (a file, or anything in a directory) has been modified.
fn idle_for(path: &Path) -> Duration {
    let newest = newest_mtime(path).unwrap_or(SystemTime::UNIX_EPOCH);
    SystemTime::now()
        .duration_since(newest)
        .unwrap_or(Duration::ZERO)
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = fs::symlink_metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    sorted_children(path)
        .iter()
        .filter_map(|p| newest_mtime(p))
        .chain(own)
        .max()
}

/// Removes a cache entry (and what goes with it). A partial download of a toolchain archive
/// is removed under that toolchain's lock, so an install starting now cannot resume into a
/// file being deleted; `Ok(false)`: another gox took the lock first, nothing was removed.
fn remove_entry(layout: &Layout, entry: &CacheEntry) -> Result<bool, String> {
    let _held = match &entry.owner {
        Some((version, platform)) => {
            match ToolchainLock::try_acquire(&layout.toolchain_lock(version, platform)) {
                Ok(Some(held)) => Some(held),
                Ok(None) => return Ok(false),
                Err(e) => return Err(e.to_string()),
            }
        }
        None => None,
    };
    for path in std::iter::once(&entry.path).chain(&entry.with) {
        let result = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{e} ({})", path.display())),
        }
    }
    Ok(true)
}

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct PruneReport {
    pub removed: Vec<Doomed>,
    /// Toolchains uninstall refused (in use by a running process, …), with its error.
    pub refused: Vec<(Toolchain, InstallError)>,
    pub cache_removed: Vec<CacheEntry>,
    pub cache_failed: Vec<(CacheEntry, String)>,
    /// Partial downloads left alone, with the reason.
    pub cache_kept: Vec<(CacheEntry, String)>,
}

impl PruneReport {
    pub fn bytes_freed(&self) -> u64 {
        self.removed.iter().map(|d| d.bytes).sum::<u64>()
            + self.cache_removed.iter().map(|c| c.bytes).sum::<u64>()
    }
}

/// Removes each doomed toolchain through [`crate::uninstall`] (so its in-use protection
/// and atomic removal apply), then, when `with_cache`, the cache entries useless for what
/// actually remains (a refused toolchain keeps its download and GOCACHE).
pub fn apply(layout: &Layout, plan: &PrunePlan, with_cache: bool) -> PruneReport {
    let mut report = PruneReport::default();
    for doomed in &plan.remove {
        let t = &doomed.toolchain;
        match remove(layout, t) {
            Ok(()) => report.removed.push(doomed.clone()),
            Err(e) => report.refused.push((t.clone(), e)),
        }
    }
    if with_cache {
        let scan = cache_entries(layout, &installed(layout));
        report.cache_kept = scan.keep;
        for entry in scan.remove {
            match remove_entry(layout, &entry) {
                Ok(true) => report.cache_removed.push(entry),
                Ok(false) => {
                    let reason = entry.owner.as_ref().map(|(v, p)| busy(v, p));
                    report.cache_kept.push((entry, reason.unwrap_or_default()));
                }
                Err(e) => report.cache_failed.push((entry, e)),
            }
        }
    }
    report
}

/// What [`apply`] would do, without doing it (`gox prune --dry-run`): the same report,
/// with a toolchain a running program uses among the refused, as [`apply`] would find it
/// (the same process scan `gox uninstall` makes). The shim's in-use lock is not probed:
/// taking it, even for an instant, would make a `go` starting right then fail as "being
/// uninstalled".
pub fn preview(plan: &PrunePlan, with_cache: bool) -> PruneReport {
    let mut report = PruneReport::default();
    for doomed in &plan.remove {
        let t = &doomed.toolchain;
        let users = crate::inuse::users(&t.goroot);
        if users.is_empty() {
            report.removed.push(doomed.clone());
        } else {
            let busy = InstallError::InUse {
                version: t.version.to_string(),
                platform: t.platform.to_string(),
                goroot: t.goroot.clone(),
                users,
            };
            report.refused.push((t.clone(), busy));
        }
    }
    if with_cache {
        report.cache_removed = plan.cache.clone();
        report.cache_kept = plan.cache_kept.clone();
    }
    report
}

/// Removes one toolchain the way `gox uninstall` (without `--force`) does: through the
/// same library function, so its in-use refusal applies to prune too.
pub fn remove(layout: &Layout, toolchain: &Toolchain) -> Result<(), InstallError> {
    crate::uninstall(layout, &toolchain.version, &toolchain.platform).map(|_| ())
}

fn sorted_children(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}

/// The bytes removing `path` gives back: files with other hard links (an imported
/// toolchain still linked from its old manager) free nothing and are not counted.
pub fn freed_bytes(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        return sorted_children(path).iter().map(|p| freed_bytes(p)).sum();
    }
    if !meta.is_file() || shared(&meta) {
        return 0;
    }
    meta.len()
}

#[cfg(unix)]
fn shared(meta: &fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) > 1
}

#[cfg(not(unix))]
fn shared(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use gox_core::Spec;
    use gox_core::select::{Origin, Request, Source};

    fn tc(version: &str, platform: &str) -> Toolchain {
        Toolchain {
            version: Version::parse(version).unwrap(),
            platform: platform.parse().unwrap(),
            goroot: PathBuf::from(format!("/t/go{version}.{platform}")),
        }
    }

    fn pin(spec: &str) -> Selection {
        Selection {
            request: Request::Spec(Spec::parse(spec).unwrap()),
            source: Source {
                origin: Origin::GoVersionFile,
                path: Some("/p/.go-version".into()),
                line: Some(1),
            },
            raw: spec.into(),
        }
    }

    #[test]
    fn partial_pins_keep_the_newest_match_on_every_platform() {
        let installed = [
            tc("1.22.10", "linux/amd64"),
            tc("1.22.9", "linux/amd64"),
            tc("1.22.9", "darwin/arm64"),
            tc("1.21.13", "linux/amd64"),
        ];
        let why = Why::Project("/p".into());
        let uses = resolve_uses(&pin("1.22"), &installed, &why);
        let kept: Vec<String> = uses
            .iter()
            .map(|u| format!("{} {}", u.version, u.platform))
            .collect();
        assert_eq!(kept, ["1.22.9 darwin/arm64", "1.22.10 linux/amd64"]);
        let gone: Vec<String> = unused(&installed, &uses)
            .iter()
            .map(|t| format!("{} {}", t.version, t.platform))
            .collect();
        assert_eq!(gone, ["1.22.9 linux/amd64", "1.21.13 linux/amd64"]);
    }

    #[test]
    fn exact_pins_keep_that_version_and_missing_ones_nothing() {
        let installed = [tc("1.22.10", "linux/amd64"), tc("1.21.13", "linux/amd64")];
        let uses = resolve_uses(&pin("1.21.13"), &installed, &Why::Default);
        assert_eq!(unused(&installed, &uses), [installed[0].clone()]);
        let uses = resolve_uses(&pin("1.23"), &installed, &Why::Default);
        assert!(uses.is_empty());
        assert_eq!(unused(&installed, &uses).len(), 2);
    }

    #[test]
    fn cache_entries_name_orphan_downloads_gocaches_and_dead_partials() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout::at(tmp.path().join("h"), tmp.path().join("c"), "/none.toml");
        let dl = layout.downloads();
        fs::create_dir_all(&dl).unwrap();
        for name in [
            "go1.22.10.linux-amd64.tar.gz",
            "go1.21.13.linux-amd64.tar.gz",
            // A name gox does not write, just changed: it may be someone's download.
            ".go1.27.3.linux-amd64.tar.gz.x.part",
            // An interrupted install's partial download and its validator; a lone validator.
            "go1.27.3.linux-amd64.tar.gz.part",
            "go1.27.3.linux-amd64.tar.gz.part.meta",
            "go1.27.2.linux-amd64.tar.gz.part.meta",
            // An install of 1.21.13 is downloading right now.
            "go1.21.13.darwin-arm64.tar.gz.part",
            "notes.txt",
        ] {
            fs::write(dl.join(name), "1234").unwrap();
        }
        let _running = ToolchainLock::acquire(
            &layout.toolchain_lock(
                &Version::parse("1.21.13").unwrap(),
                &"darwin/arm64".parse().unwrap(),
            ),
            || {},
        )
        .unwrap();
        for platform in ["linux/amd64", "darwin/arm64"] {
            let dir = layout.gocache(&platform.parse().unwrap());
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("x"), "12").unwrap();
        }
        fs::create_dir_all(layout.plans()).unwrap();
        fs::write(layout.plans().join("0123456789abcdef"), "123").unwrap();
        let scan = cache_entries(&layout, &[tc("1.22.10", "linux/amd64")]);
        let name = |e: &CacheEntry| e.path.file_name().unwrap().to_string_lossy().into_owned();
        let names: Vec<(String, &str, u64)> = scan
            .remove
            .iter()
            .map(|e| (name(e), e.kind, e.bytes))
            .collect();
        assert_eq!(
            names,
            [
                ("go1.21.13.linux-amd64.tar.gz".to_string(), "download", 4),
                (
                    "go1.27.2.linux-amd64.tar.gz.part.meta".to_string(),
                    "partial",
                    4
                ),
                ("go1.27.3.linux-amd64.tar.gz.part".to_string(), "partial", 8),
                ("darwin-arm64".to_string(), "gocache", 2),
                (".plans".to_string(), "plans", 3)
            ]
        );
        let kept: Vec<String> = scan.keep.iter().map(|(e, _)| name(e)).collect();
        assert_eq!(
            kept,
            [
                ".go1.27.3.linux-amd64.tar.gz.x.part",
                "go1.21.13.darwin-arm64.tar.gz.part"
            ]
        );
        assert!(
            scan.keep[0].1.contains("changed less than a minute ago"),
            "{:?}",
            scan.keep
        );
        assert!(
            scan.keep[1]
                .1
                .contains("installing go1.21.13 (darwin/arm64)"),
            "{:?}",
            scan.keep
        );
    }
}
