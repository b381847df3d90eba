//! A minimal HTTP/1.1 server with canned responses, on `tokio::net::TcpListener` with
//! keep-alive. It knows two routes:
//!
//! - `GET /v5/datasets/{id}`: one dataset (always the same body);
//! - `GET /v5/dataset-items?limit=L&starting_after=item_K`: items `K+1 ..` of a list of
//!   `x-bench-total` items (header; default 100,000), `has_more` set accordingly. Pages are built
//!   once and cached, so the server's work per request is the same for every client.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DATASET: &str = r#"{"id":"ds_1","object":"dataset","name":"Support golden set","description":"Questions and reference answers for the support bot.","created_at":"2024-11-05T14:02:10Z","created_by":{"id":"6f1c2b8e-3d4a-4f9b-8c7e-1a2b3c4d5e6f","type":"user","object":"identity"},"tags":["support","golden"],"current_version_num":3}"#;

type PageKey = (usize, usize, usize);

#[derive(Default)]
struct Pages {
    cache: Mutex<HashMap<PageKey, Arc<Vec<u8>>>>,
}

/// Binds a loopback port, prints `http://127.0.0.1:PORT` and serves until killed.
pub async fn serve() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("http://{}", listener.local_addr()?);
    let pages = Arc::new(Pages::default());
    loop {
        let (stream, _) = listener.accept().await?;
        let pages = pages.clone();
        tokio::spawn(async move {
            let _ = connection(stream, &pages).await;
        });
    }
}

async fn connection(mut stream: TcpStream, pages: &Pages) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let head_end = loop {
            if let Some(position) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break position + 4;
            }
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let target = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or("/")
            .to_owned();
        let mut content_length = 0;
        let mut total = 100_000;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("x-bench-total") {
                total = value.parse().unwrap_or(total);
            }
        }
        while buffer.len() < head_end + content_length {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..read]);
        }
        buffer.drain(..head_end + content_length);

        let (status, body) = route(&target, total, pages);
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if body.len() < 64 * 1024 {
            let mut response = head.into_bytes();
            response.extend_from_slice(&body);
            stream.write_all(&response).await?;
        } else {
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
    }
}

fn route(target: &str, total: usize, pages: &Pages) -> (&'static str, Arc<Vec<u8>>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path.starts_with("/v5/datasets/") {
        return ("200 OK", Arc::new(DATASET.as_bytes().to_vec()));
    }
    if path == "/v5/dataset-items" {
        let mut limit = 100;
        let mut start = 0;
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("limit", value)) => limit = value.parse().unwrap_or(limit),
                Some(("starting_after", value)) => {
                    start = value.trim_start_matches("item_").parse::<usize>().map_or(0, |k| k + 1);
                }
                _ => {}
            }
        }
        let key = (start, limit, total);
        let cached = pages.cache.lock().unwrap().get(&key).cloned();
        let page = cached.unwrap_or_else(|| {
            let page = Arc::new(page(start, limit, total));
            pages.cache.lock().unwrap().insert(key, page.clone());
            page
        });
        return ("200 OK", page);
    }
    ("404 Not Found", Arc::new(br#"{"detail":"not found"}"#.to_vec()))
}

/// A `DatasetItemList` page of items `start..start + limit` (fewer at the end).
pub fn page(start: usize, limit: usize, total: usize) -> Vec<u8> {
    let end = (start + limit).min(total);
    let mut out = String::with_capacity((end.saturating_sub(start)) * 330 + 100);
    out.push_str(r#"{"object":"list","items":["#);
    for k in start..end {
        if k > start {
            out.push(',');
        }
        out.push_str(&item(k));
    }
    out.push_str(&format!(
        r#"],"total":{total},"has_more":{},"limit":{limit}}}"#,
        end < total
    ));
    out.into_bytes()
}

fn item(k: usize) -> String {
    format!(
        r#"{{"id":"item_{k:07}","object":"dataset.item","content_hash":"sha256:{:016x}{:016x}","created_at":"2024-11-07T05:31:56Z","updated_at":"2024-11-07T05:31:56Z","created_by":{{"id":"6f1c2b8e-3d4a-4f9b-8c7e-1a2b3c4d5e6f","type":"user","object":"identity"}},"data":{{"question":"What is {} + {}?","answer":"{}","difficulty":"easy","tags":["math","arithmetic"]}},"dataset_id":"ds_1"}}"#,
        k.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        k.wrapping_mul(0xc2b2_ae3d_27d4_eb4f),
        k % 97,
        k % 89,
        k % 97 + k % 89
    )
}
