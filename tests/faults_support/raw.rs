//! A raw HTTP/1.1 server on 127.0.0.1 for faults wiremock cannot produce: connections reset
//! (TCP RST) before the response or in the middle of its body. It follows a script, one step per
//! request received, keeps connections alive between complete responses, and records what it
//! received and how many connections were opened.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// Reads the request, then resets the connection without answering.
    ResetBeforeResponse,
    /// Sends the status line, headers and the start of a longer body, then resets.
    ResetDuringBody,
    /// Answers `200 OK` with exactly this body (valid JSON or not) and keeps the connection open.
    Ok(String),
}

/// A running server.
pub struct RawServer {
    pub base_url: String,
    state: Arc<State>,
}

struct State {
    script: Mutex<VecDeque<Step>>,
    requests: Mutex<Vec<ReceivedRequest>>,
    connections: AtomicUsize,
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct ReceivedRequest {
    /// The request line and headers, with header names in lower case.
    pub head: String,
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key == name).then(|| value.trim())
        })
    }
}

impl RawServer {
    /// Starts serving `script`; a request after the script ends gets its connection closed.
    pub async fn start(script: Vec<Step>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let state = Arc::new(State {
            script: Mutex::new(script.into()),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
        });
        let accepting = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve_connection(stream, accepting.clone()));
            }
        });
        RawServer { base_url, state }
    }

    /// The requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

async fn serve_connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        state.requests.lock().unwrap().push(request);
        let step = state.script.lock().unwrap().pop_front();
        match step {
            Some(Step::Ok(body)) => {
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
            Some(Step::ResetBeforeResponse) => return reset(stream),
            Some(Step::ResetDuringBody) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n";
                let _ = stream.write_all(format!("{head}{{\"id\":\"ds_").as_bytes()).await;
                let _ = stream.flush().await;
                // Let the client read the head, so that the failure happens while reading the body.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return reset(stream);
            }
            None => return,
        }
    }
}

/// Closes with a TCP RST instead of a FIN: a zero linger time makes `close` abort the connection.
fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .expect("set SO_LINGER");
    drop(stream);
}

/// Reads one request (head and `content-length` body) from `stream`, keeping extra bytes in
/// `buffer` for the next one; `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<ReceivedRequest> {
    let mut chunk = [0_u8; 8192];
    loop {
        if let Some(head_end) = find(buffer, b"\r\n\r\n").map(|at| at + 4) {
            let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
            let head = lowercase_header_names(&head);
            let length = content_length(&head);
            if buffer.len() >= head_end + length {
                let body = buffer[head_end..head_end + length].to_vec();
                buffer.drain(..head_end + length);
                return Some(ReceivedRequest { head, body });
            }
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn lowercase_header_names(head: &str) -> String {
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line.to_owned(),
        });
    std::iter::once(request_line)
        .chain(headers)
        .collect::<Vec<_>>()
        .join("\n")
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
