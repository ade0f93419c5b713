//! `direct` in `GOPROXY` (and a `GONOPROXY`/`GOPRIVATE` match) for golang.org/toolchain,
//! as cmd/go's `modfetch.lookupDirect` does it:
//!
//! 1. `GET https://golang.org/toolchain?go-get=1` (`vcs.repoRootForImportDynamic`); any
//!    status is read, since a server may put the tag in its 404 page; with no tag, a non-200
//!    status is the error;
//! 2. the go-import tags of the page ([`crate::goimport`]), the one matching the module
//!    path; a tag for a shorter prefix is only believed when the prefix's own page says the
//!    same;
//! 3. its VCS must be `mod`: the root (`https://go.dev/dl/mod`) is a module proxy for this
//!    module, used from then on exactly like a `GOPROXY` entry (the zip, checked against the
//!    checksum database like every toolchain).
//!
//! Differences from cmd/go, each an error that names itself rather than a silent change:
//! a tag with a real VCS (`git`, `hg`…) is refused (cmd/go would clone the repository;
//! golang.org/toolchain is only ever served as `mod`); `GOINSECURE` is not honoured (cmd/go
//! would then skip certificate checks for the page and fall back to plain http; gox keeps
//! https with verification, and says so when the page cannot be fetched); a root with a
//! query or fragment, or plain http to a non-loopback host (gox's rule for every download),
//! is refused. Fetches go through the shared retry policy (cmd/go does not retry).

use std::fmt;

use crate::goimport::{
    MetaImport, go_get_url, match_go_import, parse_meta_go_imports, validate_repo_root,
    validate_repo_sub_dir,
};
use crate::retry::{self, Attempt, Class, Failure, RetryPolicy, Stopped, classify_status};
use crate::source::check_url;

/// The page is only read up to this much (cmd/go stops at `</head>` too; a real go-get
/// page is a few hundred bytes).
pub const MAX_PAGE: usize = 1024 * 1024;

/// Why the toolchain is fetched directly (for the fix in messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `GOPROXY` reached `direct`.
    Goproxy,
    /// `GONOPROXY` (or `GOPRIVATE`) matches the module: no proxy may serve it.
    NoProxy,
}

/// Where `direct` leads: the page read and the module proxy its tag names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectRoute {
    /// The go-get URL that answered (after redirects).
    pub page: String,
    /// The module proxy base URL, without a trailing `/` (`https://go.dev/dl/mod`).
    pub proxy: String,
}

/// `direct` led nowhere. The message says what happened, at which URL, and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectError {
    pub module: String,
    /// The go-get URL asked first.
    pub url: String,
    /// What went wrong (names the URL it concerns).
    pub what: String,
    pub via: Via,
    /// `GOINSECURE` matched the module and the page could not be fetched over verified https.
    pub insecure_ignored: bool,
}

impl fmt::Display for DirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.via {
            Via::Goproxy => "GOPROXY reaches `direct`",
            Via::NoProxy => {
                "GONOPROXY (or GOPRIVATE) matches golang.org/toolchain, so no proxy may serve it"
            }
        };
        write!(
            f,
            "{why}; like `go`, gox looked up {}'s go-import meta tag at {}: {}",
            self.module, self.url, self.what
        )?;
        if self.insecure_ignored {
            write!(
                f,
                "\nGOINSECURE matches {}: `go` would also try this page without certificate \
                 checks and over plain http://; gox does not (trust a company CA with \
                 SSL_CERT_FILE instead)",
                self.module
            )?;
        }
        let fix = match self.via {
            Via::Goproxy => {
                "put a module proxy before `direct` in GOPROXY (e.g. \
                 GOPROXY=https://proxy.golang.org,direct)"
            }
            Via::NoProxy => "narrow GONOPROXY/GOPRIVATE so it does not match golang.org",
        };
        write!(
            f,
            "\nfix: {fix}, check the network (HTTPS_PROXY, NO_PROXY; SSL_CERT_FILE for a company \
             CA), or install from the feed with --source feed"
        )
    }
}

impl std::error::Error for DirectError {}

/// One answer from the go-get URL.
struct Page {
    url: String,
    status: u16,
    status_text: String,
    body: Vec<u8>,
}

/// GETs a go-get page through the retry policy: network failures and transient statuses
/// whose body has no go-import tag are retried; any other answer is returned, whatever
/// its status (cmd/go reads tags from error pages too).
async fn fetch_page(
    client: &reqwest::Client,
    policy: &RetryPolicy,
    url: &str,
) -> Result<Page, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    check_url(&parsed).map_err(|e| e.to_string())?;
    let result = retry::retry(
        policy,
        url,
        |_| async {
            let mut resp = client
                .get(url)
                .send()
                .await
                .map_err(|e| Failure::client(&e))?;
            let status = resp.status();
            let headers = resp.headers().clone();
            let final_url = resp.url().to_string();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| Failure::client(&e))? {
                let room = MAX_PAGE.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= MAX_PAGE {
                    break;
                }
            }
            let tagged = parse_meta_go_imports(&body).is_ok_and(|t| !t.is_empty());
            if !tagged && classify_status(status.as_u16()) == Class::Transient {
                return Err(Attempt::<std::convert::Infallible>::Failed(
                    Failure::status(status, &headers),
                ));
            }
            Ok(Page {
                url: final_url,
                status: status.as_u16(),
                status_text: Failure::status(status, &headers).detail,
                body,
            })
        },
        |_, _, _| {},
    )
    .await;
    match result {
        Ok(page) => Ok(page),
        Err(Stopped::GaveUp(g)) => Err(g.to_string()),
        Err(Stopped::Abort(never)) => match never {},
    }
}

