//! The specs the benchmarks run on: ours, synthetic ones of several sizes written to
//! `target/bench/specs/`, and GitHub's (for the build cost section), each with the variant
//! progenitor 0.15.1 generates from.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use super::settings::Settings;
use super::synth;
use crate::generate::{self, SPEC};
use crate::large;

/// Synthetic spec sizes, in operations.
const SIZES: &[usize] = &[10, 100, 1_000, 5_000];

/// One spec the benchmarks run on.
#[derive(Clone, Debug)]
pub struct SpecFile {
    /// `sgp-evaluations`, `synthetic-100` or `github`.
    pub name: String,
    pub path: PathBuf,
    /// Path relative to the repository root, for the tables.
    pub display: String,
    /// Operations in the spec (the variant has as many less those its changes dropped).
    pub operations: usize,
    /// The variant progenitor 0.15.1 generates from.
    pub progenitor_variant: PathBuf,
    /// What the variant changed, where it was made by rewriting the spec ([`Rewrite`]); `None` for
    /// the synthetic specs, written in progenitor's flavor from the start.
    pub variant_changes: Option<VariantChanges>,
}

/// Our spec, the synthetic specs and, when asked for, GitHub's.
pub struct Specs {
    pub ours: SpecFile,
    pub synthetic: Vec<SpecFile>,
    /// Fetched (`npm pack`, once) only for the build cost section.
    pub github: Option<SpecFile>,
}

/// Writes the synthetic specs (both flavors) and the progenitor variants of ours and, for the build
/// cost section, of GitHub's.
pub fn write(settings: &Settings) -> Result<Specs> {
    let dir = settings.scratch("specs")?;
    let mut synthetic = Vec::new();
    for &size in SIZES {
        let write = |flavor: synth::Flavor, suffix: &str| -> Result<PathBuf> {
            let path = dir.join(format!("synthetic-{size}{suffix}.yaml"));
            fs::write(&path, synth::spec(size, flavor)).with_context(|| format!("writing {}", path.display()))?;
            Ok(path)
        };
        let path = write(synth::Flavor::Ours, "")?;
        let progenitor = write(synth::Flavor::Progenitor, "-progenitor")?;
        synthetic.push(SpecFile {
            name: format!("synthetic-{size}"),
            display: generate::display_path(&settings.root, &path),
            path,
            operations: size,
            progenitor_variant: progenitor,
            variant_changes: None,
        });
    }
    let ours = rewritten(settings, "sgp-evaluations", settings.root.join(SPEC), OUR_SPEC_REWRITES)?;
    let github = if settings.wants("build") {
        let path = large::github_spec(&settings.root)?;
        Some(rewritten(settings, "github", path, GITHUB_REWRITES)?)
    } else {
        None
    };
    Ok(Specs {
        ours,
        synthetic,
        github,
    })
}

/// A spec and its progenitor variant, made by `rewrites` and written in the spec's own format
/// (JSON or YAML) to `target/bench/specs/<name>-progenitor.<ext>`.
fn rewritten(settings: &Settings, name: &str, path: PathBuf, rewrites: &[Rewrite]) -> Result<SpecFile> {
    let json = path.extension().is_some_and(|e| e == "json");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut doc: Value = if json {
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
    } else {
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
    };
    let operations = operation_count(&doc);
    let changes = rewrite(&mut doc, rewrites);
    let (variant, printed) = if json {
        (format!("{name}-progenitor.json"), serde_json::to_string(&doc)?)
    } else {
        (format!("{name}-progenitor.yaml"), serde_yaml::to_string(&doc)?)
    };
    let variant = settings.scratch("specs")?.join(variant);
    fs::write(&variant, printed).with_context(|| format!("writing {}", variant.display()))?;
    Ok(SpecFile {
        name: name.to_owned(),
        display: generate::display_path(&settings.root, &path),
        path,
        operations,
        progenitor_variant: variant,
        variant_changes: Some(changes),
    })
}

// ---------------------------------------------------------------------------------------------------
// progenitor variants

