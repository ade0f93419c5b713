//! The environment a selected toolchain runs with — what the shim sets before `exec` and
//! what `gox env` prints. One function, so the two can never disagree.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::config::Config;
use crate::layout::Layout;
use crate::platform::Platform;

/// Names the GOROOT a shim resolved, so nested `go` calls (go generate, `go run` of tools,
/// Makefiles) run the same toolchain without resolving again, even from another directory.
pub const PIN_VAR: &str = "GOX_PIN";
/// How many shims deep this process is; a loop (a GOROOT whose `go` is the shim again)
/// fails loudly at [`MAX_DEPTH`] instead of forking forever.
pub const DEPTH_VAR: &str = "GOX_SHIM_DEPTH";
pub const MAX_DEPTH: u32 = 32;

/// A toolchain that has been chosen to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub goroot: PathBuf,
    pub platform: Platform,
}

/// Variables to set for the child, in a stable order.
pub fn vars(layout: &Layout, config: &Config, target: &Target) -> Vec<(&'static str, OsString)> {
    let mut vars = vec![("GOROOT", target.goroot.clone().into_os_string())];
    if config.gopath_per_platform {
        vars.push(("GOPATH", layout.gopath(&target.platform).into_os_string()));
    }
    vars.push(("GOCACHE", layout.gocache(&target.platform).into_os_string()));
    vars.push(("GOMODCACHE", layout.gomodcache().into_os_string()));
    // Go ≥ 1.21 would otherwise download and switch toolchains behind gox's back.
    vars.push(("GOTOOLCHAIN", OsString::from("local")));
    vars
}

/// PATH entries the selected toolchain adds, first to last: its `bin` and the platform's
/// GOPATH/bin (where `go install` puts tools built for this platform).
pub fn path_entries(layout: &Layout, config: &Config, target: &Target) -> Vec<PathBuf> {
    let mut entries = vec![target.goroot.join("bin")];
    if config.gopath_per_platform {
        entries.push(layout.gopath(&target.platform).join("bin"));
    }
    entries
}

/// The PATH to run a toolchain with: its entries first, then the current PATH minus any
/// entry a previous selection added (another toolchain's bin, another platform's
/// GOPATH/bin), so switching never stacks up stale Go directories.
pub fn compose_path(
    current: Option<&std::ffi::OsStr>,
    layout: &Layout,
    entries: Vec<PathBuf>,
) -> Vec<PathBuf> {
    let toolchains = layout.toolchains();
    let gopaths = layout.home().join("gopath");
    let mut path = entries;
    if let Some(current) = current {
        for dir in std::env::split_paths(current) {
            let ours = crate::pathname::starts_with(&dir, &toolchains)
                || crate::pathname::starts_with(&dir, &gopaths);
            let listed = path.iter().any(|p| crate::pathname::same(p, &dir));
            if !ours && !dir.as_os_str().is_empty() && !listed {
                path.push(dir);
            }
        }
    }
    path
}

/// Everything a command started by gox with a chosen toolchain gets (`gox exec`, `gox tools
/// rebuild`, default tools): [`vars`], the [`PIN_VAR`] so nested `go` calls through the shims
/// keep this toolchain, and the PATH from [`compose_path`]. `Err`: the PATH cannot be joined
/// (an entry holds the separator).
pub fn command_vars(
    layout: &Layout,
    config: &Config,
    target: &Target,
    current_path: Option<&std::ffi::OsStr>,
) -> Result<Vec<(&'static str, OsString)>, std::env::JoinPathsError> {
    let path = compose_path(current_path, layout, path_entries(layout, config, target));
    let mut all = vars(layout, config, target);
    all.push((PIN_VAR, target.goroot.clone().into_os_string()));
    all.push(("PATH", std::env::join_paths(path)?));
    Ok(all)
}

/// Parses the depth counter; garbage counts as 0 rather than blocking `go`.
pub fn depth(value: Option<&str>) -> u32 {
    value.and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn target() -> (Layout, Target) {
        let layout = Layout::at("/h", "/c", "/cfg.toml");
        let target = Target {
            goroot: PathBuf::from("/h/toolchains/go1.22.10.darwin-arm64"),
            platform: "darwin/arm64".parse().unwrap(),
        };
        (layout, target)
    }

    #[test]
    fn partitions_by_platform_and_pins_gotoolchain() {
        let (layout, target) = target();
        let vars = vars(&layout, &Config::default(), &target);
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            get("GOROOT").unwrap(),
            "/h/toolchains/go1.22.10.darwin-arm64"
        );
        assert_eq!(get("GOPATH").unwrap(), "/h/gopath/darwin-arm64");
        assert_eq!(get("GOCACHE").unwrap(), "/c/go-build/darwin-arm64");
        assert_eq!(get("GOMODCACHE").unwrap(), "/h/gomodcache");
        assert_eq!(get("GOTOOLCHAIN").unwrap(), "local");
    }

    #[test]
    fn gopath_opt_out() {
        let (layout, target) = target();
        let config = Config {
            gopath_per_platform: false,
            ..Config::default()
        };
        assert!(
            vars(&layout, &config, &target)
                .iter()
                .all(|(k, _)| *k != "GOPATH")
        );
        assert_eq!(
            path_entries(&layout, &config, &target),
            [PathBuf::from("/h/toolchains/go1.22.10.darwin-arm64/bin")]
        );
    }

    #[test]
    fn compose_path_replaces_previous_selection() {
        let (layout, target) = target();
        let old = "/h/toolchains/go1.21.13.darwin-arm64/bin:/usr/bin:/h/gopath/darwin-amd64/bin:/h/shims:/usr/bin";
        let path = compose_path(
            Some(std::ffi::OsStr::new(old)),
            &layout,
            path_entries(&layout, &Config::default(), &target),
        );
        let strs: Vec<_> = path.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(
            strs,
            [
                "/h/toolchains/go1.22.10.darwin-arm64/bin",
                "/h/gopath/darwin-arm64/bin",
                "/usr/bin",
                "/h/shims"
            ]
        );
    }

    #[test]
    fn depth_parsing() {
        assert_eq!(depth(None), 0);
        assert_eq!(depth(Some("3")), 3);
        assert_eq!(depth(Some("x")), 0);
    }
}
