//! The whole pipeline, top to bottom: load → validate → lower → emit → format → write.

use std::path::Path;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

use crate::changelog::CHANGELOG_FILE;
use crate::changes::ApiChanges;
use crate::diagnostic::Diagnostic;
use crate::emit::cli::{emit_cli, emit_cli_main};
use crate::emit::client::{emit_cargo_toml, emit_client, emit_generated_mod, emit_lib};
use crate::emit::mock::emit_mock;
use crate::emit::operations::emit_resource;
use crate::emit::types::{emit_type_items, emit_types_prelude};
use crate::error::CodegenError;
use crate::format::{format_rust, with_header};
use crate::lower::lower;
use crate::model::ApiModel;
use crate::release;
use crate::spec::leniency;
use crate::spec::load::{load_file, load_str, LoadedSpec, MAX_NESTING};
use crate::surface::{surface, Surface};
use crate::write::{write_files, GeneratedFile, Mode};

/// The hand-written runtime, copied into every generated crate at `src/runtime/`.
const RUNTIME_FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../runtime/mod.rs")),
    ("auth.rs", include_str!("../runtime/auth.rs")),
    ("cli.rs", include_str!("../runtime/cli.rs")),
    ("clock.rs", include_str!("../runtime/clock.rs")),
    ("config.rs", include_str!("../runtime/config.rs")),
    ("decode.rs", include_str!("../runtime/decode.rs")),
    ("error.rs", include_str!("../runtime/error.rs")),
    ("future.rs", include_str!("../runtime/future.rs")),
    ("multipart.rs", include_str!("../runtime/multipart.rs")),
    ("nullable.rs", include_str!("../runtime/nullable.rs")),
    ("operation.rs", include_str!("../runtime/operation.rs")),
    ("mock.rs", include_str!("../runtime/mock.rs")),
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

/// Generates client crates from OpenAPI documents: the one entry point of this library.
///
/// ```no_run
/// use openapi_rust_gen::{Generator, Mode};
/// use std::path::Path;
///
/// let generator = Generator::new("cargo xtask codegen", "openapi/api.yaml");
/// let summary = generator.run(Path::new("openapi/api.yaml"), Path::new("client"), Mode::Write)?;
/// println!("{} files written", summary.written.len());
/// # Ok::<(), openapi_rust_gen::CodegenError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    /// Named in every file's header, e.g. `cargo xtask codegen`.
    regenerate_command: String,
    /// How the header names the spec, e.g. `openapi/sgp-evaluations.yaml`.
    spec_display: String,
    /// Overrides the crate name the spec's `x-codegen` (or title) gives.
    crate_name: Option<String>,
    /// How many threads may validate, emit and format at once; 1 keeps all work on one thread.
    threads: usize,
    /// Whether [`Generator::run`] compares the API with the output's `api.json` (see
    /// [`Generator::first_release`]).
    compare_with_previous: bool,
}

/// The generated crate, before it is written.
#[derive(Debug)]
pub struct Generated {
    /// Every file of the crate, paths relative to its root, in a stable order.
    pub files: Vec<GeneratedFile>,
    /// Problems in the spec that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// How many operations the client has.
    pub operations: usize,
    /// How many named types the client has.
    pub types: usize,
    /// How long each stage took.
    pub times: StageTimes,
}

/// What [`Generator::run`] did.
#[derive(Debug)]
pub struct Summary {
    /// How many operations the client has.
    pub operations: usize,
    /// How many named types the client has.
    pub types: usize,
    /// Files written (in check mode: none), relative to the output folder.
    pub written: Vec<String>,
    /// How many files were already up to date.
    pub unchanged: usize,
    /// Files removed from the folders the generator owns because nothing generates them any more.
    pub removed: Vec<String>,
    /// Problems in the spec that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// How long each stage took.
    pub times: StageTimes,
    /// How long the whole run took.
    pub elapsed: Duration,
    /// What changed in the crate's public API since the release before this version (empty on
    /// the first generation). When it changed, `CHANGELOG.md` has an entry for the version.
    pub api_changes: ApiChanges,
    /// The changelog (relative to the output folder), when this run drafted its entry; it is in
    /// [`written`](Self::written) too.
    pub changelog_drafted: Option<String>,
}

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

