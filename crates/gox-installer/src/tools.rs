//! Go tools in GOPATH/bin directories: reading them (header + Go build info, no `go`
//! process) for `gox tools` and `gox doctor`, and reinstalling them with `go install` for
//! `gox tools rebuild` and the `default_tools` setting. What is wrong with a tool is decided
//! by [`gox_core::tools`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use gox_core::tools::{Observed, Problem, problems};
use gox_core::{Platform, Version};
use gox_verifier::{BinaryInfo, BuildInfo, read_buildinfo, read_header};

/// One executable in a bin directory.
#[derive(Clone, Debug)]
pub struct Tool {
    /// File name without `.exe`.
    pub name: String,
    pub path: PathBuf,
    /// The executable header; `None` for scripts and anything else gox cannot read.
    pub header: Option<BinaryInfo>,
    /// Go build info; `None` for programs that are not Go (or Go before 1.18).
    pub info: Option<BuildInfo>,
    pub problems: Vec<Problem>,
}

impl Tool {
    /// `linux/arm64` from the build info (or the header when the build info lacks it).
    pub fn platform(&self) -> Option<String> {
        let from_info = self
            .info
            .as_ref()
            .and_then(|i| Some(format!("{}/{}", i.goos()?, i.goarch()?)));
        from_info.or_else(|| {
            let header = self.header.as_ref()?;
            match header.archs.as_slice() {
                [arch] => Some(format!("{}/{arch}", header.os?)),
                _ => None,
            }
        })
    }
}

/// Reads one executable and judges it for `host`, given the installed Go versions.
pub fn inspect(path: &Path, host: &Platform, installed: &[Version]) -> Tool {
    let header = read_header(path).ok();
    let info = header
        .as_ref()
        .and_then(|_| read_buildinfo(path).ok().flatten());
    let observed = Observed {
        native: header.as_ref().map(|h| h.runs_natively_on(host)),
        go_version: info.as_ref().map(|i| i.go_version.clone()),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    Tool {
        name: name.strip_suffix(".exe").unwrap_or(&name).to_string(),
        path: path.to_path_buf(),
        problems: problems(&observed, installed),
        header,
        info,
    }
}

/// Every tool in `dirs`, directory by directory, by name within each.
pub fn scan(dirs: &[PathBuf], host: &Platform, installed: &[Version]) -> Vec<Tool> {
    dirs.iter()
        .flat_map(|dir| executables(dir))
        .map(|path| inspect(&path, host, installed))
        .collect()
}

/// The executable files in `dir`, sorted; unreadable directories hold none.
pub fn executables(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|f| is_executable(f));
    files.sort();
    files
}

#[cfg(unix)]
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
pub fn is_executable(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("exe"))
        && path.is_file()
}

