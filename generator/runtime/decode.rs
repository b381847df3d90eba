//! Decoding 2xx JSON bodies into the generated types, with errors that say where decoding
//! failed (the JSON path) and how the body starts.
//!
//! Every type is decoded one way only: by `serde_json` from bytes. The path of a failure is not
//! tracked while decoding (a tracking deserializer would compile every type's `Deserialize` a
//! second time); it is read back from the text, at the byte where `serde_json` stopped.

use crate::runtime::error::Error;
use crate::runtime::operation::Operation;
use crate::runtime::response::Response;
use crate::runtime::union;

/// Decodes the body of a 2xx response into `T`, with the same error (JSON path, body start) as
/// [`RequestBuilder::send_json`](crate::runtime::RequestBuilder::send_json). For operations whose successes differ by status code: the
/// generated [`FromStatus`](crate::runtime::FromStatus) impls decode per status with it.
pub fn decode_json_body<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    response: &Response<Vec<u8>>,
) -> Result<T, Error> {
    decode_json(operation, response.status, &response.value)
}

/// Decodes a 2xx body; a failure names the JSON path of the value that did not decode.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(json).map_err(|error| decode_error(operation, status, body, json, error))
}

/// The error for a body that did not decode; not generic, so compiled once for every type.
fn decode_error(
    operation: &'static Operation,
    status: u16,
    body: &[u8],
    json: &[u8],
    error: serde_json::Error,
) -> Error {
    let path = error_path(json, &error);
    Error::decode(operation, status, body, path, error)
}

/// The JSON path (e.g. `items[0].status`) of the value `json` failed to decode at.
pub(crate) fn error_path(json: &[u8], error: &serde_json::Error) -> String {
    union::refine_path(failed_value_path(json, error), &error.to_string())
}

/// Decodes a closed enum's value: the index of the string in `values` (what it is on the wire),
/// or serde's "unknown variant" error for another string. One visitor serves every enum, and
/// the error is raised while the string is read, so its path ends at it.
pub fn decode_one_of<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    values: &'static [&'static str],
) -> Result<usize, D::Error> {
    deserializer.deserialize_str(OneOf(values))
}

struct OneOf(&'static [&'static str]);

impl serde::de::Visitor<'_> for OneOf {
    type Value = usize;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(formatter, "one of {:?}", self.0)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<usize, E> {
        let found = self.0.iter().position(|known| *known == value);
        found.ok_or_else(|| E::unknown_variant(value, self.0))
    }
}

/// A key of a generated struct, decoded as the index of its field (`lookup`, the struct's own
/// `match` on the wire names): `None` for a key the struct does not declare, an error instead
/// when the struct denies unknown keys. Generic over `lookup` so that the match is inlined: as a
/// function pointer it decoded a 1,000-item page about 3% slower than serde's derive.
#[derive(Clone, Copy)]
pub struct FieldKey<L> {
    /// The wire names, in field order (for the error about an unknown key).
    pub fields: &'static [&'static str],
    pub lookup: L,
    pub deny_unknown: bool,
}

impl<'de, L: Fn(&str) -> Option<usize>> serde::de::DeserializeSeed<'de> for FieldKey<L> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<L: Fn(&str) -> Option<usize>> serde::de::Visitor<'_> for FieldKey<L> {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        match (self.lookup)(key) {
            None if self.deny_unknown => Err(E::unknown_field(key, self.fields)),
            found => Ok(found),
        }
    }
}

/// The slot of a struct's field (named by its wire name) before the field is seen.
pub const fn empty_slot<T>(_wire: &str) -> Option<T> {
    None
}