/// The go-import tags of `url`'s page, as cmd/go reads them: a status error when the page
/// has none and is not a 200.
fn page_imports(page: &Page) -> Result<Vec<MetaImport>, String> {
    let parsed = parse_meta_go_imports(&page.body);
    let no_tag = parsed.as_ref().map_or(true, Vec::is_empty);
    if no_tag && page.status != 200 {
        return Err(format!(
            "GET {}: {}, and the page has no go-import meta tag",
            page.url, page.status_text
        ));
    }
    parsed.map_err(|e| format!("cannot read {} as HTML: {e}", page.url))
}

/// Follows `module`'s go-import tag to the module proxy it names (cmd/go's `lookupDirect`
/// for a `mod` tag). `insecure`: `GOINSECURE` matches `module` (only mentioned in errors).
pub async fn lookup_direct(
    client: &reqwest::Client,
    policy: &RetryPolicy,
    module: &str,
    via: Via,
    insecure: bool,
) -> Result<DirectRoute, DirectError> {
    let url = go_get_url(module).unwrap_or_default();
    let fail = |what: String, fetch_failed: bool| DirectError {
        module: module.to_string(),
        url: url.clone(),
        what,
        via,
        insecure_ignored: insecure && fetch_failed,
    };
    if url.is_empty() {
        return Err(fail(
            "the module path does not begin with a host name".into(),
            false,
        ));
    }
    let page = fetch_page(client, policy, &url)
        .await
        .map_err(|e| fail(e, true))?;
    let imports = page_imports(&page).map_err(|e| fail(e, false))?;
    let found =
        match_go_import(&imports, module).map_err(|e| fail(format!("{}: {e}", page.url), false))?;
    if found.prefix != module {
        // A tag for a shorter prefix must be confirmed by the prefix's own page.
        let prefix_url = go_get_url(&found.prefix).unwrap_or_default();
        let confirm = async {
            let prefix_page = fetch_page(client, policy, &prefix_url).await?;
            let prefix_imports = page_imports(&prefix_page)?;
            if prefix_imports.is_empty() {
                return Err(format!(
                    "no go-import meta tag found in {}",
                    prefix_page.url
                ));
            }
            match match_go_import(&prefix_imports, module) {
                Ok(again) if again == found => Ok(()),
                _ => Err(format!(
                    "{} and {} disagree about go-import for {}",
                    page.url, prefix_page.url, found.prefix
                )),
            }
        };
        confirm.await.map_err(|e| fail(e, false))?;
    }
    validate_repo_sub_dir(&found.sub_dir).map_err(|e| {
        fail(
            format!(
                "{}: invalid subdirectory {:?}: {e}",
                page.url, found.sub_dir
            ),
            false,
        )
    })?;
    if found.vcs != "mod" {
        return Err(fail(
            format!(
                "{}: the tag names a {} repository ({}), not a module proxy (`mod`); gox fetches \
                 toolchains only through the module proxy protocol (`go` would clone the \
                 repository)",
                page.url, found.vcs, found.repo_root
            ),
            false,
        ));
    }
    let proxy = validate_repo_root(&found.repo_root).map_err(|e| {
        fail(
            format!("{}: invalid repo root {:?}: {e}", page.url, found.repo_root),
            false,
        )
    })?;
    if let Ok(parsed) = url::Url::parse(&proxy)
        && let Err(e) = check_url(&parsed)
    {
        return Err(fail(
            format!("{}: the tag's module proxy: {e}", page.url),
            false,
        ));
    }
    Ok(DirectRoute {
        page: page.url,
        proxy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(status: u16, body: &str) -> Page {
        Page {
            url: "https://golang.org/toolchain?go-get=1".into(),
            status,
            status_text: format!("HTTP {status}"),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_matter_only_without_a_tag() {
        let tag =
            r#"<meta name="go-import" content="golang.org/toolchain mod https://go.dev/dl/mod">"#;
        assert_eq!(page_imports(&page(404, tag)).unwrap().len(), 1);
        let e = page_imports(&page(404, "<p>gone</p>")).unwrap_err();
        assert!(
            e.contains("HTTP 404") && e.contains("no go-import meta tag"),
            "{e}"
        );
        let e = page_imports(&page(500, "<a < b")).unwrap_err();
        assert!(e.contains("HTTP 500"), "{e}");
        let e = page_imports(&page(200, "<a < b")).unwrap_err();
        assert!(e.contains("XML syntax error"), "{e}");
        assert!(page_imports(&page(200, "")).unwrap().is_empty());
    }

    #[test]
    fn messages_name_the_cause_and_the_fix() {
        let e = DirectError {
            module: "golang.org/toolchain".into(),
            url: "https://golang.org/toolchain?go-get=1".into(),
            what: "connection refused".into(),
            via: Via::NoProxy,
            insecure_ignored: true,
        }
        .to_string();
        for want in [
            "GONOPROXY",
            "https://golang.org/toolchain?go-get=1",
            "connection refused",
            "GOINSECURE",
            "fix: narrow GONOPROXY/GOPRIVATE",
            "--source feed",
        ] {
            assert!(e.contains(want), "{want}: {e}");
        }
        let e = DirectError {
            module: "golang.org/toolchain".into(),
            url: "u".into(),
            what: "w".into(),
            via: Via::Goproxy,
            insecure_ignored: false,
        }
        .to_string();
        assert!(
            e.contains("GOPROXY reaches `direct`")
                && e.contains("put a module proxy before `direct`")
        );
        assert!(!e.contains("GOINSECURE"));
    }
}
