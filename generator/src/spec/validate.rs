//! Semantic checks on the loaded spec, reported as [`Diagnostic`] values.
//!
//! Every check reads the raw JSON document rather than the openapiv3 types: openapiv3 drops unknown keys,
//! keys of `paths` that do not start with `/`, and response keys that are not status codes, so only the
//! raw document still shows those mistakes; and raw keys give exact pointers for messages.
//!
//! The checks, in order:
//! - structure: every object's keys against the OpenAPI 3.0.3 table in `openapi_keys` (unknown key →
//!   error with a "did you mean" suggestion), value types, required fields, parameter `schema`/`content`
//!   and `style`, security scheme fields;
//! - warnings, kept few: siblings of `$ref` (ignored by 3.0), `not` (not enforced by the client),
//!   3.1-only schema keywords (ignored), keywords or `enum` values that do not fit the schema's `type`
//!   (openapiv3 then reads the schema as untyped), `type: array` without `items`, and `required` names
//!   that no property has. Validation-only keywords (`pattern`, `minimum`, ...) pass silently: the
//!   server enforces them;
//! - references: local `$ref`s resolve, point at the right kind of component, and do not loop through
//!   `$ref`s alone; external references are rejected;
//! - operations: every operation has a unique operationId; path templates are well formed and match
//!   the `in: path` parameters; no parameter is declared twice; security requirements name known schemes;
//! - duplicate mapping keys, which YAML and JSON parsers resolve silently in favour of the later one.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys::{self as keys, object_spec, Object, Shape};
use crate::spec::line_index::LineIndex;
use crate::spec::pointer;

/// Every check; needs only the raw document and its line index, so the loader can also run it when
/// openapiv3 rejects a document (these checks usually say more precisely what is wrong).
pub(crate) fn check_document(raw: &Value, lines: &LineIndex) -> Vec<Diagnostic> {
    let mut walker = Walker::default();
    walker.walk_object(raw, "#", Object::OpenApi);
    let mut diagnostics = walker.diagnostics;
    diagnostics.extend(check_refs(raw, &walker.refs));
    diagnostics.extend(check_operations(raw, lines));
    diagnostics.extend(duplicate_key_errors(lines));
    without_repeats(diagnostics)
}

/// "a string", "a list", ... for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

// ---------------------------------------------------------------------------------------------------
// Structure

/// A `$ref` met while walking, checked once the whole document has been seen.
struct RefSite {
    /// Pointer of the `$ref` key itself, so the message points at the reference's line.
    pointer: String,
    target: String,
    expected: Object,
}

#[derive(Default)]
struct Walker {
    diagnostics: Vec<Diagnostic>,
    refs: Vec<RefSite>,
}

