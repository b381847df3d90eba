//! Decoding the unions the generator emits, and the JSON path of decode errors inside them.
//!
//! A union cannot know which member it holds before it has seen the whole value (a tag may come
//! last), so [`deserialize`] captures the value as JSON text (written again token by token, from
//! any deserializer) and the generated code decodes the member from that text with
//! `serde_json::from_slice`, the one way every type is decoded (see `decode.rs`). A member's
//! failure is located in the captured text, and its path travels in the error message as
//! ``at `inner.path`: …`` until `refine_path` joins it back onto the outer one. The member is
//! decoded inside the deserializer's call for the union's value, so the outer error is placed
//! right after that value and its path ends at the union.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;

use crate::runtime::decode::failed_value_path;

const NESTED_START: &str = "at `";
const NESTED_END: &str = "`: ";

/// Deserializes a union: captures its value (and the value of the `tag` property, when the
/// union has one) and hands it to `decode`, the generated code that picks the member.
pub fn deserialize<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    tag: Option<&'static str>,
    decode: fn(&Captured) -> Result<T, String>,
) -> Result<T, D::Error> {
    // The visitor is the same type for every union (so `deserialize_any` is compiled once); it
    // calls `decode` through `sink` while the deserializer still holds the value.
    let mut decoded = None;
    let mut sink = |captured: &Captured| {
        decoded = Some(decode(captured)?);
        Ok(())
    };
    deserializer.deserialize_any(CaptureVisitor { tag, sink: &mut sink })?;
    decoded.ok_or_else(|| de::Error::custom("the union's value was not decoded"))
}

/// A union's value as JSON text, and its tag's value when it is a string.
pub struct Captured {
    json: Vec<u8>,
    tag: Option<String>,
    /// The value parsed, once, for [`Captured::dropped_keys`] (which every member tried needs).
    parsed: std::cell::OnceCell<Option<Value>>,
}

impl Captured {
    /// The value of the union's tag property, when it is there and a string.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// Decodes the value as the member `M`; a failure's message carries the path inside it.
    pub fn member<M: DeserializeOwned>(&self) -> Result<M, String> {
        serde_json::from_slice(&self.json).map_err(|error| self.member_error(&error))
    }

    /// A member's error as the message of the union's: the path inside the member in front.
    fn member_error(&self, error: &serde_json::Error) -> String {
        let path = failed_value_path(&self.json, error);
        let message = message_without_position(error);
        if path == "." {
            message
        } else {
            format!("{NESTED_START}{path}{NESTED_END}{message}")
        }
    }

    /// Decodes the value as the member `M`, or `None` (for trying members in turn).
    pub fn try_member<M: DeserializeOwned>(&self) -> Option<M> {
        serde_json::from_slice(&self.json).ok()
    }

    /// The value as it came, for a member this client version does not know.
    pub fn unknown(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.json).map_err(|error| error.to_string())
    }

    /// Decodes the value as the member `M`, and counts the keys it drops (see [`closest`]).
    pub fn fit<M: DeserializeOwned + Serialize, T>(&self, wrap: fn(M) -> T) -> Option<(usize, T)> {
        let member: M = serde_json::from_slice(&self.json).ok()?;
        // Through text rather than `serde_json::to_value`: the types are serialized to text for
        // request bodies already, and a second serializer would compile their `Serialize` again.
        let dropped = match serde_json::to_vec(&member) {
            Ok(round_trip) => self.dropped_keys(&round_trip),
            Err(_) => usize::MAX,
        };
        Some((dropped, wrap(member)))
    }

    /// How many keys with a non-null value the captured value has, at any depth, that a
    /// member no longer has once serialized again (`round_trip`). A member that ignores keys
    /// loses data; decoding without a tag prefers the member that loses the fewest (usually none).
    fn dropped_keys(&self, round_trip: &[u8]) -> usize {
        let original = self
            .parsed
            .get_or_init(|| serde_json::from_slice::<Value>(&self.json).ok());
        match (serde_json::from_slice::<Value>(round_trip), original) {
            (Ok(round_trip), Some(original)) => count_dropped(&round_trip, original),
            _ => usize::MAX,
        }
    }
}

/// One member's [`Captured::fit`]: the keys it drops and the union holding it, if it decodes.
pub type Fit<T> = fn(&Captured) -> Option<(usize, T)>;