/// A change to a spec that progenitor 0.15.1 needs to generate from it, each for a panic (or a
/// refusal) it avoids. Everything not named here (operation ids, tags, `x-` extensions, unions,
/// enum types, nesting) stays as it is, and our generator reads the variants too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// progenitor rejects a `multipart/form-data` body: such operations are dropped.
    DropMultipartOperations,
    /// progenitor counts a `default` response as a possible success, so an operation with a typed
    /// `200` and a typed `default` has two success types ("assertion failed:
    /// response_types.len() <= 1"): `default` responses are dropped.
    DropDefaultResponses,
    /// "not yet implemented: more media types than expected for markdown/render-raw: 2": a
    /// request body keeps only its first media type (in the document's order: the generator's
    /// `preserve_order` feature of `serde_json` applies to ours too).
    FirstRequestMediaType,
    /// "assertion failed: response_types.len() <= 1": progenitor wants one response type for all
    /// the successes of an operation and one for all its errors. Each group keeps the responses
    /// of the same kind (the same JSON schema, other content, or none) as its lowest status code;
    /// the others are dropped.
    OneResponseTypePerOutcome,
    /// typify panics on string enum values it cannot turn into distinct variant names ("Failed to
    /// make unique variant names": `==` and `!=` in our spec, `+1` and `-1` in GitHub's): a value
    /// without letters or digits, or with the same ones as another value of its enum, is spelled
    /// out (`==` → `eq_eq`, `+1` → `plus_1`, `*` → `star_symbol` beside `star`), and so is a
    /// `default` that names it. No type or shape changes.
    SpellEnumValues,
}

/// The rewrites of our spec.
const OUR_SPEC_REWRITES: &[Rewrite] = &[
    Rewrite::DropMultipartOperations,
    Rewrite::DropDefaultResponses,
    Rewrite::SpellEnumValues,
];

/// The rewrites of GitHub's spec (found by running progenitor on it until it generated).
const GITHUB_REWRITES: &[Rewrite] = &[
    Rewrite::FirstRequestMediaType,
    Rewrite::OneResponseTypePerOutcome,
    Rewrite::SpellEnumValues,
];

/// What the rewrites of a spec changed (the tables say how comparable the two crates are).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VariantChanges {
    pub operations_dropped: usize,
    pub request_media_types_dropped: usize,
    /// Responses in the spec, before the rewrites.
    pub responses: usize,
    pub responses_dropped: usize,
    pub enum_values_spelled: usize,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The operations of an OpenAPI document (`paths` → methods).
pub fn operation_count(doc: &Value) -> usize {
    operations(doc).count()
}

fn operations(doc: &Value) -> impl Iterator<Item = &Value> {
    let items = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::values);
    items.flat_map(|item| {
        let methods = item.as_object().into_iter().flat_map(|item| item.iter());
        methods
            .filter(|(key, _)| METHODS.contains(&key.as_str()))
            .map(|(_, operation)| operation)
    })
}

fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    let items = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(Map::values_mut);
    items.flat_map(|item| {
        let methods = item.as_object_mut().into_iter().flat_map(|item| item.iter_mut());
        methods
            .filter(|(key, _)| METHODS.contains(&key.as_str()))
            .map(|(_, operation)| operation)
    })
}

/// Applies `rewrites` to an OpenAPI document, in order, and counts what they changed.
pub fn rewrite(doc: &mut Value, rewrites: &[Rewrite]) -> VariantChanges {
    let mut changes = VariantChanges {
        responses: operations(doc).map(|op| responses_of(op).map_or(0, Map::len)).sum(),
        ..VariantChanges::default()
    };
    for rewrite in rewrites {
        match rewrite {
            Rewrite::DropMultipartOperations => changes.operations_dropped += drop_multipart_operations(doc),
            Rewrite::DropDefaultResponses => {
                for operation in operations_mut(doc) {
                    let removed = responses_of_mut(operation).and_then(|r| r.remove("default"));
                    changes.responses_dropped += usize::from(removed.is_some());
                }
            }
            Rewrite::FirstRequestMediaType => {
                for operation in operations_mut(doc) {
                    if let Some(content) = operation
                        .pointer_mut("/requestBody/content")
                        .and_then(Value::as_object_mut)
                    {
                        let first = content.keys().next().cloned();
                        changes.request_media_types_dropped += content.len().saturating_sub(1);
                        content.retain(|media, _| Some(media) == first.as_ref());
                    }
                }
            }
            Rewrite::OneResponseTypePerOutcome => changes.responses_dropped += one_response_type_per_outcome(doc),
            Rewrite::SpellEnumValues => changes.enum_values_spelled += spell_enum_values(doc),
        }
    }
    changes
}

fn responses_of(operation: &Value) -> Option<&Map<String, Value>> {
    operation.get("responses").and_then(Value::as_object)
}

fn responses_of_mut(operation: &mut Value) -> Option<&mut Map<String, Value>> {
    operation.get_mut("responses").and_then(Value::as_object_mut)
}

/// Drops the operations with a `multipart/form-data` body (and path items left without any);
/// returns how many operations.
fn drop_multipart_operations(doc: &mut Value) -> usize {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return 0;
    };
    let mut dropped = 0;
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        item.retain(|key, operation| {
            let multipart = METHODS.contains(&key.as_str())
                && operation
                    .pointer("/requestBody/content")
                    .is_some_and(|c| c.get("multipart/form-data").is_some());
            dropped += usize::from(multipart);
            !multipart
        });
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_some_and(|o| o.keys().any(|k| METHODS.contains(&k.as_str())))
    });
    dropped
}

