//! Helpers for the unions the generator emits, and for the JSON path of decode errors.
//!
//! A union with a tag property buffers its input as a `serde_json::Value` before it decodes the
//! member the tag names, so the path `serde_path_to_error` tracks stops at the union. The member
//! is therefore decoded with its own path tracking, and that inner path travels in the error
//! message as ``at `inner.path`: …`` until `refine_path` (called by `decode.rs`) joins it back
//! onto the outer one.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

const NESTED_START: &str = "at `";
const NESTED_END: &str = "`: ";

/// Decodes one union member from a buffered value, keeping the path of a failure inside it.
pub fn decode_member<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        if path == "." {
            E::custom(message)
        } else {
            E::custom(format!("{NESTED_START}{path}{NESTED_END}{message}"))
        }
    })
}

/// How many keys with a non-null value `original` has, at any depth, that `decoded` no longer
/// has once serialized again. A member that ignores keys loses data; decoding without a tag
/// prefers the member that loses the fewest (usually none).
pub fn dropped_keys<T: Serialize>(decoded: &T, original: &Value) -> usize {
    match serde_json::to_value(decoded) {
        Ok(round_trip) => count_dropped(&round_trip, original),
        Err(_) => usize::MAX,
    }
}

fn count_dropped(round_trip: &Value, original: &Value) -> usize {
    match (round_trip, original) {
        (Value::Object(kept), Value::Object(given)) => given
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| match kept.get(key) {
                Some(k) => count_dropped(k, value),
                None => 1,
            })
            .sum(),
        (Value::Array(kept), Value::Array(given)) => {
            let missing = given.len().saturating_sub(kept.len());
            missing + kept.iter().zip(given).map(|(k, g)| count_dropped(k, g)).sum::<usize>()
        }
        _ => 0,
    }
}

/// The full JSON path of a decode failure: the tracked `path`, extended by the inner paths that
/// union members put in the message, and by the field a "missing field" error names (serde
/// reports the object that lacks it, not the field).
pub(crate) fn refine_path(path: String, message: &str) -> String {
    let mut path = path;
    let mut rest = message;
    while let Some(after) = rest.strip_prefix(NESTED_START) {
        let Some(end) = after.find(NESTED_END) else { break };
        path = join(&path, &after[..end]);
        rest = &after[end + NESTED_END.len()..];
    }
    if let Some(field) = rest.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        path = join(&path, field);
    }
    path
}

fn join(outer: &str, inner: &str) -> String {
    if outer == "." || outer.is_empty() {
        inner.to_owned()
    } else if inner.starts_with('[') {
        format!("{outer}{inner}")
    } else {
        format!("{outer}.{inner}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refine_path_joins_nested_paths_and_missing_fields() {
        assert_eq!(
            refine_path("tasks[0]".into(), "at `configuration.model`: invalid type"),
            "tasks[0].configuration.model"
        );
        assert_eq!(refine_path("a".into(), "at `b`: at `[2].c`: invalid"), "a.b[2].c");
        assert_eq!(
            refine_path("items[0]".into(), "missing field `created_at` at line 1 column 9"),
            "items[0].created_at"
        );
        assert_eq!(refine_path(".".into(), "missing field `id`"), "id");
        assert_eq!(refine_path("x".into(), "invalid type: integer"), "x");
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Narrow {
        model: String,
    }

    #[test]
    fn dropped_keys_counts_what_a_member_ignored() {
        let original = json!({"model": "m", "inputs": {"q": 1}, "extra": [1], "ignored": null});
        let narrow: Narrow = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(dropped_keys(&narrow, &original), 2);
        let exact = json!({"model": "m", "ignored": null});
        assert_eq!(dropped_keys(&narrow, &exact), 0);
    }

    #[test]
    fn decode_member_puts_the_inner_path_in_the_message() {
        let error = decode_member::<Narrow, serde_json::Error>(json!({"model": 5}))
            .err()
            .unwrap();
        assert!(error.to_string().starts_with("at `model`: invalid type"), "{error}");
    }
}
