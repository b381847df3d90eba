//! The one error type every call returns.
//!
//! An [`Error`] says which operation failed (by operation id and path template, never by a filled
//! URL, so ids, query values and secrets stay out of logs), what kind of failure it was, whether the
//! request may have reached the server, how many attempts were made, and for HTTP failures the
//! status, the headers, the request id and the response body.

use std::error::Error as StdError;
use std::fmt;

use reqwest::header::HeaderMap;

use crate::runtime::operation::Operation;
use crate::runtime::response;
use crate::runtime::retry::{self, Outcome};

/// How many characters of an error body `Display` shows for a status error.
const STATUS_BODY_PREVIEW_CHARS: usize = 300;
/// How many bytes of a body `Display` shows for a decode error.
const DECODE_BODY_PREVIEW_BYTES: usize = 200;

/// What went wrong, broadly; match on it with a wildcard arm, more kinds may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client could not be built (a missing credential, a bad base URL or header), or a
    /// credential the operation requires is not set; nothing was sent.
    Config,
    /// The request could not be built (empty path parameter, invalid header, unserializable
    /// body); it was not sent.
    InvalidRequest,
    /// No connection could be made; the request was not sent.
    Connect,
    /// The request timed out; see [`Error::request_sent`] for whether it may have been sent.
    Timeout,
    /// The connection failed while the request or response was in flight.
    Transport,
    /// The server answered with a status outside 2xx.
    Status,
    /// The server answered 2xx but the body did not match the expected type.
    Decode,
}

impl ErrorKind {
    /// A short lowercase name, e.g. `"timeout"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Status => "status",
            ErrorKind::Decode => "decode",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from building the client or from calling an operation.
///
/// `Display` is one line that names the operation, e.g.
/// `POST /v1/widgets (createWidget): status 422 Unprocessable Entity: {"detail":...}`.
/// The underlying cause (for example the `reqwest::Error`) is available through
/// [`std::error::Error::source`].
#[non_exhaustive]
pub struct Error {
    // Boxed so that `Result<T, Error>` stays one pointer wide on the success path.
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    kind: ErrorKind,
    operation: Option<&'static Operation>,
    /// What went wrong, without the operation prefix (Config, InvalidRequest, Decode).
    message: String,
    status: Option<u16>,
    /// The response headers, for `Status` errors.
    headers: Option<HeaderMap>,
    body_text: Option<String>,
    body_json: Option<serde_json::Value>,
    decode_path: Option<String>,
    request_sent: bool,
    /// Attempts made before giving up; 0 when nothing was sent.
    attempts: u32,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    /// The broad category of the failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The operation id (e.g. `createWidget`); `None` for configuration errors.
    pub fn operation_id(&self) -> Option<&str> {
        self.inner.operation.map(|operation| operation.id)
    }

    /// The operation that failed: its id, HTTP method and path template (never the filled path);
    /// `None` for configuration errors.
    pub fn operation(&self) -> Option<&'static Operation> {
        self.inner.operation
    }