/// See [`Rewrite::OneResponseTypePerOutcome`]; returns how many responses were dropped.
fn one_response_type_per_outcome(doc: &mut Value) -> usize {
    let shared = doc.pointer("/components/responses").cloned().unwrap_or(Value::Null);
    let mut dropped = 0;
    for operation in operations_mut(doc) {
        let Some(responses) = responses_of_mut(operation) else {
            continue;
        };
        let mut codes: Vec<String> = responses.keys().cloned().collect();
        // progenitor's order: by status, `default` last.
        codes.sort_by_key(|code| (code == "default", code.clone()));
        let (mut success, mut error): (Option<Value>, Option<Value>) = (None, None);
        for code in codes {
            let kind = response_kind(&responses[&code], &shared);
            let (is_success, is_error) = outcome(&code);
            let mut keep = true;
            for (member, first) in [(is_success, &mut success), (is_error, &mut error)] {
                if member {
                    keep &= first.get_or_insert_with(|| kind.clone()) == &kind;
                }
            }
            if !keep {
                responses.remove(&code);
                dropped += 1;
            }
        }
    }
    dropped
}

/// `(success, error)` as progenitor counts a status: `default` is both.
fn outcome(code: &str) -> (bool, bool) {
    let class = code.as_bytes().first().copied();
    let default = code == "default";
    (
        default || code == "101" || class == Some(b'2'),
        default || matches!(class, Some(b'4' | b'5')),
    )
}

/// What progenitor makes of a response: the schema of its `application/json` content, else
/// `"raw"` for other content, else `null`; a `$ref` to `components/responses` is followed.
fn response_kind(response: &Value, shared: &Value) -> Value {
    let mut response = response;
    while let Some(name) = response.get("$ref").and_then(Value::as_str) {
        let name = name.trim_start_matches("#/components/responses/");
        match shared.get(name) {
            Some(target) => response = target,
            None => break,
        }
    }
    let Some(content) = response
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty())
    else {
        return Value::Null;
    };
    let json = content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"));
    match json {
        Some((_, media)) => media.get("schema").cloned().unwrap_or(Value::Null),
        None => Value::String("raw".to_owned()),
    }
}

/// See [`Rewrite::SpellEnumValues`]; returns how many values were spelled out.
fn spell_enum_values(node: &mut Value) -> usize {
    match node {
        Value::Object(map) => {
            let mut spelled_out = 0;
            let mut renamed = Vec::new();
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                let keys: Vec<Option<String>> = values.iter().map(|v| v.as_str().map(letters_and_digits)).collect();
                for (index, value) in values.iter_mut().enumerate() {
                    let Some(key) = &keys[index] else { continue };
                    let clashes = keys.iter().filter(|k| k.as_ref() == Some(key)).count() > 1;
                    if key.is_empty() || clashes {
                        let old = value.as_str().unwrap_or_default().to_owned();
                        let mut new = spelled(&old);
                        // `*` → `star`, in an enum that also has `star`.
                        while keys.contains(&Some(letters_and_digits(&new))) {
                            new += "_symbol";
                        }
                        *value = Value::String(new);
                        renamed.push((old, value.clone()));
                        spelled_out += 1;
                    }
                }
            }
            if let Some(default) = map.get_mut("default") {
                if let Some((_, new)) = renamed.iter().find(|(old, _)| default.as_str() == Some(old)) {
                    *default = new.clone();
                }
            }
            spelled_out + map.values_mut().map(spell_enum_values).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(spell_enum_values).sum(),
        _ => 0,
    }
}

