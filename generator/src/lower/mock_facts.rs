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

#[cfg(test)]
mod tests {
    use openapiv3::OpenAPI;

    use crate::lower::lower;
    use crate::model::{MockFacts, TypeRef};

    fn facts(yaml: &str) -> (MockFacts, Vec<String>) {
        let openapi: OpenAPI = serde_yaml::from_str(yaml).unwrap();
        let (model, _) = lower(&openapi, None);
        let facts = model.resources[0].operations[0].mock.clone();
        let names = model.types.iter().map(|t| t.name.clone()).collect();
        (facts, names)
    }

    #[test]
    fn the_first_success_its_example_and_every_error_are_read() {
        let (facts, types) = facts(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /jobs:
    post:
      operationId: startJob
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
              examples:
                first: {value: {id: job_1}}
                second: {value: {id: job_2}}
        '202': {description: queued}
        '404':
          description: missing
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
        4XX: {description: any other client error}
        default:
          description: inline
          content: {application/json: {schema: {type: object}}}
components:
  schemas:
    Problem: {type: object, properties: {detail: {type: string}}}
"#,
        );
        assert_eq!(facts.success_status, 201);
        assert_eq!(facts.example, Some(serde_json::json!({"id": "job_1"})));
        let errors: Vec<(Option<u16>, bool)> = facts.errors.iter().map(|e| (e.code, e.ty.is_some())).collect();
        // `4XX` names no status; the inline `default` body stays untyped and adds no type.
        assert_eq!(errors, [(Some(404), true), (None, false)]);
        assert!(matches!(facts.errors[0].ty, Some(TypeRef::Named(_))));
        assert_eq!(types, ["Problem", "StartJobResponse"]);
    }

    #[test]
    fn without_a_success_the_mock_answers_200_with_no_example() {
        let (facts, _) = facts(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /ping: {get: {operationId: ping, responses: {default: {description: anything}}}}
"#,
        );
        assert_eq!((facts.success_status, facts.example), (200, None));
        assert_eq!(facts.errors.len(), 1);
    }
}
