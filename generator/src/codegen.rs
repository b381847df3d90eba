//! The whole pipeline, top to bottom: load → validate → lower → emit → format → write.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

use crate::diagnostic::{render, Diagnostic};
use crate::emit_client::{emit_cargo_toml, emit_client, emit_generated_mod, emit_lib};
use crate::emit_operations::emit_resource;
use crate::emit_types::{emit_type_items, emit_types_prelude};
use crate::format::{format_rust, with_header};
use crate::load::{load_file, load_str, LoadedSpec};
use crate::lower::lower;
use crate::model::ApiModel;
use crate::validate::validate;
use crate::write::{unified_diff, write_files, GeneratedFile, Mode};

/// The hand-written runtime, copied into every generated crate at `src/runtime/`.
const RUNTIME_FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../runtime/mod.rs")),
    ("clock.rs", include_str!("../runtime/clock.rs")),
    ("config.rs", include_str!("../runtime/config.rs")),
    ("decode.rs", include_str!("../runtime/decode.rs")),
    ("error.rs", include_str!("../runtime/error.rs")),
    ("multipart.rs", include_str!("../runtime/multipart.rs")),
    ("nullable.rs", include_str!("../runtime/nullable.rs")),
    ("operation.rs", include_str!("../runtime/operation.rs")),
    ("options.rs", include_str!("../runtime/options.rs")),
    ("pagination.rs", include_str!("../runtime/pagination.rs")),
    ("params.rs", include_str!("../runtime/params.rs")),
    ("request.rs", include_str!("../runtime/request.rs")),
    ("response.rs", include_str!("../runtime/response.rs")),
    ("retry.rs", include_str!("../runtime/retry.rs")),
    ("send.rs", include_str!("../runtime/send.rs")),
    ("test_server.rs", include_str!("../runtime/test_server.rs")),
    ("union.rs", include_str!("../runtime/union.rs")),
];

/// Folders of the output crate that belong to the generator entirely: files there that are not
/// generated any more are removed.
const OWNED_DIRS: &[&str] = &["src/generated", "src/runtime"];

/// What to generate from where.
#[derive(Clone, Debug)]
pub struct Options {
    pub spec_path: PathBuf,
    pub output_dir: PathBuf,
    /// Named in every file's header, e.g. `cargo xtask codegen`.
    pub regenerate_command: String,
    /// How the header names the spec, e.g. `openapi/sgp-evaluations.yaml`.
    pub spec_display: String,
    /// Overrides the crate name the spec's `x-codegen` (or title) gives.
    pub crate_name: Option<String>,
    pub mode: Mode,
}

/// The generated crate, before it is written.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
    pub operations: usize,
    pub types: usize,
}

#[derive(Debug)]
pub struct Summary {
    pub operations: usize,
    pub types: usize,
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub millis: u128,
}

#[derive(Debug)]
pub enum CodegenError {
    /// The spec has errors; nothing was written.
    Spec(Vec<Diagnostic>),
    /// An emitter produced code that does not parse (a generator bug).
    Emit {
        file: String,
        message: String,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Check mode: these files differ from what would be generated.
    Stale {
        files: Vec<String>,
        diff: String,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Spec(diagnostics) => write!(f, "the spec has errors:\n{}", render(diagnostics)),
            CodegenError::Emit { file, message } => write!(f, "generator bug while emitting {file}: {message}"),
            CodegenError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            CodegenError::Stale { files, diff } => write!(
                f,
                "{} generated file(s) are stale: {}\nrun `cargo xtask codegen` and review the changes\n\n{diff}",
                files.len(),
                files.join(", ")
            ),
        }
    }
}

impl std::error::Error for CodegenError {}

/// How long each stage of one generation took (`cargo xtask bench` reports them). A stage that
/// did not run, because an earlier one failed or the caller started later, stays zero.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Reading and parsing the file: text → JSON value, line index, `openapiv3` document.
    pub load: Duration,
    /// The spec checks of [`validate`], which run on a second thread alongside lowering.
    pub validate: Duration,
    /// Lowering to the [`ApiModel`], including locating its diagnostics.
    pub model: Duration,
    /// Model → token streams (and `Cargo.toml`). Files are emitted and formatted on all cores,
    /// and these two stages add up the time of every thread, so they can exceed the wall time.
    pub emit: Duration,
    /// Token streams → source text (`syn` + `prettyplease`), added up over threads as `emit` is.
    pub format: Duration,
    /// Writing (or comparing) the files.
    pub write: Duration,
}

impl StageTimes {
    /// The sum of the stages (more than the wall time when emit and format ran in parallel).
    pub fn total(&self) -> Duration {
        self.load + self.validate + self.model + self.emit + self.format + self.write
    }
}

/// Runs `action`, adding the time it took to `slot`.
fn timed<T>(slot: &mut Duration, action: impl FnOnce() -> T) -> T {
    let (result, elapsed) = timed_now(action);
    *slot += elapsed;
    result
}

/// Loads the spec, generates the crate and writes (or checks) it.
pub fn run(options: &Options) -> Result<Summary, CodegenError> {
    run_timed(options, &mut StageTimes::default())
}

