//! Issue 6, "never a panic": thousands of mutants of our spec and of the fixture specs go through the
//! whole pipeline (`Generator::generate`). None may panic; every rejection must be located (a pointer
//! starting with `#`, and a line wherever the node is in the text); a spec that passes validation must
//! never make the emitters produce code that does not parse; and generating twice gives the same files.
//!
//! Mutants are deterministic: each is named by its spec and index, and its seed derives from both.
//! Replay one with
//! `MUTANT=<spec file name>:<index> cargo test -p integration-tests --test mutations -- --nocapture`.
//! A stack overflow aborts the whole process; `MUTATIONS_TRACE=1` prints each mutant as it starts, to
//! find the one that did.

#[path = "mutations_support/mutate.rs"]
mod mutate;
#[path = "mutations_support/rng.rs"]
mod rng;
#[path = "mutations_support/tree.rs"]
mod tree;

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openapi_rust_gen::diagnostic::Diagnostic;
use openapi_rust_gen::MAX_NESTING;
use openapi_rust_gen::{CodegenError, Generated, Generator};
use serde_json::{json, Value};

use crate::mutate::{mutate, Mutant};
use crate::rng::{seed_of, Rng};

/// Mutants of `openapi/sgp-evaluations.yaml` (about 0.15 s each in a debug build).
const MAIN_SPEC_MUTANTS: usize = 100;
/// Mutants of each fixture spec (a few milliseconds each).
const FIXTURE_MUTANTS: usize = 150;
/// Every this-many-th mutant that generates is generated a second time and compared.
const DETERMINISM_EVERY: usize = 20;
/// The whole pipeline on spec text, as users call it.
fn generate(text: &str) -> Result<Generated, CodegenError> {
    Generator::new("the mutation test", "mutant.yaml").generate(text)
}
/// Rust's default for spawned threads, a quarter of the CLI's main thread: the loader's nesting limit
/// is chosen so that every stage fits in it even in a debug build.
const STACK_SIZE: usize = 2 << 20;

#[test]
fn mutants_never_panic_and_every_rejection_is_located() {
    let specs = input_specs();
    let jobs = jobs(&specs);
    let started = Instant::now();
    let records = with_quiet_panics(|| run_jobs(&specs, &jobs));
    let tally = Tally::of(&records);
    println!(
        "{} mutants of {} specs ({MAIN_SPEC_MUTANTS} of our spec, {FIXTURE_MUTANTS} of each fixture) in {:.1} s on {} \
         threads",
        records.len(),
        specs.len(),
        started.elapsed().as_secs_f64(),
        workers()
    );
    println!("{tally}");
    if let Some(slowest) = records.iter().max_by_key(|r| r.duration) {
        println!(
            "slowest: {}:{} in {} ms ({})",
            slowest.spec,
            slowest.index,
            slowest.duration.as_millis(),
            slowest.description
        );
    }
    let failures: Vec<String> = records
        .iter()
        .filter(|r| r.outcome.is_failure())
        .map(Record::report)
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing mutant(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The loader's nesting limit is what keeps deep mutants from overflowing the stack (which would abort
/// the process, not panic): at the limit every stage fits in a 2 MiB thread, one level more is a located
/// error. The chains are of the constructs that cost the most stack per level.
#[test]
fn nesting_is_fine_up_to_the_limit_and_a_located_error_beyond() {
    let run = || {
        for wrapper in ["not", "items", "additionalProperties"] {
            let at_limit = deep_spec(wrapper, MAX_NESTING);
            if let Err(error) = generate(&at_limit) {
                panic!("{wrapper} nested {MAX_NESTING} levels deep: {error}");
            }
            let beyond = deep_spec(wrapper, MAX_NESTING + 1);
            let Err(CodegenError::Spec(diagnostics)) = generate(&beyond) else {
                panic!("{wrapper} nested {} levels deep was not rejected", MAX_NESTING + 1);
            };
            let [error] = diagnostics.as_slice() else {
                panic!("expected one diagnostic: {diagnostics:?}");
            };
            let depth = error.pointer.matches('/').count() + 1;
            assert_eq!(depth, MAX_NESTING + 1, "{error}");
            assert!(error.line.is_some(), "{error}");
            assert!(error.message.contains("nests more than"), "{error}");
        }
    };
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE).spawn(run).unwrap();
    if let Err(panic) = worker.join() {
        panic::resume_unwind(panic);
    }
}

/// A spec whose one response schema is a chain of `wrapper` reaching `depth` collections from the root
/// (inline in a response is where a chain costs the most stack).
fn deep_spec(wrapper: &str, depth: usize) -> String {
    // The root, `paths`, the path, `get`, `responses`, `200`, `content`, the media type and the schema
    // itself are nine levels.
    let mut schema = json!({ "type": "string" });
    for _ in 9..depth {
        schema = match wrapper {
            "not" => json!({ "not": schema }),
            "items" => json!({ "type": "array", "items": schema }),
            _ => json!({ "type": "object", "additionalProperties": schema }),
        };
    }
    let spec = json!({
        "openapi": "3.0.3",
        "info": { "title": "Deep", "version": "1" },
        "x-codegen": { "crate-name": "deep" },
        "paths": { "/deep": { "get": {
            "operationId": "getDeep",
            "responses": { "200": { "description": "Deep.", "content": { "application/json": {
                "schema": schema
            } } } }
        } } }
    });
    serde_yaml::to_string(&spec).unwrap()
}

// ---------------------------------------------------------------------------------------------------
// Inputs and jobs

struct Spec {
    /// Relative to the repository root, `/`-separated.
    name: String,
    text: String,
    /// The document as a tree, when it parses (one fixture is deliberately broken YAML).
    tree: Option<Value>,
    mutants: usize,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn input_specs() -> Vec<Spec> {
    let mut paths = vec![("openapi/sgp-evaluations.yaml".to_string(), MAIN_SPEC_MUTANTS)];
    for kind in ["good", "bad"] {
        let dir = root().join("tests/fixtures").join(kind);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".yaml"))
            .collect();
        names.sort();
        paths.extend(
            names
                .into_iter()
                .map(|name| (format!("tests/fixtures/{kind}/{name}"), FIXTURE_MUTANTS)),
        );
    }
    paths
        .into_iter()
        .map(|(name, mutants)| {
            let text = std::fs::read_to_string(root().join(&name)).unwrap();
            let tree = serde_yaml::from_str(&text).ok();
            Spec {
                name,
                text,
                tree,
                mutants,
            }
        })
        .collect()
}

