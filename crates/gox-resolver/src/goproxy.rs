//! Source `proxy`: Go toolchains as the module `golang.org/toolchain`, fetched through
//! `GOPROXY` and trusted through the checksum database, with cmd/go's settings and rules:
//!
//! - settings come from the environment, else from Go's env file (`go env -w` writes
//!   `$GOENV`, default `<user config dir>/go/env`), else from an installed toolchain's
//!   `GOROOT/go.env`, else cmd/go's defaults ([`GoEnv`]);
//! - `GOPROXY` is a list: `,` falls through to the next entry on 404/410 only, `|` on any
//!   error; `direct` and `off` end it; a bare host means `https://` ([`parse_goproxy`]);
//! - `direct` (and a `GONOPROXY`/`GOPRIVATE` match, which means direct for this module and
//!   no proxy) follows golang.org/toolchain's go-import tag to the module proxy it names
//!   (`https://go.dev/dl/mod`), as cmd/go's `lookupDirect` does ([`crate::direct`]);
//! - toolchains always go through the checksum database, even with `GONOSUMDB`/`GOPRIVATE`
//!   matching or `GOSUMDB=off` (cmd/go's `useSumDB`): off is refused unless the caller
//!   explicitly skips it;
//! - the database is reached through the first proxy that answers
//!   `<proxy>/sumdb/<name>/supported`, else directly; an explicit URL in `GOSUMDB`
//!   bypasses proxies ([`SumdbRoute`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gox_core::Environment;
pub use gox_core::goenv::{go_env_file, parse_env_file};
use gox_sumdb::{Database, Remote, RemoteError, SumdbError, Verified};

use crate::error::ResolveError;
use crate::retry::{self, Attempt, Failure, RetryPolicy, Stopped};
use crate::source::check_url;

/// cmd/go's default `GOPROXY` (GOROOT/go.env).
pub const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// The settings cmd/go reads that matter here.
pub const GO_SETTINGS: [&str; 7] = [
    "GOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GOINSECURE",
    "GOFLAGS",
];

/// Go's settings as cmd/go resolves them: a non-empty environment variable wins, then the
/// user env file, then `GOROOT/go.env`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoEnv {
    values: HashMap<String, (String, String)>,
}

impl GoEnv {
    /// Reads `env`, the env file ([`go_env_file`]) and `goroot/go.env` when given.
    pub fn load(env: &Environment, goroot: Option<&Path>) -> Self {
        let mut values = HashMap::new();
        if let Some(goroot) = goroot {
            let file = goroot.join("go.env");
            if let Ok(text) = std::fs::read_to_string(&file) {
                for (k, v) in parse_env_file(&text) {
                    values.insert(k, (v, file.display().to_string()));
                }
            }
        }
        if let Some(file) = go_env_file(env, std::env::consts::OS)
            && let Ok(text) = std::fs::read_to_string(&file)
        {
            for (k, v) in parse_env_file(&text) {
                values.insert(k, (v, file.display().to_string()));
            }
        }
        for name in GO_SETTINGS {
            if let Some(v) = env.var(name).filter(|v| !v.is_empty()) {
                values.insert(name.to_string(), (v.to_string(), "environment".to_string()));
            }
        }
        GoEnv { values }
    }

    /// The value of a setting (empty counts as unset, as in cmd/go).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|(v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Where a setting came from: `environment` or a file path.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(_, o)| o.as_str())
    }

    /// A `GoEnv` from explicit pairs (tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        GoEnv {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), (v.to_string(), "test".to_string())))
                .collect(),
        }
    }
}

/// One `GOPROXY` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyEntry {
    Url(String),
    /// Fetch from the module's origin: its go-import tag names a module proxy
    /// ([`crate::direct::lookup_direct`]).
    Direct,
    /// Downloads disallowed.
    Off,
    /// `GONOPROXY`/`GOPRIVATE` matched the module: fetched directly, and no proxy after
    /// it may serve it.
    NoProxy,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxySpec {
    pub entry: ProxyEntry,
    /// The separator after this entry was `|`: any error moves on, not only 404/410.
    pub fall_back_on_error: bool,
}

