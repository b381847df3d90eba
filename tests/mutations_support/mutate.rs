//! The mutation catalogue: each mutation corrupts one part of a spec document (as a tree, or as text)
//! and describes what it did, so a failing mutant can be read and reproduced.

use openapi_rust_gen::MAX_NESTING;
use serde_json::{json, Map, Value};

use crate::rng::Rng;
use crate::tree::{escape, find, get, get_mut, last_key, pointer, rename_key, rewrite_refs, Path, Seg};

/// Strings that trip up naming, escaping, quoting and pointer handling.
const ODD_STRINGS: &[&str] = &[
    "+1",
    "-1",
    "1abc",
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "Unknown",
    "_",
    "__",
    "r#type",
    "🙂",
    "é",
    "a/b",
    "{x}",
    "~0~1",
    "%41",
    "a b",
    "line one\nline \"two\"",
    "a\rb",
    "\t",
    "*/ /*",
    "\\",
    "```",
    "    indented",
    "#[doc]",
    // Names the generated code itself uses.
    "new",
    "String",
    "Option",
    "Error",
    "Runtime",
    "builder",
    "send",
    "body",
    "x_null",
];

/// Values that collide once converted to Rust names.
const COLLIDING: &[&str] = &["a-b", "a_b", "A B", "a b", "A_B", "aB"];

/// One mutated document, ready for the pipeline.
pub struct Mutant {
    pub text: String,
    pub description: String,
    /// The document the text encodes, when the mutation was made on the tree.
    pub tree: Option<Value>,
}

/// How a mutated tree is written back; the loader reads both JSON and YAML.
#[derive(Clone, Copy, Debug)]
enum Format {
    Yaml,
    JsonPretty,
    JsonCompact,
}

type TreeMutation = fn(&mut Value, &mut Rng) -> Option<String>;

/// Repeated entries weigh more. A mutation returns `None` when the document has nothing it applies to,
/// and another is tried.
const TREE_MUTATIONS: &[TreeMutation] = &[
    delete_key,
    delete_key,
    wrong_type,
    wrong_type,
    wrong_type,
    empty_string,
    empty_name,
    empty_name,
    odd_name,
    odd_name,
    odd_name,
    odd_key,
    odd_value,
    odd_value,
    huge_string,
    dangling_ref,
    self_ref,
    ref_cycle,
    all_of_cycle,
    all_of_property_cycle,
    all_of_property_cycle,
    items_cycle,
    ref_into_property,
    duplicate_enum_value,
    colliding_enum_values,
    colliding_enum_values,
    deep_nesting,
    one_of_arity,
    nullable_everywhere,
    swap_type,
    swap_type,
    rename_schema_and_refs,
    colliding_names,
    duplicate_operation_id,
];

/// A mutant of `text` (whose tree is `original`, when it parses): usually one to three tree mutations
/// written back as YAML or JSON, sometimes a mutation of the text itself.
pub fn mutate(text: &str, original: Option<&Value>, rng: &mut Rng) -> Mutant {
    let original = match original {
        Some(original) if !rng.chance(8) => original,
        _ => return mutate_text(text, rng),
    };
    let mut doc = original.clone();
    let count = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut descriptions = Vec::new();
    for _ in 0..count {
        for _attempt in 0..12 {
            let Some(&mutation) = rng.pick(TREE_MUTATIONS) else {
                break;
            };
            if let Some(description) = mutation(&mut doc, rng) {
                descriptions.push(description);
                break;
            }
        }
    }
    let format = match rng.below(20) {
        0..=9 => Format::Yaml,
        10..=16 => Format::JsonPretty,
        _ => Format::JsonCompact,
    };
    let text = match format {
        Format::Yaml => serde_yaml::to_string(&doc).unwrap_or_else(|_| doc.to_string()),
        Format::JsonPretty => serde_json::to_string_pretty(&doc).unwrap_or_else(|_| doc.to_string()),
        Format::JsonCompact => doc.to_string(),
    };
    Mutant {
        text,
        description: format!("{} (as {format:?})", descriptions.join("; ")),
        tree: Some(doc),
    }
}

// ---------------------------------------------------------------------------------------------------
// Node choice

