//! Go tools in GOPATH/bin directories (`gox tools`): where gox looks for them and what is
//! wrong with each. The decisions are pure functions of what the caller read from the
//! binaries (header and Go build info); gox-installer's `tools` module does the reading and
//! the rebuilding.

use std::path::PathBuf;

use serde::Serialize;

use crate::environment::Environment;
use crate::layout::Layout;
use crate::version::Version;

/// What `gox tools` flags on a tool (JSON: `"wrong-arch"`, `"orphaned"`, `"not-go"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// Built for a platform that is not the host's: the x86_64 `dlv` on Apple Silicon.
    WrongArch,
    /// Built by a Go version that is no longer installed.
    Orphaned,
    /// No Go build info: listed, never rebuilt.
    NotGo,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::WrongArch => "wrong-arch",
            Problem::Orphaned => "orphaned",
            Problem::NotGo => "not-go",
        }
    }
}

/// What the caller read from one executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The executable header says it runs natively on the host (`None`: no header gox
    /// recognises, e.g. a script).
    pub native: Option<bool>,
    /// The Go version from the build info (`go1.22.10`, `devel …`); `None` without build info.
    pub go_version: Option<String>,
}

/// The problems of one tool, given the Go versions installed (any platform).
pub fn problems(observed: &Observed, installed: &[Version]) -> Vec<Problem> {
    let mut found = Vec::new();
    let Some(go) = &observed.go_version else {
        found.push(Problem::NotGo);
        if observed.native == Some(false) {
            found.push(Problem::WrongArch);
        }
        return found;
    };
    if observed.native == Some(false) {
        found.push(Problem::WrongArch);
    }
    // A development toolchain (`devel go1.24-abc…`) is nothing gox installs: not orphaned.
    if let Ok(version) = Version::parse(go)
        && !installed.contains(&version)
    {
        found.push(Problem::Orphaned);
    }
    found
}

/// The directories `gox tools` lists, in order, without duplicates, only those that exist:
/// every platform's GOX_HOME/gopath/<os>-<arch>/bin, then `GOBIN`, then `~/go/bin` (Go's
/// default GOPATH, where tools land when installed without gox).
pub fn bin_dirs(layout: &Layout, env: &Environment) -> Vec<PathBuf> {
    let mut platform_dirs: Vec<PathBuf> = std::fs::read_dir(layout.home().join("gopath"))
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    platform_dirs.sort();
    let mut dirs = platform_dirs;
    dirs.extend(env.path_var("GOBIN").filter(|p| p.is_absolute()));
    dirs.extend(env.home().map(|h| h.join("go").join("bin")));
    let mut unique: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        if dir.is_dir() && !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

/// Which tools `gox tools rebuild` takes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Tools with these file names (without `.exe`).
    Named(Vec<String>),
    WrongArch,
    All,
}

impl Selection {
    pub fn includes(&self, name: &str, problems: &[Problem]) -> bool {
        match self {
            Selection::Named(names) => names.iter().any(|n| n == name),
            Selection::WrongArch => problems.contains(&Problem::WrongArch),
            Selection::All => !problems.contains(&Problem::NotGo),
        }
    }
}

/// The `go install` argument that rebuilds a tool: `package@version`, where version is the
/// main module's (exact) or `latest`. `Err` says why it cannot be rebuilt.
pub fn install_target(
    package: Option<&str>,
    module_version: Option<&str>,
    latest: bool,
) -> Result<String, RebuildSkip> {
    let package = package.ok_or(RebuildSkip::NoPackage)?;
    if latest {
        return Ok(format!("{package}@latest"));
    }
    match module_version {
        Some("(devel)") | Some("") => Err(RebuildSkip::Devel),
        Some(version) => Ok(format!("{package}@{version}")),
        None => Err(RebuildSkip::NoModule),
    }
}

