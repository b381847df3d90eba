//! A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that answers canned responses and
//! records the raw requests, for tests that need to see exactly what went over the wire; and the
//! small helpers those tests share.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::runtime::config::{ConfigBuilder, Runtime};

/// A running server; `requests` waits for it to finish and returns what it received.
pub(crate) struct TestServer {
    pub(crate) base_url: String,
    handle: JoinHandle<Vec<String>>,
}

impl TestServer {
    /// The raw requests (head and body, lossily decoded), in arrival order.
    pub(crate) async fn requests(self) -> Vec<String> {
        self.handle.await.unwrap()
    }
}

/// A complete response with a body, closing the connection after it.
pub(crate) fn response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Like [`response`], with extra header lines (each ending in `\r\n`).
pub(crate) fn response_with_headers(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{headers}connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A `307 Temporary Redirect` to `location`.
pub(crate) fn redirect(location: &str) -> String {
    format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
}

/// Serves `responses` in order, one connection each.
pub(crate) async fn serve(responses: Vec<String>) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let mut requests = Vec::new();
        for canned in responses {
            let (mut stream, _) = listener.accept().await.unwrap();
            requests.push(read_request(&mut stream).await);
            stream.write_all(canned.as_bytes()).await.unwrap();
            stream.shutdown().await.unwrap();
        }
        requests
    });
    TestServer { base_url, handle }
}

/// Accepts one connection, reads the request and then holds the connection without answering.
pub(crate) async fn serve_without_answering() -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let request = read_request(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        vec![request]
    });
    TestServer { base_url, handle }
}

/// A base URL on 127.0.0.1 where nothing listens, so connecting is refused.
pub(crate) async fn unused_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// Reads one request: the head, then a `content-length` or chunked body.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let head_end = find(&buffer, b"\r\n\r\n").map(|at| at + 4);
        if let Some(head_end) = head_end {
            let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
            let complete = if head.contains("transfer-encoding: chunked") {
                buffer.ends_with(b"0\r\n\r\n")
            } else {
                buffer.len() >= head_end + content_length(&head)
            };
            if complete {
                return String::from_utf8_lossy(&buffer).into_owned();
            }
        }
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "connection closed mid-request");
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// A runtime with the default settings that talks to `base_url`.
pub(crate) fn runtime(base_url: &str) -> Runtime {
    ConfigBuilder::new(base_url).build(&[]).unwrap()
}

/// The request line (method and target) of a captured request.
pub(crate) fn request_line(request: &str) -> &str {
    request.lines().next().unwrap_or_default()
}
