//! Fault injection through the generated `sgp-evals` client, against servers on 127.0.0.1 only.
//!
//! Each test checks both sides: what the server received (how many attempts, the `x-retry-count`
//! of each, the body) and what the caller got (value or error kind, status, attempts). Retries
//! wait on a `RecordingClock`, so backoff costs no time and the waits themselves are asserted.
//!
//! - Rate limits and server waits: `retry-after` seconds, HTTP date, `retry-after-ms`, and waits
//!   beyond the 60 s cap falling back to backoff.
//! - Retry budget: 503 until retries run out; budgets per client and per request; 408 and 409
//!   retried; JSON, union and multipart bodies sent again in full on every attempt.
//! - The server's `x-should-retry` override, both ways.
//! - Connections reset before the response and during its body (raw TCP server).
//! - File content (raw bytes): retried, handed over byte for byte even when labelled JSON.
//! - Pagination: a page that fails is retried and the walk goes on, the filter body resent.
//! - Timeouts: a response slower than the attempt timeout.
//! - Bodies that do not decode: truncated, malformed, a required field missing.
//! - Forward compatibility: unknown enum values, identity and task types, and fields.
//! - Error bodies: 404 and 422 with `detail`.
//! - Observability: the request span's fields, and the credentials in no trace line and in no
//!   error's `Display`, `Debug` or source chain.
//! - A bounded load test: 1,000 concurrent creates with 10 % injected 503s.

#[path = "faults_support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use serde_json::{json, Value};
use sgp_evals::types::{
    DatasetCreateRequest, ErrorDetail, ErrorResponse, EvaluationFilterRequest, EvaluationStandaloneCreateRequest,
    EvaluationStatus, EvaluationTask, IdentityType, MetadataFilter, MetadataFilterOperator, RestoreRequest,
    ValidationErrorDetailLocItem,
};
use sgp_evals::{Client, ErrorKind, FileUpload};
use support::raw::{RawServer, Step};
use support::trace::TraceRecorder;
use support::{
    assert_backoff, client, counted, creator_json, dataset_json, evaluation_json, received, retry_counts, Sequence,
    ACCOUNT_ID, API_KEY,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const DATASET_PATH: &str = "/v5/datasets/ds_1";

/// A server that answers `GET /v5/datasets/ds_1` with `responses` in order (the last repeats).
async fn dataset_server(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(DATASET_PATH))
        .respond_with(Sequence::new(responses))
        .mount(&server)
        .await;
    server
}

fn ok_dataset() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(dataset_json("ds_1", "golden"))
}

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code)
}

// ------------------------------------------------------------------------------------------------
// Rate limits and server-requested waits
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn rate_limited_with_retry_after_then_ok() {
    let limited = status(429)
        .insert_header("retry-after", "3")
        .set_body_json(json!({"detail": "slow down"}));
    let answered = ok_dataset().insert_header("x-request-id", "req_ok_1");
    let server = dataset_server(vec![limited, answered]).await;
    let (client, clock) = client(&server.uri());

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.value.name, "golden");
    assert_eq!((response.status, response.attempts), (200, 2));
    assert_eq!(response.request_id(), Some("req_ok_1"));
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(clock.sleeps(), [Duration::from_secs(3)]);
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), counted(2));
}