    /// The HTTP status, for `Status` and `Decode` errors.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The response headers, for `Status` errors.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.inner.headers.as_ref()
    }

    /// The request id the server sent with a `Status` error, from the first of
    /// [`REQUEST_ID_HEADERS`](crate::runtime::response::REQUEST_ID_HEADERS) present.
    pub fn request_id(&self) -> Option<&str> {
        response::request_id(self.inner.headers.as_ref()?)
    }

    /// How many attempts were made: 0 when the request was never sent (configuration and invalid
    /// request errors), otherwise 1 plus the retries taken.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The raw response body (lossily decoded as UTF-8), for `Status` and `Decode` errors.
    pub fn body_text(&self) -> Option<&str> {
        self.inner.body_text.as_deref()
    }

    /// The error body parsed as JSON, for `Status` errors whose body was valid JSON.
    pub fn body_json(&self) -> Option<&serde_json::Value> {
        self.inner.body_json.as_ref()
    }

    /// Where decoding failed, e.g. `items[3].created_at` (`.` for the top level); `Decode` only.
    pub fn decode_path(&self) -> Option<&str> {
        self.inner.decode_path.as_deref()
    }

    /// The JSON error body as a typed value, e.g. the API's validation error schema; `None` when
    /// there is no JSON body or it does not have that shape.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let body = self.inner.body_json.as_ref()?;
        T::deserialize(body).ok()
    }

    /// True for a 404 response.
    pub fn is_not_found(&self) -> bool {
        self.inner.status == Some(404)
    }

    /// True for a 429 response.
    pub fn is_rate_limited(&self) -> bool {
        self.inner.status == Some(429)
    }

    /// True when the failure is one the retry policy retries (see [`retry::should_retry`]): a
    /// connection failure, a timeout, or a retryable status, unless the server said otherwise
    /// with `x-should-retry`.
    /// An error returned after retries ran out is still retryable: a later call may succeed.
    pub fn is_retryable(&self) -> bool {
        retry::should_retry(self.outcome())
    }

    /// What the failed attempt ended with, for the retry decision.
    pub(crate) fn outcome(&self) -> Outcome<'_> {
        match (self.inner.status, &self.inner.headers) {
            (Some(status), Some(headers)) if self.inner.kind == ErrorKind::Status => {
                Outcome::Response { status, headers }
            }
            _ => Outcome::Failed(self.inner.kind),
        }
    }

    /// True when the request or the connection attempt timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the request may have reached the server in any attempt. `false` means it certainly
    /// did not (configuration, invalid request, every attempt failed to connect), so repeating it
    /// cannot duplicate a side effect.
    pub fn request_sent(&self) -> bool {
        self.inner.request_sent
    }
}

/// Constructors used by the rest of the runtime.
impl Error {
    fn new(kind: ErrorKind, operation: Option<&'static Operation>, message: String) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                operation,
                message,
                status: None,
                headers: None,
                body_text: None,
                body_json: None,
                decode_path: None,
                request_sent: false,
                attempts: 0,
                source: None,
            }),
        }
    }

    fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// The client could not be built.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, None, message.into())
    }

    /// The client could not be built, because of an underlying error.
    pub(crate) fn config_with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Error::config(message).with_source(source)
    }

    /// No credential alternative `operation` requires is complete; it was not sent.
    pub(crate) fn missing_credentials(operation: &'static Operation, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, Some(operation), message.into())
    }

    /// The request could not be built; it was not sent.
    pub(crate) fn invalid_request(operation: &'static Operation, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidRequest, Some(operation), message.into())
    }

    /// The request could not be built because of an underlying error; it was not sent.
    pub(crate) fn invalid_request_with_source(
        operation: &'static Operation,
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Error::invalid_request(operation, message).with_source(source)
    }

    /// Classifies a `reqwest` error from sending the request or reading the response.
    ///
    /// The URL is stripped from the source because it holds path ids and query values.
    pub(crate) fn transport(operation: &'static Operation, error: reqwest::Error) -> Self {
        let connecting = error.is_connect();
        let kind = if error.is_timeout() {
            ErrorKind::Timeout
        } else if connecting {
            ErrorKind::Connect
        } else {
            ErrorKind::Transport
        };
        let mut built = Error::new(kind, Some(operation), String::new()).with_source(error.without_url());
        built.inner.request_sent = !connecting;
        built
    }

    /// The server answered with a non-2xx status.
    pub(crate) fn status_error(operation: &'static Operation, status: u16, headers: HeaderMap, body: &[u8]) -> Self {
        let mut error = Error::new(ErrorKind::Status, Some(operation), String::new());
        error.inner.status = Some(status);
        error.inner.headers = Some(headers);
        error.inner.request_sent = true;
        error.inner.body_json = serde_json::from_slice(body).ok();
        error.inner.body_text = Some(String::from_utf8_lossy(body).into_owned());
        error
    }

    /// A 2xx body did not decode; `path` is where (`items[1].created_at`, `.` for the whole body).
    pub(crate) fn decode(
        operation: &'static Operation,
        status: u16,
        body: &[u8],
        path: String,
        source: serde_json::Error,
    ) -> Self {
        let mut error = Error::new(ErrorKind::Decode, Some(operation), source.to_string()).with_source(source);
        error.inner.status = Some(status);
        error.inner.request_sent = true;
        error.inner.body_text = Some(String::from_utf8_lossy(body).into_owned());
        error.inner.decode_path = Some(path);
        error
    }

    /// Records how many attempts were made in all, and whether an earlier attempt may have
    /// reached the server (a connection failure on the last attempt does not undo that).
    pub(crate) fn after_attempts(mut self, attempts: u32, sent_earlier: bool) -> Self {
        self.inner.attempts = attempts;
        self.inner.request_sent |= sent_earlier;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        if let Some(operation) = inner.operation {
            write!(f, "{} {} ({}): ", operation.method, operation.path, operation.id)?;
        }
        let after = AttemptsNote(inner.attempts);
        // A connection failure is "not sent" only when no earlier attempt was sent either.
        let sent = if inner.request_sent {
            "request may have been sent"
        } else {
            "request not sent"
        };
        match inner.kind {
            ErrorKind::Config => write!(f, "invalid client configuration: {}", inner.message),
            ErrorKind::InvalidRequest => write!(f, "invalid request, not sent: {}", inner.message),
            ErrorKind::Connect => write!(f, "could not connect{after}, {sent}: {}", self.root_cause()),
            // The cause of a timeout is only "operation timed out"; it adds nothing.
            ErrorKind::Timeout if self.timed_out_connecting() => write!(f, "timed out connecting{after}, {sent}"),
            ErrorKind::Timeout => write!(f, "timed out{after}, {sent}"),
            ErrorKind::Transport => write!(f, "connection failed{after}, {sent}: {}", self.root_cause()),
            ErrorKind::Status => self.fmt_status(f),
            ErrorKind::Decode => self.fmt_decode(f),
        }
    }
}

