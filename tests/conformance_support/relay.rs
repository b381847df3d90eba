//! A recording HTTP/1.1 relay on 127.0.0.1 between the client under test and Prism.
//!
//! The generated client returns typed results, not response headers, but Prism reports what it
//! found wrong with a request in the `sl-violations` response header. The relay passes every
//! request through unchanged (one request per connection, `Connection: close`) and keeps each
//! exchange, so the harness can inspect Prism's status and headers per call. It handles what the
//! client sends: a head and a `Content-Length` body (JSON or multipart); a chunked request is
//! answered with 502 and recorded as a relay failure.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// One request as sent and Prism's answer to it.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    /// 0 when the relay itself failed (see `relay_error`).
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
    pub relay_error: Option<String>,
}

impl Exchange {
    /// The first value of a response header (name compared case-insensitively).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        header(&self.response_headers, name)
    }

    /// The first value of a request header (name compared case-insensitively).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request_headers, name)
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The raw query pairs, split at `&` and the first `=` (not percent-decoded).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let Some((_, query)) = self.target.split_once('?') else {
            return Vec::new();
        };
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_string(), value.to_string())
            })
            .collect()
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A running relay; dropping it stops accepting connections.
pub struct Relay {
    addr: SocketAddr,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Relay {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`.
    pub fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay on 127.0.0.1");
        let addr = listener.local_addr().expect("relay address");
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let exchanges = Arc::clone(&exchanges);
            let stopping = Arc::clone(&stopping);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let exchanges = Arc::clone(&exchanges);
                    thread::spawn(move || relay_one(stream, upstream, &exchanges));
                }
            })
        };
        Relay {
            addr,
            exchanges,
            stopping,
            acceptor: Some(acceptor),
        }
    }

    /// The base URL to point a client at.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The exchanges recorded since the last call, in the order they completed.
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor up so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Relays one request of `client` to `upstream` and the answer back; never panics. The exchange
/// is recorded before the answer goes back, so it is there once the client has its response.
fn relay_one(mut client: TcpStream, upstream: SocketAddr, exchanges: &Mutex<Vec<Exchange>>) {
    let mut exchange = Exchange {
        method: String::new(),
        target: String::new(),
        request_headers: Vec::new(),
        request_body: Vec::new(),
        status: 0,
        response_headers: Vec::new(),
        response_body: Vec::new(),
        relay_error: None,
    };
    let answer = match try_relay(&mut client, upstream, &mut exchange) {
        Ok(answer) => answer,
        Err(error) => {
            exchange.relay_error = Some(error.to_string());
            b"HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n".to_vec()
        }
    };
    exchanges.lock().unwrap_or_else(|e| e.into_inner()).push(exchange);
    let _ = client.write_all(&answer);
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Both);
}

/// Forwards the request, fills in `exchange` and returns the bytes to answer the client with.
fn try_relay(client: &mut TcpStream, upstream: SocketAddr, exchange: &mut Exchange) -> io::Result<Vec<u8>> {
    client.set_read_timeout(Some(IO_TIMEOUT))?;
    let (head, mut body) = read_head(client)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut parts = request_line.split(' ');
    exchange.method = parts.next().unwrap_or_default().to_string();
    exchange.target = parts.next().unwrap_or_default().to_string();
    exchange.request_headers = parse_headers(lines);
    if exchange.request_header("transfer-encoding").is_some() {
        return Err(io::Error::other(
            "chunked request bodies are not supported by the relay",
        ));
    }
    let length: usize = exchange
        .request_header("content-length")
        .map(|v| v.trim().parse().map_err(|_| io::Error::other("bad content-length")))
        .transpose()?
        .unwrap_or(0);
    while body.len() < length {
        let mut chunk = vec![0; length - body.len()];
        let read = client.read(&mut chunk)?;
        if read == 0 {
            return Err(io::Error::other("the client closed the connection mid-body"));
        }
        body.extend_from_slice(&chunk[..read]);
    }
    exchange.request_body = body;

    let mut upstream = TcpStream::connect(upstream)?;
    upstream.set_read_timeout(Some(IO_TIMEOUT))?;
    upstream.write_all(&rewrite_head(&request_line, &exchange.request_headers))?;
    upstream.write_all(&exchange.request_body)?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response)?;

    let split = find(&response, b"\r\n\r\n").ok_or_else(|| io::Error::other("Prism's response has no head"))?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    exchange.status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line `{status_line}`")))?;
    exchange.response_headers = parse_headers(lines);
    exchange.response_body = response[split + 4..].to_vec();
    if exchange.response_header("transfer-encoding").is_some() {
        exchange.response_body = dechunk(&exchange.response_body)?;
    }
    // Prism closed the connection after its answer, so the body is complete; send it back
    // with a plain length.
    let kept: Vec<(String, String)> = exchange
        .response_headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("transfer-encoding") && !n.eq_ignore_ascii_case("content-length"))
        .cloned()
        .chain([("content-length".to_string(), exchange.response_body.len().to_string())])
        .collect();
    let mut answer = rewrite_head(&status_line, &kept);
    answer.extend_from_slice(&exchange.response_body);
    Ok(answer)
}

/// Reads up to the blank line after the head; returns the head and whatever body bytes came
/// with it.
fn read_head(stream: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 8192];
    loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            return Ok((head, buffer[end + 4..].to_vec()));
        }
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            return Err(io::Error::other("the connection closed before a complete request head"));
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect()
}

/// The start line and headers with `Connection: close` instead of any connection handling.
fn rewrite_head(start_line: &str, headers: &[(String, String)]) -> Vec<u8> {
    let mut head = format!("{start_line}\r\n");
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("connection: close\r\n\r\n");
    head.into_bytes()
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(raw, b"\r\n").ok_or_else(|| io::Error::other("bad chunk"))?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim().to_string();
        let size = usize::from_str_radix(&size_text, 16).map_err(|_| io::Error::other("bad chunk size"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if raw.len() < size + 2 {
            return Err(io::Error::other("truncated chunk"));
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}
