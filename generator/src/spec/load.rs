//! Loading: the spec text is read once and kept in three forms that later stages need.
//!
//! - `raw`, the document as a `serde_json::Value` with key order preserved: openapiv3 drops keys it does
//!   not know, so checks for typos and dangling `$ref`s walk this instead;
//! - `openapi`, the typed `openapiv3::OpenAPI` the model is built from;
//! - `lines`, a pointer → line index, so every diagnostic can name a line.
//!
//! JSON text (first non-blank character `{`) is parsed with serde_json for exact JSON semantics and
//! messages; anything else with serde_yaml. Both become the same `raw` value.

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::spec::leniency;
use crate::spec::line_index::LineIndex;
use crate::spec::pointer;
use crate::spec::v31::{self, Translation};
use crate::spec::validate::{self, json_type};

pub struct LoadedSpec {
    /// The document as a JSON value, key order preserved.
    pub raw: Value,
    pub openapi: openapiv3::OpenAPI,
    pub lines: LineIndex,
    /// For a 3.1 document, what its translation to 3.0's shape warned about and moved.
    pub translation: Translation,
}

impl LoadedSpec {
    /// Sets `line` on each diagnostic from its pointer (nearest existing ancestor's line if the exact
    /// node has none). Lines already set are kept.
    /// A diagnostic without a line is about the translated document (for a 3.1 one), so its pointer
    /// is first taken back to the original file.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        relocate(&self.translation, &self.lines, diagnostics);
    }

    /// The 3.1 translation's warnings, then every check of [`validate`], with lines.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut diagnostics = self.translation.warnings.clone();
        diagnostics.extend(validate::check_document(&self.raw, &self.lines));
        self.locate(&mut diagnostics);
        diagnostics
    }
}

pub fn load_file(path: &Path) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let source_name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => load_str(&text),
        Err(err) => Err(vec![Diagnostic::error(
            "#",
            format!("cannot read {source_name}: {err}"),
        )]),
    }
}

pub fn load_str(text: &str) -> Result<LoadedSpec, Vec<Diagnostic>> {
    // The line index is a second pass over the text, independent of parsing and about as costly, so it
    // is built on another thread meanwhile. It is an iterative walk, so the default stack is enough; the
    // deeply recursive work (parsing, openapiv3) stays on the pipeline's thread.
    let (lines, (parsed, mut translation)) = std::thread::scope(|scope| {
        let lines = scope.spawn(|| LineIndex::build(text));
        let parsed = parse(text);
        let lines = lines.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lines, parsed)
    });
    // The translation's warnings already name places in the original file.
    locate_with(&lines, &mut translation.warnings);
    let fail = |mut diagnostics: Vec<Diagnostic>| {
        relocate(&translation, &lines, &mut diagnostics);
        diagnostics
    };
    let (raw, openapi) = match parsed {
        Parsed::Unreadable(mut diagnostic) => {
            // serde_yaml gives no position for a second document; other errors without one (the root is
            // not a mapping) are about the root node.
            if diagnostic.line.is_none() {
                diagnostic.line = lines.second_document_line();
            }
            return Err(fail(vec![diagnostic]));
        }
        Parsed::Rejected(diagnostic) => return Err(fail(vec![diagnostic])),
        Parsed::Deep(raw) => {
            let errors = structural_errors(&raw, &lines);
            if !errors.is_empty() {
                return Err(fail(errors));
            }
            let openapi = deserialize_openapi(&raw).map(Box::new);
            (raw, openapi)
        }
        Parsed::Read(raw, openapi) => (raw, openapi),
    };
    let openapi = match openapi {
        Ok(openapi) => *openapi,
        Err(diagnostic) => {
            // openapiv3's messages are often vague ("data did not match any variant of untagged enum"),
            // so the structural checks run too: they usually name the offending key precisely.
            let mut diagnostics = vec![diagnostic];
            diagnostics.extend(structural_errors(&raw, &lines));
            return Err(fail(diagnostics));
        }
    };
    Ok(LoadedSpec {
        raw,
        openapi,
        lines,
        translation,
    })
}

