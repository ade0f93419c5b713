//! A loopback HTTP/1.1 mirror: `GET /dl/?mode=json…` serves the feed (ETag/Last-Modified,
//! conditional GET), `GET|HEAD /dl/<name>` serves files. One request per connection
//! (`Connection: close`), one thread per connection, every request logged.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

/// Socket read/write timeout of a single operation.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send its request head.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
const MAX_HEAD: usize = 64 * 1024;
/// The longest [`Fault::Delay`] honoured.
const MAX_DELAY: Duration = Duration::from_secs(30);

/// What to do instead of (or while) serving a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer 404 even though the file exists.
    NotFound,
    /// Answer with this status and a short text body.
    Status(u16),
    /// Send the headers with the full `Content-Length`, then only this many body bytes, then
    /// close the socket.
    DropAfter(u64),
    /// Wait this long (at most 30 s) before answering normally.
    Delay(Duration),
    /// Answer with this status and a `Retry-After` header with this value.
    RetryAfter(u16, String),
    /// Ignore `Range` (answer 200 with the whole file), like a server without range support.
    NoRange,
    /// Announce this `Content-Length`, send at most that many of the real bytes, then close.
    WrongLength(u64),
    /// Answer `302 Found` with this `Location` (a redirect loop when it points back).
    Redirect(String),
    /// Send the headers and this many body bytes, then go silent (until the server stops,
    /// at most 30 s) without closing.
    StallAfter(u64),
    /// No `Content-Length`: the body ends when the connection closes.
    NoLength,
}

/// A logged request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path without the query: `/dl/` for the feed, `/dl/go1.22.10.linux-amd64.tar.gz`.
    pub path: String,
    /// The query without `?` (`mode=json&include=all`), `""` when none.
    pub query: String,
    /// Names lowercased, values trimmed, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The status answered (0 while the answer is being sent).
    pub status: u16,
    /// Body bytes written to the socket (what the kernel accepted).
    pub sent: u64,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
enum Body {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
}

#[derive(Clone, Debug)]
struct FaultRule {
    fault: Fault,
    /// `None`: every request; `Some(n)`: the next `n` requests.
    remaining: Option<u32>,
}

/// Configures a [`MirrorServer`].
#[derive(Clone, Debug, Default)]
pub struct MirrorBuilder {
    feed: Option<String>,
    files: HashMap<String, Body>,
    faults: HashMap<String, FaultRule>,
}

impl MirrorBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `json` at `GET /dl/` (any query) with an ETag (quoted sha256 of the body) and
    /// Last-Modified; `If-None-Match`/`If-Modified-Since` matches get 304.
    pub fn feed(mut self, json: impl Into<String>) -> Self {
        self.feed = Some(json.into());
        self
    }

    /// Serve a file at `/dl/<name>` (GET and HEAD), read when requested.
    pub fn file(mut self, name: &str, path: impl Into<PathBuf>) -> Self {
        self.files.insert(name.into(), Body::Path(path.into()));
        self
    }

    /// Serve bytes at `/dl/<name>`.
    pub fn bytes(mut self, name: &str, data: Vec<u8>) -> Self {
        self.files.insert(name.into(), Body::Bytes(data.into()));
        self
    }

    /// Inject `fault` on every request of `/dl/<name>`, or of the feed when `name == "feed"`.
    pub fn fault(mut self, name: &str, fault: Fault) -> Self {
        let rule = FaultRule {
            fault,
            remaining: None,
        };
        self.faults.insert(name.into(), rule);
        self
    }

    /// Like [`MirrorBuilder::fault`] for the first `times` requests only; later ones succeed.
    pub fn fault_first(mut self, name: &str, fault: Fault, times: u32) -> Self {
        let rule = FaultRule {
            fault,
            remaining: Some(times),
        };
        self.faults.insert(name.into(), rule);
        self
    }

    /// The names served under `/dl/`, sorted.
    pub fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.files.keys().cloned().collect();
        names.sort();
        names
    }

    /// Binds `127.0.0.1:0` and starts serving. Panics if it cannot bind.
    pub fn start(self) -> MirrorServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let shared = Arc::new(Shared {
            feed: Mutex::new(self.feed.map(|json| FeedState::new(json, None))),
            files: self.files,
            etags: Mutex::new(HashMap::new()),
            faults: Mutex::new(self.faults),
            log: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name(format!("gox-mirror-{}", addr.port()))
            .spawn(move || accept_loop(&s, listener))
            .expect("spawn mirror thread");
        MirrorServer {
            addr,
            shared,
            accept: Some(accept),
        }
    }
}

