//! The OpenAPI description (`openapi/sgp-evaluations.yaml`), loaded once, and the examples it
//! gives for each operation.

use std::sync::OnceLock;

use serde_json::Value;

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/sgp-evaluations.yaml");
const HTTP_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The whole description as JSON.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"))
    })
}

/// Follows local `$ref`s (`#/components/...`) until a node without one.
pub fn deref(node: &'static Value) -> &'static Value {
    let mut node = node;
    for _ in 0..16 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs are supported, got `{reference}`"));
        node = spec()
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref `{reference}`"));
    }
    panic!("$ref chain too long (a cycle?)")
}

/// One operation of the description.
pub struct Operation {
    pub id: String,
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The path template, e.g. `/v5/evaluations/{evaluation_id}`.
    pub path: String,
    pub node: &'static Value,
}

/// Every operation, in the order of the description.
pub fn operations() -> Vec<Operation> {
    let paths = spec()["paths"].as_object().expect("`paths` is an object");
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = deref(item);
        for method in HTTP_METHODS {
            if let Some(node) = item.get(method) {
                let id = node["operationId"]
                    .as_str()
                    .expect("every operation has an operationId");
                found.push(Operation {
                    id: id.to_string(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    node,
                });
            }
        }
    }
    found
}

/// The operation with this `operationId`.
pub fn operation(id: &str) -> Operation {
    operations()
        .into_iter()
        .find(|op| op.id == id)
        .unwrap_or_else(|| panic!("no operation `{id}` in the spec"))
}

/// The operation a request is for: the spec's method, and a path that fits the template. Of two
/// templates that fit, the one with more literal segments wins (`/items/batch` over `/items/{id}`).
pub fn operation_for(method: &str, path: &str) -> Option<Operation> {
    operations()
        .into_iter()
        .filter(|op| op.method == method && fits_template(path, &op.path))
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
}

/// Whether `path` is `template` with every `{param}` replaced by one non-empty segment.
pub fn fits_template(path: &str, template: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let expected: Vec<&str> = template.split('/').collect();
    segments.len() == expected.len()
        && segments.iter().zip(&expected).all(|(segment, wanted)| {
            if wanted.starts_with('{') && wanted.ends_with('}') {
                !segment.is_empty()
            } else {
                segment == wanted
            }
        })
}

/// A named example value: the key of an `examples` map, or `example` for a single `example`.
pub type Example = (String, Value);

/// The examples of a media type object: its `example`, or every value of its `examples` map
/// (resolving `$ref`s to `#/components/examples/...`).
fn media_examples(media: &'static Value) -> Vec<Example> {
    if let Some(example) = media.get("example") {
        return vec![("example".to_string(), example.clone())];
    }
    let Some(examples) = media.get("examples").and_then(Value::as_object) else {
        return Vec::new();
    };
    examples
        .iter()
        .map(|(name, example)| {
            let value = deref(example)
                .get("value")
                .unwrap_or_else(|| panic!("example `{name}` has no `value`"));
            (name.clone(), value.clone())
        })
        .collect()
}

/// The single media type of a request body or response, with its examples.
fn content_examples(owner: &'static Value, what: &str) -> (String, Vec<Example>) {
    let content = deref(owner)["content"]
        .as_object()
        .unwrap_or_else(|| panic!("{what} has no content"));
    assert_eq!(content.len(), 1, "{what}: expected one media type");
    let (media_type, media) = content.iter().next().unwrap();
    let examples = media_examples(media);
    assert!(!examples.is_empty(), "{what} has no example");
    (media_type.clone(), examples)
}

/// The examples of one of several media types of a response (`retrieveFileContent` has two).
pub fn response_examples_of(operation_id: &str, status: &str, media_type: &str) -> Vec<Example> {
    let op = operation(operation_id);
    let what = format!("{operation_id} {status} response, {media_type}");
    let media = op
        .node
        .pointer(&format!("/responses/{status}"))
        .map(deref)
        .and_then(|response| response["content"].get(media_type))
        .unwrap_or_else(|| panic!("{what}: not in the spec"));
    let examples = media_examples(media);
    assert!(!examples.is_empty(), "{what} has no example");
    examples
}

/// The media types of the operation's response with this status, in the order of the spec.
pub fn response_media_types(operation_id: &str, status: &str) -> Vec<String> {
    let op = operation(operation_id);
    op.node
        .pointer(&format!("/responses/{status}"))
        .map(deref)
        .and_then(|response| response["content"].as_object())
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default()
}

/// The request body's media type and examples; panics when the operation has no body.
pub fn request_examples(operation_id: &str) -> (String, Vec<Example>) {
    let op = operation(operation_id);
    let body = op
        .node
        .get("requestBody")
        .unwrap_or_else(|| panic!("{operation_id} has no request body"));
    content_examples(body, &format!("{operation_id} request body"))
}

/// The media type and examples of the operation's response with this status.
pub fn response_examples(operation_id: &str, status: &str) -> (String, Vec<Example>) {
    let op = operation(operation_id);
    let response = op
        .node
        .pointer(&format!("/responses/{status}"))
        .unwrap_or_else(|| panic!("{operation_id} has no {status} response"));
    content_examples(response, &format!("{operation_id} {status} response"))
}

/// The examples of a shared response, `#/components/responses/<name>`.
pub fn component_response_examples(name: &str) -> Vec<Example> {
    let response = spec()
        .pointer(&format!("/components/responses/{name}"))
        .unwrap_or_else(|| panic!("no response `{name}` in components"));
    content_examples(response, &format!("components/responses/{name}")).1
}