/// (spec index, mutant index), or only the one named by `MUTANT=<file name>:<index>`.
fn jobs(specs: &[Spec]) -> Vec<(usize, usize)> {
    let all = specs
        .iter()
        .enumerate()
        .flat_map(|(spec, s)| (0..s.mutants).map(move |index| (spec, index)));
    let Ok(only) = std::env::var("MUTANT") else {
        return all.collect();
    };
    let (file, index) = only.rsplit_once(':').expect("MUTANT=<spec file name>:<index>");
    let index: usize = index.parse().expect("MUTANT=<spec file name>:<index>");
    let spec = specs.iter().position(|s| s.name.ends_with(file)).expect("no such spec");
    vec![(spec, index)]
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from).clamp(1, 4)
}

/// Runs every job on a few threads; the order of the records follows `jobs`.
fn run_jobs(specs: &[Spec], jobs: &[(usize, usize)]) -> Vec<Record> {
    let next = AtomicUsize::new(0);
    let records: Mutex<Vec<(usize, Record)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let verbose = jobs.len() == 1;
    let trace = std::env::var_os("MUTATIONS_TRACE").is_some();
    std::thread::scope(|scope| {
        for worker in 0..workers() {
            let spawned = std::thread::Builder::new()
                .name(format!("mutant-worker-{worker}"))
                .stack_size(STACK_SIZE)
                .spawn_scoped(scope, || loop {
                    let job = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(spec, index)) = jobs.get(job) else { break };
                    if trace {
                        eprintln!("start {}:{index}", specs[spec].name);
                    }
                    let record = run_mutant(&specs[spec], index, verbose);
                    records.lock().unwrap().push((job, record));
                });
            spawned.unwrap();
        }
    });
    let mut records = records.into_inner().unwrap();
    records.sort_by_key(|(job, _)| *job);
    records.into_iter().map(|(_, record)| record).collect()
}

// ---------------------------------------------------------------------------------------------------
// One mutant

struct Record {
    spec: String,
    index: usize,
    seed: u64,
    description: String,
    outcome: Outcome,
    /// Re-generated and compared (only for some mutants that generate).
    determinism_checked: bool,
    /// Mutating and judging included.
    duration: Duration,
}

enum Outcome {
    Generated,
    Rejected,
    Panic(String),
    Unlocated(String),
    EmitBug(String),
    Nondeterministic(String),
}

impl Outcome {
    fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Generated | Outcome::Rejected)
    }
}