struct FeedState {
    body: Arc<[u8]>,
    etag: String,
    last_modified: SystemTime,
}

impl FeedState {
    /// Last-Modified is now, but always at least one second after `previous` so a client
    /// relying on If-Modified-Since sees every change.
    fn new(json: String, previous: Option<SystemTime>) -> Self {
        let now = SystemTime::now();
        let last_modified = match previous {
            Some(p) if p + Duration::from_secs(1) > now => p + Duration::from_secs(1),
            _ => now,
        };
        FeedState {
            etag: format!("\"{}\"", crate::sha256_hex(json.as_bytes())),
            body: json.into_bytes().into(),
            last_modified,
        }
    }
}

struct Shared {
    feed: Mutex<Option<FeedState>>,
    files: HashMap<String, Body>,
    /// ETag overrides per file (`set_etag`); otherwise a tag derived from name and length.
    etags: Mutex<HashMap<String, String>>,
    faults: Mutex<HashMap<String, FaultRule>>,
    log: Mutex<Vec<Request>>,
    stop: AtomicBool,
}

/// Lock even if a handler thread panicked while holding the lock.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running mirror; stops and joins its threads on drop.
pub struct MirrorServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MirrorServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MirrorServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl MirrorServer {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/dl/?mode=json&include=all`
    pub fn feed_url(&self) -> String {
        format!("{}/dl/?mode=json&include=all", self.url())
    }

    /// `http://127.0.0.1:PORT/dl/`
    pub fn download_base(&self) -> String {
        format!("{}/dl/", self.url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }

    /// How many GETs of `/dl/<name>` (or of the feed for `"feed"`) arrived.
    pub fn hits(&self, name: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.method == "GET" && route(&r.path) == Some(name))
            .count()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Replace the feed (new ETag, later Last-Modified).
    pub fn set_feed(&self, json: String) {
        let mut feed = lock(&self.shared.feed);
        let previous = feed.as_ref().map(|f| f.last_modified);
        *feed = Some(FeedState::new(json, previous));
    }

    /// Body bytes sent for GETs of `/dl/<name>` (or the feed for `"feed"`), in order.
    pub fn sent(&self, name: &str) -> Vec<u64> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.method == "GET" && route(&r.path) == Some(name))
            .map(|r| r.sent)
            .collect()
    }

    /// Replace the ETag of a served file, as if it had changed (`If-Range` then mismatches).
    pub fn set_etag(&self, name: &str, etag: &str) {
        lock(&self.shared.etags).insert(name.into(), etag.into());
    }

    /// Like [`MirrorBuilder::fault_first`] on a running server.
    pub fn set_fault_first(&self, name: &str, fault: Fault, times: u32) {
        let rule = FaultRule {
            fault,
            remaining: Some(times),
        };
        lock(&self.shared.faults).insert(name.into(), rule);
    }

    /// Set (`Some`) or clear (`None`) the fault of a name (`"feed"` for the feed).
    pub fn set_fault(&self, name: &str, fault: Option<Fault>) {
        let mut faults = lock(&self.shared.faults);
        match fault {
            Some(fault) => {
                let rule = FaultRule {
                    fault,
                    remaining: None,
                };
                faults.insert(name.into(), rule);
            }
            None => {
                faults.remove(name);
            }
        }
    }
}

impl Drop for MirrorServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept(); if we cannot, leave the thread rather than hang.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).is_ok();
        if let Some(h) = self.accept.take()
            && woke
        {
            let _ = h.join();
        }
    }
}

fn accept_loop(shared: &Arc<Shared>, listener: TcpListener) {
    let mut conns: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            thread::sleep(Duration::from_millis(10)); // e.g. EMFILE: don't spin
            continue;
        };
        conns.retain(|h| !h.is_finished());
        let s = Arc::clone(shared);
        if let Ok(h) = thread::Builder::new().spawn(move || handle(&s, stream)) {
            conns.push(h);
        }
    }
    for h in conns {
        let _ = h.join();
    }
}