#[tokio::test]
async fn retry_after_ms_is_honoured_before_retry_after() {
    let limited = status(429)
        .insert_header("retry-after-ms", "250")
        .insert_header("retry-after", "9");
    let server = dataset_server(vec![limited, ok_dataset()]).await;
    let (client, clock) = client(&server.uri());

    client.datasets().retrieve("ds_1").await.unwrap();

    assert_eq!(clock.sleeps(), [Duration::from_millis(250)]);
    assert_eq!(retry_counts(&received(&server).await), counted(2));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_measured_from_the_clock() {
    // 2024-05-01T12:00:00Z, a Wednesday.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_564_800);
    let clock = sgp_evals::runtime::RecordingClock::starting_at(now);
    let limited = status(503).insert_header("retry-after", "Wed, 01 May 2024 12:00:07 GMT");
    let server = dataset_server(vec![limited, ok_dataset()]).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(server.uri())
        .clock(clock.clone())
        .build()
        .unwrap();

    client.datasets().retrieve("ds_1").await.unwrap();

    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn retry_after_beyond_60_s_falls_back_to_backoff() {
    let server = dataset_server(vec![
        status(429).insert_header("retry-after", "120"),
        status(429).insert_header("retry-after-ms", "60001"),
        ok_dataset(),
    ])
    .await;
    let (client, clock) = client(&server.uri());

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.attempts, 3);
    assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    assert_eq!(retry_counts(&received(&server).await), counted(3));
}

#[tokio::test]
async fn rate_limited_until_retries_run_out() {
    let server = dataset_server(vec![status(429).insert_header("retry-after", "1")]).await;
    let (client, clock) = client(&server.uri());

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert!(error.is_rate_limited());
    assert!(error.is_retryable(), "a later call may still succeed");
    assert_eq!(error.attempts(), 3);
    assert_eq!(clock.sleeps(), [Duration::from_secs(1); 2]);
}

// ------------------------------------------------------------------------------------------------
// The retry budget
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn service_unavailable_until_retries_run_out() {
    let unavailable = status(503)
        .insert_header("x-request-id", "req_503")
        .set_body_json(json!({"detail": "overloaded"}));
    let server = dataset_server(vec![unavailable]).await;
    let (client, clock) = client(&server.uri());

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.attempts(), 3);
    assert!(error.request_sent());
    assert_eq!(error.request_id(), Some("req_503"));
    let operation = error.operation().unwrap();
    assert_eq!((operation.id, operation.method.as_str()), ("retrieveDataset", "GET"));
    assert_eq!(operation.path, "/v5/datasets/{dataset_id}");
    assert_eq!(error.body_json(), Some(&json!({"detail": "overloaded"})));
    assert_eq!(
        error.to_string(),
        r#"GET /v5/datasets/{dataset_id} (retrieveDataset): status 503 Service Unavailable after 3 attempts (request id req_503): {"detail":"overloaded"}"#
    );
    assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    let requests = received(&server).await;
    assert_eq!(
        retry_counts(&requests),
        counted(3),
        "exactly 3 attempts reached the server"
    );
}

#[tokio::test]
async fn retry_budget_is_set_per_client_and_per_request() {
    let server = dataset_server(vec![status(503)]).await;
    let (default_client, _) = client(&server.uri());
    let clock = sgp_evals::runtime::RecordingClock::new();
    let patient = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(server.uri())
        .clock(clock.clone())
        .max_retries(4)
        .build()
        .unwrap();

    let from_client = patient.datasets().retrieve("ds_1").await.unwrap_err();
    let per_request = patient.datasets().retrieve("ds_1").max_retries(1).await.unwrap_err();
    let disabled = default_client
        .datasets()
        .retrieve("ds_1")
        .max_retries(0)
        .await
        .unwrap_err();

    assert_eq!(
        [from_client.attempts(), per_request.attempts(), disabled.attempts()],
        [5, 2, 1]
    );
    assert_backoff(&clock.sleeps(), &[0.5, 1.0, 2.0, 4.0, 0.5]);
    let requests = received(&server).await;
    let mut expected = counted(5);
    expected.extend(counted(2));
    expected.extend(counted(1));
    assert_eq!(retry_counts(&requests), expected);
}

#[tokio::test]
async fn a_json_body_is_sent_again_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/datasets"))
        .respond_with(Sequence::new(vec![
            status(500),
            status(502),
            ResponseTemplate::new(200).set_body_json(dataset_json("ds_9", "resent")),
        ]))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let row: serde_json::Map<String, Value> = json!({"q": "2+2?"}).as_object().unwrap().clone();

    let created = client
        .datasets()
        .create(DatasetCreateRequest::new("resent", vec![row]))
        .await
        .unwrap();

    assert_eq!(created.id, "ds_9");
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), counted(3));
    for request in &requests {
        let body: Value = request.body_json().unwrap();
        assert_eq!(body, json!({"name": "resent", "data": [{"q": "2+2?"}]}));
    }
}

