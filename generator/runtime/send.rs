//! Sending one checked request: attempts until one succeeds or [`retry::decide`] says stop.
//!
//! Every attempt is built afresh from the [`PreparedRequest`] (the JSON bytes are reused, a
//! multipart form is rebuilt), carries the [`RETRY_COUNT_HEADER`], and runs inside one `request`
//! tracing span that records the operation, method, path template, attempt, status and latency.
//! Header values are never logged, so credentials stay out of traces.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::runtime::config::Runtime;
use crate::runtime::decode;
use crate::runtime::error::Error;
use crate::runtime::multipart::MultipartForm;
use crate::runtime::operation::Operation;
use crate::runtime::options::Effective;
use crate::runtime::response::Response;
use crate::runtime::retry::{self, RetryDecision, RETRY_COUNT_HEADER};

/// Sends a checked request inside its tracing span until an attempt succeeds or the retry
/// policy says stop.
pub(crate) async fn send(prepared: PreparedRequest) -> Result<RawResponse, Error> {
    let span = request_span(prepared.operation);
    send_with_retries(&prepared, &span).instrument(span.clone()).await
}

/// A checked request that can be sent, and sent again.
pub(crate) struct PreparedRequest {
    pub(crate) runtime: Runtime,
    pub(crate) operation: &'static Operation,
    pub(crate) url: reqwest::Url,
    /// The headers set on this request (the runtime's defaults are added per attempt).
    pub(crate) headers: HeaderMap,
    /// The `accept` header to send unless `headers` has one.
    pub(crate) accept: Option<HeaderValue>,
    pub(crate) body: RequestBody,
    /// The timeout and retry policy after precedence.
    pub(crate) effective: Effective,
}

impl PreparedRequest {
    /// The headers of one attempt, built in one map of the right size: the runtime's defaults,
    /// replaced by this request's own (every value of a name it sets), then `accept`, the JSON
    /// content type unless a header already set one, and the retry count.
    fn attempt_headers(&self, retries_taken: u32) -> HeaderMap {
        let defaults = self.runtime.headers();
        let mut headers = HeaderMap::with_capacity(defaults.len() + self.headers.len() + 3);
        for (name, value) in defaults {
            headers.append(name, value.clone());
        }
        for name in self.headers.keys() {
            let mut values = self.headers.get_all(name).iter();
            if let Some(first) = values.next() {
                headers.insert(name, first.clone());
            }
            for value in values {
                headers.append(name, value.clone());
            }
        }
        if let Some(accept) = &self.accept {
            if !self.headers.contains_key(ACCEPT) {
                headers.insert(ACCEPT, accept.clone());
            }
        }
        if matches!(self.body, RequestBody::Json(_)) {
            headers
                .entry(CONTENT_TYPE)
                .or_insert(HeaderValue::from_static("application/json"));
        }
        headers.insert(HeaderName::from_static(RETRY_COUNT_HEADER), retry_count(retries_taken));
        headers
    }
}

/// The retry-count header's value; the usual small counts without an allocation.
fn retry_count(retries_taken: u32) -> HeaderValue {
    const SMALL: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match SMALL.get(retries_taken as usize) {
        Some(text) => HeaderValue::from_static(text),
        None => HeaderValue::from(retries_taken),
    }
}

/// The request body, kept as data so that a later retry can send it again.
#[derive(Clone, Debug)]
pub(crate) enum RequestBody {
    Empty,
    Json(Vec<u8>),
    Multipart(MultipartForm),
    /// Bytes sent as they are, with their content type (form bodies, text, binary uploads).
    Raw {
        content_type: HeaderValue,
        bytes: Vec<u8>,
    },
}

/// A 2xx response with its body read.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// The body as `reqwest` read it (not copied into a `Vec` unless asked).
    pub(crate) body: Box<dyn Body>,
    /// Attempts it took, counting this one.
    pub(crate) attempts: u32,
}

impl RawResponse {
    /// Decodes the body as JSON; a failure counts the attempts and says the request was sent.
    pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static Operation,
    ) -> Result<T, Error> {
        decode::decode_json(operation, self.status, self.body.bytes())
            .map_err(|error| error.after_attempts(self.attempts, true))
    }

    /// The response with `value` in place of its body.
    pub(crate) fn with_value<T>(self, value: T) -> Response<T> {
        Response::new(value, self.status, self.headers, self.attempts)
    }

    /// The response with its body as bytes.
    pub(crate) fn into_bytes(self) -> Response<Vec<u8>> {
        Response::new(self.body.into_vec(), self.status, self.headers, self.attempts)
    }
}

/// A response body: readable in place, or turned into a `Vec` (without a copy where possible).
pub(crate) trait Body: Send + Sync {
    fn bytes(&self) -> &[u8];
    fn into_vec(self: Box<Self>) -> Vec<u8>;
}

