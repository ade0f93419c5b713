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

use crate::server::{Request, read_request, respond_text, write_head};

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
                    if let Ok(j) = thread::Builder::new().spawn(move || serve(&s, &l, &h, stream))
                    {
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
    log.lock().unwrap_or_else(|e| e.into_inner()).push(req.clone());
    let _ = answer(stop, &req, handler(&req), &mut stream);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

fn answer(stop: &AtomicBool, req: &Request, reply: Reply, stream: &mut TcpStream) -> io::Result<()> {
    let ct = ("Content-Type", "application/octet-stream".to_string());
    let (status, mut body, len): (u16, Box<dyn Read>, u64) = match reply {
        Reply::Bytes(status, bytes) => {
            let len = bytes.len() as u64;
            (status, Box::new(io::Cursor::new(bytes)), len)
        }
        Reply::File(path) => match File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f))) {
            Ok((len, f)) => (200, Box::new(f), len),
            Err(_) => return respond_text(stream, 404, "not found\n"),
        },
    };
    write_head(stream, status, &[ct], Some(len))?;
    if req.method == "HEAD" {
        return Ok(());
    }
    let mut buf = vec![0u8; 64 * 1024];
    while !stop.load(Ordering::SeqCst) {
        let n = body.read(&mut buf)?;
        if n == 0 {
            break;
        }
        stream.write_all(&buf[..n])?;
    }
    Ok(())
}
