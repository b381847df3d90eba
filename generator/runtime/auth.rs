//! Credentials: the security schemes a client can send, how each value is written on the wire
//! (a header, a query-string pair or a cookie), and which of them one operation sends.
//!
//! The generated client describes its API's schemes once ([`SecurityScheme`]s, passed to
//! [`ConfigBuilder::build`](crate::runtime::ConfigBuilder::build)) and what each operation
//! requires ([`OperationSecurity`]). Each request then sends exactly what its operation requires:
//! the first alternative whose credentials are all set; nothing when it requires nothing; and
//! when no alternative is complete, a `Config` error naming the operation and the missing schemes,
//! returned before anything is sent.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, COOKIE};

use crate::runtime::config::Secret;
use crate::runtime::error::Error;
use crate::runtime::operation::Operation;
use crate::runtime::params::encode_component;

/// What an operation requires: alternatives, tried in order, each naming the schemes sent together
/// (by their names in the description). An empty list requires nothing; an empty alternative is
/// always met and sends nothing.
pub type Requirements = &'static [&'static [&'static str]];

/// What each operation of an API requires: its own list where it has one, else the API's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationSecurity {
    /// The root `security` list; also what a request for an operation not listed below requires
    /// (such as one built by hand through [`Runtime::request`](crate::runtime::Runtime::request)).
    pub default: Requirements,
    /// The operations with their own `security` list, by operation id.
    pub by_operation: &'static [(&'static str, Requirements)],
}

impl OperationSecurity {
    /// Nothing is required anywhere: no credential is sent.
    pub const NONE: OperationSecurity = OperationSecurity {
        default: &[],
        by_operation: &[],
    };

    /// What `operation` requires.
    pub fn requirements(&self, operation: &Operation) -> Requirements {
        self.requirements_of(operation.id)
    }

    /// What the operation with this id requires.
    pub fn requirements_of(&self, operation_id: &str) -> Requirements {
        self.by_operation
            .iter()
            .find(|(id, _)| *id == operation_id)
            .map_or(self.default, |(_, requirements)| requirements)
    }
}

/// Where a scheme's credential travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A request header, e.g. `x-api-key` or `authorization`.
    Header,
    /// A query-string parameter. Such a key is part of the URL, which errors and traces never show.
    Query,
    /// A cookie in the `cookie` header.
    Cookie,
}

impl Location {
    /// The description's name for it (the `in` of an API key): `header`, `query` or `cookie`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Location::Header => "header",
            Location::Query => "query",
            Location::Cookie => "cookie",
        }
    }
}

/// One security scheme the client can send, as the generator describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The scheme's name in the description (its key under `components.securitySchemes`).
    pub name: &'static str,
    pub location: Location,
    /// The header, query parameter or cookie that carries the value.
    pub parameter: &'static str,
    /// How the value given to the setter is written on the wire.
    pub form: CredentialForm,
    /// The generated builder method that sets it, e.g. `api_key`.
    pub setter: &'static str,
    /// The environment variable `from_env` reads it from, if any.
    pub env_var: Option<&'static str>,
    /// Every operation requires it, so [`ConfigBuilder::build`](crate::runtime::ConfigBuilder::build)
    /// fails without it instead of every call failing later.
    pub required_by_every_operation: bool,
}

impl SecurityScheme {
    /// How a caller sets it, e.g. `call .api_key(..) or set EXAMPLE_API_KEY`.
    pub(crate) fn how_to_set(&self) -> String {
        let setter = self.setter;
        let as_pair = if self.form == CredentialForm::Basic {
            " as user:password"
        } else {
            ""
        };
        match self.env_var {
            Some(var) => format!("call .{setter}(..) or set {var}{as_pair}"),
            None => format!("call .{setter}(..)"),
        }
    }
}

/// How a credential's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialForm {
    /// As given: an API key.
    Raw,
    /// `Bearer <token>`: HTTP bearer, and OAuth 2 or OpenID Connect access tokens (which the
    /// caller obtains; this client does not run those flows).
    Bearer,
    /// `Basic <base64 of user:password>`: HTTP basic; the value is `user:password`.
    Basic,
}

