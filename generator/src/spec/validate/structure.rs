//! Structure: every object's keys and value types against the table of known keys, and the
//! warnings about keywords the generator or the 3.0 spec ignores.

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys::{self as keys, object_spec, Object, Shape};
use crate::spec::pointer;

use super::{code_list, json_type};

/// A `$ref` met while walking, checked once the whole document has been seen.
pub(super) struct RefSite {
    /// Pointer of the `$ref` key itself, so the message points at the reference's line.
    pub(super) pointer: String,
    pub(super) target: String,
    pub(super) expected: Object,
}

#[derive(Default)]
pub(super) struct Walker {
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) refs: Vec<RefSite>,
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

    pub(super) fn walk_object(&mut self, value: &Value, pointer: &str, object: Object) {
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
            if let Some((_, _, advice)) = keys::SCHEMA_KEYWORDS_NOT_IN_3_0
                .iter()
                .find(|(word, _, _)| *word == key)
            {
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
            _ if keys::field_added_in_3_1(object, key).is_some() => format!(
                "`{key}` is an OpenAPI 3.1 field of the {}; this document declares OpenAPI 3.0 (`openapi: 3.0.x`)",
                spec.name
            ),
            Object::Parameter | Object::Header if object_spec(Object::Schema).field(key).is_some() => format!(
                "unknown key `{key}` in {}: schema keywords go under `schema:` in OpenAPI 3.0",
                spec.name
            ),
            _ => {
                let message = match keys::suggest(key, spec.field_names()) {
                    Some(suggestion) => format!("unknown key `{key}` in {}; did you mean `{suggestion}`?", spec.name),
                    None => format!("unknown key `{key}` in {}", spec.name),
                };
                let diagnostic = Diagnostic::unless_lenient(pointer, message, "it is ignored");
                return self.diagnostics.push(diagnostic);
            }
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
            if type_name == "array" && !map.contains_key("items") && !is_null_only(map) {
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
            // `{type: object, nullable: true, enum: [null]}` is the null branch of a null-union, which
            // the generator reads from the document itself.
            let null_only = *keyword == "enum" && is_null_only(map);
            if map.contains_key(*keyword) && !types.contains(&type_name) && !null_only {
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
            let kept = if type_name == "string" {
                "; the generator keeps such values as their text"
            } else {
                ""
            };
            let message = format!(
                "`enum` value {value} is {} but the schema has `type: {type_name}`; openapiv3 then reads the \
                 whole schema as untyped{kept}",
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

/// `nullable: true` with `enum: [null]`: a schema that admits `null` and nothing else (the null
/// branch of a null-union, which lowering reads the same way).
pub(crate) fn is_null_only(map: &Map<String, Value>) -> bool {
    map.get("nullable") == Some(&Value::Bool(true))
        && map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values == &[Value::Null])
}
