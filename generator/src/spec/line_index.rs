//! Maps JSON pointers into the spec document to 1-based lines of the spec text.
//!
//! How lines are found: the text is replayed through libyaml's event parser (the `unsafe-libyaml`
//! crate, which serde_yaml itself parses with, so it is already compiled and already trusted with this
//! input) and the start line of every node is recorded under its pointer. A hand-written indexer would
//! have to re-implement block scalars, flow collections, quoting, comments and anchors, and could
//! disagree with what serde_yaml actually read; the event stream cannot. JSON is YAML's flow subset, so
//! the same walk indexes JSON documents.
//!
//! The unsafe code is confined to [`EventParser`]: it owns one heap-pinned parser over borrowed input and
//! copies each event's mark and scalar text out before freeing the event, so nothing outlives what it
//! points at. Everything above it is safe code over plain [`Event`] values.
//!
//! Where a mapping value is recorded, the line is the line of its *key*: `description: |` followed by a
//! block scalar points at the `description` line, and a nested mapping points at the line that names it.
//! Sequence items are recorded at the line where the item starts (`- name: x` → that line).

use std::collections::HashMap;

use crate::spec::pointer;

/// Pointer → line, built once from the spec text.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
    duplicate_keys: Vec<DuplicateKey>,
    /// Where a second YAML document starts, if the text has one (serde_yaml rejects it without a position).
    second_document: Option<usize>,
}

/// A mapping key that occurs twice in one mapping. Both serde_yaml and serde_json keep the later value
/// without complaint, so the index is the only place that can notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Pointer of the repeated key, e.g. `#/paths/~1v5~1items`.
    pub pointer: String,
    pub first_line: usize,
    pub repeated_line: usize,
}

impl LineIndex {
    /// Indexes `text`. Text that libyaml cannot parse yields the entries read before the error, which is
    /// still useful: the loader reports the syntax error itself.
    pub fn build(text: &str) -> LineIndex {
        let mut builder = IndexBuilder::default();
        let mut parser = EventParser::new(text.as_bytes());
        while let Some(located) = parser.next_event() {
            if builder.accept(located) == Flow::Stop {
                break;
            }
        }
        builder.index
    }

    /// The line of `pointer`, or of its nearest ancestor that the text contains (a node reached through
    /// a YAML alias, or a pointer one step past a scalar, has no line of its own).
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut current = pointer;
        loop {
            if let Some(line) = self.lines.get(current) {
                return Some(*line);
            }
            let (parent, _) = current.rsplit_once('/')?;
            current = parent;
        }
    }

    /// The line of exactly `pointer`, without falling back to an ancestor.
    #[cfg(test)]
    pub fn exact_line_of(&self, pointer: &str) -> Option<usize> {
        self.lines.get(pointer).copied()
    }

    /// Keys that occur more than once in the same mapping, in text order.
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicate_keys
    }

    /// The line where a second document starts (after the one holding the root node), if any.
    pub fn second_document_line(&self) -> Option<usize> {
        self.second_document
    }
}

/// Whether the builder wants more events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// One open collection while walking the event stream. A `pointer` of `None` marks a collection whose
/// contents have no pointer (a complex mapping key, or the value of one): its descendants are skipped.
#[derive(Debug)]
enum Frame {
    Mapping {
        pointer: Option<String>,
        state: MappingState,
        /// Keys read so far, with their lines, to notice a repeated key.
        keys: HashMap<String, usize>,
    },
    Sequence {
        pointer: Option<String>,
        next_index: usize,
    },
}

#[derive(Debug)]
enum MappingState {
    ExpectKey,
    /// The key just read (`None` when it was not a scalar) and the line it is on.
    ExpectValue {
        key: Option<String>,
        line: usize,
    },
}

#[derive(Default)]
struct IndexBuilder {
    index: LineIndex,
    stack: Vec<Frame>,
    root_seen: bool,
}