impl Walker {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(pointer, message));
    }

    fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(pointer, message));
    }

    fn walk_value(&mut self, value: &Value, pointer: &str, shape: Shape) {
        match shape {
            Shape::Any => {}
            Shape::String => self.expect_type(value.is_string(), value, pointer, "a string"),
            Shape::Bool => self.expect_type(value.is_boolean(), value, pointer, "a boolean"),
            Shape::Number => self.expect_type(value.is_number(), value, pointer, "a number"),
            Shape::Count => self.expect_type(value.is_u64(), value, pointer, "a non-negative integer"),
            Shape::Keyword(allowed) => self.walk_keyword(value, pointer, allowed),
            Shape::Object(object) => self.walk_object(value, pointer, object),
            Shape::RefOr(object) => self.walk_ref_or(value, pointer, object),
            Shape::ListOf(item) => self.walk_list(value, pointer, *item),
            Shape::MapOf(entry) => self.walk_map(value, pointer, *entry),
            Shape::BoolOrSchema if value.is_boolean() => {}
            Shape::BoolOrSchema => self.walk_ref_or(value, pointer, Object::Schema),
            Shape::SchemaType => self.walk_schema_type(value, pointer),
        }
    }

    fn expect_type(&mut self, matches: bool, value: &Value, pointer: &str, expected: &str) {
        if !matches {
            self.error(pointer, format!("expected {expected}, found {}", json_type(value)));
        }
    }

    fn walk_keyword(&mut self, value: &Value, pointer: &str, allowed: &[&str]) {
        let Some(word) = value.as_str() else {
            return self.error(
                pointer,
                format!("expected one of {}, found {}", code_list(allowed), json_type(value)),
            );
        };
        if allowed.contains(&word) {
            return;
        }
        let mut message = format!("`{word}` is not one of {}", code_list(allowed));
        if let Some(suggestion) = keys::suggest(word, allowed.iter().copied()) {
            message.push_str(&format!("; did you mean `{suggestion}`?"));
        }
        self.error(pointer, message);
    }

    fn walk_list(&mut self, value: &Value, pointer: &str, item: Shape) {
        let Some(items) = value.as_array() else {
            return self.error(pointer, format!("expected a list, found {}", json_type(value)));
        };
        for (index, item_value) in items.iter().enumerate() {
            self.walk_value(item_value, &pointer::join(pointer, &index.to_string()), item);
        }
    }

    fn walk_map(&mut self, value: &Value, pointer: &str, entry: Shape) {
        let Some(map) = value.as_object() else {
            return self.error(pointer, format!("expected a mapping, found {}", json_type(value)));
        };
        for (key, entry_value) in map {
            self.walk_value(entry_value, &pointer::join(pointer, key), entry);
        }
    }

    fn walk_object(&mut self, value: &Value, pointer: &str, object: Object) {
        let spec = object_spec(object);
        let Some(map) = value.as_object() else {
            return self.error(
                pointer,
                format!("expected a mapping ({}), found {}", spec.name, json_type(value)),
            );
        };
        for field in spec.required.iter().filter(|field| !map.contains_key(**field)) {
            self.error(pointer, format!("missing required field `{field}` ({})", spec.name));
        }
        for (key, child) in map {
            self.walk_field(object, key, child, &pointer::join(pointer, key));
        }
        match object {
            Object::Schema => self.check_schema(map, pointer),
            Object::Parameter | Object::Header => self.check_parameter(map, pointer),
            Object::SecurityScheme => self.check_security_scheme(map, pointer),
            _ => {}
        }
    }

    fn walk_field(&mut self, object: Object, key: &str, value: &Value, pointer: &str) {
        // Extensions may hold anything, everywhere.
        if key.starts_with("x-") {
            return;
        }
        if let Some(message) = known_mistake(object, key, value) {
            return self.error(pointer, message);
        }
        let spec = object_spec(object);
        if let Some(shape) = spec.field(key) {
            return self.walk_value(value, pointer, shape);
        }
        match spec.patterned {
            Some((pattern, shape)) if pattern.matches(key) => self.walk_value(value, pointer, shape),
            _ => self.unknown_key(object, key, pointer),
        }
    }

    fn unknown_key(&mut self, object: Object, key: &str, pointer: &str) {
        if object == Object::Schema {
            if let Some((_, advice)) = keys::SCHEMA_KEYWORDS_NOT_IN_3_0.iter().find(|(word, _)| *word == key) {
                let advice = if advice.is_empty() {
                    String::new()
                } else {
                    format!("; {advice}")
                };
                let message = format!("`{key}` is not an OpenAPI 3.0 schema keyword, so it is ignored{advice}");
                return self.warning(pointer, message);
            }
        }
        let spec = object_spec(object);
        let message = match object {
            Object::Paths => format!("path `{key}` must start with `/` (openapiv3 would silently drop it)"),
            Object::Responses => format!(
                "`{key}` is not a response status code: use a code such as `200`, a range such as `2XX`, or `default`"
            ),
            _ if key == "$ref" => format!("`$ref` is not allowed in a {}", spec.name),
            Object::Parameter | Object::Header if object_spec(Object::Schema).field(key).is_some() => format!(
                "unknown key `{key}` in {}: schema keywords go under `schema:` in OpenAPI 3.0",
                spec.name
            ),
            _ => match keys::suggest(key, spec.field_names()) {
                Some(suggestion) => format!("unknown key `{key}` in {}; did you mean `{suggestion}`?", spec.name),
                None => format!("unknown key `{key}` in {}", spec.name),
            },
        };
        self.error(pointer, message);
    }

    fn walk_ref_or(&mut self, value: &Value, pointer: &str, object: Object) {
        let Some((map, target)) = value.as_object().and_then(|map| Some((map, map.get("$ref")?))) else {
            return self.walk_object(value, pointer, object);
        };
        let ref_pointer = pointer::join(pointer, "$ref");
        match target.as_str() {
            Some(target) => self.refs.push(RefSite {
                pointer: ref_pointer,
                target: target.to_string(),
                expected: object,
            }),
            None => self.error(
                &ref_pointer,
                format!("`$ref` must be a string, found {}", json_type(target)),
            ),
        }
        self.check_ref_siblings(map, pointer, object);
    }

    /// OpenAPI 3.0 says siblings of `$ref` are ignored, and openapiv3 drops them, so a `nullable: true`
    /// written next to a `$ref` would silently not apply.
    fn check_ref_siblings(&mut self, map: &Map<String, Value>, pointer: &str, object: Object) {
        let ignored: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|key| *key != "$ref" && !key.starts_with("x-"))
            .collect();
        if ignored.is_empty() {
            return;
        }
        let verb = if ignored.len() == 1 { "is" } else { "are" };
        let advice = if object == Object::Schema {
            "; to keep them, put them beside `allOf: [{$ref: ...}]` instead"
        } else {
            ""
        };
        let message = format!(
            "{} next to `$ref` {verb} ignored in OpenAPI 3.0{advice}",
            code_list(&ignored)
        );
        self.warning(pointer, message);
    }

    fn walk_schema_type(&mut self, value: &Value, pointer: &str) {
        match value {
            Value::String(name) if keys::SCHEMA_TYPES.contains(&name.as_str()) => {}
            Value::String(name) if name == "null" => self.error(
                pointer,
                "`type: null` is OpenAPI 3.1; in 3.0 mark the schema `nullable: true`",
            ),
            Value::String(name) => {
                let mut message = format!(
                    "unknown type `{name}`; expected one of {}",
                    code_list(keys::SCHEMA_TYPES)
                );
                if let Some(suggestion) = keys::suggest(name, keys::SCHEMA_TYPES.iter().copied()) {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                self.error(pointer, message)
            }
            Value::Array(_) => self.error(
                pointer,
                "`type` as a list is OpenAPI 3.1; in 3.0 give one type (with `nullable: true` to allow null, \
                 or `oneOf` for several types)",
            ),
            other => self.error(pointer, format!("`type` must be a string, found {}", json_type(other))),
        }
    }

    /// Schema constructs that load fine but that the client cannot honour, or that openapiv3 reads
    /// differently from what the author meant.
    fn check_schema(&mut self, map: &Map<String, Value>, pointer: &str) {
        if map.contains_key("not") {
            self.warning(
                &pointer::join(pointer, "not"),
                "keyword `not` is not enforced by the generated client",
            );
        }
        let type_name = map
            .get("type")
            .and_then(Value::as_str)
            .filter(|name| keys::SCHEMA_TYPES.contains(name));
        if let Some(type_name) = type_name {
            self.check_keywords_fit_type(map, pointer, type_name);
            self.check_enum_fits_type(map, pointer, type_name);
            if type_name == "array" && !map.contains_key("items") {
                self.warning(
                    pointer,
                    "`type: array` without `items`: the elements will be untyped JSON values",
                );
            }
        }
        self.check_required_properties(map, pointer);
    }

    /// openapiv3 only produces a typed schema when every type-specific keyword fits the `type`; one that
    /// does not (`minimum` on a string) turns the whole schema into an untyped `AnySchema`.
    fn check_keywords_fit_type(&mut self, map: &Map<String, Value>, pointer: &str, type_name: &str) {
        for (keyword, types) in keys::TYPE_SPECIFIC_KEYWORDS {
            if map.contains_key(*keyword) && !types.contains(&type_name) {
                let message = format!(
                    "`{keyword}` does not apply to `type: {type_name}`; openapiv3 then reads the whole schema as untyped"
                );
                self.warning(&pointer::join(pointer, keyword), message);
            }
        }
    }

    /// Same reason as above: an `enum` value of the wrong type makes openapiv3 read the schema as untyped.
    fn check_enum_fits_type(&mut self, map: &Map<String, Value>, pointer: &str, type_name: &str) {
        let Some(values) = map.get("enum").and_then(Value::as_array) else {
            return;
        };
        let fits = |value: &Value| match type_name {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64(),
            "boolean" => value.is_boolean(),
            _ => true,
        };
        let enum_pointer = pointer::join(pointer, "enum");
        if let Some((index, value)) = values
            .iter()
            .enumerate()
            .find(|(_, value)| !value.is_null() && !fits(value))
        {
            let message = format!(
                "`enum` value {value} is {} but the schema has `type: {type_name}`; openapiv3 then reads the \
                 whole schema as untyped",
                json_type(value)
            );
            self.warning(&pointer::join(&enum_pointer, &index.to_string()), message);
        }
    }

    /// A name in `required` that no property has is usually a typo, and the generator would otherwise
    /// quietly make the real property optional. Skipped when properties may come from elsewhere.
    fn check_required_properties(&mut self, map: &Map<String, Value>, pointer: &str) {
        let Some(required) = map.get("required").and_then(Value::as_array) else {
            return;
        };
        let Some(properties) = map.get("properties").and_then(Value::as_object) else {
            return;
        };
        let open = ["allOf", "oneOf", "anyOf", "additionalProperties"]
            .iter()
            .any(|key| map.contains_key(*key));
        if open {
            return;
        }
        let required_pointer = pointer::join(pointer, "required");
        for (index, name) in required.iter().enumerate() {
            let Some(name) = name.as_str().filter(|name| !properties.contains_key(*name)) else {
                continue;
            };
            let mut message = format!("required property `{name}` is not among `properties`");
            if let Some(suggestion) = keys::suggest(name, properties.keys().map(String::as_str)) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            self.warning(&pointer::join(&required_pointer, &index.to_string()), message);
        }
    }

    /// A parameter (or header) carries its type in exactly one of `schema` and `content`, and its
    /// `style` must suit where it goes; openapiv3 rejects the rest with vague messages.
    fn check_parameter(&mut self, map: &Map<String, Value>, pointer: &str) {
        match (map.contains_key("schema"), map.contains_key("content")) {
            (false, false) => self.error(pointer, "missing `schema` (or `content`): the parameter has no type"),
            (true, true) => self.error(pointer, "`schema` and `content` are exclusive; give one"),
            _ => {}
        }
        let location = map.get("in").and_then(Value::as_str);
        let style = map.get("style").and_then(Value::as_str);
        let (Some(location), Some(style)) = (location, style) else {
            return;
        };
        let allowed: &[&str] = match location {
            "path" => &["matrix", "label", "simple"],
            "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
            "header" => &["simple"],
            "cookie" => &["form"],
            _ => return,
        };
        if keys::PARAMETER_STYLES.contains(&style) && !allowed.contains(&style) {
            let message = format!(
                "style `{style}` is not allowed for `in: {location}`; use one of {}",
                code_list(allowed)
            );
            self.error(&pointer::join(pointer, "style"), message);
        }
    }

    fn check_security_scheme(&mut self, map: &Map<String, Value>, pointer: &str) {
        let needed: &[&str] = match map.get("type").and_then(Value::as_str) {
            Some("apiKey") => &["name", "in"],
            Some("http") => &["scheme"],
            Some("oauth2") => &["flows"],
            Some("openIdConnect") => &["openIdConnectUrl"],
            _ => &[],
        };
        for field in needed.iter().filter(|field| !map.contains_key(**field)) {
            self.error(
                pointer,
                format!("missing required field `{field}` for this type of security scheme"),
            );
        }
    }
}

