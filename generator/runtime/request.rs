//! Building and sending one request for one operation.
//!
//! Generated operation methods look like this:
//!
//! ```ignore
//! static GET_WIDGET: Operation = Operation {
//!     id: "getWidget",
//!     method: Method::Get,
//!     path: "/v1/widgets/{widget_id}",
//! };
//!
//! pub async fn get_widget(&self, widget_id: &str) -> Result<Widget, Error> {
//!     self.runtime
//!         .request(&GET_WIDGET)
//!         .path_param("widget_id", widget_id)
//!         .query_opt("view", view.as_ref())
//!         .send_json()
//!         .await
//! }
//! ```
//!
//! Builder methods never fail on the spot: the first problem is kept and returned by `send_*`, so
//! generated code stays one chain without `?` after every step.
//!
//! Sending checks the request once, then sends attempts until one succeeds or
//! [`retry::decide`] says stop. Every attempt is built afresh from the checked request (the JSON
//! bytes are reused, a multipart form is rebuilt), carries the [`RETRY_COUNT_HEADER`], and runs
//! inside one `request` tracing span that records the operation, method, path template, attempt,
//! status and latency. Header values are never logged, so credentials stay out of traces.

use std::fmt;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::runtime::config::Runtime;
use crate::runtime::error::Error;
use crate::runtime::options::{Effective, RequestOptions};
use crate::runtime::response::Response;
use crate::runtime::retry::{self, RetryDecision, RETRY_COUNT_HEADER};

/// Bytes left as they are in a path segment or query component: the RFC 3986 unreserved set
/// `A-Z a-z 0-9 - . _ ~`. Everything else, including `/`, `?`, `&`, `=`, `,` and `+`, is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The static description of one API operation, written by the generator as a `static`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The OpenAPI `operationId`, e.g. `createWidget`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template with `{name}` placeholders, e.g. `/v1/widgets/{widget_id}`.
    pub path: &'static str,
}

/// An HTTP method; a plain enum so that an [`Operation`] can be a `static`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method name in upper case, as sent on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
            Method::Options => reqwest::Method::OPTIONS,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that can be written into a query string (before percent-encoding).
pub trait QueryValue {
    /// The unencoded text of the value, e.g. `true`, `42` or `2024-01-02T03:04:05Z`.
    fn to_query_value(&self) -> String;
}

impl QueryValue for str {
    fn to_query_value(&self) -> String {
        self.to_string()
    }
}

