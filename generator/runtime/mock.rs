//! The mock server behind the crate's `mock` feature: a [`wiremock`] server that knows the API.
//!
//! The generated `mock` module describes every operation as a static [`SpecOperation`] and wraps
//! [`MockApi`] in a typed `MockServer`. This module is the generic part:
//!
//! - every request is checked against the operations first ([`check_request`]): a request the
//!   API would reject is answered with [`VIOLATION_STATUS`] and recorded, and the test fails with
//!   the place and the reason when the server is dropped or verified;
//! - an [`Expectation`] matches one operation by its path parameters, query parameters and body,
//!   and is mounted with a response, optionally expecting a number of calls (wiremock verifies
//!   those when the server is dropped, naming the operation and listing what came instead);
//! - [`MockApi::answer_with_examples`] answers every operation from the spec's examples.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use wiremock::{Match, Mock, Request};

use crate::runtime::auth::{first_met, Location, OperationSecurity, SecurityScheme};

pub use wiremock::ResponseTemplate;

/// The status a request the API would reject is answered with; its JSON body is
/// `{"mock_violation": "<where and why>"}`.
pub const VIOLATION_STATUS: u16 = 400;

/// The status an operation is answered with by [`MockApi::answer_with_examples`] when the spec
/// gives no example of its success body, with `{"mock_no_example": "<which operation, and what to do>"}`.
pub const NO_EXAMPLE_STATUS: u16 = 501;

/// Mocks an expectation mounts: below the spec check (priority 1, which must see every request),
/// above the examples.
const EXPECTATION_PRIORITY: u8 = 5;
const EXAMPLE_PRIORITY: u8 = 10;

/// Every operation of an API.
pub type Operations = &'static [&'static SpecOperation];

/// One operation as the spec declares it: what the mock accepts and answers.
#[derive(Debug)]
pub struct SpecOperation {
    pub id: &'static str,
    /// The method on the wire, e.g. `GET`.
    pub method: &'static str,
    /// The path template, e.g. `/v5/evaluations/{evaluation_id}`.
    pub path: &'static str,
    pub params: &'static [SpecParam],
    pub body: SpecBody,
    /// The first declared success status: what a typed `respond` sends.
    pub success_status: u16,
    pub example: Example,
}

/// The request body an operation takes.
#[derive(Debug)]
pub enum SpecBody {
    None,
    /// JSON that must decode into the operation's body type (the checker does that decoding).
    Json {
        required: bool,
        check: Decoder,
    },
    /// Form, multipart or raw bytes: only its presence is checked.
    Other {
        required: bool,
    },
}

/// Decodes bytes into one type, or says where and why they do not.
pub type Decoder = fn(&[u8]) -> Result<(), String>;

/// What [`MockApi::answer_with_examples`] answers an operation with.
#[derive(Debug)]
pub enum Example {
    /// The example JSON of the success response, with the check that it decodes into its type.
    Json { text: &'static str, check: Decoder },
    /// The operation answers without a body: nothing to exemplify.
    Empty,
    /// The spec has no example of the body: answered with [`NO_EXAMPLE_STATUS`].
    Missing,
}

/// One declared parameter.
#[derive(Debug)]
pub struct SpecParam {
    /// The name on the wire.
    pub name: &'static str,
    pub location: ParamIn,
    pub required: bool,
    pub shape: ParamShape,
    /// What each value must look like.
    pub value: ValueKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
    Cookie,
}

/// How a parameter appears on the wire, as far as the checker reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamShape {
    /// One value.
    One,
    /// Values joined with this separator.
    Joined(char),
    /// The parameter repeated, one value each.
    Repeated,
    /// An object whose fields are query parameters of their own (any names).
    Fields,
    /// An object as `name[key]=value` pairs.
    Keyed,
    /// JSON text or another form the checker does not read.
    Opaque,
}

/// The values a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Integer,
    Number,
    Boolean,
    DateTime,
    OneOf(&'static [&'static str]),
    Any,
}

/// Decodes `bytes` as JSON into `T`; the error names the JSON path that failed.
pub fn decodes_as<T: DeserializeOwned>(bytes: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(_) => Ok(()),
        Err(error) => Err(format!(
            "does not decode into `{}` at `{}`: {}",
            short_type_name::<T>(),
            crate::runtime::decode::error_path(bytes, &error),
            error
        )),
    }
}

