//! Issue 6, "never a panic": thousands of mutants of our spec and of the fixture specs go through the
//! whole pipeline (`Generator::generate`). None may panic; every diagnostic must be located (a
//! well-formed pointer and the right line, see `LocationJudge::check`); a spec that passes validation
//! must never make the emitters produce code that does not parse; and generating twice gives the same
//! files and warnings. Floors on the mix of outcomes (see `Floors`) make sure that the mutants do
//! mutate, and that both generated and rejected mutants are judged in numbers.
//!
//! Mutants are deterministic: each is named by its spec and index, and its seed derives from both.
//! Replay one with
//! `MUTANT=<spec file name>:<index> cargo test -p integration-tests --test mutations -- --nocapture`.
//! A stack overflow aborts the whole process; `MUTATIONS_TRACE=1` prints each mutant as it starts, to
//! find the one that did.

#[path = "mutations_support/locate.rs"]
mod locate;
#[path = "mutations_support/mutate.rs"]
mod mutate;
#[path = "mutations_support/rng.rs"]
mod rng;
#[path = "mutations_support/tree.rs"]
mod tree;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openapi_rust_gen::diagnostic::Diagnostic;
use openapi_rust_gen::{CodegenError, Generated, Generator, MAX_NESTING};
use serde_json::{json, Value};

use crate::locate::{existing_depth, pointer_tokens, LineFinder};
use crate::mutate::{mutate, Mutant};
use crate::rng::{seed_of, Rng};

/// Mutants of `openapi/sgp-evaluations.yaml` (the largest input: these take most of the run).
const MAIN_SPEC_MUTANTS: usize = 100;
/// Mutants of each fixture spec (small, quick to generate).
const FIXTURE_MUTANTS: usize = 150;
/// Every this-many-th mutant that generates is generated a second time and compared.
const DETERMINISM_EVERY: usize = 20;
/// Longer than this for one generation fails the mutant: work that grows with the document (not
/// exponentially with its depth) stays far below it, even in a debug build on a busy machine.
const GENERATION_TIME_LIMIT: Duration = Duration::from_secs(30);
/// The whole pipeline on spec text, as users call it.
fn generate(text: &str) -> Result<Generated, CodegenError> {
    Generator::new("the mutation test", "mutant.yaml").generate(text)
}
/// Rust's default for spawned threads, the smallest stack a caller of the library is likely to have.
/// The generator runs its pipeline on threads of its own with a stack sized from the loader's
/// nesting limit, so the caller's stack must not matter even at that limit.
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
    if std::env::var_os("MUTANT").is_none() {
        let shortfalls = Floors::FULL_RUN.shortfalls(&tally);
        assert!(
            shortfalls.is_empty(),
            "the outcome mix is off:\n{}",
            shortfalls.join("\n")
        );
    }
}

/// What a full run must at least have done, so that a broken mutator (one that returns its input,
/// or only garbage) or a broken judge cannot pass. The floors sit well below what a full run gives
/// (the tally it prints shows that), and the seeds are fixed, so they do not flake.
struct Floors {
    /// Mutants whose document is their input's, unchanged, at most this share (percent).
    max_unchanged: usize,
    /// Mutants that generate, at least this share of all (percent).
    min_generated: usize,
    /// Mutants of specs that generate as they are, at least this share of them rejected (percent).
    min_rejected_of_valid: usize,
    min_determinism_compared: usize,
    /// Diagnostics whose line was compared with the line this test found for their node.
    min_lines_compared: usize,
}

impl Floors {
    const FULL_RUN: Floors = Floors {
        max_unchanged: 5,
        min_generated: 20,
        min_rejected_of_valid: 25,
        min_determinism_compared: 50,
        min_lines_compared: 1000,
    };

