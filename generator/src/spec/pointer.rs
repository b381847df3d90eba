//! JSON pointers (RFC 6901) into the spec document: the one place that escapes, unescapes, joins,
//! rebases and resolves them. Diagnostics name places with these pointers, `$ref`s are resolved with them, and the
//! line index is keyed by them.

use serde_json::Value;

/// Escapes one reference token for a JSON pointer (RFC 6901): `~` → `~0`, `/` → `~1`.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one token to a pointer such as `#/paths`.
pub(crate) fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
}

/// `pointer` with its leading `from` (a whole token path: `/a/b` covers `/a/b/c`, not `/a/bc`)
/// replaced by `to`; `None` when `pointer` is not under `from`.
pub(crate) fn rebase(pointer: &str, from: &str, to: &str) -> Option<String> {
    let rest = pointer.strip_prefix(from)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| format!("{to}{rest}"))
}

/// Resolves a local reference or pointer (`#/components/schemas/Item`, `#` for the root) in `root`.
/// Returns `None` for anything that does not resolve, including references that are not local.
pub(crate) fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    reference_tokens(reference)?
        .iter()
        .try_fold(root, |node, token| match node {
            Value::Object(map) => map.get(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|index| items.get(index)),
            _ => None,
        })
}

/// Splits a local reference into its tokens: `#/paths/~1v5~1items` → `["paths", "/v5/items"]`.
///
/// Tokens are percent-decoded (a `$ref` is a URI fragment) and then unescaped (`~1` → `/`, `~0` → `~`).
/// `None` when the reference is not a local JSON pointer (no leading `#`, or `#name` anchors).
pub(crate) fn reference_tokens(reference: &str) -> Option<Vec<String>> {
    let path = reference.strip_prefix('#')?;
    if path.is_empty() {
        return Some(Vec::new());
    }
    let path = path.strip_prefix('/')?;
    Some(
        path.split('/')
            .map(|token| unescape_token(&percent_decode(token)))
            .collect(),
    )
}

/// Undoes RFC 6901 escaping of one token.
pub(crate) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept as written.
fn percent_decode(token: &str) -> String {
    if !token.contains('%') {
        return token.to_string();
    }
    let bytes = token.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        let escaped = match (first, tail) {
            (b'%', [high, low, ..]) => hex_value(*high).zip(hex_value(*low)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                rest = tail.get(2..).unwrap_or(&[]);
            }
            None => {
                decoded.push(first);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_resolve_with_escapes_and_indices() {
        let doc = json!({"paths": {"/a/{id}": {"get": {"parameters": [{"name": "id"}]}}}, "t~x": 1});
        let found = resolve(&doc, "#/paths/~1a~1{id}/get/parameters/0/name");
        assert_eq!(found, Some(&json!("id")));
        assert_eq!(
            resolve(&doc, "#/paths/~1a~1%7Bid%7D/get/parameters/0/name"),
            Some(&json!("id"))
        );
        assert_eq!(resolve(&doc, "#/t~0x"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "#"), Some(&doc));
        assert_eq!(resolve(&doc, "#/paths/~1a~1{id}/get/parameters/1"), None);
        assert_eq!(resolve(&doc, "#/paths/~1a~1{id}/get/parameters/x"), None);
        assert_eq!(resolve(&doc, "other.yaml#/a"), None);
        assert_eq!(resolve(&doc, "#paths"), None);
    }

    #[test]
    fn tokens_and_percent_decoding() {
        assert_eq!(
            reference_tokens("#/paths/~1v5~1items"),
            Some(vec!["paths".to_string(), "/v5/items".to_string()])
        );
        assert_eq!(reference_tokens("#"), Some(Vec::new()));
        assert_eq!(reference_tokens("a.yaml#/b"), None);
        assert_eq!(percent_decode("a%20b%zz%4"), "a b%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