/// Keys whose value is a mapping of names, never a schema itself.
const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "paths",
    "responses",
    "content",
    "parameters",
    "headers",
    "mapping",
    "examples",
    "securitySchemes",
    "requestBodies",
    "links",
    "callbacks",
    "variables",
    "encoding",
    "pagination",
];

const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "$ref",
    "additionalProperties",
    "nullable",
    "format",
];

/// Inside an example or an extension, where anything goes and nothing is a schema.
fn in_free_form(path: &[Seg]) -> bool {
    path.iter().any(|seg| match seg {
        Seg::Key(key) => key == "example" || key == "examples" || key == "default" || key.starts_with("x-"),
        Seg::Index(_) => false,
    })
}

fn is_schema(path: &[Seg], node: &Value) -> bool {
    let Value::Object(map) = node else { return false };
    if in_free_form(path) || last_key(path).is_some_and(|key| NAME_MAPS.contains(&key)) {
        return false;
    }
    SCHEMA_KEYWORDS.iter().any(|keyword| map.contains_key(*keyword))
}

fn pick_path(doc: &Value, rng: &mut Rng, wanted: &dyn Fn(&[Seg], &Value) -> bool) -> Option<Path> {
    rng.pick(&find(doc, wanted)).cloned()
}

fn pick_schema(doc: &Value, rng: &mut Rng) -> Option<Path> {
    pick_path(doc, rng, &is_schema)
}

fn component_names(doc: &Value) -> Vec<String> {
    match doc.pointer("/components/schemas") {
        Some(Value::Object(schemas)) => schemas.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn component_ref(name: &str) -> String {
    format!("#/components/schemas/{}", escape(name))
}

fn set_component(doc: &mut Value, name: &str, schema: Value) -> Option<()> {
    let schemas = doc.pointer_mut("/components/schemas")?.as_object_mut()?;
    schemas.insert(name.to_string(), schema);
    Some(())
}

fn odd_string(rng: &mut Rng) -> String {
    rng.pick(ODD_STRINGS).copied().unwrap_or("+1").to_string()
}

fn huge(rng: &mut Rng) -> String {
    let unit = rng.pick(&["ab_C-", "🙂x", "a\nb ", "{y}"]).copied().unwrap_or("a");
    unit.repeat(10_240 / unit.len())
}

/// A place that holds a name: a key of a name map, or a string value that names something.
enum NameSite {
    Key { map: Path, key: String },
    Value(Path),
}

fn name_sites(doc: &Value) -> Vec<NameSite> {
    let mut sites = Vec::new();
    let maps = find(doc, &|path, node| {
        node.is_object()
            && !in_free_form(path)
            && (matches!(last_key(path), Some("properties" | "mapping"))
                || path == [Seg::Key("paths".into())]
                || path == [Seg::Key("components".into()), Seg::Key("schemas".into())])
    });
    for map in maps {
        if let Some(Value::Object(entries)) = get(doc, &map) {
            for key in entries.keys() {
                sites.push(NameSite::Key {
                    map: map.clone(),
                    key: key.clone(),
                });
            }
        }
    }
    let values = find(doc, &|path, node| {
        if !node.is_string() || in_free_form(path) {
            return false;
        }
        let parent_key = path.len().checked_sub(2).and_then(|i| match &path[i] {
            Seg::Key(key) => Some(key.as_str()),
            Seg::Index(_) => None,
        });
        match path.last() {
            Some(Seg::Key(key)) => {
                matches!(key.as_str(), "operationId" | "propertyName")
                    || (key == "name"
                        && path
                            .iter()
                            .any(|seg| matches!(seg, Seg::Key(k) if k == "parameters" || k == "tags")))
            }
            Some(Seg::Index(_)) => matches!(parent_key, Some("tags" | "enum" | "required")),
            None => false,
        }
    });
    sites.extend(values.into_iter().map(NameSite::Value));
    sites
}

/// Replaces the name at `site` by `new`; a path key keeps its leading `/` half of the time.
fn set_name(doc: &mut Value, site: &NameSite, new: &str, rng: &mut Rng) -> Option<String> {
    match site {
        NameSite::Key { map, key } => {
            let new = if map == &[Seg::Key("paths".into())] && rng.chance(50) {
                format!("/{new}")
            } else {
                new.to_string()
            };
            rename_key(doc, map, key, &new).then(|| {
                format!(
                    "rename key {} to {}",
                    pointer(&[map.clone(), vec![Seg::Key(key.clone())]].concat()),
                    short(&new)
                )
            })
        }
        NameSite::Value(path) => {
            let node = get_mut(doc, path)?;
            *node = Value::String(new.to_string());
            Some(format!("set {} to {}", pointer(path), short(new)))
        }
    }
}

fn short(text: &str) -> String {
    if text.len() > 40 {
        format!(
            "<{} bytes starting {:?}>",
            text.len(),
            text.chars().take(8).collect::<String>()
        )
    } else {
        format!("{text:?}")
    }
}

// ---------------------------------------------------------------------------------------------------
// Tree mutations

fn delete_key(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|path, _| matches!(path.last(), Some(Seg::Key(_))))?;
    let (Seg::Key(key), parent) = path.split_last()? else {
        return None;
    };
    get_mut(doc, parent)?.as_object_mut()?.shift_remove(key)?;
    Some(format!("delete {}", pointer(&path)))
}

fn wrong_type(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|_, _| true)?;
    let node = get_mut(doc, &path)?;
    let replacements = [
        json!("x"),
        json!(""),
        json!(1),
        json!(-1.5),
        json!(true),
        Value::Null,
        json!([]),
        json!(["x"]),
        json!({}),
        json!({"x": 1}),
    ];
    let candidates: Vec<&Value> = replacements.iter().filter(|r| !same_type(r, node)).collect();
    let replacement = (*rng.pick(&candidates)?).clone();
    let description = format!("replace {} ({}) by {replacement}", pointer(&path), type_name(node));
    *node = replacement;
    Some(description)
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn empty_string(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|_, node| node.as_str().is_some_and(|s| !s.is_empty()))?;
    *get_mut(doc, &path)? = json!("");
    Some(format!("empty string at {}", pointer(&path)))
}