#[tokio::test]
async fn a_multipart_upload_is_rebuilt_on_every_attempt() {
    let file = json!({
        "id": "file_1", "filename": "rows.csv", "mime_type": "text/csv", "size": 8,
        "md5_checksum": "0", "created_at": "2024-05-01T12:00:00Z", "created_by": creator_json(),
    });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/files"))
        .respond_with(Sequence::new(vec![
            status(503),
            ResponseTemplate::new(200).set_body_json(file),
        ]))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());

    let upload = FileUpload::new("rows.csv", b"a,b\n1,2\n".to_vec()).content_type("text/csv");
    let uploaded = client.files().create(upload).await.unwrap();

    assert_eq!(uploaded.id, "file_1");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let body = String::from_utf8_lossy(&request.body);
        assert!(body.contains("filename=\"rows.csv\""), "{body}");
        assert!(body.contains("Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n"), "{body}");
    }
}

#[tokio::test]
async fn a_union_body_is_sent_whole_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/evaluations"))
        .respond_with(Sequence::new(vec![
            status(500),
            status(503),
            ResponseTemplate::new(200).set_body_json(evaluation_json("eval_1", "nightly")),
        ]))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let row: serde_json::Map<String, Value> = json!({"q": "2+2?"}).as_object().unwrap().clone();

    let created = client
        .evaluations()
        .create(EvaluationStandaloneCreateRequest::new("nightly", vec![row]).tags(vec!["ci".to_owned()]))
        .send_with_response()
        .await
        .unwrap();

    assert_eq!((created.value.id.as_str(), created.attempts), ("eval_1", 3));
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), counted(3));
    for request in &requests {
        let body: Value = request.body_json().unwrap();
        // The member itself is the body: not wrapped in `{"evaluation": …}` or tagged.
        assert_eq!(
            body,
            json!({"name": "nightly", "data": [{"q": "2+2?"}], "tags": ["ci"]})
        );
    }
}

#[tokio::test]
async fn conflict_and_request_timeout_statuses_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(DATASET_PATH))
        .respond_with(Sequence::new(vec![
            status(409).set_body_json(json!({"detail": "dataset is being archived"})),
            status(408),
            ok_dataset(),
        ]))
        .mount(&server)
        .await;
    let (client, clock) = client(&server.uri());

    let restored = client
        .datasets()
        .update("ds_1", RestoreRequest::new(true))
        .send_with_response()
        .await
        .unwrap();

    assert_eq!((restored.value.name.as_str(), restored.attempts), ("golden", 3));
    assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), counted(3));
    for request in &requests {
        assert_eq!(request.body_json::<Value>().unwrap(), json!({"restore": true}));
    }
}

// ------------------------------------------------------------------------------------------------
// The server's `x-should-retry`
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn x_should_retry_false_stops_a_500() {
    let server = dataset_server(vec![status(500).insert_header("x-should-retry", "false")]).await;
    let (client, clock) = client(&server.uri());

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert_eq!((error.status(), error.attempts()), (Some(500), 1));
    assert!(!error.is_retryable());
    assert!(clock.sleeps().is_empty());
    assert_eq!(retry_counts(&received(&server).await), counted(1));
}

#[tokio::test]
async fn x_should_retry_true_retries_a_400() {
    let refused = status(400)
        .insert_header("x-should-retry", "true")
        .set_body_json(json!({"detail": "try again"}));
    let server = dataset_server(vec![refused, ok_dataset()]).await;
    let (client, _) = client(&server.uri());

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.attempts, 2);
    assert_eq!(retry_counts(&received(&server).await), counted(2));
}

// ------------------------------------------------------------------------------------------------
// Connection resets (raw TCP)
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn connection_reset_before_the_response_is_retried() {
    let ok = dataset_json("ds_1", "after resets").to_string();
    let server = RawServer::start(vec![Step::ResetBeforeResponse, Step::ResetBeforeResponse, Step::Ok(ok)]).await;
    let (client, clock) = client(&server.base_url);

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.value.name, "after resets");
    assert_eq!(response.attempts, 3);
    assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    let requests = server.requests();
    let counts: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-retry-count").unwrap_or("-"))
        .collect();
    assert_eq!(counts, ["0", "1", "2"]);
    assert_eq!(server.connections(), 3, "a reset connection is not reused");
}