/// Among the members that decode (each tried by [`Captured::fit`]), the first that drops no key
/// of the input, else the one that drops the fewest; `None` when no member decodes.
pub fn closest<T>(captured: &Captured, members: &[Fit<T>]) -> Option<T> {
    let mut best: Option<(usize, T)> = None;
    for fit in members {
        let Some((dropped, member)) = fit(captured) else {
            continue;
        };
        if dropped == 0 {
            return Some(member);
        }
        if best.as_ref().is_none_or(|(fewest, _)| dropped < *fewest) {
            best = Some((dropped, member));
        }
    }
    best.map(|(_, member)| member)
}

/// `serde_json`'s message without its ` at line L column C`, which is about the captured text.
fn message_without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => message,
    }
}

/// Captures a union's value as JSON text and passes it to the union's `sink`, whose error
/// becomes the value's. An object's `tag` property is looked at on the way.
struct CaptureVisitor<'a> {
    tag: Option<&'static str>,
    sink: &'a mut dyn FnMut(&Captured) -> Result<(), String>,
}

impl CaptureVisitor<'_> {
    fn finish<E: de::Error>(self, json: Vec<u8>, tag: Option<String>) -> Result<(), E> {
        (self.sink)(&Captured {
            json,
            tag,
            parsed: Default::default(),
        })
        .map_err(E::custom)
    }

    /// A value other than an object: written as it is, no tag.
    fn other<E: de::Error>(self, write: impl FnOnce(WriteJson) -> Result<(), E>) -> Result<(), E> {
        let mut json = Vec::new();
        write(WriteJson(&mut json))?;
        self.finish(json, None)
    }
}