    fn shortfalls(&self, tally: &Tally) -> Vec<String> {
        let percent = |part: usize, whole: usize| part * 100 / whole.max(1);
        let mut shortfalls = Vec::new();
        if percent(tally.unchanged, tally.tried) > self.max_unchanged {
            shortfalls.push(format!(
                "{} of {} mutants are their input unchanged (at most {}% may be)",
                tally.unchanged, tally.tried, self.max_unchanged
            ));
        }
        if percent(tally.generated, tally.tried) < self.min_generated {
            shortfalls.push(format!(
                "{} of {} mutants generated (at least {}% must)",
                tally.generated, tally.tried, self.min_generated
            ));
        }
        if percent(tally.rejected_of_valid, tally.of_valid) < self.min_rejected_of_valid {
            shortfalls.push(format!(
                "{} of {} mutants of valid specs were rejected (at least {}% must be)",
                tally.rejected_of_valid, tally.of_valid, self.min_rejected_of_valid
            ));
        }
        if tally.determinism_checked < self.min_determinism_compared {
            shortfalls.push(format!(
                "{} mutants were generated twice and compared (at least {} must be)",
                tally.determinism_checked, self.min_determinism_compared
            ));
        }
        if tally.lines_compared < self.min_lines_compared {
            shortfalls.push(format!(
                "{} diagnostic lines were compared with the node's line (at least {} must be)",
                tally.lines_compared, self.min_lines_compared
            ));
        }
        shortfalls
    }
}