/// The errors of our structural checks, read as strictly as the document asks.
fn structural_errors(raw: &Value, lines: &LineIndex) -> Vec<Diagnostic> {
    let mut structural = validate::check_document(raw, lines);
    leniency::apply(raw, &mut structural);
    structural.into_iter().filter(Diagnostic::is_error).collect()
}

/// How far [`parse`] got without the line index.
enum Parsed {
    /// The text is not a YAML or JSON mapping.
    Unreadable(Diagnostic),
    /// Not OpenAPI 3.0, or nested too deep.
    Rejected(Diagnostic),
    /// Nested deeper than [`SLOW_FAILURE_NESTING`]: our structural checks (which need the line index) go
    /// first. When a schema fails to read, openapiv3 tries the next variant of its untagged enums,
    /// which reads the schema's children again, at every level, so its work on a broken document
    /// doubles with each level above the fault: unbounded at [`MAX_NESTING`]. A deep document that our
    /// own checks reject is reported without asking it; they check every key's type, so what passes
    /// them reads in one pass (the mutation test judges that every mutant finishes in bounded time).
    Deep(Value),
    /// The raw value and openapiv3's reading of it (boxed: it is large).
    Read(Value, Result<Box<openapiv3::OpenAPI>, Diagnostic>),
}

/// With the [`Translation`] of a 3.1 document (empty otherwise).
fn parse(text: &str) -> (Parsed, Translation) {
    let raw = match parse_text(text) {
        Ok(raw) => raw,
        Err(diagnostic) => return (Parsed::Unreadable(diagnostic), Translation::default()),
    };
    let version = match check_version(&raw).and_then(|version| check_nesting(&raw).map(|()| version)) {
        Ok(version) => version,
        Err(diagnostic) => return (Parsed::Rejected(diagnostic), Translation::default()),
    };
    let (raw, translation) = match version {
        Version::V3_0 => (raw, Translation::default()),
        Version::V3_1 => v31::translate(raw),
    };
    // Translation can nest a node two levels deeper (`$ref` → `allOf: [{$ref}]`).
    if version == Version::V3_1 {
        if let Err(diagnostic) = check_nesting(&raw) {
            return (Parsed::Rejected(diagnostic), translation);
        }
    }
    if nested_beyond(&raw, SLOW_FAILURE_NESTING).is_some() {
        return (Parsed::Deep(raw), translation);
    }
    let openapi = deserialize_openapi(&raw).map(Box::new);
    (Parsed::Read(raw, openapi), translation)
}

/// Fills in missing lines from `lines`.
pub(crate) fn locate_with(lines: &LineIndex, diagnostics: &mut [Diagnostic]) {
    for diagnostic in diagnostics.iter_mut().filter(|d| d.line.is_none()) {
        diagnostic.line = lines.line_of(&diagnostic.pointer);
    }
}

/// [`locate_with`] for diagnostics about the translated document: each one without a line gets its
/// original pointer first (a diagnostic with a line is already about the original file).
fn relocate(translation: &Translation, lines: &LineIndex, diagnostics: &mut [Diagnostic]) {
    for diagnostic in diagnostics.iter_mut().filter(|d| d.line.is_none()) {
        diagnostic.pointer = translation.origins.original(&diagnostic.pointer);
    }
    locate_with(lines, diagnostics);
}

/// Parses the text into a JSON value; the document must be a mapping.
fn parse_text(text: &str) -> Result<Value, Diagnostic> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = if body.trim_start().starts_with('{') {
        serde_json::from_str(body).map_err(|err| json_syntax_error(&err))?
    } else {
        serde_yaml::from_str(body).map_err(|err| yaml_syntax_error(&err))?
    };
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Err(Diagnostic::error("#", "the document is empty")),
        other => Err(Diagnostic::error(
            "#",
            format!("the document must be a mapping, found {}", json_type(&other)),
        )),
    }
}

