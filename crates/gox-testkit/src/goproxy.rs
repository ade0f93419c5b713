//! A Go module proxy and a checksum database of the tests' own, serving toolchain module
//! zips ([`crate::toolchain_zip`]) the way proxy.golang.org and sum.golang.org do, signed
//! with a test key. Both gox and the real `go` command accept them when pointed at them
//! (`GOPROXY=<proxy url>`, `GOSUMDB="<vkey> <db url>"`). The database can be switched to
//! misbehave ([`DbMode`]); the proxy can answer a status or serve a tampered zip.
//! [`DirectSite`] is golang.org and go.dev as `GOPROXY=direct` sees them: the go-get page
//! with golang.org/toolchain's go-import tag, and a proxy's protocol under `/dl/mod/`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gox_sumdb::log::{Log, key_pair_from_seed};

use crate::Request;
use crate::modzip::ToolchainZip;
use crate::routes::{Reply, RouteServer};
use crate::tls::TlsServer;

/// The test database's name (its key's name).
pub const TEST_SUMDB_NAME: &str = "sum.gox.test";
/// go.mod of the toolchain module (cmd/distpack writes exactly this).
pub const TOOLCHAIN_GO_MOD: &str = "module golang.org/toolchain\n";
const MODULE: &str = "golang.org/toolchain";
/// Records before the toolchains: more than one 256-hash tile, so proofs cross tiles.
const FILLERS: usize = 300;

/// The test database's key pair (signer key, verifier key `name+hash+key`).
pub fn test_sumdb_keys() -> (String, String) {
    key_pair_from_seed(TEST_SUMDB_NAME, [42; 32])
}

/// How the test database behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbMode {
    /// Records with the true `h1:` of every zip, validly signed.
    Good,
    /// The toolchain records carry another `h1:` (validly signed and included).
    WrongH1,
    /// The tree note's signature has one byte changed.
    BadSignature,
    /// A different history of the same size, validly signed: a fork of [`DbMode::Good`].
    Forked,
    /// `/lookup` answers 404 for the toolchains.
    MissingRecord,
}

struct DbState {
    mode: Mutex<DbMode>,
    /// The next this-many requests are answered 503 (a database or proxy under load).
    unavailable: std::sync::atomic::AtomicU32,
    good: Log,
    wrong: Log,
    forked: Log,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl DbState {
    fn new(zips: &[ToolchainZip]) -> Self {
        let (skey, _) = test_sumdb_keys();
        let mod_h1 = gox_sumdb::hash1([("go.mod", TOOLCHAIN_GO_MOD.as_bytes())]).expect("h1");
        let wrong_h1 = format!("h1:{}", "A".repeat(43) + "=");
        let make = |filler: &str, wrong: bool| {
            let mut log = Log::new(&skey).expect("test key");
            for i in 0..FILLERS {
                log.add_module(
                    &format!("example.com/{filler}{i}"),
                    "v1.0.0",
                    &mod_h1,
                    &mod_h1,
                );
            }
            for z in zips {
                let h1 = if wrong { &wrong_h1 } else { &z.h1 };
                log.add_module(MODULE, &z.version, h1, &mod_h1);
            }
            log
        };
        DbState {
            mode: Mutex::new(DbMode::Good),
            unavailable: std::sync::atomic::AtomicU32::new(0),
            good: make("filler", false),
            wrong: make("filler", true),
            forked: make("forked", false),
        }
    }

    /// Answers a database path (`lookup/…`, `tile/…`, `latest`).
    fn reply(&self, path: &str) -> Reply {
        let busy = self
            .unavailable
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if busy.is_ok() {
            return Reply::status(503);
        }
        let mode = *lock(&self.mode);
        let log = match mode {
            DbMode::WrongH1 => &self.wrong,
            DbMode::Forked => &self.forked,
            _ => &self.good,
        };
        let note = if mode == DbMode::BadSignature {
            corrupt_signature(log.signed_tree())
        } else {
            log.signed_tree()
        };
        if path == "latest" {
            return Reply::ok(note);
        }
        if let Some(target) = path.strip_prefix("lookup/") {
            let Some((module, version)) = target.rsplit_once('@') else {
                return Reply::status(400);
            };
            if mode == DbMode::MissingRecord && module == MODULE {
                return Reply::Bytes(404, b"not found\n".to_vec());
            }
            return match log.find(module, version) {
                Some(id) => Reply::ok(log.lookup_body(id, &note).expect("record")),
                None => Reply::Bytes(404, b"not found\n".to_vec()),
            };
        }
        match log.tile(path) {
            Some(data) => Reply::ok(data),
            None => Reply::status(404),
        }
    }
}

/// Change one base64 character of the signature proper (past the 4-byte key id), keeping
/// the note well-formed: the signature no longer verifies under the right key id.
fn corrupt_signature(note: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(note).expect("notes are text");
    let start = text.rfind("\n— ").expect("a signature line") + "\n— ".len();
    let line = &text[start..];
    let sig_at = start + line.find(' ').expect("name and signature") + 1 + 40;
    let mut bytes = text.into_bytes();
    bytes[sig_at] = if bytes[sig_at] == b'A' { b'B' } else { b'A' };
    bytes
}

/// The test checksum database (`/lookup`, `/tile`, `/latest`). Stops on drop.
pub struct SumDbServer {
    server: RouteServer,
    state: Arc<DbState>,
}

impl std::fmt::Debug for SumDbServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SumDbServer")
            .field("url", &self.url())
            .finish()
    }
}

