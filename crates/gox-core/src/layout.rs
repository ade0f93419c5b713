//! Every path gox reads or writes is named here, once (DESIGN.md, "On-disk layout").
//!
//! ```text
//! GOX_HOME/toolchains/go1.22.5.darwin-arm64/   a GOROOT plus .gox-receipt.json
//! GOX_HOME/gopath/darwin-arm64/                GOPATH per platform
//! GOX_HOME/gomodcache/                         GOMODCACHE, shared
//! GOX_HOME/shims/{go,gofmt}                    the shim
//! GOX_HOME/default                             global version spec
//! GOX_HOME/projects                            project directories gox resolved for
//! GOX_CACHE_DIR/downloads/                     verified archives
//! GOX_CACHE_DIR/feed.json                      the go.dev feed cache
//! GOX_CACHE_DIR/go-build/darwin-arm64/         GOCACHE per platform
//! ```
//!
//! Defaults follow XDG on Linux *and* macOS (`~/.local/share/gox`) rather than
//! `~/Library/Application Support`, because GOROOT must not contain spaces: some cgo and
//! Makefile-driven builds split on them.

use std::path::{Path, PathBuf};

use crate::environment::Environment;
use crate::platform::Platform;
use crate::version::Version;

/// Name of the install receipt inside a toolchain directory.
pub const RECEIPT_FILE: &str = ".gox-receipt.json";
/// Prefix of staging directories under `toolchains/`; they never look like a toolchain.
pub const STAGING_PREFIX: &str = ".staging-";
/// Suffix of toolchain directories being removed (renamed first, so removal is atomic too).
pub const TRASH_PREFIX: &str = ".trash-";

/// Every name gox creates directly in GOX_HOME. GOX_HOME may be shared with other data
/// (`GOX_HOME=$HOME`), so `gox self uninstall --all` removes these and nothing else; a test
/// below fails when a path of this layout is not covered.
pub const HOME_ENTRIES: [&str; 7] = [
    "toolchains",
    "gopath",
    "gomodcache",
    "shims",
    "default",
    "projects",
    "sumdb",
];
/// The same for the cache directory (which may be `~/.cache` itself): the downloads, the
/// per-platform GOCACHEs and the resolver's feed cache (`feed.json` and its validators).
pub const CACHE_ENTRIES: [&str; 4] = ["downloads", "go-build", "feed.json", "feed.meta.json"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    home: PathBuf,
    cache: PathBuf,
    config_file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error(
        "cannot find a home directory: HOME is not set. Set HOME, or set GOX_HOME, GOX_CACHE_DIR and GOX_CONFIG explicitly"
    )]
    NoHome,
    #[error("{var}='{}' is not an absolute path; set it to an absolute directory", .path.display())]
    Relative { var: &'static str, path: PathBuf },
}

impl Layout {
    /// The layout for this environment: `GOX_HOME`, `GOX_CACHE_DIR`, `GOX_CONFIG`, else the
    /// platform defaults.
    pub fn from_env(env: &Environment) -> Result<Self, LayoutError> {
        let windows = cfg!(windows);
        let home = match absolute(env, "GOX_HOME")? {
            Some(p) => p,
            None if windows => local_app_data(env)?.join("gox"),
            None => xdg(env, "XDG_DATA_HOME", ".local/share")?.join("gox"),
        };
        let cache = match absolute(env, "GOX_CACHE_DIR")? {
            Some(p) => p,
            None if windows => local_app_data(env)?.join("gox").join("cache"),
            None if cfg!(target_os = "macos") && env.var("XDG_CACHE_HOME").is_none() => env
                .home()
                .ok_or(LayoutError::NoHome)?
                .join("Library/Caches/gox"),
            None => xdg(env, "XDG_CACHE_HOME", ".cache")?.join("gox"),
        };
        let config_file = match absolute(env, "GOX_CONFIG")? {
            Some(p) => p,
            None if windows => local_app_data(env)?.join("gox").join("config.toml"),
            None => xdg(env, "XDG_CONFIG_HOME", ".config")?.join("gox/config.toml"),
        };
        Ok(Self {
            home,
            cache,
            config_file,
        })
    }

