//! OpenAPI 3.1 input: the raw document is rewritten into the 3.0 shape the rest of the pipeline reads
//! (openapiv3, the validator, lowering), before any of them sees it.
//!
//! Each rule is one function below, applied to every schema bottom-up (children first, so a rule
//! sees translated members and every warning names the node's place in the original file). Where 3.0
//! can say the same thing the rewrite is exact and silent; where it cannot, the nearest reading that
//! still accepts every valid value is kept and a located warning says what is lost. Nodes that move
//! (a `$ref` wrapped in `allOf`, `$defs` lifted into `#/components/schemas`, …) are recorded in
//! [`Origins`], so diagnostics about the translated document point back into the 3.1 file.
//! In a 3.0 document the same keywords and fields stay warnings or errors (`known_keys`).

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys::{self as keys, object_spec, Object, Shape};
use crate::spec::pointer;
use crate::spec::validate::json_type;

/// The dialect OpenAPI 3.1 assumes, and the JSON Schema draft it is built on (without scheme and
/// trailing `#`): declaring either says nothing new.
const DEFAULT_DIALECTS: &[&str] = &[
    "spec.openapis.org/oas/3.1/dialect/base",
    "json-schema.org/draft/2020-12/schema",
];

fn is_default_dialect(dialect: &Value) -> bool {
    dialect.as_str().is_some_and(|uri| {
        let uri = uri.trim_end_matches('#');
        let uri = uri
            .strip_prefix("https://")
            .or_else(|| uri.strip_prefix("http://"))
            .unwrap_or(uri);
        DEFAULT_DIALECTS.contains(&uri)
    })
}

/// What translating a 3.1 document produced besides the document: warnings (pointers and lines in the
/// original file) and where moved nodes came from. Empty for a 3.0 document.
#[derive(Debug, Default)]
pub(crate) struct Translation {
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) origins: Origins,
}

/// Where nodes of the translated document were in the original one.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    /// (translated pointer, original pointer), in the order the moves happened.
    moves: Vec<(String, String)>,
}

impl Origins {
    fn record(&mut self, translated: String, original: String) {
        self.moves.push((translated, original));
    }

    /// The original place of a node of the translated document. Each move was recorded in the
    /// coordinates of its moment, so they are undone latest first.
    pub(crate) fn original(&self, translated: &str) -> String {
        let mut place = translated.to_string();
        for (moved_to, moved_from) in self.moves.iter().rev() {
            if let Some(original) = pointer::rebase(&place, moved_to, moved_from) {
                place = original;
            }
        }
        place
    }
}

/// Rewrites a 3.1 `document` into 3.0's shape. Its `openapi` field is left as written.
pub(crate) fn translate(mut document: Value) -> (Value, Translation) {
    let mut translator = Translator::new(&document);
    if let Some(root) = document.as_object_mut() {
        translator.document_fields(root);
    }
    translator.walk(&mut document, "#", Shape::Object(Object::OpenApi));
    translator.inline_path_items(&mut document);
    if let Some(root) = document.as_object_mut() {
        // After inlining: shared path items' operations have security requirements too.
        translator.mutual_tls(root);
    }
    translator.place_lifted_definitions(&mut document);
    let translation = Translation {
        warnings: translator.warnings,
        origins: translator.origins,
    };
    (document, translation)
}

/// A `$defs` entry moved to `#/components/schemas/<name>`.
struct LiftedDefinition {
    name: String,
    /// Its original pointer, which references into it start with.
    from: String,
    schema: Value,
}

struct Translator {
    warnings: Vec<Diagnostic>,
    origins: Origins,
    lifted: Vec<LiftedDefinition>,
    /// Names in `#/components/schemas`, the document's and those given to lifted definitions.
    taken_names: HashSet<String>,
}

