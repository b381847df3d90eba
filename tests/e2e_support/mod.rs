//! Shared helpers of the end-to-end tests: a wiremock server on 127.0.0.1 with a client pointed at
//! it, the spec's examples, JSON normalization, and assertions on the request the client sent.

pub mod spec;

use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sgp_evals::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

/// The API key every test client uses; it must never show up in `Debug` or `Display` output.
pub const API_KEY: &str = "sk-test-secret";
/// The account id every test client uses.
pub const ACCOUNT_ID: &str = "acct_e2e_0001";

/// The generated mock server and a client whose base URL is that server. The mock checks every
/// request against the spec (an operation's method and path, its parameters, its body's type), so
/// each test also proves that the client sends only what the API accepts.
pub struct Harness {
    mock: sgp_evals::mock::MockServer,
    pub client: Client,
}

impl Harness {
    pub async fn start() -> Self {
        let mock = sgp_evals::mock::MockServer::start().await;
        if let Some(requests) = RECORDING.with(|recording| recording.borrow().clone()) {
            record_every_request(mock.wiremock(), requests).await;
        }
        let client = Client::builder()
            .api_key(API_KEY)
            .account_id(ACCOUNT_ID)
            .base_url(mock.uri())
            .build()
            .expect("the test client builds");
        Harness { mock, client }
    }

    /// The wiremock server under the mock, where the tests mount their raw expectations.
    pub fn server(&self) -> &MockServer {
        self.mock.wiremock()
    }

    /// Expects exactly one `method path` request (any query) and answers it with `response`.
    /// A request to another method or path gets wiremock's 404, so the call under test fails.
    pub async fn expect_call(&self, http_method: &str, exact_path: &str, response: ResponseTemplate) {
        Mock::given(method(http_method))
            .and(path(exact_path))
            .respond_with(response)
            .expect(1)
            .named(format!("{http_method} {exact_path}"))
            .mount(self.server())
            .await;
    }

    /// Checks the mounted expectations and returns the one request the server received.
    pub async fn the_request(&self) -> Request {
        self.mock.verify().await;
        let mut requests = self.received().await;
        assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:#?}");
        requests.remove(0)
    }

    /// Every request the server received so far.
    pub async fn received(&self) -> Vec<Request> {
        self.server()
            .received_requests()
            .await
            .expect("request recording is on")
    }
}

/// One request as it arrived: method (upper case) and raw path.
pub type Received = (String, String);

thread_local! {
    /// Set by [`recording_requests`]: every harness started on this thread records into it.
    static RECORDING: RefCell<Option<Arc<Mutex<Vec<Received>>>>> = const { RefCell::new(None) };
}

/// Runs `body` and returns every request that the servers of the harnesses it started on this
/// thread received, in order of arrival per server. `#[tokio::test]` functions run their body on
/// the calling thread (a current-thread runtime), so calling one inside `body` records its requests.
pub fn recording_requests(body: impl FnOnce()) -> Vec<Received> {
    let requests = Arc::new(Mutex::new(Vec::new()));
    RECORDING.with(|recording| *recording.borrow_mut() = Some(Arc::clone(&requests)));
    body();
    RECORDING.with(|recording| recording.borrow_mut().take());
    let received = requests.lock().unwrap().clone();
    received
}

/// Mounts a mock that sees every request first (priority 1) and never matches, so the mocks of
/// the test answer as before while `requests` gets each one.
async fn record_every_request(server: &MockServer, requests: Arc<Mutex<Vec<Received>>>) {
    Mock::given(Recorder(requests))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .named("request recorder (never matches)")
        .mount(server)
        .await;
}

struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Match for Recorder {
    fn matches(&self, request: &Request) -> bool {
        let received = (request.method.as_str().to_string(), request.url.path().to_string());
        self.0.lock().unwrap().push(received);
        false
    }
}

/// A 200 response with `body` as JSON.
pub fn json_response(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The optional header of the Files operations; a request must carry it only when the call set it.
pub const PROJECT_HEADER: &str = "x-project-id";

/// What one operation call must put on the wire, apart from the body.
pub struct Expect {
    operation_id: &'static str,
    path: String,
    query: Option<String>,
    project_id: Option<String>,
    status: u16,
}

impl Expect {
    /// A call of `operation_id` that must request exactly `path` (raw, percent-encoded) with no
    /// query string.
    pub fn new(operation_id: &'static str, path: impl Into<String>) -> Self {
        Expect {
            operation_id,
            path: path.into(),
            query: None,
            project_id: None,
            status: 200,
        }
    }

    /// The `x-project-id` header the call must send (without it, the header must be absent).
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.to_string());
        self
    }

    /// The success status whose response examples are served (200 unless set).
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The raw query string the call must send (pairs in any order, each exactly as given).
    pub fn query(mut self, query: &str) -> Self {
        self.query = Some(query.to_string());
        self
    }

    /// The spec's method for the operation, after checking that the path fits its template.
    fn checked_method(&self) -> String {
        let op = spec::operation(self.operation_id);
        assert!(
            spec::fits_template(&self.path, &op.path),
            "{}: path `{}` does not fit the spec's template `{}`",
            self.operation_id,
            self.path,
            op.path
        );
        op.method
    }
}

