//! Where a diagnostic points, worked out without the generator: its pointer read by RFC 6901 alone,
//! and the line of a node found in the mutant's text by this file's own means.
//!
//! How a pointer is read. A diagnostic writes `#` and then a JSON pointer in its plain string form
//! (RFC 6901 section 5), as in `#/paths/~1v5~1items/get`. The `#` only says "in this document": the
//! rest is not read as a URI fragment (RFC 6901 section 6), so nothing is percent-decoded and `%` is
//! a character like any other (`#/components/schemas/a%20b` names the key `a%20b`). A diagnostic's
//! pointer is there for a reader to find the node, so it spells keys the way the document does;
//! `$ref` values are URI fragments, but those are data in the document, not what is checked here.
//! Well-formed means `#` alone (the root) or `#/` and tokens separated by `/`, where every `~` is
//! followed by `0` or `1`; anything else is rejected.
//!
//! How a line is found. The line of a mapping entry is the line of its key, the line of a list item
//! is where the item starts, the root is where its first node starts. JSON text (first character `{`,
//! as the loader decides) is walked by a small scanner below that counts newlines. YAML text is walked
//! by serde_yaml with a visitor that follows the pointer and, at the node, fails on purpose: serde_yaml
//! stamps every error from a visitor with the position of the event being read (the key's scalar for
//! a mapping entry, the node itself otherwise), so the error carries the node's line. That is one
//! parse of the text per node looked up. A repeated key is resolved to its last occurrence, as both
//! parsers do; when the text has one at all (one walk over it tells), a walk per node first counts
//! the occurrences on the way.
//! Aliases are not handled (serde_yaml would report the anchored node's line): no input spec has an
//! anchor and a text mutation inserts at most one of `&a` and `*a`, so no mutant that parses has one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The reference tokens of a diagnostic's pointer, unescaped (`~1` → `/`, then `~0` → `~`).
pub fn pointer_tokens(pointer: &str) -> Result<Vec<String>, String> {
    let Some(path) = pointer.strip_prefix('#') else {
        return Err(format!("pointer {pointer:?} does not start with `#`"));
    };
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(path) = path.strip_prefix('/') else {
        return Err(format!("pointer {pointer:?}: after `#` comes `/` or nothing"));
    };
    path.split('/').map(|token| unescape(token, pointer)).collect()
}

fn unescape(token: &str, pointer: &str) -> Result<String, String> {
    let mut rest = token;
    while let Some(at) = rest.find('~') {
        match rest.as_bytes().get(at + 1) {
            Some(b'0' | b'1') => rest = &rest[at + 2..],
            _ => return Err(format!("pointer {pointer:?}: `~` not followed by 0 or 1 in {token:?}")),
        }
    }
    Ok(token.replace("~1", "/").replace("~0", "~"))
}

/// How many leading tokens name nodes of `doc`: all of them when the pointer resolves.
pub fn existing_depth(doc: &Value, tokens: &[String]) -> usize {
    let mut node = doc;
    for (depth, token) in tokens.iter().enumerate() {
        let child = match node {
            Value::Object(map) => map.get(token),
            Value::Array(items) => array_index(token).and_then(|index| items.get(index)),
            _ => None,
        };
        match child {
            Some(child) => node = child,
            None => return depth,
        }
    }
    tokens.len()
}

/// An array index as RFC 6901 spells it: `0`, or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    let canonical = token == "0" || (!token.starts_with('0') && !token.is_empty());
    if canonical && token.bytes().all(|b| b.is_ascii_digit()) {
        token.parse().ok()
    } else {
        None
    }
}

/// Finds the lines of nodes in one text (which must parse).
pub struct LineFinder<'t> {
    /// The text without a byte order mark (the loader drops it; it is not on any line of its own).
    body: &'t str,
    json: bool,
    /// Whether some mapping of the YAML text repeats a key; found out on the first look-up.
    repeats_keys: Option<bool>,
}

