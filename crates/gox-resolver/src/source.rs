//! Where the feed and the archives come from, and which URLs gox is willing to use.

use std::net::IpAddr;
use std::path::Path;

use gox_core::Environment;
use url::{Host, Url};

use crate::error::ResolveError;
use crate::feed::File;

pub const DEFAULT_FEED_URL: &str = "https://go.dev/dl/?mode=json&include=all";
pub const DEFAULT_DOWNLOAD_BASE: &str = "https://dl.google.com/go/";

/// Mirror presets for `--mirror NAME` / `GOX_MIRROR=NAME`: name and download base.
/// They all serve go.dev's archives under their original file names.
pub const MIRRORS: &[(&str, &str)] = &[
    ("go.dev", DEFAULT_DOWNLOAD_BASE),
    // golang.google.cn/dl/<file> redirects to a download host reachable from mainland China.
    ("golang.google.cn", "https://golang.google.cn/dl/"),
    ("ustc", "https://mirrors.ustc.edu.cn/golang/"),
    ("aliyun", "https://mirrors.aliyun.com/golang/"),
];

/// Where gox gets the feed and the archives.
///
/// Checksums always come from the feed at [`Sources::feed_url`], never from the mirror
/// that serves the archive bytes: a compromised or stale mirror can then only make an
/// install fail, not install something else. Choosing a mirror changes the download base
/// only; a user who trusts a mirror's feed says so by setting `GOX_FEED_URL` explicitly.
///
/// Both URLs have passed [`check_url`], and the download base ends with `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    feed_url: Url,
    /// The download bases in failover order (never empty), each with its preset name.
    mirrors: Vec<(Url, Option<String>)>,
}

impl Sources {
    /// Explicit URLs (tests, the installer's `--archive` path). The base gets a trailing
    /// `/` if it lacks one, so `https://m.example/golang` means the directory.
    pub fn new(feed_url: Url, download_base: Url) -> Result<Self, ResolveError> {
        check_url(&feed_url)?;
        Ok(Self {
            feed_url,
            mirrors: vec![(normalize_base(download_base)?, None)],
        })
    }

    /// From `GOX_FEED_URL`, the mirror settings and the defaults. The download base is,
    /// first one set wins: the `--mirror` flag, `GOX_DOWNLOAD_BASE`, `GOX_MIRROR`, the config
    /// file's `mirror`, go.dev. The environment beats the config file as everywhere else in
    /// gox, so a CI job's `GOX_DOWNLOAD_BASE` reaches its internal mirror whatever a shared
    /// config says.
    pub fn from_env(
        env: &Environment,
        flag: Option<&MirrorList>,
        config: Option<&MirrorList>,
    ) -> Result<Self, ResolveError> {
        let feed_url = match env.var("GOX_FEED_URL") {
            Some(value) => location("GOX_FEED_URL", value)?,
            None => Url::parse(DEFAULT_FEED_URL).expect("default feed URL is valid"),
        };
        check_url(&feed_url)?;
        let mirrors = if let Some(list) = flag {
            list.0.clone()
        } else if let Some(value) = env.var("GOX_DOWNLOAD_BASE") {
            vec![(base_url("GOX_DOWNLOAD_BASE", value)?, None)]
        } else if let Some(value) = env.var("GOX_MIRROR") {
            MirrorList::parse("GOX_MIRROR", value)?.0
        } else if let Some(list) = config {
            list.0.clone()
        } else {
            let base = Url::parse(DEFAULT_DOWNLOAD_BASE).expect("default download base is valid");
            vec![(base, None)]
        };
        Ok(Self { feed_url, mirrors })
    }

    pub fn feed_url(&self) -> &Url {
        &self.feed_url
    }

    /// The first (preferred) download base.
    pub fn download_base(&self) -> &Url {
        &self.mirrors[0].0
    }

    /// Every download base, in failover order.
    pub fn download_bases(&self) -> impl Iterator<Item = &Url> {
        self.mirrors.iter().map(|(base, _)| base)
    }

    /// The preset name when the first download base came from one (`ustc`), for messages.
    pub fn mirror_name(&self) -> Option<&str> {
        self.mirrors[0].1.as_deref()
    }

    /// Where to download `file` first: the download base joined with its file name.
    pub fn download_url(&self, file: &File) -> Url {
        join(self.download_base(), file.filename())
    }

    /// Where to download `file`, one URL per mirror, in failover order (as the downloader
    /// and the receipts take them: strings).
    pub fn download_urls(&self, file: &File) -> Vec<String> {
        self.download_bases()
            .map(|base| join(base, file.filename()).into())
            .collect()
    }
}

fn join(base: &Url, filename: &str) -> Url {
    // Cannot fail: the base is an http(s) or file URL ending in '/', and feed parsing
    // only lets plain file names ([A-Za-z0-9._+-]) through.
    base.join(filename)
        .expect("plain file name joins onto a directory URL")
}

