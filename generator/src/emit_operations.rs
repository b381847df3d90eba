//! Emits one module per resource: a handle with a method per operation, and a request builder
//! per operation.
//!
//! ```text
//! pub struct Evaluations { runtime }
//! impl Evaluations { pub fn create(&self, body: impl Into<Body>) -> CreateEvaluationBuilder }
//! pub struct CreateEvaluationBuilder { runtime, options: RequestOptions, required…, optional: Option<…> }
//! impl CreateEvaluationBuilder {
//!     setters…; timeout(Duration); max_retries(u32)      // per-request overrides
//!     pub async fn send(self) -> Result<Evaluation, Error>
//!     pub async fn send_with_response(self) -> Result<Response<Evaluation>, Error>
//! }
//! impl IntoFuture for CreateEvaluationBuilder   // so `.await` works without `.send()`
//! ```
//!
//! Retries, timeouts and tracing live in the runtime; a builder only fills in the request and
//! hands its `RequestOptions` over.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_common::{doc_attrs, inner_doc_attrs, rust_type};
use crate::model::{ApiModel, Body, HttpMethod, Operation, Param, ParamLocation, Resource, Response, TypeRef};
use crate::naming::ident;

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
    let methods = resource.operations.iter().map(|op| emit_method(model, resource, op));
    let builders = resource.operations.iter().map(|op| emit_builder(model, resource, op));
    let streams = resource
        .operations
        .iter()
        .map(|op| crate::emit_pagination::emit_streams(model, op));
    quote! {
        #module_doc
        use crate::runtime::{Error, Method, Operation, RequestOptions, Response, Runtime};

        #[doc = #handle_doc]
        #[derive(Clone, Debug)]
        pub struct #handle {
            runtime: Runtime,
        }

        impl #handle {
            pub(crate) fn new(runtime: Runtime) -> Self {
                Self { runtime }
            }
            #(#methods)*
        }
        #(#builders)*
        #(#streams)*
    }
}

/// Required inputs of an operation, in order: path parameters, other required parameters, body.
fn required_inputs(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.required)
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
        method_text(op.http_method),
        op.path,
        op.id
    ));
    doc_attrs(Some(&text))
}

