//! A loopback HTTP/1.1 server around a handler closure, for servers whose routes are more
//! than `/dl/<name>` (the module proxy and checksum database). Same socket rules as
//! [`crate::MirrorServer`]: one request per connection, a thread per connection, a log.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::server::{Request, read_request, respond_text, send_body, write_head};

/// What a handler answers.
#[derive(Clone, Debug)]
pub enum Reply {
    Bytes(u16, Vec<u8>),
    File(PathBuf),
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::Bytes(200, body.into())
    }

    pub fn status(code: u16) -> Self {
        Reply::Bytes(code, format!("status {code}\n").into_bytes())
    }

    /// The reply with its body opened, ready to [`send`](Opened::send); a file that cannot
    /// be opened is answered 404.
    pub(crate) fn open(self) -> Opened {
        let (status, body, len): (u16, Box<dyn Read>, u64) = match self {
            Reply::Bytes(status, bytes) => {
                let len = bytes.len() as u64;
                (status, Box::new(io::Cursor::new(bytes)), len)
            }
            Reply::File(path) => {
                match File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f))) {
                    Ok((len, f)) => (200, Box::new(f), len),
                    Err(_) => (404, Box::new(&b"not found\n"[..]), 10),
                }
            }
        };
        Opened { status, len, body }
    }
}

/// A [`Reply`] whose status and length are known: what every handler-driven server (this
/// one, [`crate::TlsServer`]) writes back.
pub(crate) struct Opened {
    pub(crate) status: u16,
    len: u64,
    body: Box<dyn Read>,
}

impl Opened {
    /// Writes the head and, unless `head_only` (a HEAD request), the body; stops early once
    /// `stop` is set.
    pub(crate) fn send(
        mut self,
        stream: &mut impl Write,
        head_only: bool,
        stop: &AtomicBool,
    ) -> io::Result<()> {
        let ct = ("Content-Type", "application/octet-stream".to_string());
        write_head(stream, self.status, &[ct], Some(self.len))?;
        if head_only {
            return Ok(());
        }
        send_body(stream, &mut self.body, self.len, stop, &mut 0)
    }
}

pub(crate) type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub(crate) struct RouteServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Request>>>,
    accept: Option<JoinHandle<()>>,
}

impl RouteServer {
    pub(crate) fn start(handler: Handler) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (s, l) = (Arc::clone(&stop), Arc::clone(&log));
        let accept = thread::Builder::new()
            .name(format!("gox-routes-{}", addr.port()))
            .spawn(move || {
                let mut conns: Vec<JoinHandle<()>> = Vec::new();
                for stream in listener.incoming() {
                    if s.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else {
                        thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    conns.retain(|h| !h.is_finished());
                    let (s, l, h) = (Arc::clone(&s), Arc::clone(&l), Arc::clone(&handler));
                    if let Ok(j) = thread::Builder::new().spawn(move || serve(&s, &l, &h, stream)) {
                        conns.push(j);
                    }
                }
                for h in conns {
                    let _ = h.join();
                }
            })
            .expect("spawn server thread");
        RouteServer {
            addr,
            stop,
            log,
            accept: Some(accept),
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for RouteServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).is_ok();
        if let Some(h) = self.accept.take()
            && woke
        {
            let _ = h.join();
        }
    }
}

fn serve(stop: &AtomicBool, log: &Mutex<Vec<Request>>, handler: &Handler, mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let Some(req) = read_request(stop, &mut stream) else {
        let _ = respond_text(&mut stream, 400, "bad request\n");
        return;
    };
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let _ = handler(&req)
        .open()
        .send(&mut stream, req.method == "HEAD", stop);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`Opened::send`] writes for `reply`, as the route and TLS servers send it.
    fn sent(reply: Reply, head_only: bool, stop: bool) -> String {
        let mut out = Vec::new();
        let stop = AtomicBool::new(stop);
        reply.open().send(&mut out, head_only, &stop).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn head(status: &str, len: usize) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    }

    #[test]
    fn replies_go_out_whole_with_their_length() {
        let ok = head("200 OK", 5);
        assert_eq!(sent(Reply::ok("hello"), false, false), format!("{ok}hello"));
        assert_eq!(sent(Reply::ok("hello"), true, false), ok);
        assert_eq!(sent(Reply::ok("hello"), false, true), ok, "stopped");
        assert_eq!(
            sent(Reply::status(503), false, false),
            format!("{}status 503\n", head("503 Service Unavailable", 11))
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("zip");
        std::fs::write(&file, b"PK zip").unwrap();
        assert_eq!(
            sent(Reply::File(file), false, false),
            format!("{}PK zip", head("200 OK", 6))
        );
        assert_eq!(
            sent(Reply::File(dir.path().join("gone")), false, false),
            format!("{}not found\n", head("404 Not Found", 10))
        );
    }

    #[test]
    fn the_route_server_answers_through_its_handler() {
        let server = RouteServer::start(Arc::new(|req: &Request| Reply::ok(req.path.clone())));
        let addr = server.url().trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(b"GET /a/b HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert_eq!(answer, format!("{}/a/b", head("200 OK", 4)));
        assert_eq!(server.requests()[0].path, "/a/b");
    }
}