/// Why a tool is skipped by `gox tools rebuild`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RebuildSkip {
    /// No build info.
    NotGo,
    /// No main package path in the build info.
    NoPackage,
    /// Built from a local checkout: no version to fetch again.
    Devel,
    /// No main module (built outside module mode, or a toolchain command).
    NoModule,
}

impl std::fmt::Display for RebuildSkip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RebuildSkip::NotGo => "not a Go program (no build info)",
            RebuildSkip::NoPackage => "its build info names no main package",
            RebuildSkip::Devel => {
                "built from a local checkout ((devel)): rebuild it from its source directory, or pass --latest"
            }
            RebuildSkip::NoModule => "built outside a module: no version to reinstall (pass --latest)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn flags() {
        let installed = [v("1.22.10"), v("1.27.3")];
        let obs = |native, go: Option<&str>| Observed {
            native,
            go_version: go.map(str::to_string),
        };
        assert!(problems(&obs(Some(true), Some("go1.22.10")), &installed).is_empty());
        assert_eq!(
            problems(&obs(Some(false), Some("go1.22.10")), &installed),
            [Problem::WrongArch]
        );
        assert_eq!(
            problems(&obs(Some(false), Some("go1.21.13")), &installed),
            [Problem::WrongArch, Problem::Orphaned]
        );
        assert_eq!(
            problems(&obs(Some(true), Some("go1.27.2")), &installed),
            [Problem::Orphaned]
        );
        assert!(problems(&obs(Some(true), Some("devel go1.28-abc Tue")), &installed).is_empty());
        assert_eq!(problems(&obs(None, None), &installed), [Problem::NotGo]);
        assert_eq!(
            problems(&obs(Some(false), None), &installed),
            [Problem::NotGo, Problem::WrongArch]
        );
    }

    #[test]
    fn rebuild_targets() {
        let pkg = Some("example.com/hello/cmd/hello");
        assert_eq!(
            install_target(pkg, Some("v1.0.0"), false).unwrap(),
            "example.com/hello/cmd/hello@v1.0.0"
        );
        assert_eq!(
            install_target(pkg, Some("(devel)"), true).unwrap(),
            "example.com/hello/cmd/hello@latest"
        );
        assert_eq!(
            install_target(pkg, Some("(devel)"), false),
            Err(RebuildSkip::Devel)
        );
        assert_eq!(install_target(pkg, None, false), Err(RebuildSkip::NoModule));
        assert_eq!(
            install_target(None, Some("v1"), false),
            Err(RebuildSkip::NoPackage)
        );
    }

    #[test]
    fn selection() {
        let named = Selection::Named(vec!["dlv".into()]);
        assert!(named.includes("dlv", &[]) && !named.includes("gopls", &[]));
        assert!(Selection::WrongArch.includes("x", &[Problem::WrongArch, Problem::Orphaned]));
        assert!(!Selection::WrongArch.includes("x", &[Problem::Orphaned]));
        assert!(Selection::All.includes("x", &[Problem::Orphaned]));
        assert!(!Selection::All.includes("x", &[Problem::NotGo]));
    }

    #[test]
    fn bin_dirs_every_platform_then_gobin_then_home() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let layout = Layout::at(root.join("gox"), root.join("c"), root.join("c.toml"));
        for d in [
            "gox/gopath/linux-arm64/bin",
            "gox/gopath/linux-amd64/bin",
            "gobin",
            "user/go/bin",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::create_dir_all(root.join("gox/gopath/darwin-arm64")).unwrap();
        let env = Environment::fake(
            root,
            [("HOME", root.join("user")), ("GOBIN", root.join("gobin"))],
        );
        let got: Vec<_> = bin_dirs(&layout, &env)
            .iter()
            .map(|p| {
                let rel = p.strip_prefix(root).unwrap().to_str().unwrap();
                rel.replace('\\', "/")
            })
            .collect();
        assert_eq!(
            got,
            [
                "gox/gopath/linux-amd64/bin",
                "gox/gopath/linux-arm64/bin",
                "gobin",
                "user/go/bin"
            ]
        );
    }
}