impl Translator {
    fn new(document: &Value) -> Self {
        let taken_names = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|schemas| schemas.keys().cloned().collect())
            .unwrap_or_default();
        Translator {
            warnings: Vec::new(),
            origins: Origins::default(),
            lifted: Vec::new(),
            taken_names,
        }
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(pointer, message));
    }

    // ---- the document around the schemas -------------------------------------------------------

    /// `paths` (optional in 3.1), `webhooks`, `jsonSchemaDialect`, `info.summary`, `license.identifier`
    /// (`mutualTLS` schemes and shared path items come after the walk).
    fn document_fields(&mut self, root: &mut Map<String, Value>) {
        root.entry("paths").or_insert_with(|| json!({}));
        if let Some(webhooks) = root.remove("webhooks") {
            let count = webhooks.as_object().map_or(0, Map::len);
            self.warn(
                "#/webhooks",
                format!(
                    "{count} webhook(s) not generated: webhooks are requests the API sends, which a client does \
                     not receive"
                ),
            );
        }
        if let Some(dialect) = root.remove("jsonSchemaDialect") {
            if !is_default_dialect(&dialect) {
                self.warn(
                    "#/jsonSchemaDialect",
                    format!("schemas are read as OpenAPI 3.1's default dialect, not {dialect}"),
                );
            }
        }
        if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
            summary_into_description(info);
            if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
                identifier_into_url(license);
            }
        }
    }

    /// 3.1's `mutualTLS` security scheme is a client certificate, which is set up on the HTTP
    /// connection (a `reqwest::Client` with an identity) rather than sent with each request: the
    /// scheme goes, and security requirements stop naming it, so they need nothing else from the
    /// generated client for it.
    fn mutual_tls(&mut self, root: &mut Map<String, Value>) {
        let Some(schemes) = root
            .get_mut("components")
            .and_then(|components| components.get_mut("securitySchemes"))
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let names: Vec<String> = schemes
            .iter()
            .filter(|(_, scheme)| scheme.get("type").and_then(Value::as_str) == Some("mutualTLS"))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &names {
            schemes.remove(name);
            self.warn(
                &pointer::join("#/components/securitySchemes", name),
                "`mutualTLS` is not sent by the generated client: give `ClientBuilder::http_client` a \
                 `reqwest::Client` with the certificate; security requirements no longer name this scheme",
            );
        }
        if names.is_empty() {
            return;
        }
        let without_scheme = |list: &mut Value| {
            for requirement in list
                .as_array_mut()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                requirement.retain(|scheme, _| !names.contains(scheme));
            }
        };
        if let Some(list) = root.get_mut("security") {
            without_scheme(list);
        }
        let operations = root
            .get_mut("paths")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|paths| paths.values_mut())
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut());
        for list in operations.filter_map(|operation| operation.get_mut("security")) {
            without_scheme(list);
        }
    }

    /// A path item with `$ref: '#/components/pathItems/X'` gets X's fields where it has none of its
    /// own (3.0 has no `pathItems` components); then the section goes.
    fn inline_path_items(&mut self, document: &mut Value) {
        let Some(components) = document.get_mut("components").and_then(Value::as_object_mut) else {
            return;
        };
        let Some(Value::Object(path_items)) = components.remove("pathItems") else {
            return;
        };
        let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
            return;
        };
        for (path, item) in paths.iter_mut() {
            let target = item.get("$ref").and_then(Value::as_str).unwrap_or_default();
            let Some(name) = target
                .strip_prefix("#/components/pathItems/")
                .map(pointer::unescape_token)
            else {
                continue;
            };
            let Some(Value::Object(shared)) = path_items.get(&name) else {
                continue;
            };
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            item.remove("$ref");
            let (item_pointer, shared_pointer) = (
                pointer::join("#/paths", path),
                pointer::join("#/components/pathItems", &name),
            );
            for (key, value) in shared {
                if !item.contains_key(key) {
                    item.insert(key.clone(), value.clone());
                    self.origins
                        .record(pointer::join(&item_pointer, key), pointer::join(&shared_pointer, key));
                }
            }
        }
    }

    /// Moves lifted `$defs` into `#/components/schemas` and points every reference into them there.
    fn place_lifted_definitions(&mut self, document: &mut Value) {
        if self.lifted.is_empty() {
            return;
        }
        let renames: Vec<(String, String)> = self
            .lifted
            .iter()
            .map(|lifted| (lifted.from.clone(), pointer::join("#/components/schemas", &lifted.name)))
            .collect();
        let Some(root) = document.as_object_mut() else {
            return;
        };
        let components = root.entry("components").or_insert_with(|| json!({}));
        let Some(components) = components.as_object_mut() else {
            return;
        };
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        let Some(schemas) = schemas.as_object_mut() else {
            return;
        };
        for lifted in self.lifted.drain(..) {
            schemas.insert(lifted.name, lifted.schema);
        }
        rewrite_refs(document, &renames);
    }

    // ---- walking the document along the known-keys table ---------------------------------------

    fn walk(&mut self, value: &mut Value, at: &str, shape: Shape) {
        match shape {
            Shape::Object(object) | Shape::RefOr(object) => self.walk_object(value, at, object),
            Shape::BoolOrSchema if value.is_object() => self.schema(value, at),
            Shape::ListOf(item) => {
                if let Some(items) = value.as_array_mut() {
                    for (index, item_value) in items.iter_mut().enumerate() {
                        self.walk(item_value, &pointer::join(at, &index.to_string()), *item);
                    }
                }
            }
            Shape::MapOf(entry) => {
                if let Some(map) = value.as_object_mut() {
                    for (key, entry_value) in map.iter_mut() {
                        self.walk(entry_value, &pointer::join(at, key), *entry);
                    }
                }
            }
            _ => {}
        }
    }

    fn walk_object(&mut self, value: &mut Value, at: &str, object: Object) {
        if object == Object::Schema {
            return self.schema(value, at);
        }
        let Some(map) = value.as_object_mut() else {
            return;
        };
        // A Path Item's `$ref` sits among its own fields (see `inline_path_items`); elsewhere an
        // object with `$ref` is a Reference Object.
        if map.contains_key("$ref") && object != Object::PathItem {
            return self.reference_siblings(map, at);
        }
        if object == Object::Operation {
            // Optional in 3.1: an operation that documents no response.
            map.entry("responses").or_insert_with(|| json!({}));
        }
        for (key, child) in map.iter_mut() {
            if let Some(shape) = field_shape(object, key) {
                self.walk(child, &pointer::join(at, key), shape);
            }
        }
    }

    /// 3.1 lets a Reference Object carry `summary` and `description` that override the target's; 3.0
    /// has nowhere to put them.
    fn reference_siblings(&mut self, map: &mut Map<String, Value>, at: &str) {
        for key in ["summary", "description"] {
            if map.remove(key).is_some() {
                self.warn(
                    &pointer::join(at, key),
                    format!(
                        "`{key}` beside `$ref` is not carried over: the generated docs use the referenced object's"
                    ),
                );
            }
        }
    }

    /// One schema: its member schemas first, then the rules, in an order where each rule sees what
    /// the earlier ones made (`const` may add a `type`, which the type rule reads).
    fn schema(&mut self, value: &mut Value, at: &str) {
        if let Value::Bool(accepts) = value {
            // `true` accepts anything, `false` nothing; both have a 3.0 spelling.
            *value = if *accepts { json!({}) } else { json!({"not": {}}) };
            return;
        }
        let Some(map) = value.as_object_mut() else {
            return;
        };
        for (key, child) in map.iter_mut() {
            if let Some(shape) = field_shape(Object::Schema, key) {
                self.walk(child, &pointer::join(at, key), shape);
            }
        }
        self.lift_definitions(map, at);
        self.identifiers(map, at);
        self.constant(map, at);
        self.examples(map, at);
        exclusive_bound(map, "exclusiveMinimum", "minimum", |bound, limit| bound >= limit);
        exclusive_bound(map, "exclusiveMaximum", "maximum", |bound, limit| bound <= limit);
        self.content(map, at);
        self.types(map, at);
        self.pattern_properties(map, at);
        self.prefix_items(map, at);
        self.unevaluated(map, at);
        self.not_expressed(map, at);
        self.ref_siblings(map, at);
    }

    // ---- the rules, one per construct ----------------------------------------------------------

    /// `$defs` (and draft 7's `definitions`) become components, under their own name when it is free.
    fn lift_definitions(&mut self, map: &mut Map<String, Value>, at: &str) {
        for keyword in ["$defs", "definitions"] {
            let Some(Value::Object(definitions)) = take(map, keyword, Value::is_object) else {
                continue;
            };
            let section = pointer::join(at, keyword);
            for (name, schema) in definitions {
                let from = pointer::join(&section, &name);
                let name = self.free_name(&name, at);
                self.origins
                    .record(pointer::join("#/components/schemas", &name), from.clone());
                self.lifted.push(LiftedDefinition { name, from, schema });
            }
        }
    }

    /// `name`, else prefixed with the component it was defined in, else numbered.
    fn free_name(&mut self, name: &str, defined_at: &str) -> String {
        let owner = defined_at
            .strip_prefix("#/components/schemas/")
            .and_then(|rest| rest.split('/').next())
            .map(pointer::unescape_token);
        let mut candidates = vec![name.to_string()];
        candidates.extend(owner.map(|owner| format!("{owner}_{name}")));
        let chosen = candidates
            .into_iter()
            .chain((2..).map(|n| format!("{name}_{n}")))
            .find(|candidate| !self.taken_names.contains(candidate))
            .unwrap_or_else(|| name.to_string());
        self.taken_names.insert(chosen.clone());
        chosen
    }

    /// `$comment` and `$anchor` change nothing the client sees (a reference to an anchor is reported
    /// as unresolved); `$id`, `$schema` and `$dynamicRef` would change how the schema is read.
    fn identifiers(&mut self, map: &mut Map<String, Value>, at: &str) {
        for keyword in ["$comment", "$anchor", "$dynamicAnchor", "$vocabulary"] {
            map.remove(keyword);
        }
        if map.remove("$id").is_some() {
            self.warn(
                &pointer::join(at, "$id"),
                "`$id` is not followed: references inside this schema resolve against the document",
            );
        }
        if let Some(dialect) = map.remove("$schema") {
            if !is_default_dialect(&dialect) {
                self.warn(
                    &pointer::join(at, "$schema"),
                    format!("this schema is read as OpenAPI 3.1's default dialect, not {dialect}"),
                );
            }
        }
        if map.remove("$dynamicRef").is_some() {
            self.warn(
                &pointer::join(at, "$dynamicRef"),
                "`$dynamicRef` is not followed: what it points at is read as untyped JSON",
            );
        }
    }

    /// `const: v` is `enum: [v]`; the value also fixes the type, which 3.0 wants spelled out.
    fn constant(&mut self, map: &mut Map<String, Value>, at: &str) {
        let Some(value) = map.remove("const") else {
            return;
        };
        if map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.contains(&value))
        {
            self.warn(
                &pointer::join(at, "enum"),
                "`enum` does not contain the `const` value, so no value is valid; the `const` value is kept",
            );
        }
        if !map.contains_key("type") {
            if let Some(type_name) = type_of(&value) {
                map.insert("type".into(), type_name.into());
            }
        }
        map.insert("enum".into(), json!([value]));
    }

    /// A schema's `examples` list: 3.0 has one `example`.
    fn examples(&mut self, map: &mut Map<String, Value>, at: &str) {
        let examples = match map.remove("examples") {
            Some(Value::Array(examples)) => examples,
            Some(other) => {
                let message = format!(
                    "`examples` must be a list of values, found {}; it is not kept",
                    json_type(&other)
                );
                return self.warn(&pointer::join(at, "examples"), message);
            }
            None => return,
        };
        if examples.len() > 1 || (map.contains_key("example") && !examples.is_empty()) {
            self.warn(
                &pointer::join(at, "examples"),
                format!(
                    "OpenAPI 3.0 holds one `example`; {} of the {} `examples` are not kept",
                    examples.len() - usize::from(!map.contains_key("example")),
                    examples.len()
                ),
            );
        }
        if let Some(first) = examples.into_iter().next() {
            map.entry("example").or_insert(first);
        }
    }

    /// `contentEncoding: base64` is `format: byte`; a non-text `contentMediaType` is `format: binary`.
    fn content(&mut self, map: &mut Map<String, Value>, at: &str) {
        let encoding = take(map, "contentEncoding", Value::is_string);
        let media_type = take(map, "contentMediaType", Value::is_string);
        if map.remove("contentSchema").is_some() {
            self.warn(
                &pointer::join(at, "contentSchema"),
                "`contentSchema` is not expressed: the encoded content is read as a string",
            );
        }
        let format = match (
            encoding.as_ref().and_then(Value::as_str),
            media_type.as_ref().and_then(Value::as_str),
        ) {
            (Some("base64" | "base64url"), _) => "byte",
            (Some("binary"), _) => "binary",
            (Some(other), _) => {
                self.warn(
                    &pointer::join(at, "contentEncoding"),
                    format!("`contentEncoding: {other}` is not decoded: the value is read as a string"),
                );
                return;
            }
            (None, Some(media_type)) if !is_textual(media_type) => "binary",
            _ => return,
        };
        map.entry("type").or_insert_with(|| "string".into());
        map.entry("format").or_insert_with(|| format.into());
    }

    /// `type` as a list: with `"null"` it is `nullable`; `"null"` alone is 3.0's null-only schema;
    /// several other types become `anyOf`, one member per type with the keywords that fit it.
    fn types(&mut self, map: &mut Map<String, Value>, at: &str) {
        let names: Vec<String> = match map.get("type") {
            Some(Value::String(name)) => vec![name.clone()],
            Some(Value::Array(list)) if list.iter().all(Value::is_string) => {
                let mut names: Vec<String> = Vec::new();
                for name in list.iter().filter_map(Value::as_str) {
                    if !names.iter().any(|seen| seen == name) {
                        names.push(name.to_string());
                    }
                }
                names
            }
            _ => return,
        };
        let admits_null = names.iter().any(|name| name == "null");
        let others: Vec<&String> = names.iter().filter(|name| *name != "null").collect();
        match others.as_slice() {
            [] => {
                map.remove("type");
                map.insert("nullable".into(), true.into());
                map.insert("enum".into(), json!([null]));
            }
            [one] => {
                map.insert("type".into(), (*one).clone().into());
                if admits_null {
                    map.insert("nullable".into(), true.into());
                }
            }
            several => {
                let several: Vec<String> = several.iter().map(|name| (*name).clone()).collect();
                self.split_types(map, at, &several);
                if admits_null {
                    map.insert("nullable".into(), true.into());
                }
            }
        }
    }

    fn split_types(&mut self, map: &mut Map<String, Value>, at: &str, types: &[String]) {
        let type_pointer = pointer::join(at, "type");
        let listed = types.join(", ");
        map.remove("type");
        if map.contains_key("anyOf") || map.contains_key("oneOf") {
            self.warn(
                &type_pointer,
                format!(
                    "`type: [{listed}]` beside `anyOf`/`oneOf` has no 3.0 spelling; the value is read as untyped JSON"
                ),
            );
            return;
        }
        let values = map.remove("enum").and_then(|values| values.as_array().cloned());
        let specific: Vec<(&str, Value)> = keys::TYPE_SPECIFIC_KEYWORDS
            .iter()
            .filter(|(keyword, _)| *keyword != "enum")
            .filter_map(|(keyword, _)| Some((*keyword, map.remove(*keyword)?)))
            .collect();
        let mut members = Vec::new();
        for type_name in types {
            let index = members.len();
            let mut member = Map::new();
            member.insert("type".into(), type_name.clone().into());
            for (keyword, value) in &specific {
                if keyword_fits(keyword, type_name) {
                    member.insert((*keyword).into(), value.clone());
                    let moved_to =
                        pointer::join(&pointer::join(&pointer::join(at, "anyOf"), &index.to_string()), keyword);
                    self.origins.record(moved_to, pointer::join(at, keyword));
                }
            }
            if let Some(values) = &values {
                let fitting: Vec<Value> = values.iter().filter(|v| fits_type(v, type_name)).cloned().collect();
                if fitting.is_empty() {
                    continue;
                }
                member.insert("enum".into(), fitting.into());
            }
            members.push(Value::Object(member));
        }
        map.insert("anyOf".into(), members.into());
        self.warn(
            &type_pointer,
            format!("`type: [{listed}]` is read as `anyOf` with one member per type: the Rust type is an enum of them"),
        );
    }

    /// `patternProperties` is a map whose values match the patterns' schemas: `additionalProperties`.
    fn pattern_properties(&mut self, map: &mut Map<String, Value>, at: &str) {
        let Some(Value::Object(patterns)) = take(map, "patternProperties", Value::is_object) else {
            return;
        };
        let section = pointer::join(at, "patternProperties");
        let here = pointer::join(at, "additionalProperties");
        let mut members: Vec<(String, Value)> = patterns
            .into_iter()
            .map(|(pattern, schema)| (pointer::join(&section, &pattern), schema))
            .collect();
        match map.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(other) if is_untyped(other) => {
                self.warn(
                    &section,
                    "values of keys matching `patternProperties` are read as untyped JSON, like the other keys \
                     (`additionalProperties` allows anything)",
                );
                return;
            }
            Some(schema) => members.push((here.clone(), schema.clone())),
        }
        if members.len() > 1 {
            self.warn(
                &section,
                "values are read as any of the pattern schemas: which key pattern goes with which schema is lost",
            );
        }
        let schema = self.one_of_members(members, &here);
        map.insert("additionalProperties".into(), schema);
    }

    /// `prefixItems` (a tuple): a list whose elements are any of the position types.
    fn prefix_items(&mut self, map: &mut Map<String, Value>, at: &str) {
        let Some(Value::Array(positions)) = take(map, "prefixItems", Value::is_array) else {
            return;
        };
        let section = pointer::join(at, "prefixItems");
        let here = pointer::join(at, "items");
        let count = positions.len();
        let closed = map.get("items").is_some_and(is_false_schema)
            || map
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|max| max <= count as u64);
        let mut members: Vec<(String, Value)> = positions
            .into_iter()
            .enumerate()
            .map(|(index, schema)| (pointer::join(&section, &index.to_string()), schema))
            .collect();
        let rest = map.remove("items");
        if !closed {
            members.push((here.clone(), rest.unwrap_or_else(|| json!({}))));
        }
        self.warn(
            &section,
            format!(
                "`prefixItems` (a tuple of {count}) is read as a list whose elements are any of the position types; \
                 which position holds which type is lost"
            ),
        );
        map.entry("type").or_insert_with(|| "array".into());
        let schema = self.one_of_members(members, &here);
        map.insert("items".into(), schema);
    }

    /// One schema accepting each of `members` (original pointer, schema): the member itself when they
    /// are all alike, untyped when one is, else `anyOf`. Records where each went, below `here`.
    fn one_of_members(&mut self, members: Vec<(String, Value)>, here: &str) -> Value {
        let mut distinct: Vec<(String, Value)> = Vec::new();
        for (from, schema) in members {
            if !distinct.iter().any(|(_, seen)| *seen == schema) {
                distinct.push((from, schema));
            }
        }
        if distinct.iter().any(|(_, schema)| is_untyped(schema)) {
            return json!({});
        }
        if let [(from, _)] = distinct.as_slice() {
            self.origins.record(here.to_string(), from.clone());
            return distinct.pop().map(|(_, schema)| schema).unwrap_or_default();
        }
        let any_of = pointer::join(here, "anyOf");
        let mut schemas = Vec::new();
        for (index, (from, schema)) in distinct.into_iter().enumerate() {
            self.origins.record(pointer::join(&any_of, &index.to_string()), from);
            schemas.push(schema);
        }
        json!({ "anyOf": schemas })
    }

    /// `unevaluatedProperties` is `additionalProperties` when no composition can add properties.
    fn unevaluated(&mut self, map: &mut Map<String, Value>, at: &str) {
        let composed = ["allOf", "anyOf", "oneOf"].iter().any(|key| map.contains_key(*key));
        // `true` allows what is allowed anyway.
        let restricting = take(map, "unevaluatedProperties", |value| *value != Value::Bool(true));
        map.remove("unevaluatedProperties");
        if let Some(value) = restricting {
            let from = pointer::join(at, "unevaluatedProperties");
            if !composed && !map.contains_key("additionalProperties") {
                let here = pointer::join(at, "additionalProperties");
                self.origins.record(here, from);
                map.insert("additionalProperties".into(), value);
            } else {
                self.warn(
                    &from,
                    "`unevaluatedProperties` beside `allOf`/`anyOf`/`oneOf` or `additionalProperties` is not \
                     expressed: properties beyond the named ones are not checked by the client",
                );
            }
        }
        if let Some(value) = map.remove("unevaluatedItems") {
            if value != Value::Bool(true) {
                self.warn(
                    &pointer::join(at, "unevaluatedItems"),
                    "`unevaluatedItems` is not expressed: extra list elements are not checked by the client",
                );
            }
        }
    }

    /// Keywords with no 3.0 spelling and no effect on the shape of a value: dropped, each with a
    /// warning that names what the client does not check.
    fn not_expressed(&mut self, map: &mut Map<String, Value>, at: &str) {
        const LOST: &[(&str, &str)] = &[
            (
                "if",
                "conditional schemas (`if`/`then`/`else`) are dropped: the type is read without them",
            ),
            (
                "then",
                "conditional schemas (`if`/`then`/`else`) are dropped: the type is read without them",
            ),
            (
                "else",
                "conditional schemas (`if`/`then`/`else`) are dropped: the type is read without them",
            ),
            (
                "dependentSchemas",
                "`dependentSchemas` is dropped: properties it adds are not in the generated type",
            ),
            (
                "dependencies",
                "`dependencies` is dropped: properties it adds or requires are not in the generated type",
            ),
            (
                "dependentRequired",
                "`dependentRequired` is not enforced by the client: those properties stay optional",
            ),
            ("contains", "`contains` is not enforced by the client"),
            ("minContains", "`minContains` is not enforced by the client"),
            ("maxContains", "`maxContains` is not enforced by the client"),
            ("propertyNames", "`propertyNames` is not enforced by the client"),
        ];
        for (keyword, message) in LOST {
            if map.remove(*keyword).is_some() {
                self.warn(&pointer::join(at, keyword), *message);
            }
        }
    }

    /// In 3.1 keywords beside `$ref` apply too; in 3.0 they must sit beside `allOf: [{$ref}]`.
    fn ref_siblings(&mut self, map: &mut Map<String, Value>, at: &str) {
        if !map.contains_key("$ref") || !map.keys().any(|key| key != "$ref" && !key.starts_with("x-")) {
            return;
        }
        let Some(reference) = map.remove("$ref") else {
            return;
        };
        let all_of = map.entry("allOf").or_insert_with(|| json!([]));
        let Some(members) = all_of.as_array_mut() else {
            map.insert("$ref".into(), reference);
            return;
        };
        let index = members.len();
        members.push(json!({ "$ref": reference }));
        let moved_to = pointer::join(&pointer::join(at, "allOf"), &index.to_string());
        self.origins.record(moved_to, at.to_string());
    }
}