/// Mistakes common enough to deserve their own message instead of "expected a boolean".
fn known_mistake(object: Object, key: &str, value: &Value) -> Option<String> {
    let message = match (object, key, value) {
        (Object::Schema, "required", Value::Bool(_)) => {
            "`required: true` is for parameters; in a schema, list required property names in the parent \
             object's `required`"
                .to_string()
        }
        (Object::Schema, "exclusiveMinimum" | "exclusiveMaximum", Value::Number(_)) => {
            let bound = if key == "exclusiveMinimum" {
                "minimum"
            } else {
                "maximum"
            };
            format!("a number here is OpenAPI 3.1 style; in 3.0 write `{bound}: N` with `{key}: true`")
        }
        (Object::Schema, "items", Value::Array(_)) => {
            "`items` must be one schema; a list of schemas (tuple validation) is not OpenAPI 3.0".to_string()
        }
        (Object::Parameter, "in", Value::String(location)) if location == "body" || location == "formData" => {
            format!("`in: {location}` is Swagger 2.0; in OpenAPI 3.0 the operation's `requestBody` carries the body")
        }
        _ => return None,
    };
    Some(message)
}

// ---------------------------------------------------------------------------------------------------
// References

fn check_refs(raw: &Value, refs: &[RefSite]) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = refs.iter().filter_map(|site| check_ref_target(raw, site)).collect();
    diagnostics.extend(ref_cycles(raw, refs));
    diagnostics
}

