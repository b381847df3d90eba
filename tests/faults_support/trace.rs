//! A `tracing` subscriber that writes every span, field update and event as one text line tagged
//! with its thread, so a test can check what the client traces (and that no secret is among it).
//! Hand-written, to keep the suite's dependencies to `tracing` itself.
//!
//! It is installed as the global default, once per test binary. A scoped default
//! (`set_default`) is not enough while other tests run in parallel: when it is the only
//! dispatcher, `tracing` decides whether a callsite is enabled by asking the default of the
//! thread that reaches it first, and a callsite first reached by another test's thread would be
//! switched off for good.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records lines such as `new_span 3 request operation="createDataset" …`,
/// `record 3 attempt=2` and `event sgp_evals::runtime::send message=retrying attempt=1 …`.
#[derive(Default)]
pub struct TraceRecorder {
    lines: Mutex<Vec<(ThreadId, String)>>,
    next_id: AtomicU64,
}

impl TraceRecorder {
    /// The recorder, installed as the global subscriber on first use.
    pub fn global() -> &'static TraceRecorder {
        static RECORDER: OnceLock<&'static TraceRecorder> = OnceLock::new();
        RECORDER.get_or_init(|| {
            let recorder: &'static TraceRecorder = Box::leak(Box::default());
            tracing::subscriber::set_global_default(Forward(recorder)).expect("no other global subscriber");
            recorder
        })
    }

    /// The lines recorded on the calling thread.
    pub fn lines_of_this_thread(&self) -> Vec<String> {
        let this = std::thread::current().id();
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .filter(|(thread, _)| *thread == this)
            .map(|(_, line)| line.clone())
            .collect()
    }

    /// Every line recorded, from every thread.
    pub fn all_lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|(_, line)| line.clone())
            .collect()
    }

    fn push(&self, line: String) {
        let thread = std::thread::current().id();
        self.lines.lock().unwrap().push((thread, line));
    }
}

/// Writes ` name=value` for each field, values in their `Debug` form.
struct FieldsText(String);

impl Visit for FieldsText {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

/// The subscriber handed to `tracing`; it forwards to the leaked, shared recorder.
struct Forward(&'static TraceRecorder);

impl Subscriber for Forward {
    fn enabled(&self, _metadata: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.0.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = FieldsText(String::new());
        span.record(&mut fields);
        self.0
            .push(format!("new_span {id} {}{}", span.metadata().name(), fields.0));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = FieldsText(String::new());
        values.record(&mut fields);
        self.0.push(format!("record {}{}", span.into_u64(), fields.0));
    }

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = FieldsText(String::new());
        event.record(&mut fields);
        self.0.push(format!("event {}{}", event.metadata().target(), fields.0));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}