/// The shape of `key` in `object`, 3.0 or 3.1.
fn field_shape(object: Object, key: &str) -> Option<Shape> {
    let spec = object_spec(object);
    spec.field(key)
        .or_else(|| keys::field_added_in_3_1(object, key))
        .or_else(|| match spec.patterned {
            Some((pattern, shape)) if pattern.matches(key) => Some(shape),
            _ => None,
        })
}

/// `info.summary` joins the description (3.0 has only that).
fn summary_into_description(info: &mut Map<String, Value>) {
    let Some(Value::String(summary)) = take(info, "summary", Value::is_string) else {
        return;
    };
    let description = match info.get("description").and_then(Value::as_str) {
        Some(description) => format!("{summary}\n\n{description}"),
        None => summary,
    };
    info.insert("description".into(), description.into());
}

/// `license.identifier` (SPDX) becomes the license's URL on spdx.org, unless it has one.
fn identifier_into_url(license: &mut Map<String, Value>) {
    let Some(Value::String(identifier)) = take(license, "identifier", Value::is_string) else {
        return;
    };
    license
        .entry("url")
        .or_insert_with(|| format!("https://spdx.org/licenses/{identifier}.html").into());
}

/// A numeric exclusive bound becomes the bound with a `true` flag, unless the inclusive bound
/// already there is the stricter one (`stricter(exclusive, inclusive)` says when it is not).
fn exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str, stricter: fn(f64, f64) -> bool) {
    let Some(bound) = map.get(exclusive).filter(|value| value.is_number()).cloned() else {
        return;
    };
    map.remove(exclusive);
    let limit = map.get(inclusive).and_then(Value::as_f64);
    let bound_number = bound.as_f64().unwrap_or_default();
    if limit.is_none_or(|limit| stricter(bound_number, limit)) {
        map.insert(inclusive.into(), bound);
        map.insert(exclusive.into(), true.into());
    }
}