/// Parses `GOPROXY` as cmd/go's `proxyList` does (empty → [`DEFAULT_GOPROXY`]).
pub fn parse_goproxy(value: &str) -> Result<Vec<ProxySpec>, ResolveError> {
    let invalid = |reason: String| ResolveError::Setting {
        name: "GOPROXY".into(),
        value: value.into(),
        reason,
    };
    let mut rest = if value.is_empty() {
        DEFAULT_GOPROXY
    } else {
        value
    };
    let mut list = Vec::new();
    while !rest.is_empty() {
        let (item, fall_back_on_error) = match rest.find([',', '|']) {
            Some(i) => {
                let sep = rest.as_bytes()[i];
                let item = &rest[..i];
                rest = &rest[i + 1..];
                (item, sep == b'|')
            }
            None => (std::mem::take(&mut rest), false),
        };
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let entry = match item {
            "off" => ProxyEntry::Off,
            "direct" => ProxyEntry::Direct,
            url => {
                // Go's url.Parse refuses control characters; the url crate would silently
                // strip leading and trailing ones, and the entry (kept as typed) would then
                // fail on every request built from it.
                if url.contains(char::is_control) {
                    return Err(invalid(format!(
                        "entry {item:?} contains a control character"
                    )));
                }
                // Single words are reserved; anything with `.`, `:` or `/` but no `:/` and
                // not an absolute path is a host: https:// is implied.
                let url = if url.contains(['.', ':', '/'])
                    && !url.contains(":/")
                    && !url.starts_with('/')
                    && !Path::new(url).is_absolute()
                {
                    format!("https://{url}")
                } else {
                    url.to_string()
                };
                let parsed = url::Url::parse(&url)
                    .map_err(|e| invalid(format!("entry {item:?} is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "https" | "http" | "file") {
                    return Err(invalid(format!(
                        "entry {item:?}: a proxy URL must be https://, http:// or file://"
                    )));
                }
                ProxyEntry::Url(url.trim_end_matches('/').to_string())
            }
        };
        let end = matches!(entry, ProxyEntry::Off | ProxyEntry::Direct);
        list.push(ProxySpec {
            entry,
            fall_back_on_error,
        });
        // `off` and `direct` end the list (cmd/go ignores what follows).
        if end {
            break;
        }
    }
    if list.is_empty() {
        return Err(invalid(
            "the list is not empty but has no entries; unset it for the default".into(),
        ));
    }
    Ok(list)
}

/// cmd/go's `module.MatchPrefixPatterns`: does any comma-separated glob match `target`
/// or a leading run of its path elements?
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    for glob in globs.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        let n = glob.split('/').count();
        let elems: Vec<&str> = target.split('/').collect();
        if elems.len() < n {
            continue;
        }
        let prefix = elems[..n].join("/");
        if path_match(glob, &prefix) {
            return true;
        }
    }
    false
}

/// Go's `path.Match` for the patterns GOPRIVATE uses: `*` (not crossing `/`), `?`, and
/// literal characters (character classes are treated literally).
///
/// Dynamic programming over (pattern suffix, name suffix), one row per pattern byte:
/// O(pattern × name) time whatever the stars (a backtracking matcher is exponential in the
/// number of `*`, and `GOPRIVATE=****…` would hang).
fn path_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    // next[j]: does p[i + 1..] match n[j..]? Starts as the empty pattern's row.
    let mut next: Vec<bool> = (0..=n.len()).map(|j| j == n.len()).collect();
    let mut row = vec![false; n.len() + 1];
    for &c in p.iter().rev() {
        for j in (0..=n.len()).rev() {
            let here = n.get(j);
            row[j] = match c {
                b'*' => next[j] || (here.is_some_and(|&b| b != b'/') && row[j + 1]),
                b'?' => here.is_some_and(|&b| b != b'/') && next[j + 1],
                c => here == Some(&c) && next[j + 1],
            };
        }
        std::mem::swap(&mut next, &mut row);
    }
    next[0]
}