/// The loader's nesting limit is what keeps deep mutants from overflowing the stack (which would abort
/// the process, not panic): at the limit the pipeline generates when called from a 2 MiB thread (see
/// [`STACK_SIZE`]), one level more is a located error, and far more (past the parsers' own recursion
/// limit) is a located error too. The chains are of the constructs that cost the most stack per level.
#[test]
fn nesting_is_fine_up_to_the_limit_and_a_located_error_beyond() {
    let run = || {
        for wrapper in ["not", "items", "additionalProperties"] {
            let far_beyond = deep_spec(wrapper, MAX_NESTING * 2);
            let Err(CodegenError::Spec(diagnostics)) = generate(&far_beyond) else {
                panic!("{wrapper} nested {} levels deep was not rejected", MAX_NESTING * 2);
            };
            let [error] = diagnostics.as_slice() else {
                panic!("expected one diagnostic: {diagnostics:?}");
            };
            assert!(error.line.is_some(), "{error}");
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
        panic!("the nesting checks panicked: {}", panic_message(panic.as_ref()));
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
    /// The spec generates as it is (ours and the good fixtures).
    valid: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn input_specs() -> Vec<Spec> {
    let mut paths = vec![("openapi/sgp-evaluations.yaml".to_string(), MAIN_SPEC_MUTANTS, true)];
    for kind in ["good", "bad"] {
        let dir = root().join("tests/fixtures").join(kind);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".yaml"))
            .collect();
        assert!(!names.is_empty(), "no .yaml fixture in {}", dir.display());
        names.sort();
        paths.extend(
            names
                .into_iter()
                .map(|name| (format!("tests/fixtures/{kind}/{name}"), FIXTURE_MUTANTS, kind == "good")),
        );
    }
    paths
        .into_iter()
        .map(|(name, mutants, valid)| {
            let text = std::fs::read_to_string(root().join(&name)).unwrap();
            let tree = serde_yaml::from_str(&text).ok();
            Spec {
                name,
                text,
                tree,
                mutants,
                valid,
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
    /// Its spec generates as it is.
    valid_input: bool,
    index: usize,
    seed: u64,
    description: String,
    outcome: Outcome,
    /// The mutant's document is its input's (the mutations undid themselves or did nothing).
    unchanged: bool,
    /// How the lines of its diagnostics were checked.
    location_checks: LocationChecks,
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
    /// Generation took longer than [`GENERATION_TIME_LIMIT`].
    Slow(String),
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
            Outcome::Slow(detail) => ("SLOW", detail.as_str()),
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
    let unchanged = match &tree {
        Some(tree) => spec.tree.as_ref() == Some(tree),
        None => text == spec.text,
    };
    // Judged against the text as the loader reads it: the mutated tree may not survive the trip (a
    // document nested past the parsers' recursion limit does not parse).
    let document = Document {
        tree: parse_like_the_loader(&text),
        text: &text,
        may_repeat_keys: tree.is_none(),
    };
    if verbose {
        println!("{description}\n----- mutant text (first 4000 bytes) -----");
        println!("{}", text.get(..4000.min(text.len())).unwrap_or(&text));
    }
    let generation_started = Instant::now();
    let first = generate_quietly(&text);
    let generation_time = generation_started.elapsed();
    if verbose {
        match &first {
            Ok(Ok(generated)) => println!("generated {} files", generated.files.len()),
            Ok(Err(error)) => println!("{error}"),
            Err(message) => println!("panic: {message}"),
        }
    }
    let mut determinism_checked = false;
    let mut location_checks = LocationChecks::default();
    let outcome = match first {
        Err(message) => Outcome::Panic(message),
        Ok(Err(CodegenError::Spec(diagnostics))) => judge_rejection(&document, &diagnostics, &mut location_checks),
        Ok(Err(error @ CodegenError::Emit { .. })) => Outcome::EmitBug(error.to_string()),
        Ok(Err(other)) => Outcome::EmitBug(format!("unexpected error from Generator::generate: {other}")),
        Ok(Ok(generated)) => {
            determinism_checked = index % DETERMINISM_EVERY == 0;
            judge_generated(&document, &generated, determinism_checked, &mut location_checks)
        }
    };
    let outcome = match outcome {
        judged if judged.is_failure() || generation_time <= GENERATION_TIME_LIMIT => judged,
        _ => Outcome::Slow(format!(
            "generation took {:.1} s (at most {} s)",
            generation_time.as_secs_f64(),
            GENERATION_TIME_LIMIT.as_secs()
        )),
    };
    Record {
        spec: spec.name.clone(),
        valid_input: spec.valid,
        index,
        seed,
        description,
        outcome,
        unchanged,
        location_checks,
        determinism_checked,
        duration: started.elapsed(),
    }
}

/// A mutant as the loader reads it.
struct Document<'t> {
    text: &'t str,
    /// `None` when the text does not parse.
    tree: Option<Value>,
    /// False when the text was written from a tree (which cannot repeat a key in a mapping).
    may_repeat_keys: bool,
}

/// The pipeline behind `catch_unwind`; a panic comes back as its message (and location, when it
/// happened on this thread: a panic on one of the generator's helper threads reaches this one as its
/// payload only, and the hook there prints it as usual).
fn generate_quietly(text: &str) -> Result<Result<Generated, CodegenError>, String> {
    PANIC_MESSAGE.with(|message| message.borrow_mut().take());
    QUIET.with(|quiet| quiet.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| generate(text)));
    QUIET.with(|quiet| quiet.set(false));
    result.map_err(|payload| {
        PANIC_MESSAGE
            .with(|message| message.borrow_mut().take())
            .unwrap_or_else(|| format!("panicked on another thread: {}", panic_message(payload.as_ref())))
    })
}

/// The message a panic was raised with (`panic!` gives a `&str` or a `String`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a payload that is not a string)".to_string())
}

#[test]
fn a_panic_caught_from_another_thread_keeps_its_message() {
    let caught = |body: fn()| std::thread::spawn(body).join().unwrap_err();
    assert_eq!(panic_message(caught(|| panic!("plain")).as_ref()), "plain");
    assert_eq!(
        panic_message(caught(|| panic!("formatted {}", 42)).as_ref()),
        "formatted 42"
    );
    let other = caught(|| std::panic::panic_any(7_u8));
    assert_eq!(panic_message(other.as_ref()), "(a payload that is not a string)");
}

fn judge_rejection(document: &Document<'_>, diagnostics: &[Diagnostic], checks: &mut LocationChecks) -> Outcome {
    if !diagnostics.iter().any(Diagnostic::is_error) {
        return Outcome::Unlocated(format!(
            "rejected without an error diagnostic:\n{}",
            render(diagnostics)
        ));
    }
    match unlocated(document, diagnostics, checks) {
        None => Outcome::Rejected,
        Some(report) => Outcome::Unlocated(report),
    }
}

fn judge_generated(
    document: &Document<'_>,
    generated: &Generated,
    recheck: bool,
    checks: &mut LocationChecks,
) -> Outcome {
    if let Some(report) = unlocated(document, &generated.warnings, checks) {
        return Outcome::Unlocated(format!("warnings:\n{report}"));
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
    match generate_quietly(document.text) {
        Ok(Ok(again)) if again.files == generated.files && again.warnings == generated.warnings => Outcome::Generated,
        Ok(Ok(again)) => {
            let changed: Vec<&str> = again
                .files
                .iter()
                .filter(|file| !generated.files.contains(file))
                .map(|file| file.path.as_str())
                .collect();
            let warnings = if again.warnings == generated.warnings {
                "same"
            } else {
                "different"
            };
            Outcome::Nondeterministic(format!(
                "second run differs in: {} ({warnings} warnings)",
                changed.join(", ")
            ))
        }
        Ok(Err(error)) => Outcome::Nondeterministic(format!("second run failed: {error}")),
        Err(message) => Outcome::Panic(format!("second run: {message}")),
    }
}

/// The diagnostics that are not located, each with the reason, or `None` when all are.
fn unlocated(document: &Document<'_>, diagnostics: &[Diagnostic], checks: &mut LocationChecks) -> Option<String> {
    let mut judge = LocationJudge::new(document);
    let stride = diagnostics.len().div_ceil(LINE_LOOKUPS_PER_MUTANT).max(1);
    let mut problems = Vec::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        match judge.check(diagnostic, index % stride == 0) {
            Ok(Checked::Line) => checks.lines += 1,
            Ok(Checked::AncestorLine) => checks.ancestor_lines += 1,
            Ok(Checked::LineInText | Checked::NoNode) => {}
            Err(problem) => problems.push(format!("{diagnostic:?}\n    {problem}")),
        }
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

/// Finding a node's line in YAML text costs a parse of it (see `locate`), so in a mutant with many
/// diagnostics (a warning per schema, say) only this many, spread evenly over them, have their node
/// looked up; the others are compared when their node was looked up anyway, and otherwise must still
/// have a line inside the text.
const LINE_LOOKUPS_PER_MUTANT: usize = 8;

/// libyaml, which the generator's line index reads the text with, does not take a flow-mapping key
/// longer than this many bytes as written (quotes included) for a key (its "simple key" limit), so in
/// JSON text with such a key the index loses the nodes below it and gives them an ancestor's line. A
/// known gap of the generator: there, a line of a node on the pointer's path passes (and is counted
/// apart).
const LIBYAML_SIMPLE_KEY_LIMIT: usize = 1024;

/// How many diagnostics had which line check, over a mutant or a run.
#[derive(Default)]
struct LocationChecks {
    /// Compared with the line this test found for their node.
    lines: usize,
    /// Only found to be the line of an ancestor (JSON with a key over the libyaml limit).
    ancestor_lines: usize,
}

/// What was checked of one located diagnostic.
enum Checked {
    Line,
    AncestorLine,
    /// The text does not parse, or the node was not looked up: the line is inside the text.
    LineInText,
    /// The document is empty: there is no line to give.
    NoNode,
}

/// Judges the locations of one mutant's diagnostics, remembering the lines looked up.
struct LocationJudge<'d> {
    document: &'d Document<'d>,
    finder: LineFinder<'d>,
    found: HashMap<Vec<String>, Option<usize>>,
}

impl<'d> LocationJudge<'d> {
    fn new(document: &'d Document<'d>) -> Self {
        LocationJudge {
            document,
            finder: LineFinder::new(document.text, document.may_repeat_keys),
            found: HashMap::new(),
        }
    }

    /// A diagnostic is located when its pointer is well-formed (see `locate`) and its line is right:
    /// - when the text parses, the line is that of the deepest node of the document on the pointer's
    ///   path (the node itself when it exists; a pointer may name something missing, such as a
    ///   required key, and then its nearest existing ancestor), found in the text by this test (see
    ///   `locate`), looked up when `may_look_up` or done before for another diagnostic;
    /// - when it does not, the parser's position is the only location there is: some line of the text.
    fn check(&mut self, diagnostic: &Diagnostic, may_look_up: bool) -> Result<Checked, String> {
        let tokens = pointer_tokens(&diagnostic.pointer)?;
        let Some(tree) = &self.document.tree else {
            return self.line_in_text(diagnostic.line);
        };
        if has_no_node(self.document.text, tree) {
            return match diagnostic.line {
                None => Ok(Checked::NoNode),
                Some(line) => Err(format!("line {line}, but the document has no node")),
            };
        }
        let node = &tokens[..existing_depth(tree, &tokens)];
        if !may_look_up && !self.found.contains_key(node) {
            return self.line_in_text(diagnostic.line);
        }
        let expected = self.line_of(node)?;
        if diagnostic.line == Some(expected) {
            return Ok(Checked::Line);
        }
        if self.finder.is_json() && longest_json_key(tree) > LIBYAML_SIMPLE_KEY_LIMIT {
            for depth in 0..node.len() {
                if diagnostic.line == Some(self.line_of(&node[..depth])?) {
                    return Ok(Checked::AncestorLine);
                }
            }
        }
        Err(format!(
            "line {:?}, but {} (the deepest node on the pointer's path) is on line {expected}",
            diagnostic.line,
            pointer_of(node)
        ))
    }

    /// Past the end of the last line is where a parser stops on a truncated text.
    fn line_in_text(&self, line: Option<usize>) -> Result<Checked, String> {
        let last = self.document.text.lines().count() + 1;
        match line {
            Some(line) if (1..=last).contains(&line) => Ok(Checked::LineInText),
            Some(line) => Err(format!("line {line} is not in the text (lines 1 to {last})")),
            None => Err("no line, although the text has nodes or a parse error to point at".to_string()),
        }
    }

    fn line_of(&mut self, node: &[String]) -> Result<usize, String> {
        let finder = &mut self.finder;
        let line = *self.found.entry(node.to_vec()).or_insert_with(|| finder.line_of(node));
        line.ok_or_else(|| format!("the test could not find {} in the text", pointer_of(node)))
    }
}

/// A pointer for messages, escaped as RFC 6901 says.
fn pointer_of(tokens: &[String]) -> String {
    tokens.iter().fold("#".to_string(), |pointer, token| {
        format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
    })
}

/// An empty document: nothing but blank lines and comments.
fn has_no_node(text: &str, tree: &Value) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    tree.is_null()
        && text
            .lines()
            .all(|line| line.trim().is_empty() || line.trim().starts_with('#'))
}

/// The length in bytes of the longest mapping key of the document written as JSON (quotes included).
fn longest_json_key(node: &Value) -> usize {
    match node {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| Value::from(key.as_str()).to_string().len().max(longest_json_key(value)))
            .max()
            .unwrap_or(0),
        Value::Array(items) => items.iter().map(longest_json_key).max().unwrap_or(0),
        _ => 0,
    }
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
            let message = format!("panicked at {location}: {}", panic_message(info.payload()));
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
    unchanged: usize,
    generated: usize,
    determinism_checked: usize,
    rejected: usize,
    /// Mutants of specs that generate as they are, and how many of those were rejected.
    of_valid: usize,
    rejected_of_valid: usize,
    lines_compared: usize,
    /// Lines found to be only an ancestor's (see `LIBYAML_SIMPLE_KEY_LIMIT`).
    ancestor_lines: usize,
    panics: usize,
    unlocated: usize,
    emit_bugs: usize,
    nondeterministic: usize,
    slow: usize,
}