/// The first `dir/file_name` that is an executable file, for each absolute directory of a
/// `PATH` value in order: what the shell runs when the user types the tool's name.
pub fn first_on_path(path_var: Option<&std::ffi::OsStr>, file_name: &str) -> Option<PathBuf> {
    std::env::split_paths(path_var?)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(file_name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `dir` is one of the absolute directories of a `PATH` value.
pub fn on_path(path_var: Option<&std::ffi::OsStr>, dir: &Path) -> bool {
    path_var.is_some_and(|p| {
        std::env::split_paths(p)
            .any(|d| d.is_absolute() && (d == dir || gox_core::environment::same_file(&d, dir)))
    })
}

/// Where a rebuilt tool's old copy (one outside the directory `go install` wrote to: `~/go/bin`,
/// `$GOBIN`) stands on PATH relative to the new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OldCopy {
    /// PATH finds the old copy first: typing the name still runs the old build.
    Shadows,
    /// PATH finds the new one first: the old copy only wastes space (and confuses).
    Shadowed,
    /// PATH finds neither (or another program of that name first, given here).
    Elsewhere(Option<PathBuf>),
}

/// Judges the old copy at `old` of a program rebuilt at `new`, for a `PATH` value: what the
/// shell finds first under the old copy's name.
pub fn old_copy(path_var: Option<&std::ffi::OsStr>, old: &Path, new: &Path) -> OldCopy {
    let Some(name) = old.file_name().and_then(|n| n.to_str()) else {
        return OldCopy::Elsewhere(None);
    };
    let same = |a: &Path, b: &Path| a == b || gox_core::environment::same_file(a, b);
    match first_on_path(path_var, name) {
        Some(first) if same(&first, old) => OldCopy::Shadows,
        Some(first) if same(&first, new) => OldCopy::Shadowed,
        other => OldCopy::Elsewhere(other),
    }
}

/// The file name `go install` gives the program of `package` (cmd/go's rule: the last
/// path element, or the one before a `/vN` major-version suffix), plus `exe`.
pub fn installed_name(package: &str, exe: &str) -> String {
    let mut elems = package.rsplit('/');
    let last = elems.next().unwrap_or(package);
    let major_suffix = last.len() > 1
        && last.starts_with('v')
        && last[1..].bytes().all(|b| b.is_ascii_digit())
        && !last[1..].starts_with('0');
    let name = match elems.next() {
        Some(prev) if major_suffix => prev,
        _ => last,
    };
    format!("{name}{exe}")
}

/// Runs `go install TARGET` with a toolchain's `go` and the environment gox gives it
/// ([`gox_core::childenv::command_vars`]), for `platform`, into its GOPATH/bin.
#[derive(Clone, Debug)]
pub struct GoInstall {
    /// GOROOT/bin/go of the toolchain.
    pub go: PathBuf,
    pub vars: Vec<(&'static str, OsString)>,
    pub platform: Platform,
    /// Where the program lands: the platform's GOPATH/bin.
    pub bin_dir: PathBuf,
}

impl GoInstall {
    /// `Ok(path of the installed program)`, or `Err(go's own error output)`.
    pub fn run(&self, target: &str) -> Result<PathBuf, String> {
        let output = Command::new(&self.go)
            .arg("install")
            .arg(target)
            .envs(self.vars.iter().map(|(k, v)| (*k, v)))
            // The platform's GOPATH/bin, for the host: a GOBIN or a GOOS/GOARCH left in the
            // user's environment would send the program elsewhere or cross-compile it.
            .env_remove("GOBIN")
            .env("GOOS", self.platform.os())
            .env("GOARCH", self.platform.arch())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.go.display()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(if stderr.is_empty() {
                format!("go install {target} failed ({})", output.status)
            } else {
                stderr
            });
        }
        let package = target.split_once('@').map_or(target, |(p, _)| p);
        let program = self
            .bin_dir
            .join(installed_name(package, self.platform.exe_suffix()));
        match read_header(&program) {
            Ok(h) if h.runs_natively_on(&self.platform) => Ok(program),
            Ok(h) => Err(format!(
                "go install {target} succeeded but {} is {}, not {}",
                program.display(),
                h.cpu,
                self.platform
            )),
            Err(e) => Err(format!(
                "go install {target} succeeded but left no program at {}: {e}",
                program.display()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_follow_cmd_go() {
        assert_eq!(installed_name("golang.org/x/tools/gopls", ""), "gopls");
        assert_eq!(
            installed_name("github.com/go-delve/delve/cmd/dlv", ".exe"),
            "dlv.exe"
        );
        assert_eq!(installed_name("example.com/tool/v2", ""), "tool");
        assert_eq!(installed_name("example.com/v2", ""), "example.com");
        assert_eq!(installed_name("example.com/tool/v0", ""), "v0");
        assert_eq!(installed_name("hello", ""), "hello");
    }

    #[cfg(unix)]
    #[test]
    fn old_copies_are_judged_by_what_path_finds_first() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (home_bin, gox_bin, other) = (
            dir.path().join("home"),
            dir.path().join("gox"),
            dir.path().join("other"),
        );
        for d in [&home_bin, &gox_bin, &other] {
            std::fs::create_dir_all(d).unwrap();
            let tool = d.join("dlv");
            std::fs::write(&tool, "x").unwrap();
            std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let (old, new) = (home_bin.join("dlv"), gox_bin.join("dlv"));
        let path = |dirs: &[&PathBuf]| std::env::join_paths(dirs).unwrap();
        let judge = |dirs: &[&PathBuf]| old_copy(Some(&path(dirs)), &old, &new);
        assert_eq!(judge(&[&home_bin, &gox_bin]), OldCopy::Shadows);
        assert_eq!(judge(&[&gox_bin, &home_bin]), OldCopy::Shadowed);
        assert_eq!(
            judge(&[&other, &gox_bin]),
            OldCopy::Elsewhere(Some(other.join("dlv")))
        );
        assert_eq!(judge(&[]), OldCopy::Elsewhere(None));
        assert!(on_path(Some(&path(&[&other, &gox_bin])), &gox_bin));
        assert!(!on_path(Some(&path(&[&other])), &gox_bin));
        assert!(!on_path(None, &gox_bin));
    }

    #[test]
    fn scripts_are_not_go() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("hello.sh");
        std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        let host: Platform = "linux/amd64".parse().unwrap();
        let tool = inspect(&script, &host, &[]);
        assert_eq!(tool.name, "hello.sh");
        assert_eq!(tool.problems, [Problem::NotGo]);
        assert_eq!(tool.platform(), None);
    }
}
