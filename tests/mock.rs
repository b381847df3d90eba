//! The generated mock server (`sgp_evals::mock`, feature `mock`) driven through our client: typed
//! successes and error bodies, faults and retries, body matchers, call counts checked on drop,
//! requests the API would reject, and the spec's examples answered for every operation.

// Shared with the end-to-end tests, which use more of it.
#[allow(dead_code)]
#[path = "e2e_support/spec.rs"]
mod spec;

use std::time::Duration;

use serde_json::{json, Value};
use sgp_evals::mock::{MockServer, ResponseTemplate, NO_EXAMPLE_STATUS, VIOLATION_STATUS};
use sgp_evals::runtime::{Method, Operation, RecordingClock, ResponseFuture};
use sgp_evals::types::{Dataset, DatasetCreateRequest, ErrorDetail, ErrorResponse};

const DATASET_ID: &str = "dataset_01jc9w2e5r8t1y4v7k0m3p6a9s";
/// The typed expectation's name for a `retrieveDataset` of [`DATASET_ID`], as failures print it.
const RETRIEVE_DATASET: &str =
    "`retrieveDataset` (GET /v5/datasets/{dataset_id}) where dataset_id = \"dataset_01jc9w2e5r8t1y4v7k0m3p6a9s\"";

/// The spec's example of a dataset, typed.
fn dataset() -> Dataset {
    let (_, examples) = spec::response_examples("retrieveDataset", "200");
    serde_json::from_value(examples[0].1.clone()).expect("the example decodes into Dataset")
}

#[tokio::test]
async fn a_typed_success_is_what_the_client_returns() {
    let server = MockServer::start().await;
    server.datasets().retrieve(DATASET_ID).times(1).respond(dataset()).await;
    let got = server.client().datasets().retrieve(DATASET_ID).await.unwrap();
    assert_eq!(got, dataset());
}

/// `send()` returns a named type (`ResponseFuture`), so requests can be kept in a collection and
/// run on other tasks (it is `Send + 'static`); each resolves to its own typed value.
#[tokio::test]
async fn sent_requests_can_be_stored_by_name_and_run_on_other_tasks() {
    let server = MockServer::start().await;
    server.datasets().retrieve(DATASET_ID).times(3).respond(dataset()).await;
    let client = server.client();
    let pending: Vec<ResponseFuture<Dataset>> = (0..3).map(|_| client.datasets().retrieve(DATASET_ID).send()).collect();
    let tasks: Vec<_> = pending.into_iter().map(tokio::spawn).collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), dataset());
    }
}

#[tokio::test]
async fn a_declared_error_status_reaches_the_client_with_its_typed_body() {
    let server = MockServer::start().await;
    let body = ErrorResponse::new().detail(ErrorDetail::String("Dataset not found".into()));
    server.datasets().retrieve(DATASET_ID).respond_404(body.clone()).await;
    let error = server.client().datasets().retrieve(DATASET_ID).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.body_as::<ErrorResponse>(), Some(body));
}

#[tokio::test]
async fn a_rate_limit_fault_is_retried_after_the_servers_wait() {
    let server = MockServer::start().await;
    let clock = RecordingClock::new();
    let client = server.client_builder().clock(clock.clone()).build().unwrap();
    let rate_limited = ResponseTemplate::new(429).insert_header("retry-after", "2");
    let retrieve = || server.datasets().retrieve(DATASET_ID);
    retrieve().up_to_n_times(1).times(1).respond_with(rate_limited).await;
    retrieve().times(1).respond(dataset()).await;
    assert_eq!(client.datasets().retrieve(DATASET_ID).await.unwrap(), dataset());
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn an_unavailable_server_is_retried_until_the_budget_is_spent() {
    let server = MockServer::start().await;
    let client = server.client_builder().clock(RecordingClock::new()).build().unwrap();
    let unavailable = ResponseTemplate::new(503);
    server
        .datasets()
        .retrieve(DATASET_ID)
        .times(2)
        .respond_with(unavailable)
        .await;
    let error = client.datasets().retrieve(DATASET_ID).max_retries(1).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
}

#[tokio::test]
async fn body_matchers_pick_the_request_they_describe() {
    let server = MockServer::start().await;
    let client = server.client();
    let golden = |body: &DatasetCreateRequest| body.name == "golden";
    server
        .datasets()
        .create()
        .body_matching(golden)
        .times(1)
        .respond(dataset())
        .await;
    let exact = DatasetCreateRequest::new("exact", vec![]).description("one");
    server
        .datasets()
        .create()
        .body(exact.clone())
        .times(1)
        .respond(dataset())
        .await;

    client
        .datasets()
        .create(DatasetCreateRequest::new("golden", vec![]))
        .await
        .unwrap();
    client.datasets().create(exact).await.unwrap();
    // Neither matches: nothing answers but wiremock's 404.
    let other = DatasetCreateRequest::new("exact", vec![]).description("two");
    let error = client.datasets().create(other).await.unwrap_err();
    assert_eq!(error.status(), Some(404));
}

/// Runs `test` on a runtime of its own and returns what it panicked with.
fn panic_of(test: impl std::future::Future<Output = ()>) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(test)))
        .expect_err("the test was to fail");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload.downcast::<&str>().map(|m| m.to_string()).unwrap_or_default(),
    }
}

