//! What the conformance run needs from the OpenAPI description: its operations with their query
//! and header parameters, the request examples, and the tag values of the body variants.

use std::collections::BTreeSet;
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
    /// The names of its query parameters whose schema is an array.
    pub array_query: Vec<String>,
    /// The names of its header parameters.
    pub headers: Vec<String>,
    /// Marked `deprecated: true`.
    pub deprecated: bool,
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
                let parameters: Vec<&'static Value> = [item.get("parameters"), node.get("parameters")]
                    .into_iter()
                    .flatten()
                    .flat_map(|list| list.as_array().into_iter().flatten())
                    .map(deref)
                    .collect();
                let names = |place: &str, array_only: bool| -> Vec<String> {
                    parameters
                        .iter()
                        .filter(|p| p["in"] == place)
                        .filter(|p| !array_only || deref(&p["schema"])["type"] == "array")
                        .map(|p| p["name"].as_str().expect("a parameter name").to_string())
                        .collect()
                };
                found.push(Operation {
                    id: node["operationId"].as_str().expect("an operationId").to_string(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    query: names("query", false),
                    array_query: names("query", true),
                    headers: names("header", false),
                    deprecated: node["deprecated"] == true,
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

/// A schema of `components/schemas` by name.
pub fn schema(name: &str) -> &'static Value {
    spec()["components"]["schemas"]
        .get(name)
        .unwrap_or_else(|| panic!("no schema `{name}` in the spec"))
}

/// The string values a schema allows: its own `enum`, or the `enum` of `property` in each member
/// of its `oneOf`/`anyOf` (or in itself); `null` is left out. This is how the spec names the
/// variants of a tagged body (`task_type`, `question_type`, `op`).
pub fn tag_values(schema_name: &str, property: Option<&str>) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    collect_tag_values(schema(schema_name), property, &mut values);
    assert!(
        !values.is_empty(),
        "{schema_name}: no tag values for {property:?} (the check would be empty)"
    );
    values
}

fn collect_tag_values(node: &'static Value, property: Option<&str>, values: &mut BTreeSet<String>) {
    let node = deref(node);
    let members = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|key| node.get(*key).and_then(Value::as_array))
        .flatten();
    let mut has_members = false;
    for member in members {
        has_members = true;
        collect_tag_values(member, property, values);
    }
    if has_members {
        return;
    }
    let holder = match property {
        Some(property) => match node["properties"].get(property) {
            Some(holder) => deref(holder),
            None => return,
        },
        None => node,
    };
    let strings = holder["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    values.extend(strings.map(str::to_string));
}

/// The string values the schema of a parameter of `components/parameters` allows.
pub fn parameter_values(name: &str) -> BTreeSet<String> {
    let parameter = spec()["components"]["parameters"]
        .get(name)
        .unwrap_or_else(|| panic!("no parameter `{name}` in the spec"));
    let mut values = BTreeSet::new();
    collect_tag_values(&parameter["schema"], None, &mut values);
    assert!(
        !values.is_empty(),
        "parameter {name}: no values (the check would be empty)"
    );
    values
}

/// Whether the node at `pointer` (a JSON pointer into the description, `$ref`s followed on the
/// way, as Prism reports locations of its dereferenced copy) is a `$ref` to a schema that
/// refers back to itself.
pub fn is_circular_ref_at(pointer: &str) -> bool {
    let Some(path) = pointer.strip_prefix("#/") else {
        return false;
    };
    let mut node = spec();
    for token in path.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match deref(node) {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else { return false };
        node = next;
    }
    let Some(name) = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    else {
        return false;
    };
    schema_refs_reach(name, name)
}

/// Whether following `$ref`s from schema `from` leads to schema `to`.
fn schema_refs_reach(from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from.to_string()];
    while let Some(name) = pending.pop() {
        let mut refs = Vec::new();
        collect_schema_refs(schema(&name), &mut refs);
        for target in refs {
            if target == to {
                return true;
            }
            if seen.insert(target.clone()) {
                pending.push(target);
            }
        }
    }
    false
}

fn collect_schema_refs(node: &Value, refs: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                refs.push(name.to_string());
            }
            map.values().for_each(|value| collect_schema_refs(value, refs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_schema_refs(item, refs)),
        _ => {}
    }
}

/// The name of the self-referring schema whose `description` is `description`, if any.
pub fn self_referring_schema_described(description: &str) -> Option<&'static str> {
    let schemas = spec()["components"]["schemas"].as_object()?;
    schemas
        .iter()
        .filter(|(_, node)| node["description"] == description)
        .map(|(name, _)| name.as_str())
        .find(|name| schema_refs_reach(name, name))
}
