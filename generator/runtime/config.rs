//! Client configuration: base URL, credentials, timeouts, retries, headers, the clock, and the
//! shared [`Runtime`].
//!
//! Every setting has one precedence rule: a value set in code wins over a value read from the
//! environment, which wins over the built-in default. The order of the builder calls does not
//! matter. Timeouts and retries can also be set per request; `options.rs` says how they combine.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::runtime::auth::{Credentials, OperationSecurity, SecurityScheme};
use crate::runtime::clock::{Clock, TokioClock};
use crate::runtime::error::Error;
use crate::runtime::operation::Operation;
use crate::runtime::options::ClientOptions;
use crate::runtime::request::RequestBuilder;

/// Redirects followed (same origin only) before giving up.
const MAX_REDIRECTS: usize = 10;

/// A secret string, such as an API key. `Debug` and `Display` print `***`, never the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself; call this only where the value must be used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Builds a [`Runtime`]; the generated client's builder wraps this.
#[derive(Clone, Default)]
#[must_use = "a ConfigBuilder does nothing until `build` is called"]
pub struct ConfigBuilder {
    default_base_url: String,
    env_base_url: Option<String>,
    base_url: Option<String>,
    credentials: Vec<Credential>,
    operation_security: Option<&'static OperationSecurity>,
    options: ClientOptions,
    clock: Option<Arc<dyn Clock>>,
    http_client: Option<reqwest::Client>,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
}

/// One scheme's credential and where its value may come from. The value is as the caller gives
/// it (a key, a token, `user:password`); its scheme's form is applied by `build`.
#[derive(Clone)]
struct Credential {
    /// The security scheme's name.
    scheme: &'static str,
    explicit: Option<Secret>,
    from_env: Option<Secret>,
    /// The variable named by `credential_from_env`, for the "not set" message.
    env_var: Option<&'static str>,
}

impl Credential {
    /// The value to send; an empty explicit value counts as not set, so that it is reported by
    /// `build` instead of being rejected by the server.
    fn value(&self) -> Option<&Secret> {
        let explicit = self.explicit.as_ref().filter(|secret| !secret.expose().is_empty());
        explicit.or(self.from_env.as_ref())
    }
}

impl ConfigBuilder {
    /// A builder that talks to `default_base_url` unless told otherwise.
    pub fn new(default_base_url: &str) -> Self {
        ConfigBuilder {
            default_base_url: default_base_url.to_string(),
            ..ConfigBuilder::default()
        }
    }

    /// Sets the base URL (scheme, host and optional path prefix); wins over the environment.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Reads the base URL from the environment variable `var`, if it is set and not empty.
    pub fn base_url_from_env(mut self, var: &str) -> Self {
        if let Some(url) = env_value(var) {
            self.env_base_url = Some(url);
        }
        self
    }

    /// Sets the credential of security scheme `scheme` (never printed; sent only with the
    /// operations that require it, see [`OperationSecurity`]); wins over the environment.
    pub fn credential(mut self, scheme: &'static str, value: impl Into<String>) -> Self {
        self.credential_entry(scheme).explicit = Some(Secret::new(value));
        self
    }

    /// Reads the credential of `scheme` from the environment variable `var`, if it is set and
    /// not empty, and remembers `var` so that a missing credential can name it.
    pub fn credential_from_env(mut self, scheme: &'static str, var: &'static str) -> Self {
        let value = env_value(var).map(Secret::new);
        let entry = self.credential_entry(scheme);
        entry.env_var = Some(var);
        if value.is_some() {
            entry.from_env = value;
        }
        self
    }

    /// The time each attempt of a request may take, from connecting to reading the last body byte
    /// (default [`DEFAULT_TIMEOUT`](crate::runtime::options::DEFAULT_TIMEOUT)); a request's own
    /// `timeout` wins over it. With a custom client set by [`http_client`](Self::http_client) and
    /// no timeout set here, that client's own applies.
    pub fn timeout(mut self, per_attempt: Duration) -> Self {
        self.options.timeout = Some(per_attempt);
        self
    }