fn yaml_syntax_error(err: &serde_yaml::Error) -> Diagnostic {
    let message = err.to_string();
    let Some(location) = err.location() else {
        return Diagnostic::error("#", format!("invalid YAML: {message}"));
    };
    let mut diagnostic = Diagnostic::error(
        "#",
        format!(
            "invalid YAML: {}",
            without_position(&message, location.line(), location.column())
        ),
    );
    diagnostic.line = Some(location.line());
    diagnostic
}

fn json_syntax_error(err: &serde_json::Error) -> Diagnostic {
    let message = without_position(&err.to_string(), err.line(), err.column());
    let mut diagnostic = Diagnostic::error("#", format!("invalid JSON: {message}"));
    // serde_json reports line 0 when the error has no position.
    diagnostic.line = Some(err.line()).filter(|line| *line > 0);
    diagnostic
}

/// The parsers end messages with "at line L column C"; the line belongs in the diagnostic's own field,
/// so only the column stays in the text. Messages with other positions inside are kept whole.
fn without_position(message: &str, line: usize, column: usize) -> String {
    match message.strip_suffix(&format!(" at line {line} column {column}")) {
        Some(stripped) => format!("{stripped} (column {column})"),
        None => message.to_string(),
    }
}

/// How many mappings and lists deep a document may nest (the root counts as one; free JSON, see
/// [`is_free_json`], does not count). Every later stage recurses once per level, and a stack overflow
/// aborts the process instead of panicking, so the pipeline's threads get a stack sized from this
/// (`codegen::PIPELINE_STACK`). Real documents stay far below it (Stripe's form bodies are the deepest
/// public ones seen); it sits below the parsers' own bound of 128 levels of any kind (serde_json's
/// and serde_yaml's fixed recursion limit, which free JSON counts towards too), so that schema nesting
/// past it gets this loader's message rather than the parser's.
pub const MAX_NESTING: usize = 100;

/// Beyond this depth openapiv3 is only handed documents that pass the structural checks (see
/// `load_str`): on a document that is broken deep down its work doubles with each level above the
/// fault (see [`Parsed::Deep`]), so only shallow documents go to it first.
const SLOW_FAILURE_NESTING: usize = 16;

/// Rejects a document nested deeper than [`MAX_NESTING`], pointing at the first node too deep.
fn check_nesting(raw: &Value) -> Result<(), Diagnostic> {
    let Some(mut tokens) = nested_beyond(raw, MAX_NESTING) else {
        return Ok(());
    };
    tokens.reverse();
    let pointer = tokens
        .iter()
        .fold("#".to_string(), |pointer, token| pointer::join(&pointer, token));
    Err(Diagnostic::error(
        pointer,
        format!(
            "the document nests more than {MAX_NESTING} levels deep here, past the generator's limit; move \
             inline schemas into #/components/schemas and `$ref` them"
        ),
    ))
}

/// The tokens (innermost first) of the first mapping or list, in document order, that lies more than
/// `levels` collections deep, counting `node` itself. Recurses at most `levels + 1` times.
pub(crate) fn nested_beyond(node: &Value, levels: usize) -> Option<Vec<String>> {
    nested_beyond_under(node, levels, None)
}

/// [`nested_beyond`] for a node that is the value of `parent_key` (none for the root or a list item).
fn nested_beyond_under(node: &Value, levels: usize, parent_key: Option<&str>) -> Option<Vec<String>> {
    let is_collection = node.is_object() || node.is_array();
    if !is_collection {
        return None;
    }
    let Some(below) = levels.checked_sub(1) else {
        return Some(Vec::new());
    };
    let with_token = |token: String, mut tokens: Vec<String>| {
        tokens.push(token);
        tokens
    };
    match node {
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| !is_free_json(key, parent_key))
            .find_map(|(key, child)| Some(with_token(key.clone(), nested_beyond_under(child, below, Some(key))?))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, child)| Some(with_token(index.to_string(), nested_beyond_under(child, below, None)?))),
        _ => None,
    }
}