impl QueryValue for String {
    fn to_query_value(&self) -> String {
        self.clone()
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query_value(&self) -> String {
        (**self).to_query_value()
    }
}

/// Numbers and booleans use their `Display` form (`true`/`false`, `42`, `1.5`).
macro_rules! query_value_via_display {
    ($($ty:ty),*) => {
        $(
            impl QueryValue for $ty {
                fn to_query_value(&self) -> String {
                    self.to_string()
                }
            }
        )*
    };
}

query_value_via_display!(bool, i32, i64, u32, u64, f32, f64);

impl QueryValue for chrono::DateTime<chrono::Utc> {
    /// RFC 3339 with a `Z` suffix and only as many fraction digits as needed.
    fn to_query_value(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl QueryValue for chrono::NaiveDate {
    /// `YYYY-MM-DD`, the OpenAPI `date` format.
    fn to_query_value(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

/// A `multipart/form-data` body, kept as plain data so that it can be rebuilt for each attempt.
#[derive(Clone, Debug, Default)]
pub struct MultipartForm {
    parts: Vec<MultipartPart>,
}

#[derive(Clone, Debug)]
enum MultipartPart {
    Text { name: String, value: String },
    File { name: String, file: FileUpload },
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        MultipartForm::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(MultipartPart::Text {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a file field.
    pub fn file(mut self, name: impl Into<String>, file: FileUpload) -> Self {
        self.parts.push(MultipartPart::File {
            name: name.into(),
            file,
        });
        self
    }

    /// Checks every part's content type, so that a bad one is an invalid request before anything
    /// is sent rather than a failure of the first attempt.
    fn check(&self, operation: &'static Operation) -> Result<(), Error> {
        for part in &self.parts {
            if let MultipartPart::File { name, file } = part {
                file.check_content_type(operation, name)?;
            }
        }
        Ok(())
    }

    /// Builds the `reqwest` form; called once per attempt because a `reqwest` form is consumed
    /// by sending it.
    fn to_reqwest(&self, operation: &'static Operation) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for part in &self.parts {
            form = match part {
                MultipartPart::Text { name, value } => form.text(name.clone(), value.clone()),
                MultipartPart::File { name, file } => form.part(name.clone(), file.to_reqwest(operation, name)?),
            };
        }
        Ok(form)
    }
}

/// A file to upload in a [`MultipartForm`].
#[derive(Clone)]
pub struct FileUpload {
    /// The file name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// The part's `Content-Type`; `application/octet-stream` when `None`.
    pub content_type: Option<String>,
    /// The file contents.
    pub bytes: Vec<u8>,
}

impl FileUpload {
    /// A file with the given name and contents and no explicit content type.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        FileUpload {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the content type, e.g. `text/csv`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn to_reqwest(&self, operation: &'static Operation, field: &str) -> Result<reqwest::multipart::Part, Error> {
        self.with_content_type(reqwest::multipart::Part::bytes(self.bytes.clone()), operation, field)
            .map(|part| part.file_name(self.file_name.clone()))
    }

    fn check_content_type(&self, operation: &'static Operation, field: &str) -> Result<(), Error> {
        self.with_content_type(reqwest::multipart::Part::bytes(Vec::new()), operation, field)
            .map(drop)
    }

    fn with_content_type(
        &self,
        part: reqwest::multipart::Part,
        operation: &'static Operation,
        field: &str,
    ) -> Result<reqwest::multipart::Part, Error> {
        let content_type = self.content_type.as_deref().unwrap_or("application/octet-stream");
        part.mime_str(content_type).map_err(|source| {
            let message = format!("content type `{content_type}` of multipart field `{field}` is not valid");
            Error::invalid_request_with_source(operation, message, source)
        })
    }
}

impl fmt::Debug for FileUpload {
    /// Shows the length, not the contents, which may be large or private.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// One request being put together; created by [`Runtime::request`], finished by `send_*`.
#[must_use = "a request is not sent until `send_json` or `send_bytes` is awaited"]
pub struct RequestBuilder {
    runtime: Runtime,
    operation: &'static Operation,
    /// The path template with the parameters filled in so far.
    path: String,
    /// Already percent-encoded `name=value` pairs, in call order.
    query: Vec<String>,
    headers: HeaderMap,
    body: RequestBody,
    options: RequestOptions,
    /// The first problem found while building; returned by `send_*` before anything is sent.
    error: Option<Error>,
}

/// The request body, kept as data so that a later retry can send it again.
#[derive(Clone, Debug)]
enum RequestBody {
    Empty,
    Json(Vec<u8>),
    Multipart(MultipartForm),
    /// Bytes sent as they are, with their content type (form bodies, text, binary uploads).
    Raw {
        content_type: HeaderValue,
        bytes: Vec<u8>,
    },
}

impl RequestBuilder {
    pub(crate) fn new(runtime: Runtime, operation: &'static Operation) -> Self {
        RequestBuilder {
            runtime,
            operation,
            path: operation.path.to_string(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: RequestBody::Empty,
            options: RequestOptions::new(),
            error: None,
        }
    }

    /// Sets this request's timeout and retry overrides (see [`RequestOptions`]).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Replaces `{name}` in the path template with the percent-encoded `value`.
    ///
    /// An empty value, `.` or `..` (which would change which endpoint is called), or a name that
    /// is not in the template is an `InvalidRequest` error at send time.
    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        if value.is_empty() {
            return self.fail(format!("path parameter `{name}` must not be empty"));
        }
        if value == "." || value == ".." {
            return self.fail(format!("path parameter `{name}` must not be `.` or `..`"));
        }
        let Some(mut start) = find_placeholder(&self.path, name, 0) else {
            let message = if find_placeholder(self.operation.path, name, 0).is_some() {
                format!("path parameter `{name}` was set twice")
            } else {
                format!("path parameter `{name}` is not in the path template")
            };
            return self.fail(message);
        };
        // Encoded values never contain `{`, so filling one parameter cannot create another.
        let encoded = utf8_percent_encode(value, COMPONENT).to_string();
        // Every occurrence is filled, should a template name a parameter twice.
        loop {
            self.path.replace_range(start..start + name.len() + 2, &encoded);
            match find_placeholder(&self.path, name, start + encoded.len()) {
                Some(next) => start = next,
                None => return self,
            }
        }
    }

    /// Appends `name=value` to the query string. Calling it again with the same name appends
    /// another pair, which is how exploded arrays (`tag=a&tag=b`) are sent.
    pub fn query<V: QueryValue + ?Sized>(mut self, name: &str, value: &V) -> Self {
        let pair = format!(
            "{}={}",
            encode_component(name),
            encode_component(&value.to_query_value())
        );
        self.query.push(pair);
        self
    }

    /// Like [`query`](Self::query) when `value` is `Some`; does nothing for `None`.
    pub fn query_opt<V: QueryValue + ?Sized>(self, name: &str, value: Option<&V>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Appends `name=a,b,c` (a non-exploded array). The separating commas are sent as they are; a
    /// comma inside an item is encoded as `%2C`. An empty slice adds nothing.
    pub fn query_csv<V: QueryValue>(mut self, name: &str, values: &[V]) -> Self {
        if values.is_empty() {
            return self;
        }
        let items: Vec<String> = values
            .iter()
            .map(|value| encode_component(&value.to_query_value()))
            .collect();
        self.query
            .push(format!("{}={}", encode_component(name), items.join(",")));
        self
    }

    /// Sets a header for this request, replacing a default header of the same name.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let Ok(header_name) = HeaderName::from_bytes(name.as_bytes()) else {
            return self.fail(format!("`{name}` is not a valid header name"));
        };
        // The value is not echoed in the message: it may be a token.
        let Ok(header_value) = HeaderValue::from_str(value) else {
            return self.fail(format!("the value of header `{name}` is not a valid header value"));
        };
        self.headers.insert(header_name, header_value);
        self
    }

    /// Sets a JSON body, serialized now so that the bytes can be sent again by a retry. Sets
    /// `content-type: application/json` unless a content type was set with [`header`](Self::header).
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = RequestBody::Json(bytes);
                self
            }
            Err(source) => {
                let message = format!("could not serialize the request body: {source}");
                let error = Error::invalid_request_with_source(self.operation, message, source);
                self.fail_with(error)
            }
        }
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(mut self, form: MultipartForm) -> Self {
        self.body = RequestBody::Multipart(form);
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from an object's fields (see
    /// [`params::object_fields`](crate::runtime::params::object_fields) for how values become text).
    pub fn form<B: serde::Serialize + ?Sized>(self, body: &B) -> Self {
        let bytes = crate::runtime::params::form_urlencoded(body).into_bytes();
        self.raw_body("application/x-www-form-urlencoded", bytes)
    }

    /// Sets a body of any other media type, sent as these bytes with this content type.
    pub fn raw_body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        let Ok(content_type) = HeaderValue::from_str(content_type) else {
            return self.fail(format!("`{content_type}` is not a valid content type"));
        };
        self.body = RequestBody::Raw {
            content_type,
            bytes: bytes.into(),
        };
        self
    }

    /// Sends the request and decodes a 2xx JSON body into `T`. An empty body decodes as `null`, so
    /// `()`, `Option<_>` and `serde_json::Value` work for operations that return nothing.
    // The `send_*` methods each call `execute` themselves rather than one another: every layer of
    // `async fn` moves the whole request future once more, on every request.
    pub async fn send_json<T: serde::de::DeserializeOwned>(self) -> Result<T, Error> {
        let operation = self.operation;
        let response = self.execute(Some(HeaderValue::from_static("application/json"))).await?;
        response.decode_json(operation)
    }

    /// Like [`send_json`](Self::send_json), and also returns the status, headers and attempts.
    pub async fn send_json_with_response<T: serde::de::DeserializeOwned>(self) -> Result<Response<T>, Error> {
        let operation = self.operation;
        let response = self.execute(Some(HeaderValue::from_static("application/json"))).await?;
        let value = response.decode_json(operation)?;
        Ok(Response::new(
            value,
            response.status,
            response.headers,
            response.attempts,
        ))
    }

    /// Sends the request and returns the raw 2xx body.
    pub async fn send_bytes(self) -> Result<Vec<u8>, Error> {
        Ok(self.execute(None).await?.body.into_vec())
    }

    /// Like [`send_bytes`](Self::send_bytes), and also returns the status, headers and attempts.
    pub async fn send_bytes_with_response(self) -> Result<Response<Vec<u8>>, Error> {
        let response = self.execute(None).await?;
        Ok(Response::new(
            response.body.into_vec(),
            response.status,
            response.headers,
            response.attempts,
        ))
    }

    /// Sends the request and ignores the 2xx body, for operations that declare none.
    pub async fn send_empty(self) -> Result<(), Error> {
        self.execute(None).await.map(|_| ())
    }

    /// Like [`send_empty`](Self::send_empty), and also returns the status, headers and attempts.
    pub async fn send_empty_with_response(self) -> Result<Response<()>, Error> {
        let response = self.execute(None).await?;
        Ok(Response::new((), response.status, response.headers, response.attempts))
    }

    /// Checks the request, then sends it inside its tracing span until an attempt succeeds or
    /// the retry policy says stop. `accept` is sent unless the request sets its own `accept`.
    async fn execute(self, accept: Option<HeaderValue>) -> Result<RawResponse, Error> {
        let prepared = self.prepare(accept)?;
        let span = request_span(prepared.operation);
        send_with_retries(&prepared, &span).instrument(span.clone()).await
    }

    /// Turns the builder into something that can be sent, or returns the first deferred error.
    fn prepare(self, accept: Option<HeaderValue>) -> Result<PreparedRequest, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if let Some(name) = first_unfilled_parameter(&self.path) {
            let message = format!("path parameter `{name}` was not set");
            return Err(Error::invalid_request(self.operation, message));
        }
        let url = self.url()?;
        if let RequestBody::Multipart(form) = &self.body {
            form.check(self.operation)?;
        }
        let effective = self.runtime.options().resolve(&self.options);
        Ok(PreparedRequest {
            runtime: self.runtime,
            operation: self.operation,
            url,
            headers: self.headers,
            accept,
            body: self.body,
            effective,
        })
    }

    fn url(&self) -> Result<reqwest::Url, Error> {
        let mut url = format!("{}{}", self.runtime.base_url(), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query.join("&"));
        }
        reqwest::Url::parse(&url).map_err(|source| {
            Error::invalid_request_with_source(self.operation, "the request URL is not valid", source)
        })
    }