impl IndexBuilder {
    fn accept(&mut self, located: Located) -> Flow {
        let line = located.line;
        match located.event {
            // serde_yaml rejects a second document; nothing after the first one is indexed.
            Event::DocumentStart if self.root_seen => {
                self.index.second_document = Some(line);
                return Flow::Stop;
            }
            Event::CollectionEnd => {
                self.stack.pop();
            }
            Event::Scalar(text) => self.node(line, Some(text), None),
            Event::Alias => self.node(line, None, None),
            Event::MappingStart => self.node(line, None, Some(CollectionKind::Mapping)),
            Event::SequenceStart => self.node(line, None, Some(CollectionKind::Sequence)),
            Event::DocumentStart | Event::StreamEnd | Event::Other => {}
        }
        Flow::Continue
    }

    /// Places one node: records its pointer's line, and opens a frame if it starts a collection.
    /// `scalar` is the node's text when it is a scalar (needed when the node is a mapping key).
    fn node(&mut self, line: usize, scalar: Option<String>, opens: Option<CollectionKind>) {
        let pointer = self.place(line, scalar);
        if let Some(kind) = opens {
            self.stack.push(kind.frame(pointer));
        }
    }

    /// Decides the pointer of a node starting at `line` and records it; `None` when the node is a
    /// mapping key or lies inside something that has no pointer.
    fn place(&mut self, line: usize, scalar: Option<String>) -> Option<String> {
        let Some(top) = self.stack.last_mut() else {
            self.root_seen = true;
            self.index.lines.insert("#".to_string(), line);
            return Some("#".to_string());
        };
        match top {
            Frame::Sequence { pointer, next_index } => {
                let item = pointer
                    .as_deref()
                    .map(|base| pointer::join(base, &next_index.to_string()));
                *next_index += 1;
                if let Some(item) = &item {
                    self.index.lines.insert(item.clone(), line);
                }
                item
            }
            Frame::Mapping { pointer, state, keys } => match std::mem::replace(state, MappingState::ExpectKey) {
                MappingState::ExpectKey => {
                    *state = MappingState::ExpectValue { key: scalar, line };
                    None
                }
                MappingState::ExpectValue { key, line: key_line } => {
                    let key = key?;
                    let repeated = keys.insert(key.clone(), key_line);
                    let entry = pointer::join(pointer.as_deref()?, &key);
                    if let Some(first_line) = repeated {
                        let duplicate = DuplicateKey {
                            pointer: entry.clone(),
                            first_line,
                            repeated_line: key_line,
                        };
                        self.index.duplicate_keys.push(duplicate);
                    }
                    // A mapping value is located at its key, which is where a reader looks for it. On a
                    // repeated key the later entry wins, as it does in the parsed value.
                    self.index.lines.insert(entry.clone(), key_line);
                    Some(entry)
                }
            },
        }
    }
}

#[derive(Clone, Copy)]
enum CollectionKind {
    Mapping,
    Sequence,
}

impl CollectionKind {
    fn frame(self, pointer: Option<String>) -> Frame {
        match self {
            CollectionKind::Mapping => Frame::Mapping {
                pointer,
                state: MappingState::ExpectKey,
                keys: HashMap::new(),
            },
            CollectionKind::Sequence => Frame::Sequence { pointer, next_index: 0 },
        }
    }
}

/// The parts of a libyaml event the index needs, copied out of parser memory.
#[derive(Debug, PartialEq, Eq)]
enum Event {
    DocumentStart,
    Scalar(String),
    Alias,
    MappingStart,
    SequenceStart,
    /// The end of a mapping or a sequence.
    CollectionEnd,
    StreamEnd,
    /// Stream start, document end.
    Other,
}

#[derive(Debug)]
struct Located {
    event: Event,
    /// 1-based line where the event starts.
    line: usize,
}

mod ffi {
    //! The only unsafe code in the loader: a thin owner of one libyaml parser.

    use std::marker::PhantomData;
    use std::mem::MaybeUninit;

    use super::{Event, Located};

