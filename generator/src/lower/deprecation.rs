//! `deprecated: true` on schemas, properties and operations, and the note users are warned with.

/// The note of a `deprecated: true` schema, property or operation: its `x-deprecation-note`, or a
/// plain one when it gives none.
pub(crate) fn deprecation(
    deprecated: bool,
    extensions: &indexmap::IndexMap<String, serde_json::Value>,
) -> Option<String> {
    deprecated.then(|| {
        extensions
            .get("x-deprecation-note")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("deprecated by the API description")
            .to_owned()
    })
}