fn empty_name(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let sites = name_sites(doc);
    let site = rng.pick(&sites)?;
    set_name(doc, site, "", rng)
}

fn odd_name(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let sites = name_sites(doc);
    let site = rng.pick(&sites)?;
    let new = odd_string(rng);
    set_name(doc, site, &new, rng)
}

fn odd_key(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|path, _| matches!(path.last(), Some(Seg::Key(_))))?;
    let (Seg::Key(key), parent) = path.split_last()? else {
        return None;
    };
    let new = odd_string(rng);
    rename_key(doc, parent, key, &new).then(|| format!("rename key {} to {new:?}", pointer(&path)))
}

fn odd_value(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|_, node| node.is_string())?;
    let new = odd_string(rng);
    *get_mut(doc, &path)? = Value::String(new.clone());
    Some(format!("set {} to {new:?}", pointer(&path)))
}

fn huge_string(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let new = huge(rng);
    if rng.chance(60) {
        let sites = name_sites(doc);
        let site = rng.pick(&sites)?;
        return set_name(doc, site, &new, rng);
    }
    let path = pick_path(doc, rng, &|_, node| node.is_string())?;
    *get_mut(doc, &path)? = Value::String(new.clone());
    Some(format!("set {} to {}", pointer(&path), short(&new)))
}

fn dangling_ref(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_schema(doc, rng)?;
    let target = rng
        .pick(&[
            "#/components/schemas/Nope",
            "#/components/schemas/",
            "#/nope",
            "#",
            "other.yaml#/X",
            "#/paths",
        ])
        .copied()
        .unwrap_or("#/components/schemas/Nope");
    *get_mut(doc, &path)? = json!({ "$ref": target });
    Some(format!("replace schema {} by $ref {target}", pointer(&path)))
}

fn self_ref(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let name = rng.pick(&names)?.clone();
    set_component(doc, &name, json!({ "$ref": component_ref(&name) }))?;
    Some(format!("schema {name:?} is `$ref` to itself"))
}

