//! A loopback HTTPS server whose certificate is issued by a throwaway CA, like a
//! TLS-inspecting corporate proxy: clients trust it only when told about that CA
//! (`SSL_CERT_FILE` / `SSL_CERT_DIR`). It serves fixed files ([`TlsServer::start`]) or
//! answers through a handler ([`TlsServer::start_with`]), and logs every request.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::Request;
use crate::routes::Reply;

/// The extra name in the server's certificate, under the `.test` TLD that never resolves
/// (RFC 2606).
pub const PROXIED_HOST: &str = "mirror.gox.test";

/// The real hosts `go` asks for `GOPROXY=direct` (golang.org/toolchain's go-get page, and
/// the module proxy its go-import tag names, go.dev/dl/mod), also in the certificate: a test
/// reaches them only through a [`crate::ConnectProxy`] to this server, trusting its CA.
pub const DIRECT_HOSTS: [&str; 2] = ["golang.org", "go.dev"];

/// Answers a request (see [`TlsServer::start_with`]).
pub type TlsHandler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running HTTPS server on 127.0.0.1; stops on drop.
pub struct TlsServer {
    addr: SocketAddr,
    ca_pem: String,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Request>>>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl TlsServer {
    /// Serves `files` (path without the leading `/` → body; the query is ignored) over HTTPS
    /// with a fresh CA; anything else is 404. Panics when the certificates or the socket
    /// cannot be set up.
    pub fn start(files: Vec<(String, Vec<u8>)>) -> Self {
        let files: HashMap<String, Vec<u8>> = files.into_iter().collect();
        Self::start_with(Arc::new(move |req: &Request| {
            match files.get(req.path.trim_start_matches('/')) {
                Some(body) => Reply::ok(body.clone()),
                None => Reply::Bytes(404, b"not found\n".to_vec()),
            }
        }))
    }

    /// Answers every request with `handler` over HTTPS with a fresh CA (one request per
    /// connection). Panics when the certificates or the socket cannot be set up.
    pub fn start_with(handler: TlsHandler) -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "gox test corporate CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign CA");
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate().expect("leaf key");
        let names = ["localhost", PROXIED_HOST]
            .into_iter()
            .chain(DIRECT_HOSTS)
            .map(str::to_string)
            .collect::<Vec<_>>();
        let mut leaf_params = CertificateParams::new(names).expect("leaf params");
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let leaf = leaf_params
            .signed_by(&leaf_key, &issuer)
            .expect("sign leaf");

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("server certificate");
        let config = Arc::new(config);

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (stop, log) = (Arc::clone(&stop), Arc::clone(&log));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (config, handler, log) =
                        (Arc::clone(&config), Arc::clone(&handler), Arc::clone(&log));
                    std::thread::spawn(move || serve(stream, config, &handler, &log));
                }
            })
        };
        Self {
            addr,
            ca_pem: ca_cert.pem(),
            stop,
            log,
            accept: Some(accept),
        }
    }

    /// Every request read so far (the `host` header says which name the client asked for).
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `https://mirror.gox.test:PORT`: a name no resolver knows, so only a
    /// [`crate::ConnectProxy`] in front of this server reaches it.
    pub fn proxied_url(&self) -> String {
        format!("https://{PROXIED_HOST}:{}", self.addr.port())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The CA certificate (PEM) that issued the server's certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// One request per connection (`Connection: close`); failed handshakes (an untrusting
/// client) just end the connection.
fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    handler: &TlsHandler,
    log: &Mutex<Vec<Request>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut reader = BufReader::new(&mut tls);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut req = Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        status: 0,
        sent: 0,
    };
    let reply = handler(&req).open();
    req.status = reply.status;
    let head_only = req.method == "HEAD";
    log.lock().unwrap_or_else(|e| e.into_inner()).push(req);
    let _ = reply.send(&mut tls, head_only, &AtomicBool::new(false));
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}