    /// The time connecting may take (default
    /// [`DEFAULT_CONNECT_TIMEOUT`](crate::runtime::options::DEFAULT_CONNECT_TIMEOUT)). Ignored
    /// when a custom client is set.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options.connect_timeout = Some(timeout);
        self
    }

    /// How many times a failed request is retried (default
    /// [`DEFAULT_MAX_RETRIES`](crate::runtime::retry::DEFAULT_MAX_RETRIES); attempts are one
    /// more, and 0 turns retrying off); a request's own `max_retries` wins over it. See
    /// [`retry`](crate::runtime::retry) for what is retried.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.options.max_retries = Some(max_retries);
        self
    }

    /// Uses this clock for the waits between retries and for the time an HTTP-date
    /// `retry-after` is measured from (default: the system clock and `tokio::time::sleep`).
    /// Tests pass a [`RecordingClock`](crate::runtime::clock::RecordingClock) to run instantly.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Uses this `reqwest` client (for proxies, TLS settings, connection pools); its own connect
    /// timeout and redirect policy then apply. Credentials and headers are still added per
    /// request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the `User-Agent` header sent on every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Adds a header sent on every request; an invalid name or value is reported by `build`.
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        self.default_headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Says what each operation requires of the `schemes` given to [`build`](Self::build)
    /// (default: [`OperationSecurity::NONE`], nothing is sent).
    pub fn operation_security(mut self, security: &'static OperationSecurity) -> Self {
        self.operation_security = Some(security);
        self
    }

    /// Checks the settings and builds the runtime.
    ///
    /// `schemes` are the security schemes credentials may be set for. Each one required by every
    /// operation must have a value; a missing one is a `Config` error that says how to set it,
    /// e.g. `api_key is not set: call .api_key(..) or set EXAMPLE_API_KEY`. Other missing
    /// credentials are reported by the requests that need them.
    pub fn build(self, schemes: &'static [SecurityScheme]) -> Result<Runtime, Error> {
        self.check_required(schemes)?;
        let base_url = self.checked_base_url()?;
        let headers = self.headers()?;
        let values: Vec<(&'static str, &Secret)> = self
            .credentials
            .iter()
            .filter_map(|credential| Some((credential.scheme, credential.value()?)))
            .collect();
        let security = self.operation_security.unwrap_or(&OperationSecurity::NONE);
        let credentials = Credentials::new(schemes, security, &values)?;
        let options = ClientOptions {
            custom_http_client: self.http_client.is_some(),
            ..self.options
        };
        let client = match self.http_client {
            Some(client) => client,
            None => build_client(options.connect_timeout())?,
        };
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                base_url,
                client,
                headers,
                credentials,
                options,
                clock: self.clock.unwrap_or_else(|| Arc::new(TokioClock)),
            }),
        })
    }

    fn credential_entry(&mut self, scheme: &'static str) -> &mut Credential {
        let position = self
            .credentials
            .iter()
            .position(|credential| credential.scheme == scheme);
        let index = match position {
            Some(index) => index,
            None => {
                self.credentials.push(Credential {
                    scheme,
                    explicit: None,
                    from_env: None,
                    env_var: None,
                });
                self.credentials.len() - 1
            }
        };
        &mut self.credentials[index]
    }

    fn resolved_base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .or(self.env_base_url.as_deref())
            .unwrap_or(&self.default_base_url)
    }

    /// Reports every missing credential that every operation requires at once, so that fixing
    /// the setup takes one round.
    fn check_required(&self, schemes: &[SecurityScheme]) -> Result<(), Error> {
        let mut missing = Vec::new();
        for scheme in schemes.iter().filter(|scheme| scheme.required_by_every_operation) {
            let credential = self
                .credentials
                .iter()
                .find(|credential| credential.scheme == scheme.name);
            if credential.and_then(Credential::value).is_some() {
                continue;
            }
            let env_var = scheme.env_var.or(credential.and_then(|c| c.env_var));
            let how = SecurityScheme { env_var, ..*scheme }.how_to_set();
            missing.push(format!("{} is not set: {how}", scheme.setter));
        }
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::config(missing.join("; ")))
    }

    /// The base URL without a trailing `/`, checked to be an absolute http(s) URL.
    fn checked_base_url(&self) -> Result<String, Error> {
        let base_url = self.resolved_base_url().trim_end_matches('/');
        if base_url.is_empty() {
            return Err(Error::config("the base URL is not set"));
        }
        let parsed = reqwest::Url::parse(base_url).map_err(|source| {
            Error::config_with_source(format!("base URL `{base_url}` is not a valid URL: {source}"), source)
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::config(format!(
                "base URL `{base_url}` must start with http:// or https://"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::config(format!(
                "base URL `{base_url}` must not have a query or fragment"
            )));
        }
        Ok(base_url.to_string())
    }

    /// The headers added to every request: user agent and default headers. Credentials are added
    /// per request, after these, so a default header cannot replace a credential by accident.
    fn headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        if let Some(user_agent) = &self.user_agent {
            let value = HeaderValue::from_str(user_agent)
                .map_err(|source| Error::config_with_source("the user agent is not a valid header value", source))?;
            headers.insert(USER_AGENT, value);
        }
        for (name, value) in &self.default_headers {
            let header_name = parse_header_name(name)?;
            let header_value = HeaderValue::from_str(value).map_err(|source| {
                Error::config_with_source(format!("the value of default header `{name}` is not valid"), source)
            })?;
            headers.insert(header_name, header_value);
        }
        Ok(headers)
    }
}