fn ref_cycle(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let a = rng.pick(&names)?.clone();
    let b = rng.pick(&names)?.clone();
    set_component(doc, &a, json!({ "$ref": component_ref(&b) }))?;
    set_component(doc, &b, json!({ "$ref": component_ref(&a) }))?;
    Some(format!("$ref cycle {a:?} → {b:?} → {a:?}"))
}

fn all_of_cycle(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let a = rng.pick(&names)?.clone();
    let b = rng.pick(&names)?.clone();
    let keyword = rng.pick(&["allOf", "oneOf", "anyOf"]).copied().unwrap_or("allOf");
    set_component(doc, &a, json!({ keyword: [{ "$ref": component_ref(&b) }] }))?;
    set_component(doc, &b, json!({ keyword: [{ "$ref": component_ref(&a) }] }))?;
    Some(format!("{keyword} cycle {a:?} → {b:?} → {a:?}"))
}

/// A property of `a` that is `allOf` of `b` and another member, where `b` is `a` itself or has a
/// property of the same kind back to `a`: the AWS shape (`Expression.Not`), with the other member
/// only a description or a real object with properties of its own.
fn all_of_property_cycle(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let a = rng.pick(&names)?.clone();
    let b = if rng.chance(50) {
        a.clone()
    } else {
        rng.pick(&names)?.clone()
    };
    let sibling = if rng.chance(50) {
        json!({ "description": "Annotates the reference." })
    } else {
        json!({ "type": "object", "properties": { "extra": { "type": "string" } } })
    };
    let property = |target: &str| json!({ "allOf": [{ "$ref": component_ref(target) }, sibling.clone()] });
    let with_property = |doc: &mut Value, owner: &str, target: &str| -> Option<()> {
        let schemas = doc.pointer_mut("/components/schemas")?.as_object_mut()?;
        let owner = schemas.get_mut(owner)?.as_object_mut()?;
        owner.insert("type".to_owned(), json!("object"));
        let properties = owner.entry("properties").or_insert_with(|| json!({}));
        properties.as_object_mut()?.insert("loop".to_owned(), property(target));
        Some(())
    };
    with_property(doc, &a, &b)?;
    if a != b {
        with_property(doc, &b, &a)?;
    }
    Some(format!("allOf property cycle {a:?}.loop → {b:?} (sibling {sibling})"))
}

fn items_cycle(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let a = rng.pick(&names)?.clone();
    let schema = if rng.chance(50) {
        json!({ "type": "array", "items": { "$ref": component_ref(&a) } })
    } else {
        json!({ "type": "object", "additionalProperties": { "$ref": component_ref(&a) } })
    };
    let description = format!("schema {a:?} becomes {schema}");
    set_component(doc, &a, schema)?;
    Some(description)
}

fn ref_into_property(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let properties = find(doc, &|path, node| {
        node.is_object()
            && path.len() == 5
            && path.get(3) == Some(&Seg::Key("properties".into()))
            && path.first() == Some(&Seg::Key("components".into()))
    });
    let target = match rng.pick(&properties) {
        Some(path) => pointer(path),
        None => "#/components/schemas/X/properties/y".to_string(),
    };
    let path = pick_schema(doc, rng)?;
    *get_mut(doc, &path)? = json!({ "$ref": target });
    Some(format!("replace schema {} by $ref {target}", pointer(&path)))
}

fn duplicate_enum_value(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let enums = find(doc, &|path, node| {
        last_key(path) == Some("enum") && node.as_array().is_some_and(|a| !a.is_empty()) && !in_free_form(path)
    });
    if let Some(path) = rng.pick(&enums).cloned() {
        let values = get_mut(doc, &path)?.as_array_mut()?;
        let copy = rng.pick(values)?.clone();
        values.push(copy.clone());
        return Some(format!("duplicate enum value {copy} in {}", pointer(&path)));
    }
    let path = pick_schema(doc, rng)?;
    *get_mut(doc, &path)? = json!({ "type": "string", "enum": ["a", "a"] });
    Some(format!(
        "replace schema {} by an enum with a duplicate value",
        pointer(&path)
    ))
}