#[tokio::test]
async fn connection_resets_until_retries_run_out() {
    let server = RawServer::start(vec![Step::ResetBeforeResponse; 3]).await;
    let (client, _) = client(&server.base_url);

    let body = DatasetCreateRequest::new("reset", Vec::new());
    let error = client.datasets().create(body).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.request_sent(), "the request was written before the reset");
    assert!(error.is_retryable());
    assert_eq!(error.attempts(), 3);
    assert!(error
        .to_string()
        .contains("connection failed after 3 attempts, request may have been sent"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let sent: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            sent,
            json!({"name": "reset", "data": []}),
            "the body is sent again in full"
        );
    }
}

#[tokio::test]
async fn connection_reset_during_the_body_is_retried() {
    let ok = dataset_json("ds_1", "whole body").to_string();
    let server = RawServer::start(vec![Step::ResetDuringBody, Step::Ok(ok)]).await;
    let (client, _) = client(&server.base_url);

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.value.name, "whole body");
    assert_eq!(response.attempts, 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn connection_reset_during_the_body_without_retries_is_a_transport_error() {
    let server = RawServer::start(vec![Step::ResetDuringBody]).await;
    let (client, _) = client(&server.base_url);

    let error = client.datasets().retrieve("ds_1").max_retries(0).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.request_sent());
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn refused_connections_are_retried_and_never_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let (client, clock) = client(&format!("http://{address}"));

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Connect);
    assert!(!error.request_sent());
    assert_eq!(error.attempts(), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

// ------------------------------------------------------------------------------------------------
// File content: raw bytes
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn file_content_is_retried_and_handed_over_byte_for_byte() {
    // A file stored as JSON comes back labelled JSON; its content is not for the client to parse
    // (here it is not even valid JSON).
    let content = b"{\"rows\": [1, 2,".to_vec();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/files/file_1/content"))
        .respond_with(Sequence::new(vec![
            status(503),
            ResponseTemplate::new(200).set_body_raw(content.clone(), "application/json"),
        ]))
        .mount(&server)
        .await;
    let (client, clock) = client(&server.uri());

    let response = client
        .files()
        .retrieve_content("file_1")
        .x_project_id("proj_1")
        .send_with_response()
        .await
        .unwrap();

    assert_eq!(response.value, content);
    assert_eq!((response.status, response.attempts), (200, 2));
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(clock.sleeps().len(), 1);
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), counted(2));
    for request in &requests {
        assert_eq!(
            request.headers["x-project-id"], "proj_1",
            "the header is sent on every attempt"
        );
    }
}

#[tokio::test]
async fn a_reset_during_file_content_is_retried() {
    let content = "a,b\n1,2\n".to_owned();
    let server = RawServer::start(vec![Step::ResetDuringBody, Step::Ok(content.clone())]).await;
    let (client, _) = client(&server.base_url);

    let response = client
        .files()
        .retrieve_content("file_1")
        .send_with_response()
        .await
        .unwrap();

    assert_eq!(response.value, content.as_bytes());
    assert_eq!(response.attempts, 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].head.starts_with("GET /v5/files/file_1/content "),
        "{}",
        requests[1].head
    );
}

// ------------------------------------------------------------------------------------------------
// Pagination under faults
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_rate_limited_page_is_retried_and_the_walk_goes_on() {
    let page = |ids: &[&str], has_more: bool| {
        let items: Vec<Value> = ids.iter().map(|id| evaluation_json(id, id)).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "items": items, "total": 3, "has_more": has_more, "limit": 2,
        }))
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/evaluations/filter"))
        .and(query_param("starting_after", "eval_2"))
        .respond_with(Sequence::new(vec![
            status(429).insert_header("retry-after", "1"),
            page(&["eval_3"], false),
        ]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v5/evaluations/filter"))
        .respond_with(page(&["eval_1", "eval_2"], true))
        .mount(&server)
        .await;
    let (client, clock) = client(&server.uri());
    let filters =
        EvaluationFilterRequest::new(vec![MetadataFilter::new("team", MetadataFilterOperator::Eq, "support")]);

    let walked: Vec<String> = client
        .evaluations()
        .filter(filters)
        .limit(2)
        .items()
        .map(|item| item.unwrap().id)
        .collect()
        .await;

    assert_eq!(walked, ["eval_1", "eval_2", "eval_3"]);
    assert_eq!(clock.sleeps(), [Duration::from_secs(1)]);
    let requests = received(&server).await;
    assert_eq!(retry_counts(&requests), ["0", "0", "1"]);
    let cursors: Vec<Option<String>> = requests
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "starting_after")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(cursors, [None, Some("eval_2".to_owned()), Some("eval_2".to_owned())]);
    let filter_body =
        json!({"filters": [{"object": "metadata_filter", "key": "team", "operator": "==", "value": "support"}]});
    for request in &requests {
        assert_eq!(
            request.body_json::<Value>().unwrap(),
            filter_body,
            "every page and attempt repeats the filters"
        );
        assert!(request.url.query().unwrap_or_default().contains("limit=2"));
    }
}