/// Runs a body-less operation once per success-response example of the spec (status 200 unless
/// [`Expect::status`] says otherwise): serves the example, checks the request (method, path,
/// query, credentials, `x-project-id`, no body) and that the decoded result serializes back to
/// the example.
pub async fn check<T, F, Fut>(expect: Expect, call: F)
where
    T: Serialize,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let http_method = expect.checked_method();
    let (media_type, responses) = spec::response_examples(expect.operation_id, &expect.status.to_string());
    assert_eq!(media_type, "application/json");
    for (name, example) in responses {
        let context = format!("{} (response example `{name}`)", expect.operation_id);
        let harness = Harness::start().await;
        let response = ResponseTemplate::new(expect.status).set_body_json(&example);
        harness.expect_call(&http_method, &expect.path, response).await;
        let result = call(harness.client.clone())
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        let request = harness.the_request().await;
        assert_request(&request, &http_method, &expect, None, &context);
        assert_json_eq(&to_json(&result), &example, &context);
    }
}

/// Like [`check`] for an operation with a JSON body: every request example of the spec is
/// decoded into the typed body `B`, sent, and must arrive as the same JSON; request and response
/// examples are paired round-robin so that every example of both is used.
pub async fn check_with_body<B, T, F, Fut>(expect: Expect, call: F)
where
    B: DeserializeOwned + Serialize,
    T: Serialize,
    F: Fn(Client, B) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let http_method = expect.checked_method();
    let (request_type, requests) = spec::request_examples(expect.operation_id);
    assert_eq!(request_type, "application/json");
    let (response_type, responses) = spec::response_examples(expect.operation_id, &expect.status.to_string());
    assert_eq!(response_type, "application/json");
    for round in 0..requests.len().max(responses.len()) {
        let (request_name, request_example) = &requests[round % requests.len()];
        let (response_name, response_example) = &responses[round % responses.len()];
        let context = format!(
            "{} (request example `{request_name}`, response example `{response_name}`)",
            expect.operation_id
        );
        let body: B = serde_json::from_value(request_example.clone())
            .unwrap_or_else(|e| panic!("{context}: the request example does not decode into the body type: {e}"));
        assert_json_eq(&to_json(&body), request_example, &format!("{context}, typed body"));

        let harness = Harness::start().await;
        let response = ResponseTemplate::new(expect.status).set_body_json(response_example);
        harness.expect_call(&http_method, &expect.path, response).await;
        let result = call(harness.client.clone(), body)
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        let request = harness.the_request().await;
        assert_request(&request, &http_method, &expect, Some(request_example), &context);
        assert_json_eq(&to_json(&result), response_example, &context);
    }
}

/// Checks method, raw path, query, credential and project headers and body of a received
/// request. With `json_body` the request must carry `content-type: application/json` and that
/// JSON (and no `null` the example does not have); without it, no body and no content type.
pub fn assert_request(request: &Request, http_method: &str, expect: &Expect, json_body: Option<&Value>, context: &str) {
    assert_eq!(request.method.as_str(), http_method, "{context}: method");
    assert_eq!(request.url.path(), expect.path, "{context}: path");
    assert_query(request, expect.query.as_deref(), context);
    assert_credentials(request, context);
    assert_project_id(request, expect.project_id.as_deref(), context);
    match json_body {
        Some(expected) => {
            assert_header(request, "content-type", "application/json", context);
            let sent: Value = serde_json::from_slice(&request.body)
                .unwrap_or_else(|e| panic!("{context}: the request body is not JSON: {e}"));
            assert!(
                has_null(expected) || !has_null(&sent),
                "{context}: the client sent a null the example does not have: {sent}"
            );
            assert_json_eq(&sent, expected, &format!("{context}, request body on the wire"));
        }
        None => {
            assert!(
                request.body.is_empty(),
                "{context}: unexpected body {:?}",
                String::from_utf8_lossy(&request.body)
            );
            assert!(
                request.headers.get("content-type").is_none(),
                "{context}: content-type without a body"
            );
        }
    }
}

/// The raw query string must be `expected` up to the order of its `&`-separated pairs; `None`
/// means no `?` at all.
pub fn assert_query(request: &Request, expected: Option<&str>, context: &str) {
    let pairs = |query: Option<&str>| {
        let mut pairs: Vec<String> = query
            .map(|q| q.split('&').map(String::from).collect())
            .unwrap_or_default();
        pairs.sort();
        pairs
    };
    let sent = request.url.query();
    assert_eq!(
        pairs(sent),
        pairs(expected),
        "{context}: query string `{}`",
        sent.unwrap_or("<none>")
    );
    assert_eq!(sent.is_some(), expected.is_some(), "{context}: `?` present");
}

/// The `x-project-id` header: exactly once with this value, or absent.
pub fn assert_project_id(request: &Request, expected: Option<&str>, context: &str) {
    match expected {
        Some(project_id) => assert_header(request, PROJECT_HEADER, project_id, context),
        None => assert!(
            request.headers.get(PROJECT_HEADER).is_none(),
            "{context}: `{PROJECT_HEADER}` sent although the call did not set it"
        ),
    }
}

