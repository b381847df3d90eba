//! Emits one module per resource: a handle with a method per operation, and a request builder
//! per operation.
//!
//! ```text
//! pub struct Evaluations { runtime }
//! impl Evaluations { pub fn create(&self, body: impl Into<Body>) -> CreateEvaluationBuilder }
//! pub struct CreateEvaluationBuilder { runtime, options: RequestOptions, required…, optional: Option<…> }
//! impl CreateEvaluationBuilder {
//!     setters…; timeout(Duration); max_retries(u32)      // per-request overrides
//!     pub fn send(self) -> ResponseFuture<Evaluation>         // a named `Future + Send`
//!     pub fn send_with_response(self) -> ResponseFuture<Response<Evaluation>>
//! }
//! impl IntoFuture for CreateEvaluationBuilder   // so `.await` works without `.send()`
//! ```
//!
//! Retries, timeouts and tracing live in the runtime; a builder only fills in the request and
//! hands its `RequestOptions` over.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::common::{deprecated_attr, doc_attrs, inner_doc_attrs, rust_type};
use crate::model::{
    ApiModel, Body, HttpMethod, Operation, Param, ParamEncoding, ParamLocation, Resource, Response, StatusResponse,
    TypeRef,
};
use crate::naming::{self, ident};

pub fn emit_resource(model: &ApiModel, resource: &Resource) -> TokenStream {
    let handle = ident(&resource.type_name);
    let module_doc = inner_doc_attrs(&format!(
        "{}\n\nOperations of the `{}` resource; reach them through [`crate::Client::{}`].",
        resource
            .doc
            .clone()
            .unwrap_or_else(|| format!("The {} resource.", resource.type_name)),
        resource.type_name,
        resource.module,
    ));
    let handle_doc = format!(
        " Operations on {}. Cheap to clone; shares the client's connection pool.",
        resource.type_name
    );
    let methods = resource.operations.iter().map(|op| emit_method(model, op));
    let builders = resource.operations.iter().map(|op| emit_builder(model, resource, op));
    let streams = resource
        .operations
        .iter()
        .map(|op| crate::emit::pagination::emit_streams(model, op));
    quote! {
        #module_doc
        // `send` returns `impl Future<Output = Result<T, Error>>`, which clippy finds complex
        // once `T` nests a map in a list.
        #![allow(clippy::type_complexity)]
        // What the spec deprecates warns users' code, not this module's.
        #![allow(deprecated)]
        // One alias instead of imported names, so a tag named `Error` or `Response` cannot clash.
        use crate::runtime as rt;

        #[doc = #handle_doc]
        #[derive(Clone, Debug)]
        pub struct #handle {
            runtime: rt::Runtime,
        }

        impl #handle {
            pub(crate) fn new(runtime: rt::Runtime) -> Self {
                Self { runtime }
            }
            #(#methods)*
        }
        #(#builders)*
        #(#streams)*
    }
}

fn operation_doc(op: &Operation) -> TokenStream {
    let mut text = String::new();
    if let Some(summary) = &op.summary {
        text.push_str(summary);
        text.push_str("\n\n");
    }
    if let Some(doc) = &op.doc {
        text.push_str(doc);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "`{} {}` (operation `{}`)",
        op.http_method.as_str(),
        op.path,
        op.id
    ));
    doc_attrs(Some(&text))
}

/// One input a request builder holds: a parameter, a multipart field or the body. Required inputs
/// are arguments of the resource method; optional ones are setters of the builder.
pub(crate) struct Input<'o> {
    pub(crate) name: proc_macro2::Ident,
    pub(crate) ty: TokenStream,
    pub(crate) required: bool,
    doc: Option<&'o str>,
}

/// Every input of the operation, in the order the builder holds them: parameters, then the body
/// (each multipart field, or the one body value).
pub(crate) fn inputs<'o>(model: &ApiModel, op: &'o Operation) -> Vec<Input<'o>> {
    let mut inputs: Vec<Input<'o>> = op
        .params
        .iter()
        .map(|param| Input {
            name: ident(&param.name),
            ty: rust_type(model, &param.ty, true),
            required: param.required,
            doc: param.doc.as_deref(),
        })
        .collect();
    match &op.body {
        Some(Body::Multipart { fields }) => inputs.extend(fields.iter().map(|field| Input {
            name: ident(&field.name),
            ty: multipart_type(field.is_file),
            required: field.required,
            doc: field.doc.as_deref(),
        })),
        Some(body) => inputs.extend(single_body(model, body)),
        None => {}
    }
    inputs
}