/// ` after N attempts` when there was more than one, so a plain failure reads as before.
struct AttemptsNote(u32);

impl fmt::Display for AttemptsNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " after {} attempts", self.0)?;
        }
        Ok(())
    }
}

impl Error {
    /// Whether the last attempt's timeout hit while connecting (`reqwest` marks it as both).
    fn timed_out_connecting(&self) -> bool {
        let source = self.inner.source.as_deref();
        source
            .and_then(|error| error.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_connect)
    }

    /// The innermost cause's message: `reqwest` wraps the useful part ("Connection refused")
    /// several levels deep, and a one-line `Display` should show it.
    fn root_cause(&self) -> String {
        let Some(mut cause) = self.inner.source.as_deref().map(|e| e as &(dyn StdError + 'static)) else {
            return "unknown cause".to_string();
        };
        while let Some(next) = cause.source() {
            cause = next;
        }
        one_line(&cause.to_string())
    }

    fn fmt_status(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.inner.status.unwrap_or_default();
        write!(f, "status {status}")?;
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|code| code.canonical_reason());
        if let Some(reason) = reason {
            write!(f, " {reason}")?;
        }
        write!(f, "{}", AttemptsNote(self.inner.attempts))?;
        if let Some(request_id) = self.request_id() {
            write!(f, " (request id {request_id})")?;
        }
        let body = self.inner.body_text.as_deref().map(one_line).unwrap_or_default();
        if !body.is_empty() {
            write!(f, ": {}", truncate_chars(&body, STATUS_BODY_PREVIEW_CHARS))?;
        }
        Ok(())
    }

