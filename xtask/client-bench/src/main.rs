//! `client-bench`: the generated client (`sgp_evals`) against the same calls hand-written with
//! `reqwest` + `serde_json`, on a loopback server. Spawned by `cargo xtask bench`; every
//! measurement is printed as one JSON line.
//!
//! ```text
//! client-bench serve                                   prints the base URL, serves until killed
//! client-bench requests URL COUNT CONCURRENCY RUNS     GET /v5/datasets/ds_1, both clients, alternating
//!                                                      (`BENCH_ONLY=generated` or `hand-written`: one client, for profiling)
//! client-bench decode URL ITEMS RUNS                   one list page of ITEMS items, both clients
//! client-bench paging URL TOTAL PAGE_SIZE              walks TOTAL items with `.items()`, reports memory
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sgp_evals::types::{Dataset, DatasetItemList};

mod server;

type BoxError = Box<dyn Error + Send + Sync>;

const API_KEY: &str = "bench-key";
const ACCOUNT: &str = "bench-account";
/// The generated crate's manifest: its name and version make the user agent it sends.
const GENERATED_MANIFEST: &str = include_str!("../../../generated-client/Cargo.toml");

/// What the generated client sends as its user agent: `name/version` of the generated crate.
fn generated_user_agent() -> String {
    let value = |key: &str| {
        GENERATED_MANIFEST
            .lines()
            .find_map(|line| {
                line.strip_prefix(key)?
                    .trim()
                    .strip_prefix('=')?
                    .trim()
                    .strip_prefix('"')?
                    .strip_suffix('"')
            })
            .unwrap_or_default()
    };
    format!("{}/{}", value("name"), value("version"))
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match args.as_slice() {
        ["serve"] => runtime.block_on(server::serve())?,
        ["requests", url, count, concurrency, runs] => {
            runtime.block_on(requests(url, count.parse()?, concurrency.parse()?, runs.parse()?))?
        }
        ["decode", url, items, runs] => runtime.block_on(decode(url, items.parse()?, runs.parse()?))?,
        ["paging", url, total, page_size] => runtime.block_on(paging(url, total.parse()?, page_size.parse()?))?,
        _ => return Err("usage: see the comment at the top of xtask/client-bench/src/main.rs".into()),
    }
    Ok(())
}

fn generated(url: &str, total_items: Option<usize>) -> Result<sgp_evals::Client, BoxError> {
    let mut builder = sgp_evals::Client::builder()
        .base_url(url)
        .api_key(API_KEY)
        .account_id(ACCOUNT);
    if let Some(total) = total_items {
        builder = builder.default_header("x-bench-total", &total.to_string());
    }
    Ok(builder.build()?)
}

/// The same calls written by hand: one `reqwest::Client` with the generated client's timeouts,
/// the same request headers (the credentials, the user agent, `accept` and the retry count, so
/// that both clients put the same bytes on the wire and the server does the same work for
/// both), status check, `serde_json` into the generated types.
#[derive(Clone)]
struct HandWritten {
    http: reqwest::Client,
    base_url: String,
    total_items: Option<usize>,
}

impl HandWritten {
    fn new(url: &str, total_items: Option<usize>) -> Result<Self, BoxError> {
        let http = reqwest::Client::builder()
            .user_agent(generated_user_agent())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(HandWritten {
            http,
            base_url: url.to_owned(),
            total_items,
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, BoxError> {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base_url))
            .header("x-api-key", API_KEY)
            .header("x-selected-account-id", ACCOUNT)
            .header("accept", "application/json")
            .header("x-retry-count", "0");
        if let Some(total) = self.total_items {
            request = request.header("x-bench-total", total);
        }
        let response = request.send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(format!("status {status}").into());
        }
        Ok(serde_json::from_slice(&body)?)
    }

    async fn dataset(&self, id: &str) -> Result<Dataset, BoxError> {
        self.get(&format!("/v5/datasets/{id}")).await
    }

    async fn dataset_items(&self, limit: usize) -> Result<DatasetItemList, BoxError> {
        self.get(&format!("/v5/dataset-items?limit={limit}")).await
    }
}

/// Sends `count` requests from `concurrency` tasks; returns the elapsed seconds.
async fn burst<F, Fut>(count: usize, concurrency: usize, call: F) -> Result<f64, BoxError>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Dataset, BoxError>> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..concurrency {
        let share = count / concurrency + usize::from(task < count % concurrency);
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                let dataset = call().await?;
                std::hint::black_box(dataset);
            }
            Ok::<(), BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

