//! Emits `mock.rs`, the typed mock server behind the crate's `mock` feature. One file for the whole
//! API: the feature gate sits on one module, the per-resource parts are small, and a reviewer reads
//! the operations' spec descriptions next to the typed expectations that use them.
//!
//! ```text
//! static RETRIEVE_EVALUATION_OPERATION: m::SpecOperation = { id, method, path, params, body, example }
//! pub struct MockServer { api }          start(), with_examples(), client(), verify(), evaluations()
//! pub struct EvaluationsMock<'s>         retrieve(evaluation_id) -> RetrieveEvaluationExpectation
//! pub struct RetrieveEvaluationExpectation<'s>
//!     query setters…, body(..), body_matching(|b| ..), times(n)
//!     respond(Evaluation), respond_404(ErrorResponse), respond_error(status, ..), respond_with(template)
//! ```
//!
//! The generic machinery (the spec check, matching, verification) is the runtime's `mock.rs`.

use heck::ToShoutySnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::common::{doc_attrs, rust_type};
use crate::emit::operations::{method_inputs, outcome_name, param_text};
use crate::model::{
    resolve_alias, ApiModel, Body, CredentialKind, ErrorStatus, Operation, Param, ParamEncoding, ParamLocation,
    Resource, Response, TypeKind, TypeRef,
};
use crate::naming::ident;

/// Members of an expectation that a query parameter's matcher must not be named after.
const EXPECTATION_MEMBERS: &[&str] = &[
    "body",
    "body_matching",
    "times",
    "up_to_n_times",
    "respond",
    "respond_error",
    "respond_with",
];

/// Members of `MockServer` that a resource accessor must not be named after.
const SERVER_MEMBERS: &[&str] = &[
    "start",
    "with_examples",
    "client",
    "client_builder",
    "uri",
    "wiremock",
    "take_violations",
    "verify",
    "example_problems",
    "operations_without_examples",
];