/// `crate::types::Evaluation` → `Evaluation`, for messages.
fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    let start = base.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

/// A success with a JSON body.
pub fn json_response<T: Serialize>(status: u16, body: &T) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A success with raw bytes.
pub fn bytes_response(status: u16, body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/octet-stream")
}

/// A response without a body.
pub fn empty_response(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
}

/// A running mock of one API: the wiremock server, the operations it checks requests against and
/// the violations it has seen.
pub struct MockApi {
    server: wiremock::MockServer,
    operations: Operations,
    violations: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for MockApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockApi").field("uri", &self.server.uri()).finish()
    }
}

impl MockApi {
    /// Starts a server on 127.0.0.1 that answers nothing but spec violations yet.
    pub async fn start(operations: Operations, credentials: Credentials) -> Self {
        let server = wiremock::MockServer::start().await;
        let violations = Arc::new(Mutex::new(Vec::new()));
        let check = SpecCheck {
            operations,
            credentials,
            violations: violations.clone(),
        };
        // The check runs again for the answer: a wiremock matcher cannot hand its finding over.
        let answer_violation = move |request: &Request| {
            let reason = check_request(operations, credentials, request)
                .err()
                .unwrap_or_default();
            json_response(VIOLATION_STATUS, &serde_json::json!({ "mock_violation": reason }))
        };
        server
            .register(
                Mock::given(check)
                    .respond_with(answer_violation)
                    .with_priority(1)
                    .named("the spec check"),
            )
            .await;
        MockApi {
            server,
            operations,
            violations,
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The wiremock server underneath, to mount mocks of one's own.
    pub fn wiremock(&self) -> &wiremock::MockServer {
        &self.server
    }

    /// Answers every operation that no expectation answers: with its example, with no body when it
    /// has none to give, and with [`NO_EXAMPLE_STATUS`] when the spec has no example.
    pub async fn answer_with_examples(&self) {
        for operation in self.operations {
            let template = match &operation.example {
                Example::Json { text, .. } => ResponseTemplate::new(operation.success_status)
                    .set_body_raw(text.as_bytes().to_vec(), "application/json"),
                Example::Empty => empty_response(operation.success_status),
                Example::Missing => json_response(
                    NO_EXAMPLE_STATUS,
                    &serde_json::json!({
                        "mock_no_example": format!(
                            "the spec has no example for `{}`; mount an expectation for it",
                            operation.id
                        )
                    }),
                ),
            };
            let mock = Mock::given(ExpectationMatch::any(self.operations, operation))
                .respond_with(template)
                .with_priority(EXAMPLE_PRIORITY)
                .named(format!("the example of {}", describe(operation)));
            self.server.register(mock).await;
        }
    }

    /// The spec violations seen so far, and forgets them (so that dropping the server does not
    /// fail the test for them).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.violations))
    }

    /// Panics when a request violated the spec or an expectation's call count is not met.
    pub async fn verify(&self) {
        let violations = self.take_violations();
        if !violations.is_empty() {
            panic!("{}", violation_report(&violations));
        }
        self.server.verify().await;
    }
}

impl Drop for MockApi {
    /// A violation nobody took fails the test. (wiremock checks the call counts after this.)
    fn drop(&mut self) {
        let violations = self.take_violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("{}", violation_report(&violations));
        }
    }
}

fn violation_report(violations: &[String]) -> String {
    let mut report = format!(
        "the mock server received {} request(s) that the API would reject:\n",
        violations.len()
    );
    for violation in violations {
        let _ = writeln!(report, "- {violation}");
    }
    report
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every operation whose example does not decode into its type, with where and why.
pub fn example_problems(operations: Operations) -> Vec<String> {
    operations
        .iter()
        .filter_map(|operation| match &operation.example {
            Example::Json { text, check } => check(text.as_bytes())
                .err()
                .map(|reason| format!("the example of {}: {reason}", describe(operation))),
            _ => None,
        })
        .collect()
}

/// The operations the spec gives no example for (answered with [`NO_EXAMPLE_STATUS`]).
pub fn operations_without_examples(operations: Operations) -> Vec<&'static str> {
    operations
        .iter()
        .filter(|operation| matches!(operation.example, Example::Missing))
        .map(|operation| operation.id)
        .collect()
}