// ------------------------------------------------------------------------------------------------
// Timeouts
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_retried_then_fails() {
    let server = dataset_server(vec![ok_dataset().set_delay(Duration::from_secs(3))]).await;
    let (client, clock) = client(&server.uri());
    let started = Instant::now();

    let error = client
        .datasets()
        .retrieve("ds_1")
        .timeout(Duration::from_millis(150))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.is_timeout() && error.is_retryable());
    assert!(error.request_sent());
    assert_eq!(error.attempts(), 3);
    assert_eq!(
        error.to_string(),
        "GET /v5/datasets/{dataset_id} (retrieveDataset): timed out after 3 attempts, request may have been sent"
    );
    assert_eq!(clock.sleeps().len(), 2);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(retry_counts(&received(&server).await), counted(3));
}

#[tokio::test]
async fn a_client_timeout_applies_to_each_attempt() {
    let slow = ok_dataset().set_delay(Duration::from_secs(3));
    let server = dataset_server(vec![slow, ok_dataset()]).await;
    let clock = sgp_evals::runtime::RecordingClock::new();
    let client = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(server.uri())
        .clock(clock)
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();

    let response = client.datasets().retrieve("ds_1").send_with_response().await.unwrap();

    assert_eq!(response.attempts, 2);
    assert_eq!(retry_counts(&received(&server).await), counted(2));
}

// ------------------------------------------------------------------------------------------------
// Bodies that do not decode, and forward compatibility
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_not_retried() {
    let full = dataset_json("ds_1", "cut").to_string();
    let truncated = full[..full.len() / 2].to_owned();
    let server = RawServer::start(vec![Step::Ok(truncated.clone())]).await;
    let (client, clock) = client(&server.base_url);

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert!(!error.is_retryable());
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.status(), Some(200));
    assert_eq!(error.body_text(), Some(truncated.as_str()));
    assert!(
        error.to_string().contains(&format!("body starts: {truncated}")),
        "{error}"
    );
    assert!(clock.sleeps().is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = dataset_server(vec![
        ResponseTemplate::new(200).set_body_raw(b"{\"id\": ds_1}".to_vec(), "application/json")
    ])
    .await;
    let (client, _) = client(&server.uri());

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.attempts(), 1);
    assert!(error.to_string().ends_with("; body starts: {\"id\": ds_1}"), "{error}");
    assert_eq!(received(&server).await.len(), 1);
}