fn check_ref_target(raw: &Value, site: &RefSite) -> Option<Diagnostic> {
    let target = site.target.as_str();
    if !target.starts_with('#') {
        let message = format!(
            "external $ref `{target}` not supported: bring the definition into this document (under #/components)"
        );
        return Some(Diagnostic::error(&site.pointer, message));
    }
    let Some(tokens) = pointer::reference_tokens(target) else {
        return Some(Diagnostic::error(
            &site.pointer,
            format!("`$ref` `{target}` is not a JSON pointer (`#/...`)"),
        ));
    };
    if pointer::resolve(raw, target).is_none() {
        return Some(Diagnostic::error(&site.pointer, dangling_ref_message(raw, target)));
    }
    let section = match tokens.as_slice() {
        [components, section, _name] if components == "components" => keys::component_section(section)?,
        _ => return None,
    };
    if section == site.expected {
        return None;
    }
    let message = format!(
        "`$ref` `{target}` points at a {} where a {} is expected",
        object_spec(section).name,
        object_spec(site.expected).name
    );
    Some(Diagnostic::error(&site.pointer, message))
}

/// "does not exist", with the closest existing sibling when one is near (a misspelt schema name).
fn dangling_ref_message(raw: &Value, target: &str) -> String {
    let mut message = format!("`$ref` target `{target}` does not exist");
    let Some((parent, last)) = target.rsplit_once('/') else {
        return message;
    };
    let siblings = pointer::resolve(raw, parent).and_then(Value::as_object);
    let last = pointer::unescape_token(last);
    if let Some(suggestion) = siblings.and_then(|map| keys::suggest(&last, map.keys().map(String::as_str))) {
        message.push_str(&format!("; did you mean `{}`?", pointer::join(parent, suggestion)));
    }
    message
}

