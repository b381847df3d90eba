//! Lenient reading. Most specs are read by people who did not write them and cannot fix them, so a
//! construct that is odd but has a safe reading (an unknown key, an empty operationId, a form body
//! that is not an object, a query string in a path key) generates, with a located warning that says what the generator did. A
//! spec that asks for strictness with `x-codegen: {strict: true}` keeps them errors: its authors
//! want a typo to stop generation, with its line. The choice is the spec's, not the caller's, so
//! that every way of generating it (xtask, tests, a user's build) reads it the same way.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};

/// Where a spec asks for strictness.
const STRICT_POINTER: &str = "#/x-codegen/strict";

/// Whether the document asks for strictness (`x-codegen: {strict: true}`); any value but a
/// boolean is an error, and counts as asking.
pub(crate) fn strictness(raw: &Value) -> Result<bool, Diagnostic> {
    match raw.get("x-codegen").and_then(|codegen| codegen.get("strict")) {
        None | Some(Value::Bool(false)) => Ok(false),
        Some(Value::Bool(true)) => Ok(true),
        Some(_) => Err(Diagnostic::error(STRICT_POINTER, "`strict` must be `true` or `false`")),
    }
}

/// Reads the diagnostics as the spec asks: unless it is strict (or says so wrongly), every error
/// with a safe reading becomes a warning that ends with that reading, in parentheses.
pub(crate) fn apply(raw: &Value, diagnostics: &mut Vec<Diagnostic>) {
    let strict = match strictness(raw) {
        Ok(strict) => strict,
        Err(error) => {
            diagnostics.push(error);
            true
        }
    };
    if strict {
        return;
    }
    for diagnostic in diagnostics.iter_mut() {
        if let (Severity::Error, Some(reading)) = (diagnostic.severity, diagnostic.safe_reading) {
            diagnostic.severity = Severity::Warning;
            diagnostic.message = format!("{} ({reading})", diagnostic.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_with_a_safe_reading_are_warnings_unless_the_spec_is_strict() {
        let diagnostics = || {
            vec![
                Diagnostic::unless_lenient("#/a", "odd", "it is ignored"),
                Diagnostic::error("#/b", "wrong"),
            ]
        };
        let read = |raw: Value| {
            let mut read = diagnostics();
            apply(&raw, &mut read);
            read.iter().map(|d| (d.severity, d.message.clone())).collect::<Vec<_>>()
        };
        let lenient = vec![
            (Severity::Warning, "odd (it is ignored)".to_owned()),
            (Severity::Error, "wrong".to_owned()),
        ];
        assert_eq!(read(json!({})), lenient);
        assert_eq!(read(json!({"x-codegen": {"strict": false}})), lenient);
        let strict = vec![
            (Severity::Error, "odd".to_owned()),
            (Severity::Error, "wrong".to_owned()),
        ];
        assert_eq!(read(json!({"x-codegen": {"strict": true}})), strict);
        let mut wrongly = diagnostics();
        apply(&json!({"x-codegen": {"strict": "yes"}}), &mut wrongly);
        assert!(wrongly.iter().all(Diagnostic::is_error), "{wrongly:?}");
        assert_eq!(wrongly.last().map(|d| d.pointer.as_str()), Some(STRICT_POINTER));
    }
}