/// [`run`], adding the time of each stage to `times`.
pub fn run_timed(options: &Options, times: &mut StageTimes) -> Result<Summary, CodegenError> {
    let started = Instant::now();
    let spec = timed(&mut times.load, || load_file(&options.spec_path)).map_err(CodegenError::Spec)?;
    let header = header(&options.regenerate_command, &options.spec_display);
    let generated = generate_timed(&spec, &header, options.crate_name.as_deref(), times)?;
    let written = timed(&mut times.write, || {
        write_files(&options.output_dir, &generated.files, OWNED_DIRS, options.mode)
    });
    let report = written.map_err(|error| CodegenError::Io {
        path: options.output_dir.clone(),
        error,
    })?;
    if !report.stale.is_empty() {
        let files = report.stale.iter().map(|(path, _)| path.clone()).collect();
        let diff = report.stale.iter().map(|(_, diff)| diff.as_str()).collect();
        return Err(CodegenError::Stale { files, diff });
    }
    Ok(Summary {
        operations: generated.operations,
        types: generated.types,
        written: report.written,
        unchanged: report.unchanged,
        removed: report.removed,
        warnings: generated.warnings,
        millis: started.elapsed().as_millis(),
    })
}

/// `@generated by `cargo xtask codegen` from openapi/x.yaml. Do not edit by hand.`
pub fn header(command: &str, spec_display: &str) -> String {
    format!("@generated by `{command}` from {spec_display}. Do not edit by hand.")
}

/// Spec text → files, in memory. Used by `run` and by snapshot tests.
pub fn generate_from_str(source_name: &str, text: &str, header: &str) -> Result<Generated, CodegenError> {
    let spec = load_str(source_name, text).map_err(CodegenError::Spec)?;
    generate(&spec, header)
}

/// Validates and lowers the spec, then emits every file. Any error diagnostic stops generation;
/// warnings travel with the result.
pub fn generate(spec: &LoadedSpec, header: &str) -> Result<Generated, CodegenError> {
    generate_named(spec, header, None)
}

/// [`generate`], with the crate name set by the caller instead of the spec.
pub fn generate_named(spec: &LoadedSpec, header: &str, crate_name: Option<&str>) -> Result<Generated, CodegenError> {
    generate_timed(spec, header, crate_name, &mut StageTimes::default())
}

/// [`generate_named`], adding the time of each stage to `times`.
pub fn generate_timed(
    spec: &LoadedSpec,
    header: &str,
    crate_name: Option<&str>,
    times: &mut StageTimes,
) -> Result<Generated, CodegenError> {
    let (mut diagnostics, (mut model, lower_diagnostics)) = validate_and_lower(spec, times);
    let diagnostics = timed(&mut times.model, || {
        if let Some(name) = crate_name {
            model.settings.crate_name = name.to_owned();
        }
        diagnostics.extend(lower_diagnostics);
        let mut diagnostics = dedupe_by_pointer(diagnostics);
        spec.locate(&mut diagnostics);
        diagnostics
    });
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(CodegenError::Spec(diagnostics));
    }
    let files = emit_files(&model, header, times)?;
    Ok(Generated {
        files,
        warnings: diagnostics,
        operations: model.resources.iter().map(|r| r.operations.len()).sum(),
        types: model.types.len(),
    })
}

/// Validates on a second thread while lowering runs on this one: neither needs the other (lowering
/// copes with what validation reports, and their diagnostics are merged afterwards, validation's
/// first). Falls back to one thread when none can be started.
fn validate_and_lower(spec: &LoadedSpec, times: &mut StageTimes) -> (Vec<Diagnostic>, (ApiModel, Vec<Diagnostic>)) {
    let ((validated, validate_time), (lowered, lower_time)) = std::thread::scope(|scope| {
        let helper = spawn_with_main_stack(scope, || timed_now(|| validate(spec)));
        let lowered = timed_now(|| lower(&spec.openapi, Some(&spec.raw)));
        let validated = match helper {
            Some(handle) => join(handle),
            None => timed_now(|| validate(spec)),
        };
        (validated, lowered)
    });
    times.validate += validate_time;
    times.model += lower_time;
    (validated, lowered)
}

/// Validation and lowering both notice some problems (a dangling `$ref`, a missing
/// `operationId`); one message per place and severity is enough, and validation's comes first.
fn dedupe_by_pointer(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::BTreeSet::new();
    diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.pointer.clone(), d.severity)))
        .collect()
}

/// Emits one part of a Rust file of the crate: the whole file, or a slice of its items.
type Emitter<'a> = Box<dyn Fn() -> TokenStream + Sync + 'a>;

/// How many types one part of `types.rs` holds. `types.rs` is most of the output; in parts it
/// is formatted on all cores instead of one, and a part is still large enough that handing it
/// to a thread costs nothing worth measuring.
const TYPES_PER_PART: usize = 16;