impl<'t> LineFinder<'t> {
    /// `may_repeat_keys` is false for a text written from a parsed document, which cannot hold a
    /// key twice in one mapping: the walk that looks for repeated keys is then saved.
    pub fn new(text: &'t str, may_repeat_keys: bool) -> Self {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        LineFinder {
            body,
            json: body.trim_start().starts_with('{'),
            repeats_keys: (!may_repeat_keys).then_some(false),
        }
    }

    /// JSON text, read the way the loader reads it (first character `{`).
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The 1-based line of the node that `tokens` name (it must exist in the parsed document).
    pub fn line_of(&mut self, tokens: &[String]) -> Option<usize> {
        if self.json {
            return JsonCursor::new(self.body).line_of(tokens);
        }
        let body = self.body;
        let repeats_keys = *self.repeats_keys.get_or_insert_with(|| yaml_repeats_keys(body));
        yaml_line_of(body, tokens, repeats_keys)
    }
}

// ---------------------------------------------------------------------------------------------------
// JSON: a scanner that knows its line

struct JsonCursor<'t> {
    bytes: &'t [u8],
    at: usize,
    line: usize,
}

impl<'t> JsonCursor<'t> {
    fn new(text: &'t str) -> Self {
        JsonCursor {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(byte @ (b' ' | b'\t' | b'\r' | b'\n')) = self.peek() {
            self.line += usize::from(byte == b'\n');
            self.at += 1;
        }
    }

    /// The string that starts here, decoded (JSON strings hold no raw newline).
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => break,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        serde_json::from_slice(self.bytes.get(start..self.at)?).ok()
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_whitespace();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0_usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        b'\n' => self.line += 1,
                        _ => {}
                    }
                    self.at += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    self.at += 1;
                }
            }
        }
        Some(())
    }

    /// The line of the node `tokens` name below the value that starts here.
    fn line_of(&mut self, tokens: &[String]) -> Option<usize> {
        self.skip_whitespace();
        let Some((first, rest)) = tokens.split_first() else {
            return Some(self.line);
        };
        match self.peek()? {
            b'{' => {
                self.at += 1;
                // (line of the key, offset and line of its value) of the last entry named `first`.
                let mut entry = None;
                loop {
                    self.skip_whitespace();
                    match self.peek()? {
                        b'}' => break,
                        b',' => {
                            self.at += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let key_line = self.line;
                    let key = self.string()?;
                    self.skip_whitespace();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.at += 1;
                    if key == *first {
                        entry = Some((key_line, self.at, self.line));
                    }
                    self.skip_value()?;
                }
                let (key_line, at, line) = entry?;
                if rest.is_empty() {
                    return Some(key_line);
                }
                (self.at, self.line) = (at, line);
                self.line_of(rest)
            }
            b'[' => {
                self.at += 1;
                let index = array_index(first)?;
                for _ in 0..index {
                    self.skip_whitespace();
                    if self.peek()? == b']' {
                        return None;
                    }
                    self.skip_value()?;
                    self.skip_whitespace();
                    if self.peek()? != b',' {
                        return None;
                    }
                    self.at += 1;
                }
                self.skip_whitespace();
                if self.peek()? == b']' {
                    return None;
                }
                self.line_of(rest)
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// YAML: serde_yaml's own positions, reached by a visitor that fails at the node

/// The message of the deliberate error; serde_yaml adds the position.
const FOUND: &str = "the node this walk looks for is here";

fn yaml_line_of(text: &str, tokens: &[String], repeats_keys: bool) -> Option<usize> {
    let mut choice = Vec::with_capacity(tokens.len());
    if repeats_keys {
        let counts = RefCell::new(HashMap::new());
        let counting = Walk {
            tokens,
            chain: Vec::new(),
            plan: &Plan::Count(&counts),
        };
        counting.deserialize(serde_yaml::Deserializer::from_str(text)).ok()?;
        // Follow the last occurrence of each key, level by level.
        let counts = counts.into_inner();
        for _ in tokens {
            let occurrences = *counts.get(&choice)?;
            choice.push(occurrences.checked_sub(1)?);
        }
    } else {
        choice.resize(tokens.len(), 0);
    }
    let locating = Walk {
        tokens,
        chain: Vec::new(),
        plan: &Plan::Locate(&choice),
    };
    match locating.deserialize(serde_yaml::Deserializer::from_str(text)) {
        Err(error) if error.to_string().contains(FOUND) => error.location().map(|location| location.line()),
        _ => None,
    }
}

/// Whether any mapping of the text has a key twice (`false` also when the text does not parse).
fn yaml_repeats_keys(text: &str) -> bool {
    let repeats = std::cell::Cell::new(false);
    let _ = RepeatedKeys(&repeats).deserialize(serde_yaml::Deserializer::from_str(text));
    repeats.get()
}

/// A walk over every node that notes a mapping key seen twice.
#[derive(Clone, Copy)]
struct RepeatedKeys<'r>(&'r std::cell::Cell<bool>);

impl<'de> DeserializeSeed<'de> for RepeatedKeys<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RepeatedKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key) {
                self.0.set(true);
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
}

enum Plan<'p> {
    /// Count how often the wanted key occurs in each mapping on the way, per chain of occurrences
    /// taken above it (a list item is occurrence 0).
    Count(&'p RefCell<HashMap<Vec<usize>, usize>>),
    /// Follow these occurrences and fail at the node.
    Locate(&'p [usize]),
}

/// A walk from one node down the remaining `tokens`.
struct Walk<'w> {
    tokens: &'w [String],
    /// The occurrences taken so far, one per level.
    chain: Vec<usize>,
    plan: &'w Plan<'w>,
}

impl Walk<'_> {
    fn found<E: de::Error>() -> E {
        E::custom(FOUND)
    }

    /// At the node itself: fail when locating, nothing more to do otherwise.
    fn arrived<E: de::Error>(&self) -> Result<(), E> {
        match (self.tokens.is_empty(), self.plan) {
            (true, Plan::Locate(_)) => Err(Self::found()),
            _ => Ok(()),
        }
    }

    /// Whether occurrence `occurrence` of the wanted key at this level is the one to follow.
    fn follows(&self, occurrence: usize) -> bool {
        match self.plan {
            Plan::Count(_) => true,
            Plan::Locate(choice) => choice.get(self.chain.len()) == Some(&occurrence),
        }
    }

    fn child<'c>(&'c self, rest: &'c [String], occurrence: usize) -> Walk<'c> {
        let mut chain = self.chain.clone();
        chain.push(occurrence);
        Walk {
            tokens: rest,
            chain,
            plan: self.plan,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Scalars end the walk: either this is the node, or the pointer goes on below a scalar (which the
/// caller's resolution rules out) and there is nothing to find.
impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.arrived()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.arrived()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.arrived()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.arrived()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.arrived()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.arrived()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.arrived()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.arrived()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.arrived()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((wanted, rest)) = self.tokens.split_first() else {
            self.arrived::<A::Error>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut occurrences = 0;
        loop {
            let locate_key = rest.is_empty() && matches!(self.plan, Plan::Locate(_)) && self.follows(occurrences);
            let key = KeySeed { wanted, locate_key };
            let Some(matched) = map.next_key_seed(key)? else { break };
            if !matched {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let occurrence = occurrences;
            occurrences += 1;
            if let Plan::Count(counts) = self.plan {
                counts.borrow_mut().insert(self.chain.clone(), occurrences);
            }
            if !rest.is_empty() && self.follows(occurrence) {
                map.next_value_seed(self.child(rest, occurrence))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((wanted, rest)) = self.tokens.split_first() else {
            self.arrived::<A::Error>()?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let wanted = array_index(wanted);
        let mut index = 0;
        loop {
            let more = if Some(index) == wanted {
                if let Plan::Count(counts) = self.plan {
                    counts.borrow_mut().insert(self.chain.clone(), 1);
                }
                let descend = !rest.is_empty() || matches!(self.plan, Plan::Locate(_));
                if descend {
                    seq.next_element_seed(self.child(rest, 0))?.is_some()
                } else {
                    seq.next_element::<IgnoredAny>()?.is_some()
                }
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }
}

/// Reads a mapping key as the parsed document does (a string, through `deserialize_str`) and tells
/// whether it is the wanted one; with `locate_key`, a match fails so that the error carries the
/// key's position.
struct KeySeed<'k> {
    wanted: &'k str,
    locate_key: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        let matched = key == self.wanted;
        if matched && self.locate_key {
            return Err(Walk::found());
        }
        Ok(matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(pointer: &str) -> Vec<String> {
        pointer_tokens(pointer).unwrap()
    }

    fn line_of(text: &str, tokens: &[String]) -> Option<usize> {
        LineFinder::new(text, true).line_of(tokens)
    }

    #[test]
    fn pointers_are_read_by_rfc_6901_without_percent_decoding() {
        assert_eq!(tokens("#"), Vec::<String>::new());
        assert_eq!(tokens("#/"), [""]);
        assert_eq!(tokens("#/paths/~1v5~1items/get"), ["paths", "/v5/items", "get"]);
        // `~01` is `~1` (unescaping `~1` first would make it `/`).
        assert_eq!(tokens("#/a~01b"), ["a~1b"]);
        assert_eq!(tokens("#/a%20b/%2F"), ["a%20b", "%2F"]);
        for malformed in ["", "/a", "#a", "#paths", "#/a~", "#/a~2", "#/~x"] {
            assert!(pointer_tokens(malformed).is_err(), "{malformed:?} was accepted");
        }
    }

    #[test]
    fn existing_depth_stops_at_the_first_missing_token() {
        let doc: Value = serde_json::json!({"a": {"b/c": [1, {"d": 2}]}, "%41": 0});
        assert_eq!(existing_depth(&doc, &tokens("#/a/b~1c/1/d")), 4);
        assert_eq!(existing_depth(&doc, &tokens("#/a/b/c")), 1);
        assert_eq!(existing_depth(&doc, &tokens("#/a/b~1c/01")), 2);
        assert_eq!(existing_depth(&doc, &tokens("#/a/b~1c/0/x")), 3);
        assert_eq!(existing_depth(&doc, &tokens("#/%41")), 1);
        assert_eq!(existing_depth(&doc, &tokens("#/A")), 0);
    }

    #[test]
    fn yaml_lines_are_those_of_keys_and_items() {
        let text = "# comment\nopenapi: 3.0.3\npaths:\n  '/v5/items':\n    get:\n      tags: [a,\n        b]\n      \
                    parameters:\n        - name: x\n          in: query\n        -\n          name: y\n      \
                    description: |\n        text\n        more: not a key\n      summary: s\n";
        let get = "#/paths/~1v5~1items/get";
        assert_eq!(line_of(text, &tokens("#")), Some(2));
        assert_eq!(line_of(text, &tokens("#/paths/~1v5~1items")), Some(4));
        assert_eq!(line_of(text, &tokens(&format!("{get}/tags/1"))), Some(7));
        assert_eq!(line_of(text, &tokens(&format!("{get}/parameters/0"))), Some(9));
        assert_eq!(line_of(text, &tokens(&format!("{get}/parameters/0/in"))), Some(10));
        assert_eq!(line_of(text, &tokens(&format!("{get}/parameters/1"))), Some(12));
        assert_eq!(line_of(text, &tokens(&format!("{get}/summary"))), Some(16));
        assert_eq!(line_of(text, &tokens(&format!("{get}/nothing"))), None);
    }

    #[test]
    fn a_repeated_yaml_key_is_found_at_its_last_occurrence() {
        let text = "a:\n  x: 1\nb: 2\na:\n  y:\n    z: 3\n";
        assert!(yaml_repeats_keys(text));
        assert!(!yaml_repeats_keys("a:\n  x: 1\nb:\n  x: 2\n"));
        assert_eq!(line_of(text, &tokens("#/a")), Some(4));
        assert_eq!(line_of(text, &tokens("#/a/y/z")), Some(6));
    }

    #[test]
    fn json_lines_are_those_of_keys_and_items() {
        let text = "{\n  \"a\": {\n    \"b\\\"/\": [\n      1,\n      {\"c\": \"}]\"}\n    ]\n  },\n  \"d\": 2\n}\n";
        assert_eq!(line_of(text, &tokens("#")), Some(1));
        assert_eq!(line_of(text, &tokens("#/a/b\"~1")), Some(3));
        assert_eq!(line_of(text, &tokens("#/a/b\"~1/1/c")), Some(5));
        assert_eq!(line_of(text, &tokens("#/d")), Some(8));
        assert_eq!(line_of("{\"a\":1,\"a\":{\"b\":2}}", &tokens("#/a/b")), Some(1));
    }
}