/// `retrieveEvaluation (GET /v5/evaluations/{evaluation_id})`.
fn describe(operation: &SpecOperation) -> String {
    format!("`{}` ({} {})", operation.id, operation.method, operation.path)
}

/// Matches the requests that violate the spec, recording why.
struct SpecCheck {
    operations: Operations,
    credentials: Credentials,
    violations: Arc<Mutex<Vec<String>>>,
}

impl Match for SpecCheck {
    fn matches(&self, request: &Request) -> bool {
        match check_request(self.operations, self.credentials, request) {
            Ok(_) => false,
            Err(reason) => {
                lock(&self.violations).push(reason);
                true
            }
        }
    }
}

/// The operation a request is for, or why the API would reject it: no operation has its method
/// and path, or a parameter or the body is missing, unknown or of the wrong type.
pub fn check_request(
    operations: Operations,
    credentials: Credentials,
    request: &Request,
) -> Result<&'static SpecOperation, String> {
    let method = request.method.as_str();
    let path = request.url.path();
    let place = format!("{method} {path}");
    let operation = find_operation(operations, method, path).map_err(|reason| format!("{place}: {reason}"))?;
    check_operation(operation, credentials, request)
        .map_err(|reason| format!("{place} (`{}`): {reason}", operation.id))?;
    Ok(operation)
}

/// The API's security schemes and what each operation requires (the client's own tables), so that
/// a request without the credentials its operation needs is a violation, as the service would
/// refuse it, and a credential in the query string is not an unknown parameter.
#[derive(Clone, Copy, Debug)]
pub struct Credentials {
    pub schemes: &'static [SecurityScheme],
    pub security: &'static OperationSecurity,
}

impl Credentials {
    /// No scheme and no requirement (for tests of the other checks).
    pub const NONE: Credentials = Credentials {
        schemes: &[],
        security: &OperationSecurity::NONE,
    };

    fn query_parameters(&self) -> impl Iterator<Item = &'static str> {
        self.schemes
            .iter()
            .filter(|scheme| scheme.location == Location::Query)
            .map(|scheme| scheme.parameter)
    }
}

/// Whether the request carries every credential of at least one alternative its operation accepts.
fn check_credentials(
    credentials: Credentials,
    operation: &SpecOperation,
    request: &Request,
    query: &[(String, String)],
) -> Result<(), String> {
    let requirements = credentials.security.requirements_of(operation.id);
    let carried = |name: &str| {
        credentials
            .schemes
            .iter()
            .find(|scheme| scheme.name == name)
            .is_some_and(|scheme| carries(scheme, request, query))
    };
    if requirements.is_empty() || first_met(requirements, carried).is_some() {
        return Ok(());
    }
    let alternatives: Vec<String> = requirements
        .iter()
        .map(|alternative| {
            let schemes: Vec<String> = alternative
                .iter()
                .map(|name| describe_scheme(credentials, name))
                .collect();
            schemes.join(" and ")
        })
        .collect();
    Err(format!(
        "the request carries no credentials its `security` accepts: {}",
        alternatives.join(", or ")
    ))
}

fn carries(scheme: &SecurityScheme, request: &Request, query: &[(String, String)]) -> bool {
    match scheme.location {
        Location::Header => request.headers.contains_key(scheme.parameter),
        Location::Query => query.iter().any(|(name, _)| name == scheme.parameter),
        Location::Cookie => request
            .headers
            .get_all(reqwest::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .any(|cookie| cookie.trim_start().split('=').next() == Some(scheme.parameter)),
    }
}

/// `api_key` (header `x-api-key`).
fn describe_scheme(credentials: Credentials, name: &str) -> String {
    match credentials.schemes.iter().find(|scheme| scheme.name == name) {
        Some(scheme) => format!("`{name}` ({} `{}`)", scheme.location.as_str(), scheme.parameter),
        None => format!("`{name}`"),
    }
}

fn find_operation(operations: Operations, method: &str, path: &str) -> Result<&'static SpecOperation, String> {
    let by_path: Vec<&SpecOperation> = operations
        .iter()
        .copied()
        .filter(|operation| path_params(operation.path, path).is_some())
        .collect();
    if by_path.is_empty() {
        return Err("no operation of the API has this path".to_owned());
    }
    // Where templates overlap (`/files/{id}` and `/files/content`), the most literal one wins.
    by_path
        .iter()
        .filter(|operation| operation.method.eq_ignore_ascii_case(method))
        .min_by_key(|operation| operation.path.matches('{').count())
        .copied()
        .ok_or_else(|| {
            let allowed: Vec<&str> = by_path.iter().map(|operation| operation.method).collect();
            format!("the path takes {}, not {method}", allowed.join(", "))
        })
}