impl<B: AsRef<[u8]> + Into<Vec<u8>> + Send + Sync> Body for B {
    fn bytes(&self) -> &[u8] {
        self.as_ref()
    }

    fn into_vec(self: Box<Self>) -> Vec<u8> {
        (*self).into()
    }
}

/// The span every attempt of one request runs in; `attempt`, `status` and `latency_ms` are
/// filled in as attempts finish (the last attempt's values stay).
fn request_span(operation: &'static Operation) -> Span {
    tracing::info_span!(
        "request",
        operation = operation.id,
        method = operation.method.as_str(),
        path = operation.path,
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
    )
}

/// Sends attempts until one succeeds or [`retry::decide`] says stop, waiting on the runtime's
/// clock in between. The returned error is the last attempt's, with the number of attempts and
/// whether any attempt may have reached the server.
async fn send_with_retries(prepared: &PreparedRequest, span: &Span) -> Result<RawResponse, Error> {
    let clock = prepared.runtime.clock();
    let mut sent_earlier = false;
    let mut retries_taken = 0;
    loop {
        let attempt = retries_taken + 1;
        span.record("attempt", attempt);
        let started = Instant::now();
        let result = send_attempt(prepared, retries_taken).await;
        record_attempt(span, attempt, started.elapsed(), &result);
        let error = match result {
            Ok(response) => {
                return Ok(RawResponse {
                    attempts: attempt,
                    ..response
                })
            }
            Err(error) => error,
        };
        let policy = &prepared.effective.retry;
        let decision = retry::decide(
            policy,
            error.outcome(),
            retries_taken,
            clock.now(),
            retry::random_draw(),
        );
        let RetryDecision::RetryAfter(wait) = decision else {
            return Err(error.after_attempts(attempt, sent_earlier));
        };
        tracing::info!(attempt, wait_ms = millis(wait), error = %error, "retrying");
        sent_earlier |= error.request_sent();
        clock.sleep(wait).await;
        retries_taken += 1;
    }
}

