//! Shell syntax: how to set and unset a variable in each supported shell, with quoting that
//! survives any path (spaces, quotes, `$`, non-ASCII).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Pwsh,
}

impl Shell {
    pub const ALL: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Pwsh];

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Pwsh => "pwsh",
        }
    }

    /// The shell named by a `$SHELL`-style path (`/bin/zsh` → zsh), if supported.
    pub fn from_path(path: &str) -> Option<Shell> {
        Path::new(path)
            .file_name()?
            .to_str()?
            .trim_end_matches(".exe")
            .parse()
            .ok()
    }

    /// The shell gox writes for when none is named and `$SHELL` is unset: PowerShell on
    /// Windows (neither cmd.exe nor PowerShell sets SHELL, and `export …` means nothing
    /// there), bash elsewhere.
    pub const fn os_default() -> Shell {
        if cfg!(windows) {
            Shell::Pwsh
        } else {
            Shell::Bash
        }
    }

    /// The shell named, else the user's login shell (`$SHELL`), else `default`
    /// ([`Shell::os_default`]). The second value is a warning when `$SHELL` names a shell
    /// gox writes nothing for (tcsh, dash, nushell…): bash syntax is then a guess the user
    /// should know about.
    pub fn chosen(
        name: Option<&str>,
        shell_var: Option<&str>,
        default: Shell,
    ) -> Result<(Shell, Option<String>), UnknownShell> {
        if let Some(name) = name {
            return Ok((name.parse()?, None));
        }
        let Some(login) = shell_var else {
            return Ok((default, None));
        };
        Ok(match Shell::from_path(login) {
            Some(shell) => (shell, None),
            None => (
                Shell::Bash,
                Some(format!(
                    "SHELL is {login}, which gox has no integration for: writing bash syntax. \
                     Name the shell you will run this in: bash, zsh, fish or pwsh"
                )),
            ),
        })
    }

    /// A quoted literal.
    pub fn quote(self, value: &str) -> String {
        match self {
            // Single quotes are literal in POSIX shells; a ' is closed, escaped, reopened.
            Shell::Bash | Shell::Zsh => format!("'{}'", value.replace('\'', r"'\''")),
            // fish: inside '…' only \\ and \' are special.
            Shell::Fish => format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'")),
            // PowerShell: inside '…' a ' is doubled.
            Shell::Pwsh => format!("'{}'", value.replace('\'', "''")),
        }
    }

    /// A quoted literal of any OS string. A value that is not UTF-8 (a PATH entry or home
    /// directory with Latin-1 bytes) keeps its exact bytes where the shell can write them:
    /// bash and zsh as `$'…\xHH…'`, fish as `\XHH` between quoted runs. PowerShell's
    /// strings are UTF-16 and cannot hold such bytes: lossy there.
    pub fn quote_os(self, value: &OsStr) -> String {
        if let Some(text) = value.to_str() {
            return self.quote(text);
        }
        match self {
            Shell::Bash | Shell::Zsh => {
                let mut out = String::from("$'");
                for &b in value.as_encoded_bytes() {
                    match b {
                        b'\\' | b'\'' => {
                            out.push('\\');
                            out.push(char::from(b));
                        }
                        0x20..=0x7e => out.push(char::from(b)),
                        _ => out.push_str(&format!("\\x{b:02x}")),
                    }
                }
                out.push('\'');
                out
            }
            Shell::Fish => {
                let mut out = String::new();
                for chunk in value.as_encoded_bytes().utf8_chunks() {
                    if !chunk.valid().is_empty() {
                        out.push_str(&self.quote(chunk.valid()));
                    }
                    for b in chunk.invalid() {
                        out.push_str(&format!("\\X{b:02x}"));
                    }
                }
                out
            }
            Shell::Pwsh => self.quote(&value.to_string_lossy()),
        }
    }

    pub fn set(self, key: &str, value: &str) -> String {
        self.set_os(key, OsStr::new(value))
    }

    /// [`Shell::set`] for any OS string (see [`Shell::quote_os`]).
    pub fn set_os(self, key: &str, value: &OsStr) -> String {
        let value = self.quote_os(value);
        match self {
            Shell::Bash | Shell::Zsh => format!("export {key}={value}"),
            Shell::Fish => format!("set -gx {key} {value}"),
            Shell::Pwsh => format!("$env:{key} = {value}"),
        }
    }

    pub fn unset(self, key: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("unset {key}"),
            Shell::Fish => format!("set -e {key}"),
            Shell::Pwsh => format!("Remove-Item -ErrorAction SilentlyContinue Env:{key}"),
        }
    }

    /// The line that puts `dir` first on PATH for good (what `gox setup` prints and
    /// `gox doctor` suggests).
    pub fn prepend_path_line(self, dir: &Path) -> String {
        let d = self.quote_os(dir.as_os_str());
        match self {
            Shell::Bash | Shell::Zsh => format!("export PATH={d}:\"$PATH\""),
            // `--path`: $PATH for this session, set again by config.fish at every start.
            // Without it fish_add_path stores the universal `fish_user_paths` in
            // fish_variables, which outlives deleting this line (and uninstalling gox).
            Shell::Fish => format!("fish_add_path --path {d}"),
            Shell::Pwsh => format!("$env:PATH = {d} + [IO.Path]::PathSeparator + $env:PATH"),
        }
    }

    /// The startup file that line belongs in. zsh reads its files from `ZDOTDIR` when
    /// that is set (`zdotdir`), so `~/.zshrc` would then never be read.
    pub fn rc_file(self, zdotdir: Option<&Path>) -> String {
        match (self, zdotdir) {
            (Shell::Bash, _) => "~/.bashrc".into(),
            (Shell::Zsh, Some(dir)) => dir.join(".zshrc").display().to_string(),
            (Shell::Zsh, None) => "~/.zshrc".into(),
            (Shell::Fish, _) => "~/.config/fish/config.fish".into(),
            (Shell::Pwsh, _) => "$PROFILE".into(),
        }
    }

    /// Sets PATH from a list of directories. fish's PATH is a list, not a `:` string.
    pub fn set_path(self, entries: &[PathBuf]) -> String {
        match self {
            Shell::Fish => {
                let quoted: Vec<String> = entries
                    .iter()
                    .map(|p| self.quote_os(p.as_os_str()))
                    .collect();
                format!("set -gx PATH {}", quoted.join(" "))
            }
            _ => {
                let joined = std::env::join_paths(entries).unwrap_or_else(|_| {
                    // An entry holding the separator cannot be joined faithfully anyway.
                    entries
                        .iter()
                        .map(|p| p.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(path_separator())
                        .into()
                });
                self.set_os("PATH", &joined)
            }
        }
    }
}

