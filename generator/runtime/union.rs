//! Decoding the unions the generator emits, and the JSON path of decode errors inside them.
//!
//! A union cannot know which member it holds before it has seen the whole value (a tag may come
//! last), so [`deserialize`] captures the value as JSON text and the generated code decodes the
//! member from that text with `serde_json::from_slice`, the one way every type is decoded (see
//! `decode.rs`). A member's failure is located in the captured text, and its path travels in the
//! error message as ``at `inner.path`: …`` until `refine_path` joins it back onto the outer one.
//! The member is decoded inside the deserializer's call for the union's value, so the outer error
//! is placed right after that value and its path ends at the union.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;
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
        let original = serde_json::from_slice::<Value>(&self.json);
        match (serde_json::from_slice::<Value>(round_trip), original) {
            (Ok(round_trip), Ok(original)) => count_dropped(&round_trip, &original),
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

/// Captures any JSON value as text (scalars written again, objects and arrays from the raw text
/// of their entries) and passes it to the union's `sink`, whose error becomes the value's.
struct CaptureVisitor<'a> {
    tag: Option<&'static str>,
    sink: &'a mut dyn FnMut(&Captured) -> Result<(), String>,
}

impl CaptureVisitor<'_> {
    fn finish<E: de::Error>(self, json: Vec<u8>, tag: Option<String>) -> Result<(), E> {
        (self.sink)(&Captured { json, tag }).map_err(E::custom)
    }

    fn scalar<E: de::Error>(self, json: Result<Vec<u8>, serde_json::Error>) -> Result<(), E> {
        self.finish(json.map_err(E::custom)?, None)
    }
}

impl<'de> Visitor<'de> for CaptureVisitor<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.scalar(serde_json::to_vec(&value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.scalar(serde_json::to_vec(&value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.scalar(serde_json::to_vec(&value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        self.scalar(serde_json::to_vec(&value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.scalar(serde_json::to_vec(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.finish(b"null".to_vec(), None)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let json = capture_seq(seq)?;
        self.finish(json, None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let (json, tag) = capture_map(map, self.tag)?;
        self.finish(json, tag)
    }
}

/// An array's text, from the raw text of its elements.
fn capture_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<u8>, A::Error> {
    let mut json = vec![b'['];
    while let Some(element) = seq.next_element::<Box<RawValue>>()? {
        if json.len() > 1 {
            json.push(b',');
        }
        json.extend_from_slice(element.get().as_bytes());
    }
    json.push(b']');
    Ok(json)
}

/// An object's text, from its keys and the raw text of its values, and the value of `tag`.
fn capture_map<'de, A: MapAccess<'de>>(mut map: A, tag: Option<&str>) -> Result<(Vec<u8>, Option<String>), A::Error> {
    let mut json = vec![b'{'];
    let mut tag_value = None;
    while let Some(key) = map.next_key::<String>()? {
        let value: Box<RawValue> = map.next_value()?;
        if json.len() > 1 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, &key).map_err(de::Error::custom)?;
        json.push(b':');
        json.extend_from_slice(value.get().as_bytes());
        if tag == Some(key.as_str()) {
            tag_value = serde_json::from_slice(value.get().as_bytes()).ok();
        }
    }
    json.push(b'}');
    Ok((json, tag_value))
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
    fn members_decode_from_values_too() {
        let task: Task = serde_json::from_value(json!({"type": "narrow", "model": "n"})).unwrap();
        assert_eq!(task, Task::Narrow(Narrow { model: "n".into() }));
    }
}