fn check_operation(operation: &SpecOperation, credentials: Credentials, request: &Request) -> Result<(), String> {
    let path = path_params(operation.path, request.url.path()).unwrap_or_default();
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    for param in operation.params {
        match param.location {
            ParamIn::Path => {
                if let Some((_, value)) = path.iter().find(|(name, _)| *name == param.name) {
                    check_value(param, value).map_err(|reason| format!("path parameter `{}` {reason}", param.name))?;
                }
            }
            ParamIn::Query => check_query_param(param, &query)?,
            ParamIn::Header => {
                if param.required && !request.headers.contains_key(param.name) {
                    return Err(format!("the required header `{}` is missing", param.name));
                }
            }
            ParamIn::Cookie => {}
        }
    }
    check_unknown_query(operation.params, credentials, &query)?;
    check_credentials(credentials, operation, request, &query)?;
    check_body(&operation.body, &request.body)
}

fn check_query_param(param: &SpecParam, query: &[(String, String)]) -> Result<(), String> {
    let values: Vec<&str> = query
        .iter()
        .filter(|(name, _)| name == param.name)
        .map(|(_, value)| value.as_str())
        .collect();
    let present = match param.shape {
        // Their keys are the object's fields, so presence cannot be told by the name.
        ParamShape::Fields => true,
        ParamShape::Keyed => query.iter().any(|(name, _)| keyed_owner(name) == Some(param.name)),
        _ => !values.is_empty(),
    };
    if param.required && !present {
        return Err(format!("the required query parameter `{}` is missing", param.name));
    }
    if values.len() > 1 && param.shape != ParamShape::Repeated {
        return Err(format!(
            "the query parameter `{}` is given {} times",
            param.name,
            values.len()
        ));
    }
    for value in values {
        check_value(param, value).map_err(|reason| format!("query parameter `{}` {reason}", param.name))?;
    }
    Ok(())
}

/// Query parameters the operation does not declare. An object spread into fields of its own
/// (`form`, exploded) can have any names, so then none is unknown.
fn check_unknown_query(
    params: &[SpecParam],
    credentials: Credentials,
    query: &[(String, String)],
) -> Result<(), String> {
    let query_params = || params.iter().filter(|p| p.location == ParamIn::Query);
    if query_params().any(|p| p.shape == ParamShape::Fields) {
        return Ok(());
    }
    for (name, _) in query {
        let known = query_params()
            .any(|p| p.name == name || (p.shape == ParamShape::Keyed && keyed_owner(name) == Some(p.name)))
            || credentials.query_parameters().any(|parameter| parameter == name);
        if !known {
            let declared: Vec<&str> = query_params().map(|p| p.name).collect();
            return Err(format!(
                "unknown query parameter `{name}` (declared: {})",
                if declared.is_empty() {
                    "none".to_owned()
                } else {
                    declared.join(", ")
                }
            ));
        }
    }
    Ok(())
}

/// `filter[name]` → `filter`.
fn keyed_owner(name: &str) -> Option<&str> {
    let (owner, rest) = name.split_once('[')?;
    rest.ends_with(']').then_some(owner)
}

fn check_body(body: &SpecBody, bytes: &[u8]) -> Result<(), String> {
    match body {
        SpecBody::None => Ok(()),
        SpecBody::Json { required, check } => {
            if bytes.is_empty() {
                return if *required {
                    Err("the required body is missing".to_owned())
                } else {
                    Ok(())
                };
            }
            check(bytes).map_err(|reason| format!("the body {reason}"))
        }
        SpecBody::Other { required } => {
            if *required && bytes.is_empty() {
                Err("the required body is missing".to_owned())
            } else {
                Ok(())
            }
        }
    }
}