    /// Pulls events from libyaml over `input`, which must outlive the parser (the lifetime says so).
    pub(super) struct EventParser<'input> {
        /// Boxed because libyaml keeps a pointer to the parser inside itself (its read handler's data):
        /// the parser must not move after `yaml_parser_set_input_string`.
        parser: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
        initialized: bool,
        finished: bool,
        _input: PhantomData<&'input [u8]>,
    }

    impl<'input> EventParser<'input> {
        pub(super) fn new(input: &'input [u8]) -> EventParser<'input> {
            let mut parser = Box::new(MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
            let raw = parser.as_mut_ptr();
            // SAFETY: `raw` points at writable, boxed (never moved) memory of the right size;
            // `yaml_parser_initialize` zeroes and initialises it. On failure (allocation) nothing else is
            // called and `Drop` skips the delete. The input pointer stays valid for `'input`, which the
            // struct borrows.
            let initialized = unsafe {
                let ok = unsafe_libyaml::yaml_parser_initialize(raw).ok;
                if ok {
                    unsafe_libyaml::yaml_parser_set_encoding(raw, unsafe_libyaml::YAML_UTF8_ENCODING);
                    unsafe_libyaml::yaml_parser_set_input_string(raw, input.as_ptr(), input.len() as u64);
                }
                ok
            };
            EventParser {
                parser,
                initialized,
                finished: !initialized,
                _input: PhantomData,
            }
        }

        /// The next event, or `None` at the end of the stream or at the first syntax error.
        pub(super) fn next_event(&mut self) -> Option<Located> {
            if self.finished {
                return None;
            }
            let raw = self.parser.as_mut_ptr();
            let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
            // SAFETY: the parser was initialised (`finished` is set otherwise) and has not failed before
            // (we stop at the first failure). A successful `yaml_parser_parse` fully initialises `event`;
            // `copy_event` reads only the union field that matches `type_`, copying the scalar bytes
            // before `yaml_event_delete` frees them, and the event is not used after the delete.
            unsafe {
                if unsafe_libyaml::yaml_parser_parse(raw, event.as_mut_ptr()).fail {
                    self.finished = true;
                    return None;
                }
                let event = event.as_mut_ptr();
                let located = copy_event(&*event);
                unsafe_libyaml::yaml_event_delete(event);
                self.finished = located.event == Event::StreamEnd;
                Some(located)
            }
        }
    }

    /// Copies what the index needs out of a parsed event.
    ///
    /// # Safety
    /// `event` must be a fully initialised event returned by `yaml_parser_parse` and not yet deleted.
    unsafe fn copy_event(event: &unsafe_libyaml::yaml_event_t) -> Located {
        let line = usize::try_from(event.start_mark.line).map_or(usize::MAX, |line| line.saturating_add(1));
        let event = match event.type_ {
            unsafe_libyaml::YAML_STREAM_END_EVENT => Event::StreamEnd,
            unsafe_libyaml::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
            unsafe_libyaml::YAML_ALIAS_EVENT => Event::Alias,
            unsafe_libyaml::YAML_MAPPING_START_EVENT => Event::MappingStart,
            unsafe_libyaml::YAML_SEQUENCE_START_EVENT => Event::SequenceStart,
            unsafe_libyaml::YAML_MAPPING_END_EVENT | unsafe_libyaml::YAML_SEQUENCE_END_EVENT => Event::CollectionEnd,
            unsafe_libyaml::YAML_SCALAR_EVENT => {
                // SAFETY: `type_` says the `scalar` member is the live one; libyaml guarantees `value`
                // points at `length` bytes (plus a NUL) until the event is deleted.
                let scalar = unsafe { event.data.scalar };
                let bytes = match usize::try_from(scalar.length) {
                    Ok(length) if !scalar.value.is_null() => unsafe {
                        std::slice::from_raw_parts(scalar.value, length)
                    },
                    _ => &[],
                };
                Event::Scalar(String::from_utf8_lossy(bytes).into_owned())
            }
            _ => Event::Other,
        };
        Located { event, line }
    }

    impl Drop for EventParser<'_> {
        fn drop(&mut self) {
            if self.initialized {
                // SAFETY: initialised in `new` and deleted exactly once, here.
                unsafe { unsafe_libyaml::yaml_parser_delete(self.parser.as_mut_ptr()) }
            }
        }
    }
}