/// Finds loops made of `$ref`s alone (A → B → A), which describe no value at all. A loop through a
/// schema (a property that refers back to its object) is an ordinary recursive type and is fine.
fn ref_cycles(raw: &Value, refs: &[RefSite]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut reported: HashSet<Vec<&str>> = HashSet::new();
    for site in refs {
        let mut chain: Vec<&str> = vec![site.target.as_str()];
        let mut current = site.target.as_str();
        while let Some(next) = pointer::resolve(raw, current).and_then(ref_of) {
            let Some(start) = chain.iter().position(|seen| *seen == next) else {
                chain.push(next);
                current = next;
                continue;
            };
            let cycle: Vec<&str> = chain.get(start..).unwrap_or_default().to_vec();
            let mut members = cycle.clone();
            members.sort_unstable();
            if reported.insert(members) {
                let first = cycle.first().copied().unwrap_or(next);
                let message = format!("`$ref` cycle with no schema in between: {} → {next}", cycle.join(" → "));
                diagnostics.push(Diagnostic::error(pointer::join(first, "$ref"), message));
            }
            break;
        }
    }
    diagnostics
}

/// The local `$ref` of a Reference Object, if `value` is one.
fn ref_of(value: &Value) -> Option<&str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .filter(|target| target.starts_with('#'))
}