fn colliding_enum_values(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_schema(doc, rng)?;
    let count = 2 + rng.below(COLLIDING.len() - 1);
    let mut values: Vec<Value> = COLLIDING.iter().take(count).map(|v| json!(v)).collect();
    if rng.chance(30) {
        values.push(json!(odd_string(rng)));
    }
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let description = format!("set enum of {} to {}", pointer(&path), Value::Array(values.clone()));
    if rng.chance(50) {
        node.insert("type".into(), json!("string"));
    }
    node.insert("enum".into(), Value::Array(values));
    Some(description)
}

/// Wraps a schema in levels of one construct: usually as deep as the loader's nesting limit allows
/// (every stage then recurses as far as it ever will), sometimes a little, sometimes a few levels past
/// the limit (the loader's own error), sometimes far past what the parsers accept (theirs).
fn deep_nesting(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_schema(doc, rng)?;
    let style = *rng.pick(&[
        "allOf",
        "oneOf",
        "items",
        "properties",
        "not",
        "additionalProperties",
        "mixed",
    ])?;
    let node = get_mut(doc, &path)?;
    let mut schema = node.take();
    let depth = path.len() + depth_of(&schema);
    let (levels, budget) = match rng.below(20) {
        0..=11 => (usize::MAX, MAX_NESTING.saturating_sub(depth)),
        12..=14 => (8, usize::MAX),
        15..=17 => (usize::MAX, (MAX_NESTING + 2 + rng.below(8)).saturating_sub(depth)),
        _ => (200, usize::MAX),
    };
    let mut added = 0;
    let mut wrapped = 0;
    while wrapped < levels {
        let kind = match style {
            "mixed" => ["allOf", "items", "properties", "not"][wrapped % 4],
            other => other,
        };
        let (wrapper, cost) = match kind {
            "allOf" => (json!({ "allOf": [] }), 2),
            "oneOf" => (json!({ "oneOf": [] }), 2),
            "items" => (json!({ "type": "array" }), 1),
            "not" => (json!({}), 1),
            "additionalProperties" => (json!({ "type": "object" }), 1),
            _ => (json!({ "type": "object", "properties": {} }), 2),
        };
        if added + cost > budget {
            break;
        }
        schema = wrap(wrapper, kind, schema);
        added += cost;
        wrapped += 1;
    }
    *node = schema;
    Some(format!(
        "wrap {} in {wrapped} levels of {style} (nesting {} levels deep)",
        pointer(&path),
        depth + added
    ))
}

fn wrap(mut wrapper: Value, kind: &str, schema: Value) -> Value {
    match kind {
        "allOf" | "oneOf" => wrapper[kind] = json!([schema, { "type": "object" }]),
        "items" => wrapper["items"] = schema,
        "not" => wrapper["not"] = schema,
        "additionalProperties" => wrapper["additionalProperties"] = schema,
        _ => wrapper["properties"]["x"] = schema,
    }
    wrapper
}

