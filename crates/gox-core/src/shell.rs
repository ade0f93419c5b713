//! Shell syntax: how to set and unset a variable in each supported shell, with quoting that
//! survives any path (spaces, quotes, `$`, non-ASCII).

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

    pub fn set(self, key: &str, value: &str) -> String {
        let value = self.quote(value);
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
        let d = self.quote(&dir.to_string_lossy());
        match self {
            Shell::Bash | Shell::Zsh => format!("export PATH={d}:\"$PATH\""),
            Shell::Fish => format!("fish_add_path --prepend {d}"),
            Shell::Pwsh => format!("$env:PATH = {d} + [IO.Path]::PathSeparator + $env:PATH"),
        }
    }

    /// The startup file that line belongs in.
    pub fn rc_file(self) -> &'static str {
        match self {
            Shell::Bash => "~/.bashrc",
            Shell::Zsh => "~/.zshrc",
            Shell::Fish => "~/.config/fish/config.fish",
            Shell::Pwsh => "$PROFILE",
        }
    }

    /// Sets PATH from a list of directories. fish's PATH is a list, not a `:` string.
    pub fn set_path(self, entries: &[PathBuf]) -> String {
        match self {
            Shell::Fish => {
                let quoted: Vec<String> = entries
                    .iter()
                    .map(|p| self.quote(&p.to_string_lossy()))
                    .collect();
                format!("set -gx PATH {}", quoted.join(" "))
            }
            _ => {
                let joined = std::env::join_paths(entries).map_or_else(
                    |_| {
                        entries
                            .iter()
                            .map(|p| p.to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                            .join(path_separator())
                    },
                    |s| s.to_string_lossy().into_owned(),
                );
                self.set("PATH", &joined)
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
    fn quoting_survives_hostile_values() {
        let v = "it's a $HOME \"dir\" \\ ok";
        assert_eq!(Shell::Bash.quote(v), r#"'it'\''s a $HOME "dir" \ ok'"#);
        assert_eq!(Shell::Fish.quote(v), r#"'it\'s a $HOME "dir" \\ ok'"#);
        assert_eq!(Shell::Pwsh.quote(v), r#"'it''s a $HOME "dir" \ ok'"#);
    }

    #[test]
    fn names() {
        assert_eq!(Shell::from_path("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_path("C:/x/pwsh.exe"), Some(Shell::Pwsh));
        assert_eq!("PowerShell".parse::<Shell>().unwrap(), Shell::Pwsh);
        assert!("tcsh".parse::<Shell>().is_err());
    }
}