/// The inputs in the order the resource method takes and initialises them: required parameters
/// first, then the optional ones, then the body's inputs. The required ones are its arguments.
pub(crate) fn method_inputs<'o>(model: &ApiModel, op: &'o Operation) -> Vec<Input<'o>> {
    let mut inputs = inputs(model, op);
    let body = inputs.split_off(op.params.len().min(inputs.len()));
    let (mut ordered, optional): (Vec<_>, Vec<_>) = inputs.into_iter().partition(|input| input.required);
    ordered.extend(optional);
    ordered.extend(body);
    ordered
}

/// clippy's default `too-many-arguments-threshold`, `self` included.
const CLIPPY_MAX_ARGUMENTS: usize = 7;

fn emit_method(model: &ApiModel, op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let doc = operation_doc(op);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for Input { name, ty, required, .. } in method_inputs(model, op) {
        if required {
            args.push(quote!(#name: impl Into<#ty>));
            inits.push(quote!(#name: #name.into()));
        } else {
            inits.push(quote!(#name: None));
        }
    }
    let deprecated = deprecated_attr(op.deprecated.as_deref());
    // Every required input is an argument, however many the spec requires (clippy allows 7 with
    // `self`).
    let many_arguments = (args.len() + 1 > CLIPPY_MAX_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #doc
        #deprecated
        #many_arguments
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder { runtime: self.runtime.clone(), options: rt::RequestOptions::new(), #(#inits),* }
        }
    }
}

fn multipart_type(is_file: bool) -> TokenStream {
    if is_file {
        quote!(crate::runtime::FileUpload)
    } else {
        quote!(String)
    }
}

fn emit_builder(model: &ApiModel, resource: &Resource, op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_name);
    let static_name = ident(&format!("{}_OPERATION", op.id.to_shouty_snake_case()));
    let (op_id, path) = (&op.id, &op.path);
    let http = method_tokens(op.http_method);
    let builder_doc = format!(
        " Request builder for [`{}::{}`]; send it with `.send().await` or `.await`.",
        resource.type_name, op.method_name
    );
    let output = output_type(model, op);
    let outcome_enum = emit_outcome_enum(model, op);

    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for Input {
        name,
        ty,
        required,
        doc,
    } in inputs(model, op)
    {
        if required {
            fields.push(quote!(#name: #ty));
        } else {
            fields.push(quote!(#name: Option<#ty>));
            let doc = doc_attrs(doc);
            setters.push(quote! {
                #doc
                pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            });
        }
    }
    let statements: Vec<TokenStream> = op.params.iter().map(param_statement).collect();
    let body_statement = body_statement(op.body.as_ref());
    let send_methods = send_methods(op, &output);
    let future = response_future(op, &output);
    let has_cookies = op.params.iter().any(|p| p.location == ParamLocation::Cookie);
    let cookies_start = has_cookies.then(|| quote!(let mut cookies: Vec<String> = Vec::new();));
    let cookies_end = has_cookies.then(|| {
        quote! {
            if !cookies.is_empty() {
                request = request.header("cookie", &cookies.join("; "));
            }
        }
    });
    let into_request = if statements.is_empty() && op.body.is_none() {
        quote!(self.runtime.request(&#static_name).options(self.options))
    } else {
        quote! {
            let mut request = self.runtime.request(&#static_name).options(self.options);
            #cookies_start
            #(#statements)*
            #cookies_end
            #body_statement
            request
        }
    };
    let send_doc = format!(" Sends the request: `{} {}`.", op.http_method.as_str(), op.path);
    let options_setters = request_option_setters();
    quote! {
        #outcome_enum

        static #static_name: rt::Operation = rt::Operation { id: #op_id, method: #http, path: #path };

        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request builder does nothing until it is sent or awaited"]
        pub struct #builder {
            runtime: rt::Runtime,
            options: rt::RequestOptions,
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*
            #options_setters

            #[doc = #send_doc]
            #send_methods

            /// The runtime's request, with every parameter and the body filled in.
            fn into_request(self) -> rt::RequestBuilder {
                #into_request
            }
        }

        impl std::future::IntoFuture for #builder {
            type Output = Result<#output, rt::Error>;
            type IntoFuture = #future;
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

/// `send` and `send_with_response`: the runtime's `ResponseFuture`, whose type says how the body
/// becomes the value (see the runtime's `future.rs`).
fn send_methods(op: &Operation, output: &TokenStream) -> TokenStream {
    let (send, send_with_response) = match &op.response {
        Response::Json(_) => (quote!(send_json), quote!(send_json_with_response)),
        Response::Bytes => (quote!(send_bytes), quote!(send_bytes_with_response)),
        Response::Empty => (quote!(send_empty), quote!(send_empty_with_response)),
        Response::ByStatus(_) => (quote!(send_by_status), quote!(send_by_status_with_response)),
    };
    let future = response_future(op, output);
    let future_with_response = response_future(op, &quote!(rt::Response<#output>));
    quote! {
        pub fn send(self) -> #future {
            self.into_request().#send()
        }

        /// Sends the request and returns the value with the response's status, headers and
        /// request id.
        pub fn send_with_response(self) -> #future_with_response {
            self.into_request().#send_with_response()
        }
    }
}

/// `rt::ResponseFuture<VALUE, How>`: the future of `op` resolving to `value`; `How` is left to
/// its default for JSON.
pub(crate) fn response_future(op: &Operation, value: &TokenStream) -> TokenStream {
    match &op.response {
        Response::Json(_) => quote!(rt::ResponseFuture<#value>),
        Response::Bytes => quote!(rt::ResponseFuture<#value, rt::AsBytes>),
        Response::Empty => quote!(rt::ResponseFuture<#value, rt::NoBody>),
        Response::ByStatus(_) => quote!(rt::ResponseFuture<#value, rt::ByStatus>),
    }
}

/// The per-request overrides every builder has; the runtime applies them (see its `options.rs`).
fn request_option_setters() -> TokenStream {
    quote! {
        /// The time each attempt of this request may take, overriding
        /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options = self.options.timeout(timeout);
            self
        }

        /// How many times this request is retried, overriding
        /// [`ClientBuilder::max_retries`](crate::ClientBuilder::max_retries); 0 turns retrying off.
        pub fn max_retries(mut self, max_retries: u32) -> Self {
            self.options = self.options.max_retries(max_retries);
            self
        }
    }
}

/// What `send` returns.
pub(crate) fn output_type(model: &ApiModel, op: &Operation) -> TokenStream {
    match &op.response {
        Response::Json(ty) => rust_type(model, ty, true),
        Response::Bytes => quote!(Vec<u8>),
        Response::Empty => quote!(()),
        Response::ByStatus(_) => {
            let name = outcome_name(op);
            quote!(#name)
        }
    }
}

/// Outcome enums are `#[non_exhaustive]` (and keep other statuses in `Other`), so that a status
/// can be added in a compatible release.
pub(crate) const OUTCOMES_ARE_NON_EXHAUSTIVE: bool = true;

/// `StartJobOutcome`: the enum of an operation whose successes differ by status.
pub(crate) fn outcome_name(op: &Operation) -> proc_macro2::Ident {
    ident(&format!("{}Outcome", naming::type_name(&op.id)))
}

/// ```text
/// pub enum StartJobOutcome { Created(Job), Accepted(Queued), Other { status: u16, body: Vec<u8> } }
/// ```
fn emit_outcome_enum(model: &ApiModel, op: &Operation) -> TokenStream {
    let Response::ByStatus(statuses) = &op.response else {
        return TokenStream::new();
    };
    let name = outcome_name(op);
    let text = format!(
        "What `{}` answered, by status code (its successes have different bodies).",
        op.id
    );
    let doc = doc_attrs(Some(&text));
    let variants = statuses.iter().map(|status| {
        let variant = ident(&status.variant);
        let code_doc = format!(" `{}`", status.code);
        match outcome_payload(model, status) {
            Some(ty) => quote!(#[doc = #code_doc] #variant(#ty),),
            None => quote!(#[doc = #code_doc] #variant,),
        }
    });
    let non_exhaustive = OUTCOMES_ARE_NON_EXHAUSTIVE.then(|| quote!(#[non_exhaustive]));
    let from_status = emit_from_status(op, statuses);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        #non_exhaustive
        pub enum #name {
            #(#variants)*
            /// Another 2xx status, which the description does not list; the body is kept as bytes.
            Other { status: u16, body: Vec<u8> },
        }

        #from_status
    }
}

/// The value an outcome variant carries: the decoded JSON, the bytes, or nothing.
pub(crate) fn outcome_payload(model: &ApiModel, status: &StatusResponse) -> Option<TokenStream> {
    match &status.body {
        Response::Json(ty) => Some(rust_type(model, ty, true)),
        Response::Bytes => Some(quote!(Vec<u8>)),
        _ => None,
    }
}

/// `impl FromStatus for StartJobOutcome`: the value of each declared 2xx status. A body kept as
/// bytes is taken out of the response, not copied.
fn emit_from_status(op: &Operation, statuses: &[StatusResponse]) -> TokenStream {
    let name = outcome_name(op);
    let arms = statuses.iter().map(|status| {
        let code = status.code;
        let variant = ident(&status.variant);
        match &status.body {
            Response::Json(_) => quote!(#code => #name::#variant(rt::decode_json_body(operation, response)?),),
            Response::Bytes => quote!(#code => #name::#variant(std::mem::take(&mut response.value)),),
            _ => quote!(#code => #name::#variant,),
        }
    });
    quote! {
        impl rt::FromStatus for #name {
            fn from_status(
                operation: &'static rt::Operation,
                response: &mut rt::Response<Vec<u8>>,
            ) -> Result<Self, rt::Error> {
                Ok(match response.status {
                    #(#arms)*
                    status => #name::Other { status, body: std::mem::take(&mut response.value) },
                })
            }
        }
    }
}

/// The statement that puts one parameter on the request. `value` is a reference to the
/// parameter's value; cookies are collected into `cookies` and sent as one header afterwards.
fn param_statement(param: &Param) -> TokenStream {
    let name = ident(&param.name);
    let statement = encode_param(param, &quote!(value));
    if param.required {
        quote! {
            let value = &self.#name;
            #statement
        }
    } else {
        quote! {
            if let Some(value) = &self.#name {
                #statement
            }
        }
    }
}

/// The parameter's value (`value` is a reference to it) as one piece of text, a `&str`, for the
/// encodings that make one (the mock matches path parameters by it too).
pub(crate) fn param_text(param: &Param, value: &TokenStream) -> TokenStream {
    let params = quote!(crate::runtime::params);
    match param.encoding {
        ParamEncoding::Scalar if matches!(param.ty, TypeRef::String) => quote!(#value.as_str()),
        ParamEncoding::Scalar => quote!(&crate::runtime::QueryValue::to_query_value(#value)),
        ParamEncoding::Joined(separator) => quote!(&#params::join(#value, #separator)),
        ParamEncoding::ObjectJoined { exploded } => quote!(&#params::object_joined(#value, #exploded)),
        _ => quote!(&#params::json_text(#value)),
    }
}

fn encode_param(param: &Param, value: &TokenStream) -> TokenStream {
    let wire = &param.wire_name;
    let params = quote!(crate::runtime::params);
    let text = param_text(param, value);
    match (param.location, param.encoding) {
        (ParamLocation::Path, _) => quote!(request = request.path_param(#wire, #text);),
        (ParamLocation::Header, _) => quote!(request = request.header(#wire, #text);),
        (ParamLocation::Cookie, _) => quote!(cookies.push(#params::cookie_pair(#wire, #text));),
        (ParamLocation::Query, ParamEncoding::Joined(',')) => quote!(request = request.query_csv(#wire, #value);),
        (ParamLocation::Query, ParamEncoding::Repeated) => quote! {
            for item in #value {
                request = request.query(#wire, item);
            }
        },
        (ParamLocation::Query, ParamEncoding::ObjectFields) => quote! {
            for (key, text) in #params::object_fields(#value) {
                request = request.query(&key, &text);
            }
        },
        (ParamLocation::Query, ParamEncoding::DeepObject) => quote! {
            for (key, text) in #params::object_fields(#value) {
                request = request.query(&format!("{}[{}]", #wire, key), &text);
            }
        },
        (ParamLocation::Query, ParamEncoding::Scalar) => quote!(request = request.query(#wire, #value);),
        (ParamLocation::Query, _) => quote!(request = request.query(#wire, #text);),
    }
}

fn body_statement(body: Option<&Body>) -> TokenStream {
    let (put, required) = match body {
        None => return quote!(),
        Some(Body::Multipart { fields, .. }) => return multipart_statement(fields),
        Some(Body::Json { required, .. }) => (quote!(request.json(body)), *required),
        Some(Body::Form { required, .. }) => (quote!(request.form(body)), *required),
        Some(Body::Raw {
            content_type, required, ..
        }) => (quote!(request.raw_body(#content_type, body.clone())), *required),
    };
    if required {
        quote! {
            let body = &self.body;
            request = #put;
        }
    } else {
        quote! {
            if let Some(body) = &self.body {
                request = #put;
            }
        }
    }
}

fn multipart_statement(fields: &[crate::model::MultipartField]) -> TokenStream {
    let parts = fields.iter().map(|field| {
        let name = ident(&field.name);
        let wire = &field.wire_name;
        let add = if field.is_file { quote!(file) } else { quote!(text) };
        if field.required {
            quote!(form = form.#add(#wire, self.#name);)
        } else {
            quote! {
                if let Some(value) = self.#name {
                    form = form.#add(#wire, value);
                }
            }
        }
    });
    quote! {
        let mut form = crate::runtime::MultipartForm::new();
        #(#parts)*
        request = request.multipart(form);
    }
}

/// A body held in one `body` field: its Rust type, whether it is required, and its doc.
/// The body as one value (JSON, form or raw bytes); a multipart body is one input per field.
fn single_body<'b>(model: &ApiModel, body: &'b Body) -> Option<Input<'b>> {
    let (ty, required, doc) = match body {
        Body::Json { ty, required, doc } | Body::Form { ty, required, doc } => {
            (rust_type(model, ty, true), required, doc)
        }
        Body::Raw { required, doc, .. } => (quote!(Vec<u8>), required, doc),
        Body::Multipart { .. } => return None,
    };
    Some(Input {
        name: ident("body"),
        ty,
        required: *required,
        doc: Some(doc.as_deref().unwrap_or("The request body.")),
    })
}

/// `rt::Method::Get`: the runtime's variant is named like the model's.
fn method_tokens(method: HttpMethod) -> TokenStream {
    let variant = ident(&naming::type_name(method.as_str()));
    quote!(rt::Method::#variant)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::BUILDER_MEMBERS;

    /// The members of every builder (fields and methods, streams included) that are not the
    /// operation's inputs must be in `BUILDER_MEMBERS`, or lowering could name a parameter after one.
    #[test]
    fn builder_members_are_the_listed_ones() {
        let spec_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/sgp-evaluations.yaml");
        let spec = crate::spec::load::load_file(&spec_path).expect("the repository's spec loads");
        let (model, _) = crate::lower::lower(&spec.openapi, Some(&spec.raw));
        let listed: BTreeSet<&str> = BUILDER_MEMBERS.iter().copied().collect();
        let mut seen = BTreeSet::new();
        for resource in &model.resources {
            let file: syn::File = syn::parse2(emit_resource(&model, resource)).expect("a resource parses");
            for op in &resource.operations {
                let inputs: BTreeSet<String> = inputs(&model, op).iter().map(|i| i.name.to_string()).collect();
                for member in builder_members(&file, &op.builder_name) {
                    if !inputs.contains(&member) {
                        assert!(listed.contains(member.as_str()), "{}: `{member}` is not listed", op.id);
                        seen.insert(member);
                    }
                }
            }
        }
        // And the list holds no stale name: every listed member that is not an input's name
        // (`body`, `file`) is on some builder of this spec (it has list operations, so `pages`
        // and `items` too).
        for member in listed.iter().filter(|m| !["body", "file"].contains(m)) {
            assert!(seen.contains(*member), "no builder has `{member}`");
        }
    }

    /// Field names of the struct `builder` and method names of its inherent `impl`s.
    fn builder_members(file: &syn::File, builder: &str) -> Vec<String> {
        let mut members = Vec::new();
        for item in &file.items {
            match item {
                syn::Item::Struct(s) if s.ident == builder => {
                    members.extend(
                        s.fields
                            .iter()
                            .filter_map(|f| f.ident.as_ref().map(ToString::to_string)),
                    );
                }
                // Trait methods cannot clash: inherent members win over them.
                syn::Item::Impl(i)
                    if i.trait_.is_none() && matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident(builder)) =>
                {
                    members.extend(i.items.iter().filter_map(|item| match item {
                        syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                        _ => None,
                    }));
                }
                _ => {}
            }
        }
        members
    }
}