/// Whether, after `spec` failed, the next entry is tried (cmd/go's `TryProxies`): always on
/// 404/410, on any error when the separator was `|`.
pub fn falls_through(spec: &ProxySpec, not_found: bool) -> bool {
    not_found || spec.fall_back_on_error
}

/// Everything the proxy source needs, from Go's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxySettings {
    pub goproxy: String,
    pub proxies: Vec<ProxySpec>,
    /// `None`: `GOSUMDB=off`.
    pub database: Option<Database>,
    /// GONOSUMDB/GOPRIVATE matched golang.org/toolchain (cmd/go ignores that for toolchains).
    pub nosumdb_matched: bool,
    /// GOINSECURE matched golang.org/toolchain: cmd/go would fetch its go-get page without
    /// certificate checks and over plain http; gox does not, and says so when it fails.
    pub insecure_matched: bool,
}

impl ProxySettings {
    pub fn from_go_env(go: &GoEnv) -> Result<Self, ResolveError> {
        let goproxy = go.get("GOPROXY").unwrap_or(DEFAULT_GOPROXY).to_string();
        let mut proxies = parse_goproxy(&goproxy)?;
        let module = gox_sumdb::TOOLCHAIN_MODULE;
        let noproxy = go.get("GONOPROXY").or_else(|| go.get("GOPRIVATE"));
        if goproxy != "direct" && noproxy.is_some_and(|g| match_prefix_patterns(g, module)) {
            proxies.insert(
                0,
                ProxySpec {
                    entry: ProxyEntry::NoProxy,
                    fall_back_on_error: false,
                },
            );
        }
        let gosumdb = go.get("GOSUMDB").unwrap_or("");
        let database = match Database::from_gosumdb(gosumdb) {
            Ok(db) => Some(db),
            Err(SumdbError::Disabled) => None,
            Err(e) => {
                return Err(ResolveError::Setting {
                    name: "GOSUMDB".into(),
                    value: gosumdb.into(),
                    reason: e.to_string(),
                });
            }
        };
        let nosumdb = go.get("GONOSUMDB").or_else(|| go.get("GOPRIVATE"));
        Ok(ProxySettings {
            nosumdb_matched: nosumdb.is_some_and(|g| match_prefix_patterns(g, module)),
            insecure_matched: go
                .get("GOINSECURE")
                .is_some_and(|g| match_prefix_patterns(g, module)),
            goproxy,
            proxies,
            database,
        })
    }

    /// `GOPROXY` is something other than cmd/go's default (for `source = "auto"`).
    pub fn is_custom(&self) -> bool {
        self.goproxy != DEFAULT_GOPROXY && self.goproxy != "https://proxy.golang.org"
    }

    /// The zip URL of a toolchain module version on a proxy.
    pub fn zip_url(proxy: &str, module_version: &str) -> String {
        format!(
            "{proxy}/{}/@v/{}.zip",
            gox_sumdb::escape_module_text(gox_sumdb::TOOLCHAIN_MODULE),
            gox_sumdb::escape_module_text(module_version)
        )
    }
}

/// Why an entry cannot serve a toolchain at all: only `off`. (`direct` and a GONOPROXY
/// match are served through golang.org/toolchain's go-import tag, [`crate::direct`].)
pub fn entry_refusal(entry: &ProxyEntry) -> Option<String> {
    match entry {
        ProxyEntry::Url(_) | ProxyEntry::Direct | ProxyEntry::NoProxy => None,
        ProxyEntry::Off => Some(
            "GOPROXY=off disallows module downloads; set GOPROXY to a proxy (or `direct`), or \
             use --source feed"
                .to_string(),
        ),
    }
}