/// Removes `key` if its value has the expected kind; otherwise leaves it for the validator to report.
fn take(map: &mut Map<String, Value>, key: &str, expected: fn(&Value) -> bool) -> Option<Value> {
    if map.get(key).is_some_and(expected) {
        map.remove(key)
    } else {
        None
    }
}

/// The 3.0 `type` of a JSON value (`None` for null, which has no 3.0 type).
fn type_of(value: &Value) -> Option<&'static str> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some("boolean"),
        Value::Number(number) if number.is_i64() || number.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        Value::String(_) => Some("string"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
    }
}

fn fits_type(value: &Value, type_name: &str) -> bool {
    match type_name {
        "number" => value.is_number(),
        other => type_of(value) == Some(other),
    }
}

fn keyword_fits(keyword: &str, type_name: &str) -> bool {
    keys::TYPE_SPECIFIC_KEYWORDS
        .iter()
        .any(|(word, types)| *word == keyword && types.contains(&type_name))
}

/// Media types whose content is text, carried in a JSON string as it is.
fn is_textual(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("/json")
        || essence.ends_with("+json")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence == "application/x-www-form-urlencoded"
}

/// A schema that accepts anything (`{}` or `true`).
fn is_untyped(schema: &Value) -> bool {
    *schema == Value::Bool(true) || schema.as_object().is_some_and(Map::is_empty)
}

