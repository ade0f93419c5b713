//! `config.toml` (GOX_CONFIG, default `$XDG_CONFIG_HOME/gox/config.toml`).
//!
//! ```toml
//! auto_install = false        # the shim installs a missing pinned version instead of exit 127
//! gopath_per_platform = true  # false: leave GOPATH alone (users who keep their own)
//! mirror = "go.dev"           # a preset name or a base URL for downloads
//! feed_ttl_secs = 3600        # how long the cached go.dev feed is trusted without asking
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub auto_install: bool,
    pub gopath_per_platform: bool,
    pub mirror: Option<String>,
    pub feed_ttl_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            auto_install: false,
            gopath_per_platform: true,
            mirror: None,
            feed_ttl_secs: 3600,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}\nfix the file, or move it away to use the defaults")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    /// Loads the config file; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let p = Path::new("config.toml");
        assert_eq!(Config::parse("", p).unwrap(), Config::default());
        let c = Config::parse(
            "auto_install = true\ngopath_per_platform = false\nmirror = \"ustc\"\n",
            p,
        )
        .unwrap();
        assert!(c.auto_install && !c.gopath_per_platform);
        assert_eq!(c.mirror.as_deref(), Some("ustc"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = Config::parse("auto_install = maybe\n", Path::new("/etc/gox.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("/etc/gox.toml") && msg.contains("line 1"),
            "{msg}"
        );
        let err = Config::parse("auto_instal = true\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("auto_instal"), "{err}");
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(&dir.path().join("nope.toml")).unwrap(),
            Config::default()
        );
    }
}