/// Checks one parameter's text: each piece of it, for parameters that join several values.
fn check_value(param: &SpecParam, text: &str) -> Result<(), String> {
    let pieces: Vec<&str> = match param.shape {
        ParamShape::Joined(separator) => text.split(separator).collect(),
        ParamShape::One | ParamShape::Repeated => vec![text],
        _ => return Ok(()),
    };
    for piece in pieces {
        check_kind(param.value, piece)?;
    }
    Ok(())
}

fn check_kind(kind: ValueKind, text: &str) -> Result<(), String> {
    let valid = match kind {
        ValueKind::Text | ValueKind::Any => true,
        ValueKind::Integer => text.parse::<i64>().is_ok(),
        ValueKind::Number => text.parse::<f64>().is_ok(),
        ValueKind::Boolean => text == "true" || text == "false",
        ValueKind::DateTime => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        ValueKind::OneOf(values) => {
            if values.contains(&text) {
                true
            } else {
                return Err(format!("is `{text}`, not one of {}", values.join(", ")));
            }
        }
    };
    if valid {
        Ok(())
    } else {
        Err(format!("is `{text}`, not {}", kind_name(kind)))
    }
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Integer => "an integer",
        ValueKind::Number => "a number",
        ValueKind::Boolean => "`true` or `false`",
        ValueKind::DateTime => "an RFC 3339 date-time",
        _ => "valid",
    }
}

/// The path parameters of `path` (percent-decoded) when it matches `template`.
fn path_params(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let template_segments: Vec<&'static str> = template.trim_start_matches('/').split('/').collect();
    let path_segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (pattern, segment) in template_segments.into_iter().zip(path_segments) {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        match template_param(pattern) {
            Some((prefix, name, suffix)) => {
                let value = decoded.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if value.is_empty() {
                    return None;
                }
                params.push((name, value.to_owned()));
            }
            None if pattern == decoded => {}
            None => return None,
        }
    }
    Some(params)
}

/// `v{version}.json` → (`v`, `version`, `.json`).
fn template_param(pattern: &'static str) -> Option<(&'static str, &'static str, &'static str)> {
    let (prefix, rest) = pattern.split_once('{')?;
    let (name, suffix) = rest.split_once('}')?;
    Some((prefix, name, suffix))
}

/// What one expectation matches, besides its operation.
type BodyMatch = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// Matches the requests of one operation with the given path parameters, query pairs and body.
struct ExpectationMatch {
    /// The API's operations: a request is for `operation` only when [`find_operation`] picks it
    /// among them (where templates overlap, the most literal one wins).
    operations: Operations,
    operation: &'static SpecOperation,
    path: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    body: Option<BodyMatch>,
}

impl ExpectationMatch {
    fn any(operations: Operations, operation: &'static SpecOperation) -> Self {
        ExpectationMatch {
            operations,
            operation,
            path: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }
}

impl Match for ExpectationMatch {
    fn matches(&self, request: &Request) -> bool {
        let (method, request_path) = (request.method.as_str(), request.url.path());
        if !self.operation.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let Some(path) = path_params(self.operation.path, request_path) else {
            return false;
        };
        // wiremock asks every mounted expectation in turn, so the search through all operations
        // runs only for a request this one's own template takes, and only when a more literal
        // template could take it too (a template without parameters is the most literal).
        let could_be_another = self.operation.path.contains('{');
        if could_be_another
            && !find_operation(self.operations, method, request_path)
                .is_ok_and(|found| std::ptr::eq(found, self.operation))
        {
            return false;
        }
        if !self.path.iter().all(|expected| path.contains(expected)) {
            return false;
        }
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        if !self.query.iter().all(|expected| query.contains(expected)) {
            return false;
        }
        self.body.as_ref().is_none_or(|matches| matches(&request.body))
    }
}

/// A typed expectation under construction: the generated `…Expectation` types fill it in and
/// mount it with their typed responses.
pub struct Expectation<'s> {
    api: &'s MockApi,
    matcher: ExpectationMatch,
    times: Option<u64>,
    up_to: Option<u64>,
    /// What it matches, for the name wiremock reports it by.
    conditions: Vec<String>,
}