impl Record {
    fn report(&self) -> String {
        let (kind, detail) = match &self.outcome {
            Outcome::Panic(message) => ("PANIC", message.as_str()),
            Outcome::Unlocated(detail) => ("UNLOCATED DIAGNOSTIC", detail.as_str()),
            Outcome::EmitBug(detail) => ("EMIT BUG", detail.as_str()),
            Outcome::Nondeterministic(detail) => ("NONDETERMINISTIC", detail.as_str()),
            Outcome::Generated | Outcome::Rejected => ("ok", ""),
        };
        let file = self.spec.rsplit('/').next().unwrap_or(&self.spec);
        format!(
            "{kind}: {}:{} (seed {:#018x}; replay with MUTANT={file}:{})\n  mutation: {}\n  {}",
            self.spec,
            self.index,
            self.seed,
            self.index,
            self.description,
            detail.replace('\n', "\n  ")
        )
    }
}

fn mutant_seed(spec: &str, index: usize) -> u64 {
    seed_of(spec) ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn run_mutant(spec: &Spec, index: usize, verbose: bool) -> Record {
    let started = Instant::now();
    let seed = mutant_seed(&spec.name, index);
    let mut rng = Rng::new(seed);
    let Mutant {
        text,
        description,
        tree,
    } = mutate(&spec.text, spec.tree.as_ref(), &mut rng);
    let tree = tree.or_else(|| parse_like_the_loader(&text));
    if verbose {
        println!("{description}\n----- mutant text (first 4000 bytes) -----");
        println!("{}", text.get(..4000.min(text.len())).unwrap_or(&text));
    }
    let first = generate_quietly(&text);
    if verbose {
        match &first {
            Ok(Ok(generated)) => println!("generated {} files", generated.files.len()),
            Ok(Err(error)) => println!("{error}"),
            Err(message) => println!("panic: {message}"),
        }
    }
    let mut determinism_checked = false;
    let outcome = match first {
        Err(message) => Outcome::Panic(message),
        Ok(Err(CodegenError::Spec(diagnostics))) => judge_rejection(tree.as_ref(), &diagnostics),
        Ok(Err(error @ CodegenError::Emit { .. })) => Outcome::EmitBug(error.to_string()),
        Ok(Err(other)) => Outcome::EmitBug(format!("unexpected error from Generator::generate: {other}")),
        Ok(Ok(generated)) => {
            determinism_checked = index % DETERMINISM_EVERY == 0;
            judge_generated(&text, tree.as_ref(), &generated, determinism_checked)
        }
    };
    Record {
        spec: spec.name.clone(),
        index,
        seed,
        description,
        outcome,
        determinism_checked,
        duration: started.elapsed(),
    }
}

/// The pipeline behind `catch_unwind`; a panic comes back as its message and location.
fn generate_quietly(text: &str) -> Result<Result<Generated, CodegenError>, String> {
    PANIC_MESSAGE.with(|message| message.borrow_mut().take());
    QUIET.with(|quiet| quiet.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| generate(text)));
    QUIET.with(|quiet| quiet.set(false));
    result.map_err(|_| {
        PANIC_MESSAGE
            .with(|message| message.borrow_mut().take())
            .unwrap_or_default()
    })
}

/// `tree` is the mutant's document, `None` when its text does not parse.
fn judge_rejection(tree: Option<&Value>, diagnostics: &[Diagnostic]) -> Outcome {
    if !diagnostics.iter().any(Diagnostic::is_error) {
        return Outcome::Unlocated(format!(
            "rejected without an error diagnostic:\n{}",
            render(diagnostics)
        ));
    }
    let unlocated: Vec<&Diagnostic> = diagnostics.iter().filter(|d| !is_located(d, tree)).collect();
    if unlocated.is_empty() {
        return Outcome::Rejected;
    }
    Outcome::Unlocated(render(&unlocated.into_iter().cloned().collect::<Vec<_>>()))
}

fn judge_generated(text: &str, tree: Option<&Value>, generated: &Generated, recheck: bool) -> Outcome {
    let unlocated: Vec<Diagnostic> = generated
        .warnings
        .iter()
        .filter(|d| !is_located(d, tree))
        .cloned()
        .collect();
    if !unlocated.is_empty() {
        return Outcome::Unlocated(format!("warnings:\n{}", render(&unlocated)));
    }
    // prettyplease prints `#[doc = "..."]` as a `///` comment, where rustc rejects a carriage return.
    let carriage_return = generated
        .files
        .iter()
        .find(|file| file.path.ends_with(".rs") && file.contents.contains('\r'));
    if let Some(file) = carriage_return {
        return Outcome::EmitBug(format!("{} contains a carriage return, which rustc rejects", file.path));
    }
    if !recheck {
        return Outcome::Generated;
    }
    match generate_quietly(text) {
        Ok(Ok(again)) if again.files == generated.files && again.warnings == generated.warnings => Outcome::Generated,
        Ok(Ok(again)) => {
            let changed: Vec<&str> = again
                .files
                .iter()
                .filter(|file| !generated.files.contains(file))
                .map(|file| file.path.as_str())
                .collect();
            Outcome::Nondeterministic(format!("second run differs in: {}", changed.join(", ")))
        }
        Ok(Err(error)) => Outcome::Nondeterministic(format!("second run failed: {error}")),
        Err(message) => Outcome::Panic(format!("second run: {message}")),
    }
}