impl CredentialForm {
    /// The value as sent; an empty value stays empty (not set).
    pub fn apply(self, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        match self {
            CredentialForm::Raw => value.to_owned(),
            CredentialForm::Bearer => format!("Bearer {value}"),
            CredentialForm::Basic => format!("Basic {}", base64(value.as_bytes())),
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), for HTTP basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A set credential in its wire form. `Debug` shows where it goes, never the value.
#[derive(Clone)]
enum Wire {
    /// Marked sensitive, so `reqwest` and `http` keep it out of their `Debug` output.
    Header(HeaderName, HeaderValue),
    /// `name=value`, percent-encoded.
    Query(Secret),
    /// `name=value`.
    Cookie(Secret),
}

/// The credentials a runtime holds, ready to send, and what each operation requires.
#[derive(Clone)]
pub(crate) struct Credentials {
    schemes: &'static [SecurityScheme],
    security: &'static OperationSecurity,
    /// The schemes with a value, in the order of `schemes`.
    set: Vec<(&'static SecurityScheme, Wire)>,
}

impl Credentials {
    /// Writes each set value (by scheme name; empty values are left out) in its scheme's form,
    /// checking that it can be sent there. The value is never part of an error.
    pub(crate) fn new(
        schemes: &'static [SecurityScheme],
        security: &'static OperationSecurity,
        values: &[(&'static str, &Secret)],
    ) -> Result<Self, Error> {
        let mut set = Vec::new();
        for scheme in schemes {
            let Some((_, value)) = values.iter().find(|(name, _)| *name == scheme.name) else {
                continue;
            };
            set.push((scheme, wire(scheme, value.expose())?));
        }
        if let Some((name, _)) = values.iter().find(|(name, _)| !schemes.iter().any(|s| s.name == *name)) {
            return Err(Error::config(format!("`{name}` is not a security scheme of this API")));
        }
        Ok(Credentials { schemes, security, set })
    }

    /// Adds what `operation` requires to the request's query pairs and headers: the first
    /// alternative whose credentials are all set. A header the request set itself is kept; a cookie
    /// joins the request's own cookies. Fails, naming what is missing, when no alternative is met.
    pub(crate) fn apply(
        &self,
        operation: &'static Operation,
        query: &mut Vec<String>,
        headers: &mut HeaderMap,
    ) -> Result<(), Error> {
        let requirements = self.security.requirements(operation);
        if requirements.is_empty() {
            return Ok(());
        }
        let Some(chosen) = first_met(requirements, |scheme| self.wire(scheme).is_some()) else {
            return Err(Error::missing_credentials(operation, self.missing(requirements)));
        };
        let mut cookies = Vec::new();
        for wire in chosen.iter().filter_map(|scheme| self.wire(scheme)) {
            match wire {
                Wire::Header(name, value) => {
                    if !headers.contains_key(name) {
                        headers.insert(name.clone(), value.clone());
                    }
                }
                Wire::Query(pair) => query.push(pair.expose().to_owned()),
                Wire::Cookie(pair) => cookies.push(pair.expose()),
            }
        }
        if cookies.is_empty() {
            return Ok(());
        }
        let own = headers.get(COOKIE).and_then(|value| value.to_str().ok());
        let joined = own.into_iter().chain(cookies).collect::<Vec<_>>().join("; ");
        let mut value = HeaderValue::from_str(&joined).map_err(|source| {
            Error::invalid_request_with_source(operation, "the cookies are not a valid header value", source)
        })?;
        value.set_sensitive(true);
        headers.insert(COOKIE, value);
        Ok(())
    }

    fn wire(&self, scheme: &str) -> Option<&Wire> {
        self.set
            .iter()
            .find(|(set, _)| set.name == scheme)
            .map(|(_, wire)| wire)
    }

    /// What is missing for each alternative, e.g. `` `apiKey` (call .api_key(..)), or `user`
    /// (call .user(..)) and `token` (call .token(..) or set TOKEN) ``.
    fn missing(&self, requirements: Requirements) -> String {
        let alternatives: Vec<String> = requirements
            .iter()
            .map(|schemes| {
                let missing: Vec<String> = schemes
                    .iter()
                    .filter(|name| self.wire(name).is_none())
                    .map(|name| match self.schemes.iter().find(|s| s.name == *name) {
                        Some(scheme) => format!("`{name}` ({})", scheme.how_to_set()),
                        None => format!("`{name}` (not a scheme this client can send)"),
                    })
                    .collect();
                missing.join(" and ")
            })
            .collect();
        format!(
            "this operation requires credentials that are not set: {}",
            alternatives.join(", or ")
        )
    }
}

/// The first alternative of `requirements` whose schemes are all `present` (set in the client, or
/// carried by a request the mock checks); `None` when none is.
pub(crate) fn first_met(requirements: Requirements, present: impl Fn(&str) -> bool) -> Option<&'static [&'static str]> {
    requirements
        .iter()
        .copied()
        .find(|schemes| schemes.iter().all(|scheme| present(scheme)))
}

/// What a cookie value may hold (RFC 6265 §4.1.1): no spaces, controls, quotes, commas,
/// semicolons or backslashes.
fn cookie_octet(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '"' | ',' | ';' | '\\')
}

/// `value`, written in `scheme`'s form and checked to be sendable where the scheme puts it.
fn wire(scheme: &SecurityScheme, value: &str) -> Result<Wire, Error> {
    let written = scheme.form.apply(value);
    // The value is not echoed: it is the secret.
    let invalid = format!(
        "the credential for `{}` is not valid in the {} `{}`",
        scheme.name,
        scheme.location.as_str(),
        scheme.parameter
    );
    match scheme.location {
        Location::Header => {
            let name = HeaderName::from_bytes(scheme.parameter.as_bytes()).map_err(|source| {
                Error::config_with_source(format!("`{}` is not a valid header name", scheme.parameter), source)
            })?;
            let mut value =
                HeaderValue::from_str(&written).map_err(|source| Error::config_with_source(invalid, source))?;
            value.set_sensitive(true);
            Ok(Wire::Header(name, value))
        }
        Location::Query => {
            let pair = format!("{}={}", encode_component(scheme.parameter), encode_component(&written));
            Ok(Wire::Query(Secret::new(pair)))
        }
        Location::Cookie => {
            let name = scheme.parameter;
            let name_ok = !name.is_empty() && name.chars().all(|c| cookie_octet(c) && c != '=');
            if !name_ok || !written.chars().all(cookie_octet) {
                return Err(Error::config(invalid));
            }
            Ok(Wire::Cookie(Secret::new(format!("{name}={written}"))))
        }
    }
}

impl fmt::Debug for Credentials {
    /// The schemes with a value and where each goes, e.g. `("apiKey", "header x-api-key")`;
    /// never a value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<(&str, String)> = self
            .set
            .iter()
            .map(|(scheme, _)| {
                (
                    scheme.name,
                    format!("{} {}", scheme.location.as_str(), scheme.parameter),
                )
            })
            .collect();
        f.debug_struct("Credentials").field("set", &set).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::config::{ConfigBuilder, Runtime};
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, response};

    /// One scheme of each family, none required by every operation.
    const SCHEMES: &[SecurityScheme] = &[
        SecurityScheme {
            name: "headerKey",
            location: Location::Header,
            parameter: "x-api-key",
            form: CredentialForm::Raw,
            setter: "header_key",
            env_var: Some("EXAMPLE_HEADER_KEY"),
            required_by_every_operation: false,
        },
        SecurityScheme {
            name: "queryKey",
            location: Location::Query,
            parameter: "api key",
            form: CredentialForm::Raw,
            setter: "query_key",
            env_var: None,
            required_by_every_operation: false,
        },
        SecurityScheme {
            name: "cookieKey",
            location: Location::Cookie,
            parameter: "session",
            form: CredentialForm::Raw,
            setter: "cookie_key",
            env_var: None,
            required_by_every_operation: false,
        },
        SecurityScheme {
            name: "bearer",
            location: Location::Header,
            parameter: "authorization",
            form: CredentialForm::Bearer,
            setter: "bearer",
            env_var: Some("EXAMPLE_TOKEN"),
            required_by_every_operation: false,
        },
        SecurityScheme {
            name: "basic",
            location: Location::Header,
            parameter: "authorization",
            form: CredentialForm::Basic,
            setter: "basic",
            env_var: Some("EXAMPLE_BASIC"),
            required_by_every_operation: false,
        },
        SecurityScheme {
            name: "oauth",
            location: Location::Header,
            parameter: "authorization",
            form: CredentialForm::Bearer,
            setter: "oauth",
            env_var: None,
            required_by_every_operation: false,
        },
    ];

    /// One operation per requirement shape: the default, each scheme alone, both keys together,
    /// alternatives, and nothing at all (`security: []`).
    const SECURITY: &OperationSecurity = &OperationSecurity {
        default: &[&["headerKey"]],
        by_operation: &[
            ("withQueryKey", &[&["queryKey"]]),
            ("withCookieKey", &[&["cookieKey"]]),
            ("withBearer", &[&["bearer"]]),
            ("withBasic", &[&["basic"]]),
            ("withOauth", &[&["oauth"]]),
            ("withBothKeys", &[&["headerKey", "queryKey"]]),
            (
                "withAlternatives",
                &[&["basic", "cookieKey"], &["bearer"], &["headerKey"]],
            ),
            ("public", &[]),
            ("optional", &[&["bearer"], &[]]),
        ],
    };

    const fn get(id: &'static str) -> Operation {
        Operation {
            id,
            method: Method::Get,
            path: "/v1/things",
        }
    }
    static DEFAULT: Operation = get("usesTheDefault");
    static QUERY_KEY: Operation = get("withQueryKey");
    static COOKIE_KEY: Operation = get("withCookieKey");
    static BEARER: Operation = get("withBearer");
    static BASIC: Operation = get("withBasic");
    static OAUTH: Operation = get("withOauth");
    static BOTH_KEYS: Operation = get("withBothKeys");
    static ALTERNATIVES: Operation = get("withAlternatives");
    static PUBLIC: Operation = get("public");
    static OPTIONAL: Operation = get("optional");

    fn every_credential() -> ConfigBuilder {
        ConfigBuilder::new("https://unused.example.com")
            .credential("headerKey", "hk-secret")
            .credential("queryKey", "qk secret&")
            .credential("cookieKey", "ck-secret")
            .credential("bearer", "tok-secret")
            .credential("basic", "Aladdin:open sesame")
            .credential("oauth", "oauth-secret")
            .operation_security(SECURITY)
    }

    /// The raw request `runtime` sends for `operation` to a server that answers 200.
    async fn sent(builder: ConfigBuilder, operation: &'static Operation) -> String {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let runtime = builder.base_url(&server.base_url).build(SCHEMES).unwrap();
        let _ = runtime
            .request(operation)
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        server.requests().await.remove(0)
    }

    /// The credentials a request carries, as `(place, value)` pairs in a fixed order.
    fn credentials_in(request: &str) -> Vec<String> {
        let line = test_server::request_line(request);
        let mut found: Vec<String> = line
            .split_once('?')
            .map(|(_, query)| query.trim_end_matches(" HTTP/1.1").to_owned())
            .into_iter()
            .map(|query| format!("query {query}"))
            .collect();
        for name in ["x-api-key", "authorization", "cookie"] {
            let prefix = format!("\r\n{name}: ");
            if let Some(start) = request.find(&prefix) {
                let value = &request[start + prefix.len()..];
                found.push(format!("{name}: {}", &value[..value.find("\r\n").unwrap()]));
            }
        }
        found
    }

    #[tokio::test]
    async fn each_operation_sends_only_the_schemes_it_requires() {
        let cases: [(&'static Operation, &[&str]); 9] = [
            (&DEFAULT, &["x-api-key: hk-secret"]),
            (&QUERY_KEY, &["query api%20key=qk%20secret%26"]),
            (&COOKIE_KEY, &["cookie: session=ck-secret"]),
            (&BEARER, &["authorization: Bearer tok-secret"]),
            (&BASIC, &["authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="]),
            (&OAUTH, &["authorization: Bearer oauth-secret"]),
            (&BOTH_KEYS, &["query api%20key=qk%20secret%26", "x-api-key: hk-secret"]),
            (
                &ALTERNATIVES,
                &[
                    "authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
                    "cookie: session=ck-secret",
                ],
            ),
            (&PUBLIC, &[]),
        ];
        for (operation, expected) in cases {
            let request = sent(every_credential(), operation).await;
            assert_eq!(credentials_in(&request), expected, "{}: {request}", operation.id);
        }
    }

    #[tokio::test]
    async fn alternatives_use_the_first_one_whose_credentials_are_all_set() {
        // `basic` without `cookieKey` does not complete the first alternative; `bearer` is next.
        let builder = ConfigBuilder::new("https://unused.example.com")
            .credential("basic", "u:p")
            .credential("bearer", "tok")
            .credential("headerKey", "hk")
            .operation_security(SECURITY);
        let request = sent(builder, &ALTERNATIVES).await;
        assert_eq!(credentials_in(&request), ["authorization: Bearer tok"]);

        let builder = ConfigBuilder::new("https://unused.example.com")
            .credential("headerKey", "hk")
            .operation_security(SECURITY);
        let request = sent(builder, &ALTERNATIVES).await;
        assert_eq!(credentials_in(&request), ["x-api-key: hk"]);

        // An empty alternative makes authentication optional: met with nothing set.
        let request = sent(every_credential(), &OPTIONAL).await;
        assert_eq!(credentials_in(&request), ["authorization: Bearer tok-secret"]);
        let request = sent(
            ConfigBuilder::new("https://unused.example.com").operation_security(SECURITY),
            &OPTIONAL,
        )
        .await;
        assert_eq!(credentials_in(&request), Vec::<String>::new());
    }

    #[tokio::test]
    async fn a_cookie_credential_joins_the_request_s_own_cookies() {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let runtime = every_credential().base_url(&server.base_url).build(SCHEMES).unwrap();
        let _ = runtime
            .request(&COOKIE_KEY)
            .header("cookie", "theme=dark")
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        let request = server.requests().await.remove(0);
        assert_eq!(credentials_in(&request), ["cookie: theme=dark; session=ck-secret"]);
    }

    #[tokio::test]
    async fn a_missing_credential_fails_before_anything_is_sent() {
        let server = test_server::serve(vec![response("200 OK", "{}")]).await;
        let runtime = ConfigBuilder::new(&server.base_url)
            .credential("basic", "u:p")
            .operation_security(SECURITY)
            .build(SCHEMES)
            .unwrap();
        let error = runtime.request(&ALTERNATIVES).send_bytes().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert_eq!(error.operation_id(), Some("withAlternatives"));
        assert!(!error.request_sent());
        assert_eq!(error.attempts(), 0);
        assert_eq!(
            error.to_string(),
            "GET /v1/things (withAlternatives): invalid client configuration: this operation requires \
             credentials that are not set: `cookieKey` (call .cookie_key(..)), or `bearer` (call .bearer(..) \
             or set EXAMPLE_TOKEN), or `headerKey` (call .header_key(..) or set EXAMPLE_HEADER_KEY)"
        );
        let error = runtime.request(&BOTH_KEYS).send_bytes().await.unwrap_err();
        assert!(
            error.to_string().ends_with(
                "`headerKey` (call .header_key(..) or set EXAMPLE_HEADER_KEY) and `queryKey` (call .query_key(..))"
            ),
            "{error}"
        );
        // The one request the server saw is the next call's, which requires nothing.
        runtime.request(&PUBLIC).send_bytes().await.unwrap();
        let requests = server.requests().await;
        assert_eq!(requests.len(), 1);
        assert_eq!(credentials_in(&requests[0]), Vec::<String>::new());
    }

    #[tokio::test]
    async fn a_query_key_stays_out_of_errors_and_debug_output() {
        let base_url = test_server::unused_base_url().await;
        let runtime: Runtime = every_credential()
            .base_url(&base_url)
            .max_retries(0)
            .build(SCHEMES)
            .unwrap();
        let request = runtime.request(&QUERY_KEY);
        let error = request.send_bytes().await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Connect);
        let shown = format!("{error} {error:?} {runtime:?} {:?}", runtime.request(&QUERY_KEY));
        let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&error);
        let mut causes = String::new();
        while let Some(current) = cause {
            causes.push_str(&format!("{current} {current:?} "));
            cause = current.source();
        }
        for secret in ["qk", "hk-secret", "ck-secret", "tok-secret", "QWxhZGRp", "oauth-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
            assert!(!causes.contains(secret), "{secret} in {causes}");
        }
        assert!(shown.contains("(\"queryKey\", \"query api key\")"), "{shown}");
    }

    #[test]
    fn values_that_cannot_be_sent_are_config_errors_without_the_value() {
        for (scheme, value) in [("headerKey", "bad\nsecret"), ("cookieKey", "bad;secret")] {
            let error = ConfigBuilder::new("https://api.example.com")
                .credential(scheme, value)
                .build(SCHEMES)
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Config);
            assert!(!error.to_string().contains("secret"), "{error}");
            assert!(error.to_string().contains(scheme), "{error}");
        }
    }

    #[test]
    fn an_operation_without_its_own_list_requires_the_default() {
        assert_eq!(SECURITY.requirements(&DEFAULT), SECURITY.default);
        assert_eq!(SECURITY.requirements(&PUBLIC), &[] as Requirements);
        assert_eq!(OperationSecurity::NONE.requirements(&BEARER), &[] as Requirements);
    }

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
        ];
        for (input, expected) in cases.into_iter().chain([("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]) {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn credential_forms_write_the_value() {
        assert_eq!(CredentialForm::Raw.apply("k"), "k");
        assert_eq!(CredentialForm::Bearer.apply("tok"), "Bearer tok");
        assert_eq!(
            CredentialForm::Basic.apply("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        for form in [CredentialForm::Raw, CredentialForm::Bearer, CredentialForm::Basic] {
            assert_eq!(form.apply(""), "", "an empty value stays not set");
        }
    }
}