/// A mirror setting, parsed and checked: a comma-separated failover list
/// (`ustc, https://m.example/go/`), each entry a preset name from [`MIRRORS`], a URL or an
/// absolute directory path. Commas separate entries, so a URL in the list cannot contain one
/// (none of the real ones do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorList(Vec<(Url, Option<String>)>);

impl MirrorList {
    /// Parses `value` of the setting `name` (`--mirror`, `GOX_MIRROR`, the config file's
    /// key), which errors name. Every base passes [`check_url`] and ends with `/`.
    pub fn parse(name: &str, value: &str) -> Result<Self, ResolveError> {
        let list = value
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (base, preset) = mirror(name, entry)?;
                Ok((normalize_base(base)?, preset))
            })
            .collect::<Result<Vec<_>, ResolveError>>()?;
        if list.is_empty() {
            return Err(setting(
                name,
                value,
                "names no mirror; give a preset or a base URL, or a comma-separated list of them"
                    .to_string(),
            ));
        }
        Ok(Self(list))
    }
}

/// The URL policy. `https://` and `file://` are fine; plain `http://` only reaches
/// loopback hosts (test mirrors, a local cache server), because on a network anyone in
/// the path could swap the feed — and with it the checksums.
pub fn check_url(url: &Url) -> Result<(), ResolveError> {
    let refuse = |reason: String| {
        Err(ResolveError::UrlPolicy {
            url: url.to_string(),
            reason,
        })
    };
    match url.scheme() {
        "https" | "file" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => refuse(format!(
            "plain http:// is only allowed to loopback hosts (127.0.0.0/8, [::1], localhost), \
             since anyone on the network could change what gox downloads; use https://{}",
            url.as_str().trim_start_matches("http://")
        )),
        other => refuse(format!(
            "gox downloads only over https:// (or http:// to loopback, or file://), not {other}://"
        )),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        // The url crate lowercases domains; only the exact name counts, so that
        // `localhost.evil.example` stays remote.
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// A mirror setting: preset name, URL or absolute path.
fn mirror(name: &str, value: &str) -> Result<(Url, Option<String>), ResolveError> {
    let preset = MIRRORS
        .iter()
        .find(|(preset, _)| preset.eq_ignore_ascii_case(value.trim()));
    if let Some((preset, base)) = preset {
        let url = Url::parse(base).expect("preset URLs are valid");
        return Ok((url, Some((*preset).to_string())));
    }
    if !value.contains("://") && !Path::new(value).is_absolute() {
        let names: Vec<&str> = MIRRORS.iter().map(|(n, _)| *n).collect();
        return Err(setting(
            name,
            value,
            format!(
                "not a mirror gox knows; use one of {} or a base URL like https://mirror.example/golang/",
                names.join(", ")
            ),
        ));
    }
    Ok((location(name, value)?, None))
}

/// The local path a `file://` URL names, percent-decoded as the URL parser encoded it
/// (`file:///srv/go%20mirror/x.zip` is `/srv/go mirror/x.zip`); `None` for other schemes.
/// Directory settings given as paths become such URLs ([`location`]), so a mirror directory
/// with a space in its name comes back here encoded.
pub fn local_path(url: &str) -> Option<std::path::PathBuf> {
    let raw = url.strip_prefix("file://")?;
    Some(
        Url::parse(url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            // Not a local path to the URL parser (`file://host/x`): taken as written, and
            // the open that follows names it in its error.
            .unwrap_or_else(|| std::path::PathBuf::from(raw)),
    )
}

/// A directory URL from setting `name` (e.g. `GOX_UPDATE_BASE`): a URL or an absolute path,
/// held to [`check_url`], with a trailing slash.
pub fn base_url(name: &str, value: &str) -> Result<Url, ResolveError> {
    normalize_base(location(name, value)?)
}

/// A URL, or an absolute path taken as a `file://` URL.
fn location(name: &str, value: &str) -> Result<Url, ResolveError> {
    let value = value.trim();
    if Path::new(value).is_absolute() {
        return Url::from_file_path(value)
            .map_err(|()| setting(name, value, "not a usable file path".to_string()));
    }
    Url::parse(value).map_err(|e| {
        // A relative directory that exists here is almost surely what was meant.
        let hint = std::env::current_dir()
            .map(|cwd| cwd.join(value))
            .ok()
            .filter(|dir| dir.is_dir())
            .map_or_else(String::new, |dir| {
                format!(
                    "; {value} is a directory here: give its absolute path, {name}={}",
                    dir.display()
                )
            });
        setting(
            name,
            value,
            format!(
                "not a URL ({e}); write a full URL (https://host/dir/) or an absolute path{hint}"
            ),
        )
    })
}

fn setting(name: &str, value: &str, reason: String) -> ResolveError {
    ResolveError::Setting {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    }
}

/// Checks the base and makes it a directory URL, so that joining a file name appends
/// instead of replacing the last path segment.
fn normalize_base(mut base: Url) -> Result<Url, ResolveError> {
    check_url(&base)?;
    if base.query().is_some() || base.fragment().is_some() {
        return Err(ResolveError::UrlPolicy {
            url: base.to_string(),
            reason: "a download base cannot have a query or fragment; give the directory \
                     that holds the archives, e.g. https://mirror.example/golang/"
                .to_string(),
        });
    }
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_relative_directory_is_answered_with_its_absolute_path() {
        let here = std::env::current_dir().unwrap();
        let err = super::base_url("GOX_UPDATE_BASE", "src")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("GOX_UPDATE_BASE={}", here.join("src").display())),
            "{err}"
        );
        let err = super::base_url("GOX_UPDATE_BASE", "no-such-dir")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("write a full URL (https://host/dir/) or an absolute path")
                && !err.contains("is a directory here"),
            "{err}"
        );
    }

    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn loopback_http_is_allowed() {
        for ok in [
            "http://127.0.0.1:8080/dl/",
            "http://127.0.0.2/",
            "http://[::1]:9000/",
            "http://localhost/",
            "http://LOCALHOST:1/",
            "https://go.dev/dl/",
            "file:///srv/go/feed.json",
        ] {
            assert!(check_url(&url(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn remote_http_and_odd_schemes_are_refused() {
        for bad in [
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
            "http://example.com/dl/",
            "http://[::2]/",
            "http://128.0.0.1/",
            "ftp://example.com/go/",
            "data:text/plain,hi",
        ] {
            let err = check_url(&url(bad)).unwrap_err().to_string();
            assert!(err.contains("https://"), "{bad}: {err}");
        }
    }

    #[test]
    fn refusal_explains_the_fix() {
        let err = check_url(&url("http://example.com/dl/"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("loopback"), "{err}");
        assert!(err.contains("use https://example.com/dl/"), "{err}");
    }

    #[test]
    fn base_gets_a_trailing_slash() {
        let s = Sources::new(
            url("https://go.dev/f.json"),
            url("https://m.example/golang"),
        )
        .unwrap();
        assert_eq!(s.download_base().as_str(), "https://m.example/golang/");
        assert!(Sources::new(url("https://go.dev/f"), url("https://m.example/?x=1")).is_err());
    }

    #[test]
    fn mirror_lists_keep_their_order() {
        let env = Environment::fake(
            "/",
            [(
                "GOX_MIRROR".to_string(),
                " ustc , https://m.example/go,go.dev,".to_string(),
            )],
        );
        let s = Sources::from_env(&env, None, None).unwrap();
        let bases: Vec<&str> = s.download_bases().map(Url::as_str).collect();
        assert_eq!(
            bases,
            [
                "https://mirrors.ustc.edu.cn/golang/",
                "https://m.example/go/",
                DEFAULT_DOWNLOAD_BASE
            ]
        );
        assert_eq!(s.mirror_name(), Some("ustc"));
        // --mirror wins over the environment.
        let flag = MirrorList::parse("--mirror", "aliyun").unwrap();
        let s = Sources::from_env(&env, Some(&flag), None).unwrap();
        assert_eq!(s.download_bases().count(), 1);
        for bad in [",", " ", "ustc,nope", "ustc,http://example.com/go/"] {
            let err = MirrorList::parse("--mirror", bad).unwrap_err().to_string();
            assert!(
                err.contains("--mirror") || err.contains("https://"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    #[cfg(unix)]
    fn file_urls_are_decoded_to_their_paths() {
        let dir = "/srv/go mirror/ü";
        let url = Url::from_file_path(dir).unwrap();
        assert_eq!(url.as_str(), "file:///srv/go%20mirror/%C3%BC");
        assert_eq!(local_path(url.as_str()).unwrap(), std::path::Path::new(dir));
        assert_eq!(
            local_path("file:///plain/x.zip").unwrap(),
            std::path::Path::new("/plain/x.zip")
        );
        assert_eq!(local_path("https://go.dev/dl/"), None);
    }

    #[test]
    fn mirror_names_and_paths() {
        let (u, n) = mirror("--mirror", "USTC").unwrap();
        assert_eq!(u.as_str(), "https://mirrors.ustc.edu.cn/golang/");
        assert_eq!(n.as_deref(), Some("ustc"));
        let err = mirror("--mirror", "nope").unwrap_err().to_string();
        assert!(
            err.contains("golang.google.cn") && err.contains("--mirror"),
            "{err}"
        );
        #[cfg(unix)]
        assert_eq!(
            mirror("GOX_MIRROR", "/srv/go").unwrap().0.as_str(),
            "file:///srv/go"
        );
    }
}