/// Keys whose values are free JSON (examples, defaults, enum values, extensions): no stage recurses
/// into them as schema, and the parsers bound their nesting themselves, so they do not count. In a
/// mapping keyed by names (`properties`, `schemas`, …) the same words are names of schemas and
/// objects, which count.
fn is_free_json(key: &str, parent_key: Option<&str>) -> bool {
    const NAME_KEYED: &[&str] = &[
        "properties",
        "schemas",
        "parameters",
        "responses",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "paths",
        "mapping",
        "variables",
        "encoding",
        "content",
    ];
    let free = matches!(key, "example" | "examples" | "default" | "enum") || key.starts_with("x-");
    free && !parent_key.is_some_and(|parent| NAME_KEYED.contains(&parent))
}

/// The OpenAPI versions read: 3.0.x as it is, 3.1.x translated into 3.0's shape first ([`v31`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V3_0,
    V3_1,
}

/// Which OpenAPI version the document declares, if it is one this generator reads.
fn check_version(raw: &Value) -> Result<Version, Diagnostic> {
    let Some(version) = raw.get("openapi") else {
        if raw.get("swagger").is_some() {
            return Err(Diagnostic::error(
                "#/swagger",
                "Swagger 2.0 documents are not supported; convert the document to OpenAPI 3.0.x or 3.1.x",
            ));
        }
        return Err(Diagnostic::error(
            "#",
            "missing `openapi` field: expected an OpenAPI 3.0.x or 3.1.x document (`openapi: 3.0.3`)",
        ));
    };
    let Some(version) = version.as_str() else {
        return Err(Diagnostic::error(
            "#/openapi",
            format!(
                "`openapi` must be a string such as \"3.0.3\", found {} (in YAML, an unquoted `3.0` is a number)",
                json_type(version)
            ),
        ));
    };
    if is_openapi_3_0(version) {
        return Ok(Version::V3_0);
    }
    if is_patch_of(version, "3.1.") {
        return Ok(Version::V3_1);
    }
    Err(Diagnostic::error(
        "#/openapi",
        format!("unsupported OpenAPI version `{version}`: expected 3.0.x or 3.1.x, e.g. `openapi: 3.0.3`"),
    ))
}

fn is_openapi_3_0(version: &str) -> bool {
    is_patch_of(version, "3.0.")
}

/// `version` is `minor` followed by a patch number.
fn is_patch_of(version: &str, minor: &str) -> bool {
    version
        .strip_prefix(minor)
        .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|byte| byte.is_ascii_digit()))
}

/// Deserializes the typed document; a failure is located by the path it happened at.
fn deserialize_openapi(raw: &Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    // openapiv3 contains `expect`s on input-dependent paths; a panic there must still become a
    // diagnostic rather than take the generator down. Nothing survives the closure on panic, so
    // asserting unwind safety is sound.
    // Tracking the path slows every value down and only a failure needs it, so the document is read
    // plainly first and, only if that fails, again with tracking (which fails the same way).
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match <openapiv3::OpenAPI as serde::Deserialize>::deserialize(raw) {
            Ok(openapi) => Ok(openapi),
            Err(_) => serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw),
        }
    }));
    match attempt {
        Ok(Ok(openapi)) => Ok(openapi),
        Ok(Err(err)) => {
            let pointer = path_to_pointer(err.path());
            Err(Diagnostic::error(
                pointer,
                format!("not a valid OpenAPI 3.0 document: {}", err.inner()),
            ))
        }
        Err(_) => Err(Diagnostic::error(
            "#",
            "the openapiv3 crate panicked while reading this document",
        )),
    }
}

