//! The hand-written runtime the generated operations call.
//!
//! - [`config`]: [`ConfigBuilder`] and the shared [`Runtime`] (HTTP client, base URL, credentials).
//! - [`auth`]: security schemes ([`SecurityScheme`]), how credentials are written, and which ones
//!   each operation sends ([`OperationSecurity`]).
//! - [`options`]: timeouts and retry budgets per client and per request ([`RequestOptions`]), and
//!   the one place their precedence is decided.
//! - [`operation`]: [`Operation`], the static description of one API operation, and [`Method`].
//! - [`request`]: the [`RequestBuilder`] that puts one request together (path, query, headers,
//!   body) and finishes it with `send_*`.
//! - [`params`]: how parameter values become text ([`QueryValue`], styles, form bodies) and are
//!   percent-encoded.
//! - [`multipart`]: [`MultipartForm`] and [`FileUpload`] bodies.
//! - [`future`]: [`ResponseFuture`], what sending returns; the body becomes the value in its
//!   `poll` ([`AsJson`], [`AsBytes`], [`NoBody`], [`ByStatus`] with [`FromStatus`]).
//! - `send`: the send loop: attempts, their headers, the tracing span, waiting between retries.
//! - [`retry`]: the retry decision, a pure function of an attempt's outcome.
//! - [`decode`]: 2xx JSON bodies into typed values ([`decode_json_body`]), with the failing path;
//!   the `Deserialize` of generated structs (`struct_from_map!`) and closed enums.
//! - [`clock`]: time and sleeping, injectable so that tests need not wait.
//! - [`response`]: [`Response`], a success with its status and headers.
//! - [`error`]: the single [`Error`] type with its [`ErrorKind`].
//! - [`nullable`]: [`Nullable`], for fields that may be absent, `null`, or a value.
//! - [`union`]: decoding helpers for the unions the generator emits.
//! - [`pagination`]: streams of pages and items for cursor-paginated lists.
//! - `cli` (feature `cli`): the generic part of the command line: arguments and bodies into typed
//!   values, output formats, every page with a progress bar, exit codes.
//! - `mock` (feature `mock`): the generic part of the typed mock server: checking requests
//!   against the API's operations, matching and mounting expectations.
//!
//! This code is generic: nothing in it knows which API it is talking to.

pub mod auth;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clock;
pub mod config;
pub mod decode;
pub mod error;
pub mod future;
#[cfg(feature = "mock")]
pub mod mock;
pub mod multipart;
pub mod nullable;
pub mod operation;
pub mod options;
pub mod pagination;
pub mod params;
pub mod request;
pub mod response;
pub mod retry;
mod send;
pub mod union;

pub use auth::{CredentialForm, Location, OperationSecurity, Requirements, SecurityScheme};
pub use clock::{Clock, RecordingClock, TokioClock};
pub use config::{ConfigBuilder, Runtime, Secret};
pub use decode::decode_json_body;
pub use error::{Error, ErrorKind};
pub use future::{AsBytes, AsJson, ByStatus, FromStatus, NoBody, ResponseFuture};
pub use multipart::{FileUpload, MultipartForm};
pub use nullable::Nullable;
pub use operation::{Method, Operation};
pub use options::RequestOptions;
pub use params::QueryValue;
pub use request::RequestBuilder;
pub use response::Response;
pub use retry::RetryPolicy;

#[cfg(test)]
mod test_server;