impl SumDbServer {
    pub fn start(zips: &[ToolchainZip]) -> Self {
        let state = Arc::new(DbState::new(zips));
        let s = Arc::clone(&state);
        let server = RouteServer::start(Arc::new(move |req: &Request| {
            s.reply(req.path.trim_start_matches('/'))
        }));
        SumDbServer { server, state }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The verifier key `sum.gox.test+<hash>+<key>`.
    pub fn vkey(&self) -> String {
        test_sumdb_keys().1
    }

    /// `GOSUMDB` naming this database and its URL (cmd/go then bypasses proxies for it).
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.vkey(), self.url())
    }

    pub fn set_mode(&self, mode: DbMode) {
        *lock(&self.state.mode) = mode;
    }

    /// Answer the next `n` requests (direct or through a proxy) with 503.
    pub fn fail_next(&self, n: u32) {
        self.state.unavailable.store(n, Ordering::SeqCst);
    }

    /// The good tree's signed note: what a client that verified before has stored.
    pub fn good_signed_tree(&self) -> Vec<u8> {
        self.state.good.signed_tree()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }
}

struct ProxyState {
    zips: HashMap<String, ToolchainZip>,
    status: Mutex<Option<u16>>,
    tampered: AtomicBool,
    sumdb: Option<Arc<DbState>>,
}

/// The test module proxy: `/golang.org/toolchain/@v/{list,<v>.info,<v>.mod,<v>.zip}` and,
/// when built [`GoProxyServer::with_sumdb`], `/sumdb/sum.gox.test/…`.
pub struct GoProxyServer {
    server: RouteServer,
    state: Arc<ProxyState>,
}

impl std::fmt::Debug for GoProxyServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoProxyServer")
            .field("url", &self.url())
            .finish()
    }
}

impl GoProxyServer {
    pub fn start(zips: &[ToolchainZip]) -> Self {
        Self::build(zips, None)
    }

    /// A proxy that also proxies `db` (answers `/sumdb/<name>/supported`).
    pub fn with_sumdb(zips: &[ToolchainZip], db: &SumDbServer) -> Self {
        Self::build(zips, Some(Arc::clone(&db.state)))
    }