// ---------------------------------------------------------------------------------------------------
// Operations, paths and parameters

/// A parameter as declared (or referenced) in one list, with its `$ref` already followed.
struct ParamInfo<'a> {
    /// Pointer of the list entry, where the reader declared or referenced it.
    pointer: String,
    name: &'a str,
    location: &'a str,
    required: bool,
}

/// Where an operationId was first used.
struct FirstUse {
    label: String,
    pointer: String,
}

fn check_operations(raw: &Value, lines: &LineIndex) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let schemes = raw.pointer("/components/securitySchemes").and_then(Value::as_object);
    diagnostics.extend(check_security(raw.get("security"), "#/security", schemes));
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return diagnostics;
    };
    let mut operation_ids: HashMap<String, FirstUse> = HashMap::new();
    for (path, item) in paths.iter().filter(|(path, _)| path.starts_with('/')) {
        let item_pointer = pointer::join("#/paths", path);
        // A `$ref`'d path item is checked where it is defined, if that is under `paths`.
        let Some(item) = item.as_object().filter(|item| !item.contains_key("$ref")) else {
            continue;
        };
        let template = match template_names(path) {
            Ok(names) => Some(names),
            Err(message) => {
                diagnostics.push(Diagnostic::error(&item_pointer, message));
                None
            }
        };
        let shared = parameters_of(raw, item.get("parameters"), &pointer::join(&item_pointer, "parameters"));
        diagnostics.extend(duplicate_parameters(&shared));
        // Document order, so a duplicate operationId is reported where a reader meets it second.
        let operations = item
            .iter()
            .filter(|(key, _)| keys::HTTP_METHODS.contains(&key.as_str()));
        for (method, operation) in operations {
            let Some(operation) = operation.as_object() else {
                continue;
            };
            let operation_pointer = pointer::join(&item_pointer, method);
            let label = format!("{} {path}", method.to_ascii_uppercase());
            let first_use = FirstUse {
                label,
                pointer: operation_pointer.clone(),
            };
            diagnostics.extend(check_operation_id(operation, first_use, &mut operation_ids, lines));
            let own = parameters_of(
                raw,
                operation.get("parameters"),
                &pointer::join(&operation_pointer, "parameters"),
            );
            diagnostics.extend(duplicate_parameters(&own));
            if let Some(template) = &template {
                diagnostics.extend(check_path_parameters(path, template, &operation_pointer, &shared, &own));
            }
            let security_pointer = pointer::join(&operation_pointer, "security");
            diagnostics.extend(check_security(operation.get("security"), &security_pointer, schemes));
        }
    }
    diagnostics
}

/// The generator names client methods after operationIds, so each must exist and be unique.
fn check_operation_id(
    operation: &Map<String, Value>,
    this: FirstUse,
    seen: &mut HashMap<String, FirstUse>,
    lines: &LineIndex,
) -> Option<Diagnostic> {
    let id_pointer = pointer::join(&this.pointer, "operationId");
    let id = match operation.get("operationId") {
        None => {
            let message = format!(
                "operation `{}` has no operationId; its Rust name is made from the method and path, which changes when the path does: add an operationId for a stable name",
                this.label
            );
            return Some(Diagnostic::warning(&this.pointer, message));
        }
        Some(Value::String(id)) if id.trim().is_empty() => {
            return Some(Diagnostic::error(id_pointer, "operationId is empty"));
        }
        Some(Value::String(id)) => id,
        Some(_) => return None, // The structure walk reports the wrong type.
    };
    let Some(first) = seen.get(id) else {
        seen.insert(id.clone(), this);
        return None;
    };
    let first_line = lines.line_of(&pointer::join(&first.pointer, "operationId"));
    let at_line = first_line.map(|line| format!(", line {line}")).unwrap_or_default();
    let message = format!(
        "duplicate operationId `{id}`: already used by `{}` ({}{at_line})",
        first.label, first.pointer
    );
    Some(Diagnostic::error(id_pointer, message))
}