    fn fail(self, message: String) -> Self {
        let error = Error::invalid_request(self.operation, message);
        self.fail_with(error)
    }

    /// Keeps the first error: later ones are often consequences of it.
    fn fail_with(mut self, error: Error) -> Self {
        if self.error.is_none() {
            self.error = Some(error);
        }
        self
    }
}

impl fmt::Debug for RequestBuilder {
    /// Shows the operation, the filled path and header names; not header values or the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        let body = match &self.body {
            RequestBody::Empty => "empty",
            RequestBody::Json(_) => "json",
            RequestBody::Multipart(_) => "multipart",
            RequestBody::Raw { .. } => "raw",
        };
        f.debug_struct("RequestBuilder")
            .field("operation", &self.operation.id)
            .field("path", &self.path)
            .field("headers", &header_names)
            .field("body", &body)
            .field("options", &self.options)
            .field("error", &self.error)
            .finish()
    }
}

/// A checked request that can be sent, and sent again.
struct PreparedRequest {
    runtime: Runtime,
    operation: &'static Operation,
    url: reqwest::Url,
    /// The headers set on this request (the runtime's defaults are added per attempt).
    headers: HeaderMap,
    /// The `accept` header to send unless `headers` has one.
    accept: Option<HeaderValue>,
    body: RequestBody,
    /// The timeout and retry policy after precedence.
    effective: Effective,
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

/// A 2xx response with its body read.
struct RawResponse {
    status: u16,
    headers: HeaderMap,
    /// The body as `reqwest` read it (not copied into a `Vec` unless asked).
    body: Box<dyn Body>,
    /// Attempts it took, counting this one.
    attempts: u32,
}

impl RawResponse {
    /// Decodes the body as JSON; a failure counts the attempts and says the request was sent.
    fn decode_json<T: serde::de::DeserializeOwned>(&self, operation: &'static Operation) -> Result<T, Error> {
        decode_json(operation, self.status, self.body.bytes())
            .map_err(|error| error.after_attempts(self.attempts, true))
    }
}

/// A response body: readable in place, or turned into a `Vec` (without a copy where possible).
trait Body: Send + Sync {
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

/// Decodes the body of a 2xx response into `T`, with the same error (JSON path, body start) as
/// [`RequestBuilder::send_json`]. For operations whose successes differ by status code: the
/// generated code sends with [`RequestBuilder::send_bytes_with_response`] and decodes per status.
pub fn decode_json_body<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    response: &Response<Vec<u8>>,
) -> Result<T, Error> {
    decode_json(operation, response.status, &response.value)
}

/// Decodes a 2xx body, recording the JSON path of the first mismatch.
fn decode_json<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    // Tracking the path costs time on every value (a large page decodes about 1.5× slower), and
    // only a failure needs it: decode plainly first, and again with tracking when that fails.
    // Decoding is deterministic, so the second attempt fails the same way and names the path.
    if let Ok(value) = serde_json::from_slice(json) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = crate::runtime::union::refine_path(error.path().to_string(), &error.inner().to_string());
        Error::decode(operation, status, body, path, error.into_inner())
    })?;
    // Trailing characters after the value are an error at the top level.
    deserializer
        .end()
        .map_err(|source| Error::decode(operation, status, body, ".".to_string(), source))?;
    Ok(value)
}

fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Where `{name}` starts in `path`, searching from byte `from`. Scans for `{` (a byte search)
/// rather than for the whole placeholder, which would set up a substring searcher each time.
fn find_placeholder(path: &str, name: &str, from: usize) -> Option<usize> {
    path[from..].match_indices('{').map(|(i, _)| from + i).find(|&i| {
        let rest = &path[i + 1..];
        rest.starts_with(name) && rest[name.len()..].starts_with('}')
    })
}

/// The name of the first `{name}` placeholder still in `path`.
fn first_unfilled_parameter(path: &str) -> Option<&str> {
    let start = path.find('{')? + 1;
    let length = path[start..].find('}').unwrap_or(path.len() - start);
    Some(&path[start..start + length])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::clock::RecordingClock;
    use crate::runtime::config::ConfigBuilder;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::test_server::{self, response};
    use std::error::Error as _;
    use std::time::Duration;

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
    static ITEM: Operation = Operation {
        id: "getItem",
        method: Method::Delete,
        path: "/v1/widgets/{widget_id}/items/{item_id}",
    };

    fn runtime(base_url: &str) -> Runtime {
        ConfigBuilder::new(base_url).build(&[]).unwrap()
    }

    /// The request line (method and target) of a captured request.
    fn request_line(request: &str) -> &str {
        request.lines().next().unwrap_or_default()
    }

    #[test]
    fn path_params_are_percent_encoded() {
        let builder = runtime("http://127.0.0.1:1/")
            .request(&ITEM)
            .path_param("widget_id", "a b/c?d")
            .path_param("item_id", "x-y_z.~{item_id}");
        assert_eq!(builder.path, "/v1/widgets/a%20b%2Fc%3Fd/items/x-y_z.~%7Bitem_id%7D");
        let url = builder.url().unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/v1/widgets/a%20b%2Fc%3Fd/items/x-y_z.~%7Bitem_id%7D"
        );
    }

    #[test]
    fn path_param_problems_are_deferred() {
        let rt = runtime("http://127.0.0.1:1");
        let cases = [
            (
                rt.request(&GET).path_param("widget_id", ""),
                "path parameter `widget_id` must not be empty",
            ),
            (
                rt.request(&GET).path_param("widget_id", ".."),
                "path parameter `widget_id` must not be `.` or `..`",
            ),
            (
                rt.request(&GET).path_param("id", "1"),
                "path parameter `id` is not in the path template",
            ),
            (
                rt.request(&GET)
                    .path_param("widget_id", "1")
                    .path_param("widget_id", "2"),
                "path parameter `widget_id` was set twice",
            ),
            (rt.request(&GET), "path parameter `widget_id` was not set"),
        ];
        for (builder, expected) in cases {
            let Err(error) = builder.prepare(None) else {
                panic!("expected `{expected}`")
            };
            assert_eq!(error.kind(), ErrorKind::InvalidRequest);
            assert!(!error.request_sent());
            assert!(error.to_string().ends_with(expected), "{error}");
            assert!(error.to_string().starts_with("GET /v1/widgets"), "{error}");
        }
    }

    #[test]
    fn first_deferred_error_wins() {
        let Err(error) = runtime("http://127.0.0.1:1")
            .request(&GET)
            .path_param("widget_id", "")
            .header("bad header", "x")
            .prepare(None)
        else {
            panic!("expected an error")
        };
        assert!(error.to_string().contains("must not be empty"), "{error}");
    }

    #[test]
    fn query_values_are_encoded_and_ordered() {
        let when = chrono::DateTime::parse_from_rfc3339("2024-01-02T03:04:05+00:00")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        let name = String::from("a&b=c d");
        let builder = runtime("http://127.0.0.1:1")
            .request(&LIST)
            .query("name", &name)
            .query("q", "ü+")
            .query("limit", &10_u32)
            .query("offset", &-1_i64)
            .query("ratio", &0.5_f64)
            .query("archived", &false)
            .query("since", &when)
            .query("day", &date)
            .query_opt::<str>("cursor", None)
            .query_opt("view", Some(&"full"))
            .query_csv("tags", &["x", "y,z"])
            .query_csv::<&str>("empty", &[])
            .query("tag", "t1")
            .query("tag", "t2");
        let url = builder.url().unwrap();
        assert_eq!(
            url.query(),
            Some(
                "name=a%26b%3Dc%20d&q=%C3%BC%2B&limit=10&offset=-1&ratio=0.5&archived=false\
                 &since=2024-01-02T03%3A04%3A05Z&day=2024-01-02&view=full&tags=x,y%2Cz&tag=t1&tag=t2"
            )
        );
    }

    #[test]
    fn invalid_headers_are_deferred_without_echoing_the_value() {
        let Err(error) = runtime("http://127.0.0.1:1")
            .request(&LIST)
            .header("x-token", "line\nbreak-secret")
            .prepare(None)
        else {
            panic!("expected an error")
        };
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn json_serialize_failure_is_deferred() {
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), "tuple keys are not JSON object keys");
        let Err(error) = runtime("http://127.0.0.1:1").request(&CREATE).json(&map).prepare(None) else {
            panic!("expected an error")
        };
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert!(
            error.to_string().contains("could not serialize the request body"),
            "{error}"
        );
    }

    #[test]
    fn file_upload_debug_shows_length_only() {
        let file = FileUpload::new("a.csv", b"secret,data".to_vec()).content_type("text/csv");
        let shown = format!("{:?}", MultipartForm::new().file("file", file));
        assert!(shown.contains("<11 bytes>"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn unfilled_parameter_is_found() {
        assert_eq!(first_unfilled_parameter("/a/{b}/c/{d}"), Some("b"));
        assert_eq!(first_unfilled_parameter("/a/%7Bb%7D"), None);
        assert_eq!(first_unfilled_parameter("/a/{b"), Some("b"));
    }

    #[tokio::test]
    async fn send_json_sends_body_and_decodes_response() {
        let server = test_server::serve(vec![response("201 Created", r#"{"id":"w_1","name":"first"}"#)]).await;
        #[derive(serde::Serialize)]
        struct Create<'a> {
            name: &'a str,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Created {
            id: String,
            name: String,
        }
        let created: Created = runtime(&format!("{}/", server.base_url))
            .request(&CREATE)
            .query("dry_run", &true)
            .json(&Create { name: "first" })
            .send_json()
            .await
            .unwrap();
        assert_eq!(
            created,
            Created {
                id: "w_1".into(),
                name: "first".into()
            }
        );

        let requests = server.requests().await;
        let request = &requests[0];
        assert_eq!(request_line(request), "POST /v1/widgets?dry_run=true HTTP/1.1");
        assert!(request.contains("\r\ncontent-type: application/json\r\n"), "{request}");
        assert!(request.contains("\r\naccept: application/json\r\n"), "{request}");
        assert!(request.ends_with("\r\n\r\n{\"name\":\"first\"}"), "{request}");
    }

    #[tokio::test]
    async fn explicit_content_type_is_kept() {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let _: serde_json::Value = runtime(&server.base_url)
            .request(&CREATE)
            .header("Content-Type", "application/merge-patch+json")
            .json(&serde_json::json!({"a": null}))
            .send_json()
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
    async fn empty_success_body_decodes_as_null() {
        let server = test_server::serve(vec![response("204 No Content", ""), response("200 OK", "")]).await;
        let rt = runtime(&server.base_url);
        let request = || {
            rt.request(&ITEM)
                .path_param("widget_id", "e")
                .path_param("item_id", "i")
        };
        let unit: () = request().send_json().await.unwrap();
        let value: serde_json::Value = request().send_json().await.unwrap();
        assert_eq!(unit, ());
        assert_eq!(value, serde_json::Value::Null);
        let requests = server.requests().await;
        assert_eq!(request_line(&requests[0]), "DELETE /v1/widgets/e/items/i HTTP/1.1");
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
    async fn decode_failure_reports_path_and_body_start() {
        let body = r#"{"items":[{"created_at":"2024-01-01T00:00:00Z"},{"created_at":"yesterday"}]}"#;
        let server = test_server::serve(vec![response("200 OK", body)]).await;
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            created_at: chrono::DateTime<chrono::Utc>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Item>,
        }
        let error = runtime(&server.base_url)
            .request(&GET)
            .path_param("widget_id", "w 1")
            .send_json::<Page>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("items[1].created_at"));
        assert_eq!(error.status(), Some(200));
        let shown = error.to_string();
        assert!(
            shown.starts_with(
                "GET /v1/widgets/{widget_id} (getWidget): could not decode response at `items[1].created_at`: "
            ),
            "{shown}"
        );
        assert!(shown.ends_with(&format!("; body starts: {body}")), "{shown}");
        assert!(!shown.contains("w%201"), "{shown}");
    }

    #[tokio::test]
    async fn trailing_garbage_is_a_decode_error() {
        let server = test_server::serve(vec![response("200 OK", "{} x")]).await;
        let error = runtime(&server.base_url)
            .request(&LIST)
            .send_json::<serde_json::Value>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("."));
    }

    #[tokio::test]
    async fn send_bytes_returns_the_raw_body() {
        let server = test_server::serve(vec![response("200 OK", "a,b\n1,2\n")]).await;
        let bytes = runtime(&server.base_url).request(&LIST).send_bytes().await.unwrap();
        assert_eq!(bytes, b"a,b\n1,2\n");
        let request = &server.requests().await[0];
        assert!(!request.contains("accept: application/json"), "{request}");
    }

    #[tokio::test]
    async fn multipart_sends_text_and_file_parts() {
        let server = test_server::serve(vec![response("200 OK", r#"{"ok":true}"#)]).await;
        let form = MultipartForm::new()
            .text("purpose", "import")
            .file(
                "file",
                FileUpload::new("rows.csv", b"a,b\n1,2\n".to_vec()).content_type("text/csv"),
            )
            .file("raw", FileUpload::new("blob.bin", vec![0_u8, 1, 2]));
        let _: serde_json::Value = runtime(&server.base_url)
            .request(&UPLOAD)
            .multipart(form)
            .send_json()
            .await
            .unwrap();
        let request = &server.requests().await[0];
        assert!(
            request.contains("\r\ncontent-type: multipart/form-data; boundary="),
            "{request}"
        );
        assert!(
            request.contains("Content-Disposition: form-data; name=\"purpose\"\r\n\r\nimport\r\n"),
            "{request}"
        );
        assert!(
            request.contains(
                "Content-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n"
            ),
            "{request}"
        );
        assert!(
            request.contains("filename=\"blob.bin\"\r\nContent-Type: application/octet-stream"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn invalid_multipart_content_type_is_an_invalid_request() {
        let form = MultipartForm::new().file("file", FileUpload::new("a", vec![1]).content_type("not a mime"));
        let error = runtime("http://127.0.0.1:1")
            .request(&UPLOAD)
            .multipart(form)
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert!(!error.request_sent());
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
        let _: serde_json::Value = runtime.request(&UPLOAD).multipart(form).send_json().await.unwrap();
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

    #[tokio::test]
    async fn invalid_requests_make_no_attempt() {
        let error = runtime("http://127.0.0.1:1")
            .request(&GET)
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert_eq!(error.attempts(), 0);
    }

    /// A runtime whose retries wait on a recording clock, and the clock.
    fn recording_runtime(builder: ConfigBuilder) -> (Runtime, RecordingClock) {
        let clock = RecordingClock::new();
        (builder.clock(clock.clone()).build(&[]).unwrap(), clock)
    }

    /// Each sleep is the expected backoff in seconds times a jitter factor in [0.75, 1].
    fn assert_backoff(sleeps: &[Duration], expected: &[f64]) {
        assert_eq!(sleeps.len(), expected.len(), "{sleeps:?}");
        for (sleep, base) in sleeps.iter().zip(expected) {
            let secs = sleep.as_secs_f64();
            assert!(
                secs >= base * 0.75 && secs <= *base,
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