/// The checksum database over HTTP, on a blocking thread with its own runtime: the sumdb
/// client's tile reader is synchronous (the `tlog_tiles` interface). Every GET goes through
/// the shared retry policy, like feed and archive downloads.
struct HttpRemote {
    base: String,
    client: reqwest::Client,
    rt: tokio::runtime::Runtime,
    policy: RetryPolicy,
}

/// Lookups and tiles are small; cap what a hostile server can make us buffer.
const MAX_DB_RESPONSE: usize = 16 * 1024 * 1024;

impl HttpRemote {
    fn get_url(&self, url: &str) -> Result<Vec<u8>, RemoteError> {
        let parsed = url::Url::parse(url).map_err(|e| RemoteError::Other(e.to_string()))?;
        check_url(&parsed).map_err(|e| RemoteError::Other(e.to_string()))?;
        if parsed.scheme() == "file" {
            let path = parsed
                .to_file_path()
                .map_err(|_| RemoteError::Other("bad file URL".into()))?;
            return match std::fs::read(&path) {
                Ok(b) => Ok(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RemoteError::NotFound),
                Err(e) => Err(RemoteError::Other(e.to_string())),
            };
        }
        let result = self.rt.block_on(retry::retry(
            &self.policy,
            url,
            |_| self.attempt(url),
            |_, _, _| {},
        ));
        match result {
            Ok(body) => Ok(body),
            Err(Stopped::Abort(e)) => Err(e),
            Err(Stopped::GaveUp(g)) if g.last.is_not_found() => Err(RemoteError::NotFound),
            Err(Stopped::GaveUp(g)) => Err(RemoteError::Other(g.summary())),
        }
    }

    async fn attempt(&self, url: &str) -> Result<Vec<u8>, Attempt<RemoteError>> {
        let resp = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| Failure::client(&e))?;
        if !resp.status().is_success() {
            return Err(Failure::status(resp.status(), resp.headers()).into());
        }
        let body = resp.bytes().await.map_err(|e| Failure::client(&e))?;
        if body.len() > MAX_DB_RESPONSE {
            return Err(Attempt::Abort(RemoteError::Other(
                "response larger than 16 MiB".into(),
            )));
        }
        Ok(body.to_vec())
    }
}

impl Remote for HttpRemote {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        self.get_url(&self.url(path))
    }
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }
}

/// How the database was reached (recorded in the receipt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumdbRoute {
    pub base: String,
    pub via_proxy: bool,
}

/// Looks up and proves `golang.org/toolchain@module_version` in `db`, reaching it through
/// the first proxy that supports it, else directly. `state_dir` holds the last verified
/// tree head. Runs on a blocking thread.
pub async fn lookup_toolchain(
    user_agent: String,
    env: Environment,
    settings: ProxySettings,
    db: Database,
    state_dir: PathBuf,
    module_version: String,
    policy: RetryPolicy,
) -> Result<(Verified, SumdbRoute), ResolveError> {
    let task = tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ResolveError::HttpClient {
                detail: format!("cannot start a runtime: {e}"),
            })?;
        let client = rt.block_on(async { crate::fetch::http_client(&user_agent, &env) })?;
        let mut remote = HttpRemote {
            base: db.direct_url(),
            client,
            rt,
            policy,
        };
        let route = find_route(&mut remote, &settings, &db)?;
        let verified = gox_sumdb::Client::new(&db, &remote, state_dir)
            .lookup(gox_sumdb::TOOLCHAIN_MODULE, &module_version)
            .map_err(ResolveError::Sumdb)?;
        Ok((verified, route))
    });
    task.await.map_err(|e| ResolveError::HttpClient {
        detail: format!("the checksum database lookup thread failed: {e}"),
    })?
}