/// The `{name}`s of a path template, or why the template is malformed.
fn template_names(path: &str) -> Result<Vec<&str>, String> {
    if path.chars().any(char::is_control) {
        return Err(format!("path `{}` contains a control character", path.escape_debug()));
    }
    let mut names: Vec<&str> = Vec::new();
    let mut rest = path;
    while let Some((before, after_open)) = rest.split_once('{') {
        if before.contains('}') {
            return Err(format!(
                "unbalanced braces in path `{path}`: `}}` without a matching `{{`"
            ));
        }
        let Some((name, after_close)) = after_open.split_once('}') else {
            return Err(format!("unbalanced braces in path `{path}`: `{{` is never closed"));
        };
        if name.contains('{') {
            return Err(format!("unbalanced braces in path `{path}`: `{{` inside `{{...}}`"));
        }
        if name.is_empty() {
            return Err(format!("empty parameter name `{{}}` in path `{path}`"));
        }
        if names.contains(&name) {
            return Err(format!("path `{path}` uses `{{{name}}}` twice"));
        }
        names.push(name);
        rest = after_close;
    }
    if rest.contains('}') {
        return Err(format!(
            "unbalanced braces in path `{path}`: `}}` without a matching `{{`"
        ));
    }
    Ok(names)
}

/// Reads a parameter list, following `$ref`s. Entries that do not resolve or lack `name`/`in` are
/// skipped: the reference and structure checks report them.
fn parameters_of<'a>(raw: &'a Value, list: Option<&'a Value>, list_pointer: &str) -> Vec<ParamInfo<'a>> {
    let Some(entries) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut parameters = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(parameter) = follow_refs(raw, entry) else {
            continue;
        };
        let name = parameter.get("name").and_then(Value::as_str);
        let location = parameter.get("in").and_then(Value::as_str);
        let (Some(name), Some(location)) = (name, location) else {
            continue;
        };
        let required = parameter.get("required") == Some(&Value::Bool(true));
        let pointer = pointer::join(list_pointer, &index.to_string());
        parameters.push(ParamInfo {
            pointer,
            name,
            location,
            required,
        });
    }
    parameters
}

/// Follows a chain of local `$ref`s to the object it ends at; `None` if it dangles or loops.
fn follow_refs<'a>(raw: &'a Value, value: &'a Value) -> Option<&'a Value> {
    let mut current = value;
    // A chain longer than this is a loop (reported by the cycle check); stop rather than spin.
    for _ in 0..64 {
        let Some(target) = current.get("$ref") else {
            return Some(current);
        };
        current = pointer::resolve(raw, target.as_str()?)?;
    }
    None
}

/// (name, in) must be unique in one list; header names compare case-insensitively, as HTTP does.
fn duplicate_parameters(parameters: &[ParamInfo]) -> Vec<Diagnostic> {
    let mut first_by_key: HashMap<(String, &str), &ParamInfo> = HashMap::new();
    let mut diagnostics = Vec::new();
    for parameter in parameters {
        let name = if parameter.location == "header" {
            parameter.name.to_ascii_lowercase()
        } else {
            parameter.name.to_string()
        };
        match first_by_key.get(&(name.clone(), parameter.location)) {
            Some(first) => {
                let message = format!(
                    "duplicate parameter `{}` (in: {}); first declared at {}",
                    parameter.name, parameter.location, first.pointer
                );
                diagnostics.push(Diagnostic::error(&parameter.pointer, message));
            }
            None => {
                first_by_key.insert((name, parameter.location), parameter);
            }
        }
    }
    diagnostics
}