    fn fmt_decode(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode response")?;
        match self.inner.decode_path.as_deref() {
            Some(path) if path != "." => write!(f, " at `{path}`: ")?,
            _ => f.write_str(": ")?,
        }
        f.write_str(&one_line(&self.inner.message))?;
        let body = self.inner.body_text.as_deref().map(one_line).unwrap_or_default();
        if body.is_empty() {
            f.write_str("; body is empty")
        } else {
            write!(f, "; body starts: {}", truncate_bytes(&body, DECODE_BODY_PREVIEW_BYTES))
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &inner.kind);
        if let Some(operation) = inner.operation {
            debug.field("operation", &operation.id);
        }
        if !inner.message.is_empty() {
            debug.field("message", &inner.message);
        }
        if let Some(status) = inner.status {
            debug.field("status", &status);
        }
        if let Some(path) = &inner.decode_path {
            debug.field("decode_path", path);
        }
        if let Some(body) = &inner.body_text {
            debug.field("body", &truncate_chars(body, STATUS_BODY_PREVIEW_CHARS));
        }
        if let Some(request_id) = self.request_id() {
            debug.field("request_id", &request_id);
        }
        debug.field("request_sent", &inner.request_sent);
        debug.field("attempts", &inner.attempts);
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

/// Joins the lines of `text` with single spaces (dropping indentation and blank lines), so a
/// pretty-printed body stays on one log line.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    lines.join(" ")
}

/// The first `max` characters of `text`, with `…` when something was cut.
fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// At most `max` bytes of `text`, cut on a character boundary, with `…` when something was cut.
fn truncate_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::operation::Method;

    static CREATE: Operation = Operation {
        id: "createWidget",
        method: Method::Post,
        path: "/v1/widgets",
    };
    static GET: Operation = Operation {
        id: "getWidget",
        method: Method::Get,
        path: "/v1/widgets/{widget_id}",
    };

    fn decode_error(body: &str, json: &str) -> Error {
        let mut de = serde_json::Deserializer::from_str(json);
        let result: Result<Vec<chrono::DateTime<chrono::Utc>>, _> = serde_path_to_error::deserialize(&mut de);
        let Err(error) = result else {
            panic!("expected a decode error")
        };
        let path = error.path().to_string();
        Error::decode(&GET, 200, body.as_bytes(), path, error.into_inner())
    }

    #[test]
    fn status_display_is_one_line_with_the_template() {
        let body = "{\n  \"detail\": [\n    {\"loc\": [\"body\", \"name\"]}\n  ]\n}";
        let error = Error::status_error(&CREATE, 422, HeaderMap::new(), body.as_bytes());
        assert_eq!(
            error.to_string(),
            r#"POST /v1/widgets (createWidget): status 422 Unprocessable Entity: { "detail": [ {"loc": ["body", "name"]} ] }"#
        );
        assert_eq!(error.kind(), ErrorKind::Status);
        assert_eq!(error.status(), Some(422));
        assert_eq!(error.operation_id(), Some("createWidget"));
        assert_eq!(error.body_json().unwrap()["detail"][0]["loc"][1], "name");
        assert!(error.request_sent());
    }

