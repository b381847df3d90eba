//! How parameter values that are not a single scalar become text (OpenAPI `style` and
//! `explode`), and form bodies. The generator decides the encoding per parameter; these functions
//! only carry it out.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use crate::runtime::QueryValue;

/// What `application/x-www-form-urlencoded` leaves as it is: letters, digits and `*-._`.
const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

/// Array items joined with a separator: `a,b` (form or simple), `a b`, `a|b`.
pub fn join<V: QueryValue>(values: &[V], separator: char) -> String {
    let texts: Vec<String> = values.iter().map(QueryValue::to_query_value).collect();
    texts.join(&separator.to_string())
}

/// An object's fields as `(name, text)` pairs, in the order serde gives them. Strings are taken
/// as they are, numbers and booleans as JSON text, arrays comma-joined, nested objects as JSON;
/// null and absent fields are left out.
pub fn object_fields<T: Serialize + ?Sized>(value: &T) -> Vec<(String, String)> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(key, value)| (key, scalar_text(&value)))
            .collect(),
        _ => Vec::new(),
    }
}

/// An object's fields in one value: `k1,v1,k2,v2`, or `k1=v1,k2=v2` when exploded.
pub fn object_joined<T: Serialize + ?Sized>(value: &T, exploded: bool) -> String {
    let pairs = object_fields(value);
    let pieces: Vec<String> = if exploded {
        pairs.into_iter().map(|(key, text)| format!("{key}={text}")).collect()
    } else {
        pairs.into_iter().flat_map(|(key, text)| [key, text]).collect()
    };
    pieces.join(",")
}

/// Any value as JSON text, for parameters whose schema has no standard text form.
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// One `name=value` pair of a `cookie` header.
pub fn cookie_pair(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

/// An object's fields as an `application/x-www-form-urlencoded` body.
pub fn form_urlencoded<T: Serialize + ?Sized>(value: &T) -> String {
    let pairs: Vec<String> = object_fields(value)
        .into_iter()
        .map(|(key, text)| {
            format!(
                "{}={}",
                utf8_percent_encode(&key, FORM),
                utf8_percent_encode(&text, FORM)
            )
        })
        .collect();
    pairs.join("&")
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_become_pairs_joined_values_and_form_bodies() {
        let value = json!({"role": "admin", "first name": "Alex", "age": 3, "tags": ["a", "b"], "gone": null});
        let pairs = object_fields(&value);
        assert_eq!(pairs.len(), 4);
        assert!(pairs.contains(&("tags".to_owned(), "a,b".to_owned())));
        let joined = object_joined(&json!({"role": "admin", "age": 3}), false);
        assert!(joined == "role,admin,age,3" || joined == "age,3,role,admin", "{joined}");
        assert_eq!(object_joined(&json!({"role": "admin"}), true), "role=admin");
        assert_eq!(
            form_urlencoded(&json!({"first name": "Alex & co"})),
            "first%20name=Alex%20%26%20co"
        );
    }

    #[test]
    fn arrays_join_with_the_style_separator() {
        assert_eq!(join(&["a", "b"], '|'), "a|b");
        assert_eq!(join(&[1_i64, 2], ' '), "1 2");
        assert_eq!(json_text(&json!({"a": [1]})), r#"{"a":[1]}"#);
        assert_eq!(cookie_pair("session", "x"), "session=x");
    }
}