/// Decodes the value of a struct's field into its slot; a field given twice is serde's
/// "duplicate field" error.
pub fn fill_field<'de, T: serde::Deserialize<'de>, A: serde::de::MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Writes a generated struct's `Deserialize`, from a JSON object only: serde's derive also writes
/// a `visit_seq` (a struct from an array) and an enum of field names per struct, all compiled for
/// every struct that is decoded. Otherwise it decodes as serde's derive does: a missing field is
/// an error unless it is `optional` (its type's default: `None`, `Nullable::Absent`), a repeated
/// field is an error, and an unknown key is skipped, or an error with `deny_unknown: true`.
///
/// ```ignore
/// // in `impl Deserialize for Widget`:
/// struct_from_map!(
///     deserializer,
///     Widget,
///     deny_unknown = false,
///     (0, "id", required, id),
///     (1, "type", optional, r#type),
/// );
/// ```
// Unused in a crate whose structs all keep undeclared properties (or that has none).
#[allow(unused_macros)]
macro_rules! struct_from_map {
    ($deserializer:ident, $name:ident, deny_unknown = $deny:literal, $(($index:tt, $wire:literal, $missing:ident, $field:ident)),* $(,)?) => {{
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = $name;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str(concat!("struct ", stringify!($name)))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                // A `match` on the key text: compiled to a comparison by length first, which a
                // search through the list of wire names is not.
                fn lookup(key: &str) -> Option<usize> {
                    match key {
                        $($wire => Some($index),)*
                        _ => None,
                    }
                }
                const FIELDS: &[&str] = &[$($wire),*];
                // One slot per field, in field order; each slot's type is inferred from its field.
                let mut slots = ($(crate::runtime::decode::empty_slot($wire),)*);
                let key = crate::runtime::decode::FieldKey { fields: FIELDS, lookup, deny_unknown: $deny };
                while let Some(found) = map.next_key_seed(key)? {
                    match found {
                        $(Some($index) => crate::runtime::decode::fill_field(&mut slots.$index, &mut map, $wire)?,)*
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok($name {
                    $($field: crate::runtime::decode::struct_from_map!(@missing $missing, slots.$index, $wire),)*
                })
            }
        }
        $deserializer.deserialize_map(Visitor)
    }};
    (@missing required, $slot:expr, $wire:literal) => {
        match $slot {
            Some(value) => value,
            None => return Err(serde::de::Error::missing_field($wire)),
        }
    };
    (@missing optional, $slot:expr, $wire:literal) => {
        $slot.unwrap_or_default()
    };
}
#[allow(unused_imports)]
pub(crate) use struct_from_map;

/// The path of the value `serde_json` could not decode: `items[1].created_at`, or `.` for the
/// whole document. Unions add the paths inside their members to the message (see `union.rs`).
pub(crate) fn failed_value_path(json: &[u8], error: &serde_json::Error) -> String {
    // No position: the error came from the top-level value's own `Deserialize`, after the value.
    if error.line() == 0 {
        return ".".to_owned();
    }
    let stop = byte_offset(json, error.line(), error.column());
    // `serde_json` stops right after the value it could not take, or in front of it when it
    // is an object or an array of the wrong type (the byte after a whole value is never `{` or `[`).
    let target = match json.get(stop) {
        Some(b'{' | b'[') => stop,
        _ => stop.saturating_sub(1),
    };
    path_at(json, target)
}

/// The offset of a `serde_json` error position: `column` bytes into the one-based `line`.
fn byte_offset(json: &[u8], line: usize, column: usize) -> usize {
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(newlines_before) => json
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(newlines_before)
            .map_or(json.len(), |(newline, _)| newline + 1),
    };
    (line_start + column).min(json.len())
}

