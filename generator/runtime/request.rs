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
//! pub fn get_widget(&self, widget_id: &str) -> ResponseFuture<Widget> {
//!     self.runtime
//!         .request(&GET_WIDGET)
//!         .path_param("widget_id", widget_id)
//!         .query_opt("view", view.as_ref())
//!         .send_json()
//! }
//! ```
//!
//! Builder methods never fail on the spot: the first problem is kept and returned by `send_*`, so
//! generated code stays one chain without `?` after every step.
//!
//! Sending is not done here: `send_*` checks the request once and hands it to the send loop
//! (`send.rs`), which retries failed attempts.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::runtime::config::Runtime;
use crate::runtime::error::Error;
use crate::runtime::future::{AsBytes, ByStatus, FromStatus, NoBody, ResponseFuture, Sending};
use crate::runtime::multipart::MultipartForm;
use crate::runtime::operation::Operation;
use crate::runtime::options::RequestOptions;
use crate::runtime::params::{self, encode_component, QueryValue};
use crate::runtime::response::Response;
use crate::runtime::send::{send, PreparedRequest, RequestBody};

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
        let encoded = encode_component(value);
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
    pub fn json<B: serde::Serialize + ?Sized>(self, body: &B) -> Self {
        self.json_bytes(serde_json::to_vec(body))
    }

    /// The part of [`json`](Self::json) that does not depend on the body's type.
    fn json_bytes(mut self, serialized: serde_json::Result<Vec<u8>>) -> Self {
        match serialized {
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
    /// [`params::object_fields`] for how values become text).
    pub fn form<B: serde::Serialize + ?Sized>(self, body: &B) -> Self {
        let bytes = params::form_urlencoded(body).into_bytes();
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
    pub fn send_json<T: serde::de::DeserializeOwned>(self) -> ResponseFuture<T> {
        self.send_as(Some(json_accept()))
    }

    /// Like [`send_json`](Self::send_json), and also returns the status, headers and attempts.
    pub fn send_json_with_response<T: serde::de::DeserializeOwned>(self) -> ResponseFuture<Response<T>> {
        self.send_as(Some(json_accept()))
    }

    /// Sends the request and returns the raw 2xx body.
    pub fn send_bytes(self) -> ResponseFuture<Vec<u8>, AsBytes> {
        self.send_as(None)
    }

    /// Like [`send_bytes`](Self::send_bytes), and also returns the status, headers and attempts.
    pub fn send_bytes_with_response(self) -> ResponseFuture<Response<Vec<u8>>, AsBytes> {
        self.send_as(None)
    }

    /// Sends the request and ignores the 2xx body, for operations that declare none.
    pub fn send_empty(self) -> ResponseFuture<(), NoBody> {
        self.send_as(None)
    }

    /// Like [`send_empty`](Self::send_empty), and also returns the status, headers and attempts.
    pub fn send_empty_with_response(self) -> ResponseFuture<Response<()>, NoBody> {
        self.send_as(None)
    }

    /// Sends the request; the outcome type `T` makes the value from the 2xx status and body.
    pub fn send_by_status<T: FromStatus>(self) -> ResponseFuture<T, ByStatus> {
        self.send_as(None)
    }

    /// Like [`send_by_status`](Self::send_by_status), and also returns the status, headers and
    /// attempts.
    pub fn send_by_status_with_response<T: FromStatus>(self) -> ResponseFuture<Response<T>, ByStatus> {
        self.send_as(None)
    }

    /// The future of this request; what its value is, is in the future's type.
    fn send_as<T, How>(self, accept: Option<HeaderValue>) -> ResponseFuture<T, How> {
        let operation = self.operation;
        ResponseFuture::new(self.send_raw(accept), operation)
    }

    /// Everything of sending that does not depend on the response's type, as one future.
    fn send_raw(self, accept: Option<HeaderValue>) -> Sending {
        Box::pin(async move { send(self.prepare(accept)?).await })
    }

    /// Turns the builder into something that can be sent, or returns the first deferred error.
    /// `accept` is sent unless the request sets its own `accept` header.
    pub(crate) fn prepare(mut self, accept: Option<HeaderValue>) -> Result<PreparedRequest, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if let Some(name) = first_unfilled_parameter(&self.path) {
            let message = format!("path parameter `{name}` was not set");
            return Err(Error::invalid_request(self.operation, message));
        }
        // Before the URL is built: an API key may go in the query string.
        let credentials = self.runtime.credentials();
        credentials.apply(self.operation, &mut self.query, &mut self.headers)?;
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

/// The `accept` header of requests whose response is JSON.
fn json_accept() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, request_line, response, runtime};

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
    static ITEM: Operation = Operation {
        id: "getItem",
        method: Method::Delete,
        path: "/v1/widgets/{widget_id}/items/{item_id}",
    };

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
        let created = runtime(&format!("{}/", server.base_url))
            .request(&CREATE)
            .query("dry_run", &true)
            .json(&Create { name: "first" })
            .send_json::<Created>()
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
    async fn send_bytes_returns_the_raw_body() {
        let server = test_server::serve(vec![response("200 OK", "a,b\n1,2\n")]).await;
        let bytes = runtime(&server.base_url).request(&LIST).send_bytes().await.unwrap();
        assert_eq!(bytes, b"a,b\n1,2\n");
        let request = &server.requests().await[0];
        assert!(!request.contains("accept: application/json"), "{request}");
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
}