/// A page of datasets whose second item has gone through `damage`.
async fn datasets_page_server(damage: impl FnOnce(&mut Value)) -> MockServer {
    let mut second = dataset_json("ds_2", "second");
    damage(&mut second);
    let page = json!({"items": [dataset_json("ds_1", "first"), second], "total": 2, "has_more": false});
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/datasets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_missing_required_field_is_named_by_its_path() {
    let server = datasets_page_server(|second| {
        second.as_object_mut().unwrap().remove("created_by");
    })
    .await;
    let (client, _) = client(&server.uri());

    let error = client.datasets().list().await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.decode_path(), Some("items[1].created_by"));
    assert!(
        error
            .to_string()
            .contains("could not decode response at `items[1].created_by`: missing field"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_field_inside_the_creator_object_is_named_by_its_full_path() {
    let server = datasets_page_server(|second| {
        second["created_by"].as_object_mut().unwrap().remove("type");
    })
    .await;
    let (client, _) = client(&server.uri());

    let error = client.datasets().list().await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.decode_path(), Some("items[1].created_by.type"));
    assert!(
        error
            .to_string()
            .contains("could not decode response at `items[1].created_by.type`: missing field `type`"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_enum_values_task_types_and_fields_decode() {
    let mut dataset = dataset_json("ds_1", "golden");
    dataset["row_count"] = json!(120);
    let agent_task = json!({"task_type": "agent_run", "alias": "agent", "configuration": {"max_steps": 8}});
    let evaluation = json!({
        "id": "eval_1",
        "object": "evaluation",
        "name": "nightly",
        "created_at": "2024-05-01T12:00:00Z",
        "created_by": {"id": "robot_7", "type": "robot", "object": "identity"},
        "tags": [],
        "datasets": [dataset],
        "status": "paused",
        "tasks": [agent_task],
        "progress": {"workflows": {"completed": 1, "failed": 0, "pending": 0, "total": 1, "queued": 0}},
        "priority": "high",
    });
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/evaluations/eval_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(evaluation))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());

    let decoded = client.evaluations().retrieve("eval_1").await.unwrap();

    assert_eq!(decoded.status, EvaluationStatus::Unknown("paused".to_owned()));
    assert_eq!(decoded.status.as_str(), "paused");
    let described = match &decoded.status {
        EvaluationStatus::Completed => "done",
        // The enums are `#[non_exhaustive]`: a wildcard arm keeps this match compiling when a
        // later version adds a status.
        _ => "other",
    };
    assert_eq!(described, "other");
    assert_eq!(
        decoded.tasks.as_deref(),
        Some(&[EvaluationTask::Unknown(agent_task)][..])
    );
    assert_eq!(decoded.created_by.id, "robot_7");
    assert_eq!(decoded.created_by.r#type, IdentityType::Unknown("robot".to_owned()));
    let workflows = decoded.progress.and_then(|progress| progress.workflows).unwrap();
    assert_eq!((workflows.completed, workflows.total), (1, 1));
    assert_eq!(decoded.datasets.unwrap()[0].name, "golden");
}

// ------------------------------------------------------------------------------------------------
// Error bodies
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn not_found_with_a_detail_is_not_retried() {
    let server = dataset_server(vec![status(404).set_body_json(json!({"detail": "Dataset not found"}))]).await;
    let (client, clock) = client(&server.uri());

    let error = client.datasets().retrieve("ds_1").await.unwrap_err();

    assert!(error.is_not_found());
    assert!(!error.is_retryable());
    assert_eq!(error.attempts(), 1);
    assert_eq!(error.operation_id(), Some("retrieveDataset"));
    let typed: ErrorResponse = error.body_as().unwrap();
    assert_eq!(typed.detail, Some(ErrorDetail::String("Dataset not found".to_owned())));
    assert!(clock.sleeps().is_empty());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn validation_error_detail_list_is_typed() {
    let body = json!({"detail": [{"loc": ["body", "data", 0], "msg": "field required", "type": "missing"}]});
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/datasets"))
        .respond_with(status(422).set_body_json(&body))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());

    let error = client
        .datasets()
        .create(DatasetCreateRequest::new("bad", Vec::new()))
        .await
        .unwrap_err();

    assert_eq!((error.status(), error.attempts()), (Some(422), 1));
    assert!(!error.is_retryable());
    assert_eq!(error.body_json(), Some(&body));
    let Some(ErrorDetail::ValidationErrorDetailList(details)) = error.body_as::<ErrorResponse>().unwrap().detail else {
        panic!("a validation detail list: {error}")
    };
    assert_eq!(details[0].msg, "field required");
    assert_eq!(details[0].loc[2], ValidationErrorDetailLocItem::Integer(0));
    let shown = error.to_string();
    assert!(
        shown.starts_with("POST /v5/datasets (createDataset): status 422 Unprocessable Entity: "),
        "{shown}"
    );
    assert!(!shown.contains('\n'));
    assert_eq!(received(&server).await.len(), 1);
}

// ------------------------------------------------------------------------------------------------
// Observability and sharing
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_request_span_records_each_attempt_and_never_the_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/datasets"))
        .respond_with(Sequence::new(vec![
            status(503),
            ResponseTemplate::new(200).set_body_json(dataset_json("ds_1", "traced")),
        ]))
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let recorder = TraceRecorder::global();

    let created = client
        .datasets()
        .create(DatasetCreateRequest::new("traced", Vec::new()))
        .await;

    assert_eq!(created.unwrap().name, "traced");
    // A current-thread runtime: everything this request traced happened on this thread.
    let lines = recorder.lines_of_this_thread();
    let all = lines.join("\n");
    let span = lines
        .iter()
        .find(|line| line.contains(" request operation="))
        .unwrap_or_else(|| panic!("no request span in:\n{all}"));
    assert!(
        span.ends_with(r#" request operation="createDataset" method="POST" path="/v5/datasets""#),
        "{span}"
    );
    // `new_span <id> request …`: the span's own field updates are `record <id> …` lines.
    let id = span.split(' ').nth(1).unwrap();
    let recorded: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.strip_prefix(&format!("record {id} ")))
        .collect();
    let recorded = recorded.join(" ");
    for field in ["attempt=1", "attempt=2", "status=503", "status=200", "latency_ms="] {
        assert!(
            recorded.contains(field),
            "span field `{field}` missing from `{recorded}`"
        );
    }
    for event in [
        "attempt failed attempt=1 status=503",
        "retrying attempt=1 wait_ms=",
        "attempt succeeded attempt=2 status=200",
    ] {
        assert!(all.contains(event), "`{event}` missing from:\n{all}");
    }
    // Every test in this binary uses the same credentials; none may be in any line traced so far.
    let everything = recorder.all_lines().join("\n");
    for secret in [API_KEY, ACCOUNT_ID] {
        assert!(
            !everything.contains(secret),
            "a credential leaked into the trace:\n{everything}"
        );
    }
}

/// `text` contains neither credential.
fn assert_no_credential(what: &str, text: &str) {
    for secret in [API_KEY, ACCOUNT_ID] {
        assert!(!text.contains(secret), "a credential leaked into {what}: {text}");
    }
}

#[tokio::test]
async fn no_error_from_a_fault_shows_a_credential() {
    let failing = dataset_server(vec![status(503).set_body_json(json!({"detail": "overloaded"}))]).await;
    let garbled = dataset_server(vec![
        ResponseTemplate::new(200).set_body_raw(b"{\"id\": ds_1}".to_vec(), "application/json")
    ])
    .await;
    let slow = dataset_server(vec![ok_dataset().set_delay(Duration::from_secs(3))]).await;
    let resetting = RawServer::start(vec![Step::ResetDuringBody]).await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{address}")
    };
    let fail = |base_url: String| async move {
        let (client, _) = client(&base_url);
        let request = client.datasets().retrieve("ds_1").max_retries(0);
        assert_no_credential("a request builder's Debug", &format!("{request:?}"));
        request.timeout(Duration::from_millis(150)).await.unwrap_err()
    };

    let errors = [
        fail(failing.uri()).await,
        fail(garbled.uri()).await,
        fail(slow.uri()).await,
        fail(resetting.base_url.clone()).await,
        fail(refused).await,
    ];

    let kinds: Vec<ErrorKind> = errors.iter().map(|error| error.kind()).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Status,
            ErrorKind::Decode,
            ErrorKind::Timeout,
            ErrorKind::Transport,
            ErrorKind::Connect
        ]
    );
    for error in &errors {
        assert_no_credential("an error's Display", &error.to_string());
        assert_no_credential("an error's Debug", &format!("{error:?}"));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_no_credential("an error's source", &format!("{cause} / {cause:?}"));
            source = cause.source();
        }
    }
    // The credentials were on the wire, so there was something to leak.
    let sent = &received(&failing).await[0];
    assert_eq!(sent.headers["x-api-key"], API_KEY);
    assert_eq!(sent.headers["x-selected-account-id"], ACCOUNT_ID);
    let (client, _) = client(&failing.uri());
    assert_no_credential("the client's Debug", &format!("{client:?}"));
}