/// `"feed"` for the feed, the file name for `/dl/<name>`. Names may be paths
/// (`golang.org/toolchain/@v/list`), so a registered directory tree serves as a GOPROXY; only
/// registered names are ever served.
fn route(path: &str) -> Option<&str> {
    match path.strip_prefix("/dl")? {
        "" | "/" => Some("feed"),
        rest => rest.strip_prefix('/'),
    }
}

fn handle(shared: &Shared, mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    // Short read timeouts so a silent client cannot delay shutdown.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let Some(req) = read_request(&shared.stop, &mut stream) else {
        let _ = respond_text(&mut stream, 400, "bad request\n");
        return;
    };
    let index = {
        let mut log = lock(&shared.log);
        log.push(req.clone());
        log.len() - 1
    };
    let mut served = Served::default();
    let _ = respond(shared, &req, &mut stream, &mut served);
    if let Some(entry) = lock(&shared.log).get_mut(index) {
        entry.status = served.status;
        entry.sent = served.sent;
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

pub(crate) fn read_request(stop: &AtomicBool, stream: &mut TcpStream) -> Option<Request> {
    let start = Instant::now();
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD || start.elapsed() > HEAD_DEADLINE {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) && !stop.load(Ordering::SeqCst) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    };
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some(Request {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers,
        status: 0,
        sent: 0,
    })
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

pub(crate) fn write_head(
    stream: &mut impl Write,
    status: u16,
    headers: &[(&str, String)],
    len: Option<u64>,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(len) = len {
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())
}

pub(crate) fn respond_text(stream: &mut impl Write, status: u16, text: &str) -> io::Result<()> {
    let ct = [("Content-Type", "text/plain; charset=utf-8".to_string())];
    write_head(stream, status, &ct, Some(text.len() as u64))?;
    stream.write_all(text.as_bytes())
}

/// Copies at most `limit` bytes of `body` to `stream`, counting them in `sent` as they go
/// (so a client that hangs up mid-way leaves the count of what it got); stops early once
/// `stop` is set.
pub(crate) fn send_body(
    stream: &mut impl Write,
    body: &mut dyn Read,
    limit: u64,
    stop: &AtomicBool,
    sent: &mut u64,
) -> io::Result<()> {
    let mut left = limit;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 && !stop.load(Ordering::SeqCst) {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = body.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        stream.write_all(&buf[..n])?;
        *sent += n as u64;
        left -= n as u64;
    }
    Ok(())
}

/// What was answered, for the log.
#[derive(Default)]
struct Served {
    status: u16,
    sent: u64,
}

fn respond(
    shared: &Shared,
    req: &Request,
    stream: &mut TcpStream,
    served: &mut Served,
) -> io::Result<()> {
    let mut text = |stream: &mut TcpStream, status: u16, body: &str| {
        served.status = status;
        respond_text(stream, status, body)
    };
    let head_only = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => return text(stream, 405, "method not allowed\n"),
    };
    let Some(name) = route(&req.path) else {
        return text(stream, 404, "not found\n");
    };
    let fault = {
        let mut faults = lock(&shared.faults);
        let fault = faults.get_mut(name).map(|rule| {
            if let Some(n) = rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
            (rule.fault.clone(), rule.remaining == Some(0))
        });
        if let Some((_, true)) = fault {
            faults.remove(name);
        }
        fault.map(|(f, _)| f)
    };
    let mut limit = None;
    let mut stall = false;
    let mut ranges = true;
    let mut announce: Option<Option<u64>> = None;
    match &fault {
        Some(Fault::NotFound) => return text(stream, 404, "not found (fault)\n"),
        Some(Fault::Status(s)) => return text(stream, *s, "injected fault\n"),
        Some(Fault::RetryAfter(s, after)) => {
            served.status = *s;
            let body = "injected fault\n";
            let headers = [
                ("Retry-After", after.clone()),
                ("Content-Type", "text/plain".to_string()),
            ];
            write_head(stream, *s, &headers, Some(body.len() as u64))?;
            return stream.write_all(body.as_bytes());
        }
        Some(Fault::Redirect(to)) => {
            served.status = 302;
            return write_head(stream, 302, &[("Location", to.clone())], Some(0));
        }
        Some(Fault::DropAfter(n)) => limit = Some(*n),
        Some(Fault::StallAfter(n)) => {
            limit = Some(*n);
            stall = true;
        }
        Some(Fault::WrongLength(n)) => {
            limit = Some(*n);
            announce = Some(Some(*n));
        }
        Some(Fault::NoLength) => announce = Some(None),
        Some(Fault::NoRange) => ranges = false,
        Some(Fault::Delay(d)) => sleep_unless_stopped(shared, (*d).min(MAX_DELAY)),
        None => {}
    }

    let (mut body, len, headers): (Box<dyn Read>, u64, Vec<(&str, String)>) = if name == "feed" {
        let feed = lock(&shared.feed);
        let Some(feed) = feed.as_ref() else {
            return text(stream, 404, "no feed\n");
        };
        let validators = [
            ("ETag", feed.etag.clone()),
            ("Last-Modified", httpdate::fmt_http_date(feed.last_modified)),
        ];
        if not_modified(req, feed) {
            served.status = 304;
            return write_head(stream, 304, &validators, None);
        }
        let mut headers = vec![("Content-Type", "application/json".to_string())];
        headers.extend(validators);
        let body = Arc::clone(&feed.body);
        let len = body.len() as u64;
        (Box::new(Cursor::new(body)), len, headers)
    } else {
        let opened = match shared.files.get(name) {
            None => None,
            Some(Body::Bytes(b)) => {
                let r: Box<dyn Read> = Box::new(Cursor::new(Arc::clone(b)));
                Some((r, b.len() as u64))
            }
            Some(Body::Path(p)) => File::open(p)
                .and_then(|f| {
                    let len = f.metadata()?.len();
                    Ok((Box::new(f) as Box<dyn Read>, len))
                })
                .ok(),
        };
        let Some((body, len)) = opened else {
            return text(stream, 404, "not found\n");
        };
        let etag = lock(&shared.etags)
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("\"{}-{len}\"", crate::sha256_hex(name.as_bytes())));
        let mut headers = vec![
            ("Content-Type", "application/octet-stream".to_string()),
            ("ETag", etag.clone()),
        ];
        if ranges {
            headers.push(("Accept-Ranges", "bytes".to_string()));
        }
        (body, len, headers)
    };
    let mut headers = headers;
    let mut status = 200;
    let mut start = 0;
    // `Range: bytes=N-` (the one form gox sends), honoured when `If-Range` is absent or
    // matches the current ETag; otherwise the whole file, as RFC 9110 says.
    if ranges && name != "feed" {
        let current = headers
            .iter()
            .find(|(n, _)| *n == "ETag")
            .map(|(_, v)| v.clone());
        let wanted = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<u64>().ok());
        let if_range_ok = req
            .header("if-range")
            .is_none_or(|v| Some(v) == current.as_deref());
        if let Some(from) = wanted.filter(|&n| n < len && if_range_ok) {
            status = 206;
            start = from;
            headers.push(("Content-Range", format!("bytes {from}-{}/{len}", len - 1)));
            io::copy(&mut (&mut body).take(from), &mut io::sink())?;
        }
    }
    let len = len - start;
    served.status = status;
    write_head(stream, status, &headers, announce.unwrap_or(Some(len)))?;
    if head_only {
        return Ok(());
    }
    let most = limit.unwrap_or(len).min(len);
    send_body(stream, &mut body, most, &shared.stop, &mut served.sent)?;
    if stall {
        stream.flush()?;
        sleep_unless_stopped(shared, MAX_DELAY);
        return Ok(());
    }
    if limit.is_some() {
        stream.flush()?;
        stream.shutdown(Shutdown::Both)?;
    }
    Ok(())
}