impl<'de> Visitor<'de> for CaptureVisitor<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.other(|json| json.visit_bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.other(|json| json.visit_i64(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.other(|json| json.visit_u64(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        self.other(|json| json.visit_f64(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.other(|json| json.visit_str(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.other(|json| json.visit_unit())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.other(|json| json.visit_seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut json = vec![b'{'];
        let mut tag_value = None;
        while let Some(key) = map.next_key::<String>()? {
            if json.len() > 1 {
                json.push(b',');
            }
            serde_json::to_writer(&mut json, &key).map_err(de::Error::custom)?;
            json.push(b':');
            let value_start = json.len();
            map.next_value_seed(WriteJson(&mut json))?;
            if self.tag == Some(key.as_str()) {
                tag_value = serde_json::from_slice(&json[value_start..]).ok();
            }
        }
        json.push(b'}');
        self.finish(json, tag_value)
    }
}

/// Writes the JSON text of the value it is handed, from any self-describing deserializer (also
/// `serde_json::Value` and serde's buffered content), straight into one buffer.
struct WriteJson<'a>(&'a mut Vec<u8>);

impl WriteJson<'_> {
    fn write<E: de::Error, T: Serialize + ?Sized>(self, value: &T) -> Result<(), E> {
        serde_json::to_writer(self.0, value).map_err(E::custom)
    }
}

impl<'de> de::DeserializeSeed<'de> for WriteJson<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WriteJson<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        self.write(&value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.write(value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let json = self.0;
        json.push(b'[');
        let first = json.len();
        loop {
            // The comma goes in before the element is known to exist, and out again if not.
            let mark = json.len();
            if mark > first {
                json.push(b',');
            }
            if seq.next_element_seed(WriteJson(json))?.is_none() {
                json.truncate(mark);
                break;
            }
        }
        json.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let json = self.0;
        json.push(b'{');
        let first = json.len();
        loop {
            let mark = json.len();
            if mark > first {
                json.push(b',');
            }
            if map.next_key_seed(WriteJson(json))?.is_none() {
                json.truncate(mark);
                break;
            }
            json.push(b':');
            map.next_value_seed(WriteJson(json))?;
        }
        json.push(b'}');
        Ok(())
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

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Narrow {
        model: String,
    }

    fn captured(value: Value) -> Captured {
        Captured {
            json: value.to_string().into_bytes(),
            tag: None,
            parsed: Default::default(),
        }
    }

    #[test]
    fn fit_counts_the_keys_a_member_ignored() {
        let original = json!({"model": "m", "inputs": {"q": 1}, "extra": [1], "ignored": null});
        let keep = |narrow: Narrow| narrow;
        assert_eq!(captured(original).fit(keep).map(|(dropped, _)| dropped), Some(2));
        let exact = json!({"model": "m", "ignored": null});
        assert_eq!(captured(exact).fit(keep).map(|(dropped, _)| dropped), Some(0));
        assert!(captured(json!({"model": 1})).fit(keep).is_none());
    }

    /// A tagged union the way the generator writes one.
    #[derive(Debug, PartialEq, serde::Serialize)]
    #[serde(untagged)]
    enum Task {
        Chat(Chat),
        Narrow(Narrow),
        Unknown(Value),
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Chat {
        model: String,
        messages: Vec<String>,
    }

    impl<'de> serde::Deserialize<'de> for Task {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize(deserializer, Some("type"), |value| match value.tag() {
                Some("chat") => value.member().map(Self::Chat),
                Some("narrow") => value.member().map(Self::Narrow),
                Some(_) => value.unknown().map(Self::Unknown),
                None => closest(value, &[|v| v.fit(Self::Narrow), |v| v.fit(Self::Chat)])
                    .ok_or_else(|| "no member matches".to_owned()),
            })
        }
    }

    #[test]
    fn the_tag_picks_the_member_wherever_it_stands() {
        let tasks: Vec<Task> = serde_json::from_str(
            r#"[{"model": "m", "type": "chat", "messages": ["hi"]}, {"type": "narrow", "model": "n"},
                {"type": "new", "x": [1, {"y": null}]}]"#,
        )
        .unwrap();
        let chat = Chat {
            model: "m".into(),
            messages: vec!["hi".into()],
        };
        assert_eq!(tasks[0], Task::Chat(chat));
        assert_eq!(tasks[1], Task::Narrow(Narrow { model: "n".into() }));
        assert_eq!(tasks[2], Task::Unknown(json!({"type": "new", "x": [1, {"y": null}]})));
    }

    #[test]
    fn without_the_tag_the_member_that_keeps_every_key_wins() {
        let task: Task = serde_json::from_str(r#"{"model": "m", "messages": []}"#).unwrap();
        assert!(matches!(task, Task::Chat(_)), "{task:?}");
        let task: Task = serde_json::from_str(r#"{"model": "m", "extra": 1}"#).unwrap();
        assert!(matches!(task, Task::Narrow(_)), "{task:?}");
        let error = serde_json::from_str::<Task>(r#"{"messages": []}"#).unwrap_err();
        assert!(error.to_string().starts_with("no member matches"), "{error}");
    }

    #[test]
    fn a_member_failure_carries_its_inner_path_and_no_inner_position() {
        let error =
            serde_json::from_str::<Task>(r#"{"type": "chat", "model": "m", "messages": ["a", 5]}"#).unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.starts_with("at `messages[1]`: invalid type: integer `5`"),
            "{shown}"
        );
        assert_eq!(shown.matches(" at line ").count(), 1, "{shown}");
    }

    #[test]
    fn the_captured_text_keeps_every_kind_of_value() {
        let text = r#"{"type":"new","s":"a\"b\u00e9","n":-3,"u":18446744073709551615,"f":0.1,"t":true,"z":null,"a":[[],{}],"o":{"k":[1,"x"]}}"#;
        let Task::Unknown(value) = serde_json::from_str::<Task>(text).unwrap() else {
            panic!("an unknown member")
        };
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn members_decode_from_buffered_content() {
        // A flattened map is buffered by serde before its values are decoded.
        #[derive(Debug, serde::Deserialize)]
        struct Holder {
            #[allow(dead_code)]
            name: String,
            #[serde(flatten)]
            rest: std::collections::BTreeMap<String, Task>,
        }
        let holder: Holder = serde_json::from_str(
            r#"{"name": "h", "a": {"type": "narrow", "model": "n"}, "b": {"type": "new", "x": [1, 2.5, null]}}"#,
        )
        .unwrap();
        assert_eq!(holder.rest["a"], Task::Narrow(Narrow { model: "n".into() }));
        assert_eq!(
            holder.rest["b"],
            Task::Unknown(json!({"type": "new", "x": [1, 2.5, null]}))
        );
    }

    #[test]
    fn members_decode_from_values_too() {
        let task: Task = serde_json::from_value(json!({"type": "narrow", "model": "n"})).unwrap();
        assert_eq!(task, Task::Narrow(Narrow { model: "n".into() }));
    }
}