impl std::fmt::Debug for Expectation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expectation").field("name", &self.name()).finish()
    }
}

impl<'s> Expectation<'s> {
    pub fn new(api: &'s MockApi, operation: &'static SpecOperation) -> Self {
        Expectation {
            api,
            matcher: ExpectationMatch::any(api.operations, operation),
            times: None,
            up_to: None,
            conditions: Vec::new(),
        }
    }

    /// Only requests with this path parameter (its text before percent-encoding).
    pub fn path_param(mut self, name: &'static str, text: String) -> Self {
        self.conditions.push(format!("{name} = {text:?}"));
        self.matcher.path.push((name, text));
        self
    }

    /// Only requests with this query pair (text before percent-encoding); several pairs of one name
    /// must all be there.
    pub fn query(mut self, name: &str, text: String) -> Self {
        self.conditions.push(format!("query {name}={text:?}"));
        self.matcher.query.push((name.to_owned(), text));
        self
    }

    /// Only requests whose JSON body equals `body`.
    pub fn body_equal_to<T: Serialize>(mut self, body: &T) -> Self {
        let expected = serde_json::to_value(body).unwrap_or_default();
        self.conditions.push(format!("body = {expected}"));
        self.matcher.body = Some(Arc::new(move |bytes: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|actual| actual == expected)
        }));
        self
    }

    /// Only requests whose body decodes into `T` and satisfies `predicate`.
    pub fn body_matching<T: DeserializeOwned>(
        mut self,
        predicate: impl Fn(&T) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.conditions
            .push(format!("body: a `{}` the predicate accepts", short_type_name::<T>()));
        self.matcher.body = Some(Arc::new(move |bytes: &[u8]| {
            serde_json::from_slice::<T>(bytes).is_ok_and(|body| predicate(&body))
        }));
        self
    }

    /// Expects exactly `n` matching requests by the time the server is dropped or verified.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Answers at most `n` matching requests; later ones go to the expectations mounted after it
    /// (a fault first, then a success). Panics when `n` is 0.
    pub fn up_to_n_times(mut self, n: u64) -> Self {
        self.up_to = Some(n);
        self
    }

    /// Mounts the expectation, answering with `template`.
    pub async fn mount(self, template: ResponseTemplate) {
        let name = self.name();
        let mut mock = Mock::given(self.matcher)
            .respond_with(template)
            .with_priority(EXPECTATION_PRIORITY)
            .named(name);
        if let Some(n) = self.times {
            mock = mock.expect(n);
        }
        if let Some(n) = self.up_to {
            mock = mock.up_to_n_times(n);
        }
        self.api.server.register(mock).await;
    }

    fn name(&self) -> String {
        let mut name = describe(self.matcher.operation);
        if !self.conditions.is_empty() {
            name.push_str(" where ");
            name.push_str(&self.conditions.join(", "));
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static PARAMS: &[SpecParam] = &[
        SpecParam {
            name: "widget_id",
            location: ParamIn::Path,
            required: true,
            shape: ParamShape::One,
            value: ValueKind::Integer,
        },
        SpecParam {
            name: "sort",
            location: ParamIn::Query,
            required: false,
            shape: ParamShape::One,
            value: ValueKind::OneOf(&["asc", "desc"]),
        },
        SpecParam {
            name: "tags",
            location: ParamIn::Query,
            required: false,
            shape: ParamShape::Joined(','),
            value: ValueKind::Boolean,
        },
    ];

    static GET_WIDGET: SpecOperation = SpecOperation {
        id: "getWidget",
        method: "GET",
        path: "/v1/widgets/{widget_id}",
        params: PARAMS,
        body: SpecBody::None,
        success_status: 200,
        example: Example::Empty,
    };
    static CREATE_WIDGET: SpecOperation = SpecOperation {
        id: "createWidget",
        method: "POST",
        path: "/v1/widgets",
        params: &[],
        body: SpecBody::Json {
            required: true,
            check: decodes_as::<Widget>,
        },
        success_status: 201,
        example: Example::Missing,
    };
    static GET_LATEST: SpecOperation = SpecOperation {
        id: "getLatest",
        method: "GET",
        path: "/v1/widgets/latest",
        params: &[],
        body: SpecBody::None,
        success_status: 200,
        example: Example::Empty,
    };
    static OPERATIONS: Operations = &[&GET_WIDGET, &CREATE_WIDGET, &GET_LATEST];

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Widget {
        name: String,
        sizes: Vec<i64>,
    }

    fn request(method: &str, url: &str, body: &str) -> Request {
        Request {
            url: url.parse().unwrap(),
            method: method.parse().unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn check(method: &str, path_and_query: &str, body: &str) -> Result<&'static str, String> {
        let url = format!("http://127.0.0.1:1{path_and_query}");
        check_request(OPERATIONS, Credentials::NONE, &request(method, &url, body)).map(|operation| operation.id)
    }

    #[test]
    fn requests_the_api_accepts_pass() {
        assert_eq!(
            check("GET", "/v1/widgets/12?sort=asc&tags=true,false", ""),
            Ok("getWidget")
        );
        assert_eq!(check("GET", "/v1/widgets/latest", ""), Ok("getLatest"));
        assert_eq!(
            check("POST", "/v1/widgets", r#"{"name":"a","sizes":[1]}"#),
            Ok("createWidget")
        );
    }

    #[test]
    fn a_request_without_the_credentials_its_operation_requires_is_a_violation() {
        use crate::runtime::auth::CredentialForm;
        let scheme = |name, location, parameter| SecurityScheme {
            name,
            location,
            parameter,
            form: CredentialForm::Raw,
            setter: name,
            env_var: None,
            required_by_every_operation: false,
        };
        static SCHEMES: std::sync::OnceLock<[SecurityScheme; 3]> = std::sync::OnceLock::new();
        let schemes = SCHEMES.get_or_init(|| {
            [
                scheme("header_key", Location::Header, "x-key"),
                scheme("query_key", Location::Query, "key"),
                scheme("cookie_key", Location::Cookie, "session"),
            ]
        });
        static SECURITY: OperationSecurity = OperationSecurity {
            default: &[&["header_key"], &["query_key", "cookie_key"]],
            by_operation: &[("getLatest", &[])],
        };
        let credentials = Credentials {
            schemes,
            security: &SECURITY,
        };
        let check = |url: &str, headers: &[(&str, &str)]| {
            let mut request = request("GET", &format!("http://127.0.0.1:1{url}"), "");
            for (name, value) in headers {
                request.headers.append(
                    reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            check_request(OPERATIONS, credentials, &request).map(|operation| operation.id)
        };
        assert_eq!(check("/v1/widgets/1", &[("x-key", "k")]), Ok("getWidget"));
        // The query credential is not an unknown parameter, and the cookie is read among others.
        assert_eq!(
            check("/v1/widgets/1?key=k", &[("cookie", "theme=dark; session=s")]),
            Ok("getWidget")
        );
        assert_eq!(
            check("/v1/widgets/latest", &[]),
            Ok("getLatest"),
            "security: [] needs nothing"
        );
        assert_eq!(
            check("/v1/widgets/1?key=k", &[]),
            Err(
                "GET /v1/widgets/1 (`getWidget`): the request carries no credentials its `security` \
                 accepts: `header_key` (header `x-key`), or `query_key` (query `key`) and `cookie_key` \
                 (cookie `session`)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn each_reason_for_rejecting_is_named_with_the_place() {
        assert_eq!(
            check("GET", "/v1/widgets/x", ""),
            Err("GET /v1/widgets/x (`getWidget`): path parameter `widget_id` is `x`, not an integer".to_owned())
        );
        let cases = [
            (
                "GET",
                "/v2/widgets",
                "",
                "GET /v2/widgets: no operation of the API has this path",
            ),
            (
                "DELETE",
                "/v1/widgets",
                "",
                "DELETE /v1/widgets: the path takes POST, not DELETE",
            ),
            (
                "GET",
                "/v1/widgets/abc",
                "",
                "path parameter `widget_id` is `abc`, not an integer",
            ),
            (
                "GET",
                "/v1/widgets/1?sort=up",
                "",
                "query parameter `sort` is `up`, not one of asc, desc",
            ),
            (
                "GET",
                "/v1/widgets/1?tags=true,maybe",
                "",
                "query parameter `tags` is `maybe`, not `true` or `false`",
            ),
            (
                "GET",
                "/v1/widgets/1?limit=2",
                "",
                "unknown query parameter `limit` (declared: sort, tags)",
            ),
            (
                "GET",
                "/v1/widgets/1?sort=asc&sort=desc",
                "",
                "the query parameter `sort` is given 2 times",
            ),
            ("POST", "/v1/widgets", "", "the required body is missing"),
            (
                "POST",
                "/v1/widgets",
                r#"{"name":"a","sizes":[1,"x"]}"#,
                "the body does not decode into `Widget` at `sizes[1]`: invalid type: string \"x\", expected i64",
            ),
        ];
        for (method, path, body, reason) in cases {
            let error = check(method, path, body).expect_err(path);
            assert!(error.contains(reason), "{method} {path}: {error}");
        }
    }

    #[test]
    fn path_parameters_are_percent_decoded_and_templates_may_have_affixes() {
        assert_eq!(
            path_params("/a/{id}/b", "/a/x%20y/b"),
            Some(vec![("id", "x y".to_owned())])
        );
        assert_eq!(
            path_params("/files/v{version}.json", "/files/v2.json"),
            Some(vec![("version", "2".to_owned())])
        );
        assert_eq!(path_params("/a/{id}", "/a/"), None);
        assert_eq!(path_params("/a/{id}", "/a/b/c"), None);
    }

    #[test]
    fn an_expectation_matches_its_operation_parameters_and_body() {
        let mut matcher = ExpectationMatch::any(OPERATIONS, &CREATE_WIDGET);
        let body = r#"{"name":"a","sizes":[1]}"#;
        assert!(matcher.matches(&request("POST", "http://127.0.0.1:1/v1/widgets", body)));
        assert!(!matcher.matches(&request("GET", "http://127.0.0.1:1/v1/widgets", body)));
        matcher.body = Some(Arc::new(|bytes: &[u8]| {
            serde_json::from_slice::<Widget>(bytes).is_ok_and(|w| w.sizes.len() == 2)
        }));
        assert!(!matcher.matches(&request("POST", "http://127.0.0.1:1/v1/widgets", body)));
        // `/v1/widgets/latest` fits `/v1/widgets/{widget_id}` too, but is `getLatest`'s.
        let any_widget = ExpectationMatch::any(OPERATIONS, &GET_WIDGET);
        assert!(any_widget.matches(&request("GET", "http://127.0.0.1:1/v1/widgets/7", "")));
        assert!(!any_widget.matches(&request("GET", "http://127.0.0.1:1/v1/widgets/latest", "")));
        let mut matcher = ExpectationMatch::any(OPERATIONS, &GET_WIDGET);
        matcher.path.push(("widget_id", "7".to_owned()));
        matcher.query.push(("sort".to_owned(), "asc".to_owned()));
        assert!(matcher.matches(&request("GET", "http://127.0.0.1:1/v1/widgets/7?sort=asc", "")));
        assert!(!matcher.matches(&request("GET", "http://127.0.0.1:1/v1/widgets/8?sort=asc", "")));
        assert!(!matcher.matches(&request("GET", "http://127.0.0.1:1/v1/widgets/7", "")));
    }

    #[test]
    fn examples_that_do_not_decode_are_reported() {
        static BAD_EXAMPLE: SpecOperation = SpecOperation {
            id: "createWidget",
            method: "POST",
            path: "/v1/widgets",
            params: &[],
            body: SpecBody::None,
            success_status: 201,
            example: Example::Json {
                text: r#"{"name":"a"}"#,
                check: decodes_as::<Widget>,
            },
        };
        static BAD_EXAMPLES: Operations = &[&BAD_EXAMPLE];
        assert_eq!(
            example_problems(BAD_EXAMPLES),
            ["the example of `createWidget` (POST /v1/widgets): does not decode into `Widget` at `sizes`: missing field `sizes` at line 1 column 12"]
        );
        assert_eq!(operations_without_examples(OPERATIONS), ["createWidget"]);
    }
}
