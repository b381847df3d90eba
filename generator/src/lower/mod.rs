//! The lower stage, spec → model: settings ([`settings`]), types ([`types`]) and operations
//! ([`operations`]), then which types requests and responses use.

mod bodies;
mod components;
mod deprecation;
mod mock_facts;
pub(crate) mod operations;
mod params;
pub(crate) mod settings;
pub(crate) mod types;

use openapiv3::OpenAPI;

use crate::diagnostic::Diagnostic;
use crate::lower::operations::lower_resources;
use crate::lower::settings::lower_settings;
use crate::lower::types::TypeSpace;
use crate::model::{ApiModel, Body, Response, TypeDef, TypeId, TypeKind, TypeRef};

/// Builds the model. Errors in the returned diagnostics mean the model is incomplete.
/// `document` is the spec as JSON; with it, `$ref`s may point anywhere in the document.
pub fn lower(openapi: &OpenAPI, document: Option<&serde_json::Value>) -> (ApiModel, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut settings = lower_settings(openapi, &mut diagnostics);
    let mut space = TypeSpace::new(openapi, document);
    let resources = lower_resources(openapi, &mut space, &mut diagnostics);
    settings::settle_credentials(&mut settings, &resources, &mut diagnostics);
    let (mut types, type_diagnostics) = space.finish();
    diagnostics.extend(type_diagnostics);

    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    for operation in resources.iter().flat_map(|r| &r.operations) {
        for param in &operation.params {
            param.ty.named_ids(&mut request_roots);
        }
        if let Some(Body::Json { ty, .. }) = &operation.body {
            ty.named_ids(&mut request_roots);
        }
        if let Response::Json(ty) = &operation.response {
            ty.named_ids(&mut response_roots);
        }
    }
    mark(&mut types, request_roots, |t| &mut t.in_request);
    mark(&mut types, response_roots, |t| &mut t.in_response);
    (
        ApiModel {
            settings,
            types,
            resources,
        },
        diagnostics,
    )
}

/// Sets a flag on every type reachable from `roots`.
fn mark(types: &mut [TypeDef], mut stack: Vec<TypeId>, flag: fn(&mut TypeDef) -> &mut bool) {
    while let Some(id) = stack.pop() {
        let Some(def) = types.get_mut(id.0) else { continue };
        if *flag(def) {
            continue;
        }
        *flag(def) = true;
        for child in children(&def.kind) {
            child.named_ids(&mut stack);
        }
    }
}

fn children(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).chain(s.additional.as_ref()).collect(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(t) => vec![t],
        TypeKind::Enum(_) => Vec::new(),
    }
}