/// The PATH list separator on this OS.
pub fn path_separator() -> &'static str {
    if cfg!(windows) { ";" } else { ":" }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported shell `{0}`: choose bash, zsh, fish or pwsh")]
pub struct UnknownShell(pub String);

impl FromStr for Shell {
    type Err = UnknownShell;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "bash" | "sh" => Ok(Shell::Bash),
            "zsh" => Ok(Shell::Zsh),
            "fish" => Ok(Shell::Fish),
            "pwsh" | "powershell" => Ok(Shell::Pwsh),
            other => Err(UnknownShell(other.to_string())),
        }
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_shell_and_when_it_is_a_guess() {
        let bash = Shell::Bash;
        assert_eq!(
            Shell::chosen(Some("fish"), Some("/bin/zsh"), bash).unwrap(),
            (Shell::Fish, None)
        );
        assert_eq!(
            Shell::chosen(None, Some("/usr/bin/zsh"), bash).unwrap(),
            (Shell::Zsh, None)
        );
        assert_eq!(
            Shell::chosen(None, None, bash).unwrap(),
            (Shell::Bash, None)
        );
        // Windows: no SHELL in cmd.exe or PowerShell, so PowerShell's syntax.
        assert_eq!(
            Shell::chosen(None, None, Shell::Pwsh).unwrap(),
            (Shell::Pwsh, None)
        );
        assert_eq!(
            Shell::os_default(),
            if cfg!(windows) {
                Shell::Pwsh
            } else {
                Shell::Bash
            }
        );
        for odd in ["/bin/tcsh", "/usr/bin/dash", "/usr/bin/nu"] {
            let (shell, warning) = Shell::chosen(None, Some(odd), bash).unwrap();
            assert_eq!(shell, Shell::Bash);
            assert!(
                warning.is_some_and(|w| w.contains(odd) && w.contains("bash, zsh, fish or pwsh"))
            );
        }
        assert!(Shell::chosen(Some("tcsh"), None, bash).is_err());
    }

    #[test]
    fn quoting_survives_hostile_values() {
        let v = "it's a $HOME \"dir\" \\ ok";
        assert_eq!(Shell::Bash.quote(v), r#"'it'\''s a $HOME "dir" \ ok'"#);
        assert_eq!(Shell::Fish.quote(v), r#"'it\'s a $HOME "dir" \\ ok'"#);
        assert_eq!(Shell::Pwsh.quote(v), r#"'it''s a $HOME "dir" \ ok'"#);
    }

    /// Bytes that are not UTF-8 survive a round trip through each real shell's parser
    /// (checked against bash, zsh and fish in crates/gox/tests/shells.rs).
    #[cfg(unix)]
    #[test]
    fn non_utf8_values_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let v = OsStr::from_bytes(b"/opt/caf\xe9/it's \\bin");
        assert_eq!(Shell::Bash.quote_os(v), r"$'/opt/caf\xe9/it\'s \\bin'");
        assert_eq!(Shell::Fish.quote_os(v), r"'/opt/caf'\Xe9'/it\'s \\bin'");
        assert_eq!(Shell::Bash.quote_os(OsStr::new("plain")), "'plain'");
    }

    #[test]
    fn names() {
        assert_eq!(Shell::from_path("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_path("C:/x/pwsh.exe"), Some(Shell::Pwsh));
        assert_eq!("PowerShell".parse::<Shell>().unwrap(), Shell::Pwsh);
        assert!("tcsh".parse::<Shell>().is_err());
    }
}