/// A diagnostic is located when its pointer is a JSON pointer into the document (`#`, `#/...`) and it
/// has a line whenever the node it names is in the text (or the text does not parse at all, where the
/// parser's position is the only location there is; an empty document has none).
fn is_located(diagnostic: &Diagnostic, doc: Option<&Value>) -> bool {
    let pointer = &diagnostic.pointer;
    if pointer != "#" && !pointer.starts_with("#/") {
        return false;
    }
    let line_expected = match doc {
        // An empty document has no node to point at.
        Some(Value::Null) => false,
        Some(doc) => resolves(doc, pointer),
        None => true,
    };
    diagnostic.line.is_some() || !line_expected
}

/// Whether an RFC 6901 pointer in URI-fragment form (`#/a/b~1c`) names a node of `doc`.
fn resolves(doc: &Value, pointer: &str) -> bool {
    let Some(path) = pointer.strip_prefix('#') else {
        return false;
    };
    if path.is_empty() {
        return true;
    }
    let Some(path) = path.strip_prefix('/') else {
        return false;
    };
    let mut node = doc;
    for token in path.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match node {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => return false,
        }
    }
    true
}

/// The text as the loader reads it (JSON when it starts with `{`, YAML otherwise), if it parses.
fn parse_like_the_loader(text: &str) -> Option<Value> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim_start().starts_with('{') {
        serde_json::from_str(body).ok()
    } else {
        serde_yaml::from_str(body).ok()
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(|d| format!("{d:?}")).collect();
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------------
// Panics: recorded, not printed

thread_local! {
    /// Set while a mutant runs: its panics are recorded instead of printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Runs `body` with a panic hook that keeps running mutants quiet, then puts the previous hook back.
fn with_quiet_panics<T>(body: impl FnOnce() -> T) -> T {
    let previous: Arc<Hook> = Arc::new(panic::take_hook());
    let forward = Arc::clone(&previous);
    panic::set_hook(Box::new(move |info| {
        if QUIET.with(Cell::get) {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!("panicked at {location}: {payload}");
            PANIC_MESSAGE.with(|slot| *slot.borrow_mut() = Some(message));
        } else {
            forward(info);
        }
    }));
    let result = body();
    drop(panic::take_hook());
    panic::set_hook(Box::new(move |info| previous(info)));
    result
}

// ---------------------------------------------------------------------------------------------------
// Counts

#[derive(Default)]
struct Tally {
    tried: usize,
    generated: usize,
    determinism_checked: usize,
    rejected: usize,
    panics: usize,
    unlocated: usize,
    emit_bugs: usize,
    nondeterministic: usize,
}

impl Tally {
    fn of(records: &[Record]) -> Tally {
        let mut tally = Tally {
            tried: records.len(),
            ..Tally::default()
        };
        for record in records {
            tally.determinism_checked += usize::from(record.determinism_checked);
            match record.outcome {
                Outcome::Generated => tally.generated += 1,
                Outcome::Rejected => tally.rejected += 1,
                Outcome::Panic(_) => tally.panics += 1,
                Outcome::Unlocated(_) => tally.unlocated += 1,
                Outcome::EmitBug(_) => tally.emit_bugs += 1,
                Outcome::Nondeterministic(_) => tally.nondeterministic += 1,
            }
        }
        tally
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "tried:                              {}", self.tried)?;
        writeln!(
            f,
            "generated OK:                       {} ({} generated twice and compared)",
            self.generated, self.determinism_checked
        )?;
        writeln!(f, "rejected with located diagnostics:  {}", self.rejected)?;
        writeln!(f, "panics (must be 0):                 {}", self.panics)?;
        writeln!(f, "unlocated diagnostics (must be 0):  {}", self.unlocated)?;
        writeln!(f, "emit bugs (must be 0):              {}", self.emit_bugs)?;
        write!(f, "nondeterministic (must be 0):       {}", self.nondeterministic)
    }
}