/// Both credential headers, each exactly once.
pub fn assert_credentials(request: &Request, context: &str) {
    assert_header(request, "x-api-key", API_KEY, context);
    assert_header(request, "x-selected-account-id", ACCOUNT_ID, context);
}

/// The header is present exactly once with this value.
pub fn assert_header(request: &Request, name: &str, value: &str, context: &str) {
    let values: Vec<_> = request.headers.get_all(name).iter().collect();
    assert_eq!(values.len(), 1, "{context}: header `{name}`: {values:?}");
    assert_eq!(values[0].to_str().ok(), Some(value), "{context}: header `{name}`");
}

pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("generated types serialize")
}

/// The form in which two JSON documents are compared.
///
/// Two differences do not change the meaning and are erased:
/// - an object key whose value is `null` is dropped, because the generated types model optional
///   nullable fields as `Option` skipped when `None`, so an example's `"archived_at": null` comes
///   back absent (the API treats absent and null alike for these fields);
/// - every number becomes an `f64`, because a number field typed `f64` in Rust serializes the
///   example's `123` as `123.0`, and JSON does not tell the two apart.
///
/// Everything else (strings, booleans, array order and length, non-null keys) must match.
pub fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Number(number) => Value::from(number.as_f64().expect("a JSON number fits an f64")),
        other => other,
    }
}

/// Compares modulo [`normalize`]; on a mismatch names the first differing path.
#[track_caller]
pub fn assert_json_eq(actual: &Value, expected: &Value, context: &str) {
    let (actual, expected) = (normalize(actual.clone()), normalize(expected.clone()));
    if actual != expected {
        panic!(
            "{context}: JSON differs at {}\nactual:   {actual}\nexpected: {expected}",
            first_difference(&actual, &expected, "$")
        );
    }
}

fn first_difference(actual: &Value, expected: &Value, at: &str) -> String {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for key in a.keys().chain(e.keys()) {
                match (a.get(key), e.get(key)) {
                    (Some(x), Some(y)) if x == y => {}
                    (Some(x), Some(y)) => return first_difference(x, y, &format!("{at}.{key}")),
                    (x, y) => return format!("{at}.{key} ({x:?} vs {y:?})"),
                }
            }
            at.to_string()
        }
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]")))
            .unwrap_or_else(|| at.to_string()),
        _ => format!("{at} ({actual} vs {expected})"),
    }
}

/// Whether `null` occurs anywhere in `value`.
pub fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().any(has_null),
        Value::Array(items) => items.iter().any(has_null),
        _ => false,
    }
}

/// One part of a `multipart/form-data` body.
pub struct Part {
    /// Header lines as written, e.g. `Content-Disposition: form-data; name="file"`.
    pub headers: Vec<String>,
    pub body: Vec<u8>,
}

/// Splits a `multipart/form-data` request body into its parts (enough of RFC 7578 for a body
/// whose content does not contain the boundary).
pub fn multipart_parts(request: &Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .expect("a content-type header");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {content_type}"));
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body;
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(offset) = find(&body[at..], &delimiter) {
        starts.push(at + offset);
        at += offset + delimiter.len();
    }
    assert!(
        starts.len() >= 2,
        "no complete part in {:?}",
        String::from_utf8_lossy(body)
    );
    let last = *starts.last().unwrap();
    assert_eq!(&body[last + delimiter.len()..], b"--\r\n", "closing delimiter");
    starts
        .windows(2)
        .map(|pair| {
            let chunk = &body[pair[0] + delimiter.len()..pair[1]];
            let chunk = chunk.strip_prefix(b"\r\n").expect("CRLF after the delimiter");
            let chunk = chunk.strip_suffix(b"\r\n").expect("CRLF before the next delimiter");
            let split = find(chunk, b"\r\n\r\n").expect("a blank line after the part headers");
            let headers = String::from_utf8(chunk[..split].to_vec()).expect("ASCII part headers");
            Part {
                headers: headers.split("\r\n").map(String::from).collect(),
                body: chunk[split + 4..].to_vec(),
            }
        })
        .collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The request body of the "Create Evaluation" docs page (seed era), copied verbatim from its curl
/// example. Still a valid standalone create body today.
pub fn docs_page_request() -> Value {
    serde_json::from_str(include_str!("docs_page/create_evaluation_request.json")).unwrap()
}

/// A today-shaped response to the docs page's request. NOT copied from the docs page: the page's
/// seed-era response names its creator `created_by_user_id`, which today's API replaced by the
/// required `created_by` identity object. This fixture keeps the page's placeholder style
/// (`"<string>"`, `123`, one instant) and was derived by hand from the SDK scale-gp-beta 0.7.0
/// models `Evaluation`, `Dataset`, `Identity` and `EvaluationTasksProgressSchema`: the page's
/// fields with `created_by` for `created_by_user_id`, plus 0.7.0's `metadata`, `error_count`,
/// `status_reason` and `progress`.
pub fn docs_page_response_today() -> Value {
    serde_json::from_str(include_str!("docs_page/create_evaluation_response_today.json")).unwrap()
}
