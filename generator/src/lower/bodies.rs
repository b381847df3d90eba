//! Request bodies (JSON, form, multipart, raw bytes) and responses (one type, or an enum over
//! the success statuses).

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Operation as SpecOperation, ReferenceOr, RequestBody, Response as SpecResponse, StatusCode};

use super::components::resolve;
use crate::diagnostic::Diagnostic;
use crate::lower::types::{TypeSpace, ValueShape};
use crate::model::{Body, MultipartField, Response, StatusResponse, TypeRef};
use crate::naming;
use crate::spec::pointer;

pub(super) fn lower_body(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    body: &ReferenceOr<RequestBody>,
    type_prefix: &str,
    operation_pointer: &str,
) -> Option<Body> {
    let pointer = pointer::join(operation_pointer, "requestBody");
    let Some(body) = resolve(openapi, body) else {
        diagnostics.push(Diagnostic::error(
            pointer,
            "requestBody `$ref` does not resolve to #/components/requestBodies",
        ));
        return None;
    };
    let content_pointer = pointer::join(&pointer, "content");
    let schema_pointer = |media: &str| pointer::join(&pointer::join(&content_pointer, media), "schema");
    if body.content.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            content_pointer.clone(),
            "several request media types: the client sends the first supported one (JSON, then multipart, then form, then raw bytes)",
        ));
    }
    if let Some((media, content)) = body.content.iter().find(|(m, _)| is_json(m)) {
        let hint = format!("{type_prefix}Body");
        let ty = match &content.schema {
            Some(schema) => space.lower(schema, &hint, &schema_pointer(media)).ty,
            None => TypeRef::Any,
        };
        return Some(Body::Json {
            ty,
            required: body.required,
            doc: body.description.clone(),
        });
    }
    if let Some((media, content)) = body
        .content
        .iter()
        .find(|(m, _)| media_essence(m) == "multipart/form-data")
    {
        return lower_multipart(openapi, diagnostics, content.schema.as_ref(), &schema_pointer(media))
            .map(|fields| Body::Multipart { fields });
    }
    if let Some((media, content)) = body
        .content
        .iter()
        .find(|(m, _)| media_essence(m) == "application/x-www-form-urlencoded")
    {
        let hint = format!("{type_prefix}Body");
        let ty = match &content.schema {
            Some(schema) => space.lower(schema, &hint, &schema_pointer(media)).ty,
            None => TypeRef::Object,
        };
        if space.value_shape(&ty) != ValueShape::Object {
            diagnostics.push(Diagnostic::unless_lenient(
                schema_pointer(media),
                "a form body must be an object",
                "the body is sent as bytes that the caller encodes",
            ));
            return Some(Body::Raw {
                content_type: media.clone(),
                required: body.required,
                doc: body.description.clone(),
            });
        }
        return Some(Body::Form {
            ty,
            required: body.required,
            doc: body.description.clone(),
        });
    }
    // Any other media type is sent as bytes with that content type (`*/*` as octet-stream).
    let (media, _) = body.content.iter().next()?;
    let content_type = if media.contains('*') {
        "application/octet-stream".to_owned()
    } else {
        media.clone()
    };
    Some(Body::Raw {
        content_type,
        required: body.required,
        doc: body.description.clone(),
    })
}

fn media_essence(media: &str) -> &str {
    media.split(';').next().unwrap_or(media).trim()
}

fn lower_multipart(
    openapi: &OpenAPI,
    diagnostics: &mut Vec<Diagnostic>,
    schema: Option<&ReferenceOr<openapiv3::Schema>>,
    pointer: &str,
) -> Option<Vec<MultipartField>> {
    let schema = schema.and_then(|schema| resolve(openapi, schema));
    let Some(schema) = schema else {
        diagnostics.push(Diagnostic::error(
            pointer,
            "multipart body needs an object schema with properties",
        ));
        return None;
    };
    let view = crate::lower::types::view_of(schema);
    let mut fields = Vec::new();
    for (wire, property) in &view.properties {
        let is_file = property
            .as_item()
            .is_some_and(|p| crate::lower::types::view_of(p).format == Some("binary"));
        fields.push(MultipartField {
            name: naming::field_name(wire),
            wire_name: wire.to_string(),
            is_file,
            required: view.required.contains(wire),
            doc: property.as_item().and_then(|p| p.schema_data.description.clone()),
        });
    }
    Some(fields)
}

pub(super) fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The 2xx responses decide the return type: one body type (JSON → the schema's type, other
/// content → bytes, none → `()`), or, when they differ by status, an enum over the statuses.
pub(super) fn lower_response(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    operation: &SpecOperation,
    type_prefix: &str,
    operation_pointer: &str,
) -> Response {
    let responses_pointer = pointer::join(operation_pointer, "responses");
    // `x-raw-response: true`: the body is handed over as bytes whatever its media type says, for
    // downloads that a server may also label `application/json`.
    let raw = operation.extensions.get("x-raw-response") == Some(&serde_json::Value::Bool(true));
    let mut successes: Vec<(u16, Response)> = Vec::new();
    for (code, response) in &operation.responses.responses {
        let (number, code_text) = match code {
            StatusCode::Code(c) if (200..300).contains(c) => (*c, c.to_string()),
            StatusCode::Range(2) => (200, "2XX".to_owned()),
            _ => continue,
        };
        let pointer = pointer::join(&responses_pointer, &code_text);
        let Some(response) = resolve(openapi, response) else {
            diagnostics.push(Diagnostic::error(
                pointer,
                "response `$ref` does not resolve to #/components/responses",
            ));
            continue;
        };
        let hint = if successes.is_empty() {
            format!("{type_prefix}Response")
        } else {
            format!("{type_prefix}{code_text}Response")
        };
        let body = if raw && !response.content.is_empty() {
            Response::Bytes
        } else {
            lower_response_body(space, response, &hint, &pointer)
        };
        successes.push((number, body));
    }
    match successes.as_slice() {
        [] => {
            diagnostics.push(Diagnostic::warning(
                responses_pointer,
                "no 2xx response is declared; the operation returns nothing",
            ));
            Response::Empty
        }
        [(_, only)] => only.clone(),
        [(_, first), rest @ ..] if rest.iter().all(|(_, r)| r == first) => first.clone(),
        _ => {
            let mut variants: Vec<String> = successes.iter().map(|(code, _)| status_variant(*code)).collect();
            naming::dedupe(&mut variants, &mut BTreeSet::from(["Other".to_owned()]));
            Response::ByStatus(
                successes
                    .into_iter()
                    .zip(variants)
                    .map(|((code, body), variant)| StatusResponse { code, variant, body })
                    .collect(),
            )
        }
    }
}

/// One response's body: JSON first among its media types, else bytes, else nothing.
fn lower_response_body(space: &mut TypeSpace<'_>, response: &SpecResponse, hint: &str, pointer: &str) -> Response {
    if let Some((media, content)) = response.content.iter().find(|(m, _)| is_json(m)) {
        return match &content.schema {
            Some(schema) => {
                let schema_pointer = pointer::join(&pointer::join(&pointer::join(pointer, "content"), media), "schema");
                Response::Json(space.lower(schema, hint, &schema_pointer).ty)
            }
            None => Response::Json(TypeRef::Any),
        };
    }
    if response.content.is_empty() {
        Response::Empty
    } else {
        Response::Bytes
    }
}

/// `201` → `Created`: the reason phrase, so a `match` reads like the API's documentation.
fn status_variant(code: u16) -> String {
    let name = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        _ => return format!("Status{code}"),
    };
    name.to_owned()
}