async fn requests(url: &str, count: usize, concurrency: usize, runs: usize) -> Result<(), BoxError> {
    let client = generated(url, None)?;
    let hand = HandWritten::new(url, None)?;
    let generated_call = {
        let client = client.clone();
        move || {
            let client = client.clone();
            async move { Ok(client.datasets().retrieve("ds_1").await?) }
        }
    };
    let hand_call = {
        let hand = hand.clone();
        move || {
            let hand = hand.clone();
            async move { hand.dataset("ds_1").await }
        }
    };
    // Warm-up: open the connections, fill the allocator's caches.
    burst(count / 10, concurrency, generated_call.clone()).await?;
    burst(count / 10, concurrency, hand_call.clone()).await?;
    let only = std::env::var("BENCH_ONLY").ok();
    let wanted = |mode: &str| only.as_deref().is_none_or(|only| only == mode);
    for _ in 0..runs {
        // A run sends `count` requests with each client in chunks that take turns (and turns
        // which goes first), so that the machine's drift hits both alike.
        let (mut generated_secs, mut hand_secs) = (0.0, 0.0);
        for chunk in 0..CHUNKS {
            let share = count / CHUNKS + usize::from(chunk < count % CHUNKS);
            for mode in order(chunk) {
                match mode {
                    "generated" if wanted(mode) => {
                        generated_secs += burst(share, concurrency, generated_call.clone()).await?
                    }
                    "hand-written" if wanted(mode) => hand_secs += burst(share, concurrency, hand_call.clone()).await?,
                    _ => {}
                }
            }
        }
        for (mode, secs) in [("generated", generated_secs), ("hand-written", hand_secs)] {
            if wanted(mode) {
                println!(
                    "{{\"kind\":\"requests\",\"mode\":\"{mode}\",\"concurrency\":{concurrency},\"count\":{count},\"secs\":{secs}}}"
                );
            }
        }
    }
    Ok(())
}

/// How many chunks a run of requests is cut into.
const CHUNKS: usize = 10;

fn order(turn: usize) -> [&'static str; 2] {
    if turn % 2 == 0 {
        ["generated", "hand-written"]
    } else {
        ["hand-written", "generated"]
    }
}

async fn decode(url: &str, items: usize, runs: usize) -> Result<(), BoxError> {
    let client = generated(url, Some(items))?;
    let hand = HandWritten::new(url, Some(items))?;
    let limit = i64::try_from(items)?;
    // Warm-up (the server builds and caches the page).
    client.dataset_items().list().limit(limit).await?;
    hand.dataset_items(items).await?;
    for run in 0..runs {
        for mode in order(run) {
            let started = Instant::now();
            let page = match mode {
                "generated" => client.dataset_items().list().limit(limit).await?,
                _ => hand.dataset_items(items).await?,
            };
            let secs = started.elapsed().as_secs_f64();
            if page.items.len() != items {
                return Err(format!("expected {items} items, got {}", page.items.len()).into());
            }
            println!("{{\"kind\":\"decode\",\"mode\":\"{mode}\",\"items\":{items},\"secs\":{secs}}}");
        }
    }
    Ok(())
}

async fn paging(url: &str, total: usize, page_size: usize) -> Result<(), BoxError> {
    let client = generated(url, Some(total))?;
    let before = memory();
    let started = Instant::now();
    let mut stream = Box::pin(client.dataset_items().list().limit(i64::try_from(page_size)?).items());
    let mut seen = 0usize;
    while let Some(item) = stream.next().await {
        let item = item?;
        std::hint::black_box(&item);
        seen += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    drop(stream);
    let after = memory();
    if seen != total {
        return Err(format!("walked {seen} items, expected {total}").into());
    }
    println!(
        "{{\"kind\":\"paging\",\"items\":{seen},\"page_size\":{page_size},\"secs\":{secs},\"rss_before_kb\":{},\"hwm_before_kb\":{},\"rss_after_kb\":{},\"hwm_after_kb\":{}}}",
        before.0, before.1, after.0, after.1
    );
    Ok(())
}

/// `(VmRSS, VmHWM)` of this process in kB, from `/proc/self/status`.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