/// cmd/go's `dbClient.initBase`: an explicit URL wins; else the first proxy answering
/// `<proxy>/sumdb/<name>/supported` with 200; 404/410 (or `|`) try the next; `direct`,
/// `off` or the end of the list mean the database directly; any other error is final.
fn find_route(
    remote: &mut HttpRemote,
    settings: &ProxySettings,
    db: &Database,
) -> Result<SumdbRoute, ResolveError> {
    if db.url.is_some() {
        return Ok(SumdbRoute {
            base: db.direct_url(),
            via_proxy: false,
        });
    }
    for spec in &settings.proxies {
        let ProxyEntry::Url(proxy) = &spec.entry else {
            if spec.entry == ProxyEntry::NoProxy {
                continue;
            }
            break;
        };
        let base = format!("{proxy}/sumdb/{}", db.name);
        match remote.get_url(&format!("{base}/supported")) {
            Ok(_) => {
                remote.base = base.clone();
                return Ok(SumdbRoute {
                    base,
                    via_proxy: true,
                });
            }
            Err(RemoteError::NotFound) => continue,
            Err(RemoteError::Other(_)) if spec.fall_back_on_error => continue,
            Err(RemoteError::Other(detail)) => {
                return Err(ResolveError::ProxyNetwork {
                    url: format!("{base}/supported"),
                    detail,
                });
            }
        }
    }
    Ok(SumdbRoute {
        base: db.direct_url(),
        via_proxy: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[ProxySpec]) -> Vec<(String, bool)> {
        list.iter()
            .map(|s| {
                let name = match &s.entry {
                    ProxyEntry::Url(u) => u.clone(),
                    ProxyEntry::Direct => "direct".into(),
                    ProxyEntry::Off => "off".into(),
                    ProxyEntry::NoProxy => "noproxy".into(),
                };
                (name, s.fall_back_on_error)
            })
            .collect()
    }

    #[test]
    fn goproxy_table() {
        let cases: &[(&str, &[(&str, bool)])] = &[
            (
                "",
                &[("https://proxy.golang.org", false), ("direct", false)],
            ),
            (
                "goproxy.cn,direct",
                &[("https://goproxy.cn", false), ("direct", false)],
            ),
            (
                "http://127.0.0.1:1/a|https://b.example/|off",
                &[
                    ("http://127.0.0.1:1/a", true),
                    ("https://b.example", true),
                    ("off", false),
                ],
            ),
            ("off,https://x.example", &[("off", false)]),
            ("direct|https://x.example", &[("direct", true)]),
            (" , a.example ,", &[("https://a.example", false)]),
            ("file:///srv/proxy", &[("file:///srv/proxy", false)]),
            ("localhost:3000", &[("https://localhost:3000", false)]),
        ];
        for (value, want) in cases {
            let got = urls(&parse_goproxy(value).unwrap());
            let want: Vec<(String, bool)> = want.iter().map(|(u, f)| (u.to_string(), *f)).collect();
            assert_eq!(got, want, "GOPROXY={value:?}");
        }
        assert!(parse_goproxy(",").is_err());
        // Found by the goproxy fuzz target: the url crate strips the trailing control
        // character, so the entry validated but every URL built on it was invalid.
        for bad in ["https://p.example\x18", "\x01p.example", "p.ex\u{85}ample"] {
            assert!(parse_goproxy(bad).is_err(), "{bad:?}");
        }
        assert!(parse_goproxy("ftp://x.example").is_err());
    }

    #[test]
    fn fall_through_rules() {
        let comma = ProxySpec {
            entry: ProxyEntry::Url("https://a".into()),
            fall_back_on_error: false,
        };
        let pipe = ProxySpec {
            fall_back_on_error: true,
            ..comma.clone()
        };
        assert!(falls_through(&comma, true));
        assert!(!falls_through(&comma, false));
        assert!(falls_through(&pipe, false));
    }

    #[test]
    fn prefix_patterns() {
        assert!(match_prefix_patterns("golang.org", "golang.org/toolchain"));
        assert!(match_prefix_patterns(
            "*.corp.example,golang.org/*",
            "golang.org/toolchain"
        ));
        assert!(match_prefix_patterns(
            "golang.org/toolchain",
            "golang.org/toolchain"
        ));
        assert!(!match_prefix_patterns(
            "golang.org/x",
            "golang.org/toolchain"
        ));
        assert!(!match_prefix_patterns(
            "*.org/toolchain/x",
            "golang.org/toolchain"
        ));
        assert!(match_prefix_patterns("g?lang.*", "golang.org/toolchain"));
        assert!(match_prefix_patterns("*", "golang.org/toolchain"));
        assert!(match_prefix_patterns("*/*", "golang.org/toolchain"));
        assert!(!match_prefix_patterns("*/?", "golang.org/toolchain"));
        assert!(!match_prefix_patterns("", "golang.org/toolchain"));
        assert!(match_prefix_patterns("g*g*.*r*", "golang.org/toolchain"));
    }

    /// Found by the goproxy fuzz target: a backtracking matcher took exponential time in
    /// the number of stars (the input hung for more than 10 s); this returns at once.
    #[test]
    fn many_stars_match_in_polynomial_time() {
        let stars = "*".repeat(200);
        let start = std::time::Instant::now();
        assert!(!match_prefix_patterns(
            &format!("{stars}x"),
            "golang.org/toolchain"
        ));
        assert!(!match_prefix_patterns(
            &format!("{stars}ola{stars}B"),
            "golang.orgolang.orgolang.orgolang.org/toolchain"
        ));
        assert!(match_prefix_patterns(
            &format!("{stars}.org"),
            "golang.org/toolchain"
        ));
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn env_file_and_precedence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("env");
        std::fs::write(&file, "GOPROXY=https://file.example\nGOSUMDB=off\n").unwrap();
        let env = Environment::fake(
            dir.path(),
            [
                ("GOENV", file.to_str().unwrap()),
                ("GOPROXY", "https://env.example"),
                ("GOSUMDB", ""),
            ],
        );
        let go = GoEnv::load(&env, None);
        assert_eq!(go.get("GOPROXY"), Some("https://env.example"));
        // An empty variable does not hide the file, as in cmd/go.
        assert_eq!(go.get("GOSUMDB"), Some("off"));
        assert_eq!(go.origin("GOSUMDB"), file.to_str());
        let settings = ProxySettings::from_go_env(&go).unwrap();
        assert_eq!(settings.database, None);
        assert!(settings.is_custom());
    }

    #[test]
    fn settings_defaults_and_private() {
        let s = ProxySettings::from_go_env(&GoEnv::default()).unwrap();
        assert!(!s.is_custom());
        assert_eq!(s.database.unwrap().name, "sum.golang.org");
        let s =
            ProxySettings::from_go_env(&GoEnv::from_pairs([("GOPRIVATE", "golang.org")])).unwrap();
        assert_eq!(s.proxies[0].entry, ProxyEntry::NoProxy);
        assert!(s.nosumdb_matched);
        assert!(s.database.is_some(), "toolchains still use the database");
        assert!(ProxySettings::from_go_env(&GoEnv::from_pairs([("GOSUMDB", "bad")])).is_err());
        // `direct` and a GONOPROXY match are served through the go-import tag; `off` refuses.
        assert_eq!(entry_refusal(&ProxyEntry::Direct), None);
        assert_eq!(entry_refusal(&ProxyEntry::NoProxy), None);
        assert!(entry_refusal(&ProxyEntry::Off).is_some_and(|r| r.contains("GOPROXY=off")));
        let s = ProxySettings::from_go_env(&GoEnv::from_pairs([("GOINSECURE", "*.org")])).unwrap();
        assert!(s.insecure_matched && !s.nosumdb_matched);
        assert!(
            !ProxySettings::from_go_env(&GoEnv::default())
                .unwrap()
                .insecure_matched
        );
        assert_eq!(
            ProxySettings::zip_url("http://p", "v0.0.1-go1.22.10.linux-amd64"),
            "http://p/golang.org/toolchain/@v/v0.0.1-go1.22.10.linux-amd64.zip"
        );
    }
}