    fn build(zips: &[ToolchainZip], sumdb: Option<Arc<DbState>>) -> Self {
        let state = Arc::new(ProxyState {
            zips: zips
                .iter()
                .map(|z| (z.version.clone(), z.clone()))
                .collect(),
            status: Mutex::new(None),
            tampered: AtomicBool::new(false),
            sumdb,
        });
        let s = Arc::clone(&state);
        let server = RouteServer::start(Arc::new(move |req: &Request| proxy_reply(&s, req)));
        GoProxyServer { server, state }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Answer every request with `status` (`None`: behave).
    pub fn set_status(&self, status: Option<u16>) {
        *lock(&self.state.status) = status;
    }

    /// Serve the zip with one byte changed instead of the real one.
    pub fn serve_tampered(&self, on: bool) {
        self.state.tampered.store(on, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// This proxy's answers as a function sharing its state ([`Self::set_status`],
    /// [`Self::serve_tampered`]), for a server of another kind ([`DirectSite`]).
    pub fn handler(&self) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
        let state = Arc::clone(&self.state);
        move |req: &Request| proxy_reply(&state, req)
    }

    /// GETs of `.zip` files so far.
    pub fn zip_downloads(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with(".zip"))
            .count()
    }
}

fn proxy_reply(state: &ProxyState, req: &Request) -> Reply {
    if let Some(status) = *lock(&state.status) {
        return Reply::status(status);
    }
    let path = req.path.trim_start_matches('/');
    if let Some(rest) = path.strip_prefix(&format!("sumdb/{TEST_SUMDB_NAME}/")) {
        return match &state.sumdb {
            Some(_) if rest == "supported" => Reply::ok(Vec::new()),
            Some(db) => db.reply(rest),
            None => Reply::status(404),
        };
    }
    let Some(file) = path.strip_prefix(&format!("{MODULE}/@v/")) else {
        return Reply::status(404);
    };
    if file == "list" {
        let mut versions: Vec<&str> = state.zips.keys().map(String::as_str).collect();
        versions.sort_unstable();
        return Reply::ok(versions.join("\n") + "\n");
    }
    let Some((version, ext)) = file.rsplit_once('.') else {
        return Reply::status(404);
    };
    let Some(zip) = state.zips.get(version) else {
        return Reply::status(404);
    };
    match ext {
        "info" => Reply::ok(format!(
            "{{\"Version\":\"{version}\",\"Time\":\"2024-12-03T00:00:00Z\"}}\n"
        )),
        "mod" => Reply::ok(TOOLCHAIN_GO_MOD),
        "zip" if state.tampered.load(Ordering::SeqCst) => Reply::File(zip.tampered.clone()),
        "zip" => Reply::File(zip.path.clone()),
        _ => Reply::status(404),
    }
}

/// The go-get page go.dev serves for golang.org/toolchain (its go-import tag names the
/// module proxy `https://go.dev/dl/mod`).
pub const TOOLCHAIN_GO_GET_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\
<meta charset=\"utf-8\">\n\
<meta name=\"go-import\" content=\"golang.org/toolchain mod https://go.dev/dl/mod\">\n\
<meta http-equiv=\"refresh\" content=\"0; url=https://pkg.go.dev/golang.org/toolchain\">\n\
</head>\n<body>\nRedirecting to <a href=\"https://pkg.go.dev/golang.org/toolchain\">docs</a>.\n</body>\n</html>\n";

/// golang.org and go.dev for `GOPROXY=direct`, over TLS ([`TlsServer`], whose certificate
/// names them): `https://golang.org/toolchain?go-get=1` answers a go-get page
/// ([`TOOLCHAIN_GO_GET_PAGE`] unless [`DirectSite::set_page`]), and
/// `https://go.dev/dl/mod/<module>/@v/…` is a [`GoProxyServer`]'s protocol (its status and
/// tampering switches apply). Clients reach it through a [`crate::ConnectProxy`] to
/// [`DirectSite::addr`], trusting [`DirectSite::ca_pem`]. Stops on drop.
pub struct DirectSite {
    tls: TlsServer,
    page: Arc<Mutex<String>>,
}

impl std::fmt::Debug for DirectSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectSite")
            .field("tls", &self.tls)
            .finish()
    }
}

impl DirectSite {
    pub fn start(proxy: &GoProxyServer) -> Self {
        let page = Arc::new(Mutex::new(TOOLCHAIN_GO_GET_PAGE.to_string()));
        let serve_proxy = proxy.handler();
        let html = Arc::clone(&page);
        let tls = TlsServer::start_with(Arc::new(move |req: &Request| {
            let host = req.header("host").unwrap_or_default();
            let host = host.split(':').next().unwrap_or_default();
            let go_get = req.query.split('&').any(|kv| kv == "go-get=1");
            match (host, req.path.as_str()) {
                ("golang.org", "/toolchain") if go_get => Reply::ok(lock(&html).clone()),
                ("go.dev", path) if path.starts_with("/dl/mod/") => {
                    let mut inner = req.clone();
                    inner.path = path["/dl/mod".len()..].to_string();
                    serve_proxy(&inner)
                }
                _ => Reply::Bytes(404, b"not found\n".to_vec()),
            }
        }));
        DirectSite { tls, page }
    }

    /// Serve `html` as the go-get page from now on.
    pub fn set_page(&self, html: &str) {
        *lock(&self.page) = html.to_string();
    }

    /// The address a [`crate::ConnectProxy`] tunnels to.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.tls.addr()
    }

    /// The CA (PEM) to trust (`SSL_CERT_FILE`).
    pub fn ca_pem(&self) -> &str {
        self.tls.ca_pem()
    }

    /// Every request so far, with its `host` header.
    pub fn requests(&self) -> Vec<Request> {
        self.tls.requests()
    }

    /// `(host, path)` of the go-get page and zip requests that were answered 200.
    pub fn served(&self) -> Vec<(String, String)> {
        self.requests()
            .into_iter()
            .filter(|r| r.status == 200)
            .map(|r| {
                let host = r.header("host").unwrap_or_default();
                let host = host.split(':').next().unwrap_or_default().to_string();
                (host, r.path)
            })
            .collect()
    }
}
