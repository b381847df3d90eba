//! Semantic checks on the loaded spec, reported as [`Diagnostic`] values.
//!
//! Every check reads the raw JSON document rather than the openapiv3 types: openapiv3 drops unknown keys,
//! keys of `paths` that do not start with `/`, and response keys that are not status codes, so only the
//! raw document still shows those mistakes; and raw keys give exact pointers for messages.
//!
//! The checks, in order:
//! - structure: every object's keys against the OpenAPI 3.0.3 table in `known_keys` (unknown key →
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
mod operations;
mod refs;
mod structure;

use std::collections::HashSet;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys::Object;
use crate::spec::line_index::LineIndex;
use crate::spec::pointer;
use operations::check_operations;
pub(crate) use operations::split_query;
use refs::check_refs;
pub(crate) use structure::is_null_only;
use structure::Walker;

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