    #[test]
    fn status_display_truncates_long_bodies_and_omits_empty_ones() {
        let long = "x".repeat(1000);
        let error = Error::status_error(&CREATE, 500, HeaderMap::new(), long.as_bytes());
        let shown = error.to_string();
        assert!(shown.ends_with('…'));
        assert!(shown.len() < 400, "{shown}");
        assert_eq!(error.body_text().map(str::len), Some(1000));

        let error = Error::status_error(&GET, 404, HeaderMap::new(), b"");
        assert_eq!(
            error.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): status 404 Not Found"
        );
        assert!(error.is_not_found());
        assert!(!error.is_rate_limited());
        assert_eq!(error.body_json(), None);
    }

    #[test]
    fn body_as_gives_a_typed_view() {
        #[derive(serde::Deserialize)]
        struct Detail {
            detail: String,
        }
        let error = Error::status_error(&CREATE, 429, HeaderMap::new(), br#"{"detail":"slow down"}"#);
        assert!(error.is_rate_limited());
        assert_eq!(
            error.body_as::<Detail>().map(|d| d.detail),
            Some("slow down".to_string())
        );
        assert!(error.body_as::<Vec<u8>>().is_none());
        assert!(Error::status_error(&CREATE, 500, HeaderMap::new(), b"not json")
            .body_as::<serde_json::Value>()
            .is_none());
    }

    #[test]
    fn decode_display_names_the_path_and_the_body_start() {
        let body = format!(r#"["2024-01-01T00:00:00Z", "nope", "{}"]"#, "y".repeat(300));
        let error = decode_error(&body, &body);
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("[1]"));
        let shown = error.to_string();
        assert!(
            shown.starts_with("GET /v1/widgets/{widget_id} (getWidget): could not decode response at `[1]`: "),
            "{shown}"
        );
        assert!(
            shown.contains(r#"; body starts: ["2024-01-01T00:00:00Z", "nope", "yyy"#),
            "{shown}"
        );
        assert!(shown.ends_with('…'), "{shown}");
        assert!(error.source().is_some());
    }

    #[test]
    fn decode_display_at_the_top_level_and_with_an_empty_body() {
        let error = decode_error("", "null");
        assert_eq!(error.decode_path(), Some("."));
        let shown = error.to_string();
        assert!(
            shown.contains("could not decode response: invalid type: null"),
            "{shown}"
        );
        assert!(shown.ends_with("; body is empty"), "{shown}");
    }

    #[test]
    fn config_and_invalid_request_display() {
        let error = Error::config("api_key is not set: call .api_key(..) or set SOME_KEY");
        assert_eq!(
            error.to_string(),
            "invalid client configuration: api_key is not set: call .api_key(..) or set SOME_KEY"
        );
        assert_eq!(error.operation_id(), None);
        assert!(!error.request_sent());

        let error = Error::invalid_request(&GET, "path parameter `widget_id` must not be empty");
        assert_eq!(
            error.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): invalid request, not sent: \
             path parameter `widget_id` must not be empty"
        );
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    }

    #[test]
    fn status_display_names_attempts_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req_123".parse().unwrap());
        let error = Error::status_error(&CREATE, 503, headers, b"{\"detail\":\"busy\"}").after_attempts(3, true);
        assert_eq!(
            error.to_string(),
            r#"POST /v1/widgets (createWidget): status 503 Service Unavailable after 3 attempts (request id req_123): {"detail":"busy"}"#
        );
        assert_eq!(error.request_id(), Some("req_123"));
        assert_eq!(error.attempts(), 3);
        let operation = error.operation().unwrap();
        assert_eq!((operation.method, operation.path), (Method::Post, "/v1/widgets"));
        assert!(error.is_retryable());
        assert!(format!("{error:?}").contains("req_123"));
    }

    #[test]
    fn retryable_follows_the_status_and_x_should_retry() {
        let status = |code, should_retry: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(value) = should_retry {
                headers.insert("x-should-retry", value.parse().unwrap());
            }
            Error::status_error(&GET, code, headers, b"")
        };
        assert!(status(429, None).is_retryable());
        assert!(status(500, None).is_retryable());
        assert!(!status(404, None).is_retryable());
        assert!(!status(500, Some("false")).is_retryable());
        assert!(status(400, Some("true")).is_retryable());
        assert!(!Error::invalid_request(&GET, "bad").is_retryable());
        assert!(!Error::config("bad").is_retryable());
        assert!(!decode_error("", "null").is_retryable());
    }

    #[test]
    fn connect_failure_after_a_sent_attempt_says_so() {
        let refused = Error::new(ErrorKind::Connect, Some(&GET), String::new());
        assert_eq!(
            refused.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): could not connect, request not sent: unknown cause"
        );
        let after_a_503 = Error::new(ErrorKind::Connect, Some(&GET), String::new()).after_attempts(2, true);
        assert!(after_a_503.request_sent());
        assert_eq!(
            after_a_503.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): could not connect after 2 attempts, \
             request may have been sent: unknown cause"
        );
        let timeout = Error::new(ErrorKind::Timeout, Some(&GET), String::new()).after_attempts(3, true);
        assert_eq!(
            timeout.to_string(),
            "GET /v1/widgets/{widget_id} (getWidget): timed out after 3 attempts, request may have been sent"
        );
    }

    #[test]
    fn one_line_collapses_only_breaking_whitespace() {
        assert_eq!(one_line("a  b\n\n  c\r\nd "), "a  b c d");
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_bytes("héllo", 2), "h…");
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(truncate_chars("hé", 2), "hé");
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_traits<T: StdError + Send + Sync + 'static>() {}
        assert_traits::<Error>();
        assert_eq!(std::mem::size_of::<Result<(), Error>>(), std::mem::size_of::<usize>());
    }
}
