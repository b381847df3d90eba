//! The conformance harness: Prism serving the spec, a recording relay in front of it, the
//! generated client pointed at the relay, and the check that turns what Prism reported about each
//! exchange into a failure (or, for the responses Prism cannot generate, into a reported gap);
//! with the request bodies built in Rust (`bodies`) and the coverage read from the wire
//! (`coverage`).

pub mod bodies;
pub mod coverage;
pub mod prism;
pub mod relay;
pub mod spec;

use std::fmt;
use std::future::Future;

use serde_json::Value;
use sgp_evals::{Client, ClientBuilder, Error};

use prism::{Mode, Prism};
use relay::{Exchange, Relay};

/// Longest response or request body quoted in a failure message.
const MAX_QUOTE: usize = 1500;

/// What Prism found wrong with one exchange.
#[derive(Debug)]
pub struct Violation {
    /// `METHOD target`.
    pub request: String,
    pub status: u16,
    /// One line per entry of the `sl-violations` header: `[severity] location: message`.
    pub messages: Vec<String>,
    /// The response body (Prism's error response), quoted.
    pub body: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prism answered `{}` with {}", self.request, self.status)?;
        if self.messages.is_empty() {
            write!(f, " (no sl-violations header)")?;
        }
        for message in &self.messages {
            write!(f, "\n    {message}")?;
        }
        write!(f, "\n    body: {}", self.body)
    }
}

/// The harness's verdict on one exchange: a violation when Prism sent an `sl-violations` header
/// (at any severity), answered with 4xx/5xx (Prism runs with `--errors`, so an invalid request
/// gets an error status), or the relay could not pass the exchange on.
pub fn violation(exchange: &Exchange) -> Option<Violation> {
    let header = exchange.response_header("sl-violations");
    if header.is_none() && exchange.status < 400 && exchange.relay_error.is_none() {
        return None;
    }
    let mut messages = Vec::new();
    if let Some(error) = &exchange.relay_error {
        messages.push(format!("[relay] {error}"));
    }
    if let Some(header) = header {
        match serde_json::from_str::<Value>(header) {
            Ok(Value::Array(entries)) => messages.extend(entries.iter().map(describe_violation)),
            _ => messages.push(format!("[unparsed] {header}")),
        }
    }
    Some(Violation {
        request: format!("{} {}", exchange.method, exchange.target),
        status: exchange.status,
        messages,
        body: quote(&exchange.response_body),
    })
}

fn describe_violation(entry: &Value) -> String {
    let location: Vec<String> = entry["location"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|part| part.as_str().map_or_else(|| part.to_string(), str::to_string))
        .collect();
    format!(
        "[{}] {}: {} ({})",
        entry["severity"].as_str().unwrap_or("?"),
        location.join("."),
        entry["message"].as_str().unwrap_or("?"),
        entry["code"]
    )
}

/// A body as text for a failure message, cut at [`MAX_QUOTE`] bytes.
pub fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= MAX_QUOTE {
        return text.into_owned();
    }
    let mut end = MAX_QUOTE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], bytes.len())
}

/// Prism's issue about the failure [`prism_gap`] recognises.
pub const PRISM_CIRCULAR_REF_ISSUE: &str = "stoplightio/prism#2081";
/// The faker's issue about the invalid values [`faker_cut_off`] recognises.
pub const FAKER_CUT_OFF_ISSUE: &str = "json-schema-faker/json-schema-faker#345";

/// When Prism generates a response (dynamic mode) and meets a `$ref` that its dereferencing
/// turned into a pointer back into the operation (a schema that refers to itself), the faker it
/// uses cannot follow that pointer and Prism answers 500 `Prop not found: paths (#/paths/...)`
/// ([`PRISM_CIRCULAR_REF_ISSUE`]). That is Prism failing to produce a response, not a verdict
/// on the request or the client. Returns the pointer when the exchange is exactly that: a 500
/// from Prism whose pointer is, in our spec, a `$ref` to a self-referring schema.
pub fn prism_gap(exchange: &Exchange) -> Option<String> {
    if exchange.status != 500 || exchange.response_header("sl-violations").is_some() {
        return None;
    }
    let body: Value = serde_json::from_slice(&exchange.response_body).ok()?;
    let title = body["title"].as_str()?;
    let rest = title.strip_prefix("Error: Prop not found: paths (")?;
    let pointer = &rest[..rest.find(')')?];
    spec::is_circular_ref_at(pointer).then(|| pointer.to_string())
}

