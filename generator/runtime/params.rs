//! How parameter values become text: a scalar through [`QueryValue`], arrays and objects by
//! their OpenAPI `style` and `explode`, form bodies, and the percent-encoding of path segments
//! and query components. The generator decides the encoding per parameter; these functions only
//! carry it out.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

/// Bytes left as they are in a path segment or query component: the RFC 3986 unreserved set
/// `A-Z a-z 0-9 - . _ ~`. Everything else, including `/`, `?`, `&`, `=`, `,` and `+`, is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// What `application/x-www-form-urlencoded` leaves as it is: letters, digits and `*-._`.
const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

/// A value that can be written into a query string (before percent-encoding).
pub trait QueryValue {
    /// The unencoded text of the value, e.g. `true`, `42` or `2024-01-02T03:04:05Z`.
    fn to_query_value(&self) -> String;
}

impl QueryValue for str {
    fn to_query_value(&self) -> String {
        self.to_string()
    }
}

impl QueryValue for String {
    fn to_query_value(&self) -> String {
        self.clone()
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query_value(&self) -> String {
        (**self).to_query_value()
    }
}

/// Numbers and booleans use their `Display` form (`true`/`false`, `42`, `1.5`).
macro_rules! query_value_via_display {
    ($($ty:ty),*) => {
        $(
            impl QueryValue for $ty {
                fn to_query_value(&self) -> String {
                    self.to_string()
                }
            }
        )*
    };
}

query_value_via_display!(bool, i32, i64, u32, u64, f32, f64);

impl QueryValue for chrono::DateTime<chrono::Utc> {
    /// RFC 3339 with a `Z` suffix and only as many fraction digits as needed.
    fn to_query_value(&self) -> String {
        self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl QueryValue for chrono::NaiveDate {
    /// `YYYY-MM-DD`, the OpenAPI `date` format.
    fn to_query_value(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

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

/// `text` percent-encoded as one path segment or query component (see [`COMPONENT`]).
pub(crate) fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
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
    fn scalars_have_their_openapi_text_form() {
        let when = chrono::DateTime::parse_from_rfc3339("2024-01-02T03:04:05.120+00:00")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(when.to_query_value(), "2024-01-02T03:04:05.120Z");
        assert_eq!(day.to_query_value(), "2024-01-02");
        assert_eq!(
            (true.to_query_value(), (-1_i64).to_query_value()),
            ("true".into(), "-1".into())
        );
        assert_eq!(
            (1.5_f64.to_query_value(), 7_u32.to_query_value()),
            ("1.5".into(), "7".into())
        );
        assert_eq!((&&String::from("a b")).to_query_value(), "a b");
    }

    #[test]
    fn components_keep_only_unreserved_bytes() {
        assert_eq!(encode_component("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_component("a/b?c&d=e,f+g h"), "a%2Fb%3Fc%26d%3De%2Cf%2Bg%20h");
        assert_eq!(encode_component("ü{x}"), "%C3%BC%7Bx%7D");
    }

    #[test]
    fn arrays_join_with_the_style_separator() {
        assert_eq!(join(&["a", "b"], '|'), "a|b");
        assert_eq!(join(&[1_i64, 2], ' '), "1 2");
        assert_eq!(json_text(&json!({"a": [1]})), r#"{"a":[1]}"#);
        assert_eq!(cookie_pair("session", "x"), "session=x");
    }
}