impl Generator {
    /// A generator whose file headers say that `regenerate_command` regenerates them from the spec
    /// named `spec_display` (e.g. `cargo xtask codegen`, `openapi/api.yaml`).
    pub fn new(regenerate_command: impl Into<String>, spec_display: impl Into<String>) -> Self {
        Generator {
            regenerate_command: regenerate_command.into(),
            spec_display: spec_display.into(),
            crate_name: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            compare_with_previous: true,
        }
    }

    /// Names the crate, instead of the spec's `x-codegen: crate-name` (or its title).
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// Makes [`run`](Self::run) treat the crate as new: its API is not compared with the
    /// output folder's `api.json`, no version bump or changelog entry is asked for, and the new
    /// `api.json` records no previous version. For scratch folders that unrelated specs are
    /// generated into (benchmarks), not for a crate that users depend on.
    pub fn first_release(mut self) -> Self {
        self.compare_with_previous = false;
        self
    }

    /// How many threads may work at once (default: the available cores). With 1, everything runs
    /// on one thread (see [`PIPELINE_STACK`] for which); the output is the same either way.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The first line of every generated file:
    /// `@generated by `cargo xtask codegen` from openapi/x.yaml. Do not edit by hand.`
    pub fn header(&self) -> String {
        format!(
            "@generated by `{}` from {}. Do not edit by hand.",
            self.regenerate_command, self.spec_display
        )
    }

    /// Spec text (YAML or JSON) → the crate's files, in memory. Any error in the spec stops
    /// generation; warnings travel with the result. Its `api.json` records no previous version
    /// (that is read from the output folder by [`run`](Self::run)).
    pub fn generate(&self, text: &str) -> Result<Generated, CodegenError> {
        on_pipeline_stack(|| self.generate_here(text))
    }

    fn generate_here(&self, text: &str) -> Result<Generated, CodegenError> {
        let mut times = StageTimes::default();
        let spec = timed(&mut times.load, || load_str(text)).map_err(CodegenError::Spec)?;
        let Emitted {
            mut generated,
            surface,
            version,
            ..
        } = self.generate_loaded(&spec, times)?;
        generated.files.push(release::api_file(&version, surface, None));
        Ok(generated)
    }

    /// Reads the spec at `spec_path`, generates the crate and writes it into `output_dir` (or, in
    /// [`Mode::Check`], compares and fails with a diff when it is stale).
    ///
    /// The crate's public API is compared with the release before (recorded in the checked-in
    /// `api.json`): when it changed, the spec's `x-codegen: crate-version` must be at least what
    /// Cargo's SemVer rules require ([`CodegenError::VersionBump`], before anything is written),
    /// and `CHANGELOG.md` must have an entry for it, which write mode drafts and check mode
    /// requires finished ([`CodegenError::Changelog`]).
    pub fn run(&self, spec_path: &Path, output_dir: &Path, mode: Mode) -> Result<Summary, CodegenError> {
        on_pipeline_stack(|| self.run_here(spec_path, output_dir, mode))
    }

    fn run_here(&self, spec_path: &Path, output_dir: &Path, mode: Mode) -> Result<Summary, CodegenError> {
        let started = Instant::now();
        let mut times = StageTimes::default();
        let spec = timed(&mut times.load, || load_file(spec_path)).map_err(CodegenError::Spec)?;
        let Emitted {
            mut generated,
            surface,
            crate_name,
            version,
        } = self.generate_loaded(&spec, times)?;
        let mut times = generated.times;
        let prepared = timed(&mut times.write, || {
            if self.compare_with_previous {
                release::prepare(output_dir, &crate_name, &version, surface)
            } else {
                Ok(release::first(&crate_name, &version, surface))
            }
        })?;
        generated.files.push(prepared.api_file);
        let written = timed(&mut times.write, || {
            write_files(output_dir, &generated.files, OWNED_DIRS, mode)
        });
        let report = written.map_err(|error| CodegenError::Io {
            path: output_dir.to_path_buf(),
            error,
        })?;
        if !report.stale.is_empty() {
            let files = report.stale.iter().map(|(path, _)| path.clone()).collect();
            let diff = report.stale.iter().map(|(_, diff)| diff.as_str()).collect();
            return Err(CodegenError::Stale { files, diff });
        }
        let mut written = report.written;
        let drafted = timed(&mut times.write, || {
            release::changelog(output_dir, &prepared.changes, mode)
        })?;
        let changelog_drafted = drafted.then(|| CHANGELOG_FILE.to_owned());
        written.extend(changelog_drafted.clone());
        Ok(Summary {
            operations: generated.operations,
            types: generated.types,
            written,
            unchanged: report.unchanged,
            removed: report.removed,
            warnings: generated.warnings,
            times,
            elapsed: started.elapsed(),
            api_changes: prepared.changes,
            changelog_drafted,
        })
    }