#[test]
fn an_unmet_call_count_fails_on_drop_naming_the_operation_and_what_came() {
    let message = panic_of(async {
        let server = MockServer::start().await;
        server.datasets().retrieve(DATASET_ID).times(1).respond(dataset()).await;
        let _ = server.client().datasets().retrieve("dataset_other").await;
    });
    assert!(message.contains(RETRIEVE_DATASET), "{message}");
    assert!(message.contains("Number of matched incoming requests: 0"), "{message}");
    assert!(message.contains("/v5/datasets/dataset_other"), "{message}");
}

static LIST_DATASETS: Operation = Operation {
    id: "listDatasets",
    method: Method::Get,
    path: "/v5/datasets",
};

static CREATE_DATASET: Operation = Operation {
    id: "createDataset",
    method: Method::Post,
    path: "/v5/datasets",
};

#[tokio::test]
async fn a_request_the_api_would_reject_is_answered_and_reported_with_place_and_reason() {
    let server = MockServer::start().await;
    let runtime = server.client().runtime().clone();

    let error = runtime
        .request(&LIST_DATASETS)
        .query("limit", "many")
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(VIOLATION_STATUS));
    let reason = "GET /v5/datasets (`listDatasets`): query parameter `limit` is `many`, not an integer";
    assert_eq!(error.body_json(), Some(&json!({ "mock_violation": reason })));

    let body = json!({"name": "golden", "data": [{"input": "hi"}, 7]});
    let error = runtime
        .request(&CREATE_DATASET)
        .json(&body)
        .send_bytes()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(VIOLATION_STATUS));

    let violations = server.take_violations();
    assert_eq!(violations.len(), 2, "{violations:#?}");
    assert_eq!(violations[0], reason);
    let body_reason = "POST /v5/datasets (`createDataset`): the body does not decode into `DatasetCreateRequest` at `data[1]`: invalid type: integer `7`, expected a map";
    assert!(violations[1].starts_with(body_reason), "{}", violations[1]);
}

#[test]
fn a_violation_nobody_took_fails_the_test_on_drop() {
    let message = panic_of(async {
        let server = MockServer::start().await;
        let runtime = server.client().runtime().clone();
        let _ = runtime.request(&LIST_DATASETS).query("limitt", "2").send_bytes().await;
    });
    assert!(
        message.contains("received 1 request(s) that the API would reject"),
        "{message}"
    );
    assert!(
        message.contains("GET /v5/datasets (`listDatasets`): unknown query parameter `limitt`"),
        "{message}"
    );
}

/// The first declared 2xx status of an operation, as text.
fn success_status(operation: &spec::Operation) -> String {
    let responses = operation.node["responses"].as_object().expect("responses");
    responses
        .keys()
        .find(|code| code.starts_with('2'))
        .expect("a success status")
        .clone()
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// Every operation of the spec, sent on the wire with the spec's own body example, is answered by
/// `with_examples` with its success status and one of its examples (and passes the spec check).
#[tokio::test]
async fn with_examples_answers_every_operation_from_the_spec() {
    assert_eq!(MockServer::example_problems(), Vec::<String>::new());
    assert_eq!(MockServer::operations_without_examples(), ["retrieveFileContent"]);
    let server = MockServer::with_examples().await;
    let runtime = server.client().runtime().clone();
    let operations = spec::operations();
    assert_eq!(operations.len(), 56);
    for operation in &operations {
        let method = match operation.method.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            other => panic!("{}: method {other}", operation.id),
        };
        let descriptor: &'static Operation = Box::leak(Box::new(Operation {
            id: leak(&operation.id),
            method,
            path: leak(&operation.path),
        }));
        let mut request = runtime.request(descriptor);
        for name in operation
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
        {
            request = request.path_param(name, "id_1");
        }
        if operation.node.get("requestBody").is_some() {
            let (media_type, examples) = spec::request_examples(&operation.id);
            request = match media_type.as_str() {
                "application/json" => request.json(&examples[0].1),
                // Multipart: the check reads only that a body is there.
                other => request.raw_body(other, b"--x--".to_vec()),
            };
        }
        let status = success_status(operation);
        let result = request.send_bytes_with_response().await;
        if operation.id == "retrieveFileContent" {
            let error = result.expect_err("no example: answered with NO_EXAMPLE_STATUS");
            assert_eq!(error.status(), Some(NO_EXAMPLE_STATUS), "{}", operation.id);
            continue;
        }
        let response = result.unwrap_or_else(|e| panic!("{}: {e}", operation.id));
        assert_eq!(response.status.to_string(), status, "{}", operation.id);
        if response.value.is_empty() {
            assert!(
                operation.node["responses"][&status].get("content").is_none(),
                "{}: no body, but the spec gives one",
                operation.id
            );
            continue;
        }
        let body: Value = serde_json::from_slice(&response.value).unwrap();
        let (_, examples) = spec::response_examples(&operation.id, &status);
        assert!(
            examples.iter().any(|(_, example)| *example == body),
            "{}: the answer is none of the spec's examples",
            operation.id
        );
    }
}