fn emit_method(model: &ApiModel, _resource: &Resource, op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let doc = operation_doc(op);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for param in required_inputs(op) {
        let name = ident(&param.name);
        let ty = rust_type(model, &param.ty, true);
        args.push(quote!(#name: impl Into<#ty>));
        inits.push(quote!(#name: #name.into()));
    }
    for param in op.params.iter().filter(|p| !p.required) {
        let name = ident(&param.name);
        inits.push(quote!(#name: None));
    }
    match &op.body {
        Some(Body::Json { ty, required: true, .. }) => {
            let ty = rust_type(model, ty, true);
            args.push(quote!(body: impl Into<#ty>));
            inits.push(quote!(body: body.into()));
        }
        Some(Body::Json { required: false, .. }) => inits.push(quote!(body: None)),
        Some(Body::Multipart { fields, .. }) => {
            for field in fields {
                let name = ident(&field.name);
                let ty = multipart_type(field.is_file);
                if field.required {
                    args.push(quote!(#name: impl Into<#ty>));
                    inits.push(quote!(#name: #name.into()));
                } else {
                    inits.push(quote!(#name: None));
                }
            }
        }
        None => {}
    }
    quote! {
        #doc
        pub fn #method(&self, #(#args),*) -> #builder {
            #builder { runtime: self.runtime.clone(), options: RequestOptions::new(), #(#inits),* }
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
    let output = output_type(model, &op.response);

    let mut fields = Vec::new();
    let mut setters = Vec::new();
    for param in &op.params {
        let name = ident(&param.name);
        let ty = rust_type(model, &param.ty, true);
        let doc = doc_attrs(param.doc.as_deref());
        if param.required {
            fields.push(quote!(#name: #ty));
        } else {
            fields.push(quote!(#name: Option<#ty>));
            setters.push(quote! {
                #doc
                pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            });
        }
    }
    match &op.body {
        Some(Body::Json { ty, required, doc }) => {
            let ty = rust_type(model, ty, true);
            if *required {
                fields.push(quote!(body: #ty));
            } else {
                fields.push(quote!(body: Option<#ty>));
                let doc = doc_attrs(doc.as_deref().or(Some("The request body.")));
                setters.push(quote! {
                    #doc
                    pub fn body(mut self, value: impl Into<#ty>) -> Self {
                        self.body = Some(value.into());
                        self
                    }
                });
            }
        }
        Some(Body::Multipart { fields: parts, .. }) => {
            for part in parts {
                let name = ident(&part.name);
                let ty = multipart_type(part.is_file);
                if part.required {
                    fields.push(quote!(#name: #ty));
                } else {
                    fields.push(quote!(#name: Option<#ty>));
                    let doc = doc_attrs(part.doc.as_deref());
                    setters.push(quote! {
                        #doc
                        pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                            self.#name = Some(value.into());
                            self
                        }
                    });
                }
            }
        }
        None => {}
    }
    let statements: Vec<TokenStream> = op.params.iter().map(param_statement).collect();
    let body_statement = body_statement(op.body.as_ref());
    let request_binding = if statements.is_empty() && op.body.is_none() {
        quote!(request)
    } else {
        quote!(mut request)
    };
    let send_call = match &op.response {
        Response::Json(_) => quote!(request.send_json_with_response().await),
        Response::Bytes => quote!(request.send_bytes_with_response().await),
        Response::Empty => quote!(request
            .send_bytes_with_response()
            .await
            .map(|response| response.map(|_| ()))),
    };
    let send_doc = format!(" Sends the request: `{} {}`.", method_text(op.http_method), op.path);
    let options_setters = request_option_setters();
    quote! {
        static #static_name: Operation = Operation { id: #op_id, method: #http, path: #path };

        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request builder does nothing until it is sent or awaited"]
        pub struct #builder {
            runtime: Runtime,
            options: RequestOptions,
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*
            #options_setters

            #[doc = #send_doc]
            pub async fn send(self) -> Result<#output, Error> {
                self.send_with_response().await.map(Response::into_value)
            }

            /// Sends the request and returns the value with the response's status, headers and
            /// request id.
            pub async fn send_with_response(self) -> Result<Response<#output>, Error> {
                let #request_binding = self.runtime.request(&#static_name).options(self.options);
                #(#statements)*
                #body_statement
                #send_call
            }
        }

        impl std::future::IntoFuture for #builder {
            type Output = Result<#output, Error>;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// The per-request overrides every builder has; the runtime applies them (see its `options.rs`).
fn request_option_setters() -> TokenStream {
    quote! {
        /// The time each attempt of this request may take, overriding
        /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout) (default 60 s).
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

fn output_type(model: &ApiModel, response: &Response) -> TokenStream {
    match response {
        Response::Json(ty) => rust_type(model, ty, true),
        Response::Bytes => quote!(Vec<u8>),
        Response::Empty => quote!(()),
    }
}

/// The statement that puts one parameter on the request.
fn param_statement(param: &Param) -> TokenStream {
    let name = ident(&param.name);
    let wire = &param.wire_name;
    let put = |value: TokenStream| -> TokenStream {
        match (param.location, &param.ty) {
            (ParamLocation::Path, TypeRef::String) => quote!(request = request.path_param(#wire, #value);),
            (ParamLocation::Path, _) => {
                quote!(request = request.path_param(#wire, &crate::runtime::QueryValue::to_query_value(#value));)
            }
            (ParamLocation::Header, _) => {
                quote!(request = request.header(#wire, &crate::runtime::QueryValue::to_query_value(#value));)
            }
            (ParamLocation::Query, TypeRef::Array(_)) if param.comma_joined => {
                quote!(request = request.query_csv(#wire, #value);)
            }
            (ParamLocation::Query, TypeRef::Array(_)) => quote! {
                for item in #value {
                    request = request.query(#wire, item);
                }
            },
            (ParamLocation::Query, _) => quote!(request = request.query(#wire, #value);),
        }
    };
    if param.required {
        put(quote!(&self.#name))
    } else {
        let statement = put(quote!(value));
        quote! {
            if let Some(value) = &self.#name {
                #statement
            }
        }
    }
}

fn body_statement(body: Option<&Body>) -> TokenStream {
    match body {
        Some(Body::Json { required: true, .. }) => quote!(request = request.json(&self.body);),
        Some(Body::Json { required: false, .. }) => quote! {
            if let Some(body) = &self.body {
                request = request.json(body);
            }
        },
        Some(Body::Multipart { fields, .. }) => {
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
        None => quote!(),
    }
}

fn method_tokens(method: HttpMethod) -> TokenStream {
    match method {
        HttpMethod::Get => quote!(Method::Get),
        HttpMethod::Post => quote!(Method::Post),
        HttpMethod::Put => quote!(Method::Put),
        HttpMethod::Patch => quote!(Method::Patch),
        HttpMethod::Delete => quote!(Method::Delete),
        HttpMethod::Head => quote!(Method::Head),
        HttpMethod::Options => quote!(Method::Options),
    }
}

pub fn method_text(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Head => "HEAD",
        HttpMethod::Options => "OPTIONS",
    }
}