    /// What changed in the generated crate's public API from the spec `old_text` to the spec
    /// `new_text` (YAML or JSON), each classed breaking or compatible, with the version the
    /// change needs. Nothing is emitted or written.
    ///
    /// ```no_run
    /// # use openapi_rust_gen::Generator;
    /// let old = std::fs::read_to_string("api-v1.yaml").unwrap();
    /// let new = std::fs::read_to_string("api-v2.yaml").unwrap();
    /// let changes = Generator::new("cargo xtask codegen", "api.yaml").compare(&old, &new)?;
    /// println!("{}", changes.report());
    /// # Ok::<(), openapi_rust_gen::CodegenError>(())
    /// ```
    pub fn compare(&self, old_text: &str, new_text: &str) -> Result<ApiChanges, CodegenError> {
        on_pipeline_stack(|| self.compare_here(old_text, new_text))
    }

    fn compare_here(&self, old_text: &str, new_text: &str) -> Result<ApiChanges, CodegenError> {
        let (_, old_version, old_surface) = self.surface_of(old_text)?;
        let (crate_name, version, new_surface) = self.surface_of(new_text)?;
        Ok(ApiChanges::between(
            &crate_name,
            Some((&old_version, &old_surface)),
            &version,
            &new_surface,
        ))
    }

    /// The crate name, version and public API that spec text gives.
    fn surface_of(&self, text: &str) -> Result<(String, String, Surface), CodegenError> {
        let mut times = StageTimes::default();
        let spec = load_str(text).map_err(CodegenError::Spec)?;
        let (model, _) = self.model_of(&spec, &mut times)?;
        let settings = &model.settings;
        Ok((
            settings.crate_name.clone(),
            settings.crate_version.clone(),
            surface(&model),
        ))
    }

    /// Validates and lowers the loaded spec, then emits every file but `api.json`, whose
    /// previous version depends on where the crate is written.
    fn generate_loaded(&self, spec: &LoadedSpec, mut times: StageTimes) -> Result<Emitted, CodegenError> {
        let (model, diagnostics) = self.model_of(spec, &mut times)?;
        let files = emit_files(&model, &self.header(), self.threads, &mut times)?;
        let surface = timed(&mut times.emit, || surface(&model));
        let generated = Generated {
            files,
            warnings: diagnostics,
            operations: model.resources.iter().map(|r| r.operations.len()).sum(),
            types: model.types.len(),
            times,
        };
        Ok(Emitted {
            generated,
            surface,
            crate_name: model.settings.crate_name,
            version: model.settings.crate_version,
        })
    }

    /// Validates and lowers the loaded spec; any error stops here, warnings come back located.
    fn model_of(&self, spec: &LoadedSpec, times: &mut StageTimes) -> Result<(ApiModel, Vec<Diagnostic>), CodegenError> {
        let (mut diagnostics, (mut model, lower_diagnostics)) = validate_and_lower(spec, self.threads, times);
        let diagnostics = timed(&mut times.model, || {
            if let Some(name) = &self.crate_name {
                model.settings.crate_name = name.clone();
            }
            // Validation's come located (in the original file, for a 3.1 document); lowering's and
            // the leniency check's are located likewise (once) before all are compared by place.
            let located = diagnostics.len();
            diagnostics.extend(lower_diagnostics);
            leniency::apply(&spec.raw, &mut diagnostics);
            spec.locate(&mut diagnostics[located..]);
            dedupe_by_pointer(diagnostics)
        });
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(CodegenError::Spec(diagnostics));
        }
        Ok((model, diagnostics))
    }
}

/// The crate's files but `api.json`, with what `api.json` is made of.
struct Emitted {
    generated: Generated,
    surface: Surface,
    crate_name: String,
    version: String,
}

