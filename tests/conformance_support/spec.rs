//! What the conformance run needs from the OpenAPI description: its operations with their query
//! parameters, and the request examples.

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

/// Follows local `$ref`s until a node without one.
fn deref(mut node: &'static Value) -> &'static Value {
    for _ in 0..16 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        let pointer = reference.strip_prefix('#').expect("only local $refs");
        node = spec()
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref `{reference}`"));
    }
    panic!("$ref chain too long")
}

/// One operation of the description.
pub struct Operation {
    pub id: String,
    /// Upper case, e.g. `GET`.
    pub method: String,
    /// The path template, e.g. `/v5/evaluations/{evaluation_id}`.
    pub path: String,
    /// The names of its query parameters (path-level and operation-level).
    pub query: Vec<String>,
    node: &'static Value,
}

/// Every operation, in the order of the description.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let paths = spec()["paths"].as_object().expect("`paths` is an object");
        let mut found = Vec::new();
        for (path, item) in paths {
            let item = deref(item);
            for method in HTTP_METHODS {
                let Some(node) = item.get(method) else { continue };
                let parameters = [item.get("parameters"), node.get("parameters")];
                let query = parameters
                    .into_iter()
                    .flatten()
                    .flat_map(|list| list.as_array().into_iter().flatten())
                    .map(deref)
                    .filter(|p| p["in"] == "query")
                    .map(|p| p["name"].as_str().expect("a parameter name").to_string())
                    .collect();
                found.push(Operation {
                    id: node["operationId"].as_str().expect("an operationId").to_string(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    query,
                    node,
                });
            }
        }
        found
    })
}

/// The operation a request is for: same method, and the path fits the template. A template
/// with more literal segments wins (`/batch` over `/{id}`).
pub fn operation_for(method: &str, path: &str) -> Option<&'static Operation> {
    operations()
        .iter()
        .filter(|op| op.method == method && fits(path, &op.path))
        .max_by_key(|op| op.path.split('/').filter(|s| !s.starts_with('{')).count())
}

fn fits(path: &str, template: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    let wanted: Vec<&str> = template.split('/').collect();
    segments.len() == wanted.len()
        && segments.iter().zip(&wanted).all(|(segment, wanted)| {
            if wanted.starts_with('{') && wanted.ends_with('}') {
                !segment.is_empty()
            } else {
                segment == wanted
            }
        })
}

/// The request body examples of an operation (its single media type), by name.
pub fn request_examples(operation_id: &str) -> Vec<(String, Value)> {
    let op = operations()
        .iter()
        .find(|op| op.id == operation_id)
        .unwrap_or_else(|| panic!("no operation `{operation_id}` in the spec"));
    let body = deref(
        op.node
            .get("requestBody")
            .unwrap_or_else(|| panic!("{operation_id} has no body")),
    );
    let content = body["content"].as_object().expect("a request body has content");
    let media = content.values().next().expect("one media type");
    if let Some(example) = media.get("example") {
        return vec![("example".to_string(), example.clone())];
    }
    let examples = media["examples"]
        .as_object()
        .unwrap_or_else(|| panic!("{operation_id}: no examples"));
    examples
        .iter()
        .map(|(name, example)| (name.clone(), deref(example)["value"].clone()))
        .collect()
}