impl fmt::Debug for ConfigBuilder {
    /// Shows setting names and non-secret values; credentials appear as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials: Vec<(&str, Option<&Secret>)> = self
            .credentials
            .iter()
            .map(|credential| (credential.scheme, credential.value()))
            .collect();
        let default_headers: Vec<&str> = self.default_headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ConfigBuilder")
            .field("base_url", &self.resolved_base_url())
            .field("credentials", &credentials)
            .field("timeout", &self.options.timeout)
            .field("connect_timeout", &self.options.connect_timeout())
            .field("max_retries", &self.options.max_retries)
            .field("clock", &self.clock)
            .field("custom_http_client", &self.http_client.is_some())
            .field("user_agent", &self.user_agent)
            .field("default_headers", &default_headers)
            .finish()
    }
}

/// The configured client shared by every request: cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    /// Without a trailing `/`; paths start with one.
    base_url: String,
    client: reqwest::Client,
    /// Added to every request.
    headers: HeaderMap,
    /// Added to the requests whose operation requires them.
    credentials: Credentials,
    /// Timeouts and retries as set on the client; requests may override them.
    options: ClientOptions,
    clock: Arc<dyn Clock>,
}

impl Runtime {
    /// The base URL requests are sent to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Starts a request for `operation`.
    pub fn request(&self, operation: &'static Operation) -> RequestBuilder {
        RequestBuilder::new(self.clone(), operation)
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    pub(crate) fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }
}

impl fmt::Debug for Runtime {
    /// Shows the base URL, header names and which credentials are set, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.inner.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("Runtime")
            .field("base_url", &self.inner.base_url)
            .field("headers", &header_names)
            .field("credentials", &self.inner.credentials)
            .field("options", &self.inner.options)
            .field("clock", &self.inner.clock)
            .finish()
    }
}

/// The value of environment variable `var`, if it is set, valid Unicode and not blank.
fn env_value(var: &str) -> Option<String> {
    let value = std::env::var(var).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

fn parse_header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|source| Error::config_with_source(format!("`{name}` is not a valid header name"), source))
}

/// The HTTP client used when none is given. It has no overall timeout of its own: the attempt
/// timeout is put on each request, so that a request's own setting can replace it.
fn build_client(connect_timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(same_origin_redirects())
        .build()
        .map_err(|source| Error::config_with_source("could not build the HTTP client", source))
}

