//! Helpers of the fault-injection suite: a client whose retries wait on a recording clock,
//! wiremock responders that serve scripted sequences, and (in [`raw`]) a TCP server that can
//! reset connections.

pub mod raw;
pub mod trace;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use sgp_evals::runtime::RecordingClock;
use sgp_evals::Client;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The API key every client here uses; it must never show up in traces or messages.
pub const API_KEY: &str = "sk-faults-secret-0123";
/// The account id every client here uses.
pub const ACCOUNT_ID: &str = "acct_faults_0001";

/// A client for `base_url` whose retries wait on the returned recording clock (so they take no
/// time), with the default retry budget and timeouts.
pub fn client(base_url: &str) -> (Client, RecordingClock) {
    let clock = RecordingClock::new();
    let client = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(base_url)
        .clock(clock.clone())
        .build()
        .expect("the test client builds");
    (client, clock)
}

/// Who created the entities served here, as the API writes it (`created_by`).
pub fn creator_json() -> Value {
    json!({"id": "user_1", "type": "user", "object": "identity"})
}

/// A dataset as the API returns it.
pub fn dataset_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "object": "dataset",
        "name": name,
        "created_at": "2024-05-01T12:00:00Z",
        "created_by": creator_json(),
        "tags": [],
        "current_version_num": 1,
    })
}

/// An evaluation as the API returns it (no datasets, no tasks).
pub fn evaluation_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "object": "evaluation",
        "name": name,
        "status": "completed",
        "created_at": "2024-05-01T12:00:00Z",
        "created_by": creator_json(),
        "tags": [],
        "datasets": [],
    })
}

/// Serves the responses in order, one per request, repeating the last one; counts requests.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    served: AtomicUsize,
}

impl Sequence {
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        assert!(!responses.is_empty(), "a sequence needs at least one response");
        Sequence {
            responses,
            served: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let index = self.served.fetch_add(1, Ordering::SeqCst);
        self.responses[index.min(self.responses.len() - 1)].clone()
    }
}

/// Every request the server received, in arrival order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on")
}

/// The `x-retry-count` header of each request (`-` when absent).
pub fn retry_counts(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|request| {
            let value = request.headers.get("x-retry-count");
            value.and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
        })
        .collect()
}

/// `["0", "1", …]` for `attempts` attempts.
pub fn counted(attempts: usize) -> Vec<String> {
    (0..attempts).map(|n| n.to_string()).collect()
}

/// Each recorded sleep is the expected backoff (in seconds) times a jitter factor in [0.75, 1].
pub fn assert_backoff(sleeps: &[Duration], expected_secs: &[f64]) {
    assert_eq!(sleeps.len(), expected_secs.len(), "sleeps: {sleeps:?}");
    for (sleep, base) in sleeps.iter().zip(expected_secs) {
        let secs = sleep.as_secs_f64();
        assert!(
            (base * 0.75..=*base).contains(&secs),
            "{sleep:?} is not {base} s with jitter (all sleeps: {sleeps:?})"
        );
    }
}