    /// A layout rooted at explicit directories (tests, `--home`).
    pub fn at(
        home: impl Into<PathBuf>,
        cache: impl Into<PathBuf>,
        config_file: impl Into<PathBuf>,
    ) -> Self {
        Self {
            home: home.into(),
            cache: cache.into(),
            config_file: config_file.into(),
        }
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn cache(&self) -> &Path {
        &self.cache
    }

    pub fn config_file(&self) -> &Path {
        &self.config_file
    }

    pub fn toolchains(&self) -> PathBuf {
        self.home.join("toolchains")
    }

    /// `toolchains/go1.22.5.darwin-arm64`: the GOROOT of one version for one platform.
    pub fn toolchain(&self, version: &Version, platform: &Platform) -> PathBuf {
        self.toolchains()
            .join(toolchain_dir_name(version, platform))
    }

    /// The lock file serializing installs of one toolchain across processes.
    pub fn toolchain_lock(&self, version: &Version, platform: &Platform) -> PathBuf {
        self.toolchains()
            .join(format!(".{}.lock", toolchain_dir_name(version, platform)))
    }

    pub fn gopath(&self, platform: &Platform) -> PathBuf {
        self.home.join("gopath").join(platform.dir_name())
    }

    pub fn gomodcache(&self) -> PathBuf {
        self.home.join("gomodcache")
    }

    pub fn shims(&self) -> PathBuf {
        self.home.join("shims")
    }

    /// Linux: `shims/.gox`, the link to gox that the replaying shim runs as its planner.
    pub fn planner_link(&self) -> PathBuf {
        self.shims().join(gox_plan::PLANNER_LINK)
    }

    /// Linux: `shims/.plans`, the planner's records that the shim replays.
    pub fn plans(&self) -> PathBuf {
        self.shims().join(gox_plan::PLANS_DIR)
    }

    pub fn default_file(&self) -> PathBuf {
        self.home.join("default")
    }

    /// The projects record (see [`crate::projects`]).
    pub fn projects_file(&self) -> PathBuf {
        self.home.join("projects")
    }

    pub fn downloads(&self) -> PathBuf {
        self.cache.join("downloads")
    }

    /// `GOX_HOME/sumdb/<name>`: the last verified tree head of a checksum database
    /// (`latest`). Kept with the toolchains, not the cache: losing it weakens fork detection.
    pub fn sumdb_state(&self, name: &str) -> PathBuf {
        self.home.join("sumdb").join(name)
    }

    pub fn gocache(&self, platform: &Platform) -> PathBuf {
        self.gocaches().join(platform.dir_name())
    }

    /// The directory holding every platform's GOCACHE.
    pub fn gocaches(&self) -> PathBuf {
        self.cache.join("go-build")
    }
}

/// `go1.22.5.darwin-arm64`.
pub fn toolchain_dir_name(version: &Version, platform: &Platform) -> String {
    format!("{}.{}", version.go_name(), platform.dir_name())
}

/// Whether `name` is that of a lock file [`Layout::toolchain_lock`] makes in `toolchains/`:
/// `.go1.22.5.darwin-arm64.lock`.
pub fn is_toolchain_lock_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".lock"))
        .is_some_and(|n| parse_toolchain_dir_name(n).is_some())
}

/// Splits a toolchain directory name back into version and platform. Anything else in
/// `toolchains/` (staging dirs, locks, stray files) yields `None`.
pub fn parse_toolchain_dir_name(name: &str) -> Option<(Version, Platform)> {
    let rest = name.strip_prefix("go")?;
    let (version, platform) = rest.rsplit_once('.')?;
    Some((Version::parse_feed(version).ok()?, platform.parse().ok()?))
}

fn absolute(env: &Environment, var: &'static str) -> Result<Option<PathBuf>, LayoutError> {
    match env.path_var(var) {
        Some(p) if p.is_absolute() => Ok(Some(p)),
        Some(path) => Err(LayoutError::Relative { var, path }),
        None => Ok(None),
    }
}

fn xdg(env: &Environment, var: &'static str, fallback: &str) -> Result<PathBuf, LayoutError> {
    // The XDG spec says relative values are invalid and must be ignored.
    match env.path_var(var).filter(|p| p.is_absolute()) {
        Some(p) => Ok(p),
        None => Ok(env.home().ok_or(LayoutError::NoHome)?.join(fallback)),
    }
}

