//! What the generated mock server needs beyond the client: the status a typed success is sent
//! with, the example it answers with, and the declared error responses with their body types.

use openapiv3::{MediaType, OpenAPI, Operation as SpecOperation, ReferenceOr, StatusCode};

use super::bodies::is_json;
use super::components::resolve;
use crate::lower::types::TypeSpace;
use crate::model::{ErrorStatus, MockFacts};
use crate::spec::pointer;

/// Reads the operation's responses once more, for the mock: the first success and every error.
/// Unresolvable `$ref`s are skipped here; lowering the success responses reports them.
pub(super) fn lower_mock_facts(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    operation: &SpecOperation,
    operation_pointer: &str,
) -> MockFacts {
    let mut success: Option<(u16, Option<&MediaType>)> = None;
    let mut errors = Vec::new();
    let responses_pointer = pointer::join(operation_pointer, "responses");
    for (code, response) in &operation.responses.responses {
        let Some(response) = resolve(openapi, response) else {
            continue;
        };
        let json = response.content.iter().find(|(media, _)| is_json(media));
        let status = match code {
            StatusCode::Code(c) => *c,
            // `2XX` is sent as 200; other ranges name no one status to answer with.
            StatusCode::Range(2) => 200,
            StatusCode::Range(_) => continue,
        };
        if (200..300).contains(&status) {
            success = success.or(Some((status, json.map(|(_, media)| media))));
        } else if status >= 400 {
            let pointer = pointer::join(&responses_pointer, &status.to_string());
            let ty = json.and_then(|(media, content)| named_body(space, content, media, &pointer));
            errors.push(ErrorStatus { code: Some(status), ty });
        }
    }
    if let Some(default) = operation.responses.default.as_ref().and_then(|r| resolve(openapi, r)) {
        let pointer = pointer::join(&responses_pointer, "default");
        let json = default.content.iter().find(|(media, _)| is_json(media));
        let ty = json.and_then(|(media, content)| named_body(space, content, media, &pointer));
        errors.push(ErrorStatus { code: None, ty });
    }
    let (success_status, success_media) = success.unwrap_or((200, None));
    MockFacts {
        success_status,
        example: success_media.and_then(|media| example(openapi, media)),
        errors,
    }
}

/// The media type's `example`, or its first `examples` entry's value.
fn example(openapi: &OpenAPI, media: &MediaType) -> Option<serde_json::Value> {
    if let Some(value) = &media.example {
        return Some(value.clone());
    }
    let first = media.examples.values().next()?;
    resolve(openapi, first)?.value.clone()
}

/// The body's type when its schema names a component schema. Inline error schemas stay untyped:
/// lowering them would add types to the client that only the mock uses.
fn named_body(
    space: &mut TypeSpace<'_>,
    content: &MediaType,
    media: &str,
    pointer: &str,
) -> Option<crate::model::TypeRef> {
    let schema = content.schema.as_ref()?;
    let ReferenceOr::Reference { reference } = schema else {
        return None;
    };
    if !reference.starts_with("#/components/schemas/") {
        return None;
    }
    let schema_pointer = pointer::join(&pointer::join(&pointer::join(pointer, "content"), media), "schema");
    Some(space.lower(schema, "ErrorBody", &schema_pointer).ty)
}