/// Validates on a second thread while lowering runs on this one: neither needs the other (lowering
/// copes with what validation reports, and their diagnostics are merged afterwards, validation's
/// first). Falls back to one thread when none can be started.
fn validate_and_lower(
    spec: &LoadedSpec,
    threads: usize,
    times: &mut StageTimes,
) -> (Vec<Diagnostic>, (ApiModel, Vec<Diagnostic>)) {
    let ((validated, validate_time), (lowered, lower_time)) = std::thread::scope(|scope| {
        let helper = (threads > 1)
            .then(|| spawn_with_pipeline_stack(scope, || timed_now(|| spec.validate())))
            .flatten();
        let lowered = timed_now(|| lower(&spec.openapi, Some(&spec.raw)));
        let validated = match helper {
            Some(handle) => join(handle),
            None => timed_now(|| spec.validate()),
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

fn emit_files(
    model: &ApiModel,
    header: &str,
    threads: usize,
    times: &mut StageTimes,
) -> Result<Vec<GeneratedFile>, CodegenError> {
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
    emitters.push(("src/generated/mock.rs".to_owned(), vec![Box::new(|| emit_mock(model))]));
    emitters.push(("src/generated/cli.rs".to_owned(), vec![Box::new(|| emit_cli(model))]));
    emitters.push((
        "src/generated/main.rs".to_owned(),
        vec![Box::new(|| emit_cli_main(model))],
    ));
    let mut files = vec![GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: timed(&mut times.emit, || emit_cargo_toml(model, header)),
    }];
    let parts: Vec<&Emitter<'_>> = emitters.iter().flat_map(|(_, parts)| parts).collect();
    let mut outputs = emit_and_format(&parts, threads).into_iter();
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
fn emit_and_format(parts: &[&Emitter<'_>], threads: usize) -> Vec<Output> {
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
    let threads = threads.min(parts.len());
    let mut outputs = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| spawn_with_pipeline_stack(scope, work))
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

/// The stack of every thread the pipeline runs on. Each stage that follows the document's structure
/// recurses once per level of nesting (openapiv3's deserializer, validation, lowering, emitting,
/// `syn`), so the stack is sized from the loader's guard, [`MAX_NESTING`], at [`STACK_PER_LEVEL`] a
/// level, and deep documents do not depend on the stack of whoever calls the library.
pub(crate) const PIPELINE_STACK: usize = MAX_NESTING * STACK_PER_LEVEL;

/// Stack for one level of nesting: what the costliest chains (`not`, `items` and
/// `additionalProperties` inline in a response, where openapiv3 reads each level through several
/// untagged enums) take in a debug build, doubled. The test
/// `the_deepest_documents_fit_half_the_pipeline_stack` keeps the factor two honest.
const STACK_PER_LEVEL: usize = 128 << 10;

/// Runs `work` on a thread with [`PIPELINE_STACK`], or on the caller's thread when none can be
/// started (the caller's stack must then be large enough itself).
fn on_pipeline_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pending = std::sync::Mutex::new(Some(work));
    let ran = std::thread::scope(|scope| {
        let worker = spawn_with_pipeline_stack(scope, || take(&pending).map(|work| work()));
        worker.and_then(join)
    });
    ran.unwrap_or_else(|| take(&pending).expect("the work has not run")())
}

/// What `slot` holds, leaving it empty (a panic elsewhere while it was locked changes nothing in it).
fn take<T>(slot: &std::sync::Mutex<Option<T>>) -> Option<T> {
    slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
}

/// Starts `work` on a scoped thread with [`PIPELINE_STACK`]. `None` when no thread can be started;
/// the caller then does the work itself.
fn spawn_with_pipeline_stack<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Option<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(PIPELINE_STACK)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::types::emit_types;

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

    /// Our spec asks for strictness: an unknown key there stays an error with its line, where a
    /// spec that does not ask gets a warning and a client.
    #[test]
    fn a_typo_in_our_strict_spec_is_an_error_with_its_line() {
        let spec =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/sgp-evaluations.yaml"))
                .expect("the repository's spec reads");
        let typo_line = spec.lines().position(|line| line == "paths:").expect("a paths line") + 1;
        let with_typo = spec.replacen("\npaths:\n", "\nservrs: []\npaths:\n", 1);
        let generator = Generator::new("test", "t.yaml");
        let Err(CodegenError::Spec(diagnostics)) = generator.generate(&with_typo) else {
            panic!("a typo in our spec generated");
        };
        let typo = diagnostics
            .iter()
            .find(|d| d.pointer == "#/servrs")
            .expect("the typo is reported");
        assert!(typo.is_error() && typo.line == Some(typo_line), "{typo}");
        let lenient = with_typo.replacen("  strict: true\n", "", 1);
        let generated = generator.generate(&lenient).unwrap_or_else(|e| panic!("{e}"));
        let typo = generated
            .warnings
            .iter()
            .find(|d| d.pointer == "#/servrs")
            .expect("the typo is reported");
        assert!(typo.message.ends_with("(it is ignored)"), "{typo}");
    }

    /// With one thread, validation, emitting and formatting run on the pipeline's thread (the path
    /// taken when no helper thread can be started): the output is the same. The caller's own stack
    /// does not matter: a document nested as deep as the loader allows generates from a 2 MiB thread
    /// (Rust's default for spawned threads).
    #[test]
    fn one_thread_generates_the_same_crate_whatever_the_callers_stack() {
        let spec =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/sgp-evaluations.yaml"))
                .expect("the repository's spec reads");
        let deep = deepest_allowed_spec("additionalProperties");
        let generate = |threads: usize, texts: [&str; 2]| {
            let generator = Generator::new("test", "t.yaml").threads(threads);
            texts.map(|text| {
                let generated = generator.generate(text).unwrap_or_else(|e| panic!("{e}"));
                (generated.files, generated.warnings)
            })
        };
        let small_stack = std::thread::Builder::new().stack_size(2 << 20);
        let one = std::thread::scope(|scope| {
            let handle = small_stack
                .spawn_scoped(scope, || generate(1, [&spec, &deep]))
                .expect("a thread starts");
            handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        assert!(
            one == generate(2, [&spec, &deep]),
            "one thread and two generate different crates"
        );
    }

    /// The chains that cost the most stack per level, as deep as the loader allows, generate on one
    /// thread with half of [`PIPELINE_STACK`]: the stack per level is twice what they need.
    #[test]
    fn the_deepest_documents_fit_half_the_pipeline_stack() {
        let generator = Generator::new("test", "t.yaml").threads(1);
        for wrapper in ["not", "items", "additionalProperties", "properties"] {
            let text = deepest_allowed_spec(wrapper);
            let half = std::thread::Builder::new().stack_size(PIPELINE_STACK / 2);
            let generated = std::thread::scope(|scope| {
                let handle = half
                    .spawn_scoped(scope, || generator.generate_here(&text))
                    .expect("a thread starts");
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            if let Err(error) = generated {
                panic!("{wrapper} nested {MAX_NESTING} levels deep: {error}");
            }
        }
    }

    /// One response schema, inline (where a chain costs the most stack), that is a chain of
    /// `wrapper` reaching exactly [`MAX_NESTING`] collections from the root.
    fn deepest_allowed_spec(wrapper: &str) -> String {
        // The root, `paths`, the path, `get`, `responses`, `200`, `content`, the media type and the
        // schema itself are nine levels; `properties` costs two a level (the map and the property),
        // the others one, and an array makes up an odd level left.
        let cost = if wrapper == "properties" { 2 } else { 1 };
        let mut schema = serde_json::json!({"type": "string"});
        let mut levels = 9;
        while levels + cost <= MAX_NESTING {
            schema = match wrapper {
                "not" => serde_json::json!({"not": schema}),
                "items" => serde_json::json!({"type": "array", "items": schema}),
                "properties" => serde_json::json!({"type": "object", "properties": {"inner": schema}}),
                _ => serde_json::json!({"type": "object", "additionalProperties": schema}),
            };
            levels += cost;
        }
        if levels < MAX_NESTING {
            schema = serde_json::json!({"type": "array", "items": schema});
        }
        let document = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Deep", "version": "1"},
            "paths": {"/deep": {"get": {
                "operationId": "getDeep",
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": schema
                }}}}
            }}},
        });
        let text = document.to_string();
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("the parser reads it");
        assert!(
            crate::spec::load::nested_beyond(&parsed, MAX_NESTING).is_none()
                && crate::spec::load::nested_beyond(&parsed, MAX_NESTING - 1).is_some(),
            "{wrapper}: the document does not nest exactly {MAX_NESTING} levels"
        );
        text
    }
}