/// Every `{name}` needs an `in: path` parameter (from the operation, or inherited from the path item
/// unless the operation overrides it), every path parameter needs a `{name}`, and all are required.
fn check_path_parameters(
    path: &str,
    template: &[&str],
    operation_pointer: &str,
    shared: &[ParamInfo],
    own: &[ParamInfo],
) -> Vec<Diagnostic> {
    let overridden = |inherited: &&ParamInfo| {
        own.iter()
            .any(|mine| mine.name == inherited.name && mine.location == inherited.location)
    };
    let effective: Vec<&ParamInfo> = own.iter().chain(shared.iter().filter(|p| !overridden(p))).collect();
    let mut diagnostics = Vec::new();
    for parameter in effective.iter().filter(|p| p.location == "path") {
        if !template.contains(&parameter.name) {
            let mut message = format!(
                "path parameter `{}` does not appear in the path `{path}`",
                parameter.name
            );
            if let Some(suggestion) = keys::suggest(parameter.name, template.iter().copied()) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            diagnostics.push(Diagnostic::error(&parameter.pointer, message));
        }
        if !parameter.required {
            let message = format!("path parameter `{}` must have `required: true`", parameter.name);
            diagnostics.push(Diagnostic::error(&parameter.pointer, message));
        }
    }
    for name in template {
        if effective.iter().any(|p| p.location == "path" && p.name == *name) {
            continue;
        }
        let mut message = format!("`{{{name}}}` in path `{path}` has no `in: path` parameter named `{name}`");
        if let Some(elsewhere) = effective.iter().find(|p| p.name == *name) {
            message.push_str(&format!(
                " (there is one `in: {}` at {})",
                elsewhere.location, elsewhere.pointer
            ));
        }
        diagnostics.push(Diagnostic::error(operation_pointer, message));
    }
    diagnostics
}

/// Security requirements must name schemes defined under `#/components/securitySchemes`.
fn check_security(list: Option<&Value>, pointer: &str, schemes: Option<&Map<String, Value>>) -> Vec<Diagnostic> {
    let Some(requirements) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for (index, requirement) in requirements.iter().enumerate() {
        let Some(requirement) = requirement.as_object() else {
            continue;
        };
        let requirement_pointer = pointer::join(pointer, &index.to_string());
        for name in requirement
            .keys()
            .filter(|name| !schemes.is_some_and(|s| s.contains_key(*name)))
        {
            let mut message = format!("security scheme `{name}` is not defined under #/components/securitySchemes");
            let suggestion = schemes.and_then(|s| keys::suggest(name, s.keys().map(String::as_str)));
            if let Some(suggestion) = suggestion {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            diagnostics.push(Diagnostic::error(pointer::join(&requirement_pointer, name), message));
        }
    }
    diagnostics
}

// ---------------------------------------------------------------------------------------------------
// Duplicate keys and helpers

fn duplicate_key_errors(lines: &LineIndex) -> Vec<Diagnostic> {
    let duplicates = lines.duplicate_keys().iter();
    duplicates
        .map(|duplicate| {
            let key = duplicate
                .pointer
                .rsplit_once('/')
                .map(|(_, key)| pointer::unescape_token(key))
                .unwrap_or_default();
            let message = format!(
                "duplicate key `{key}` (also at line {}): only the later value is kept",
                duplicate.first_line
            );
            let mut diagnostic = Diagnostic::error(&duplicate.pointer, message);
            diagnostic.line = Some(duplicate.repeated_line);
            diagnostic
        })
        .collect()
}

/// One walk can reach the same problem twice (a path-level parameter is checked for each operation).
fn without_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.pointer.clone(), d.message.clone())))
        .collect()
}

/// "`a`, `b`, `c`" for messages.
fn code_list(words: &[&str]) -> String {
    words
        .iter()
        .map(|word| format!("`{word}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates() {
        assert_eq!(
            template_names("/v5/items/{item_id}/runs/{run_id}"),
            Ok(vec!["item_id", "run_id"])
        );
        assert_eq!(template_names("/plain"), Ok(vec![]));
        for bad in [
            "/a/{id",
            "/a/id}",
            "/a/{{id}}",
            "/a/{}",
            "/a/{x}/{x}",
            "/a/}{",
            "/a\rb",
            "/a/{x\n}",
        ] {
            assert!(template_names(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn follow_refs_stops_on_loops() {
        let raw =
            serde_json::json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/d"}, "d": {"name": "x"}});
        assert_eq!(follow_refs(&raw, &raw["a"]), None);
        assert_eq!(follow_refs(&raw, &raw["c"]), Some(&raw["d"]));
    }
}
