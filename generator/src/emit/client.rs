//! Emits `client.rs` (the `Client`, its builder and one accessor per resource), the crate's
//! `lib.rs`, the `generated/mod.rs` module list and `Cargo.toml`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::common::{doc_attrs, inner_doc_attrs};
use crate::model::{ApiModel, Credential, CredentialKind, CredentialLocation, Security};
use crate::naming::ident;

/// ```text
/// pub struct Client { runtime }            Client::builder(), Client::from_env(), client.evaluations()
/// pub struct ClientBuilder { config }      .api_key(..), .base_url(..), .timeout(..), .max_retries(..), .build()
/// ```
pub fn emit_client(model: &ApiModel) -> TokenStream {
    let settings = &model.settings;
    let base_url = &settings.default_base_url;
    let schemes = settings.credentials.iter().map(security_scheme);
    let default_security = requirements(&settings.default_security);
    let by_operation = model.resources.iter().flat_map(|r| &r.operations).filter_map(|op| {
        let (id, security) = (&op.id, requirements(op.security.as_ref()?));
        Some(quote!((#id, #security)))
    });
    let credential_setters = settings.credentials.iter().map(credential_setter);
    let env_reads = settings.credentials.iter().filter_map(|c| {
        let (scheme, var) = (&c.scheme, c.env_var.as_ref()?);
        Some(quote!(.credential_from_env(#scheme, #var)))
    });
    let base_url_env = settings
        .base_url_env
        .as_ref()
        .map(|var| quote!(.base_url_from_env(#var)));
    let mut sources: Vec<String> = settings
        .credentials
        .iter()
        .filter_map(|c| {
            let form = if c.kind == CredentialKind::Basic {
                ", as `user:password`"
            } else {
                ""
            };
            c.env_var.as_ref().map(|var| format!("`{var}` ({}{form})", c.setter))
        })
        .collect();
    if let Some(var) = &settings.base_url_env {
        sources.push(format!("`{var}` (base URL, optional)"));
    }
    let env_doc = if sources.is_empty() {
        "A builder preset from the environment (this API names no environment variables).".to_owned()
    } else {
        format!(
            "A builder preset from the environment: {}. Setters called afterwards override these.",
            sources.join(", ")
        )
    };
    let from_env_doc = format!("{env_doc}\n\nFails when a value that every operation requires is missing.");
    let accessors = model.resources.iter().map(|r| {
        let method = ident(&r.module);
        let module = ident(&r.module);
        let handle = ident(&r.type_name);
        let doc = format!(" Operations on {}.", r.type_name);
        quote! {
            #[doc = #doc]
            pub fn #method(&self) -> crate::#module::#handle {
                crate::#module::#handle::new(self.runtime.clone())
            }
        }
    });
    let from_env_doc = doc_attrs(Some(&from_env_doc));
    let env_doc = doc_attrs(Some(&env_doc));
    quote! {
        //! The client and its builder.
        use std::time::Duration;

        use crate::runtime::{ConfigBuilder, Error, OperationSecurity, Runtime, SecurityScheme};

        /// The base URL used unless the builder or the environment sets another.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// The security schemes this client can send.
        pub(crate) const SECURITY_SCHEMES: &[SecurityScheme] = &[#(#schemes),*];

        /// What each operation sends: its own `security` list, else the API's.
        pub(crate) static OPERATION_SECURITY: OperationSecurity = OperationSecurity {
            default: #default_security,
            by_operation: &[#(#by_operation),*],
        };

        /// The API client. Cheap to clone (clones share one connection pool); `Send + Sync`.
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: Runtime,
        }

        impl Client {
            /// A builder with nothing set but the default base URL.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            #from_env_doc
            pub fn from_env() -> Result<Self, Error> {
                ClientBuilder::from_env().build()
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.runtime.base_url()
            }

            /// The runtime under the typed operations: an escape hatch to send a request the
            /// description does not cover, with the same credentials, errors and settings.
            pub fn runtime(&self) -> &Runtime {
                &self.runtime
            }

            #(#accessors)*
        }

        /// Configures a [`Client`]. Credentials never appear in its `Debug` output.
        #[derive(Debug)]
        pub struct ClientBuilder {
            config: ConfigBuilder,
        }

        impl Default for ClientBuilder {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ClientBuilder {
            /// A builder with nothing set but the default base URL.
            pub fn new() -> Self {
                let user_agent = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
                let config = ConfigBuilder::new(DEFAULT_BASE_URL)
                    .user_agent(user_agent)
                    .operation_security(&OPERATION_SECURITY);
                Self { config }
            }

            #env_doc
            pub fn from_env() -> Self {
                Self { config: Self::new().config #(#env_reads)* #base_url_env }
            }

            #(#credential_setters)*

            /// Sends requests to this base URL instead of [`DEFAULT_BASE_URL`].
            pub fn base_url(mut self, url: impl Into<String>) -> Self {
                self.config = self.config.base_url(url);
                self
            }

            /// Time allowed for each attempt of a request, from connecting to the last body byte
            /// (default [`DEFAULT_TIMEOUT`](crate::runtime::options::DEFAULT_TIMEOUT)). A
            /// timed-out attempt is retried. A request's own `.timeout(..)` wins over this.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.config = self.config.timeout(timeout);
                self
            }

            /// Time allowed to open a connection (default
            /// [`DEFAULT_CONNECT_TIMEOUT`](crate::runtime::options::DEFAULT_CONNECT_TIMEOUT)).
            /// Connections are pooled and shared by requests, so this is a client setting only.
            pub fn connect_timeout(mut self, timeout: Duration) -> Self {
                self.config = self.config.connect_timeout(timeout);
                self
            }

            /// How many times a failed request is retried (default
            /// [`DEFAULT_MAX_RETRIES`](crate::runtime::retry::DEFAULT_MAX_RETRIES); 0 turns
            /// retrying off). Which failures are retried, and how long to wait before each retry,
            /// is [`RetryPolicy`](crate::runtime::RetryPolicy)'s decision: connection failures,
            /// timeouts and overloaded or failing servers, honouring the server's `retry-after`
            /// and `x-should-retry`. A request's own `.max_retries(..)` wins.
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.config = self.config.max_retries(max_retries);
                self
            }

            /// The clock that waits between retries and tells the time an HTTP-date
            /// `retry-after` is measured from. Tests pass a
            /// [`RecordingClock`](crate::runtime::RecordingClock) so that retries do not wait.
            pub fn clock(mut self, clock: impl crate::runtime::Clock) -> Self {
                self.config = self.config.clock(clock);
                self
            }

            /// Uses this `reqwest::Client` (its own pool, proxy, TLS, connect timeout and redirect
            /// policy) instead of building one. Its own overall timeout applies unless a timeout
            /// is set on this builder or on the request.
            pub fn http_client(mut self, client: reqwest::Client) -> Self {
                self.config = self.config.http_client(client);
                self
            }

            /// Adds a header sent with every request.
            pub fn default_header(mut self, name: &str, value: &str) -> Self {
                self.config = self.config.default_header(name, value);
                self
            }

            /// Builds the client; fails when a setting is invalid or a credential that every
            /// operation requires is missing. A call whose operation requires another credential
            /// that is not set fails without being sent.
            pub fn build(self) -> Result<Client, Error> {
                Ok(Client { runtime: self.config.build(SECURITY_SCHEMES)? })
            }
        }
    }
}

/// The builder method that sets one credential: the value as given (an API key), a bearer token,
/// or a user name and password (HTTP basic).
fn credential_setter(c: &Credential) -> TokenStream {
    let setter = ident(&c.setter);
    let scheme = &c.scheme;
    let parameter = &c.parameter;
    let sent = "sent with the operations that require it";
    let first = match (c.kind, c.location) {
        (CredentialKind::ApiKey, CredentialLocation::Header) => format!("Sets the `{parameter}` header {sent}."),
        (CredentialKind::ApiKey, CredentialLocation::Query) => {
            format!("Sets the `{parameter}` query parameter {sent}.")
        }
        (CredentialKind::ApiKey, CredentialLocation::Cookie) => format!("Sets the `{parameter}` cookie {sent}."),
        (CredentialKind::Bearer, _) => format!("Sets the bearer token (`Authorization: Bearer …`) {sent}."),
        (CredentialKind::Basic, _) => {
            format!("Sets the user name and password (HTTP basic authentication) {sent}.")
        }
    };
    let text = match &c.doc {
        Some(doc) => format!("{first}\n\n{doc}"),
        None => first,
    };
    let doc = doc_attrs(Some(&text));
    match c.kind {
        CredentialKind::ApiKey => quote! {
            #doc
            pub fn #setter(mut self, value: impl Into<String>) -> Self {
                self.config = self.config.credential(#scheme, value);
                self
            }
        },
        CredentialKind::Bearer => quote! {
            #doc
            pub fn #setter(mut self, token: impl Into<String>) -> Self {
                self.config = self.config.credential(#scheme, token);
                self
            }
        },
        CredentialKind::Basic => quote! {
            #doc
            pub fn #setter(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
                let (username, password) = (username.into(), password.into());
                // Both empty is "not set", which is reported; anything else is sent.
                let pair = if username.is_empty() && password.is_empty() {
                    String::new()
                } else {
                    format!("{username}:{password}")
                };
                self.config = self.config.credential(#scheme, pair);
                self
            }
        },
    }
}

/// The runtime's description of one scheme.
fn security_scheme(c: &Credential) -> TokenStream {
    let (name, parameter, setter) = (&c.scheme, &c.parameter, &c.setter);
    let location = match c.location {
        CredentialLocation::Header => quote!(Header),
        CredentialLocation::Query => quote!(Query),
        CredentialLocation::Cookie => quote!(Cookie),
    };
    let form = match c.kind {
        CredentialKind::ApiKey => quote!(Raw),
        CredentialKind::Bearer => quote!(Bearer),
        CredentialKind::Basic => quote!(Basic),
    };
    let env_var = match &c.env_var {
        Some(var) => quote!(Some(#var)),
        None => quote!(None),
    };
    let required = c.required_by_every_operation;
    quote! {
        SecurityScheme {
            name: #name,
            location: crate::runtime::Location::#location,
            parameter: #parameter,
            form: crate::runtime::CredentialForm::#form,
            setter: #setter,
            env_var: #env_var,
            required_by_every_operation: #required,
        }
    }
}

/// A `security` list as the runtime's [`Requirements`] literal: `&[&["a", "b"], &["c"]]`.
fn requirements(security: &Security) -> TokenStream {
    let alternatives = security.iter().map(|schemes| quote!(&[#(#schemes),*]));
    quote!(&[#(#alternatives),*])
}

/// The crate root: docs with a quick start, the module tree and the re-exports.
pub fn emit_lib(model: &ApiModel) -> TokenStream {
    let settings = &model.settings;
    let crate_ident = settings.crate_name.replace('-', "_");
    let mut docs = format!("# {}\n\n{}\n", settings.crate_name, settings.crate_description);
    if let Some(description) = &settings.api_description {
        docs.push_str(&format!("\n{description}\n"));
    }
    if let Some(first) = model.resources.first() {
        docs.push_str(&format!(
            "\n## Quick start\n\n```no_run\n# async fn run() -> Result<(), {crate_ident}::Error> {{\nlet client = {crate_ident}::Client::from_env()?;\nlet handle = client.{}();\n# let _ = handle;\n# Ok(())\n# }}\n```\n",
            first.module
        ));
    }
    docs.push_str("\nThis crate is generated from an OpenAPI description; see the `types` module for the request and response types and one module per resource for the operations.");
    let docs = inner_doc_attrs(&docs);
    let modules: Vec<_> = model.resources.iter().map(|r| ident(&r.module)).collect();
    quote! {
        #docs
        #![forbid(unsafe_code)]
        // Descriptions come from the spec's prose, which is Markdown written for humans.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        mod generated;
        pub mod runtime;

        pub use generated::client::{Client, ClientBuilder, DEFAULT_BASE_URL};
        pub use generated::types;
        #(pub use generated::#modules;)*
        /// A typed mock server of the API for tests (feature `mock`).
        #[cfg(feature = "mock")]
        pub use generated::mock;
        /// The command line, whose binary is named after the crate (feature `cli`).
        #[cfg(feature = "cli")]
        pub use generated::cli;
        pub use runtime::{Error, ErrorKind, FileUpload, Nullable, Response};
    }
}

pub fn emit_generated_mod(model: &ApiModel) -> TokenStream {
    let modules: Vec<_> = model.resources.iter().map(|r| ident(&r.module)).collect();
    quote! {
        //! Code generated from the OpenAPI description.
        pub mod client;
        pub mod types;
        #(pub mod #modules;)*
        #[cfg(feature = "mock")]
        pub mod mock;
        #[cfg(feature = "cli")]
        pub mod cli;
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `Cargo.toml` of the generated crate, as text.
pub fn emit_cargo_toml(model: &ApiModel, header: &str) -> String {
    let s = &model.settings;
    format!(
        r#"# {header}
[package]
name = "{name}"
version = "{version}"
description = {description}
edition = "2021"
rust-version = "1.85"
license = "MIT OR Apache-2.0"

[dependencies]
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
futures-core = "0.3"
futures-util = {{ version = "0.3", default-features = false }}
percent-encoding = "2"
reqwest = {{ version = "0.12", default-features = false, features = ["rustls-tls", "multipart"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
tokio = {{ version = "1", features = ["time"] }}
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}
wiremock = {{ version = "0.6", optional = true }}
clap = {{ version = "4", optional = true, default-features = false, features = ["std", "help", "usage", "error-context", "suggestions"] }}
clap_complete = {{ version = "4", optional = true }}
indicatif = {{ version = "0.18", optional = true, default-features = false }}

[features]
# `mock`: a typed mock server of the API for users' tests (the `mock` module); off by default.
mock = ["dep:wiremock"]
# `cli`: the `{name}` command (the `cli` module and the binary); off by default. One request at a
# time needs tokio's single-threaded runtime only.
cli = ["dep:clap", "dep:clap_complete", "dep:indicatif", "tokio/rt"]

# The binary's code is generated with the rest; `src/generated/` belongs to the generator.
[[bin]]
name = "{name}"
path = "src/generated/main.rs"
required-features = ["cli"]

[dev-dependencies]
serde_path_to_error = "0.1"
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net", "io-util", "time"] }}
"#,
        name = s.crate_name,
        version = s.crate_version,
        description = toml_string(&s.crate_description),
    )
}

#[cfg(test)]
mod tests {
    use super::toml_string;

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(toml_string("line\nnext\r"), r#""line\nnext\u000D""#);
    }
}