/// Follows redirects only within the same scheme, host and port. `reqwest` drops `Authorization`
/// on a cross-host redirect but not custom credential headers such as `x-api-key`, so a redirect
/// elsewhere is returned to the caller as a 3xx status error instead of being followed.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|previous| previous.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::auth::{CredentialForm, Location};
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, response};

    const KEY: SecurityScheme = SecurityScheme {
        name: "apiKey",
        location: Location::Header,
        parameter: "x-api-key",
        form: CredentialForm::Raw,
        setter: "api_key",
        env_var: Some("EXAMPLE_API_KEY"),
        required_by_every_operation: true,
    };
    const SCHEMES: &[SecurityScheme] = &[KEY];
    /// Every operation sends the key.
    const KEY_EVERYWHERE: &OperationSecurity = &OperationSecurity {
        default: &[&["apiKey"]],
        by_operation: &[],
    };
    /// A variable name no environment sets.
    const UNSET_VAR: &str = "RUNTIME_TEST_VARIABLE_THAT_IS_NEVER_SET_4F2A";

    static LIST: Operation = Operation {
        id: "listThings",
        method: Method::Get,
        path: "/v1/things",
    };

    /// The one request `runtime` sends for [`LIST`] to a server that answers 200.
    async fn request_sent(builder: ConfigBuilder) -> String {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let runtime = builder.base_url(&server.base_url).build(SCHEMES).unwrap();
        let _ = runtime.request(&LIST).send_json::<serde_json::Value>().await.unwrap();
        server.requests().await.remove(0)
    }

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("sk-secret-123");
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        assert_eq!(secret.expose(), "sk-secret-123");
    }

    #[test]
    fn debug_output_hides_credentials() {
        let builder = ConfigBuilder::new("https://api.example.com")
            .credential("apiKey", "sk-secret-123")
            .default_header("x-team", "t1");
        let builder_debug = format!("{builder:?}");
        assert!(!builder_debug.contains("sk-secret-123"), "{builder_debug}");
        assert!(builder_debug.contains("\"apiKey\", Some(***)"), "{builder_debug}");

        let runtime = builder.build(SCHEMES).unwrap();
        let runtime_debug = format!("{runtime:?} {runtime:#?}");
        assert!(!runtime_debug.contains("sk-secret-123"), "{runtime_debug}");
        assert!(
            runtime_debug.contains("(\"apiKey\", \"header x-api-key\")"),
            "{runtime_debug}"
        );
        assert!(runtime_debug.contains("https://api.example.com"), "{runtime_debug}");
    }

    #[test]
    fn missing_credential_names_setter_and_env_var() {
        let error = ConfigBuilder::new("https://api.example.com")
            .credential_from_env("apiKey", UNSET_VAR)
            .build(SCHEMES)
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert_eq!(error.operation_id(), None);
        assert!(!error.request_sent());
        assert_eq!(
            error.to_string(),
            "invalid client configuration: api_key is not set: call .api_key(..) or set EXAMPLE_API_KEY"
        );
    }

    #[test]
    fn missing_credential_falls_back_to_the_recorded_env_var() {
        const SCHEMES: &[SecurityScheme] = &[
            SecurityScheme { env_var: None, ..KEY },
            SecurityScheme {
                name: "workspace",
                parameter: "x-workspace",
                setter: "workspace",
                env_var: None,
                ..KEY
            },
            SecurityScheme {
                name: "basic",
                parameter: "authorization",
                form: CredentialForm::Basic,
                setter: "basic",
                env_var: Some("EXAMPLE_BASIC"),
                ..KEY
            },
        ];
        let error = ConfigBuilder::new("https://api.example.com")
            .credential_from_env("apiKey", UNSET_VAR)
            .build(SCHEMES)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "invalid client configuration: api_key is not set: call .api_key(..) or set {UNSET_VAR}; \
                 workspace is not set: call .workspace(..); \
                 basic is not set: call .basic(..) or set EXAMPLE_BASIC as user:password"
            )
        );
    }

    #[test]
    fn only_credentials_every_operation_requires_are_checked_by_build() {
        const OPTIONAL: &[SecurityScheme] = &[SecurityScheme {
            required_by_every_operation: false,
            ..KEY
        }];
        let runtime = ConfigBuilder::new("https://api.example.com").build(OPTIONAL);
        assert!(runtime.is_ok(), "{runtime:?}");
    }

    #[test]
    fn a_credential_for_an_unknown_scheme_is_a_config_error() {
        let error = ConfigBuilder::new("https://api.example.com")
            .credential("apiKey", "k")
            .credential("elsewhere", "k")
            .build(SCHEMES)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid client configuration: `elsewhere` is not a security scheme of this API"
        );
    }

    #[tokio::test]
    async fn explicit_values_win_over_the_environment() {
        // PATH is set in every test environment; it stands in for a configured variable.
        let builder = ConfigBuilder::new("https://default.example.com/")
            .credential("apiKey", "explicit")
            .credential_from_env("apiKey", "PATH")
            .base_url_from_env(UNSET_VAR);
        assert_eq!(builder.credentials[0].value().map(Secret::expose), Some("explicit"));
        assert_eq!(builder.resolved_base_url(), "https://default.example.com/");
        let request = request_sent(builder.operation_security(KEY_EVERYWHERE)).await;
        assert!(request.contains("\r\nx-api-key: explicit\r\n"), "{request}");

        let runtime = ConfigBuilder::new("https://default.example.com")
            .base_url("http://127.0.0.1:8080/prefix/")
            .build(&[])
            .unwrap();
        assert_eq!(runtime.base_url(), "http://127.0.0.1:8080/prefix");
    }

    #[tokio::test]
    async fn a_credential_from_the_environment_is_sent_as_read_and_never_shown() {
        // PATH is set in every test environment; it stands in for a configured variable (setting
        // one would race with the other tests, which read the environment in parallel).
        let path = std::env::var("PATH").expect("PATH is set");
        let expected = path.trim();
        assert!(!expected.is_empty(), "PATH is blank");

        let builder = ConfigBuilder::new("https://default.example.com").credential_from_env("apiKey", "PATH");
        assert_eq!(builder.credentials[0].value().map(Secret::expose), Some(expected));
        let builder_debug = format!("{builder:?} {builder:#?}");
        assert!(!builder_debug.contains(expected), "{builder_debug}");
        assert!(builder_debug.contains("\"apiKey\", Some(***)"), "{builder_debug}");

        let runtime = builder.clone().build(SCHEMES).unwrap();
        let runtime_debug = format!("{runtime:?} {runtime:#?}");
        assert!(!runtime_debug.contains(expected), "{runtime_debug}");
        let request = request_sent(builder.operation_security(KEY_EVERYWHERE)).await;
        assert!(request.contains(&format!("\r\nx-api-key: {expected}\r\n")), "{request}");
    }

    #[test]
    fn invalid_settings_are_config_errors() {
        let bad = [
            ConfigBuilder::default(),
            ConfigBuilder::new("not a url"),
            ConfigBuilder::new("ftp://example.com"),
            ConfigBuilder::new("https://example.com/?a=b"),
            ConfigBuilder::new("https://example.com").default_header("bad name", "v"),
            ConfigBuilder::new("https://example.com").default_header("x-ok", "bad\nvalue"),
            ConfigBuilder::new("https://example.com").credential("apiKey", "sk-secret-123\n"),
            ConfigBuilder::new("https://example.com").user_agent("bad\nagent"),
        ];
        for builder in bad {
            let error = builder.build(SCHEMES).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Config, "{error}");
            assert!(!error.to_string().contains("sk-secret-123"), "{error}");
        }
    }

    #[test]
    fn empty_credential_counts_as_not_set() {
        let error = ConfigBuilder::new("https://api.example.com")
            .credential("apiKey", "")
            .build(SCHEMES)
            .unwrap_err();
        assert!(error.to_string().contains("api_key is not set"), "{error}");
    }

    #[test]
    fn invalid_base_url_message_says_why() {
        let error = ConfigBuilder::new("not a url").build(&[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid client configuration: base URL `not a url` is not a valid URL: relative URL without a base"
        );
    }

    #[test]
    fn runtime_is_send_sync_and_cheap_to_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Runtime>();
    }

    #[tokio::test]
    async fn every_request_carries_user_agent_defaults_and_required_credentials() {
        let builder = ConfigBuilder::new("https://unused.example.com")
            .user_agent("example-client/1.2.3")
            .default_header("X-Team", "t1")
            // A default header cannot replace a credential.
            .default_header("x-api-key", "not-the-key")
            .credential("apiKey", "sk-secret-123")
            .operation_security(KEY_EVERYWHERE);
        let request = request_sent(builder).await;
        assert!(request.starts_with("GET /v1/things HTTP/1.1\r\n"), "{request}");
        assert!(
            request.contains("\r\nuser-agent: example-client/1.2.3\r\n"),
            "{request}"
        );
        assert!(request.contains("\r\nx-team: t1\r\n"), "{request}");
        assert!(request.contains("\r\nx-api-key: sk-secret-123\r\n"), "{request}");
        assert!(!request.contains("not-the-key"), "{request}");
    }

    #[tokio::test]
    async fn same_origin_redirects_are_followed() {
        let server = test_server::serve(vec![
            test_server::redirect("/v1/things-moved"),
            response("200 OK", r#"{"moved":true}"#),
        ])
        .await;
        let runtime = ConfigBuilder::new(&server.base_url)
            .credential("apiKey", "k")
            .operation_security(KEY_EVERYWHERE)
            .build(SCHEMES)
            .unwrap();
        let body = runtime.request(&LIST).send_json::<serde_json::Value>().await.unwrap();
        assert_eq!(body["moved"], true);
        let requests = server.requests().await;
        assert!(
            requests[1].starts_with("GET /v1/things-moved HTTP/1.1\r\n"),
            "{}",
            requests[1]
        );
        assert!(requests[1].contains("\r\nx-api-key: k\r\n"), "{}", requests[1]);
    }

    #[tokio::test]
    async fn cross_origin_redirects_are_not_followed() {
        let elsewhere = test_server::unused_base_url().await;
        let server = test_server::serve(vec![test_server::redirect(&format!("{elsewhere}/steal"))]).await;
        let runtime = ConfigBuilder::new(&server.base_url)
            .credential("apiKey", "k")
            .operation_security(KEY_EVERYWHERE)
            .build(SCHEMES)
            .unwrap();
        let error = runtime.request(&LIST).send_bytes().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Status);
        assert_eq!(error.status(), Some(307));
    }
}