#[test]
fn client_and_builders_are_clone_send_sync() {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn sendable<T: Send + Sync + 'static>() {}
    shared::<Client>();
    shared::<sgp_evals::datasets::CreateDatasetBuilder>();
    shared::<sgp_evals::Response<sgp_evals::types::Dataset>>();
    sendable::<sgp_evals::Error>();
}

#[tokio::test]
async fn clones_share_one_connection_pool() {
    let ok = || Step::Ok(dataset_json("ds_1", "pooled").to_string());
    let server = RawServer::start(vec![ok(), ok(), ok()]).await;
    let (client, _) = client(&server.base_url);
    let clone = client.clone();

    client.datasets().retrieve("ds_1").await.unwrap();
    clone.datasets().retrieve("ds_1").await.unwrap();
    client.clone().datasets().retrieve("ds_1").await.unwrap();

    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        server.connections(),
        1,
        "every clone reused the one kept-alive connection"
    );
}

// ------------------------------------------------------------------------------------------------
// Load
// ------------------------------------------------------------------------------------------------

/// Answers dataset creates; every 10th first attempt (counted by the server) gets a 503 before
/// anything is created, every other attempt creates the dataset named in the body.
#[derive(Clone, Default)]
struct FlakyCreates(Arc<CreateCounts>);

