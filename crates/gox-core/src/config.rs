//! `config.toml` (GOX_CONFIG, default `$XDG_CONFIG_HOME/gox/config.toml`).
//!
//! ```toml
//! auto_install = false        # the shim installs a missing pinned version instead of exit 127
//! gopath_per_platform = true  # false: leave GOPATH alone (users who keep their own)
//! mirror = "go.dev"           # a preset name or a base URL for downloads
//! feed_ttl_secs = 3600        # how long the cached go.dev feed is trusted without asking
//! retries = 5                 # attempts per URL for transient network failures (GOX_RETRIES)
//! retry_deadline_secs = 120   # no retry starts after this many seconds (GOX_DEADLINE)
//! stall_timeout_secs = 60     # a download silent this long is cut off (GOX_STALL_TIMEOUT)
//! source = "auto"             # feed (go.dev), proxy (GOPROXY + checksum database), auto
//! default_tools = ["golang.org/x/tools/gopls@latest"]  # `go install`ed after each gox install
//! sdk_links = false           # keep ~/sdk/goX.Y.Z links (golang.org/dl layout) for editors
//! ```
//!
//! The shim reads this file on every `go`, and a full TOML parser would cost it a sixth of
//! its 600 KB budget, so gox accepts the flat subset its settings need: top-level
//! `key = value` lines with booleans, integers, basic strings and one-line arrays of basic
//! strings, `#` comments. Anything else (tables, multi-line arrays, unknown keys) is an error
//! naming the file and line, never ignored.

use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub auto_install: bool,
    pub gopath_per_platform: bool,
    pub mirror: Option<String>,
    pub feed_ttl_secs: u64,
    /// Network retry settings; `None` means gox-resolver's defaults.
    pub retries: Option<u32>,
    pub retry_deadline_secs: Option<u64>,
    pub stall_timeout_secs: Option<u64>,
    /// `feed`, `proxy` or `auto` (`None`: auto); see docs/sources.md.
    pub source: Option<String>,
    /// `path@version` packages `gox install` runs `go install` on with each new toolchain.
    pub default_tools: Vec<String>,
    pub sdk_links: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            auto_install: false,
            gopath_per_platform: true,
            mirror: None,
            feed_ttl_secs: 3600,
            retries: None,
            retry_deadline_secs: None,
            stall_timeout_secs: None,
            source: None,
            default_tools: Vec::new(),
            sdk_links: false,
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
    #[error("{path}:{line}: {message}\nfix the file, or move it away to use the defaults")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The toolchain sources (`source = …`, `GOX_SOURCE`, `--source`).
pub const SOURCES: [&str; 3] = ["feed", "proxy", "auto"];

enum Value {
    Bool(bool),
    Int(u64),
    Str(String),
    List(Vec<String>),
}

impl Config {
    /// Loads the config file; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        // Most users have no config file, and every `go` run asks: a failed `stat` costs the
        // shim less than a failed `open` (see `select::read_if_file`).
        if crate::observe::metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            return Ok(Self::default());
        }
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
        let mut config = Self::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, raw) in text.lines().enumerate() {
            let fail = |message: String| ConfigError::Parse {
                path: path.to_path_buf(),
                line: index + 1,
                message,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, rest) = line
                .split_once('=')
                .ok_or_else(|| fail(format!("expected `key = value`, found `{line}`")))?;
            let key = key.trim();
            let value = parse_value(rest.trim()).map_err(fail)?;
            match (key, value) {
                ("auto_install", Value::Bool(b)) => config.auto_install = b,
                ("gopath_per_platform", Value::Bool(b)) => config.gopath_per_platform = b,
                ("mirror", Value::Str(s)) => config.mirror = Some(s),
                ("feed_ttl_secs", Value::Int(n)) => config.feed_ttl_secs = n,
                ("retries", Value::Int(n)) => {
                    config.retries = Some(u32::try_from(n).unwrap_or(u32::MAX).max(1));
                }
                ("retry_deadline_secs", Value::Int(n)) => config.retry_deadline_secs = Some(n),
                ("stall_timeout_secs", Value::Int(n)) => config.stall_timeout_secs = Some(n),
                ("retries" | "retry_deadline_secs" | "stall_timeout_secs", _) => {
                    return Err(fail(format!("`{key}` must be a whole number")));
                }
                ("source", Value::Str(s)) if SOURCES.contains(&s.as_str()) => {
                    config.source = Some(s);
                }
                ("source", _) => {
                    return Err(fail(
                        "`source` must be \"feed\", \"proxy\" or \"auto\"".into(),
                    ));
                }
                ("default_tools", Value::List(tools)) => config.default_tools = tools,
                ("default_tools", _) => {
                    return Err(fail(
                        "`default_tools` must be a one-line list of strings: [\"golang.org/x/tools/gopls@latest\"]".into(),
                    ));
                }
                ("sdk_links", Value::Bool(b)) => config.sdk_links = b,
                ("auto_install" | "gopath_per_platform" | "sdk_links", _) => {
                    return Err(fail(format!("`{key}` must be true or false")));
                }
                ("mirror", _) => return Err(fail("`mirror` must be a quoted string".into())),
                ("feed_ttl_secs", _) => {
                    return Err(fail(
                        "`feed_ttl_secs` must be a whole number of seconds".into(),
                    ));
                }
                _ => {
                    return Err(fail(format!(
                        "unknown setting `{key}` (known: auto_install, gopath_per_platform, mirror, feed_ttl_secs, retries, retry_deadline_secs, stall_timeout_secs, source, default_tools, sdk_links)"
                    )));
                }
            }
        }
        Ok(config)
    }
}