/// What typify keeps of an enum value for a variant name, roughly: its letters and digits.
fn letters_and_digits(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `>=` → `gt_eq`, `+1` → `plus_1`: letters and digits kept, one word per other character.
fn spelled(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            words.push(std::mem::take(&mut run));
        }
        let word = match c {
            '=' => "eq",
            '!' => "not",
            '<' => "lt",
            '>' => "gt",
            '+' => "plus",
            '-' => "minus",
            '/' => "slash",
            '*' => "star",
            _ => "sym",
        };
        words.push(word.to_owned());
    }
    if !run.is_empty() {
        words.push(run);
    }
    if words.is_empty() {
        "empty".to_owned()
    } else {
        words.join("_")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A small document with one of each thing the rewrites change.
    fn document() -> Value {
        json!({
            "paths": {
                "/files": {
                    "post": {
                        "operationId": "upload",
                        "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                        "responses": {"200": {"description": "ok"}}
                    }
                },
                "/markdown": {
                    "parameters": [],
                    "post": {
                        "operationId": "render",
                        "requestBody": {"content": {
                            "text/plain": {"schema": {"type": "string"}},
                            "text/x-markdown": {"schema": {"type": "string"}}
                        }},
                        "responses": {
                            "200": {"description": "ok", "content": {"text/html": {"schema": {"type": "string"}}}},
                            "304": {"description": "not modified"}
                        }
                    },
                    "get": {
                        "operationId": "reactions",
                        "parameters": [{"name": "content", "in": "query", "schema": {
                            "type": "string", "enum": ["+1", "-1", "laugh", "/"], "default": "+1"
                        }}],
                        "responses": {
                            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reaction"}}}},
                            "204": {"description": "none"},
                            "404": {"$ref": "#/components/responses/not_found"},
                            "403": {"$ref": "#/components/responses/forbidden"},
                            "422": {"description": "invalid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}}},
                            "default": {"description": "other", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                        }
                    }
                }
            },
            "components": {
                "schemas": {"Filter": {"type": "string", "enum": ["==", "!=", "a-b", "a_b", "plain"]}},
                "responses": {
                    "not_found": {"description": "missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BasicError"}}}},
                    "forbidden": {"description": "forbidden", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BasicError"}}}}
                }
            }
        })
    }

    #[test]
    fn our_rewrites_drop_multipart_operations_and_default_responses_and_spell_symbols() {
        let mut doc = document();
        let changes = rewrite(&mut doc, OUR_SPEC_REWRITES);
        assert!(
            doc.pointer("/paths/~1files").is_none(),
            "the path item left empty goes too"
        );
        assert!(doc.pointer("/paths/~1markdown/get/responses/default").is_none());
        assert_eq!(
            doc.pointer("/paths/~1markdown/get/responses/422/description"),
            Some(&json!("invalid"))
        );
        assert_eq!(
            doc.pointer("/components/schemas/Filter/enum"),
            Some(&json!(["eq_eq", "not_eq", "a_minus_b", "a_sym_b", "plain"]))
        );
        let parameter = doc.pointer("/paths/~1markdown/get/parameters/0/schema").unwrap();
        assert_eq!(parameter["enum"], json!(["plus_1", "minus_1", "laugh", "slash"]));
        assert_eq!(parameter["default"], json!("plus_1"), "a default follows its value");
        assert_eq!(
            changes,
            VariantChanges {
                operations_dropped: 1,
                request_media_types_dropped: 0,
                responses: 9,
                responses_dropped: 1,
                enum_values_spelled: 7,
            }
        );
        assert_eq!(operation_count(&doc), 2);
    }

    #[test]
    fn github_rewrites_keep_the_first_media_type_and_one_response_type_per_outcome() {
        let mut doc = document();
        let changes = rewrite(&mut doc, GITHUB_REWRITES);
        let render = doc.pointer("/paths/~1markdown/post").unwrap();
        let media: Vec<&String> = render["requestBody"]["content"].as_object().unwrap().keys().collect();
        assert_eq!(media, ["text/plain"]);
        let responses = |op: &str| -> Vec<String> {
            let path = format!("/paths/~1markdown/{op}/responses");
            let mut codes: Vec<String> = doc
                .pointer(&path)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            codes.sort();
            codes
        };
        // `304` is neither a success nor an error to progenitor.
        assert_eq!(responses("post"), ["200", "304"]);
        // Successes: `200` (a `Reaction`) first, so `204` (no content) and `default` go; errors:
        // `403` and `404` both resolve to a `BasicError`, `422` is another type.
        assert_eq!(responses("get"), ["200", "403", "404"]);
        assert_eq!(changes.request_media_types_dropped, 1);
        assert_eq!(changes.responses_dropped, 3);
        assert_eq!(changes.operations_dropped, 0);
        assert_eq!(operation_count(&doc), 3);
    }

    #[test]
    fn values_are_spelled_only_where_typify_would_clash() {
        assert_eq!(spelled(">="), "gt_eq");
        assert_eq!(spelled("reactions-+1"), "reactions_minus_plus_1");
        assert_eq!(spelled(""), "empty");
        let mut star = json!({"enum": ["*", "star", "watch"]});
        assert_eq!(spell_enum_values(&mut star), 1);
        assert_eq!(star, json!({"enum": ["star_symbol", "star", "watch"]}));
        let mut unique = json!({"enum": ["a-b", "c_d", 3]});
        assert_eq!(spell_enum_values(&mut unique), 0);
        assert_eq!(unique, json!({"enum": ["a-b", "c_d", 3]}));
    }
}