fn not_modified(req: &Request, feed: &FeedState) -> bool {
    if let Some(inm) = req.header("if-none-match") {
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == feed.etag);
    }
    let since = req.header("if-modified-since");
    match since.and_then(|s| httpdate::parse_http_date(s).ok()) {
        // HTTP dates have one-second resolution.
        Some(since) => since + Duration::from_secs(1) > feed.last_modified,
        None => false,
    }
}

fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Resp {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Resp {
        fn header(&self, name: &str) -> Option<&str> {
            let h = self.headers.iter().find(|(n, _)| n == name);
            h.map(|(_, v)| v.as_str())
        }
    }

    fn send(server: &MirrorServer, raw: &str) -> Resp {
        let mut s = TcpStream::connect_timeout(&server.addr(), Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut out = Vec::new();
        // A reset after a deliberate early close is fine: keep what arrived.
        let _ = s.read_to_end(&mut out);
        let end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(out[..end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap()[9..12].parse().unwrap();
        let headers = lines
            .map(|l| {
                let (n, v) = l.split_once(": ").unwrap();
                (n.to_ascii_lowercase(), v.to_string())
            })
            .collect();
        Resp {
            status,
            headers,
            body: out[end + 4..].to_vec(),
        }
    }

    fn get(server: &MirrorServer, target: &str, extra: &str) -> Resp {
        send(
            server,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra}\r\n"),
        )
    }

    #[test]
    fn serves_files_bytes_and_404() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.tar.gz");
        std::fs::write(&path, vec![7u8; 200_000]).unwrap();
        let server = MirrorBuilder::new()
            .file("a.tar.gz", &path)
            .bytes("b.zip", b"hello".to_vec())
            .start();
        let r = get(&server, "/dl/a.tar.gz", "");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-length"), Some("200000"));
        assert_eq!(r.body, vec![7u8; 200_000]);
        assert_eq!(get(&server, "/dl/b.zip", "").body, b"hello");
        assert_eq!(get(&server, "/dl/nope", "").status, 404);
        assert_eq!(get(&server, "/elsewhere", "").status, 404);
        assert_eq!(get(&server, "/dl/", "").status, 404); // no feed configured
        let log = server.requests();
        assert_eq!(log.len(), 5);
        assert_eq!(log[0].method, "GET");
        assert_eq!(log[0].path, "/dl/a.tar.gz");
        assert_eq!(log[0].header("HOST"), Some("x"));
        assert_eq!(server.hits("a.tar.gz"), 1);
    }

    #[test]
    fn head_has_length_but_no_body() {
        let server = MirrorBuilder::new().bytes("f", vec![1; 10]).start();
        let r = send(&server, "HEAD /dl/f HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-length"), Some("10"));
        assert!(r.body.is_empty());
        assert_eq!(server.hits("f"), 0);
        let r = send(&server, "POST /dl/f HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(r.status, 405);
    }

    #[test]
    fn feed_conditional_get() {
        let server = MirrorBuilder::new().feed("[1]").start();
        let r = get(&server, "/dl/?mode=json&include=all", "");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"[1]");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let etag = r.header("etag").unwrap().to_string();
        assert_eq!(etag, format!("\"{}\"", crate::sha256_hex(b"[1]")));
        let lm = r.header("last-modified").unwrap().to_string();

        let r = get(
            &server,
            "/dl/?mode=json",
            &format!("If-None-Match: {etag}\r\n"),
        );
        assert_eq!(r.status, 304);
        assert!(r.body.is_empty());
        let r = get(
            &server,
            "/dl/?mode=json",
            &format!("If-Modified-Since: {lm}\r\n"),
        );
        assert_eq!(r.status, 304);
        let log = server.requests();
        assert_eq!(log[1].path, "/dl/");
        assert_eq!(log[1].query, "mode=json");
        assert_eq!(log[1].header("if-none-match"), Some(etag.as_str()));

        server.set_feed("[2]".into());
        let r = get(
            &server,
            "/dl/?mode=json",
            &format!("If-None-Match: {etag}\r\n"),
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"[2]");
        assert_ne!(r.header("etag").unwrap(), etag);
        let r = get(
            &server,
            "/dl/?mode=json",
            &format!("If-Modified-Since: {lm}\r\n"),
        );
        assert_eq!(r.status, 200, "Last-Modified must move forward");
        assert_eq!(server.hits("feed"), 5);
    }

    #[test]
    fn drop_after_closes_early() {
        let server = MirrorBuilder::new()
            .bytes("f", vec![5; 100_000])
            .fault("f", Fault::DropAfter(1000))
            .start();
        let r = get(&server, "/dl/f", "");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-length"), Some("100000"));
        assert_eq!(r.body.len(), 1000);
    }

    #[test]
    fn status_faults_and_fault_first() {
        let server = MirrorBuilder::new()
            .bytes("f", b"ok".to_vec())
            .feed("[]")
            .fault_first("f", Fault::Status(503), 2)
            .fault("feed", Fault::NotFound)
            .start();
        assert_eq!(get(&server, "/dl/f", "").status, 503);
        assert_eq!(get(&server, "/dl/f", "").status, 503);
        assert_eq!(get(&server, "/dl/f", "").body, b"ok");
        assert_eq!(get(&server, "/dl/?mode=json", "").status, 404);
        server.set_fault("feed", None);
        assert_eq!(get(&server, "/dl/?mode=json", "").status, 200);
        server.set_fault("f", Some(Fault::Delay(Duration::from_millis(50))));
        assert_eq!(get(&server, "/dl/f", "").body, b"ok");
    }

    #[test]
    fn ranges_if_range_and_the_new_faults() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let server = MirrorBuilder::new().bytes("f", data.clone()).start();
        let r = get(&server, "/dl/f", "");
        let etag = r.header("etag").unwrap().to_string();
        assert_eq!(r.header("accept-ranges"), Some("bytes"));
        let r = get(
            &server,
            "/dl/f",
            &format!("Range: bytes=9000-\r\nIf-Range: {etag}\r\n"),
        );
        assert_eq!(r.status, 206);
        assert_eq!(r.header("content-range"), Some("bytes 9000-9999/10000"));
        assert_eq!(r.body, &data[9000..]);
        assert_eq!(server.sent("f"), [10_000, 1000]);
        // A stale If-Range, or a server without ranges: the whole file.
        let r = get(
            &server,
            "/dl/f",
            "Range: bytes=9000-\r\nIf-Range: \"old\"\r\n",
        );
        assert_eq!((r.status, r.body.len()), (200, 10_000));
        server.set_etag("f", "\"new\"");
        assert_eq!(get(&server, "/dl/f", "").header("etag"), Some("\"new\""));
        server.set_fault("f", Some(Fault::NoRange));
        let r = get(&server, "/dl/f", "Range: bytes=9000-\r\n");
        assert_eq!((r.status, r.body.len()), (200, 10_000));
        assert_eq!(r.header("accept-ranges"), None);

        server.set_fault("f", Some(Fault::RetryAfter(429, "7".into())));
        let r = get(&server, "/dl/f", "");
        assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
        server.set_fault("f", Some(Fault::Redirect("/dl/f".into())));
        let r = get(&server, "/dl/f", "");
        assert_eq!((r.status, r.header("location")), (302, Some("/dl/f")));
        server.set_fault("f", Some(Fault::WrongLength(20_000)));
        let r = get(&server, "/dl/f", "");
        assert_eq!(r.header("content-length"), Some("20000"));
        assert_eq!(r.body.len(), 10_000);
        server.set_fault("f", Some(Fault::NoLength));
        let r = get(&server, "/dl/f", "");
        assert_eq!((r.header("content-length"), r.body.len()), (None, 10_000));
        let log = server.requests();
        assert_eq!(log.last().unwrap().status, 200);
    }

    #[test]
    fn stall_after_goes_silent_until_stopped() {
        let server = MirrorBuilder::new()
            .bytes("f", vec![1; 5000])
            .fault("f", Fault::StallAfter(100))
            .start();
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.write_all(b"GET /dl/f HTTP/1.1\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        assert_eq!(
            got.len() - end - 4,
            100,
            "silent after 100 bytes, not closed"
        );
        let t = Instant::now();
        drop(server);
        assert!(t.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn drop_is_prompt_with_idle_and_vanished_clients() {
        let server = MirrorBuilder::new().bytes("f", vec![0; 1 << 20]).start();
        let idle = TcpStream::connect(server.addr()).unwrap();
        {
            // Disconnects without reading the response.
            let mut gone = TcpStream::connect(server.addr()).unwrap();
            gone.write_all(b"GET /dl/f HTTP/1.1\r\n\r\n").unwrap();
        }
        let t = Instant::now();
        drop(server);
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        drop(idle);
    }
}