/// Records a finished attempt on the request span and as a debug event.
fn record_attempt(span: &Span, attempt: u32, latency: Duration, result: &Result<RawResponse, Error>) {
    let latency_ms = millis(latency);
    span.record("latency_ms", latency_ms);
    match result {
        Ok(response) => {
            span.record("status", response.status);
            tracing::debug!(attempt, status = response.status, latency_ms, "attempt succeeded");
        }
        Err(error) => {
            if let Some(status) = error.status() {
                span.record("status", status);
            }
            let kind = error.kind().as_str();
            tracing::debug!(
                attempt,
                status = error.status(),
                error_kind = kind,
                latency_ms,
                "attempt failed"
            );
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Sends one attempt: builds the `reqwest` request, sends it, reads the whole body, and turns a
/// non-2xx status into a `Status` error.
async fn send_attempt(prepared: &PreparedRequest, retries_taken: u32) -> Result<RawResponse, Error> {
    let operation = prepared.operation;
    let client = prepared.runtime.client();
    let mut request = reqwest::Request::new(operation.method.to_reqwest(), prepared.url.clone());
    let mut headers = prepared.attempt_headers(retries_taken);
    match &prepared.body {
        RequestBody::Empty => {}
        RequestBody::Json(bytes) => *request.body_mut() = Some(bytes.clone().into()),
        RequestBody::Multipart(form) => {
            // The form sets its own content type (with the boundary) and body.
            let built = client
                .request(request.method().clone(), request.url().clone())
                .multipart(form.to_reqwest(operation)?)
                .build()
                .map_err(|source| Error::transport(operation, source))?;
            request = built;
            for (name, value) in request.headers() {
                headers.append(name, value.clone());
            }
        }
        RequestBody::Raw { content_type, bytes } => {
            headers.append(CONTENT_TYPE, content_type.clone());
            *request.body_mut() = Some(bytes.clone().into());
        }
    }
    // Set as a whole rather than merged in by `RequestBuilder::headers`, which re-inserts each one.
    *request.headers_mut() = headers;
    *request.timeout_mut() = prepared.effective.attempt_timeout;

    let mut response = client
        .execute(request)
        .await
        .map_err(|source| Error::transport(operation, source))?;
    let status = response.status();
    // Taken, not cloned: only the body is read from the response after this.
    let headers = std::mem::take(response.headers_mut());
    let body = response
        .bytes()
        .await
        .map_err(|source| Error::transport(operation, source))?;
    if !status.is_success() {
        return Err(Error::status_error(operation, status.as_u16(), headers, &body));
    }
    Ok(RawResponse {
        status: status.as_u16(),
        headers,
        body: Box::new(body),
        attempts: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::clock::RecordingClock;
    use crate::runtime::config::ConfigBuilder;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::multipart::FileUpload;
    use crate::runtime::operation::Method;
    use crate::runtime::options::RequestOptions;
    use crate::runtime::retry::BACKOFF_JITTER;
    use crate::runtime::test_server::{self, request_line, response, runtime};
    use std::error::Error as _;

    static GET: Operation = Operation {
        id: "getWidget",
        method: Method::Get,
        path: "/v1/widgets/{widget_id}",
    };
    static LIST: Operation = Operation {
        id: "listWidgets",
        method: Method::Get,
        path: "/v1/widgets",
    };
    static CREATE: Operation = Operation {
        id: "createWidget",
        method: Method::Post,
        path: "/v1/widgets",
    };
    static UPLOAD: Operation = Operation {
        id: "uploadFile",
        method: Method::Post,
        path: "/v5/files",
    };

    #[test]
    fn retry_count_is_the_number_of_retries_taken() {
        for retries_taken in (0..20).chain([123, u32::MAX]) {
            assert_eq!(retry_count(retries_taken), retries_taken.to_string().as_str());
        }
    }

    #[tokio::test]
    async fn explicit_content_type_is_kept() {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let _ = runtime(&server.base_url)
            .request(&CREATE)
            .header("Content-Type", "application/merge-patch+json")
            .json(&serde_json::json!({"a": null}))
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        let request = &server.requests().await[0];
        assert!(
            request.contains("\r\ncontent-type: application/merge-patch+json\r\n"),
            "{request}"
        );
        assert!(!request.contains("content-type: application/json"), "{request}");
    }

    #[tokio::test]
    async fn non_success_status_is_a_status_error() {
        let body = r#"{"detail":[{"loc":["body","name"],"msg":"field required"}]}"#;
        let server = test_server::serve(vec![response("422 Unprocessable Entity", body)]).await;
        let error = runtime(&server.base_url)
            .request(&CREATE)
            .json(&serde_json::json!({}))
            .send_json::<serde_json::Value>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Status);
        assert_eq!(error.status(), Some(422));
        assert_eq!(error.body_text(), Some(body));
        assert_eq!(error.body_json().unwrap()["detail"][0]["msg"], "field required");
        assert_eq!(
            error.to_string(),
            format!("POST /v1/widgets (createWidget): status 422 Unprocessable Entity: {body}")
        );
    }

    #[tokio::test]
    async fn refused_connection_is_a_connect_error() {
        let base_url = test_server::unused_base_url().await;
        let error = runtime(&base_url)
            .request(&LIST)
            .options(RequestOptions::new().max_retries(0))
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Connect);
        assert!(!error.request_sent());
        assert_eq!(error.attempts(), 1);
        let shown = error.to_string();
        assert!(
            shown.starts_with("GET /v1/widgets (listWidgets): could not connect, request not sent: "),
            "{shown}"
        );
        assert!(error.source().is_some());
        assert!(!shown.contains("127.0.0.1"), "{shown}");
    }

    #[tokio::test]
    async fn refused_connections_are_retried_with_backoff() {
        let base_url = test_server::unused_base_url().await;
        let (runtime, clock) = recording_runtime(ConfigBuilder::new(&base_url));
        let error = runtime.request(&LIST).send_bytes().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Connect);
        assert_eq!(error.attempts(), 3);
        assert!(!error.request_sent(), "no attempt connected");
        let shown = error.to_string();
        assert!(
            shown.starts_with("GET /v1/widgets (listWidgets): could not connect after 3 attempts, request not sent: "),
            "{shown}"
        );
        assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    }

    #[tokio::test]
    async fn slow_response_is_a_timeout_after_sending() {
        let server = test_server::serve_without_answering().await;
        let error = ConfigBuilder::new(&server.base_url)
            .timeout(Duration::from_millis(200))
            .max_retries(0)
            .build(&[])
            .unwrap()
            .request(&GET)
            .path_param("widget_id", "e1")
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(error.is_timeout());
        assert!(error.request_sent());
        assert_eq!(
            error.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): timed out, request may have been sent"
        );
    }

    #[tokio::test]
    async fn a_request_timeout_wins_over_the_client_timeout() {
        let server = test_server::serve_without_answering().await;
        let started = std::time::Instant::now();
        let error = ConfigBuilder::new(&server.base_url)
            .timeout(Duration::from_secs(30))
            .build(&[])
            .unwrap()
            .request(&LIST)
            .options(RequestOptions::new().timeout(Duration::from_millis(100)).max_retries(0))
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn retries_resend_the_json_body_with_a_retry_count() {
        let server = test_server::serve(vec![
            response("503 Service Unavailable", r#"{"detail":"busy"}"#),
            response("500 Internal Server Error", ""),
            response("201 Created", r#"{"id":"w_1"}"#),
        ])
        .await;
        let (runtime, clock) = recording_runtime(ConfigBuilder::new(&server.base_url));
        let response = runtime
            .request(&CREATE)
            .json(&serde_json::json!({"name": "first"}))
            .send_json_with_response::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(response.value["id"], "w_1");
        assert_eq!((response.status, response.attempts), (201, 3));
        let requests = server.requests().await;
        for (retry_count, request) in requests.iter().enumerate() {
            assert_eq!(request_line(request), "POST /v1/widgets HTTP/1.1");
            assert!(
                request.contains(&format!("\r\nx-retry-count: {retry_count}\r\n")),
                "{request}"
            );
            assert!(request.ends_with("\r\n\r\n{\"name\":\"first\"}"), "{request}");
        }
        assert_backoff(&clock.sleeps(), &[0.5, 1.0]);
    }

    #[tokio::test]
    async fn multipart_bodies_are_rebuilt_for_each_attempt() {
        let server = test_server::serve(vec![response("502 Bad Gateway", ""), response("200 OK", "{}")]).await;
        let (runtime, _clock) = recording_runtime(ConfigBuilder::new(&server.base_url));
        let form = MultipartForm::new()
            .text("purpose", "import")
            .file("file", FileUpload::new("rows.csv", b"a,b\n1,2\n".to_vec()));
        let _ = runtime
            .request(&UPLOAD)
            .multipart(form)
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        let requests = server.requests().await;
        assert_eq!(requests.len(), 2);
        for request in &requests {
            assert!(request.contains("name=\"purpose\"\r\n\r\nimport\r\n"), "{request}");
            assert!(request.contains("filename=\"rows.csv\""), "{request}");
            assert!(request.contains("\r\n\r\na,b\n1,2\n\r\n"), "{request}");
        }
    }

    #[tokio::test]
    async fn request_options_override_the_client_retry_budget() {
        let server = test_server::serve(vec![response("429 Too Many Requests", ""), response("200 OK", "{}")]).await;
        let (runtime, clock) = recording_runtime(ConfigBuilder::new(&server.base_url).max_retries(0));
        let response = runtime
            .request(&LIST)
            .options(RequestOptions::new().max_retries(1))
            .send_bytes_with_response()
            .await
            .unwrap();
        assert_eq!(response.attempts, 2);
        assert_eq!(clock.sleeps().len(), 1);
        assert_eq!(server.requests().await.len(), 2);
    }

    #[tokio::test]
    async fn client_retry_budget_of_zero_sends_once() {
        let server = test_server::serve(vec![response("503 Service Unavailable", "")]).await;
        let (runtime, clock) = recording_runtime(ConfigBuilder::new(&server.base_url).max_retries(0));
        let error = runtime.request(&LIST).send_bytes().await.unwrap_err();
        assert_eq!((error.status(), error.attempts()), (Some(503), 1));
        assert!(error.is_retryable());
        assert!(clock.sleeps().is_empty());
        assert_eq!(server.requests().await.len(), 1);
    }

    #[tokio::test]
    async fn responses_carry_status_headers_and_request_id() {
        let server = test_server::serve(vec![
            test_server::response_with_headers("200 OK", "x-request-id: req_ok\r\nx-extra: 1\r\n", "{}"),
            test_server::response_with_headers("404 Not Found", "request-id: req_404\r\n", ""),
        ])
        .await;
        let rt = runtime(&server.base_url);
        let response = rt
            .request(&LIST)
            .send_json_with_response::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.request_id(), Some("req_ok"));
        assert_eq!(response.headers["x-extra"], "1");
        let error = rt.request(&LIST).send_bytes().await.unwrap_err();
        assert!(error.is_not_found());
        assert_eq!(error.request_id(), Some("req_404"));
        assert_eq!(error.attempts(), 1);
        assert_eq!(
            error.to_string(),
            "GET /v1/widgets (listWidgets): status 404 Not Found (request id req_404)"
        );
    }

    /// A runtime whose retries wait on a recording clock, and the clock.
    fn recording_runtime(builder: ConfigBuilder) -> (Runtime, RecordingClock) {
        let clock = RecordingClock::new();
        (builder.clock(clock.clone()).build(&[]).unwrap(), clock)
    }

    /// Each sleep is the expected backoff in seconds, shortened by at most the jitter share.
    fn assert_backoff(sleeps: &[Duration], expected: &[f64]) {
        assert_eq!(sleeps.len(), expected.len(), "{sleeps:?}");
        for (sleep, base) in sleeps.iter().zip(expected) {
            let secs = sleep.as_secs_f64();
            assert!(
                secs >= base * (1.0 - BACKOFF_JITTER) && secs <= *base,
                "{sleep:?} is not {base} s with jitter"
            );
        }
    }

    #[test]
    fn send_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let future = runtime("http://127.0.0.1:1")
            .request(&LIST)
            .send_json::<serde_json::Value>();
        assert_send(&future);
    }
}
