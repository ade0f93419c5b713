//! Go's own settings file, the one `go env -w` writes: where it is and what its lines say,
//! read exactly as cmd/go reads it. Version selection takes `GOWORK` from it, the proxy
//! source (gox-resolver) its `GOPROXY`/`GOSUMDB` settings, and `gox doctor` shows it.
//!
//! Nothing here reads the file: callers do, and only when a setting can matter.

use std::path::PathBuf;

use crate::environment::Environment;

/// Where `go env -w` writes: `$GOENV`, else `os.UserConfigDir()/go/env` for the OS gox
/// runs on (`"linux"`, `"macos"`, `"windows"`, … as in `std::env::consts::OS`). `None`
/// when `GOENV=off` or the directory cannot be determined.
pub fn go_env_file(env: &Environment, os: &str) -> Option<PathBuf> {
    if let Some(goenv) = env.path_var("GOENV") {
        return (goenv.as_os_str() != "off").then_some(goenv);
    }
    let config = match os {
        "windows" => env
            .path_var("APPDATA")
            .or_else(|| env.path_var("AppData"))?,
        "macos" | "ios" => env.home()?.join("Library/Application Support"),
        "plan9" => env.path_var("home")?.join("lib"),
        _ => match env.path_var("XDG_CONFIG_HOME") {
            // Go rejects a relative XDG_CONFIG_HOME rather than falling back.
            Some(dir) if dir.is_absolute() => dir,
            Some(_) => return None,
            None => env.home()?.join(".config"),
        },
    };
    Some(config.join("go").join("env"))
}

/// The file's assignments in order, as cmd/go's `readEnvFile` sees them: lines split at
/// `\n` only, each `KEY=VALUE` whose key starts with `A`–`Z`, the value taken verbatim (a
/// CR or trailing space stays part of it); anything else (comments, blank lines) is
/// skipped. Items are `(1-based line, key, value)`; a later assignment of a key overrides
/// an earlier one.
pub fn entries(text: &str) -> impl Iterator<Item = (usize, &str, &str)> {
    text.split('\n').enumerate().filter_map(|(index, line)| {
        let (key, value) = line.split_once('=')?;
        key.starts_with(|c: char| c.is_ascii_uppercase())
            .then_some((index + 1, key, value))
    })
}

/// Every assignment of the file, in order, as owned pairs.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    entries(text)
        .map(|(_, key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// The value the file gives `key` (its last assignment), with its 1-based line.
pub fn lookup<'a>(text: &'a str, key: &str) -> Option<(&'a str, usize)> {
    entries(text)
        .filter(|(_, k, _)| *k == key)
        .last()
        .map(|(line, _, value)| (value, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_cmd_go_reads_them() {
        let text = "GOPROXY=https://p.example,direct\n# c\n\nlower=x\n=y\nGOWORK=off\r\nGOWORK=auto\nGOSUMDB=off";
        assert_eq!(
            parse_env_file(text),
            [
                ("GOPROXY", "https://p.example,direct"),
                ("GOWORK", "off\r"),
                ("GOWORK", "auto"),
                ("GOSUMDB", "off"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(lookup(text, "GOWORK"), Some(("auto", 7)));
        assert_eq!(lookup(text, "GOSUMDB"), Some(("off", 8)));
        assert_eq!(lookup(text, "lower"), None);
        assert_eq!(lookup("GOWORK=\n", "GOWORK"), Some(("", 1)));
    }

    #[test]
    fn where_the_file_is() {
        let env = Environment::fake("/", [("HOME", "/home/me")]);
        assert_eq!(
            go_env_file(&env, "linux"),
            Some(PathBuf::from("/home/me/.config/go/env"))
        );
        assert_eq!(
            go_env_file(&env, "macos"),
            Some(PathBuf::from("/home/me/Library/Application Support/go/env"))
        );
        // Absolute as this OS reads paths (the check is the host's `Path::is_absolute`).
        let xdg_dir = if cfg!(windows) { r"C:\xdg" } else { "/xdg" };
        let xdg = Environment::fake("/", [("HOME", "/home/me"), ("XDG_CONFIG_HOME", xdg_dir)]);
        assert_eq!(
            go_env_file(&xdg, "linux"),
            Some(PathBuf::from(xdg_dir).join("go").join("env"))
        );
        let rel = Environment::fake("/", [("HOME", "/home/me"), ("XDG_CONFIG_HOME", "rel")]);
        assert_eq!(go_env_file(&rel, "linux"), None);
        let win = Environment::fake("/", [("AppData", r"C:\Users\me\AppData\Roaming")]);
        assert_eq!(
            go_env_file(&win, "windows"),
            Some(
                PathBuf::from(r"C:\Users\me\AppData\Roaming")
                    .join("go")
                    .join("env")
            )
        );
        let goenv = Environment::fake("/", [("HOME", "/h"), ("GOENV", "/custom/env")]);
        assert_eq!(
            go_env_file(&goenv, "linux"),
            Some(PathBuf::from("/custom/env"))
        );
        let off = Environment::fake("/", [("HOME", "/h"), ("GOENV", "off")]);
        assert_eq!(go_env_file(&off, "linux"), None);
    }
}
