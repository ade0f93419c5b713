//! A loopback HTTP proxy that tunnels `CONNECT` requests, like a company's outbound proxy:
//! every tunnel goes to one upstream (a [`crate::TlsServer`]) whatever host was asked for,
//! so a client can use a name that does not resolve (`mirror.gox.test`) and reach it only
//! through the proxy. It can demand `Proxy-Authorization` (Basic), as many such proxies do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A running proxy on 127.0.0.1; stops on drop.
pub struct ConnectProxy {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    /// Tunnels every `CONNECT` to `upstream`. With `credentials` (`user:password`), a request
    /// without that Basic `Proxy-Authorization` gets `407 Proxy Authentication Required`.
    /// Panics when the socket cannot be set up.
    pub fn start(upstream: SocketAddr, credentials: Option<&str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let stop = Arc::new(AtomicBool::new(false));
        let targets = Arc::new(Mutex::new(Vec::new()));
        let expected = credentials.map(|c| format!("basic {}", STANDARD.encode(c)));
        let accept = {
            let (stop, targets) = (Arc::clone(&stop), Arc::clone(&targets));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (targets, expected) = (Arc::clone(&targets), expected.clone());
                    std::thread::spawn(move || {
                        tunnel(stream, upstream, expected.as_deref(), &targets);
                    });
                }
            })
        };
        Self {
            addr,
            targets,
            stop,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for HTTPS_PROXY.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `host:port` of every CONNECT that was let through, in order.
    pub fn tunnels(&self) -> Vec<String> {
        self.targets.lock().expect("proxy log").clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn tunnel(
    client: TcpStream,
    upstream: SocketAddr,
    expected: Option<&str>,
    targets: &Mutex<Vec<String>>,
) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(reader_half) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("proxy-authorization")
                {
                    authorization = Some(value.trim().to_ascii_lowercase());
                }
            }
        }
    }
    let mut client_out = client;
    let mut parts = request_line.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = client_out.write_all(
            b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    if let Some(expected) = expected
        && authorization.as_deref() != Some(&expected.to_ascii_lowercase())
    {
        let _ = client_out.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"gox test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let Ok(server) = TcpStream::connect(upstream) else {
        let _ = client_out.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    targets.lock().expect("proxy log").push(target.to_string());
    if client_out
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    // Bytes the client sent after the request head (the TLS ClientHello, if it did not wait)
    // are in the reader's buffer: they go first.
    let buffered = reader.buffer().to_vec();
    let (Ok(mut server_in), Ok(mut server_out)) = (server.try_clone(), server.try_clone()) else {
        return;
    };
    if server_in.write_all(&buffered).is_err() {
        return;
    }
    let upload = std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader.into_inner(), &mut server_in);
        let _ = server_in.shutdown(Shutdown::Write);
    });
    let _ = copy_until_closed(&mut server_out, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Both);
    let _ = upload.join();
}

fn copy_until_closed(from: &mut TcpStream, to: &mut TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
    }
}