impl Tally {
    fn of(records: &[Record]) -> Tally {
        let mut tally = Tally {
            tried: records.len(),
            ..Tally::default()
        };
        for record in records {
            tally.unchanged += usize::from(record.unchanged);
            tally.determinism_checked += usize::from(record.determinism_checked);
            tally.lines_compared += record.location_checks.lines;
            tally.ancestor_lines += record.location_checks.ancestor_lines;
            tally.of_valid += usize::from(record.valid_input);
            let rejected = matches!(record.outcome, Outcome::Rejected);
            tally.rejected_of_valid += usize::from(record.valid_input && rejected);
            match record.outcome {
                Outcome::Generated => tally.generated += 1,
                Outcome::Rejected => tally.rejected += 1,
                Outcome::Panic(_) => tally.panics += 1,
                Outcome::Unlocated(_) => tally.unlocated += 1,
                Outcome::EmitBug(_) => tally.emit_bugs += 1,
                Outcome::Nondeterministic(_) => tally.nondeterministic += 1,
                Outcome::Slow(_) => tally.slow += 1,
            }
        }
        tally
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "tried:                              {} ({} unchanged by their mutations)",
            self.tried, self.unchanged
        )?;
        writeln!(
            f,
            "generated OK:                       {} ({} generated twice and compared)",
            self.generated, self.determinism_checked
        )?;
        writeln!(
            f,
            "rejected with located diagnostics:  {} ({} of the {} mutants of valid specs)",
            self.rejected, self.rejected_of_valid, self.of_valid
        )?;
        writeln!(
            f,
            "diagnostic lines compared:          {} (and {} only found on the pointer's path, see \
             LIBYAML_SIMPLE_KEY_LIMIT)",
            self.lines_compared, self.ancestor_lines
        )?;
        writeln!(f, "panics (must be 0):                 {}", self.panics)?;
        writeln!(f, "unlocated diagnostics (must be 0):  {}", self.unlocated)?;
        writeln!(f, "emit bugs (must be 0):              {}", self.emit_bugs)?;
        writeln!(f, "nondeterministic (must be 0):       {}", self.nondeterministic)?;
        write!(f, "slower than the limit (must be 0):  {}", self.slow)
    }
}