use ffi::EventParser;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalar_then_more_keys() {
        let text = r#"info:
  description: |
    First line.

    Third line: not a key.
  title: T
  version: "1"
"#;
        let index = LineIndex::build(text);
        assert_eq!(index.line_of("#/info"), Some(1));
        assert_eq!(index.line_of("#/info/description"), Some(2));
        assert_eq!(index.line_of("#/info/title"), Some(6));
        assert_eq!(index.line_of("#/info/version"), Some(7));
    }

    #[test]
    fn sequence_items_and_quoted_keys() {
        let text = r#"paths:
  '/v5/evaluations/{evaluation_id}':
    get:
      parameters:
        - name: evaluation_id
          in: path
        -
          name: other
      responses:
        "200":
          description: ok
"#;
        let index = LineIndex::build(text);
        let get = "#/paths/~1v5~1evaluations~1{evaluation_id}/get";
        assert_eq!(index.line_of("#/paths/~1v5~1evaluations~1{evaluation_id}"), Some(2));
        assert_eq!(index.line_of(&format!("{get}/parameters/0")), Some(5));
        assert_eq!(index.line_of(&format!("{get}/parameters/0/in")), Some(6));
        assert_eq!(index.line_of(&format!("{get}/parameters/1")), Some(8));
        assert_eq!(index.line_of(&format!("{get}/responses/200/description")), Some(11));
    }

    #[test]
    fn missing_node_falls_back_to_nearest_ancestor() {
        let index = LineIndex::build("a:\n  b: 1\n");
        assert_eq!(index.line_of("#/a/b/c/d"), Some(2));
        assert_eq!(index.exact_line_of("#/a/b/c"), None);
        assert_eq!(index.line_of("#/zzz"), Some(1));
    }

    #[test]
    fn json_documents_are_indexed() {
        let text = "{\n  \"a\": {\n    \"b\": [\n      1,\n      {\"c/d\": 2}\n    ]\n  }\n}\n";
        let index = LineIndex::build(text);
        assert_eq!(index.line_of("#"), Some(1));
        assert_eq!(index.line_of("#/a"), Some(2));
        assert_eq!(index.line_of("#/a/b/1"), Some(5));
        assert_eq!(index.line_of("#/a/b/1/c~1d"), Some(5));
    }

    #[test]
    fn flow_collections_comments_and_aliases() {
        let text = "# comment\nbase: &b {x: 1}\nlist: [a, b,\n  c]\nuse: *b\n";
        let index = LineIndex::build(text);
        assert_eq!(index.line_of("#/base/x"), Some(2));
        assert_eq!(index.line_of("#/list/2"), Some(4));
        // Nodes reached through an alias have no line of their own; the alias's line stands in.
        assert_eq!(index.line_of("#/use/x"), Some(5));
    }

    #[test]
    fn complex_keys_are_skipped() {
        let index = LineIndex::build("? [a, b]\n: {c: 1}\nd: 2\n");
        assert_eq!(index.exact_line_of("#/d"), Some(3));
        assert_eq!(index.exact_line_of("#/0"), None);
    }

    #[test]
    fn duplicate_keys_are_reported() {
        // The repeated `a` is reported once; its children (`x`) are not repeats within their own mapping.
        let index = LineIndex::build("a:\n  x: 1\nb: 2\na:\n  x: 3\n");
        let expected = DuplicateKey {
            pointer: "#/a".to_string(),
            first_line: 1,
            repeated_line: 4,
        };
        assert_eq!(index.duplicate_keys(), &[expected]);
        assert_eq!(index.line_of("#/a/x"), Some(5));
    }

    #[test]
    fn a_second_document_is_noticed() {
        let index = LineIndex::build("a: 1\n---\nb: 2\n");
        assert_eq!(index.second_document_line(), Some(2));
        assert_eq!(index.exact_line_of("#/b"), None);
        assert_eq!(LineIndex::build("a: 1\n").second_document_line(), None);
    }

    #[test]
    fn broken_text_keeps_what_was_read() {
        let index = LineIndex::build("a: 1\nb: [\n");
        assert_eq!(index.line_of("#/a"), Some(1));
        let empty = LineIndex::build("");
        assert_eq!(empty.line_of("#/a"), None);
    }
}