/// A value with an optional trailing `# comment`.
fn parse_value(text: &str) -> Result<Value, String> {
    if text.starts_with('"') {
        let (value, rest) = parse_string(text)?;
        return trailing(rest).map(|()| Value::Str(value));
    }
    if let Some(mut rest) = text.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                return trailing(after).map(|()| Value::List(items));
            }
            if rest.is_empty() || rest.starts_with('#') {
                return Err("unterminated list: close it with `]` on the same line".into());
            }
            let (item, after) = parse_string(rest)?;
            items.push(item);
            rest = after.trim_start();
            rest = match rest.strip_prefix(',') {
                Some(after) => after,
                None if rest.starts_with(']') || rest.is_empty() || rest.starts_with('#') => rest,
                None => return Err(format!("expected `,` or `]` in the list, found `{rest}`")),
            };
        }
    }
    let word = text.split('#').next().unwrap_or_default().trim();
    match word {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        _ => word.replace('_', "").parse().map(Value::Int).map_err(|_| {
            format!(
                "`{word}` is not a value gox understands (true, false, a number, a \"string\" or a [\"list\"])"
            )
        }),
    }
}

/// A basic string at the start of `text`, and what follows its closing quote.
fn parse_string(text: &str) -> Result<(String, &str), String> {
    let Some(body) = text.strip_prefix('"') else {
        return Err(format!("expected a \"string\", found `{text}`"));
    };
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok((out, chars.as_str())),
            '\\' => match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                other => {
                    return Err(format!(
                        "unsupported escape `\\{}` in a string",
                        other.unwrap_or(' ')
                    ));
                }
            },
            c => out.push(c),
        }
    }
    Err("unterminated string: add the closing `\"`".into())
}

fn trailing(rest: &str) -> Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected `{rest}` after the value"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/gox.toml"))
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(parse("").unwrap(), Config::default());
        let c = parse(
            "# gox\nauto_install = true\ngopath_per_platform = false # keep mine\nmirror = \"ustc\"\nfeed_ttl_secs = 7_200\n",
        )
        .unwrap();
        assert!(c.auto_install && !c.gopath_per_platform);
        assert_eq!(c.mirror.as_deref(), Some("ustc"));
        assert_eq!(c.feed_ttl_secs, 7200);
        let c = parse("retries = 3\nretry_deadline_secs = 30\nstall_timeout_secs = 5\n").unwrap();
        assert_eq!(
            (c.retries, c.retry_deadline_secs, c.stall_timeout_secs),
            (Some(3), Some(30), Some(5))
        );
        assert_eq!(
            parse("source = \"proxy\"").unwrap().source.as_deref(),
            Some("proxy")
        );
        assert_eq!(
            parse("mirror = \"a \\\"b\\\" # c\"")
                .unwrap()
                .mirror
                .as_deref(),
            Some("a \"b\" # c")
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        for (text, line, needle) in [
            ("auto_install = maybe\n", 1, "maybe"),
            ("\nauto_instal = true\n", 2, "auto_instal"),
            ("[table]\n", 1, "key = value"),
            ("mirror = 3\n", 1, "quoted string"),
            ("mirror = \"open\n", 1, "unterminated"),
            ("auto_install = \"yes\"\n", 1, "true or false"),
            ("feed_ttl_secs = -1\n", 1, "-1"),
            ("mirror = \"x\" y\n", 1, "unexpected"),
            ("source = \"ftp\"\n", 1, "proxy"),
        ] {
            let msg = parse(text).unwrap_err().to_string();
            assert!(
                msg.contains(&format!("/etc/gox.toml:{line}:")) && msg.contains(needle),
                "{text:?}: {msg}"
            );
        }
    }

    #[test]
    fn default_tools_list() {
        let c =
            parse("default_tools = [\"golang.org/x/tools/gopls@latest\", \"a@v1,x\" ,] # tools\n")
                .unwrap();
        assert_eq!(
            c.default_tools,
            ["golang.org/x/tools/gopls@latest", "a@v1,x"]
        );
        assert!(
            parse("default_tools = []")
                .unwrap()
                .default_tools
                .is_empty()
        );
        for (text, needle) in [
            ("default_tools = [\"a\"", "unterminated list"),
            ("default_tools = [\"a\" \"b\"]", "expected `,`"),
            ("default_tools = [1]", "expected a \"string\""),
            ("default_tools = \"a\"", "one-line list"),
            ("mirror = [\"a\"]", "quoted string"),
            ("default_tools = [\"a\"] x", "unexpected"),
        ] {
            let msg = parse(text).unwrap_err().to_string();
            assert!(msg.contains(needle), "{text:?}: {msg}");
        }
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(&dir.path().join("nope.toml")).unwrap(),
            Config::default()
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }
    }
}