/// Collections on the longest path down from `node`, counting `node` itself.
fn depth_of(node: &Value) -> usize {
    match node {
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

fn one_of_arity(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_schema(doc, rng)?;
    let keyword = rng.pick(&["oneOf", "anyOf", "allOf"]).copied().unwrap_or("oneOf");
    let node = get_mut(doc, &path)?;
    let members = if rng.chance(50) { vec![] } else { vec![node.clone()] };
    let mut schema = Map::new();
    schema.insert(keyword.into(), Value::Array(members.clone()));
    if rng.chance(30) {
        schema.insert("discriminator".into(), json!({ "propertyName": "kind" }));
    }
    *node = Value::Object(schema);
    Some(format!(
        "replace {} by {keyword} with {} member(s)",
        pointer(&path),
        members.len()
    ))
}

fn nullable_everywhere(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let every = rng.chance(50);
    let schemas = find(doc, &is_schema);
    if schemas.is_empty() {
        return None;
    }
    for path in &schemas {
        if every || rng.chance(50) {
            if let Some(Value::Object(map)) = get_mut(doc, path) {
                map.insert("nullable".into(), json!(true));
            }
        }
    }
    Some(format!(
        "nullable: true on {} schemas",
        if every { "all" } else { "half of the" }
    ))
}

fn swap_type(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_path(doc, rng, &|path, node| {
        is_schema(path, node) && node.get("type").is_some()
    })?;
    let new = *rng.pick(&["string", "integer", "number", "boolean", "array", "object"])?;
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let old = node.insert("type".into(), json!(new))?;
    Some(format!("type of {} from {old} to {new}", pointer(&path)))
}

fn rename_schema_and_refs(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let old = rng.pick(&names)?.clone();
    let new = if rng.chance(15) { huge(rng) } else { odd_string(rng) };
    rename_key(
        doc,
        &[Seg::Key("components".into()), Seg::Key("schemas".into())],
        &old,
        &new,
    );
    rewrite_refs(doc, &component_ref(&old), &component_ref(&new));
    Some(format!("rename schema {old:?} to {} with its references", short(&new)))
}

/// Two names that differ only in case or separators: `fooBar` next to `foo_bar`, `Pet` next to `pet`.
fn colliding_names(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let sites: Vec<NameSite> = name_sites(doc)
        .into_iter()
        .filter(|site| matches!(site, NameSite::Key { .. }))
        .collect();
    let NameSite::Key { map, key } = rng.pick(&sites)? else {
        return None;
    };
    let (map, key) = (map.clone(), key.clone());
    let variant = match rng.below(4) {
        0 => key.to_uppercase(),
        1 => key.to_lowercase(),
        2 => key.replace('_', "-") + "_",
        _ => format!("{key}2"),
    };
    let entries = get_mut(doc, &map)?.as_object_mut()?;
    let value = entries.get(&key)?.clone();
    entries.insert(variant.clone(), value);
    Some(format!(
        "copy {} as {variant:?}",
        pointer(&[map, vec![Seg::Key(key)]].concat())
    ))
}

fn duplicate_operation_id(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let ids = find(doc, &|path, node| {
        last_key(path) == Some("operationId") && node.is_string()
    });
    let from = rng.pick(&ids)?.clone();
    let to = rng.pick(&ids)?.clone();
    let id = get(doc, &from)?.as_str()?.to_string();
    let variant = match rng.below(3) {
        0 => id.clone(),
        1 => format!("{id}_"),
        _ => id.chars().flat_map(char::to_uppercase).collect(),
    };
    *get_mut(doc, &to)? = json!(variant);
    Some(format!("set {} to {variant:?} (from {})", pointer(&to), pointer(&from)))
}

// ---------------------------------------------------------------------------------------------------
// Text mutations

const INSERTIONS: &[&str] = &[
    "\t",
    "{",
    "}",
    "[",
    "]",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!binary ",
    "\"",
    "'",
    "#",
    "\u{feff}",
    "%YAML 1.2\n",
    "---\n",
    "? ",
    "\0",
    "\r",
    "~",
    "<<: *a\n",
];

fn mutate_text(text: &str, rng: &mut Rng) -> Mutant {
    let lines: Vec<&str> = text.lines().collect();
    let line = rng.below(lines.len().max(1));
    let (mutated, description) = match rng.below(5) {
        0 => {
            let at = boundary(text, rng.below(text.len().max(1)));
            (text[..at].to_string(), format!("truncate the text at byte {at}"))
        }
        1 => {
            let mut kept = lines.clone();
            if line < kept.len() {
                kept.remove(line);
            }
            (kept.join("\n"), format!("delete line {}", line + 1))
        }
        2 => {
            let mut copied = lines.clone();
            if let Some(&copy) = lines.get(line) {
                copied.insert(line, copy);
            }
            (copied.join("\n"), format!("repeat line {}", line + 1))
        }
        3 => {
            let at = boundary(text, rng.below(text.len().max(1)));
            let insertion = rng.pick(INSERTIONS).copied().unwrap_or("{");
            (
                format!("{}{insertion}{}", &text[..at], &text[at..]),
                format!("insert {insertion:?} at byte {at}"),
            )
        }
        _ => {
            let mut shifted: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
            if let Some(target) = shifted.get_mut(line) {
                if rng.chance(50) {
                    target.insert(0, ' ');
                } else if target.starts_with(' ') {
                    target.remove(0);
                }
            }
            (
                shifted.join("\n"),
                format!("shift the indentation of line {}", line + 1),
            )
        }
    };
    Mutant {
        text: mutated,
        description: format!("text: {description}"),
        tree: None,
    }
}

/// The nearest char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}