pub fn emit_mock(model: &ApiModel) -> TokenStream {
    let operations: Vec<&Operation> = model.resources.iter().flat_map(|r| &r.operations).collect();
    let statics = operations.iter().map(|op| spec_operation(model, op));
    let names = operations.iter().map(|op| static_name(op));
    let accessors = model.resources.iter().map(resource_accessor);
    let handles = model.resources.iter().map(|r| resource_handle(model, r));
    let expectations = model
        .resources
        .iter()
        .flat_map(|r| r.operations.iter().map(move |op| expectation(model, r, op)));
    // Every credential gets a placeholder, so that every operation can be called whatever its
    // `security` list requires.
    let credentials = model.settings.credentials.iter().map(|c| {
        let setter = ident(&c.setter);
        match c.kind {
            CredentialKind::Basic => quote!(.#setter("mock-user", "mock-password")),
            CredentialKind::ApiKey | CredentialKind::Bearer => quote!(.#setter("mock-credential")),
        }
    });
    quote! {
        //! A typed mock of the API for tests (the `mock` feature): a server on 127.0.0.1 that checks
        //! every request against the API description, with typed expectations per operation.
        //!
        //! A request the API would reject (unknown path or method, a missing or mistyped parameter,
        //! a body that does not decode into the operation's type) is answered with
        //! [`VIOLATION_STATUS`] and fails the test, with the place and the reason, when the server
        //! is dropped or [verified](MockServer::verify).
        // What the spec deprecates warns users' code, not this module's.
        #![allow(deprecated)]
        use crate::runtime::mock as m;

        pub use m::{ResponseTemplate, NO_EXAMPLE_STATUS, VIOLATION_STATUS};

        #(#statics)*

        static OPERATIONS: m::Operations = &[#(&#names),*];

        /// The client's security tables: what each operation must carry.
        const CREDENTIALS: m::Credentials = m::Credentials {
            schemes: crate::generated::client::SECURITY_SCHEMES,
            security: &crate::generated::client::OPERATION_SECURITY,
        };

        /// A mock of the API on 127.0.0.1. Dropping it fails the test when a request violated the
        /// API description or an expectation's `times` was not met.
        #[derive(Debug)]
        pub struct MockServer {
            api: m::MockApi,
        }

        impl MockServer {
            /// Starts a server that answers only what expectations are mounted for (and spec
            /// violations, with [`VIOLATION_STATUS`]); other requests get `404`.
            pub async fn start() -> Self {
                MockServer { api: m::MockApi::start(OPERATIONS, CREDENTIALS).await }
            }

            /// Starts a server that answers every operation with the example of its success
            /// response in the API description. An operation without one is answered with
            /// [`NO_EXAMPLE_STATUS`] (see [`operations_without_examples`](Self::operations_without_examples)).
            /// Expectations mounted afterwards take precedence over the examples.
            pub async fn with_examples() -> Self {
                let server = Self::start().await;
                server.api.answer_with_examples().await;
                server
            }

            /// A client of this server, with a placeholder value for every credential.
            pub fn client(&self) -> crate::Client {
                self.client_builder()
                    .build()
                    .expect("a client of the mock server has every required setting")
            }

            /// A client builder preset for this server, to change other settings (retries, clock).
            pub fn client_builder(&self) -> crate::ClientBuilder {
                crate::Client::builder().base_url(self.api.uri()) #(#credentials)*
            }

            /// The base URL, e.g. `http://127.0.0.1:41234`.
            pub fn uri(&self) -> String {
                self.api.uri()
            }

            /// The wiremock server underneath, to mount raw mocks.
            pub fn wiremock(&self) -> &wiremock::MockServer {
                self.api.wiremock()
            }

            /// The spec violations seen so far (`"<method> <path> (<operation>): <reason>"`);
            /// taking them keeps dropping the server from failing the test for them.
            pub fn take_violations(&self) -> Vec<String> {
                self.api.take_violations()
            }

            /// Panics when a request violated the API description or an expectation's call count
            /// is not met (dropping the server checks the same).
            pub async fn verify(&self) {
                self.api.verify().await
            }

            /// The examples in the API description that do not decode into their operation's type.
            pub fn example_problems() -> Vec<String> {
                m::example_problems(OPERATIONS)
            }

            /// The operations [`with_examples`](Self::with_examples) cannot answer for want of an
            /// example in the API description.
            pub fn operations_without_examples() -> Vec<&'static str> {
                m::operations_without_examples(OPERATIONS)
            }

            #(#accessors)*
        }

        #(#handles)*
        #(#expectations)*
    }
}

fn static_name(op: &Operation) -> Ident {
    ident(&format!("{}_OPERATION", op.id.to_shouty_snake_case()))
}

fn accessor_name(resource: &Resource) -> Ident {
    if SERVER_MEMBERS.contains(&resource.module.as_str()) {
        ident(&format!("{}_resource", resource.module))
    } else {
        ident(&resource.module)
    }
}

fn handle_name(resource: &Resource) -> Ident {
    ident(&format!("{}Mock", resource.type_name))
}

fn expectation_name(op: &Operation) -> Ident {
    let base = op.builder_name.strip_suffix("Builder").unwrap_or(&op.builder_name);
    ident(&format!("{base}Expectation"))
}

/// The operation as the runtime's spec check reads it.
fn spec_operation(model: &ApiModel, op: &Operation) -> TokenStream {
    let name = static_name(op);
    let (id, method, path) = (&op.id, op.http_method.as_str(), &op.path);
    let params = op.params.iter().map(|p| spec_param(model, p));
    let body = match &op.body {
        None => quote!(m::SpecBody::None),
        Some(Body::Json { ty, required, .. }) => {
            let ty = rust_type(model, ty, true);
            quote!(m::SpecBody::Json { required: #required, check: m::decodes_as::<#ty> })
        }
        Some(Body::Multipart { fields }) => {
            let required = fields.iter().any(|f| f.required);
            quote!(m::SpecBody::Other { required: #required })
        }
        Some(Body::Form { required, .. } | Body::Raw { required, .. }) => {
            quote!(m::SpecBody::Other { required: #required })
        }
    };
    let status = proc_macro2::Literal::u16_unsuffixed(op.mock.success_status);
    let example = match (success_body(op), &op.mock.example) {
        (Response::Empty, _) => quote!(m::Example::Empty),
        (Response::Json(ty), Some(example)) => {
            let text = raw_string(&serde_json::to_string_pretty(example).unwrap_or_default());
            let ty = rust_type(model, ty, true);
            quote!(m::Example::Json { text: #text, check: m::decodes_as::<#ty> })
        }
        _ => quote!(m::Example::Missing),
    };
    quote! {
        static #name: m::SpecOperation = m::SpecOperation {
            id: #id,
            method: #method,
            path: #path,
            params: &[#(#params),*],
            body: #body,
            success_status: #status,
            example: #example,
        };
    }
}

/// `r#"…"#` with as many `#` as the text needs: the example keeps its lines in the generated file.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| quote!(#text))
}

/// The body of the first success status (what `respond` and the example answer with).
fn success_body(op: &Operation) -> &Response {
    match &op.response {
        Response::ByStatus(statuses) => statuses
            .iter()
            .find(|s| s.code == op.mock.success_status)
            .map_or(&Response::Empty, |s| &s.body),
        other => other,
    }
}

fn spec_param(model: &ApiModel, param: &Param) -> TokenStream {
    let name = &param.wire_name;
    let required = param.required;
    let location = match param.location {
        ParamLocation::Path => quote!(m::ParamIn::Path),
        ParamLocation::Query => quote!(m::ParamIn::Query),
        ParamLocation::Header => quote!(m::ParamIn::Header),
        ParamLocation::Cookie => quote!(m::ParamIn::Cookie),
    };
    let (shape, value_ty) = match (param.encoding, &param.ty) {
        (ParamEncoding::Scalar, ty) => (quote!(m::ParamShape::One), Some(ty)),
        (ParamEncoding::Joined(separator), TypeRef::Array(item)) => {
            (quote!(m::ParamShape::Joined(#separator)), Some(&**item))
        }
        (ParamEncoding::Repeated, TypeRef::Array(item)) => (quote!(m::ParamShape::Repeated), Some(&**item)),
        (ParamEncoding::ObjectFields, _) => (quote!(m::ParamShape::Fields), None),
        (ParamEncoding::DeepObject, _) => (quote!(m::ParamShape::Keyed), None),
        _ => (quote!(m::ParamShape::Opaque), None),
    };
    let value = value_ty.map_or(quote!(m::ValueKind::Any), |ty| value_kind(model, ty));
    quote!(m::SpecParam { name: #name, location: #location, required: #required, shape: #shape, value: #value })
}

/// What the spec check accepts for one value of this type.
fn value_kind(model: &ApiModel, ty: &TypeRef) -> TokenStream {
    match resolve_alias(&model.types, ty) {
        TypeRef::String | TypeRef::Bytes => quote!(m::ValueKind::Text),
        TypeRef::Integer => quote!(m::ValueKind::Integer),
        TypeRef::Number => quote!(m::ValueKind::Number),
        TypeRef::Boolean => quote!(m::ValueKind::Boolean),
        TypeRef::DateTime => quote!(m::ValueKind::DateTime),
        TypeRef::Named(id) => match model.types.get(id.0).map(|t| &t.kind) {
            Some(TypeKind::Enum(e)) => {
                let wires = e.variants.iter().map(|v| &v.wire);
                quote!(m::ValueKind::OneOf(&[#(#wires),*]))
            }
            _ => quote!(m::ValueKind::Any),
        },
        _ => quote!(m::ValueKind::Any),
    }
}

fn resource_accessor(resource: &Resource) -> TokenStream {
    let method = accessor_name(resource);
    let handle = handle_name(resource);
    let doc = format!(" Expectations for the operations on {}.", resource.type_name);
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> #handle<'_> {
            #handle { api: &self.api }
        }
    }
}

/// `EvaluationsMock`: one method per operation, taking the path parameters like the client does.
fn resource_handle(model: &ApiModel, resource: &Resource) -> TokenStream {
    let handle = handle_name(resource);
    let doc = format!(
        "Expectations for the operations on [`{}`](crate::{}::{}), from [`MockServer::{}`].",
        resource.type_name,
        resource.module,
        resource.type_name,
        accessor_name(resource)
    );
    let doc = doc_attrs(Some(&doc));
    // The doctest's lines go in as they are: `doc_attrs` would mark its fence `text`.
    let example: Vec<String> = doctest(model, resource)
        .map(|text| text.lines().map(|line| format!(" {line}")).collect())
        .unwrap_or_default();
    let separator = (!example.is_empty()).then(|| quote!(#[doc = ""]));
    let methods = resource.operations.iter().map(|op| {
        let method = ident(&op.method_name);
        let expectation = expectation_name(op);
        let static_name = static_name(op);
        let path_params: Vec<&Param> = path_params(op);
        let args = path_params.iter().map(|p| {
            let name = ident(&p.name);
            let ty = rust_type(model, &p.ty, true);
            quote!(#name: impl Into<#ty>)
        });
        let conditions = path_params.iter().map(|p| {
            let name = ident(&p.name);
            let wire = &p.wire_name;
            let text = param_text(p, &quote!(value));
            quote! {
                let value = &#name.into();
                let text: &str = #text;
                let expectation = expectation.path_param(#wire, text.to_owned());
            }
        });
        // Spec text (the path, the id) may hold line breaks: `doc_attrs` makes lines of them.
        let doc = format!(
            "Expects `{} {}` (operation `{}`), like [`{}::{}`](crate::{}::{}::{}).",
            op.http_method.as_str(),
            op.path,
            op.id,
            resource.type_name,
            op.method_name,
            resource.module,
            resource.type_name,
            op.method_name
        );
        let doc = doc_attrs(Some(&doc));
        quote! {
            #doc
            pub fn #method(&self, #(#args),*) -> #expectation<'s> {
                let expectation = m::Expectation::new(self.api, &#static_name);
                #(#conditions)*
                #expectation { expectation }
            }
        }
    });
    quote! {
        #doc
        #separator
        #(#[doc = #example])*
        #[derive(Clone, Copy, Debug)]
        pub struct #handle<'s> {
            api: &'s m::MockApi,
        }

        impl<'s> #handle<'s> {
            #(#methods)*
        }
    }
}

fn path_params(op: &Operation) -> Vec<&Param> {
    op.params.iter().filter(|p| p.location == ParamLocation::Path).collect()
}

/// A doctest for the resource: an expectation for its first operation whose client method takes
/// only path parameters of plain types, answered with a `404` the client then sees. Where every
/// operation also needs a body or query value, the doctest mounts one that expects no call.
fn doctest(model: &ApiModel, resource: &Resource) -> Option<String> {
    let crate_ident = model.settings.crate_name.replace('-', "_");
    let callable: Vec<(&Operation, String, bool)> = resource
        .operations
        .iter()
        .filter_map(|op| {
            let params = path_params(op);
            let literals: Option<Vec<&str>> = params
                .iter()
                .map(|p| match (p.encoding, resolve_alias(&model.types, &p.ty)) {
                    (ParamEncoding::Scalar, TypeRef::String) => Some("\"example\""),
                    (ParamEncoding::Scalar, TypeRef::Integer) => Some("1"),
                    _ => None,
                })
                .collect();
            let takes_only_path_params = method_inputs(model, op).iter().filter(|i| i.required).count() == params.len();
            Some((op, literals?.join(", "), takes_only_path_params))
        })
        .collect();
    let accessor = accessor_name(resource);
    let start = format!(
        "```
# tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {{
use {crate_ident}::mock::{{MockServer, ResponseTemplate}};

let server = MockServer::start().await;"
    );
    if let Some((op, arguments, _)) = callable.iter().find(|(_, _, only_path)| *only_path) {
        let (module, method) = (&resource.module, &op.method_name);
        return Some(format!(
            "{start}
server
    .{accessor}()
    .{method}({arguments})
    .times(1)
    .respond_with(ResponseTemplate::new(404))
    .await;
let error = server.client().{module}().{method}({arguments}).await.unwrap_err();
assert_eq!(error.status(), Some(404));
# }});
```"
        ));
    }
    let (op, arguments, _) = callable.first()?;
    let method = &op.method_name;
    Some(format!(
        "{start}
server
    .{accessor}()
    .{method}({arguments})
    .times(0)
    .respond_with(ResponseTemplate::new(503))
    .await;
server.verify().await;
# }});
```"
    ))
}

/// `RetrieveEvaluationExpectation`: matchers, a call count and the typed responses.
fn expectation(model: &ApiModel, resource: &Resource, op: &Operation) -> TokenStream {
    let name = expectation_name(op);
    let doc = format!(
        "An expectation for [`{}::{}`](crate::{}::{}::{}) (`{} {}`); it does nothing until a `respond…` method mounts it.",
        resource.type_name,
        op.method_name,
        resource.module,
        resource.type_name,
        op.method_name,
        op.http_method.as_str(),
        op.path
    );
    let query_matchers = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .filter_map(|p| query_matcher(model, op, p));
    let body_matchers = body_matchers(model, op);
    let respond = respond(model, resource, op);
    let errors = error_responders(model, op);
    let doc = doc_attrs(Some(&doc));
    quote! {
        #doc
        #[derive(Debug)]
        #[must_use = "an expectation does nothing until a `respond…` method mounts it"]
        pub struct #name<'s> {
            expectation: m::Expectation<'s>,
        }

        impl #name<'_> {
            #(#query_matchers)*
            #body_matchers

            /// Expects exactly `n` matching requests by the time the server is dropped or verified.
            pub fn times(self, n: u64) -> Self {
                Self { expectation: self.expectation.times(n) }
            }

            /// Answers at most `n` matching requests; later ones go to the expectations mounted
            /// after this one (a fault first, then a success). Panics when `n` is 0.
            pub fn up_to_n_times(self, n: u64) -> Self {
                Self { expectation: self.expectation.up_to_n_times(n) }
            }

            #respond
            #errors

            /// Answers with a raw response: any status, headers, body or delay (faults such as
            /// `429` with `retry-after`, or `503`).
            pub async fn respond_with(self, template: ResponseTemplate) {
                self.expectation.mount(template).await
            }
        }
    }
}

/// The matcher of one query parameter, named like the client's setter: the text the client sends
/// for the value must be in the query. Objects and JSON-encoded values have none.
fn query_matcher(model: &ApiModel, op: &Operation, param: &Param) -> Option<TokenStream> {
    let wire = &param.wire_name;
    let (ty, add) = match (param.encoding, &param.ty) {
        (ParamEncoding::Scalar, ty) => (
            rust_type(model, ty, true),
            quote!(self.expectation.query(#wire, crate::runtime::QueryValue::to_query_value(&value))),
        ),
        (ParamEncoding::Joined(separator), ty @ TypeRef::Array(_)) => (
            rust_type(model, ty, true),
            quote!(self.expectation.query(#wire, crate::runtime::params::join(&value, #separator))),
        ),
        (ParamEncoding::Repeated, ty @ TypeRef::Array(_)) => (
            rust_type(model, ty, true),
            quote! {{
                let mut expectation = self.expectation;
                for item in &value {
                    expectation = expectation.query(#wire, crate::runtime::QueryValue::to_query_value(item));
                }
                expectation
            }},
        ),
        _ => return None,
    };
    let method = matcher_name(op, &param.name);
    let doc = doc_attrs(Some(&format!(
        "Only requests whose `{wire}` query parameter is this value."
    )));
    Some(quote! {
        #doc
        pub fn #method(self, value: impl Into<#ty>) -> Self {
            let value: #ty = value.into();
            Self { expectation: #add }
        }
    })
}

/// The parameter's name, or `<name>_param` where the expectation has a member of that name.
fn matcher_name(op: &Operation, name: &str) -> Ident {
    let taken = EXPECTATION_MEMBERS.contains(&name)
        || op
            .mock
            .errors
            .iter()
            .filter_map(|e| e.code)
            .any(|code| format!("respond_{code}") == name);
    if taken {
        ident(&format!("{name}_param"))
    } else {
        ident(name)
    }
}

/// `body(value)` and `body_matching(predicate)` for JSON bodies.
fn body_matchers(model: &ApiModel, op: &Operation) -> TokenStream {
    let Some(Body::Json { ty, .. }) = &op.body else {
        return TokenStream::new();
    };
    let ty = rust_type(model, ty, true);
    quote! {
        /// Only requests whose JSON body equals this value.
        pub fn body(self, body: impl Into<#ty>) -> Self {
            let body: #ty = body.into();
            Self { expectation: self.expectation.body_equal_to(&body) }
        }

        /// Only requests whose body decodes into the operation's body type and satisfies
        /// `predicate`.
        pub fn body_matching(self, predicate: impl Fn(&#ty) -> bool + Send + Sync + 'static) -> Self {
            Self { expectation: self.expectation.body_matching(predicate) }
        }
    }
}

/// `respond(..)`: the operation's success, typed as the client's `send` returns it.
fn respond(model: &ApiModel, resource: &Resource, op: &Operation) -> TokenStream {
    let status = proc_macro2::Literal::u16_unsuffixed(op.mock.success_status);
    let status_doc = format!(" Answers `{status}` with this value.");
    match &op.response {
        Response::Json(ty) => {
            let ty = rust_type(model, ty, true);
            quote! {
                #[doc = #status_doc]
                pub async fn respond(self, value: impl Into<#ty>) {
                    let value: #ty = value.into();
                    self.expectation.mount(m::json_response(#status, &value)).await
                }
            }
        }
        Response::Bytes => quote! {
            #[doc = #status_doc]
            pub async fn respond(self, bytes: impl Into<Vec<u8>>) {
                self.expectation.mount(m::bytes_response(#status, bytes.into())).await
            }
        },
        Response::Empty => {
            let doc = format!(" Answers `{status}` without a body.");
            quote! {
                #[doc = #doc]
                pub async fn respond(self) {
                    self.expectation.mount(m::empty_response(#status)).await
                }
            }
        }
        Response::ByStatus(statuses) => {
            let resource_module = ident(&resource.module);
            let outcome = outcome_name(op);
            let outcome = quote!(crate::#resource_module::#outcome);
            let arms = statuses.iter().map(|s| {
                let (code, variant) = (proc_macro2::Literal::u16_unsuffixed(s.code), ident(&s.variant));
                match &s.body {
                    Response::Json(_) => quote!(#outcome::#variant(value) => m::json_response(#code, &value),),
                    Response::Bytes => quote!(#outcome::#variant(bytes) => m::bytes_response(#code, bytes),),
                    _ => quote!(#outcome::#variant => m::empty_response(#code),),
                }
            });
            quote! {
                /// Answers with this outcome's status and body.
                pub async fn respond(self, outcome: #outcome) {
                    let template = match outcome {
                        #(#arms)*
                        #outcome::Other { status, body } => m::bytes_response(status, body),
                    };
                    self.expectation.mount(template).await
                }
            }
        }
    }
}

/// `respond_404(body)` per declared error status, and `respond_error(status, body)` for any, typed
/// with the `default` response's body (or the first declared error's).
fn error_responders(model: &ApiModel, op: &Operation) -> TokenStream {
    let body_type = |error: &ErrorStatus| match &error.ty {
        Some(ty) => rust_type(model, ty, true),
        None => quote!(serde_json::Value),
    };
    let per_status = op.mock.errors.iter().filter_map(|error| {
        let code = error.code?;
        let method = ident(&format!("respond_{code}"));
        let code = proc_macro2::Literal::u16_unsuffixed(code);
        let ty = body_type(error);
        let doc = format!(" Answers `{code}` with this error body, as the API description declares it.");
        Some(quote! {
            #[doc = #doc]
            pub async fn #method(self, body: impl Into<#ty>) {
                let body: #ty = body.into();
                self.expectation.mount(m::json_response(#code, &body)).await
            }
        })
    });
    let any = op
        .mock
        .errors
        .iter()
        .find(|e| e.code.is_none())
        .or(op.mock.errors.first())
        .map_or(quote!(serde_json::Value), body_type);
    quote! {
        #(#per_status)*

        /// Answers `status` with this error body.
        pub async fn respond_error(self, status: u16, body: impl Into<#any>) {
            let body: #any = body.into();
            self.expectation.mount(m::json_response(status, &body)).await
        }
    }
}