#[derive(Default)]
struct CreateCounts {
    first_attempts: AtomicUsize,
    attempts: AtomicUsize,
    injected: AtomicUsize,
    created: Mutex<BTreeMap<String, u32>>,
}

impl Respond for FlakyCreates {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let counts = &self.0;
        counts.attempts.fetch_add(1, Ordering::SeqCst);
        let first_attempt = request.headers.get("x-retry-count").is_some_and(|v| v == "0");
        if first_attempt && counts.first_attempts.fetch_add(1, Ordering::SeqCst) % 10 == 9 {
            counts.injected.fetch_add(1, Ordering::SeqCst);
            return status(503).set_body_json(json!({"detail": "injected"}));
        }
        let Ok(body) = request.body_json::<Value>() else {
            return status(400);
        };
        let name = body["name"].as_str().unwrap_or_default().to_owned();
        *counts.created.lock().unwrap().entry(name.clone()).or_default() += 1;
        ResponseTemplate::new(200).set_body_json(dataset_json(&format!("ds_{name}"), &name))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_with_injected_503s_each_succeed_once() {
    const REQUESTS: usize = 1_000;
    let responder = FlakyCreates::default();
    let counts = responder.0.clone();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v5/datasets"))
        .respond_with(responder)
        .mount(&server)
        .await;
    let (client, clock) = client(&server.uri());
    let started = Instant::now();

    let tasks: Vec<_> = (0..REQUESTS)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                let name = format!("load-{n:04}");
                let body = DatasetCreateRequest::new(name.clone(), Vec::new());
                (name, client.datasets().create(body).send_with_response().await)
            })
        })
        .collect();
    // The 1,000 joins run in a task of their own. Awaiting them here would spend this task's
    // tokio coop budget, and `MockServer`'s `Drop` blocks on a tokio lock: with no budget left,
    // that lock never becomes ready and the drop spins forever.
    let outcomes = tokio::spawn(async move {
        let mut outcomes = Vec::with_capacity(REQUESTS);
        for task in tasks {
            outcomes.push(task.await.expect("the request task does not panic"));
        }
        outcomes
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();

    let mut retried = 0;
    for (name, result) in outcomes {
        let response = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.value.name, name);
        retried += usize::from(response.attempts > 1);
    }

    let created = counts.created.lock().unwrap().clone();
    assert_eq!(created.len(), REQUESTS, "every logical request was created");
    assert!(created.values().all(|&n| n == 1), "none was created twice");
    assert_eq!(counts.injected.load(Ordering::SeqCst), REQUESTS / 10);
    assert_eq!(counts.attempts.load(Ordering::SeqCst), REQUESTS + REQUESTS / 10);
    assert_eq!(retried, REQUESTS / 10, "each injected 503 cost its request one retry");
    assert_eq!(clock.sleeps().len(), REQUESTS / 10);
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}