fn emit_files(model: &ApiModel, header: &str, times: &mut StageTimes) -> Result<Vec<GeneratedFile>, CodegenError> {
    let mut types_parts: Vec<Emitter<'_>> = vec![Box::new(emit_types_prelude)];
    for slice in model.types.chunks(TYPES_PER_PART) {
        types_parts.push(Box::new(move || emit_type_items(model, slice)));
    }
    let mut emitters: Vec<(String, Vec<Emitter<'_>>)> = vec![
        ("src/lib.rs".to_owned(), vec![Box::new(|| emit_lib(model))]),
        (
            "src/generated/mod.rs".to_owned(),
            vec![Box::new(|| emit_generated_mod(model))],
        ),
        (
            "src/generated/client.rs".to_owned(),
            vec![Box::new(|| emit_client(model))],
        ),
        ("src/generated/types.rs".to_owned(), types_parts),
    ];
    for resource in &model.resources {
        emitters.push((
            format!("src/generated/{}.rs", resource.module),
            vec![Box::new(move || emit_resource(model, resource))],
        ));
    }
    let mut files = vec![GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: timed(&mut times.emit, || emit_cargo_toml(model, header)),
    }];
    let parts: Vec<&Emitter<'_>> = emitters.iter().flat_map(|(_, parts)| parts).collect();
    let mut outputs = emit_and_format(&parts).into_iter();
    for (path, file_parts) in &emitters {
        let mut contents = with_header("", header);
        for output in outputs.by_ref().take(file_parts.len()) {
            times.emit += output.emit;
            times.format += output.format;
            match output.contents {
                Ok(text) => contents.push_str(&text),
                Err(message) => {
                    return Err(CodegenError::Emit {
                        file: path.clone(),
                        message,
                    })
                }
            }
        }
        files.push(GeneratedFile {
            path: path.clone(),
            contents,
        });
    }
    timed(&mut times.emit, || {
        files.extend(RUNTIME_FILES.iter().map(|(name, contents)| GeneratedFile {
            path: format!("src/runtime/{name}"),
            contents: with_header(contents, header),
        }))
    });
    Ok(files)
}

/// One emitted and formatted part of a file, with the time each step took.
struct Output {
    contents: Result<String, String>,
    emit: Duration,
    format: Duration,
}

/// Emits and formats every part, in parallel on the available cores (the output does not depend
/// on it). Token streams cannot cross threads, so each part is emitted and formatted by the same
/// thread. Returns the outputs in the order of `parts`.
fn emit_and_format(parts: &[&Emitter<'_>]) -> Vec<Output> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(emitter) = parts.get(index) else { break };
            let (tokens, emit) = timed_now(emitter);
            let (contents, format) = timed_now(|| format_rust(tokens));
            done.push((index, Output { contents, emit, format }));
        }
        done
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(parts.len());
    let mut outputs = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| spawn_with_main_stack(scope, work))
            .collect();
        let mut outputs = work();
        for helper in helpers {
            outputs.extend(join(helper));
        }
        outputs
    });
    outputs.sort_by_key(|(index, _)| *index);
    outputs.into_iter().map(|(_, output)| output).collect()
}

/// Starts `work` on a scoped thread with the main thread's stack (8 MiB): validating, lowering and
/// emitting recurse as deep as the spec's schemas nest. `None` when no thread can be started; the
/// caller then does the work itself.
fn spawn_with_main_stack<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Option<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn_scoped(scope, work)
        .ok()
}

/// Waits for a helper thread; a panic there goes on on this thread.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs `action` and returns its result with the time it took.
fn timed_now<T>(action: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let result = action();
    (result, started.elapsed())
}

/// Diff between two generations, for tests that show what a spec edit changes.
pub fn diff_files(before: &[GeneratedFile], after: &[GeneratedFile]) -> String {
    let mut out = String::new();
    for new in after {
        let old = before
            .iter()
            .find(|f| f.path == new.path)
            .map_or("", |f| f.contents.as_str());
        if old != new.contents {
            out.push_str(&unified_diff(&new.path, old, &new.contents));
        }
    }
    out
}

/// The spec path relative to `root`, `/`-separated, for headers.
pub fn display_path(root: &Path, path: &Path) -> String {
    crate::write::relative_path(root, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit_types::emit_types;

    /// `types.rs` is formatted in parts and the texts joined; that must be the text of formatting
    /// it whole, whatever the size of the parts.
    #[test]
    fn types_formatted_in_parts_equal_types_formatted_whole() {
        let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/sgp-evaluations.yaml");
        let spec = load_file(&spec_path).expect("the repository's spec loads");
        let (model, _) = lower(&spec.openapi, Some(&spec.raw));
        let whole = format_rust(emit_types(&model)).expect("types.rs parses");
        for per_part in [1, 7, TYPES_PER_PART, model.types.len()] {
            let mut joined = format_rust(emit_types_prelude()).expect("the prelude parses");
            for slice in model.types.chunks(per_part) {
                joined.push_str(&format_rust(emit_type_items(&model, slice)).expect("a part parses"));
            }
            assert!(joined == whole, "{per_part} types per part: the joined text differs");
        }
    }
}