/// A schema that accepts nothing (`false`, or its 3.0 spelling `{not: {}}`).
fn is_false_schema(schema: &Value) -> bool {
    *schema == Value::Bool(false) || *schema == json!({"not": {}})
}

/// Points every `$ref`, and every discriminator mapping, that starts with a renamed place at the new
/// one. Iterative: the translated document's depth has not been checked yet.
fn rewrite_refs(document: &mut Value, renames: &[(String, String)]) {
    let rename = |target: &mut Value| {
        if let Some(renamed) = target.as_str().and_then(|target| renamed(target, renames)) {
            *target = renamed.into();
        }
    };
    let mut pending = vec![document];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                if let Some(target) = map.get_mut("$ref") {
                    rename(target);
                }
                let mapping = map
                    .get_mut("discriminator")
                    .and_then(|discriminator| discriminator.get_mut("mapping"))
                    .and_then(Value::as_object_mut);
                for target in mapping.into_iter().flat_map(|mapping| mapping.values_mut()) {
                    rename(target);
                }
                pending.extend(map.values_mut());
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
}

fn renamed(target: &str, renames: &[(String, String)]) -> Option<String> {
    renames.iter().find_map(|(from, to)| pointer::rebase(target, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3.1 document with one component schema, `S`.
    fn document_with(schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"S": schema}}
        })
    }

    /// `S` after translation, and the warnings' pointers.
    fn translated(schema: Value) -> (Value, Vec<String>) {
        let (document, translation) = translate(document_with(schema));
        let pointers = translation.warnings.iter().map(|w| w.pointer.clone()).collect();
        (document["components"]["schemas"]["S"].clone(), pointers)
    }

    const S: &str = "#/components/schemas/S";

    #[test]
    fn type_lists_with_null_are_nullable() {
        let (schema, warnings) = translated(json!({"type": ["string", "null"], "maxLength": 3}));
        assert_eq!(schema, json!({"type": "string", "nullable": true, "maxLength": 3}));
        assert!(warnings.is_empty());
        let (schema, _) = translated(json!({"type": "null"}));
        assert_eq!(schema, json!({"nullable": true, "enum": [null]}));
        let (schema, _) = translated(json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}));
        assert_eq!(schema["anyOf"][1], json!({"nullable": true, "enum": [null]}));
    }

    #[test]
    fn type_lists_of_several_types_become_any_of_with_a_warning() {
        let (schema, warnings) = translated(json!({
            "type": ["string", "integer", "null"], "maxLength": 3, "minimum": 1, "enum": ["a", 2, null]
        }));
        assert_eq!(
            schema,
            json!({"nullable": true, "anyOf": [
                {"type": "string", "maxLength": 3, "enum": ["a"]},
                {"type": "integer", "minimum": 1, "enum": [2]}
            ]})
        );
        assert_eq!(warnings, [format!("{S}/type")]);
    }

    #[test]
    fn const_is_a_one_value_enum_with_its_type() {
        let (schema, warnings) = translated(json!({"const": "cat"}));
        assert_eq!(schema, json!({"type": "string", "enum": ["cat"]}));
        assert!(warnings.is_empty());
        let (schema, warnings) = translated(json!({"const": 1, "enum": [2, 3]}));
        assert_eq!(schema, json!({"type": "integer", "enum": [1]}));
        assert_eq!(warnings, [format!("{S}/enum")]);
    }

    #[test]
    fn examples_become_the_one_example() {
        let (schema, warnings) = translated(json!({"type": "string", "examples": ["a"]}));
        assert_eq!(schema, json!({"type": "string", "example": "a"}));
        assert!(warnings.is_empty());
        let (schema, warnings) = translated(json!({"type": "string", "examples": ["a", "b"]}));
        assert_eq!(schema["example"], "a");
        assert_eq!(warnings, [format!("{S}/examples")]);
    }

    #[test]
    fn numeric_exclusive_bounds_become_flags() {
        let (schema, _) = translated(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10}));
        assert_eq!(
            schema,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})
        );
        // The stricter of both bounds is kept.
        let (schema, _) = translated(json!({"type": "integer", "exclusiveMinimum": 0, "minimum": 5}));
        assert_eq!(schema, json!({"type": "integer", "minimum": 5}));
        let (schema, _) = translated(json!({"type": "integer", "exclusiveMinimum": 5, "minimum": 5}));
        assert_eq!(
            schema,
            json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true})
        );
    }

    #[test]
    fn ref_with_siblings_becomes_all_of_and_maps_back() {
        let (document, translation) = translate(document_with(json!({
            "type": "object",
            "properties": {"p": {"$ref": "#/components/schemas/T", "description": "d"}}
        })));
        let property = &document["components"]["schemas"]["S"]["properties"]["p"];
        assert_eq!(
            *property,
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
        let moved = format!("{S}/properties/p/allOf/0/$ref");
        assert_eq!(translation.origins.original(&moved), format!("{S}/properties/p/$ref"));
        // A lone `$ref` stays as it is.
        let (schema, _) = translated(json!({"$ref": "#/components/schemas/T", "$comment": "c"}));
        assert_eq!(schema, json!({"$ref": "#/components/schemas/T"}));
    }

    #[test]
    fn defs_become_components_and_references_follow() {
        let (document, translation) = translate(json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "components": {"schemas": {
                "S": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/S/$defs/A"}},
                      "discriminator": {"propertyName": "k", "mapping": {"a": "#/components/schemas/S/$defs/A"}},
                      "$defs": {"A": {"type": ["string", "null"]}, "S": {"type": "integer"}}}
            }}
        }));
        let schemas = &document["components"]["schemas"];
        assert_eq!(schemas["S"]["properties"]["a"]["$ref"], "#/components/schemas/A");
        assert_eq!(schemas["A"], json!({"type": "string", "nullable": true}));
        // `S` is taken: the definition is named after its owner.
        assert_eq!(schemas["S_S"], json!({"type": "integer"}));
        assert!(schemas["S"].get("$defs").is_none());
        assert_eq!(schemas["S"]["discriminator"]["mapping"]["a"], "#/components/schemas/A");
        assert_eq!(document["paths"], json!({}));
        assert_eq!(
            translation.origins.original("#/components/schemas/A/type"),
            format!("{S}/$defs/A/type")
        );
    }

    #[test]
    fn content_encoding_and_media_type_become_formats() {
        let (schema, _) = translated(json!({"type": "string", "contentEncoding": "base64"}));
        assert_eq!(schema, json!({"type": "string", "format": "byte"}));
        let (schema, _) = translated(json!({"type": "string", "contentMediaType": "image/png"}));
        assert_eq!(schema, json!({"type": "string", "format": "binary"}));
        let (schema, warnings) = translated(json!({"type": "string", "contentMediaType": "application/json"}));
        assert_eq!(schema, json!({"type": "string"}));
        assert!(warnings.is_empty());
        let (_, warnings) = translated(json!({"type": "string", "contentEncoding": "quoted-printable"}));
        assert_eq!(warnings, [format!("{S}/contentEncoding")]);
    }

    #[test]
    fn pattern_properties_become_a_map() {
        let (schema, warnings) =
            translated(json!({"type": "object", "patternProperties": {"^x": {"type": "integer"}}}));
        assert_eq!(
            schema,
            json!({"type": "object", "additionalProperties": {"type": "integer"}})
        );
        assert!(warnings.is_empty());
        let (schema, warnings) = translated(json!({
            "type": "object", "patternProperties": {"^x": {"type": "integer"}, "^y": {"type": "string"}}
        }));
        assert_eq!(
            schema["additionalProperties"],
            json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
        assert_eq!(warnings, [format!("{S}/patternProperties")]);
    }

    #[test]
    fn prefix_items_become_a_list_of_any_position_type() {
        let (schema, warnings) = translated(json!({
            "type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "maxItems": 2
        }));
        assert_eq!(
            schema["items"],
            json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
        assert_eq!(warnings, [format!("{S}/prefixItems")]);
        // Open at the end: further elements may be anything.
        let (schema, _) = translated(json!({"type": "array", "prefixItems": [{"type": "integer"}]}));
        assert_eq!(schema["items"], json!({}));
    }

    #[test]
    fn constructs_without_a_3_0_spelling_are_dropped_with_a_warning() {
        let (schema, warnings) = translated(json!({
            "type": "object",
            "if": {"required": ["a"]}, "then": {"required": ["b"]},
            "dependentSchemas": {"a": {}}, "dependentRequired": {"a": ["b"]},
            "unevaluatedProperties": false, "allOf": [{"type": "object"}],
            "propertyNames": {"pattern": "^a"}
        }));
        assert_eq!(schema, json!({"type": "object", "allOf": [{"type": "object"}]}));
        for keyword in [
            "if",
            "then",
            "dependentSchemas",
            "dependentRequired",
            "unevaluatedProperties",
            "propertyNames",
        ] {
            assert!(warnings.contains(&format!("{S}/{keyword}")), "{keyword}: {warnings:?}");
        }
        // Without composition, `unevaluatedProperties` is `additionalProperties`.
        let (schema, warnings) = translated(json!({"type": "object", "unevaluatedProperties": {"type": "string"}}));
        assert_eq!(schema["additionalProperties"], json!({"type": "string"}));
        assert!(warnings.is_empty());
    }

    #[test]
    fn boolean_schemas_have_3_0_spellings() {
        let (schema, _) = translated(json!({"type": "object", "properties": {"any": true, "none": false}}));
        assert_eq!(schema["properties"], json!({"any": {}, "none": {"not": {}}}));
    }

    #[test]
    fn no_3_1_schema_keyword_is_left_behind() {
        let mut schema = Map::new();
        for (keyword, shape, _) in keys::SCHEMA_KEYWORDS_NOT_IN_3_0 {
            let value = match shape {
                Shape::String => json!("text"),
                Shape::Count => json!(1),
                Shape::MapOf(_) => json!({"k": {"type": "string"}}),
                Shape::ListOf(_) => json!([{"type": "string"}]),
                _ => json!({"type": "string"}),
            };
            schema.insert((*keyword).to_string(), value);
        }
        schema.insert("type".into(), json!("array"));
        let (schema, _) = translated(Value::Object(schema));
        for (keyword, _, _) in keys::SCHEMA_KEYWORDS_NOT_IN_3_0 {
            assert!(schema.get(*keyword).is_none(), "`{keyword}` left in {schema}");
        }
    }

    #[test]
    fn document_fields() {
        let (document, translation) = translate(json!({
            "openapi": "3.1.1",
            "jsonSchemaDialect": "https://example.com/dialect",
            "info": {"title": "T", "version": "1", "summary": "Short.", "description": "Long.",
                     "license": {"name": "MIT", "identifier": "MIT"}},
            "webhooks": {"newPet": {"post": {"responses": {"200": {"description": "ok"}}}}},
            "paths": {"/pets": {"$ref": "#/components/pathItems/Pets", "summary": "Pets, here",
                                "post": {"responses": {"201": {"description": "made"}}}}},
            "components": {
                "pathItems": {"Pets": {"summary": "Pets", "get": {
                    "security": [{"cert": []}], "responses": {"200": {"description": "ok"}}
                }}},
                "securitySchemes": {"cert": {"type": "mutualTLS"}}
            }
        }));
        assert_eq!(document["info"]["description"], "Short.\n\nLong.");
        assert_eq!(
            document["info"]["license"],
            json!({"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"})
        );
        assert!(document.get("webhooks").is_none() && document.get("jsonSchemaDialect").is_none());
        assert!(document["components"].get("pathItems").is_none());
        // The path item's own fields win over the shared one's.
        let pets = &document["paths"]["/pets"];
        assert!(pets["get"].is_object() && pets["post"].is_object() && pets.get("$ref").is_none());
        assert_eq!(pets["summary"], "Pets, here");
        assert_eq!(
            translation.origins.original("#/paths/~1pets/post"),
            "#/paths/~1pets/post"
        );
        assert_eq!(pets["get"]["security"], json!([{}]));
        assert_eq!(
            translation.origins.original("#/paths/~1pets/get/responses"),
            "#/components/pathItems/Pets/get/responses"
        );
        let pointers: Vec<&str> = translation.warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["#/webhooks", "#/jsonSchemaDialect", "#/components/securitySchemes/cert"]
        );
    }

    #[test]
    fn mutual_tls_leaves_the_requirements_and_operations_get_responses() {
        let (document, translation) = translate(json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "security": [{"token": []}, {"cert": []}, {"cert": [], "token": []}],
            "paths": {"/a": {"get": {"security": [{"cert": []}]}}},
            "components": {"securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "cert": {"type": "mutualTLS"}
            }}
        }));
        assert_eq!(document["security"], json!([{"token": []}, {}, {"token": []}]));
        assert_eq!(document["paths"]["/a"]["get"]["security"], json!([{}]));
        assert_eq!(document["paths"]["/a"]["get"]["responses"], json!({}));
        assert!(document["components"]["securitySchemes"].get("cert").is_none());
        assert_eq!(translation.warnings[0].pointer, "#/components/securitySchemes/cert");
    }

    #[test]
    fn reference_objects_lose_their_overrides_with_a_warning() {
        let (document, translation) = translate(json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/R", "description": "x"}}}}},
            "components": {"responses": {"R": {"description": "r"}}}
        }));
        assert_eq!(
            document["paths"]["/a"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/R"})
        );
        assert_eq!(
            translation.warnings[0].pointer,
            "#/paths/~1a/get/responses/200/description"
        );
    }
}