/// The path of the innermost value whose text holds the byte at `target`; `.` when none does.
fn path_at(json: &[u8], target: usize) -> String {
    let mut scan = PathScan { json, at: 0, target };
    let mut path = Vec::new();
    if !scan.value(&mut path, 0) {
        path.clear();
    }
    let mut text = String::new();
    for segment in &path {
        match segment {
            Segment::Key(key) if text.is_empty() => text.push_str(key),
            Segment::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Segment::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    if text.is_empty() {
        text.push('.');
    }
    text
}

enum Segment {
    Key(String),
    Index(usize),
}

/// Deeper than `serde_json` decodes (128); past it the scan stops descending.
const MAX_SCAN_DEPTH: usize = 256;

/// A forward scan of JSON text that tolerates broken text (a failed decode may have been a
/// syntax error): where the text breaks, the containers still open run to its end.
struct PathScan<'a> {
    json: &'a [u8],
    at: usize,
    target: usize,
}

impl PathScan<'_> {
    /// Scans one value; true when it holds `target`, and then `path` ends at the innermost value
    /// that does.
    fn value(&mut self, path: &mut Vec<Segment>, depth: usize) -> bool {
        self.skip_whitespace();
        let start = self.at;
        if start > self.target {
            return false;
        }
        match self.json.get(start) {
            Some(b'{' | b'[') if depth >= MAX_SCAN_DEPTH => return true,
            Some(b'{') => {
                self.at += 1;
                if self.members(path, depth) {
                    return true;
                }
            }
            Some(b'[') => {
                self.at += 1;
                if self.elements(path, depth) {
                    return true;
                }
            }
            Some(b'"') => self.string(),
            _ => {
                while let Some(byte) = self.json.get(self.at) {
                    if byte.is_ascii_whitespace() || b",:]}[{\"".contains(byte) {
                        break;
                    }
                    self.at += 1;
                }
            }
        }
        self.target < self.at
    }

    /// The members of an object, after its `{`; true when one of them holds `target`.
    fn members(&mut self, path: &mut Vec<Segment>, depth: usize) -> bool {
        loop {
            self.skip_whitespace();
            if self.eat(b'}') {
                return false;
            }
            let key_start = self.at;
            if self.json.get(key_start) != Some(&b'"') {
                return self.broken();
            }
            self.string();
            let key = decode_key(&self.json[key_start..self.at]);
            self.skip_whitespace();
            if !self.eat(b':') {
                return self.broken();
            }
            path.push(Segment::Key(key));
            if self.value(path, depth + 1) {
                return true;
            }
            path.pop();
            self.skip_whitespace();
            if self.eat(b'}') {
                return false;
            }
            if !self.eat(b',') {
                return self.broken();
            }
        }
    }

    /// The elements of an array, after its `[`; true when one of them holds `target`.
    fn elements(&mut self, path: &mut Vec<Segment>, depth: usize) -> bool {
        self.skip_whitespace();
        if self.eat(b']') {
            return false;
        }
        for index in 0.. {
            path.push(Segment::Index(index));
            if self.value(path, depth + 1) {
                return true;
            }
            path.pop();
            self.skip_whitespace();
            if self.eat(b']') {
                return false;
            }
            if !self.eat(b',') {
                break;
            }
        }
        self.broken()
    }

    /// The text breaks here: the containers open around this point run to its end.
    fn broken(&mut self) -> bool {
        self.at = self.json.len();
        false
    }

    /// A string, from its opening quote to after its closing one (or the end of the text).
    fn string(&mut self) {
        self.at += 1;
        while let Some(byte) = self.json.get(self.at) {
            self.at += if *byte == b'\\' { 2 } else { 1 };
            if *byte == b'"' {
                break;
            }
        }
        self.at = self.at.min(self.json.len());
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.json.get(self.at) == Some(&byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_whitespace(&mut self) {
        while self.json.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }
}

/// An object key as it reads once unescaped (the quoted text as it is, if it does not decode).
fn decode_key(quoted: &[u8]) -> String {
    serde_json::from_slice(quoted).unwrap_or_else(|_| {
        let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default();
        String::from_utf8_lossy(inner).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, request_line, response, runtime};

    static GET: Operation = Operation {
        id: "getWidget",
        method: Method::Get,
        path: "/v1/widgets/{widget_id}",
    };
    static LIST: Operation = Operation {
        id: "listWidgets",
        method: Method::Get,
        path: "/v1/widgets",
    };
    static ITEM: Operation = Operation {
        id: "getItem",
        method: Method::Delete,
        path: "/v1/widgets/{widget_id}/items/{item_id}",
    };

    #[test]
    fn decode_json_body_decodes_or_names_the_status_and_path() {
        let ok = Response::new(br#"{"id":"w_1"}"#.to_vec(), 201, Default::default(), 1);
        let value: serde_json::Value = decode_json_body(&GET, &ok).unwrap();
        assert_eq!(value["id"], "w_1");

        let bad = Response::new(br#"{"id":1}"#.to_vec(), 202, Default::default(), 1);
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Widget {
            id: String,
        }
        let error = decode_json_body::<Widget>(&GET, &bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!((error.status(), error.decode_path()), (Some(202), Some("id")));
        assert!(error.request_sent());
    }

    #[tokio::test]
    async fn empty_success_body_decodes_as_null() {
        let server = test_server::serve(vec![response("204 No Content", ""), response("200 OK", "")]).await;
        let rt = runtime(&server.base_url);
        let request = || {
            rt.request(&ITEM)
                .path_param("widget_id", "e")
                .path_param("item_id", "i")
        };
        // Decodes (as `()`) rather than failing on the empty body.
        request().send_json::<()>().await.unwrap();
        let value = request().send_json::<serde_json::Value>().await.unwrap();
        assert_eq!(value, serde_json::Value::Null);
        let requests = server.requests().await;
        assert_eq!(request_line(&requests[0]), "DELETE /v1/widgets/e/items/i HTTP/1.1");
    }

    #[tokio::test]
    async fn decode_failure_reports_path_and_body_start() {
        let body = r#"{"items":[{"created_at":"2024-01-01T00:00:00Z"},{"created_at":"yesterday"}]}"#;
        let server = test_server::serve(vec![response("200 OK", body)]).await;
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            created_at: chrono::DateTime<chrono::Utc>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Item>,
        }
        let error = runtime(&server.base_url)
            .request(&GET)
            .path_param("widget_id", "w 1")
            .send_json::<Page>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("items[1].created_at"));
        assert_eq!(error.status(), Some(200));
        let shown = error.to_string();
        assert!(
            shown.starts_with(
                "GET /v1/widgets/{widget_id} (getWidget): could not decode response at `items[1].created_at`: "
            ),
            "{shown}"
        );
        assert!(shown.ends_with(&format!("; body starts: {body}")), "{shown}");
        assert!(!shown.contains("w%201"), "{shown}");
    }

    mod shapes {
        //! A page of items decoded the way the generated types are: nested structs, arrays, maps,
        //! an enum and a union, to compare the paths read back from the text with the tracked ones.
        use crate::runtime::union::{self, Captured};
        use std::collections::BTreeMap;

        /// `Deserialize` as the generator writes it for a struct.
        macro_rules! from_map {
            ($name:ident, $deny:literal, $($fields:tt),*) => {
                impl<'de> serde::Deserialize<'de> for $name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        struct_from_map!(deserializer, $name, deny_unknown = $deny, $($fields),*)
                    }
                }
            };
        }

        #[derive(Debug)]
        #[allow(dead_code)]
        pub struct Page {
            pub items: Vec<Item>,
            pub total: u32,
        }
        from_map!(
            Page,
            false,
            (0, "items", required, items),
            (1, "total", required, total)
        );

        #[derive(Debug)]
        #[allow(dead_code)]
        pub struct Item {
            pub id: String,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub tags: Option<Vec<String>>,
            pub creator: Creator,
            pub status: Status,
            pub counts: BTreeMap<String, u32>,
            pub shape: Option<Shape>,
        }
        from_map!(
            Item,
            false,
            (0, "id", required, id),
            (1, "created_at", required, created_at),
            (2, "tags", optional, tags),
            (3, "creator", required, creator),
            (4, "status", required, status),
            (5, "counts", optional, counts),
            (6, "shape", optional, shape)
        );

        #[derive(Debug, PartialEq)]
        #[allow(dead_code)]
        pub struct Creator {
            pub id: String,
            pub kind: Option<String>,
        }
        from_map!(Creator, true, (0, "id", required, id), (1, "type", optional, kind));

        /// A closed enum, decoded the way the generated ones are.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Status {
            Open,
            Closed,
        }

        impl<'de> serde::Deserialize<'de> for Status {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const VALUES: [Status; 2] = [Status::Open, Status::Closed];
                super::decode_one_of(deserializer, &["open", "closed"]).map(|index| VALUES[index])
            }
        }

        #[derive(Debug)]
        #[allow(dead_code)]
        pub struct Circle {
            pub radius: f64,
            pub center: Vec<f64>,
        }
        from_map!(
            Circle,
            false,
            (0, "radius", required, radius),
            (1, "center", required, center)
        );

        #[derive(Debug)]
        #[allow(dead_code)]
        pub enum Shape {
            Circle(Circle),
        }

        impl<'de> serde::Deserialize<'de> for Shape {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                union::deserialize(deserializer, Some("kind"), |value: &Captured| match value.tag() {
                    Some("circle") => value.member().map(Shape::Circle),
                    _ => Err("unknown `kind` value in Shape".to_owned()),
                })
            }
        }
    }

    /// The path a tracking deserializer (`serde_path_to_error`) records for the same failure.
    fn tracked_path(json: &[u8]) -> String {
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let error = serde_path_to_error::deserialize::<_, shapes::Page>(&mut deserializer).unwrap_err();
        union::refine_path(error.path().to_string(), &error.inner().to_string())
    }

    #[test]
    fn paths_read_back_from_the_text_are_the_tracked_paths() {
        use serde_json::json;
        let item = |id: &str| {
            json!({
                "id": id,
                "created_at": "2024-01-01T00:00:00Z",
                "tags": ["a", "b"],
                "creator": {"id": "u_1", "type": "user"},
                "status": "open",
                "counts": {"x": 1, "y": 2},
                "shape": {"center": [0.0, 1.5], "kind": "circle", "radius": 2.0},
            })
        };
        type Damage = fn(&mut serde_json::Value);
        let damages: [(&str, Damage); 17] = [
            ("wrong scalar", |item| item["id"] = json!(7)),
            ("bad timestamp", |item| item["created_at"] = json!("yesterday")),
            ("missing field", |item| {
                drop(item.as_object_mut().unwrap().remove("creator"))
            }),
            ("missing nested field", |item| {
                drop(item["creator"].as_object_mut().unwrap().remove("id"))
            }),
            ("object for a string", |item| item["id"] = json!({"a": [1]})),
            ("array for a struct", |item| item["creator"] = json!(["u_1"])),
            ("object for an array", |item| item["tags"] = json!({"a": 1})),
            ("array element", |item| item["tags"][1] = json!(false)),
            ("null element", |item| item["tags"][0] = json!(null)),
            ("unknown variant", |item| item["status"] = json!("paused")),
            ("map value", |item| item["counts"]["y"] = json!(-1)),
            ("map of the wrong type", |item| item["counts"] = json!("many")),
            ("escaped key", |item| item["counts"] = json!({"a.\"b\u{e9}": "x"})),
            ("union member field", |item| item["shape"]["radius"] = json!("big")),
            ("union member array", |item| item["shape"]["center"][1] = json!("far")),
            ("union member missing field", |item| {
                drop(item["shape"].as_object_mut().unwrap().remove("radius"))
            }),
            ("union tag unknown", |item| item["shape"]["kind"] = json!("square")),
        ];
        for (name, damage) in damages {
            let mut second = item("i_2");
            damage(&mut second);
            let page = json!({"items": [item("i_1"), second], "total": 2});
            for text in [page.to_string(), serde_json::to_string_pretty(&page).unwrap()] {
                let Err(error) = decode_json::<shapes::Page>(&GET, 200, text.as_bytes()) else {
                    panic!("{name}: decoded {text}")
                };
                let ours = error.decode_path().unwrap();
                assert_eq!(ours, tracked_path(text.as_bytes()), "{name}: {text}");
                assert!(ours.starts_with("items[1]"), "{name}: {ours}");
            }
        }
        let top = [
            r#"{"items": [], "total": -2}"#,
            r#"{"items": {}, "total": 0}"#,
            r#"{"items": []}"#,
            "[]",
            "7",
        ];
        for text in top {
            let error = decode_json::<shapes::Page>(&GET, 200, text.as_bytes()).unwrap_err();
            assert_eq!(error.decode_path().unwrap(), tracked_path(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn closed_enums_decode_their_wire_values_and_name_the_others() {
        use shapes::Status;
        let statuses: Vec<Status> = serde_json::from_str(r#"["closed", "open"]"#).unwrap();
        assert_eq!(statuses, [Status::Closed, Status::Open]);
        let error = serde_json::from_str::<Status>(r#""paused""#).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("unknown variant `paused`, expected `open` or `closed`"),
            "{error}"
        );
        let error = serde_json::from_str::<Status>("5").unwrap_err();
        assert!(error.to_string().starts_with("invalid type: integer `5`"), "{error}");
    }

    #[test]
    fn structs_decode_like_serde_derive() {
        use shapes::Creator;
        let creator: Creator = serde_json::from_str(r#"{"id": "u_1"}"#).unwrap();
        assert_eq!(
            creator,
            Creator {
                id: "u_1".into(),
                kind: None
            }
        );
        let creator: Creator = serde_json::from_str(r#"{"type": null, "id": "u_1"}"#).unwrap();
        assert_eq!(creator.kind, None);
        for (text, message) in [
            (r#"{"type": "user"}"#, "missing field `id`"),
            (r#"{"id": "a", "id": "b"}"#, "duplicate field `id`"),
            (
                r#"{"id": "a", "role": "b"}"#,
                "unknown field `role`, expected `id` or `type`",
            ),
            (r#"["a", "b"]"#, "invalid type: sequence, expected struct Creator"),
        ] {
            let error = serde_json::from_str::<Creator>(text).unwrap_err().to_string();
            assert!(error.starts_with(message), "{text}: {error}");
        }
    }

    #[test]
    fn broken_text_still_gets_a_path() {
        for (text, path) in [
            (r#"{"items": [{"id": "i_1", "#, "items[0]"),
            (r#"{"items": [{"id": i_1}]}"#, "items[0].id"),
            (r#"{"items": [], "total": 1,}"#, "."),
            ("", "."),
        ] {
            let error = decode_json::<shapes::Page>(&GET, 200, text.as_bytes()).unwrap_err();
            assert_eq!(error.decode_path(), Some(path), "{text}");
        }
    }

    #[tokio::test]
    async fn trailing_garbage_is_a_decode_error() {
        let server = test_server::serve(vec![response("200 OK", "{} x")]).await;
        let error = runtime(&server.base_url)
            .request(&LIST)
            .send_json::<serde_json::Value>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("."));
    }
}