/// When Prism's faker stops expanding a self-referring schema it can put a stand-in that is
/// not a value of the schema: an object holding only the schema's `description` (seen with
/// `ContainerChild` in contributor-task layouts). The client rightly refuses it. Returns what
/// happened when the value at the client's decode path holds such a stand-in: an object whose
/// only key is `description`, equal to the description of a self-referring schema of our spec.
/// (The stand-in may sit deeper than the decode path: an untagged union reports its own
/// position when a member fails further down.)
pub fn faker_cut_off(response_body: &[u8], decode_path: &str) -> Option<String> {
    let body: Value = serde_json::from_slice(response_body).ok()?;
    let (at, schema) = stand_in(value_at(&body, decode_path)?, decode_path.to_string())?;
    Some(format!(
        "a value its schema does not allow: at `{at}` only the `description` of `{schema}`, a \
         schema that refers to itself ({FAKER_CUT_OFF_ISSUE})"
    ))
}

/// The first stand-in (see [`faker_cut_off`]) in `node` or below: its path and schema.
fn stand_in(node: &Value, path: String) -> Option<(String, &'static str)> {
    match node {
        Value::Object(map) if map.len() == 1 => {
            let description = map.get("description")?.as_str()?;
            spec::self_referring_schema_described(description).map(|schema| (path, schema))
        }
        Value::Object(map) => map
            .iter()
            .find_map(|(key, value)| stand_in(value, format!("{path}.{key}"))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| stand_in(item, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// The value at a decode path such as `items[3].created_at` (`.` is the top level).
fn value_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for part in path.split('.').filter(|part| !part.is_empty()) {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            node = node.get(key)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            node = node.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(node)
}

/// The spec's id of the operation an exchange was for.
fn operation_id(exchange: &Exchange) -> String {
    spec::operation_for(&exchange.method, exchange.path()).map_or_else(|| "?".to_string(), |op| op.id.clone())
}

/// A client builder with credentials, pointed at the relay.
fn client(relay: &Relay) -> ClientBuilder {
    Client::builder()
        .api_key("sk-conformance")
        .account_id("acct_conformance")
        .base_url(relay.url())
}

/// One Prism (one mode or seed) with the client in front of it. Calls are made one at a time, so
/// that each exchange belongs to one call. (Prism seeds its generator per request: with a fixed
/// seed an operation gets the same generated response on every run.)
///
/// Failures are collected and reported together by [`Session::finish`]; Prism is stopped when
/// the session is dropped, also when a test panics.
pub struct Session {
    pub mode: Mode,
    pub client: Client,
    relay: Relay,
    prism: Prism,
    failures: Vec<String>,
    exchanges: Vec<Exchange>,
    /// (call label, operation id, what Prism did) of every exchange where Prism could not
    /// produce a valid response ([`prism_gap`], [`faker_cut_off`]).
    gaps: Vec<(String, String, String)>,
}

impl Session {
    pub fn start(mode: Mode) -> Session {
        let prism = Prism::start(mode);
        let relay = Relay::start(prism.addr());
        let client = client(&relay).build().expect("the client builds");
        Session {
            mode,
            client,
            relay,
            prism,
            failures: Vec::new(),
            exchanges: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// A client like [`Session::client`] that also sends `name: value` on every request.
    pub fn client_with_header(&self, name: &str, value: &str) -> Client {
        client(&self.relay)
            .default_header(name, value)
            .build()
            .expect("the client builds")
    }

    /// The Prism process (for the test of the guard).
    pub fn prism(&self) -> &Prism {
        &self.prism
    }

    /// Sends one request through the generated client. Every exchange it caused must pass
    /// [`violation`], and the result must be `Ok` (the response decoded into the typed result);
    /// otherwise a failure is recorded with Prism's details and `None` returned. In dynamic
    /// mode an exchange where Prism could not generate the response ([`prism_gap`]) is
    /// recorded as a gap instead.
    pub async fn call<T>(&mut self, label: &str, request: impl Future<Output = Result<T, Error>>) -> Option<T> {
        let result = request.await;
        let exchanges = self.relay.take();
        let mut violated = false;
        for exchange in &exchanges {
            let gap = match self.mode {
                Mode::Dynamic { .. } => prism_gap(exchange),
                Mode::Examples => None,
            };
            if let Some(pointer) = gap {
                let what = format!(
                    "500: its faker could not follow the circular $ref at {pointer} ({PRISM_CIRCULAR_REF_ISSUE})"
                );
                self.gaps.push((label.to_string(), operation_id(exchange), what));
                violated = true;
            } else if let Some(violation) = violation(exchange) {
                self.failures.push(format!("{label}: {violation}"));
                violated = true;
            }
        }
        let cut_off = match (&self.mode, &result, exchanges.last()) {
            (Mode::Dynamic { .. }, Err(error), Some(exchange)) => error
                .decode_path()
                .and_then(|path| faker_cut_off(&exchange.response_body, path))
                .map(|what| (exchange, what)),
            _ => None,
        };
        if let Some((exchange, what)) = cut_off {
            self.gaps.push((label.to_string(), operation_id(exchange), what));
            violated = true;
        }
        let outcome = match result {
            Ok(value) => Some(value),
            // The status error of a reported violation says nothing new, nor does the decode
            // error of a recognised faker cut-off.
            Err(error) if violated && (error.status().is_some() || error.decode_path().is_some()) => None,
            Err(error) => {
                let mut message = format!("{label}: the client returned an error: {error}");
                if let Some(path) = error.decode_path() {
                    message.push_str(&format!("\n    decode path: {path}"));
                }
                if let Some(exchange) = exchanges.last() {
                    message.push_str(&format!("\n    response body: {}", quote(&exchange.response_body)));
                }
                self.failures.push(message);
                None
            }
        };
        if exchanges.is_empty() {
            self.failures.push(format!("{label}: no request reached Prism"));
        }
        self.exchanges.extend(exchanges);
        outcome
    }

    /// Records a failure found by the test itself.
    pub fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    /// The operations of which some call met a [`prism_gap`] or a [`faker_cut_off`].
    pub fn gapped_operations(&self) -> std::collections::BTreeSet<&str> {
        self.gaps.iter().map(|(_, operation, _)| operation.as_str()).collect()
    }

    /// Every exchange of the session so far.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// Sends a request outside [`Session::call`] and returns its exchanges unchecked (for the
    /// negative checks).
    pub async fn raw<T>(
        &mut self,
        request: impl Future<Output = Result<T, Error>>,
    ) -> (Result<T, Error>, Vec<Exchange>) {
        let result = request.await;
        (result, self.relay.take())
    }

    /// Prints a summary line (and, with `CONFORMANCE_DUMP` set, every exchange), then panics
    /// with every failure (and the end of Prism's log) if there was any.
    pub fn finish(self) {
        let operations: std::collections::BTreeSet<&str> = self
            .exchanges
            .iter()
            .filter_map(|e| spec::operation_for(&e.method, e.path()))
            .map(|op| op.id.as_str())
            .collect();
        println!(
            "{:?}: {} exchanges covering {} operations, {} failures, {} calls Prism could not \
             generate a valid response for",
            self.mode,
            self.exchanges.len(),
            operations.len(),
            self.failures.len(),
            self.gaps.len()
        );
        for (label, _, what) in &self.gaps {
            println!("    {label}: Prism answered {what}");
        }
        if std::env::var_os("CONFORMANCE_DUMP").is_some() {
            for exchange in &self.exchanges {
                println!(
                    "{} {} -> {} {}",
                    exchange.method,
                    exchange.target,
                    exchange.status,
                    quote(&exchange.response_body)
                );
            }
        }
        if self.failures.is_empty() {
            return;
        }
        panic!(
            "{} conformance failure(s) against Prism ({:?}):\n\n{}\n\nlast lines of Prism's log:\n{}",
            self.failures.len(),
            self.mode,
            self.failures.join("\n\n"),
            self.prism.log_tail(20)
        );
    }
}