fn local_app_data(env: &Environment) -> Result<PathBuf, LayoutError> {
    match env.path_var("LOCALAPPDATA") {
        Some(p) => Ok(p),
        None => Ok(env.home().ok_or(LayoutError::NoHome)?.join("AppData/Local")),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn explicit_dirs_win() {
        let env = Environment::fake(
            "/",
            [
                ("GOX_HOME", "/h"),
                ("GOX_CACHE_DIR", "/c"),
                ("GOX_CONFIG", "/cfg.toml"),
                ("HOME", "/home/u"),
            ],
        );
        let l = Layout::from_env(&env).unwrap();
        let p: Platform = "darwin/arm64".parse().unwrap();
        assert_eq!(
            l.toolchain(&v("1.22.5"), &p),
            Path::new("/h/toolchains/go1.22.5.darwin-arm64")
        );
        assert_eq!(l.gopath(&p), Path::new("/h/gopath/darwin-arm64"));
        assert_eq!(l.gocache(&p), Path::new("/c/go-build/darwin-arm64"));
        assert_eq!(l.config_file(), Path::new("/cfg.toml"));
    }

    #[test]
    fn xdg_defaults() {
        let env = Environment::fake(
            "/",
            [
                ("HOME", "/home/u"),
                ("XDG_DATA_HOME", "/xd"),
                ("XDG_CACHE_HOME", "relative"),
            ],
        );
        let l = Layout::from_env(&env).unwrap();
        assert_eq!(l.home(), Path::new("/xd/gox"));
        if !cfg!(target_os = "macos") {
            assert_eq!(l.cache(), Path::new("/home/u/.cache/gox"));
        }
        assert_eq!(
            l.config_file(),
            Path::new("/home/u/.config/gox/config.toml")
        );
    }

    #[test]
    fn relative_gox_home_is_an_error_and_no_home_too() {
        let env = Environment::fake("/", [("GOX_HOME", "rel"), ("HOME", "/home/u")]);
        assert!(matches!(
            Layout::from_env(&env),
            Err(LayoutError::Relative { .. })
        ));
        // The path as the user typed it: a Windows `\tmp\home` is not shown as `"\\tmp\\home"`.
        let windows_style = LayoutError::Relative {
            var: "GOX_HOME",
            path: PathBuf::from(r"\tmp\home"),
        };
        assert_eq!(
            windows_style.to_string(),
            r"GOX_HOME='\tmp\home' is not an absolute path; set it to an absolute directory"
        );
        assert_eq!(
            Layout::from_env(&Environment::fake("/", Vec::<(String, String)>::new())),
            Err(LayoutError::NoHome)
        );
    }

    #[test]
    fn every_path_lies_under_an_owned_entry() {
        let layout = Layout::at("/h", "/c", "/cfg/config.toml");
        let p: Platform = "linux/amd64".parse().unwrap();
        let first = |path: PathBuf, root: &str| {
            path.strip_prefix(root)
                .unwrap()
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_str()
                .unwrap()
                .to_string()
        };
        for path in [
            layout.toolchains(),
            layout.toolchain(&v("1.22.5"), &p),
            layout.toolchain_lock(&v("1.22.5"), &p),
            layout.gopath(&p),
            layout.gomodcache(),
            layout.shims(),
            layout.default_file(),
            layout.projects_file(),
            layout.sumdb_state("sum.golang.org"),
        ] {
            assert!(
                HOME_ENTRIES.contains(&first(path.clone(), "/h").as_str()),
                "{path:?}"
            );
        }
        for path in [layout.downloads(), layout.gocache(&p), layout.gocaches()] {
            assert!(
                CACHE_ENTRIES.contains(&first(path.clone(), "/c").as_str()),
                "{path:?}"
            );
        }
    }

    #[test]
    fn dir_names_round_trip() {
        let p: Platform = "linux/amd64".parse().unwrap();
        for s in ["1.22.5", "1.20", "1.21rc1", "1"] {
            let name = toolchain_dir_name(&v(s), &p);
            let (back, plat) = parse_toolchain_dir_name(&name).unwrap();
            assert_eq!(back.as_str(), s);
            assert_eq!(plat, p);
        }
        for junk in [
            ".staging-x",
            "go",
            "go1.22.5",
            "go1.22.5.linux",
            "readme.txt",
            ".go1.22.5.linux-amd64.lock",
        ] {
            assert!(parse_toolchain_dir_name(junk).is_none(), "{junk}");
        }
    }

    #[test]
    fn lock_names_are_told_from_other_entries() {
        let layout = Layout::at("/h", "/c", "/cfg/config.toml");
        let p: Platform = "linux/amd64".parse().unwrap();
        for s in ["1.22.5", "1.21rc1"] {
            let lock = layout.toolchain_lock(&v(s), &p);
            let name = lock.file_name().unwrap().to_str().unwrap();
            assert!(is_toolchain_lock_name(name), "{name}");
        }
        for other in [
            "go1.22.5.linux-amd64",
            ".go1.22.5.linux-amd64",
            "go1.22.5.linux-amd64.lock",
            ".go1.22.5.lock",
            ".arm-gcc.lock",
            ".staging-go1.22.5.linux-amd64-Ab3xYz",
            ".lock",
        ] {
            assert!(!is_toolchain_lock_name(other), "{other}");
        }
    }
}