/// Turns serde_path_to_error's path into a pointer, stopping where the path stops being known (inside
/// flattened or untagged parts of openapiv3's types).
fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = "#".to_string();
    for segment in path {
        match segment {
            Segment::Seq { index } => pointer = pointer::join(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = pointer::join(&pointer, key),
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_errors_without_a_position_are_located() {
        let line_of_error = |text: &str| load_str(text).err().map(|errors| errors[0].line);
        assert_eq!(line_of_error("openapi: 3.0.3\n---\nmore: 1\n"), Some(Some(2)));
        assert_eq!(line_of_error("\n- a list\n"), Some(Some(2)));
        assert_eq!(line_of_error("\"a string\""), Some(Some(1)));
        assert_eq!(line_of_error("# nothing but a comment\n"), Some(None));
    }

    #[test]
    fn a_deep_broken_document_is_reported_without_openapiv3() {
        // 19 arrays below a component, the innermost broken: openapiv3 alone would take seconds.
        let broken = (0..18).fold(
            json!({"type": "array", "items": ["tuple"]}),
            |inner, _| json!({"type": "array", "items": inner}),
        );
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Deep": broken}}
        });
        let errors = load_str(&doc.to_string()).err().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("`items` must be one schema"), "{errors:?}");
        assert_eq!(errors[0].line, Some(1));
    }

    #[test]
    fn nesting_is_limited_and_located() {
        // `levels` collections: a mapping inside lists.
        let nest = |levels: usize| (1..levels).fold(json!({}), |inner, _| json!([inner]));
        assert_eq!(nested_beyond(&nest(MAX_NESTING), MAX_NESTING), None);
        assert!(check_nesting(&nest(MAX_NESTING)).is_ok());
        let error = check_nesting(&json!({"x": 1, "deep": nest(MAX_NESTING)})).unwrap_err();
        let depth = error.pointer.matches('/').count() + 1;
        assert_eq!(depth, MAX_NESTING + 1, "{}", error.pointer);
        assert!(error.pointer.starts_with("#/deep/0/0/"), "{}", error.pointer);
    }

    #[test]
    fn free_json_values_do_not_count_as_nesting() {
        let nest = |levels: usize| (1..levels).fold(json!({}), |inner, _| json!([inner]));
        let deep = nest(MAX_NESTING * 2);
        for key in ["example", "examples", "default", "enum", "x-anything"] {
            let document = json!({"components": {"schemas": {"A": {"type": "object", key: deep.clone()}}}});
            assert!(check_nesting(&document).is_ok(), "{key}");
        }
        // The same words as names of properties or schemas are schemas, and count.
        let schema = json!({"type": "object", "properties": {"example": {"items": deep.clone()}}});
        assert!(check_nesting(&json!({"components": {"schemas": {"A": schema}}})).is_err());
        assert!(check_nesting(&json!({"components": {"schemas": {"default": {"items": deep}}}})).is_err());
    }

    #[test]
    fn versions() {
        assert!(is_openapi_3_0("3.0.3"));
        assert!(is_openapi_3_0("3.0.0"));
        assert!(!is_openapi_3_0("3.0"));
        assert!(!is_openapi_3_0("3.0.x"));
        assert!(!is_openapi_3_0("3.1.0"));
        assert_eq!(check_version(&json!({"openapi": "3.1.0"})), Ok(Version::V3_1));
        assert_eq!(check_version(&json!({"openapi": "3.0.3"})), Ok(Version::V3_0));
        assert!(check_version(&json!({"openapi": "3.2.0"})).is_err());
        assert!(check_version(&json!({"openapi": "3.1"})).is_err());
        assert!(check_version(&json!({"openapi": 3.0})).is_err());
        assert_eq!(
            check_version(&json!({"swagger": "2.0"})).unwrap_err().pointer,
            "#/swagger"
        );
    }
}
